"""`pcd-screen batch`: screen a whole portfolio into an output folder."""

from __future__ import annotations

import sys

import click

from pcd_screen.commands import common
from pcd_screen.commands.common import Failure


@click.command()
@click.argument("paths", nargs=-1, required=True)
@common.out_option("Folder for the reports, results.jsonl, summary.csv and the portfolio report.")
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
@common.config_option
@click.option(
    "--as-of",
    callback=lambda ctx, param, value: common.parse_date(ctx, param, value, ("activity",)),
    help="Screen as of this date (YYYY-MM-DD; default today), or `activity`: each proposal as "
    "of its own start date (reference lists as they stood then; the run's date without one).",
)
@click.option(
    "--currency",
    default="EUR",
    show_default=True,
    help="Currency of the portfolio's totals; budgets converted at the IMF annual average rate "
    "of their year (the rates are listed in the report).",
)
@click.option(
    "--include-implausible",
    is_flag=True,
    help="Keep implausible amounts (larger than any aid activity, or far outside the "
    "publisher's other activities) in the totals; they are listed either way.",
)
@click.option(
    "--review",
    type=click.IntRange(0),
    default=0,
    metavar="N",
    help="Draw a random sample of N proposals, stratified by verdict, into review.csv for a "
    "person to check; `pcd-screen review` reads it back into agreement rates.",
)
@click.option(
    "--review-seed", type=int, default=1, show_default=True, help="Seed of the review sample."
)
@common.lang_option
@common.profile_option
@common.rules_option
@click.option("--waivers", type=click.Path(dir_okay=False), help="The waivers file to apply.")
@common.template_option
@common.max_size_option
@common.mapping_options
def command(
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
    waivers,
    templates,
    max_file_size,
    column_map,
    map_file,
    constants,
    currency,
    include_implausible,
    review,
    review_seed,
):
    """Screen a whole portfolio: files, folders or globs of proposals, IATI XML and CSV.

    Writes one report per proposal, results.jsonl, summary.csv, ruleset.json and
    portfolio.{md,html} into OUT. A bad input is reported and skipped; it never stops the run.
    An interrupted run leaves no half-written file; --resume continues it. The config's rule
    settings, profile and waivers apply as they do in `screen`."""
    import signal
    from datetime import date
    from pathlib import Path

    from pcd_screen import inputs
    from pcd_screen.engine import exchangerates
    from pcd_screen.inputs.discover import NothingFound, discover
    from pcd_screen.reports.usertemplate import TemplateProblem
    from pcd_screen.runs.batch import (
        BatchWriter,
        Options,
        OutputProblem,
        ResumeError,
        fingerprint,
        screen_files,
    )

    currency = currency.upper()
    if currency not in exchangerates.currencies():
        raise click.BadParameter(
            f"{currency!r} is not in the exchange-rate table", param_hint="--currency"
        )
    as_of_activity = as_of == "activity"
    overrides = {
        "lang": lang,
        "as_of": None if as_of_activity else as_of,
        "extends": profile,
        "rule_dirs": list(rule_dirs) or None,
        "waivers": waivers,
        "templates": list(templates) or None,
        "max_file_size": max_file_size,
    }
    settings = common.settings(config_file, overrides)
    settings.as_of = settings.as_of or date.today()  # one day for the main process and workers
    user_templates = common.load_templates(settings)
    skipped: list[str] = []
    try:
        files = discover(list(paths), suffixes=inputs.suffixes(), skipped=skipped)
    except NothingFound as exc:
        common.tell_skipped(skipped)
        raise click.UsageError(str(exc)) from None
    session = common.session(settings)  # checked here, once, before the workers
    mapping = common.load_mapping(column_map, map_file, constants)
    options = Options(
        settings,
        reports,
        detail,
        tuple(sorted(user_templates.items())),
        mapping=mapping,
        as_of_activity=as_of_activity,
        currency=currency,
        include_implausible=include_implausible,
        review=review,
    )
    common.check_templates_used(
        settings, user_templates, {"md", "html"} if reports else set(), "drop --no-reports"
    )
    try:
        run_id = fingerprint(files, options, session)
        writer = BatchWriter(
            Path(out_dir),
            run_id,
            reports,
            resume,
            currency=currency,
            include_implausible=include_implausible,
            as_of_activity=as_of_activity,
            review=review,
            review_seed=review_seed,
        )
    except (ResumeError, OutputProblem) as exc:
        raise Failure(str(exc)) from None
    except OSError as exc:
        raise Failure(_os_error(exc)) from None
    # SIGTERM ends the run as Ctrl-C does: files under way are dropped, the journal is kept.
    # Python's own handler, not SIGINT's: a shell starts a background job with SIGINT ignored.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
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
    except OSError as exc:  # a report that cannot be written (a link or a full disk)
        writer.abort()
        raise Failure(_os_error(exc)) from None
    except KeyboardInterrupt:
        writer.abort()
        message = f"interrupted; `pcd-screen batch --resume` continues the run in {out_dir}"
        raise Failure(message) from None
    except BaseException:
        writer.abort()
        raise
    common.tell_skipped(skipped)
    for error in [*writer.errors, *writer.notes]:
        click.echo(common.log_safe(error), err=True)
    for waiver in session.waivers or ():
        if (waiver.file, waiver.line or 0) not in writer.waivers_matched:
            click.echo(
                common.log_safe(
                    f"{waiver.file}:{waiver.line}: the waiver of {waiver.rule} for "
                    f"{waiver.proposal} matched no finding in this run (stale)"
                ),
                err=True,
            )
    if not writer.portfolio.count:
        writer.abort(keep_journal=False)
        raise Failure("no proposal could be screened")
    problems = [*skipped, *(e for e in writer.errors if not inputs.is_note(e))]
    left_out = inputs.skipped_inputs(writer.errors) + len(skipped)
    try:
        written = writer.finish(files, session, (left_out, problems))
    except OSError as exc:
        writer.abort()
        raise Failure(_os_error(exc)) from None
    except BaseException:
        writer.abort()
        raise
    click.echo(
        f"{writer.portfolio.count} proposals screened, "
        f"{left_out} inputs skipped; "
        f"{len(written)} files written to {out_dir}",
        err=True,
    )


def _os_error(exc: OSError) -> str:
    where = exc.filename or "output"
    return f"{where}: cannot write: {exc.strerror or exc}"
