"""IATI activity files (versions 2.01-2.03) -> proposals in format v1.

Reading is streaming and safe: the file is fed in chunks to expat (the standard library's
parser, driven directly: see _Builder), which refuses entity declarations with defusedxml's
exceptions (so no external entities, no DTD retrieval and no entity expansion); each
<iati-activity> is mapped as soon as it ends and then dropped, so memory does not grow with the
file. One activity that cannot be read gives an error record naming it and the file goes on; a
file that is not well-formed XML gives one error record for the file.

Nothing is guessed. A value IATI does not give is left out (the rules then answer unclear).
Activity categories do not exist in IATI: they are inferred from purpose codes and from the
narratives with the keyword lexicons, and every inferred value carries its evidence in `x-inferred`.
Codelist names come from pcd_screen/data/iati_tables.json (scripts/derive_iati_tables.py;
IATI Standard, CC BY 4.0).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

from pcd_screen.core.dates import ISO_DATE_SHAPE, parse_iso_date
from pcd_screen.core.located import clip, excerpt
from pcd_screen.core.paths import DATA_DIR
from pcd_screen.core.yamlread import MAX_BYTES, RAISE_LIMIT, open_input
from pcd_screen.inputs.proposal import MAX_NUMBER, MAX_NUMBER_TEXT

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")
CHUNK = 64 * 1024

CONDITION_TYPES = {"1": "policy", "2": "performance", "3": "fiduciary"}

# IATI OrganisationType -> implementer type, only where the IATI type says what the vocabulary
# means. "Government" (10), "Local Government" (11), "Other Public Sector" (15) and "National
# NGO" (22) may be the donor's or the partner's: they become `other`.
ORG_TYPES = {
    "21": "international-ngo",
    "24": "local-ngo",  # Partner Country based NGO
    "40": "international-organisation",  # Multilateral
    "70": "private-sector",
    "71": "private-sector",
    "72": "private-sector",
    "73": "private-sector",
    "80": "research",
}

# Purpose codes that settle the activity category by themselves.
CODE_CATEGORIES = {
    "24050": "remittances",  # Remittance facilitation, promotion and optimisation
    # Material relief assistance and services: shelter, water, sanitation, food and non-food
    # items, medical supplies (the DAC list's 72010): basic services delivered in a crisis,
    # not protection (case management, child protection, response to violence).
    "72010": "basic-services",
    "16020": "livelihoods-jobs",  # Employment creation
    "16010": "social-protection",
    **{str(code): "other" for code in range(93010, 93019)},  # refugees in donor countries
}
# Purpose codes that say "migration" (or justice/public sector) but not which kind: the words
# decide, and the code is part of the evidence.
WORD_CODES = {"15190", "15136", "15130", "15110", "15210", "13096", "16070"}

# DAC sectors (a purpose code's first digits; the longest prefix wins) -> the category of what
# that sector buys, by the vocabulary's definitions: used only when no deciding code and no
# words code the activity. Codes whose words decide (WORD_CODES: 15190 migration also codes
# border management) and sectors that say nothing of what the money buys (998 unallocated)
# code nothing by themselves.
SECTOR_CATEGORIES = {
    **dict.fromkeys(("111", "112", "113", "114"), "basic-services"),  # education
    **dict.fromkeys(("121", "122", "123", "130", "140"), "basic-services"),  # health, water
    "151": "governance-civic-space",  # government and civil society
    "15180": "protection",  # ending violence against women and girls
    "152": "governance-civic-space",  # conflict, peace and security
    "15250": "other",  # removal of land mines and explosive remnants of war
    "16030": "basic-services",  # housing policy and low-cost housing
    "16050": "basic-services",  # multisector aid for basic social services
    "16064": "basic-services",  # social mitigation of HIV/AIDS
    "16080": "governance-civic-space",  # social dialogue
    **dict.fromkeys(("210", "220", "230"), "other"),  # transport, communications, energy
    **dict.fromkeys(("240", "250"), "livelihoods-jobs"),  # finance, business
    **dict.fromkeys(("311", "312", "313", "321", "322", "323", "331", "332"), "livelihoods-jobs"),
    "410": "climate-adaptation",  # general environment protection
    "43040": "livelihoods-jobs",  # rural development
    "43060": "climate-adaptation",  # disaster risk reduction
    "510": "other",  # general budget support
    "520": "basic-services",  # development food assistance
    "72011": "basic-services",  # basic health care services in emergencies
    "72012": "basic-services",  # education in emergencies
    "72040": "basic-services",  # emergency food assistance
    "740": "climate-adaptation",  # disaster prevention and preparedness
    "910": "other",  # administrative costs of donors
}

# Migration-control categories, inferred from the text layer's frames; ties in this order.
FRAME_CATEGORIES = (
    "border-control",
    "maritime-interception",
    "surveillance-equipment",
    "detention",
    "forced-return",
    "readmission-cooperation",
    "deterrence-campaign",
    "anti-smuggling-enforcement",
    "security-forces-equipment",
    "military",
)
# Lexicon concept -> the other activity categories. Ties are broken in this order.
CONCEPT_CATEGORIES = {
    "trafficking": "anti-trafficking",
    "voluntary-return": "voluntary-return-reintegration",
    "reintegration": "voluntary-return-reintegration",
    "remittances": "remittances",
    "diaspora": "diaspora-engagement",
    "legal-pathways": "legal-pathways-information",
    "free-movement": "regional-free-movement",
    "durable-solutions": "durable-solutions",
    "host-community": "host-community-support",
}
# The other categories are coded from data/category_words (see _category_lexicon).
# Categories whose words count half (see _weight).
HALF_WEIGHT = frozenset({"host-community-support", "other"})
# Lexicon concept -> conditions[].linked_to
CONDITION_LINKS = {
    "readmission": "readmission",
    "return": "return",
    "forced-return": "return",
    "border-control": "border-control",
    "migration-reduction": "migration-reduction",
}


@dataclass
class ImportedActivity:
    """One activity mapped to a proposal that proposal_from_data has accepted."""

    index: int  # 1-based position in the file
    identifier: str | None
    line: int | None
    proposal: dict
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportErrorRecord:
    """An activity (index set) or a whole file (index None) that could not be imported.

    (Not called ImportError: that would shadow Python's built-in exception.)"""

    file: str
    index: int | None
    identifier: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        if self.index is None:
            return f"{where}: {clip(self.message)}"
        name = f" ({clip(self.identifier, 100)})" if self.identifier else ""
        return f"{where}: activity {self.index}{name}: {clip(self.message)}"


class ActivityError(ValueError):
    """A value in one activity that cannot be read; the activity is skipped."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


# --- streaming -----------------------------------------------------------------------------


# The elements the mapping below reads: the children of <iati-activity> with these tags (key
# ""), and of a <transaction> (key "transaction"); all that is inside them. The rest of a
# published activity (results, locations, document links, contacts, related activities: half of
# its elements) is not built. A mapping that reads another element adds it here
# (tests/test_iati.py compares with everything built).
READ = {
    "": {
        "activity-date",
        "budget",
        "conditions",
        "default-aid-type",
        "default-finance-type",
        "default-flow-type",
        "description",
        "humanitarian-scope",
        "iati-identifier",
        "participating-org",
        "policy-marker",
        "recipient-country",
        "recipient-region",
        "reporting-org",
        "sector",
        "tag",
        "title",
        "transaction",
    },
    "transaction": {
        "finance-type",
        "flow-type",
        "recipient-country",
        "sector",
        "transaction-date",
        "transaction-type",
        "value",
    },
}


class _Builder:
    """Reads the XML with expat and builds each activity's tree, noting the line of every
    element of the current activity.

    Expat is driven directly, not through ElementTree's pure-Python XMLParser (which defusedxml
    subclasses): one Python call per element instead of four or five, and the elements are
    built by ElementTree's C TreeBuilder. It is as safe: entity declarations (so external and
    parameter entities and entity expansion) are refused with defusedxml's own exceptions, an
    external entity reference is refused, and no DTD is ever read or fetched.

    Only the elements the mapping reads are built (READ): the others are parsed, and their texts
    held to the limit, but make no elements. A text longer than max_text characters is cut at
    the limit as it arrives (memory stays bounded) and the activity holding it is reported and
    skipped, not screened on a part."""

    def __init__(self, max_text: int):
        self.tree = ET.TreeBuilder()
        # "}" between a namespace and a name, as ElementTree does ({uri}name after _name).
        self.expat = parser = expat.ParserCreate(None, "}")
        parser.buffer_text = True  # one call per text, not one per line
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        parser.CommentHandler = self.tree.comment  # dropped, as ElementTree's parser does
        parser.ProcessingInstructionHandler = self.tree.pi
        parser.DefaultHandlerExpand = self._default
        parser.EntityDeclHandler = _refuse_entity
        parser.UnparsedEntityDeclHandler = _refuse_unparsed_entity
        parser.ExternalEntityRefHandler = _refuse_external_reference
        self.names: dict[str, str] = {}  # expat's name -> ElementTree's
        self.read = READ  # None (tests): every element built
        self.skipping = 0  # the depth of an element not read, while inside it
        self.max_text = max_text
        self.depth = 0
        self.root: ET.Element | None = None
        self.lines: dict = {}
        self.finished: list[tuple[ET.Element, dict, str | None]] = []
        self.tags: list[str] = []  # the open elements, for naming where a text is too long
        self.text_length = 0  # characters of the text being read
        self.problem: str | None = None  # why the current activity cannot be used
        self.stray: list[tuple[int, str]] = []  # (line, message) of texts between activities
        self.last_byte = 0  # where the parser last reported something

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.expat.Parse(chunk, final)
        except expat.ExpatError as exc:
            error = ET.ParseError(exc)
            error.code, error.position = exc.code, (exc.lineno, exc.offset)
            raise error from None

    def _name(self, name: str) -> str:
        fixed = self.names[name] = "{" + name if "}" in name else name
        return fixed

    def start(self, tag, attrs):
        parser = self.expat
        self.text_length = 0
        self.last_byte = parser.CurrentByteIndex
        tag = self.names.get(tag) or self._name(tag)
        tags = self.tags
        tags.append(tag)
        depth = self.depth
        self.depth = depth + 1
        if self.skipping:
            return
        if depth >= 2 and self.read is not None and depth <= 3:
            # A child of the activity, or of one of its transactions, the mapping never reads.
            wanted = self.read.get(tags[2] if depth == 3 else "")
            if wanted is not None and tag not in wanted:
                self.skipping = depth
                return
        for key in attrs:
            if "}" in key:  # a namespaced attribute (xml:lang): {uri}name, as ElementTree has it
                attrs = {(self.names.get(k) or self._name(k)): v for k, v in attrs.items()}
                break
        elem = self.tree.start(tag, attrs)
        if depth == 0:
            self.root = elem
        else:
            self.lines[elem] = parser.CurrentLineNumber

    def end(self, tag):
        self.text_length = 0
        self.last_byte = self.expat.CurrentByteIndex
        tag = self.tags.pop()
        self.depth -= 1
        if self.skipping:
            if self.depth == self.skipping:  # the element not read has ended
                self.skipping = 0
            return
        elem = self.tree.end(tag)
        if self.depth == 1:
            self.finished.append((elem, self.lines, self.problem))
            self.lines, self.problem = {}, None

    def data(self, data):
        self.last_byte = self.expat.CurrentByteIndex
        room = self.max_text - self.text_length
        self.text_length += len(data)
        if len(data) > room:
            if room >= 0:  # the first piece past the limit: say where
                line = self.expat.CurrentLineNumber
                where = f"<{self.tags[-1]}>" if self.tags else "the prolog"
                message = (
                    f"the text in {where} at line {line} is longer than the limit of "
                    f"{self.max_text} characters ({RAISE_LIMIT})"
                )
                if self.depth >= 2:
                    self.problem = self.problem or message
                else:
                    self.stray.append((line, message))
            data = data[: max(room, 0)]
        if data and not self.skipping:
            self.tree.data(data)

    def _default(self, text):
        # An entity reference expat could not expand (it is declared in a DTD that is never
        # read): an error, worded as ElementTree words it.
        if text[:1] == "&":
            parser = self.expat
            error = expat.ExpatError(
                f"undefined entity {text}: line {parser.ErrorLineNumber}, "
                f"column {parser.ErrorColumnNumber}"
            )
            error.code = 11  # XML_ERROR_UNDEFINED_ENTITY
            error.lineno, error.offset = parser.ErrorLineNumber, parser.ErrorColumnNumber
            raise error


def _refuse_entity(name, is_parameter_entity, value, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation_name)


def _refuse_unparsed_entity(name, base, sysid, pubid, notation_name):
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation_name)


def _refuse_external_reference(context, base, sysid, pubid):
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def iter_activities(
    path,
    lang: str = "en",
    display_name: str | None = None,
    max_text: int | None = None,
    defer_category: bool = False,
) -> Iterator[ImportedActivity | ImportErrorRecord]:
    """Activities of an IATI file, one at a time, in file order; errors as records.

    The file may be of any size. No one text may be longer than max_text characters (the
    activity is then skipped) and no one tag, comment or declaration longer than max_text
    bytes (the rest of the file is then skipped); default yamlload.MAX_BYTES. With
    defer_category, the activity category is left to finish_category (see PENDING)."""
    name = display_name or str(path)
    limit = max_text or MAX_BYTES
    builder = _Builder(limit)
    version = None
    index = 0
    fed = 0
    try:
        with open_input(path) as handle:
            while True:
                chunk = handle.read(CHUNK)
                _feed(builder, chunk)
                fed += len(chunk)
                for line, message in builder.stray:
                    yield ImportErrorRecord(name, None, None, line, message)
                builder.stray = []
                if builder.root is not None and version is None:
                    root = builder.root
                    if root.tag != "iati-activities":
                        yield ImportErrorRecord(
                            name, None, None, 1, f"not an IATI activity file: root is <{root.tag}>"
                        )
                        return
                    version = (root.get("version") or "").strip()
                finished, builder.finished = builder.finished, []
                for elem, lines, problem in finished:
                    if elem.tag == "iati-activity":
                        index += 1
                        yield _import_one(
                            elem, lines, index, name, version or "", lang, problem, defer_category
                        )
                    builder.root.remove(elem)
                    elem.clear()
                if fed - builder.last_byte > limit + CHUNK:
                    # One tag (its attributes), comment or declaration this long is held whole
                    # by the parser: stop before it fills memory.
                    yield ImportErrorRecord(
                        name,
                        None,
                        None,
                        _line(builder),
                        f"a single tag, comment or declaration is longer than the limit of "
                        f"{limit} bytes ({RAISE_LIMIT}); the rest of the file is skipped",
                    )
                    return
                if not chunk:
                    break
    except DefusedXmlException as exc:
        yield ImportErrorRecord(
            name,
            None,
            None,
            _line(builder),
            f"refused: {type(exc).__name__} ({exc}); IATI files need no DTD entities, and "
            "external entities and entity expansion are not allowed",
        )
    except _EncodingProblem as exc:
        yield ImportErrorRecord(
            name, None, None, _line(builder), f"cannot read the XML: {exc} (IATI files are UTF-8)"
        )
    except ET.ParseError as exc:
        # Activities that ended before the error are given, as they would have been in a file
        # read in more chunks; then the file stops with one error.
        root = builder.root
        if version is None and root is not None and root.tag == "iati-activities":
            version = (root.get("version") or "").strip()
        for elem, lines, problem in builder.finished:
            if elem.tag == "iati-activity" and version is not None:
                index += 1
                yield _import_one(elem, lines, index, name, version, lang, problem, defer_category)
        line = exc.position[0] if getattr(exc, "position", None) else None
        yield ImportErrorRecord(
            name, None, None, line, f"not well-formed XML: {exc}; the rest of the file is skipped"
        )
    except OSError as exc:
        yield ImportErrorRecord(name, None, None, None, f"cannot read the file: {exc.strerror}")


class _EncodingProblem(Exception):
    """The XML declaration names an encoding expat cannot read: unknown to Python, not a text
    encoding (base64) or multi-byte (Shift JIS)."""


def _feed(builder: _Builder, chunk: bytes) -> None:
    """Feed a chunk, or end the document at the end of the file (an empty chunk)."""
    try:
        builder.feed(chunk, final=not chunk)
    except DefusedXmlException:
        raise
    except (LookupError, ValueError) as exc:  # raised by the codec lookup, not by expat
        raise _EncodingProblem(str(exc)) from None


def _line(builder: _Builder) -> int | None:
    return builder.expat.CurrentLineNumber


def _import_one(elem, lines, index, file, version, lang, problem=None, defer_category=False):
    from pcd_screen.core.located import LoadError
    from pcd_screen.inputs.proposal import proposal_from_data

    identifier = (elem.findtext("iati-identifier") or "").strip() or None
    line = lines.get(elem)
    if problem:
        return ImportErrorRecord(file, index, identifier, line, f"{problem}; activity skipped")
    try:
        proposal = to_proposal(
            elem,
            lang=lang,
            file=file,
            line=line,
            version=version,
            lines=lines,
            index=index,
            defer_category=defer_category,
        )
    except ActivityError as exc:
        return ImportErrorRecord(file, index, identifier, exc.line or line, str(exc))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a bug, reported not raised
        return ImportErrorRecord(file, index, identifier, line, f"cannot map: {exc!r}")
    try:
        proposal_from_data(proposal, name=f"{file}#{index}")
    except LoadError as exc:
        problems = "; ".join(f"{e.path or '(top)'}: {e.message}" for e in exc.errors)
        return ImportErrorRecord(file, index, identifier, line, f"does not validate: {problems}")
    warnings = proposal.get("x-iati", {}).get("warnings", [])
    return ImportedActivity(index, identifier, line, proposal, list(warnings))


# --- tables ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def tables() -> dict:
    with open(DATA_DIR / "iati_tables.json", encoding="utf-8") as handle:
        return json.load(handle)


def _alpha3() -> dict[str, str]:
    """IATI's two-letter country codes -> alpha-3 (engine/countries.py, XK -> XKX)."""
    from pcd_screen.engine.refdata import load_refdata

    return load_refdata().alpha2_table()


