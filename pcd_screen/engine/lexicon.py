"""Keyword matching in free text: accent- and case-folded, on word boundaries, no regexes.

Lexicon phrases are plain words; a trailing ``*`` on the last word matches any word that starts
with it ("readmi*" matches "readmission" and "readmitted").
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from typing import NamedTuple

_WORD = re.compile(r"\w+")


class _Marks(dict):
    """str.translate table that deletes combining marks, filled as characters are met: the
    text is stripped in C, not one Python call per character (French narratives)."""

    def __missing__(self, code: int):
        kept = None if unicodedata.combining(chr(code)) else code
        if code < 0x10000:  # at most 65,536 entries, whatever the input holds
            self[code] = kept
        return kept


_MARKS = _Marks()


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Réadmission' -> 'readmission'."""
    if text.isascii():  # most text: nothing to decompose
        return text.lower()
    return unicodedata.normalize("NFKD", text).translate(_MARKS).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def phrase_words(text: str) -> list[str]:
    """A lexicon phrase's folded words, without its trailing `*`."""
    return words(text.rstrip().rstrip("*"))


def lexicon_words(raw: dict) -> dict[str, list[list[str]]]:
    """Concept -> each phrase's folded words, in the lexicon's order: what the compiled data
    bundle keeps beside a lexicon file (scripts/compile_data.py), so a run need not fold."""
    return {concept: [phrase_words(p) for p in entries or []] for concept, entries in raw.items()}


# A NamedTuple, not a frozen dataclass: made at import on every run, a dataclass's generated
# methods cost about four times as much (bench/README.md, "Start-up").
class Phrase(NamedTuple):
    """One lexicon entry, pre-folded into words."""

    text: str
    words: tuple[str, ...]
    prefix: bool

    @classmethod
    def parse(cls, text: str) -> Phrase:
        return cls(text=text, words=tuple(phrase_words(text)), prefix=text.rstrip().endswith("*"))

    def find(self, text: Tokens) -> bool:
        return _found(self.words, self.prefix, text)


def _entry(concept: str, order: int, text: str, words: tuple[str, ...]) -> tuple:
    """A phrase index entry: (concept, order, text, words, prefix, alone); alone is a phrase of
    one word that is not a prefix, there whenever its word is."""
    prefix = text.rstrip().endswith("*")
    return (concept, order, text, words, prefix, len(words) == 1 and not prefix)


def _found(words: tuple[str, ...], prefix: bool, text: Tokens) -> bool:
    """Whether a phrase (its folded words, a prefix or not) is in an indexed text."""
    size = len(words)
    if not size:
        return False
    last = words[-1]
    if size == 1:
        return last in text.distinct or (prefix and text.has_prefix(last))
    tokens = text.tokens
    for start in text.positions.get(words[0], ()):
        end = start + size - 1
        if end >= len(tokens) or tuple(tokens[start + 1 : end]) != words[1:-1]:
            continue
        if tokens[end] == last or (prefix and tokens[end].startswith(last)):
            return True
    return False


class Tokens:
    """A text split into folded words, indexed so that each phrase is looked up, not scanned for."""

    def __init__(self, text: str):
        self.tokens = words(text)
        self.distinct = dict.fromkeys(self.tokens)  # the words, in first-seen order
        self._positions: dict[str, list[int]] | None = None
        self._ordered: list[str] | None = None

    @property
    def positions(self) -> dict[str, list[int]]:
        """word -> where it stands; built when a phrase of several words asks (few texts)."""
        if self._positions is None:
            self._positions = {}
            for index, token in enumerate(self.tokens):
                self._positions.setdefault(token, []).append(index)
        return self._positions

    def has_prefix(self, start: str) -> bool:
        if self._ordered is None:
            self._ordered = sorted(self.distinct)
        at = bisect_left(self._ordered, start)
        return at < len(self._ordered) and self._ordered[at].startswith(start)


@lru_cache(maxsize=256)
def tokens(text: str) -> Tokens:
    """Texts are screened by many rules; each is split and indexed once."""
    return Tokens(text)


