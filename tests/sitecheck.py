"""Checks for a built site folder: links and assets resolve, pages parse as HTML. Shared by the site tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import html5lib


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for key in ("href", "src"):
            if values.get(key) and not (tag == "base"):
                self.links.append(values[key] or "")


def scan(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> list[str]:
    """Every internal href/src (and #fragment) of every page that does not resolve, as 'page -> link'."""
    problems = []
    pages = sorted(site.rglob("*.html"))
    ids = {p: scan(p).ids for p in pages}
    for page in pages:
        if page.name == "404.html":
            continue  # links through <base href>; checked separately
        for link in scan(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                if parts.scheme not in {"http", "https", "mailto", "data"}:
                    problems.append(f"{page.relative_to(site)} -> {link} (unexpected scheme)")
                continue
            if link.startswith("/"):
                problems.append(f"{page.relative_to(site)} -> {link} (root-relative: breaks under a sub-path)")
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file() or not target.is_relative_to(site.resolve()):
                problems.append(f"{page.relative_to(site)} -> {link}")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids.get(target, set()):
                problems.append(f"{page.relative_to(site)} -> {link} (no such id)")
    return problems


def html_errors(site: Path) -> list[str]:
    """Pages html5lib's strict parser rejects."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        if page.parent.name == "pagefind":
            continue
        try:
            html5lib.HTMLParser(strict=True).parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            problems.append(f"{page.relative_to(site)}: {exc}")
    return problems


class _Outline(HTMLParser):
    """Headings, landmarks and link texts of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.tags: list[str] = []
        self.lang = ""
        self.links: list[str] = []
        self._link: list[str] | None = None
        self._link_label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = values.get("lang") or ""
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "a" and "href" in values:
            self._link, self._link_label = [], values.get("aria-label") or ""

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append(self._link_label or " ".join("".join(self._link).split()))
            self._link = None


VAGUE_LINKS = {"", "here", "click here", "more", "read more", "link", "this"}


def accessibility_problems(site: Path) -> list[str]:
    """Missing landmarks or language, not exactly one h1, skipped heading levels, vague link texts."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        if page.parent.name == "pagefind":
            continue
        outline = _Outline()
        outline.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(site)
        if not outline.lang:
            problems.append(f"{name}: no lang")
        for landmark in ("header", "nav", "main", "footer"):
            if landmark not in outline.tags:
                problems.append(f"{name}: no <{landmark}>")
        if outline.headings.count(1) != 1 or outline.headings[:1] != [1]:
            problems.append(f"{name}: headings {outline.headings[:5]} (want one h1, first)")
        for before, after in zip(outline.headings, outline.headings[1:]):
            if after > before + 1:
                problems.append(f"{name}: heading h{before} followed by h{after}")
                break
        vague = [t for t in outline.links if t.lower().strip(" →←.") in VAGUE_LINKS]
        if vague:
            problems.append(f"{name}: vague link texts {vague[:3]}")
    return problems
