import pytest

from pcd_screen.engine.result import Finding, summarise, verdict_for


def finding(severity, status, kind="concern", rule_id="X-001"):
    return Finding(rule_id, "do-no-harm", severity, kind, status, "t", "m", "r", "rec")


@pytest.mark.parametrize(
    ("findings", "verdict"),
    [
        ([], "clear"),
        ([finding("critical", "flag")], "block"),
        ([finding("high", "flag"), finding("medium", "flag")], "revise"),
        ([finding("medium", "flag")], "clarify"),
        ([finding("critical", "unclear")], "clarify"),
        ([finding("high", "unclear")], "clarify"),
        ([finding("medium", "unclear")], "clear"),
        ([finding("low", "flag"), finding("info", "flag")], "clear"),
        ([finding("critical", "pass"), finding("high", "not-applicable")], "clear"),
        ([finding("critical", "flag", kind="strength")], "clear"),  # strengths never count
        ([finding("high", "unclear"), finding("critical", "flag")], "block"),
        ([finding("critical", "waived")], "clear"),  # a waived finding does not count
    ],
)
def test_verdict(findings, verdict):
    assert verdict_for(findings) == verdict


def test_strict_policy_counts_unclear_as_flagged():
    found = [finding("high", "unclear")]
    assert verdict_for(found, unclear_as_flag=("critical", "high")) == "revise"
    assert verdict_for([finding("critical", "unclear")], ("critical", "high")) == "block"
    assert verdict_for([finding("medium", "unclear")], ("critical", "high")) == "clear"


def test_summary_counts():
    found = [
        finding("high", "flag"),
        finding("high", "unclear"),
        finding("low", "flag", "strength"),
    ]
    summary = summarise(found)
    assert summary["concerns"]["high"] == 1
    assert summary["unclear"] == 1 and summary["strengths"] == 1
    assert summary["by_status"] == {
        "flag": 2,
        "waived": 0,
        "unclear": 1,
        "pass": 0,
        "not-applicable": 0,
    }
