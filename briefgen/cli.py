"""Command line: parse arguments, call one core function, report, return an exit code. No logic here."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from briefgen import __version__
from briefgen.config import describe_settings, load_config
from briefgen.errors import BriefgenError, Diagnostic, Severity, describe_os_error

log = logging.getLogger("briefgen")


class ProgressBar:
    """A one-line progress bar on a terminal; occasional plain lines otherwise. Silent for small builds."""

    MIN_ITEMS = 20

    def __init__(self, stream: TextIO = sys.stderr, enabled: bool = True) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = stream.isatty()
        self.started = time.perf_counter()
        self.last_line = -1.0
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.MIN_ITEMS:
            return
        now = time.perf_counter()
        if self.tty:
            width = 30
            filled = int(width * done / total)
            elapsed = now - self.started
            rate = done / elapsed if elapsed > 0 else 0
            line = f"\rextracting [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {rate:.1f} articles/s"
            self.stream.write(line)
            self.drawn = True
            if done >= total:
                self.finish()
        elif done >= total or now - self.last_line >= 5:
            self.stream.write(f"extracting: {done}/{total} articles\n")
            self.last_line = now
        self.stream.flush()

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.drawn = False


def _report(diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        (log.error if d.severity is Severity.ERROR else log.warning)("%s", d)


def _config_from(args: argparse.Namespace) -> Any:
    return load_config(
        args.config,
        source=getattr(args, "source", None),
        templates=getattr(args, "templates", None),
        out=getattr(args, "out", None),
        base_url=getattr(args, "base_url", None),
        executor=getattr(args, "executor", None),
        dask_scheduler=getattr(args, "dask_scheduler", None),
    )


def cmd_build(args: argparse.Namespace) -> int:
    from briefgen.build import build

    config = _config_from(args)
    bar = ProgressBar(enabled=not args.quiet)
    try:
        result = build(config, progress=bar, force=args.force, allow_empty=args.allow_empty, drafts=args.drafts,
                       verify=args.verify)
    finally:
        bar.finish()
    _report(result.diagnostics)
    log.debug("seconds per stage: %s", ", ".join(f"{k} {v:.2f}" for k, v in result.stages.items()))
    log.debug("outputs rendered: %d; unchanged, kept as published: %d", result.rendered, result.kept)
    failed = bool(result.errors) or (args.strict and bool(result.warnings))
    print(
        f"{'Built with problems' if failed else 'Built'}: {_count(result.articles, 'article')}, "
        f"{_count(result.pages, 'page')} ({_count(result.written, 'file')} written) in {config.out} "
        f"in {result.seconds:.1f} s; {result.extracted} extracted, {result.cached} from cache, "
        f"{_count(len(result.errors), 'error')}, {_count(len(result.warnings), 'warning')}"
        + (f"; {_count(result.drafts, 'draft')} left out (--drafts builds them)" if result.drafts else ""),
        file=sys.stderr if args.quiet else sys.stdout,
    )
    return 1 if failed else 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def cmd_inspect(args: argparse.Namespace) -> int:
    from briefgen.engine import inspect

    config = load_config(args.config)
    records, diagnostics = inspect(config, args.paths)
    for record in records:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    _report(diagnostics)
    return 1 if any(d.severity is Severity.ERROR for d in diagnostics) else 0


def cmd_entities(args: argparse.Namespace) -> int:
    from briefgen.build import BuildResult, NlpProvider
    from briefgen.curation import load_curation
    from briefgen.engine import Engine, load_state
    from briefgen.entities import suggestions
    from briefgen.graph import resolve_curated

    config = _config_from(args)
    result = BuildResult()
    # The engine's reading and extraction, from the last build's state: only changed files are read again.
    # The state is left as it is (this command publishes nothing).
    briefings = Engine(load_state(config)).briefings(config, NlpProvider(config.model), result, drafts=False)
    curation = load_curation(config.entities, config.root)
    result.diagnostics.extend(curation.problems)
    ordered, resolution = resolve_curated(briefings, curation)
    if args.suggest:
        sys.stdout.write(suggestions(resolution) or "# nothing the resolver was unsure of\n")
    else:
        counts: dict[str, int] = {}
        for b, page in zip(ordered, resolution.pages):
            for slug in {page.get(a.slug, a.slug) for a in b.actors}:
                counts[slug] = counts.get(slug, 0) + 1
        for slug in sorted(counts, key=lambda s: (-counts[s], s)):
            print(f"{slug}\t{resolution.kinds[slug].value}\t{counts[slug]}\t{resolution.names[slug]}")
    _report(result.diagnostics)
    return 1 if result.errors else 0


def cmd_init(args: argparse.Namespace) -> int:
    from briefgen.project import init_project

    folder = Path(args.dir)
    init_project(folder)
    print(f"Created a briefgen project in {folder}: add articles to {folder / 'seeds'}, then run "
          f"'cd {folder} && briefgen build'")
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    from briefgen.write import clean_cache, clean_output

    config = load_config(args.config)
    # Never a folder holding what the user wrote, whatever the settings say.
    precious = [config.root, config.source, config.templates, config.entities]
    outcomes = (clean_output(config.out, precious), clean_cache(config.cache_dir, precious))
    removed = [shown for shown in outcomes if shown]
    print("Removed " + ", ".join(removed) if removed else "Nothing to remove")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from briefgen.serve import serve

    config = _config_from(args)
    if not 0 <= args.port <= 65535:
        raise BriefgenError(f"--port {args.port}: a port is 0 to 65535 (0 picks a free one)")
    return serve(config, host=args.host, port=args.port, open_browser=args.open, poll=args.poll,
                 load_config=lambda: _config_from(args), config_file=args.config, allowed_hosts=args.allow_host)


class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time (so redirection and test capture work)."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(self.format(record) + "\n")


def _setup_logging(verbose: bool) -> None:
    logger = logging.getLogger("briefgen")
    for handler in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefgen",
        description="Turn news articles into a static, cross-linked site of incident briefings.",
        epilog="Run 'briefgen COMMAND --help' for a command's options. Settings (briefgen.toml):\n"
        + describe_settings(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug output and tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add_parser(name: str, **kwargs: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, **kwargs)
        # Global options work after the command too (briefgen build --verbose); SUPPRESS keeps a global
        # one given before the command from being reset by the subcommand's default.
        p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                       help="show debug output and tracebacks")
        return p

    def common(p: argparse.ArgumentParser, paths: bool = True) -> None:
        p.add_argument("--config", type=Path, help="config file (default: ./briefgen.toml if present)")
        if paths:
            p.add_argument("--source", type=Path, help="folder of articles (default: seeds)")
            p.add_argument("--templates", type=Path, help="folder of templates (default: templates)")
            p.add_argument("--out", type=Path, help="output folder (default: site)")
            p.add_argument("--base-url", help="absolute URL the site is published at (feeds, sitemap)")

    b = add_parser("build", help="build the site from the articles", description=(
        "Read every article in the source folder, extract summary, actors, quotes and context with spaCy "
        "(cached per article), and publish the site atomically into the output folder."))
    common(b)
    b.add_argument("--strict", action="store_true", help="fail (exit 1) on warnings too")
    b.add_argument("--force", action="store_true",
                   help="build into a non-empty folder briefgen did not create (its files are kept)")
    b.add_argument("--allow-empty", action="store_true",
                   help="publish even if no article was read while the published site has briefings")
    b.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
    b.add_argument("--verify", action="store_true",
                   help="render every page, and fail (one line per page) if a page the incremental build "
                        "judged unchanged differs from its fresh render")
    b.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    b.add_argument("--executor", choices=["local", "dask"],
                   help="where extraction runs (default: the executor setting, else local)")
    b.add_argument("--dask-scheduler", metavar="ADDRESS",
                   help="dask scheduler address, e.g. tcp://host:8786 (with --executor dask; default: a local "
                        "cluster)")
    b.set_defaults(func=cmd_build)

    s = add_parser("serve", help="build, serve and rebuild on every change (live reload)", description=(
        "Build the site, serve it on a local port and rebuild when articles, templates or the config "
        "change; open pages reload themselves."))
    common(s)
    s.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    s.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer requests for this host name (repeatable); localhost, IP addresses and "
                        "the --host name always work")
    s.add_argument("--open", action="store_true", help="open the site in a browser")
    s.add_argument("--poll", action="store_true", help="poll for changes (network and container mounts)")
    s.set_defaults(func=cmd_serve)

    i = add_parser("inspect", help="print each article's briefing as JSON Lines", description=(
        "Print one JSON object per article (folders expanded in sorted order): slug, title, date, source, "
        "summary, actors, quotes (with character offsets into the file) and context."))
    i.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders")
    common(i, paths=False)
    i.set_defaults(func=cmd_inspect)

    e = add_parser("entities", help="list the actor pages, or suggest entities.toml entries", description=(
        "List every actor page (slug, kind, briefings, name) as the build makes them; with --suggest, print "
        "the merges and splits the entity resolution was unsure of, with their evidence, as entities.toml "
        "entries ready to paste."))
    common(e)
    e.add_argument("--suggest", action="store_true", help="print unsure merges and splits as entities.toml entries")
    e.set_defaults(func=cmd_entities)

    n = add_parser("init", help="create a new project folder", description=(
        "Create DIR with seeds/ (an example article), templates/ (an editable copy of the default theme) "
        "and a documented briefgen.toml."))
    n.add_argument("dir", metavar="DIR", help="folder to create")
    n.set_defaults(func=cmd_init)

    c = add_parser("clean", help="remove the output folder and the extraction cache")
    common(c, paths=False)
    c.set_defaults(func=cmd_clean)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    _setup_logging(args.verbose)
    try:
        return int(args.func(args))
    except BriefgenError as exc:
        for line in str(exc).splitlines() or [""]:
            log.error("error: %s", line)
        return 1
    except OSError as exc:
        # The environment, not briefgen: a full disk, a read-only or missing folder, a refused port.
        if args.verbose:
            log.debug("traceback", exc_info=True)
        log.error("error: %s", describe_os_error(exc))
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.verbose:
            raise
        log.error("internal error: %s: %s (please report it; --verbose shows the traceback)", type(exc).__name__, exc)
        return 2
