"""In-memory, incremental builds for the dev server.

The same stages as :func:`briefgen.build.build` (read -> extract -> site graph -> render plan), kept warm
between rebuilds: an unchanged article is neither re-read nor re-extracted, a template change reuses the
site graph as it is, an ``entities.toml`` change rebuilds the graph from the briefings in memory, and no page
is rendered until someone asks for it (then it is memoised for that build).
Nothing here writes the output folder: ``briefgen build`` publishes, ``briefgen serve`` previews.

Kept apart from ``build.py`` because it is stateful (one ``LiveBuilder`` per server) while ``build()`` is a
single pass; both call the same stage functions, so a served page is byte for byte the built one.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import IntEnum
from pathlib import Path

from briefgen.build import BuildResult, NlpProvider, corpus_stage, extract_briefings
from briefgen.config import Config
from briefgen.curation import Curation, load_curation
from briefgen.errors import BriefgenError, Diagnostic, RenderError, Severity, quote_path
from briefgen.forking import fork_is_safe
from briefgen.incident_curation import IncidentCuration, load_incident_curation
from briefgen.incidents import IncidentMemo
from briefgen.model import Article, Briefing, Extraction, Site
from briefgen.render import MemoryBytecodeCache, Output, Renderer, describe_template_error, theme_dirs
from briefgen.sources import display_path, read_paths, resolve_slug_clashes, scan_source
from briefgen.urls import NOT_FOUND

FEW_ARTICLES = 20
"""Fewer changed articles than this are extracted in-process (n_process=1), even when forking is safe."""
EXCERPT_CONTEXT = 2
"""Lines shown either side of a problem's line in the error overlay."""
EXCERPT_LINE = 4000
"""Characters shown of the problem's line (a minified template is one long line)."""


class Change(IntEnum):
    """What a batch of file events touched; a bigger value implies more work."""

    TEMPLATES = 1
    """Re-render only: the site graph is reused."""
    CURATION = 2
    """The entities file: rebuild the graph from the briefings in memory, no extraction."""
    ARTICLES = 3
    """Re-read changed articles, extract only those, rebuild the graph."""
    CONFIG = 4
    """Start over: every setting may affect every stage."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One error shown in the terminal and in the browser overlay."""

    path: str
    """The file at fault as the user knows it ('' when no single file is)."""
    line: int | None
    message: str
    excerpt: tuple[tuple[int, str], ...] = ()
    """(line number, text) around ``line``."""

    def __str__(self) -> str:
        path = quote_path(self.path)  # a newline in a file name must not start a fake line
        where = f"{path}:{self.line}: " if self.path and self.line else f"{path}: " if self.path else ""
        return where + self.message


_LOCATED = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+): (?P<message>.*)$", re.S)
_FILE_FIRST = re.compile(r"^(?P<path>[^\n:]+\.(?:toml|html|xml|txt|json|css|md|markdown)): (?P<message>.*)$", re.S)
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def _excerpt(file: Path, line: int | None) -> tuple[tuple[int, str], ...]:
    if not line:
        return ()
    try:
        lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ()
    first = max(1, line - EXCERPT_CONTEXT)
    # The problem's own line whole (the overlay wraps it: the fault may be at its far end), others cut.
    return tuple((n, lines[n - 1][:EXCERPT_LINE if n == line else 200])
                 for n in range(first, min(len(lines), line + EXCERPT_CONTEXT) + 1))


def make_problem(path: str, line: int | None, message: str, root: Path | None) -> Problem:
    """A Problem with the excerpt read from the file now (it may be fixed a second later)."""
    file = Path(path)
    if not file.is_absolute() and root is not None:
        file = root / file
    return Problem(display_path(file, root) if path else "", line, message, _excerpt(file, line))


def problem_from_error(exc: BaseException, root: Path | None) -> Problem:
    """Parse briefgen's one-line 'file:line: message' errors back into their parts."""
    text = str(exc)
    if m := _LOCATED.match(text):
        return make_problem(m["path"], int(m["line"]), m["message"], root)
    if m := _FILE_FIRST.match(text):
        # tomllib puts the place in the message: "... (at line 3, column 7)"; the overlay shows that line.
        line = _TOML_LINE.search(m["message"])
        return make_problem(m["path"], int(line[1]) if line else None, m["message"], root)
    return Problem("", None, text)


