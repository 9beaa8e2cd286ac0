from dataclasses import replace

from conftest import EXAMPLES, screened
from pcd_screen.reports import portfolio
from pcd_screen.reports.portfolio import aggregate, flagged_share, summary_row


def entry(name, instrument="EUTF", **changes):
    from pcd_screen.inputs.proposal import load_proposal

    data = {**load_proposal(EXAMPLES / f"{name}.yaml").data, "instrument": instrument, **changes}
    return portfolio.screened(screened(name), data)


def test_flagged_share_follows_the_activities_cited():
    niger = screened("border-control-transit-niger")
    total = niger.facts["total_budget"]
    budgets = [total / 4] * 4
    assert 0 < flagged_share(niger, "do-no-harm", budgets) <= 1
    assert flagged_share(niger, "do-no-harm", None) == 1.0
    assert flagged_share(niger, "ldc-focus", budgets) == 0.0


def test_aggregate_totals_and_shares():
    entries = [
        entry("border-control-transit-niger"),
        entry("remittances-senegal", instrument="DCI"),
    ]
    figures = aggregate(entries)
    assert figures["total_budget"] == sum(e.budget for e in entries) > 0
    assert figures["verdicts"]["block"]["count"] == 1
    assert figures["by_principle"]["do-no-harm"]["share"] > 0
    assert set(figures["by_instrument"]["do-no-harm"]) == {"EUTF", "DCI"}
    assert figures["worst_first"][0].verdict == "block"
    assert figures["unlisted"] == 0
    assert 0 <= figures["ldc_share"] <= 1


def with_budget(name, total, currency, value_date=None, **changes):
    """The portfolio record of an example screened as if its budget were another."""
    result = screened(name)
    facts = {**result.facts, "total_budget": total, "currency": currency}
    budget = {"total": total, "currency": currency} if currency else {"total": total}
    if value_date:
        budget["x-value-date"] = value_date
    from pcd_screen.inputs.proposal import load_proposal

    data = {**load_proposal(EXAMPLES / f"{name}.yaml").data, "budget": budget, **changes}
    return portfolio.screened(replace(result, facts=facts), data)


def test_totals_are_in_one_currency_with_the_rates_used():
    eur = entry("border-control-transit-niger")
    usd = with_budget("remittances-senegal", 1000000, "USD", "2020-03-01")
    assert usd.rate_year == 2020 and 0.8 < usd.rate < 1  # IMF annual average 2020
    figures = aggregate([eur, usd])
    assert figures["currency"] == "EUR"
    assert figures["total_budget"] == eur.converted + usd.converted
    rates = {(r["currency"], r["year"]): r for r in figures["rates"]}
    assert rates[("USD", 2020)]["converted"] == usd.converted
    assert rates[("USD", 2020)]["amount"] == 1000000
    assert not figures["other_currencies"]
    in_usd = portfolio.screened(screened("border-control-transit-niger"), {}, currency="USD")
    assert in_usd.converted > eur.converted  # 2026 rates: a euro buys more than a dollar


def test_a_budget_without_currency_is_listed_apart_not_summed():
    blank = with_budget("remittances-senegal", 5000, None)
    figures = aggregate([entry("border-control-transit-niger"), blank])
    assert figures["other_currencies"] == {"(no currency)": 5000}
    assert figures["unconverted_count"] == 1


def test_implausible_amounts_are_listed_and_left_out_of_the_totals():
    # A Japanese loan reported with yen figures as USD: 200 billion.
    yen = replace(
        with_budget("remittances-senegal", 200_000_000_000, "USD", "2020-01-01"), id="JP-LOAN"
    )
    normal = entry("border-control-transit-niger")
    figures = aggregate([normal, yen])
    assert figures["total_budget"] == normal.converted
    (listed,) = figures["implausible"]
    assert listed["id"] == "JP-LOAN" and "larger than any single aid activity" in listed["reason"]
    kept = aggregate([normal, yen], include_implausible=True)
    assert kept["total_budget"] == normal.converted + yen.converted


def test_an_amount_far_outside_the_publishers_spread_is_implausible():
    base = entry("remittances-senegal")
    usual = [
        replace(base, id=f"P{n}", publisher="Agency", converted=1e6 + n, budget=1e6 + n)
        for n in range(6)
    ]
    odd = replace(base, id="ODD", publisher="Agency", converted=5e9, budget=5e9)
    figures = aggregate([*usual, odd])
    assert [x["id"] for x in figures["implausible"]] == ["ODD"]
    assert "times the median of Agency's 7 activities" in figures["implausible"][0]["reason"]
    assert round(figures["total_budget"]) == round(sum(e.converted for e in usual))
    assert "ODD" not in figures["by_implementer"]["do-no-harm"]


