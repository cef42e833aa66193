from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefgen.errors import OutputError
from briefgen.render import Output
from briefgen.write import MANIFEST, build_lock, check_output_folder, publish, recover


def test_publish_replaces_site_removes_stale_and_keeps_unchanged_mtimes(tmp_path: Path):
    out = tmp_path / "site"
    publish([Output("index.html", b"one"), Output("a/old.html", b"old"), Output("same.css", b"x")], out)
    os.utime(out / "same.css", (1_000_000, 1_000_000))
    result = publish([Output("index.html", b"two"), Output("same.css", b"x")], out)
    assert (out / "index.html").read_bytes() == b"two"
    assert not (out / "a" / "old.html").exists()
    assert (out / "same.css").stat().st_mtime == 1_000_000
    assert (result.written, result.unchanged, result.removed) == (2, 1, 1)  # index.html and the manifest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging or retired folder left


def test_two_outputs_for_one_path_fail_and_leave_the_old_site(tmp_path: Path):
    out = tmp_path / "site"
    publish([Output("index.html", b"good")], out)
    with pytest.raises(OutputError, match="two pages"):
        publish([Output("index.html", b"a"), Output("index.html", b"b")], out)
    assert (out / "index.html").read_bytes() == b"good"
    assert not any(p.name.startswith(".site.staging") for p in tmp_path.iterdir())


@pytest.mark.parametrize("bad", ["../x.html", "/etc/x", "a/../../x", "a//b"])
def test_paths_outside_the_output_folder_are_refused(tmp_path: Path, bad: str):
    with pytest.raises(OutputError):
        publish([Output(bad, b"x")], tmp_path / "site")
    assert not (tmp_path / "x.html").exists()


def test_files_briefgen_did_not_write_survive_rebuilds(tmp_path: Path):
    out = tmp_path / "site"
    publish([Output("index.html", b"1")], out)
    (out / "CNAME").write_text("example.org")
    (out / "a").mkdir()
    (out / "a" / "mine.txt").write_text("notes")
    (out / "link").symlink_to("a")
    (out / "index2.html").write_text("user file, same name as a later page")
    publish([Output("index.html", b"2")], out)
    publish([Output("index.html", b"3"), Output("index2.html", b"page")], out)
    assert (out / "CNAME").read_text() == "example.org"
    assert (out / "a" / "mine.txt").read_text() == "notes" and os.readlink(out / "link") == "a"
    assert (out / "index2.html").read_bytes() == b"page"
    publish([Output("index.html", b"4")], out)
    assert not (out / "index2.html").exists()  # now briefgen's own file: removed when no longer built


def test_interrupted_swap_is_recovered(tmp_path: Path):
    out = tmp_path / "site"
    publish([Output("index.html", b"old")], out)
    os.rename(out, tmp_path / ".site.old")  # killed between the two renames
    (tmp_path / ".site.staging").mkdir()
    recover(out)
    assert (out / "index.html").read_bytes() == b"old"
    assert not (tmp_path / ".site.staging").exists()


def test_refuses_dangerous_or_foreign_output_folders(tmp_path: Path):
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("mine")
    with pytest.raises(OutputError, match="not created by briefgen"):
        check_output_folder(foreign)
    with pytest.raises(OutputError):
        check_output_folder(Path.home())
    with pytest.raises(OutputError):
        check_output_folder(tmp_path, forbidden=[tmp_path / "seeds"])
    ours = tmp_path / "site"
    publish([Output("index.html", b"x")], ours)
    assert (ours / MANIFEST).is_file()
    check_output_folder(ours)  # ours to replace


def test_second_build_is_refused_while_one_holds_the_lock(tmp_path: Path):
    out = tmp_path / "site"
    with build_lock(out):
        with pytest.raises(OutputError, match="another briefgen build"):
            with build_lock(out):
                pass
    with build_lock(out):  # released
        pass


@pytest.mark.parametrize("case", ["root", "home", "slash", "source", "templates", "inside-source",
                                  "inside-templates", "parent-of-source", "link-to-root", "link-to-home"])
