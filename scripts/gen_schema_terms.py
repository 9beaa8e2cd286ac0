"""Write the closed sets of core/terms.py and the format registry into the JSON Schemas.

Usage: python scripts/gen_schema_terms.py [--check]   (--check exits 1 if a schema is stale)
The schemas are published (`pcd-screen schema NAME`) and validate configs, rules and results;
their enums follow the code's single definitions instead of being kept in step by hand.
"""

from __future__ import annotations

import json
import sys

from generated import write_or_check  # scripts/generated.py

from pcd_screen.core.paths import SCHEMA_DIR
from pcd_screen.core.terms import (
    FAIL_ON,
    KINDS,
    PRINCIPLES,
    REPORT_LANGUAGES,
    SEVERITIES,
    STATUSES,
    VERDICTS,
)
from pcd_screen.reports import FORMATS

FORMAT_PATTERN = "^(" + "|".join(FORMATS) + ")(=.+)?$"
NAMES = list(FORMATS)
FORMAT_TEXT = ", ".join(NAMES[:-1]) + f" or {NAMES[-1]}, optionally followed by =PATH"
# schema -> (path to a key, key, value)
TERMS = {
    "config": [
        (("properties", "fail_on"), "enum", list(FAIL_ON)),
        (("properties", "lang"), "enum", list(REPORT_LANGUAGES)),
        (("properties", "formats", "items"), "pattern", FORMAT_PATTERN),
        (("properties", "formats", "items"), "description", FORMAT_TEXT),
        (("$defs", "principle"), "enum", list(PRINCIPLES)),
        (("$defs", "severity"), "enum", list(SEVERITIES)),
    ],
    "rule": [
        (("properties", "principle"), "enum", list(PRINCIPLES)),
        (("properties", "severity"), "enum", list(SEVERITIES)),
        (("properties", "kind"), "enum", list(KINDS)),
    ],
    "result": [
        (("properties", "lang"), "enum", list(REPORT_LANGUAGES)),
        (("properties", "verdict"), "enum", list(VERDICTS)),
        (("properties", "policy", "properties", "unclear_as_flag", "items"), "enum", [*SEVERITIES]),
        (("$defs", "finding", "properties", "severity"), "enum", list(SEVERITIES)),
        (("$defs", "finding", "properties", "kind"), "enum", list(KINDS)),
        (("$defs", "finding", "properties", "status"), "enum", list(STATUSES)),
    ],
}


def updated(name: str, text: str) -> str:
    schema = json.loads(text)
    for path, key, value in TERMS[name]:
        node = schema
        for part in path:
            node = node[part]
        node[key] = value
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    ok = True
    for name in TERMS:
        path = SCHEMA_DIR / f"{name}.schema.json"
        new = updated(name, path.read_text(encoding="utf-8"))
        ok &= write_or_check(path, new, argv, "python scripts/gen_schema_terms.py")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
