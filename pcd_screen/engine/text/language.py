"""Which of en, nl, fr a text is in, by counting frequent function words (no model loaded).

py3langid was measured at ~440 ms for its first classification; stop-word counts take
microseconds and only choose between the three languages the frames know."""

from __future__ import annotations

from collections.abc import Iterable

LANGUAGES = ("en", "nl", "fr")
_STOP = {
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "in",
            "for",
            "with",
            "is",
            "are",
            "be",
            "will",
            "this",
            "that",
            "by",
            "on",
            "from",
            "which",
            "their",
            "an",
            "at",
            "as",
            "it",
            "its",
            "was",
            "were",
            "has",
            "have",
            "been",
            "or",
            "not",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "van",
            "in",
            "voor",
            "met",
            "is",
            "zijn",
            "wordt",
            "worden",
            "dit",
            "dat",
            "door",
            "op",
            "uit",
            "die",
            "hun",
            "aan",
            "als",
            "bij",
            "niet",
            "ook",
            "naar",
            "om",
            "te",
            "of",
            "tot",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "et",
            "de",
            "des",
            "du",
            "un",
            "une",
            "en",
            "pour",
            "avec",
            "est",
            "sont",
            "sera",
            "ce",
            "cette",
            "qui",
            "que",
            "par",
            "sur",
            "dans",
            "leur",
            "au",
            "aux",
            "ou",
            "pas",
            "ne",
            "se",
        ]
    ),
}


_BY_WORD: dict[str, tuple[str, ...]] = {}
for _lang, _words in _STOP.items():
    for _word in _words:
        _BY_WORD[_word] = (*_BY_WORD.get(_word, ()), _lang)


def detect(
    words: Iterable[str], default: str | None = None, prefer: str | None = None
) -> str | None:
    """The language whose function words are most frequent in words (folded); default when
    there are too few to tell or two languages tie. A preferred (declared) language is kept
    unless another has at least three function words and twice as many."""
    found = list(filter(_BY_WORD.__contains__, words))  # most words are no function word
    if len(found) < 3 and prefer in LANGUAGES:
        return prefer  # too few to overrule the declared language (see below): most fields
    # one pass in C per language, not a Python loop over every function word
    counts = {lang: sum(map(_STOP[lang].__contains__, found)) for lang in LANGUAGES}
    ranked = sorted(LANGUAGES, key=lambda lang: -counts[lang])
    if prefer in counts:
        top = ranked[0]
        if top != prefer and counts[top] >= 3 and counts[top] >= 2 * counts[prefer]:
            return top
        return prefer
    best, second = counts[ranked[0]], counts[ranked[1]]
    if best < 2 or best == second:
        return default
    return ranked[0]
