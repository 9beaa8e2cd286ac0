"""batch --review N and `pcd-screen review SHEET`: a seeded sample stratified by verdict, read
back into agreement rates per verdict and per rule."""

from __future__ import annotations

import csv

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
    import json

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
