"""TextRank sentence centrality on plain word bags: shared by each briefing's summary (extract/summary.py)
and an incident's merged summary (incidents.py), which must not import the extraction package."""

from __future__ import annotations

import math
from collections.abc import Sequence

LENGTH_POWER = 0.5
"""Longer sentences carry more of the story: centrality is scaled by words ** this."""
_ITERATIONS = 30
_DAMPING = 0.85


def textrank(lemmas: Sequence[Sequence[str]]) -> list[float]:
    """TextRank over each sentence's content lemmas: PageRank on the graph of sentences sharing lemmas, each
    edge weighted by the overlap over the log of both lengths (Mihalcea & Tarau 2004)."""
    bags = [set(s) for s in lemmas]
    sizes = [len(s) for s in lemmas]
    edges: list[list[tuple[int, float]]] = [[] for _ in lemmas]
    for i in range(len(lemmas)):
        if sizes[i] < 2:
            continue
        for j in range(i + 1, len(lemmas)):
            if sizes[j] < 2:
                continue
            common = len(bags[i] & bags[j])
            if common:
                w = common / (math.log(sizes[i]) + math.log(sizes[j]))
                edges[i].append((j, w))
                edges[j].append((i, w))
    out = [sum(w for _, w in e) for e in edges]
    score = [1.0] * len(lemmas)
    for _ in range(_ITERATIONS):
        score = [
            (1 - _DAMPING) + _DAMPING * sum(w / out[j] * score[j] for j, w in edges[i])
            for i in range(len(lemmas))
        ]
    return score
