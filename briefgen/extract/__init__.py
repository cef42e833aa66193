"""The NLP stage: the only package that touches spaCy objects. Returns plain model records."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from briefgen.extract.actors import extract_actors, infer_genders, rank_actors, to_actor
from briefgen.extract.context import find_context
from briefgen.extract.quotes import extract_quotes, find_quote_spans, normalise_marks
from briefgen.extract.summary import make_sentences, summarise
from briefgen.model import Article, Extraction

log = logging.getLogger(__name__)

MAX_NLP_CHARS = 100_000
"""Longer articles are analysed up to here (with a warning). About 15,000 words, several times a long
feature; spaCy needs ~5 s and ~600 MB for this much (measured), and both grow with document length."""


def prepare(article: Article) -> tuple[str, list[Any]]:
    """The text spaCy sees (quote marks paired, same length as the source) and the quote spans."""
    spans = find_quote_spans(article.nlp_text, article.paragraphs)
    return normalise_marks(article.nlp_text, spans), spans


def extract_doc(doc: Any, article: Article, spans: list[Any], *, summary_sentences: int = 3) -> Extraction:
    """One parsed article -> its Extraction. Pure and deterministic."""
    starts = [p.start for p in article.paragraphs]

    def paragraph_of(offset: int) -> int:
        return max(bisect.bisect_right(starts, offset) - 1, 0)

    length = len(doc.text)  # Doc.text is rebuilt from the tokens on every access: read it once
    spans = [s for s in spans if s.end <= length]
    table = extract_actors(doc)
    infer_genders(doc, table, [(s.start, s.end) for s in spans])
    quotes = extract_quotes(doc, article.raw, spans, table, article.paragraphs)
    sentences = make_sentences(doc, spans, paragraph_of)
    summary = summarise(sentences, summary_sentences)
    context = find_context(sentences, summary)
    ranked = rank_actors(table, length)
    return Extraction(
        summary=tuple(s.text for s in summary),
        actors=tuple(to_actor(a) for a in ranked),
        quotes=tuple(quotes),
        context=tuple(context),
    )


def extract_all(
    articles: Sequence[Article],
    nlp: Any,
    *,
    n_process: int = 1,
    batch_size: int = 16,
    summary_sentences: int = 3,
    on_done: Callable[[Article, Extraction | Exception], None],
) -> None:
    """Run one ``nlp.pipe`` stream over ``articles`` and report each result (or its error) in order.

    An exception while analysing one article is passed to ``on_done`` for that article; the stream goes on.
    """
    prepared = [prepare(a) for a in articles]

    def texts() -> Iterator[tuple[str, int]]:
        for index, (text, _) in enumerate(prepared):
            yield text[:MAX_NLP_CHARS], index

    processes = max(1, min(n_process, len(articles)))
    stream = nlp.pipe(texts(), as_tuples=True, batch_size=batch_size, n_process=processes)
    for doc, index in stream:
        article = articles[index]
        try:
            result: Extraction | Exception = extract_doc(
                doc, article, prepared[index][1], summary_sentences=summary_sentences
            )
        except Exception as exc:  # one article's failure never stops the stream
            log.debug("extraction failed for %s", article.source, exc_info=True)
            result = exc
        on_done(article, result)
