"""The console script `pcd-screen` and `python -m pcd_screen`: the cyclic garbage collector is
turned off before click and the package are imported, not only once they are (commands.main).

Imports make objects that live as long as the process; the collector, run meanwhile, finds
nothing to free but walks them all, again and again (bench/README.md, "Start-up"). `screen`
turns it back on once its session is open (commands.common.session); any other command when it
is chosen (commands._LazyGroup.get_command).

When the command is done, the process ends without the interpreter's clean-up, which would free
every module and object one by one (about 2 % of a screening's instructions): the exit handlers
still run (multiprocessing's, temporary directories'), and the standard streams are flushed."""

import atexit
import gc
import os
import sys


def main():
    gc.disable()
    from pcd_screen.commands import main as run

    try:
        run()
        code = 0
    except SystemExit as exc:
        code = _status(exc.code)
    atexit._run_exitfuncs()  # what the interpreter would run first at exit
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            code = code or 1
    os._exit(code)


def _status(code) -> int:
    """The exit status sys.exit(code) gives: None is 0, a number itself, anything else is
    printed and gives 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
