"""Mutated inputs through the real CLI: the CI-sized companion of the atheris targets in fuzz/.

Each seed (the examples, the IATI fixtures, and what fuzzing found, checked in under
fuzz/corpus/) is mutated deterministically: bytes flipped, the file cut short, NUL, BOMs, `&`,
`<!ENTITY`, aliases and tags inserted, lines (nodes) duplicated, dropped or swapped, numbers and
dates made impossible, nesting made deep. Whatever comes in, `pcd-screen` must exit 0, 1 or 2,
name the file when it exits 2, and never show a traceback.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EXAMPLES, REPO
from pcd_screen.commands import cli

FUZZ_CORPUS = REPO / "fuzz" / "corpus"
YAML_SEEDS = sorted(
    [
        *EXAMPLES.glob("*.yaml"),
        *(EXAMPLES / "ci-repo" / "proposals").rglob("*.yaml"),
        *(FUZZ_CORPUS / "yaml").glob("*"),
    ]
)
IATI_SEEDS = sorted(
    [*(REPO / "tests" / "fixtures" / "iati").glob("*.xml"), *(FUZZ_CORPUS / "iati").glob("*")]
)
CSV_SEEDS = sorted((FUZZ_CORPUS / "csv").glob("*"))
MUTATIONS = 12

INSERTS = [
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xff",
    b"&",
    b"&a ",
    b"*a ",
    b"<<: ",
    b"<!ENTITY e SYSTEM 'file:///etc/passwd'>",
    b'<!DOCTYPE d [<!ENTITY e "eeeeeeeeee">]>',
    b"&e;",
    b"!!python/object/apply:os.system ['true'] ",
    b"!!binary ",
    b"{",
    b"[",
    b"]",
    b"\n- ",
    b": ",
    b"'",
    b'"',
    b"\t",
    b".nan",
    b"-.inf",
    b"2026-02-30",
    b"9" * 5000,
    b"0x" + b"f" * 4000,  # an integer Python refuses to print
    b"? 0x" + b"f" * 4000 + b"\n: ",
    b"1" + b":0" * 3000,  # base 60: quadratic to convert
    b"," * 2000,
    b";" + b"x" * 140_000,  # a cell over the csv module's limit
    b"\xc3\x28",
    b"]]>",
    b"</iati-activity>",
    b"<iati-activity>",
    "é\u2028\u0085".encode(),
]


def mutate(raw: bytes, rng: random.Random) -> bytes:
    """One deterministic mutation of raw; the rng is seeded from the seed's name."""
    lines = raw.splitlines(keepends=True) or [raw]
    kind = rng.randrange(10)
    at = rng.randrange(len(raw) + 1)
    if kind == 0:  # flip a byte
        if not raw:
            return b"\xff"
        at = min(at, len(raw) - 1)
        return raw[:at] + bytes([raw[at] ^ rng.randrange(1, 256)]) + raw[at + 1 :]
    if kind == 1:  # cut short
        return raw[:at]
    if kind in (2, 3):  # insert something hostile or confusing
        return raw[:at] + rng.choice(INSERTS) + raw[at:]
    i = rng.randrange(len(lines))
    j = rng.randrange(i, min(i + 8, len(lines)) + 1)
    if kind == 4:  # duplicate a line or a block of lines (nodes, keys, elements)
        return b"".join(lines[:j] + lines[i:j] + lines[j:])
    if kind == 5:  # drop a block of lines
        return b"".join(lines[:i] + lines[j:])
    if kind == 6:  # swap two lines
        k = rng.randrange(len(lines))
        lines[i], lines[k] = lines[k], lines[i]
        return b"".join(lines)
    if kind == 7:  # an impossible number or date
        found = list(re.finditer(rb"\d+(\.\d+)?(-\d\d-\d\d)?", raw))
        if not found:
            return raw + b"\n1e999\n"
        match = rng.choice(found)
        new = rng.choice([b"1e999", b".inf", b"-1", b"9" * 400, b"2026-13-45", b"0x1F", b"1_0"])
        return raw[: match.start()] + new + raw[match.end() :]
    if kind == 8:  # deep nesting
        depth = rng.choice([70, 3000, 60_000])
        return raw[:at] + b"[" * depth + raw[at:]
    # re-encoded: a BOM and UTF-16, or Latin-1 with its accents
    text = raw.decode("utf-8", "replace")
    return text.encode("utf-16") if rng.random() < 0.5 else text.encode("latin-1", "replace")


