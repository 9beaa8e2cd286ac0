import os
import time
import tracemalloc

import pytest

from pcd_screen.core import yamlread as yamlload
from pcd_screen.core.located import LoadError, format_path
from pcd_screen.core.yamlread import load_file, load_text


def errors_of(text):
    with pytest.raises(LoadError) as info:
        load_text(text, "p.yaml")
    return [str(e) for e in info.value.errors]


def test_positions_are_kept_per_path():
    doc = load_text("id: X\nactivities:\n  - id: A1\n    category: detention\n", "p.yaml")
    assert doc.line_of(("activities", 0, "category")) == 4
    assert doc.line_of(("activities", 0)) == 3
    assert doc.line_of(("activities", 5, "x")) == 2  # nearest located ancestor


def test_a_quoted_sentence_is_located_on_its_own_line():
    text = (
        "id: X\n"
        "description: >-\n"
        "  The project trains officials. In line with the dialogue, release\n"
        "  of the second tranche is conditional on the readmission\n"
        "  of nationals.\n"
        "title: short\n"
    )
    doc = load_text(text, "p.yaml")
    quoted = "… release of the second tranche is conditional on the readmission of nationals."
    assert doc.line_of_quote(("description",), quoted) == 3
    assert doc.line_of_quote(("description",), "of nationals.") == 5
    # A sentence the text does not hold, and a one-line value: the value's line.
    assert doc.line_of_quote(("description",), "Nothing like it.") == 2
    assert doc.line_of_quote(("title",), "short") == 6


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


# CPU seconds an unbounded expansion would exceed by far (minutes, gigabytes)
BOUND = 10


def measured(text):
    """(error messages, CPU seconds, peak traced bytes) of loading a hostile text. CPU time of
    this process, with a wide margin below: a bound on the work, not a speed test (the
    machine may be busy)."""
    tracemalloc.start()
    start = time.process_time()
    try:
        messages = errors_of(text)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return messages, time.process_time() - start, peak


def nested_aliases(leaf: str, levels: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join([leaf] * 10)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "billion laughs": 10^9 strings from 9 lines of aliases
        (nested_aliases("lol"), "aliases repeat more than 10000 values (an alias bomb?)"),
        # the same with empty lists: no text at all, only values
        (nested_aliases("[]"), "aliases repeat more than 10000 values (an alias bomb?)"),
        # one large string repeated by aliases: reports would be gigabytes
        ("d: &d " + "x" * 200_000 + "\nl: [" + ", ".join(["*d"] * 5000) + "]\n", "more text"),
    ],
    ids=["laughs", "empty-lists", "big-string"],
)
def test_alias_bombs_are_refused_in_bounded_time_and_memory(text, expected):
    (message,), seconds, peak = measured(text)
    assert message.startswith("p.yaml:") and expected in message
    assert seconds < BOUND
    assert peak < 30_000_000


def test_a_few_aliases_are_fine():
    doc = load_text("region: &r Sahel\nactivities:\n  - {id: A1, region: *r}\n", "p.yaml")
    assert doc.data["activities"][0]["region"] == "Sahel"


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 1_000_000 + "]" * 1_000_000,  # flow sequences
        "a: " + "{a: " * 500_000 + "1" + "}" * 500_000,  # flow mappings
        "- " * 1_000_000 + "x",  # compact block sequences
        "a: " + "[" * 100 + "]" * 100,  # small: refused after composing
    ],
    ids=["flow-seq", "flow-map", "block-seq", "small"],
)
def test_deep_nesting_is_refused_without_crashing(text):
    # Past ~20,000 levels the C composer overflowed the stack: the process died.
    (message,), seconds, peak = measured(text + "\n")
    # The project refuses it, or PyYAML does first (6.0.4 has its own limit): either way
    # a located error, never a crash.
    assert "nest" in message and message.startswith("p.yaml:1:")
    assert seconds < BOUND
    assert peak < 30_000_000


def test_too_many_values_are_refused_before_composing(monkeypatch):
    wide = "a: [" + "1," * 250_000 + "]\n"
    start = time.perf_counter()
    (message,) = errors_of(wide)
    # Under 1 s; composing every value of a 5 MB list first took ~20 s and 700 MB.
    assert time.perf_counter() - start < 5
    assert "too many values" in message and message.startswith("p.yaml:1:")
    # Memory, measured at a tenth of the limit (tracing makes every allocation slow).
    monkeypatch.setattr(yamlload, "MAX_NODES", 20_000)
    (message,), _seconds, peak = measured(wide)
    assert "too many values" in message
    assert peak < 10_000_000


