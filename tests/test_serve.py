"""The dev server over real sockets: reload events after each kind of save, errors, safety, clean stop."""

from __future__ import annotations

import http.client
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from briefgen.build import NlpProvider, build
from briefgen.config import Config, load_config
from watchdog.events import FileClosedEvent, FileMovedEvent

from briefgen.engine import Change, Rebuild
from briefgen.render import default_theme_dir
from briefgen.serve import EVENTS_PATH, DevServer, PendingChanges, _EventHandler

from browsing import CHROMIUM, chromium
from conftest import REPO, make_project

EVENT_TIMEOUT = 20.0


@pytest.fixture(scope="session")
def serve_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One extraction cache for every server in this module: each article text goes through spaCy once."""
    return tmp_path_factory.mktemp("serve-cache")


def new_project(root: Path) -> Path:
    make_project(root)
    shutil.copytree(default_theme_dir(), root / "templates")
    return root


class Served:
    """A running DevServer on a free port, with helpers to talk to it as a browser would."""

    def __init__(self, server: DevServer, root: Path) -> None:
        self.server = server
        self.root = root
        split = urlsplit(server.url)
        self.host, self.port = split.hostname or "127.0.0.1", split.port or 80
        self.builds: list[int] = []
        self.outcomes: list[Rebuild] = []
        self.built = threading.Condition()
        server.on_rebuild = self._rebuilt

    def _rebuilt(self, outcome: Rebuild) -> None:
        with self.built:
            self.outcomes.append(outcome)
            self.builds.append(outcome.snapshot.number if outcome.snapshot else -1)
            self.built.notify_all()

    def wait_for_builds(self, count: int, timeout: float = 10.0) -> list[int]:
        """The rebuild numbers once at least ``count`` rebuilds have been reported (the event may come first)."""
        with self.built:
            self.built.wait_for(lambda: len(self.builds) >= count, timeout=timeout)
            return list(self.builds)

    def request(self, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        """Sends ``path`` exactly as given (http.client does not normalise it)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request(method, path)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, str]:
        status, _, body = self.request("GET", path)
        return status, body.decode("utf-8")

    def raw(self, request_line: str) -> bytes:
        """A hand-written request on a bare socket, for paths no client library would send."""
        with socket.create_connection((self.host, self.port), timeout=10) as sock:
            sock.sendall(f"{request_line}\r\nHost: {self.host}:{self.port}\r\n\r\n".encode("latin-1"))
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def stream(self, path: str) -> EventStream:
        """Open the event stream a page served at ``path`` would open."""
        status, page = self.get(path)
        state = dict(re.findall(r'data-(build|page|css|path)="([^"]*)"', page))
        return EventStream(self, state)


class EventStream:
    def __init__(self, served: Served, state: dict[str, str]) -> None:
        self.state = state
        self.conn = http.client.HTTPConnection(served.host, served.port, timeout=EVENT_TIMEOUT)
        self.conn.request("GET", EVENTS_PATH + "?" + urlencode(state))
        self.resp = self.conn.getresponse()
        assert self.resp.status == 200
        assert self.resp.getheader("Content-Type", "").startswith("text/event-stream")

    def next(self, deadline: float) -> tuple[str, str]:
        event, data = "", ""
        while time.monotonic() < deadline:
            line = self.resp.fp.readline().decode("utf-8")
            if not line:
                raise EOFError("stream closed")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and event:
                return event, data
        raise TimeoutError(f"no event within {EVENT_TIMEOUT} s")

    def until(self, *names: str) -> tuple[str, str]:
        """The next event among ``names``, skipping others; fails after EVENT_TIMEOUT (keepalives included)."""
        deadline = time.monotonic() + EVENT_TIMEOUT
        while True:
            event, data = self.next(deadline)
            if event in names:
                return event, data

    def close(self) -> None:
        self.conn.close()


