"""A view of the site graph that records what is read through it: the engine's dependency tracking.

A page is rendered against a ``TrackedSite``: every briefing, entity and incident it looks up, and each
field of those it reads, is recorded as a key. The next build compares each recorded key's value with the
value it has now, and renders the page again only if one of them changed (Lektor records a page's
dependencies the same way, as they are read). Anything the view does not track on its own (iterating a
whole collection, an attribute of the site it does not know) records ``EVERYTHING``: such a page depends
on the whole site, so it is never left stale, only rendered more often than it needs (Hugo's "no false
negatives; false positives are fine"). A property runs on the view, so it records the fields it reads
(``incident.size`` reads ``briefing_slugs``), but for those in ``COMPARED``; an object's slug, the one it
was looked up by, records only the lookup.

Keys are strings, ``kind NUL slug [NUL field]``:

- ``b/e/i NUL slug NUL field``: that field of that briefing / entity / incident (``i`` by incident slug);
- ``b NUL slug NUL article.field``: that field of the briefing's article (``NESTED``), so a list of
  briefings that shows their titles does not follow an edit of one article's text; ``b NUL slug NUL article``
  is the article as a whole;
- ``b/e/i NUL slug``: whether the object exists (a lookup, ``in``, or the object as a whole, e.g. ``==``);
- ``o NUL slug``: which incident the briefing ``slug`` belongs to;
- ``# NUL b/e/i``: how many briefings / entities / incidents there are (``length``, or whether there are
  any: a page that shows only counts of a collection does not depend on its members);
- ``*``: everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from briefgen.model import Article, Briefing, Entity, Incident, Site

EVERYTHING = "*"
BRIEFING, ENTITY, INCIDENT, INCIDENT_OF, COUNT = "b", "e", "i", "o", "#"
SEP = "\0"

Reads = set[str]

TRACKED_KINDS: dict[str, type] = {BRIEFING: Briefing, ENTITY: Entity, INCIDENT: Incident}
NESTED: dict[str, tuple[str, type]] = {BRIEFING: ("article", Article)}
"""A field whose own fields are tracked one by one, as ``field.name``."""
COMPARED: dict[type, tuple[str, ...]] = {Article: ("credit",)}
"""Properties tracked (and compared) as values of their own, not by the fields they read: a list that shows
an article's wire credit depends on the credit, not on all of the text it is found in."""


def key(kind: str, slug: str, field: str | None = None) -> str:
    return f"{kind}{SEP}{slug}" if field is None else f"{kind}{SEP}{slug}{SEP}{field}"


class Tracked:
    """A briefing, entity or incident (or a briefing's article: ``within`` "article.") whose field reads are
    recorded; otherwise it reads like the object."""

    __slots__ = ("_kind", "_object", "_reads", "_slug", "_within")

    def __init__(self, kind: str, slug: str, obj: Any, reads: Reads, within: str = "") -> None:
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_slug", slug)
        object.__setattr__(self, "_object", obj)
        object.__setattr__(self, "_reads", reads)
        object.__setattr__(self, "_within", within)

    def __getattr__(self, name: str) -> Any:
        obj = self._object
        through = _THROUGH.get((type(obj), name))
        if through is not None:
            return through(self)
        self._reads.add(key(self._kind, self._slug, self._within + name))
        return getattr(obj, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}")

    def _whole(self) -> Any:
        if self._within:
            self._reads.add(key(self._kind, self._slug, self._within[:-1]))
        else:
            self._reads.add(key(self._kind, self._slug))
            self._reads.add(key(self._kind, self._slug, ""))
        return self._object

    def __eq__(self, other: object) -> bool:
        return bool(self._whole() == (other._whole() if isinstance(other, Tracked) else other))

    def __hash__(self) -> int:
        return hash(self._whole())

    def __repr__(self) -> str:
        return repr(self._whole())


def _nested_view(name: str) -> Callable[[Tracked], Tracked]:
    def view(outer: Tracked) -> Tracked:
        return Tracked(outer._kind, outer._slug, getattr(outer._object, name), outer._reads, f"{name}.")

    return view


def _slug_of(view: Tracked) -> Any:
    """The slug the object was looked up by: it reads nothing but whether the object is there."""
    view._reads.add(key(view._kind, view._slug))
    return view._object.slug


