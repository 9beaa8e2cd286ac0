import json
import shutil

import jsonschema
import pytest
from click.testing import CliRunner

from conftest import EXAMPLES
from pcd_screen.batch import safe_name
from pcd_screen.cli import cli
from pcd_screen.proposal import load_schema


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
    assert summary[0].startswith("id,title,file,countries,budget,currency,verdict,")
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


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "etc_passwd"),
        ("EU/2026\\x", "EU_2026_x"),
        ("id\x00with\ncontrol", "id_with_control"),
        (".hidden", "hidden"),
        ("", "proposal"),
        ("a" * 200, "a" * 80),
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
    from pcd_screen.proposal import load_proposal

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
    from pcd_screen.proposal import load_proposal

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