@pytest.fixture()
def served(tmp_path: Path, nlp_provider: NlpProvider, serve_cache: Path) -> Iterator[Served]:
    root = new_project(tmp_path / "project")
    load = lambda: load_config(root=root, cache_dir=str(serve_cache), n_process=1)  # noqa: E731
    server = DevServer(load(), load_config=load, nlp=nlp_provider, port=0)
    server.start()
    try:
        yield Served(server, root)
    finally:
        server.stop()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_template_edit_reloads_the_page_with_the_new_text(served: Served):
    events = served.stream("/")
    edit(served.root / "templates" / "base.html", "built with briefgen", "made live with briefgen")
    assert events.until("reload", "build")[0] == "reload"
    status, page = served.get("/")
    assert status == 200 and "made live with briefgen" in page


def test_atomic_save_by_rename_reloads(served: Served):
    events = served.stream("/briefings/storm-port.html")
    target = served.root / "templates" / "base.html"
    text = target.read_text(encoding="utf-8").replace("built with briefgen", "saved atomically")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".base.html.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, target)
    assert events.until("reload", "build")[0] == "reload"
    assert "saved atomically" in served.get("/briefings/storm-port.html")[1]


def test_delete_and_recreate_reloads(served: Served):
    events = served.stream("/")
    target = served.root / "templates" / "base.html"
    text = target.read_text(encoding="utf-8")
    target.unlink()
    target.write_text(text.replace("built with briefgen", "recreated"), encoding="utf-8")
    assert events.until("reload", "build")[0] == "reload"
    assert "recreated" in served.get("/")[1]


def test_article_edit_reloads_its_page_and_not_an_unchanged_one(served: Served):
    edited = served.stream("/briefings/storm-port.html")
    other = served.stream("/briefings/canada-balloon.html")
    edit(served.root / "seeds" / "storm-port.md", "Read the [full forecast]", "Read the [whole forecast]")
    assert edited.until("reload", "build")[0] == "reload"
    assert other.until("reload", "build")[0] == "build"  # told the build number, not reloaded
    assert "whole forecast" in served.get("/briefings/storm-port.html")[1]


def test_css_change_swaps_stylesheets_without_reloading(served: Served):
    events = served.stream("/")
    with (served.root / "templates" / "static" / "style.css").open("a", encoding="utf-8") as f:
        f.write("\nbody { outline: 1px solid red; }\n")
    assert events.until("reload", "css")[0] == "css"
    status, headers, body = served.request("GET", "/assets/style.css")
    assert b"outline: 1px solid red" in body and headers["content-type"].startswith("text/css")


def test_editor_temp_files_and_output_do_not_rebuild(served: Served):
    before = served.server.hub.snapshot.number
    templates, seeds = served.root / "templates", served.root / "seeds"
    for junk in (templates / ".base.html.swp", templates / "base.html~", templates / "4913",
                 seeds / "#storm-port.md#", seeds / ".~lock.x.txt#", seeds / "notes.docx"):
        junk.write_text("junk", encoding="utf-8")
    (served.root / "site").mkdir()
    (served.root / "site" / "index.html").write_text("x", encoding="utf-8")
    time.sleep(1.0)  # well past the quiet window: a rebuild, had one been triggered, would have run
    events = served.stream("/")
    edit(templates / "base.html", "built with briefgen", "after junk")
    assert events.until("reload", "build")[0] == "reload"
    assert served.wait_for_builds(1) == [before + 1]
    time.sleep(0.5)
    assert served.builds == [before + 1]  # and no second one from the junk files


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_broken_template_keeps_last_good_site_with_overlay_until_fixed(served: Served):
    terminal = Lines()
    logging.getLogger("briefgen.serve").addHandler(terminal)
    try:
        events = served.stream("/")
        base = served.root / "templates" / "base.html"
        good = base.read_text(encoding="utf-8")
        edit(base, "<main id=\"main\" class=\"wrap\">", "<main id=\"main\" class=\"wrap\">{% if %}")
        event, data = events.until("problems")
        while data == "[]":
            event, data = events.until("problems")
        assert "templates/base.html" in data and '"line": ' in data
        status, page = served.get("/")
        assert status == 200
        assert 'id="briefgen-overlay"' in page and "templates/base.html:" in page
        assert "{% if %}" in page  # the excerpt shows the offending line (escaped text, not markup)
        assert "built with briefgen" in page  # the last good build is still what is served
        for _ in range(3):
            served.get("/")
        assert len([line for line in terminal.lines if "templates/base.html" in line]) == 1

        base.write_text(good, encoding="utf-8")
        assert events.until("problems") == ("problems", "[]")
        assert 'id="briefgen-overlay"' not in served.get("/")[1]
    finally:
        logging.getLogger("briefgen.serve").removeHandler(terminal)


