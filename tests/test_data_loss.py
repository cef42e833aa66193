"""A build never publishes a worse site by mistake, and never drops an article the user gave.

Every case runs the real command line in a real project and compares the published site byte for byte.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cliproc import built, project, run, tree
from conftest import SEED

pytestmark = pytest.mark.nlp


@pytest.fixture()
def published(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A project with a published site of one briefing."""
    root = project(tmp_path / "p")
    return root, built(root)


def _one_error(stderr: str, start: str) -> None:
    errors = [line for line in stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].startswith(start), stderr
    assert "Traceback" not in stderr


def test_a_mistyped_source_publishes_nothing(published):
    root, before = published
    done = run(root, "build", "-q", "--source", "/nonexistent")
    assert done.returncode == 1
    _one_error(done.stderr, "error: source folder /nonexistent not found")
    assert tree(root / "site") == before


def test_a_source_that_is_a_file_publishes_nothing(published):
    root, before = published
    done = run(root, "build", "-q", "--source", str(root / "seeds" / SEED.name))
    assert done.returncode == 1 and "is not a folder" in done.stderr
    assert tree(root / "site") == before


def test_an_unreadable_source_folder_publishes_nothing(published):
    root, before = published
    (root / "seeds").chmod(0)
    try:
        done = run(root, "build", "-q", unprivileged=True)
    finally:
        (root / "seeds").chmod(0o755)
    assert done.returncode == 1
    _one_error(done.stderr, "error: cannot read the source folder")
    assert "Permission denied" in done.stderr
    assert tree(root / "site") == before


def test_an_unreadable_sub_folder_or_file_is_an_error_line_and_the_rest_builds(tmp_path):
    root = project(tmp_path / "p")
    (root / "seeds" / "sport").mkdir()
    (root / "seeds" / "sport" / "match.txt").write_text("The match was called off on Sunday.\n")
    (root / "seeds" / "locked.txt").write_text("A locked article about the port.\n")
    (root / "seeds" / "sport").chmod(0)
    (root / "seeds" / "locked.txt").chmod(0)
    try:
        done = run(root, "build", "-q", unprivileged=True)
    finally:
        (root / "seeds" / "sport").chmod(0o755)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert "seeds/sport: error: cannot read folder: Permission denied" in lines, done.stderr
    assert "seeds/locked.txt: error: cannot read: Permission denied" in lines, done.stderr
    assert (root / "site" / "briefings" / "canada-balloon.html").is_file()


def test_zero_articles_over_a_published_site_needs_allow_empty(published):
    root, before = published
    (root / "empty").mkdir()
    done = run(root, "build", "-q", "--source", "empty")
    assert done.returncode == 1
    _one_error(done.stderr, "error: this build has no briefings, but")
    assert "has 1 published briefing" in done.stderr and "--allow-empty" in done.stderr
    assert tree(root / "site") == before
    # Every article broken: also no briefings, also refused.
    (root / "broken").mkdir()
    (root / "broken" / "bad.txt").write_text("date 2024-02-30 No such day.\n")
    done = run(root, "build", "-q", "--source", "broken")
    assert done.returncode == 1 and "nothing published" in done.stderr
    assert tree(root / "site") == before
    # Said on purpose: published.
    done = run(root, "build", "-q", "--source", "empty", "--allow-empty")
    assert done.returncode == 0, done.stderr
    assert json.loads((root / "site" / "briefings.json").read_text()) == []


def test_a_first_build_of_an_empty_folder_publishes_an_empty_site(tmp_path):
    root = project(tmp_path / "p", seed=False)
    done = run(root, "build", "-q")
    assert done.returncode == 0, done.stderr
    assert json.loads((root / "site" / "briefings.json").read_text()) == []


