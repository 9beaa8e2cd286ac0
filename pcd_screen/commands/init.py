"""`pcd-screen init`: a commented proposal template."""

from __future__ import annotations

import click

from pcd_screen.commands import common
from pcd_screen.commands.common import Failure


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False), default="proposal.yaml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def command(path, force):
    """Write a commented proposal template (valid as it stands) to PATH."""
    import os

    from pcd_screen.core.paths import DATA_DIR

    if os.path.exists(path) and not force:
        raise Failure(f"{path} exists; use --force to overwrite it")
    common.write(path, (DATA_DIR / "proposal-template.yaml").read_text(encoding="utf-8"))
    click.echo(f"wrote {path}; fill it in, then run: pcd-screen screen {path}", err=True)
