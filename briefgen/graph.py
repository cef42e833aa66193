"""All briefings -> the site graph: entities merged across the corpus, backlinks, related entities.

Computed in full every build (cheap next to NLP) so navigation is never stale.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

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


def build_site(briefings: Iterable[Briefing], *, title: str = "Incident briefings") -> Site:
    """Merge every briefing's actors into site-wide entities and link both ways."""
    ordered = sort_briefings(briefings)
    remap = _corpus_aliases(ordered)
    linked: list[Briefing] = []
    for b in ordered:
        actors = _merge_actors(b.actors, remap)
        quotes = tuple(
            replace(q, speaker_slug=remap.get(q.speaker_slug, q.speaker_slug)) if q.speaker_slug else q
            for q in b.quotes
        )
        linked.append(replace(b, actors=actors, quotes=quotes))

    pools: dict[str, _Pool] = defaultdict(_Pool)
    quotes_by: dict[str, list[QuoteRef]] = defaultdict(list)
    related: dict[str, Counter[str]] = defaultdict(Counter)
    for b in linked:
        slugs = [a.slug for a in b.actors]
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
        # Related = co-mentioned; key actors only, so a briefing with many names stays linear, not quadratic.
        key = slugs[:15]
        for s in key:
            for other in key:
                if other != s:
                    related[s][other] += 1

    entities: dict[str, Entity] = {}
    for slug, pool in pools.items():
        name = max(pool.names, key=lambda n: (pool.names[n], len(n), n))
        dates = [b.article.date for b in pool.briefings if b.article.date]
        entities[slug] = Entity(
            slug=slug,
            name=name,
            kind=pool.kinds.most_common(1)[0][0],
            aliases=tuple(sorted((pool.aliases | set(pool.names)) - {name})),
            mention_count=pool.mentions,
            briefing_slugs=tuple(b.slug for b in pool.briefings),
            quotes=tuple(quotes_by.get(slug, ())),
            related=tuple(sorted(related[slug].items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_RELATED]),
            first_seen=min(dates) if dates else None,
            last_seen=max(dates) if dates else None,
        )
    # Actor names on briefings follow the site-wide entity name, so one actor reads the same everywhere.
    # (Records are copied only when something differs: dataclasses.replace dominated this function.)
    final = tuple(
        replace(b, actors=tuple(_actor_named(a, entities[a.slug]) for a in b.actors),
                quotes=tuple(_speaker_named(q, entities) for q in b.quotes))
        for b in linked
    )
    return Site(title=title, briefings=final, entities=entities)


def _actor_named(a: Actor, e: Entity) -> Actor:
    return a if a.name == e.name and a.kind is e.kind else Actor(e.name, e.kind, a.aliases, a.mentions, a.slug)


def _speaker_named(q: Quote, entities: dict[str, Entity]) -> Quote:
    if q.speaker_slug and q.speaker_slug in entities:
        name = entities[q.speaker_slug].name
        return q if q.speaker == name else replace(q, speaker=name)
    return replace(q, speaker_slug=None) if q.speaker_slug else q
