"""Results -> text, Markdown, HTML or JSON. Renderers arrange results; they never evaluate rules."""

from __future__ import annotations

import contextvars
import dataclasses
import json
from dataclasses import asdict

from pcd_screen.core.formatting import label, long_date
from pcd_screen.core.i18n import N_, pick, translations
from pcd_screen.core.terms import PRINCIPLES, SEVERITIES
from pcd_screen.engine.facts import FACT_DOCS
from pcd_screen.engine.result import Result, format_value
from pcd_screen.reports.jinja import environment
from pcd_screen.reports.texts import (
    _data,
    _definition,
    checked,
    letter_questions,
    principle_label,
    reader_sources,
    tally,
    verdict_label,
)

TEMPLATE_FOR = {
    "md": "report.md.j2",
    "html": "report.html.j2",
    # The letter to the applicant: questions and concerns in neutral wording, with the sources;
    # no verdict, no rule ids, no internal next steps or approval chain.
    "letter": "letter.md.j2",
    "letter-html": "letter.html.j2",
}
N_("(none)")  # the portfolio's row for proposals without a country, implementer or instrument
VERDICT_STYLE = {"block": "critical", "revise": "high", "clarify": "medium", "clear": "ok"}


def render(
    results: list[Result],
    fmt: str,
    lang: str = "en",
    color: bool = False,
    run: dict | None = None,
    template=None,
) -> str:
    """run: what concerns the whole run (expired and stale waivers), shown after the reports.
    template: a user's template (usertemplate.UserTemplate) in place of the built-in one."""
    if fmt == "json":
        payload = results[0].to_dict() if len(results) == 1 else [r.to_dict() for r in results]
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    reports = [report_view(result, lang) for result in results]
    if fmt == "text":
        from pcd_screen.reports.text import render_text

        return render_text(reports, color, lang, run_view(run))
    context = {"reports": reports, "lang": lang, "run": run_view(run)}
    if template is not None:
        from pcd_screen.reports.usertemplate import render_template

        text = render_template(template, context)
    else:
        html = fmt in ("html", "letter-html")
        text = environment(html, lang).get_template(TEMPLATE_FOR[fmt]).render(**context)
    return text.rstrip("\n") + "\n"


def run_view(run) -> dict:
    """Waivers that did not apply: expired ones (the finding stands) and stale ones (no match)."""
    if run is None:
        return {"expired": [], "stale": [], "decisions": []}
    return {
        "expired": list(run.expired_waivers),
        "stale": list(run.stale_waivers),
        "decisions": list(getattr(run, "decisions", ()) or ()),
    }


