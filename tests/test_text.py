import pytest

from pcd_screen.engine.lexicon import Lexicon, Phrase, fold, tokens, words


def test_fold_strips_accents_and_case():
    assert fold("Réadmission ÉLOIGNEMENT") == "readmission eloignement"
    assert words("l'aide au retour, volontaire!") == ["l", "aide", "au", "retour", "volontaire"]


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("readmission", "Support to READMISSION.", True),
        ("readmission", "readmissions", False),
        ("readmi*", "readmitted persons", True),
        ("retour forcé", "le retour forcé des migrants", True),
        ("retour forcé", "le retour, forcé", True),  # punctuation is not a word
        ("retour forcé", "retour volontaire et forcé", False),
        ("terug*", "gedwongen terugkeer", True),
        ("gedwongen terug*", "gedwongen terugkeer", True),
        ("gedwongen terug*", "gedwongen vertrek", False),
        ("border control", "border", False),
    ],
)
def test_phrase_matching_on_word_boundaries(phrase, text, found):
    assert Phrase.parse(phrase).find(tokens(text)) is found


def test_lexicon_parses_a_concept_on_first_use():
    lexicon = Lexicon({"return": ["return", "retour*"], "other": ["x"]})
    assert "return" in lexicon and "nothing" not in lexicon
    assert [p.text for p in lexicon.get("return")] == ["return", "retour*"]
    assert lexicon.get("nothing") == []
    assert "other" not in lexicon._parsed


def test_the_shipped_lexicon_comes_folded_as_a_run_would_fold_it():
    # The compiled data bundle keeps each phrase's folded words (scripts/compile_data.py), so
    # a screening does not fold 1,700 phrases on start; they must be what folding gives.
    from pcd_screen.engine.ruleset import load_lexicon

    shipped, _digest = load_lexicon()
    assert shipped._folded, "the bundle's folded phrases were not used"
    fresh = Lexicon(shipped.raw)
    for concept in shipped.raw:
        assert shipped.get(concept) == fresh.get(concept)


def test_the_shipped_phrase_index_is_the_one_a_run_would_build():
    # The bundle ships the lexicons' phrase index (Lexicon.shipped_index) so that a screening
    # does not index 1,700 phrases on start; made whole, it must be what building gives.
    from pcd_screen.engine.ruleset import load_lexicon

    load_lexicon.cache_clear()
    shipped, _digest = load_lexicon()
    assert shipped._shipped is not None, "the bundle's phrase index was not used"
    by_first, heads, head = shipped._phrase_index()
    assert any(entries.__class__ is str for entries in by_first.values())  # as shipped
    built = Lexicon(shipped.raw)._phrase_index()
    assert shipped.full_index() == built
    assert all(type(e) is tuple and type(e[3]) is tuple for v in by_first.values() for e in v)
    assert all(type(e) is tuple for v in heads.values() for _s, es in v for e in es)
    # and matching through it finds what the built index finds
    text = "Forced returns and readmission of migrants; border control, retour forcé."
    assert Lexicon(shipped.raw).matches(text) == load_lexicon()[0].matches(text)
