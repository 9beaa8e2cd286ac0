"""Human review of a batch run: a seeded random sample of proposals, stratified by verdict, in
a review sheet a person fills in (agree with the verdict? which flagged rules are wrong? why?);
read back, it gives agreement rates per verdict and per rule, so that published figures carry
their measured error.

The sample is drawn as results arrive (a reservoir per verdict), so memory does not grow with
the portfolio; the same inputs and seed give the same sample.
"""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from pathlib import Path

from pcd_screen.core.outputs import SpreadsheetCsv, spreadsheet_safe, write_atomic
from pcd_screen.core.terms import VERDICTS
from pcd_screen.engine.result import format_evidence

SHEET_COLUMNS = (
    "id",
    "title",
    "text",
    "verdict",
    "categories",
    "flagged_rules",
    "evidence",
    "source",
    "verdict_agree",
    "rules_wrong",
    "reason",
)
ANSWERS = {"yes": True, "y": True, "1": True, "no": False, "n": False, "0": False}
TEXT_LIMIT = 1200


def review_record(result, data: dict) -> dict:
    """What a reviewer needs of one screened proposal: its text, verdict, categories and the
    flagged concerns with their quoted evidence and lines."""
    text = " ".join(str(data.get(key) or "") for key in ("summary", "description") if data.get(key))
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT].rsplit(" ", 1)[0] + " ..."
    flagged = [f for f in result.findings if f.kind == "concern" and f.status == "flag"]
    evidence = []
    for finding in flagged:
        quotes = []
        for item in finding.evidence[:3]:
            where = f" (line {item.line})" if item.line else ""
            # As the reports show it ("yes", a frame by its label), with the sentence it read.
            shown = format_evidence(item, result.lang)[:160]
            said = f" “{item.quote[:160]}”" if item.quote else ""
            quotes.append(f"{item.path} = {shown}{said}{where}")
        evidence.append(f"{finding.rule_id}: " + "; ".join(quotes))
    categories = result.facts.get("category_shares") or {}
    iati = data.get("x-iati") or {}
    return {
        "id": result.proposal["id"],
        "title": result.proposal["title"],
        "text": text,
        "verdict": result.verdict,
        "categories": "; ".join(f"{c} {s:.0%}" for c, s in categories.items()),
        "flagged_rules": "; ".join(f.rule_id for f in flagged),
        "evidence": " | ".join(evidence),
        "source": f"{iati.get('file')}:{iati.get('line')}" if iati else result.proposal["file"],
    }


class ReviewSampler:
    """A reservoir of `size` records per verdict (Algorithm R), seeded."""

    def __init__(self, size: int, seed: int = 1):
        self.size = size
        self.random = random.Random(seed)
        self.seen: dict[str, int] = defaultdict(int)
        self.kept: dict[str, list] = defaultdict(list)

    def add(self, record: dict) -> None:
        verdict = record["verdict"]
        self.seen[verdict] += 1
        kept = self.kept[verdict]
        if len(kept) < self.size:
            kept.append(record)
        else:
            slot = self.random.randrange(self.seen[verdict])
            if slot < self.size:
                kept[slot] = record

    def sample(self) -> list[dict]:
        """`size` records in all, shared among the verdicts in proportion to how many each has
        (each verdict present gets at least one), in verdict order."""
        total = sum(self.seen.values())
        present = [v for v in VERDICTS if self.seen.get(v)]
        if not total:
            return []
        quota = {v: max(1, round(self.size * self.seen[v] / total)) for v in present}
        while sum(quota.values()) > self.size and any(q > 1 for q in quota.values()):
            largest = max(present, key=lambda v: (quota[v], v))
            quota[largest] -= 1
        out = []
        for verdict in present:
            kept = sorted(self.kept[verdict], key=lambda r: r["id"])
            out += self.random.sample(kept, min(quota[verdict], len(kept)))
        return out


