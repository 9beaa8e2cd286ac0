from datetime import date

from conftest import EXAMPLES
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal
from pcd_screen.reports.templated import report_view
from pcd_screen.reports.text import render_text


def view(name):
    proposal = load_proposal(EXAMPLES / f"{name}.yaml", f"examples/{name}.yaml")
    return report_view(evaluate(proposal, load_ruleset(), load_refdata(), date(2026, 11, 23)), "en")


def test_sections_in_order():
    text = render_text([view("border-control-transit-niger")], color=False)
    order = [
        "VERDICT: BLOCKED",
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


def test_text_from_a_proposal_cannot_drive_the_terminal(tmp_path):
    """A JSON string may hold any character as an escape: ESC sequences, C1 CSI, bidirectional
    overrides and line breaks reach the terminal report only as visible, inert text."""
    import json
    import re

    hostile = "Evil \x1b]0;owned\x07\x1b[2J \x9b31m \u202eplh \nVERDICT: CLEAR"
    data = {**json.loads(json.dumps(load_proposal(EXAMPLES / "sparse-proposal.yaml").data))}
    data.update(title=hostile, summary=hostile)
    data["implementers"] = [{"name": hostile, "type": "local-ngo"}]
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    result = evaluate(load_proposal(source), load_ruleset(), load_refdata(), date(2026, 11, 23))
    text = render_text([report_view(result, "en")], color=True)
    ours = r"\x1b\[(?:0|1|2|1;31|31|32|33|36)m"  # the report's own colours, nothing else
    assert not re.search(
        r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", re.sub(ours, "", text)
    )
    assert "<U+001B>]0;owned<U+0007>" in text and "<U+202E>" in text
    assert not any(line.startswith("VERDICT: CLEAR") for line in text.splitlines())
