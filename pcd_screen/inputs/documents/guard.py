"""Limits on hostile documents, checked before and while a reader works (docs/security.md):

- size: a file over the limit is refused from its size, before it is read;
- zip packages (.docx, .odt): the member count, each member's declared size, the total and the
  compression ratio are checked before any member is decompressed (zip bombs); a reader of the
  standard library never inflates a member past its declared size;
- every reader runs in a child process with a time bound and a memory bound (PDF bombs, XML
  expansion, huge tables); a PDF has, besides, a time bound on each page and a budget that grows
  with the pages read (a small hostile PDF of many slow pages is refused in seconds, not after
  the whole document's bound): a document that takes longer or more memory is refused, and the
  process screening it is never the one that runs out;
- what the child gives back is bounded (paragraphs, table cells, characters of text), so the
  extraction and the screening that follow in the parent take seconds, not minutes;
- a process reads at most a few documents at once (the workbench's uploads wait their turn);
- nothing is fetched: linked images, external templates and hyperlinks are never followed, and
  macros (vbaProject.bin of a .docm) are never read, let alone run.

The limits are sized for a real proposal (a few hundred pages) with a wide margin: the bundled
examples read in under a second in under 200 MiB of address space.
"""

from __future__ import annotations

import io
import threading
import zipfile
from contextlib import contextmanager

from pcd_screen.core.proposal import MAX_TEXT_CHARS

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 160 * 1024 * 1024
MAX_RATIO = 150  # declared size / compressed size of one member above 1 MiB
MAX_PDF_PAGES = 400
# A proposal's PDF page reads in about 0.1 s: the bundled example's 4 pages in 0.08 s each (max
# 0.12), the same pages repeated to 300 in 0.097 s each (median 0.093, max 0.34, 29 s in all),
# on a loaded 2-core machine. The bounds leave a margin of 3 (a page) and 2.5 (the pages so far).
PDF_PAGE_SECONDS = 1.0  # one page
PDF_BASE_SECONDS = 3.0  # opening the document, and the slow first pages a budget must allow
PDF_SECONDS_PER_PAGE = 0.25  # page n must be read within PDF_BASE_SECONDS + n times this
MAX_BLOCKS = 10000  # paragraphs, headings and tables: 25 a page over 400 pages
MAX_TABLE_CELLS = 50000
MAX_HTML_ELEMENTS = 500_000  # tags, end tags included: 50 a paragraph for 10,000 paragraphs
MAX_HTML_DEPTH = 300  # elements inside elements; a word processor's export nests a few dozen
TIME_LIMIT = 60.0  # seconds for one document (400 PDF pages at 0.1 s each, and a margin)
MEMORY_LIMIT = 512 * 1024 * 1024  # address space of the reading process
MAX_CONCURRENT_READS = 2  # documents read at once by one process (each in its own child)
READ_QUEUE_SECONDS = 30.0  # how long a document waits for a free reader before it is refused

_readers = threading.BoundedSemaphore(MAX_CONCURRENT_READS)


