import subprocess
import sys
from pathlib import Path

import pytest

from pcd_screen.engine import exchangerates
from pcd_screen.engine.exchangerates import convert, per_usd

REPO = Path(__file__).resolve().parent.parent
EXTRACT = REPO / "pcd_screen" / "data" / "sources" / "imf_exchangerates_A_ENDA_USD.extract.csv"

# IMF IFS annual average, Euro Area, 2019: 0.8932762570674088 EUR per USD
# (codeforIATI/imf-exchangerates@89e77b6 imf_exchangerates_A_ENDA_USD.csv, row 2019-12-31 EUR U2);
# the ECB's 2019 average of 1.1195 USD per EUR gives 0.89326.
EUR_PER_USD_2019 = 0.8932762570674088


def test_usd_to_eur_2019_uses_the_sourced_rate():
    value, rate, rate_year = convert(1_000_000, "USD", 2019)
    assert rate_year == 2019
    assert rate == pytest.approx(EUR_PER_USD_2019, rel=1e-12)
    assert value == pytest.approx(893_276.2570674088, rel=1e-12)
    assert round(value) == 893_276


def test_cross_rates_and_identity():
    value, rate, _ = convert(100, "GBP", 2019, to="EUR")
    assert rate == pytest.approx(per_usd("EUR", 2019) / per_usd("GBP", 2019))
    assert 110 < value < 120  # GBP was worth about 1.14 EUR in 2019
    assert convert(5, "EUR", 2020) == (5, 1.0, 2020)
    assert convert(1, "usd", 2016, to="usd") == (1, 1.0, 2016)
    back, _, _ = convert(convert(250, "SEK", 2021)[0], "EUR", 2021, to="SEK")
    assert back == pytest.approx(250)


def test_every_required_currency_and_year_is_present():
    needed = {"EUR", "USD", "GBP", "JPY", "CHF", "SEK", "NOK", "DKK", "CAD", "AUD"}
    needed |= {"CRC", "CZK", "ISK", "KRW", "NZD", "PLN", "XDR"}  # found in the IATI sample files
    assert needed <= set(exchangerates.currencies())
    for year in range(2014, 2025):
        for currency in needed:
            assert per_usd(currency, year), (currency, year)
    assert per_usd("USD", 2019) == 1.0


def test_missing_years_and_currencies():
    assert convert(1, "USD", 2013) is None
    assert convert(1, "XYZ", 2019) is None
    assert convert(1, "USD", 2019, to="XYZ") is None
    last = max(exchangerates.years())
    value, rate, rate_year = convert(1, "USD", last + 1)
    assert rate_year == last and value == rate
    assert convert(1, "USD", last + 1, latest_fallback=False) is None


def test_table_is_reproducible_from_the_committed_extract(tmp_path):
    out = tmp_path / "exchange_rates.csv"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "derive_exchange_rates.py"),
            str(EXTRACT),
            f"--out={out}",
        ],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == exchangerates.DATA_FILE.read_bytes()
    assert "codeforIATI/imf-exchangerates@" in exchangerates.source()
