"""Reports a person can forward: questions as sentences grouped by principle (never field
paths), a one-page summary first, a profile-driven verdict explained, PDF output."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from click.testing import CliRunner

from conftest import EXAMPLES
from pcd_screen.commands import cli

DOCX = EXAMPLES / "documents" / "youth-skills-jobs-senegal.docx"


def _pdf(tmp_path, *args):
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(
        cli, ["screen", *args, "--as-of", "2026-11-23", "-f", "pdf", "-o", str(out)]
    )
    assert result.exit_code in (0, 1), result.output
    return pypdf.PdfReader(io.BytesIO(out.read_bytes()))


@pytest.mark.parametrize(
    "source",
    [DOCX, EXAMPLES / "border-control-transit-niger.yaml", EXAMPLES / "sparse-proposal.yaml"],
)
def test_the_pdf_summary_fits_one_page(tmp_path, source):
    pdf = _pdf(tmp_path, str(source))
    first, second = (pdf.pages[i].extract_text() for i in (0, 1))
    assert "Summary" in first and "Questions for the applicant" in first
    assert second.lstrip().startswith("Concerns"), second[:200]


def test_the_summary_quotes_the_sentence_and_asks_in_sentences(tmp_path):
    first = _pdf(tmp_path, str(DOCX)).pages[0].extract_text()
    flat = " ".join(first.split())
    assert "“Release of the second and third tranches is conditional" in flat
    assert "(p. 2, ¶ 6)" in flat
    assert "What does each activity mainly finance (its category)?" in flat
    assert not re.search(r"\b(activities|safeguards)(\[\d+\])?\.\w+", flat)  # no field paths


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_questions_are_sentences_in_the_report_language(lang):
    result = CliRunner().invoke(
        cli, ["screen", str(EXAMPLES / "sparse-proposal.yaml"), "--lang", lang, "-f", "md"]
    )
    assert "`safeguards." not in result.output  # the old "`field` is missing" form
    expected = {
        "en": "Has the risk to human rights been assessed?",
        "nl": "Zijn de risico’s voor de mensenrechten beoordeeld?",
        "fr": "Les risques pour les droits humains ont-ils été évalués ?",
    }[lang]
    assert expected in result.output


def test_a_verdict_decided_by_the_strict_profile_is_explained(tmp_path):
    out = tmp_path / "p.yaml"
    CliRunner().invoke(cli, ["init", str(out)])
    result = CliRunner().invoke(cli, ["screen", str(out), "--profile", "strict"])
    assert "VERDICT: BLOCK" in result.output
    assert "No critical concern is flagged. This verdict comes from the profile in use" in (
        result.output
    )
    alone = "On the flagged concerns alone the verdict would be CLARIFICATION NEEDED"
    assert alone in result.output
    plain = CliRunner().invoke(cli, ["screen", str(out)])
    assert "profile in use" not in plain.output


def test_pdf_is_not_printed_on_a_terminal_but_written_to_a_file(tmp_path):
    pdf = _pdf(tmp_path, str(EXAMPLES / "sparse-proposal.yaml"))
    assert len(pdf.pages) >= 2


def test_a_summary_that_runs_over_is_set_again_to_fit(monkeypatch, tmp_path):
    from pcd_screen.reports import templated

    monkeypatch.setattr(templated, "SUMMARY_LINES", 90)  # far more than a page holds
    pdf = _pdf(tmp_path, str(EXAMPLES / "sparse-proposal.yaml"))
    assert pdf.pages[1].extract_text().lstrip().startswith("Concerns")