@lru_cache(maxsize=1)
def _lexicon():
    from pcd_screen.engine.ruleset import load_lexicon

    return load_lexicon()[0]


@lru_cache(maxsize=1)
def _category_lexicon():
    """Category term -> its words in every language (data/category_words): read by the
    importers alone, so that a screening's start-up does not carry them."""
    from pcd_screen.core.yamlread import load_trusted
    from pcd_screen.engine.lexicon import Lexicon

    phrases: dict[str, list[str]] = {}
    for path in sorted((DATA_DIR / "category_words").glob("*.yaml")):
        for category, entries in (load_trusted(path) or {}).items():
            phrases.setdefault(category, []).extend(entries or [])
    return Lexicon(phrases)


def category_word_terms() -> list[str]:
    """The categories data/category_words codes, in the order that breaks ties."""
    return list(_category_lexicon().raw)


# --- mapping ---------------------------------------------------------------------------------


class _Activity:
    """Helpers over one <iati-activity>: narratives in a language, numbers, dates, lines."""

    def __init__(self, elem, lang, lines):
        self.elem = elem
        self.lang = lang.lower()
        self.lines = lines or {}
        self.default_lang = _lang(elem.get(XML_LANG))
        self.problems: list[dict] = []
        self.located: list[list] = []  # [path, line, element] of every value read

    def line(self, elem) -> int | None:
        return self.lines.get(elem)

    def locate(self, path: tuple, elem) -> None:
        """Note where the value at `path` of the proposal was read: its element and line."""
        line = self.lines.get(elem) if elem is not None else None
        if line:
            self.located.append([list(path), line, elem.tag])

    def narrative(self, parent) -> tuple[str, str | None] | None:
        """(text, language) of the narrative in the requested language, else in the activity's
        default language, else the first one."""
        if parent is None:
            return None
        found = []
        for narrative in parent.findall("narrative"):
            text = " ".join((narrative.text or "").split())
            if text:
                found.append((text, _lang(narrative.get(XML_LANG)) or self.default_lang))
        if not found:
            text = " ".join((parent.text or "").split())  # pre-2.01 style, tolerated
            return (text, self.default_lang) if text else None
        for wanted in (self.lang, self.default_lang):
            for text, language in found:
                if wanted and language == wanted:
                    return text, language
        return found[0]

    def problem(self, elem, message: str, reported=None) -> None:
        """A value that cannot be used: the activity is kept, the value left out, and the
        problem carried into the proposal (x-iati-problems) for the data-quality rules."""
        entry: dict = {"element": elem.tag, "message": message}
        line = self.line(elem)
        if line:
            entry["line"] = line
        if reported is not None:
            # As reported, but bounded: a value may be megabytes long (docs/security.md).
            entry["reported"] = clip(reported, 60) if isinstance(reported, str) else reported
        if entry not in self.problems:  # the budget is read for the total and for x-money
            self.problems.append(entry)

    def number(self, elem, what: str) -> float | None:
        text = (elem.text or "").strip()
        try:
            value = _decimal(text)
        except ValueError:
            self.problem(elem, f"{what}: {excerpt(text)} is not a number; left out", text)
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(elem, f"{what}: {excerpt(text)} is not a number; left out", text)
            return None
        if abs(value) > MAX_NUMBER:
            # The proposal format's bound: kept, the amount would refuse the whole activity.
            self.problem(
                elem, f"{what}: {excerpt(text)} is more than {MAX_NUMBER_TEXT}; left out", text
            )
            return None
        return value

    def percentage(self, elem) -> float | int | None:
        text = (elem.get("percentage") or "").strip()
        if not text:
            return None
        try:
            value = _decimal(text)
        except ValueError:
            self.problem(
                elem, f"<{elem.tag}> percentage {excerpt(text)} is not a number; left out", text
            )
            return None
        if not 0 <= value <= 100:
            self.problem(
                elem,
                f"<{elem.tag}> percentage {excerpt(text)} is not between 0 and 100; left out",
                text,
            )
            return None
        return _num(value)

    def day(self, elem, attribute: str = "iso-date") -> str | None:
        text = (elem.get(attribute) or "").strip()
        if not text:
            return None
        try:
            return parse_iso_date(text[:10]).isoformat()  # a time or zone after it is dropped
        except ValueError:
            self.problem(
                elem,
                f"<{elem.tag}> {attribute} {excerpt(text)} is not a date (YYYY-MM-DD); left out",
                text,
            )
            return None


