"""Memory of a new user's first build: many small real-looking articles, default settings, one command.

    python bench/bench_memory.py --articles 50000 --work W     # the case of issue 16: target < 2 GB
    python bench/bench_memory.py --articles 2000 --work W      # a quick look

Writes ``--articles`` articles into ``W/project/seeds`` (one real paragraph of PolNeAR or BBC each, a date
header, numbered so every file is its own text), then runs ``briefgen build`` there in a fresh process with
an empty cache, as ``pip install`` then ``briefgen build`` would. The whole process tree (the build, its
extraction workers, its forked renderers, Pagefind) is sampled every 100 ms; its memory is the sum of each
process's PSS (``/proc/PID/smaps_rollup``), so pages that forked processes share are counted once. Prints
the peak, which processes held it, and the time; ``--warm`` also rebuilds with the extraction cache kept and
the site and search index removed (the render-and-index peak alone).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import TreeSampler

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
SAMPLE_SECONDS = 0.1


def paragraphs(data: Path) -> list[str]:
    """Body paragraphs (not headlines) of the real corpora, long enough to read as a short news item."""
    files = sorted((data / "polnear" / "text").glob("*.txt")) + sorted((data / "bbc" / "articles").rglob("*.txt"))
    if not files:
        sys.exit(f"{data}: corpora not found (see ../shared/data/README.md)")
    found: list[str] = []
    for path in files:
        parts = [p.strip() for p in path.read_text(encoding="utf-8", errors="replace").split("\n\n")]
        found.extend(p for p in parts[1:] if len(p) > 200)
    return found


def write_articles(seeds: Path, count: int, data: Path) -> None:
    """``count`` seed-format articles, each one paragraph; every one differs (an item number ends it)."""
    seeds.mkdir(parents=True)
    texts = paragraphs(data)
    rng = random.Random(16)
    start = dt.date(2016, 1, 1)
    for i in range(count):
        day = start + dt.timedelta(days=rng.randrange(730))
        (seeds / f"item-{i:06d}.txt").write_text(f" date {day.isoformat()} {texts[i % len(texts)]} (item {i})\n",
                                                 encoding="utf-8")


def measured_build(project: Path) -> tuple[float, int, dict[str, tuple[int, int]], str]:
    """Run ``briefgen build`` in ``project``: (seconds, peak tree PSS in MB, (MB, processes) per process
    name at the peak, the build's last output line)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "build"], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sampler = TreeSampler(proc.pid, "Pss", seconds=SAMPLE_SECONDS)
    output, _ = proc.communicate()
    sampler.stop()
    peak, at_peak = sampler.peak, sampler.at_peak
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"briefgen build failed:\n{output[-3000:]}")
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return seconds, peak >> 10, {k: (kb >> 10, n) for k, (kb, n) in sorted(at_peak.items(), key=lambda kv: -kv[1][0])}, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=50_000, help="how many small articles (default: %(default)s)")
    parser.add_argument("--work", type=Path, required=True, help="a scratch folder (replaced)")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared corpora (default: %(default)s)")
    parser.add_argument("--warm", action="store_true", help="also rebuild with only the extraction cache kept")
    args = parser.parse_args()
    project = args.work / "project"
    shutil.rmtree(project, ignore_errors=True)
    write_articles(project / "seeds", args.articles, args.data)
    print(f"{args.articles:,} one-paragraph articles in {project / 'seeds'}; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    runs = [("cold build", project)]
    for label, folder in runs + ([("warm rebuild", project)] if args.warm else []):
        if label == "warm rebuild":
            for stale in (folder / "site", folder / ".briefgen-cache" / "search", folder / ".briefgen-cache" / "sites"):
                shutil.rmtree(stale, ignore_errors=True)
        seconds, peak, split, last = measured_build(folder)
        shown = ", ".join(f"{name} x{n} {mb:,} MB" for name, (mb, n) in split.items())
        print(f"{label}: {seconds:.1f} s, peak tree PSS {peak:,} MB ({shown})\n  {last}", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
