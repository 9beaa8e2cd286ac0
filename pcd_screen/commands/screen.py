"""`pcd-screen screen`: screen proposal files (and any input kind batch reads), print or write
the reports, exit by the worst verdict."""

from __future__ import annotations

import os
import sys

import click

from pcd_screen.commands import common
from pcd_screen.commands.common import EXIT_FINDINGS, EXIT_OK, Failure
from pcd_screen.core.terms import FAIL_ON
from pcd_screen.reports import FORMATS


def _parse_formats(_ctx, _param, values):
    """--format FORMAT or FORMAT=FILE, repeatable."""
    for value in values:
        name = value.split("=", 1)[0]
        if name not in FORMATS:
            raise click.BadParameter(f"{name!r} is not one of {', '.join(FORMATS)}")
    return list(values)


@click.command()
@click.argument("paths", nargs=-1)
@common.config_option
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
@common.as_of_option
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    help="Exit 1 when a verdict is this bad or worse (default: revise).",
)
@common.rules_option
@common.lang_option
@common.profile_option
@click.option("--waivers", type=click.Path(dir_okay=False), help="The waivers file to apply.")
@click.option(
    "--color/--no-color", default=None, help="Colour the text report (default: on a terminal)."
)
@common.template_option
@common.max_size_option
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Exit 0 when the include/exclude patterns select none of the files (pre-commit's "
    "hook, which hands over every changed YAML file); without it that is a usage error.",
)
def command(
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
    allow_empty,
):
    """Screen proposals: files, directories or glob patterns (YAML, JSON, IATI XML, CSV,
    and documents: .docx, .odt, .pdf; .txt, .md, .html when named).

    With no PATHS, the files the config's include patterns select are screened.
    """
    from pcd_screen import inputs
    from pcd_screen.inputs.discover import NothingFound, discover

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
    settings = common.settings(config_file, overrides)
    user_templates = common.load_templates(settings)
    if not paths and settings.config_file is None:
        raise click.UsageError("no files given, and no .pcd-screen.yaml here or above")
    skipped: list[str] = []
    try:
        if settings.config_file is not None:
            files = discover(
                list(paths),
                settings.include,
                settings.exclude,
                settings.base_dir,
                suffixes=inputs.suffixes(),
                skipped=skipped,
            )
        else:
            files = discover(list(paths), suffixes=inputs.suffixes(), skipped=skipped)
    except NothingFound as exc:
        common.tell_skipped(skipped)
        raise click.UsageError(str(exc)) from None
    common.tell_skipped(skipped)
    if not files:
        # A typo in an include pattern must not make CI silently green. pre-commit hands over
        # whatever YAML changed (the waivers file, a workflow): its hook passes --allow-empty.
        given = "the files given" if paths else "any file"
        message = (
            f"no proposal to screen: the include patterns {list(settings.include)} and the "
            f"exclude patterns {list(settings.exclude)} of {settings.config_file} select none "
            f"of {given}"
        )
        if not allow_empty:
            raise Failure(message + " (--allow-empty makes this exit 0)")
        click.echo(common.log_safe(message), err=True)
        sys.exit(EXIT_OK)

    session = common.session(settings)
    proposals, errors = [], []
    for file in files:
        for item in inputs.proposals(file, session.lang, settings.max_file_size):
            (errors if isinstance(item, str) else proposals).append(item)
    targets = list(settings.formats)
    if not formats and os.environ.get("GITHUB_ACTIONS") == "true":
        targets.insert(0, ("github", None))  # annotations on the pull request's lines
    if errors:
        if ("github", None) in targets:
            from pcd_screen.reports.common import repository_root
            from pcd_screen.reports.github import input_error_annotations

            # on the proposal's line in the pull request, as findings are
            root = repository_root(settings.config_file)
            click.echo(input_error_annotations(errors, root), nl=False)
        raise Failure("\n".join(errors))
    if not proposals:  # a sheet with a header only, an IATI file without an activity
        shown = ", ".join(files)
        raise Failure(
            f"{shown}: no proposal in {'this file' if len(files) == 1 else 'these files'}"
        )
    results = [session.screen(p) for p in proposals]

    from pcd_screen.reports.common import Run, repository_root

    if output is not None:
        on_stdout = [t for t in targets if t[1] is None]
        if len(on_stdout) != 1:
            raise click.UsageError("--output takes one format; use --format FORMAT=FILE for more")
        targets[targets.index(on_stdout[0])] = (on_stdout[0][0], output)
    run = Run(
        fail_on=settings.fail_on,
        help_uri=settings.help_uri,
        expired_waivers=tuple(w.to_dict() for w in session.expired_waivers()),
        stale_waivers=tuple(w.to_dict() for w in session.stale_waivers()),
        # CI paths are the repository's, whatever folder the run started in.
        root=repository_root(settings.config_file),
        sarif_waived=settings.sarif_waived,
        report_files=tuple(str(path) for fmt, path in targets if path and fmt != "github"),
    )
    common.check_templates_used(settings, user_templates, {fmt for fmt, _ in targets})
    if color is None:
        color = sys.stdout.isatty()
    # Every output is rendered before any is written: a failure leaves no partial set.
    rendered = [
        (path, _render(fmt, results, run, settings.lang, color and path is None, user_templates))
        for fmt, path in targets
    ]
    # FORMAT=FILE names a report's place in the repository (reports/pcd.sarif): its folder is
    # made. -o writes one file, as a shell redirection does: its folder must exist. A report
    # path from the config file is the repository's: no link in the repository (which a pull
    # request can add) is followed on the way to it.
    from_config = settings.origin.get("formats") != "flag"
    for path, text in rendered:
        in_repository = bool(run.root) and path is not None and path != output
        in_repository = in_repository and os.path.abspath(path).startswith(
            os.path.join(run.root, "")
        )
        within = run.root if from_config and in_repository else None
        where = None if path is None else str(path if within is None else os.path.abspath(path))
        common.write(where, text, within=within, make_folders=path != output)
    summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_file:
        from pcd_screen.reports.github import step_summary

        with open(summary_file, "a", encoding="utf-8") as handle:
            handle.write(step_summary(results, run))
    sys.exit(exit_status([r.verdict for r in results], settings.fail_on))


def exit_status(verdicts, fail_on: str) -> int:
    """1 when a verdict is as bad as fail_on or worse, else 0."""
    from pcd_screen.core.terms import VERDICTS

    if fail_on == "never":
        return EXIT_OK
    worst = min(VERDICTS.index(v) for v in verdicts)
    return EXIT_FINDINGS if worst <= VERDICTS.index(fail_on) else EXIT_OK


def _render(fmt, results, run, lang, color, templates) -> str:
    from pcd_screen.reports import render

    template = templates.get(fmt)
    if template is None:
        return render(fmt, results, run, lang, color)
    from pcd_screen.reports.usertemplate import TemplateProblem

    try:
        return render(fmt, results, run, lang, template=template)
    except TemplateProblem as exc:
        raise Failure(str(exc)) from None
