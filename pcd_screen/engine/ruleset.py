"""Load, validate and compile the rule catalogue (rules/*.yaml plus any extra directories).

A rule file that is not valid is an error naming file, line, rule id and field; nothing is
silently skipped. The ruleset hash covers rules, lexicons and concept frames, so a report can
be audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pcd_screen.core import yamlread as yamlload
from pcd_screen.core.digest import sha256
from pcd_screen.core.i18n import pick
from pcd_screen.core.located import Document, InputError, LoadError, format_path
from pcd_screen.core.paths import DATA_DIR, FRAMES_FILE, RULES_DIR, SCHEMA_DIR
from pcd_screen.core.schemas import format_checker
from pcd_screen.engine.conditions import ConditionError, Node, compile_condition, condition_schema
from pcd_screen.engine.lexicon import Lexicon

# Every text a report shows exists in each of these languages (`rules validate` checks it).
LANGUAGES = ("en", "nl", "fr")


# repr=False: a dataclass's generated methods are compiled at every import (start-up).
@dataclass(repr=False, eq=False)
class Rule:
    id: str
    principle: str
    severity: str
    kind: str
    title: dict
    message: dict
    rationale: dict
    recommendation: dict
    flag_when: Node
    applies_when: Node | None
    sources: list[dict]
    references: list[dict]
    # The rule's fixtures; None while they are not read: the bundle keeps them apart from the
    # rules (a screening never needs them), and fixtures() reads them on first use.
    tests: list[dict] | None
    raw: dict
    file: str
    line: int | None
    scope: str = "proposal"  # or "portfolio": evaluated once on a batch run's figures
    source: Path | None = None  # the rule file, where fixtures() finds the tests
    # What the engine works out once per language rather than per proposal (engine.py).
    cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def text(self, name: str, lang: str) -> str:
        return pick(getattr(self, name), lang)

    def fixtures(self) -> list[dict]:
        if self.tests is None:
            self.tests = _file_tests(self.source).get(self.id, [])
        return self.tests


@lru_cache(maxsize=64)
def _file_tests(path: Path | None) -> dict:
    """Rule id -> tests of one rule file: the bundle's entry for them, or the file itself."""
    if path is None:
        return {}
    tests = yamlload.load_trusted_part(path, "tests")
    if tests is None:
        items = yamlload.parse_trusted(Path(path).read_bytes())
        items = items.get("rules", []) if isinstance(items, dict) else items or []
        tests = {r.get("id"): r.get("tests", []) for r in items if isinstance(r, dict)}
    return tests


class Ruleset:  # a plain class, not a dataclass: made at import on every run (bench/README.md)
    def __init__(
        self, rules: list[Rule], lexicon: Lexicon, sources: dict, hash: str, directories=None
    ):
        self.rules = rules
        self.lexicon = lexicon
        self.sources = sources
        self.hash = hash
        self.directories: list[str] = directories or []

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


class RuleError(LoadError):
    """Invalid rule files; str() lists every problem as FILE:LINE:COL: RULE-ID: field: message."""


@lru_cache(maxsize=1)
def rule_schema() -> dict:
    with open(SCHEMA_DIR / "rule.schema.json", encoding="utf-8") as handle:
        schema = json.load(handle)
    schema["$defs"]["condition"] = condition_schema()
    schema["properties"]["sources"]["items"]["properties"]["doc"]["enum"] = sorted(load_sources())
    return schema


@lru_cache(maxsize=1)
def _rule_validator():
    import jsonschema

    schema = rule_schema()
    return jsonschema.validators.validator_for(schema)(schema, format_checker=format_checker())


@lru_cache(maxsize=1)
def load_sources() -> dict:
    """The source registry: the five policy documents, their sections and paraphrases."""
    return yamlload.load_trusted(DATA_DIR / "sources.yaml") or {}


