"""What the commands share: exit codes, the error that prints without a traceback, the options
several commands take, and the small wiring steps they repeat (settings, session, writing)."""

from __future__ import annotations

import gc

import click

from pcd_screen.core.dates import parse_iso_date
from pcd_screen.core.terms import REPORT_LANGUAGES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class Failure(click.ClickException):
    """An input, rule or usage problem: printed without a traceback, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None):
        click.echo(log_safe(self.format_message()), err=True)


def parse_date(_ctx, _param, value, words: tuple[str, ...] = ()):
    """A date option's value: YYYY-MM-DD only (date.fromisoformat alone also takes 20260101 and
    2026-W01), or one of the option's words (batch's `activity`), returned as written."""
    if value is None or value in words:
        return value
    try:
        return parse_iso_date(value)
    except ValueError:
        expected = " or ".join(("YYYY-MM-DD", *words))
        raise click.BadParameter(f"{value!r} is not a date (expected {expected})") from None


def parse_size(_ctx, _param, value):
    if value is None:
        return None
    from pcd_screen.config import parse_size as parse

    try:
        return parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def write(output, text: str | bytes, within=None, make_folders: bool = False) -> None:
    """Print, or write the whole text to a file atomically (never a partial report). Only a
    regular file is replaced; inside an output folder (within) no link is followed; the folder
    must exist unless make_folders (see core.outputs.check_target). Bytes (a PDF) are written
    as they are; on standard output they go to the binary stream."""
    if output is None or output == "-":
        if isinstance(text, bytes):
            import sys

            if sys.stdout.isatty():
                raise Failure("a PDF report is not printed on a terminal: add --output FILE")
            click.echo(text, nl=False)
            return
        click.echo(text, nl=not text.endswith("\n"))
        return
    from pcd_screen.core.outputs import write_atomic

    try:
        write_atomic(output, text, within, make_folders)
    except OSError as exc:
        raise Failure(f"{output}: cannot write: {exc.strerror}") from None


def settings(config_file, overrides: dict):
    """The run's settings: flags over the config file (given or found upward) over profiles."""
    from pathlib import Path

    from pcd_screen import config
    from pcd_screen.core.located import LoadError

    path = Path(config_file) if config_file else config.find_config(Path.cwd())
    try:
        return config.load_config(path, overrides)
    except LoadError as exc:
        raise Failure(f"invalid configuration:\n{exc}") from None


def session(run_settings, ruleset=None):
    """The screening session the settings describe (rules, rule settings, waivers)."""
    from pcd_screen.config import SessionProblem, open_session

    try:
        opened = open_session(run_settings, ruleset)
    except SessionProblem as exc:
        raise Failure(str(exc)) from None
    for note in opened.notes:  # waivers naming rules not in the catalogue: stale, not errors
        click.echo(log_safe(note), err=True)
    if not gc.isenabled():  # the quiet start of commands.main: what is loaded now stays loaded
        gc.freeze()
        gc.enable()
    return opened


def load_ruleset(extra_dirs=(), **options):
    from pcd_screen.core.located import LoadError
    from pcd_screen.engine.ruleset import load_ruleset as load

    try:
        return load(extra_dirs, **options)
    except LoadError as exc:
        raise Failure(f"invalid rules:\n{exc}") from None


def tell_skipped(skipped: list[str]) -> None:
    for note in skipped:
        click.echo(log_safe(f"skipped: {note}"), err=True)


def log_safe(text: str) -> str:
    """Messages name input files, which anybody may name: a CI log must not run them as
    workflow commands (reports.common.log_safe)."""
    from pcd_screen.reports.common import log_safe as safe

    return safe(text)


def load_templates(run_settings) -> dict:
    """The user's report templates by format, read and compiled (a syntax error stops here)."""
    if not run_settings.templates:
        return {}
    from pcd_screen.core.schemas import display_path
    from pcd_screen.reports.usertemplate import TemplateProblem, load_template

    loaded = {}
    for path in run_settings.templates:
        try:
            template = load_template(path, display_path(path))
        except TemplateProblem as exc:
            raise Failure(str(exc)) from None
        loaded[template.fmt] = template
    return loaded


