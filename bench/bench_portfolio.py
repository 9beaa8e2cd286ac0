"""Portfolio benchmark: N synthetic IATI activities (bench/synthetic.py) imported and screened.

Two measurements:

1. Side by side, in this one process, on the same file: importing alone (parse, map and
   validate every activity) against importing and screening (the same, then evaluating the
   rules and serialising each result as batch does for results.jsonl and summary.csv).
2. The real command, `pcd-screen batch FILE --out DIR --no-reports --jobs J`, timed from
   outside, with the peak memory of all its processes together (sampled from /proc).

Usage: python bench/bench_portfolio.py [--count 10000] [--jobs 2] [--skip-side-by-side]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synthetic  # noqa: E402 - the generator beside this script

AS_OF = "2026-11-23"


def side_by_side(source: Path) -> tuple[float, float, int]:
    """Seconds for import alone and for import + screening, in this process."""
    from pcd_screen import config
    from pcd_screen.inputs.iati import ImportedActivity, iter_activities
    from pcd_screen.runs import batch

    settings = config.load_config(None, {"as_of": date.fromisoformat(AS_OF)})
    options = batch.Options(settings, reports=False, detail="compact")
    batch._init_worker(options)
    # Warm up both paths (reference data, lexicon, schema check) on a few other activities.
    warm = source.with_name("warm-up.xml")
    synthetic.write_iati(50, warm)
    for task in batch.tasks([str(warm)], "en"):
        batch.screen_task(task)
    start = time.perf_counter()
    count = sum(isinstance(i, ImportedActivity) for i in iter_activities(str(source)))
    imported = time.perf_counter() - start
    start = time.perf_counter()
    for task in batch.tasks([str(source)], "en"):
        batch.screen_task(task)
    screened = time.perf_counter() - start
    return imported, screened, count


def peak_rss_of_tree(pid: int, stop: threading.Event, peak: list) -> None:
    """Sum of the resident memory of pid and its descendants, sampled every 50 ms."""
    while not stop.is_set():
        total = 0
        for proc in os.listdir("/proc"):
            if not proc.isdigit():
                continue
            try:
                with open(f"/proc/{proc}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                if int(proc) != pid and not _descends(int(proc), pid):
                    continue
                total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
            except (OSError, IndexError, ValueError):
                continue
        peak[0] = max(peak[0], total)
        stop.wait(0.05)


def _descends(proc: int, ancestor: int) -> bool:
    for _ in range(8):
        try:
            with open(f"/proc/{proc}/stat") as handle:
                proc = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return False
        if proc == ancestor:
            return True
        if proc <= 1:
            return False
    return False


def run_batch(source: Path, out: Path, jobs: int) -> tuple[float, float]:
    """Wall seconds and peak MB of all processes of `pcd-screen batch`."""
    tool = str(Path(sys.executable).parent / "pcd-screen")
    command = [tool, "batch", str(source), "--out", str(out), "--no-reports"]
    command += ["--as-of", AS_OF, "--jobs", str(jobs)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=peak_rss_of_tree, args=(process.pid, stop, peak))
    sampler.start()
    _out, err = process.communicate()
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    if process.returncode != 0:
        sys.exit(f"batch failed: {err.decode()}")
    return seconds, peak[0] / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-side-by-side", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "activities.xml"
        synthetic.write_iati(args.count, source)
        size = source.stat().st_size / 2**20
        print(f"{args.count:,} synthetic IATI activities, {size:.0f} MB")
        if not args.skip_side_by_side:
            imported, screened, count = side_by_side(source)
            print(
                f"import alone: {imported:.1f} s ({imported / count * 1000:.2f} ms/activity); "
                f"import + screen: {screened:.1f} s ({screened / count * 1000:.2f} ms/activity); "
                f"ratio {screened / imported:.2f} (target <= 2)"
            )
        seconds, peak = run_batch(source, Path(tmp) / "out", args.jobs)
        lines = (Path(tmp) / "out" / "results.jsonl").stat().st_size / 2**20
        print(
            f"pcd-screen batch --jobs {args.jobs} --no-reports: {seconds:.1f} s, "
            f"{args.count / seconds:.0f} activities/s, peak memory of all processes "
            f"{peak:.0f} MB; results.jsonl {lines:.0f} MB"
        )
        print(f"100,000 activities at this rate: {100_000 / (args.count / seconds):.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
