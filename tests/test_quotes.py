"""A finding read from the prose quotes its sentence in every report format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROPOSAL = """\
schema_version: 1
id: TEST-QUOTE-01
title: Migration governance support
language: en
description: >-
  The project supports reception of migrants. The project will finance the refurbishment
  of the holding centre, including perimeter walls and lockable dormitories.
target_groups: [migrants]
activities:
  - {id: A1, title: Support to facilities, category: protection, budget: 100}
budget: {total: 100, currency: EUR}
safeguards: {human_rights_risk_assessment: false, independent_monitoring: false}
"""
SENTENCE = "The project will finance the refurbishment of the holding centre"


@pytest.fixture(scope="module")
def proposal(tmp_path_factory):
    path = tmp_path_factory.mktemp("quote") / "proposal.yaml"
    path.write_text(PROPOSAL, encoding="utf-8")
    return path


def screen(path, fmt):
    proc = subprocess.run(
        [sys.executable, "-m", "pcd_screen", "screen", str(path), "-f", fmt]
        + ["--as-of", "2026-11-23", "--fail-on", "never"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return proc.stdout


@pytest.mark.parametrize("fmt", ["text", "md", "html", "sarif"])
def test_every_format_shows_the_quoted_sentence(proposal, fmt):
    assert SENTENCE in screen(proposal, fmt)


def test_json_evidence_has_quote_and_line(proposal):
    result = json.loads(screen(proposal, "json"))
    result = result[0] if isinstance(result, list) else result
    dnh1 = next(f for f in result["findings"] if f["rule_id"] == "DNH-001")
    assert dnh1["status"] == "flag"
    quoted = [e for e in dnh1["evidence"] if "quote" in e]
    # The sentence's own line (6), not that of `description: >-` (5).
    assert quoted and quoted[0]["path"] == "description" and quoted[0]["line"] == 6
    assert quoted[0]["quote"].startswith(SENTENCE)
    assert quoted[0]["value"] == "detention-funding"
    # Field evidence has no quote key at all (the published schema: quote is optional). The
    # same sentence may be another rule's scope evidence (marked scope: true).
    sentence = {k: v for k, v in quoted[0].items() if k != "scope"}
    assert all(
        "quote" not in e
        for f in result["findings"]
        for e in f["evidence"]
        if {k: v for k, v in e.items() if k != "scope"} != sentence
    )
    assert "detention" in result["facts"]["categories"]
    assert result["facts"]["migration_related"] is True


WEAK = """\
schema_version: 1
id: TEST-QUOTE-02
title: Protection of migrants
language: en
description: Migrants intercepted in the area are brought to the holding centre in Zawiya.
target_groups: [migrants]
activities:
  - {id: A1, title: Mobile teams, category: protection, budget: 100}
safeguards: {human_rights_risk_assessment: false, independent_monitoring: false}
"""


@pytest.mark.parametrize(("fmt", "lang"), [("text", "en"), ("md", "nl"), ("html", "fr")])
def test_a_weak_text_signal_is_a_question_quoting_the_sentence(tmp_path, fmt, lang):
    path = tmp_path / "weak.yaml"
    path.write_text(WEAK, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pcd_screen", "screen", str(path), "-f", fmt, "--lang", lang]
        + ["--as-of", "2026-11-23", "--fail-on", "never"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    out = proc.stdout
    assert "Migrants intercepted in the area are brought to the holding centre" in out
    assert {"en": "please clarify", "nl": "graag verduidelijken", "fr": "merci de préciser"}[
        lang
    ] in out


@pytest.mark.parametrize(
    ("phrases", "expected"),
    [
        (["holding centre"], "Then the holding centre opens."),
        (["readmi*"], "Réadmission follows."),
        (["readmi"], None),  # a whole word, not a prefix
        (["centre opens"], "Then the holding centre opens."),
        (["postes-frontières"], "Les postes-frontières sont là."),  # its own hyphen asked for
        (["2015-36"], "La loi n° 2015-36 est appliquée."),
        (["nothing here"], None),
    ],
)
def test_quote_finds_the_sentence_as_the_lexicon_matches_words(phrases, expected):
    from pcd_screen.engine.quotes import quote

    text = (
        "Postes frontières ici. Les postes-frontières sont là. Then the holding centre opens. "
        "Réadmission follows. La loi n° 2015-36 est appliquée."
    )
    assert quote(text, phrases) == expected


def test_a_quoted_sentence_is_found_across_line_breaks_without_a_regex():
    from pcd_screen.core.located import _words_at

    text = "Intro.\n  The second tranche\n  is released once\n  the partner readmits."
    assert _words_at(text, ["tranche", "is", "released"]) == text.index("tranche")
    assert _words_at(text, ["is", "released", "once", "the"]) == text.index("is released")
    assert _words_at(text, ["tranche", "released"]) == -1  # a word is missing between
    assert _words_at(text, ["secondtranche"]) == -1
    assert _words_at("a.b a b", ["a", "b"]) == 4  # whitespace, not any character, between


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "The project does not aim to reduce migration. A later phase aims to reduce migration.",
            "en",
            "A later phase aims to reduce migration.",
        ),
        (
            "Het is niet bedoeld om migratie te beperken. Een tweede fase wil migratie beperken.",
            "nl",
            "Een tweede fase wil migratie beperken.",
        ),
        (
            "Aucun fonds ne va à la réadmission. La phase deux appuie la réadmission.",
            "fr",
            "La phase deux appuie la réadmission.",
        ),
    ],
)
def test_the_quote_is_a_sentence_that_does_not_deny_the_phrase(text, lang, expected):
    from pcd_screen.engine.quotes import quote

    phrases = ["reduce migration", "migratie te beperken", "migratie beperken", "réadmission*"]
    assert quote(text, phrases, lang) == expected
    assert quote(text, phrases) != expected  # without its language: the first that holds it


def test_a_phrase_denied_everywhere_is_still_quoted_for_a_concept_that_names_people():
    from pcd_screen.engine.quotes import quote

    text = "They arrive without money and with children."
    assert quote(text, ["children"], "en") == text
