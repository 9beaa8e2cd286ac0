"""Shared test helpers: paths of the checkout and of ../shared, a fake reference-data table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared"
AS_OF = date(2026, 11, 23)


class FakeRefData:
    """A tiny stand-in for RefData: LDCs NER and MLI (BGD uncertain); FRA not on the DAC list."""

    lists = {
        "ldc": {"NER": True, "MLI": True, "TUN": False, "MAR": False, "FRA": False, "BGD": None},
        "dac-recipients": {"NER": True, "MLI": True, "TUN": True, "MAR": True, "FRA": False},
        "free-movement": {"NER": True, "MLI": True, "TUN": False, "MAR": False, "FRA": False},
    }

    def membership(self, list_id, code, as_of):
        value = self.lists.get(list_id, {}).get(code, False)
        return value, (None if value is not None else "uncertain in fake data")

    def purpose_code(self, code):
        known = {15190: True, 15130: True, 1513010: False}
        return None if int(code) not in known else {"code": str(code), "crs": known[int(code)]}

    def is_country(self, code):
        return code in {"NER", "MLI", "TUN", "MAR", "FRA", "BGD"}

    def versions(self):
        return {"fake": "1"}


@pytest.fixture
def fake_refdata():
    return FakeRefData()


def needs_shared():
    return pytest.mark.skipif(
        not SHARED.is_dir(), reason=f"{SHARED} (the shared reference folder) is absent"
    )
