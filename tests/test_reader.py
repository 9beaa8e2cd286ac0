"""Reports read as a Dutch or French desk officer (or applicant) reads them.

Every human report format (text, md, html, letter, letter-html, portfolio md and html) is
rendered in every non-English language and variant, for every bundled example, and the output
must hold no English vocabulary code, no English or Dutch source anchor where it does not
belong, and no untranslated report string. JSON and SARIF are machine formats: left out.
Terminology is held against pcd_screen/data/glossary.yaml.
"""

from __future__ import annotations

import html
import re
from datetime import date
from functools import cache, lru_cache

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from conftest import EXAMPLES
from pcd_screen.core import yamlread
from pcd_screen.core.formatting import amount, long_date, number, percent, value
from pcd_screen.core.i18n import LOCALE_DIR, localize, pick, translations
from pcd_screen.core.paths import DATA_DIR
from pcd_screen.engine.evaluate import evaluate
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import load_ruleset
from pcd_screen.inputs.proposal import load_proposal
from pcd_screen.reports.templated import render

AS_OF = date(2026, 11, 23)
LANGS = ("nl", "fr", "nl-NL", "fr-BE")
FORMATS = ("text", "md", "html", "letter", "letter-html")
NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


@cache
def _screen():
    return load_ruleset(), load_refdata()


@cache
def result_of(name: str, lang: str):
    ruleset, refdata = _screen()
    proposal = load_proposal(EXAMPLES / f"{name}.yaml", f"examples/{name}.yaml")
    return evaluate(proposal, ruleset, refdata, AS_OF, lang)


@lru_cache(maxsize=1)
def vocabulary_codes() -> set[str]:
    """Codes that can only be codes: kebab-case and snake_case vocabulary terms, principles and
    statuses (single English words such as "police" or "diaspora" are also Dutch or French)."""
    vocab = yamlread.load_trusted(DATA_DIR / "vocabularies.yaml")
    codes = {str(code) for terms in vocab.values() for code in terms}
    codes |= set(yamlread.load_trusted(DATA_DIR / "principles.yaml")) | {"not-applicable"}
    return {code for code in codes if re.search(r"[-_]", code)}


# What identifies data and may stay as it is: field paths (activities[2].category), the
# proposal's file name and ids, code spans.
_DATA = [
    re.compile(r"`[^`]*`"),
    re.compile(r"<code>.*?</code>", re.S),
    re.compile(r"\b[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)+\b"),
    re.compile(r"\b[a-z_]+\[\d+\]"),
    re.compile(r"examples/\S+"),
    re.compile(r"\b[A-Z]{2,}[A-Z0-9-]*-\d[\w-]*"),  # proposal ids such as EU-NDICI-2026-NE-031
]


def reader_text(output: str) -> str:
    text = html.unescape(re.sub(r"<style>.*?</style>", "", output, flags=re.S))
    for pattern in _DATA:
        text = pattern.sub(" ", text)
    return text


@lru_cache(maxsize=1)
def english_report_strings() -> list[str]:
    """The fixed pieces of every English report string (between its placeholders), long enough
    not to be a Dutch or French word as well."""
    with open(LOCALE_DIR / "messages.pot", "rb") as handle:
        catalog = read_po(handle)
    pieces = set()
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for text in ids:
            for piece in re.split(r"%\(\w+\)s|%s", text or ""):
                piece = piece.strip(" .,:;()")
                if len(piece) >= 12 and " " in piece:
                    pieces.add(piece)
    return sorted(pieces)


# Anchors that must not appear in a language's report: English ones in both, Dutch ones in French.
WRONG_ANCHORS = {
    "nl": ["footnote ", "rec. ", "recommendation ", "result area ", "specific objective "],
    "fr": [
        "footnote ",
        "rec. ",
        "recommendation ",
        "voetnoot ",
        "aanbeveling ",
        "Visie",
        "Uitdagingen",
        "Opgeblazen cijfers",
        "Geografische focus",
        "resultaatgebied",
    ],
}


