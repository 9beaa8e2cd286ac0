import json
from dataclasses import asdict
from datetime import date

import jsonschema
import pytest

from conftest import AS_OF, EXAMPLES
from pcd_screen.core.located import LoadError
from pcd_screen.core.schemas import load_schema
from pcd_screen.engine import evaluate as engine
from pcd_screen.engine import refdata
from pcd_screen.engine import ruleset as rules
from pcd_screen.engine.result import verdict_for
from pcd_screen.engine.waivers import Waiver, apply_waivers, load_waivers, unknown_rule_notes
from pcd_screen.inputs.proposal import load_proposal

NIGER = "EU-NDICI-2026-NE-031"  # border-control-transit-niger.yaml: block
REFUGEE_COSTS = "BE-2026-FEDASIL-ODA"  # in-donor-refugee-costs.yaml: revise (ODA-004 only high)
SPARSE = "BE-2026-CONCEPT-MLI-03"  # sparse-proposal.yaml: clarify, many unclear findings


@pytest.fixture(scope="module")
def results():
    ruleset = rules.load_ruleset()
    data = refdata.load_refdata()
    return [
        engine.evaluate(load_proposal(EXAMPLES / name), ruleset, data, AS_OF)
        for name in (
            "border-control-transit-niger.yaml",
            "in-donor-refugee-costs.yaml",
            "sparse-proposal.yaml",
        )
    ]


def waiver(rule, proposal, path=None, expires="2027-03-31", granted="2026-10-01", line=1):
    return Waiver(
        rule=rule,
        proposal=proposal,
        path=path,
        justification=f"accepted risk on {rule}",
        approved_by="A. Jansen, head of unit",
        granted=date.fromisoformat(granted),
        expires=date.fromisoformat(expires),
        file=".pcd-waivers.yaml",
        line=line,
    )


def finding(report, proposal_id, rule_id):
    result = next(r for r in report.results if r.proposal["id"] == proposal_id)
    return next(f for f in result.findings if f.rule_id == rule_id)


def result_of(report, proposal_id):
    return next(r for r in report.results if r.proposal["id"] == proposal_id)


# --- applying --------------------------------------------------------------------------------


def test_a_waived_finding_keeps_its_place_with_the_waiver_record(results):
    w = waiver("ODA-004", REFUGEE_COSTS, line=7)
    report = apply_waivers(results, [w], AS_OF)
    waived = finding(report, REFUGEE_COSTS, "ODA-004")
    assert waived.status == "waived"
    assert waived.waiver == {
        "justification": "accepted risk on ODA-004",
        "approved_by": "A. Jansen, head of unit",
        "granted": "2026-10-01",
        "expires": "2027-03-31",
        "path": None,
        "file": ".pcd-waivers.yaml",
        "line": 7,
        "expired": False,
    }
    assert waived.message  # the finding itself is unchanged
    result = result_of(report, REFUGEE_COSTS)
    # ODA-004 was the only high concern: the verdict falls to clarify (a medium concern).
    assert result.verdict == "clarify"
    assert result.summary["waived"] == 1
    assert result.summary["concerns"]["high"] == 0
    assert report.applied == [w] and report.expired == [] and report.stale == []
    # The other proposals are untouched, apart from being new objects.
    assert result_of(report, NIGER).to_dict() == results[0].to_dict()


def test_the_expiry_day_is_still_covered_and_the_next_day_is_not(results):
    on_the_day = apply_waivers(
        results, [waiver("ODA-004", REFUGEE_COSTS, expires="2026-11-23")], AS_OF
    )
    assert finding(on_the_day, REFUGEE_COSTS, "ODA-004").status == "waived"
    w = waiver("ODA-004", REFUGEE_COSTS, expires="2026-11-22")
    report = apply_waivers(results, [w], AS_OF)
    expired = finding(report, REFUGEE_COSTS, "ODA-004")
    assert expired.status == "flag"
    assert expired.waiver["expired"] is True
    assert expired.waiver["expires"] == "2026-11-22"
    assert result_of(report, REFUGEE_COSTS).verdict == "revise"
    assert result_of(report, REFUGEE_COSTS).summary["waived"] == 0
    assert report.expired == [w] and report.applied == [] and report.stale == []


