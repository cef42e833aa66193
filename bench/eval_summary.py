"""Summaries on BBC News Summary: briefgen beside Lead-3 and TextRank at the same length, one run.

    python bench/eval_summary.py [--limit N] [--n-process 2] [--sentences 3]

All three systems pick whole sentences of the same sentence split (the one the extractor sees: spaCy
sentences, never across paragraphs, headline excluded) and the same number of them (``--sentences``,
default 3, the site's setting). The references are extractive and long (about 40% of the article), so
every system's recall is capped by the length; what differs is which sentences are picked. ROUGE-1,
ROUGE-2 and ROUGE-Lsum F-measure with the Porter stemmer (``rouge-score``); the reference's sentences,
stored without spaces between them, are split back for Lsum.

A second corpus with reference summaries does not exist under ../shared/data: PolNeAR has none, so no
ROUGE is claimed there. For a sample of PolNeAR (``--polnear N``) the script prints reference-free
properties of each system's summary instead: the share of summaries that contain a quoted statement (a
sentence at least a quarter inside quotation marks; the briefing promises none) and that keep the
article's first sentence (lead-awareness).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import replace
from typing import Any

from common import arguments, extract_articles, parse_articles, require

from briefgen.extract.summary import Sentence, make_sentences
from briefgen.sources import read_paths

_REF_SPLIT = re.compile(r"(?<=[.!?\"”])(?=[A-Z\"“])")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = {
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "is", "was", "are", "were", "be", "been", "it",
    "that", "this", "with", "as", "at", "by", "from", "has", "have", "had", "he", "she", "they", "his", "her",
    "its", "their", "but", "not", "said", "will", "would", "which", "who",
}


def lead(sentences: list[Sentence], n: int) -> list[str]:
    return [s.text for s in sentences[:n]]


def textrank(sentences: list[Sentence], n: int) -> list[str]:
    """TextRank (Mihalcea & Tarau 2004): word-overlap similarity / log lengths, PageRank d=0.85."""
    bags = [[w for w in _WORD.findall(s.text.lower()) if w not in _STOP] for s in sentences]
    size = len(sentences)
    if size <= n:
        return [s.text for s in sentences]
    weights = [[0.0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i + 1, size):
            if len(bags[i]) > 1 and len(bags[j]) > 1:
                common = len(set(bags[i]) & set(bags[j]))
                w = common / (math.log(len(bags[i])) + math.log(len(bags[j])))
                weights[i][j] = weights[j][i] = w
    out = [sum(row) for row in weights]
    score = [1.0] * size
    for _ in range(50):
        score = [
            0.15 + 0.85 * sum(weights[j][i] / out[j] * score[j] for j in range(size) if weights[j][i] and out[j])
            for i in range(size)
        ]
    top = sorted(range(size), key=lambda i: (-score[i], i))[:n]
    return [sentences[i].text for i in sorted(top)]


def paragraph_of(article: Any) -> Any:
    import bisect

    starts = [p.start for p in article.paragraphs]
    return lambda offset: max(bisect.bisect_right(starts, offset) - 1, 0)


def main() -> None:
    parser = arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=3)
    parser.add_argument("--polnear", type=int, default=200, help="PolNeAR articles for the reference-free check")
    args = parser.parse_args()
    from rouge_score import rouge_scorer

    root = args.data / "bbc"
    require(root)
    paths = sorted((root / "articles").glob("*/*.txt"))
    if args.limit:
        # Every category, not just the first: take every k-th file.
        step = max(1, len(paths) // args.limit)
        paths = paths[::step][: args.limit]
    # Slugs come from file names, which repeat across categories: make them unique here.
    articles = [
        replace(a, slug=f"{p.parent.name}-{a.slug}") for p in paths for a in read_paths([p]).articles
    ]
    docs = parse_articles(articles, n_process=args.n_process, cache=args.cache)
    ours = extract_articles(articles, summary_sentences=args.sentences, docs=docs)
    from briefgen.extract import prepare

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    totals: dict[str, Counter[str]] = {name: Counter() for name in ("briefgen", "lead", "textrank")}
    words: Counter[str] = Counter()
    by_section: dict[str, Counter[str]] = {}  # "section/system" -> ROUGE-1 sum, and "section" -> count
    for article, path in zip(articles, paths):
        rel = path.relative_to(root / "articles")
        reference = (root / "summaries" / rel).read_text(encoding="utf-8", errors="replace")
        ref = "\n".join(s.strip() for s in _REF_SPLIT.split(reference.strip()) if s.strip())
        sentences = make_sentences(docs[article.slug], prepare(article)[1], paragraph_of(article))
        systems = {
            "briefgen": list(ours[article.slug].summary),
            "lead": lead(sentences, args.sentences),
            "textrank": textrank(sentences, args.sentences),
        }
        for name, picked in systems.items():
            scores = scorer.score(ref, "\n".join(picked))
            for key, value in scores.items():
                totals[name][key] += value.fmeasure
            words[name] += sum(len(s.split()) for s in picked)
            by_section.setdefault(path.parent.name, Counter())[name] += scores["rouge1"].fmeasure
        by_section[path.parent.name]["n"] += 1
    n = len(articles)
    print(f"BBC: {n} articles, {args.sentences} sentences per summary (references ~40% of the article)")
    print(f"{'system':<10} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-Lsum':>11} {'words':>6}")
    for name in ("briefgen", "lead", "textrank"):
        t = totals[name]
        label = {"lead": f"lead-{args.sentences}"}.get(name, name)
        print(f"{label:<10} {t['rouge1'] / n:>8.4f} {t['rouge2'] / n:>8.4f} {t['rougeLsum'] / n:>11.4f} "
              f"{words[name] / n:>6.1f}")
    # The same comparison per news section: a margin that holds in each one is not one section's artefact.
    print(f"\nROUGE-1 by section\n{'section':<14} {'n':>4} {'briefgen':>9} {'lead':>7} {'textrank':>9}")
    for section, sums in sorted(by_section.items()):
        k = sums["n"]
        print(f"{section:<14} {k:>4} {sums['briefgen'] / k:>9.4f} {sums['lead'] / k:>7.4f} {sums['textrank'] / k:>9.4f}")
    if args.polnear:
        reference_free(args)


def reference_free(args: Any) -> None:
    """PolNeAR has no reference summaries: quote-free and lead-keeping shares per system, and ROUGE-1 against
    each article's headline, the one human-written summary it has (short and abstractive: recall is the
    telling number, as every system gets three sentences)."""
    from rouge_score import rouge_scorer

    from briefgen.extract import prepare

    root = args.data / "polnear" / "text"
    if not root.is_dir():
        return
    paths = sorted(root.glob("*.txt"))
    paths = paths[:: max(1, len(paths) // args.polnear)][: args.polnear]
    articles = list(read_paths(paths).articles)
    docs = parse_articles(articles, n_process=args.n_process, cache=args.cache)
    ours = extract_articles(articles, summary_sentences=args.sentences, docs=docs)
    quoted: Counter[str] = Counter()
    leads: Counter[str] = Counter()
    headline_recall: Counter[str] = Counter()
    headline_f: Counter[str] = Counter()
    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    for article in articles:
        sentences = make_sentences(docs[article.slug], prepare(article)[1], paragraph_of(article))
        if not sentences:
            continue
        share = {s.text: s.quoted for s in sentences}
        systems = {
            "briefgen": list(ours[article.slug].summary),
            "lead": lead(sentences, args.sentences),
            "textrank": textrank(sentences, args.sentences),
        }
        for name, picked in systems.items():
            quoted[name] += any(share.get(p, 0.0) >= 0.25 for p in picked)
            leads[name] += sentences[0].text in picked
            score = scorer.score(article.title, " ".join(picked))["rouge1"]
            headline_recall[name] += score.recall
            headline_f[name] += score.fmeasure
    n = len(articles)
    print(f"\nPolNeAR: {n} articles, no reference summaries (reference-free checks)")
    print(f"{'system':<10} {'with a quote':>13} {'keeps lead':>11} {'headline R-1 recall':>20} {'headline R-1 F':>15}")
    for name in ("briefgen", "lead", "textrank"):
        label = {"lead": f"lead-{args.sentences}"}.get(name, name)
        print(f"{label:<10} {quoted[name] / n:>13.1%} {leads[name] / n:>11.1%} "
              f"{headline_recall[name] / n:>20.4f} {headline_f[name] / n:>15.4f}")


if __name__ == "__main__":
    main()
