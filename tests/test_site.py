"""The built site as a whole: links, HTML, feeds, sitemap, machine output and navigation pages."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from briefgen import search
from briefgen.build import build
from briefgen.config import load_config
from briefgen.graph import build_site
from briefgen.records import entity_record
from briefgen.render import render_site, theme_dirs

from conftest import SHARED_DATA
from sitecheck import accessibility_problems, broken_links, html_errors
from test_graph import briefing, person

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
BASE = "https://example.org/briefings"




def outputs(site, **kwargs) -> dict[str, bytes]:
    return {o.path: o.data for o in render_site(site, theme_dirs(None), **kwargs)}


@pytest.mark.nlp
def test_every_internal_link_and_asset_resolves(site_dir: Path):
    assert broken_links(site_dir) == []


@pytest.mark.nlp
def test_every_page_parses_as_html(site_dir: Path):
    assert html_errors(site_dir) == []


@pytest.mark.nlp
def test_pages_have_landmarks_ordered_headings_and_meaningful_link_texts(site_dir: Path):
    assert accessibility_problems(site_dir) == []


@pytest.mark.nlp
def test_navigation_pages_exist(site_dir: Path):
    for path in ["index.html", "timeline.html", "entities/index.html", "entities/person/index.html",
                 "entities/person/by-briefings.html", "tags/index.html", "tags/weather.html", "search.html",
                 "404.html", "feed.xml", "feed.json", "robots.txt", "briefings.json", "assets/style.css"]:
        assert (site_dir / path).is_file(), path
    assert not (site_dir / "sitemap.xml").exists()  # no base_url: the protocol requires absolute URLs


@pytest.mark.nlp
def test_briefing_page_links_mentions_source_and_neighbours(site_dir: Path):
    page = (site_dir / "briefings/storm-port.html").read_text()
    # A mention in the article text links to the entity page; the existing Markdown link is left alone.
    assert re.search(r'<a class="mention mention-person" href="../entities/tomasz-nowak.html" [^>]*>Tomasz Nowak</a>', page)
    assert '<a href="https://example.org/forecast">full forecast</a>' in page
    assert 'href="https://example.org/news/storm-ferries"' in page  # source link
    assert 'rel="prev"' in page and 'rel="next"' in page  # dated in the middle of the corpus
    speaker = r'<h3><a href="../entities/tomasz-nowak.html">Tomasz Nowak</a> <span class="count"[^>]*>\d quotes?'
    assert re.search(speaker, page)  # quotes grouped under their speaker's linked name


@pytest.mark.nlp
def test_entity_json_matches_the_public_record(built):
    config, result = built
    entity = result.site.entities["tomasz-nowak"]
    data = json.loads((config.out / "entities/tomasz-nowak.json").read_text())
    assert data == json.loads(json.dumps(entity_record(entity)))


@pytest.mark.nlp
def test_atom_feed_without_base_url_is_valid_with_relative_links(site_dir: Path):
    feed = ET.parse(site_dir / "feed.xml").getroot()
    _check_atom(feed)
    links = [e.get("href") for e in feed.iter(f"{ATOM}link") if e.get("rel") == "alternate"]
    assert "briefings/storm-port.html" in links
    for href in links:
        assert (site_dir / href).is_file()


@pytest.mark.nlp
def test_feeds_and_sitemap_with_base_url(built):
    out = outputs(built[1].site, base_url=BASE)
    feed = ET.fromstring(out["feed.xml"])
    _check_atom(feed)
    hrefs = [e.get("href") for e in feed.iter(f"{ATOM}link")]
    assert f"{BASE}/briefings/storm-port.html" in hrefs and f"{BASE}/feed.xml" in hrefs
    jfeed = json.loads(out["feed.json"])
    _check_json_feed(jfeed)
    assert jfeed["feed_url"] == f"{BASE}/feed.json"
    assert all(item["url"].startswith(BASE + "/briefings/") for item in jfeed["items"])
    urlset = ET.fromstring(out["sitemap.xml"])
    assert urlset.tag == f"{SITEMAP}urlset"
    locs = [e.text for e in urlset.iter(f"{SITEMAP}loc")]
    assert f"{BASE}/index.html" in locs and f"{BASE}/briefings/storm-port.html" in locs
    assert all(loc.startswith(BASE + "/") and loc.endswith(".html") for loc in locs)
    assert len(locs) == len(set(locs)) == sum(1 for p in out if p.endswith(".html") and p != "404.html")
    assert f"Sitemap: {BASE}/sitemap.xml" in out["robots.txt"].decode()
    canonical = f'<link rel="canonical" href="{BASE}/briefings/storm-port.html">'
    assert canonical in out["briefings/storm-port.html"].decode()
    # Served for missing paths at any depth: links start from the site's path, not from the page.
    not_found = out["404.html"].decode()
    assert 'href="/briefings/assets/style.css"' in not_found and 'href="/briefings/index.html"' in not_found
    assert "<base" not in not_found


@pytest.mark.nlp
def test_json_feed_without_base_url(site_dir: Path):
    feed = json.loads((site_dir / "feed.json").read_text())
    _check_json_feed(feed)
    for item in feed["items"]:
        assert (site_dir / item["url"]).is_file()


def _check_atom(feed: ET.Element) -> None:
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert RFC3339.match(feed.findtext(f"{ATOM}updated"))
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    for e in entries:
        assert e.findtext(f"{ATOM}title")
        assert RFC3339.match(e.findtext(f"{ATOM}updated"))
        assert [x for x in e.findall(f"{ATOM}link") if x.get("rel") == "alternate"]


def _check_json_feed(feed: dict) -> None:
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["items"]
    ids = [item["id"] for item in feed["items"]]
    assert len(set(ids)) == len(ids)
    for item in feed["items"]:
        assert isinstance(item["id"], str) and (item.get("content_text") or item.get("content_html"))
        if "date_published" in item:
            assert RFC3339.match(item["date_published"])


def test_directory_is_sorted_both_ways_and_paginated():
    people = [person(f"Person {chr(65 + i // 26)}{chr(97 + i % 26)}") for i in range(130)]
    briefings = [briefing("a", dt.date(2020, 1, 1), people), briefing("b", dt.date(2020, 2, 1), people[-3:])]
    out = outputs(build_site(briefings))
    assert {"entities/person/index.html", "entities/person/page-2.html", "entities/person/page-3.html",
            "entities/person/by-briefings.html", "entities/person/by-briefings-3.html"} <= set(out)
    assert "entities/person/page-4.html" not in out
    first_by_name = re.findall(r'<td><a href="[^"]+">([^<]+)</a>', out["entities/person/index.html"].decode())
    assert first_by_name[:2] == ["Person Aa", "Person Ab"] and len(first_by_name) == 60
    by_count = re.findall(r'<td><a href="[^"]+">([^<]+)</a>', out["entities/person/by-briefings.html"].decode())
    assert by_count[:3] == ["Person Ex", "Person Ey", "Person Ez"]  # in two briefings
    assert 'href="page-2.html"' in out["entities/person/index.html"].decode()


def test_quotes_are_grouped_under_their_speaker_and_fragments_are_marked():
    from briefgen.model import Quote

    ryder = person("Pat Ryder")
    quotes = [Quote("We will keep tracking it.", "Pat Ryder", "pat-ryder", "said", 0, 10),
              Quote("decoration", "Pat Ryder", "pat-ryder", "called", 20, 30, partial=True)]
    out = outputs(build_site([briefing("a", dt.date(2020, 1, 1), [ryder], quotes)]))
    for page in ("briefings/a.html", "entities/pat-ryder.html"):
        html = out[page].decode()
        assert "“We will keep tracking it.”" in html, page
        assert "“…decoration”" in html, page  # a fragment of the speaker's words, not a whole statement
    briefing_page = out["briefings/a.html"].decode()
    assert '2 quotes' in briefing_page and "Pat Ryder, said" not in briefing_page


def test_timeline_groups_by_month_with_undated_apart():
    site = build_site([briefing("jan", dt.date(2021, 1, 5), []), briefing("jan2", dt.date(2021, 1, 20), []),
                       briefing("mar", dt.date(2020, 3, 1), []), briefing("nodate", None, [])])
    page = outputs(site)["timeline.html"].decode()
    months = re.findall(r'<h2 id="([^"]+)">([^<]+)</h2>', page)
    assert months == [("m2021-01", "January 2021"), ("m2020-03", "March 2020"), ("undated", "Undated")]
    order = re.findall(r'href="briefings/([^"]+)\.html"', page)
    assert order == ["jan2", "jan", "mar", "nodate"]


def test_tags_share_a_page_across_spellings():
    a, b = briefing("a", dt.date(2020, 1, 1), []), briefing("b", dt.date(2020, 1, 2), [])
    a = a.__class__(a.article.__class__(**{**_fields(a.article), "tags": ("Weather",)}), *_rest(a))
    b = b.__class__(b.article.__class__(**{**_fields(b.article), "tags": ("weather", "ports")}), *_rest(b))
    out = outputs(build_site([a, b]))
    page = out["tags/weather.html"].decode()
    assert "2 briefings" in page and "tags/ports.html" in out


def _fields(obj) -> dict:
    return {name: getattr(obj, name) for name in obj.__slots__}


def _rest(b) -> tuple:
    return (b.summary, b.actors, b.quotes, b.context)


@pytest.mark.nlp
def test_build_writes_only_inside_the_output_folder(project: Path, tmp_path: Path, nlp_provider):
    config = load_config(root=project, cache_dir=str(tmp_path / "cache"), n_process=1, base_url=BASE)
    before = {p for p in tmp_path.rglob("*")}
    temp_before = set(Path(tempfile.gettempdir()).glob("briefgen-search-*"))
    result = build(config, nlp=nlp_provider)
    assert not result.errors and not result.warnings
    new = {p for p in tmp_path.rglob("*")} - before
    allowed = (config.out, config.cache_dir)
    stray = [p for p in new if not any(p == a or p.is_relative_to(a) for a in allowed)
             and p.name != f".{config.out.name}.lock"]
    assert stray == []
    assert set(Path(tempfile.gettempdir()).glob("briefgen-search-*")) == temp_before
    assert list((config.cache_dir / "search").glob(".tmp-*")) == []  # page copies and half-built bundles removed
    assert (config.out / "pagefind" / "shards.json").is_file() and (config.out / "sitemap.xml").is_file()
    manifest = json.loads((config.out / ".briefgen-manifest.json").read_text())
    assert "pagefind/pagefind-ui.js" in manifest  # so a later build removes stale index files


@pytest.mark.nlp
def test_missing_pagefind_is_a_warning_and_the_site_still_builds(config, nlp_provider, monkeypatch):
    monkeypatch.setattr(search, "pagefind_command", lambda: [sys.executable, "-m", "no_such_pagefind_module"])
    result = build(config, nlp=nlp_provider)
    assert not result.errors
    assert [w.path for w in result.warnings] == ["search"] and "pagefind" in result.warnings[0].message
    assert (config.out / "search.html").is_file() and not (config.out / "pagefind").exists()
    assert broken_links(config.out) == [] or all("pagefind/" in p for p in broken_links(config.out))


def test_search_can_be_turned_off_for_large_sites(config, nlp_provider, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("pagefind must not run when search = false")

    monkeypatch.setattr(search, "_run_pagefind", never)
    result = build(replace(config, search=False), nlp=nlp_provider)
    assert not result.errors and not result.warnings
    assert not (config.out / "pagefind").exists() and (config.out / "search.html").is_file()


def test_search_indexes_recurring_actors_but_not_their_lists():
    site = build_site([
        briefing("a", dt.date(2024, 1, 1), [person("Ann Lee")]),
        briefing("b", dt.date(2024, 1, 2), [person("Ann Lee"), person("Bo Kim")]),
    ])
    out = outputs(site)
    ann, bo = out["entities/ann-lee.html"].decode(), out["entities/bo-kim.html"].decode()
    assert "data-pagefind-body" in ann
    assert "data-pagefind-body" not in bo  # seen once: found through its briefing, which is indexed
    assert "data-pagefind-body" in out["briefings/b.html"].decode()
    body = ann[ann.index("data-pagefind-body") :]
    # The briefing list and related actors are searchable on their own pages, not again here.
    assert '<section aria-labelledby="ebriefings-h" data-pagefind-ignore>' in body and "<h1>Ann Lee</h1>" in body
    assert '<section aria-labelledby="related-h" data-pagefind-ignore>' in body


@pytest.mark.nlp
@pytest.mark.skipif(not (SHARED_DATA / "polnear").is_dir(), reason="PolNeAR corpus not available")
def test_polnear_sample_site_is_complete(tmp_path: Path, nlp_provider):
    root = tmp_path / "polnear"
    (root / "seeds").mkdir(parents=True)
    tool = SHARED_DATA.parent / "tools" / "corpus_to_seeds.py"
    subprocess.run([sys.executable, str(tool), "polnear", str(root / "seeds"), "--count", "30"], check=True)
    config = load_config(root=root, n_process=1, base_url=BASE)
    result = build(config, nlp=nlp_provider)
    assert not result.errors and result.articles == 30
    assert broken_links(config.out) == []
    assert html_errors(config.out) == []
    assert accessibility_problems(config.out) == []
    _check_atom(ET.parse(config.out / "feed.xml").getroot())
    assert len(result.site.entities) > 50
    person_pages = list((config.out / "entities" / "person").glob("*.html"))
    assert len(person_pages) >= 2  # sorted by name and by briefings


def test_every_setting_is_documented_in_the_config_files_and_readme():
    from briefgen.config import _SETTINGS
    from briefgen.project import CONFIG_TEMPLATE

    from conftest import REPO

    shipped = (REPO / "briefgen.toml").read_text()
    readme = (REPO / "README.md").read_text()
    for key in _SETTINGS:
        assert re.search(rf"^{key} = .+# \w", CONFIG_TEMPLATE, re.M), key
        assert re.search(rf"^{key} = .+# \w", shipped, re.M), key
        assert f"| `{key}` |" in readme, key
    load_config(REPO / "briefgen.toml")  # the shipped file is valid as it is


def test_mentions_link_whole_names_longest_first():
    from briefgen.model import Actor, EntityKind
    from briefgen.sourceview import MentionFinder, link_mentions

    actors = [Actor("Republican Party", EntityKind.ORGANIZATION, ("GOP",), 2, "republican-party"),
              Actor("Republican", EntityKind.GROUP, (), 1, "republican"),
              Actor("AT&T", EntityKind.ORGANIZATION, (), 1, "at-t"),
              Actor("Aller", EntityKind.PLACE, (), 1, "aller")]
    b = briefing("x", dt.date(2020, 1, 1), actors)
    site = build_site([b])
    finder = MentionFinder(site.briefings[0].actors, site.entities)
    text = str(link_mentions("The Republican Party and a Republican at AT&T; the GOP. Allergy season on the Aller.",
                             finder, lambda slug: f"../entities/{slug}.html"))
    link = '<a class="mention mention-{}" href="../entities/{}.html" data-actor="{}">{}</a>'
    assert link.format("organization", "republican-party", "republican-party", "Republican Party") in text
    # "Republican" is a mention of the party (one page), linked on its own, not inside "Republican Party".
    assert link.format("organization", "republican-party", "republican-party", "Republican") + " at" in text
    assert link.format("organization", "at-t", "at-t", "AT&amp;T") in text
    assert link.format("organization", "republican-party", "republican-party", "GOP") in text
    assert "Allergy" in text and text.count("entities/aller.html") == 1
    assert "<script" not in str(link_mentions("<script>Aller</script>", finder, str))


@pytest.mark.nlp
def test_search_index_is_the_same_for_the_same_pages(built):
    pages = [o for o in render_site(built[1].site, theme_dirs(None)) if o.path.endswith(".html")]
    warnings: list[str] = []
    first, second = (list(search.with_search_index(pages, warnings.append))[len(pages):] for _ in range(2))
    assert warnings == []
    assert any(o.path == "pagefind/pagefind-ui.js" for o in first)
    # Unchanged sites republish unchanged files (hosting sync tools then upload nothing).
    assert {o.path: o.data for o in first} == {o.path: o.data for o in second}


def test_an_empty_site_is_complete_and_valid(tmp_path: Path):
    out = outputs(build_site([]))
    assert {"index.html", "timeline.html", "entities/index.html", "tags/index.html", "feed.xml",
            "feed.json"} <= out.keys()
    assert "No briefings yet" in out["index.html"].decode()
    for path, data in out.items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    assert html_errors(tmp_path) == [] and accessibility_problems(tmp_path) == []
    # Only the search index is missing (no Pagefind run here); the search page then says search is unavailable.
    assert broken_links(tmp_path) == [f"search.html -> pagefind/pagefind-ui.{ext}" for ext in ("css", "js")]
    feed = ET.fromstring(out["feed.xml"])
    assert feed.tag == f"{ATOM}feed" and RFC3339.match(feed.findtext(f"{ATOM}updated"))
    assert json.loads(out["feed.json"])["items"] == []


def test_an_actor_or_tag_called_index_does_not_replace_the_index_pages():
    b = briefing("index", dt.date(2020, 1, 1), [person("Index")])
    b = b.__class__(b.article.__class__(**{**_fields(b.article), "tags": ("Index",)}), *_rest(b))
    out = outputs(build_site([b]))
    assert "Index" in out["entities/index-.html"].decode() and "<h1>Actors</h1>" in out["entities/index.html"].decode()
    assert "<h1>Index</h1>" in out["tags/index-.html"].decode() and "<h1>Tags</h1>" in out["tags/index.html"].decode()
    assert "briefings/index-.html" in out


def test_a_long_timeline_is_split_by_year(tmp_path: Path):
    from briefgen.render import TIMELINE_SPLIT

    dated = [briefing(f"b{i}", dt.date(2019 + i % 2, 1 + i % 12, 1), []) for i in range(TIMELINE_SPLIT)]
    out = outputs(build_site([*dated, briefing("late", None, [])]))
    assert {"timeline/2020.html", "timeline/2019.html", "timeline/undated.html"} <= out.keys()
    assert "<h1>Timeline: 2020</h1>" in out["timeline.html"].decode()  # the latest year
    year = out["timeline/2019.html"].decode()
    assert "<h1>Timeline: 2019</h1>" in year and "November 2019" in year and "2020</h2>" not in year
    assert "late.html" in out["timeline/undated.html"].decode()
    for path, data in out.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(data)
    assert [p for p in broken_links(tmp_path) if "pagefind/" not in p] == []
