"""The terminal report, laid out in plain Python.

Markdown and HTML come from Jinja templates; the terminal report does not, because importing
and compiling Jinja would double the start-up time of a single screening (bench/README.md).
It shows the same view (render.report_view) in the same order as templates/report.md.j2.
"""

from __future__ import annotations

import dataclasses
from functools import cache

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


def _printable_view(value):
    """The report view with every text in it made printable: proposals, evidence and waivers
    are written by others, and the terminal report is the one output not escaped on the way.
    What needs no change is returned as it is (no copy): almost every text is already clean."""
    if isinstance(value, str):
        return value if is_printable(value) else printable(value)
    if isinstance(value, dict):
        changed = None
        for key, item in value.items():
            shown = _printable_view(item)
            if shown is not item:
                changed = changed or dict(value)
                changed[key] = shown
        return value if changed is None else changed
    if isinstance(value, (list, tuple)):
        items = [_printable_view(v) for v in value]
        same = all(a is b for a, b in zip(items, value, strict=True))
        return value if same else type(value)(items)
    names = _field_names(type(value))
    if names:
        changes = {}
        for name in names:
            item = getattr(value, name)
            shown = _printable_view(item)
            if shown is not item:
                changes[name] = shown
        return dataclasses.replace(value, **changes) if changes else value
    return value


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names (none for any other type): looked up once per class, not per
    finding."""
    if not dataclasses.is_dataclass(kind):
        return ()
    return tuple(f.name for f in dataclasses.fields(kind))


# What the terminal report prints of a report view (render.report_view). Only these are made
# printable: the view also carries every finding, passed or not, for the other formats, and
# walking all of it cost about a tenth of a whole screening (bench/README.md, "Start-up").
_SHOWN = (
    "as_of",
    "verdict_label",
    "verdict_style",
    "verdict_meaning",
    "next_steps",
    "tally",
    "groups",
    "question_groups",
    "strengths",
    "facts",
    "counts",
    "refdata",
)


def _shown(view: dict) -> dict:
    """The printed parts of a report view, made printable; of the result, its heading (the
    proposal, the ruleset and the tool), and of the flat question list its length."""
    result = view["result"]
    shown = {name: view[name] for name in _SHOWN}
    shown["head"] = {"proposal": result.proposal, "ruleset": result.ruleset, "tool": result.tool}
    shown = _printable_view(shown)
    shown["question_count"] = len(view["questions"])
    return shown


def render_text(reports: list[dict], color: bool, lang: str = "en", run: dict | None = None) -> str:
    reports, run = [_shown(view) for view in reports], _printable_view(run)
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
        res = r["head"]
        proposal, tool = res["proposal"], res["tool"]
        if number:
            out += ["", "=" * 78, ""]
        out.append(c("bold", f"{colon(t['title'])} {proposal['id']} — {proposal['title']}"))
        out.append(f"{proposal['file']} · {t['as_of'] % {'date': r['as_of']}}")
        verdict = f"{colon(t['verdict'].upper())} {r['verdict_label']}"
        out += ["", c(r["verdict_style"], verdict), r["verdict_meaning"], colon(_("Next steps"))]
        out += [f"  {i}. {step}" for i, step in enumerate(r["next_steps"], 1)]

        out += ["", c("bold", _("Concerns").upper()) + f" — {r['tally']}"]
        for principle, findings in r["groups"]:
            out += ["", f"── {principle} ──"]
            for f in findings:
                label = c(f.severity, "[" + sev(f.severity).upper() + "]")
                out += [f"{label} {f.rule_id}  {f.title}", f"    {f.message}"]
                for e in f.evidence:
                    line = f" ({t['line']} {e.line})" if e.line else ""
                    if e.location:
                        from pcd_screen.reports.common import where_label

                        line = f" ({where_label(e.location, lang)})"
                    shown = format_evidence(e, lang)
                    out.append(f"    {colon(t['evidence'])} {e.path} = {shown}{line}")
                    if e.quote:  # the sentence the text layer read it in
                        out.append(f"      “{e.quote}”")
                if f.waiver:
                    state = _("Waiver expired") if f.waiver["expired"] else _("Waived")
                    until = _("until %(date)s") % {"date": long_date(f.waiver["expires"], lang)}
                    by = _("approved by %(name)s") % {"name": f.waiver["approved_by"]}
                    out.append(
                        f"    {colon(f'{state} ({until}, {by})')} {f.waiver['justification']}"
                    )
                out.append(f"    {colon(t['why'])} {f.rationale}")
                out.append(f"    {colon(t['todo'])} {f.recommendation}")
                # One document once, its sections after it: "Title, point 2.2, recommandation 5".
                cited: dict[str, list[str]] = {}
                for s in f.sources:
                    title = s.get("title") or s["doc"]
                    # The NGO note is cited as support, after the official texts.
                    if s.get("authority") == "analysis":
                        title += " (" + _("NGO analysis") + ")"
                    cited.setdefault(title, []).append(s.get("anchor") or s["section"])
                sources = "; ".join(f"{title}, {', '.join(at)}" for title, at in cited.items())
                out.append(f"    {colon(t['sources'])} {sources}")
        if not r["groups"]:
            out.append("  " + words.pgettext("concerns", "None."))

        questions = r["question_count"]
        out += ["", c("bold", _("Questions for the applicant").upper()) + f" ({questions})"]
        number = 0
        for group in r["question_groups"]:
            out.append(f"  {group['label']}")
            for q in group["questions"]:
                number += 1
                out.append(f"  {number}. {q['question']}")
                if q.get("quote"):
                    out.append(f"     “{q['quote']}” {t['unsure']}.")
                why = "; ".join(f"{f.rule_id} {f.title}" for f in q["why"])
                out.append(f"     {colon(_('Why we ask'))} {why}")
        if not questions:
            out.append("  " + words.pgettext("questions", "None."))

        strengths = r["strengths"]
        out += ["", c("bold", _("Strengths").upper()) + f" ({len(strengths)})"]
        out += [f"  + {f.rule_id}  {colon(f.title)} {f.message}" for f in strengths]
        if not strengths:
            out.append("  " + words.pgettext("strengths", "None."))

        out += ["", c("bold", _("Facts").upper())]
        out += [f"  {colon(fact['label'])} {fact['value']}" for fact in r["facts"]]

        st = r["counts"]["by_status"]
        checked = _(
            "Checked %(rules)s rules: %(flag)s flagged, %(waived)s waived, %(unclear)s unclear, "
            "%(passed)s passed, %(na)s not applicable."
        ) % {
            "rules": res["ruleset"]["rules"],
            "flag": st["flag"],
            "waived": st["waived"],
            "unclear": st["unclear"],
            "passed": st["pass"],
            "na": st["not-applicable"],
        }
        out += ["", c("dim", checked)]
        as_of = _("as of %(date)s") % {"date": r["as_of"]}
        ruleset = f"{t['ruleset']} {res['ruleset']['hash']}"
        out.append(c("dim", f"{tool['name']} {tool['version']} · {ruleset} · {as_of}"))
        data = ", ".join(f"{name} {version}" for name, version in r["refdata"])
        out.append(c("dim", f"{colon(t['refdata'])} {data}"))
    for waiver in (run or {}).get("stale", []):
        where = f"{waiver['file']}:{waiver['line']}" if waiver.get("line") else waiver["file"]
        note = _("stale waiver (it matches no finding): %(rule)s for %(proposal)s")
        out += ["", c("dim", f"{where}: " + note % waiver)]
    for waiver in (run or {}).get("expired", []):
        where = f"{waiver['file']}:{waiver['line']}" if waiver.get("line") else waiver["file"]
        note = _(
            "expired waiver (the finding stands): %(rule)s for %(proposal)s, expired %(expires)s"
        )
        out += ["", c("dim", f"{where}: " + note % waiver)]
    # Printed to CI job logs: no line may read as a workflow command (a file named "::error").
    return log_safe("\n".join(out) + "\n")
