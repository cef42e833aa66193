"""The NLP stage: the only package that touches spaCy objects. Returns plain model records."""

from __future__ import annotations

import bisect
import itertools
import logging
import multiprocessing as mp
import queue
import re
import signal
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
MAX_NLP_TOKENS = 25_000
"""spaCy's time and memory follow tokens, not characters: 100,000 characters of one-letter words are
50,000 tokens (16 such articles took 6.3 GB), while prose has about 21,000 in that many characters."""
_TOKEN = re.compile(r"\w+|[^\w\s]")
"""Roughly what spaCy's tokenizer splits: words and single punctuation marks."""


def analysed_length(text: str) -> int:
    """How much of ``text`` spaCy reads: at most MAX_NLP_CHARS characters and MAX_NLP_TOKENS tokens,
    cut before the first token past the bound."""
    limit = min(len(text), MAX_NLP_CHARS)
    past = next(itertools.islice(_TOKEN.finditer(text, 0, limit), MAX_NLP_TOKENS, None), None)
    return past.start() if past is not None else limit


def prepare(article: Article) -> tuple[str, list[Any]]:
    """The text spaCy sees (quote marks paired, same length as the source) and the quote spans."""
    text = article.nlp_text  # derived from the source on each access: once here
    spans = find_quote_spans(text, article.paragraphs)
    return normalise_marks(text, spans), spans


def extract_doc(doc: Any, article: Article, spans: list[Any], *, summary_sentences: int = 3) -> Extraction:
    """One parsed article -> its Extraction. Pure and deterministic."""
    paragraphs = article.paragraphs  # derived on each access: once here
    starts = [p.start for p in paragraphs]

    def paragraph_of(offset: int) -> int:
        return max(bisect.bisect_right(starts, offset) - 1, 0)

    length = len(doc.text)  # Doc.text is rebuilt from the tokens on every access: read it once
    spans = [s for s in spans if s.end <= length]
    table = extract_actors(doc)
    infer_genders(doc, table, [(s.start, s.end) for s in spans])
    quotes = extract_quotes(doc, article.raw, spans, table, paragraphs)
    sentences = make_sentences(doc, spans, paragraph_of)
    summary = summarise(sentences, summary_sentences, article.title)
    context = find_context(sentences, summary)
    ranked = rank_actors(table, length)
    return Extraction(
        summary=tuple(s.text for s in summary),
        actors=tuple(to_actor(a) for a in ranked),
        quotes=tuple(quotes),
        context=tuple(context),
    )


class ArticleFailed(Exception):
    """One article could not be analysed; the message says why (raised in a worker, reported in the parent)."""


def _extract_one(doc: Any, article: Article, spans: list[Any], summary_sentences: int) -> Extraction | Exception:
    try:
        return extract_doc(doc, article, spans, summary_sentences=summary_sentences)
    except Exception as exc:  # one article's failure never stops the stream
        log.debug("extraction failed for %s", article.source, exc_info=True)
        return ArticleFailed(f"{type(exc).__name__}: {exc}")


def _extract_chunk(
    nlp: Any, articles: Sequence[Article], indices: Sequence[int], batch_size: int, summary_sentences: int
) -> Iterator[tuple[int, Extraction | Exception]]:
    """Parse and extract ``articles[i] for i in indices`` in this process, yielding plain records."""
    prepared = {i: prepare(articles[i]) for i in indices}
    texts = ((prepared[i][0][:analysed_length(prepared[i][0])], i) for i in indices)
    try:
        for doc, i in nlp.pipe(texts, as_tuples=True, batch_size=batch_size):
            yield i, _extract_one(doc, articles[i], prepared[i][1], summary_sentences)
    except Exception:
        # spaCy failed on one document of the batch: redo the rest one by one so only the bad one fails.
        log.debug("batch failed; retrying one article at a time", exc_info=True)
        for i in indices:
            try:
                doc = nlp(prepared[i][0][:analysed_length(prepared[i][0])])
            except Exception as exc:
                yield i, ArticleFailed(f"{type(exc).__name__}: {exc}")
            else:
                yield i, _extract_one(doc, articles[i], prepared[i][1], summary_sentences)


def _worker(
    nlp: Any, articles: Sequence[Article], chunks: list[list[int]], tasks: Any, results: Any,
    batch_size: int, summary_sentences: int,
) -> None:
    """A forked worker: takes chunk numbers, returns (index, Extraction | error) lists. Never a Doc."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the workers
    while (number := tasks.get()) is not None:
        results.put(list(_extract_chunk(nlp, articles, chunks[number], batch_size, summary_sentences)))


def extract_all(
    articles: Sequence[Article],
    nlp: Any,
    *,
    n_process: int = 1,
    batch_size: int = 16,
    summary_sentences: int = 3,
    on_done: Callable[[Article, Extraction | Exception], None],
) -> None:
    """Parse and extract every article, reporting each result (or its error) as it arrives.

    With ``n_process`` > 1 the work runs in forked worker processes that share the loaded pipeline and
    send back plain ``Extraction`` records: unlike ``nlp.pipe(n_process=...)`` no Doc is serialised back,
    and the extraction heuristics run in parallel with parsing instead of on the parent's one core.
    An exception while analysing one article is passed to ``on_done`` for that article; the rest go on.
    """
    processes = max(1, min(n_process, len(articles)))
    if processes == 1 or "fork" not in mp.get_all_start_methods():
        for i, outcome in _extract_chunk(nlp, articles, range(len(articles)), batch_size, summary_sentences):
            on_done(articles[i], outcome)
        return
    # Chunks of one batch each: workers pull the next one when free, so uneven articles balance out.
    chunks = [list(range(i, min(i + batch_size, len(articles)))) for i in range(0, len(articles), batch_size)]
    ctx = mp.get_context("fork")
    tasks = ctx.SimpleQueue()
    results = ctx.Queue()
    for number in range(len(chunks)):
        tasks.put(number)
    for _ in range(processes):
        tasks.put(None)
    # With fork the children inherit nlp and the articles; only chunk numbers and records cross processes.
    workers = [
        ctx.Process(target=_worker, args=(nlp, articles, chunks, tasks, results, batch_size, summary_sentences),
                    daemon=True)
        for _ in range(processes)
    ]
    for w in workers:
        w.start()
    pending = set(range(len(articles)))
    try:
        while pending:
            try:
                batch = results.get(timeout=1.0)
            except queue.Empty:
                if any(w.is_alive() for w in workers):
                    continue
                try:  # every worker has exited: take anything still in flight, then give up on the rest
                    batch = results.get(timeout=1.0)
                except queue.Empty:
                    break
            for i, outcome in batch:
                pending.discard(i)
                on_done(articles[i], outcome)
    finally:
        for w in workers:
            if w.is_alive() and pending:
                w.terminate()
            w.join()
    for i in sorted(pending):  # a worker was killed (e.g. out of memory) while holding these
        on_done(articles[i], ArticleFailed("the extraction worker process died"))
