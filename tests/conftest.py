"""Shared fixtures: they build on each other (seed files -> project -> nlp -> built site)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.build import BuildResult, NlpProvider
from briefgen.config import Config, load_config

from golden import build_fixture_site

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "canada-balloon.txt"
FIXTURE_SEEDS = Path(__file__).resolve().parent / "fixtures" / "seeds"
SHARED_DATA = REPO.parent / "shared" / "data"


def make_project(root: Path, *, with_fixtures: bool = True) -> Path:
    """A project folder with the seed article (and the fixture articles) in seeds/."""
    seeds = root / "seeds"
    seeds.mkdir(parents=True)
    shutil.copy(SEED, seeds / SEED.name)
    if with_fixtures:
        for f in FIXTURE_SEEDS.iterdir():
            shutil.copy(f, seeds / f.name)
    return root


@pytest.fixture(scope="session")
def nlp_provider() -> NlpProvider:
    """spaCy loaded once for the whole session."""
    provider = NlpProvider("")
    provider.get()
    return provider


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture()
def config(project: Path, tmp_path: Path) -> Config:
    return load_config(root=project, cache_dir=str(tmp_path / "cache"), n_process=1)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, nlp_provider: NlpProvider) -> tuple[Config, BuildResult]:
    """The seed plus fixture articles, built once per session (read-only for tests)."""
    return build_fixture_site(tmp_path_factory.mktemp("built") / "project", nlp_provider)


@pytest.fixture(scope="session")
def site_dir(built: tuple[Config, BuildResult]) -> Path:
    return built[0].out
