"""The source view: a briefing's article text with every quote, actor mention and summary sentence marked.

Quotes carry character offsets into ``Article.raw`` from the extractor. Summary sentences are located in the
text here (whitespace and quotation-mark styles aside, they are the text's own sentences), and actor mentions
are found by matching the names and aliases of the briefing's actors, whole words and longest first, in the
text the reader sees: the extraction cache stays as it is, and every marked word is one the reader can check.

The text is each body paragraph of ``Article.nlp_text`` (the file with its header, front matter and Markdown
markup blanked, same length as ``raw``), so one offset means the same character in the file, in the
extraction and on the page. Markdown headings and links are put back as elements around the text.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from markupsafe import Markup

from briefgen.markdown import SAFE_LINK
from briefgen.model import Actor, Article, Briefing, Entity, Quote

QUOTE_MARKS = "\"“”„«»‘’'"
_SAME_QUOTES = str.maketrans(dict.fromkeys("“”„«»", '"') | dict.fromkeys("‘’", "'"))
_MD_HEADING = re.compile(r"[ \t]{0,3}(#{1,6})[ \t]")
# Brackets and parentheses are excluded inside the text and the target (and both are bounded), so every
# attempt stops at the next bracket: linear on a line of thousands of "[" or "](" (issue: a quadratic
# regex here let one Markdown article stall a build or the preview server).
_MD_LINK = re.compile(r"(?<!!)\[([^\[\]\n]{1,1000})\]\(([^()\s\[\]]{1,2000})(?:[ \t]+\"[^\"\n]{0,300}\")?\)")


@dataclass(frozen=True, slots=True)
class Mark:
    """One marked stretch ``[start, end)`` of the text, as an element around it.

    Marks nest by ``rank`` (lower is outer). Where two marks cross, the inner one is closed at the outer one's
    edge and reopened after it with ``reopen`` (the same element without its id), as highlighters do.
    """

    start: int
    end: int
    rank: int
    open: str
    close: str
    reopen: str = ""
    after: str = ""
    """Markup written once after the mark's last piece (a quote's speaker label)."""


SENTENCE, LINK, QUOTE, MENTION = range(4)


def marked_html(text: str, base: int, marks: Iterable[Mark]) -> Markup:
    """``text`` (which starts at offset ``base``) escaped, with ``marks`` (offsets into the file) as elements."""
    inside = [m for m in marks if m.start < base + len(text) and m.end > base and m.end > m.start]
    cuts = sorted({base, base + len(text)} | {max(base, min(base + len(text), x)) for m in inside
                                                  for x in (m.start, m.end)})
    out: list[str] = []
    stack: list[Mark] = []
    opened: set[int] = set()
    for left, right in itertools.pairwise(cuts):
        wanted = sorted((m for m in inside if m.start <= left and m.end >= right),
                        key=lambda m: (m.rank, m.start, -m.end))
        keep = 0
        while keep < len(stack) and keep < len(wanted) and stack[keep] is wanted[keep]:
            keep += 1
        for m in reversed(stack[keep:]):
            out.append(m.close)
            if m.end <= left:
                out.append(m.after)
        stack = stack[:keep]
        for m in wanted[keep:]:
            out.append(m.reopen or m.open if id(m) in opened else m.open)
            opened.add(id(m))
            stack.append(m)
        out.append(html.escape(text[left - base:right - base], quote=False))  # text, never inside an attribute
    for m in reversed(stack):
        out.append(m.close + (m.after if m.end <= base + len(text) else ""))
    return Markup("".join(out))


class TextLocator:
    """Finds passages in a text whatever their spacing and style of quotation marks."""

    def __init__(self, text: str) -> None:
        self.flat = text.translate(_SAME_QUOTES)  # character for character: offsets are the text's

    def locate(self, passage: str) -> tuple[int, int] | None:
        """Where ``passage`` stands in the text, as (start, end) offsets, else None."""
        words = passage.translate(_SAME_QUOTES).split()
        if len(words) <= 2 * _ENDS:
            return find_words(words, self.flat) if words else None
        # A long passage by its two ends, then the words between them compared as they are.
        head = find_words(words[:_ENDS], self.flat)
        tail = find_words(words[-_ENDS:], self.flat, head[1]) if head else None
        middle = " ".join(words[_ENDS:-_ENDS])
        if not (head and tail and " ".join(self.flat[head[1]:tail[0]].split()) == middle):
            return None
        return head[0], tail[1]


_ENDS = 8


def find_words(words: list[str], text: str, pos: int = 0) -> tuple[int, int] | None:
    """The first stretch of ``text`` from ``pos`` holding ``words`` (none empty, none with whitespace)
    separated by runs of whitespace: what ``re.search(r"\\s+".join(map(re.escape, words)), text, pos)`` finds,
    without compiling a pattern per passage (the compiles were a sixth of a site's rendering)."""
    first, rest = words[0], words[1:]
    start = text.find(first, pos)
    while start >= 0:
        end = start + len(first)
        for word in rest:
            gap = end
            while gap < len(text) and text[gap].isspace():  # what \s matches in a str pattern
                gap += 1
            if gap == end or not text.startswith(word, gap):
                break
            end = gap + len(word)
        else:
            return start, end
        start = text.find(first, start + 1)
    return None


def locate(passage: str, text: str) -> tuple[int, int] | None:
    """Where ``passage`` stands in ``text`` (whitespace and quotation-mark styles ignored), else None."""
    return TextLocator(text).locate(passage)


class MentionFinder:
    """Actor mentions in text: the names and aliases of a briefing's actors, whole words, longest first."""

    def __init__(self, actors: Iterable[Actor], entities: dict[str, Entity]) -> None:
        surfaces: dict[str, Actor] = {}
        for a in actors:
            entity = entities.get(a.slug)
            for name in (a.name, *a.aliases, *(entity.aliases if entity else ())):
                # One-letter or lowercase aliases would mark ordinary words; "US" or "EU" are kept.
                if len(name) >= 2 and name[:1].isupper():
                    surfaces.setdefault(name, a)
        self.surfaces = surfaces
        # Longest first, as one alternation (?<!\w)(name|...)(?!\w) would try them, without compiling one:
        # each word start whose first letter begins a name is tried against those names in turn.
        self._by_first: dict[str, list[str]] = {}
        for name in sorted(surfaces, key=len, reverse=True):
            self._by_first.setdefault(name[0], []).append(name)
        letters = "".join(re.escape(c) for c in sorted(self._by_first))
        self._starts = re.compile(rf"(?<!\w)[{letters}]") if letters else None

    def find(self, text: str, base: int = 0) -> Iterable[tuple[int, int, Actor]]:
        if self._starts is None:
            return
        pos = 0
        while (start := self._starts.search(text, pos)) is not None:
            at = start.start()
            pos = at + 1
            for name in self._by_first[text[at]]:
                end = at + len(name)
                if text.startswith(name, at) and _WORD_CHAR.match(text, end) is None:
                    yield base + at, base + end, self.surfaces[name]
                    pos = end
                    break


_WORD_CHAR = re.compile(r"\w")


def mention_mark(start: int, end: int, actor: Actor, href: str, *, offsets: bool = True) -> Mark:
    """A linked mention; in the source view it carries its offsets into the file (``data-start``/``data-end``)."""
    at = f' data-start="{start}" data-end="{end}"' if offsets else ""
    tag = (f'<a class="mention mention-{actor.kind.value}" href="{html.escape(href)}"'
           f' data-actor="{html.escape(actor.slug)}"{at}>')
    return Mark(start, end, MENTION, tag, "</a>")


def link_mentions(text: str, finder: MentionFinder, link: Callable[[str], str]) -> Markup:
    """``text`` escaped with each actor mention linked to its page (summary sentences, excerpts)."""
    return marked_html(text, 0, [mention_mark(s, e, a, link(a.slug), offsets=False) for s, e, a in finder.find(text)])


@dataclass(frozen=True, slots=True)
class SourceParagraph:
    number: int
    """1-based; the paragraph's anchor is ``p-<number>``."""
    tag: str
    """``p``, or ``h3`` for a Markdown heading."""
    html: Markup
    background: bool
    """The extractor took context (background) from it."""


@dataclass(frozen=True, slots=True)
class SourceView:
    paragraphs: tuple[SourceParagraph, ...]
    quote_found: tuple[bool, ...]
    """Per quote of the briefing: whether its offsets lie in the body shown (always, for a sound extraction)."""
    sentence_found: tuple[bool, ...]
    """Per summary sentence: whether it was located in the text."""
    context_paragraph: tuple[int | None, ...]
    """Per context passage: the number of the paragraph it comes from."""

    def html(self) -> Markup:
        """The paragraphs as HTML, each with its anchor (``p-<number>``); background ones marked."""
        return Markup("\n").join(
            Markup('<{0} id="p-{1}"{2}>{3}</{0}>').format(
                p.tag, p.number, Markup(' class="background"') if p.background else "", p.html)
            for p in self.paragraphs
        )


def quote_extent(text: str, q: Quote) -> tuple[int, int]:
    """The quote with its quotation marks where they are next to it (a closing one after a comma too: `now,"`)."""
    start, end = q.start, q.end
    if 0 < start <= len(text) and text[start - 1] in QUOTE_MARKS:
        start -= 1
    after = text[end:end + 2]
    if after[:1] and after[0] in QUOTE_MARKS:
        end += 1
    elif len(after) == 2 and after[0] in ",.!?;" and after[1] in QUOTE_MARKS:
        end += 2
    return start, end


def source_view(b: Briefing, entities: dict[str, Entity], link: Callable[[str], str],
                speaker_label: Callable[[int, Quote], str], finder: MentionFinder | None = None) -> SourceView:
    """The marked-up body of ``b``: ``link`` gives an actor page's URL, ``speaker_label`` the markup after quote i;
    ``finder``: the briefing's ``MentionFinder`` when the caller has one."""
    article: Article = b.article
    text = article.nlp_text
    paragraphs = article.paragraphs
    locator = TextLocator(text)
    marks: list[Mark] = []
    sentence_found = []
    for i, sentence in enumerate(b.summary, start=1):
        where = locator.locate(sentence)
        sentence_found.append(where is not None)
        if where:
            marks.append(Mark(where[0], where[1], SENTENCE, f'<span class="sentence" id="s-{i}">', "</span>",
                              '<span class="sentence">'))
    quote_found = []
    body = [(p.start, p.end) for p in paragraphs]
    for i, q in enumerate(b.quotes, start=1):
        start, end = quote_extent(text, q)
        quote_found.append(any(s <= q.start and q.end <= e for s, e in body))
        kind = "quote-mark partial" if q.partial else "quote-mark"
        speaker = html.escape(q.speaker or "unattributed")
        marks.append(Mark(start, end, QUOTE,
                          f'<mark class="{kind}" id="q-{i}" data-start="{q.start}" data-end="{q.end}" '
                          f'data-speaker="{speaker}">', "</mark>", f'<mark class="{kind}">',
                          after=speaker_label(i, q)))
    links: list[Mark] = []
    if article.markdown:
        for m in _MD_LINK.finditer(article.raw):
            target = safe_link_target(m.group(2))
            if target is not None:
                links.append(Mark(m.start(1), m.end(1), LINK, f'<a href="{html.escape(target)}">', "</a>"))
    marks += links
    finder = finder or MentionFinder(b.actors, entities)
    shown = []
    for p_start, p_end in body:
        for start, end, actor in finder.find(text[p_start:p_end], p_start):
            if any(link.start < end and start < link.end for link in links):
                continue  # never a link inside a link
            marks.append(mention_mark(start, end, actor, link(actor.slug)))
    context_paragraph: list[int | None] = []
    for passage in b.context:
        where = locator.locate(passage[:80])
        context_paragraph.append(next((n for n, (s, e) in enumerate(body, start=1) if where and s <= where[0] < e),
                                      None))
    for n, p in enumerate(paragraphs, start=1):
        level = _heading_level(article.raw, p.start) if article.markdown else 0
        # Under the page's "The article" heading, every heading of the article is one level down.
        shown.append(SourceParagraph(n, "h3" if level else "p",
                                     marked_html(text[p.start:p.end], p.start, marks), n in context_paragraph))
    return SourceView(tuple(shown), tuple(quote_found), tuple(sentence_found), tuple(context_paragraph))


def safe_link_target(written: str) -> str | None:
    """A Markdown link's target as the browser will read it, or None unless it is http(s), mailto or relative.

    Checked as the browser parses it: character references decoded (``&#106;avascript:`` is ``javascript:``)
    and, more strictly than a browser, every control character and space removed.
    """
    target = html.unescape(written)
    return target if SAFE_LINK.match(re.sub(r"[\x00-\x20\x7f]", "", target)) else None


def _heading_level(raw: str, start: int) -> int:
    """The level of a Markdown heading whose text starts at ``start`` (its ``#`` marks are blanked), else 0."""
    line_start = raw.rfind("\n", 0, start) + 1
    m = _MD_HEADING.match(raw, line_start)
    return len(m.group(1)) if m and m.end() <= start else 0
