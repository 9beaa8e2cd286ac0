"""Portfolio figures from many screening results: how much money went where, and how much of
it raises which concern. Pure: results in, figures out (no files, no printing).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from pcd_screen.result import PRINCIPLES, VERDICTS, Result

_ACTIVITY = re.compile(r"^activities\[(\d+)\]")


def budget_of(result: Result) -> float:
    return float(result.facts.get("total_budget") or result.facts.get("activity_budget_sum") or 0)


def flagged_share(result: Result, principle: str, activity_budgets: list[float] | None) -> float:
    """Share of a proposal's budget that a principle's flagged concerns bear on.

    When the evidence names activities with budgets, their share of the total; otherwise the
    whole budget (a concern about the funding conditions or the country choice concerns all of
    it). 0 when nothing of the principle is flagged."""
    flagged = [
        f
        for f in result.findings
        if f.kind == "concern" and f.status == "flag" and f.principle == principle
    ]
    if not flagged:
        return 0.0
    total = budget_of(result)
    cited = {
        int(match.group(1))
        for f in flagged
        for e in f.evidence
        if (match := _ACTIVITY.match(e.path))
    }
    if not cited or not activity_budgets or not total:
        return 1.0
    known = [activity_budgets[i] for i in cited if i < len(activity_budgets)]
    if any(b is None for b in known):
        return 1.0
    return min(sum(known) / total, 1.0)


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
    for principle in PRINCIPLES:
        share = flagged_share(result, principle, activity_budgets)
        row[f"{principle}_budget_share"] = f"{share:.4f}"
    return row


def aggregate(entries: list[dict]) -> dict:
    """Portfolio figures. Each entry: {result, activity_budgets, countries: [(code, share)],
    implementers: [name], instrument}. Money is summed per currency: shares are computed on
    the portfolio's main currency, and the others are listed apart."""
    by_currency: dict[str, float] = defaultdict(float)
    for entry in entries:
        if budget_of(entry["result"]):
            by_currency[entry["result"].facts.get("currency") or "?"] += budget_of(entry["result"])
    currency = max(sorted(by_currency), key=lambda c: by_currency[c]) if by_currency else "?"

    def in_main(entry) -> bool:  # a proposal without a budget weighs nothing in any currency
        return (entry["result"].facts.get("currency") or currency) == currency

    main = [e for e in entries if in_main(e)]
    total = sum(budget_of(e["result"]) for e in main)

    verdicts = {v: {"count": 0, "budget": 0.0} for v in VERDICTS}
    for entry in main:
        verdicts[entry["result"].verdict]["count"] += 1
        verdicts[entry["result"].verdict]["budget"] += budget_of(entry["result"])
    for entry in entries:
        if entry not in main:
            verdicts[entry["result"].verdict]["count"] += 1

    def flagged_by(principle: str, key) -> dict:
        budget: dict[str, float] = defaultdict(float)
        flagged: dict[str, float] = defaultdict(float)
        for entry in main:
            share = flagged_share(entry["result"], principle, entry["activity_budgets"])
            for name, weight in key(entry):
                amount = budget_of(entry["result"]) * weight
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
        return entry["countries"] or [("(none)", 1.0)]

    def implementers(entry):
        names = entry["implementers"] or ["(none)"]
        return [(name, 1.0 / len(names)) for name in names]

    def instrument(entry):
        return [(entry["instrument"] or "(none)", 1.0)]

    def weighted(fact: str) -> float | None:
        known = [e for e in main if e["result"].facts.get(fact) is not None]
        base = sum(budget_of(e["result"]) for e in known)
        if not base:
            return None
        return sum(budget_of(e["result"]) * e["result"].facts[fact] for e in known) / base

    concerns = Counter(
        (f.rule_id, f.title)
        for e in entries
        for f in e["result"].findings
        if f.kind == "concern" and f.status == "flag"
    )
    worst = sorted(
        entries,
        key=lambda e: (
            VERDICTS.index(e["result"].verdict),
            -budget_of(e["result"]),
            e["result"].proposal["id"],
        ),
    )
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
        "worst_first": [e["result"] for e in worst],
    }


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def portfolio_facts(entries: list[dict], figures: dict) -> dict:
    """The facts portfolio rules (scope: portfolio) look at; None when the data cannot say."""
    from pcd_screen.facts import Fact

    oda = [e for e in entries if e.get("reported_as_oda")]
    oda_budget = sum(budget_of(e["result"]) for e in oda)
    in_donor = sum(e.get("in_donor_amount") or 0 for e in oda)
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
