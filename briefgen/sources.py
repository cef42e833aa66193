"""Input folder -> Article records. Owns every input format and every input error."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

from briefgen.errors import Diagnostic, Severity
from briefgen.model import Article, Paragraph, pack_bounds
from briefgen.urls import slugify

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
MAX_FILE_BYTES = 2_000_000
"""Bigger files are refused unread: a news article is 5-100 kB, so 2 MB is a data dump or a mistake."""
_TRAILING_SMALL_WORDS = re.compile(r"(?:\s+(?:a|an|the|of|in|on|at|to|for|and|or|but|with|by|from|as|that|its|their|his|her))+$", re.I)

_SEED_HEADER = re.compile(r"\A(\s*)date[ \t]+(\S+)[ \t]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")
# C0 controls other than tab/newline/CR, DEL, C1 controls and the two non-characters XML 1.0 forbids:
# replaced by a space on input (same length, so offsets hold) and never reach a page or feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Hidden files and folders (leading dot) and editor backups are never articles: skipped without a message,
# as git and other site generators do.
_EDITOR_JUNK = re.compile(r"(^\.|~$|^#.*#$|\.sw[a-p]$|\.tmp$)")


class ArticleProblem(Exception):
    """Raised inside this module for one bad file; becomes a Diagnostic."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class SourceResult:
    articles: tuple[Article, ...]
    diagnostics: tuple[Diagnostic, ...]


