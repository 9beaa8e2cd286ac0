"""Fuzz the IATI importer (what `pcd-screen import iati FILE` does with a file's bytes).

Every activity is read as a stream; errors come back as records, never as exceptions. The
property: nothing escapes iter_activities; no record is "cannot map" (the importer's catch-all
for its own bugs); every error record names the file; every imported proposal, written as the
CLI writes it (YAML), loads back through the proposal loader unchanged and screens and renders.

    python fuzz/fuzz_iati.py CORPUS_DIR [SEED_DIR ...] [libFuzzer flags]

See fuzz/README.md (make fuzz).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent))

with atheris.instrument_imports():
    import yaml
    from common import Screener, check_load_error, seed_files

    from pcd_screen.core.located import LoadError
    from pcd_screen.core.outputs import safe_name
    from pcd_screen.core.yamlread import load_text
    from pcd_screen.inputs.iati import ImportedActivity, iter_activities
    from pcd_screen.inputs.proposal import validate_document

    SCREENER = Screener()

NAME = "fuzzed.xml"
FILE = Path(tempfile.mkdtemp(prefix="pcd-fuzz-iati-")) / NAME


def import_file(path: Path, data: bytes = b"") -> int:
    """Import path and check every item; the number of activities imported."""
    imported, taken = 0, set()
    for item in iter_activities(path, "en", NAME):
        if not isinstance(item, ImportedActivity):
            assert str(item).startswith(NAME), item
            assert not item.message.startswith("cannot map"), item
            continue
        imported += 1
        safe_name(str(item.proposal["id"]), taken)
        text = yaml.safe_dump(item.proposal, sort_keys=False, allow_unicode=True, width=100)
        try:
            proposal = validate_document(load_text(text, "imported.yaml"))
        except LoadError as exc:
            check_load_error(exc, "imported.yaml")
            raise AssertionError(f"an imported proposal does not load back: {exc}") from None
        assert proposal.data == item.proposal, "the YAML written does not read back the same"
        SCREENER.screen_and_render(proposal, data)
    return imported


with atheris.instrument_imports():
    # One seed imported and screened here so that the modules imported lazily are instrumented.
    import_file(seed_files("iati")[0])


def test_one_input(data: bytes) -> None:
    FILE.write_bytes(data)
    import_file(FILE, data)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
