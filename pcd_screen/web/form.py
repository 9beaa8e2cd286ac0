"""The guided form, generated from the proposal schema and the vocabularies: every field with
its question in the officer's language, the terms of its vocabulary with their definitions,
"don't know" everywhere (an answer left open stays null, never "no"), and where in the document
a pre-filled value was found. And back: the form's fields -> proposal data.

Field names are paths: "budget.total", "activities.0.category", "results.1.indicators.0.name".
"""

from __future__ import annotations

import math
from functools import lru_cache

from pcd_screen.core.formatting import field_label, label
from pcd_screen.core.schemas import load_schema
from pcd_screen.core.vocabularies import definition, terms

# Not in the form: the format version, and what the document gave as text (shown apart).
HIDDEN = {"schema_version", "sections", "risks"}
LONG_TEXT = {"summary", "description", "text", "statement"}
EXTRA_ROWS = 1  # empty rows offered after the items of a list
MAX_LIST_ITEMS = 200  # rows a posted list may have (activities, results, ...): more is refused
UNKNOWN = ""  # the value of every "don't know" choice


@lru_cache(maxsize=1)
def _schema() -> dict:
    return load_schema("proposal")


def _resolve(prop: dict) -> dict:
    """The schema of a value, without the null that "unknown" adds and with $ref followed."""
    defs = _schema()["$defs"]
    if "anyOf" in prop:
        branches = [b for b in prop["anyOf"] if b != {"type": "null"}]
        if len(branches) == 1:
            prop = {**prop, **branches[0]}
            prop.pop("anyOf")
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return {**defs[name], "x-def": name, **{k: v for k, v in prop.items() if k != "$ref"}}
    return prop


def _type(prop: dict) -> str | None:
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind


def _vocabulary(prop: dict) -> str | None:
    return prop.get("x-vocabulary") or (
        "gender_marker" if prop.get("enum") and 2 in prop.get("enum", []) else None
    )


def _get(data, path):
    node = data
    for key in path:
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        else:
            return None
    return node


def build(data: dict, labels: dict, lang: str, countries: list, question) -> list[dict]:
    """The form as a tree of dicts for the template (see templates/workbench.html.j2)."""
    schema = _schema()
    return [
        _field((name,), schema["properties"][name], data, labels, lang, countries, question)
        for name in schema["properties"]
        if name not in HIDDEN
    ]


def _field(path, prop, data, labels, lang, countries, question) -> dict:
    prop = _resolve(prop)
    name = ".".join(str(p) for p in path)
    key = path[-1] if not isinstance(path[-1], int) else path[-2]
    value = _get(data, path)
    out = {
        "name": name,
        "key": str(key),
        "label": field_label(str(key), lang),
        "question": question(generic_path(path)),
        "source": _label(labels, path) if value not in (None, [], {}) else None,
        "value": value,
    }
    kind = _type(prop)
    if prop.get("x-def") == "safeguard":
        done = value.get("done") if isinstance(value, dict) else value
        reference = value.get("reference") if isinstance(value, dict) else None
        help_text = definition("safeguards", key, lang)
        return {
            **out,
            "kind": "safeguard",
            "done": done,
            "reference": reference or "",
            "help": help_text,
        }
    if prop.get("x-def") == "country_code" or (key == "code" and "countries" in path):
        return {**out, "kind": "select", "options": [(c, n, "") for c, n in countries]}
    vocabulary = _vocabulary(prop)
    if "enum" in prop and vocabulary:
        options = [
            (str(t), label(vocabulary, t, lang), definition(vocabulary, t, lang))
            for t in prop["enum"]
            if t is not None
        ]
        return {
            **out,
            "kind": "select",
            "options": options,
            "value": "" if value is None else str(value),
        }
    if kind == "boolean":
        return {**out, "kind": "tri"}
    if kind == "object":
        children = [
            _field((*path, child), sub, data, labels, lang, countries, question)
            for child, sub in prop.get("properties", {}).items()
        ]
        return {**out, "kind": "group", "children": children}
    if kind == "array":
        items = _resolve(prop.get("items", {}))
        vocabulary = _vocabulary(items)
        if "enum" in items and vocabulary:
            options = [
                (t, label(vocabulary, t, lang), definition(vocabulary, t, lang))
                for t in terms(vocabulary)
            ]
            return {**out, "kind": "multi", "options": options, "value": value or []}
        if _type(items) == "object":
            existing = len(value) if isinstance(value, list) else 0
            rows = []
            for index in range(existing + EXTRA_ROWS):
                rows.append(
                    [
                        _field((*path, index, child), sub, data, labels, lang, countries, question)
                        for child, sub in items.get("properties", {}).items()
                    ]
                )
            none = isinstance(value, list) and not value
            return {**out, "kind": "rows", "rows": rows, "existing": existing, "none": none}
        return {**out, "kind": "list", "value": ", ".join(map(str, value or []))}
    if prop.get("format") == "date":
        return {**out, "kind": "date", "value": value or ""}
    if kind in ("number", "integer") or (
        isinstance(prop.get("type"), list) and "number" in prop["type"]
    ):
        return {**out, "kind": "number", "value": "" if value is None else value}
    if key in LONG_TEXT:
        return {**out, "kind": "textarea", "value": value or ""}
    return {**out, "kind": "text", "value": "" if value is None else str(value)}


