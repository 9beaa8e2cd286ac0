"""Safe YAML/JSON loading that keeps the line and column of every node.

Only plain data is built (mappings, lists, strings, numbers, booleans, null, dates as ISO
strings): a tag that would construct an object is an error, never executed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

try:  # the C parser is several times faster; fall back where libyaml is absent
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000
# libyaml's composer recurses in C once per nesting level, and some 50,000 levels overflow the C
# stack: a crash, not an exception. Every level opens with one of these characters, so their
# count bounds the depth; a text that could nest deeper than COMPOSE_LIMIT is walked event by
# event first (a third of the load time, so not done for the usual small file).
COMPOSE_LIMIT = 2000
_OPENERS = "[{-?:"


@dataclass(frozen=True)
class InputError:
    """One problem in an input file, located as precisely as the parser allows."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        return f"{where}: {self.path or '(document)'}: {self.message}"


class LoadError(Exception):
    """Raised with every problem found; str() gives one FILE:LINE:COL line per problem."""

    def __init__(self, errors: list[InputError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class Document:
    """Parsed data plus the position (1-based line, column) of every value, keyed by path."""

    data: object
    file: str
    positions: dict[tuple, tuple[int, int]] = field(default_factory=dict)

    def line_of(self, path: tuple) -> int | None:
        """The line of the value at path, or of its nearest located ancestor."""
        path = tuple(path)
        while True:
            if path in self.positions:
                return self.positions[path][0]
            if not path:
                return None
            path = path[:-1]

    def position_of(self, path: tuple) -> tuple[int | None, int | None]:
        path = tuple(path)
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (None, None))


def format_path(path: tuple) -> str:
    """("activities", 0, "category") -> "activities[0].category"."""
    out = ""
    for part in path:
        if isinstance(part, int) or part == "*":
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def decode(raw: bytes, file: str) -> str:
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        pos = raw.index(b"\x00")
        line = raw.count(b"\n", 0, pos) + 1
        raise LoadError([InputError(file, line, None, "", "file contains NUL bytes; not text")])
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
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


def load_file(file_path, display_name: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Read and parse a YAML or JSON file."""
    name = display_name or str(file_path)
    try:
        with open(file_path, "rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(
            [InputError(name, None, None, "", f"cannot read file: {exc.strerror}")]
        ) from None
    if len(raw) > max_bytes:
        msg = f"file is larger than the limit of {max_bytes} bytes"
        raise LoadError([InputError(name, None, None, "", msg)])
    return load_text(decode(raw, name), name)


def load_text(text: str, file: str = "<string>") -> Document:
    loader = _Loader(text)
    try:
        if 1 + sum(text.count(c) for c in _OPENERS) > COMPOSE_LIMIT:
            _check_depth(_Loader(text), file)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = exc.problem or exc.context or "invalid YAML"
        raise LoadError(
            [InputError(file, line, col, "", f"YAML syntax error: {problem}")]
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError([InputError(file, None, None, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    doc = Document(data=None, file=file)
    if node is None:
        return doc
    errors: list[InputError] = []
    budget = [MAX_NODES]
    try:
        doc.data = _build(node, (), doc, errors, budget, depth=0, active=set())
    finally:
        # The shared constructor remembers every node it built (PyYAML clears that only in
        # construct_document): without this, each file loaded stayed in memory for good.
        _SCALAR.constructed_objects.clear()
    if errors:
        raise LoadError(errors)
    return doc


def _check_depth(loader, file: str) -> None:
    """Refuse a document nested deeper than MAX_DEPTH before anything is composed."""
    depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    msg = "document nested too deeply"
                    raise LoadError([InputError(file, mark.line + 1, mark.column + 1, "", msg)])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    finally:
        loader.dispose()


class _PlainLoader(_Loader):
    """The C safe loader, but dates stay ISO strings as in load_text."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


def load_trusted(file_path):
    """Load one of the package's own data files (rules, lexicons, reference data).

    Building Python objects from YAML is slow, so the package ships the same data pre-parsed
    in a JSON bundle (scripts/compile_data.py). An entry is used only when its digest matches
    the YAML file's bytes; an edited file is parsed afresh, so the bundle is never wrong, at
    worst slower.
    """
    raw = Path(file_path).read_bytes()
    entry = _bundle().get(bundle_key(file_path))
    if entry is not None and entry["sha256"] == hashlib.sha256(raw).hexdigest():
        return entry["data"]
    return parse_trusted(raw)


def parse_trusted(raw: bytes):
    return yaml.load(raw.decode("utf-8"), Loader=_PlainLoader)  # noqa: S506 - safe loader


BUNDLE = Path(__file__).resolve().parent / "data" / "compiled.json"


def bundle_key(file_path) -> str:
    """'rules/do-no-harm.yaml' or 'data/ldc.yaml': the same in a checkout and in a wheel."""
    path = Path(file_path).resolve()
    folder = path.parent.name.lstrip("_")
    if path.parent.parent.name == "data":  # data/lexicons/en.yaml
        folder = f"data/{folder}"
    return f"{folder}/{path.name}"


@lru_cache(maxsize=1)
def _bundle() -> dict:
    try:
        with open(BUNDLE, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


_SCALAR = yaml.constructor.SafeConstructor()
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


def _build(node, path, doc, errors, budget, depth, active):
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    doc.positions.setdefault(path, (line, col))
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        what = (
            "nested too deeply" if depth > MAX_DEPTH else "has too many values (alias expansion?)"
        )
        raise LoadError([InputError(doc.file, line, col, format_path(path), f"document {what}")])
    if id(node) in active:
        raise LoadError([InputError(doc.file, line, col, format_path(path), "recursive alias")])
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _PLAIN_TAGS:
            errors.append(
                InputError(
                    doc.file, line, col, format_path(path), f"tag {node.tag!r} is not allowed"
                )
            )
            return None
        try:
            value = _SCALAR.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            if node.tag == "tag:yaml.org,2002:timestamp":
                return node.value  # an impossible date such as 2026-02-30: the schema says so
            errors.append(InputError(doc.file, line, col, format_path(path), f"bad value: {exc}"))
            return None
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        return value
    active = active | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        if node.tag != "tag:yaml.org,2002:seq":
            errors.append(
                InputError(
                    doc.file, line, col, format_path(path), f"tag {node.tag!r} is not allowed"
                )
            )
            return None
        return [
            _build(child, (*path, i), doc, errors, budget, depth + 1, active)
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
            key = _SCALAR.construct_object(key_node)
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
        out[key] = _build(value_node, (*path, key), doc, errors, budget, depth + 1, active)
    return out
