"""What several renderers share, kept in one neutral place: the run a report belongs to, the
order of results, where a proposal file is and which line a finding points at, and text made
safe for a terminal or a CI log. No renderer borrows from a sibling."""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import PurePosixPath, PureWindowsPath

from pcd_screen.engine.result import Finding, Result


# repr=False: a dataclass's generated methods are compiled at every import (start-up).
@dataclass(repr=False, frozen=True, eq=False)
class Run:
    """What concerns a whole run rather than one proposal."""

    fail_on: str = "revise"
    help_uri: str | None = None  # SARIF helpUri template, {rule_id} replaced
    expired_waivers: tuple = ()  # waivers that matched a finding but had expired
    stale_waivers: tuple = ()  # waivers that matched nothing
    # The repository's root (absolute): CI outputs (SARIF, annotations, the step summary, JUnit)
    # give file paths relative to it whatever the working directory; None: paths as given.
    root: str | None = None
    sarif_waived: str = "omit"  # waived findings in SARIF: "omit" or "suppress"
    # Report files this run writes, named where the annotations had to be cut short.
    report_files: tuple = ()
    # The desk officer's decisions on findings (the workbench): {rule, status, decision, reason,
    # by, at, ruleset, proposal}, shown in the report as its audit trail.
    decisions: tuple = ()


def ordered_results(results: list[Result]) -> list[Result]:
    """Results in a fixed order whatever order the files were screened in."""
    return sorted(results, key=lambda r: (artifact_path(r.proposal["file"]), r.proposal["id"]))


def artifact_path(file: str, root: str | None = None) -> str:
    """The proposal file with forward slashes and without a leading ./, relative to the
    repository root when one is given and the file is inside it (CI systems resolve these
    against the repository root, whatever folder the run started in); else as given."""
    if root:
        absolute = os.path.abspath(str(file))
        relative = os.path.relpath(absolute, root)
        if relative != ".." and not relative.startswith(".." + os.sep):
            file = relative
    path = str(file).replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def artifact_uri(file: str, root: str | None = None) -> str:
    """A URI for SARIF: relative to the repository root (see artifact_path) and percent-encoded;
    a file outside it (or absolute, without a root) as file://."""
    raw = artifact_path(str(file), root)
    for flavour in (PurePosixPath, PureWindowsPath):
        if flavour(raw).is_absolute():
            return flavour(raw).as_uri()
    from urllib.parse import quote  # SARIF only

    return quote(raw, safe="/-._~!$&'()*+,;=@")


def finding_line(result: Result, finding: Finding) -> int | None:
    """The line a finding points at: that of the evidence that decided it, the first of
    (the flag's own fields, the flag's derived facts, the scope's fields, the scope's facts)
    that has a line (a quoted sentence has its own); for a finding without one, the block of
    the first missing field's parent when another finding's evidence located it; else None.
    Never line 1 as a stand-in: a wrong line is worse than none."""
    located = [e for e in finding.evidence if e.line]
    if located:
        best = min(located, key=lambda e: (bool(e.scope), e.path.startswith("facts.")))
        return best.line
    located = [(e.path, e.line) for f in result.findings for e in f.evidence if e.line]
    for field in finding.missing:
        parent = _parent(field)
        if not parent:
            continue
        exact = [line for path, line in located if path == parent]
        inside = [line for path, line in located if path.startswith((parent + ".", parent + "["))]
        if exact or inside:
            return min(exact or inside)
    return None


def counts_as_flag(result: Result, finding: Finding) -> bool:
    """An unclear concern that the verdict counted as flagged (result.policy, the strict
    profile's unclear_as_flag): CI outputs then report it at its severity, not as a note."""
    policy = getattr(result, "policy", None) or {}
    return (
        finding.status == "unclear"
        and finding.kind == "concern"
        and finding.severity in (policy.get("unclear_as_flag") or ())
    )


def unclear_text(finding: Finding, counted: bool = False, lang: str = "en") -> str:
    from pcd_screen.core.i18n import SEVERITY_LABELS, translations

    _ = translations(lang).gettext
    missing = ", ".join(finding.missing) or _("information the rule needs")
    text = _("%(title)s — unclear: the proposal does not give %(missing)s.") % {
        "title": finding.title,
        "missing": missing,
    }
    if counted:
        severity = _(SEVERITY_LABELS.get(finding.severity, finding.severity))
        text += " " + _("The verdict policy counts an unclear %(severity)s concern as flagged.") % {
            "severity": severity
        }
    return text


