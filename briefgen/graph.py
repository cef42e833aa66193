"""All briefings -> the site graph: entities merged across the corpus, backlinks, related entities.

Computed in full every build (cheap next to NLP) so navigation is never stale.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from briefgen.curation import Curation, name_key
from briefgen.errors import Diagnostic, Severity
from briefgen.model import Actor, Briefing, Entity, EntityKind, Quote, QuoteRef, Site

MAX_RELATED = 12


@dataclass(slots=True)
class _Pool:
    names: Counter[str] = field(default_factory=Counter)
    kinds: Counter[EntityKind] = field(default_factory=Counter)
    aliases: set[str] = field(default_factory=set)
    mentions: int = 0
    briefings: list[Briefing] = field(default_factory=list)


def _sort_key(b: Briefing) -> tuple[int, dt.date, str]:
    """Newest first, undated last, then by slug for a stable order."""
    return (0 if b.article.date else 1, -(b.article.date or dt.date.min).toordinal(), b.slug)


def sort_briefings(briefings: Iterable[Briefing]) -> list[Briefing]:
    return sorted(briefings, key=_sort_key)


def _corpus_aliases(briefings: list[Briefing]) -> dict[str, str]:
    """Map a one-word person slug to the one full name it stands for across the corpus ("trump" -> "donald-trump").

    Ambiguous short names (two people share the surname) are left alone.
    """
    full_by_part: dict[str, set[str]] = defaultdict(set)
    for b in briefings:
        for a in b.actors:
            words = a.name.split()
            if a.kind is EntityKind.PERSON and len(words) > 1:
                full_by_part[words[-1].lower()].add(a.slug)
    remap = {}
    for b in briefings:
        for a in b.actors:
            if a.kind is EntityKind.PERSON and len(a.name.split()) == 1:
                targets = full_by_part.get(a.name.lower(), set())
                if len(targets) == 1:
                    remap[a.slug] = next(iter(targets))
    return remap


def _curate(b: Briefing, curation: Curation, shown: dict[str, tuple[str, str]]) -> Briefing:
    """Drop ignored actors and move curated ones to their page, name and kind.

    An actor is matched by its own name, slug or aliases, else by the page it would be on without
    curation (``shown``: actor slug -> that page's slug and name), so an entry naming a page as the reader
    sees it ("Stephen Bannon" on stephen-k-bannon.html) takes all of that page's actors.
    """
    actors = []
    dropped: set[str] = set()
    for a in b.actors:
        if curation.ignored(a.name):
            dropped.add(a.slug)
            continue
        page = shown.get(a.slug)
        curated = (
            curation.lookup(a.name, a.slug)
            or next((c for alias in a.aliases if (c := curation.lookup(alias)) is not None), None)
            or (curation.lookup(page[1], page[0]) if page else None)
        )
        if curated is not None:
            name = curated.name if curated.named else a.name
            aliases = tuple(sorted((set(a.aliases) | {a.name}) - {name}))
            a = replace(a, name=name, slug=curated.slug, kind=curated.kind or a.kind, aliases=aliases)
        actors.append(a)
    moved = {old.slug: new.slug for old, new in zip((x for x in b.actors if x.slug not in dropped), actors)}
    quotes = tuple(
        replace(q, speaker_slug=None) if q.speaker_slug in dropped
        else replace(q, speaker_slug=moved.get(q.speaker_slug, q.speaker_slug)) if q.speaker_slug else q
        for q in b.quotes
    )
    return replace(b, actors=tuple(actors), quotes=quotes)


def _spelling_aliases(briefings: list[Briefing]) -> dict[str, str]:
    """Pages that differ only in dots, case, a possessive or a leading "the" ("F.B.I."/"FBI") become one:
    the most mentioned spelling's page."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for b in briefings:
        for a in b.actors:
            key = name_key(a.name)
            if key:
                groups[key][a.slug] += a.mentions
    remap = {}
    for counts in groups.values():
        if len(counts) > 1:
            target = max(counts, key=lambda s: (counts[s], -len(s), s))
            remap.update({slug: target for slug in counts if slug != target})
    return remap


def _surnames_in_briefing(b: Briefing) -> dict[str, str]:
    """Inside one briefing, a one-word place/organisation that is the surname of exactly one person named
    there is that person, mis-tagged by the model ("Kasich" as a place beside "John Kasich")."""
    people: dict[str, set[str]] = defaultdict(set)
    for a in b.actors:
        words = a.name.split()
        if a.kind is EntityKind.PERSON and len(words) > 1:
            people[words[-1].lower()].add(a.slug)
    remap = {}
    for a in b.actors:
        if a.kind is not EntityKind.PERSON and len(a.name.split()) == 1:
            targets = people.get(a.name.lower(), set())
            if len(targets) == 1:
                remap[a.slug] = next(iter(targets))
    return remap


def _merge_actors(actors: Iterable[Actor], remap: dict[str, str]) -> tuple[Actor, ...]:
    merged: dict[str, Actor] = {}
    for a in actors:
        slug = remap.get(a.slug, a.slug)
        if slug in merged:
            first = merged[slug]
            aliases = tuple(sorted((set(first.aliases) | set(a.aliases) | {a.name}) - {first.name}))
            merged[slug] = replace(first, aliases=aliases, mentions=first.mentions + a.mentions)
        else:
            merged[slug] = a if slug == a.slug else replace(a, slug=slug)
    return tuple(merged.values())


def _relink(b: Briefing, remap: dict[str, str]) -> Briefing:
    slugs = [a.slug for a in b.actors]
    if len(set(slugs)) == len(slugs) and remap.keys().isdisjoint(slugs) \
            and not any(q.speaker_slug in remap for q in b.quotes if q.speaker_slug):
        return b  # nothing to move or merge (most briefings, most passes): no copies
    actors = _merge_actors(b.actors, remap)
    quotes = tuple(
        replace(q, speaker_slug=remap.get(q.speaker_slug, q.speaker_slug)) if q.speaker_slug else q
        for q in b.quotes
    )
    return replace(b, actors=actors, quotes=quotes)


def build_site(
    briefings: Iterable[Briefing], *, title: str = "Incident briefings", curation: Curation | None = None
) -> Site:
    """Merge every briefing's actors into site-wide entities and link both ways.

    Order: the user's curation first (it always wins; its entries also match pages as they would be
    shown without it), then within each briefing a mis-tagged surname
    joins its person, then spellings that differ only in dots/case/"the" share a page, then a surname
    alone joins the one full name it has across the corpus (left alone when two people share it).
    """
    curation = curation or Curation()
    ordered = sort_briefings(briefings)
    if curation.entities:
        # Entries may name a page as it is shown without curation: work out those pages first.
        pages: list[dict[str, str]] = []
        names = _page_names(_link(ordered, frozenset(), pages))
        ordered = [
            _curate(b, curation, {old: (slug, names[slug]) for old, slug in page.items()})
            for b, page in zip(ordered, pages)
        ]
    elif curation.ignore:
        ordered = [_curate(b, curation, {}) for b in ordered]
    linked = _link(ordered, frozenset(c.slug for c in curation.entities))

    pools: dict[str, _Pool] = defaultdict(_Pool)
    quotes_by: dict[str, list[QuoteRef]] = defaultdict(list)
    # Related = co-mentioned; key actors only, so a briefing with many names stays linear, not quadratic.
    key_slugs: dict[str, tuple[str, ...]] = {}
    for b in linked:
        key_slugs[b.slug] = tuple(a.slug for a in b.actors[:15])
        for a in b.actors:
            pool = pools[a.slug]
            pool.names[a.name] += a.mentions
            pool.kinds[a.kind] += a.mentions
            pool.aliases.update(a.aliases)
            pool.mentions += a.mentions
            pool.briefings.append(b)
        for q in b.quotes:
            if q.speaker_slug in pools:
                quotes_by[q.speaker_slug].append(QuoteRef(q, b.slug))

    entities: dict[str, Entity] = {}
    curated_by_slug = {c.slug: c for c in curation.entities}
    for slug, pool in pools.items():
        curated = curated_by_slug.get(slug)
        name = curated.name if curated and curated.named else _shown_name(pool.names)
        dates = [b.article.date for b in pool.briefings if b.article.date]
        entities[slug] = Entity(
            slug=slug,
            name=name,
            kind=(curated.kind if curated and curated.kind else pool.kinds.most_common(1)[0][0]),
            aliases=tuple(sorted((pool.aliases | set(pool.names)) - {name})),
            mention_count=pool.mentions,
            briefing_slugs=tuple(b.slug for b in pool.briefings),
            quotes=tuple(quotes_by.get(slug, ())),
            related=_related(slug, pool.briefings, key_slugs),
            first_seen=min(dates) if dates else None,
            last_seen=max(dates) if dates else None,
            description=curated.description if curated else "",
            description_html=curated.description_html if curated else "",
        )
    # Actor names on briefings follow the site-wide entity name, so one actor reads the same everywhere.
    # (Records are copied only when something differs: dataclasses.replace dominated this function.)
    final = tuple(
        replace(b, actors=tuple(_actor_named(a, entities[a.slug]) for a in b.actors),
                quotes=tuple(_speaker_named(q, entities) for q in b.quotes))
        for b in linked
    )
    return Site(title=title, briefings=final, entities=entities)


def _link(briefings: list[Briefing], curated: frozenset[str],
          pages: list[dict[str, str]] | None = None) -> list[Briefing]:
    """The merging heuristics, in order; a curated page is never merged into another one.

    ``pages``, when given, receives for each briefing the page slug each of its actor slugs ends up on.
    """
    def keep(remap: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in remap.items() if k not in curated} if curated else remap

    surnames = [keep(_surnames_in_briefing(b)) for b in briefings]
    linked = [_relink(b, remap) for b, remap in zip(briefings, surnames)]
    spelling = keep(_spelling_aliases(linked))
    linked = [_relink(b, spelling) for b in linked]
    corpus = keep(_corpus_aliases(linked))
    if pages is not None:
        for b, remap in zip(briefings, surnames):
            steps = {a.slug: spelling.get(s := remap.get(a.slug, a.slug), s) for a in b.actors}
            pages.append({old: corpus.get(s, s) for old, s in steps.items()})
    return [_relink(b, corpus) for b in linked]


def _shown_name(names: Counter[str]) -> str:
    """A page's name: its most mentioned spelling."""
    return max(names, key=lambda n: (names[n], len(n), n))


def _page_names(briefings: list[Briefing]) -> dict[str, str]:
    names: dict[str, Counter[str]] = defaultdict(Counter)
    for b in briefings:
        for a in b.actors:
            names[a.slug][a.name] += a.mentions
    return {slug: _shown_name(counts) for slug, counts in names.items()}


def unmatched_entries(site: Site, curation: Curation) -> list[Diagnostic]:
    """A warning for each curated entity that matched no actor (a typo, or a name the model never found)."""
    return [
        Diagnostic(curation.source, f'[entity.{json.dumps(c.name, ensure_ascii=False)}] matches no actor name, '
                   "alias or page slug", Severity.WARNING, c.line)
        for c in curation.entities if c.slug not in site.entities
    ]


def _related(slug: str, briefings: list[Briefing], key_slugs: dict[str, tuple[str, ...]]) -> tuple[tuple[str, int], ...]:
    """The entities most often among the key actors of the same briefings as ``slug`` (when it is one too).

    Counted one entity at a time: a counter per entity for the whole site was 4 million entries at
    20,000 briefings, a large part of the build's peak memory.
    """
    counts: Counter[str] = Counter()
    for b in briefings:
        key = key_slugs[b.slug]
        if slug in key:
            counts.update(key)
    counts.pop(slug, None)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_RELATED])


def _actor_named(a: Actor, e: Entity) -> Actor:
    return a if a.name == e.name and a.kind is e.kind else Actor(e.name, e.kind, a.aliases, a.mentions, a.slug)


def _speaker_named(q: Quote, entities: dict[str, Entity]) -> Quote:
    if q.speaker_slug and q.speaker_slug in entities:
        name = entities[q.speaker_slug].name
        return q if q.speaker == name else replace(q, speaker=name)
    return replace(q, speaker_slug=None) if q.speaker_slug else q
