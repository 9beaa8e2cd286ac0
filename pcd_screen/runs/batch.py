"""Batch screening of a portfolio: many inputs in, per-proposal reports, results.jsonl,
summary.csv and a portfolio report out. One bad input is reported and skipped; it never stops
the run. Every file is written whole (temporary file, then rename).
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from pcd_screen.core.outputs import write_atomic
from pcd_screen.engine.result import PRINCIPLES
from pcd_screen.reports.portfolio import Aggregate

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows gives to devices, with any extension ("NUL.md" is the null device there).
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {
    f"{p}{n}" for p in ("COM", "LPT") for n in range(10)
}
# Cells a spreadsheet would run as a formula (OWASP, "CSV Injection"); plain numbers are fine.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


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

# Proposals of a portfolio export sent to a worker at once, and tasks under way per worker:
# enough to keep the workers busy, few enough that memory does not grow with the input.
CHUNK = 32
WINDOW = 4

_WORKER: dict = {}


@dataclass(frozen=True)
class Options:
    rule_dirs: tuple
    as_of: date
    lang: str
    unclear_as_flag: tuple
    reports: bool = True  # a Markdown and an HTML report per proposal
    detail: str = "compact"  # of results.jsonl: compact or full (see the result schema)
    # The user's report templates by format (usertemplate.UserTemplate); a problem in one
    # raises usertemplate.TemplateProblem, which ends the run.
    templates: tuple = ()
    max_file_size: int | None = None  # None: each reader's own default


def _init_worker(options: Options) -> None:
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.ruleset import load_ruleset

    _WORKER.update(options=options, ruleset=load_ruleset(options.rule_dirs), refdata=load_refdata())
    # The rules and reference data live as long as the worker: the garbage collector need not
    # look at them again each time it runs (every few hundred proposals' worth of objects).
    import gc

    gc.freeze()


def tasks(files, lang: str, max_size: int | None = None):
    """The work of a run, in input order: (key, file, proposals, errors, last).

    A proposal file is read by the worker (proposals is None). A portfolio export (IATI XML,
    CSV) is parsed here, as it streams, and its proposals are sent on in chunks, so that the
    activities of one large file are screened in parallel."""
    for file in files:
        if not file.lower().endswith((".xml", ".csv")):
            yield (file, 0), file, None, [], True
            continue
        chunk, errors, number = [], [], 0
        for item in _records(file, lang, max_size):
            if isinstance(item, dict):
                chunk.append(item)
            else:
                errors.append(str(item))
            if len(chunk) == CHUNK or len(errors) == CHUNK:  # a file of bad records, too
                yield (file, number), file, chunk, errors, False
                chunk, errors, number = [], [], number + 1
        yield (file, number), file, chunk, errors, True


def _records(file: str, lang: str, max_size: int | None = None):
    """Validated proposal mappings, or errors, of a portfolio export."""
    if file.lower().endswith(".xml"):
        from pcd_screen.inputs.iati import ImportedActivity, iter_activities

        for item in iter_activities(file, lang, max_text=max_size):
            yield item.proposal if isinstance(item, ImportedActivity) else item
    else:
        from pcd_screen.inputs.csvtable import read_csv

        yield from read_csv(file, max_bytes=max_size)


def screen_task(task) -> tuple:
    """(key, outputs, errors, last) for one task: each output holds one proposal's screening,
    rendered and serialised here, in the worker, so that the main process only writes."""
    from pcd_screen.core.located import Document, LoadError
    from pcd_screen.core.proposal import Proposal
    from pcd_screen.engine.evaluate import evaluate
    from pcd_screen.inputs.proposal import load_proposal

    key, file, records, errors, last = task
    options, ruleset, refdata = _WORKER["options"], _WORKER["ruleset"], _WORKER["refdata"]
    if records is None:
        try:
            proposals = [load_proposal(file, max_bytes=options.max_file_size)]
        except LoadError as exc:
            return key, [], [str(exc)], last
    else:
        # Validated as they were imported: not checked twice.
        proposals = [Proposal(data, Document(data=data, file=file)) for data in records]
    outputs = []
    for proposal in proposals:
        result = evaluate(
            proposal, ruleset, refdata, options.as_of, options.lang, options.unclear_as_flag
        )
        outputs.append(_output(result, proposal.data, options))
    return key, outputs, list(errors), last


def _output(result, data: dict, options: Options) -> dict:
    from pcd_screen.reports.portfolio import screened, summary_row

    form = result.to_compact_dict() if options.detail == "compact" else result.to_dict()
    output = {
        "id": result.proposal["id"],
        "file": result.proposal["file"],
        "json": json.dumps(form, default=vars, ensure_ascii=False, sort_keys=True),
        "row": summary_row(
            result,
            [a.get("budget") for a in data.get("activities") or []],
            [c.get("code") for c in data.get("countries") or []],
        ),
        "screened": screened(result, data),
    }
    if options.reports:
        from pcd_screen.reports.templated import render

        templates = dict(options.templates)
        for fmt in ("md", "html"):
            output[fmt] = render([result], fmt, options.lang, template=templates.get(fmt))
    return output


def screen_files(files, options: Options, jobs: int, done=frozenset(), progress=None):
    """Yield (key, outputs, errors, last) in input order, over `jobs` processes. Tasks whose key
    is in `done` (finished by an interrupted run) are not screened again: outputs is None."""
    work = tasks(files, options.lang, options.max_file_size)
    if jobs <= 1:
        _init_worker(options)
        results = (_skip(task) if task[0] in done else screen_task(task) for task in work)
    else:
        results = _parallel(work, options, jobs, done)
    for item in results:
        yield item
        if progress and item[3]:
            progress(1)


def _skip(task) -> tuple:
    return task[0], None, [], task[4]


def _parallel(work, options: Options, jobs: int, done):
    """Tasks run on a pool, results in input order; at most WINDOW tasks per worker under way
    (Pool.imap would read the whole input ahead)."""
    import multiprocessing
    from collections import deque

    with multiprocessing.get_context("spawn").Pool(jobs, _init_worker, (options,)) as pool:
        pending: deque = deque()
        for task in work:
            if task[0] in done:
                pending.append(_skip(task))
            else:
                pending.append(pool.apply_async(screen_task, (task,)))
            while len(pending) > WINDOW * jobs or (pending and isinstance(pending[0], tuple)):
                item = pending.popleft()
                yield item if isinstance(item, tuple) else item.get()
        while pending:
            item = pending.popleft()
            yield item if isinstance(item, tuple) else item.get()


# --------------------------------------------------------------------------- outputs

JOURNAL = ".pcd-screen-journal.jsonl"


class ResumeError(ValueError):
    """The journal in the output folder belongs to a run with other inputs or settings."""


class BatchWriter:
    """Writes a run's outputs as results arrive, so memory does not grow with the portfolio.

    Reports are written at once; results.jsonl and summary.csv line by line into temporary
    files renamed into place when the run is complete, with the portfolio report. A journal
    records every finished task, so that `batch --resume` continues an interrupted run: its
    tasks are replayed from the journal, in order, and only the rest is screened."""

    def __init__(self, out: Path, fingerprint: str, reports: bool = True, resume: bool = False):
        self.out = out
        self.reports_wanted = reports
        out.mkdir(parents=True, exist_ok=True)
        if reports:
            (out / "reports").mkdir(exist_ok=True)
        self.taken: set[str] = set()
        self.portfolio = Aggregate()
        self.reports: dict[str, str] = {}
        self.written: list[Path] = []
        self.errors: list[str] = []
        self.notes: list[str] = []  # ids that could not give their own file name
        self.journaled = self._read_journal(fingerprint) if resume else {}
        self._journal = open(out / JOURNAL, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._journal.write(json.dumps({"fingerprint": fingerprint}) + "\n")
        self._results = self._temporary(".results.")
        self._summary = self._temporary(".summary.")
        self._summary_header = False

    def _temporary(self, prefix: str):
        from pcd_screen.core.outputs import temporary

        handle, path = temporary(self.out, prefix)
        return open(handle, "w", encoding="utf-8", newline="\n"), Path(path)  # noqa: SIM115

    def _read_journal(self, fingerprint: str) -> dict:
        """Finished tasks of the interrupted run: key -> (outputs, errors)."""
        path = self.out / JOURNAL
        if not path.exists():
            return {}
        done = {}
        with open(path, encoding="utf-8") as handle:
            lines = iter(handle)
            head = json.loads(next(lines, "{}") or "{}")
            if head.get("fingerprint") != fingerprint:
                raise ResumeError(
                    f"{path}: the interrupted run had other inputs or settings; "
                    "run without --resume to start again"
                )
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:  # the line being written when the run was stopped
                    break
                done[tuple(record["key"])] = (record["outputs"], record["errors"])
        return done

    def add(self, key, outputs, errors) -> None:
        """The outputs of one finished task (None: replay them from the journal)."""
        if outputs is None:
            outputs, errors = self.journaled[key]
            outputs = [{**o, "screened": _screened(o["screened"])} for o in outputs]
        for output in outputs:
            if self.reports_wanted:  # names are kept only for runs with reports
                name = safe_name(output["id"], self.taken)
                if "md" in output:
                    for suffix in ("md", "html"):
                        text = output.pop(suffix)
                        self.written.append(_write(self.out / "reports" / f"{name}.{suffix}", text))
                self._note_name(output, name)
                self.reports.setdefault(output["id"], f"reports/{name}.html")
            self._results[0].write(output["json"] + "\n")
            self._summary_row(output["row"])
            self.portfolio.add(output["screened"])
        self.errors += errors
        record = {
            "key": list(key),
            "outputs": [{**o, "screened": asdict(o["screened"])} for o in outputs],
            "errors": errors,
        }
        # After the reports: a task in the journal has all its files.
        self._journal.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._journal.flush()

    def _note_name(self, output: dict, name: str) -> None:
        """Say so when an id cannot give its own report name (a repeat, a look-alike)."""
        pid, file = output["id"], output["file"]
        if pid in self.reports:
            self.notes.append(
                f"{file}: proposal id {pid!r} is used again; the portfolio links the first, "
                f"this one's reports are reports/{name}.*"
            )
        elif name != base_name(pid):
            self.notes.append(
                f"{file}: proposal id {pid!r} gives the same file name as another; its reports "
                f"are reports/{name}.*"
            )

    def _summary_row(self, row: dict) -> None:
        writer = csv.DictWriter(self._summary[0], fieldnames=list(row), lineterminator="\n")
        if not self._summary_header:
            writer.writeheader()
            self._summary_header = True
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})

    def abort(self, keep_journal: bool = True) -> None:
        """Stop without the run's files; the journal stays for --resume."""
        for stream, path in (self._results, self._summary):
            stream.close()
            path.unlink(missing_ok=True)
        self._journal.close()
        if not keep_journal:
            (self.out / JOURNAL).unlink(missing_ok=True)

    def finish(self, inputs: list[str], ruleset, refdata, as_of: date, lang: str) -> list[Path]:
        import os

        from pcd_screen import __version__
        from pcd_screen.engine.evaluate import evaluate_portfolio
        from pcd_screen.reports.catalogue import ruleset_texts
        from pcd_screen.reports.portfolio import portfolio_facts
        from pcd_screen.reports.templated import environment

        for name, (stream, path) in (
            ("results.jsonl", self._results),
            ("summary.csv", self._summary),
        ):
            stream.close()
            os.replace(path, self.out / name)
            self.written.append(self.out / name)
        texts = json.dumps(ruleset_texts(ruleset, lang), ensure_ascii=False, indent=1)
        self.written.append(_write(self.out / "ruleset.json", texts + "\n"))

        figures = self.portfolio.figures()
        facts = portfolio_facts(figures)
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
            "charts": _charts(figures, lang),
        }
        for suffix in ("md", "html"):
            template = environment(suffix == "html", lang).get_template(f"portfolio.{suffix}.j2")
            text = template.render(lang=lang, **context).rstrip("\n") + "\n"
            self.written.append(_write(self.out / f"portfolio.{suffix}", text))
        self._journal.close()
        (self.out / JOURNAL).unlink(missing_ok=True)  # the run is complete
        return self.written


