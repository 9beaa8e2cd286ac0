import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from conftest import AS_OF, EXAMPLES, ORG_RULE, REPO
from pcd_screen import config
from pcd_screen.config import (
    apply_rule_settings,
    find_config,
    load_config,
    show,
)
from pcd_screen.core import yamlread as yamlload
from pcd_screen.core.located import LoadError
from pcd_screen.core.schemas import load_schema
from pcd_screen.engine import evaluate as engine
from pcd_screen.engine import refdata
from pcd_screen.engine import ruleset as rules
from pcd_screen.inputs.discover import discover
from pcd_screen.inputs.proposal import load_proposal


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A proposal repository (with .git) as the current folder."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    monkeypatch.chdir(root)
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(excinfo) -> list[str]:
    return [str(e) for e in excinfo.value.errors]


@pytest.fixture(scope="module")
def ruleset():
    return rules.load_ruleset()


def screen(name: str, ruleset):
    proposal = load_proposal(EXAMPLES / name)
    return engine.evaluate(proposal, ruleset, refdata.load_refdata(), AS_OF)


# --- finding the file ------------------------------------------------------------------------


def test_find_config_searches_upward(repo):
    cfg = write(repo / ".pcd-screen.yaml", "fail_on: block\n")
    deep = repo / "proposals" / "2026" / "q4"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg
    assert find_config(repo) == cfg


def test_find_config_stops_at_the_repository_root(tmp_path):
    write(tmp_path / ".pcd-screen.yaml", "fail_on: block\n")  # outside the repository
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "proposals").mkdir()
    assert find_config(tmp_path / "repo" / "proposals") is None
    # Without a .git folder the search goes on up.
    (tmp_path / "other" / "proposals").mkdir(parents=True)
    assert find_config(tmp_path / "other" / "proposals") == tmp_path / ".pcd-screen.yaml"


def test_find_config_treats_a_git_file_as_a_root(tmp_path):
    # Worktrees and submodules have a .git file, not a folder.
    write(tmp_path / ".pcd-screen.yaml", "fail_on: block\n")
    write(tmp_path / "worktree" / ".git", "gitdir: ../.git/worktrees/x\n")
    assert find_config(tmp_path / "worktree") is None


# --- defaults and precedence -----------------------------------------------------------------


def test_without_a_config_file_every_setting_is_the_default(repo):
    settings = load_config(None, {})
    assert settings.config_file is None
    assert settings.base_dir == repo
    assert settings.profiles == ["default"]
    assert settings.fail_on == "revise"
    assert settings.lang == "en"
    assert settings.as_of is None
    assert settings.unclear_as_flag == ()
    assert settings.formats == [("text", None)]
    assert settings.waivers is None
    assert settings.rule_dirs == []
    assert settings.rules == {"disable": [], "enable": [], "severity": {}}
    assert set(settings.origin) == set(config.KEYS)
    assert set(settings.origin.values()) == {"default"}


def test_precedence_flag_over_file_over_profile_over_default(repo):
    cfg = write(
        repo / ".pcd-screen.yaml",
        "extends: strict\nfail_on: revise\nas_of: 2026-11-23\nlang: en\n",
    )
    settings = load_config(cfg, {"lang": "fr", "as_of": None, "rule_dirs": ()})
    assert settings.lang == "fr"
    assert settings.origin["lang"] == "flag"
    assert settings.fail_on == "revise"  # the file lowers strict's clarify
    assert settings.origin["fail_on"] == "file .pcd-screen.yaml"
    assert settings.as_of == date(2026, 11, 23)
    assert settings.origin["as_of"] == "file .pcd-screen.yaml"
    assert settings.unclear_as_flag == ("critical", "high")
    assert settings.origin["unclear_as_flag"] == "profile strict"
    assert settings.formats == [("text", None)]
    assert settings.origin["formats"] == "profile default"  # strict extends default
    assert settings.origin["waivers"] == "default"
    assert settings.profiles == ["strict", "default"]
    assert settings.extends == "strict"


def test_strict_profile(repo):
    settings = load_config(write(repo / ".pcd-screen.yaml", "extends: strict\n"), {})
    assert settings.fail_on == "clarify"
    assert settings.unclear_as_flag == ("critical", "high")


