"""Incidents: articles about one event become one incident, on small articles written for these tests.

tests/fixtures/incidents holds two ferry fires of the same week (Aurora at Harbourtown: four articles, one of
them a wire copy of another and one undated; Meridian off Port Selby: two) and an unrelated council story.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from briefgen import incidents
from briefgen.build import BuildResult, build
from briefgen.config import Config, load_config
from briefgen.graph import build_site
from briefgen.incident_curation import load_incident_curation
from briefgen.model import Actor, Briefing, EntityKind
from briefgen.sources import read_paths

from conftest import REPO

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "incidents"
AURORA = {"aurora-fire-courier", "aurora-fire-gazette", "aurora-fire-coast-news", "aurora-fire-survivors"}
MERIDIAN = {"meridian-fire-selby", "meridian-fire-island"}
JOINER = """---
title: "Investigators blame fuel leak for Aurora fire"
date: 2024-03-05
source: Coast News
---

Investigators from the Norland Maritime Authority said on Tuesday that a leaking fuel pipe in the engine room
started the fire on the ferry Aurora near Harbourtown, which forced 212 passengers into lifeboats in the
Norland Strait on Saturday.

Norland Ferries said the Aurora will stay at the Harbourtown north pier until the engine room is rebuilt, and
that its Harbourtown crossings resume on Friday with a chartered ferry.
"""


def plain_briefings(paths: list[Path]) -> list[Briefing]:
    """Briefings with the articles' words only (no extraction): clustering needs no spaCy."""
    return [Briefing(a, (), (), (), ()) for a in read_paths(paths).articles]


def fixture_paths() -> list[Path]:
    return sorted(FIXTURES.iterdir())


def as_sets(groups: list[list[str]]) -> set[frozenset[str]]:
    return {frozenset(g) for g in groups}


def test_two_fires_of_one_week_are_two_incidents_and_the_council_story_is_alone():
    groups = as_sets(incidents.cluster(plain_briefings(fixture_paths())))
    assert groups == {frozenset(AURORA), frozenset(MERIDIAN), frozenset({"council-school-budget"})}


def test_the_undated_article_joins_its_incident_by_content():
    briefings = plain_briefings(fixture_paths())
    assert next(b for b in briefings if b.slug == "aurora-fire-survivors").article.date is None
    group = next(g for g in incidents.cluster(briefings) if "aurora-fire-survivors" in g)
    assert set(group) == AURORA


def test_clustering_does_not_depend_on_the_order_articles_come_in():
    briefings = plain_briefings(fixture_paths())
    expected = incidents.cluster(briefings)
    for seed in range(3):
        shuffled = briefings[:]
        random.Random(seed).shuffle(shuffled)
        assert incidents.cluster(shuffled) == expected


def test_an_unrelated_article_changes_no_incident():
    without = [p for p in fixture_paths() if p.stem != "council-school-budget"]
    before = build_site(plain_briefings(without))
    after = build_site(plain_briefings(fixture_paths()))
    before_incidents = incidents.with_incidents(before)[0].incidents
    after_incidents = incidents.with_incidents(after)[0].incidents
    assert {s: i.briefing_slugs for s, i in before_incidents.items()} == \
        {s: i.briefing_slugs for s, i in after_incidents.items() if s != "council-school-budget"}
    assert after_incidents["council-school-budget"].briefing_slugs == ("council-school-budget",)


def test_a_new_article_of_an_incident_joins_it_and_the_incident_keeps_its_slug(tmp_path: Path):
    joiner = tmp_path / "aurora-fuel-leak.md"
    joiner.write_text(JOINER, encoding="utf-8")
    before = incidents.with_incidents(build_site(plain_briefings(fixture_paths())))[0]
    after = incidents.with_incidents(build_site(plain_briefings([*fixture_paths(), joiner])))[0]
    slug = before.incident_of("aurora-fire-gazette").slug
    assert after.incident_of("aurora-fuel-leak").slug == slug
    assert set(after.incidents[slug].briefing_slugs) == AURORA | {"aurora-fuel-leak"}
    assert after.incidents[slug].last_date == dt.date(2024, 3, 5)
    assert after.incident_of("meridian-fire-selby").briefing_slugs == before.incident_of("meridian-fire-selby").briefing_slugs


