"""`draft`, `init` and `vocab`: unknown stays unknown; suggestions search definitions."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from conftest import EXAMPLES
from pcd_screen.commands import cli

DOCX = EXAMPLES / "documents" / "youth-skills-jobs-senegal.docx"


def test_draft_writes_a_valid_proposal_with_sources_and_nulls(tmp_path):
    out = tmp_path / "p.yaml"
    result = CliRunner().invoke(cli, ["draft", str(DOCX), "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "  total: 9600000  # p. 1, table 1, row 6, cell 2\n" in text
    assert "funding_source: null\n" in text
    assert "# development-budget: " in text  # the vocabulary's definitions as comments
    assert "  human_rights_risk_assessment: null\n" in text
    assert "category: null}  # p. 2, table 3, row 2" in text
    data = yaml.safe_load(text)
    assert data["ownership"] == {"requested_by_partner": None, "national_strategy": None}
    screened = CliRunner().invoke(cli, ["screen", str(out), "--as-of", "2026-11-23"])
    assert screened.exit_code == 1, screened.output  # valid, and it blocks (NOC-001)
    assert "VERDICT: BLOCK" in screened.output


def test_draft_refuses_to_overwrite_and_names_unreadable_documents(tmp_path):
    out = tmp_path / "p.yaml"
    out.write_text("x", encoding="utf-8")
    assert CliRunner().invoke(cli, ["draft", str(DOCX), "-o", str(out)]).exit_code == 2
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    result = CliRunner().invoke(cli, ["draft", str(bad)])
    assert result.exit_code == 2 and result.output.startswith(f"{bad}: ")


def test_the_untouched_init_template_states_no_answer(tmp_path):
    out = tmp_path / "p.yaml"
    assert CliRunner().invoke(cli, ["init", str(out)]).exit_code == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["conditions"] is None
    assert set(data["safeguards"].values()) == {None}
    assert data["ownership"]["requested_by_partner"] is None
    result = CliRunner().invoke(cli, ["screen", str(out), "-f", "json", "--fail-on", "never"])
    import json

    found = json.loads(result.output)
    flagged = {f["rule_id"] for f in found["findings"] if f["status"] == "flag"}
    # Only the data-quality rules that say information is missing: no stated answer flags.
    assert flagged and all(rule.startswith("DQ-") for rule in flagged), flagged


def test_vocab_lists_terms_with_definitions_in_each_language():
    result = CliRunner().invoke(cli, ["vocab", "category", "--lang", "fr"])
    assert result.exit_code == 0
    assert "  livelihoods-jobs\n      Création d’emplois" in result.output
    one = CliRunner().invoke(cli, ["vocab", "vocational-training"])
    assert "livelihoods-jobs  (category)" in one.output
    assert "vocational training" in one.output


def test_did_you_mean_searches_definitions_and_answers_country_names(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "schema_version: 1\nid: X\ntitle: T\ncountries: [{code: Ethiopia}]\n"
        "activities: [{category: vocational-training}, {category: detension}]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["screen", str(path)])
    assert result.exit_code == 2
    assert "'Ethiopia' is not an ISO 3166-1 alpha-3 country code (did you mean 'ETH'?)" in (
        result.output
    )
    assert (
        "'vocational-training' is not a term of the category vocabulary (did you mean "
        "'livelihoods-jobs'?)" in result.output
    )
    assert "(did you mean 'detention'?)" in result.output


def test_a_draft_gives_back_every_value_of_every_example():
    from pcd_screen.inputs import proposals
    from pcd_screen.inputs.draft import draft_yaml

    def same(original, drafted, path="") -> None:
        if isinstance(original, dict):
            for key, value in original.items():
                same(value, drafted[key], f"{path}.{key}")
        elif isinstance(original, list):
            assert len(original) == len(drafted), path
            for index, (a, b) in enumerate(zip(original, drafted, strict=True)):
                same(a, b, f"{path}[{index}]")
        else:
            assert drafted == original or str(drafted) == str(original), path

    for file in sorted(EXAMPLES.glob("*.yaml")):
        for proposal in proposals(str(file)):
            drafted = yaml.safe_load(draft_yaml(proposal))
            same(proposal.data, drafted, file.name)
