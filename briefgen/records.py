"""Briefings as JSON objects: the public contract of ``briefgen inspect`` and ``site/briefings.json``.

Field names here are stable; add fields, never rename or remove them.
"""

from __future__ import annotations

from typing import Any

from briefgen.model import Briefing, Entity, Incident
from briefgen.urls import briefing_path, entity_path, incident_path


def briefing_record(b: Briefing, incident: str | None = None) -> dict[str, Any]:
    """``incident``: the slug of the incident the briefing is in."""
    a = b.article
    return {
        "slug": b.slug,
        "title": a.title,
        "date": a.date.isoformat() if a.date else None,
        "source": a.source,
        "url": a.url,
        "publisher": a.publisher,
        "tags": list(a.tags),
        "page": briefing_path(b.slug),
        "summary": list(b.summary),
        "actors": [
            {"name": x.name, "kind": x.kind.value, "aliases": list(x.aliases), "mentions": x.mentions, "slug": x.slug}
            for x in b.actors
        ],
        "quotes": [
            {"text": q.text, "speaker": q.speaker, "speaker_slug": q.speaker_slug, "cue": q.cue, "start": q.start,
             "end": q.end, "partial": q.partial}
            for q in b.quotes
        ],
        "context": list(b.context),
        "incident": incident,
        "extra": {key: list(value) if isinstance(value, tuple) else value for key, value in a.extra.items()},
    }


def incident_page(i: Incident) -> str:
    """An incident of several articles has its own page; an incident of one is its briefing's page."""
    return incident_path(i.slug) if i.size > 1 else briefing_path(i.slug)


def incident_record(i: Incident, names: dict[str, str]) -> dict[str, Any]:
    """One object of ``site/incidents.json``; ``names``: entity slug -> shown name."""
    copies = dict(i.copies)
    return {
        "slug": i.slug,
        "title": i.title,
        "page": incident_page(i),
        "first_date": i.first_date.isoformat() if i.first_date else None,
        "last_date": i.last_date.isoformat() if i.last_date else None,
        "briefings": list(i.briefing_slugs),
        "outlets": [{"name": name or None, "briefings": list(slugs),
                     "copies": {s: copies[s] for s in slugs if s in copies}} for name, slugs in i.outlets],
        "distinct_outlets": i.distinct_outlets,
        "actors": [{"slug": s, "name": names.get(s, s), "briefings": n} for s, n in i.actors],
        "quotes": [{"text": q.text, "speaker": q.speaker, "speaker_slug": q.speaker_slug,
                    "briefings": list(q.briefing_slugs), "other_speakers": list(q.other_speakers),
                    "partial": q.partial} for q in i.quotes],
        "summary": list(i.summary),
        "curated": i.curated,
    }


def entity_record(e: Entity) -> dict[str, Any]:
    return {
        "slug": e.slug,
        "name": e.name,
        "kind": e.kind.value,
        "aliases": list(e.aliases),
        "mentions": e.mention_count,
        "page": entity_path(e.slug),
        "briefings": list(e.briefing_slugs),
        "quotes": [{"text": r.quote.text, "briefing": r.briefing_slug} for r in e.quotes],
        "related": [{"slug": s, "shared_briefings": n} for s, n in e.related],
        "first_seen": e.first_seen.isoformat() if e.first_seen else None,
        "last_seen": e.last_seen.isoformat() if e.last_seen else None,
    }
