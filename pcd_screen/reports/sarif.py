"""Results -> SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Also home to the two helpers every CI renderer shares: where a proposal file is (as a
repository-relative path) and which line of it a finding points at.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, is_dataclass
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from pcd_screen import __version__
from pcd_screen.engine.result import Finding, Result, format_value

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pcd-screen.org/"
DEFAULT_HELP_URI = "https://pcd-screen.org/catalogue/#{rule_id}"
FINGERPRINT = "pcdScreen/v1"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
REPORTED = ("flag", "waived", "unclear")


def render_sarif(results: list[Result], run: dict) -> str:
    ordered = ordered_results(results)
    descriptors = _descriptors(ordered, run.get("help_uri"))
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    sarif_results = [
        _result(result, finding, index[finding.rule_id])
        for result in ordered
        for finding in sorted(result.findings, key=lambda f: f.rule_id)
        if finding.kind == "concern" and finding.status in REPORTED
    ]
    sarif_run = {
        "tool": {
            "driver": {
                "name": "pcd-screen",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }
        },
        # No start/end times: the same inputs must give the same bytes.
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": _waiver_notifications(run),
            }
        ],
        "results": sarif_results,
        "properties": {
            "fail_on": run.get("fail_on"),
            "as_of": sorted({r.as_of for r in ordered}),
            "rulesets": sorted({r.ruleset.get("hash", "") for r in ordered}),
        },
    }
    if not sarif_run["invocations"][0]["toolExecutionNotifications"]:
        del sarif_run["invocations"][0]["toolExecutionNotifications"]
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [sarif_run]}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


# ---- shared by the CI renderers ------------------------------------------------------------


def ordered_results(results: list[Result]) -> list[Result]:
    """Results in a fixed order whatever order the files were screened in."""
    return sorted(results, key=lambda r: (artifact_path(r.proposal["file"]), r.proposal["id"]))


def artifact_path(file: str) -> str:
    """The proposal file as given, with forward slashes and without a leading ./ (CI systems
    resolve these against the repository root)."""
    path = str(file).replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def artifact_uri(file: str) -> str:
    """A URI for SARIF: relative paths stay relative (percent-encoded), absolute ones file://."""
    raw = str(file)
    for flavour in (PurePosixPath, PureWindowsPath):
        if flavour(raw).is_absolute():
            return flavour(raw).as_uri()
    return quote(artifact_path(raw), safe="/-._~!$&'()*+,;=@")


def finding_line(result: Result, finding: Finding) -> int | None:
    """The line a finding points at: its first evidence line; for a finding without one, the
    block of the first missing field's parent when another finding's evidence located it;
    else None. Never line 1 as a stand-in: a wrong line is worse than none."""
    for evidence in finding.evidence:
        if evidence.line:
            return evidence.line
    located = [(e.path, e.line) for f in result.findings for e in f.evidence if e.line]
    for field in finding.missing:
        parent = _parent(field)
        if not parent:
            continue
        exact = [line for path, line in located if path == parent]
        inside = [line for path, line in located if path.startswith((parent + ".", parent + "["))]
        if exact or inside:
            return min(exact or inside)
    return None


def counts_as_flag(result: Result, finding: Finding) -> bool:
    """An unclear concern that the verdict counted as flagged (result.policy, the strict
    profile's unclear_as_flag): CI outputs then report it at its severity, not as a note."""
    policy = getattr(result, "policy", None) or {}
    return (
        finding.status == "unclear"
        and finding.kind == "concern"
        and finding.severity in (policy.get("unclear_as_flag") or ())
    )


def unclear_text(finding: Finding, counted: bool = False) -> str:
    missing = ", ".join(finding.missing) or "information the rule needs"
    text = f"{finding.title} — unclear: the proposal does not give {missing}."
    if counted:
        text += f" The verdict policy counts an unclear {finding.severity} concern as flagged."
    return text


