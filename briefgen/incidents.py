"""Briefings (after entity resolution) -> incidents: the articles that report one real-world event.

A corpus stage beside the site graph: it reads each briefing's words, its resolved actors and its date, never
spaCy. Two articles are alike by the cosine of their vectors: TF-IDF of their words, of their lead's words,
of their actors' page slugs and of their numbers (see WEIGHTS). Dated articles more than ``WINDOW_DAYS``
apart are never alike; undated ones go by content alone.

Two passes. First, average-link agglomerative clustering over each article's ``NEIGHBOURS`` most similar
articles: two groups join while the mean similarity over all their pairs is at least ``COARSE`` (a pair not
in the neighbour graph counts 0), which finds groups of one kind of story (earthquakes, an election night).
Then each group is split in two, again and again, while its best normalized cut is below ``SPLIT_NCUT``:
two earthquakes of one week, told apart by their places, names and numbers, are two parts that share
little with each other and much within themselves.

No all-pairs matrix: the neighbour graph comes from a sparse product (only articles sharing a term meet, a
dated one only with those inside its window), a block of rows at a time; a group's own pairs are computed
only for that group. Everything is ordered by briefing slug first, so the result does not depend on the
order articles arrive in. A caller that runs the stage again and again (serve) passes an ``IncidentMemo``:
the next run reuses what has not changed, with the same result.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import math
import re
import struct
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from briefgen.errors import Diagnostic
from briefgen.model import Actor, Article, Briefing, Incident, IncidentQuote, Quote, Site
from briefgen.textrank import LENGTH_POWER, textrank

if TYPE_CHECKING:
    from briefgen.incident_curation import IncidentCuration

COARSE = 0.1
"""Mean cosine over all pairs above which two groups are of one kind of story (the first pass)."""
SPLIT_NCUT = 0.8
"""A group splits in two when its best normalized cut is below this. A group with no inner structure (every
pair alike) cuts at 1.0 (each half sends as much similarity across as it keeps); 0.8 asks that each half
keep clearly more than it shares."""
MIN_SPLIT = 4
"""Groups smaller than this are not split (too few pairs to tell structure from noise)."""
WEIGHTS = (1.0, 0.7, 0.5, 0.3)
"""Weights of an article's parts in its vector, each part unit length first: all its words, its lead's words
(title and first paragraphs: news puts the event first), its actors' page slugs, its numbers (tolls, sums,
magnitudes, years tell two events of a kind apart)."""
LEAD_PARAGRAPHS = 3
WINDOW_DAYS = 7
"""Dated articles further apart than this are never one incident (undated ones rely on content alone)."""
NEIGHBOURS = 30
"""Most similar articles kept per article in the first pass: at most NEIGHBOURS * articles edges."""
RESERVE = 2 * NEIGHBOURS
"""Most similar articles remembered per article for the next run (``IncidentMemo.graph``): after an edit an
unchanged article's neighbours come from these and the changed articles, unless one it had drops out."""
BLOCK = 128
"""Rows of the similarity product computed at a time (BLOCK x articles floats)."""
COMMON_SHARE = 0.2
"""Terms in more than this share of the articles (and at least 20 of them) are left out: they tell nothing
apart and would make every article a candidate of every other."""
DENSE_GROUP = 2000
"""Groups up to this size are split on all their pairs' similarities; larger ones on the first pass's
neighbour graph (memory stays linear)."""

_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?|\d+(?:[.,]\d+)*")
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during
    each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
    herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more
    most mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own same
    shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them
    themselves then there there's these they they'd they'll they're they've this those through to too under
    until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which
    while who who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours
    yourself yourselves said says say told according also just like one two new would could may might must
    mr mrs ms s t""".split()
)


def _terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower().replace("’", "'"))
            if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


def _counted(counts: Counter[str], text: str) -> Counter[str]:
    """``counts`` with the words of ``text`` added, stop words and single letters still in (counting every
    word and leaving some out afterwards is cheaper than looking at every word: same counts, same order)."""
    counts.update(_WORD.findall(text.lower().replace("’", "'")))
    return counts


def _kept(counts: Counter[str], prefix: str = "") -> dict[str, int]:
    """The terms of ``counts`` (as ``_terms`` keeps them), in their order, each with ``prefix``."""
    return {prefix + w: c for w, c in counts.items() if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())}


def _text_features(a: Article) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """The parts of an article's vector its text makes (see WEIGHTS), term -> count in the order terms first
    occur: words, lead (marked "^"), numbers ("#"). The fourth part, actors ("@"), is ``_actor_features``."""
    text = a.nlp_text  # derived on each access: once here
    offsets = memoryview(a.bounds).cast("I")
    lead_end = offsets[min(LEAD_PARAGRAPHS, len(offsets) // 2) * 2 - 1] if len(offsets) else 0
    opening = _counted(_counted(Counter(), a.title), text[:lead_end])  # read once: the lead, then the rest
    words = _kept(_counted(Counter(opening), text[lead_end:]))
    numbers = {"#" + w: c for w, c in words.items() if w[0].isdigit()}
    return words, _kept(opening, "^"), numbers


def _actor_features(actors: Sequence[Actor]) -> dict[str, int]:
    return {"@" + x.slug: x.mentions for x in actors}


_TextKey = bytes
"""A digest of what an article's text parts are made of: its raw text, Markdown or not, title, paragraph
bounds (a digest, not the text itself: the memo is kept apart from the articles, and small)."""
_Part = tuple[np.ndarray, np.ndarray]
"""A part of a vector: term ids (into ``IncidentMemo.vocabulary``) and counts, in the part's order."""


