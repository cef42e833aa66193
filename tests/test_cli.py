"""The whole path through the command line, as a user runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from briefgen.cli import main, make_parser

from conftest import REPO, SEED, make_project


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src"} and value:
                self.links.append(value)


def internal_links(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return [link for link in parser.links if not urlsplit(link).scheme and not link.startswith(("#", "mailto:"))]


@pytest.mark.nlp
def test_seed_site_shows_statements_with_speakers_and_links_both_ways(site_dir: Path):
    briefing = (site_dir / "briefings" / "canada-balloon.html").read_text(encoding="utf-8")
    assert 'href="../entities/pat-ryder.html">Pat Ryder</a>' in briefing
    assert 'href="../entities/canada.html">Canada</a>' in briefing
    assert "We are confident that this is a Chinese surveillance balloon" in briefing
    assert "Canada’s intelligence and security agencies" in briefing
    ryder = (site_dir / "entities" / "pat-ryder.html").read_text(encoding="utf-8")
    assert 'href="../briefings/canada-balloon.html"' in ryder
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    assert index.index("Storm closes Baltic ferry routes") < index.index("Canada said on Friday")
    dated = re.findall(r'datetime="([\d-]+)"', index)
    assert dated == sorted(dated, reverse=True)  # newest first


@pytest.mark.nlp
def test_every_internal_link_resolves_and_all_links_are_relative(site_dir: Path):
    pages = list(site_dir.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        for link in internal_links(page):
            assert not link.startswith("/"), f"{page}: absolute link {link}"
            target = (page.parent / unquote(urlsplit(link).path)).resolve()
            assert target.is_file(), f"{page.relative_to(site_dir)} links to missing {link}"


@pytest.mark.nlp
def test_briefings_json_matches_the_contract(site_dir: Path):
    records = json.loads((site_dir / "briefings.json").read_text(encoding="utf-8"))
    assert len(records) == 4
    for r in records:
        assert {"slug", "title", "date", "source", "summary", "actors", "quotes", "context"} <= set(r)
        for a in r["actors"]:
            assert set(a) == {"name", "kind", "aliases", "mentions", "slug"}
            assert a["kind"] in {"person", "organization", "place", "group", "other"}
            assert (site_dir / "entities" / f"{a['slug']}.html").is_file()
        for q in r["quotes"]:
            assert set(q) == {"text", "speaker", "speaker_slug", "cue", "start", "end", "partial"}


@pytest.mark.nlp
def test_inspect_prints_json_lines_with_offsets(capsys, tmp_path):
    folder = make_project(tmp_path / "p")
    os.chdir(folder)
    assert main(["inspect", "seeds"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["slug"] for r in records] == sorted(r["slug"] for r in records)
    seed = next(r for r in records if r["slug"] == "canada-balloon")
    assert seed["date"] == "2023-02-03" and seed["source"] == "seeds/canada-balloon.txt"
    raw = SEED.read_text(encoding="utf-8")
    for q in seed["quotes"]:
        assert raw[q["start"] : q["end"]] == q["text"]


@pytest.mark.nlp
def test_build_reports_bad_articles_and_exits_nonzero_but_builds_the_rest(tmp_path, capsys):
    folder = make_project(tmp_path / "p", with_fixtures=False)
    (folder / "seeds" / "broken.txt").write_text(" date 2023-13-01 Bad month.", encoding="utf-8")
    os.chdir(folder)
    assert main(["build", "-q"]) == 1
    err = capsys.readouterr().err
    assert "seeds/broken.txt:1: error: bad date '2023-13-01'" in err
    assert "Traceback" not in err
    assert (folder / "site" / "briefings" / "canada-balloon.html").is_file()


def test_init_lays_out_an_editable_project(tmp_path):
    assert main(["init", str(tmp_path / "new")]) == 0
    assert (tmp_path / "new" / "templates" / "base.html").is_file()
    assert (tmp_path / "new" / "seeds" / "example.txt").is_file()
    assert "title" in (tmp_path / "new" / "briefgen.toml").read_text()
    assert main(["init", str(tmp_path / "new")]) == 1  # never overwrites


def test_help_does_not_import_spacy():
    code = "import sys; from briefgen.cli import main\ntry: main(['build','--help'])\nexcept SystemExit: pass\n" \
           "assert 'spacy' not in sys.modules, 'spacy imported'"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert "--source" in out.stdout and "--strict" in out.stdout


def test_python_dash_m_and_bad_config_key(tmp_path):
    (tmp_path / "briefgen.toml").write_text('titel = "x"\nbatch_size = "big"\n')
    out = subprocess.run([sys.executable, "-m", "briefgen", "build"], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 1
    assert "Config value 'titel': unknown setting" in out.stderr
    assert "Config value 'batch_size': expected an integer" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.nlp
def test_warm_build_does_not_import_spacy(tmp_path):
    folder = make_project(tmp_path / "p", with_fixtures=False)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.run([sys.executable, "-m", "briefgen", "build", "-q"], cwd=folder, env=env,
                           capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    code = ("import sys; from briefgen.cli import main; rc = main(['build', '-q']);"
            "assert 'spacy' not in sys.modules; sys.exit(rc)")
    second = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "0 extracted, 1 from cache" in second.stderr


def test_config_errors_name_the_file_and_line_of_each_key(tmp_path):
    (tmp_path / "briefgen.toml").write_text('# settings\ntitle = "x"\n\ntitel = "y"\nbatch_size = "big"\n')
    out = subprocess.run([sys.executable, "-m", "briefgen", "build"], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 1
    config = tmp_path / "briefgen.toml"
    assert out.stderr.splitlines() == [
        f"error: {config}:4: Config value 'titel': unknown setting (did you mean 'title'?)",
        f"error: {config}:5: Config value 'batch_size': expected an integer, got 'big'",
    ]
    config.write_text('title = "x"\nsearch = tru\n')
    out = subprocess.run([sys.executable, "-m", "briefgen", "build"], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 1 and out.stderr.startswith(f"error: {config}:2: invalid TOML"), out.stderr


@pytest.mark.parametrize("argv", [["build", "--verbose"], ["build", "-v"], ["-v", "build"], ["clean", "--verbose"],
                                  ["inspect", "x.txt", "-v"]])
def test_global_options_work_after_the_command_too(argv):
    args = make_parser().parse_args(argv)
    assert args.verbose is True
    assert make_parser().parse_args([a for a in argv if a not in ("-v", "--verbose")]).verbose is False
