from datetime import date

from conftest import EXAMPLES
from pcd_screen.engine import evaluate
from pcd_screen.proposal import load_proposal
from pcd_screen.refdata import load_refdata
from pcd_screen.render import report_view
from pcd_screen.rules import load_ruleset
from pcd_screen.textreport import render_text


def view(name):
    proposal = load_proposal(EXAMPLES / f"{name}.yaml", f"examples/{name}.yaml")
    return report_view(evaluate(proposal, load_ruleset(), load_refdata(), date(2026, 11, 23)), "en")


def test_sections_in_order():
    text = render_text([view("border-control-transit-niger")], color=False)
    order = [
        "VERDICT: BLOCK",
        "Next steps:",
        "CONCERNS",
        "[CRITICAL] DNH-001",
        "evidence:",
        "QUESTIONS FOR THE APPLICANT",
        "STRENGTHS",
        "FACTS",
        "ruleset",
        "reference data:",
    ]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_several_reports_are_separated():
    text = render_text([view("sparse-proposal"), view("remittances-senegal")], color=False)
    assert text.count("PCD screening:") == 2 and "=" * 78 in text


def test_colour_codes_only_when_asked():
    report = view("sparse-proposal")
    assert "\033[" in render_text([report], color=True)
    assert "\033[" not in render_text([report], color=False)
