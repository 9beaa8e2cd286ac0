"""A rule's conditions as plain sentences, for the analysts who read and review rules.

The phrases are report strings (gettext catalogs), so an explanation reads in Dutch or French
as well as in English. Field paths stay as written: they are what the analyst edits.
"""

from __future__ import annotations

from pcd_screen.core.i18n import N_, translations
from pcd_screen.engine.conditions import OPERATORS, SUBJECTS
from pcd_screen.engine.facts import FACT_DOCS, PORTFOLIO_FACT_DOCS

OPERATOR_PHRASES = {
    "eq": N_("is %(value)s"),
    "ne": N_("is not %(value)s"),
    "in": N_("is one of: %(value)s"),
    "not_in": N_("is none of: %(value)s"),
    "gt": N_("is more than %(value)s"),
    "gte": N_("is at least %(value)s"),
    "lt": N_("is less than %(value)s"),
    "lte": N_("is at most %(value)s"),
    "contains": N_("includes %(value)s"),
    "contains_any": N_("includes at least one of: %(value)s"),
    "contains_all": N_("includes all of: %(value)s"),
    "exists": N_("is given"),
    "missing": N_("is not given"),
    "mentions": N_("mentions (in any language) one of the keyword concepts: %(value)s"),
    "in_list": N_("is on the reference list %(value)s on the screening date"),
    "says": N_(
        "says, in a sentence that does not deny it, one of the concept frames: %(value)s "
        "(only weakly or hedged: unclear)"
    ),
    "pays_for": N_(
        "says, in a sentence that does not deny it, that the money pays for one of the "
        "activity categories: %(value)s"
    ),
}
assert set(OPERATOR_PHRASES) == set(OPERATORS), "every operator needs a phrase"
assert {"path", "fact", "share", "count", "text"} == set(SUBJECTS)


def explain_rule(rule, lang: str = "en") -> list[str]:
    """The rule's scope and flag condition as indented lines of plain language."""
    _ = translations(lang).gettext
    lines: list[str] = []
    if rule.applies_when is not None:
        lines.append(_("The rule applies when:"))
        lines += explain(rule.raw["applies_when"], lang, depth=1)
        lines.append(_("Otherwise it is not applicable."))
    if rule.kind == "strength":
        lines.append(_("It reports a strength when:"))
    else:
        lines.append(_("It flags a concern (%(severity)s) when:") % {"severity": _(rule.severity)})
    lines += explain(rule.raw["flag_when"], lang, depth=1)
    lines.append(
        _(
            "When the proposal leaves out a field the condition needs, the rule answers "
            "'unclear' and asks the applicant for it; a missing field never counts as 'no'."
        )
    )
    return lines


def explain(node, lang: str = "en", depth: int = 0) -> list[str]:
    _ = translations(lang).gettext
    pad = "  " * depth + "- "
    if "all" in node:
        lines = [pad + _("ALL of the following:")]
        for child in node["all"]:
            lines += explain(child, lang, depth + 1)
        return lines
    if "any" in node:
        lines = [pad + _("AT LEAST ONE of the following:")]
        for child in node["any"]:
            lines += explain(child, lang, depth + 1)
        return lines
    if "not" in node:
        return [pad + _("NOT the following:"), *explain(node["not"], lang, depth + 1)]
    return [pad + _predicate(node, lang)]


def _predicate(node: dict, lang: str) -> str:
    _ = translations(lang).gettext
    operator = next(name for name in node if name in OPERATORS)
    phrase = _(OPERATOR_PHRASES[operator]) % {"value": _value(node[operator], lang)}
    return f"{_subject(node, lang)} {phrase}"


def _subject(node: dict, lang: str) -> str:
    _ = translations(lang).gettext
    if "fact" in node:
        name = node["fact"]
        return _("the fact %(name)s (%(meaning)s)") % {
            "name": name,
            "meaning": _(FACT_DOCS.get(name) or PORTFOLIO_FACT_DOCS.get(name, name)),
        }
    if "text" in node:
        return _("the free text (%(fields)s)") % {"fields": node["text"]}
    if "share" in node or "count" in node:
        spec = node.get("share") or node.get("count")
        if "where" not in spec:
            return _("the number of %(path)s") % {"path": spec.get("path", "activities[*]")}
        where = "; ".join(line.strip("- ").strip() for line in explain(spec["where"], lang))
        if "share" in node:
            return _("the budget share of the activities where %(where)s") % {"where": where}
        path = spec.get("path", "activities[*]")
        return _("the number of %(path)s where %(where)s") % {"path": path, "where": where}
    paths = node["path"] if isinstance(node["path"], list) else [node["path"]]
    shown = ", ".join(f"`{p}`" for p in paths)
    operator = next(name for name in node if name in OPERATORS)
    if any("[*]" in p for p in paths) and OPERATORS[operator].kind == "collection":
        return _("the list of values of %(field)s") % {"field": shown}
    if any("[*]" in p for p in paths) and OPERATORS[operator].kind == "element":
        if node.get("quantifier") == "all":
            return _("for every element, %(field)s") % {"field": shown}
        return _("for at least one element, %(field)s") % {"field": shown}
    return shown


def _value(value, lang: str) -> str:
    _ = translations(lang).gettext
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, list):
        return ", ".join(_value(v, lang) for v in value)
    return str(value)