def check_reader(output: str, lang: str, proposal_text: str = "") -> list[str]:
    problems = []
    text = reader_text(output)
    base = lang.split("-")[0]
    for code in sorted(vocabulary_codes()):
        if code in proposal_text:  # the applicant's own words (a quoted sentence) may hold it
            continue
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text):
            problems.append(f"English vocabulary code {code!r}")
    for anchor in WRONG_ANCHORS[base]:
        if anchor in text:
            problems.append(f"source anchor {anchor.strip()!r}")
    for piece in english_report_strings():
        if piece in text and piece not in proposal_text:
            problems.append(f"untranslated report string {piece!r}")
    return problems


FREE_TEXT = {"id", "title", "summary", "description", "text", "statement", "name", "donor"}
FREE_TEXT |= {"instrument", "national_strategy", "regions", "reference", "file"}


def free_text(node, key=None) -> str:
    """The applicant's own words in a proposal (titles, descriptions, names): a report may quote
    them as they are. Vocabulary fields are not free text: a code there must become a label."""
    if isinstance(node, dict):
        return "\n".join(free_text(v, k) for k, v in node.items())
    if isinstance(node, list):
        return "\n".join(free_text(v, key) for v in node)
    return str(node) if key in FREE_TEXT and isinstance(node, str) else ""


@cache
def proposal_words(name: str) -> str:
    return free_text(yamlread.load_trusted(EXAMPLES / f"{name}.yaml"))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_report_format_reads_in_the_report_language(fmt, lang):
    problems = {}
    for name in NAMES:
        proposal_text = proposal_words(name)
        output = render([result_of(name, lang)], fmt, lang=lang)
        found = check_reader(output, lang, proposal_text)
        if found:
            problems[name] = sorted(set(found))
    assert problems == {}


@pytest.mark.parametrize("lang", ("nl", "fr"))
def test_the_portfolio_reads_in_the_report_language(tmp_path, lang):
    from pcd_screen.commands import cli

    out = tmp_path / "out"
    args = ["batch", str(EXAMPLES), "--out", str(out), "--as-of", "2026-11-23", "--lang", lang]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    for name in ("portfolio.md", "portfolio.html"):
        output = (out / name).read_text(encoding="utf-8")
        # Proposal titles are the applicants' words: the English examples' titles are English.
        titles = "\n".join(proposal_words(name) for name in NAMES)
        assert check_reader(output, lang, titles) == []
        assert "(none)" not in output
        assert not re.search(r"\| (block|revise|clarify|clear) \|", output)
        assert not re.search(r"\| (do-no-harm|oda-eligibility|ldc-focus) \|", output)


def test_the_check_finds_what_a_reviewer_found():
    """The reader check itself: the complaints of issue 14 are caught."""
    assert check_reader('de grootste budgetpost is "border-control"', "nl")
    assert check_reader("(development-needs, ldc-status, fragility)", "fr")
    assert check_reader("be-dgd Visie; ngo-2020 Opgeblazen cijfers", "fr")
    assert check_reader("ngo-2020 rec. 2; be-dgd footnote 13", "nl")
    assert check_reader("Questions for the applicant", "fr")
    assert check_reader("`activities[2].category` grenscontrole", "nl") == []
    assert "category" not in free_text({"category": "border-control", "title": "Grens"}, None)


# Formatting ----------------------------------------------------------------------------------


def test_numbers_amounts_percentages_and_dates_follow_the_language():
    assert amount(18450000, "EUR", "nl") == "18.450.000\u00a0EUR"
    assert amount(18450000, "EUR", "fr") == "18\u202f450\u202f000\u00a0EUR"
    assert amount(18450000, "EUR", "en") == "18,450,000 EUR"
    assert number(615000000, "nl-NL") == "615.000.000"
    assert percent(0.92, "fr") == "92\u00a0%"
    assert percent(0.92, "fr-BE") == "92\u00a0%"
    assert percent(0.92, "nl") == "92%"
    assert percent(0.035, "fr", 1) == "3,5\u00a0%"
    assert long_date("2026-11-23", "nl") == "23 november 2026"
    assert long_date("2026-11-23", "fr") == "23 novembre 2026"
    assert long_date("2026-11-23", "en") == "2026-11-23"


