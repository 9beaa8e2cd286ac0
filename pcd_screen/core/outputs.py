"""Writing output files, whole or not at all, under names that are safe to make from ids
written by others."""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import unicodedata
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Temporary files are created readable by their owner only; the outputs they become get the
# permissions any new file would (reports are often published by a web server or a CI job).
MODE = 0o666 & ~_umask()


def temporary(folder, prefix: str):
    """(handle, path) of a new temporary file in folder, to be renamed into place when whole."""
    handle, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    os.fchmod(handle, MODE)
    return handle, tmp


def write_atomic(path, text: str | bytes, within=None, make_folders: bool = False) -> None:
    """Write via a temporary file in the same directory and rename it into place, after
    check_target (within, make_folders: as there); bytes (a PDF report) as they are."""
    target = check_target(path, within, make_folders)
    handle, tmp = temporary(target.parent or ".", f".{target.name}.")
    try:
        if isinstance(text, bytes):
            with os.fdopen(handle, "wb") as stream:
                stream.write(text)
        else:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_kind(mode: int) -> str:
    """What a path that is not a regular file is, as a message says it."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    return "a device or socket"


def _refuse(path, message: str):
    raise OSError(errno.EINVAL, message, str(path))


def check_target(path, within=None, make_folders: bool = False) -> Path:
    """The path an output may be written to, or OSError (strerror says why).

    Only a regular file is replaced: a folder, a FIFO or a device under the name is refused (as
    root, renaming over /dev/null would replace the device). Within a run's output folder
    (`within`), no link is followed: a link in the way (OUT/reports -> /elsewhere), or a link
    under the file's name, is refused, so that everything written stays inside the folder.
    The file's folder must exist, unless make_folders (the command creates it by design)."""
    target = Path(path)
    parent = target.parent
    if within is not None:
        base = Path(within)
        try:
            inside = target.relative_to(base)
        except ValueError:
            _refuse(target, f"not inside the output folder {base}")
        current = base
        for part in inside.parts[:-1]:
            current = current / part
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                break
            if not stat.S_ISDIR(mode):
                _refuse(
                    current,
                    f"{current} is {file_kind(mode)}, not a folder (links are not followed)",
                )
    if not parent.is_dir():
        if not make_folders:
            raise OSError(errno.ENOENT, f"the folder {parent} does not exist", str(parent))
        parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return target
    if stat.S_ISLNK(mode) and within is None:
        try:
            mode = os.stat(target).st_mode  # the user's own link: what it points at counts
        except FileNotFoundError:
            return target
    if not stat.S_ISREG(mode):
        _refuse(target, f"it is {file_kind(mode)}, not a regular file")
    return target


# --- names and cells made from ids and texts written by others ------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows gives to devices, with any extension ("NUL.md" is the null device there).
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(10)
}
# Cells a spreadsheet would run as a formula (OWASP, "CSV Injection"); plain numbers are fine.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def safe_name(proposal_id: str, taken: set[str]) -> str:
    """A file name from a proposal id: ASCII letters, digits, '.', '_' and '-' only (no path
    separators, control characters, leading dots or dashes), at most 80 characters, never a
    Windows device name (CON, NUL, COM1...), and unique within the run ignoring case (a
    numbered suffix). Accents and full-width forms are folded first (é -> e, Ａ -> A)."""
    name = base_name(proposal_id)
    candidate, number = name, 2
    while candidate.lower() in taken:
        candidate, number = f"{name}-{number}", number + 1
    taken.add(candidate.lower())
    return candidate


def base_name(proposal_id: str) -> str:
    """safe_name before it is made unique."""
    folded = unicodedata.normalize("NFKD", proposal_id)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    name = _UNSAFE.sub("_", folded).strip("._-")[:80].rstrip("._-") or "proposal"
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        name = f"{name.split('.')[0]}_{name[len(name.split('.')[0]) :]}"
    return name


def spreadsheet_safe(value):
    """A CSV cell that a spreadsheet shows as text: a text starting like a formula
    (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`) gets a apostrophe before it, as OWASP advises. So
    does each part after a `;`, since a spreadsheet whose list separator is `;` (Belgian, Dutch
    and French settings) may split the cell there and run `x;=2+5` as a formula."""
    if not isinstance(value, str):
        return value
    return ";".join(_as_text(part) for part in value.split(";"))


def _as_text(part: str) -> str:
    start = part.lstrip(" ")
    if start.startswith(_FORMULA_START) and not _NUMBER.fullmatch(start):
        return part[: len(part) - len(start)] + "'" + start
    return part


class SpreadsheetCsv:
    """Every CSV the tool writes, safe to open in a spreadsheet of any locale: each cell quoted
    (so neither `,` nor `;` inside a cell splits it, whichever the spreadsheet takes as its
    separator) and made spreadsheet_safe."""

    def __init__(self, stream):
        import csv

        self._writer = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, cells) -> list:
        """Write one row; the cells as written (a workbook shows the same)."""
        safe = [spreadsheet_safe(cell) for cell in cells]
        self._writer.writerow(safe)
        return safe
