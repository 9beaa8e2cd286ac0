from datetime import date

import pytest

from pcd_screen.engine.conditions import (
    OPERATORS,
    SUBJECTS,
    ConditionError,
    Context,
    compile_condition,
    condition_schema,
    kleene_and,
    kleene_or,
    parse_path,
)
from pcd_screen.engine.facts import compute_facts
from pcd_screen.engine.lexicon import Lexicon

LEXICON = Lexicon(
    {
        "readmission": ["readmission", "terugname", "réadmission"],
        "border-control": ["border control", "grensbewak*"],
    }
)


def ctx_for(data, refdata, as_of=date(2026, 11, 23)):
    return Context(data, compute_facts(data, refdata, as_of), refdata, as_of, LEXICON)


def check(cond, data, refdata):
    return compile_condition(cond).evaluate(ctx_for(data, refdata))


ACTIVITIES = {
    "budget": {"total": 100},
    "activities": [
        {"id": "A1", "category": "border-control", "budget": 60},
        {"id": "A2", "category": "basic-services", "budget": 40},
    ],
}


def test_three_valued_tables():
    assert kleene_and([True, None]) is None
    assert kleene_and([False, None]) is False
    assert kleene_or([True, None]) is True
    assert kleene_or([False, None]) is None
    assert kleene_or([]) is False and kleene_and([]) is True


def test_parse_path():
    assert parse_path("activities[*].category") == ("activities", "*", "category")
    assert parse_path("countries[0].code") == ("countries", 0, "code")
    with pytest.raises(ConditionError):
        parse_path("activities[x]")


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"path": "budget.total", "eq": 100}, True),
        ({"path": "budget.total", "ne": 100}, False),
        ({"path": "budget.total", "gt": 99}, True),
        ({"path": "budget.total", "gte": 101}, False),
        ({"path": "budget.total", "lt": 101}, True),
        ({"path": "budget.total", "lte": 99}, False),
        ({"path": "activities[*].category", "in": ["border-control"]}, True),
        ({"path": "activities[*].category", "not_in": ["border-control"]}, True),
        (
            {"path": "activities[*].category", "not_in": ["border-control"], "quantifier": "all"},
            False,
        ),
        ({"path": "activities[*].category", "contains": "basic-services"}, True),
        ({"path": "activities[*].category", "contains_any": ["detention", "border-control"]}, True),
        (
            {"path": "activities[*].category", "contains_all": ["detention", "border-control"]},
            False,
        ),
        ({"path": "activities", "exists": True}, True),
        ({"path": "period", "missing": True}, True),
        ({"share": {"where": {"path": "category", "eq": "border-control"}}, "gte": 0.6}, True),
        ({"share": {"where": {"path": "category", "eq": "border-control"}}, "gt": 0.6}, False),
        ({"count": {"where": {"path": "budget", "gte": 50}}, "eq": 1}, True),
        ({"fact": "migration_control_share", "eq": 0.6}, True),
    ],
)
def test_operators(cond, expected, fake_refdata):
    assert check(cond, ACTIVITIES, fake_refdata).value is expected


def test_a_count_is_cited_as_a_whole_number(fake_refdata):
    cond = {"count": {"where": {"path": "category", "eq": "border-control"}}, "eq": 0}
    outcome = check(cond, {"activities": [{"id": "A1", "category": "other"}]}, fake_refdata)
    assert outcome.value is True
    counts = [value for path, value in outcome.evidence if path == ("count",)]
    assert counts == [0] and type(counts[0]) is int


def test_every_registered_operator_is_tested():
    tested = {
        "eq",
        "ne",
        "gt",
        "gte",
        "lt",
        "lte",
        "in",
        "not_in",
        "contains",
        "contains_any",
        "contains_all",
        "exists",
        "missing",
        "mentions",
        "in_list",
        "says",
        "pays_for",
    }
    assert tested == set(OPERATORS)


