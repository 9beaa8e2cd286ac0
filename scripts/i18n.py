"""Extract report strings, update the nl/fr catalogs and compile them (Babel).

Usage: python scripts/i18n.py [--check]
--check fails if a string is untranslated or a compiled catalog (.mo) is out of date.
Translations are written in pcd_screen/locale/<lang>/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
LOCALE = REPO / "pcd_screen" / "locale"
POT = LOCALE / "messages.pot"
LANGS = ("nl", "fr")


def extract(target: Path = POT) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(target),
            ".",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )


def mo_bytes(catalog) -> bytes:
    # The header would carry today's date: fixed, so that the same .po compiles to the same bytes.
    catalog.creation_date = catalog.revision_date = datetime(2026, 1, 1, tzinfo=timezone.utc)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def mo_messages(data: bytes) -> dict:
    """The translations a compiled catalog holds, without its header entry."""
    import gettext

    catalog = gettext.GNUTranslations(io.BytesIO(data))
    return {key: value for key, value in catalog._catalog.items() if key != ""}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    problems = []
    if not check:
        extract()
    else:  # a string added to a template or to the code must be in the committed catalogs
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            extract(Path(tmp) / "messages.pot")
            with open(Path(tmp) / "messages.pot", "rb") as handle:
                fresh = {m.id for m in read_po(handle) if m.id}
        with open(POT, "rb") as handle:
            known = {m.id for m in read_po(handle) if m.id}
        problems += [f"not in {POT.name}: {text!r}" for text in sorted(fresh - known, key=str)]
    with open(POT, "rb") as handle:
        template = read_po(handle)
    for lang in LANGS:
        po_path = LOCALE / lang / "LC_MESSAGES" / "messages.po"
        with open(po_path, "rb") as handle:
            catalog = read_po(handle, locale=lang)
        if not check:
            catalog.update(template, no_fuzzy_matching=True)
            buffer = io.BytesIO()
            write_po(buffer, catalog, omit_header=True, sort_output=True, width=100)
            po_path.write_bytes(buffer.getvalue())
            with open(po_path, "rb") as handle:  # compile exactly what --check will read
                catalog = read_po(handle, locale=lang)
        # A plural entry needs every form of the language (French has three in CLDR: one, many,
        # other); an empty form falls back to the English text.
        missing = [
            m.id
            for m in catalog
            if m.id
            and (not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string)))
        ]
        missing += [m.id for m in template if m.id and m.id not in catalog]
        problems += [f"{lang}: untranslated: {text!r}" for text in missing]
        mo_path = po_path.with_suffix(".mo")
        compiled = mo_bytes(catalog)
        if check:
            # The messages are compared, not the bytes: Babel releases differ in the header
            # they write, and the header is not what a report shows.
            if not mo_path.exists() or mo_messages(mo_path.read_bytes()) != mo_messages(compiled):
                problems.append(f"{mo_path.relative_to(REPO)} is out of date")
        else:
            mo_path.write_bytes(compiled)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems and check:
        print("run: make i18n (python scripts/i18n.py)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
