"""``briefgen serve``: build, serve from memory, watch, rebuild, and reload open pages.

The only module that imports watchdog. Pieces, each on its own thread:

- a watchdog observer turns file events into a pending change (templates < entities file < articles <
  config), ignoring
  editor temp files and the output and cache folders;
- the rebuild thread waits for a quiet window, then runs one incremental rebuild (``engine.LiveBuilder``); changes
  that arrive meanwhile fold into a single follow-up rebuild;
- a ``ThreadingHTTPServer`` serves the latest complete build from memory. A build replaces the previous one
  as a whole, so no request ever sees half of each; a failed build leaves the last good one in place and
  adds an error overlay;
- one thread per open page holds a server-sent-events stream: after each build the server compares the
  page that browser shows with its new output and sends ``reload`` only if it changed (``css`` if only the
  stylesheets did).

The reload script and overlay are injected into served HTML only; ``serve`` never writes the output folder.
"""

from __future__ import annotations

import contextlib
import html
import ipaddress
import json
import logging
import mimetypes
import os
import re
import signal
import socket
import threading
import time
import webbrowser
from collections import Counter
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from briefgen import search
from briefgen.build import NlpProvider
from briefgen.config import CONFIG_NAME, Config
from briefgen.engine import Change, LiveBuilder, Rebuild, Snapshot
from briefgen.errors import BriefgenError, RenderError
from briefgen.problems import Problem, problem_from_error
from briefgen.sources import ARTICLE_SUFFIXES

log = logging.getLogger(__name__)

QUIET_SECONDS = 0.1
"""How long files must stay unchanged before a rebuild starts: one editor save is several events."""
SETTLED_SECONDS = 0.015
"""The same after an event that ends a save (a file closed after writing, a file renamed into place): only
what follows at once (the editor's metadata events) can still belong to that save."""
KEEPALIVE_SECONDS = 5.0
EVENTS_PATH = "/__briefgen__/events"
ALL_INTERFACES = {"", "0.0.0.0", "::"}

# Editor temp and swap files: vim (.x.swp, x~, 4913), emacs (#x#, .#x), JetBrains, Chrome, partial downloads.
_IGNORED_NAME = re.compile(r"(^\.|~$|^#.*#$|\.sw[a-px]$|\.tmp$|^\d+$|___jb_\w+___$|\.crswap$|\.part$)")
# Events that say a file changed: 'closed' is a close after writing (reads, ours included, close with
# 'closed_no_write', and 'opened' fires on every read: both would loop).
_CHANGE_EVENTS = {"created", "modified", "deleted", "moved", "closed"}


# --- watching -------------------------------------------------------------------------------------------


def _under(path: str, folder: Path) -> bool:
    folder_s = str(folder)
    return path == folder_s or path.startswith(folder_s + os.sep)


def classify(path: str, config: Config, config_file: Path | None, *, is_directory: bool = False) -> Change | None:
    """What a change to ``path`` means for the site, or None if it does not matter."""
    path = os.path.abspath(path)
    if config_file is not None and path == str(config_file):
        return Change.CONFIG
    if path == str(config.entities):
        return Change.CURATION
    if _under(path, config.out) or _under(path, config.cache_dir):
        return None
    for folder, change in ((config.templates, Change.TEMPLATES), (config.source, Change.ARTICLES)):
        if not _under(path, folder):
            continue
        rel = os.path.relpath(path, folder)
        if rel != "." and any(_IGNORED_NAME.search(part) for part in rel.split(os.sep)):
            return None
        if change is Change.ARTICLES and not is_directory and rel != "." \
                and os.path.splitext(path)[1].lower() not in ARTICLE_SUFFIXES:
            return None
        return change
    return None


