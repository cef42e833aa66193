"""Full-text search: Pagefind run once per shard of the indexed pages, each shard's bundle cached.

Pagefind's memory grows faster than the pages it indexes (7.5 GB for one run over a 20,000-briefing site), so
the indexed pages are split into shards of a bounded size and Pagefind runs over each shard in turn, into a
bundle of its own; the search page merges the bundles into one result list (Pagefind UI's ``mergeIndex``).
A shard's bundle is cached under a hash of its pages' paths and bytes, so a build re-runs Pagefind only for
the shards whose pages changed. Published layout::

    pagefind/shards.json          {"bundles": ["shard-0/", "shard-3/", ...]}: the non-empty shards
    pagefind/pagefind-ui.js, ...  the UI files, once (every bundle has the same bytes of them)
    pagefind/shard-<k>/           shard k's bundle (Pagefind's search JS and WebAssembly, index, fragments)

Every shard sits in a folder of its own (none at ``pagefind/`` itself): any shard may be empty, and the
first non-empty one is the search page's primary bundle, whose JS and WebAssembly serve all the others.

Pages stream past to ``write.publish`` unchanged; the indexed ones are copied into a private temporary
folder on the way (never the output folder: ``publish`` stays the only writer of the site). Without the
Pagefind binary the site still builds and works; only the search page says search is unavailable.

Only pages marked ``data-pagefind-body`` (briefings and actors) are indexed. The theme sets no
``data-pagefind-filter``: Pagefind 1.x writes its filter index in a different order on every run, which
would republish changed files after every build of an unchanged site.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from briefgen.errors import RenderError
from briefgen.heap import give_back_free_memory
from briefgen.render import Kept, Output, Spooled

log = logging.getLogger(__name__)

INDEX_DIR = "pagefind"
SHARDS_FILE = "shards.json"
PAGE_MARKER = b"data-pagefind-body"
SHARD_PAGES = 2000
"""Most pages a shard holds on average. Pagefind's peak memory grows with the pages of one run, about 0.15 MB
per page (bench/README: at most 518 MB over shards of 3,200-3,400 pages, 7 GB over 52,000 pages at once;
274 MB over 1,786 pages). An edit re-indexes the shard of each changed page, so its Pagefind run is as long as
a shard: 2,000 halves that of 4,000 at about the same Pagefind time for the whole site (5,000 briefings, 8
shards against 4, summed CPU 1.09x as a mean of 4 interleaved runs, 0.87-1.17x), while 1,000 cost 1.21x."""
EARLY_SHARE = 8
"""An edit's Pagefind runs start beside the build while at most one shard in this many is indexed again."""
TIMEOUT = 600
BUNDLE_FORMAT = "1"
"""Bump when the bundle cache's layout or what goes into a key changes."""
_UI_FILE = re.compile(r"pagefind-(?:[a-z]+-)?ui\.(?:js|css)|pagefind-highlight\.js")
"""Pagefind's UI scripts and styles: the same in every bundle; the search page loads them from ``pagefind/``."""
_LISTING = ".briefgen-bundle.json"


class SearchUnavailable(Exception):
    """Pagefind is missing or failed; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class PagefindRun:
    shard: int
    pages: int
    seconds: float


@dataclass(slots=True)
class SearchReport:
    """What the search index of one build cost: for --verbose and bench/."""

    shards: int = 0
    """Bundles published (non-empty shards)."""
    runs: list[PagefindRun] = field(default_factory=list)
    """One per Pagefind run; the other shards' bundles came from the cache."""


def pagefind_command() -> list[str]:
    """How to run Pagefind: the binary the Python package runs (``pagefind[bin]`` ships it), found once and run
    itself; ``python -m pagefind`` started a Python for every shard only to exec it (0.3 s a run on a busy
    machine). The package's launcher when no binary is found, so its error says what to install."""
    binary = _pagefind_binary()
    return [binary] if binary else [sys.executable, "-m", "pagefind"]


