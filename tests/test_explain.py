from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.reports.explain import explain, explain_rule


def test_conditions_read_as_sentences_with_polarity():
    lines = explain(
        {
            "all": [
                {"path": "activities[*].category", "in": ["detention"]},
                {"not": {"path": "safeguards.human_rights_risk_assessment", "eq": True}},
                {"share": {"where": {"path": "category", "eq": "military"}}, "gt": 0.5},
                {"fact": "ldc_share", "lt": 0.5},
                {"path": "countries[*].code", "in_list": "ldc", "quantifier": "all"},
            ]
        }
    )
    assert lines == [
        "- ALL of the following:",
        "  - for at least one element, `activities[*].category` is one of: detention",
        "  - NOT the following:",
        "    - `safeguards.human_rights_risk_assessment` is yes",
        "  - the budget share of the activities where `category` is military is more than 0.5",
        "  - the fact ldc_share (budget share (by country percentages) going to LDCs on the "
        "screening date) is less than 0.5",
        "  - for every element, `countries[*].code` is on the reference list ldc on the "
        "screening date",
    ]


def test_every_catalogue_rule_explains_in_three_languages():
    for rule in load_ruleset().rules:
        for lang in ("en", "nl", "fr"):
            lines = explain_rule(rule, lang)
            assert len(lines) >= 3 and all(lines), (rule.id, lang)
    dutch = explain_rule(load_ruleset().get("DNH-003"), "nl")
    assert dutch[0] == "De toetsregel is van toepassing wanneer:"  # regel alone is a line
