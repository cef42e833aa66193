"""What lets a reader trust a page: the source view (quotes, mentions and summary sentences at their offsets),
mentions over time, counts that agree with their lists, and a source line naming the publisher."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_graph import briefing, person

from briefgen.charts import corpus_span, mentions_chart, periods, rising_entities
from briefgen.curation import load_curation
from briefgen.graph import build_site
from briefgen.model import Actor, EntityKind, Quote
from briefgen.render import first_sentence, render_site, theme_dirs
from briefgen.sources import credit_line
from briefgen.sourceview import Mark, locate, marked_html


def outputs(site) -> dict[str, str]:
    return {o.path: o.data.decode() for o in render_site(site, theme_dirs(None)) if o.path.endswith(".html")}


class _Marks(HTMLParser):
    """The marked elements of a page's source view, with the text inside each."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict[str, str], list[str]]] = []
        self.found: list[tuple[str, dict[str, str], str]] = []
        self.depth_in_view = 0
        self.in_label = 0

    def handle_starttag(self, tag, attrs):
        values = {k: v or "" for k, v in attrs}
        if "source-view" in values.get("class", "").split():
            self.depth_in_view = 1
        elif self.depth_in_view:
            self.depth_in_view += 1
        if not self.depth_in_view:
            return
        if values.get("class") == "said-by":
            self.in_label += 1
        self.open.append((tag, values, []))

    def handle_endtag(self, tag):
        if not self.depth_in_view:
            return
        self.depth_in_view -= 1
        if self.open:
            name, values, text = self.open.pop()
            if values.get("class") == "said-by":
                self.in_label -= 1
            self.found.append((name, values, "".join(text)))
            if self.open and values.get("class") != "said-by":
                self.open[-1][2].append("".join(text))

    def handle_data(self, data):
        if self.open and not self.in_label:
            self.open[-1][2].append(data)


def _marks(page: str) -> list[tuple[str, dict[str, str], str]]:
    parser = _Marks()
    parser.feed(page)
    return parser.found


@pytest.mark.nlp
def test_source_view_marks_every_quote_and_actor_of_the_seed_at_their_offsets(built):
    config, result = built
    b = result.site.briefing("canada-balloon")
    raw = b.article.raw
    page = (config.out / "briefings/canada-balloon.html").read_text(encoding="utf-8")
    marks = _marks(page)
    quotes = {v["id"]: (v, text) for tag, v, text in marks if tag == "mark" and v.get("id", "").startswith("q-")}
    assert len(b.quotes) >= 5 and len(quotes) == len(b.quotes)
    for i, q in enumerate(b.quotes, start=1):
        values, shown = quotes[f"q-{i}"]
        assert (int(values["data-start"]), int(values["data-end"])) == (q.start, q.end)
        assert raw[q.start:q.end] in shown and q.text in shown  # the quote, with its quotation marks around it
        assert values["data-speaker"] == (q.speaker or "unattributed")
        # Tied both ways: the quote in the Quotes section links to it in the text, its label links back.
        assert f'<figure class="quote" id="quote-{i}">' in page and f'href="#q-{i}"' in page
        assert re.search(rf'<a class="said-by" href="#quote-{i}"[^>]*>.*?{re.escape(q.speaker or "unattributed")}</a>',
                         page)
    mentions = [(v, text) for tag, v, text in marks if tag == "a" and "mention" in v.get("class", "").split()]
    by_actor: dict[str, list[str]] = {}
    for values, shown in mentions:
        start, end = int(values["data-start"]), int(values["data-end"])
        assert raw[start:end] == shown  # the marked word is exactly the file's text at its offsets
        by_actor.setdefault(values["data-actor"], []).append(shown)
    for a in b.actors:
        names = {a.name, *a.aliases, *result.site.entities[a.slug].aliases}
        assert a.slug in by_actor, f"{a.name} is never marked"
        assert set(by_actor[a.slug]) <= names
    assert "Pat Ryder" in by_actor["pat-ryder"] and "Ryder" in by_actor["pat-ryder"]
    # Every summary sentence links to where it stands.
    for i, sentence in enumerate(b.summary, start=1):
        span = next(text for tag, v, text in marks if v.get("id") == f"s-{i}")
        assert " ".join(span.split()).replace('"', "”")[:60] == sentence.replace('"', "”")[:60]
        assert f'href="#s-{i}"' in page


