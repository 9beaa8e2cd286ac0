"""Case- and accent-folded word tokens with their character offsets (no regex from users)."""

from __future__ import annotations

import re

from pcd_screen.engine.lexicon import fold

# Letters and digits; an apostrophe or hyphen ends a word ("l'aide" -> l, aide).
_WORD = re.compile(r"[^\W_]+")


def tokenise(text: str) -> tuple[list[str], list[int]]:
    """(folded words, start offset of each in text). Folding keeps offsets only when it keeps
    the length, so offsets come from the original text and words are folded one by one."""
    if text.isascii():
        lowered = text.lower()
        words = _WORD.findall(lowered)
        starts = [m.start() for m in _WORD.finditer(lowered)]
        return words, starts
    words, starts = [], []
    for match in _WORD.finditer(text):
        words.append(fold(match.group()))
        starts.append(match.start())
    return words, starts
