"""Files generated from the sources of truth are current (each script has a --check mode)."""

import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.parametrize(
    ("script", "what"),
    [
        ("make_example_reports.py", "examples/reports/ (make reports)"),
        ("gen_docs.py", "the generated reference in docs/rules.md"),
        ("compile_data.py", "pcd_screen/data/compiled.bin (make data)"),
        ("gen_fastcheck.py", "pcd_screen/_proposal_fastcheck.py"),
        ("i18n.py", "the nl/fr report-string catalogs (make i18n)"),
        ("gen_schema_terms.py", "the schemas' enums and format pattern (make docs)"),
    ],
)
def test_generated_file_is_current(script, what):
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / script), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"{what} is out of date:\n{proc.stderr}"
