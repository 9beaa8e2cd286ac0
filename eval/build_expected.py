"""Join the writers' expected outcomes of a prose set (FOLDER/expected_w*.yaml) into
FOLDER/expected.yaml, each case with its split by the rule in the set's README.md (held-out
when int(sha1(file name), 16) % 3 == 0), after checking that every case file exists and every
listed file is a case. Used for eval/prose2 and eval/prose3.

Usage: python3 eval/build_expected.py eval/prose3
"""

import hashlib
import sys
from pathlib import Path

import yaml


def split_of(name: str) -> str:
    return "heldout" if int(hashlib.sha1(name.encode()).hexdigest(), 16) % 3 == 0 else "dev"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.exit("usage: python3 eval/build_expected.py FOLDER")
    here = Path(argv[0])
    cases = []
    for path in sorted(here.glob("expected_w*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append({"file": case["file"], "split": split_of(case["file"]), **case})
    files = {p.name for p in here.glob("w*-*.yaml") if not p.name.startswith("expected")}
    listed = [c["file"] for c in cases]
    if sorted(listed) != sorted(files) or len(set(listed)) != len(listed):
        sys.exit(f"cases and files differ: {sorted(set(listed) ^ files)}")
    header = "# Built by build_expected.py from expected_w*.yaml; see README.md.\n"
    body = yaml.safe_dump(cases, allow_unicode=True, sort_keys=False, width=100)
    (here / "expected.yaml").write_text(header + body, encoding="utf-8")
    held = sum(case["split"] == "heldout" for case in cases)
    print(f"expected.yaml: {len(cases)} cases, {held} held out")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
