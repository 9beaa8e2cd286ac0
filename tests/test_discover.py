import pytest

from pcd_screen.discover import NothingFound, discover


@pytest.fixture
def tree(tmp_path, monkeypatch):
    for name in (
        "a.yaml",
        "b.json",
        "notes.txt",
        "sub/c.yml",
        "sub/drafts/d.yaml",
        ".hidden/e.yaml",
    ):
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
    found = discover([], include=["proposals/**/*.y*ml"], exclude=["**/drafts/**"], base=tree)
    assert found == ["proposals/a.yaml", "proposals/sub/c.yml"]
    # Exclusions use shell-style patterns in which * also crosses folders.
    assert discover(["proposals"], exclude=["proposals/sub/*"], base=tree) == [
        "proposals/a.yaml",
        "proposals/b.json",
    ]


@pytest.mark.parametrize("given", ["missing.yaml", "proposals/*.xml", "proposals/sub/drafts/none*"])
def test_nothing_found_is_an_error(tree, given):
    with pytest.raises(NothingFound, match=given.replace("*", r"\*")):
        discover([given])


def test_no_paths_and_no_include_is_an_error(tree):
    with pytest.raises(NothingFound, match="no files given"):
        discover([])
