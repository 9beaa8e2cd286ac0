"""Writing a generated file, or checking that the committed copy is current (--check)."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(path: Path, text: str, argv: list[str], command: str) -> bool:
    """With --check in argv: True when path holds text, else a message naming the command that
    regenerates it. Otherwise write text to path and return True."""
    if "--check" in argv:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            print(f"{path} is out of date: run {command}", file=sys.stderr)
            return False
        return True
    path.write_text(text, encoding="utf-8")
    return True