def _lang(text: str | None) -> str | None:
    if not text:
        return None
    primary = text.strip().lower().split("-")[0].split("_")[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 6)


def to_proposal(
    activity,
    *,
    lang: str = "en",
    file: str | None = None,
    line: int | None = None,
    version: str | None = None,
    lines: dict | None = None,
    index: int | None = None,
    defer_category: bool = False,
) -> dict:
    """Map one <iati-activity> element to a proposal mapping (format v1, with x- extensions).
    With defer_category, the activity category is left to finish_category (see PENDING).

    Raises ActivityError for a value that cannot be read (a budget that is not a number, a date
    that is not a date); codes it does not know are left out with a warning in x-iati."""
    act = _Activity(activity, lang, lines)
    warnings: list[str] = []
    version = activity_version(activity, version)
    provenance: dict = {"file": file, "line": line, "version": version or None}
    if version.startswith("1.") or (not version and looks_like_v1(activity)):
        changed = upgrade_v1(activity)
        provenance["read-as"] = "1.0x"
        if changed:
            provenance["upgraded"] = changed
        if not version:
            warnings.append("no IATI version given; 1.0x codes found, read as 1.0x")
    elif version and version not in SUPPORTED_VERSIONS:
        warnings.append(f"IATI version {excerpt(version)} is not 2.01-2.03; read as 2.03")
    act.locate((), activity)
    act.locate(("id",), activity.find("iati-identifier"))

    identifier = (activity.findtext("iati-identifier") or "").strip()
    if not identifier:
        stem = Path(file).stem if file else "iati"
        identifier = f"{stem}-activity-{index or 0}"
        warnings.append(f"no iati-identifier; id {identifier!r} made from the file and position")
    proposal: dict = {"schema_version": 1, "id": identifier}

    title = act.narrative(activity.find("title"))
    if title is None:
        warnings.append("no title; the identifier is used")
        proposal["title"] = identifier
    else:
        proposal["title"] = title[0]
        act.locate(("title",), activity.find("title"))
    summary, description, text_lang = _descriptions(act)
    first_description = activity.find("description")
    for key in ("summary", "description"):
        act.locate((key,), first_description)
    if summary:
        proposal["summary"] = summary
    if description:
        proposal["description"] = description
    language = text_lang or (title[1] if title else None)
    if language:
        proposal["language"] = language

    _organisations(act, proposal)
    oda = _oda(act, proposal, warnings)
    if oda:
        proposal["oda"] = oda
    budget = _budget(act, warnings)
    if budget:
        proposal["budget"] = budget
    if budget:
        source = budget["x-budget-source"]
        first = (
            activity.find("transaction")
            if source.startswith("commitment")
            else next(
                (
                    b
                    for b in activity.iterfind("budget")
                    if (b.get("type") or "1").strip()
                    == ("2" if source.startswith("revised") else "1")
                ),
                None,
            )
        )
        act.locate(("budget",), first)
    money = _money(act)
    if money:
        proposal["x-money"] = money
    period = _period(act)
    if period:
        proposal["period"] = period
    _places(act, proposal, warnings)
    conditions = _conditions(act)
    if conditions is not None:
        proposal["conditions"] = conditions
    marker = _gender_marker(act, warnings)
    if marker is not None:
        proposal["gender_marker"] = marker
    humanitarian = _humanitarian(act)
    if humanitarian is not None:
        proposal["x-humanitarian"] = humanitarian
        scope = activity.find("humanitarian-scope")
        act.locate(("x-humanitarian",), activity if activity.get("humanitarian") else scope)
    sdg = _sdg(act)
    if sdg:
        proposal["x-sdg"] = sdg
    proposal["activities"] = [_activity(act, proposal, defer_category)]
    if defer_category:  # to name the activity if finishing it fails
        proposal[PENDING]["index"] = index
    if act.problems:
        proposal["x-iati-problems"] = act.problems
        for i, problem in enumerate(act.problems):
            if problem.get("line"):
                act.located.append([["x-iati-problems", i], problem["line"], problem["element"]])
    if warnings:
        provenance["warnings"] = warnings
    provenance["lines"] = act.located
    proposal["x-iati"] = {k: v for k, v in provenance.items() if v is not None}
    return proposal


