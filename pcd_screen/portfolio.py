"""Portfolio figures from many screening results: how much money went where, and how much of
it raises which concern. Pure: results in, figures out (no files, no printing).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from pcd_screen.result import PRINCIPLES, VERDICTS, Result

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


def aggregate(entries: list[Screened]) -> dict:
    """Portfolio figures. Money is summed per currency: shares are computed on the portfolio's
    main currency, and the others are listed apart."""
    by_currency: dict[str, float] = defaultdict(float)
    for entry in entries:
        if entry.budget:
            by_currency[entry.currency or "?"] += entry.budget
    currency = max(sorted(by_currency), key=lambda c: by_currency[c]) if by_currency else "?"

    # A proposal without a budget weighs nothing in any currency.
    main = [e for e in entries if (e.currency or currency) == currency]
    total = sum(e.budget for e in main)

    verdicts = {v: {"count": 0, "budget": 0.0} for v in VERDICTS}
    for entry in entries:
        verdicts[entry.verdict]["count"] += 1
    for entry in main:
        verdicts[entry.verdict]["budget"] += entry.budget

    def flagged_by(principle: str, key) -> dict:
        budget: dict[str, float] = defaultdict(float)
        flagged: dict[str, float] = defaultdict(float)
        for entry in main:
            share = entry.shares.get(principle, 0.0)
            for name, weight in key(entry):
                amount = entry.budget * weight
                budget[name] += amount
                flagged[name] += amount * share
        return {
            name: {
                "budget": budget[name],
                "flagged": flagged[name],
                "share": flagged[name] / budget[name] if budget[name] else 0.0,
            }
            for name in sorted(budget, key=lambda n: (-budget[n], n))
        }

    whole = lambda e: [("portfolio", 1.0)]  # noqa: E731 - a key like the others
    by_principle = {p: flagged_by(p, whole)["portfolio"] if main else {} for p in PRINCIPLES}

    def countries(entry):
        return entry.countries or [("(none)", 1.0)]

    def implementers(entry):
        names = entry.implementers or ["(none)"]
        return [(name, 1.0 / len(names)) for name in names]

    def instrument(entry):
        return [(entry.instrument or "(none)", 1.0)]

    def weighted(fact: str) -> float | None:
        known = [e for e in main if getattr(e, fact) is not None]
        base = sum(e.budget for e in known)
        if not base:
            return None
        return sum(e.budget * getattr(e, fact) for e in known) / base

    concerns = Counter(concern for e in entries for concern in e.concerns)
    worst = sorted(entries, key=lambda e: (VERDICTS.index(e.verdict), -e.budget, e.id))
    return {
        "proposals": len(entries),
        "currency": currency,
        "total_budget": total,
        "other_currencies": {c: b for c, b in sorted(by_currency.items()) if c != currency},
        "verdicts": verdicts,
        "by_principle": by_principle,
        "by_country": {p: flagged_by(p, countries) for p in PRINCIPLES},
        "by_implementer": {p: flagged_by(p, implementers) for p in PRINCIPLES},
        "by_instrument": {p: flagged_by(p, instrument) for p in PRINCIPLES},
        "ldc_share": weighted("ldc_share"),
        "migration_control_share": weighted("migration_control_share"),
        "top_concerns": [
            {"rule_id": rule_id, "title": title, "count": count}
            for (rule_id, title), count in sorted(concerns.items(), key=lambda i: (-i[1], i[0]))[
                :10
            ]
        ],
        "worst_first": worst[:MAX_LISTED],
        "unlisted": max(len(worst) - MAX_LISTED, 0),
    }


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def portfolio_facts(entries: list[Screened], figures: dict) -> dict:
    """The facts portfolio rules (scope: portfolio) look at; None when the data cannot say."""
    from pcd_screen.facts import Fact

    oda = [e for e in entries if e.reported_as_oda]
    oda_budget = sum(e.budget for e in oda)
    in_donor = sum(e.in_donor_amount or 0 for e in oda)
    values = {
        "portfolio_proposals": len(entries),
        "portfolio_ldc_share": figures["ldc_share"],
        "portfolio_migration_control_share": figures["migration_control_share"],
        "portfolio_in_donor_refugee_share": round(in_donor / oda_budget, 4) if oda_budget else None,
    }
    return {
        name: Fact(value, [], [] if value is not None else [("facts", name)])
        for name, value in values.items()
    }
