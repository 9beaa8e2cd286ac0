"""Which proposal files a run screens: files, directories and glob patterns, filtered by the
config's include/exclude patterns (gitignore-style, relative to the config file's folder).

Symbolic links: a file named on the command line is read as named, link or not. Files found by
searching a folder or a glob are the repository's content, which a pull request can change: a
link among them to a file outside the folder searched is skipped and reported (it could make
the run read any file of the machine), and links to folders are not followed (a loop of links
would make the search endless).
"""

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
    skipped: list[str] | None = None,
) -> list[str]:
    """Expand paths (files, directories searched recursively, globs) into proposal files.

    With no paths, the folder of the config (base) is searched. When include or exclude
    patterns are set, every file is filtered through them (pre-commit passes every changed YAML
    file, the config and the waivers file among them); files in hidden folders and hidden files
    are skipped unless named one by one without patterns. The result keeps the spelling the
    user gave, sorted and without duplicates, so reports are stable. Links skipped while
    searching are described in `skipped`, when given.
    """
    base = base or Path.cwd()
    skipped = [] if skipped is None else skipped
    filtering = include is not None or bool(exclude)
    if not paths:
        found = _walk(base, suffixes, skipped)
    else:
        found = []
        for given in paths:
            matches = _expand(given, suffixes, skipped)
            if not matches:
                raise NothingFound(f"{given}: no such file, or no proposal file in it")
            found += matches
    found = list(dict.fromkeys(found))
    if filtering:
        found = [f for f in found if _selected(f, include or DEFAULT_INCLUDE, exclude, base)]
    return found


def _expand(given: str, suffixes, skipped: list[str]) -> list[str]:
    path = Path(given)
    if path.is_dir():
        return _walk(path, suffixes, skipped)
    if path.is_file():
        return [given]
    if path.exists():  # a FIFO would block the run, a device never end
        raise NothingFound(f"{given}: not a regular file (a FIFO, device or socket)")
    if glob.has_magic(given):
        return _glob(given, suffixes, skipped)
    return []


def _walk(folder: Path, suffixes=SUFFIXES, skipped: list[str] | None = None) -> list[str]:
    # rglob does not descend into linked folders, so only a file itself can be a link out
    files = (p for p in folder.rglob("*") if p.suffix in suffixes and p.is_file())
    kept = (p for p in files if not _hidden(p.relative_to(folder)))
    return sorted(_shown(p) for p in kept if not p.is_symlink() or _inside(p, folder, skipped))


def _glob(pattern: str, suffixes, skipped: list[str]) -> list[str]:
    """Like glob.glob(pattern, recursive=True), but ** does not follow linked folders: with two
    links to their own folder, glob.glob would search 2^40 paths."""
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    folder = Path(*parts[:first]) if first else Path()
    rest = Path(*parts[first:]).as_posix()
    named_hidden = any(part.startswith(".") for part in parts[first:])
    found = []
    for match in folder.glob(rest):
        if match.suffix not in suffixes or not match.is_file():
            continue
        if not named_hidden and _hidden(match.relative_to(folder)):
            continue  # as glob.glob: wildcards do not match a leading dot
        if _inside(match, folder, skipped):
            found.append(str(match))
    return sorted(found)


def _inside(path: Path, folder: Path, skipped: list[str] | None) -> bool:
    """False (and a note in skipped) for a file that is, through a link, outside the folder
    searched."""
    target = path.resolve()
    try:
        target.relative_to(folder.resolve())
        return True
    except ValueError:
        if skipped is not None:
            skipped.append(
                f"{_shown(path)}: a link to {target}, outside {_shown(folder) or '.'}; "
                "not read (name the file itself to screen it)"
            )
        return False


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
