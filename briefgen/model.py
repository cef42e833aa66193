"""Plain records passed between stages. No spaCy, no Jinja (an Article's derived texts come from sources.py)."""

from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass, field
from enum import Enum


class EntityKind(str, Enum):
    """What an actor is. The values are part of the public JSON contract."""

    PERSON = "person"
    ORGANIZATION = "organization"
    PLACE = "place"
    GROUP = "group"
    OTHER = "other"

    @property
    def plural(self) -> str:
        return {
            "person": "People",
            "organization": "Organisations",
            "place": "Places",
            "group": "Groups",
            "other": "Other",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of the article body; ``start``/``end`` index the decoded source file."""

    text: str
    start: int
    end: int


def pack_bounds(paragraphs: tuple[Paragraph, ...]) -> bytes:
    """Paragraph offsets as ``Article.bounds``: (start, end) pairs of 32-bit unsigned ints."""
    return array("I", [n for p in paragraphs for n in (p.start, p.end)]).tobytes()


@dataclass(frozen=True, slots=True)
class Article:
    """One input file, read and decoded, before any NLP.

    Only ``raw`` holds the text: ``nlp_text`` and ``paragraphs`` are derived from it on each
    access. Stored, they were three more copies of every article, most of the memory of a 20,000-article
    build, while each is read about once per build (the cache key and extraction, or the page render).
    """

    slug: str
    title: str
    date: dt.date | None
    source: str
    """Path of the file as given (relative to the working folder when possible)."""
    raw: str
    """The decoded file. Quote offsets index this string."""
    bounds: bytes
    """The body's paragraphs as packed (start, end) offsets into ``raw`` (see ``pack_bounds``)."""
    sha256: str
    url: str | None = None
    publisher: str | None = None
    tags: tuple[str, ...] = ()
    markdown: bool = False
    """A Markdown source (its markup is blanked in ``nlp_text`` and kept in the source view)."""
    extra: dict[str, str | tuple[str, ...]] = field(default_factory=dict, hash=False)
    """Front-matter keys briefgen does not use itself (``author``, ``image``, ...), for templates."""
    draft: bool = False
    """Marked ``draft: true``: left out of ``briefgen build`` unless ``--drafts``, always in ``serve``."""

    @property
    def nlp_text(self) -> str:
        """Same length as ``raw``: header, front matter and markup blanked, so offsets carry over."""
        from briefgen.sources import nlp_view

        return nlp_view(self.raw, markdown=self.markdown)

    @property
    def credit(self) -> str | None:
        """The wire service the text credits (``sources.credit_line``), if any."""
        from briefgen.sources import credit_line

        return credit_line(self.raw)

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        text = self.nlp_text
        offsets = memoryview(self.bounds).cast("I")
        return tuple(
            Paragraph(" ".join(text[start:end].split()), start, end)
            for start, end in zip(offsets[0::2], offsets[1::2])
        )


@dataclass(frozen=True, slots=True)
class Actor:
    """An entity as one article mentions it. ``slug`` is its entity page."""

    name: str
    kind: EntityKind
    aliases: tuple[str, ...]
    mentions: int
    slug: str


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quote. ``text`` == article.raw[start:end] (without the quotation marks)."""

    text: str
    speaker: str | None
    speaker_slug: str | None
    cue: str | None
    start: int
    end: int
    partial: bool = False
    """A quoted fragment inside the writer's own sentence (`called it “a disaster”`), not a whole statement."""


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the NLP stage derives from one article; cached by content hash."""

    summary: tuple[str, ...]
    actors: tuple[Actor, ...]
    quotes: tuple[Quote, ...]
    context: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Briefing:
    """An article with its extraction: the unit the site is made of."""

    article: Article
    summary: tuple[str, ...]
    actors: tuple[Actor, ...]
    quotes: tuple[Quote, ...]
    context: tuple[str, ...]

    @property
    def slug(self) -> str:
        return self.article.slug

    @property
    def extra(self) -> dict[str, str | tuple[str, ...]]:
        """The article's other front-matter keys: ``briefing.extra.author`` in a template."""
        return self.article.extra


@dataclass(frozen=True, slots=True)
class QuoteRef:
    """A quote as seen from an entity page: the quote and the briefing it is in."""

    quote: Quote
    briefing_slug: str


@dataclass(frozen=True, slots=True)
class Entity:
    """One actor across the whole site: one page."""

    slug: str
    name: str
    kind: EntityKind
    aliases: tuple[str, ...]
    mention_count: int
    briefing_slugs: tuple[str, ...]
    """Briefings that mention it, newest first."""
    quotes: tuple[QuoteRef, ...]
    related: tuple[tuple[str, int], ...]
    """(entity slug, number of briefings shared), most shared first."""
    first_seen: dt.date | None
    last_seen: dt.date | None
    description: str = ""
    """Markdown from the user's entities.toml (empty when none)."""
    description_html: str = ""
    """``description`` rendered (raw HTML in it is escaped)."""


@dataclass(frozen=True, slots=True)
class IncidentQuote:
    """One quote across an incident: the same words, carried by one briefing or several."""

    text: str
    speaker: str | None
    """Who most of the briefings carrying it credit it to (the first report's speaker on a tie)."""
    speaker_slug: str | None
    briefing_slugs: tuple[str, ...]
    """The briefings carrying it, the first to report it first."""
    other_speakers: tuple[str, ...] = ()
    """Other speakers some briefings credit the same words to: a conflict between outlets."""
    partial: bool = False


@dataclass(frozen=True, slots=True)
class Incident:
    """Articles about one real-world event: the incident briefing, its page built from theirs."""

    slug: str
    """The slug of its earliest briefing (dated before undated, then by slug), so it survives new articles."""
    title: str
    briefing_slugs: tuple[str, ...]
    """Oldest first; undated last."""
    first_date: dt.date | None
    last_date: dt.date | None
    outlets: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(outlet, its briefings) in order of first report; an article without one is under ""."""
    copies: tuple[tuple[str, str], ...] = ()
    """(briefing, the earlier briefing it is a near-duplicate of): wire copies of one story."""
    distinct_outlets: int = 0
    """Outlets that reported it in their own words: a wire copy counts for the outlet it copies."""
    summary: tuple[str, ...] = ()
    """Central, non-redundant sentences of its briefings' summaries, earliest facts first."""
    actors: tuple[tuple[str, int], ...] = ()
    """(entity slug, briefings mentioning it), most mentioned first."""
    quotes: tuple[IncidentQuote, ...] = ()
    curated: bool = False
    """Merged, split or titled by hand in the curation file."""

    @property
    def size(self) -> int:
        return len(self.briefing_slugs)

    def order(self) -> tuple[int, int, str]:
        """Sort key: newest first (by its last article), undated last, then by slug."""
        return (0 if self.last_date else 1, -(self.last_date.toordinal() if self.last_date else 0), self.slug)


@dataclass(frozen=True, slots=True)
class Site:
    """The complete site graph. Built in full before anything renders."""

    title: str
    briefings: tuple[Briefing, ...]
    """Newest first; undated ones last."""
    entities: dict[str, Entity] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    """Every briefing is in exactly one; newest first (by last date), undated last. Left empty (a site made
    without the incidents stage), each briefing is an incident of its own."""
    _by_slug: dict[str, Briefing] = field(init=False, repr=False, compare=False)
    _incident_of: dict[str, Incident] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Templates look briefings up by slug once per quote: a dict keeps that linear in the site's size.
        object.__setattr__(self, "_by_slug", {b.slug: b for b in self.briefings})
        if not self.incidents and self.briefings:
            alone = (Incident(b.slug, b.article.title, (b.slug,), b.article.date, b.article.date, summary=b.summary)
                     for b in self.briefings)
            object.__setattr__(self, "incidents", {i.slug: i for i in sorted(alone, key=Incident.order)})
        object.__setattr__(self, "_incident_of", {s: i for i in self.incidents.values() for s in i.briefing_slugs})

    def briefing(self, slug: str) -> Briefing:
        return self._by_slug[slug]

    def incident_of(self, briefing_slug: str) -> Incident | None:
        """The incident a briefing is in (None only on a site built without incidents)."""
        return self._incident_of.get(briefing_slug)
