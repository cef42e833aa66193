"""executor = "dask": a real dask.distributed scheduler with two worker processes on 127.0.0.1.

The sites are compared byte for byte with a build by the local executor; a worker is killed with SIGKILL
while it holds an article; a scheduler that is not there is one error line and leaves the site alone.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cliproc import FAST, run, tree
from conftest import REPO, make_project
from distributed import Client, LocalCluster

from briefgen.config import load_config
from briefgen.errors import ConfigError, ExtractError
from briefgen.executors import DaskExecutor
from briefgen.extract.cache import ExtractionCache
from briefgen.extract.nlp import ModelInfo, resolve_model
from briefgen.model import Article, Extraction
from briefgen.sources import read_all


def _cluster() -> LocalCluster:
    return LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address="127.0.0.1:0")


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with _cluster() as started:
        yield started


@pytest.fixture(scope="module")
def local_site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The fixture corpus built by the default executor."""
    root = make_project(tmp_path_factory.mktemp("local") / "project")
    (root / "briefgen.toml").write_text(FAST, encoding="utf-8")
    done = run(root, "build", "-q")
    assert done.returncode == 0, done.stderr
    return tree(root / "site")


def _dask_project(root: Path, scheduler: str, extra: str = "") -> Path:
    make_project(root)
    (root / "briefgen.toml").write_text(
        FAST + f'executor = "dask"\ndask_scheduler = "{scheduler}"\n' + extra, encoding="utf-8")
    return root


@pytest.mark.nlp
@pytest.mark.parametrize(("address", "shared_cache"), [(True, False), (True, True), (False, False)],
                         ids=["results-returned", "shared-cache", "cluster-of-its-own"])
def test_a_dask_build_is_byte_identical_and_fills_the_cache(
    tmp_path: Path, cluster: LocalCluster, local_site: dict[str, bytes], address: bool, shared_cache: bool
):
    # Without an address the build starts a local cluster of n_process (here 1) workers itself.
    root = _dask_project(tmp_path / "project", cluster.scheduler_address if address else "",
                         f"dask_shared_cache = {str(shared_cache).lower()}\n")
    done = run(root, "build")
    assert done.returncode == 0, done.stderr
    assert "4 extracted, 0 from cache, 0 errors" in done.stdout
    assert tree(root / "site") == local_site

    # Whoever wrote the cache entries (this process or the workers), a local build finds every one.
    shutil.rmtree(root / "site")
    again = run(root, "build", "--executor", "local")
    assert again.returncode == 0, again.stderr
    assert "0 extracted, 4 from cache" in again.stdout
    assert tree(root / "site") == local_site


