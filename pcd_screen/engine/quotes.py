"""The sentence a text finding quotes: for evidence that a free-text field mentions a lexicon
phrase, the first sentence of that field holding the phrase, so that a report can show the
words that triggered the finding. (The text layer, when it provides sentences with their own
locations, replaces this with its own quotes.)"""

from __future__ import annotations

import re
import unicodedata

MAX_QUOTE = 300
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÀ-ÖØ-Þ0-9«“\"(])|\n+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def quote(text: str, phrases: list[str]) -> str | None:
    """The first sentence of text that holds one of the phrases (a trailing * is a prefix)."""
    if not isinstance(text, str) or not phrases:
        return None
    patterns = []
    for phrase in phrases:
        words = _fold(phrase).rstrip("*")
        tail = r"\w*" if phrase.endswith("*") else r"\b"
        patterns.append(re.compile(r"\b" + r"\W+".join(map(re.escape, words.split())) + tail))
    for sentence in _SENTENCE_END.split(text):
        folded = _fold(sentence)
        if any(p.search(folded) for p in patterns):
            sentence = " ".join(sentence.split())
            if len(sentence) > MAX_QUOTE:
                sentence = sentence[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"
            return sentence
    return None
