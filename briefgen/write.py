"""Publish rendered outputs as a whole: stage the new site beside the old one, then swap it in atomically.

Unchanged files are hard links to the published ones, so they keep their modification time and hosting
sync tools see only real changes. A ``kill -9`` at any moment leaves either the old site or the new one.
briefgen deletes only files it owns (listed in the manifest): anything else found in the output folder,
such as a CNAME file, is carried into every new site.

With a ``spare`` folder (``build`` keeps one in its cache), the site the swap retired is kept there, and the
next publish brings that copy up to date instead of staging every file afresh: it links or writes only the
files whose published inode differs from the spare's (those changed by this build or the one before), and
deletes what is no longer published, then swaps. The spare is never trusted, only compared file by file
(a killed publish leaves it half updated, and the next one finishes the job), and a file in it is never
written in place: most of them are the published files themselves, under a second name.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import OutputError, quote_path
from briefgen.render import Kept, Output, Spooled

log = logging.getLogger(__name__)

MANIFEST = ".briefgen-manifest.json"
"""Lists the files briefgen wrote; marks the folder as briefgen's to replace."""
_RENAME_EXCHANGE = 2
_UNSAFE_PARTS = frozenset({"", ".", ".."})


FileStat = tuple[int, int, int]
"""A file as a walk saw it: size, modification time (ns), inode (negated for a symlink, which is not followed)."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: int
    """Files whose bytes changed (new or different)."""
    unchanged: int
    removed: int
    files: dict[str, FileStat] | None = None
    """The new site's files, when the publish knows them without a walk (it staged from a spare)."""


def _staging(out: Path) -> Path:
    return out.parent / f".{out.name}.staging"


def _retired(out: Path) -> Path:
    return out.parent / f".{out.name}.old"


def check_output_folder(
    out: Path, *, forbidden: Iterable[Path] = (), inputs: Iterable[Path] = (), force: bool = False
) -> None:
    """Refuse folders briefgen must never replace. Symlinks are resolved first.

    ``forbidden`` folders (project root) must not be or lie inside the output folder; ``inputs`` (source,
    templates, cache) must not overlap it at all: an output inside them would be read back or deleted.

    Raises:
        OutputError: for an existing file or device, /, the home folder, a protected project folder, or
            a non-empty folder that briefgen did not create (unless ``force``: that only waives the last
            check).
    """
    resolved = out.resolve()
    if (out.exists() or out.is_symlink()) and not resolved.is_dir():
        raise OutputError(f"refusing to use {quote_path(str(out))} as the output folder: it exists and is not a folder")
    inputs = [p.resolve() for p in inputs]
    danger = {Path("/").resolve(), Path.home().resolve(), *(p.resolve() for p in forbidden), *inputs}
    for protected in danger:
        if resolved == protected or protected.is_relative_to(resolved):
            raise OutputError(f"refusing to use {out} as the output folder: it is or contains {protected}")
    for folder in inputs:
        if resolved.is_relative_to(folder):
            raise OutputError(f"refusing to use {out} as the output folder: it is inside the input folder {folder}")
    if not force and resolved.is_dir() and any(resolved.iterdir()) and not (resolved / MANIFEST).is_file():
        raise OutputError(
            f"{out} is not empty and was not created by briefgen; move its files away or pass --force"
        )


