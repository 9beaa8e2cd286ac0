"""Results -> SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
import re
import unicodedata

from pcd_screen import __version__
from pcd_screen.core.digest import sha256
from pcd_screen.core.i18n import translations
from pcd_screen.engine.result import Finding, Result, format_value
from pcd_screen.reports.common import (
    Run,
    artifact_uri,
    counts_as_flag,
    finding_line,
    ordered_results,
    run_waivers,
    unclear_text,
)

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pcd-screen.org/"
DEFAULT_HELP_URI = "https://pcd-screen.org/catalogue/#{rule_id}"
FINGERPRINT = "pcdScreen/v1"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
# SARIF has three levels for five severities; GitHub code scanning reads these properties to
# tell critical from high (security-severity: over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
# under 4.0 low) and ranks alerts by precision.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
PRECISION = {
    "critical": "very-high",
    "high": "high",
    "medium": "medium",
    "low": "low",
    "info": "low",
}
REPORTED = ("flag", "waived", "unclear")


def render_sarif(results: list[Result], run: Run) -> str:
    ordered = ordered_results(results)
    descriptors = _descriptors(ordered, run.help_uri)
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    # GitHub code scanning does not honour SARIF suppressions: a waived finding uploaded with
    # one shows as an open alert. By default waived findings are left out (sarif_waived: omit);
    # the run's notifications still list expired and stale waivers.
    reported = REPORTED if run.sarif_waived == "suppress" else ("flag", "unclear")
    sarif_results = [
        _result(result, finding, index[finding.rule_id], run.root)
        for result in ordered
        for finding in sorted(result.findings, key=lambda f: f.rule_id)
        if finding.kind == "concern" and finding.status in reported
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
            "fail_on": run.fail_on,
            "as_of": sorted({r.as_of for r in ordered}),
            "rulesets": sorted({r.ruleset.get("hash", "") for r in ordered}),
        },
    }
    if not sarif_run["invocations"][0]["toolExecutionNotifications"]:
        del sarif_run["invocations"][0]["toolExecutionNotifications"]
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [sarif_run]}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"


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
    return sha256(f"{proposal_id}/{rule_id}".encode()).hexdigest()


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
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "precision": PRECISION[finding.severity],
        },
    }


def _source_text(source: dict) -> str:
    head = f"{source.get('title') or source.get('doc', '')} {source.get('section', '')}".strip()
    return f"{head}: {source['summary']}" if source.get("summary") else head


def _result(result: Result, finding: Finding, rule_index: int, root: str | None = None) -> dict:
    waiver = finding.waiver or {}
    _ = translations(result.lang).gettext
    if finding.status == "unclear" or (finding.status == "waived" and finding.missing):
        text = unclear_text(finding, counts_as_flag(result, finding), result.lang)
    else:
        text = finding.message or finding.title or finding.rule_id
    quoted = next((e for e in finding.evidence if e.quote), None)
    if quoted is not None:  # a text-based finding says which sentence it read
        text += " " + _("Text (%(field)s): “%(quote)s”") % {
            "field": quoted.path,
            "quote": quoted.quote,
        }
    if waiver.get("expired"):
        text += " " + _("(A waiver for this finding expired on %(date)s.)") % {
            "date": waiver.get("expires")
        }
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
                    "artifactLocation": {"uri": artifact_uri(result.proposal["file"], root)},
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
            "security-severity": SECURITY_SEVERITY[finding.severity],
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
        entry["suppressions"] = [_suppression(waiver, root)]
    return entry


def _suppression(waiver: dict, root: str | None = None) -> dict:
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
        suppression["location"] = _waiver_location(waiver, root)
    return suppression


def _waiver_location(waiver: dict, root: str | None = None) -> dict:
    """The waiver's entry in the waivers file, where a reviewer goes to renew or remove it."""
    physical: dict = {"artifactLocation": {"uri": artifact_uri(waiver["file"], root)}}
    if waiver.get("line"):
        physical["region"] = {"startLine": int(waiver["line"])}
    return {"physicalLocation": physical}


def _waiver_notifications(run: Run) -> list[dict]:
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
                note["locations"] = [_waiver_location(waiver, run.root)]
            notes.append(note)
    return notes
