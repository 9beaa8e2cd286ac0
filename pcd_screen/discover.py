"""Which proposal files a run screens: files, directories and glob patterns, filtered by the
config's include/exclude patterns (gitignore-style, relative to the config file's folder)."""

from __future__ import annotations

import glob
from pathlib import Path

SUFFIXES = (".yaml", ".yml", ".json")
DEFAULT_INCLUDE = ("**/*.yaml", "**/*.yml", "**/*.json")


class NothingFound(ValueError):
    """A path or pattern that names no proposal file: a usage error, never silently skipped."""


def discover(
    paths: list[str],
    include: list[str] | None = None,
    exclude: list[str] = (),
    base: Path | None = None,
    suffixes: tuple[str, ...] = SUFFIXES,
) -> list[str]:
    """Expand paths (files, directories searched recursively, globs) into proposal files.

    With no paths, the folder of the config (base) is searched. When include or exclude
    patterns are set, every file is filtered through them (pre-commit passes every changed YAML
    file, the config and the waivers file among them); files in hidden folders and hidden files
    are skipped unless named one by one without patterns. The result keeps the spelling the
    user gave, sorted and without duplicates, so reports are stable.
    """
    base = base or Path.cwd()
    filtering = include is not None or bool(exclude)
    if not paths:
        found = _walk(base, suffixes)
    else:
        found = []
        for given in paths:
            matches = _expand(given, suffixes)
            if not matches:
                raise NothingFound(f"{given}: no such file, or no proposal file in it")
            found += matches
    found = list(dict.fromkeys(found))
    if filtering:
        found = [f for f in found if _selected(f, include or DEFAULT_INCLUDE, exclude, base)]
    return found


def _expand(given: str, suffixes) -> list[str]:
    path = Path(given)
    if path.is_dir():
        return _walk(path, suffixes)
    if path.is_file():
        return [given]
    if glob.has_magic(given):
        return sorted(m for m in glob.glob(given, recursive=True) if Path(m).suffix in suffixes)
    return []


def _walk(folder: Path, suffixes=SUFFIXES) -> list[str]:
    files = (p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())
    return sorted(_shown(p) for p in files if not _hidden(p.relative_to(folder)))


def _shown(path: Path) -> str:
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _hidden(path: Path) -> bool:
    return any(part.startswith(".") and part not in (".", "..") for part in path.parts)


def _selected(file: str, include, exclude, base: Path) -> bool:
    import pathspec  # only runs with patterns configured; costs start-up time otherwise

    try:
        relative = Path(file).absolute().relative_to(base.absolute())
    except ValueError:
        return True  # named explicitly, outside the configured folder
    if _hidden(relative):
        return False
    spec_in = pathspec.GitIgnoreSpec.from_lines(include)
    spec_out = pathspec.GitIgnoreSpec.from_lines(exclude)
    posix = relative.as_posix()
    return spec_in.match_file(posix) and not spec_out.match_file(posix)
