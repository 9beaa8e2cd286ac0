"""Command line: wires loading, the engine and the renderers together. No logic of its own.

Heavy modules are imported inside the commands so that start-up stays fast.
Exit codes: 0 below the --fail-on threshold, 1 at or above it, 2 usage, input or rule error.
"""

from __future__ import annotations

import sys
from datetime import date

import click

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "md", "html", "json", "sarif", "junit", "github", "letter", "letter-html")
FAIL_ON = ("block", "revise", "clarify", "never")
# What batch reads: proposal files and portfolio exports.
BATCH_INPUTS = (".yaml", ".yml", ".json", ".csv", ".xml")
# Report languages and their variants (nl = nl-BE; nl-NL, fr-BE change a few words).
from pcd_screen.core.i18n import REPORT_LANGUAGES  # noqa: E402


class Failure(click.ClickException):
    """An input, rule or usage problem: printed without a traceback, exit code 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None):
        click.echo(self.format_message(), err=True)


def _parse_date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (expected YYYY-MM-DD)") from None


def _load_ruleset(extra_dirs):
    from pcd_screen.core.located import LoadError
    from pcd_screen.engine.ruleset import load_ruleset

    try:
        return load_ruleset(extra_dirs)
    except LoadError as exc:
        raise Failure(f"invalid rules:\n{exc}") from None


def _write(output, text: str) -> None:
    """Print, or write the whole text to a file atomically (never a partial report)."""
    if output is None or output == "-":
        click.echo(text, nl=not text.endswith("\n"))
        return
    from pcd_screen.core.outputs import write_atomic

    try:
        write_atomic(output, text)
    except OSError as exc:
        raise Failure(f"{output}: cannot write: {exc.strerror}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pcd-screen", prog_name="pcd-screen")
def cli():
    """Screen development-cooperation proposals for policy coherence for development."""


def _settings(config_file, overrides: dict):
    """The run's settings: flags over the config file (given or found upward) over profiles."""
    from pathlib import Path

    from pcd_screen import config
    from pcd_screen.core.located import LoadError

    path = Path(config_file) if config_file else config.find_config(Path.cwd())
    try:
        return config.load_config(path, overrides)
    except LoadError as exc:
        raise Failure(f"invalid configuration:\n{exc}") from None


def _parse_size(_ctx, _param, value):
    if value is None:
        return None
    from pcd_screen.config import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _parse_formats(_ctx, _param, values):
    """--format FORMAT or FORMAT=FILE, repeatable."""
    for value in values:
        name = value.split("=", 1)[0]
        if name not in FORMATS:
            raise click.BadParameter(f"{name!r} is not one of {', '.join(FORMATS)}")
    return list(values)


# Options shared by several commands, defined once.
_config_option = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, exists=True),
    help="The config file (default: .pcd-screen.yaml, searched upward from here).",
)
_rules_option = click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help="An extra rule directory, added to the built-in rules (repeatable).",
)
_as_of_option = click.option(
    "--as-of", callback=_parse_date, help="Screen as of this date (YYYY-MM-DD); default today."
)
_lang_option = click.option(
    "--lang", type=click.Choice(REPORT_LANGUAGES), help="Report language (default: en)."
)
_profile_option = click.option(
    "--profile", help="A shipped profile (default, strict) or a profile file."
)
_template_option = click.option(
    "--template",
    "templates",
    multiple=True,
    type=click.Path(dir_okay=False, exists=True),
    help="Your own Jinja template for the html or md report, told by its name (*.html.j2, "
    "*.md.j2); it runs in a sandbox. Repeatable, one per format.",
)
_max_size_option = click.option(
    "--max-file-size",
    callback=_parse_size,
    help="The largest input read whole, e.g. '20 MB' (default: 5 MiB for a proposal file and "
    "for any one text of an IATI file, 200 MiB for a CSV file).",
)


def _out_option(help_text: str):
    return click.option(
        "--out", "out_dir", required=True, type=click.Path(file_okay=False), help=help_text
    )


