"""How report templates are read and what they may call, for the built-in templates and a
user's own (usertemplate.py) alike."""

from __future__ import annotations

from functools import lru_cache

from pcd_screen.core.formatting import label, long_date, number, percent
from pcd_screen.core.i18n import SEVERITY_LABELS, translations
from pcd_screen.core.paths import TEMPLATES_DIR
from pcd_screen.engine.result import format_evidence, format_value
from pcd_screen.reports.texts import (
    left_out_reason,
    principle_label,
    undated_rate,
    verdict_label,
)


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
    # An evidence item: a frame the text layer found shows by its label (its quote follows).
    env.filters["evidence"] = lambda item: format_evidence(item, lang)
    env.filters["severity"] = lambda name: translations(lang).gettext(SEVERITY_LABELS[name])
    env.filters["date"] = lambda value: long_date(value, lang)
    # Numbers and codes in tables (the portfolio): the language's separators, and labels.
    env.filters["number"] = lambda value: number(value or 0, lang)
    env.filters["percent"] = lambda value, decimals=0: percent(value or 0, lang, decimals)
    env.filters["category"] = lambda code: label("category", code, lang)
    env.filters["principle"] = lambda name: principle_label(name, lang)
    env.filters["verdict"] = lambda name: verdict_label(name, lang, True)
    env.filters["none_label"] = lambda name: (
        translations(lang).gettext("(none)") if name == "(none)" else name
    )
    env.filters["left_out"] = lambda row: left_out_reason(row["kind"], row["of"], lang)
    env.filters["rate_year"] = lambda row: (
        undated_rate(row["year"], lang) if row.get("undated") else row["year"]
    )
    from pcd_screen.reports.common import md_cell, one_line, where_label

    env.filters["where"] = lambda label: where_label(label, lang)
    # Text from proposals in Markdown: within its table cell, or on its list item's line.
    env.filters["md_cell"] = md_cell
    env.filters["one_line"] = one_line
    return env
