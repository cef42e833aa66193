"""The extractor on the seed article and small articles of our own (spaCy loaded once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.build import BuildResult, extract_briefings
from briefgen.config import load_config
from briefgen.model import Briefing, EntityKind
from briefgen.sources import read_paths

from conftest import FIXTURE_SEEDS, SEED

pytestmark = pytest.mark.nlp


def extract(path: Path, nlp_provider, tmp_path: Path) -> Briefing:
    articles = read_paths([path]).articles
    config = load_config(root=tmp_path, n_process=1)
    (briefing,) = extract_briefings(articles, config, nlp_provider, BuildResult())
    return briefing


@pytest.fixture()
def seed(nlp_provider, tmp_path) -> Briefing:
    return extract(SEED, nlp_provider, tmp_path)


def test_seed_quotes_have_their_speakers(seed: Briefing):
    got = [(" ".join(q.text.split()[:3]), q.speaker) for q in seed.quotes]
    assert got == [
        # partial quote inside a sentence, “ … " marks; the department as written, not the country
        ("safe and not", "Canada’s defence department"),
        ("Canada’s intelligence and", "Canada’s defence department"),  # "the department said"
        ("We will continue", "Canada’s defence department"),  # a cue-less quote paragraph continues it
        ("We are confident", "Pat Ryder"),  # quote over two sentences, long title before the name
        ("We will keep", "Pat Ryder"),  # "he said"
        ("Some US politicians", "Global Times"),  # "the newspaper said"
        ("decoration and cannot", "Global Times"),  # "It said", partial quote
    ]


def test_quote_offsets_index_the_source_file(seed: Briefing):
    raw = seed.article.raw
    for q in seed.quotes:
        assert raw[q.start : q.end] == q.text
        assert raw[q.start - 1] in "“\"" or raw[q.start - 2] in "“\""


def test_possessive_apostrophes_are_not_quotes(seed: Briefing):
    assert not any(q.text.startswith("s ") or "’s account" in q.text for q in seed.quotes)


def test_seed_actors_are_merged_and_clean(seed: Briefing):
    names = {a.name: a for a in seed.actors}
    for expected in ["Antony Blinken", "Pat Ryder", "United States", "Canada", "China", "Pentagon", "Global Times"]:
        assert expected in names, expected
    assert "State" not in names and "Ryder" not in names and "US" not in names
    assert "Blinken" in names["Antony Blinken"].aliases
    assert "US" in names["United States"].aliases
    assert names["Pat Ryder"].kind is EntityKind.PERSON
    assert names["Pentagon"].kind is EntityKind.ORGANIZATION
    assert names["Canada"].kind is EntityKind.PLACE
    top = [a.name for a in seed.actors[:4]]
    assert "Canada" in top and "United States" in top


def test_seed_summary_says_what_happened_in_reading_order(seed: Briefing):
    assert len(seed.summary) == 3
    assert seed.summary[0].startswith("Canada said on Friday")
    text = seed.article.nlp_text
    positions = [text.find(s.split()[0] + " " + s.split()[1]) for s in seed.summary]
    assert positions == sorted(positions)
    assert not any(s.startswith("“") for s in seed.summary)


def test_seed_context_is_background_and_not_the_summary(seed: Briefing):
    assert any("strained for years" in c for c in seed.context)
    for c in seed.context:
        for s in seed.summary:
            assert s not in c


def test_straight_quotes_cues_before_and_after_and_according_to(nlp_provider, tmp_path):
    b = extract(FIXTURE_SEEDS / "harbour-fire.txt", nlp_provider, tmp_path)
    got = {" ".join(q.text.split()[:3]): (q.speaker, q.cue) for q in b.quotes}
    assert got["We evacuated the"] == ("Marieke van Dijk", "said")  # '"…," said X, a spokeswoman'
    assert got["The fire brigade"][0] == "Marieke van Dijk"  # '"…," she said'
    assert got["This is exactly"][0] == "Ahmed Aboutaleb"  # 'X, who said: "…"' 


def test_markdown_continuation_paragraph_and_offsets(nlp_provider, tmp_path):
    b = extract(FIXTURE_SEEDS / "storm-port.md", nlp_provider, tmp_path)
    assert {q.speaker for q in b.quotes} == {"Tomasz Nowak"}
    assert any(q.text.startswith("Passengers with tickets") for q in b.quotes)  # unclosed, continues
    for q in b.quotes:
        assert b.article.raw[q.start : q.end] == q.text


def test_extraction_is_deterministic(nlp_provider, tmp_path):
    first = extract(SEED, nlp_provider, tmp_path / "a")
    second = extract(SEED, nlp_provider, tmp_path / "b")
    assert first == second


def test_aliases_merge_inside_an_article_and_junk_is_not_an_actor(nlp_provider, tmp_path):
    path = tmp_path / "aliases.txt"
    path.write_text(
        "Talks in Oslo\n\n"
        "Mr. Henrik Dahl, Norway's foreign minister, met U.S. envoy Carla Moreno in Oslo on Monday. "
        "The United States and Norway agreed to new fishing rules in 2023.\n\n"
        "Dahl said the US had been patient. Moreno's team thanked Dahl's staff, and the pro-Norway "
        "crowd outside cheered in the 1990s style.\n\n"
        "The Norwegian Fisheries Directorate will publish the rules. The Directorate said it agreed.\n",
        encoding="utf-8",
    )
    b = extract(path, nlp_provider, tmp_path)
    names = {a.name: a for a in b.actors}
    assert "Henrik Dahl" in names and "Dahl" not in names and "Mr. Henrik Dahl" not in names
    assert names["Henrik Dahl"].mentions >= 3  # full name, surname, possessive surname
    assert names["Henrik Dahl"].kind is EntityKind.PERSON
    assert "United States" in names and not {"US", "U.S."} & set(names)
    assert {"U.S.", "US"} & set(names["United States"].aliases)
    assert "Carla Moreno" in names and "Moreno" not in names
    assert not any(n.startswith(("pro-", "the ", "The ")) or n[0].isdigit() for n in names)
    assert b.actors[0].name in {"Henrik Dahl", "United States", "Norway"}  # salience: mentions and position
