"""Full-text search: run Pagefind over the rendered pages and return its index as more outputs.

Pagefind reads a folder, so the HTML pages are written to a private temporary folder (never the output
folder: ``write.publish`` stays the only writer of the site) and the index it produces comes back as
``Output`` objects published with everything else. Without the Pagefind binary the site still builds and
works; only the search page says search is unavailable.

Only pages marked ``data-pagefind-body`` (briefings and actors) are indexed. The theme sets no
``data-pagefind-filter``: Pagefind 1.x writes its filter index in a different order on every run, which
would republish changed files after every build of an unchanged site.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from briefgen.render import Output

INDEX_DIR = "pagefind"
TIMEOUT = 600


class SearchUnavailable(Exception):
    """Pagefind is missing or failed; the message is one line for the user."""


def pagefind_command() -> list[str]:
    """How to run Pagefind: the Python package's launcher (``pagefind[bin]`` ships the binary)."""
    return [sys.executable, "-m", "pagefind"]


def search_index(outputs: Iterable[Output]) -> list[Output]:
    """The Pagefind index (``pagefind/...``) for the HTML pages among ``outputs``.

    Raises:
        SearchUnavailable: Pagefind is not installed or did not produce an index.
    """
    with tempfile.TemporaryDirectory(prefix="briefgen-search-") as tmp:
        site = Path(tmp) / "site"
        for output in outputs:
            if output.path.endswith(".html"):
                target = site / output.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(output.data)
        try:
            proc = subprocess.run(
                [*pagefind_command(), "--site", str(site), "--output-subdir", INDEX_DIR],
                capture_output=True, text=True, timeout=TIMEOUT, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SearchUnavailable(f"search index not built: pagefind could not run ({exc})") from None
        index = site / INDEX_DIR
        if proc.returncode != 0 or not (index / "pagefind.js").is_file():
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            reason = detail[-1] if detail else f"exit status {proc.returncode}"
            if "No module named pagefind" in (proc.stderr or ""):
                reason = "install it with: pip install 'pagefind[bin]'"
            raise SearchUnavailable(f"search index not built: pagefind failed: {reason}")
        return [
            Output(f"{INDEX_DIR}/{f.relative_to(index).as_posix()}", f.read_bytes())
            for f in sorted(index.rglob("*"))
            if f.is_file()
        ]