def _parent(field: str) -> str:
    """The enclosing field: safeguards.conflict_analysis -> safeguards, activities[0].x ->
    activities[0]; a top-level field has none (its parent, the root, would be line 1)."""
    cut = max(field.rfind("."), field.rfind("["))
    return field[:cut] if cut > 0 else ""


def run_waivers(run: Run, kind: str) -> list[dict]:
    """The run's expired or stale waivers as dicts (Waiver objects accepted too),
    in a fixed order: waivers file, line, rule, proposal."""
    waivers = getattr(run, f"{kind}_waivers") or ()
    entries = [asdict(w) if is_dataclass(w) else dict(w) for w in waivers]
    return sorted(entries, key=_waiver_key)


def _waiver_key(waiver: dict) -> tuple:
    return (
        str(waiver.get("file") or ""),
        int(waiver.get("line") or 0),
        str(waiver.get("rule") or ""),
        str(waiver.get("proposal") or ""),
    )


# What a terminal or a CI log would act on rather than show: control characters (ESC starts
# colour, cursor and title sequences; C1 CSI is ESC [ on some terminals), and the bidirectional
# overrides that make text read otherwise than it is stored. Line breaks would let a title
# print a line of its own ("VERDICT: CLEAR").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str, keep_lines: bool = False) -> str:
    """Text as the terminal should show it: whitespace controls as a space (line breaks kept if
    asked, for a caller that escapes them), other controls and bidirectional overrides as a
    visible <U+XXXX>."""

    def shown(match) -> str:
        char = match.group()
        if keep_lines and char in "\n\r":
            return char
        return " " if char in "\t\n\r" else f"<U+{ord(char):04X}>"

    return _UNSAFE.sub(shown, text)


# What Markdown, or a reader of it, takes as the end of a line.
_LINE_BREAK = re.compile("\r\n|[\n\r\v\f\x85\u2028\u2029]")


def one_line(value) -> str:
    """Text from a proposal kept on the Markdown line it is put on: line breaks as spaces, so
    that it cannot start a line of its own (a heading, a table row, or a review marker that
    `review --run` would match)."""
    return _LINE_BREAK.sub(" ", str(value))


def md_cell(value) -> str:
    """Text in a Markdown table cell: one_line, and its pipes escaped, so that a title or an
    implementer holding `|` or a line break cannot split the row."""
    return one_line(value).replace("|", "\\|")


# GitHub Actions reads a line of the job log as a workflow command when it starts with "::"
# (after spaces), and, in the older syntax, when it holds "##[" anywhere. A proposal's file
# name or title printed at such a place would run a command (::error, ::add-mask, ::stop-
# commands). A zero-width space between the two characters keeps the text as it reads.
_LOG_COMMAND = re.compile(r"^(\s*):(?=:)|#(?=#\[)", re.MULTILINE)


def log_safe(text: str) -> str:
    """Text that a CI log shows rather than runs (see _LOG_COMMAND)."""
    return _LOG_COMMAND.sub(lambda m: m.group(0) + "\u200b", text)


def repository_root(config_file=None, start=None) -> str | None:
    """The folder CI paths are relative to: the git top level (the nearest folder holding
    .git, above the config file or else above the working directory), else the config file's
    folder; None without either."""
    from pathlib import Path

    begin = Path(config_file).absolute().parent if config_file else Path(start or os.getcwd())
    folder = begin.absolute()
    while True:
        if (folder / ".git").exists():
            return str(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    return str(Path(config_file).absolute().parent) if config_file else None


def where_label(label: str | None, lang: str) -> str:
    """A document location ("p. 3, table 1, row 2, cell 3") in the report's language."""
    if not label:
        return ""
    from pcd_screen.core.i18n import translations

    words = translations(lang)
    for english, text in (
        ("table", words.gettext("table")),
        ("row", words.gettext("row")),
        ("cell", words.gettext("cell")),
        ("document properties", words.gettext("document properties")),
        ("file name", words.gettext("file name")),
    ):
        label = re.sub(rf"\b{english}\b", text, label)
    return label


def is_printable(text: str) -> bool:
    """True when printable() would leave the text as it is (most texts: checked cheaply)."""
    return _UNSAFE.search(text) is None
