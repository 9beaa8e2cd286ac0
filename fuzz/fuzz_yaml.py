"""Fuzz what `pcd-screen screen FILE` does with a file's bytes (atheris, coverage-guided).

Read, decode, parse and validate the file as load_proposal does; a proposal that passes is
screened with the whole catalogue and rendered in every format. The property: the only
exception that may escape is LoadError, naming the file in every problem; every report renders
(JSON and SARIF strict JSON, JUnit well-formed XML). Anything else is a finding.

    python fuzz/fuzz_yaml.py CORPUS_DIR [SEED_DIR ...] [libFuzzer flags]

See fuzz/README.md (make fuzz).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports():
    from common import Screener, check_load_error, seed_files

    from pcd_screen.core.located import LoadError
    from pcd_screen.inputs.proposal import load_proposal

    SCREENER = Screener()
    # Screen one seed here so that the modules imported lazily are instrumented too.
    SCREENER.screen_and_render(load_proposal(seed_files("yaml")[0]))

NAME = "fuzzed.yaml"
FILE = Path(tempfile.mkdtemp(prefix="pcd-fuzz-yaml-")) / NAME


def test_one_input(data: bytes) -> None:
    FILE.write_bytes(data)
    try:
        proposal = load_proposal(FILE, NAME)
    except LoadError as exc:
        check_load_error(exc, NAME)
        return
    SCREENER.screen_and_render(proposal, data)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
