"""The condition language of the rules: a small declarative tree evaluated in three-valued logic.

A condition is ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}`` or a predicate: one subject
(path, fact, share, count) and one operator. A predicate on a missing value is *unknown*
(None), never false, so a rule that needs absent data answers "unclear" and names the field.

Subjects and operators live in the two registries below; the rule schema and the operator
reference in the docs are generated from them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

Truth = bool | None  # None = unknown
PathT = tuple


class ConditionError(ValueError):
    """A condition that is not well formed; the message names the offending part."""


# The classes of this module are plain classes, not dataclasses: they are made at import on
# every run, and a dataclass's generated methods are compiled from source each time
# (bench/README.md, "Start-up").


class Outcome:
    """A truth value, the evidence that decided it and the fields whose absence left it unknown."""

    __slots__ = ("value", "evidence", "missing", "scope")

    def __init__(self, value: Truth, evidence=None, missing=None, scope=None):
        self.value = value
        self.evidence: list[tuple[PathT, object]] = [] if evidence is None else evidence
        self.missing: list[PathT] = [] if missing is None else missing
        self.scope: list[tuple[PathT, object]] = [] if scope is None else scope  # made it apply

    def __eq__(self, other):
        return isinstance(other, Outcome) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__
        )

    def __repr__(self):
        return f"Outcome({self.value!r}, {self.evidence!r}, {self.missing!r}, {self.scope!r})"


class Context:
    """Everything a condition may look at. Built by the engine; conditions never do I/O."""

    def __init__(self, data: dict, facts: dict, refdata, as_of: date, lexicon):
        self.data = data
        self.facts = facts  # name -> Fact (see facts.py): .value, .sources, .missing
        self.refdata = refdata
        self.as_of = as_of
        self.lexicon = lexicon  # text.Lexicon: concept -> phrases
        # Many rules ask for the same fields: each path is followed once per proposal.
        self.resolved: dict = {}
        # Rules share conditions (compile_condition interns them): each is evaluated once per
        # base.
        self.memo: dict = {}
        # Truth values alone, likewise once per node and base (most rules need nothing more).
        self.truths: dict = {}
        # The values at a path without their concrete paths, for truth values: (values, lost).
        self.valued: dict = {}

    def resolve(self, path: tuple, base: PathT) -> tuple[tuple, tuple]:
        key = (path, base)
        if key not in self.resolved:
            found, missing = resolve(value_at(self.data, base), path, base)
            self.resolved[key] = (found, missing)  # shared: read, never changed
        return self.resolved[key]

    def values(self, path: tuple, base: PathT) -> tuple[list, int]:
        """The values at path (as resolve finds them) and how many branches are missing,
        without building the path of each: a truth value needs no more."""
        key = (path, base)
        done = self.valued.get(key)
        if done is None:
            done = self.valued[key] = values_at(value_at(self.data, base), path)
        return done


# --------------------------------------------------------------------------- paths

_SEGMENT = re.compile(r"^([A-Za-z_][\w-]*)((?:\[(?:\*|\d+)\])*)$")
_INDEX = re.compile(r"\[(\*|\d+)\]")


def parse_path(text: str) -> tuple:
    """'activities[*].category' -> ('activities', '*', 'category')."""
    if not isinstance(text, str) or not text:
        raise ConditionError(f"a path must be non-empty text, got {text!r}")
    parts: list = []
    for segment in text.split("."):
        match = _SEGMENT.match(segment)
        if not match:
            raise ConditionError(f"bad path {text!r} at {segment!r}")
        parts.append(match.group(1))
        for index in _INDEX.findall(match.group(2)):
            parts.append("*" if index == "*" else int(index))
    return tuple(parts)


def resolve(root, path: tuple, base: PathT = ()) -> tuple[list[tuple[PathT, object]], list[PathT]]:
    """Follow a parsed path from root; return (found (path, value) pairs, missing paths).

    A wildcard over a list yields one branch per element. A key that is absent or null is
    missing. An empty list under a wildcard yields nothing and is not missing.
    """
    found: list = []
    missing: list = []

    def walk(node, rest, where):
        if not rest:
            if node is None:
                missing.append(where)
            else:
                found.append((where, node))
            return
        head, tail = rest[0], rest[1:]
        if head == "*":
            if not isinstance(node, list):
                missing.append(where)
                return
            for index, item in enumerate(node):
                walk(item, tail, (*where, index))
        elif isinstance(head, int):
            if isinstance(node, list) and head < len(node):
                walk(node[head], tail, (*where, head))
            else:
                missing.append((*where, head))
        else:
            if isinstance(node, dict) and node.get(head) is not None:
                walk(node[head], tail, (*where, head))
            else:
                # Name the field asked for, not just its absent parent; under a wildcard,
                # the list itself is what is missing.
                rest = tail[: tail.index("*")] if "*" in tail else tail
                missing.append((*where, head, *rest))

    walk(root, path, base)
    return found, missing


def values_at(root, path: tuple) -> tuple[list, int]:
    """resolve(root, path) without the paths: (the values found, the number missing)."""
    nodes, lost = [root], 0
    for head in path:
        ahead = []
        if head == "*":
            for node in nodes:
                if isinstance(node, list):
                    ahead.extend(node)
                else:
                    lost += 1
        elif isinstance(head, int):
            for node in nodes:
                if isinstance(node, list) and head < len(node):
                    ahead.append(node[head])
                else:
                    lost += 1
        else:
            for node in nodes:
                value = node.get(head) if isinstance(node, dict) else None
                if value is None:
                    lost += 1
                else:
                    ahead.append(value)
        nodes = ahead
    found = [node for node in nodes if node is not None]
    return found, lost + len(nodes) - len(found)


def value_at(data, base: PathT):
    node = data
    for part in base:
        node = node[part]
    return node


# --------------------------------------------------------------------------- logic


def kleene_and(values) -> Truth:
    result: Truth = True
    for value in values:
        if value is False:
            return False
        if value is None:
            result = None
    return result


def kleene_or(values) -> Truth:
    result: Truth = False
    for value in values:
        if value is True:
            return True
        if value is None:
            result = None
    return result


# --------------------------------------------------------------------------- subjects
# A subject yields "items" (concrete path, value) to test, the missing paths, and whether
# it ranges over many elements (a wildcard) so that the quantifier applies.


class Items:
    __slots__ = ("found", "missing", "many", "bounds")

    def __init__(self, found: list, missing: list, many: bool, bounds=None):
        self.found: list[tuple[PathT, object]] = found
        self.missing: list[PathT] = missing
        self.many = many
        self.bounds: tuple[float, float] | None = bounds  # share/count: (lowest, highest)


def _subject_path(arg, ctx: Context, base: PathT) -> Items:
    paths, many = arg
    if len(paths) == 1:
        found, missing = ctx.resolve(paths[0], base)
        return Items(found, missing, many)  # read only: shared with ctx.resolved
    found, missing = [], []
    for path in paths:
        got, lost = ctx.resolve(path, base)
        found += got
        missing += lost
    return Items(found, missing, many)


def _subject_fact(name, ctx: Context, base: PathT) -> Items:
    fact = ctx.facts[name]
    if fact.value is None:
        return Items([], list(fact.missing) or [("facts", name)], False)
    return Items([(("facts", name), fact.value)], [], False)


def _activity_bounds(spec, ctx: Context, base: PathT, weigh) -> Items:
    """Sum weigh(element) over the elements matching spec['where'], as (low, high) bounds."""
    path = spec.get("path", ("activities", "*"))
    elements, lost = ctx.resolve(path, base)
    missing = list(lost)
    where = spec.get("where")
    low = high = 0.0
    evidence: list = []
    for element_path, element in elements:
        outcome = where.evaluate(ctx, element_path) if where is not None else Outcome(True)
        if outcome.value is False:
            continue
        weight, weight_missing = weigh(element_path, element)
        if weight is None:
            missing += weight_missing
            high = float("inf")
            continue
        high += weight
        if outcome.value is True:
            low += weight
            evidence += outcome.evidence or [(element_path, element.get("category", element))]
        else:
            missing += outcome.missing
    return Items(evidence, missing, False, bounds=(low, high))


def _subject_share(spec, ctx: Context, base: PathT) -> Items:
    total_fact = ctx.facts.get("share_denominator")
    total = total_fact.value if total_fact is not None else None
    if not total:
        lost = list(total_fact.missing) if total_fact is not None else [("budget", "total")]
        return Items([], lost or [("budget", "total")], False)

    def weigh(element_path, element):
        budget = element.get("budget") if isinstance(element, dict) else None
        return (budget, []) if budget is not None else (None, [(*element_path, "budget")])

    items = _activity_bounds(spec, ctx, base, weigh)
    low, high = items.bounds
    items.bounds = (low / total, min(high / total, 1.0) if high != float("inf") else 1.0)
    if not (items.found or items.missing) and not value_at(ctx.data, base).get("activities"):
        items.missing.append((*base, "activities"))
    return items


def _subject_count(spec, ctx: Context, base: PathT) -> Items:
    items = _activity_bounds(spec, ctx, base, lambda _path, _element: (1, []))
    spec_path = spec.get("path", ("activities", "*"))
    prefix = tuple(p for p in spec_path if p != "*")[:1]
    if prefix and value_at(ctx.data, base).get(prefix[0]) is None:
        items.missing.append((*base, *prefix))
        items.bounds = (items.bounds[0], float("inf"))
    return items


def _subject_text(arg, ctx: Context, base: PathT) -> Items:
    """The free-text values of the proposal (or, inside share/count, of one element)."""
    found = None if base else ctx.memo.get(("texts", arg))  # several rules read the same group
    if found is None:
        from pcd_screen.engine.text.reader import ELEMENT_FIELDS, TEXT_FIELDS, texts_of

        if base:
            node = value_at(ctx.data, base)
            found = [((*base, *path), text) for path, text in texts_of(node, ELEMENT_FIELDS)]
        else:
            fields = TEXT_GROUPS.get(arg) or TEXT_FIELDS
            found = ctx.memo["texts", arg] = texts_of(ctx.data, fields)
    return Items(found, [], True)


def _compile_text(arg, _compile):
    if arg not in TEXT_GROUPS:
        raise ConditionError(f"text must be one of {', '.join(TEXT_GROUPS)}, got {arg!r}")
    return arg


# Groups of free-text fields a rule may read with `text:` (paths from the proposal).
TEXT_GROUPS = {
    "all": None,  # every free-text field (engine.text.reader.TEXT_FIELDS)
    "conditions": (("conditions", "*", "text"),),
    "results": (("results", "*", "statement"), ("results", "*", "indicators", "*", "name")),
    "indicators": (("results", "*", "indicators", "*", "name"),),
    "aims": (
        ("summary",),
        ("objectives",),
        ("objectives", "*"),
        ("results", "*", "statement"),
        ("results", "*", "indicators", "*", "name"),
    ),
}


class Subject(NamedTuple):
    name: str
    schema: dict
    doc: str
    compile: Callable
    evaluate: Callable


def _compile_path(arg, _compile):
    """(paths, many): many when the subject ranges over several values (a wildcard or a list)."""
    if isinstance(arg, list):
        if not arg:
            raise ConditionError("a list of paths must not be empty")
        paths = tuple(parse_path(item) for item in arg)
    else:
        paths = (parse_path(arg),)
    return paths, len(paths) > 1 or any("*" in path for path in paths)


def _compile_fact(arg, _compile):
    if not isinstance(arg, str):
        raise ConditionError(f"fact must be a name, got {arg!r}")
    from pcd_screen.engine.facts import FACT_NAMES, PORTFOLIO_FACT_DOCS

    known = FACT_NAMES | set(PORTFOLIO_FACT_DOCS)
    if arg not in known:
        raise ConditionError(f"unknown fact {arg!r}; known facts: {', '.join(sorted(known))}")
    return arg


def _compile_over(arg, compile_condition):
    if not isinstance(arg, dict):
        raise ConditionError(f"expected a mapping with 'where' (and for count 'path'), got {arg!r}")
    unknown = set(arg) - {"path", "where"}
    if unknown:
        raise ConditionError(
            f"unexpected key(s) {', '.join(sorted(unknown))}; allowed: path, where"
        )
    spec: dict = {}
    if "path" in arg:
        spec["path"] = parse_path(arg["path"])
    if "where" in arg:
        spec["where"] = compile_condition(arg["where"])
    return spec


_PATH_SCHEMA = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
    ]
}
_OVER_SCHEMA = {
    "type": "object",
    "properties": {"path": {"type": "string"}, "where": {"$ref": "#/$defs/condition"}},
    "additionalProperties": False,
}

SUBJECTS: dict[str, Subject] = {
    s.name: s
    for s in (
        Subject(
            "path",
            _PATH_SCHEMA,
            "a field of the proposal, e.g. activities[*].category ([*] = every element); "
            "a list of paths tests them together",
            _compile_path,
            _subject_path,
        ),
        Subject(
            "fact",
            {"type": "string"},
            "a fact derived from the proposal, e.g. ldc_share (see the list of facts)",
            _compile_fact,
            _subject_fact,
        ),
        Subject(
            "text",
            {"enum": list(TEXT_GROUPS)},
            "the free text of the proposal, as sentences: all (title, summary, description, "
            "objectives, activity titles and descriptions, condition texts, result statements, "
            "indicator names), conditions, results, indicators or aims (summary, objectives, "
            "results); inside share/count, the texts of one element",
            _compile_text,
            _subject_text,
        ),
        Subject(
            "share",
            _OVER_SCHEMA,
            "budget share (0 to 1) of the activities matching 'where' (paths inside are "
            "relative to one activity), of budget.total or else of the activity budgets",
            _compile_over,
            _subject_share,
        ),
        Subject(
            "count",
            _OVER_SCHEMA,
            "number of elements of 'path' (default activities[*]) matching 'where'",
            _compile_over,
            _subject_count,
        ),
    )
}


# --------------------------------------------------------------------------- operators
# Element tests take (value, argument, ctx) and return True/False/None for one value.
# Collection tests take the list of all values of the subject and return True/False.


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _compare(test):
    def apply(value, arg, _ctx):
        number = _number(value)
        return None if number is None else test(number, arg)

    return apply


# The first part of a missing "path" that names reference data without an answer.
REFERENCE_DATA = "reference-data"


def _in_list(value, list_id, ctx: Context):
    member, _why = ctx.refdata.membership(list_id, str(value), ctx.as_of)
    return member


def _flatten(values):
    out = []
    for value in values:
        if isinstance(value, list):
            out.extend(value)
        else:
            out.append(value)
    return out


def _mentions(values, concepts, ctx: Context):
    hits = []
    for value in values:
        if not isinstance(value, str):
            continue
        found = _affirmed(value, ctx)
        seen = set()  # 'readmission' and 'réadmission' are one hit
        for concept in concepts:
            for phrase in found.get(concept, ()):
                if (phrase.words, phrase.prefix) not in seen:
                    seen.add((phrase.words, phrase.prefix))
                    hits.append(phrase.text)
    return hits


def _affirmed(text: str, ctx: Context) -> dict:
    """Concept -> the lexicon phrases a text mentions where it does not deny them: "the
    project does not aim to reduce migration", "no part of the funding is conditional on
    readmission" mention neither (the text layer's negations, engine/text/frames.Denials)."""
    found = ctx.lexicon.matches(text)
    if not found:
        return found
    reading = _reading(text, ctx)
    if not any(reading.denying):
        return found
    named = ctx.memo.get("named-concepts")
    if named is None:
        from pcd_screen.engine.text.frames import named_concepts

        named = ctx.memo["named-concepts"] = named_concepts()
    kept = {}
    for concept, phrases in found.items():
        if concept not in named:
            phrases = [p for p in phrases if reading.affirms(p.words, p.prefix)]
        if phrases:
            kept[concept] = phrases
    return kept


