"""Inflected form -> lemma, per language, for the words the frames use.

The tables (pcd_screen/data/frames/forms-<lang>.yaml) are generated at build time by
scripts/gen_lemma_forms.py from simplemma's dictionaries, restricted to the lemmas of the frame
lexemes; at run time one is loaded, from the compiled data bundle, on the first text in that
language. A word not in the table is its own lemma (it cannot match a frame word anyway, or
matches it exactly)."""

from __future__ import annotations

from functools import lru_cache

from pcd_screen.core import yamlread
from pcd_screen.core.paths import DATA_DIR

FRAMES_DIR = DATA_DIR / "frames"


@lru_cache(maxsize=4)
def forms(lang: str) -> dict[str, str]:
    path = FRAMES_DIR / f"forms-{lang}.yaml"
    if not path.exists():
        return {}
    return yamlread.load_trusted(path) or {}


def lemmatise(words: list[str], lang: str) -> list[str]:
    table = forms(lang)
    get = table.get
    return [get(word, word) for word in words]
