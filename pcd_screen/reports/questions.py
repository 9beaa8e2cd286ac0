"""Questions to the applicant as sentences a person can forward, grouped by principle, each
with why it is asked, and the sentence that explains a verdict a profile decided. Shared by the
reports, the letter to the applicant and the workbench (a neutral module: no renderer borrows
from a sibling). The sentences come from pcd_screen/data/questions.yaml, one place."""

from __future__ import annotations

import re
from functools import lru_cache

from pcd_screen.core.i18n import SEVERITY_LABELS, pick, translations
from pcd_screen.core.paths import DATA_DIR
from pcd_screen.core.terms import PRINCIPLES, SEVERITIES
from pcd_screen.engine.result import Result, verdict_for


@lru_cache(maxsize=1)
def _questions() -> dict:
    from pcd_screen.core.yamlread import load_trusted

    return load_trusted(DATA_DIR / "questions.yaml")


def generic_key(field: str) -> str:
    """activities[3].category -> activities[*].category (how questions.yaml is keyed)."""
    return re.sub(r"\[\d+\]", "[*]", field)


def known_question(field: str, lang: str) -> str | None:
    """The data file's question for exactly this field (generic path), or None."""
    texts = _questions().get(generic_key(field))
    return pick(texts, lang) if texts else None


def question_for(field: str, lang: str) -> str:
    """The question that asks for a field, in lang; a general sentence for a field the data file
    does not list (never the field's path)."""
    key = generic_key(field)
    while key:
        texts = _questions().get(key)
        if texts:
            return pick(texts, lang)
        if "." not in key:
            break
        key = key.rsplit(".", 1)[0]
    general = _questions().get("*")  # the data file's sentence for a field it does not list
    return pick(general, lang) if general else field


def grouped_questions(result: Result, lang: str, label_of_principle) -> list[dict]:
    """[{principle, label, questions: [{field, question, why: [finding], severity}]}] for the
    fields the unclear concerns miss, worst principle first. A field asked for by several
    principles is asked once, under the principle of the most severe rule that needs it."""
    unclear = [f for f in result.findings if f.kind == "concern" and f.status == "unclear"]
    unclear.sort(key=lambda f: (SEVERITIES.index(f.severity), PRINCIPLES.index(f.principle)))
    by_key: dict[str, dict] = {}
    for finding in unclear:
        for field in finding.missing:
            key = generic_key(field)
            entry = by_key.setdefault(
                key,
                {
                    "field": field,
                    "question": question_for(field, lang),
                    "principle": finding.principle,
                    "severity": finding.severity,
                    "why": [],
                },
            )
            if finding not in entry["why"]:
                entry["why"].append(finding)
    groups: dict[str, list] = {}
    for entry in by_key.values():
        groups.setdefault(entry["principle"], []).append(entry)
    ordered = sorted(
        groups.items(),
        key=lambda item: (
            min(SEVERITIES.index(e["severity"]) for e in item[1]),
            PRINCIPLES.index(item[0]),
        ),
    )
    return [
        {
            "principle": name,
            "label": label_of_principle(name),
            "questions": sorted(entries, key=lambda e: SEVERITIES.index(e["severity"])),
        }
        for name, entries in ordered
    ]


def verdict_explanation(result: Result, lang: str, verdict_label) -> str | None:
    """Why a profile's policy changed the verdict, in the report's words; None when the flagged
    concerns alone give it."""
    policy = tuple((result.policy or {}).get("unclear_as_flag") or ())
    if not policy:
        return None
    plain = verdict_for(result.findings, ())
    if plain == result.verdict:
        return None
    words = translations(lang)
    counted = [
        f
        for f in result.findings
        if f.kind == "concern" and f.status == "unclear" and f.severity in policy
    ]
    severities = words.gettext(" or ").join(
        words.gettext(SEVERITY_LABELS[s]) for s in SEVERITIES if s in policy
    )
    opening = {
        "block": words.gettext("No critical concern is flagged."),
        "revise": words.gettext("No high concern is flagged."),
    }.get(result.verdict, "")
    because = words.gettext(
        "This verdict comes from the profile in use, which counts a %(severities)s rule that "
        "cannot be checked for lack of information as flagged."
    ) % {"severities": severities}
    rules = ", ".join(f"{f.rule_id} {f.title}" for f in counted[:3]) + (
        ", …" if len(counted) > 3 else ""
    )
    unchecked = words.gettext(
        "Rules that could not be checked for that reason: %(count)s (%(rules)s); the questions "
        "below answer them."
    ) % {"count": len(counted), "rules": rules}
    alone = words.gettext("On the flagged concerns alone the verdict would be %(verdict)s.") % {
        "verdict": verdict_label(plain)
    }
    return " ".join(part for part in (opening, because, unchecked, alone) if part)