# --- IATI 1.0x ---------------------------------------------------------------------------------
# The codes IATI 2.01 renamed, from the IATI Standard's upgrade guidance ("2.01 Changes",
# IATI/IATI-Guidance en/upgrades/integer-upgrade-to-2-01/2-01-changes.rst: ActivityDateType,
# OrganisationRole, TransactionType) and the 1.0x Vocabulary codelist (DAC = 5-digit CRS purpose
# codes, DAC-3 = 3-digit sectors, now SectorVocabulary 1 and 2). A 1.0x activity is read with
# these, never half read: every element the mapping uses has its 1.0x form listed here, and the
# narratives' 1.0x form (text directly in the element) is read by _Activity.narrative.
V1_DATE_TYPES = {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}
V1_ROLES = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
V1_TRANSACTION_TYPES = {
    "IF": "1",
    "C": "2",
    "D": "3",
    "E": "4",
    "IR": "5",
    "LR": "6",
    "R": "7",
    "QP": "8",
    "QS": "9",
    "CG": "10",
}
V1_SECTOR_VOCABULARIES = {"DAC": "1", "DAC-3": "2"}


def activity_version(activity, file_version: str | None) -> str:
    """The activity's own version (d-portal writes iati-activities:version on each activity),
    else the file's."""
    for key, value in activity.attrib.items():
        if (key == "version" or key.endswith("}version")) and value.strip():
            return value.strip()
    return (file_version or "").strip()


def looks_like_v1(activity) -> bool:
    """Codes only IATI 1.0x uses, in a file or activity that names no version."""
    for org in activity.iterfind("participating-org"):
        if (org.get("role") or "").strip().lower() in V1_ROLES:
            return True
    for element in activity.iterfind("activity-date"):
        if (element.get("type") or "").strip() in V1_DATE_TYPES:
            return True
    for element in activity.iterfind("transaction/transaction-type"):
        if (element.get("code") or "").strip().upper() in V1_TRANSACTION_TYPES:
            return True
    return any(
        (e.get("vocabulary") or "").strip().upper() in V1_SECTOR_VOCABULARIES
        for e in activity.iterfind("sector")
    )


def upgrade_v1(activity) -> list[str]:
    """Rewrite the 1.0x codes of one activity to their 2.0x equivalents in place; the list of
    what was rewritten (for x-iati.upgraded)."""
    changed: list[str] = []

    def rewrite(path: str, attribute: str, table: dict, fold=str.strip, default=None):
        for element in activity.iterfind(path):
            raw = element.get(attribute)
            key = fold(raw) if raw is not None else None
            new = table.get(key) if key is not None else default
            if new is not None and new != raw:
                element.set(attribute, new)
                note = f"{path}/@{attribute} {excerpt(raw)} -> {new!r}"
                if note not in changed:
                    changed.append(note)

    rewrite("participating-org", "role", V1_ROLES, lambda v: v.strip().lower())
    rewrite("activity-date", "type", V1_DATE_TYPES)
    rewrite(
        "transaction/transaction-type", "code", V1_TRANSACTION_TYPES, lambda v: v.strip().upper()
    )
    # In 1.0x a sector without a vocabulary is a DAC 5-digit code, as in 2.0x.
    rewrite("sector", "vocabulary", V1_SECTOR_VOCABULARIES, lambda v: v.strip().upper())
    rewrite("transaction/sector", "vocabulary", V1_SECTOR_VOCABULARIES, lambda v: v.strip().upper())
    rewrite("policy-marker", "vocabulary", {"DAC": "1"}, lambda v: v.strip().upper())
    # 1.0x activity dates may give the date as text only.
    for element in activity.iterfind("activity-date"):
        if not element.get("iso-date") and ISO_DATE_SHAPE.fullmatch((element.text or "").strip()):
            element.set("iso-date", element.text.strip())
            if "activity-date text -> @iso-date" not in changed:
                changed.append("activity-date text -> @iso-date")
    return changed