def mutants(seed: Path, folder: Path, suffix: str) -> list[Path]:
    rng = random.Random(seed.name)  # the same mutations on every run and machine
    raw = seed.read_bytes()
    paths = []
    for index in range(MUTATIONS):
        path = folder / f"{seed.stem}-m{index:02d}{suffix}"
        path.write_bytes(mutate(raw, rng))
        paths.append(path)
    return paths


def invoke(args: list[str]):
    result = CliRunner().invoke(cli, args)
    # CliRunner turns an uncaught exception into exit code 1: that must not pass as "findings".
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: uncaught {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output, (args, result.output)
    return result


def check_screen(path: Path) -> int:
    result = invoke(["screen", str(path), "--as-of", "2026-11-23", "--format", "text"])
    if result.exit_code == 2:
        assert str(path) in result.output, result.output  # every problem names the file
    return result.exit_code


@pytest.fixture(autouse=True)
def _no_config_from_here(tmp_path, monkeypatch):
    # `screen` looks for .pcd-screen.yaml upward from the working directory.
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("seed", YAML_SEEDS, ids=lambda p: str(p.relative_to(REPO)))
def test_mutated_proposals_exit_cleanly(seed, tmp_path):
    for path in [seed, *mutants(seed, tmp_path, seed.suffix)]:
        check_screen(path)


def check_import(path: Path, out: Path, kind: str = "iati") -> int:
    result = invoke(["import", kind, str(path), "--out", str(out)])
    assert result.exit_code in (0, 2), result.output
    for line in result.output.splitlines():
        if "proposals written to" not in line:
            assert line.startswith(str(path)), line  # every error line names the file
    assert "cannot map" not in result.output, result.output  # the importer's catch-all for bugs
    written = sorted(out.glob("*.yaml"))
    if written:
        # What the importer writes must screen: exit 0 or 1, never 2.
        screened = invoke(["screen", *map(str, written), "--as-of", "2026-11-23"])
        assert screened.exit_code in (0, 1), screened.output
    return result.exit_code


@pytest.mark.parametrize("seed", IATI_SEEDS, ids=lambda p: str(p.relative_to(REPO)))
def test_mutated_iati_files_import_cleanly(seed, tmp_path):
    for index, path in enumerate([seed, *mutants(seed, tmp_path, ".xml")]):
        check_import(path, tmp_path / f"out-{index}")


@pytest.mark.parametrize("seed", CSV_SEEDS, ids=lambda p: str(p.relative_to(REPO)))
def test_mutated_csv_files_import_cleanly(seed, tmp_path):
    for index, path in enumerate([seed, *mutants(seed, tmp_path, ".csv")]):
        check_import(path, tmp_path / f"out-{index}", "csv")


def test_the_installed_command_on_a_sample(tmp_path):
    """The real entry point in a process of its own, where a crash of C code (a segfault in
    libyaml, say) shows as a negative exit status instead of taking pytest down with it."""
    files = [p for seed in YAML_SEEDS[:3] for p in mutants(seed, tmp_path, seed.suffix)]
    deep = tmp_path / "deep.yaml"
    deep.write_bytes(b"- " * 60_000 + b"x\n")
    files.append(deep)
    proc = subprocess.run(
        [sys.executable, "-m", "pcd_screen", "screen", *map(str, files), "--as-of", "2026-11-23"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr  # some mutants are refused, so the run fails
    assert "Traceback" not in proc.stdout + proc.stderr
    assert f"{deep}:1:" in proc.stderr and "nested too deeply" in proc.stderr


def test_the_fuzz_targets_screening_step_runs_on_an_example():
    """The targets' shared step (fuzz/common.py) keeps up with the code it calls; atheris
    itself is not needed for this."""
    import importlib.util

    from pcd_screen.inputs.proposal import load_proposal

    spec = importlib.util.spec_from_file_location("fuzz_common", REPO / "fuzz" / "common.py")
    common = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(common)
    proposal = load_proposal(EXAMPLES / "border-control-transit-niger.yaml")
    common.Screener().screen_and_render(proposal)  # no input bytes: every format, checked
    assert common.seed_files("yaml") and common.seed_files("iati")
