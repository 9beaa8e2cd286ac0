"""Results -> text, Markdown, HTML or JSON. Renderers arrange results; they never evaluate rules."""

from __future__ import annotations

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
    letter_questions,
    principle_label,
    question,
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
        return {"expired": [], "stale": []}
    return {"expired": list(run.expired_waivers), "stale": list(run.stale_waivers)}


def report_view(result: Result, lang: str) -> dict:
    """Everything a template shows, arranged: concerns by principle worst first, questions, ..."""
    verdict = _data("verdicts")[result.verdict]
    result = dataclasses.replace(
        result,
        findings=[
            dataclasses.replace(f, sources=reader_sources(f.sources)) for f in result.findings
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
    unclear = [f for f in result.findings if f.kind == "concern" and f.status == "unclear"]
    questions: dict[str, dict] = {}
    for finding in sorted(unclear, key=lambda f: (SEVERITIES.index(f.severity), f.rule_id)):
        # A text that says something only weakly is not missing: the question quotes it.
        quotes = {e.path: e.quote for e in finding.evidence if e.quote}
        for field in finding.missing or ["(information the rule names)"]:
            entry = questions.setdefault(
                field,
                {
                    "field": field,
                    "question": question(field, lang),
                    "rules": [],
                    "definition": _definition(field, lang),
                    "quote": quotes.get(field),
                },
            )
            entry["rules"].append(finding)
    return {
        "result": result,
        "verdict": result.verdict,
        "verdict_style": VERDICT_STYLE[result.verdict],
        "verdict_label": pick(verdict["label"], lang),
        "verdict_meaning": pick(verdict["meaning"], lang),
        "next_steps": pick(verdict["next_steps"], lang),
        "groups": groups,
        "questions": list(questions.values()),
        "letter_questions": letter_questions(list(questions), lang),
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
        "as_of": long_date(result.as_of, lang),
        "verdict_short": verdict_label(result.verdict, lang, short=True),
        "passed": [f for f in result.findings if f.status == "pass" and f.kind == "concern"],
        "not_applicable": [f for f in result.findings if f.status == "not-applicable"],
        "refdata": sorted(result.refdata.items()),
        "finding_dict": asdict,
    }
