"""The terminal report, laid out in plain Python.

Markdown and HTML come from Jinja templates; the terminal report does not, because importing
and compiling Jinja would double the start-up time of a single screening (bench/README.md).
It shows the same view (render.report_view) in the same order as templates/report.md.j2.
"""

from __future__ import annotations

from pcd_screen.result import format_value

RESET = "\033[0m"
ANSI = {
    "critical": "\033[1;31m",
    "high": "\033[31m",
    "medium": "\033[33m",
    "low": "\033[36m",
    "info": "\033[2m",
    "bold": "\033[1m",
    "ok": "\033[32m",
    "dim": "\033[2m",
}


def render_text(reports: list[dict], color: bool) -> str:
    def c(style: str, text: str) -> str:
        return f"{ANSI[style]}{text}{RESET}" if color else text

    out: list[str] = []
    for number, r in enumerate(reports):
        res = r["result"]
        if number:
            out += ["", "=" * 78, ""]
        out.append(c("bold", f"PCD screening: {res.proposal['id']} — {res.proposal['title']}"))
        out.append(f"{res.proposal['file']} · as of {res.as_of}")
        out += ["", c(r["verdict_style"], f"VERDICT: {r['verdict_label']}"), r["verdict_meaning"]]
        out.append("Next steps:")
        out += [f"  {i}. {step}" for i, step in enumerate(r["next_steps"], 1)]

        counts = r["counts"]["concerns"]
        out += [
            "",
            c("bold", "CONCERNS") + f" ({counts['critical']} critical, {counts['high']} high, "
            f"{counts['medium']} medium, {counts['low'] + counts['info']} low/info)",
        ]
        for principle, findings in r["groups"]:
            out += ["", f"── {principle} ──"]
            for f in findings:
                out.append(
                    f"{c(f.severity, '[' + f.severity.upper() + ']')} {f.rule_id}  {f.title}"
                )
                out.append(f"    {f.message}")
                for e in f.evidence:
                    line = f" (line {e.line})" if e.line else ""
                    out.append(f"    evidence: {e.path} = {format_value(e.path, e.value)}{line}")
                out.append(f"    why: {f.rationale}")
                out.append(f"    do: {f.recommendation}")
                out.append(
                    "    sources: " + "; ".join(f"{s['doc']} {s['section']}" for s in f.sources)
                )
        if not r["groups"]:
            out.append("  none")

        out += ["", c("bold", "QUESTIONS FOR THE APPLICANT") + f" ({len(r['questions'])})"]
        for i, q in enumerate(r["questions"], 1):
            definition = f" ({q['definition']})" if q["definition"] else ""
            out.append(f"  {i}. {q['field']} is missing{definition}. Needed to check:")
            out += [f"     - {f.rule_id} ({f.severity}) {f.title}" for f in q["rules"]]
        if not r["questions"]:
            out.append("  none")

        out += ["", c("bold", "STRENGTHS") + f" ({len(r['strengths'])})"]
        out += [f"  + {f.rule_id}  {f.title}: {f.message}" for f in r["strengths"]] or ["  none"]

        out += ["", c("bold", "FACTS")]
        out += [f"  {fact['name']:34} {fact['value']}" for fact in r["facts"]]

        status = r["counts"]["by_status"]
        out += [
            "",
            c(
                "dim",
                f"Checked {res.ruleset['rules']} rules: {status['flag']} flagged, "
                f"{status['unclear']} unclear, {status['pass']} passed, "
                f"{status['not-applicable']} not applicable.",
            ),
        ]
        out.append(
            c(
                "dim",
                f"{res.tool['name']} {res.tool['version']} · ruleset "
                f"{res.ruleset['hash']} · as of {res.as_of}",
            )
        )
        data = ", ".join(f"{name} {version}" for name, version in r["refdata"])
        out.append(c("dim", f"reference data: {data}"))
    return "\n".join(out) + "\n"
