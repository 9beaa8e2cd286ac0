"""Readers of every input kind, one registry by file suffix: proposal files (YAML, JSON) and
portfolio exports (IATI XML, CSV) and documents (Word, OpenDocument, PDF, text,
Markdown, HTML). Each gives proposals, or a located error text per bad record.

To add an input kind, write its reader (a function file, lang, max_size -> iterator of validated
proposal mappings, Proposal objects or error texts) and add one Importer line below; `screen`,
`batch` and `import` read it from then on.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import NamedTuple


class Importer(NamedTuple):  # not a dataclass: made at import on every run (bench/README.md)
    kind: str
    suffixes: tuple[str, ...]
    target: str  # "module:function", imported only when a file of this kind is read
    # Many proposals per file: batch parses it in the main process and sends chunks to workers.
    portfolio: bool = False
    # The reader takes a column mapping (column_map, constants): spreadsheets.
    mapped: bool = False
    # Looked for in folders and globs; False for kinds a folder holds for other reasons (a
    # README.md, notes.txt): those are read only when named.
    searched: bool = True
    # "module:function" completing a record read with deferred=True, in the process that
    # screens it (see finish()): the reader leaves out the part that reads the prose (IATI: the
    # activity category), which screening reads anyway, so batch workers read each text once.
    finish: str | None = None


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer


for _importer in (
    Importer("proposal", (".yaml", ".yml", ".json"), "pcd_screen.inputs.proposal:read_proposals"),
    Importer(
        "iati",
        (".xml",),
        "pcd_screen.inputs.iati:read_records",
        portfolio=True,
        finish="pcd_screen.inputs.iati:finish_category",
    ),
    Importer(
        "csv", (".csv",), "pcd_screen.inputs.csvtable:read_records", portfolio=True, mapped=True
    ),
    # Word, OpenDocument, PDF, text, Markdown, HTML: one proposal per document (documents/).
    Importer(
        "document", (".docx", ".docm", ".odt", ".pdf"), "pcd_screen.inputs.documents:read_records"
    ),
    Importer(
        "text-document",
        (".txt", ".md", ".markdown", ".html", ".htm"),
        "pcd_screen.inputs.documents:read_records",
        searched=False,
    ),
):
    register(_importer)


def suffixes(named: bool = False) -> tuple[str, ...]:
    """The suffixes looked for in folders and globs (with named=True: every suffix read)."""
    return tuple(
        s
        for importer in IMPORTERS.values()
        if named or importer.searched
        for s in importer.suffixes
    )


def importer_for(file: str) -> Importer | None:
    lowered = str(file).lower()
    for importer in IMPORTERS.values():
        if lowered.endswith(importer.suffixes):
            return importer
    return None


def records(
    file: str,
    lang: str = "en",
    max_size: int | None = None,
    mapping: dict | None = None,
    deferred: bool = False,
) -> Iterator:
    """What a file holds, in order: proposal mappings already validated, Proposal objects, or
    the text of an error or note (one bad record never hides the others). mapping, for
    spreadsheets: {"columns": {header: field}, "constants": {field: value}}. deferred: mappings
    of an importer with a finish step are given unfinished; pass each through finish()."""
    importer = importer_for(file)
    if importer is None:
        yield f"{file}: not a kind of input pcd-screen reads"
        return
    reader = _function(importer.target)
    extra = {"deferred": True} if deferred and importer.finish else {}
    if importer.mapped and mapping:
        yield from reader(
            file,
            lang,
            max_size,
            mapping.get("columns") or None,
            mapping.get("constants") or None,
            **extra,
        )
    else:
        yield from reader(file, lang, max_size, **extra)


def finish(file: str, data: dict) -> dict | str:
    """A mapping records(deferred=True) gave, completed by its importer's finish step (the
    validated proposal), or the text of the error."""
    importer = importer_for(file)
    if importer is None or importer.finish is None:
        return data
    return _function(importer.finish)(data)


def _function(target: str):
    module, _, name = target.partition(":")
    return getattr(import_module(module), name)


def proposals(file: str, lang: str = "en", max_size: int | None = None) -> Iterator:
    """records() with every mapping made a Proposal (located in its file as far as known)."""
    from pcd_screen.core.proposal import Proposal

    for item in records(file, lang, max_size):
        if isinstance(item, dict):
            yield Proposal(item, document_for(item, file))
        else:
            yield item


def document_for(data: dict, file: str):
    """The Document of an imported proposal mapping: where each value came from, as the
    importer recorded it (IATI: x-iati.lines, [path, line, element] of every value read; CSV:
    x-source, the spreadsheet row of the whole proposal), so findings cite the source."""
    # (A note of the CSV reader is a text too; see is_note.)
    from pcd_screen.core.located import Document

    positions: dict = {}
    elements: dict = {}
    iati = data.get("x-iati")
    source = data.get("x-source")
    if isinstance(iati, dict) and isinstance(iati.get("lines"), list):
        for path, line, element in iati["lines"]:
            positions[tuple(path)] = (line, 1)
            elements[tuple(path)] = element
    elif isinstance(source, dict) and isinstance(source.get("row"), int):
        positions[()] = (source["row"], 1)  # the spreadsheet row of every value
    return Document(data=data, file=file, positions=positions, elements=elements)


def skipped_inputs(problems) -> int:
    """How many inputs the problems left out: a proposal file once however many errors it has,
    and each row or activity of a portfolio file once (a row's two empty cells are one row)."""
    import re

    left_out = set()
    for problem in problems:
        if is_note(problem):
            continue
        where = re.match(r"(.*?)((?::\d+)*): ", problem)
        if where is None:
            left_out.add((problem, ""))
            continue
        file, numbers = where.group(1), where.group(2).split(":")[1:]
        importer = importer_for(file)
        row = numbers[0] if numbers and importer is not None and importer.portfolio else ""
        left_out.add((file, row))
    return len(left_out)


def is_note(text: str) -> bool:
    """A reader's note (the column mapping used, columns kept as x- fields): shown to the user
    but not a problem; `FILE:ROW: note: ...`."""
    return isinstance(text, str) and ": note: " in text