class PendingChanges:
    """Changes waiting for a rebuild, with the quiet-window debounce: ``quiet`` after the last event, or
    ``settled`` when that event ended a save (``add(..., settled=True)``)."""

    def __init__(self, quiet: float = QUIET_SECONDS, settled: float = SETTLED_SECONDS) -> None:
        self.quiet = quiet
        self.settled = min(settled, quiet)
        self._cond = threading.Condition()
        self._change: Change | None = None
        self._paths: set[str] = set()
        self._last = 0.0
        self._window = quiet
        self._closed = False

    def add(self, change: Change, path: str, *, settled: bool = False) -> None:
        """Note a change to ``path``; ``settled``: the event ends a save (closed after writing, renamed
        into place), so the rebuild need not wait the whole quiet window for more of it."""
        with self._cond:
            self._change = change if self._change is None else max(self._change, change)
            self._paths.add(path)
            self._last = time.monotonic()
            self._window = self.settled if settled else self.quiet
            self._cond.notify_all()

    def take(self) -> tuple[Change, set[str]] | None:
        """Block until changes have been quiet for the window; None once closed."""
        with self._cond:
            while not self._closed:
                if self._change is None:
                    self._cond.wait()
                    continue
                remaining = self._last + self._window - time.monotonic()
                if remaining > 0:
                    self._cond.wait(remaining)
                    continue
                batch = (self._change, self._paths)
                self._change, self._paths = None, set()
                return batch
            return None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class _EventHandler(FileSystemEventHandler):
    def __init__(self, server: DevServer) -> None:
        self.server = server

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGE_EVENTS:
            return
        if event.is_directory and event.event_type == "modified":
            return  # a file inside changed: that file has its own event
        # A rename counts at both ends: an atomic save renames a temp file (ignored) onto the real one. The
        # file it leaves (vim renames the old one away, then writes a new one) is not a finished save.
        moved_to = getattr(event, "dest_path", "")
        for raw, settled in ((event.src_path, event.event_type == "closed"), (moved_to, True)):
            if raw:
                path = os.fsdecode(raw)
                change = classify(path, self.server.config, self.server.config_file, is_directory=event.is_directory)
                if change is not None:
                    log.debug("change: %s %s", event.event_type, path)
                    self.server.pending.add(change, path, settled=settled)


# --- state shared by the request threads ----------------------------------------------------------------


