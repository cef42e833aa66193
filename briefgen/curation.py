"""The user's corrections to entities: ``entities.toml`` in the project root (the ``entities`` setting).

Applied in the graph stage, so editing it never re-runs spaCy. The file::

    # Names never made into entity pages (compared without case, dots or a leading "the").
    ignore = ["State", "Twitter"]

    [entity."Antony Blinken"]          # the page's name (its URL is made from it)
    aliases = ["Blinken", "Tony Blinken"]   # other spellings: every one of them joins this page
    merge = ["secretary-blinken"]      # other pages (by name or URL slug) folded into this one
    kind = "person"                    # person | organization | place | group | other
    description = "US Secretary of State since 2021. *Markdown* is allowed."

Every problem is reported on one line naming the file and the key.
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

from markdown_it import MarkdownIt

from briefgen.errors import ConfigError
from briefgen.model import EntityKind
from briefgen.urls import slugify

_ENTRY_KEYS = {"aliases", "merge", "kind", "description"}
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


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
    """name_key of the name, its aliases and merged names, plus merged slugs."""


@dataclass(frozen=True, slots=True)
class Curation:
    """Parsed ``entities.toml``; an empty one changes nothing."""

    entities: tuple[CuratedEntity, ...] = ()
    ignore: frozenset[str] = frozenset()
    source: str = ""
    _by_key: dict[str, CuratedEntity] = field(default_factory=dict, compare=False, repr=False)

    def ignored(self, name: str) -> bool:
        return name_key(name) in self.ignore

    def lookup(self, name: str, slug: str = "") -> CuratedEntity | None:
        """The curated entity this actor name (or page slug) belongs to, if any."""
        return self._by_key.get(name_key(name)) or (self._by_key.get("slug:" + slug) if slug else None)


def load_curation(path: Path) -> Curation:
    """Read the curation file; a missing file is an empty curation.

    Raises:
        ConfigError: one line naming the file and the offending key.
    """
    if not path.is_file():
        return Curation()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return parse_curation(data, str(path))


def parse_curation(data: dict[str, object], source: str) -> Curation:
    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{source}: '{key}': {problem}")

    unknown = sorted(set(data) - {"ignore", "entity"})
    if unknown:
        raise fail(unknown[0], "unknown key (expected 'ignore' and [entity.\"Name\"] tables)")
    ignore = data.get("ignore", [])
    if not isinstance(ignore, list) or not all(isinstance(x, str) for x in ignore):
        raise fail("ignore", "expected a list of names")
    table = data.get("entity", {})
    if not isinstance(table, dict):
        raise fail("entity", 'expected tables like [entity."Name"]')
    entities: list[CuratedEntity] = []
    by_key: dict[str, CuratedEntity] = {}
    for name, entry in table.items():
        where = f"entity.{name}"
        if not name.strip():
            raise fail(where, "empty entity name")
        if not isinstance(entry, dict):
            raise fail(where, "expected a table of aliases, merge, kind, description")
        bad = sorted(set(entry) - _ENTRY_KEYS)
        if bad:
            raise fail(f"{where}.{bad[0]}", f"unknown key (known: {', '.join(sorted(_ENTRY_KEYS))})")
        lists: dict[str, list[str]] = {}
        for key in ("aliases", "merge"):
            value = entry.get(key, [])
            if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
                raise fail(f"{where}.{key}", "expected a list of names")
            lists[key] = value
        kind = None
        if "kind" in entry:
            try:
                kind = EntityKind(str(entry["kind"]).lower())
            except ValueError:
                known = ", ".join(k.value for k in EntityKind)
                raise fail(f"{where}.kind", f"unknown kind {entry['kind']!r} (known: {known})") from None
        description = entry.get("description", "")
        if not isinstance(description, str):
            raise fail(f"{where}.description", "expected a string (Markdown)")
        keys = {name_key(name), *(name_key(a) for a in lists["aliases"]), *(name_key(m) for m in lists["merge"])}
        keys |= {"slug:" + m for m in lists["merge"]}
        curated = CuratedEntity(
            name=name.strip(),
            slug=slugify(name),
            kind=kind,
            description=description.strip(),
            description_html=_MARKDOWN.render(description.strip()) if description.strip() else "",
            names=frozenset(keys),
        )
        for key in sorted(keys):
            other = by_key.get(key)
            if other is not None and other is not curated:
                raise fail(where, f"name {key.removeprefix('slug:')!r} is already claimed by entity {other.name!r}")
            by_key[key] = curated
        entities.append(curated)
    return Curation(tuple(entities), frozenset(name_key(n) for n in ignore), source, by_key)