def test_loading_keeps_no_nodes_alive():
    # The scalar constructor's cache once kept every node of every file ever loaded.
    before = len(yamlload._SCALAR.constructed_objects)
    for _ in range(3):
        load_text("id: X\nlist: [1, 2, 3]\nwhen: 2026-01-01\n")
    assert len(yamlload._SCALAR.constructed_objects) == before


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
    assert message.startswith("p.yaml:") and "nest" in message


def test_keys_that_fail_to_construct_stay_as_written():
    # A key that looks like an impossible date escaped as a ValueError (a traceback).
    assert load_text("2026-02-30: x\n").data == {"2026-02-30": "x"}
    long_int = "1" * 5000  # past Python's limit for int() of a string
    assert load_text(f"? {long_int}\n: x\n").data == {long_int: "x"}


def test_loading_keeps_nothing_of_the_file_afterwards():
    # Found by fuzzing (memory grew with every input): the module's shared SafeConstructor kept
    # every node it had built, so a long batch run held every file it had read.
    from pcd_screen.core import yamlread as yamlload

    load_text("a: 1\nb: [x, 2026-01-01]\n")
    assert yamlload._SCALAR.constructed_objects == {}
    with pytest.raises(LoadError):
        load_text("a: 1\nb: !!python/name:os.system\n")
    assert yamlload._SCALAR.constructed_objects == {}


def test_bad_encodings(tmp_path):
    nul = tmp_path / "nul.yaml"
    nul.write_bytes(b"id: X\x00\n")
    late_nul = tmp_path / "late.yaml"
    late_nul.write_bytes(b"id: X\n" + b"# padding\n" * 500 + b"t: a\x00b\n")
    control = tmp_path / "control.yaml"
    control.write_bytes(b"id: X\n" + b"t: a\x01b\n")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("id: caf\xe9\n".encode("latin-1"))
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("id: X\n".encode("utf-16"))
    utf16_bare = tmp_path / "utf16le.yaml"
    utf16_bare.write_bytes("id: X\n".encode("utf-16-le"))
    utf32 = tmp_path / "utf32.yaml"
    utf32.write_bytes("id: Zoë\n".encode("utf-32"))
    with pytest.raises(LoadError, match="NUL bytes"):
        load_file(nul)
    with pytest.raises(LoadError, match=r"late.yaml:502:1: \(document\): file contains NUL bytes"):
        load_file(late_nul)
    with pytest.raises(LoadError, match=r"control.yaml:2:5: \(document\): character U\+0001 is"):
        load_file(control)
    with pytest.raises(LoadError, match=r"latin.yaml:1:8: \(document\): not valid UTF-8"):
        load_file(latin)
    assert load_file(utf16).data == {"id": "X"}
    with pytest.raises(LoadError, match="UTF-16 and UTF-32 need a byte-order mark"):
        load_file(utf16_bare)
    assert load_file(utf32).data == {"id": "Zoë"}


def test_size_limit(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 100 + "\n")
    with pytest.raises(LoadError, match="larger than the limit of 50 bytes.*--max-file-size"):
        load_file(big, max_bytes=50)
    assert load_file(big, max_bytes=200).data == {"a": "x" * 100}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "p.yaml"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(LoadError, match=r"p.yaml: \(document\): cannot read file: .*FIFO"):
        load_file(fifo)
    assert time.perf_counter() - start < 1


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_device_is_refused(tmp_path):
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")  # a harmless-looking name that reads forever
    with pytest.raises(LoadError, match="cannot read file: it is a device or socket"):
        load_file(link)
    with pytest.raises(LoadError, match="cannot read file: it is a folder"):
        load_file(tmp_path)


def test_unreadable_file(tmp_path):
    with pytest.raises(LoadError, match="cannot read file"):
        load_file(tmp_path / "nope.yaml")


