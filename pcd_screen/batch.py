"""Batch screening of a portfolio: many inputs in, per-proposal reports, results.jsonl,
summary.csv and a portfolio report out. One bad input is reported and skipped; it never stops
the run. Every file is written whole (temporary file, then rename).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pcd_screen.outputs import write_atomic
from pcd_screen.portfolio import aggregate, summary_row
from pcd_screen.result import PRINCIPLES

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows gives to devices, with any extension ("NUL.md" is the null device there).
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(10)
}
# Cells a spreadsheet would run as a formula (OWASP, "CSV Injection"); plain numbers are fine.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


@dataclass
class BatchOutcome:
    screened: int = 0
    errors: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    worst: str | None = None


def safe_name(proposal_id: str, taken: set[str]) -> str:
    """A file name from a proposal id: ASCII letters, digits, '.', '_' and '-' only (no path
    separators, control characters, leading dots or dashes), at most 80 characters, never a
    Windows device name (CON, NUL, COM1...), and unique within the run ignoring case (a
    numbered suffix). Accents and full-width forms are folded first (é -> e, Ａ -> A)."""
    name = base_name(proposal_id)
    candidate, number = name, 2
    while candidate.lower() in taken:
        candidate, number = f"{name}-{number}", number + 1
    taken.add(candidate.lower())
    return candidate


def base_name(proposal_id: str) -> str:
    """safe_name before it is made unique."""
    folded = unicodedata.normalize("NFKD", proposal_id)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    name = _UNSAFE.sub("_", folded).strip("._-")[:80].rstrip("._-") or "proposal"
    if name.split(".")[0].upper() in _WINDOWS_DEVICES:
        name = f"{name.split('.')[0]}_{name[len(name.split('.')[0]) :]}"
    return name


def spreadsheet_safe(value):
    """A summary.csv cell that a spreadsheet shows as text: a text starting like a formula
    (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3`) gets a leading apostrophe, as OWASP advises."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


# --------------------------------------------------------------------------- screening


_WORKER: dict = {}


def _init_worker(rule_dirs, as_of: date, lang: str, unclear_as_flag, max_file_size=None) -> None:
    from pcd_screen.refdata import load_refdata
    from pcd_screen.rules import load_ruleset

    _WORKER.update(
        ruleset=load_ruleset(rule_dirs),
        refdata=load_refdata(),
        as_of=as_of,
        lang=lang,
        unclear_as_flag=unclear_as_flag,
        max_file_size=max_file_size,
    )


def _screen_file(file: str):
    """(file, entries, errors) for one input file; entries as aggregate() wants them."""
    from pcd_screen.engine import evaluate
    from pcd_screen.yamlload import LoadError

    try:
        proposals, errors = _proposals_in(file)
    except LoadError as exc:
        return file, [], [str(exc)]
    entries = []
    for proposal in proposals:
        result = evaluate(
            proposal,
            _WORKER["ruleset"],
            _WORKER["refdata"],
            _WORKER["as_of"],
            _WORKER["lang"],
            _WORKER["unclear_as_flag"],
        )
        data = proposal.data
        from pcd_screen.render import render

        entries.append(
            {
                # Rendered and serialised here, in the worker: the main process only writes.
                "json": json.dumps(result, default=vars, ensure_ascii=False, sort_keys=True),
                "md": render([result], "md", _WORKER["lang"]),
                "html": render([result], "html", _WORKER["lang"]),
                "row": summary_row(
                    result,
                    [a.get("budget") for a in data.get("activities") or []],
                    [c.get("code") for c in data.get("countries") or []],
                ),
                "result": _lite(result),
                "activity_budgets": [a.get("budget") for a in data.get("activities") or []],
                "countries": _country_weights(data.get("countries") or []),
                "implementers": [
                    i.get("name") or "(unnamed)" for i in data.get("implementers") or []
                ],
                "instrument": data.get("instrument"),
                "reported_as_oda": (data.get("oda") or {}).get("reported_as_oda"),
                "in_donor_amount": (data.get("in_donor_refugee_costs") or {}).get("amount"),
            }
        )
    return file, entries, errors


def _proposals_in(file: str):
    """The proposals an input holds: one for a proposal file, one per row of a CSV export,
    one per activity of an IATI XML file."""
    from pcd_screen.proposal import load_proposal, proposal_from_data

    if file.lower().endswith(".xml"):
        from pcd_screen.iati import ImportedActivity, iter_activities

        proposals, errors = [], []
        for item in iter_activities(file, _WORKER["lang"], max_text=_WORKER["max_file_size"]):
            if isinstance(item, ImportedActivity):
                proposals.append(proposal_from_data(item.proposal, file))
            else:
                errors.append(str(item))
        return proposals, errors
    if file.lower().endswith(".csv"):
        from pcd_screen.csvimport import read_csv

        proposals, errors = [], []
        for row in read_csv(file, max_bytes=_WORKER["max_file_size"]):
            if isinstance(row, dict):
                proposals.append(proposal_from_data(row, file))
            else:
                errors.append(str(row))
        return proposals, errors
    return [load_proposal(file, max_bytes=_WORKER["max_file_size"])], []


def _lite(result):
    """What the portfolio figures need of a result: its flagged concerns and a few facts.
    Keeping whole results of a large portfolio in memory is what would not scale."""
    from dataclasses import replace

    keep = (
        "total_budget",
        "activity_budget_sum",
        "currency",
        "ldc_share",
        "migration_control_share",
    )
    flagged = [f for f in result.findings if f.kind == "concern" and f.status == "flag"]
    return replace(result, findings=flagged, facts={k: result.facts.get(k) for k in keep})


def _country_weights(countries: list[dict]) -> list[tuple[str, float]]:
    if not countries:
        return []
    if all(c.get("percentage") is not None for c in countries):
        return [(c["code"], c["percentage"] / 100) for c in countries]
    return [(c["code"], 1 / len(countries)) for c in countries]


def screen_files(
    files, rule_dirs, as_of, lang, unclear_as_flag, jobs: int, progress=None, max_file_size=None
):
    """Yield (file, entries, errors) in input order, over `jobs` processes."""
    args = (tuple(rule_dirs), as_of, lang, tuple(unclear_as_flag), max_file_size)
    if jobs <= 1:
        _init_worker(*args)
        for file in files:
            yield _screen_file(file)
            if progress:
                progress(1)
        return
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(jobs, _init_worker, args) as pool:
        for item in pool.imap(_screen_file, files, chunksize=8):
            yield item
            if progress:
                progress(1)


# --------------------------------------------------------------------------- outputs


class BatchWriter:
    """Writes a run's outputs as results arrive, so memory does not grow with the portfolio:
    the reports at once, results.jsonl line by line (renamed into place at the end), summary.csv
    and the portfolio report when the run is complete."""

    def __init__(self, out: Path):
        import tempfile

        self.out = out
        (out / "reports").mkdir(parents=True, exist_ok=True)
        self.taken: set[str] = set()
        self.entries: list[dict] = []
        self.rows: list[dict] = []
        self.reports: dict[str, str] = {}
        self.written: list[Path] = []
        self.notes: list[str] = []  # ids that could not give their own file name
        handle, self._lines_path = tempfile.mkstemp(prefix=".results.", dir=out)
        self._lines = open(handle, "w", encoding="utf-8", newline="\n")  # noqa: SIM115

    def add(self, entry: dict) -> None:
        proposal = entry["result"].proposal
        name = safe_name(proposal["id"], self.taken)
        for suffix in ("md", "html"):
            self.written.append(_write(self.out / "reports" / f"{name}.{suffix}", entry[suffix]))
        if proposal["id"] in self.reports:
            self.notes.append(
                f"{proposal['file']}: proposal id {proposal['id']!r} is used again; the "
                f"portfolio links the first, this one's reports are reports/{name}.*"
            )
        elif name != base_name(proposal["id"]):
            self.notes.append(
                f"{proposal['file']}: proposal id {proposal['id']!r} gives the same file name as "
                f"another; its reports are reports/{name}.*"
            )
        self.reports.setdefault(proposal["id"], f"reports/{name}.html")
        self._lines.write(entry["json"] + "\n")
        self.rows.append(entry["row"])
        self.entries.append({k: v for k, v in entry.items() if k not in ("json", "md", "html")})

    def abort(self) -> None:
        self._lines.close()
        Path(self._lines_path).unlink(missing_ok=True)

    def finish(self, inputs: list[str], ruleset, refdata, as_of: date, lang: str) -> list[Path]:
        import os

        from pcd_screen import __version__
        from pcd_screen.engine import evaluate_portfolio
        from pcd_screen.portfolio import portfolio_facts
        from pcd_screen.render import environment

        self._lines.close()
        os.replace(self._lines_path, self.out / "results.jsonl")
        self.written.append(self.out / "results.jsonl")

        buffer = io.StringIO()
        header = list(self.rows[0]) if self.rows else ["id"]
        writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in self.rows)
        self.written.append(_write(self.out / "summary.csv", buffer.getvalue()))

        figures = aggregate(self.entries)
        facts = portfolio_facts(self.entries, figures)
        figures["findings"] = evaluate_portfolio(facts, ruleset, as_of, lang)
        meta = {
            "as_of": as_of.isoformat(),
            "ruleset": ruleset.hash,
            "tool": f"pcd-screen {__version__}",
            "refdata": sorted(refdata.versions().items()),
        }
        context = {
            "figures": figures,
            "principles": PRINCIPLES,
            "reports": self.reports,
            "inputs": inputs,
            "meta": meta,
            "charts": _charts(figures),
        }
        for suffix in ("md", "html"):
            template = environment(suffix == "html", lang).get_template(f"portfolio.{suffix}.j2")
            text = template.render(lang=lang, **context).rstrip("\n") + "\n"
            self.written.append(_write(self.out / f"portfolio.{suffix}", text))
        return self.written


def _write(path: Path, text: str) -> Path:
    write_atomic(path, text)
    return path


def _charts(figures: dict) -> dict:
    from pcd_screen.svgchart import bar_chart

    by_principle = [(name, figures["by_principle"][name].get("share", 0.0)) for name in PRINCIPLES]
    verdicts = [(v, figures["verdicts"][v]["budget"]) for v in figures["verdicts"]]
    return {
        "principles": bar_chart(by_principle, percent=True),
        "verdicts": bar_chart(verdicts, percent=False),
    }
