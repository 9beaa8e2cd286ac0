import xml.etree.ElementTree as ET
from dataclasses import replace

from conftest import AS_OF, EXAMPLES, screened, waived_niger, waiver_record, with_findings
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal
from pcd_screen.reports.common import Run
from pcd_screen.reports.junit import render_junit

NIGER = "border-control-transit-niger"
WAIVER = waiver_record("Accepted: UNHCR monitors the border posts quarterly")
RUN = Run(fail_on="revise")


def ci_results():
    return [waived_niger(WAIVER), screened("sparse-proposal"), screened("diaspora-health-ghana")]


def parsed(results=None):
    return ET.fromstring(render_junit(ci_results() if results is None else results, RUN))


def suite_of(root, proposal_id):
    (suite,) = [s for s in root.iter("testsuite") if s.get("name") == proposal_id]
    return suite


def cases(suite):
    return {c.get("name").split(" ", 1)[0]: c for c in suite.iter("testcase")}


def test_one_suite_per_proposal():
    root = parsed()
    assert root.tag == "testsuites" and root.get("name") == "pcd-screen"
    suites = root.findall("testsuite")
    assert sorted(s.get("name") for s in suites) == sorted(r.proposal["id"] for r in ci_results())
    niger = suite_of(root, "EU-NDICI-2026-NE-031")
    assert niger.get("file") == f"examples/{NIGER}.yaml"
    props = {p.get("name"): p.get("value") for p in niger.iter("property")}
    assert props["verdict"] == "block" and props["fail_on"] == "revise"


def test_counts():
    root = parsed()
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for result in ci_results():
        suite = suite_of(root, result.proposal["id"])
        applicable = [f for f in result.findings if f.status != "not-applicable"]
        concerns = [f for f in applicable if f.kind == "concern"]
        expected = {
            "tests": len(applicable),
            "failures": sum(f.status == "flag" for f in concerns),
            "skipped": sum(f.status in ("unclear", "waived") for f in concerns),
        }
        for key, value in expected.items():
            assert int(suite.get(key)) == value, (result.proposal["id"], key)
            totals[key] += value
        assert len(suite.findall("testcase")) == expected["tests"]
        assert len(suite.findall("testcase/failure")) == expected["failures"]
        assert len(suite.findall("testcase/skipped")) == expected["skipped"]
        assert suite.get("errors") == "0"
    for key, value in totals.items():
        assert int(root.get(key)) == value
    # The niger proposal: one waived finding is skipped, not failed.
    niger = suite_of(root, "EU-NDICI-2026-NE-031")
    assert niger.find("testcase[@name='DNH-003 " + cases(niger)["DNH-003"].get("name")[8:] + "']")
    assert cases(niger)["DNH-003"].find("skipped") is not None


def test_testcases():
    niger = cases(suite_of(parsed(), "EU-NDICI-2026-NE-031"))
    dnh1 = niger["DNH-001"]
    assert dnh1.get("classname") == "do-no-harm"
    assert dnh1.get("name").startswith("DNH-001 Support to interception at sea")
    failure = dnh1.find("failure")
    assert failure.get("type") == "critical"
    assert "waiver expired on 2026-10-31" in failure.get("message")
    assert "activities[4].category" in failure.text  # evidence in the body
    waived = niger["DNH-003"].find("skipped")
    assert waived.get("message") == f"waived: {WAIVER['justification']}"
    assert niger["DNH-003"].find("failure") is None
    passed = [c for c in niger.values() if not list(c)]
    assert passed  # passes are plain test cases
    not_applicable = {f.rule_id for f in screened(NIGER).findings if f.status == "not-applicable"}
    assert not_applicable and not (not_applicable & set(niger))


def test_unclear_is_skipped_with_the_missing_fields():
    sparse = cases(suite_of(parsed(), "BE-2026-CONCEPT-MLI-03"))
    skipped = sparse["NOC-001"].find("skipped")
    assert skipped.get("message") == "missing: conditions"
    # Strengths never fail or skip, even when unclear or present.
    assert not list(sparse["NOC-006"])
    ghana = cases(suite_of(parsed(), "NL-2026-GHA-MIDA-HEALTH"))
    assert not list(ghana["MFD-003"])


def test_no_timestamps_or_durations():
    root = parsed()
    for element in root.iter():
        assert not {"timestamp", "time", "hostname", "id"} & set(element.attrib), element.tag


def test_escaping_of_messages():
    nasty = 'Budget <50%> & "quoted" \x07 text'

    def change(f):
        return replace(f, message=nasty) if f.rule_id == "DNH-004" else f

    text = render_junit([with_findings(screened(NIGER), change)], RUN)
    assert "&lt;50%&gt; &amp; &quot;quoted&quot;" in text
    failure = cases(ET.fromstring(text).find("testsuite"))["DNH-004"].find("failure")
    assert failure.get("message") == nasty.replace("\x07", "\ufffd")


def test_deterministic_and_sorted():
    first = render_junit(ci_results(), RUN)
    assert render_junit(list(reversed(ci_results())), RUN) == first
    names = [c.get("name") for c in ET.fromstring(first).find("testsuite").iter("testcase")]
    assert names == sorted(names)


def test_strict_policy_fails_unclear_critical_and_high():
    proposal = load_proposal(EXAMPLES / "sparse-proposal.yaml", "examples/sparse-proposal.yaml")
    strict = evaluate(
        proposal, load_ruleset(), load_refdata(), AS_OF, unclear_as_flag=("critical", "high")
    )
    suite = parsed([strict]).find("testsuite")
    counted = [
        f
        for f in strict.findings
        if f.kind == "concern" and f.status == "unclear" and f.severity in ("critical", "high")
    ]
    flagged = [f for f in strict.findings if f.kind == "concern" and f.status == "flag"]
    assert int(suite.get("failures")) == len(flagged) + len(counted)
    failure = cases(suite)["DNH-001"].find("failure")
    assert failure.get("type") == "critical" and "missing" in failure.get("message")
    assert cases(suite)["DNH-004"].find("skipped") is not None  # medium stays skipped
