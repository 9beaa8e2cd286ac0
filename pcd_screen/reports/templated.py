"""Results -> text, Markdown, HTML or JSON. Renderers arrange results; they never evaluate rules."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import asdict
from functools import lru_cache

from pcd_screen.core.formatting import label, long_date, number, percent
from pcd_screen.core.i18n import N_, SEVERITY_LABELS, pick, translations
from pcd_screen.core.paths import DATA_DIR, TEMPLATES_DIR
from pcd_screen.engine.facts import FACT_DOCS
from pcd_screen.engine.result import PRINCIPLES, SEVERITIES, Result, format_value

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


@lru_cache(maxsize=8)
def environment(html: bool, lang: str):
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=html, **jinja_options()
    )
    return configure(env, lang)


def jinja_options() -> dict:
    """How every report template is read, the built-in ones and a user's (usertemplate.py)."""
    import jinja2

    return {
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": True,
        "undefined": jinja2.StrictUndefined,
        "extensions": ["jinja2.ext.i18n"],
    }


def configure(env, lang: str):
    """What report templates can call: _(), ngettext(), pgettext() and the filters value,
    severity and date (a date in running text, in the report language)."""
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.filters["value"] = lambda value, name="": format_value(name, value, lang)
    env.filters["severity"] = lambda name: translations(lang).gettext(SEVERITY_LABELS[name])
    env.filters["date"] = lambda value: long_date(value, lang)
    # Numbers and codes in tables (the portfolio): the language's separators, and labels.
    env.filters["number"] = lambda value: number(value or 0, lang)
    env.filters["percent"] = lambda value: percent(value or 0, lang)
    env.filters["principle"] = lambda name: principle_label(name, lang)
    env.filters["verdict"] = lambda name: verdict_label(name, lang, True)
    env.filters["none_label"] = lambda name: (
        translations(lang).gettext("(none)") if name == "(none)" else name
    )
    return env


def principle_label(name: str, lang: str) -> str:
    return pick(_data("principles")[name], lang)


def verdict_label(name: str, lang: str, short: bool = False) -> str:
    """A verdict as a state: GEBLOKKEERD, À RÉVISER (short: the table form, "te herzien")."""
    verdict = _data("verdicts")[name]
    return pick(verdict["short" if short else "label"], lang)


def question(field: str, lang: str) -> str:
    """The sentence that asks the applicant for a missing field (data/questions.yaml)."""
    import re

    questions = _data("questions")
    key = re.sub(r"\[\d+\]", "[*]", field)
    while key not in questions and "." in key:
        key = key.rsplit(".", 1)[0]
    return pick(questions.get(key) or questions["*"], lang)


def letter_questions(fields: list[str], lang: str) -> list[str]:
    """The questions of the letter: one sentence each, asked once; two or more missing fields
    of one group (period.start and period.end) are asked by the group's question."""
    import re

    known = _data("questions")
    parents: dict[str, int] = {}
    for field in fields:
        parent = re.sub(r"\[\d+\]", "[*]", field).rsplit(".", 1)[0]
        parents[parent] = parents.get(parent, 0) + 1
    asked: list[str] = []
    for field in fields:
        parent = re.sub(r"\[\d+\]", "[*]", field).rsplit(".", 1)[0]
        text = question(parent if parents[parent] > 1 and parent in known else field, lang)
        if text not in asked:
            asked.append(text)
    return asked


def tally(counts: dict, lang: str) -> str:
    """ "1 critical, 2 high, 0 medium, 3 low or info." with each number's own plural (French:
    "1 critique, 2 élevées"), not one sentence with "(s)"."""
    words = translations(lang)
    parts = [
        words.ngettext("%(n)s critical", "%(n)s critical", counts["critical"]),
        words.ngettext("%(n)s high", "%(n)s high", counts["high"]),
        words.ngettext("%(n)s medium", "%(n)s medium", counts["medium"]),
        words.ngettext("%(n)s low or info", "%(n)s low or info", counts["low"] + counts["info"]),
    ]
    numbers = [counts["critical"], counts["high"], counts["medium"], counts["low"] + counts["info"]]
    shown = [part % {"n": n} for part, n in zip(parts, numbers, strict=True)]
    return words.gettext("%(list)s.") % {"list": ", ".join(shown)}


def reader_sources(sources: list[dict]) -> list[dict]:
    """A finding's sources as a reader should meet them: the official texts first (the Belgian
    note, the Commission communication, the Dutch government letter), the NGO analysis after."""
    ordered = sorted(sources, key=lambda s: s.get("authority") == "analysis")
    return [_without_repeated_anchor(s) for s in ordered]


def _without_repeated_anchor(source: dict) -> dict:
    """ "Guiding principles: Guiding principles: a human-rights based ..." reads once."""
    anchor, summary = source.get("anchor") or "", source.get("summary") or ""
    for sep in (": ", " : "):
        if anchor and summary.lower().startswith(anchor.lower() + sep):
            return {**source, "summary": summary[len(anchor) + len(sep) :]}
    return source


def _definition(field: str, lang: str) -> str:
    """What a missing safeguard is, so the question to the applicant explains itself."""
    group, _, name = field.partition(".")
    texts = _data("vocabularies").get(group, {}).get(name) if group == "safeguards" else None
    return pick(texts, lang) if texts else ""


@lru_cache(maxsize=8)
def _data(name: str) -> dict:
    """A data file the reports show texts from (verdicts, principles, vocabularies)."""
    from pcd_screen.core import yamlread as yamlload

    return yamlload.load_trusted(DATA_DIR / f"{name}.yaml")


def run_view(run: dict | None) -> dict:
    """Waivers that did not apply: expired ones (the finding stands) and stale ones (no match)."""
    run = run or {}
    return {"expired": run.get("expired_waivers") or [], "stale": run.get("stale_waivers") or []}


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
        for field in finding.missing or ["(information the rule names)"]:
            entry = questions.setdefault(
                field,
                {
                    "field": field,
                    "question": question(field, lang),
                    "rules": [],
                    "definition": _definition(field, lang),
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