@pytest.mark.nlp
def test_a_worker_killed_mid_build_loses_nothing(tmp_path: Path, local_site: dict[str, bytes]):
    # A cluster of its own: its workers have not loaded spaCy yet, so each holds its first article for seconds.
    with _cluster() as fresh, Client(fresh, set_as_default=False) as client:
        # One article per chunk: the kill takes one chunk's articles with it, the others are elsewhere.
        root = _dask_project(tmp_path / "project", fresh.scheduler_address, "batch_size = 1\n")
        building = subprocess.Popen(
            [sys.executable, "-m", "briefgen", "build", "-q"], cwd=root, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 120
            busy: list[str] = []
            while not busy and building.poll() is None and time.monotonic() < deadline:
                busy = [worker for worker, keys in client.processing().items() if keys]
                time.sleep(0.05)
            assert busy, "no worker ever took an article"
            pids = client.run(os.getpid, workers=busy[:1])
            os.kill(pids[busy[0]], signal.SIGKILL)
            _, err = building.communicate(timeout=300)
        finally:
            if building.poll() is None:
                building.kill()
                building.wait()
    assert building.returncode == 0, err
    assert tree(root / "site") == local_site


@pytest.mark.nlp
def test_one_bad_article_costs_only_itself(tmp_path: Path, cluster: LocalCluster):
    good = list(read_all(make_project(tmp_path / "project") / "seeds", root=tmp_path / "project").articles)
    # Copies under other names, so chunks hold several articles and the bad one's chunk has good ones too.
    articles = [dataclasses.replace(a, slug=f"{a.slug}-{n}") for n in range(3) for a in good]
    # Paragraph offsets that cannot be unpacked: reading the article's paragraphs raises in the worker.
    bad = dataclasses.replace(good[0], slug="bad", source="seeds/bad.txt", bounds=b"\x01\x02\x03")
    articles.insert(5, bad)
    outcomes: dict[str, Extraction | Exception] = {}

    def done(article: Article, outcome: Extraction | Exception) -> None:
        assert article.slug not in outcomes
        outcomes[article.slug] = outcome

    shared = tmp_path / "shared-cache"
    executor = DaskExecutor(scheduler=cluster.scheduler_address, processes=2, model=resolve_model(""),
                            batch_size=16, summary_sentences=3, shared_cache=shared)
    executor.run(articles, [f"key-{a.slug}" for a in articles], done)
    assert sorted(outcomes) == sorted(a.slug for a in articles)
    assert isinstance(outcomes.pop("bad"), Exception)
    assert all(isinstance(o, Extraction) and o.summary for o in outcomes.values())
    # The workers stored every good record in the shared folder themselves.
    assert all(ExtractionCache(shared).get(f"key-{slug}") == o for slug, o in outcomes.items())
    # The same article under every name gives the same record.
    assert len({outcomes[f"{a.slug}-{n}"] for a in good for n in range(3)}) == len(good)


def test_a_worker_with_another_model_version_stops_the_build(tmp_path: Path, cluster: LocalCluster):
    articles = list(read_all(make_project(tmp_path / "project") / "seeds", root=tmp_path / "project").articles)
    installed = resolve_model("")
    executor = DaskExecutor(scheduler=cluster.scheduler_address, processes=2,
                            model=ModelInfo(installed.name, "0.0.1"), batch_size=16, summary_sentences=3,
                            shared_cache=None)
    # Its records would be cached under the other version's key: refused, not stored under a lie.
    with pytest.raises(ExtractError, match=f"cannot run briefgen's extraction: has {installed.name} "
                                           f"{installed.version}, this build uses {installed.name} 0.0.1"):
        executor.run(articles, [a.slug for a in articles], lambda article, outcome: None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_scheduler_is_one_error_and_the_site_stays(tmp_path: Path):
    root = make_project(tmp_path / "project")
    (root / "briefgen.toml").write_text(FAST, encoding="utf-8")
    assert run(root, "build", "-q").returncode == 0
    published = tree(root / "site")
    # A new article, so there is something to extract on the cluster.
    (root / "seeds" / "new.txt").write_text("Title: New\n\nThe port reopened on Monday, officials said.\n",
                                            encoding="utf-8")
    address = f"tcp://127.0.0.1:{_free_port()}"
    done = run(root, "build", "-q", "--executor", "dask", "--dask-scheduler", address,
               env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"})
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: cannot reach the dask scheduler at " + address)
    assert tree(root / "site") == published


def test_executor_settings_are_checked_with_file_and_line(tmp_path: Path):
    config = tmp_path / "briefgen.toml"
    config.write_text('title = "x"\nexecutor = "spark"\ndask_scheduler = "host:8786"\ndask_shared_cache = 1\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value).splitlines() == [
        f"{config}:4: Config value 'dask_shared_cache': expected true or false, got 1",
        f"{config}:2: Config value 'executor': must be \"local\" or \"dask\", got 'spark'",
        f"{config}:3: Config value 'dask_scheduler': expected an address such as tcp://host:8786, got 'host:8786'",
    ]
    config.write_text('executor = "dask"\ndask_scheduler = "tcp://10.0.0.5:8786"\n')
    assert load_config(config, executor="local").executor == "local"  # the command line wins
    assert load_config(config).dask_scheduler == "tcp://10.0.0.5:8786"
    assert load_config(root=tmp_path / "elsewhere").executor == "local"  # the default: nothing new needed
