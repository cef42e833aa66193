"""The only orchestrator: read -> extract (cached) -> site graph -> render -> publish."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from briefgen.config import Config
from briefgen.errors import BriefgenError, Diagnostic, Severity
from briefgen.model import Article, Briefing, Extraction, Site

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
    diagnostics: list[Diagnostic] = field(default_factory=list)
    site: Site | None = None

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


def extract_briefings(
    articles: tuple[Article, ...] | list[Article],
    config: Config,
    nlp: NlpProvider,
    result: BuildResult,
    progress: Progress | None = None,
) -> list[Briefing]:
    """Briefings for ``articles``: from the cache when possible, else one nlp.pipe pass over the rest."""
    from briefgen.extract.cache import ExtractionCache, cache_key

    info = nlp.model()
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
    total = len(articles)
    if progress:
        progress(len(extractions), total)
    if missing:
        from briefgen.extract import MAX_NLP_CHARS, extract_all

        for article in missing:
            if len(article.nlp_text) > MAX_NLP_CHARS:
                result.diagnostics.append(Diagnostic(
                    article.source,
                    f"article is {len(article.nlp_text):,} characters; only the first {MAX_NLP_CHARS:,} are analysed",
                    Severity.WARNING,
                ))

        def done(article: Article, outcome: Extraction | Exception) -> None:
            if isinstance(outcome, Exception):
                result.diagnostics.append(Diagnostic(article.source, f"extraction failed: {outcome}"))
            else:
                extractions[article.slug] = outcome
                cache.put(keys[article.slug], outcome)
                result.extracted += 1
            if progress:
                progress(len(extractions), total)

        extract_all(
            missing,
            nlp.get(),
            n_process=config.n_process or os.cpu_count() or 1,
            batch_size=config.batch_size,
            summary_sentences=config.summary_sentences,
            on_done=done,
        )
    return [
        Briefing(a, e.summary, e.actors, e.quotes, e.context)
        for a in articles
        if (e := extractions.get(a.slug)) is not None
    ]


def build(
    config: Config,
    *,
    nlp: NlpProvider | None = None,
    progress: Progress | None = None,
    force: bool = False,
) -> BuildResult:
    """Build the whole site into ``config.out``. Per-article problems become diagnostics, not exceptions.

    Raises:
        BriefgenError: when the site as a whole cannot be built (bad templates, unusable output folder);
            the previously published site is then left untouched.
    """
    from briefgen.curation import load_curation
    from briefgen.graph import build_site
    from briefgen.render import render_site, theme_dirs
    from briefgen.search import with_search_index
    from briefgen.sources import read_all
    from briefgen.write import build_lock, check_output_folder, publish

    started = time.perf_counter()
    result = BuildResult()
    check_output_folder(
        config.out, forbidden=[config.root, config.cache_dir], inputs=[config.source, config.templates], force=force
    )
    with build_lock(config.out):
        sources = read_all(config.source, root=config.root)
        result.diagnostics.extend(sources.diagnostics)
        result.articles = len(sources.articles)
        briefings = extract_briefings(sources.articles, config, nlp or NlpProvider(config.model), result, progress)
        site = build_site(briefings, title=config.title, curation=load_curation(config.entities))
        dirs = theme_dirs(config.templates)
        if not dirs:
            raise BriefgenError(f"{config.templates}: no templates found")
        outputs = list(with_search_index(
            render_site(site, dirs, key_actors=config.key_actors, base_url=config.base_url),
            warn=lambda message: result.diagnostics.append(Diagnostic("search", message, Severity.WARNING)),
        ))
        written = publish(outputs, config.out)
    result.pages = sum(1 for o in outputs if o.path.endswith(".html"))
    result.written = written.written
    result.site = site
    result.seconds = time.perf_counter() - started
    return result