def problem_from_diagnostic(d: Diagnostic, root: Path | None) -> Problem:
    return make_problem(d.path, d.line, d.message, root)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


class Pages:
    """One build's outputs: each rendered on first request, then kept for the life of the build."""

    def __init__(self, plan: dict[str, Callable[[], Output]]) -> None:
        self._plan = plan
        self._done: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def __contains__(self, path: object) -> bool:
        return path in self._plan

    def __len__(self) -> int:
        return len(self._plan)

    def paths(self) -> Iterable[str]:
        return self._plan.keys()

    def get(self, path: str) -> bytes:
        """The bytes of ``path``. Raises KeyError for a path not in the site, RenderError for a broken page."""
        data = self._done.get(path)
        if data is None:
            # Rendered outside the lock: two threads may render one page at once, harmlessly, but a slow
            # page never blocks requests for others.
            data = self._plan[path]().data
            with self._lock:
                data = self._done.setdefault(path, data)
        return data

    def lookup(self, path: str) -> tuple[int, str | None]:
        """(status, output path) served for a site path: the page itself, else the site's 404 page."""
        if path in self._plan:
            return 200, path
        return 404, (NOT_FOUND if NOT_FOUND in self._plan else None)

    def fingerprint(self, path: str) -> str:
        """What a reader at ``path`` sees, as a short hash: it changes exactly when that response changes."""
        status, target = self.lookup(path)
        return digest(f"{status}:".encode() + (self.get(target) if target else b""))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A complete, consistent site held in memory; replaced as a whole, never modified."""

    number: int
    """Build number, counting successful builds from 1."""
    config: Config
    site: Site
    pages: Pages
    css: str
    """Hash of every stylesheet: when only this changes, pages swap CSS instead of reloading."""
    previous: Snapshot | None = None
    """The build before, for a page this build fails to render (its previous link is dropped)."""


@dataclass(slots=True)
class Rebuild:
    """The outcome of one rebuild: a new snapshot, or the problems that prevented one."""

    change: Change
    snapshot: Snapshot | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extracted: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class _File:
    signature: tuple[int, ...] | None
    article: Article | None
    diagnostics: tuple[Diagnostic, ...]


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def _template_names(renderer: Renderer) -> list[str]:
    return [n for n in renderer.env.list_templates() if not n.startswith("static/") and not n.startswith(".")]


def check_templates(renderer: Renderer) -> None:
    """Compile every template now, so a syntax error anywhere is reported at once, not when a page asks.

    Raises:
        RenderError: naming the file and line of the first broken template.
    """
    for name in _template_names(renderer):
        try:
            renderer.env.get_template(name)
        except Exception as exc:  # any Jinja error; described without importing Jinja here
            raise RenderError(describe_template_error(exc, renderer.dirs)) from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _may_fork() -> bool:
    """Whether extraction may use ``build.py``'s forked workers (``fork_is_safe``: only while this is the
    process's one thread). So the first build, which ``DevServer.start`` runs before its watcher, HTTP and
    rebuild threads exist, may fork like ``briefgen build``; every rebuild after that extracts in-process.
    What it costs: nothing for the usual one to few edited articles (fewer than FEW_ARTICLES never forked
    anyway: the loaded pipeline beats starting workers), and for a big batch (a ``model`` or
    ``summary_sentences`` change re-extracts everything; a folder of new articles) at most the second core:
    40 PolNeAR articles took 4.1 s in-process and 4.0 s in 2 forked workers on the shared 2-core machine
    (``bench/bench_reload.py --extract 40``), up to twice as long on an idle one. A "spawn" pool would keep
    the parallelism safely but load spaCy again in every worker (seconds each) and pickle every article.
    """
    return fork_is_safe()


class LiveBuilder:
    """Rebuilds the site in memory after each batch of changes, reusing everything still valid.

    Not thread-safe: one rebuild at a time (the dev server runs them on one thread).
    """

    def __init__(self, load_config: Callable[[], Config], *, nlp: NlpProvider | None = None) -> None:
        self._load_config = load_config
        self._nlp = nlp
        self.config: Config | None = None
        self.snapshot: Snapshot | None = None
        self._files: dict[Path, _File] = {}
        self._last_good: dict[Path, Article] = {}
        self._extractions: dict[str, Extraction] = {}
        self._briefing_list: list[Briefing] | None = None
        self._site: Site | None = None
        self._curation = Curation()
        self._incident_curation = IncidentCuration()
        self._incident_memo = IncidentMemo()
        self._curation_bytes: bytes | None = None
        """The entities file as last read (b"" when absent); None before the first read."""
        self._curation_problems: list[Problem] = []
        self._curation_warnings: list[str] = []
        self._source_problems: list[Problem] = []
        self._source_warnings: list[str] = []
        self._bytecode = MemoryBytecodeCache()
        self._number = 0

    def nlp(self, config: Config) -> NlpProvider:
        if self._nlp is None or self._nlp.model_setting != config.model:
            self._nlp = NlpProvider(config.model)
        return self._nlp

    def rebuild(self, change: Change = Change.CONFIG, paths: Collection[str] = (),
                probe: Collection[str] = ()) -> Rebuild:
        """Rebuild after ``change`` to ``paths`` (absolute file paths that events named).

        ``probe`` lists site paths to render before the new build is accepted (the pages open in
        browsers): a template that fails on them keeps the last good build in place.
        """
        started = time.perf_counter()
        outcome = Rebuild(change)
        try:
            self._rebuild(outcome, {os.path.abspath(p) for p in paths}, probe)
        except BriefgenError as exc:
            outcome.problems.append(problem_from_error(exc, self.config.root if self.config else None))
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _rebuild(self, outcome: Rebuild, dirty: set[str], probe: Collection[str]) -> None:
        # The config is re-read every time (it is tiny): a change nobody reported still takes effect.
        config = self._load_config()
        if config != self.config:
            outcome.change = Change.CONFIG
            self._files.clear()
            self._last_good.clear()
            self._extractions.clear()
            self._briefing_list = self._site = None
            self._curation, self._curation_bytes, self._curation_problems = Curation(), None, []
            self._incident_curation = IncidentCuration()
            self._curation_warnings = []
            self._source_problems, self._source_warnings = [], []
        self.config = config
        graph_stale = self._reload_curation(config) or self._site is None  # always read the file first
        if outcome.change >= Change.ARTICLES or self._briefing_list is None:
            self._briefing_list = self._briefings(config, dirty, outcome)
            graph_stale = True
        # Article and curation problems stay on show until that file is fixed, whatever changes in between.
        outcome.problems.extend(self._curation_problems)
        outcome.problems.extend(self._source_problems)
        outcome.warnings.extend(self._source_warnings)
        # The graph and the render plan allocate hundreds of thousands of small records while the
        # previous build's are still alive: with the cyclic collector on, its full passes over that heap
        # took over a third of an article edit on 840 briefings (plan 270 -> 60 ms, graph 590 -> 440 ms
        # with it off). Records are freed by reference counting as usual; cycles wait for the next pass.
        with _collector_paused():
            if graph_stale:
                # Entities and incidents are recomputed from the briefings in memory: an article edit
                # extracts only that article. The last good curation applies while the file is broken.
                self._site, unmatched = corpus_stage(
                    self._briefing_list, config, curations=(self._curation, self._incident_curation),
                    incident_memo=self._incident_memo)
                self._curation_warnings = [str(d) for d in unmatched]
            outcome.warnings.extend(self._curation_warnings)
            site = self._site
            assert site is not None  # graph_stale whenever there was none
            dirs = theme_dirs(config.templates)
            if not dirs:
                raise BriefgenError(f"{config.templates}: no templates found")
            renderer = Renderer(
                dirs, key_actors=config.key_actors, base_url=config.base_url, bytecode_cache=self._bytecode
            )
            check_templates(renderer)
            plan = renderer.plan(site)
            pages = Pages(plan)
            for path in {*probe, NOT_FOUND}:
                _, target = pages.lookup(path)
                if target is not None:
                    pages.get(target)
            css = digest(b"".join(pages.get(p) for p in sorted(plan) if p.endswith(".css")))
            previous = self.snapshot
            if previous is not None:
                previous = replace(previous, previous=None)
            self._number += 1
            outcome.snapshot = self.snapshot = Snapshot(self._number, config, site, pages, css, previous)

    def _reload_curation(self, config: Config) -> bool:
        """Re-read the entities file (it is small) and say whether the curation in use changed.

        Read on every rebuild, like the config, so a change no event reported still takes effect. A broken
        file (invalid TOML) is reported and the last good curation stays in use (none on the first build), so
        the site keeps its entity pages as they were and template and article edits still go through.
        """
        try:
            data = config.entities.read_bytes() if config.entities.is_file() else b""
        except OSError as exc:
            self._curation_bytes = None  # read again next time
            self._curation_problems = [
                make_problem(str(config.entities), None, f"cannot read: {exc.strerror or exc}", config.root)]
            return False
        if data == self._curation_bytes:
            return False
        self._curation_bytes = data
        try:
            curation = load_curation(config.entities, config.root)
            incidents = load_incident_curation(config.entities, config.root)
        except BriefgenError as exc:
            self._curation_problems = [problem_from_error(exc, config.root)]
            return False
        # A bad entry is left out and shown; the rest of the file applies.
        self._curation_problems = [problem_from_diagnostic(d, config.root)
                                   for d in (*curation.problems, *incidents.problems)]
        if curation == self._curation and incidents == self._incident_curation:
            return False
        self._curation, self._incident_curation = curation, incidents
        return True

    def _briefings(self, config: Config, dirty: set[str], outcome: Rebuild) -> list[Briefing]:
        """Every article's briefing; only new or changed files are read, only new text is extracted."""
        diagnostics: list[Diagnostic] = []
        try:
            found, unreadable = scan_source(config.source, config.root)
            diagnostics.extend(unreadable)
        except BriefgenError as exc:  # missing or unreadable: shown like any other problem
            found = []
            diagnostics.append(Diagnostic("", str(exc)))
        files: dict[Path, _File] = {}
        for path in found:
            sig = _signature(path)
            old = self._files.get(path)
            if old is not None and sig is not None and old.signature == sig and str(path) not in dirty:
                files[path] = old
            else:
                read = read_paths([path], root=config.root, base=config.source, drafts=True)
                files[path] = _File(sig, read.articles[0] if read.articles else None, read.diagnostics)
        self._files = files

        current: list[Article] = []
        for path, f in files.items():
            diagnostics.extend(f.diagnostics)
            article = f.article
            if article is None:
                # A file that broke while the server runs keeps its last good version on the site;
                # the overlay says why it is not updating.
                article = self._last_good.get(path)
            else:
                self._last_good[path] = article
            if article is not None:
                current.append(article)
        articles, clashes = resolve_slug_clashes(current)
        diagnostics.extend(clashes)
        self._last_good = {p: a for p, a in self._last_good.items() if p in files}

        # Article.nlp_text is derived from the source on each access: derive it once per article here.
        texts = {a.slug: a.nlp_text for a in articles}
        missing = [a for a in articles if texts[a.slug] not in self._extractions]
        if missing:
            result = BuildResult()
            # A few edited articles are extracted here, whatever the executor (no cluster started for one
            # save); many go to the cluster, or to forked workers when forking is safe.
            many = len(missing) >= FEW_ARTICLES and (config.executor == "dask" or _may_fork())
            settings = config if many else replace(config, n_process=1, executor="local")
            for b in extract_briefings(missing, settings, self.nlp(config), result):
                self._extractions[texts[b.slug]] = Extraction(b.summary, b.actors, b.quotes, b.context)
            diagnostics.extend(result.diagnostics)
            outcome.extracted = result.extracted
        live = set(texts.values())
        self._extractions = {t: e for t, e in self._extractions.items() if t in live}

        self._source_problems = [
            problem_from_diagnostic(d, config.root) for d in diagnostics if d.severity is Severity.ERROR]
        self._source_warnings = [str(d) for d in diagnostics if d.severity is not Severity.ERROR]
        return [
            Briefing(a, e.summary, e.actors, e.quotes, e.context)
            for a in articles
            if (e := self._extractions.get(texts[a.slug])) is not None
        ]
