"""Everything a report shows exists in English, Dutch and French."""

import pytest

from conftest import ORG_RULE
from pcd_screen.core import yamlread as yamlload
from pcd_screen.core.i18n import LANGUAGES, translations
from pcd_screen.core.paths import DATA_DIR
from pcd_screen.engine.ruleset import load_ruleset, missing_translations


def texts_in(node, path=()):
    """Every mapping that holds an `en` text, with where it is."""
    if isinstance(node, dict):
        if isinstance(node.get("en"), (str, list)):
            yield path, node
        for key, value in node.items():
            yield from texts_in(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from texts_in(value, (*path, index))


@pytest.mark.parametrize(
    "name",
    [
        "vocabularies.yaml",
        "principles.yaml",
        "verdicts.yaml",
        "sources.yaml",
        "labels.yaml",
        "questions.yaml",
    ],
)
def test_data_texts_exist_in_every_language(name):
    data = yamlload.load_trusted(DATA_DIR / name)
    missing = [
        (".".join(map(str, path)), lang)
        for path, texts in texts_in(data)
        for lang in LANGUAGES
        if not texts.get(lang)
    ]
    assert missing == []


def test_lexicons_have_the_same_concepts_in_every_language():
    concepts = {
        lang: set(yamlload.load_trusted(DATA_DIR / "lexicons" / f"{lang}.yaml"))
        for lang in LANGUAGES
    }
    assert concepts["nl"] == concepts["en"] == concepts["fr"]


def test_every_rule_text_is_translated():
    assert [str(e) for e in missing_translations(load_ruleset(validate=True))] == []


def test_rules_validate_refuses_a_missing_translation(tmp_path):
    from click.testing import CliRunner

    from pcd_screen.commands import cli

    (tmp_path / "r.yaml").write_text(ORG_RULE)
    result = CliRunner().invoke(cli, ["rules", "validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "ORG-001: title: no nl text" in result.output


def test_report_strings_are_translated():
    for lang in ("nl", "fr"):
        assert translations(lang).gettext("Questions for the applicant") != (
            "Questions for the applicant"
        )