@cli.command()
@click.argument("paths", nargs=-1)
@_config_option
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    callback=_parse_formats,
    help="FORMAT or FORMAT=FILE, repeatable: " + ", ".join(FORMATS) + " (default: text).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write the report (one format) to this file instead of stdout.",
)
@_as_of_option
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    help="Exit 1 when a verdict is this bad or worse (default: revise).",
)
@_rules_option
@_lang_option
@_profile_option
@click.option("--waivers", type=click.Path(dir_okay=False), help="The waivers file to apply.")
@click.option(
    "--color/--no-color", default=None, help="Colour the text report (default: on a terminal)."
)
@_template_option
@_max_size_option
def screen(
    paths,
    config_file,
    formats,
    output,
    as_of,
    fail_on,
    rule_dirs,
    lang,
    profile,
    waivers,
    color,
    templates,
    max_file_size,
):
    """Screen proposals: files, directories or glob patterns (YAML or JSON).

    With no PATHS, the files the config's include patterns select are screened.
    """
    import os

    from pcd_screen.config import apply_rule_settings
    from pcd_screen.core.located import LoadError
    from pcd_screen.engine.evaluate import evaluate
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.result import VERDICTS
    from pcd_screen.inputs.discover import NothingFound, discover
    from pcd_screen.inputs.proposal import load_proposal

    overrides = {
        "fail_on": fail_on,
        "lang": lang,
        "as_of": as_of,
        "rule_dirs": list(rule_dirs) or None,
        "extends": profile,
        "waivers": waivers,
        "formats": formats or None,
        "templates": list(templates) or None,
        "max_file_size": max_file_size,
    }
    settings = _settings(config_file, overrides)
    user_templates = _load_templates(settings)
    if not paths and settings.config_file is None:
        raise click.UsageError("no files given, and no .pcd-screen.yaml here or above")
    skipped: list[str] = []
    try:
        if settings.config_file is not None:
            files = discover(
                list(paths), settings.include, settings.exclude, settings.base_dir, skipped=skipped
            )
        else:
            files = discover(list(paths), skipped=skipped)
    except NothingFound as exc:
        _tell_skipped(skipped)
        raise click.UsageError(str(exc)) from None
    _tell_skipped(skipped)
    if not files:
        # pre-commit hands over whatever YAML changed (the waivers file, a workflow): nothing
        # to screen is a clean run, not an error.
        click.echo(
            "no proposal to screen: the config's include/exclude patterns select none "
            "of the files given",
            err=True,
        )
        sys.exit(EXIT_OK)

    ruleset = _load_ruleset(settings.rule_dirs)
    waiver_list = _load_waivers(settings.waivers, ruleset)
    try:
        ruleset = apply_rule_settings(ruleset, settings)
    except LoadError as exc:
        raise Failure(f"invalid configuration:\n{exc}") from None
    refdata = load_refdata()
    proposals, errors = [], []
    for file in files:
        try:
            proposals.append(load_proposal(file, max_bytes=settings.max_file_size))
        except LoadError as exc:
            errors.append(str(exc))
    if errors:
        raise Failure("\n".join(errors))
    day = settings.as_of or date.today()
    results = [
        evaluate(p, ruleset, refdata, day, settings.lang, settings.unclear_as_flag)
        for p in proposals
    ]
    run = {"fail_on": settings.fail_on, "help_uri": settings.help_uri}
    if waiver_list is not None:
        from pcd_screen.engine.waivers import apply_waivers

        report = apply_waivers(results, waiver_list, day)
        results = report.results
        run["expired_waivers"] = [w.to_dict() for w in report.expired]
        run["stale_waivers"] = [w.to_dict() for w in report.stale]

    targets = list(settings.formats)
    if not formats and os.environ.get("GITHUB_ACTIONS") == "true":
        targets.insert(0, ("github", None))  # annotations on the pull request's lines
    if output is not None:
        on_stdout = [t for t in targets if t[1] is None]
        if len(on_stdout) != 1:
            raise click.UsageError("--output takes one format; use --format FORMAT=FILE for more")
        targets[targets.index(on_stdout[0])] = (on_stdout[0][0], output)
    _check_templates_used(settings, user_templates, {fmt for fmt, _ in targets})
    if color is None:
        color = sys.stdout.isatty()
    # Every output is rendered before any is written: a failure leaves no partial set.
    rendered = [
        (path, _render(fmt, results, run, settings.lang, color and path is None, user_templates))
        for fmt, path in targets
    ]
    for path, text in rendered:
        _write(None if path is None else str(path), text)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        from pcd_screen.reports.github import step_summary

        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(step_summary(results, run))

    if settings.fail_on == "never":
        sys.exit(EXIT_OK)
    worst = min(VERDICTS.index(r.verdict) for r in results)
    sys.exit(EXIT_FINDINGS if worst <= VERDICTS.index(settings.fail_on) else EXIT_OK)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_out_option("Folder for the reports, results.jsonl, summary.csv and the portfolio report.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes screening in parallel.",
)
@click.option(
    "--reports/--no-reports",
    default=True,
    show_default=True,
    help="Write a Markdown and an HTML report per proposal (a large portfolio may not need them).",
)
@click.option(
    "--detail",
    type=click.Choice(["compact", "full"]),
    default="compact",
    show_default=True,
    help="results.jsonl with compact results (the rule texts once, in ruleset.json) or full ones.",
)
@click.option(
    "--resume",
    is_flag=True,
    help="Continue an interrupted run in the same OUT; finished proposals are not screened again.",
)
@_config_option
@_as_of_option
@_lang_option
@_profile_option
@_rules_option
@_template_option
@_max_size_option
def batch(
    paths,
    out_dir,
    jobs,
    reports,
    detail,
    resume,
    config_file,
    as_of,
    lang,
    profile,
    rule_dirs,
    templates,
    max_file_size,
):
    """Screen a whole portfolio: files, folders or globs of proposals, IATI XML and CSV.

    Writes one report per proposal, results.jsonl, summary.csv, ruleset.json and
    portfolio.{md,html} into OUT. A bad input is reported and skipped; it never stops the run.
    An interrupted run leaves no half-written file; --resume continues it."""
    import signal
    from pathlib import Path

    from pcd_screen.core.located import LoadError
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.ruleset import load_ruleset
    from pcd_screen.inputs.discover import NothingFound, discover
    from pcd_screen.reports.usertemplate import TemplateProblem
    from pcd_screen.runs.batch import BatchWriter, Options, ResumeError, fingerprint, screen_files

    overrides = {
        "lang": lang,
        "as_of": as_of,
        "extends": profile,
        "rule_dirs": list(rule_dirs) or None,
        "templates": list(templates) or None,
        "max_file_size": max_file_size,
    }
    settings = _settings(config_file, overrides)
    user_templates = _load_templates(settings)
    skipped: list[str] = []
    try:
        files = discover(list(paths), suffixes=BATCH_INPUTS, skipped=skipped)
        ruleset = load_ruleset(settings.rule_dirs)  # checked here, once, before the workers
    except NothingFound as exc:
        _tell_skipped(skipped)
        raise click.UsageError(str(exc)) from None
    except LoadError as exc:
        raise Failure(f"invalid rules:\n{exc}") from None
    options = Options(
        tuple(settings.rule_dirs or ()),
        settings.as_of or date.today(),
        settings.lang,
        tuple(settings.unclear_as_flag),
        reports,
        detail,
        tuple(sorted(user_templates.items())),
        settings.max_file_size,
    )
    _check_templates_used(
        settings, user_templates, {"md", "html"} if reports else set(), "drop --no-reports"
    )
    try:
        run_id = fingerprint(files, options, ruleset.hash)
        writer = BatchWriter(Path(out_dir), run_id, reports, resume)
    except (ResumeError, OSError) as exc:
        raise Failure(str(exc)) from None
    # SIGTERM ends the run as Ctrl-C does: files under way are dropped, the journal is kept.
    signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGINT))
    show = sys.stderr.isatty()
    try:
        with click.progressbar(
            length=len(files), label="screening", file=sys.stderr, hidden=not show
        ) as bar:
            for key, outputs, problems, _last in screen_files(
                files, options, jobs, frozenset(writer.journaled), bar.update
            ):
                writer.add(key, outputs, problems)
    except TemplateProblem as exc:
        writer.abort(keep_journal=False)
        raise Failure(str(exc)) from None
    except KeyboardInterrupt:
        writer.abort()
        message = f"interrupted; `pcd-screen batch --resume` continues the run in {out_dir}"
        raise Failure(message) from None
    except BaseException:
        writer.abort()
        raise
    _tell_skipped(skipped)
    for error in [*writer.errors, *writer.notes]:
        click.echo(error, err=True)
    if not writer.portfolio.count:
        writer.abort(keep_journal=False)
        raise Failure("no proposal could be screened")
    written = writer.finish(files, ruleset, load_refdata(), options.as_of, options.lang)
    click.echo(
        f"{writer.portfolio.count} proposals screened, "
        f"{len(writer.errors) + len(skipped)} inputs skipped; "
        f"{len(written)} files written to {out_dir}",
        err=True,
    )


