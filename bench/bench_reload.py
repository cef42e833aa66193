"""Time from saving a file to the browser's reload event, through the real dev server (run on demand).

    python bench/bench_reload.py [--polnear PROJECT] [--edits 7] [--extract 40]

For each site (the repository's seed articles, and the 840 PolNeAR articles when available) it starts
``DevServer`` on a free port, opens the event stream a page would open, saves a template (then an article,
then ``entities.toml``), and prints the median time from the save to the ``reload`` event. ``--extract N``
also times extracting N PolNeAR articles in-process (what a rebuild does once the server's threads run)
beside forked workers (what ``briefgen build`` and the server's first build do), side by side. The
PolNeAR project is made with ``/work/shared/tools/corpus_to_seeds.py`` unless ``--polnear`` names a project
folder that already has ``seeds/`` (and ideally a warm ``.briefgen-cache``: extracting 840 articles takes
minutes). Beside each article save's reload time it prints the server's rebuild time, wall and the CPU time
of its rebuild thread: on a machine other work keeps busy, the CPU time is the steadier figure."""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from briefgen.build import NlpProvider  # noqa: E402
from briefgen.config import load_config  # noqa: E402
from briefgen.engine import Change, Rebuild  # noqa: E402
from briefgen.render import default_theme_dir  # noqa: E402
from briefgen.serve import EVENTS_PATH, DevServer  # noqa: E402
from briefgen.urls import slugify  # noqa: E402

SHARED = REPO.parent / "shared"


def fetch(server: DevServer, path: str) -> str:
    split = urlsplit(server.url)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
    conn.request("GET", path)
    body = conn.getresponse().read().decode("utf-8")
    conn.close()
    return body


def time_to_reload(server: DevServer, page: str, save) -> float:
    """Seconds from ``save()`` returning to the reload event on the stream for ``page``."""
    state = dict(re.findall(r'data-(build|page|css|path)="([^"]*)"', fetch(server, page)))
    split = urlsplit(server.url)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=60)
    conn.request("GET", EVENTS_PATH + "?" + urlencode(state))
    resp = conn.getresponse()
    deadline = time.monotonic() + 5
    while not server.hub.viewed() and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.perf_counter()
    save()
    event = ""
    while True:
        if time.perf_counter() - started > 60:  # keepalives would otherwise keep this waiting for ever
            raise RuntimeError(f"no reload of {page} within 60 s of the save")
        line = resp.fp.readline().decode()
        if not line:
            raise RuntimeError("stream closed before a reload")
        if line.startswith("event: "):
            event = line[7:].strip()
        elif line == "\n" and event == "reload":
            elapsed = time.perf_counter() - started
            conn.close()
            return elapsed


class RebuildClock:
    """The server's rebuilds from now on: wall time, and the CPU time of its rebuild thread (which a busy
    machine inflates far less than the wall clock)."""

    def __init__(self, server: DevServer) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self._since: float | None = None
        server.on_rebuild = self._rebuilt
        server.pending.add(Change.ARTICLES, str(server.config.source))  # a first rebuild starts the thread clock
        deadline = time.monotonic() + 60
        while self._since is None and time.monotonic() < deadline:
            time.sleep(0.01)

    def _rebuilt(self, outcome: Rebuild) -> None:  # on the rebuild thread, which idles between rebuilds
        now = time.thread_time()
        if self._since is not None:
            self.wall.append(outcome.seconds)
            self.cpu.append(now - self._since)
        self._since = now

    def summary(self) -> str:
        if not self.wall:
            return "no rebuild seen"
        return (f"rebuild in the server: median {statistics.median(self.wall) * 1000:.0f} ms wall, "
                f"{statistics.median(self.cpu) * 1000:.0f} ms CPU of its thread")


