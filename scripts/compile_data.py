"""Pre-parse the package's YAML data (rules, lexicons, reference data) into one bundle.

Usage: python scripts/compile_data.py [--check]
The bundle only speeds up start-up: an entry whose YAML changed is ignored at run time.
--check exits 1 if the bundle is missing an entry or out of date (its entries are compared as
data: marshal's bytes may differ between Python versions for the same data).
"""

from __future__ import annotations

import json
import marshal
import sys
from pathlib import Path

from pcd_screen.core.paths import DATA_DIR, FRAMES_FILE, RULES_DIR
from pcd_screen.core.yamlread import (
    BUNDLE,
    BUNDLE_FORMAT,
    _bundle,
    bundle_key,
    file_digest,
    parse_trusted,
)
from pcd_screen.engine.lexicon import Lexicon, lexicon_words
from pcd_screen.engine.ruleset import files_digest, rule_files
from pcd_screen.engine.text.frames import lexeme_index

# What every run would otherwise work out again from a file's data, by the folder the file is
# in: kept in the file's entry as "derived" (yamlread.load_trusted_derived), under the same
# digest, so it is never used for a file edited since.
DERIVED = {
    "data/lexicons": lambda _key, data: lexicon_words(data),  # each phrase folded into words
    "data/frames": lambda key, data: frame_index(key, data),  # the matcher's lexeme index
}


def frame_index(key: str, table: dict) -> dict | None:
    """Beside a language's form table, the frame matcher's lexeme index for that language
    (engine.text.frames.lexeme_index), built from frames.yaml and the table."""
    name = key.rpartition("/")[2]
    if not name.startswith("forms-"):
        return None
    frames = parse_trusted((DATA_DIR / "frames" / "frames.yaml").read_bytes()) or {}
    # As a run reads frames.yaml from the bundle: its keys sorted, which orders the roles a
    # lexeme belongs to.
    frames = json.loads(json.dumps(frames, sort_keys=True))
    return lexeme_index(frames, table, name.removeprefix("forms-").removesuffix(".yaml"))


def sources() -> list[Path]:
    files = sorted(RULES_DIR.glob("*.yaml")) + sorted(DATA_DIR.glob("*.yaml"))
    files += sorted((DATA_DIR / "lexicons").glob("*.yaml"))
    files += sorted((DATA_DIR / "frames").glob("*.yaml"))
    return files + sorted((DATA_DIR / "profiles").glob("*.yaml"))


def split_tests(data):
    """A rule file's data without its rules' tests, and {"tests": the tests by rule id}: a
    screening never reads them (a fifth of the catalogue's JSON)."""
    items = data.get("rules", []) if isinstance(data, dict) else data or []
    tests = {r["id"]: r["tests"] for r in items if isinstance(r, dict) and "tests" in r}
    kept = [{k: v for k, v in r.items() if k != "tests"} for r in items]
    return ({**data, "rules": kept} if isinstance(data, dict) else kept), {"tests": tests}


def split_frames(data):
    """frames.yaml whole, and its frame definitions, role_not_inside and named_concepts apart: a
    run with the shipped lexeme index needs only those (engine.text.frames), not the lexemes."""
    data = data or {}
    parts = ("frames", "role_not_inside", "named_concepts")
    return data, {name: data.get(name) or {} for name in parts}


# What the bundle keeps in entries of its own ("KEY#PART", yamlread.load_trusted_part), by the
# folder or the file: each function gives the data left in the file's entry and the parts.
PARTS = {
    "rules": split_tests,
    "data/frames/frames.yaml": split_frames,
}


def bundle_entries() -> dict:
    entries = {}
    for path in sources():
        raw = path.read_bytes()
        key = bundle_key(path)
        entry = {"digest": file_digest(raw), "data": parse_trusted(raw)}
        split = PARTS.get(key) or PARTS.get(key.rpartition("/")[0])
        if split is not None:
            entry["data"], parts = split(entry["data"])
            for name, part in parts.items():
                entries[f"{key}#{name}"] = {"digest": entry["digest"], "data": part}
        derive = DERIVED.get(key.rpartition("/")[0])
        derived = derive(key, entry["data"] or {}) if derive is not None else None
        if derived is not None:
            entry["derived"] = derived
        entries[key] = entry
    entries["digests"] = digests()
    entries["lexicon-index"] = lexicon_index()
    # Each entry as a run had it from JSON (keys sorted, lists for tuples, string keys): the
    # same data whatever objects building it shared.
    return {key: json.loads(json.dumps(entries[key], sort_keys=True)) for key in sorted(entries)}


def layout(entries: dict) -> bytes:
    """A first line of JSON naming the format and indexing the entries (where each entry's
    marshal data is, in bytes from the start of the second line), then the entries one after
    another: a run loads only the entries it uses (yamlread._bundle)."""
    blobs, spans, at = [], {}, 0
    for key in sorted(entries):
        blob = marshal.dumps(entries[key], 4)
        spans[key] = [at, at + len(blob)]
        blobs.append(blob)
        at += len(blob)
    head = json.dumps({"format": BUNDLE_FORMAT, "index": spans}, sort_keys=True)
    return head.encode() + b"\n" + b"".join(blobs)


def digests() -> dict:
    """The digests a run would otherwise work out over several files (engine.ruleset): of the
    lexicons, and of the shipped catalogue (the ruleset hash of reports), with the files they
    cover; yamlread.bundled_digest uses them while each of those files is unchanged."""
    lexicons = sorted((DATA_DIR / "lexicons").glob("*.yaml"))
    rules = [*rule_files(RULES_DIR), FRAMES_FILE]  # the concept frames decide findings too
    lexicon_digest = files_digest(lexicons)
    return {
        "lexicons": {"files": [bundle_key(p) for p in lexicons], "digest": lexicon_digest},
        "catalogue": {
            "files": [bundle_key(p) for p in lexicons + rules],
            "digest": files_digest(rules, lexicon_digest),
        },
    }


def lexicon_index() -> dict:
    """The lexicons' phrase index (Lexicon.shipped_index), over their phrases merged as
    engine.ruleset.load_lexicon merges them; a run uses it while each file is unchanged
    (yamlread.bundled_derived)."""
    lexicons = sorted((DATA_DIR / "lexicons").glob("*.yaml"))
    phrases: dict[str, list[str]] = {}
    for path in lexicons:
        # As a run reads each file from the bundle: its keys sorted, which orders the concepts.
        data = json.loads(json.dumps(parse_trusted(path.read_bytes()) or {}, sort_keys=True))
        for concept, entries in data.items():
            phrases.setdefault(concept, []).extend(entries or [])
    return {"files": [bundle_key(p) for p in lexicons], "data": Lexicon(phrases).shipped_index()}


def main(argv: list[str]) -> int:
    entries = bundle_entries()
    if "--check" in argv:
        shipped = _bundle()
        if set(shipped.keys()) != set(entries) or any(
            shipped.get(key) != entry for key, entry in entries.items()
        ):
            print(
                f"{BUNDLE} is out of date: run make data (python scripts/compile_data.py)",
                file=sys.stderr,
            )
            return 1
        return 0
    data = layout(entries)
    BUNDLE.write_bytes(data)
    print(f"wrote {BUNDLE} ({len(data)} bytes, {len(sources())} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