@pytest.mark.parametrize(
    ("text", "value", "quoted"),
    [
        ("The project will finance a new detention centre in Zuwara.", True, True),
        ("The project will not finance detention centres.", False, False),
        ("Medical care for detainees in detention centres.", False, False),
        ("Migrants are held in the detention centre of Zuwara.", None, True),  # weak: unclear
        ("Vocational training for young people.", False, False),
    ],
)
def test_says_reads_sentences_and_quotes_them(text, value, quoted, fake_refdata):
    cond = {"text": "all", "says": ["detention-funding", "detention-mention"]}
    outcome = check(cond, {"language": "en", "description": text}, fake_refdata)
    assert outcome.value is value
    quotes = [v["quote"] for _p, v in outcome.evidence]
    assert quotes == ([text] if quoted else [])
    if value is None:
        assert outcome.missing == [("description",)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The project will finance a new detention centre in Zuwara.", True),
        ("The grant pays for charter flights for the removal of rejected applicants.", True),
        ("The project will not finance detention centres.", False),
        ("Medical care for detainees in detention centres.", False),
        # A place of detention named without what the money does is a weak frame: pays_for
        # leaves weak frames out, so this is no, not unclear.
        ("Migrants are held in the detention centre of Zuwara.", False),
    ],
)
def test_pays_for_reads_the_frames_of_its_categories(text, value, fake_refdata):
    cond = {"text": "all", "pays_for": ["detention", "forced-return"]}
    outcome = check(cond, {"language": "en", "description": text}, fake_refdata)
    assert outcome.value is value
    # One item per frame said: a sentence may say two of a category's frames.
    assert {v["quote"] for _p, v in outcome.evidence} == ({text} if value else set())


def test_pays_for_is_the_strong_frames_of_each_category():
    from pcd_screen.engine.text.frames import frames

    node = compile_condition({"text": "all", "pays_for": ["maritime-interception"]})
    expected = {
        name
        for name, frame in frames().items()
        if frame.category == "maritime-interception" and not frame.weak
    }
    assert set(node.argument) == expected and expected


def test_a_weak_mention_is_answered_by_an_exclusion_in_another_field(fake_refdata):
    # The summary names where the people served are held; the description says the project
    # pays for no place of detention: no question (the truth value and the full evaluation
    # agree, as for every node).
    cond = {"text": "all", "says": ["detention-mention"]}
    mention = "Migrants are held in the detention centre of Zuwara."
    exclusion = "The project will not finance the running of any detention centre."
    alone = check(cond, {"language": "en", "summary": mention}, fake_refdata)
    assert alone.value is None
    data = {"language": "en", "summary": mention, "description": exclusion}
    answered = check(cond, data, fake_refdata)
    assert answered.value is False and answered.evidence == []
    assert compile_condition(cond).truth(ctx_for(data, fake_refdata)) is False


def test_says_without_text_is_false_not_unknown(fake_refdata):
    assert check({"text": "all", "says": ["forced-labour"]}, {}, fake_refdata).value is False
    assert set(SUBJECTS) == {"path", "fact", "share", "count", "text"}


def test_missing_path_is_unknown_and_named(fake_refdata):
    out = check({"path": "safeguards.human_rights_risk_assessment", "ne": True}, {}, fake_refdata)
    assert out.value is None
    assert out.missing == [("safeguards", "human_rights_risk_assessment")]


def test_explicit_false_is_not_unknown(fake_refdata):
    data = {"safeguards": {"human_rights_risk_assessment": False}}
    out = check({"path": "safeguards.human_rights_risk_assessment", "ne": True}, data, fake_refdata)
    assert out.value is True
    assert out.evidence == [(("safeguards", "human_rights_risk_assessment"), False)]


def test_all_any_not_propagate_unknown(fake_refdata):
    unknown = {"path": "period.start", "exists": True}  # presence is never unknown
    assert check(unknown, {}, fake_refdata).value is False
    missing = {"path": "gender_marker", "eq": 0}
    true = {"path": "budget.total", "eq": 100}
    false = {"path": "budget.total", "eq": 1}
    assert check({"all": [missing, true]}, ACTIVITIES, fake_refdata).value is None
    assert check({"all": [missing, false]}, ACTIVITIES, fake_refdata).value is False
    assert check({"any": [missing, true]}, ACTIVITIES, fake_refdata).value is True
    assert check({"any": [missing, false]}, ACTIVITIES, fake_refdata).value is None
    assert check({"not": missing}, ACTIVITIES, fake_refdata).value is None
    assert check({"not": false}, ACTIVITIES, fake_refdata).value is True


def test_wildcard_with_a_missing_element_is_unknown_unless_decided(fake_refdata):
    data = {"activities": [{"category": "basic-services"}, {"id": "A2"}]}
    cond = {"path": "activities[*].category", "eq": "detention"}
    out = check(cond, data, fake_refdata)
    assert out.value is None and out.missing == [("activities", 1, "category")]
    data["activities"][0]["category"] = "detention"
    assert check(cond, data, fake_refdata).value is True


