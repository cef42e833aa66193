"""relative_url agrees with posixpath.relpath on every kind of site path."""

from __future__ import annotations

import posixpath

import pytest

from briefgen.urls import relative_url

PATHS = ["index.html", "404.html", "briefings/a.html", "entities/b.html", "entities/index.html",
         "assets/style.css", "assets/img/x.png", "a/b/c.html", "briefings.json"]


@pytest.mark.parametrize("source", PATHS)
@pytest.mark.parametrize("target", [*PATHS, "", "entities/", "briefings/a.html#q1"])
def test_relative_url_matches_relpath(source: str, target: str):
    full = target + "index.html" if target.endswith("/") or not target else target
    expected = posixpath.relpath(full, posixpath.dirname(source) or ".")
    assert relative_url(source, target) == expected