def test_flag_values_as_click_gives_them(repo):
    write(repo / "org-rules" / "r.yaml", "[]\n")
    settings = load_config(
        None,
        {
            "as_of": date(2026, 1, 2),
            "rule_dirs": ("org-rules",),
            "formats": ("json", "sarif=out/pcd.sarif"),
            "unclear_as_flag": ("high", "critical"),
            "extends": "strict",
        },
    )
    assert settings.as_of == date(2026, 1, 2)
    assert settings.rule_dirs == [repo / "org-rules"]
    assert settings.formats == [("json", None), ("sarif", repo / "out" / "pcd.sarif")]
    assert settings.unclear_as_flag == ("critical", "high")  # severity order
    assert settings.profiles == ["strict", "default"]
    assert settings.fail_on == "clarify"
    assert settings.origin["extends"] == "flag"


def test_a_flag_extends_replaces_the_files(repo):
    cfg = write(repo / ".pcd-screen.yaml", "extends: strict\nlang: en\n")
    settings = load_config(cfg, {"extends": "default"})
    assert settings.profiles == ["default"]
    assert settings.fail_on == "revise"
    assert settings.origin["fail_on"] == "profile default"


def test_unknown_override_keys_are_programming_errors(repo):
    # Flag values themselves are checked by click (choices, dates): see tests/test_cli.py.
    with pytest.raises(ValueError, match="unknown override keys: colour"):
        load_config(None, {"colour": True})


def test_paths_are_relative_to_the_file_that_names_them(repo, monkeypatch):
    write(repo / "org-rules" / "r.yaml", "[]\n")
    write(repo / "custom-waivers.yaml", "waivers: []\n")
    cfg = write(
        repo / ".pcd-screen.yaml",
        "rule_dirs: [org-rules/]\nwaivers: custom-waivers.yaml\n"
        'formats: [text, "sarif=reports/pcd.sarif", "junit=reports/junit.xml"]\n'
        'help_uri: "https://example.org/catalogue#{rule_id}"\n',
    )
    sub = repo / "proposals"
    sub.mkdir()
    monkeypatch.chdir(sub)  # the current folder does not matter
    settings = load_config(cfg, {})
    assert settings.rule_dirs == [repo / "org-rules"]
    assert settings.waivers == repo / "custom-waivers.yaml"
    assert settings.formats == [
        ("text", None),
        ("sarif", repo / "reports" / "pcd.sarif"),
        ("junit", repo / "reports" / "junit.xml"),
    ]
    assert settings.help_uri == "https://example.org/catalogue#{rule_id}"
    assert settings.base_dir == repo


def test_waivers_file_next_to_the_config_is_found(repo):
    cfg = write(repo / ".pcd-screen.yaml", "fail_on: block\n")
    assert load_config(cfg, {}).waivers is None
    write(repo / ".pcd-waivers.yaml", "waivers: []\n")
    settings = load_config(cfg, {})
    assert settings.waivers == repo / ".pcd-waivers.yaml"
    assert settings.origin["waivers"] == "default"
    # An explicit null switches waivers off.
    assert load_config(write(cfg, "waivers: null\n"), {}).waivers is None


def test_an_empty_config_file_means_all_defaults(repo):
    settings = load_config(write(repo / ".pcd-screen.yaml", "# nothing yet\n"), {})
    assert settings.fail_on == "revise"
    assert settings.origin["fail_on"] == "default"


# --- extends ---------------------------------------------------------------------------------


def test_extends_chain_through_an_agency_profile(repo):
    write(repo / "policy" / "agency-rules" / "r.yaml", "[]\n")
    write(
        repo / "policy" / "agency.yaml",
        "extends: strict\nrule_dirs: [agency-rules]\nrules:\n  severity: {DNH-010: high}\n",
    )
    cfg = write(repo / ".pcd-screen.yaml", "extends: policy/agency.yaml\nfail_on: block\n")
    settings = load_config(cfg, {})
    assert settings.profiles == ["policy/agency.yaml", "strict", "default"]
    assert settings.rule_dirs == [repo / "policy" / "agency-rules"]
    assert settings.origin["rule_dirs"] == "profile policy/agency.yaml"
    assert settings.origin["unclear_as_flag"] == "profile strict"
    assert settings.fail_on == "block"
    assert settings.rules["severity"] == {"DNH-010": "high"}


