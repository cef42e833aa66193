"""Slugs, output paths and relative URLs: the one place that knows the site's URL scheme.

Pages are plain ``.html`` files (``briefings/<slug>.html``) rather than ``<slug>/index.html``
folders, so every link works opened from disk as well as from any host or sub-path.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

from briefgen.text import clean_name

MAX_SLUG = 80
_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """A safe, readable, lowercase ASCII slug; never empty, never a path.

    Characters with no ASCII form are dropped; text with nothing left gets a short hash (of the text
    without invisible characters, so a zero-width space cannot make a second slug for one name).
    """
    text = clean_name(text)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NON_WORD.sub("-", folded).strip("-")[:MAX_SLUG].strip("-")
    if not slug:
        slug = "x-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return slug


def _stem(slug: str) -> str:
    """A file name that cannot be a folder's index page: an actor or tag called "Index" gets ``index-``.

    Slugs never end in "-", so no other slug can take that name.
    """
    return slug + "-" if slug == "index" else slug


def briefing_path(slug: str) -> str:
    return f"briefings/{_stem(slug)}.html"


def incident_path(slug: str) -> str:
    return f"incidents/{_stem(slug)}.html"


def entity_path(slug: str) -> str:
    return f"entities/{_stem(slug)}.html"


def entity_json_path(slug: str) -> str:
    return f"entities/{_stem(slug)}.json"


def tag_path(tag: str) -> str:
    return f"tags/{_stem(slugify(tag))}.html"


def directory_path(kind: str, sort: str = "name", page: int = 1) -> str:
    """One static page per entity kind, sort order and page: ``entities/person/by-briefings-2.html``.

    Static pages rather than client-side sorting, so the directory works without JavaScript.
    """
    stem = "index" if sort == "name" else f"by-{sort}"
    if page > 1:
        stem = f"{'page' if sort == 'name' else stem}-{page}"
    return f"entities/{kind}/{stem}.html"


TIMELINE = "timeline.html"


def timeline_path(year: int | None) -> str:
    """One year of a long timeline; ``None``: the undated briefings."""
    return f"timeline/{year if year is not None else 'undated'}.html"


TAGS = "tags/index.html"
SEARCH = "search.html"
ENTITIES = "entities/index.html"
ATOM_FEED = "feed.xml"
JSON_FEED = "feed.json"
SITEMAP = "sitemap.xml"
NOT_FOUND = "404.html"


def relative_url(from_path: str, to_path: str) -> str:
    """Link from the page written at ``from_path`` to ``to_path`` (both site-relative).

    A trailing slash on ``to_path`` means a folder's index page.
    """
    return _relative_url(from_path[:from_path.rfind("/") + 1], to_path)


@functools.lru_cache(maxsize=1 << 16)
def _relative_url(folder: str, to_path: str) -> str:
    """``relative_url`` from any page in ``folder`` (up to its last "/"): the link depends only on it, so the
    pages of one folder (every actor page links the same briefings) share the answers."""
    if to_path.endswith("/") or to_path == "":
        to_path = to_path + "index.html"
    # Pure string work (no os.path.relpath, which calls getcwd twice): every page makes dozens of links.
    here = folder.split("/")[:-1]
    there = [p for p in to_path.split("/") if p not in ("", ".")]
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:])


def site_root_path(base_url: str) -> str:
    """The path part of ``base_url`` as a folder: ``https://example.org/news`` -> ``/news/``."""
    return urlsplit(base_url).path.rstrip("/") + "/"


def absolute_url(base_url: str, path: str) -> str:
    """``path`` under the published ``base_url`` (for feeds and sitemap)."""
    return base_url.rstrip("/") + "/" + path.lstrip("/")
