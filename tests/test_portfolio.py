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


def test_other_currencies_are_kept_apart():
    usd = replace(entry("remittances-senegal"), currency="USD")
    figures = aggregate([entry("border-control-transit-niger"), usd])
    assert figures["currency"] == "EUR"
    assert list(figures["other_currencies"]) == ["USD"]


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


def test_a_proposal_without_currency_counts_in_the_main_one():
    eur = entry("border-control-transit-niger")
    blank = replace(entry("remittances-senegal"), currency=None)
    figures = aggregate([eur, blank])
    assert figures["currency"] == eur.currency
    assert figures["total_budget"] == eur.budget + blank.budget
    assert not figures["other_currencies"]
