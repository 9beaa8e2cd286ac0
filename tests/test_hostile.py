"""Hostile input through the real command line: every case exits 2 (or skips the bad input and
says so), names the file (and line and field where there is one), prints no traceback, writes
no partial output and finishes at once. The module tests (test_yamlload, test_iati,
test_csvimport, test_discover, test_batch) measure time and memory of the same cases."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, REPO
from pcd_screen.commands import cli

AS_OF = ["--as-of", "2026-11-23"]
IATI = REPO / "tests" / "fixtures" / "iati"
PROPOSAL = "schema_version: 1\nid: P-1\ntitle: A project\n"

LAUGHS = "\n".join(
    ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
)

# file name -> (bytes, what the error says, the line it names)
HOSTILE_YAML = {
    "laughs.yaml": (LAUGHS.encode(), "aliases repeat more than 10000 values", 1),
    "deep.yaml": (b"a: " + b"[" * 500_000 + b"]" * 500_000, "nest", 1),
    "wide.yaml": (b"a: [" + b"1," * 250_000 + b"]", "document has too many values", 1),
    "nul.yaml": (PROPOSAL.encode() + b"summary: a\x00b\n", "file contains NUL bytes", 4),
    "latin1.yaml": (PROPOSAL.encode() + "summary: Santé\n".encode("latin-1"), "UTF-8", 4),
    "utf16-no-bom.yaml": (PROPOSAL.encode("utf-16-le"), "need a byte-order mark", 1),
    "control.yaml": (PROPOSAL.encode() + b"summary: a\x1bb\n", "U+001B is not allowed", 4),
    "object.yaml": (
        PROPOSAL.encode() + b"summary: !!python/object/apply:os.system ['touch PWNED']\n",
        "summary: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
        4,
    ),
    "name.yaml": (
        PROPOSAL.encode() + b"summary: !!python/name:os.system\n",
        "summary: tag 'tag:yaml.org,2002:python/name:os.system' is not allowed",
        4,
    ),
    # Python refuses to print an integer of more than 4,300 digits; a hex literal made one. A
    # plain value that long is text now (as a title it is screened: see below).
    "hexint.yaml": (
        PROPOSAL.encode() + b"budget: {total: 0x" + b"f" * 4000 + b"}\n",
        "budget.total: expected a number, got text '0xfff",
        4,
    ),
    "tagged-int.yaml": (
        PROPOSAL.encode() + b"x-n: !!int 0x" + b"f" * 4000 + b"\n",
        "x-n: a number of 4002 characters is too long (at most 100)",
        4,
    ),
    "hexkey.yaml": (
        PROPOSAL.encode() + b"? 0x" + b"f" * 4000 + b"\n: 1\n",
        "unknown field '0xffff",
        4,
    ),
    # A base-60 integer (YAML 1.1) took quadratic time to convert: 17 s for these 400,000 parts.
    "base60.yaml": (
        PROPOSAL.encode() + b"notes: 1" + b":0" * 400_000 + b"\n",
        "notes: unknown field 'notes'",
        4,
    ),
}


def invoke(*args, cwd: Path | None = None):
    # CPU time of this process: the bounds below are on the work done, with a wide margin,
    # not a speed test (other processes may be running)
    start = time.process_time()
    if cwd is not None:
        old = Path.cwd()
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, [str(a) for a in args])
    finally:
        if cwd is not None:
            os.chdir(old)
    result.seconds = time.process_time() - start
    return result


def refused(result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    for text in expected:
        assert text in result.output, result.output
    assert result.seconds < 20, result.seconds


@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
def test_hostile_proposal_files_are_refused(tmp_path, name):
    raw, message, line = HOSTILE_YAML[name]
    path = tmp_path / name
    path.write_bytes(raw)
    report = tmp_path / "report.html"
    result = invoke("screen", path, "-f", "html", "-o", report, *AS_OF, cwd=tmp_path)
    refused(result, f"{path}:{line}:", message)
    assert not report.exists()  # no partial report
    assert not (tmp_path / "PWNED").exists()  # the tag was never run
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_deep_nesting_in_a_real_process(tmp_path):
    # Past ~20,000 levels the C composer used to overflow the stack: a segfault (exit -11).
    path = tmp_path / "deep.yaml"
    path.write_bytes(b"a: " + b"[" * 1_000_000 + b"]" * 1_000_000 + b"\n")
    run = subprocess.run(
        [sys.executable, "-m", "pcd_screen", "screen", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"{path}:1:") and "nest" in run.stderr


def test_utf16_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "utf16.yaml"
    path.write_bytes(PROPOSAL.encode("utf-16"))
    result = invoke("screen", path, *AS_OF, "--fail-on", "never")
    assert result.exit_code == 0, result.output
    assert "P-1" in result.output


def test_the_size_limit_from_a_flag_and_from_the_config(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(PROPOSAL + "summary: " + "x" * 2000 + "\n")
    hint = "(raise it with --max-file-size or the max_file_size setting)"
    refused(
        invoke("screen", path, "--max-file-size", "1 KB", cwd=tmp_path),
        f"{path}: (document): file is larger than the limit of 1000 bytes {hint}",
    )
    (tmp_path / ".git").mkdir()
    (tmp_path / ".pcd-screen.yaml").write_text("max_file_size: 1 KiB\n")
    refused(invoke("screen", "p.yaml", cwd=tmp_path), "larger than the limit of 1024 bytes")
    # a flag wins over the file
    result = invoke("screen", "p.yaml", "--max-file-size", "1MB", "--fail-on=never", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    refused(invoke("screen", path, "--max-file-size", "lots"), "'lots' is not a size")


def test_the_default_size_limit(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(PROPOSAL + "summary: " + "x" * (5 * 1024 * 1024) + "\n")
    refused(invoke("screen", path), "larger than the limit of 5242880 bytes")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_never_blocks_a_command(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    refused(invoke("screen", fifo), "pipe.yaml: not a regular file")
    refused(invoke("screen", EXAMPLES / "sparse-proposal.yaml", "--config", fifo), "FIFO")
    refused(invoke("screen", EXAMPLES / "sparse-proposal.yaml", "--waivers", fifo), "pipe.yaml")
    csv_fifo, xml_fifo = tmp_path / "pipe.csv", tmp_path / "pipe.xml"
    os.mkfifo(csv_fifo)
    os.mkfifo(xml_fifo)
    refused(invoke("import", "csv", csv_fifo, "--out", tmp_path / "c"), "FIFO")
    refused(invoke("import", "iati", xml_fifo, "--out", tmp_path / "i"), "FIFO")
    refused(invoke("batch", csv_fifo, "--out", tmp_path / "b"), "not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_every_file_a_command_reads_refuses_a_fifo_naming_it(tmp_path):
    """Each user-given file goes through the one safe opener (yamlread.open_input); these
    commands used to block on a FIFO, or to call it "not found"."""
    pipe = {}
    for name in ("proposal.docx", "sheet.csv", "map.yaml", "results.jsonl", "r.yaml", "t.md.j2"):
        pipe[name] = tmp_path / name
        os.mkfifo(pipe[name])
    good_csv = tmp_path / "good.csv"
    good_csv.write_text("id,title\nP-1,A project\n", encoding="utf-8")
    fifo = "FIFO (named pipe), not a regular file"
    refused(invoke("draft", pipe["proposal.docx"]), f"proposal.docx: cannot read: it is a {fifo}")
    refused(
        invoke("review", pipe["sheet.csv"]), f"sheet.csv: (file): cannot read file: it is a {fifo}"
    )
    out = tmp_path / "out"
    refused(
        invoke("import", "csv", good_csv, "--out", out, "--map-file", pipe["map.yaml"]),
        f"map.yaml: (document): cannot read file: it is a {fifo}",
    )
    refused(
        invoke("import", "csv", pipe["sheet.csv"], "--out", out, "--save-map", tmp_path / "m.yaml"),
        "sheet.csv: (file): cannot read file",
    )
    assert not (tmp_path / "m.yaml").exists() and not out.exists()
    run = tmp_path / "run"
    run.mkdir()
    os.mkfifo(run / "results.jsonl")
    refused(invoke("diff", run, run), f"results.jsonl: cannot read: it is a {fifo}")
    rules = tmp_path / "rules"
    rules.mkdir()
    os.mkfifo(rules / "org.yaml")  # the folder's only rule file: it was silently left out
    sparse = EXAMPLES / "sparse-proposal.yaml"
    refused(
        invoke("screen", sparse, "--rules", rules),
        f"org.yaml: (document): cannot read file: it is a {fifo}",
    )
    refused(invoke("screen", sparse, "--waivers", pipe["r.yaml"]), f"r.yaml: it is a {fifo}")
    refused(
        invoke("screen", sparse, "--template", pipe["t.md.j2"], "--format", "md"),
        f"t.md.j2: it is a {fifo}",
    )


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_behind_a_harmless_name_is_refused(tmp_path):
    link = tmp_path / "proposal.yaml"
    link.symlink_to("/dev/zero")
    refused(invoke("screen", link), "not a regular file")
    csv_link = tmp_path / "export.csv"
    csv_link.symlink_to("/dev/zero")
    refused(invoke("import", "csv", csv_link, "--out", tmp_path / "out"), "it is a device")


# --- IATI --------------------------------------------------------------------------------------


def test_a_huge_hex_integer_as_a_title_is_text_and_screened(tmp_path):
    # `title: 0xfff…` (4,000 digits) crashed screen with ValueError when the title was printed.
    path = tmp_path / "x.yaml"
    path.write_text("schema_version: 1\nid: P-1\ntitle: 0x" + "f" * 4000 + "\n")
    result = invoke("screen", path, *AS_OF)
    assert result.exit_code in (0, 1), result.output
    assert "PCD screening: P-1 — 0xffff" in result.output
    assert result.seconds < 20


def test_a_huge_integer_as_a_rule_id_is_refused(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.yaml").write_text("rules:\n  - id: 0x" + "f" * 4000 + "\n")
    (tmp_path / "p.yaml").write_text(PROPOSAL)
    result = invoke("screen", tmp_path / "p.yaml", "--rules", rules, *AS_OF)
    refused(result, "mine.yaml:2:")
    assert len(result.output) < 5000
    tagged = rules / "mine.yaml"
    tagged.write_text("rules:\n  - id: !!int 0x" + "f" * 4000 + "\n")
    result = invoke("screen", tmp_path / "p.yaml", "--rules", rules, *AS_OF)
    refused(result, "mine.yaml:2:", "a number of 4002 characters is too long")


def test_a_huge_number_in_an_iati_value_is_cut_in_its_message(tmp_path):
    path = tmp_path / "big.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity default-currency="EUR">'
        "<iati-identifier>XM-1</iati-identifier><title><narrative>T</narrative></title>"
        f'<budget type="1"><value>{"9" * 5000}</value></budget>'
        "</iati-activity></iati-activities>\n"
    )
    out = tmp_path / "out"
    result = invoke("import", "iati", path, "--out", out)
    # The activity is kept; the bad value is left out and recorded, cut, for the data-quality rule.
    assert result.exit_code == 0, result.output
    written = (out / "XM-1.yaml").read_text(encoding="utf-8")
    assert "budget value: ''999" in written and "(5000 characters)" in written
    assert "9" * 100 not in result.output and "9" * 100 not in written


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("hostile-billion-laughs.xml", "refused: EntitiesForbidden"),
        ("hostile-external-entity.xml", "refused: EntitiesForbidden"),
    ],
)
def test_hostile_iati_files_are_refused(tmp_path, name, message):
    out = tmp_path / "out"
    result = invoke("import", "iati", IATI / name, "--out", out)
    refused(result, f"{IATI / name}:", message, "0 proposals written")
    assert "root:" not in result.output  # nothing of /etc/passwd
    assert not out.exists() or not any(out.iterdir())


def test_an_external_dtd_is_ignored_and_a_huge_text_skips_its_activity(tmp_path):
    path = tmp_path / "mixed.xml"
    fine = (
        "<iati-activity><iati-identifier>XM-OK-{n}</iati-identifier>"
        "<title><narrative>Fine</narrative></title></iati-activity>\n"
    )
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE iati-activities SYSTEM "http://127.0.0.1:9/x.dtd">\n'
        '<iati-activities version="2.03">\n'
        + fine.format(n=1)
        + "<iati-activity><iati-identifier>XM-BIG</iati-identifier><title><narrative>"
        + "word " * 1000
        + "</narrative></title></iati-activity>\n"
        + fine.format(n=2)
        + "</iati-activities>\n"
    )
    out = tmp_path / "out"
    result = invoke("import", "iati", path, "--out", out, "--max-file-size", "4000")
    refused(
        result,
        f"{path}:5: activity 2 (XM-BIG): the text in <narrative> at line 5 is longer than the "
        "limit of 4000 characters",
        "2 proposals written",
    )
    assert sorted(p.name for p in out.iterdir()) == ["XM-OK-1.yaml", "XM-OK-2.yaml"]


# --- CSV ---------------------------------------------------------------------------------------


def test_a_csv_with_a_huge_cell_and_formulas(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "id,title,summary\n"
        "P1,\"=cmd|' /C calc'!A0\",@SUM(A1)\n"
        f"P2,Huge,{'x' * 200_000}\n"
        "P3,Fine,-2+3\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = invoke("import", "csv", path, "--out", out)
    refused(result, f"{path}:3: (row): a cell is longer than 131072 characters", "2 proposals")
    assert sorted(p.name for p in out.iterdir()) == ["P1.yaml", "P3.yaml"]
    batch = invoke("batch", path, "--out", tmp_path / "run", *AS_OF)
    assert batch.exit_code == 0, batch.output
    summary = (tmp_path / "run" / "summary.csv").read_text(encoding="utf-8")
    assert ",\"'=cmd|' /C calc'!A0\"," in summary  # shown as text by a spreadsheet


@pytest.mark.parametrize(
    ("header", "message"),
    [
        # One header cell over the csv module's limit of 131,072 characters stopped delimiter
        # detection with _csv.Error; so did 200,000 short columns (one cell for the other
        # delimiters).
        ("id,title," + "x" * 140_000, "cannot read the header row: field larger than field limit"),
        (",".join(f"c{n}" for n in range(200_000)), "the header row has 200000 columns"),
        (";".join(f"c{n}" for n in range(200_000)), "the header row has 200000 columns"),
    ],
)
def test_a_csv_with_a_wide_header_is_refused(tmp_path, header, message):
    path = tmp_path / "wide.csv"
    path.write_text(header + "\nP-1,t\n", encoding="utf-8")
    result = invoke("import", "csv", path, "--out", tmp_path / "out")
    refused(result, f"{path}:1: (file): {message}")
    good = tmp_path / "good.yaml"
    good.write_text(PROPOSAL)
    batch = invoke("batch", path, good, "--out", tmp_path / "run", *AS_OF)
    assert batch.exit_code == 0, batch.output
    assert f"{path}:1: (file): {message}" in batch.output
    assert "1 proposals screened, 1 inputs skipped" in batch.output


def test_a_csv_over_the_size_limit_writes_nothing(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("id,title\n" + "".join(f"P{n},Project {n}\n" for n in range(100)))
    out = tmp_path / "out"
    result = invoke("import", "csv", path, "--out", out, "--max-file-size", "1KB")
    refused(result, f"{path}: (file): file is larger than the limit of 1000 bytes")
    assert not out.exists()


# --- batch -------------------------------------------------------------------------------------


def test_a_batch_skips_and_reports_each_hostile_input(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, (raw, _message, _line) in HOSTILE_YAML.items():
        (inputs / name).write_bytes(raw)
    (inputs / "good.yaml").write_text(PROPOSAL)
    secret = tmp_path / "secret.yaml"
    secret.write_text("schema_version: 1\nid: SECRET\ntitle: s3cr3t\n")
    (inputs / "leak.yaml").symlink_to(secret)
    out = tmp_path / "out"
    result = invoke("batch", inputs, "--out", out, *AS_OF)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and result.seconds < 60
    for name, (_raw, message, line) in HOSTILE_YAML.items():
        assert f"{inputs / name}:{line}:" in result.output and message in result.output, name
    assert f"skipped: {inputs / 'leak.yaml'}: a link to {secret}, outside" in result.output
    assert f"1 proposals screened, {len(HOSTILE_YAML) + 1} inputs skipped" in result.output
    assert "SECRET" not in (out / "results.jsonl").read_text(encoding="utf-8")
    assert sorted(p.name for p in (out / "reports").iterdir()) == ["P-1.html", "P-1.md"]


def test_a_batch_of_only_bad_inputs_leaves_no_results(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(HOSTILE_YAML["laughs.yaml"][0])
    out = tmp_path / "out"
    refused(invoke("batch", bad, "--out", out), "no proposal could be screened")
    assert not out.exists()  # not even the folders it made