class Operator(NamedTuple):
    name: str
    kind: str  # element | collection | presence | text
    schema: dict
    doc: str
    func: Callable | None = None


_ANY = {}
_LIST = {"type": "array", "minItems": 1}
_NUM = {"type": "number"}

OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("eq", "element", _ANY, "equals the value", lambda v, a, _c: v == a),
        Operator("ne", "element", _ANY, "differs from the value", lambda v, a, _c: v != a),
        Operator("in", "element", _LIST, "is one of the listed values", lambda v, a, _c: v in a),
        Operator(
            "not_in", "element", _LIST, "is none of the listed values", lambda v, a, _c: v not in a
        ),
        Operator("gt", "element", _NUM, "is greater than the number", _compare(lambda v, a: v > a)),
        Operator("gte", "element", _NUM, "is at least the number", _compare(lambda v, a: v >= a)),
        Operator("lt", "element", _NUM, "is less than the number", _compare(lambda v, a: v < a)),
        Operator("lte", "element", _NUM, "is at most the number", _compare(lambda v, a: v <= a)),
        Operator(
            "in_list",
            "element",
            {"type": "string"},
            "the country code is on a reference list as of the screening date "
            "(ldc, dac-recipients, ecowas, aes, au-fmp, eac, igad, sadc, free-movement)",
            _in_list,
        ),
        Operator("contains", "collection", _ANY, "the list holds the value", None),
        Operator(
            "contains_any", "collection", _LIST, "the list holds at least one of the values", None
        ),
        Operator(
            "contains_all", "collection", _LIST, "the list holds every one of the values", None
        ),
        Operator(
            "exists", "presence", {"const": True}, "the field is present (never unknown)", None
        ),
        Operator(
            "missing", "presence", {"const": True}, "the field is absent (never unknown)", None
        ),
        Operator(
            "mentions",
            "text",
            {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "the free text mentions one of the lexicon concepts (any language, accents and "
            "case ignored, whole words)",
            None,
        ),
        Operator(
            "says",
            "frames",
            {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "the free text says one of the concept frames (pcd_screen/data/frames/frames.yaml): "
            "a pattern over lemmas with roles, found in a sentence (in the proposal's language, "
            "inflections and a few inserted words allowed), not negated. True with the "
            "sentence quoted as evidence; unknown (the rule answers unclear and quotes the "
            "sentence) when only a weak or hedged form is found; false otherwise, also when "
            "there is no text",
            None,
        ),
        Operator(
            "pays_for",
            "frames",
            {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "the free text says the money pays for one of the activity categories listed: "
            "says one of the concept frames of that category (the `category` of each frame in "
            "pcd_screen/data/frames/frames.yaml), leaving out the weak ones; true with the "
            "sentence quoted, false otherwise, also when there is no text",
            None,
        ),
    )
}
_QUANTIFIERS = ("any", "all")


# --------------------------------------------------------------------------- compiled nodes


_UNSET = object()


class Node:
    # Nodes are told apart by identity (plain classes compare and hash so): they are the keys
    # of a proposal's memo, and equal conditions are one node anyway (compile_condition).
    # Only a node asked by more than one rule or condition is memoised: for the others the
    # memo would cost more than it saves.
    shared = False

    def evaluate(self, ctx: Context, base: PathT = ()) -> Outcome:
        """The outcome on ctx at base, worked out once per proposal: nodes are shared between
        rules, so outcomes are never changed once made."""
        if not self.shared:
            return self._evaluate(ctx, base)
        key = (self, base) if base else self
        outcome = ctx.memo.get(key)
        if outcome is None:
            outcome = ctx.memo[key] = self._evaluate(ctx, base)
        return outcome

    def _evaluate(self, ctx: Context, base: PathT) -> Outcome:  # pragma: no cover
        raise NotImplementedError

    def truth(self, ctx: Context, base: PathT = ()) -> Truth:
        """The truth value alone, the same as evaluate(...).value: an `all` stops at its first
        false part and an `any` at its first true one, and a predicate looks at values without
        gathering evidence. Most rules pass or do not apply, and then neither evidence nor
        missing fields are shown."""
        if not base:
            return (self._decider or self._build_decider())(ctx)
        if not self.shared:
            return self._truth(ctx, base)
        key = (self, base)
        value = ctx.truths.get(key, _UNSET)
        if value is _UNSET:
            done = ctx.memo.get(key)
            value = ctx.truths[key] = done.value if done is not None else self._truth(ctx, base)
        return value

    def _truth(self, ctx: Context, base: PathT) -> Truth:
        return self.evaluate(ctx, base).value

    # The truth value of the whole proposal (base ()) is what every rule asks first, so each
    # node is compiled, on first use, to a function of the context alone: a closure over its
    # children's functions and its own arguments, with no dispatch left for run time.
    _decider = None

    def _build_decider(self) -> Callable:
        raw = self._raw_decider()
        if not self.shared:
            self._decider = raw
            return raw
        node, memo = self, self  # memoised under the node, as evaluate() is

        def decide(ctx):
            value = ctx.truths.get(memo, _UNSET)
            if value is _UNSET:
                done = ctx.memo.get(node)
                value = ctx.truths[memo] = done.value if done is not None else raw(ctx)
            return value

        self._decider = decide
        return decide

    def _raw_decider(self) -> Callable:
        return lambda ctx: self._truth(ctx, ())

    def _child_decider(self, child: Node) -> Callable:
        return child._decider or child._build_decider()

    def facts_used(self) -> set[str]:
        return set()

    def nodes(self):
        """This node and every node under it."""
        yield self


class _Junction(Node):
    """all / any: the children's values combined in three-valued logic (kleene), where the
    decisive value (False for all, True for any) settles it at once."""

    def __init__(self, children: list[Node]):
        self.children = children

    def __repr__(self):
        return f"{type(self).__name__}({self.children!r})"

    def _evaluate(self, ctx, base):
        outs = [child.evaluate(ctx, base) for child in self.children]
        return _combine(self.kleene(o.value for o in outs), outs, decisive=self.decisive)

    def _truth(self, ctx, base):
        # kleene_and and kleene_or stop at the decisive value: later children are not asked.
        return self.kleene(child.truth(ctx, base) for child in self.children)

    def _raw_decider(self):
        deciders = [self._child_decider(child) for child in self.children]
        decisive = self.decisive

        def decide(ctx):  # the kleene function, inlined: it runs for every rule
            result: Truth = not decisive
            for child in deciders:  # later children are not asked once one is decisive
                value = child(ctx)
                if value is decisive:
                    return decisive
                if value is None:
                    result = None
            return result

        return decide

    def facts_used(self):
        return set().union(*(c.facts_used() for c in self.children))

    def nodes(self):
        yield self
        for child in self.children:
            yield from child.nodes()


class All(_Junction):
    decisive = False
    kleene = staticmethod(kleene_and)


class Any(_Junction):
    decisive = True
    kleene = staticmethod(kleene_or)


class Not(Node):
    def __init__(self, child: Node):
        self.child = child

    def __repr__(self):
        return f"Not({self.child!r})"

    def _raw_decider(self):
        child = self._child_decider(self.child)

        def decide(ctx):
            value = child(ctx)
            return None if value is None else not value

        return decide

    def _truth(self, ctx, base):
        value = self.child.truth(ctx, base)
        return None if value is None else not value

    def _evaluate(self, ctx, base):
        out = self.child.evaluate(ctx, base)
        return Outcome(None if out.value is None else not out.value, out.evidence, out.missing)

    def facts_used(self):
        return self.child.facts_used()

    def nodes(self):
        yield self
        yield from self.child.nodes()


def _combine(value: Truth, outs: list[Outcome], decisive: bool) -> Outcome:
    """Evidence from the children that decided the value; missing fields when it is unknown.

    The decisive value is True for `any` and False for `all`."""
    if value is None:
        # Unknown parts may carry evidence (a weak text signal quotes its sentence).
        return Outcome(
            None,
            [e for o in outs if o.value is None for e in o.evidence],
            [p for o in outs if o.value is None for p in o.missing],
        )
    chosen = [o for o in outs if o.value is decisive] if value is decisive else outs
    return Outcome(value, [e for o in chosen for e in o.evidence], [])


class Predicate(Node):
    def __init__(
        self, subject: Subject, subject_arg, operator: Operator, argument, quantifier="any"
    ):
        self.subject = subject
        self.subject_arg = subject_arg
        self.operator = operator
        self.argument = argument
        self.quantifier = quantifier
        self._prepare()

    def __repr__(self):
        return (
            f"Predicate({self.subject.name}={self.subject_arg!r}, "
            f"{self.operator.name}={self.argument!r}, quantifier={self.quantifier!r})"
        )

    def _prepare(self):
        # Worked out once here rather than on every evaluation: a rule runs on every proposal.
        kind = self.operator.kind
        if kind == "frames":
            self._frames = frozenset(self.argument)
        if kind == "collection":
            wanted = [self.argument] if self.operator.name == "contains" else self.argument
            self._wanted = list(dict.fromkeys(wanted))
        self._path = None  # the common subject, one path, is followed without an Items
        if self.subject.name == "path" and len(self.subject_arg[0]) == 1:
            self._path, self._many = self.subject_arg[0][0], self.subject_arg[1]
        self._test = {
            "presence": self._presence,
            "text": self._text,
            "frames": self._says,
            "collection": self._collection,
        }.get(kind, self._elements)
        # A field without wildcards or indices (most subjects) is read by a function made
        # for its path rather than followed step by step.
        self._field = None
        if self._path is not None and all(isinstance(p, str) and p != "*" for p in self._path):
            self._field = _field_reader(self._path)
        # The truth value from the values alone, where the kind allows it (see _truth).
        self._decide = {
            "presence": self._decide_presence,
            "text": self._decide_text,
            "collection": self._decide_collection,
            "element": self._decide_elements,
            "frames": self._decide_frames,
        }.get(kind)

    def facts_used(self):
        return {self.subject_arg} if self.subject.name == "fact" else set()

    def _raw_decider(self):
        kind, field = self.operator.kind, self._field
        if field is None or self._decide is None:
            return self._subject_decider() or (lambda ctx: self._truth(ctx, ()))
        if kind == "element":
            func, argument = self.operator.func, self.argument

            def compare(ctx):
                value = field(ctx.data)
                return None if value is None else func(value, argument, ctx)

            return compare
        if kind == "presence":
            present = self.operator.name == "exists"
            return lambda ctx: (field(ctx.data) is not None) is present
        decide = self._decide  # collection, text: the values at the path, one or none

        def at_field(ctx):
            return decide(*_one(field(ctx.data)), False, ctx)

        return at_field

    def _subject_decider(self) -> Callable | None:
        """The truth value on the whole proposal of a predicate on a fact, on a path with
        wildcards or several paths, or on the text: _truth(ctx, ()) without its dispatch, which
        about 35 predicates of the rules went through for every proposal. None where only
        _truth can tell (share, count)."""
        decide, subject = self._decide, self.subject.name
        if decide is None or subject in ("share", "count"):
            return None
        read, key = self._values_reader()
        kind = self.operator.kind
        if kind == "text":
            return _mentions_decider(read, ("concepts", key), frozenset(self.argument))
        if kind == "frames":
            return _frames_decider(read, ("frames", key), self._frames)
        many = subject != "fact" and (subject == "text" or self.subject_arg[1])

        def of_values(ctx):
            values, lost = read(ctx)
            return decide(values, lost, many, ctx)

        return of_values

    def _values_reader(self) -> tuple[Callable, tuple]:
        """A function of the context giving the subject's (values, number missing) on the whole
        proposal, and a key that names the subject (predicates asking other questions of the
        same subject share what is worked out from its values)."""
        subject = self.subject.name
        if subject == "fact":
            name = self.subject_arg
            return (lambda ctx: _one(ctx.facts[name].value)), ("fact", name)
        if subject == "text":
            group = self.subject_arg

            def of_text(ctx):
                # The texts of a group, without their paths: several rules read each group.
                texts = ctx.memo.get(("text-values", group))
                if texts is None:
                    found = _subject_text(group, ctx, ()).found
                    texts = ctx.memo["text-values", group] = [text for _path, text in found]
                return texts, 0

            return of_text, ("text", group)
        paths = self.subject_arg[0]
        if len(paths) == 1:
            (path,) = paths
            return (lambda ctx: ctx.values(path, ())), ("path", paths)

        def of_paths(ctx):  # several paths tested together
            values, lost = [], 0
            for path in paths:
                found, missing = ctx.values(path, ())
                values, lost = values + found, lost + missing
            return values, lost

        return of_paths, ("path", paths)

    def _truth(self, ctx, base):
        # The same value _evaluate gives, from the values at the path and the number of
        # missing ones, without the concrete paths and evidence only flagged rules show.
        decide, subject = self._decide, self.subject.name
        if decide is None or subject in ("share", "count"):  # measured over elements
            return self.evaluate(ctx, base).value
        if subject == "path":
            if self._field is not None and not base:
                return decide(*_one(self._field(ctx.data)), False, ctx)
            if self._path is not None:
                values, lost = ctx.values(self._path, base)
                return decide(values, lost, self._many, ctx)
            values, lost = [], 0  # several paths tested together
            for path in self.subject_arg[0]:
                found, missing = ctx.values(path, base)
                values, lost = values + found, lost + missing
            return decide(values, lost, self.subject_arg[1], ctx)
        if subject == "text":
            found = _subject_text(self.subject_arg, ctx, base).found
            return decide([text for _path, text in found], 0, True, ctx)
        return decide(*_one(ctx.facts[self.subject_arg].value), False, ctx)

    def _said(self, text, ctx):
        """(reading, hit) for each sentence of a text that says one of the frames, not negated
        (nor only weakly where another text excludes it, see _excluded)."""
        if isinstance(text, str):
            reading = _reading(text, ctx)
            for hit in reading.hits:
                if hit.frame in self.argument and not hit.negated:
                    if hit.weak and hit.frame in _excluded(ctx):
                        continue
                    yield reading, hit

    def _decide_frames(self, values, lost, many, ctx) -> Truth:
        return _frames_truth(self._frames, *_frames_in(values, ctx))

    def _decide_presence(self, values, lost, many, ctx) -> Truth:
        return bool(values) is (self.operator.name == "exists")

    def _decide_text(self, values, lost, many, ctx) -> Truth:
        # _mentions finds a phrase exactly when the text holds one of the concepts: whether it
        # does is enough here, without the phrases.
        return _concepts_truth(self.argument, _concepts_in(values, ctx), not values and lost)

    def _decide_collection(self, values, lost, many, ctx) -> Truth:
        if not values and lost:
            return None
        flat = _flatten(values)
        present = [w for w in self._wanted if w in flat]
        if self.operator.name == "contains_all":
            if len(present) == len(self._wanted):
                return True
        elif present:
            return True
        return None if lost else False

    def _decide_elements(self, values, lost, many, ctx) -> Truth:
        func, argument = self.operator.func, self.argument
        if not many:
            return func(values[0], argument, ctx) if values else None
        return _quantified(values, lost, func, argument, ctx, self.quantifier == "any")

    def _evaluate(self, ctx, base):
        if self._field is not None and not base:
            # resolve() on a path of field names finds one value or names the whole path.
            value = self._field(ctx.data)
            if value is None:
                return self._test([], [self._path], False, ctx)
            return self._test([(self._path, value)], [], False, ctx)
        if self._path is not None:
            found, missing = ctx.resolve(self._path, base)
            return self._test(found, missing, self._many, ctx)
        items = self.subject.evaluate(self.subject_arg, ctx, base)
        if items.bounds is not None:
            return self._measure(items, ctx)
        return self._test(items.found, items.missing, items.many, ctx)

    def _presence(self, found, missing, many, ctx) -> Outcome:
        value = self._decide_presence(found, len(missing), many, ctx)
        shown = [(p, _presence(v)) for p, v in found[:20]]
        return Outcome(value, shown, [])

    def _text(self, found, missing, many, ctx) -> Outcome:
        # Evidence is the phrases found in each field, not the whole (possibly long) text.
        evidence = []
        for path, text in found:
            hits = _mentions([text], self.argument, ctx)
            if hits:
                evidence.append((path, {"mentions": list(dict.fromkeys(hits))}))
        if evidence:
            return Outcome(True, evidence, [])
        if not found and missing:
            return Outcome(None, [], missing)
        return Outcome(False, [], [])

    def _says(self, found, missing, many, ctx) -> Outcome:
        # Evidence is the sentence that said it, quoted; negated sentences say nothing.
        strong, weak = [], []
        for path, text in found:
            for reading, hit in self._said(text, ctx):
                item = (path, {"says": hit.frame, "quote": reading.quote(hit)})
                (weak if hit.weak else strong).append(item)
        if strong:
            return Outcome(True, strong, [])
        if weak:
            return Outcome(None, weak, list(dict.fromkeys(p for p, _v in weak)))
        return Outcome(False, [], [])

    def _elements(self, found, missing, many, ctx) -> Outcome:
        func, argument = self.operator.func, self.argument
        if not many:
            if not found:
                return Outcome(None, [], missing)
            path, value = found[0]
            truth = func(value, argument, ctx)
            return Outcome(truth, [(path, value)], [] if truth is not None else self._why(path))
        results = [(p, v, func(v, argument, ctx)) for p, v in found]
        truths = [t for _p, _v, t in results] + [None] * len(missing)
        combine = kleene_or if self.quantifier == "any" else kleene_and
        value = combine(truths)
        decisive = self.quantifier == "any"
        if value is None:
            missing = list(missing) + [m for p, _v, t in results if t is None for m in self._why(p)]
            return Outcome(None, [], missing)
        if value is decisive:
            evidence = [(p, v) for p, v, t in results if t is decisive]
        else:
            evidence = [(p, v) for p, v, _t in results]
        return Outcome(value, evidence, [])

    def _why(self, path) -> list:
        """What is missing when a value is there but gives no answer: for a list of the
        reference data (a List not settled or not encoded for the date), the reference data, not the
        proposal's field, which the applicant cannot be asked to fill again."""
        if self.operator.name == "in_list":
            return [(REFERENCE_DATA, self.argument)]
        return [path]

    def _collection(self, found, missing, many, ctx) -> Outcome:
        value = self._decide_collection([v for _p, v in found], len(missing), many, ctx)
        if value is None:
            return Outcome(None, [], missing)
        if value is False:
            return Outcome(False, list(found), [])
        present = [w for w in self._wanted if w in _flatten([v for _p, v in found])]
        evidence = [
            (p, v)
            for p, v in found
            if (any(x in present for x in v) if isinstance(v, list) else v in present)
        ]
        return Outcome(True, evidence, [])

    def _measure(self, items: Items, ctx) -> Outcome:
        low, high = items.bounds
        op = self.operator
        if op.kind != "element" or op.name == "in_list":
            raise ConditionError(
                f"{self.subject.name} can only be compared (eq, gt, gte, lt, lte, ...)"
            )
        at_low = op.func(low, self.argument, ctx)
        at_high = op.func(high, self.argument, ctx)
        if low == high or (at_low == at_high and op.name in ("gt", "gte", "lt", "lte")):
            value = _round(low) if low == high else None
            if self.subject.name == "count" and value is not None:
                value = int(value)  # the bounds are summed as floats; a count is whole
            evidence = (
                [(("share" if self.subject.name == "share" else "count",), value)]
                if value is not None
                else []
            )
            return Outcome(at_low, items.found + evidence if at_low else evidence, [])
        return Outcome(None, [], items.missing)


def _one(value) -> tuple[list, int]:
    """(values, number missing) of a subject that is one value, None when absent."""
    return ([], 1) if value is None else ([value], 0)


def _field_reader(path: tuple) -> Callable:
    """A function that reads the value at a path of field names, None when it is absent
    (as values_at: a missing or null field, or a parent that is not a mapping)."""
    if len(path) == 1:
        (name,) = path

        def read(data):
            return data.get(name)

        return read
    if len(path) == 2:
        first, second = path

        def read(data):
            node = data.get(first)
            return node.get(second) if isinstance(node, dict) else None

        return read

    def read(data):
        node = data
        for name in path:
            node = node.get(name) if isinstance(node, dict) else None
            if node is None:
                return None
        return node

    return read


def _reading(text: str, ctx: Context):
    """The text layer's reading of one text, in the proposal's language."""
    # The reader is imported once per proposal, with its language, not once per text read:
    # `from module import name` inside a function costs an AttributeError raised and
    # formatted by the import system (a module has no __path__), 2,300 instructions, and
    # this ran 70 times per proposal.
    known = ctx.memo.get("text-language")
    if known is None:
        from pcd_screen.engine.text.reader import document_language, read

        known = ctx.memo["text-language"] = (read, document_language(ctx.data))
    read, lang = known
    return read(text, lang)


def _mentions_decider(read: Callable, key: tuple, wanted: frozenset) -> Callable:
    """_decide_text on a subject's values, from the lexicon concepts found in all of them,
    worked out once per subject and proposal: many rules ask about the same texts, each for
    a concept or two."""

    def decide(ctx):
        known = ctx.memo.get(key)
        if known is None:
            values, lost = read(ctx)
            known = ctx.memo[key] = (_concepts_in(values, ctx), not values and lost)
        return _concepts_truth(wanted, *known)

    return decide


def _frames_decider(read: Callable, key: tuple, wanted: frozenset) -> Callable:
    """_decide_frames on a subject's values, from the frames said in all of them (strongly
    in one, or only weakly), worked out once per subject and proposal."""

    def decide(ctx):
        known = ctx.memo.get(key)
        if known is None:
            known = ctx.memo[key] = _frames_in(read(ctx)[0], ctx)
        return _frames_truth(wanted, *known)

    return decide


def _concepts_in(values, ctx: Context) -> set:
    """The lexicon concepts found in any of the text values."""
    found: set = set()
    for text in values:
        if isinstance(text, str):
            found.update(_affirmed(text, ctx))
    return found


def _concepts_truth(wanted, found: set, unknown) -> Truth:
    """Whether one of the wanted concepts was found; unknown when there was no text to read."""
    if any(concept in found for concept in wanted):
        return True
    return None if unknown else False


def _frames_in(values, ctx: Context) -> tuple[set, set]:
    """The frames said in any of the text values, not negated: (strongly, only weakly)."""
    strong, weak = set(), set()
    for text in values:
        if isinstance(text, str):
            said = _frames_said(text, ctx)
            strong |= said[0]
            weak |= said[1]
    return strong, weak


def _frames_truth(wanted: frozenset, strong: set, weak: set) -> Truth:
    """As _says: a strong hit settles it, a weak one leaves it unknown."""
    if not wanted.isdisjoint(strong):
        return True
    return None if not wanted.isdisjoint(weak) else False


def _frames_said(text: str, ctx: Context) -> tuple[frozenset, frozenset]:
    """The frames a text says, not negated: (strongly, only weakly), once per text and
    proposal. The frame predicates of the rules ask some 70 times per proposal, each about a
    few frames, so each text's hits are gone through once, not for each question."""
    key = ("frames-said", text)
    said = ctx.memo.get(key)
    if said is None:
        hits = [hit for hit in _reading(text, ctx).hits if not hit.negated]
        strong = frozenset(hit.frame for hit in hits if not hit.weak)
        weak = frozenset(h.frame for h in hits) - strong - _excluded(ctx)
        said = ctx.memo[key] = (strong, weak)
    return said


def _excluded(ctx: Context) -> frozenset:
    """The frames of what money buys whose category some text of the proposal says negated
    (the description's "the project funds neither ... the places of detention"): a weak hit of
    one of them elsewhere (the summary's "refugees held in the prisons") raises no question,
    as within one text (engine/text/reader._answered). Worked out once per proposal."""
    excluded = ctx.memo.get("excluded-frames")
    if excluded is None:
        from pcd_screen.engine.text.frames import frames
        from pcd_screen.engine.text.reader import TEXT_FIELDS, excluded_categories, texts_of

        categories = excluded_categories(
            hit
            for _path, text in texts_of(ctx.data, TEXT_FIELDS)
            for hit in _reading(text, ctx).hits
        )
        excluded = ctx.memo["excluded-frames"] = frozenset(
            name for name, frame in frames().items() if frame.category in categories
        )
    return excluded


def _quantified(values, lost, func, argument, ctx, decisive: bool) -> Truth:
    """func over the values and unknown for each of `lost` missing ones, in three-valued logic:
    any (decisive True) or all (decisive False), stopping at the decisive value."""
    result: Truth = None if lost else not decisive
    for value in values:
        truth = func(value, argument, ctx)
        if truth is decisive:
            return decisive
        if truth is None:
            result = None
    return result


def _presence(value):
    """Evidence that a field is present, without copying a whole list or mapping."""
    if isinstance(value, list):
        return {"entries": len(value)}
    return "present" if isinstance(value, dict) else value


def _round(value):
    return round(value, 4) if isinstance(value, float) else value


# --------------------------------------------------------------------------- compiling


_COMPILED: dict[str, Node] = {}


def compile_condition(raw) -> Node:
    """Check and compile a condition tree; raise ConditionError naming the offending part.

    Equal conditions compile to one shared node, so that a condition many rules ask (is the
    project migration-related?) is evaluated once per proposal (see Node.evaluate). Conditions
    are told equal by their repr (written alike: the data files are read the same way every
    time), cheaper than a canonical JSON text at every level of every tree."""
    key = repr(raw)
    node = _COMPILED.get(key)
    if node is None:
        node = _COMPILED[key] = _compile(raw)
    else:
        node.shared = True
    return node


def _compile(raw) -> Node:
    if not isinstance(raw, dict) or not raw:
        raise ConditionError(f"a condition must be a non-empty mapping, got {raw!r}")
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        if len(raw) != 1:
            raise ConditionError(f"'{key}' must stand alone, found also {sorted(set(raw) - {key})}")
        children = raw[key]
        if not isinstance(children, list) or not children:
            raise ConditionError(f"'{key}' needs a non-empty list of conditions")
        nodes = [compile_condition(child) for child in children]
        return All(nodes) if key == "all" else Any(nodes)
    if "not" in raw:
        if len(raw) != 1:
            raise ConditionError("'not' must stand alone")
        return Not(compile_condition(raw["not"]))
    subjects = [k for k in raw if k in SUBJECTS]
    operators = [k for k in raw if k in OPERATORS]
    unknown = [k for k in raw if k not in SUBJECTS and k not in OPERATORS and k != "quantifier"]
    if unknown:
        raise ConditionError(
            f"unknown key {unknown[0]!r}; a predicate has one of {', '.join(SUBJECTS)} and one "
            f"operator ({', '.join(OPERATORS)})"
        )
    if len(subjects) != 1:
        raise ConditionError(
            f"a predicate needs exactly one of {', '.join(SUBJECTS)}; got {subjects or 'none'}"
        )
    if len(operators) != 1:
        raise ConditionError(f"a predicate needs exactly one operator; got {operators or 'none'}")
    subject, operator = SUBJECTS[subjects[0]], OPERATORS[operators[0]]
    quantifier = raw.get("quantifier", "any")
    if quantifier not in _QUANTIFIERS:
        raise ConditionError(f"quantifier must be any or all, got {quantifier!r}")
    argument = raw[operator.name]
    _check_argument(operator, argument)
    if operator.name == "says":
        from pcd_screen.engine.text.frames import frames

        unknown = [name for name in argument if name not in frames()]
        if unknown:
            raise ConditionError(
                f"unknown concept frame(s) {', '.join(map(repr, unknown))}; known: "
                f"{', '.join(frames())}"
            )
    if operator.name == "pays_for":
        argument = _frames_of_categories(argument)
    if subject.name in ("share", "count") and operator.kind != "element":
        raise ConditionError(f"{subject.name} must be compared with eq, ne, gt, gte, lt or lte")
    return Predicate(
        subject,
        subject.compile(raw[subject.name], compile_condition),
        operator,
        argument,
        quantifier,
    )


def _frames_of_categories(categories: list) -> list[str]:
    """The concept frames that say the money pays for one of the categories (not the weak
    ones), in the order of frames.yaml: which frame reads which category is said there once."""
    from pcd_screen.engine.text.frames import frames

    known = {frame.category for frame in frames().values() if frame.category}
    unknown = [c for c in categories if c not in known]
    if unknown:
        raise ConditionError(
            f"no concept frame reads the categor(y/ies) {', '.join(map(repr, unknown))}; "
            f"frames read: {', '.join(sorted(known))}"
        )
    return [
        name for name, frame in frames().items() if frame.category in categories and not frame.weak
    ]


def _check_argument(operator: Operator, argument) -> None:
    schema = operator.schema
    if schema.get("type") == "array" and (not isinstance(argument, list) or not argument):
        raise ConditionError(f"'{operator.name}' needs a non-empty list, got {argument!r}")
    if schema.get("type") == "number" and _number(argument) is None:
        raise ConditionError(f"'{operator.name}' needs a number, got {argument!r}")
    if schema.get("type") == "string" and not isinstance(argument, str):
        raise ConditionError(f"'{operator.name}' needs text, got {argument!r}")
    if "const" in schema and argument != schema["const"]:
        raise ConditionError(f"'{operator.name}' takes {schema['const']!r}, got {argument!r}")


def condition_schema() -> dict:
    """JSON Schema of a condition, generated from the registries (embedded in the rule schema)."""
    subject_props = {name: s.schema for name, s in SUBJECTS.items()}
    predicates = []
    for op in OPERATORS.values():
        predicates.append(
            {
                "type": "object",
                "description": f"{op.name}: {op.doc}",
                "properties": {
                    **subject_props,
                    op.name: op.schema,
                    "quantifier": {"enum": list(_QUANTIFIERS)},
                },
                "required": [op.name],
                "oneOf": [{"required": [name]} for name in SUBJECTS],
                "additionalProperties": False,
            }
        )
    return {
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "all": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1}
                },
                "required": ["all"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {
                    "any": {"type": "array", "items": {"$ref": "#/$defs/condition"}, "minItems": 1}
                },
                "required": ["any"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"not": {"$ref": "#/$defs/condition"}},
                "required": ["not"],
                "additionalProperties": False,
            },
            *predicates,
        ]
    }