def test_the_same_story_weeks_apart_is_two_incidents(tmp_path: Path):
    """Dated articles further apart than the window are never one incident, however alike their words."""
    text = (FIXTURES / "aurora-fire-gazette.md").read_text(encoding="utf-8")
    (tmp_path / "first.md").write_text(text, encoding="utf-8")
    (tmp_path / "again.md").write_text(text.replace("2024-03-02", "2024-05-20"), encoding="utf-8")
    assert as_sets(incidents.cluster(plain_briefings(sorted(tmp_path.iterdir())))) == {
        frozenset({"first"}), frozenset({"again"})}


def test_wire_copy_is_marked_and_its_outlet_counts_once():
    site = incidents.with_incidents(build_site(plain_briefings(fixture_paths())))[0]
    aurora = site.incident_of("aurora-fire-gazette")
    # Same day: the earlier slug is taken as the original; either way exactly one of the two is the copy.
    assert aurora.copies == (("aurora-fire-gazette", "aurora-fire-courier"),)
    assert [name for name, _ in aurora.outlets] == ["Daily Courier", "Harbour Gazette", "Coast News", ""]
    assert aurora.distinct_outlets == 2  # Courier (with the Gazette's copy) and Coast News; survivors: no outlet
    assert aurora.slug == "aurora-fire-courier"  # the earliest briefing (dated first, then by slug)
    assert (aurora.first_date, aurora.last_date) == (dt.date(2024, 3, 2), dt.date(2024, 3, 3))
    assert aurora.briefing_slugs[-1] == "aurora-fire-survivors"  # undated last


def test_no_briefings_and_one_briefing():
    assert incidents.cluster([]) == []
    one = plain_briefings([FIXTURES / "council-school-budget.md"])
    site = incidents.with_incidents(build_site(one))[0]
    assert list(site.incidents) == ["council-school-budget"]
    assert site.incidents["council-school-budget"].title == "Council approves Harbourtown school budget"


# ---------------------------------------------------------------- curation


