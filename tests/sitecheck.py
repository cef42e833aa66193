"""Checks for a built site folder: links and assets resolve, pages parse as HTML. Shared by the site tests."""

from __future__ import annotations

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
