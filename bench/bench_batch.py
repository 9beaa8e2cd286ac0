"""Batch benchmark: N synthetic proposals (variations of the examples) screened by
`pcd-screen batch`, timed with --jobs 1 and --jobs 2, with the peak memory of the run.

Usage: python bench/bench_batch.py [--count 1000]
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
COUNTRIES = ["NER", "MLI", "TCD", "ETH", "SEN", "GMB", "MAR", "TUN", "LBY", "NGA", "UGA", "SDN"]


def generate(folder: Path, count: int) -> None:
    """Proposals made from the examples, with other ids, countries and budgets (seeded)."""
    rng = random.Random(20261123)
    examples = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.yaml"))
    ]
    for number in range(count):
        data = dict(examples[number % len(examples)])
        data["id"] = f"SYN-{number:06d}"
        scale = rng.choice([0.5, 1, 2, 3])
        if isinstance(data.get("budget"), dict) and data["budget"].get("total"):
            data["budget"] = {**data["budget"], "total": data["budget"]["total"] * scale}
            data["activities"] = [
                {**a, "budget": a["budget"] * scale} if a.get("budget") else a
                for a in data.get("activities") or []
            ]
        if data.get("countries") and len(data["countries"]) == 1:
            data["countries"] = [{"code": rng.choice(COUNTRIES), "percentage": 100}]
        (folder / f"p{number:06d}.yaml").write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    tool = str(Path(sys.executable).parent / "pcd-screen")
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        generate(inputs, args.count)
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
