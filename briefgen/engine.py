"""The one incremental build engine that ``build``, ``serve`` and ``inspect`` drive.

Stages: read (a file whose signature is unchanged is not even parsed again) -> extract (only new text; the
extraction cache below) -> corpus stages (entities, incidents: always from every briefing, mkdocs #1705) ->
plan -> render only the outputs whose recorded inputs changed.

Each rendered output records what it read (``Record``): a digest of its job's arguments, the keys it looked
up in the site graph (``tracking``), and every template it loaded. The next build compares each of those with
its current value; an output is rendered again when one of them changed, when it is new, when the settings
or briefgen's code changed, or (a build) when its published file is not the one this engine wrote. An
unchanged intermediate value stops the invalidation there: an article edit that leaves an entity's record
as it was does not re-render that entity's page. Reads the engine cannot compare record "everything" and
make the page depend on every change (false positives, never a stale page).

``build`` keeps the engine's state (the files read, their extractions, the records) in the cache folder, so
deleting it only costs time; ``serve`` keeps it in memory.
"""

from __future__ import annotations

import array
import dataclasses
import gc
import hashlib
import importlib.metadata
import io
import itertools
import logging
import operator
import os
import pickle
import struct
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import IntEnum
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import briefgen
from briefgen.build import BuildResult, NlpProvider, Progress, corpus_stage, extract_briefings
from briefgen.config import Config
from briefgen.curation import Curation, load_curation
from briefgen.entities import Resolver
from briefgen.errors import BriefgenError, Diagnostic, RenderError, Severity
from briefgen.forking import fork_is_safe
from briefgen.graph import ResolutionMemo, key_actor_slugs
from briefgen.incident_curation import IncidentCuration, load_incident_curation
from briefgen.incidents import IncidentMemo
from briefgen.model import (
    Actor,
    Article,
    Briefing,
    Entity,
    EntityKind,
    Extraction,
    Incident,
    IncidentQuote,
    Paragraph,
    Quote,
    QuoteRef,
    Site,
)
from briefgen.problems import Problem, make_problem, problem_from_diagnostic, problem_from_error
from briefgen.render import (
    Job,
    Kept,
    MemoryBytecodeCache,
    Output,
    Rendered,
    Renderer,
    Spooled,
    describe_template_error,
    recording_templates,
    render_many,
    template_digest,
    theme_dirs,
)
from briefgen.sources import read_paths, resolve_slug_clashes, scan_source
from briefgen.tracking import (
    BRIEFING,
    COMPARED,
    COUNT,
    ENTITY,
    EVERYTHING,
    INCIDENT,
    INCIDENT_OF,
    NESTED,
    SEP,
    TRACKED_KINDS,
    key,
    tracked,
)
from briefgen.urls import NOT_FOUND
from briefgen.write import FileStat, holds, walk_site_files

log = logging.getLogger(__name__)

STATE_FORMAT = "engine-2"
"""Bump when the state's layout changes: an older state is then ignored (one full build)."""
_MARKER = b"data-pagefind-body"
_CONTAINER_MEMO = 32
"""Lists, tuples and dicts longer than this are digested once per build, however many jobs share them."""


# --- state --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class SourceFile:
    """One article file as last read."""

    signature: tuple[int, ...] | None
    """(mtime_ns, ctime_ns, size, inode): unchanged means the file is not read again (while the reading
    settings and briefgen's code are unchanged too: ``State.extraction_settings``)."""
    article: Article | None
    diagnostics: tuple[Diagnostic, ...]
    extraction: Extraction | None = None
    """Its extraction under the state's extraction settings (None: not extracted yet, or it failed)."""


_STAT = struct.Struct("<qqQ")
_EVERY = 0xFFFFFFFF
"""The number of EVERYTHING among packed reads."""


@dataclass(frozen=True, slots=True)
class Record:
    """What one output read when it was last rendered, and what it came out as.

    Packed into two byte strings (a 20,000-briefing site has 300,000 outputs, and the engine keeps a
    record of each in memory and on disk beside the site)."""

    packed: bytes
    """Digest of its job's arguments (16 bytes), sha256 of its bytes (32), marked for the search index (1),
    then (``build`` only) the published file's size, mtime_ns and inode (24)."""
    reads: bytes
    """The keys it read from the site graph (``tracking``), as ``ReadKeys`` numbers (4 bytes each, in
    order); EVERYTHING alone when it depends on all of it."""
    templates: tuple[str, ...]
    """Every template name it loaded (found or not)."""

    @property
    def inputs(self) -> bytes:
        return self.packed[:16]

    @property
    def sha256(self) -> bytes:
        return self.packed[16:48]

    @property
    def marked(self) -> bool:
        return self.packed[48] == 1

    @property
    def stat(self) -> tuple[int, int, int] | None:
        """(size, mtime_ns, inode) of the published file (``build`` only)."""
        return _STAT.unpack_from(self.packed, 49) if len(self.packed) > 49 else None

    def published(self, stat: tuple[int, int, int] | None) -> Record:
        return Record(self.packed[:49] + (_STAT.pack(*stat) if stat else b""), self.reads, self.templates)


class ReadKeys:
    """The keys records read, as numbers: an object's number (``objects``: ``kind NUL slug``) times 32 plus
    what of it was read (0: whether it exists; 1: the whole of it; 2 + i: its i-th field). A record's reads
    then pack into 4 bytes each, and no string is kept per field read. Numbers are never reused."""

    __slots__ = ("_numbers", "objects")

    def __init__(self, objects: Iterable[str] = ()) -> None:
        self.objects: list[str] = list(objects)
        self._numbers = {k: i for i, k in enumerate(self.objects)}

    def number(self, k: str, *, add: bool = True) -> int | None:
        """The number of key ``k`` (None: not known, and not ``add``-ed)."""
        if k == EVERYTHING:
            return _EVERY
        kind, _, rest = k.partition(SEP)
        slug, has_field, name = rest.partition(SEP)
        obj = k[:len(kind) + 1 + len(slug)] if has_field else k
        n = self._numbers.get(obj)
        if n is None:
            if not add:
                return None
            n = self._numbers[obj] = len(self.objects)
            self.objects.append(obj)
            if n >= 1 << 27:
                raise OverflowError("too many site objects for the engine's read keys")
        if not has_field:
            return n << 5
        return n << 5 | _FIELD_CODES.get(kind, {}).get(name, 1)

    def pack(self, reads: Iterable[str]) -> bytes:
        numbers = sorted({n for k in reads if (n := self.number(k)) is not None})
        if _EVERY in numbers:
            numbers = [_EVERY]
        packed = array.array("I", numbers).tobytes()
        return _PACKED_READS.setdefault(packed, packed)  # many outputs read the same keys: one copy

    def numbers(self, keys: Iterable[str]) -> set[int]:
        """The numbers of those ``keys`` some record may have read (the others no record read)."""
        return {n for k in keys if (n := self.number(k, add=False)) is not None}

    def keys(self, reads: bytes) -> list[str]:
        """The keys packed in ``reads`` (for tests and debugging)."""
        out = []
        for n in memoryview(reads).cast("I"):
            if n == _EVERY:
                out.append(EVERYTHING)
                continue
            obj, code = self.objects[n >> 5], n & 31
            kind = obj.split(SEP)[0]
            out.append(obj if code == 0 else obj + SEP + ("" if code == 1 else FIELD_NAMES[kind][code - 2]))
        return out


_PACKED_READS: dict[bytes, bytes] = {}


@dataclass(slots=True)
class State:
    """Everything the engine keeps between builds. Saved into the cache folder by ``build``
    (``save_state``: only what changed since it was loaded)."""

    files: dict[str, SourceFile] = field(default_factory=dict)
    extraction_settings: tuple[str, ...] = ()
    """What reading and extraction depend on besides the files: model, settings, briefgen's code."""
    settings: str = ""
    """Digest of every setting that can change an output, and of briefgen's own code."""
    values: dict[str, bytes] = field(default_factory=dict)
    """Per site object key (``b/e/i NUL slug``): its digest then one digest per field; per ``o NUL slug``
    the incident's slug; under EVERYTHING the whole site's digest."""
    templates: dict[str, str] = field(default_factory=dict)
    records: TouchedDict = field(default_factory=lambda: TouchedDict())
    read_keys: ReadKeys = field(default_factory=ReadKeys)
    published: str = ""
    """Digest of every file in the output folder after the last publish (path, size, time, inode)."""
    incident_memo: IncidentMemo = field(default_factory=IncidentMemo)
    """What the last incident stage lends the next (same result, cheaper)."""
    resolvers: dict[str, str] = field(default_factory=dict)
    """The entity resolvers the last corpus stage left (``ResolutionMemo``'s "plain" and "curated"): the file
    in the state's folder that holds each (``Resolver.dump``)."""
    graph: ResolutionMemo = field(default_factory=ResolutionMemo)
    """The last site graph's tables (its briefings, curated, relinked and final, its entities and curation),
    so a build in a fresh process relinks and names only what changed, as ``serve`` does; its resolvers are
    loaded from their own files (``resolvers``) only while the corpus stage runs."""
    graph_rows: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """The graph's briefings part as last saved or loaded: per slug, (its ``linked`` entry, its final
    briefing). A row whose parts are the same objects is that very row, so saving the state sees it unchanged."""
    touched_files: set[str] = field(default_factory=set)
    """Files whose entry is new, changed or gone since the state was last saved."""
    touched_values: set[str] = field(default_factory=set)
    """Keys of ``values`` new, changed or gone since the state was last saved."""
    saved: dict[str, tuple[str, int, str, int]] = field(default_factory=dict)
    """Per part of the state on disk: (base file, its size, log file, the log's size) as last saved."""
    saved_maps: dict[str, Any] = field(default_factory=dict)
    """Per part: the dict (or list) as last saved or loaded, to save only the entries changed since."""