def _bbc_like(root: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    for section in ("business", "sport"):
        (root / "seeds" / section).mkdir()
        (root / "seeds" / section / "001.txt").write_text(text.replace("balloon", f"{section} balloon"))


def test_same_file_name_in_two_sub_folders_gives_two_briefings(tmp_path):
    root = project(tmp_path / "p")
    _bbc_like(root)
    site = built(root)
    slugs = [b["slug"] for b in json.loads(site["briefings.json"])]
    assert sorted(slugs) == ["business-001", "canada-balloon", "sport-001"]  # flat files keep their URL
    assert "briefings/sport-001.html" in site and "briefings/canada-balloon.html" in site
    assert b"sport balloon" in site["briefings/sport-001.html"]
    assert built(root) == site  # stable across builds


def test_a_true_slug_collision_is_reported_naming_both_files(tmp_path):
    root = project(tmp_path / "p")
    _bbc_like(root)
    shutil.copy(SEED, root / "seeds" / "sport-001.txt")
    done = run(root, "build", "-q")
    assert done.returncode == 1
    assert ("seeds/sport-001.txt: error: slug 'sport-001' already used by seeds/sport/001.txt; skipped"
            in done.stderr.splitlines()), done.stderr


def test_inspect_prints_every_file_even_when_slugs_clash(tmp_path):
    root = project(tmp_path / "p")
    _bbc_like(root)
    shutil.copy(SEED, root / "seeds" / "sport-001.txt")
    done = run(root, "inspect", "seeds", "seeds/sport/001.txt")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(r["source"] for r in records) == [
        "seeds/business/001.txt", "seeds/canada-balloon.txt", "seeds/sport-001.txt", "seeds/sport/001.txt",
        "seeds/sport/001.txt"]
    assert len({r["slug"] for r in records}) == 5
    assert "shown as 'sport-001-2'" in done.stderr and done.returncode == 0, done.stderr


FRONT = """---
title: Storm closes the port of Hull
author: Jane Doe
summary: A short summary from another tool.
image: /img/storm.jpg
titel: A typo
keywords: [storm, "port, Hull"]
---

The port of Hull closed on Monday as a storm swept across the North Sea, the harbour master said.
"""


def test_unknown_front_matter_keys_are_kept_for_templates_and_only_near_misses_warn(tmp_path):
    root = project(tmp_path / "p")
    (root / "seeds" / "storm.md").write_text(FRONT)
    (root / "templates").mkdir()
    theme = (Path(__file__).resolve().parent.parent / "templates" / "briefing.html").read_text()
    marker = "{% block main %}"
    assert marker in theme
    (root / "templates" / "briefing.html").write_text(theme.replace(
        marker, marker + "<p class=by>{{ briefing.extra.author | default('') }} | {{ briefing.extra.keywords | default([]) | join(';') }}</p>", 1))
    done = run(root, "build", "-q")
    warnings = [line for line in done.stderr.splitlines() if ": warning: " in line]
    assert warnings == [("seeds/storm.md: warning: front matter: unknown key 'titel'; did you mean 'title'? "
                         "(kept as extra.titel)")], done.stderr
    assert done.returncode == 0
    page = (root / "site" / "briefings" / "storm.html").read_text()
    assert "<p class=by>Jane Doe | storm;port, Hull</p>" in page
    (record,) = [r for r in json.loads((root / "site" / "briefings.json").read_text()) if r["slug"] == "storm"]
    assert record["extra"]["author"] == "Jane Doe" and record["extra"]["keywords"] == ["storm", "port, Hull"]
    assert run(root, "build", "-q", "--strict").returncode == 1  # the near-miss is a warning


def test_drafts_are_left_out_unless_asked_for(tmp_path):
    root = project(tmp_path / "p")
    (root / "seeds" / "draft.md").write_text(
        "---\ntitle: Not yet\ndraft: true\n---\n\nThe council has not yet voted on the harbour plan.\n")
    done = run(root, "build")
    assert done.returncode == 0, done.stderr
    assert "1 draft left out (--drafts builds them)" in done.stdout
    assert not (root / "site" / "briefings" / "draft.html").exists()
    done = run(root, "build", "-q", "--drafts")
    assert done.returncode == 0, done.stderr
    assert (root / "site" / "briefings" / "draft.html").is_file()


def test_serve_always_shows_drafts(tmp_path, nlp_provider):
    from briefgen.config import load_config
    from briefgen.engine import LiveBuilder

    root = project(tmp_path / "p")
    (root / "seeds" / "draft.md").write_text("---\ndraft: yes\n---\n\nThe council has not yet voted.\n")
    config = load_config(root=root)
    outcome = LiveBuilder(lambda: config, nlp=nlp_provider).rebuild()
    assert outcome.snapshot is not None
    assert "draft" in {b.slug for b in outcome.snapshot.site.briefings}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(tmp_path, encoding):
    root = project(tmp_path / "p", seed=False)
    text = SEED.read_text(encoding="utf-8")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    (root / "seeds" / "wide.txt").write_bytes(data)
    site = built(root)
    (record,) = json.loads(site["briefings.json"])
    assert record["title"] and record["summary"] and record["date"] == "2023-02-03"
    raw = text
    for quote in record["quotes"]:
        assert raw[quote["start"]:quote["end"]] == quote["text"]


def test_a_byte_order_mark_never_reaches_the_title(tmp_path):
    root = project(tmp_path / "p", seed=False)
    (root / "seeds" / "cp.txt").write_bytes(b"\xef\xbb\xbfCaf\xe9 fire closes port\n\nThe port of Hull closed.\n")
    (root / "seeds" / "twice.txt").write_bytes(b"\xef\xbb\xbf\xef\xbb\xbfStorm hits Hull\n\nThe port closed.\n")
    done = run(root, "build", "-q")
    assert done.returncode == 0, done.stderr
    titles = sorted(b["title"] for b in json.loads((root / "site" / "briefings.json").read_text()))
    assert titles == ["Caf\u00e9 fire closes port", "Storm hits Hull"]