class Lexicon:
    """Concept -> phrases in every language; a concept's phrases are folded on first use.

    matches(text) finds every concept in a text at once through an index on the phrases' first
    words, so that a text is read once per proposal however many rules ask about it."""

    def __init__(
        self,
        raw: dict[str, list[str]],
        folded: dict[str, list] | None = None,
        index: dict | None = None,
    ):
        """folded: concept -> each phrase's words (lexicon_words), for the concepts whose
        phrases are already folded; the others are folded on first use. index: the phrase
        index of these very phrases as the bundle ships it (shipped_index), else it is built
        on first use."""
        self.raw = raw
        self._folded = folded or {}
        self._shipped = index
        self._parsed: dict[str, list[Phrase]] = {}
        self._index: tuple[dict, list] | None = None
        self._matches: dict[str, dict[str, list[Phrase]]] = {}

    def matches(self, text: str) -> dict[str, list[Phrase]]:
        """Concept -> the phrases found in text (lexicon order)."""
        found = self._matches.get(text)
        if found is None:
            if len(self._matches) > 512:  # texts of earlier proposals
                self._matches.clear()
            found = self._matches[text] = self._find_all(tokens(text))
        return found

    def _find_all(self, text: Tokens) -> dict[str, list[Phrase]]:
        # Index entries are (concept, order, text, words, prefix, alone): a Phrase is made only
        # for what a text holds, not for each of the 1,700 phrases when the index is built.
        by_first, heads, head = self._phrase_index()
        found: dict[str, list[tuple]] = {}
        for token in text.distinct:
            entries = by_first.get(token)
            if entries is None:
                continue
            if entries.__class__ is str:  # as shipped: "concept number, order, ..."
                entries = by_first[token] = self._entries(entries)
            for entry in entries:
                # A phrase of one word (not a prefix) is there when its word is: no need to look.
                if entry[5] or _found(entry[3], entry[4], text):
                    found.setdefault(entry[0], []).append(entry)
        # One-word prefixes ("readmi*"): the beginnings of each word looked up, not every stem
        # tried on the text. A stem may begin several words: each entry counts once.
        hits = {
            entry
            for token in text.distinct
            for stem, entries in heads.get(token[:head], ())
            if token.startswith(stem)
            for entry in entries
        }
        for entry in hits:
            found.setdefault(entry[0], []).append(entry)
        return {
            concept: [Phrase(e[2], e[3], e[4]) for e in sorted(entries, key=lambda e: e[1])]
            for concept, entries in found.items()
        }

    def _phrase_index(self):
        """(by_first, heads, head): the phrases by their first word, except one-word prefixes,
        which are by their stem's first `head` characters. Index entries are (concept, order,
        text, words, prefix, alone). As shipped, by_first holds text, "concept number order
        ...", for each word until a text holds it (most are never met)."""
        if self._index is None:
            shipped, self._shipped = self._shipped, None
            if shipped is not None and self._folded:
                by_first = dict(shipped["first"])  # not the bundle's own: values are replaced
                stems: dict[str, list] = {}
                for entry in self._entries(shipped["stems"]):
                    stems.setdefault(entry[3][0], []).append(entry)
            else:
                by_first, stems = {}, {}
                for concept, phrases in self.raw.items():
                    for order, (text, words) in enumerate(
                        zip(phrases, self._words(concept), strict=True)
                    ):
                        if not words:
                            continue
                        entry = _entry(concept, order, text, words)
                        if entry[4] and len(words) == 1:
                            stems.setdefault(words[0], []).append(entry)
                        else:
                            by_first.setdefault(words[0], []).append(entry)
            # Stems grouped by their beginning, as long as the shortest stem.
            head = min((len(stem) for stem in stems), default=1)
            heads: dict[str, list] = {}
            for stem, entries in stems.items():
                heads.setdefault(stem[:head], []).append((stem, entries))
            self._index = (by_first, heads, head)
        return self._index

    def _entries(self, shipped: str) -> list[tuple]:
        """The index entries of shipped references: "concept number, order, ..." (text parses
        faster than JSON numbers, and most are never used)."""
        concepts = list(self.raw)
        refs = [int(ref) for ref in shipped.split()]
        entries = []
        for at in range(0, len(refs), 2):
            concept, order = concepts[refs[at]], refs[at + 1]
            text = self.raw[concept][order]
            folded = self._folded.get(concept)
            if folded is not None and len(folded) == len(self.raw[concept]):
                words = tuple(folded[order])
            else:
                words = tuple(phrase_words(text))
            entries.append(_entry(concept, order, text, words))
        return entries

    def full_index(self):
        """The whole phrase index, every shipped list made entries (tests, compile_data)."""
        by_first, heads, head = self._phrase_index()
        for token, entries in by_first.items():
            if entries.__class__ is str:
                by_first[token] = self._entries(entries)
        return by_first, heads, head

    def shipped_index(self) -> dict:
        """The phrase index as the bundle ships it (scripts/compile_data.py): each entry as its
        concept's number and its order, by first word; the one-word prefixes apart."""
        numbers = {concept: number for number, concept in enumerate(self.raw)}
        by_first, heads, _head = self.full_index()

        def refs(entries):
            return " ".join(f"{numbers[entry[0]]} {entry[1]}" for entry in entries)

        stems = [entry for group in heads.values() for _stem, entries in group for entry in entries]
        return {
            "first": {word: refs(entries) for word, entries in by_first.items()},
            "stems": refs(stems),
        }

    def _words(self, concept: str) -> list[tuple[str, ...]]:
        """Each phrase's folded words: as shipped (the bundle), else folded here."""
        phrases = self.raw[concept]
        folded = self._folded.get(concept)
        if folded is None or len(folded) != len(phrases):
            return [tuple(phrase_words(p)) for p in phrases]
        return [tuple(words) for words in folded]

    def __contains__(self, concept: str) -> bool:
        return concept in self.raw

    def get(self, concept: str, default=()) -> list[Phrase]:
        if concept not in self.raw:
            return list(default)
        if concept not in self._parsed:
            self._parsed[concept] = [
                Phrase(p, words, p.rstrip().endswith("*"))
                for p, words in zip(self.raw[concept], self._words(concept), strict=True)
            ]
        return self._parsed[concept]
