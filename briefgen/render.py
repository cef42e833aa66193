"""Site graph -> rendered outputs (path, bytes): pages, feeds, sitemap, data files. The only Jinja user."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import heapq
import io
import json
import logging
import os
import pickle
import queue
import re
import signal
import struct
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, NoReturn, Protocol, TypeVar

import jinja2
from markupsafe import Markup, escape

from briefgen.charts import RISING_WEEKS, corpus_span, is_weekly, mentions_chart, rising_entities, sparkline
from briefgen.errors import RenderError
from briefgen.forking import fork_is_safe
from briefgen.markdown import render_markdown
from briefgen.model import Article, Briefing, Entity, EntityKind, Incident, IncidentQuote, Quote, Site
from briefgen.records import briefing_record, entity_record, incident_page, incident_record
from briefgen.sourceview import MentionFinder, link_mentions, source_view
from briefgen.tracking import untracked
from briefgen.urls import (
    ATOM_FEED,
    ENTITIES,
    JSON_FEED,
    NOT_FOUND,
    SEARCH,
    SITEMAP,
    TAGS,
    TIMELINE,
    absolute_url,
    briefing_path,
    directory_path,
    entity_json_path,
    entity_path,
    incident_path,
    relative_url,
    site_root_path,
    slugify,
    tag_path,
    timeline_path,
)

log = logging.getLogger(__name__)

PACKAGE_THEME = Path(__file__).resolve().parent / "_theme"
SOURCE_THEME = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = "static"
ASSETS = "assets"
HOME_BRIEFINGS = 12
HOME_ACTORS = 16
HOME_RISING = 6
KIND_CARD = 6
"""Actors each kind's card lists on the actors page."""
ENTITY_BRIEFINGS_OPEN = 20
"""An entity page shows its latest months up to this many briefings; older months are folded."""
ENTITY_MONTHS_MIN = 1
ENTITY_QUOTES_OPEN = 8
"""Quotes shown on an entity page before the rest fold away."""
DIRECTORY_PAGE = 60
"""Entities per directory page."""
FEED_ENTRIES = 50
TIMELINE_SPLIT = 400
"""Briefings above which the timeline gets one page per year."""
ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True, slots=True)
class Output:
    path: str
    """Site-relative POSIX path."""
    data: bytes


@dataclass(frozen=True, slots=True)
class Kept:
    """An output left as the previous build published it (the engine judged it clean): not rendered again."""

    path: str
    sha256: bytes
    """The digest of its bytes (the search index keys its shards by them)."""
    marked: bool
    """Whether the page is marked for the search index (``data-pagefind-body``)."""
    source: str | Path
    """Where its bytes are now: the file in the published site (a string: a build keeps 300,000 of them)."""


@dataclass(frozen=True, slots=True)
class Spooled:
    """An output written to a file of briefgen's own as it was rendered, published as that file (linked):
    a list file of a large site (briefings.json is some 150 MB at 20,000 briefings), which held in memory was
    the build's peak. Never a page for the search index."""

    path: str
    size: int
    sha256: bytes
    """The digest of its bytes."""
    file: str
    """Where its bytes are: never changed in place (the next render replaces the file)."""


@dataclass(frozen=True, slots=True)
class Job:
    """How to render one output: ``render(site, *args, **kwargs)``.

    Everything the output depends on is in ``args``/``kwargs`` (values, digested by the engine), in what
    it reads from ``site`` (recorded while it renders, see ``tracking``), in the templates it loads (recorded
    too) and in the renderer's settings and code.
    """

    render: Callable[..., Output | Spooled]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __call__(self, site: Site) -> Output | Spooled:
        return self.render(site, *self.args, **self.kwargs)


def default_theme_dir() -> Path:
    """The packaged theme: inside the wheel, or the repository's templates/ in a source checkout."""
    return PACKAGE_THEME if PACKAGE_THEME.is_dir() else SOURCE_THEME


def theme_dirs(user_templates: Path | None) -> list[Path]:
    """Search order: the user's templates first, then the packaged theme (one file overrides one file)."""
    dirs = []
    if user_templates is not None and user_templates.is_dir():
        dirs.append(user_templates)
    default = default_theme_dir()
    if default.is_dir() and all(d.resolve() != default.resolve() for d in dirs):
        dirs.append(default)
    return dirs


def _long_date(value: Any) -> str:
    return value.strftime("%-d %B %Y") if value else "Undated"


def _iso_date(value: Any) -> str:
    return value.isoformat() if value else ""


def _month(value: tuple[int, int]) -> str:
    return dt.date(value[0], value[1], 1).strftime("%B %Y")