def _parent(field: str) -> str:
    """The enclosing field: safeguards.conflict_analysis -> safeguards, activities[0].x ->
    activities[0]; a top-level field has none (its parent, the root, would be line 1)."""
    cut = max(field.rfind("."), field.rfind("["))
    return field[:cut] if cut > 0 else ""


# ---- SARIF pieces --------------------------------------------------------------------------


def level_for(result: Result, finding: Finding) -> str:
    if counts_as_flag(result, finding):
        return LEVEL[finding.severity]
    # Only unclear findings carry missing fields, also once a waiver accepted them.
    if finding.status == "unclear" or (finding.status == "waived" and finding.missing):
        return "note"
    return LEVEL[finding.severity]


def rule_name(title: str, rule_id: str) -> str:
    """A title in PascalCase ("Support to interception at sea" -> "SupportToInterceptionAtSea"),
    accents folded to ASCII; the rule id when nothing usable is left."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Za-z0-9]+", ascii_title)
    name = "".join(word[0].upper() + word[1:] for word in words)
    return name if name and name[0].isalpha() else rule_id


def help_uri(template: str | None, rule_id: str) -> str:
    if template:
        return template.replace("{rule_id}", rule_id)
    # Catalogue anchors are lower-case (the HTML ids of the catalogue page).
    return DEFAULT_HELP_URI.replace("{rule_id}", rule_id.lower())


def fingerprint(proposal_id: str, rule_id: str) -> str:
    # Stable across line moves and file renames: the same proposal and rule is the same alert.
    return hashlib.sha256(f"{proposal_id}/{rule_id}".encode()).hexdigest()


def _descriptors(results: list[Result], template: str | None) -> list[dict]:
    first: dict[str, Finding] = {}
    for result in results:
        for finding in result.findings:
            first.setdefault(finding.rule_id, finding)
    return [_descriptor(first[rule_id], template) for rule_id in sorted(first)]


def _descriptor(finding: Finding, template: str | None) -> dict:
    sources = [_source_text(s) for s in finding.sources]
    references = [f"{r.get('framework', '')}: {r.get('ref', '')}" for r in finding.references]
    text = [finding.rationale, f"Recommendation: {finding.recommendation}"]
    markdown = [f"**Why.** {finding.rationale}", f"**What to do.** {finding.recommendation}"]
    if sources:
        text.append("Sources: " + "; ".join(sources))
        markdown.append("**Sources**\n\n" + "\n".join(f"- {s}" for s in sources))
    if references:
        text.append("References: " + "; ".join(references))
        markdown.append("**References**\n\n" + "\n".join(f"- {r}" for r in references))
    return {
        "id": finding.rule_id,
        "name": rule_name(finding.title, finding.rule_id),
        "shortDescription": {"text": finding.title or finding.rule_id},
        "fullDescription": {"text": finding.rationale or finding.title or finding.rule_id},
        "help": {"text": "\n\n".join(text), "markdown": "\n\n".join(markdown)},
        "helpUri": help_uri(template, finding.rule_id),
        # Strengths are catalogued too but never reported as results.
        "defaultConfiguration": {
            "level": LEVEL[finding.severity] if finding.kind == "concern" else "none"
        },
        "properties": {
            "principle": finding.principle,
            "severity": finding.severity,
            "kind": finding.kind,
            "sources": [dict(s) for s in finding.sources],
            "tags": [finding.principle],
        },
    }


def _source_text(source: dict) -> str:
    head = f"{source.get('title') or source.get('doc', '')} {source.get('section', '')}".strip()
    return f"{head}: {source['summary']}" if source.get("summary") else head


def _result(result: Result, finding: Finding, rule_index: int) -> dict:
    waiver = finding.waiver or {}
    if finding.status == "unclear" or (finding.status == "waived" and finding.missing):
        text = unclear_text(finding, counts_as_flag(result, finding))
    else:
        text = finding.message or finding.title or finding.rule_id
    quoted = next((e for e in finding.evidence if e.quote), None)
    if quoted is not None:  # a text-based finding says which sentence it read
        text += f" Text ({quoted.path}): “{quoted.quote}”"
    if waiver.get("expired"):
        text += f" A waiver for this finding expired on {waiver.get('expires')}."
    region = {}
    line = finding_line(result, finding)
    if line:
        region = {"region": {"startLine": line}}
    entry = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": level_for(result, finding),
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(result.proposal["file"])},
                    **region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: fingerprint(result.proposal["id"], finding.rule_id)},
        "properties": {
            "proposal_id": result.proposal["id"],
            "verdict": result.verdict,
            "status": finding.status,
            "counted_as_flag": counts_as_flag(result, finding),
            "severity": finding.severity,
            "principle": finding.principle,
            "evidence": [
                {
                    "path": e.path,
                    "value": format_value(e.path.rsplit(".", 1)[-1], e.value),
                    "line": e.line,
                    **({"quote": e.quote} if e.quote else {}),
                }
                for e in finding.evidence
            ],
            "missing": list(finding.missing),
        },
    }
    if waiver:
        entry["properties"]["waiver"] = dict(waiver)
    if finding.status == "waived":
        entry["suppressions"] = [_suppression(waiver)]
    return entry


def _suppression(waiver: dict) -> dict:
    suppression = {
        "kind": "external",
        "status": "accepted",
        "justification": str(waiver.get("justification") or ""),
        "properties": {
            key: waiver.get(key)
            for key in ("approved_by", "granted", "expires", "path")
            if waiver.get(key) is not None
        },
    }
    if waiver.get("file"):
        suppression["location"] = _waiver_location(waiver)
    return suppression


def _waiver_location(waiver: dict) -> dict:
    """The waiver's entry in the waivers file, where a reviewer goes to renew or remove it."""
    physical: dict = {"artifactLocation": {"uri": artifact_uri(waiver["file"])}}
    if waiver.get("line"):
        physical["region"] = {"startLine": int(waiver["line"])}
    return {"physicalLocation": physical}


