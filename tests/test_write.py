from __future__ import annotations

import os
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
    assert (result.written, result.unchanged, result.removed) == (1, 1, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.lock", "site"] or sorted(
        p.name for p in tmp_path.iterdir()) == ["site"]


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


def test_kept_files_survive_rebuilds(tmp_path: Path):
    out = tmp_path / "site"
    publish([Output("index.html", b"1")], out)
    (out / "CNAME").write_text("example.org")
    (out / ".briefgen-keep").write_text("CNAME\n")
    publish([Output("index.html", b"2")], out)
    assert (out / "CNAME").read_text() == "example.org"


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
