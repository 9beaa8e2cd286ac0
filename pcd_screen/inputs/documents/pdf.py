"""PDF through pdfplumber (pdfminer.six): text lines grouped into paragraphs by the space between
them, headings told by a larger or bold font, tables found by their ruling lines and kept as
tables; every block knows its page. An encrypted PDF that needs a password is refused."""

from __future__ import annotations

import io
import statistics

from pcd_screen.inputs.documents import guard
from pcd_screen.inputs.documents.model import Block, DocumentProblem, Parsed, table_text


def read(data: bytes) -> Parsed:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except (PDFPasswordIncorrect, PDFEncryptionError, PdfminerException, PDFSyntaxError) as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise DocumentProblem(
                "the PDF is encrypted and needs a password: ask the applicant for an "
                "unprotected copy, or open it, print it to a new PDF and screen that"
            ) from None
        raise DocumentProblem(f"not a PDF that can be read ({cause})") from None
    with pdf:
        if len(pages) > guard.MAX_PDF_PAGES:
            raise DocumentProblem(
                f"refused: {len(pages)} pages (at most {guard.MAX_PDF_PAGES}); split the document"
            )
        blocks: list[Block] = []
        tables = 0
        cells = 0
        clock = guard.PdfClock()
        for number, page in enumerate(pages, start=1):
            with clock.page(number):
                found = page.find_tables()
                boxes = [t.bbox for t in found]
                items = []  # (top, block)
                for table in found:
                    rows = [
                        [(c or "").replace("\n", " ").strip() for c in row]
                        for row in table.extract()
                    ]
                    rows = [row for row in rows if any(row)]
                    cells += sum(len(row) for row in rows)
                    guard.check_counts(blocks, cells)
                    if rows:
                        items.append((table.bbox[1], rows))

                def outside(obj, boxes=boxes):
                    x = (obj["x0"] + obj["x1"]) / 2
                    y = (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                lines = page.filter(outside).extract_text_lines(return_chars=True, strip=True)
                for top, paragraph in _paragraphs(lines):
                    items.append((top, paragraph))
                items.sort(key=lambda item: item[0])
                count = 0
                for _top, item in items:
                    if isinstance(item, list):
                        tables += 1
                        blocks.append(
                            Block("table", table_text(item), number, None, 0, tables, item)
                        )
                    else:
                        kind, text, level = item
                        count += 1
                        blocks.append(Block(kind, text, number, count, level))
                guard.check_counts(blocks, cells)
                page.flush_cache()
        title = (pdf.metadata or {}).get("Title")
        title = title.strip() if isinstance(title, str) and title.strip() else None
        return Parsed("pdf", blocks, title, len(pages))


def _paragraphs(lines: list[dict]):
    """(top, (kind, text, level)) for each run of lines close together in the same font size."""
    if not lines:
        return
    sizes = [statistics.median(c["size"] for c in line["chars"]) for line in lines]
    body = statistics.median(sizes)
    current: list[str] = []
    start = None
    kind = level = None
    previous = None
    for line, size in zip(lines, sizes, strict=True):
        bold = all("Bold" in (c.get("fontname") or "") for c in line["chars"] if c["text"].strip())
        heading = size > body * 1.15 or (bold and len(line["text"]) < 120)
        line_kind = "heading" if heading else "paragraph"
        gap = line["top"] - previous["bottom"] if previous else 0
        height = previous["bottom"] - previous["top"] if previous else 0
        if current and (line_kind != kind or gap > height * 0.6 or kind == "heading"):
            yield start, (kind, " ".join(current), level)
            current = []
        if not current:
            start = line["top"]
            kind = line_kind
            level = (1 if size > body * 1.4 else 2) if heading else 0
        current.append(line["text"])
        previous = line
    if current:
        yield start, (kind, " ".join(current), level)
