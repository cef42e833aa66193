"""Hand corrections to incidents: ``[incident."<briefing slug>"]`` tables in the entities file.

    [incident."storm-closes-port"]          # the incident holding this briefing (an incident's slug is
                                            # the slug of its earliest briefing)
    title = "Storm closes Harbourtown port"  # the incident's title
    merge = ["port-reopens-after-storm"]    # briefings whose incidents join this one
    split = ["harbour-strike-begins"]       # briefings taken out of it, into one incident of their own

Splits apply before merges. Problems are one line each naming the file, the line and the key, like the
entity entries beside them; a bad entry is left out and the rest still applies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from briefgen.curation import _Lines, read_toml  # one scanner of table and key lines for the whole file
from briefgen.errors import Diagnostic, Severity
from briefgen.sources import display_path

_KEYS = {"title", "merge", "split"}


@dataclass(frozen=True, slots=True)
class IncidentEntry:
    briefing: str
    """The briefing whose incident this entry corrects."""
    title: str = ""
    merge: tuple[str, ...] = ()
    split: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def line_of(self, key: str) -> int | None:
        return dict(self.key_lines).get(key, self.line)


@dataclass(frozen=True, slots=True)
class IncidentCuration:
    entries: tuple[IncidentEntry, ...] = ()
    source: str = ""
    problems: tuple[Diagnostic, ...] = field(default=(), compare=False)


def load_incident_curation(path: Path, root: Path | None = None) -> IncidentCuration:
    """The incident entries of the entities file (none when it is missing).

    Raises:
        ConfigError: the file is not valid TOML.
    """
    if not path.is_file():
        return IncidentCuration()
    data, text = read_toml(path)
    return parse_incident_curation(data, display_path(path, root), text)


def parse_incident_curation(data: dict[str, object], source: str, text: str = "") -> IncidentCuration:
    lines = _Lines(text, "incident")
    problems: list[Diagnostic] = []
    entries: list[IncidentEntry] = []

    def fail(line: int | None, where: str, problem: str) -> None:
        problems.append(Diagnostic(source, f"'{where}': {problem}", line=line))

    table = data.get("incident", {})
    if not isinstance(table, dict):
        fail(None, "incident", 'expected tables like [incident."briefing-slug"]')
        table = {}
    for name, entry in table.items():
        where = f"incident.{name}"
        line = lines.line(name)
        if not isinstance(entry, dict):
            fail(line, where, "expected a table of title, merge, split")
            continue
        bad = False
        for key in sorted(set(entry) - _KEYS):
            fail(lines.line(name, key), f"{where}.{key}", f"unknown key (known: {', '.join(sorted(_KEYS))})")
            bad = True
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("merge", "split"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
                fail(lines.line(name, key), f"{where}.{key}", "expected a list of briefing slugs")
                bad = True
                value = []
            lists[key] = tuple(x.strip().lower() for x in value)
        title = entry.get("title", "")
        if not isinstance(title, str):
            fail(lines.line(name, "title"), f"{where}.title", "expected a string")
            bad = True
        briefing = name.strip().lower()
        if briefing in lists["split"]:
            fail(lines.line(name, "split"), f"{where}.split",
                 "lists the entry's own briefing (name the incident by a briefing that stays)")
            bad = True
        if bad:
            continue
        entries.append(IncidentEntry(
            briefing, " ".join(str(title).split()), lists["merge"], lists["split"], line,
            tuple((k, n) for (t, k), n in lines.keys.items() if t == name),
        ))
    return IncidentCuration(tuple(entries), source, tuple(problems))


def apply_corrections(groups: list[list[str]], curation: IncidentCuration) -> tuple[
        list[list[str]], dict[str, str], set[str], list[Diagnostic]]:
    """The groups after the hand corrections: (groups, title by member briefing, corrected briefings,
    warnings for slugs that name no briefing)."""
    where = {slug: n for n, group in enumerate(groups) for slug in group}
    groups = [list(g) for g in groups]
    warnings: list[Diagnostic] = []
    touched: set[str] = set()

    def known(slug: str, entry: IncidentEntry, key: str) -> bool:
        if slug in where:
            return True
        warnings.append(Diagnostic(curation.source, f"'incident.{entry.briefing}{'.' + key if key else ''}': "
                                   f"{slug!r} matches no briefing slug", Severity.WARNING, entry.line_of(key)))
        return False

    live = [e for e in curation.entries if known(e.briefing, e, "")]
    for entry in live:
        moved = [s for s in entry.split if known(s, entry, "split") and where[s] == where[entry.briefing]]
        if moved:
            for slug in moved:
                groups[where[slug]].remove(slug)
                where[slug] = len(groups)
            groups.append(moved)
            touched.update(moved)
            touched.add(entry.briefing)
    for entry in live:
        for slug in entry.merge:
            if not known(slug, entry, "merge"):
                continue
            target, other = where[entry.briefing], where[slug]
            if target != other:
                for member in groups[other]:
                    where[member] = target
                groups[target].extend(groups[other])
                groups[other] = []
            touched.update((entry.briefing, slug))
    titles = {e.briefing: e.title for e in live if e.title}
    touched.update(titles)
    return [sorted(g) for g in groups if g], titles, touched, warnings
