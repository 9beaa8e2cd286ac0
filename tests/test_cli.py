import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, ORG_RULE, REPO
from pcd_screen import inputs
from pcd_screen.commands import cli

HARMFUL = str(EXAMPLES / "border-control-transit-niger.yaml")
GOOD = str(EXAMPLES / "refugee-hosting-uganda.yaml")
SPARSE = str(EXAMPLES / "sparse-proposal.yaml")
AS_OF = ["--as-of", "2026-11-23"]


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_screen_text_report_and_exit_code():
    result = run("screen", HARMFUL, *AS_OF)
    assert result.exit_code == 1
    assert "VERDICT:" in result.output and "QUESTIONS FOR THE APPLICANT" in result.output
    assert "\033[" not in result.output  # no colour when not on a terminal


@pytest.mark.parametrize(("fail_on", "code"), [("never", 0), ("block", None), ("clarify", 1)])
def test_fail_on_threshold(fail_on, code):
    result = run("screen", HARMFUL, *AS_OF, "--fail-on", fail_on, "--format", "json")
    verdict = json.loads(result.output)["verdict"]
    expected = code if code is not None else (1 if verdict == "block" else 0)
    assert result.exit_code == expected


def test_good_proposal_exits_zero():
    assert run("screen", GOOD, *AS_OF).exit_code == 0


def test_json_one_object_or_a_list():
    one = json.loads(run("screen", HARMFUL, *AS_OF, "-f", "json").output)
    assert isinstance(one, dict) and one["as_of"] == "2026-11-23"
    two = json.loads(run("screen", HARMFUL, GOOD, *AS_OF, "-f", "json").output)
    assert [r["proposal"]["id"] for r in two] == [one["proposal"]["id"], two[1]["proposal"]["id"]]


