"""Calendar dates as the formats write them: YYYY-MM-DD in ASCII digits, a day that exists.

One definition for the proposal schema's `date` format (the compiled fast check and jsonschema
alike), the other schemas, --as-of and the IATI importer. Neither half does alone: `\\d` in a
pattern takes any Unicode digit ('٢٠٢٦-01-01') and a calendar regex takes year 0000, while
Python 3.11's date.fromisoformat also takes 20260101 and 2026-W01.
"""

from __future__ import annotations

import re
from datetime import date

ISO_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(text: str) -> date:
    """The day text names; ValueError unless it is YYYY-MM-DD and the day exists (year 1 on)."""
    if not isinstance(text, str) or not ISO_DATE_SHAPE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
    return date.fromisoformat(text)  # refuses year 0, month 13, 30 February


def is_iso_date(value) -> bool:
    """The schemas' `date` format: a string must be a real YYYY-MM-DD day. Other types are the
    business of the schema's `type` keyword, as in JSON Schema."""
    if not isinstance(value, str):
        return True
    try:
        parse_iso_date(value)
    except ValueError:
        return False
    return True
