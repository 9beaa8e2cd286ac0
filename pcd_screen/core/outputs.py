"""Writing output files, whole or not at all, under names that are safe to make from ids
written by others."""

from __future__ import annotations

import os
import re
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


def write_atomic(path, text: str | bytes) -> None:
    """Write via a temporary file in the same directory and rename it into place (bytes, such
    as a PDF report, as they are)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
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
    """A summary.csv cell that a spreadsheet shows as text: a text starting like a formula
    (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`) gets a leading apostrophe, as OWASP advises."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
