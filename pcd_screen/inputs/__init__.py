"""Readers of every input kind, one registry by file suffix: proposal files (YAML, JSON) and
portfolio exports (IATI XML, CSV) and documents (Word, OpenDocument, PDF, text,
Markdown, HTML). Each gives proposals, or a located error text per bad record.

To add an input kind, write its reader (a function file, lang, max_size -> iterator of validated
proposal mappings, Proposal objects or error texts) and add one Importer line below; `screen`,
`batch` and `import` read it from then on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module


@dataclass(frozen=True)
class Importer:
    kind: str
    suffixes: tuple[str, ...]
    target: str  # "module:function", imported only when a file of this kind is read
    # Many proposals per file: batch parses it in the main process and sends chunks to workers.
    portfolio: bool = False
    # Looked for in folders and globs; False for kinds a folder holds for other reasons (a
    # README.md, notes.txt): those are read only when named.
    searched: bool = True


IMPORTERS: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    IMPORTERS[importer.kind] = importer


for _importer in (
    Importer("proposal", (".yaml", ".yml", ".json"), "pcd_screen.inputs.proposal:read_proposals"),
    Importer("iati", (".xml",), "pcd_screen.inputs.iati:read_records", portfolio=True),
    Importer("csv", (".csv",), "pcd_screen.inputs.csvtable:read_records", portfolio=True),
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


def records(file: str, lang: str = "en", max_size: int | None = None) -> Iterator:
    """What a file holds, in order: proposal mappings already validated, Proposal objects, or
    the text of an error (one bad record never hides the others)."""
    importer = importer_for(file)
    if importer is None:
        yield f"{file}: not a kind of input pcd-screen reads"
        return
    module, _, name = importer.target.partition(":")
    yield from getattr(import_module(module), name)(file, lang, max_size)


def proposals(file: str, lang: str = "en", max_size: int | None = None) -> Iterator:
    """records() with every mapping made a Proposal (located in its file as far as known)."""
    from pcd_screen.core.located import Document
    from pcd_screen.core.proposal import Proposal

    for item in records(file, lang, max_size):
        if isinstance(item, dict):
            yield Proposal(item, Document(data=item, file=file))
        else:
            yield item
