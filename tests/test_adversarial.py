"""Inputs and settings an attacker or an unlucky user would try: each costs one clear line, never the
user's files, the published site or the machine."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cliproc import FAST, built, project, run, tree
from conftest import REPO, SEED

pytestmark = pytest.mark.nlp

# --- denial of service from one Markdown article -----------------------------------------------------------

PATHOLOGICAL = {
    "openers": "[" * 200_000,
    "image-openers": "![" * 100_000,
    "targets": "](" * 100_000,
    "openers-then-targets": "[" * 100_000 + "](" * 50_000,
    "unclosed-links": "[a](b" * 40_000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_markdown_blanking_is_linear_on_pathological_lines(tmp_path, name):
    """Each text pass over a 200 KB line of brackets finishes: the quadratic regexes it replaces took
    minutes at 100 KB. A hang fails through the (generous) timeout; nothing is timed."""
    path = tmp_path / f"{name}.md"
    path.write_text("The council met on Monday.\n\n" + PATHOLOGICAL[name] + "\n", encoding="utf-8")
    code = ("import sys; from pathlib import Path; from briefgen.sources import read_article\n"
            "from briefgen.model import Briefing; from briefgen.sourceview import source_view\n"
            "a, _ = read_article(Path(sys.argv[1]), 'x')\n"
            "for _ in range(3): a.nlp_text\n"
            "source_view(Briefing(a, (), (), (), ()), {}, str, lambda i, q: '').html()\n"
            "print(len(a.nlp_text))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(path.read_text(encoding="utf-8"))


# --- the output folder ------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["notes.txt", "briefgen.toml", "/dev/null", "link"])
def test_out_naming_a_file_or_device_is_refused_and_left_alone(tmp_path, target):
    root = project(tmp_path / "p")
    (root / "notes.txt").write_text("my notes")
    (root / "link").symlink_to("notes.txt")
    before = tree(root)
    done = run(root, "build", "-q", "--out", target)
    assert done.returncode == 1
    assert "it exists and is not a folder" in done.stderr and "Traceback" not in done.stderr
    after = tree(root)
    assert {k: v for k, v in after.items() if not k.startswith(".cache")} == before
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("target", [".cache/site", "seeds/site", ".cache"])
def test_out_inside_the_cache_or_source_is_refused(tmp_path, target):
    root = project(tmp_path / "p")
    built(root)
    done = run(root, "build", "-q", "--out", target, "--force")
    assert done.returncode == 1 and "refusing to use" in done.stderr, done.stderr
    assert not (root / target / "index.html").exists()


# --- clean deletes only what briefgen made -----------------------------------------------------------------


@pytest.mark.parametrize("cache_dir", ["seeds", ".", "templates", "~", ".."])
def test_clean_never_deletes_a_folder_of_the_users(tmp_path, cache_dir):
    home = tmp_path / "home"
    home.mkdir()
    (home / "letter.txt").write_text("dear")
    root = project(tmp_path / "home" / "p", FAST.replace('cache_dir = ".cache"', f'cache_dir = "{cache_dir}"'))
    (root / "templates").mkdir()
    (root / "templates" / "base.html").write_text("{% block main %}{% endblock %}")
    before = tree(tmp_path)
    done = run(root, "clean", env={"HOME": str(home)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "not deleting" in done.stderr
    assert tree(tmp_path) == before


def test_clean_removes_the_site_and_cache_it_made_and_keeps_user_files(tmp_path):
    root = project(tmp_path / "p")
    (root / "site").mkdir()
    (root / "site" / "CNAME").write_text("example.org")
    (root / "site" / "notes").mkdir()
    (root / "site" / "notes" / "mine.txt").write_text("mine")
    done = run(root, "build", "-q", "--force")
    assert done.returncode == 0, done.stderr
    (root / ".cache" / "my-notes.txt").write_text("not briefgen's")
    done = run(root, "clean")
    assert done.returncode == 0, done.stderr
    assert tree(root / "site") == {"CNAME": b"example.org", "notes/mine.txt": b"mine"}
    assert sorted(p.name for p in (root / ".cache").iterdir()) == ["my-notes.txt"]
    assert "kept 2 files briefgen did not write" in done.stdout
    (root / ".cache" / "my-notes.txt").unlink()
    built(root, "--force")  # the folder holds only the user's files now: briefgen's to fill only when told
    assert run(root, "clean").returncode == 0
    assert not (root / ".cache").exists()
    assert tree(root / "site") == {"CNAME": b"example.org", "notes/mine.txt": b"mine"}


def test_a_user_file_that_cannot_be_hard_linked_is_copied_into_the_new_site(tmp_path):
    if Path("/proc/sys/fs/protected_hardlinks").read_text().strip() != "1":
        pytest.skip("fs.protected_hardlinks is off: every file can be linked")
    if os.geteuid() != 0:
        pytest.skip("needs root to make a file owned by another user")
    root = project(tmp_path / "p")
    os.chmod(tmp_path, 0o777)
    os.chmod(root, 0o777)
    built(root)
    cname = root / "site" / "CNAME"
    cname.write_text("example.org")
    os.chown(cname, 54321, 54321)
    cname.chmod(0o600)  # another user's file, not readable by us: protected_hardlinks refuses a link
    done = run(root, "build", "-q", "--base-url", "https://example.org/", unprivileged=True)
    # Unreadable too, so it can neither be linked nor copied: the old site (and the file) stay.
    assert done.returncode == 1 and "cannot carry" in done.stderr and "CNAME" in done.stderr, done.stderr
    assert cname.read_text() == "example.org"
    cname.chmod(0o644)  # readable now, still not linkable: copied
    done = run(root, "build", "-q", "--base-url", "https://example.org/", unprivileged=True)
    assert done.returncode == 0, done.stderr
    assert (root / "site" / "CNAME").read_text() == "example.org"
    assert "sitemap.xml" in os.listdir(root / "site")


# --- symlink loops ------------------------------------------------------------------------------------------


def test_a_symlink_loop_is_one_line_and_the_rest_is_built(tmp_path):
    root = project(tmp_path / "p")
    seeds = root / "seeds"
    (seeds / "loop.txt").symlink_to("loop.txt")
    (seeds / "a.md").symlink_to("b.md")
    (seeds / "b.md").symlink_to("a.md")
    (seeds / "sub").mkdir()
    (seeds / "sub" / "up").symlink_to("..")  # a folder loop: never entered
    done = run(root, "build", "-q")
    assert done.returncode == 1, done.stderr
    problems = sorted(line for line in done.stderr.splitlines() if ": error: " in line)
    assert problems == [f"seeds/{n}: error: symlink loop; skipped" for n in ("a.md", "b.md", "loop.txt")]
    assert (root / "site" / "briefings" / "canada-balloon.html").is_file()


def test_a_symlink_loop_made_while_serving_is_reported_without_a_traceback(tmp_path, nlp_provider):
    from briefgen.config import load_config
    from briefgen.engine import Change, LiveBuilder

    root = project(tmp_path / "p")
    builder = LiveBuilder(lambda: load_config(root=root), nlp=nlp_provider)
    assert builder.rebuild().snapshot is not None
    (root / "seeds" / "loop.md").symlink_to("loop.md")
    outcome = builder.rebuild(Change.ARTICLES, [str(root / "seeds" / "loop.md")])
    assert outcome.snapshot is not None
    assert [str(p) for p in outcome.problems] == ["seeds/loop.md: symlink loop; skipped"]


# --- amplification -------------------------------------------------------------------------------------------


def test_tags_per_article_and_title_length_are_bounded_with_a_warning(tmp_path):
    root = project(tmp_path / "p")
    tags = ", ".join(f"t{i}" for i in range(5000))
    (root / "seeds" / "tags.md").write_text(
        f"---\ntitle: \"{'Long title ' * 2000}\"\ntags: [{tags}]\n---\n\nThe port of Hull closed on Monday.\n")
    done = run(root, "build", "-q")
    assert done.returncode == 0, done.stderr
    assert "seeds/tags.md: warning: front matter: 5,000 tags; only the first 50 are used" in done.stderr
    assert "seeds/tags.md: warning: title is 21,999 characters; cut to 300" in done.stderr
    assert len(list((root / "site" / "tags").iterdir())) == 51  # 50 tags and the index
    record = next(b for b in json.loads((root / "site" / "briefings.json").read_text()) if b["slug"] == "tags")
    assert len(record["title"]) <= 301 and record["title"].endswith("…")


# --- environment failures -----------------------------------------------------------------------------------


def test_a_read_only_parent_folder_is_one_line_naming_it(tmp_path):
    root = project(tmp_path / "p")
    (root / "locked").mkdir()
    (root / "locked").chmod(0o555)
    try:
        done = run(root, "build", "-q", "--out", "locked/site", unprivileged=True)
    finally:
        (root / "locked").chmod(0o755)
    assert done.returncode == 1, done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "locked" in line and "Permission denied" in line and "internal error" not in done.stderr


def test_a_full_disk_is_one_line_naming_the_file(tmp_path):
    root = project(tmp_path / "p")
    built(root)
    (root / "seeds" / "more.txt").write_text(SEED.read_text(encoding="utf-8").replace("balloon", "kite"))

    def small_files() -> None:  # as if the disk filled up: every write past 4 KB fails
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4_000, 4_000))

    before = tree(root / "site")
    done = run(root, "build", "-q", preexec_fn=small_files)
    assert done.returncode == 1, done.stderr
    (line,) = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert "File too large" in line and str(root) in line, line
    assert tree(root / "site") == before


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_a_bad_port_is_one_line(tmp_path, port):
    root = project(tmp_path / "p")
    done = run(root, "serve", "--port", port)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == f"error: --port {port}: a port is 0 to 65535 (0 picks a free one)"


# --- smaller ------------------------------------------------------------------------------------------------


def test_a_newline_in_a_file_name_cannot_fake_a_line(tmp_path):
    root = project(tmp_path / "p")
    (root / "seeds" / "x\nBuilt: 99 articles.txt").write_text("date 2024-13-01 Bad month.\n")
    done = run(root, "build", "-q")
    assert done.returncode == 1
    assert not any(line.startswith("Built: 99") for line in done.stderr.splitlines())
    assert '"seeds/x\\nBuilt: 99 articles.txt":1: error: bad date' in done.stderr


def test_old_mac_line_endings_give_a_headline_and_paragraphs(tmp_path):
    root = project(tmp_path / "p", seed=False)
    text = "Storm closes the port\r\rThe port of Hull closed on Monday.\r\rFerries stayed in harbour.\r"
    (root / "seeds" / "mac.txt").write_bytes(text.encode("ascii"))
    site = built(root)
    (record,) = json.loads(site["briefings.json"])
    assert record["title"] == "Storm closes the port"
    page = site["briefings/mac.html"].decode()
    paragraphs = [re.sub(r"<[^>]+>", "", p) for p in re.findall(r'<p id="p-\d+">(.*?)</p>', page, re.S)]
    assert paragraphs == ["The port of Hull closed on Monday.", "Ferries stayed in harbour."]


@pytest.mark.parametrize("value", ["2024-05-05Tgarbage", "2024-05-05 noon", "2024-05-05T25:00"])
def test_dates_are_parsed_strictly(tmp_path, value):
    root = project(tmp_path / "p")
    (root / "seeds" / "d.md").write_text(f"---\ndate: {value}\n---\n\nThe port closed.\n")
    done = run(root, "build", "-q")
    assert done.returncode == 1
    assert f"seeds/d.md: error: bad date '{value}'" in done.stderr, done.stderr


def test_a_full_iso_date_and_time_is_a_date(tmp_path):
    root = project(tmp_path / "p", seed=False)
    (root / "seeds" / "d.md").write_text("---\ndate: 2024-05-05T10:30:00Z\n---\n\nThe port closed.\n")
    site = built(root)
    assert json.loads(site["briefings.json"])[0]["date"] == "2024-05-05"


def test_nested_and_quoted_lists_in_tags(tmp_path):
    root = project(tmp_path / "p", seed=False)
    (root / "seeds" / "t.md").write_text('---\ntags: [storm, [port, "Hull, UK"], \'it\'\'s\']\n---\n\nThe port closed.\n')
    done = run(root, "build", "-q")
    assert "seeds/t.md: warning: front matter line 2: nested list in 'tags' flattened" in done.stderr
    (record,) = json.loads((root / "site" / "briefings.json").read_text())
    assert record["tags"] == ["storm", "port", "Hull, UK", "it's"]


# --- one link policy for all Markdown ------------------------------------------------------------------------

BAD_LINKS = ["ms-msdt:id%20PCWDiagnostic", "search-ms:query=x", "intent://scan/#Intent;end", "data:text/html,x",
             "javascript:alert(1)", "file:///etc/passwd", "vbscript:x", "jar:http://x!/"]


def test_entity_descriptions_refuse_the_link_schemes_article_markdown_refuses(tmp_path):
    root = project(tmp_path / "p")
    links = " ".join(f"[l{i}]({url}) ![i{i}]({url})" for i, url in enumerate(BAD_LINKS))
    (root / "entities.toml").write_text(
        f'[entity."Pat Ryder"]\ndescription = """Pentagon spokesman. {links} [ok](https://example.org/ryder)"""\n')
    (root / "seeds" / "links.md").write_text(f"The port of Hull closed.\n\n{links}\n")
    site = built(root)
    for page in ("entities/pat-ryder.html", "briefings/links.html"):
        html = site[page].decode()
        for url in BAD_LINKS:
            assert f'href="{url}' not in html and f'src="{url}' not in html, (page, url)
    assert 'href="https://example.org/ryder"' in site["entities/pat-ryder.html"].decode()


# --- token-dense articles ---------------------------------------------------------------------------------------


def test_token_dense_articles_are_analysed_up_to_a_token_bound(tmp_path):
    root = project(tmp_path / "p")
    (root / "seeds" / "dense.txt").write_text("The port of Hull closed on Monday.\n\n" + "a " * 45_000 + "\n")
    done = run(root, "build", "-q")
    assert done.returncode == 0, done.stderr
    match = re.search(r"seeds/dense.txt: warning: article is 90,037 characters; only the first ([\d,]+) are analysed",
                      done.stderr)
    assert match, done.stderr
    assert int(match[1].replace(",", "")) < 60_000


# --- invisible and bidi characters ------------------------------------------------------------------------------


def test_invisible_and_bidi_characters_never_reach_names_titles_or_listings(tmp_path):
    root = project(tmp_path / "p")
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("Pat Ryder", "Pat Ry\u200bder", 1).replace("Ryder", "\u202eRyder\u202c", 1)
    (root / "seeds" / "spoof.txt").write_text(text)
    (root / "seeds" / "rtl.md").write_text("---\ntitle: \"Storm \u202ecloses the port\"\n---\n\nThe port of Hull closed.\n")
    site = built(root)
    records = json.loads(site["briefings.json"])
    invisible = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
    for record in records:
        assert not invisible.search(record["title"])
        for actor in record["actors"]:
            assert not invisible.search(actor["name"] + "".join(actor["aliases"])), actor
    spoofed = next(r for r in records if r["slug"] == "spoof")
    assert "Pat Ryder" in [a["name"] for a in spoofed["actors"]]
    assert json.loads(site["entities/pat-ryder.json"])["name"] == "Pat Ryder"
    assert "<bdi>Storm closes the port</bdi>" in site["index.html"].decode()
