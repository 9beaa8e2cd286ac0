"""Inflected form -> lemma, per language, for the words the frames use.

The tables (pcd_screen/data/frames/forms-<lang>.yaml) are generated at build time by
scripts/gen_lemma_forms.py from simplemma's dictionaries, restricted to the lemmas of the frame
lexemes; at run time one is loaded, from the compiled data bundle, on the first text in that
language. A word not in the table is its own lemma (it cannot match a frame word anyway, or
matches it exactly)."""

from __future__ import annotations

from functools import lru_cache

from pcd_screen.core import yamlread
from pcd_screen.core.paths import DATA_DIR, FRAMES_FILE

FRAMES_DIR = DATA_DIR / "frames"


def forms(lang: str) -> dict[str, str]:
    return _forms(lang)[0]


def shipped_index(lang: str) -> dict | None:
    """The frame matcher's lexeme index for a language (frames.lexeme_index) as the bundle
    ships it beside the form table, while neither the table nor frames.yaml has changed since
    (it is built from both); None otherwise."""
    index = _forms(lang)[1]
    if index is None or not yamlread.read_unchanged(FRAMES_FILE):
        return None
    return index


@lru_cache(maxsize=4)
def _forms(lang: str) -> tuple[dict[str, str], dict | None]:
    path = FRAMES_DIR / f"forms-{lang}.yaml"
    if not path.exists():
        return {}, None
    table, index = yamlread.load_trusted_derived(path)
    return table or {}, index


def lemmatise(words: list[str], lang: str) -> list[str]:
    get = forms(lang).get
    return list(map(get, words, words))  # get(word, word): a word not in the table is its lemma