def test_an_active_waiver_beats_an_expired_one_and_the_longest_is_shown(results):
    old = waiver("DNH-003", NIGER, expires="2026-06-30", line=1)
    short = waiver("DNH-003", NIGER, path="implementers", expires="2027-01-31", line=9)
    long = waiver("DNH-003", NIGER, path="activities[*].category", expires="2027-12-31", line=17)
    report = apply_waivers(results, [long, old, short], AS_OF)
    waived = finding(report, NIGER, "DNH-003")
    assert waived.status == "waived"
    assert waived.waiver["expires"] == "2027-12-31"
    assert report.applied == [short, long]  # file order
    assert report.expired == [old]
    assert report.stale == []


def test_a_waiver_that_matches_nothing_is_stale(results):
    unknown_proposal = waiver("DNH-001", "NOT-IN-THIS-RUN", line=1)
    passing_rule = waiver("DNH-001", REFUGEE_COSTS, line=2)  # not applicable there
    wrong_path = waiver("NOC-003", NIGER, path="activities", line=3)
    strength = waiver("DNH-011", REFUGEE_COSTS, line=4)  # a strength, flagged: never waived
    expired_and_unused = waiver("DNH-001", "NOT-IN-THIS-RUN", expires="2026-01-01", line=5)
    waivers = [unknown_proposal, passing_rule, wrong_path, strength, expired_and_unused]
    report = apply_waivers(results, waivers, AS_OF)
    assert report.stale == waivers
    assert report.applied == [] and report.expired == []
    assert [r.to_dict() for r in report.results] == [r.to_dict() for r in results]


def test_path_restricted_waivers(results):
    # NOC-003's evidence is selection_criteria; DNH-003's includes implementers[0].type.
    cases = {
        "selection_criteria": ("NOC-003", True),
        "selection": ("NOC-003", False),  # not a prefix at a field boundary
        "implementers": ("DNH-003", True),
        "implementers[1]": ("DNH-003", True),
        "implementers[*].type": ("DNH-003", True),
        "implementers[7].type": ("DNH-003", False),
        "safeguards.independent_monitoring": ("DNH-003", False),
    }
    for path, (rule_id, covered) in cases.items():
        report = apply_waivers(results, [waiver(rule_id, NIGER, path=path)], AS_OF)
        status = finding(report, NIGER, rule_id).status
        assert status == ("waived" if covered else "flag"), path
        assert bool(report.stale) is not covered, path


def test_unclear_findings_can_be_waived_by_a_missing_field(results):
    report = apply_waivers(
        results, [waiver("DNH-001", SPARSE, path="safeguards.independent_monitoring")], AS_OF
    )
    waived = finding(report, SPARSE, "DNH-001")
    assert waived.status == "waived"
    assert result_of(report, SPARSE).summary["unclear"] == results[2].summary["unclear"] - 1


def test_verdicts_are_recomputed_with_unclear_as_flag(results):
    sparse = results[2]
    assert sparse.verdict == "clarify"
    report = apply_waivers(results, [], AS_OF, unclear_as_flag=("critical", "high"))
    assert result_of(report, SPARSE).verdict == "block"  # unclear critical rules count
    # Waiving every critical unclear finding leaves the high ones: revise.
    criticals = [
        f.rule_id for f in sparse.findings if f.severity == "critical" and f.status == "unclear"
    ]
    waivers = [waiver(rule_id, SPARSE, line=i) for i, rule_id in enumerate(criticals)]
    report = apply_waivers(results, waivers, AS_OF, unclear_as_flag=("critical", "high"))
    assert result_of(report, SPARSE).verdict == "revise"
    result = result_of(report, SPARSE)
    assert result.verdict == verdict_for(result.findings, ("critical", "high"))
    assert result.policy == {"unclear_as_flag": ["critical", "high"]}


def test_without_unclear_as_flag_each_results_own_policy_is_kept():
    strict = engine.evaluate(
        load_proposal(EXAMPLES / "sparse-proposal.yaml"),
        rules.load_ruleset(),
        refdata.load_refdata(),
        AS_OF,
        unclear_as_flag=("critical", "high"),
    )
    assert strict.verdict == "block"
    report = apply_waivers([strict], [], AS_OF)
    assert report.results[0].verdict == "block"
    assert report.results[0].policy == {"unclear_as_flag": ["critical", "high"]}


def test_findings_stay_sorted_after_waiving(results):
    report = apply_waivers(results, [waiver("DNH-001", NIGER)], AS_OF)
    statuses = [f.status for f in result_of(report, NIGER).findings if f.kind == "concern"]
    flagged_then_waived = [s for s in statuses if s in ("flag", "waived")]
    assert flagged_then_waived == sorted(flagged_then_waived, key=["flag", "waived"].index)


