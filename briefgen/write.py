"""Publish rendered outputs as a whole: stage beside the old site, then swap it in atomically.

Unchanged files are hard-linked from the previous site, so they keep their modification time and hosting
sync tools see only real changes. A ``kill -9`` at any moment leaves either the old site or the new one.
briefgen deletes only files it owns (listed in the manifest): anything else found in the output folder,
such as a CNAME file, is carried into every new site.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import OutputError
from briefgen.render import Output

log = logging.getLogger(__name__)

MANIFEST = ".briefgen-manifest.json"
"""Lists the files briefgen wrote; marks the folder as briefgen's to replace."""
_RENAME_EXCHANGE = 2


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: int
    """Files whose bytes changed (new or different)."""
    unchanged: int
    removed: int


def _staging(out: Path) -> Path:
    return out.parent / f".{out.name}.staging"


def _retired(out: Path) -> Path:
    return out.parent / f".{out.name}.old"


def check_output_folder(
    out: Path, *, forbidden: Iterable[Path] = (), inputs: Iterable[Path] = (), force: bool = False
) -> None:
    """Refuse folders briefgen must never replace. Symlinks are resolved first.

    ``forbidden`` folders (project root, cache) must not be or lie inside the output folder; ``inputs``
    (source, templates) must not overlap it at all: an output inside them would be read back as input.

    Raises:
        OutputError: for /, the home folder, a protected project folder, or a non-empty folder that
            briefgen did not create (unless ``force``: that only waives the last check).
    """
    resolved = out.resolve()
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


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """Only one build per output folder at a time."""
    real = out.resolve()  # one lock for every path that names the same folder
    real.parent.mkdir(parents=True, exist_ok=True)
    path = real.parent / f".{real.name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
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


def _foreign_files(out: Path, owned: set[str]) -> Iterator[str]:
    """Files (and symlinks) in ``out`` that briefgen did not write: never deleted."""
    for folder, dirs, files in os.walk(out):
        base = Path(folder)
        links = [d for d in dirs if (base / d).is_symlink()]  # os.walk does not enter them: carry the link
        for name in sorted([*files, *links]):
            rel = (base / name).relative_to(out).as_posix()
            if rel not in owned and rel != MANIFEST:
                yield rel


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _stage(previous: Path, target: Path, data: bytes) -> bool:
    """Put ``data`` at ``target``, reusing ``previous`` (and its mtime) when it holds the same bytes.

    Returns True when the bytes changed.
    """
    if _same_bytes(previous, data):
        try:
            os.link(previous, target)
        except OSError:
            shutil.copy2(previous, target)
        return False
    target.write_bytes(data)
    return True


def publish(outputs: Iterable[Output], out: Path) -> WriteResult:
    """Write ``outputs`` as the complete new content of ``out``.

    Raises:
        OutputError: two outputs for one path, or a path escaping the folder.
    """
    out = out.resolve()  # a symlinked output folder: replace its target, keep the link
    recover(out)
    staging = _staging(out)
    staging.mkdir(parents=True)
    written = unchanged = 0
    paths: set[str] = set()
    try:
        for output in outputs:
            rel = output.path
            if rel in paths:
                raise OutputError(f"two pages would be written to {rel}")
            parts = rel.split("/")
            if rel.startswith("/") or any(p in {"", ".", ".."} for p in parts):
                raise OutputError(f"refusing to write outside the output folder: {rel!r}")
            paths.add(rel)
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if _stage(out / rel, target, output.data):
                written += 1
            else:
                unchanged += 1
        old_files = _manifest(out)
        for rel in _foreign_files(out, old_files) if out.is_dir() else ():
            if rel in paths:
                continue  # a page briefgen writes now wins over a file of the same name
            source, target = out / rel, staging / rel
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.is_symlink():
                    os.symlink(os.readlink(source), target)
                else:
                    os.link(source, target)
            except OSError as exc:
                log.warning("%s: not kept in the new site: %s", source, exc.strerror or exc)
        # Through _stage so an unchanged manifest keeps its modification time (a no-change build touches nothing).
        if _stage(out / MANIFEST, staging / MANIFEST, json.dumps(sorted(paths), indent=0).encode("utf-8")):
            written += 1
        removed = len(old_files - paths)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteResult(written, unchanged, removed)


def _manifest(out: Path) -> set[str]:
    try:
        return set(json.loads((out / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def _swap_in(staging: Path, out: Path) -> None:
    for directory in (staging, out.parent):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    if out.exists() and _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the old site
        return
    retired = _retired(out)
    if out.exists():
        os.rename(out, retired)  # a kill between these renames is undone by recover()
    os.rename(staging, out)
    shutil.rmtree(retired, ignore_errors=True)
