"""Reading the official IATI codelist XML copies in the shared data folder (trusted, pinned)."""

from __future__ import annotations

import re
from pathlib import Path

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO_ROOT.parent / "shared" / "data"  # where the copies are read by default


def item_names(item) -> dict[str, str]:
    """language -> name of one <codelist-item>, whitespace collapsed (first one per language)."""
    names: dict[str, str] = {}
    name = item.find("name")
    for narrative in name.findall("narrative") if name is not None else ():
        names.setdefault(narrative.get(XML_LANG, "en"), " ".join((narrative.text or "").split()))
    return names


def read_date(shared: Path) -> str:
    """The date the codelists were copied, from their PROVENANCE.md."""
    text = (shared / "iati-codelists" / "PROVENANCE.md").read_text(encoding="utf-8")
    found = re.search(r"on (\d{4}-\d{2}-\d{2})", text)
    return found.group(1) if found else "unknown"
