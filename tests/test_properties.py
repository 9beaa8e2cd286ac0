"""Properties of screening, checked on proposals generated from the published JSON Schema.

hypothesis-jsonschema draws the data from pcd_screen/schemas/proposal.schema.json (the schema
`pcd-screen schema proposal` prints). What the schema cannot say comes from the shipped data, so
that the proposals are screened rather than refused: real country codes for the country-alpha3
format, real purpose codes, and free text made of lexicon phrases so that the rules reading
words fire. Every generated proposal still goes through the real validator.

Evidence paths must exist in the proposal, with one exception: evidence that names a derived
fact (facts.NAME, e.g. a budget share) or a share or count a rule computed over the activities
has no field of its own; the fact must then be one the result lists.

Profiles (tests/conftest.py): "ci" by default, small and derandomized; HYPOTHESIS_PROFILE=long
for a deeper local run.
"""

from __future__ import annotations

import copy
import csv
import json
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from hypothesis import event, given, note, settings, target
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from conftest import EXAMPLES
from pcd_screen.core.i18n import LANGUAGES
from pcd_screen.core.located import LoadError, format_path
from pcd_screen.core.paths import DATA_DIR
from pcd_screen.core.terms import REPORT_LANGUAGES, SEVERITIES, VERDICTS
from pcd_screen.core.yamlread import load_trusted
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.facts import COERCIVE
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import MAX_NUMBER, load_proposal, load_schema, proposal_from_data
from pcd_screen.reports import FORMATS, render
from pcd_screen.reports.common import Run

RULESET = load_ruleset()
REFDATA = load_refdata()
VOCABULARIES = load_trusted(DATA_DIR / "vocabularies.yaml")
SAFEGUARDS = sorted(VOCABULARIES["safeguards"])
HARMFUL = sorted(COERCIVE)  # migration control, military and security forces (facts.py)
TEXT_FIELDS = ("summary", "description", "donor", "instrument")


def _generation_schema() -> dict:
    """The published schema, minus the x- extension fields (ignored by the rules, so drawing
    them only spends the example budget), with lists kept short, and with numbers no larger
    than the validator takes (MAX_NUMBER: a limit the schema does not state)."""
    schema = copy.deepcopy(load_schema("proposal"))
    indicator = schema["properties"]["results"]["items"]["properties"]["indicators"]["items"]
    for name in ("baseline", "target"):  # any value: a number, a text, ...
        indicator["properties"][name] = {"type": ["number", "string", "boolean", "null"]}

    def trim(node):
        if isinstance(node, dict):
            node.pop("patternProperties", None)
            if node.get("type") == "array":
                node.setdefault("maxItems", 4)
            kinds = node.get("type")
            if kinds in ("number", "integer") or isinstance(kinds, list) and "number" in kinds:
                node.setdefault("maximum", MAX_NUMBER)
                node.setdefault("minimum", -MAX_NUMBER)
            for value in node.values():
                trim(value)
        elif isinstance(node, list):
            for value in node:
                trim(value)

    trim(schema)
    return schema


