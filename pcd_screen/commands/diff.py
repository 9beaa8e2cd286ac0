"""`pcd-screen diff`: two batch runs compared."""

from __future__ import annotations

import sys

import click

from pcd_screen.commands.common import EXIT_FINDINGS, EXIT_OK, Failure


@click.command("diff")
@click.argument("old_run", type=click.Path(exists=True))
@click.argument("new_run", type=click.Path(exists=True))
def command(old_run, new_run):
    """Compare two batch runs (their output folders): proposals added, removed, and those whose
    verdict or findings changed. Exit 1 when anything differs."""
    from pcd_screen.runs.rundiff import compare_runs, describe_runs, read_run

    try:
        changes = compare_runs(read_run(old_run), read_run(new_run))
    except (OSError, ValueError, KeyError) as exc:
        raise Failure(f"cannot compare: {exc}") from None
    click.echo(describe_runs(changes), nl=False)
    sys.exit(EXIT_FINDINGS if any(changes.values()) else EXIT_OK)