def _descriptions(act: _Activity) -> tuple[str | None, str | None, str | None]:
    parts: dict[str, list[tuple[str, str | None]]] = {}
    for element in act.elem.findall("description"):
        found = act.narrative(element)
        if found:
            parts.setdefault((element.get("type") or "1").strip(), []).append(found)
    general = [t for t, _l in parts.get("1", [])]
    objectives = [t for t, _l in parts.get("2", [])]
    paragraphs = general + [f"Target groups: {t}" for t, _l in parts.get("3", [])]
    paragraphs += [t for t, _l in parts.get("4", [])]
    description = "\n\n".join(paragraphs) or None
    summary = " ".join(objectives) or None
    if summary is None and general:
        summary = _first_sentences(general[0])
        if summary == description:
            summary = None
    languages = [lang for kind in ("1", "2", "3", "4") for _t, lang in parts.get(kind, [])]
    return summary, description, next((lang for lang in languages if lang), None)


def _first_sentences(text: str, limit: int = 400) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: end + 1] if end > 0 else cut.rsplit(" ", 1)[0] + " ..."


# IATI OrganisationRole: 1 funding, 2 accountable, 3 extending, 4 implementing.
ROLES = {"1": "funding", "2": "accountable", "3": "extending", "4": "implementing"}
# Organisation types that carry out their own activities when they are accountable for them
# or extend the money (multilaterals such as IOM or UNHCR, NGOs): IATI's guidance lets such a
# publisher report itself as accountable or extending without repeating itself as role 4.
SELF_IMPLEMENTING_TYPES = {"21", "22", "23", "24", "40"}


def _organisations(act: _Activity, proposal: dict) -> None:
    """Donors (role 1) and implementers (role 4) as IATI defines the roles; every role is kept
    in x-iati-roles. Without a role-4 organisation, an accountable (2) or extending (3)
    organisation that is itself the reporting organisation and of a self-implementing type
    (multilateral, NGO) is taken as the implementer, with x-inferred saying so."""
    donors, implementers, roles = [], [], []
    reporting = act.elem.find("reporting-org")
    reporter: dict = {}
    if reporting is not None:
        found = act.narrative(reporting)
        reporter = {
            "ref": (reporting.get("ref") or "").strip(),
            "type": (reporting.get("type") or "").strip(),
            "name": found[0] if found else (reporting.get("ref") or "").strip(),
        }
        reporter = {k: v for k, v in reporter.items() if v}
        if reporter:
            proposal["x-reporting-org"] = reporter
    candidates = []
    for org in act.elem.findall("participating-org"):
        role = (org.get("role") or "").strip()
        found = act.narrative(org)
        name = found[0] if found else (org.get("ref") or "").strip()
        iati_type = (org.get("type") or "").strip()
        ref = (org.get("ref") or "").strip()
        roles.append(
            {
                k: v
                for k, v in (
                    ("role", ROLES.get(role, role)),
                    ("name", name),
                    ("ref", ref),
                    ("type", iati_type),
                )
                if v
            }
        )
        if role == "1" and name:
            if not donors:
                act.locate(("donor",), org)
            donors.append(name)
        elif role == "4":
            entry = _implementer(org, name, iati_type, ref)
            if entry:
                act.locate(("implementers", len(implementers)), org)
                implementers.append(entry)
        elif role in ("2", "3"):
            candidates.append((role, org, name, iati_type, ref))
    if not implementers and reporter:
        for role, org, name, iati_type, ref in sorted(candidates, key=lambda c: c[0] != "3"):
            same = (ref and ref == reporter.get("ref")) or (name and name == reporter.get("name"))
            kind = iati_type or reporter.get("type", "")
            if same and kind in SELF_IMPLEMENTING_TYPES:
                entry = _implementer(org, name, kind, ref)
                entry["x-inferred"] = {
                    "from": f"participating-org role {role} ({ROLES[role]}) is the reporting "
                    "organisation, of a type that implements its own activities; no role 4 given",
                    "line": act.line(org),
                }
                act.locate(("implementers", 0), org)
                implementers.append(entry)
                break
    if donors:
        proposal["donor"] = "; ".join(dict.fromkeys(donors))
    if implementers:
        proposal["implementers"] = implementers
    if roles:
        proposal["x-iati-roles"] = roles


def _implementer(org, name: str, iati_type: str, ref: str) -> dict:
    entry: dict = {}
    if name:
        entry["name"] = name
    channel = (org.get("crs-channel-code") or "").strip()
    if channel.startswith("41"):  # CRS channel 41xxx: United Nations agencies
        entry["type"] = "un-agency"
    elif iati_type:
        entry["type"] = ORG_TYPES.get(iati_type, "other")
    if iati_type:
        entry["x-iati-type"] = iati_type
    if channel:
        entry["x-crs-channel-code"] = channel
    if ref:
        entry["x-iati-ref"] = ref
    return entry


# An xsd:decimal, and an exponent as some publishers write it. Not float() alone: it also takes
# '١٠٠' (Arabic-Indic digits), '1_000', 'inf' and 'nan', none of which IATI allows.
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _decimal(text: str) -> float:
    if not _DECIMAL.fullmatch(text):
        raise ValueError(text)
    return float(text)  # never raises for this shape: 1e999 is inf, refused by the callers


# ASCII digits: \d would take '١٥١٩٠' (Arabic-Indic), which no IATI codelist holds.
_DAC_CODE = re.compile(r"[0-9]{5}")


def _oda(act: _Activity, proposal: dict, warnings: list[str]) -> dict:
    oda: dict = {}
    codes, categories, other = [], [], []
    for sector in act.elem.findall("sector"):
        vocabulary = (sector.get("vocabulary") or "1").strip()
        code = (sector.get("code") or "").strip()
        percentage = act.percentage(sector)
        entry: dict = {"code": code}
        if percentage is not None:
            entry["percentage"] = percentage
        if vocabulary == "1":
            if _DAC_CODE.fullmatch(code):
                entry["code"] = int(code)
                act.locate(("oda", "purpose_codes", len(codes)), sector)
                codes.append(entry)
            else:
                warnings.append(
                    f"sector {excerpt(code)} (vocabulary 1) is not a 5-digit DAC code; left out"
                )
        elif vocabulary == "2":
            name = tables()["sector_categories"].get(code, {}).get("en")
            if name:
                entry["name"] = name
            categories.append(entry)
        elif vocabulary not in ("7", "8"):  # SDG goals/targets go to x-sdg
            other.append({"vocabulary": vocabulary, **entry})
    if not codes and not categories:
        # IATI allows sectors on the transactions instead of the activity: codes, no shares.
        seen = []
        for sector in act.elem.findall("transaction/sector"):
            code = (sector.get("code") or "").strip()
            if (sector.get("vocabulary") or "1").strip() == "1" and _DAC_CODE.fullmatch(code):
                seen.append(int(code))
        if seen:
            codes = [{"code": c} for c in dict.fromkeys(seen)]
            oda["x-purpose-codes-from"] = "transactions (no percentages)"
    if codes:
        oda["purpose_codes"] = codes
    if categories:
        proposal["x-sector-categories"] = categories
    if other:
        proposal["x-sectors-other"] = other

    flows = _codes(act.elem, "default-flow-type")
    if not flows:
        flows = _codes(act.elem, "transaction/flow-type")
    finance = _codes(act.elem, "default-finance-type") or _codes(
        act.elem, "transaction/finance-type"
    )
    if flows:
        flow = act.elem.find("default-flow-type")
        act.locate(
            ("oda", "reported_as_oda"),
            flow if flow is not None else act.elem.find("transaction/flow-type"),
        )
        oda["x-flow-types"] = flows
        if all(f == "10" for f in flows):
            oda["reported_as_oda"] = True
        elif "10" not in flows:
            oda["reported_as_oda"] = False
    if finance:
        oda["x-finance-types"] = finance
    aid_type = _aid_type(act.elem)
    if aid_type:  # the funding modality: project, budget support, pooled fund, ...
        proposal["instrument"] = aid_type
    return oda