@lru_cache(maxsize=1)
def load_lexicon() -> tuple[Lexicon, str]:
    """Concept -> phrases of every language, and a digest of the lexicon files."""
    phrases: dict[str, list[str]] = {}
    # Each phrase's folded words, as the bundle ships them (lexicon.lexicon_words); a concept
    # of a file without them (edited since the bundle was built) is folded on first use.
    folded: dict[str, list] | None = {}
    paths = _lexicon_files()
    for path in paths:
        data, words = yamlload.load_trusted_derived(path)
        for concept, entries in (data or {}).items():
            phrases.setdefault(concept, []).extend(entries or [])
            if folded is not None and words is not None and concept in words:
                folded.setdefault(concept, []).extend(words[concept])
            else:
                folded = None  # a file without them: every concept folded at run time
    digest = yamlload.bundled_digest("lexicons", paths) or files_digest(paths)
    # The phrase index of all of them, as the bundle ships it (Lexicon.shipped_index): used
    # while every lexicon file is as the bundle has it, as the folded words are.
    index = yamlload.bundled_derived("lexicon-index", paths) if folded is not None else None
    return Lexicon(phrases, folded, index), digest


def files_digest(paths, seed: str = "") -> str:
    """SHA-256 over a seed and each file's name and bytes: the lexicons' digest, and with the
    lexicons' digest as seed, the catalogue's (a report's ruleset hash is its first 16 digits).
    scripts/compile_data.py works both out for the shipped files."""
    digest = sha256(seed.encode())
    for path in paths:
        digest.update(path.name.encode() + b"\0" + Path(path).read_bytes())
    return digest.hexdigest()


def describe_source(source: dict, registry: dict, lang: str) -> dict:
    """{doc, section} plus the document's short title, the section's paraphrase and its anchor
    in the reader's language."""
    entry = registry.get(source["doc"], {})
    section = (entry.get("sections") or {}).get(source["section"]) or {}
    if section.get("alias_of"):
        section = entry["sections"].get(section["alias_of"], section)
    titles = entry.get("short_title") or entry.get("title") or {}
    described = {"doc": source["doc"], "section": source["section"]}
    if titles:
        described["title"] = pick(titles, lang)
    if section.get(lang) or section.get("en"):
        described["summary"] = pick(section, lang)
    # The section's anchor in the reader's language ("note 13", "voetnoot 13", "Vision").
    anchor = section.get("anchor")
    if anchor:
        described["anchor"] = pick(anchor, lang)
    if entry.get("authority"):
        described["authority"] = entry["authority"]
    return described


def missing_translations(ruleset: Ruleset) -> list[InputError]:
    """Rule texts not written in every language: `rules validate` refuses them. (Screening
    with an organisation's English-only rules still works; reports fall back to English.)"""
    problems = []
    for rule in ruleset.rules:
        for name in ("title", "message", "rationale", "recommendation"):
            for lang in LANGUAGES:
                if not getattr(rule, name).get(lang):
                    where = f"{rule.id}: {name}"
                    problems.append(
                        InputError(rule.file, rule.line, None, where, f"no {lang} text")
                    )
    return problems


def rule_files(directory) -> list[Path]:
    directory = Path(directory)
    if not directory.is_dir():
        raise RuleError([InputError(str(directory), None, None, "", "rule directory not found")])
    # Every *.yaml is read: one that is not a regular file (a FIFO, a device, a folder, a broken
    # link) is an error naming it when it is read (yamlread.open_input), never silently skipped.
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))


