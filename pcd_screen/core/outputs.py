"""Writing output files: whole or not at all."""

from __future__ import annotations

import os
import tempfile
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


def write_atomic(path, text: str) -> None:
    """Write via a temporary file in the same directory and rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = temporary(target.parent or ".", f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
