"""`pcd-screen refdata`: the reference-data tables, their sources, versions and gaps."""

from __future__ import annotations

import click


@click.command()
def command():
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
