import hashlib
import json
from dataclasses import replace

import pytest

from conftest import (
    AS_OF,
    CI_RUN,
    EXAMPLES,
    REPO,
    screened,
    waived_niger,
    waiver_record,
    with_findings,
)
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal
from pcd_screen.reports.common import Run, artifact_path, artifact_uri, finding_line
from pcd_screen.reports.sarif import render_sarif, rule_name

SUPPRESS = replace(CI_RUN, sarif_waived="suppress")

# The official schema is read where the shared folder has it, never copied into the repo.
SARIF_SCHEMA = REPO.parent / "shared" / "data" / "sarif" / "sarif-schema-2.1.0.json"
NIGER = "border-control-transit-niger"
WAIVER = waiver_record('Accepted: UNHCR monitors the <border posts> & "reports" quarterly')
RUN = CI_RUN


def ci_results():
    return [waived_niger(WAIVER), screened("sparse-proposal"), screened("in-donor-refugee-costs")]


def sarif_of(results=None, run=RUN):
    return json.loads(render_sarif(ci_results() if results is None else results, run))


def results_by(doc, proposal_id):
    return {
        r["ruleId"]: r
        for r in doc["runs"][0]["results"]
        if r["properties"]["proposal_id"] == proposal_id
    }


@pytest.mark.skipif(
    not SARIF_SCHEMA.is_file(),
    reason=f"the official SARIF 2.1.0 schema is absent ({SARIF_SCHEMA}; ../shared not present)",
)
def test_validates_against_the_official_schema():
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    odd_file = replace(
        screened("sparse-proposal"),
        proposal={"id": "ODD", "title": "t", "file": "./dir with space\\odd #1.yaml"},
    )
    for results in (ci_results(), [odd_file], []):
        doc = sarif_of(results)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_run_header():
    doc = sarif_of()
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "pcd-screen" and driver["version"] and driver["informationUri"]
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_levels_follow_severity_and_unclear_is_a_note():
    doc = sarif_of()
    niger = results_by(doc, "EU-NDICI-2026-NE-031")
    assert niger["DNH-001"]["level"] == "error"  # critical
    assert niger["NOC-003"]["level"] == "error"  # high
    assert niger["DNH-004"]["level"] == "warning"  # medium
    assert niger["MFD-004"]["level"] == "note"  # low
    expected = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
    for result in doc["runs"][0]["results"]:
        props = result["properties"]
        if props["status"] == "unclear":
            assert result["level"] == "note"
        else:
            assert result["level"] == expected.get(props["severity"], "note")


def test_unclear_message_names_the_missing_fields():
    sparse = results_by(sarif_of(), "BE-2026-CONCEPT-MLI-03")
    dnh1 = sparse["DNH-001"]
    assert dnh1["level"] == "note"
    assert dnh1["message"]["text"].startswith("Support to interception at sea")
    for field in ("activities", "safeguards.human_rights_risk_assessment"):
        assert field in dnh1["message"]["text"]
    # Nothing in this proposal locates the fields: no region rather than a made-up line 1.
    assert "region" not in dnh1["locations"][0]["physicalLocation"]


