from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.errors import Severity
from briefgen.sources import derive_title, read_all, read_paths, split_paragraphs

from conftest import FIXTURE_SEEDS, SEED


def read_one(path: Path):
    result = read_paths([path])
    assert len(result.articles) == 1, result.diagnostics
    return result.articles[0]


def test_seed_header_gives_date_and_keeps_offsets():
    article = read_one(SEED)
    assert article.date == dt.date(2023, 2, 3)
    assert len(article.nlp_text) == len(article.raw)
    # The header is blanked for NLP but the first paragraph starts right after it, on the same line.
    assert "date" not in article.nlp_text[:20]
    first = article.paragraphs[0]
    assert article.raw[first.start : first.end].startswith("Canada said on Friday")


def test_untitled_article_gets_a_title_from_its_text_never_the_header():
    article = read_one(SEED)
    assert not article.title.lower().startswith("date")
    assert article.title.startswith("Canada said on Friday")
    assert len(article.title) <= 121


def test_plain_text_headline_line_is_the_title():
    article = read_one(FIXTURE_SEEDS / "harbour-fire.txt")
    assert article.title == "Fire at Rotterdam container terminal halts shipping"
    assert article.date is None
    assert "Fire at Rotterdam" not in article.nlp_text  # the headline is not body text
    assert article.paragraphs[0].text.startswith("A fire broke out")


EXPORT_WITH_DECK = (
    "Dock strike halts grain exports from Odesa; \n"
    "Workers walk out over unpaid wages as harvest shipments pile up on the quays.\n"
    "\n"
    "ABSTRACT.\n"
    "\n"
    "Grain loading at Ukraine's largest port stopped on Tuesday after dockworkers struck over three months of unpaid wages.\n"
    "\n"
    "FULL TEXT.\n"
    "\n"
    "Dockworkers at the port of Odesa walked off the job on Tuesday, halting the loading of about 40 grain ships, "
    "the port authority said.\n"
    "\n"
    "\"We have not been paid since the summer,\" said Oksana Melnyk, a crane operator who has worked at the port "
    "for twelve years.\n"
)


def test_headline_and_deck_export_opening_gives_the_headline_as_title_and_keeps_the_deck_as_lead(tmp_path: Path):
    path = tmp_path / "odesa-strike.txt"
    path.write_text(EXPORT_WITH_DECK, encoding="utf-8")
    article = read_one(path)
    assert article.title == "Dock strike halts grain exports from Odesa"  # the export's ';' is no part of it
    assert "Dock strike" not in article.nlp_text and len(article.nlp_text) == len(article.raw)
    deck = article.paragraphs[0]
    assert deck.text == "Workers walk out over unpaid wages as harvest shipments pile up on the quays."
    assert article.raw[deck.start : deck.end] == deck.text  # offsets still point into the file
    assert [p.text for p in article.paragraphs[1:4:2]] == ["ABSTRACT.", "FULL TEXT."]


# An ordinary first paragraph broken over two lines is body text, not a headline and a deck: in a file that
# wraps all its text (second line capitalised by a name), and where the second line goes on in lower case.
WRAPPED_FILE = (
    "A fire at a container terminal halted shipping for six hours on Monday, said\n"
    "Rotterdam's harbour master, Rene de Vries.\n"
    "\n"
    "The blaze started in a stack of containers holding lithium batteries, and the\n"
    "terminal was evacuated within twenty minutes, the port authority said.\n"
)
BROKEN_FIRST_PARAGRAPH = (
    "Officials said the container terminal would reopen on Tuesday morning\n"
    "once inspectors had checked the cranes.\n"
    "\n"
    "The blaze started in a stack of containers holding lithium batteries, and the terminal was evacuated within "
    "twenty minutes, the port authority said.\n"
)


@pytest.mark.parametrize("text", [WRAPPED_FILE, BROKEN_FIRST_PARAGRAPH], ids=["hard-wrapped", "lower-case-line"])
def test_a_first_paragraph_over_two_lines_is_not_a_headline(tmp_path: Path, text: str):
    path = tmp_path / "fire.txt"
    path.write_text(text, encoding="utf-8")
    article = read_one(path)
    first_line = text.split("\n", 1)[0]
    assert article.paragraphs[0].text.startswith(first_line)  # still body text
    assert article.nlp_text == article.raw
    assert article.title != first_line.rstrip(",")


