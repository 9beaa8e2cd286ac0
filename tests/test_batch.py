import csv
import json
import shutil
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import EXAMPLES
from pcd_screen.commands import cli
from pcd_screen.core.outputs import safe_name, spreadsheet_safe
from pcd_screen.inputs.proposal import load_schema

AS_OF = "2026-11-23"


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    out = tmp_path_factory.mktemp("batch") / "out"
    inputs = sorted(str(p) for p in EXAMPLES.glob("*.yaml"))
    result = CliRunner().invoke(cli, ["batch", *inputs, "--out", str(out), "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    return out, inputs


def test_outputs_are_written(portfolio):
    out, inputs = portfolio
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(inputs)
    validator = jsonschema.Draft202012Validator(load_schema("result"))
    for line in lines:
        validator.validate(json.loads(line))
    summary = (out / "summary.csv").read_text(encoding="utf-8").splitlines()
    assert summary[0].startswith('"id","title","file","countries","budget","currency","verdict",')
    assert len(summary) == len(inputs) + 1
    assert len(list((out / "reports").glob("*.html"))) == len(inputs)
    html = (out / "portfolio.html").read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html and "default-src 'none'" in html
    assert "reports/EU-NDICI-2026-NE-031.html" in html
    markdown = (out / "portfolio.md").read_text(encoding="utf-8")
    for section in (
        "Verdicts",
        "Budget share flagged per principle",
        "By recipient country",
        "By implementer",
        "By funding instrument",
        "Most frequent concerns",
        "Proposals, worst first",
        "Data",
    ):
        assert f"## {section}" in markdown


def test_parallel_run_gives_the_same_bytes(portfolio, tmp_path):
    out, inputs = portfolio
    again = tmp_path / "again"
    result = CliRunner().invoke(
        cli, ["batch", *inputs, "--out", str(again), "--as-of", "2026-11-23", "--jobs", "2"]
    )
    assert result.exit_code == 0, result.output
    for name in ("results.jsonl", "summary.csv", "portfolio.md", "portfolio.html"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_a_bad_input_is_reported_and_skipped(tmp_path):
    shutil.copy(EXAMPLES / "sparse-proposal.yaml", tmp_path / "good.yaml")
    (tmp_path / "bad.yaml").write_text("schema_version: 1\nid: X\ntitle: T\ncountries: NER\n")
    result = CliRunner().invoke(cli, ["batch", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "bad.yaml:4:1: countries: expected a list" in result.output
    assert "1 proposals screened, 1 inputs skipped" in result.output
    # the portfolio says its figures leave that input out, and why
    for name in ("portfolio.md", "portfolio.html"):
        report = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert "1 input was left out" in report and "countries: expected a list" in report
    # its own item of the Data list, not glued to the inputs' sha1
    markdown = (tmp_path / "out" / "portfolio.md").read_text(encoding="utf-8")
    assert "`\n- **1 input was left out**" in markdown
    with zipfile.ZipFile(tmp_path / "out" / "portfolio.xlsx") as book:
        about = book.read("xl/worksheets/sheet1.xml").decode()  # inline strings
    assert "inputs left out" in about and "countries: expected a list" in about


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_date_before_year_1_is_reported_and_skipped_even_as_of_activity(tmp_path, jobs):
    # It passed the compiled quick check, and date.fromisoformat then stopped the whole run.
    shutil.copy(EXAMPLES / "sparse-proposal.yaml", tmp_path / "good.yaml")
    (tmp_path / "bad.yaml").write_text(
        "schema_version: 1\nid: X\ntitle: T\nperiod: {start: 0000-01-01}\n"
    )
    args = ["batch", str(tmp_path), "--out", str(tmp_path / "out"), "--jobs", jobs]
    result = CliRunner().invoke(cli, [*args, "--as-of", "activity"])
    assert result.exit_code == 0, result.output
    assert "bad.yaml:4:10: period.start: '0000-01-01' is not a valid date" in result.output
    assert "1 proposals screened, 1 inputs skipped" in result.output


def test_as_of_is_a_date_or_activity(tmp_path):
    given = [str(EXAMPLES / "sparse-proposal.yaml"), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(cli, ["batch", *given, "--as-of", "2026-W01"])
    assert result.exit_code == 2
    assert "'2026-W01' is not a date (expected YYYY-MM-DD or activity)" in result.output


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("EU/2026\\x", "EU_2026_x"),
        ("id\x00with\ncontrol", "id_with_control"),
        (".hidden", "hidden"),
        ("", "proposal"),
        ("a" * 200, "a" * 80),
        ("/etc/passwd", "etc_passwd"),
        ("C:\\Windows\\win.ini", "C_Windows_win.ini"),
        ("CON", "CON_"),  # CON.md would be the console on Windows
        ("nul.txt", "nul_.txt"),
        ("COM1", "COM1_"),
        ("LPT9.report", "LPT9_.report"),
        ("COM\u00b9", "COM1_"),  # superscript one: Windows reserves it too
        ("CONSOLE", "CONSOLE"),
        ("line\nbreak\r\ttab", "line_break_tab"),
        ("\u202eevil", "evil"),  # right-to-left override
        ("-rf", "rf"),
        ("Café", "Cafe"),
        ("Cafe\u0301", "Cafe"),  # the same, decomposed
        ("ＥＵ－２０２６", "EU-2026"),  # full-width look-alikes
        ("项目", "proposal"),
    ],
)
def test_safe_names(given, expected):
    assert safe_name(given, set()) == expected


def test_safe_names_are_unique_in_a_run():
    taken: set[str] = set()
    assert [safe_name("A/1", taken), safe_name("A_1", taken), safe_name("a_1", taken)] == [
        "A_1",
        "A_1-2",
        "a_1-3",
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-5", "-5"),  # a number stays a number
        ("+3.25", "+3.25"),
        ("Border support", "Border support"),
        ("a=b", "a=b"),
        (12, 12),
    ],
)
def test_formula_cells_are_neutralised(value, expected):
    assert spreadsheet_safe(value) == expected


def test_hostile_ids_stay_inside_out_and_never_overwrite(tmp_path):
    """Ids an applicant controls: traversal, absolute paths, device names, control characters,
    case and look-alike twins, one used twice, one that is a formula."""
    ids = [
        "../../etc/passwd",
        "/tmp/evil",
        "CON",
        "nul",
        "a\nb\x1b[31m",
        "x" * 300,
        "Case",
        "CASE",
        "Ｃａｓｅ",
        "Cafe\u0301",
        "Café",
        "twice",
        "twice",
        '=HYPERLINK("http://evil")',
    ]
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n, proposal_id in enumerate(ids):
        body = json.dumps({"schema_version": 1, "id": proposal_id, "title": proposal_id})
        (inputs / f"p{n:02}.json").write_text(body, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(inputs), "--out", str(out), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert f"{len(ids)} proposals screened, 0 inputs skipped" in result.output
    assert "proposal id 'twice' is used again; the portfolio links the first" in result.output
    assert "proposal id 'CASE' gives the same file name as another" in result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    reports = [w for w in written if w.startswith("reports/")]
    assert len(reports) == 2 * len(ids)  # one md and one html each: nothing overwritten
    assert len({w.lower() for w in reports}) == len(reports)  # not even on a case-blind disk
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    assert not (tmp_path / "etc").exists() and not Path("/tmp/evil.md").exists()
    assert {"reports/CON_.md", "reports/nul_.html", "reports/Cafe-2.md"} <= set(written)
    with open(out / "summary.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    (formula,) = [row for row in rows if "HYPERLINK" in row["id"]]
    assert formula["id"] == formula["title"] == '\'=HYPERLINK("http://evil")'
    assert not any(cell.startswith("=") for row in rows for cell in row.values())


def test_a_spreadsheet_is_screened_row_by_row(tmp_path):
    sheet = EXAMPLES / "portfolio" / "portfolio-sample.csv"
    rows = len(sheet.read_text(encoding="utf-8").strip().splitlines()) - 1
    result = CliRunner().invoke(
        cli, ["batch", str(sheet), "--out", str(tmp_path / "out"), "--as-of", "2026-11-23"]
    )
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == rows


def test_import_csv_writes_one_valid_proposal_per_row(tmp_path):
    from pcd_screen.inputs.proposal import load_proposal

    sheet = EXAMPLES / "portfolio" / "portfolio-sample.csv"
    result = CliRunner().invoke(cli, ["import", "csv", str(sheet), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.yaml"))
    assert files and all(load_proposal(f).id for f in files)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,budget\nA,ok,10\nB,bad,ten thousand\n", encoding="utf-8")
    broken = CliRunner().invoke(cli, ["import", "csv", str(bad), "--out", str(tmp_path / "b")])
    assert broken.exit_code == 2 and "bad.csv:3: budget:" in broken.output
    assert (tmp_path / "b" / "A.yaml").exists()


def test_iati_files_are_imported_and_screened(tmp_path):
    from pcd_screen.inputs.proposal import load_proposal

    fixtures = EXAMPLES.parent / "tests" / "fixtures" / "iati"
    good = sorted(p for p in fixtures.glob("*-v2.0*.xml") if "broken" not in p.name)
    result = CliRunner().invoke(cli, ["import", "iati", str(good[0]), "--out", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert all(load_proposal(p).id for p in (tmp_path / "p").glob("*.yaml"))
    hostile = fixtures / "hostile-billion-laughs.xml"
    refused = CliRunner().invoke(
        cli, ["import", "iati", str(hostile), "--out", str(tmp_path / "h")]
    )
    assert refused.exit_code == 2 and "EntitiesForbidden" in refused.output
    run = CliRunner().invoke(
        cli, ["batch", *map(str, good), "--out", str(tmp_path / "out"), "--as-of", "2026-11-23"]
    )
    assert run.exit_code == 0, run.output
    assert (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").count("\n") >= len(good)


# --------------------------------------------------------------------------- large exports

FIXTURES = EXAMPLES.parent / "tests" / "fixtures" / "iati"
AS_OF_ARGS = ["--as-of", "2026-11-23"]


def iati_export(path, count: int):
    """An IATI file of `count` activities: the fixtures' activities over and over, renumbered."""
    import re

    activities = []
    for fixture in sorted(FIXTURES.glob("*-v2.03.xml")):
        if "broken" not in fixture.name:
            text = fixture.read_text(encoding="utf-8")
            activities += re.findall(r"<iati-activity[ >].*?</iati-activity>", text, re.S)
    body = []
    for number in range(count):
        activity = activities[number % len(activities)]
        body.append(
            re.sub(
                r"<iati-identifier>[^<]*</iati-identifier>",
                f"<iati-identifier>XI-TEST-{number:05d}</iati-identifier>",
                activity,
            )
        )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
        + "\n".join(body)
        + "\n</iati-activities>\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A 150-activity export (five chunks) and its complete run without reports."""
    folder = tmp_path_factory.mktemp("export")
    source = iati_export(folder / "export.xml", 150)
    out = folder / "complete"
    run = CliRunner().invoke(
        cli, ["batch", str(source), "--out", str(out), "--no-reports", *AS_OF_ARGS]
    )
    assert run.exit_code == 0, run.output
    return source, out


OUTPUTS = ("results.jsonl", "summary.csv", "ruleset.json", "portfolio.md", "portfolio.html")


def test_compact_results_name_rules_whose_texts_are_written_once(export):
    _source, out = export
    validator = jsonschema.Draft202012Validator(load_schema("result"))
    rules = {r["rule_id"]: r for r in json.loads((out / "ruleset.json").read_text())["rules"]}
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 150
    for line in lines:
        result = json.loads(line)
        validator.validate(result)
        assert result["detail"] == "compact"
        assert {f["rule_id"] for f in result["findings"]} <= set(rules)
        for finding in result["findings"]:
            if finding["status"] in ("pass", "not-applicable"):
                assert set(finding) == {"rule_id", "status"}
            else:
                assert "rationale" not in finding and finding["title"]
    assert all(r["rationale"] and r["sources"] for r in rules.values())
    assert not (out / "reports").exists()
    assert "reports/" not in (out / "portfolio.html").read_text(encoding="utf-8")


def test_full_detail_keeps_every_text(tmp_path):
    source = iati_export(tmp_path / "small.xml", 3)
    out = tmp_path / "out"
    args = [
        "batch",
        str(source),
        "--out",
        str(out),
        "--detail",
        "full",
        "--no-reports",
        *AS_OF_ARGS,
    ]
    assert CliRunner().invoke(cli, args).exit_code == 0
    validator = jsonschema.Draft202012Validator(load_schema("result"))
    for line in (out / "results.jsonl").read_text(encoding="utf-8").splitlines():
        result = json.loads(line)
        validator.validate(result)
        assert "detail" not in result and all("rationale" in f for f in result["findings"])


def test_a_compact_result_without_its_fields_is_invalid():
    validator = jsonschema.Draft202012Validator(load_schema("result"))
    finding = {"rule_id": "DNH-001", "status": "flag"}  # a flag must say what and why
    errors = list(validator.iter_errors({"detail": "compact", "findings": [finding]}))
    assert any("'principle' is a required property" in e.message for e in errors)
    full = list(validator.iter_errors({"findings": [{"rule_id": "DNH-001", "status": "pass"}]}))
    assert any("'rationale' is a required property" in e.message for e in full)


def test_one_export_is_screened_in_parallel_with_the_same_bytes(export, tmp_path):
    source, out = export
    again = tmp_path / "again"
    args = ["batch", str(source), "--out", str(again), "--no-reports", "--jobs", "2", *AS_OF_ARGS]
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 0, run.output
    for name in OUTPUTS:
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_an_interrupted_run_leaves_no_partial_file_and_resumes(export, tmp_path, monkeypatch):
    from pcd_screen.runs import batch

    source, complete = export
    out = tmp_path / "out"
    screened = []
    real = batch.screen_task

    def interrupted(task):
        if len(screened) == 2:  # Ctrl-C during the third chunk
            raise KeyboardInterrupt
        screened.append(task[0])
        return real(task)

    monkeypatch.setattr(batch, "screen_task", interrupted)
    args = ["batch", str(source), "--out", str(out), *AS_OF_ARGS]
    stopped = CliRunner().invoke(cli, args)
    assert stopped.exit_code == 2 and "--resume" in stopped.output
    left = {p.name for p in out.iterdir()}
    assert left == {"reports", batch.JOURNAL}, left  # no results.jsonl, summary, temporary file
    reports = sorted((out / "reports").iterdir())
    assert len(reports) == 2 * 2 * batch.CHUNK  # two finished chunks, md and html each
    for report in reports:  # each one whole
        text = report.read_text(encoding="utf-8").rstrip()
        assert text.endswith("</html>") if report.suffix == ".html" else "reference data" in text

    screened.clear()
    monkeypatch.setattr(batch, "screen_task", lambda task: screened.append(task[0]) or real(task))
    resumed = CliRunner().invoke(cli, [*args, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert len(screened) == 3  # chunks 3 to 5 only
    assert not (out / batch.JOURNAL).exists()
    for name in ("results.jsonl", "summary.csv", "ruleset.json"):
        assert (out / name).read_bytes() == (complete / name).read_bytes(), name
    assert len(list((out / "reports").glob("*.html"))) == 150


def test_resume_refuses_a_journal_of_other_settings(export, tmp_path, monkeypatch):
    from pcd_screen.runs import batch

    source, _complete = export
    out = tmp_path / "out"
    monkeypatch.setattr(batch, "screen_task", lambda task: (_ for _ in ()).throw(KeyboardInterrupt))
    CliRunner().invoke(cli, ["batch", str(source), "--out", str(out), *AS_OF_ARGS])
    monkeypatch.undo()
    other = CliRunner().invoke(
        cli, ["batch", str(source), "--out", str(out), "--resume", "--as-of", "2025-01-01"]
    )
    assert other.exit_code == 2 and "other inputs or settings" in other.output


# A background job of a non-interactive shell starts with SIGINT ignored: TERM must still stop it.
@pytest.mark.parametrize("sigint_ignored", [False, True])
def test_sigterm_stops_a_run_cleanly_and_resume_finishes_it(export, tmp_path, sigint_ignored):
    import os
    import signal
    import subprocess
    import sys
    import time

    from pcd_screen.runs import batch

    source = iati_export(tmp_path / "big.xml", 1500)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "pcd_screen", "batch", str(source), "--out", str(out)]
    command += ["--no-reports", *AS_OF_ARGS]

    def ignore_sigint():
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    start = ignore_sigint if sigint_ignored else None
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, preexec_fn=start)
    journal = out / batch.JOURNAL
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and journal.read_text(encoding="utf-8").count("\n") > 3:
            break
        time.sleep(0.05)
    if process.poll() is not None:
        pytest.skip("the run finished before it could be interrupted")
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "Traceback" not in err and "--resume" in err
    assert {p.name for p in out.iterdir()} == {batch.JOURNAL}
    resumed = subprocess.run([*command, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [json.loads(line)["proposal"]["id"] for line in lines]
    assert ids == [f"XI-TEST-{n:05d}" for n in range(1500)]  # each once, in order
    assert os.listdir(out) and not journal.exists()


def test_every_batch_output_is_the_same_bytes_across_hash_seeds(tmp_path):
    """Set and dict iteration order must never leak into a file of a run."""
    import os
    import subprocess
    import sys

    export = iati_export(tmp_path / "export.xml", 40)
    sheet = EXAMPLES / "portfolio" / "portfolio-sample.csv"
    inputs = [str(export), str(sheet), *sorted(str(p) for p in EXAMPLES.glob("*.yaml"))[:4]]
    runs = []
    for seed in ("0", "4242"):
        out = tmp_path / f"seed-{seed}"
        subprocess.run(
            [sys.executable, "-m", "pcd_screen", "batch", *inputs, "--out", str(out)]
            + ["--jobs", "2", *AS_OF_ARGS],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        runs.append({p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert runs[0].keys() == runs[1].keys() and len(runs[0]) > 10
    for name in runs[0]:
        assert runs[0][name] == runs[1][name], name


# --------------------------------------------------------------------------- watchdog audits

REAL_IATI = EXAMPLES.parent / "tests" / "fixtures" / "iati" / "real-watchdog-v2.03.xml"


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    out = tmp_path_factory.mktemp("audit") / "out"
    run = CliRunner().invoke(
        cli, ["batch", str(REAL_IATI), "--out", str(out), "--as-of", "activity", "--no-reports"]
    )
    assert run.exit_code == 0, run.output
    results = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    return out, {r["proposal"]["id"]: r for r in results}


def test_as_of_activity_screens_each_as_of_its_start_date(audit):
    out, results = audit
    assert results["XI-IATI-EC_ECHO-ECHO/-AF/BUD/2020/91009"]["as_of"] == "2020-05-01"
    assert results["XM-DAC-47066-CD.0033"]["as_of"] == "2019-09-06"
    rows = list(csv.DictReader((out / "summary.csv").open(encoding="utf-8")))
    assert {r["as_of"] for r in rows} == {"2020-05-01", "2019-09-06", "2020-07-01", "2017-02-14"}
    text = (out / "portfolio.md").read_text(encoding="utf-8")
    assert "each as of its own start date" in text


def test_short_humanitarian_grants_are_not_judged_as_refugee_programmes(audit):
    _out, results = audit
    echo = results["XI-IATI-EC_ECHO-ECHO/-AF/BUD/2020/91009"]
    status = {f["rule_id"]: f["status"] for f in echo["findings"]}
    assert echo["facts"]["humanitarian"] is True and echo["facts"]["humanitarian_short"] is True
    assert status.get("MFD-012", "not-applicable") == "not-applicable"
    assert status.get("MFD-013", "not-applicable") == "not-applicable"


def test_iom_is_not_implementer_missing(audit):
    _out, results = audit
    status = {f["rule_id"]: f["status"] for f in results["XM-DAC-47066-CD.0033"]["findings"]}
    assert status.get("DQ-011", "pass") == "pass"


def test_portfolio_in_one_currency_with_rates_and_the_split(audit):
    out, _results = audit
    text = (out / "portfolio.md").read_text(encoding="utf-8")
    assert "Total budget: " in text and " EUR." in text
    assert "| USD | 2020 | 0.875506 |" in text  # the rate and its year beside the amount
    assert "## Humanitarian and development" in text
    assert "## Coding rules" in text
    assert "real-watchdog-v2.03.xml" in text and "data of 2021-06-14" in text
    rows = {r["id"]: r for r in csv.DictReader((out / "summary.csv").open(encoding="utf-8"))}
    eutf = rows["XI-IATI-EC_INTPA_EUTF_AFRICA_T05.1202_759"]
    assert eutf["budget"] == "" and eutf["budget_EUR"] == ""  # budget 0 is no budget
    assert eutf["do-no-harm_budget_share"] == ""  # a share of no budget is no figure
    assert rows["XM-DAC-47066-CD.0033"]["rate_year"] == "2019"


def test_evidence_in_results_cites_the_iati_line(audit):
    _out, results = audit
    evidence = [e for r in results.values() for f in r["findings"] for e in f.get("evidence", [])]
    assert evidence and all(e["line"] for e in evidence if e["path"] != "count")
    assert any(e.get("element", "").startswith("<") for e in evidence)


def test_portfolio_xlsx_one_sheet_per_table(audit):
    import re
    import zipfile

    out, _results = audit
    with zipfile.ZipFile(out / "portfolio.xlsx") as book:
        workbook = book.read("xl/workbook.xml").decode()
        names = re.findall(r'<sheet name="([^"]+)"', workbook)
        strings = book.read("xl/worksheets/sheet1.xml").decode()  # About, inline strings
    assert names[:4] == ["About", "Verdicts", "Principles", "Humanitarian-development"]
    assert {"Categories", "Countries", "Implementers", "Years", "Rates", "Proposals"} <= set(names)
    assert "real-watchdog-v2.03.xml" in strings and "start date" in strings
    # the same run gives the same bytes
    again = out.parent / "again"
    run = CliRunner().invoke(
        cli, ["batch", str(REAL_IATI), "--out", str(again), "--as-of", "activity", "--no-reports"]
    )
    assert run.exit_code == 0
    assert (again / "portfolio.xlsx").read_bytes() == (out / "portfolio.xlsx").read_bytes()


def test_a_zero_budget_in_a_currency_is_no_budget_and_the_run_finishes(tmp_path):
    """A sheet in euros with a budget of 0: the proposal has no budget, so no rate is listed
    for it (a rate of None once broke the portfolio report, after results were in place)."""
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,title,budget\nP1,Wells,0\nP2,Roads,1000\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        ["batch", str(sheet), "--out", str(out), "--as-of", "2026-11-23"]
        + ["--constant", "currency=EUR"],
    )
    assert result.exit_code == 0, result.output
    report = (out / "portfolio.md").read_text(encoding="utf-8")
    assert "Total budget: 1,000 EUR" in report
    rows = [line for line in report.splitlines() if line.startswith("| EUR |")]
    assert rows and all("None" not in row for row in rows)
    assert (out / "results.jsonl").exists() and (out / "portfolio.xlsx").exists()


def test_inputs_skipped_are_counted_once_each():
    from pcd_screen import inputs

    problems = [
        "sheet.csv:1: note: columns read as: iati_id=id",
        "sheet.csv:217: iati_id: empty; every row needs an id",
        "sheet.csv:217: title: empty; every row needs a title",
        "sheet.csv:486: iati_id: empty; every row needs an id",
        "proposal.yaml:3:5: budget: expected a mapping",
        "proposal.yaml:9:1: title: required",
    ]
    assert inputs.skipped_inputs(problems) == 3  # two rows of the sheet, one proposal file


def test_proposals_past_a_worksheets_row_limit_are_said_to_be_only_in_the_csv(
    tmp_path, monkeypatch
):
    """A worksheet holds about a million rows; a registry-sized run keeps the first ones in the
    Proposals sheet and says on the About sheet how many are only in summary.csv."""
    import re
    import zipfile

    from pcd_screen.reports import xlsx

    monkeypatch.setattr(xlsx, "MAX_PROPOSAL_ROWS", 2)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("id,title\nP1,Wells\nP2,Roads\nP3,Clinics\n", encoding="utf-8")
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["batch", str(sheet), "--out", str(out), "--as-of", "2026-11-23"])
    assert run.exit_code == 0, run.output
    with zipfile.ZipFile(out / "portfolio.xlsx") as book:
        names = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        about = book.read("xl/worksheets/sheet1.xml").decode()
        rows = book.read(f"xl/worksheets/sheet{names.index('Proposals') + 1}.xml").decode()
    assert "the first 2 proposals; 1 more are past" in about
    assert "Wells" in rows and "Roads" in rows and "Clinics" not in rows
    assert (out / "summary.csv").read_text(encoding="utf-8").count("\n") == 4  # all in the CSV


EUTF_CUTS = EXAMPLES.parent / "tests" / "fixtures" / "eutf"


def test_eutf_money_is_counted_once_across_files_and_levels(tmp_path):
    """Cuts of the two real EUTF files (tests/fixtures/eutf/README.md): the newsroom's project
    database and the Fund's Akvo export, which repeats its decisions, adds their contracts
    (project_parent) and a row for the whole fund's results framework (4.6 billion)."""
    out = tmp_path / "run"
    inputs = [EUTF_CUTS / "projects-database-cut.csv", EUTF_CUTS / "akvo-cut.csv"]
    run = CliRunner().invoke(
        cli,
        ["batch", *map(str, inputs), "--out", str(out), "--constant", "currency=EUR"]
        + ["--no-reports", "--as-of", "activity"],
    )
    assert run.exit_code == 0, run.output
    report = (out / "portfolio.md").read_text(encoding="utf-8")
    # 55 M + 24 M (database) + 3.7 M (a contract whose decision is not in the cut) + 2.85 M
    # and 3.6 M (decisions under the results framework); before: 4,792,150,000 EUR
    assert "Total budget: 89,150,000 EUR." in report
    section = report[report.index("## Left out of the totals") :]
    assert "4 screened proposals are not in the totals (4,703,000,000 EUR)" in section
    assert "T05-EUTF-NOA-REG-13-01 — " in section and "a part of T05-EUTF-NOA-REG-13" in section
    assert "stands for the whole fund" in section
    assert "the same id came earlier (projects-database-cut.csv:" in section
    worst = report[report.index("## Proposals, worst first") :]
    assert worst.count("| T05-EUTF-NOA-REG-13 — ") == 1
    assert "| EUR 2024 |" not in report  # the rate of undated budgets is labelled so
    html = (out / "portfolio.html").read_text(encoding="utf-8")
    assert "<h2>Left out of the totals</h2>" in html
    with zipfile.ZipFile(out / "portfolio.xlsx") as book:
        assert 'name="Left out"' in book.read("xl/workbook.xml").decode()
        strings = "".join(book.read(n).decode() for n in book.namelist() if "sheet" in n)
    assert "stands for the whole fund" in strings and "no date: rate of 2024 used" in strings
    # Rows without a categories column are coded from their text as IATI activities are
    # (every row was '(no category)'), and their money, humanitarian or not, is 'not known'.
    categories = report[report.index("## By activity category") : report.index("## By the fund")]
    assert "| category | EUR | share | humanitarian | development | not known |" in categories
    assert "| (no category) | 89,150,000 |" not in categories
    assert "not known (EUR)" in strings


def test_a_batch_that_screens_nothing_leaves_nothing_behind(tmp_path):
    """'no proposal could be screened' left an empty OUT/reports folder."""
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,sector_codes\nP1,Bad,123\n", encoding="utf-8")
    out = tmp_path / "made" / "out"
    result = CliRunner().invoke(cli, ["batch", str(bad), "--out", str(out), "--as-of", AS_OF])
    assert result.exit_code == 2 and "no proposal could be screened" in result.output
    assert not (tmp_path / "made").exists()
    # An OUT that was there stays, with what it held, and nothing more.
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(bad), "--out", str(kept), "--as-of", AS_OF])
    assert result.exit_code == 2
    assert [p.name for p in kept.iterdir()] == ["notes.txt"]


def test_pipes_and_line_breaks_stay_in_their_markdown_table_cells(tmp_path):
    """An implementer 'a|b' or a title with a line break split portfolio.md's table rows."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    texts = ["|a|b|", "new\nline", "x\r\n## Data", "pipe | and\u2028separator"]
    for n, text in enumerate(texts):
        body = {
            "schema_version": 1,
            "id": f"P{n}|x",
            "title": text,
            "implementers": [{"name": text, "type": "local-ngo"}],
            "budget": {"total": 1000 * (n + 1), "currency": "EUR"},
        }
        (inputs / f"p{n}.json").write_text(json.dumps(body), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(inputs), "--out", str(out), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    import re

    lines = (out / "portfolio.md").read_text(encoding="utf-8").split("\n")
    assert lines.count("## Data") == 1
    columns = None
    for number, line in enumerate(lines, 1):
        if not line.startswith("|"):
            assert columns is None or not line.strip(), (number, line)  # a row cut in two
            columns = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        columns = columns or cells
        assert cells == columns, (number, line)
    assert "| P0\\|x — \\|a\\|b\\| |" in "\n".join(lines)


def test_a_small_portfolio_share_is_not_shown_as_nought(tmp_path):
    # A new user's trial: "Migration-control share: 0%" stood beside 40 M EUR of border control
    # (0.5 % of the real IATI portfolio), rounded away.
    body = (
        "schema_version: 1\nid: {id}\ntitle: {id}\nlanguage: en\n"
        "countries: [{{code: NER, percentage: 100}}]\nbudget: {{total: {total}, currency: EUR}}\n"
        "activities: [{{id: A1, title: Works, category: {category}, budget: {total}}}]\n"
    )
    (tmp_path / "a.yaml").write_text(body.format(id="A", total=995000, category="livelihoods-jobs"))
    (tmp_path / "b.yaml").write_text(body.format(id="B", total=5000, category="border-control"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(tmp_path), "--out", str(out), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    markdown = (out / "portfolio.md").read_text(encoding="utf-8")
    assert "Migration-control share: 0.5%." in markdown