def test_extends_cycle_is_an_error(repo):
    write(repo / "a.yaml", "extends: b.yaml\n")
    write(repo / "b.yaml", "fail_on: block\nextends: ./a.yaml\n")
    cfg = write(repo / ".pcd-screen.yaml", "extends: a.yaml\n")
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    assert errors_of(excinfo) == [
        "b.yaml:2:1: extends: './a.yaml' makes a cycle: .pcd-screen.yaml -> a.yaml -> b.yaml "
        "-> a.yaml"
    ]


def test_a_file_extending_itself_is_a_cycle(repo):
    cfg = write(repo / ".pcd-screen.yaml", "extends: .pcd-screen.yaml\n")
    with pytest.raises(LoadError, match="makes a cycle: .pcd-screen.yaml -> .pcd-screen.yaml"):
        load_config(cfg, {})


def test_unknown_profile_and_missing_file(repo):
    cfg = write(repo / ".pcd-screen.yaml", "lang: en\nextends: strickt\n")
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    assert errors_of(excinfo) == [
        ".pcd-screen.yaml:2:1: extends: unknown profile 'strickt' (did you mean 'strict'? "
        "profiles: default, strict; a file path must end in .yaml or .yml)"
    ]
    write(cfg, "extends: policy/none.yaml\n")
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    assert errors_of(excinfo) == [".pcd-screen.yaml:1:1: extends: file not found: policy/none.yaml"]


def test_an_invalid_profile_file_is_reported_in_that_file(repo):
    write(repo / "agency.yaml", "fail_on: sometimes\n")
    cfg = write(repo / ".pcd-screen.yaml", "extends: agency.yaml\n")
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    assert errors_of(excinfo) == [
        "agency.yaml:1:1: fail_on: 'sometimes' is not allowed (one of: block, revise, clarify, "
        "never)"
    ]


# --- config errors name the file, line and field ---------------------------------------------


def test_schema_errors_are_located_and_name_the_field(repo):
    cfg = write(
        repo / ".pcd-screen.yaml",
        "extend: strict\n"
        "rules:\n"
        "  disable: [DNH-010, do-no-harn]\n"
        "  severity: {DNH-003: critcal}\n"
        "as_of: 2026-02-30\n"
        "formats: [docx]\n"
        "unclear_as_flag: [high, high]\n",
    )
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    found = errors_of(excinfo)
    assert (
        found[0] == ".pcd-screen.yaml:1:1: extend: unknown field 'extend' (did you mean 'extends'?)"
    )
    assert found[1].startswith(
        ".pcd-screen.yaml:3:22: rules.disable[1]: expected a rule id such as DNH-003 or a principle"
    )
    assert found[1].endswith("got text 'do-no-harn'")
    assert found[2] == (
        ".pcd-screen.yaml:4:14: rules.severity.DNH-003: 'critcal' is not allowed "
        "(did you mean 'critical'?)"
    )
    assert found[3] == (
        ".pcd-screen.yaml:5:1: as_of: '2026-02-30' is not a valid date (expected YYYY-MM-DD)"
    )
    assert found[4].startswith(".pcd-screen.yaml:6:11: formats[0]: 'docx' does not match")
    assert found[5].startswith(".pcd-screen.yaml:7:1: unclear_as_flag: ")
    assert len(found) == 6


def test_missing_rule_dir_and_waivers_file_are_errors(repo):
    cfg = write(repo / ".pcd-screen.yaml", "rule_dirs: [nope/]\nwaivers: missing.yaml\n")
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    assert errors_of(excinfo) == [
        ".pcd-screen.yaml:1:13: rule_dirs[0]: rule directory not found: nope/",
        ".pcd-screen.yaml:2:1: waivers: waivers file not found: missing.yaml",
    ]


def test_a_waivers_file_that_is_not_a_regular_file_says_what_it_is(repo):
    import os

    os.mkfifo(repo / "waivers.yaml")
    cfg = write(repo / ".pcd-screen.yaml", "waivers: waivers.yaml\n")
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    assert errors_of(excinfo) == [
        ".pcd-screen.yaml:1:1: waivers: waivers file waivers.yaml: it is a FIFO (named pipe), "
        "not a regular file"
    ]


