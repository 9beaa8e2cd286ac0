"""Which proposal files a run screens: files, directories and glob patterns, minus exclusions."""

from __future__ import annotations

import fnmatch
import glob
from pathlib import Path

SUFFIXES = (".yaml", ".yml", ".json")


class NothingFound(ValueError):
    """A path or pattern that names no proposal file: a usage error, never silently skipped."""


def discover(
    paths: list[str], include: list[str] = (), exclude: list[str] = (), base: Path | None = None
) -> list[str]:
    """Expand paths (files, directories searched recursively, globs) into proposal files.

    With no paths, the include patterns (relative to base, the config file's folder) are used.
    Exclude patterns (shell-style: * also crosses folders) are matched against the path relative
    to base (or as given). The result
    keeps the spelling the user gave, sorted and without duplicates, so reports are stable.
    """
    base = base or Path.cwd()
    found: list[str] = []
    if not paths:
        if not include:
            raise NothingFound("no files given and no include patterns in the config")
        for pattern in include:
            matches = glob.glob(str(base / pattern), recursive=True)
            found += sorted(_relative(p) for p in matches)
    for given in paths:
        matches = _expand(given)
        if not matches:
            raise NothingFound(f"{given}: no such file, or no proposal file in it")
        found += matches
    files = [f for f in dict.fromkeys(found) if Path(f).is_file()]
    return [f for f in files if not _excluded(f, exclude, base)]


def _expand(given: str) -> list[str]:
    path = Path(given)
    if path.is_dir():
        return sorted(
            str(p)
            for p in path.rglob("*")
            if p.suffix in SUFFIXES and p.is_file() and not _hidden(p)
        )
    if path.exists():
        return [given]
    if glob.has_magic(given):
        return sorted(m for m in glob.glob(given, recursive=True) if Path(m).suffix in SUFFIXES)
    return []


def _hidden(path: Path) -> bool:
    return any(part.startswith(".") and part not in (".", "..") for part in path.parts)


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


def _excluded(file: str, patterns, base: Path) -> bool:
    resolved = Path(file).resolve()
    try:
        relative = resolved.relative_to(base.resolve()).as_posix()
    except ValueError:
        relative = Path(file).as_posix()
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch("/" + relative, p) for p in patterns)