def test_values_show_labels_not_codes():
    assert value("activities[0].category", "border-control", "nl") == "grenscontrole"
    assert value("dominant_category", "border-control", "fr") == "contrôle des frontières"
    shown = value("selection_criteria", ["development-needs", "ldc-status", "fragility"], "fr")
    assert shown == "besoins de développement, pays le moins avancé, fragilité"
    assert (
        value("category_shares", {"border-control": 0.5}, "fr")
        == "contrôle des frontières 50\u00a0%"
    )
    assert value("total_budget", 45000000, "nl") == "45.000.000"
    assert value("activities[0].category", "border-control", "en") == "border control"
    # an element quoted whole: each value by its field's label, shown as that field is
    activity = {"id": "A1", "category": "border-control", "budget": 3900000}
    assert value("activities[0]", activity, "nl") == (
        "referentie A1, categorie grenscontrole, budget 3.900.000"
    )
    assert value("activities[0]", activity, "fr") == (
        "référence A1, catégorie contrôle des frontières, budget 3\u202f900\u202f000"
    )


def test_english_reports_do_not_load_babel():
    import subprocess
    import sys

    code = (
        "import sys; from pcd_screen.core.formatting import value, long_date;"
        "value('total_budget', 45000000, 'en'); long_date('2026-11-23', 'en');"
        "print('babel' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# Labels, plurals, context ---------------------------------------------------------------------


def test_every_vocabulary_term_and_status_has_a_label_in_every_language():
    vocab = yamlread.load_trusted(DATA_DIR / "vocabularies.yaml")
    labels = yamlread.load_trusted(DATA_DIR / "labels.yaml")
    missing = [
        (name, code, lang)
        for name, terms in vocab.items()
        for code in terms
        for lang in ("en", "nl", "fr")
        if not (labels.get(name, {}).get(str(code)) or {}).get(lang)
    ]
    assert missing == []
    assert set(labels["status"]) == {"flag", "pass", "unclear", "not-applicable", "waived"}
    from pcd_screen.engine.facts import FACT_DOCS, PORTFOLIO_FACT_DOCS

    assert set(labels["fact"]) == set(FACT_DOCS) | set(PORTFOLIO_FACT_DOCS)


def test_plurals_and_contexts():
    fr = translations("fr")
    assert fr.ngettext("%(n)s critical", "%(n)s critical", 1) % {"n": 1} == "1 critique"
    assert fr.ngettext("%(n)s critical", "%(n)s critical", 2) % {"n": 2} == "2 critiques"
    assert fr.pgettext("questions", "None.") == "Aucune."
    assert fr.pgettext("concerns", "None.") == "Aucun."
    output = render([result_of("border-control-transit-niger", "fr")], "md", lang="fr")
    assert "(s)" not in output and "1 critique," in output


def test_the_rule_counts_tell_concerns_from_strengths():
    """A clear proposal with five strengths was "Checked 92 rules: 5 flagged"."""
    result = result_of("ecowas-free-movement", "en")
    assert result.summary["strengths"] and not sum(result.summary["concerns"].values())
    for fmt in ("text", "md", "html"):
        output = render([result], fmt)
        assert "0 concerns flagged, 5 strengths, 0 waived" in output, fmt
    nl = render([result_of("ecowas-free-movement", "nl")], "text", lang="nl")
    assert "0 knelpunten gesignaleerd, 5 sterke punten, 0 met ontheffing" in nl
    fr = render([result_of("ecowas-free-movement", "fr")], "md", lang="fr")
    assert "0 point d’attention signalé, 5 points forts, 0 avec dérogation" in fr


def test_a_count_of_sentences_has_its_plural():
    from pcd_screen.core.formatting import reason

    def topic(count, lang):
        return reason({"kind": "text-topic", "count": count, "quote": "q"}, lang)

    assert topic(1, "nl") == "tekst (1 zin), bv. “q”"
    assert topic(3, "nl") == "tekst (3 zinnen), bv. “q”"
    assert topic(1, "fr") == "texte (1 phrase), p. ex. “q”"
    assert topic(2, "fr") == "texte (2 phrases), p. ex. “q”"
    assert topic(1, "en") == "text (1 sentence), e.g. “q”"


def test_a_lexicon_wildcard_is_not_shown():
    mentions = {"mentions": ["readmission*", "emergency travel document*", "return"]}
    assert value("conditions[0].text", mentions, "en") == (
        "mentions: readmission…; emergency travel document…; return"
    )
    assert value("conditions[0].text", mentions, "nl").startswith("vermeldt: readmission…;")


def test_verdicts_are_states():
    output = render([result_of("border-control-transit-niger", "nl")], "md", lang="nl")
    assert "GEBLOKKEERD" in output and "BLOKKEREN" not in output
    output = render([result_of("border-control-transit-niger", "fr")], "md", lang="fr")
    assert "BLOQUÉ" in output and "BLOQUER" not in output


def test_reference_date_is_not_called_a_screening_day():
    nl = render([result_of("border-control-transit-niger", "nl")], "md", lang="nl")
    fr = render([result_of("border-control-transit-niger", "fr")], "md", lang="fr")
    assert "peildatum 23 november 2026" in nl and "gescreend op" not in nl
    assert "date de référence : 23 novembre 2026" in fr and "examiné au" not in fr


def test_oda_findings_do_not_say_the_proposal_must_be_reported_as_oda():
    ruleset, _ = _screen()
    for rule in ruleset.rules:
        assert "doit être déclarée" not in rule.text("message", "fr"), rule.id


# Sources ---------------------------------------------------------------------------------------


def test_sources_have_anchors_in_every_language_and_official_texts_come_first():
    sources = yamlread.load_trusted(DATA_DIR / "sources.yaml")
    for doc, entry in sources.items():
        assert entry["authority"] in ("official", "analysis")
        for label, section in entry["sections"].items():
            assert {"en", "nl", "fr"} <= set(section["anchor"]), (doc, label)
    assert sources["be-dgd"]["sections"]["footnote 13"]["anchor"]["fr"].startswith("note 13")
    assert sources["be-dgd"]["sections"]["footnote 13"]["anchor"]["nl"].startswith("voetnoot 13")
    assert sources["ngo-2020"]["sections"]["rec. 2"]["anchor"]["fr"] == "recommandation 2"
    assert sources["ngo-2020"]["sections"]["rec. 2"]["anchor"]["nl"] == "aanbeveling 2"
    result = result_of("border-control-transit-niger", "fr")
    view = render([result], "md", lang="fr")
    assert "Note stratégique Migration et développement" in view
    from pcd_screen.reports.texts import reader_sources

    for finding in result.findings:
        ordered = [s.get("authority") for s in reader_sources(finding.sources)]
        assert ordered == sorted(ordered, key=lambda a: a == "analysis")


# The letter -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ("en", "nl", "fr"))
@pytest.mark.parametrize("fmt", ("letter", "letter-html"))
def test_the_letter_holds_nothing_internal(fmt, lang):
    for name in NAMES:
        result = result_of(name, lang)
        letter = render([result], fmt, lang=lang)
        rule_ids = {f.rule_id for f in result.findings}
        assert not any(rule_id in letter for rule_id in rule_ids), name
        verdicts = yamlread.load_trusted(DATA_DIR / "verdicts.yaml")
        for verdict in verdicts.values():
            assert pick(verdict["label"], lang) not in letter
            for step in pick(verdict["next_steps"], lang):
                assert step not in letter, (name, step)
        # No field paths: the questions are sentences.
        assert not re.search(r"\b[a-z_]+\.[a-z_]+\b", reader_text(letter).replace("e.g.", ""))
        for finding in result.findings:
            for field in finding.missing:
                if "." in field or "[" in field or "_" in field:
                    assert field not in letter


def test_the_letter_asks_questions_as_sentences():
    from pcd_screen.reports.texts import question

    asked = question("ownership.readmission_arrangement.exists", "en")
    assert asked.startswith("Is there an arrangement with the partner country on readmission?")
    assert question("activities[3].budget", "fr") == "Quel est le budget de chaque activité ?"
    assert question("safeguards.no_such_field", "nl").endswith("?")
    questions = yamlread.load_trusted(DATA_DIR / "questions.yaml")
    for field, texts in questions.items():
        for lang in ("en", "nl", "fr"):
            assert texts[lang].rstrip().endswith("?"), (field, lang)


def test_letter_is_a_format_of_the_cli(tmp_path):
    from pcd_screen.commands import cli

    args = ["screen", str(EXAMPLES / "sparse-proposal.yaml"), "--as-of", "2026-11-23"]
    result = CliRunner().invoke(
        cli, [*args, "--format", "letter", "--lang", "fr", "--fail-on", "never"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Questions et observations sur votre proposition")


# Variants and terminology --------------------------------------------------------------------


def test_variants_change_only_their_words(tmp_path):
    from pcd_screen.commands import cli

    args = ["screen", str(EXAMPLES / "border-control-transit-niger.yaml"), "--as-of", "2026-11-23"]
    outputs = {}
    for lang in ("nl", "nl-BE", "nl-NL", "fr", "fr-BE"):
        result = CliRunner().invoke(
            cli, [*args, "--format", "md", "--lang", lang, "--fail-on", "never"]
        )
        assert result.exit_code == 0, result.output
        outputs[lang] = result.output
    assert outputs["nl"] == outputs["nl-BE"]
    assert "herwerk" in outputs["nl"].lower() and "herwerk" not in outputs["nl-NL"].lower()
    assert "herzien" in outputs["nl-NL"]
    nl, nl_nl = outputs["nl"].splitlines(), outputs["nl-NL"].splitlines()
    assert len(nl) == len(nl_nl)
    changed = sum(a != b for a, b in zip(nl, nl_nl, strict=True))
    assert 0 < changed < len(nl) / 4


@lru_cache(maxsize=1)
def glossary() -> dict:
    return yamlread.load_trusted(DATA_DIR / "glossary.yaml")


def _texts_in(node, lang):
    if isinstance(node, dict):
        if isinstance(node.get(lang), str):
            yield node[lang]
        elif isinstance(node.get(lang), list):
            yield from node[lang]
        for key, child in node.items():
            if key not in ("en", "nl", "fr"):
                yield from _texts_in(child, lang)
    elif isinstance(node, list):
        for child in node:
            yield from _texts_in(child, lang)


@cache
def all_texts(lang: str) -> tuple[str, ...]:
    """Every text a report can show in a base language: rule texts, data texts, report strings."""
    ruleset, _ = _screen()
    texts = [
        rule.text(name, lang)
        for rule in ruleset.rules
        for name in ("title", "message", "rationale", "recommendation")
    ]
    for name in ("vocabularies", "labels", "principles", "verdicts", "sources", "questions"):
        texts += list(_texts_in(yamlread.load_trusted(DATA_DIR / f"{name}.yaml"), lang))
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        for message in read_po(handle, locale=lang):
            if message.id and not message.obsolete if hasattr(message, "obsolete") else message.id:
                strings = message.string if isinstance(message.string, tuple) else [message.string]
                texts += [s for s in strings if s]
    return tuple(texts)


@pytest.mark.parametrize("lang", ("nl", "fr"))
def test_terminology_follows_the_glossary(lang):
    problems = []
    for concept, entry in glossary().items():
        for wrong in (entry.get("avoid") or {}).get(lang, []):
            pattern = re.compile(rf"(?<!\w){re.escape(wrong)}", re.IGNORECASE)
            hits = [t for t in all_texts(lang) if pattern.search(t)]
            problems += [f"{concept}: {wrong!r} in {t[:80]!r}" for t in hits]
    if lang == "fr":  # the donor as actor is the "bailleur de fonds", never the bare "bailleur"
        bare = re.compile(r"\bbailleurs?\b(?!\s+de\s+fonds)")
        problems += [
            f"donor: bare 'bailleur' in {t[:80]!r}" for t in all_texts(lang) if bare.search(t)
        ]
    assert problems == []


def test_the_nl_nl_variant_uses_the_netherlands_terms():
    variants = yamlread.load_trusted(LOCALE_DIR / "variants.yaml")
    flemish = {
        term.strip()
        for entry in glossary().values()
        if entry.get("nl-BE") and entry.get("nl-NL") and entry["nl-BE"] != entry["nl-NL"]
        for term in entry["nl-BE"].split(",")
    }
    netherlands = " ".join(e.get("nl-NL", "") for e in glossary().values())
    # Every override in the catalogue is a concept of the glossary.
    for word, replacement in variants["nl-NL"].items():
        words = re.split(r"[\s-]+", replacement.lower())
        assert any(w[:5] in netherlands.lower() for w in words if len(w) > 3), word
    # After the overrides, no Flemish-only term is left in any Dutch text.
    left = []
    for text in all_texts("nl"):
        shown = localize(text, "nl-NL").replace("maatschappelijk middenveld", "")
        left += [
            (term, shown[:80])
            for term in flemish
            if re.search(rf"(?<![\w-]){re.escape(term)}(?!\w)", shown, re.IGNORECASE)
        ]
    assert left == []


def test_the_letter_asks_each_question_once_and_groups_siblings():
    from pcd_screen.reports.texts import letter_questions

    asked = letter_questions(["period.start", "period.end", "safeguards.conflict_analysis"], "en")
    assert asked == [
        "When does the project start and end?",
        "Has a conflict analysis been carried out? If so, could you share it?",
    ]
    assert letter_questions(["period.end"], "nl") == ["Wanneer eindigt het project?"]


@pytest.mark.parametrize("lang", ("nl", "fr"))
def test_no_rule_text_names_a_vocabulary_code(lang):
    """The examples do not flag every rule: the rule texts themselves are read here, so that a
    code in a rule no example triggers is found too."""
    ruleset, _ = _screen()
    found = [
        (rule.id, name, code)
        for rule in ruleset.rules
        for name in ("title", "message", "rationale", "recommendation")
        for code in vocabulary_codes()
        if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", rule.text(name, lang))
    ]
    assert found == []


def test_a_source_summary_does_not_repeat_its_anchor():
    from pcd_screen.reports.texts import reader_sources

    source = {"doc": "be-dgd", "section": "Leidende beginselen", "anchor": "Leidende beginselen"}
    source["summary"] = "Leidende beginselen: een mensenrechtenbenadering."
    assert reader_sources([source])[0]["summary"] == "een mensenrechtenbenadering."


def test_the_config_accepts_a_variant(tmp_path, monkeypatch):
    from pcd_screen.commands import cli

    (tmp_path / ".pcd-screen.yaml").write_text("lang: nl-NL\nformats: [letter]\n")
    proposal = tmp_path / "p.yaml"
    proposal.write_text((EXAMPLES / "sparse-proposal.yaml").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["screen", "p.yaml", "--as-of", "2026-11-23"])
    assert result.exit_code in (0, 1), result.output
    assert result.output.startswith("# Vragen en opmerkingen bij uw voorstel")
