"""The portfolio as a spreadsheet: portfolio.xlsx, one sheet per table of the portfolio report,
each figure with its source (the About sheet: inputs with sha1 and data date, as-of, currency,
exchange-rate source, coding rules), and the Proposals sheet from summary.csv.

XlsxWriter, not openpyxl: it writes in constant memory row by row, and its output is the same
bytes for the same figures once the creation date is fixed (openpyxl stamps the current time).
Every text is written as a string, never as a formula (a cell from published data that starts
with '=' stays text).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pcd_screen.core.terms import PRINCIPLES

# A fixed creation date: the same run gives the same bytes.
CREATED = datetime(2000, 1, 1)


# The sheets in their order. Proposals (summary.csv) grows as results arrive; the others are
# the portfolio's tables, written when the run is complete.
SHEETS = (
    "About",
    "Verdicts",
    "Principles",
    "Humanitarian-development",
    "Categories",
    "Themes",
    "Years",
    "Countries",
    "Implementers",
    "Instruments",
    "Rates",
    "Implausible",
    "Left out",
    "Proposals",
)


# A worksheet holds at most 1,048,576 rows (the header and 1,048,575 proposals): a run past
# that (the whole IATI registry) keeps the first ones in the sheet and says so on About.
MAX_PROPOSAL_ROWS = 1_048_575


class PortfolioWorkbook:
    """portfolio.xlsx written while a batch runs: the Proposals sheet a row per screened
    proposal as its result arrives (the same cells as summary.csv, all text), the tables at
    the end (finish). Made at the end instead, the per-proposal sheet was most of the time a
    large run spent after its last screening, with the other processes idle."""

    def __init__(self, path: Path):
        import xlsxwriter

        self.path = path
        self.book = xlsxwriter.Workbook(
            str(path), {"constant_memory": True, "strings_to_formulas": False}
        )
        self.book.set_properties({"created": CREATED, "title": "Portfolio screening (pcd-screen)"})
        self.bold = self.book.add_format({"bold": True})
        self.sheets = {name: self.book.add_worksheet(name) for name in SHEETS}
        self.rows = 0  # of the Proposals sheet, its header included
        self.left_out = 0  # proposals past the sheet's row limit (all are in summary.csv)

    def proposal(self, header: list, cells: list) -> None:
        """One row of summary.csv, as text (the header with the first row)."""
        ws = self.sheets["Proposals"]
        if not self.rows:
            ws.write_row(0, 0, header, self.bold)
            self.rows = 1
        if self.rows > MAX_PROPOSAL_ROWS:
            self.left_out += 1
            return
        for c, value in enumerate(cells):
            ws.write_string(self.rows, c, value)
        self.rows += 1

    def finish(self, figures: dict, meta: dict, coding: dict) -> Path:
        _write_tables(self, figures, meta, coding)
        self.book.close()
        return self.path

    def discard(self) -> None:
        """Give up the workbook (a run stopped): its temporary sheet files go with it."""
        import contextlib

        for ws in self.sheets.values():
            with contextlib.suppress(OSError, AttributeError):
                ws.row_data_fh.close()
        self.path.unlink(missing_ok=True)


def _write_tables(workbook: PortfolioWorkbook, figures: dict, meta: dict, coding: dict) -> None:
    from pcd_screen.reports.texts import left_out_reason, undated_rate

    currency = figures["currency"]

    def sheet(name: str, header: list, rows) -> None:
        ws = workbook.sheets[name]
        ws.write_row(0, 0, header, workbook.bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, bool) or value is None:
                    ws.write_string(r, c, "" if value is None else str(value).lower())
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))

    about = [
        ["tool", meta["tool"]],
        ["ruleset", meta["ruleset"]],
        ["as of", meta["as_of"] if meta["as_of"] != "activity" else "each proposal's start date"],
        ["run date", meta.get("run_date", meta["as_of"])],
        ["currency", currency],
        ["exchange rates", meta.get("rates_source", "")],
        ["proposals", figures["proposals"]],
        [f"total budget ({currency})", figures["total_budget"]],
        *[
            [f"input {s['file']}", f"sha1 {s['sha1']} data of {s.get('date', '?')}"]
            for s in meta.get("sources", [])
        ],
        *[[f"reference data {name}", version] for name, version in meta["refdata"]],
    ]
    skipped = meta["left_out"]
    if skipped["count"]:
        about.append(["inputs left out", f"{skipped['count']} (the figures are of the rest)"])
        about += [["left out because", problem] for problem in skipped["problems"]]
    if workbook.left_out:
        shown = figures["proposals"] - workbook.left_out
        about.append(
            [
                "Proposals sheet",
                f"the first {shown} proposals; {workbook.left_out} more are past a worksheet's "
                "row limit and only in summary.csv",
            ]
        )
    sheet("About", ["what", "value"], about)
    sheet(
        "Verdicts",
        ["verdict", "proposals", currency],
        [[v, x["count"], x["budget"]] for v, x in figures["verdicts"].items()],
    )
    sheet(
        "Principles",
        ["principle", f"budget flagged ({currency})", "share"],
        [
            [
                p,
                figures["by_principle"][p].get("flagged", 0.0),
                figures["by_principle"][p].get("share", 0.0),
            ]
            for p in PRINCIPLES
        ],
    )
    sheet(
        "Humanitarian-development",
        ["kind", "proposals", currency, "share"],
        [[k, x["count"], x["budget"], x["share"]] for k, x in figures["kinds"].items()],
    )
    kinds = figures["kinds"]
    # "unknown" (neither flag nor codes tell: a spreadsheet's rows) only where it holds money
    shown_kinds = [k for k in kinds if k != "unknown" or kinds[k]["budget"]]
    sheet(
        "Categories",
        [
            "category",
            currency,
            "share",
            *(f"{'not known' if kind == 'unknown' else kind} ({currency})" for kind in shown_kinds),
            "coded when",
        ],
        [
            [
                name,
                row["budget"],
                row["share"],
                *(
                    (kinds[kind]["by_category"].get(name) or {}).get("budget", 0.0)
                    for kind in shown_kinds
                ),
                coding.get(name, ""),
            ]
            for name, row in figures["by_category"].items()
        ]
        + [["(no category)", figures["uncategorised"], "", *("" for _ in shown_kinds), ""]],
    )
    for name, key in (("Themes", "by_theme"), ("Years", "by_year")):
        sheet(
            name,
            [name[:-1].lower(), currency, "share"],
            [[n, r["budget"], r["share"]] for n, r in figures[key].items()],
        )
    for name, key in (
        ("Countries", "by_country"),
        ("Implementers", "by_implementer"),
        ("Instruments", "by_instrument"),
    ):
        table = figures[key]
        names = list(table[PRINCIPLES[0]])
        sheet(
            name,
            [name[:-1].lower(), currency, *[f"{p} share flagged" for p in PRINCIPLES]],
            [
                [n, table[PRINCIPLES[0]][n]["budget"], *[table[p][n]["share"] for p in PRINCIPLES]]
                for n in names
            ],
        )
    sheet(
        "Rates",
        ["currency", "year", "rate", "proposals", "amount", currency, "note"],
        [
            [
                r["currency"],
                r["year"],
                r["rate"],
                r["count"],
                r["amount"],
                r["converted"],
                undated_rate(r["year"], "en") if r.get("undated") else "",
            ]
            for r in figures["rates"]
        ],
    )
    sheet(
        "Implausible",
        ["id", "title", "publisher", "budget", "currency", currency, "why", "source"],
        [
            [
                x["id"],
                x["title"],
                x["publisher"],
                x["budget"],
                x["currency"],
                x["converted"],
                x["reason"],
                x["source"],
            ]
            for x in figures["implausible"]
        ],
    )
    sheet(
        "Left out",
        ["id", "title", "budget", "currency", currency, "why", "source"],
        [
            [
                x["id"],
                x["title"],
                x["budget"],
                x["currency"],
                x["converted"],
                left_out_reason(x["kind"], x["of"], "en"),
                x["source"],
            ]
            for x in figures["left_out"]["rows"]
        ],
    )