def generic_path(path) -> str:
    out = ""
    for part in path:
        out += "[*]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _label(labels: dict, path) -> str | None:
    path = tuple(path)
    while path:
        if path in labels:
            return labels[path]
        path = path[:-1]
    return None


# --- back: the form -> proposal data ----------------------------------------------------------


class TooManyItems(ValueError):
    """A posted list with more rows than MAX_LIST_ITEMS (the message names the list)."""


def parse(form, data: dict) -> dict:
    """The proposal data the answers give: the form's fields replace what the form shows, the
    rest of `data` (document sections, risk table, extensions) is kept. An empty answer is
    unknown: the field is left out. TooManyItems when a list has more than MAX_LIST_ITEMS rows."""
    schema = _schema()
    rows = _row_numbers(form)
    out = {k: v for k, v in data.items() if k in HIDDEN or k.startswith("x-")}
    out["schema_version"] = 1
    for name, prop in schema["properties"].items():
        if name in HIDDEN:
            continue
        value = _read((name,), prop, form, rows)
        if value is not None:
            out[name] = value
    return out


def _row_numbers(form) -> dict[str, set[int]]:
    """list field -> the row numbers the form has for it ("results.1.indicators" -> {0, 1}), in
    one pass over the fields (looking for each row among all the fields was quadratic: 5,000
    rows blocked the server for seconds)."""
    rows: dict[str, set[int]] = {}
    for key in form:
        parts = key.split(".")
        for position in range(1, len(parts) - 1):
            if parts[position].isdigit():
                name = ".".join(parts[:position])
                number = int(parts[position])
                if number >= MAX_LIST_ITEMS:
                    raise TooManyItems(
                        f"too many rows in {name}: the form takes at most {MAX_LIST_ITEMS}"
                    )
                rows.setdefault(name, set()).add(number)
    return rows


def _read(path, prop, form, rows):
    prop = _resolve(prop)
    name = ".".join(str(p) for p in path)
    kind = _type(prop)
    if prop.get("x-def") == "safeguard":
        done = _tri(form.get(name))
        reference = (form.get(name + ".reference") or "").strip()
        if done is None:
            return None
        return {"done": done, "reference": reference} if reference else done
    if kind == "boolean":
        return _tri(form.get(name))
    if kind == "object":
        out = {}
        for child, sub in prop.get("properties", {}).items():
            value = _read((*path, child), sub, form, rows)
            if value is not None:
                out[child] = value
        return out or None
    if kind == "array":
        items = _resolve(prop.get("items", {}))
        if "enum" in items and _vocabulary(items):
            chosen = [v for v in form.getlist(name) if v in items["enum"]]
            if form.get(name + ".none"):
                return []
            return chosen or None
        if _type(items) == "object":
            found = []
            present = rows.get(name, set())
            index = 0
            while index in present:  # rows 0, 1, 2, ... up to the first one missing
                item = {}
                for child, sub in items.get("properties", {}).items():
                    value = _read((*path, index, child), sub, form, rows)
                    if value is not None:
                        item[child] = value
                if item:
                    found.append(item)
                index += 1
            if form.get(name + ".none"):
                return []
            return found or None
        text = (form.get(name) or "").strip()
        return [part.strip() for part in text.split(",") if part.strip()] or None
    raw = form.get(name)
    if raw is None or str(raw).strip() == UNKNOWN:
        return None
    raw = str(raw).strip()
    if "enum" in prop:
        for option in prop["enum"]:
            if option is not None and str(option) == raw:
                return option
        return raw  # not a term: the schema check says so, with a suggestion
    if kind in ("number", "integer") or "number" in (prop.get("type") or []):
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return raw
        if not math.isfinite(number):
            return raw  # 'inf', 'nan', 1e999: kept as written, the schema check says why
        return int(number) if number.is_integer() else number
    return raw


def _tri(value):
    return {"yes": True, "no": False}.get(value or "")