@cli.command("diff")
@click.argument("old_run", type=click.Path(exists=True))
@click.argument("new_run", type=click.Path(exists=True))
def diff_runs(old_run, new_run):
    """Compare two batch runs (their output folders): proposals added, removed, and those whose
    verdict or findings changed. Exit 1 when anything differs."""
    from pcd_screen.runs.rundiff import compare_runs, describe_runs, read_run

    try:
        changes = compare_runs(read_run(old_run), read_run(new_run))
    except (OSError, ValueError, KeyError) as exc:
        raise Failure(f"cannot compare: {exc}") from None
    click.echo(describe_runs(changes), nl=False)
    sys.exit(EXIT_FINDINGS if any(changes.values()) else EXIT_OK)


@cli.group("import")
def import_group():
    """Turn published portfolio data (a spreadsheet, IATI XML) into proposal files."""


@import_group.command("csv")
@click.argument("file", type=click.Path(dir_okay=False))
@_out_option("Folder for the proposal files (one YAML file per row).")
@_max_size_option
def import_csv(file, out_dir, max_file_size):
    """One proposal per row of a CSV export (columns: docs/import.md). Bad rows are reported
    and skipped; the exit status is 2 if there were any."""
    from pcd_screen.inputs.csvtable import read_csv

    _write_imported(read_csv(file, max_bytes=max_file_size), out_dir)


