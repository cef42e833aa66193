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


def _same_site(a, b) -> None:
    """Equal sites, entities in the same order (the pages list them in that order)."""
    assert a == b
    assert list(a.entities) == list(b.entities)
    assert [e.related for e in a.entities.values()] == [e.related for e in b.entities.values()]


def test_a_site_rebuilt_with_its_memo_after_edits_equals_one_built_from_scratch(tmp_path):
    from dataclasses import replace

    from briefgen.curation import Curation, load_curation
    from briefgen.graph import ResolutionMemo

    (tmp_path / "entities.toml").write_text('ignore = ["Ed Fox"]\n[entity."Bo Kim Sr."]\naliases = ["Bo Kim"]\n'
                                            'description = "A note."\n', encoding="utf-8")
    curated = load_curation(tmp_path / "entities.toml", tmp_path)
    assert curated.entities and not curated.problems

    corpus = {
        "x": briefing("x", dt.date(2022, 3, 1), [person("Ann Lee", 2), person("Bo Kim")]),
        "y": briefing("y", dt.date(2022, 3, 2), [person("Lee"), person("Bo Kim"), person("Cy Oh")],
                      [Quote("We are ready for it.", "Lee", "lee", "said", 0, 5)]),
        "z": briefing("z", dt.date(2022, 3, 3), [person("Cy Oh"), person("Di Ng")]),
        "w": briefing("w", None, [person("Di Ng", 3), person("Ed Fox")]),
    }
    memo = ResolutionMemo()
    edits = [
        lambda c: c,  # nothing changed
        lambda c: {**c, "z": replace(c["z"], actors=(*c["z"].actors, person("Ann Lee")))},  # an actor added
        lambda c: {k: v for k, v in c.items() if k != "x"},  # a briefing gone: "Lee" is no longer Ann Lee's
        lambda c: {**c, "x": briefing("x", dt.date(2022, 3, 1), [person("Ann Lee"), person("Fay Wu")])},  # back
        lambda c: {**c, "w": replace(c["w"], article=replace(c["w"].article, date=dt.date(2023, 1, 1)))},  # moved
        lambda c: {**c, "v": briefing("v", dt.date(2022, 3, 2), [person("Bo Kim", 4)],
                                      [Quote("Not this week at all.", "Bo Kim", "bo-kim", "said", 0, 5)])},
        # a quote credited to a name only a later briefing holds (the site lists briefings newest first)
        lambda c: {**c, "y": replace(c["y"], quotes=(
            *c["y"].quotes, Quote("Back next year, surely.", "Ed Fox", "ed-fox", "said", 0, 5)))},
    ]
    for curation in (Curation(), curated, Curation()):
        for edit in edits:
            corpus = edit(corpus)
            incremental = build_site(list(corpus.values()), curation=curation, memo=memo)
            _same_site(incremental, build_site(list(corpus.values()), curation=curation))
