"""Direct quotations and who said them.

Quote marks are paired in plain Python before spaCy runs (``find_quote_spans``), and the text spaCy sees
has mismatched pairs such as ``“ … "`` rewritten as ``“ … ”`` (same length, so offsets carry over): the
tagger and parser then treat the quote as one unit. Speakers come from the dependency parse: the subject
of a speech verb outside the quote, "according to X", pronouns resolved to a nearby compatible actor,
and cue-less quote paragraphs continuing the previous speaker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from briefgen.extract.actors import ActorInfo, ActorTable
from briefgen.model import EntityKind, Paragraph, Quote
from briefgen.urls import slugify

OPENERS = "“„«"
CLOSERS = "”»"
STRAIGHT = '"'

SPEECH_VERBS = {
    "say", "tell", "add", "ask", "answer", "reply", "write", "state", "announce", "declare", "explain",
    "note", "insist", "argue", "warn", "claim", "assert", "acknowledge", "admit", "conclude", "comment",
    "complain", "confirm", "deny", "describe", "emphasize", "emphasise", "maintain", "observe", "predict",
    "promise", "remark", "report", "respond", "reiterate", "recall", "suggest", "tweet", "urge", "testify",
    "vow", "boast", "quip", "joke", "concede", "counter", "contend", "shout", "yell", "whisper", "mutter",
    "proclaim", "caution", "stress", "lament", "retort", "muse", "exclaim", "recount", "allege", "charge",
    "accuse", "pledge", "question", "wonder", "cry", "scream", "plead", "thunder", "snap", "chime",
    "continue", "begin", "put", "post", "read", "echo", "agree", "interject", "summarize", "summarise",
    "criticize", "criticise", "tout", "brag", "hint", "signal", "demand", "repeat", "assure", "inform",
}
_CONTINUE_ONLY = {"continue", "begin", "put", "read", "echo", "agree"}
PRONOUNS = {"he": "m", "she": "f", "they": "p", "it": "n"}
_ORG_NOUNS = {
    "newspaper", "paper", "department", "ministry", "agency", "government", "company", "firm", "statement",
    "campaign", "group", "organization", "organisation", "committee", "office", "spokesman", "spokeswoman",
    "spokesperson", "party", "administration", "council", "report", "editorial", "bank", "union", "board",
    "court", "army", "military", "police", "service", "team", "club", "network", "magazine", "website",
}
MIN_UNATTRIBUTED_WORDS = 5


@dataclass(slots=True)
class QuoteSpan:
    """A paired quotation: ``start``/``end`` include the marks; ``inner_*`` is the quoted text."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    closed: bool
    paragraph: int


