"""Direct quotations and who said them.

Quote marks are paired in plain Python before spaCy runs (``find_quote_spans``), and the text spaCy sees
has mismatched pairs such as ``“ … "`` rewritten as ``“ … ”`` (same length, so offsets carry over): the
tagger and parser then treat the quote as one unit. Speakers come from the dependency parse: the subject
of a speech verb outside the quote, "according to X", pronouns resolved to a nearby compatible actor,
and cue-less quote paragraphs continuing the previous speaker.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from briefgen.extract.actors import ActorInfo, ActorTable, Mention
from briefgen.model import EntityKind, Paragraph, Quote
from briefgen.urls import slugify

OPENERS = "“„«"
CLOSERS = "”»"
STRAIGHT = '"'
WIRE_OPENER = "``"

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
    "react", "opine", "exhort", "elaborate", "scoff", "gush", "marvel", "rant", "press", "fume", "boom",
    "object", "protest", "reason", "sigh", "quote", "start", "sing", "chant", "bark", "growl", "snarl",
    "remember",
}
# Verbs that are speech only with their particle.
_PHRASAL = {"shoot": "back", "fire": "back", "hit": "back", "point": "out", "chime": "in", "go": "on"}
# Cues that say the speaker has spoken before: '“…,” he added', 'she went on', 'he continued'.
_RESUMING = {"add", "continue", "go", "reiterate", "repeat"}
_CONTINUE_ONLY = {"continue", "begin", "start", "put", "read", "echo", "agree"}
PRONOUNS = {"he": "m", "she": "f", "they": "p", "it": "n"}
_ORG_NOUNS = {
    "newspaper", "paper", "department", "ministry", "agency", "government", "company", "firm", "statement",
    "campaign", "group", "organization", "organisation", "committee", "office", "spokesman", "spokeswoman",
    "spokesperson", "party", "administration", "council", "report", "editorial", "bank", "union", "board",
    "court", "army", "military", "police", "service", "team", "club", "network", "magazine", "website",
}
# Institutions named by their owner: 'Dayton police', 'Canada's defense department' are the organisation as
# written, never the place or country that owns them.
_INSTITUTIONS = {
    "police", "department", "ministry", "agency", "government", "office", "council", "court", "army",
    "military", "navy", "embassy", "authority", "authorities", "service", "board", "commission", "parliament",
    "legislature", "prosecutors", "regulator", "regulators", "officials",
}
# A document a speaker issues: 'X issued a statement that read: “…”' names X.
_DOCUMENTS = {"statement", "message", "letter", "post", "tweet", "note", "release", "email", "e-mail", "memo", "video",
              "caption", "ad", "advert", "advertisement", "commercial", "mailer", "flyer", "flier", "leaflet"}
_NOT_NAMES = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY", "NORP", "EVENT", "LAW"}
# Nouns a title or label in quote marks names, and words that introduce one.
_TITLE_NOUNS = {
    "book", "film", "movie", "song", "album", "show", "series", "play", "novel", "memoir", "documentary",
    "episode", "poem", "painting", "button", "label", "tab", "menu", "option", "slogan", "sign", "banner",
    "hashtag", "headline", "column", "article", "essay", "programme", "program", "musical", "opera", "single",
    "ad", "advert", "commercial", "nickname", "class", "course",
}
_TITLE_SMALL_WORDS = {"a", "an", "the", "and", "or", "of", "with", "for", "to", "in", "on", "at", "by", "from", "is",
                      "that", "into", "over", "than"}
# Credits that follow a work's name: '“Orange is the New Black” star Dascha Polanco', '“Bachelor” host'.
_WORK_CREDIT = re.compile(r"[ \t]+(?:star|stars|host|hosts|actor|actress|creator|author|producer|showrunner|"
                          r"director|singer|cast|contestant|alum|alumna|alumnus)\b")
_TITLE_CUES = {"titled", "entitled", "headlined", "dubbed", "labelled", "labeled", "marked", "nicknamed"}
# Role nouns that, as 'the <role>' with no name, refer back to a person already named ('The presidential
# candidate reiterated', 'the actress said'): gender when the noun has one, else any person. Nouns for
# people who are usually new and unnamed ('the spokesman', 'the official', 'the aide') are not here.
_ROLE_NOUNS = {
    "candidate": "x", "nominee": "x", "senator": "x", "governor": "x", "president": "x", "star": "x",
    "frontrunner": "x", "front-runner": "x", "lawmaker": "x", "mayor": "x", "billionaire": "x", "mogul": "x",
    "magnate": "x", "tycoon": "x", "neurosurgeon": "x", "chancellor": "x", "comedian": "x", "singer": "x",
    "congressman": "m", "businessman": "m", "actor": "m", "congresswoman": "f", "businesswoman": "f",
    "actress": "f",
}
MIN_UNATTRIBUTED_WORDS = 5
# A year in brackets right after the closing mark, alone or ending a caption ('(2005)', '(election poster 2003)').
_DATED_AFTER = re.compile(r"[ \t]*\((?:[^()\n]{0,60}\s)?(?:1[89]|20)\d\d\)")
_PLACE_PREPOSITIONS = {"in", "at", "near", "across", "over", "throughout", "around", "outside", "inside", "into"}
_PLACE_NOUNS = {"port", "city", "town", "village", "centre", "center", "outskirts", "suburb", "street", "province",
                "region", "county", "capital", "coast", "heart", "mayor", "resident", "people"}
# Speech verbs that introduce a whole quote right after them, in any form ('chanting “…”', 'declares “…”').
_INTRODUCING_LEMMAS = {
    "chant", "shout", "yell", "scream", "cry", "exclaim", "declare", "echo", "add", "admit", "proclaim", "tweet",
    "write", "post", "say", "tell", "ask", "reply", "answer", "respond", "insist", "warn", "note", "argue",
    "claim", "announce", "state", "explain", "recall", "continue", "joke", "quip", "boast", "read", "sing",
}
# Word forms that introduce a whole quoted statement with no punctuation: 'he said “It was …”'.
_INTRODUCING = {
    "said", "says", "say", "saying", "told", "tells", "added", "adds", "wrote", "writes", "tweeted", "asked",
    "asks", "declared", "stated", "explained", "replied", "answered", "insisted", "warned", "noted",
    "continued", "argued", "posted", "exclaimed", "responded", "shouted", "yelled", "recalled",
}


def is_partial(text: str, span: QuoteSpan, paragraph_start: int) -> bool:
    """A quote opening mid-sentence right after one of the writer's words ('called it “a disaster”') is a
    fragment; one opening a sentence, after a colon/comma/dash, or after 'said'/'told reporters' is whole.
    A quote in lowercase that carries on the writer's sentence ('Ryan said that if the U.S. pulls back, “our
    oceans are going to save us.”') is a fragment too, unless a speech verb introduces it ('He added,
    “actually, …”') or it resumes a quote broken by its attribution ('“…,” Clinton said, “and …”')."""
    if _runs_into_the_writers_words(text, span):
        return True
    before = text[paragraph_start : span.start].rstrip()
    if not before:
        return False
    earlier_lines, _, line = text[paragraph_start : span.start].rpartition("\n")
    if earlier_lines and not line.strip() and re.search(r"[.!?:][)”\"’]*\Z", earlier_lines.rstrip()):
        return False  # a quote opening its line after a finished sentence, where each paragraph is a line
    if span.opened and text[span.inner_start : span.inner_start + 1].islower():
        words = re.findall(r"[\w’'-]+", before[-60:].lower())
        sentence = re.split(r"[.!?][”\"’]?\s+", before)[-1]
        if words and not any(w in _INTRODUCING or _speech_form(w) for w in words[-3:]) \
                and not re.search(r"[”\"]", sentence):
            return True
    if not (before[-1].isalnum() or before[-1] in "’'%)"):
        return False
    if not any(c.islower() for c in before) and len(re.findall(r"[A-Z]{2,}", before)) >= 2:
        return False  # a heading in capitals run into its paragraph ('OBAMA’S LAST STATE OF THE UNION “…”')
    words = re.findall(r"[\w’'-]+", before[-60:].lower())
    # 'told reporters “…”', 'asked CNN “…”': the verb's object may stand between.
    introduced = words[-1] in _INTRODUCING or _speech_form(words[-1]) \
        or (len(words) > 1 and words[-2] in {"told", "tells", "asked", "asks"})
    return not introduced or _sentence_goes_on(text, span)


def _sentence_goes_on(text: str, span: QuoteSpan) -> bool:
    """The writer's sentence runs on past the closing mark ('Obama said “it gets me mad” every time he …'):
    no punctuation closes the quoted words, and a lowercase word that is no attribution ('he said') follows."""
    if not span.closed or text[span.end - span.close_width - 1] in ".,;:!?…-—":
        return False
    after = re.match(r"[ \t]+([a-z][\w’'-]*)", text[span.end : span.end + 30])
    if after is None:
        return False
    word = after.group(1)
    return word not in {*PRONOUNS, "i", "we", "you", *_INTRODUCING} and not _speech_form(word)


_FEW_WORDS = 7


def _runs_into_the_writers_words(text: str, span: QuoteSpan) -> bool:
    """'“Boots on the ground” would be appropriate, Carson said', 'said, “We are frustrated and horrified” by
    the shooting': wherever the quote opens, a few quoted words (a statement of its own runs longer) after
    which the writer's sentence goes on with words that are no attribution (no speech verb right before the
    quote or among the next five words) are a piece of that sentence."""
    if len(text[span.inner_start : span.inner_end].split()) > _FEW_WORDS or not _sentence_goes_on(text, span):
        return False
    before = re.findall(r"[\w’'-]+", text[max(0, span.start - 30) : span.start].lower())[-2:]
    if any(w in _INTRODUCING or _speech_form(w) for w in before):
        return False  # 'saying: “The struggle continues” and vowing …': what a speech verb introduces is whole
    following = re.findall(r"[\w’'-]+", text[span.end : span.end + 60].lower())[:5]
    return not any(w in _INTRODUCING or w == "according" or _speech_form(w) for w in following)


