"""The terminal report, laid out in plain Python.

Markdown and HTML come from Jinja templates; the terminal report does not, because importing
and compiling Jinja would double the start-up time of a single screening (bench/README.md).
It shows the same view (render.report_view) in the same order as templates/report.md.j2.
"""

from __future__ import annotations

from pcd_screen.core.formatting import long_date
from pcd_screen.core.i18n import SEVERITY_LABELS, translations
from pcd_screen.engine.result import format_evidence
from pcd_screen.reports.common import is_printable, log_safe, printable

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


def p(value) -> str:
    """A value as the terminal should show it. Proposals, evidence, waivers and rules are
    written by others, and the terminal report is the one output not escaped on the way, so
    every value is made printable where it is printed (and only what is printed: a report
    view holds every finding)."""
    text = str(value)
    return text if is_printable(text) else printable(text)


def render_text(reports: list[dict], color: bool, lang: str = "en", run: dict | None = None) -> str:
    words = translations(lang)
    _ = words.gettext
    # Looked up once, outside the f-strings below, where the message extractor cannot see.
    t = {
        "title": _("PCD screening"),
        "as_of": _("as of %(date)s"),
        "verdict": _("Verdict"),
        "line": _("line"),
        "evidence": _("evidence"),
        "why": _("Why"),
        "todo": _("What to do"),
        "sources": _("Sources"),
        "unsure": _("says this, but not clearly enough to decide; please clarify"),
        "needed": _("Needed to check"),
        "ruleset": _("ruleset"),
        "refdata": _("reference data"),
    }

    def c(style: str, text: str) -> str:
        return f"{ANSI[style]}{text}{RESET}" if color else text

    def colon(label: str) -> str:
        # "Why:" in English, "Pourquoi :" in French: the typography is the translator's.
        return _("%(label)s:") % {"label": label}

    def sev(name: str) -> str:
        return _(SEVERITY_LABELS[name])

    out: list[str] = []
    for number, r in enumerate(reports):
        res = r["result"]
        proposal, tool = res.proposal, res.tool
        if number:
            out += ["", "=" * 78, ""]
        out.append(c("bold", f"{colon(t['title'])} {p(proposal['id'])} — {p(proposal['title'])}"))
        out.append(f"{p(proposal['file'])} · {t['as_of'] % {'date': p(r['as_of'])}}")
        verdict = f"{colon(t['verdict'].upper())} {p(r['verdict_label'])}"
        out += ["", c(r["verdict_style"], verdict), p(r["verdict_meaning"]), colon(_("Next steps"))]
        out += [f"  {i}. {p(step)}" for i, step in enumerate(r["next_steps"], 1)]

        out += ["", c("bold", _("Concerns").upper()) + f" — {p(r['tally'])}"]
        for principle, findings in r["groups"]:
            out += ["", f"── {p(principle)} ──"]
            for f in findings:
                label = c(f.severity, "[" + sev(f.severity).upper() + "]")
                out += [f"{label} {p(f.rule_id)}  {p(f.title)}", f"    {p(f.message)}"]
                for e in f.evidence:
                    line = f" ({t['line']} {e.line})" if e.line else ""
                    if e.location:
                        from pcd_screen.reports.common import where_label

                        line = f" ({p(where_label(e.location, lang))})"
                    shown = p(format_evidence(e, lang))
                    out.append(f"    {colon(t['evidence'])} {p(e.path)} = {shown}{line}")
                    if e.quote:  # the sentence the text layer read it in
                        out.append(f"      “{p(e.quote)}”")
                if f.waiver:
                    state = _("Waiver expired") if f.waiver["expired"] else _("Waived")
                    expires = long_date(f.waiver["expires"], lang)
                    until = _("until %(date)s") % {"date": p(expires)}
                    by = _("approved by %(name)s") % {"name": p(f.waiver["approved_by"])}
                    out.append(
                        f"    {colon(f'{state} ({until}, {by})')} {p(f.waiver['justification'])}"
                    )
                out.append(f"    {colon(t['why'])} {p(f.rationale)}")
                out.append(f"    {colon(t['todo'])} {p(f.recommendation)}")
                # One document once, its sections after it: "Title, point 2.2, recommandation 5".
                cited: dict[str, list[str]] = {}
                for s in f.sources:
                    title = p(s.get("title") or s["doc"])
                    # The NGO note is cited as support, after the official texts.
                    if s.get("authority") == "analysis":
                        title += " (" + _("NGO analysis") + ")"
                    cited.setdefault(title, []).append(p(s.get("anchor") or s["section"]))
                sources = "; ".join(f"{title}, {', '.join(at)}" for title, at in cited.items())
                out.append(f"    {colon(t['sources'])} {sources}")
        if not r["groups"]:
            out.append("  " + words.pgettext("concerns", "None."))

        questions = len(r["questions"])
        out += ["", c("bold", _("Questions for the applicant").upper()) + f" ({questions})"]
        number = 0
        for group in r["question_groups"]:
            out.append(f"  {p(group['label'])}")
            for q in group["questions"]:
                number += 1
                out.append(f"  {number}. {p(q['question'])}")
                if q.get("quote"):
                    out.append(f"     “{p(q['quote'])}” {t['unsure']}.")
                why = "; ".join(f"{p(f.rule_id)} {p(f.title)}" for f in q["why"])
                out.append(f"     {colon(_('Why we ask'))} {why}")
        if not questions:
            out.append("  " + words.pgettext("questions", "None."))

        strengths = r["strengths"]
        out += ["", c("bold", _("Strengths").upper()) + f" ({len(strengths)})"]
        out += [f"  + {p(f.rule_id)}  {colon(p(f.title))} {p(f.message)}" for f in strengths]
        if not strengths:
            out.append("  " + words.pgettext("strengths", "None."))

        out += ["", c("bold", _("Facts").upper())]
        out += [f"  {colon(p(fact['label']))} {p(fact['value'])}" for fact in r["facts"]]

        out += ["", c("dim", p(r["checked"]))]
        as_of = _("as of %(date)s") % {"date": p(r["as_of"])}
        ruleset = f"{t['ruleset']} {p(res.ruleset['hash'])}"
        out.append(c("dim", f"{p(tool['name'])} {p(tool['version'])} · {ruleset} · {as_of}"))
        data = ", ".join(f"{p(name)} {p(version)}" for name, version in r["refdata"])
        out.append(c("dim", f"{colon(t['refdata'])} {data}"))
    notes = {
        "stale": _("stale waiver (it matches no finding): %(rule)s for %(proposal)s"),
        "expired": _(
            "expired waiver (the finding stands): %(rule)s for %(proposal)s, expired %(expires)s"
        ),
    }
    for kind, note in notes.items():
        for waiver in (run or {}).get(kind, []):
            shown = {key: p(value) for key, value in waiver.items()}
            where = f"{shown['file']}:{shown['line']}" if waiver.get("line") else shown["file"]
            out += ["", c("dim", f"{where}: " + note % shown)]
    # Printed to CI job logs: no line may read as a workflow command (a file named "::error").
    return log_safe("\n".join(out) + "\n")
