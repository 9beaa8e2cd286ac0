import json
import os
import re
from datetime import date

import pytest

from conftest import EXAMPLES, REPO
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal, proposal_from_data
from pcd_screen.reports.templated import render

AS_OF = date(2026, 11, 23)
GOLDEN = REPO / "tests" / "golden"
CASES = ["border-control-transit-niger", "sparse-proposal"]


def result_of(name):
    proposal = load_proposal(EXAMPLES / f"{name}.yaml", f"examples/{name}.yaml")
    return evaluate(proposal, load_ruleset(), load_refdata(), AS_OF)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("json", "json")])
def test_golden(name, fmt, suffix):
    """Set UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.

    Markdown and HTML are checked against examples/reports/ by test_examples."""
    text = render([result_of(name)], fmt)
    golden = GOLDEN / f"{name}.{suffix}"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_sections_present_in_every_format():
    result = result_of("border-control-transit-niger")
    for fmt in ("text", "md", "html"):
        text = render([result], fmt).lower()
        for section in (
            "verdict",
            "concerns",
            "questions for the applicant",
            "strengths",
            "facts",
            "ruleset",
            result.ruleset["hash"],
            "as of 2026-11-23",
        ):
            assert section in text, (fmt, section)


def test_colour_only_when_asked():
    result = result_of("border-control-transit-niger")
    assert "\033[" in render([result], "text", color=True)
    assert "\033[" not in render([result], "text", color=False)


def test_html_escapes_every_value_and_forbids_scripts():
    data = {
        "schema_version": 1,
        "id": "<script>alert(1)</script>",
        "title": '"><img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a>',
        "activities": [
            {
                "id": "A1",
                "category": "detention",
                "budget": 1,
                "description": "<script>alert(2)</script>",
            }
        ],
    }
    result = evaluate(proposal_from_data(data), load_ruleset(), load_refdata(), AS_OF)
    html = render([result], "html")
    assert "<script>" not in html and "<img" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;" in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_json_round_trips():
    result = result_of("sparse-proposal")
    assert json.loads(render([result], "json"))["verdict"] == result.verdict
    several = json.loads(render([result, result], "json"))
    assert isinstance(several, list) and len(several) == 2


def test_every_html_template_forbids_script_before_any_proposal_text():
    for path in sorted((REPO / "templates").glob("*.html.j2")):
        text = path.read_text(encoding="utf-8")
        meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
        assert meta, path.name
        directives = dict(d.strip().split(" ", 1) for d in meta.group(1).split(";"))
        assert directives["default-src"] == "'none'" and "script-src" not in directives
        assert text.index(meta.group(0)) < text.index("<title>"), path.name


def test_markdown_summary_lists_each_concern_on_its_own_line():
    result = evaluate(
        load_proposal(EXAMPLES / "border-control-transit-niger.yaml"),
        load_ruleset(),
        load_refdata(),
        date(2026, 11, 23),
    )
    text = render([result], "md")
    summary = text.split("## Summary", 1)[1].split("## Concerns", 1)[0]
    items = [line for line in summary.splitlines() if line.startswith("- **")]
    flagged = [f for f in result.findings if f.kind == "concern" and f.status == "flag"]
    assert len(items) == len(flagged)
    assert all(line.count("- **") == 1 for line in items)
    assert summary.endswith("\n\n")  # a blank line before the next heading