def _aid_type(elem) -> str | None:
    """The activity's default aid type of the OECD DAC vocabulary (1, the default) as
    "Project-type interventions (C01)", from the IATI AidType codelist."""
    for found in elem.findall("default-aid-type"):
        code = (found.get("code") or "").strip()
        if code and (found.get("vocabulary") or "1").strip() == "1":
            name = tables()["aid_types"].get(code, {}).get("en")
            return f"{name} ({code})" if name else code
    return None


def _codes(elem, path: str) -> list[str]:
    found = ((e.get("code") or "").strip() for e in elem.findall(path))
    return [code for code in dict.fromkeys(found) if code]


def _currency(act: _Activity, value) -> str | None:
    """The currency of a <value>, as reported (upper case); one that is no ISO 4217 code of
    IATI's Currency codelist is a problem of the activity, and the amount is not converted."""
    own = (value.get("currency") or "").strip()
    where, reported = (value, own) if own else (act.elem, act.elem.get("default-currency") or "")
    currency = reported.strip().upper()
    if currency and not known_currency(currency):
        attribute = "currency" if own else "default-currency"
        act.problem(
            where,
            f"<{where.tag}> {attribute} {excerpt(reported)} is not an ISO 4217 code (IATI "
            "Currency codelist); the amount is kept but not converted",
            reported,
        )
    return currency or None


def known_currency(code: str) -> bool:
    return code in tables()["currencies"]


# IATI TransactionType (2.0x codes) whose sums make an activity's money.
MONEY_TRANSACTIONS = {
    "2": "commitments",
    "3": "disbursements",
    "4": "expenditures",
    "11": "incoming_commitments",
    "1": "incoming_funds",
}
MAX_BUDGET_PERIODS = 60  # budgets by period kept in x-money (a few per year of an activity)


def _budget(act: _Activity, warnings: list[str]) -> dict | None:
    """The activity's budget: original budgets summed over their periods, else revised ones,
    else outgoing commitments. A source that sums to 0 is no budget (EC contract-level
    activities publish budget 0): the next source is tried, and the zero is noted."""
    by_type: dict[str, list] = {"1": [], "2": []}
    for budget in act.elem.findall("budget"):
        value = budget.find("value")
        if value is None:
            continue
        kind = (budget.get("type") or "1").strip()
        if kind in by_type:
            by_type[kind].append(_value(act, value, "budget value"))
    commitments = []
    for transaction in act.elem.findall("transaction"):
        kind = transaction.find("transaction-type")
        value = transaction.find("value")
        if kind is not None and (kind.get("code") or "").strip() == "2" and value is not None:
            commitments.append(_value(act, value, "commitment value"))
    zero = []
    for source, values in (
        ("original budgets", by_type["1"]),
        ("revised budgets", by_type["2"]),
        ("commitment transactions", commitments),
    ):
        values = [v for v in values if v[0] is not None]
        if not values:
            continue
        currencies = {c for _v, c, _d in values}
        if len(currencies) > 1 or None in currencies:
            shown = ", ".join(sorted(c or "none" for c in currencies))
            warnings.append(f"{source} in several or no currencies ({shown}); budget left out")
            return None
        total = _num(sum(v for v, _c, _d in values))
        if total == 0:
            zero.append(source)
            continue
        if total < 0:
            warnings.append(f"{source} sum to a negative amount; budget left out")
            return None
        if total > MAX_NUMBER:  # each under the bound, their sum over it
            warnings.append(f"{source} sum to more than {MAX_NUMBER_TEXT}; budget left out")
            return None
        budget = {"total": total, "x-budget-source": source}
        currency = currencies.pop()
        if known_currency(currency):
            budget["currency"] = currency
        else:  # left out of converted totals, as a budget without a currency is
            budget["x-currency-reported"] = currency
        dates = sorted(d for _v, _c, d in values if d)
        if dates:
            budget["x-value-date"] = dates[0]
        if zero:
            budget["x-zero-budgets"] = zero
        return budget
    if zero:
        warnings.append(f"{' and '.join(zero)} of 0 reported: treated as no budget")
    return None


def _value(act: _Activity, value, what: str) -> tuple:
    """(amount or None, currency, value date) of a <value> element."""
    return act.number(value, what), _currency(act, value), act.day(value, "value-date")


def _money(act: _Activity) -> dict:
    """What IATI says of the activity's money: budgets by period and transaction sums by type
    and currency, with value dates, for the portfolio tables and plausibility checks."""
    money: dict = {}
    budgets = []
    for budget in act.elem.findall("budget"):
        value = budget.find("value")
        if value is None:
            continue
        amount, currency, value_date = _value(act, value, "budget value")
        if amount is None:
            continue
        entry: dict = {
            "type": {"1": "original", "2": "revised"}.get((budget.get("type") or "1").strip())
            or (budget.get("type") or "").strip(),
            "value": _num(amount),
            "currency": currency,
        }
        for key, child in (("start", "period-start"), ("end", "period-end")):
            found = budget.find(child)
            day = act.day(found) if found is not None else None
            if day:
                entry[key] = day
        if value_date:
            entry["value_date"] = value_date
        budgets.append({k: v for k, v in entry.items() if v is not None})
    if budgets:
        money["budgets"] = budgets[:MAX_BUDGET_PERIODS]
        if len(budgets) > MAX_BUDGET_PERIODS:
            money["budgets_not_listed"] = len(budgets) - MAX_BUDGET_PERIODS
    sums: dict = {}
    for transaction in act.elem.findall("transaction"):
        kind = transaction.find("transaction-type")
        value = transaction.find("value")
        name = (
            MONEY_TRANSACTIONS.get((kind.get("code") or "").strip()) if kind is not None else None
        )
        if name is None or value is None:
            continue
        amount, currency, value_date = _value(act, value, f"{name[:-1]} value")
        if amount is None:
            continue
        row = sums.setdefault(name, {}).setdefault(
            currency or "", {"total": 0.0, "count": 0, "first": None, "last": None}
        )
        row["total"] += amount
        row["count"] += 1
        found = transaction.find("transaction-date")
        day = (act.day(found) if found is not None else None) or value_date
        if day:
            row["first"] = min(row["first"] or day, day)
            row["last"] = max(row["last"] or day, day)
    for name, by_currency in sums.items():
        money[name] = [
            {
                "currency": currency or None,
                "total": _num(row["total"]),
                "count": row["count"],
                **({"first": row["first"], "last": row["last"]} if row["first"] else {}),
            }
            for currency, row in sorted(by_currency.items())
        ]
    return money


MIN_YEAR = 1960  # no aid activity IATI holds began before the DAC existed
MAX_START_YEAR = 2050


def _period(act: _Activity) -> dict:
    dates: dict[str, tuple] = {}
    for element in act.elem.findall("activity-date"):
        kind = (element.get("type") or "").strip()
        day = act.day(element)
        if day and kind in ("1", "2", "3", "4"):
            dates.setdefault(kind, (day, element))
    for kind, (day, element) in list(dates.items()):
        # Placeholders, not dates: 1900-01-01 (before any aid activity IATI can hold) and a
        # start in 2050 or later (EC contract-level activities). A loan may end after 2050.
        year = int(day[:4])
        if year < MIN_YEAR or (kind in ("1", "2") and year >= MAX_START_YEAR):
            act.problem(
                element,
                f"<activity-date type={kind}> {day} is a placeholder, not a date; left out",
                day,
            )
            del dates[kind]
    period: dict = {}
    for field_name, actual, planned in (("start", "2", "1"), ("end", "4", "3")):
        for kind, label in ((actual, "actual"), (planned, "planned")):
            if kind in dates:
                period[field_name] = dates[kind][0]
                period[f"x-{field_name}-type"] = label
                act.locate(("period", field_name), dates[kind][1])
                break
    return period


