"""One `pcd-screen screen FILE` run with a mark between its steps, for bench_startup.py --steps.

Run under valgrind's callgrind with --dump-before=getppid: every mark (a call of os.getppid,
which nothing else in a screening calls) ends one part of the profile, so the instructions of
each step are counted in one run. The steps are the command's own, found by wrapping the
functions that end them; the wrappers cost next to nothing. The step names are written to the
file named by the environment variable STEPS_OUT.
"""

from __future__ import annotations

import contextlib
import os
import sys

STEPS = []


def mark(name: str) -> None:
    STEPS.append(name)
    os.getppid()


def after(owner, name: str, step: str, consume: bool = False) -> None:
    """Mark `step` when owner.name returns (a generator is consumed first)."""
    function = getattr(owner, name)

    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        if consume:
            result = list(result)
        mark(step)
        return result

    setattr(owner, name, wrapper)


def main() -> None:
    mark("Python itself")
    import gc
    import importlib.util

    if importlib.util.find_spec("pcd_screen.entry"):  # the console script's entry point, since
        gc.disable()  # there is one: the collector off before click and the package are imported
    from pcd_screen import commands
    from pcd_screen.commands import common, main

    if hasattr(commands, "QUIET_START"):  # as commands.main does, since it does
        gc.disable()
    # The modules whose functions end the steps, imported here to wrap them (a screening
    # imports them all anyway).
    from pcd_screen import inputs, reports
    from pcd_screen.commands import screen as _screen  # noqa: F401
    from pcd_screen.engine import ruleset
    from pcd_screen.engine.session import Session

    mark("imports")
    after(common, "settings", "settings: config and profiles")
    after(ruleset, "load_ruleset", "rules: the catalogue loaded, conditions compiled")
    after(common, "session", "session: reference data, rule settings")
    after(inputs, "proposals", "proposal read and validated", consume=True)
    after(Session, "screen", "screening")
    after(reports, "render", "the text report")
    sys.argv = [
        "pcd-screen",
        "screen",
        "--as-of",
        "2026-11-23",
        "--fail-on",
        "never",
        *sys.argv[1:],
    ]
    with contextlib.suppress(SystemExit):
        main()
    mark("written")
    with open(os.environ["STEPS_OUT"], "w", encoding="utf-8") as handle:
        handle.write("\n".join([*STEPS, "exit"]) + "\n")


if __name__ == "__main__":
    main()
