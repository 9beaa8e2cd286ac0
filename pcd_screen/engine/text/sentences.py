"""Sentence splitting with offsets: full stops, question and exclamation marks, blank lines and
list items; abbreviations and initials do not end a sentence.

pysbd was measured (bench/README.md) at ~12 ms for a 3 KB text: far over the 1 ms budget of the
whole text layer; this splitter is a few regular expressions."""

from __future__ import annotations

import re

# A candidate end: . ! ? (with closing quotes/brackets) followed by space, or a line break
# before a list item, or a blank line.
_END = re.compile(r"[.!?][\"'’”»)\]]*\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")
_PARAGRAPH = re.compile(r"\n\s*\n")  # a blank line
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "cf",
        "no",
        "nr",
        "art",
        "vs",
        "approx",
        "incl",
        "resp",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "ca",
        "fig",
        "al",
        "p",
        "pp",
        "para",
        "bijv",
        "bv",
        "o.a",
        "d.w.z",
        "nl",
        "mw",
        "dhr",
        "ong",
        "zgn",
        "jr",
        "art.n",
        "env",
        "mme",
        "m",
        "me",
        "mlle",
        "cie",
    ]
)
_NEXT_OK = re.compile(r"[\"'“«(\[]?[A-ZÀ-ÖØ-Þ0-9]|[-*•]\s")
# A "sentence" longer than this is no sentence but run-on text (a pasted table, a document
# without full stops): it is cut at spaces into pieces of at most this many characters, so
# reading it costs time in proportion to its length (frames compare the words of a sentence
# pairwise). Real sentences, even long legal ones, stay well under it.
MAX_SENTENCE = 2000


def split(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.start() + 1
        mark = text[match.start()]
        if mark == ".":
            # the word before the mark (not the whole sentence so far: that is quadratic)
            before = text[max(start, match.start() - 40) : match.start()].rsplit(None, 1)
            word = before[-1].lower() if before else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue
            if not _NEXT_OK.match(text, match.end()):
                continue
        elif mark not in "!?":
            end = match.start()
        _add(spans, text, start, end)
        start = match.end()
    _add(spans, text, start, len(text))
    return spans


def _add(spans, text, start, end) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > MAX_SENTENCE:
        cut = text.rfind(" ", start + 1, start + MAX_SENTENCE)
        if cut == -1:
            cut = start + MAX_SENTENCE
        _add(spans, text, start, cut)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        spans.append((start, end))


def paragraph_ends(text: str, spans) -> frozenset[int]:
    """The sentences (their index in spans) after which a blank line ends a paragraph."""
    return frozenset(
        i for i in range(len(spans) - 1) if _PARAGRAPH.search(text, spans[i][1], spans[i + 1][0])
    )