@import_group.command("iati")
@click.argument("file", type=click.Path(dir_okay=False))
@_out_option("Folder for the proposal files (one YAML file per activity).")
@click.option(
    "--lang",
    default="en",
    show_default=True,
    help="Language of the narratives to take (falls back to the activity's default).",
)
@_max_size_option
def import_iati(file, out_dir, lang, max_file_size):
    """One proposal per activity of an IATI XML file (2.01-2.03), read as a stream. A bad
    activity is reported and skipped; the exit status is 2 if there were any."""
    from pcd_screen.inputs.iati import ImportedActivity, iter_activities

    items = (
        item.proposal if isinstance(item, ImportedActivity) else item
        for item in iter_activities(file, lang, max_text=max_file_size)
    )
    _write_imported(items, out_dir)


def _write_imported(items, out_dir) -> None:
    """Write each imported proposal as YAML, report each error; exit 2 if any input was bad."""
    from pathlib import Path

    import yaml

    from pcd_screen.runs.batch import base_name, safe_name

    written, errors, taken = 0, 0, set()
    for item in items:
        if not isinstance(item, dict):
            click.echo(str(item), err=True)
            errors += 1
            continue
        name = safe_name(str(item["id"]), taken)
        if name != base_name(str(item["id"])):
            click.echo(
                f"proposal id {item['id']!r} gives the same file name as another: {name}.yaml",
                err=True,
            )
        target = Path(out_dir) / f"{name}.yaml"
        _write(str(target), yaml.safe_dump(item, sort_keys=False, allow_unicode=True, width=100))
        written += 1
    click.echo(f"{written} proposals written to {out_dir}, {errors} problems", err=True)
    sys.exit(EXIT_ERROR if errors else EXIT_OK)


def _tell_skipped(skipped: list[str]) -> None:
    for note in skipped:
        click.echo(f"skipped: {note}", err=True)


def _load_waivers(path, ruleset):
    if path is None:
        return None
    from pcd_screen.core.located import LoadError
    from pcd_screen.engine.waivers import check_rule_ids, load_waivers

    try:
        found = load_waivers(path)
        # Against the whole catalogue: a waiver for a rule the config disables is stale.
        check_rule_ids(found, [rule.id for rule in ruleset.rules])
    except LoadError as exc:
        raise Failure(f"invalid waivers:\n{exc}") from None
    return found


def _load_templates(settings) -> dict:
    """The user's report templates by format, read and compiled (a syntax error stops here)."""
    if not settings.templates:
        return {}
    from pcd_screen.config import display_path
    from pcd_screen.reports.usertemplate import TemplateProblem, load_template

    loaded = {}
    for path in settings.templates:
        try:
            template = load_template(path, display_path(path))
        except TemplateProblem as exc:
            raise Failure(str(exc)) from None
        loaded[template.fmt] = template
    return loaded


def _check_templates_used(settings, templates: dict, written: set, hint="add --format") -> None:
    """A template given on the command line for a report that is not written is a mistake; the
    config's templates apply to whichever of their reports a run writes."""
    if settings.origin.get("templates") != "flag":
        return
    for fmt, template in sorted(templates.items()):
        if fmt not in written:
            raise click.UsageError(
                f"--template {template.file} is for the {fmt} report, which this run does not "
                f"write: {hint}" + (f" {fmt}" if hint == "add --format" else "")
            )


