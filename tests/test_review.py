"""batch --review N and `pcd-screen review SHEET`: a seeded sample stratified by verdict, read
back into agreement rates per verdict and per rule."""

from __future__ import annotations

import csv
import json
import os

import pytest
from click.testing import CliRunner

from conftest import REPO
from pcd_screen.commands import cli
from pcd_screen.runs.review import ReviewSampler

REAL_IATI = REPO / "tests" / "fixtures" / "iati" / "real-watchdog-v2.03.xml"


def test_sample_is_seeded_and_stratified_by_verdict():
    def draw(seed):
        sampler = ReviewSampler(4, seed)
        for n in range(100):
            sampler.add({"id": f"P{n:03d}", "verdict": "clarify" if n % 10 else "block"})
        return [r["id"] for r in sampler.sample()]

    first = draw(7)
    assert first == draw(7) and len(first) == 4
    assert sum(1 for i in first if int(i[1:]) % 10 == 0) == 1  # the rare verdict is in it
    assert draw(8) != first


def test_review_sheet_round_trip(tmp_path):
    out = tmp_path / "run"
    runner = CliRunner()
    run = runner.invoke(
        cli,
        [
            "batch",
            str(REAL_IATI),
            "--out",
            str(out),
            "--as-of",
            "activity",
            "--no-reports",
            "--review",
            "3",
        ],
    )
    assert run.exit_code == 0, run.output
    rows = list(csv.DictReader((out / "review.csv").open(encoding="utf-8")))
    assert len(rows) == 3
    assert all(
        r["text"] and r["verdict"] and r["source"].endswith(tuple("0123456789")) for r in rows
    )
    flagged = next(r for r in rows if r["flagged_rules"])
    wrong = flagged["flagged_rules"].split("; ")[0]
    for row in rows:
        row["verdict_agree"] = "yes"
    flagged["verdict_agree"], flagged["rules_wrong"], flagged["reason"] = "no", wrong, "test"
    with (tmp_path / "filled.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(cli, ["review", str(tmp_path / "filled.csv"), "--run", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 of 3 sampled proposals reviewed" in result.output
    agreement = json.loads((out / "review-agreement.json").read_text(encoding="utf-8"))
    rule = agreement["rules"][wrong]
    assert rule["agreed"] == rule["reviewed"] - 1  # the one row that says it is wrong
    assert f"| {wrong} | {rule['agreed']} | {rule['reviewed']} |" in result.output
    assert agreement["verdicts"][flagged["verdict"]]["agreed"] < agreement["reviewed"]
    report = (out / "portfolio.md").read_text(encoding="utf-8")
    assert "## Human review" in report and report.index("## Human review") < report.index("## Data")
    again = runner.invoke(cli, ["review", str(tmp_path / "filled.csv"), "--run", str(out)])
    assert again.exit_code == 0
    assert (out / "portfolio.md").read_text(encoding="utf-8").count("## Human review") == 1
    assert "<h2>Human review</h2>" in (out / "portfolio.html").read_text(encoding="utf-8")


def test_a_sheet_not_yet_filled_in_claims_no_measured_error():
    from pcd_screen.runs.review import section

    empty = {"overall": None, "reviewed": 0, "rows": 50, "sheet": "review.csv"}
    text = section({**empty, "verdicts": {}, "rules": {}, "problems": []})
    assert "None of the 50 sampled proposals has been reviewed yet" in text
    assert "agreed with the verdict" not in text


HEADER = "id,verdict,flagged_rules,verdict_agree,rules_wrong,reason\n"


def review(*args):
    return CliRunner().invoke(cli, ["review", *map(str, args)])


def sheet(tmp_path, rows: str | bytes, name: str = "review.csv"):
    path = tmp_path / name
    data = rows if isinstance(rows, bytes) else (HEADER + rows).encode("utf-8")
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("P1,block,DNH-001,maybe,,\n", "review.csv:2: verdict_agree: 'maybe' is not yes or no"),
        (
            "P1,\x1b[2J::error::x,DNH-001,yes,,\n",
            "review.csv:2: verdict: '\\x1b[2J::error::x' is not a verdict",
        ),
        ("P1,block,DNH-001,yes,R0,\n", "review.csv:3: rules_wrong: 'R0' is not a rule id"),
        ("P1,block,DNH-001,yes,NOC-001,\n", "review.csv:2: rules_wrong: NOC-001 was not flagged"),
        (
            f"P1,block,DNH-001,{'y' * 200_000},,\n",
            "review.csv:2: (row): a cell is longer than 131072 characters",
        ),
    ],
)
def test_a_row_that_cannot_be_counted_is_exit_2_with_row_and_column(tmp_path, rows, message):
    if "R0" in rows:
        rows = "P0,clear,,yes,,\n" + rows  # the bad row is the second
    run = run_folder(tmp_path, ids=("P0", "P1"))
    before = sorted(run.iterdir())
    result = review(sheet(tmp_path, rows), "--run", run)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert "\x1b" not in result.output
    assert "## Human review" not in result.output  # no figures that leave a row out
    assert sorted(run.iterdir()) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            HEADER.encode() + "P1,blé,DNH-001,yes,,\n".encode("latin-1"),
            "review.csv:2: (file): not valid UTF-8",
        ),
        (
            HEADER.encode() + b"P1,bl\x00ock,DNH-001,yes,,\n",
            "review.csv:2: (file): file contains NUL bytes",
        ),
        (HEADER.encode("utf-16-le"), "review.csv:1: (file): file contains NUL bytes"),
        (b"a,b\n1,2\n", "review.csv: not a review sheet (no column id, verdict"),
    ],
)
def test_a_sheet_that_cannot_be_read_names_the_file(tmp_path, data, message):
    result = review(sheet(tmp_path, data))
    assert result.exit_code == 2 and message in result.output, result.output