def _places(act: _Activity, proposal: dict, warnings: list[str]) -> None:
    countries, unmapped = [], []
    alpha3 = _alpha3()
    elements = act.elem.findall("recipient-country")
    on_transactions = not elements and act.elem.find("recipient-region") is None
    if on_transactions:
        # IATI allows the recipient on the transactions instead: codes, no shares.
        elements = act.elem.findall("transaction/recipient-country")
    seen = set()
    for country in elements:
        code = (country.get("code") or "").strip().upper()
        if on_transactions:
            if code in seen:
                continue
            seen.add(code)
        percentage = None if on_transactions else act.percentage(country)
        if code in alpha3:
            entry: dict = {"code": alpha3[code]}
            if percentage is not None:
                entry["percentage"] = percentage
            act.locate(("countries", len(countries)), country)
            countries.append(entry)
        elif code:
            unmapped.append(code)
    if unmapped:
        warnings.append(f"recipient-country codes not in ISO 3166-1: {', '.join(unmapped)}")
        proposal["x-unmapped-countries"] = unmapped
    if countries:
        proposal["countries"] = countries
        if on_transactions:
            proposal["x-countries-from"] = "transactions (no percentages)"
    regions, details = [], []
    names = tables()["regions"]
    for region in act.elem.findall("recipient-region"):
        code = (region.get("code") or "").strip()
        vocabulary = (region.get("vocabulary") or "1").strip()
        entry = {"code": code, "vocabulary": vocabulary}
        percentage = act.percentage(region)
        if percentage is not None:
            entry["percentage"] = percentage
        name = names.get(code, {}).get("en") if vocabulary == "1" else None
        if name:
            entry["name"] = name
            regions.append(name)
        else:
            found = act.narrative(region)
            if found:
                entry["name"] = found[0]
                regions.append(found[0])
        details.append(entry)
    if regions:
        proposal["regions"] = list(dict.fromkeys(regions))
    if details:
        proposal["x-regions"] = details


def _conditions(act: _Activity) -> list | None:
    element = act.elem.find("conditions")
    if element is None:
        return None
    attached = (element.get("attached") or "").strip().lower()
    if attached in ("0", "false"):
        return []
    found = []
    for condition in element.findall("condition"):
        entry: dict = {}
        kind = (condition.get("type") or "").strip()
        if kind in CONDITION_TYPES:
            entry["type"] = CONDITION_TYPES[kind]
        elif kind:
            entry["x-iati-type"] = kind
        narrative = act.narrative(condition)
        text = narrative[0] if narrative else ""
        act.locate(("conditions", len(found)), condition)
        if text:
            entry["text"] = text
        links, evidence, keys = [], [], set()
        hits = _lexicon().matches(text) if text else {}
        for concept, link in CONDITION_LINKS.items():
            for phrase in hits.get(concept, ()):
                if (concept, phrase.words, phrase.prefix) in keys:
                    continue  # 'readmission*' and 'réadmission*' are one hit
                keys.add((concept, phrase.words, phrase.prefix))
                evidence.append(f"{concept}: '{phrase.text}'")
                if link not in links:
                    links.append(link)
        entry["linked_to"] = links or ["other"]
        entry["x-inferred"] = {
            "linked_to": {
                "from": "words" if links else "no lexicon concept matched",
                "evidence": evidence,
            }
        }
        found.append(entry)
    if not found and attached in ("1", "true"):
        return [{"x-note": 'conditions attached="1" but no condition is described'}]
    return found


def _gender_marker(act: _Activity, warnings: list[str]) -> int | None:
    for marker in act.elem.findall("policy-marker"):
        vocabulary = (marker.get("vocabulary") or "1").strip()
        if vocabulary == "1" and (marker.get("code") or "").strip() == "1":
            significance = (marker.get("significance") or "").strip()
            act.locate(("gender_marker",), marker)
            if significance in ("0", "1", "2"):
                return int(significance)
            if significance in ("3", "4"):
                return 2
            warnings.append(
                f"gender policy marker significance {excerpt(significance)} not understood"
            )
    return None


def _humanitarian(act: _Activity) -> bool | None:
    flags = [act.elem.get("humanitarian")]
    flags += [t.get("humanitarian") for t in act.elem.findall("transaction")]
    flags = [(f or "").strip().lower() for f in flags if f is not None]
    if any(f in ("1", "true") for f in flags):
        return True
    if flags and all(f in ("0", "false") for f in flags):
        return False
    if act.elem.find("humanitarian-scope") is not None:
        return True
    return None


def _sdg(act: _Activity) -> dict:
    goals, targets = [], []
    for tag, vocabularies in (("tag", ("2", "3")), ("sector", ("7", "8"))):
        for element in act.elem.findall(tag):
            vocabulary = (element.get("vocabulary") or "").strip()
            code = (element.get("code") or "").strip()
            if code and vocabulary == vocabularies[0]:
                goals.append(code)
            elif code and vocabulary == vocabularies[1]:
                targets.append(code)
    out = {}
    if goals:
        out["goals"] = list(dict.fromkeys(goals))
    if targets:
        out["targets"] = list(dict.fromkeys(targets))
    return out


# --- the one activity and its inferred category --------------------------------------------


# A proposal read with defer_category carries, under this key, what finish_category needs of
# the XML to add the activity category later: batch reads IATI files in its main process and
# screens in workers, and the category is inferred from the same readings of the title, summary
# and description (engine/text) that screening makes, so the worker makes them once for both.
PENDING = "x-pending-category"


def _activity(act: _Activity, proposal: dict, defer: bool = False) -> dict:
    activity: dict = {"id": "A1", "title": proposal["title"]}
    act.locate(("activities", 0, "title"), act.elem.find("title"))
    act.locate(("activities", 0, "description"), act.elem.find("description"))
    if proposal.get("description"):
        activity["description"] = proposal["description"]
    if "budget" in proposal:
        activity["budget"] = proposal["budget"]["total"]
    # Where a category would be read from: the sector when the code alone decides, else the
    # title (the words may also come from the description; x-inferred quotes them).
    title = act.elem.find("title")
    where: dict = {
        "at": len(act.located),
        "title": act.line(title) if title is not None else None,
        "sectors": {},
    }
    for sector in act.elem.iterfind("sector"):
        where["sectors"].setdefault((sector.get("code") or "").strip(), act.line(sector))
    if defer:
        proposal[PENDING] = where
    else:
        _categorise(proposal, activity, where, act.located)
    return activity


def categorise(proposal: dict, activity: dict) -> dict | None:
    """Give the proposal's one activity the category inferred from its purpose codes and words
    (x-inferred says from what, and on what evidence); that inference, or None. Spreadsheet
    rows without a categories column are coded by it too (csvtable)."""
    inferred = infer_category(proposal)
    if inferred is None:
        return None
    activity["category"] = inferred.pop("category")
    activity["x-inferred"] = {"category": inferred}
    return inferred


def _categorise(proposal: dict, activity: dict, where: dict, located: list) -> None:
    """The activity's inferred category, its evidence, and the line of the deciding element
    noted at where["at"] of the located values (x-iati.lines)."""
    inferred = categorise(proposal, activity)
    if inferred is None:
        return
    code = re.fullmatch(r"purpose code (\d{5})(?: \(sector\))?", inferred["from"])
    if code and code[1] in where["sectors"]:
        line, tag = where["sectors"][code[1]], "sector"
    else:
        line, tag = where["title"], "title"
    if line:
        located.insert(where["at"], [["activities", 0, "category"], line, tag])


def finish_category(data: dict) -> dict | str:
    """A proposal read with defer_category, completed: its activity category inferred, as
    to_proposal would have (the input registry's finish step for IATI); or the text of the
    error, as iter_activities would have given it."""
    where = data.pop(PENDING, None)
    if where is None:
        return data
    try:
        _categorise(data, data["activities"][0], where, data["x-iati"]["lines"])
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # a bug, reported not raised
        iati = data.get("x-iati") or {}
        file, index, line = iati.get("file") or "", where.get("index"), iati.get("line")
        return str(ImportErrorRecord(file, index, data.get("id"), line, f"cannot map: {exc!r}"))
    return data


