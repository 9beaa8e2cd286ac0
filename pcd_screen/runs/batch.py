"""Batch screening of a portfolio: many inputs in, per-proposal reports, results.jsonl,
summary.csv and a portfolio report out. One bad input is reported and skipped; it never stops
the run. Every file is written whole (temporary file, then rename).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from pathlib import Path

from pcd_screen.core.outputs import (
    SpreadsheetCsv,
    base_name,
    file_kind,
    safe_name,
    write_atomic,
)
from pcd_screen.core.terms import PRINCIPLES
from pcd_screen.core.yamlread import open_input
from pcd_screen.reports.portfolio import Aggregate

# --------------------------------------------------------------------------- screening

# Proposals of a portfolio export sent to a worker at once, and tasks under way per worker:
# enough to keep the workers busy, few enough that memory does not grow with the input.
CHUNK = 32
WINDOW = 4

_WORKER: dict = {}


@dataclass(frozen=True)
class Options:
    settings: object  # config.Settings: rules, rule settings, waivers, as_of, lang, policy
    reports: bool = True  # a Markdown and an HTML report per proposal
    detail: str = "compact"  # of results.jsonl: compact or full (see the result schema)
    # The user's report templates by format (usertemplate.UserTemplate); a problem in one
    # raises usertemplate.TemplateProblem, which ends the run.
    templates: tuple = ()
    # Spreadsheet column mapping: {"columns": {header: field}, "constants": {field: value}}.
    mapping: dict | None = None
    # Screen each proposal as of its own start date (`--as-of activity`), not the run's date.
    as_of_activity: bool = False
    currency: str = "EUR"  # of the portfolio's totals
    include_implausible: bool = False  # keep implausible amounts in the totals
    review: int = 0  # proposals in the review sample (runs/review.py); 0: no review sheet

    @property
    def lang(self) -> str:
        return self.settings.lang

    @property
    def max_file_size(self) -> int | None:  # None: each reader's own default
        return self.settings.max_file_size


def _init_worker(options: Options) -> None:
    from pcd_screen.config import open_session

    _WORKER.update(options=options, session=open_session(options.settings))
    # The rules and reference data live as long as the worker: the garbage collector need not
    # look at them again each time it runs (every few hundred proposals' worth of objects).
    import gc

    gc.freeze()


def tasks(files, lang: str, max_size: int | None = None, mapping: dict | None = None):
    """The work of a run, in input order: (key, file, proposals, errors, last).

    A proposal file is read by the worker (proposals is None). A portfolio export (IATI XML,
    CSV) is parsed here, as it streams, and its proposals are sent on in chunks, so that the
    activities of one large file are screened in parallel."""
    from pcd_screen import inputs

    for file in files:
        importer = inputs.importer_for(file)
        if importer is None or not importer.portfolio:
            yield (file, 0), file, None, [], True
            continue
        chunk, errors, number = [], [], 0
        # Deferred: what reads the prose is finished in the worker, which screens the same
        # texts (screen_task).
        for item in inputs.records(file, lang, max_size, mapping, deferred=True):
            if isinstance(item, dict):
                chunk.append(item)
            else:
                errors.append(str(item))
            if len(chunk) == CHUNK or len(errors) == CHUNK:  # a file of bad records, too
                yield (file, number), file, chunk, errors, False
                chunk, errors, number = [], [], number + 1
        yield (file, number), file, chunk, errors, True


def screen_task(task) -> tuple:
    """(key, outputs, errors, last) for one task: each output holds one proposal's screening,
    rendered and serialised here, in the worker, so that the main process only writes."""
    from pcd_screen import inputs
    from pcd_screen.core.proposal import Proposal

    key, file, records, errors, last = task
    options, session = _WORKER["options"], _WORKER["session"]
    if records is None:
        proposals, errors = [], list(errors)
        for item in inputs.proposals(file, options.lang, options.max_file_size):
            (errors if isinstance(item, str) else proposals).append(item)
    else:
        # Validated as they were imported: not checked twice; finished here (records with
        # deferred=True), so that the texts are read once, for the importer and the rules.
        proposals, errors = [], list(errors)
        for data in records:
            done = inputs.finish(file, data)
            if isinstance(done, str):
                errors.append(done)
            else:
                proposals.append(Proposal(done, inputs.document_for(done, file)))
    outputs = [
        _output(session.screen(p, as_of=_as_of(p.data, options)), p.data, options)
        for p in proposals
    ]
    return key, outputs, list(errors), last


def _as_of(data: dict, options: Options):
    """The date a proposal is screened as of: its start date with --as-of activity (reference
    lists such as the DAC list as they stood then), else the run's date (None)."""
    if not options.as_of_activity:
        return None
    from datetime import date

    start = (data.get("period") or {}).get("start")
    return date.fromisoformat(start) if start else None


