"""Safe YAML/JSON loading that keeps the line and column of every node.

Only plain data is built (mappings, lists, strings, numbers, booleans, null, dates as ISO
strings): a tag that would construct an object is an error, never executed.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import marshal
import os
import stat
from binascii import crc32
from functools import lru_cache
from pathlib import Path

import yaml

from pcd_screen.core.located import Document, InputError, LoadError, format_path
from pcd_screen.core.paths import DATA_DIR

try:  # the C parser is several times faster; fall back where libyaml is absent
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000
MAX_ALIAS_REPEATS = 10_000
# PyYAML's C composer recurses once per nesting level and overflows the C stack (a crash, not
# an exception) somewhere past 20,000 levels. A document with fewer structure characters than
# this cannot nest deeper, and is small; a larger one is scanned first (see _prescan).
_PRESCAN_ABOVE = 1000
# Aliases let a small file repeat a large string many times; the text built may exceed the
# text read by at most this much, so reports stay about as large as the input.
_ALIAS_TEXT_SLACK = 64 * 1024
# Numbers are read in bounded time and can always be printed. PyYAML turns a base-60 integer
# (YAML 1.1: `1:30` is 90) into a number in quadratic time (17 s for 400,000 parts), and a hex
# or octal literal of any length into an integer that Python then refuses to print (more than
# 4,300 digits). Base-60 forms are kept as the text written, as YAML 1.2 and JSON read them; a
# plain value longer than this is text (see _Loader), and a value tagged as a number (!!int)
# that long is refused.
MAX_NUMBER_CHARS = 100
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class _Loader(_SafeLoader):
    """The safe loader, but a plain scalar longer than MAX_NUMBER_CHARS is text: no number,
    date, boolean or null is that long, and matching PyYAML's patterns against it (base 60:
    `1:0:0:…`) cost some 70 bytes of memory per character (340 MB for a 4.8 MB value)."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0] and len(value) > MAX_NUMBER_CHARS:
            return self.DEFAULT_SCALAR_TAG
        return super().resolve(kind, value, implicit)


def decode(raw: bytes, file: str) -> str:
    if b"\x00" in raw and not raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\0\0\xfe\xff")):
        pos = raw.index(b"\x00")
        line = raw.count(b"\n", 0, pos) + 1
        message = "file contains NUL bytes; not text (UTF-16 and UTF-32 need a byte-order mark)"
        raise LoadError([InputError(file, line, None, "", message)])
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),  # before UTF-16, whose mark it starts with
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(codec)
            except UnicodeDecodeError as exc:
                raise LoadError(
                    [InputError(file, None, None, "", f"invalid {codec}: {exc}")]
                ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        msg = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})"
        raise LoadError([InputError(file, line, column, "", msg)]) from None