def _markdown(text: str | None) -> Markup:
    """Markdown -> HTML with raw HTML shown as text and only safe link schemes (http(s), mailto, relative)."""
    return Markup(render_markdown(text or ""))


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _json_script(value: Any) -> Markup:
    """JSON safe inside <script>: no '</script>' or HTML comment can break out."""
    text = json.dumps(value, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


# Characters XML 1.0 forbids even as references: a feed or sitemap containing one is not well-formed.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(value: Any) -> Any:
    """Drop characters XML cannot carry (feeds, sitemap); autoescape still escapes what is left."""
    if isinstance(value, Markup):
        return Markup(_XML_INVALID.sub("", str(value)))
    return _XML_INVALID.sub("", str(value))


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory, checked against each file's source.

    The dev server shares one across rebuilds, so a rebuild compiles only the templates that changed
    while every build still gets its own, fresh Environment.
    """

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # discarded by Jinja if the source's checksum differs

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


def json_text(value: Any, pad: str = "\n") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)`` with every newline followed by the indent of ``pad``.

    The same text, several times quicker: the json module's indented output has no C encoder, and the data files
    (briefings.json, incidents.json, one JSON file per actor) were a tenth of rendering a site. Types other than
    the plain ones a record holds go to json.dumps itself; JSON strings hold no raw newline, so re-indenting
    its text is exact.
    """
    kind = type(value)
    if kind is dict:
        if not value:
            return "{}"
        inner = pad + " "
        parts = []
        for k, v in value.items():
            if type(k) is not str:
                return _json_dumps(value, pad)
            item = type(v)
            parts.append(_json_string(k) + (": " + _json_string(v) if item is str else
                                           ": null" if v is None else ": " + json_text(v, inner)))
        return "{" + inner + ("," + inner).join(parts) + pad + "}"
    if kind is list or kind is tuple:
        if not value:
            return "[]"
        inner = pad + " "
        return "[" + inner + ("," + inner).join(
            [_json_string(v) if type(v) is str else json_text(v, inner) for v in value]) + pad + "]"
    if kind is str:
        return _json_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    return _json_dumps(value, pad)


def _json_dumps(value: Any, pad: str) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", pad)


_json_string = json.encoder.encode_basestring  # json.dumps's own (C) string encoder with ensure_ascii=False


class JsonItems:
    """The encoded items of a site's list files (briefings.json, incidents.json) as the last render wrote them,
    each by a digest of the item: an edit encodes the items it changed and copies the rest.

    Two files per list in ``folder``: ``name`` holds the list's bytes as last rendered, and is what the site
    publishes (linked: a render writes the list there as it encodes it, never into memory); ``name.index``
    each item's key, offset and length, and the size, modification time and inode the bytes file had when
    written. Each is replaced whole, never changed in place (the site links the last one), and read only by
    key: a bytes file not as its index says (edited through its link in the site, say), or a foreign file,
    costs only encoding again. A key is a digest of what the item's record is made of (``key_of``), else the
    BLAKE2 of the record pickled without memo (equal values, equal bytes): the text is a function of the value
    alone, for one briefgen and its settings (``version``).
    """

    _ENTRY = struct.Struct("<16sQI")
    _TRAILER = struct.Struct("<QQqq16s8s")
    _MAGIC = b"bgitems3"

    def __init__(self, folder: Path, version: str = "") -> None:
        """``version``: what besides an item's key decides its text (briefgen's code and the settings): an
        index written under another is not read."""
        self.folder = folder
        self.version = hashlib.blake2b(version.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def json_list(self, name: str, items: Callable[[], Iterable[Any]], record: Callable[[Any], Any] | None = None,
                  key_of: Callable[[Any], bytes] | None = None) -> Output | Spooled:
        """The bytes of ``json.dumps([record(item) for item in items()], ensure_ascii=False, indent=1)``,
        reusing the last render's, as the file they were written to; in memory where that file cannot be
        written. ``key_of``: a 16-byte digest of what an item's record is made of (the default: of the record)."""
        path = self.folder / name
        keys: list[bytes] = []
        spans: list[tuple[int, int]] = []
        tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with contextlib.ExitStack() as stack:
                old = self._old(path, stack)
                known = self._index(path, old) if old is not None else {}
                out = stack.enter_context(open(tmp, "wb"))
                sink = _Hashing(out)
                _json_list(items(), sink, record=record, key_of=key_of, known=known, old=old, keys=keys,
                           spans=spans)
                out.flush()
                written = os.fstat(out.fileno())
            os.replace(tmp, path)
        except OSError as exc:  # a cache folder that cannot be written: the site is right without it
            log.debug("%s: cannot keep the encoded items: %s", path, exc)
            with contextlib.suppress(OSError):
                tmp.unlink()
            return Output(name, json_list_bytes(items(), record))
        except BaseException:  # a record that cannot be made (the render fails): no half-written file left
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        self._save_index(path, written, keys, spans)
        return Spooled(name, written.st_size, sink.sha256.digest(), str(path))

    @staticmethod
    def _old(path: Path, stack: contextlib.ExitStack) -> BinaryIO | None:
        try:
            return stack.enter_context(open(path, "rb"))
        except OSError:
            return None

    def _index(self, path: Path, old: BinaryIO) -> dict[bytes, tuple[int, int]]:
        try:
            with open(path.with_name(path.name + ".index"), "rb") as f:
                table = f.read()
            now = os.fstat(old.fileno())
        except OSError:
            return {}
        if len(table) < self._TRAILER.size:
            return {}
        count, length, mtime, inode, version, magic = self._TRAILER.unpack_from(table, len(table) - self._TRAILER.size)
        if (magic, version) != (self._MAGIC, self.version) \
                or count * self._ENTRY.size + self._TRAILER.size != len(table) \
                or (length, mtime, inode) != (now.st_size, now.st_mtime_ns, now.st_ino):
            return {}
        return {key: (offset, n) for key, offset, n in self._ENTRY.iter_unpack(table[:count * self._ENTRY.size])
                if offset + n <= length}

    def _save_index(self, path: Path, written: os.stat_result, keys: list[bytes],
                    spans: list[tuple[int, int]]) -> None:
        index = path.with_name(path.name + ".index")
        tmp = index.with_name(f".{index.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(b"".join(self._ENTRY.pack(k, offset, n) for k, (offset, n) in zip(keys, spans)))
                f.write(self._TRAILER.pack(len(keys), written.st_size, written.st_mtime_ns, written.st_ino,
                                           self.version, self._MAGIC))
            os.replace(tmp, index)
        except OSError as exc:  # a cache: the next render encodes every item again
            log.debug("%s: cannot keep the encoded items: %s", index, exc)


class _Hashing:
    """A binary file written through, its bytes' SHA-256 taken on the way."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        return self.file.write(data)


def item_key(value: Any) -> bytes:
    """A digest of ``value`` by content alone (no pickle memo, so object identity does not change it)."""
    return _ItemKeys()(value)


class _ItemKeys:
    """``item_key`` for one list after another, with one pickler: without a memo (``fast``) each ``dump``
    writes what a fresh pickler would, and making one per item was a fifth of keying a list."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._pickler = pickle.Pickler(self._buffer, protocol=5)
        self._pickler.fast = True  # no memo: a value shared twice is written twice, as an equal copy would be

    def __call__(self, value: Any) -> bytes:
        buffer = self._buffer
        buffer.seek(0)
        buffer.truncate()
        self._pickler.dump(value)
        with buffer.getbuffer() as data:
            return hashlib.blake2b(data, digest_size=16).digest()


_COPY_CHUNK = 1 << 20
SEP = b",\n "
"""Between two items of a list file."""


def json_list_bytes(items: Iterable[Any], record: Callable[[Any], Any] | None = None) -> bytes:
    """``json.dumps([record(item) for item in items], ensure_ascii=False, indent=1)`` encoded, one record at a
    time (``_json_list``)."""
    buffer = io.BytesIO()  # hands over its buffer without a copy: the file is in memory once
    _json_list(items, buffer, record=record)
    return buffer.getvalue()


def _itself(item: Any) -> Any:
    return item


class _Sink(Protocol):
    def write(self, data: bytes, /) -> int: ...


def _json_list(items: Iterable[Any], out: _Sink, *, record: Callable[[Any], Any] | None = None,
               key_of: Callable[[Any], bytes] | None = None, known: dict[bytes, tuple[int, int]] | None = None,
               old: BinaryIO | None = None, keys: list[bytes] | None = None,
               spans: list[tuple[int, int]] | None = None) -> None:
    """Write the bytes of ``json.dumps([record(item) for item in items], ensure_ascii=False, indent=1)`` to
    ``out``, one record at a time: at 20,000 briefings the whole list of dicts plus its text and bytes was the
    build's memory peak. Items are separated by ``SEP``, each indented one space (``json_text``).

    With ``known`` (item key -> offset and length in the file ``old``, see ``JsonItems``) an item found there is
    copied, not encoded (its record is not even made), runs of consecutive ones in one read; ``keys``/``spans``
    get each item's key (``key_of``, else a digest of its record) and place.
    """
    run_start = run_end = -1  # a run of items still to copy from ``old``
    length = 0  # bytes of output so far, the pending run's included

    def copy_run() -> None:
        assert old is not None
        at = run_start
        while at < run_end:
            old.seek(at)
            chunk = old.read(min(_COPY_CHUNK, run_end - at))
            if not chunk:
                raise OSError("the items file ended early")
            out.write(chunk)
            at += len(chunk)

    count = 0
    record_key = _ItemKeys()
    make = record if record is not None else _itself
    for item in items:
        made = None
        if keys is None:
            key = b""
        elif key_of is not None:
            key = key_of(item)
        else:
            made = make(item)
            key = record_key(made)
        found = known.get(key) if known else None
        if found is not None and run_end >= 0 and found[0] == run_end + len(SEP):
            run_end = found[0] + found[1]  # the next item in the old file too: the run goes on, separator and all
            length += len(SEP) + found[1]
        else:
            if run_end >= 0:
                copy_run()
                run_end = -1
            separator = SEP if count else b"[\n "
            out.write(separator)
            length += len(separator)
            if found is not None:
                run_start, run_end = found[0], found[0] + found[1]
                length += found[1]
            else:
                text = json_text(make(item) if made is None else made, "\n ").encode("utf-8")
                out.write(text)
                found = (length, len(text))
                length += len(text)
        if keys is not None and spans is not None:
            keys.append(key)
            spans.append((length - found[1], found[1]))
        count += 1
    if run_end >= 0:
        copy_run()
    out.write(b"\n]" if count else b"[]")


_loading = threading.local()


class RecordingEnvironment(jinja2.Environment):
    """An Environment that records, per thread, the name of every template a render loads: the page's own,
    and each one it extends, includes or imports, found or not (a later file of that name matters too)."""

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:
        names: list[str] | None = getattr(_loading, "names", None)
        if names is not None:
            names.append(name)
        return super()._load_template(name, globals)


def recording_templates(names: list[str] | None) -> None:
    """Record template loads on this thread into ``names`` (None: stop recording)."""
    _loading.names = names


def template_digest(env: jinja2.Environment, name: str) -> str:
    """What a template name resolves to (which file, its source), as a short hash; "-" when none."""
    assert env.loader is not None
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return "-"
    h = hashlib.blake2b(digest_size=12)
    h.update((filename or "").encode("utf-8", "surrogatepass") + b"\0")
    h.update(source.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def make_env(dirs: list[Path], *, bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    env = RecordingEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        bytecode_cache=bytecode_cache,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["longdate"] = _long_date
    env.filters["json_script"] = _json_script
    env.filters["isodate"] = _iso_date
    env.filters["month"] = _month
    env.filters["markdown"] = _markdown
    env.filters["plural"] = _plural
    env.filters["xml_safe"] = _xml_safe
    return env


def describe_template_error(exc: Exception, dirs: list[Path]) -> str:
    """'templates/x.html:12: message' from a Jinja error, without a Jinja stack."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        line = _source_line(exc.source, exc.filename, exc.lineno, exc.message or "")
        return f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}{line}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return f"template not found: {exc.name} (looked in {', '.join(str(d) for d in dirs)})"
    tb = exc.__traceback__
    where = line = ""
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".json", ".css")) and not filename.endswith(".py"):
            where = f"{filename}:{tb.tb_lineno}: "
            line = _source_line(None, filename, tb.tb_lineno, str(exc))
        tb = tb.tb_next
    return f"{where}{type(exc).__name__}: {exc}{line}"


_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{\{.*|\{%.*")
_QUOTED = re.compile(r"'([^']{1,100})'")
EXCERPT = 120
"""A template line longer than this is shown as its offending tag with '...' around it."""


def _source_line(source: str | None, filename: str | None, lineno: int | None, message: str) -> str:
    """' in: <the template line>' so the offending expression is visible; '' if unknown.

    A long line is cut around the tag that names what the message names (``'nosuch'``), else its first
    tag, and that tag is always shown whole (up to 1,000 characters).
    """
    if not lineno:
        return ""
    if source is None and filename:
        try:
            source = Path(filename).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
    lines = (source or "").splitlines()
    if not 0 < lineno <= len(lines) or not lines[lineno - 1].strip():
        return ""
    text = " ".join(lines[lineno - 1].split())
    if len(text) <= EXCERPT:
        return f" in: {text}"
    tags = list(_TAG.finditer(text))
    names = _QUOTED.findall(message)
    tag = next((t for t in tags if any(n in t.group() for n in names)), tags[0] if tags else None)
    if tag is None:
        return f" in: {text[:EXCERPT - 3]}..."
    start, end = tag.start(), min(tag.end(), tag.start() + 1000)
    slack = max(0, EXCERPT - (end - start)) // 2
    start, end = max(0, start - slack), min(len(text), end + slack)
    return f" in: {'...' if start else ''}{text[start:end]}{'...' if end < len(text) else ''}"


@dataclass(frozen=True, slots=True)
class SourceLabel:
    """Who published an article, for its source line: never the local file path."""

    publisher: str | None
    url: str | None
    credited: bool
    """The publisher comes from a wire credit line in the text, not from the front matter."""


def source_label(a: Article) -> SourceLabel:
    if a.publisher:
        return SourceLabel(a.publisher, a.url, False)
    credit = a.credit
    return SourceLabel(credit, a.url, credit is not None)


def publisher_of(a: Article) -> str | None:
    """The publisher from the front matter, else the wire a credit line names."""
    return a.publisher or a.credit


_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][”\"’]))"
    + "".join(rf"(?<!\b{t}\.)" for t in ("Mr", "Mrs", "Ms", "Dr", "St", "Gen", "Brig", "Sen", "Rep", "Gov", "Lt", "Col",
                                         "Sgt", "Jr", "Sr"))
    + r"\s+(?=[“\"‘(\[]?[A-Z0-9])"
)
"""A sentence boundary in a passage (titles such as "Gen. Ryder" are not one)."""
EXCERPT = 220


def first_sentence(text: str) -> str:
    """The opening sentence of a passage, cut at a word near ``EXCERPT`` characters when longer."""
    sentence = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    if len(sentence) <= EXCERPT:
        return sentence
    return sentence[:EXCERPT].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _item_key(digest: bytes, *shown: str) -> bytes:
    """A list file item's key (``JsonItems``): the engine's digest of its record and what else its item shows."""
    h = hashlib.blake2b(digest, digest_size=16)
    for text in shown:
        h.update(b"\0" + text.encode("utf-8", "surrogatepass"))
    return h.digest()


def directory_kinds(site: Site) -> dict[EntityKind, list[Entity]]:
    """Entities of each kind that has any, by name."""
    grouped: dict[EntityKind, list[Entity]] = {kind: [] for kind in EntityKind}
    for e in site.entities.values():
        grouped[e.kind].append(e)
    return {kind: sorted(members, key=lambda e: (e.name.lower(), e.slug)) for kind, members in grouped.items()
            if members}


def _by_briefings(e: Entity) -> tuple[int, int, str]:
    return (-len(e.briefing_slugs), -e.mention_count, e.name.lower())


def top_entities(site: Site, n: int) -> list[Entity]:
    """The most-mentioned actors: in the most briefings, then the most mentions."""
    return heapq.nsmallest(n, site.entities.values(), key=_by_briefings)  # sorted(...)[:n], ties as they come


def by_month(briefings: Iterable[Briefing]) -> list[tuple[tuple[int, int], list[Briefing]]]:
    """Dated briefings grouped by (year, month), newest month first (input is already newest first)."""
    months: dict[tuple[int, int], list[Briefing]] = {}
    for b in briefings:
        if b.article.date:
            months.setdefault((b.article.date.year, b.article.date.month), []).append(b)
    return list(months.items())


def incidents_by_month(incidents: Iterable[Incident]) -> list[tuple[tuple[int, int], list[Incident]]]:
    """Dated incidents grouped by the (year, month) of their last article, newest first (input is newest first)."""
    months: dict[tuple[int, int], list[Incident]] = {}
    for i in incidents:
        if i.last_date:
            months.setdefault((i.last_date.year, i.last_date.month), []).append(i)
    return list(months.items())


def by_tag(briefings: Iterable[Briefing]) -> list[tuple[str, list[Briefing]]]:
    """Tags by name; tags that differ only in case or punctuation share one page (and the first spelling)."""
    tags: dict[str, tuple[str, list[Briefing]]] = {}
    for b in briefings:
        for slug, t in {slugify(t): t for t in reversed(b.article.tags)}.items():
            tags.setdefault(slug, (t, []))[1].append(b)
    return sorted(tags.values(), key=lambda kv: kv[0].lower())


def _json_output(path: str, value: Any) -> Output:
    return Output(path, json_text(value).encode("utf-8"))


def _entity_json(site: Site, entity: Entity) -> Output:
    return _json_output(entity_json_path(entity.slug), entity_record(entity))


def _static(site: Site, output: Output) -> Output:
    return output


def _atom_time(date: dt.date | None) -> str:
    """RFC 3339 at midnight UTC; undated briefings get the epoch so the feed stays valid."""
    return (date or dt.date(1970, 1, 1)).isoformat() + "T00:00:00Z"


def _latest_date(briefings: Iterable[Briefing]) -> dt.date | None:
    return max((b.article.date for b in briefings if b.article.date), default=None)


class Renderer:
    """Renders every page, feed and data file of a Site through one Jinja environment."""

    def __init__(
        self,
        dirs: list[Path],
        *,
        key_actors: int = 8,
        base_url: str = "",
        bytecode_cache: jinja2.BytecodeCache | None = None,
        list_items: JsonItems | None = None,
    ) -> None:
        """``list_items``: where the list files' encoded items are kept from one render to the next."""
        self.dirs = dirs
        self.key_actors = key_actors
        self.base_url = base_url
        self.env = make_env(dirs, bytecode_cache=bytecode_cache)
        self.list_items = list_items
        self.record_digest: Callable[[Briefing | Incident], bytes] | None = None
        """A digest of a briefing's or incident's content, set by the engine for each build (it takes them to
        compare builds): briefings.json and incidents.json key their items by it instead of by their records."""

    def _json_list(self, name: str, items: Callable[[], Iterable[Any]], record: Callable[[Any], Any] | None = None,
                   key_of: Callable[[Any], bytes] | None = None) -> Output | Spooled:
        if self.list_items is not None:
            return self.list_items.json_list(name, items, record, key_of)
        return Output(name, json_list_bytes(items(), record))

    def briefings_json(self, site: Site) -> Output | Spooled:
        site = untracked(site)

        def incident(b: Briefing) -> str | None:
            found = site.incident_of(b.slug)
            return found.slug if found is not None else None

        digest = self.record_digest
        key_of = None
        if digest is not None:
            def key_of(b: Briefing) -> bytes:
                slug = incident(b)
                return _item_key(digest(b), *((slug,) if slug else ()))

        return self._json_list("briefings.json", lambda: site.briefings, lambda b: briefing_record(b, incident(b)),
                               key_of)

    def incidents_json(self, site: Site) -> Output | Spooled:
        site = untracked(site)
        entities = site.entities
        names = {s: entities[s].name for i in site.incidents.values() for s, _ in i.actors if s in entities}
        digest = self.record_digest
        key_of = None
        if digest is not None:
            def key_of(i: Incident) -> bytes:  # with the names its actors are shown by, not the incident's
                return _item_key(digest(i), *(names.get(slug, slug) for slug, _ in i.actors))

        return self._json_list("incidents.json", lambda: site.incidents.values(),
                               lambda i: incident_record(i, names), key_of)

    def _page(self, site: Site, template: str, path: str, **context: Any) -> Output:
        # Hosts serve the 404 page at the missing path, at any depth, where links relative to the site root
        # break; with a base_url its links start from the site's path instead (on the published host and
        # in `briefgen serve`, which also serves that path). Without one they stay relative: right for a
        # miss in the site's top folder wherever the site is mounted.
        prefix = site_root_path(self.base_url) if path == NOT_FOUND and self.base_url else ""

        def url(target: str) -> str:
            return prefix + relative_url(path, target)

        try:
            text = self.env.get_template(template).render(
                site=site,
                current=path,
                url=url,
                root=url(""),
                briefing_url=lambda slug: url(briefing_path(slug)),
                incident_url=lambda incident: url(incident_page(incident)),
                entity_url=lambda slug: url(entity_path(slug)),
                tag_url=lambda tag: url(tag_path(tag)),
                directory_url=lambda kind, sort="name", page=1: url(directory_path(kind, sort, page)),
                timeline_url=lambda year: url(timeline_path(year)),
                kinds=list(EntityKind),
                publisher=publisher_of,
                key_actors=self.key_actors,
                base_url=self.base_url,
                canonical=absolute_url(self.base_url, path) if self.base_url else None,
                **context,
            )
        except jinja2.TemplateError as exc:
            raise RenderError(describe_template_error(exc, self.dirs)) from None
        except Exception as exc:  # a bug in a user template (e.g. a bad filter argument)
            raise RenderError(describe_template_error(exc, self.dirs)) from None
        return Output(path, text.encode("utf-8"))

    def render_briefing(self, site: Site, b: Briefing, older: Briefing | None, newer: Briefing | None) -> Output:
        path = briefing_path(b.slug)
        by_speaker: dict[str, list[Quote]] = {}
        for q in b.quotes:
            by_speaker.setdefault(q.speaker or "Unattributed", []).append(q)

        def link(slug: str) -> str:
            return relative_url(path, entity_path(slug))

        def speaker_label(i: int, q: Quote) -> str:
            # Ties the quote in the text to its speaker and back to it in the Quotes section.
            name = escape(q.speaker or "unattributed")
            return (f'<a class="said-by" href="#quote-{i}" data-pagefind-ignore>'
                    f'<span class="visually-hidden">quote {i}, </span>{name}</a>')

        finder = MentionFinder(b.actors, site.entities)
        view = source_view(b, site.entities, link, speaker_label, finder)
        key = sorted(b.actors[:self.key_actors], key=lambda a: -a.mentions)  # stable: importance breaks ties
        return self._page(
            site, "briefing.html", path, briefing=b, older=older, newer=newer, incident=site.incident_of(b.slug),
            quotes_by_speaker=list(by_speaker.items()), source=view, body_html=view.html(),
            quote_number={q: i for i, q in enumerate(b.quotes, start=1)},
            summary_html=[link_mentions(s, finder, link) for s in b.summary],
            context_html=[link_mentions(first_sentence(c), finder, link) for c in b.context],
            key_actor_list=key, source_label=source_label(b.article),
        )

    def render_entity(self, site: Site, entity: Entity, span: tuple[dt.date, dt.date] | None = None) -> Output:
        """``span`` is the corpus's (``charts.corpus_span``): given by the plan, it is computed once per site."""
        # The page's lists are made here, not in plan(): held for every entity until its page renders, they
        # (and each entity's JSON record) were a quarter of a 20,000-briefing build's memory.
        briefings = [site.briefing(s) for s in entity.briefing_slugs]
        months = by_month(briefings)
        shown = split = 0
        while split < len(months) and (split < ENTITY_MONTHS_MIN or shown < ENTITY_BRIEFINGS_OPEN):
            shown += len(months[split][1])
            split += 1
        span = span or corpus_span(site)
        chart = mentions_chart(entity, site, span)
        incidents = {i.slug: i for s in entity.briefing_slugs if (i := site.incident_of(s)) is not None and i.size > 1}
        return self._page(
            site, "entity.html", entity_path(entity.slug), entity=entity,
            entity_incidents=sorted(incidents.values(), key=Incident.order),
            entity_briefings=briefings, months_open=months[:split], months_folded=months[split:],
            folded_count=sum(len(items) for _, items in months[split:]),
            undated=[b for b in briefings if b.article.date is None],
            entity_quotes=[(ref.quote, site.briefing(ref.briefing_slug)) for ref in entity.quotes],
            quotes_open=ENTITY_QUOTES_OPEN, chart=chart,
            chart_period="week" if span and is_weekly(span) else "month",
        )

    def render_incident(self, site: Site, incident: Incident) -> Output:
        members = [site.briefing(s) for s in incident.briefing_slugs]
        by_speaker: dict[str, list[IncidentQuote]] = {}
        for q in incident.quotes:
            by_speaker.setdefault(q.speaker_slug or q.speaker or "", []).append(q)
        return self._page(
            site, "incident.html", incident_path(incident.slug), incident=incident, members=members,
            copies=dict(incident.copies), titles={b.slug: b.article.title for b in members},
            outlet_of={slug: name for name, slugs in incident.outlets for slug in slugs},
            incident_actors=[(site.entities[s], n) for s, n in incident.actors if s in site.entities],
            quotes_by_speaker=[(qs[0].speaker or "Unattributed", qs[0].speaker_slug, qs)
                               for qs in sorted(by_speaker.values(), key=lambda qs: (not qs[0].speaker, -len(qs)))],
        )

    def plan(self, site: Site) -> dict[str, Job]:
        """Every output path of the site and how to render it, in order; nothing is rendered yet.

        The dev server renders from this lazily (the requested page first); a build renders what the
        engine finds changed. A job's arguments hold what it shows that ``site`` alone does not say (lists
        made here from the whole site, each compared by value between builds); pages that show figures of the
        whole site read them from ``site`` while rendering and so depend on all of it.
        """
        jobs: dict[str, Job] = {}

        def add(path: str, render: Callable[..., Output | Spooled], *args: Any, **kwargs: Any) -> None:
            if path in jobs:
                raise RenderError(f"two pages would be written to {path}")
            jobs[path] = Job(render, args, kwargs)

        def page(path: str, template: str, **context: Any) -> None:
            add(path, self._page, template, path, **context)

        briefings = site.briefings
        # Encoded record by record, and first: at 20,000 briefings it is the build's memory peak (about 140
        # MB), which had better pass before the search index runs beside the build on the pages.
        add("briefings.json", self.briefings_json)
        incidents = list(site.incidents.values())
        page("index.html", "index.html", latest=briefings[:HOME_BRIEFINGS], top_actors=top_entities(site, HOME_ACTORS),
             latest_incidents=incidents[:HOME_BRIEFINGS],
             rising=[(r, sparkline(r.weekly)) for r in rising_entities(site, HOME_RISING)], rising_weeks=RISING_WEEKS)
        self._plan_timeline(briefings, page, incidents)
        for i, b in enumerate(briefings):
            newer = briefings[i - 1] if i > 0 else None
            older = briefings[i + 1] if i + 1 < len(briefings) else None
            add(briefing_path(b.slug), self.render_briefing, b, older, newer)

        kinds = directory_kinds(site)
        span = corpus_span(site)
        # Each kind's card lists its actors in the most briefings, the count the card shows beside each.
        by_briefings = {k: sorted(members, key=_by_briefings) for k, members in kinds.items()}
        page(ENTITIES, "entities.html", grouped=kinds,
             top_of_kind={k: members[:KIND_CARD] for k, members in by_briefings.items()})
        for kind, members in kinds.items():
            for sort, ordered in (("name", members), ("briefings", by_briefings[kind])):
                chunks = [ordered[i:i + DIRECTORY_PAGE] for i in range(0, len(ordered), DIRECTORY_PAGE)] or [[]]
                for n, chunk in enumerate(chunks, start=1):
                    page(directory_path(kind.value, sort, n), "directory.html", kind=kind, sort=sort,
                         directory_kinds=kinds, entities=chunk, page_number=n, page_count=len(chunks),
                         total=len(members), offset=(n - 1) * DIRECTORY_PAGE)
        for entity in site.entities.values():
            add(entity_path(entity.slug), self.render_entity, entity, span)
        for incident in incidents:
            if incident.size > 1:
                add(incident_path(incident.slug), self.render_incident, incident)

        tags = by_tag(briefings)
        page(TAGS, "tags.html", tags=tags)
        for tag, tagged in tags:
            page(tag_path(tag), "tag.html", tag=tag, tagged=tagged)
        page(SEARCH, "search.html")
        page(NOT_FOUND, "404.html")

        # Every HTML page comes before the data files: the search index starts on the pages while the rest
        # is still rendered and written (``search.with_search_index``).
        for entity in site.entities.values():
            add(entity_json_path(entity.slug), _entity_json, entity)
        add("incidents.json", self.incidents_json)

        add(ATOM_FEED, self.atom_feed)
        add(JSON_FEED, self.json_feed)
        if self.base_url:  # the sitemap protocol requires absolute URLs
            add(SITEMAP, self.sitemap, tuple(p for p in jobs if p.endswith(".html") and p != NOT_FOUND))
        add("robots.txt", self.robots)
        for output in self.iter_static():
            add(output.path, _static, output)
        return jobs

    def _plan_timeline(self, briefings: tuple[Briefing, ...], page: Callable[..., None],
                       incidents: list[Incident]) -> None:
        """One timeline page; a long one is split by year (the latest year also on timeline.html).

        ``incident_months``/``undated_incidents`` list incidents by the month of their last article (the
        packaged theme shows those); ``months``/``undated`` still list every briefing for other themes."""
        months = by_month(briefings)
        undated = [b for b in briefings if b.article.date is None]
        incident_months = incidents_by_month(incidents)
        undated_incidents = [i for i in incidents if i.last_date is None]
        if len(briefings) <= TIMELINE_SPLIT:
            page(TIMELINE, "timeline.html", months=months, undated=undated, years=[], year=None,
                 incident_months=incident_months, undated_incidents=undated_incidents)
            return
        years = list(dict.fromkeys(year for (year, _), _ in months))
        sections: list[int | None] = [*years, *([None] if undated else [])]
        for n, year in enumerate(sections):
            kept = [m for m in months if m[0][0] == year]
            context = dict(months=kept, undated=undated if year is None else [], years=sections, year=year,
                           incident_months=[m for m in incident_months if m[0][0] == year],
                           undated_incidents=undated_incidents if year is None else [])
            page(timeline_path(year), "timeline.html", **context)
            if n == 0:
                page(TIMELINE, "timeline.html", **context)

    # Feeds and machine output. Built with the standard library, not templates, so they are always well-formed.

    def _feed_url(self, feed: str, target: str) -> str:
        """Absolute under base_url; otherwise relative to the feed file (which sits at the site root)."""
        return absolute_url(self.base_url, target) if self.base_url else relative_url(feed, target)

    def atom_feed(self, site: Site) -> Output:
        entries = site.briefings[:FEED_ENTRIES]
        feed = ET.Element("feed", {"xmlns": ATOM_NS})
        ET.SubElement(feed, "title").text = site.title
        ET.SubElement(feed, "id").text = self._feed_id(site.title)
        ET.SubElement(feed, "updated").text = _atom_time(_latest_date(entries))
        ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html",
                                     "href": self._feed_url(ATOM_FEED, "index.html")})
        ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml",
                                     "href": self._feed_url(ATOM_FEED, ATOM_FEED)})
        author = ET.SubElement(feed, "author")
        ET.SubElement(author, "name").text = site.title
        ET.SubElement(feed, "generator").text = "briefgen"
        for b in entries:
            entry = ET.SubElement(feed, "entry")
            ET.SubElement(entry, "title").text = b.article.title
            ET.SubElement(entry, "id").text = self._feed_id(b.slug)
            ET.SubElement(entry, "updated").text = _atom_time(b.article.date)
            if b.article.date:
                ET.SubElement(entry, "published").text = _atom_time(b.article.date)
            ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html",
                                          "href": self._feed_url(ATOM_FEED, briefing_path(b.slug))})
            if b.article.url:
                ET.SubElement(entry, "link", {"rel": "via", "href": b.article.url})
            ET.SubElement(entry, "summary").text = " ".join(b.summary)
            for a in b.actors[:self.key_actors]:
                ET.SubElement(entry, "category", {"term": a.slug, "label": a.name})
            for t in b.article.tags:
                ET.SubElement(entry, "category", {"term": t})
        ET.indent(feed)
        data = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8") + b"\n"
        return Output(ATOM_FEED, data)

    def _feed_id(self, key: str) -> str:
        """A permanent id that does not change when the site moves (Atom ids must never change)."""
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "briefgen:" + key))

    def json_feed(self, site: Site) -> Output:
        items = []
        for b in site.briefings[:FEED_ENTRIES]:
            item: dict[str, Any] = {
                "id": self._feed_id(b.slug),
                "url": self._feed_url(JSON_FEED, briefing_path(b.slug)),
                "title": b.article.title,
                "content_text": "\n\n".join(b.summary) or b.article.title,
                "tags": list(b.article.tags),
            }
            if b.article.date:
                item["date_published"] = _atom_time(b.article.date)
            if b.article.url:
                item["external_url"] = b.article.url
            items.append(item)
        feed: dict[str, Any] = {"version": "https://jsonfeed.org/version/1.1", "title": site.title,
                                "home_page_url": self._feed_url(JSON_FEED, "index.html"),
                                "feed_url": self._feed_url(JSON_FEED, JSON_FEED), "items": items}
        return _json_output(JSON_FEED, feed)

    def sitemap(self, site: Site, paths: tuple[str, ...]) -> Output:
        urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
        for path in paths:
            ET.SubElement(ET.SubElement(urlset, "url"), "loc").text = absolute_url(self.base_url, path)
        ET.indent(urlset)
        data = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(urlset, encoding="utf-8") + b"\n"
        return Output(SITEMAP, data)

    def robots(self, site: Site) -> Output:
        lines = ["User-agent: *", "Allow: /"]
        if self.base_url:
            lines.append(f"Sitemap: {absolute_url(self.base_url, SITEMAP)}")
        return Output("robots.txt", ("\n".join(lines) + "\n").encode("utf-8"))

    def iter_static(self) -> Iterator[Output]:
        seen: set[str] = set()
        for d in self.dirs:
            static = d / STATIC_DIR
            if not static.is_dir():
                continue
            inside = static.resolve()
            for f in sorted(static.rglob("*")):
                rel = f.relative_to(static).as_posix()
                # A symlink out of the theme (to ~/.ssh, say) is never published or served.
                if f.is_file() and rel not in seen and not re.search(r"(^|/)\.", rel) \
                        and f.resolve().is_relative_to(inside):
                    seen.add(rel)
                    yield Output(f"{ASSETS}/{rel}", f.read_bytes())