class Hub:
    """The current build and problems; request threads wait here for the next one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.snapshot: Snapshot | None = None
        self.problems: tuple[Problem, ...] = ()
        self.generation = 0
        """Bumped whenever the build or the problems change."""
        self.closing = False
        self._viewers: Counter[str] = Counter()
        self._logged: set[str] = set()

    def publish(self, outcome: Rebuild) -> None:
        with self._cond:
            if outcome.snapshot is not None:
                self.snapshot = outcome.snapshot
            self._set_problems(tuple(dict.fromkeys(outcome.problems)))

    def add_problem(self, problem: Problem) -> None:
        """A page of the current build failed to render when asked for (after the build was accepted)."""
        with self._cond:
            if problem not in self.problems:
                self._set_problems((*self.problems, problem))

    def _set_problems(self, problems: tuple[Problem, ...]) -> None:
        # The terminal shows each error once, however many requests or rebuilds see it.
        shown = {str(p) for p in problems}
        for p in problems:
            if str(p) not in self._logged:
                log.error("error: %s", p)
        if self._logged and not shown:
            log.info("Fixed: serving build %d", self.snapshot.number if self.snapshot else 0)
        self._logged = shown
        self.problems = problems
        self.generation += 1
        self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self._cond:
            if self.generation == seen and not self.closing:
                self._cond.wait(timeout)
            return self.generation

    def close(self) -> None:
        with self._cond:
            self.closing = True
            self._cond.notify_all()

    def viewing(self, path: str, delta: int) -> None:
        with self._cond:
            self._viewers[path] += delta
            if self._viewers[path] <= 0:
                del self._viewers[path]

    def viewed(self) -> list[str]:
        with self._cond:
            return list(self._viewers)


# --- what the browser gets ------------------------------------------------------------------------------

_OVERLAY_STYLE = (
    "position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:2147483647;"
    "background:#fff5f5;color:#1a1a1a;border:2px solid #c00;border-radius:6px;padding:1rem;"
    "font:14px/1.4 system-ui,sans-serif;box-shadow:0 4px 24px rgba(0,0,0,.3)"
)

# Long template lines wrap (the offending expression may be far to the right), hanging under the text.
_EXCERPT_STYLE = ("margin:0;padding:.5rem;background:#fff;overflow:auto;white-space:pre-wrap;"
                  "overflow-wrap:anywhere;padding-left:8ch;text-indent:-8ch")

_CLIENT_JS = """(function () {
  "use strict";
  var me = document.currentScript, d = me.dataset;
  var state = {build: d.build, page: d.page, css: d.css, path: d.path};
  var source = null, retry = null;
  function url() {
    return "%(events)s?path=" + encodeURIComponent(state.path) + "&build=" + state.build +
      "&page=" + state.page + "&css=" + state.css;
  }
  function swapCss(hash) {
    state.css = hash;
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var old = links[i], u = new URL(old.href, location.href);
      if (u.origin !== location.origin) continue;
      u.searchParams.set("briefgen", hash);
      var next = old.cloneNode();
      next.href = u.href;
      next.onload = next.onerror = function (o) { return function () { o.remove(); }; }(old);
      old.after(next);  // the old sheet stays until the new one is in: no flash of unstyled page
    }
  }
  function showProblems(list) {
    var old = document.getElementById("briefgen-overlay");
    if (old) old.remove();
    if (!list.length) return;
    var box = document.createElement("div");
    box.id = "briefgen-overlay";
    box.setAttribute("role", "alert");
    box.style.cssText = %(style)s;
    var h = document.createElement("strong");
    h.textContent = "Build failed: showing the last good build. Fix the file and this page updates itself.";
    box.appendChild(h);
    list.forEach(function (p) {
      var where = document.createElement("p");
      where.style.margin = ".75rem 0 .25rem";
      var code = document.createElement("code");
      code.textContent = p.path ? p.path + (p.line ? ":" + p.line : "") : "";
      where.appendChild(code);
      where.appendChild(document.createTextNode(" " + p.message));
      box.appendChild(where);
      if (p.excerpt.length) {
        var pre = document.createElement("pre");
        pre.style.cssText = "%(pre)s";
        p.excerpt.forEach(function (e) {
          var line = document.createElement("div");
          line.textContent = String(e[0]).padStart(5) + (e[0] === p.line ? " > " : "   ") + e[1];
          if (e[0] === p.line) line.style.background = "#ffd7d7";
          pre.appendChild(line);
        });
        box.appendChild(pre);
      }
    });
    document.body.appendChild(box);
  }
  function disconnect() {
    if (source) { source.close(); source = null; }
  }
  function connect() {
    if (source || document.hidden) return;
    source = new EventSource(url());
    source.addEventListener("reload", function () { disconnect(); location.reload(); });
    source.addEventListener("css", function (e) { swapCss(e.data); });
    source.addEventListener("build", function (e) { state.build = e.data; });
    source.addEventListener("problems", function (e) { showProblems(JSON.parse(e.data)); });
    source.onerror = function () {
      // The browser's own retry would reuse the first URL and its stale build number.
      disconnect();
      clearTimeout(retry);
      retry = setTimeout(connect, 1000);
    };
  }
  // A hidden tab lets go of its connection (browsers allow about six per host) and catches up when shown.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) disconnect(); else connect();
  });
  window.addEventListener("pagehide", disconnect);
  connect();
})();"""


def client_script(snapshot_number: int, page: str, css: str, path: str) -> str:
    js = _CLIENT_JS % {"events": EVENTS_PATH, "style": json.dumps(_OVERLAY_STYLE), "pre": _EXCERPT_STYLE}
    attrs = " ".join(f'data-{k}="{html.escape(v)}"' for k, v in
                     (("build", str(snapshot_number)), ("page", page), ("css", css), ("path", path)))
    return f'<script id="briefgen-live" {attrs}>{js}</script>'


def overlay_html(problems: Iterable[Problem]) -> str:
    """The error overlay as served (the client script rebuilds the same thing when problems change)."""
    items = []
    for p in problems:
        where = f"{p.path}:{p.line}" if p.path and p.line else p.path
        mark = ' style="background:#ffd7d7"'
        lines = "".join(
            f'<div{mark if n == p.line else ""}>{str(n).rjust(5)}{" &gt; " if n == p.line else "   "}'
            f"{html.escape(text)}</div>"
            for n, text in p.excerpt
        )
        items.append(
            f'<p style="margin:.75rem 0 .25rem"><code>{html.escape(where)}</code> {html.escape(p.message)}</p>'
            + (f'<pre style="{_EXCERPT_STYLE}">{lines}</pre>' if lines else "")
        )
    if not items:
        return ""
    return (f'<div id="briefgen-overlay" role="alert" style="{_OVERLAY_STYLE}"><strong>Build failed: showing '
            f"the last good build. Fix the file and this page updates itself.</strong>{''.join(items)}</div>")


def problems_json(problems: Iterable[Problem]) -> str:
    return json.dumps([{"path": p.path, "line": p.line, "message": p.message, "excerpt": p.excerpt}
                       for p in problems], ensure_ascii=False)


def inject(page: bytes, extra: str) -> bytes:
    """``extra`` before the last ``</body>`` (or at the end): served pages only, never the built site."""
    at = page.lower().rfind(b"</body>")
    data = extra.encode("utf-8")
    return page + data if at < 0 else page[:at] + data + page[at:]


def content_type(path: str) -> str:
    kind, _ = mimetypes.guess_type(path)
    kind = kind or "application/octet-stream"
    if kind.startswith("text/") or kind in {"application/json", "application/xml", "application/javascript"}:
        kind += "; charset=utf-8"
    return kind


def site_path(raw: str, prefix: tuple[str, ...], pages: Any) -> tuple[str | None, bool]:
    """The site path for a request path, and whether it names a folder without its trailing slash.

    Returns (None, False) for a path that tries to leave the site; every '..' is refused, even encoded
    ones, rather than resolved, since no link on a generated site needs one.
    """
    decoded = unquote(raw, errors="strict")
    if "\x00" in decoded or "\\" in decoded:
        return None, False
    parts = decoded.split("/")
    if any(p == ".." for p in parts):
        return None, False
    segments = [p for p in parts if p not in ("", ".")]
    folder = decoded.endswith("/") or not segments

    def key(segs: list[str]) -> str:
        joined = "/".join(segs)
        return f"{joined}/index.html".lstrip("/") if folder else joined

    # The site is served at the root and under its published sub-path; a real page wins over the prefix.
    if prefix and tuple(segments[: len(prefix)]) == prefix and key(segments) not in pages:
        segments = segments[len(prefix):]
    path = key(segments)
    if not folder and path not in pages and f"{path}/index.html" in pages:
        return path, True
    return path, False


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    timeout = 10  # a client that connects and sends nothing does not hold a thread for long
    server_version = "briefgen"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.command not in ("GET", "HEAD"):
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"Only GET and HEAD\n", "text/plain; charset=utf-8",
                       {"Allow": "GET, HEAD"})
            return False
        host = self.headers.get("Host", "")
        if not self.server.allows_host(host):
            # A page on another site can point its own name at 127.0.0.1 (DNS rebinding) and read the
            # preview as same-origin; it cannot make the browser send a Host it does not own.
            self._plain(HTTPStatus.FORBIDDEN, f"host {host[:100]!r} is not allowed; start "
                        "'briefgen serve --allow-host NAME' to answer for another name")
            return False
        return True

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _plain(self, status: HTTPStatus, text: str) -> None:
        self._send(status, f"{status.value} {status.phrase}: {text}\n".encode(), "text/plain; charset=utf-8")

    def _dispatch(self) -> None:
        try:
            split = urlsplit(self.path)
            if split.path == EVENTS_PATH:
                self._events(parse_qs(split.query))
            else:
                self._page(split.path, split.query)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            pass  # the browser went away; nothing to tell it

    def _page(self, raw: str, query: str) -> None:
        hub = self.server.hub
        snapshot = hub.snapshot
        if not raw.startswith("/"):
            self._plain(HTTPStatus.BAD_REQUEST, "bad path")
            return
        if snapshot is None:  # the first build failed: show why, and reload when a build succeeds
            page = f"<!doctype html><title>Build error</title><body>{overlay_html(hub.problems)}"
            page += client_script(0, "none", "", raw.lstrip("/")) + "</body>"
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, page.encode(), "text/html; charset=utf-8")
            return
        try:
            path, redirect = site_path(raw, self.server.prefix(), snapshot.pages)
        except UnicodeDecodeError:
            path, redirect = None, False
        if path is None:
            self._plain(HTTPStatus.FORBIDDEN, "path outside the site")
            return
        if redirect:
                # Rebuilt from the decoded segments: never '//host' (an open redirect), never double-encoded.
            segments = [quote(s) for s in unquote(raw).split("/") if s]
            location = "/" + "/".join(segments) + "/" + (f"?{query}" if query else "")
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", {"Location": location})
            return
        if snapshot.config.search and path.startswith(search.INDEX_DIR + "/") and path not in snapshot.pages:
            data = self.server.search_index(snapshot).get(path)
            if data is not None:
                self._send(HTTPStatus.OK, data, content_type(path))
                return
        status, target = snapshot.pages.lookup(path)
        if target is None:
            self._plain(HTTPStatus.NOT_FOUND, "no such page")
            return
        body, shown = self._render(snapshot, target)
        if body is None:
            body = f"<!doctype html><title>Build error</title><body>{overlay_html(hub.problems)}</body>".encode()
            status, fingerprint = HTTPStatus.INTERNAL_SERVER_ERROR, "error"
        else:
            fingerprint = snapshot.pages.fingerprint(path) if shown is snapshot else "stale"
        kind = content_type(target)
        if kind.startswith("text/html"):
            extra = overlay_html(hub.problems) + client_script(snapshot.number, fingerprint, snapshot.css, path)
            if status == 404:
                # The 404 page's relative links are written for the site root; it is shown at other depths.
                root = "/" + "".join(f"{quote(s)}/" for s in self.server.prefix())
                body = body.replace(b"<head>", f'<head><base href="{root}">'.encode(), 1)
            body = inject(body, extra)
        self._send(status, body, kind)

    def _render(self, snapshot: Snapshot, target: str) -> tuple[bytes | None, Snapshot | None]:
        """The page from this build, else (it fails to render) from the build before, with the error shown."""
        tried: Snapshot | None = snapshot
        while tried is not None:
            try:
                return tried.pages.get(target), tried
            except RenderError as exc:
                if tried is snapshot:
                    self.server.hub.add_problem(problem_from_error(exc, snapshot.config.root))
            except KeyError:
                pass
            tried = tried.previous
        return None, None

    def _events(self, query: dict[str, list[str]]) -> None:
        """Server-sent events for one open page: reload / css / build / problems."""
        hub = self.server.hub

        def arg(name: str) -> str:
            return query.get(name, [""])[0]

        path, build, page, css = arg("path"), arg("build"), arg("page"), arg("css")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return

        def send(event: str, data: str) -> None:
            self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
            self.wfile.flush()

        hub.viewing(path, +1)
        try:
            self.wfile.write(b"retry: 1000\n\n")
            seen, shown_problems = -1, None
            while True:
                generation = hub.wait(seen, KEEPALIVE_SECONDS)
                if hub.closing:
                    return
                if generation == seen:
                    self.wfile.write(b": keepalive\n\n")  # also finds out when the browser has gone
                    self.wfile.flush()
                    continue
                seen = generation
                snapshot, problems = hub.snapshot, hub.problems
                if snapshot is not None and str(snapshot.number) != build:
                    try:
                        now = snapshot.pages.fingerprint(path)
                    except RenderError as exc:
                        hub.add_problem(problem_from_error(exc, snapshot.config.root))
                        now = page
                    if now != page:
                        send("reload", str(snapshot.number))
                        return
                    if snapshot.css != css:
                        css = snapshot.css
                        send("css", css)
                    build = str(snapshot.number)
                    send("build", build)
                if problems != shown_problems:
                    shown_problems = problems
                    send("problems", problems_json(problems))
        finally:
            hub.viewing(path, -1)


class _HTTPServer(ThreadingHTTPServer):
    # Non-daemon, tracked threads: server_close() joins every one, so none outlives the server.
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True
    request_queue_size = 1024
    """listen() backlog (the kernel caps it at somaxconn): socketserver's 5 stalls a page's parallel requests."""

    def __init__(self, address: tuple[str, int], hub: Hub, prefix: Callable[[], tuple[str, ...]],
                 allowed_hosts: Iterable[str] = ()) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.hub = hub
        self.prefix = prefix
        self._search: tuple[int, search.LiveIndex] | None = None
        self._search_lock = threading.Lock()
        self.host_names = {"localhost", *(n.lower().rstrip(".") for n in allowed_hosts)}
        if address[0] not in ALL_INTERFACES:
            self.host_names.add(address[0].lower().strip("[]"))

    def allows_host(self, header: str) -> bool:
        """Whether a request's Host header names this server: an IP address, ``localhost`` (and its
        sub-domains, which resolve to loopback), the bound name, or a name given with --allow-host."""
        name = header.strip().lower()
        if name.startswith("["):
            name = name[1:name.find("]")] if "]" in name else name
        elif name.count(":") == 1:
            name = name.rsplit(":", 1)[0]
        name = name.rstrip(".")
        if not name:
            return False
        try:
            ipaddress.ip_address(name)
            return True  # a rebinding page has a name, never an address: addresses are always safe
        except ValueError:
            pass
        return name in self.host_names or name.endswith(".localhost")

    def search_index(self, snapshot: Snapshot) -> search.LiveIndex:
        """The search index of ``snapshot``'s build (made on first use; see ``search.LiveIndex``)."""
        with self._search_lock:
            if self._search is None or self._search[0] != snapshot.number:
                # Its own owner in the bundle cache (not the output folder's), so serving never drops bundles
                # that `briefgen build` still uses.
                cache_dir = snapshot.config.cache_dir
                cache = search.BundleCache(cache_dir / "search", cache_dir / "serve")
                self._search = (snapshot.number, search.LiveIndex(snapshot.pages, cache))
            return self._search[1]


