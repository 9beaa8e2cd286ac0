"""The letter to the applicant: the questions of a screening as a plain-text letter in the
report's language, grouped by principle, each with why it is asked. (The `i18n` branch plans a
fuller letter with per-field sentences; both take the questions from reports/questions.py.)"""

from __future__ import annotations

from pcd_screen.core.i18n import translations
from pcd_screen.engine.result import Result


def letter(result: Result, lang: str = "en", signed_by: str = "") -> str:
    from pcd_screen.reports.questions import grouped_questions
    from pcd_screen.reports.templated import principle_label

    words = translations(lang)
    title = result.proposal.get("title") or result.proposal.get("id")
    lines = [
        words.gettext("Subject: your proposal %(id)s — %(title)s")
        % {"id": result.proposal.get("id"), "title": title},
        "",
        words.gettext("Dear applicant,"),
        "",
        words.gettext(
            "Thank you for your proposal. Before we can complete our assessment, we need "
            "some further information. Could you answer the questions below?"
        ),
    ]
    groups = grouped_questions(result, lang, lambda name: principle_label(name, lang))
    number = 0
    for group in groups:
        lines += ["", group["label"], ""]
        for q in group["questions"]:
            number += 1
            why = "; ".join(f.title for f in q["why"][:3])
            lines.append(f"{number}. {q['question']}")
            lines.append("   " + words.gettext("Why we ask: %(why)s.") % {"why": why})
    if not groups:
        lines += ["", words.gettext("We have no questions at this stage.")]
    lines += ["", words.gettext("Kind regards,"), signed_by or ""]
    return "\n".join(lines).rstrip() + "\n"
