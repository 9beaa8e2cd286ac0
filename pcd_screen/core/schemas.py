"""The published JSON Schemas, read once each, and a located document checked against one."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pcd_screen.core.dates import is_iso_date
from pcd_screen.core.located import Document, InputError
from pcd_screen.core.paths import SCHEMA_DIR


@cache
def load_schema(name: str) -> dict:
    """The schema of `name` (proposal, result, config, waivers; rule has its own, generated)."""
    with open(SCHEMA_DIR / f"{name}.schema.json", encoding="utf-8") as handle:
        return json.load(handle)


def display_path(path: Path) -> str:
    """A path as people read it: relative to the current folder when below it."""
    try:
        return Path(path).absolute().relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return str(path)


def format_checker():
    """The formats the schemas use, checked as everywhere else in the package (core/dates.py)."""
    import jsonschema  # slow to import: only reached when a file is invalid

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date")(is_iso_date)
    return checker


@cache
def _validator(name: str):
    import jsonschema

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=format_checker())


def validate(doc: Document, schema_name: str) -> list[InputError]:
    """Located, readable schema errors of a document ([] when valid)."""
    from pcd_screen.core.validation import schema_errors

    return schema_errors(_validator(schema_name), doc)
