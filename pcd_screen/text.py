"""Keyword matching in free text: accent- and case-folded, on word boundaries, no regexes.

Lexicon phrases are plain words; a trailing ``*`` on the last word matches any word that starts
with it ("readmi*" matches "readmission" and "readmitted").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Réadmission' -> 'readmission'."""
    if text.isascii():  # most text: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Phrase:
    """One lexicon entry, pre-folded into words."""

    text: str
    words: tuple[str, ...]
    prefix: bool

    @classmethod
    def parse(cls, text: str) -> Phrase:
        prefix = text.rstrip().endswith("*")
        return cls(text=text, words=tuple(words(text.rstrip().rstrip("*"))), prefix=prefix)

    def find(self, text: Tokens) -> bool:
        size = len(self.words)
        if not size:
            return False
        last = self.words[-1]
        if size == 1:
            return last in text.positions or (self.prefix and text.has_prefix(last))
        tokens = text.tokens
        for start in text.positions.get(self.words[0], ()):
            end = start + size - 1
            if end >= len(tokens) or tuple(tokens[start + 1 : end]) != self.words[1:-1]:
                continue
            if tokens[end] == last or (self.prefix and tokens[end].startswith(last)):
                return True
        return False


class Tokens:
    """A text split into folded words, indexed so that each phrase is looked up, not scanned for."""

    def __init__(self, text: str):
        self.tokens = words(text)
        self.positions: dict[str, list[int]] = {}
        for index, token in enumerate(self.tokens):
            self.positions.setdefault(token, []).append(index)

    def has_prefix(self, start: str) -> bool:
        return any(token.startswith(start) for token in self.positions)


@lru_cache(maxsize=256)
def tokens(text: str) -> Tokens:
    """Texts are screened by many rules; each is split and indexed once."""
    return Tokens(text)


class Lexicon:
    """Concept -> phrases in every language; a concept's phrases are folded on first use."""

    def __init__(self, raw: dict[str, list[str]]):
        self.raw = raw
        self._parsed: dict[str, list[Phrase]] = {}

    def __contains__(self, concept: str) -> bool:
        return concept in self.raw

    def get(self, concept: str, default=()) -> list[Phrase]:
        if concept not in self.raw:
            return list(default)
        if concept not in self._parsed:
            self._parsed[concept] = [Phrase.parse(p) for p in self.raw[concept]]
        return self._parsed[concept]