class TouchedDict(dict[str, Record]):
    """The records: a dict that notes which paths were set or deleted since the state was last saved."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.touched: set[str] = set()

    def __setitem__(self, k: str, v: Record) -> None:
        self.touched.add(k)
        super().__setitem__(k, v)

    def __delitem__(self, k: str) -> None:
        self.touched.add(k)
        super().__delitem__(k)


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino)


def _state_folder(config: Config) -> Path:
    name = hashlib.sha256(str(config.out.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return config.cache_dir / "sites" / name


def spare_site(config: Config) -> Path:
    """Where ``build`` keeps the site its last publish retired, to stage the next one from (``write``)."""
    folder = _state_folder(config)
    return folder.with_name(folder.name + ".site")


# The state on disk: a folder with a small manifest and, per part (the files read, the records, the values,
# the read keys, the incident memo's tables), a base file and a log of the changes since, each a run of
# pickled frames of entries. A build appends its changes to the logs and then replaces the manifest (the
# one atomic step: a kill before it leaves the state before, whole); a log grown to half its base is
# folded into a new base. So saving costs what changed, and no one giant pickle (and its memo of every
# object) is ever made.

_MANIFEST = "manifest"
_FRAME_ENTRIES = 250
_TOUCHED_PARTS = ("files", "records", "values")
"""Parts whose changes the engine notes as it makes them (``State.touched``); the others are compared by
identity with the part as last saved."""
_APPENDED_PARTS = ("objects", "memo.vocabulary")
"""Parts only ever added to while the same object (a new object: saved whole)."""


def _model_reduce(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    get = operator.attrgetter(*(f.name for f in dataclasses.fields(kind)))

    def reduce(obj: Any) -> tuple[Any, ...]:
        return kind, get(obj)

    return reduce


_STATE_REDUCERS: dict[type, Callable[[Any], tuple[Any, ...]]] = {
    # Frozen dataclasses pickle through dataclasses' Python __getstate__/__setstate__ (most of the time
    # spent loading and saving a state); by their fields they rebuild in one call each.
    **{kind: _model_reduce(kind) for kind in (Article, Extraction, Actor, Quote, Briefing, Entity, QuoteRef,
                                              Incident, IncidentQuote)},
    EntityKind: lambda member: (EntityKind, (member.value,)),
    Record: lambda r: (_record, (r.packed, r.reads, r.templates)),
}


def _record(packed: bytes, reads: bytes, templates: tuple[str, ...]) -> Record:
    """A record as loaded: the reads and template lists many records share are one object again."""
    return Record(packed, _PACKED_READS.setdefault(reads, reads), _TEMPLATE_LISTS.setdefault(templates, templates))


_SHARED_FIELDS = (("s", "summary"), ("q", "quotes"), ("c", "context"))
"""The extraction's fields a graph row refers to by file name (the tag a reference carries, the field)."""


class _Sources:
    """What the graph's rows refer to: by id, each file's article (-> the file's name and entry) and the
    summary, quotes and context its extraction holds (-> the field's tag and the file's name)."""

    def __init__(self, files: dict[str, SourceFile]) -> None:
        self.articles = {id(f.article): (name, f) for name, f in files.items() if f.article is not None}
        fields: dict[int, tuple[str, str] | None] = {}
        for name, f in files.items():
            if f.article is not None and f.extraction is not None:
                for tag, field_name in _SHARED_FIELDS:
                    value = getattr(f.extraction, field_name)
                    # One file's own only: a row refers to no other file (an edit of that one would change the
                    # row's meaning without the row being saved again). Empty tuples are one shared object.
                    if value:
                        fields[id(value)] = (tag, name) if id(value) not in fields else None
        self.fields = {k: v for k, v in fields.items() if v is not None}


