"""Entity resolution across articles (briefgen/entities.py through build_site), on small articles of our own."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from briefgen.curation import Curation
from briefgen.entities import suggestions
from briefgen.graph import build_site, resolve_curated
from briefgen.model import (
    Actor,
    Article,
    Briefing,
    EntityKind,
    Paragraph,
    Quote,
    pack_bounds,
)
from briefgen.urls import slugify

P, O, L, G = EntityKind.PERSON, EntityKind.ORGANIZATION, EntityKind.PLACE, EntityKind.GROUP


def actor(name: str, kind: EntityKind = P, mentions: int = 1, aliases: tuple[str, ...] = ()) -> Actor:
    return Actor(name, kind, aliases, mentions, slugify(name))


def briefing(slug: str, actors: list[Actor], text: str = "", quotes: list[Quote] = (),
             date: dt.date | None = dt.date(2016, 5, 1)) -> Briefing:
    text = text or f"Article {slug}."
    article = Article(slug, slug.title(), date, f"seeds/{slug}.txt", text,
                      pack_bounds((Paragraph(text, 0, len(text)),)), "0" * 64)
    return Briefing(article, (text,), tuple(actors), tuple(quotes), ())


def page_of(site, briefing_slug: str, name: str) -> str:
    """The page an actor of that briefing is on, found by the name the article wrote."""
    b = site.briefing(briefing_slug)
    return next(a.slug for a in b.actors if a.name == name or name in a.aliases)


def test_a_surname_only_article_joins_the_full_name_and_its_quote_follows():
    site = build_site([
        briefing("full", [actor("Lindsay Lohan", mentions=3)]),
        briefing("short", [actor("Lohan", mentions=2)], quotes=[Quote("I am fine.", "Lohan", "lohan", "said", 0, 5)]),
    ])
    assert set(site.entities) == {"lindsay-lohan"}
    lohan = site.entities["lindsay-lohan"]
    assert lohan.name == "Lindsay Lohan" and lohan.mention_count == 5 and "Lohan" in lohan.aliases
    quote = site.briefing("short").quotes[0]
    assert quote.speaker_slug == "lindsay-lohan" and quote.speaker == "Lindsay Lohan"
    assert [r.briefing_slug for r in lohan.quotes] == ["short"]
    # The article's own spelling stays among the actor's aliases (what the reader sees is linked).
    assert "Lohan" in site.briefing("short").actors[0].aliases


def test_two_clintons_stay_apart_and_a_short_clinton_goes_where_its_article_points():
    arkansas = [actor("Arkansas", L), actor("Monica Lewinsky"), actor("Al Gore")]
    campaign = [actor("Tim Kaine"), actor("John Podesta"), actor("Iowa", L)]
    site = build_site([
        *(briefing(f"bill{i}", [actor("Bill Clinton", mentions=2), *arkansas]) for i in range(3)),
        *(briefing(f"hillary{i}", [actor("Hillary Clinton", mentions=3), *campaign]) for i in range(4)),
        # Extraction joins "Clinton" to the one Clinton an article names: here Bill (the alias says so).
        briefing("bill-named", [actor("Bill Clinton", aliases=("Clinton",))]),
        # No full name: the other actors decide.
        briefing("short-bill", [actor("Clinton", mentions=4), actor("Monica Lewinsky"), actor("Arkansas", L)]),
        briefing("short-hillary", [actor("Clinton", mentions=4), actor("Tim Kaine"), actor("John Podesta")]),
    ])
    assert {"bill-clinton", "hillary-clinton"} <= set(site.entities) and "clinton" not in site.entities
    assert page_of(site, "short-bill", "Clinton") == "bill-clinton"
    assert page_of(site, "short-hillary", "Clinton") == "hillary-clinton"
    assert page_of(site, "bill-named", "Bill Clinton") == "bill-clinton"
    assert "Hillary Clinton" not in site.entities["bill-clinton"].aliases


def test_an_unsupported_short_name_goes_to_the_clearly_dominant_person_else_stays_apart():
    many = [briefing(f"d{i}", [actor("Donald Trump", mentions=2)]) for i in range(6)]
    site = build_site([*many, briefing("jr", [actor("Donald Trump Jr.")]), briefing("t", [actor("Trump")])])
    assert page_of(site, "t", "Trump") == "donald-trump"
    assert site.entities["donald-trump-jr"].name == "Donald Trump Jr."  # another person
    assert "Donald Trump Jr." not in site.entities["donald-trump"].aliases

    even = build_site([briefing("a", [actor("Chris Weitz")]), briefing("b", [actor("Paul Weitz")]),
                       briefing("c", [actor("Weitz")])])
    assert page_of(even, "c", "Weitz") == "weitz"  # neither dominates: its own page
    [decision] = resolve_curated(even.briefings, Curation())[1].decisions
    assert decision.how == "ambiguous" and {c for c, _ in decision.candidates} == {"chris-weitz", "paul-weitz"}


def test_variants_of_one_full_name_share_a_page_named_by_its_most_used_complete_form():
    site = build_site([
        briefing("a", [actor("Donald Trump", mentions=5)]),
        briefing("b", [actor("Donald J. Trump", mentions=2)]),
        briefing("c", [actor("TRUMP", mentions=9)]),
        briefing("d", [actor("Mr. Trump", mentions=1)]),
        briefing("e", [actor("Hillary Rodham Clinton")]),
        briefing("f", [actor("Hillary Clinton", mentions=4)]),
        briefing("g", [actor("Jim Comey")]),
        briefing("h", [actor("James Comey", mentions=3)]),
    ])
    assert site.entities["donald-trump"].name == "Donald Trump"
    assert {"donald-j-trump", "trump", "mr-trump"}.isdisjoint(site.entities)
    assert page_of(site, "e", "Hillary Rodham Clinton") == "hillary-clinton"
    assert page_of(site, "g", "Jim Comey") == "james-comey"


def test_a_headline_fragment_and_a_possessive_without_apostrophe_are_the_person():
    headline = "Donald Trump Leads Polls In Ohio\n\nThe race tightened on Monday, Donald Trump said."
    site = build_site([
        *(briefing(f"d{i}", [actor("Donald Trump")]) for i in range(3)),
        briefing("head", [actor("Donald Trump Leads"), actor("Donald Trump")], text=headline),
        *(briefing(f"o{i}", [actor("Barack Obama")]) for i in range(3)),
        briefing("poss", [actor("Barack Obamas")]),
    ])
    assert "donald-trump-leads" not in site.entities and "barack-obamas" not in site.entities
    assert page_of(site, "head", "Donald Trump Leads") == "donald-trump"
    assert page_of(site, "poss", "Barack Obamas") == "barack-obama"
    # The same three words in running text are a name of their own: only a headline's words are dropped.
    prose = "We met Donald Trump Leads, a plumber from Akron, who said little."
    other = build_site([*(briefing(f"d{i}", [actor("Donald Trump")]) for i in range(3)),
                        briefing("prose", [actor("Donald Trump Leads")], text=prose)])
    assert page_of(other, "prose", "Donald Trump Leads") == "donald-trump-leads"


def test_nationality_and_party_words_count_for_their_country_and_party():
    site = build_site([
        briefing("a", [actor("China", L), actor("Chinese", G, 3), actor("American", G), actor("U.S.", L)]),
        briefing("b", [actor("Republican", G, 4), actor("Republicans", G, 2), actor("GOP", O)]),
        briefing("c", [actor("Republican Party", O), actor("Democrats", G), actor("Democratic", G)]),
        briefing("d", [actor("Raleigh", L), actor("N.C.", L)]),
    ])
    names = {e.name for e in site.entities.values()}
    assert not names & {"Chinese", "American", "Republican", "Republicans", "Democrats", "Democratic", "GOP"}
    assert site.entities["china"].mention_count == 4 and site.entities["china"].kind is L
    assert site.entities["united-states"].mention_count == 2
    party = site.entities["republican-party"]
    assert party.kind is O and set(party.briefing_slugs) == {"b", "c"} and party.mention_count == 8
    assert site.entities["democratic-party"].mention_count == 2
    assert page_of(site, "d", "N.C.") == "north-carolina"


def test_kind_slug_and_name_are_corpus_votes_that_an_unrelated_article_does_not_change():
    votes = [
        briefing("a", [actor("Verden", L, 3)]),
        briefing("b", [actor("Verden", O, 2)]),
        briefing("c", [actor("Oxfam", O, 2), actor("Verden", L)]),
    ]
    site = build_site(votes)
    assert site.entities["verden"].kind is L  # 4 place mentions to 2
    unrelated = briefing("z", [actor("Verdun", O, 9), actor("Ann Lee")], date=dt.date(2010, 1, 1))
    for more in ([unrelated], [unrelated, briefing("y", [actor("Bo Kim")], date=None)]):
        again = build_site([*more, *reversed(votes)])  # and in another order
        assert again.entities["verden"].kind is L and again.entities["verden"].name == "Verden"
        assert {s: e.kind for s, e in again.entities.items() if s in site.entities} == \
            {s: e.kind for s, e in site.entities.items()}


def test_curation_wins_over_resolution(tmp_path: Path):
    from briefgen.curation import load_curation

    (tmp_path / "entities.toml").write_text('[entity."Bill Clinton"]\naliases = ["Clinton"]\n', encoding="utf-8")
    curation = load_curation(tmp_path / "entities.toml")
    site = build_site([
        *(briefing(f"h{i}", [actor("Hillary Clinton")]) for i in range(5)),
        briefing("short", [actor("Clinton")]),
    ], curation=curation)
    assert page_of(site, "short", "Clinton") == "bill-clinton"  # the corpus says Hillary; the user says Bill


def test_suggestions_are_valid_entities_toml_with_their_evidence():
    briefings = [briefing("a", [actor("Chris Weitz")]), briefing("b", [actor("Paul Weitz")]),
                 briefing("c", [actor("Weitz")]),
                 *(briefing(f"d{i}", [actor("Donald Trump")]) for i in range(6)),
                 briefing("e", [actor("Eric Trump")]), briefing("t", [actor("Trump")])]
    _, resolution = resolve_curated(briefings, Curation())
    text = suggestions(resolution)
    parsed = tomllib.loads(text)["entity"]
    assert parsed["Donald Trump"] == {"aliases": ["Trump"]}  # went there by dominance alone: confirm or drop
    assert parsed["Chris Weitz"] == {"merge": ["weitz"]}  # stayed apart: merge if that is right
    assert '"Weitz" kept its own page weitz in 1 article(s)' in text and "paul-weitz (1 briefings)" in text


def test_inspect_prints_the_slugs_names_and_kinds_of_briefings_json(built, capsys, monkeypatch):
    from briefgen.cli import main

    config, _ = built
    published = json.loads((config.out / "briefings.json").read_text(encoding="utf-8"))
    monkeypatch.chdir(config.root)
    assert main(["inspect", "seeds"]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    def actors(records):
        return {r["source"].split("/")[-1]: [(a["slug"], a["name"], a["kind"]) for a in r["actors"]] for r in records}

    assert actors(printed) == actors(published)
    assert any(a for r in printed for a in r["actors"])


def test_extraction_cuts_a_span_back_to_the_name(nlp_provider):
    from briefgen.extract.actors import extract_actors

    nlp = nlp_provider.get()
    text = ("Donald Trump Leads Clinton In New Poll\n\nCLEVELAND - Donald Trump spoke. Entrusting Donald Trump "
            "with the codes worries Obama’s aides. The Ted Cruz Super PAC paid, and Ted Cruz—35 to 12 percent—won.")
    names = {(a.name, a.kind) for a in extract_actors(nlp(text)).actors}
    assert ("Donald Trump", P) in names and ("Ted Cruz", P) in names and ("Ted Cruz Super PAC", O) in names
    assert not {n for n, _ in names} & {"Donald Trump Leads Clinton", "CLEVELAND - Donald Trump",
                                         "Entrusting Donald Trump", "Obama’s aides", "Ted Cruz—35"}


def test_entities_command_lists_the_pages_and_prints_valid_suggestions(built, capsys, monkeypatch):
    from briefgen.cli import main

    config, result = built
    monkeypatch.chdir(config.root)
    assert main(["entities"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert {slug for slug, *_ in rows} == set(result.site.entities)
    assert all(kind in {k.value for k in EntityKind} and int(n) >= 1 for _, kind, n, _ in rows)
    assert main(["entities", "--suggest"]) == 0
    tomllib.loads(capsys.readouterr().out)  # entries (or a comment saying there are none), as valid TOML


def mixed_corpus_pages(seed: int = 27) -> str:
    """The pages of a corpus dense in names that could join one another (full names, surnames, first names,
    reversed and misspelt names, team and church names and their tails, kinds at odds), as one string.
    Seed 27 is one whose pages followed the string hash before df counted in briefing order."""
    import random

    rng = random.Random(seed)
    first = ["Ahmed", "Maria", "John", "Li", "Omar", "Anna", "Pierre", "Sami", "Joan", "Ivan"]
    last = ["Helal", "Silva", "Smith", "Wei", "Hamdy", "Kowal", "Heslouin", "Hamad", "Bakker", "Petrov"]
    orgs = ["Boston Red Sox", "Red Sox", "Living Church of God", "Living Church", "Associated Press", "AP",
            "Toronto Star", "Star", "Sox", "Church"]
    briefings = []
    for n in range(60):
        names: dict[str, Actor] = {}
        for _ in range(rng.randrange(2, 7)):
            f, s = rng.choice(first), rng.choice(last)
            name = rng.choice([f"{f} {s}", s, f, f"{f} {s}s", f"{f} {s[:-1]}", f"{s} {f}"])
            names[name] = actor(name, rng.choice([P, P, P, O, L, G]), rng.randrange(1, 4))
        for name in rng.sample(orgs, 3):
            names[name] = actor(name, rng.choice([O, O, G, L, P]), rng.randrange(1, 3))
        briefings.append(briefing(f"b{n:03d}", list(names.values())))
    site = build_site(briefings)
    return "\n".join(f"{b.slug}: {[(a.name, a.slug) for a in b.actors]}" for b in site.briefings) + "\n" + \
        "\n".join(f"{e.slug} {e.name} {e.kind.value}" for e in site.entities.values())


def test_the_pages_do_not_depend_on_the_process_string_hash():
    """Python hashes strings with a per-process seed: resolution must not follow set order, or two builds
    of the same files give different pages (and an incremental build re-renders pages that did not change)."""
    import os
    import subprocess

    code = "import test_entities; print(test_entities.mixed_corpus_pages())"
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed,
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), str(Path(__file__).parent.parent)])}
        outputs.add(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                   check=True).stdout)
    assert len(outputs) == 1


def test_a_surname_the_model_took_for_a_place_joins_the_person_where_the_article_names_them():
    # "Palin" tagged as a place in more articles than "Sarah Palin" is written: the rarer full name still takes it
    # in an article that names her, and only there.
    site = build_site([
        briefing("full", [actor("Sarah Palin", mentions=3), actor("Alaska", L)]),
        briefing("both", [actor("Palin", L, 4), actor("Sarah Palin")],
                 text="Sarah Palin spoke in Wasilla. Palin said little."),
        *(briefing(f"short{i}", [actor("Palin", L, 2)], text="Palin spoke.") for i in range(3)),
    ])
    assert page_of(site, "both", "Palin") == "sarah-palin"
    assert page_of(site, "short0", "Palin") == "palin"  # nothing in that article says which Palin


def test_resolving_again_after_an_edit_gives_what_a_fresh_resolution_gives():
    """``serve`` keeps a Resolver: an edit to an article's wording reuses the last resolution only when no
    decision changes; the article's text still decides a short name, and a headline's words are read again."""
    from dataclasses import replace

    from briefgen.entities import Resolution, Resolver, resolve

    def reworded(b: Briefing, text: str) -> Briefing:  # as an edit of its file: other bytes, another digest
        return replace(b, article=replace(b.article, raw=text, sha256=hashlib.sha256(text.encode()).hexdigest()))

    corpus = [
        *(briefing(f"bill{i}", [actor("Bill Clinton", mentions=2), actor("Al Gore")]) for i in range(3)),
        *(briefing(f"hillary{i}", [actor("Hillary Clinton", mentions=3), actor("Tim Kaine")]) for i in range(3)),
        briefing("short", [actor("Clinton", mentions=2)], text="Clinton spoke. Hillary Clinton was in Iowa."),
        *(briefing(f"d{i}", [actor("Donald Trump")]) for i in range(3)),
        briefing("head", [actor("Donald Trump Leads"), actor("Donald Trump")],
                 text="Donald Trump Leads Polls In Ohio\n\nThe race tightened, Donald Trump said."),
    ]
    resolver = Resolver()
    first = resolver.resolve(corpus)
    assert first.pages[6] == {"clinton": "hillary-clinton"}
    assert first.pages[10] == {"donald-trump-leads": "donald-trump"}

    def edited(i: int, text: str) -> list[Briefing]:
        return [reworded(b, text) if n == i else b for n, b in enumerate(corpus)]

    assert resolver.resolve(edited(6, "Clinton spoke at length. Hillary Clinton was in Iowa.")) is first

    def resolved_again(briefings: list[Briefing]) -> Resolution:
        kept = Resolver()
        kept.resolve(corpus)
        saved = io.BytesIO()
        assert kept.dump(saved)
        loaded = Resolver.load(io.BytesIO(saved.getvalue()))  # as the next build finds it: its tables unpickled
        fresh = resolve(briefings)
        for again in (kept.resolve(briefings), loaded.resolve(briefings)):
            assert (again.pages, again.names, again.kinds, again.decisions) == \
                (fresh.pages, fresh.names, fresh.kinds, fresh.decisions)
        return again

    # The text decides "Clinton"; without the headline, "Donald Trump Leads" is a name of its own.
    assert resolved_again(edited(6, "Clinton spoke. Bill Clinton was in Iowa.")).pages[6] == {"clinton": "bill-clinton"}
    prose = resolved_again(edited(10, "We met Donald Trump Leads, a plumber who said little about the race, "
                                      "not Donald Trump."))
    assert "donald-trump-leads" in prose.names and prose.pages[10] == {}


def test_an_edit_that_reorders_an_articles_actors_resolves_as_a_fresh_resolution():
    """An edit moves where a name is first written, and with it the order of the article's actors: ``serve``'s
    Resolver keeps the last resolution where that order decides nothing, and resolves afresh where it does
    (the first of three spellings of one name that an article is the first to write decides which join)."""
    from dataclasses import replace

    from briefgen.entities import Resolver, resolve

    def moved(b: Briefing, order: tuple[int, ...], text: str) -> Briefing:
        return replace(b, actors=tuple(b.actors[k] for k in order), article=replace(b.article, raw=text))

    corpus = [
        *(briefing(f"campaign{i}", [actor("Donald Trump", mentions=2), actor("Mike Pence")]) for i in range(2)),
        briefing("rally", [actor("Donald Trump", mentions=3), actor("Ohio", L), actor("Mike Pence", mentions=2)],
                 text="Donald Trump spoke in Ohio. Mike Pence followed him. Trump and Pence left."),
        briefing("label", [actor("LaToya", O), actor("La Toya"), actor("Lat Oya")],
                 text="LaToya, the label, signed La Toya. Lat Oya produced the record."),
    ]
    resolver = Resolver()
    first = resolver.resolve(corpus)
    rally = [*corpus[:2], moved(corpus[2], (0, 2, 1), "Donald Trump and Mike Pence spoke in Ohio. Trump left."),
             corpus[3]]
    assert resolver.resolve(rally) is first

    label = [*rally[:3], moved(corpus[3], (1, 0, 2), "La Toya signed with LaToya, the label. Lat Oya produced it.")]
    again, fresh = resolver.resolve(label), resolve(label)
    assert (again.pages, again.names, again.kinds, again.decisions) == \
        (fresh.pages, fresh.names, fresh.kinds, fresh.decisions)
    assert again.pages[3] == {"la-toya": "lat-oya"} and first.pages[3] == {}
