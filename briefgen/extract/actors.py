"""Named entities of one Doc -> merged, ranked actors with their mention offsets."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from briefgen.model import Actor, EntityKind
from briefgen.names import FEMALE_FIRST_NAMES, HONORIFICS, MALE_FIRST_NAMES, NAME_SUFFIXES
from briefgen.text import clean_name, headline_case
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

_MALE = {"mr", "sir", "lord", "king", "prince"}
_FEMALE = {"mrs", "ms", "miss", "dame", "lady", "queen", "princess"}
# Capitalised words the model tags as entities inside titles ("Secretary of State").
_TITLE_HEADS = {"secretary", "department", "minister", "ministry", "office", "house", "chief", "director", "head"}
_JUNK = {"state", "department", "ministry", "agency", "senate", "house", "congress'", "twitter", "facebook",
         "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "covid-19", "covid"}
# Lowercase words that may begin a name ("al Qaeda", "de Blasio"); any other lowercase start is an
# adjective ("pro-Israel", "non-Americans") or a fragment, not an actor.
_NAME_PARTICLES = {"al", "el", "bin", "ibn", "abu", "de", "del", "della", "der", "van", "von", "da", "di", "du",
                   "la", "le", "dos", "das"}
# Last words that make a "person" an organisation or a place ("Clark County", "Clinton Foundation").
_ORG_HEADS = {"foundation", "party", "house", "network", "committee", "university", "department", "campaign",
              "institute", "association", "center", "centre", "council", "company", "corporation", "inc",
              "news", "times", "group", "agency", "ministry", "commission", "union", "bank", "club",
              "clinic", "hospital", "school", "college", "academy", "church", "museum", "library", "hotel",
              "police", "constabulary"}
_PLACE_HEADS = {"county", "city", "state", "province", "river", "island", "islands", "valley", "street",
                "airport", "stadium", "arena", "bridge"}
_MARKUP = re.compile(r"<[^>]*>?|&[a-z]+;")
_STRIP_EDGES = re.compile(r"^[\s\"'“”‘’«»()\[\]\-–—,.:;]+|[\s\"'“”‘’«»()\[\]\-–—,:;]+$")
_POSSESSIVE = re.compile(r"(?:['’‘]s|['’‘])$")
# Verbs, conjunctions and prepositions never start or end a name; inside one they join two of them
# ("Donald Trump Leads Clinton" in a headline, "Entrusting Donald Trump", "Donald Trump and").
_NOT_NAME_TAGS = {"VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD", "CC", "IN", "RB", "PRP", "PRP$", "WDT", "WP"}
_POSSESSIVE_TOKENS = {"'s", "’s", "‘s", "'", "’"}
_NAME_BREAKS = {":", ";", "|"}
_NOUN_TAGS = {"NNP", "NNPS", "NN", "NNS"}
_JOINERS = {"-", "–", "—", "/"}
# Roles written after a name ("Hennepin County Attorney", "Academy President"): not part of it. "General" is a
# title's own word ("Surgeon General", "Attorney General").
_ROLES = (HONORIFICS | _TITLE_HEADS | {
    "attorney", "spokesman", "spokeswoman", "administrator", "congressman", "congresswoman", "councilman",
    "councilwoman", "editor", "supervisor", "commissioner", "correspondent", "member", "justice", "age"}) - {"general"}
# A person named for an office they may get, before it: "Nominee for Surgeon General".
_NOMINEES = {"nominee", "candidate", "pick", "choice"}
# An award or title written like a name ("National Player of the Year", "Coach of the Year"): nobody's name.
_AWARD = re.compile(r"\bof the (?:year|decade|century|game|season|match)\b", re.IGNORECASE)


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
    nicknamed: set[str] = field(default_factory=set)
    """Names the article gives the actor inside its full name ("Jerry Ortiz" of "Luis Gerardo (Jerry) Ortiz")."""

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


def normalise_mention(span: Any, lower_words: frozenset[str] = frozenset()) -> tuple[str, int, int, str | None] | None:
    """Clean an entity span: drop leading 'the', titles and possessives. Returns text, start, end, gender.

    ``lower_words``: the words the article writes in lower case (see ``_shouted_word``)."""
    tokens = list(span)
    gender = None
    while tokens and tokens[0].lower_ in {"the", "a", "an"}:
        tokens.pop(0)
    if span.label_ == "PERSON":
        while len(tokens) > 1 and tokens[0].lower_.rstrip(".") in HONORIFICS:
            word = tokens.pop(0).lower_.rstrip(".")
            gender = "m" if word in _MALE else "f" if word in _FEMALE else gender
    while len(tokens) > 2 and tokens[0].lower_ in _NOMINEES and tokens[1].lower_ == "for":
        tokens = tokens[2:]  # "Nominee for Surgeon General" is the office, "Candidate for Governor" too
    tokens = _name_tokens(tokens, span.label_)
    while tokens and (tokens[-1].is_punct or tokens[-1].lower_ in _POSSESSIVE_TOKENS):
        tokens.pop()
    if not tokens:
        return None
    doc = span.doc
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    text = doc[tokens[0].i : tokens[-1].i + 1].text  # not doc.text: that is rebuilt per access
    if "\n" in text:  # never across lines: keep the first line's part
        cut = text.index("\n")
        text, end = text[:cut].rstrip(), start + len(text[:cut].rstrip())
    text = _MARKUP.sub("", text)  # leftovers of HTML in scraped copy: "San Bernardino.</tweet>"
    if "(" in text and ")" not in text:  # "Young Americans for Freedom (YAF": keep the name before it
        text = text[: text.index("(")]
    text = clean_name(_POSSESSIVE.sub("", _STRIP_EDGES.sub("", text)))  # NFKC, no invisible characters
    text = re.sub(r"(?<=[a-z])[—–-]?\d+$", "", " ".join(text.split()))  # "Ted Cruz35", "Ted Cruz—35"
    if not text or not any(c.isalpha() for c in text) or text.islower() or len(text) < 2:
        return None
    if "/" in text or "@" in text or "#" in text:  # photo credits, "Times/CBS News" polls, handles
        return None
    if text[0].islower() and text.split()[0].lower() not in _NAME_PARTICLES:
        return None
    if re.fullmatch(r"[\d\W]+s?", text):
        return None  # "1990s"
    if text.lower() in _JUNK or text.lower().rstrip(".") in HONORIFICS or text.lower() in _PLACE_HEADS:
        return None  # ("Island" of "the Island of Qeshm" is no place's name)
    if len(tokens) == 1 and _shouted_word(tokens[0], lower_words):
        return None
    if _AWARD.search(" ".join([span.text, *(t.text for t in doc[span.end : span.end + 3])])):
        return None  # (the model's span may stop before "of the Year")
    if gender is None:
        before = doc[span.start - 1].lower_.rstrip(".") if span.start > 0 else ""
        gender = "m" if before in _MALE else "f" if before in _FEMALE else None
    return text, start, end, gender


def _shouted_word(token: Any, lower_words: frozenset[str]) -> bool:
    """"A MAN was last night being quizzed", "TRIAL DATE SET FOR MAN ACCUSED": a common word that the article also
    writes in lower case, in capitals like every word before it in its sentence, is that word shouted (a lead-in
    or a headline), not a name ("WHO" in "The WHO said" follows a written word; "US" is a country). Right after
    an opening "A" and before lower case ("A MAN was"), it is shouted whether or not the article writes it again:
    no name follows the indefinite article alone."""
    if not token.is_upper or len(token.text) < 2 or _key(token.text) in _CANONICAL:
        return False
    doc = token.doc
    start = token.sent.start
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    if token.i == start + 1 and doc[start].lower_ in {"a", "an"} and after is not None and after.is_lower:
        return True
    return token.lower_ in lower_words and all(t.is_upper for t in doc[start : token.i] if t.is_alpha)


def _name_tokens(tokens: list[Any], label: str) -> list[Any]:
    """The tokens of the name itself, when the model's span runs past it.

    A dateline before a spaced dash ("CLEVELAND - Donald Trump") is dropped; a possessive inside a person's
    span ends the name ("Donald Trump’s America": the name is Donald Trump), as it does in any span when
    lowercase words follow ("Obama’s agenda"); a verb, conjunction or preposition inside a person's span
    ends it ("Donald Trump Leads Clinton"), and at either edge of any span it is not part of the name. A place's
    span of something "at" a named place ("the Jaguars at Jacksonville Municipal Stadium") is that place.
    """
    if LABEL_KINDS.get(label) is EntityKind.PLACE:
        at = next((i for i, t in enumerate(tokens[1:-1], start=1) if t.lower_ == "at"), None)
        if at is not None and tokens[at + 1].is_title:
            tokens = tokens[at + 1 :]
    for i, t in enumerate(tokens[1:-1], start=1):
        if t.text in {"-", "–", "—", "--"} and t.whitespace_ and tokens[i - 1].whitespace_:
            tokens = tokens[i + 1 :]
            break
    # A colon, semicolon or bar ends a name: a heading run into its paragraph ("Marco Rubio: Retirement
    # accounts"), a label before one ("Update: Donald Trump"). The piece with more proper nouns is the name.
    pieces: list[list[Any]] = [[]]
    for t in tokens:
        if t.text in _NAME_BREAKS:
            pieces.append([])
        else:
            pieces[-1].append(t)
    if len(pieces) > 1:
        tokens = max(pieces, key=lambda p: sum(t.tag_ in {"NNP", "NNPS"} for t in p))
    for i, t in enumerate(tokens[1:], start=1):
        if t.lower_ in _POSSESSIVE_TOKENS and (label == "PERSON" or any(x.is_lower for x in tokens[i + 1 :])):
            tokens = tokens[:i]
            break
        if label == "PERSON" and t.tag_ in _NOT_NAME_TAGS and i < len(tokens) - 1:
            tokens = tokens[:i]
            break
    while len(tokens) > 1 and tokens[0].tag_ in _NOT_NAME_TAGS:
        tokens = tokens[1:]
    while len(tokens) > 1 and (tokens[-1].tag_ in _NOT_NAME_TAGS or tokens[-1].tag_ == "CD"
                               or (tokens[-1].is_punct and tokens[-1].text not in {".", ")"})):
        tokens = tokens[:-1]  # "Donald Trump 384" (a delegate count), "Ted Cruz—35"
    return tokens


def _untagged_plural_names(doc: Any) -> list[Mention]:
    """"The Chiefs were stuffed", "the Tar Heels": a capitalised plural name after "the" that the model left
    untagged is a team's, band's or group's name (an organisation; the corpus's votes may make it a group),
    unless the article also writes it in lower case: a common noun capitalised by a title ("the Governors")."""
    found = []
    n = len(doc)
    common = {t.text for t in doc if t.is_lower}
    for t in doc:
        if t.tag_ != "NNPS" or t.ent_type_ or not t.text[:1].isupper() or t.text.isupper() or t.lower_ in common:
            continue
        if t.i + 1 < n and _untagged_name_word(doc[t.i + 1]):
            continue  # not the last word of the name
        first = t.i
        while first > 0 and _untagged_name_word(doc[first - 1]):
            first -= 1
        if first == 0 or doc[first - 1].lower_ != "the" or "\n" in doc[first : t.i + 1].text:
            continue
        span = doc[first : t.i + 1]
        found.append(Mention(span.start_char, span.end_char, span.text, EntityKind.ORGANIZATION, t.i))
    return found


def _untagged_name_word(token: Any) -> bool:
    return token.tag_ in {"NNP", "NNPS"} and not token.ent_type_ and token.text[:1].isupper()


_NUMBERED_TEAM = re.compile(r"\d+ers", re.IGNORECASE)
"""A team named for a number ("76ers", "49ers"; the model may take it for a number): the rest of the name after
its city ("Philadelphia 76ers")."""


def _untagged_name_tail(span: Any) -> list[Any]:
    """"The Hollywood Reporter", "U.S. Surgeon General": capitalised words the model left out of the name it
    tagged, right after it, are the rest of a longer name (an organisation's, a facility's, a title's). Not in a
    headline, where every word is capitalised ("Donald Trump Leads"), nor a role ("US President", "FBI Director
    James Comey"), nor a suffix ("Jr."), nor the first part of a compound ("Bernie Sanders T-shirt"); after a
    person, only a first name's missing surname ("Kathina" + "Thomas"); never after a nationality ("American
    People")."""
    doc = span.doc
    tail: list[Any] = []
    i = span.end
    while i < len(doc) and doc[i].tag_ in _NOUN_TAGS \
            and ((doc[i].is_title and not doc[i].ent_type_) or _NUMBERED_TEAM.fullmatch(doc[i].text)) \
            and len(doc[i]) > 1 and doc[i - 1].whitespace_ == " " and _key(doc[i].text) not in NAME_SUFFIXES \
            and (doc[i].whitespace_ or i + 1 == len(doc) or (doc[i + 1].is_punct and doc[i + 1].text not in _JOINERS)):
        tail.append(doc[i])
        i += 1
        if _NUMBERED_TEAM.fullmatch(doc[i - 1].text):
            break  # the team's name ends with its number
    if not tail or span.label_ == "NORP" or (i < len(doc) and doc[i].ent_type_ == "PERSON") \
            or any(t.lower_.rstrip(".") in _ROLES or t.lower_[:-1] in _ROLES for t in tail) \
            or (span.label_ == "PERSON" and len(span) + len(tail) != 2):
        return []
    if all(_NUMBERED_TEAM.fullmatch(t.text) for t in tail):
        return tail  # (no headline's word: "PHILADELPHIA 76ERS Fired Jim O'Brien")
    words = [t.text for t in span.sent if t.is_alpha and len(t.text) > 3]
    return [] if not words or headline_case(words) else tail


_PERSON_NOUN_OPENERS = {"a", "an", "one"}
# How singular nationality words end ("Australian", "Somali", "Briton", "Scot" aside): not a plural, not a surname.
_NATIONALITY_ENDINGS = ("an", "ese", "i", "ish", "ch", "er", "ot", "ine")
_MODIFIER_TAGS = {"JJ", "JJR", "JJS", "VBN", "HYPH", "CD", "NNP", "RB"}


def _nationality_of_a_person(span: Any) -> bool:
    """"the 40-year-old American in the sixth round", "One Australian and one English climber": a nationality word
    as a noun for one person (after "a", "an", "one", or "the" and a modifier, and before no noun it could
    describe) names that person, not the country: no mention of the country. A plural ("Americans") or a word
    before a noun ("American troops", "Ethiopian-flagged") stays the country's."""
    word = span.text.lower()
    if span.label_ != "NORP" or len(span) != 1 or not word.endswith(_NATIONALITY_ENDINGS):
        return False  # (the model tags some surnames so: "the 32-year-old Klitschko")
    doc = span.doc
    if span.end < len(doc) and doc[span.end].tag_ in _NOUN_TAGS | {"JJ", "CD", "HYPH"}:
        return False
    for modifiers, t in enumerate(reversed(doc[max(span.start - 6, 0) : span.start])):
        word = t.lower_
        if word in _PERSON_NOUN_OPENERS or (word == "the" and modifiers):
            return True
        hyphenated = t.i + 1 < len(doc) and doc[t.i + 1].tag_ == "HYPH"  # "40-year-old"
        if (t.tag_ not in _MODIFIER_TAGS and not hyphenated) or "\n" in t.text_with_ws:
            return False
    return False


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
    lower_words = frozenset(t.text for t in doc if t.is_lower)
    for span in doc.ents:
        kind = LABEL_KINDS.get(span.label_)
        if kind is None or _is_title_fragment(span) or _nationality_of_a_person(span):
            continue
        cleaned = normalise_mention(span, lower_words)
        if cleaned is None:
            continue
        text, start, end, gender = cleaned
        after = span.doc[span.end] if span.end < len(span.doc) else None
        if kind in (EntityKind.PERSON, EntityKind.ORGANIZATION) and after is not None and after.is_alpha \
                and len(after.text) >= 2 and after.text.isupper() and not text.isupper() and after.idx == end + 1:
            # "Ted Cruz Super" + "PAC": a name inside an organisation's name.
            text, end, kind = f"{text} {after.text}", after.idx + len(after.text), EntityKind.ORGANIZATION
        elif end == span[-1].idx + len(span[-1].text) and (tail := _untagged_name_tail(span)):
            text = text + span[-1].whitespace_ + "".join(t.text_with_ws for t in tail).rstrip()
            end = tail[-1].idx + len(tail[-1].text)
            if kind is not EntityKind.PERSON:  # (a person's surname the model left out is still the person's)
                kind = EntityKind.PLACE if tail[-1].lower_ in _PLACE_HEADS else EntityKind.ORGANIZATION
        last = text.split()[-1].lower()
        if kind is EntityKind.PERSON and len(text.split()) > 1 and last in _ORG_HEADS | _PLACE_HEADS:
            kind = EntityKind.PLACE if last in _PLACE_HEADS else EntityKind.ORGANIZATION
        elif kind is EntityKind.ORGANIZATION and _looks_like_person(text):
            kind = EntityKind.PERSON  # 'Carly Fiorina' tagged as an organisation
        raw.append((Mention(start, end, text, kind, span.root.i), gender))

    raw.extend((m, None) for m in _untagged_plural_names(doc))
    nicknamed = _nicknamed_names(doc)
    if nicknamed:  # the whole name replaces the model's pieces of it
        raw = [(m, g) for m, g in raw if not any(m.start < n.end and n.start < m.end for n, _ in nicknamed)]
        raw.extend((m, None) for m, _ in nicknamed)
    nicknames = {m.start: keys for m, keys in nicknamed}
    _people_taken_for_organisations([m for m, _ in raw])
    _teams_taken_for_people(doc, [m for m, _ in raw])
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
    # How the model tagged each form across the article: one sentence's label is noisy ('Ramos' tagged a
    # place once among eight mentions as a person or organisation is still the person's surname).
    places_of = Counter(_key(m.text) for m, _ in raw if m.kind is EntityKind.PLACE)
    count_of = Counter(_key(m.text) for m, _ in raw)
    # ...and a first name is a person's only where the model mostly says so ("Microsoft" is not the first name of
    # a "Microsoft Trustworthy Computing" taken for a person).
    orgs_of = Counter(_key(m.text) for m, _ in raw if m.kind is EntityKind.ORGANIZATION)
    people: dict[str, list[int]] = {}  # surname/first name -> person actor ids
    surnames: set[str] = set()
    for mention, gender in ordered:
        key = _key(mention.text)
        if key in _CANONICAL:
            canonical, kind = _CANONICAL[key]
            mention.kind = kind
            add(mention, "=" + canonical.lower(), gender, canonical)
            continue
        words = mention.text.split()
        if len(words) == 1 and len(set(people.get(key, ()))) > 1 and mention.kind is EntityKind.ORGANIZATION:
            # A surname two people share ("Trump" beside Donald and Ivanka Trump) stays its own actor, but
            # it is a person even where the model tagged it as an organisation: 'he' can refer to it.
            mention.kind = EntityKind.PERSON
        if len(words) == 1 and key not in by_key:
            ids = people.get(key, [])
            if len(set(ids)) == 1 and 2 * places_of[key] < count_of[key] \
                    and (key in surnames or 2 * orgs_of[key] < count_of[key]):
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
            core = [w for w in words if _key(w) not in NAME_SUFFIXES and not re.fullmatch(r"[A-Z]\.?", w)]
            core = core or words
            full_key = _key(" ".join(core))
            if full_key not in by_key:
                surname_key = _key(core[-1])
                matches = {i for i in people.get(surname_key, []) if _key(actors[i].name).split()[0] == _key(core[0])}
                if len(matches) == 1:
                    full_key = _key(actors[matches.pop()].name)
            add(mention, full_key, gender)
            for form in nicknames.get(mention.start, ()):  # "Jerry Ortiz" and "Jerry" are Luis Gerardo (Jerry) Ortiz
                by_key.setdefault(_key(form), by_key[full_key])
                actors[by_key[full_key]].nicknamed.add(form)
            people.setdefault(_key(core[-1]), []).append(by_key[full_key])
            people.setdefault(_key(core[0]), []).append(by_key[full_key])
            surnames.add(_key(core[-1]))
            continue
        add(mention, key, gender)

    _add_missed_surnames(doc, actors)
    mentions = sorted((m for a in actors for m in a.mentions), key=lambda m: m.start)
    return ActorTable(actors, mentions)


_OPENING_MARKS = {"“": "”", '"': '"', "‘": "’", "'": "'", "(": ")", "``": "''"}


def _nicknamed_names(doc: Any) -> list[tuple[Mention, tuple[str, ...]]]:
    """'Vincent “The Chin” Gigante', 'Deputy Luis Gerardo (Jerry) Ortiz': a nickname in quotes or brackets
    between a person's first names and surname, which the model tags apart or as a title. One person, named
    without the nickname ("Vincent Gigante"), and with the keys of the nickname alone and before the surname,
    by which the article may name them too. Only where the model tags the first names or the surname as a
    person somewhere in the article."""
    found: list[tuple[Mention, tuple[str, ...]]] = []
    people = {t.lower_ for t in doc if t.ent_type_ == "PERSON"}
    n = len(doc)
    for i, t in enumerate(doc):
        closing = _OPENING_MARKS.get(t.text)
        if closing is None:
            continue
        first = i
        while first > 0 and i - first < 3 and _name_word(doc[first - 1]):
            first -= 1
        while first < i and doc[first].lower_.rstrip(".") in HONORIFICS:
            first += 1
        end = i + 1
        while end < n and end - i <= 3 and doc[end].text != closing \
                and (_name_word(doc[end]) or doc[end].lower_ == "the"):
            end += 1
        if first == i or end + 1 >= n or doc[end].text != closing or end == i + 1 or not _name_word(doc[end + 1]):
            continue
        names, nick, surname = doc[first:i], [x.text for x in doc[i + 1 : end] if x.lower_ != "the"], doc[end + 1]
        if not nick or "\n" in doc[first : end + 2].text or not ({x.lower_ for x in names} | {surname.lower_}) & people:
            continue
        text = " ".join([*(x.text for x in names), surname.text])
        mention = Mention(names[0].idx, surname.idx + len(surname.text), text, EntityKind.PERSON, surname.i)
        found.append((mention, (" ".join([*nick, surname.text]), " ".join(nick))))
    return found


def _name_word(token: Any) -> bool:
    return token.tag_ in {"NNP", "NNPS"} and token.is_title and token.is_alpha


def _people_taken_for_organisations(mentions: list[Mention]) -> None:
    """"Bettie Page" tagged as an organisation in an article that writes "Page" alone as a person, mostly: a
    person's full name, whose last word is the surname the article uses. Not a body named after a person ("Trump
    Tower": "Tower" is no one), nor a title around a name the article also writes ("The Notorious Bettie Page"),
    nor a team whose city the article writes alone ("Jacksonville Jaguars", where the model takes "Jaguars" for a
    person)."""
    alone = Counter(_key(m.text) for m in mentions if " " not in m.text)
    as_person = Counter(_key(m.text) for m in mentions if " " not in m.text and m.kind is EntityKind.PERSON)
    names = {_key(m.text) for m in mentions}
    for m in mentions:
        words = m.text.split()
        if m.kind is not EntityKind.ORGANIZATION or not 2 <= len(words) <= 3 or m.text.isupper() \
                or not all(w.isalpha() and w[0].isupper() for w in words) or words[-1].lower() in _ORG_HEADS:
            continue
        surname, first = _key(words[-1]), _key(words[0])
        inner_name = len(words) == 3 and _key(" ".join(words[1:])) in names
        if as_person[surname] >= 2 and 2 * as_person[surname] > alone[surname] \
                and 2 * as_person[first] >= alone[first] and not inner_name:
            m.kind = EntityKind.PERSON


def _teams_taken_for_people(doc: Any, mentions: list[Mention]) -> None:
    """"Jacksonville Jaguars", "the Jaguars": a place's name and a capitalised plural is a team (an organisation),
    however the model tagged it (a place, a person), and so is that plural alone, which the model takes for a
    person's name, where the article tags the place's name alone as a place and writes "the" before the plural
    (not before a noun: "the Williams sisters" are people). A person whose first name is a place's ("Georgia
    Williams") is rarely written beside both."""
    places = {m.text for m in mentions if m.kind is EntityKind.PLACE}
    teams: dict[str, str] = {}  # plural -> the team's whole name
    for m in mentions:
        words = m.text.split()
        if 2 <= len(words) <= 3 and " ".join(words[:-1]) in places \
                and _TEAM_PLURAL.fullmatch(words[-1]):
            teams[words[-1]] = m.text
    if not teams:
        return
    n = len(doc)
    after_the = {t.text for t in doc if t.text in teams and t.i > 0 and doc[t.i - 1].lower_ == "the"
                 and not (t.i + 1 < n and doc[t.i + 1].tag_ in _NOUN_TAGS)}
    for m in mentions:
        plural = m.text.split()[-1]
        if plural in after_the and (m.text == teams[plural] or (m.text == plural and m.kind is EntityKind.PERSON)):
            m.kind = EntityKind.ORGANIZATION


_TEAM_PLURAL = re.compile(r"[A-Z][a-z]+[^sui]s")
"""A capitalised plural ("Jaguars", "Colts"), not a singular ending in s ("Davis", "Douglas", "Congress")."""


def _add_missed_surnames(doc: Any, actors: list[ActorInfo]) -> None:
    """A person's surname the model did not tag at all ("Okafor told reporters") is still a mention,
    when only one person in the article has that surname."""
    owners: dict[str, set[int]] = {}
    for info in actors:
        if info.kind is EntityKind.PERSON and len(info.name.split()) > 1:
            core = [w for w in info.name.split() if _key(w) not in NAME_SUFFIXES]
            owners.setdefault(core[-1], set()).add(info.id)
    taken = [(e.start_char, e.end_char) for e in doc.ents]
    taken += [(m.start, m.end) for a in actors for m in a.mentions]
    taken.sort()
    starts = [t[0] for t in taken]
    text = doc.text
    for surname, ids in owners.items():
        if len(ids) != 1 or not surname[:1].isupper() or len(surname) < 3:
            continue
        info = actors[next(iter(ids))]
        for match in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text):
            start, end = match.span()
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0 and taken[i][1] > start:
                continue  # inside a tagged entity ("Okafor Bridge") or an existing mention
            span = doc.char_span(start, end, alignment_mode="expand")
            if span is None:
                continue
            mention = Mention(start, end, surname, EntityKind.PERSON, span.root.i, info.id)
            info.mentions.append(mention)
            info.forms[surname] += 1
            info.kinds[EntityKind.PERSON] += 1


def infer_genders(doc: Any, table: ActorTable, quoted: Sequence[tuple[int, int]] = ()) -> None:
    """Guess each person's gender: from a common first name, else from the he/she that follows a sentence
    where they are the subject (``_pronoun_vote``), the most common vote over their mentions.

    Quotations (``quoted``: character ranges) are the speaker talking about someone else: a pronoun inside one
    does not vote, and neither does a subject inside one ('“Clinton has to keep her support,” said Harrison …
    he can deliver' tells nothing of Clinton).
    """
    length = len(doc.text)  # rebuilt from the tokens on every access: read it once
    inside = bytearray(length + 1)
    for start, end in quoted:
        inside[start:end] = b"\x01" * (min(end, length) - start)
    for info in table.actors:
        if info.gender or info.kind is not EntityKind.PERSON:
            continue
        info.gender = first_name_gender(info)
        if info.gender:
            continue
        own = {i for m in info.mentions for i in range(m.token_i - 3, m.token_i + 1)}
        votes: Counter[str] = Counter()
        for m in info.mentions:
            token = doc[m.token_i]
            if token.dep_ in {"nsubj", "nsubjpass"} and not inside[token.idx]:
                vote = _pronoun_vote(doc, token, own, inside)
                if vote:
                    votes[vote] += 1
        if votes:
            info.gender = votes.most_common(1)[0][0]


def _pronoun_vote(doc: Any, subject: Any, own: set[int], inside: bytearray) -> str | None:
    """'m'/'f' from the pronouns after a subject, in its sentence and the 40 words after, until another person
    is named: the first he/she, except that one inside what the subject reports ('Dexter Wakefield told the
    paper that she was a regular': she is someone else, often) gives way to a later he/she of the writer's own
    ('He said her family …'); with no he/she, the first his/her/him before anyone else is named."""
    sent = subject.sent
    reported = {t.i for c in subject.head.children if c.dep_ in {"ccomp", "xcomp"} for t in c.subtree}
    weak = None
    in_report = None
    for t in [*doc[subject.i + 1 : sent.end], *doc[sent.end : min(len(doc), sent.end + 40)]]:
        if inside[t.idx]:
            continue
        if t.lower_ in {"he", "she"}:
            gender = "m" if t.lower_ == "he" else "f"
            if t.i not in reported:
                return gender
            in_report = in_report or gender
            continue
        if t.ent_type_ == "PERSON" and t.i not in own:
            # 'Kopp said agents want to interview Clinton and her aides': 'her' is Clinton's.
            break
        if weak is None and t.lower_ in {"his", "him", "himself", "her", "hers", "herself"}:
            weak = "m" if t.lower_ in {"his", "him", "himself"} else "f"
    return in_report or weak


def _looks_like_person(text: str) -> bool:
    """Two or three capitalised words starting with a common first name ('Carly Fiorina')."""
    words = text.split()
    return (
        1 < len(words) <= 3
        and words[0].lower() in MALE_FIRST_NAMES | FEMALE_FIRST_NAMES
        and all(w[:1].isupper() for w in words)
        and words[-1].lower() not in _ORG_HEADS | _PLACE_HEADS
    )


def first_name_gender(info: ActorInfo) -> str | None:
    """'m'/'f' when a multi-word name of this person starts with a first name of one clear gender."""
    found = {
        "m" if first in MALE_FIRST_NAMES else "f"
        for form in info.forms
        if len(words := form.split()) > 1
        and ((first := words[0].lower().rstrip(".")) in MALE_FIRST_NAMES or first in FEMALE_FIRST_NAMES)
    }
    return found.pop() if len(found) == 1 else None


def rank_actors(table: ActorTable, text_length: int) -> list[ActorInfo]:
    """Most important first: mentions, how early they appear, and whether they speak."""

    def salience(info: ActorInfo) -> float:
        early = 1.0 - info.first_start / max(text_length, 1)
        weight = 0.6 if info.kind is EntityKind.GROUP else 1.0
        return weight * (len(info.mentions) + 2.0 * early + 1.5 * info.spoke)

    return sorted(table.actors, key=lambda a: (-salience(a), a.first_start))


def to_actor(info: ActorInfo) -> Actor:
    name = info.name
    aliases = tuple(sorted({f for f in (*info.forms, *info.nicknamed) if f != name}))
    return Actor(name=name, kind=info.kind, aliases=aliases, mentions=len(info.mentions), slug=slugify(name))
