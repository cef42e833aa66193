"""Incident clustering on ECB+, scored against its gold incidents; and clustering time at scale.

    python bench/eval_incidents.py [--data ../shared/data] [--work /tmp/incidents] [--sweep]
    python bench/eval_incidents.py --scale 20000
    python bench/eval_incidents.py --show DIR      # e.g. DIR from corpus_to_seeds.py polnear DIR --count 300

The ECB+ articles (``ecb/text``) are read and extracted as a build does (``briefgen.build.extract_briefings``,
its cache under ``--work``, one spaCy process), the site graph resolves their actors
(``briefgen.graph.build_site``) and ``briefgen.incidents`` groups them. ``WORK/ecb-incidents.tsv`` gets one
``doc<TAB>incident`` line per article and ``../shared/tools/ecb/score_clusters.py`` prints its table.
``--sweep`` prints incident B3 F1 and topic purity over a range of thresholds and actor weights, to show how
sensitive the result is to them (no setting is fitted to a single topic).

``--scale N`` clusters N synthetic briefings made from the ECB+ ones (copy k of an article renames its
people, organisations and groups and gets a date, as ``bench_build.py``'s synthetic corpus does), in a fresh
process, and prints the seconds and the process's peak memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefgen import incidents  # noqa: E402
from briefgen.build import BuildResult, NlpProvider, extract_briefings  # noqa: E402
from briefgen.config import Config  # noqa: E402
from briefgen.graph import build_site  # noqa: E402
from briefgen.model import Briefing, EntityKind  # noqa: E402
from briefgen.sources import read_all  # noqa: E402

DATA = REPO.parent / "shared" / "data"
SCORER = REPO.parent / "shared" / "tools" / "ecb" / "score_clusters.py"


def ecb_briefings(data: Path, work: Path) -> list[Briefing]:
    return folder_briefings(data / "ecb" / "text", work)


def folder_briefings(source: Path, work: Path) -> list[Briefing]:
    """The folder's articles, extracted as a build does (cache under ``work``) and entity-resolved."""
    if not source.is_dir():
        sys.exit(f"{source}: corpus not found (see ../shared/data/README.md)")
    config = Config(root=work, source=source, templates=work / "templates", out=work / "site",
                    cache_dir=work / "cache", entities=work / "entities.toml", n_process=1)
    read = read_all(source, root=source)
    result = BuildResult()
    briefings = extract_briefings(read.articles, config, NlpProvider(config.model), result)
    if result.extracted:
        print(f"extracted {result.extracted} articles ({result.cached} cached)", file=sys.stderr)
    return list(build_site(briefings).briefings)


def write_prediction(briefings: list[Briefing], groups: list[list[str]], path: Path) -> None:
    source = {b.slug: b.article.source for b in briefings}
    with path.open("w") as out:
        out.write("doc\tincident\n")
        for n, group in enumerate(groups):
            for slug in group:
                out.write(f"{Path(source[slug]).stem}\t{n}\n")


def score(path: Path, gold: Path, split: str = "all") -> dict:
    sys.path.insert(0, str(SCORER.parent))
    import score_clusters

    return score_clusters.score(score_clusters.read_gold(str(gold), split), score_clusters.read_pred(str(path)))


def sweep(briefings: list[Briefing], work: Path, gold: Path) -> None:
    """Incident B3 F1 (topic purity) around the chosen settings, one varied at a time."""
    chosen = (incidents.COARSE, incidents.SPLIT_NCUT, incidents.WEIGHTS)
    rows: list[tuple[str, list[tuple[float, dict]]]] = []

    def run(label: str, values: list, apply) -> None:
        results = []
        for value in values:
            apply(value)
            groups = incidents.cluster(briefings)
            path = work / "sweep.tsv"
            write_prediction(briefings, groups, path)
            results.append((value, score(path, gold)))
            incidents.COARSE, incidents.SPLIT_NCUT, incidents.WEIGHTS = chosen
        rows.append((label, results))
        cells = "  ".join(f"{v}: {o['subtopic']['bcubed_f1']:.3f} ({o['topic']['purity']:.3f})" for v, o in results)
        print(f"{label:<14} {cells}", flush=True)

    print("incident B3 F1 (topic purity) as one setting varies, the others as chosen")
    run("SPLIT_NCUT", [0.7, 0.75, 0.8, 0.85, 0.9, 1.0], lambda v: setattr(incidents, "SPLIT_NCUT", v))
    run("COARSE", [0.06, 0.08, 0.1, 0.12, 0.15], lambda v: setattr(incidents, "COARSE", v))

    def first_pass_only(threshold: float) -> None:  # no splits: average-link alone, the usual baseline
        incidents.COARSE, incidents.SPLIT_NCUT = threshold, 0.0

    run("no splits", [0.1, 0.15, 0.2, 0.25, 0.3], first_pass_only)
    for k, name in enumerate(("words", "lead", "actors", "numbers")):
        values = [0.0, chosen[2][k] / 2, chosen[2][k], chosen[2][k] * 2]
        run(f"weight {name}", values,
            lambda v, k=k: setattr(incidents, "WEIGHTS", tuple(v if i == k else w for i, w in enumerate(chosen[2]))))