def _output(result, data: dict, options: Options) -> dict:
    from pcd_screen.reports.portfolio import records

    entry, row = records(result, data, options.currency)
    row.update(
        {
            "as_of": result.as_of,
            "humanitarian": {True: "yes", False: "no"}.get(entry.humanitarian, ""),
            f"budget_{options.currency}": _number(entry.converted),
            "rate": f"{entry.rate:.6g}" if entry.rate else "",
            "rate_year": entry.rate_year or "",
            "implausible": entry.implausible or "",
            "publisher": entry.publisher or "",
            "source": entry.source or "",
        }
    )
    output = {
        "id": result.proposal["id"],
        "file": result.proposal["file"],
        "json": result.compact_json()
        if options.detail == "compact"
        else json.dumps(result.to_dict(), default=vars, ensure_ascii=False, sort_keys=True),
        "row": row,
        "screened": entry,
        # The waivers that covered a finding (in force or expired): the rest are stale.
        "waivers": sorted(
            {(f.waiver["file"], f.waiver["line"] or 0) for f in result.findings if f.waiver}
        ),
    }
    if options.review:
        from pcd_screen.runs.review import review_record

        output["review"] = review_record(result, data)
    if options.reports:
        from pcd_screen.reports.templated import render

        templates = dict(options.templates)
        for fmt in ("md", "html"):
            output[fmt] = render([result], fmt, options.lang, template=templates.get(fmt))
    return output


def _number(value) -> str:
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def screen_files(files, options: Options, jobs: int, done=frozenset(), progress=None):
    """Yield (key, outputs, errors, last) in input order, over `jobs` processes. Tasks whose key
    is in `done` (finished by an interrupted run) are not screened again: outputs is None."""
    work = tasks(files, options.lang, options.max_file_size, options.mapping)
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
LEFT_OUT_LISTED = 100  # problems named in the portfolio report; summary.csv has none
LOCK = ".pcd-screen.lock"
# What a run writes at the top of OUT (besides reports/): each must be absent or a regular file.
FIXED_OUTPUTS = ("results.jsonl", "summary.csv", "ruleset.json", "portfolio.md", "portfolio.html")


class ResumeError(ValueError):
    """The journal in the output folder belongs to a run with other inputs or settings."""


class OutputProblem(ValueError):
    """The output folder cannot be written safely: a link or a folder where a file goes, or
    another run holding it."""