def test_every_dangerous_output_folder_is_refused_even_with_force(tmp_path: Path, case: str):
    root = tmp_path / "project"
    source, templates = root / "seeds", root / "templates"
    source.mkdir(parents=True)
    templates.mkdir()
    (root / "link-root").symlink_to(root)
    (root / "link-home").symlink_to(Path.home())
    out = {
        "root": root, "home": Path.home(), "slash": Path("/"), "source": source, "templates": templates,
        "inside-source": source / "site", "inside-templates": templates / "out", "parent-of-source": tmp_path,
        "link-to-root": root / "link-root", "link-to-home": root / "link-home",
    }[case]
    for force in (False, True):
        with pytest.raises(OutputError, match="refusing to use"):
            check_output_folder(out, forbidden=[root, root / ".cache"], inputs=[source, templates], force=force)


def test_foreign_non_empty_folder_needs_force_also_through_a_symlink(tmp_path: Path):
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    link = tmp_path / "site"
    link.symlink_to(foreign)
    with pytest.raises(OutputError, match="not created by briefgen; move its files away or pass --force"):
        check_output_folder(link)
    check_output_folder(link, force=True)
    check_output_folder(tmp_path / "new-folder")  # missing: briefgen creates it
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty")


def test_a_symlinked_output_folder_keeps_its_link_and_gets_the_new_site(tmp_path: Path):
    real = tmp_path / "real-site"
    publish([Output("index.html", b"one")], real)
    link = tmp_path / "site"
    link.symlink_to(real)
    publish([Output("index.html", b"two")], link)
    publish([Output("index.html", b"three")], link)
    assert link.is_symlink() and (link / "index.html").read_bytes() == b"three"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".real-site.lock", "real-site", "site"] or sorted(
        p.name for p in tmp_path.iterdir()) == ["real-site", "site"]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_spare_folder_stages_each_publish_from_the_retired_site(tmp_path: Path):
    out, spare = tmp_path / "site", tmp_path / "cache" / "spare"
    publish([Output("index.html", b"1"), Output("a/old.html", b"old"), Output("same.css", b"x")], out, spare=spare)
    assert _files(spare) == _files(out)  # the first publish retired no site: the spare starts as a copy
    os.utime(out / "same.css", (1_000_000, 1_000_000))
    (out / "CNAME").write_text("example.org")
    for n in range(2, 6):  # each publish stages from the site the one before retired
        outputs = [Output("index.html", str(n).encode()), Output("same.css", b"x"), Output(f"b/new{n}.html", b"n")]
        result = publish(outputs, out, spare=spare)
        assert _files(out) == {"index.html": str(n).encode(), "same.css": b"x", f"b/new{n}.html": b"n",
                               "CNAME": b"example.org", MANIFEST: (out / MANIFEST).read_bytes()}
        assert (out / "same.css").stat().st_mtime == 1_000_000
        assert result.written == 3 and result.unchanged == 1  # index, the new page, the manifest
        assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "site"]
        assert spare.is_dir() and not (out / "a").exists()


def test_a_damaged_spare_folder_is_repaired_and_a_failed_publish_keeps_the_old_site(tmp_path: Path):
    out, spare = tmp_path / "site", tmp_path / "spare"
    pages = [Output("index.html", b"home"), Output("a/b.html", b"b"), Output("c.html", b"c")]
    publish(pages, out, spare=spare)
    publish(pages, out, spare=spare)
    published = _files(out)
    # Whatever a killed publish or a hand left in the spare: stray files, a folder where a page goes,
    # a page where a folder goes, a changed copy (a new file: never the published one changed in place).
    (spare / "stray.html").write_text("stray")
    (spare / "c.html").unlink()
    (spare / "c.html").mkdir()
    (spare / "c.html" / "x").write_text("x")
    shutil.rmtree(spare / "a")
    (spare / "a").write_text("a file")
    (spare / "index.html").unlink()
    (spare / "index.html").write_text("changed")

    def failing() -> Iterator[Output]:
        yield Output("index.html", b"new")
        raise RuntimeError("a page failed")

    with pytest.raises(RuntimeError):
        publish(failing(), out, spare=spare)
    assert _files(out) == published
    publish(pages, out, spare=spare)
    assert _files(out) == published
    publish([*pages, Output("d.html", b"d")], out, spare=spare)
    assert _files(out) == {**published, "d.html": b"d", MANIFEST: (out / MANIFEST).read_bytes()}