def _opener_like(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return (before.isspace() or before in "([{—–-/:") and not after.isspace()


def find_quote_spans(text: str, paragraphs: tuple[Paragraph, ...]) -> list[QuoteSpan]:
    """Pair quotation marks paragraph by paragraph; a quote left open runs to the paragraph's end."""
    spans: list[QuoteSpan] = []
    for p_index, para in enumerate(paragraphs):
        stack: list[tuple[int, str]] = []
        lo, hi = para.start, para.end
        for i in range(lo, hi):
            c = text[i]
            if c in OPENERS:
                stack.append((i, c))
            elif c in CLOSERS:
                if stack:
                    start, _ = stack.pop()
                    if not stack:
                        spans.append(_span(text, start, i + 1, True, p_index))
            elif c == STRAIGHT:
                opener_like = _opener_like(text, i, lo, hi)
                if not stack:
                    if opener_like:
                        stack.append((i, c))
                elif stack[-1][1] == STRAIGHT or not opener_like:
                    start, _ = stack.pop()
                    if not stack:
                        spans.append(_span(text, start, i + 1, True, p_index))
                else:
                    stack.append((i, c))  # a straight quote nested in a curly one
        if stack:
            spans.append(_span(text, stack[0][0], hi, False, p_index))
    return spans


def _span(text: str, start: int, end: int, closed: bool, paragraph: int) -> QuoteSpan:
    inner_start, inner_end = start + 1, end - 1 if closed else end
    while inner_start < inner_end and text[inner_start].isspace():
        inner_start += 1
    while inner_end > inner_start and (text[inner_end - 1].isspace() or text[inner_end - 1] in ",;:"):
        inner_end -= 1
    return QuoteSpan(start, end, inner_start, inner_end, closed, paragraph)


def normalise_marks(text: str, spans: list[QuoteSpan]) -> str:
    """Rewrite each quote's marks as a curly pair (same length), and marks nested inside as single quotes."""
    chars = list(text)
    for span in spans:
        chars[span.start] = "“"
        if span.closed:
            chars[span.end - 1] = "”"
        for i in range(span.start + 1, span.end - (1 if span.closed else 0)):
            if chars[i] in OPENERS or (chars[i] == STRAIGHT and _opener_like(text, i, span.start, span.end)):
                chars[i] = "‘"
            elif chars[i] in CLOSERS or chars[i] == STRAIGHT:
                chars[i] = "’"
    return "".join(chars)


@dataclass(slots=True)
class _Attribution:
    speaker: str | None = None
    actor: ActorInfo | None = None
    cue: str | None = None


class _Speakers:
    """Resolves speaker phrases for one Doc, remembering who spoke last."""

    def __init__(self, doc: Any, table: ActorTable, spans: list[QuoteSpan]) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token on each access: once per Doc, not per quote
        self.table = table
        self.quoted = [False] * len(doc)
        for span in spans:
            for token in doc.char_span(span.start, span.end, alignment_mode="expand") or ():
                self.quoted[token.i] = True
        self.history: list[tuple[int, ActorInfo]] = []  # (char offset, actor) of attributed speakers

    def cue_for(self, span: QuoteSpan) -> Any | None:
        """The speech verb (or 'according') governing the quote, outside any quote, in its sentences."""
        doc = self.doc
        first = doc.char_span(span.start, span.start + 1, alignment_mode="expand")
        last = doc.char_span(max(span.end - 1, span.start), span.end, alignment_mode="expand")
        if first is None or last is None:
            return None
        sent_start, sent_end = first[0].sent.start, last[-1].sent.end
        if span.closed and self.text[span.inner_end : span.end - 1].strip() == "," and last[-1].i + 1 < len(doc):
            # '“…,” X said' continues past a wrong sentence break (abbreviations, a stray mark).
            following = doc[last[-1].i + 1].sent
            sent_end = max(sent_end, following.end)
            if following.end < len(doc) and not following.text.rstrip().endswith((".", "!", "?")):
                sent_end = doc[following.end].sent.end
        after = [t for t in doc[last[-1].i + 1 : sent_end] if self._is_cue(t)]
        before = [t for t in doc[sent_start : first[0].i] if self._is_cue(t)]
        if after:
            return after[0]
        if before:
            return before[-1]
        return None

    def _is_cue(self, token: Any) -> bool:
        if self.quoted[token.i]:
            return False
        if token.lower_ == "according" and token.i + 1 < len(self.doc) and self.doc[token.i + 1].lower_ == "to":
            return True
        return token.pos_ == "VERB" and token.lemma_.lower() in SPEECH_VERBS

    def attribute(self, cue: Any, position: int) -> _Attribution:
        if cue.lower_ == "according":
            to = self.doc[cue.i + 1]
            objects = [c for c in to.children if c.dep_ == "pobj"]
            if objects:
                return self._resolve(objects[0], position, "according to")
            return _Attribution(cue="according to")
        verb = cue
        for _ in range(4):
            subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"} and not self.quoted[c.i]]
            if subjects:
                subject = subjects[0]
                if subject.tag_ in {"WP", "WDT"} and verb.dep_ == "relcl":
                    subject = verb.head  # "Mayor X, who said: …" -> X
                return self._resolve(subject, position, cue.text)
            if verb.dep_ in {"conj", "advcl", "xcomp", "ccomp", "relcl", "acl"} and verb.head is not verb:
                if verb.dep_ in {"relcl", "acl"} and not self.quoted[verb.head.i]:
                    return self._resolve(verb.head, position, cue.text)
                verb = verb.head
            else:
                break
        return _Attribution(cue=cue.text)

    def _resolve(self, head: Any, position: int, cue: str) -> _Attribution:
        lower = head.lower_
        if head.pos_ == "PRON" or lower in PRONOUNS:
            actor = self.resolve_pronoun(lower, position)
            return _Attribution(actor.name if actor else None, actor, cue)
        left = head.left_edge.i
        phrase_tokens = [t for t in self.doc[left : head.i + 1] if not self.quoted[t.i]]
        actor = self._actor_in(head)
        if actor is None and lower in _ORG_NOUNS:
            determiners = {c.lower_ for c in head.children if c.dep_ == "det"}
            owners = [c for c in head.children if c.dep_ in {"poss", "compound"}]
            for owner in owners:
                actor = self._actor_in(owner)
                if actor:
                    break
            if actor is None and determiners & {"the", "this", "that"}:
                actor = self._nearest_organisation(head.sent.start, position) or self._last_speaker(
                    position, lambda a: a.kind is not EntityKind.PERSON
                )
        if actor is not None:
            return _Attribution(actor.name, actor, cue)
        phrase = " ".join(t.text for t in phrase_tokens).replace(" ’s", "’s").replace(" 's", "'s")
        return _Attribution(phrase or None, None, cue)

    def _actor_in(self, head: Any) -> ActorInfo | None:
        """The actor named by this noun, its name parts or an apposition ("X, a spokesman")."""
        actor = self.table.at(head.idx, head.idx + len(head.text))
        if actor:
            return actor
        for child in head.children:
            if child.dep_ in {"appos", "compound", "flat"} and not self.quoted[child.i]:
                found = self.table.at(child.idx, child.idx + len(child.text))
                if found and (child.dep_ == "appos" or found.kind is EntityKind.PERSON):
                    return found
        return None

    def _nearest_organisation(self, sent_start: int, position: int) -> ActorInfo | None:
        """An organisation named in this sentence or the one before ("the Global Times … the newspaper said")."""
        doc = self.doc
        window_start = doc[sent_start - 1].sent.start if sent_start > 0 else 0
        lo = doc[window_start].idx
        for mention in reversed(self.table.mentions):
            if lo <= mention.start < position:
                actor = self.table.by_id(mention.actor)
                if actor.kind is EntityKind.ORGANIZATION:
                    return actor
        return None

    def _last_speaker(self, position: int, accept: Any) -> ActorInfo | None:
        for offset, actor in reversed(self.history):
            if offset < position and accept(actor):
                return actor
        return None

    def resolve_pronoun(self, pronoun: str, position: int) -> ActorInfo | None:
        """Nearest compatible actor before ``position``; grammatical subjects and recent speakers first."""
        kind = PRONOUNS.get(pronoun)
        if kind in {"m", "f"}:

            def compatible(a: ActorInfo) -> bool:
                return a.kind is EntityKind.PERSON and a.gender in {None, kind}
        elif kind == "n":

            def compatible(a: ActorInfo) -> bool:
                return a.kind in {EntityKind.ORGANIZATION, EntityKind.PLACE}
        else:

            def compatible(a: ActorInfo) -> bool:
                return a.kind in {EntityKind.ORGANIZATION, EntityKind.GROUP, EntityKind.PLACE}

        doc = self.doc
        limit = position - 1500
        recent = self._last_speaker(position, compatible)
        candidates = [m for m in self.table.mentions if limit < m.start < position]
        for mention in reversed(candidates):
            actor = self.table.by_id(mention.actor)
            if not compatible(actor):
                continue
            token = doc[mention.token_i]
            if token.dep_ in {"nsubj", "nsubjpass"} or (recent is not None and actor is recent):
                return actor
        if recent is not None:
            return recent
        for mention in reversed(candidates):
            actor = self.table.by_id(mention.actor)
            if compatible(actor):
                return actor
        return None

    def remember(self, position: int, actor: ActorInfo | None) -> None:
        if actor is not None:
            self.history.append((position, actor))
            actor.spoke += 1


def extract_quotes(
    doc: Any, raw: str, spans: list[QuoteSpan], table: ActorTable, paragraphs: tuple[Paragraph, ...]
) -> list[Quote]:
    """Attribute every quote span; drop short scare quotes that have no speaker."""
    speakers = _Speakers(doc, table, spans)
    found: list[tuple[QuoteSpan, _Attribution]] = []
    previous: tuple[QuoteSpan, _Attribution] | None = None
    for span in spans:
        cue = speakers.cue_for(span)
        if cue is not None and (cue.lemma_.lower() not in _CONTINUE_ONLY or cue.lower_ == "according"):
            attribution = speakers.attribute(cue, span.start)
        else:
            attribution = _Attribution()
        if attribution.speaker is None and previous is not None and _continues(span, previous[0], paragraphs):
            attribution = _Attribution(previous[1].speaker, previous[1].actor, previous[1].cue)
        speakers.remember(span.start, attribution.actor)
        found.append((span, attribution))
        previous = (span, attribution)

    # An unclosed quote paragraph with no cue takes the speaker named after its continuation.
    for index in range(len(found) - 2, -1, -1):
        span, attribution = found[index]
        following = found[index + 1]
        if attribution.speaker is None and not span.closed and following[1].speaker is not None:
            if following[0].paragraph == span.paragraph + 1:
                found[index] = (span, following[1])

    quotes = []
    for span, attribution in found:
        text = raw[span.inner_start : span.inner_end]
        if not text.strip() or not any(c.isalpha() for c in text):
            continue
        if attribution.speaker is None and len(text.split()) < MIN_UNATTRIBUTED_WORDS:
            continue
        actor = attribution.actor
        quotes.append(
            Quote(
                text=text,
                speaker=attribution.speaker,
                speaker_slug=slugify(actor.name) if actor else None,
                cue=attribution.cue,
                start=span.inner_start,
                end=span.inner_end,
            )
        )
    return quotes


def _continues(span: QuoteSpan, before: QuoteSpan, paragraphs: tuple[Paragraph, ...]) -> bool:
    """A cue-less quote opening its paragraph, right after a quote paragraph, continues that speaker."""
    para = paragraphs[span.paragraph]
    opens_paragraph = span.start == para.start
    if span.paragraph == before.paragraph:
        return True
    return opens_paragraph and span.paragraph == before.paragraph + 1
