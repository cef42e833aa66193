"""Background paragraphs: earlier events, history and relations, never the summary itself."""

from __future__ import annotations

import re

from briefgen.extract.summary import Sentence

BACKGROUND = re.compile(
    r"\b(previous(?:ly)?|earlier|last (?:year|month|week|spring|summer|autumn|fall|winter|January|February|March|"
    r"April|May|June|July|August|September|October|November|December)|for (?:years|decades|months)|since \d{4}|"
    r"(?:in|since|until|by) (?:19|20)\d\d|histor(?:y|ic|ical|ically)|long-(?:standing|running)|years? ago|"
    r"decades?|relations|tensions?|background|ever since|in the past|has long|have long|"
    r"originally|first (?:time|began|emerged))\b",
    re.I,
)

MAX_CONTEXT = 3


def find_context(sentences: list[Sentence], summary: list[Sentence]) -> list[str]:
    """Up to three background passages in reading order: a paragraph's non-summary, unquoted sentences
    when they carry background cues."""
    chosen = {s.start for s in summary}
    summary_paragraphs = {s.paragraph for s in summary}
    by_paragraph: dict[int, list[Sentence]] = {}
    for s in sentences:
        by_paragraph.setdefault(s.paragraph, []).append(s)
    passages: list[tuple[int, int, str]] = []  # (score, paragraph, text)
    lead_paragraph = min(by_paragraph, default=0)
    for index, group in by_paragraph.items():
        if index == lead_paragraph:
            continue
        kept = [s for s in group if s.start not in chosen and s.quoted < 0.3 and s.words >= 5]
        if not kept:
            continue
        text = " ".join(s.text for s in kept)
        cues = len(BACKGROUND.findall(text))
        if cues == 0:
            continue
        score = cues * 2 - (1 if index in summary_paragraphs else 0)
        passages.append((score, index, text))
    best = sorted(passages, key=lambda p: (-p[0], p[1]))[:MAX_CONTEXT]
    return [text for _, _, text in sorted(best, key=lambda p: p[1])]
