"""Country codes and names in English, Dutch and French -> ISO 3166-1 alpha-3, from the
reference data (pycountry's names and translations): to read "Ethiopia", "Éthiopie" or
"Ethiopië" in a document, a form or a spreadsheet, or "NE" in IATI, and answer the code. Every
country lookup of the project is here."""

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
    "swaziland": "SWZ",
    "czech republic": "CZE",
    "democratic republic of congo": "COD",
    "congo kinshasa": "COD",
    "republic of congo": "COG",
    "republic of the congo": "COG",
    "congo brazzaville": "COG",
    "burma": "MMR",
    "macedonia": "MKD",
    "uk": "GBR",
    "usa": "USA",
    "united states of america": "USA",
    "east timor": "TLS",
}


# Letters NFKD leaves whole, which the ASCII folding would turn into spaces ("mise en œuvre").
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case, no accents or punctuation, no leading article: 'Côte d’Ivoire' -> 'cote d
    ivoire', 'The Gambia' -> 'gambia'."""
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


@lru_cache(maxsize=1)
def index() -> dict[str, str]:
    """Folded name -> code, for every name of every country in every report language."""
    from pcd_screen.engine.refdata import load_refdata

    refdata = load_refdata()
    names: dict[str, str] = {}
    for code in refdata.country_codes():
        spelled = [refdata.country_name(code, lang) for lang in REPORT_LANGUAGES]
        for name in [*spelled, *refdata.english_names(code)]:
            head, _, tail = name.partition(",")  # "Palestine, State of": "State of Palestine"
            variants = (name, head, f"{tail} {head}", re.sub(r"\s*\(.*\)", "", name))
            for variant in variants:
                folded = fold(variant)
                if len(folded) >= 4:
                    names.setdefault(folded, code)
    names.update(ALIASES)
    return names


def code_for(name: str) -> str | None:
    """The code of a country named in any of the languages, or None."""
    return index().get(fold(name))


@lru_cache(maxsize=4096)
def country_code(text: str) -> str | None:
    """An alpha-3 or alpha-2 code, or a name in any of the languages -> alpha-3, or None."""
    from pcd_screen.engine.refdata import load_refdata

    value = text.strip()
    refdata = load_refdata()
    if re.fullmatch(r"[A-Za-z]{3}", value) and refdata.is_country(value.upper()):
        return value.upper()
    if re.fullmatch(r"[A-Za-z]{2}", value) and value.upper() in refdata.alpha2_table():
        return refdata.alpha2_table()[value.upper()]
    return code_for(value)


def alpha3(alpha2: str) -> str | None:
    """IATI's two-letter country codes -> alpha-3 (XK -> XKX)."""
    from pcd_screen.engine.refdata import load_refdata

    return load_refdata().alpha2_table().get(alpha2)


def close_name(text: str) -> tuple[str, str] | None:
    """(code, English name) of the country whose name is spelled most like text, or None."""
    import difflib

    from pcd_screen.engine.refdata import load_refdata

    close = difflib.get_close_matches(fold(text), list(index()), n=1, cutoff=0.8)
    if not close:
        return None
    code = index()[close[0]]
    return code, load_refdata().country_name(code, "en")


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