def test_paths_in_a_config_cannot_leave_its_repository(repo, tmp_path):
    # A pull request edits the config: `..`, absolute paths and links out of the repository
    # would write reports (or read files) anywhere the CI user can.
    outside = tmp_path / "outside"
    write(outside / "w.yaml", "waivers: []\n")
    write(outside / "p.yaml", "fail_on: block\n")
    write(outside / "report.md.j2", "x\n")
    (repo / "linked.yaml").symlink_to(outside / "w.yaml")
    (repo / "rules").symlink_to(outside)
    cfg = write(
        repo / ".pcd-screen.yaml",
        f"formats: [text, md=../escaped.md, 'json={outside}/r.json', sarif=out/ok.sarif]\n"
        "waivers: linked.yaml\n"
        "templates: [../outside/report.md.j2]\n"
        "rule_dirs: [rules]\n",
    )
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    inside = f"outside the repository {repo}; a config file names paths inside it"
    assert errors_of(excinfo) == [
        f".pcd-screen.yaml:4:13: rule_dirs[0]: rule directory 'rules' leads {inside}",
        f".pcd-screen.yaml:2:1: waivers: waivers file 'linked.yaml' leads {inside}",
        f".pcd-screen.yaml:1:17: formats[1]: report path '../escaped.md' is {inside}",
        f".pcd-screen.yaml:1:35: formats[2]: report path '{outside}/r.json' is {inside}",
        f".pcd-screen.yaml:3:13: templates[0]: template '../outside/report.md.j2' is {inside}",
    ]
    write(cfg, "extends: ../outside/p.yaml\n")
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    assert errors_of(excinfo) == [
        f".pcd-screen.yaml:1:1: extends: extends '../outside/p.yaml' is {inside}"
    ]
    # The same paths on the command line are the user's own choice.
    settings = load_config(None, {"formats": ["md=../escaped.md"], "extends": "../outside/p.yaml"})
    assert settings.formats == [("md", tmp_path / "escaped.md")]
    assert settings.fail_on == "block"


def test_a_config_must_be_a_mapping(repo):
    cfg = write(repo / ".pcd-screen.yaml", "- fail_on: block\n")
    with pytest.raises(
        LoadError, match=r"\.pcd-screen\.yaml:1:1: \(document\): expected a mapping"
    ):
        load_config(cfg, {})


def test_unknown_rule_ids_are_errors_naming_file_line_and_field(repo, ruleset):
    cfg = write(
        repo / ".pcd-screen.yaml",
        "rules:\n"
        "  disable: [DNH-099, ldc-focus]\n"
        "  enable: [ODA-001]\n"
        "  severity:\n"
        "    DNH-003: critical\n"
        "    ODA-100: low\n",
    )
    with pytest.raises(LoadError) as excinfo:
        apply_rule_settings(ruleset, load_config(cfg, {}))
    assert errors_of(excinfo) == [
        ".pcd-screen.yaml:2:13: rules.disable[0]: unknown rule id 'DNH-099' "
        "(did you mean 'DNH-009'?); see `pcd-screen rules list`",
        ".pcd-screen.yaml:6:5: rules.severity.ODA-100: unknown rule id 'ODA-100' "
        "(did you mean 'ODA-010'?); see `pcd-screen rules list`",
    ]


# --- the effect on the catalogue -------------------------------------------------------------


def ids(ruleset) -> set[str]:
    return {rule.id for rule in ruleset.rules}


def test_disable_by_id_and_by_principle(repo, ruleset):
    cfg = write(repo / ".pcd-screen.yaml", "rules:\n  disable: [DNH-010, data-quality]\n")
    effective = apply_rule_settings(ruleset, load_config(cfg, {}))
    dq = {r.id for r in ruleset.rules if r.principle == "data-quality"}
    assert dq
    assert ids(effective) == ids(ruleset) - dq - {"DNH-010"}
    assert effective.hash != ruleset.hash


def test_enable_wins_over_a_profiles_disable(repo, ruleset):
    write(repo / "agency.yaml", "rules:\n  disable: [data-quality, DNH-010]\n")
    cfg = write(
        repo / ".pcd-screen.yaml", "extends: agency.yaml\nrules:\n  enable: [DQ-007, DNH-010]\n"
    )
    effective = apply_rule_settings(ruleset, load_config(cfg, {}))
    assert {"DQ-007", "DNH-010"} <= ids(effective)
    assert "DQ-008" not in ids(effective)


