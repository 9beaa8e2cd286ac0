"""Start-up benchmark: one screening from the command line against yamllint on the same file.

Usage: python bench/bench_startup.py [--runs N] [FILE]
Runs each command N times (default 21), in turns, after one warm-up, and prints the medians of
wall and CPU time. Needs
`pcd-screen` and `yamllint` on the PATH of the running interpreter's environment.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = HERE.parent / "examples" / "border-control-transit-niger.yaml"


# As on a user's machine: Python caches compiled modules (some shells and agents switch it off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(commands: dict[str, list[str]], runs: int) -> tuple[dict, dict]:
    """Wall and CPU (user + system) seconds of each command, `runs` times each. The commands
    take turns, one run each per round, so a slower spell of the machine falls on all of them
    alike instead of on whichever command was running then."""
    import resource

    for command in commands.values():  # warm the caches
        subprocess.run(command, capture_output=True, check=False, env=ENV)
    wall: dict[str, list[float]] = {label: [] for label in commands}
    cpu: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False, env=ENV)
            wall[label].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            cpu[label].append(used)
    return wall, cpu


def instructions(command: list[str]) -> int:
    """Instructions executed (valgrind's callgrind): the same count whatever else the machine
    is doing, so a ratio can be read on a busy machine too (slow: about 50 times the run)."""
    import re
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", *command],
            capture_output=True,
            text=True,
            check=False,
            env=ENV,
        )
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def steps(file: str) -> list[tuple[str, int]]:
    """Instructions of each step of one screening (bench/startup_steps.py marks them)."""
    import glob
    import re
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        env = {**ENV, "STEPS_OUT": f"{tmp}/steps"}
        script = [sys.executable, str(HERE / "startup_steps.py"), file]
        subprocess.run(script, capture_output=True, check=False, env=env)  # warm the caches
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--dump-before=getppid",
                f"--callgrind-out-file={tmp}/out",
                *script,
            ],
            capture_output=True,
            check=False,
            env=env,
        )
        with open(f"{tmp}/steps", encoding="utf-8") as handle:
            names = handle.read().splitlines()
        parts = sorted(glob.glob(f"{tmp}/out.*"), key=lambda p: int(p.rsplit(".", 1)[1]))
        counts = []
        for part in [*parts, f"{tmp}/out"]:
            with open(part, encoding="utf-8") as handle:
                counts.append(
                    int(re.search(r"^(?:summary|totals): (\d+)", handle.read(), re.M).group(1))
                )
    return list(zip(names, counts, strict=True))


def tool(name: str) -> str:
    found = Path(sys.executable).parent / name
    return str(found) if found.exists() else (shutil.which(name) or name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="Also count instructions with valgrind (repeatable on a busy machine).",
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="Only count the instructions of each step of one screening (valgrind), and stop.",
    )
    args = parser.parse_args()
    if args.steps:
        total = 0
        for name, count in steps(args.file):
            total += count
            print(f"{name:52} {count / 1e6:7.1f} M   cumulative {total / 1e6:7.1f} M")
        return 0
    screen = [tool("pcd-screen"), "screen", "--as-of", "2026-11-23", "--fail-on", "never"]
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "import yaml, jsonschema, click, jinja2": [
            sys.executable,
            "-c",
            "import yaml, jsonschema, click, jinja2",
        ],
        "yamllint FILE": [tool("yamllint"), args.file],
        "pcd-screen screen FILE (text)": [*screen, args.file],
        "pcd-screen screen FILE --format json": [*screen, args.file, "--format", "json"],
        "pcd-screen screen FILE --format html": [*screen, args.file, "--format", "html"],
        "pcd-screen screen INVALID (exit 2)": [*screen, str(HERE / "invalid-proposal.yaml")],
    }
    print(f"file: {args.file}; {args.runs} runs each, in turns; seconds")
    print(f"{'':42} {'wall: median':>12} {'min':>6} {'max':>6}   {'CPU: median':>11}")
    wall, cpu = timed(commands, args.runs)
    for label in commands:
        times = wall[label]
        print(
            f"{label:42} {statistics.median(times):12.3f} {min(times):6.3f} {max(times):6.3f}"
            f"   {statistics.median(cpu[label]):11.3f}"
        )
    ours, theirs = "pcd-screen screen FILE (text)", "yamllint FILE"
    for name, figures in (("wall", wall), ("CPU", cpu)):
        ratio = statistics.median(figures[ours]) / statistics.median(figures[theirs])
        print(f"pcd-screen / yamllint, {name} time = {ratio:.3f} (target: at most 1.1)")
    if args.instructions and shutil.which("valgrind"):
        ours = instructions([*screen, args.file])
        theirs = instructions([tool("yamllint"), args.file])
        print(f"instructions: pcd-screen {ours:,}, yamllint {theirs:,}, ratio {ours / theirs:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
