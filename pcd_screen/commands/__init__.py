"""The command line, `pcd-screen COMMAND`: this module parses and dispatches; each command is a
module of this package that wires inputs, the session and the reports, and is imported only
when it runs (start-up pays for one command, not all of them)."""

from __future__ import annotations

from importlib import import_module

import click

# command name -> module of this package; each module defines `command`.
COMMANDS = {
    "screen": "screen",
    "batch": "batch",
    "diff": "diff",
    "import": "importer",
    "review": "review",
    "rules": "rules",
    "schema": "schema",
    "config": "config",
    "refdata": "refdata",
    "init": "init",
    "draft": "draft",
    "vocab": "vocab",
    "serve": "serve",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        module = COMMANDS.get(name)
        if module is None:
            return None
        return import_module(f"{__name__}.{module}").command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pcd-screen", prog_name="pcd-screen")
def cli():
    """Screen development-cooperation proposals for policy coherence for development."""


def main():
    cli(prog_name="pcd-screen")
