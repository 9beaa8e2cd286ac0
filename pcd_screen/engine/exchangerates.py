"""Annual average exchange rates for converting portfolio totals into one currency.

The table pcd_screen/data/exchange_rates.csv holds IMF annual averages (units of a currency per
US dollar) for 2014 onwards, as republished by codeforIATI/imf-exchangerates; see its header and
data/PROVENANCE.md. It is derived by scripts/derive_exchange_rates.py.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from pcd_screen.core.paths import DATA_DIR

DATA_FILE = DATA_DIR / "exchange_rates.csv"


@lru_cache(maxsize=1)
def _table() -> tuple[dict[tuple[int, str], float], dict[str, str]]:
    rates: dict[tuple[int, str], float] = {}
    header: dict[str, str] = {}
    with open(DATA_FILE, encoding="utf-8", newline="") as handle:
        lines = []
        for line in handle:
            if line.startswith("#"):
                key, _, value = line[1:].partition(":")
                header.setdefault(key.strip(), value.strip())
            else:
                lines.append(line)
    for row in csv.DictReader(lines):
        rates[(int(row["year"]), row["currency"])] = float(row["per_usd"])
    return rates, header


def currencies() -> list[str]:
    return sorted({currency for _, currency in _table()[0]})


def years() -> list[int]:
    return list(_years())


@lru_cache(maxsize=1)
def _years() -> tuple[int, ...]:
    # Asked once per converted budget (batch: once per proposal); the table does not change.
    return tuple(sorted({year for year, _ in _table()[0]}))


def source() -> str:
    return _table()[1].get("source", "")


def per_usd(currency: str, year: int) -> float | None:
    """Units of `currency` per US dollar, annual average of `year`; None if not in the table."""
    return _table()[0].get((int(year), str(currency).upper()))


def convert(
    amount: float, currency: str, year: int, to: str = "EUR", *, latest_fallback: bool = True
) -> tuple[float, float, int] | None:
    """Convert `amount` in `currency` to `to` at the annual average rate of `year`.

    Returns (value, rate, rate_year), where rate is units of `to` per unit of `currency` and
    rate_year the year whose rates were used. For a year after the last one in the table, the last
    year's rates are used when latest_fallback is true (rate_year says so). None when a currency is
    not in the table, the year is before the table, or (without fallback) the year is missing.
    """
    currency, to, year = str(currency).upper(), str(to).upper(), int(year)
    known = _years()
    if not known or year < known[0]:
        return None
    rate_year = year
    if year > known[-1]:
        if not latest_fallback:
            return None
        rate_year = known[-1]
    source_rate, target_rate = per_usd(currency, rate_year), per_usd(to, rate_year)
    if source_rate is None or target_rate is None:
        return None
    rate = target_rate / source_rate
    return amount * rate, rate, rate_year