def test_json_is_accepted():
    doc = load_text('{"id": "X",\n "countries": [{"code": "NER"}]}', "p.json")
    assert doc.data["countries"][0]["code"] == "NER"
    assert doc.line_of(("countries", 0, "code")) == 2


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"schema_version": 1, "id": "X", "title": "x",}', (1, 47)),  # a trailing comma
        ('{"id": "X",\n // a comment\n "title": "x"}', (2, 2)),
        ("{'id': 'X'}", (1, 2)),  # single quotes
    ],
)
def test_a_json_file_must_be_json(tmp_path, text, where):
    # A new user's trial: a .json proposal with a trailing comma was screened (the YAML
    # reader took it), where any JSON tool would refuse it.
    path = tmp_path / "p.json"
    path.write_text(text)
    with pytest.raises(LoadError) as error:
        load_file(path)
    (problem,) = error.value.errors
    assert (problem.line, problem.column) == where and "JSON syntax error" in problem.message
    (tmp_path / "p.yaml").write_text(text.replace("// a comment", "# a comment"))
    if "//" not in text:
        load_file(tmp_path / "p.yaml")  # as YAML, a flow mapping may end in a comma


def test_format_path():
    assert format_path(("activities", 0, "category")) == "activities[0].category"
    assert format_path(("activities", "*", "category")) == "activities[*].category"


def test_trusted_files_use_the_bundle_only_when_unchanged(tmp_path, monkeypatch):
    from pcd_screen.core import yamlread as yamlload

    rules = tmp_path / "rules"
    rules.mkdir()
    path = rules / "x.yaml"
    path.write_text("a: 1\n")
    digest = yamlload.file_digest(b"a: 1\n")
    bundle = {"rules/x.yaml": {"digest": digest, "data": {"a": "from bundle"}}}
    monkeypatch.setattr(yamlload, "_bundle", lambda: bundle)
    assert yamlload.load_trusted(path) == {"a": "from bundle"}
    path.write_text("a: 2\n")  # edited after bundling: parsed afresh
    assert yamlload.load_trusted(path) == {"a": 2}


def test_base_60_numbers_stay_text_in_linear_time():
    # YAML 1.1 reads 1:30 as 90, in time quadratic in the number of parts (17 s for 400,000).
    assert load_text("a: 1:30\nb: -1:30:00\nc: 190:20:30.15\n").data == {
        "a": "1:30",
        "b": "-1:30:00",
        "c": "190:20:30.15",
    }
    start = time.perf_counter()
    doc = load_text("notes: 1" + ":0" * 400_000 + "\n")
    assert doc.data["notes"].startswith("1:0:0")
    assert time.perf_counter() - start < 3


@pytest.mark.parametrize(
    "literal", ["0x" + "f" * 4000, "0" + "7" * 200, "9" * 5000, "1." + "9" * 200]
)
def test_a_plain_value_too_long_for_a_number_is_text_and_a_tagged_one_refused(literal):
    # A 4,000-digit hex integer could not be printed (ValueError, a traceback).
    assert load_text(f"title: {literal}\n").data == {"title": literal}
    tag = "!!float" if literal.startswith("1.") else "!!int"
    with pytest.raises(LoadError) as info:
        load_text(f"title: {tag} {literal}\n", "p.yaml")
    message = str(info.value)
    assert message.startswith("p.yaml:1:8: title: a number of ")
    assert "too long (at most 100)" in message and len(message) < 300


def test_a_long_base_60_value_costs_little_memory():
    # PyYAML's patterns took some 70 bytes per character of a 1:0:0:… value (340 MB for 4.8 MB).
    tracemalloc.start()
    try:
        load_text("notes: 1" + ":0" * 500_000 + "\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 30_000_000, peak


def test_a_huge_integer_key_stays_as_written():
    key = "0x" + "f" * 4000
    assert load_text(f"? {key}\n: 1\n").data == {key: 1}


def test_a_digest_from_the_bundle_only_while_its_files_are_read_unchanged(tmp_path, monkeypatch):
    # The catalogue's hash ships in the bundle (scripts/compile_data.py); it must not outlive
    # an edit of any file it covers.
    from pcd_screen.core import yamlread as yamlload

    rules = tmp_path / "rules"
    rules.mkdir()
    path = rules / "x.yaml"
    path.write_text("a: 1\n")
    bundle = {
        "rules/x.yaml": {"digest": yamlload.file_digest(b"a: 1\n"), "data": {"a": 1}},
        "digests": {"some": {"files": ["rules/x.yaml"], "digest": "from bundle"}},
        "worked-out": {"files": ["rules/x.yaml"], "data": {"b": 2}},
    }
    monkeypatch.setattr(yamlload, "_bundle", lambda: bundle)
    monkeypatch.setattr(yamlload, "_unchanged", set())
    assert yamlload.bundled_digest("some", [path]) is None  # not read through the bundle yet
    yamlload.load_trusted(path)
    assert yamlload.bundled_digest("some", [path]) == "from bundle"
    assert yamlload.bundled_derived("worked-out", [path]) == {"b": 2}
    assert yamlload.bundled_derived("other", [path]) is None
    assert yamlload.bundled_digest("some", [path, path]) is None  # other files than bundled
    path.write_text("a: 2\n")
    yamlload.load_trusted(path)
    assert yamlload.bundled_digest("some", [path]) is None
    assert yamlload.bundled_derived("worked-out", [path]) is None


def test_the_bundle_indexes_every_entry_and_each_entry_is_read_alone():
    # compile_data lays the bundle out as an index line and the entries one after another, so
    # a run loads only what it uses.
    import json

    from pcd_screen.core import yamlread as yamlload

    raw = yamlload.BUNDLE.read_bytes()
    head = json.loads(raw[: raw.index(b"\n")])
    assert head["format"] == yamlload.BUNDLE_FORMAT
    spans = sorted(head["index"].values())
    assert spans[0][0] == 0 and spans[-1][1] == len(raw) - raw.index(b"\n") - 1
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))  # contiguous
    lazy = yamlload._bundle()
    rules = lazy.get("rules/do-no-harm.yaml")
    from pcd_screen.core.paths import RULES_DIR

    assert rules["digest"] == yamlload.file_digest((RULES_DIR / "do-no-harm.yaml").read_bytes())
    assert {r["id"] for r in rules["data"]["rules"]} >= {"DNH-001"}
    assert lazy.get("no/such.yaml") is None


