"""The console script `pcd-screen` and `python -m pcd_screen`: the cyclic garbage collector is
turned off before click and the package are imported, not only once they are (commands.main).

Imports make objects that live as long as the process; the collector, run meanwhile, finds
nothing to free but walks them all, again and again (bench/README.md, "Start-up"). `screen`
turns it back on once its session is open (commands.common.session); any other command when it
is chosen (commands._LazyGroup.get_command)."""

import gc


def main():
    gc.disable()
    from pcd_screen.commands import main as run

    run()
