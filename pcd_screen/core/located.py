"""The kernel every stage shares: data with the location of each value, and the errors that
name file, line, column and field. Nothing here reads a file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
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
        return f"{where}: {self.path or '(document)'}: {self.message}"


class LoadError(Exception):
    """Raised with every problem found; str() gives one FILE:LINE:COL line per problem."""

    def __init__(self, errors: list[InputError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Document:
    """Parsed data plus the position (1-based line, column) of every value, keyed by path."""

    data: object
    file: str
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    # Where a value was found in a document that has no lines (a Word or PDF proposal): a label
    # such as "p. 3, ¶ 2" or "p. 4, table 1, row 2, cell 3", keyed by path like positions.
    labels: dict[tuple, str] = field(default_factory=dict)

    def label_of(self, path: tuple) -> str | None:
        """The document location of the value at path, or of its nearest labelled ancestor."""
        path = tuple(path)
        while True:
            if path in self.labels:
                return self.labels[path]
            if not path:
                return None
            path = path[:-1]

    def line_of(self, path: tuple) -> int | None:
        """The line of the value at path, or of its nearest located ancestor."""
        path = tuple(path)
        while True:
            if path in self.positions:
                return self.positions[path][0]
            if not path:
                return None
            path = path[:-1]

    def position_of(self, path: tuple) -> tuple[int | None, int | None]:
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (None, None))


def format_path(path: tuple) -> str:
    """("activities", 0, "category") -> "activities[0].category"."""
    out = ""
    for part in path:
        if isinstance(part, int) or part == "*":
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