def _open_regular(path: Path, flags: int):
    """A file descriptor on path (created if absent) that never follows a link, refusing
    anything but a regular file."""
    import os
    import stat

    try:
        fd = os.open(path, flags | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError as exc:
        raise OutputProblem(
            f"{path}: cannot write: {exc.strerror} (links are not followed)"
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputProblem(f"{path}: not a regular file")
    return fd


def _lock(out: Path):
    """An exclusive lock on OUT for the run (a lock file, flock): two runs into the same folder
    would mix their files. None where the platform has no flock."""
    import os

    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    path = out / LOCK
    fd = _open_regular(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise OutputProblem(
            f"{out}: another pcd-screen run is writing to this folder (it holds {path}); "
            "wait for it to finish or choose another --out"
        ) from None
    # A run that finished removed the file it locked: lock the one now in place instead.
    try:
        same = os.path.samestat(os.fstat(fd), os.lstat(path))
    except FileNotFoundError:
        same = False
    if not same:
        os.close(fd)
        return _lock(out)
    return fd


def _check_folder(out: Path, reports: bool) -> bool:
    """Refuse, before anything is screened, an OUT whose fixed outputs would be written through
    a link or onto a folder, FIFO or device. True when it made OUT/reports."""
    import os
    import stat

    for name in (*FIXED_OUTPUTS, JOURNAL):
        try:
            mode = os.lstat(out / name).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            raise OutputProblem(
                f"{out / name}: is {file_kind(mode)}; pcd-screen writes only regular files in "
                "--out and follows no link there: remove it or choose another --out"
            )
    if reports:
        folder = out / "reports"
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            folder.mkdir()
            return True
        if not stat.S_ISDIR(mode):
            kind = "a link" if stat.S_ISLNK(mode) else "not a folder"
            raise OutputProblem(
                f"{folder}: is {kind}; reports are written only inside --out: remove it or "
                "choose another --out"
            )
    return False


# The temporary files a run makes (tempfile.mkstemp: 8 random characters): .results.*.tmp and
# .summary.*.tmp and .portfolio.*.tmp (the workbook, written as results arrive), and
# .NAME.SUFFIX.*.tmp of the atomic writes of reports and fixed outputs.
_TEMPORARY = re.compile(r"\.(results|summary|portfolio|.+\.(md|html|json|csv))\.[a-z0-9_]{8}\.tmp")


def _clean_temporaries(out: Path) -> None:
    """Remove the temporary files of a run that was killed (SIGKILL, a power cut) before it
    could. Only called with the lock held, so no other run is writing them."""
    import contextlib
    import os

    for folder in (out, out / "reports"):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if _TEMPORARY.fullmatch(name):
                with contextlib.suppress(IsADirectoryError, PermissionError, FileNotFoundError):
                    (folder / name).unlink()


class BatchWriter:
    """Writes a run's outputs as results arrive, so memory does not grow with the portfolio.

    Reports are written at once; results.jsonl and summary.csv line by line into temporary
    files renamed into place when the run is complete, with the portfolio report. A journal
    records every finished task, so that `batch --resume` continues an interrupted run: its
    tasks are replayed from the journal, in order, and only the rest is screened."""

    def __init__(
        self,
        out: Path,
        fingerprint: str,
        reports: bool = True,
        resume: bool = False,
        currency: str = "EUR",
        include_implausible: bool = False,
        as_of_activity: bool = False,
        review: int = 0,
        review_seed: int = 1,
    ):
        self.out = out
        self.reports_wanted = reports
        self.portfolio = Aggregate(currency, include_implausible)
        self.as_of_activity = as_of_activity
        self.sampler = None
        if review:
            from pcd_screen.runs.review import ReviewSampler

            self.sampler = ReviewSampler(review, review_seed)
        # The folders this run makes, innermost first: a run that screens nothing removes them.
        self._made = [f for f in (out, *out.parents) if not f.exists()]
        out.mkdir(parents=True, exist_ok=True)
        self._lock_fd = _lock(out)
        try:
            if _check_folder(out, reports):
                self._made.insert(0, out / "reports")
            _clean_temporaries(out)
            self._start(fingerprint, resume)
        except BaseException:
            self._unlock()
            raise

    def _start(self, fingerprint: str, resume: bool) -> None:
        import os

        out = self.out
        self.taken: set[str] = set()
        self.reports: dict[str, str] = {}
        self.written: list[Path] = []
        self.errors: list[str] = []
        self.notes: list[str] = []  # ids that could not give their own file name
        self.waivers_matched: set[tuple] = set()  # (waivers file, line) of waivers used
        self.journaled = self._read_journal(fingerprint) if resume else {}
        fd = _open_regular(out / JOURNAL, os.O_WRONLY | os.O_TRUNC)
        self._journal = open(fd, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self._journal.write(json.dumps({"fingerprint": fingerprint}) + "\n")
        self._results = self._temporary(".results.")
        self._summary = self._temporary(".summary.")
        self._summary_header: list = []
        self._workbook = self._new_workbook()

    def _temporary(self, prefix: str):
        from pcd_screen.core.outputs import temporary

        handle, path = temporary(self.out, prefix)
        return open(handle, "w", encoding="utf-8", newline="\n"), Path(path)  # noqa: SIM115

    def _read_journal(self, fingerprint: str) -> dict:
        """Finished tasks of the interrupted run: key -> (outputs, errors).

        The journal is read as untrusted input: the last record may be cut anywhere (inside a
        UTF-8 character, a number, a string), and a record of the wrong shape ends the replay
        as a cut one does; what follows is screened again."""
        import os

        path = self.out / JOURNAL
        if not path.exists():
            return {}
        done = {}
        with os.fdopen(_open_regular(path, os.O_RDONLY), "rb") as handle:
            lines = iter(handle)
            head = _json_line(next(lines, b""))
            if not isinstance(head, dict) or head.get("fingerprint") != fingerprint:
                raise ResumeError(
                    f"{path}: the interrupted run had other inputs or settings; "
                    "run without --resume to start again"
                )
            for line in lines:
                record, results = _journal_line(line)
                if not _journal_record(record, results):  # cut when the run was stopped
                    break
                try:
                    outputs = [
                        {**o, "json": text, "screened": _screened(o["screened"])}
                        for o, text in zip(record["outputs"], results, strict=True)
                    ]
                except (TypeError, ValueError, KeyError):
                    break
                done[tuple(record["key"])] = (outputs, [str(e) for e in record["errors"]])
        return done

    def add(self, key, outputs, errors) -> None:
        """The outputs of one finished task (None: replay them from the journal)."""
        if outputs is None:
            outputs, errors = self.journaled[key]
        for output in outputs:
            if self.reports_wanted:  # names are kept only for runs with reports
                name = safe_name(output["id"], self.taken)
                if "md" in output:
                    for suffix in ("md", "html"):
                        text = output.pop(suffix)
                        self.written.append(
                            _write(self.out / "reports" / f"{name}.{suffix}", text, self.out)
                        )
                self._note_name(output, name)
                self.reports.setdefault(output["id"], f"reports/{name}.html")
            self._results[0].write(output["json"] + "\n")
            self._summary_row(output["row"])
            self.waivers_matched.update(tuple(w) for w in output.get("waivers", ()))
            self.portfolio.add(output["screened"])
            if self.sampler is not None and "review" in output:
                self.sampler.add(output["review"])
        self.errors += errors
        record = {
            "key": list(key),
            "outputs": [
                {**{k: v for k, v in o.items() if k != "json"}, "screened": _fields(o["screened"])}
                for o in outputs
            ],
            "errors": errors,
        }
        # After the reports: a task in the journal has all its files. Each results line
        # follows the record as it is, after a tab (JSON text holds no raw tab): quoted inside
        # the record, the 14 KB line of a proposal was escaped again, a tenth of the main
        # process's work per proposal.
        line = json.dumps(record, ensure_ascii=False)
        self._journal.write(line + "".join("\t" + o["json"] for o in outputs) + "\n")
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
        # One csv.writer for the run; each row in its own key order, as a DictWriter made for
        # it would write it (one was made per row), the header from the first row's keys.
        if not self._summary_header:
            self._summary_csv = SpreadsheetCsv(self._summary[0])
            self._summary_header = list(row)
            self._summary_csv.writerow(self._summary_header)
        cells = self._summary_csv.writerow(row.values())
        # The workbook's Proposals sheet: the cells as summary.csv holds them (text).
        self._workbook.proposal(self._summary_header, ["" if v is None else str(v) for v in cells])

    def _new_workbook(self):
        """portfolio.xlsx, made in a temporary file as results arrive (finish renames it into
        place)."""
        import os

        from pcd_screen.core.outputs import temporary
        from pcd_screen.reports.xlsx import PortfolioWorkbook

        handle, temp = temporary(self.out, ".portfolio.")
        os.close(handle)
        return PortfolioWorkbook(Path(temp))

    def abort(self, keep_journal: bool = True) -> None:
        """Stop without the run's files; the journal stays for --resume. Without it (nothing
        was screened), the folders the run made go too, if nothing else was put in them."""
        import contextlib

        for stream, path in (self._results, self._summary):
            stream.close()
            path.unlink(missing_ok=True)
        self._workbook.discard()
        self._journal.close()
        if not keep_journal:
            (self.out / JOURNAL).unlink(missing_ok=True)
        self._unlock()
        if not keep_journal:
            for folder in self._made:
                with contextlib.suppress(OSError):  # not empty: someone else's file is there
                    folder.rmdir()

    def _unlock(self) -> None:
        """Remove the lock file, then release it (a run waiting on the old file sees it gone
        and locks the new one: see _lock)."""
        import os

        if getattr(self, "_lock_fd", None) is not None:
            (self.out / LOCK).unlink(missing_ok=True)
            os.close(self._lock_fd)
            self._lock_fd = None

    def finish(
        self, inputs: list[str], session, left_out: tuple[int, list[str]] = (0, [])
    ) -> list[Path]:
        """Every output is made first (reports rendered, the spreadsheet in a temporary file)
        and only then put in place, so a run that fails here leaves none of them. `left_out`:
        how many inputs were skipped and why (the portfolio says so: its figures are of the
        rest)."""
        import os

        from pcd_screen import __version__
        from pcd_screen.core.outputs import check_target
        from pcd_screen.engine import exchangerates
        from pcd_screen.inputs.iati import coding_note, coding_rules
        from pcd_screen.reports.catalogue import ruleset_texts
        from pcd_screen.reports.jinja import environment
        from pcd_screen.reports.portfolio import portfolio_facts

        for stream, _path in (self._results, self._summary):
            stream.close()
        ruleset, as_of, lang = session.ruleset, session.as_of, session.lang
        texts = json.dumps(ruleset_texts(ruleset, lang), ensure_ascii=False, indent=1)
        figures = self.portfolio.figures()
        facts = portfolio_facts(figures)
        figures["findings"] = session.portfolio_findings(facts)
        meta = {
            "as_of": "activity" if self.as_of_activity else as_of.isoformat(),
            "run_date": as_of.isoformat(),
            "rates_source": exchangerates.source(),
            "sources": _sources(inputs),
            "ruleset": ruleset.hash,
            "tool": f"pcd-screen {__version__}",
            "refdata": sorted(session.refdata.versions().items()),
            "left_out": {"count": left_out[0], "problems": left_out[1][:LEFT_OUT_LISTED]},
        }
        context = {
            "coding": coding_rules(lang),
            "coding_note": coding_note(lang),
            "figures": figures,
            "principles": PRINCIPLES,
            "reports": self.reports,
            "inputs": inputs,
            "meta": meta,
            "charts": _charts(figures, lang),
        }
        reports = {}
        for suffix in ("md", "html"):
            template = environment(suffix == "html", lang).get_template(f"portfolio.{suffix}.j2")
            reports[suffix] = template.render(lang=lang, **context).rstrip("\n") + "\n"
        try:
            sheet = self._workbook.finish(figures, meta, context["coding"])
        except BaseException:
            self._workbook.discard()
            raise
        try:
            for name, (_stream, path) in (
                ("results.jsonl", self._results),
                ("summary.csv", self._summary),
            ):
                os.replace(path, check_target(self.out / name, self.out))
                self.written.append(self.out / name)
            self.written.append(_write(self.out / "ruleset.json", texts + "\n", self.out))
            for suffix, text in reports.items():
                self.written.append(_write(self.out / f"portfolio.{suffix}", text, self.out))
            os.replace(sheet, check_target(_xlsx_path(self.out), self.out))
            self.written.append(_xlsx_path(self.out))
        finally:
            Path(sheet).unlink(missing_ok=True)
        if self.sampler is not None:
            from pcd_screen.runs.review import write_sheet

            self.written.append(write_sheet(self.out / "review.csv", self.sampler.sample()))
        self._journal.close()
        (self.out / JOURNAL).unlink(missing_ok=True)  # the run is complete
        self._unlock()
        return self.written


def _json_line(line: bytes):
    """One JSON line of a run folder, or None when it is not one (cut inside a character, a
    number or a string; nested past the parser's recursion limit; numbers too long to read)."""
    try:
        return json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _journal_line(line: bytes) -> tuple:
    """(record, results lines) of one journal line: the record's JSON, then each of its
    outputs' results line after a tab (see BatchWriter.add); (None, []) when it is cut
    inside a character. A results line that is not whole JSON (cut) is None."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None, []
    head, *results = text.rstrip("\n").split("\t")
    return _json_line(head.encode()), [
        r if isinstance(_json_line(r.encode()), dict) else None for r in results
    ]


def _journal_record(record, results: list) -> bool:
    """A journal record of the shape add() writes (key, outputs with their fields, errors),
    followed by a whole results line for each of its outputs."""
    if not isinstance(record, dict) or not isinstance(record.get("key"), list):
        return False
    if not isinstance(record.get("errors"), list) or not isinstance(record.get("outputs"), list):
        return False
    if not all(isinstance(k, (str, int)) for k in record["key"]):
        return False
    if len(results) != len(record["outputs"]) or None in results:
        return False
    fields = {"id": str, "file": str, "row": dict, "screened": dict}
    return all(
        isinstance(o, dict) and all(isinstance(o.get(k), t) for k, t in fields.items())
        for o in record["outputs"]
    )


def _xlsx_path(out: Path) -> Path:
    return out / "portfolio.xlsx"


def _fields(entry) -> dict:
    """A portfolio record's fields, for the journal: dumped at once, so not deep-copied as
    dataclasses.asdict would (a third of the cost of journaling a proposal)."""
    return {f.name: getattr(entry, f.name) for f in fields(entry)}


def _screened(data: dict):
    """A portfolio record read back from the journal (JSON has lists for tuples)."""
    from pcd_screen.reports.portfolio import Screened

    data = dict(data)
    data["concerns"] = [tuple(c) for c in data["concerns"]]
    data["countries"] = [tuple(c) for c in data["countries"]]
    return Screened(**data)


def fingerprint(files, options: Options, session) -> str:
    """What a resumed run must share with the interrupted one: inputs (their bytes), settings,
    waivers, tool and the ruleset in effect."""
    import hashlib

    from pcd_screen import __version__

    digest = hashlib.sha256()
    settings = [__version__, session.ruleset.hash, session.as_of.isoformat()]
    settings += [session.lang, list(session.unclear_as_flag), options.reports, options.detail]
    settings += [[fmt, template.source] for fmt, template in options.templates]
    settings += [options.mapping or {}, options.as_of_activity, options.currency]
    settings += [options.include_implausible, options.review]
    settings += [w.to_dict() for w in session.waivers or ()]
    digest.update(json.dumps(settings).encode())
    for file in files:
        digest.update(file.encode() + b"\0")
        with open_input(file) as handle:  # a file replaced by a FIFO since would block
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _sources(files) -> list[dict]:
    """Each input with its size, modification date and sha1: the source of every figure."""
    import hashlib
    import re

    out = []
    for file in files:
        digest = hashlib.sha1()
        with open_input(file) as handle:  # a file replaced by a FIFO since would block
            head = handle.read(4096)
            digest.update(head)
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        entry = {"file": file, "sha1": digest.hexdigest()}
        generated = re.search(rb'generated-datetime="([0-9T:+.Z-]{10,40})"', head)
        if generated:  # IATI: when the publisher (or d-portal) generated the data
            entry["date"] = generated.group(1).decode()[:10]
        out.append(entry)
    return out


def _write(path: Path, text: str, out: Path) -> Path:
    write_atomic(path, text, within=out)
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