def test_output_file_is_written_whole(tmp_path):
    target = tmp_path / "r.html"
    result = run("screen", HARMFUL, *AS_OF, "-f", "html", "-o", str(target))
    assert result.exit_code == 1 and result.output == ""
    assert target.read_text().startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_bad_input_exits_2_with_location_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nid: X\ntitle: T\ncountries:\n  - {code: ZZZ}\n")
    target = tmp_path / "out.md"
    result = CliRunner().invoke(cli, ["screen", HARMFUL, str(bad), "-o", str(target)])
    assert result.exit_code == 2
    assert (
        f"{bad}:5:6: countries[0].code: 'ZZZ' is not an ISO 3166-1 alpha-3 country code"
        in result.output
    )
    assert "Traceback" not in result.output
    assert not target.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["screen"],
        ["screen", "missing-file.yaml"],
        ["screen", HARMFUL, "--as-of", "yesterday"],
        ["screen", HARMFUL, "--format", "docx"],  # pdf is a format since the workbench
        ["screen", HARMFUL, "--rules", "/nonexistent-rules"],
        ["rules", "show", "NOPE-999"],
        ["schema", "nothing"],
    ],
)
def test_usage_errors_exit_2(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("given", ["20260101", "2026-W01", "2026-W01-1", "2026-1-1", "0000-01-01"])
def test_as_of_takes_yyyy_mm_dd_only(given):
    # Python 3.11's date.fromisoformat took the first three although the help says YYYY-MM-DD.
    result = CliRunner().invoke(cli, ["screen", SPARSE, "--as-of", given])
    assert result.exit_code == 2
    assert f"'--as-of': {given!r} is not a date (expected YYYY-MM-DD)" in result.output


def test_rules_list_validate_test_show():
    listing = run("rules", "list")
    assert listing.exit_code == 0 and "rules across" in listing.output
    assert run("rules", "validate").exit_code == 0
    tested = run("rules", "test")
    assert tested.exit_code == 0 and "PASS " in tested.output and " 0 failed" in tested.output
    shown = run("rules", "show", "DNH-001")
    assert shown.exit_code == 0 and "flag_when" in shown.output


def test_rules_validate_reports_a_broken_directory(tmp_path):
    (tmp_path / "x.yaml").write_text("- id: BAD-001\n  principle: nonsense\n")
    result = CliRunner().invoke(cli, ["rules", "validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "x.yaml:1:3: BAD-001" in result.output


def test_rules_test_fails_on_a_wrong_fixture(tmp_path):
    # rules test wants every text in the three languages
    rule = ORG_RULE.replace("{en: ", "{nl: vertaald, fr: traduit, en: ")
    (tmp_path / "x.yaml").write_text(rule.replace("expect: pass", "expect: flag"))
    result = CliRunner().invoke(cli, ["rules", "test", str(tmp_path)])
    assert result.exit_code == 1 and "FAIL ORG-001 #2" in result.output


@pytest.mark.parametrize("name", ["proposal", "rule", "result", "config", "waivers"])
def test_schemas_print_as_json(name):
    schema = json.loads(run("schema", name).output)
    assert schema["$schema"].endswith("2020-12/schema")


def test_refdata_lists_tables():
    result = run("refdata")
    assert result.exit_code == 0 and "ldc" in result.output and "source:" in result.output


def test_init_writes_a_template_that_screens(tmp_path):
    target = tmp_path / "p.yaml"
    assert run("init", str(target)).exit_code == 0
    assert run("screen", str(target), *AS_OF, "--fail-on", "never").exit_code == 0
    assert CliRunner().invoke(cli, ["init", str(target)]).exit_code == 2  # no silent overwrite


def test_python_dash_m_as_a_subprocess(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pcd_screen", "screen", HARMFUL, *AS_OF, "--format", "md"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 1 and proc.stdout.startswith("# PCD screening")
    bad = subprocess.run(
        [sys.executable, "-m", "pcd_screen", "screen", str(REPO / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "pyproject.toml:" in bad.stderr


def test_several_formats_in_one_run(tmp_path):
    sarif, junit = tmp_path / "out" / "r.sarif", tmp_path / "out" / "junit.xml"
    result = run(
        "screen",
        HARMFUL,
        GOOD,
        *AS_OF,
        "-f",
        "text",
        "-f",
        f"sarif={sarif}",
        "-f",
        f"junit={junit}",
    )
    assert result.exit_code == 1 and "VERDICT:" in result.output
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert junit.read_text().startswith("<?xml")


def test_output_takes_one_stdout_format(tmp_path):
    result = CliRunner().invoke(
        cli, ["screen", HARMFUL, "-f", "text", "-f", "md", "-o", str(tmp_path / "r")]
    )
    assert result.exit_code == 2 and "--output takes one format" in result.output


def test_a_directory_is_screened_and_github_annotations_come_automatically(tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    # The examples as shipped: not the reports a reader's own run of the ci-repo example
    # leaves in examples/ci-repo/reports (git-ignored there, but found by a folder search).
    import shutil

    examples = tmp_path / "examples"
    shutil.copytree(EXAMPLES, examples, ignore=shutil.ignore_patterns("reports"))
    result = run("screen", str(examples), *AS_OF, "--fail-on", "never")
    assert result.exit_code == 0, result.output[-2000:]
    assert "::error file=" in result.output and ",line=" in result.output
    # Every input kind batch reads: proposal files and the portfolio spreadsheet's rows.
    found = [p for p in examples.rglob("*.yaml") if "/." not in f"/{p.relative_to(examples)}"]
    rows = [r for r in inputs.records(str(examples / "portfolio" / "portfolio-sample.csv"))]
    assert all(isinstance(r, dict) for r in rows)
    documents = [
        p for p in (examples / "documents").iterdir() if p.suffix in (".docx", ".odt", ".pdf")
    ]  # the bundled Word, OpenDocument and PDF proposals (the .md source: only when named)
    assert result.output.count("PCD screening:") == len(found) + len(rows) + len(documents)
    assert "block" in summary.read_text()


def test_no_paths_and_no_config_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # stop the upward search for a config here
    result = CliRunner().invoke(cli, ["screen"])
    assert result.exit_code == 2 and "no files given, and no .pcd-screen.yaml" in result.output


def test_strict_profile_from_the_command_line():
    default = json.loads(run("screen", SPARSE, *AS_OF, "-f", "json").output)
    strict = json.loads(run("screen", SPARSE, *AS_OF, "-f", "json", "--profile", "strict").output)
    assert default["verdict"] == "clarify" and strict["verdict"] == "block"
    assert strict["policy"]["unclear_as_flag"] == ["critical", "high"]


def test_config_show_names_where_each_value_comes_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".pcd-screen.yaml").write_text("extends: strict\nlang: en\n")
    result = run("config", "show")
    assert result.exit_code == 0
    assert "profile strict" in result.output and ".pcd-screen.yaml" in result.output


def test_invalid_config_exits_2_with_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".pcd-screen.yaml").write_text("lang: en\nfail_on: sometimes\n")
    result = CliRunner().invoke(cli, ["screen", HARMFUL])
    assert result.exit_code == 2
    assert ".pcd-screen.yaml:2:1: fail_on:" in result.output


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json", "sarif", "junit"])
def test_same_bytes_across_hash_seeds(fmt, tmp_path):
    """Set iteration order must never leak into an output."""
    import os

    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "pcd_screen",
                "screen",
                HARMFUL,
                GOOD,
                *AS_OF,
                "--format",
                fmt,
                "--fail-on",
                "never",
            ],
            capture_output=True,
            check=True,
            env=env,
            cwd=REPO,
        )
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]


def test_the_garbage_collector_is_off_only_while_a_screening_starts(monkeypatch):
    # commands.main turns the cyclic collector off for the start-up of `screen` (it only walks
    # long-lived objects then); the session's opening turns it back on, with what was loaded
    # frozen out of its sight.
    import gc

    from pcd_screen.commands import common, main

    states = []
    opened = common.session

    def session(*args, **kwargs):
        states.append(gc.isenabled())
        result = opened(*args, **kwargs)
        states.append(gc.isenabled())
        return result

    monkeypatch.setattr(common, "session", session)
    monkeypatch.setattr(
        sys, "argv", ["pcd-screen", "screen", HARMFUL, *AS_OF, "--fail-on", "never"]
    )
    try:
        with pytest.raises(SystemExit) as exit_info:
            main()
        assert exit_info.value.code == 0
        assert states == [False, True]
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()  # this test process goes on; the frozen objects are collectable again


def test_the_console_script_starts_with_the_garbage_collector_off(monkeypatch):
    # pyproject's console script and `python -m pcd_screen` go through pcd_screen.entry, which
    # turns the collector off before click and the commands are imported.
    import gc
    from pathlib import Path

    import tomllib

    from pcd_screen import entry

    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["pcd-screen"] == "pcd_screen.entry:main"
    main_py = (Path(entry.__file__).parent / "__main__.py").read_text()
    assert "from pcd_screen.entry import main" in main_py
    states = []
    monkeypatch.setitem(sys.modules, "pcd_screen.commands", None)  # an import that fails
    try:
        with pytest.raises(ImportError):
            entry.main()
        states.append(gc.isenabled())
    finally:
        gc.enable()
    assert states == [False]


@pytest.mark.parametrize(
    "name, text",
    [("header-only.csv", "id,title\n"), ("no-activity.xml", '<iati-activities version="2.03"/>\n')],
)
def test_a_file_without_any_proposal_is_an_input_error(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["screen", str(path)])
    assert result.exit_code == 2
    assert f"{path}: no proposal in this file" in result.output
    assert "Traceback" not in result.output
