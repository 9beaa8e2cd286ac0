"""What a document reader gives: the document as blocks (headings, paragraphs, tables) in reading
order, each with where it is (page, paragraph on the page, table), so that every value taken
from it can say where it was found."""

from __future__ import annotations

from dataclasses import dataclass, field


class DocumentProblem(Exception):
    """A document that cannot be read: the message says why and what to do."""


class DocumentBusy(DocumentProblem):
    """No reader free in time: the document itself may be fine (the workbench answers 503)."""


@dataclass
class Block:
    kind: str  # "heading" | "paragraph" | "table"
    text: str  # for a table: its rows, cells joined by " | ", one row a line
    page: int | None = None  # 1-based, when the document has pages
    paragraph: int | None = None  # 1-based, on its page (or in the document without pages)
    level: int = 0  # heading level (1 = top)
    table: int | None = None  # 1-based number of the table in the document
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Parsed:
    kind: str  # docx, odt, pdf, txt, md, html
    blocks: list[Block]
    title: str | None = None  # from the document's properties
    pages: int | None = None


def label(block: Block, row: int | None = None, cell: int | None = None) -> str:
    """Where a block (or a cell of a table) is, as a reader finds it: "p. 3, ¶ 2",
    "p. 4, table 1, row 2, cell 3", "¶ 14" in a document without pages."""
    parts = []
    if block.page is not None:
        parts.append(f"p. {block.page}")
    if block.kind == "table":
        parts.append(f"table {block.table}")
        if row is not None:
            parts.append(f"row {row}")
        if cell is not None:
            parts.append(f"cell {cell}")
    elif block.paragraph is not None:
        parts.append(f"¶ {block.paragraph}")
    return ", ".join(parts)


def table_text(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(cell for cell in row) for row in rows)


class Numbering:
    """Paragraph numbers, restarted on every page when the document has pages."""

    def __init__(self, paged: bool):
        self.paged = paged
        self.page = 1 if paged else None
        self.count = 0
        self.tables = 0

    def new_page(self) -> None:
        if self.paged:
            self.page += 1
            self.count = 0

    def block(self, kind: str, text: str, level: int = 0, rows=None) -> Block:
        if kind == "table":
            self.tables += 1
            return Block(kind, table_text(rows), self.page, None, 0, self.tables, rows)
        self.count += 1
        return Block(kind, text, self.page, self.count, level)
