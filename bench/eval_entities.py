"""Cross-document entity resolution: ECB+ human gold, and well-known actors on PolNeAR.

    python bench/eval_entities.py [--polnear-count 840] [--n-process 1] [--cache /tmp/entities/bench] [--splits 20]

ECB+ (``../shared/data/ecb``): every article of ``ecb/text`` goes through the build's own extraction
(``extract_doc`` on a cached spaCy parse, see common.py) and the build's corpus stage
(``briefgen.build.corpus_stage``: curation, then entity resolution), then is written as the
``site/briefings.json`` records are (``briefing_record``) and scored by ``../shared/tools/ecb/score_entities.py``,
beside that scorer's two string baselines (``--baseline exact-string``, ``--baseline name-core``).
The held-out split of the scorer is reported too (``--split dev``/``test`` when those topics exist here).

PolNeAR (``../shared/data/polnear``, as ``corpus_to_seeds.py polnear`` writes it, with dates): the pages of
a list of well-known actors (a page counts for an actor when its shown name is one of the actor's
forms, or one of them followed by headline words or a bare "s"), pages that hold two of them, and pages
whose shown name is a nationality or party adjective.

Only the spaCy parse is cached (under ``--cache``); the extraction rules and the resolution always run
as they are now.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from common import DATA, REPO, extract_articles, require

from briefgen.build import corpus_stage
from briefgen.config import load_config
from briefgen.model import Briefing
from briefgen.records import briefing_record
from briefgen.sources import read_paths

SCORER = REPO.parent / "shared" / "tools" / "ecb" / "score_entities.py"
TO_SEEDS = REPO.parent / "shared" / "tools" / "corpus_to_seeds.py"

# Each well-known actor: the shown names of its page(s), compared after norm(). "Clinton" alone is both
# Clintons' (a page with that name mixes them); titles and headline words are judged by norm and JUNK_TAIL.
ACTORS: dict[str, tuple[str, ...]] = {
    "Donald Trump": ("donald trump", "trump", "donald j trump", "donald john trump", "donald", "trumps"),
    "Hillary Clinton": ("hillary clinton", "hillary", "hillary rodham clinton", "hillary r clinton",
                        "clinton", "clintons", "hillary rodham"),
    "Bill Clinton": ("bill clinton", "william jefferson clinton", "william j clinton", "bill", "clinton",
                     "clintons", "william clinton"),
    "Barack Obama": ("barack obama", "obama", "barack", "barack h obama", "barack hussein obama", "obamas"),
    "Bernie Sanders": ("bernie sanders", "sanders", "bernie", "bernard sanders"),
    "Ted Cruz": ("ted cruz", "cruz", "rafael cruz"),
    "Marco Rubio": ("marco rubio", "rubio"),
    "Mike Pence": ("mike pence", "pence", "michael pence", "mike r pence"),
    "Tim Kaine": ("tim kaine", "kaine", "timothy kaine"),
    "James Comey": ("james comey", "comey", "jim comey", "james b comey"),
    "Vladimir Putin": ("vladimir putin", "putin", "vladimir v putin"),
    "John Podesta": ("john podesta", "podesta"),
    "Paul Ryan": ("paul ryan", "ryan", "paul d ryan"),
    "Republican Party": ("republican party", "gop", "republicans", "republican", "gop party",
                         "republican parties"),
    "Democratic Party": ("democratic party", "democrats", "democratic", "democrat", "democrat party"),
    "FBI": ("fbi", "federal bureau of investigation", "bureau"),
    "United States": ("united states", "us", "usa", "america", "united states of america", "american",
                      "americans"),
}
# A page named like this is a nationality or party word, which describes, not an actor (the target: none).
ADJECTIVES = {
    *"""american chinese russian mexican british french german iranian israeli japanese korean syrian iraqi afghan
    canadian european african asian cuban indian pakistani saudi turkish ukrainian italian spanish greek irish
    scottish australian brazilian venezuelan egyptian palestinian libyan lebanese yemeni nigerian kenyan swedish
    dutch belgian polish hungarian austrian swiss norwegian danish finnish""".split(),
    "republican", "republicans", "democratic", "democrat", "democrats", "libertarian",
}
# Religious and ethnic words, listed apart (groups of people; a page for them is not a target).
OTHER_GROUP_WORDS = {"muslim", "christian", "jewish", "catholic", "hispanic", "latino", "latina", "arab", "evangelical"}
TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "sen", "senator", "gov", "rep", "president", "secretary"}


def norm(name: str) -> str:
    text = name.lower().replace("’", "'")
    text = re.sub(r"'s?\b", "", text).replace(".", "")
    words = re.findall(r"[a-z0-9&]+", text)
    while words and (words[0] == "the" or words[0] in TITLES):
        words = words[1:]
    return " ".join(words)


def build(briefings: list[Briefing], config_root: Path) -> tuple[list[dict], object]:
    config = load_config(None, root=config_root)
    site, _ = corpus_stage(briefings, config)
    return [briefing_record(b) for b in site.briefings], site


def ecb(args: argparse.Namespace) -> None:
    root = args.data / "ecb"
    require(root / "text")
    articles = list(read_paths(sorted((root / "text").glob("*.txt"))).articles)
    started = time.perf_counter()
    extractions = extract_articles(articles, n_process=args.n_process, cache=args.cache)
    briefings = [Briefing(a, e.summary, e.actors, e.quotes, e.context) for a in articles
                 if (e := extractions[a.slug]) is not None]
    t0 = time.perf_counter()
    records, site = build(briefings, args.cache)
    graph_s = time.perf_counter() - t0
    out = args.cache / "ecb-briefings.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    print(f"ECB+: {len(articles)} articles, {len(site.entities)} pages; extraction "
          f"{t0 - started:.0f} s, corpus stage {graph_s:.2f} s; records in {out}")

    rows = []
    for label, extra in (("briefgen", ["--articles", str(out)]),
                         ("exact string", ["--baseline", "exact-string"]),
                         ("name core", ["--baseline", "name-core"])):
        for split in ("all", "dev"):
            result = args.cache / f"ecb-{label.replace(' ', '-')}-{split}.json"
            done = subprocess.run([sys.executable, str(SCORER), *extra, "--split", split, "--json", str(result),
                                   "--show", str(args.show if label == "briefgen" and split == "all" else 0)],
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                sys.exit(done.stderr)
            if label == "briefgen" and split == "all":
                print(done.stdout)
            o = json.loads(result.read_text(encoding="utf-8"))
            if not o["gold_name_mentions"]:
                continue
            t = o["topic_scope"]
            rows.append((label, split, o["coverage"], t["bcubed_p"], t["bcubed_r"], t["bcubed_f1"],
                         t["split_rate"], t["merge_error_page_rate"], t["merge_error_pages"], t["pages"]))
    if args.splits:
        print_losses(out, args.splits)
    print(f"{'system':<13} {'topics':<6} {'covered':>7} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} "
          f"{'pages/ent':>9} {'merge pages':>15}")
    for label, split, cov, p, r, f, sr, mr, mp, pages in rows:
        print(f"{label:<13} {split:<6} {cov:>7.3f} {p:>6.3f} {r:>6.3f} {f:>6.3f} {sr:>9.3f} "
              f"{mr:>6.3f} ({mp}/{pages})")
    print("targets: B3 F1 >= 0.95, pages per entity <= 1.15, merge-error pages <= 0.05, covered >= 0.90\n")


def print_losses(records: Path, n: int) -> None:
    """The gold entities whose name mentions are spread over most pages (recall lost, per topic, as B3 counts it),
    and the gold names no page holds, with the scorer's own matching."""
    sys.path.insert(0, str(SCORER.parent))
    import score_entities as scorer

    items, chains, _ = scorer.load_gold(str(SCORER.parent.parent.parent / "data" / "ecb" / "gold_entities.jsonl"))
    per_doc = scorer.load_tool(str(records))
    on_pages: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    unmatched: dict[tuple[str, str], list[str]] = defaultdict(list)
    for it in items:
        slug, _ = scorer.match(it, per_doc.get(it["doc"], {}))
        if slug is None:
            unmatched[(chains[it["gold"]]["descriptor"], scorer.norm(it["core"]))].append(it["doc"])
        else:
            on_pages[(it["topic"], it["gold"])].append((slug, it["text"]))
    lost = []
    for (_, gold), found in on_pages.items():
        pages = Counter(slug for slug, _ in found)
        if len(pages) > 1:
            lost.append((len(found) - sum(c * c for c in pages.values()) / len(found), chains[gold]["descriptor"],
                         pages.most_common(4), Counter(text for _, text in found).most_common(4)))
    print(f"largest splits (mentions' recall lost; pages; texts), of {sum(x[0] for x in lost):.0f}:")
    for loss, name, pages, texts in sorted(lost, reverse=True)[:n]:
        print(f"  {loss:4.1f} {name}: {pages} {texts}")
    print(f"gold names on no page, of {sum(len(d) for d in unmatched.values())}:")
    for (name, core), docs in sorted(unmatched.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:n]:
        print(f"  {len(docs):3d} {name} {core!r} (e.g. {docs[0]})")
    print()


