"""relative_url agrees with posixpath.relpath on every kind of site path; the site path of a base_url."""

from __future__ import annotations

import posixpath

import pytest

from briefgen.urls import relative_url, site_root_path

PATHS = ["index.html", "404.html", "briefings/a.html", "entities/b.html", "entities/index.html",
         "assets/style.css", "assets/img/x.png", "a/b/c.html", "briefings.json"]


@pytest.mark.parametrize("source", PATHS)
@pytest.mark.parametrize("target", [*PATHS, "", "entities/", "briefings/a.html#q1"])
def test_relative_url_matches_relpath(source: str, target: str):
    full = target + "index.html" if target.endswith("/") or not target else target
    expected = posixpath.relpath(full, posixpath.dirname(source) or ".")
    assert relative_url(source, target) == expected


@pytest.mark.parametrize("base_url, expected", [
    ("https://example.org", "/"), ("https://example.org/", "/"), ("https://example.org/news", "/news/"),
    ("https://example.org/a/news/", "/a/news/"), ("https://example.org:8080/news/?x=1", "/news/"),
])
def test_site_root_path(base_url, expected):
    assert site_root_path(base_url) == expected