def test_broken_article_is_reported_and_its_last_good_version_kept(served: Served):
    events = served.stream("/briefings/storm-port.html")
    article = served.root / "seeds" / "storm-port.md"
    good = article.read_text(encoding="utf-8")
    article.write_text(good.replace("date: 2024-01-17", "date: someday"), encoding="utf-8")
    event, data = events.until("problems")
    while data == "[]":
        event, data = events.until("problems")
    assert "seeds/storm-port.md" in data
    status, page = served.get("/briefings/storm-port.html")
    assert status == 200 and "Storm closes Baltic ferry routes" in page and "briefgen-overlay" in page
    article.write_text(good, encoding="utf-8")
    assert events.until("problems") == ("problems", "[]")


def most_mentioned(served: Served):
    return max(served.server.hub.snapshot.site.entities.values(), key=lambda e: (e.mention_count, e.slug))


def curate(served: Served, text: str) -> None:
    (served.root / "entities.toml").write_text(text, encoding="utf-8")


def problems_naming(events: EventStream, text: str) -> str:
    """The first problems event that mentions ``text`` (a new stream first reports the problems as they are)."""
    while True:
        _, data = events.until("problems")
        if text in data:
            return data


def test_entities_file_edit_reloads_the_entity_page_without_extracting(served: Served):
    entity = most_mentioned(served)
    page = f"/entities/{entity.slug}.html"
    assert "Curated from the editor" not in served.get(page)[1]
    events = served.stream(page)
    curate(served, f'[entity."{entity.name}"]\ndescription = "Curated from the *editor*."\n')
    assert events.until("reload", "build")[0] == "reload"
    served.wait_for_builds(1)
    assert served.outcomes[0].extracted == 0  # the graph was rebuilt from the briefings in memory
    status, body = served.get(page)
    assert status == 200 and "Curated from the <em>editor</em>." in body

    events = served.stream(page)
    curate(served, f'ignore = ["{entity.name}"]\n')
    assert events.until("reload", "build")[0] == "reload"
    assert served.get(page)[0] == 404


def test_broken_entities_file_shows_the_overlay_keeps_the_last_good_curation_and_recovers(served: Served):
    entity = most_mentioned(served)
    page = f"/entities/{entity.slug}.html"
    events = served.stream(page)
    curate(served, f'[entity."{entity.name}"]\ndescription = "First note."\n')
    assert events.until("reload", "build")[0] == "reload"
    served.wait_for_builds(1)

    events = served.stream(page)
    curate(served, f'[entity."{entity.name}"]\ndescription = "Second note.\n')  # unterminated string
    data = problems_naming(events, "entities.toml")
    assert '"line": 2' in data
    status, body = served.get(page)
    assert status == 200 and 'id="briefgen-overlay"' in body and "entities.toml:2" in body
    assert "First note." in body  # the last good curation is still applied

    events = served.stream(page)
    curate(served, f'[entity."{entity.name}"]\nkind = "human"\n')  # valid TOML, bad value: entry left out
    assert events.until("reload", "build")[0] == "reload"
    events = served.stream(page)
    data = problems_naming(events, "unknown kind")
    assert "entities.toml" in data and '"line": 2' in data
    assert "First note." not in served.get(page)[1]

    curate(served, f'[entity."{entity.name}"]\ndescription = "Fixed note."\n')
    assert events.until("reload", "problems")[0] == "reload"
    body = served.get(page)[1]
    assert "Fixed note." in body and 'id="briefgen-overlay"' not in body


