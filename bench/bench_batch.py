"""Batch benchmark: N synthetic proposals (variations of the examples) screened by
`pcd-screen batch`, timed with --jobs 1 and --jobs 2, with the peak memory of the run.

Usage: python bench/bench_batch.py [--count 1000]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402 - the generator beside this script


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    tool = str(Path(sys.executable).parent / "pcd-screen")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        synthetic.write_yaml(args.count, inputs)
        print(f"{args.count} proposals")
        for jobs in (1, 2):
            out = Path(tmp) / f"out{jobs}"
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            subprocess.run(
                [
                    tool,
                    "batch",
                    str(inputs),
                    "--out",
                    str(out),
                    "--as-of",
                    "2026-11-23",
                    "--jobs",
                    str(jobs),
                ],
                check=True,
                capture_output=True,
            )
            seconds = time.perf_counter() - start
            peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
            print(
                f"--jobs {jobs}: {seconds:.1f} s, {args.count / seconds:.0f} proposals/s, "
                f"peak RSS of a process {peak:.0f} MB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