def _render(fmt: str, results, run: dict, lang: str, color: bool, templates: dict) -> str:
    if fmt == "sarif":
        from pcd_screen.reports.sarif import render_sarif

        return render_sarif(results, run)
    if fmt == "junit":
        from pcd_screen.reports.junit import render_junit

        return render_junit(results, run)
    if fmt == "github":
        from pcd_screen.reports.github import render_github

        return render_github(results, run)
    from pcd_screen.reports.templated import render

    template = templates.get(fmt)
    if template is None:
        return render(results, fmt, lang=lang, color=color, run=run)
    from pcd_screen.reports.usertemplate import TemplateProblem

    try:
        return render(results, fmt, lang=lang, run=run, template=template)
    except TemplateProblem as exc:
        raise Failure(str(exc)) from None


@cli.group()
def rules():
    """List, show, validate and test the rule catalogue."""


@rules.command("list")
@_rules_option
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="en")
def rules_list(rule_dirs, lang):
    """One line per rule: id, principle, severity, kind, sources, title."""
    ruleset = _load_ruleset(rule_dirs)
    for rule in ruleset.rules:
        sources = ", ".join(f"{s['doc']} {s['section']}" for s in rule.sources)
        click.echo(
            f"{rule.id:8} {rule.principle:26} {rule.severity:8} {rule.kind:8} "
            f"{rule.text('title', lang)}  [{sources}]"
        )
    principles = sorted({r.principle for r in ruleset.rules})
    click.echo(
        f"\n{len(ruleset.rules)} rules across {len(principles)} principles; ruleset {ruleset.hash}"
    )


@rules.command("show")
@click.argument("rule_id")
@_rules_option
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="en")
@click.option("--explain", is_flag=True, help="The conditions as plain sentences.")
def rules_show(rule_id, rule_dirs, lang, explain):
    """Show one rule in full, as YAML, or (--explain) its conditions in plain language."""
    import yaml

    ruleset = _load_ruleset(rule_dirs)
    rule = ruleset.get(rule_id)
    if rule is None:
        raise Failure(f"no rule {rule_id!r}; see `pcd-screen rules list`")
    if explain:
        from pcd_screen.reports.explain import explain_rule

        click.echo(f"{rule.id} · {rule.principle} · {rule.text('title', lang)}")
        click.echo("\n".join(explain_rule(rule, lang)))
        return
    click.echo(f"# {rule.file}:{rule.line}")
    click.echo(yaml.safe_dump(rule.raw, sort_keys=False, allow_unicode=True, width=100), nl=False)


def _run_fixtures(directory, verbose, fail_on_untested=True):
    from pcd_screen.core.located import LoadError
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.ruleset import load_ruleset
    from pcd_screen.runs.fixtures import coverage_gaps, run_fixtures

    try:
        if directory:
            ruleset = load_ruleset([directory], validate=True, builtin=False)
        else:
            ruleset = load_ruleset(validate=True)
    except LoadError as exc:
        raise Failure(f"invalid rules:\n{exc}") from None
    from pcd_screen.engine.ruleset import missing_translations

    untranslated = missing_translations(ruleset)
    if untranslated:
        raise Failure("missing translations:\n" + "\n".join(map(str, untranslated)))
    refdata = load_refdata()
    results = run_fixtures(ruleset, refdata)
    failed = [r for r in results if not r.passed]
    for result in results if verbose else failed:
        mark = "PASS" if result.passed else "FAIL"
        line = (
            f"{mark} {result.rule_id} #{result.index + 1} {result.name}: expected {result.expected}"
        )
        if not result.passed:
            line += f", got {result.actual}" + (f" ({result.detail})" if result.detail else "")
        click.echo(line)
    gaps = [(r.id, gap) for r in ruleset.rules for gap in coverage_gaps(r, ruleset, refdata)]
    for rule_id, gap in gaps:
        click.echo(f"GAP  {rule_id}: {gap}")
    click.echo(
        f"{len(ruleset.rules)} rules, {len(results)} fixtures: "
        f"{len(results) - len(failed)} passed, {len(failed)} failed, {len(gaps)} coverage gaps"
    )
    return 1 if failed or (gaps and fail_on_untested) else 0


