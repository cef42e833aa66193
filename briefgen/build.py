"""``briefgen build``: read -> extract (cached) -> corpus stages -> render what changed -> publish.

The stages themselves, and the incremental engine that decides what to read, extract and render again,
are shared with ``serve`` and ``inspect`` (``briefgen.engine``)."""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from briefgen import heap
from briefgen.config import Config
from briefgen.errors import BriefgenError, Diagnostic, Severity
from briefgen.model import Article, Briefing, Extraction, Site

if TYPE_CHECKING:
    from briefgen.curation import Curation
    from briefgen.graph import ResolutionMemo
    from briefgen.incident_curation import IncidentCuration
    from briefgen.incidents import IncidentMemo
    from briefgen.search import SearchReport

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called with (done, total) as articles are extracted."""
TRIM_EVERY = 8192
"""Rendered outputs between two returns of the freed heap to the system (``heap.trim``): without them the
resident size crept up some 100 MB over a 20,000-briefing render, all of it memory already freed."""


@dataclass(slots=True)
class BuildResult:
    articles: int = 0
    pages: int = 0
    written: int = 0
    rendered: int = 0
    """Outputs rendered by this build (the others were unchanged, their published files kept)."""
    kept: int = 0
    extracted: int = 0
    cached: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage (load, read, cache, nlp, graph, incidents, plan, render, write, state),
    for --verbose and bench/ (load and state: reading and saving the engine's state)."""
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


def corpus_stage(
    briefings: list[Briefing],
    config: Config,
    *,
    curations: tuple[Curation, IncidentCuration] | None = None,
    incident_memo: IncidentMemo | None = None,
    resolution_memo: ResolutionMemo | None = None,
    resolved: Callable[[], None] = lambda: None,
    stage: Callable[[str], None] = lambda name: None,
) -> tuple[Site, list[Diagnostic]]:
    """The corpus stages after extraction: one page per real actor (entity resolution across every
    briefing, the user's curation winning), then the incidents. ``build``, ``serve``, ``briefgen inspect``
    and the benches all call this, so they give the same slugs, names, kinds and incidents for the same files.

    ``curations``: the entity and incident curation to apply (``serve`` keeps the last good ones while the
    file is broken); read from ``config.entities`` when not given, their problems then among those returned.
    ``incident_memo``, ``resolution_memo``: kept by a caller that rebuilds one project again and again (same
    result, cheaper). ``resolved`` is called once the entities are made, before the incidents (``build`` saves
    the resolution memo then, and lets it go).
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
    site = build_site(briefings, title=config.title, curation=curation, memo=resolution_memo)
    problems.extend(unmatched_entries(site, curation))
    resolved()
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
    verify: bool = False,
) -> BuildResult:
    """Build the whole site into ``config.out``. Per-article problems become diagnostics, not exceptions.

    ``drafts``: include articles marked ``draft: true``. ``allow_empty``: publish a site with no briefings
    over one that has some (refused otherwise: a mistyped source must not empty a published site).
    ``verify``: render every output, and report an error for each one the engine judged unchanged whose
    fresh render differs from its published file.

    Only the outputs whose recorded inputs changed are rendered (``engine``); the others are published as
    they are, and the site is still published as a whole (``write.publish``).

    Raises:
        BriefgenError: when the site as a whole cannot be built (bad templates, unusable output folder,
            missing or unreadable source folder, an empty build over a published site); the previously
            published site is then left untouched.
    """
    from briefgen.engine import (
        Engine,
        build_outputs,
        commit_build,
        keep_published,
        load_state,
        save_state,
        settings_digest,
        spare_site,
        unchanged_site,
    )
    from briefgen.render import JsonItems, Kept, Output, Renderer, Spooled, theme_dirs
    from briefgen.search import BundleCache, SearchReport, with_search_index
    from briefgen.write import build_lock, check_output_folder, publish, recover, refuse_emptying, site_files

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

        engine = Engine(load_state(config))
        result.stages["load"] = time.perf_counter() - mark  # the engine's state, as the last build left it
        briefings = engine.briefings(config, nlp or NlpProvider(config.model), result, drafts=drafts,
                                     progress=progress)
        if not briefings and not allow_empty:
            refuse_emptying(config.out, result.diagnostics)
        mark = time.perf_counter()  # the engine timed its own parts (read, cache, nlp)
        # The records made so far live for the whole build: frozen, the cyclic GC stops re-scanning them
        # on every full collection (graph ~17% faster at 2,000 briefings). Unfrozen when the build ends.
        gc.freeze()
        resolution = engine.resolution_memo(config)

        def resolved() -> None:
            engine.save_resolution(config, resolution)
            engine.reuse_digests()

        site, problems = corpus_stage(briefings, config, stage=stage, incident_memo=engine.corpus_memo(),
                                      resolution_memo=resolution, resolved=resolved)
        result.diagnostics.extend(problems)
        gc.freeze()
        dirs = theme_dirs(config.templates)
        if not dirs:
            raise BriefgenError(f"{config.templates}: no templates found")
        recover(config.out)
        # briefings.json and incidents.json re-encode only the items that changed since the last render.
        settings = settings_digest(config)
        renderer = Renderer(dirs, key_actors=config.key_actors, base_url=config.base_url,
                            list_items=JsonItems(spare_site(config).with_suffix(".items"), settings))
        plan = engine.plan(site, renderer, settings)
        out = config.out.resolve()
        records = engine.state.records
        published = site_files(out)  # the one walk of the site before it is published
        keep_published(plan, records, published)
        result.kept = len(plan.clean) if not verify else 0
        if not verify and unchanged_site(engine, plan, published):
            # Nothing to render, and the folder holds exactly what was published: publishing would
            # reproduce it file for file, so leave it (and the state, unless a file was read again).
            result.pages = sum(path.endswith(".html") for path in plan.jobs)
            stage("plan")
            if engine.reread or engine.resolved_anew:
                engine.accept(plan.changes)
                save_state(config, engine.state)
            result.site = site
            result.seconds = time.perf_counter() - started
            return result
        stage("plan")
        rendering = 0.0
        search_cache = BundleCache(config.cache_dir / "search", config.out)

        def outputs() -> Iterator[Output | Kept | Spooled]:
            # Streamed into publish, so only one page is in memory at a time; timed apart from writing.
            nonlocal rendering
            pages: Iterator[Output | Kept | Spooled] = build_outputs(
                plan, records, out, result, processes=config.n_process or available_cores(), verify=verify)
            if config.search:
                result.search = SearchReport()
                pages = with_search_index(
                    pages,
                    warn=lambda message: result.diagnostics.append(Diagnostic("search", message, Severity.WARNING)),
                    cache=search_cache,
                    report=result.search,
                )
            fresh = 0
            while True:
                started = time.perf_counter()
                output = next(pages, None)
                rendering += time.perf_counter() - started
                if output is None:
                    return
                result.pages += output.path.endswith(".html")
                yield output
                if not isinstance(output, Kept):
                    fresh += 1
                    if fresh % TRIM_EVERY == 0:  # each page's bytes freed once published: give them back
                        heap.trim()

        written = publish(outputs(), config.out, spare=spare_site(config), published=published)
        result.written = written.written
        search_cache.note_published()  # the index files just written: not read back by the next build
        stage("write")
        result.stages["write"] -= rendering
        result.stages["render"] = rendering
        if result.rendered >= TRIM_EVERY:
            heap.trim()
        commit_build(engine, plan, out, config, rendered=[p for p in plan.jobs if p not in plan.clean or verify],
                     published=written.files)
        stage("state")
    result.site = site
    result.seconds = time.perf_counter() - started
    return result
