"""Reproduce the selection and split of batch 5: the EUTF decisions batch 4 did not take.

Stdlib only. Fixed and committed before any of its rows was read, after batch 4 had been
labelled, tuned on (dev) and measured (held-out). The rule is batch 4's (select.py), applied to
what is left:

1. Universe: rows of EUTF_projects_akvo.csv whose `summary` has at least select.MIN_CHARS
   characters, in a decision (group, select.group_of) that batch 4 did not select.
2. One row per decision: the one with the smallest SHA-1 of its `iati_id` (the earlier row for
   the same id).
3. All of them, sorted by SHA-1 of `iati_id` (at most N).
4. split = heldout when int(sha1(decision), 16) % 3 == 0, else dev.

Usage: python3 eval/eutf/select5.py [CSV]
Prints one line per selected row: index, split, line, iati_id, group.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import select as sel  # noqa: E402  (eval/eutf/select.py)

N = 120


def select(path=sel.DEFAULT):
    taken = {group for *_rest, group in sel.select(path)}
    best = {}
    for line, row in sel.rows(path):
        group = sel.group_of(row)
        if len(row["summary"]) < sel.MIN_CHARS or group in taken:
            continue
        key = (sel.sha1hex(row["iati_id"]), line)
        if group not in best or key < best[group][0]:
            best[group] = (key, line, row)
    chosen = sorted(best.items(), key=lambda item: item[1][0])[:N]
    out = []
    for index, (group, (_key, line, row)) in enumerate(chosen):
        out.append((index, sel.split_of(group), line, row["iati_id"], group))
    return out


if __name__ == "__main__":
    sel.main(select)
