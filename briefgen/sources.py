"""Input folder -> Article records. Owns every input format and every input error."""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import errno
import hashlib
import json
import logging
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from briefgen.errors import Diagnostic, Severity, SourceError, quote_path
from briefgen.model import Article, Paragraph, pack_bounds
from briefgen.text import strip_format, title_cased
from briefgen.urls import slugify

log = logging.getLogger(__name__)

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
MAX_FILE_BYTES = 2_000_000
"""Bigger files are refused unread: a news article is 5-100 kB, so 2 MB is a data dump or a mistake."""
_TRAILING_SMALL_WORDS = re.compile(
    r"(?:\s+(?:a|an|the|of|in|on|at|to|for|and|or|but|with|by|from|as|that|its|their|his|her))+$", re.I)

_SEED_HEADER = re.compile(r"\A(\s*)date[ \t]+(\S+)[ \t]*")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r]*\n")
_LONE_CR = re.compile(r"\r(?!\n)")
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
    drafts: tuple[str, ...] = ()
    """Articles marked ``draft: true`` that were left out (shown paths)."""


def scan_source(folder: Path, root: Path | None = None) -> tuple[list[Path], list[Diagnostic]]:
    """Article files under ``folder``, sorted, skipping hidden and editor temp files, and one error per
    sub-folder that cannot be listed (its articles would otherwise vanish without a word).

    Symlinked folders are not entered (a link loop cannot recurse); a symlinked file is kept and checked
    when read.

    Raises:
        SourceError: ``folder`` itself is missing, not a folder or unreadable: nothing can be built from it.
    """
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "not found"
        raise SourceError(f"source folder {quote_path(str(folder))} {what}")
    found: list[Path] = []
    problems: list[Diagnostic] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as listing:
                entries = list(listing)
        except OSError as exc:
            if current == folder:
                raise SourceError(
                    f"cannot read the source folder {quote_path(str(folder))}: {exc.strerror or exc}") from None
            problems.append(Diagnostic(display_path(current, root), f"cannot read folder: {exc.strerror or exc}"))
            continue
        for entry in entries:
            if _EDITOR_JUNK.search(entry.name):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                stack.append(Path(entry.path))
            elif os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES:
                found.append(Path(entry.path))
    return sorted(found), sorted(problems, key=lambda d: d.path)


def display_path(path: Path, root: Path | None = None) -> str:
    """The path as the user knows it: relative to ``root`` when inside it."""
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def read_all(folder: Path, *, root: Path | None = None, drafts: bool = False) -> SourceResult:
    """Read every article in ``folder``. One bad file or sub-folder becomes one Diagnostic; the rest load.

    Raises:
        SourceError: the folder is missing or unreadable (a build must then publish nothing).
    """
    paths, problems = scan_source(folder, root)
    result = read_paths(paths, root=root, base=folder, drafts=drafts)
    return replace(result, diagnostics=(*problems, *result.diagnostics))


def article_slug(path: Path, base: Path | None) -> str:
    """The slug of the file at ``path``: its path below ``base`` without the suffix, so ``sport/001.txt``
    is ``sport-001`` and a file directly in ``base`` keeps its name (``001.txt`` is ``001``)."""
    try:
        rel = path.relative_to(base).with_suffix("").as_posix() if base is not None else path.stem
    except ValueError:
        rel = path.stem
    return slugify(rel)


