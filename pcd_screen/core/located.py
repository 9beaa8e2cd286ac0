"""The kernel every stage shares: data with the location of each value, and the errors that
name file, line, column and field. Nothing here reads a file."""

from __future__ import annotations

from dataclasses import dataclass, field


# repr=False: a dataclass's generated methods are compiled at every import (start-up).
@dataclass(repr=False, frozen=True)
class InputError:
    """One problem in an input file, located as precisely as the parser allows."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.field_and_message()}"

    def field_and_message(self) -> str:
        """ "period.start: ...": the field (the document as a whole when there is none)."""
        return f"{clip(self.path, 200) or '(document)'}: {clip(self.message)}"


class LoadError(Exception):
    """Raised with every problem found; str() gives one FILE:LINE:COL line per problem."""

    def __init__(self, errors: list[InputError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass(repr=False, eq=False)
class Document:
    """Parsed data plus the position (1-based line, column) of every value, keyed by path."""

    data: object
    file: str
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    # For imported data: the source element (IATI) or column (CSV) of a value, keyed by path.
    elements: dict[tuple, str] = field(default_factory=dict)
    # Where a value was found in a document that has no lines (a Word or PDF proposal): a label
    # such as "p. 3, ¶ 2" or "p. 4, table 1, row 2, cell 3", keyed by path like positions.
    labels: dict[tuple, str] = field(default_factory=dict)
    # A text written over several lines of the file (a folded or literal block, say): its
    # first line and its offsets in `source`, the file's text, keyed by path; so that a quoted
    # sentence is located on its own line rather than on its key's.
    spans: dict[tuple, tuple[int, int, int]] = field(default_factory=dict)
    source: str = ""
    # line_of_quote's answers: a finding's evidence is shown twice (its own, with its scope)
    quote_lines: dict[tuple, int | None] = field(default_factory=dict, repr=False, compare=False)

    def element_of(self, path: tuple) -> str | None:
        """The source element of the value at path, or of its nearest located ancestor."""
        return _nearest(self.elements, path)

    def label_of(self, path: tuple) -> str | None:
        """The document location of the value at path, or of its nearest labelled ancestor."""
        return _nearest(self.labels, path)

    def line_of(self, path: tuple) -> int | None:
        """The line of the value at path, or of its nearest located ancestor."""
        path = tuple(path)
        while True:
            if path in self.positions:
                return self.positions[path][0]
            if not path:
                return None
            path = path[:-1]

    def line_of_quote(self, path: tuple, quote: str) -> int | None:
        """The line where a sentence quoted from the text at path begins, for a text written
        over several lines; else the line of the value (line_of)."""
        key = (tuple(path), quote)
        if key not in self.quote_lines:
            self.quote_lines[key] = self._line_of_quote(key[0], quote)
        return self.quote_lines[key]

    def _line_of_quote(self, path: tuple, quote: str) -> int | None:
        span = self.spans.get(path)
        words = quote.replace("\u2026", " ").split()
        if span and words:
            line, start, end = span
            found = _words_at(self.source[start:end], words)
            if found != -1:
                return line + self.source.count("\n", start, start + found)
        return self.line_of(path)

    def position_of(self, path: tuple) -> tuple[int | None, int | None]:
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (None, None))


def _words_at(text: str, words: list[str]) -> int:
    """Where words occur in text one after another, whitespace (one or more characters, line
    breaks included) between them; -1 if they do not. No regular expression: one per quote
    cost more than the screening around it."""
    first = words[0]
    at = text.find(first)
    while at != -1:
        end = at + len(first)
        for word in words[1:]:
            gap = end
            while gap < len(text) and text[gap].isspace():
                gap += 1
            if gap == end or not text.startswith(word, gap):
                break
            end = gap + len(word)
        else:
            return at
        at = text.find(first, at + 1)
    return -1


def format_path(path: tuple) -> str:
    """("activities", 0, "category") -> "activities[0].category"."""
    out = ""
    for part in path:
        if isinstance(part, int) or part == "*":
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def clip(text: str, limit: int = 1000) -> str:
    """A message or field path made from input, cut to at most about limit characters: a key or
    a value may be megabytes long, and an error message is read by people."""
    text = str(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def excerpt(text: str, limit: int = 60) -> str:
    """repr() of a value quoted in a message, cut to its first limit characters."""
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


def _nearest(table: dict, path) -> str | None:
    """The entry of path in table, or of its nearest ancestor that has one."""
    path = tuple(path)
    while True:
        if path in table:
            return table[path]
        if not path:
            return None
        path = path[:-1]
