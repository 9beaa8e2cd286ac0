"""`pcd-screen diff`: two batch runs compared."""

from __future__ import annotations

import sys

import click

from pcd_screen.commands.common import EXIT_FINDINGS, EXIT_OK, Failure, log_safe, parse_size


@click.command("diff")
@click.argument("old_run", type=click.Path(exists=True))
@click.argument("new_run", type=click.Path(exists=True))
@click.option(
    "--max-file-size",
    callback=parse_size,
    help="The largest results.jsonl read, e.g. '2 GB' (default: 1 GiB).",
)
def command(old_run, new_run, max_file_size):
    """Compare two batch runs (their output folders): proposals added, removed, and those whose
    verdict or findings changed. Exit 1 when anything differs."""
    from pcd_screen.runs.rundiff import compare_runs, describe_runs, read_run

    notes: list[str] = []
    try:
        old, new = (read_run(run, max_file_size, notes) for run in (old_run, new_run))
        changes = compare_runs(old, new)
    except (OSError, ValueError, KeyError) as exc:
        raise Failure(f"cannot compare: {exc}") from None
    for note in notes:
        click.echo(log_safe(note), err=True)
    click.echo(describe_runs(changes), nl=False)
    sys.exit(EXIT_FINDINGS if any(changes.values()) else EXIT_OK)