def read_paths(
    paths: Iterable[Path], *, root: Path | None = None, base: Path | None = None, drafts: bool = True,
    clash: str = "skip",
) -> SourceResult:
    """Read the given article files. Files below ``base`` must stay inside it (a symlink may not lead out)
    and take their slug from their path below it (``article_slug``).

    ``drafts``: keep articles marked ``draft: true`` (else they are counted in ``SourceResult.drafts``).
    ``clash``: what a second article with a slug already taken gets: ``"skip"`` (an error naming both;
    a site has one page per slug) or ``"rename"`` (a warning and a numbered slug, for ``inspect``).
    """
    articles: list[Article] = []
    diagnostics: list[Diagnostic] = []
    skipped: list[str] = []
    for path in paths:
        shown = display_path(path, root)
        try:
            if base is not None:
                confined_to(path, base)
            article, warnings = read_article(path, shown, slug=article_slug(path, base))
        except ArticleProblem as exc:
            diagnostics.append(Diagnostic(shown, str(exc), Severity.ERROR, exc.line))
            continue
        except OSError as exc:
            diagnostics.append(Diagnostic(shown, f"cannot read: {exc.strerror or exc}"))
            continue
        diagnostics.extend(Diagnostic(shown, w, Severity.WARNING) for w in warnings)
        if article.draft and not drafts:
            skipped.append(shown)
            continue
        articles.append(article)
    unique, clashes = resolve_slug_clashes(articles, rename=clash == "rename")
    return SourceResult(tuple(unique), tuple(diagnostics + clashes), tuple(skipped))


def confined_to(path: Path, folder: Path) -> None:
    """Raise ArticleProblem unless ``path``, symlinks followed, is inside ``folder``."""
    try:
        inside = path.resolve(strict=True).is_relative_to(folder.resolve())
    except RuntimeError:  # Python 3.11: "Symlink loop from ..."
        raise ArticleProblem("symlink loop; skipped") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ArticleProblem("symlink loop; skipped") from None
        if exc.errno == errno.ENOENT and path.is_symlink():
            raise ArticleProblem("broken symlink (its target does not exist); skipped") from None
        raise
    if not inside:
        raise ArticleProblem("symlink points outside the source folder; skipped")


def resolve_slug_clashes(
    articles: Iterable[Article], *, rename: bool = False
) -> tuple[list[Article], list[Diagnostic]]:
    """One article per slug. A later article whose slug is taken is an error naming the first and left
    out, or with ``rename`` kept under the first free ``slug-2``, ``slug-3``, ... with a warning."""
    kept: list[Article] = []
    clashes: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for article in articles:
        if article.slug in seen:
            first = quote_path(seen[article.slug])
            if not rename:
                clashes.append(Diagnostic(article.source, f"slug '{article.slug}' already used by {first}; skipped"))
                continue
            n = 2
            while f"{article.slug}-{n}" in seen:
                n += 1
            clashes.append(Diagnostic(article.source, f"slug '{article.slug}' already used by {first}; shown as "
                                      f"'{article.slug}-{n}'", Severity.WARNING))
            article = replace(article, slug=f"{article.slug}-{n}")
        seen[article.slug] = article.source
        kept.append(article)
    return kept, clashes


