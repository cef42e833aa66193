"""Extraction throughput (articles/s) by executor, side by side in one run, on PolNeAR articles.

    python bench/bench_dask.py                    # 80 articles: local 1 and 2 processes, dask 1 and 2 workers
    python bench/bench_dask.py --count 20         # a quick look

Every run extracts the same articles with nothing cached, through the build's executors
(``briefgen.executors``). The clock starts with spaCy loaded: in this process for the local executor, on
every worker for dask (a warm-up chunk per worker first); starting the cluster and loading the model on the
workers is reported apart, as "start". Local runs come first: they fork, which is not safe once dask's
client threads run in this process; a last in-process local run (no fork) brackets the dask ones. Each
run's records are compared with the first run's.

Math libraries get one thread per process everywhere (``--blas-threads``), as dask's nanny gives its workers
(``OMP_NUM_THREADS=1`` and the like): otherwise the local executor's processes run more threads than the
workers and, on a shared machine, get more of its time for that alone.
Needs dask (pip install 'briefgen[dask]') and the corpora in ../shared/data.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BLAS_THREADS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _blas_threads() -> str:
    """--blas-threads N, read before numpy is first imported (it fixes its thread pools then)."""
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg.startswith("--blas-threads="):
            return arg.split("=", 1)[1]
        if arg == "--blas-threads" and i + 1 < len(argv):
            return argv[i + 1]
    return "1"


for _name in BLAS_THREADS:
    os.environ[_name] = _blas_threads()

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
TOOLS = REPO.parent / "shared" / "tools" / "corpus_to_seeds.py"

from briefgen.build import NlpProvider  # noqa: E402
from briefgen.executors import DaskExecutor, LocalExecutor, extract_chunk  # noqa: E402
from briefgen.extract.cache import cache_key  # noqa: E402
from briefgen.model import Article, Extraction  # noqa: E402
from briefgen.sources import read_all  # noqa: E402

BATCH_SIZE = 16
SUMMARY_SENTENCES = 3


def timed_run(executor: Any, articles: list[Article], keys: list[str]) -> tuple[float, dict[str, Extraction]]:
    found: dict[str, Extraction] = {}
    failed: list[str] = []

    def done(article: Article, outcome: Extraction | Exception) -> None:
        if isinstance(outcome, Exception):
            failed.append(f"{article.source}: {outcome}")
        else:
            found[article.slug] = outcome

    started = time.perf_counter()
    executor.run(articles, keys, done)
    seconds = time.perf_counter() - started
    if failed:
        sys.exit("\n".join(failed))
    return seconds, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=80, help="PolNeAR articles (default: %(default)s)")
    parser.add_argument("--workers", default="1,2", help="dask worker counts (default: %(default)s)")
    parser.add_argument("--local", default="1,2", help="local process counts (default: %(default)s)")
    parser.add_argument("--work", type=Path, help="folder for the seeds (default: a temporary one)")
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="math library threads per process, local and dask alike (default: %(default)s)")
    args = parser.parse_args()

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-dask-"))
    seeds = work / "seeds"
    if not seeds.is_dir():
        seeds.mkdir(parents=True)
        subprocess.run([sys.executable, str(TOOLS), "polnear", str(seeds), "--count", str(args.count)], check=True,
                       stdout=subprocess.DEVNULL)
    articles = list(read_all(seeds, root=work).articles)
    provider = NlpProvider("")
    model = provider.model()
    keys = [cache_key(a.nlp_text, model.name, model.version, SUMMARY_SENTENCES) for a in articles]
    print(f"{len(articles)} PolNeAR articles, {sum(len(a.raw) for a in articles) / len(articles):,.0f} characters "
          f"each on average; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; "
          f"{args.blas_threads} math thread(s) per process", flush=True)

    rows: list[tuple[str, float, float, bool]] = []
    first: dict[str, Extraction] | None = None

    def record(name: str, start: float, seconds: float, found: dict[str, Extraction]) -> None:
        nonlocal first
        first = first if first is not None else found
        rows.append((name, start, seconds, found == first))
        print(f"  {name}: {len(articles) / seconds:.2f} articles/s", flush=True)

    started = time.perf_counter()
    nlp = provider.get()
    load = time.perf_counter() - started
    for processes in [int(n) for n in args.local.split(",") if n]:
        executor = LocalExecutor(lambda: nlp, processes, BATCH_SIZE, SUMMARY_SENTENCES)
        record(f"local, {processes} process(es)", load, *timed_run(executor, articles, keys))

    import dask
    from distributed import Client, LocalCluster

    environ = dask.config.get("distributed.nanny.pre-spawn-environ", {})
    dask.config.set({"distributed.nanny.pre-spawn-environ": {
        **environ, **{name: str(args.blas_threads) for name in BLAS_THREADS}}})

    for workers in [int(n) for n in args.workers.split(",") if n]:
        started = time.perf_counter()
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address="127.0.0.1:0") as cluster, Client(cluster, set_as_default=False) as client:
            # Warm-up: one article on every worker, so each has loaded spaCy before the clock starts.
            for worker in client.scheduler_info()["workers"]:
                client.submit(extract_chunk, articles[:1], keys[:1], model=model, batch_size=BATCH_SIZE,
                              summary_sentences=SUMMARY_SENTENCES, shared_cache=None, workers=[worker],
                              pure=False).result()
            start = time.perf_counter() - started
            executor = DaskExecutor(scheduler=cluster.scheduler_address, processes=workers, model=model,
                                    batch_size=BATCH_SIZE, summary_sentences=SUMMARY_SENTENCES, shared_cache=None)
            record(f"dask, {workers} worker(s)", start, *timed_run(executor, articles, keys))

    # Once more in this process (no fork, so safe now): the dask runs sit between two local ones, and a
    # change in the machine's load during the run shows as a difference between the two.
    executor = LocalExecutor(lambda: nlp, 1, BATCH_SIZE, SUMMARY_SENTENCES)
    record("local, 1 process, again", load, *timed_run(executor, articles, keys))

    base = rows[0][2]
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("\n| executor | start (s) | extraction (s) | articles/s | vs local 1 | same records |")
    print("|---|---|---|---|---|---|")
    for name, start, seconds, same in rows:
        print(f"| {name} | {start:.1f} | {seconds:.1f} | {len(articles) / seconds:.2f} | {base / seconds:.2f} "
              f"| {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
