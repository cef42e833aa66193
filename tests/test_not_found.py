"""The 404 page in headless Chromium, served the way static hosts serve it: for a missing path at any depth."""

from __future__ import annotations

import datetime as dt
import http.server
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from briefgen.graph import build_site
from briefgen.render import render_site, theme_dirs

from browsing import CHROMIUM, chromium, http_server
from test_graph import briefing, person

pytestmark = pytest.mark.browser

pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():  # pragma: no cover
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def write_site(out: Path, base_url: str) -> Path:
    site = build_site([briefing("storm", dt.date(2024, 3, 2), [person("Ann Lee")])], title="Briefings")
    for o in render_site(site, theme_dirs(None), base_url=base_url):
        (out / o.path).parent.mkdir(parents=True, exist_ok=True)
        (out / o.path).write_bytes(o.data)
    return out


@contextmanager
def static_host(site: Path, mount: str) -> Iterator[str]:
    """Serves ``site`` at ``mount`` ("/" or "/news/") like Netlify or GitHub Pages: a missing file gets the
    site's 404.html with status 404, whatever the depth of the path."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            file = site / path[len(mount):] if path.startswith(mount) else None
            if file is not None and file.is_dir():
                file = file / "index.html"
            status = 200
            if file is None or not file.is_file():
                status, file = 404, site / "404.html"
            body = file.read_bytes()
            self.send_response(status)
            kind = {".css": "text/css", ".svg": "image/svg+xml"}.get(file.suffix, "text/html; charset=utf-8")
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with http_server(Handler) as root:
        yield root


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def check_not_found_page(browser, address: str, home: str) -> None:
    """At ``address`` the 404 page shows styled, its assets load, and its home link opens ``home``."""
    context = browser.new_context()
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 and r.url != address else None)
    try:
        response = page.goto(address)
        assert response.status == 404 and page.locator("h1").inner_text() == "Page not found"
        assert failed == []  # the stylesheet and favicon resolved
        # The theme's stylesheet applied: the skip link is moved off screen.
        assert page.evaluate("document.querySelector('.skip').getBoundingClientRect().right") <= 0
        with page.expect_navigation():
            page.get_by_role("link", name="home page").click()
        assert page.url == home
        assert page.locator(".site-header .brand").inner_text().strip() == "Briefings"
        assert failed == []
    finally:
        context.close()


@pytest.mark.parametrize("mount, base_url", [
    ("/", "https://example.org/"),
    ("/news/", "https://example.org/news/"),
    ("/news/", "https://example.org/news"),  # no trailing slash: the same site folder
])
def test_not_found_page_works_at_any_depth_with_base_url(browser, tmp_path: Path, mount: str, base_url: str):
    site = write_site(tmp_path, base_url)
    with static_host(site, mount) as host:
        for missing in ("missing", "a/b/missing", "briefings/gone.html", "a/b/c/"):
            check_not_found_page(browser, f"{host}{mount}{missing}", f"{host}{mount}index.html")


@pytest.mark.parametrize("mount", ["/", "/news/"])
def test_not_found_page_without_base_url_works_in_the_site_folder(browser, tmp_path: Path, mount: str):
    # Without base_url the site's path is unknown: links stay relative, right for a miss in the top folder
    # wherever the site is mounted (deeper misses need base_url, as the README says).
    site = write_site(tmp_path, "")
    with static_host(site, mount) as host:
        check_not_found_page(browser, f"{host}{mount}missing.html", f"{host}{mount}index.html")
