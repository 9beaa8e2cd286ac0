"""Portfolio figures from many screening results: how much money went where, and how much of
it raises which concern. Pure: results in, figures out (no files, no printing).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from pcd_screen.core.terms import PRINCIPLES, VERDICTS
from pcd_screen.engine.result import Result

_ACTIVITY = re.compile(r"^activities\[(\d+)\]")


def budget_of(result: Result) -> float:
    return float(result.facts.get("total_budget") or result.facts.get("activity_budget_sum") or 0)


def flagged_share(result: Result, principle: str, activity_budgets: list[float] | None) -> float:
    """Share of a proposal's budget that a principle's flagged concerns bear on.

    When the evidence names activities with budgets, their share of the total; otherwise the
    whole budget (a concern about the funding conditions or the country choice concerns all of
    it). 0 when nothing of the principle is flagged."""
    return flagged_shares(result, activity_budgets).get(principle, 0.0)


def flagged_shares(result: Result, activity_budgets: list[float] | None) -> dict[str, float]:
    """flagged_share of every principle with a flagged concern, in one pass over the findings."""
    cited: dict[str, set] = {}
    for f in result.findings:
        if f.kind == "concern" and f.status == "flag":
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


def summary_row(result: Result, activity_budgets: list[float] | None, countries: list[str]) -> dict:
    """One row of summary.csv."""
    row = {
        "id": result.proposal["id"],
        "title": result.proposal["title"],
        "file": result.proposal["file"],
        "countries": ";".join(countries),
        "budget": _number(budget_of(result)),
        "currency": result.facts.get("currency") or "",
        "verdict": result.verdict,
    }
    for principle in PRINCIPLES:
        row[f"{principle}_flagged"] = sum(
            1
            for f in result.findings
            if f.principle == principle and f.kind == "concern" and f.status == "flag"
        )
    shares = flagged_shares(result, activity_budgets)
    for principle in PRINCIPLES:
        row[f"{principle}_budget_share"] = f"{shares.get(principle, 0.0):.4f}"
    return row


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


def screened(result: Result, data: dict) -> Screened:
    """The portfolio's view of one result and the proposal it screened."""
    shares = flagged_shares(result, [a.get("budget") for a in data.get("activities") or []])
    return Screened(
        id=result.proposal["id"],
        title=result.proposal["title"],
        verdict=result.verdict,
        budget=budget_of(result),
        currency=result.facts.get("currency"),
        shares={p: share for p, share in shares.items() if share},
        concerns=[
            (f.rule_id, f.title)
            for f in result.findings
            if f.kind == "concern" and f.status == "flag"
        ],
        countries=_country_weights(data.get("countries") or []),
        implementers=[i.get("name") or "(unnamed)" for i in data.get("implementers") or []],
        instrument=data.get("instrument"),
        ldc_share=result.facts.get("ldc_share"),
        migration_control_share=result.facts.get("migration_control_share"),
        reported_as_oda=(data.get("oda") or {}).get("reported_as_oda"),
        in_donor_amount=(data.get("in_donor_refugee_costs") or {}).get("amount"),
    )


def _country_weights(countries: list[dict]) -> list[tuple[str, float]]:
    if not countries:
        return []
    if all(c.get("percentage") is not None for c in countries):
        return [(c["code"], c["percentage"] / 100) for c in countries]
    return [(c["code"], 1 / len(countries)) for c in countries]


# The portfolio report lists this many proposals, worst first; summary.csv lists them all.
MAX_LISTED = 1000
_KEYS = ("portfolio", "country", "implementer", "instrument")