@rules.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def rules_validate(directory):
    """Check rule files (schema, ids, sources, lexicon) and run every fixture. Exit 2 if invalid."""
    code = _run_fixtures(directory, verbose=False)
    sys.exit(EXIT_ERROR if code else EXIT_OK)


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option(
    "--fail-on-untested",
    is_flag=True,
    help="Also exit 1 when a rule lacks a must-flag or must-not-flag fixture, or a fixture "
    "tests nothing.",
)
def rules_test(directory, fail_on_untested):
    """Run every rule fixture and print PASS/FAIL per fixture. Exit 1 on a failure."""
    sys.exit(_run_fixtures(directory, verbose=True, fail_on_untested=fail_on_untested))


@rules.command("doc")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("md", "html", "csv")),
    multiple=True,
    help="Formats to write (default: all three).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="docs/catalogue",
    show_default=True,
)
@click.option("--lang", type=click.Choice(REPORT_LANGUAGES), default="en")
@_rules_option
def rules_doc(fmt, out_dir, lang, rule_dirs):
    """Write the published catalogue: every rule, its condition in words and its sources."""
    from pathlib import Path

    from pcd_screen.reports.catalogue import FORMATS, render_catalogue

    ruleset = _load_ruleset(rule_dirs)
    for name in fmt or FORMATS:
        target = Path(out_dir) / FORMATS[name]
        _write(str(target), render_catalogue(ruleset, name, lang))
        click.echo(f"wrote {target}", err=True)


@rules.command("diff")
@click.argument("old_dir", type=click.Path(file_okay=False, exists=True))
@click.argument("new_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--corpus", required=True, multiple=True, help="Proposal files or folders.")
@_as_of_option
def rules_diff(old_dir, new_dir, corpus, as_of):
    """Screen a corpus with two rule folders and list every proposal whose verdict or findings
    change. Exit 1 when something changes, 0 when nothing does."""
    from pcd_screen.core.located import LoadError
    from pcd_screen.engine.refdata import load_refdata
    from pcd_screen.engine.ruleset import load_ruleset
    from pcd_screen.inputs.discover import NothingFound, discover
    from pcd_screen.inputs.proposal import load_proposal
    from pcd_screen.runs.rulesdiff import compare, describe

    try:
        old = load_ruleset([old_dir], validate=True, builtin=False)
        new = load_ruleset([new_dir], validate=True, builtin=False)
        files = discover(list(corpus))
        proposals = [load_proposal(f) for f in files]
    except NothingFound as exc:
        raise click.UsageError(str(exc)) from None
    except LoadError as exc:
        raise Failure(str(exc)) from None
    changes = compare(proposals, old, new, load_refdata(), as_of or date.today())
    click.echo(describe(changes, len(proposals)), nl=False)
    sys.exit(EXIT_FINDINGS if changes else EXIT_OK)


@cli.command()
@click.argument("name", type=click.Choice(("proposal", "rule", "result", "config", "waivers")))
def schema(name):
    """Print the JSON Schema of a proposal, a rule, a result, the config file or waivers."""
    import json

    if name == "rule":
        from pcd_screen.engine.ruleset import rule_schema

        document = rule_schema()
    else:
        from pcd_screen.inputs.proposal import load_schema

        document = load_schema(name)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@cli.group("config")
def config_group():
    """Inspect the configuration in effect."""


@config_group.command("show")
@_config_option
@_profile_option
def config_show(config_file, profile):
    """Print the effective settings and where each came from (flag, file, profile, default)."""
    from pcd_screen.config import show

    click.echo(show(_settings(config_file, {"extends": profile})), nl=False)


@cli.command()
def refdata():
    """List the reference-data tables with their source and version."""
    from pcd_screen.engine.refdata import load_refdata

    for table in load_refdata().tables():
        click.echo(f"{table['name']}  (version {table['version']}, {table.get('rows', '?')} rows)")
        click.echo(f"  {table['title']}")
        click.echo(f"  source: {table['source']}")
        if table.get("coverage"):
            click.echo(f"  coverage: {table['coverage']}")
        for gap in table.get("gaps") or []:
            click.echo(f"  gap: {gap}")


@cli.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False), default="proposal.yaml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path, force):
    """Write a commented proposal template (valid as it stands) to PATH."""
    import os

    from pcd_screen.core.paths import DATA_DIR

    if os.path.exists(path) and not force:
        raise Failure(f"{path} exists; use --force to overwrite it")
    _write(path, (DATA_DIR / "proposal-template.yaml").read_text(encoding="utf-8"))
    click.echo(f"wrote {path}; fill it in, then run: pcd-screen screen {path}", err=True)


def main():
    cli(prog_name="pcd-screen")


if __name__ == "__main__":  # pragma: no cover
    main()
