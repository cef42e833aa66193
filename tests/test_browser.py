"""The built site in headless Chromium: under a sub-path, from disk, search (built and served), phone layout,
the source view, print. Saves screenshots and a briefing's PDF in test-artifacts/."""

from __future__ import annotations

import functools
import http.server
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from browsing import CHROMIUM, chromium, http_server
from conftest import REPO, make_project

from briefgen import search
from briefgen.build import build
from briefgen.config import load_config
from briefgen.serve import DevServer

pytestmark = [pytest.mark.browser, pytest.mark.nlp]

ARTIFACTS = REPO / "test-artifacts"
PAGE_TYPES = {
    "home": "index.html",
    "briefing": "briefings/storm-port.html",
    "seed-briefing": "briefings/canada-balloon.html",
    "entity": "entities/tomasz-nowak.html",
    "directory": "entities/person/index.html",
    "timeline": "timeline.html",
    "tag": "tags/weather.html",
    "actors": "entities/index.html",
    "search": "search.html?q=ferry",
}

pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():  # pragma: no cover
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _served(site_dir: Path) -> Iterator[str]:
    """The site served under a sub-path: the grandparent folder is the web root, so pages live at /<p>/site/."""
    with http_server(functools.partial(_Quiet, directory=str(site_dir.parent.parent))) as root:
        yield f"{root}/{site_dir.parent.name}/{site_dir.name}/"


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    with _served(site_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert errors == []


def _wait_for_results(page) -> None:
    """Pagefind shows placeholder rows while it loads each result; wait until they are all filled in."""
    page.locator(".pagefind-ui__result-link").first.wait_for(timeout=15000)
    page.wait_for_function("!document.querySelector('.pagefind-ui__loading')", timeout=15000)


def _briefing_to_entity_and_back(page, start: str) -> None:
    page.goto(start)
    assert page.locator("h1").first.inner_text() == "Incident briefings"
    assert page.locator("link[rel=stylesheet]").count() >= 1
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"  # CSS loaded
    page.get_by_role("link", name="Storm closes Baltic ferry routes").first.click()
    assert page.locator("h1").inner_text() == "Storm closes Baltic ferry routes"
    briefing_url = page.url
    page.locator("a.mention", has_text="Tomasz Nowak").first.click()
    assert page.locator("h1").inner_text() == "Tomasz Nowak"
    assert page.get_by_role("link", name="Storm closes Baltic ferry routes").count() >= 1
    page.go_back()
    assert page.url == briefing_url and page.locator("h1").inner_text() == "Storm closes Baltic ferry routes"
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Actors").click()
    assert page.locator("h1").inner_text() == "Actors"


def test_under_a_sub_path_briefing_to_entity_and_back(page, base_url):
    _briefing_to_entity_and_back(page, base_url)  # the folder URL itself, as a host serves it
    assert "/site/entities/index.html" in page.url


def test_from_disk_briefing_to_entity_and_back(page, site_dir):
    _briefing_to_entity_and_back(page, (site_dir / "index.html").as_uri())
    assert page.url.startswith("file://")


def test_search_finds_the_right_briefing(page, base_url):
    page.goto(base_url + "index.html")
    page.get_by_role("search").get_by_label("Search briefings and actors").fill("ferry")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for(timeout=15000)
    assert first.inner_text() == "Storm closes Baltic ferry routes"
    first.click()
    assert page.locator("h1").inner_text() == "Storm closes Baltic ferry routes"
    assert page.url == base_url + "briefings/storm-port.html"


def test_search_finds_a_page_whose_shard_is_not_the_primary_bundle(page, tmp_path, nlp_provider, monkeypatch):
    monkeypatch.setattr(search, "SHARD_PAGES", 1)  # the 4 briefings spread over several bundles
    config = load_config(root=make_project(tmp_path / "project"), cache_dir=str(tmp_path / "cache"), n_process=1)
    result = build(config, nlp=nlp_provider)
    assert not result.warnings
    bundles = json.loads((config.out / "pagefind/shards.json").read_text())["bundles"]
    assert len(bundles) >= 2
    # A briefing whose bundle is not the first one (the search page's primary index): found only through merging.
    words = {"storm-port": "ferry", "harbour-fire": "Rotterdam", "canada-balloon": "balloon", "no-quotes": "Brenner"}
    shards = search.shard_count(sum(run.pages for run in result.search.runs), 1)
    slug = next(s for s in words if f"shard-{search.shard_of(f'briefings/{s}.html', shards)}/" != bundles[0])
    with _served(config.out) as url:
        page.goto(url + "search.html?q=" + words[slug])
        _wait_for_results(page)
        first = page.locator(".pagefind-ui__result-link").first
        assert first.get_attribute("href") == f"/{config.out.parent.name}/site/briefings/{slug}.html"
        first.click()
        assert page.url == url + f"briefings/{slug}.html"


def test_search_explains_itself_from_disk_and_without_javascript(browser, page, site_dir, base_url):
    page.goto((site_dir / "search.html").as_uri())
    assert page.locator("#search-unavailable").is_visible()
    context = browser.new_context(java_script_enabled=False)
    try:
        no_js = context.new_page()
        no_js.goto(base_url + "search.html")
        assert no_js.get_by_text("Search needs JavaScript").is_visible()
        assert not no_js.locator("#search-unavailable").is_visible()
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_and_no_horizontal_scroll_on_a_phone(browser, base_url, scheme):
    ARTIFACTS.mkdir(exist_ok=True)
    for width, label in ((375, "phone"), (1280, "desktop")):
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        try:
            pg = context.new_page()
            for kind, path in PAGE_TYPES.items():
                pg.goto(base_url + path)
                if kind == "search":
                    _wait_for_results(pg)
                overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
                pg.screenshot(path=str(ARTIFACTS / f"{kind}-{label}-{scheme}.png"), full_page=True)
        finally:
            context.close()


CONTRAST_JS = """
() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  const seen = new Set();
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = el.getBoundingClientRect();
    if (!own || box.width === 0 || getComputedStyle(el).visibility === "hidden") continue;
    const fg = rgb(getComputedStyle(el).color).slice(0, 3), bg = background(el);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(getComputedStyle(el).fontSize), bold = Number(getComputedStyle(el).fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const key = el.tagName + "." + el.className;
    if (ratio < needed && !seen.has(key)) {
      seen.add(key);
      low.push(`${key} ${ratio.toFixed(2)}: ${el.textContent.trim().slice(0, 30)}`);
    }
  }
  return low;
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa(browser, base_url, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    try:
        pg = context.new_page()
        problems = []
        for kind, path in PAGE_TYPES.items():
            pg.goto(base_url + path)
            if kind == "search":
                _wait_for_results(pg)
            problems += [f"{kind}: {problem}" for problem in pg.evaluate(CONTRAST_JS)]
        assert problems == []
    finally:
        context.close()


def test_a_quote_and_a_summary_sentence_jump_to_where_they_stand_in_the_article(browser, base_url):
    for scripts in (True, False):  # anchors do it without JavaScript
        context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=scripts)
        try:
            pg = context.new_page()
            pg.goto(base_url + "briefings/canada-balloon.html")
            for link, target in (("#quote-4 a.where", "#q-4"), ("#summary-h ~ ul li:nth-child(3) a.where", "#s-3")):
                pg.locator(link).click()
                assert pg.url.endswith(target)
                box = pg.locator(target).bounding_box()
                assert 0 <= box["y"] < 900, f"{target} is not in view after the jump"
                assert pg.evaluate(f"document.querySelector('{target}').matches(':target')")
                pg.go_back()
            # The quote's label in the text names its speaker and leads back to the quote.
            label = pg.locator("#q-4 + a.said-by")
            assert "Pat Ryder" in label.inner_text()
            label.click()
            assert pg.url.endswith("#quote-4")
        finally:
            context.close()


def test_pointing_at_a_key_actor_lights_up_its_mentions(page, base_url):
    page.goto(base_url + "briefings/canada-balloon.html")
    page.locator('.actors li[data-actor="pat-ryder"]').hover()
    lit = page.locator(".source-view a.mention.is-focus")
    assert lit.count() >= 2 and set(lit.evaluate_all("els => els.map(e => e.dataset.actor)")) == {"pat-ryder"}
    page.mouse.move(0, 0)
    assert page.locator(".source-view a.mention.is-focus").count() == 0


def test_layout_nav_state_and_spacing(browser, base_url):
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 800})
        try:
            pg = context.new_page()
            for path in ("index.html", "briefings/canada-balloon.html", "entities/pat-ryder.html"):
                pg.goto(base_url + path)
                gaps = pg.evaluate("""() => {
                  const header = document.querySelector('.site-header').getBoundingClientRect();
                  const main = document.querySelector('main');
                  const first = main.firstElementChild.getBoundingClientRect();
                  const boxes = [...main.querySelectorAll('*')].map(e => e.getBoundingClientRect()).filter(r => r.height);
                  const lowest = Math.max(...boxes.map(r => r.bottom));
                  const footer = document.querySelector('.site-footer').getBoundingClientRect();
                  return [first.top - header.bottom, footer.top - lowest];
                }""")
                assert gaps[0] >= 20 and gaps[1] >= 24, f"{path} at {width}px: {gaps}"
            current = pg.locator(".site-nav [aria-current]")
            assert current.count() == 1 and current.inner_text() == "Actors"
            pg.goto(base_url + "briefings/canada-balloon.html")
            assert pg.locator(".site-nav [aria-current]").count() == 0
        finally:
            context.close()


def _pdf_pages(data: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page\b", data))


def test_a_briefing_prints_to_a_clean_one_or_two_page_pdf(browser, base_url):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context()
    try:
        pg = context.new_page()
        for name, path in (("seed-briefing", "briefings/canada-balloon.html"), ("briefing", "briefings/storm-port.html")):
            pg.goto(base_url + path)
            data = pg.pdf(format="A4", print_background=False)
            (ARTIFACTS / f"{name}.pdf").write_bytes(data)
            assert 1 <= _pdf_pages(data) <= 2, f"{path} prints on {_pdf_pages(data)} pages"
        pg.emulate_media(media="print")
        hidden = pg.evaluate("""() => ['.site-nav', '.site-search', '.pager', '.site-footer']
            .filter(s => document.querySelector(s))
            .map(s => getComputedStyle(document.querySelector(s)).display)""")
        assert set(hidden) == {"none"}
        brand = pg.evaluate("getComputedStyle(document.querySelector('.brand')).color")
        assert brand == "rgb(0, 0, 0)"  # the header prints black on white, not white on nothing
        pg.screenshot(path=str(ARTIFACTS / "seed-briefing-print.png"), full_page=True)
    finally:
        context.close()


def test_search_works_in_briefgen_serve(page, tmp_path, nlp_provider):
    config = load_config(root=make_project(tmp_path / "project"), cache_dir=str(tmp_path / "cache"), n_process=1)
    with DevServer(config, port=0, nlp=nlp_provider) as server:
        page.goto(server.url + "search.html?q=ferry")
        _wait_for_results(page)
        assert not page.locator("#search-unavailable").is_visible()
        first = page.locator(".pagefind-ui__result-link").first
        assert first.inner_text() == "Storm closes Baltic ferry routes"
        first.click()
        assert page.url == server.url + "briefings/storm-port.html"


def test_search_excerpts_keep_labels_apart(page, base_url):
    page.goto(base_url + "search.html?q=Nowak")
    _wait_for_results(page)
    text = " ".join(page.locator(".pagefind-ui__result-excerpt").all_inner_texts())
    for glued in ("First seen", "Last seen", "Also written", "mentions", "briefing1", "person"):
        assert glued not in text, text

