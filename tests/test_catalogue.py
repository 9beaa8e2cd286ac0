import csv
import io

import pytest

from conftest import REPO
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.reports.catalogue import FORMATS, render_catalogue


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_published_catalogue_is_current(fmt):
    """Regenerate with: pcd-screen rules doc"""
    committed = (REPO / "docs" / "catalogue" / FORMATS[fmt]).read_text(encoding="utf-8")
    assert render_catalogue(load_ruleset(), fmt) == committed


def test_catalogue_lists_every_rule_with_its_condition_and_sources():
    ruleset = load_ruleset()
    rows = list(csv.DictReader(io.StringIO(render_catalogue(ruleset, "csv"))))
    assert [row["id"] for row in rows] == sorted(
        (r.id for r in ruleset.rules), key=[row["id"] for row in rows].index
    )
    assert {row["id"] for row in rows} == {r.id for r in ruleset.rules}
    assert all(row["condition"] and row["sources"] for row in rows)
    html = render_catalogue(ruleset, "html", "fr")
    assert "Catalogue des règles de pcd-screen" in html and "default-src 'none'" in html
