"""Killing a build at any moment (kill -9) never damages the published site; two builds never interleave."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefgen.write import build_lock

from conftest import REPO, make_project

pytestmark = pytest.mark.nlp


def _snapshot(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _start(root: Path, cache: str) -> subprocess.Popen[str]:
    # A fresh cache each time, so the build really runs spaCy and can be killed mid-extraction.
    (root / "briefgen.toml").write_text(f'n_process = 1\ncache_dir = "{cache}"\n', encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "briefgen", "build", "-q"], cwd=root,
                            env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_9_at_any_moment_leaves_the_old_or_the_new_site_whole(tmp_path: Path):
    root = make_project(tmp_path / "project")
    started = time.perf_counter()
    first = _start(root, ".cache-0")
    assert first.wait(timeout=600) == 0, first.communicate()
    duration = time.perf_counter() - started
    old = _snapshot(root / "site")
    seed = next((root / "seeds").glob("canada-*.txt"))
    seed.write_text(seed.read_text(encoding="utf-8") + "\n\nOfficials said on Monday the balloon was gone.\n",
                    encoding="utf-8")

    rng = random.Random(7)
    seen: list[dict[str, bytes]] = []
    # From before spaCy loads, through extraction and rendering, to the publish at the very end.
    for i, fraction in enumerate([0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 1.02]):
        build = _start(root, f".cache-{i + 1}")
        time.sleep(duration * fraction * rng.uniform(0.9, 1.1))
        build.send_signal(signal.SIGKILL)
        build.communicate(timeout=60)
        seen.append(_snapshot(root / "site"))

    final = _start(root, ".cache-final")
    assert final.wait(timeout=600) == 0, final.communicate()
    new = _snapshot(root / "site")
    assert new != old
    for state in seen:
        assert state in (old, new)  # never a mix, never missing files
    assert old in seen  # at least one kill landed before the swap
    leftovers = {p.name for p in root.iterdir()} - {"seeds", "site", ".site.lock", "briefgen.toml"}
    assert all(name.startswith(".cache") for name in leftovers), leftovers


def test_a_second_build_is_refused_while_the_first_holds_the_lock(tmp_path: Path):
    root = make_project(tmp_path / "project", with_fixtures=False)
    (root / "site").mkdir()
    (root / "site" / ".briefgen-manifest.json").write_text("[]", encoding="utf-8")
    (root / "site" / "index.html").write_text("the published site", encoding="utf-8")
    with build_lock(root / "site"):  # the first build, mid-way
        second = _start(root, ".cache")
        _, err = second.communicate(timeout=600)
    assert second.returncode == 1
    assert err.startswith("error: another briefgen build is writing ")
    assert err.strip().endswith("site; try again when it finishes") and len(err.splitlines()) == 1
    assert (root / "site" / "index.html").read_text(encoding="utf-8") == "the published site"