def test_within_one_file_an_id_beats_a_principle_and_enable_beats_disable(repo, ruleset):
    cfg = write(
        repo / ".pcd-screen.yaml",
        "rules:\n  disable: [data-quality, DNH-010, DNH-001]\n  enable: [DQ-007, DNH-010]\n",
    )
    effective = ids(apply_rule_settings(ruleset, load_config(cfg, {})))
    assert "DQ-007" in effective and "DNH-010" in effective
    assert "DQ-008" not in effective and "DNH-001" not in effective


def test_the_nearest_file_decides(repo, ruleset):
    write(repo / "agency.yaml", "rules:\n  enable: [DNH-010]\n  severity: {DNH-003: low}\n")
    cfg = write(
        repo / ".pcd-screen.yaml",
        "extends: agency.yaml\nrules:\n  disable: [do-no-harm]\n  severity: {DNH-003: critical}\n",
    )
    settings = load_config(cfg, {})
    assert settings.rules["severity"] == {"DNH-003": "critical"}
    effective = apply_rule_settings(ruleset, settings)
    assert not any(r.principle == "do-no-harm" for r in effective.rules)
    # A flag layer is nearer still.
    settings = load_config(cfg, {"rules": {"enable": ["DNH-003"]}})
    effective = apply_rule_settings(ruleset, settings)
    assert effective.get("DNH-003").severity == "critical"
    assert settings.origin["rules"] == "flag"


def test_severity_override_changes_the_verdict(repo, ruleset):
    assert screen("in-donor-refugee-costs.yaml", ruleset).verdict == "revise"
    cfg = write(repo / ".pcd-screen.yaml", "rules:\n  severity: {ODA-004: critical}\n")
    effective = apply_rule_settings(ruleset, load_config(cfg, {}))
    assert effective.get("ODA-004").severity == "critical"
    assert effective.get("ODA-004").raw["severity"] == "critical"
    result = screen("in-donor-refugee-costs.yaml", effective)
    assert result.verdict == "block"
    assert result.ruleset["hash"] == effective.hash != ruleset.hash
    # Lowering it instead: the remaining medium concern asks for clarification.
    write(cfg, "rules:\n  severity: {ODA-004: medium}\n")
    lowered = apply_rule_settings(ruleset, load_config(cfg, {}))
    assert screen("in-donor-refugee-costs.yaml", lowered).verdict == "clarify"
    assert len({ruleset.hash, effective.hash, lowered.hash}) == 3


def test_hash_is_stable_and_unchanged_without_effective_overrides(repo, ruleset):
    cfg = write(repo / ".pcd-screen.yaml", "rules:\n  severity: {DNH-003: critical}\n")
    first = apply_rule_settings(ruleset, load_config(cfg, {})).hash
    assert apply_rule_settings(ruleset, load_config(cfg, {})).hash == first
    # Overriding a severity to its own value, or enabling what runs anyway, changes nothing.
    own = ruleset.get("DNH-003").severity
    write(cfg, f"rules:\n  severity: {{DNH-003: {own}}}\n  enable: [DNH-001]\n")
    assert apply_rule_settings(ruleset, load_config(cfg, {})).hash == ruleset.hash
    assert apply_rule_settings(ruleset, load_config(None, {})).hash == ruleset.hash


def test_apply_rule_settings_does_not_change_the_input(repo, ruleset):
    before = (ids(ruleset), ruleset.hash, ruleset.get("DNH-003").severity)
    cfg = write(
        repo / ".pcd-screen.yaml",
        "rules:\n  disable: [data-quality]\n  severity: {DNH-003: info}\n",
    )
    apply_rule_settings(ruleset, load_config(cfg, {}))
    assert (ids(ruleset), ruleset.hash, ruleset.get("DNH-003").severity) == before
    assert ruleset.get("DNH-003").raw["severity"] == before[2]


def test_rule_ids_from_extra_rule_dirs_are_known(repo):
    write(repo / "org-rules" / "org.yaml", ORG_RULE.replace("severity: high", "severity: medium"))
    cfg = write(
        repo / ".pcd-screen.yaml",
        "rule_dirs: [org-rules]\nrules:\n  severity: {ORG-001: high}\n",
    )
    settings = load_config(cfg, {})
    effective = apply_rule_settings(rules.load_ruleset(settings.rule_dirs), settings)
    assert effective.get("ORG-001").severity == "high"


