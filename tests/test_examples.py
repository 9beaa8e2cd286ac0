"""Every example screens to the verdict the source documents lead one to expect."""

from datetime import date

import pytest

from conftest import EXAMPLES
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal

EXPECTED = {
    "border-control-transit-niger": "block",
    "coastguard-support-libya": "block",
    "budget-support-readmission-condition": "block",
    "incentive-envelope-more-for-more": "revise",
    "in-donor-refugee-costs": "revise",
    "labour-mobility-pilot": "clear",
    "ecowas-free-movement": "clear",
    "refugee-hosting-uganda": "clear",
    "remittances-senegal": "clear",
    "voluntary-return-reintegration": "clarify",
    "sparse-proposal": "clarify",
}


def test_at_least_ten_examples():
    assert len(list(EXAMPLES.glob("*.yaml"))) >= 10
    assert set(EXPECTED) <= {p.stem for p in EXAMPLES.glob("*.yaml")}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_verdict(name):
    proposal = load_proposal(EXAMPLES / f"{name}.yaml")
    result = evaluate(proposal, load_ruleset(), load_refdata(), date(2026, 11, 23))
    flagged = [f"{f.rule_id}({f.severity})" for f in result.findings if f.status == "flag"]
    assert result.verdict == EXPECTED[name], flagged