def test_inputs_are_not_mutated(results):
    before = [json.dumps(r.to_dict(), sort_keys=True) for r in results]
    waivers = [waiver("DNH-003", NIGER), waiver("ODA-004", REFUGEE_COSTS, expires="2026-01-01")]
    snapshot = [asdict(w) for w in waivers]
    report = apply_waivers(results, waivers, AS_OF)
    assert [json.dumps(r.to_dict(), sort_keys=True) for r in results] == before
    assert [asdict(w) for w in waivers] == snapshot
    for new, old in zip(report.results, results, strict=True):
        assert new is not old
        assert all(a is not b for a, b in zip(new.findings, old.findings, strict=True))
    # Changing an output does not reach the input.
    report.results[0].findings[0].evidence.clear()
    report.results[0].proposal["id"] = "changed"
    assert [json.dumps(r.to_dict(), sort_keys=True) for r in results] == before


def test_output_is_deterministic(results):
    waivers = [waiver("DNH-003", NIGER), waiver("X", "Y"), waiver("ODA-004", REFUGEE_COSTS)]
    first = apply_waivers(results, waivers, AS_OF)
    second = apply_waivers(results, list(reversed(waivers)), AS_OF)
    assert [r.to_dict() for r in first.results] == [r.to_dict() for r in second.results]
    assert (first.applied, first.stale) == (second.applied, second.stale)


# --- loading ---------------------------------------------------------------------------------

GOOD = """\
waivers:
  - rule: DNH-003
    proposal: EU-NDICI-2026-NE-031
    path: safeguards.human_rights_risk_assessment
    justification: "Border-guard component limited to first aid; OHCHR monitors (annex 7)."
    approved_by: "A. Jansen, head of unit"
    granted: "2026-10-01"
    expires: "2027-03-31"
  - rule: NOC-003
    proposal: EU-NDICI-2026-NE-031
    justification: Accepted for the 2026 call only.
    approved_by: B. Dupont, director
    granted: 2026-01-15
    expires: 2026-06-30
    x-ticket: GOV-123
"""