# --- include / exclude -----------------------------------------------------------------------


def test_include_and_exclude_are_relative_to_the_config_folder(repo, monkeypatch):
    cfg = write(
        repo / ".pcd-screen.yaml",
        'include: ["proposals/**/*.yaml", "proposals/**/*.json"]\nexclude: ["**/drafts/**"]\n',
    )
    for name in (
        "proposals/a.yaml",
        "proposals/2026/b.json",
        "proposals/drafts/c.yaml",
        "proposals/2026/drafts/d.yaml",
        "proposals/.e.yaml",
        "proposals/notes.txt",
        "elsewhere/f.yaml",
        ".github/workflows/ci.yaml",
    ):
        write(repo / name, "x: 1\n")
    monkeypatch.chdir(repo / "proposals")  # the current folder does not matter
    settings = load_config(cfg, {})
    found = discover([], settings.include, settings.exclude, settings.base_dir)
    assert found == ["2026/b.json", "a.yaml"]  # shown relative to the current folder


def test_default_include_skips_hidden_files_and_folders(repo):
    for name in ("p.yaml", "sub/q.yml", "r.json", ".github/ci.yaml"):
        write(repo / name, "x: 1\n")
    write(repo / ".pcd-screen.yaml", "lang: en\n")
    settings = load_config(repo / ".pcd-screen.yaml", {})
    found = discover([], settings.include, settings.exclude, settings.base_dir)
    assert found == ["p.yaml", "r.json", "sub/q.yml"]


# --- the size limit --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "size"),
    [
        (1048576, 1048576),
        ("1048576", 1048576),
        ("20 MB", 20_000_000),
        ("20MB", 20_000_000),
        ("512 KiB", 524_288),
        ("1.5 GiB", 1_610_612_736),
        ("2g", 2_000_000_000),
    ],
)
def test_sizes(given, size):
    assert config.parse_size(given) == size


@pytest.mark.parametrize("given", ["", "big", "20 TB", "-1", "0", 0, "1 MB 2"])
def test_bad_sizes(given):
    with pytest.raises(ValueError):
        config.parse_size(given)


def test_max_file_size_from_the_file_a_flag_or_nowhere(repo):
    assert load_config(None, {}).max_file_size is None  # each reader's own default
    cfg = write(repo / ".pcd-screen.yaml", 'max_file_size: "20 MB"\n')
    settings = load_config(cfg, {})
    assert settings.max_file_size == 20_000_000
    assert settings.origin["max_file_size"] == "file .pcd-screen.yaml"
    assert load_config(cfg, {"max_file_size": 1000}).max_file_size == 1000
    assert "max_file_size: 20000000" in show(settings)


def test_a_bad_max_file_size_is_located(repo):
    cfg = write(repo / ".pcd-screen.yaml", "fail_on: block\nmax_file_size: 0 MB\n")
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    assert errors_of(excinfo) == [
        ".pcd-screen.yaml:2:1: max_file_size: '0 MB': the size must be at least 1 byte"
    ]
    write(cfg, "max_file_size: huge\n")
    with pytest.raises(LoadError) as excinfo:
        load_config(cfg, {})
    assert errors_of(excinfo) == [
        ".pcd-screen.yaml:1:1: max_file_size: 'huge' is not a size such as 1048576, '20 MB' "
        "or '512 KiB'"
    ]


# --- show ------------------------------------------------------------------------------------


def test_show_prints_every_setting_and_its_origin(repo):
    cfg = write(
        repo / ".pcd-screen.yaml",
        "extends: strict\nrules:\n  disable: [DNH-010]\n  severity: {DNH-003: critical}\n",
    )
    text = show(load_config(cfg, {"lang": "en"}))
    assert text == show(load_config(cfg, {"lang": "en"}))
    lines = text.splitlines()
    assert "# config file: .pcd-screen.yaml" in lines
    assert "# profiles: strict > default" in lines

    def origin_of(start):
        line = next(line for line in lines if line.startswith(start))
        return line.split("  # ")[1]

    assert origin_of('extends: "strict"') == "file .pcd-screen.yaml"
    assert origin_of('lang: "en"') == "flag"
    assert origin_of('fail_on: "clarify"') == "profile strict"
    assert origin_of("formats: ") == "profile default"
    assert origin_of("waivers: null") == "default"
    assert origin_of("    - DNH-010") == "file .pcd-screen.yaml"
    assert origin_of("    DNH-003: critical") == "file .pcd-screen.yaml"
    for key in config.KEYS:
        assert any(line.startswith(f"{key}:") for line in lines), key
    # The text is YAML: the values read back as set.
    shown = yamlload.load_text(text).data
    assert shown["fail_on"] == "clarify"
    assert shown["rules"]["severity"] == {"DNH-003": "critical"}


