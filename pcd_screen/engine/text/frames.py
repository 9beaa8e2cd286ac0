"""Concept frames over lemmas (pcd_screen/data/frames/frames.yaml) and their matcher.

A frame is a few roles, each a set of lexemes, that must all be found within a window of words
of one sentence (or, with reach: next, the sentence after), with `unless` roles that cancel it,
negation that negates it and hedges that make it weak. Frames are compiled per language on
first use; a sentence is matched against every frame at once through an index on lemmas."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from pcd_screen.core import yamlread
from pcd_screen.core.paths import FRAMES_FILE
from pcd_screen.engine.text.lemmas import forms, shipped_index
from pcd_screen.engine.text.tokens import tokenise

GAP = 2  # words that may come between two words of a lexeme
NEGATION_BEFORE = (
    10  # words before a match that a negation may stand in ("will not fund A, B or C")
)
HEDGE_BEFORE = 4
# Words before a match that a sentence's exclusion ("will not fund", "ne finance aucun") may
# stand in: it negates every item of the list that follows it.
EXCLUSION_BEFORE = 30
# Words of a list before its last item that a near negation may stand before ("ne seront ni
# retenus, ni fouillés ni refoulés").
LIST_ITEMS = 3
UNLESS_AROUND = 6  # words around a match in which an `unless` role cancels it
WIDE_UNLESS = 12  # the same for roles a frame lists as wide_unless (training on rights)


# A NamedTuple, not a frozen dataclass: made at import on every run, a dataclass's generated
# methods cost about four times as much (bench/README.md, "Start-up").
class Frame(NamedTuple):
    name: str
    doc: str
    roles: tuple[str, ...]
    window: int | None
    unless: tuple[str, ...]
    negated_by: tuple[str, ...]
    reach: str
    weak: bool
    category: str | None
    hedges: bool = True  # false: hedge words are part of what the frame looks for
    wide_unless: tuple[str, ...] = ()  # unless roles looked for WIDE_UNLESS words around
    # how far those are looked for, when not WIDE_UNLESS: the subject of a training named after
    # a long list of the trainees ("trains officers of the police, the prisons service and
    # magistrates in Garissa and Nairobi on the rights of refugees")
    wide_window: int | None = None
    # true: each role at other words than the first ("forced labour" is not also the work)
    distinct: bool = False
    # roles that cancel it anywhere in the same text: one sense per text for an ambiguous word
    text_unless: tuple[str, ...] = ()
    # a negation negates it only this many words before one of its parts, not anywhere near:
    # a long sentence's other clause ("the phase is not carried out and the funds are moved")
    negation_near: int | None = None
    # true: a negation followed by "until / unless" before the match's end makes a condition
    # ("no tranche will be released until ..."), so it does not negate the frame
    negation_until: bool = False
    # a negation counts only before this role's first word: after "because" it states the
    # reason ("because hardly anyone leaves for Europe"), it does not deny the frame
    negation_before: str | None = None
    # words of its roles inside a phrase of these roles do not count: "Afghans who are
    # deported" describes people, where "funds the deportation" is the operation itself
    not_inside: tuple[str, ...] = ()
    # `unless` roles that do not cancel when a conjunction after the object lists them as a
    # second item ("support to border management and migrant referral mechanisms")
    listed_after: tuple[str, ...] = ()
    # roles that cancel anywhere after the match when its first word is a training word: what
    # the trainees learn often follows the list of who they are and where they serve ("forme
    # 400 agents en poste ... au poste frontalier de Pamelap ... : libre circulation, ...")
    taught_unless: tuple[str, ...] = ()


class Hit(NamedTuple):  # a NamedTuple for the same reason as Frame
    """A frame found in sentence `sentence` (of one text), words start..end (end exclusive;
    with reach: next, words past the sentence's own continue into the next one)."""

    frame: str
    sentence: int
    start: int
    end: int
    negated: bool
    weak: bool


@lru_cache(maxsize=1)
def frame_data() -> dict:
    return yamlread.load_trusted(FRAMES_FILE) or {}


def frame_definitions() -> dict:
    """The `frames` part of frames.yaml: the bundle keeps it apart from the role lexemes (most
    of the file), which a run with the shipped lexeme index never needs."""
    return _part("frames")


@lru_cache(maxsize=1)
def named_concepts() -> frozenset:
    """The lexicon concepts whose mention no negation denies (frames.yaml `named_concepts`)."""
    return frozenset(_part("named_concepts") or ())


def _part(name: str) -> dict:
    part = yamlread.load_trusted_part(FRAMES_FILE, name)
    return part if part is not None else frame_data().get(name) or {}


@lru_cache(maxsize=1)
def frames() -> dict[str, Frame]:
    out = {}
    # phrases inside which a role's words never count, in any frame (`role_not_inside`)
    role_not_inside = _part("role_not_inside")
    for name, raw in frame_definitions().items():
        roles = tuple(raw["roles"])
        shared = [
            other
            for role in roles
            for part in role.split("|")
            for other in role_not_inside.get(part, ())
        ]
        out[name] = Frame(
            name=name,
            doc=raw.get("doc", ""),
            roles=roles,
            window=raw.get("window"),
            unless=tuple(raw.get("unless") or ()),
            # [] for a frame whose own roles carry the negation ("not foreseen")
            negated_by=tuple(raw["negated_by"]) if "negated_by" in raw else ("negation",),
            reach=raw.get("reach", "sentence"),
            weak=bool(raw.get("weak")),
            category=raw.get("category"),
            hedges=raw.get("hedges", True),
            wide_unless=tuple(raw.get("wide_unless") or ()),
            wide_window=raw.get("wide_window"),
            distinct=bool(raw.get("distinct")),
            text_unless=tuple(raw.get("text_unless") or ()),
            negation_near=raw.get("negation_near"),
            negation_until=bool(raw.get("negation_until")),
            negation_before=raw.get("negation_before"),
            not_inside=tuple(dict.fromkeys([*(raw.get("not_inside") or ()), *shared])),
            listed_after=tuple(raw.get("listed_after") or ()),
            taught_unless=tuple(raw.get("taught_unless") or ()),
        )
    return out


def lexemes(role: dict, lang: str) -> list[str]:
    return list(role.get(lang) or []) + list(role.get("all") or [])


def lexeme_index(data: dict, table: dict, lang: str) -> dict:
    """The role lexemes of one language as a Matcher looks them up, from the frames data and
    the language's form table: plain data, which scripts/compile_data.py ships beside the form
    table (building it was a fifth of the first screening in a language's text work)."""
    single: dict[str, list[str]] = {}
    exact: dict[str, list] = {}
    prefixes: dict[str, list] = {}
    groups = {**(data.get("markers") or {}), **(data.get("roles") or {})}
    # Groups read by the words as written, not their lemmas: "zou" is a hedge, its lemma
    # "zullen" (the Dutch future, "zal") is not.
    surface = set(data.get("surface") or ())
    for role, entries in groups.items():
        for text in lexemes(entries, lang):
            parts = _parts(str(text), {} if role in surface else table)
            if not parts:
                continue
            kind, first = parts[0]
            if kind == "exact" and len(parts) == 1:
                roles = single.setdefault(first, [])
                if role not in roles:
                    roles.append(role)
            elif kind == "exact":
                exact.setdefault(first, []).append((role, _pack(parts)))
            else:
                prefixes.setdefault(first[:3], []).append((role, _pack(parts)))
    return {"single": single, "exact": exact, "prefixes": prefixes}


# A lexeme's parts kept as one string ("frais d*"), unpacked for the words a text has: the
# shipped index is read on every first screening in a language, and nested lists took three
# times as long to read as strings.
def _pack(parts: tuple) -> str:
    return " ".join(value + "*" if kind == "prefix" else value for kind, value in parts)


def _unpack(packed: str) -> tuple:
    return tuple(
        ("prefix", word[:-1]) if word.endswith("*") else ("exact", word)
        for word in packed.split(" ")
    )


def _parts(text: str, table: dict) -> tuple:
    prefix = text.endswith("*")
    plain = text.rstrip("*")
    if plain.isascii() and plain.replace(" ", "").isalpha() and plain.islower():
        words = plain.split()  # most lexemes: no need for the tokeniser
    else:
        words, _starts = tokenise(plain)
    parts = [("exact", table.get(w, w)) for w in words]
    if prefix and parts:
        parts[-1] = ("prefix", words[-1])
    return tuple(parts)


class Matcher:
    """The frames of one language, compiled: role lexemes as lemma tuples, indexed by first
    word (exact) or by the first three letters of a prefix."""

    def __init__(self, lang: str):
        table = forms(lang)
        index = shipped_index(lang) or lexeme_index(frame_data(), table, lang)
        self.frames = frames()
        self.by_first: dict[str, list[Frame]] = {}  # a frame is tried when its first role is
        # A reach-next frame's first roles (read in a sentence) and later ones (in the next).
        self.split_roles: dict[str, tuple[set, set]] = {}
        for frame in self.frames.values():
            for role in frame.roles[0].split("|"):
                self.by_first.setdefault(role, []).append(frame)
            self.split_roles[frame.name] = (
                set(frame.roles[0].split("|")),
                {r for role in frame.roles[1:] for r in role.split("|")},
            )
        # The same by frame number, for the matcher's inner loop: sorting numbers is cheaper
        # than sorting frames by a key.
        self.frame_list = list(self.frames.values())
        self.first_of = {
            role: tuple(self.frame_list.index(f) for f in frames)
            for role, frames in self.by_first.items()
        }
        # What match() asks of each frame, read once: its `unless` roles of the whole text,
        # whether its later roles are in the next sentence, and the other roles it needs in
        # the same sentence, each as its alternatives (a|b). Most frames tried in a sentence
        # lack one of those, so that test comes first and without a call.
        self.plan = [
            (
                frame,
                frame.text_unless,
                frame.reach == "next",
                tuple(tuple(role.split("|")) for role in frame.roles[1:]),
            )
            for frame in self.frame_list
        ]
        # One-word lexeme (lemma or form) -> roles; first lemma of a longer lexeme -> (role,
        # parts); first 3 letters of a prefix -> (role, parts). See lexeme_index.
        self.single: dict[str, list[str]] = index["single"]
        self.exact: dict[str, list] = index["exact"]  # packed: see _pack
        self.prefixes: dict[str, list] = {
            start: [(role, _unpack(packed)) for role, packed in entries]
            for start, entries in index["prefixes"].items()
        }
        # word -> its entry; the lemma is a function of the word in one language (lemmas.py)
        self.memo: dict[str, tuple] = {}

    def _entry(self, word: str, lemma: str) -> tuple[tuple[str, ...], tuple, frozenset | None]:
        """(roles a word is by itself, lexemes of several words that may start at it, the gate
        of words one of which a sentence must have for any of those), worked out once per
        distinct word: texts repeat their words. A lexeme is (role, parts, n, need): n >= 0
        when the lexeme n before it in the list has the same words (another role's), so its
        end is that one's, not looked for again; need is the exact words of its later parts;
        a role's second lexeme of the same words is left out (it could add nothing)."""
        entry = self.memo.get(word)
        if entry is not None:
            return entry
        roles = list(self.single.get(lemma, ()))
        longer = [(role, _unpack(packed)) for role, packed in self.exact.get(lemma, ())]
        if word != lemma:
            roles += [r for r in self.single.get(word, ()) if r not in roles]
            longer += [(role, _unpack(packed)) for role, packed in self.exact.get(word, ())]
        for role, parts in self.prefixes.get(word[:3], ()):
            if not word.startswith(parts[0][1]):
                continue  # the lexeme cannot start at this word
            if len(parts) > 1:
                longer.append((role, parts))
            elif role not in roles:
                roles.append(role)
        entry = (tuple(roles), *_shared(longer)) if roles or longer else _NOTHING
        if any(ch.isdigit() for ch in word):
            return entry  # numbers and codes rarely repeat: kept, they would only fill the memo
        if len(self.memo) > 50_000:  # a long batch of many languages' words
            self.memo.clear()
        self.memo[word] = entry
        return entry

    def roles(self, words: list[str], lemmas: list[str]) -> dict[str, list[tuple[int, int]]]:
        """role -> (start, end) of every lexeme of it found in the sentence."""
        found: dict[str, list[tuple[int, int]]] = {}
        size = len(words)
        memo = self.memo
        present: set | None = None  # the sentence's words and lemmas, once a lexeme needs them
        for i, entry in enumerate(map(memo.get, words)):
            if entry is _NOTHING:  # most words play no role
                continue
            if entry is None:
                entry = self._entry(words[i], lemmas[i])
                if entry is _NOTHING:
                    continue
            roles, longer, gate = entry
            for role in roles:
                spans = found.get(role)
                if spans is None:
                    found[role] = [(i, i + 1)]
                else:
                    spans.append((i, i + 1))
            if not longer:
                continue
            if present is None:
                present = set(words)
                present.update(lemmas)
            if gate is not None and present.isdisjoint(gate):
                continue  # no lexeme's second word is in the sentence ("in", "la", "van")
            ends: list[int] = []
            for role, parts, same, need in longer:
                if same >= 0:  # another role's lexeme of the same words: its end
                    end = ends[same]
                elif present.issuperset(need):  # else a later word is missing from the sentence
                    end = _match_from(parts, words, lemmas, i, size)
                else:
                    end = 0
                ends.append(end)
                if end:
                    spans = found.setdefault(role, [])
                    if (i, end) not in spans:
                        spans.append((i, end))
                        if end - i > len(parts):
                            _mark_gaps(found, parts, words, lemmas, i, end)
                        if role == "equip-act" and parts[-1][1] in TOWARDS:
                            found.setdefault(FORWARD, []).append((i, end))
        return found

    def match(
        self, sentences: list[tuple[list[str], dict]], breaks: frozenset = frozenset()
    ) -> list[Hit]:
        """Every frame in a text given as (words, roles found) per sentence; breaks: the
        sentences a paragraph ends with (a frame's "next sentence" is in the same paragraph)."""
        hits: list[Hit] = []
        in_text: set | None = None  # every role of the text, once a frame asks
        for index, (words, found) in enumerate(sentences):
            if not found:  # a sentence with no role starts no frame
                continue
            tried: set[int] = set()
            for role in found:
                first = self.first_of.get(role)
                if first is not None:
                    tried.update(first)
            plan = self.plan
            for n in sorted(tried):  # in the order of frames.yaml, as the hits are reported
                frame, text_unless, later, needs = plan[n]
                if later:
                    if index + 1 == len(sentences) or index in breaks:
                        continue  # no next sentence for its later roles
                else:
                    lacking = False  # every needed role (one of its alternatives) found?
                    for alternatives in needs:
                        for role in alternatives:
                            if role in found:
                                break
                        else:
                            lacking = True
                            break
                    if lacking:
                        continue
                if text_unless:
                    if in_text is None:
                        in_text = set().union(*(roles for _words, roles in sentences))
                    if not in_text.isdisjoint(text_unless):
                        continue
                if later:
                    # Its first role in this sentence, its other roles in the next one (the
                    # same sentence is another frame's); markers from both.
                    shift = len(words)
                    nxt = sentences[index + 1][1]
                    first, others = self.split_roles[frame.name]
                    merged = {
                        role: (found.get(role, []) if role not in others else [])
                        + (
                            [(s + shift, e + shift) for s, e in nxt.get(role, [])]
                            if role not in first
                            else []
                        )
                        for role in set(found) | set(nxt)
                    }
                else:
                    merged = found
                    if frame.taught_unless and index + 1 < len(sentences) and index not in breaks:
                        merged = _taught_next(frame, found, len(words), sentences[index + 1][1])
                hit = _frame_hit(frame, merged, index)
                if hit is not None:
                    hits.append(hit)
        return hits


# Words at the start of the next sentence in which what a training covers may be said
# ("Training for the Border Police is delivered by the Ombudsman. It covers the right to ...").
TAUGHT_NEXT = 12


def _taught_next(frame: Frame, found: dict, shift: int, nxt: dict) -> dict:
    """found, with the taught_unless roles the next sentence opens with, placed after it."""
    extra = {
        role: [(s + shift, e + shift) for s, e in nxt.get(role, ()) if s < TAUGHT_NEXT]
        for role in frame.taught_unless
    }
    if not any(extra.values()):
        return found
    return {**found, **{role: found.get(role, []) + spans for role, spans in extra.items()}}


_NOTHING: tuple = ((), (), None)  # the entry of a word that is no lexeme and starts none


def _shared(longer: list) -> tuple[tuple, frozenset | None]:
    """The lexemes that may start at a word, in their order, each with the index of an earlier
    one of the same words (or -1) and the exact words of its later parts; and the gate of
    words one of which a sentence must have for any of them to match (see Matcher._entry)."""
    out: list[tuple] = []
    first: dict[tuple, int] = {}
    seen: set[tuple] = set()
    for role, parts in longer:
        key = parts  # a tuple of (kind, value) pairs (_unpack)
        if (role, key) in seen:
            continue
        seen.add((role, key))
        out.append((role, parts, first.setdefault(key, len(out))))
    marked = tuple(
        (role, parts, -1 if same == n else same, tuple(v for k, v in parts[1:] if k == "exact"))
        for n, (role, parts, same) in enumerate(out)
    )
    # None when one of them has no exact later word to look for.
    needs = [need for _r, _p, _s, need in marked]
    return marked, frozenset(need[0] for need in needs) if all(needs) else None


def _match_from(parts, words, lemmas, i, size) -> int:
    """End (exclusive) of the lexeme `parts` starting at word i, or 0. Its first part is
    known to match word i (Matcher._entry offers only such lexemes). Each later part may
    follow within GAP words; an exact part is a lemma or word, any other a prefix."""
    at = i + 1
    for kind, value in parts[1:]:
        stop = at + 1 + GAP
        if stop > size:
            stop = size
        for j in range(at, stop):  # inlined: this runs for every candidate lexeme
            if (
                lemmas[j] == value or words[j] == value
                if kind == "exact"
                else words[j].startswith(value)
            ):
                at = j + 1
                break
        else:
            return 0
    return at


# Markers whose phrases hold a negation word that denies nothing (frames.yaml `markers`).
NEGATING_NOTHING = ("status-phrase", "not-only", "limit-phrase", "prevent-leaving")
# Words before a lexicon phrase that a negation may stand in for the phrase to be denied
# ("does not aim to reduce or stop migration"); an exclusion reaches EXCLUSION_BEFORE.
MENTION_NEGATION = 8


class Denials(NamedTuple):
    """Where one sentence denies (word indexes): its negation and exclusion words that deny
    something; the words a denial does not reach past: "until / unless" (a negated release
    is a condition) and the start of another clause ("but", "that", "mais", "que", "maar",
    "dat"); and the words that join the items of a list, "or" and "and"."""

    negations: tuple[int, ...]
    exclusions: tuple[int, ...]
    stops: tuple[int, ...]
    alternatives: tuple[int, ...]
    conjunctions: tuple[int, ...]

    def deny(self, start: int, cuts: tuple[int, ...] = ()) -> bool:
        """Whether the words from `start` on are denied: a negation at most MENTION_NEGATION
        words before them, or an exclusion at most EXCLUSION_BEFORE, with no stop and no cut
        (a word after a clause's punctuation, reader.Reading) between."""
        near = self.stops + cuts

        def reaches(at: int, limit: int) -> bool:
            return 0 < start - at <= limit and not any(at < s <= start for s in near)

        # the last item of a list is as near as its first ("not conditional on readmission,
        # return or border control")
        joined = start - 1 in self.alternatives or start - 1 in self.conjunctions
        limit = MENTION_NEGATION + (LIST_ITEMS if joined else 0)
        return any(reaches(n, limit) for n in self.negations) or any(
            reaches(e, EXCLUSION_BEFORE) for e in self.exclusions
        )


def denials(found: dict) -> Denials | None:
    """A sentence's Denials from the roles found in it, None when nothing in it denies."""
    if "negation" not in found and "exclusion" not in found:
        return None
    nothing = {i for m in NEGATING_NOTHING for a, b in found.get(m, ()) for i in range(a, b)}
    negations = tuple(s for s, _e in found.get("negation", ()) if s not in nothing)
    exclusions = tuple(s for s, _e in found.get("exclusion", ()))
    if not negations and not exclusions:
        return None
    stops = tuple(s for m in ("until", "clause") for s, _e in found.get(m, ()))
    alternatives = tuple(s for s, _e in found.get("alternative", ()))
    conjunctions = tuple(s for s, _e in found.get("conjunction", ()))
    return Denials(negations, exclusions, stops, alternatives, conjunctions)


GAPS = "~gap"  # a pseudo-role: the words that came between a lexeme's words
# Support that ends in a preposition ("support to", "appui aux", "steun aan") names what it
# goes to after it: its object is looked for after it only (pseudo-role FORWARD). Not other
# roles' lexemes: "charged to" takes what is charged before it.
FORWARD = "~forward"
TRAINING = "training-act"  # the role whose words make a match's taught_unless apply
TOWARDS = frozenset({"to", "for", "aux", "au", "a", "aan", "voor"})


def _mark_gaps(found: dict, parts, words, lemmas, i: int, end: int) -> None:
    """Record the words that came between the words of the lexeme found at i..end: they are
    not part of it, so a negation among them ("ne prendra pas en charge", "blijven niet
    vacant") still negates. Each part's word is where the lexeme cut after it ends."""
    lexeme_words = {i} | {
        _match_from(parts[: k + 1], words, lemmas, i, end) - 1 for k in range(1, len(parts))
    }
    gaps = found.setdefault(GAPS, [])
    gaps.extend((j, j + 1) for j in range(i + 1, end - 1) if j not in lexeme_words)


def _spans(found: dict, role: str) -> list:
    """The spans of a role, or of any of several roles written a|b."""
    if "|" not in role:
        return found.get(role, [])
    return [span for part in role.split("|") for span in found.get(part, ())]


def _frame_hit(frame: Frame, found: dict, index: int) -> Hit | None:
    spans_of = {role: _spans(found, role) for role in frame.roles}
    if not all(spans_of.values()):
        return None
    if frame.not_inside:
        covers = [span for role in frame.not_inside for span in found.get(role, ())]
        if covers:
            spans_of = {
                role: [s for s in spans if not any(a <= s[0] and s[1] <= b for a, b in covers)]
                for role, spans in spans_of.items()
            }
            if not all(spans_of.values()):
                return None
    candidates = []
    # "... those held in custody, and support to civil society": support named after the
    # object, as the next item of a list, goes to that item, not to the object (unlike
    # "posts will be built and equipped", whose verbs take the object before them)
    supports = (
        set(found["cooperate"])
        if "cooperate" in found and frame.roles[0].split("|")[0] == "fund"
        else ()
    )
    joins = {e for _s, e in found.get("conjunction", ())} if supports else ()
    two = len(frame.roles) == 2
    distinct = frame.distinct
    for anchor in spans_of[frame.roles[0]]:
        if two:
            # The nearest object on each side: "the envelope covers, besides reintegration,
            # the charter flights" is about the flights after it, not the removals before it
            first, last = anchor
            before = after = None
            forward = anchor in found.get(FORWARD, ())
            for span in spans_of[frame.roles[1]]:
                if span[0] < first:
                    if forward:
                        continue
                    if (before is None or span > before) and (span[1] <= first or not distinct):
                        before = span
                elif (after is None or span < after) and (span[0] >= last or not distinct):
                    after = span
            extents = []
            if before is not None:
                extents.append((before[0], max(last, before[1])))
            if after is not None:
                extents.append((first, max(last, after[1])))
        else:
            start, end = anchor
            extents = []
            for role in frame.roles[1:]:
                spans = spans_of[role]
                if frame.distinct:
                    spans = [s for s in spans if s[1] <= anchor[0] or s[0] >= anchor[1]]
                    if not spans:
                        break
                near = min(spans, key=lambda s: (abs(s[0] - anchor[0]), s[0]))
                start, end = min(start, near[0]), max(end, near[1])
            else:
                extents = [(start, end)]
        for start, end in extents:
            if (
                anchor in supports
                and end == anchor[1]
                and any(
                    start < b and anchor[0] - 1 <= b <= anchor[0]
                    for b in joins  # "and the support"
                )
            ):
                continue
            if frame.window is None or end - start <= frame.window + 4:
                candidates.append((end - start, start, end, anchor))
    if not candidates:
        return None
    # The tightest match that no `unless` role cancels (services TO detainees next to it).
    # A service word followed by "and", before the control object, is listed beside it, not
    # about it ("migration, reception and border management"); after the object, it is what
    # the object's people receive ("deported migrants receive care and legal support").
    conjunctions = {s for s, _e in found.get("conjunction", ())}
    besides = [s for s, _e in found.get("besides", ())]
    objects = spans_of[frame.roles[-1]]

    def around(role: str) -> int:
        if role in frame.wide_unless:
            return frame.wide_window or WIDE_UNLESS
        return UNLESS_AROUND

    def listed(start_of_service: int, end_of_service: int, end: int) -> bool:
        joined = end_of_service in conjunctions or end_of_service + 1 in conjunctions
        # "outre l'appui à la réinsertion, l'affrètement des vols": listed beside, after besides
        joined = joined or any(b < start_of_service <= b + 6 for b in besides)
        return joined and any(end_of_service <= s < end for s, _e in objects)

    def listed_after(start_of_other: int) -> bool:
        # "support to border management and migrant referral mechanisms": rights work named
        # after the object and a conjunction is a second item, not what the object is for
        return any(e in conjunctions and e < start_of_other <= e + 4 for _s, e in objects)

    # Words inside a lexeme of the frame's own roles are part of what it looks for, neither
    # a negation of it ("travail non rémunéré") nor an `unless` beside it ("Protection Brigade");
    # nor is the negation word of a phrase that describes people ("sans papiers").
    own: set | None = None

    def inside(i: int) -> bool:
        nonlocal own
        if own is None:  # made only when a word near the match asks
            own = {
                i for spans in spans_of.values() for a, b in spans if b - a > 1 for i in range(a, b)
            }
            own.difference_update(g for g, _e in found.get(GAPS, ()))
            # "nationals without valid documents", "not only", "not exceeding 15 days": their
            # negation word negates nothing
            for marker in NEGATING_NOTHING:
                own.update(i for a, b in found.get(marker, ()) for i in range(a, b))
        return i in own

    def swallowed(s: int, e: int) -> bool:
        # One word inside a longer lexeme of the frame ("Protection" in "Protection Brigade")
        # is part of what the frame looks for; a phrase read as another role ("held in
        # immigration custody" as people held, "border health" officers) says what it is
        return e - s == 1 and inside(s)

    after = frame.listed_after
    taught = frame.taught_unless and [
        s for role in frame.taught_unless for s, _e in found.get(role, ())
    ]
    training = taught and set(found.get(TRAINING, ()))
    for _size, start, end, anchor in sorted(candidates):
        if taught and anchor in training and any(s >= end for s in taught):
            continue
        if any(
            start - around(role) <= s < end + around(role)
            and not swallowed(s, e)
            and not (role == "service" and listed(s, e, end))
            and not (after and role in after and listed_after(s))
            for role in frame.unless
            for s, e in found.get(role, ())
        ):
            continue
        negations = [
            s
            for role in frame.negated_by
            for s, _e in found.get(role, ())
            if start - NEGATION_BEFORE <= s < end
        ]
        if negations and frame.negation_until:
            untils = [s for s, _e in found.get("until", ()) if s < end]
            negations = [n for n in negations if not any(n < u for u in untils)]
        if negations and frame.negation_before:
            firsts = [a for a, _b in found.get(frame.negation_before, ()) if start <= a < end]
            if firsts:
                negations = [n for n in negations if n < min(firsts)]
        if negations and frame.negation_near:
            parts = [a for spans in spans_of.values() for a, _b in spans if start <= a < end]
            near = frame.negation_near
            alternatives = {s for s, _e in found.get("alternative", ())}
            # The last item of a list ("nobody is stopped, delayed or turned back") is as near
            # to the negation as the list's first item.
            negations = [
                s
                for s in negations
                if any(
                    0 < a - s <= near + (LIST_ITEMS if a - 1 in alternatives else 0) for a in parts
                )
            ]
        if "negation" in frame.negated_by:
            # before the match, or inside it: "... personnes retenues au centre ; le projet ne
            # finance ni ..." (its money word is the exclusion's own)
            negations += [
                s for s, _e in found.get("exclusion", ()) if start - EXCLUSION_BEFORE <= s < end
            ]
        hedges = frame.hedges and [
            s for s, _e in found.get("hedge", ()) if start - HEDGE_BEFORE <= s < end
        ]
        if negations or hedges:
            negations = [s for s in negations if not inside(s)]
            hedges = hedges and [s for s in hedges if not inside(s)]
        return Hit(frame.name, index, start, end, bool(negations), frame.weak or bool(hedges))
    return None


@lru_cache(maxsize=4)
def matcher(lang: str) -> Matcher:
    return Matcher(lang)