def load(tmp_path, text, name=".pcd-waivers.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_waivers(path, name)


def load_errors(tmp_path, text) -> list[str]:
    with pytest.raises(LoadError) as excinfo:
        load(tmp_path, text)
    return [str(e) for e in excinfo.value.errors]


def test_load_waivers(tmp_path):
    first, second = load(tmp_path, GOOD)
    assert first == Waiver(
        rule="DNH-003",
        proposal=NIGER,
        path="safeguards.human_rights_risk_assessment",
        justification="Border-guard component limited to first aid; OHCHR monitors (annex 7).",
        approved_by="A. Jansen, head of unit",
        granted=date(2026, 10, 1),
        expires=date(2027, 3, 31),
        file=".pcd-waivers.yaml",
        line=2,
    )
    assert (second.path, second.granted, second.expires, second.line) == (
        None,
        date(2026, 1, 15),  # unquoted dates work too
        date(2026, 6, 30),
        9,
    )
    assert second.to_dict()["expires"] == "2026-06-30"
    assert load(tmp_path, "") == []
    assert load(tmp_path, "waivers: []\n") == []


def test_missing_justification_approver_and_expiry_are_errors(tmp_path):
    text = """\
waivers:
  - rule: DNH-003
    proposal: P1
    granted: "2026-10-01"
    expires: "2027-03-31"
  - {rule: DNH-003, proposal: P2, justification: ok, approved_by: me, granted: "2026-10-01"}
  - rule: DNH-003
    proposal: P3
    justification: "   "
    approved_by: ""
    granted: "2026-10-01"
    expires: "2027-03-31"
"""
    assert load_errors(tmp_path, text) == [
        ".pcd-waivers.yaml:2:5: waivers[0]: required fields 'justification', 'approved_by' "
        "are missing",
        ".pcd-waivers.yaml:6:5: waivers[1]: required field 'expires' is missing",
        ".pcd-waivers.yaml:9:5: waivers[2].justification: '   ' does not match: a non-blank "
        "reason why the risk is accepted, with the mitigation or reference",
        ".pcd-waivers.yaml:10:5: waivers[2].approved_by: '' does not match: a non-blank name "
        "and role of the person who approved the waiver",
        ".pcd-waivers.yaml:10:5: waivers[2].approved_by: must not be empty",
    ]


def test_expires_before_granted_is_an_error(tmp_path):
    text = GOOD.replace("expires: 2026-06-30", "expires: 2025-12-31")
    assert load_errors(tmp_path, text) == [
        ".pcd-waivers.yaml:14:5: waivers[1].expires: expires 2025-12-31 is before granted "
        "2026-01-15"
    ]


def test_unknown_keys_bad_values_and_duplicates_are_errors(tmp_path):
    text = GOOD.replace("    path: safeguards", "    reason: x\n    path: safeguards").replace(
        'granted: "2026-10-01"', 'granted: "2026-13-01"'
    )
    assert load_errors(tmp_path, text) == [
        ".pcd-waivers.yaml:4:5: waivers[0].reason: unknown field 'reason' (allowed: approved_by, "
        "expires, granted, justification, path, proposal, rule)",
        ".pcd-waivers.yaml:8:5: waivers[0].granted: '2026-13-01' is not a valid date "
        "(expected YYYY-MM-DD)",
    ]
    duplicate = GOOD + GOOD[GOOD.index("  - rule: NOC-003") :].replace("2026-06-30", "2026-12-31")
    assert load_errors(tmp_path, duplicate) == [
        ".pcd-waivers.yaml:16:5: waivers[2]: NOC-003 on EU-NDICI-2026-NE-031 is already waived "
        "at line 9; edit that waiver instead (renew it by changing its dates)"
    ]
    assert load_errors(tmp_path, "- rule: DNH-003\n") == [
        ".pcd-waivers.yaml:1:1: (document): expected a mapping, got list"
    ]
    assert load_errors(tmp_path, "waivers:\n  - rule: dnh-3\n")[1] == (
        ".pcd-waivers.yaml:2:5: waivers[0].rule: 'dnh-3' does not match: the id of the rule "
        "whose finding is waived, such as DNH-003"
    )


def test_a_waiver_for_an_unknown_rule_is_stale_not_an_error(tmp_path):
    # It used to be a hard error: a rule renamed in an upgrade turned every repository holding
    # a waiver for it red.
    waivers = load(tmp_path, GOOD.replace("rule: NOC-003", "rule: NOC-030"))
    known = [r.id for r in rules.load_ruleset().rules]
    assert unknown_rule_notes(waivers[:1], known) == []
    assert unknown_rule_notes(waivers, known) == [
        ".pcd-waivers.yaml:9: the waiver names rule 'NOC-030', which is not in the catalogue "
        "(did you mean 'NOC-007'?); it is stale: remove or correct it"
    ]


def test_a_waiver_longer_than_max_waiver_days_is_refused(tmp_path):
    forever = GOOD.replace('expires: "2027-03-31"', 'expires: "2999-12-31"')
    assert load_errors(tmp_path, forever) == [
        ".pcd-waivers.yaml:8:5: waivers[0].expires: expires 2999-12-31 is 355472 days after "
        "granted 2026-10-01; a waiver may run at most 365 days (max_waiver_days in the config): "
        "no open-ended waivers"
    ]
    year = GOOD.replace('expires: "2027-03-31"', 'expires: "2027-10-01"')
    assert len(load(tmp_path, year)) == 2  # exactly 365 days
    with pytest.raises(LoadError):
        load_waivers(tmp_path / ".pcd-waivers.yaml", max_days=180)


def test_loaded_waivers_apply_end_to_end(tmp_path, results):
    waivers = load(tmp_path, GOOD)
    report = apply_waivers(results, waivers, AS_OF)
    assert finding(report, NIGER, "DNH-003").status == "waived"
    assert finding(report, NIGER, "DNH-003").waiver["line"] == 2
    assert finding(report, NIGER, "NOC-003").waiver["expired"] is True
    assert [w.rule for w in report.applied] == ["DNH-003"]
    assert [w.rule for w in report.expired] == ["NOC-003"]


def test_schema_accepts_and_rejects(tmp_path):
    schema = load_schema("waivers")
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.FormatChecker(formats=("date",))
    )
    good = {
        "rule": "DNH-003",
        "proposal": "P",
        "justification": "j",
        "approved_by": "a",
        "granted": "2026-01-01",
        "expires": "2026-02-01",
    }
    cases = [{"waivers": []}, {"waivers": [good]}, {"waivers": [good], "x-note": 1}, {}]
    for key, bad in [
        ("rule", "DNH-3"),
        ("proposal", ""),
        ("path", "a..b"),
        ("path", "activities[x]"),
        ("justification", " \n"),
        ("granted", "2026-02-30"),
        ("expires", 20260201),
        ("extra", True),
    ]:
        cases.append({"waivers": [{**good, key: bad}]})
    valid = [validator.is_valid(case) for case in cases]
    assert valid == [True] * 3 + [False] * (len(cases) - 3)  # {} lacks the waivers key
