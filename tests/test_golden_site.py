"""The fixture corpus builds to exactly the committed expected site (tests/expected_site/).

A failure shows which pages are missing, new or changed, with a diff. If the change is intended (a template,
extraction or spaCy model change), regenerate the expected site with this checkout's briefgen (whatever is
installed), read its diff and commit it with the change::

    scripts/update-expected-site
    git diff --stat tests/expected_site

See tests/golden.py for what is compared and why.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.build import BuildResult
from briefgen.config import Config

from golden import EXPECTED_SITE, UPDATE_COMMAND, describe_differences, golden_pages

pytestmark = pytest.mark.nlp


def test_the_fixture_corpus_builds_the_expected_site(built: tuple[Config, BuildResult]):
    expected = golden_pages(EXPECTED_SITE) if EXPECTED_SITE.is_dir() else {}
    assert expected, f"no expected site in {EXPECTED_SITE}: run {UPDATE_COMMAND}"
    actual = golden_pages(built[0].out)
    assert actual == expected, (
        f"the build differs from {EXPECTED_SITE.name}/ (if intended: run {UPDATE_COMMAND} and commit):\n"
        + describe_differences(expected, actual)
    )


def test_the_comparison_reports_missing_new_and_changed_pages():
    expected = {"a.html": b"<p>one</p>\n<p>two</p>\n", "gone.json": b"{}"}
    actual = {"a.html": b"<p>one</p>\n<p>three</p>\n", "new.xml": b"<x/>"}
    report = describe_differences(expected, actual)
    assert "missing from the build: gone.json" in report
    assert "not in the expected site: new.xml" in report
    assert "-<p>two</p>" in report and "+<p>three</p>" in report
    assert "same lines, different bytes" in describe_differences({"a": b"x\n"}, {"a": b"x"})


def test_pagefind_and_copied_files_are_not_compared(tmp_path: Path):
    for name in ("index.html", "feed.xml", "pagefind/pagefind-entry.json", "assets/style.css", "robots.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    assert sorted(golden_pages(tmp_path)) == ["feed.xml", "index.html"]