def _purpose_codes() -> list[int]:
    with open(DATA_DIR / "purpose_codes.csv", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return sorted(int(row["code"]) for row in rows)


def _phrases() -> list[str]:
    """Every lexicon phrase of every language, a prefix (readmi*) written out as the prefix."""
    found = set()
    for lang in LANGUAGES:  # the base languages: variants (nl-NL, fr-BE) share their lexicon
        lexicon = load_trusted(DATA_DIR / "lexicons" / f"{lang}.yaml")
        found |= {phrase.rstrip("*") for phrases in lexicon.values() for phrase in phrases}
    return sorted(found)


SCHEMA = _generation_schema()
RAW = from_schema(
    SCHEMA, custom_formats={"country-alpha3": st.sampled_from(REFDATA.country_codes())}
)
PROSE = st.lists(
    st.one_of(st.sampled_from(_phrases()), st.text(min_size=1, max_size=12)),
    min_size=1,
    max_size=4,
).map(" ".join)
PURPOSE_CODES = st.sampled_from(_purpose_codes())
ACTIVITY = from_schema(SCHEMA["properties"]["activities"]["items"])


EXAMPLE_PATHS = sorted(EXAMPLES.glob("*.yaml"))
EXAMPLE_DATA = [load_proposal(path).data for path in EXAMPLE_PATHS]


@st.composite
def proposal_data(draw, harmful: bool = False, near: bool | None = None) -> dict:
    """Schema-valid data with lexicon words in the free text and real purpose codes; with
    harmful=True, at least one activity in a migration-control or security category.

    near (by default half of them): a shipped example with a few fields replaced by generated
    ones or left out and its safeguards redrawn: near the proposals the rules were written
    for, where one change can move the verdict."""
    data = draw(RAW)
    if near if near is not None else draw(st.booleans()):
        example = copy.deepcopy(draw(st.sampled_from(EXAMPLE_DATA)))
        for name in draw(st.sets(st.sampled_from(sorted(data)), max_size=2)):
            example[name] = data[name]
        optional = sorted(set(example) - {"schema_version", "id", "title"})
        for name in draw(st.sets(st.sampled_from(optional), max_size=2)) if optional else ():
            del example[name]
        if draw(st.booleans()):
            names = draw(st.sets(st.sampled_from(SAFEGUARDS)))
            values = st.sampled_from([True, False, {"done": False, "reference": "planned"}])
            example["safeguards"] = {name: draw(values) for name in sorted(names)}
        data = example
    for name in TEXT_FIELDS:
        if draw(st.booleans()):
            data[name] = draw(PROSE)
    # null is "unknown" for any optional field (the schema allows it), hence the `or`.
    for activity in data.get("activities") or []:
        for name in ("title", "description"):
            if draw(st.booleans()):
                activity[name] = draw(PROSE)
    for field, name in (("results", "statement"), ("conditions", "text")):
        for item in data.get(field) or []:
            if draw(st.booleans()):
                item[name] = draw(PROSE)
    for code in (data.get("oda") or {}).get("purpose_codes") or []:
        if draw(st.integers(0, 4)):  # mostly real codes, sometimes the schema's any number
            code["code"] = draw(PURPOSE_CODES)
    if harmful:
        activity = draw(ACTIVITY)
        activity["category"] = draw(st.sampled_from(HARMFUL))
        activities = data.get("activities") or []
        data["activities"] = activities
        activities.insert(draw(st.integers(0, len(activities))), activity)
    return data


def _validated(data: dict):
    try:
        return proposal_from_data(data)
    except LoadError:
        return None


def proposals(harmful: bool = False, near: bool | None = None):
    return proposal_data(harmful, near).map(_validated).filter(lambda p: p is not None)


AS_OF = st.dates(date(2015, 1, 1), date(2035, 12, 31))
UNCLEAR_AS_FLAG = st.lists(st.sampled_from(SEVERITIES), unique=True).map(tuple)


def screen(data: dict, as_of: date, lang: str = "en", unclear_as_flag: tuple = ()):
    proposal = proposal_from_data(copy.deepcopy(data))
    return evaluate(proposal, RULESET, REFDATA, as_of, lang, unclear_as_flag)


def better_or_same(after: str, before: str) -> bool:
    return VERDICTS.index(after) >= VERDICTS.index(before)  # VERDICTS is worst first


def all_paths(value, path=()) -> set[str]:
    """The formatted path of every value in the data, as Evidence.path writes it."""
    found = {format_path(path)}
    if isinstance(value, dict):
        for key, item in value.items():
            found |= all_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found |= all_paths(item, (*path, index))
    return found


# --------------------------------------------------------------------------- properties


def test_most_generated_proposals_pass_validation():
    """The generator is worth its time only if what it makes is screened, not refused."""
    counts = {"valid": 0, "refused": 0}

    @settings(max_examples=60)
    @given(proposal_data())
    def draw_one(data):
        counts["valid" if _validated(data) is not None else "refused"] += 1

    draw_one()
    total = counts["valid"] + counts["refused"]
    assert total >= 30 and counts["valid"] >= 0.9 * total, counts


@given(proposals(), AS_OF, st.sampled_from(REPORT_LANGUAGES), UNCLEAR_AS_FLAG)
def test_the_engine_never_raises_and_evidence_points_into_the_proposal(
    proposal, as_of, lang, unclear_as_flag
):
    result = evaluate(proposal, RULESET, REFDATA, as_of, lang, unclear_as_flag)
    assert result.verdict in VERDICTS
    event(f"verdict {result.verdict}")
    flagged = sum(1 for f in result.findings if f.status == "flag")
    target(float(flagged), label="flagged findings")  # steer towards proposals rules flag
    paths = all_paths(proposal.data)
    for finding in result.findings:
        for evidence in finding.evidence:
            head = evidence.path.split(".", 1)[0].split("[", 1)[0]
            if head == "facts":
                # A derived fact (a budget share, say): it names the fact, which the result lists.
                assert evidence.path.split(".", 1)[1] in result.facts, evidence
            elif head in ("share", "count"):
                # A share or count the rule computed over activities: no field of its own.
                assert evidence.path == head and isinstance(evidence.value, (int, float))
            else:
                assert evidence.path in paths, (finding.rule_id, evidence)


@given(proposals(), st.sampled_from(REPORT_LANGUAGES), st.booleans())
def test_every_format_renders_and_screening_twice_gives_the_same_bytes(proposal, lang, color):
    run = Run()
    first = screen(proposal.data, date(2026, 11, 23), lang)
    second = screen(proposal.data, date(2026, 11, 23), lang)
    for fmt in FORMATS:
        if fmt == "pdf":  # the html report set by WeasyPrint: seconds each (test_forwardable)
            continue
        text = render(fmt, [first], run, lang, color)
        assert text == render(fmt, [second], run, lang, color), fmt
        assert text or fmt == "github", fmt  # github: no annotation to make is empty
        if fmt in ("json", "sarif"):
            json.loads(text, parse_constant=_not_json)  # strict: no NaN or Infinity
        elif fmt == "junit":
            ET.fromstring(text.encode("utf-8"))
        elif fmt == "html":
            assert text.lstrip().lower().startswith("<!doctype html>")


def _not_json(name):
    raise AssertionError(f"{name} in a JSON report")


@given(
    st.one_of(proposals(near=True), proposals(harmful=True, near=True), proposals()),
    st.sampled_from(SAFEGUARDS),
    st.sampled_from([True, {"done": True}, {"done": True, "reference": "annex 4"}]),
    AS_OF,
    UNCLEAR_AS_FLAG,
)
def test_adding_a_safeguard_never_makes_the_verdict_worse(
    proposal, safeguard, done, as_of, unclear_as_flag
):
    before = screen(proposal.data, as_of, unclear_as_flag=unclear_as_flag)
    data = copy.deepcopy(proposal.data)
    data["safeguards"] = data.get("safeguards") or {}
    data["safeguards"][safeguard] = done
    after = screen(data, as_of, unclear_as_flag=unclear_as_flag)
    note(f"{before.verdict} -> {after.verdict}")
    event(f"{before.verdict} -> {after.verdict}")
    assert better_or_same(after.verdict, before.verdict)


@given(
    st.one_of(proposals(harmful=True, near=True), proposals(harmful=True)),
    st.data(),
    AS_OF,
    UNCLEAR_AS_FLAG,
)
def test_removing_a_harmful_activity_category_never_makes_the_verdict_worse(
    proposal, data, as_of, unclear_as_flag
):
    present = sorted({a.get("category") for a in proposal.data["activities"]} & set(HARMFUL))
    category = data.draw(st.sampled_from(present), label="category removed")
    before = screen(proposal.data, as_of, unclear_as_flag=unclear_as_flag)
    reduced = copy.deepcopy(proposal.data)
    reduced["activities"] = [a for a in reduced["activities"] if a.get("category") != category]
    after = screen(reduced, as_of, unclear_as_flag=unclear_as_flag)
    note(f"{before.verdict} -> {after.verdict}")
    event(f"{before.verdict} -> {after.verdict}")
    assert better_or_same(after.verdict, before.verdict)


@pytest.mark.parametrize("index", range(len(EXAMPLE_DATA)), ids=[p.stem for p in EXAMPLE_PATHS])
def test_monotonicity_on_every_shipped_example(index):
    """The same two properties, exhaustively on the examples: every safeguard added, every
    harmful category present removed (the generated proposals are seldom clear)."""
    data = EXAMPLE_DATA[index]
    day = date(2026, 11, 23)
    before = screen(data, day).verdict
    for safeguard in SAFEGUARDS:
        changed = copy.deepcopy(data)
        changed["safeguards"] = changed.get("safeguards") or {}
        changed["safeguards"][safeguard] = True
        assert better_or_same(screen(changed, day).verdict, before), safeguard
    for category in sorted(
        {a.get("category") for a in data.get("activities") or []} & set(HARMFUL)
    ):
        changed = copy.deepcopy(data)
        changed["activities"] = [a for a in data["activities"] if a.get("category") != category]
        assert better_or_same(screen(changed, day).verdict, before), category