def test_a_sheet_with_a_byte_order_mark_is_read(tmp_path):
    result = review(sheet(tmp_path, (HEADER + "P1,block,DNH-001,yes,,\n").encode("utf-16")))
    assert result.exit_code == 0, result.output
    assert "| DNH-001 | 1 | 1 | 100% |" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_or_a_device_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    result = review(tmp_path / "pipe.csv")
    assert result.exit_code == 2
    assert "pipe.csv: (file): cannot read file: it is a FIFO (named pipe)" in result.output
    if os.path.exists("/dev/zero"):
        (tmp_path / "zero.csv").symlink_to("/dev/zero")  # read, it never ends
        result = review(tmp_path / "zero.csv")
        assert result.exit_code == 2 and "it is a device or socket" in result.output


def test_a_sheet_over_the_size_limit_is_refused(tmp_path):
    path = sheet(tmp_path, "P1,block,DNH-001,yes,,\n" * 10)
    result = review(path, "--max-file-size", "100")
    assert result.exit_code == 2 and "larger than the limit of 100 bytes" in result.output


GOOD = "P1,block,DNH-001;NOC-001,yes,NOC-001,x\n"


def run_folder(tmp_path, report: str = "# Portfolio\n\n## Data\n", ids=("P1",)):
    run = tmp_path / "run"
    run.mkdir()
    (run / "portfolio.md").write_text(report, encoding="utf-8")
    results = [{"proposal": {"id": pid}, "verdict": "block", "findings": []} for pid in ids]
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in results))
    return run


@pytest.mark.parametrize("name", ["portfolio.md", "portfolio.html", "review-agreement.json"])
def test_no_link_in_the_run_folder_is_read_or_written_through(tmp_path, name):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret\n", encoding="utf-8")
    run = run_folder(tmp_path)
    (run / name).unlink(missing_ok=True)
    (run / name).symlink_to(secret)
    before = {p.name: (p.is_symlink(), p.read_bytes()) for p in run.iterdir()}
    result = review(sheet(tmp_path, GOOD), "--run", run)
    assert result.exit_code == 2, result.output
    assert f"{run / name}: it is a link, not a regular file" in result.output
    assert "secret" not in result.output
    assert secret.read_text(encoding="utf-8") == "secret\n"
    # Checked before anything is written: the folder is as it was.
    assert {p.name: (p.is_symlink(), p.read_bytes()) for p in run.iterdir()} == before


