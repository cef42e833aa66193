"""Every page ``briefgen serve`` serves is, byte for byte, the page ``briefgen build`` writes.

The one allowed difference is what serve documents it adds (README, "Live preview"): the live-reload script
``<script id="briefgen-live" ...>`` before the last ``</body>`` of an HTML page (and the error overlay, which
must not appear here: the build is clean). The test strips exactly that script and compares the rest.
"""

from __future__ import annotations

import html
import http.client
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from briefgen.build import BuildResult, NlpProvider
from briefgen.config import Config
from briefgen.serve import DevServer, client_script
from briefgen.write import MANIFEST

pytestmark = pytest.mark.nlp

# The script's body is the same on every page; only its data- attributes vary.
_LIVE_JS = re.escape(client_script(0, "", "", "").split(">", 1)[1].removesuffix("</script>"))
_LIVE_SCRIPT = re.compile(
    rb'<script id="briefgen-live" data-build="\d+" data-page="(?P<page>[^"]*)" data-css="[^"]*" '
    rb'data-path="(?P<path>[^"]*)">' + _LIVE_JS.encode() + rb"</script>"
)


def built_files(out: Path) -> list[str]:
    """Every file the build wrote: all of the output folder but build's own record of what it wrote."""
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MANIFEST}
    assert on_disk == set(json.loads((out / MANIFEST).read_text(encoding="utf-8")))
    return sorted(on_disk)


def without_live_script(served: bytes, built: bytes, path: str) -> bytes:
    """``served`` with the one live-reload script removed, checked to sit where serve puts it."""
    at = built.lower().rfind(b"</body>")
    at = len(built) if at < 0 else at
    found = list(_LIVE_SCRIPT.finditer(served))
    assert len(found) == 1, f"{path}: expected one live-reload script in the served page, found {len(found)}"
    script = found[0]
    assert script.start() == at, f"{path}: the live-reload script is not just before the built page's </body>"
    assert html.unescape(script["path"].decode()) == path, f"{path}: the script names {script['path']!r}"
    assert script["page"] != b"error", f"{path}: served as a build error"
    return served[: script.start()] + served[script.end() :]


@pytest.fixture(scope="module")
def server(built: tuple[Config, BuildResult], nlp_provider: NlpProvider) -> Iterator[DevServer]:
    config, _ = built
    with DevServer(config, nlp=nlp_provider, port=0) as running:
        yield running


def test_every_built_file_is_served_with_the_same_bytes(built: tuple[Config, BuildResult], server: DevServer):
    config, _ = built
    paths = built_files(config.out)
    assert any(p.endswith(".html") for p in paths) and "index.html" in paths
    assert any(p.startswith("briefings/") for p in paths) and any(p.startswith("entities/") for p in paths)
    split = urlsplit(server.url)
    conn = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port or 80, timeout=30)
    mismatched, html_pages = [], 0
    try:
        for path in paths:
            conn.request("GET", "/" + quote(path))
            resp = conn.getresponse()
            body = resp.read()
            assert resp.status == 200, f"{path}: served with status {resp.status}"
            built_bytes = (config.out / path).read_bytes()
            if resp.getheader("Content-Type", "").startswith("text/html"):
                html_pages += 1
                body = without_live_script(body, built_bytes, path)
            else:
                assert b'id="briefgen-live"' not in body, f"{path}: the reload script is only for HTML pages"
            if body != built_bytes:
                mismatched.append(f"{path}: {_first_difference(body, built_bytes)}")
    finally:
        conn.close()
    assert html_pages > 0
    assert not mismatched, f"{len(mismatched)} of {len(paths)} files differ from the build:\n" + "\n".join(mismatched)


def _first_difference(served: bytes, built: bytes) -> str:
    at = next((i for i, (a, b) in enumerate(zip(served, built)) if a != b), min(len(served), len(built)))
    return (f"served {len(served)} bytes, built {len(built)}; first difference at byte {at}: "
            f"served {served[max(0, at - 60) : at + 60]!r}, built {built[max(0, at - 60) : at + 60]!r}")