def iter_source_files(folder: Path) -> list[Path]:
    """Article files under ``folder``, sorted, skipping hidden and editor temp files."""
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(_EDITOR_JUNK.search(part) for part in rel.parts):
            continue
        if path.suffix.lower() in ARTICLE_SUFFIXES and (path.is_file() or path.is_symlink()):
            found.append(path)
    return sorted(found)


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as the user knows it: relative to ``root`` when inside it."""
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def read_all(folder: Path, *, root: Path | None = None) -> SourceResult:
    """Read every article in ``folder``. One bad file becomes one Diagnostic; the rest still load."""
    if not folder.is_dir():
        return SourceResult((), (Diagnostic(str(folder), "source folder not found"),))
    return read_paths(iter_source_files(folder), root=root, confine_to=folder)


def read_paths(paths: Iterable[Path], *, root: Path | None = None, confine_to: Path | None = None) -> SourceResult:
    """Read the given article files; slugs are made unique by refusing later duplicates."""
    articles: list[Article] = []
    diagnostics: list[Diagnostic] = []
    for path in paths:
        shown = display_path(path, root)
        try:
            if confine_to is not None and not path.resolve().is_relative_to(confine_to.resolve()):
                raise ArticleProblem("symlink points outside the source folder; skipped")
            article, warnings = read_article(path, shown)
        except ArticleProblem as exc:
            diagnostics.append(Diagnostic(shown, str(exc), Severity.ERROR, exc.line))
            continue
        except OSError as exc:
            diagnostics.append(Diagnostic(shown, f"cannot read: {exc.strerror or exc}"))
            continue
        diagnostics.extend(Diagnostic(shown, w, Severity.WARNING) for w in warnings)
        articles.append(article)
    unique, clashes = drop_duplicate_slugs(articles)
    return SourceResult(tuple(unique), tuple(diagnostics + clashes))


def drop_duplicate_slugs(articles: Iterable[Article]) -> tuple[list[Article], list[Diagnostic]]:
    """Keep the first article of each slug; every later one becomes an error naming the first."""
    kept: list[Article] = []
    clashes: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for article in articles:
        if article.slug in seen:
            clashes.append(
                Diagnostic(article.source, f"slug '{article.slug}' already used by {seen[article.slug]}; skipped")
            )
            continue
        seen[article.slug] = article.source
        kept.append(article)
    return kept, clashes


def decode(data: bytes) -> tuple[str, list[str]]:
    """UTF-8 (with or without BOM), else cp1252 with a warning. Binary data is refused."""
    if b"\x00" in data[:8192]:
        raise ArticleProblem("binary file (NUL bytes), not an article")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("cp1252", errors="replace")
        return text, [f"not valid UTF-8 (first bad byte on line {line}); decoded as cp1252"]


def read_article(path: Path, shown: str) -> tuple[Article, list[str]]:
    """Read one file into an Article. Raises ArticleProblem for a file that cannot be used."""
    # O_NONBLOCK: opening a FIFO would otherwise wait for a writer; it changes nothing for a regular file.
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device would block or never end
            raise ArticleProblem("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise ArticleProblem(
                f"file is {info.st_size / 1e6:.1f} MB, over the {MAX_FILE_BYTES / 1e6:.0f} MB limit for one article"
            )
        data = f.read(MAX_FILE_BYTES + 1)  # bounded even if the file grows meanwhile
    if len(data) > MAX_FILE_BYTES:
        raise ArticleProblem(f"file grew past the {MAX_FILE_BYTES / 1e6:.0f} MB limit for one article while read")
    raw, warnings = decode(data)
    raw = _CONTROL.sub(" ", raw)
    if not raw.strip():
        raise ArticleProblem("empty article")
    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    parsed = _parse_markdown(raw) if markdown else _parse_text(raw)
    paragraphs = split_paragraphs(nlp_view(raw, markdown=markdown))
    if not paragraphs:
        raise ArticleProblem("no article text")
    title = parsed.title or derive_title(paragraphs[0].text)
    article = Article(
        slug=slugify(path.stem),
        title=title,
        date=parsed.date,
        source=shown,
        raw=raw,
        bounds=pack_bounds(paragraphs),
        sha256=hashlib.sha256(data).hexdigest(),
        url=parsed.url,
        publisher=parsed.publisher,
        tags=parsed.tags,
        markdown=markdown,
    )
    return article, warnings


def nlp_view(raw: str, *, markdown: bool) -> str:
    """The text spaCy reads (``Article.nlp_text``): ``raw`` with the header or front matter, Markdown markup
    and carriage returns blanked, same length, so offsets into it are offsets into the file.

    A pure function of the file's text: the Article recomputes it when asked instead of keeping a copy.
    """
    text = _markdown_view(raw) if markdown else _text_view(raw)
    return text.replace("\r", " ")


def markdown_body_html(raw: str) -> str:
    """``Article.body_html``: the Markdown body after any front matter, rendered (raw HTML shown as text)."""
    front = _FRONT_MATTER.match(raw)
    return _MARKDOWN.render(raw[front.end():] if front else raw)


@dataclass(slots=True)
class _Parsed:
    title: str | None = None
    date: dt.date | None = None
    url: str | None = None
    publisher: str | None = None
    tags: tuple[str, ...] = ()


def _blank(text: str, start: int, end: int) -> str:
    """Replace text[start:end] by spaces, keeping newlines, so offsets stay valid."""
    middle = re.sub(r"[^\n]", " ", text[start:end])
    return text[:start] + middle + text[end:]


def parse_date(value: str, line: int | None = None) -> dt.date:
    if not _ISO_DATE.fullmatch(value):
        raise ArticleProblem(f"bad date {value!r}: expected YYYY-MM-DD", line)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArticleProblem(f"bad date {value!r}: no such day", line) from None


# Plain text: a short first line followed by a blank line is the headline.
_HEADLINE = re.compile(r"\A\s*([^\n]+)\n[ \t\r]*\n(?=\s*\S)")


def _headline(raw: str) -> re.Match[str] | None:
    first = _HEADLINE.match(raw)
    return first if first and len(first.group(1).strip()) <= 200 else None


def _text_view(raw: str) -> str:
    """A plain text file with its date header or headline blanked."""
    header = _SEED_HEADER.match(raw)
    if header:
        return _blank(raw, 0, header.end())
    first = _headline(raw)
    return _blank(raw, 0, first.end(1)) if first else raw


def _parse_text(raw: str) -> _Parsed:
    header = _SEED_HEADER.match(raw)
    if header:
        line = raw[: header.start(2)].count("\n") + 1
        return _Parsed(date=parse_date(header.group(2), line))
    first = _headline(raw)
    return _Parsed(title=" ".join(first.group(1).split())) if first else _Parsed()


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:^---[ \t]*\r?$)", re.S | re.M)
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
FRONT_MATTER_KEYS = {"title", "date", "source", "url", "tags"}


def _scalar(value: str, line: int) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return _CONTROL.sub(" ", str(json.loads(value)))  # "\u0001" escapes too
        except json.JSONDecodeError:
            raise ArticleProblem(f"front matter: bad quoted string {value}", line) from None
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    if value[:1] in {'"', "'"}:
        raise ArticleProblem(f"front matter: unclosed quote in {value}", line)
    return value


def parse_front_matter(block: str, first_line: int = 2) -> dict[str, object]:
    """The YAML subset front matter uses: ``key: value``, quoted strings, ``[a, b]`` and ``- item`` lists."""
    values: dict[str, object] = {}
    current_list: list[str] | None = None
    for offset, text in enumerate(block.splitlines()):
        line = first_line + offset
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        item = re.match(r"^[ \t]+-[ \t]+(.*)$|^-[ \t]+(.*)$", text)
        if item and current_list is not None:
            current_list.append(_scalar((item.group(1) or item.group(2) or "").strip(), line))
            continue
        match = _KEY_LINE.match(text)
        if not match:
            raise ArticleProblem(f"front matter: expected 'key: value', got {text.strip()[:40]!r}", line)
        key, value = match.group(1).lower(), match.group(2)
        current_list = None
        if value == "":
            current_list = []
            values[key] = current_list
        elif value.startswith("["):
            if not value.endswith("]"):
                raise ArticleProblem(f"front matter: unclosed list for {key!r}", line)
            values[key] = [_scalar(v.strip(), line) for v in value[1:-1].split(",") if v.strip()]
        else:
            values[key] = _scalar(value, line)
    return values


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
SAFE_LINK = re.compile(r"^(https?:|mailto:|#|/|\.|[^:/?#]*(?:[/?#]|$))", re.I)
_MARKDOWN.validateLink = lambda url: bool(SAFE_LINK.match(url.strip()))  # type: ignore[method-assign]

# Markdown syntax blanked (same length) so spaCy sees prose and offsets stay valid.
_MD_MARKUP = [
    re.compile(r"^[ \t]{0,3}#{1,6}[ \t]", re.M),  # headings
    re.compile(r"^[ \t]{0,3}>[ \t]?", re.M),  # block quotes
    re.compile(r"^[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+", re.M),  # list markers
    re.compile(r"!?\[(?=[^\]\n]*\]\()"),  # link/image opener
    re.compile(r"\]\([^)\n]*\)"),  # link target
    re.compile(r"(?<!\w)(\*\*|__|\*|_|`+)(?=\S)|(?<=\S)(\*\*|__|\*|_|`+)(?!\w)"),  # emphasis, code
    re.compile(r"<[^>\n]{1,200}>"),  # inline HTML (rendered as text anyway)
]


def _markdown_view(raw: str) -> str:
    """A Markdown file with its front matter and markup blanked."""
    front = _FRONT_MATTER.match(raw)
    text = _blank(raw, 0, front.end()) if front else raw
    for pattern in _MD_MARKUP:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _parse_markdown(raw: str) -> _Parsed:
    values: dict[str, object] = {}
    front = _FRONT_MATTER.match(raw)
    if front:
        values = parse_front_matter(front.group(1))
    elif raw.startswith("---"):
        raise ArticleProblem("front matter: no closing '---' line", 1)
    unknown = sorted(set(values) - FRONT_MATTER_KEYS)
    if unknown:
        raise ArticleProblem(f"front matter: unknown key {unknown[0]!r} (known: {', '.join(sorted(FRONT_MATTER_KEYS))})")
    for key in ("title", "source", "url", "date"):
        if key in values and not isinstance(values[key], str):
            raise ArticleProblem(f"front matter: {key!r} must be text")
    date_value = str(values.get("date", "")).strip()
    date = parse_date(date_value[:10] if len(date_value) > 10 and date_value[10] in "T " else date_value) if date_value else None
    tags_value = values.get("tags", [])
    tags = tuple(t for t in ([tags_value] if isinstance(tags_value, str) else tags_value) if isinstance(t, str) and t)  # type: ignore[union-attr]
    url = str(values["url"]).strip() if values.get("url") else None
    if url and not re.match(r"^https?://", url, re.I):
        raise ArticleProblem(f"front matter: url must start with http:// or https://, got {url[:60]!r}")
    title = str(values["title"]).strip() if values.get("title") else None
    return _Parsed(
        title=title or None,
        date=date,
        url=url,
        publisher=str(values["source"]).strip() or None if values.get("source") else None,
        tags=tags,
    )


def split_paragraphs(nlp_text: str) -> tuple[Paragraph, ...]:
    """Blank-line separated paragraphs with offsets into the source."""
    paragraphs = []
    position = 0
    for match in [*_PARAGRAPH_BREAK.finditer(nlp_text), None]:
        end = match.start() if match else len(nlp_text)
        chunk = nlp_text[position:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            start = position + lead
            stop = position + len(chunk.rstrip())
            paragraphs.append(Paragraph(" ".join(nlp_text[start:stop].split()), start, stop))
        if match:
            position = match.end()
    return tuple(paragraphs)


HEADLINE_CHARS = 90
"""A derived title is at most this long: about what a news headline holds."""
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{2,40}(?:\([^)]{1,30}\))?\s*[-—–]+\s+")
_SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|Jr|Sr|Co|No|Lt))"
                           r"(?<!\b(?:Mrs|Gen|Sen|Rep|Gov|Inc|Ltd|Col|Sgt))"
                           r"[.!?](?=\s+[A-Z“\"‘'])")
# Where a headline may end, best first: between clauses, then before a clause or phrase that only adds
# detail ('…, a day after …', '… after days of rain', '… on Monday').
_CLAUSE_BREAKS = (
    re.compile(r"\s*(?:;|\s[—–]\s|:\s)"),
    re.compile(r",\s+(?=(?:a day|days|hours|weeks|which|who|where|when|while|after|as|but|and|adding|saying|"
               r"following|despite|amid|because|although|though|before|until|according)\b)"),
    re.compile(r"\s+(?=(?:after|as|while|when|because|following|amid|despite|although|before|until|since|"
               r"involving|including|according to)\s)"),
    re.compile(r",\s+"),
    re.compile(r"\s+(?=(?:in|on|at|of|for|with|from|over|near|into|by|during|against|about|along|across|through|"
               r"under)\s)"),
)


def derive_title(first_paragraph: str) -> str:
    """A headline from the opening sentence: the event in at most ``HEADLINE_CHARS``, ending at a clause or
    phrase boundary, never a sentence chopped mid-phrase."""
    text = _DATELINE.sub("", first_paragraph.strip(), count=1)
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0].strip().rstrip(".")
    if len(sentence) <= HEADLINE_CHARS:
        return sentence
    for boundary in _CLAUSE_BREAKS:
        cuts = [m.start() for m in boundary.finditer(sentence) if 30 <= m.start() <= HEADLINE_CHARS]
        if cuts:
            return _TRAILING_SMALL_WORDS.sub("", sentence[: cuts[-1]]).rstrip(",;:")
    # No boundary at all: the longest run of whole words that fits, without dangling small words.
    return _TRAILING_SMALL_WORDS.sub("", sentence[: HEADLINE_CHARS + 1].rsplit(" ", 1)[0]).rstrip(",;:")


WIRE_SERVICES = {
    "AP": "Associated Press", "Associated Press": "Associated Press", "The Associated Press": "Associated Press",
    "Reuters": "Reuters", "AFP": "Agence France-Presse", "Agence France-Presse": "Agence France-Presse",
    "UPI": "United Press International", "United Press International": "United Press International",
    "Bloomberg": "Bloomberg", "dpa": "dpa", "PA": "PA Media", "PA Media": "PA Media", "CNN": "CNN",
}
_WIRE = "|".join(sorted(map(re.escape, WIRE_SERVICES), key=len, reverse=True))
# A dateline opening the body, "WASHINGTON (AP) —" or "NEW YORK, Nov. 19 (UPI) —" (each word capitalised or a
# number): it names the wire whose copy the article is.
_WIRE_DATELINE = re.compile(rf"^[ \t]*(?:date[ \t]+\S+[ \t]+)?[A-Z][\w.’'-]*(?:,?[ \t]+[A-Z0-9][\w.’'-]*){{0,6}},?[ \t]+\(({_WIRE})\)[ \t]*[-—–]", re.M)
# A closing line of its own: "— Associated Press", "(Reuters)", "Source: AFP", "Copyright 2024 The Associated Press."
_TRAILING_CREDIT = re.compile(
    rf"(?:^|\n)[ \t]*(?:[-—–]+[ \t]*|\([ \t]*|(?:Source|Credit|Via)[ \t]*:[ \t]*|"
    rf"(?:Copyright|©)[ \t]*(?:\d{{4}}[ \t]+)?)(?:The[ \t]+)?({_WIRE})\b[^\n]{{0,60}}\s*\Z"
)


def credit_line(raw: str) -> str | None:
    """The wire service an article credits (a dateline such as ``BEIJING (AP) —`` or a closing credit line
    such as ``— Reuters``), by its full name; None when there is none. Reads only the text's two ends."""
    head = _WIRE_DATELINE.search(raw[:600])
    if head:
        return WIRE_SERVICES[head.group(1)]
    tail = _TRAILING_CREDIT.search(raw[-200:])
    return WIRE_SERVICES[tail.group(1)] if tail else None
