"""Sentences of one Doc -> a short lead-aware extractive summary, in reading order."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from briefgen.extract.quotes import QuoteSpan


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    start: int
    end: int
    paragraph: int
    words: int
    lemmas: tuple[str, ...]
    """Content lemmas (nouns, verbs, adjectives, names), lowercased."""
    entities: int
    quoted: float
    """Share of the sentence's characters inside quotation marks."""


_CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}


def make_sentences(doc: Any, spans: list[QuoteSpan], paragraph_of: Any) -> list[Sentence]:
    """Plain sentence records (no spaCy objects) for the summary and context stages."""
    full_text = doc.text  # Doc.text joins every token on each access: read it once, not per sentence
    quoted_chars = bytearray(len(full_text))
    for span in spans:
        quoted_chars[span.start : span.end] = b"\x01" * (span.end - span.start)
    sentences = []
    for sent in doc.sents:
        tokens = [t for t in sent if not t.is_space]
        if not tokens:
            continue
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        words = sum(1 for t in tokens if not t.is_punct)
        lemmas = tuple(t.lemma_.lower() for t in tokens if t.pos_ in _CONTENT_POS and not t.is_stop)
        entities = sum(1 for e in sent.ents if e.label_ in {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
        quoted = sum(quoted_chars[start:end]) / max(end - start, 1)
        text = " ".join(full_text[start:end].split())
        sentences.append(Sentence(text, start, end, paragraph_of(start), words, lemmas, entities, quoted))
    return sentences


def _eligible(s: Sentence) -> bool:
    return s.words >= 6 and s.quoted < 0.5 and not s.text.endswith("?")


def summarise(sentences: list[Sentence], count: int) -> list[Sentence]:
    """Pick ``count`` sentences: lead position, centrality and named actors, without quotes.

    News puts the event first, so position dominates; centrality keeps the summary on the article's
    main thread when the lead is a feature-style opening.
    """
    pool = [s for s in sentences if _eligible(s)] or sentences
    if len(pool) <= count:
        return sorted(pool, key=lambda s: s.start)
    document = Counter(lemma for s in pool for lemma in s.lemmas)
    norm_doc = math.sqrt(sum(v * v for v in document.values())) or 1.0

    def centrality(s: Sentence) -> float:
        bag = Counter(s.lemmas)
        dot = sum(v * document[k] for k, v in bag.items())
        norm = math.sqrt(sum(v * v for v in bag.values())) or 1.0
        return dot / (norm * norm_doc)

    central = [centrality(s) for s in pool]
    top = max(central) or 1.0
    scored = []
    for rank, (s, c) in enumerate(zip(pool, central)):
        lead = 1.0 / (1.0 + 0.35 * rank)
        actors = min(s.entities, 3) / 3
        scored.append((0.5 * lead + 0.35 * (c / top) + 0.15 * actors, -s.start, s))
    chosen = sorted(scored, reverse=True)[:count]
    return sorted((s for _, _, s in chosen), key=lambda s: s.start)