def test_entities_file_present_at_start_is_applied(tmp_path: Path, nlp_provider: NlpProvider, serve_cache: Path):
    root = new_project(tmp_path / "project")
    config = load_config(root=root, cache_dir=str(serve_cache), n_process=1)
    with DevServer(config, nlp=nlp_provider, port=0) as server:
        entity = max(server.hub.snapshot.site.entities.values(), key=lambda e: (e.mention_count, e.slug))
    (root / "entities.toml").write_text(f'[entity."{entity.name}"]\ndescription = "Known at start."\n',
                                        encoding="utf-8")
    with DevServer(config, nlp=nlp_provider, port=0) as server:
        assert "Known at start." in Served(server, root).get(f"/entities/{entity.slug}.html")[1]


def test_entities_file_elsewhere_is_watched(tmp_path: Path, nlp_provider: NlpProvider, serve_cache: Path):
    root = new_project(tmp_path / "project")
    (root / "curation").mkdir()
    (root / "briefgen.toml").write_text('entities = "curation/people.toml"\n', encoding="utf-8")
    load = lambda: load_config(root=root, cache_dir=str(serve_cache), n_process=1)  # noqa: E731
    with DevServer(load(), load_config=load, nlp=nlp_provider, port=0) as server:
        served = Served(server, root)
        entity = most_mentioned(served)
        events = served.stream(f"/entities/{entity.slug}.html")
        (root / "curation" / "people.toml").write_text(
            f'[entity."{entity.name}"]\ndescription = "From a sub-folder."\n', encoding="utf-8")
        assert events.until("reload", "build")[0] == "reload"
        assert "From a sub-folder." in served.get(f"/entities/{entity.slug}.html")[1]


def test_rebuilds_after_start_never_fork(tmp_path: Path, nlp_provider: NlpProvider, serve_cache: Path,
                                         monkeypatch: pytest.MonkeyPatch):
    """Forking beside the watcher and HTTP threads can hang a worker: edits extract in the server process."""
    import briefgen.extract
    import briefgen.engine

    root = new_project(tmp_path / "project")
    load = lambda: load_config(root=root, cache_dir=str(serve_cache), n_process=2)  # noqa: E731
    with DevServer(load(), load_config=load, nlp=nlp_provider, port=0) as server:
        served = Served(server, root)
        monkeypatch.setattr(briefgen.engine, "FEW_ARTICLES", 1)  # two edited articles would use workers

        def no_fork(method: str | None = None):
            raise AssertionError(f"a rebuild started {method} workers while the server runs")

        monkeypatch.setattr(briefgen.extract.mp, "get_context", no_fork)
        events = served.stream("/briefings/storm-port.html")
        edit(root / "seeds" / "harbour-fire.txt", "plume of black smoke", "plume of grey smoke")
        edit(root / "seeds" / "storm-port.md", "Read the [full forecast]", "Read the [unforked forecast]")
        assert events.until("reload", "build")[0] == "reload"
        assert "unforked forecast" in served.get("/briefings/storm-port.html")[1]


@pytest.mark.parametrize("path", [
    "/../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E%2f%2E%2E%2fetc%2fpasswd",
    "/assets/..%2f..%2fbriefgen.toml",
    "/assets/%5c..%5c..%5cetc%5cpasswd",
    "/.%2e/seeds/storm-port.md",
])
def test_paths_outside_the_site_are_refused(served: Served, path: str):
    reply = served.raw(f"GET {path} HTTP/1.0")
    status = int(reply.split(b" ", 2)[1])
    assert status in (400, 403), reply[:200]
    assert b"root:" not in reply and b"Ferry operators" not in reply


