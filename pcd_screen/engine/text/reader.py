"""A proposal's free text as located sentences and the frames found in them.

Every free-text value (title, summary, description, objectives, activity titles and
descriptions, condition texts, result statements, indicator names; the IATI importer maps
narratives into these fields) is read once per text and language: split into sentences, folded,
lemmatised and matched against every frame at once."""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import chain

from pcd_screen.engine.text import sentences as sentence_split
from pcd_screen.engine.text.frames import LIST_ITEMS, Denials, Hit, denials, frames, matcher
from pcd_screen.engine.text.language import LANGUAGES, detect
from pcd_screen.engine.text.lemmas import lemmatise
from pcd_screen.engine.text.tokens import tokenise

QUOTE_LENGTH = 240  # a longer sentence is quoted around the words that matched
_COMPOUND = re.compile(r"[^\W_]+-")  # a word joined to the next by a hyphen

# Paths of the free-text fields, relative to the proposal ("*" = every element).
TEXT_FIELDS = (
    ("title",),
    ("summary",),
    ("description",),
    ("objectives",),
    ("objectives", "*"),
    ("activities", "*", "title"),
    ("activities", "*", "description"),
    ("conditions", "*", "text"),
    ("results", "*", "statement"),
    ("results", "*", "indicators", "*", "name"),
)
# Relative to one activity, condition, result or indicator (share/count `where`).
ELEMENT_FIELDS = (("title",), ("description",), ("text",), ("statement",), ("name",))


class Reading:
    """One text read: its language, sentences (start, end offsets), the number of words of
    each, the frames found and where each sentence denies (None where nothing does). Word
    offsets are worked out only to quote a sentence or to place a denied phrase."""

    __slots__ = ("text", "lang", "spans", "sizes", "hits", "denying", "_starts", "_denied_at")

    def __init__(self, text, lang, spans, sizes, hits, denying=()):
        self.text, self.lang, self.spans, self.sizes, self.hits = text, lang, spans, sizes, hits
        # Per sentence, the roles found in it where it holds a negation or exclusion, else
        # None: worked out into Denials only when a lexicon phrase is found there (rarely).
        self.denying: tuple[dict | None, ...] = denying
        self._starts: dict[int, tuple[int, ...]] = {}
        self._denied_at: dict[int, tuple[Denials, tuple[int, ...]]] = {}

    def affirms(self, words: tuple[str, ...], prefix: bool = False) -> bool:
        """Whether the text holds a lexicon phrase (its folded words; the last a prefix if
        asked) somewhere it is not denied: "the project does not aim to reduce migration"
        mentions no such aim. True also when the phrase is not found among the sentences'
        words (the lexicon folds a little differently): only a denial seen takes it away."""
        if not any(self.denying):
            return True
        seen = False
        for index in range(len(self.spans)):
            starts = _starts_of(words, prefix, self.words(index))
            if starts:
                if not self._denied_in(index, starts):
                    return True
                seen = True
        return not seen

    def denied_sentences(self, words: tuple[str, ...], prefix: bool = False) -> set[int]:
        """The sentences in which every occurrence of the phrase is denied."""
        out = set()
        for index, roles in enumerate(self.denying):
            if roles is not None:
                starts = _starts_of(words, prefix, self.words(index))
                if starts and self._denied_in(index, starts):
                    out.add(index)
        return out

    def _denied_in(self, sentence: int, starts: list[int]) -> bool:
        """Whether every occurrence (its first words) of a phrase in a sentence is denied."""
        if self.denying[sentence] is None:
            return False
        denied, cuts = self._denied(sentence)
        return all(denied.deny(s, cuts) for s in starts)

    def words(self, sentence: int) -> list[str]:
        start, end = self.spans[sentence]
        return tokenise(self.text[start:end])[0]

    def _denied(self, sentence: int) -> tuple[Denials, tuple[int, ...]]:
        """A sentence's Denials without the negation words that begin a compound
        ("non-discrimination", "niet-begeleide"), and the words that follow a clause's
        punctuation (a comma, semicolon or colon), which a near negation does not reach past."""
        known = self._denied_at.get(sentence)
        if known is None:
            known = self._denied_at[sentence] = self._work_out(sentence)
        return known

    def _work_out(self, sentence: int) -> tuple[Denials, tuple[int, ...]]:
        denied = denials(self.denying[sentence]) or Denials((), (), (), (), ())
        starts = self.starts(sentence)
        text = self.text
        negations = tuple(n for n in denied.negations if not _COMPOUND.match(text, starts[n]))
        commas = {i for i in range(1, len(starts)) if "," in text[starts[i - 1] : starts[i]]}
        cuts = tuple(
            i
            for i in range(1, len(starts))
            if _cut(text[starts[i - 1] : starts[i]], i, denied, commas)
        )
        return denied._replace(negations=negations), cuts

    def starts(self, sentence: int) -> tuple[int, ...]:
        """Offsets in text of the words of one sentence."""
        found = self._starts.get(sentence)
        if found is None:
            start, end = self.spans[sentence]
            offsets = tokenise(self.text[start:end], offsets=True)[1]
            found = self._starts[sentence] = tuple(start + o for o in offsets)
        return found

    def quote(self, hit: Hit) -> str:
        start, end = self.spans[hit.sentence]
        last = hit.sentence
        if hit.end > self.sizes[hit.sentence] and hit.sentence + 1 < len(self.spans):
            last = hit.sentence + 1
            end = self.spans[last][1]
        sentence = self.text[start:end]
        if len(sentence) <= QUOTE_LENGTH:
            return " ".join(sentence.split())
        words = self.starts(hit.sentence) + (self.starts(last) if last != hit.sentence else ())
        first = words[max(hit.start - 8, 0)] if words else start
        stop_word = min(hit.end + 8, len(words) - 1)
        stop = words[stop_word] if words else end
        if stop - first > QUOTE_LENGTH:
            stop = first + QUOTE_LENGTH
        cut = self.text[first:stop]
        if stop < end:
            cut = cut.rsplit(" ", 1)[0] if " " in cut else cut
        text = " ".join(cut.split())
        return ("… " if first > start else "") + text + (" …" if stop < end else "")


