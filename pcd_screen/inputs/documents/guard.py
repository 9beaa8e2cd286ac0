"""Limits on hostile documents, checked before and while a reader works (docs/security.md):

- size: a file over the limit is refused from its size, before it is read;
- zip packages (.docx, .odt): the member count, each member's declared size, the total and the
  compression ratio are checked before any member is decompressed (zip bombs); a reader of the
  standard library never inflates a member past its declared size;
- every reader runs in a child process with a time bound and a memory bound (PDF bombs, XML
  expansion, huge tables): a document that takes longer or more memory is refused, and the
  process screening it is never the one that runs out;
- nothing is fetched: linked images, external templates and hyperlinks are never followed, and
  macros (vbaProject.bin of a .docm) are never read, let alone run.
"""

from __future__ import annotations

import io
import zipfile

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 160 * 1024 * 1024
MAX_RATIO = 150  # declared size / compressed size of one member above 1 MiB
MAX_PDF_PAGES = 400
MAX_BLOCKS = 20000
MAX_TABLE_CELLS = 50000
TIME_LIMIT = 60.0  # seconds for one document
MEMORY_LIMIT = 1536 * 1024 * 1024  # address space of the reading process


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
    memory bounds. The child gets the bytes on stdin and answers JSON on stdout; it is killed
    when the time is up."""
    import json
    import subprocess
    import sys

    from pcd_screen.inputs.documents.model import Block, DocumentProblem, Parsed

    limit = TIME_LIMIT if time_limit is None else time_limit
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pcd_screen.inputs.documents.guard", kind],
            input=data,
            capture_output=True,
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
        raise DocumentProblem(
            "refused: the reader stopped (it needed more memory than allowed?)"
        ) from None
    if answer["status"] == "problem":
        raise DocumentProblem(answer["message"])
    parsed = answer["parsed"]
    parsed["blocks"] = [Block(**block) for block in parsed["blocks"]]
    return Parsed(**parsed)


def _main() -> int:
    """The child: read the document from stdin, print {"status", "parsed" | "message"}."""
    import json
    import sys
    from dataclasses import asdict

    _limit_memory()
    from pcd_screen.inputs.documents import parse_here
    from pcd_screen.inputs.documents.model import DocumentProblem

    kind = sys.argv[1]
    data = sys.stdin.buffer.read()
    try:
        answer = {"status": "ok", "parsed": asdict(parse_here(kind, data))}
    except DocumentProblem as exc:
        answer = {"status": "problem", "message": str(exc)}
    except MemoryError:
        answer = {"status": "problem", "message": "refused: it needs more memory than allowed"}
    except ImportError as exc:  # a library that cannot even be mapped under the bound
        message = "refused: it needs more memory than allowed"
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
    sys.stdout.write(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