def test_symlink_out_of_the_theme_is_not_served(served: Served, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    events = served.stream("/")
    (served.root / "templates" / "static" / "leak.txt").symlink_to(secret)
    (served.root / "templates" / "static" / "fine.txt").write_text("fine", encoding="utf-8")
    events.until("build", "reload", "css")
    status, _, body = served.request("GET", "/assets/leak.txt")
    assert status == 404 and b"top secret" not in body
    assert served.request("GET", "/assets/fine.txt")[2] == b"fine"


def test_only_get_and_head(served: Served):
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        status, headers, _ = served.request(method, "/")
        assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, body = served.request("HEAD", "/")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def _with_host(served: Served, host: str | None, path: str = "/") -> bytes:
    with socket.create_connection((served.host, served.port), timeout=10) as sock:
        header = f"Host: {host}\r\n" if host is not None else ""
        sock.sendall(f"GET {path} HTTP/1.1\r\n{header}Connection: close\r\n\r\n".encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil.example",
                                  "", None])
def test_a_host_header_naming_another_site_is_refused(served: Served, host: str | None):
    """DNS rebinding: a page at evil.example points its name at 127.0.0.1; the browser still sends its Host."""
    reply = _with_host(served, host)
    assert reply.split(b" ", 2)[1] == b"403", reply[:100]
    assert b"briefgen-live" not in reply and b"<html" not in reply
    events = _with_host(served, host, "/__briefgen__/events?path=/&build=0&page=x&css=x")
    assert events.split(b" ", 2)[1] == b"403"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST.", "app.localhost", "[::1]", "192.168.1.20:8000"])
def test_loopback_names_and_ip_addresses_are_served(served: Served, host: str):
    reply = _with_host(served, f"{host}:{served.port}" if ":" not in host else host)
    assert reply.split(b" ", 2)[1] == b"200", reply[:100]


def test_names_given_with_allow_host_are_served(tmp_path: Path, nlp_provider: NlpProvider, serve_cache: Path):
    root = new_project(tmp_path / "project")
    config = load_config(root=root, cache_dir=str(serve_cache), n_process=1)
    with DevServer(config, nlp=nlp_provider, port=0, allowed_hosts=["preview.lan"]) as server:
        served = Served(server, root)
        assert _with_host(served, "preview.lan:8000").split(b" ", 2)[1] == b"200"
        assert _with_host(served, "other.lan").split(b" ", 2)[1] == b"403"


def test_the_listen_backlog_is_not_five(served: Served):
    """socketserver's default backlog of 5 made 64 parallel clients stall for seconds (SYN retries)."""
    listing = subprocess.run(["ss", "-Hltn", f"sport = :{served.port}"], capture_output=True, text=True)
    if listing.returncode != 0 or not listing.stdout.strip():
        pytest.skip("ss cannot list listening sockets here")
    backlog = int(listing.stdout.split()[2])  # Send-Q of a listening socket is its backlog
    assert backlog >= 128


