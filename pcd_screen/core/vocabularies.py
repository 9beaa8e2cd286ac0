"""The proposal format's vocabularies with their definitions in en/nl/fr
(pcd_screen/data/vocabularies.yaml): one place for `pcd-screen vocab`, the "did you mean"
suggestions of schema errors, the drafts written from documents and the workbench's form."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

from pcd_screen.core.paths import DATA_DIR


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, dict[str, dict[str, str]]]:
    """vocabulary name -> term -> {lang: definition}."""
    from pcd_screen.core.yamlread import load_trusted

    raw = load_trusted(DATA_DIR / "vocabularies.yaml")
    return {
        name: {str(term): texts for term, texts in terms.items()} for name, terms in raw.items()
    }


def definition(vocabulary: str, term, lang: str = "en") -> str:
    texts = vocabularies().get(vocabulary, {}).get(str(term)) or {}
    from pcd_screen.core.i18n import pick

    return pick(texts, lang)


def terms(vocabulary: str) -> list[str]:
    return list(vocabularies().get(vocabulary, {}))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z]+", _fold(text)) if len(w) >= 4]


def suggest(word: str, options: list[str], vocabulary: str | None = None) -> str | None:
    """The term meant by `word`: a near spelling first (a typo), else the term whose definition
    (in any language) names the words of `word` ("vocational-training" -> livelihoods-jobs,
    whose definition says "vocational training"), else a looser spelling match."""
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.8)
    if close:
        return close[0]
    if vocabulary:
        wanted = _words(word.replace("-", " ").replace("_", " "))
        best, best_score = None, 0.0
        for term in options:
            texts = vocabularies().get(vocabulary, {}).get(str(term)) or {}
            defined = set(_words(" ".join(texts.values()) + " " + str(term).replace("-", " ")))
            score = 0.0
            for w in wanted:
                if w in defined:
                    score += 1
                elif any(d.startswith(w[:6]) for d in defined):
                    score += 0.5
            # the first sentence of a definition says what the term is: a match there counts
            lead = _fold(texts.get("en", "").split(";")[0])
            score += 0.25 * sum(w in lead for w in wanted)
            if score > best_score:
                best, best_score = term, score
        if best is not None and best_score >= max(1.0, len(wanted) * 0.75):
            return best
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None
