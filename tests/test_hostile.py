"""A folder of hostile articles: every bad file costs one clear line, good ones still build, nothing runs."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefgen import cli
from briefgen.build import NlpProvider, build
from briefgen.config import load_config
from briefgen.extract import MAX_NLP_CHARS
from briefgen.graph import build_site
from briefgen.model import Actor, Article, Briefing, EntityKind, Paragraph, pack_bounds
from briefgen.render import render_site, theme_dirs
from briefgen.sources import MAX_FILE_BYTES

from conftest import REPO, SEED

pytestmark = pytest.mark.nlp
THEME = REPO / "templates"

XSS_MD = """---
title: "<script>alert(1)</script>"
source: "<img src=x onerror=alert(2)>"
tags: ["<b>t</b>", "x\\u0001y"]
---
<script>alert(3)</script>

[a](javascript:alert(4)) ![i](javascript:alert(5)) <javascript:alert(6)> [r][1] <img src=x onerror=alert(7)>
[e](&#106;avascript:alert(13)) [d](data:text/html,<script>alert(14)</script>) [v](vbscript:alert(15))

[1]: JaVaScRiPt:alert(8)

The mayor <b onclick=alert(9)>John Smith</b> said "<script>alert(10)</script> is here" on Monday.\x01\x0b\ufffe
"""

XSS_TXT = """<script>alert(11)</script> "><svg onload=alert(16)>

John <img src=x onerror=alert(12)> Smith of <script>alert(1)</script> Corp said "we are ../../etc/passwd" on Friday.
"""


def write_hostile(root: Path) -> Path:
    """A project whose seeds/ holds good articles next to every kind of bad one."""
    seeds = root / "seeds"
    seeds.mkdir(parents=True)
    (root / "briefgen.toml").write_text('n_process = 1\ncache_dir = ".cache"\n', encoding="utf-8")
    (seeds / "good.txt").write_bytes(SEED.read_bytes())
    (seeds / "cp1252.txt").write_bytes(
        "The caf\u00e9 owner said \u201cit burned all night\u201d on Monday.\n\nThe fire spread east.".encode("cp1252"))
    (seeds / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (seeds / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with open(seeds / "huge.txt", "wb") as f:  # sparse: 20 MB on paper, nothing on disk
        f.truncate(20_000_000)
    (seeds / "one-line.txt").write_text("The council said the road was closed. " * 2700, encoding="utf-8")
    (seeds / "quotes.txt").write_text(
        'He said "one \u201ctwo \u201cthree" and \u201dfour\u201c today.\n\n"unclosed here\n\n'
        '\u00ab nested \u201c deep \u201d \u00bb she said. \u201d\u201d\u201c"', encoding="utf-8")
    (seeds / "bad-date.txt").write_text("date 2023-02-30 Something happened.\n", encoding="utf-8")
    (seeds / "bad-front.md").write_text("---\ntitle: ok\nnot a key line\n---\nBody.\n", encoding="utf-8")
    (seeds / "no-close.md").write_text("---\ntitle: ok\nBody.\n", encoding="utf-8")
    (seeds / "Dup Slug.txt").write_text("The first article with this slug was filed.\n", encoding="utf-8")
    (seeds / "dup-slug.md").write_text("The second article with this slug was filed.\n", encoding="utf-8")
    (seeds / "with spaces.txt").write_text("Police said the bridge with spaces reopened.\n", encoding="utf-8")
    (seeds / "\u00fcn\u00efc\u00f6d\u00e9 \u6587.txt").write_text("The unicode article was filed.\n", encoding="utf-8")
    (seeds / ".hidden.txt").write_text("A hidden draft that must not be published.\n", encoding="utf-8")
    (seeds / ".drafts").mkdir()
    (seeds / ".drafts" / "draft.txt").write_text("A draft in a hidden folder.\n", encoding="utf-8")
    (root / "secret.txt").write_text("SECRET-OUTSIDE-TEXT", encoding="utf-8")
    os.symlink(root / "secret.txt", seeds / "escape.txt")
    (seeds / "xss.md").write_text(XSS_MD, encoding="utf-8")
    (seeds / "xss-text.txt").write_text(XSS_TXT, encoding="utf-8")
    os.mkfifo(seeds / "pipe")  # reading it would block the build forever
    os.symlink("pipe", seeds / "pipe.txt")
    (seeds / "locked.txt").write_text("A locked article.\n", encoding="utf-8")
    (seeds / "locked.txt").chmod(0)
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The hostile project built once through the real command line."""
    root = write_hostile(tmp_path_factory.mktemp("hostile") / "project")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    run = subprocess.run([sys.executable, "-m", "briefgen", "build"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=600)
    return root, run


def test_each_bad_file_gets_one_line_naming_it_and_the_build_fails(hostile):
    root, run = hostile
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    lines = run.stderr.splitlines()
    expected = {
        "seeds/bad-date.txt:1: error: bad date '2023-02-30'",
        "seeds/bad-front.md:3: error: front matter: expected 'key: value'",
        "seeds/no-close.md:1: error: front matter: no closing '---'",
        "seeds/binary.txt: error: binary file",
        "seeds/cp1252.txt: warning: not valid UTF-8 (first bad byte on line 1); decoded as cp1252",
        "seeds/dup-slug.md: error: slug 'dup-slug' already used by seeds/Dup Slug.txt",
        "seeds/empty.txt: error: empty article",
        "seeds/pipe.txt: error: not a regular file",
        "seeds/escape.txt: error: symlink points outside the source folder",
        f"seeds/huge.txt: error: file is 20.0 MB, over the {MAX_FILE_BYTES // 1_000_000} MB limit",
        f"seeds/one-line.txt: warning: article is 102,600 characters; only the first {MAX_NLP_CHARS:,} are analysed",
    }
    if os.geteuid() != 0:  # root reads chmod 000 files anyway
        expected.add("seeds/locked.txt: error: cannot read: Permission denied")
    for start in expected:
        assert sum(line.startswith(start) for line in lines) == 1, (start, run.stderr)
    problems = [line for line in lines if ": error: " in line or ": warning: " in line]
    assert len(problems) == len(expected), run.stderr
    assert "hidden" not in run.stderr and "draft" not in run.stderr  # dotfiles are skipped silently
    assert "Built with problems" in run.stdout


def test_good_articles_are_published_and_bad_ones_are_not(hostile):
    root, _ = hostile
    briefings = root / "site" / "briefings"
    built = sorted(p.name for p in briefings.iterdir())
    for name in ("good.html", "cp1252.html", "one-line.html", "quotes.html", "dup-slug.html",
                 "with-spaces.html", "unicode.html", "xss.html", "xss-text.html"):
        assert name in built
    for name in ("empty.html", "binary.html", "huge.html", "bad-date.html", "bad-front.html", "escape.html",
                 "hidden.html", "draft.html"):
        assert name not in built
    assert "The first article" in (briefings / "dup-slug.html").read_text(encoding="utf-8")
    assert "caf\u00e9 owner" in (briefings / "cp1252.html").read_text(encoding="utf-8")
    assert "Canada" in (briefings / "good.html").read_text(encoding="utf-8")


class _Audit(HTMLParser):
    """Collects every element and attribute a page really has, as a browser would parse it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        theme_search_form = tag == "form" and (dict(attrs).get("action") or "").endswith("search.html")
        theme_chart = tag == "svg" and dict(attrs).get("class") in {"chart", "spark"}  # built by briefgen/charts.py
        if tag in {"iframe", "object", "embed", "svg", "math", "base", "form"} and not (theme_search_form or theme_chart):
            self.problems.append(f"<{tag}> element")
        if tag == "script":
            # The theme's own scripts only: a file under assets/, a JSON data block, or inline code that
            # is verbatim in a theme template (checked when the element ends).
            values = dict(attrs)
            src, kind = values.get("src"), values.get("type")
            if src is not None and not src.lstrip("./").startswith(("assets/", "pagefind/")):
                self.problems.append(f"<script src={src!r}>")
            self.script = None if src is not None or kind == "application/json" else []
        for name, value in attrs:
            if name.startswith("on") or name in {"srcdoc", "formaction"}:
                self.problems.append(f"{name}= attribute on <{tag}>")
            if name in {"href", "src", "action", "xlink:href"} and value is not None:
                scheme = "".join(value.split()).lower().split(":", 1)[0]
                if ":" in value and scheme not in {"http", "https", "mailto"}:
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            # Escaped article text may sit in plain attributes (a meta description); never in ones that run or load.
            if value and "alert(" in value and name in {"href", "src", "action", "style", "xlink:href"}:
                self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_data(self, data: str) -> None:
        if "alert(" in data and self.lasttag == "script":
            self.problems.append("payload inside a script")
        if self.script is not None:
            self.script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            code = "".join(self.script).strip()
            if code and not any(code in t.read_text(encoding="utf-8") for t in THEME.rglob("*.html")):
                self.problems.append(f"inline <script> not from the theme: {code[:60]!r}")
        self.script = None


def test_no_injected_markup_anywhere_in_the_output(hostile):
    root, _ = hostile
    site = root / "site"
    pages = list(site.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        audit = _Audit()
        audit.feed(text)
        audit.close()
        assert not audit.problems, (page, audit.problems)
        assert not any(c in text for c in "\x00\x01\x0b\ufffe"), page
    for feed in site.rglob("*.xml"):
        ET.parse(feed)  # well-formed: no raw control characters or markup from article text
    xss = (site / "briefings" / "xss.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xss  # shown as text, not run
    every_file = b"".join(p.read_bytes() for p in site.rglob("*") if p.is_file())
    assert b"SECRET-OUTSIDE-TEXT" not in every_file


def test_strict_fails_on_warnings_only_and_verbose_shows_tracebacks(tmp_path, monkeypatch, capsys,
                                                                     nlp_provider: NlpProvider):
    monkeypatch.setattr("briefgen.build.NlpProvider", lambda model: nlp_provider)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "cp1252.txt").write_bytes("The caf\u00e9 reopened on Monday, police said.".encode("cp1252"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "briefgen.toml").write_text("n_process = 1\n", encoding="utf-8")
    assert cli.main(["build", "-q"]) == 0
    assert cli.main(["build", "-q", "--strict"]) == 1
    assert "warning: not valid UTF-8" in capsys.readouterr().err

    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("briefgen.build.build_site", boom, raising=False)
    monkeypatch.setattr("briefgen.graph.build_site", boom)
    assert cli.main(["build", "-q"]) == 2
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: bug" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        cli.main(["--verbose", "build", "-q"])


def test_broken_template_names_file_line_and_expression(tmp_path, monkeypatch, capsys, nlp_provider):
    monkeypatch.setattr("briefgen.build.NlpProvider", lambda model: nlp_provider)
    seeds, templates = tmp_path / "seeds", tmp_path / "templates"
    seeds.mkdir()
    templates.mkdir()
    (seeds / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "briefgen.toml").write_text("n_process = 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for body, message in [
        ("{{ site.title | nosuchfilter }}", "No filter named 'nosuchfilter'"),
        ("{{ site.nosuch.attr }}", "has no attribute 'nosuch'"),
        ("{% if %}", "Expected an expression"),
    ]:
        (templates / "index.html").write_text(f'{{% extends "base.html" %}}\n{{% block main %}}\n<p>{body}</p>\n'
                                              "{% endblock %}\n", encoding="utf-8")
        assert cli.main(["build", "-q"]) == 1
        err = capsys.readouterr().err.strip()
        assert "Traceback" not in err
        assert err.startswith(f"error: {templates / 'index.html'}:3: "), err
        assert message in err and f"in: <p>{body}</p>" in err, err
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize("name", ["<script>alert(1)</script>", "../../etc/passwd", "..", "/", "\u202e\x00"])
def test_hostile_entity_names_get_a_harmless_slug_and_page(tmp_path, name):
    from briefgen.urls import slugify

    slug = slugify(name)
    actor = Actor(name=name, kind=EntityKind.PERSON, aliases=(), mentions=3, slug=slug)
    text = "Someone said something."
    article = Article(slug="a", title="A", date=None, source="a.txt", raw=text,
                      bounds=pack_bounds((Paragraph(text, 0, len(text)),)), sha256="0")
    site = build_site([Briefing(article, (text,), (actor,), (), ())], title="T")
    outputs = {o.path: o.data for o in render_site(site, theme_dirs(None))}
    assert f"entities/{slug}.html" in outputs
    assert all(".." not in p.split("/") and not p.startswith("/") for p in outputs)
    for path, data in outputs.items():
        if path.endswith(".html"):
            audit = _Audit()
            audit.feed(data.decode("utf-8"))
            assert not audit.problems, (path, audit.problems)
            assert "<script>alert" not in data.decode("utf-8")


def test_build_reads_nothing_outside_its_folders(tmp_path, nlp_provider):
    """The source folder may hold a symlinked folder pointing elsewhere: its files are refused too."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "leak.txt").write_text("LEAKED text from outside, the police said.", encoding="utf-8")
    seeds = tmp_path / "project" / "seeds"
    seeds.mkdir(parents=True)
    (seeds / "a.txt").write_bytes(SEED.read_bytes())
    os.symlink(outside, seeds / "linked")
    config = load_config(root=tmp_path / "project", cache_dir=str(tmp_path / "cache"), n_process=1)
    result = build(config, nlp=nlp_provider)
    published = b"".join(p.read_bytes() for p in config.out.rglob("*") if p.is_file())
    assert b"LEAKED" not in published
    assert all(d.path.startswith("seeds/") for d in result.diagnostics)


def test_xml_safe_filter_keeps_feeds_well_formed():
    from briefgen.render import make_env

    env = make_env([])
    template = env.from_string("<feed><title>{{ title | xml_safe }}</title></feed>")
    hostile_title = "A\x00B\x01\x0b\x1f\ufffe\ud800 <script>alert(1)</script> & \u2028 é\t\n"
    feed = ET.fromstring(template.render(title=hostile_title))
    assert feed.find("title").text == "AB <script>alert(1)</script> & \u2028 é\t\n"


def test_a_template_error_far_along_a_long_line_shows_the_whole_expression(tmp_path, monkeypatch, capsys,
                                                                           nlp_provider):
    monkeypatch.setattr("briefgen.build.NlpProvider", lambda model: nlp_provider)
    (tmp_path / "seeds").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "seeds" / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "briefgen.toml").write_text("n_process = 1\nsearch = false\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    filler = "<span>filler</span> " * 20
    expression = "{{ site.title | replace('a', 'b') | nosuchfilter(1, 2) }}"
    (tmp_path / "templates" / "index.html").write_text(
        f'{{% extends "base.html" %}}{{% block main %}}<p>{filler}{{{{ site.title }}}} {filler}{expression}'
        f" {filler}</p>{{% endblock %}}\n", encoding="utf-8")
    assert cli.main(["build", "-q"]) == 1
    err = capsys.readouterr().err.strip()
    assert "No filter named 'nosuchfilter'" in err and " in: ..." in err and expression in err, err
