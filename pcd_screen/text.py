"""Keyword matching in free text: accent- and case-folded, on word boundaries, no regexes.

Lexicon phrases are plain words; a trailing ``*`` on the last word matches any word that starts
with it ("readmi*" matches "readmission" and "readmitted").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Réadmission' -> 'readmission'."""
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

    def find(self, tokens: list[str]) -> bool:
        size = len(self.words)
        if not size:
            return False
        last = self.words[-1]
        for start in range(len(tokens) - size + 1):
            if tokens[start : start + size - 1] != list(self.words[:-1]):
                continue
            word = tokens[start + size - 1]
            if word == last or (self.prefix and word.startswith(last)):
                return True
        return False


def find_phrases(text: str, phrases: list[Phrase]) -> list[str]:
    """The lexicon phrases that occur in text, in lexicon order."""
    tokens = words(text)
    return [phrase.text for phrase in phrases if phrase.find(tokens)]


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
