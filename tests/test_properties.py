"""Property tests: ingest, slugs, quote pairing and URL helpers hold their promises on any input."""

from __future__ import annotations

import posixpath
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefgen.extract.quotes import find_quote_spans, normalise_marks
from briefgen.sources import ArticleProblem, read_article, read_paths, split_paragraphs
from briefgen.urls import MAX_SLUG, relative_url, slugify

SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FORBIDDEN_IN_PAGES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

# Text rich in what breaks parsers: quote marks, front matter fences, Markdown, HTML, controls, newlines.
_ALPHABET = st.sampled_from(
    list("ab Z.,;:-#>*_`[]()!<>/\\\n\n\t\r\"'“”„«»‘’---") + ["\x00", "\x01", "\x0b", "\x85", "\ufffe", "\u202e",
                                                          "é", "文", "\U0001f600", "date ", "---\n",
                                                          "title: ", "2023-02-30", "\u2028"]
)
articles_text = st.lists(_ALPHABET, max_size=200).map("".join) | st.text(max_size=300)

settings.register_profile("briefgen", deadline=None, max_examples=200,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("briefgen")


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _check_article(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        article, warnings = read_article(path, path.name)
    except ArticleProblem as exc:
        assert str(exc) and "\n" not in str(exc)  # one line for the user
        return
    assert all("\n" not in w for w in warnings)
    assert len(article.nlp_text) == len(article.raw)  # offsets into nlp_text are offsets into the file
    assert article.paragraphs
    previous_end = 0
    for p in article.paragraphs:
        assert previous_end <= p.start < p.end <= len(article.nlp_text)
        assert p.text == " ".join(article.nlp_text[p.start:p.end].split()) and p.text
        previous_end = p.end
    for text in (article.title, article.raw, article.publisher or "", *article.tags):
        assert not FORBIDDEN_IN_PAGES.search(text)
    assert SAFE_SLUG.fullmatch(article.slug)


@given(data=st.binary(max_size=400) | articles_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
       suffix=st.sampled_from([".txt", ".md"]))
@example(data=b"---\ntitle: \"\\u0001\"\ntags: [\"\\u0000\"]\n---\nText.", suffix=".md")
@example(data=b"\xef\xbb\xbf date 2023-02-03 Body.", suffix=".txt")
@example(data=b"\xff\xfe\x00", suffix=".txt")
def test_read_article_only_ever_raises_article_problem(scratch: Path, data: bytes, suffix: str):
    _check_article(scratch / f"article{suffix}", data)


@given(st.text())
@example("<script>alert(1)</script>")
@example("../../etc/passwd")
@example("..")
@example("")
@example("\ud800")
def test_slugs_are_always_safe_non_empty_and_stable(text: str):
    slug = slugify(text)
    assert SAFE_SLUG.fullmatch(slug), slug
    assert len(slug) <= MAX_SLUG
    assert slug == slugify(text)
    assert "/" not in slug and slug not in {".", ".."}


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
def test_article_slugs_are_unique_across_a_folder(names: list[str]):
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, name in enumerate(names):
            stem = re.sub(r"[/\x00]", "_", name)
            path = Path(folder) / f"{i}-{stem}.txt"
            try:
                path.write_text("Police said the road was closed.", encoding="utf-8")
            except (OSError, UnicodeEncodeError):
                continue
            paths.append(path)
        paths.append(Path(folder) / "0-dup.txt")
        paths[-1].write_text("Another.", encoding="utf-8")
        result = read_paths(sorted(set(paths)))
        slugs = [a.slug for a in result.articles]
        assert len(slugs) == len(set(slugs))
        assert len(result.articles) + len(result.diagnostics) == len(set(paths))


@given(articles_text)
@example('He said "one “two “three" and ”four“\n\n"unclosed\n\n« nested “ deep ” » x')
def test_quote_spans_are_sorted_disjoint_and_inside_one_paragraph(text: str):
    paragraphs = split_paragraphs(text)
    spans = find_quote_spans(text, paragraphs)
    previous_end = 0
    for span in spans:
        assert previous_end <= span.start < span.end <= len(text)
        assert any(p.start <= span.start and span.end <= p.end for p in paragraphs)
        previous_end = span.end
    normalised = normalise_marks(text, spans)
    assert len(normalised) == len(text)
    changed = [i for i, (a, b) in enumerate(zip(text, normalised)) if a != b]
    assert all(any(s.start <= i < s.end for s in spans) for i in changed)


_segment = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,6}", fullmatch=True).filter(lambda s: s not in {".", ".."})
_site_path = st.lists(_segment, min_size=1, max_size=4).map("/".join)


@given(_site_path, _site_path | _site_path.map(lambda p: p + "/") | st.just(""))
def test_relative_url_round_trips(from_path: str, to_path: str):
    rel = relative_url(from_path, to_path)
    assert not rel.startswith("/") and "//" not in rel
    target = to_path + "index.html" if to_path.endswith("/") or to_path == "" else to_path
    assert posixpath.normpath(posixpath.join(posixpath.dirname(from_path), rel)) == posixpath.normpath(target)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | articles_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(st.lists(_json_values, max_size=5))
def test_streamed_json_lists_are_exactly_json_dumps(records):
    # briefings.json is written record by record; readers parse it as one ordinary JSON document.
    import json

    from briefgen.render import json_list_bytes

    assert json_list_bytes(iter(records)) == json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


# The two link regexes _blank_links replaces (quadratic on long lines, but the reference on short ones).
_OLD_LINK_MARKUP = [re.compile(r"!?\[(?=[^\]\n]*\]\()"), re.compile(r"\]\([^)\n]*\)")]


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="[]()!a \n", max_size=40))
@example("[a](b [c](d")
@example("[a](x[)b](c)")
@example("!![a](b) ![c](d)")
def test_link_blanking_matches_the_regexes_it_replaces(text):
    from briefgen.sources import _blank_links

    expected = text
    for pattern in _OLD_LINK_MARKUP:
        expected = pattern.sub(lambda m: " " * len(m.group(0)), expected)
    assert _blank_links(text) == expected
