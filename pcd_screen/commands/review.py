"""`pcd-screen review SHEET`: agreement rates of a filled-in review sheet (batch --review)."""

from __future__ import annotations

import click

from pcd_screen.commands import common
from pcd_screen.commands.common import Failure


@click.command()
@click.argument("sheet", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--run",
    "run_dir",
    type=click.Path(file_okay=False, exists=True),
    help="The batch run folder: the agreement rates go into its portfolio report too.",
)
@common.max_size_option
def command(sheet, run_dir, max_file_size):
    """Read a review sheet back (review.csv of `batch --review N`, with verdict_agree yes/no,
    rules_wrong and reason filled in) and report the agreement per verdict and per rule. A row
    that cannot be counted is reported with its row and column; the exit status is then 2 and
    nothing is printed or written, since the rates would leave it out."""
    from pcd_screen.runs.review import (
        AGREEMENT_FILE,
        RunFolderError,
        SheetError,
        read_sheet,
        run_verdicts,
        section,
        write_into_run,
    )

    try:
        run = run_verdicts(run_dir) if run_dir else None
        agreement = read_sheet(sheet, max_file_size, run)
    except (SheetError, RunFolderError) as exc:
        raise Failure(str(exc)) from None
    problems = agreement["problems"]
    if problems:
        for problem in problems:
            click.echo(common.log_safe(problem), err=True)
        rows = "1 row" if len(problems) == 1 else f"{len(problems)} rows"
        raise Failure(f"{sheet}: {rows} cannot be counted; correct and run again (nothing written)")
    if run_dir:
        try:
            written = write_into_run(run_dir, agreement)
        except RunFolderError as exc:
            raise Failure(str(exc)) from None
    click.echo(section(agreement), nl=False)
    if run_dir:
        reports = [path.name for path in written if path.name != AGREEMENT_FILE]
        click.echo(
            f"agreement written to {run_dir}: {AGREEMENT_FILE}"
            + "".join(f", {name}" for name in reports),
            err=True,
        )