def test_empty_list_is_known(fake_refdata):
    cond = {"path": "activities[*].category", "eq": "detention"}
    assert check(cond, {"activities": []}, fake_refdata).value is False
    assert check({**cond, "quantifier": "all"}, {"activities": []}, fake_refdata).value is True


def test_share_with_unknown_category_uses_bounds(fake_refdata):
    data = {
        "budget": {"total": 100},
        "activities": [{"category": "border-control", "budget": 70}, {"budget": 30}],
    }
    where = {"where": {"path": "category", "eq": "border-control"}}
    assert check({"share": where, "gte": 0.5}, data, fake_refdata).value is True  # 0.7..1.0
    out = check({"share": where, "gte": 0.8}, data, fake_refdata)
    assert out.value is None and ("activities", 1, "category") in out.missing


def test_share_without_budget_is_unknown(fake_refdata):
    data = {"activities": [{"category": "border-control"}]}
    out = check(
        {"share": {"where": {"path": "category", "eq": "border-control"}}, "gt": 0},
        data,
        fake_refdata,
    )
    assert out.value is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Support to READMISSION of nationals", True),
        ("Steun aan de terugname van onderdanen", True),
        ("appui à la Réadmission", True),
        ("appui a la readmission", True),
        ("non-readmissionable", False),  # whole words only: 'readmissionable' is another word
        ("versterking van de grensbewaking", True),
        ("improved border-control posts", True),
        ("no such topic", False),
    ],
)
def test_mentions_folds_case_accents_and_respects_words(text, expected, fake_refdata):
    cond = {"path": "summary", "mentions": ["readmission", "border-control"]}
    assert check(cond, {"summary": text}, fake_refdata).value is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A negation or exclusion that reaches the phrase denies it: no mention.
        ("No part of the funding is conditional on readmission, return or border control.", False),
        ("The project does not finance border guards or patrols.", False),
        ("Geen enkele tranche is gekoppeld aan de terugname van onderdanen.", False),
        ("Het project financiert geen grensbewaking, geen patrouilles en geen detentie.", False),
        ("Aucun décaissement n'est lié à la réadmission des ressortissants.", False),
        ("Le projet ne finance ni le contrôle des frontières ni les patrouilles.", False),
        # A negated release is a condition ("until"); a new clause or a comma ends the
        # negation's reach; a hyphenated "non-" is a word, not a negation.
        ("No tranche will be released until the readmission agreement is signed.", True),
        ("The aim is not to stop migration but to fund border guards.", True),
        ("Since returnees have no income, readmission talks stall.", True),
        ("Training on non-discrimination for border guards.", True),
        ("Er is geen tranche, maar de terugname van onderdanen wordt opgevolgd.", True),
        ("Les fonds ne suffisent pas et que la réadmission progresse.", True),
        # denied in one sentence, said in a later one: mentioned
        ("No funds go to readmission. A second phase supports readmission.", True),
    ],
)
def test_mentions_are_not_counted_where_the_text_denies_them(text, expected, fake_refdata):
    cond = {"path": "summary", "mentions": ["readmission", "border-control"]}
    assert mentioned(cond, {"summary": text}, fake_refdata) is expected


DENIALS_LEXICON = Lexicon(
    {
        "readmission": ["readmission", "terugname", "réadmission"],
        "border-control": ["border guard*", "grensbewak*", "contrôle des frontières"],
        "vulnerable-groups": ["children", "kinderen", "enfants"],
    }
)


def mentioned(cond, data, refdata):
    as_of = date(2026, 11, 23)
    ctx = Context(data, compute_facts(data, refdata, as_of), refdata, as_of, DENIALS_LEXICON)
    return compile_condition(cond).evaluate(ctx).value


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Families arrive without money and with children.", "en"),
        ("Dagelijks komen er mensen aan, zonder geld en met kinderen.", "nl"),
        ("Ils arrivent sans argent, souvent avec des enfants.", "fr"),
    ],
)
def test_a_concept_that_names_people_is_mentioned_even_beside_a_negation(text, lang, fake_refdata):
    cond = {"path": "summary", "mentions": ["vulnerable-groups"]}
    assert mentioned(cond, {"summary": text, "language": lang}, fake_refdata) is True


def test_mentions_without_any_text_is_unknown(fake_refdata):
    out = check({"path": ["summary", "description"], "mentions": ["readmission"]}, {}, fake_refdata)
    assert out.value is None and ("summary",) in out.missing