def load_ruleset(extra_dirs=(), validate: bool | None = None, builtin: bool = True) -> Ruleset:
    """Load the built-in catalogue plus extra rule directories.

    Built-in rules are checked against the schema by `rules validate` and the tests; at screening
    time only extra (user) directories are schema-checked, which keeps start-up fast.
    """
    dirs = ([RULES_DIR] if builtin else []) + [Path(d) for d in extra_dirs]
    lexicon, lexicon_digest = load_lexicon()
    sources = load_sources()
    rules: list[Rule] = []
    errors: list[InputError] = []
    hashed: list[Path] = []
    seen: dict[str, str] = {}
    for index, directory in enumerate(dirs):
        check = validate if validate is not None else (index > 0 or not builtin)
        for path in rule_files(directory):
            hashed.append(path)
            try:
                doc = _load_rule_file(path, fast=not check)
            except LoadError as exc:
                errors += exc.errors
                continue
            found: list[InputError] = []
            # A shipped file read as the bundle has it, with the lexicons as shipped, was checked
            # when the bundle was built (and by the tests): its rules' sources, concepts and
            # scope are not checked again (about 0.5 % of a screening's instructions).
            shipped = not check and _as_shipped(path)
            rules_here = list(_rules_in(doc, check, sources, lexicon, found, path, shipped))
            if found and not check:
                # Reload with positions so that every message names its line.
                found = []
                rules_here = list(
                    _rules_in(_load_rule_file(path, False), True, sources, lexicon, found, path)
                )
            errors += found
            for rule in rules_here:
                if rule.id in seen:
                    errors.append(
                        InputError(
                            rule.file,
                            rule.line,
                            None,
                            f"{rule.id}: id",
                            f"duplicate rule id (also in {seen[rule.id]})",
                        )
                    )
                    continue
                seen[rule.id] = rule.file
                rules.append(rule)
    if errors:
        raise RuleError(errors)
    rules.sort(key=lambda r: r.id)
    # The shipped catalogue's digest comes with the bundle while every file of it is unchanged
    # (hashing them again was about 2 % of a screening's instructions): only when this call
    # read them all through the bundle, which checked them (validating reads them afresh).
    # The concept frames decide findings as the rules do, so the hash covers them; they are
    # read here (through the bundle, as the text layer reads them anyway) to be checked.
    from pcd_screen.engine.text.frames import frames

    frames()
    hashed.append(FRAMES_FILE)
    digest = None
    if dirs == [RULES_DIR] and not validate:
        digest = yamlload.bundled_digest("catalogue", [*_lexicon_files(), *hashed])
    digest = digest or files_digest(hashed, lexicon_digest)
    return Ruleset(rules, lexicon, sources, digest[:16], [str(d) for d in dirs])


def _as_shipped(path: Path) -> bool:
    return all(map(yamlload.read_unchanged, [path, *_lexicon_files()]))


def _lexicon_files() -> list[Path]:
    return sorted((DATA_DIR / "lexicons").glob("*.yaml"))


def _load_rule_file(path: Path, fast: bool) -> Document:
    """Shipped rules load with the C parser alone; positions are kept when rules are checked."""
    if fast:
        return Document(data=yamlload.load_trusted(path), file=_display(path))
    return yamlload.load_file(path, _display(path))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _rules_in(
    doc: Document,
    check: bool,
    sources,
    lexicon,
    errors: list[InputError],
    rule_file=None,
    shipped: bool = False,
):
    items, base = doc.data, ()
    if isinstance(items, dict) and "rules" in items:
        items, base = items["rules"], ("rules",)
    if not isinstance(items, list):
        errors.append(InputError(doc.file, 1, 1, "", "a rule file holds a list of rules"))
        return
    for index, raw in enumerate(items):
        path = (*base, index)
        line = doc.line_of(path)
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        label = str(rule_id or f"rule #{index + 1}")
        if not isinstance(raw, dict):
            errors.append(InputError(doc.file, line, None, label, "a rule must be a mapping"))
            continue
        if check:
            from pcd_screen.core.validation import schema_errors

            found = schema_errors(_rule_validator(), doc, instance=raw, base=path, label=label)
            if found:
                errors += found
                continue
        rule = _compile(raw, doc, path, label, sources, lexicon, errors, rule_file, shipped)
        if rule is not None:
            yield rule


