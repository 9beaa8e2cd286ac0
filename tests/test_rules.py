import pytest

from conftest import ORG_RULE
from pcd_screen.engine.refdata import load_refdata
from pcd_screen.engine.ruleset import RuleError, load_ruleset
from pcd_screen.runs.fixtures import coverage_gaps, fixture_session, run_rule_fixtures

CATALOGUE = load_ruleset(validate=True)
FIVE = ("do-no-harm", "no-conditionality", "oda-eligibility", "ldc-focus", "regional-mobility")


def test_catalogue_size_and_spread():
    principles = {r.principle for r in CATALOGUE.rules}
    assert len(CATALOGUE.rules) >= 15
    assert set(FIVE) | {"data-quality"} <= principles
    for principle in FIVE:
        assert sum(r.principle == principle for r in CATALOGUE.rules) >= 3, principle
    assert all(r.sources for r in CATALOGUE.rules)


@pytest.mark.parametrize("rule", CATALOGUE.rules, ids=lambda r: r.id)
def test_rule_fixtures(rule):
    assert coverage_gaps(rule, fixture_session(CATALOGUE, load_refdata())) == []
    for result in run_rule_fixtures(rule, fixture_session(CATALOGUE, load_refdata())):
        assert result.passed, (
            f"#{result.index + 1} {result.name}: expected {result.expected}, "
            f"got {result.actual} {result.detail}"
        )


def test_ruleset_hash_is_stable_and_covers_rule_text(tmp_path):
    assert load_ruleset().hash == CATALOGUE.hash
    (tmp_path / "org.yaml").write_text(ORG_RULE)
    assert load_ruleset([tmp_path]).hash != CATALOGUE.hash


def test_ruleset_hash_covers_the_concept_frames(tmp_path, monkeypatch):
    """Frames decide findings as rules do: the same hash must mean the same frames."""
    from pcd_screen.engine import ruleset

    assert load_ruleset(validate=True).hash == CATALOGUE.hash  # worked out, not from the bundle
    edited = tmp_path / "frames.yaml"
    edited.write_bytes(ruleset.FRAMES_FILE.read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(ruleset, "FRAMES_FILE", edited)
    assert load_ruleset(validate=True).hash != CATALOGUE.hash


def test_extra_directory_adds_rules(tmp_path):
    (tmp_path / "org.yaml").write_text(ORG_RULE)
    ruleset = load_ruleset([tmp_path])
    assert ruleset.get("ORG-001") is not None
    assert len(ruleset.rules) == len(CATALOGUE.rules) + 1


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("severity: high", "severity: severe"),
            "org.yaml:3:3: ORG-001: severity: 'severe' is not allowed",
        ),
        (("doc: ngo-2020", "doc: ngo-2021"), "org.yaml:10:14: ORG-001: sources[0].doc"),
        (('section: "§3.2"', 'section: "§9.9"'), "ngo-2020 has no section '§9.9'"),
        (("contains: detention", "holds: detention"), "org.yaml:9:"),
        (
            ("  title: {en: Detention}\n", ""),
            "org.yaml:1:3: ORG-001: required field 'title' is missing",
        ),
        (
            ("contains: detention}", "mentions: [no-such-concept]}"),
            "unknown lexicon concept 'no-such-concept'",
        ),
    ],
)
def test_invalid_rule_files_name_file_line_rule_and_field(tmp_path, change, expected):
    (tmp_path / "org.yaml").write_text(ORG_RULE.replace(*change))
    with pytest.raises(RuleError) as info:
        load_ruleset([tmp_path])
    assert expected in str(info.value)


def test_shipped_rules_are_checked_again_only_when_a_file_differs_from_the_bundle(
    tmp_path, monkeypatch
):
    # A built-in rule file as the bundle has it was checked when the bundle was built: a
    # screening does not check its sources and concepts again. Edited, it is checked.
    from pcd_screen.engine import ruleset

    ruleset.load_ruleset()
    assert ruleset._as_shipped(ruleset.RULES_DIR / "do-no-harm.yaml")
    edited = tmp_path / "rules"
    edited.mkdir()
    for path in ruleset.rule_files(ruleset.RULES_DIR):
        text = path.read_text(encoding="utf-8")
        if path.name == "do-no-harm.yaml":
            text = text.replace("mentions: [status-restricted-access]", "mentions: [nope]")
        (edited / path.name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(ruleset, "RULES_DIR", edited)
    with pytest.raises(RuleError, match="unknown lexicon concept 'nope'"):
        ruleset.load_ruleset()
    assert not ruleset._as_shipped(edited / "do-no-harm.yaml")  # read: not the bundle's bytes


def test_duplicate_ids_are_errors(tmp_path):
    (tmp_path / "a.yaml").write_text(ORG_RULE)
    (tmp_path / "b.yaml").write_text(ORG_RULE)
    with pytest.raises(RuleError, match="duplicate rule id"):
        load_ruleset([tmp_path])


def test_a_rule_file_that_is_not_a_list(tmp_path):
    (tmp_path / "a.yaml").write_text("id: X\n")
    with pytest.raises(RuleError, match="a rule file holds a list of rules"):
        load_ruleset([tmp_path])


def test_missing_rule_directory(tmp_path):
    with pytest.raises(RuleError, match="rule directory not found"):
        load_ruleset([tmp_path / "nope"])


def test_a_screening_does_not_read_the_rules_fixtures_and_rules_test_gets_them_all():
    """The bundle keeps the rules' tests apart (a fifth of the catalogue): a screening never
    parses them; fixtures() reads them on demand, the same as in the rule files."""
    import yaml

    from pcd_screen.core.paths import RULES_DIR

    shipped = load_ruleset()
    rule = shipped.get("MFD-012")
    assert rule.tests is None  # not read by loading the catalogue
    with open(RULES_DIR / "migration-for-development.yaml", encoding="utf-8") as handle:
        written = {r["id"]: r.get("tests", []) for r in yaml.safe_load(handle)["rules"]}
    assert rule.fixtures() == written["MFD-012"] and len(written["MFD-012"]) >= 10
    assert all(r.fixtures() == written[r.id] for r in shipped.rules if r.id in written)


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs here")
def test_a_rule_file_that_is_not_a_regular_file_is_an_error_naming_it(tmp_path):
    import os

    os.mkfifo(tmp_path / "org.yaml")  # was silently left out: the folder's rules did not apply
    with pytest.raises(RuleError, match=r"org.yaml: \(document\): cannot read file: .*FIFO"):
        load_ruleset([tmp_path])