def check_zip(data: bytes, what: str) -> None:
    """Refuse a zip package that would expand beyond the limits, from its directory alone."""
    from pcd_screen.inputs.documents.model import DocumentProblem

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DocumentProblem(
            f"not a {what} document (the file is not a zip package): save it again from the "
            "word processor, or export it as PDF"
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise DocumentProblem(
                f"refused: the package holds {len(members)} parts (at most {MAX_MEMBERS}); "
                "this is not how a word processor writes a proposal"
            )
        total = 0
        for member in members:
            total += member.file_size
            big = member.file_size > 1024 * 1024
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > MAX_MEMBER_BYTES or (big and ratio > MAX_RATIO):
                raise DocumentProblem(
                    f"refused: part {member.filename!r} expands to {member.file_size:,} bytes "
                    f"from {member.compress_size:,} (a zip bomb?)"
                )
        if total > MAX_TOTAL_BYTES:
            raise DocumentProblem(
                f"refused: the package expands to {total:,} bytes (at most {MAX_TOTAL_BYTES:,})"
            )


def check_counts(blocks: list, cells: int = 0) -> None:
    from pcd_screen.inputs.documents.model import DocumentProblem

    if len(blocks) > MAX_BLOCKS:
        raise DocumentProblem(f"refused: more than {MAX_BLOCKS:,} paragraphs and tables")
    if cells > MAX_TABLE_CELLS:
        raise DocumentProblem(f"refused: tables with more than {MAX_TABLE_CELLS:,} cells")


def check_text(characters: int) -> None:
    """Refuse a document with more text than a proposal may have (core/proposal.py), here in
    the reader, before the extraction and the screening, which take time in proportion to it."""
    from pcd_screen.inputs.documents.model import DocumentProblem

    if characters > MAX_TEXT_CHARS:
        raise DocumentProblem(
            f"refused: {characters:,} characters of text (at most {MAX_TEXT_CHARS:,}, about "
            f"{MAX_PDF_PAGES} pages); screen the proposal without its annexes"
        )


class PdfClock:
    """The time bounds of a PDF's pages: page n must be read within PDF_PAGE_SECONDS and by
    PDF_BASE_SECONDS + n * PDF_SECONDS_PER_PAGE after the clock started, so that a hostile PDF
    of many pages each just under the page bound is refused after a few of them, while a real
    one (0.1 s a page) never comes near. Only in the main thread of a process (the reading
    child): elsewhere the child's own time bound remains."""

    def __init__(self):
        import time

        self._started = time.monotonic()

    @contextmanager
    def page(self, number: int):
        import signal
        import time

        from pcd_screen.inputs.documents.model import DocumentProblem

        if threading.current_thread() is not threading.main_thread() or not hasattr(
            signal, "setitimer"
        ):
            yield
            return
        budget = PDF_BASE_SECONDS + number * PDF_SECONDS_PER_PAGE
        left = self._started + budget - time.monotonic()
        if left >= PDF_PAGE_SECONDS:
            message = (
                f"refused: page {number} took longer than {_seconds(PDF_PAGE_SECONDS)} to read"
            )
        else:
            message = (
                f"refused: its first {number} pages took longer than {_seconds(budget)} to read "
                f"({_seconds(PDF_SECONDS_PER_PAGE)} a page and {_seconds(PDF_BASE_SECONDS)} "
                "to open it)"
            )
        message += " (a hostile or damaged PDF?); export it again, or screen its text as .txt"

        def expired(_signum, _frame):
            raise DocumentProblem(message)

        if left <= 0:
            raise DocumentProblem(message)
        previous = signal.signal(signal.SIGALRM, expired)
        signal.setitimer(signal.ITIMER_REAL, min(PDF_PAGE_SECONDS, left))
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _seconds(value: float) -> str:
    return f"{value:g} second" + ("" if value == 1 else "s")


def _limit_memory() -> None:
    import os

    # PCD_SCREEN_DOCUMENT_MEMORY (bytes) lowers or raises the bound, for a small server or a test.
    limit = int(os.environ.get("PCD_SCREEN_DOCUMENT_MEMORY") or MEMORY_LIMIT)
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the time bound remains
        pass


def parse_bounded(kind: str, data: bytes, time_limit: float | None = None):
    """parse_here(kind, data) in a child process (this module run with -m), within the time and
    memory bounds, once one of the MAX_CONCURRENT_READS readers is free (DocumentBusy when none
    is within READ_QUEUE_SECONDS)."""
    from pcd_screen.inputs.documents.model import DocumentBusy

    if not _readers.acquire(timeout=READ_QUEUE_SECONDS):
        raise DocumentBusy(
            f"refused for now: {MAX_CONCURRENT_READS} documents are being read; try again in "
            "a minute"
        )
    try:
        return _parse_in_child(kind, data, TIME_LIMIT if time_limit is None else time_limit)
    finally:
        _readers.release()


def _parse_in_child(kind: str, data: bytes, limit: float):
    """The child gets the bytes on stdin and answers JSON on stdout (its own copy of the
    standard output: what a library prints goes to stderr); it is killed when the time is up."""
    import json
    import subprocess
    import sys

    from pcd_screen.inputs.documents.model import Block, DocumentProblem, Parsed

    try:
        done = subprocess.run(
            [sys.executable, "-m", "pcd_screen.inputs.documents.guard", kind],
            input=data,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # what libraries print there (a whole XML part) is noise
            timeout=limit,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DocumentProblem(
            f"refused: reading it took longer than {limit:.0f} seconds (a hostile or damaged "
            "document?); export it again, or screen its text as .txt"
        ) from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        # No answer: the child ended without one, killed or out of memory outside Python.
        raise DocumentProblem(
            f"refused: the reader stopped (it needed more than {_memory_text()} of memory?)"
        ) from None
    if answer["status"] == "problem":
        raise DocumentProblem(answer["message"])
    parsed = answer["parsed"]
    parsed["blocks"] = [Block(**block) for block in parsed["blocks"]]
    return Parsed(**parsed)


def _memory_text() -> str:
    import os

    limit = int(os.environ.get("PCD_SCREEN_DOCUMENT_MEMORY") or MEMORY_LIMIT)
    return f"{limit / 1024 / 1024:,.0f} MiB"


def _cause(exc: BaseException) -> BaseException:
    """The exception a library wrapped in its own (pdfplumber's PdfminerException(cause)); a
    buffer zlib could not allocate is memory too."""
    import zlib

    while exc.args and isinstance(exc.args[0], BaseException):
        exc = exc.args[0]
    if isinstance(exc, zlib.error) and "allocate" in str(exc):
        return MemoryError()
    return exc


def _main() -> int:
    """The child: read the document from stdin, answer {"status", "parsed" | "message"} on a
    copy of the standard output made before anything else runs; the standard output itself
    goes to stderr, so that what a library prints ("SAX FAILED TO PARSE") never mixes with the
    answer."""
    import json
    import os
    import sys
    from dataclasses import asdict

    channel = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _limit_memory()
    from pcd_screen.inputs.documents import parse_here
    from pcd_screen.inputs.documents.model import DocumentProblem

    kind = sys.argv[1]
    data = sys.stdin.buffer.read()
    memory = f"refused: it needs more than {_memory_text()} of memory"
    try:
        try:
            parsed = parse_here(kind, data)
        except Exception as exc:  # a library's wrapper (pdfplumber's) around the real cause
            raise _cause(exc) from None
        check_text(sum(len(block.text) for block in parsed.blocks))
        answer = {"status": "ok", "parsed": asdict(parsed)}
    except DocumentProblem as exc:
        answer = {"status": "problem", "message": str(exc)}
    except MemoryError:
        answer = {"status": "problem", "message": memory}
    except ImportError as exc:  # a library that cannot even be mapped under the bound
        message = memory
        if "map" not in str(exc) and "memory" not in str(exc).lower():
            message = f"pcd-screen is not installed completely ({exc})"
        answer = {"status": "problem", "message": message}
    except RecursionError:
        answer = {"status": "problem", "message": "refused: nested too deeply"}
    except Exception as exc:  # a parser's error on a damaged file: the file's fault, say so
        detail = f"{type(exc).__name__}: {exc}"[:300]
        message = (
            f"cannot be read ({detail}): the file is damaged or not what its name says; open "
            "it and save it again (or export it as PDF), then screen the new file"
        )
        answer = {"status": "problem", "message": message}
    channel.write(json.dumps(answer))
    channel.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