def test_in_list_uses_reference_data_and_uncertainty(fake_refdata):
    cond = {"path": "countries[*].code", "in_list": "ldc"}
    assert (
        check(cond, {"countries": [{"code": "TUN"}, {"code": "NER"}]}, fake_refdata).value is True
    )
    assert check(cond, {"countries": [{"code": "TUN"}]}, fake_refdata).value is False
    assert check(cond, {"countries": [{"code": "BGD"}]}, fake_refdata).value is None


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"path": "a"},
        {"path": "a", "eq": 1, "ne": 2},
        {"path": "a", "fact": "ldc_share", "eq": 1},
        {"all": []},
        {"all": [{"path": "a", "eq": 1}], "any": []},
        {"path": "a", "frobnicate": 1},
        {"fact": "no_such_fact", "eq": 1},
        {"path": "a", "gt": "ten"},
        {"path": "a", "in": "x"},
        {"share": {"where": {"path": "category", "eq": "x"}}, "contains": 1},
        {"path": "a", "eq": 1, "quantifier": "most"},
    ],
)
def test_malformed_conditions_are_rejected(bad):
    with pytest.raises(ConditionError):
        compile_condition(bad)


def test_condition_schema_is_generated_from_the_registry():
    schema = condition_schema()
    described = " ".join(branch.get("description", "") for branch in schema["oneOf"])
    for name in OPERATORS:
        assert f"{name}:" in described


def test_mentions_on_an_empty_list_is_false_not_unknown(fake_refdata):
    out = check(
        {"path": "conditions[*].text", "mentions": ["readmission"]},
        {"conditions": []},
        fake_refdata,
    )
    assert out.value is False


def test_mentions_evidence_names_the_phrases_found(fake_refdata):
    data = {"summary": "Terugname en grensbewaking, and readmission."}
    out = check(
        {"path": "summary", "mentions": ["readmission", "border-control"]}, data, fake_refdata
    )
    assert out.evidence == [
        (("summary",), {"mentions": ["readmission", "terugname", "grensbewak*"]})
    ]


@pytest.mark.parametrize(
    ("cond", "message"),
    [
        ({"text": "everything", "says": ["forced-labour"]}, "text must be one of"),
        ({"text": "all", "says": ["no-such-frame"]}, "unknown concept frame(s) 'no-such-frame'"),
        ({"text": "all", "pays_for": ["legal-aid"]}, "no concept frame reads the categor"),
    ],
)
def test_says_and_text_are_checked(cond, message):
    with pytest.raises(ConditionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compile_condition(cond)


def _nodes(node):
    yield node
    for child in getattr(node, "children", ()):
        yield from _nodes(child)
    if hasattr(node, "child"):
        yield from _nodes(node.child)


def test_truth_values_agree_with_evaluated_outcomes():
    """truth() takes shortcuts (values without paths, no evidence, memo only for shared
    nodes); on every node of every rule it must give what evaluate() gives, on the examples and
    on imported activities, asked in either order."""
    from pathlib import Path

    from pcd_screen import inputs
    from pcd_screen.config import load_config, open_session
    from pcd_screen.engine.evaluate import context_for

    root = Path(__file__).resolve().parent.parent
    session = open_session(load_config(None, {"as_of": date(2026, 11, 23)}))
    files = sorted((root / "examples").glob("*.yaml")) + sorted(
        (root / "tests/fixtures/iati").glob("*-v2.0*.xml")
    )
    proposals = [
        p for f in files for p in inputs.proposals(str(f), "en", None) if not isinstance(p, str)
    ]
    assert len(proposals) > 10
    nodes = [
        node
        for rule in session.ruleset.rules
        if rule.scope == "proposal"
        for top in (rule.applies_when, rule.flag_when)
        if top is not None
        for node in _nodes(top)
    ]
    compared = {True: 0, False: 0, None: 0}
    for proposal in proposals:
        by_truth = context_for(proposal, session.ruleset, session.refdata, session.as_of)
        by_outcome = context_for(proposal, session.ruleset, session.refdata, session.as_of)
        for node in nodes:
            value = node.truth(by_truth)
            assert value == node.evaluate(by_outcome).value, (proposal.id, node)
            assert node.truth(by_outcome) == value  # after evaluate: from the outcome
            compared[value] += 1
    assert all(compared.values()), compared  # all three values were met
