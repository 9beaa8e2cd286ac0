#!/usr/bin/env python3
"""Derive pcd_screen/data/iati_tables.json from the official IATI codelists.

Inputs (in the shared data folder, iati-codelists/): OrganisationType.xml, Region.xml,
ConditionType.xml, SectorCategory.xml, AidType.xml, Currency.xml (ISO 4217, as IATI replicates
it; IATI-Codelists-NonEmbedded master) and OrganisationRole.xml (IATI-Codelists version-2.03).
Only codes, English/French names and the withdrawn status are kept; descriptions are not
copied. Country codes need no table here: the importer maps ISO alpha-2 to alpha-3 with
pycountry's data, as refdata does.

Usage: python scripts/derive_iati_tables.py [SHARED_DATA_DIR] [--out PATH]
SHARED_DATA_DIR defaults to ../shared/data relative to the repository root. The output is
deterministic: same inputs, same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import xml.etree.ElementTree as ET  # the inputs are trusted, pinned copies
from pathlib import Path

from codelists import DEFAULT_SHARED, REPO_ROOT, item_names, read_date  # scripts/codelists.py

DEFAULT_OUT = REPO_ROOT / "pcd_screen" / "data" / "iati_tables.json"

# Commits of the copies, as recorded in shared/data/iati-codelists/PROVENANCE.md.
NON_EMBEDDED = (
    "IATI/IATI-Codelists-NonEmbedded",
    "master",
    "7aeece773c60afa0265eb95e988d5e61e96d8482",
)
EMBEDDED = ("IATI/IATI-Codelists", "version-2.03", "75e827bacd29f77356cb43defbc0b655705432f3")
# table name in the output -> (codelist file, repository it comes from)
TABLES = {
    "organisation_types": ("OrganisationType", NON_EMBEDDED),
    "organisation_roles": ("OrganisationRole", EMBEDDED),
    "regions": ("Region", NON_EMBEDDED),
    "condition_types": ("ConditionType", NON_EMBEDDED),
    "sector_categories": ("SectorCategory", NON_EMBEDDED),
    "aid_types": ("AidType", NON_EMBEDDED),
    # The importer leaves a currency outside it unconverted, as a problem of the activity.
    "currencies": ("Currency", NON_EMBEDDED),
}


def read_codelist(path: Path) -> dict[str, dict]:
    items = {}
    for item in ET.parse(path).getroot().iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        names = item_names(item)
        entry = {"en": names.get("en", "")}
        if names.get("fr"):
            entry["fr"] = names["fr"]
        if item.get("status") == "withdrawn":
            entry["withdrawn"] = True
        items[code] = entry
    return dict(sorted(items.items(), key=lambda kv: (len(kv[0]), kv[0])))


def render(shared: Path) -> str:
    folder = shared / "iati-codelists"
    sources = []
    tables = {}
    for table, (name, (repo, branch, commit)) in TABLES.items():
        path = folder / f"{name}.xml"
        tables[table] = read_codelist(path)
        sources.append(
            {
                "codelist": name,
                "repository": repo,
                "branch": branch,
                "commit": commit,
                "path": f"xml/{name}.xml",
                "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            }
        )
    document = {
        "_comment": "Derived by scripts/derive_iati_tables.py; do not edit by hand.",
        "attribution": "IATI Standard (http://iatistandard.org/), CC BY 4.0",
        "read": read_date(shared),
        "sources": sources,
        **tables,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", nargs="?", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    missing = [
        name
        for name, _repo in TABLES.values()
        if not (args.shared / "iati-codelists" / f"{name}.xml").is_file()
    ]
    if missing:
        print(f"missing under {args.shared}/iati-codelists: {', '.join(missing)}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(args.shared), encoding="utf-8", newline="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