def test_regions_point_at_the_evidence_line_in_the_proposal():
    niger = results_by(sarif_of(), "EU-NDICI-2026-NE-031")
    lines = (EXAMPLES / f"{NIGER}.yaml").read_text(encoding="utf-8").splitlines()
    for rule_id, result in niger.items():
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == f"examples/{NIGER}.yaml"
        start = location["region"]["startLine"]
        assert start > 1, rule_id
        finding = next(f for f in waived_niger(WAIVER).findings if f.rule_id == rule_id)
        deciding = [e.line for e in finding.evidence if e.line and not e.scope]
        assert start in (deciding or [e.line for e in finding.evidence if e.line]), rule_id
    # DNH-001 points at the safeguard whose absence flagged it, not at the detention activity
    # that put the proposal in its scope, nor at the top of the file.
    start = niger["DNH-001"]["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert lines[start - 1].strip() == "human_rights_risk_assessment: false"


def test_a_finding_points_at_what_decided_it():
    """Not at what put the proposal in scope (the activities that make it migration-related,
    line 46), nor at a folded text's key: at the condition, the indicator, the sentence."""
    result = screened("budget-support-readmission-condition")
    lines = {f.rule_id: finding_line(result, f) for f in result.findings if f.evidence}
    assert lines["NOC-001"] == 86  # the condition's link to readmission (lines 80-86)
    assert lines["MFD-001"] == lines["NOC-005"] == 78  # the readmission-rate indicator
    assert lines["NOC-007"] == 23  # the quoted sentence, not `description: >-` (18)
    assert lines["DNH-003"] == 100  # the missing human-rights risk assessment


def test_a_derived_fact_of_the_flag_comes_before_a_field_of_the_scope():
    ci = REPO / "examples" / "ci-repo" / "proposals" / "reception-costs-belgium.yaml"
    result = evaluate(load_proposal(ci), load_ruleset(), load_refdata(), AS_OF)
    oda4 = next(f for f in result.findings if f.rule_id == "ODA-004")
    # oda.reported_as_oda (line 24) is the scope; the months (line 84) decided it.
    assert finding_line(result, oda4) == 84


def test_a_field_comes_before_a_derived_fact():
    from pcd_screen.engine.result import Evidence

    result = screened(NIGER)
    finding = replace(
        next(f for f in result.findings if f.evidence),
        evidence=[
            Evidence("facts.migration_related", True, 5, scope=True),
            Evidence("facts.coercive_share", 0.4, 7),
            Evidence("activities[0].category", "detention", 9),
        ],
    )
    assert finding_line(result, finding) == 9
    finding.evidence.pop()
    assert finding_line(result, finding) == 7


def test_unclear_finding_points_at_the_missing_fields_parent_when_known():
    result = screened(NIGER)

    def change(f):
        if f.rule_id == "DNH-005":
            return replace(f, status="unclear", evidence=[], missing=["safeguards.do_no_harm"])
        return f

    changed = with_findings(result, change)
    finding = next(f for f in changed.findings if f.rule_id == "DNH-005")
    safeguard_lines = [
        e.line for f in result.findings for e in f.evidence if e.path.startswith("safeguards.")
    ]
    assert finding_line(changed, finding) == min(safeguard_lines)
    # A top-level field has no parent but the document root: no line.
    top = replace(finding, missing=["conditions"])
    assert finding_line(changed, top) is None


def test_waived_findings_are_left_out_by_default():
    # GitHub code scanning ignores SARIF suppressions: a waived critical showed as an open alert.
    niger = results_by(sarif_of(), "EU-NDICI-2026-NE-031")
    assert "DNH-003" not in niger and "DNH-001" in niger
    assert all(r["properties"]["status"] != "waived" for r in sarif_of()["runs"][0]["results"])


def test_critical_and_high_differ_by_security_severity_and_precision():
    rules = {r["id"]: r for r in sarif_of()["runs"][0]["tool"]["driver"]["rules"]}
    niger = results_by(sarif_of(), "EU-NDICI-2026-NE-031")
    critical, high = rules["DNH-001"]["properties"], rules["NOC-003"]["properties"]
    assert (critical["severity"], high["severity"]) == ("critical", "high")
    assert niger["DNH-001"]["level"] == niger["NOC-003"]["level"] == "error"
    assert float(critical["security-severity"]) >= 9.0 > float(high["security-severity"]) >= 7.0
    assert (critical["precision"], high["precision"]) == ("very-high", "high")
    levels = [float(r["properties"]["security-severity"]) for r in rules.values()]
    assert all(0 < level <= 10 for level in levels)


def test_waived_finding_is_suppressed_with_its_justification():
    niger = results_by(sarif_of(run=SUPPRESS), "EU-NDICI-2026-NE-031")
    suppressions = niger["DNH-003"]["suppressions"]
    assert len(suppressions) == 1
    assert suppressions[0]["kind"] == "external" and suppressions[0]["status"] == "accepted"
    assert suppressions[0]["justification"] == WAIVER["justification"]
    assert suppressions[0]["properties"]["approved_by"] == WAIVER["approved_by"]
    assert niger["DNH-003"]["level"] == "error"  # still a high concern, just accepted
    # An expired waiver does not suppress; the message says it expired.
    assert "suppressions" not in niger["DNH-001"]
    assert "expired on 2026-10-31" in niger["DNH-001"]["message"]["text"]
    assert all("suppressions" not in r for k, r in niger.items() if k != "DNH-003")


def test_expired_and_stale_waivers_are_run_notifications():
    notes = sarif_of()["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["descriptor"]["id"] for n in notes] == [
        "pcd-screen/expired-waiver",
        "pcd-screen/stale-waiver",
    ]
    stale = notes[1]
    assert "EU-GONE-1" in stale["message"]["text"]
    assert stale["locations"][0]["physicalLocation"]["region"]["startLine"] == 20
    quiet = sarif_of(run=Run(fail_on="revise"))
    assert "toolExecutionNotifications" not in quiet["runs"][0]["invocations"][0]


def test_one_reporting_descriptor_per_rule():
    doc = sarif_of()
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted(set(ids))
    assert set(ids) == {f.rule_id for r in ci_results() for f in r.findings}
    for result in doc["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    dnh1 = rules[ids.index("DNH-001")]
    finding = next(f for f in screened(NIGER).findings if f.rule_id == "DNH-001")
    assert dnh1["name"] == "SupportToInterceptionAtSeaDetentionOrForcedReturnWithoutSafeguards"
    assert dnh1["shortDescription"]["text"] == finding.title
    assert dnh1["fullDescription"]["text"] == finding.rationale
    assert dnh1["helpUri"] == "https://pcd-screen.org/catalogue/#dnh-001"
    for text in (dnh1["help"]["text"], dnh1["help"]["markdown"]):
        assert finding.rationale in text and finding.recommendation in text
        assert finding.sources[0]["section"] in text
    props = dnh1["properties"]
    assert props["principle"] == "do-no-harm" and props["severity"] == "critical"
    assert props["kind"] == "concern" and props["tags"] == ["do-no-harm"]
    assert props["sources"][0]["doc"] == finding.sources[0]["doc"]


def test_help_uri_template_from_the_config():
    run = replace(RUN, help_uri="https://example.org/catalogue#{rule_id}")
    rules = sarif_of(run=run)["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["helpUri"] == f"https://example.org/catalogue#{rules[0]['id']}"


def test_strengths_are_not_results():
    doc = sarif_of([screened("budget-support-readmission-condition")])
    reported = {r["ruleId"] for r in doc["runs"][0]["results"]}
    assert "LDC-003" not in reported and "NOC-006" not in reported  # strengths present
    assert "NOC-001" in reported
    statuses = {r["properties"]["status"] for r in sarif_of(run=SUPPRESS)["runs"][0]["results"]}
    assert statuses == {"flag", "waived", "unclear"}


def test_partial_fingerprints_are_stable_per_proposal_and_rule():
    doc = sarif_of()
    prints = [r["partialFingerprints"]["pcdScreen/v1"] for r in doc["runs"][0]["results"]]
    assert len(prints) == len(set(prints))
    dnh1 = results_by(doc, "EU-NDICI-2026-NE-031")["DNH-001"]
    expected = hashlib.sha256(b"EU-NDICI-2026-NE-031/DNH-001").hexdigest()
    assert dnh1["partialFingerprints"]["pcdScreen/v1"] == expected
    assert dnh1["properties"]["proposal_id"] == "EU-NDICI-2026-NE-031"
    assert dnh1["properties"]["verdict"] == "block"


def test_deterministic_bytes():
    first = render_sarif(ci_results(), RUN)
    assert render_sarif(ci_results(), RUN) == first
    assert render_sarif(list(reversed(ci_results())), RUN) == first  # order of files irrelevant
    for key in ("startTimeUtc", "endTimeUtc", "guid", "automationDetails"):
        assert f'"{key}"' not in first


def test_artifact_paths():
    assert artifact_path("./proposals\\a.yaml") == "proposals/a.yaml"
    assert artifact_uri("proposals/my file.yaml") == "proposals/my%20file.yaml"
    assert artifact_uri("/srv/repo/p.yaml") == "file:///srv/repo/p.yaml"
    assert artifact_uri("C:\\repo\\p.yaml") == "file:///C:/repo/p.yaml"


def test_artifact_paths_are_relative_to_the_repository_root(tmp_path, monkeypatch):
    # Run from a sub-folder (working-directory:), paths were relative to it, and the waivers
    # file, above it, became a file:/// URI.
    (tmp_path / "proposals").mkdir()
    monkeypatch.chdir(tmp_path / "proposals")
    root = str(tmp_path)
    assert artifact_path("a.yaml", root) == "proposals/a.yaml"
    assert artifact_uri("../.pcd-waivers.yaml", root) == ".pcd-waivers.yaml"
    assert artifact_uri(str(tmp_path / "proposals" / "a b.yaml"), root) == "proposals/a%20b.yaml"
    assert artifact_uri("/elsewhere/p.yaml", root) == "file:///elsewhere/p.yaml"


def test_rule_name_is_pascal_case_or_the_id():
    assert rule_name("Étude préalable: coût/bénéfice", "X-001") == "EtudePrealableCoutBenefice"
    assert rule_name("", "DQ-001") == "DQ-001"
    assert rule_name("12 months", "ODA-004") == "ODA-004"


def test_waived_unclear_finding_stays_a_note():
    def change(f):
        return replace(f, status="waived", waiver=dict(WAIVER)) if f.rule_id == "NOC-001" else f

    doc = sarif_of([with_findings(screened("sparse-proposal"), change)], SUPPRESS)
    noc1 = results_by(doc, "BE-2026-CONCEPT-MLI-03")["NOC-001"]
    assert noc1["level"] == "note" and "conditions" in noc1["message"]["text"]
    assert noc1["suppressions"][0]["justification"] == WAIVER["justification"]


def test_strict_policy_reports_unclear_critical_and_high_at_their_level():
    proposal = load_proposal(EXAMPLES / "sparse-proposal.yaml", "examples/sparse-proposal.yaml")
    strict = evaluate(
        proposal, load_ruleset(), load_refdata(), AS_OF, unclear_as_flag=("critical", "high")
    )
    sparse = results_by(sarif_of([strict]), "BE-2026-CONCEPT-MLI-03")
    assert sparse["DNH-001"]["level"] == "error"
    assert sparse["DNH-001"]["properties"]["counted_as_flag"] is True
    assert "counts an unclear critical concern as flagged" in sparse["DNH-001"]["message"]["text"]
    assert sparse["DNH-004"]["level"] == "note"  # medium: not in unclear_as_flag