def write_curation(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "entities.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_merge_and_split_by_hand(tmp_path: Path):
    path = write_curation(tmp_path, """
[incident."meridian-fire-selby"]
title = "Two ferry fires in one week"
merge = ["aurora-fire-gazette"]

[incident."aurora-fire-coast-news"]
split = ["aurora-fire-survivors"]
""")
    curation = load_incident_curation(path)
    assert curation.problems == ()
    site, warnings = incidents.with_incidents(build_site(plain_briefings(fixture_paths())), curation)
    assert warnings == []
    merged = site.incident_of("meridian-fire-selby")
    assert set(merged.briefing_slugs) == (AURORA - {"aurora-fire-survivors"}) | MERIDIAN
    assert merged.title == "Two ferry fires in one week" and merged.curated
    assert merged.slug == "aurora-fire-courier"  # still the earliest briefing's slug
    alone = site.incident_of("aurora-fire-survivors")
    assert alone.briefing_slugs == ("aurora-fire-survivors",) and alone.curated
    assert site.incident_of("council-school-budget").curated is False


def test_curation_problems_are_one_line_each_with_file_and_line(tmp_path: Path):
    path = write_curation(tmp_path, """ignore = ["State"]

[incident."aurora-fire-gazette"]
merge = "meridian-fire-selby"
colour = "red"

[incident."meridian-fire-selby"]
split = ["meridian-fire-selby"]

[incident."no-such-briefing"]
title = "Nothing"

[incident."council-school-budget"]
merge = ["no-such-either"]
""")
    curation = load_incident_curation(path, tmp_path)
    problems = sorted(str(p) for p in curation.problems)
    assert problems == [
        "entities.toml:4: error: 'incident.aurora-fire-gazette.merge': expected a list of briefing slugs",
        "entities.toml:5: error: 'incident.aurora-fire-gazette.colour': unknown key (known: merge, split, title)",
        "entities.toml:8: error: 'incident.meridian-fire-selby.split': lists the entry's own briefing "
        "(name the incident by a briefing that stays)",
    ]
    _, warnings = incidents.with_incidents(build_site(plain_briefings(fixture_paths())), curation)
    assert sorted(str(w) for w in warnings) == [
        "entities.toml:10: warning: 'incident.no-such-briefing': 'no-such-briefing' matches no briefing slug",
        "entities.toml:14: warning: 'incident.council-school-budget.merge': 'no-such-either' matches no briefing slug",
    ]


# ---------------------------------------------------------------- the built site


@pytest.fixture(scope="module")
def incident_site(tmp_path_factory: pytest.TempPathFactory, nlp_provider) -> tuple[Config, BuildResult]:
    root = tmp_path_factory.mktemp("incidents") / "project"
    shutil.copytree(FIXTURES, root / "seeds")
    config = load_config(root=root, n_process=1, search=False)
    result = build(config, nlp=nlp_provider)
    assert not result.errors and not result.warnings, result.diagnostics
    return config, result


def page(config: Config, path: str) -> str:
    return (config.out / path).read_text(encoding="utf-8")


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


@pytest.mark.nlp
def test_json_contract(incident_site):
    config, _ = incident_site
    briefings = json.loads(page(config, "briefings.json"))
    by_slug = {b["slug"]: b["incident"] for b in briefings}
    assert {s for s, i in by_slug.items() if i == "aurora-fire-courier"} == AURORA
    assert by_slug["council-school-budget"] == "council-school-budget"
    listed = json.loads(page(config, "incidents.json"))
    assert [i["slug"] for i in listed] == ["meridian-fire-selby", "council-school-budget", "aurora-fire-courier"]
    aurora = listed[2]
    assert {"slug", "title", "page", "first_date", "last_date", "briefings", "outlets", "actors", "quotes"} <= set(aurora)
    assert aurora["page"] == "incidents/aurora-fire-courier.html"
    assert listed[1]["page"] == "briefings/council-school-budget.html"  # an incident of one is its briefing
    assert (aurora["first_date"], aurora["last_date"]) == ("2024-03-02", "2024-03-03")
    assert {a["slug"] for a in aurora["actors"][:8]} >= {"aurora", "anna-berg", "jonas-ekholm"}


@pytest.mark.nlp
def test_inspect_clusters_the_files_it_is_given(incident_site):
    config, _ = incident_site
    out = subprocess.run([sys.executable, "-m", "briefgen", "inspect", str(config.source)], capture_output=True,
                         text=True, cwd=config.root, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert {r["slug"] for r in records if r["incident"] == "meridian-fire-selby"} == MERIDIAN
    assert {r["slug"] for r in records if r["incident"] == "aurora-fire-courier"} == AURORA


@pytest.mark.nlp
def test_incident_page_content(incident_site):
    config, _ = incident_site
    html = page(config, "incidents/aurora-fire-courier.html")
    assert "<h1>Fire breaks out on ferry Aurora at Harbourtown</h1>" in html
    assert "2 outlets" in html and "1 wire copy" in html
    assert html.count("wire copy</span>") == 1  # the Gazette's line in the list of articles
    # The same words from three outlets: shown once, first reporter named, the others listed.
    assert html.count("Every passenger is safe and accounted for") == 1
    assert re.search(r"First reported by <a [^>]*>Daily Courier</a>, also in <a [^>]*>Harbour Gazette</a> and "
                     r"<a [^>]*>Coast News</a>", html)
    # Credited to the harbour master by the Gazette and to the authority's director by Coast News.
    assert "Attribution differs" in html and "Piotr Lind" in html
    summary = html.split('id="summary-h"')[1].split("</section>")[0]
    assert "“" not in summary and "212 passengers" in summary


@pytest.mark.nlp
def test_links_both_ways(incident_site):
    config, _ = incident_site
    incident = links(page(config, "incidents/aurora-fire-courier.html"))
    for slug in AURORA:
        assert f"../briefings/{slug}.html" in incident
        assert "../incidents/aurora-fire-courier.html" in links(page(config, f"briefings/{slug}.html"))
    assert {"../entities/anna-berg.html", "../entities/jonas-ekholm.html"} <= incident
    # A briefing alone in its incident links to no incident page.
    assert not any("incidents/" in h for h in links(page(config, "briefings/council-school-budget.html")))
    actor = page(config, "entities/jonas-ekholm.html")
    assert "../incidents/aurora-fire-courier.html" in links(actor)
    assert actor.index('id="eincidents-h"') < actor.index('id="ebriefings-h"')


@pytest.mark.nlp
def test_home_and_timeline_list_incidents_newest_first(incident_site):
    config, _ = incident_site
    for path in ("index.html", "timeline.html"):
        html = page(config, path)
        order = [m for m in re.findall(r'href="((?:incidents|briefings)/[^"]+)"', html)]
        firsts = list(dict.fromkeys(order))
        assert firsts.index("incidents/meridian-fire-selby.html") < firsts.index("briefings/council-school-budget.html") \
            < firsts.index("incidents/aurora-fire-courier.html"), path
        assert not any(f"briefings/{s}.html" in firsts for s in AURORA | MERIDIAN), path


@pytest.mark.nlp
def test_a_hand_made_merge_reaches_the_pages(incident_site, tmp_path: Path, nlp_provider):
    config, _ = incident_site
    root = tmp_path / "project"
    shutil.copytree(config.source, root / "seeds")
    (root / "entities.toml").write_text('[incident."meridian-fire-selby"]\nmerge = ["aurora-fire-gazette"]\n'
                                        'title = "Two ferry fires"\n', encoding="utf-8")
    merged = load_config(root=root, n_process=1, search=False, cache_dir=str(config.cache_dir))
    result = build(merged, nlp=nlp_provider)
    assert not result.errors and not result.warnings
    assert not (merged.out / "incidents" / "meridian-fire-selby.html").exists()
    html = (merged.out / "incidents" / "aurora-fire-courier.html").read_text(encoding="utf-8")
    assert "<h1>Two ferry fires</h1>" in html and "Kestrel Island" in html


def test_incident_record_is_a_plain_dataclass():
    briefings = plain_briefings(fixture_paths())
    made = incidents.make_incident([b for b in briefings if b.slug in MERIDIAN])
    assert dataclasses.is_dataclass(made) and made.size == 2 and made.slug == "meridian-fire-selby"


@pytest.mark.nlp
@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
def test_incident_page_in_chromium(incident_site, width: int):
    pytest.importorskip("playwright.sync_api")
    from browsing import CHROMIUM, chromium

    if not CHROMIUM.exists():  # pragma: no cover
        pytest.skip("Debian's chromium is not installed")
    config, _ = incident_site
    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with chromium() as browser:
        context = browser.new_context(viewport={"width": width, "height": 900})
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.goto((config.out / "incidents" / "aurora-fire-courier.html").as_uri())
        assert pg.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        heading = pg.locator("h1")
        assert heading.inner_text() == "Fire breaks out on ferry Aurora at Harbourtown"
        box = heading.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
        # Every article of the incident is a visible, clickable line; the first leads to its briefing.
        rows = pg.locator(".incident-articles .row a")
        assert rows.count() == 4
        assert pg.locator(".conflict").first.is_visible()
        rows.first.click()
        pg.wait_for_load_state()
        assert pg.url.endswith("/briefings/aurora-fire-courier.html")
        assert pg.locator(".incident-link a").inner_text() == "Fire breaks out on ferry Aurora at Harbourtown"
        pg.go_back()
        pg.screenshot(path=str(artifacts / f"incident-{width}.png"), full_page=True)
        context.close()
        assert errors == []


@pytest.mark.nlp
def test_live_preview_reclusters_after_an_article_edit_extracting_only_it(incident_site, tmp_path: Path, nlp_provider):
    from briefgen.engine import Change, LiveBuilder

    config, _ = incident_site
    root = tmp_path / "project"
    shutil.copytree(config.source, root / "seeds")
    builder = LiveBuilder(lambda: load_config(root=root, n_process=1, search=False, cache_dir=str(config.cache_dir)),
                          nlp=nlp_provider)
    first = builder.rebuild(Change.CONFIG)
    assert first.snapshot is not None and not first.problems
    before = first.snapshot.pages.get("incidents/aurora-fire-courier.html")
    joiner = root / "seeds" / "aurora-fuel-leak.md"
    joiner.write_text(JOINER, encoding="utf-8")
    second = builder.rebuild(Change.ARTICLES, [str(joiner)])
    assert second.snapshot is not None and not second.problems
    assert second.extracted == 1  # the new article only
    assert second.snapshot.site.incident_of("aurora-fuel-leak").slug == "aurora-fire-courier"
    after = second.snapshot.pages.get("incidents/aurora-fire-courier.html")
    assert b"Investigators blame fuel leak for Aurora fire" in after and after != before
    # The other incident's content is unchanged (the footer's site-wide counts do change on every page).
    main = lambda snapshot: snapshot.pages.get("incidents/meridian-fire-selby.html").split(b"</main>")[0]
    assert main(second.snapshot) == main(first.snapshot)


# ---------------------------------------------------------------- the fast paths give the first version's answer


def varied_corpus(copies: int, days: int = 40) -> list[Briefing]:
    """Copies of the fixture articles: same words (ties everywhere), slugs apart, dates spread over ``days``
    (some copies undated), so the date band, the undated rows and ties at the NEIGHBOURS-th place all occur."""
    out = []
    for k in range(copies):
        for b in plain_briefings(fixture_paths()):
            date = None if k % 5 == 4 else dt.date(2024, 3, 1) + dt.timedelta(days=(k * 3) % days)
            article = dataclasses.replace(b.article, slug=f"{b.slug}-{k}", date=date)
            out.append(dataclasses.replace(b, article=article))
    return out


def reference_neighbour_graph(matrix, ordinals) -> tuple:
    """The first version: every row against every article, a block of rows at a time."""
    import numpy as np

    n = matrix.shape[0]
    keep = min(incidents.NEIGHBOURS, n - 1)
    transposed = matrix.T.tocsr()
    everyone = np.arange(n)
    found_i, found_j, found_v = [], [], []
    for start in range(0, n, incidents.BLOCK):
        stop = min(n, start + incidents.BLOCK)
        block = (matrix[start:stop] @ transposed).toarray()
        rows = np.arange(stop - start)
        block[rows, rows + start] = 0.0
        a, b = ordinals[everyone[start:stop]][:, None], ordinals[None, :]
        block[(np.abs(a - b) > incidents.WINDOW_DAYS) & (a >= 0) & (b >= 0)] = 0.0
        best = np.argpartition(-block, keep - 1, axis=1)[:, :keep]
        values = np.take_along_axis(block, best, axis=1)
        positive = values > 0
        found_i.append(np.broadcast_to(rows[:, None] + start, best.shape)[positive])
        found_j.append(best[positive])
        found_v.append(values[positive])
    i, j, v = np.concatenate(found_i), np.concatenate(found_j), np.concatenate(found_v)
    low, high = np.minimum(i, j), np.maximum(i, j)
    _, first = np.unique(low * n + high, return_index=True)
    return low[first], high[first], v[first]


@pytest.mark.parametrize(("copies", "days"), [(1, 40), (5, 40), (40, 40), (40, 10)])
def test_the_neighbour_graph_is_the_one_every_pair_gives(copies: int, days: int):
    """Dated rows meet only their date band; the graph is still the one of every row against every article,
    ties at the NEIGHBOURS-th place included (40 copies in 10 days: every row has them)."""
    import numpy as np

    ordered = sorted(varied_corpus(copies, days), key=lambda b: b.slug)
    matrix = incidents._matrix(ordered, incidents.IncidentMemo())
    ordinals = np.array([b.article.date.toordinal() if b.article.date else -1 for b in ordered], dtype=np.int64)
    expected = reference_neighbour_graph(matrix, ordinals)
    found = incidents._neighbour_graph(matrix, ordinals)
    for want, got in zip(expected, found):
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_a_memo_from_earlier_runs_changes_no_incident(tmp_path: Path):
    """A run given the last run's memo gives what a run without one gives, after an edit, a removal and an
    addition, and after most of the vocabulary has gone (the memo renumbers it)."""
    first = build_site(varied_corpus(3))
    edited = dataclasses.replace(first.briefings[4].article, raw=first.briefings[4].article.raw + " Harbourtown.")
    joiner = tmp_path / "aurora-fuel-leak.md"
    joiner.write_text(JOINER, encoding="utf-8")
    second = build_site([dataclasses.replace(b, article=edited) if b.slug == edited.slug else b
                         for b in first.briefings[1:]] + plain_briefings([joiner]))
    words = [f"w{k}" for k in range(30_000)]  # another vocabulary, enough to leave the first one mostly unused
    other = tmp_path / "other"
    other.mkdir()
    for k in range(3):
        (other / f"lexicon-{k}.txt").write_text(f"Lexicon {k}\n\n" + " ".join(words[k::3]) + "\n", encoding="utf-8")
    third = build_site(plain_briefings(sorted(other.iterdir())) + list(second.briefings[:6]))
    memo = incidents.IncidentMemo()
    for site in (first, second, first, third, second):
        assert incidents.with_incidents(site, memo=memo)[0].incidents == incidents.with_incidents(site)[0].incidents
    assert len(memo.vocabulary) < 30_000


def retold_corpus(folder: Path, copies: int, seed: int = 0) -> list[Path]:
    """Each fixture article told again by ``copies`` outlets: a share of its words swapped for words of the
    other articles, a paragraph sometimes left out, its own date within a month (some undated), and now and
    then a verbatim wire copy: alike as reports of one story are, with few exact ties."""
    rng = random.Random(seed)
    base = read_paths([*fixture_paths(), *sorted((FIXTURES.parent / "seeds").iterdir())]).articles
    words = sorted({w for a in base for w in a.nlp_text.split()})
    paths = []
    for k in range(copies):
        for a in base:
            paragraphs = [p for p in a.nlp_text.split("\n\n") if p.strip()]
            if len(paragraphs) > 2 and rng.random() < 0.5:
                del paragraphs[rng.randrange(1, len(paragraphs))]
            told = "\n\n".join(" ".join(rng.choice(words) if rng.random() < 0.15 else w for w in p.split())
                                 for p in paragraphs)
            day = dt.date(2024, 3, 1) + dt.timedelta(days=rng.randrange(30))
            date = "" if rng.random() < 0.15 else f"date: {day}\n"
            text = f"---\ntitle: \"{a.title} ({k})\"\n{date}source: Outlet {k}\n---\n\n{told}\n"
            path = folder / f"{a.slug}-{k}.md"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
            if rng.random() < 0.1:
                copy = folder / f"{a.slug}-{k}-wire.md"
                copy.write_text(text.replace(f"Outlet {k}", "Wire"), encoding="utf-8")
                paths.append(copy)
    return paths


def named_briefings(paths: list[Path]) -> list[Briefing]:
    """Briefings with the articles' words and, as actors, the capitalised words they repeat (a vector's
    actor part beside its words and numbers)."""
    out = []
    for a in read_paths(paths).articles:
        names = Counter(re.findall(r"\b[A-Z][a-z]{3,}\b", a.nlp_text))
        actors = tuple(Actor(name, EntityKind.ORGANIZATION, (), count, name.lower())
                       for name, count in sorted(names.items()) if count > 1)
        out.append(Briefing(a, (), actors, (), ()))
    return out


def test_a_memo_recomputes_only_what_an_edit_changed_and_gives_what_a_fresh_run_gives(tmp_path: Path,
                                                                                     monkeypatch):
    """Edits, additions and removals on a corpus of retold stories: after each, the memoised run's vectors and
    neighbour graph are the ones a fresh run computes, array for array, and so are its incidents; an edit of
    one article recomputes the neighbours of only some rows, and reuses the other groups' wire copies."""
    import numpy as np

    paths = retold_corpus(tmp_path, 12)
    asked: list[int] = []
    nearest = incidents._nearest
    monkeypatch.setattr(incidents, "_nearest", lambda m, o, rows: asked.append(len(rows)) or nearest(m, o, rows))
    compared: list[int] = []
    cosines = incidents._cosines
    monkeypatch.setattr(incidents, "_cosines", lambda *a: compared.append(1) or cosines(*a))
    memo = incidents.IncidentMemo()
    files = {p.name: p for p in paths}

    def run() -> tuple[int, int]:
        """Rows whose neighbours the memoised run computed, and groups whose wire copies it did."""
        site = build_site(named_briefings(sorted(files.values())))
        asked.clear()
        compared.clear()
        memoised = incidents.with_incidents(site, memo=memo)[0]
        done = sum(asked), len(compared)
        assert memo.graph is not None
        fresh = incidents._Clustering(site.briefings)
        again = incidents._matrix(fresh.ordered, memo)
        assert np.array_equal(again.indices, fresh.matrix.indices) and np.array_equal(again.data, fresh.matrix.data)
        for want, got in zip(fresh.edges, memo.graph.edges):
            assert got.dtype == want.dtype and np.array_equal(got, want)
        assert memoised.incidents == incidents.with_incidents(site)[0].incidents
        return done

    def edit(name: str, change) -> None:
        path = tmp_path / f"edited-{len(list(tmp_path.glob('edited-*')))}" / name
        path.parent.mkdir()
        path.write_text(change(files[name].read_text(encoding="utf-8")), encoding="utf-8")
        files[name] = path

    assert run()[0] == len(files) and memo.copies
    edit("meridian-fire-selby-3.md", lambda text: text + "\nThe ferry company said the Meridian was insured.\n")
    rows, groups = run()
    assert 0 < rows < len(files) // 2  # the edited row and those it meets; most rows kept
    assert 0 < groups < len(memo.copies)  # the other incidents' wire copies reused
    edit("council-school-budget-5.md", lambda text: re.sub(r"date: 2024-03-(\d\d)", r"date: 2024-04-\1", text))
    run()
    edit("aurora-fire-gazette-7.md", lambda _: (FIXTURES / "council-school-budget.md").read_text(encoding="utf-8"))
    run()
    (tmp_path / "joiner.md").write_text(JOINER, encoding="utf-8")
    files["joiner.md"] = tmp_path / "joiner.md"
    run()
    for name in ("aurora-fire-courier-2.md", "harbour-fire-9.md", "storm-port-0.md"):
        files.pop(name)
    run()
    assert run() == (0, 0)  # nothing changed: the last graph and copies as they were


def reference_average_link(n: int, edges, threshold: float) -> list[list[int]]:
    """The first version: one heap over the whole graph."""
    import heapq

    sums: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for i, j, value in zip(edges[0].tolist(), edges[1].tolist(), edges[2].tolist()):
        sums[i][j] = value
        sums[j][i] = value
    members = {i: [i] for i in range(n)}
    first = {i: i for i in range(n)}
    strong = edges[2] >= threshold
    heap = [(-v, i, j, i, j) for i, j, v in zip(edges[0][strong].tolist(), edges[1][strong].tolist(),
                                                 edges[2][strong].tolist())]
    heapq.heapify(heap)
    next_id = n
    while heap:
        _, _, _, a, b = heapq.heappop(heap)
        if a not in members or b not in members:
            continue
        c = next_id
        next_id += 1
        members[c] = members.pop(a) + members.pop(b)
        first[c] = min(first.pop(a), first.pop(b))
        joined: dict[int, float] = {}
        for old in (a, b):
            for other, value in sums.pop(old).items():
                if other != a and other != b:
                    joined[other] = joined.get(other, 0.0) + value
                    del sums[other][old]
        sums[c] = joined
        for other, total in joined.items():
            sums[other][c] = total
            mean = total / (len(members[c]) * len(members[other]))
            if mean >= threshold:
                low, high = sorted((first[c], first[other]))
                heapq.heappush(heap, (-mean, low, high, c, other))
    return [sorted(m) for m in members.values()]


@pytest.mark.parametrize("seed", range(4))
def test_average_link_by_components_is_average_link_over_the_whole_graph(seed: int):
    """Random sparse graphs with values from a few levels (ties everywhere), several thresholds."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = 300
    i, j = rng.integers(0, n, 1500), rng.integers(0, n, 1500)
    low, high = np.minimum(i, j), np.maximum(i, j)
    key = np.unique((low * n + high)[low != high])
    values = (rng.integers(1, 12, len(key)) / 10).astype(np.float32)
    edges = (key // n, key % n, values)
    for threshold in (0.1, 0.3, 0.55, 0.9):
        expected = sorted(reference_average_link(n, edges, threshold))
        assert sorted(incidents.average_link(n, edges, threshold)) == expected
        # Merged again with the merges of a run over another graph (the same components, other values on
        # their strong edges): none is taken for this one's, whose groups are still its own; then with its own.
        known: dict[bytes, list[list[int]]] = {}
        strong = values >= threshold
        other = edges[0], edges[1], np.where(strong, np.maximum(values[::-1], threshold), values).astype(np.float32)
        incidents.average_link(n, other, threshold, used=known)
        used: dict[bytes, list[list[int]]] = {}
        assert sorted(incidents.average_link(n, edges, threshold, known, used)) == expected
        again: dict[bytes, list[list[int]]] = {}
        assert sorted(incidents.average_link(n, edges, threshold, used, again)) == expected and again == used


def test_a_memo_saved_with_the_engine_state_gives_what_a_fresh_run_gives(tmp_path: Path, monkeypatch):
    """The memo as the next build loads it (the neighbour graph's arrays, no object of the last run): after an
    edit of one article's words, of its date, and with ties at the NEIGHBOURS-th place (copies of one text),
    the same neighbour graph and incidents as a run without it, recomputing the neighbours of only some rows."""
    import numpy as np

    from briefgen import engine

    asked: list[int] = []
    nearest = incidents._nearest
    monkeypatch.setattr(incidents, "_nearest", lambda m, o, rows: asked.append(len(rows)) or nearest(m, o, rows))
    for name, corpus in (("retold", named_briefings(retold_corpus(tmp_path, 8))), ("ties", varied_corpus(12))):
        config = load_config(root=tmp_path, cache_dir=str(tmp_path / f"cache-{name}"), n_process=1)
        by_slug = {b.slug: b for b in corpus}
        slugs = sorted(by_slug)

        def edited(slug: str, **change) -> None:
            by_slug[slug] = dataclasses.replace(by_slug[slug], article=dataclasses.replace(by_slug[slug].article,
                                                                                           **change))

        edits = [lambda: edited(slugs[5], raw=by_slug[slugs[5]].article.raw + "\n\nThe ferry was insured.\n"),
                 lambda: edited(slugs[5], raw=by_slug[slugs[5]].article.raw + "\n\nThe ferry was insured.\n"),
                 lambda: edited(slugs[9], date=dt.date(2024, 5, 1)),
                 lambda: None]
        for step, edit in enumerate([lambda: None, *edits]):
            edit()
            site = build_site(list(by_slug.values()))
            state = engine.load_state(config) if step else engine.State()
            memo = state.incident_memo
            assert (memo.graph is not None) == (step > 0)
            asked.clear()
            memoised = incidents.with_incidents(site, memo=memo)[0]
            done = sum(asked)
            if step:
                assert done < len(slugs), (name, step)  # most rows' neighbours kept
            fresh = incidents._Clustering(site.briefings)
            for want, got in zip(fresh.edges, memo.graph.edges):
                assert got.dtype == want.dtype and np.array_equal(got, want)
            assert memoised.incidents == incidents.with_incidents(site)[0].incidents
            engine.save_state(config, state)
        assert done == 0  # nothing changed: the loaded graph as it was


def test_actor_parts_numbered_at_once_are_each_tuple_s_own():
    """Actor parts looked up together are those ``IncidentMemo.ids`` gives one tuple at a time, a slug named
    twice in one tuple included (a dict's first place, last count)."""
    import numpy as np

    def actor(slug: str, mentions: int) -> Actor:
        return Actor(slug.title(), EntityKind.PERSON, (), mentions, slug)

    tuples = [(actor("ann", 2), actor("bob", 1)), (), (actor("bob", 3), actor("cy", 1), actor("bob", 5)),
              (actor("dee", 4),)]
    one_by_one = incidents.IncidentMemo()
    one_by_one.ids({"known": 1})
    want = [one_by_one.ids(incidents._actor_features(t)) for t in tuples]
    together = incidents.IncidentMemo()
    together.ids({"known": 1})
    got = [part for _, _, part in incidents._actor_parts(list(enumerate(tuples)), together)]
    assert together.vocabulary == one_by_one.vocabulary
    for (want_ids, want_counts), (ids, counts) in zip(want, got):
        assert np.array_equal(ids, want_ids) and np.array_equal(counts, want_counts) and counts.dtype == np.float32