def polnear(args: argparse.Namespace) -> None:
    require(args.data / "polnear")
    folder = args.cache / f"polnear-{args.polnear_count or 'all'}"
    if not folder.is_dir():
        count = ["--count", str(args.polnear_count)] if args.polnear_count else []
        subprocess.run([sys.executable, str(TO_SEEDS), "polnear", str(folder), *count], check=True,
                       stdout=subprocess.DEVNULL)
    paths = sorted(p for p in folder.rglob("*") if p.suffix in {".txt", ".md"})
    articles = list(read_paths(paths).articles)
    extractions = extract_articles(articles, n_process=args.n_process, cache=args.cache)
    briefings = [Briefing(a, e.summary, e.actors, e.quotes, e.context) for a in articles
                 if (e := extractions[a.slug]) is not None]
    t0 = time.perf_counter()
    _, site = build(briefings, args.cache)
    print(f"PolNeAR: {len(articles)} articles, {len(site.entities)} pages "
          f"(corpus stage {time.perf_counter() - t0:.2f} s)")
    pages: dict[str, list[str]] = defaultdict(list)
    for e in site.entities.values():
        shown = norm(e.name)
        for actor, forms in ACTORS.items():
            # "Donald Trump Leads" (a headline's words) and "Barack Obamas" count as the actor's pages: junk.
            if shown in forms or any(shown.startswith(f + " ") and f" {f} " not in " jr sr "
                                     and not re.search(r"\b(jr|sr|ii|iii)$", shown) and len(f.split()) > 1
                                     and e.kind.value == "person" for f in forms[:1]):
                pages[actor].append(f"{e.slug} ({e.kind.value}, {len(e.briefing_slugs)})")
    good = 0
    print(f"{'actor':<18} {'pages':>5}  slugs (kind, briefings)")
    for actor in ACTORS:
        found = pages.get(actor, [])
        good += len(found) == 1
        print(f"{actor:<18} {len(found):>5}  {', '.join(found[:6])}{' ...' if len(found) > 6 else ''}")
    adjectives = sorted(f"{e.name} ({e.kind.value}, {len(e.briefing_slugs)})" for e in site.entities.values()
                        if norm(e.name) in ADJECTIVES)
    mixed = [f"{e.slug}: {e.name} + {', '.join(a for a in e.aliases if norm(a) in {'bill clinton', 'hillary clinton', 'donald trump jr'})}"
             for e in site.entities.values()
             if norm(e.name) in {"hillary clinton", "bill clinton", "donald trump"}
             and any(norm(a) in {"bill clinton", "hillary clinton", "donald trump jr"} - {norm(e.name)}
                     for a in e.aliases)]
    print(f"actors on exactly one page: {good}/{len(ACTORS)}")
    others = sorted(f"{e.name} ({e.kind.value}, {len(e.briefing_slugs)})" for e in site.entities.values()
                    if norm(e.name) in OTHER_GROUP_WORDS)
    print(f"nationality/party adjective pages: {len(adjectives)}  {', '.join(adjectives[:12])}")
    print(f"religious/ethnic one-word pages (not a target): {len(others)}  {', '.join(others[:12])}")
    print(f"pages mixing two of these people: {len(mixed)}  {'; '.join(mixed)}")


