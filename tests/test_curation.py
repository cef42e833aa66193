"""entities.toml and the site graph's merging: hand-made briefings, no spaCy needed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.config import load_config
from briefgen.curation import Curation, load_curation
from briefgen.errors import ConfigError
from briefgen.graph import build_site, unmatched_entries
from briefgen.model import Actor, Article, Briefing, EntityKind, Paragraph, Quote, pack_bounds
from briefgen.urls import slugify


def briefing(slug: str, actors: list[Actor], quotes: list[Quote] = ()) -> Briefing:
    text = f"Article {slug}."
    article = Article(slug, slug.title(), dt.date(2024, 1, 1), f"seeds/{slug}.txt", text,
                      pack_bounds((Paragraph(text, 0, len(text)),)), "0" * 64)
    return Briefing(article, (text,), tuple(actors), tuple(quotes), ())


def actor(name: str, kind: EntityKind = EntityKind.PERSON, mentions: int = 1, aliases: tuple[str, ...] = ()) -> Actor:
    return Actor(name, kind, aliases, mentions, slugify(name))


def curation(tmp_path: Path, text: str) -> Curation:
    path = tmp_path / "entities.toml"
    path.write_text(text, encoding="utf-8")
    return load_curation(path)


def test_aliases_merge_kind_and_description(tmp_path):
    cur = curation(tmp_path, '''
ignore = ["State", "the Twitter"]

[entity."Antony Blinken"]
aliases = ["Tony Blinken", "Secretary Blinken"]
kind = "person"
description = "US Secretary of State. <script>x</script> **Top** diplomat."

[entity."Pentagon"]
merge = ["department-of-defense"]
kind = "organization"
''')
    site = build_site([
        briefing("a", [actor("Tony Blinken", mentions=2), actor("State", EntityKind.ORGANIZATION),
                       actor("Department of Defense", EntityKind.PLACE)],
                 [Quote("We will go.", "Tony Blinken", "tony-blinken", "said", 0, 5),
                  Quote("No comment at all.", "State", "state", "said", 0, 5)]),
        briefing("b", [actor("Secretary Blinken"), actor("Twitter", EntityKind.ORGANIZATION)]),
    ], curation=cur)
    blinken = site.entities["antony-blinken"]
    assert blinken.name == "Antony Blinken" and blinken.mention_count == 3
    assert set(blinken.briefing_slugs) == {"a", "b"}
    assert {"Tony Blinken", "Secretary Blinken"} <= set(blinken.aliases)
    assert "<strong>Top</strong>" in blinken.description_html and "<script>" not in blinken.description_html
    assert [r.quote.text for r in blinken.quotes] == ["We will go."]
    pentagon = site.entities["pentagon"]
    assert pentagon.kind is EntityKind.ORGANIZATION and "Department of Defense" in pentagon.aliases
    assert "state" not in site.entities and "twitter" not in site.entities  # ignored
    ignored_quote = site.briefing("a").quotes[1]
    assert ignored_quote.speaker == "State" and ignored_quote.speaker_slug is None


def test_spellings_and_mistagged_surnames_share_one_page():
    site = build_site([
        briefing("a", [actor("F.B.I.", EntityKind.ORGANIZATION, 3), actor("John Kasich"),
                       actor("Kasich", EntityKind.PLACE, 2)],
                 [Quote("We can win Ohio.", "Kasich", "kasich", "said", 0, 5)]),
        briefing("b", [actor("FBI", EntityKind.ORGANIZATION)]),
    ])
    assert "fbi" not in site.entities and site.entities["f-b-i"].mention_count == 4
    kasich = site.entities["john-kasich"]
    assert kasich.mention_count == 3 and "kasich" not in site.entities
    assert site.briefing("a").quotes[0].speaker_slug == "john-kasich"


def test_missing_file_changes_nothing(tmp_path):
    assert load_curation(tmp_path / "entities.toml") == Curation()


GOOD = '[entity."Good One"]\nkind = "place"\n\n'  # three lines before each case's text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[entity."X"]\nkind = "robot"\n', "entities.toml:5: error: 'entity.X.kind': unknown kind 'robot'"),
        ('[entity."X"]\n\n  kind=5\n', "entities.toml:6: error: 'entity.X.kind': unknown kind 5"),
        ("[entity.'X'] # note\ncolour = 'red'\n", "entities.toml:5: error: 'entity.X.colour': unknown key"),
        ('[entity.X]\ndescription = 1\n', "entities.toml:5: error: 'entity.X.description': expected a string"),
        ('[entity."Y"]\naliases = ["Y2"]\n[entity."X"]\nkind = "place"\naliases = "Y"\n',
         "entities.toml:8: error: 'entity.X.aliases': expected a list of names"),
        ('[entity."X"]\naliases = ["Z"]\n[entity."Y"]\naliases = ["Z"]\n',
         "entities.toml:6: error: 'entity.Y': name 'z' is already claimed"),
    ],
)
def test_a_bad_value_is_one_line_naming_file_line_and_key_and_the_rest_applies(tmp_path, text, message):
    cur = curation(tmp_path, GOOD + text)
    [problem] = cur.problems
    shown = str(problem)
    assert "\n" not in shown and shown.startswith(str(tmp_path / message))
    site = build_site([briefing("a", [actor("Good One")])], curation=cur)
    assert site.entities["good-one"].kind is EntityKind.PLACE


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('# ignore = []\n\nignore = "State"\n', "entities.toml:3: error: 'ignore': expected a list of names"),
        ('\npeople = 1\n', "entities.toml:2: error: 'people': unknown key"),
    ],
)
def test_a_bad_top_level_key_is_reported_with_its_line(tmp_path, text, message):
    [problem] = curation(tmp_path, text + GOOD).problems
    assert str(problem).startswith(str(tmp_path / message))


def test_invalid_toml_is_one_line_with_its_line(tmp_path):
    with pytest.raises(ConfigError) as info:
        curation(tmp_path, '[entity."X"]\nkind = "place\n')
    shown = str(info.value)
    assert "\n" not in shown and shown.startswith(str(tmp_path / "entities.toml")) and "line 2" in shown


def test_entries_match_a_page_by_its_shown_name_slug_or_alias_ignoring_case_and_spacing(tmp_path):
    briefings = [
        briefing("a", [actor("John Kasich")]),
        briefing("a2", [actor("Kasich", mentions=2)]),  # joins john-kasich, which shows its full name
        briefing("b", [actor("Donald Trump")]),
        briefing("c", [actor("Trump", mentions=5)]),  # joins donald-trump, which shows its usual name
        briefing("d", [actor("Ann Lee", aliases=("Lee",)), actor("Bo Kim")]),
    ]
    plain = build_site(briefings)
    assert plain.entities["john-kasich"].name == "John Kasich" and plain.entities["donald-trump"].name == "Donald Trump"
    cur = curation(tmp_path, (
        '[entity."  JOHN   KASICH "]\ndescription = "By the name the page shows."\n'
        '[entity." donald-trump "]\ndescription = "By the slug: the page keeps its name and URL."\n'
        '[entity."Ms Lee"]\naliases = ["LEE"]\n'
        '[entity."bo   kim "]\nkind = "group"\n'
    ))
    site = build_site(briefings, curation=cur)
    kasich = site.entities["john-kasich"]
    assert kasich.name == "JOHN KASICH" and kasich.mention_count == 3 and "kasich" not in site.entities
    assert kasich.description == "By the name the page shows." and "Kasich" in kasich.aliases
    trump = site.entities["donald-trump"]
    assert trump.name == "Donald Trump" and trump.mention_count == 6 and trump.description.startswith("By the slug")
    assert site.entities["ms-lee"].briefing_slugs == ("d",) and "ann-lee" not in site.entities
    assert site.entities["bo-kim"].name == "bo kim" and site.entities["bo-kim"].kind is EntityKind.GROUP
    assert unmatched_entries(site, cur) == []


def test_an_entry_matching_nothing_is_a_warning_with_its_line(tmp_path):
    cur = curation(tmp_path, '[entity."Ann Lee"]\nkind = "person"\n\n[entity."Donald Trum"]\nkind = "person"\n')
    site = build_site([briefing("a", [actor("Ann Lee")])], curation=cur)
    [warning] = [str(d) for d in unmatched_entries(site, cur)]
    assert warning == (f'{tmp_path / "entities.toml"}:4: warning: [entity."Donald Trum"] matches no actor name, '
                       "alias or page slug")


def test_config_setting_points_at_the_file(tmp_path):
    (tmp_path / "briefgen.toml").write_text('entities = "curation/people.toml"\n', encoding="utf-8")
    assert load_config(root=tmp_path).entities == tmp_path.resolve() / "curation" / "people.toml"
    assert load_config(root=tmp_path / "none").entities.name == "entities.toml"


@pytest.mark.nlp
def test_entity_page_shows_the_description_and_curated_name(tmp_path, nlp_provider):
    from briefgen.build import build

    from conftest import make_project

    root = make_project(tmp_path / "project", with_fixtures=False)
    (root / "entities.toml").write_text(
        '[entity."Pat Ryder"]\ndescription = "Pentagon *press secretary*."\n'
        '[entity."Department of Defense"]\naliases = ["Pentagon"]\n',
        encoding="utf-8",
    )
    config = load_config(root=root, n_process=1, cache_dir=str(tmp_path / "cache"))
    result = build(config, nlp=nlp_provider)
    assert not result.errors
    page = (config.out / "entities" / "pat-ryder.html").read_text(encoding="utf-8")
    assert "Pentagon <em>press secretary</em>." in page
    assert (config.out / "entities" / "department-of-defense.html").is_file()
    assert not (config.out / "entities" / "pentagon.html").exists()

    # A bad entry and one that matches nothing are reported; the good one still applies.
    (root / "entities.toml").write_text(
        '[entity."X"]\nkind = "robot"\n[entity."Pat Ryder"]\ndescription = "Still here."\n'
        '[entity."Nobody Here"]\nkind = "person"\n', encoding="utf-8")
    result = build(config, nlp=nlp_provider)
    assert [str(d) for d in result.diagnostics] == [
        "entities.toml:2: error: 'entity.X.kind': unknown kind 'robot' (known: person, organization, place, "
        "group, other)",
        'entities.toml:5: warning: [entity."Nobody Here"] matches no actor name, alias or page slug',
    ]
    assert "Still here." in (config.out / "entities" / "pat-ryder.html").read_text(encoding="utf-8")
