"""The only orchestrator: read -> extract (cached) -> site graph -> render -> publish."""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import briefgen
from briefgen.config import Config
from briefgen.errors import BriefgenError, Diagnostic, Severity
from briefgen.model import Article, Briefing, Extraction, Site

if TYPE_CHECKING:
    from briefgen.curation import Curation
    from briefgen.incident_curation import IncidentCuration
    from briefgen.incidents import IncidentMemo
    from briefgen.search import SearchReport

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (done, total) as articles are extracted."""


@dataclass(slots=True)
class BuildResult:
    articles: int = 0
    pages: int = 0
    written: int = 0
    extracted: int = 0
    cached: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage (read, cache, nlp, graph, incidents, render, write), for --verbose and bench/."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    site: Site | None = None
    search: SearchReport | None = None
    """Shards and Pagefind runs of the search index, when this build made one."""
    drafts: int = 0
    """Articles marked ``draft: true`` left out of this build."""

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]


class NlpProvider:
    """Loads spaCy at most once, and only when an article actually needs extracting."""

    def __init__(self, model_setting: str, nlp: Any = None) -> None:
        self.model_setting = model_setting
        self._nlp = nlp

    def model(self) -> Any:
        from briefgen.extract.nlp import resolve_model

        return resolve_model(self.model_setting)

    def get(self) -> Any:
        if self._nlp is None:
            from briefgen.extract.nlp import load_pipeline

            self._nlp = load_pipeline(self.model())
        return self._nlp


def available_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def extract_briefings(
    articles: tuple[Article, ...] | list[Article],
    config: Config,
    nlp: NlpProvider,
    result: BuildResult,
    progress: Progress | None = None,
) -> list[Briefing]:
    """Briefings for ``articles``: from the cache when possible, else one nlp.pipe pass over the rest."""
    from briefgen.extract.cache import ExtractionCache, cache_key
    from briefgen.write import mark_cache

    started = time.perf_counter()
    info = nlp.model()
    mark_cache(config.cache_dir)
    cache = ExtractionCache(config.cache_dir)
    extractions: dict[str, Extraction] = {}
    missing: list[Article] = []
    keys: dict[str, str] = {}
    for article in articles:
        key = cache_key(article.nlp_text, info.name, info.version, config.summary_sentences)
        keys[article.slug] = key
        found = cache.get(key)
        if found is None:
            missing.append(article)
        else:
            extractions[article.slug] = found
    result.cached = len(extractions)
    result.stages["cache"] = time.perf_counter() - started
    total = len(articles)
    if progress:
        progress(len(extractions), total)
    if missing:
        from briefgen.executors import make_executor
        from briefgen.extract import MAX_NLP_TOKENS, analysed_length

        for article in missing:
            # Fewer characters than the token bound cannot hold more tokens: most articles skip the count.
            if len(article.raw) > MAX_NLP_TOKENS and (read := analysed_length(article.nlp_text)) < len(article.raw):
                result.diagnostics.append(Diagnostic(
                    article.source,
                    f"article is {len(article.raw):,} characters; only the first {read:,} are analysed",
                    Severity.WARNING,
                ))

        executor = make_executor(config, model=info, load_nlp=nlp.get, processes=config.n_process or available_cores())

        def done(article: Article, outcome: Extraction | Exception) -> None:
            if isinstance(outcome, Exception):
                result.diagnostics.append(Diagnostic(article.source, f"extraction failed: {outcome}"))
            else:
                extractions[article.slug] = outcome
                if not executor.writes_cache:
                    cache.put(keys[article.slug], outcome)
                result.extracted += 1
            if progress:
                progress(len(extractions), total)

        started = time.perf_counter()
        executor.run(missing, [keys[a.slug] for a in missing], done)
        result.stages["nlp"] = time.perf_counter() - started
    return [
        Briefing(a, e.summary, e.actors, e.quotes, e.context)
        for a in articles
        if (e := extractions.get(a.slug)) is not None
    ]


def site_fingerprint(config: Config, briefings: list[Briefing], dirs: list[Path]) -> str:
    """A hash of everything the rendered site depends on.

    The graph and every page are a pure function of: the briefings (each one's source bytes and path; its
    extraction follows from those, the model and the settings), every setting, the template files and
    briefgen's own code. Equal fingerprints mean byte-identical output.
    """
    from briefgen.extract.cache import EXTRACT_VERSION
    from briefgen.extract.nlp import resolve_model

    h = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            h.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")

    # Settings that change how fast, not what, are left out: a build with other n_process reuses the site.
    what = replace(config, n_process=0, batch_size=1, cache_dir=Path(), executor="local", dask_scheduler="",
                   dask_shared_cache=False)
    add(briefgen.__version__, EXTRACT_VERSION, repr(what))
    package = Path(briefgen.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        add(path.relative_to(package).as_posix(), path.read_bytes())
    for folder in dirs:
        add(str(folder))
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                add(path.relative_to(folder).as_posix(), path.read_bytes())
    for b in briefings:
        add(b.slug, b.article.source, b.article.sha256)
    # The curation file, the model that extracted and the search indexer shape the output too.
    add(config.entities.read_bytes() if config.entities.is_file() else b"")
    for package_name in (resolve_model(config.model).name, "pagefind", "pagefind_bin"):
        try:
            add(package_name, importlib.metadata.version(package_name))
        except importlib.metadata.PackageNotFoundError:
            add(package_name, "-")
    return h.hexdigest()


class SiteRecord:
    """What the last build published into one output folder: its fingerprint and each file's size and mtime.

    Kept in the cache folder (deleting it only costs one full render). A build whose fingerprint matches,
    into a folder whose files all still have the recorded size and mtime, has nothing to write.
    """

    def __init__(self, cache_dir: Path, out: Path) -> None:
        self.out = out
        name = hashlib.sha256(str(out.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        self.path = cache_dir / "sites" / f"{name}.json"
        self.pages = 0

    def _scan(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        stack = [self.out]
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    else:
                        st = entry.stat(follow_symlinks=False)
                        found[os.path.relpath(entry.path, self.out)] = [st.st_size, st.st_mtime_ns, st.st_ino]
        return found

    def unchanged(self, fingerprint: str) -> bool:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
            if saved["fingerprint"] != fingerprint or not self.out.is_dir():
                return False
            if self._scan() != saved["files"]:
                return False
            self.pages = int(saved["pages"])
            return True
        except (OSError, ValueError, KeyError, TypeError):
            return False

    def save(self, fingerprint: str, pages: int) -> None:
        try:
            data = {"fingerprint": fingerprint, "pages": pages, "files": self._scan()}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".tmp-{os.getpid()}-{self.path.name}")
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("%s: cannot record the published site: %s", self.path, exc)


def corpus_stage(
    briefings: list[Briefing],
    config: Config,
    *,
    curations: tuple[Curation, IncidentCuration] | None = None,
    incident_memo: IncidentMemo | None = None,
    stage: Callable[[str], None] = lambda name: None,
) -> tuple[Site, list[Diagnostic]]:
    """The corpus stages after extraction: one page per real actor (entity resolution across every
    briefing, the user's curation winning), then the incidents. ``build``, ``serve``, ``briefgen inspect``
    and the benches all call this, so they give the same slugs, names, kinds and incidents for the same files.

    ``curations``: the entity and incident curation to apply (``serve`` keeps the last good ones while the
    file is broken); read from ``config.entities`` when not given, their problems then among those returned.
    ``incident_memo``: kept by a caller that rebuilds one project again and again (same result, cheaper).
    ``stage`` is called with "graph" and "incidents" as each ends (the build's timings).
    """
    from briefgen.curation import load_curation
    from briefgen.graph import build_site, unmatched_entries
    from briefgen.incident_curation import load_incident_curation
    from briefgen.incidents import with_incidents

    problems: list[Diagnostic] = []
    if curations is None:
        curations = load_curation(config.entities, config.root), load_incident_curation(config.entities, config.root)
        problems.extend([*curations[0].problems, *curations[1].problems])
    curation, incident_curation = curations
    site = build_site(briefings, title=config.title, curation=curation)
    problems.extend(unmatched_entries(site, curation))
    stage("graph")
    site, unmatched = with_incidents(site, incident_curation, memo=incident_memo)
    problems.extend(unmatched)
    stage("incidents")
    return site, problems


@contextmanager
def _unfreeze_gc() -> Iterator[None]:
    try:
        yield
    finally:
        gc.unfreeze()  # a dev server builds again and again: old sites must stay collectable


def build(
    config: Config,
    *,
    nlp: NlpProvider | None = None,
    progress: Progress | None = None,
    force: bool = False,
    allow_empty: bool = False,
    drafts: bool = False,
) -> BuildResult:
    """Build the whole site into ``config.out``. Per-article problems become diagnostics, not exceptions.

    ``drafts``: include articles marked ``draft: true``. ``allow_empty``: publish a site with no briefings
    over one that has some (refused otherwise: a mistyped source must not empty a published site).

    Raises:
        BriefgenError: when the site as a whole cannot be built (bad templates, unusable output folder,
            missing or unreadable source folder, an empty build over a published site); the previously
            published site is then left untouched.
    """
    from briefgen.render import Output, render_site, theme_dirs
    from briefgen.search import BundleCache, SearchReport, with_search_index
    from briefgen.sources import read_all
    from briefgen.write import build_lock, check_output_folder, publish, recover, refuse_emptying

    started = time.perf_counter()
    result = BuildResult()
    check_output_folder(
        config.out, forbidden=[config.root, config.cache_dir],
        inputs=[config.source, config.templates, config.cache_dir],
        force=force,
    )
    with build_lock(config.out), _unfreeze_gc():
        mark = time.perf_counter()

        def stage(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            result.stages[name] = result.stages.get(name, 0.0) + now - mark
            mark = now

        sources = read_all(config.source, root=config.root, drafts=drafts)
        result.diagnostics.extend(sources.diagnostics)
        result.articles = len(sources.articles)
        result.drafts = len(sources.drafts)
        stage("read")
        briefings = extract_briefings(sources.articles, config, nlp or NlpProvider(config.model), result, progress)
        if not briefings and not allow_empty:
            refuse_emptying(config.out, result.diagnostics)
        mark = time.perf_counter()  # extract_briefings timed its own parts (cache, nlp)
        # The records made so far live for the whole build: frozen, the cyclic GC stops re-scanning them
        # on every full collection (graph ~17% faster at 2,000 briefings). Unfrozen when the build ends.
        gc.freeze()
        site, problems = corpus_stage(briefings, config, stage=stage)
        result.diagnostics.extend(problems)
        gc.freeze()
        dirs = theme_dirs(config.templates)
        if not dirs:
            raise BriefgenError(f"{config.templates}: no templates found")
        record = SiteRecord(config.cache_dir, config.out)
        fingerprint = site_fingerprint(config, briefings, dirs)
        recover(config.out)
        if record.unchanged(fingerprint):
            # Same inputs, code, templates and settings as the site on disk, which nobody has touched since:
            # rendering would reproduce it byte for byte, so skip it.
            result.pages = record.pages
            stage("check")
        else:
            rendering = 0.0

            def outputs() -> Iterator[Output]:
                # Streamed into publish, so only one page is in memory at a time; timed apart from writing.
                nonlocal rendering
                pages = render_site(site, dirs, key_actors=config.key_actors, base_url=config.base_url,
                                    processes=config.n_process or available_cores())
                if config.search:
                    result.search = SearchReport()
                    pages = with_search_index(
                        pages,
                        warn=lambda message: result.diagnostics.append(Diagnostic("search", message, Severity.WARNING)),
                        cache=BundleCache(config.cache_dir / "search", config.out),
                        report=result.search,
                    )
                while True:
                    started = time.perf_counter()
                    output = next(pages, None)
                    rendering += time.perf_counter() - started
                    if output is None:
                        return
                    result.pages += output.path.endswith(".html")
                    yield output

            result.written = publish(outputs(), config.out).written
            stage("write")
            result.stages["write"] -= rendering
            result.stages["render"] = rendering
            record.save(fingerprint, result.pages)
    result.site = site
    result.seconds = time.perf_counter() - started
    return result
