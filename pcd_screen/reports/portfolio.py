"""Portfolio figures from many screening results: how much money went where, and how much of
it raises which concern. Pure: results in, figures out (no files, no printing).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from pcd_screen.core.located import clip
from pcd_screen.core.terms import PRINCIPLES, VERDICTS
from pcd_screen.engine.conditions import REFERENCE_DATA
from pcd_screen.engine.result import Result

_ACTIVITY = re.compile(r"^activities\[(\d+)\]")
NAME_LENGTH = 150  # characters of an implementer's name in the portfolio's tables


def budget_of(result: Result) -> float:
    return float(result.facts.get("total_budget") or result.facts.get("activity_budget_sum") or 0)


def flagged_share(result: Result, principle: str, activity_budgets: list[float] | None) -> float:
    """Share of a proposal's budget that a principle's flagged concerns bear on.

    When the evidence names activities with budgets, their share of the total; otherwise the
    whole budget (a concern about the funding conditions or the country choice concerns all of
    it). 0 when nothing of the principle is flagged."""
    return flagged_shares(result, activity_budgets).get(principle, 0.0)


def flagged_shares(
    result: Result, activity_budgets: list[float] | None, flagged: list | None = None
) -> dict[str, float]:
    """flagged_share of every principle with a flagged concern, in one pass over the findings
    (or over `flagged`, the result's flagged concerns when the caller has them already)."""
    cited: dict[str, set] = {}
    for f in _flagged(result) if flagged is None else flagged:
        activities = cited.setdefault(f.principle, set())
        activities.update(int(m.group(1)) for e in f.evidence if (m := _ACTIVITY.match(e.path)))
    total = budget_of(result)
    shares = {}
    for principle, activities in cited.items():
        known = [activity_budgets[i] for i in activities if i < len(activity_budgets or ())]
        if not activities or not activity_budgets or not total or None in known:
            shares[principle] = 1.0
        else:
            shares[principle] = min(sum(known) / total, 1.0)
    return shares


def _flagged(result: Result) -> list:
    """The result's flagged concerns, in finding order: what the portfolio figures count."""
    return [f for f in result.findings if f.kind == "concern" and f.status == "flag"]


def summary_row(
    result: Result,
    activity_budgets: list[float] | None,
    countries: list[str],
    flagged: list | None = None,
    shares: dict | None = None,
) -> dict:
    """One row of summary.csv (flagged and shares: as records() passes them, worked out once)."""
    if flagged is None:
        flagged = _flagged(result)
    if shares is None:
        shares = flagged_shares(result, activity_budgets, flagged)
    budget = budget_of(result)
    row = {
        "id": result.proposal["id"],
        "title": result.proposal["title"],
        "file": result.proposal["file"],
        "countries": ";".join(countries),
        # no budget (none given, or 0): an empty cell, not an amount of 0
        "budget": _number(budget) if budget else "",
        "currency": result.facts.get("currency") or "",
        "verdict": result.verdict,
    }
    counts = dict.fromkeys(PRINCIPLES, 0)
    for f in flagged:
        if f.principle in counts:
            counts[f.principle] += 1
    for principle, count in counts.items():
        row[f"{principle}_flagged"] = count
    for principle in PRINCIPLES:
        # a share of no budget is no figure: empty, as the budget
        row[f"{principle}_budget_share"] = f"{shares.get(principle, 0.0):.4f}" if budget else ""
    return row


def records(result: Result, data: dict, currency: str = "EUR") -> tuple[Screened, dict]:
    """screened() and summary_row() of one result, as batch writes them for every proposal:
    the findings are walked once for both."""
    flagged = _flagged(result)
    budgets = [a.get("budget") for a in data.get("activities") or []]
    shares = flagged_shares(result, budgets, flagged)
    countries = [c.get("code") for c in data.get("countries") or []]
    return (
        screened(result, data, currency, flagged, shares),
        summary_row(result, budgets, countries, flagged, shares),
    )


@dataclass(slots=True)
class Screened:
    """What the portfolio figures need of one screened proposal. A few numbers instead of the
    whole result, so that a portfolio of 100,000 proposals fits in memory."""

    id: str
    title: str
    verdict: str
    budget: float
    currency: str | None
    shares: dict  # principle -> flagged budget share, only where it is not 0
    concerns: list  # (rule_id, title) of every flagged concern
    countries: list  # (code, weight)
    implementers: list
    instrument: str | None
    ldc_share: float | None
    migration_control_share: float | None
    reported_as_oda: bool | None
    in_donor_amount: float | None
    # Money in the portfolio's currency: the budget converted at the annual average rate of the
    # budget's year (exchangerates.py); None when it cannot be (no currency, no rate).
    converted: float | None = None
    rate: float | None = None
    rate_year: int | None = None
    budget_year: int | None = None
    publisher: str | None = None  # the reporting organisation (IATI) or the donor
    implausible: str | None = None  # why the amount cannot be right, if it cannot
    humanitarian: bool | None = None
    as_of: str | None = None  # the date the proposal was screened as of
    start_year: int | None = None
    categories: dict | None = None  # activity category -> budget share
    theme: str | None = None  # the fund's own theme (x-theme), beside the tool's categories
    source: str | None = None  # file and line (IATI) or row (CSV)
    parent: str | None = None  # the id of the activity this one is a part of (x-parent)
    children: list | None = None  # ids of its parts, when the row lists them (x-children)
    # Why the totals leave it out although it was screened: [kind, of] (Aggregate sets it;
    # LEFT_OUT_KINDS), e.g. ["child", parent id]. None: counted.
    left_out: list | None = None
    # Some rule is unclear because the reference data has no answer for the as-of date (the DAC
    # List or the LDC list of an earlier year, say).
    unanswered: bool = False


# One activity larger than this (in the portfolio's currency) is not an aid activity: the
# largest single ODA commitments are in the low billions. A Japanese loan reported with yen
# figures as "USD" gives 200 billion.
MAX_PLAUSIBLE = 10e9


def screened(
    result: Result,
    data: dict,
    currency: str = "EUR",
    flagged: list | None = None,
    shares: dict | None = None,
) -> Screened:
    """The portfolio's view of one result and the proposal it screened; money converted into
    `currency` (flagged and shares: as records() passes them, worked out once)."""
    if flagged is None:
        flagged = _flagged(result)
    if shares is None:
        budgets = [a.get("budget") for a in data.get("activities") or []]
        shares = flagged_shares(result, budgets, flagged)
    budget = budget_of(result)
    money = _converted(budget, result.facts.get("currency"), data, result.as_of, currency)
    implausible = None
    if money[0] is not None and money[0] > MAX_PLAUSIBLE:
        implausible = (
            f"{money[0]:,.0f} {currency}: larger than any single aid activity "
            f"(more than {MAX_PLAUSIBLE:,.0f}); perhaps the wrong currency or unit"
        )
    iati = data.get("x-iati") or {}
    source = data.get("x-source") or {}
    where = (
        f"{iati.get('file')}:{iati.get('line')}"
        if iati.get("file")
        else (f"{source.get('file')}:{source.get('row')}" if isinstance(source, dict) else None)
    )
    start = (data.get("period") or {}).get("start")
    return Screened(
        id=result.proposal["id"],
        title=result.proposal["title"],
        verdict=result.verdict,
        budget=budget,
        currency=result.facts.get("currency"),
        shares={p: share for p, share in shares.items() if share},
        concerns=[(f.rule_id, f.title) for f in flagged],
        countries=_country_weights(data.get("countries") or []),
        # a name is a table row's label: an organisation's whole profile pasted into it
        # (seen in IATI narratives, 17,000 characters) is cut
        implementers=[
            clip(i.get("name") or "(unnamed)", NAME_LENGTH) for i in data.get("implementers") or []
        ],
        instrument=data.get("instrument"),
        ldc_share=result.facts.get("ldc_share"),
        migration_control_share=result.facts.get("migration_control_share"),
        reported_as_oda=(data.get("oda") or {}).get("reported_as_oda"),
        in_donor_amount=(data.get("in_donor_refugee_costs") or {}).get("amount"),
        converted=money[0],
        rate=money[1],
        rate_year=money[2],
        budget_year=money[3],
        publisher=((data.get("x-reporting-org") or {}).get("name") or data.get("donor")),
        implausible=implausible,
        humanitarian=result.facts.get("humanitarian"),
        as_of=result.as_of,
        start_year=int(start[:4]) if start else None,
        categories=result.facts.get("category_shares"),
        theme=data.get("x-theme"),
        source=where,
        parent=_text(data.get("x-parent")),
        children=[c for c in re.split(r"[,;\s]+", str(data.get("x-children") or "")) if c] or None,
        # the reference data has no answer for the as-of date: a rule unclear for want of it,
        # or a country whose LDC status then is not settled (not a share left unknown because
        # the country percentages are missing)
        unanswered=any(
            missing.startswith(REFERENCE_DATA)
            for f in result.findings
            if f.status == "unclear"
            for missing in f.missing or ()
        )
        or (bool(data.get("countries")) and result.facts.get("ldc_countries") is None),
    )


def _text(value) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _converted(budget, currency, data, as_of, target) -> tuple:
    """(converted, rate, rate year, budget year): the budget at the annual average rate of its
    year: the value date IATI gives, else the start year, else the screening date's."""
    if not budget:
        return 0.0 if currency else None, None, None, None
    if not currency:
        return None, None, None, None
    from pcd_screen.engine import exchangerates

    dated = (data.get("budget") or {}).get("x-value-date") or (data.get("period") or {}).get(
        "start"
    )
    year = int(str(dated or as_of)[:4])
    found = exchangerates.convert(budget, currency, year, target)
    if found is None:
        return None, None, None, year
    value, rate, rate_year = found
    # a budget without a date of its own is converted at the screening date's rate: it has no
    # year (the portfolio's rate table says "no date" rather than a year of spending)
    return value, rate, rate_year, year if dated else None


def _country_weights(countries: list[dict]) -> list[tuple[str, float]]:
    if not countries:
        return []
    if all(c.get("percentage") is not None for c in countries):
        return [(c["code"], c["percentage"] / 100) for c in countries]
    return [(c["code"], 1 / len(countries)) for c in countries]


# The portfolio report lists this many proposals, worst first; summary.csv lists them all.
MAX_LISTED = 1000
_KEYS = ("portfolio", "country", "implementer", "instrument")
# A publisher's activity this many times its median budget is implausible (orders of magnitude
# outside the spread of its other activities); the median needs this many activities.
OUTLIER_FACTOR = 1000
MIN_PUBLISHER_ACTIVITIES = 5
KEEP_LARGEST = 10  # per publisher: the candidates for that check (memory stays flat)
KINDS = ("humanitarian", "development")
# Why a screened proposal is left out of the money totals (Screened.left_out):
#   duplicate  its id (case and spaces aside) came earlier in the run, from another file or row
#              of the same export: the money is counted once, for the first
#   child      it is a part (x-parent) of an activity the totals count: the parent's budget
#              holds the child's, as an IATI hierarchy's levels do, so only the highest level
#              present is summed (EUTF: a decision's budget covers its contracts, which leave
#              some of it uncontracted; summing the contracts instead would lose that part)
#   umbrella   it stands for the whole fund (data/hierarchy.yaml): its children are counted
LEFT_OUT_KINDS = ("duplicate", "child", "umbrella")
LEFT_OUT_LISTED = 1000  # rows listed per report; the sums count them all


def id_key(pid) -> str:
    """An id as the portfolio compares ids: case and spaces aside (one newsroom's sheet writes
    T05-EUTF-HoA-SO-03, the Fund's export T05-EUTF-HOA-SO-03)."""
    return "".join(str(pid).split()).casefold()


@lru_cache(maxsize=1)
def _umbrella_phrases() -> tuple[str, ...]:
    from pcd_screen.core.paths import DATA_DIR
    from pcd_screen.core.yamlread import load_trusted

    phrases = load_trusted(DATA_DIR / "hierarchy.yaml")["umbrella_phrases"]
    return tuple(p.casefold() for words in phrases.values() for p in words)


def _umbrella_named(entry: Screened) -> bool:
    text = f"{entry.title} {entry.id}".casefold()
    return any(phrase in text for phrase in _umbrella_phrases())


class _Money:
    """Sums of the converted money: totals, and per principle the budget flagged."""

    def __init__(self):
        self.total = 0.0
        self.count = 0
        self.verdicts = dict.fromkeys(VERDICTS, 0.0)
        self.budget = {key: defaultdict(float) for key in _KEYS}  # key -> name -> budget
        self.flagged = {key: {p: defaultdict(float) for p in PRINCIPLES} for key in _KEYS}
        self.weighted = {"ldc_share": [0.0, 0.0], "migration_control_share": [0.0, 0.0]}
        self.categories: dict = defaultdict(float)  # activity category -> budget
        self.themes: dict = defaultdict(float)
        self.years: dict = defaultdict(float)
        self.uncategorised = 0.0

    def add(self, entry: Screened, sign: float = 1.0, categories: dict | None = None) -> None:
        """The entry's money, its categories those it has or else `categories`."""
        amount = (entry.converted or 0.0) * sign
        self.total += amount
        self.count += 1 if sign > 0 else -1
        self.verdicts[entry.verdict] += amount
        names = entry.implementers or ["(none)"]
        parts = {
            "portfolio": [("portfolio", 1.0)],
            "country": entry.countries or [("(none)", 1.0)],
            "implementer": [(name, 1.0 / len(names)) for name in names],
            "instrument": [(entry.instrument or "(none)", 1.0)],
        }
        for key, weights in parts.items():
            budget, flagged = self.budget[key], self.flagged[key]
            for name, weight in weights:
                budget[name] += amount * weight
                for principle, share in entry.shares.items():
                    flagged[principle][name] += amount * weight * share
        for fact, sums in self.weighted.items():
            value = getattr(entry, fact)
            if value is not None:
                sums[0] += amount
                sums[1] += amount * value
        categories = entry.categories or categories
        if categories:
            self._spread(amount, categories)
        else:
            self.uncategorised += amount
        self.themes[entry.theme or "(none)"] += amount
        self.years[str(entry.start_year or "(no start date)")] += amount

    def recategorise(self, amount: float, categories: dict) -> None:
        """Money counted without a category, given the categories of its twin record."""
        self.uncategorised -= amount
        self._spread(amount, categories)

    def _spread(self, amount: float, categories: dict) -> None:
        for category, share in categories.items():
            self.categories[category] += amount * share

    def merge(self, other: _Money) -> None:
        self.total += other.total
        self.count += other.count
        self.uncategorised += other.uncategorised
        for verdict, amount in other.verdicts.items():
            self.verdicts[verdict] += amount
        for key in _KEYS:
            for name, amount in other.budget[key].items():
                self.budget[key][name] += amount
            for principle in PRINCIPLES:
                for name, amount in other.flagged[key][principle].items():
                    self.flagged[key][principle][name] += amount
        for fact, (base, total) in other.weighted.items():
            self.weighted[fact][0] += base
            self.weighted[fact][1] += total
        for mine, theirs in (
            (self.categories, other.categories),
            (self.themes, other.themes),
            (self.years, other.years),
        ):
            for name, amount in theirs.items():
                mine[name] += amount

    def table(self, key: str, principle: str) -> dict:
        budget, flagged = _alike(self.budget[key]), _alike(self.flagged[key][principle])
        names = [n for n in budget if abs(budget[n]) > 1e-6]  # a removed outlier leaves 0
        return {
            name: {
                "budget": budget[name],
                "flagged": flagged.get(name, 0.0),
                "share": flagged.get(name, 0.0) / budget[name] if budget[name] else 0.0,
            }
            for name in sorted(names, key=lambda n: (-budget[n], n))
        }

    def shares(self, sums: dict) -> dict:
        total = self.total
        return {
            name: {"budget": amount, "share": amount / total if total else 0.0}
            for name, amount in sorted(sums.items(), key=lambda i: (-i[1], i[0]))
            if abs(amount) > 1e-6
        }


def _alike(sums: dict) -> dict:
    """Sums whose names differ only in case or spacing ("MINISTERIO DE HACIENDA", "Ministerio
    de Hacienda") added up, under the spelling that sorts first (the same whatever the order
    the proposals came in)."""
    groups: dict[str, list] = {}
    for name, amount in sums.items():
        groups.setdefault(" ".join(str(name).split()).casefold(), []).append((name, amount))
    return {min(n for n, _a in items): sum(a for _n, a in items) for items in groups.values()}


class Aggregate:
    """Portfolio figures built as results arrive. Memory grows with the number of currencies,
    countries, implementers, instruments and publishers, not with the number of proposals.

    Money is summed in one currency (`currency`, default EUR): each budget converted at the
    annual average rate of its year (engine/exchangerates.py), the rates used listed. A budget
    without a currency, or in a currency or year the table lacks, is listed apart. An
    implausible amount (larger than any aid activity, or orders of magnitude above the
    publisher's other activities) is listed and left out of the totals, unless
    include_implausible. Humanitarian and development money are also summed apart."""

    def __init__(self, currency: str = "EUR", include_implausible: bool = False):
        self.currency = currency
        self.include_implausible = include_implausible
        self.count = 0
        self.verdicts = dict.fromkeys(VERDICTS, 0)
        self.money: dict[str, _Money] = {kind: _Money() for kind in (*KINDS, "unknown")}
        self.unconverted: dict = defaultdict(float)  # currency -> budget not converted
        self.unconverted_count = 0
        # (currency, rate year, undated) -> [rate, amount, converted, count]
        self.rates: dict = {}
        self.concerns: Counter = Counter()
        self.worst: list[Screened] = []
        self.oda_budget = 0.0
        self.in_donor = 0.0
        self.implausible: list[tuple[Screened, str]] = []
        self.publishers: dict = defaultdict(list)  # publisher -> converted budgets (> 0)
        self.largest: dict = defaultdict(list)  # publisher -> its KEEP_LARGEST entries
        self.as_of: Counter = Counter()
        self.kind_counts: Counter = Counter()  # every proposal, with or without money
        # proposals the reference data cannot answer for their as-of date
        self.unclear_reference = 0
        # Counting money once: the first source of every id (grows with the proposals, a short
        # string each), the ids whose money is in the totals, the entries that name a parent or
        # children and those named like a fund-wide row (settled in _settle, when all are in).
        self.first: dict[str, str] = {}
        self.counted: set[str] = set()
        self.related: list[Screened] = []
        self.umbrella_named: list[Screened] = []
        self.left_out: list[Screened] = []
        # A counted record without a category (id -> its kind and money), and the categories
        # it took from a later record of the same id (the same project in a sheet that has
        # its summary): a short entry per uncoded id, as `first` has per id.
        self.uncoded: dict[str, tuple[str, float]] = {}
        self.borrowed: dict[str, dict] = {}
        self._settled = False

    def add(self, entry: Screened) -> None:
        self.count += 1
        entry.left_out = None  # decided here and in _settle (a resumed run replays entries)
        key = id_key(entry.id)
        if key in self.first:
            # screened again (the same project in two files): listed, counted once
            entry.left_out = ["duplicate", self.first[key]]
            self.left_out.append(entry)
            self._borrow(key, entry)
            return
        self.first[key] = entry.source or ""
        self.verdicts[entry.verdict] += 1
        self.concerns.update(entry.concerns)
        if entry.as_of:
            self.as_of[entry.as_of[:4]] += 1
        kind = {True: "humanitarian", False: "development"}.get(entry.humanitarian, "unknown")
        self.kind_counts[kind] += 1
        if entry.unanswered:
            self.unclear_reference += 1
        self.worst.append(entry)
        if len(self.worst) >= 2 * MAX_LISTED:  # keep the worst, sorted now and then
            self.worst = sorted(self.worst, key=_worst_first)[:MAX_LISTED]
        if entry.converted is None:
            if entry.budget:
                self.unconverted[entry.currency or "(no currency)"] += entry.budget
                self.unconverted_count += 1
            return
        if entry.implausible and not self.include_implausible:
            self.implausible.append((entry, entry.implausible))
            return
        self._add_money(entry)
        self.counted.add(key)
        if not entry.categories and entry.converted:
            self.uncoded[key] = (kind, entry.converted)
        if entry.parent or entry.children:
            self.related.append(entry)
        if _umbrella_named(entry):
            self.umbrella_named.append(entry)
        if entry.converted > 0 and entry.publisher:
            self.publishers[entry.publisher].append(entry.converted)
            largest = self.largest[entry.publisher]
            largest.append(entry)
            if len(largest) > 2 * KEEP_LARGEST:
                largest.sort(key=lambda e: -(e.converted or 0))
                del largest[KEEP_LARGEST:]

    def _borrow(self, key: str, twin: Screened) -> None:
        """Money counted without a category takes the categories of the same id's later
        record, when that record has them: the money stays counted once."""
        if twin.categories and key in self.uncoded:
            kind, amount = self.uncoded.pop(key)
            self.money[kind].recategorise(amount, twin.categories)
            self.borrowed[key] = twin.categories

    def _add_money(self, entry: Screened, sign: float = 1.0) -> None:
        kind = {True: "humanitarian", False: "development"}.get(entry.humanitarian, "unknown")
        self.money[kind].add(entry, sign, self.borrowed.get(id_key(entry.id)))
        if entry.rate is not None:  # a zero budget is no budget: converted at no rate
            # budgets without a date (no budget year) apart: their rate is the screening date's
            key = (entry.currency, entry.rate_year, entry.budget_year is None)
            row = self.rates.setdefault(key, [entry.rate, 0.0, 0.0, 0])
            row[1] += entry.budget * sign
            row[2] += (entry.converted or 0.0) * sign
            row[3] += 1 if sign > 0 else -1
        if entry.reported_as_oda:
            self.oda_budget += (entry.converted or 0.0) * sign
            rate = entry.rate or 0.0
            self.in_donor += (entry.in_donor_amount or 0) * rate * sign

    def _settle(self) -> None:
        """Leave out the activities orders of magnitude above their publisher's median."""
        if self._settled:
            return
        self._settled = True
        for publisher, values in self.publishers.items():
            if len(values) < MIN_PUBLISHER_ACTIVITIES:
                continue
            ordered = sorted(values)
            median = ordered[len(ordered) // 2]
            for entry in self.largest[publisher]:
                if entry.converted >= OUTLIER_FACTOR * median:
                    reason = (
                        f"{entry.converted:,.0f} {self.currency} is more than {OUTLIER_FACTOR} "
                        f"times the median of {publisher}'s {len(values)} activities "
                        f"({median:,.0f}); perhaps the wrong currency or unit"
                    )
                    if self.include_implausible:
                        self.implausible.append((entry, reason + " (kept in the totals)"))
                    else:
                        self._add_money(entry, -1.0)
                        self.counted.discard(id_key(entry.id))
                        self.implausible.append((entry, reason))
        self._settle_hierarchy()

    def _settle_hierarchy(self) -> None:
        """Leave out of the totals the fund-wide rows and the parts of activities counted."""
        parent_of: dict[str, str] = {}
        for entry in self.related:  # a child's own parent column first, then parents' lists
            if entry.parent:
                parent_of[id_key(entry.id)] = id_key(entry.parent)
        for entry in self.related:
            for child in entry.children or ():
                parent_of.setdefault(id_key(child), id_key(entry.id))
        with_children: Counter = Counter(
            parent for child, parent in parent_of.items() if child in self.counted
        )
        for entry in self.umbrella_named:
            key = id_key(entry.id)
            if key in self.counted and with_children[key]:
                self._leave_out(entry, ["umbrella", with_children[key]])
        counted = set(self.counted)  # as the children's ancestors are looked up
        for entry in self.related:
            key = id_key(entry.id)
            if key not in counted or not entry.parent:
                continue
            ancestor = _counted_ancestor(key, parent_of, counted)
            if ancestor is not None:
                self._leave_out(entry, ["child", entry.parent])

    def _leave_out(self, entry: Screened, why: list) -> None:
        self._add_money(entry, -1.0)
        self.counted.discard(id_key(entry.id))
        entry.left_out = why
        self.left_out.append(entry)

    def figures(self) -> dict:
        self._settle()
        main = _Money()
        for money in self.money.values():
            main.merge(money)
        worst = sorted(self.worst, key=_worst_first)[:MAX_LISTED]

        def weighted(fact: str) -> float | None:
            base, total = main.weighted[fact]
            return total / base if base else None

        return {
            "proposals": self.count,
            "currency": self.currency,
            "total_budget": main.total,
            "converted_count": main.count,
            "rates": [
                {
                    "currency": currency,
                    "year": year,
                    "undated": undated,  # no date of its own: the rate of `year` was used
                    "rate": rate,
                    "amount": amount,
                    "converted": converted,
                    "count": count,
                }
                for (currency, year, undated), (rate, amount, converted, count) in sorted(
                    self.rates.items(), key=lambda i: (str(i[0][0]), i[0][2], i[0][1] or 0)
                )
                if count
            ],
            "other_currencies": dict(sorted(self.unconverted.items())),
            "unconverted_count": self.unconverted_count,
            "implausible": [
                {
                    "id": e.id,
                    "title": e.title,
                    "publisher": e.publisher,
                    "budget": e.budget,
                    "currency": e.currency,
                    "converted": e.converted,
                    "reason": reason,
                    "source": e.source,
                }
                for e, reason in sorted(self.implausible, key=lambda i: i[0].id)
            ],
            "include_implausible": self.include_implausible,
            "verdicts": {
                v: {"count": self.verdicts[v], "budget": main.verdicts[v]} for v in VERDICTS
            },
            "by_principle": {
                p: main.table("portfolio", p).get(
                    "portfolio", {"budget": 0.0, "flagged": 0.0, "share": 0.0}
                )
                for p in PRINCIPLES
            },
            "by_country": {p: main.table("country", p) for p in PRINCIPLES},
            "by_implementer": {p: main.table("implementer", p) for p in PRINCIPLES},
            "by_instrument": {p: main.table("instrument", p) for p in PRINCIPLES},
            "by_category": main.shares(main.categories),
            "uncategorised": main.uncategorised,
            "categories_from_twin": len(self.borrowed),
            "by_theme": main.shares(main.themes),
            "by_year": main.shares(main.years),
            "kinds": {
                kind: {
                    "count": self.kind_counts[kind],
                    "with_budget": money.count,
                    "budget": money.total,
                    "share": money.total / main.total if main.total else 0.0,
                    "verdicts": dict(money.verdicts),
                    "by_category": money.shares(money.categories),
                    "uncategorised": money.uncategorised,
                }
                for kind, money in self.money.items()
            },
            "as_of_years": dict(sorted(self.as_of.items())),
            "unclear_reference": self.unclear_reference,
            "ldc_share": weighted("ldc_share"),
            "migration_control_share": weighted("migration_control_share"),
            "in_donor_refugee_share": (
                round(self.in_donor / self.oda_budget, 4) if self.oda_budget else None
            ),
            "top_concerns": [
                {"rule_id": rule_id, "title": title, "count": count}
                for (rule_id, title), count in sorted(
                    self.concerns.items(), key=lambda i: (-i[1], i[0])
                )[:10]
            ],
            "worst_first": worst,
            "left_out": _left_out(self.left_out, self.currency),
            "unlisted": self.count - len(worst),
        }


def _counted_ancestor(key: str, parent_of: dict, counted: set) -> str | None:
    """The nearest ancestor of `key` whose money is counted, or None. In a loop of parents (a
    data error) only the smallest id of the loop counts, so that the loop's money stays once."""
    chain, parent = [key], parent_of.get(key)
    while parent is not None and parent not in chain:
        chain.append(parent)
        parent = parent_of.get(parent)
    if parent == key and key == min(chain):  # the chain came back to key: the loop is chain
        return None
    return next((ancestor for ancestor in chain[1:] if ancestor in counted), None)


def _worst_first(entry: Screened) -> tuple:
    return (VERDICTS.index(entry.verdict), -entry.budget, entry.id)


def _left_out(entries: list[Screened], currency: str) -> dict:
    """What the totals leave out although it was screened, by kind: counts, money, and the
    first LEFT_OUT_LISTED rows (largest first)."""
    kinds = {kind: {"count": 0, "budget": 0.0} for kind in LEFT_OUT_KINDS}
    for entry in entries:
        kinds[entry.left_out[0]]["count"] += 1
        kinds[entry.left_out[0]]["budget"] += entry.converted or 0.0
    listed = sorted(entries, key=lambda e: (-(e.converted or 0.0), e.id))[:LEFT_OUT_LISTED]
    return {
        "count": len(entries),
        "budget": sum(k["budget"] for k in kinds.values()),
        "kinds": {kind: sums for kind, sums in kinds.items() if sums["count"]},
        "rows": [
            {
                "id": e.id,
                "title": e.title,
                "budget": e.budget,
                "currency": e.currency,
                "converted": e.converted,
                "kind": e.left_out[0],
                "of": e.left_out[1],
                "source": e.source,
            }
            for e in listed
        ],
    }


def aggregate(entries, currency: str = "EUR", include_implausible: bool = False) -> dict:
    """The portfolio figures of a list of Screened records (see Aggregate)."""
    total = Aggregate(currency, include_implausible)
    for entry in entries:
        total.add(entry)
    return total.figures()


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def portfolio_facts(figures: dict) -> dict:
    """The facts portfolio rules (scope: portfolio) look at; None when the data cannot say."""
    from pcd_screen.engine.facts import Fact

    values = {
        "portfolio_proposals": figures["proposals"],
        "portfolio_ldc_share": figures["ldc_share"],
        "portfolio_migration_control_share": figures["migration_control_share"],
        "portfolio_in_donor_refugee_share": figures["in_donor_refugee_share"],
    }
    return {
        name: Fact(value, [], [] if value is not None else [("facts", name)])
        for name, value in values.items()
    }
