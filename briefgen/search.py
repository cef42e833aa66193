"""Full-text search: run Pagefind over the rendered pages and add its index to the outputs.

Pagefind reads a folder, so the HTML pages are copied, as they stream past on their way to ``publish``, into
a private temporary folder (never the output folder: ``write.publish`` stays the only writer of the site);
the index Pagefind builds there comes back as more ``Output`` objects, published with everything else.
Without the Pagefind binary the site still builds and works; only the search page says search is
unavailable.

Only pages marked ``data-pagefind-body`` (briefings and actors) are indexed. The theme sets no
``data-pagefind-filter``: Pagefind 1.x writes its filter index in a different order on every run, which
would republish changed files after every build of an unchanged site.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from briefgen.render import Output

INDEX_DIR = "pagefind"
PAGE_MARKER = b"data-pagefind-body"
TIMEOUT = 600


class SearchUnavailable(Exception):
    """Pagefind is missing or failed; the message is one line for the user."""


def pagefind_command() -> list[str]:
    """How to run Pagefind: the Python package's launcher (``pagefind[bin]`` ships the binary)."""
    return [sys.executable, "-m", "pagefind"]


def with_search_index(outputs: Iterable[Output], warn: Callable[[str], None]) -> Iterator[Output]:
    """``outputs`` unchanged, then Pagefind's index (``pagefind/...``) of the HTML pages among them.

    Streams: one page is in memory at a time. When Pagefind cannot run, ``warn`` gets one line and no
    index follows.
    """
    with tempfile.TemporaryDirectory(prefix="briefgen-search-") as tmp:
        site = Path(tmp) / "site"
        # Once any page is marked data-pagefind-body, Pagefind indexes only marked pages: the unmarked ones are
        # not handed to it at all (parsing them was most of its time). Unmarked pages are kept aside only
        # until a marked one appears, for themes that mark nothing (then every page is indexed).
        unmarked: Path | None = Path(tmp) / "unmarked"
        for output in outputs:
            parts = output.path.split("/")
            # Paths that could leave the folder are skipped here; publish refuses them with an error.
            if output.path.endswith(".html") and not output.path.startswith("/") and ".." not in parts:
                marked = PAGE_MARKER in output.data
                if marked and unmarked is not None:
                    shutil.rmtree(unmarked, ignore_errors=True)
                    unmarked = None
                folder = site if marked else unmarked
                if folder is not None:
                    target = folder.joinpath(*parts)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(output.data)
            yield output
        if unmarked is not None and unmarked.is_dir():
            shutil.rmtree(site, ignore_errors=True)
            unmarked.rename(site)
        try:
            index = _run_pagefind(site)
        except SearchUnavailable as exc:
            warn(str(exc))
            return
        # Read file by file as publish takes them: a 20,000-briefing site's index is about 400 MB.
        for path in index:
            yield Output(f"{INDEX_DIR}/{path.relative_to(site / INDEX_DIR).as_posix()}", path.read_bytes())


def _run_pagefind(site: Path) -> list[Path]:
    """Run Pagefind over ``site``; the files of the index it wrote, sorted."""
    site.mkdir(parents=True, exist_ok=True)
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
        if "No module named" in (proc.stderr or ""):
            reason = "install it with: pip install 'pagefind[bin]'"
        raise SearchUnavailable(f"search index not built: pagefind failed: {reason}")
    return [f for f in sorted(index.rglob("*")) if f.is_file()]