@functools.cache
def _pagefind_binary() -> str | None:
    """Where the launcher of ``python -m pagefind`` finds the binary (its own lookup: PAGEFIND_BINARY_PATH,
    pagefind_bin_extended, pagefind_bin, the PATH), or None."""
    try:
        from pagefind.service import get_executable

        found = get_executable()
    except Exception:  # not installed, or no binary: the launcher reports it
        return None
    return str(found.resolve()) if found is not None and found.is_file() else None


def shard_count(pages: int, shard_pages: int) -> int:
    """The fewest shards, a power of two, that hold ``pages`` with at most ``shard_pages`` each on average.

    Only powers of two keep the assignment stable while a site grows: with ``hash % n``, going from n to 2n
    shards splits each shard in two and moves no page anywhere else; between doublings no page moves.
    """
    shards = 1
    while shards * shard_pages < pages:
        shards *= 2
    return shards


def shard_of(path: str, shards: int) -> int:
    """The shard of the page at ``path``: its hash, so other pages coming and going never move it."""
    return int.from_bytes(hashlib.sha256(path.encode("utf-8", "surrogatepass")).digest()[:8], "big") % shards


class BundleCache:
    """Pagefind bundles by the hash of their pages: ``<folder>/<key>/``, with a listing of its files' hashes.

    An entry is renamed into place complete, so a killed build never leaves half of one; an entry whose files
    do not match its listing is deleted and rebuilt. Each output folder records the entries its last build
    used (``owners/``); an entry no output folder uses any more is deleted, so edits do not pile up bundles.
    """

    def __init__(self, folder: Path, out: Path) -> None:
        self.folder = folder
        self.out = out
        owner = hashlib.sha256(str(out.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        self.owners = folder / "owners"
        self.owner_file = self.owners / f"{owner}.json"
        self.published_file = self.owners / f"{owner}{_PUBLISHED}"
        """What the output folder's index files held when last compared with the bundles' (``_Published``)."""
        self._handed: _Published | None = None

    def note_published(self) -> None:
        """After a publish of the index this cache made: record the files just written as the site's now
        (their size, time and inode), so the next build keeps them without reading them back."""
        if self._handed is not None:
            self._handed.note_written()
            self._handed = None

    def has(self, key: str) -> bool:
        """Whether an entry for ``key`` is there (``get`` checks its files)."""
        return (self.folder / key).is_dir()

    def get(self, key: str) -> Path | None:
        entry = self.folder / key
        try:
            listing = json.loads((entry / _LISTING).read_text(encoding="utf-8"))
            if _unchanged_since_listed(entry, listing):
                return entry
            if all(hashlib.sha256((entry / name).read_bytes()).hexdigest() == digest
                   for name, digest in listing.items()):
                _note_stats(entry, listing)
                return entry
        except FileNotFoundError:
            if not entry.exists():
                return None
        except (OSError, ValueError, AttributeError) as exc:
            log.debug("ignoring corrupt search bundle %s: %s", entry, exc)
        shutil.rmtree(entry, ignore_errors=True)
        return None

    def reserve(self) -> Path:
        """A new empty folder inside the cache for Pagefind to write a bundle into (the same file system as
        the entries, so ``put`` can rename it into place)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=self.folder, prefix=".tmp-"))

    def put(self, key: str, bundle: Path) -> Path:
        """Make the finished ``bundle`` (from ``reserve``) the entry for ``key``; where it now is."""
        entry = self.folder / key
        try:
            listing = {f.relative_to(bundle).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
                       for f in bundle.rglob("*") if f.is_file()}
            (bundle / _LISTING).write_text(json.dumps(listing, sort_keys=True), encoding="utf-8")
            _note_stats(bundle, listing)
            if entry.exists():  # corrupt (get refused it) or written meanwhile by another build: same key, same pages
                shutil.rmtree(entry)
            os.rename(bundle, entry)
        except OSError as exc:
            log.warning("%s: cannot cache the search index: %s", self.folder, exc)
            return bundle
        return entry

    def keep_only(self, keys: set[str]) -> None:
        """Record ``keys`` as this output folder's entries; delete the ones it used before and no one uses now."""
        try:
            previous = set(json.loads(self.owner_file.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            previous = set()
        try:
            self.owners.mkdir(parents=True, exist_ok=True)
            tmp = self.owner_file.with_name(f".tmp-{os.getpid()}-{self.owner_file.name}")
            tmp.write_text(json.dumps(sorted(keys)), encoding="utf-8")
            os.replace(tmp, self.owner_file)
            others: set[str] = set()
            for path in self.owners.glob("*.json"):
                if path != self.owner_file:
                    try:
                        others.update(json.loads(path.read_text(encoding="utf-8")))
                    except (OSError, ValueError, TypeError):
                        return  # unsure what another project uses: delete nothing
            for key in previous - keys - others:
                shutil.rmtree(self.folder / key, ignore_errors=True)
            # Bundles a killed build left half written (never renamed into place).
            stale = time.time() - 24 * 3600
            for path in self.folder.glob(".tmp-*"):
                if path.is_dir() and path.stat().st_mtime < stale:
                    shutil.rmtree(path, ignore_errors=True)
        except OSError as exc:
            log.warning("%s: cannot tidy the search index cache: %s", self.folder, exc)


_PUBLISHED = ".published"
"""Not ``.json``: ``keep_only`` reads every ``owners/*.json`` as a list of entries."""
_STATS = ".stats.json"
"""Beside a bundle's listing: each file's size, mtime_ns and inode when its hash was last checked."""


def _stat_of(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _note_stats(entry: Path, listing: dict[str, str]) -> None:
    try:
        (entry / _STATS).write_text(json.dumps({name: _stat_of(entry / name) for name in listing}), encoding="utf-8")
    except OSError:
        pass  # the hashes are checked again next time


def _unchanged_since_listed(entry: Path, listing: dict[str, str]) -> bool:
    """Whether every file of the bundle is as it was when its hash was checked (size, time, inode): then
    it is not read again (a build would read the whole index, 60,000 files at 20,000 briefings)."""
    try:
        stats = json.loads((entry / _STATS).read_text(encoding="utf-8"))
        return stats.keys() == listing.keys() and all(_stat_of(entry / name) == stats[name] for name in listing)
    except (OSError, ValueError, AttributeError, TypeError):
        return False


def _pagefind_identity() -> str:
    """What, besides its pages, decides a bundle's bytes: Pagefind's version."""
    parts = [BUNDLE_FORMAT]
    for name in ("pagefind", "pagefind_bin"):
        try:
            parts.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name} -")
    return "\0".join(parts)


def bundle_key(identity: str, pages: Iterable[tuple[str, bytes]]) -> str:
    """The cache key of a shard's bundle: Pagefind's identity and each page's path and content hash."""
    h = hashlib.sha256(identity.encode("utf-8", "surrogatepass") + b"\0")
    for path, digest in pages:
        h.update(path.encode("utf-8", "surrogatepass") + b"\0" + digest)
    return h.hexdigest()


def with_search_index(
    outputs: Iterable[Output | Kept | Spooled],
    warn: Callable[[str], None],
    *,
    cache: BundleCache | None = None,
    report: SearchReport | None = None,
) -> Iterator[Output | Kept | Spooled]:
    """``outputs`` unchanged, then the search index (``pagefind/...``) of the HTML pages among them.

    Streams: one page is in memory at a time (plus each indexed page's path and hash). Bundles come from
    ``cache`` when their pages are unchanged; without a cache Pagefind runs for every shard. A ``Kept`` page
    (unchanged since the last build) is not copied: its hash is known, and its published file is read only
    if its shard must be indexed again. When Pagefind cannot run, ``warn`` gets one line and no index follows.
    """
    report = report if report is not None else SearchReport()
    # Inside the cache when there is one: a build killed mid-way leaves its page copies where the cache's
    # tidying sweeps them (``keep_only``), not in the system's temporary folder until the next reboot.
    scratch = None
    if cache is not None:
        try:
            cache.folder.mkdir(parents=True, exist_ok=True)
            scratch = cache.folder
        except OSError:
            pass
    with tempfile.TemporaryDirectory(prefix=".tmp-pages-" if scratch else "briefgen-search-", dir=scratch) as tmp:
        root = Path(tmp)
        # Once any page is marked data-pagefind-body, Pagefind indexes only marked pages: the unmarked ones are
        # not handed to it at all (parsing them was most of its time). Unmarked pages are kept aside only
        # until a marked one appears, for themes that mark nothing (then every page is indexed).
        marked: dict[str, bytes] = {}
        unmarked: dict[str, bytes] | None = {}
        kept: dict[str, str] = {}
        """A kept page's published file; a rendered page's bytes are copied to ``root/marked`` or
        ``root/unmarked`` (no entry: at 20,000 briefings a path per page was tens of MB)."""
        early: _EarlyIndex | None = None
        late = False  # a page to index came after the early start: index again at the end
        decided = False  # whether to start early is settled
        try:
            for output in outputs:
                parts = output.path.split("/")
                # Paths that could leave the folder are skipped here; publish refuses them with an error.
                if output.path.endswith(".html") and not output.path.startswith("/") and ".." not in parts \
                        and not isinstance(output, Spooled):  # a list file, never a page
                    is_marked = output.marked if isinstance(output, Kept) else PAGE_MARKER in output.data
                    if is_marked and unmarked is not None:
                        shutil.rmtree(root / "unmarked", ignore_errors=True)
                        unmarked = None
                    pages = marked if is_marked else unmarked
                    if pages is not None:
                        late = late or early is not None
                        if isinstance(output, Kept):
                            kept[output.path] = str(output.source)
                            pages[output.path] = output.sha256
                        else:
                            target = root.joinpath("marked" if is_marked else "unmarked", *parts)
                            target.parent.mkdir(parents=True, exist_ok=True)
                            target.write_bytes(output.data)
                            pages[output.path] = hashlib.sha256(output.data).digest()
                elif not decided:
                    # The site's pages come before its data files: index them while the rest is written (see
                    # ``_EarlyIndex``).
                    pages = _index_input(marked, unmarked)
                    if pages:
                        decided = True  # at the first data file after the pages, once
                        early = _EarlyIndex(pages, _Sources(root, dict(kept), unmarked is None), cache, report)
                yield output
        except BaseException:  # the build failed, or gave the outputs up: the early index is not wanted
            if early is not None:
                early.abandon()
            raise
        try:
            if early is not None and not late:
                bundles = early.result()
            else:
                if early is not None:
                    early.abandon()
                bundles = _build_shards(_index_input(marked, unmarked), _Sources(root, kept, unmarked is None), cache,
                                        report)
        except SearchUnavailable as exc:
            warn(str(exc))
            return
        if bundles:
            published = _Published(cache) if cache is not None else None
            if cache is not None:
                cache._handed = published
            yield from _bundle_outputs(bundles, published)


def _index_input(marked: dict[str, bytes], unmarked: dict[str, bytes] | None) -> dict[str, bytes]:
    """The pages Pagefind gets: the marked ones, or every page when none is marked."""
    return marked if unmarked is None else unmarked


class _Sources:
    """Where each page to index is: a kept page's published file, else its copy under ``root``."""

    def __init__(self, root: Path, kept: dict[str, str], marked: bool) -> None:
        self.root = root
        self.kept = kept
        self.copies = root / ("marked" if marked else "unmarked")

    def __getitem__(self, path: str) -> str | Path:
        return self.kept.get(path) or self.copies.joinpath(*path.split("/"))


class _EarlyIndex:
    """``_build_shards`` in a thread of its own (it mostly waits on Pagefind), over a snapshot of the pages,
    while the build writes its data files: the cached bundles are looked up at once, and the Pagefind runs of
    an edit (at most one shard in ``EARLY_SHARE``, or one: a small site's) start at once too. Any more wait until
    the build has streamed every output (``result``): the runs of a build that renders most of a large site,
    beside it while it still renders, would add up their memory (1.4 GB at 20,000 briefings, against 1.2 GB
    one after the other), where an edit holds about as much memory at the end as while it renders."""

    def __init__(self, pages: dict[str, bytes], sources: _Sources, cache: BundleCache | None,
                 report: SearchReport) -> None:
        self._outcome: dict[int, Path] | BaseException | None = None
        self.streamed = threading.Event()
        """Set once the build's outputs have all passed (or it gave them up)."""
        self.abandoned = False
        """Its pages are not the site's after all (one came late, or the build failed): no more Pagefind runs."""
        snapshot = dict(pages)

        def run() -> None:
            try:
                self._outcome = _build_shards(snapshot, sources, cache, report, early=self)
            except BaseException as exc:  # handed to the caller of result()
                self._outcome = exc

        self._thread = threading.Thread(target=run, name="briefgen-search", daemon=True)
        self._thread.start()

    def result(self) -> dict[int, Path]:
        self.streamed.set()
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        assert self._outcome is not None
        return self._outcome

    def abandon(self) -> None:
        """Stop before the next Pagefind run and wait for the one under way (it writes into the same folder)."""
        self.abandoned = True
        self.streamed.set()
        self._thread.join()


def _build_shards(
    pages: dict[str, bytes], sources: _Sources, cache: BundleCache | None, report: SearchReport,
    early: _EarlyIndex | None = None,
) -> dict[int, Path]:
    """Each non-empty shard's bundle folder, from the cache or a Pagefind run over the shard's pages.
    ``early``: run beside the build (see ``_EarlyIndex``); {} once it is abandoned."""
    if not pages:
        raise SearchUnavailable("search index not built: no pages to index")
    count = shard_count(len(pages), SHARD_PAGES)
    shards: dict[int, list[str]] = {}
    for path in sorted(pages):
        shards.setdefault(shard_of(path, count), []).append(path)
    identity = _pagefind_identity()
    keys = {shard: bundle_key(identity, ((p, pages[p]) for p in paths)) for shard, paths in shards.items()}
    # The shards with no bundle in the cache are indexed first: an edit's run need not wait for the check of
    # every cached bundle's files (their stats: 50,000 at 20,000 briefings). One found damaged is indexed then.
    missing = [shard for shard in sorted(shards) if cache is None or not cache.has(keys[shard])]
    if early is not None and len(missing) > max(1, count // EARLY_SHARE):
        early.streamed.wait()
    bundles: dict[int, Path] = {}
    for shard in missing + [shard for shard in sorted(shards) if shard not in missing]:
        if early is not None and early.abandoned:
            return {}
        bundle = cache.get(keys[shard]) if cache is not None and shard not in missing else None
        bundles[shard] = bundle or _index_shard(shard, shards[shard], keys[shard], sources, cache, report)
    bundles = dict(sorted(bundles.items()))
    report.shards = len(bundles)
    if cache:
        cache.keep_only(set(keys.values()))
    return bundles


def _index_shard(shard: int, paths: list[str], key: str, sources: _Sources, cache: BundleCache | None,
                 report: SearchReport) -> Path:
    """Pagefind over one shard's pages: its bundle, put in ``cache`` under ``key``."""
    site = sources.root / f"shard-{shard}"
    for path in paths:
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(sources[path], target)  # not moved: a page arriving late means indexing again
        except OSError:  # a file system without hard links
            shutil.copyfile(sources[path], target)
    store, destination = cache, sources.root / f"bundle-{shard}"
    shutil.rmtree(destination, ignore_errors=True)
    if store:
        try:
            destination = store.reserve()
        except OSError as exc:
            log.warning("%s: cannot cache the search index: %s", store.folder, exc)
            store = None
    if not report.runs:
        give_back_free_memory()  # the build's resident size and Pagefind's add up while it runs
    started = time.perf_counter()
    try:
        _run_pagefind(site, destination)
    except SearchUnavailable:
        shutil.rmtree(destination, ignore_errors=True)  # inside the cache: no half-built bundle left
        raise
    run = PagefindRun(shard, len(paths), time.perf_counter() - started)
    report.runs.append(run)
    log.debug("search shard %d: %d pages, Pagefind %.1f s", shard, len(paths), run.seconds)
    shutil.rmtree(site, ignore_errors=True)
    return store.put(key, destination) if store else destination


def _bundle_outputs(bundles: dict[int, Path], published: _Published | None = None) -> Iterator[Output | Kept]:
    """The published index: the UI files once, each bundle in its shard's folder, the list of shards.

    Read file by file as publish takes them, never the whole index at once; with ``published``, a file the
    output folder already holds (as last checked, or compared now) is not read at all but kept as it is.
    A cached bundle's files are the ones its listing names (no walk over its folder, no stat of each file).
    """
    def output(path: str, bundle: Path, listing: dict[str, str] | None, name: str) -> Output | Kept:
        source = f"{bundle}{os.sep}{name}"
        if published is not None and listing is not None:
            return published.output(path, source, listing[name])
        return Output(path, _read(source))

    first = bundles[min(bundles)]
    first_listing = _listing_of(first)
    for name in _files_of(first, first_listing):
        if _UI_FILE.fullmatch(name):
            yield output(f"{INDEX_DIR}/{name}", first, first_listing, name)
    for shard, bundle in sorted(bundles.items()):
        listing = first_listing if bundle == first else _listing_of(bundle)
        for name in _files_of(bundle, listing):
            if not _UI_FILE.fullmatch(name):
                yield output(f"{INDEX_DIR}/shard-{shard}/{name}", bundle, listing, name)
    listing_file = {"bundles": [f"shard-{shard}/" for shard in sorted(bundles)]}
    yield Output(f"{INDEX_DIR}/{SHARDS_FILE}", json.dumps(listing_file).encode())
    if published is not None:
        published.save()


def _files_of(bundle: Path, listing: dict[str, str] | None) -> list[str]:
    """A bundle's files (POSIX paths inside it) in the order of their paths: its listing's, else its folder's."""
    found = listing if listing is not None else \
        [path.relative_to(bundle).as_posix() for path in bundle.rglob("*") if path.is_file()]
    return sorted((name for name in found if name not in (_LISTING, _STATS)),
                  key=lambda name: name.split("/"))  # as Path objects sort


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _listing_of(bundle: Path) -> dict[str, str] | None:
    """A cached bundle's listing (file -> SHA-256 of its bytes, checked by ``BundleCache.get`` or made by
    ``put``); None for a bundle outside the cache."""
    try:
        listing = json.loads((bundle / _LISTING).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return listing if isinstance(listing, dict) else None


class _Published:
    """The index files an output folder holds, as last found equal to a bundle's: path -> the published file's
    size, mtime_ns and inode then, and the SHA-256 of its bytes.

    A published file still so (same size, time and inode, same digest wanted) is handed on as ``Kept``: publish
    links it into the new site as it is, so an edit build neither reads the unchanged index files (some
    57,000 at 20,000 briefings) nor compares them with the published ones. Any other file is compared once,
    and recorded when equal; a file whose bytes changed is an ``Output`` as before.
    """

    def __init__(self, cache: BundleCache) -> None:
        self.out = cache.out
        self.file = cache.published_file
        self.old: dict[str, list[int | str]] = {}
        self.new: dict[str, list[int | str]] = {}
        self.written: dict[str, str] = {}
        """Files handed on as ``Output`` -> their digest: recorded once published (``note_written``)."""
        try:
            loaded = json.loads(self.file.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                self.old = loaded
        except (OSError, ValueError):
            pass

    def output(self, path: str, source: str, digest: str) -> Output | Kept:
        target = f"{self.out}{os.sep}{path}"
        try:
            st = os.lstat(target)
        except OSError:
            return self._written(path, source, digest)
        if not stat.S_ISREG(st.st_mode):
            return self._written(path, source, digest)
        known: list[int | str] = [st.st_size, st.st_mtime_ns, st.st_ino, digest]
        if self.old.get(path) != known:
            data = _read(source)
            try:
                same = st.st_size == len(data) and _read(target) == data
            except OSError:
                same = False
            if not same:
                self.written[path] = digest
                return Output(path, data)
        self.new[path] = known
        return Kept(path, bytes.fromhex(digest), False, target)

    def _written(self, path: str, source: str, digest: str) -> Output:
        self.written[path] = digest
        return Output(path, _read(source))

    def note_written(self) -> None:
        """The files handed on as ``Output`` are published now: each holds its digest's bytes, as it is."""
        for path, digest in self.written.items():
            try:
                st = os.lstat(f"{self.out}{os.sep}{path}")
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                self.new[path] = [st.st_size, st.st_mtime_ns, st.st_ino, digest]
        self.written = {}
        self.save()

    def save(self) -> None:
        if self.new == self.old:
            return
        self.old = dict(self.new)
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(f".tmp-{os.getpid()}-{self.file.name}")
            tmp.write_text(json.dumps(self.new, separators=(",", ":")), encoding="utf-8")
            os.replace(tmp, self.file)
        except OSError as exc:  # the index files are only compared again next time
            log.debug("%s: cannot record the published index files: %s", self.file, exc)


def _run_pagefind(site: Path, bundle: Path) -> None:
    """Run Pagefind over ``site``, writing its bundle into ``bundle``."""
    try:
        proc = subprocess.run(
            [*pagefind_command(), "--site", str(site), "--output-path", str(bundle)],
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchUnavailable(f"search index not built: pagefind could not run ({exc})") from None
    if proc.returncode != 0 or not (bundle / "pagefind.js").is_file():
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"exit status {proc.returncode}"
        if "No module named" in (proc.stderr or ""):
            reason = "install it with: pip install 'pagefind[bin]'"
        raise SearchUnavailable(f"search index not built: pagefind failed: {reason}")


class ServedPages(Protocol):
    """A served build's pages (``engine.Pages``), each rendered when first asked for."""

    def paths(self) -> Iterable[str]: ...

    def get(self, path: str) -> bytes: ...


class LiveIndex:
    """The search index of one build served by ``briefgen serve``, made when it is first asked for.

    The dev server renders pages on demand and never writes the site, so it has no index until a reader
    searches: then every page is rendered (the server keeps them for the build anyway) and Pagefind runs as
    in a build, with bundles cached the same way, so an unchanged site costs no Pagefind run. Requests wait
    for the one run in progress; the index then stays in memory for the life of the build.
    """

    def __init__(self, pages: ServedPages, cache: BundleCache | None) -> None:
        self._pages = pages
        self._cache = cache
        self._lock = threading.Lock()
        self._files: dict[str, bytes] | None = None
        self.warnings: list[str] = []

    def get(self, path: str) -> bytes | None:
        """The bytes of ``pagefind/...`` ``path``, or None when the index has no such file (or none at all)."""
        with self._lock:
            if self._files is None:
                files: dict[str, bytes] = {}
                for output in with_search_index(self._rendered(), self.warnings.append, cache=self._cache):
                    if output.path.startswith(INDEX_DIR + "/"):
                        files[output.path] = output.data if isinstance(output, Output) else \
                            Path(output.file if isinstance(output, Spooled) else output.source).read_bytes()
                for warning in self.warnings:
                    log.warning("%s", warning)
                self._files = files
            return self._files.get(path)

    def _rendered(self) -> Iterator[Output]:
        for path in list(self._pages.paths()):
            if path.endswith(".html"):
                try:
                    yield Output(path, self._pages.get(path))
                except RenderError:
                    continue  # the server shows the error on that page; search covers the others

