"""Shared test helpers: paths of the checkout and of ../shared, a fake reference-data table."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import pytest

from pcd_screen.reports.common import Run

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"
AS_OF = date(2026, 11, 23)

# An organisation's own rule, in English only, with one fixture of each kind that matters.
ORG_RULE = """\
- id: ORG-001
  principle: do-no-harm
  severity: high
  kind: concern
  title: {en: Detention}
  message: {en: "Detention: {evidence}"}
  rationale: {en: Because.}
  recommendation: {en: Do not.}
  flag_when: {path: "activities[*].category", contains: detention}
  sources: [{doc: ngo-2020, section: "§3.2"}]
  tests:
    - {expect: flag, proposal: {activities: [{category: detention}]}}
    - {expect: pass, proposal: {activities: [{category: basic-services}]}}
"""


class FakeRefData:
    """A tiny stand-in for RefData: LDCs NER and MLI (BGD uncertain); FRA not on the DAC list."""

    lists = {
        "ldc": {"NER": True, "MLI": True, "TUN": False, "MAR": False, "FRA": False, "BGD": None},
        "dac-recipients": {"NER": True, "MLI": True, "TUN": True, "MAR": True, "FRA": False},
        "free-movement": {"NER": True, "MLI": True, "TUN": False, "MAR": False, "FRA": False},
    }

    def membership(self, list_id, code, as_of):
        value = self.lists.get(list_id, {}).get(code, False)
        return value, (None if value is not None else "uncertain in fake data")

    def purpose_code(self, code):
        known = {15190: True, 15130: True, 1513010: False}
        return None if int(code) not in known else {"code": str(code), "crs": known[int(code)]}

    def is_country(self, code):
        return code in {"NER", "MLI", "TUN", "MAR", "FRA", "BGD"}

    def versions(self):
        return {"fake": "1"}


@pytest.fixture
def fake_refdata():
    return FakeRefData()


def needs_shared():
    return pytest.mark.skipif(
        not SHARED.is_dir(), reason=f"{SHARED} (the shared reference folder) is absent"
    )


@cache
def screened(name: str):
    """The result of screening examples/NAME.yaml with the catalogue, as of AS_OF."""
    from pcd_screen.engine.evaluate import evaluate
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.ruleset import load_ruleset
    from pcd_screen.inputs.proposal import load_proposal

    proposal = load_proposal(EXAMPLES / f"{name}.yaml", f"examples/{name}.yaml")
    return evaluate(proposal, load_ruleset(), load_refdata(), AS_OF)


def with_findings(result, change):
    """A copy of result with findings changed (as waivers.apply_waivers would)."""
    from pcd_screen.engine.result import summarise, verdict_for

    findings = [change(f) for f in result.findings]
    return replace(
        result, findings=findings, verdict=verdict_for(findings), summary=summarise(findings)
    )


def waiver_record(justification: str) -> dict:
    """A waiver as a finding carries it (Finding.waiver); each format tests its own text."""
    return {
        "justification": justification,
        "approved_by": "Head of unit, DG INTPA",
        "granted": "2026-10-01",
        "expires": "2027-03-31",
        "path": None,
        "file": ".pcd-waivers.yaml",
        "line": 4,
        "expired": False,
    }


# A CI run with one stale and one expired waiver, as the CLI passes it to the CI formats.
CI_RUN = Run(
    stale_waivers=(
        {"rule": "NOC-001", "proposal": "EU-GONE-1", "file": ".pcd-waivers.yaml", "line": 20},
    ),
    expired_waivers=(
        {
            "rule": "DNH-001",
            "proposal": "EU-NDICI-2026-NE-031",
            "file": ".pcd-waivers.yaml",
            "line": 12,
            "expires": "2026-10-31",
        },
    ),
    help_uri=None,
    fail_on="revise",
)


def waived_niger(waiver: dict):
    """The Niger example with DNH-003 waived and DNH-001 under an expired waiver (still flagged)."""

    def change(f):
        if f.rule_id == "DNH-003":
            return replace(f, status="waived", waiver=dict(waiver))
        if f.rule_id == "DNH-001":
            return replace(f, waiver={**waiver, "expires": "2026-10-31", "expired": True})
        return f

    return with_findings(screened("border-control-transit-niger"), change)


# Hypothesis profiles for tests/test_properties.py. "ci" (the default) is sized for CI and
# derandomized so that every run draws the same examples; HYPOTHESIS_PROFILE=long digs deeper.
def _hypothesis_profiles():
    import os

    from hypothesis import HealthCheck, settings

    slow = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    settings.register_profile(
        "ci",
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=slow,
        print_blob=True,
    )
    settings.register_profile(
        "long", max_examples=1000, deadline=None, suppress_health_check=slow, print_blob=True
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


_hypothesis_profiles()
