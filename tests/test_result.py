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


def test_compact_json_is_the_compact_dict_serialised():
    """The text results.jsonl writes equals json.dumps of the compact form, also for findings
    shared between proposals (their JSON is kept) and evidence with lists and quotes."""
    from datetime import date
    from pathlib import Path

    from pcd_screen.config import load_config, open_session
    from pcd_screen.inputs import proposals

    session = open_session(load_config(None, {"as_of": date(2026, 11, 23)}))
    texts = []
    for name in ("real-watchdog-v2.03.xml", "eutf-border-niger-v2.03.xml"):
        fixture = Path(__file__).parent / "fixtures" / "iati" / name
        texts += _compact_texts(session, proposals(str(fixture)))
    assert any('"quote"' in text for text in texts)


def _compact_texts(session, found) -> list:
    import json

    texts = []
    for proposal in found:
        assert not isinstance(proposal, str), proposal
        for _ in range(2):  # the second time from the kept JSON of shared findings
            result = session.screen(proposal)
            expected = json.dumps(
                result.to_compact_dict(), default=vars, ensure_ascii=False, sort_keys=True
            )
            assert result.compact_json() == expected
            texts.append(expected)
    return texts
