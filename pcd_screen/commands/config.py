"""`pcd-screen config show`: the settings in effect and where each came from."""

from __future__ import annotations

import click

from pcd_screen.commands import common


@click.group("config")
def command():
    """Inspect the configuration in effect."""


@command.command("show")
@common.config_option
@common.profile_option
def config_show(config_file, profile):
    """Print the effective settings and where each came from (flag, file, profile, default)."""
    from pcd_screen.config import show

    click.echo(show(common.settings(config_file, {"extends": profile})), nl=False)
