"""OpenDocument text (.odt) through odfpy: headings (text:h), paragraphs, lists, tables, and the
page breaks LibreOffice records (text:soft-page-break) and explicit ones."""

from __future__ import annotations

import io

from pcd_screen.inputs.documents import guard
from pcd_screen.inputs.documents.model import DocumentProblem, Numbering, Parsed

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


def read(data: bytes) -> Parsed:
    guard.check_zip(data, "OpenDocument")
    _check_well_formed(data)
    from odf import opendocument, teletype

    try:
        document = opendocument.load(io.BytesIO(data))
    except Exception as exc:
        raise DocumentProblem(f"not an OpenDocument text that can be read ({exc})") from None
    body = document.text
    breaking = _page_breaking_styles(document)
    paged = bool(body.getElementsByType(_soft_break())) or bool(breaking)
    numbering = Numbering(paged)
    blocks: list = []
    cells = [0]

    def walk(node):
        for child in node.childNodes:
            if child.nodeType != child.ELEMENT_NODE:
                continue
            ns, name = child.qname
            if ns == _TEXT and name == "soft-page-break":
                numbering.new_page()
            elif ns == _TEXT and name in ("h", "p"):
                styled = child.getAttribute("stylename") in breaking
                if (_has_break_first(child) or styled) and (blocks or numbering.count):
                    numbering.new_page()
                text = teletype.extractText(child).strip()
                if text:
                    level = int(child.getAttribute("outlinelevel") or 1) if name == "h" else 0
                    blocks.append(numbering.block("heading" if level else "paragraph", text, level))
            elif ns == _TABLE and name == "table":
                rows = []
                for row in child.getElementsByType(_table_row()):
                    cells_of_row = [
                        teletype.extractText(cell).strip()
                        for cell in row.childNodes
                        if cell.nodeType == cell.ELEMENT_NODE and cell.qname[1] == "table-cell"
                    ]
                    cells[0] += len(cells_of_row)
                    guard.check_counts(blocks, cells[0])
                    if any(cells_of_row):
                        rows.append(cells_of_row)
                if rows:
                    blocks.append(numbering.block("table", "", rows=rows))
            else:  # lists, sections, frames: their paragraphs in order
                walk(child)
            guard.check_counts(blocks, cells[0])

    walk(body)
    title = None
    for element in document.meta.childNodes:
        if element.qname[1] == "title":
            title = teletype.extractText(element).strip() or None
    return Parsed("odt", blocks, title, numbering.page)


def _check_well_formed(data: bytes) -> None:
    """Refuse a package whose XML parts are cut or damaged: odfpy prints the error and goes on
    with an empty document, which would be reported as a document without text."""
    import xml.sax
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        for part in ("content.xml", "styles.xml", "meta.xml"):
            if part not in names:
                continue
            try:
                xml.sax.parseString(archive.read(part), xml.sax.ContentHandler())
            except xml.sax.SAXParseException as exc:
                raise DocumentProblem(
                    f"the document is damaged: its {part} is not well-formed XML (line "
                    f"{exc.getLineNumber()}: {exc.getMessage()}); open it in LibreOffice and "
                    "save it again, or export it as PDF"
                ) from None


def _page_breaking_styles(document) -> set:
    """Names of the paragraph styles that start a new page (fo:break-before="page")."""
    names = set()
    for styles in (document.automaticstyles, document.styles):
        for style in styles.childNodes:
            if style.nodeType != style.ELEMENT_NODE or style.qname[1] != "style":
                continue
            for props in style.childNodes:
                if (
                    props.nodeType == props.ELEMENT_NODE
                    and props.qname[1] == "paragraph-properties"
                    and props.getAttribute("breakbefore") == "page"
                ):
                    names.add(style.getAttribute("name"))
    return names


def _has_break_first(node) -> bool:
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE and child.qname == (_TEXT, "soft-page-break"):
            return True
        if child.nodeType == child.TEXT_NODE and child.data.strip():
            return False
    return False


def _soft_break():
    from odf.text import SoftPageBreak

    return SoftPageBreak


def _table_row():
    from odf.table import TableRow

    return TableRow
