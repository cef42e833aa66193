"""Named entities of one Doc -> merged, ranked actors with their mention offsets."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from briefgen.model import Actor, EntityKind
from briefgen.urls import slugify

LABEL_KINDS = {
    "PERSON": EntityKind.PERSON,
    "ORG": EntityKind.ORGANIZATION,
    "GPE": EntityKind.PLACE,
    "LOC": EntityKind.PLACE,
    "FAC": EntityKind.PLACE,
    "NORP": EntityKind.GROUP,
}

# Surface form (lowercase, no dots) -> (canonical name, kind). Obvious aliases the model splits.
_CANONICAL = {
    "us": ("United States", EntityKind.PLACE),
    "usa": ("United States", EntityKind.PLACE),
    "united states": ("United States", EntityKind.PLACE),
    "united states of america": ("United States", EntityKind.PLACE),
    "america": ("United States", EntityKind.PLACE),
    "uk": ("United Kingdom", EntityKind.PLACE),
    "britain": ("United Kingdom", EntityKind.PLACE),
    "great britain": ("United Kingdom", EntityKind.PLACE),
    "united kingdom": ("United Kingdom", EntityKind.PLACE),
    "eu": ("European Union", EntityKind.ORGANIZATION),
    "european union": ("European Union", EntityKind.ORGANIZATION),
    "un": ("United Nations", EntityKind.ORGANIZATION),
    "united nations": ("United Nations", EntityKind.ORGANIZATION),
    "uae": ("United Arab Emirates", EntityKind.PLACE),
    "ussr": ("Soviet Union", EntityKind.PLACE),
    "nato": ("NATO", EntityKind.ORGANIZATION),
    "gop": ("Republican Party", EntityKind.ORGANIZATION),
    "republican party": ("Republican Party", EntityKind.ORGANIZATION),
    "democratic party": ("Democratic Party", EntityKind.ORGANIZATION),
}

HONORIFICS = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sen", "senator", "rep", "gov", "governor", "president",
    "gen", "general", "brig", "lt", "col", "maj", "capt", "sgt", "adm", "sir", "dame", "lord", "lady",
    "rev", "secretary", "minister", "mayor", "judge", "justice", "chancellor", "premier", "king", "queen",
    "prince", "princess", "pope", "sheikh", "vice", "former", "candidate", "speaker", "chairman",
}
_MALE = {"mr", "sir", "lord", "king", "prince"}
_FEMALE = {"mrs", "ms", "miss", "dame", "lady", "queen", "princess"}
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
# Capitalised words the model tags as entities inside titles ("Secretary of State").
_TITLE_HEADS = {"secretary", "department", "minister", "ministry", "office", "house", "chief", "director", "head"}
_JUNK = {"state", "senate", "house", "congress'", "twitter", "facebook", "monday", "tuesday", "wednesday",
         "thursday", "friday", "saturday", "sunday", "covid-19", "covid"}
_STRIP_EDGES = re.compile(r"^[\s\"'“”‘’«»()\[\]\-–—,.:;]+|[\s\"'“”‘’«»()\[\]\-–—,:;]+$")
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    kind: EntityKind
    token_i: int
    """Index of the mention's head token in the Doc (for grammatical role)."""
    actor: int = -1


@dataclass(slots=True)
class ActorInfo:
    """An actor while the extractor works on it (mutable, internal)."""

    id: int
    forms: Counter[str] = field(default_factory=Counter)
    kinds: Counter[EntityKind] = field(default_factory=Counter)
    mentions: list[Mention] = field(default_factory=list)
    gender: str | None = None
    canonical: str | None = None
    spoke: int = 0

    @property
    def kind(self) -> EntityKind:
        return self.kinds.most_common(1)[0][0]

    @property
    def name(self) -> str:
        if self.canonical:
            return self.canonical
        if self.kind is EntityKind.PERSON:
            return max(self.forms, key=lambda f: (len(f.split()), self.forms[f], f))
        return max(self.forms, key=lambda f: (self.forms[f], len(f), f))

    @property
    def first_start(self) -> int:
        return min(m.start for m in self.mentions)


