"""Time the incident stage (``briefgen.incidents.with_incidents``) alone, stage by stage, with its peak memory.

    python bench/bench_incidents.py                       # 840 PolNeAR briefings and 20,000 synthetic ones
    python bench/bench_incidents.py --sizes 2000 --repeat 1   # a quick look while developing
    python bench/bench_incidents.py --profile 20000       # cProfile of one run, the top functions by own time

The real set is every PolNeAR article (``bench_build.make_real``), extracted once with spaCy into
``WORK/real/.briefgen-cache`` (minutes; later runs read the cache). A synthetic set of N is made by
``bench_build.make_synthetic`` from those (copy k renames its people, organisations and groups; same text and
date plus one line), kept under ``WORK`` for the next run. Each measurement runs in a fresh process: the
briefings are read from the cache and resolved by ``build_site`` (as ``corpus_stage`` does, no curation),
then ``with_incidents`` runs ``--repeat`` times; the best run's CPU seconds per step are printed with the
process's peak memory before and after the stage. The machine may be shared: see the load average.
The child's hash seed is fixed: entity resolution (``build_site``) can name an actor differently from one
seed to the next, which would change the incidents' digest between two versions for no reason of theirs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import bench_build  # noqa: E402


def _briefings(project: Path) -> list[Any]:
    """The project's briefings, extracted as a build does (from its cache when filled), one spaCy process."""
    from briefgen.build import BuildResult, NlpProvider, extract_briefings
    from briefgen.config import load_config
    from briefgen.sources import read_all

    config = load_config(root=project, n_process=1)
    result = BuildResult()
    briefings = extract_briefings(read_all(config.source).articles, config, NlpProvider(config.model), result)
    if result.extracted:
        print(f"{project}: extracted {result.extracted} articles ({result.cached} cached)", file=sys.stderr)
    return briefings


def prepare(work: Path, size: int) -> Path:
    """The project of ``size`` briefings (0: the real PolNeAR one), made and extracted if not there yet."""
    real = work / "real"
    if not (real / "ready").is_file():
        bench_build.make_real(work, ["polnear"], 0)
        _briefings(real)
        (real / "ready").write_text("")
    if not size:
        return real
    project = work / f"synthetic-{size}"
    if not (project / "ready").is_file():
        bench_build.make_synthetic(real, size, work)
        (project / "ready").write_text("")
    return project


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Steps:
    """CPU seconds per step of the stage, each from the end of the one before (on a shared machine the
    wall clock mostly measures the other processes)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.last = time.process_time()

    def end(self, name: str) -> None:
        now = time.process_time()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self.last
        self.last = now


def edited_site(project: Path, briefings: list[Any]) -> Any:
    """The site graph after one article's file gained a sentence (as bench_build's edit: the middle seed),
    its extraction kept: what the corpus stages see on the next rebuild after an edit."""
    import dataclasses
    import tempfile

    from briefgen.graph import build_site
    from briefgen.sources import read_paths

    seeds = sorted((project / "seeds").iterdir())
    seed = seeds[len(seeds) // 2]
    with tempfile.TemporaryDirectory(prefix="bench-incidents-") as folder:
        copy = Path(folder) / seed.name
        copy.write_text(seed.read_text(encoding="utf-8") + "\n\nThe statement was later corrected.\n", encoding="utf-8")
        article = read_paths([copy]).articles[0]
    article = dataclasses.replace(article, source=str(seed))
    return build_site([dataclasses.replace(b, article=article) if b.slug == article.slug else b for b in briefings])


def child(project: Path, repeat: int, profile: bool, save: str) -> dict[str, Any]:
    """In a fresh process: the site graph of the project's briefings, then the incident stage timed. The
    incidents' digest is printed (and they are pickled to ``save`` if given), to compare two versions."""
    import hashlib
    import pickle

    from briefgen.graph import build_site
    from briefgen.incidents import IncidentMemo, with_incidents

    briefings = _briefings(project)
    site = build_site(briefings)
    edited = edited_site(project, briefings)
    before = _peak_mb()
    runs: list[dict[str, float]] = []
    for _ in range(repeat):
        steps = Steps()
        started, cpu = time.perf_counter(), time.process_time()
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        done = with_incidents(site, stage=steps.end)[0]
        if profile:
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
        runs.append({"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, **steps.seconds})
    best = min(runs, key=lambda r: r["cpu"])
    made = sorted(done.incidents.values(), key=lambda i: i.slug)
    if save:
        Path(save).write_bytes(pickle.dumps(made))
    peak = _peak_mb()
    # One article edited: the stage again, given the memo of the run before the edit (as serve keeps it).
    memo = IncidentMemo()
    with_incidents(site, memo=memo)
    steps = Steps()
    cpu = time.process_time()
    after_edit = with_incidents(edited, memo=memo, stage=steps.end)[0]
    edit_cpu = time.process_time() - cpu
    fresh = with_incidents(edited)[0]
    return {"digest": hashlib.sha256(repr(made).encode()).hexdigest()[:16],
            "edit": {"cpu": round(edit_cpu, 3), **{k: round(v, 3) for k, v in steps.seconds.items()}},
            "edit_same": after_edit.incidents == fresh.incidents,
            "briefings": len(site.briefings), "incidents": len(done.incidents),
            "several": sum(1 for i in done.incidents.values() if len(i.briefing_slugs) > 1),
            "runs": [round(r["seconds"], 3) for r in runs], "best": {k: round(v, 3) for k, v in best.items()},
            "peak_mb_before": round(before), "peak_mb": round(peak),
            "edit_peak_mb": round(_peak_mb()), "load": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="0,20000", help="synthetic briefing counts, 0 for the 840 real ones")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the stage per measurement (the best is shown)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/incidents/bench"))
    ap.add_argument("--profile", type=int, default=None, metavar="SIZE", help="cProfile one run at SIZE")
    ap.add_argument("--save", type=Path, help="pickle each size's incidents to SAVE/incidents-SIZE.pickle")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    sizes = [args.profile] if args.profile is not None else [int(s) for s in args.sizes.split(",") if s]
    for size in sizes:
        project = prepare(args.work, size)
        command = [sys.executable, __file__, "--child", json.dumps(
            {"project": str(project), "repeat": 1 if args.profile is not None else args.repeat,
             "profile": args.profile is not None,
             "save": str(args.save / f"incidents-{size}.pickle") if args.save else ""})]
        done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO), "PYTHONHASHSEED": "0"})
        row = json.loads(done.stdout.strip().splitlines()[-1])
        best = row["best"]
        steps = ", ".join(f"{k} {v:.3f}" for k, v in best.items() if k not in ("seconds", "cpu"))
        print(f"{row['briefings']} briefings -> {row['incidents']} incidents ({row['several']} of several): "
              f"best {best['cpu']:.3f} s CPU ({best['seconds']:.3f} s wall) of {row['runs']} s wall; CPU s per step: "
              f"{steps}; "
              f"peak {row['peak_mb_before']} -> {row['peak_mb']} MB; load {row['load']:.1f}; digest {row['digest']}",
              flush=True)
        if "edit" in row:
            edit = row["edit"]
            print(f"  one article edited, the last run's memo given: {edit['cpu']:.3f} s CPU; "
                  + ", ".join(f"{k} {v:.3f}" for k, v in edit.items() if k != "cpu")
                  + f"; same incidents as without the memo: {row['edit_same']}; peak {row['edit_peak_mb']} MB "
                  "(with the edited site and the memo)", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        options = json.loads(sys.argv[2])
        print(json.dumps(child(Path(options["project"]), options["repeat"], options["profile"], options["save"])))
    else:
        main()
