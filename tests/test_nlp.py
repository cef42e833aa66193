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

from conftest import FIXTURE_SEEDS, SHARED_DATA

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


def _polnear_texts(count: int) -> list[str]:
    folder = SHARED_DATA / "polnear" / "text"
    paths = sorted(folder.glob("*.txt"))[::40][:count] if folder.is_dir() else []
    return [path.read_text(encoding="utf-8") for path in paths]


def test_the_sentence_decoder_and_cached_lemmas_give_the_stock_components_results(nlp_provider):
    """Entities and lemmas as the model's own ner and lemmatizer set them: whole articles (real ones when
    the shared corpus is there), an entity that ends a sentence or the text, spaces between paragraphs, an
    empty text, and a Doc with an entity set beforehand (which the stock component must keep)."""
    from spacy.tokens import Doc, Span

    from briefgen.extract.nlp import ENTITY_COMPONENT, LEMMA_COMPONENT

    nlp = nlp_provider.get()
    names = nlp.pipe_names
    texts = [prepare(a)[0] for a in read_paths(sorted(FIXTURE_SEEDS.iterdir())).articles] + _polnear_texts(12)
    edges = ["Talks resumed in Geneva.  Officials from Iran and the United States met\n\nin Vienna", "",
             "\n\n  New York Mayor Eric Adams spoke on Monday in Brooklyn, New York."]
    with nlp.select_pipes(enable=names[: names.index(LEMMA_COMPONENT)]):
        docs = list(nlp.pipe([*texts, QUOTED_ARTICLE, *edges]))
    preset = Doc(nlp.vocab).from_bytes(docs[-1].to_bytes())
    preset.set_ents([Span(preset, 3, 5, label="ORG")], default="missing")
    docs.append(preset)
    columns = ["LEMMA", "ENT_IOB", "ENT_TYPE"]
    copies = [Doc(nlp.vocab).from_bytes(doc.to_bytes()) for doc in docs]
    stock = [nlp.get_pipe("ner")(nlp.get_pipe("lemmatizer")(doc)) for doc in docs]
    ours = list(nlp.get_pipe(ENTITY_COMPONENT).pipe(nlp.get_pipe(LEMMA_COMPONENT)(doc) for doc in copies))
    assert sum(len(doc.ents) for doc in ours) > 20
    for a, b in zip(ours, stock):
        assert (a.to_array(columns) == b.to_array(columns)).all(), a.text[:60]
        assert [(e.start, e.end, e.label_) for e in a.ents] == [(e.start, e.end, e.label_) for e in b.ents]
    assert any(e.text == "Mayor Eric Adams" or e.text == "Eric Adams" for e in ours[-2].ents)
    assert (ours[-1][3:5].text, ours[-1][3].ent_type_) == (preset[3:5].text, "ORG")


def test_the_distinct_token_tok2vec_gives_the_stock_component_s_vectors(nlp_provider):
    """The tensor the tagger and the parser read, bit for bit as the model's own tok2vec computes it, over
    batches of whole articles with many repeated words, a one-word text and an empty one."""
    from briefgen.extract.nlp import TOK2VEC_COMPONENT

    nlp = nlp_provider.get()
    texts = [prepare(a)[0] for a in read_paths(sorted(FIXTURE_SEEDS.iterdir())).articles] + _polnear_texts(12)
    texts += [QUOTED_ARTICLE, "Geneva", "", "\n\n  Officials met.  Officials met again."]
    ours = list(nlp.get_pipe(TOK2VEC_COMPONENT).pipe(nlp.make_doc(t) for t in texts))
    stock = list(nlp.get_pipe("tok2vec").pipe(nlp.make_doc(t) for t in texts))
    for a, b in zip(ours, stock):
        assert a.tensor.shape == b.tensor.shape == (len(a), 96)
        assert (a.tensor == b.tensor).all(), a.text[:60]


def test_the_paragraph_decoder_gives_the_stock_parser_s_heads_and_labels(nlp_provider):
    """Heads, labels and sentence starts as the model's own parser sets them, on the regions the pipeline
    parses (real articles when the shared corpus is there) and on whole texts: paragraphs that open with a
    word the parser makes a sentence of its own (the paragraph before marks the next word a sentence start,
    which the next paragraph must see), a one-word text and an empty one."""
    from spacy.tokens import Doc

    from briefgen.extract.nlp import ParagraphArcEagerParser, _region_doc, quote_regions

    nlp = nlp_provider.get()
    names = nlp.pipe_names
    texts = [prepare(a)[0] for a in read_paths(sorted(FIXTURE_SEEDS.iterdir())).articles] + _polnear_texts(12)
    lists = ["Officials met in Vienna.\n\n• Talks resumed on Monday.\n\n— He said “no” to the deal.\n\n"
             "1. The first point.\n\n* Yes. We agree.",
             "Talks.\n\n(AP) — The council met.\n\nOK. Fine.\n\n“ Never,” she said.\n\nHi! Hello there."]
    with nlp.select_pipes(enable=names[: names.index(QUOTE_PARSER_COMPONENT)]):
        docs = list(nlp.pipe([*texts, QUOTED_ARTICLE, *lists, "Geneva", ""]))
    regions = [_region_doc(doc, start, end) for doc in docs for start, end in quote_regions(doc)]
    regions += [_region_doc(doc, 0, len(doc)) for doc in docs[-4:]]
    copies = [Doc(nlp.vocab).from_bytes(region.to_bytes()) for region in regions]
    for copy, region in zip(copies, regions):
        copy.tensor = region.tensor
    stock = list(nlp.get_pipe("parser").pipe(regions))
    ours = list(ParagraphArcEagerParser(nlp.get_pipe("parser")).pipe(copies))
    assert sum(len(doc) for doc in ours) > 2000
    columns = ["HEAD", "DEP", "SENT_START"]
    for a, b in zip(ours, stock):
        assert (a.to_array(columns) == b.to_array(columns)).all(), a.text[:60]
    assert "•" in [s.text for s in ours[-4].sents]
    assert [t.dep_ for t in ours[-2]] == ["ROOT"]
