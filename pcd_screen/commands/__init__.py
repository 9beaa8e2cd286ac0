"""The command line, `pcd-screen COMMAND`: this module parses and dispatches; each command is a
module of this package that wires inputs, the session and the reports, and is imported only
when it runs (start-up pays for one command, not all of them)."""

from __future__ import annotations

import gc
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


# Commands that keep the cyclic garbage collector off until their session is open (see main).
QUIET_START = frozenset({"screen"})


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        module = COMMANDS.get(name)
        if module is None:
            return None
        if name not in QUIET_START:
            gc.enable()
        return import_module(f"{__name__}.{module}").command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pcd-screen", prog_name="pcd-screen")
def cli():
    """Screen development-cooperation proposals for policy coherence for development."""


def main():
    # Start-up makes objects that live as long as the process: modules, then the catalogue,
    # lexicons and reference data a session loads. The cyclic collector, run meanwhile, finds
    # nothing to free but walks them all, again and again, and once more at exit (about 6 % of
    # one screening's instructions, bench/README.md "Start-up"). So it is off from here until
    # the session is open (common.session then freezes what was loaded, out of the collector's
    # sight, and turns it on), or until a command not in QUIET_START is chosen.
    gc.disable()
    try:
        cli(prog_name="pcd-screen")
    finally:
        gc.enable()
