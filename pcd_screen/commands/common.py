"""What the commands share: exit codes, the error that prints without a traceback, the options
several commands take, and the small wiring steps they repeat (settings, session, writing)."""

from __future__ import annotations

from datetime import date

import click

from pcd_screen.core.terms import REPORT_LANGUAGES

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class Failure(click.ClickException):
    """An input, rule or usage problem: printed without a traceback, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None):
        click.echo(self.format_message(), err=True)


def parse_date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (expected YYYY-MM-DD)") from None


def parse_size(_ctx, _param, value):
    if value is None:
        return None
    from pcd_screen.config import parse_size as parse

    try:
        return parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def write(output, text: str | bytes) -> None:
    """Print, or write the whole text to a file atomically (never a partial report)."""
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
        write_atomic(output, text)
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
        return open_session(run_settings, ruleset)
    except SessionProblem as exc:
        raise Failure(str(exc)) from None


def load_ruleset(extra_dirs=(), **options):
    from pcd_screen.core.located import LoadError
    from pcd_screen.engine.ruleset import load_ruleset as load

    try:
        return load(extra_dirs, **options)
    except LoadError as exc:
        raise Failure(f"invalid rules:\n{exc}") from None


def tell_skipped(skipped: list[str]) -> None:
    for note in skipped:
        click.echo(f"skipped: {note}", err=True)


def load_templates(run_settings) -> dict:
    """The user's report templates by format, read and compiled (a syntax error stops here)."""
    if not run_settings.templates:
        return {}
    from pcd_screen.config import display_path
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