_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode(data: bytes) -> tuple[str, list[str]]:
    """By byte-order mark (UTF-8, UTF-16, UTF-32), else UTF-8, else cp1252 with a warning. The mark is
    never part of the text. Binary data is refused."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):]
            if encoding == "utf-8":
                break
            try:
                return body.decode(encoding), []
            except UnicodeDecodeError as exc:
                at = exc.start + len(bom)
                raise ArticleProblem(f"not valid {encoding.upper()[:6]} (bad data at byte {at})") from None
    else:
        body = data
    if b"\x00" in body[:8192]:
        raise ArticleProblem("binary file (NUL bytes), not an article")
    try:
        return body.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        text = body.decode("cp1252", errors="replace")
        return text, [f"not valid UTF-8 (first bad byte on line {line}); decoded as cp1252"]


def read_article(path: Path, shown: str, slug: str | None = None) -> tuple[Article, list[str]]:
    """Read one file into an Article (``slug``: default the file name's). Raises ArticleProblem for a file
    that cannot be used."""
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
    # Same length, so offsets hold: controls become spaces, and a lone CR (old Mac files) is a line end.
    raw = _LONE_CR.sub("\n", _CONTROL.sub(" ", raw))
    if not raw.strip():
        raise ArticleProblem("empty article")
    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    parsed = _parse_markdown(raw) if markdown else _parse_text(raw)
    warnings.extend(parsed.warnings)
    paragraphs = split_paragraphs(nlp_view(raw, markdown=markdown))
    if not paragraphs:
        raise ArticleProblem("no article text")
    # No bidi override or zero-width character in a title: one left open reverses every listing after it.
    title = strip_format(parsed.title or derive_title(paragraphs[0].text), keep_joiners=True)
    if len(title) > MAX_GIVEN_TITLE:
        warnings.append(f"title is {len(title):,} characters; cut to {MAX_GIVEN_TITLE}")
        title = title[:MAX_GIVEN_TITLE].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    article = Article(
        slug=slug if slug is not None else slugify(path.stem),
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
        extra=parsed.extra,
        draft=parsed.draft,
    )
    return article, warnings


def nlp_view(raw: str, *, markdown: bool) -> str:
    """The text spaCy reads (``Article.nlp_text``): ``raw`` with the header or front matter, Markdown markup
    and carriage returns blanked, same length, so offsets into it are offsets into the file.

    A pure function of the file's text: the Article recomputes it when asked instead of keeping a copy.
    """
    text = _markdown_view(raw) if markdown else _text_view(raw)
    return text.replace("\r", " ")


@dataclass(slots=True)
class _Parsed:
    title: str | None = None
    date: dt.date | None = None
    url: str | None = None
    publisher: str | None = None
    tags: tuple[str, ...] = ()
    extra: dict[str, str | tuple[str, ...]] = field(default_factory=dict)
    draft: bool = False
    warnings: list[str] = field(default_factory=list)


def _blank(text: str, start: int, end: int) -> str:
    """Replace text[start:end] by spaces, keeping newlines, so offsets stay valid."""
    middle = re.sub(r"[^\n]", " ", text[start:end])
    return text[:start] + middle + text[end:]


def parse_date(value: str, line: int | None = None, *, time_allowed: bool = False) -> dt.date:
    """``YYYY-MM-DD``; with ``time_allowed`` also a whole ISO 8601 date and time (``2024-05-05T10:00Z``),
    of which the date is kept. Anything else is an error, never a partial reading."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    if time_allowed and len(value) > 10 and value[10:11] in {"T", "t", " "} and _ISO_DATE.fullmatch(value[:10]):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00")).date()
        except ValueError:
            raise ArticleProblem(
                f"bad date {shown!r}: expected YYYY-MM-DD or an ISO 8601 date and time", line) from None
    if not _ISO_DATE.fullmatch(value):
        raise ArticleProblem(f"bad date {shown!r}: expected YYYY-MM-DD", line)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArticleProblem(f"bad date {shown!r}: no such day", line) from None


# Plain text opens with its headline in one of two ways: a headline line and a blank line, or, as news exports
# (ProQuest, Factiva) and many CMSs write it, a headline line and a deck (standfirst) line before the first blank
# line ("Jobs report gives Democrats a lift; \nSolid upturn ... could blunt Republican claims.\n\n").
_HEADLINE = re.compile(r"\A\s*([^\n]+)\n[ \t\r]*\n(?=\s*\S)")
_HEADLINE_AND_DECK = re.compile(r"\A\s*([^\n]+)\n[ \t]*([^\n]+)\n[ \t\r]*\n(?=\s*\S)")
HEADLINE_LINE_CHARS = 200
LEAD_SENTENCE_WORDS = 15
DECK_CHARS = 300
"""A deck is a sentence or two; a longer second line is a paragraph, and the opening no headline."""
_SENTENCE_ENDED = re.compile(r"[.!?…][\"'”’)\]]*\s*$")
_FIRST_CHARACTER = re.compile(r"[\"'“‘(\[]*(\w)")
_EXPORT_SEPARATOR = re.compile(r"[\s;:,]+$")


