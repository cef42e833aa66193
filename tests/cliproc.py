"""Run briefgen as a user does: a real process in a real project folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SEED

FAST = 'n_process = 1\nsearch = false\ncache_dir = ".cache"\n'


def run(cwd: Path, *args: str, unprivileged: bool = False, timeout: float = 600,
        env: dict[str, str] | None = None, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """``python -m briefgen ARGS`` in ``cwd``. ``unprivileged``: without the powers that let root read
    chmod 000 files or link other users' files, so permission tests mean the same for everyone."""
    prefix: list[str] = []
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permissions cannot be tested")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    return subprocess.run([*prefix, sys.executable, "-m", "briefgen", *args], cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
                          capture_output=True, text=True, timeout=timeout, **kwargs)  # type: ignore[call-overload]


def project(root: Path, config: str = FAST, *, seed: bool = True) -> Path:
    """A project folder with the seed article and a fast config."""
    (root / "seeds").mkdir(parents=True)
    if seed:
        shutil.copy(SEED, root / "seeds" / SEED.name)
    (root / "briefgen.toml").write_text(config, encoding="utf-8")
    return root


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (symlinks as their target), to compare a site before
    and after byte for byte."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[rel] = b"-> " + os.fsencode(os.readlink(path))
        elif path.is_file():
            found[rel] = path.read_bytes()
    return found


def built(root: Path, *args: str) -> dict[str, bytes]:
    """Build ``root`` (must succeed) and return the published site."""
    done = run(root, "build", "-q", *args)
    assert done.returncode == 0, done.stderr
    return tree(root / "site")
