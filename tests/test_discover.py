import os
import time

import pytest

from pcd_screen.inputs.discover import NothingFound, discover


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


# --- links, loops and special files -----------------------------------------------------------


@pytest.fixture
def linked(tree):
    """proposals/ holds a link to a file outside it, a link to a folder outside it, a link to a
    file inside it, and two links to its own folder (a loop)."""
    outside = tree / "secret"
    outside.mkdir()
    (outside / "key.yaml").write_text("token: s3cr3t\n")
    folder = tree / "proposals"
    (folder / "leak.yaml").symlink_to(outside / "key.yaml")
    (folder / "elsewhere").symlink_to(outside, target_is_directory=True)
    (folder / "same.yaml").symlink_to(folder / "a.yaml")
    (folder / "sub" / "loop1").symlink_to(folder, target_is_directory=True)
    (folder / "sub" / "loop2").symlink_to(folder, target_is_directory=True)
    return tree


@pytest.mark.parametrize("given", ["proposals", "proposals/**/*.yaml", "proposals/*.yaml"])
def test_links_out_of_a_searched_folder_are_skipped_and_reported(linked, given):
    skipped: list[str] = []
    found = discover([given], skipped=skipped)
    assert "proposals/leak.yaml" not in found and "proposals/same.yaml" in found
    assert not any("secret" in f or "elsewhere" in f or "loop" in f for f in found)
    assert skipped == [
        f"proposals/leak.yaml: a link to {linked / 'secret' / 'key.yaml'}, outside proposals; "
        "not read (name the file itself to screen it)"
    ]


def test_a_link_named_on_the_command_line_is_read(linked):
    assert discover(["proposals/leak.yaml"]) == ["proposals/leak.yaml"]


def test_loops_of_links_do_not_hang_a_glob(linked):
    # glob.glob followed both loops: 2^40 paths. CPU time, a wide bound on the work.
    start = time.process_time()
    found = discover(["proposals/**/*.y*ml"])
    assert time.process_time() - start < 10
    assert found == [
        "proposals/a.yaml",
        "proposals/same.yaml",
        "proposals/sub/c.yml",
        "proposals/sub/drafts/d.yaml",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_named_is_an_error_not_a_hang(tree):
    os.mkfifo(tree / "proposals" / "pipe.yaml")
    with pytest.raises(NothingFound, match="pipe.yaml: not a regular file"):
        discover(["proposals/pipe.yaml"])
    assert "proposals/pipe.yaml" not in discover(["proposals"])  # a search passes it by
