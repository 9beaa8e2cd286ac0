"""Reproduce the selection and dev/heldout split of the EUTF batch (batch 4) of the labelled set.

Stdlib only. The IATI batches hold few activities that fund migration control (40 of 334), and
none for five of the ten categories, so batch 4 is drawn from the EU Emergency Trust Fund for
Africa's own contract and decision summaries (../shared/data/eutf-csv/EUTF_projects_akvo.csv,
see its PROVENANCE.md), a portfolio known to fund border management, return and readmission
beside jobs and resilience. The rule was fixed and committed before any summary was read:

1. Universe: every row of EUTF_projects_akvo.csv whose `summary` has at least MIN_CHARS
   characters (a shorter one gives a reader, or the tool, almost nothing to go on).
2. Group: a decision (prefix DEC) is its own group; a contract (CTR) belongs to the group of
   its `project_parent` decision, or is its own group when it has none (ids compared
   upper-cased). Contracts under one decision often repeat its summary, so one row per group
   is kept: the row with the smallest SHA-1 of its `iati_id` (for the same id, the earlier).
3. The kept rows are sorted by SHA-1 hex digest of `iati_id` and the first N taken.
4. split = heldout when int(sha1(group), 16) % 3 == 0, else dev; by group, so no text of a
   held-out decision is seen while tuning.

Usage: python3 eval/eutf/select.py [CSV]
Prints one line per selected row: index, split, line (the file line the row starts on),
iati_id, group.
"""

import csv
import hashlib
import sys
from pathlib import Path

DEFAULT = Path("/work/shared/data/eutf-csv/EUTF_projects_akvo.csv")
MIN_CHARS = 300
N = 150


def sha1hex(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def rows(path=DEFAULT):
    """(line, row) for every data row: line is the file line the row starts on."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        start = reader.line_num + 1
        for row in reader:
            yield start, row
            start = reader.line_num + 1


def group_of(row: dict) -> str:
    """The decision a row belongs to, upper-cased: the sheet spells one id both ways
    (T05-EUTF-HoA-... and T05-EUTF-HOA-...)."""
    if row["prefix"] == "CTR" and row["project_parent"]:
        return row["project_parent"].upper()
    return row["iati_id"].upper()


def split_of(group: str) -> str:
    """heldout for a third of the decisions (by SHA-1 of the decision), dev otherwise."""
    return "heldout" if int(sha1hex(group), 16) % 3 == 0 else "dev"


def main(select_rows) -> None:
    """Print a batch's selection: index, split, line, iati_id, group (tab-separated)."""
    for item in select_rows(sys.argv[1] if len(sys.argv) > 1 else DEFAULT):
        print("\t".join(str(x) for x in item))


def select(path=DEFAULT):
    best = {}
    for line, row in rows(path):
        if len(row["summary"]) < MIN_CHARS:
            continue
        key = (sha1hex(row["iati_id"]), line)
        group = group_of(row)
        if group not in best or key < best[group][0]:
            best[group] = (key, line, row)
    chosen = sorted(best.items(), key=lambda item: item[1][0])[:N]
    out = []
    for index, (group, (_key, line, row)) in enumerate(chosen):
        out.append((index, split_of(group), line, row["iati_id"], group))
    return out


if __name__ == "__main__":
    main(select)
