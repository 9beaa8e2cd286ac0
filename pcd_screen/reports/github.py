"""Results -> GitHub Actions: workflow-command annotations and a step-summary in Markdown.

render_github gives one `::error|warning|notice file=..,line=..,title=..::message` line per
flagged or unclear concern, which GitHub shows on the proposal's line in the pull request.
step_summary gives the Markdown to append to $GITHUB_STEP_SUMMARY.
"""

from __future__ import annotations

import re

from pcd_screen.core.i18n import translations
from pcd_screen.core.terms import SEVERITIES, VERDICTS
from pcd_screen.engine.result import Finding, Result
from pcd_screen.reports.common import (
    Run,
    artifact_path,
    counts_as_flag,
    finding_line,
    ordered_results,
    run_waivers,
    unclear_text,
)

COMMAND = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}
# GitHub shows at most 10 annotations of each type (error, warning, notice) per step and 50 per
# job; the rest are dropped without a word. The most serious are kept, and one notice says how
# many were left out and where the full report is.
PER_TYPE = 10


def render_github(results: list[Result], run: Run) -> str:
    found = []  # (type, severity rank, command line), in the order of the files
    for result in ordered_results(results):
        concerns = [
            f for f in result.findings if f.kind == "concern" and f.status in ("flag", "unclear")
        ]
        for finding in sorted(concerns, key=lambda f: (SEVERITIES.index(f.severity), f.rule_id)):
            command, line = annotation(result, finding, run.root)
            found.append((command, SEVERITIES.index(finding.severity), line))
    overflow = any(sum(item[0] == kind for item in found) > PER_TYPE for kind in TYPES)
    room = {kind: PER_TYPE for kind in TYPES}
    if overflow:
        room["notice"] -= 1  # for the notice that says what was left out
    # The most serious of each type are kept; the lines keep the order of the files.
    by_priority = sorted(range(len(found)), key=lambda i: (found[i][1], i))
    kept: set[int] = set()
    for index in by_priority:
        kind = found[index][0]
        if room[kind]:
            room[kind] -= 1
            kept.add(index)
    lines = [found[i][2] for i in sorted(kept)]
    if len(kept) < len(found):
        lines.append(_overflow_notice(len(found) - len(kept), run))
    return "".join(line + "\n" for line in lines)


TYPES = ("error", "warning", "notice")


def _overflow_notice(left_out: int, run: Run) -> str:
    where = ["the text report in this job's log", "the job summary"]
    where += [artifact_path(str(f), run.root) for f in run.report_files]
    message = (
        f"{left_out} more annotation{'' if left_out == 1 else 's'} left out: GitHub shows at "
        f"most {PER_TYPE} of each type (error, warning, notice) per step. Every finding is in "
        + ", ".join(where)
        + "."
    )
    return f"::notice title={escape_property('pcd-screen')}::{escape_data(message)}"


def annotation(result: Result, finding: Finding, root: str | None = None) -> tuple[str, str]:
    """(type, workflow command) of one finding."""
    unclear = finding.status == "unclear" and not counts_as_flag(result, finding)
    command = "notice" if unclear else COMMAND.get(finding.severity, "notice")
    properties = {"file": artifact_path(result.proposal["file"], root)}
    line = finding_line(result, finding)
    if line:
        properties["line"] = str(line)
    properties["title"] = f"{finding.rule_id} {finding.title}"
    _ = translations(result.lang).gettext
    if finding.status == "unclear":
        message = unclear_text(finding, counts_as_flag(result, finding), result.lang)
    else:
        message = finding.message or finding.title
    waiver = finding.waiver or {}
    if waiver.get("expired"):
        message += " " + _("(A waiver for this finding expired on %(date)s.)") % {
            "date": waiver.get("expires")
        }
    if finding.recommendation:
        message += "\n" + _("What to do: %(recommendation)s") % {
            "recommendation": finding.recommendation
        }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return command, f"::{command} {joined}::{escape_data(message)}"


# An input error as the readers give it: "FILE:LINE:COL: field: message" (COL optional).
_INPUT_ERROR = re.compile(r"(?s)(?P<file>[^\n]+?):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<message>.+)")


