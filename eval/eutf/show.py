"""Reading aid for labelling batch 4: prints selected EUTF rows as they are, compactly.

It does not classify anything. Usage: python3 eval/eutf/show.py [--batch 5|6] [FIRST [LAST]]
(selection indices, inclusive; default all rows of batch 4, or of batch 5 or 6 with --batch).
"""

import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import select as sel  # noqa: E402  (eval/eutf/select.py)

FIELDS = (
    "prefix",
    "date_start",
    "date_end",
    "budget",
    "recipient_country",
    "location",
    "partner_funding",
    "partner_accountable",
    "partner_extending",
    "partner_implementing",
    "topics",
    "oecd_purpose",
)


def main(argv):
    chosen = sel.select
    if len(argv) > 2 and argv[1] == "--batch" and argv[2] in ("5", "6"):
        chosen = __import__(f"select{argv[2]}").select
        argv = argv[2:]
    first = int(argv[1]) if len(argv) > 1 else 0
    last = int(argv[2]) if len(argv) > 2 else 10**9
    by_line = dict(sel.rows())
    for index, _split, line, ident, _group in chosen():
        if not first <= index <= last:
            continue
        row = by_line[line]
        print(f"=== [{index}] {ident} (CSV line {line})")
        print(f"TITLE: {row['title']}")
        for name in FIELDS:
            if row[name].strip():
                print(f"{name.upper()}: {' '.join(row[name].split())}")
        print("SUMMARY:")
        for paragraph in row["summary"].splitlines():
            if paragraph.strip():
                print(textwrap.fill(paragraph, 100, initial_indent="  ", subsequent_indent="  "))
        print()


if __name__ == "__main__":
    main(sys.argv)