class _GraphPickler(pickle.Pickler):
    """Pickles the graph's rows with each file's article, each briefing as extracted and the fields a relinked
    briefing shares with it, by the file's name: the files part holds them already (the texts are most of a
    site's bytes)."""

    def __init__(self, file: io.BytesIO, sources: _Sources) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.dispatch_table = _STATE_REDUCERS
        self._sources = sources

    def persistent_id(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is tuple:
            return self._sources.fields.get(id(obj))
        if kind is Article:
            found = self._sources.articles.get(id(obj))
            return ("a", found[0]) if found is not None else None
        if kind is Briefing:
            found = self._sources.articles.get(id(obj.article))
            e = found[1].extraction if found is not None else None
            if found is not None and e is not None and obj.summary is e.summary and obj.actors is e.actors \
                    and obj.quotes is e.quotes and obj.context is e.context:
                return ("b", found[0])
        return None


class _GraphUnpickler(pickle.Unpickler):
    """The graph's rows, their files' articles, briefings and fields taken from the loaded files part (None for
    a file gone or not extracted: such a row equals nothing, so the graph makes it afresh)."""

    def __init__(self, file: io.BytesIO, files: dict[str, SourceFile]) -> None:
        super().__init__(file)
        self._files = files

    def persistent_load(self, pid: Any) -> Any:
        kind, name = pid
        entry = self._files.get(name)
        if entry is None or entry.article is None:
            return None
        if kind == "a":
            return entry.article
        e = entry.extraction
        if e is None:
            return None
        if kind == "b":
            return Briefing(entry.article, e.summary, e.actors, e.quotes, e.context)
        return getattr(e, _FIELD_OF_TAG[kind])


_FIELD_OF_TAG = dict(_SHARED_FIELDS)


def _frame(entries: Any, sources: _Sources | None = None) -> bytes:
    buffer = io.BytesIO()
    if sources is None:
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = _STATE_REDUCERS
    else:
        pickler = _GraphPickler(buffer, sources)
    pickler.dump(entries)
    data = buffer.getvalue()
    return len(data).to_bytes(8, "little") + data


def _write_frames(f: io.BufferedWriter, items: Iterable[tuple[Any, Any]], sources: _Sources | None = None) -> int:
    written = 0
    batch: list[tuple[Any, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= _FRAME_ENTRIES:
            written += f.write(_frame((batch, []), sources))
            batch = []
    if batch or not written:
        written += f.write(_frame((batch, []), sources))
    return written


def _read_frames(path: Path, size: int,
                 files: dict[str, SourceFile] | None = None) -> Iterator[tuple[list[tuple[Any, Any]], list[Any]]]:
    with path.open("rb") as f:
        left = size
        while left > 0:
            length = int.from_bytes(f.read(8), "little")
            data = f.read(length)
            if len(data) != length or length + 8 > left:
                raise ValueError(f"{path.name}: cut short")
            left -= length + 8
            yield pickle.loads(data) if files is None else _GraphUnpickler(io.BytesIO(data), files).load()


def _diff(current: Any, saved: Any) -> tuple[list[tuple[Any, Any]], list[Any]] | None:
    """Entries of ``current`` not in ``saved`` (by identity) and keys gone; None: save it whole."""
    if isinstance(current, list):  # appended only (the read keys' objects)
        if current is not saved or saved is None:
            return None
        return list(enumerate(current))[_SAVED_LENGTHS.get(id(current), len(current)):], []
    if saved is None:
        return None
    if current is saved:  # changed in place: only ever by adding (the vocabulary)
        return list(itertools.islice(current.items(), _SAVED_LENGTHS.get(id(current), len(current)), None)), []
    missing = object()
    changed = [(k, v) for k, v in current.items() if saved.get(k, missing) is not v]
    gone = [k for k in saved if k not in current] if len(saved) + len(changed) > len(current) else []
    return changed, gone


_SAVED_LENGTHS: dict[int, int] = {}
"""Length of each appended-only part when last saved, by id of the object saved (kept alive in saved_maps)."""


def _parts(state: State) -> dict[str, Any]:
    memo = state.incident_memo
    return {"files": state.files, "records": state.records, "values": state.values,
            "objects": state.read_keys.objects, "memo.texts": memo.texts, "memo.records": memo.records,
            "memo.splits": memo.splits, "memo.copies": memo.copies, "memo.merges": memo.merges,
            "memo.vocabulary": memo.vocabulary,
            "memo.graph": {} if memo.graph is None else {"graph": memo.graph},
            _GRAPH_ROWS: _graph_rows(state), "graph.entities": state.graph.site_entities}


_GRAPH_ROWS = "graph.briefings"
"""The part whose frames refer to the files part's articles and briefings (``_GraphPickler``)."""


def _graph_rows(state: State) -> dict[str, tuple[Any, ...]]:
    """The graph's briefings as the state saves them: per slug, its ``linked`` entry and its final briefing
    in one row, so what they share is pickled (and loaded) once."""
    memo, before = state.graph, state.graph_rows
    rows: dict[str, tuple[Any, ...]] = {}
    for slug, linked in memo.linked.items():
        final = memo.site_briefings.get(slug)
        if final is None:
            continue
        row = before.get(slug)
        rows[slug] = row if row is not None and row[0] is linked and row[1] is final else (linked, final)
    state.graph_rows = rows
    return rows


def _loaded_graph(rows: dict[str, tuple[Any, ...]], entities: dict[str, Entity],
                  curation: Curation | None) -> ResolutionMemo:
    memo = ResolutionMemo()
    memo.linked = {slug: row[0] for slug, row in rows.items()}
    memo.site_briefings = {slug: row[1] for slug, row in rows.items()}
    memo.key_slugs = {slug: key_actor_slugs(row[0][2]) for slug, row in rows.items()}
    memo.site_entities = entities
    memo.curation = curation
    return memo


def load_state(config: Config) -> State:
    """The state the last build into ``config.out`` left, or an empty one (missing, unreadable, older)."""
    # A load makes millions of objects and frees none: the collector's passes over them would find nothing
    # (at 20,000 briefings they were two thirds of the load). Frozen before it runs again, or its first pass
    # would still scan them all; records, they form no cycles, so a state let go is still freed.
    with _collector_paused():
        state = _loaded_state(config)
        gc.freeze()
    return state


def _loaded_state(config: Config) -> State:
    folder = _state_folder(config)
    try:
        with (folder / _MANIFEST).open("rb") as f:
            manifest = pickle.load(f)
        if manifest.get("format") != STATE_FORMAT:
            return State()
        loaded: dict[str, Any] = {}
        # The files first: the graph's rows refer to their articles.
        for name, (base, base_size, log_file, log_size) in sorted(manifest["parts"].items(),
                                                                  key=lambda item: item[0] != "files"):
            whole: dict[Any, Any] = {}
            files = loaded["files"] if name == _GRAPH_ROWS else None
            for path, size in ((folder / base, base_size), (folder / log_file, log_size)):
                if size:
                    for entries, gone in _read_frames(path, size, files):
                        whole.update(entries)
                        for k in gone:
                            whole.pop(k, None)
            loaded[name] = whole
        objects = loaded.pop("objects")
        memo = IncidentMemo()
        memo.vocabulary, memo.texts = loaded["memo.vocabulary"], loaded["memo.texts"]
        memo.records, memo.splits, memo.columns = loaded["memo.records"], loaded["memo.splits"], manifest["columns"]
        memo.copies = loaded.get("memo.copies", {})  # a state saved before the copies were kept has none
        memo.merges = loaded.get("memo.merges", {})
        memo.graph = loaded.get("memo.graph", {}).get("graph")
        state = State(files=loaded["files"], extraction_settings=manifest["extraction_settings"],
                      settings=manifest["settings"], values=loaded["values"], templates=manifest["templates"],
                      records=TouchedDict(loaded["records"]),
                      read_keys=ReadKeys(objects[i] for i in range(len(objects))),
                      published=manifest["published"], incident_memo=memo, saved=manifest["parts"],
                      resolvers=manifest.get("resolvers", {}),
                      graph=_loaded_graph(loaded.get(_GRAPH_ROWS, {}), loaded.get("graph.entities", {}),
                                          manifest.get("curation")),
                      graph_rows=loaded.get(_GRAPH_ROWS, {}))
        state.saved_maps = {k: v for k, v in _parts(state).items() if k not in _TOUCHED_PARTS}
        for name in _APPENDED_PARTS:
            _SAVED_LENGTHS[id(state.saved_maps[name])] = len(state.saved_maps[name])
        return state
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged state only costs a full build
        log.debug("%s: ignoring the engine state: %s", folder, exc)
    return State()


def save_state(config: Config, state: State) -> None:
    """Save what changed since the state was loaded (or last saved): appended to each part's log, or the
    part written afresh when most of it changed or its log outgrew it; then the manifest, atomically."""
    folder = _state_folder(config)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder.parent / f"{folder.name}.state").unlink(missing_ok=True)  # the older one-file format
        parts = _parts(state)
        saved: dict[str, tuple[str, int, str, int]] = {}
        token = f"{os.getpid()}-{time.time_ns()}"
        sources = _Sources(state.files)
        for name, current in parts.items():
            before = state.saved.get(name)
            refers = sources if name == _GRAPH_ROWS else None
            if name in _TOUCHED_PARTS:
                touched = {"records": state.records.touched, "files": state.touched_files,
                           "values": state.touched_values}[name]
                diff = ([(k, current[k]) for k in touched if k in current],
                        [k for k in touched if k not in current]) if name in state.saved else None
            else:
                diff = _diff(current, state.saved_maps.get(name))
            size = len(current)
            if before is None or diff is None or len(diff[0]) + len(diff[1]) > size // 2 \
                    or before[3] > before[1] // 2 + (1 << 20):
                base = f"{name}.{token}.base"
                with (folder / base).open("wb") as f:
                    items = enumerate(current) if isinstance(current, list) else current.items()
                    base_size = _write_frames(f, items, refers)
                saved[name] = (base, base_size, f"{name}.{token}.log", 0)
            elif diff[0] or diff[1]:
                base, base_size, log_name, log_size = before
                with (folder / log_name).open("ab") as f:
                    f.truncate(log_size)  # what a killed save appended is not part of any manifest
                    f.seek(log_size)
                    log_size += f.write(_frame(diff, refers))
                saved[name] = (base, base_size, log_name, log_size)
            else:
                saved[name] = before
        manifest = {"format": STATE_FORMAT, "extraction_settings": state.extraction_settings,
                    "settings": state.settings, "templates": state.templates, "published": state.published,
                    "columns": state.incident_memo.columns, "parts": saved, "resolvers": state.resolvers,
                    "curation": state.graph.curation}
        tmp = folder / f".tmp-{token}"
        with tmp.open("wb") as f:
            pickle.dump(manifest, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / _MANIFEST)  # a kill leaves the old state or the new one, never half of one
        used = {_MANIFEST, *(n for entry in saved.values() for n in (entry[0], entry[2])), *state.resolvers.values()}
        for leftover in os.listdir(folder):
            if leftover not in used:
                (folder / leftover).unlink(missing_ok=True)
        state.saved = saved
        state.saved_maps = {k: v for k, v in parts.items() if k not in _TOUCHED_PARTS}
        state.records.touched = set()
        state.touched_files = set()
        state.touched_values = set()
        for name in _APPENDED_PARTS:
            _SAVED_LENGTHS[id(parts[name])] = len(parts[name])
    except OSError as exc:
        log.warning("%s: cannot record the build: %s", folder, exc)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """briefgen's own source, as a hash: taken once a process, as the code running in it is the code imported
    (``serve`` asked for it twice a rebuild, reading every source file each time)."""
    h = hashlib.sha256()
    package = Path(briefgen.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode("utf-8", "surrogatepass") + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def settings_digest(config: Config) -> str:
    """Every setting (but how fast), briefgen's code and the render libraries. Which file each template
    name resolves to is not here: each output records that for the templates it loads."""
    h = hashlib.sha256()

    def add(*parts: str | bytes) -> None:
        for part in parts:
            h.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")

    add(STATE_FORMAT, briefgen.__version__, code_digest(),
        repr(replace(config, n_process=0, batch_size=1, cache_dir=Path(), executor="local", dask_scheduler="",
                     dask_shared_cache=False)))
    for name in ("jinja2", "markupsafe"):
        try:
            add(name, importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            add(name, "-")
    return h.hexdigest()


# --- digests --------------------------------------------------------------------------------------------


_RECORD_TYPES = (Briefing, Entity, Incident)


def _by_fields(kind: type) -> Callable[[Any], tuple[Any, ...]]:
    get = operator.attrgetter(*(f.name for f in dataclasses.fields(kind)))

    def reduce(obj: Any) -> tuple[Any, ...]:
        return kind, get(obj)

    return reduce


def _enum_value(member: EntityKind) -> tuple[Any, ...]:
    return EntityKind, (member.value,)


_BY_FIELDS: dict[type, Callable[[Any], tuple[Any, ...]]] = {
    **{kind: _by_fields(kind) for kind in (Actor, Quote, QuoteRef, IncidentQuote, Paragraph)},
    EntityKind: _enum_value,
}


class _RecordPickler(pickle.Pickler):
    """Pickles records by their fields in one step: dataclasses' own ``__getstate__`` (and Enum's
    ``__reduce_ex__``) are Python code, and were most of the time spent digesting a site."""

    def __init__(self, file: io.BytesIO) -> None:
        super().__init__(file, protocol=5)
        self.fast = True  # no memo: equal values give equal bytes however their parts are shared
        self.dispatch_table = _BY_FIELDS


class _Pickler(pickle.Pickler):
    """Pickles a value for its digest: records the engine tracks stand in by their own digests."""

    def __init__(self, file: io.BytesIO, digests: Digests, root: object) -> None:
        super().__init__(file, protocol=5)
        self.fast = True  # no memo: equal values give equal bytes however their parts are shared
        self.dispatch_table = _BY_FIELDS
        self._digests = digests
        self._root = root

    def persistent_id(self, obj: Any) -> Any:
        kind = type(obj)
        if obj is self._root:
            return None
        if kind is Article:
            return self._digests.article(obj)
        if kind in _RECORD_TYPES:
            return self._digests.record(obj)
        if kind in (list, tuple, dict) and len(obj) > _CONTAINER_MEMO:
            return self._digests.value(obj)
        return None


class Digests:
    """Digests of values for one build, each shared object digested once (kept alive here meanwhile)."""

    def __init__(self) -> None:
        self._memo: dict[int, tuple[object, bytes]] = {}

    def known(self, obj: object) -> bytes | None:
        """The digest of ``obj`` if this build already took it."""
        found = self._memo.get(id(obj))
        return found[1] if found is not None else None

    def keep_from(self, other: Digests, objects: Iterable[object]) -> None:
        """Take ``other``'s digests of ``objects`` (those it took): records are frozen, so while one lives
        (the memo keeps it) its digest holds."""
        memo, found = self._memo, other._memo
        for obj in objects:
            entry = found.get(id(obj))
            if entry is not None and entry[0] is obj:
                memo[id(obj)] = entry

    def remember(self, obj: object, digest: bytes) -> bytes:
        """Keep ``obj``'s digest (taken here, or known from an earlier build's state for this very record)."""
        self._memo[id(obj)] = (obj, digest)
        return digest

    def value(self, obj: object) -> bytes:
        """Any value (digested once, however many jobs share it)."""
        found = self.known(obj)
        if found is not None:
            return found
        if type(obj) is Article:
            return self.article(obj)
        return self.remember(obj, self.once(obj))

    def once(self, obj: object) -> bytes:
        """A value only one job holds: digested without keeping it (the records it holds are kept)."""
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, self, obj).dump(obj)
            return hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest()
        except Exception:  # not picklable: never equal to anything, so whatever reads it is rendered
            return os.urandom(16)

    def article(self, a: Article) -> bytes:
        """An article is its file: path, slug and bytes (every other field is read from those)."""
        found = self.known(a)
        if found is not None:
            return found
        return self.remember(a, hashlib.blake2b(f"{a.slug}\0{a.source}\0{a.sha256}\0{a.draft}".encode(
            "utf-8", "surrogatepass"), digest_size=16).digest())

    def record(self, obj: Any) -> bytes:
        """A briefing, entity or incident: its fields (each shared record digested once)."""
        found = self.known(obj)
        if found is not None:
            return found
        return self.records([obj])[0]

    def records(self, objects: Iterable[Any]) -> list[bytes]:
        """``record`` for many objects at once, through one pickler: most of a build's digesting is here.

        No record holds another (a briefing holds its article, digested apart), so the fields pickle without
        the per-object hook that job arguments need."""
        buffer = io.BytesIO()
        pickler = _RecordPickler(buffer)
        memo = self._memo
        out: list[bytes] = []
        getters: dict[type, Callable[[Any], Any]] = {}
        for obj in objects:
            found = memo.get(id(obj))
            if found is not None:
                out.append(found[1])
                continue
            kind = type(obj)
            get = getters.get(kind)
            if get is None:
                get = getters[kind] = operator.attrgetter(*(f.name for f in _fields(kind)))
            parts = get(obj)
            if kind is Briefing:
                parts = (self.article(parts[0]), *parts[1:])
            buffer.seek(0)
            buffer.truncate()
            try:
                pickler.dump(parts)
                digest = hashlib.blake2b(buffer.getbuffer(), digest_size=16).digest()
            except Exception:  # not picklable: never equal to anything
                digest = os.urandom(16)
                buffer = io.BytesIO()
                pickler = _RecordPickler(buffer)
            memo[id(obj)] = (obj, digest)
            out.append(digest)
        return out

    def fields(self, obj: Any, names: Sequence[str], before: bytes = b"") -> bytes:
        """8 bytes of digest per field named (each value is its object's alone: not kept).

        ``article.title`` is a field of a field (``NESTED``), a plain value; while the field's own digest is
        the one in ``before`` (these fields' digests as the last build took them), its fields keep theirs."""
        out: list[bytes] = []
        same: dict[str, bool] = {}
        buffer: io.BytesIO | None = None
        for i, name in enumerate(names):
            was = before[8 * i:8 * i + 8]
            holder, _, inner = name.rpartition(".")
            if not holder:
                v = getattr(obj, name)
                digest = (self.article(v) if type(v) is Article else self.once(v))[:8]
                same[name] = digest == was
            elif same[holder] and was:
                digest = was
            else:
                if buffer is None:
                    buffer = io.BytesIO()
                    pickler = _RecordPickler(buffer)
                buffer.seek(0)
                buffer.truncate()
                try:
                    pickler.dump(getattr(getattr(obj, holder), inner))
                    digest = hashlib.blake2b(buffer.getbuffer(), digest_size=8).digest()
                except Exception:  # not picklable: never equal to anything
                    digest = os.urandom(8)
                    buffer = None
            out.append(digest)
        return b"".join(out)


_FIELDS: dict[type, tuple[dataclasses.Field[Any], ...]] = {}


def _fields(kind: type) -> tuple[dataclasses.Field[Any], ...]:
    found = _FIELDS.get(kind)
    if found is None:
        found = _FIELDS[kind] = tuple(f for f in dataclasses.fields(kind) if not f.name.startswith("_"))
    return found


def _field_names(kind: str) -> tuple[str, ...]:
    """The fields of a site object the reads name: its own, then those of its ``NESTED`` field."""
    own = tuple(f.name for f in _fields(TRACKED_KINDS[kind]))
    if kind not in NESTED:
        return own
    name, nested = NESTED[kind]
    return (*own, *(f"{name}.{n}" for n in (*(f.name for f in _fields(nested)), *COMPARED.get(nested, ()))))


FIELD_NAMES = {kind: _field_names(kind) for kind in TRACKED_KINDS}
_FIELD_CODES = {kind: {name: i + 2 for i, name in enumerate(names)} for kind, names in FIELD_NAMES.items()}
"""What of an object a read key names, as ``ReadKeys`` numbers it (0: exists, 1: the whole of it)."""
assert max(map(len, FIELD_NAMES.values())) < 30  # the number's low 5 bits


def normalise_reads(reads: Iterable[str]) -> tuple[str, ...]:
    """Reads as recorded: a read of a method or anything else not a field stands for the whole object (of a
    nested field's, for the whole field: ``article.__html__`` is ``article``)."""
    out: set[str] = set()
    for k in reads:
        if k == EVERYTHING:
            return (EVERYTHING,)
        parts = k.split(SEP)
        if len(parts) == 3 and parts[2] and parts[2] not in (names := FIELD_NAMES.get(parts[0], ())):
            holder = parts[2].partition(".")[0]
            out.add(key(parts[0], parts[1], holder if holder != parts[2] and holder in names else ""))
        else:
            out.add(k)
    return tuple(sorted(out))


@dataclass(slots=True)
class Changes:
    """What changed in the site graph and the templates since the records were made."""

    keys: set[str]
    everything: bool
    """Anything at all changed (pages that read EVERYTHING are stale)."""
    templates: set[str]
    all: bool = False
    """The settings or briefgen's code changed: every output is stale."""
    values: dict[str, bytes] = field(default_factory=dict)
    touched_values: set[str] = field(default_factory=set)
    """Keys of ``values`` whose value is not the one the state had (new, changed or gone)."""
    template_digests: dict[str, str] = field(default_factory=dict)
    settings: str = ""
    site: Site | None = None
    """The site graph these changes lead to."""
    read_keys: ReadKeys = field(default_factory=ReadKeys)
    """The numbering of the records' reads."""
    _numbers: set[int] | None = None

    def stale(self, record: Record) -> bool:
        if self.all:
            return True
        if self.templates and not self.templates.isdisjoint(record.templates):
            return True
        reads = record.reads
        if not reads:
            return False
        numbers = memoryview(reads).cast("I")
        if numbers[0] == _EVERY:
            return self.everything
        if self._numbers is None:
            self._numbers = self.read_keys.numbers(self.keys)
        return not self._numbers.isdisjoint(numbers)


def compare_site(site: Site, previous: dict[str, bytes], digests: Digests, *,
                 keys: bool = True) -> tuple[dict[str, bytes], set[str]]:
    """Each object's digests now, and the keys whose values differ from ``previous`` (not computed, and
    ``previous`` not read, without ``keys``: every output is stale anyway)."""
    if not keys:
        previous = {}
    values: dict[str, bytes] = {}
    changed: set[str] = set()
    whole = hashlib.blake2b(digest_size=16)
    collections: tuple[tuple[str, Iterable[Briefing | Entity | Incident]], ...] = (
        (BRIEFING, site.briefings), (ENTITY, site.entities.values()), (INCIDENT, site.incidents.values()))
    for kind, collection in collections:
        names = FIELD_NAMES[kind]
        objects = list(collection)
        for obj, digest in zip(objects, digests.records(objects)):
            k = f"{kind}{SEP}{obj.slug}"
            whole.update(k.encode("utf-8", "surrogatepass") + digest)
            before = previous.get(k)
            if before is not None and before[:16] == digest:
                values[k] = before
                continue
            per_field = digests.fields(obj, names, before[16:] if before is not None else b"")
            values[k] = digest + per_field
            changed.add(key(kind, obj.slug, ""))
            if before is None:
                changed.add(k)
                changed.update(key(kind, obj.slug, n) for n in names)
            else:
                for i, n in enumerate(names):
                    if before[16 + 8 * i:24 + 8 * i] != per_field[8 * i:8 * i + 8]:
                        changed.add(key(kind, obj.slug, n))

    def plain_value(k: str, value: bytes) -> None:
        before = previous.get(k)
        if before == value:
            value = before  # the same object: saving the state sees it unchanged
        else:
            changed.add(k)
        values[k] = value

    for b in site.briefings:
        incident = site.incident_of(b.slug)
        plain_value(key(INCIDENT_OF, b.slug), incident.slug.encode("utf-8", "surrogatepass") if incident else b"")
    for kind, count in ((BRIEFING, len(site.briefings)), (ENTITY, len(site.entities)), (INCIDENT, len(site.incidents))):
        plain_value(key(COUNT, kind), str(count).encode())
    for k in previous:
        if k not in values and k != EVERYTHING:
            changed.add(k)
            kind, slug = k.split(SEP)
            changed.add(key(kind, slug, ""))
            changed.update(key(kind, slug, n) for n in FIELD_NAMES.get(kind, ()))
    values[EVERYTHING] = whole.digest() + site.title.encode("utf-8", "surrogatepass")
    return values, changed


# --- rendering with records ---------------------------------------------------------------------------


def render_recorded(job: Job, site: Site) -> Rendered:
    """Render ``job`` against a tracked view of ``site``; the note holds what it read (pickled)."""
    reads: set[str] = set()
    names: list[str] = []
    recording_templates(names)
    try:
        output = job(tracked(site, reads))
    finally:
        recording_templates(None)
    return output, pickle.dumps((normalise_reads(reads), tuple(dict.fromkeys(names))))


_TEMPLATE_LISTS: dict[tuple[str, ...], tuple[str, ...]] = {}


def make_record(output: Output | Spooled, note: bytes, inputs: bytes, read_keys: ReadKeys) -> Record:
    reads, templates = pickle.loads(note)
    templates = _TEMPLATE_LISTS.setdefault(templates, templates)  # shared: most outputs use a few lists
    if isinstance(output, Spooled):
        sha256, marked = output.sha256, False
    else:
        sha256, marked = hashlib.sha256(output.data).digest(), output.path.endswith(".html") and _MARKER in output.data
    return Record(inputs + sha256 + (b"\1" if marked else b"\0"), read_keys.pack(reads), templates)


# --- the engine -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Plan:
    """One build's outputs, each with its job, and which of them the records show unchanged."""

    site: Site
    renderer: Renderer
    jobs: dict[str, Job]
    inputs: dict[str, bytes]
    """The digest of each job's arguments, but of the clean ones (their records hold it)."""
    clean: set[str]
    changes: Changes
    removed: int = 0
    """Outputs the last build published that this one does not have."""


class Engine:
    """Reads, extracts, runs the corpus stages and plans the outputs, reusing whatever is still valid.

    Not thread-safe: one build at a time (``serve`` rebuilds on one thread).
    """

    def __init__(self, state: State | None = None) -> None:
        self.state = state or State()
        self.last_good: dict[str, SourceFile] = {}
        """serve: a file that broke keeps its last good version on the site."""
        self._accepted_site: Site | None = None
        self._digests: Digests | None = None
        self._last_digests: Digests | None = None
        """The digests of the last plan: the briefings the next site shares with the last accepted one keep
        theirs (``corpus_memo``)."""
        self.reread = 0
        """Files read again by ``briefings`` (the rest were unchanged)."""
        self.resolved_anew = False
        """Whether ``save_resolution`` saved (or forgot) a resolver: the state must be saved to name it."""
        self._made: dict[str, Briefing] = {}
        """The briefings the last ``briefings`` call returned, by slug: an article and extraction unchanged
        since give that very object again, so the corpus stages' memos (which know records by identity)
        see only the edited briefings as new."""
        self._graph_before: tuple[dict[str, Briefing], dict[str, Entity]] | None = None
        """The state's graph as this build found it (``reuse_digests``)."""

    # reading and extraction

    def briefings(
        self,
        config: Config,
        nlp: NlpProvider,
        result: BuildResult,
        *,
        drafts: bool,
        progress: Progress | None = None,
        dirty: Collection[str] = (),
        keep_last_good: bool = False,
        in_process: Callable[[int], bool] | None = None,
    ) -> list[Briefing]:
        """Every article's briefing. Only new or changed files are read (``dirty`` names files to read again
        whatever their signature says), only new text is extracted (the extraction cache first).

        ``keep_last_good``: a file that fails to read keeps the article last read from it (``serve``).
        ``in_process``: given how many articles need extracting, whether to extract them in this process
        (``n_process=1``; ``serve`` does for a few articles).

        Raises:
            SourceError: the source folder is missing or unreadable.
        """
        from briefgen.extract.cache import EXTRACT_VERSION

        started = time.perf_counter()
        info = nlp.model()
        # briefgen's code too: a new reader can read the same bytes differently, a new extractor extract them so.
        settings = (EXTRACT_VERSION, info.name, info.version, str(config.summary_sentences), str(config.root),
                    str(config.source), code_digest())
        state = self.state
        if settings != state.extraction_settings:
            state.files = {}  # read and extract (from the extraction cache) everything again
            state.resolvers = {}  # and resolve the entities afresh (briefgen's code may decide otherwise now)
            state.graph, state.graph_rows = ResolutionMemo(), {}
            self.last_good = {}
            state.extraction_settings = settings
        found, unreadable = scan_source(config.source, config.root)
        diagnostics: list[Diagnostic] = list(unreadable)
        files: dict[str, SourceFile] = {}
        current: list[tuple[Article, SourceFile, str]] = []
        skipped = 0
        for path in found:
            name = str(path)
            sig = _signature(path)
            entry = state.files.get(name)
            if entry is None or sig is None or entry.signature != sig or name in dirty:
                self.reread += 1
                read = read_paths([path], root=config.root, base=config.source, drafts=True)
                article = read.articles[0] if read.articles else None
                # Touched but the same bytes (a save without changes): its extraction still holds.
                same = entry is not None and entry.article is not None and article is not None \
                    and entry.article.sha256 == article.sha256 and entry.article.source == article.source
                entry = SourceFile(sig, article if not same or entry is None else entry.article,
                                   read.diagnostics, entry.extraction if same and entry is not None else None)
            files[name] = entry
            diagnostics.extend(entry.diagnostics)
            used = entry
            if keep_last_good:
                if entry.article is None:
                    used = self.last_good.get(name, entry)
                else:
                    self.last_good[name] = entry
            if used.article is None:
                continue
            if used.article.draft and not drafts:
                skipped += 1
                continue
            current.append((used.article, used, name))
        # Noted for saving the state: entries new or read again, and files gone.
        state.touched_files.update(n for n, f in files.items() if state.files.get(n) is not f)
        state.touched_files.update(n for n in state.files if n not in files)
        state.files = files
        if keep_last_good:
            self.last_good = {p: f for p, f in self.last_good.items() if p in files}
        articles, clashes = resolve_slug_clashes(a for a, _, _ in current)
        diagnostics.extend(clashes)
        by_id = {id(a): (f, name) for a, f, name in current}
        kept = [(a, by_id[id(a)][0]) for a in articles]
        entries = {a.slug: by_id[id(a)] for a in articles}
        result.diagnostics.extend(diagnostics)
        result.articles = len(articles)
        result.drafts = skipped
        result.stages["read"] = time.perf_counter() - started

        missing = [a for a, f in kept if f.extraction is None]
        if missing:
            settings_used = config
            if in_process is not None and in_process(len(missing)):
                settings_used = replace(config, n_process=1, executor="local")
            for b in extract_briefings(missing, settings_used, nlp, result, progress):
                entry, name = entries[b.slug]
                entry.extraction = Extraction(b.summary, b.actors, b.quotes, b.context)
                state.touched_files.add(name)  # changed in place: saved again
        else:
            result.stages["cache"] = 0.0
            if progress:
                progress(len(articles), len(articles))
        result.cached = len(kept) - len(missing) + (result.cached if missing else 0)
        made: dict[str, Briefing] = {}
        for a, f in kept:
            if (e := f.extraction) is None:
                continue
            last = self._made.get(a.slug)
            if last is None or last.article is not a or last.summary is not e.summary or last.actors is not e.actors \
                    or last.quotes is not e.quotes or last.context is not e.context:
                last = Briefing(a, e.summary, e.actors, e.quotes, e.context)
            made[a.slug] = last
        self._made = made
        return list(made.values())

    def corpus_memo(self) -> IncidentMemo:
        """The incident memo for this build's corpus stage. It knows briefings by the digests the plan
        then reuses (each briefing digested once a build)."""
        self._digests = Digests()
        if self._last_digests is not None and self._accepted_site is not None:
            site = self._accepted_site
            self._digests.keep_from(self._last_digests, [*site.briefings, *(b.article for b in site.briefings),
                                                         *site.entities.values(), *site.incidents.values()])
        memo = self.state.incident_memo
        memo.fingerprint = self._digests.record
        return memo

    def resolution_memo(self, config: Config) -> ResolutionMemo:
        """The last build's site graph and the entity resolvers it saved: an edit that decides nothing anew
        reuses their resolution (``Resolver``) and every briefing and entity it does not touch, so the edit's
        corpus stage costs what changed, not the corpus."""
        memo = self.state.graph
        self._graph_before = memo.site_briefings, memo.site_entities
        folder = _state_folder(config)
        for name, file in self.state.resolvers.items():
            try:
                with (folder / file).open("rb") as f:
                    setattr(memo, name, Resolver.load(f))
            except Exception as exc:  # a damaged file only costs resolving afresh
                log.debug("%s: ignoring the saved resolver: %s", folder / file, exc)
        return memo

    def save_resolution(self, config: Config, memo: ResolutionMemo) -> None:
        """Save the resolvers of ``memo`` that decided anything anew, each into a new file of the state's folder
        (the state names it once saved: a build that fails leaves the last one named), then let them go: the
        corpus's counts are not needed while the incidents and pages are made. ``resolved_anew`` tells whether
        any was saved."""
        folder = _state_folder(config)
        for name in ("plain", "curated"):
            resolver: Resolver = getattr(memo, name)
            setattr(memo, name, Resolver())
            if resolver.empty:
                self.resolved_anew |= self.state.resolvers.pop(name, None) is not None
            if not resolver.changed:
                continue
            file = f"resolver.{name}.{os.getpid()}-{time.time_ns()}"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                with (folder / file).open("wb") as f:
                    saved = resolver.dump(f)
            except OSError as exc:
                log.warning("%s: cannot record the entity resolution: %s", folder, exc)
                (folder / file).unlink(missing_ok=True)
                continue
            if saved:
                self.state.resolvers[name] = file
                self.resolved_anew = True

    def reuse_digests(self) -> None:
        """After the graph: a briefing or entity that is the very record the state's graph held keeps the
        digest the build that made it took (``State.values``), so the incidents and the plan digest only the
        records an edit changed."""
        digests, before = self._digests, self._graph_before
        self._graph_before = None
        if digests is None or before is None:
            return
        values, memo = self.state.values, self.state.graph
        for kind, now, then in ((BRIEFING, memo.site_briefings, before[0]), (ENTITY, memo.site_entities, before[1])):
            for slug, obj in now.items():
                if then.get(slug) is obj and (value := values.get(key(kind, slug))) is not None:
                    digests.remember(obj, value[:16])

    # the plan

    def compare(self, site: Site, renderer: Renderer, settings: str) -> tuple[dict[str, Job], Changes, Digests]:
        """The jobs of ``site`` and what changed since the state's values were taken. The state takes the
        new values only with ``accept``, once the build they describe succeeded."""
        state = self.state
        digests, self._digests = self._digests or Digests(), None
        self._last_digests = digests
        state.incident_memo.fingerprint = None  # the digests (and all they hold) go with the plan
        jobs = renderer.plan(site)
        if site is self._accepted_site:  # the same graph (serve, after a template edit): nothing to compare
            values, changed, touched = state.values, set[str](), set[str]()
        else:
            values, changed = compare_site(site, state.values, digests, keys=settings == state.settings)
            touched = {k for k, v in values.items() if state.values.get(k) is not v}
            touched.update(k for k in state.values if k not in values)
        everything = values.get(EVERYTHING) != state.values.get(EVERYTHING) or bool(changed)
        # Every template the theme has, read before anything renders: a template saved meanwhile then
        # counts as changed next time (rendered once more), never as unchanged.
        names = {n for n in renderer.env.list_templates() if not n.startswith(".")}
        names.update(state.templates)
        templates = {t: template_digest(renderer.env, t) for t in names}
        changes = Changes(changed, everything, {t for t, d in templates.items() if state.templates.get(t) != d},
                          all=settings != state.settings, values=values, template_digests=templates, settings=settings,
                          site=site, read_keys=state.read_keys, touched_values=touched)
        return jobs, changes, digests

    def accept(self, changes: Changes) -> None:
        """The build ``changes`` was computed for succeeded: compare the next one with its values."""
        self.state.values, self.state.templates = changes.values, changes.template_digests
        self.state.touched_values |= changes.touched_values
        self.state.settings = changes.settings
        self._accepted_site = changes.site

    def plan(self, site: Site, renderer: Renderer, settings: str) -> Plan:
        """The outputs of ``site``, and which of them the records show unchanged (``Plan.clean``)."""
        jobs, changes, digests = self.compare(site, renderer, settings)
        renderer.record_digest = digests.record
        # The values compared are not read again before the build is accepted (and a build that fails
        # saves nothing): let them go while the pages render.
        self.state.values = {}
        records = self.state.records
        inputs: dict[str, bytes] = {}
        clean: set[str] = set()
        for path, job in jobs.items():
            digest = job_digest(job, digests)
            record = records.get(path)
            if record is not None and record.inputs == digest and not changes.stale(record):
                clean.add(path)
            else:
                inputs[path] = digest
        removed = [p for p in records if p not in jobs]
        for path in removed:
            del records[path]
        return Plan(site, renderer, jobs, inputs, clean, changes, removed=len(removed))


def job_digest(job: Job, digests: Digests) -> bytes:
    """A job's arguments and which render function it calls, as one digest.

    Argument by argument: a site record by its digest (taken once a build), a string as it is, a value
    shared by many jobs (the corpus's span) digested once, the page's context once (no job shares it).
    A plan digests every job (200,000 at 20,000 briefings): the parts are joined and hashed in one call."""
    render = job.render
    parts = [(getattr(render, "__qualname__", None) or repr(render)).encode()]  # repr only when needed: it is slow
    memo = digests._memo
    for arg in job.args:
        kind = type(arg)
        if kind in _RECORD_TYPES:
            found = memo.get(id(arg))
            parts += (b"r", found[1] if found is not None else digests.record(arg))
        elif arg is None:
            parts.append(b"n")
        elif kind is str:
            data = arg.encode("utf-8", "surrogatepass")
            parts += (b"s", len(data).to_bytes(8, "little"), data)
        else:
            parts += (b"v", digests.value(arg))
    if job.kwargs:
        parts += (b"k", digests.once(job.kwargs))
    return hashlib.blake2b(b"".join(parts), digest_size=16).digest()


# --- build: render what changed, publish the whole site ---------------------------------------------------


def keep_published(plan: Plan, records: dict[str, Record], published: dict[str, FileStat] | None) -> None:
    """Leave clean only the outputs whose published file is still the one recorded (size, time, inode):
    a file edited or deleted by hand is rendered again. ``published``: ``write.site_files`` of the site."""
    found = published or {}
    for path in list(plan.clean):
        stat = records[path].stat
        if stat is None or found.get(path) != stat:
            plan.clean.discard(path)


def build_outputs(plan: Plan, records: dict[str, Record], out: Path, result: BuildResult, *,
                  processes: int, verify: bool = False) -> Iterator[Output | Kept | Spooled]:
    """Every output of ``plan`` in order: a clean one as ``Kept`` (its published file), the rest rendered,
    each rendered one's record put in ``records``.

    ``verify``: render every output, and add an error for each one judged clean whose fresh render
    differs from its published file.
    """
    chosen = list(plan.jobs) if verify else [p for p in plan.jobs if p not in plan.clean]
    rendered = render_many([plan.jobs[p] for p in chosen], partial(render_recorded, site=plan.site), processes)
    result.rendered = len(chosen)
    for path in plan.jobs:
        if path in plan.clean and not verify:
            record = records[path]
            yield Kept(path, record.sha256, record.marked, f"{out}{os.sep}{path}")
            continue
        output, note = next(rendered)
        inputs = plan.inputs[path] if path in plan.inputs else records[path].inputs
        record = make_record(output, note, inputs, plan.changes.read_keys)
        if path in plan.clean and not holds(out / path, output):
            result.diagnostics.append(Diagnostic(
                path, "the engine judged it unchanged, but a fresh render differs (--verify)"))
        records[path] = record
        yield output


def commit_build(engine: Engine, plan: Plan, out: Path, config: Config, *, rendered: Iterable[str],
                 published: dict[str, FileStat] | None) -> None:
    """After a publish: each rendered output's published file noted, the state saved for the next build.
    ``published``: the new site's files, if the publish knew them (else the folder is walked, each file noted
    as it is met: at 300,000 files a listing of them all was some 50 MB at the build's peak)."""
    records = engine.state.records
    renewed = set(rendered)

    def note(path: str, stat: FileStat) -> None:
        if stat[2] >= 0:  # not a symlink: the file briefgen wrote
            records[path] = records[path].published(stat)

    def walked() -> Iterator[tuple[str, FileStat]]:
        for path, stat in walk_site_files(out):
            if path in renewed:
                note(path, stat)
            yield path, stat

    if published is not None:
        for path in renewed:
            if (stat := published.get(path)) is not None:
                note(path, stat)
        digest = published_digest(published.items())
    else:
        try:
            digest = published_digest(walked())
        except OSError:
            digest = ""
    engine.accept(plan.changes)
    engine.state.published = digest
    save_state(config, engine.state)


def unchanged_site(engine: Engine, plan: Plan, published: dict[str, FileStat] | None) -> bool:
    """Whether publishing ``plan`` would reproduce the site on disk as it is: every output clean, none gone,
    and no file in the folder (``published``: ``write.site_files``) touched since the last publish (the search
    index and the manifest included)."""
    return len(plan.clean) == len(plan.jobs) and not plan.removed and bool(engine.state.published) \
        and published is not None and published_digest(published.items()) == engine.state.published


def published_digest(files: Iterable[tuple[str, FileStat]]) -> str:
    """Every file of a site with its size, modification time and inode, as one hash: in any order (the sum
    of each file's), so a walk is digested as it goes."""
    total = 0
    blake2b = hashlib.blake2b
    for rel, (size, mtime, inode) in files:
        line = f"{rel}\0{size}\0{mtime}\0{inode}".encode("utf-8", "surrogatepass")
        total += int.from_bytes(blake2b(line, digest_size=16).digest(), "little")
    return (total & ((1 << 128) - 1)).to_bytes(16, "little").hex()


# --- inspect ------------------------------------------------------------------------------------------------


def inspect(config: Config, paths: Iterable[str], nlp: NlpProvider | None = None) -> tuple[list[dict[str, Any]],
                                                                                             list[Diagnostic]]:
    """``briefgen inspect``: each given article's briefing record (as in site/briefings.json), resolved and
    clustered with the other files given as a build would; folders expanded in sorted order.

    Every file given is printed: a folder's files take their slugs from their path inside it, and a slug
    met twice is numbered (with a warning) instead of leaving a file out.
    """
    from briefgen.records import briefing_record

    given: list[Article] = []
    diagnostics: list[Diagnostic] = []
    for given_path in paths:
        p = Path(given_path)
        if p.is_dir():
            found, unreadable = scan_source(p)
            diagnostics.extend(unreadable)
            read = read_paths(found, base=p, clash="rename")
        elif p.exists():
            read = read_paths([p], clash="rename")
        else:
            diagnostics.append(Diagnostic(given_path, "no such file or folder"))
            continue
        given.extend(read.articles)
        diagnostics.extend(read.diagnostics)
    articles, renamed = resolve_slug_clashes(given, rename=True)
    result = BuildResult(diagnostics=[*diagnostics, *renamed])
    briefings = extract_briefings(articles, config, nlp or NlpProvider(config.model), result)
    site, problems = corpus_stage(briefings, config)
    result.diagnostics.extend(problems)
    records = []
    made = {b.slug for b in site.briefings}
    for article in articles:
        if article.slug in made:
            incident = site.incident_of(article.slug)
            records.append(briefing_record(site.briefing(article.slug), incident.slug if incident else None))
    return records, result.diagnostics


# --- serve: the site in memory, each page rendered when first asked for --------------------------------------

FEW_ARTICLES = 20
"""Fewer changed articles than this are extracted in-process (n_process=1), even when forking is safe."""


class Change(IntEnum):
    """What a batch of file events touched; a bigger value implies more work."""

    TEMPLATES = 1
    """Re-render only: the site graph is reused."""
    CURATION = 2
    """The entities file: rebuild the graph from the briefings in memory, no extraction."""
    ARTICLES = 3
    """Re-read changed articles, extract only those, rebuild the graph."""
    CONFIG = 4
    """Start over: every setting may affect every stage."""


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


class Pages:
    """One served build's outputs: each rendered on first request, then kept for the life of the build.

    A page the build before rendered, whose record shows nothing it read has changed, is not rendered again:
    its bytes are reused.
    """

    def __init__(self, plan: Plan, digests: Digests, previous: Pages | None) -> None:
        self._plan = plan
        self._digests = digests
        self._done: dict[str, tuple[bytes, Record]] = {}
        self._before: dict[str, tuple[bytes, Record]] = previous._done if previous is not None else {}
        self._lock = threading.Lock()
        self.rendered = 0
        """Pages rendered by this build so far (the others reused)."""

    def forget_before(self) -> None:
        """Let the build before this one go (a newer build replaced this one)."""
        self._before = {}

    def __contains__(self, path: object) -> bool:
        return path in self._plan.jobs

    def __len__(self) -> int:
        return len(self._plan.jobs)

    def paths(self) -> Iterable[str]:
        return self._plan.jobs.keys()

    def get(self, path: str) -> bytes:
        """The bytes of ``path``. Raises KeyError for a path not in the site, RenderError for a broken page."""
        found = self._done.get(path)
        if found is not None:
            return found[0]
        job = self._plan.jobs[path]
        with self._lock:  # the digests' memo is shared
            inputs = job_digest(job, self._digests)
        before = self._before.get(path)
        if before is not None and before[1].inputs == inputs and not self._plan.changes.stale(before[1]):
            entry = before
        else:
            # Rendered outside the lock: two threads may render one page at once, harmlessly, but a slow
            # page never blocks requests for others.
            output, note = render_recorded(job, self._plan.site)
            data = output.data if isinstance(output, Output) else Path(output.file).read_bytes()
            entry = (data, make_record(output, note, inputs, self._plan.changes.read_keys))
            self.rendered += 1
        with self._lock:
            return self._done.setdefault(path, entry)[0]

    def lookup(self, path: str) -> tuple[int, str | None]:
        """(status, output path) served for a site path: the page itself, else the site's 404 page."""
        if path in self._plan.jobs:
            return 200, path
        return 404, (NOT_FOUND if NOT_FOUND in self._plan.jobs else None)

    def fingerprint(self, path: str) -> str:
        """What a reader at ``path`` sees, as a short hash: it changes exactly when that response changes."""
        status, target = self.lookup(path)
        return digest(f"{status}:".encode() + (self.get(target) if target else b""))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A complete, consistent site held in memory; replaced as a whole, never modified."""

    number: int
    """Build number, counting successful builds from 1."""
    config: Config
    site: Site
    pages: Pages
    css: str
    """Hash of every stylesheet: when only this changes, pages swap CSS instead of reloading."""
    previous: Snapshot | None = None
    """The build before, for a page this build fails to render (its previous link is dropped)."""


@dataclass(slots=True)
class Rebuild:
    """The outcome of one rebuild: a new snapshot, or the problems that prevented one."""

    change: Change
    snapshot: Snapshot | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extracted: int = 0
    seconds: float = 0.0


def _template_names(renderer: Renderer) -> list[str]:
    return [n for n in renderer.env.list_templates() if not n.startswith("static/") and not n.startswith(".")]


def check_templates(renderer: Renderer) -> None:
    """Compile every template now, so a syntax error anywhere is reported at once, not when a page asks.

    Raises:
        RenderError: naming the file and line of the first broken template.
    """
    for name in _template_names(renderer):
        try:
            renderer.env.get_template(name)
        except Exception as exc:  # any Jinja error; described without importing Jinja here
            raise RenderError(describe_template_error(exc, renderer.dirs)) from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _extract_in_process(articles: int, executor: str) -> bool:
    """A few edited articles are extracted here whatever the executor (no cluster or workers started for
    one save); more go to the cluster, or to forked workers while forking is safe."""
    return articles < FEW_ARTICLES or (executor != "dask" and not _may_fork())


def _may_fork() -> bool:
    """Whether extraction may use ``build.py``'s forked workers (``fork_is_safe``: only while this is the
    process's one thread). So the first build, which ``DevServer.start`` runs before its watcher, HTTP and
    rebuild threads exist, may fork like ``briefgen build``; every rebuild after that extracts in-process.
    What it costs: nothing for the usual one to few edited articles (fewer than FEW_ARTICLES never forked
    anyway: the loaded pipeline beats starting workers), and for a big batch (a ``model`` or
    ``summary_sentences`` change re-extracts everything; a folder of new articles) at most the second core:
    40 PolNeAR articles took 4.1 s in-process and 4.0 s in 2 forked workers on the shared 2-core machine
    (``bench/bench_reload.py --extract 40``), up to twice as long on an idle one. A "spawn" pool would keep
    the parallelism safely but load spaCy again in every worker (seconds each) and pickle every article.
    """
    return fork_is_safe()


class LiveBuilder:
    """The engine as ``serve`` drives it: rebuilds the site in memory after each batch of changes, reusing
    every file read, extraction and rendered page still valid. Nothing here writes the output folder.

    Not thread-safe: one rebuild at a time (the dev server runs them on one thread).
    """

    def __init__(self, load_config: Callable[[], Config], *, nlp: NlpProvider | None = None) -> None:
        self._load_config = load_config
        self._nlp = nlp
        self.config: Config | None = None
        self.snapshot: Snapshot | None = None
        self.engine = Engine()
        self._briefing_list: list[Briefing] | None = None
        self._site: Site | None = None
        self._curation = Curation()
        self._incident_curation = IncidentCuration()
        self._resolution_memo = ResolutionMemo()
        self._curation_bytes: bytes | None = None
        """The entities file as last read (b"" when absent); None before the first read."""
        self._curation_problems: list[Problem] = []
        self._curation_warnings: list[str] = []
        self._source_problems: list[Problem] = []
        self._source_warnings: list[str] = []
        self._bytecode = MemoryBytecodeCache()
        self._number = 0

    def nlp(self, config: Config) -> NlpProvider:
        if self._nlp is None or self._nlp.model_setting != config.model:
            self._nlp = NlpProvider(config.model)
        return self._nlp

    def rebuild(self, change: Change = Change.CONFIG, paths: Collection[str] = (),
                probe: Collection[str] = ()) -> Rebuild:
        """Rebuild after ``change`` to ``paths`` (absolute file paths that events named).

        ``probe`` lists site paths to render before the new build is accepted (the pages open in
        browsers): a template that fails on them keeps the last good build in place.
        """
        started = time.perf_counter()
        outcome = Rebuild(change)
        try:
            self._rebuild(outcome, {os.path.abspath(p) for p in paths}, probe)
        except BriefgenError as exc:
            outcome.problems.append(problem_from_error(exc, self.config.root if self.config else None))
        outcome.seconds = time.perf_counter() - started
        return outcome

    def _rebuild(self, outcome: Rebuild, dirty: set[str], probe: Collection[str]) -> None:
        # The config is re-read every time (it is tiny): a change nobody reported still takes effect.
        config = self._load_config()
        if config != self.config:
            outcome.change = Change.CONFIG
            self.engine = Engine()
            self._briefing_list = self._site = None
            self._curation, self._curation_bytes, self._curation_problems = Curation(), None, []
            self._incident_curation = IncidentCuration()
            self._curation_warnings = []
            self._source_problems, self._source_warnings = [], []
        self.config = config
        graph_stale = self._reload_curation(config) or self._site is None  # always read the file first
        if outcome.change >= Change.ARTICLES or self._briefing_list is None:
            self._briefing_list = self._briefings(config, dirty, outcome)
            graph_stale = True
        # Article and curation problems stay on show until that file is fixed, whatever changes in between.
        outcome.problems.extend(self._curation_problems)
        outcome.problems.extend(self._source_problems)
        outcome.warnings.extend(self._source_warnings)
        # The graph and the render plan allocate hundreds of thousands of small records while the
        # previous build's are still alive: with the cyclic collector on, its full passes over that heap
        # took over a third of an article edit on 840 briefings (plan 270 -> 60 ms, graph 590 -> 440 ms
        # with it off). Records are freed by reference counting as usual; cycles wait for the next pass.
        with _collector_paused():
            if graph_stale:
                # Entities and incidents are recomputed from the briefings in memory: an article edit
                # extracts only that article. The last good curation applies while the file is broken.
                self._site, unmatched = corpus_stage(
                    self._briefing_list, config, curations=(self._curation, self._incident_curation),
                    incident_memo=self.engine.corpus_memo(), resolution_memo=self._resolution_memo)
                self._curation_warnings = [str(d) for d in unmatched]
            outcome.warnings.extend(self._curation_warnings)
            site = self._site
            assert site is not None  # graph_stale whenever there was none
            dirs = theme_dirs(config.templates)
            if not dirs:
                raise BriefgenError(f"{config.templates}: no templates found")
            renderer = Renderer(
                dirs, key_actors=config.key_actors, base_url=config.base_url, bytecode_cache=self._bytecode
            )
            check_templates(renderer)
            jobs, changes, digests = self.engine.compare(site, renderer, settings_digest(config))
            previous = self.snapshot
            pages = Pages(Plan(site, renderer, jobs, {}, set(), changes), digests,
                          previous.pages if previous is not None else None)
            for path in {*probe, NOT_FOUND}:
                _, target = pages.lookup(path)
                if target is not None:
                    pages.get(target)
            css = digest(b"".join(pages.get(p) for p in sorted(jobs) if p.endswith(".css")))
            self.engine.accept(changes)
            if previous is not None:
                previous.pages.forget_before()
                previous = replace(previous, previous=None)
            self._number += 1
            outcome.snapshot = self.snapshot = Snapshot(self._number, config, site, pages, css, previous)

    def _reload_curation(self, config: Config) -> bool:
        """Re-read the entities file (it is small) and say whether the curation in use changed.

        Read on every rebuild, like the config, so a change no event reported still takes effect. A broken
        file (invalid TOML) is reported and the last good curation stays in use (none on the first build), so
        the site keeps its entity pages as they were and template and article edits still go through.
        """
        try:
            data = config.entities.read_bytes() if config.entities.is_file() else b""
        except OSError as exc:
            self._curation_bytes = None  # read again next time
            self._curation_problems = [
                make_problem(str(config.entities), None, f"cannot read: {exc.strerror or exc}", config.root)]
            return False
        if data == self._curation_bytes:
            return False
        self._curation_bytes = data
        try:
            curation = load_curation(config.entities, config.root)
            incidents = load_incident_curation(config.entities, config.root)
        except BriefgenError as exc:
            self._curation_problems = [problem_from_error(exc, config.root)]
            return False
        # A bad entry is left out and shown; the rest of the file applies.
        self._curation_problems = [problem_from_diagnostic(d, config.root)
                                   for d in (*curation.problems, *incidents.problems)]
        if curation == self._curation and incidents == self._incident_curation:
            return False
        self._curation, self._incident_curation = curation, incidents
        return True

    def _briefings(self, config: Config, dirty: set[str], outcome: Rebuild) -> list[Briefing]:
        """Every article's briefing, drafts included; only new or changed files are read, only new text
        extracted (in-process for a few articles, or once other threads run: ``_may_fork``)."""
        result = BuildResult()
        try:
            briefings = self.engine.briefings(config, self.nlp(config), result, drafts=True, dirty=dirty,
                                              keep_last_good=True,
                                              in_process=lambda n: _extract_in_process(n, config.executor))
        except BriefgenError as exc:  # a missing or unreadable folder: shown like any other problem
            briefings = []
            result.diagnostics.append(Diagnostic("", str(exc)))
        outcome.extracted = result.extracted
        self._source_problems = [
            problem_from_diagnostic(d, config.root) for d in result.diagnostics if d.severity is Severity.ERROR]
        self._source_warnings = [str(d) for d in result.diagnostics if d.severity is not Severity.ERROR]
        return briefings
