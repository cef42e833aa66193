"""The golden site: the seed and fixture articles built with n_process 1, kept as tests/expected_site/.

Only the pages a reader or a client sees as text (HTML, JSON, XML) are kept: the Pagefind index is binary
and Pagefind's own, and the stylesheet, icon and robots.txt are copied, not generated. Nothing in those
pages depends on the time of the build or the folder it ran in (two builds in different folders are
identical), so any difference is a change in what briefgen produces. ``scripts/update-expected-site``
writes a new expected site after a change that is meant.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from briefgen.build import BuildResult, NlpProvider, build
from briefgen.config import Config, load_config

EXPECTED_SITE = Path(__file__).resolve().parent / "expected_site"
GOLDEN_SUFFIXES = (".html", ".json", ".xml")
UPDATE_COMMAND = "scripts/update-expected-site"


def build_fixture_site(root: Path, nlp: NlpProvider | None = None) -> tuple[Config, BuildResult]:
    """The seed plus fixture articles as a project under ``root``, built with one process."""
    from conftest import make_project  # here, not at the top: conftest imports this module

    make_project(root)
    config = load_config(root=root, n_process=1)
    result = build(config, nlp=nlp)
    assert not result.errors, result.errors
    return config, result


def golden_pages(site: Path) -> dict[str, bytes]:
    """The pages of a built ``site`` the golden test compares, by path below it."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.suffix in GOLDEN_SUFFIXES and p.relative_to(site).parts[0] != "pagefind"
    }


def describe_differences(expected: dict[str, bytes], actual: dict[str, bytes], max_lines: int = 40) -> str:
    """Missing and unexpected pages, then a unified diff of each changed one (cut at ``max_lines``)."""
    lines = [f"missing from the build: {p}" for p in sorted(expected.keys() - actual.keys())]
    lines += [f"not in the expected site: {p}" for p in sorted(actual.keys() - expected.keys())]
    changed = sorted(p for p in expected.keys() & actual.keys() if expected[p] != actual[p])
    for path in changed:
        diff = list(difflib.unified_diff(
            expected[path].decode("utf-8", "replace").splitlines(),
            actual[path].decode("utf-8", "replace").splitlines(),
            f"expected_site/{path}", f"built/{path}", lineterm="", n=2,
        ))
        if not diff:  # same lines, different bytes (a final newline, line endings)
            diff = [f"{path}: same lines, different bytes ({len(expected[path])} expected, {len(actual[path])} built)"]
        lines += diff[:max_lines] + ([f"... {len(diff) - max_lines} more diff lines"] if len(diff) > max_lines else [])
    return "\n".join(lines)