def published_briefings(out: Path) -> int:
    """How many briefings the site briefgen published in ``out`` holds (0 when none or not briefgen's)."""
    if not (out / MANIFEST).is_file():
        return 0
    try:
        return len(json.loads((out / "briefings.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return 0


def refuse_emptying(out: Path, problems: Iterable[object] = ()) -> None:
    """Raise unless publishing a site without briefings loses nothing (``out`` has none published).

    Raises:
        OutputError: ``out`` holds a published site with briefings.
    """
    published = published_briefings(out)
    if published:
        why = " (see the errors above)" if any(True for _ in problems) else ""
        raise OutputError(
            f"this build has no briefings{why}, but {quote_path(str(out))} has {published:,} published "
            f"briefing{'s' if published != 1 else ''}: nothing published; pass --allow-empty to publish an empty site"
        )


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Only one build per output folder at a time."""
    real = out.resolve()  # one lock for every path that names the same folder
    path = real.parent / f".{real.name}.lock"
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        # The new site is staged beside the old one, so the folder holding the output must be writable.
        raise OutputError(f"cannot write in {quote_path(str(real.parent))}, the folder that holds the output "
                          f"folder: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"another briefgen build is writing {out}; try again when it finishes") from None
        yield
    finally:
        os.close(fd)


def recover(out: Path) -> None:
    """Finish or undo a publish that was killed: restore the old site if the new one never arrived."""
    retired, staging = _retired(out), _staging(out)
    if retired.exists() and not out.exists():
        os.rename(retired, out)
    for leftover in (retired, staging):
        if leftover.exists():
            shutil.rmtree(leftover, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP}:
        return False
    raise OSError(err, os.strerror(err), str(a))


def _foreign_files(out: Path, owned: set[str], found: Mapping[str, object] | None = None) -> Iterator[str]:
    """Files (and symlinks) in ``out`` that briefgen did not write: never deleted. ``found``: ``out``'s
    files if already listed."""
    if found is None:
        found, _ = _tree(out)
    for rel in sorted(found):
        if rel not in owned and rel != MANIFEST:
            yield rel


def _walk(root: Path, folders: list[str] | None = None) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every file and symlink below ``root`` (a symlinked folder is not entered) as (relative path, entry);
    each folder's path goes into ``folders``, deepest last. Paths are interned, so the site's and the spare
    folder's listings share them: at 20,000 briefings each listing holds some 200,000 paths."""
    stack = [("", str(root))]
    while stack:
        prefix, folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if folders is not None:
                        folders.append(rel)
                    stack.append((rel + "/", entry.path))
                else:
                    yield sys.intern(rel), entry


def _tree(root: Path) -> tuple[dict[str, int], list[str]]:
    """Every file and symlink below ``root`` as relative path -> its inode, negated for a symlink, and every
    folder, deepest last (``_walk``). From ``scandir`` alone: no file is stat'ed."""
    folders: list[str] = []
    found = {rel: -entry.inode() if entry.is_symlink() else entry.inode() for rel, entry in _walk(root, folders)}
    return found, folders


def site_files(root: Path) -> dict[str, FileStat] | None:
    """Every file and symlink below ``root`` (``_walk``) with its ``FileStat``; None when ``root`` cannot be
    read. A build takes it once, before publishing: it tells which published files are still the ones
    recorded, and what the spare must link."""
    try:
        return dict(walk_site_files(root))
    except OSError:
        return None


def walk_site_files(root: Path) -> Iterator[tuple[str, FileStat]]:
    """``site_files`` one file at a time, none kept (raises OSError)."""
    for rel, entry in _walk(root):
        yield rel, _as_file_stat(entry.stat(follow_symlinks=False))


def _file_stat(path: Path) -> FileStat | None:
    try:
        return _as_file_stat(path.lstat())
    except OSError:
        return None


def _as_file_stat(st: os.stat_result) -> FileStat:
    return st.st_size, st.st_mtime_ns, -st.st_ino if stat.S_ISLNK(st.st_mode) else st.st_ino


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def holds(path: Path, output: Output | Spooled) -> bool:
    """Whether the file ``path`` has the bytes of ``output`` (a spooled one's by size and digest)."""
    if isinstance(output, Output):
        return _same_bytes(path, output.data)
    try:
        if path.stat().st_size != output.size:
            return False
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
        return digest.digest() == output.sha256
    except OSError:
        return False


def _stage(previous: Path, target: Path, data: bytes) -> bool:
    """Put ``data`` at ``target``, reusing ``previous`` (and its mtime) when it holds the same bytes.

    Returns True when the bytes changed.
    """
    if _same_bytes(previous, data):
        _link_or_copy(previous, target)
        return False
    target.write_bytes(data)
    return True


def _link_or_copy(source: str | Path, target: Path) -> None:
    """Hard-link ``source`` at ``target``, or copy it where a link is refused (another user's file under
    ``fs.protected_hardlinks``, another file system)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class _Spare:
    """The spare folder being brought up to date as the new site (see the module's docstring)."""

    def __init__(self, root: Path, out: Path, published: dict[str, FileStat] | None = None) -> None:
        self.root = root
        self.published = published if published is not None else site_files(out) or {}
        self.files, folders = _tree(root)
        self.folders = {root, *(root / f for f in folders)}
        self._parents_made: set[Path] = {root}
        self.renewed: set[str] = set()
        """Files not left as the published file they already were."""

    def _parent(self, target: Path) -> None:
        parent = target.parent
        if parent in self._parents_made:
            return
        # A file where a folder is now wanted (or a link to one): it goes, the folder comes.
        for folder in reversed([parent, *parent.parents]):
            if folder == self.root or not folder.is_relative_to(self.root):
                continue
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                folder.unlink()
            if folder not in self.folders:
                folder.mkdir(exist_ok=True)
                self.folders.add(folder)
        self._parents_made.add(parent)

    def _replace(self, target: Path, make: Callable[[Path], object]) -> None:
        self._parent(target)
        tmp = target.with_name(f".{target.name}.briefgen-tmp")
        tmp.unlink(missing_ok=True)
        make(tmp)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)  # a folder where a file is now wanted
        os.replace(tmp, target)

    def link(self, rel: str, source: str | Path) -> None:
        """Make ``rel`` the published file ``source`` itself (nothing to do when it already is)."""
        found = self.files.get(rel)
        wanted = self.published.get(rel)
        if found is not None and wanted is not None and found == wanted[2]:
            return
        self.place(rel, source)

    def place(self, rel: str, source: str | Path) -> None:
        """Make ``rel`` the file ``source`` (linked, else copied)."""
        self.renewed.add(rel)
        self._replace(self.root / rel, lambda tmp: _link_or_copy(source, tmp))

    def write(self, rel: str, data: bytes) -> None:
        self.renewed.add(rel)
        self._replace(self.root / rel, lambda tmp: tmp.write_bytes(data))

    def carry_link(self, rel: str, source: Path) -> None:
        self.renewed.add(rel)  # the spare's own link, never the published one
        target = self.root / rel
        if self.files.get(rel, 0) < 0 and os.readlink(target) == os.readlink(source):
            return
        self._replace(target, lambda tmp: os.symlink(os.readlink(source), tmp))

    def listing(self, keep: set[str], site: Path) -> dict[str, FileStat]:
        """The files ``keep`` names once this folder is the site ``site``: a file left as the published one
        is as the walk before found it; the others are looked at."""
        found: dict[str, FileStat] = {}
        for rel in keep:
            st = self.published.get(rel) if rel not in self.renewed else None
            if st is None:
                st = _file_stat(site / rel)
            if st is not None:
                found[rel] = st
        return found

    def remove_others(self, keep: set[str]) -> None:
        """Delete every file not in ``keep``, then the folders left empty."""
        for rel in self.files:
            if rel not in keep:
                # Gone already where a folder replaced a file (or a file a folder) on the way.
                with contextlib.suppress(FileNotFoundError, IsADirectoryError, NotADirectoryError):
                    (self.root / rel).unlink()
        for folder in sorted(self.folders, key=lambda f: len(f.parts), reverse=True):
            if folder != self.root:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only an empty one goes


def _make_spare(out: Path, spare: Path) -> None:
    """``spare`` as a copy of the site ``out`` (hard links); none where links cannot be made. Linked as the
    walk meets each file, no listing of them kept (300,000 paths at 20,000 briefings)."""
    folders: list[str] = []
    made = 0
    try:
        spare.mkdir(parents=True)
        for rel, entry in _walk(out, folders):
            for folder in folders[made:]:  # met before any file inside it
                (spare / folder).mkdir()
            made = len(folders)
            if entry.is_symlink():
                os.symlink(os.readlink(entry.path), spare / rel)
            else:
                os.link(entry.path, spare / rel)
        for folder in folders[made:]:
            (spare / folder).mkdir()
    except OSError:  # another file system, or no hard links: each publish stages afresh
        shutil.rmtree(spare, ignore_errors=True)


def _usable_spare(spare: Path | None, out: Path) -> bool:
    """A spare folder can become the site: it exists, and sits on the output folder's file system."""
    if spare is None or not out.is_dir() or spare.is_symlink() or not spare.is_dir():
        return False
    try:
        return spare.stat().st_dev == out.parent.stat().st_dev
    except OSError:
        return False


def publish(outputs: Iterable[Output | Kept | Spooled], out: Path, *, spare: Path | None = None,
            published: dict[str, FileStat] | None = None) -> WriteResult:
    """Write ``outputs`` as the complete new content of ``out``; a ``Kept`` output is the file it names
    (the published one), linked into the new site as it is; a ``Spooled`` one, the file it was written to.

    ``spare``: a folder to keep the retired site in, and to stage the next one from (see the module's
    docstring); it must be briefgen's own (a cache folder), since its files are replaced freely.
    ``published``: ``site_files(out)``, when the caller has just taken it (no second walk).

    Raises:
        OutputError: two outputs for one path, or a path escaping the folder.
    """
    out = out.resolve()  # a symlinked output folder: replace its target, keep the link
    recover(out)
    if spare is not None:
        spare = spare.resolve()
    incremental: _Spare | None = None
    if _usable_spare(spare, out):
        assert spare is not None
        staging = spare
        incremental = _Spare(spare, out, published)
    else:
        staging = _staging(out)
        staging.mkdir(parents=True)
    written = unchanged = 0
    paths: set[str] = set()
    folders: set[Path] = {staging}
    try:
        for output in outputs:
            rel = output.path
            if rel in paths:
                raise OutputError(f"two pages would be written to {rel}")
            parts = rel.split("/")
            if rel.startswith("/") or not _UNSAFE_PARTS.isdisjoint(parts):
                raise OutputError(f"refusing to write outside the output folder: {rel!r}")
            paths.add(rel)
            try:
                if incremental is not None:
                    if isinstance(output, Kept):
                        incremental.link(rel, output.source)
                        changed = False
                    elif isinstance(output, Spooled):
                        changed = not holds(out / rel, output)
                        if changed:
                            incremental.place(rel, output.file)
                        else:
                            incremental.link(rel, out / rel)
                    elif _same_bytes(out / rel, output.data):
                        incremental.link(rel, out / rel)
                        changed = False
                    else:
                        incremental.write(rel, output.data)
                        changed = True
                    written += changed
                    unchanged += not changed
                    continue
                target = staging / rel
                if target.parent not in folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    folders.add(target.parent)
                if isinstance(output, Kept):
                    _link_or_copy(output.source, target)
                    changed = False
                elif isinstance(output, Spooled):
                    changed = not holds(out / rel, output)
                    _link_or_copy(output.file if changed else out / rel, target)
                else:
                    changed = _stage(out / rel, target, output.data)
            except OSError as exc:  # a full disk or quota: a write error carries no file name
                raise OutputError(f"cannot write {quote_path(str(out / rel))}: {exc.strerror or exc}; "
                                  "nothing published") from None
            written += changed
            unchanged += not changed
        old_files = _manifest(out)
        foreign: set[str] = set()
        listed = incremental.published if incremental is not None else None
        for rel in _foreign_files(out, old_files, listed) if out.is_dir() else ():
            if rel in paths:
                continue  # a page briefgen writes now wins over a file of the same name
            foreign.add(rel)
            source, target = out / rel, staging / rel
            try:
                if incremental is not None:
                    if source.is_symlink():
                        incremental.carry_link(rel, source)
                    else:
                        incremental.link(rel, source)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.is_symlink():
                    os.symlink(os.readlink(source), target)
                else:
                    _link_or_copy(source, target)
            except OSError as exc:
                # The old site, and this file in it, stays in place: nothing is published rather than it lost.
                raise OutputError(f"cannot carry {quote_path(str(source))} into the new site: "
                                  f"{exc.strerror or exc}; nothing published") from None
        # Linked when unchanged, so the manifest keeps its modification time (a no-change build touches nothing).
        manifest = json.dumps(sorted(paths), indent=0).encode("utf-8")
        if incremental is not None:
            if _same_bytes(out / MANIFEST, manifest):
                incremental.link(MANIFEST, out / MANIFEST)
            else:
                incremental.write(MANIFEST, manifest)
                written += 1
            keep = paths | foreign | {MANIFEST}
            incremental.remove_others(keep)
        elif _stage(out / MANIFEST, staging / MANIFEST, manifest):
            written += 1
        removed = len(old_files - paths)
        _swap_in(staging, out, keep=spare)
        files = incremental.listing(keep, out) if incremental is not None else None
        if spare is not None and not spare.exists():
            _make_spare(out, spare)  # the first publish retired no site: the next one still stages from a copy
    except BaseException:
        if incremental is None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteResult(written, unchanged, removed, files)


def _manifest(out: Path) -> set[str]:
    try:
        return set(map(sys.intern, json.loads((out / MANIFEST).read_text(encoding="utf-8"))))
    except (OSError, ValueError, TypeError):  # TypeError: a manifest edited into something else than paths
        return set()


def _swap_in(staging: Path, out: Path, *, keep: Path | None = None) -> None:
    """Swap ``staging`` in as ``out``; the old site is kept as ``keep`` when given (deleted otherwise)."""
    for directory in (staging, out.parent):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    if out.exists() and _exchange(staging, out):
        _retire(staging, keep)  # now holds the old site
        return
    retired = _retired(out)
    if out.exists():
        os.rename(out, retired)  # a kill between these renames is undone by recover()
    os.rename(staging, out)
    _retire(retired, keep)


def _retire(old_site: Path, keep: Path | None) -> None:
    """The site just replaced: kept as the spare (on the same file system), or deleted."""
    if keep is not None and old_site != keep:
        try:
            shutil.rmtree(keep, ignore_errors=True)
            keep.parent.mkdir(parents=True, exist_ok=True)
            os.rename(old_site, keep)
            return
        except OSError:  # another file system: no spare
            pass
    if old_site != keep:
        shutil.rmtree(old_site, ignore_errors=True)


CACHE_TAG = "CACHEDIR.TAG"
_CACHE_TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This folder is briefgen's cache (https://bford.info/cachedir/): 'briefgen clean' may delete it.\n"
)
_CACHE_ENTRY = re.compile(r"^(?:[0-9a-f]{2}|sites|search|\.tmp-.*|CACHEDIR\.TAG)$")
"""What briefgen puts in its cache folder: extraction entries by key prefix, site records, search bundles."""


def mark_cache(cache_dir: Path) -> None:
    """Create the cache folder with its tag file: the mark that lets ``clean`` delete it (and tells backup
    tools to skip it)."""
    tag = cache_dir / CACHE_TAG
    if not tag.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        tag.write_text(_CACHE_TAG_TEXT, encoding="utf-8")


def _protects(folder: Path, precious: Iterable[Path]) -> Path | None:
    """The first precious path that ``folder`` is, or holds."""
    real = folder.resolve()
    for path in [Path("/"), Path.home(), *precious]:
        if path.resolve() == real or path.resolve().is_relative_to(real):
            return path
    return None


def clean_cache(cache_dir: Path, precious: Iterable[Path]) -> str:
    """Delete what briefgen made in ``cache_dir``: only a tagged folder (or one holding nothing but
    briefgen's entries), only its known entries, never a folder that is or holds a ``precious`` path.

    Returns what happened, for the user. Raises OutputError when the folder is not briefgen's to delete.
    """
    if not cache_dir.is_dir() or (cache_dir.is_symlink() and not (cache_dir / CACHE_TAG).is_file()):
        return ""
    shown = quote_path(str(cache_dir))
    if (protected := _protects(cache_dir, precious)) is not None:
        raise OutputError(f"not deleting the cache folder {shown}: it is or holds {quote_path(str(protected))}")
    names = os.listdir(cache_dir)
    if CACHE_TAG not in names and not all(_CACHE_ENTRY.match(n) for n in names):
        raise OutputError(f"not deleting {shown}: it has no {CACHE_TAG}, so briefgen did not make it")
    for name in names:
        if _CACHE_ENTRY.match(name):
            path = cache_dir / name
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
    left = os.listdir(cache_dir)
    if left:
        return f"{shown} (kept {len(left):,} file{'s' if len(left) != 1 else ''} briefgen did not make)"
    cache_dir.rmdir()
    return shown


def clean_output(out: Path, precious: Iterable[Path]) -> str:
    """Delete the files briefgen wrote in ``out`` (its manifest) and folders left empty; every other file
    (``CNAME``, files kept by ``build --force``) stays. Returns what happened, "" if nothing was briefgen's.
    """
    if not (out / MANIFEST).is_file():
        return ""
    shown = quote_path(str(out))
    if (protected := _protects(out, precious)) is not None:
        raise OutputError(f"not deleting the output folder {shown}: it is or holds {quote_path(str(protected))}")
    real = out.resolve()
    for rel in sorted(_manifest(out)):
        path = real / rel
        if ".." in Path(rel).parts or rel.startswith("/") or not path.parent.resolve().is_relative_to(real):
            continue  # a hand-edited manifest never reaches outside
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    (real / MANIFEST).unlink()
    for folder, _, _ in sorted(os.walk(real), key=lambda entry: -len(entry[0])):
        with contextlib.suppress(OSError):
            os.rmdir(folder)  # only empty ones go
    if real.exists():
        kept = sum(len(files) for _, _, files in os.walk(real))
        return f"{shown} (kept {kept:,} file{'s' if kept != 1 else ''} briefgen did not write)"
    return shown