def test_markdown_front_matter_fields():
    article = read_one(FIXTURE_SEEDS / "storm-port.md")
    assert article.title == "Storm closes Baltic ferry routes"
    assert article.date == dt.date(2024, 1, 17)
    assert article.publisher == "Harbour Gazette"
    assert article.url == "https://example.org/news/storm-ferries"
    assert article.tags == ("weather", "shipping")
    # Markup is blanked for NLP without moving offsets.
    gdansk = article.raw.index("Gdansk")
    assert article.nlp_text[gdansk : gdansk + 6] == "Gdansk"
    assert "**" not in article.nlp_text and "](https" not in article.nlp_text


def test_bad_date_is_one_error_naming_the_line_and_others_still_load(tmp_path: Path):
    (tmp_path / "good.txt").write_text(" date 2024-01-02 Fine text here.", encoding="utf-8")
    (tmp_path / "bad.txt").write_text("\n date 2023-02-30 Text.", encoding="utf-8")
    result = read_all(tmp_path, root=tmp_path)
    assert [a.slug for a in result.articles] == ["good"]
    (problem,) = result.diagnostics
    assert problem.path == "bad.txt" and problem.line == 2
    assert "2023-02-30" in str(problem) and problem.severity is Severity.ERROR


def test_duplicate_slugs_and_bad_front_matter_are_reported(tmp_path: Path):
    (tmp_path / "Same Name.txt").write_text("Text one.", encoding="utf-8")
    (tmp_path / "same-name.md").write_text("Text two.", encoding="utf-8")
    (tmp_path / "broken.md").write_text("---\ntitle: \"unclosed\n---\nBody", encoding="utf-8")
    result = read_all(tmp_path, root=tmp_path)
    messages = [str(d) for d in result.diagnostics]
    assert len(result.articles) == 1
    assert any("same-name.md" in m and "slug 'same-name' already used by Same Name.txt" in m for m in messages)
    assert any(m.startswith("broken.md:2:") and "quote" in m for m in messages)


def test_non_utf8_is_decoded_with_a_warning(tmp_path: Path):
    (tmp_path / "latin.txt").write_bytes(" date 2024-01-02 Caf\xe9 owners said \x93no\x94.".encode("latin-1"))
    result = read_all(tmp_path, root=tmp_path)
    assert result.articles[0].raw.endswith("Café owners said “no”.")
    assert result.diagnostics[0].severity is Severity.WARNING and "cp1252" in result.diagnostics[0].message


def test_paragraphs_split_on_blank_lines_with_offsets():
    text = "One line.\nstill one.\n\n  Two.\n \nThree."
    paragraphs = split_paragraphs(text)
    assert [p.text for p in paragraphs] == ["One line. still one.", "Two.", "Three."]
    assert all(text[p.start : p.end].split() == p.text.split() for p in paragraphs)


def test_derived_title_cuts_long_sentences_cleanly():
    title = derive_title(
        "Officials in three provinces said on Monday that they had ordered the evacuation of several villages "
        "along the river after days of rain, and that more could follow."
    )
    assert len(title) <= 121 and not title.endswith((" the…", " of…", " a…"))


def test_flow_lists_keep_apostrophes_quoted_commas_and_flatten_nesting():
    from briefgen.sources import parse_front_matter

    warnings: list[str] = []
    values = parse_front_matter("tags: [it's, \"a, b\", [c, 'd''e']]\nkeywords: [ x , y ]", warnings=warnings)
    assert values == {"tags": ["it's", "a, b", "c", "d'e"], "keywords": ["x", "y"]}
    assert warnings == ["front matter line 2: nested list in 'tags' flattened"]


BBC = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "bbc" / "articles"


@pytest.mark.skipif(not BBC.is_dir(), reason="../shared/data/bbc is not here")
def test_a_folder_of_section_folders_reads_every_article_of_the_bbc_set():
    """BBC's five sections each number their files 001.txt...: every one of them is a briefing."""
    files = sorted(BBC.rglob("*.txt"))
    result = read_all(BBC, root=BBC)
    assert [d for d in result.diagnostics if d.severity is Severity.ERROR] == []
    assert len(result.articles) == len(files) > 1000
    assert len({a.slug for a in result.articles}) == len(files)
    assert {a.slug.split("-")[0] for a in result.articles} == {p.name for p in BBC.iterdir()}
