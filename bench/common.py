"""Shared by the bench scripts: corpus paths, the real extractor run with a parsed-Doc cache, and the
memory of a process tree sampled while it runs.

The extractor is the build's own code path (``briefgen.extract.prepare`` -> ``nlp.pipe`` ->
``briefgen.extract.extract_doc``, exactly what ``extract_all`` does). Only the spaCy parse is cached
(``DocBin`` files under ``--cache``, keyed by the prepared text and the model), so a re-run after a change
to the rules in ``briefgen/extract`` costs seconds instead of minutes and always measures the current rules.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefgen.build import NlpProvider  # noqa: E402
from briefgen.extract import MAX_NLP_CHARS, extract_doc, prepare  # noqa: E402
from briefgen.model import Article, Extraction  # noqa: E402

DATA = REPO.parent / "shared" / "data"
DEFAULT_CACHE = Path("/tmp/briefgen-bench")


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared corpora folder (default: %(default)s)")
    parser.add_argument("--limit", type=int, default=0, help="first N articles only (0: all)")
    parser.add_argument("--n-process", type=int, default=1, help="spaCy processes for uncached articles")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="parsed-Doc cache (default: %(default)s)")
    return parser


def require(folder: Path) -> None:
    if not folder.is_dir():
        sys.exit(f"{folder}: corpus not found (see ../shared/data/README.md)")


def parse_articles(articles: Sequence[Article], *, n_process: int = 1, cache: Path = DEFAULT_CACHE) -> dict[str, Any]:
    """slug -> parsed spaCy Doc of the text the extractor prepares, parsing only what the cache lacks."""
    from spacy.tokens import Doc

    from briefgen.extract.nlp import PIPELINE_VERSION

    provider = NlpProvider("")
    info = provider.model()
    folder = cache / "docs" / f"{info.name}-{info.version}-pipeline{PIPELINE_VERSION}"
    folder.mkdir(parents=True, exist_ok=True)

    def doc_path(text: str) -> Path:
        return folder / (hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest() + ".doc")

    nlp = provider.get()
    docs: dict[str, Any] = {}
    todo = []
    for a in articles:
        text = prepare(a)[0][:MAX_NLP_CHARS]
        path = doc_path(text)
        if path.exists():
            docs[a.slug] = Doc(nlp.vocab).from_bytes(path.read_bytes())
        else:
            todo.append((text, a.slug))
    if todo:
        started = time.perf_counter()
        print(f"parsing {len(todo)} articles with spaCy ({n_process} process(es))...", file=sys.stderr)
        for doc, slug in nlp.pipe(todo, as_tuples=True, batch_size=16, n_process=max(1, n_process)):
            doc_path(doc.text).write_bytes(doc.to_bytes(exclude=["tensor", "user_data"]))
            docs[slug] = doc
        print(f"parsed in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return docs


def extract_articles(
    articles: Sequence[Article], *, n_process: int = 1, cache: Path = DEFAULT_CACHE, summary_sentences: int = 3,
    docs: dict[str, Any] | None = None,
) -> dict[str, Extraction]:
    """slug -> Extraction for every article (the build's own ``extract_doc`` on the cached parse)."""
    docs = docs if docs is not None else parse_articles(articles, n_process=n_process, cache=cache)
    return {
        a.slug: extract_doc(docs[a.slug], a, prepare(a)[1], summary_sentences=summary_sentences)
        for a in articles
    }


# ---------------------------------------------------------------- memory of a process tree, sampled


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (processes, not threads), from /proc (Linux)."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except OSError:  # ended between two reads
            pass
    return found


def memory_kb(pid: int, field: str) -> int:
    """One process's ``Rss`` or ``Pss``; 0 once it has ended.

    ``Rss`` comes from ``/proc/PID/status`` (the kernel's counters). ``Pss`` needs ``/proc/PID/smaps_rollup``
    (pages shared by forked processes count once in the sum of PSS over a tree), which walks the process's
    whole address space holding its memory-map lock: sampled every 50 ms it slowed a 1.3 GB process that was
    allocating (an engine state's load, 6.2 s alone) by half (9.6 s)."""
    source, label = (f"/proc/{pid}/status", "VmRSS:") if field == "Rss" else (f"/proc/{pid}/smaps_rollup", f"{field}:")
    try:
        with open(source) as lines:
            return next((int(line.split()[1]) for line in lines if line.startswith(label)), 0)
    except OSError:
        return 0


class TreeSampler:
    """Samples the memory of a process tree every ``seconds`` in a thread; ``peak`` (kB) is the largest
    sum seen, ``at_peak`` that sum per process name as (kB, processes)."""

    def __init__(self, pid: int, field: str = "Pss", seconds: float = 0.1) -> None:
        self.peak = 0
        self.at_peak: dict[str, tuple[int, int]] = {}
        self._done = threading.Event()

        def sample() -> None:
            while not self._done.wait(seconds):
                split: dict[str, list[int]] = {}
                for child in process_tree(pid):
                    held = split.setdefault(_name(child), [0, 0])
                    held[0] += memory_kb(child, field)
                    held[1] += 1
                if (total := sum(kb for kb, _ in split.values())) > self.peak:
                    self.peak, self.at_peak = total, {k: (kb, n) for k, (kb, n) in split.items()}

        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as comm:
            return comm.read().strip()
    except OSError:
        return "?"