def write_sheet(path: Path, records: list[dict]) -> Path:
    import io

    buffer = io.StringIO()
    writer = SpreadsheetCsv(buffer)
    writer.writerow(SHEET_COLUMNS)
    for record in records:
        writer.writerow(record.get(column, "") for column in SHEET_COLUMNS)
    write_atomic(path, buffer.getvalue())
    return path


class SheetError(ValueError):
    """A review sheet that cannot be read at all (the message names the file)."""


class RunFolderError(ValueError):
    """A run folder the agreement cannot be written into safely (the message names the path)."""


REQUIRED_COLUMNS = ("id", "verdict", "flagged_rules", "verdict_agree", "rules_wrong")


def run_verdicts(run_dir) -> dict[str, set[str]]:
    """Proposal id -> its verdicts (an id may be screened twice) in a batch run folder, read
    from its results.jsonl as `diff` reads it (within limits, every line checked), without
    following a link there. RunFolderError names the file and line."""
    from pcd_screen.runs.rundiff import read_run

    verdicts: dict[str, set[str]] = defaultdict(set)
    try:
        results = read_run(Path(run_dir) / "results.jsonl", follow_links=False)
    except ValueError as exc:
        raise RunFolderError(str(exc)) from None
    for result in results.values():
        verdicts[result["proposal"]["id"]].add(result["verdict"])
    return dict(verdicts)


def read_sheet(path, max_bytes: int | None = None, run: dict | None = None) -> dict:
    """Agreement rates of a filled-in review sheet: per verdict (the reviewer agrees with the
    verdict) and per rule (the flagged rule is right unless the reviewer lists it in
    rules_wrong). Rows without an answer are counted as not reviewed.

    The sheet is read as the CSV importer reads a spreadsheet (csvtable.read_text: a regular
    file within the size limit, UTF-8 or with a byte-order mark); SheetError when it cannot be
    read or is no review sheet. A row that cannot be counted (an answer other than yes or no,
    an unknown verdict or rule id, a cell over the csv module's limit) is left out and
    described in "problems", as FILE:ROW: column: what is wrong. With `run` (run_verdicts of
    the run the sheet goes into), a row whose id is not a proposal of that run, or whose
    verdict is not the run's, is a problem too: a sheet of another run would put its rates
    into this run's report."""
    import io

    from pcd_screen.core.located import LoadError
    from pcd_screen.inputs.csvtable import read_text, row_problem

    name = str(path)
    try:
        text, delimiter = read_text(path, name, max_bytes)
    except LoadError as exc:
        raise SheetError("\n".join(str(error) for error in exc.errors)) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header = [cell.strip() for cell in next(reader, [])]
    except csv.Error as exc:
        raise SheetError(f"{name}:1: (header): {row_problem(exc)}") from None
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise SheetError(f"{name}: not a review sheet (no column {', '.join(missing)})")
    # Ids as the sheet holds them: written spreadsheet_safe, or as typed, since a spreadsheet
    # drops the leading apostrophe when it saves.
    known = {}
    for pid, run_verdict in (run or {}).items():
        known[pid] = known[spreadsheet_safe(pid)] = (pid, run_verdict)
    verdicts: dict = defaultdict(lambda: [0, 0])  # verdict -> [agreed, reviewed]
    rules: dict = defaultdict(lambda: [0, 0])
    problems, reviewed, rows, number = [], 0, 0, 1
    while True:
        number += 1  # spreadsheet rows, one per record: the header is row 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            rows += 1
            problems.append(f"{name}:{number}: (row): {row_problem(exc)}")
            continue
        if not any(cell.strip() for cell in cells):
            continue
        rows += 1
        row = dict(zip(header, cells, strict=False))  # a short row lacks the last columns
        answer = row.get("verdict_agree", "").strip().lower()
        verdict = row.get("verdict", "").strip().lstrip("'")
        flagged = [r.strip() for r in row.get("flagged_rules", "").split(";") if r.strip()]
        wrong = {r.strip() for r in row.get("rules_wrong", "").split(";") if r.strip()}
        problem = _row_problem(answer, verdict, flagged, wrong) if answer else None
        if problem is None and run is not None:  # answered or not: the sheet is of the run
            problem = _not_of_the_run(row, verdict, known)
        if problem:
            problems.append(f"{name}:{number}: {problem}")
            continue
        if not answer:
            continue
        reviewed += 1
        verdicts[verdict][1] += 1
        verdicts[verdict][0] += ANSWERS[answer]
        for rule in flagged:
            rules[rule][1] += 1
            rules[rule][0] += rule not in wrong
    return {
        "sheet": name,
        "rows": rows,
        "reviewed": reviewed,
        "verdicts": {
            v: {"agreed": a, "reviewed": n, "rate": a / n} for v, (a, n) in verdicts.items() if n
        },
        "rules": {
            r: {"agreed": a, "reviewed": n, "rate": a / n} for r, (a, n) in sorted(rules.items())
        },
        "overall": (sum(a for a, _n in verdicts.values()) / reviewed if reviewed else None),
        "problems": problems,
    }


