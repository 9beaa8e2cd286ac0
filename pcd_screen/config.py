"""The project configuration (.pcd-screen.yaml), the profiles it extends, and their effect on
the rule catalogue.

Precedence, per key: command-line flag > config file > the profiles it extends (nearest first)
> the built-in default profile. Every problem is a LoadError naming FILE:LINE:COL and the field;
nothing is silently ignored (an unknown key, profile, rule id or principle is an error).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import NamedTuple

from pcd_screen.core import yamlread as yamlload
from pcd_screen.core.digest import sha256
from pcd_screen.core.located import Document, InputError, LoadError, format_path
from pcd_screen.core.paths import DATA_DIR
from pcd_screen.core.schemas import display_path, validate
from pcd_screen.core.terms import RULE_ID, SEVERITIES

CONFIG_NAME = ".pcd-screen.yaml"
WAIVERS_NAME = ".pcd-waivers.yaml"
PROFILES_DIR = DATA_DIR / "profiles"
KEYS = (
    "extends",
    "include",
    "exclude",
    "rules",
    "rule_dirs",
    "fail_on",
    "lang",
    "as_of",
    "unclear_as_flag",
    "waivers",
    "formats",
    "help_uri",
    "templates",
    "max_file_size",
    "max_waiver_days",
    "sarif_waived",
)
FLAG = "flag"
DEFAULT = "default"
_RULE_ID = re.compile(RULE_ID)


# A NamedTuple, not a frozen dataclass: made at import on every run, a dataclass's generated
# methods cost about four times as much (bench/README.md, "Start-up").
class RuleEntry(NamedTuple):
    """One item of a rules section: a disabled/enabled id or principle, or a severity override."""

    value: str  # rule id or principle
    origin: str  # "flag" | "file PATH" | "profile NAME"
    file: str
    line: int | None
    column: int | None
    field: str  # e.g. "rules.disable[1]" or "rules.severity.DNH-003"
    severity: str | None = None  # for severity overrides

    @property
    def is_rule_id(self) -> bool:
        return bool(_RULE_ID.fullmatch(self.value))


class RuleLayer(NamedTuple):  # a NamedTuple for the same reason as RuleEntry
    """The rules section of one layer (flag, file or profile)."""

    origin: str
    disable: tuple[RuleEntry, ...] = ()
    enable: tuple[RuleEntry, ...] = ()
    severity: tuple[RuleEntry, ...] = ()
    keys: frozenset[str] = frozenset()  # the keys the section sets, even to an empty value


# repr=False: a dataclass's generated methods are compiled at every import (start-up).
@dataclass(repr=False, eq=False)
class Settings:
    """Every setting resolved, paths absolute, with where each one came from."""

    config_file: Path | None
    base_dir: Path  # include/exclude globs are relative to it: the config's folder, else cwd
    extends: str | None
    profiles: list[str]  # the extends chain, nearest first (always ends with "default")
    include: list[str]
    exclude: list[str]
    rule_layers: list[RuleLayer]  # nearest first
    rule_dirs: list[Path]
    fail_on: str
    lang: str
    as_of: date | None
    unclear_as_flag: tuple[str, ...]
    waivers: Path | None
    formats: list[tuple[str, Path | None]]  # (format, output file or None for stdout)
    help_uri: str | None
    max_file_size: int | None  # bytes; None = each reader's own default
    max_waiver_days: int = 365  # the longest a waiver may run, from granted to expires
    sarif_waived: str = "omit"  # waived findings in SARIF: "omit" or "suppress"
    templates: list[Path] = field(default_factory=list)  # the user's report templates
    origin: dict[str, str] = field(default_factory=dict)

    @property
    def rules(self) -> dict:
        """The rules sections merged for display: ids and principles named, severities (nearest
        wins). Which rules actually run is decided by apply_rule_settings."""
        merged: dict = {"disable": [], "enable": [], "severity": {}}
        for layer in self.rule_layers:
            for name in ("disable", "enable"):
                for entry in getattr(layer, name):
                    if entry.value not in merged[name]:
                        merged[name].append(entry.value)
            for entry in layer.severity:
                merged["severity"].setdefault(entry.value, entry.severity)
        return merged


class _Layer(NamedTuple):  # a NamedTuple for the same reason as RuleEntry
    origin: str
    doc: Document
    base: Path  # relative paths in this layer are resolved against it
    profile: str | None = None  # the profile name or path, for Settings.profiles
    source: Path | None = None  # the file it was read from (None for flags)
    # The repository a config file belongs to: every path it names must stay inside, since a
    # pull request can edit it. None for the command line and the shipped profiles (trusted).
    home: Path | None = None

    @property
    def data(self) -> dict:
        return self.doc.data

    def error(self, path: tuple, message: str) -> InputError:
        line, column = self.doc.position_of(path)
        return InputError(self.doc.file, line, column, format_path(path), message)

    def place(self, value: str, what: str, read: bool) -> tuple[Path, str | None]:
        """The path a value names (relative to this layer's file) and why it may not be used,
        or None: a config file's path that leaves its repository (`..`, an absolute path, or,
        for a file to read, a link) is refused. A file to write is only checked as written:
        the writer follows no link inside the repository (outputs.check_target)."""
        target = Path(os.path.normpath(self.base / value))
        if self.home is None:
            return target, None
        inside = target.is_relative_to(self.home)
        if inside and read:
            inside = target.resolve().is_relative_to(self.home.resolve())
        if inside:
            return target, None
        how = "leads" if target.is_relative_to(self.home) else "is"
        where = f"outside the repository {self.home}"
        return target, f"{what} {value!r} {how} {where}; a config file names paths inside it"


# --- finding the file ------------------------------------------------------------------------


def find_config(start: Path) -> Path | None:
    """The nearest .pcd-screen.yaml in start or a parent folder. The search stops at the
    filesystem root and after a folder holding .git (the repository's root), so a config
    outside the repository never applies by surprise."""
    folder = Path(start).absolute()
    while True:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists() or folder.parent == folder:
            return None
        folder = folder.parent


# --- loading ---------------------------------------------------------------------------------


def load_config(path: Path | None, overrides: dict | None = None) -> Settings:
    """Resolve the settings of a run.

    path: the config file (from --config or find_config), or None for none.
    overrides: values given on the command line, key -> value (a key of KEYS); None or an
    empty list means "not given". Paths in overrides are relative to the current folder.
    """
    cwd = Path.cwd()
    given = {k: v for k, v in (overrides or {}).items() if v is not None and v not in ((), [])}
    unknown = sorted(set(given) - set(KEYS))
    if unknown:
        raise ValueError(f"unknown override keys: {', '.join(unknown)}")
    layers: list[_Layer] = []
    if given:
        layers.append(_flag_layer(given, cwd))
    top = None
    if path is not None:
        path = Path(path).absolute()
        top = _load_user_file(path, f"file {display_path(path)}", None, _repository_of(path))
        layers.append(top)
    base_dir = path.parent if path is not None else cwd

    # The extends chain: a flag's extends replaces the file's.
    holder = layers[0] if layers and "extends" in layers[0].data else top
    seen = [_identity_of(top)] if top is not None else []
    chain: list[_Layer] = []
    while holder is not None and holder.data.get("extends"):
        holder = _extended(holder, seen)
        chain.append(holder)
    layers += chain
    if not any(layer.profile == DEFAULT for layer in chain):
        layers.append(_profile_layer(DEFAULT, DEFAULT))
    return _resolve(layers, path, base_dir, top)


def _flag_layer(given: dict, cwd: Path) -> _Layer:
    # Command-line values were checked by click (choices, dates, paths); the schema pass that
    # config files get would import jsonschema on every screening.
    data = {k: _plain(v) for k, v in given.items()}
    return _Layer(FLAG, Document(data=data, file="command line"), cwd)


def _plain(value):
    """Command-line values as the schema sees them: tuples as lists, dates and paths as text."""
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def _repository_of(config_file: Path) -> Path:
    from pcd_screen.reports.common import repository_root

    return Path(repository_root(config_file))


def _load_user_file(path: Path, origin: str, profile: str | None, home: Path) -> _Layer:
    doc = yamlload.load_file(path, display_path(path))
    if doc.data is None:
        doc.data = {}  # an empty file: every setting from the profiles
    if not isinstance(doc.data, dict):
        from pcd_screen.core.validation import type_name

        message = f"expected a mapping of settings, got a {type_name(doc.data)}"
        raise LoadError([InputError(doc.file, 1, 1, "", message)])
    errors = validate(doc, "config")
    if errors:
        raise LoadError(errors)
    return _Layer(origin, doc, path.parent, profile, path, home)


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def _profile_layer(name: str, origin: str) -> _Layer:
    # Shipped profiles are checked by the tests; at run time they load without a schema pass.
    file = PROFILES_DIR / f"{name}.yaml"
    data = yamlload.load_trusted(file) or {}
    return _Layer(origin, Document(data=data, file=display_path(file)), PROFILES_DIR, name, file)


def _identity_of(layer: _Layer) -> tuple:
    if layer.source is not None and layer.source.parent == PROFILES_DIR:
        return ("profile", layer.profile)
    return ("file", str(layer.source.resolve()))


def _extended(holder: _Layer, seen: list[tuple]) -> _Layer:
    """The layer that holder's `extends` names; an unknown profile or a cycle is an error."""
    value = holder.data["extends"]
    if value.endswith((".yaml", ".yml")):
        target, problem = holder.place(value, "extends", read=True)
        if problem:
            raise LoadError([holder.error(("extends",), problem)])
        identity = ("file", str(target.resolve()))
        name = display_path(target)
    else:
        names = profile_names()
        if value not in names:
            import difflib  # only on the error path: slow to import

            close = difflib.get_close_matches(value, names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            message = (
                f"unknown profile {value!r} ({hint}profiles: {', '.join(names)}; "
                "a file path must end in .yaml or .yml)"
            )
            raise LoadError([holder.error(("extends",), message)])
        target, identity, name = None, ("profile", value), value
    if identity in seen:
        names = [_identity_label(i) for i in (*seen, identity)]
        message = f"{value!r} makes a cycle: {' -> '.join(names)}"
        raise LoadError([holder.error(("extends",), message)])
    seen.append(identity)
    if target is None:
        return _profile_layer(value, f"profile {value}")
    problem = _file_problem("file", name, target)
    if problem:
        raise LoadError([holder.error(("extends",), problem)])
    return _load_user_file(target, f"profile {name}", name, holder.home)


def _identity_label(identity: tuple) -> str:
    return identity[1] if identity[0] == "profile" else display_path(Path(identity[1]))


def _resolve(layers: list[_Layer], path: Path | None, base_dir: Path, top) -> Settings:
    origin: dict[str, str] = {}
    errors: list[InputError] = []

    def pick(key):
        for layer in layers:
            if key in layer.data:
                origin[key] = layer.origin
                return layer, layer.data[key]
        origin[key] = DEFAULT
        return None, None

    _, extends = pick("extends")
    _, include = pick("include")
    _, exclude = pick("exclude")
    layer, dirs = pick("rule_dirs")
    rule_dirs = []
    for i, value in enumerate(dirs or []):
        folder, problem = layer.place(value, "rule directory", read=True)
        if problem:
            errors.append(layer.error(("rule_dirs", i), problem))
        elif not folder.is_dir():
            errors.append(layer.error(("rule_dirs", i), f"rule directory not found: {value}"))
        rule_dirs.append(folder)
    _, fail_on = pick("fail_on")
    _, lang = pick("lang")
    _, as_of = pick("as_of")
    _, unclear = pick("unclear_as_flag")
    layer, waivers = pick("waivers")
    if layer is None:
        # Not set anywhere: the conventional file next to the config, if there is one.
        default_file = base_dir / WAIVERS_NAME
        waivers_path = default_file if default_file.is_file() else None
        problem = top.place(WAIVERS_NAME, "waivers file", read=True)[1] if top else None
        if waivers_path is not None and problem:  # a link a pull request added
            errors.append(InputError(display_path(default_file), None, None, "", problem))
    elif waivers is None:
        waivers_path = None
    else:
        waivers_path, problem = layer.place(waivers, "waivers file", read=True)
        problem = problem or _file_problem("waivers file", waivers, waivers_path)
        if problem:
            errors.append(layer.error(("waivers",), problem))
    layer, specs = pick("formats")
    formats = []
    for i, spec in enumerate(specs or ["text"]):
        name, _, target = spec.partition("=")
        if not target:
            formats.append((name, None))
            continue
        if layer is None:  # the built-in default names no file; kept for safety
            formats.append((name, Path(os.path.normpath(base_dir / target))))
            continue
        report, problem = layer.place(target, "report path", read=False)
        if problem:
            errors.append(layer.error(("formats", i), problem))
        formats.append((name, report))
    _, help_uri = pick("help_uri")
    layer, names = pick("templates")
    templates = _templates(layer, names or [], errors)
    layer, size = pick("max_file_size")
    max_file_size = None
    if size is not None:
        try:
            max_file_size = parse_size(size)
        except ValueError as exc:
            errors.append(layer.error(("max_file_size",), str(exc)))
    _, max_waiver_days = pick("max_waiver_days")
    _, sarif_waived = pick("sarif_waived")
    rule_layers = [_rule_layer(layer) for layer in layers if "rules" in layer.data]
    origin["rules"] = rule_layers[0].origin if rule_layers else DEFAULT
    if errors:
        raise LoadError(errors)
    return Settings(
        config_file=path,
        base_dir=base_dir,
        extends=extends,
        profiles=[layer.profile for layer in layers if layer.profile is not None],
        include=list(include or []),
        exclude=list(exclude or []),
        rule_layers=rule_layers,
        rule_dirs=rule_dirs,
        fail_on=fail_on or "revise",
        lang=lang or "en",
        as_of=date.fromisoformat(as_of) if as_of else None,
        unclear_as_flag=tuple(s for s in SEVERITIES if s in (unclear or ())),
        waivers=waivers_path,
        formats=formats,
        help_uri=help_uri,
        templates=templates,
        max_file_size=max_file_size,
        max_waiver_days=max_waiver_days or 365,
        sarif_waived=sarif_waived or "omit",
        origin=dict(sorted(origin.items())),
    )


def _file_problem(what: str, name: str, path: Path) -> str | None:
    """Why a file the settings name cannot be read ("waivers file not found: w.yaml", "waivers
    file w.yaml: it is a FIFO (named pipe), not a regular file"), or None: found before
    anything is screened, in the words the reader (yamlread.open_input) would use."""
    problem = yamlload.not_regular(path)
    if problem:
        return f"{what} {name}: {problem}"
    return None if path.is_file() else f"{what} not found: {name}"


def _templates(layer: _Layer | None, names: list[str], errors: list) -> list[Path]:
    """The report templates, relative to the file that names them; at most one per format."""
    if not names:
        return []  # most runs: the template module (a dataclass, regexes) is not imported
    from pcd_screen.reports.usertemplate import NAMING, format_of

    found: dict[str, str] = {}
    paths = []
    for i, name in enumerate(names):
        path, escape = layer.place(name, "template", read=True)
        fmt = format_of(name)
        if escape:
            message = escape
        elif fmt is None:
            message = f"cannot tell which report the template writes: {NAMING}"
        elif fmt in found:
            message = f"a second {fmt} template (the first is {found[fmt]})"
        elif problem := _file_problem("template", name, path):
            message = problem
        else:
            found[fmt] = name
            paths.append(path)
            continue
        if layer.origin == FLAG:
            errors.append(InputError(layer.doc.file, None, None, f"--template {name}", message))
        else:
            errors.append(layer.error(("templates", i), message))
    return paths


_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?) ?(?:([kmg])(i?))?b?", re.IGNORECASE)


def parse_size(value) -> int:
    """Bytes from 1048576, "20 MB" (decimal) or "512 KiB" (binary); ValueError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    else:
        match = _SIZE.fullmatch(str(value).strip())
        if not match:
            raise ValueError(f"{value!r} is not a size such as 1048576, '20 MB' or '512 KiB'")
        number, prefix, binary = match.groups()
        power = "kmg".index(prefix.lower()) + 1 if prefix else 0
        size = int(float(number) * (1024 if binary else 1000) ** power)
    if size < 1:
        raise ValueError(f"{value!r}: the size must be at least 1 byte")
    return size


def _rule_layer(layer: _Layer) -> RuleLayer:
    section = layer.data["rules"] or {}

    def entry(path: tuple, value: str, severity=None) -> RuleEntry:
        line, column = layer.doc.position_of(path)
        shown = "rules.severity." + value if severity else format_path(path)
        return RuleEntry(value, layer.origin, layer.doc.file, line, column, shown, severity)

    return RuleLayer(
        origin=layer.origin,
        disable=tuple(
            entry(("rules", "disable", i), v) for i, v in enumerate(section.get("disable") or [])
        ),
        enable=tuple(
            entry(("rules", "enable", i), v) for i, v in enumerate(section.get("enable") or [])
        ),
        severity=tuple(
            entry(("rules", "severity", k), k, s)
            for k, s in (section.get("severity") or {}).items()
        ),
        keys=frozenset(section),
    )


# --- the effect on the catalogue -------------------------------------------------------------


def apply_rule_settings(ruleset, settings: Settings):
    """A new Ruleset: disabled rules removed, severities overridden, hash updated.

    For each rule the nearest layer that names it (by id or principle) decides whether it runs;
    within a layer an id beats a principle and enable beats disable. An unknown rule id in any
    layer is an error naming its file, line and field. The input ruleset is not changed.
    """
    from pcd_screen.engine.ruleset import Ruleset

    known = sorted(rule.id for rule in ruleset.rules)
    errors = []
    for layer in settings.rule_layers:
        for entry in (*layer.disable, *layer.enable, *layer.severity):
            if entry.is_rule_id and entry.value not in known:
                import difflib

                close = difflib.get_close_matches(entry.value, known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                message = f"unknown rule id {entry.value!r}{hint}; see `pcd-screen rules list`"
                errors.append(
                    InputError(entry.file, entry.line, entry.column, entry.field, message)
                )
    if errors:
        raise LoadError(errors)
    kept, disabled, severities = [], [], {}
    for rule in ruleset.rules:
        if not _runs(rule, settings.rule_layers):
            disabled.append(rule.id)
            continue
        severity = _severity_of(rule, settings.rule_layers)
        if severity != rule.severity:
            severities[rule.id] = severity
            rule = replace(rule, severity=severity, raw={**rule.raw, "severity": severity})
        kept.append(rule)
    digest = ruleset.hash
    if disabled or severities:
        effective = json.dumps(
            {"disabled": sorted(disabled), "severity": severities},
            sort_keys=True,
            separators=(",", ":"),
        )
        digest = sha256((ruleset.hash + effective).encode()).hexdigest()[:16]
    return Ruleset(kept, ruleset.lexicon, ruleset.sources, digest, list(ruleset.directories))


def _runs(rule, layers) -> bool:
    for layer in layers:
        enabled = {e.value for e in layer.enable}
        disabled = {e.value for e in layer.disable}
        for name in (rule.id, rule.principle):
            if name in enabled:
                return True
            if name in disabled:
                return False
    return True


def _severity_of(rule, layers) -> str:
    for layer in layers:
        for entry in layer.severity:
            if entry.value == rule.id:
                return entry.severity
    return rule.severity


# --- the session these settings screen with ------------------------------------------------


class SessionProblem(Exception):
    """The rules, waivers or rule settings cannot be used; the message names file and line."""


def open_session(settings: Settings, ruleset=None):
    """The screening session of a run: the catalogue (and the settings' extra rule folders)
    with the rule settings applied, the reference data, the waivers and the verdict policy.
    `ruleset` is a catalogue already loaded (batch loads it once, before its workers)."""
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.ruleset import load_ruleset
    from pcd_screen.engine.session import Session

    try:
        catalogue = ruleset if ruleset is not None else load_ruleset(settings.rule_dirs)
    except LoadError as exc:
        raise SessionProblem(f"invalid rules:\n{exc}") from None
    waivers, notes = None, []
    if settings.waivers is not None:
        from pcd_screen.engine.waivers import load_waivers, unknown_rule_notes

        try:
            waivers = load_waivers(settings.waivers, max_days=settings.max_waiver_days)
        except LoadError as exc:
            raise SessionProblem(f"invalid waivers:\n{exc}") from None
        # Against the whole catalogue: a waiver for a rule the config disables is stale too.
        notes = unknown_rule_notes(waivers, [rule.id for rule in catalogue.rules])
    try:
        effective = apply_rule_settings(catalogue, settings)
    except LoadError as exc:
        raise SessionProblem(f"invalid configuration:\n{exc}") from None
    return Session(
        effective,
        load_refdata(),
        settings.as_of or date.today(),
        settings.lang,
        tuple(settings.unclear_as_flag),
        waivers,
        notes=notes,
    )


# --- showing ---------------------------------------------------------------------------------


def show(settings: Settings) -> str:
    """The effective settings, one per line, each followed by where it came from. The text is
    YAML: values are JSON flow values, origins are comments."""
    lines = ["# pcd-screen settings in effect; after each value, where it came from"]
    where = "none (built-in defaults)"
    if settings.config_file:
        where = display_path(settings.config_file)
    lines.append(f"# config file: {where}")
    lines.append(f"# profiles: {' > '.join(settings.profiles)}")
    lines.append(f"# globs are relative to: {display_path(settings.base_dir)}")

    def add(text: str, origin: str) -> None:
        lines.append(f"{text:<56}  # {origin}")

    def value(key: str, shown) -> None:
        add(f"{key}: {json.dumps(shown, ensure_ascii=False)}", settings.origin.get(key, DEFAULT))

    def set_by(name: str) -> str:
        layer = next((layer for layer in settings.rule_layers if name in layer.keys), None)
        return layer.origin if layer else DEFAULT

    value("extends", settings.extends)
    value("include", settings.include)
    value("exclude", settings.exclude)
    lines.append("rules:")
    for name in ("disable", "enable"):
        entries = [e for layer in settings.rule_layers for e in getattr(layer, name)]
        if not entries:
            add(f"  {name}: []", set_by(name))
            continue
        lines.append(f"  {name}:")
        for entry in entries:
            add(f"    - {entry.value}", entry.origin)
    overrides: dict[str, RuleEntry] = {}
    for layer in settings.rule_layers:
        for entry in layer.severity:
            overrides.setdefault(entry.value, entry)
    if not overrides:
        add("  severity: {}", set_by("severity"))
    else:
        lines.append("  severity:")
        for rule_id in sorted(overrides):
            add(f"    {rule_id}: {overrides[rule_id].severity}", overrides[rule_id].origin)
    value("rule_dirs", [display_path(p) for p in settings.rule_dirs])
    value("fail_on", settings.fail_on)
    value("lang", settings.lang)
    value("as_of", settings.as_of.isoformat() if settings.as_of else None)
    value("unclear_as_flag", list(settings.unclear_as_flag))
    value("waivers", display_path(settings.waivers) if settings.waivers else None)
    value("formats", [n + (f"={display_path(p)}" if p else "") for n, p in settings.formats])
    value("help_uri", settings.help_uri)
    value("templates", [display_path(p) for p in settings.templates])
    value("max_file_size", settings.max_file_size)
    value("max_waiver_days", settings.max_waiver_days)
    value("sarif_waived", settings.sarif_waived)
    return "\n".join(lines) + "\n"