def _speech_form(word: str) -> bool:
    """'chanting', 'shouted', 'declares': an inflected speech verb right before the mark introduces it."""
    for suffix, restore in (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("d", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and (word[: -len(suffix)] + restore) in _INTRODUCING_LEMMAS:
            return True
    return False


@dataclass(slots=True)
class QuoteSpan:
    """A paired quotation: ``start``/``end`` include the marks; ``inner_*`` is the quoted text."""

    start: int
    end: int
    inner_start: int
    inner_end: int
    closed: bool
    paragraph: int
    opened: bool = True
    """False for the rest of a quote carried over from an unclosed paragraph: no opening mark at ``start``."""
    open_width: int = 1
    """Characters of the opening mark (2 for the wire's ``` `` ```; 0 when not ``opened``)."""
    close_width: int = 1
    """Characters of the closing mark (2 for the wire's ``''``; 0 when not ``closed``)."""


def _opener_like(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return (before.isspace() or before in "([{—–-/:") and not after.isspace()


def find_quote_spans(text: str, paragraphs: tuple[Paragraph, ...]) -> list[QuoteSpan]:
    """Pair quotation marks paragraph by paragraph; a quote left open runs to the paragraph's end.

    Double marks first (curly, straight, the wire's ``` `` ``` opener and ``''`` closer), then single marks
    (British style) outside them; a double-quoted span inside a single-quoted one is nested, not a quote.
    """
    spans: list[QuoteSpan] = []
    carried = False  # the previous paragraph left a quote open
    for p_index, para in enumerate(paragraphs):
        doubles, carried = _double_spans(text, para.start, para.end, p_index, carried)
        singles = _single_spans(text, para.start, para.end, p_index, doubles)
        if singles:
            doubles = [d for d in doubles if not any(s.start < d.start and d.end <= s.end for s in singles)]
        spans += sorted(doubles + singles, key=lambda s: s.start)
    return spans


def _opens_paragraph(text: str, lo: int, i: int) -> bool:
    """Only spaces and invisible formatting characters (a left-to-right mark) stand before ``i``."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text[lo:i])


def _double_spans(text: str, lo: int, hi: int, p_index: int, carried: bool) -> tuple[list[QuoteSpan], bool]:
    spans: list[QuoteSpan] = []
    stack: list[tuple[int, str]] = []  # (offset, mark)
    i = lo
    while i < hi:
        c = text[i]
        width = 1
        if text.startswith("``", i):
            c, width = WIRE_OPENER, 2
        elif c in OPENERS and stack and not text[i - 1].isspace() and (i + 1 >= hi or text[i + 1].isspace()):
            c = "»" if c == "«" else "”"  # '…her here,“ said X': an opening mark typed where a closer belongs
        elif text.startswith("''", i) and i > lo and not text[i - 1].isspace() and (stack or carried):
            c, width = "”", 2  # the wire's closer
        elif c in CLOSERS and not stack and not carried and _opens_paragraph(text, lo, i):
            c = "«" if c == "»" else "“"  # '”Sorry Sarah, …!!” posted X': a closing mark typed to open a paragraph
        if carried and not stack and (c in CLOSERS or (c == STRAIGHT and not _opener_like(text, i, lo, hi))):
            # A closing mark before any opener ends the quote the previous paragraph left open.
            spans.append(_span(text, lo, i + width, True, p_index, opened=False, close_width=width))
            carried = False
            i += width
            continue
        if c in OPENERS or c in (STRAIGHT, WIRE_OPENER):
            carried = False
        if c in OPENERS or c == WIRE_OPENER:
            stack.append((i, c))
        elif c in CLOSERS:
            if stack:
                start, mark = stack.pop()
                if not stack:
                    spans.append(_span(text, start, i + width, True, p_index, open_width=1 + (mark == WIRE_OPENER),
                                       close_width=width))
        elif c == STRAIGHT:
            opener_like = _opener_like(text, i, lo, hi)
            if not stack:
                if opener_like:
                    stack.append((i, c))
            elif stack[-1][1] == STRAIGHT or not opener_like:
                start, mark = stack.pop()
                if not stack:
                    spans.append(_span(text, start, i + 1, True, p_index, open_width=1 + (mark == WIRE_OPENER)))
            else:
                stack.append((i, c))  # a straight quote nested in a curly one
        i += width
    if stack:
        spans.append(_span(text, stack[0][0], hi, False, p_index, open_width=1 + (stack[0][1] == WIRE_OPENER)))
    return spans, bool(stack)


SINGLE_OPENERS = "‘'"
_TWO_APOSTROPHE_PAIR = re.compile(r"(?<!\S)''\S.*?(?:\S''(?!\w)|\Z)", re.S)
"""A ''…'' pair (the New York Times' quote marks): not paired as a quote of its own (PolNeAR's gold leaves
them out), but quoted words all the same, which the summary must not hold (``quoted_by_apostrophes``)."""


def quoted_by_apostrophes(text: str) -> list[tuple[int, int]]:
    """Offsets of the ''…'' pairs in ``text`` (one sentence or paragraph: an unclosed pair runs to its end)."""
    if "''" not in text:
        return []
    return [(m.start(), m.end()) for m in _TWO_APOSTROPHE_PAIR.finditer(text)]
SINGLE_CLOSERS = "’'"
# A mark before these is an elision, not an opening quote: ’90s, 'em, rock 'n' roll, 'tis.
_ELISION = re.compile(r"(?:\d\d?s?\b|em\b|n\b|til\b|cause\b|tis\b|twas\b)", re.I)


def _single_opener(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return (
        text[i] in SINGLE_OPENERS
        and (before.isspace() or before in "([{—–-/:“\"")
        and (after.isalnum() or after in "…$£€")
        and not _ELISION.match(text, i + 1, hi)
    )


def _single_closer(text: str, i: int, lo: int, hi: int) -> bool:
    before = text[i - 1] if i > lo else " "
    after = text[i + 1] if i + 1 < hi else " "
    return text[i] in SINGLE_CLOSERS and not before.isspace() and (after.isspace() or after in ",.;:!?)]—–-”\"")


def _single_spans(text: str, lo: int, hi: int, p_index: int, doubles: list[QuoteSpan]) -> list[QuoteSpan]:
    """British single quotes: ‘…’ or '…' opening and closing at word boundaries. An apostrophe inside a word
    (it’s), an elision (’90s) or a lone possessive (the Joneses’ house) never opens or closes one; a
    plural possessive inside a quote (‘the Joneses’ house,’ she said) is passed over when a closer
    after punctuation follows before the next quote opens."""
    if not any(c in text[lo:hi] for c in SINGLE_OPENERS):
        return []
    inside = [(d.start, d.end) for d in doubles]
    # Single marks nested in a ''…'' pair (quote marks in some American copy) are not quotes of their own.
    inside += [(lo + m.start(), lo + m.end()) for m in _TWO_APOSTROPHE_PAIR.finditer(text[lo:hi])]

    def free(i: int) -> bool:
        return not any(a <= i < b for a, b in inside) and text[i - 1 : i + 1] != "''" and text[i : i + 2] != "''"

    marks = [(i, _single_opener(text, i, lo, hi), _single_closer(text, i, lo, hi)) for i in range(lo, hi)
             if text[i] in SINGLE_OPENERS + SINGLE_CLOSERS and free(i)]
    marks = [m for m in marks if m[1] or m[2]]
    spans: list[QuoteSpan] = []
    stack: list[int] = []
    for n, (i, opener, closer) in enumerate(marks):
        if closer and stack:
            possessive = text[i - 1] in "sz" and (i + 1 >= hi or text[i + 1].isspace())
            if possessive and len(stack) == 1:
                # Skip it when a sure closer ('…,’' / '….’') comes before the next opener.
                later = next((m for m in marks[n + 1 :] if m[1] or m[2]), None)
                if later is not None and later[2] and not later[1] and text[later[0] - 1] in ",.!?;:":
                    continue
            start = stack.pop()
            if not stack and i - start > 2:
                spans.append(_span(text, start, i + 1, True, p_index))
        elif opener:
            stack.append(i)
    if stack and stack[0] == lo:
        # '‘…' left open at the end of its paragraph: British style opens each paragraph of a long quote.
        spans.append(_span(text, lo, hi, False, p_index))
    # A single-quoted span may not cut through a double-quoted one.
    return [s for s in spans if not any(a < s.start < b or a < s.end < b for a, b in inside)]


def _span(
    text: str, start: int, end: int, closed: bool, paragraph: int, *, opened: bool = True, open_width: int = 1,
    close_width: int = 1,
) -> QuoteSpan:
    inner_start, inner_end = start + (open_width if opened else 0), end - close_width if closed else end
    while inner_start < inner_end and text[inner_start].isspace():
        inner_start += 1
    while inner_end > inner_start and (text[inner_end - 1].isspace() or text[inner_end - 1] in ",;:"):
        inner_end -= 1
    return QuoteSpan(start, end, inner_start, inner_end, closed, paragraph, opened, open_width if opened else 0,
                     close_width if closed else 0)


def normalise_marks(text: str, spans: list[QuoteSpan]) -> str:
    """Rewrite each quote's marks as a curly pair (same length: a two-character mark becomes the mark and a
    space), and marks nested inside as single quotes."""
    chars = list(text)
    for span in spans:
        if span.opened:
            chars[span.start : span.start + span.open_width] = "“" + " " * (span.open_width - 1)
        if span.closed:
            chars[span.end - span.close_width : span.end] = " " * (span.close_width - 1) + "”"
        for i in range(span.start + span.open_width, span.end - span.close_width):
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
    cue_at: int = -1
    """Character offset of the cue word (-1: none)."""
    pronoun: bool = False
    """The speaker was found through a pronoun."""
    at: int = -1
    """Where a speaker with no actor is written (-1: unknown)."""
    kind: EntityKind | None = None
    """What kind of actor a speaker with no actor is, when the phrase tells ('Dayton police')."""
    named: bool = False
    """A speaker with no actor is named ('Dayton police', 'D’Souza'), not nominal ('a senior official')."""


class _Speakers:
    """Resolves speaker phrases for one Doc, remembering who spoke last."""

    def __init__(self, doc: Any, table: ActorTable, spans: list[QuoteSpan]) -> None:
        self.doc = doc
        self.text = doc.text  # rebuilt from the tokens on every access: read it once
        self.table = table
        self.quoted = [False] * len(doc)
        for span in spans:
            for token in doc.char_span(span.start, span.end, alignment_mode="expand") or ():
                self.quoted[token.i] = True
        self.history: list[tuple[int, ActorInfo]] = []  # (char offset, actor) of attributed speakers
        # The last speaker named outright (not by a pronoun), even one the model did not tag ("D’Souza
        # replied"): (char offset, phrase, actor or None).
        self.last_named: tuple[int, str, ActorInfo | None] | None = None
        self._people_by_pronouns()

    def cue_for(self, span: QuoteSpan) -> Any | None:
        """The speech verb (or 'according') governing the quote, outside any quote, in its sentences."""
        doc = self.doc
        first = doc.char_span(span.start, span.start + 1, alignment_mode="expand")
        last = doc.char_span(max(span.end - 1, span.start), span.end, alignment_mode="expand")
        if first is None or last is None:
            return None
        sent_start, sent_end = first[0].sent.start, last[-1].sent.end
        tail = self.text[span.end : span.end + 40].lstrip(" \t")
        lowercase_after = bool(tail) and tail[0].islower()
        if (
            span.closed
            and (self.text[span.inner_end : span.end - 1].strip() == "," or lowercase_after)
            and last[-1].i + 1 < len(doc)
        ):
            # '“…,” X said' and '“…!” he said' continue past a wrong sentence break (abbreviations, a stray
            # mark, or the parser ending the sentence at the quote's own full stop).
            following = doc[last[-1].i + 1].sent
            sent_end = max(sent_end, following.end)
            if following.end < len(doc) and not following.text.rstrip().endswith((".", "!", "?")):
                sent_end = doc[following.end].sent.end
        # A sentence may run over a line break where paragraphs are single lines: a cue on the next line
        # is the next paragraph's ('“…” | Martha Allen, a delegate, criticized …').
        after = [t for t in doc[last[-1].i + 1 : sent_end]
                 if self._is_cue(t) and "\n" not in self.text[span.end : t.idx]]
        before = [t for t in doc[sent_start : first[0].i]
                  if self._is_cue(t) and "\n" not in self.text[t.idx : span.start]]
        beside = [t for t in before if _next_to(t, span)]
        if (
            not after
            and not beside
            and span.closed
            and sent_end < len(doc)
            and doc[sent_end].idx <= span.end + 2
            and "\n" not in self.text[span.end : doc[sent_end].idx]
        ):
            # The parser ended the sentence at the closing mark: '“…” Bush said.', '“…?” Trump asked.' A verb
            # that says something of its own is another report ('“…” Ohio Gov. John Kasich said he would …').
            following = doc[sent_end].sent
            after = [t for t in following[:6] if self._is_cue(t)
                     and not any(c.dep_ in {"ccomp", "xcomp"} for c in t.children)]
        if after and not is_partial(self.text, span, doc[sent_start].idx):
            if beside and after[0].tag_ == "VBG":
                # 'but said, “It’s time we change,” promising the club will return …': a participle after the
                # quote goes on about the speaker; the verb right before introduces the quote.
                return beside[-1]
            return after[0]
        colon = self._colon_verb(span)
        if colon is not None:
            return colon
        if before:
            return before[-1]  # for a fragment ('said the plan was “a disaster”') the verb before wins
        return after[0] if after else self._attribution_frame(span)

    def _attribution_frame(self, span: QuoteSpan) -> Any | None:
        """'“…,” an angry Hollande retaliated.', '“…,” he surmised.': a quote closed on a comma, '!' or '?' and
        followed by a short clause of a subject and a verb that says nothing else (no object, clause or
        complement; the sentence ends or goes on with a place or time), or by such a verb right after it with a
        person's name as its subject ('“…!” beamed Donald Hartley of Madison'), is attributed by that verb,
        whatever the verb is."""
        if not span.closed or self.text[span.end - span.close_width - 1] not in ",!?":
            return None
        doc = self.doc
        after = doc.char_span(span.end, min(len(self.text), span.end + 60), alignment_mode="contract")
        if after is None or "\n" in self.text[span.end : span.end + 60].split(".")[0]:
            return None
        words = [t for t in after if not t.is_space][:6]
        verb = next((t for t in words if t.pos_ == "VERB" and t.tag_ in {"VBD", "VBZ"}), None)
        if verb is None or self.quoted[verb.i] or any(
                c.dep_ in {"dobj", "ccomp", "xcomp", "acomp", "attr", "oprd"} and not self.quoted[c.i]
                for c in verb.children):
            return None
        if verb is words[0] and verb.text.islower():
            # Inverted: '“This is fantastic!” beamed Donald Hartley of Madison, …'.
            subjects = [c for c in verb.children if c.dep_ == "nsubj" and c.i > verb.i and not self.quoted[c.i]]
            if not subjects or subjects[0].pos_ != "PROPN":
                return None
        else:
            subjects = [c for c in verb.children if c.dep_ == "nsubj" and c.i < verb.i]
            if not subjects or subjects[0].left_edge.i != words[0].i:
                return None  # the clause must open right after the quote
            following = doc[verb.i + 1] if verb.i + 1 < len(doc) else None
            if following is not None and not (following.is_punct or following.pos_ in {"ADP", "ADV", "SCONJ"}):
                return None
        subject = subjects[0]
        actor = self._actor_in(subject)
        person = subject.lower_ in {"he", "she"} or (actor is not None and actor.kind is EntityKind.PERSON)
        return verb if person else None

    def _colon_verb(self, span: QuoteSpan) -> Any | None:
        """'Rubio fired back forcefully: “…”': the verb the colon right before the quote belongs to."""
        doc = self.doc
        before = self.text[: span.start].rstrip()
        if not before.endswith(":"):
            return None
        colon = doc.char_span(len(before) - 1, len(before), alignment_mode="expand")
        if colon is None:
            return None
        verb = colon[0].head
        if verb.pos_ not in {"VERB", "AUX"} or self.quoted[verb.i]:
            return self._named_clause_before(colon[0])
        subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"} and not self.quoted[c.i]]
        # 'She went on: “…”', 'Continued Stone: “…”': any verb whose subject is a person or a pronoun.
        named = subjects and (
            self._actor_in(subjects[0]) is not None or subjects[0].pos_ == "PROPN"
            or subjects[0].lower_ in {"he", "she"}
        )
        return verb if verb.lemma_.lower() in SPEECH_VERBS or named else None

    def introduced_by(self, span: QuoteSpan, paragraphs: tuple[Paragraph, ...]) -> Any | None:
        """The cue of a sentence ending in a colon right before the quote ('Cruz continued:' on the line
        above a block quote, 'the statement reads: “…”'), or a named subject introducing it ('Clinton
        released the following statement:')."""
        doc = self.doc
        para = paragraphs[span.paragraph]
        before = self.text[para.start : span.start].rstrip()
        if before:
            colon = para.start + len(before) - 1
        elif span.paragraph > 0:
            prev = paragraphs[span.paragraph - 1]
            colon = prev.end - 1
        else:
            return None
        if self.text[colon] == ".":
            return self._complete_speech_sentence(colon)
        if self.text[colon] == ",":
            return self._document_issued(colon)
        if self.text[colon] != ":":
            return None
        token = doc.char_span(colon, colon + 1, alignment_mode="expand")
        if token is None:
            return None
        sent = token[0].sent
        cues = [t for t in sent if not self.quoted[t.i] and t.pos_ == "VERB" and t.lemma_.lower() in SPEECH_VERBS]
        if cues:
            return cues[-1]
        root = sent.root
        subjects = [c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"} and not self.quoted[c.i]]
        if subjects and self._actor_in(subjects[0]) is not None:
            return root
        return self._named_clause_before(token[0])

    def _document_issued(self, comma: int) -> Any | None:
        """'Trump issued a statement, “…”': the verb that issued the document named right before the comma."""
        token = self.doc.char_span(comma, comma + 1, alignment_mode="expand")
        if token is None or token[0].i == 0:
            return None
        document = self.doc[token[0].i - 1]
        if document.lower_ not in _DOCUMENTS or document.dep_ != "dobj" or self.quoted[document.i]:
            return None
        verb = document.head
        return verb if any(c.dep_ in {"nsubj", "nsubjpass"} and not self.quoted[c.i] for c in verb.children) else None

    def _complete_speech_sentence(self, stop: int) -> Any | None:
        """'Sam Lau, the party's spokesman, said in a statement. “…”': a sentence right before the quote
        whose speech verb says nothing of its own (no clause, object or quote after it) announces it."""
        token = self.doc.char_span(stop, stop + 1, alignment_mode="expand")
        if token is None:
            return None
        sent = token[0].sent
        # A sentence right after a quote ('“…?” | she asked.', split at the question mark) is that quote's cue.
        if any(self.quoted[t.i] for t in sent) or (sent.start > 0 and self.quoted[sent.start - 1]):
            return None
        # 'Dianne Bystrom agreed. “…”': agreeing or echoing with nothing after it announces the quote too.
        cues = [t for t in sent if t.pos_ == "VERB"
                and t.lemma_.lower() in SPEECH_VERBS - (_CONTINUE_ONLY - {"agree", "echo"})]
        if not cues:
            return None
        verb = cues[-1]
        said_something = any(
            c.dep_ in {"ccomp", "xcomp", "parataxis", "conj"} or (c.dep_ == "dobj" and verb.lemma_.lower() != "tell")
            for c in verb.children
        )
        if said_something or not any(c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children):
            return None
        return verb

    def _named_clause_before(self, colon: Any) -> Any | None:
        """'Ortiz was blunt: “…”', 'the Board was conclusive in its findings: “…”': the verb of the clause
        ending at the colon, when its subject names someone (the parser often hangs the colon on the
        quote's own verb)."""
        sent = colon.sent
        if colon.i > 0 and self.doc[colon.i - 1].pos_ == "PROPN":
            return None  # 'Pollsters agree - Carl Bialik: “…”': the name before the colon speaks
        for t in reversed(self.doc[sent.start : colon.i]):
            if t.dep_ in {"nsubj", "nsubjpass"} and not self.quoted[t.i] and not self.quoted[t.head.i] \
                    and t.head.i < colon.i and t.tag_ not in {"WP", "WDT"}:  # 'for what happened:' is no clause
                named = self._actor_in(t) is not None or t.pos_ == "PROPN" or t.lower_ in {"he", "she"} or (
                    t.lower_ in _DOCUMENTS and any(c.dep_ == "poss" and c.pos_ == "PROPN" for c in t.children))
                return t.head if named else None
        return None

    def _is_cue(self, token: Any) -> bool:
        if self.quoted[token.i]:
            return False
        if token.lower_ == "according" and token.i + 1 < len(self.doc) and self.doc[token.i + 1].lower_ == "to":
            return True
        if token.pos_ != "VERB" or token.dep_ == "amod":  # 'a written statement': an adjective
            return False
        lemma = token.lemma_.lower()
        if lemma in _PHRASAL:  # 'Sanders shot back, “…”'
            return any(c.dep_ in {"prt", "advmod"} and c.lower_ == _PHRASAL[lemma] for c in token.children)
        return lemma in SPEECH_VERBS

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
                # Two subjects on one verb are a misparse of two clauses ('said the mayor, …, but a resident
                # objected'): the one nearest the verb is its own.
                subject = min(subjects, key=lambda c: abs(c.i - verb.i))
                agents = [o for a in verb.children if a.dep_ == "agent" for o in a.children
                          if o.dep_ == "pobj" and not self.quoted[o.i]]
                if subject.dep_ == "nsubjpass" and agents and verb is cue:
                    # 'Sanders was asked by host Bill Maher, “…”': the asker speaks; in 'Silverman was joined by
                    # Franken and joked, “…”' the joker is the passive verb's subject.
                    subject = agents[0]
                if subject.tag_ in {"WP", "WDT"} and verb.dep_ == "relcl":
                    subject = verb.head  # "Mayor X, who said: …" -> X
                return self._resolve(subject, position, cue.text, resuming=cue.lemma_.lower() in _RESUMING)
            if verb is cue and (inverted := self._inverted_subject(verb)) is not None:
                return self._resolve(inverted, position, cue.text)
            if verb is cue and (named := self._name_right_before(verb)) is not None:
                return self._resolve(named, position, cue.text)
            if verb is cue and (described := self._noun_before_relative_clause(verb)) is not None:
                return self._resolve(described, position, cue.text)
            if verb.dep_ in {"advcl", "conj"} and verb.head.dep_ == "ccomp" and self._is_cue(verb.head.head):
                # 'Trump told Newsmax that Romney had …, adding, “…”', 'Suu Kyi said it was too early … but
                # added, “…”': the parser hangs the second verb on the reported clause; it is the teller's.
                verb = verb.head.head
                continue
            if verb.dep_ == "pcomp" and verb.head.head is not verb.head:
                verb = verb.head.head  # 'She followed that by saying, “…”'
                continue
            # 'Durbin, noting the size of the list, said, “…”': the parser hangs 'said' on 'noting' (parataxis).
            if verb.dep_ in _CLIMBING and verb.head is not verb:
                noun = verb.head
                if verb.dep_ in {"relcl", "acl"} and not self.quoted[noun.i]:
                    # 'X, who said: …' names X; 'ended with a reference …, remarking “…”' does not name
                    # 'a reference': then the speaker is the subject of the verb the noun depends on.
                    if verb.dep_ == "relcl" or self._actor_in(noun) is not None or noun.pos_ == "PROPN":
                        return self._resolve(noun, position, cue.text)
                    verb = noun.head if noun.head is not noun else noun
                    continue
                verb = noun
            else:
                break
        if cue.tag_ == "VBG" and (subject := self._subject_before(cue)) is not None:
            # 'Band member Flea shared the news, writing “…”' with 'writing' parsed as the quote's subject: the
            # participle tells of the subject of the clause it follows.
            return self._resolve(subject, position, cue.text)
        return _Attribution(cue=cue.text)

    def _subject_before(self, participle: Any) -> Any | None:
        """The subject of the last finite verb before ``participle`` in its sentence, outside quotes."""
        for token in reversed(self.doc[participle.sent.start : participle.i]):
            if not self.quoted[token.i] and token.pos_ in {"VERB", "AUX"} and token.tag_ in {"VBD", "VBZ", "VBP"}:
                subjects = [c for c in token.children if c.dep_ in {"nsubj", "nsubjpass"} and not self.quoted[c.i]]
                return subjects[0] if subjects else None
        return None

    def _name_right_before(self, verb: Any) -> Any | None:
        """'…, her senior policy adviser, Jake Sullivan, said: “…”', 'Paul Ryan (R-WI) said “…”', 'Texas delegate
        Bill Eastland, wearing a cowboy hat and “Ted Cruz” pins, said': a subject-less speech verb right after a
        person's name that the parser hung elsewhere, or after the name and a parenthesis or a phrase between
        commas with no clause of its own; that name is the subject it lost."""
        if verb.tag_ not in {"VBD", "VBZ", "VBP"}:
            return None  # a participle has no subject of its own ('… to Adelson, telling Reuters, “…”')
        doc = self.doc
        i = verb.i - 1
        if i >= 0 and doc[i].text == ")":
            while i > verb.sent.start and doc[i].text != "(":
                i -= 1
            i -= 1
        elif i >= 0 and doc[i].text == ",":
            i -= 1
            phrase_start = next((j for j in range(i, max(verb.sent.start, i - 15) - 1, -1) if doc[j].text == ","), None)
            inside = doc[phrase_start + 1 : i + 1] if phrase_start is not None else doc[0:0]
            if phrase_start is not None and len(inside) and inside[0].tag_ == "VBG" and not any(
                    t.dep_ in {"nsubj", "nsubjpass"} or t.tag_ in {"VBD", "VBZ", "VBP", "MD"}
                    for t in inside if not self.quoted[t.i]):
                i = phrase_start - 1  # ', wearing a cowboy hat and “Ted Cruz” pins,'
        if i < 0 or self.quoted[i] or doc[i].pos_ != "PROPN":
            return None
        actor = self.table.at(doc[i].idx, doc[i].idx + len(doc[i].text))
        return doc[i] if actor is not None and actor.kind is EntityKind.PERSON else None

    def _noun_before_relative_clause(self, verb: Any) -> Any | None:
        """'a White House official who spoke anonymously to discuss strategy said Wednesday, “…”': the parser
        hangs the noun on an earlier phrase and leaves the speech verb without a subject; a relative clause
        that ends right before the verb (a comma between allowed) describes its subject, the noun it is on."""
        if verb.tag_ not in {"VBD", "VBZ", "VBP"}:
            return None
        doc = self.doc
        last = verb.i - 1
        if last > verb.sent.start and doc[last].text == ",":
            last -= 1
        if last < verb.sent.start or self.quoted[last]:
            return None
        clause = doc[last]
        for _ in range(len(doc)):  # up the tree to the clause that ends there (a parse tree has no cycles)
            if clause.dep_ == "relcl" or clause.head is clause or clause.head.right_edge.i != last:
                break
            clause = clause.head
        if clause.dep_ != "relcl" or clause.right_edge.i != last:
            return None
        noun = clause.head
        if self.quoted[noun.i] or noun.pos_ not in {"NOUN", "PROPN"} or noun.i >= verb.i:
            return None
        return noun

    def _inverted_subject(self, verb: Any) -> Any | None:
        """'“…,” added Gowdy.', '“…,” said David Brock, a Clinton confidant who heads …': the parser often
        makes the name after the verb its object or the subject of a later word; right after a quotation,
        a proper name that starts right after the verb is the speaker (the last word of the name)."""
        doc = self.doc
        if verb.i == 0 or not (self.quoted[verb.i - 1] or (verb.i > 1 and self.quoted[verb.i - 2])):
            return None
        start = verb.i + 1
        # 'said retired neurosurgeon Ben Carson': a few lowercase descriptor words may come first.
        while start < min(len(doc), verb.i + 4) and doc[start].pos_ in {"DET", "ADJ", "NOUN"} \
                and doc[start].text.islower():
            start += 1
        end = start
        # The tagger sometimes takes an unknown surname for an adverb ('said Skelly, explaining …').
        while end < len(doc) and not self.quoted[end] and (
            doc[end].pos_ == "PROPN" or (doc[end].text.istitle() and doc[end].pos_ in {"ADV", "NOUN", "ADJ"})
        ):
            end += 1
        if end > start:
            return doc[end - 1]
        if start > verb.i + 1 and doc[start - 1].pos_ == "NOUN":
            # 'said the mayor, Jo Park, …': the name in apposition; 'said the mayor.': the noun as written.
            names = [c for c in doc[start - 1].children if c.dep_ == "appos" and c.pos_ == "PROPN"]
            if not names and start + 1 < len(doc) and doc[start].text == "," and doc[start + 1].pos_ == "PROPN":
                end = start + 1
                while end < len(doc) and doc[end].pos_ == "PROPN" and not self.quoted[end]:
                    end += 1
                names = [doc[end - 1]]
            return names[0] if names else doc[start - 1]
        return None

    def _resolve(self, head: Any, position: int, cue: str, resuming: bool = False) -> _Attribution:
        """The speaker a subject names. ``resuming``: the cue says the speaker spoke before ('added')."""
        lower = head.lower_
        if lower in PRONOUNS:  # other pronouns ("Some chanted", "Another tweeted") are speakers as written
            name: str | None
            actor: ActorInfo | None
            if resuming and (earlier := self._earlier_speaker(lower, position)) is not None:
                name, actor = earlier
            elif (carried := self._recent_named(lower, position)) is not None:
                name, actor = carried[1], carried[2]
            else:
                actor = self.resolve_pronoun(lower, position)
                name = actor.name if actor else None
            if actor is not None and actor.gender is None and PRONOUNS[lower] in {"m", "f"}:
                # '“Savage,” she said' tells Deja Stewart's gender, so a later 'he told me' is someone else.
                actor.gender = PRONOUNS[lower]
            return _Attribution(name, actor, cue, pronoun=True)
        left = head.left_edge.i
        if lower in _DOCUMENTS and (issuer := self._issuer(head)) is not None:
            return self._resolve(issuer, position, cue)
        if lower in _INSTITUTIONS and self.table.at(head.idx, head.idx + len(head.text)) is None and any(
            c.dep_ in {"poss", "compound"} and (c.pos_ == "PROPN" or self._actor_in(c) is not None)
            for c in head.children
        ):
            # 'Dayton police', 'Canada's defense department': the institution as written, an organisation
            # (even where the model took 'Dayton' for a person).
            words = [t for t in self.doc[left : head.i + 1] if not self.quoted[t.i]]
            while words and words[0].dep_ == "det":
                words.pop(0)
            if words:
                phrase = self.text[words[0].idx : head.idx + len(head.text)]
                return _Attribution(" ".join(phrase.split()), None, cue, at=words[0].idx,
                                    kind=EntityKind.ORGANIZATION, named=True)
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
        if actor is None and lower in _ROLE_NOUNS and head.pos_ == "NOUN" and self._bare_definite(head):
            actor = self.resolve_pronoun(_ROLE_NOUNS[lower], position)
        if actor is not None and actor.kind is EntityKind.GROUP:
            actor = None  # 'a Nevada Democrat', 'two Republicans': a description, not the group's page
        if actor is not None:
            return _Attribution(actor.name, actor, cue)
        if len(phrase_tokens) == head.i + 1 - left:  # nothing quoted inside: the phrase as written
            phrase = self.text[self.doc[left].idx : head.idx + len(head.text)]
        else:
            phrase = " ".join(t.text for t in phrase_tokens).replace(" ’s", "’s").replace(" 's", "'s")
        phrase = " ".join(phrase.split())
        kind = EntityKind.ORGANIZATION if lower in _ORG_NOUNS | _INSTITUTIONS else None
        named = bool(phrase_tokens) and phrase_tokens[0].dep_ not in {"det", "poss", "nummod"} and any(
            (t.pos_ == "PROPN" or (t.pos_ == "NOUN" and not t.is_sent_start))  # 'D’Souza' tagged a noun
            and t.text[:1].isupper() and t.ent_type_ not in _NOT_NAMES
            and not (t.text.isupper() and len(t.text) > 5) for t in phrase_tokens)
        return _Attribution(phrase or None, None, cue, at=self.doc[left].idx, kind=kind, named=named)

    def title_or_label(self, span: QuoteSpan, governed: bool) -> bool:
        """A title or label in quote marks ('the film “Lost Highway”', 'the “Buy now” button', 'a book titled
        “…”', 'told NBC’s “Today”'): short, no sentence of its own, naming the noun it stands beside or a
        work someone owns. ``governed``: a speech verb introduces the quote, so only a title's own
        signs count (a title cue, an owner's possessive, 'on “…”')."""
        inner = self.text[span.inner_start : span.inner_end]
        words = inner.split()
        comma = self.text[span.inner_end : span.end - span.close_width].strip() == "," \
            or self.text[span.end : span.end + 1] == ","
        if span.closed and comma and len(words) <= 25 and _BYLINE_AFTER.match(self.text, span.end):
            return True  # a headline with its byline, in a digest: '—“Hamilton to play Chicago,” by Variety’s …'
        line_start = self.text.rfind("\n", 0, span.start) + 1
        line_end = self.text.find("\n", span.end)
        own_line = not self.text[line_start : span.start].strip() \
            and not self.text[span.end : line_end if line_end != -1 else len(self.text)].strip()
        if span.closed and own_line and len(words) >= 2 and inner.isupper() and inner.rstrip()[-1:].isalpha():
            return True  # '“DIVISIVE, STUPID AND WRONG”' on a line of its own: a subheading quoting the story
        if not governed and span.closed and _DATED_AFTER.match(self.text, span.end):
            return True  # '“Yes to minaret ban” (2009) — “Free pass? No.” (2007)': posters or headlines with their year
        if not words or len(words) > 10:
            return False
        title_case = all(w[:1].isupper() or not w[:1].isalpha() or len(w) <= 3 or w in _TITLE_SMALL_WORDS
                         for w in words) \
            and words[0][:1].isupper()
        ending = inner.rstrip("”’\"'")
        lead = self.text[max(0, span.start - 40) : span.start]
        before = re.findall(r"[\w’'-]+", lead.lower())
        named_by_noun = bool(before) and bool({before[-1], before[-1].removesuffix("s")} & _TITLE_NOUNS)
        # A full stop inside the marks may be the writer's own (American style): 'told ABC’s “Good Morning
        # America.”', 'by a nickname, “Gert.”'. Only a name in title case (two words or more, or one after its
        # noun) is read that way.
        if ending.endswith(("!", "?")) or (
                ending.endswith(".") and not (title_case and (len(words) >= 2 or named_by_noun))):
            return False
        if before and before[-1] in _TITLE_CUES:
            return True
        if title_case and len(words) <= 6 and before and (
                re.search(r"\w['’]s\s*$", lead) or before[-1] in {"on", "in", "of", "told", "tells", "telling"}
                or (named_by_noun and re.search(r"\w,?\s*$", lead))):
            return True  # 'ABC’s “Good Morning America”', 'appeared on “Today”', 'her memoir, “Tough Choices”'
        if title_case and span.closed and not ending.endswith((".", ",")) \
                and _WORK_CREDIT.match(self.text, span.end):
            return True  # '“Orange is the New Black” star Dascha Polanco': a work's name before its credit
        if title_case and len(words) <= 6 and self._subject_phrase(span):
            return True  # '“Sons of Trump” is an adaptation of …': the name is the subject of the writer's verb
        if governed:
            return False
        tokens = self.doc.char_span(span.inner_start, span.inner_end, alignment_mode="expand")
        if tokens is None:
            return False
        roots = [t for t in tokens if not (tokens.start <= t.head.i < tokens.end) or t.head is t]
        head = roots[0].head if roots else None
        if head is None or head.i in range(tokens.start, tokens.end):
            return False
        beside_noun = head.pos_ in {"NOUN", "PROPN"} \
            and roots[0].dep_ in {"compound", "appos", "amod", "nmod", "npadvmod", "dobj", "attr", "nsubj", "pobj",
                                  "poss"} \
            and not self._is_cue(head)
        return beside_noun and (title_case or head.lemma_.lower() in _TITLE_NOUNS)

    def _subject_phrase(self, span: QuoteSpan) -> bool:
        """The quote opens the writer's sentence and a verb of that sentence follows it right away ('“Sons
        of Trump” happily roots …', '“Top Secret” is the highest level'), with no cue: a name or term."""
        if not span.closed or self.text[span.inner_end : span.end].strip(" ”’\"'"):
            return False  # punctuation inside the marks ends a statement of its own
        tokens = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        if tokens is None or tokens.start == 0 or tokens.end >= len(self.doc):
            return False
        previous = self.doc[tokens.start - 1]
        if not (previous.is_sent_end or previous.is_space or previous.is_sent_start is True
                or self.doc[tokens.start].is_sent_start):
            return False
        following = [t for t in self.doc[tokens.end : tokens.end + 3] if t.pos_ != "ADV"]
        return bool(following) and following[0].pos_ in {"VERB", "AUX"} and following[0].text.islower() \
            and not self._is_cue(following[0])

    def _issuer(self, document: Any) -> Any | None:
        """Who issued 'a statement' ('The club issued a statement that read: …', 'a statement from X')."""
        for prep in document.children:
            if prep.dep_ == "prep" and prep.lower_ in {"from", "by"}:
                objects = [c for c in prep.children if c.dep_ == "pobj" and not self.quoted[c.i]]
                if objects:
                    return objects[0]
        if document.dep_ in {"dobj", "pobj"}:
            verb = document.head if document.dep_ == "dobj" else document.head.head
            while verb.dep_ == "conj" and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children):
                verb = verb.head  # 'X posted a photo and added a caption that reads …'
            subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"} and not self.quoted[c.i]]
            if subjects and subjects[0].lower_ not in _DOCUMENTS:
                return subjects[0]
        return None

    def _bare_definite(self, head: Any) -> bool:
        """'the (two-term, Republican presidential) <noun>' with no name, owner or clause of its own."""
        words = list(self.doc[head.left_edge.i : head.i])
        return bool(words) and words[0].lower_ == "the" and head.right_edge.i == head.i and all(
            t.pos_ in {"ADJ", "NOUN", "NUM", "PUNCT", "PROPN"}
            and t.dep_ in {"amod", "compound", "nummod", "punct", "npadvmod"}
            and self.table.at(t.idx, t.idx + len(t.text)) is None
            for t in words[1:]
        )

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

    def _placed(self, mention: Mention) -> bool:
        """The mention is where something happens ('in Rotterdam', 'over Rotterdam', 'the port of
        Rotterdam'). Read from the words before the name, not the parse: the parser reads only the text
        around quotes."""
        doc = self.doc
        start = mention.token_i
        while start > 0 and doc[start].ent_iob_ == "I":  # back to the name's first word
            start -= 1
        before = doc[start - 1] if start > 0 else None
        return before is not None and (before.lower_ in _PLACE_PREPOSITIONS or (
            before.lower_ == "of" and start > 1 and doc[start - 2].lemma_.lower() in _PLACE_NOUNS))

    def _only_a_place(self, actor: ActorInfo) -> bool:
        """Every mention is a place: a place the model took for a person, which no he/she refers to."""
        return bool(actor.mentions) and all(self._placed(m) for m in actor.mentions)

    def _people_by_pronouns(self) -> None:
        """A name the model tagged as an organisation or a place ('Kasich', 'Reynolds', 'Maryam Violet') is
        a person when the article says so: it is the surname of a person named in full ('John Kasich'), or,
        as the subject of a speech verb, a he/she follows it more often than an 'it'/'its' (before anyone
        else is named). Every rule that resolves a he/she then takes it: the article's own evidence beats
        the model's one-sentence guess. A name that is ever a place ('in Hilton') or follows 'the' ('the
        Associated Press') stays what the model said."""
        surnames = {a.name.split()[-1]: a for a in self.table.actors
                    if a.kind is EntityKind.PERSON and len(a.name.split()) > 1}
        for actor in self.table.actors:
            if actor.kind not in {EntityKind.ORGANIZATION, EntityKind.PLACE} or actor.canonical is not None \
                    or not all(_name_like(form) for form in actor.forms) \
                    or any(self._placed(m) or self._after_the(m) for m in actor.mentions):
                continue
            votes: Counter[str] = Counter()
            # Where the model itself once took the name for a person ('Rihanna' a place twice, a person once),
            # a he/she after it as the subject of any verb counts, not only of a speech verb.
            once_a_person = actor.kinds[EntityKind.PERSON] > 0
            for mention in actor.mentions:
                token = self.doc[mention.token_i]
                if token.dep_ in {"nsubj", "nsubjpass"} and not self.quoted[token.i] \
                        and (once_a_person or self._is_cue(token.head)):
                    votes[self._pronoun_after(mention, actor)] += 1
            voted = None
            if votes["m"] + votes["f"] > votes["n"]:
                voted = "m" if votes["m"] >= votes["f"] else "f"
            person = surnames.get(actor.name)
            if person is not None or voted is not None:
                actor.kinds[EntityKind.PERSON] += sum(actor.kinds.values()) + 1
                actor.gender = (person.gender if person is not None else None) or voted

    def _after_the(self, mention: Mention) -> bool:
        start = mention.token_i
        while start > 0 and self.doc[start].ent_iob_ == "I":
            start -= 1
        # The model's entity may hold the article itself ('The Associated Press').
        return self.doc[start].lower_ == "the" or (start > 0 and self.doc[start - 1].lower_ == "the")

    def _pronoun_after(self, mention: Mention, actor: ActorInfo) -> str:
        """'m'/'f' for the first he/she after a subject's mention (in its sentence or the 40 words after,
        outside quotes), 'n' for a first 'it'/'its', '' when another person is named first or none follows."""
        doc = self.doc
        token = doc[mention.token_i]
        end = min(len(doc), token.sent.end + 40)
        # 'Rihanna, who was honored with the Rockstar award, spoke …': a name in a clause or apposition that
        # describes the subject is not someone else taking over the sentence.
        describing = {d.i for c in token.children if c.dep_ in {"relcl", "appos", "acl"} for d in c.subtree}
        for t in doc[token.i + 1 : end]:
            if self.quoted[t.i] or t.idx < mention.end or t.i in describing:
                continue
            if t.lower_ in {"he", "she"}:
                return "m" if t.lower_ == "he" else "f"
            if t.lower_ == "its" or (t.lower_ == "it" and t.dep_ in {"nsubj", "nsubjpass"}):
                return "n"
            if t.ent_type_ == "PERSON" and self.table.at(t.idx, t.idx + len(t.text)) is not actor:
                return ""
        return ""

    def _sentence_subject(self, token: Any) -> bool:
        """The main clause's subject (``_main_subject``), the subject of a sentence's first clause ('Soon
        after the murder, Trump asserted that …: “…,” he claimed'), or a name the parser gave another label
        that opens its sentence with only conjunctions, adverbs, punctuation and its own title before it
        ('And Obama, for all the progress …, seems to agree' parsed as a modifier; 'Rep. Devin Nunes
        (R-Calif.), chairman of …, didn't …' parsed as the root)."""
        if _main_subject(token):
            return True
        sent = token.sent
        if self._lost_subject(token):
            return True
        before = [t for t in self.doc[sent.start : token.left_edge.i if token.dep_ == "ROOT" else token.i]
                  if not self.quoted[t.i] and not t.is_space]
        if token.dep_ in {"nsubj", "nsubjpass"}:
            return not any(t.pos_ in {"VERB", "AUX"} for t in before)
        if token.dep_ not in {"ROOT", "npadvmod", "advmod", "dep"} or token.pos_ != "PROPN":
            return False
        return all(t.pos_ in {"CCONJ", "ADV", "PUNCT"} or t.head.i == token.i or t.ent_iob_ == "I" for t in before)

    def _lost_subject(self, token: Any) -> bool:
        """The parser gave the sentence's main verb no subject and took the name before it for part of an
        opening phrase ('Speaking in Harlem, Clinton, without naming him, also accused …' with Clinton in
        apposition to Harlem; 'At an event in Ohio, 62-year-old Brenda Johnson also railed …' with her as the
        object of 'in'): the last person named before that verb is its subject."""
        root = token.sent.root
        if root.pos_ not in {"VERB", "AUX"} or root.i <= token.i or self.quoted[token.i] \
                or token.ent_type_ != "PERSON" or any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in root.children):
            return False
        return not any(t.ent_type_ == "PERSON" and t.ent_iob_ == "B" and not self.quoted[t.i]
                       for t in self.doc[token.i + 1 : root.i])

    def _compatible(self, kind: str) -> Any:
        """Which actors a pronoun or role noun of this kind can be: 'm'/'f' a person not of the other
        gender, 'x' any person, 'n' ('it') an organisation or a place, else ('they') any group of people."""
        if kind in {"m", "f"}:
            return lambda a: a.kind is EntityKind.PERSON and a.gender in {None, kind} and not self._only_a_place(a)
        if kind == "x":
            return lambda a: a.kind is EntityKind.PERSON and not self._only_a_place(a)
        if kind == "n":
            return lambda a: a.kind in {EntityKind.ORGANIZATION, EntityKind.PLACE}
        return lambda a: a.kind in {EntityKind.ORGANIZATION, EntityKind.GROUP, EntityKind.PLACE}

    def _earlier_speaker(self, pronoun: str, position: int) -> tuple[str, ActorInfo | None] | None:
        """'“…,” he added': the verb says he has spoken already, so he is the latest compatible person who
        did, in a quote or in the writer's report ('Zimmerman said he …', 'Obama addressed it, stating …'),
        within 1,500 characters, even with someone who did not speak named in between (a photo caption,
        'Timothy Smith holds up the gun')."""
        gender = PRONOUNS.get(pronoun)
        if gender not in {"m", "f"}:
            return None
        compatible = self._compatible(gender)
        spoke: list[tuple[int, str, ActorInfo | None]] = [
            (offset, actor.name, actor) for offset, actor in self.history if compatible(actor)]
        if self.last_named is not None and self.last_named[1][:1].isupper() and (
                self.last_named[2] is None or compatible(self.last_named[2])):
            spoke.append(self.last_named)
        for mention in self.table.mentions:
            token = self.doc[mention.token_i]
            verbs = [token.head, *(c for c in token.head.children if c.dep_ in {"advcl", "conj", "xcomp"})]
            speaker = self.table.by_id(mention.actor)
            if mention.start < position and token.dep_ in {"nsubj", "nsubjpass"} \
                    and any(self._is_cue(v) for v in verbs) and compatible(speaker):
                spoke.append((mention.start, speaker.name, speaker))
        spoke = [s for s in spoke if position - 1500 < s[0] < position]
        if not spoke:
            return None
        _, name, actor = max(spoke, key=lambda s: s[0])
        return name, actor

    def resolve_pronoun(self, pronoun: str, position: int) -> ActorInfo | None:
        """Nearest compatible actor before ``position``; grammatical subjects and recent speakers first."""
        compatible = self._compatible(PRONOUNS.get(pronoun, pronoun))  # or a role noun's 'm'/'f'/'x'
        doc = self.doc
        limit = position - 1500
        recent = self._last_speaker(position, compatible)
        # Names inside quotations are what speakers talk about, not who "he" is.
        candidates = [
            m for m in self.table.mentions if limit < m.start < position and not self.quoted[m.token_i]
        ]
        # Sentence by sentence, nearest first: the subject of the main clause wins over a subject in a
        # subordinate clause ('Axelrod said the attention helped Clinton, who … Obama did. “…,” he said'
        # is Axelrod), which wins over the previous speaker mentioned as an object.
        by_sentence: dict[int, list[tuple[int, ActorInfo]]] = {}
        for mention in reversed(candidates):
            actor = self.table.by_id(mention.actor)
            if compatible(actor):
                by_sentence.setdefault(doc[mention.token_i].sent.start, []).append((mention.token_i, actor))
        for found in by_sentence.values():
            for token_i, actor in found:
                if self._sentence_subject(doc[token_i]):
                    return actor
            sent = doc[found[0][0]].sent
            if any(t.lower_ == pronoun and t.dep_ in {"nsubj", "nsubjpass"} and not self.quoted[t.i] for t in sent):
                # '…, he noted, so it may be clear whether Trump will be the nominee': the sentence is still
                # about the same 'he', so a name in what he says is not him; look further back.
                continue
            for token_i, actor in found:
                if _clause_subject(doc[token_i]) or (recent is not None and actor is recent):
                    return actor
            for token_i, actor in found:
                if PRONOUNS.get(pronoun) in {"m", "f"} and _owns_main_subject(doc[token_i]):
                    return actor  # 'Palin’s posts include one saying …. “…,” she posted': the sentence is about hers
        if recent is not None:
            return recent
        for mention in reversed(candidates):
            actor = self.table.by_id(mention.actor)
            if compatible(actor):
                return actor
        return None

    def named_right_after(self, span: QuoteSpan) -> ActorInfo | None:
        """'“…,” Nate Silver, the polling guru …, tweeted': a person named right after the closing mark,
        with a speech verb later in the sentence, when the parse did not link them."""
        if not span.closed:
            return None
        gap = self.text[span.end : span.end + 3]
        start = span.end + len(gap) - len(gap.lstrip())
        if "\n" in gap[: start - span.end]:
            return None  # a name opening the next paragraph ('“…” | Rep. Steve Israel said …') is its own
        actor = self.table.at(start, start + 1)
        if actor is None:
            # 'Texas delegate Bill Eastland, wearing …, said': a short description may come first.
            for mention in self.table.mentions:
                if mention.start >= start + 40:
                    break
                between = self.text[start : mention.start]
                if mention.start >= start and re.fullmatch(r"[\w .’'-]*", between):
                    actor = self.table.by_id(mention.actor)
                    start = mention.start
                    if actor.kind is EntityKind.PERSON:
                        break
        if actor is None or actor.kind is not EntityKind.PERSON:
            return None
        token = self.doc.char_span(start, start + 1, alignment_mode="expand")
        if token is None:
            return None
        window = self.doc[token[0].i : min(len(self.doc), token[0].i + 45)]
        if any(self._is_cue(t) for t in window if t.sent == token[0].sent):
            return actor
        return None

    def named_before_colon(self, span: QuoteSpan) -> ActorInfo | None:
        """'Clinton: “…” Bush: “…”', 'Pollsters agree - Carl Bialik: “…”': a name right before the colon."""
        before = self.text[max(0, span.start - 80) : span.start].rstrip()
        if not before.endswith(":"):
            return None
        end = span.start - (len(self.text[:span.start]) - len(self.text[:span.start].rstrip())) - 1
        for mention in reversed(self.table.mentions):
            if mention.end <= end - 3:
                break
            if mention.end == end and not self.quoted[mention.token_i]:
                # The name opens its sentence or follows a dash ('Pollsters agree - Carl Bialik:'), so it
                # is not an object ('delivered a blunt message to Trump: “…”').
                lead = self.text[: mention.start].rstrip()
                # A title may come first ('Former secretary of state Hillary Rodham Clinton: “…”'): lowercase
                # words with no verb among them, not a clause ('delivered a message to Trump: “…”').
                sent = self.doc[mention.token_i].sent
                words = [t for t in sent if t.idx < mention.start and not t.is_space]
                titled = 0 < len(words) <= 6 and all(
                    t.pos_ in {"ADJ", "NOUN", "PROPN", "DET"} or t.lower_ == "of" for t in words)
                if lead and lead[-1] not in ".!?\n-–—”\"’]:" and not titled:
                    continue
                actor = self.table.by_id(mention.actor)
                if actor.kind in {EntityKind.PERSON, EntityKind.ORGANIZATION}:
                    return actor
        return None

    def byline(self, span: QuoteSpan, paragraphs: tuple[Paragraph, ...]) -> _Attribution | None:
        """'Pollsters agree - Carl Bialik: “…”', '-More from Blumenthal and Cohen: “…”': in digest copy a
        name after a dash (or 'More from') right before the colon is the source, whatever verb the heading
        before it has. Two names joined by 'and' are represented by the first."""
        para = paragraphs[span.paragraph]
        m = _BYLINE.search(self.text, para.start, span.start)
        if m is None:
            return None
        start, end = m.span(1)
        actors = [self.table.by_id(x.actor) for x in self.table.mentions if start <= x.start and x.end <= end]
        # A surname alone is the person named in full earlier, whatever the model took it for in the byline.
        actors = [a for a in self.table.actors if a.kind is EntityKind.PERSON and " " in a.name
                  and a.name.split()[-1] == m.group(1)][:1] or actors
        if actors:
            return _Attribution(actors[0].name, actors[0], ":", cue_at=start)
        if start == m.start():
            return None  # 'Update: “…”' opening a paragraph names no one the model knows
        return _Attribution(" ".join(m.group(1).split()), None, ":", cue_at=start, at=start, named=True)

    def signature(self, span: QuoteSpan) -> tuple[int, ActorInfo] | None:
        """'"I worry that … | Dean Baker, Center for Economic and Policy Research."': a quote whose last line
        is only a person's name and affiliation (no verb) is signed by that person. Returns where the
        signature line starts and the signer."""
        inner = self.text[span.inner_start : span.inner_end]
        if "\n" in inner.rstrip():
            start = span.inner_start + inner.rstrip().rindex("\n") + 1
        elif not span.opened:
            start = span.inner_start
        else:
            return None
        if len(self.text[start : span.inner_end].split()) > 12:
            return None
        tokens = self.doc.char_span(start, span.inner_end, alignment_mode="expand")
        if tokens is None or any(t.pos_ in {"VERB", "AUX"} for t in tokens):
            return None
        for mention in self.table.mentions:
            if start <= mention.start < span.inner_end:
                actor = self.table.by_id(mention.actor)
                if actor.kind is EntityKind.PERSON:
                    return start, actor
        return None

    def signed_below(self, span: QuoteSpan, paragraphs: tuple[Paragraph, ...]) -> str | None:
        """'“…”' with the next paragraph '- Sanders.' or '-Michelle Marks, Philadelphia.': a signature (what
        follows a comma describes the signer)."""
        if span.paragraph + 1 >= len(paragraphs) or self.text[span.end : paragraphs[span.paragraph].end].strip():
            return None
        after = paragraphs[span.paragraph + 1]
        line = self.text[after.start : after.end].strip()
        m = re.fullmatch(r"[-–—]\s*([A-Z][\w.’' -]{1,60}?)(?:,[^\n]{1,80}?)?\.?", line)
        if m is None:
            return None
        at = after.start + self.text[after.start : after.end].index(m.group(1))
        actor = self.table.at(at, at + len(m.group(1)))
        return actor.name if actor else m.group(1)

    def _recent_named(self, pronoun: str, position: int) -> tuple[int, str, ActorInfo | None] | None:
        """'D’Souza replied, “…” … “…,” he added': a he/she right after a named speaker is that speaker,
        unless another compatible person is a grammatical subject in between."""
        gender = PRONOUNS.get(pronoun)
        last = self.last_named
        if gender not in {"m", "f"} or last is None or position - last[0] > 700:
            return None
        offset, phrase, actor = last
        if not phrase[:1].isupper() or (actor is not None and (actor.kind is not EntityKind.PERSON
                                                               or actor.gender not in {None, gender})):
            return None
        here = self.doc.char_span(position, position + 1, alignment_mode="expand")
        sentence = here[0].sent.start if here is not None else -1
        for mention in self.table.mentions:
            if offset < mention.start < position and not self.quoted[mention.token_i]:
                other = self.table.by_id(mention.actor)
                token = self.doc[mention.token_i]
                # In the pronoun's own sentence only a main-clause subject takes over ('…in the event that
                # Clinton faces Trump, she replied' still continues the previous speaker); in an earlier
                # sentence any subject does ('This is not the campaign Ayotte hoped to run. “…,” she said').
                if other is not actor and other.kind is EntityKind.PERSON and other.gender in {None, gender} \
                        and (self._sentence_subject(token) or (token.dep_ in {"nsubj", "nsubjpass"}
                                                      and token.sent.start != sentence)):
                    return None
        return last

    def note_named(self, position: int, attribution: _Attribution, by_pronoun: bool) -> None:
        """Remember the speaker for a following he/she; a pronoun speaker keeps the chain going. A nominal
        speaker ('The book accuses Bob of …') names no one a he/she could be, and ends the chain."""
        if attribution.speaker and (attribution.actor is not None or attribution.named):
            self.last_named = (position, attribution.speaker, attribution.actor)
        elif attribution.speaker:
            self.last_named = None

    def other_named_between(self, attribution: _Attribution, position: int) -> bool:
        """'“…,” said the mayor, Jo Park, but a resident, Sam Ortiz, objected: “…”': someone else is named
        after the first quote's cue, so the second quote is not the first one resumed."""
        return any(
            attribution.cue_at < m.start < position and self.table.by_id(m.actor) is not attribution.actor
            and self.table.by_id(m.actor).kind in {EntityKind.PERSON, EntityKind.ORGANIZATION}
            and self.doc[m.token_i].dep_ in {"nsubj", "nsubjpass", "appos"}
            for m in self.table.mentions
        )

    def remember(self, position: int, actor: ActorInfo | None) -> None:
        if actor is not None:
            self.history.append((position, actor))
            actor.spoke += 1


_NAME_WORD = r"(?:[A-Z][\w’'.&-]*|and|of|de|van|von)"
_BYLINE = re.compile(rf"(?:^|[-–—]\s*|\bMore from\s+)([A-Z][\w’'.&-]*(?:[ \t]+{_NAME_WORD}){{0,5}})[ \t]*:[ \t]*\Z",
                     re.M)
"""A name after a dash or 'More from', right before the colon that introduces a quote."""

_BYLINE_AFTER = re.compile(r"[ \t]*,?[ \t]*by[ \t]+(?:the[ \t]+)?[A-Z]")
"""A byline right after a closing mark (and a comma): the quoted words are the title of someone's article."""

_EXCERPT_AFTER_BYLINE = re.compile(r"[”\"],?[ \t]+by[ \t]+[^\n:“”\"]{2,80}:[ \t]*\Z")
"""A headline's byline ending right before a quote: what follows is an excerpt of that article."""

_CLIMBING = {"conj", "advcl", "xcomp", "ccomp", "relcl", "acl", "parataxis", "dep"}
"""Relations by which a subject-less speech verb takes the subject of the word it hangs on ('dep': the
parser's unlabelled attachment, as in 'Carter, exasperated, finally responded: “…”')."""


def _name_like(form: str) -> bool:
    """One to three capitalised words with no digits and no noun of an institution or a place ('Kasich',
    'Maryam Violet'; not 'FBI', 'Clark County', 'Justice Department')."""
    words = form.split()
    return 0 < len(words) <= 3 and all(w[:1].isupper() and not w.isupper() for w in words) \
        and not any(c.isdigit() for c in form) \
        and words[-1].lower() not in _ORG_NOUNS | _INSTITUTIONS | _PLACE_NOUNS | _DOCUMENTS


def _clause_subject(token: Any) -> bool:
    """The subject of some clause, or the person a 'who' clause tells of ('supported by Sen. Dianne
    Feinstein, who said none of the emails …')."""
    return token.dep_ in {"nsubj", "nsubjpass"} or any(
        c.dep_ == "relcl" and any(s.dep_ in {"nsubj", "nsubjpass"} and s.lower_ == "who" for s in c.children)
        for c in token.children)


def _main_subject(token: Any) -> bool:
    """The subject of the sentence's main verb (or of a verb coordinated with it), or the name in apposition
    to it ('The fire chief, Joost Bakker, said')."""
    if token.dep_ == "appos":
        token = token.head
    if token.dep_ not in {"nsubj", "nsubjpass"}:
        return False
    verb = token.head
    return bool(verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.dep_ == "ROOT"))


def _owns_main_subject(token: Any) -> bool:
    """The owner of the main clause's subject ('Palin’s pugnacious posts about ISIS include …')."""
    return token.dep_ == "poss" and _main_subject(token.head)


def extract_quotes(
    doc: Any, raw: str, spans: list[QuoteSpan], table: ActorTable, paragraphs: tuple[Paragraph, ...]
) -> list[Quote]:
    """Attribute every quote span; drop short scare quotes that have no speaker."""
    speakers = _Speakers(doc, table, spans)

    def title_or_label(span: QuoteSpan, attribution: _Attribution) -> bool:
        partial = is_partial(speakers.text, span, paragraphs[span.paragraph].start)
        return speakers.title_or_label(span, governed=not partial and attribution.cue is not None)

    found: list[tuple[QuoteSpan, _Attribution]] = []
    # The last quoted statement: a title in between ('…,” Sanders said on CNN’s “State of the Union.” “…”')
    # does not stop the next quote resuming it.
    previous: tuple[QuoteSpan, _Attribution] | None = None
    signatures: set[int] = set()  # starts of spans that only sign the quote before them
    for span in spans:
        signature = speakers.signature(span)
        if signature is not None and signature[0] > span.inner_start:
            # The last line signs this quote, which ends before it.
            span.inner_end = len(raw[: signature[0]].rstrip())
            previous = (span, _Attribution(signature[1].name, signature[1], "-"))
            speakers.remember(span.start, signature[1])
            found.append(previous)
            continue
        if signature is not None and found and not found[-1][0].closed \
                and found[-1][0].paragraph == span.paragraph - 1:
            # A paragraph of its own signs the quote it closes.
            found[-1] = previous = (found[-1][0], _Attribution(signature[1].name, signature[1], "-"))
            signatures.add(span.start)
            continue
        if (byline := speakers.byline(span, paragraphs)) is not None:
            speakers.remember(span.start, byline.actor)
            speakers.note_named(span.start, byline, False)
            found.append((span, byline))
            previous = (span, byline)
            continue
        cue = speakers.cue_for(span)
        if previous is not None and _interrupted(speakers.text, previous, span) and not speakers.other_named_between(
                previous[1], span.start) and (cue is None or cue.idx < span.start):
            # '“…,” said X. “…”': the second half of a quote broken by its attribution (unless it has a cue of
            # its own after it: '“…,” Hewitt said. “…,” Trump said').
            attribution = previous[1]
            speakers.remember(span.start, attribution.actor)
            found.append((span, attribution))
            if not title_or_label(span, attribution):
                previous = (span, attribution)
            continue
        if cue is not None and cue.lemma_.lower() in _CONTINUE_ONLY and not _next_to(cue, span) and not (
                cue.lemma_.lower() == "put" and any(c.lower_ == "it" for c in cue.children)):
            cue = None  # 'continue to', 'began by' far from the quote are not speech; 'as X put it' is
        cue = cue or speakers.introduced_by(span, paragraphs)
        attribution = speakers.attribute(cue, span.start) if cue is not None else _Attribution()
        if cue is not None:
            attribution.cue_at = cue.idx
        if attribution.speaker is None and (named := speakers.named_right_after(span)) is not None:
            attribution = _Attribution(named.name, named, attribution.cue)
        if attribution.speaker is None and (named := speakers.named_before_colon(span)) is not None:
            attribution = _Attribution(named.name, named, ":")
        if attribution.speaker is None and (signed := speakers.signed_below(span, paragraphs)) is not None:
            actor = speakers.table.at(paragraphs[span.paragraph + 1].start, paragraphs[span.paragraph + 1].end)
            attribution = _Attribution(signed, actor if actor and actor.name == signed else None, "-")
        if attribution.speaker is None and previous is not None and _continues(span, previous[0], paragraphs):
            attribution = _Attribution(previous[1].speaker, previous[1].actor, previous[1].cue)
        if attribution.actor is None and attribution.speaker and attribution.named:
            attribution.actor = join_speaker(table, attribution, doc)
        speakers.remember(span.start, attribution.actor)
        speakers.note_named(span.start, attribution, attribution.pronoun)
        found.append((span, attribution))
        if not title_or_label(span, attribution):
            previous = (span, attribution)

    # An unclosed quote paragraph with no cue takes the speaker named after its continuation.
    for index in range(len(found) - 2, -1, -1):
        span, attribution = found[index]
        following = found[index + 1]
        if attribution.speaker is None and not span.closed and following[1].speaker is not None \
                and following[0].paragraph == span.paragraph + 1:
            found[index] = (span, following[1])

    quotes = []
    for span, attribution in found:
        if span.start in signatures:
            continue
        text = raw[span.inner_start : span.inner_end]
        if not text.strip() or not any(c.isalpha() for c in text):
            continue
        if attribution.speaker is None and attribution.cue is None and len(text.split()) < MIN_UNATTRIBUTED_WORDS:
            continue  # a cue-less short fragment: a scare quote
        if title_or_label(span, attribution):
            continue
        opens = paragraphs[span.paragraph].start
        if attribution.speaker is None and _EXCERPT_AFTER_BYLINE.search(raw, opens, span.start):
            continue  # '“Headline,” by Variety's Gordon Cox: “…”': a digest's excerpt of the article it links
        partial = is_partial(speakers.text, span, paragraphs[span.paragraph].start)
        actor = attribution.actor
        quotes.append(
            Quote(
                text=text,
                speaker=attribution.speaker,
                speaker_slug=slugify(actor.name) if actor else None,
                cue=attribution.cue,
                start=span.inner_start,
                end=span.inner_end,
                partial=partial,
            )
        )
    return quotes


def join_speaker(table: ActorTable, attribution: _Attribution, doc: Any) -> ActorInfo | None:
    """A named speaker no entity holds ('Dayton police', an untagged 'D’Souza') becomes the article's actor
    (or joins the one whose name it is), so every named speaker has a page."""
    phrase = attribution.speaker or ""
    key = phrase.lower()
    for info in table.actors:
        if any(form.lower() == key for form in info.forms):
            return info
    words = phrase.split()
    if len(words) == 1:
        owners = [a for a in table.actors if a.kind is EntityKind.PERSON and a.name.split()[-1].lower() == key]
        if len(owners) == 1:
            return owners[0]
    if attribution.at < 0:
        return None
    kind = attribution.kind
    if kind is None:
        looks_personal = len(words) <= 3 and all(w[:1].isupper() for w in words)
        kind = EntityKind.PERSON if looks_personal else EntityKind.ORGANIZATION
    token = doc.char_span(attribution.at, attribution.at + 1, alignment_mode="expand")
    info = ActorInfo(id=len(table.actors))
    mention = Mention(attribution.at, attribution.at + len(phrase), phrase, kind,
                      token[0].i if token is not None else 0, info.id)
    info.forms[phrase] += 1
    info.kinds[kind] += 1
    info.mentions.append(mention)
    table.actors.append(info)
    bisect.insort(table.mentions, mention, key=lambda m: m.start)
    return info


def _interrupted(text: str, previous: tuple[QuoteSpan, _Attribution], span: QuoteSpan) -> bool:
    """The quote resumes right after the previous quote's attribution, in the same paragraph."""
    before, attribution = previous
    if attribution.speaker is None or before.paragraph != span.paragraph or not before.closed:
        return False
    gap = text[before.end : span.start]
    # Only the attribution stands between, however long its description of the speaker ('said Rep. Jim
    # Whelan who represents Atlantic City and served as its mayor for many years.'): no sentence of
    # narrative after it ('… tweeted Friday. Experts expect …. “…”' starts a new quote).
    sentence_ends = [m for m in re.finditer(r"([A-Za-z]*[a-z])[.!?](?=\s)", gap)
                     if m.group(1).lower() not in _ABBREVIATIONS]
    return bool(len(gap) <= 320 and before.end <= attribution.cue_at < span.start
                and gap.rstrip()[-1:] in {".", ",", ":"} and len(sentence_ends) <= 1)


_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "sen", "rep", "reps", "gov", "gen", "lt", "col", "sgt", "capt", "cmdr", "adm", "maj",
    "rev", "prof", "st", "jr", "sr", "atty", "gens", "sens", "no", "vs", "inc", "co", "corp", "ltd", "jan", "feb",
    "aug", "sept", "oct", "nov", "dec", "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill",
    "ind", "kan", "ky", "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa",
    "tenn", "tex", "va", "vt", "wash", "wis", "wyo",
}
"""Words a full stop abbreviates ('Rep.', 'Calif.'), which end no sentence."""


def _next_to(cue: Any, span: QuoteSpan) -> bool:
    """'He continued, “…”' / '“…,” he added': the verb sits right beside the quote's marks."""
    return bool(span.end <= cue.idx <= span.end + 12 or 0 <= span.start - (cue.idx + len(cue.text)) <= 3)


def _continues(span: QuoteSpan, before: QuoteSpan, paragraphs: tuple[Paragraph, ...]) -> bool:
    """A cue-less quote opening its paragraph, right after a quote paragraph, continues that speaker; a
    short one that is the whole paragraph does not: it is a heading (‘Totally pro-Israel.’, "Related:") or
    the crowd's answer ("Nooooo!")."""
    para = paragraphs[span.paragraph]
    opens_paragraph = span.start == para.start
    if span.paragraph == before.paragraph:
        return True
    if opens_paragraph and span.end >= para.end - 1 and len(para.text.split()) < MIN_UNATTRIBUTED_WORDS:
        return False
    return opens_paragraph and span.paragraph == before.paragraph + 1
