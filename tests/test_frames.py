"""The text layer's concept frames: every frame matches and does not match in each language,
negation and hedges, services TO people versus control, sentences and languages, and every
frame, role and lexicon concept is used."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest
import yaml

from pcd_screen.core.paths import DATA_DIR, RULES_DIR
from pcd_screen.engine.text.frames import NEGATING_NOTHING, TRAINING, frame_data, frames, matcher
from pcd_screen.engine.text.language import detect
from pcd_screen.engine.text.lemmas import lemmatise
from pcd_screen.engine.text.reader import read
from pcd_screen.engine.text.sentences import MAX_SENTENCE, paragraph_ends, split
from pcd_screen.engine.text.tokens import tokenise

# frame -> language -> {says: [...], does_not_say: [...]}
CASES = yaml.safe_load((Path(__file__).parent / "fixtures" / "frames.yaml").read_text("utf-8"))


def says(text: str, lang: str, frame: str) -> bool:
    return any(h.frame == frame and not h.negated for h in read(text, lang).hits)


def test_every_frame_has_cases_in_every_language():
    assert set(CASES) == set(frames())
    for frame, by_lang in CASES.items():
        assert set(by_lang) == {"en", "nl", "fr"}, frame


@pytest.mark.parametrize(
    ("frame", "lang", "text", "expected"),
    [
        (frame, lang, text, expected)
        for frame, by_lang in CASES.items()
        for lang, texts_of in by_lang.items()
        for expected, texts in ((True, texts_of["says"]), (False, texts_of["does_not_say"]))
        for text in texts
    ],
)
def test_frame_matches_and_does_not(frame, lang, text, expected):
    assert says(text, lang, frame) is expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The project will not fund detention centres or return operations.", "en"),
        ("Het project financiert geen detentiecentra.", "nl"),
        ("Le projet ne financera ni détention ni opérations de retour.", "fr"),
        # a negation between the words of a lexeme ("prendre en charge", "kosten dragen")
        ("Le projet ne prendra pas en charge les frais des centres de rétention.", "fr"),
        ("Het project zal de kosten niet dragen van de detentiecentra.", "nl"),
    ],
)
def test_negation_denies_a_frame(text, lang):
    hits = [h for h in read(text, lang).hits if h.frame.startswith("detention")]
    assert hits and all(h.negated for h in hits)


@pytest.mark.parametrize(
    ("context", "exclusion", "lang"),
    [
        (
            "People arrested without papers are placed in immigration detention centres.",
            "The project funds neither transport from the detention centres nor any cost of the"
            " immigration services.",
            "en",
        ),
        (
            "Mensen zonder papieren worden opgesloten in gesloten centra.",
            "Het project financiert geen vervoer vanuit de gesloten centra.",
            "nl",
        ),
        (
            "Les personnes arrêtées en situation irrégulière sont placées dans des centres de"
            " détention pour immigrés.",
            "Le projet ne finance ni leur transport depuis les centres de détention, ni aucune"
            " dépense des services d'immigration.",
            "fr",
        ),
    ],
)
def test_a_mention_is_answered_where_the_same_text_excludes_it(context, exclusion, lang):
    # A bare mention of detention raises a question (weak), unless the same text says the
    # project pays for no such thing; a strong frame is never answered this way.
    alone = [h for h in read(context, lang).hits if h.frame == "detention-mention"]
    assert alone and all(h.weak and not h.negated for h in alone)
    both = [h for h in read(f"{context} {exclusion}", lang).hits if h.frame == "detention-mention"]
    assert both and all(h.negated for h in both)
    strong = "The project will refurbish the detention centre in Nouadhibou. " + exclusion
    if lang == "en":
        funding = [h for h in read(strong, lang).hits if h.frame == "detention-funding"]
        assert any(not h.negated for h in funding)


def test_not_only_adds_rather_than_negates():
    text = (
        "Progress will be tracked not only through income data but through the number of"
        " nationals apprehended at the border."
    )
    hits = [h for h in read(text, "en").hits if h.frame == "success-measured-by-departures"]
    assert hits and not any(h.negated for h in hits)


def test_a_hedge_makes_a_match_weak_and_inflections_and_inserted_words_match():
    hedged = read("The second tranche could be released after progress on readmission.", "en")
    assert [h.weak for h in hedged.hits if h.frame == "tranche-tied-to-control"] == [True]
    assert says("The project will finance the new detention centres.", "en", "detention-funding")
    assert says("It finances border and customs posts.", "en", "border-control-funding")


def test_hedges_are_read_as_written_not_by_their_lemma():
    # "zou" is a hedge; its lemma "zullen" is also the plain Dutch future ("zal"); French
    # "pourrait" is one, "ceux qui ne peuvent ..." (pouvoir in the present) is not
    def hedged(text: str, lang: str) -> bool:
        words = tokenise(text)[0]
        return "hedge" in matcher(lang).roles(words, lemmatise(words, lang))

    assert not hedged("Het project zal de bouw van een detentiecentrum financieren.", "nl")
    assert hedged("Het project zou de bouw kunnen financieren.", "nl")
    assert hedged("Le projet pourrait financer la construction.", "fr")
    assert not hedged("Ceux qui ne peuvent prétendre au permis seront orientés.", "fr")
    assert [
        h.weak
        for h in read("Het project zal de bouw van het detentiecentrum financieren.", "nl").hits
        if h.frame == "detention-funding"
    ] == [False]


def test_sentences_keep_offsets_and_abbreviations():
    text = "Support to e.g. Niger. The second phase starts in 2027! Done"
    spans = split(text)
    assert [text[a:b] for a, b in spans] == [
        "Support to e.g. Niger.",
        "The second phase starts in 2027!",
        "Done",
    ]


def test_a_frame_reaches_into_the_next_sentence_of_its_paragraph_only():
    # A document's paragraphs are joined by blank lines: the sentence after one is another
    # section's, and a quote joining the two cited the wrong paragraph.
    first = "The second instalment is subject to the results of the dialogue."
    second = "These results include faster readmission of nationals."
    together = read(f"{first} {second}", "en").hits
    apart = read(f"{first}\n\n{second}", "en").hits
    assert "condition-tied-to-control-next" in {h.frame for h in together}
    assert "condition-tied-to-control-next" not in {h.frame for h in apart}
    text = "Water flows. Schools open.\n\nRoads close. Markets trade."
    assert paragraph_ends(text, split(text)) == {1}


def test_run_on_text_is_cut_into_bounded_pieces_at_spaces():
    # a pasted table or a document without full stops: read in time proportional to its
    # length, not as one sentence whose words frames compare pairwise
    text = " ".join(["border police funding. training youth"] * 5000)
    spans = split(text)
    assert len(spans) > 1
    assert all(b - a <= MAX_SENTENCE for a, b in spans)
    pieces = [text[a:b] for a, b in spans]
    assert " ".join(pieces).split() == text.split()  # nothing lost, no word cut


def test_language_is_detected_cheaply_and_a_declared_one_kept_unless_clearly_wrong():
    words = tokenise("Le projet appuie la gestion des frontières et la protection des migrants")[0]
    assert detect(words) == "fr"
    assert detect(words, "en", prefer="en") == "fr"  # a French text under an English default
    assert detect(tokenise("Water for all")[0], "en", prefer="en") == "en"
    # two function words cannot overrule a declared language; three can, when they are twice
    # the declared language's
    assert detect(tokenise("la gestion des frontières")[0], "en", prefer="en") == "en"
    assert detect(tokenise("la gestion des frontières et")[0], "en", prefer="en") == "fr"
    assert detect(tokenise("la gestion of the frontières")[0], "en", prefer="en") == "en"


def test_a_quote_is_the_sentence_trimmed_around_the_match():
    long = (
        "Background. "
        + "The programme, "
        + "which is long, " * 30
        + ("will finance the detention centre in Zawiya, " + "and more words, " * 20 + "end.")
    )
    reading = read(long, "en")
    hit = next(h for h in reading.hits if h.frame == "detention-funding")
    quote = reading.quote(hit)
    assert "detention centre" in quote and quote.startswith("…") and len(quote) <= 250


def _rule_conditions():
    for path in glob.glob(str(RULES_DIR / "*.yaml")):
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
        for rule in data.get("rules", []) if isinstance(data, dict) else data:
            yield rule.get("applies_when"), rule.get("flag_when")


def _walk(node, key):
    if isinstance(node, dict):
        if isinstance(node.get(key), list):
            yield from node[key]
        for value in node.values():
            yield from _walk(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, key)


def test_every_frame_is_used_by_a_rule_or_the_scope_fact():
    from pcd_screen.engine.conditions import _frames_of_categories
    from pcd_screen.engine.scope import INDICATOR_SCOPE_FRAMES, SCOPE_FRAMES, TOPIC_FRAMES

    used = {f for conditions in _rule_conditions() for f in _walk(list(conditions), "says")}
    # pays_for names categories: the frames of each (engine.conditions) are used.
    paid = [c for conditions in _rule_conditions() for c in _walk(list(conditions), "pays_for")]
    used |= set(_frames_of_categories(paid))
    used |= {*SCOPE_FRAMES, *INDICATOR_SCOPE_FRAMES, *TOPIC_FRAMES, "migration-in-passing"}
    assert set(frames()) <= used, sorted(set(frames()) - used)
    assert used - set(frames()) == set(), "a rule names a frame that does not exist"


def test_every_role_and_marker_is_used_by_a_frame_or_the_matcher():
    data = frame_data()
    used = {"negation", "hedge", "conjunction", "alternative", "passing", "exclusion", "besides"}
    used |= {"until", "clause", *NEGATING_NOTHING}  # clause: Denials
    used.add(TRAINING)  # the matcher reads it for taught_unless
    for frame in frames().values():
        for role in (
            *frame.roles,
            *frame.unless,
            *frame.wide_unless,
            *frame.text_unless,
            *frame.negated_by,
            *frame.not_inside,
            *frame.listed_after,
            *frame.taught_unless,
        ):
            used |= set(role.split("|"))
    assert set(data["roles"]) | set(data["markers"]) == used


def test_every_lexicon_concept_is_used_by_a_rule_or_the_iati_importer():
    from pcd_screen.inputs.iati import CONCEPT_CATEGORIES, CONDITION_LINKS

    used = {c for conditions in _rule_conditions() for c in _walk(list(conditions), "mentions")}
    used |= set(CONCEPT_CATEGORIES) | set(CONDITION_LINKS)
    for lang in ("en", "nl", "fr"):
        with open(DATA_DIR / "lexicons" / f"{lang}.yaml", encoding="utf-8") as handle:
            concepts = set(yaml.safe_load(handle))
        assert concepts <= used, (lang, sorted(concepts - used))


def test_the_shipped_lexeme_index_is_the_one_a_run_would_build():
    # compile_data ships each language's matcher index beside its form table; it must be what
    # the frames data and the table give now (else `make data` was not run).
    import json

    from pcd_screen.engine.text import frames as frame_module
    from pcd_screen.engine.text import lemmas

    data = frame_module.frame_data()
    for lang in ("en", "nl", "fr"):
        shipped = lemmas.shipped_index(lang)
        assert shipped is not None, lang
        fresh = frame_module.lexeme_index(data, lemmas.forms(lang), lang)
        assert shipped == json.loads(json.dumps(fresh)), lang


def test_every_frame_has_a_label_in_every_report_language():
    """A report shows what a frame found by its label, never the frame's internal name."""
    from pcd_screen.core.yamlread import load_trusted

    labels = load_trusted(DATA_DIR / "labels.yaml")["frame"]
    for name in frames():
        assert set(labels.get(name, {})) >= {"en", "nl", "fr"}, name


def test_the_bundle_ships_the_frame_definitions_apart_as_in_frames_yaml():
    """A run reads the frames without their role lexemes (frame_definitions); the part the
    bundle ships must be the file's own `frames` section."""
    from pcd_screen.core import yamlread
    from pcd_screen.core.paths import FRAMES_FILE

    part = yamlread.load_trusted_part(FRAMES_FILE, "frames")
    assert part is not None and part == frame_data()["frames"]
