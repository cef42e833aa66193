"""Briefings as JSON objects: the public contract of ``briefgen inspect`` and ``site/briefings.json``.

Field names here are stable; add fields, never rename or remove them.
"""

from __future__ import annotations

from typing import Any

from briefgen.model import Briefing, Entity
from briefgen.urls import briefing_path, entity_path


def briefing_record(b: Briefing) -> dict[str, Any]:
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
