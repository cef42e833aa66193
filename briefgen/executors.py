"""Where extraction runs: forked processes on this machine (``local``) or a dask.distributed cluster (``dask``).

Extraction is a map over articles; the corpus stages and rendering stay in the building process. Both
executors run the public ``extract_all`` on the same pipeline and report one plain ``Extraction`` (or the
error) per article, so the site is byte-identical whichever ran. Only this module imports dask.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from briefgen.config import Config
from briefgen.errors import ExtractError
from briefgen.extract import extract_all
from briefgen.extract.cache import ExtractionCache
from briefgen.extract.nlp import ModelInfo, load_pipeline, resolve_model
from briefgen.model import Article, Extraction

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

log = logging.getLogger(__name__)

OnDone = Callable[[Article, "Extraction | Exception"], None]
"""Called once per article with its Extraction or the error that stopped it."""

DASK_HINT = "pip install 'briefgen[dask]'"
CHUNKS_PER_WORKER = 4
"""Articles go to the cluster in chunks: at least this many per worker, so a slow chunk or a dead worker
holds up only a small part of the corpus; at most ``batch_size`` articles each."""


class Executor(Protocol):
    """Runs the extraction of many articles and reports each one's outcome as it arrives."""

    @property
    def writes_cache(self) -> bool:
        """True when the workers store each Extraction in the cache themselves (the caller then needn't)."""
        ...

    def run(self, articles: Sequence[Article], cache_keys: Sequence[str], on_done: OnDone) -> None:
        """Extract ``articles`` (``cache_keys[i]`` is the cache key of ``articles[i]``)."""
        ...


class ExtractionFailed(Exception):
    """An article a worker could not extract; the message is the worker's reason."""


class WorkerUnfit(Exception):
    """A dask worker cannot run briefgen's extraction at all (missing package, other model version)."""


@dataclass(frozen=True, slots=True)
class LocalExecutor:
    """Today's extraction: ``processes`` forked workers sharing the pipeline loaded in this process."""

    load_nlp: Callable[[], Any]
    processes: int
    batch_size: int
    summary_sentences: int

    @property
    def writes_cache(self) -> bool:
        return False

    def run(self, articles: Sequence[Article], cache_keys: Sequence[str], on_done: OnDone) -> None:
        extract_all(articles, self.load_nlp(), n_process=self.processes, batch_size=self.batch_size,
                    summary_sentences=self.summary_sentences, on_done=on_done)


# One pipeline per worker process, loaded by the first chunk it runs and kept for every later one (a
# WorkerPlugin would load spaCy on every worker of a shared cluster, whether it ever runs briefgen or not).
# The lock also keeps a worker started with several threads to one chunk at a time: a pipeline is not
# meant to be used from two threads at once, and parsing gains nothing from threads under the GIL.
_worker_pipelines: dict[ModelInfo, Any] = {}
_worker_lock = threading.Lock()


def check_worker(model: ModelInfo) -> None:
    """Run on a dask worker: raise WorkerUnfit unless it has ``model`` at the same version.

    The cache key names the model version: records made by another version would be stored under a lie.
    """
    try:
        here = resolve_model(model.name)
    except ExtractError as exc:
        raise WorkerUnfit(str(exc)) from None
    if here != model:
        raise WorkerUnfit(f"has {here.name} {here.version}, this build uses {model.name} {model.version}")


def _worker_pipeline(model: ModelInfo) -> Any:
    if model not in _worker_pipelines:
        check_worker(model)
        _worker_pipelines[model] = load_pipeline(model)
    return _worker_pipelines[model]


def extract_chunk(
    articles: Sequence[Article],
    cache_keys: Sequence[str],
    *,
    model: ModelInfo,
    batch_size: int,
    summary_sentences: int,
    shared_cache: str | None,
) -> list[Extraction | str]:
    """Run on a dask worker: each article's Extraction, or the reason it failed, in the order given.

    With ``shared_cache`` (a folder every worker sees at the path the building machine uses) each
    Extraction is also written there as it is made.
    """
    outcomes: list[Extraction | str] = ["the worker returned no result"] * len(articles)
    position = {id(article): i for i, article in enumerate(articles)}
    cache = ExtractionCache(Path(shared_cache)) if shared_cache else None

    def done(article: Article, outcome: Extraction | Exception) -> None:
        i = position[id(article)]
        if isinstance(outcome, Exception):
            outcomes[i] = str(outcome)
        else:
            outcomes[i] = outcome
            if cache is not None:
                cache.put(cache_keys[i], outcome)

    with _worker_lock:
        nlp = _worker_pipeline(model)
        extract_all(articles, nlp, n_process=1, batch_size=batch_size, summary_sentences=summary_sentences,
                    on_done=done)
    return outcomes


