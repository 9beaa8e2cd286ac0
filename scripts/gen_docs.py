"""Regenerate the generated parts of docs/rules.md from the registries in the code.

Usage: python scripts/gen_docs.py [--check]   (--check exits 1 if the docs are out of date)
"""

from __future__ import annotations

import sys
from pathlib import Path

from generated import write_or_check  # scripts/generated.py

from pcd_screen.engine.conditions import OPERATORS, SUBJECTS
from pcd_screen.engine.facts import FACT_DOCS

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
START, END = "<!-- generated:start -->", "<!-- generated:end -->"


def reference() -> str:
    lines = ["### Subjects (what a predicate looks at)", "", "| key | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {s.doc} |" for name, s in SUBJECTS.items()]
    lines += [
        "",
        "### Operators (what it checks)",
        "",
        "| operator | kind | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{name}` | {op.kind} | {op.doc} |" for name, op in OPERATORS.items()]
    lines += ["", "### Facts (use with `fact:`)", "", "| fact | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {doc} |" for name, doc in sorted(FACT_DOCS.items())]
    return "\n".join(lines)


def updated(text: str) -> str:
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{reference()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    new = updated(DOC.read_text(encoding="utf-8"))
    return 0 if write_or_check(DOC, new, argv, "python scripts/gen_docs.py") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
