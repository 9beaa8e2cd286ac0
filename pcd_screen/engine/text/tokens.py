"""Case- and accent-folded word tokens with their character offsets (no regex from users)."""

from __future__ import annotations

import re
import unicodedata

# Letters and digits; an apostrophe or hyphen ends a word ("l'aide" -> l, aide).
_WORD = re.compile(r"[^\W_]+")


def tokenise(text: str, offsets: bool = False) -> tuple[list[str], list[int]]:
    """(folded words, start offset of each in text if asked for). Folding maps each character
    to one character (é -> e, Ç -> c), so the offsets of the folded text are the original's."""
    folded = text.lower()
    if len(folded) != len(text):  # a few characters change length when lower-cased
        folded = text
    if not folded.isascii():
        folded = folded.translate(_FOLD)
    if not offsets:
        return _WORD.findall(folded), []
    return _WORD.findall(folded), [m.start() for m in _WORD.finditer(folded)]


class _FoldTable(dict):
    """str.translate table built on demand: a character -> its base letter when its
    decomposition is that letter plus accents, else itself (so lengths never change)."""

    def __missing__(self, code: int):
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        self[code] = value = base.lower() if len(base) == 1 else char
        return value


_FOLD = _FoldTable()
