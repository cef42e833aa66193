"""The user's corrections to entities: ``entities.toml`` in the project root (the ``entities`` setting).

Applied in the graph stage, so editing it never re-runs spaCy. The file::

    # Names never made into entity pages (compared without case, dots or a leading "the").
    ignore = ["State", "Twitter"]

    [entity."Antony Blinken"]          # the page's name (its URL is made from it)
    aliases = ["Blinken", "Tony Blinken"]   # other spellings: every one of them joins this page
    merge = ["secretary-blinken"]      # other pages (by name or URL slug) folded into this one
    kind = "person"                    # person | organization | place | group | other
    description = "US Secretary of State since 2021. *Markdown* is allowed."

Every problem is reported on one line naming the file, the line and the key; a bad entry is left out
and the rest of the file still applies.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from briefgen.errors import ConfigError, Diagnostic
from briefgen.markdown import render_markdown
from briefgen.model import EntityKind
from briefgen.sources import display_path
from briefgen.urls import slugify

_ENTRY_KEYS = {"aliases", "merge", "kind", "description"}


@lru_cache(maxsize=1 << 16)  # called for every actor on every graph build; a corpus repeats its names
def name_key(name: str) -> str:
    """How curated names are compared: case, dots, possessives and a leading "the" do not matter."""
    text = re.sub(r"'s?$", "", name.strip().lower().replace(".", "").replace("’", "'"))
    text = re.sub(r"^the\s+", "", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class CuratedEntity:
    name: str
    slug: str
    kind: EntityKind | None = None
    description: str = ""
    description_html: str = ""
    names: frozenset[str] = frozenset()
    """name_key of the name, its aliases and merged names, plus "slug:" keys for merged slugs and a slug-like name."""
    named: bool = True
    """The table's name is the page's name; False when it is written as a slug (``[entity.stephen-k-bannon]``):
    it then only says which page, and the page keeps the name it would have had."""
    line: int | None = field(default=None, compare=False)
    """Line of the table header in the file, for messages."""


@dataclass(frozen=True, slots=True)
class Curation:
    """Parsed ``entities.toml``; an empty one changes nothing."""

    entities: tuple[CuratedEntity, ...] = ()
    ignore: frozenset[str] = frozenset()
    source: str = ""
    problems: tuple[Diagnostic, ...] = field(default=(), compare=False)
    """Entries left out because of a bad value, one error each; the rest of the file still applies."""
    _by_key: dict[str, CuratedEntity] = field(default_factory=dict, compare=False, repr=False)

    def ignored(self, name: str) -> bool:
        return name_key(name) in self.ignore

    def lookup(self, name: str, slug: str = "") -> CuratedEntity | None:
        """The curated entity this name (or page slug) belongs to, if any."""
        return self._by_key.get(name_key(name)) or (self._by_key.get("slug:" + slug) if slug else None)


def _slug_like(name: str) -> str:
    """``name`` as a page slug if it could be one ("Trump" -> "trump"), else ""."""
    text = name.strip().lower()
    return text if text and slugify(text) == text else ""


class _Lines:
    """Where tables and keys are in the file. tomllib gives no positions, so the text is scanned: each line
    that starts with "[" is parsed on its own as a table header, and keys are matched at the start of a line."""

    def __init__(self, text: str, section: str = "entity") -> None:
        self.tables: dict[str | None, int] = {}
        self.keys: dict[tuple[str | None, str], int] = {}
        table: str | None = None  # None: top level; "" another table than [<section>."Name"]
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("[") and not stripped.startswith("[["):
                try:
                    header = tomllib.loads(stripped)
                except tomllib.TOMLDecodeError:
                    header = {}  # a line of a multi-line array
                else:
                    entity = header.get(section)
                    table = next(iter(entity)) if isinstance(entity, dict) and len(entity) == 1 else ""
                    self.tables.setdefault(table, number)
                    continue
            if m := re.match(r"""\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""", line):
                self.keys.setdefault((table, m[1] or m[2] or m[3]), number)

    def line(self, table: str | None, key: str | None = None) -> int | None:
        """The line of ``key`` in ``[entity."table"]`` (top level when table is None), else of the header."""
        found = self.keys.get((table, key)) if key else None
        return found or (self.tables.get(table) if table is not None else None)


def load_curation(path: Path, root: Path | None = None) -> Curation:
    """Read the curation file; a missing file is an empty curation.

    Raises:
        ConfigError: the file is not valid TOML (one line naming the file and the line).
    """
    if not path.is_file():
        return Curation()
    data, text = read_toml(path)
    return parse_curation(data, display_path(path, root), text)


def read_toml(path: Path) -> tuple[dict[str, object], str]:
    """The parsed file and its text (which locates problems by line).

    Raises:
        ConfigError: the file is not valid TOML (one line naming the file and the line).
    """
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def parse_curation(data: dict[str, object], source: str, text: str = "") -> Curation:
    """The curation in ``data`` (parsed from ``text``, which locates problems). A bad entry is left out
    with one error in ``problems`` naming the file, its line and the key; the others still apply."""
    lines = _Lines(text)
    problems: list[Diagnostic] = []

    def fail(table: str | None, key: str | None, problem: str) -> None:
        where = ".".join(p for p in ("entity" if table is not None else "", table or "", key or "") if p)
        problems.append(Diagnostic(source, f"'{where}': {problem}", line=lines.line(table, key)))

    for key in sorted(set(data) - {"ignore", "entity", "incident"}):  # incident: see incident_curation.py
        fail(None, key, "unknown key (expected 'ignore', [entity.\"Name\"] and [incident.\"slug\"] tables)")
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(x, str) for x in ignore):
        fail(None, "ignore", "expected a list of names")
        ignore = []
    table = data.get("entity", {})
    if not isinstance(table, dict):
        fail(None, "entity", 'expected tables like [entity."Name"]')
        table = {}
    entities: list[CuratedEntity] = []
    by_key: dict[str, CuratedEntity] = {}
    for name, entry in table.items():
        if not name.strip():
            fail(name, None, "empty entity name")
            continue
        if not isinstance(entry, dict):
            fail(name, None, "expected a table of aliases, merge, kind, description")
            continue
        bad = sorted(set(entry) - _ENTRY_KEYS)
        for key in bad:
            fail(name, key, f"unknown key (known: {', '.join(sorted(_ENTRY_KEYS))})")
        lists: dict[str, list[str]] = {}
        for key in ("aliases", "merge"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
                fail(name, key, "expected a list of names")
                bad.append(key)
            lists[key] = value
        kind = None
        if "kind" in entry:
            try:
                kind = (EntityKind(str(entry["kind"]).lower().replace("organisation", "organization"))
                        if isinstance(entry["kind"], str) else None)
            except ValueError:
                pass
            if kind is None:
                known = ", ".join(k.value for k in EntityKind)
                fail(name, "kind", f"unknown kind {entry['kind']!r} (known: {known})")
                bad.append("kind")
        description = entry.get("description", "")
        if not isinstance(description, str):
            fail(name, "description", "expected a string (Markdown)")
            bad.append("description")
        if bad:
            continue
        slug_like = _slug_like(name)
        keys = {name_key(name), *(name_key(a) for a in lists["aliases"]), *(name_key(m) for m in lists["merge"])}
        keys |= {"slug:" + m.strip().lower() for m in lists["merge"]}
        keys |= {"slug:" + slug_like} if slug_like else set()
        curated = CuratedEntity(
            name=" ".join(name.split()),
            slug=slugify(name),
            kind=kind,
            description=description.strip(),
            description_html=render_markdown(description.strip()) if description.strip() else "",
            names=frozenset(keys),
            named=name.strip() != slug_like,
            line=lines.line(name),
        )
        clash = next((k for k in sorted(keys) if k in by_key), None)
        if clash is not None:
            claimed = clash.removeprefix('slug:')
            fail(name, None, f"name {claimed!r} is already claimed by entity {by_key[clash].name!r}")
            continue
        by_key.update(dict.fromkeys(keys, curated))
        entities.append(curated)
    return Curation(tuple(entities), frozenset(name_key(n) for n in ignore), source, tuple(problems), by_key)