@dataclass(frozen=True, slots=True)
class DaskExecutor:
    """Chunks of articles as tasks on a dask.distributed cluster; this process needs no spaCy.

    A worker that dies loses only the chunks it held: the scheduler gives them to another worker (up to
    dask's ``distributed.scheduler.allowed-failures`` deaths per chunk). A chunk that still fails is split
    and each of its articles tried alone, so one article that crashes workers costs only itself.
    """

    scheduler: str
    """The scheduler's address; empty: a LocalCluster of ``processes`` workers on 127.0.0.1, for this build."""
    processes: int
    model: ModelInfo
    batch_size: int
    summary_sentences: int
    shared_cache: Path | None
    """The cache folder the workers write into themselves, or None to return results to this process."""

    @property
    def writes_cache(self) -> bool:
        return self.shared_cache is not None

    def run(self, articles: Sequence[Article], cache_keys: Sequence[str], on_done: OnDone) -> None:
        client, cluster = self._connect()
        try:
            self._extract(client, articles, cache_keys, on_done)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def _connect(self) -> tuple[Client, LocalCluster | None]:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ExtractError(f"executor 'dask' needs dask.distributed ({exc}); {DASK_HINT}") from None
        if not log.isEnabledFor(logging.DEBUG):
            # A lost or unreachable cluster is reported here in one line; dask's own log lines (a
            # reconnection given up, a worker restarted) would say it again, louder. --verbose keeps them.
            # Some of its loggers have levels of their own from dask's config (distributed.client).
            for name in [n for n in logging.root.manager.loggerDict if n.split(".")[0] == "distributed"]:
                logging.getLogger(name).setLevel(logging.CRITICAL)
        if not self.scheduler:
            # Everything on the loopback interface: a local build opens no port to the network (the HTTP
            # server on a free port rather than the dashboard's usual 8787, which another cluster may hold).
            cluster = LocalCluster(n_workers=self.processes, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
            return Client(cluster, set_as_default=False), cluster
        try:
            # The wait is dask's own setting, distributed.comm.timeouts.connect (30 s unless configured).
            return Client(self.scheduler, set_as_default=False), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExtractError(
                f"cannot reach the dask scheduler at {self.scheduler} ({exc}); is it running, and is "
                "dask_scheduler right?"
            ) from None

    def _unfit(self, exc: Exception) -> ExtractError:
        where = f"the dask cluster at {self.scheduler}" if self.scheduler else "the local dask cluster"
        # dask's own messages run over several lines with advice and links: their first sentence is the fact.
        reason = " ".join(str(exc).split()).split(". ")[0].rstrip(".") or type(exc).__name__
        return ExtractError(
            f"{where} cannot run briefgen's extraction: {reason}; the scheduler and every worker need "
            f"briefgen and {self.model.name} {self.model.version} installed, as on this machine"
        )

    def _extract(self, client: Client, articles: Sequence[Article], cache_keys: Sequence[str],
                 on_done: OnDone) -> None:
        from distributed import KilledWorker, as_completed

        if not client.scheduler_info().get("workers"):
            log.info("waiting for a dask worker to join %s", self.scheduler)
            client.wait_for_workers(1)
        try:
            # Before any article goes out: the scheduler must unpickle briefgen's tasks, a worker run them.
            client.submit(check_worker, self.model, pure=False).result()
        except Exception as exc:
            raise self._unfit(exc) from None
        workers = len(client.scheduler_info().get("workers", {}))
        size = max(1, min(self.batch_size, math.ceil(len(articles) / (CHUNKS_PER_WORKER * workers))))
        shared = str(self.shared_cache) if self.shared_cache is not None else None
        chunks: dict[Future[list[Extraction | str]], list[int]] = {}

        def submit(indices: list[int]) -> Future[list[Extraction | str]]:
            future = client.submit(
                extract_chunk, [articles[i] for i in indices], [cache_keys[i] for i in indices],
                model=self.model, batch_size=self.batch_size, summary_sentences=self.summary_sentences,
                shared_cache=shared, pure=False,
            )
            chunks[future] = indices
            return future

        extracted = 0
        pending = as_completed([submit(list(range(i, min(i + size, len(articles)))))
                                for i in range(0, len(articles), size)], loop=client.loop)
        try:
            for future in pending:
                indices = chunks.pop(future)
                try:
                    outcomes = future.result()
                except (WorkerUnfit, ImportError) as exc:
                    raise self._unfit(exc) from None
                except CancelledError:
                    # Nothing here cancels a chunk while waiting for it: the scheduler is gone.
                    kept = f", and the {extracted:,} articles extracted by then are cached" if extracted else ""
                    raise ExtractError(
                        f"lost the connection to the dask scheduler at {self.scheduler or 'a local cluster'} "
                        f"during the build; nothing was published{kept}"
                    ) from None
                except Exception as exc:
                    if len(indices) > 1:
                        log.debug("chunk of %d articles failed (%s); trying each alone", len(indices), exc)
                        for i in indices:
                            pending.add(submit([i]))
                        continue
                    reason = "the extraction worker process died" if isinstance(exc, KilledWorker) else (
                        f"{type(exc).__name__}: {' '.join(str(exc).split())}")  # one line per diagnostic
                    outcomes = [reason]
                finally:
                    future.release()
                for i, outcome in zip(indices, outcomes):
                    on_done(articles[i], ExtractionFailed(outcome) if isinstance(outcome, str) else outcome)
                extracted += sum(not isinstance(outcome, str) for outcome in outcomes)
        finally:
            client.cancel(list(chunks))


def make_executor(config: Config, *, model: ModelInfo, load_nlp: Callable[[], Any], processes: int) -> Executor:
    """The executor ``config.executor`` names. ``load_nlp`` is called only by an executor that parses in
    this process; ``processes`` is the local worker count (forks, or the workers of a local dask cluster)."""
    if config.executor == "dask":
        return DaskExecutor(
            scheduler=config.dask_scheduler, processes=processes, model=model, batch_size=config.batch_size,
            summary_sentences=config.summary_sentences,
            shared_cache=config.cache_dir if config.dask_shared_cache else None,
        )
    return LocalExecutor(load_nlp, processes, config.batch_size, config.summary_sentences)
