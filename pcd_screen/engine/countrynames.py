"""Country names in English, Dutch and French -> ISO 3166-1 alpha-3, from the reference data
(pycountry's names and translations): to read "Ethiopia", "Éthiopie" or "Ethiopië" in a document
or a form and answer ETH."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pcd_screen.core.terms import REPORT_LANGUAGES

# Short names people write that the ISO names do not give on their own.
ALIASES = {
    "ivory coast": "CIV",
    "cote d ivoire": "CIV",
    "drc": "COD",
    "dr congo": "COD",
    "democratic republic of the congo": "COD",
    "rd congo": "COD",
    "republique democratique du congo": "COD",
    "the gambia": "GMB",
    "gambia": "GMB",
    "south sudan": "SSD",
    "cabo verde": "CPV",
    "cape verde": "CPV",
    "syria": "SYR",
    "russia": "RUS",
    "turkiye": "TUR",
    "turkey": "TUR",
    "palestine": "PSE",
    "laos": "LAO",
    "vietnam": "VNM",
    "moldova": "MDA",
    "iran": "IRN",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "tanzania": "TZA",
    "tanzanie": "TZA",
}


def fold(text: str) -> str:
    """Lower case, no accents or punctuation: 'Côte d’Ivoire' -> 'cote d ivoire'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


@lru_cache(maxsize=1)
def index() -> dict[str, str]:
    """Folded name -> code, for every name of every country in every report language."""
    from pcd_screen.engine.refdata import load_refdata

    refdata = load_refdata()
    names: dict[str, str] = {}
    for code in refdata.country_codes():
        for lang in REPORT_LANGUAGES:
            name = refdata.country_name(code, lang)
            for variant in (name, name.split(",")[0], re.sub(r"\s*\(.*\)", "", name)):
                folded = fold(variant)
                if len(folded) >= 4:
                    names.setdefault(folded, code)
    names.update(ALIASES)
    return names


def code_for(name: str) -> str | None:
    """The code of a country named in any of the languages, or None."""
    return index().get(fold(name))


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    names = sorted(index(), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")


def find(text: str) -> list[str]:
    """The codes of the countries a text names, in the order it names them, once each."""
    found = []
    for match in _pattern().finditer(fold(text)):
        code = index()[match.group(1)]
        if code not in found:
            found.append(code)
    return found


def names(lang: str) -> list[tuple[str, str]]:
    """(code, name in lang) for every country, sorted by name as people of that language read it."""
    from pcd_screen.engine.refdata import load_refdata

    refdata = load_refdata()
    pairs = [(code, refdata.country_name(code, lang)) for code in refdata.country_codes()]
    return sorted(pairs, key=lambda pair: fold(pair[1]))
