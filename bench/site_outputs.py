"""Render and search-index timings for a project's site, side by side in one run (no publish).

  PYTHONPATH=. python bench/site_outputs.py PROJECT_DIR

PROJECT_DIR is a briefgen project whose extraction cache is warm (build it once first), e.g. one made with
``python ../shared/tools/corpus_to_seeds.py polnear DIR/seeds --count 30``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from briefgen.build import BuildResult, NlpProvider, extract_briefings
from briefgen.config import load_config
from briefgen.graph import build_site
from briefgen.render import render_site, theme_dirs
from briefgen.search import with_search_index
from briefgen.sources import read_all


def main(project: Path) -> None:
    config = load_config(root=project, n_process=1)
    sources = read_all(config.source, root=config.root)
    briefings = extract_briefings(sources.articles, config, NlpProvider(config.model), BuildResult())
    site = build_site(briefings, title=config.title)
    started = time.perf_counter()
    outputs = list(render_site(site, theme_dirs(config.templates), base_url="https://example.org/"))
    rendered = time.perf_counter()
    index = list(with_search_index(outputs, print))[len(outputs):]
    indexed = time.perf_counter()
    render_s, index_s = rendered - started, indexed - rendered
    print(f"{len(briefings)} briefings, {len(site.entities)} entities")
    print(f"render: {len(outputs)} outputs in {render_s:.2f} s")
    print(f"search index: {len(index)} files in {index_s:.2f} s ({index_s / render_s:.1f}x render)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
