"""PolNeAR brat standoff files -> gold attributions (direct quotes and their sources).

Only the ``T`` (span) and ``E`` (event) lines matter. A span's text may run over several lines in the .ann
file (multi-paragraph contents), so span text is taken from the article by offset, never from the .ann line.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

QUOTE_MARKS = "\"“”„«»"
T_LINE = re.compile(r"^(T\d+)\t(\w+) ([\d; ]+)\t")
_E_LINE = re.compile(r"^(E\d+)\t(.*)$")


@dataclass(frozen=True, slots=True)
class Span:
    label: str
    pieces: tuple[tuple[int, int], ...]

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    def text(self, article: str) -> str:
        return " ".join(article[a:b] for a, b in self.pieces)


@dataclass(frozen=True, slots=True)
class GoldQuote:
    content: Span
    source: Span | None
    cue: Span | None


def annotation_files(root: Path) -> dict[str, Path]:
    """article name -> one annotator's .ann file (the first by name when there are two)."""
    by_article: dict[str, list[Path]] = defaultdict(list)
    for path in sorted((root / "attributions").glob("*.ann")):
        by_article[path.stem.rsplit("_", 1)[0]].append(path)
    return {name: paths[0] for name, paths in sorted(by_article.items())}


def read_gold(ann: Path, text: str) -> list[GoldQuote]:
    """Direct quotes: Content spans whose text begins with a quotation mark (or starts right after one)."""
    spans: dict[str, Span] = {}
    events: list[dict[str, str]] = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        m = T_LINE.match(line)
        if m:
            pieces = tuple(tuple(int(x) for x in part.split()) for part in m.group(3).split(";"))
            spans[m.group(1)] = Span(m.group(2), pieces)  # type: ignore[arg-type]
            continue
        m = _E_LINE.match(line)
        if m:
            events.append(dict(part.split(":", 1) for part in m.group(2).split() if ":" in part))
    gold = []
    for event in events:
        content = spans.get(event.get("Content", ""))
        if content is None:
            continue
        # Some annotators started the span just after the opening mark: still a direct quote.
        if content.text(text).lstrip()[:1] not in QUOTE_MARKS and text[content.start - 1 : content.start] not in QUOTE_MARKS:
            continue
        gold.append(GoldQuote(content, spans.get(event.get("Source", "")), spans.get(event.get("Cue", ""))))
    # One content can carry two events (two cues); keep one per span.
    unique = {(g.content.start, g.content.end): g for g in sorted(gold, key=lambda g: (g.source is None,))}
    return sorted(unique.values(), key=lambda g: g.content.start)


def check_offsets(ann: Path, text: str) -> int:
    """How many single-line T spans' text differs from the article at their offsets (expect 0)."""
    bad = 0
    for line in ann.read_text(encoding="utf-8").splitlines():
        m = T_LINE.match(line)
        if not m or ";" in m.group(3):
            continue
        start, end = (int(x) for x in m.group(3).split())
        written = line[m.end():]
        if text[start:end] != written and not text[start:end].startswith(written):
            bad += 1
    return bad