def test_humanitarian_and_development_apart_with_categories():
    hum = replace(entry("remittances-senegal"), humanitarian=True)
    dev = entry("border-control-transit-niger")
    figures = aggregate([hum, dev])
    kinds = figures["kinds"]
    assert kinds["humanitarian"]["count"] == 1 and kinds["development"]["count"] == 1
    assert kinds["humanitarian"]["budget"] == hum.converted
    assert "border-control" in figures["by_category"]
    assert "border-control" in kinds["development"]["by_category"]
    assert 0.9 < sum(r["share"] for r in figures["by_category"].values()) <= 1


def test_summary_row_counts_per_principle():
    row = summary_row(screened("border-control-transit-niger"), None, ["NER"])
    assert row["verdict"] == "block" and row["countries"] == "NER"
    assert row["do-no-harm_flagged"] > 0 and row["do-no-harm_budget_share"] == "1.0000"


def test_portfolio_rules_run_on_portfolio_facts():
    from datetime import date

    from pcd_screen.engine.evaluate import evaluate_portfolio
    from pcd_screen.engine.ruleset import load_ruleset
    from pcd_screen.reports.portfolio import portfolio_facts

    entries = [
        replace(entry(name), reported_as_oda=True)
        for name in ("in-donor-refugee-costs", "remittances-senegal")
    ]
    entries[0] = replace(entries[0], in_donor_amount=entries[0].budget)
    facts = portfolio_facts(aggregate(entries))
    assert facts["portfolio_proposals"].value == 2
    assert 0 < facts["portfolio_in_donor_refugee_share"].value <= 1
    findings = {f.rule_id: f for f in evaluate_portfolio(facts, load_ruleset(), date(2026, 11, 23))}
    assert set(findings) == {"PF-001", "PF-002", "PF-003"}
    assert findings["PF-002"].status == "flag"
    assert "%" in findings["PF-002"].message


def test_a_portfolio_rule_cannot_look_at_proposal_fields(tmp_path):
    import pytest

    from conftest import ORG_RULE
    from pcd_screen.engine.ruleset import RuleError, load_ruleset

    (tmp_path / "r.yaml").write_text(
        ORG_RULE.replace("  severity:", "  scope: portfolio\n  severity:")
    )
    with pytest.raises(RuleError, match="portfolio facts only"):
        load_ruleset([tmp_path], validate=True, builtin=False)


def test_the_worst_are_listed_and_memory_keeps_only_them(monkeypatch):
    monkeypatch.setattr(portfolio, "MAX_LISTED", 3)
    base = entry("remittances-senegal")
    entries = [
        replace(base, id=f"P{n:02d}", verdict=("clear", "clarify", "revise", "block")[n % 4])
        for n in range(20)
    ]
    total = portfolio.Aggregate()
    for item in entries:
        total.add(item)
        assert len(total.worst) < 2 * 3  # trimmed as it goes, never all proposals
    figures = total.figures()
    assert [e.id for e in figures["worst_first"]] == ["P03", "P07", "P11"]  # block, then by id
    assert figures["unlisted"] == 17 and figures["proposals"] == 20


def test_names_that_differ_only_in_case_or_spacing_are_one_row():
    from pcd_screen.reports.portfolio import _alike

    sums = {"MINISTERIO DE HACIENDA": 2.0, "Ministerio  de Hacienda": 3.0, "IOM": 1.0}
    assert _alike(sums) == {"MINISTERIO DE HACIENDA": 5.0, "IOM": 1.0}


def test_an_implementer_name_is_cut_for_the_tables():
    from pcd_screen.reports.portfolio import NAME_LENGTH
    from pcd_screen.reports.portfolio import screened as screened_record

    result = screened("border-control-transit-niger")
    profile = "Organisation profile. " * 1000
    data = {"implementers": [{"name": profile, "type": "local-ngo"}]}
    entry = screened_record(result, data)
    assert len(entry.implementers[0]) < NAME_LENGTH + 40
    assert entry.implementers[0].startswith("Organisation profile.")
