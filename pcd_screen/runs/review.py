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
from collections import defaultdict
from pathlib import Path

from pcd_screen.core.outputs import spreadsheet_safe, write_atomic
from pcd_screen.core.terms import VERDICTS

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
            quotes.append(f"{item.path} = {str(item.value)[:160]!r}{where}")
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
    writer = csv.DictWriter(buffer, fieldnames=SHEET_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        row = {k: spreadsheet_safe(v) for k, v in record.items()}
        writer.writerow({**dict.fromkeys(SHEET_COLUMNS, ""), **row})
    write_atomic(path, buffer.getvalue())
    return path


class SheetError(ValueError):
    pass


def read_sheet(path) -> dict:
    """Agreement rates of a filled-in review sheet: per verdict (the reviewer agrees with the
    verdict) and per rule (the flagged rule is right unless the reviewer lists it in
    rules_wrong). Rows without an answer are counted as not reviewed."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"id", "verdict", "flagged_rules", "verdict_agree", "rules_wrong"} - set(
            reader.fieldnames or ()
        )
        if missing:
            raise SheetError(f"{path}: not a review sheet (no column {', '.join(sorted(missing))})")
        verdicts: dict = defaultdict(lambda: [0, 0])  # verdict -> [agreed, reviewed]
        rules: dict = defaultdict(lambda: [0, 0])
        problems, reviewed, rows = [], 0, 0
        for number, row in enumerate(reader, start=2):
            rows += 1
            answer = (row.get("verdict_agree") or "").strip().lower()
            if not answer:
                continue
            if answer not in ANSWERS:
                problems.append(f"{path}:{number}: verdict_agree: {answer!r} is not yes or no")
                continue
            reviewed += 1
            verdict = (row.get("verdict") or "").strip().lstrip("'")
            verdicts[verdict][1] += 1
            verdicts[verdict][0] += ANSWERS[answer]
            wrong = {r.strip() for r in (row.get("rules_wrong") or "").split(";") if r.strip()}
            flagged = [r.strip() for r in (row.get("flagged_rules") or "").split(";") if r.strip()]
            for rule in wrong - set(flagged):
                problems.append(f"{path}:{number}: rules_wrong: {rule} was not flagged on this row")
            for rule in flagged:
                rules[rule][1] += 1
                rules[rule][0] += rule not in wrong
    return {
        "sheet": str(path),
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


def section(agreement: dict, html: bool = False) -> str:
    """The review section of the portfolio report (Markdown or HTML)."""
    from html import escape

    lines = []
    overall = agreement["overall"]
    if overall is None:  # a sheet sent out but not yet filled in: no error measured
        intro = (
            f"None of the {agreement['rows']} sampled proposals has been reviewed yet "
            f"({agreement['sheet']}): the figures above carry no measured error."
        )
    else:
        intro = (
            f"{agreement['reviewed']} of {agreement['rows']} sampled proposals reviewed by a "
            f"person ({agreement['sheet']}); the reviewer agreed with the verdict in "
            f"{overall:.0%} of them. The figures above carry this measured error."
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


def insert_into_report(path: Path, text: str) -> bool:
    """Put the review section into a portfolio report (replacing an earlier one)."""
    if not path.exists():
        return False
    report = path.read_text(encoding="utf-8")
    block = f"{MARK_START}\n{text}{MARK_END}\n"
    if MARK_START in report and MARK_END in report:
        head, rest = report.split(MARK_START, 1)
        tail = rest.split(MARK_END, 1)[1].lstrip("\n")
        report = head + block + tail
    else:
        anchor = "<h2>Data</h2>" if path.suffix == ".html" else "## Data"
        for candidate in (anchor, "</body>"):
            if candidate in report:
                report = report.replace(candidate, block + candidate, 1)
                break
        else:
            report += "\n" + block
    write_atomic(path, report)
    return True
