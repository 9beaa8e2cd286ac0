import pytest

from pcd_screen.yamlload import LoadError, format_path, load_file, load_text


def errors_of(text):
    with pytest.raises(LoadError) as info:
        load_text(text, "p.yaml")
    return [str(e) for e in info.value.errors]


def test_positions_are_kept_per_path():
    doc = load_text("id: X\nactivities:\n  - id: A1\n    category: detention\n", "p.yaml")
    assert doc.line_of(("activities", 0, "category")) == 4
    assert doc.line_of(("activities", 0)) == 3
    assert doc.line_of(("activities", 5, "x")) == 2  # nearest located ancestor


def test_dates_become_iso_strings():
    assert load_text("start: 2026-01-01\n").data == {"start": "2026-01-01"}


def test_syntax_error_names_line_and_column():
    (message,) = errors_of("id: X\ntitle: [unclosed\n")
    assert message.startswith("p.yaml:3:1: (document): YAML syntax error")


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hacked']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 1\n",
        "a: !!set {x}\n",
    ],
)
def test_object_constructing_tags_are_refused(text):
    (message,) = errors_of(text)
    assert "p.yaml:1:4: a: tag" in message and "not allowed" in message


def test_duplicate_keys_are_errors():
    (message,) = errors_of("id: X\nid: Y\n")
    assert message == "p.yaml:2:1: id: duplicate key"


def test_merge_keys_are_refused():
    assert "merge keys" in errors_of("base: &b {x: 1}\nother:\n  <<: *b\n")[0]


def test_alias_bomb_is_bounded():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    assert "too many values" in errors_of("\n".join(lines) + "\n")[0]


def test_deep_nesting_is_bounded():
    assert "nested too deeply" in errors_of("a: " + "[" * 100 + "]" * 100 + "\n")[0]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 60_000,  # flow style
        "- " * 60_000 + "x\n",  # block style, one line
        "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 3000)),  # block style, indented
    ],
)
def test_nesting_too_deep_for_the_c_composer_is_refused_before_composing(text):
    # libyaml's composer recursed until the C stack overflowed: a segfault, not an exit code 2.
    (message,) = errors_of(text)
    assert message.startswith("p.yaml:") and "nested too deeply" in message


def test_keys_that_fail_to_construct_stay_as_written():
    # A key that looks like an impossible date escaped as a ValueError (a traceback).
    assert load_text("2026-02-30: x\n").data == {"2026-02-30": "x"}
    long_int = "1" * 5000  # past Python's limit for int() of a string
    assert load_text(f"? {long_int}\n: x\n").data == {long_int: "x"}


def test_loading_keeps_nothing_of_the_file_afterwards():
    # Found by fuzzing (memory grew with every input): the module's shared SafeConstructor kept
    # every node it had built, so a long batch run held every file it had read.
    from pcd_screen import yamlload

    load_text("a: 1\nb: [x, 2026-01-01]\n")
    assert yamlload._SCALAR.constructed_objects == {}
    with pytest.raises(LoadError):
        load_text("a: 1\nb: !!python/name:os.system\n")
    assert yamlload._SCALAR.constructed_objects == {}


def test_bad_encodings(tmp_path):
    nul = tmp_path / "nul.yaml"
    nul.write_bytes(b"id: X\x00\n")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("id: caf\xe9\n".encode("latin-1"))
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("id: X\n".encode("utf-16"))
    with pytest.raises(LoadError, match="NUL bytes"):
        load_file(nul)
    with pytest.raises(LoadError, match=r"latin.yaml:1:8: \(document\): not valid UTF-8"):
        load_file(latin)
    assert load_file(utf16).data == {"id": "X"}


def test_size_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 100 + "\n")
    with pytest.raises(LoadError, match="larger than the limit of 50 bytes"):
        load_file(big, max_bytes=50)


def test_unreadable_file(tmp_path):
    with pytest.raises(LoadError, match="cannot read file"):
        load_file(tmp_path / "nope.yaml")


def test_json_is_accepted():
    doc = load_text('{"id": "X",\n "countries": [{"code": "NER"}]}', "p.json")
    assert doc.data["countries"][0]["code"] == "NER"
    assert doc.line_of(("countries", 0, "code")) == 2


def test_format_path():
    assert format_path(("activities", 0, "category")) == "activities[0].category"
    assert format_path(("activities", "*", "category")) == "activities[*].category"


def test_trusted_files_use_the_bundle_only_when_unchanged(tmp_path, monkeypatch):
    from pcd_screen import yamlload

    rules = tmp_path / "rules"
    rules.mkdir()
    path = rules / "x.yaml"
    path.write_text("a: 1\n")
    digest = __import__("hashlib").sha256(b"a: 1\n").hexdigest()
    bundle = {"rules/x.yaml": {"sha256": digest, "data": {"a": "from bundle"}}}
    monkeypatch.setattr(yamlload, "_bundle", lambda: bundle)
    assert yamlload.load_trusted(path) == {"a": "from bundle"}
    path.write_text("a: 2\n")  # edited after bundling: parsed afresh
    assert yamlload.load_trusted(path) == {"a": 2}
