"""The sentence a text finding quotes for evidence that a free-text field mentions a lexicon
phrase (the frames of the text layer quote their own): the first sentence of that field holding
the phrase, split and folded as the text layer does, so that a report shows the words that
triggered the finding."""

from __future__ import annotations

import re

from pcd_screen.engine.lexicon import fold
from pcd_screen.engine.text.sentences import split

MAX_QUOTE = 300


def quote(text: str, phrases: list[str]) -> str | None:
    """The first sentence of text that holds one of the phrases (a trailing * is a prefix)."""
    if not isinstance(text, str) or not phrases:
        return None
    patterns = []
    for phrase in phrases:
        words = fold(phrase).rstrip("*")
        tail = r"\w*" if phrase.endswith("*") else r"\b"
        patterns.append(re.compile(r"\b" + r"\W+".join(map(re.escape, words.split())) + tail))
    for start, end in split(text):
        sentence = text[start:end]
        folded = fold(sentence)
        if any(p.search(folded) for p in patterns):
            sentence = " ".join(sentence.split())
            if len(sentence) > MAX_QUOTE:
                sentence = sentence[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"
            return sentence
    return None


def section_of(quoted: str, proposal) -> str | None:
    """Where a quoted sentence is in the document a proposal was read from: the location of the
    first section (paragraph or table) that holds it. A document's description joins many
    paragraphs, so the field's own location (its first paragraph) would point at the wrong one."""
    sections = proposal.data.get("sections") if proposal else None
    if not quoted or not isinstance(sections, list):
        return None
    probe = " ".join(quoted.rstrip("…").split())[:120]
    for index, section in enumerate(sections):
        text = section.get("text") if isinstance(section, dict) else None
        if isinstance(text, str) and probe in " ".join(text.split()):
            return proposal.document.label_of(("sections", index))
    return None
