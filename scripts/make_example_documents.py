"""Generate the bundled document proposals from one source text.

examples/documents/youth-skills-jobs-senegal.md is the source (Markdown: headings, paragraphs,
tables; a line `---` starts a new page). From it:

- youth-skills-jobs-senegal.docx with python-docx (Word headings, Word tables, page breaks);
- youth-skills-jobs-senegal.odt with odfpy (headings, tables, paragraphs that break the page);
- youth-skills-jobs-senegal.pdf with WeasyPrint from the same text as HTML (A4, the same pages).

The hand-coded YAML twin is examples/youth-skills-jobs-senegal.yaml. Run: make example-documents
(or python scripts/make_example_documents.py); the generated files are committed.
"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from markdown_it import MarkdownIt

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "examples" / "documents" / "youth-skills-jobs-senegal.md"
FIXED = datetime.datetime(2026, 11, 2, 9, 0, 0)


def blocks(text: str):
    """("heading", level, text) | ("paragraph", text) | ("table", rows) | ("page",)."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            yield ("heading", int(token.tag[1]), tokens[index + 1].content)
            index += 3
            continue
        if token.type == "paragraph_open":
            yield ("paragraph", tokens[index + 1].content.replace("\n", " "))
            index += 3
            continue
        if token.type == "hr":
            yield ("page",)
        if token.type == "table_open":
            rows, row = [], None
            while tokens[index].type != "table_close":
                kind = tokens[index].type
                if kind == "tr_open":
                    row = []
                elif kind == "inline" and row is not None:
                    row.append(tokens[index].content)
                elif kind == "tr_close":
                    rows.append(row)
                index += 1
            yield ("table", rows)
        index += 1


def title_of(text: str) -> str:
    return next(b[2] for b in blocks(text) if b[0] == "heading")


def write_docx(text: str, path: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.core_properties.title = title_of(text)
    document.core_properties.author = "Enabel (example)"
    document.core_properties.created = FIXED
    document.core_properties.modified = FIXED
    document.core_properties.last_modified_by = "pcd-screen examples"
    for block in blocks(text):
        if block[0] == "heading":
            document.add_heading(block[2], level=0 if block[1] == 1 else block[1] - 1)
        elif block[0] == "paragraph":
            document.add_paragraph(block[1])
        elif block[0] == "page":
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        else:
            rows = block[1]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
                    if r == 0:
                        for run in table.cell(r, c).paragraphs[0].runs:
                            run.bold = True
    document.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """The package rewritten with fixed member times: the same source gives the same bytes."""
    import io
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info.filename)) for info in archive.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members:
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = info.compress_type  # an ODF mimetype stays stored, first
            archive.writestr(fixed, content)
    path.write_bytes(out.getvalue())


CSS = """
@page { size: A4; margin: 2cm; @bottom-center { content: "page " counter(page); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.4; }
h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: .6em 0; }
td, th { border: 0.6pt solid #444; padding: 3pt 5pt; text-align: left; vertical-align: top; }
hr { break-after: page; border: 0; margin: 0; }
"""


def write_pdf(text: str, path: Path) -> None:
    import html

    from weasyprint import HTML

    body = MarkdownIt("commonmark").enable("table").render(text)
    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title_of(text))}</title>"
        f"<meta name='author' content='Enabel (example)'>"
        f"<style>{CSS}</style></head><body>{body}</body></html>"
    )
    HTML(string=page).write_pdf(path)


def write_odt(text: str, path: Path) -> None:
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    page_break = Style(name="PageBreak", family="paragraph")
    page_break.addElement(ParagraphProperties(breakbefore="page"))
    document.automaticstyles.addElement(page_break)
    from odf.dc import Title

    document.meta.addElement(Title(text=title_of(text)))
    new_page = False
    for block in blocks(text):
        if block[0] == "page":
            new_page = True
            continue
        style = {"stylename": page_break} if new_page else {}
        if block[0] == "heading":
            document.text.addElement(H(outlinelevel=block[1], text=block[2], **style))
        elif block[0] == "paragraph":
            document.text.addElement(P(text=block[1], **style))
        else:
            if new_page:
                document.text.addElement(P(text="", **style))
            rows = block[1]
            table = Table()
            table.addElement(TableColumn(numbercolumnsrepeated=len(rows[0])))
            for row in rows:
                line = TableRow()
                for cell in row:
                    element = TableCell()
                    element.addElement(P(text=cell))
                    line.addElement(element)
                table.addElement(line)
            document.text.addElement(table)
        new_page = False
    document.save(str(path))
    _fix_zip_times(path)


def main(argv: list[str]) -> int:
    text = SOURCE.read_text(encoding="utf-8")
    for suffix, write in ((".docx", write_docx), (".odt", write_odt), (".pdf", write_pdf)):
        write(text, SOURCE.with_suffix(suffix))
        print(f"wrote {SOURCE.with_suffix(suffix)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
