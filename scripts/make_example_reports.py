"""Regenerate examples/reports/: the screened report of every example, as of a fixed date.

Usage: python scripts/make_example_reports.py [--check]
--check writes nothing and exits 1 if a report is missing or out of date.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from pcd_screen.core.outputs import write_atomic
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal
from pcd_screen.reports.templated import render

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
REPORTS = EXAMPLES / "reports"
AS_OF = date(2026, 11, 23)
FORMATS = {"md": ".md", "html": ".html", "letter": ".letter.md"}
# An example written in Dutch or French (name ending in -nl or -fr) is reported in its language,
# as the desk officer who receives it would render it (--lang nl / fr).
LANGUAGE_OF_SUFFIX = {"-nl": "nl", "-fr": "fr"}


def language_of(path: Path) -> str:
    return next((lang for end, lang in LANGUAGE_OF_SUFFIX.items() if path.stem.endswith(end)), "en")


def expected_reports() -> dict[Path, str]:
    ruleset, refdata = load_ruleset(), load_refdata()
    out = {}
    for path in sorted(EXAMPLES.glob("*.yaml")):
        proposal = load_proposal(path, f"examples/{path.name}")
        lang = language_of(path)
        result = evaluate(proposal, ruleset, refdata, AS_OF, lang)
        for fmt, suffix in FORMATS.items():
            out[REPORTS / f"{path.stem}{suffix}"] = render([result], fmt, lang=lang)
    return out


def main(argv: list[str]) -> int:
    reports = expected_reports()
    if "--check" in argv:
        stale = [p for p, text in reports.items() if not p.exists() or p.read_text("utf-8") != text]
        for path in stale:
            print(f"out of date: {path.relative_to(REPO)} (run: make reports)", file=sys.stderr)
        return 1 if stale else 0
    REPORTS.mkdir(exist_ok=True)
    for path, text in reports.items():
        write_atomic(path, text)
    for old in REPORTS.iterdir():
        if old not in reports and old.suffix in {".md", ".html"}:
            old.unlink()
    print(f"wrote {len(reports)} reports to {REPORTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
