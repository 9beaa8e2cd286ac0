"""A Dutch and a French translation of an example screen with the same findings as the English.

The twins (examples/<name>-nl.yaml, examples/<name>-fr.yaml) carry the same structured fields
as their English original and translate only the free text, so any difference in findings
comes from the keyword lexicons (pcd_screen/data/lexicons/*.yaml).
"""

from datetime import date

import pytest

from conftest import EXAMPLES
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal

AS_OF = date(2026, 11, 23)
ORIGINALS = ("budget-support-readmission-condition", "incentive-envelope-more-for-more")
LANGUAGES = ("nl", "fr")
PAIRS = [(name, lang) for name in ORIGINALS for lang in LANGUAGES]


@pytest.fixture(scope="module")
def screen():
    ruleset, refdata = load_ruleset(), load_refdata()
    cache = {}

    def run(stem):
        if stem not in cache:
            proposal = load_proposal(EXAMPLES / f"{stem}.yaml")
            cache[stem] = evaluate(proposal, ruleset, refdata, AS_OF)
        return cache[stem]

    return run


def _statuses(result):
    return {(f.rule_id, f.status) for f in result.findings}


def _keyword_fields(result):
    """(rule, field) pairs where a rule found lexicon phrases: the evidence of `mentions`."""
    return {
        (f.rule_id, e.path)
        for f in result.findings
        for e in f.evidence
        if isinstance(e.value, dict) and "mentions" in e.value
    }


def test_twins_exist_and_declare_their_language():
    for name, lang in PAIRS:
        twin = load_proposal(EXAMPLES / f"{name}-{lang}.yaml")
        original = load_proposal(EXAMPLES / f"{name}.yaml")
        assert twin.data["language"] == lang
        assert twin.data["id"] == f"{original.data['id']}-{lang.upper()}"


@pytest.mark.parametrize(("name", "lang"), PAIRS)
def test_twin_screens_like_the_original(screen, name, lang):
    original, twin = screen(name), screen(f"{name}-{lang}")
    assert twin.verdict == original.verdict
    only_en = sorted(_statuses(original) - _statuses(twin))
    only_twin = sorted(_statuses(twin) - _statuses(original))
    assert not only_en and not only_twin, f"en only: {only_en}; {lang} only: {only_twin}"


@pytest.mark.parametrize(("name", "lang"), PAIRS)
def test_twin_keywords_found_in_the_same_fields(screen, name, lang):
    original, twin = screen(name), screen(f"{name}-{lang}")
    assert _keyword_fields(original), "the original should depend on free-text keywords"
    assert _keyword_fields(twin) == _keyword_fields(original)