@pytest.mark.nlp
def test_context_points_into_the_article_instead_of_repeating_it(built):
    config, result = built
    b = result.site.briefing("canada-balloon")
    assert b.context
    page = (config.out / "briefings/canada-balloon.html").read_text(encoding="utf-8")
    context = page[page.index('id="context-h"'):page.index('id="article-h"')]
    assert "blockquote" not in context and 'class="context"' in context
    for passage in b.context:
        if len(first_sentence(passage)) < len(passage):
            assert passage not in re.sub(r"<[^>]+>", "", context)  # not the whole passage a second time
    for n in re.findall(r'href="#p-(\d+)"', context):
        assert f'<p id="p-{n}" class="background">' in page


def test_marks_that_cross_are_split_and_reopened_without_a_second_id():
    text = "abcdefghij"
    out = str(marked_html(text, 100, [Mark(100, 106, 0, '<span id="s">', "</span>", "<span>"),
                                      Mark(104, 109, 1, '<mark id="q">', "</mark>", "<mark>", after="[Q]")]))
    assert out == '<span id="s">abcd<mark id="q">ef</mark></span><mark>ghi</mark>[Q]j'
    assert str(marked_html("<b>&", 0, [])) == "&lt;b&gt;&amp;"


def test_a_summary_sentence_is_found_whatever_its_spacing_and_quotation_marks():
    text = 'Intro.\n\nShe said the plan\nwas “safe and sound," adding more.'
    start, end = locate("She said the plan was “safe and sound,” adding more.", text)
    assert text[start:end] == text[8:]
    assert locate("Not in the text.", text) is None


def test_source_view_of_a_crafted_article_links_quotes_speakers_and_markdown_links():
    text = 'Ann Lee spoke. "We go now," Ann Lee said. See [the report](https://example.org/r) by Ann Lee.'
    quote = Quote("We go now", "Ann Lee", "ann-lee", "said", text.index("We"), text.index(',"'))
    b = briefing("x", dt.date(2020, 1, 1), [person("Ann Lee", 3)], [quote])
    article = b.article.__class__(**{**{f: getattr(b.article, f) for f in b.article.__slots__}, "raw": text,
                                     "markdown": True, "bounds": _bounds(text)})
    b = b.__class__(article, ("Ann Lee spoke.",), b.actors, b.quotes, ())
    page = outputs(build_site([b]))["briefings/x.html"]
    start = page.index('class="article-body source-view"')
    view = page[start:page.index("</div>", start)]
    assert '<mark class="quote-mark" id="q-1"' in view and "“We go now,”" not in view
    assert re.search(r'<mark [^>]*>"We go now,"</mark><a class="said-by" href="#quote-1"', view)
    assert '<a href="https://example.org/r">the report</a>' in view  # the article's own link, kept
    assert view.count('data-actor="ann-lee"') == 3
    assert '<span class="sentence" id="s-1">' in view


@pytest.mark.parametrize("written, kept", [
    ("https://example.org/a?b=1&amp;c=2", "https://example.org/a?b=1&c=2"), ("../x.html", "../x.html"),
    ("mailto:a@example.org", "mailto:a@example.org"), ("&#106;avascript:alert(1", None), ("javascript:x", None),
    ("java&#9;script:x", None), ("data:text/html,x", None), ("&#x6A;avascript:x", None),
])
def test_markdown_links_in_the_source_view_are_checked_as_the_browser_reads_them(written, kept):
    from briefgen.sourceview import safe_link_target

    assert safe_link_target(written) == kept


def _bounds(text: str) -> bytes:
    from briefgen.model import Paragraph, pack_bounds

    return pack_bounds((Paragraph(text, 0, len(text)),))


def test_the_source_line_names_the_publisher_never_the_file_path():
    b = briefing("wire", dt.date(2021, 3, 1), [])
    plain = outputs(build_site([b]))["briefings/wire.html"]
    assert "seeds/wire.txt" not in plain and "publisher not named" in plain
    raw = "date 2021-03-01 BEIJING (AP) — China said on Monday it would act."
    article = b.article.__class__(**{**{f: getattr(b.article, f) for f in b.article.__slots__}, "raw": raw})
    page = outputs(build_site([b.__class__(article, *(getattr(b, f) for f in ("summary", "actors", "quotes",
                                                                            "context")))]))["briefings/wire.html"]
    assert 'Source: <span class="publisher">Associated Press</span> (credited in the article)' in page
    assert "seeds/wire.txt" not in page


