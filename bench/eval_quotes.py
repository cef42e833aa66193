"""Direct quotes and speakers on PolNeAR: our extractor beside a naive regex baseline.

    python bench/eval_quotes.py [--limit N] [--n-process 2] [--misses 15]

Gold: every annotated ``Content`` span that begins with a quotation mark, or starts right after one (some
annotators left the mark out), one annotator file per article (the first by name when there are two).

Matching: each predicted quote goes to the gold quote it overlaps most; a gold quote is found when its
predictions cover at least half of it, and those predictions are all right. So a gold quote split by
its attribution ('“…,” he said. “…”', one split Content span) or running over paragraphs is found by its
pieces. Precision counts every prediction.

What is a prediction: briefgen labels each quote it finds as direct (a whole quoted statement) or
``partial`` (a quoted phrase inside the writer's own sentence, such as 'called it “a disaster”'; the
gold Content of those starts with the writer's words, so they are not direct quotes by the gold
definition). The main row scores briefgen's direct quotes only, as its own class: a gold quote that only a
fragment covers is a miss. The regex baseline cannot tell the two apart, so every span it finds is a
prediction. A second F1, over every quoted span either system finds (fragments included, for both), is
printed beside it. Offsets: briefgen reads a PolNeAR file as plain text with a headline line, and
quote ``start``/``end`` index the decoded file, which is byte-for-byte the text the .ann offsets index
(the script checks that ``Article.raw`` equals the file and that every .ann span text sits at its offsets).

Speaker accuracy is over matched quotes whose gold ``Source`` names someone:
- a gold pronoun source ("he", "she", "who") is resolved to the nearest earlier gold source in the same
  article that is a name (has a capitalised word), skipping names already resolved from the other gender's
  pronoun; "it", "they", "we", "I" and purely nominal sources ("the statement") are left out;
- a prediction is right when the gold name's words are all in the predicted speaker (or one of its actor's
  aliases in that article), or the predicted name's words are all in the gold name, after lowercasing and
  dropping titles, possessives and punctuation ("Trump" ~ "Donald Trump", "Sen. Sanders" ~ "Bernie Sanders",
  but "Eric Trump" !~ "Donald Trump").
The accuracy on gold sources that are names as written (no pronoun resolution) is printed too, and so
is the accuracy with a stricter gold he/she resolution (``is_single_person``: a he/she never resolves to
'Opinion polls', 'Sanders advisers' or 'Clinton and husband Bill'), beside the default one. Speaker
errors are then counted by category (``error_category``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from common import arguments, extract_articles, require
from polnear import T_LINE, GoldQuote, annotation_files, check_offsets, read_gold

from briefgen.model import Extraction
from briefgen.sources import read_paths

TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "sen", "senator", "rep", "gov", "governor", "president", "gen", "the", "a",
    "an", "former", "secretary", "vice", "presidential", "candidate", "nominee", "republican", "democratic",
    "democrat", "gop", "s", "jr", "sr", "said", "says",
}
GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
RELATIVE = {"who", "whom"}
OTHER_PRONOUNS = {"it", "they", "we", "i", "you", "them", "us", "its", "their", "our", "my", "me"}


def words(name: str) -> set[str]:
    text = re.sub(r"['’]s\b", "", name.lower())
    return {w for w in re.findall(r"[a-z][a-z\-]*", text) if w not in TITLES}


def is_name(text: str) -> bool:
    if text.lower() in GENDER or text.lower() in RELATIVE or text.lower() in OTHER_PRONOUNS:
        return False
    return any(w[:1].isupper() and w.lower() not in TITLES for w in re.findall(r"[A-Za-z][\w\-]*", text))


_NOT_PERSON_START = {"a", "an", "the", "his", "her", "its", "their", "both", "none", "this", "that", "one"}


def is_person_like(text: str) -> bool:
    """A gold source a he/she can refer to: a name, not 'the FBI', 'A legal opinion', or an acronym."""
    first = text.split()[0].lower() if text.split() else ""
    return is_name(text) and first not in _NOT_PERSON_START and not text.replace(".", "").isupper()


def is_single_person(text: str) -> bool:
    """Stricter than ``is_person_like``, for the ``--strict-gold`` he/she resolution: one person's name.

    Some comma- or parenthesis-separated part must end in a capitalised word (after a trailing
    'himself'/'herself'), and the source must not join two people ('Clinton and husband Bill') or be a
    lowercase plural ('Opinion polls', 'Sanders advisers', 'excerpts of his speech released by the White
    House', 'Senate filings'). Those are Sources of other attributions in the gold, but no 'he'/'she'
    can point at them.
    """
    if re.search(r"\band\b|&", text):
        return False
    for part in re.split(r"[,()]", text):
        ws = [w for w in part.split() if w.lower() not in {"himself", "herself"}]
        if not ws or not ws[-1][:1].isupper():
            continue
        if any(w.islower() and w.endswith("s") and len(w) > 3 and w not in {"his", "was", "says"} for w in ws):
            continue
        return True
    return False


def resolve_gold_sources(
    gold: list[GoldQuote], all_sources: list[tuple[int, str]], text: str, *, strict: bool = False
) -> list[str | None]:
    """Each gold quote's source as a name, or None when it names no one (see the module docstring).

    ``strict``: a he/she only resolves to a source that ``is_single_person`` accepts (the default
    scoring, kept for comparison, accepts any capitalised source that does not start with a determiner).
    """
    gender_of: dict[str, str] = {}
    resolved: list[str | None] = []
    for g in gold:
        if g.source is None:
            resolved.append(None)
            continue
        source = " ".join(g.source.text(text).split())
        lower = source.lower()
        if lower in GENDER or lower in RELATIVE:
            want = GENDER.get(lower)
            name = None
            for start, candidate in reversed([s for s in all_sources if s[0] < g.source.start]):
                key = sorted(words(candidate), key=candidate.lower().find)[-1:]  # surname
                key = key[0] if key else ""
                if not key or not (is_person_like(candidate) if want else is_name(candidate)):
                    continue
                if strict and want and not is_single_person(candidate):
                    continue
                if want and gender_of.get(key, want) != want:
                    continue
                name = candidate
                if want:
                    gender_of.setdefault(key, want)
                break
            resolved.append(name)
        elif lower in OTHER_PRONOUNS or not is_name(source):
            resolved.append(None)
        else:
            resolved.append(source)
    return resolved


@dataclass
class Prediction:
    start: int
    end: int
    speaker: str | None
    names: list[str]
    partial: bool = False


def speaker_matches(gold_name: str, predicted: Prediction) -> bool:
    gold = words(gold_name)
    if not gold or predicted.speaker is None:
        return False
    for name in predicted.names:
        w = words(name)
        if w and (gold <= w or w <= gold):
            return True
    return False


def predictions_from(extraction: Extraction) -> list[Prediction]:
    aliases = {a.slug: [a.name, *a.aliases] for a in extraction.actors}
    out = []
    for q in extraction.quotes:
        names = [q.speaker] if q.speaker else []
        names += aliases.get(q.speaker_slug or "", [])
        out.append(Prediction(q.start, q.end, q.speaker, names, q.partial))
    return out


_REGEX_QUOTE = re.compile(r"[\"“]([^\"“”\n]{2,}?)[\"”]")
_REGEX_AFTER = re.compile(r"\b(?:said|says|told|added)\s+((?:[A-Z][\w\-.’']*\s?){1,3})")
_REGEX_BEFORE = re.compile(r"((?:[A-Z][\w\-.’']*\s){1,3})(?:said|says|told|added)\b")


def regex_predictions(text: str) -> list[Prediction]:
    """The naive baseline: any text between double quotes; speaker = a capitalised name next to 'said'."""
    out = []
    for m in _REGEX_QUOTE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        outside = text[m.end() : line_end if line_end != -1 else len(text)]
        before = text[line_start : m.start()]
        found = _REGEX_AFTER.search(outside) or _REGEX_BEFORE.search(outside) or _REGEX_BEFORE.search(before)
        speaker = found.group(1).strip() if found else None
        out.append(Prediction(m.start(1), m.end(1), speaker, [speaker] if speaker else []))
    return out


@dataclass
class Score:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    speaker_total: int = 0
    speaker_right: int = 0
    named_total: int = 0
    named_right: int = 0
    right_predictions: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    """Speaker errors by category (``error_category``)."""

    def row(self) -> tuple[float, float, float, float, float]:
        p = self.right_predictions / self.predicted if self.predicted else 0.0
        r = self.matched / self.gold if self.gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        s = self.speaker_right / self.speaker_total if self.speaker_total else 0.0
        n = self.named_right / self.named_total if self.named_total else 0.0
        return p, r, f, s, n


def overlap(g: GoldQuote, p: Prediction) -> int:
    return sum(max(0, min(b, p.end) - max(a, p.start)) for a, b in g.content.pieces)


ERROR_CATEGORIES = (
    "gold-side: he/she resolved to a source that is not one person",
    "pronoun: he/she/who resolved to the wrong person",
    "pronoun: he/she/who left unresolved",
    "cue not found (no speaker)",
    "nominal speaker kept where the gold names someone",
    "continuation: gold source in another paragraph",
    "wrong subject: another name in the same paragraph",
)


def error_category(g: GoldQuote, name: str, predicted: Prediction, text: str) -> str:
    """Why a speaker is wrong, from what can be seen without reading the article (first match wins)."""
    assert g.source is not None
    written = " ".join(g.source.text(text).split()).lower()
    if written in GENDER or written in RELATIVE:
        if written in GENDER and not is_single_person(name):
            return ERROR_CATEGORIES[0]
        return ERROR_CATEGORIES[1] if predicted.speaker else ERROR_CATEGORIES[2]
    if predicted.speaker is None:
        return ERROR_CATEGORIES[3]
    first = predicted.speaker.split()[0].lower()
    if not is_name(predicted.speaker) or first in _NOT_PERSON_START:
        return ERROR_CATEGORIES[4]
    lo, hi = sorted((g.source.start, g.content.start))
    if "\n" in text[lo:hi]:
        return ERROR_CATEGORIES[5]
    return ERROR_CATEGORIES[6]


def score_article(
    gold: list[GoldQuote], names: list[str | None], preds: list[Prediction], text: str, score: Score,
    misses: list[tuple[str, str]] | None = None,
) -> None:
    """Match, count and collect misses for one article.

    Each prediction goes to the gold quote it overlaps most; a gold quote is found when its predictions
    cover at least half of it (a gold quote split by '“…,” he said. “…”' or running over two paragraphs
    is found by its pieces), and those predictions are all right.
    """
    score.gold += len(gold)
    assigned: dict[int, list[int]] = {}
    for pi, p in enumerate(preds):
        best = max(((overlap(g, p), gi) for gi, g in enumerate(gold)), default=(0, -1))
        if best[0] > 0:
            assigned.setdefault(best[1], []).append(pi)
    right: set[int] = set()
    found: dict[int, int] = {}
    for gi, pis in assigned.items():
        length = sum(b - a for a, b in gold[gi].content.pieces)
        if 2 * sum(overlap(gold[gi], preds[pi]) for pi in pis) >= length:
            right.update(pis)
            found[gi] = max(pis, key=lambda pi: overlap(gold[gi], preds[pi]))
    score.predicted += len(preds)
    score.matched += len(found)
    score.right_predictions += len(right)
    for gi, pi in found.items():
        name = names[gi]
        if name is None:
            continue
        ok = speaker_matches(name, preds[pi])
        score.speaker_total += 1
        score.speaker_right += ok
        written = gold[gi].source.text(text) if gold[gi].source else ""
        if is_name(written) and written.lower() not in GENDER and written.lower() not in RELATIVE:
            score.named_total += 1
            score.named_right += ok
        if not ok:
            score.errors[error_category(gold[gi], name, preds[pi], text)] += 1
        if not ok and misses is not None:
            misses.append(("speaker", f"gold {name!r} got {preds[pi].speaker!r}: {gold[gi].content.text(text)[:110]!r}"))
    if misses is not None:
        for gi, g in enumerate(gold):
            if gi not in found:
                misses.append(("missed", repr(g.content.text(text)[:140])))
        for pi in range(len(preds)):
            if pi not in right:
                p = preds[pi]
                misses.append(("spurious", f"{text[max(p.start - 1, 0):p.end + 1][:120]!r} ({p.speaker})"))


def main() -> None:
    parser = arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--misses", type=int, default=12, help="worst misses to print per category")
    args = parser.parse_args()
    root = args.data / "polnear"
    require(root)
    files = annotation_files(root)
    names = list(files)[: args.limit or None]
    paths = [root / "text" / f"{n}.txt" for n in names]
    articles = {a.slug: a for a in read_paths(paths).articles}
    by_name = {n: a for n, a in zip(names, articles.values())}
    bad_offsets = 0
    for n, a in by_name.items():
        text = (root / "text" / f"{n}.txt").read_text(encoding="utf-8")
        # The reader blanks control characters (same length), so offsets still index both alike.
        assert a.raw == re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", " ", text), f"{n}: decoded article differs from the file"
        bad_offsets += check_offsets(files[n], text)
    extractions = extract_articles(list(articles.values()), n_process=args.n_process, cache=args.cache)

    ours, regex, ours_strict, regex_strict, ours_all = Score(), Score(), Score(), Score(), Score()
    misses: list[tuple[str, str]] = []
    for n, a in by_name.items():
        text = a.raw
        gold = read_gold(files[n], text)
        all_sources = []  # every attribution's source (for pronoun resolution), not only direct quotes
        for line in files[n].read_text(encoding="utf-8").splitlines():
            m = T_LINE.match(line)
            if m and m.group(2) == "Source":
                first = m.group(3).split(";")[0].split()
                all_sources.append((int(first[0]), " ".join(text[int(first[0]) : int(first[1])].split())))
        all_sources.sort()
        resolved = resolve_gold_sources(gold, all_sources, text)
        predicted = predictions_from(extractions[a.slug])
        direct = [p for p in predicted if not p.partial]
        score_article(gold, resolved, direct, text, ours, misses)
        score_article(gold, resolved, predicted, text, ours_all)
        score_article(gold, resolved, regex_predictions(text), text, regex)
        strict = resolve_gold_sources(gold, all_sources, text, strict=True)
        score_article(gold, strict, direct, text, ours_strict)
        score_article(gold, strict, regex_predictions(text), text, regex_strict)

    print(f"PolNeAR: {len(by_name)} articles, {ours.gold} gold direct quotes, "
          f".ann spans not at their offsets: {bad_offsets}")
    print(f"{'system':<22} {'pred':>6} {'P':>6} {'R':>6} {'F1':>6} {'speaker':>8} {'(named)':>8}")
    rows = (("briefgen direct quotes", ours), ("briefgen every span", ours_all), ("regex every span", regex))
    for label, s in rows:
        p, r, f, sp, nm = s.row()
        print(f"{label:<22} {s.predicted:>6} {p:>6.3f} {r:>6.3f} {f:>6.3f} {sp:>8.3f} {nm:>8.3f}"
              f"   speaker n={s.speaker_total}, named n={s.named_total}")
    print("speaker accuracy with the stricter gold he/she resolution (is_single_person): "
          + ", ".join(f"{label} {s.row()[3]:.3f} (n={s.speaker_total})"
                      for label, s in (("briefgen", ours_strict), ("regex", regex_strict))))
    wrong = ours.speaker_total - ours.speaker_right
    print(f"\nbriefgen speaker errors by category ({wrong} of {ours.speaker_total}):")
    for category in ERROR_CATEGORIES:
        print(f"  {ours.errors[category]:>5}  {category}")
    kinds = Counter(k for k, _ in misses)
    for kind in ("missed", "spurious", "speaker"):
        print(f"\n{kind} ({kinds[kind]}):")
        shown = sorted((m for k, m in misses if k == kind), key=len, reverse=True)[: args.misses]
        for m in shown:
            print("  " + m)


if __name__ == "__main__":
    main()