def infer_category(proposal: dict) -> dict | None:
    """{category, from, evidence[, also]} from purpose codes and words, or None."""
    codes = [
        (str(c["code"]), c.get("percentage"))
        for c in (proposal.get("oda") or {}).get("purpose_codes") or []
    ]
    codes.sort(key=lambda c: -(c[1] if c[1] is not None else 0))  # stable: file order on ties
    word_hits = _category_words(proposal)
    for code, percentage in codes:
        if code in CODE_CATEGORIES:
            category = CODE_CATEGORIES[code]
            result = {
                "category": category,
                "from": f"purpose code {code}",
                "evidence": [_code_evidence(code, percentage)],
            }
            also = {c: h[0] for c, h in word_hits.items() if c != category}
            if also:
                result["also"] = also
            return result
    if not word_hits:
        return _sector_category(codes)
    best = max(word_hits, key=lambda c: _weight(c, word_hits[c][0]))  # ties: priority order
    phrases, _where = word_hits[best]
    evidence = list(phrases)
    source = "words"
    for code, percentage in codes:
        if code in WORD_CODES:
            evidence.insert(0, _code_evidence(code, percentage))
            source = f"purpose code {code} and words"
            break
    result = {"category": best, "from": source, "evidence": evidence}
    others = {c: hits for c, hits in word_hits.items() if c != best}
    if others:
        result["also"] = {c: hits[0] for c, hits in others.items()}
    return result


def _sector_category(codes: list[tuple[str, object]]) -> dict | None:
    """The category of the activity's largest sector that SECTOR_CATEGORIES knows, or None."""
    for code, percentage in codes:
        if code in WORD_CODES:  # the words decide those, or nothing does
            continue
        for size in (5, 3):
            category = SECTOR_CATEGORIES.get(code[:size])
            if category is not None:
                return {
                    "category": category,
                    "from": f"purpose code {code} (sector)",
                    "evidence": [_code_evidence(code, percentage)],
                }
    return None


def _weight(category: str, shown: list[str]) -> float:
    """How strongly the words speak for a category: its distinct phrases, those of the title
    counted twice (a title names what the money is for); at half weight the words that name
    whom a project serves (host communities) or a fund's own management (other), not what
    the money buys."""
    weight = len(shown) + sum(s.startswith("title: ") for s in shown)
    return weight / 2 if category in HALF_WEIGHT else weight


def _code_evidence(code: str, percentage) -> str:
    from pcd_screen.engine.refdata import load_refdata

    entry = load_refdata().purpose_code(code)
    name = f" {entry['name']['en']}" if entry else ""
    share = f" ({percentage}%)" if percentage is not None else ""
    return f"purpose code {code}{name}{share}"


def _category_words(proposal: dict) -> dict[str, tuple[list[str], list[str]]]:
    """category -> (distinct matches, as "field: 'phrase'"; their keys), in CONCEPT_CATEGORIES
    order. Migration-control categories come from the text layer's concept frames (what the
    money does: water at a border reception centre is not border control; negated sentences
    say nothing); the other categories from the keyword lexicon."""
    from pcd_screen.engine.text.frames import frames
    from pcd_screen.engine.text.reader import document_language, read

    found: dict[str, tuple[list[str], list]] = {}
    lexicon = _lexicon()
    # (lexicon, concept, category): the rules' lexicon concepts, then data/category_words' terms
    sources = [("rules", *pair) for pair in CONCEPT_CATEGORIES.items()]
    sources += [("categories", term, term) for term in category_word_terms()]
    lang = document_language(proposal)
    for field_name in ("title", "summary", "description"):
        text = proposal.get(field_name)
        if not text:
            continue
        reading = read(text, lang)
        for hit in reading.hits:
            category = frames()[hit.frame].category
            if category is None or hit.negated or hit.weak:
                continue
            shown, keys = found.setdefault(category, ([], []))
            if (hit.frame,) not in keys:
                keys.append((hit.frame,))
                shown.append(f"{field_name}: '{reading.quote(hit)}'")
        hits = {"rules": lexicon.matches(text), "categories": _category_lexicon().matches(text)}
        for source, concept, category in sources:
            for phrase in hits[source].get(concept, ()):
                shown, keys = found.setdefault(category, ([], []))
                key = (phrase.words, phrase.prefix)
                if key not in keys:
                    keys.append(key)
                    shown.append(f"{field_name}: '{phrase.text}'")
    order = [*FRAME_CATEGORIES, *(category for _source, _concept, category in sources)]
    return {c: found[c] for c in dict.fromkeys(order) if c in found}


def read_records(
    file, lang: str = "en", max_size: int | None = None, deferred: bool = False
) -> Iterator:
    """The input registry's reader: proposal mappings, or the text of each error (deferred:
    the activity category left to finish_category, in the process that screens)."""
    for item in iter_activities(file, lang, max_text=max_size, defer_category=deferred):
        yield item.proposal if isinstance(item, ImportedActivity) else str(item)


def coding_rules(lang: str = "en") -> dict[str, str]:
    """How each activity category is coded from an IATI activity, in words in the report
    language (published in the portfolio report beside the budget share per category)."""
    from pcd_screen.core.formatting import label
    from pcd_screen.core.i18n import translations

    _ = translations(lang).gettext
    rules: dict[str, list[str]] = {}
    by_code: dict[str, list[str]] = {}
    for code, category in CODE_CATEGORIES.items():
        by_code.setdefault(category, []).append(code)
    for category, codes in by_code.items():
        shown = f"{codes[0]}-{codes[-1]}" if len(codes) > 3 else ", ".join(codes)
        rules.setdefault(category, []).append(
            _("purpose code %(codes)s (decides by itself)") % {"codes": shown}
        )
    for category in FRAME_CATEGORIES:
        rules.setdefault(category, []).append(
            _(
                "a sentence of the title, summary or description in which the text layer reads "
                "funding of %(category)s (services to the people concerned do not count)"
            )
            % {"category": label("category", category, lang)}
        )
    for category in dict.fromkeys([*CONCEPT_CATEGORIES.values(), *category_word_terms()]):
        rules.setdefault(category, []).append(
            _("words of the lexicon for %(category)s in the title, summary or description")
            % {"category": label("category", category, lang)}
        )
    by_sector: dict[str, list[str]] = {}
    for prefix, category in SECTOR_CATEGORIES.items():
        by_sector.setdefault(category, []).append(prefix)
    for category, prefixes in by_sector.items():
        rules.setdefault(category, []).append(
            _("when nothing else codes it, a purpose code beginning %(prefixes)s")
            % {"prefixes": ", ".join(prefixes)}
        )
    joiner = f" {_('or')} "
    return {category: joiner.join(parts) for category, parts in sorted(rules.items())}


def coding_note(lang: str = "en") -> str:
    """What holds for every category's coding rule."""
    from pcd_screen.core.i18n import translations

    return translations(lang).gettext(
        "When several categories match, a deciding purpose code comes first, then the category "
        "with the most distinct words (a word of the title counts twice, words for host "
        "communities and for a programme's own management half; a tie goes to the migration "
        "category), then the sector of the largest purpose code; purpose codes %(codes)s are "
        "cited as evidence but do not decide. When nothing matches, the activity has no "
        "category and the rules that need one are unclear. A spreadsheet's categories column, "
        "where it has one, is the watchdog's own coding; a row without one is coded as an IATI "
        "activity is, from its purpose codes, title, summary and description."
    ) % {"codes": ", ".join(sorted(WORD_CODES))}
