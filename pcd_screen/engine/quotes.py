"""The sentence a text finding quotes for evidence that a free-text field mentions a lexicon
phrase (the frames of the text layer quote their own): the first sentence of that field holding
the phrase, split and folded as the text layer does, so that a report shows the words that
triggered the finding."""

from __future__ import annotations

import re

from pcd_screen.engine.lexicon import Phrase, Tokens, fold, phrase_words
from pcd_screen.engine.text.sentences import split

MAX_QUOTE = 300
_WORD = re.compile(r"\w+")


def quote(text: str, phrases: list[str], lang: str | None = None) -> str | None:
    """The first sentence of text that holds one of the phrases (a trailing * is a prefix);
    with the text's language, the first that does not deny it (engine/text/frames.Denials),
    if there is one (a concept that names people is mentioned even where it is denied)."""
    if not isinstance(text, str) or not phrases:
        return None
    matchers = [_matcher(phrase) for phrase in phrases]
    denied = _denied(text, phrases, lang) if lang else None
    return _first(text, matchers, denied) or (denied and _first(text, matchers, None))


def _first(text: str, matchers: list, denied: list | None) -> str | None:
    for index, (start, end) in enumerate(split(text)):
        sentence = text[start:end]
        words = Tokens(sentence)
        if any(
            match(words, sentence) and not (denied and index in denied[n])
            for n, match in enumerate(matchers)
        ):
            sentence = " ".join(sentence.split())
            if len(sentence) > MAX_QUOTE:
                sentence = sentence[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"
            return sentence
    return None


def _denied(text: str, phrases: list[str], lang: str) -> list | None:
    """For each phrase, the sentences of text in which the text layer reads it denied."""
    from pcd_screen.engine.text.reader import read

    reading = read(text, lang)
    if not any(reading.denying):
        return None
    return [
        reading.denied_sentences(tuple(phrase_words(p)), p.rstrip().endswith("*")) for p in phrases
    ]


def _matcher(phrase: str):
    """Whether a sentence's folded words hold a phrase: its folded parts, split on spaces, one
    word after another (the last a prefix of a word if the phrase ends in *). A phrase whose
    parts are all plain words (nearly all) is looked for as the lexicon looks for its phrases;
    one with others ("postes-frontières") through a regular expression, which asks for those
    very characters between its words."""
    parts = fold(phrase).rstrip("*").split()
    prefix = phrase.endswith("*")
    if parts and all(_WORD.fullmatch(part) for part in parts):
        found = Phrase(phrase, tuple(parts), prefix).find
        return lambda words, _sentence: found(words)
    tail = r"\w*" if prefix else r"\b"
    pattern = re.compile(r"\b" + r"\W+".join(map(re.escape, parts)) + tail)
    return lambda _words, sentence: pattern.search(fold(sentence)) is not None


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