# --- schemas and profiles --------------------------------------------------------------------


def test_shipped_profiles_are_valid_and_default_sets_every_key():
    validator = jsonschema.Draft202012Validator(load_schema("config"))
    for name in config.profile_names():
        data = yamlload.load_trusted(config.PROFILES_DIR / f"{name}.yaml")
        assert list(validator.iter_errors(data)) == [], name
    default = yamlload.load_trusted(config.PROFILES_DIR / "default.yaml")
    assert set(default) == set(config.KEYS) - {"extends", "waivers"}
    assert config.profile_names() == ["default", "strict"]


def test_config_schema_matches_the_rule_schema():
    schema = load_schema("config")
    rule_schema = json.loads((REPO / "pcd_screen" / "schemas" / "rule.schema.json").read_text())
    assert schema["$defs"]["principle"]["enum"] == rule_schema["properties"]["principle"]["enum"]
    assert schema["$defs"]["severity"]["enum"] == rule_schema["properties"]["severity"]["enum"]
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == set(config.KEYS)


def described(schema) -> list[str]:
    """Paths of properties without a description."""
    missing = []

    def walk(node, path):
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if "description" not in sub:
                    missing.append(f"{path}.{name}")
            for key, sub in node.items():
                walk(sub, f"{path}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{path}[{i}]")

    walk(schema, "")
    return missing


@pytest.mark.parametrize("name", ["config", "waivers"])
def test_every_field_has_a_description(name):
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert described(schema) == []


# --- the examples in docs/config.md work -----------------------------------------------------


def doc_blocks() -> dict[str, str]:
    """The YAML examples of docs/config.md, by the file name in their first comment."""
    blocks = {}
    for body in doc_blocks_all():
        first = body.splitlines()[0]
        if first.startswith("# "):
            blocks.setdefault(first[2:].split(":")[0], body)
        elif first == "waivers:":
            blocks.setdefault("waivers", body)
    return blocks


def test_docs_examples_load(repo, ruleset):
    blocks = doc_blocks()
    assert {".pcd-screen.yaml", "policy/agency-profile.yaml", "waivers"} <= set(blocks)
    strict = yamlload.load_text(blocks["pcd_screen/data/profiles/strict.yaml"]).data
    assert strict == yamlload.load_trusted(config.PROFILES_DIR / "strict.yaml")

    # The complete example.
    (repo / "org-rules").mkdir()
    write(repo / ".pcd-waivers.yaml", blocks["waivers"])
    from pcd_screen.engine.waivers import load_waivers

    assert len(load_waivers(repo / ".pcd-waivers.yaml")) == 1
    cfg = write(repo / ".pcd-screen.yaml", blocks[".pcd-screen.yaml"])
    settings = load_config(cfg, {})
    assert settings.formats[1] == ("sarif", repo / "reports" / "pcd.sarif")
    assert "DQ-007" in ids(apply_rule_settings(ruleset, settings))

    # The agency profile and a repository extending it.
    write(repo / "policy" / "agency-profile.yaml", blocks["policy/agency-profile.yaml"])
    (repo / "policy" / "agency-rules").mkdir()
    short = [b for b in doc_blocks_all() if b.startswith("# .pcd-screen.yaml\nextends: policy/")]
    write(cfg, short[0])
    settings = load_config(cfg, {})
    assert settings.profiles == ["policy/agency-profile.yaml", "strict", "default"]
    assert settings.fail_on == "revise"
    assert settings.unclear_as_flag == ("critical", "high")
    effective = apply_rule_settings(ruleset, settings)
    assert effective.get("DNH-003").severity == "critical"
    assert effective.get("DNH-010").severity == "low"
    assert "DQ-007" in ids(effective)
    assert not {"DQ-001", "DQ-008"} & ids(effective)


def doc_blocks_all() -> list[str]:
    text = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    return [block.split("```")[0] for block in text.split("```yaml\n")[1:]]