@pytest.mark.parametrize("text, wire", [
    ("date 2020-01-01 BEIJING (AP) — China said", "Associated Press"),
    ("Headline.\n\nNEW YORK, Nov. 19 (UPI) — Former", "United Press International"),
    ("New York (AFP) – Oscar-winning", "Agence France-Presse"),
    ("Body text.\n\n— Reuters\n", "Reuters"),
    ("Body.\n\nCopyright 2024 The Associated Press. All rights reserved.\n", "Associated Press"),
    ("The AP said (AP) - nothing", None),
    ("according to the Associated Press’ account of the briefing.", None),
    ("Body.\n\nh/t: The Hill", None),
])
def test_credit_lines(text, wire):
    assert credit_line(text) == wire


def _dated(slug: str, date: dt.date, *names: str):
    return briefing(slug, date, [person(n) for n in names])


def test_the_chart_counts_briefings_per_week_and_links_each_bar_to_its_month():
    site = build_site([
        _dated("a", dt.date(2024, 1, 2), "Ann Lee"), _dated("b", dt.date(2024, 1, 3), "Ann Lee", "Bo Kim"),
        _dated("c", dt.date(2024, 1, 17), "Bo Kim"), _dated("d", dt.date(2024, 2, 6), "Ann Lee"),
        briefing("u", None, [person("Ann Lee")]),
    ])
    span = corpus_span(site)
    assert span == (dt.date(2024, 1, 2), dt.date(2024, 2, 6))
    ann = site.entities["ann-lee"]
    bars = periods([site.briefing(s).article.date for s in ann.briefing_slugs if site.briefing(s).article.date], span)
    assert [(p.start, p.count) for p in bars] == [(dt.date(2024, 1, 1), 2), (dt.date(2024, 1, 8), 0),
                                                  (dt.date(2024, 1, 15), 0), (dt.date(2024, 1, 22), 0),
                                                  (dt.date(2024, 1, 29), 0), (dt.date(2024, 2, 5), 1)]
    svg = str(mentions_chart(ann, site, span))
    assert svg.count("<rect") == 2 and 'href="#m2024-01"' in svg and 'href="#m2024-02"' in svg
    assert "Week of 1 January 2024: 2 briefings" in svg and "Week of 5 February 2024: 1 briefing" in svg
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights[0] == pytest.approx(2 * heights[1], rel=0.01)  # bars in proportion
    page = outputs(site)["entities/ann-lee.html"]
    assert svg in page
    for anchor in re.findall(r'href="#(m\d{4}-\d\d)"', svg):
        assert f'id="{anchor}"' in page  # every bar leads to its briefings on the page
    assert page.index('id="m2024-02"') < page.index('id="m2024-01"')  # newest first
    # A week across two months leads to the later one (listed first, the earlier one right below).
    across = build_site([_dated("a", dt.date(2024, 1, 30), "Ann Lee"), _dated("b", dt.date(2024, 2, 2), "Ann Lee"),
                         _dated("c", dt.date(2024, 1, 2), "Bo Kim")])
    svg = str(mentions_chart(across.entities["ann-lee"], across, corpus_span(across)))
    assert "Week of 29 January 2024: 2 briefings" in svg and 'href="#m2024-02"' in svg and "#m2024-01" not in svg
    assert 'id="undated-h"' in page