@dataclass(slots=True)
class ActorTable:
    """Every actor of one article and where it is mentioned."""

    actors: list[ActorInfo]
    mentions: list[Mention]
    """Sorted by start offset."""

    def at(self, start: int, end: int) -> ActorInfo | None:
        """The actor with a mention overlapping [start, end), preferring the longest mention."""
        best: Mention | None = None
        for m in self.mentions:
            if m.start >= end:
                break
            if m.end > start and (best is None or m.end - m.start > best.end - best.start):
                best = m
        return self.actors[best.actor] if best else None

    def by_id(self, actor_id: int) -> ActorInfo:
        return self.actors[actor_id]


def _key(text: str) -> str:
    return text.lower().replace(".", "")


def normalise_mention(span: Any) -> tuple[str, int, int, str | None] | None:
    """Clean an entity span: drop leading 'the', titles and possessives. Returns text, start, end, gender."""
    tokens = list(span)
    gender = None
    while tokens and tokens[0].lower_ in {"the", "a", "an"}:
        tokens.pop(0)
    if span.label_ == "PERSON":
        while len(tokens) > 1 and tokens[0].lower_.rstrip(".") in HONORIFICS:
            word = tokens.pop(0).lower_.rstrip(".")
            gender = "m" if word in _MALE else "f" if word in _FEMALE else gender
    while tokens and (tokens[-1].is_punct or tokens[-1].lower_ in {"'s", "’s", "'", "’"}):
        tokens.pop()
    if not tokens:
        return None
    doc = span.doc
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    text = doc[tokens[0].i : tokens[-1].i + 1].text  # == doc.text[start:end]; Doc.text rebuilds the whole text
    if "\n" in text:  # never across lines: keep the first line's part
        cut = text.index("\n")
        text, end = text[:cut].rstrip(), start + len(text[:cut].rstrip())
    text = _POSSESSIVE.sub("", _STRIP_EDGES.sub("", text))
    text = " ".join(text.split())
    if not text or not any(c.isalpha() for c in text) or text.islower() or len(text) < 2:
        return None
    if text.lower() in _JUNK or text.lower().rstrip(".") in HONORIFICS:
        return None
    if gender is None:
        before = doc[span.start - 1].lower_.rstrip(".") if span.start > 0 else ""
        gender = "m" if before in _MALE else "f" if before in _FEMALE else None
    return text, start, end, gender


def _is_title_fragment(span: Any) -> bool:
    """'State' in 'Secretary of State', 'Defense' in 'Department of Defense'."""
    if len(span) != 1 or span.start < 2:
        return False
    doc = span.doc
    return doc[span.start - 1].lower_ == "of" and doc[span.start - 2].lower_ in _TITLE_HEADS


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w[0].isupper())