def open_input(file_path, follow_links: bool = True):
    """Open an input file for reading in binary mode; only a regular file is accepted.

    A FIFO would block until something writes to it and a device such as /dev/zero never ends,
    so both are refused (opened without blocking, then checked) with an OSError whose strerror
    says what the path is and whose filename is the path. follow_links=False refuses a link
    too: a file in a folder the tool writes to, which a link must not send elsewhere.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(file_path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_links and os.path.islink(file_path):
            raise OSError(errno.ELOOP, _not_regular(stat.S_IFLNK), str(file_path)) from None
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, _not_regular(mode), str(file_path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def not_regular(file_path) -> str | None:
    """Why open_input would refuse an existing path ("it is a FIFO (named pipe), not a regular
    file"), or None: a regular file, a link to one, or nothing there (the caller says "not
    found" in its own words)."""
    try:
        mode = os.stat(file_path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else _not_regular(mode)


def _not_regular(mode: int) -> str:
    from pcd_screen.core.outputs import file_kind

    return f"it is {file_kind(mode)}, not a regular file"


RAISE_LIMIT = "raise it with --max-file-size or the max_file_size setting"


def read_input(file_path, max_bytes: int, follow_links: bool = True) -> bytes | None:
    """The whole of a regular file, or None when it holds more than max_bytes (checked on its
    size first: reading a file far over the limit would waste time and memory). OSError as
    open_input raises it."""
    with open_input(file_path, follow_links) as handle:
        if os.fstat(handle.fileno()).st_size > max_bytes:
            return None
        raw = handle.read(max_bytes + 1)
    return None if len(raw) > max_bytes else raw


def too_large(max_bytes: int) -> str:
    """The message for a file over the size limit, naming the setting that raises it."""
    return f"file is larger than the limit of {max_bytes} bytes ({RAISE_LIMIT})"


def load_file(file_path, display_name: str | None = None, max_bytes: int | None = None) -> Document:
    """Read and parse a YAML or JSON file of at most max_bytes (default MAX_BYTES)."""
    name = display_name or str(file_path)
    max_bytes = max_bytes or MAX_BYTES
    try:
        raw = read_input(file_path, max_bytes)
    except OSError as exc:
        raise LoadError(
            [InputError(name, None, None, "", f"cannot read file: {exc.strerror}")]
        ) from None
    if raw is None:
        raise LoadError([InputError(name, None, None, "", too_large(max_bytes))])
    text = decode(raw, name)
    if str(file_path).lower().endswith(".json"):
        _json_syntax(text, name)
    return load_text(text, name)


def _json_syntax(text: str, name: str) -> None:
    """A .json file must be JSON: the YAML reader that gives its line numbers would also take
    a trailing comma or a comment, which another JSON tool would refuse."""
    import json

    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(
            [InputError(name, exc.lineno, exc.colno, "", f"JSON syntax error: {exc.msg}")]
        ) from None
    except RecursionError:
        pass  # nested too deeply: the YAML reader refuses it with its own message


def load_text(text: str, file: str = "<string>") -> Document:
    try:
        if sum(text.count(c) for c in "[{-?:,") > _PRESCAN_ABOVE:
            _prescan(text, file)
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = exc.problem or exc.context or "invalid YAML"
        raise LoadError(
            [InputError(file, line, col, "", f"YAML syntax error: {problem}")]
        ) from None
    except yaml.reader.ReaderError as exc:  # a control character: located by its offset
        pos = exc.position
        line, col = text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)
        message = f"character U+{exc.character:04X} is not allowed in YAML ({exc.reason})"
        raise LoadError([InputError(file, line, col, "", message)]) from None
    except yaml.YAMLError as exc:
        raise LoadError([InputError(file, None, None, "", f"YAML error: {exc}")]) from None
    doc = Document(data=None, file=file, source=text)
    if node is None:
        return doc
    errors: list[InputError] = []
    doc.data = _build(node, (), doc, errors, _Budget(len(text)), depth=0)
    if errors:
        raise LoadError(errors)
    return doc


def _compose(text: str):
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _prescan(text: str, file: str) -> None:
    """Count values and nesting from the parser's events (iterative, cheap) before the
    recursive composer runs: a deep or huge document is refused before it can crash the
    process or fill memory with nodes."""
    start_events = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    value_events = (yaml.ScalarEvent, yaml.AliasEvent)
    loader = _Loader(text)
    depth = nodes = 0
    try:
        while (event := loader.get_event()) is not None:
            kind = type(event)
            if kind in start_events:
                depth += 1
                nodes += 1
                if depth > MAX_DEPTH + 1:
                    _refuse(file, event, "document nested too deeply")
            elif kind in end_events:
                depth -= 1
            elif kind in value_events:
                nodes += 1
            else:
                continue
            if nodes > MAX_NODES:
                _refuse(file, event, "document has too many values")
    finally:
        loader.dispose()


def _refuse(file: str, event, message: str):
    mark = event.start_mark
    raise LoadError([InputError(file, mark.line + 1, mark.column + 1, "", message)])


class _PlainLoader(_Loader):
    """The C safe loader, but dates stay ISO strings as in load_text."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


def load_trusted(file_path):
    """Load one of the package's own data files (rules, lexicons, reference data).

    Building Python objects from YAML is slow, so the package ships the same data pre-parsed
    in a bundle (scripts/compile_data.py). An entry is used only when its digest matches
    the YAML file's bytes; an edited file is parsed afresh, so the bundle is never wrong, at
    worst slower.
    """
    return load_trusted_derived(file_path)[0]


def load_trusted_derived(file_path):
    """(data, derived) of one of the package's data files: derived is what the bundle keeps
    beside the data, worked out from it at build time (scripts/compile_data.py, DERIVED), or
    None when the bundle has none for the file as it is now; the caller then works it out."""
    entry, raw = _current_entry(file_path)
    if entry is not None:
        return entry["data"], entry.get("derived")
    _unchanged.discard(bundle_key(file_path))
    return parse_trusted(raw), None


def load_trusted_part(file_path, part: str):
    """A part of one of the package's data files that the bundle keeps in an entry of its own
    (the rules' tests, frames.yaml's frames: scripts/compile_data.py, PARTS), so that reading
    the file does not parse it; None when the bundle has none for the file as it is now (the
    caller reads the file)."""
    entry, _raw = _current_entry(file_path, part)
    return entry["data"] if entry is not None else None


def _current_entry(file_path, part: str | None = None):
    """(the bundle's entry for a file, or for one part of it, while the file's bytes are as the
    bundle has them, else None; the bytes). A file found so is marked unchanged."""
    raw = Path(file_path).read_bytes()
    key = bundle_key(file_path)
    entry = _bundle().get(key if part is None else f"{key}#{part}")
    if entry is not None and entry["digest"] == file_digest(raw):
        _unchanged.add(key)
        return entry, raw
    return None, raw


# The bundle's files found unchanged by load_trusted in this process.
_unchanged: set[str] = set()


def read_unchanged(file_path) -> bool:
    """Whether load_trusted has read this file, and found it as the bundle has it."""
    return bundle_key(file_path) in _unchanged


def bundled_digest(name: str, paths) -> str | None:
    """A digest over several data files that scripts/compile_data.py worked out (DIGESTS:
    the lexicons', the catalogue's), when the bundle has it for exactly these files and each of
    them was read unchanged through load_trusted; None otherwise (the caller works it out)."""
    entry = _bundle().get("digests", {}).get(name)
    return entry["digest"] if _covers(entry, paths) else None


def bundled_derived(name: str, paths):
    """What scripts/compile_data.py worked out from several data files together (the lexicons'
    phrase index), on the same terms as bundled_digest; None otherwise."""
    entry = _bundle().get(name)
    return entry["data"] if _covers(entry, paths) else None


def _covers(entry, paths) -> bool:
    """Whether a bundle entry over several files is for exactly these, each read unchanged."""
    if entry is None:
        return False
    keys = [bundle_key(path) for path in paths]
    return entry["files"] == keys and _unchanged.issuperset(keys)


def parse_trusted(raw: bytes):
    return yaml.load(raw.decode("utf-8"), Loader=_PlainLoader)  # noqa: S506 - safe loader


BUNDLE = DATA_DIR / "compiled.bin"
# The bundle's entries are marshal data (the format of Python's own .pyc constants), written in
# version 4, which every Python since 3.4 reads: loading them takes about half the
# instructions JSON did (a screening loads about 1 MB of entries, bench/README.md). The bundle
# is one of the package's own files, as trusted as its modules; an entry that does not load
# is treated as absent, and its YAML file is parsed instead.
BUNDLE_FORMAT = "pcd-screen bundle, marshal 4"


def file_digest(raw: bytes) -> str:
    """What the bundle keeps of each YAML file to notice that it was edited: its length and
    CRC-32. The bundle is a cache of the package's own files, not a defence against someone who
    can write to them (they could rewrite the bundle too), so a change check suffices, as zip
    and gzip use it: an edit that keeps the length and the CRC goes unnoticed with odds of 1 in
    4 billion. Every screening checks some 1.2 MB of data files: BLAKE2b of them was about
    2.5 % of a screening's instructions, CRC-32 (binascii, already loaded) a sixth of that."""
    return f"{len(raw)}-{crc32(raw):08x}"


def bundle_key(file_path) -> str:
    """'rules/do-no-harm.yaml' or 'data/ldc.yaml': the same in a checkout and in a wheel.
    The key only picks an entry, whose digest then decides whether it is used, so links are not
    followed (resolving each path was about 1 % of a screening's instructions)."""
    path = Path(os.path.abspath(file_path))
    folder = path.parent.name.lstrip("_")
    if path.parent.parent.name == "data":  # data/lexicons/en.yaml
        folder = f"data/{folder}"
    return f"{folder}/{path.name}"


@lru_cache(maxsize=1)
def _bundle():
    """The bundle, as a mapping whose entries are loaded when first asked for: a screening
    uses most of them, but loading the rest too was a few per cent of its instructions. The
    file's first line, JSON, names the format and indexes the entries (scripts/compile_data.py,
    layout)."""
    try:
        raw = BUNDLE.read_bytes()
        first = raw.index(b"\n")
        head = json.loads(raw[:first])
        if head["format"] != BUNDLE_FORMAT:
            return {}
        index = head["index"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return _Bundle(memoryview(raw)[first + 1 :], index)


class _Bundle:
    def __init__(self, body, index: dict):
        self._body, self._index, self._parsed = body, index, {}

    def get(self, key: str, default=None):
        entry = self._parsed.get(key)
        if entry is None:
            span = self._index.get(key)
            if span is None:
                return default
            try:
                entry = marshal.loads(self._body[span[0] : span[1]])
            except (ValueError, EOFError, TypeError):  # a damaged bundle: the YAML file is read
                return default
            if not isinstance(entry, dict):
                return default
            self._parsed[key] = entry
        return entry

    def keys(self):
        return self._index.keys()


_SCALAR = yaml.constructor.SafeConstructor()
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


class _Budget:
    """What building one document may still cost: values, characters of text, and values
    repeated by aliases (a few are normal; thousands are an alias bomb)."""

    def __init__(self, text_length: int):
        self.values = MAX_NODES
        self.text = text_length + _ALIAS_TEXT_SLACK
        self.repeats = MAX_ALIAS_REPEATS
        self.seen: set[int] = set()  # ids of the nodes built once already
        self.active: set[int] = set()  # ids of the collections being built (cycle check)


def _build(node, path, doc, errors, budget: _Budget, depth):
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    doc.positions.setdefault(path, (line, col))
    budget.values -= 1
    if id(node) in budget.seen:
        budget.repeats -= 1
    else:
        budget.seen.add(id(node))
    problem = None
    if depth > MAX_DEPTH:
        problem = "document nested too deeply"
    elif budget.values < 0:
        problem = "document has too many values"
    elif budget.repeats < 0:
        problem = f"aliases repeat more than {MAX_ALIAS_REPEATS} values (an alias bomb?)"
    elif id(node) in budget.active:
        problem = "recursive alias"
    if problem:
        raise LoadError([InputError(doc.file, line, col, format_path(path), problem)])
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _PLAIN_TAGS:
            errors.append(
                InputError(
                    doc.file, line, col, format_path(path), f"tag {node.tag!r} is not allowed"
                )
            )
            return None
        if node.tag in _NUMBER_TAGS:
            problem = _number_problem(node.value)
            if problem == "base-60":
                value = node.value
                budget.text -= len(value)
                return value
            if problem:
                errors.append(InputError(doc.file, line, col, format_path(path), problem))
                return None
        try:
            # The constructor function itself: construct_object would keep every node in a
            # cache that lives as long as the process (a leak over a long batch).
            value = _SCALAR.yaml_constructors[node.tag](_SCALAR, node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            if node.tag == "tag:yaml.org,2002:timestamp":
                return node.value  # an impossible date such as 2026-02-30: the schema says so
            errors.append(
                InputError(doc.file, line, col, format_path(path), f"bad value: {_short(exc)}")
            )
            return None
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            if node.end_mark.line > node.start_mark.line:  # a text over several lines
                doc.spans[path] = (line, node.start_mark.index, node.end_mark.index)
            budget.text -= len(value)
            if budget.text < 0:
                message = "document expands to far more text than the file holds (aliases?)"
                raise LoadError([InputError(doc.file, line, col, format_path(path), message)])
        return value
    budget.active.add(id(node))
    try:
        return _build_collection(node, path, doc, errors, budget, depth, line, col)
    finally:
        budget.active.discard(id(node))


def _number_problem(text: str) -> str | None:
    """Why a plain scalar that YAML resolves as a number is not converted: "base-60" (kept as
    text), or the message for a literal too long to convert and print in bounded time."""
    if ":" in text:
        return "base-60"
    if len(text) > MAX_NUMBER_CHARS:
        return (
            f"a number of {len(text)} characters is too long (at most {MAX_NUMBER_CHARS}); "
            "quote it if it is text"
        )
    return None


def _short(exc: Exception, limit: int = 200) -> str:
    """An exception's message, cut: the message of a bad value may quote the whole value."""
    text = str(exc)
    return text if len(text) <= limit else text[:limit] + "…"


def _build_collection(node, path, doc, errors, budget, depth, line, col):
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            errors.append(
                InputError(
                    doc.file, line, col, format_path(path), f"tag {node.tag!r} is not allowed"
                )
            )
            return None
        return [
            _build(child, (*path, i), doc, errors, budget, depth + 1)
            for i, child in enumerate(node.value)
        ]
    if node.tag != "tag:yaml.org,2002:map":
        errors.append(
            InputError(doc.file, line, col, format_path(path), f"tag {node.tag!r} is not allowed")
        )
        return None
    out: dict = {}
    for key_node, value_node in node.value:
        kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
        if key_node.tag == "tag:yaml.org,2002:merge":
            errors.append(
                InputError(
                    doc.file, kline, kcol, format_path(path), "merge keys (<<) are not allowed"
                )
            )
            continue
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
            errors.append(
                InputError(doc.file, kline, kcol, format_path(path), "keys must be plain text")
            )
            continue
        try:
            if key_node.tag in _NUMBER_TAGS and _number_problem(key_node.value):
                raise ValueError("a number too long or costly to convert")
            key = _SCALAR.yaml_constructors[key_node.tag](_SCALAR, key_node)
        except (yaml.YAMLError, ValueError, OverflowError):
            # Keys become text anyway: an impossible date (2026-02-30) or an integer too long to
            # convert stays as written rather than escaping as an exception.
            key = key_node.value
        if isinstance(key, dt.date):
            key = key.isoformat()
        if not isinstance(key, str):
            key = str(key)
        if key in out:
            errors.append(
                InputError(doc.file, kline, kcol, format_path((*path, key)), "duplicate key")
            )
            continue
        # The key's line, not the value's: a block value starts on the next line.
        doc.positions[(*path, key)] = (kline, kcol)
        out[key] = _build(value_node, (*path, key), doc, errors, budget, depth + 1)
    return out
