from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from pathlib import Path

import pytest

from briefgen.errors import RenderError
from briefgen.graph import build_site
from briefgen.render import default_theme_dir, render_site, theme_dirs
from briefgen.urls import relative_url

from test_graph import briefing, person


def test_relative_urls():
    assert relative_url("index.html", "entities/a.html") == "entities/a.html"
    assert relative_url("entities/a.html", "briefings/b.html") == "../briefings/b.html"
    assert relative_url("entities/a.html", "") == "../index.html"
    assert relative_url("entities/index.html", "entities/a.html") == "a.html"


def pages(site, dirs=None) -> dict[str, str]:
    return {o.path: o.data.decode() for o in render_site(site, dirs or theme_dirs(None))}


def test_article_data_is_escaped_everywhere():
    evil = person("<script>alert(1)</script>")
    site = build_site([briefing("x", dt.date(2020, 1, 1), [evil])])
    html = {path: text for path, text in pages(site).items() if path.endswith(".html")}
    assert all("<script>alert(1)" not in text for text in html.values())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html["briefings/x.html"]
    assert "x-" in evil.slug or evil.slug == "script-alert-1-script"  # a harmless slug


def test_user_template_overrides_one_file_and_undefined_is_an_error(tmp_path: Path):
    site = build_site([briefing("x", dt.date(2020, 1, 1), [person("Ann Lee")])])
    (tmp_path / "404.html").write_text("{% extends 'base.html' %}{% block main %}Custom 404{% endblock %}")
    out = pages(site, theme_dirs(tmp_path))
    assert "Custom 404" in out["404.html"]
    assert "Ann Lee" in out["entities/ann-lee.html"]  # other pages still from the packaged theme
    (tmp_path / "index.html").write_text("line one\n{{ no_such_variable }}\n")
    with pytest.raises(RenderError) as info:
        pages(site, theme_dirs(tmp_path))
    message = str(info.value)
    assert "index.html:2" in message and "no_such_variable" in message


def test_template_syntax_error_names_file_and_line(tmp_path: Path):
    site = build_site([briefing("x", None, [])])
    (tmp_path / "briefing.html").write_text("ok\n{% if %}\n")
    with pytest.raises(RenderError, match=r"briefing\.html:2"):
        pages(site, theme_dirs(tmp_path))


def test_default_theme_is_the_repository_templates_folder():
    assert (default_theme_dir() / "base.html").is_file()


def test_markdown_filter_escapes_raw_html_and_drops_unsafe_links():
    from briefgen.render import make_env

    env = make_env(theme_dirs(None))
    out = env.from_string("{{ text | markdown }}").render(
        text="**Bold** <script>x()</script> [bad](javascript:alert(1)) [ok](https://e.org) [rel](../a.html)")
    assert "<strong>Bold</strong>" in out and "&lt;script&gt;" in out and "<script>" not in out
    assert 'href="javascript' not in out and "[bad](javascript:alert(1))" in out
    assert '<a href="https://e.org">ok</a>' in out and '<a href="../a.html">rel</a>' in out
    assert env.from_string("{{ d | longdate }} {{ d | isodate }} {{ 2 | plural('quote') }}").render(
        d=dt.date(2024, 3, 9)) == "9 March 2024 2024-03-09 2 quotes"


def _site_of_many_pages():
    people = [person(f"Person {chr(65 + i)}") for i in range(26)]
    return build_site([briefing(f"b{i}", dt.date(2020, 1, 1 + i % 28), people[i % 20:i % 20 + 6]) for i in range(50)])


@pytest.fixture()
def forks(monkeypatch) -> list[int]:
    """The pids of the renderers forked during the test (pytest's own threads never render)."""
    import os
    import threading

    pids: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    return pids


