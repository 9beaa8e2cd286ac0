"""Results -> JUnit XML: a test suite per proposal, a test case per applicable rule.

CI systems that know nothing of SARIF still show JUnit: a flagged concern is a failure, an
unclear or waived one is skipped (with why), a pass or a strength is a passing test case. An
unclear concern that the verdict counted as flagged (result.policy, the strict profile) fails.
No timestamps or durations, so the same results give the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pcd_screen.engine.result import Finding, Result, format_value
from pcd_screen.reports.common import (
    Run,
    artifact_path,
    counts_as_flag,
    finding_line,
    ordered_results,
    unclear_text,
)

# Characters XML 1.0 cannot carry even escaped; ElementTree would write them as they are.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_junit(results: list[Result], run: Run) -> str:
    root = ET.Element("testsuites", {"name": "pcd-screen"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in ordered_results(results):
        suite = _suite(result, run)
        for key in totals:
            totals[key] += int(suite.get(key))
        root.append(suite)
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(result: Result, run: Run) -> ET.Element:
    file = artifact_path(result.proposal["file"], run.root)
    suite = ET.Element("testsuite", {"name": _clean(result.proposal["id"]), "file": _clean(file)})
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("title", result.proposal.get("title", "")),
        ("verdict", result.verdict),
        ("fail_on", run.fail_on or ""),
        ("as_of", result.as_of),
        ("ruleset", result.ruleset.get("hash", "")),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": _clean(str(value))})
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    applicable = (f for f in result.findings if f.status != "not-applicable")
    for finding in sorted(applicable, key=lambda f: f.rule_id):
        case = _case(result, finding, file)
        counts["tests"] += 1
        counts["failures"] += case.find("failure") is not None
        counts["skipped"] += case.find("skipped") is not None
        suite.append(case)
    for key, value in counts.items():
        suite.set(key, str(value))
    return suite


def _case(result: Result, finding: Finding, file: str) -> ET.Element:
    attrs = {
        "classname": finding.principle,
        "name": _clean(f"{finding.rule_id} {finding.title}"),
        "file": _clean(file),
    }
    line = finding_line(result, finding)
    if line:
        attrs["line"] = str(line)
    case = ET.Element("testcase", attrs)
    if finding.kind != "concern":
        return case  # a strength never fails, present or not
    waiver = finding.waiver or {}
    missing = ", ".join(finding.missing) or "information the rule needs"
    if finding.status == "flag":
        message = finding.message or finding.title
        if waiver.get("expired"):
            message += f" (waiver expired on {waiver.get('expires')})"
        failure = ET.SubElement(
            case, "failure", {"message": _clean(message), "type": finding.severity}
        )
        failure.text = _clean(_details(finding))
    elif counts_as_flag(result, finding):
        message = f"unclear, counted as flagged: missing {missing}"
        failure = ET.SubElement(
            case, "failure", {"message": _clean(message), "type": finding.severity}
        )
        text = (
            unclear_text(finding, True, result.lang) + f"\n\nWhat to do: {finding.recommendation}"
        )
        failure.text = _clean(text)
    elif finding.status == "unclear":
        skipped = ET.SubElement(case, "skipped", {"message": _clean(f"missing: {missing}")})
        skipped.text = _clean(unclear_text(finding, lang=result.lang))
    elif finding.status == "waived":
        justification = str(waiver.get("justification") or "")
        skipped = ET.SubElement(case, "skipped", {"message": _clean(f"waived: {justification}")})
        skipped.text = _clean(
            f"Approved by {waiver.get('approved_by', '?')}, granted {waiver.get('granted', '?')}"
            f", expires {waiver.get('expires', '?')}."
        )
    return case


def _details(finding: Finding) -> str:
    lines = [f"{finding.severity} {finding.kind}: {finding.title}"]
    if finding.evidence:
        lines += ["", "Evidence:"]
    for e in finding.evidence:
        where = f" (line {e.line})" if e.line else ""
        lines.append(f"  {e.path} = {format_value(e.path.rsplit('.', 1)[-1], e.value)}{where}")
    lines += ["", f"What to do: {finding.recommendation}"]
    return "\n".join(lines)


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)
