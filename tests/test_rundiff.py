import json

from click.testing import CliRunner

from conftest import screened
from pcd_screen.commands import cli
from pcd_screen.runs.rundiff import compare_runs, describe_runs


def run_of(*names):
    return {r["proposal"]["id"]: r for r in (screened(n).to_dict() for n in names)}


def test_added_removed_and_changed():
    old = run_of("border-control-transit-niger", "sparse-proposal")
    new = run_of("border-control-transit-niger", "remittances-senegal")
    niger = new["EU-NDICI-2026-NE-031"]
    niger["verdict"] = "revise"
    niger["findings"] = [
        {**f, "status": "pass"} if f["rule_id"] == "DNH-001" else f for f in niger["findings"]
    ]
    diff = compare_runs(old, new)
    assert [pid for pid, _v in diff["added"]] == ["LU-2026-SEN-REMIT-01"]
    assert [pid for pid, _v in diff["removed"]] == ["BE-2026-CONCEPT-MLI-03"]
    (change,) = diff["changed"]
    assert change["old"] == "block" and change["new"] == "revise"
    assert ("DNH-001", "flag (critical)", "pass") in change["rules"]
    assert describe_runs(diff).endswith("1 added, 1 removed, 1 changed\n")


def test_cli_compares_two_output_folders(tmp_path):
    for name, examples in (("old", ("sparse-proposal",)), ("new", ("sparse-proposal",))):
        folder = tmp_path / name
        folder.mkdir()
        lines = [json.dumps(r) for r in run_of(*examples).values()]
        (folder / "results.jsonl").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "old"), str(tmp_path / "new")])
    assert result.exit_code == 0 and "0 added, 0 removed, 0 changed" in result.output
    (tmp_path / "new" / "results.jsonl").write_text("not json\n")
    broken = CliRunner().invoke(cli, ["diff", str(tmp_path / "old"), str(tmp_path / "new")])
    assert broken.exit_code == 2 and "results.jsonl:1: not a JSON result" in broken.output


def test_a_compact_run_compares_with_a_full_one(tmp_path):
    """A run kept from before (full results) against one of today (compact): same findings."""
    from conftest import EXAMPLES

    inputs = [
        str(EXAMPLES / f"{n}.yaml") for n in ("border-control-transit-niger", "sparse-proposal")
    ]
    for detail in ("full", "compact"):
        args = ["batch", *inputs, "--out", str(tmp_path / detail), "--detail", detail]
        run = CliRunner().invoke(cli, [*args, "--no-reports", "--as-of", "2026-11-23"])
        assert run.exit_code == 0, run.output
    result = CliRunner().invoke(cli, ["diff", str(tmp_path / "full"), str(tmp_path / "compact")])
    assert result.exit_code == 0 and "0 added, 0 removed, 0 changed" in result.output


def test_a_hand_made_run_folder_is_read_as_untrusted_input(tmp_path):
    # A run folder is input: RecursionError and TypeError used to escape as tracebacks.
    good = tmp_path / "good"
    good.mkdir()
    (good / "results.jsonl").write_text(
        "\n".join(json.dumps(r) for r in run_of("sparse-proposal").values()) + "\n"
    )
    cases = {
        "deep": "[" * 100_000 + "]" * 100_000,
        "number": '{"proposal": 5}',
        "list": "[]",
        "no-findings": '{"proposal": {"id": "P"}, "verdict": "clear"}',
        "bad-finding": '{"proposal": {"id": "P"}, "verdict": "clear", "findings": [5]}',
        "utf8": b'{"proposal": "\xc3',
        "huge-int": '{"proposal": ' + "9" * 5000 + "}",
    }
    for name, line in cases.items():
        folder = tmp_path / name
        folder.mkdir()
        data = line if isinstance(line, bytes) else line.encode()
        (folder / "results.jsonl").write_bytes(b"\n" + data + b"\n")
        result = CliRunner().invoke(cli, ["diff", str(good), str(folder)])
        assert result.exit_code == 2, (name, result.output)
        assert "Traceback" not in result.output and not isinstance(result.exception, TypeError)
        assert f"{folder / 'results.jsonl'}:2: not a" in result.output, (name, result.output)
        assert len(result.output) < 500


def test_a_results_file_that_is_a_fifo_is_named(tmp_path):
    import os

    run = tmp_path / "run"
    run.mkdir()
    os.mkfifo(run / "results.jsonl")
    result = CliRunner().invoke(cli, ["diff", str(run), str(run)])
    assert result.exit_code == 2
    assert f"{run / 'results.jsonl'}: cannot read: it is a FIFO (named pipe)" in result.output


def _run_folder(path, *lines: str):
    path.mkdir()
    (path / "results.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def _result(pid: str, verdict: str = "clear") -> str:
    return json.dumps({"proposal": {"id": pid}, "verdict": verdict, "findings": []})


def test_a_results_file_over_the_size_or_line_limit_is_refused_unread(tmp_path, monkeypatch):
    # A sparse 1.5 GB results.jsonl took 10 s and 3 GB of memory before it was refused.
    from pcd_screen.runs import rundiff

    good = _run_folder(tmp_path / "good", _result("P"))
    big = tmp_path / "big"
    big.mkdir()
    with open(big / "results.jsonl", "wb") as handle:
        handle.truncate(2000)
    result = CliRunner().invoke(cli, ["diff", good, str(big), "--max-file-size", "1000"])
    assert result.exit_code == 2
    assert f"{big / 'results.jsonl'}: larger than the limit of 1000 bytes" in result.output
    monkeypatch.setattr(rundiff, "MAX_LINE_BYTES", 100)
    long_line = _run_folder(tmp_path / "long", _result("P"), _result("x" * 200))
    result = CliRunner().invoke(cli, ["diff", good, long_line])
    assert result.exit_code == 2
    assert f"{long_line}/results.jsonl:2: a line longer than 100 bytes" in result.output


def test_ids_and_verdicts_from_a_run_cannot_drive_the_terminal_or_the_ci_log(tmp_path):
    good = _run_folder(tmp_path / "good", _result("P"))
    hostile = _run_folder(
        tmp_path / "hostile",
        _result("\x1b[2J\x1b[31mRED\n::error file=a::pwned", "\x1b]0;title\x07block"),
    )
    result = CliRunner().invoke(cli, ["diff", good, hostile])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert not any(line.lstrip().startswith("::") for line in result.output.splitlines())
    assert "removed: P (clear)" in result.output
    assert "added: <U+001B>[2J<U+001B>[31mRED ::error file=a::pwned (<U+001B>]0;title" in (
        result.output
    )


def test_a_repeated_id_is_reported_and_compared_not_overwritten(tmp_path):
    old = _run_folder(tmp_path / "old", _result("X", "clear"), _result("X", "clear"))
    new = _run_folder(tmp_path / "new", _result("X", "clear"), _result("X", "block"))
    result = CliRunner().invoke(cli, ["diff", old, new])
    assert result.exit_code == 1
    assert f"{new}/results.jsonl:2: proposal id 'X' is used again (first on line 1)" in (
        result.output
    )
    assert "changed: X (#2): verdict clear -> block" in result.output
