"""Numbers, amounts, percentages and dates as the report's reader writes them.

One module for every renderer: "18,450,000 EUR" and "92%" in English, "18.450.000 EUR" and
"92%" in Dutch, "18 450 000 EUR" and "92 %" in French; dates in running text as
"23 november 2026" / "23 novembre 2026". The separators come from Babel's CLDR data (well kept,
per locale and variant) rather than a hand-written table. Babel is imported only when a
non-English value is formatted, so an English screening starts as fast as before.

English output keeps its earlier form (thousands with commas, ISO dates): it is what the
published JSON and the English golden files hold.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from pcd_screen.core.i18n import base_language

# Report language -> CLDR locale. `fr` is the French of the EU institutions (as in France).
_LOCALES = {"nl": "nl_BE", "nl-BE": "nl_BE", "nl-NL": "nl_NL", "fr": "fr_FR", "fr-BE": "fr_BE"}


@lru_cache(maxsize=8)
def _locale(lang: str):
    """The Babel locale of a non-English report language (loads only that locale's data)."""
    from babel import Locale

    return Locale.parse(_LOCALES.get(lang) or _LOCALES[base_language(lang)])


def number(value, lang: str = "en", decimals: int = 0) -> str:
    """A number with the thousands separator and decimal sign of the language."""
    if base_language(lang) == "en":
        return f"{value:,.{decimals}f}"
    from babel.numbers import format_decimal

    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def amount(value, currency: str | None = None, lang: str = "en") -> str:
    """An amount of money, whole units, with its ISO currency code after it: 18.450.000 EUR."""
    shown = number(value, lang)
    if not currency:
        return shown
    space = " " if base_language(lang) == "en" else "\u00a0"
    return f"{shown}{space}{currency}"


def percent(fraction, lang: str = "en", decimals: int = 0) -> str:
    """A share (0..1) as a percentage: 92% in English and Dutch, 92 % in French."""
    if base_language(lang) == "en":
        return f"{fraction * 100:.{decimals}f}%"
    from babel.numbers import format_percent

    locale = _locale(lang)
    # The locale's own pattern ("#,##0\u00a0%" in French), with the decimals asked for.
    pattern = locale.percent_formats[None].pattern
    if decimals:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1)
    return format_percent(fraction, format=pattern, locale=locale)


def percent_number(value, lang: str = "en") -> str:
    """A number that already is a percentage (5.0 -> "5%", "5 %" in French; 3.5 -> "3,5 %")."""
    decimals = 0 if float(value) == int(value) else 1
    return percent(float(value) / 100, lang, decimals)


def long_date(value, lang: str = "en") -> str:
    """A date in running text: 23 november 2026, 23 novembre 2026 (ISO in English)."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if base_language(lang) == "en":
        return value.isoformat()
    from babel.dates import format_date

    return format_date(value, "long", locale=_locale(lang))


# The field (last segment of a path, or a fact) whose values are codes of a vocabulary.
VOCABULARY_OF = {
    "category": "category",
    "dominant_category": "category",
    "category_shares": "category",
    "categories": "category",
    "type": "implementer_type",
    "target_groups": "target_group",
    "selection_criteria": "selection_criterion",
    "measures": "indicator_measure",
    "participation": "participant",
    "funding_source": "funding_source",
    "linked_to": "condition_link",
    "safeguards": "safeguards",
    "gender_marker": "gender_marker",
}
MONEY_FACTS = ("total_budget", "activity_budget_sum", "share_denominator")
# Fields whose numbers are amounts (Dutch and French reports group their thousands).
AMOUNT_FIELDS = (*MONEY_FACTS, "budget", "total", "amount")


@lru_cache(maxsize=1)
def labels() -> dict:
    """pcd_screen/data/labels.yaml: the short label of every code, per language."""
    from pcd_screen.core import yamlread
    from pcd_screen.core.paths import DATA_DIR

    return yamlread.load_trusted(DATA_DIR / "labels.yaml") or {}


@lru_cache(maxsize=1)
def _field_labels() -> dict:
    from pcd_screen.core import yamlread
    from pcd_screen.core.paths import DATA_DIR

    return yamlread.load_trusted(DATA_DIR / "fields.yaml") or {}


def field_label(key: str, lang: str = "en") -> str:
    """A field of the proposal format by its short label (data/fields.yaml), its name when it
    has none."""
    from pcd_screen.core.i18n import pick

    texts = _field_labels().get(key)
    return pick(texts, lang) if texts else key.replace("_", " ")


def _inline_label(key: str, lang: str) -> str:
    """A field's label inside a list of values ("budget 3.900.000"): lower case, unless it
    starts with an abbreviation ("DAC purpose codes")."""
    text = field_label(key, lang)
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def field_name(path: str) -> str:
    """activities[2].category -> category; target_groups[0] -> target_groups."""
    last = path.rsplit(".", 1)[-1]
    return last.split("[", 1)[0]


def label(vocabulary: str, code, lang: str = "en") -> str:
    """A code's short label in the report language; the code itself when it has none."""
    from pcd_screen.core.i18n import pick

    texts = (labels().get(vocabulary) or {}).get(str(code))
    return pick(texts, lang) if texts else str(code)


