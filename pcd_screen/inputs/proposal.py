"""Load a proposal (YAML or JSON) and validate it against the format v1 schema.

Every problem is reported at once as FILE:LINE:COL: path: message. Inconsistent but
well-formed values (percentages, dates, budgets) are left to the data-quality rules.
"""

from __future__ import annotations

import math
from functools import lru_cache

from pcd_screen.core import yamlread as yamlload
from pcd_screen.core.digest import sha256
from pcd_screen.core.located import Document, InputError, LoadError, format_path
from pcd_screen.core.paths import SCHEMA_DIR
from pcd_screen.core.proposal import MAX_TEXT_CHARS, Proposal
from pcd_screen.core.schemas import format_checker, load_schema
from pcd_screen.core.validation import schema_errors, type_name

SCHEMA_VERSION = 1
# No amount in any currency, share or count comes near it; sums and shares of numbers up to it
# stay far from float overflow.
MAX_NUMBER = 10**18
MAX_NUMBER_TEXT = "10^18"  # as messages write it


@lru_cache(maxsize=1)
def _validator():
    # Built once per process: constructing a validator is the slow part of jsonschema.
    import jsonschema

    from pcd_screen.engine.refdata import load_refdata

    checker = format_checker()
    refdata = load_refdata()
    checker.checks("country-alpha3")(
        lambda value: not isinstance(value, str) or refdata.is_country(value)
    )
    schema = load_schema("proposal")
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=checker)


def load_proposal(
    file_path, display_name: str | None = None, max_bytes: int | None = None
) -> Proposal:
    """Read, parse and validate one proposal file; raise LoadError listing every problem."""
    return validate_document(yamlload.load_file(file_path, display_name, max_bytes))


def proposal_from_data(data: dict, name: str = "<data>") -> Proposal:
    """Validate an in-memory mapping (rule fixtures, imports); no line numbers."""
    return validate_document(Document(data=data, file=name))


def validate_document(doc: Document) -> Proposal:
    if not isinstance(doc.data, dict):
        got = "an empty file" if doc.data is None else f"a {type_name(doc.data)}"
        raise LoadError([InputError(doc.file, 1, 1, "", f"expected a proposal mapping, got {got}")])
    too_much = text_error(doc)
    if too_much:  # alone: nothing else is looked at in a proposal that will not be screened
        raise LoadError([too_much])
    bad_numbers = number_errors(doc)
    if not bad_numbers and passes_fast_check(doc.data):
        return Proposal(data=doc.data, document=doc)
    from pcd_screen.engine.countries import code_for

    errors = schema_errors(_validator(), doc, country_code=code_for) + bad_numbers
    if errors:
        raise LoadError(sorted(errors, key=lambda e: (e.line or 0, e.column or 0, e.path)))
    return Proposal(data=doc.data, document=doc)


def text_error(doc: Document) -> InputError | None:
    """A proposal with more than MAX_TEXT_CHARS characters of text (keys and values, not
    extensions), located at its longest text (the first of the longest); None otherwise."""
    total = _text_length(doc.data)
    if total <= MAX_TEXT_CHARS:  # the usual case, found without building paths
        return None
    longest, longest_path = -1, ()
    pending = [((), doc.data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            if len(value) > longest:
                longest, longest_path = len(value), path
        elif isinstance(value, dict):  # reversed onto the stack: read in the file's order
            pending.extend(
                ((*path, key), value[key])
                for key in reversed(value)
                if not (isinstance(key, str) and key.startswith("x-"))
            )
        elif isinstance(value, list):
            pending.extend(((*path, index), value[index]) for index in reversed(range(len(value))))
    line, column = doc.position_of(longest_path)
    message = (
        f"refused: the proposal has {total:,} characters of text (at most {MAX_TEXT_CHARS:,}, "
        f"about 400 pages), {longest:,} of them here; shorten it, or screen the proposal "
        "without its annexes"
    )
    return InputError(doc.file, line, column, format_path(longest_path), message)


def _text_length(data) -> int:
    total = 0
    pending = [data]
    while pending:
        value = pending.pop()
        kind = type(value)
        if kind is str:
            total += len(value)
        elif kind is dict:  # extensions (x-) are not screened: an importer's copies of text
            for key, item in value.items():
                if not (type(key) is str and key.startswith("x-")):
                    total += len(str(key))
                    pending.append(item)
        elif kind is list:
            pending.extend(value)
    return total


def number_errors(doc: Document) -> list[InputError]:
    """Numbers the schema cannot refuse: YAML's .inf and .nan (numbers to JSON Schema), and
    numbers beyond MAX_NUMBER. They made nan% shares, JSON reports that are not JSON, and
    OverflowError when a share was worked out. Extensions (x-) are not looked at."""
    errors: list[InputError] = []
    if not _any_bad_number(doc.data):  # the usual case, found without building paths
        return errors

    def walk(value, path):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                message = f"expected a finite number, got {value}"
            elif abs(value) > MAX_NUMBER:
                message = f"number too large (more than {MAX_NUMBER_TEXT})"
            else:
                return
            line, column = doc.position_of(path)
            errors.append(InputError(doc.file, line, column, format_path(path), message))
        elif isinstance(value, dict):
            for key, item in value.items():
                if not str(key).startswith("x-"):
                    walk(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, (*path, index))

    walk(doc.data, ())
    return errors


def _any_bad_number(data) -> bool:
    """Whether number_errors would find anything: the same walk, without paths or recursion."""
    pending = [data]
    while pending:
        value = pending.pop()
        kind = type(value)
        if kind is dict:
            pending.extend(v for k, v in value.items() if not str(k).startswith("x-"))
        elif kind is list:
            pending.extend(value)
        elif kind is float:
            if not math.isfinite(value) or abs(value) > MAX_NUMBER:
                return True
        elif kind is int:
            if abs(value) > MAX_NUMBER:
                return True
        elif isinstance(value, (dict, list, int, float)) and not isinstance(value, bool):
            return True  # a subclass (never made by the readers): let the full walk decide
    return False


@lru_cache(maxsize=1)
def _schema_digest() -> str:
    return sha256((SCHEMA_DIR / "proposal.schema.json").read_bytes()).hexdigest()


def passes_fast_check(data) -> bool:
    """True when the schema compiled to Python (see scripts/gen_fastcheck.py) accepts the data.

    It spares importing jsonschema for valid proposals. Anything it rejects, or a check made from
    an older schema, goes to jsonschema, which then reports every error with its position.
    """
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.inputs import _proposal_fastcheck as fast

    if _schema_digest() != fast.SCHEMA_SHA256 or not fast.is_valid(data):
        return False
    refdata = load_refdata()
    return all(refdata.is_country(c["code"]) for c in data.get("countries") or [])


def read_proposals(file, lang: str = "en", max_size: int | None = None):
    """The input registry's reader: the one proposal of a file, or the text of its errors."""
    try:
        yield load_proposal(file, max_bytes=max_size)
    except LoadError as exc:
        yield str(exc)
