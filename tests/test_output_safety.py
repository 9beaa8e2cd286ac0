"""Every output path is checked (docs/security.md, "Outputs"): only regular files are
replaced, no link is followed out of --out, -o needs an existing folder, one batch at a time
per --out, and --resume reads the journal as untrusted input."""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES
from pcd_screen.commands import cli
from pcd_screen.core.outputs import check_target
from pcd_screen.runs import batch

AS_OF = ["--as-of", "2026-11-23"]
GOOD = EXAMPLES / "sparse-proposal.yaml"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def refused(result, *texts):
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for text in texts:
        assert text in result.output, result.output


# --- screen -o ----------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_output_onto_a_fifo_or_a_folder_is_refused_and_left_alone(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused(invoke("screen", GOOD, *AS_OF, "-o", fifo), f"{fifo}: cannot write: it is a FIFO")
    assert fifo.is_fifo()
    folder = tmp_path / "report.txt"
    folder.mkdir()
    refused(invoke("screen", GOOD, *AS_OF, "-f", f"md={folder}"), "it is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "report.txt"]


def test_a_device_is_never_replaced():
    # As root, `-o /dev/null` used to rename a regular file over the device.
    with pytest.raises(OSError, match="it is a device or socket, not a regular file"):
        check_target("/dev/null")
    with pytest.raises(OSError, match="it is a device"):
        check_target("/dev/null", make_folders=True)


def test_output_into_a_missing_folder_is_refused(tmp_path):
    target = tmp_path / "nonexistent" / "dir" / "x.html"
    refused(
        invoke("screen", GOOD, *AS_OF, "-f", "html", "-o", target),
        f"cannot write: the folder {target.parent} does not exist",
    )
    assert list(tmp_path.iterdir()) == []


def test_import_never_writes_through_a_link_in_out(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    csv = tmp_path / "p.csv"
    csv.write_text("id,title\nP-1,t\n")
    (out / "P-1.yaml").symlink_to(outside / "stolen.yaml")
    refused(invoke("import", "csv", csv, "--out", out), "it is a link, not a regular file")
    assert list(outside.iterdir()) == []


# --- batch --out --------------------------------------------------------------------------------


def test_a_reports_link_in_out_is_refused_before_screening(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "reports").symlink_to(outside)
    refused(invoke("batch", GOOD, "--out", out, *AS_OF), f"{out / 'reports'}: is a link")
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["reports"]


@pytest.mark.parametrize("name", [*batch.FIXED_OUTPUTS, batch.JOURNAL])
def test_a_folder_or_link_where_an_output_goes_is_refused(tmp_path, name):
    out = tmp_path / "out"
    out.mkdir()
    (out / name).mkdir()
    refused(invoke("batch", GOOD, "--out", out, *AS_OF), f"{out / name}: is a folder")
    (out / name).rmdir()
    (out / name).symlink_to(tmp_path / "elsewhere")
    refused(invoke("batch", GOOD, "--out", out, *AS_OF), f"{out / name}: is a link")
    assert not (tmp_path / "elsewhere").exists()


def test_a_report_name_taken_by_a_link_stops_the_run_cleanly(tmp_path):
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    (out / "reports" / "BE-2026-CONCEPT-MLI-03.html").symlink_to(tmp_path / "stolen.html")
    refused(invoke("batch", GOOD, "--out", out, *AS_OF), "it is a link, not a regular file")
    assert not (tmp_path / "stolen.html").exists()
    assert not (out / "results.jsonl").exists()


def test_two_batches_into_one_out_are_locked_against_each_other(tmp_path):
    fcntl = pytest.importorskip("fcntl")  # no flock on Windows, and no lock there
    out = tmp_path / "out"
    out.mkdir()
    with open(out / batch.LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        refused(
            invoke("batch", GOOD, "--out", out, *AS_OF),
            f"{out}: another pcd-screen run is writing to this folder",
        )
        assert not (out / "results.jsonl").exists()
    result = invoke("batch", GOOD, "--out", out, *AS_OF)
    assert result.exit_code == 0, result.output
    assert not (out / batch.LOCK).exists()  # removed by the run that held it


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(tmp_path):
    out = tmp_path / "out"
    (out / "reports").mkdir(parents=True)
    left = [out / ".results.k1x2y3z4.tmp", out / ".summary.abcdefgh.tmp"]
    left.append(out / ".portfolio.q1w2e3r4.tmp")  # the workbook, made as results arrive
    left += [out / "reports" / ".P-1.html.abc_efgh.tmp", out / ".portfolio.md.x1y2z3w4.tmp"]
    for path in left:
        path.write_text("half")
    mine = out / ".my-notes.tmp"  # not a name a run makes: left alone
    mine.write_text("mine")
    result = invoke("batch", GOOD, "--out", out, *AS_OF)
    assert result.exit_code == 0, result.output
    assert [p for p in out.rglob("*.tmp")] == [mine]


# --- --resume -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stopped(tmp_path_factory):
    """An export and the output folder of a run interrupted after two chunks."""
    from test_batch import iati_export

    folder = tmp_path_factory.mktemp("resume")
    source = iati_export(folder / "export.xml", 100)
    out = folder / "out"
    real, calls = batch.screen_task, []

    def interrupted(task):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(task)
        return real(task)

    batch.screen_task = interrupted
    try:
        result = invoke("batch", source, "--out", out, "--no-reports", *AS_OF)
    finally:
        batch.screen_task = real
    assert result.exit_code == 2 and "--resume" in result.output
    complete = folder / "complete"
    assert invoke("batch", source, "--out", complete, "--no-reports", *AS_OF).exit_code == 0
    return source, out, complete


def _cuts(last: bytes) -> list[int]:
    """Where to cut the journal's last record: inside a UTF-8 character, a number, a key."""
    cuts = [1, len(last) // 2, len(last) - 2]
    multibyte = [i for i, b in enumerate(last) if b >= 0xC0]
    cuts += [i + 1 for i in multibyte[:1]]
    digits = [i for i in range(1, len(last)) if last[i - 1 : i + 1].isdigit()]
    return cuts + digits[:1]


def test_resume_tolerates_any_cut_in_the_journals_last_record(stopped, tmp_path):
    source, out, complete = stopped
    journal = (out / batch.JOURNAL).read_bytes()
    head, last = journal.rstrip(b"\n").rsplit(b"\n", 1)
    # A record with text that is not ASCII, so that a cut can fall inside a character.
    last = last.replace(b'"errors": []', '"errors": ["Santé é"]'.encode())
    for cut in _cuts(last) + [-1]:
        copy = tmp_path / f"cut{cut}"
        shutil.copytree(out, copy)
        cut_record = last[:cut] if cut >= 0 else b'{"key": ["\xc3'
        (copy / batch.JOURNAL).write_bytes(head + b"\n" + cut_record)
        result = invoke("batch", source, "--out", copy, "--no-reports", "--resume", *AS_OF)
        assert result.exit_code == 0, (cut, result.output)
        for name in ("results.jsonl", "summary.csv"):
            assert (copy / name).read_bytes() == (complete / name).read_bytes(), (cut, name)


@pytest.mark.parametrize(
    "record",
    [b"[]", b"5", b'{"key": 5}', b'{"key": ["x", 0], "outputs": [5], "errors": []}', b"[" * 10**5],
)
def test_resume_replays_no_record_of_the_wrong_shape(stopped, tmp_path, record):
    source, out, complete = stopped
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with open(copy / batch.JOURNAL, "ab") as journal:
        journal.write(record + b"\n")
    result = invoke("batch", source, "--out", copy, "--no-reports", "--resume", *AS_OF)
    assert result.exit_code == 0, result.output
    assert (copy / "results.jsonl").read_bytes() == (complete / "results.jsonl").read_bytes()