def language_of(text: str, declared: str | None) -> str:
    """The declared language, unless the text's own function words say clearly otherwise
    (an IATI narrative in French under an English default); detected when none is declared."""
    words, _starts = tokenise(text[:2000])
    return detect(words, declared or "en", prefer=declared) or "en"


# Bounded: a batch of thousands of activities must not accumulate readings (tests/test_iati.py).
@lru_cache(maxsize=512)
def read(text: str, declared: str) -> Reading:
    """The text read in the declared language, unless its own function words say clearly
    otherwise (an IATI narrative in French under an English default)."""
    spans = tuple(sentence_split.split(text))
    tokenised = [tokenise(text[start:end])[0] for start, end in spans]
    every = chain.from_iterable(tokenised)
    lang = detect(every, declared or "en", prefer=declared) or "en"
    match = matcher(lang)
    analysed = [(words, match.roles(words, lemmatise(words, lang))) for words in tokenised]
    sizes = tuple(len(words) for words in tokenised)
    # A blank line between two sentences ends a paragraph (a document's paragraphs, a literal
    # block's): what follows is another topic, not the sentence a frame may reach into.
    breaks = sentence_split.paragraph_ends(text, spans)
    hits = _answered(match.match(analysed, breaks))
    denying = tuple([f if "negation" in f or "exclusion" in f else None for _w, f in analysed])
    return Reading(text, lang, spans, sizes, hits, denying)


def _cut(between: str, at: int, denied: Denials, commas: set) -> bool:
    """Whether the punctuation before word `at` ends a clause: a semicolon or colon does; a
    comma does unless a list goes on after it ("not conditional on readmission, return or
    border control"): within LIST_ITEMS words, another comma, an "or", or an "and" that is
    not the comma's next word (", and the legal aid ..." starts a clause)."""
    if ";" in between or ":" in between:
        return True
    if "," not in between:
        return False
    ahead = range(at, at + LIST_ITEMS + 1)
    return not (
        any(i in commas for i in ahead if i > at)
        or any(i in ahead for i in denied.alternatives)
        or any(i in ahead and i > at for i in denied.conjunctions)
    )


def _starts_of(words: tuple[str, ...], prefix: bool, tokens: list[str]) -> list[int]:
    """Where a phrase (folded words, the last a prefix if asked) starts among tokens."""
    size = len(words)
    if not size:
        return []
    last = words[-1]
    out = []
    for i in range(len(tokens) - size + 1):
        if tokens[i] != words[0] and size > 1:
            continue
        end = i + size - 1
        if tuple(tokens[i + 1 : end]) != words[1:-1]:
            continue
        if tokens[end] == last or (prefix and tokens[end].startswith(last)):
            out.append(i)
    return out


def _answered(hits: list[Hit]) -> tuple[Hit, ...]:
    """The hits, a weak one of a frame that says what money buys (it has a category) counted
    as negated when the same text also says a frame of that category negated: the question a
    bare mention or a hedge would raise ("people arrested are placed in detention centres",
    context) is answered where the text excludes it ("the project funds neither ... nor
    transport from the detention centres"). A strong hit stands either way; topic frames are
    not questions. engine/conditions._excluded does the same across a proposal's texts."""
    excluded = excluded_categories(hits)
    if not excluded:
        return tuple(hits)
    return tuple(
        hit._replace(negated=True)
        if hit.weak and not hit.negated and frames()[hit.frame].category in excluded
        else hit
        for hit in hits
    )


def excluded_categories(hits) -> set:
    """The categories of what money buys that hits say negated (an exclusion of them)."""
    defined = frames()
    return {defined[hit.frame].category for hit in hits if hit.negated} - {None}


def texts_of(node, fields) -> list[tuple[tuple, str]]:
    """(path, text) of every free-text value under node."""
    out: list[tuple[tuple, str]] = []

    def walk(value, rest, where):
        if not rest:
            if isinstance(value, str) and value.strip():
                out.append((where, value))
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            if isinstance(value, list):
                for i, item in enumerate(value):
                    walk(item, tail, (*where, i))
        elif isinstance(value, dict) and head in value:
            walk(value[head], tail, (*where, head))

    for path in fields:
        walk(node, path, ())
    return out


def document_language(data: dict) -> str:
    """The declared language of the proposal, else detected from its title and description."""
    declared = data.get("language")
    if isinstance(declared, str) and declared.split("-")[0].lower() in LANGUAGES:
        return declared.split("-")[0].lower()
    sample = " ".join(
        str(data.get(k) or "") for k in ("title", "summary", "description") if data.get(k)
    )
    return language_of(sample, None)  # each text may still show its own (see read)
