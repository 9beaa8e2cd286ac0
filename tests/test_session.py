"""One screening session for every caller: screen and batch give the same verdicts and findings
on the same inputs and config (rule settings, a profile, waivers)."""

import json
import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES
from pcd_screen.commands import cli
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.engine.session import Session
from pcd_screen.inputs.proposal import load_proposal

AS_OF = "2026-11-23"
NIGER = "border-control-transit-niger.yaml"
CONFIG_OF_THE_ISSUE = "rules:\n  disable: [DNH-001, do-no-harm]\n  severity: {COH-003: info}\n"


def _project(tmp_path, config: str, waivers: str | None = None):
    for name in (NIGER, "remittances-senegal.yaml", "sparse-proposal.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    shutil.copy(EXAMPLES / "portfolio" / "portfolio-sample.csv", tmp_path / "portfolio.csv")
    (tmp_path / ".git").mkdir()
    include = 'include: ["*.yaml", "*.csv"]\n'
    (tmp_path / ".pcd-screen.yaml").write_text(include + config, encoding="utf-8")
    if waivers is not None:
        (tmp_path / ".pcd-waivers.yaml").write_text(waivers, encoding="utf-8")


def _screen(tmp_path, monkeypatch) -> dict:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["screen", ".", "--as-of", AS_OF, "-f", "json", "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.output
    return {r["proposal"]["id"]: r for r in json.loads(result.stdout)}


def _batch(tmp_path, monkeypatch, jobs: int) -> dict:
    monkeypatch.chdir(tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-out-{jobs}"
    args = ["batch", ".", "--out", str(out), "--as-of", AS_OF, "--detail", "full"]
    result = CliRunner().invoke(cli, [*args, "--no-reports", "--jobs", str(jobs)])
    assert result.exit_code == 0, result.output
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["proposal"]["id"]: r for r in map(json.loads, lines)}


def _seen(result: dict) -> tuple:
    findings = sorted((f["rule_id"], f["status"], f["severity"]) for f in result["findings"])
    return result["verdict"], result["ruleset"]["hash"], findings


WAIVERS = """waivers:
  - rule: DNH-003
    proposal: EU-NDICI-2026-NE-031
    justification: The departures indicator is kept for context only.
    approved_by: Head of unit
    granted: "2026-09-20"
    expires: "2027-09-19"
"""


@pytest.mark.parametrize(
    ("config", "waivers"),
    [
        (CONFIG_OF_THE_ISSUE, None),
        ("extends: strict\n" + CONFIG_OF_THE_ISSUE, WAIVERS),
        ("rules:\n  severity: {DNH-003: critical}\n", WAIVERS),
    ],
    ids=["rule-settings", "strict-profile-and-waivers", "severity-and-waivers"],
)
def test_screen_and_batch_agree(tmp_path, monkeypatch, config, waivers):
    project = tmp_path / "project"
    project.mkdir()
    _project(project, config, waivers)
    screened = _screen(project, monkeypatch)
    batched = _batch(project, monkeypatch, jobs=2)
    assert len(screened) == 14  # three proposal files and the spreadsheet's 11 rows
    assert screened.keys() == batched.keys()
    for pid in screened:
        assert _seen(screened[pid]) == _seen(batched[pid]), pid


def test_the_config_of_the_issue_disables_do_no_harm_in_batch_too(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    _project(project, CONFIG_OF_THE_ISSUE)
    batched = _batch(project, monkeypatch, jobs=1)
    niger = batched["EU-NDICI-2026-NE-031"]
    rules = {f["rule_id"]: f for f in niger["findings"]}
    assert "DNH-001" not in rules and "DNH-003" not in rules
    assert rules["COH-003"]["severity"] == "info"
    assert niger["verdict"] == "revise"


def test_a_waiver_applies_in_batch_and_its_finding_is_waived(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    _project(project, "rules: {}\n", WAIVERS)
    batched = _batch(project, monkeypatch, jobs=1)
    rules = {f["rule_id"]: f for f in batched["EU-NDICI-2026-NE-031"]["findings"]}
    assert rules["DNH-003"]["status"] == "waived"


def test_a_session_reports_expired_and_stale_waivers():
    from pcd_screen.engine.waivers import Waiver

    def waiver(rule, proposal, expires):
        return Waiver(rule, proposal, None, "why", "who", date(2026, 1, 1), expires, "w.yaml", 1)

    in_force = waiver("DNH-001", "EU-NDICI-2026-NE-031", date(2027, 1, 1))
    expired = waiver("DNH-003", "EU-NDICI-2026-NE-031", date(2026, 6, 1))
    stale = waiver("NOC-001", "NO-SUCH-PROPOSAL", date(2027, 1, 1))
    session = Session(
        load_ruleset(), load_refdata(), date(2026, 11, 23), waivers=[in_force, expired, stale]
    )
    result = session.screen(load_proposal(EXAMPLES / NIGER))
    status = {f.rule_id: f.status for f in result.findings}
    assert status["DNH-001"] == "waived" and status["DNH-003"] == "flag"
    assert session.expired_waivers() == [expired]
    assert session.stale_waivers() == [stale]