# --- the server -----------------------------------------------------------------------------------------


def url_prefix(config: Config) -> tuple[str, ...]:
    """The published sub-path (``/news/`` of ``https://example.org/news/``) as segments."""
    return tuple(s for s in urlsplit(config.base_url).path.split("/") if s)


class DevServer:
    """Builds once, then serves and rebuilds until stopped. Usable as a context manager (tests do)."""

    def __init__(
        self,
        config: Config,
        *,
        load_config: Callable[[], Config] | None = None,
        config_file: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 8000,
        poll: bool = False,
        nlp: NlpProvider | None = None,
        quiet: float = QUIET_SECONDS,
        allowed_hosts: Iterable[str] = (),
    ) -> None:
        self.config = config
        self.allowed_hosts = tuple(allowed_hosts)
        self.config_file = (config_file or config.root / CONFIG_NAME).resolve()
        self.host, self.port, self.poll = host, port, poll
        self.builder = LiveBuilder(load_config or (lambda: config), nlp=nlp or NlpProvider(config.model))
        self.pending = PendingChanges(quiet)
        self.hub = Hub()
        self._httpd: _HTTPServer | None = None
        self._observer: Any = None
        self._watched: dict[str, Any] = {}
        self._warned: set[str] = set()
        self._http_thread: threading.Thread | None = None
        self._rebuilder: threading.Thread | None = None
        self.on_rebuild: Callable[[Rebuild], None] | None = None
        """Called after each rebuild (the benchmark listens here)."""

    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        if self.host in ALL_INTERFACES:
            host = "127.0.0.1" if self._httpd.address_family == socket.AF_INET else "::1"
        name = str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/" + "".join(f"{quote(s)}/" for s in url_prefix(self.config))

    def start(self) -> Rebuild:
        """Build, then start watching and serving. Returns the first build's outcome."""
        log.info("Building %s", self.config.root)
        first = self._rebuild(Change.CONFIG, set())
        self._httpd = _HTTPServer((self.host, self.port), self.hub, lambda: url_prefix(self.config), self.allowed_hosts)
        self._observer = PollingObserver(timeout=0.5) if self.poll else Observer()
        self._watch()
        self._observer.start()
        self._http_thread = threading.Thread(target=self._httpd.serve_forever, name="briefgen-http")
        self._http_thread.start()
        self._rebuilder = threading.Thread(target=self._rebuild_loop, name="briefgen-rebuild")
        self._rebuilder.start()
        return first

    def stop(self) -> None:
        """Finish the rebuild in progress, stop watching, close every connection; idempotent."""
        self.pending.close()
        if self._rebuilder is not None:
            self._rebuilder.join()
            self._rebuilder = None
        if self._observer is not None:
            self._observer.stop()
            # Its threads are daemons: one stuck in an inotify read must not keep Ctrl-C from ending serve.
            self._observer.join(timeout=5)
            self._observer = None
        self.hub.close()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()  # joins the request threads (event streams end on hub.close)
            self._httpd = None
        if self._http_thread is not None:
            self._http_thread.join()
            self._http_thread = None

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _watch(self) -> None:
        """Watch the config's folders (again after a config change moves them). Never the output or cache."""
        wanted: dict[str, bool] = {}
        for folder, recursive in ((self.config.source, True), (self.config.templates, True),
                                  (self.config_file.parent, False), (self.config.root, False),
                                  (self.config.entities.parent, False)):
            wanted[str(folder)] = wanted.get(str(folder), False) or recursive
        for path in list(self._watched):
            if path not in wanted or not os.path.isdir(path):
                with contextlib.suppress(KeyError):  # already gone with its folder
                    self._observer.unschedule(self._watched.pop(path))
        handler = _EventHandler(self)
        for path, recursive in wanted.items():
            if path not in self._watched and os.path.isdir(path):
                # A missing folder is picked up later through the root watch (its creation is a change).
                self._watched[path] = self._observer.schedule(handler, path, recursive=recursive)

    def _rebuild(self, change: Change, paths: set[str]) -> Rebuild:
        outcome = self.builder.rebuild(change, paths, probe=self.hub.viewed())
        if self.builder.config is not None:
            self.config = self.builder.config
        for warning in outcome.warnings:
            if warning not in self._warned:  # each warning once per server, not once per rebuild
                self._warned.add(warning)
                log.warning("%s", warning)
        if outcome.snapshot is not None:
            log.info("Build %d (%s%s) in %.2f s", outcome.snapshot.number, outcome.change.name.lower(),
                     f", {outcome.extracted} extracted" if outcome.extracted else "", outcome.seconds)
        self.hub.publish(outcome)
        return outcome

    def _rebuild_loop(self) -> None:
        while (batch := self.pending.take()) is not None:
            try:
                outcome = self._rebuild(*batch)
                self._watch()
            except Exception:  # a bug must not kill live preview: report it and keep serving the last build
                log.exception("rebuild failed unexpectedly")
                continue
            if self.on_rebuild is not None:
                self.on_rebuild(outcome)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM (a process manager, ``docker stop``) both stop the server cleanly.

    Set explicitly: a process started in the background by a non-interactive shell inherits SIGINT as
    ignored, and Python then leaves it ignored, so Ctrl-C (or ``kill -INT``) would do nothing.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _interrupt)


def serve(
    config: Config,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    poll: bool = False,
    load_config: Callable[[], Config] | None = None,
    config_file: Path | None = None,
    allowed_hosts: Iterable[str] = (),
) -> int:
    """Serve ``config``'s site with live reload until Ctrl-C or SIGTERM. Returns the exit code."""
    _stop_on_signals()
    server = DevServer(config, load_config=load_config, config_file=config_file, host=host, port=port, poll=poll,
                       allowed_hosts=allowed_hosts)
    try:
        try:
            first = server.start()
        except OSError as exc:
            raise BriefgenError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
        if first.snapshot is None:
            log.warning("The first build failed; fix the error and the site appears by itself")
        if host in ALL_INTERFACES:
            log.warning("warning: serving on all interfaces: anyone who can reach this machine can read the site")
        log.info("Serving %s at %s (Ctrl-C to stop); nothing is written to %s",
                 config.root, server.url, config.out)
        if open_browser:
            webbrowser.open(server.url)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        log.info("Stopping")
        return 0
    finally:
        server.stop()
