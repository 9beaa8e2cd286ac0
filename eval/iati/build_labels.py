#!/usr/bin/env python3
"""Assemble eval/iati/labels.yaml from the hand-written label drafts in eval/iati/work/.

The drafts hold, per selection index (the order printed by select.py), the labels written
by a person after reading the activity (m = migration_related, h = humanitarian,
c = control_categories, conf, reason, ev = evidence). This script only joins them with the
identifier, file and split from select.py, checks the vocabulary, and writes the YAML.
It does not classify anything. Needs PyYAML to read the drafts.
"""

import json
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import select as sel  # noqa: E402  (eval/iati/select.py)

import select2 as sel2  # noqa: E402  (eval/iati/select2.py, batch 2)
import select3 as sel3  # noqa: E402  (eval/iati/select3.py, batch 3)
import select4 as sel4  # noqa: E402  (eval/iati/select4.py, batch 4)

CATEGORIES = {
    "border-control",
    "maritime-interception",
    "surveillance-equipment",
    "detention",
    "forced-return",
    "readmission-cooperation",
    "anti-smuggling-enforcement",
    "deterrence-campaign",
    "security-forces-equipment",
    "military",
}

HEADER = """\
# Labelled evaluation set of real IATI activities for pcd-screen (migration relevance,
# migration-control categories, humanitarian nature).
#
# Selection (before any reading; reproduce with `python3 eval/iati/select.py`):
#   every <iati-identifier> of /work/shared/data/iati-real/dev-migration.xml (453) and
#   dev-other.xml (400) (see that folder's PROVENANCE.md) is hashed with SHA-1 (UTF-8,
#   surrounding whitespace stripped; none of these identifiers has any); identifiers are
#   sorted by hex digest and the first 120 (dev-migration.xml) and 60 (dev-other.xml) taken.
#   split = heldout when int(sha1hex, 16) % 3 == 0, else dev.
#
# Labelling: every label was assigned by a person reading the activity's title,
#   descriptions, sectors (with codes), participating organisations, humanitarian
#   attribute/scope, results and dates (printed with eval/iati/show.py, a reading aid
#   that does not classify). No keyword rules and no pcd-screen run were used.
#   The guideline is in eval/README.md ("Labelling guideline").
#   Entries are in selection order. `evidence` is copied from the activity text
#   ("..." marks an elision); `reason` is the labeller's own summary.
#   Drafts: eval/iati/work/draft_*.yaml, assembled by eval/iati/build_labels.py.
#
# Batch 2 (`batch: 2`, after the 180 batch-1 entries; reproduce with
#   `python3 eval/iati/select2.py`): among the activities of both files not in batch 1,
#   those whose narratives match a declared list of control/border words (en/fr/nl/es/de)
#   are sorted by sha1 hex digest and the first 100 taken, plus the first 20 of the others
#   (`stratum: candidate | other`); split by the same rule. Labelled the same way, before
#   any tuning; drafts in eval/iati/work/batch2/, keyed by select2.py's order.
# Batch 3 (`batch: 3`, `stratum: narrow`; `python3 eval/iati/select3.py`): the activities in
#   neither batch whose narratives match a narrow list of control phrases (34, all taken),
#   same split rule, labelled the same way before tuning; drafts in eval/iati/work/batch3/.
# Batch 4 (`batch: 4`, `stratum: candidate | other`; `python3 eval/iati/select4.py`): every
#   activity in none of batches 1-3 whose narratives match select2.py's broad word list (87),
#   plus the first 15 of the others by sha1, same split rule; labelled by three readers
#   before the tool ran on them (2026-12-07); drafts in eval/iati/work/batch4/.
"""


def q(s):
    return json.dumps(s, ensure_ascii=False)


def read_drafts(folder):
    drafts = {}
    for p in sorted(folder.glob("draft_*.yaml")):
        for k, v in yaml.safe_load(p.read_text()).items():
            if k in drafts:
                raise SystemExit(f"index {k} labelled twice in {folder}")
            drafts[k] = v
    return drafts


def norm(s):
    return " ".join(s.split()).casefold()


def texts(rows):
    """Every narrative text of the selected activities, whitespace-folded, by (file, id)."""
    want = {(f, ident) for f, ident in rows}
    out = {}
    for fname in {f for f, _ in rows}:
        for ident, text in sel2.activities(f"{sel.DEFAULT_DIR}/{fname}"):
            if (fname, ident) in want:
                out[(fname, ident)] = norm(text)
    return out


def check_evidence(ev, text, where):
    """Every fragment of the quote ("..." marks an elision) occurs in the activity text."""
    for part in ev.split("..."):
        if part.strip() and norm(part) not in text:
            raise SystemExit(f"{where}: evidence not found in the activity: {part!r}")


def main():
    batches = [
        (1, read_drafts(HERE / "work"), [(*r, None) for r in sel.select()]),
        (2, read_drafts(HERE / "work" / "batch2"), sel2.select()),
        (3, read_drafts(HERE / "work" / "batch3"), sel3.select()),
        (4, read_drafts(HERE / "work" / "batch4"), sel4.select()),
    ]
    out = [HEADER]
    for batch, drafts, rows in batches:
        missing = [i for i in range(len(rows)) if i not in drafts]
        if missing:
            raise SystemExit(f"batch {batch}: unlabelled indices: {missing}")
        if batch > 1:
            found = texts([(r[0], r[3]) for r in rows])
        for i, (fname, split, _h, ident, stratum) in enumerate(rows):
            out.append(entry(batch, i, drafts[i], fname, split, ident, stratum))
            if batch > 1:
                check_evidence(drafts[i]["ev"], found[(fname, ident)], f"batch {batch} #{i}")
    (HERE / "labels.yaml").write_text("\n".join(out[:1]) + "\n" + "".join(out[1:]))


def entry(batch, i, d, fname, split, ident, stratum):
    m = d["m"]
    m = {True: "true", False: "false", "unknown": "unknown"}[m]
    assert isinstance(d["h"], bool), i
    assert set(d["c"]) <= CATEGORIES, (i, d["c"])
    assert d["conf"] in ("high", "medium", "low"), i
    assert len(d["ev"].split()) <= 25, (i, len(d["ev"].split()))
    return (
        f"- id: {q(ident)}\n"
        f"  file: {fname}\n"
        f"  batch: {batch}\n"
        + (f"  stratum: {stratum}\n" if stratum else "")
        + f"  split: {split}\n"
        f"  migration_related: {m}\n"
        f"  humanitarian: {'true' if d['h'] else 'false'}\n"
        f"  control_categories: [{', '.join(d['c'])}]\n"
        f"  confidence: {d['conf']}\n"
        f"  reason: {q(d['reason'])}\n"
        f"  evidence: {q(d['ev'])}\n"
    )


if __name__ == "__main__":
    main()