def _headline(raw: str) -> tuple[str, int] | None:
    """The headline of a plain text file and where it ends, or None when the file opens with body text.

    A deck stays body text: it is the article's own standfirst, often the best summary sentence, and blanking
    it moved PolNeAR headline recall by 0.0015 and quotes not at all, so nothing pays for losing its words."""
    first = _HEADLINE.match(raw)
    if first:
        line = first.group(1).strip()
        # A line that ends a long sentence, not in headline case, opens the article ("A church was devastated by
        # fire, which ... Wasilla."): the lead, not a headline (PolNeAR's headlines end with a full stop too).
        if _SENTENCE_ENDED.search(line) and len(line.split()) >= LEAD_SENTENCE_WORDS and not title_cased(line):
            return None
        return (line, first.end(1)) if len(line) <= HEADLINE_LINE_CHARS else None
    pair = _HEADLINE_AND_DECK.match(raw)
    if not pair:
        return None
    line, deck = pair.group(1).strip(), pair.group(2).strip()
    # A paragraph that merely wraps over two lines must stay body text: its first line ends mid-sentence on
    # any word ('... at'), its second goes on in lower case, and the file wraps every longer paragraph too.
    if (len(line) > HEADLINE_LINE_CHARS or len(deck) > DECK_CHARS or _SENTENCE_ENDED.search(line)
            or _TRAILING_SMALL_WORDS.search(line) or not _opens_like_a_sentence(deck)
            or _hard_wrapped(raw, pair.end(), len(line) + 1 + len(deck.split()[0]))):
        return None
    return line, pair.end(1)


def _opens_like_a_sentence(line: str) -> bool:
    """A capital or a digit first, after any quote mark: a deck does, a wrapped line's continuation mostly not."""
    first = _FIRST_CHARACTER.match(line)
    return first is not None and (first.group(1).isupper() or first.group(1).isdigit())


def _hard_wrapped(raw: str, body_start: int, width: int) -> bool:
    """The first later paragraph too long for a line of ``width`` is broken over lines (or none is): the
    file wraps its text, so a two-line opening is a wrapped paragraph, not a headline and a deck."""
    for paragraph in _PARAGRAPH_BREAK.split(raw[body_start:]):
        if len(paragraph.strip()) > width:
            return "\n" in paragraph.strip()
    return True


def _text_view(raw: str) -> str:
    """A plain text file with its date header or headline blanked."""
    header = _SEED_HEADER.match(raw)
    if header:
        return _blank(raw, 0, header.end())
    headline = _headline(raw)
    return _blank(raw, 0, headline[1]) if headline else raw


def _parse_text(raw: str) -> _Parsed:
    header = _SEED_HEADER.match(raw)
    if header:
        line = raw[: header.start(2)].count("\n") + 1
        return _Parsed(date=parse_date(header.group(2), line))
    headline = _headline(raw)
    # 'Jobs report gives Democrats a lift;': the separator an export puts between headline and deck is no title's.
    return _Parsed(title=" ".join(_EXPORT_SEPARATOR.sub("", headline[0]).split())) if headline else _Parsed()


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:^---[ \t]*\r?$)", re.S | re.M)
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
FRONT_MATTER_KEYS = {"title", "date", "source", "url", "tags", "draft"}
MAX_TAGS = 50
"""Tags kept per article (each is a page): more is a mistake or an attack, not a taxonomy."""
MAX_TAG = 100
MAX_GIVEN_TITLE = 300
"""A title is shown on every listing and tag page: longer ones are cut (with a warning)."""
_TRUE, _FALSE = {"true", "yes", "on"}, {"false", "no", "off", ""}


def _scalar(value: str, line: int) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            return _CONTROL.sub(" ", str(json.loads(value)))  # "\u0001" escapes too
        except json.JSONDecodeError:
            raise ArticleProblem(f"front matter: bad quoted string {value[:60]}", line) from None
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    if value[:1] in {'"', "'"}:
        raise ArticleProblem(f"front matter: unclosed quote in {value[:60]}", line)
    return value


# One item of a flow list: a quoted string (commas and brackets inside are text) or a bare run.
_FLOW_ITEM = re.compile(r"""[ \t]*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,\[\]"' \t][^,\[\]]*)?[ \t]*""")