PARALLEL_MAX_OUTPUTS = 60_000
"""Larger sites render in one process: a forked renderer touches, and so copies, most of the site graph, and
at that size memory counts for more than seconds (the graph of 20,000 briefings holds about 700 MB)."""
_FRAME = struct.Struct("<BIII")
"""A rendered output crossing the pipe: kind (0 output, 1 pickled exception), path length, data length, note
length; the path, the data (or the pickle) and the note follow."""


def render_site(
    site: Site, dirs: list[Path], *, key_actors: int = 8, base_url: str = "", processes: int = 1
) -> Iterator[Output]:
    """Every output of the site, graph first then pages, in the plan's order: nothing here touches the disk.

    With ``processes`` > 1, forked renderers share the work (``render_many``), so rendering uses the
    cores that spaCy used a moment before; the outputs still come out one at a time and in the same order.
    """
    renderer = Renderer(dirs, key_actors=key_actors, base_url=base_url)
    jobs = list(renderer.plan(site).values())
    return (_in_memory(output) for output, _ in render_many(jobs, partial(_unnoted, site=site), processes))


def _unnoted(job: Job, *, site: Site) -> Rendered:
    return job(site), b""


def _in_memory(output: Output | Spooled) -> Output:
    assert isinstance(output, Output), "a renderer without list_items keeps every output in memory"
    return output