def _through() -> dict[tuple[type, str], Callable[[Tracked], Any]]:
    """What a read of a tracked object runs on the view itself: its slug, a nested field's view, properties."""
    out: dict[tuple[type, str], Callable[[Tracked], Any]] = {}
    for kind in (*TRACKED_KINDS.values(), *(nested for _, nested in NESTED.values())):
        for klass in reversed(kind.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, property) and value.fget and name not in COMPARED.get(kind, ()):
                    out[kind, name] = value.fget
        out[kind, "slug"] = _slug_of
    for letter, (name, _) in NESTED.items():
        out[TRACKED_KINDS[letter], name] = _nested_view(name)
    return out


_THROUGH = _through()


def unwrap(value: Any) -> Any:
    """The object behind a tracked one (read as a whole)."""
    return value._whole() if isinstance(value, Tracked) else value


class TrackedMapping(Mapping[str, Any]):
    """``site.entities`` / ``site.incidents``: a lookup records that one key, a walk over it everything."""

    def __init__(self, kind: str, items: Mapping[str, Any], reads: Reads) -> None:
        self._kind = kind
        self._items = items
        self._reads = reads

    def __getitem__(self, slug: str) -> Any:
        self._reads.add(key(self._kind, slug))
        return Tracked(self._kind, slug, self._items[slug], self._reads)

    def __contains__(self, slug: object) -> bool:
        if not isinstance(slug, str):
            return False
        self._reads.add(key(self._kind, slug))
        return slug in self._items

    def __iter__(self) -> Iterator[str]:
        self._reads.add(EVERYTHING)
        return iter(self._items)

    def __len__(self) -> int:
        self._reads.add(key(COUNT, self._kind))
        return len(self._items)


class TrackedBriefings(Sequence[Briefing]):
    """``site.briefings``: its length (or whether it is empty) records the count, anything else everything."""

    def __init__(self, items: tuple[Briefing, ...], reads: Reads) -> None:
        self._items = items
        self._reads = reads

    def __len__(self) -> int:
        self._reads.add(key(COUNT, BRIEFING))
        return len(self._items)

    def __bool__(self) -> bool:
        return len(self) > 0

    def __getitem__(self, index: Any) -> Any:
        self._reads.add(EVERYTHING)
        return self._items[index]

    def __iter__(self) -> Iterator[Briefing]:
        self._reads.add(EVERYTHING)
        return iter(self._items)


class TrackedSite:
    """The ``Site`` as a page sees it while it renders, recording into ``reads``."""

    def __init__(self, site: Site, reads: Reads) -> None:
        self._site = site
        self.reads = reads
        self.entities = TrackedMapping(ENTITY, site.entities, reads)
        self.incidents = TrackedMapping(INCIDENT, site.incidents, reads)

    @property
    def title(self) -> str:
        return self._site.title  # a setting: every page depends on the settings anyway

    @property
    def briefings(self) -> Sequence[Briefing]:
        return TrackedBriefings(self._site.briefings, self.reads)

    def briefing(self, slug: str) -> Briefing:
        self.reads.add(key(BRIEFING, slug))
        return Tracked(BRIEFING, slug, self._site.briefing(slug), self.reads)  # type: ignore[return-value]

    def incident_of(self, briefing_slug: str) -> Incident | None:
        self.reads.add(key(INCIDENT_OF, briefing_slug))
        incident = self._site.incident_of(briefing_slug)
        if incident is None:
            return None
        return Tracked(INCIDENT, incident.slug, incident, self.reads)  # type: ignore[return-value]

    def __getattr__(self, name: str) -> Any:
        # Not a lookup the engine knows how to compare: the page depends on everything.
        self.reads.add(EVERYTHING)
        return getattr(self._site, name)


def untracked(site: Site) -> Site:
    """The site behind a tracked view, for an output made of all of it (``briefings.json``): recorded as
    depending on everything at once, rather than read by read (half a million lookups at 20,000 briefings)."""
    if isinstance(site, TrackedSite):
        site.reads.add(EVERYTHING)
        return site._site
    return site


def tracked(site: Site, reads: Reads) -> Site:
    """``site`` as a page's renderer sees it (typed as a Site: it reads like one)."""
    return TrackedSite(site, reads)  # type: ignore[return-value]