def _screened(data: dict):
    """A portfolio record read back from the journal (JSON has lists for tuples)."""
    from pcd_screen.reports.portfolio import Screened

    data = dict(data)
    data["concerns"] = [tuple(c) for c in data["concerns"]]
    data["countries"] = [tuple(c) for c in data["countries"]]
    return Screened(**data)


def fingerprint(files, options: Options, ruleset_hash: str) -> str:
    """What a resumed run must share with the interrupted one: inputs (their bytes), settings,
    tool and ruleset."""
    import hashlib

    from pcd_screen import __version__

    digest = hashlib.sha256()
    settings = [__version__, ruleset_hash, options.as_of.isoformat()]
    settings += [options.lang, list(options.unclear_as_flag), options.reports, options.detail]
    settings += [[fmt, template.source] for fmt, template in options.templates]
    digest.update(json.dumps(settings).encode())
    for file in files:
        digest.update(file.encode() + b"\0")
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _write(path: Path, text: str) -> Path:
    write_atomic(path, text)
    return path


def _charts(figures: dict, lang: str = "en") -> dict:
    from pcd_screen.reports.svgchart import bar_chart
    from pcd_screen.reports.templated import principle_label, verdict_label

    # Principles and verdicts by their labels, as in the tables beside the charts.
    by_principle = [
        (principle_label(name, lang), figures["by_principle"][name].get("share", 0.0))
        for name in PRINCIPLES
    ]
    verdicts = [
        (verdict_label(v, lang, True), figures["verdicts"][v]["budget"])
        for v in figures["verdicts"]
    ]
    return {
        "principles": bar_chart(by_principle, percent=True, lang=lang),
        "verdicts": bar_chart(verdicts, percent=False, lang=lang),
    }
