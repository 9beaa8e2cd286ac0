"""The result of screening one proposal, and how a verdict follows from its findings."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from pcd_screen.core.terms import SEVERITIES, STATUSES

RESULT_SCHEMA_VERSION = 1


# repr=False: a dataclass's generated methods are compiled at every import (start-up).
@dataclass(repr=False, slots=True, eq=False)
class Evidence:
    path: str
    value: object
    line: int | None = None
    # Imported data: the element (IATI) or column (CSV) the value was read from, with its line;
    # for a derived fact, the elements it was derived from. Left out of the JSON when None.
    element: str | None = None
    # Page, paragraph or table cell of a document proposal ("p. 3, ¶ 2"); None for YAML files,
    # and then left out of the result object.
    location: str | None = None
    # The sentence of the free text that triggered a text finding (the text layer's frames, or
    # the phrases a mentions condition matched); None otherwise, and then left out.
    quote: str | None = None
    # True for what put the proposal in the rule's scope (its applies_when) rather than what
    # the rule flagged: a CI annotation points at the evidence that decided the finding.
    # None otherwise, and then left out.
    scope: bool | None = None


@dataclass(repr=False, slots=True, eq=False)
class Finding:
    rule_id: str
    principle: str
    severity: str
    kind: str
    status: str
    title: str
    message: str
    rationale: str
    recommendation: str
    evidence: list[Evidence] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)
    # Set by waivers.apply: {justification, approved_by, granted, expires, file, line, expired}.
    # An expired waiver is kept here (expired: true) while the finding stays flagged.
    waiver: dict | None = None


@dataclass(repr=False, eq=False)
class Result:
    proposal: dict  # id, title, file
    tool: dict  # name, version
    ruleset: dict  # hash, rules (count)
    refdata: dict  # table -> version
    as_of: str
    lang: str
    verdict: str
    facts: dict
    findings: list[Finding]
    summary: dict
    schema_version: int = RESULT_SCHEMA_VERSION
    # How the verdict was reached: unclear_as_flag lists severities whose unclear findings
    # counted as flagged (the strict profile).
    policy: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        out = asdict(self)
        for finding in out["findings"]:
            finding["evidence"] = [_evidence_dict(e) for e in finding["evidence"]]
        return out

    def to_compact_dict(self) -> dict:
        """The compact form of results.jsonl (detail: compact, see the result schema): what
        differs between proposals, without the rule texts that are the same for all of them."""
        out = {name: getattr(self, name) for name in _TOP_FIELDS}
        out["detail"] = "compact"
        out["findings"] = [_compact(f) for f in self.findings]
        return out

    def compact_json(self) -> str:
        """json.dumps(self.to_compact_dict(), default=vars, ensure_ascii=False, sort_keys=True),
        the same text made faster for a portfolio: a finding that passes, does not apply or is
        unclear for want of the same fields is one object shared by every proposal (see
        engine.evaluate), so its JSON is made once, not once per proposal."""
        top = {name: getattr(self, name) for name in _TOP_FIELDS}
        top["detail"] = "compact"
        top["findings"] = None
        parts = []
        for name in sorted(top):
            if name == "findings":
                shown = "[" + ", ".join(_compact_json(f) for f in self.findings) + "]"
            else:
                shown = _dumps(top[name])
            parts.append(f'"{name}": {shown}')
        return "{" + ", ".join(parts) + "}"


_TOP_FIELDS = (
    "schema_version",
    "proposal",
    "tool",
    "ruleset",
    "refdata",
    "as_of",
    "lang",
    "verdict",
    "facts",
    "summary",
    "policy",
)
_COMPACT_FIELDS = (
    "principle",
    "severity",
    "kind",
    "title",
    "message",
    "evidence",
    "missing",
    "waiver",
)


def _compact(finding: Finding, copy: bool = True) -> dict:
    out = {"rule_id": finding.rule_id, "status": finding.status}
    if finding.status in ("flag", "waived", "unclear"):
        out.update((name, getattr(finding, name)) for name in _COMPACT_FIELDS)
        out["evidence"] = [_published(e, copy) for e in finding.evidence]
    return out


# Finding -> its compact JSON, for the findings shared between proposals (those without
# evidence); identity-keyed (Finding has eq=False) and bounded.
_COMPACT_TEXTS: dict = {}


def _dumps(value) -> str:
    """json.dumps(value, default=vars, ensure_ascii=False, sort_keys=True), with one encoder
    for the process: json.dumps makes a new one for each call with these options (and the
    import each time cost as much again), a dozen times per proposal."""
    return _encoder()(value)


@lru_cache(maxsize=1)
def _encoder():
    import json

    return json.JSONEncoder(default=vars, ensure_ascii=False, sort_keys=True).encode


def _compact_json(finding: Finding) -> str:
    text = _COMPACT_TEXTS.get(finding)
    if text is None:
        text = _dumps(_compact(finding, copy=False))
        if not finding.evidence:
            if len(_COMPACT_TEXTS) > 4096:
                _COMPACT_TEXTS.clear()
            _COMPACT_TEXTS[finding] = text
    return text


_OPTIONAL = ("element", "location", "quote", "scope")  # evidence fields left out when None


def _published(evidence: Evidence, copy: bool = True) -> dict:
    """_evidence_dict(asdict(evidence)) without asdict's deep copy: the compact form is
    serialised at once (results.jsonl), a few times per proposal of a portfolio."""
    value = evidence.value
    if copy and isinstance(value, (list, dict, tuple)):  # copied, as asdict does
        value = deepcopy(value)
    out = {"path": evidence.path, "value": value, "line": evidence.line}
    for name in _OPTIONAL:
        known = getattr(evidence, name)
        if known is not None:
            out[name] = known
    return out


def _evidence_dict(evidence: dict) -> dict:
    """Evidence as published: `element`, `location`, `quote` and `scope` only when known."""
    for name in _OPTIONAL:
        if evidence.get(name) is None:
            evidence.pop(name, None)
    return evidence


def verdict_for(findings: list[Finding], unclear_as_flag: tuple[str, ...] = ()) -> str:
    """block: a critical concern flagged; revise: a high one; clarify: a medium one flagged or a
    critical/high one unclear; clear otherwise. Strengths and waived findings never count.

    unclear_as_flag lists severities whose unclear findings count as flagged (the strict
    profile: a watchdog does not give the benefit of the doubt)."""
    flagged, unclear = set(), set()
    for f in findings:  # one pass: a portfolio run asks for every proposal's verdict
        if f.kind == "concern":
            if f.status == "flag":
                flagged.add(f.severity)
            elif f.status == "unclear":
                unclear.add(f.severity)
    flagged |= unclear & set(unclear_as_flag)
    if "critical" in flagged:
        return "block"
    if "high" in flagged:
        return "revise"
    if "medium" in flagged or unclear & {"critical", "high"}:
        return "clarify"
    return "clear"


def summarise(findings: list[Finding]) -> dict:
    # One pass: a portfolio run summarises every proposal.
    concerns = dict.fromkeys(SEVERITIES, 0)
    by_status = dict.fromkeys(STATUSES, 0)
    unclear = strengths = 0
    for f in findings:
        by_status[f.status] += 1
        if f.status == "flag":
            if f.kind == "concern":
                concerns[f.severity] += 1
            elif f.kind == "strength":
                strengths += 1
        elif f.status == "unclear" and f.kind == "concern":
            unclear += 1
    return {
        "concerns": concerns,
        "unclear": unclear,
        "strengths": strengths,
        "waived": by_status["waived"],
        "by_status": by_status,
    }


_STATUS_RANK = {status: rank for rank, status in enumerate(STATUSES)}
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}


def sort_key(finding: Finding) -> tuple:
    return (
        finding.kind != "concern",
        _STATUS_RANK[finding.status],
        _SEVERITY_RANK[finding.severity],
        finding.rule_id,
    )


def format_value(name: str, value, lang: str = "en") -> str:
    """A fact or evidence value as people read it, in the report language and its number
    formats (pcd_screen/core/formatting.py, the one formatting module every renderer uses)."""
    from pcd_screen.core.formatting import value as shown

    return shown(name, value, lang)


def format_evidence(evidence: Evidence, lang: str = "en") -> str:
    """An evidence value as people read it; what a concept frame found (a quoted sentence) by
    the frame's label in the report language, not its name."""
    from pcd_screen.core.formatting import evidence as shown

    return shown(evidence, lang)


MONEY_FACTS = ("total_budget", "activity_budget_sum", "share_denominator")
