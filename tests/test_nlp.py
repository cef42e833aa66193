"""The spaCy pipeline: the dependency parser reads only the paragraphs around quotes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from briefgen.build import BuildResult, extract_briefings
from briefgen.config import load_config
from briefgen.extract import prepare
from briefgen.extract.nlp import QUOTE_PARSER_COMPONENT
from briefgen.model import Briefing
from briefgen.sources import read_paths

from conftest import FIXTURE_SEEDS

pytestmark = pytest.mark.nlp

# Two paragraphs of narrative, then the quote, then more narrative: only the quote's paragraph and the one
# before it need the parser.
QUOTED_ARTICLE = """\
Flooding closed the harbour road in Porthaven on Tuesday after two days of heavy rain across the county.

Crews worked through the night to clear the drains, and the council opened a rest centre at the school.

Mayor Elena Marsh visited the rest centre in the morning.

“We will reopen the road as soon as the water goes down,” Marsh said.

Forecasters expect drier weather by the end of the week, and the ferry service resumed in the afternoon.
"""


class ParserSpy:
    """Stands in for the parser inside the pipeline, recording the text of every Doc it is given."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        self.texts: list[str] = []

    def pipe(self, docs: Any, **kwargs: Any) -> Any:
        def record(doc: Any) -> Any:
            self.texts.append(doc.text)
            return doc

        return self.parser.pipe((record(doc) for doc in docs), **kwargs)


@pytest.fixture()
def parser_spy(nlp_provider, monkeypatch: pytest.MonkeyPatch) -> ParserSpy:
    component = nlp_provider.get().get_pipe(QUOTE_PARSER_COMPONENT)
    spy = ParserSpy(component.parser)
    monkeypatch.setattr(component, "parser", spy)
    return spy


def extract(path: Path, nlp_provider, tmp_path: Path) -> Briefing:
    config = load_config(root=tmp_path, n_process=1)
    (briefing,) = extract_briefings(read_paths([path]).articles, config, nlp_provider, BuildResult())
    return briefing


def test_a_quote_keeps_its_speaker_when_only_its_region_is_parsed(parser_spy, nlp_provider, tmp_path: Path):
    path = tmp_path / "flood.txt"
    path.write_text(QUOTED_ARTICLE, encoding="utf-8")
    briefing = extract(path, nlp_provider, tmp_path)
    assert [(q.text, q.speaker) for q in briefing.quotes] == [
        ("We will reopen the road as soon as the water goes down", "Elena Marsh")]
    parsed = "".join(parser_spy.texts)
    assert "We will reopen the road" in parsed and "Mayor Elena Marsh visited" in parsed
    assert "Flooding closed" not in parsed and "Forecasters expect" not in parsed
    assert briefing.summary  # the unparsed paragraphs still have sentences


def test_an_article_without_quotes_is_extracted_without_the_parser(parser_spy, nlp_provider, tmp_path: Path):
    briefing = extract(FIXTURE_SEEDS / "no-quotes.txt", nlp_provider, tmp_path)
    assert parser_spy.texts == []
    assert briefing.quotes == ()
    assert len(briefing.summary) == 3
    assert {"Austria", "Italy"} <= {a.name for a in briefing.actors}


def test_unparsed_sentences_survive_doc_serialisation(nlp_provider, tmp_path: Path):
    """spaCy re-derives sentences from the parse when a Doc is read back (the multi-process pipe, the
    benchmarks' cache): the unparsed paragraphs' sentences must come back as they were."""
    from spacy.tokens import Doc

    path = tmp_path / "flood.txt"
    path.write_text(QUOTED_ARTICLE, encoding="utf-8")
    nlp = nlp_provider.get()
    doc = nlp(prepare(read_paths([path]).articles[0])[0])
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert [s.text for s in again.sents] == [s.text for s in doc.sents]
    assert any(s.text.startswith("Forecasters expect") for s in doc.sents)


def test_the_indexed_attribute_rules_give_the_stock_component_s_result(nlp_provider):
    """POS, morphology and lemmas as the model's own attribute_ruler sets them, on parsed and unparsed text."""
    from spacy.tokens import Doc

    from briefgen.extract.nlp import ATTRIBUTE_RULES_COMPONENT

    nlp = nlp_provider.get()
    names = nlp.pipe_names
    texts = [prepare(a)[0] for a in read_paths(sorted(FIXTURE_SEEDS.iterdir())).articles]
    with nlp.select_pipes(enable=names[: names.index(ATTRIBUTE_RULES_COMPONENT)]):
        docs = list(nlp.pipe([*texts, QUOTED_ARTICLE, "Ain't gonna happen, y'all. There is a dog. Let's go."]))
    columns = ["TAG", "POS", "MORPH", "LEMMA", "DEP"]
    for doc in docs:
        stock = nlp.get_pipe("attribute_ruler")(Doc(nlp.vocab).from_bytes(doc.to_bytes()))
        indexed = nlp.get_pipe(ATTRIBUTE_RULES_COMPONENT)(Doc(nlp.vocab).from_bytes(doc.to_bytes()))
        assert (indexed.to_array(columns) == stock.to_array(columns)).all()
        assert [str(t.morph) for t in indexed] == [str(t.morph) for t in stock]
