"""A proposal as every stage sees it: the data, and where each value came from."""

from __future__ import annotations

from dataclasses import dataclass

from pcd_screen.core.located import Document

# Characters of text in one proposal, whatever it was read from (a YAML or JSON file, a
# document, a spreadsheet row, an IATI activity): 5,000 a page over 400 pages. Screening takes
# time in proportion to the text (some 2 s a million characters), so more is refused.
MAX_TEXT_CHARS = 2_000_000


# repr=False: a dataclass's generated methods are compiled at every import (start-up).
@dataclass(repr=False, eq=False)
class Proposal:
    """A validated proposal: its data, where it came from and the line of every value."""

    data: dict
    document: Document

    @property
    def id(self) -> str:
        return str(self.data.get("id"))

    @property
    def title(self) -> str:
        return str(self.data.get("title", ""))

    @property
    def file(self) -> str:
        return self.document.file

    def line_of(self, path) -> int | None:
        return self.document.line_of(tuple(path))
