"""`pcd-screen review SHEET`: agreement rates of a filled-in review sheet (batch --review)."""

from __future__ import annotations

import click

from pcd_screen.commands.common import Failure


@click.command()
@click.argument("sheet", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--run",
    "run_dir",
    type=click.Path(file_okay=False, exists=True),
    help="The batch run folder: the agreement rates go into its portfolio report too.",
)
def command(sheet, run_dir):
    """Read a review sheet back (review.csv of `batch --review N`, with verdict_agree yes/no,
    rules_wrong and reason filled in) and report the agreement per verdict and per rule."""
    import json
    from pathlib import Path

    from pcd_screen.core.outputs import write_atomic
    from pcd_screen.runs.review import SheetError, insert_into_report, read_sheet, section

    try:
        agreement = read_sheet(sheet)
    except (SheetError, OSError, UnicodeDecodeError) as exc:
        raise Failure(str(exc)) from None
    for problem in agreement["problems"]:
        click.echo(problem, err=True)
    click.echo(section(agreement), nl=False)
    if run_dir:
        out = Path(run_dir)
        write_atomic(out / "review-agreement.json", json.dumps(agreement, indent=1) + "\n")
        for name, html in (("portfolio.md", False), ("portfolio.html", True)):
            insert_into_report(out / name, section(agreement, html=html))
        click.echo(
            f"agreement written to {out / 'review-agreement.json'} and the portfolio report",
            err=True,
        )
