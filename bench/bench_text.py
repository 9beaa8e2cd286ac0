"""Benchmark of the text layer: sentence splitting, lemmas and frame matching per ~3 KB
proposal, and what its first use costs a single screening. Not a test: nothing fails when the
machine is slow. Figures in bench/README.md.

Usage: python bench/bench_text.py [--runs N]
With simplemma, pysbd or py3langid installed it also times them for comparison (they are not
used at run time).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from pcd_screen.engine.text.reader import TEXT_FIELDS, read, texts_of  # noqa: E402

CASES = ROOT / "eval" / "prose"


def proposals() -> list[tuple[str, list[str]]]:
    """(language, free-text values) of the eval/prose proposals, each about 3 KB of text."""
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        if path.name == "expected.yaml":
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append((data.get("language", "en"), [t for _p, t in texts_of(data, TEXT_FIELDS)]))
    return out


def per_proposal(runs: int, clock=time.perf_counter) -> tuple[float, float, int]:
    """Median and minimum milliseconds to read one proposal's free text (cache cleared)."""
    items = proposals()
    for lang, texts in items:  # warm: each language's tables loaded once
        for text in texts:
            read(text, lang)
    times = []
    for _ in range(runs):
        start = clock()
        for lang, texts in items:
            read.cache_clear()  # measure the reading, not the cache
            for text in texts:
                read(text, lang)
        times.append((clock() - start) / len(items))
    size = statistics.mean(sum(len(t.encode()) for t in texts) for _l, texts in items)
    return statistics.median(times) * 1000, min(times) * 1000, int(size)


def first_use() -> dict[str, float]:
    """Milliseconds, in a fresh interpreter (bytecode cache on), to import the text layer and
    read one sentence per language: frames and the form tables come from the data bundle."""
    code = (
        "import time; t=time.perf_counter();"
        "from pcd_screen.engine.text.reader import read;"
        "a=time.perf_counter(); read('The project will fund a detention centre.', 'en');"
        "b=time.perf_counter(); read('Het project financiert een detentiecentrum.', 'nl');"
        "c=time.perf_counter();"
        "print((a-t)*1000, (b-a)*1000, (c-b)*1000)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    rows = []
    for _ in range(7):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        rows.append([float(x) for x in out.stdout.split()])
    med = [statistics.median(col) for col in zip(*rows, strict=True)]
    return {"import": med[0], "first en text": med[1], "first nl text": med[2]}


def libraries(text: str) -> dict[str, str]:
    """The candidate libraries on the same text, when installed."""
    out = {}
    try:
        import pysbd

        segmenter = pysbd.Segmenter(language="en", clean=False)
        segmenter.segment(text)
        start = time.perf_counter()
        segmenter.segment(text)
        out["pysbd sentence split (warm)"] = f"{(time.perf_counter() - start) * 1000:.1f} ms"
    except ImportError:
        pass
    try:
        import simplemma

        start = time.perf_counter()
        simplemma.lemmatize("centres", lang="en")
        out["simplemma first use (en)"] = f"{(time.perf_counter() - start) * 1000:.0f} ms"
        words = text.split()
        start = time.perf_counter()
        for word in words:
            simplemma.lemmatize(word, lang="en")
        out["simplemma lemmas of the text (warm)"] = (
            f"{(time.perf_counter() - start) * 1000:.1f} ms"
        )
    except ImportError:
        pass
    try:
        import py3langid

        start = time.perf_counter()
        py3langid.classify(text)
        out["py3langid first classification"] = f"{(time.perf_counter() - start) * 1000:.0f} ms"
    except ImportError:
        pass
    return out


def main(argv: list[str]) -> int:
    runs = int(argv[argv.index("--runs") + 1]) if "--runs" in argv else 20
    median, best, size = per_proposal(runs)
    cpu_median, cpu_best, _size = per_proposal(runs, time.process_time)
    print(f"text layer per proposal (27 eval/prose proposals, mean {size} bytes of free text):")
    print(f"  wall: median {median:.3f} ms, min {best:.3f} ms  ({runs} runs of all 27)")
    print(f"  cpu:  median {cpu_median:.3f} ms, min {cpu_best:.3f} ms")
    print(f"  per 3 KB (scaled by size, wall median): {median * 3072 / size:.3f} ms")
    print("first use in a fresh interpreter (median of 7):")
    for name, ms in first_use().items():
        print(f"  {name}: {ms:.1f} ms")
    english = next(texts for lang, texts in proposals() if lang == "en")
    for name, figure in libraries(" ".join(english)).items():
        print(f"  {name}: {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
