"""The sharded search index: stable shard assignment, one bundle per shard, bundles reused from the cache."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from briefgen import search
from briefgen.build import NlpProvider, build
from briefgen.config import Config
from briefgen.render import Kept, Output
from briefgen.write import publish

from test_build import OLD, _age_site, _mtimes


def _search_mtimes(out: Path) -> dict[str, float]:
    return {path: t for path, t in _mtimes(out).items() if path.startswith("pagefind/")}


def test_shards_are_bounded_and_pages_keep_their_shard_as_the_site_grows():
    assert [search.shard_count(n, 100) for n in (0, 1, 100, 101, 200, 201, 1000)] == [1, 1, 1, 2, 2, 4, 16]
    paths = [f"briefings/b{i}.html" for i in range(4000)]
    shards = search.shard_count(len(paths), 500)
    sizes = [0] * shards
    for path in paths:
        sizes[search.shard_of(path, shards)] += 1
    assert shards == 8 and max(sizes) < 1.2 * 500 and min(sizes) > 0.8 * 500  # a hash: even, not exact
    # A page's shard depends on its path and the shard count only, and the count changes only by doubling
    # (3,001 to 4,000 pages: 8 shards), which splits each shard in two without moving pages between the others.
    assert {search.shard_count(n, 500) for n in range(3001, 4001)} == {8}
    assert all(search.shard_of(p, 16) in (search.shard_of(p, 8), search.shard_of(p, 8) + 8) for p in paths)


def _fake_pagefind(seen: list[list[str]]):
    def run(site: Path, bundle: Path) -> None:
        seen.append(sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")))
        bundle.mkdir(parents=True, exist_ok=True)
        (bundle / "pagefind.js").write_text("// index of " + " ".join(seen[-1]))
        (bundle / "pagefind-ui.js").write_text("// ui")

    return run


def test_only_marked_pages_reach_pagefind_unless_none_is_marked(monkeypatch):
    seen: list[list[str]] = []
    monkeypatch.setattr(search, "_run_pagefind", _fake_pagefind(seen))
    marked = [Output("index.html", b"<p>home</p>"), Output("b.html", b"<main data-pagefind-body>x</main>"),
              Output("c.html", b"<p>list</p>")]
    list(search.with_search_index(marked, warn=print))
    plain = [Output("index.html", b"<p>home</p>"), Output("c.html", b"<p>list</p>")]
    list(search.with_search_index(plain, warn=print))
    assert seen == [["b.html"], ["c.html", "index.html"]]


def test_indexing_starts_once_the_pages_are_through_and_a_late_page_is_indexed_too(monkeypatch, tmp_path: Path):
    seen: list[list[str]] = []
    started_after: list[int] = []
    consumed = 0
    fake = _fake_pagefind(seen)

    def run(site: Path, bundle: Path) -> None:
        started_after.append(consumed)
        fake(site, bundle)

    monkeypatch.setattr(search, "_run_pagefind", run)
    page = b"<main data-pagefind-body>x</main>"
    ordered = [Output("a.html", page), Output("b.html", page)] + [Output(f"e{i}.json", b"{}") for i in range(50)]
    for _ in search.with_search_index(ordered, warn=print):
        consumed += 1
        if consumed == 3:
            # The data files are still coming; the pages are indexed meanwhile, in another thread.
            for _ in range(200):
                if started_after:
                    break
                threading.Event().wait(0.01)
    assert seen == [["a.html", "b.html"]] and started_after[0] < len(ordered)

    # An index of several shards waits for the end: its runs beside the rendering would add up their memory.
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    cache = search.BundleCache(tmp_path / "cache", tmp_path / "site")

    def index(outputs: list[Output]) -> None:
        nonlocal consumed
        seen.clear()
        started_after.clear()
        consumed = 0
        for _ in search.with_search_index(outputs, warn=print, cache=cache):
            consumed += 1
            if consumed == len(outputs) - 10:  # as above: the early run, if any, has its time to start
                for _ in range(200):
                    if started_after:
                        break
                    threading.Event().wait(0.01)

    many = [Output(f"p{i}.html", page) for i in range(8)] + ordered[2:]
    index(many)
    assert len(seen) >= 2 and set(started_after) == {len(many)}
    # One page edited: its shard alone is indexed again, and that one run starts while the data files pass.
    index([Output("p3.html", page + b"!") if o.path == "p3.html" else o for o in many])
    assert len(seen) == 1 and "p3.html" in seen[0] and started_after[0] < len(many)
    # Of 16 shards, two indexed again (an edit that changed two pages) start early; three wait for the end.
    many = [Output(f"p{i}.html", page) for i in range(16)] + ordered[2:]
    index(many)
    shard_of = {p: search.shard_of(p, 16) for p in (o.path for o in many[:16])}
    apart = [next(p for p in shard_of if shard_of[p] == s) for s in sorted(set(shard_of.values()))[:3]]
    for edited, early, mark in ((apart[:2], True, b"!"), (apart, False, b"?")):
        index([Output(o.path, page + mark) if o.path in edited else o for o in many])
        assert len(seen) == len(edited) and (started_after[0] < len(many)) == early
    monkeypatch.setattr(search, "SHARD_PAGES", 4000)

    seen.clear()
    late = [Output("a.html", page), Output("data.json", b"{}"), Output("static/late.html", page)]
    outputs = list(search.with_search_index(late, warn=print))
    assert seen[-1] == ["a.html", "static/late.html"]  # indexed again, with the page that came late
    index = next(o for o in outputs if o.path.endswith("/pagefind.js"))
    assert b"static/late.html" in index.data


def test_each_shard_is_its_own_bundle_and_the_ui_is_published_once(monkeypatch, tmp_path: Path):
    seen: list[list[str]] = []
    monkeypatch.setattr(search, "_run_pagefind", _fake_pagefind(seen))
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    pages = [Output(f"briefings/b{i}.html", b"<main data-pagefind-body>%d</main>" % i) for i in range(8)]
    cache = search.BundleCache(tmp_path / "cache", tmp_path / "site")
    index = {o.path: o.data for o in list(search.with_search_index(pages, warn=print, cache=cache))[len(pages):]}
    bundles = json.loads(index["pagefind/shards.json"])["bundles"]
    assert len(bundles) == len(seen) >= 2 and sorted(p for s in seen for p in s) == sorted(o.path for o in pages)
    for folder, shard_pages in zip(bundles, seen):
        assert index[f"pagefind/{folder}pagefind.js"] == ("// index of " + " ".join(shard_pages)).encode()
    assert index["pagefind/pagefind-ui.js"] == b"// ui" and not any(p.endswith("/pagefind-ui.js") for p in index
                                                                   if p.count("/") > 1)
    # The same pages again: every bundle comes from the cache, byte for byte.
    again = list(search.with_search_index(pages, warn=print, cache=cache))[len(pages):]
    assert len(seen) == len(bundles) and {o.path: o.data for o in again} == index


@pytest.mark.nlp
def test_an_edit_reruns_pagefind_only_for_its_shard_and_unchanged_shards_keep_their_files(
    config: Config, nlp_provider: NlpProvider, monkeypatch
):
    monkeypatch.setattr(search, "SHARD_PAGES", 1)  # 4 indexed pages: 4 shards, some empty
    first = build(config, nlp=nlp_provider)
    assert not first.warnings and first.search is not None
    shards = json.loads((config.out / "pagefind/shards.json").read_text())["bundles"]
    assert len(shards) == first.search.shards >= 2 and len(first.search.runs) == len(shards)
    indexed = sum(run.pages for run in first.search.runs)
    for folder in shards:
        assert (config.out / "pagefind" / folder / "pagefind.js").is_file()
    assert (config.out / "pagefind/pagefind-ui.js").is_file()

    # Every page rendered again with the same bytes: every bundle from the cache, no search file rewritten.
    _age_site(config.out)
    again = build(config, nlp=nlp_provider)
    assert again.kept == 0 and again.search.runs == [] and again.written == 0
    assert set(_search_mtimes(config.out).values()) == {OLD}

    cache = config.cache_dir / "search"
    entries_before = {p.name for p in cache.iterdir() if p.name != "owners"}
    seed = config.source / "no-quotes.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nTraffic was expected to return to normal by Monday.\n",
                    encoding="utf-8")
    edited = build(config, nlp=nlp_provider)
    assert edited.extracted == 1 and not edited.warnings
    page = "briefings/no-quotes.html"
    assert [run.shard for run in edited.search.runs] == [search.shard_of(page, search.shard_count(indexed, 1))]
    edited_folder = f"pagefind/shard-{edited.search.runs[0].shard}/"
    changed = {path for path, t in _search_mtimes(config.out).items() if t != OLD}
    assert changed and all(path.startswith(edited_folder) for path in changed)
    # The replaced bundle is dropped from the cache; the others stay.
    entries_after = {p.name for p in cache.iterdir() if p.name != "owners"}
    assert len(entries_after) == len(shards) and len(entries_before - entries_after) == 1


@pytest.mark.nlp
def test_corrupt_or_missing_bundles_in_the_cache_are_rebuilt(config: Config, nlp_provider: NlpProvider, monkeypatch):
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    first = build(config, nlp=nlp_provider)
    published = {p: (config.out / p).read_bytes() for p in _search_mtimes(config.out)}
    entries = sorted(p for p in (config.cache_dir / "search").iterdir() if p.name != "owners")
    next(entries[0].rglob("*.pf_fragment")).write_bytes(b"garbage")
    for f in entries[1].rglob("*"):
        if f.is_file() and f.name == "pagefind-entry.json":
            f.unlink()
    _age_site(config.out)
    rebuilt = build(config, nlp=nlp_provider)
    assert not rebuilt.warnings and len(rebuilt.search.runs) == 2 <= len(first.search.runs)
    assert {p: (config.out / p).read_bytes() for p in _search_mtimes(config.out)} == published
    assert rebuilt.written == 0  # Pagefind gives the same bytes for the same pages


def test_a_bundle_is_deleted_once_no_output_folder_uses_it(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(search, "_run_pagefind", _fake_pagefind([]))
    folder = tmp_path / "cache"
    one, two = (search.BundleCache(folder, tmp_path / name) for name in ("one", "two"))

    def index(cache: search.BundleCache, text: bytes) -> None:
        list(search.with_search_index([Output("b.html", b"<main data-pagefind-body>%s</main>" % text)], print,
                                      cache=cache))

    def entries() -> int:
        return sum(1 for p in folder.iterdir() if p.name != "owners")

    index(one, b"shared")
    index(two, b"shared")
    assert entries() == 1
    index(one, b"edited")  # the shared bundle is still two's
    assert entries() == 2
    index(two, b"edited")
    assert entries() == 1


def test_index_files_the_site_already_holds_are_kept_as_published_not_read_again(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(search, "_run_pagefind", _fake_pagefind([]))
    out = tmp_path / "site"
    cache = search.BundleCache(tmp_path / "cache", out)
    pages = [Output("b.html", b"<main data-pagefind-body>b</main>")]
    reads: list[str] = []
    read = search._read
    monkeypatch.setattr(search, "_read", lambda path: reads.append(path) or read(path))

    def build() -> list[Output | Kept]:
        reads.clear()
        outputs = list(search.with_search_index(pages, warn=print, cache=cache))
        publish(outputs, out)
        cache.note_published()
        return [o for o in outputs if o.path.startswith("pagefind/") and o.path != "pagefind/shards.json"]

    first = build()  # nothing published yet: every file is written
    assert first and all(isinstance(o, Output) for o in first)
    files = {o.path: (out / o.path).read_bytes() for o in first}
    second = build()  # as published by the build before: kept, neither it nor the cache's copy read
    assert all(isinstance(o, Kept) and Path(o.source) == out / o.path for o in second) and not reads
    assert {path: (out / path).read_bytes() for path in files} == files
    # A published file changed behind briefgen's back (in place, same size) is compared again and replaced.
    target = out / first[0].path
    st = target.stat()
    target.write_bytes(b"x" * st.st_size)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    third = build()
    assert {path: (out / path).read_bytes() for path in files} == files
    assert [o.path for o in third if isinstance(o, Output)] == [first[0].path]
    # Without the record (another version, a lost cache file): compared once, equal, so kept.
    cache.published_file.unlink()
    fourth = build()
    assert all(isinstance(o, Kept) for o in fourth) and reads
    assert all(isinstance(o, Kept) for o in build()) and not reads
