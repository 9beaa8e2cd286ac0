import pytest

from pcd_screen.discover import NothingFound, discover


@pytest.fixture
def tree(tmp_path, monkeypatch):
    names = (
        "a.yaml",
        "b.json",
        "notes.txt",
        "sub/c.yml",
        "sub/drafts/d.yaml",
        ".hidden/e.yaml",
        ".pcd-screen.yaml",
    )
    for name in names:
        path = tmp_path / "proposals" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x: 1\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_files_directories_and_globs(tree):
    assert discover(["proposals/a.yaml"]) == ["proposals/a.yaml"]
    assert discover(["proposals"]) == [
        "proposals/a.yaml",
        "proposals/b.json",
        "proposals/sub/c.yml",
        "proposals/sub/drafts/d.yaml",
    ]
    assert discover(["proposals/**/*.yaml"]) == ["proposals/a.yaml", "proposals/sub/drafts/d.yaml"]


def test_duplicates_are_screened_once(tree):
    assert discover(["proposals/a.yaml", "proposals/*.yaml"]) == ["proposals/a.yaml"]


def test_include_and_exclude_patterns_relative_to_the_config(tree):
    base = tree / "proposals"
    found = discover([], include=["**/*.y*ml"], exclude=["drafts/"], base=base)
    assert found == ["proposals/a.yaml", "proposals/sub/c.yml"]


def test_explicit_files_are_filtered_when_patterns_are_set(tree):
    """pre-commit hands over every changed YAML file, the config among them."""
    given = ["proposals/a.yaml", "proposals/.pcd-screen.yaml", "proposals/sub/drafts/d.yaml"]
    assert discover(given, include=None, exclude=["**/drafts/**"], base=tree) == [
        "proposals/a.yaml"
    ]
    assert discover(given) == given  # without a config, what is named is screened


@pytest.mark.parametrize("given", ["missing.yaml", "proposals/*.xml", "proposals/sub/drafts/none*"])
def test_nothing_found_is_an_error(tree, given):
    with pytest.raises(NothingFound, match=given.replace("*", r"\*")):
        discover([given])
