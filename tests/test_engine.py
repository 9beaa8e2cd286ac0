import json
from datetime import date

import jsonschema
import pytest

from conftest import EXAMPLES
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal, load_schema

AS_OF = date(2026, 11, 23)
RULES = """\
- id: TST-001
  principle: do-no-harm
  severity: {severity}
  kind: concern
  title: {{en: Detention}}
  message: {{en: "Funds {{evidence}}; migration control is {{facts.migration_control_share}}."}}
  rationale: {{en: r}}
  recommendation: {{en: rec}}
  applies_when: {{path: "activities", exists: true}}
  flag_when:
    all:
      - {{path: "activities[*].category", contains: detention}}
      - {{path: safeguards.human_rights_risk_assessment, ne: true}}
  sources: [{{doc: ngo-2020, section: "§3.2"}}]
  tests:
    - expect: flag
      proposal:
        activities: [{{category: detention}}]
        safeguards: {{human_rights_risk_assessment: false}}
    - {{expect: pass, proposal: {{activities: [{{category: basic-services}}]}}}}
"""


def screen(tmp_path, text, severity="critical"):
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "t.yaml").write_text(RULES.format(severity=severity))
    proposal_file = tmp_path / "p.yaml"
    proposal_file.write_text(text)
    ruleset = load_ruleset([rules], builtin=False)
    return evaluate(load_proposal(proposal_file, "p.yaml"), ruleset, load_refdata(), AS_OF)


BASE = (
    "schema_version: 1\nid: P\ntitle: T\nbudget: {total: 100}\n"
    "activities:\n  - {category: detention, budget: 40}\n"
)


@pytest.mark.parametrize(
    ("severity", "verdict"),
    [("critical", "block"), ("high", "revise"), ("medium", "clarify"), ("low", "clear")],
)
def test_flag_gives_verdict_by_severity(tmp_path, severity, verdict):
    result = screen(
        tmp_path, BASE + "safeguards: {human_rights_risk_assessment: false}\n", severity
    )
    (finding,) = result.findings
    assert finding.status == "flag" and result.verdict == verdict


def test_flag_has_evidence_with_lines_and_interpolated_message(tmp_path):
    result = screen(tmp_path, BASE + "safeguards: {human_rights_risk_assessment: false}\n")
    (finding,) = result.findings
    assert finding.message == "Funds detention; migration control is 40%."
    lines = {e.path: e.line for e in finding.evidence}
    assert lines == {
        "activities": 5,  # what put the proposal in the rule's scope
        "activities[0].category": 6,
        "safeguards.human_rights_risk_assessment": 7,
    }
    assert finding.sources[0]["doc"] == "ngo-2020" and finding.sources[0]["summary"]


def test_evidence_of_the_scope_is_marked_as_such(tmp_path):
    result = screen(tmp_path, BASE + "safeguards: {human_rights_risk_assessment: false}\n")
    (finding,) = result.findings
    scope = {e.path: e.scope for e in finding.evidence}
    assert scope == {
        "activities": True,  # applies_when: what put the proposal in scope
        "activities[0].category": None,  # flag_when: what the rule flagged
        "safeguards.human_rights_risk_assessment": None,
    }
    (published,) = result.to_dict()["findings"]
    assert [e.get("scope") for e in published["evidence"]] == [True, None, None]


def test_a_quoted_sentence_has_its_own_line():
    """NOC-007 on the budget-support example quotes the description's sentence on line 23,
    not the `description: >-` key on line 18."""
    result = evaluate(
        load_proposal(EXAMPLES / "budget-support-readmission-condition.yaml"),
        load_ruleset(),
        load_refdata(),
        AS_OF,
    )
    finding = next(f for f in result.findings if f.rule_id == "NOC-007")
    lines = (EXAMPLES / "budget-support-readmission-condition.yaml").read_text().splitlines()
    for item in finding.evidence:
        first = item.quote.strip("… ").split()[:3]
        assert " ".join(first) in " ".join(lines[item.line - 1].split()), item.path
    assert finding.evidence[0].line == 23


def test_missing_field_gives_unclear_naming_it(tmp_path):
    result = screen(tmp_path, BASE)
    (finding,) = result.findings
    assert finding.status == "unclear"
    assert finding.missing == ["safeguards.human_rights_risk_assessment"]
    assert result.verdict == "clarify"


def test_not_applicable_and_pass(tmp_path):
    result = screen(tmp_path, "schema_version: 1\nid: P\ntitle: T\n")
    assert result.findings[0].status == "not-applicable" and result.verdict == "clear"
    done = BASE + "safeguards: {human_rights_risk_assessment: {done: true, reference: annex}}\n"
    assert screen(tmp_path, done).findings[0].status == "pass"


def test_result_validates_and_is_deterministic():
    ruleset, refdata = load_ruleset(), load_refdata()
    validator = jsonschema.Draft202012Validator(load_schema("result"))
    for path in sorted(EXAMPLES.glob("*.yaml")):
        proposal = load_proposal(path)
        first = evaluate(proposal, ruleset, refdata, AS_OF).to_dict()
        second = evaluate(load_proposal(path), ruleset, refdata, AS_OF).to_dict()
        validator.validate(json.loads(json.dumps(first)))
        assert first == second
        assert first["ruleset"]["hash"] == ruleset.hash
        assert set(first["refdata"]) >= {"ldc", "dac-recipients"}


def test_evidence_paths_exist_in_the_proposal():
    ruleset, refdata = load_ruleset(), load_refdata()
    for path in sorted(EXAMPLES.glob("*.yaml")):
        result = evaluate(load_proposal(path), ruleset, refdata, AS_OF)
        for finding in result.findings:
            for item in finding.evidence:
                if not item.path.startswith(("facts.", "share", "count")):
                    assert item.line is not None, (path.name, finding.rule_id, item.path)


def test_a_list_the_reference_data_cannot_answer_is_not_a_missing_field():
    """Kosovo on the DAC List of 2025 flows: the copy of the 2024 List leaves it out. The
    country code is there, so the applicant is not asked for it again; what is missing is the
    reference data, and the letter to the applicant does not ask for it."""
    from pcd_screen.inputs.proposal import proposal_from_data
    from pcd_screen.reports.texts import letter_questions

    data = {
        "schema_version": 1,
        "id": "T-XKX",
        "title": "Rural roads",
        "summary": "Rural road maintenance with municipalities.",
        "countries": [{"code": "XKX"}],
        "oda": {"reported_as_oda": True},
    }
    result = evaluate(proposal_from_data(data), load_ruleset(), load_refdata(), date(2025, 6, 1))
    (oda,) = [f for f in result.findings if f.rule_id == "ODA-001"]
    assert oda.status == "unclear"
    assert oda.missing == ["reference-data.dac-recipients"]
    assert letter_questions(oda.missing, "en") == []