def test_a_damaged_or_foreign_bundle_is_treated_as_absent(tmp_path, monkeypatch):
    # A bundle in another format, or an entry that does not load, leaves the YAML to be read.
    import json
    import marshal

    from pcd_screen.core import yamlread as yamlload

    good = marshal.dumps({"digest": "1-0", "data": {"a": 1}}, 4)
    index = {"ok": [0, len(good)], "bad": [len(good), len(good) + 5]}
    head = json.dumps({"format": yamlload.BUNDLE_FORMAT, "index": index})
    path = tmp_path / "compiled.bin"
    path.write_bytes(head.encode() + b"\n" + good + b"\xff\x00\x01\x02\x03")
    monkeypatch.setattr(yamlload, "BUNDLE", path)
    yamlload._bundle.cache_clear()
    try:
        bundle = yamlload._bundle()
        assert bundle.get("ok") == {"digest": "1-0", "data": {"a": 1}}
        assert bundle.get("bad") is None
        path.write_bytes(b'{"format": "something else", "index": {"ok": [0, 3]}}\nabc')
        yamlload._bundle.cache_clear()
        assert yamlload._bundle() == {}
        path.write_bytes(b"not json at all")
        yamlload._bundle.cache_clear()
        assert yamlload._bundle() == {}
    finally:
        yamlload._bundle.cache_clear()


def test_a_link_is_refused_where_links_must_not_be_followed(tmp_path):
    target = tmp_path / "secret.txt"
    target.write_bytes(b"secret")
    link = tmp_path / "report.md"
    link.symlink_to(target)
    assert yamlload.read_input(link, 100) == b"secret"  # a file the user named: as named
    with pytest.raises(OSError) as excinfo:
        yamlload.read_input(link, 100, follow_links=False)
    assert excinfo.value.strerror == "it is a link, not a regular file"
    assert excinfo.value.filename == str(link)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_not_regular_says_what_a_path_is_without_opening_it(tmp_path):
    os.mkfifo(tmp_path / "p.yaml")
    (tmp_path / "f.yaml").write_text("a: 1\n")
    assert yamlload.not_regular(tmp_path / "p.yaml") == (
        "it is a FIFO (named pipe), not a regular file"
    )
    assert yamlload.not_regular(tmp_path) == "it is a folder, not a regular file"
    assert yamlload.not_regular(tmp_path / "f.yaml") is None
    assert yamlload.not_regular(tmp_path / "missing.yaml") is None  # the caller: "not found"


def test_the_package_data_files_have_no_duplicate_keys():
    # The package's own YAML is read by the C loader, which keeps the last of two equal keys
    # silently (a frame's second `unless:` once hid its first); the strict loader refuses them.
    from pcd_screen.core.paths import DATA_DIR, RULES_DIR

    files = [*RULES_DIR.glob("*.yaml"), *DATA_DIR.glob("*.yaml"), *DATA_DIR.glob("*/*.yaml")]
    assert len(files) > 30
    for path in files:
        load_file(path, max_bytes=4 * 1024 * 1024)  # raises LoadError on a duplicate key
