"""All briefings -> the site graph: entities merged across the corpus, backlinks, related entities.

Computed in full every build (cheap next to NLP) so navigation is never stale.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from briefgen.curation import Curation
from briefgen.entities import Resolution, Resolver, resolve
from briefgen.errors import Diagnostic, Severity
from briefgen.model import Actor, Briefing, Entity, EntityKind, Quote, QuoteRef, Site

MAX_RELATED = 12


@dataclass(slots=True)
class _Pool:
    names: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)
    mentions: int = 0
    briefings: list[Briefing] = field(default_factory=list)


def _sort_key(b: Briefing) -> tuple[int, int, str]:
    """Newest first, undated last, then by slug for a stable order."""
    return (0 if b.article.date else 1, -(b.article.date or dt.date.min).toordinal(), b.slug)


def sort_briefings(briefings: Iterable[Briefing]) -> list[Briefing]:
    return sorted(briefings, key=_sort_key)


def _curate(b: Briefing, curation: Curation, shown: dict[str, tuple[str, str]]) -> Briefing:
    """Drop ignored actors (by their name, or the name of the page they would be on) and move curated ones to
    their page, name and kind.

    An actor is matched by its own name, slug or aliases, else by the page it would be on without
    curation (``shown``: actor slug -> that page's slug and name), so an entry naming a page as the reader
    sees it ("Stephen Bannon" on stephen-k-bannon.html) takes all of that page's actors.
    """
    actors = []
    dropped: set[str] = set()
    for a in b.actors:
        page = shown.get(a.slug)
        if curation.ignored(a.name) or (page and curation.ignored(page[1])):
            dropped.add(a.slug)
            continue
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
        else replace(q, speaker_slug=moved[q.speaker_slug]) if q.speaker_slug and q.speaker_slug in moved
        and moved[q.speaker_slug] != q.speaker_slug
        else q
        for q in b.quotes
    )
    if len(actors) == len(b.actors) and all(x is y for x, y in zip(actors, b.actors)) \
            and all(x is y for x, y in zip(quotes, b.quotes)):
        return b  # nothing curated here: the same record (the site graph's memo then knows it)
    return replace(b, actors=tuple(actors), quotes=quotes)


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
    if len(set(slugs)) == len(slugs) and all(remap.get(s, s) == s for s in slugs) \
            and all(remap.get(q.speaker_slug, q.speaker_slug) == q.speaker_slug for q in b.quotes if q.speaker_slug):
        return b  # nothing to move or merge: no copies
    actors = _merge_actors(b.actors, remap)
    quotes = tuple(
        replace(q, speaker_slug=remap.get(q.speaker_slug, q.speaker_slug)) if q.speaker_slug else q
        for q in b.quotes
    )
    return replace(b, actors=actors, quotes=quotes)


class ResolutionMemo:
    """What the last site graph lends the next one (same result, cheaper), kept by a caller that builds one
    project again and again (``serve``): the resolvers of the uncurated and the curated briefings (an edit to
    an article's wording, or an entities.toml save, mostly decides nothing anew), and the last site's
    briefings and entities (equal ones stay the same objects)."""

    __slots__ = ("curated", "curation", "key_slugs", "linked", "plain", "site_briefings", "site_entities")

    def __init__(self) -> None:
        self.plain = Resolver()
        """Resolves the briefings as they are, before curation (entries may name those pages)."""
        self.curated = Resolver()
        self.site_briefings: dict[str, Briefing] = {}
        """The briefings of the last site built, by slug: one equal to it now is that very object (the
        engine then reuses its digest instead of taking it again)."""
        self.site_entities: dict[str, Entity] = {}
        """The same for the entities."""
        self.key_slugs: dict[str, tuple[str, ...]] = {}
        """Per briefing slug, its key actors in the last site: an entity whose briefings' key actors are all
        as they were has the related entities it had."""
        self.linked: dict[str, tuple[Briefing, dict[str, str], Briefing]] = {}
        """Per briefing slug, the last site's curated briefing, its actors' pages and the briefing relinked to
        them: the same briefing with the same pages is that very relinked one."""
        self.curation: Curation | None = None
        """The curation the last site was built with (an entity depends on it)."""


def resolve_curated(briefings: Iterable[Briefing], curation: Curation,
                    memo: ResolutionMemo | None = None) -> tuple[list[Briefing], Resolution]:
    """The briefings sorted and curated (ignored actors dropped, curated ones on their page), and the entity
    resolution of the rest; curated pages stay as they are."""
    ordered = sort_briefings(briefings)
    if curation.entities or curation.ignore:
        # Entries (and ignored names) may name a page as it is shown without curation: work those out first.
        plain = memo.plain.resolve(ordered) if memo is not None else resolve(ordered)
        ordered = [
            _curate(b, curation, {a.slug: (slug, plain.names[slug]) for a in b.actors
                                  if (slug := page.get(a.slug, a.slug)) in plain.names})
            for b, page in zip(ordered, plain.pages)
        ]
    elif memo is not None:
        memo.plain = Resolver()  # not needed without curation: nothing of an earlier one is kept
    fixed = frozenset(c.slug for c in curation.entities)
    return ordered, memo.curated.resolve(ordered, fixed) if memo is not None else resolve(ordered, fixed)


def build_site(
    briefings: Iterable[Briefing], *, title: str = "Incident briefings", curation: Curation | None = None,
    memo: ResolutionMemo | None = None,
) -> Site:
    """Merge every briefing's actors into site-wide entities and link both ways.

    Order: the user's curation first (it always wins; its entries also match pages as they would be
    shown without it), then entity resolution across the corpus (``briefgen.entities.resolve``), which
    gives every actor its page, and every page its shown name and kind; curated pages stay as they are.
    ``memo``: kept by a caller that builds one project again and again (same result, cheaper).
    """
    curation = curation or Curation()
    ordered, resolution = resolve_curated(briefings, curation, memo)
    linked, changed = _relinked(ordered, resolution.pages, memo)

    curated_by_slug = {c.slug: c for c in curation.entities}
    known = memo.site_entities if memo is not None else {}
    key_slugs = {b.slug: key_actor_slugs(b) for b in linked}

    def name_and_kind(slug: str) -> tuple[str, EntityKind]:
        curated = curated_by_slug.get(slug)
        return (curated.name if curated and curated.named else resolution.names[slug],
                curated.kind if curated and curated.kind else resolution.kinds[slug])

    # An entity none of whose briefings changed (nor any quote credited to it), under the same curation, is
    # the entity it was when its name and kind are: its pool is the same briefings in the same order. Only
    # the others' pools are gathered.
    affected = _touched_entities(changed) if memo is not None and memo.curation == curation else None
    named: set[str] = set()
    order: list[str] = []  # every page slug, as the briefings first name it: the entities' order
    pools: dict[str, _Pool] = {}
    quotes_by: dict[str, list[QuoteRef]] = defaultdict(list)
    for b in linked:
        for a in b.actors:
            slug = a.slug
            if slug not in named:
                named.add(slug)
                order.append(slug)
                if affected is None or slug in affected or (same := known.get(slug)) is None \
                        or (same.name, same.kind) != name_and_kind(slug):
                    pools[slug] = _Pool()
            if (pool := pools.get(slug)) is not None:
                pool.names.add(a.name)
                pool.aliases.update(a.aliases)
                pool.mentions += a.mentions
                pool.briefings.append(b)
        for q in b.quotes:  # credited to an entity named here or in an earlier briefing
            if q.speaker_slug in pools:
                quotes_by[q.speaker_slug].append(QuoteRef(q, b.slug))

    entities: dict[str, Entity] = {}
    before_keys = memo.key_slugs if memo is not None else {}
    moved = {s for s, k in key_slugs.items() if before_keys.get(s) != k} if known else set()
    for slug in order:
        pool = pools.get(slug)
        if pool is None:
            entities[slug] = known[slug]
            continue
        curated = curated_by_slug.get(slug)
        name, kind = name_and_kind(slug)
        same = known.get(slug)
        dates = [b.article.date for b in pool.briefings if b.article.date]
        briefing_slugs = tuple(b.slug for b in pool.briefings)
        # _related reads only the key actors of the entity's briefings.
        related = same.related if same is not None and same.briefing_slugs == briefing_slugs \
            and moved.isdisjoint(briefing_slugs) else _related(slug, pool.briefings, key_slugs)
        entities[slug] = Entity(
            slug=slug,
            name=name,
            kind=kind,
            aliases=tuple(sorted((pool.aliases | pool.names) - {name})),
            mention_count=pool.mentions,
            briefing_slugs=briefing_slugs,
            quotes=tuple(quotes_by.get(slug, ())),
            related=related,
            first_seen=min(dates) if dates else None,
            last_seen=max(dates) if dates else None,
            description=curated.description if curated else "",
            description_html=curated.description_html if curated else "",
        )
    if memo is not None:
        for slug, entity in entities.items():
            if (same := known.get(slug)) is not None and same is not entity and same == entity:
                entities[slug] = same
        memo.site_entities, memo.key_slugs, memo.curation = entities, key_slugs, curation
    # Actor names on briefings follow the site-wide entity name, so one actor reads the same everywhere.
    # (Records are copied only when something differs: dataclasses.replace dominated this function.)
    before = memo.site_briefings if memo is not None else {}
    # A briefing is the last site's unless it changed, names an entity that is not the last site's object
    # (each entity lists every briefing naming it), or quotes one (or one gone).
    renewed = {s for s in pools if entities[s] is not known.get(s)} | (known.keys() - entities.keys())
    renamed = {slug for s in renewed for e in (entities.get(s), known.get(s)) if e is not None
               for slug in e.briefing_slugs}
    final = tuple(
        found if (found := before.get(b.slug)) is not None and b.slug not in changed and b.slug not in renamed
        and not any(q.speaker_slug in renewed for q in b.quotes)
        else _named(b, entities, found)
        for b in linked)
    if memo is not None:
        memo.site_briefings = {b.slug: b for b in final}
    return Site(title=title, briefings=final, entities=entities)


def _relinked(ordered: list[Briefing], pages: list[dict[str, str]],
              memo: ResolutionMemo | None) -> tuple[list[Briefing], dict[str, tuple[Briefing | None, Briefing | None]]]:
    """Each briefing with its actors on their pages (``_relink``), and the briefings whose relinked record is
    not the last site's (slug -> (last one, this one); None: not there); all of them without a memo."""
    before = memo.linked if memo is not None else {}
    linked: list[Briefing] = []
    kept: dict[str, tuple[Briefing, dict[str, str], Briefing]] = {}
    changed: dict[str, tuple[Briefing | None, Briefing | None]] = {}
    for b, page in zip(ordered, pages):
        last = before.get(b.slug)
        # Equal, not only the same object: a memo loaded from the engine's state holds copies.
        if last is not None and (last[0] is b or last[0] == b) and last[1] == page:
            kept[b.slug] = last
            linked.append(last[2])
            continue
        relinked = _relink(b, page)
        if last is None or relinked is not last[2]:
            changed[b.slug] = (last[2] if last is not None else None, relinked)
        kept[b.slug] = (b, page, relinked)
        linked.append(relinked)
    for slug, last in before.items():
        if slug not in kept:
            changed[slug] = (last[2], None)
    if memo is not None:
        memo.linked = kept
    return linked, changed


def _touched_entities(changed: dict[str, tuple[Briefing | None, Briefing | None]]) -> set[str]:
    """The page slugs the changed briefings name (as actors or speakers), before and after the change."""
    touched: set[str] = set()
    for pair in changed.values():
        for b in pair:
            if b is not None:
                touched.update(a.slug for a in b.actors)
                touched.update(q.speaker_slug for q in b.quotes if q.speaker_slug)
    return touched


def unmatched_entries(site: Site, curation: Curation) -> list[Diagnostic]:
    """A warning for each curated entity that matched no actor (a typo, or a name the model never found)."""
    return [
        Diagnostic(curation.source, f'[entity.{json.dumps(c.name, ensure_ascii=False)}] matches no actor name, '
                   "alias or page slug", Severity.WARNING, c.line)
        for c in curation.entities if c.slug not in site.entities
    ]


def key_actor_slugs(b: Briefing) -> tuple[str, ...]:
    """The actors ``b`` is related to others by: co-mentioned key actors only, so a briefing with many
    names stays linear, not quadratic."""
    return tuple(a.slug for a in b.actors[:15])


def _related(
    slug: str, briefings: list[Briefing], key_slugs: dict[str, tuple[str, ...]]
) -> tuple[tuple[str, int], ...]:
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


def _named(b: Briefing, entities: dict[str, Entity], before: Briefing | None) -> Briefing:
    """The briefing with its actors and speakers under their pages' names; ``before`` itself when equal."""
    named = replace(b, actors=tuple(_actor_named(a, entities[a.slug]) for a in b.actors),
                    quotes=tuple(_speaker_named(q, entities) for q in b.quotes))
    return before if before is not None and before == named else named


def _actor_named(a: Actor, e: Entity) -> Actor:
    """The actor under its page's name and kind; the article's own spelling stays among its aliases."""
    if a.name == e.name and a.kind is e.kind:
        return a
    aliases = a.aliases if a.name == e.name else tuple(sorted((set(a.aliases) | {a.name}) - {e.name}))
    return Actor(e.name, e.kind, aliases, a.mentions, a.slug)


def _speaker_named(q: Quote, entities: dict[str, Entity]) -> Quote:
    if q.speaker_slug and q.speaker_slug in entities:
        name = entities[q.speaker_slug].name
        return q if q.speaker == name else replace(q, speaker=name)
    return replace(q, speaker_slug=None) if q.speaker_slug else q