class IncidentMemo:
    """What one run of the incident stage lends the next, for a caller that runs it again and again on a
    corpus that changes a little (``serve``; an incremental build): each article's text parts as term ids
    (reading the words is most of the work), each row's most similar rows, each first-pass group's split,
    each incident's wire copies and record.

    Every entry is a function of its whole key (an article's text; a group's members with their vectors,
    float for float, and dates; an incident's member briefings, wire copies, title and curation), or is
    used only where it must equal what a run without it computes (``_kept_nearest``), so a run with a memo
    gives exactly what a run without one gives. Entries the last run did not use are dropped; the
    vocabulary is renumbered when most of it is no longer used.
    """

    def __init__(self, *, kept: bool = True) -> None:
        self.kept = kept
        """False: no later run will see it (a single run's): what only a later run would read is not stored."""
        self.vocabulary: dict[str, int] = {}
        self.texts: dict[_TextKey, bytes] = {}
        """An article's text key -> its words, lead and numbers parts (``_pack``)."""
        self.records: dict[tuple[str, ...], tuple[tuple[Any, ...], Incident]] = {}
        self.columns = np.zeros(0, np.int32)
        """The last matrix's columns as vocabulary ids (its columns are numbered afresh each run)."""
        self.splits: dict[tuple[str, ...], tuple[bytes, list[list[int]]]] = {}
        """A first-pass group's members -> a digest of its rows (``_row_digests``) and the parts it split
        into (positions in the group)."""
        self.copies: dict[tuple[str, ...], tuple[bytes, dict[str, str]]] = {}
        """An incident's members (oldest first) -> a digest of their rows and their wire copies."""
        self.merges: dict[bytes, list[list[int]]] = {}
        """A component of the neighbour graph's strong edges -> its average-link groups (``average_link``)."""
        self.graph: _Graph | None = None
        """The last neighbour graph, with each row's digest and choice of neighbours."""
        self.read: dict[int, tuple[Any, Any]] = {}
        """id of an article or actors tuple the last run read -> (it, its text key or actor part): records are
        frozen, so a keeper that passes the same objects again (serve) has them not digested and numbered
        again. Never saved."""
        self.fingerprint: Callable[[Briefing], Any] | None = None
        """Stands for a briefing in ``records`` (a digest of all its fields; None: the briefing itself), so a
        memo kept apart from the site holds no second copy of the briefings. Set by its keeper, never saved."""

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("fingerprint", "read")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.fingerprint, self.read = None, {}

    def renumber(self, alive: np.ndarray, number: np.ndarray) -> None:
        """Keep only the terms ``alive`` marks, term i numbered ``number[i]`` (the texts: all in use)."""
        self.vocabulary = {t: int(number[i]) for t, i in self.vocabulary.items() if alive[i]}
        self.texts = {key: _pack(tuple((number[ids], counts) for ids, counts in _unpack(text)))
                      for key, text in self.texts.items()}
        self.columns = number[self.columns]
        self.splits, self.copies, self.graph = {}, {}, None  # their rows name terms by the old numbers
        self.read = {k: v for k, v in self.read.items() if type(v[0]) is not tuple}  # actor parts: old numbers

    def ids(self, part: dict[str, int]) -> _Part:
        """The part's term ids and counts; new terms are numbered as they come."""
        vocabulary = self.vocabulary
        vocabulary.update(zip(list(itertools.filterfalse(vocabulary.__contains__, part)),
                              itertools.count(len(vocabulary))))
        return (np.fromiter(map(vocabulary.__getitem__, part), np.int32, len(part)),
                np.fromiter(part.values(), np.float32, len(part)))


def _actor_parts(unread: list[tuple[int, tuple[Actor, ...]]], memo: IncidentMemo) -> Iterator[tuple[int, Any, _Part]]:
    """``_actor_features`` of each actors tuple as term ids and counts, new terms numbered in the order
    ``memo.ids`` would number them one tuple after another; one lookup for all (a part each is slow)."""
    slugs = ["@" + x.slug for _, actors in unread for x in actors]
    vocabulary = memo.vocabulary
    found = list(map(vocabulary.get, slugs))
    for k in [k for k, i in enumerate(found) if i is None]:
        found[k] = vocabulary.setdefault(slugs[k], len(vocabulary))
    term = np.array(found, np.int32)
    count = np.array([x.mentions for _, actors in unread for x in actors], np.float32)
    lengths = np.fromiter((len(actors) for _, actors in unread), np.int64, len(unread))
    ends = np.cumsum(lengths)
    # A tuple naming one slug twice is a dict's (first place, last count): made one at a time.
    segment = np.repeat(np.arange(len(unread)), lengths)
    order = np.lexsort((term, segment))
    twice = set(segment[order[1:]][(term[order[1:]] == term[order[:-1]]) &
                                   (segment[order[1:]] == segment[order[:-1]])].tolist())
    for k, (at, actors) in enumerate(unread):
        if k in twice:
            yield at, actors, memo.ids(_actor_features(actors))
        else:
            yield at, actors, (term[ends[k] - lengths[k]:ends[k]], count[ends[k] - lengths[k]:ends[k]])


def _pack(parts: Sequence[_Part]) -> bytes:
    """Parts as one string of bytes (a state holds one for each article: loaded faster than arrays): their
    lengths, then all ids, then all counts (int32 and float32, little-endian)."""
    return b"".join([np.array([len(i) for i, _ in parts], "<i4").tobytes(),
                     *(i.astype("<i4").tobytes() for i, _ in parts), *(c.astype("<f4").tobytes() for _, c in parts)])


def _packed(text: bytes) -> tuple[list[int], np.ndarray, np.ndarray]:
    """``_pack``'s string read back: the parts' lengths, all their ids, all their counts (views, no copies)."""
    packed = np.frombuffer(text, "<i4")
    sizes = packed[:3].tolist()
    total = sum(sizes)
    return sizes, packed[3:3 + total], packed[3 + total:].view("<f4")


def _unpack(text: Any) -> list[_Part]:
    """``_pack``'s parts again (parts kept apart by an older version: as they are)."""
    if type(text) is not bytes:
        return list(text)
    sizes, ids, counts = _packed(text)
    ends = np.cumsum(sizes).tolist()
    return [(ids[a:b], counts[a:b]) for a, b in zip([0, *ends[:-1]], ends)]


def _text_key(a: Article) -> _TextKey:
    h = hashlib.blake2b(digest_size=16)
    for part in (a.raw, "1" if a.markdown else "0", a.title):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    h.update(a.bounds)
    return h.digest()