def _not_of_the_run(row: dict, verdict: str, known: dict) -> str | None:
    """`column: what is wrong` when a row is not of the run (known: see read_sheet), or None."""
    from pcd_screen.core.located import clip

    cell = row.get("id", "")
    pid, verdicts = known.get(cell) or known.get(cell.strip()) or (None, None)
    if pid is None:
        return f"id: {clip(cell, 80)!r} is not a proposal of this run"
    if verdict not in verdicts:
        shown = ", ".join(sorted(verdicts))
        return f"verdict: {clip(verdict, 80)!r} is not the run's for {clip(pid, 80)!r} ({shown})"
    return None


def _row_problem(answer: str, verdict: str, flagged: list, wrong: set) -> str | None:
    """`column: what is wrong` with a reviewed row, or None when it can be counted. Values are
    quoted with repr and cut short: a sheet may hold control characters or megabytes."""
    from pcd_screen.core.located import clip
    from pcd_screen.core.terms import RULE_ID

    if answer not in ANSWERS:
        return f"verdict_agree: {clip(answer, 80)!r} is not yes or no"
    if verdict not in VERDICTS:
        return f"verdict: {clip(verdict, 80)!r} is not a verdict ({', '.join(VERDICTS)})"
    for column, ids in (("flagged_rules", flagged), ("rules_wrong", sorted(wrong))):
        bad = next((r for r in ids if not re.fullmatch(RULE_ID, r)), None)
        if bad is not None:
            return f"{column}: {clip(bad, 80)!r} is not a rule id (such as DNH-001)"
    unflagged = sorted(wrong - set(flagged))
    if unflagged:
        return f"rules_wrong: {', '.join(unflagged)} was not flagged on this row"
    return None


def section(agreement: dict, html: bool = False) -> str:
    """The review section of the portfolio report (Markdown or HTML). `pcd-screen review`
    prints it on its own too, so it names the figures it qualifies ("the figures above" had
    nothing above it there)."""
    from html import escape

    lines = []
    overall = agreement["overall"]
    if overall is None:  # a sheet sent out but not yet filled in: no error measured
        intro = (
            f"None of the {agreement['rows']} sampled proposals has been reviewed yet "
            f"({agreement['sheet']}): the portfolio report's figures carry no measured error."
        )
    else:
        intro = (
            f"{agreement['reviewed']} of {agreement['rows']} sampled proposals reviewed by a "
            f"person ({agreement['sheet']}); the reviewer agreed with the verdict in "
            f"{overall:.0%} of them. The portfolio report's figures (verdicts, budget shares "
            "flagged) carry this measured error."
        )
    verdict_rows = [
        (v, x["agreed"], x["reviewed"], f"{x['rate']:.0%}")
        for v, x in sorted(
            agreement["verdicts"].items(),
            key=lambda i: VERDICTS.index(i[0]) if i[0] in VERDICTS else 99,
        )
    ]
    rule_rows = [
        (r, x["agreed"], x["reviewed"], f"{x['rate']:.0%}") for r, x in agreement["rules"].items()
    ]
    if html:
        lines.append("<h2>Human review</h2>")
        lines.append(f"<p>{escape(intro)}</p>")
        for head, rows in (("verdict", verdict_rows), ("rule", rule_rows)):
            lines.append(
                f"<table><tr><th>{head}</th><th>agreed</th><th>reviewed</th><th>rate</th></tr>"
            )
            lines += [
                f'<tr><td>{escape(str(a))}</td><td class="n">{b}</td><td class="n">{c}</td>'
                f'<td class="n">{d}</td></tr>'
                for a, b, c, d in rows
            ]
            lines.append("</table>")
    else:
        lines += ["## Human review", "", intro, ""]
        for head, rows in (("verdict", verdict_rows), ("rule", rule_rows)):
            lines += [f"| {head} | agreed | reviewed | rate |", "|---|---|---|---|"]
            lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
            lines.append("")
    return "\n".join(lines) + "\n"


