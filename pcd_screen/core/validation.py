"""Readable, located messages from JSON Schema errors (no raw anyOf/oneOf dumps)."""

from __future__ import annotations

from pcd_screen.core.located import Document, InputError, format_path


def schema_errors(
    validator,
    doc: Document,
    instance=None,
    base: tuple = (),
    label: str = "",
    country_code=None,
) -> list[InputError]:
    """Every schema error of the document, readable and located, in document order.
    country_code: name -> ISO code, to answer a country written by its name with its code
    (given by the caller: the names are reference data, which this kernel does not read)."""
    found: dict[tuple, InputError] = {}
    data = doc.data if instance is None else instance
    for error in validator.iter_errors(data):
        for path, message in _each_unknown(error) or [_describe(error, country_code)]:
            line, column = doc.position_of((*base, *path))
            shown = format_path(path)
            if label:
                shown = f"{label}: {shown}" if shown else label
            item = InputError(doc.file, line, column, shown, message)
            found.setdefault((line or 0, column or 0, item.path, message), item)
    return [found[key] for key in sorted(found)]


def _each_unknown(error) -> list[tuple[tuple, str]]:
    """One message per unknown field of a mapping, each at its own line (jsonschema gives one
    error for all of them); [] for any other error."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return []
    known = error.schema.get("properties", {})
    extras = [k for k in error.instance if k not in known and not str(k).startswith("x-")]
    return [_unknown(tuple(error.absolute_path), key, sorted(known)) for key in extras]


def _unknown(path: tuple, key, allowed: list) -> tuple[tuple, str]:
    hint = _suggest(str(key), allowed) or f"allowed: {', '.join(allowed)}"
    return (*path, key), f"unknown field {key!r} ({hint})"


def _describe(error, country_code=None) -> tuple[tuple, str]:
    """Turn one jsonschema error into (path, plain message) without anyOf/oneOf dumps."""
    path = tuple(error.absolute_path)
    kind, value, schema = error.validator, error.instance, error.schema
    if kind == "required":
        missing = [name for name in error.validator_value if name not in (value or {})]
        names = ", ".join(repr(m) for m in missing)
        if len(missing) == 1:
            return path, f"required field {names} is missing"
        return path, f"required fields {names} are missing"
    if kind == "additionalProperties":
        unknown = _each_unknown(error)
        return unknown[0] if unknown else _unknown(path, "?", sorted(schema.get("properties", {})))
    if kind == "enum":
        # null (unknown) is allowed wherever an answer may be left open; it is not a term.
        options = [o for o in error.validator_value if o is not None]
        if isinstance(value, str) and value in [str(o) for o in options if not isinstance(o, str)]:
            return path, f"expected a number, got text {value!r} (write it without quotes)"
        vocabulary = schema.get("x-vocabulary")
        label = (
            f"not a term of the {vocabulary.replace('_', ' ')} vocabulary"
            if vocabulary
            else "not allowed"
        )
        hint = (
            _suggest(str(value), [str(o) for o in options], vocabulary)
            or f"one of: {', '.join(map(str, options))}"
        )
        return path, f"{value!r} is {label} ({hint})"
    if kind == "const":
        return path, f"must be {error.validator_value!r}, got {value!r}"
    if kind == "type":
        expected = error.validator_value
        if isinstance(expected, list):
            # null means "unknown": allowed everywhere an answer may be left open, never what
            # the writer meant to give, so the message names the real type.
            expected = [name for name in expected if name != "null"] or expected
            expected = " or ".join(expected)
        return path, f"expected {_article(expected)}, got {type_name(value)}{_short(value)}"
    if kind == "format":
        if error.validator_value == "country-alpha3":
            code = country_code(str(value)) if country_code else None
            hint = f" (did you mean {code!r}?)" if code else ""
            return path, f"{value!r} is not an ISO 3166-1 alpha-3 country code{hint}"
        if error.validator_value == "date":
            return path, f"{value!r} is not a valid date (expected YYYY-MM-DD)"
    if kind == "pattern":
        described = schema.get("description") or f"pattern {error.validator_value}"
        hint = ""
        if "country" in described and isinstance(value, str) and country_code:
            code = country_code(value)
            hint = f" (did you mean {code!r}?)" if code else ""
        return path, f"{value!r} does not match: {described}{hint}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        word = {"minimum": "at least", "maximum": "at most"}.get(kind, kind)
        return path, f"{value!r} must be {word} {error.validator_value}"
    if kind == "minLength":
        return path, "must not be empty"
    if kind in ("oneOf", "anyOf") and value is not None:
        # A term or null (unknown): a wrong value is described by the term's branch.
        branches = error.validator_value
        null = [i for i, b in enumerate(branches) if b == {"type": "null"}]
        if null and len(branches) == 2:
            kept = [e for e in error.context if e.relative_schema_path[0] != null[0]]
            if kept:
                from jsonschema.exceptions import best_match

                inner_path, message = _describe(best_match(kept))
                return (*path, *inner_path[len(path) :]), message
    if kind in ("oneOf", "anyOf"):
        described = schema.get("description")
        if described:
            return path, f"expected {described}, got {type_name(value)}{_short(value)}"
        # Report the branch that got furthest rather than the whole alternation.
        from jsonschema.exceptions import best_match

        best = best_match(error.context) if error.context else None
        if best is not None:
            return _describe(best)
    return path, error.message


def _suggest(word: str, options: list[str], vocabulary: str | None = None) -> str:
    """A near spelling, or for a vocabulary the term whose definition names the words."""
    if vocabulary:
        from pcd_screen.core.vocabularies import suggest

        found = suggest(word, options, vocabulary)
        return f"did you mean {found!r}?" if found else ""
    import difflib  # only on the error path: slow to import

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def type_name(value) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "text",
        list: "list",
        dict: "mapping",
    }.get(type(value), type(value).__name__)


def _article(name: str) -> str:
    names = {"object": "a mapping", "array": "a list", "string": "text", "integer": "an integer"}
    return names.get(name, f"a {name}")


def _short(value) -> str:
    if isinstance(value, (dict, list)):
        return ""
    text = repr(value)
    return " " + (text if len(text) <= 40 else text[:37] + "...")
