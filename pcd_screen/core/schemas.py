"""The published JSON Schemas, read once each."""

from __future__ import annotations

import json
from functools import cache

from pcd_screen.core.paths import SCHEMA_DIR


@cache
def load_schema(name: str) -> dict:
    """The schema of `name` (proposal, result, config, waivers; rule has its own, generated)."""
    with open(SCHEMA_DIR / f"{name}.schema.json", encoding="utf-8") as handle:
        return json.load(handle)
