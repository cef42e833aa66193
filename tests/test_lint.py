"""briefgen/ passes ``mypy --strict`` and ruff with the settings in pyproject.toml, so the config cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("tool", [("mypy",), ("ruff", "check", "--no-cache")], ids=["mypy", "ruff"])
def test_briefgen_has_no_findings(tool: tuple[str, ...]) -> None:
    result = _run(*tool, "briefgen")
    if result.returncode != 0 and "No module named" in result.stderr:
        pytest.fail(f"{tool[0]} is not installed: pip install -e '.[test]'")
    assert result.returncode == 0, f"{' '.join(tool)} briefgen found problems:\n{result.stdout}{result.stderr}"