def _compile(
    raw, doc, path, label, sources, lexicon, errors, rule_file=None, shipped=False
) -> Rule | None:
    line = doc.line_of(path)
    problems: list[InputError] = []

    def fail(field_path, message):
        fp = tuple(field_path)
        problems.append(
            InputError(
                doc.file, doc.line_of((*path, *fp)), None, f"{label}: {format_path(fp)}", message
            )
        )

    compiled = {}
    for key in ("applies_when", "flag_when"):
        if key not in raw:
            continue
        try:
            compiled[key] = compile_condition(raw[key])
        except ConditionError as exc:
            fail((key,), str(exc))
    if not shipped:
        _check_fields(raw, sources, lexicon, compiled, fail)
    if problems:
        errors += problems
        return None
    return _rule(raw, doc, compiled, line, rule_file)


def _check_fields(raw, sources, lexicon, compiled, fail) -> None:
    """What a rule must have and may name: its fields, sources, lexicon concepts, scope."""
    for missing in (
        "id",
        "principle",
        "severity",
        "kind",
        "flag_when",
        "sources",
        "title",
        "message",
    ):
        if missing not in raw:
            fail((), f"required field {missing!r} is missing")
    for i, source in enumerate(raw.get("sources") or []):
        doc_key = source.get("doc") if isinstance(source, dict) else None
        if doc_key not in sources:
            known = ", ".join(sorted(sources))
            fail(("sources", i, "doc"), f"unknown source {doc_key!r}; known: {known}")
        elif source.get("section") not in (sources[doc_key].get("sections") or {}):
            labels = ", ".join(repr(s) for s in sources[doc_key].get("sections") or {})
            section = source.get("section")
            fail(
                ("sources", i, "section"), f"{doc_key} has no section {section!r}; known: {labels}"
            )
    for concept in _concepts(raw.get("flag_when")) | _concepts(raw.get("applies_when")):
        if concept not in lexicon:
            fail(("flag_when",), f"mentions unknown lexicon concept {concept!r}")
    _check_scope(raw, compiled, fail)


def _rule(raw, doc, compiled, line, rule_file) -> Rule:
    return Rule(
        id=raw["id"],
        principle=raw["principle"],
        severity=raw["severity"],
        kind=raw["kind"],
        title=raw["title"],
        message=raw["message"],
        rationale=raw.get("rationale", {}),
        recommendation=raw.get("recommendation", {}),
        flag_when=compiled["flag_when"],
        applies_when=compiled.get("applies_when"),
        sources=raw["sources"],
        references=raw.get("references", []),
        tests=raw.get("tests") if "tests" in raw or rule_file is None else None,
        scope=raw.get("scope", "proposal"),
        source=rule_file,
        raw=raw,
        file=doc.file,
        line=line,
    )


def _check_scope(raw, compiled, fail) -> None:
    """A portfolio rule looks only at portfolio facts; a proposal rule never does."""
    from pcd_screen.engine.facts import FACT_NAMES, PORTFOLIO_FACT_DOCS

    portfolio = raw.get("scope") == "portfolio"
    allowed = set(PORTFOLIO_FACT_DOCS) if portfolio else set(FACT_NAMES)
    for key, node in compiled.items():
        for name in sorted(node.facts_used() - allowed):
            kind = "a proposal" if portfolio else "a portfolio"
            fail(
                (key,),
                f"fact {name!r} is {kind} fact; this rule has scope {raw.get('scope', 'proposal')}",
            )
        if portfolio and _paths_in(raw.get(key)):
            fail((key,), "a portfolio rule looks at portfolio facts only, not at proposal fields")
    for index, test in enumerate(raw.get("tests") or []):
        if portfolio != ("facts" in test):
            want = "facts" if portfolio else "proposal"
            fail(("tests", index), f"a test of this rule gives its {want}")


def _paths_in(node) -> bool:
    if isinstance(node, dict):
        return any(k in ("path", "share", "count") for k in node) or any(
            _paths_in(v) for v in node.values()
        )
    return isinstance(node, list) and any(_paths_in(v) for v in node)


def _concepts(node) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("mentions"), list):
            found |= {c for c in node["mentions"] if isinstance(c, str)}
        for value in node.values():
            found |= _concepts(value)
    elif isinstance(node, list):
        for value in node:
            found |= _concepts(value)
    return found
