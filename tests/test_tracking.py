"""Dependency tracking without spaCy: which pages an edit of one article makes stale, by what each page read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest

from briefgen.engine import Changes, Digests, ReadKeys, compare_site, make_record, render_recorded
from briefgen.graph import build_site
from briefgen.model import Briefing, Site
from briefgen.render import Renderer, theme_dirs

from test_graph import briefing, person


def _site(edit: dict[str, str] | None = None) -> Site:
    briefings = [briefing(f"b{i}", dt.date(2021, 3, 1 + i), [person("Ann Lee"), person(f"Other {i}")])
                 for i in range(3)]
    if edit:
        b = briefings[1]
        article = dataclasses.replace(b.article, **edit)
        article = dataclasses.replace(article, sha256=hashlib.sha256(article.raw.encode()).hexdigest())
        briefings[1] = Briefing(article, b.summary, b.actors, b.quotes, b.context)
    return build_site(briefings)


def _stale_after(edit: dict[str, str]) -> set[str]:
    """The outputs whose recorded reads of the site graph an edit of briefing b1's article changes."""
    site = _site()
    read_keys = ReadKeys()
    records = {path: make_record(*render_recorded(job, site), bytes(16), read_keys)
               for path, job in Renderer(theme_dirs(None)).plan(site).items()}
    values, _ = compare_site(site, {}, Digests())
    _, changed = compare_site(_site(edit), values, Digests())
    changes = Changes(changed, bool(changed), set(), read_keys=read_keys)
    return {path for path, record in records.items() if changes.stale(record)}


RAW = briefing("b1", None, []).article.raw
"""The text of briefing b1's article."""


def test_a_text_edit_leaves_the_actor_pages_that_list_the_article():
    stale = _stale_after({"raw": RAW + "\n\nThe statement was later corrected."})
    assert "entities/ann-lee.html" not in stale and "entities/other-1.html" not in stale
    # Pages that read the whole site follow any change.
    assert "briefings.json" in stale


@pytest.mark.parametrize("edit", [
    {"title": "A new headline"},
    {"publisher": "Harbour Gazette"},
    {"raw": RAW + "\n\n— Reuters"},  # a closing credit line: the lists name the wire service
], ids=["title", "publisher", "credit"])
def test_an_edit_of_what_the_lists_show_makes_the_actor_pages_stale(edit: dict[str, str]):
    stale = _stale_after(edit)
    assert {"entities/ann-lee.html", "entities/other-1.html"} <= stale
    assert "entities/other-0.html" not in stale