def report_view(result: Result, lang: str) -> dict:
    """Everything a template shows, arranged: concerns by principle worst first, questions, ..."""
    verdict = _data("verdicts")[result.verdict]
    # Sources as a reader meets them, on the findings whose sources a report shows (those
    # that passed or do not apply are listed by title: most of a result, left as they are).
    result = dataclasses.replace(
        result,
        findings=[
            f
            if f.status in ("pass", "not-applicable")
            else dataclasses.replace(f, sources=reader_sources(f.sources))
            for f in result.findings
        ],
    )
    # A waived finding keeps its place, after the open ones, with its waiver shown.
    concerns = [
        f for f in result.findings if f.kind == "concern" and f.status in ("flag", "waived")
    ]
    by_principle: dict[str, list] = {}
    for finding in sorted(
        concerns, key=lambda f: (f.status == "waived", SEVERITIES.index(f.severity), f.rule_id)
    ):
        by_principle.setdefault(finding.principle, []).append(finding)
    ordered = sorted(
        by_principle.items(),
        key=lambda item: (SEVERITIES.index(item[1][0].severity), PRINCIPLES.index(item[0])),
    )
    groups = [(principle_label(name, lang), findings) for name, findings in ordered]
    from pcd_screen.reports.questions import grouped_questions, verdict_explanation

    question_groups = grouped_questions(result, lang, lambda name: principle_label(name, lang))
    questions = [
        {**q, "rules": q["why"], "definition": _definition(q["field"], lang)}
        for group in question_groups
        for q in group["questions"]
    ]
    unclear = [f for f in result.findings if f.kind == "concern" and f.status == "unclear"]
    # Each source's excerpt is shown once, with the first finding citing it; later ones name it.
    seen_sources: set = set()
    sources_of: dict[str, list] = {}
    for _label, findings in groups:
        for finding in findings:
            shown = []
            for source in finding.sources:
                key = (source.get("doc"), source.get("section"))
                shown.append({**source, "repeat": key in seen_sources})
                seen_sources.add(key)
            sources_of[finding.rule_id] = shown
    # A text that says something only weakly is not missing: the question quotes it.
    quotes = {e.path: e.quote for f in unclear for e in f.evidence if e.quote}
    for entry in [*questions, *(q for g in question_groups for q in g["questions"])]:
        entry["quote"] = quotes.get(entry["field"])
    view = {
        "result": result,
        "verdict": result.verdict,
        "verdict_style": VERDICT_STYLE[result.verdict],
        "verdict_label": pick(verdict["label"], lang),
        "verdict_meaning": pick(verdict["meaning"], lang),
        "next_steps": pick(verdict["next_steps"], lang),
        "groups": groups,
        "questions": questions,
        "letter_questions": letter_questions([q["field"] for q in questions], lang),
        "question_groups": question_groups,
        "verdict_explanation": verdict_explanation(
            result, lang, lambda v: pick(_data("verdicts")[v]["label"], lang)
        ),
        "summary_concerns": sorted(
            (
                {
                    "finding": f,
                    "quote": next((e.quote for e in f.evidence if e.quote), None),
                    "location": next((e.location for e in f.evidence if e.location), None),
                }
                for _label, findings in groups
                for f in findings
                if f.status == "flag"
            ),
            key=lambda item: SEVERITIES.index(item["finding"].severity),
        ),
        "unclear_counts": {s: sum(1 for f in unclear if f.severity == s) for s in SEVERITIES},
        "sources_of": sources_of,
        "strengths": [f for f in result.findings if f.kind == "strength" and f.status == "flag"],
        "facts": [
            {
                "name": name,
                "label": label("fact", name, lang),
                "description": translations(lang).gettext(FACT_DOCS.get(name, name)),
                "value": format_value(name, value, lang),
            }
            for name, value in result.facts.items()
            if name != "share_denominator"
        ],
        "counts": result.summary,
        "tally": tally(result.summary["concerns"], lang),
        "checked": checked(result.summary, result.ruleset["rules"], lang),
        "as_of": long_date(result.as_of, lang),
        "verdict_short": verdict_label(result.verdict, lang, short=True),
        "passed": [f for f in result.findings if f.status == "pass" and f.kind == "concern"],
        "not_applicable": [f for f in result.findings if f.status == "not-applicable"],
        "refdata": sorted(result.refdata.items()),
        "finding_dict": asdict,
    }
    if view["verdict_explanation"]:  # the verdict's usual meaning does not hold: say why instead
        view["verdict_meaning"] = view["verdict_explanation"]
    view.update(_summary_fit(view))
    return view


# The summary is one A4 page: about this many lines of 110 characters (9 pt) are left for the
# concerns and the questions once the title, the verdict and its next steps are set.
SUMMARY_LINES = 30
# The PDF renderer lowers it for a report whose summary still ran onto a second page.
summary_lines = contextvars.ContextVar("summary_lines", default=SUMMARY_LINES)
LINE = 105


def _lines(*texts) -> int:
    return max(1, -(-sum(len(t or "") + 4 for t in texts) // LINE))


def _summary_fit(view: dict) -> dict:
    """How many concerns and questions the summary page shows (the rest are in the detail), and
    for each question the reasons it names (at most two rule titles, then a count)."""
    budget = summary_lines.get() - (
        _lines(view["verdict_explanation"]) if view["verdict_explanation"] else 0
    )
    concerns = 0
    for item in view["summary_concerns"]:
        need = _lines(item["finding"].title, item["quote"], item["location"])
        if budget - need < 8 and concerns >= 3:  # keep room for the questions
            break
        budget -= need
        concerns += 1
    questions, principles = 0, set()
    for group in view["question_groups"]:
        for q in group["questions"]:
            need = _lines(q["question"], *(f.title for f in q["why"][:2]))
            need += 0 if group["principle"] in principles else 2
            if budget - need < 0:
                break
            budget -= need
            principles.add(group["principle"])
            questions += 1
        else:
            continue
        break
    return {"summary_concern_count": concerns, "summary_question_count": questions}