Rendered = tuple[Output | Spooled, bytes]
"""An output and a note about it made where it was rendered (the engine's record of what it read)."""
_Job = TypeVar("_Job")


def render_many(jobs: Sequence[_Job], render: Callable[[_Job], Rendered], processes: int) -> Iterator[Rendered]:
    """``render`` of each job, in order; with ``processes`` > 1 (and forking safe, and the site not too large)
    forked renderers share the work (``_render_forked``). One function for all jobs, not a closure per job: at
    20,000 briefings those were some 60 MB."""
    if processes < 2 or len(jobs) < 2 * processes or len(jobs) > PARALLEL_MAX_OUTPUTS or not fork_is_safe():
        return (render(job) for job in jobs)
    return _render_forked(jobs, render, processes)


def _render_forked(jobs: Sequence[_Job], render: Callable[[_Job], Rendered], processes: int) -> Iterator[Rendered]:
    # Outputs are dealt out by a multiplicative hash of their position, not in turn: the plan alternates
    # kinds (each entity page is followed by its JSON), and dealing in turn gave one process all the pages.
    # This process also publishes what comes out, so each child gets two shares to its one.
    slots = 2 * processes - 1
    owner = [((i * 2654435761 >> 16) % slots + 1) // 2 for i in range(len(jobs))]
    children: list[tuple[int, BinaryIO]] = []
    stop = threading.Event()
    try:
        for k in range(1, processes):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: render its share into the pipe, then leave without any cleanup
                os.close(read_end)
                for _, other in children:
                    other.close()
                _render_into(write_end, (job for i, job in enumerate(jobs) if owner[i] == k), render)
            os.close(write_end)
            children.append((pid, os.fdopen(read_end, "rb")))
        # One thread per child drains its pipe ahead of need (a pipe alone holds too little: the child
        # would wait for this process to reach its next page, and the two would take turns).
        ready = [queue.Queue[Rendered | BaseException](maxsize=_AHEAD) for _ in children]
        for (_, pipe), outputs in zip(children, ready):
            threading.Thread(target=_drain, args=(pipe, outputs, stop), daemon=True).start()
        for i, job in enumerate(jobs):
            k = owner[i]
            if k == 0:
                yield render(job)
                continue
            item = ready[k - 1].get()
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        for pid, _ in children:
            try:
                os.kill(pid, signal.SIGKILL)  # already gone after a complete run; mid-way, its work is unwanted
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)