def reason(item, lang: str = "en") -> str:
    """One reason a proposal is migration-related (engine/scope.py) in the report language: the
    text of its kind (labels.yaml `reason`) with the label of the code it names."""
    if not isinstance(item, dict) or "kind" not in item:
        return str(item)
    from pcd_screen.core.i18n import pick

    entry = (labels().get("reason") or {}).get(item["kind"])
    if not entry:
        return str(item["kind"])
    code = item.get("code")
    if code is not None and entry.get("vocabulary"):
        code = label(entry["vocabulary"], code, lang)
    count = item.get("count")
    if count is not None:  # of sentences, with the plural of the report language
        from pcd_screen.core.i18n import translations

        words = translations(lang)
        count = words.ngettext("%(n)s sentence", "%(n)s sentences", count) % {"n": count}
    return pick(entry, lang) % {
        "code": code if code is not None else "",
        "quote": item.get("quote", ""),
        "count": count if count is not None else "",
    }


def evidence(item, lang: str = "en") -> str:
    """An evidence value: what a concept frame found (a sentence the text layer quotes, whose
    value is the frame's name) by the frame's label, other values as value() shows them."""
    quoted = getattr(item, "quote", None) is not None and isinstance(item.value, str)
    if quoted and item.value in (labels().get("frame") or {}):
        return label("frame", item.value, lang)
    return value(item.path, item.value, lang)


def value(name: str, val, lang: str = "en") -> str:
    """A fact or evidence value as people read it: shares as percentages, amounts with the
    language's separators, lists joined, codes as their labels ("border control", "grenscontrole",
    "contrôle des frontières" for border-control), and the few words it adds (yes, no, unknown,
    ...) in the report language."""
    from pcd_screen.core.i18n import translations

    words = translations(lang)
    english = base_language(lang) == "en"
    field = field_name(name)
    if val is None:
        return words.gettext("unknown")
    if isinstance(val, bool):
        return words.gettext("yes") if val else words.gettext("no")
    if isinstance(val, (int, float)) and "share" in field:
        return percent(val, lang)
    if isinstance(val, (int, float)) and field in MONEY_FACTS:
        return number(val, lang)
    if field == "migration_reasons" and isinstance(val, list):
        return "; ".join(reason(v, lang) for v in val) or words.gettext("none")
    if isinstance(val, list):
        return ", ".join(value(name, v, lang) for v in val) or words.gettext("none")
    if isinstance(val, dict) and set(val) == {"mentions"}:
        # A lexicon phrase's wildcard (readmission*) is the engine's notation, not the reader's.
        shown = (m[:-1] + "…" if m.endswith("*") else m for m in val["mentions"])
        return words.gettext("mentions: %(words)s") % {"words": "; ".join(shown)}
    if isinstance(val, dict) and set(val) == {"entries"}:
        count = val["entries"]
        return words.ngettext("%(count)s entry", "%(count)s entries", count) % {"count": count}
    if isinstance(val, dict):
        if field not in VOCABULARY_OF:
            # an element (an activity, a condition): each value by its field's label and as
            # that field is shown ("budget 3.900.000", "categorie grenscontrole")
            return ", ".join(
                f"{_inline_label(str(k), lang)} {value(f'{name}.{k}', v, lang)}"
                for k, v in val.items()
            )
        vocabulary = VOCABULARY_OF[field]
        return ", ".join(
            f"{label(vocabulary, k, lang)} {value(name, v, lang)}" for k, v in val.items()
        )
    if field in VOCABULARY_OF and isinstance(val, (str, int)) and not isinstance(val, bool):
        return label(VOCABULARY_OF[field], val, lang)
    if english:
        return str(val)
    if isinstance(val, (int, float)) and "percent" in field:
        return percent_number(val, lang)
    if isinstance(val, (int, float)) and field in AMOUNT_FIELDS:
        return number(val, lang, 0 if float(val) == int(val) else 2)
    if isinstance(val, float):  # a decimal comma; codes (purpose codes, years) are ints and stay
        return number(val, lang, 0 if val == int(val) else 2)
    return str(val)