def check_templates_used(run_settings, templates: dict, written: set, hint="add --format") -> None:
    """A template given on the command line for a report that is not written is a mistake; the
    config's templates apply to whichever of their reports a run writes."""
    if run_settings.origin.get("templates") != "flag":
        return
    for fmt, template in sorted(templates.items()):
        if fmt not in written:
            raise click.UsageError(
                f"--template {template.file} is for the {fmt} report, which this run does not "
                f"write: {hint}" + (f" {fmt}" if hint == "add --format" else "")
            )


# Options shared by several commands, defined once.
config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, exists=True),
    help="The config file (default: .pcd-screen.yaml, searched upward from here).",
)
rules_option = click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="An extra rule directory, added to the built-in rules (repeatable).",
)
as_of_option = click.option(
    "--as-of", callback=parse_date, help="Screen as of this date (YYYY-MM-DD); default today."
)
lang_option = click.option(
    "--lang", type=click.Choice(REPORT_LANGUAGES), help="Report language (default: en)."
)
profile_option = click.option(
    "--profile", help="A shipped profile (default, strict) or a profile file."
)
template_option = click.option(
    "--template",
    "templates",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True),
    help="Your own Jinja template for the html or md report, told by its name (*.html.j2, "
    "*.md.j2); it runs in a sandbox. Repeatable, one per format.",
)
max_size_option = click.option(
    "--max-file-size",
    callback=parse_size,
    help="The largest input read whole, e.g. '20 MB' (default: 5 MiB for a proposal file and "
    "for any one text of an IATI file, 200 MiB for a CSV file).",
)


def out_option(help_text: str):
    return click.option(
        "--out", "out_dir", required=True, type=click.Path(file_okay=False), help=help_text
    )


def mapping_options(function):
    """--map COLUMN=field, --map-file FILE and --constant FIELD=VALUE: how a spreadsheet's
    columns are read (docs/import.md, "Column mapping")."""
    function = click.option(
        "--constant",
        "constants",
        multiple=True,
        metavar="FIELD=VALUE",
        help="A value for every row of a spreadsheet, e.g. currency=EUR (repeatable).",
    )(function)
    function = click.option(
        "--map-file",
        type=click.Path(dir_okay=False, exists=True),
        help="A mapping file (YAML: columns: {HEADER: field}, constants: {field: value}).",
    )(function)
    return click.option(
        "--map",
        "column_map",
        multiple=True,
        metavar="COLUMN=field",
        help="Read a spreadsheet column as a field: ProjectTitle=title, "
        "ProjectImplementor=implementer[,] (split on commas), Notes=ignore (repeatable).",
    )(function)


def load_mapping(column_map=(), map_file=None, constants=()) -> dict | None:
    """The mapping of the options: {"columns": {...}, "constants": {...}}, or None."""
    mapping: dict = {"columns": {}, "constants": {}}
    if map_file:
        from pcd_screen.core.located import LoadError
        from pcd_screen.core.yamlread import load_file

        try:  # as any YAML input: a regular file within the size limit, no tags run
            data = load_file(map_file).data or {}
        except LoadError as exc:
            raise Failure(f"invalid mapping file:\n{exc}") from None
        if not isinstance(data, dict) or not set(data) <= {"columns", "constants"}:
            raise Failure(f"{map_file}: expected a mapping with 'columns' and/or 'constants'")
        for key in ("columns", "constants"):
            part = data.get(key) or {}
            if not isinstance(part, dict):
                raise Failure(f"{map_file}: {key}: expected a mapping")
            mapping[key].update({str(k): str(v) for k, v in part.items()})
    given = {item.rpartition("=")[0].strip() for item in constants}
    for key, items in (("columns", column_map), ("constants", constants)):
        for item in items:
            name, sep, value = item.rpartition("=")
            if not sep or not name.strip() or not value.strip():
                raise click.BadParameter(f"{item!r}: expected NAME=VALUE")
            mapping[key][name.strip()] = value.strip()
    if mapping["constants"]:
        from pcd_screen.inputs.csvtable import unknown_field

        for field in mapping["constants"]:
            problem = unknown_field(field)
            if problem:
                where = f"{map_file}: constants" if field not in given else "--constant"
                raise Failure(f"{where}: {problem}")
    return mapping if mapping["columns"] or mapping["constants"] else None
