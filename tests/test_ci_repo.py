"""examples/ci-repo, the sample proposal repository, screened the way CI screens it: one command
from inside the repository, GitHub Actions' environment set, every report checked."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, REPO
from pcd_screen.commands import cli

CI_REPO = EXAMPLES / "ci-repo"
# The official schema is read where the shared folder has it, never copied into the repo.
SARIF_SCHEMA = REPO.parent / "shared" / "data" / "sarif" / "sarif-schema-2.1.0.json"
SCREENED = {
    "DEMO-2026-ECOWAS-FMM": "clear",
    "DEMO-2026-GHA-HEALTH": "clear",
    "DEMO-2026-BE-RECEPTION": "revise",
    "DEMO-2026-SEN-REMIT": "clear",
}
DRAFT = "DEMO-2026-NE-BORDER-DRAFT"
EARLIER_SUMMARY = "## An earlier step\n\nIts summary stays.\n"
# line= is left out only where no line is known (information missing from the proposal).
ANNOTATION = re.compile(
    r"^::(?P<command>error|warning|notice) file=(?P<file>[^,]+)(,line=(?P<line>\d+))?"
    r",title=(?P<rule>\S+) "
)


@pytest.fixture
def repo(tmp_path):
    """A copy of the sample repository (without reports of earlier runs), as a git root."""
    target = tmp_path / "ci-repo"
    shutil.copytree(CI_REPO, target, ignore=shutil.ignore_patterns("reports"))
    (target / ".git").mkdir()  # the upward search for a config stops at the repository root
    return target


@pytest.fixture
def github_env(tmp_path, monkeypatch):
    """GitHub Actions' environment: annotations on, a step-summary file with earlier content."""
    summary = tmp_path / "step-summary.md"
    summary.write_text(EARLIER_SUMMARY, encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    return summary


def screen_in(repo, monkeypatch, *args):
    monkeypatch.chdir(repo)
    return CliRunner().invoke(cli, ["screen", *args], catch_exceptions=False)


def test_one_command_screens_the_sample_repository(repo, github_env, monkeypatch):
    result = screen_in(repo, monkeypatch)
    assert result.exit_code == 1  # DEMO-2026-BE-RECEPTION: revise, its waiver expired
    check_run(repo, result.stdout, github_env)


def test_python_dash_m_in_a_subprocess_gives_the_same_reports(repo, github_env, tmp_path):
    env = dict(os.environ, GITHUB_ACTIONS="true", GITHUB_STEP_SUMMARY=str(github_env))
    proc = subprocess.run(
        [sys.executable, "-m", "pcd_screen", "screen"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    check_run(repo, proc.stdout, github_env)

    # Same inputs, same bytes: a second copy screened in-process writes identical reports.
    other = tmp_path / "again"
    shutil.copytree(repo, other)
    shutil.rmtree(other / "reports")
    proc = subprocess.run(
        [sys.executable, "-m", "pcd_screen", "screen"],
        cwd=other,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    for name in ("pcd-screen.sarif", "junit.xml"):
        assert (other / "reports" / name).read_bytes() == (repo / "reports" / name).read_bytes()


def check_run(repo, stdout: str, summary_file) -> None:
    """Everything one screening of the sample repository must produce."""
    annotations = [line for line in stdout.splitlines() if line.startswith("::")]
    text = "\n".join(line for line in stdout.splitlines() if not line.startswith("::"))

    # Text report: the four proposals under proposals/, not the draft.
    for proposal_id in SCREENED:
        assert f"PCD screening: {proposal_id}" in text
    assert DRAFT not in stdout and "drafts/" not in stdout
    # The waivers that did not apply are named, with the file and line of each.
    assert re.search(
        r"\.pcd-waivers\.yaml:\d+: expired waiver.*ODA-004 for DEMO-2026-BE-RECEPTION", text
    )
    assert "2026-10-31" in text
    assert re.search(
        r"\.pcd-waivers\.yaml:\d+: stale waiver.*DNH-005 for DEMO-2026-GHA-HEALTH", text
    )

    # GitHub annotations: on the proposal file and line; the waived finding is not annotated.
    parsed = [ANNOTATION.match(line) for line in annotations]
    assert annotations and all(parsed), annotations
    flagged = [m for m in parsed if m["command"] in ("error", "warning")]
    assert flagged and all(m["line"] for m in flagged)
    files = {m["file"] for m in parsed}
    assert files <= {f"proposals/{p.name}" for p in (repo / "proposals").glob("*.yaml")}
    oda = [m for m in parsed if m["rule"] == "ODA-004"]
    assert len(oda) == 1 and oda[0]["file"] == "proposals/reception-costs-belgium.yaml"
    assert oda[0]["command"] == "error" and int(oda[0]["line"]) > 1
    assert "expired on 2026-10-31" in annotations[parsed.index(oda[0])]
    assert not [m for m in parsed if m["rule"] == "MFD-001"]

    # SARIF: one result per flagged or unclear concern; waived findings are left out (code
    # scanning ignores suppressions and would show them as open alerts).
    sarif = json.loads((repo / "reports" / "pcd-screen.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris <= files | {"proposals/remittances-senegal.yaml"}
    assert not any("drafts" in uri for uri in uris)
    assert not [r for r in results if r.get("suppressions")]
    assert not [r for r in results if r["ruleId"] == "MFD-001"]  # the waived finding
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    note_uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"] for n in notes for loc in n["locations"]
    }
    assert note_uris == {".pcd-waivers.yaml"}
    (expired,) = [r for r in results if r["ruleId"] == "ODA-004"]
    assert expired["level"] == "error" and "suppressions" not in expired
    assert expired["locations"][0]["physicalLocation"]["region"]["startLine"] > 1

    # JUnit: one suite per screened proposal; the waived finding is a skipped test case.
    root = ET.parse(repo / "reports" / "junit.xml").getroot()
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == set(SCREENED)
    assert int(root.get("failures")) > 0
    remit = suites["DEMO-2026-SEN-REMIT"]
    (case,) = [c for c in remit.iter("testcase") if c.get("name", "").startswith("MFD-001")]
    assert case.find("skipped").get("message").startswith("waived:")
    reception = suites["DEMO-2026-BE-RECEPTION"]
    (case,) = [c for c in reception.iter("testcase") if c.get("name", "").startswith("ODA-004")]
    assert case.find("failure") is not None

    # Step summary: appended after what earlier steps wrote, a verdict per proposal.
    summary = summary_file.read_text(encoding="utf-8")
    assert summary.startswith(EARLIER_SUMMARY)
    assert "pcd-screen: 4 proposals screened" in summary
    for proposal_id, verdict in SCREENED.items():
        row = next(line for line in summary.splitlines() if line.startswith(f"| {proposal_id}"))
        assert verdict in row
    assert "Waivers: 1 applied, 1 expired, 1 stale." in summary
    assert DRAFT not in summary


@pytest.mark.skipif(
    not SARIF_SCHEMA.is_file(),
    reason=f"the official SARIF 2.1.0 schema is absent ({SARIF_SCHEMA}; ../shared not present)",
)
def test_the_sarif_report_validates_against_the_official_schema(repo, monkeypatch):
    import jsonschema

    assert screen_in(repo, monkeypatch).exit_code == 1
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    sarif = json.loads((repo / "reports" / "pcd-screen.sarif").read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(sarif)]
    assert errors == []


def test_a_renewed_waiver_applies_again(repo, monkeypatch):
    waivers = repo / ".pcd-waivers.yaml"
    waivers.write_text(
        waivers.read_text(encoding="utf-8")
        .replace('expires: "2026-10-31"', 'expires: "2027-10-31"')
        .replace('granted: "2025-11-01"', 'granted: "2026-11-01"'),
        encoding="utf-8",
    )
    text = screen_in(repo, monkeypatch, "--fail-on", "never")
    assert text.exit_code == 0
    assert "expired waiver" not in text.stdout and "stale waiver" in text.stdout
    results = json.loads(screen_in(repo, monkeypatch, "--format", "json").stdout)
    (reception,) = [r for r in results if r["proposal"]["id"] == "DEMO-2026-BE-RECEPTION"]
    (finding,) = [f for f in reception["findings"] if f["rule_id"] == "ODA-004"]
    assert finding["status"] == "waived" and finding["waiver"]["expired"] is False


def test_a_waiver_without_an_approver_is_a_config_error(repo, monkeypatch):
    waivers = repo / ".pcd-waivers.yaml"
    lines = waivers.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if "M. Diallo" not in line]
    assert len(kept) == len(lines) - 1
    waivers.write_text("".join(kept), encoding="utf-8")
    result = screen_in(repo, monkeypatch)
    assert result.exit_code == 2
    assert re.search(r"\.pcd-waivers\.yaml:\d+:\d+: waivers\[0\]", result.output)
    assert "approved_by" in result.output
    assert not (repo / "reports").exists()  # nothing written when the run cannot complete


def test_fail_on_never_from_the_command_line_exits_zero(repo, monkeypatch):
    assert screen_in(repo, monkeypatch, "--fail-on", "never").exit_code == 0


# --- CI: paths, empty selections, hostile names, the action -----------------------------------


def test_run_from_a_sub_folder_gives_paths_from_the_repository_root(repo, github_env, monkeypatch):
    # working-directory: proposals/ made SARIF URIs and annotation files relative to it
    # (pointing at files that do not exist) and waiver notices file:/// URIs.
    result = screen_in(
        repo / "proposals",
        monkeypatch,
        "--format",
        "github",
        "--format",
        f"sarif={repo / 'reports' / 'pcd-screen.sarif'}",
    )
    assert result.exit_code == 1, result.output
    parsed = [ANNOTATION.match(x) for x in result.stdout.splitlines() if x.startswith("::")]
    assert parsed and all(parsed)
    assert all((repo / m["file"]).is_file() for m in parsed), {m["file"] for m in parsed}
    sarif = json.loads((repo / "reports" / "pcd-screen.sarif").read_text(encoding="utf-8"))
    run = sarif["runs"][0]
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris and all((repo / uri).is_file() for uri in uris), uris
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes} == {
        ".pcd-waivers.yaml"
    }
    summary = github_env.read_text(encoding="utf-8")
    assert "proposals/reception-costs-belgium.yaml" in summary and "file:" not in summary


def test_patterns_that_select_nothing_are_a_usage_error(repo, monkeypatch):
    # A typo in include made CI silently green: exit 0 and no SARIF.
    config = repo / ".pcd-screen.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace('"proposals/**/*.yaml"', '"proposal/**/*.yaml"')
        .replace('"proposals/**/*.json"', '"proposal/**/*.json"'),
        encoding="utf-8",
    )
    result = screen_in(repo, monkeypatch)
    assert result.exit_code == 2, result.output
    assert "no proposal to screen: the include patterns ['proposal/**/*.yaml'" in result.output
    assert "proposals/drafts/**" in result.output and "--allow-empty" in result.output
    assert not (repo / "reports").exists()
    allowed = screen_in(repo, monkeypatch, "--allow-empty")
    assert allowed.exit_code == 0 and "no proposal to screen" in allowed.output


def test_files_the_patterns_filter_out_are_a_usage_error_unless_allowed(repo, monkeypatch):
    waivers = ".pcd-waivers.yaml"
    assert screen_in(repo, monkeypatch, waivers).exit_code == 2
    assert screen_in(repo, monkeypatch, "--allow-empty", waivers).exit_code == 0


def test_a_file_name_cannot_become_a_workflow_command(repo, github_env, monkeypatch):
    hostile = repo / "proposals" / "::error file=x::injected.yaml"
    shutil.copy(repo / "proposals" / "ecowas-free-movement.yaml", hostile)
    broken = repo / "proposals" / "::warning::broken.yaml"
    broken.write_text("schema_version: 1\nid: [\n", encoding="utf-8")
    # From the folder itself, the text report's second line starts with the file name.
    result = screen_in(repo / "proposals", monkeypatch, "--format", "text")
    assert result.exit_code == 2  # the broken file
    assert ":\u200b:warning::broken.yaml:3:1:" in result.output  # named, not run
    for line in result.output.splitlines():
        assert not line.lstrip().startswith("::"), line
    broken.unlink()
    result = screen_in(repo / "proposals", monkeypatch, "--format", "text")
    commands = [x for x in result.stdout.splitlines() if x.lstrip().startswith("::")]
    assert commands == []
    assert ":\u200b:error file=x::injected.yaml" in result.stdout  # shown, not run


def test_a_waiver_for_a_renamed_rule_is_stale_not_an_error(repo, monkeypatch):
    waivers = repo / ".pcd-waivers.yaml"
    waivers.write_text(
        waivers.read_text(encoding="utf-8").replace("rule: DNH-005", "rule: DNH-905"),
        encoding="utf-8",
    )
    result = screen_in(repo, monkeypatch, "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert "the waiver names rule 'DNH-905', which is not in the catalogue" in result.output
    assert re.search(r"\.pcd-waivers\.yaml:\d+: stale waiver.*DNH-905", result.output)


def test_an_open_ended_waiver_is_refused_with_file_and_line(repo, monkeypatch):
    waivers = repo / ".pcd-waivers.yaml"
    waivers.write_text(
        waivers.read_text(encoding="utf-8").replace(
            'expires: "2027-09-19"', 'expires: "2999-12-31"'
        ),
        encoding="utf-8",
    )
    result = screen_in(repo, monkeypatch)
    assert result.exit_code == 2
    assert re.search(r"\.pcd-waivers\.yaml:13:\d+: waivers\[0\]\.expires: ", result.output)
    assert "at most 365 days (max_waiver_days" in result.output
    config = repo / ".pcd-screen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "max_waiver_days: 400000\n")
    assert screen_in(repo, monkeypatch).exit_code == 1


def _action_script() -> str:
    import yaml

    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "screen"]
    return step["run"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is needed to run the action")
@pytest.mark.parametrize("injected", ["--fail-on=never", "--config=/dev/null", "--rules=/tmp"])
def test_the_actions_paths_cannot_inject_options(repo, tmp_path, injected):
    # paths: "--fail-on=never" made a failing repository pass.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "pcd-screen"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pcd_screen "$@"\n')
    wrapper.chmod(0o755)
    output = tmp_path / "github-output"
    env = {key: value for key, value in os.environ.items() if not key.startswith("GITHUB_")}
    env.update(
        PCD_SCREEN_BIN=str(bin_dir),
        PATHS=f"{injected} proposals",
        CONFIG="",
        FAIL_ON="",
        SARIF_FILE="pcd-screen.sarif",
        GITHUB_OUTPUT=str(output),
        PYTHONPATH=str(REPO),
    )
    proc = subprocess.run(
        ["bash", "-c", _action_script()],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    outputs = output.read_text(encoding="utf-8")
    assert "exit-code=2" in outputs, (outputs, proc.stderr)
    assert f"{injected}: no such file" in proc.stderr


def test_a_link_in_the_repository_cannot_send_the_configs_reports_elsewhere(repo, monkeypatch):
    # A pull request can add reports -> /anywhere; the config's sarif=reports/... must not
    # follow it out of the repository.
    outside = repo.parent / "outside"
    outside.mkdir()
    (repo / "reports").symlink_to(outside)
    result = screen_in(repo, monkeypatch)
    assert result.exit_code == 2, result.output
    assert "is a link, not a folder" in result.output
    assert list(outside.iterdir()) == []
