"""Join the readers' primary-category labels (work/*.yaml) with the split of their rows.

EUTF rows take their decision and split from eval/eutf/labels.yaml, IATI activities their
file and split from eval/iati/labels.yaml (the batches' own rules). Checks that every term is
in the vocabulary and every row is labelled once; writes eval/categories/labels.yaml.
Usage: python3 eval/categories/build_labels.py
"""

from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WORK = {  # work file -> (source, batch)
    "eutf4_000.yaml": ("eutf", 4),
    "eutf4_075.yaml": ("eutf", 4),
    "eutf5_000.yaml": ("eutf", 5),
    "iati2_000.yaml": ("iati", 2),
}


def load(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def main() -> None:
    terms = set(load(ROOT / "pcd_screen" / "data" / "vocabularies.yaml")["category"])
    rows = {
        "eutf": {(e["id"], e["batch"]): e for e in load(ROOT / "eval" / "eutf" / "labels.yaml")},
        "iati": {
            (e["id"], e.get("batch", 1)): e for e in load(ROOT / "eval" / "iati" / "labels.yaml")
        },
    }
    out, seen = [], set()
    for name, (source, batch) in WORK.items():
        path = HERE / "work" / name
        if not path.exists():
            continue
        for entry in load(path):
            key = (str(entry["id"]), batch)
            row = rows[source].get(key)
            assert row is not None, (name, key)
            assert (source, key) not in seen, (name, key)
            seen.add((source, key))
            chosen = [entry["primary"], *(entry.get("acceptable") or [])]
            assert set(chosen) <= terms, (name, key, chosen)
            label = {"id": row["id"], "source": source, "batch": batch, "split": row["split"]}
            if source == "iati":
                label["file"] = row["file"]
            label |= {
                "primary": entry["primary"],
                "acceptable": [t for t in entry.get("acceptable") or [] if t != entry["primary"]],
                "confidence": entry["confidence"],
                "reason": entry["reason"],
            }
            out.append(label)
    for source, labelled in rows.items():
        done = {key for s, key in seen if s == source}
        batches = {b for s, (_i, b) in seen if s == source}
        missing = [key for key in labelled if key[1] in batches and key not in done]
        assert not missing, (source, missing[:5])
    header = (HERE / "labels_header.txt").read_text(encoding="utf-8")
    text = yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=100)
    (HERE / "labels.yaml").write_text(header + "\n" + text, encoding="utf-8")
    print(len(out), "labels")


if __name__ == "__main__":
    main()
