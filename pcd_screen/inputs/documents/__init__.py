"""Proposals written as documents: Word (.docx, .docm without its macros), OpenDocument (.odt),
PDF, plain text, Markdown and HTML. A reader turns the document into blocks with their pages and
paragraphs (model.py), within the limits of guard.py; extract.py takes from them what the
document states, each value with where it was found; the result is validated as any proposal.

The input registry (pcd_screen/inputs/__init__.py) names read_records for these suffixes.
"""

from __future__ import annotations

import os

from pcd_screen.inputs.documents.model import DocumentProblem, Parsed

KINDS = {
    ".docx": "docx",
    ".docm": "docx",
    ".odt": "odt",
    ".pdf": "pdf",
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
}
SUFFIXES = tuple(KINDS)
_MAGIC = {"docx": b"PK\x03\x04", "odt": b"PK\x03\x04", "pdf": b"%PDF"}
_SAVE_AS = {
    "docx": "open it in Word and save it again as .docx, or export it as PDF",
    "odt": "open it in LibreOffice and save it again as .odt, or export it as PDF",
    "pdf": "ask for the PDF again, or save its text as .txt and screen that",
}


def kind_of(name: str) -> str | None:
    lowered = name.lower()
    return next((kind for suffix, kind in KINDS.items() if lowered.endswith(suffix)), None)


def parse_here(kind: str, data: bytes) -> Parsed:
    """Read a document in this process (guard.parse_bounded calls it in a child process)."""
    if kind == "docx":
        from pcd_screen.inputs.documents import docx

        return docx.read(data)
    if kind == "odt":
        from pcd_screen.inputs.documents import odt

        return odt.read(data)
    if kind == "pdf":
        from pcd_screen.inputs.documents import pdf

        return pdf.read(data)
    from pcd_screen.inputs.documents import plain

    return {"txt": plain.read_txt, "md": plain.read_md, "html": plain.read_html}[kind](data)


def parse(
    data: bytes, name: str, time_limit: float | None = None, max_bytes: int | None = None
) -> Parsed:
    """A document's blocks, read within the limits; DocumentProblem says what went wrong."""
    from pcd_screen.inputs.documents import guard

    kind = kind_of(name)
    if kind is None:
        raise DocumentProblem("not a kind of document pcd-screen reads")
    limit = max_bytes or guard.MAX_DOCUMENT_BYTES
    if len(data) > limit:
        raise DocumentProblem(f"refused: {len(data):,} bytes (documents up to {limit:,})")
    if not data.strip():  # before the format check: an empty file is no wrong format
        raise DocumentProblem("the file is empty")
    magic = _MAGIC.get(kind)
    if magic and not data.startswith(magic):
        if kind == "docx" and data.startswith(b"\xd0\xcf\x11\xe0"):
            raise DocumentProblem(
                "an old Word .doc file (or an encrypted .docx): save it as .docx without a "
                "password, or export it as PDF"
            )
        raise DocumentProblem(f"the file is not a {kind} document: {_SAVE_AS[kind]}")
    return guard.parse_bounded(kind, data, time_limit)


def load(data: bytes, name: str, time_limit: float | None = None, max_bytes: int | None = None):
    """data of a document -> a validated Proposal whose Document locates every value by page and
    paragraph (or table cell). Raises DocumentProblem, or LoadError for an invalid extraction."""
    from pcd_screen.core.located import Document
    from pcd_screen.inputs.documents.extract import extract
    from pcd_screen.inputs.proposal import validate_document

    parsed = parse(data, name, time_limit, max_bytes)
    if not any(block.text.strip() for block in parsed.blocks):
        hint = (
            " (a scanned PDF has no text: ask for the original document)"
            if parsed.kind == "pdf"
            else ""
        )
        raise DocumentProblem(f"no text found in the document{hint}")
    for block in parsed.blocks:  # no control character reaches a proposal (nor a YAML draft)
        block.text = _printable(block.text)
        block.rows = [[_printable(cell) for cell in row] for row in block.rows]
    found = extract(parsed, name)
    document = Document(data=found.data, file=name, labels=found.labels)
    return validate_document(document)


def read_records(file, lang: str = "en", max_size: int | None = None):
    """The input registry's reader: the one proposal of a document, or the text of its error."""
    from pcd_screen.core.located import LoadError
    from pcd_screen.core.yamlread import open_input
    from pcd_screen.inputs.documents import guard

    limit = max_size or guard.MAX_DOCUMENT_BYTES
    try:
        with open_input(file) as handle:  # a FIFO or a device is refused, not read
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                limits = f"documents up to {limit:,}; --max-file-size"
                yield f"{file}: refused: {size:,} bytes ({limits})"
                return
            data = handle.read(limit + 1)
    except OSError as exc:
        yield f"{file}: cannot read: {exc.strerror}"
        return
    try:
        yield load(data, str(file), max_bytes=limit)
    except DocumentProblem as exc:
        yield f"{file}: {exc}"
    except LoadError as exc:
        yield str(exc)


def _printable(text: str) -> str:
    import re

    return re.sub(
        r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]", " ", text
    )