def bench_site(name: str, root: Path, nlp: NlpProvider, edits: int) -> None:
    config = load_config(root=root)
    started = time.perf_counter()
    with DevServer(config, load_config=lambda: load_config(root=root), nlp=nlp, port=0) as server:
        snapshot = server.hub.snapshot
        assert snapshot is not None
        print(f"{name}: {len(snapshot.site.briefings)} articles, {len(snapshot.pages)} outputs, "
              f"first build {time.perf_counter() - started:.1f} s")
        briefing = next(b for b in snapshot.site.briefings if b.article.source.endswith(".txt"))
        pages = {"briefing page": f"/briefings/{briefing.slug}.html", "index page": "/"}
        base = root / "templates" / "base.html"
        theme = base.read_text(encoding="utf-8")
        for label, page in pages.items():
            times = []
            for i in range(edits):
                def save(i: int = i, label: str = label) -> None:
                    base.write_text(theme.replace("built with briefgen", f"built with briefgen, {label} {i}"),
                                    encoding="utf-8")
                times.append(time_to_reload(server, page, save))
            print(f"  template edit -> reload, {label}: median {statistics.median(times) * 1000:.0f} ms "
                  f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={len(times)})")
        article = root / "seeds" / Path(briefing.article.source).name
        original = article.read_text(encoding="utf-8")
        # A sentence no earlier run saved: the edited article is extracted, not found in the (shared) cache.
        run = time.time_ns()
        times = []
        rebuilds = RebuildClock(server)
        for i in range(edits):
            def save(i: int = i) -> None:
                article.write_text(original.rstrip() + f"\n\nThe analyst added note number {i} of {run}.\n",
                                   encoding="utf-8")
            times.append(time_to_reload(server, pages["briefing page"], save))
        article.write_text(original, encoding="utf-8")
        print(f"  article edit -> reload, briefing page: median {statistics.median(times) * 1000:.0f} ms "
              f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={len(times)}); {rebuilds.summary()}")
        # The most mentioned entity whose page is named after it (curating a name moves it to that name's page).
        entity = max((e for e in server.hub.snapshot.site.entities.values() if e.slug == slugify(e.name)),
                     key=lambda e: (e.mention_count, e.slug))
        curation = root / "entities.toml"
        times = []
        for i in range(edits):
            def save(i: int = i) -> None:
                curation.write_text(f'[entity."{entity.name}"]\ndescription = "Note {i}."\n', encoding="utf-8")
            times.append(time_to_reload(server, f"/entities/{entity.slug}.html", save))
        curation.unlink()
        print(f"  entities.toml edit -> reload, entity page: median {statistics.median(times) * 1000:.0f} ms "
              f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={len(times)})")
        print(f"  quiet window included: {server.pending.quiet * 1000:.0f} ms")


def bench_extraction(root: Path, nlp: NlpProvider, count: int) -> None:
    """Extract ``count`` articles in-process, then in forked workers, then in-process again (load drifts)."""
    from briefgen.build import available_cores
    from briefgen.extract import extract_all
    from briefgen.sources import read_all

    articles = read_all(root / "seeds", root=root).articles[:count]
    pipeline = nlp.get()
    workers = available_cores()

    def run(n_process: int) -> float:
        started = time.perf_counter()
        extract_all(articles, pipeline, n_process=n_process, on_done=lambda article, outcome: None)
        return time.perf_counter() - started

    inline = [run(1)]
    forked = run(workers)
    inline.append(run(1))
    print(f"extracting {len(articles)} articles: in-process {statistics.mean(inline):.1f} s "
          f"({', '.join(f'{t:.1f}' for t in inline)}), {workers} forked workers {forked:.1f} s: "
          f"in-process / forked = {statistics.mean(inline) / forked:.2f}")


def make_project(root: Path, seeds: Path | None) -> Path:
    if seeds is None:
        shutil.copytree(REPO / "seeds", root / "seeds")
    else:
        subprocess.run([sys.executable, str(SHARED / "tools" / "corpus_to_seeds.py"), "polnear", str(root / "seeds")],
                       check=True, stdout=subprocess.DEVNULL)
    shutil.copytree(default_theme_dir(), root / "templates")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--polnear", type=Path, help="an existing PolNeAR project folder (with seeds/)")
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--extract", type=int, default=0, metavar="N",
                        help="also time extracting N PolNeAR articles in-process vs in forked workers")
    args = parser.parse_args()
    nlp = NlpProvider("")
    with tempfile.TemporaryDirectory() as tmp:
        bench_site("seed site", make_project(Path(tmp) / "seed", None), nlp, args.edits)
        root: Path | None = None
        if args.polnear:
            root = Path(tmp) / "polnear"
            root.mkdir()
            # Copy what the benchmark edits; the (warm) cache is used in place.
            shutil.copytree(args.polnear / "seeds", root / "seeds")
            shutil.copytree(default_theme_dir(), root / "templates")
            cache = (args.polnear / ".briefgen-cache").resolve()
            (root / "briefgen.toml").write_text(f'cache_dir = "{cache}"\n', encoding="utf-8")
        elif (SHARED / "data" / "polnear").is_dir():
            root = make_project(Path(tmp) / "polnear", SHARED)
        if root is None:
            print("PolNeAR data not found: skipped")
            return
        bench_site("PolNeAR site", root, nlp, args.edits)
        if args.extract:
            bench_extraction(root, nlp, args.extract)

if __name__ == "__main__":
    main()
