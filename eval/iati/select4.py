#!/usr/bin/env python3
"""Reproduce the selection and dev/heldout split of batch 4 of the labelled IATI set.

Stdlib only. Batch 4 (2026-12-07) is a fresh measurement of the migration-control categories:
the held-out figures of batches 1-3 rest on 11 (activity, category) pairs, each worth 0.09 of
recall, and every one of them has been read. The rule was fixed before any batch-4 activity
was read:

1. Universe: every activity of dev-migration.xml and dev-other.xml selected by none of
   batches 1-3 (select.py, select2.py, select3.py).
2. Text: all <narrative> texts of the activity, joined (as in select2.py).
3. Candidate: the text matches select2.py's broad CONTROL_RE (stratum `candidate`); all
   candidates are taken. Of the others (stratum `other`), the first N_OTHER by sha1 hex digest.
4. Rows are ordered by sha1(identifier) hex digest, candidates first.
5. split = heldout when int(sha1hex, 16) % 3 == 0, else dev (the batch-1 rule).

Usage: python3 eval/iati/select4.py [DATA_DIR]
Prints one line per selected activity: file, split, sha1, identifier, stratum.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import select as sel  # noqa: E402  (eval/iati/select.py)

import select2 as sel2  # noqa: E402
import select3 as sel3  # noqa: E402

N_OTHER = 15


def select(data_dir=sel.DEFAULT_DIR):
    taken = {(f, ident) for f, _s, _h, ident in sel.select(data_dir)}
    taken |= {(r[0], r[3]) for r in sel2.select(data_dir)}
    taken |= {(r[0], r[3]) for r in sel3.select(data_dir)}
    candidates, others = [], []
    for name in sel2.FILES:
        for ident, text in sel2.activities(Path(data_dir) / name):
            if (name, ident) in taken:
                continue
            row = (sel.sha1hex(ident), name, ident)
            (candidates if sel2.CONTROL_RE.search(text) else others).append(row)
    chosen = [(*r, "candidate") for r in sorted(candidates)]
    chosen += [(*r, "other") for r in sorted(others)[:N_OTHER]]
    return [(name, sel.split_of(h), h, ident, stratum) for h, name, ident, stratum in chosen]


if __name__ == "__main__":
    for row in select(sys.argv[1] if len(sys.argv) > 1 else sel.DEFAULT_DIR):
        print("\t".join(row))
