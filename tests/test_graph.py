"""The site graph from hand-made briefings: no spaCy needed."""

from __future__ import annotations

import datetime as dt

from briefgen.graph import build_site
from briefgen.model import Actor, Article, Briefing, EntityKind, Paragraph, Quote, pack_bounds


def briefing(slug: str, date: dt.date | None, actors: list[Actor], quotes: list[Quote] = ()) -> Briefing:
    text = f"Article {slug}."
    article = Article(slug, slug.title(), date, f"seeds/{slug}.txt", text,
                      pack_bounds((Paragraph(text, 0, len(text)),)), "0" * 64)
    return Briefing(article, (text,), tuple(actors), tuple(quotes), ())


def person(name: str, mentions: int = 1) -> Actor:
    from briefgen.urls import slugify

    return Actor(name, EntityKind.PERSON, (), mentions, slugify(name))


def test_briefings_newest_first_undated_last():
    site = build_site([briefing("b", dt.date(2020, 1, 1), []), briefing("u", None, []),
                       briefing("a", dt.date(2021, 5, 1), [])])
    assert [b.slug for b in site.briefings] == ["a", "b", "u"]


def test_surname_merges_across_corpus_only_when_unambiguous():
    site = build_site([
        briefing("one", dt.date(2020, 1, 1), [person("Hillary Clinton", 3)]),
        briefing("two", dt.date(2020, 1, 2), [person("Clinton", 2)],
                 [Quote("We will win.", "Clinton", "clinton", "said", 0, 12)]),
        briefing("three", dt.date(2020, 1, 3), [person("Sanders")]),
    ])
    clinton = site.entities["hillary-clinton"]
    assert "clinton" not in site.entities
    assert clinton.briefing_slugs == ("two", "one")  # newest first
    assert clinton.mention_count == 5 and "Clinton" in clinton.aliases
    assert [r.briefing_slug for r in clinton.quotes] == ["two"]
    assert site.briefing("two").quotes[0].speaker_slug == "hillary-clinton"
    assert site.briefing("two").actors[0].name == "Hillary Clinton"

    ambiguous = build_site([
        briefing("a", None, [person("Bill Clinton")]),
        briefing("b", None, [person("Hillary Clinton")]),
        briefing("c", None, [person("Clinton")]),
    ])
    assert "clinton" in ambiguous.entities


def test_related_entities_count_shared_briefings_and_dates():
    site = build_site([
        briefing("x", dt.date(2022, 3, 1), [person("Ann Lee"), person("Bo Kim")]),
        briefing("y", dt.date(2022, 4, 1), [person("Ann Lee"), person("Bo Kim"), person("Cy Oh")]),
    ])
    ann = site.entities["ann-lee"]
    assert ann.related == (("bo-kim", 2), ("cy-oh", 1))
    assert ann.first_seen == dt.date(2022, 3, 1) and ann.last_seen == dt.date(2022, 4, 1)


def test_quote_speaker_without_entity_page_keeps_name_loses_link():
    site = build_site([briefing("x", None, [], [Quote("Hi there all.", "a US official", None, "said", 0, 5)])])
    q = site.briefing("x").quotes[0]
    assert q.speaker == "a US official" and q.speaker_slug is None
