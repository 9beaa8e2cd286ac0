"""Reproduce the selection and split of batch 6: EUTF contract summaries of their own.

Stdlib only. Fixed and committed before any of its rows was read, after batches 4 and 5 had
been labelled, tuned on (dev) and measured (held-out). Batches 4 and 5 took one row per
decision, every decision; the other rows are mostly contracts under those decisions, and many
have a summary of their own (what that contract buys), which no reader and no tuning has seen.

1. Universe: rows of EUTF_projects_akvo.csv whose `summary` has at least select.MIN_CHARS
   characters, not selected by batch 4 or 5, whose summary (whitespace aside) is not that of
   a batch 4 or 5 row.
2. One row per distinct summary: the one with the smallest SHA-1 of its `iati_id` (for the
   same id, the earlier row).
3. Sorted by SHA-1 of `iati_id`, the first N.
4. split = heldout when int(sha1(decision), 16) % 3 == 0, else dev: batch 4's rule, so a row
   is held out with its decision and tuning on dev never reads a held-out decision's text.

Usage: python3 eval/eutf/select6.py [CSV]
Prints one line per selected row: index, split, line, iati_id, group.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import select as sel  # noqa: E402  (eval/eutf/select.py)

import select5  # noqa: E402

N = 90


def _flat(text: str) -> str:
    return " ".join(text.split())


def select(path=sel.DEFAULT):
    taken = {line for _i, _s, line, _id, _g in sel.select(path)}
    taken |= {line for _i, _s, line, _id, _g in select5.select(path)}
    by_line = dict(sel.rows(path))
    seen = {_flat(by_line[line]["summary"]) for line in taken}
    best = {}
    for line, row in sel.rows(path):
        summary = _flat(row["summary"])
        if line in taken or len(row["summary"]) < sel.MIN_CHARS or summary in seen:
            continue
        key = (sel.sha1hex(row["iati_id"]), line)
        if summary not in best or key < best[summary][0]:
            best[summary] = (key, line, row)
    chosen = sorted(best.values(), key=lambda item: item[0])[:N]
    out = []
    for index, (_key, line, row) in enumerate(chosen):
        group = sel.group_of(row)
        out.append((index, sel.split_of(group), line, row["iati_id"], group))
    return out


if __name__ == "__main__":
    sel.main(select)
