"""Actors on the seed and a PolNeAR sample: duplicate entities, junk entities, suspicious kinds.

    python bench/eval_actors.py [--limit 80] [--n-process 2]

The site graph is built exactly as the build does it (``briefgen.graph.build_site``, with the project's
``entities.toml`` when ``--curation`` is given), then every entity page is checked:
- duplicate: two pages whose names agree after normalising (case, dots, possessive, leading "the",
  titles: "U.S."/"US", "the Pentagon"/"Pentagon", "Mr. Trump"/"Trump"), or a one-word person page
  whose word is the surname of exactly one multi-word person page ("Ryder" beside "Pat Ryder");
- junk: dates, weekdays, months, numbers, lowercase words, names with line breaks or stray punctuation,
  title fragments ("State", "House" alone) and pronouns;
- kind: a person whose name has an organisation or place word in it ("Party", "News", "County"), a
  place or organisation that is a country-level alias of a person page, a bare country as an organisation.
Each finding is printed so it can be judged by eye.
"""

from __future__ import annotations

import re
from pathlib import Path

from common import REPO, arguments, extract_articles, require

from briefgen.graph import build_site
from briefgen.model import Briefing, EntityKind
from briefgen.sources import read_paths

MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
          "dec"}
DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
FRAGMENTS = {"state", "house", "department", "office", "ministry", "secretary", "minister", "general", "chief",
             "he", "she", "they", "it", "we", "i", "you", "his", "her", "mr", "mrs", "ms", "dr", "the"}
TITLES = {"mr", "mrs", "ms", "dr", "sen", "senator", "rep", "gov", "governor", "president", "gen", "general",
          "the", "former", "secretary", "vice", "brig", "lt", "col", "maj", "capt", "adm", "sir", "judge"}
ORG_WORDS = {"party", "news", "times", "post", "committee", "department", "university", "county", "city",
             "council", "agency", "ministry", "association", "company", "inc", "corp", "network", "foundation",
             "campaign", "pac", "journal", "tribune", "institute", "center", "centre", "group"}
COUNTRY_ALIASES = {"us", "usa", "united states", "america", "uk", "britain", "united kingdom", "china",
                   "russia", "canada", "mexico", "france", "germany", "iran", "israel", "japan"}
SEED_EXPECTED = ["Antony Blinken", "Pat Ryder", "United States", "Canada", "China", "Pentagon", "Global Times"]


def normal(name: str) -> str:
    text = re.sub(r"['’]s?$", "", name.lower().replace(".", ""))
    words = [w for w in re.findall(r"[\w\-]+", text) if w not in TITLES]
    return " ".join(words)


def junk_reason(name: str) -> str | None:
    low = name.lower().strip()
    words = re.findall(r"[\w\-’']+", low)
    if not words:
        return "no words"
    if "\n" in name:
        return "line break"
    if re.fullmatch(r"[\d\W]+s?", low) or (set(words) & (MONTHS | DAYS) and any(c.isdigit() for c in low)):
        return "number/date"
    if set(words) <= MONTHS | DAYS | {"last", "next", "this", "of", "the"}:
        return "date word"
    if name[:1].islower() and low.split()[0] not in {"al", "el", "bin", "de", "van", "von", "da", "di", "du", "la"}:
        return "lowercase"
    if low in FRAGMENTS:
        return "fragment"
    if re.search(r"[\"“”()\[\]{}<>|/\\]|^[-–—,.;:]|[-–—,;:]$", name):
        return "stray punctuation"
    if len(low) < 2:
        return "too short"
    return None


def audit(briefings: list[Briefing], curation: Path | None = None) -> tuple[list[str], list[str], list[str], dict]:
    kwargs = {"curation": curation} if curation else {}
    site = build_site(briefings, **kwargs)
    entities = site.entities
    dupes, junk, kinds = [], [], []
    by_norm: dict[str, list[str]] = {}
    for slug, e in entities.items():
        by_norm.setdefault(normal(e.name), []).append(slug)
    for key, slugs in by_norm.items():
        if len(slugs) > 1 and key:
            dupes.append(" = ".join(f"{entities[s].name!r}" for s in slugs))
    people = [e for e in entities.values() if e.kind is EntityKind.PERSON and len(e.name.split()) > 1]
    surnames: dict[str, list[str]] = {}
    for e in people:
        surnames.setdefault(normal(e.name).split()[-1] if normal(e.name) else "", []).append(e.name)
    for e in entities.values():
        if len(e.name.split()) == 1 and e.kind is EntityKind.PERSON:
            full = surnames.get(normal(e.name), [])
            if len(full) == 1:
                dupes.append(f"{e.name!r} ~ {full[0]!r}")
        reason = junk_reason(e.name)
        if reason:
            junk.append(f"{e.name!r} ({reason}, {e.kind.value}, {e.mention_count} mentions)")
        words = set(re.findall(r"[a-z]+", e.name.lower()))
        if e.kind is EntityKind.PERSON and words & ORG_WORDS:
            kinds.append(f"{e.name!r} is a person?")
        if e.kind is EntityKind.ORGANIZATION and normal(e.name) in COUNTRY_ALIASES:
            kinds.append(f"{e.name!r} is an organisation?")
        if e.kind is not EntityKind.PERSON and normal(e.name) in surnames and len(e.name.split()) == 1:
            kinds.append(f"{e.name!r} is a {e.kind.value}, but a person's surname on this site")
    return dupes, junk, kinds, entities


def main() -> None:
    parser = arguments(__doc__.split("\n\n")[0])
    parser.add_argument("--curation", type=Path, default=None, help="an entities.toml to apply")
    args = parser.parse_args()
    root = args.data / "polnear"
    require(root)
    limit = args.limit or 80
    seed = list(read_paths(sorted((REPO / "seeds").glob("*.txt"))).articles)
    paths = sorted((root / "text").glob("*.txt"))
    step = max(1, len(paths) // limit)
    sample = list(read_paths(paths[::step][:limit]).articles)
    extractions = extract_articles(seed + sample, n_process=args.n_process, cache=args.cache)

    def briefings(articles: list) -> list[Briefing]:
        return [Briefing(a, e.summary, e.actors, e.quotes, e.context) for a in articles
                if (e := extractions[a.slug]) is not None]

    rows = []
    for label, articles in (("seed", seed), (f"PolNeAR {len(sample)}", sample)):
        dupes, junk, kinds, entities = audit(briefings(articles), args.curation)
        rows.append((label, len(entities), len(dupes), len(junk), len(kinds)))
        print(f"\n== {label}: {len(entities)} entities")
        if label == "seed":
            names = {e.name for e in entities.values()}
            missing = [n for n in SEED_EXPECTED if n not in names]
            print(f"expected entities missing: {missing or 'none'}; 'State' present: {'State' in names}; "
                  f"'Ryder' present: {'Ryder' in names}")
        for title, items in (("duplicates", dupes), ("junk", junk), ("kinds", kinds)):
            print(f"{title} ({len(items)}):")
            for item in items[:40]:
                print("   " + item)
    print(f"\n{'corpus':<14} {'entities':>8} {'dupes':>6} {'junk':>5} {'kinds':>6}")
    for label, n, d, j, k in rows:
        print(f"{label:<14} {n:>8} {d:>6} {j:>5} {k:>6}")


if __name__ == "__main__":
    main()