def test_the_agreement_goes_into_the_run_folder_whole(tmp_path):
    run = run_folder(tmp_path)
    result = review(sheet(tmp_path, GOOD), "--run", run)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in run.iterdir()) == [
        "portfolio.md",
        "results.jsonl",
        "review-agreement.json",
    ]
    report = (run / "portfolio.md").read_text(encoding="utf-8")
    assert report.index("## Human review") < report.index("## Data")
    assert json.loads((run / "review-agreement.json").read_text())["rules"]["NOC-001"] == {
        "agreed": 0,
        "reviewed": 1,
        "rate": 0.0,
    }


def test_titles_holding_the_review_markers_leave_the_report_whole(tmp_path):
    """Titles `Start <!-- review:start -->` and `End <!-- review:end -->` made `review --run`
    replace everything between them in portfolio.md with the review section."""
    titles = ["Start <!-- review:start -->", "Middle", "End\n<!-- review:end -->\n## Data"]
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n, title in enumerate(titles, 1):
        body = {"schema_version": 1, "id": f"M{n}", "title": title}
        (inputs / f"m{n}.json").write_text(json.dumps(body), encoding="utf-8")
    out = tmp_path / "run"
    args = ["batch", str(inputs), "--out", str(out), "--as-of", "2026-11-23", "--review", "3"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    before = (out / "portfolio.md").read_text(encoding="utf-8")
    assert "\n<!-- review:end -->\n" not in before  # a title's line break is a space there
    rows = list(csv.DictReader((out / "review.csv").open(encoding="utf-8")))
    for row in rows:
        row["verdict_agree"] = "yes"
    filled = tmp_path / "filled.csv"
    with filled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for _ in range(2):  # and again: the earlier section is replaced, nothing else
        result = review(filled, "--run", out)
        assert result.exit_code == 0, result.output
        after = (out / "portfolio.md").read_text(encoding="utf-8")
        section = after[after.index("<!-- review:start -->\n## Human review") :]
        section = section[: section.index("<!-- review:end -->\n") + 20]
        assert after.replace(section, "") == before
        assert after.index("## Human review") < after.index("\n## Data") + 1


def test_a_sheet_of_another_run_is_refused_naming_its_rows(tmp_path):
    run = run_folder(tmp_path, ids=("P1", "=cmd"))
    rows = "P1,clear,,yes,,\nP9,block,,yes,,\n'=cmd,block,,yes,,\n=cmd,block,,no,,\n"
    result = review(sheet(tmp_path, rows), "--run", run)
    assert result.exit_code == 2, result.output
    assert "review.csv:2: verdict: 'clear' is not the run's for 'P1' (block)" in result.output
    assert "review.csv:3: id: 'P9' is not a proposal of this run" in result.output
    assert "review.csv:4" not in result.output and "review.csv:5" not in result.output
    assert "2 rows cannot be counted" in result.output
    assert not (run / "review-agreement.json").exists()


def test_the_review_printed_on_its_own_names_the_figures_it_qualifies(tmp_path):
    """`pcd-screen review` prints the section without the report: 'the figures above' pointed
    at nothing; it names the portfolio report's figures."""
    filled = sheet(tmp_path, "P1,block,DNH-001,yes,,\nP2,clear,,no,,\n")
    result = review(filled)
    assert result.exit_code == 0, result.output
    assert "above" not in result.output
    assert "50% of them. The portfolio report's figures (verdicts, budget shares" in result.output


def test_the_sheet_shows_evidence_as_the_reports_do():
    """It showed "oda.reported_as_oda = 'True'", a raw Python value."""
    from datetime import date

    from pcd_screen.engine.evaluate import evaluate
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.ruleset import load_ruleset
    from pcd_screen.inputs.proposal import load_proposal
    from pcd_screen.runs.review import review_record

    path = REPO / "examples" / "ci-repo" / "proposals" / "reception-costs-belgium.yaml"
    proposal = load_proposal(path)
    result = evaluate(proposal, load_ruleset(), load_refdata(), date(2026, 11, 23))
    evidence = review_record(result, proposal.data)["evidence"]
    assert "oda.reported_as_oda = yes (line 24)" in evidence
    assert "'True'" not in evidence and "'" + "home-affairs-budget'" not in evidence