def graph_timing(args: argparse.Namespace) -> None:
    """The site-graph stage (``build_site``) on ``--graph-size`` synthetic briefings, made as bench_build.py's
    ``make_synthetic`` makes them (copy k of each PolNeAR article renames its people, organisations and groups),
    timed for this checkout and for ``--baseline-repo`` in fresh processes, side by side."""
    import dataclasses
    import pickle

    from bench_build import _tag

    from briefgen.model import EntityKind

    folder = args.cache / f"polnear-{args.polnear_count or 'all'}"
    paths = sorted(p for p in folder.rglob("*") if p.suffix in {".txt", ".md"})
    articles = list(read_paths(paths).articles)
    extractions = extract_articles(articles, n_process=args.n_process, cache=args.cache)
    originals = [Briefing(a, e.summary, e.actors, e.quotes, e.context) for a in articles if (e := extractions[a.slug])]
    made = []
    for n in range(args.graph_size):
        k, b = n // len(originals), originals[n % len(originals)]
        if k:
            tag = _tag(k - 1)
            renamed = {a.slug for a in b.actors if a.kind is not EntityKind.PLACE}
            b = dataclasses.replace(
                b, article=dataclasses.replace(b.article, slug=f"{b.slug}-{tag.lower()}"),
                actors=tuple(dataclasses.replace(a, name=f"{a.name} {tag}", slug=f"{a.slug}-{tag.lower()}",
                                                 aliases=tuple(f"{x} {tag}" for x in a.aliases))
                             if a.slug in renamed else a for a in b.actors),
                quotes=tuple(dataclasses.replace(q, speaker=f"{q.speaker} {tag}", speaker_slug=f"{q.speaker_slug}-{tag.lower()}")
                             if q.speaker_slug in renamed else q for q in b.quotes))
        made.append(b)
    data = args.cache / f"synthetic-{args.graph_size}.pickle"
    data.write_bytes(pickle.dumps(made))
    code = ("import gc, pickle, resource, sys, time\nfrom briefgen.graph import build_site\n"
            f"b = pickle.loads(open({str(data)!r}, 'rb').read())\ngc.freeze()\n"
            "t = time.perf_counter(); site = build_site(b); t = time.perf_counter() - t\n"
            "print(t, len(site.entities), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    runs: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
    checkouts = (("this checkout", REPO), ("baseline", args.baseline_repo))
    for _ in range(3):  # alternated, so a change in the machine's load hits both alike
        for label, repo in checkouts:
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 env={**os.environ, "PYTHONPATH": str(repo)}, cwd="/")
            seconds, entities, peak = out.stdout.split()
            runs[label].append((float(seconds), int(entities), int(peak)))
    rows = [(label, repo, *sorted(runs[label])[1]) for label, repo in checkouts]
    for label, repo, seconds, entities, peak in rows:
        print(f"graph stage, {args.graph_size:,} synthetic briefings, {label} ({repo}): {seconds:.2f} s "
              f"(median of 3), {entities:,} pages, process peak {peak} MB")
    print(f"ratio this/baseline: {rows[0][2] / rows[1][2]:.2f} (target <= 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--n-process", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/entities/bench"))
    parser.add_argument("--polnear-count", type=int, default=0, help="PolNeAR articles (0: all 840)")
    parser.add_argument("--show", type=int, default=10, help="largest ECB+ merges to list")
    parser.add_argument("--splits", type=int, default=0, help="also list this many of the largest ECB+ splits and "
                        "of the gold names no page holds")
    parser.add_argument("--skip", choices=["ecb", "polnear"], default=None)
    parser.add_argument("--graph-size", type=int, default=0,
                        help="also time the graph stage on this many synthetic briefings (e.g. 20000)")
    parser.add_argument("--baseline-repo", type=Path,
                        help="with --graph-size: the checkout to compare the graph stage with, e.g. one made by "
                             "`git worktree add /tmp/baseline <commit>`")
    args = parser.parse_args()
    if args.graph_size and not args.baseline_repo:
        parser.error("--graph-size needs --baseline-repo (the checkout to time side by side)")
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.skip != "ecb":
        ecb(args)
    if args.skip != "polnear":
        polnear(args)
    if args.graph_size:
        graph_timing(args)


if __name__ == "__main__":
    main()