def test_a_long_corpus_is_charted_per_month_and_an_undated_one_not_at_all():
    site = build_site([_dated(f"b{i}", dt.date(2020 + i // 12, 1 + i % 12, 1), "Ann Lee") for i in range(30)])
    svg = str(mentions_chart(site.entities["ann-lee"], site, corpus_span(site)))
    assert svg.count("<rect") == 30 and "January 2020: 1 briefing" in svg and "per month" in svg
    undated = build_site([briefing("u", None, [person("X Y")])])
    assert corpus_span(undated) is None and str(mentions_chart(undated.entities["x-y"], undated, None)) == ""


def test_a_long_actor_page_folds_its_older_months():
    site = build_site([_dated(f"b{i:03d}", dt.date(2020, 1, 1) + dt.timedelta(days=3 * i), "Ann Lee")
                       for i in range(150)])
    page = outputs(site)["entities/ann-lee.html"]
    folded = page[page.index('<details class="earlier">'):]
    shown = page[:page.index('<details class="earlier">')]
    assert 20 <= shown.count('class="row"') < 35 and shown.count('class="row"') + folded.count('class="row"') == 150
    assert "b149.html" in shown and "b000.html" in folded  # newest first, oldest folded


def test_rising_actors_compare_the_last_weeks_with_the_weeks_before():
    last = dt.date(2024, 3, 31)
    days = lambda *n: [last - dt.timedelta(days=d) for d in n]
    briefings = [_dated("old", dt.date(2023, 12, 1), "Cy Dee")]
    briefings += [_dated(f"r{i}", d, "Ann Lee") for i, d in enumerate(days(0, 3, 9, 20))]  # 4 recent
    briefings += [_dated(f"q{i}", d, "Bo Kim") for i, d in enumerate(days(1, 2, 40, 45, 50))]  # 2 recent, 3 before
    briefings += [_dated(f"s{i}", d, "Cy Dee") for i, d in enumerate(days(5, 6, 35))]  # 2 recent, 1 before
    briefings += [briefing("u", None, [person("Ann Lee")]), _dated("gone", dt.date(2023, 1, 1), "Di Ng")]
    site = build_site(briefings)
    rising = rising_entities(site, 5)
    assert [(r.entity.name, r.recent, r.before) for r in rising] == [("Ann Lee", 4, 0), ("Cy Dee", 2, 1)]
    assert sum(rising[0].weekly) == 4 and rising[0].weekly[-1] >= 1
    home = outputs(site)["index.html"]
    assert "Rising in the last 4 weeks" in home and home.index("Ann Lee</a>", home.index("rising-h")) > 0
    # A corpus shorter than the two windows has no "before" to rise from.
    assert rising_entities(build_site([_dated("a", last, "Ann Lee"), _dated("b", last, "Ann Lee")]), 5) == []


def test_counts_agree_with_the_lists_they_label():
    actors = [Actor(f"Place {c}", EntityKind.PLACE, (), n, f"place-{c.lower()}") for c, n in zip("ABCDEFG", range(1, 8))]
    people = [person(f"Person {c}", mentions=m) for c, m in zip("ABCDEFGHIJ", (1, 9, 3, 7, 2, 8, 4, 6, 5, 10))]
    site = build_site([briefing("x", dt.date(2020, 1, 1), people + actors),
                       briefing("y", dt.date(2020, 1, 2), actors[:2])])
    out = outputs(site)
    page = out["briefings/x.html"]
    side = page[page.index('id="actors-h"'):page.index("</aside>")]
    shown = [int(n) for n in re.findall(r'<span class="count">(\d+) mentions?</span>', side)]
    assert len(shown) == 8 and shown == sorted(shown, reverse=True)  # key actors in the order of their counts
    more = re.search(r"<summary>(\d+) more actors</summary>(.*?)</details>", side, re.DOTALL)
    assert int(more.group(1)) == 17 - 8 == more.group(2).count('class="chip"')
    actors_page = out["entities/index.html"]
    card = actors_page[actors_page.index('id="k-place"'):]
    card = card[:card.index("</section>")]
    assert '<span class="count">7</span>' in card and "All 7 places by name" in card
    listed = re.findall(r'<span class="count">(\d+) briefings?</span>', card)
    assert [int(n) for n in listed] == sorted((int(n) for n in listed), reverse=True)  # by the count shown
    assert listed[:2] == ["2", "2"]


def test_the_nav_marks_the_section_and_never_timeline_on_a_briefing():
    out = outputs(build_site([briefing("x", dt.date(2020, 1, 1), [person("Ann Lee")])]))
    nav = lambda page: re.search(r'<nav class="site-nav".*?</nav>', out[page], re.DOTALL).group(0)
    assert "aria-current" not in nav("briefings/x.html")
    assert re.search(r'aria-current="page">Timeline', nav("timeline.html"))
    assert re.search(r'aria-current="true">Actors', nav("entities/ann-lee.html"))
    assert re.search(r'aria-current="page">Actors', nav("entities/index.html"))
    assert 'role="search"' not in out["search.html"] and 'role="search"' in out["index.html"]  # one search box


def test_organisation_is_accepted_as_a_kind(tmp_path: Path):
    path = tmp_path / "entities.toml"
    path.write_text('[entity."Harbour Board"]\nkind = "organisation"\n[entity."Port"]\nkind = "Organization"\n')
    curation = load_curation(path)
    assert not curation.problems
    assert [e.kind for e in curation.entities] == [EntityKind.ORGANIZATION, EntityKind.ORGANIZATION]
