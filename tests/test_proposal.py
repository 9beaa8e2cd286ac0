import json

import pytest

from conftest import EXAMPLES
from pcd_screen.core.located import LoadError
from pcd_screen.core.paths import DATA_DIR
from pcd_screen.core.yamlread import load_file
from pcd_screen.inputs.proposal import load_proposal, load_schema, proposal_from_data

GOOD = """\
schema_version: 1
id: T-1
title: Test
countries:
  - {code: NER, percentage: 100}
activities:
  - id: A1
    category: border-control
    budget: 10
safeguards:
  do_no_harm_analysis: {done: true, reference: annex 3}
"""


def write(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def messages(path):
    with pytest.raises(LoadError) as info:
        load_proposal(path, "p.yaml")
    return [str(e) for e in info.value.errors]


def test_valid_proposal_loads_with_lines(tmp_path):
    proposal = load_proposal(write(tmp_path, GOOD))
    assert proposal.id == "T-1"
    assert proposal.line_of(("activities", 0, "category")) == 8


def test_every_schema_error_in_one_pass_with_file_line_and_field(tmp_path):
    text = GOOD.replace("code: NER", "code: XXX").replace("border-control", "border-kontrol")
    text = text.replace("budget: 10", "budget: ten") + "budjet: {total: 5}\n"
    found = messages(write(tmp_path, text))
    assert found == [
        "p.yaml:5:6: countries[0].code: 'XXX' is not an ISO 3166-1 alpha-3 country code",
        "p.yaml:8:5: activities[0].category: 'border-kontrol' is not a term of the category "
        "vocabulary (did you mean 'border-control'?)",
        "p.yaml:9:5: activities[0].budget: expected a number, got text 'ten'",
        "p.yaml:12:1: budjet: unknown field 'budjet' (did you mean 'budget'?)",
    ]


def test_missing_required_fields_and_wrong_version(tmp_path):
    found = messages(write(tmp_path, "schema_version: 2\ntitle: x\n"))
    assert "p.yaml:1:1: (document): required field 'id' is missing" in found
    assert "p.yaml:1:1: schema_version: must be 1, got 2" in found


def test_safeguard_alternatives_are_reported_readably(tmp_path):
    text = GOOD.replace("{done: true, reference: annex 3}", "maybe")
    (message,) = messages(write(tmp_path, text))
    assert message == (
        "p.yaml:11:3: safeguards.do_no_harm_analysis: expected true | false | "
        "{done: bool, reference: text}, got text 'maybe'"
    )


def test_bad_dates_and_ranges(tmp_path):
    text = GOOD + "period: {start: 2026-02-30, end: 2027-01-01}\ngender_marker: 3\n"
    found = messages(write(tmp_path, text))
    assert any("period.start: '2026-02-30' is not a valid date" in m for m in found)
    assert any("gender_marker: 3 is not allowed" in m for m in found)


def test_dates_before_year_1_or_in_other_digits_are_refused_with_their_line(tmp_path):
    # They passed the compiled quick check and crashed the screening in date.fromisoformat.
    text = GOOD + 'period: {start: 0000-01-01, end: "\u0662\u0660\u0662\u0666-01-01"}\n'
    assert messages(write(tmp_path, text)) == [
        "p.yaml:12:10: period.start: '0000-01-01' is not a valid date (expected YYYY-MM-DD)",
        "p.yaml:12:29: period.end: '\u0662\u0660\u0662\u0666-01-01' is not a valid date "
        "(expected YYYY-MM-DD)",
    ]


def test_infinite_nan_and_huge_numbers_are_refused(tmp_path):
    # YAML .nan/.inf passed the schema and gave "nan%" shares and a JSON report with NaN in it;
    # a 400-digit budget raised OverflowError when a share was worked out.
    text = GOOD.replace("budget: 10", "budget: .nan").replace("percentage: 100", "percentage: 1")
    text += "budget: {total: .inf}\nin_donor_refugee_costs: {amount: " + "9" * 90 + "}\n"
    text += "x-note: .inf\n"
    assert messages(write(tmp_path, text)) == [
        "p.yaml:9:5: activities[0].budget: expected a finite number, got nan",
        "p.yaml:12:10: budget.total: expected a finite number, got inf",
        "p.yaml:13:26: in_donor_refugee_costs.amount: number too large (more than 10^18)",
    ]
    # Written with more than 100 characters, a value is text, not a number.
    longer = text.replace("9" * 90, "9" * 400)
    assert messages(write(tmp_path, longer))[2].startswith(
        "p.yaml:13:26: in_donor_refugee_costs.amount: expected a number, got text '999"
    )
    with pytest.raises(LoadError, match="budget.total: expected a finite number, got -inf"):
        proposal_from_data(
            {"schema_version": 1, "id": "X", "title": "T", "budget": {"total": -1e999}}
        )


def test_a_proposal_with_more_text_than_the_limit_is_refused_at_its_longest_field(tmp_path):
    # A 5 MB description (under the file size limit) took 12 s to screen; the text limit of a
    # document now holds for every proposal.
    from pcd_screen.core.proposal import MAX_TEXT_CHARS

    words = "border " * (MAX_TEXT_CHARS // 7 + 1)
    text = GOOD + f"description: {words}\n"
    [message] = messages(write(tmp_path, text))
    assert message.startswith("p.yaml:12:1: description: refused: the proposal has 2,000,1")
    assert message.endswith(
        f" characters of text (at most {MAX_TEXT_CHARS:,}, about 400 pages), "
        f"{len(words.strip()):,} of them here; shorten it, or screen the proposal without its "
        "annexes"
    )
    # The whole text counts, whatever its fields: a list of shorter ones too.
    parts = ["border " * 1000] * (MAX_TEXT_CHARS // 7000 + 1)
    with pytest.raises(LoadError, match=r"objectives\[0\]: refused: the proposal has"):
        proposal_from_data({"schema_version": 1, "id": "X", "title": "T", "objectives": parts})
    # Up to the limit (keys count: 32 characters here, and "X", "T"), a proposal is read.
    assert proposal_from_data(
        {"schema_version": 1, "id": "X", "title": "T", "description": "x" * (MAX_TEXT_CHARS - 34)}
    )


def test_not_a_mapping(tmp_path):
    assert messages(write(tmp_path, "- a\n- b\n")) == [
        "p.yaml:1:1: (document): expected a proposal mapping, got a list"
    ]
    assert messages(write(tmp_path, "")) == [
        "p.yaml:1:1: (document): expected a proposal mapping, got an empty file"
    ]


def test_json_input(tmp_path):
    data = {"schema_version": 1, "id": "J", "title": "json", "countries": [{"code": "ZZZ"}]}
    text = json.dumps(data, indent=1)
    found = messages(write(tmp_path, text, "p.json"))
    assert len(found) == 1 and found[0].startswith("p.yaml:") and "countries[0].code" in found[0]


def test_inconsistent_values_are_not_schema_errors():
    data = {
        "schema_version": 1,
        "id": "I",
        "title": "inconsistent",
        "countries": [{"code": "NER", "percentage": 70}],
        "oda": {"purpose_codes": [{"code": 99999, "percentage": 50}]},
        "period": {"start": "2027-01-01", "end": "2026-01-01"},
        "budget": {"total": 10},
        "activities": [{"budget": 20}],
    }
    assert proposal_from_data(data).id == "I"


def test_the_init_template_validates():
    assert load_proposal(DATA_DIR / "proposal-template.yaml").id == "ORG-2026-001"


def test_schema_vocabularies_match_the_definitions_file():
    schema = load_schema("proposal")
    definitions = load_file(DATA_DIR / "vocabularies.yaml").data
    for name, spec in schema["$defs"].items():
        if "x-vocabulary" in spec:
            assert set(spec["enum"]) == set(definitions[name]), name
            for term, texts in definitions[name].items():
                assert texts.get("en"), f"{name}.{term} has no English definition"


MUTATIONS = [
    ("budget", {"total": "x"}),
    ("countries", [{"code": "nope"}]),
    ("countries", [{"code": "ZZZ"}]),  # well-formed but not a country
    ("safeguards", {"do_no_harm_analysis": "maybe"}),
    ("safeguards", {"do_no_harm_analysis": {"done": True, "ref": 1}}),
    ("period", {"start": "2026-02-30"}),
    ("period", {"start": "2027-02-29"}),
    ("period", {"start": "2028-02-29"}),
    # The compiled check once took year 0000 and any Unicode digit (fastjsonschema's pattern
    # is \\d{4}); jsonschema refused them and facts.py crashed on what passed.
    ("period", {"start": "0000-01-01"}),
    ("period", {"start": "0000-02-29"}),
    ("period", {"end": "\u0662\u0660\u0662\u0666-01-01"}),  # Arabic-Indic digits
    ("period", {"start": "\uff12\uff10\uff12\uff16-01-01"}),  # fullwidth digits
    ("period", {"start": "20260101"}),  # date.fromisoformat takes it; the schema does not
    ("period", {"start": "0001-01-01", "end": "9999-12-31"}),
    ("gender_marker", 3),
    ("gender_marker", True),
    ("schema_version", 2),
    ("foo", 1),
    ("x-foo", 1),
    ("activities", [{"category": "bogus"}]),
    ("activities", [{"budget": -1}]),
    ("oda", {"purpose_codes": [{"code": 12.5}]}),
    ("language", "EN"),
    ("ownership", {"national_strategy": None}),
    ("title", ""),
    ("id", 5),
]


def test_fast_check_agrees_with_jsonschema():
    """The generated check only ever skips jsonschema for data that jsonschema accepts."""
    from pcd_screen.inputs.proposal import _validator, passes_fast_check

    validator = _validator()
    examples = [load_file(p).data for p in sorted(EXAMPLES.glob("*.yaml"))]
    cases = list(examples)
    for data in examples:
        cases += [{**data, key: value} for key, value in MUTATIONS]
    for data in cases:
        assert passes_fast_check(data) == validator.is_valid(data), data.get("id")
    assert sum(passes_fast_check(d) for d in cases) >= len(examples)