class _Money:
    """Sums of one currency's proposals: totals, and per principle the budget flagged."""

    def __init__(self):
        self.total = 0.0
        self.verdicts = dict.fromkeys(VERDICTS, 0.0)
        self.budget = {key: defaultdict(float) for key in _KEYS}  # key -> name -> budget
        self.flagged = {key: {p: defaultdict(float) for p in PRINCIPLES} for key in _KEYS}
        self.weighted = {"ldc_share": [0.0, 0.0], "migration_control_share": [0.0, 0.0]}

    def add(self, entry: Screened) -> None:
        self.total += entry.budget
        self.verdicts[entry.verdict] += entry.budget
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
                amount = entry.budget * weight
                budget[name] += amount
                for principle, share in entry.shares.items():
                    flagged[principle][name] += amount * share
        for fact, sums in self.weighted.items():
            value = getattr(entry, fact)
            if value is not None:
                sums[0] += entry.budget
                sums[1] += entry.budget * value

    def merge(self, other: _Money) -> None:
        self.total += other.total
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

    def table(self, key: str, principle: str) -> dict:
        budget, flagged = self.budget[key], self.flagged[key][principle]
        return {
            name: {
                "budget": budget[name],
                "flagged": flagged.get(name, 0.0),
                "share": flagged.get(name, 0.0) / budget[name] if budget[name] else 0.0,
            }
            for name in sorted(budget, key=lambda n: (-budget[n], n))
        }


class Aggregate:
    """Portfolio figures built as results arrive. Memory grows with the number of currencies,
    countries, implementers and instruments, not with the number of proposals: a portfolio of
    any size is summed in the same room.

    Money is summed per currency: shares are computed on the portfolio's main currency (the
    largest), and the others are listed apart. A proposal without a currency counts in the main
    one; a proposal without a budget weighs nothing in any."""

    def __init__(self):
        self.count = 0
        self.verdicts = dict.fromkeys(VERDICTS, 0)
        self.money: dict[str | None, _Money] = {}
        self.concerns: Counter = Counter()
        self.worst: list[Screened] = []
        self.oda_budget = 0.0
        self.in_donor = 0.0

    def add(self, entry: Screened) -> None:
        self.count += 1
        self.verdicts[entry.verdict] += 1
        self.money.setdefault(entry.currency, _Money()).add(entry)
        self.concerns.update(entry.concerns)
        if entry.reported_as_oda:
            self.oda_budget += entry.budget
            self.in_donor += entry.in_donor_amount or 0
        self.worst.append(entry)
        if len(self.worst) >= 2 * MAX_LISTED:  # keep the worst, sorted now and then
            self.worst = sorted(self.worst, key=_worst_first)[:MAX_LISTED]

    def figures(self) -> dict:
        # Proposals without a currency count in the main one, not as a currency of their own.
        by_currency = {c: m.total for c, m in self.money.items() if m.total and c is not None}
        currency = max(sorted(by_currency), key=lambda c: by_currency[c]) if by_currency else "?"
        main = _Money()
        for name, money in self.money.items():
            if (name or currency) == currency:
                main.merge(money)
        has_main = any((name or currency) == currency for name in self.money)
        worst = sorted(self.worst, key=_worst_first)[:MAX_LISTED]

        def weighted(fact: str) -> float | None:
            base, total = main.weighted[fact]
            return total / base if base else None

        return {
            "proposals": self.count,
            "currency": currency,
            "total_budget": main.total,
            "other_currencies": {c: b for c, b in sorted(by_currency.items()) if c != currency},
            "verdicts": {
                v: {"count": self.verdicts[v], "budget": main.verdicts[v]} for v in VERDICTS
            },
            "by_principle": {
                p: main.table("portfolio", p)["portfolio"] if has_main else {} for p in PRINCIPLES
            },
            "by_country": {p: main.table("country", p) for p in PRINCIPLES},
            "by_implementer": {p: main.table("implementer", p) for p in PRINCIPLES},
            "by_instrument": {p: main.table("instrument", p) for p in PRINCIPLES},
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
            "unlisted": self.count - len(worst),
        }


def _worst_first(entry: Screened) -> tuple:
    return (VERDICTS.index(entry.verdict), -entry.budget, entry.id)


def aggregate(entries) -> dict:
    """The portfolio figures of a list of Screened records (see Aggregate)."""
    total = Aggregate()
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
