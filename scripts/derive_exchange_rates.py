"""Derive pcd_screen/data/exchange_rates.csv from the IMF annual average exchange rates as
republished by codeforIATI/imf-exchangerates (the series IATI tools such as iatiflattener use).

Usage: python scripts/derive_exchange_rates.py SOURCE.csv [--out PATH] [--extract PATH] [--check]

SOURCE.csv is either the full `imf_exchangerates_A_ENDA_USD.csv` of the gh-pages branch of
codeforIATI/imf-exchangerates (commit below) or the committed extract
pcd_screen/data/sources/imf_exchangerates_A_ENDA_USD.extract.csv; both give the same table.
--extract also writes the rows used (verbatim, with the header) to PATH.
Stdlib only; deterministic.
"""

from __future__ import annotations

import csv
import hashlib
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "pcd_screen" / "data" / "exchange_rates.csv"
SOURCE_REPO = "codeforIATI/imf-exchangerates"
SOURCE_COMMIT = "89e77b6b126e342527ce2d239917248f4493c4e2"  # gh-pages, deploy of 2025-11-01
SOURCE_PATH = "imf_exchangerates_A_ENDA_USD.csv"
SOURCE_URL = "https://codeforiati.org/imf-exchangerates/imf_exchangerates_A_ENDA_USD.csv"
FIRST_YEAR, LAST_YEAR = 2014, 2025
# One IMF series per currency: the area/country whose own currency it is (the file repeats a
# currency under every economy that uses it, with small differences for some of them).
SERIES = {
    "AUD": "AU",
    "CAD": "CA",
    "CHF": "CH",
    "CRC": "CR",
    "CZK": "CZ",
    "DKK": "DK",
    "EUR": "U2",  # Euro Area
    "GBP": "GB",
    "ISK": "IS",
    "JPY": "JP",
    "KRW": "KR",
    "NOK": "NO",
    "NZD": "NZ",
    "PLN": "PL",
    "SEK": "SE",
    "USD": "US",
    "XDR": "XDR",  # IMF Special Drawing Rights
}


def selected_lines(text: str) -> tuple[str, list[str]]:
    lines = text.splitlines()
    header, body = lines[0], lines[1:]
    keep = []
    for line in body:
        row = next(csv.reader([line]))
        date, _rate, currency, freq, _src, country = row[:6]
        year = int(date[:4])
        if freq == "A" and SERIES.get(currency) == country and FIRST_YEAR <= year <= LAST_YEAR:
            keep.append(line)
    return header, keep


def table(header: str, lines: list[str]) -> str:
    digest = hashlib.sha256("\n".join([header, *lines]).encode("utf-8")).hexdigest()
    rates: dict[tuple[int, str], str] = {}
    for row in csv.DictReader(io.StringIO("\n".join([header, *lines]))):
        rates[(int(row["Date"][:4]), row["Currency"])] = row["Rate"]
    years = sorted({y for y, _ in rates})
    out = io.StringIO()
    out.write(
        "# Annual average exchange rates: per_usd = units of the currency per 1 US dollar\n"
        "# (IMF International Financial Statistics, ENDA: domestic currency per USD,\n"
        "# period average).\n"
        f"# source: {SOURCE_REPO}@{SOURCE_COMMIT} {SOURCE_PATH} ({SOURCE_URL})\n"
        f"# series: {', '.join(f'{c}={k}' for c, k in sorted(SERIES.items()))}\n"
        f"# rows-sha256: {digest}\n"
        f"# years: {years[0]}-{years[-1]} (requested {FIRST_YEAR}-{LAST_YEAR}; later years not yet "
        "published as annual averages)\n"
        "# derived-by: scripts/derive_exchange_rates.py\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["year", "currency", "per_usd"])
    for (year, currency), rate in sorted(rates.items()):
        writer.writerow([year, currency, rate])
    return out.getvalue()


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    opts = dict(a.split("=", 1) if "=" in a else (a, "") for a in argv if a.startswith("--"))
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    text = Path(args[0]).read_text(encoding="utf-8")
    header, lines = selected_lines(text)
    missing = sorted(set(SERIES) - {next(csv.reader([ln]))[2] for ln in lines})
    if missing:
        print(f"no rows for {', '.join(missing)}", file=sys.stderr)
        return 1
    out = Path(opts.get("--out") or OUT)
    result = table(header, lines)
    if "--check" in opts:
        if not out.exists() or out.read_text(encoding="utf-8") != result:
            print(f"{out} is out of date: run scripts/derive_exchange_rates.py", file=sys.stderr)
            return 1
        return 0
    out.write_text(result, encoding="utf-8")
    if opts.get("--extract"):
        Path(opts["--extract"]).write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(lines)} rates)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
