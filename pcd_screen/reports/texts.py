"""The texts reports share, in the report's language: the labels of principles and verdicts,
the questions to the applicant (data/questions.yaml), tallies with their plurals, and sources
in the order a reader should meet them. Data lives in data files; this module picks from it."""

from __future__ import annotations

from functools import lru_cache

from pcd_screen.core.i18n import pick, translations
from pcd_screen.core.paths import DATA_DIR


def principle_label(name: str, lang: str) -> str:
    return pick(_data("principles")[name], lang)


def verdict_label(name: str, lang: str, short: bool = False) -> str:
    """A verdict as a state: GEBLOKKEERD, À RÉVISER (short: the table form, "te herzien")."""
    verdict = _data("verdicts")[name]
    return pick(verdict["short" if short else "label"], lang)


def question(field: str, lang: str) -> str:
    """The sentence that asks the applicant for a missing field (data/questions.yaml, read by
    reports/questions.py: one lookup for the reports, the letter and the workbench)."""
    from pcd_screen.reports.questions import question_for

    return question_for(field, lang)


def letter_questions(fields: list[str], lang: str) -> list[str]:
    """The questions of the letter: one sentence each, asked once; two or more missing fields
    of one group (period.start and period.end) are asked by the group's question."""
    import re

    from pcd_screen.engine.conditions import REFERENCE_DATA

    # What the reference data cannot answer is the desk officer's to check, not the applicant's.
    fields = [f for f in fields if not f.startswith(REFERENCE_DATA)]
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


def checked(summary: dict, rules: int, lang: str) -> str:
    """ "Checked 92 rules: 0 concerns flagged, 5 strengths, 0 waived, 0 unclear, 61 passed, 26
    not applicable." Concerns told from strengths (the strengths of a clear proposal are not
    flags), each number with its own plural, as in tally()."""
    words = translations(lang)
    status = summary["by_status"]
    numbers = [
        sum(summary["concerns"].values()),
        summary["strengths"],
        status["waived"],
        status["unclear"],
        status["pass"],
        status["not-applicable"],
    ]
    c, s, w, u, p, na = numbers
    parts = [
        words.ngettext("%(n)s concern flagged", "%(n)s concerns flagged", c),
        words.ngettext("%(n)s strength", "%(n)s strengths", s),
        words.ngettext("%(n)s waived", "%(n)s waived", w),
        words.ngettext("%(n)s unclear", "%(n)s unclear", u),
        words.ngettext("%(n)s passed", "%(n)s passed", p),
        words.ngettext("%(n)s not applicable", "%(n)s not applicable", na),
    ]
    shown = ", ".join(part % {"n": n} for part, n in zip(parts, numbers, strict=True))
    return words.gettext("Checked %(rules)s rules: %(list)s.") % {"rules": rules, "list": shown}


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
    from pcd_screen.core.vocabularies import definition

    group, _, name = field.partition(".")
    return definition(group, name, lang) if group == "safeguards" else ""


@lru_cache(maxsize=8)
def _data(name: str) -> dict:
    """A data file the reports show texts from (verdicts, principles, vocabularies)."""
    from pcd_screen.core import yamlread as yamlload

    return yamlload.load_trusted(DATA_DIR / f"{name}.yaml")


def left_out_reason(kind: str, of, lang: str) -> str:
    """Why the portfolio's totals leave a screened proposal out (reports/portfolio.py,
    LEFT_OUT_KINDS), in the report language."""
    _ = translations(lang).gettext
    texts = {
        "duplicate": _("the same id came earlier (%(of)s): its money is counted once, there"),
        "child": _("a part of %(of)s, whose budget already holds it"),
        "umbrella": _(
            "stands for the whole fund (%(of)s of its parts are in the portfolio and counted there)"
        ),
    }
    return texts[kind] % {"of": of}


def undated_rate(year, lang: str) -> str:
    """The rate table's year cell for budgets without a date of their own."""
    return translations(lang).gettext("no date: rate of %(year)s used") % {"year": year}