def extract_actors(doc: Any) -> ActorTable:
    """Find people, organisations, places and groups, merging obvious aliases within the article."""
    raw: list[tuple[Mention, str | None]] = []
    for span in doc.ents:
        kind = LABEL_KINDS.get(span.label_)
        if kind is None or _is_title_fragment(span):
            continue
        cleaned = normalise_mention(span)
        if cleaned is None:
            continue
        text, start, end, gender = cleaned
        raw.append((Mention(start, end, text, kind, span.root.i), gender))

    actors: list[ActorInfo] = []
    by_key: dict[str, int] = {}

    def add(mention: Mention, key: str, gender: str | None, canonical: str | None = None) -> None:
        if key not in by_key:
            by_key[key] = len(actors)
            actors.append(ActorInfo(id=len(actors), canonical=canonical))
        info = actors[by_key[key]]
        mention.actor = info.id
        info.forms[mention.text] += 1
        info.kinds[mention.kind] += 1
        info.mentions.append(mention)
        info.gender = info.gender or gender

    # Full forms first so that short forms can join them.
    ordered = sorted(raw, key=lambda mg: -len(mg[0].text.split()))
    people: dict[str, list[int]] = {}  # surname/first name -> person actor ids
    for mention, gender in ordered:
        key = _key(mention.text)
        if key in _CANONICAL:
            canonical, kind = _CANONICAL[key]
            mention.kind = kind
            add(mention, "=" + canonical.lower(), gender, canonical)
            continue
        words = mention.text.split()
        if len(words) == 1 and key not in by_key:
            ids = people.get(key, [])
            if len(set(ids)) == 1 and mention.kind is not EntityKind.PLACE:
                mention.kind = EntityKind.PERSON
                add(mention, _key(actors[ids[0]].name), gender)
                continue
            acronym_of = [a.id for a in actors if a.kind is EntityKind.ORGANIZATION and len(a.name.split()) > 2
                          and mention.text.isupper() and _initials(a.name) == mention.text]
            if len(acronym_of) == 1:
                add(mention, _key(actors[acronym_of[0]].name), gender)
                continue
        if mention.kind is EntityKind.PERSON and len(words) > 1:
            # "Donald J. Trump" and "Donald Trump" are one person.
            core = [w for w in words if _key(w) not in _NAME_SUFFIXES and not re.fullmatch(r"[A-Z]\.?", w)]
            core = core or words
            full_key = _key(" ".join(core))
            if full_key not in by_key:
                surname_key = _key(core[-1])
                matches = {i for i in people.get(surname_key, []) if _key(actors[i].name).split()[0] == _key(core[0])}
                if len(matches) == 1:
                    full_key = _key(actors[matches.pop()].name)
            add(mention, full_key, gender)
            people.setdefault(_key(core[-1]), []).append(by_key[full_key])
            people.setdefault(_key(core[0]), []).append(by_key[full_key])
            continue
        add(mention, key, gender)

    # Names the model missed or mislabelled later in the text ("Ryder" tagged ORG, or not at all) still count.
    mentions = sorted((m for a in actors for m in a.mentions), key=lambda m: m.start)
    return ActorTable(actors, mentions)


def infer_genders(doc: Any, table: ActorTable) -> None:
    """Guess each person's gender from the first he/she that follows a sentence where they are the subject."""
    for info in table.actors:
        if info.gender or info.kind is not EntityKind.PERSON:
            continue
        votes: Counter[str] = Counter()
        for m in info.mentions:
            token = doc[m.token_i]
            if token.dep_ not in {"nsubj", "nsubjpass"}:
                continue
            sent = token.sent
            window = doc[sent.end : min(len(doc), sent.end + 40)]
            for t in [*doc[token.i + 1 : sent.end], *window]:
                if t.lower_ in {"he", "his", "him", "himself"}:
                    votes["m"] += 1
                    break
                if t.lower_ in {"she", "her", "hers", "herself"}:
                    votes["f"] += 1
                    break
        if votes:
            info.gender = votes.most_common(1)[0][0]


def rank_actors(table: ActorTable, text_length: int) -> list[ActorInfo]:
    """Most important first: mentions, how early they appear, and whether they speak."""

    def salience(info: ActorInfo) -> float:
        early = 1.0 - info.first_start / max(text_length, 1)
        weight = 0.6 if info.kind is EntityKind.GROUP else 1.0
        return weight * (len(info.mentions) + 2.0 * early + 1.5 * info.spoke)

    return sorted(table.actors, key=lambda a: (-salience(a), a.first_start))


def to_actor(info: ActorInfo) -> Actor:
    name = info.name
    aliases = tuple(sorted({f for f in info.forms if f != name}))
    return Actor(name=name, kind=info.kind, aliases=aliases, mentions=len(info.mentions), slug=slugify(name))
