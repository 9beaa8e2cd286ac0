"""Waivers: accepted risks kept as reviewed data in the proposal repository.

A waiver names a rule, a proposal id (and optionally a field path), why the risk is accepted,
who approved it, when, and until when. It is never read from a proposal, so the screened
party cannot waive its own finding. A waived finding stays in every report with status
"waived"; an expired waiver stops applying and says so; a waiver that matches nothing is stale.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

from pcd_screen.core import yamlread as yamlload
from pcd_screen.core.located import InputError, LoadError, format_path
from pcd_screen.core.schemas import display_path, validate
from pcd_screen.engine.result import Finding, Result, sort_key, summarise, verdict_for

WAIVABLE = ("flag", "unclear")


@dataclass(frozen=True)
class Waiver:
    rule: str
    proposal: str
    path: str | None
    justification: str
    approved_by: str
    granted: date
    expires: date
    file: str
    line: int | None

    def in_force(self, today: date) -> bool:
        """The expiry day itself is still covered."""
        return today <= self.expires

    def covers(self, finding: Finding) -> bool:
        """Same rule; and, for a waiver with a path, a piece of evidence (or a missing field)
        at that path or below it."""
        if finding.rule_id != self.rule:
            return False
        if self.path is None:
            return True
        pattern = _path_regex(self.path)
        paths = [e.path for e in finding.evidence] + list(finding.missing)
        return any(pattern.fullmatch(p) for p in paths)

    def record(self, expired: bool) -> dict:
        """What a finding carries (Finding.waiver)."""
        return {
            "justification": self.justification,
            "approved_by": self.approved_by,
            "granted": self.granted.isoformat(),
            "expires": self.expires.isoformat(),
            "path": self.path,
            "file": self.file,
            "line": self.line,
            "expired": expired,
        }

    def to_dict(self) -> dict:
        """The waiver as plain data (renderers' run["stale_waivers"] and the like)."""
        return {
            "rule": self.rule,
            "proposal": self.proposal,
            "path": self.path,
            "justification": self.justification,
            "approved_by": self.approved_by,
            "granted": self.granted.isoformat(),
            "expires": self.expires.isoformat(),
            "file": self.file,
            "line": self.line,
        }


@dataclass
class WaiverReport:
    results: list[Result]
    applied: list[Waiver]  # in force and waived at least one finding
    expired: list[Waiver]  # matched a finding but had expired: the finding stays flagged
    stale: list[Waiver]  # matched no flagged or unclear finding in this run


MAX_WAIVER_DAYS = 365


def load_waivers(
    path, display_name: str | None = None, max_days: int = MAX_WAIVER_DAYS
) -> list[Waiver]:
    """Read and check a waivers file; raise LoadError listing every problem as
    FILE:LINE:COL: field: message (missing justification, approver or expiry; an expiry before
    the grant or more than max_days after it; an unknown key; the same rule, proposal and path
    waived twice)."""
    doc = yamlload.load_file(path, display_name or display_path(Path(path)))
    if doc.data is None:
        return []  # an empty file waives nothing
    errors = validate(doc, "waivers")
    if errors:
        raise LoadError(errors)
    waivers, seen = [], {}
    for index, raw in enumerate(doc.data["waivers"]):
        where = ("waivers", index)
        waiver = Waiver(
            rule=raw["rule"],
            proposal=raw["proposal"],
            path=raw.get("path"),
            justification=raw["justification"].strip(),
            approved_by=raw["approved_by"].strip(),
            granted=date.fromisoformat(raw["granted"]),
            expires=date.fromisoformat(raw["expires"]),
            file=doc.file,
            line=doc.line_of(where),
        )
        if waiver.expires < waiver.granted:
            line, column = doc.position_of((*where, "expires"))
            message = (
                f"expires {waiver.expires.isoformat()} is before granted "
                f"{waiver.granted.isoformat()}"
            )
            errors.append(
                InputError(doc.file, line, column, format_path((*where, "expires")), message)
            )
        elif (waiver.expires - waiver.granted).days > max_days:
            line, column = doc.position_of((*where, "expires"))
            message = (
                f"expires {waiver.expires.isoformat()} is "
                f"{(waiver.expires - waiver.granted).days} days after granted "
                f"{waiver.granted.isoformat()}; a waiver may run at most {max_days} days "
                "(max_waiver_days in the config): no open-ended waivers"
            )
            errors.append(
                InputError(doc.file, line, column, format_path((*where, "expires")), message)
            )
        key = (waiver.rule, waiver.proposal, waiver.path)
        if key in seen:
            line, column = doc.position_of(where)
            message = (
                f"{waiver.rule} on {waiver.proposal} is already waived at line {seen[key]}; "
                "edit that waiver instead (renew it by changing its dates)"
            )
            errors.append(InputError(doc.file, line, column, format_path(where), message))
        else:
            seen[key] = waiver.line
        waivers.append(waiver)
    if errors:
        raise LoadError(errors)
    return waivers


def unknown_rule_notes(waivers: list[Waiver], rule_ids) -> list[str]:
    """One note per waiver naming a rule id that is not in the catalogue (a typo, or a rule
    renamed or retired in an upgrade). Such a waiver matches nothing and is reported as stale,
    never as an error: an upgrade that renames a rule must not turn every repository holding a
    waiver for it red. Pass the ids of every loaded rule, disabled or not."""
    import difflib

    known = sorted(rule_ids)
    notes = []
    for waiver in waivers:
        if waiver.rule not in known:
            close = difflib.get_close_matches(waiver.rule, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            where = f"{waiver.file}:{waiver.line}" if waiver.line else waiver.file
            notes.append(
                f"{where}: the waiver names rule {waiver.rule!r}, which is not in the catalogue"
                f"{hint}; it is stale: remove or correct it"
            )
    return notes


def apply_waivers(
    results: list[Result], waivers: list[Waiver], today: date, unclear_as_flag=None
) -> WaiverReport:
    """New results (the inputs are not changed) in which every flagged or unclear concern that a
    waiver in force covers has status "waived" and the waiver record; a covered finding whose
    waivers have all expired keeps its status and carries the latest of them with expired: True.
    Verdicts and summaries are recomputed; unclear_as_flag (as in result.verdict_for) defaults
    to the policy each result was screened with (Result.policy)."""
    by_key: dict[tuple[str, str], list[Waiver]] = {}
    for waiver in waivers:
        by_key.setdefault((waiver.proposal, waiver.rule), []).append(waiver)
    matched: set[Waiver] = set()
    applied: set[Waiver] = set()
    out = []
    for result in results:
        findings = []
        for finding in result.findings:
            finding = copy.deepcopy(finding)
            candidates = by_key.get((str(result.proposal.get("id")), finding.rule_id), [])
            covering = [w for w in candidates if _waivable(finding) and w.covers(finding)]
            matched.update(covering)
            active = [w for w in covering if w.in_force(today)]
            if active:
                applied.update(active)
                chosen = _latest(active)
                finding = replace(finding, status="waived", waiver=chosen.record(expired=False))
            elif covering:
                finding = replace(finding, waiver=_latest(covering).record(expired=True))
            findings.append(finding)
        findings.sort(key=sort_key)
        fresh = copy.deepcopy(replace(result, findings=[]))
        fresh.findings = findings
        policy = (
            unclear_as_flag
            if unclear_as_flag is not None
            else (result.policy or {}).get("unclear_as_flag", ())
        )
        fresh.verdict = verdict_for(findings, tuple(policy))
        fresh.policy = {**fresh.policy, "unclear_as_flag": list(policy)}
        fresh.summary = summarise(findings)
        out.append(fresh)
    ordered = sorted(set(waivers), key=lambda w: (w.file, w.line or 0, w.rule, w.proposal))
    return WaiverReport(
        results=out,
        applied=[w for w in ordered if w in applied],
        expired=[w for w in ordered if w in matched and not w.in_force(today)],
        stale=[w for w in ordered if w not in matched],
    )


def _waivable(finding: Finding) -> bool:
    # Strengths are never waived: there is nothing to accept.
    return finding.kind == "concern" and finding.status in WAIVABLE


def _latest(waivers: list[Waiver]) -> Waiver:
    """The waiver a finding shows: the one that runs longest, then the first in the file."""
    return sorted(waivers, key=lambda w: (-w.expires.toordinal(), w.file, w.line or 0))[0]


@lru_cache(maxsize=256)
def _path_regex(path: str) -> re.Pattern:
    """ "activities[*].category" matches activities[3].category and anything below it."""
    body = re.escape(path).replace(re.escape("[*]"), r"\[\d+\]")
    return re.compile(body + r"(?:[.\[].*)?")