def _flow_list(value: str, key: str, line: int) -> tuple[list[str], bool]:
    """``[a, "b, c", [d, e]]`` -> (["a", "b, c", "d", "e"], nested). One linear pass; nested lists are
    flattened (the caller warns)."""
    items: list[str] = []
    depth, nested, position = 0, False, 0
    while position < len(value):
        char = value[position]
        if char == "[":
            depth += 1
            nested = nested or depth > 1
            position += 1
        elif char == "]":
            depth -= 1
            position += 1
            if depth < 0:
                raise ArticleProblem(f"front matter: unbalanced ']' in the list for {key!r}", line)
        elif char == ",":
            position += 1
        else:
            match = _FLOW_ITEM.match(value, position)
            assert match is not None  # the pattern matches the empty string
            if match.end() == position:
                raise ArticleProblem(f"front matter: unclosed quote in the list for {key!r}", line)
            if match.group(1):
                items.append(_scalar(match.group(1).strip(), line))
            position = match.end()
        if depth == 0 and value[position - 1] == "]" and value[position:].strip():
            raise ArticleProblem(f"front matter: text after the list for {key!r}", line)
    if depth != 0:
        raise ArticleProblem(f"front matter: unclosed list for {key!r}", line)
    return [item for item in items if item], nested


def parse_front_matter(block: str, first_line: int = 2, warnings: list[str] | None = None) -> dict[str, object]:
    """The YAML subset front matter uses: ``key: value``, quoted strings, ``[a, b]`` and ``- item`` lists."""
    values: dict[str, object] = {}
    current_list: list[str] | None = None
    for offset, text in enumerate(block.splitlines()):
        line = first_line + offset
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        item = re.match(r"^[ \t]+-[ \t]+(.*)$|^-[ \t]+(.*)$", text)
        if item and current_list is not None:
            value = (item.group(1) or item.group(2) or "").strip()
            if value.startswith("["):
                found, _ = _flow_list(value, "list", line)
                current_list.extend(found)
            else:
                current_list.append(_scalar(value, line))
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
            found, nested = _flow_list(value, key, line)
            if nested and warnings is not None:
                warnings.append(f"front matter line {line}: nested list in {key!r} flattened")
            values[key] = found
        else:
            values[key] = _scalar(value, line)
    return values


# Markdown syntax blanked (same length) so spaCy sees prose and offsets stay valid. Every pattern is
# linear in the text: anchored at a line start, or a bounded run (links are found by _blank_links).
_MD_MARKUP = [
    re.compile(r"^[ \t]{0,3}#{1,6}[ \t]", re.M),  # headings
    re.compile(r"^[ \t]{0,3}>[ \t]?", re.M),  # block quotes
    re.compile(r"^[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+", re.M),  # list markers
    re.compile(r"(?<!\w)(\*\*|__|\*|_|`+)(?=\S)|(?<=\S)(\*\*|__|\*|_|`+)(?!\w)"),  # emphasis, code
    re.compile(r"<[^>\n]{1,200}>"),  # inline HTML (rendered as text anyway)
]
_BRACKETS = re.compile(r"[\[\]\n]")


