#!/usr/bin/env python3
"""Derive pcd_screen/data/purpose_codes.csv from the IATI DAC sector codelists.

Inputs (in the shared data folder): iati-codelists/Sector.xml (master, DAC changes up to 2023) and
iati-codelists/latest-dac/Sector.xml (OECD lists of 2026-06-04, with <crs>/<tossd> flags).
Only codes, names, category and flags are kept; descriptions are not copied.

Usage: python scripts/derive_purpose_codes.py [SHARED_DATA_DIR] [--out PATH]
SHARED_DATA_DIR defaults to ../shared/data relative to the repository root. The output is
deterministic: same inputs, same bytes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
import xml.etree.ElementTree as ET  # the inputs are trusted, pinned copies
from pathlib import Path

from codelists import DEFAULT_SHARED, REPO_ROOT, item_names, read_date  # scripts/codelists.py

DEFAULT_OUT = REPO_ROOT / "pcd_screen" / "data" / "purpose_codes.csv"

EXTRAS = "{https://namespaces.iatistandard.org/codelist_extras}"
COLUMNS = ["code", "name_en", "name_fr", "category", "crs", "tossd", "withdrawn"]
# Commits of the copies, as recorded in shared/data/iati-codelists/PROVENANCE.md.
MASTER_COMMIT = "7aeece773c60afa0265eb95e988d5e61e96d8482"
LATEST_DAC_COMMIT = "60974881c14ed88408e708005ffa6da828d0239a"


def read_items(path: Path) -> dict[str, dict]:
    items = {}
    for item in ET.parse(path).getroot().iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        names = item_names(item)
        items[code] = {
            "name_en": names.get("en", ""),
            "name_fr": names.get("fr", ""),
            "category": (item.findtext("category") or "").strip(),
            "crs": _flag(item.findtext(f"{EXTRAS}crs")),
            "tossd": _flag(item.findtext(f"{EXTRAS}tossd")),
            "withdrawn": "1" if item.get("status") == "withdrawn" else "0",
        }
    return items


def _flag(text: str | None) -> str:
    # Empty when the codelist does not say; the reader treats that as "not a current code".
    return "" if text is None else text.strip()


def merge(master: dict[str, dict], latest: dict[str, dict]) -> list[dict]:
    rows = []
    for code in sorted(set(master) | set(latest)):
        # latest-dac is the newer OECD list: its names, status and flags win; master fills gaps.
        row = dict(master.get(code, {}))
        for key, value in latest.get(code, {}).items():
            if value != "" or key not in row:
                row[key] = value
        if len(code) == 7 and row.get("crs", "") == "":
            row["crs"] = "0"  # 7-digit codes exist only in TOSSD
        rows.append({"code": code, **{k: row.get(k, "") for k in COLUMNS[1:]}})
    return rows


def render(shared: Path) -> str:
    master_path = shared / "iati-codelists" / "Sector.xml"
    latest_path = shared / "iati-codelists" / "latest-dac" / "Sector.xml"
    rows = merge(read_items(master_path), read_items(latest_path))
    out = io.StringIO()
    header = [
        "Derived by scripts/derive_purpose_codes.py; do not edit by hand.",
        "Source: IATI Standard (http://iatistandard.org/), CC BY 4.0 - DAC 5 Digit Sector list.",
        f"  IATI/IATI-Codelists-NonEmbedded master@{MASTER_COMMIT} xml/Sector.xml"
        f" sha256={_sha256(master_path)}",
        f"  IATI/IATI-Codelists-NonEmbedded latest-dac@{LATEST_DAC_COMMIT} xml/Sector.xml"
        f" sha256={_sha256(latest_path)}",
        f"read: {read_date(shared)}",
        "crs/tossd: flags from latest-dac (1/0; empty = not stated); 7-digit codes are TOSSD only.",
    ]
    for line in header:
        out.write(f"# {line}\n")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", nargs="?", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.shared / "iati-codelists" / "Sector.xml").is_file():
        print(f"no iati-codelists/Sector.xml under {args.shared}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(args.shared), encoding="utf-8", newline="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