def synthetic(briefings: list[Briefing], size: int) -> list[Briefing]:
    """``size`` briefings varied from the real ones: copy k renames the non-place actors and is dated
    k days after the first, so copies of one article are apart in time as well as in names."""
    out = []
    start = dt.date(2016, 1, 1)
    for n in range(size):
        k, b = divmod(n, len(briefings))[0], briefings[n % len(briefings)]
        tag = f"k{k}"

        def vary(a):
            if a.kind is EntityKind.PLACE or k == 0:
                return a
            return dataclasses.replace(a, name=f"{a.name} {tag}", slug=f"{a.slug}-{tag}")

        article = dataclasses.replace(b.article, slug=f"{b.slug}-{tag}", date=start + dt.timedelta(days=3 * k))
        out.append(dataclasses.replace(b, article=article, actors=tuple(vary(a) for a in b.actors)))
    return out


def scale_child(work: Path, size: int) -> None:
    """Clustering alone, then the whole incident stage as a build runs it (records: wire copies, merged
    summaries, quotes), on the site graph of the synthetic briefings."""
    site = build_site(synthetic(ecb_briefings(DATA, work), size))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu = time.perf_counter(), time.process_time()
    groups = incidents.cluster(site.briefings)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, stage_cpu = time.perf_counter(), time.process_time()
    incidents.with_incidents(site)
    stage, stage_cpu = time.perf_counter() - started, time.process_time() - stage_cpu
    print(json.dumps({"briefings": len(site.briefings), "incidents": len(groups), "seconds": round(seconds, 2),
                      "cpu": round(cpu, 2), "stage_seconds": round(stage, 2), "stage_cpu": round(stage_cpu, 2), "peak_mb_before": round(before), "peak_mb": round(peak),
                      "stage_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                      "load": os.getloadavg()[0]}))


def show(source: Path, work: Path) -> None:
    """Every incident of more than one article, for reading by eye: date, publisher, title per article."""
    briefings = {b.slug: b for b in folder_briefings(source, work)}
    groups = incidents.cluster(list(briefings.values()))
    several = [g for g in groups if len(g) > 1]
    print(f"{len(briefings)} articles -> {len(groups)} incidents, {len(several)} of more than one article "
          f"({sum(map(len, several))} articles)")
    for group in sorted(several, key=len, reverse=True):
        print()
        for slug in sorted(group, key=lambda s: (str(briefings[s].article.date), s)):
            a = briefings[slug].article
            print(f"  {str(a.date or 'undated'):<10} {(a.publisher or Path(a.source).name.split('_')[0])[:12]:<12} "
                  f"{' '.join(a.title.split())[:90]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--work", type=Path, default=Path("/tmp/incidents"))
    parser.add_argument("--sweep", action="store_true", help="print F1 over thresholds and actor weights")
    parser.add_argument("--scale", type=int, default=0, help="cluster N synthetic briefings, timed")
    parser.add_argument("--show", type=Path, help="print the incidents of this folder of articles, to read by eye")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.scale:
        if args.child:
            scale_child(args.work, args.scale)
            return
        out = subprocess.run([sys.executable, __file__, "--scale", str(args.scale), "--work", str(args.work),
                              "--child"], check=True, capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(f"{row['briefings']} synthetic briefings -> {row['incidents']} incidents: clustering {row['seconds']} s "
              f"({row['cpu']} s CPU), raising the process peak from {row['peak_mb_before']} to {row['peak_mb']} MB; "
              f"the whole incident stage (clustering and records) {row['stage_seconds']} s ({row['stage_cpu']} s CPU), "
              f"peak {row['stage_peak_mb']} MB "
              f"(load average {row['load']:.1f} on {os.cpu_count()} cores)")
        return
    if args.show:
        show(args.show, args.work)
        return
    briefings = ecb_briefings(args.data, args.work)
    gold = args.data / "ecb" / "gold_clusters.tsv"
    if args.sweep:
        sweep(briefings, args.work, gold)
        return
    started = time.perf_counter()
    groups = incidents.cluster(briefings)
    seconds = time.perf_counter() - started
    path = args.work / "ecb-incidents.tsv"
    write_prediction(briefings, groups, path)
    print(f"{len(briefings)} articles -> {len(groups)} incidents in {seconds:.2f} s")
    subprocess.run([sys.executable, str(SCORER), str(path), "--gold", str(gold)], check=True)


if __name__ == "__main__":
    main()