def _waiver_notifications(run: dict) -> list[dict]:
    """Expired and stale waivers are facts about the run, not findings: SARIF's place for
    those is the invocation's notifications, pointing at the waivers file."""
    notes = []
    for kind in ("expired", "stale"):
        for waiver in run_waivers(run, kind):
            if kind == "expired":
                text = (
                    f"The waiver of {waiver.get('rule')} for {waiver.get('proposal')} expired"
                    + (f" on {waiver['expires']}" if waiver.get("expires") else "")
                    + "; the finding counts again."
                )
            else:
                text = (
                    f"The waiver of {waiver.get('rule')} for {waiver.get('proposal')} matched "
                    "no finding in this run (stale): remove it or correct its rule or proposal."
                )
            note: dict = {
                "level": "warning",
                "message": {"text": text},
                "descriptor": {"id": f"pcd-screen/{kind}-waiver"},
                "properties": {"rule": waiver.get("rule"), "proposal": waiver.get("proposal")},
            }
            if waiver.get("file"):
                note["locations"] = [_waiver_location(waiver)]
            notes.append(note)
    return notes


def run_waivers(run: dict, kind: str) -> list[dict]:
    """run["expired_waivers"] or run["stale_waivers"] as dicts (Waiver objects accepted too),
    in a fixed order: waivers file, line, rule, proposal."""
    waivers = run.get(f"{kind}_waivers") or []
    entries = [asdict(w) if is_dataclass(w) else dict(w) for w in waivers]
    return sorted(entries, key=_waiver_key)


def _waiver_key(waiver: dict) -> tuple:
    return (
        str(waiver.get("file") or ""),
        int(waiver.get("line") or 0),
        str(waiver.get("rule") or ""),
        str(waiver.get("proposal") or ""),
    )