def _blank_links(text: str) -> str:
    """Blank ``[`` / ``![`` openers and ``](target)`` closers of inline links, in one pass.

    An opener counts when the next ``]`` on its line is followed by ``(``; a target runs to the next ``)``
    on that line. Done by hand because the equivalent regexes rescan the rest of the line at every
    bracket: quadratic, minutes on one line of ``[``.
    """
    cut: list[tuple[int, int]] = []
    openers: list[int] = []
    resume = 0  # inside a target already blanked
    line_end = -1  # end of the line being scanned
    closeless = -1  # no ')' is left on the line before this offset: later targets on it cannot close
    for match in _BRACKETS.finditer(text):
        at = match.start()
        if at < resume:
            continue
        char = text[at]
        if char == "\n":
            openers.clear()
        elif char == "[":
            openers.append(at - 1 if at and text[at - 1] == "!" else at)
        elif text.startswith("(", at + 1):
            cut.extend((o, text.index("[", o) + 1) for o in openers)
            openers.clear()
            if at < closeless:
                continue
            if at > line_end:
                line_end = text.find("\n", at)
                line_end = len(text) if line_end == -1 else line_end
            close = text.find(")", at + 2, line_end)
            if close == -1:
                closeless = line_end
                continue
            cut.append((at, close + 1))
            resume = close + 1
        else:
            openers.clear()
    if not cut:
        return text
    pieces, position = [], 0
    for start, end in sorted(cut):
        pieces.append(text[position:start])
        pieces.append(" " * (end - start))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _markdown_view(raw: str) -> str:
    """A Markdown file with its front matter and markup blanked."""
    front = _FRONT_MATTER.match(raw)
    text = _blank(raw, 0, front.end()) if front else raw
    text = _blank_links(text)
    for pattern in _MD_MARKUP:
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _known_key_like(key: str) -> str | None:
    """The known key an unknown one is probably a typo of (``titel`` -> ``title``), if any."""
    close = difflib.get_close_matches(key, sorted(FRONT_MATTER_KEYS), n=1, cutoff=0.75)
    return close[0] if close else None


def _parse_markdown(raw: str) -> _Parsed:
    values: dict[str, object] = {}
    warnings: list[str] = []
    front = _FRONT_MATTER.match(raw)
    if front:
        values = parse_front_matter(front.group(1), warnings=warnings)
    elif raw.startswith("---"):
        raise ArticleProblem("front matter: no closing '---' line", 1)
    extra: dict[str, str | tuple[str, ...]] = {}
    for key in sorted(set(values) - FRONT_MATTER_KEYS):
        value = values[key]
        extra[key] = tuple(value) if isinstance(value, list) else str(value)
        if (like := _known_key_like(key)) is not None:
            warnings.append(f"front matter: unknown key {key!r}; did you mean {like!r}? (kept as extra.{key})")
    for key in ("title", "source", "url", "date", "draft"):
        if key in values and not isinstance(values[key], str):
            raise ArticleProblem(f"front matter: {key!r} must be text")
    date_value = str(values.get("date", "")).strip()
    date = parse_date(date_value, time_allowed=True) if date_value else None
    tags_value = values.get("tags", [])
    tags = tuple(dict.fromkeys(
        t for t in ([tags_value] if isinstance(tags_value, str) else tags_value)  # type: ignore[attr-defined]
        if isinstance(t, str) and t.strip()
    ))
    if len(tags) > MAX_TAGS:
        warnings.append(f"front matter: {len(tags):,} tags; only the first {MAX_TAGS} are used")
        tags = tags[:MAX_TAGS]
    if any(len(t) > MAX_TAG for t in tags):
        warnings.append(f"front matter: tags longer than {MAX_TAG} characters are cut")
    tags = tuple(dict.fromkeys(" ".join(strip_format(t).split())[:MAX_TAG] for t in tags))
    url = str(values["url"]).strip() if values.get("url") else None
    if url and not re.match(r"^https?://", url, re.I):
        raise ArticleProblem(f"front matter: url must start with http:// or https://, got {url[:60]!r}")
    draft_value = str(values.get("draft", "")).strip().lower()
    if draft_value not in _TRUE | _FALSE:
        warnings.append(f"front matter: draft must be true or false, got {draft_value[:20]!r}; not a draft")
    title = str(values["title"]).strip() if values.get("title") else None
    return _Parsed(
        title=title or None,
        date=date,
        url=url,
        publisher=str(values["source"]).strip() or None if values.get("source") else None,
        tags=tags,
        extra=extra,
        draft=draft_value in _TRUE,
        warnings=warnings,
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
_WIRE_DATELINE = re.compile(
    rf"^[ \t]*(?:date[ \t]+\S+[ \t]+)?[A-Z][\w.’'-]*(?:,?[ \t]+[A-Z0-9][\w.’'-]*){{0,6}},?"
    rf"[ \t]+\(({_WIRE})\)[ \t]*[-—–]",
    re.M)
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
