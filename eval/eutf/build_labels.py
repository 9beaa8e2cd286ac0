"""Join the hand-written labels of batches 4, 5 and 6 (work/labels_*.yaml, work/labels5_*.yaml,
work/labels6_*.yaml) with their selection's id, group and split (select.py, select5.py,
select6.py), check them, and write labels.yaml.

Checks: every selected row is labelled once, under its own id; the vocabulary is the
guideline's (eval/README.md); every part of every evidence quote ("..." marks an elision)
occurs in the row's title or summary, whitespace aside. Usage: python3 eval/eutf/build_labels.py
"""

import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import select as sel  # noqa: E402  (eval/eutf/select.py)

import select5  # noqa: E402
import select6  # noqa: E402

sys.path.insert(0, str(HERE.parent.parent))
from pcd_screen.engine.facts import COERCIVE  # noqa: E402  (the guideline's ten categories)

CATEGORIES = frozenset(COERCIVE)

KEYS = ("migration_related", "humanitarian", "control_categories", "confidence", "reason")

HEADER = """\
# Batch 4 of the labelled evaluation set: EU Emergency Trust Fund for Africa contract and
# decision summaries (/work/shared/data/eutf-csv/EUTF_projects_akvo.csv, see its PROVENANCE.md).
#
# Selection, fixed and committed before any row was read (python3 eval/eutf/select.py): rows
#   whose summary has at least 300 characters; one row per decision (a contract belongs to its
#   parent decision), the one with the smallest SHA-1 of its id; the first 150 by SHA-1 of the
#   id. split = heldout when int(sha1(decision), 16) % 3 == 0, else dev: by decision, so no
#   text of a held-out decision is seen while tuning.
#
# Labelling: three readers, 50 rows each, read every row in full as printed by
#   eval/eutf/show.py (title, dates, budget, countries, partners, the Fund's topics and OECD
#   purpose, summary), under the guideline in eval/README.md and the EUTF decisions listed
#   there, without running pcd-screen or reading its rules, lexicons or frames. The labels
#   were committed before pcd-screen was run on these rows. `evidence` is copied from the row
#   ("..." marks an elision); `reason` is the reader's own.
#
# Batch 5 (`batch: 5`; python3 eval/eutf/select5.py): the decisions batch 4 did not take, by the
#   same rule and split, fixed after batch 4 had been tuned on and measured; labelled the same
#   way by two readers (work/labels5_*.yaml), before pcd-screen was run on these rows.
#
# Batch 6 (`batch: 6`; python3 eval/eutf/select6.py): contract rows with a summary of their own
#   (not one a batch 4 or 5 row has), 90 by SHA-1 of the id, split with their decision; fixed
#   after batches 4-5 had been tuned on and measured; labelled the same way by three readers
#   (work/labels6_*.yaml), committed before pcd-screen was run on these rows.
"""


def squash(text: str) -> str:
    """Without any whitespace: show.py wraps lines, at hyphens too ("sub-" / "locality")."""
    return "".join(text.split())


def labelled_in(pattern: str) -> dict:
    labelled = {}
    for path in sorted((HERE / "work").glob(pattern)):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            if entry["index"] in labelled:
                sys.exit(f"{path.name}: index {entry['index']} labelled twice")
            labelled[entry["index"]] = entry
    return labelled


def joined(batch: int, selected, labelled: dict, by_line: dict) -> list[dict]:
    out = []
    for index, split, line, ident, group in selected:
        entry = labelled.pop(index, None)
        if entry is None:
            sys.exit(f"batch {batch}, row {index} ({ident}) has no label")
        if entry["id"] != ident:
            sys.exit(f"batch {batch}, row {index}: labelled as {entry['id']!r}, selected {ident!r}")
        wrong = set(entry["control_categories"]) - CATEGORIES
        if wrong or entry["migration_related"] not in (True, False, "unknown"):
            sys.exit(
                f"batch {batch}, row {index}: unknown values {wrong or entry['migration_related']}"
            )
        row = by_line[line]
        text = squash(f"{row['title']} {row['summary']}")
        for part in re.split(r"\s*\.\.\.\s*|\s*…\s*", entry["evidence"] or ""):
            if part and squash(part) not in text:
                sys.exit(f"batch {batch}, row {index}: evidence not in the row: {part!r}")
        out.append(
            {
                "id": ident,
                "line": line,
                "decision": group,
                "batch": batch,
                "split": split,
                **{key: entry[key] for key in KEYS},
                "evidence": entry["evidence"] or "",
            }
        )
    if labelled:
        sys.exit(f"batch {batch}: labels for rows not selected: {sorted(labelled)}")
    return out


def main() -> int:
    by_line = dict(sel.rows())
    out = joined(4, sel.select(), labelled_in("labels_*.yaml"), by_line)
    out += joined(5, select5.select(), labelled_in("labels5_*.yaml"), by_line)
    out += joined(6, select6.select(), labelled_in("labels6_*.yaml"), by_line)
    body = yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=100)
    (HERE / "labels.yaml").write_text(HEADER + "\n" + body, encoding="utf-8")
    print(f"labels.yaml: {len(out)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