def _reaped(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_rendering_in_several_processes_gives_the_same_outputs_in_the_same_order(forks):
    site = _site_of_many_pages()
    serial = [(o.path, o.data) for o in render_site(site, theme_dirs(None))]
    parallel = [(o.path, o.data) for o in render_site(site, theme_dirs(None), processes=3)]
    assert len(forks) == 2 and parallel == serial
    assert all(_reaped(pid) for pid in forks)


def test_a_template_error_in_another_process_is_the_same_error(forks, tmp_path: Path):
    # person-k's page falls to the forked renderer (the deal is a fixed hash of the page's position).
    site = _site_of_many_pages()
    (tmp_path / "entity.html").write_text(
        "{% extends 'base.html' %}{% block main %}{% if entity.slug == 'person-k' %}{{ no_such_value }}"
        "{% endif %}{{ entity.name }}{% endblock %}"
    )
    messages = []
    for processes in (1, 2):
        with pytest.raises(RenderError) as raised:
            list(render_site(site, theme_dirs(tmp_path), processes=processes))
        messages.append(str(raised.value))
    assert len(forks) == 1 and messages[0] == messages[1] and "no_such_value" in messages[0]
    assert _reaped(forks[0])


def test_stopping_early_leaves_no_renderer_behind(forks):
    outputs = render_site(_site_of_many_pages(), theme_dirs(None), processes=2)
    first = [next(outputs) for _ in range(5)]
    outputs.close()
    assert len(first) == 5 and len(forks) == 1 and _reaped(forks[0])


@pytest.mark.parametrize("value", [
    [], {}, [[]], {"a": {}}, None, True, 0, -7, 1.5, float("inf"), "", "é \"q\" \\ </script> \u2028",
    {"slug": "x", "tags": ["a", "b"], "actors": [{"name": "Ann", "aliases": [], "mentions": 3, "slug": None}],
     "extra": {"n": 2, "ok": False, "nested": [[1, "two"], {"3": None}]}},
    {1: "int key", "s": "x"}, {"t": (1, "tuple")}, [1, [2, [3, [4]]]],
])
def test_json_text_is_exactly_the_indented_json_dumps(value):
    import json

    from briefgen.render import json_text

    assert json_text(value) == json.dumps(value, ensure_ascii=False, indent=1)
    assert json_text(value, "\n  ") == json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n  ")


def _briefings_json(site, items, digests=None) -> bytes:
    from briefgen.render import Output, Renderer, Spooled

    renderer = Renderer(theme_dirs(None), list_items=items)
    if digests is not None:
        renderer.record_digest = digests().record  # as the engine sets it: a build's digests
    output = renderer.briefings_json(site)
    if items is None:
        assert isinstance(output, Output)
        return output.data
    assert isinstance(output, Spooled)  # written to the items folder, never held in memory
    data = Path(output.file).read_bytes()
    assert hashlib.sha256(data).digest() == output.sha256
    return data


@pytest.mark.parametrize("keyed_by", ["record", "digest"])
def test_briefings_json_reuses_the_items_of_the_last_render_and_stays_the_plain_dump(
    tmp_path: Path, monkeypatch, keyed_by: str
):
    import json

    from briefgen import render
    from briefgen.engine import Digests
    from briefgen.render import JsonItems

    digests = Digests if keyed_by == "digest" else None

    def filed(slug: str, date: dt.date | None, actors: list) -> object:
        # An article is its file: another date is other bytes (the engine's digest of an article is of those).
        b = briefing(slug, date, actors)
        sha256 = hashlib.sha256(f"{slug} {date}".encode()).hexdigest()
        return dataclasses.replace(b, article=dataclasses.replace(b.article, sha256=sha256))

    people = [person("Ann Lee"), person("Bo Diaz"), person("Cy Moor")]
    days = [dt.date(2021, 3, d) for d in range(1, 9)]
    first = build_site([filed(f"b{i}", d, people[i % 3:]) for i, d in enumerate(days)])
    items = JsonItems(tmp_path / "items")
    data = _briefings_json(first, items, digests)
    assert data == _briefings_json(first, None)
    assert json.loads(data)[0]["slug"] == "b7"

    # One briefing edited, one gone, one new, and a date moved so the order changes: only those encoded again.
    edited = [filed(f"b{i}", d, people[i % 3:]) for i, d in enumerate(days) if i != 2]
    edited[3] = filed("b4", dt.date(2021, 3, 5), [person("Di Ruiz")])
    edited[0] = filed("b0", dt.date(2021, 3, 30), people)
    edited.append(filed("new", None, people[:1]))
    second = build_site(edited)
    expected = json.dumps(json.loads(_briefings_json(second, None)), ensure_ascii=False, indent=1).encode()
    encoded: list[object] = []
    plain = render.json_text
    def recording(value, pad="\n"):
        if pad == "\n ":  # an item of the list (json_text calls itself for what it holds)
            encoded.append(value["slug"])
        return plain(value, pad)

    monkeypatch.setattr(render, "json_text", recording)
    data = _briefings_json(second, items, digests)
    assert data == expected
    assert sorted(encoded) == ["b0", "b4", "new"]
    encoded.clear()
    assert _briefings_json(second, items, digests) == data and encoded == []


def test_incidents_json_keyed_by_digest_follows_a_renamed_actor_and_copies_the_rest(tmp_path: Path):
    import json

    from briefgen.engine import Digests
    from briefgen.model import Incident
    from briefgen.render import JsonItems, Renderer

    site = build_site([briefing("a", dt.date(2021, 3, 1), [person("Ann Lee")]),
                       briefing("b", dt.date(2021, 3, 2), [person("Bo Diaz")])])
    incidents = {slug: Incident(slug, f"Event {slug}", (slug,), dt.date(2021, 3, 1), dt.date(2021, 3, 1),
                                actors=((actor, 1),)) for slug, actor in (("a", "ann-lee"), ("b", "bo-diaz"))}
    items = JsonItems(tmp_path / "items")

    def rendered(site):
        renderer = Renderer(theme_dirs(None), list_items=items)
        renderer.record_digest = Digests().record  # as the engine sets it: a build's digests
        return json.loads(Path(renderer.incidents_json(site).file).read_bytes())

    first = dataclasses.replace(site, incidents=incidents)
    assert [i["actors"][0]["name"] for i in rendered(first)] == ["Ann Lee", "Bo Diaz"]
    # The same incidents; one actor's page renamed (by the user's curation, say): its name is not the incident's.
    entities = {**site.entities, "ann-lee": dataclasses.replace(site.entities["ann-lee"], name="Ann Lee-Ray")}
    second = dataclasses.replace(site, entities=entities, incidents=incidents)
    assert [i["actors"][0]["name"] for i in rendered(second)] == ["Ann Lee-Ray", "Bo Diaz"]


def test_a_damaged_items_file_costs_only_encoding_again(tmp_path: Path):
    from briefgen.render import JsonItems

    site = build_site([briefing(f"b{i}", dt.date(2021, 3, 1 + i), [person("Ann Lee")]) for i in range(5)])
    items = JsonItems(tmp_path / "items")
    expected = _briefings_json(site, None)
    _briefings_json(site, items)
    stored = tmp_path / "items" / "briefings.json"
    index = tmp_path / "items" / "briefings.json.index"
    for damaged in (stored, index):
        for damage in (damaged.read_bytes()[:-5], b"", b"not an items file at all, just some bytes of junk"):
            damaged.write_bytes(damage)
            assert _briefings_json(site, items) == expected
    assert _briefings_json(site, items) == expected


def test_a_list_file_edited_in_place_through_its_link_is_not_copied_from(tmp_path: Path):
    # The site publishes the items file itself (a hard link): an edit of the published briefings.json in place
    # edits the items file too. Its bytes may even keep their length; the next render must not copy from them.
    from briefgen.render import JsonItems

    site = build_site([briefing(f"b{i}", dt.date(2021, 3, 1 + i), [person("Ann Lee")]) for i in range(5)])
    items = JsonItems(tmp_path / "items")
    expected = _briefings_json(site, items)
    stored = tmp_path / "items" / "briefings.json"
    time.sleep(0.05)  # past the file system's clock tick: the edit gets a modification time of its own
    with stored.open("r+b") as f:
        f.write(expected.replace(b"b1", b"X1")[:64])
    assert _briefings_json(site, items) == expected


def test_list_items_written_by_another_version_or_settings_are_not_reused(tmp_path: Path, monkeypatch):
    # A new briefgen (a field added to briefings.json) or other settings make other text of the same items.
    from briefgen import render
    from briefgen.render import JsonItems

    site = build_site([briefing(f"b{i}", dt.date(2021, 3, 1 + i), [person("Ann Lee")]) for i in range(3)])
    _briefings_json(site, JsonItems(tmp_path / "items", "code 1"))
    encoded: list[object] = []
    plain = render.json_text

    def recording(value, pad="\n"):
        if pad == "\n ":
            encoded.append(value["slug"])
        return plain(value, pad)

    monkeypatch.setattr(render, "json_text", recording)
    _briefings_json(site, JsonItems(tmp_path / "items", "code 1"))
    assert encoded == []
    _briefings_json(site, JsonItems(tmp_path / "items", "code 2"))
    assert sorted(encoded) == ["b0", "b1", "b2"]
