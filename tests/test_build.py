"""Incremental builds: what a rebuild re-extracts and rewrites, the cache's failure modes, worker processes."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from briefgen.build import NlpProvider, build
from briefgen.config import Config
from briefgen.extract import ArticleFailed, extract_all
from briefgen.model import Extraction
from briefgen.sources import read_all

from conftest import REPO

pytestmark = pytest.mark.nlp

OLD = 1_000_000.0


def _age_site(out: Path) -> None:
    for f in out.rglob("*"):
        if f.is_file():
            os.utime(f, (OLD, OLD))


def _mtimes(out: Path) -> dict[str, float]:
    return {f.relative_to(out).as_posix(): f.stat().st_mtime for f in out.rglob("*") if f.is_file()}


def test_rebuild_extracts_only_the_edited_article_and_rewrites_only_changed_files(
    config: Config, nlp_provider: NlpProvider
):
    first = build(config, nlp=nlp_provider)
    assert (first.extracted, first.cached) == (4, 0)
    before = _mtimes(config.out)

    warm = build(config, nlp=nlp_provider)
    assert (warm.extracted, warm.cached, warm.written, warm.pages) == (0, 4, 0, first.pages)
    assert warm.rendered == 0  # nothing changed: every published file is kept as it is
    assert _mtimes(config.out) == before

    _age_site(config.out)  # touched files: rendered again, but bytes are equal so nothing is rewritten
    touched = build(config, nlp=nlp_provider)
    assert touched.kept == 0 and touched.rendered > 0 and touched.written == 0
    assert set(_mtimes(config.out).values()) == {OLD}
    # That publish staged from the spare and noted the new site's files without walking it: the next build
    # must find every one of them as noted (nothing rendered, the folder left alone).
    again = build(config, nlp=nlp_provider)
    assert (again.rendered, again.written) == (0, 0)
    assert set(_mtimes(config.out).values()) == {OLD}

    (config.out / "index.html").write_text("edited by hand", encoding="utf-8")
    (config.out / "assets" / "style.css").unlink()
    repaired = build(config, nlp=nlp_provider)
    assert repaired.written == 2 and repaired.extracted == 0
    assert "briefings" in (config.out / "index.html").read_text(encoding="utf-8")
    assert (config.out / "assets" / "style.css").is_file()
    _age_site(config.out)

    seed = config.source / "no-quotes.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nThe road reopened on Friday.\n", encoding="utf-8")
    edited = build(config, nlp=nlp_provider)
    assert (edited.extracted, edited.cached) == (1, 3)
    times = _mtimes(config.out)
    changed = {path for path, t in times.items() if t != OLD}
    assert "briefings/no-quotes.html" in changed
    assert "briefings/canada-balloon.html" not in changed
    assert "assets/style.css" not in changed
    assert 0 < edited.written == len(changed) < len(times)
    settled = build(config, nlp=nlp_provider)  # the files that publish wrote are noted as they are now
    assert (settled.rendered, settled.written) == (0, 0)


def test_corrupt_or_deleted_cache_entries_are_rebuilt(config: Config, nlp_provider: NlpProvider):
    build(config, nlp=nlp_provider)
    entries = sorted(config.cache_dir.glob("??/*.json"))
    assert len(entries) == 4
    entries[0].write_text('{"summary": [', encoding="utf-8")  # a write cut short
    entries[1].write_bytes(b"\x00\xff garbage")
    entries[2].write_text('{"summary": 3}', encoding="utf-8")  # valid JSON, wrong shape
    import shutil

    shutil.rmtree(config.cache_dir / "sites")  # the engine's state holds the extractions too: look in the cache
    again = build(config, nlp=nlp_provider)
    assert not again.errors
    assert (again.extracted, again.cached) == (3, 1)
    assert not any(p.name.startswith(".tmp") for p in config.cache_dir.rglob("*"))

    shutil.rmtree(config.cache_dir)  # safe to delete
    fresh = build(config, nlp=nlp_provider)
    assert (fresh.extracted, fresh.cached, fresh.written) == (4, 0, 0)


def test_a_template_edit_rerenders_without_extracting(config: Config, nlp_provider: NlpProvider):
    build(config, nlp=nlp_provider)
    _age_site(config.out)
    config.templates.mkdir()
    base = (REPO / "templates" / "base.html").read_text(encoding="utf-8")
    (config.templates / "base.html").write_text(base.replace("</body>", "<!-- edited --></body>"), encoding="utf-8")
    again = build(config, nlp=nlp_provider)
    assert again.extracted == 0 and again.written >= again.pages > 0
    assert "<!-- edited -->" in (config.out / "index.html").read_text(encoding="utf-8")
    assert _mtimes(config.out)["assets/style.css"] == OLD


def test_worker_processes_give_the_same_briefings_as_one_process(config: Config, nlp_provider: NlpProvider):
    articles = read_all(config.source).articles
    results: list[dict[str, Extraction | Exception]] = [{}, {}]
    for out, n in zip(results, (1, 2)):
        extract_all(articles, nlp_provider.get(), n_process=n, batch_size=1,
                    on_done=lambda a, e, out=out: out.__setitem__(a.slug, e))
    assert results[0] == results[1]
    assert all(isinstance(e, Extraction) for e in results[1].values())


class _DiesOn:
    """A pipeline whose worker process dies (as if killed for memory) on one article."""

    def __init__(self, nlp: Any, marker: str) -> None:
        self.nlp, self.marker = nlp, marker

    def pipe(self, texts: Any, **kwargs: Any) -> Any:
        for text, context in texts:
            if self.marker in text:
                os._exit(1)
            yield from self.nlp.pipe([(text, context)], **kwargs)


def test_a_dead_worker_fails_only_its_own_articles(config: Config, nlp_provider: NlpProvider):
    articles = read_all(config.source).articles
    got: dict[str, Extraction | Exception] = {}
    extract_all(articles, _DiesOn(nlp_provider.get(), "Rotterdam"), n_process=2, batch_size=1,
                on_done=lambda a, e: got.__setitem__(a.slug, e))
    assert len(got) == len(articles)
    failed = {slug for slug, e in got.items() if isinstance(e, ArticleFailed)}
    assert failed == {"harbour-fire"}
    assert "died" in str(got["harbour-fire"])


def test_briefings_json_is_the_plain_indented_dump(built):
    import json

    text = (built[0].out / "briefings.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1)


def test_a_build_with_nothing_to_render_still_mends_a_file_edited_in_the_site(
    config: Config, nlp_provider: NlpProvider
):
    # No page changed, but a file no page records (the manifest of published paths) was edited by hand, in
    # place and at its size: the folder is not the site last published, so the build publishes again.
    from briefgen.write import MANIFEST

    build(config, nlp=nlp_provider)
    manifest = config.out / MANIFEST
    published = manifest.read_bytes()
    time.sleep(0.05)  # past the file system's clock tick: the edit gets a modification time of its own
    with manifest.open("r+b") as f:
        f.write(published.replace(b'"', b"'", 1))
    assert manifest.read_bytes() != published
    again = build(config, nlp=nlp_provider)
    assert again.rendered == 0
    assert manifest.read_bytes() == published