_AHEAD = 256
"""Outputs a renderer may finish before this process takes them (a few MB)."""


def _render_into(fd: int, jobs: Iterable[_Job], render: Callable[[_Job], Rendered]) -> NoReturn:
    code = 0
    try:
        with os.fdopen(fd, "wb") as pipe:
            for job in jobs:
                try:
                    output, note = render(job)
                except Exception as exc:  # re-raised by the parent where the page was due
                    error = _pickled(exc)
                    pipe.write(_FRAME.pack(1, 0, len(error), 0) + error)
                    break
                path = output.path.encode("utf-8", "surrogatepass")
                if isinstance(output, Spooled):
                    data, kind = pickle.dumps((output.size, output.sha256, output.file)), 2
                else:
                    data, kind = output.data, 0
                pipe.write(_FRAME.pack(kind, len(path), len(data), len(note)) + path)
                pipe.write(data)
                pipe.write(note)
    except BaseException:  # the parent stopped reading (closed pipe) or was interrupted
        code = 1
    finally:
        os._exit(code)


def _drain(pipe: BinaryIO, outputs: queue.Queue[Rendered | BaseException], stop: threading.Event) -> None:
    with pipe:
        while not stop.is_set():
            try:
                item: Rendered | BaseException = _read_output(pipe)
            except Exception as exc:
                item = exc
            while not stop.is_set():
                try:
                    outputs.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if isinstance(item, BaseException):
                return


def _pickled(exc: Exception) -> bytes:
    try:
        return pickle.dumps(exc)
    except Exception:
        return pickle.dumps(RenderError(str(exc)))


def _read_output(pipe: BinaryIO) -> Rendered:
    header = pipe.read(_FRAME.size)
    if len(header) < _FRAME.size:
        raise RenderError("a rendering process ended unexpectedly")
    kind, path_length, data_length, note_length = _FRAME.unpack(header)
    if kind == 1:
        raise pickle.loads(pipe.read(data_length))
    path, data = pipe.read(path_length).decode("utf-8", "surrogatepass"), pipe.read(data_length)
    output = Spooled(path, *pickle.loads(data)) if kind == 2 else Output(path, data)
    return output, pipe.read(note_length)
