"""Report strings in other languages: gettext catalogs under pcd_screen/locale/ (made with Babel).

Rules, vocabularies and sources carry their own texts per language (data files); this module
covers the fixed words of the reports, and the language variants of both.

A report language is a base language (en, nl, fr) or a variant of one (nl-BE, nl-NL, fr-BE).
The texts are written once per base language (Dutch as used in Flanders, French as used by the
EU institutions); a variant changes only the few words where usage differs, through a small
override catalogue (pcd_screen/locale/variants.yaml), never through a second translation.
`make i18n` extracts, updates and compiles the catalogs.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

from pcd_screen.core.paths import PACKAGE_DIR
from pcd_screen.core.terms import LANGUAGES, REPORT_LANGUAGES, VARIANTS  # noqa: F401

LOCALE_DIR = PACKAGE_DIR / "locale"
DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802 - the conventional name the extractor looks for
    """Mark a string for translation where it is defined; translate it where it is shown."""
    return message


SEVERITY_LABELS = {
    "critical": N_("critical"),
    "high": N_("high"),
    "medium": N_("medium"),
    "low": N_("low"),
    "info": N_("info"),
}


def base_language(lang: str) -> str:
    """nl-NL -> nl: the language the data files and the catalogs are written in."""
    return (lang or "en").split("-", 1)[0].split("_", 1)[0].lower()


@lru_cache(maxsize=8)
def _overrides(lang: str) -> tuple:
    """The variant's word overrides as (pattern, replacements) with the case of the first letter
    kept: "Herwerken" -> "Herzien". Empty for a base language or a variant that changes nothing."""
    if lang in LANGUAGES:
        return ()
    from pcd_screen.core import yamlread

    table = (yamlread.load_trusted(LOCALE_DIR / "variants.yaml") or {}).get(lang) or {}
    if not table:
        return ()
    words = sorted(
        table, key=len, reverse=True
    )  # the longest form first: "herwerkte" before "herwerk"
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w])", re.IGNORECASE
    )
    return pattern, {w.lower(): table[w] for w in words}


def localize(text: str, lang: str) -> str:
    """A text written in the base language, with the variant's words (nl-NL: "herzien" for
    "herwerken"). The identity for en, nl, fr and nl-BE."""
    overrides = _overrides(lang)
    if not overrides or not text:
        return text
    pattern, table = overrides

    def replace(match) -> str:
        found = match.group(1)
        new = table[found.lower()]
        return new[:1].upper() + new[1:] if found[:1].isupper() else new

    return pattern.sub(replace, text)


def pick(texts, lang: str):
    """The text of a data file's {en, nl, fr} mapping for a report language (variants included),
    English where the language is missing."""
    chosen = texts.get(lang) or texts.get(base_language(lang)) or texts.get("en") or ""
    if isinstance(chosen, list):
        return [localize(item, lang) for item in chosen]
    return localize(chosen, lang)


class _Variant(gettext.NullTranslations):
    """The base language's catalog, with the variant's words."""

    def __init__(self, base: gettext.NullTranslations, lang: str):
        super().__init__()
        self._base, self._lang = base, lang

    def gettext(self, message):
        return localize(self._base.gettext(message), self._lang)

    def ngettext(self, singular, plural, n):
        return localize(self._base.ngettext(singular, plural, n), self._lang)

    def pgettext(self, context, message):
        return localize(self._base.pgettext(context, message), self._lang)

    def npgettext(self, context, singular, plural, n):
        return localize(self._base.npgettext(context, singular, plural, n), self._lang)


@lru_cache(maxsize=8)
def translations(lang: str) -> gettext.NullTranslations:
    base = base_language(lang)
    if base == "en":
        return gettext.NullTranslations()
    catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=[base])
    return _Variant(catalog, lang) if _overrides(lang) else catalog
