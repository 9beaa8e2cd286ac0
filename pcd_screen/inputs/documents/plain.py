"""Plain text (.txt), Markdown (.md, through markdown-it-py) and HTML (.html, through selectolax's
lexbor parser, which builds a tree and runs nothing: no script, no fetch)."""

from __future__ import annotations

import re

from pcd_screen.inputs.documents import guard
from pcd_screen.inputs.documents.model import DocumentProblem, Numbering, Parsed


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DocumentProblem(
                "not UTF-8 text: save it again as UTF-8 (or as .docx or PDF)"
            ) from None
    if "\x00" in text:
        raise DocumentProblem("not a text file (it holds NUL bytes): is it a Word or PDF file?")
    return text


def decode_text(data: bytes) -> str:
    """The text of a .txt or .md file, refused before it is split when it is longer than a
    proposal (its markup is a small part of it)."""
    text = decode(data)
    guard.check_text(len(text))
    return text


_NUMBERED = re.compile(r"^(\d+(\.\d+)*\.?|[IVX]+\.)\s+\S")


def read_txt(data: bytes) -> Parsed:
    """Paragraphs are separated by blank lines, pages by form feeds; a short line on its own
    that does not end like a sentence is a heading."""
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f")
    numbering = Numbering(len(pages) > 1)
    blocks = []
    for index, page in enumerate(pages):
        if index:
            numbering.new_page()
        for chunk in re.split(r"\n\s*\n", page):
            lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
            if not lines:
                continue
            if all(line.count("|") >= 1 or "\t" in line for line in lines) and len(lines) > 1:
                rows = [
                    [c.strip() for c in re.split(r"\t|\|", line.strip("|")) if True]
                    for line in lines
                    if not re.fullmatch(r"[\s|:\-+]+", line)
                ]
                blocks.append(numbering.block("table", "", rows=rows))
                continue
            first = lines[0]
            if len(lines) == 1 and _looks_like_heading(first):
                level = 1 if first.isupper() or first.count(".") <= 1 else 2
                blocks.append(numbering.block("heading", first, level))
            else:
                blocks.append(numbering.block("paragraph", " ".join(lines)))
            guard.check_counts(blocks)
    return Parsed("txt", blocks, None, numbering.page)


def _looks_like_heading(line: str) -> bool:
    if re.match(r"^[^:]{1,60}:\s*\S", line):  # "Country: Mali" states a value
        return False
    return (
        len(line) < 90
        and not line.endswith((".", ",", ";", ":"))
        or bool(_NUMBERED.match(line) and len(line) < 90 and not line.endswith("."))
    )


def read_md(data: bytes) -> Parsed:
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(decode_text(data))
    numbering = Numbering(False)
    blocks = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            blocks.append(
                numbering.block("heading", tokens[index + 1].content.strip(), int(token.tag[1]))
            )
            index += 3
            continue
        if token.type == "paragraph_open":
            text = tokens[index + 1].content.strip()
            if text:
                blocks.append(numbering.block("paragraph", " ".join(text.split("\n"))))
            index += 3
            continue
        if token.type == "table_open":
            rows, row = [], None
            while tokens[index].type != "table_close":
                kind = tokens[index].type
                if kind == "tr_open":
                    row = []
                elif kind == "inline" and row is not None:
                    row.append(tokens[index].content.strip())
                elif kind == "tr_close":
                    rows.append(row)
                    row = None
                index += 1
            guard.check_counts(blocks, sum(len(r) for r in rows))
            blocks.append(numbering.block("table", "", rows=rows))
        index += 1
        guard.check_counts(blocks)
    return Parsed("md", blocks, None, None)


# Elements whose end tag may be left out, and void elements: they add no nesting of their own.
_UNNESTED = {
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "thead", "tbody", "tfoot", "colgroup",
    "br", "img", "hr", "input", "meta", "link", "wbr", "col", "area", "base", "source",
}  # fmt: skip
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9]*)[^>]*?(/?)>")


def _check_elements(data: bytes) -> None:
    """Refuse HTML with more elements, or nested deeper, than a document has, before the parser
    sees it: its memory grows with the elements, its work with the square of the depth (2
    million elements take over 500 MiB; 100,000 nested divs take minutes)."""
    depth = 0
    for count, match in enumerate(_TAG.finditer(data)):
        if count > guard.MAX_HTML_ELEMENTS:
            raise DocumentProblem(
                f"refused: more than {guard.MAX_HTML_ELEMENTS:,} HTML elements; save the "
                "document again from the word processor, or export it as PDF"
            )
        closing, name, self_closing = match.groups()
        if self_closing or name.lower().decode() in _UNNESTED:
            continue
        depth += -1 if closing else 1
        if depth > guard.MAX_HTML_DEPTH:
            raise DocumentProblem(
                f"refused: elements nested more than {guard.MAX_HTML_DEPTH} deep; save the "
                "document again from the word processor, or export it as PDF"
            )
        depth = max(depth, 0)


_BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre", "dd"}


def read_html(data: bytes) -> Parsed:
    from selectolax.lexbor import LexborHTMLParser

    text = decode(data)
    _check_elements(data)
    tree = LexborHTMLParser(text)
    for node in tree.css("script, style, template, noscript, iframe, object, embed"):
        node.decompose()
    numbering = Numbering(False)
    blocks: list = []
    cells = 0
    title_node = tree.css_first("title")
    title = title_node.text(strip=True) if title_node else None
    root = tree.body
    if root is None:
        return Parsed("html", [], title, None)
    inside: dict[int, bool] = {}  # node -> inside a block (its text is that block's)
    for node in root.traverse(include_text=False):
        tag = node.tag
        parent = node.parent
        # the tree is walked parents first: a node looks at its parent only, not every ancestor
        # (a document of 100,000 nested divs would take minutes)
        enclosed = parent is not None and (
            parent.tag in _BLOCK_TAGS or inside.get(parent.mem_id, False)
        )
        inside[node.mem_id] = enclosed
        if tag not in _BLOCK_TAGS or enclosed:
            continue
        if tag == "table":
            rows = []
            for tr in node.css("tr"):
                row = [" ".join(cell.text(separator=" ").split()) for cell in tr.css("th, td")]
                if any(row):
                    rows.append(row)
            cells += sum(len(r) for r in rows)
            guard.check_counts(blocks, cells)
            if rows:
                blocks.append(numbering.block("table", "", rows=rows))
            continue
        text = " ".join(node.text(separator=" ").split())
        if not text:
            continue
        if tag.startswith("h") and tag[1:].isdigit():
            blocks.append(numbering.block("heading", text, int(tag[1:])))
        else:
            blocks.append(numbering.block("paragraph", text))
        guard.check_counts(blocks, cells)
    return Parsed("html", blocks, title or None, None)