def _matrix(briefings: Sequence[Briefing], memo: IncidentMemo) -> Any:
    """Rows: each briefing's unit vector, its parts (sublinear TF-IDF, each unit length) weighted by WEIGHTS.

    Terms become ids as each article is read, so only compact arrays outlive it (Counters for 20,000
    articles were hundreds of MB); the weighting is vectorised over all of them at once. Columns are
    numbered in the order terms first occur (briefings in slug order, then words, lead, numbers, actors: the
    order an empty memo numbers them in): each row's sums run in that order, so the same briefings give the
    same floats whatever the memo's vocabulary numbers.
    """
    from scipy import sparse

    n = len(briefings)
    texts: dict[_TextKey, bytes] = {}
    ids: list[np.ndarray] = []  # per briefing its text parts' ids (one array), then its actors'
    counts: list[np.ndarray] = []
    sizes: list[int] = []  # each part's length
    last, read = memo.read, {}
    unread: list[tuple[int, tuple[Actor, ...]]] = []  # (place in ids, actors) numbered below, all at once

    def known(obj: Any, make: Callable[[Any], Any]) -> Any:
        found = last.get(id(obj))
        value = found[1] if found is not None and found[0] is obj else make(obj)
        read[id(obj)] = obj, value
        return value

    no_part = np.zeros(0, np.int32), np.zeros(0, np.float32)
    for b in briefings:
        key = known(b.article, _text_key)
        text: Any = texts.get(key) or memo.texts.get(key)
        if type(text) is not bytes:  # not read yet (or kept by a version that kept each part apart)
            if text is None:
                words, lead, numbers = _text_features(b.article)
                text = memo.ids(words), memo.ids(lead), memo.ids(numbers)
            text = _pack(text)
        texts[key] = text
        text_sizes, text_ids, text_counts = _packed(text)
        sizes.extend(text_sizes)
        ids.append(text_ids)
        counts.append(text_counts)
        found = last.get(id(b.actors))
        if found is not None and found[0] is b.actors:
            actors = found[1]
            read[id(b.actors)] = found
        else:
            actors = no_part
            unread.append((len(ids), b.actors))
        ids.append(actors[0])
        counts.append(actors[1])
        sizes.append(len(actors[0]))
    for at, actors, part in _actor_parts(unread, memo):
        ids[at], counts[at] = part
        sizes[2 * at + 1] = len(part[0])
        read[id(actors)] = actors, part
    if memo.kept:
        memo.texts, memo.read = texts, read
    # Memo ids -> columns numbered by first occurrence (a position is unique, so the order is total).
    seen = np.concatenate(ids) if ids else np.zeros(0, np.int32)
    first = np.full(len(memo.vocabulary), len(seen), np.int64)
    np.minimum.at(first, seen, np.arange(len(seen)))
    used = np.flatnonzero(first < len(seen))
    used = used[np.argsort(first[used])]
    number = np.zeros(len(memo.vocabulary), np.int32)
    number[used] = np.arange(len(used), dtype=np.int32)
    memo.columns = used.astype(np.int32)
    if len(memo.vocabulary) > 2 * len(used) + 10_000:  # mostly terms of articles long gone
        memo.renumber(first < len(seen), number)
    vocabulary_size = len(memo.columns)
    parts = len(WEIGHTS)
    lengths = np.array(sizes, np.int64)
    column = number[seen]
    count = np.concatenate(counts) if counts else np.zeros(0, np.float32)
    del ids, counts, seen
    df = np.bincount(column, minlength=vocabulary_size)  # a term is once per part of an article
    idf = np.log((n + 1) / (df + 0.5)).astype(np.float32)
    idf[df > max(20, int(COMMON_SHARE * n))] = 0.0
    value = (1 + np.log(count)) * idf[column]
    del count
    segment = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    norm = np.sqrt(np.bincount(segment, weights=value * value, minlength=len(lengths)))
    norm[norm == 0] = 1.0
    weight = np.tile(np.array([WEIGHTS[0], WEIGHTS[1], WEIGHTS[3], WEIGHTS[2]], np.float64), n)  # parts as read
    value *= (weight / norm).astype(np.float32)[segment]
    keep = value > 0
    rows = (segment // parts)[keep]
    matrix = sparse.csr_matrix((value[keep], (rows, column[keep])), shape=(n, max(1, vocabulary_size)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags((1.0 / norms).astype(np.float32)) @ matrix  # unit rows: the product is a cosine


def _far_apart(ordinals: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Pairs of dated articles more than WINDOW_DAYS apart (ordinal -1: undated)."""
    a, b = ordinals[rows][:, None], ordinals[columns][None, :]
    far: np.ndarray = (np.abs(a - b) > WINDOW_DAYS) & (a >= 0) & (b >= 0)
    return far


Edges = tuple[np.ndarray, np.ndarray, np.ndarray]
"""A similarity graph: arrays i, j (i < j, each pair once) and the pair's cosine."""


@dataclass
class _Nearest:
    """Each of some rows' most similar rows, best first: the first ``_keep`` are its neighbours as
    ``_block_neighbours`` chooses them, the rest (up to RESERVE) what a later run may need (``_kept_nearest``)."""

    near: np.ndarray
    """(rows, reserve) positions of the most similar rows (positive cosine), -1 past the last."""
    value: np.ndarray
    """(rows, reserve) their cosines as the row's own sum gives them (float32), 0 past the last."""
    left_out: np.ndarray
    """(rows,) at least the largest cosine of a row not among them (0: every positive one is there)."""
    tied: np.ndarray
    """(rows,) the neighbours were chosen among equal cosines by the whole row (see ``_row_choice``)."""


class _Graph:
    """The neighbour graph of one run, for the next: which rows it was made of and each row's choice.

    Saved with the engine's state as a few arrays (its edges are made again from ``nearest`` when first
    asked for: cheaper than loading them)."""

    def __init__(self, slugs: bytes, rows: np.ndarray, ordinals: np.ndarray, nearest: _Nearest,
                 edges: Edges | None = None) -> None:
        self.slugs = slugs
        """A digest of the rows' briefing slugs, in their order (``_slugs_digest``)."""
        self.rows = rows
        """(rows, 16) each row's digest (``_row_digests``)."""
        self.ordinals = ordinals
        """Each row's date (-1: undated)."""
        self.nearest = nearest
        self._edges = edges

    @property
    def edges(self) -> Edges:
        if self._edges is None:
            self._edges = _edges(self.nearest)
        return self._edges

    def __getstate__(self) -> dict[str, Any]:
        return {"slugs": self.slugs, "rows": self.rows, "ordinals": self.ordinals, "nearest": self.nearest}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._edges = None


def _slugs_digest(slugs: Sequence[str]) -> bytes:
    return hashlib.blake2b("\0".join(slugs).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _neighbour_graph(matrix: Any, ordinals: np.ndarray) -> Edges:
    """Each article's NEIGHBOURS most similar articles (positive cosine, inside the date window)."""
    if matrix.shape[0] < 2:
        return _no_edges()
    return _edges(_nearest(matrix, ordinals, np.arange(matrix.shape[0])))


def _no_edges() -> Edges:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)


def _keep(n: int) -> int:
    return min(NEIGHBOURS, n - 1)


def _empty(rows: int, n: int) -> _Nearest:
    width = min(RESERVE, n - 1)
    return _Nearest(np.full((rows, width), -1, np.int32), np.zeros((rows, width), np.float32),
                    np.zeros(rows, np.float32), np.zeros(rows, bool))


def _nearest(matrix: Any, ordinals: np.ndarray, rows: np.ndarray) -> _Nearest:
    """The neighbours of ``rows`` (in their order) among every article.

    Only articles sharing a term meet in the sparse product, a block of rows at a time (``_bands``). Each
    cosine is the same float as in a product with every article (a row's sum runs over its own terms in
    their order, whichever columns are computed). Ties at the NEIGHBOURS-th place are broken as a selection
    over the whole row (``_row_choice``) breaks them, so the graph does not depend on how the band is cut,
    nor on which rows are asked for.
    """
    n = matrix.shape[0]
    keep = _keep(n)
    out = _empty(len(rows), n)
    place = np.argsort(rows, kind="stable")  # where each asked-for row goes in ``out``
    asked = rows[place]
    for block, candidates in _bands(ordinals, asked, np.arange(n)):
        _put(out, place[block], _block_neighbours(matrix, asked[block], candidates, ordinals, keep))
    return out


def _bands(ordinals: np.ndarray, rows: np.ndarray, candidates: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Blocks of ``rows`` (positions in it), each with the ``candidates`` inside its date window.

    An undated row meets every candidate; a dated one only the undated ones and those inside its window:
    the dated rows go in date order, so a block's candidates are one band of the sorted dates. Blocks grow
    while rows x candidates stays within BLOCK x articles (the memory of one block of rows against
    everyone): fewer, taller blocks share the work of gathering the candidates' columns.
    """
    n = len(ordinals)
    everyone = candidates[ordinals[candidates] < 0]
    dated = candidates[ordinals[candidates] >= 0]
    dated = dated[np.argsort(ordinals[dated], kind="stable")]
    dates = ordinals[dated]
    undated_rows = np.flatnonzero(ordinals[rows] < 0)
    for start in range(0, len(undated_rows), BLOCK):
        yield undated_rows[start:start + BLOCK], candidates
    dated_rows = np.flatnonzero(ordinals[rows] >= 0)
    dated_rows = dated_rows[np.argsort(ordinals[rows[dated_rows]], kind="stable")]
    row_dates = ordinals[rows[dated_rows]]
    window_low = np.searchsorted(dates, row_dates - WINDOW_DAYS, "left")
    window_high = np.searchsorted(dates, row_dates + WINDOW_DAYS, "right")
    start = 0
    while start < len(dated_rows):
        stop = min(start + BLOCK, len(dated_rows))
        while stop < len(dated_rows):
            grown = min(stop + BLOCK, len(dated_rows))
            if (grown - start) * (len(everyone) + window_high[grown - 1] - window_low[start]) > BLOCK * n:
                break
            stop = grown
        yield dated_rows[start:stop], np.concatenate([everyone, dated[window_low[start]:window_high[stop - 1]]])
        start = stop


def _put(out: _Nearest, at: np.ndarray, found: _Nearest) -> None:
    out.near[at], out.value[at], out.left_out[at], out.tied[at] = found.near, found.value, found.left_out, found.tied


def _edges(nearest: _Nearest) -> Edges:
    """The graph of every row's chosen neighbours: a pair found from both ends is one edge, with the cosine
    as its lower-numbered article's row sums it."""
    n = len(nearest.near)
    near, value = nearest.near[:, :_keep(n)], nearest.value[:, :_keep(n)]
    found = near >= 0
    i = np.broadcast_to(np.arange(n)[:, None], near.shape)[found]
    j = near[found].astype(np.int64)
    v = value[found]
    low, high = np.minimum(i, j), np.maximum(i, j)
    order = np.lexsort((i != low, low * n + high))
    key = (low * n + high)[order]
    first = order[np.concatenate([[True], key[1:] != key[:-1]])] if len(key) else order
    return low[first], high[first], v[first]


def _row_digests(matrix: Any, columns: np.ndarray, ordinals: np.ndarray) -> np.ndarray:
    """Each row's digest: its terms (as vocabulary ids, the same whatever this run's column numbers) and
    values in their stored order (the order its sums run in) and its date. Two runs' rows with one digest
    give the same cosines, float for float. (rows, 16) bytes."""
    ids = memoryview(columns[matrix.indices].astype("<i4")).cast("B")
    data = memoryview(matrix.data.astype("<f4")).cast("B")
    bounds = (matrix.indptr * 4).tolist()
    blake2b = hashlib.blake2b
    out = []
    for k, date in enumerate(ordinals.tolist()):
        h = blake2b(ids[bounds[k]:bounds[k + 1]], digest_size=16)
        h.update(data[bounds[k]:bounds[k + 1]])
        h.update(date.to_bytes(8, "little", signed=True))
        out.append(h.digest())
    return np.frombuffer(b"".join(out), np.uint8).reshape(len(out), 16)


def _kept_nearest(matrix: Any, ordinals: np.ndarray, rows: np.ndarray, last: _Nearest,
                  last_rows: np.ndarray, last_ordinals: np.ndarray) -> _Nearest:
    """Every row's neighbours, the last run's kept where they must be the same.

    A row whose digest is unchanged, its neighbours chosen without a tie, has the same cosine (float for
    float) with every unchanged row: its most similar rows are the unchanged ones it had and, computed
    now as its own sums (its row against theirs), the changed ones; every other row is still at most its
    bound. Its neighbours are the best of those when the choice is strict (no equal cosine at the last
    place, the last above the bound); any other row is computed afresh (``_nearest``), as without a memo.
    An unchanged row chosen among ties keeps its choice when no changed row is (or was) inside its date
    window: its whole row of cosines is the same.
    """
    n = len(rows)
    keep = _keep(n)
    changed = (rows != last_rows).any(axis=1)
    moved = np.flatnonzero(changed)
    kept = np.flatnonzero(~changed & ~last.tied)
    out = _Nearest(last.near.copy(), last.value.copy(), last.left_out.copy(), last.tied.copy())
    width = last.near.shape[1]
    again = changed | (last.tied & _meets(ordinals, np.concatenate([ordinals[moved], last_ordinals[moved]])))
    # The kept rows' cosines with the changed ones inside their window, as each kept row sums them.
    met: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for block, candidates in _bands(ordinals, kept, moved):
        product = (matrix[kept[block]] @ matrix[candidates].T.tocsr()).toarray()
        product[_far_apart(ordinals, kept[block], candidates)] = 0.0
        at, to = np.nonzero(product > 0)
        met.append((block[at], candidates[to], product[at, to]))
    found = [np.concatenate(m) for m in zip(*met)] if met else [np.zeros(0, np.int64)] * 2 + [np.zeros(0, np.float32)]
    order = np.argsort(found[0], kind="stable")
    met_at, met_to, met_cosine = found[0][order], found[1][order], found[2][order]
    bounds = np.searchsorted(met_at, np.arange(0, len(kept) + 16 * BLOCK, 16 * BLOCK))
    for chunk, start in enumerate(range(0, len(kept), 16 * BLOCK)):  # a pool is rows x (width + changed met)
        some = kept[start:start + 16 * BLOCK]
        inside = slice(bounds[chunk], bounds[chunk + 1])
        at, to, cosine = met_at[inside] - start, met_to[inside], met_cosine[inside]
        count = np.bincount(at, minlength=len(some))
        pooled = width + int(count.max(initial=0))
        pool_near = np.full((len(some), pooled), -1, np.int64)
        pool_value = np.zeros(pool_near.shape, np.float32)
        had = last.near[some]
        still = (had >= 0) & ~changed[had.clip(0)]  # unchanged rows it had: the same cosines
        pool_near[:, :width] = np.where(still, had, -1)
        pool_value[:, :width] = np.where(still, last.value[some], 0)
        slot = width + np.arange(len(at)) - np.repeat(np.cumsum(count) - count, count)
        pool_near[at, slot], pool_value[at, slot] = to, cosine
        best = np.argsort(-pool_value, axis=1, kind="stable")[:, :width + 1]
        pool_near = np.take_along_axis(pool_near, best, axis=1)
        pool_value = np.take_along_axis(pool_value, best, axis=1)
        bound = last.left_out[some]
        last_place, next_place = pool_value[:, keep - 1], pool_value[:, keep] if width > keep else bound
        strict = (last_place > np.maximum(next_place, bound)) | ((last_place <= 0) & (bound <= 0))
        out.near[some], out.value[some] = pool_near[:, :width], pool_value[:, :width]
        out.left_out[some] = np.maximum(bound, pool_value[:, width]) if pooled > width else bound
        again[some[~strict]] = True
    fresh = np.flatnonzero(again)
    if len(fresh):
        _put(out, fresh, _nearest(matrix, ordinals, fresh))
    return out


def _meets(ordinals: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Each row that may have a cosine with one of the dates ``others`` (-1: undated): inside its window."""
    if not len(others):
        return np.zeros(len(ordinals), bool)
    if (others < 0).any():
        return np.ones(len(ordinals), bool)
    others = np.sort(others)
    low = np.searchsorted(others, ordinals - WINDOW_DAYS, "left")
    high = np.searchsorted(others, ordinals + WINDOW_DAYS, "right")
    out: np.ndarray = (high > low) | (ordinals < 0)
    return out


def _block_neighbours(matrix: Any, rows: np.ndarray, candidates: np.ndarray, ordinals: np.ndarray,
                      keep: int) -> _Nearest:
    """Each of ``rows``' most similar among ``candidates`` (positive only), best first; the first ``keep``
    as a selection over the whole row chooses them."""
    block = (matrix[rows] @ matrix[candidates].T.tocsr()).toarray()
    block[rows[:, None] == candidates[None, :]] = 0.0
    block[_far_apart(ordinals, rows, candidates)] = 0.0
    n = matrix.shape[0]
    out = _empty(len(rows), n)
    width = out.near.shape[1]
    if len(candidates) <= width:
        best = np.broadcast_to(np.arange(len(candidates)), block.shape)
    else:
        chosen = np.argpartition(-block, width, axis=1)
        best = chosen[:, :width]
        out.left_out[:] = np.maximum(np.take_along_axis(block, chosen[:, width:width + 1], axis=1)[:, 0], 0)
    values = np.take_along_axis(block, best, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    values = np.take_along_axis(values, order, axis=1)
    neighbours = np.take_along_axis(candidates[best], order, axis=1)
    if values.shape[1] > keep:
        # The keep-th value shared with one left out: which of the equals is kept depends on the whole row.
        next_value = values[:, keep]
        tied = (next_value > 0) & (values[:, keep - 1] == next_value)
    else:
        next_value = out.left_out
        tied = (next_value > 0) & (values[:, -1] == next_value)
    if tied.any():
        tied_rows = np.flatnonzero(tied)
        for chunk in range(0, len(tied_rows), BLOCK):  # BLOCK rows of every article at a time, as before
            some = tied_rows[chunk:chunk + BLOCK]
            whole = np.zeros((len(some), n), dtype=block.dtype)
            whole[:, candidates] = block[some]
            choice = _row_choice(whole, keep)
            neighbours[some] = -1
            values[some] = 0
            neighbours[some, :keep] = choice
            values[some, :keep] = np.take_along_axis(whole, choice, axis=1)
    out.tied[:] = tied
    positive = values > 0
    out.near[:, :values.shape[1]] = np.where(positive, neighbours, -1)
    out.value[:, :values.shape[1]] = np.where(positive, values, 0)
    return out


def _row_choice(whole: np.ndarray, keep: int) -> np.ndarray:
    """The ``keep`` largest of each row of cosines with every article, as the first version chose them
    (one selection over the whole row): the result with ties stays what it was."""
    return np.argpartition(-whole, keep - 1, axis=1)[:, :keep]


def average_link(n: int, edges: Edges, threshold: float, known: dict[bytes, list[list[int]]] | None = None,
                 used: dict[bytes, list[list[int]]] | None = None) -> list[list[int]]:
    """Groups of 0..n-1: merge the two groups of highest mean pair similarity (a pair without an edge counts
    0) while it is >= threshold. Ties go to the groups with the smallest members: a function of the graph.

    Two groups join only across an edge >= threshold (a mean of smaller values is smaller), and a merge
    changes no mean outside its own component of such edges: each component is merged on its own, with
    its own edges numbered by its own nodes in order (which keeps every comparison the merge makes), in the
    order it would be within the whole graph. ``known``: a component's merges by a digest of its edges, from
    an earlier run; ``used`` gets those of this run (the next run's ``known``).
    """
    strong = edges[2] >= threshold
    label = _components(n, edges[0][strong], edges[1][strong])
    nodes = np.argsort(label, kind="stable")
    node_bounds = np.flatnonzero(np.diff(label[nodes])) + 1
    inside = np.flatnonzero(label[edges[0]] == label[edges[1]])
    inside = inside[np.argsort(label[edges[0][inside]], kind="stable")]
    edge_bounds = np.searchsorted(label[edges[0][inside]], label[nodes[np.r_[0, node_bounds]]]) \
        if n else np.zeros(0, np.int64)
    groups: list[list[int]] = []
    for k, component in enumerate(np.split(nodes, node_bounds) if n else []):
        if len(component) < 3:  # alone, or two joined by their one strong edge
            groups.append(sorted(component.tolist()))
            continue
        own = inside[edge_bounds[k]:edge_bounds[k + 1] if k + 1 < len(edge_bounds) else len(inside)]
        # The component's nodes are in order (a stable sort by label): a node's place in it keeps its order.
        local = (np.searchsorted(component, edges[0][own]), np.searchsorted(component, edges[1][own]), edges[2][own])
        key = _edges_digest(len(component), local, threshold)
        parts = known.get(key) if known is not None else None
        if parts is None:
            parts = _merge(list(range(len(component))), local, threshold, len(component))
        if used is not None:
            used[key] = parts
        groups.extend(component[part].tolist() for part in parts)
    return groups


def _edges_digest(n: int, edges: Edges, threshold: float) -> bytes:
    """What ``_merge`` of nodes 0..n-1 reads: the edges in their order, their values bit for bit."""
    h = hashlib.blake2b(struct.pack("<qd", n, threshold), digest_size=16)
    for part in edges:
        h.update(part.dtype.str.encode() + part.tobytes())
    return h.digest()


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Each node's component of the graph of edges ``i``-``j``, numbered by their smallest nodes (as scipy's
    ``connected_components`` numbers them: without its import, most of an edit build's)."""
    label = np.arange(n)
    while True:
        low = np.minimum(label[i], label[j])
        new = label.copy()
        np.minimum.at(new, i, low)
        np.minimum.at(new, j, low)
        while True:  # each node to its label's label: a chain of labels collapses at once
            jumped = new[new]
            if np.array_equal(jumped, new):
                break
            new = jumped
        if np.array_equal(new, label):
            break
        label = new
    out: np.ndarray = np.unique(label, return_inverse=True)[1].reshape(-1)
    return out


def _merge(nodes: list[int], edges: Edges, threshold: float, next_id: int) -> list[list[int]]:
    """Average-link of ``nodes`` over ``edges`` (see ``average_link``); merged groups are numbered from
    ``next_id`` up, above every node, as in the whole graph."""
    sums: dict[int, dict[int, float]] = {i: {} for i in nodes}
    for i, j, value in zip(edges[0].tolist(), edges[1].tolist(), edges[2].tolist()):
        sums[i][j] = value
        sums[j][i] = value
    members: dict[int, list[int]] = {i: [i] for i in nodes}
    first = {i: i for i in nodes}  # each group's smallest member, for the tie-break
    strong = edges[2] >= threshold
    heap = [(-v, i, j, i, j) for i, j, v in zip(edges[0][strong].tolist(), edges[1][strong].tolist(),
                                                 edges[2][strong].tolist())]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        a, b = pop(heap)[3:]
        if a not in members or b not in members:
            continue  # one of them has merged since
        c = next_id
        next_id += 1
        merged = members.pop(a) + members.pop(b)
        members[c] = merged
        first_c = min(first.pop(a), first.pop(b))
        first[c] = first_c
        joined = sums.pop(a)  # a's sums, then b's added: c's
        joined.pop(b, None)
        for other in joined:
            del sums[other][a]
        for other, value in sums.pop(b).items():
            if other != a:
                joined[other] = joined.get(other, 0.0) + value
                del sums[other][b]
        sums[c] = joined
        size = len(merged)
        for other, total in joined.items():
            sums[other][c] = total
            mean = total / (size * len(members[other]))
            if mean >= threshold:
                f = first[other]
                push(heap, (-mean, f, first_c, c, other) if f < first_c else (-mean, first_c, f, c, other))
    return [sorted(m) for m in members.values()]


def _cosines(index: np.ndarray, matrix: Any, ordinals: np.ndarray) -> np.ndarray:
    """The pairwise similarities of the rows ``index`` (zero diagonal, date window applied), dense."""
    rows = matrix[index]
    dense: np.ndarray = (rows @ rows.T).toarray().astype(np.float64)
    np.fill_diagonal(dense, 0.0)
    dense[_far_apart(ordinals, index, index)] = 0.0
    return dense


def _affinity(group: list[int], matrix: Any, ordinals: np.ndarray, edges: Edges) -> Any:
    """The group's pairwise similarities (zero diagonal, date window applied) as a sparse matrix."""
    from scipy import sparse

    index = np.array(group)
    if len(group) <= DENSE_GROUP:
        return sparse.csr_matrix(_cosines(index, matrix, ordinals))
    position = np.full(matrix.shape[0], -1)
    position[index] = np.arange(len(group))
    inside = (position[edges[0]] >= 0) & (position[edges[1]] >= 0)
    rows, cols = position[edges[0][inside]], position[edges[1][inside]]
    m = sparse.coo_matrix((edges[2][inside].astype(np.float64), (rows, cols)),
                          shape=(len(group), len(group)))
    return (m + m.T).tocsr()


def best_cut(affinity: Any) -> tuple[float, np.ndarray]:
    """The lowest normalized cut (Shi & Malik 2000) among the splits of the spectral order, and the side of
    each member (True: first part). The order is the second eigenvector of the normalized affinity."""
    n = affinity.shape[0]
    degree = np.asarray(affinity.sum(axis=1)).ravel()
    if np.any(degree <= 0):
        return 0.0, degree > 0  # an article alike to none of the group: it is on its own
    scale = 1.0 / np.sqrt(degree)
    normalised = affinity.multiply(scale[:, None]).multiply(scale[None, :]).tocsr()
    if n <= 400:
        _, vectors = np.linalg.eigh(normalised.toarray())
        second = vectors[:, -2]
    else:
        from scipy.sparse.linalg import eigsh  # imported only when needed: a tenth of a second

        start = np.random.default_rng(0).random(n)  # a fixed start: the same answer every build
        values, vectors = eigsh(normalised, k=2, which="LA", v0=start)
        second = vectors[:, np.argsort(values)[0]]
    order = np.lexsort((np.arange(n), second * scale))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    coo = affinity.tocoo()
    earlier = rank[coo.row] > rank[coo.col]  # each pair once, counted at its later member
    inward = np.bincount(rank[coo.row[earlier]], weights=coo.data[earlier], minlength=n)
    within = np.cumsum(inward)  # similarity inside the first k+1 of the order
    volume = np.cumsum(degree[order])
    total = volume[-1]
    cut = volume[:-1] - 2 * within[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ncut = cut / volume[:-1] + cut / (total - volume[:-1])
    ncut = np.where(np.isfinite(ncut), ncut, np.inf)
    k = int(np.argmin(ncut))
    return float(ncut[k]), rank <= k


def _split(group: list[int], matrix: Any, ordinals: np.ndarray, edges: Edges,
           out: list[list[int]]) -> None:
    pending = [group]
    while pending:
        group = pending.pop()
        if len(group) < MIN_SPLIT:
            out.append(group)
            continue
        value, side = best_cut(_affinity(group, matrix, ordinals, edges))
        if value >= SPLIT_NCUT or side.all() or not side.any():
            out.append(group)
            continue
        pending.append([g for g, s in zip(group, side) if s])
        pending.append([g for g, s in zip(group, side) if not s])


def cluster(briefings: Sequence[Briefing]) -> list[list[str]]:
    """Incidents as lists of briefing slugs (each sorted by slug), every briefing in exactly one.

    First pass: average-link over the neighbour graph at COARSE finds groups of one kind of story. Second:
    each group splits in two, again and again, while a normalized cut finds two clearly separate parts (two
    earthquakes; one arrest reported on two weeks apart).
    """
    return _Clustering(briefings).groups


class _Clustering:
    """The clustering of some briefings, with the vectors it was made from (wire copies are found on them)."""

    def __init__(self, briefings: Sequence[Briefing], stage: Callable[[str], None] = lambda name: None,
                 memo: IncidentMemo | None = None) -> None:
        from threadpoolctl import threadpool_limits

        self.ordered = sorted(briefings, key=lambda b: b.slug)
        self.index = {b.slug: i for i, b in enumerate(self.ordered)}
        self.groups: list[list[str]] = []
        self.memo = memo or IncidentMemo(kept=False)
        self.used_copies: dict[tuple[str, ...], tuple[bytes, dict[str, str]]] = {}
        """The wire copies this run found or took from the memo (its keeper's next ``memo.copies``)."""
        if not self.ordered:
            return
        memo = self.memo
        # Thousands of small eigenproblems: BLAS threads only contend for them (17x slower on 2 busy cores).
        with threadpool_limits(1, user_api="blas"):
            self.matrix = _matrix(self.ordered, memo)
            self.ordinals = np.array([b.article.date.toordinal() if b.article.date else -1 for b in self.ordered],
                                     dtype=np.int64)
            self.rows = _row_digests(self.matrix, memo.columns, self.ordinals) if memo.kept \
                else np.zeros((0, 16), np.uint8)
            stage("vectors")
            self.edges = self._neighbours()
            stage("neighbours")
            merges: dict[bytes, list[list[int]]] = {}
            coarse = average_link(len(self.ordered), self.edges, COARSE, memo.merges if memo.kept else None,
                                  merges if memo.kept else None)
            memo.merges = merges
            stage("average link")
            out: list[list[int]] = []
            splits: dict[tuple[str, ...], tuple[bytes, list[list[int]]]] = {}
            for group in coarse:
                # Kept for the next run: the splits of groups split on their own rows' products.
                if len(group) < MIN_SPLIT or len(group) > DENSE_GROUP or not memo.kept:
                    _split(group, self.matrix, self.ordinals, self.edges, out)
                    continue
                key = tuple(self.ordered[i].slug for i in group)
                made_of = self._rows_digest(group)  # a split reads only these rows (and their dates)
                previous = memo.splits.get(key)
                if previous is not None and previous[0] == made_of:
                    splits[key] = previous  # the same entry: its keeper need not save it again
                    parts = previous[1]
                else:
                    done: list[list[int]] = []
                    _split(group, self.matrix, self.ordinals, self.edges, done)
                    position = {g: k for k, g in enumerate(group)}
                    parts = [[position[g] for g in part] for part in done]
                    splits[key] = made_of, parts
                out.extend([group[k] for k in part] for part in parts)
            memo.splits = splits
            stage("splits")
        self.groups = sorted(([self.ordered[i].slug for i in sorted(g)] for g in out), key=lambda g: g[0])

    def _neighbours(self) -> Edges:
        """The neighbour graph, the last run's choices kept where its rows say they must be the same."""
        n, memo = len(self.ordered), self.memo
        if n < 2:
            return _no_edges()
        slugs = _slugs_digest(list(self.index))
        last = memo.graph
        if last is None or last.slugs != slugs:
            nearest = _nearest(self.matrix, self.ordinals, np.arange(n))  # another corpus: every idf differs
        elif np.array_equal(last.rows, self.rows):
            return last.edges
        elif int((self.rows != last.rows).any(axis=1).sum()) > n // 3:
            # Kept rows meet every changed one: past a third of the rows that costs more than it saves.
            nearest = _nearest(self.matrix, self.ordinals, np.arange(n))
        else:
            nearest = _kept_nearest(self.matrix, self.ordinals, self.rows, last.nearest, last.rows, last.ordinals)
        edges = _edges(nearest)
        if memo.kept:
            memo.graph = _Graph(slugs, self.rows, self.ordinals, nearest, edges)
        return edges

    def _rows_digest(self, group: list[int]) -> bytes:
        """What a group's products read: its rows (and dates), in its order."""
        return hashlib.blake2b(self.rows[group].tobytes(), digest_size=16).digest()

    def copies(self, members: list[Briefing]) -> dict[str, str]:
        """briefing slug -> the earliest member it is a near-duplicate of (``members``: oldest first)."""
        return self.copies_of([members])[0]

    def copies_of(self, incidents: list[list[Briefing]]) -> list[dict[str, str]]:
        """``copies`` of each incident's members: those the memo does not have from the products of up to
        COPY_BATCH rows at a time (a cosine is its row's own sum, whichever rows are multiplied with it)."""
        out: list[dict[str, str]] = [{} for _ in incidents]
        pending: list[tuple[int, list[int]]] = []
        for k, members in enumerate(incidents):
            if len(members) < 2:
                continue
            group = [self.index[b.slug] for b in members]
            if len(group) > DENSE_GROUP:
                out[k] = _copies(members, _affinity(group, self.matrix, self.ordinals, self.edges).toarray())
                continue
            entry = self.memo.copies.get(tuple(b.slug for b in members)) if self.memo.kept else None
            if entry is not None and entry[0] == self._rows_digest(group):
                self.used_copies[tuple(b.slug for b in members)] = entry
                out[k] = entry[1]
            else:
                pending.append((k, group))
        while pending:
            batch: list[tuple[int, list[int]]] = []
            size = 0
            while pending and (not batch or size + len(pending[-1][1]) <= COPY_BATCH):
                batch.append(pending.pop())
                size += len(batch[-1][1])
            index = np.concatenate([np.array(group) for _, group in batch])
            cosines = _cosines(index, self.matrix, self.ordinals)
            start = 0
            for k, group in batch:
                members = incidents[k]
                out[k] = _copies(members, cosines[start:start + len(group), start:start + len(group)])
                start += len(group)
                if self.memo.kept:
                    self.used_copies[tuple(b.slug for b in members)] = self._rows_digest(group), out[k]
        return out


# ---------------------------------------------------------------- incidents as records of the site

SUMMARY_SENTENCES = 5
"""Sentences in an incident's merged summary."""
SUMMARY_POOL = 24
"""Articles whose summaries an incident's summary is chosen from (a larger incident: evenly spread)."""
REDUNDANT = 0.5
"""A summary sentence sharing this share of its terms with one already chosen says the same: left out."""
COPY_COSINE = 0.8
"""Two articles are copies of one story (a wire copy) at this cosine or more: reports of one event in an
outlet's own words stay well below (about 0.3 to 0.6), a copy with a new headline or a line added above."""
COPY_BATCH = 512
"""Rows multiplied at a time to find wire copies (their incidents' pairs, and the pairs across them)."""
_QUOTE_MARKS = re.compile("[\"“”«»„]|''|``")


def _member_order(b: Briefing) -> tuple[int, int, str]:
    """Oldest first, undated last, then by slug."""
    return (0 if b.article.date else 1, b.article.date.toordinal() if b.article.date else 0, b.slug)


def outlet_of(b: Briefing) -> str:
    """The outlet that published an article: its publisher, else its URL's host, else ""."""
    if b.article.publisher:
        return " ".join(b.article.publisher.split())
    if b.article.url:
        from urllib.parse import urlsplit

        host = urlsplit(b.article.url).hostname or ""
        return host.removeprefix("www.")
    return ""


def _copies(members: list[Briefing], cosines: np.ndarray) -> dict[str, str]:
    """Each member alike to an earlier original at COPY_COSINE or more -> that original (a copy of a copy
    points to the first); ``cosines``: the members' pairwise cosines, in their order, dense."""
    alike = (cosines >= COPY_COSINE).tolist()
    original: dict[str, str] = {}
    for k, b in enumerate(members):
        for e in range(k):
            if alike[k][e] and members[e].slug not in original:
                original[b.slug] = members[e].slug
                break
    return original


def _title(members: list[Briefing]) -> str:
    """The member title sharing most words with the other members' titles and summaries (the earliest on
    a tie): the headline that names what they all report."""
    if len(members) == 1:
        return members[0].article.title
    bags = [set(_terms(" ".join([b.article.title, *b.summary]))) for b in members]
    best, best_score = members[0].article.title, -1.0
    for k, b in enumerate(members):
        title = set(_terms(b.article.title))
        if len(title) < 2:
            continue  # "ABSTRACT", a one-word kicker: names nothing
        score = sum(len(title & bag) for e, bag in enumerate(bags) if e != k) / math.sqrt(len(title))
        if b.article.title.endswith("…"):
            score /= 2  # made from a cut opening sentence (no headline in the file): a real headline names better
        if score > best_score:
            best, best_score = b.article.title, score
    return best


def merged_summary(members: list[Briefing], count: int = SUMMARY_SENTENCES) -> tuple[str, ...]:
    """The most central of the members' summary sentences (TextRank, as each briefing's own summary is
    chosen), skipping quotes and any sentence that repeats one already taken; earliest article first.

    ``members``: oldest first, wire copies left out (they add no facts, only votes). At most SUMMARY_POOL
    articles are read, spread evenly over the incident's time: TextRank grows with the square of the pool.
    """
    if len(members) > SUMMARY_POOL:
        step = len(members) / SUMMARY_POOL
        members = [members[int(k * step)] for k in range(SUMMARY_POOL)]
    pool: list[tuple[int, int, str, tuple[str, ...]]] = []  # (article rank, position, text, terms)
    for rank, b in enumerate(members):
        for position, text in enumerate(b.summary):
            if not _QUOTE_MARKS.search(text):
                pool.append((rank, position, text, tuple(_terms(text))))
    if not pool:
        return ()
    central = textrank([terms for *_, terms in pool])
    order = sorted(range(len(pool)),
                   key=lambda i: (-central[i] * len(pool[i][2].split()) ** LENGTH_POWER, pool[i][:2]))
    chosen: list[int] = []
    for i in order:
        terms = set(pool[i][3])
        if any(len(terms & set(pool[j][3])) >= REDUNDANT * max(1, min(len(terms), len(pool[j][3]))) for j in chosen):
            continue
        chosen.append(i)
        if len(chosen) == count:
            break
    return tuple(pool[i][2] for i in sorted(chosen, key=lambda i: pool[i][:2]))


def _quote_key(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def carried_quotes(members: list[Briefing]) -> tuple[IncidentQuote, ...]:
    """Each quote once, with every briefing carrying it (first report first) and, when outlets credit it
    to different people, the other speakers."""
    groups: dict[str, list[tuple[Briefing, Quote]]] = {}
    for b in members:
        seen: set[str] = set()
        for q in b.quotes:
            key = _quote_key(q.text)
            if key and key not in seen:
                seen.add(key)
                groups.setdefault(key, []).append((b, q))
    out = []
    for carried in groups.values():
        first = carried[0][1]
        votes = Counter(q.speaker_slug or q.speaker for _, q in carried if q.speaker)
        top = max(votes, key=lambda s: (votes[s], s == (first.speaker_slug or first.speaker))) if votes else None
        speaker = next(((q.speaker, q.speaker_slug) for _, q in carried if (q.speaker_slug or q.speaker) == top),
                       (None, None))
        others = tuple(dict.fromkeys(q.speaker for _, q in carried
                                     if q.speaker and (q.speaker_slug or q.speaker) != top))
        out.append(IncidentQuote(first.text, speaker[0], speaker[1], tuple(b.slug for b, _ in carried), others,
                                 all(q.partial for _, q in carried)))
    return tuple(out)


def make_incident(members: list[Briefing], title: str = "", curated: bool = False,
                  clustering: _Clustering | None = None) -> Incident:
    """The incident of ``members``; ``clustering``: the one that grouped them (else they are vectorised
    on their own, to find the wire copies among them)."""
    members = sorted(members, key=_member_order)
    return _incident(members, (clustering or _Clustering(members)).copies(members), title, curated)


def _incident(members: list[Briefing], copies: dict[str, str], title: str, curated: bool) -> Incident:
    """The incident of ``members`` (oldest first) with its wire ``copies`` (copy -> original)."""
    dates = [b.article.date for b in members if b.article.date]
    outlets: dict[str, list[str]] = {}
    for b in members:
        outlets.setdefault(outlet_of(b), []).append(b.slug)
    own = {outlet_of(b) for b in members if b.slug not in copies} - {""}
    actors: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    for b in members:
        actors.update({a.slug for a in b.actors})
        for a in b.actors:
            mentions[a.slug] += a.mentions
    return Incident(
        slug=members[0].slug,
        title=title or _title(members),
        briefing_slugs=tuple(b.slug for b in members),
        first_date=min(dates) if dates else None,
        last_date=max(dates) if dates else None,
        outlets=tuple((name, tuple(slugs)) for name, slugs in outlets.items()),
        copies=tuple(copies.items()),
        distinct_outlets=len(own),
        summary=merged_summary([b for b in members if b.slug not in copies]) if len(members) > 1
        else tuple(members[0].summary),
        actors=tuple((s, actors[s]) for s in sorted(actors, key=lambda s: (-actors[s], -mentions[s], s))),
        quotes=carried_quotes(members),
        curated=curated,
    )


def with_incidents(site: Site, curation: IncidentCuration | None = None, *, memo: IncidentMemo | None = None,
                   stage: Callable[[str], None] = lambda name: None) -> tuple[Site, list[Diagnostic]]:
    """The site with its incidents; warnings for curation entries naming no briefing.

    ``memo``: the one the last run on this project was given, if any (the result is the same, cheaper).
    ``stage`` is called with each step's name as it ends (vectors, neighbours, average link, splits,
    records: the bench's timings).
    """
    from briefgen.incident_curation import apply_corrections

    memo = memo or IncidentMemo(kept=False)
    clustering = _Clustering(site.briefings, stage, memo)
    groups = clustering.groups
    titles: dict[str, str] = {}
    touched: set[str] = set()
    warnings: list[Diagnostic] = []
    if curation is not None and curation.entries:
        groups, titles, touched, warnings = apply_corrections(groups, curation)
    records: dict[tuple[str, ...], tuple[tuple[Any, ...], Incident]] = {}
    ordered = [sorted((site.briefing(s) for s in group), key=_member_order) for group in groups]
    for group, members, copies in zip(groups, ordered, clustering.copies_of(ordered)):
        title = next((titles[b.slug] for b in members if b.slug in titles), "")
        curated = bool(touched & set(group))
        # All an incident record reads (its members by their fingerprints when the memo's keeper gives them).
        fingerprint = memo.fingerprint
        made_of = (tuple(map(fingerprint, members)) if fingerprint else tuple(members), tuple(copies.items()),
                   title, curated)
        key = tuple(b.slug for b in members)
        previous = memo.records.get(key)
        if previous is not None and previous[0] == made_of:
            records[key] = previous  # the same entry: its keeper need not save it again
        else:
            records[key] = made_of, _incident(members, copies, title, curated)
    if memo.kept:
        memo.records, memo.copies = records, clustering.used_copies
    incidents = {i.slug: i for i in sorted((i for _, i in records.values()), key=Incident.order)}
    stage("records")
    return replace(site, incidents=incidents), warnings
