"""Word documents (.docx, and .docm with its macros left unread) through python-docx: headings by
their style, paragraphs, tables as tables, pages from the page breaks Word writes (explicit
breaks and the ones it rendered last time it laid the document out)."""

from __future__ import annotations

import io
import re
import zipfile

from pcd_screen.inputs.documents import guard
from pcd_screen.inputs.documents.model import DocumentProblem, Numbering, Parsed

_HEADING = re.compile(r"^(heading|kop|titre|überschrift|title|titel)\s*(\d*)$", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read(data: bytes) -> Parsed:
    guard.check_zip(data, "Word")
    data = _without_macros(data)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise DocumentProblem(f"not a Word document that can be read ({exc})") from None
    body = document.element.body
    paged = bool(body.xpath('.//w:br[@w:type="page"]') or body.xpath(".//w:lastRenderedPageBreak"))
    numbering = Numbering(paged)
    blocks, cells = [], 0
    from docx.table import Table

    # A style's facts are worked out once: python-docx looks a paragraph's style up among all
    # the document's styles each time it is asked (20,000 paragraphs took half a minute).
    style_facts: dict = {}
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = _rows(item)
            cells += sum(len(row) for row in rows)
            guard.check_counts(blocks, cells)
            if rows:
                blocks.append(numbering.block("table", "", rows=rows))
            continue
        element = item._p
        if element.style not in style_facts:
            style_facts[element.style] = (_heading_level(item), _style_breaks_before(item))
        level, style_breaks = style_facts[element.style]
        before = item.paragraph_format.page_break_before or style_breaks
        if before and (blocks or numbering.count):
            numbering.new_page()
        text = _text(element)
        # A page break inside the paragraph: the text before it is on this page (Word puts
        # the break at the end of a paragraph most of the time).
        breaks = [
            node
            for node in element.iter(f"{_W}br", f"{_W}lastRenderedPageBreak")
            if node.tag != f"{_W}br" or node.get(f"{_W}type") == "page"
        ]
        if text.strip():
            kind = "heading" if level else "paragraph"
            if breaks and _break_first(element):
                numbering.new_page()
                breaks = []
            blocks.append(numbering.block(kind, text.strip(), level))
        for _ in breaks:
            numbering.new_page()
        guard.check_counts(blocks, cells)
    title = (document.core_properties.title or "").strip() or None
    return Parsed("docx", blocks, title, numbering.page)


def _text(element) -> str:
    """The paragraph's visible text (runs, tabs, line breaks; field codes left out)."""
    parts = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif node.tag == f"{_W}tab":
            parts.append("\t")
        elif node.get(f"{_W}type") is None:
            parts.append("\n")
    return "".join(parts)


def _break_first(element) -> bool:
    """True when the paragraph's page break comes before any of its text."""
    for node in element.iter(f"{_W}t", f"{_W}br", f"{_W}lastRenderedPageBreak"):
        if node.tag == f"{_W}t" and (node.text or "").strip():
            return False
        if node.tag != f"{_W}t":
            return True
    return False


def _style_breaks_before(paragraph) -> bool:
    style = paragraph.style
    while style is not None:
        if style.paragraph_format.page_break_before:
            return True
        style = style.base_style
    return False


def _heading_level(paragraph) -> int:
    style = paragraph.style
    while style is not None:
        for name in (style.name or "", style.style_id or ""):
            match = _HEADING.match(name.strip())
            if match:
                word, number = match.groups()
                if word.lower() in ("title", "titel"):
                    return 1
                return int(number) if number else 1
        style = style.base_style
    return 0


def _rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is given once per grid column
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        if any(cells):
            rows.append(cells)
    return rows


def _without_macros(data: bytes) -> bytes:
    """A .docm as the .docx it would be without macros: the macro parts are dropped unread and
    the main part's content type is the plain document's (python-docx reads only .docx)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if not any("vbaProject" in name or "macroEnabled" in name for name in names) and (
            b"macroEnabled" not in archive.read("[Content_Types].xml")
            if "[Content_Types].xml" in names
            else True
        ):
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
            for info in archive.infolist():
                if "vba" in info.filename.lower():
                    continue
                content = archive.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    content = content.replace(
                        b"application/vnd.ms-word.document.macroEnabled.main+xml",
                        b"application/vnd.openxmlformats-officedocument.wordprocessingml."
                        b"document.main+xml",
                    )
                rewritten.writestr(info.filename, content)
        return out.getvalue()
