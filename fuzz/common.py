"""What both fuzz targets share: the seed corpus, the screening and the property checks.

Kept free of atheris so that it can be read and run without it.
"""

from __future__ import annotations

import json
import shutil
import sys
import xml.etree.ElementTree as ET
import zlib
from datetime import date
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
SHARED = REPO.parent / "shared"
AS_OF = date(2026, 11, 23)

# Seeds: every proposal and IATI file the project ships or tests with, the public IATI
# examples in ../shared when present, and what earlier runs found (fuzz/corpus/, checked in).
SEEDS = {
    "yaml": [
        (REPO / "examples", "*.yaml"),
        (REPO / "examples" / "ci-repo" / "proposals", "**/*.yaml"),
        (REPO / "pcd_screen" / "data", "proposal-template.yaml"),
        (FUZZ / "corpus" / "yaml", "*"),
    ],
    "iati": [
        (REPO / "tests" / "fixtures" / "iati", "*.xml"),
        (SHARED / "data" / "iati-examples", "*.xml"),
        (FUZZ / "corpus" / "iati", "*"),
    ],
    "csv": [
        (FUZZ / "corpus" / "csv", "*"),
    ],
}


def seed_files(kind: str) -> list[Path]:
    found = {p for folder, pattern in SEEDS[kind] for p in folder.glob(pattern) if p.is_file()}
    return sorted(p for p in found if p.name != "README.md")


def build_seeds(kind: str, folder: Path) -> int:
    """Copy the seeds of one target into folder (libFuzzer reads a folder of files)."""
    shutil.rmtree(folder, ignore_errors=True)  # no seed left over from an earlier list
    folder.mkdir(parents=True)
    files = seed_files(kind)
    for index, path in enumerate(files):
        shutil.copyfile(path, folder / f"{index:03d}-{path.name}")
    return len(files)


class Screener:
    """The catalogue and reference data, loaded once, and what `screen` does with a proposal."""

    def __init__(self):
        from pcd_screen.engine.refdata import load_refdata
        from pcd_screen.engine.ruleset import load_ruleset

        self.ruleset = load_ruleset()
        self.refdata = load_refdata()

    def screen_and_render(self, proposal, data: bytes = b"") -> None:
        """Screen the proposal; render it in every format for one input in eight (chosen by
        its bytes, so the same input always takes the same path): rendering is most of the
        time of a run, and the loader and importer are what is fuzzed."""
        from pcd_screen.engine.evaluate import evaluate
        from pcd_screen.reports import FORMATS, render
        from pcd_screen.reports.common import Run

        result = evaluate(proposal, self.ruleset, self.refdata, AS_OF)
        if data and zlib.crc32(data) % 8:
            return
        for fmt in FORMATS:  # every registered format but pdf: the html report set by WeasyPrint
            if fmt == "pdf":  # (seconds per input; tests/test_forwardable.py renders it)
                continue
            text = render(fmt, [result], Run(), "en", False)
            check_rendered(fmt, text)


def check_rendered(fmt: str, text: str) -> None:
    assert isinstance(text, str), fmt
    assert text or fmt == "github", fmt  # no annotation to make is an empty output
    if fmt in ("json", "sarif"):
        # Strict JSON: NaN and Infinity are not JSON, whatever Python's json module accepts.
        json.loads(text, parse_constant=_refuse_constant)
    elif fmt == "junit":
        ET.fromstring(text.encode("utf-8"))


def _refuse_constant(name):
    raise AssertionError(f"{name} in a JSON report")


def check_load_error(exc, name: str) -> None:
    """A refused input: at least one problem, each naming the file."""
    assert exc.errors, "LoadError without errors"
    for error in exc.errors:
        assert error.file == name, error
        assert str(error).startswith(name), error


if __name__ == "__main__":
    # python fuzz/common.py KIND FOLDER: write the seed corpus of one target (make fuzz does).
    kind, folder = sys.argv[1], Path(sys.argv[2])
    print(f"{build_seeds(kind, folder)} {kind} seeds in {folder}")
