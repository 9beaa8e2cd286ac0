"""Fuzz the CSV importer (what `pcd-screen import csv FILE` and `batch` do with a file's bytes).

The file is decoded, its delimiter detected, its header mapped and each row converted and
validated. The property: nothing escapes read_csv (errors come back as InputError records,
each naming the file, and print); every proposal it yields validates again unchanged and
screens and renders.

    python fuzz/fuzz_csv.py CORPUS_DIR [SEED_DIR ...] [libFuzzer flags]

See fuzz/README.md (make fuzz).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports():
    from common import Screener, seed_files

    from pcd_screen.core.located import InputError
    from pcd_screen.inputs.csvtable import read_csv
    from pcd_screen.inputs.proposal import proposal_from_data

    SCREENER = Screener()

NAME = "fuzzed.csv"
FILE = Path(tempfile.mkdtemp(prefix="pcd-fuzz-csv-")) / NAME


def import_file(path: Path, data: bytes = b"") -> int:
    imported = 0
    for item in read_csv(path, NAME):
        if isinstance(item, InputError):
            assert str(item).startswith(NAME), item
            assert len(str(item)) < 5000, "an error message echoes a whole value"
            continue
        imported += 1
        proposal = proposal_from_data(item, NAME)
        assert proposal.data == item
        SCREENER.screen_and_render(proposal, data)
    return imported


with atheris.instrument_imports():
    for seed in seed_files("csv"):  # the modules imported lazily are instrumented too
        import_file(seed)


def test_one_input(data: bytes) -> None:
    FILE.write_bytes(data)
    import_file(FILE, data)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