MARK_START, MARK_END = "<!-- review:start -->", "<!-- review:end -->"
_EARLIER_SECTION = re.compile(
    f"^{re.escape(MARK_START)}\n.*?^{re.escape(MARK_END)}$\n*", re.MULTILINE | re.DOTALL
)
AGREEMENT_FILE = "review-agreement.json"
REPORTS = (("portfolio.md", False), ("portfolio.html", True))  # file, HTML
# A portfolio report lists at most 1,000 proposals: far below this.
REPORT_MAX_BYTES = 64 * 1024 * 1024


def write_into_run(run_dir, agreement: dict) -> list[Path]:
    """Write the agreement into a batch run folder: review-agreement.json, and the review
    section into those of its portfolio reports that exist. Files in the folder are the run's,
    so no link there is read or written through (docs/security.md, "Outputs"); every target is
    checked and every report read before anything is written, and each file is written whole
    (a temporary file, then a rename). RunFolderError names the path. The paths written."""
    import json

    from pcd_screen.core.outputs import check_target

    out = Path(run_dir)
    try:
        updates = {
            check_target(out / AGREEMENT_FILE, within=out): json.dumps(agreement, indent=1) + "\n"
        }
        for name, html in REPORTS:
            report = _read_report(out / name)
            if report is not None:
                target = check_target(out / name, within=out)
                updates[target] = with_section(report, section(agreement, html=html), html)
        for target, text in updates.items():
            write_atomic(target, text, within=out)
    except OSError as exc:
        where = exc.filename or out
        raise RunFolderError(
            f"{where}: {exc.strerror or exc}; in the run folder only regular files are read "
            "and replaced, and no link is followed"
        ) from None
    return list(updates)


def _read_report(path: Path) -> str | None:
    """A portfolio report's text, None when there is none; OSError for a link, a FIFO, a report
    over REPORT_MAX_BYTES or one that is not UTF-8."""
    import errno

    from pcd_screen.core.yamlread import read_input

    try:
        raw = read_input(path, REPORT_MAX_BYTES, follow_links=False)
    except FileNotFoundError:
        return None
    if raw is None:
        message = f"larger than {REPORT_MAX_BYTES} bytes: not a portfolio report"
        raise OSError(errno.EFBIG, message, str(path))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise OSError(errno.EINVAL, "not UTF-8: not a portfolio report", str(path)) from None


def with_section(report: str, text: str, html: bool) -> str:
    """The report with the review section in it, replacing an earlier one. The markers and the
    place it goes are matched only as lines of their own, as the tool writes them: proposal text
    in a report is never a line of its own (HTML escapes it, Markdown keeps it within a table
    cell or a list item: reports.common.md_cell), so a title holding a marker cannot make this
    replace the report between two titles."""
    block = f"{MARK_START}\n{text}{MARK_END}\n"
    earlier = _EARLIER_SECTION.search(report)
    if earlier:
        return report[: earlier.start()] + block + report[earlier.end() :]
    anchor = "<h2>Data</h2>" if html else "## Data"
    for candidate in (anchor, "</body>"):
        found = re.search(f"^{re.escape(candidate)}", report, re.MULTILINE)
        if found:
            return report[: found.start()] + block + report[found.start() :]
    return report + "\n" + block