def input_error_annotations(errors: list[str], root: str | None = None) -> str:
    """One ::error annotation per input error that names its line, on that line: a proposal
    that does not load fails the run, and the pull request shows where."""
    lines = []
    for error in errors:
        found = _INPUT_ERROR.fullmatch(error.strip())
        if found is None:
            continue  # no line to annotate: the message on stderr says it
        properties = {"file": artifact_path(found["file"], root), "line": found["line"]}
        if found["col"]:
            properties["col"] = found["col"]
        properties["title"] = "pcd-screen: the proposal cannot be read"
        joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
        lines.append(f"::error {joined}::{escape_data(found['message'])}\n")
    return "".join(lines)


def escape_data(text: str) -> str:
    """GitHub's escaping of a workflow command's message (toolkit's escapeData), after the
    other control characters are made visible: the message is printed in the job's log."""
    from pcd_screen.reports.common import printable

    text = printable(text, keep_lines=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value also may not hold the separators of the property list (escapeProperty)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def step_summary(results: list[Result], run: Run) -> str:
    ordered = ordered_results(results)
    fail_on = run.fail_on or "revise"
    failing = [r for r in ordered if _fails(r.verdict, fail_on)]
    waived = [(r, f) for r in ordered for f in r.findings if f.status == "waived"]
    expired = run_waivers(run, "expired")
    stale = run_waivers(run, "stale")
    plural = "" if len(ordered) == 1 else "s"
    out = [f"## pcd-screen: {len(ordered)} proposal{plural} screened", ""]
    if fail_on == "never":
        out.append("Threshold: `never` (the run does not fail on findings).")
    else:
        out.append(
            f"Threshold: `{fail_on}` or worse. "
            f"**{len(failing)} of {len(ordered)}** at or above it: the run "
            + ("**fails**." if failing else "passes.")
        )
    out += ["", f"Waivers: {len(waived)} applied, {len(expired)} expired, {len(stale)} stale."]
    out += [
        "",
        "| Proposal | File | Verdict | Flagged concerns | Unclear | Waived | Strengths |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in ordered:
        concerns = [f for f in result.findings if f.kind == "concern"]
        flagged = [f for f in concerns if f.status == "flag"]
        by_severity = ", ".join(
            f"{n} {s}" for s in SEVERITIES if (n := sum(f.severity == s for f in flagged))
        )
        strengths = sum(f.kind == "strength" and f.status == "flag" for f in result.findings)
        verdict = f"**{result.verdict}**" if _fails(result.verdict, fail_on) else result.verdict
        out.append(
            "| "
            + " | ".join(
                [
                    _md(result.proposal["id"]),
                    _md(artifact_path(result.proposal["file"], run.root)),
                    verdict,
                    by_severity or "none",
                    str(sum(f.status == "unclear" for f in concerns)),
                    str(sum(f.status == "waived" for f in result.findings)),
                    str(strengths),
                ]
            )
            + " |"
        )
    if waived:
        out += [
            "",
            f"### Waived findings ({len(waived)})",
            "",
            "| Proposal | Rule | Justification | Approved by | Expires |",
            "| --- | --- | --- | --- | --- |",
        ]
        for result, finding in waived:
            waiver = finding.waiver or {}
            cells = [
                result.proposal["id"],
                f"{finding.rule_id} {finding.title}",
                waiver.get("justification", ""),
                waiver.get("approved_by", ""),
                waiver.get("expires", ""),
            ]
            out.append("| " + " | ".join(_md(str(c)) for c in cells) + " |")
    if expired:
        out += ["", f"### Expired waivers ({len(expired)})", ""]
        out += [
            f"- {_waiver_line(w, run.root)}"
            + (f" expired on {_md(str(w['expires']))}" if w.get("expires") else " has expired")
            + ": it no longer applies and the finding counts again."
            for w in expired
        ]
    if stale:
        out += ["", f"### Stale waivers ({len(stale)})", ""]
        out += [
            f"- {_waiver_line(w, run.root)} matched no finding in this run: "
            "remove it or correct it."
            for w in stale
        ]
    return "\n".join(out) + "\n"


def _fails(verdict: str, fail_on: str) -> bool:
    return fail_on != "never" and VERDICTS.index(verdict) <= VERDICTS.index(fail_on)


def _waiver_line(waiver: dict, root: str | None = None) -> str:
    where = _md(artifact_path(str(waiver.get("file") or ""), root))
    if waiver.get("line"):
        where += f" line {int(waiver['line'])}"
    rule, proposal = _md(str(waiver.get("rule", ""))), _md(str(waiver.get("proposal", "")))
    return f"{rule} for {proposal} ({where})" if where else f"{rule} for {proposal}"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell: specials backslash-escaped, one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
