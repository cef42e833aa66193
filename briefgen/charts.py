"""Mentions over time, drawn at build time as static SVG (no client library): an actor's briefings per week or
month across the corpus, and the actors rising most in the corpus's last weeks."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from briefgen.model import Entity, Site

WEEKLY_UP_TO = 26
"""Corpus spans up to this many weeks are charted per week, longer ones per month."""
RISING_WEEKS = 4
"""Rising actors compare the corpus's last this-many weeks with the same length before."""
RISING_MIN = 2
"""Briefings an actor needs in the recent window to count as rising."""


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    label: str
    """"Week of 3 February 2023" or "February 2023"."""
    anchor: str
    """The month group on the entity page holding the period's latest briefing (``m2023-02``): a week across
    two months leads to the later one, listed first, with the earlier one right below it."""
    count: int


def _week(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _next_month(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_anchor(d: dt.date) -> str:
    return f"m{d.year}-{d.month:02d}"


def corpus_span(site: Site) -> tuple[dt.date, dt.date] | None:
    dates = [b.article.date for b in site.briefings if b.article.date]
    return (min(dates), max(dates)) if dates else None


def is_weekly(span: tuple[dt.date, dt.date]) -> bool:
    """Whether a corpus spanning ``span`` is charted per week (else per month)."""
    return (span[1] - span[0]).days <= WEEKLY_UP_TO * 7


def periods(dates: Iterable[dt.date], span: tuple[dt.date, dt.date]) -> list[Period]:
    """Counts of ``dates`` per week (short spans) or month, every period of ``span`` included, oldest first."""
    floor = _week if is_weekly(span) else _month
    counts: dict[dt.date, int] = {}
    latest: dict[dt.date, dt.date] = {}
    for d in dates:
        start = floor(d)
        counts[start] = counts.get(start, 0) + 1
        latest[start] = max(d, latest.get(start, d))
    return [Period(start, label, month_anchor(latest[start]) if start in latest else anchor, counts.get(start, 0))
            for start, label, anchor in _period_starts(span)]


@functools.lru_cache(maxsize=8)
def _period_starts(span: tuple[dt.date, dt.date]) -> tuple[tuple[dt.date, str, str], ...]:
    """Each period of ``span``: its first day, label and own month's anchor (the same for every actor's chart,
    so made once per corpus, not once per actor)."""
    first, last = span
    weekly = is_weekly(span)
    out = []
    start = _week(first) if weekly else _month(first)
    while start <= last:
        label = f"Week of {start.day} {start:%B %Y}" if weekly else f"{start:%B %Y}"
        out.append((start, label, month_anchor(start)))
        start = start + dt.timedelta(days=7) if weekly else _next_month(start)
    return tuple(out)


def mentions_chart(entity: Entity, site: Site, span: tuple[dt.date, dt.date] | None) -> Markup:
    """A bar chart of the briefings mentioning ``entity`` per period of the corpus's ``span`` (``corpus_span``,
    computed once per site); each bar links to the period's month on the entity page. Empty without dates."""
    dates = [d for d in (site.briefing(s).article.date for s in entity.briefing_slugs) if d]
    if span is None or not dates:
        return Markup("")
    bars = periods(dates, span)
    top = max(p.count for p in bars)
    width, height, pad = 640, 120, 4
    step = (width - 2 * pad) / len(bars)
    gap = min(2.0, step * 0.2)
    parts = [
        (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" preserveAspectRatio="none" '
         f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">'),
        (f'<title id="chart-title">Briefings mentioning {escape(entity.name)} per '
         f'{"week" if is_weekly(span) else "month"}, {escape(bars[0].label)} to '
         f'{escape(bars[-1].label)}; the most in one period: {top}</title>'),
    ]
    for i, p in enumerate(bars):
        if not p.count:
            continue
        h = max(2.0, (height - pad) * p.count / top)
        x = pad + i * step
        noun = "briefing" if p.count == 1 else "briefings"
        parts.append(
            f'<a href="#{p.anchor}"><rect class="chart-bar" x="{x + gap / 2:.1f}" y="{height - h:.1f}" '
            f'width="{max(1.0, step - gap):.1f}" height="{h:.1f}"><title>{escape(p.label)}: {p.count} {noun}</title>'
            f'</rect></a>'
        )
    # The axis labels are HTML beside the SVG: the bars stretch to the width, text must not.
    parts.append(f'</svg><p class="chart-labels" aria-hidden="true"><span>{escape(bars[0].label)}</span>'
                 f'<span>{escape(bars[-1].label)}</span></p>')
    return Markup("".join(parts))


@dataclass(frozen=True, slots=True)
class Rising:
    entity: Entity
    recent: int
    """Briefings mentioning it in the corpus's last ``RISING_WEEKS`` weeks."""
    before: int
    """In the same length of time before that."""
    weekly: tuple[int, ...]
    """Briefings per week over both windows, oldest first (the sparkline)."""


def rising_entities(site: Site, n: int) -> list[Rising]:
    """The actors whose briefings grew most from the window before to the corpus's last weeks.

    Windows end at the latest dated briefing; a corpus shorter than both windows has none (there is no
    "before" to rise from).
    """
    span = corpus_span(site)
    if span is None:
        return []
    first, last = span
    window = dt.timedelta(weeks=RISING_WEEKS)
    recent_from, before_from = last - window, last - 2 * window
    if first > before_from + dt.timedelta(days=6):
        return []
    weeks = 2 * RISING_WEEKS
    found = []
    for e in site.entities.values():
        if e.last_seen is None or e.last_seen <= before_from:
            continue  # most actors of a large corpus: nothing in either window
        dates = []
        for slug in e.briefing_slugs:  # newest first, undated last: stop at the windows' start
            d = site.briefing(slug).article.date
            if d is None or d <= before_from:
                break
            dates.append(d)
        recent = sum(1 for d in dates if d > recent_from)
        before = len(dates) - recent
        if recent >= RISING_MIN and recent > before:
            weekly = [0] * weeks
            for d in dates:
                weekly[min(weeks - 1, (d - before_from - dt.timedelta(days=1)).days // 7)] += 1
            found.append(Rising(e, recent, before, tuple(weekly)))
    found.sort(key=lambda r: (-(r.recent - r.before), -r.recent, r.entity.name.lower()))
    return found[:n]


def sparkline(values: tuple[int, ...]) -> Markup:
    """A small inline bar sparkline (decorative: the numbers are written beside it)."""
    top = max(values) or 1
    w, h = 4 * len(values), 16
    zero = ' class="zero"'
    bars = "".join(f'<rect x="{4 * i}" y="{h - max(1, round(h * v / top))}" width="3" '
                   f'height="{max(1, round(h * v / top))}"{"" if v else zero}/>'
                   for i, v in enumerate(values))
    return Markup(f'<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true" '
                  f'xmlns="http://www.w3.org/2000/svg">{bars}</svg>')