def test_headers_folders_and_not_found(served: Served):
    status, headers, body = served.request("GET", "/entities/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store"
    status, headers, _ = served.request("GET", "/entities")
    assert status == 301 and headers["location"] == "/entities/"
    status, headers, body = served.request("GET", "/briefings.json")
    assert status == 200 and headers["content-type"].startswith("application/json") and b"briefgen-live" not in body
    status, headers, body = served.request("GET", "/briefings/no-such-page.html")
    assert status == 404 and b"Page not found" in body and b'<base href="/">' in body


def test_site_published_under_a_sub_path(tmp_path: Path, nlp_provider: NlpProvider, serve_cache: Path):
    root = new_project(tmp_path / "project")
    (root / "briefgen.toml").write_text('base_url = "https://example.org/news/"\n', encoding="utf-8")
    config = load_config(root=root, cache_dir=str(serve_cache), n_process=1)
    with DevServer(config, nlp=nlp_provider, port=0) as server:
        assert server.url.endswith("/news/")
        served = Served(server, root)
        assert served.get("/news/")[0] == 200
        assert served.get("/news/briefings/storm-port.html")[0] == 200
        assert served.get("/briefings/storm-port.html")[0] == 200
        status, _, body = served.request("GET", "/news/nothing.html")
        assert status == 404 and b'<base href="/news/">' in body


def test_serve_writes_nothing_and_built_site_has_no_reload_script(served: Served, serve_cache: Path,
                                                                  nlp_provider: NlpProvider):
    assert "briefgen-live" in served.get("/")[1]
    config: Config = served.server.config
    assert not config.out.exists()
    result = build(load_config(root=served.root, cache_dir=str(serve_cache), n_process=1), nlp=nlp_provider)
    assert not result.errors
    for page in config.out.rglob("*"):
        if page.is_file():
            assert b"briefgen-live" not in page.read_bytes() and b"__briefgen__" not in page.read_bytes(), page


def test_stop_leaves_no_threads(tmp_path: Path, nlp_provider: NlpProvider, serve_cache: Path):
    before = set(threading.enumerate())
    root = new_project(tmp_path / "project")
    config = load_config(root=root, cache_dir=str(serve_cache), n_process=1)
    with DevServer(config, nlp=nlp_provider, port=0) as server:
        served = Served(server, root)
        events = served.stream("/")  # an open event stream must not keep the server alive
        assert served.get("/")[0] == 200
    events.close()
    assert set(threading.enumerate()) <= before


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_stops_cleanly(tmp_path: Path, serve_cache: Path, served: Served, stop: int):
    """The real command in a subprocess: Ctrl-C (SIGINT) or SIGTERM ends it with exit 0 and no traceback."""
    root = new_project(tmp_path / "other")
    (root / "briefgen.toml").write_text(f'cache_dir = "{serve_cache}"\nn_process = 1\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONFAULTHANDLER": "1"}
    # Started with SIGINT ignored, as a background job of a non-interactive shell is: Ctrl-C must still work.
    proc = subprocess.Popen([sys.executable, "-m", "briefgen", "serve", "--port", "0"], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        line = ""
        deadline = time.monotonic() + 120
        while "Serving" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
        assert "Serving" in line, line
        url = re.search(r"http://\S+", line).group(0)
        split = urlsplit(url)
        conn = http.client.HTTPConnection(split.hostname, split.port, timeout=10)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
        proc.send_signal(stop)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack: where it hangs
            _, err = proc.communicate(timeout=10)
            pytest.fail(f"serve did not stop on {signal.Signals(stop).name} within 30 s; its threads:\n{err[-6000:]}")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert sorted(p.name for p in root.iterdir()) == ["briefgen.toml", "seeds", "templates"]


@pytest.mark.browser
def test_browser_reloads_after_a_template_edit(served: Served):
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    with chromium() as browser:
        page = browser.new_page()
        page.goto(served.server.url + "briefings/storm-port.html")
        page.wait_for_function("document.getElementById('briefgen-live') !== null")
        # Wait until the page holds its event stream, so the edit below is the only thing to react to.
        deadline = time.monotonic() + EVENT_TIMEOUT
        while not served.server.hub.viewed() and time.monotonic() < deadline:
            time.sleep(0.05)
        edit(served.root / "templates" / "base.html", "built with briefgen", "seen in a real browser")
        page.wait_for_function("document.body.innerText.includes('seen in a real browser')",
                               timeout=EVENT_TIMEOUT * 1000)
        assert page.get_by_role("heading", level=1).count() >= 1


@pytest.mark.browser
def test_the_overlay_wraps_a_long_template_line_and_shows_its_far_end(served: Served):
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    events = served.stream("/")
    base = served.root / "templates" / "base.html"
    long_line = "<p>" + "filler text " * 60 + "{{ site.title | nosuchfilter }}</p>"
    edit(base, "<main id=\"main\" class=\"wrap\">", "<main id=\"main\" class=\"wrap\">" + long_line)
    event, data = events.until("problems")
    while data == "[]":
        event, data = events.until("problems")
    assert "nosuchfilter" in data
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 800, "height": 900})
        page.goto(served.server.url)
        page.wait_for_selector("#briefgen-overlay")
        highlighted = page.locator("#briefgen-overlay pre div", has_text="nosuchfilter")
        assert highlighted.count() == 1
        box = highlighted.bounding_box()
        pre = page.locator("#briefgen-overlay pre").first
        assert pre.evaluate("e => e.scrollWidth <= e.clientWidth")  # wrapped, no sideways scrolling
        assert box is not None and box["x"] + box["width"] <= 800
        assert "nosuchfilter }}" in highlighted.inner_text()


def test_serve_starts_and_rebuilds_with_symlink_loops_in_the_source(tmp_path: Path, nlp_provider: NlpProvider,
                                                                   serve_cache: Path):
    root = new_project(tmp_path / "project")
    (root / "seeds" / "loop.md").symlink_to("loop.md")
    (root / "seeds" / "sub").mkdir()
    (root / "seeds" / "sub" / "up").symlink_to("..")
    config = load_config(root=root, cache_dir=str(serve_cache), n_process=1)
    with DevServer(config, nlp=nlp_provider, port=0) as server:
        served = Served(server, root)
        assert served.get("/")[0] == 200
        assert [str(p) for p in server.hub.problems] == ["seeds/loop.md: symlink loop; skipped"]
        events = served.stream("/")
        (root / "seeds" / "a.md").symlink_to("b.md")
        (root / "seeds" / "b.md").symlink_to("a.md")
        event, data = events.until("problems")
        while "a.md" not in data:
            event, data = events.until("problems")
        assert "seeds/b.md" in data and "Traceback" not in data
        assert served.get("/")[0] == 200


def _taken_within(pending: PendingChanges, seconds: float) -> bool:
    """Whether ``pending.take()`` hands its batch over within ``seconds`` (then closes it either way)."""
    got: list[object] = []
    taker = threading.Thread(target=lambda: got.append(pending.take()))
    taker.start()
    taker.join(seconds)
    pending.close()
    taker.join()
    return bool(got) and got[0] is not None


def test_a_finished_save_is_rebuilt_without_waiting_the_quiet_window():
    # A minute's quiet window: only the settled window can let the batch go within seconds.
    pending = PendingChanges(quiet=60.0, settled=0.01)
    pending.add(Change.ARTICLES, "/p/seeds/a.txt")
    pending.add(Change.ARTICLES, "/p/seeds/a.txt", settled=True)  # closed after writing
    assert _taken_within(pending, 10.0)


def test_an_event_after_a_finished_save_waits_the_quiet_window_again():
    pending = PendingChanges(quiet=60.0, settled=0.01)
    pending.add(Change.ARTICLES, "/p/seeds/a.txt", settled=True)
    pending.add(Change.ARTICLES, "/p/seeds/b.txt")  # still being written
    assert not _taken_within(pending, 0.5)


def test_a_file_renamed_away_is_not_a_finished_save(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()

    class Server:
        config = load_config(root=tmp_path)
        config_file = tmp_path / "briefgen.toml"
        pending = PendingChanges(quiet=60.0, settled=0.01)

    handler = _EventHandler(Server())  # type: ignore[arg-type]
    # vim's save without a backup copy: the old file renamed away (to an ignored name), a new one written.
    handler.on_any_event(FileMovedEvent(str(seeds / "a.txt"), str(seeds / "a.txt~")))
    assert not _taken_within(Server.pending, 0.5)
    Server.pending = PendingChanges(quiet=60.0, settled=0.01)
    handler.on_any_event(FileMovedEvent(str(seeds / ".a.txt.tmp"), str(seeds / "a.txt")))  # renamed into place
    assert _taken_within(Server.pending, 10.0)
    Server.pending = PendingChanges(quiet=60.0, settled=0.01)
    handler.on_any_event(FileClosedEvent(str(seeds / "a.txt")))
    assert _taken_within(Server.pending, 10.0)
