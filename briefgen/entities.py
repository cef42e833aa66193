"""Entity resolution across the corpus: which page each actor of each briefing is on.

Extraction has already joined the names of one actor inside one article (full name, surname, first name,
honorifics, middle initials, possessives, a leading "the", acronyms the text defines). This stage
decides across articles, from plain ``Actor`` records, deterministically and with a reason for each
decision:

1. Every actor gets a *key*: its name without case, dots, possessive, leading "the", honorifics (people),
   middle initials (people) and company suffixes ("Microsoft Corp."), a numbered team's number as spoken
   ("76ers" -> "sixers"); nationality and party words take
   their country's or party's key ("Chinese" -> China, "Republicans"/"GOP" -> Republican Party), and a
   dotted state abbreviation its state ("N.C." -> North Carolina). Same key, same page.
2. Full names join: two people with the same first name (or its usual short form, "Mo" Maurice), surname and
   suffix ("Hillary Rodham Clinton", "Hillary Clinton"; never "Donald Trump Jr." and "Donald Trump"; but
   "Sr." is the plain name, and the plain name is a Jr. who is in far more briefings and never beside it);
   such a name taken for a place ("Mo Cheeks"); a name found only in a headline-like line that is a
   better-known person's name plus a word is that person ("Donald Trump Leads"); a person's name plus "s"
   is that person ("Barack Obamas"); one letter misspelt in one word, or a first name's familiar form
   ("Katie"/"Kathryn"), a city's familiar form ("Philly Sixers"), or an organisation with words left out
   ("Central Election (and Referendum) Commission"), when their articles share rarer actors; a facility or
   body without its generic last word ("Betty Ford Clinic"/"Center", "Staunton Police Department",
   "Mediterranean Sea"); a name written as one word or two ("Trailblazers"); a place before a landform's name
   ("Aoraki Mount Cook"); a long place name with two letters swapped, far rarer ("Turkeminstan"); a person
   whose article calls them by a nickname inside the name ("Luis Gerardo (Jerry) Ortiz" is Jerry Ortiz).
3. A short name (a surname or first name alone, also one taken for a place; an organisation's last word
   such as "Colts"; an acronym some article defines, or whose letters begin a name's words, maybe with its
   "The" ("THR"); a person-tagged facility stem such as "Morningside"; a team's city, "Indianapolis", only
   where its article names the team; a blend of a first name and a surname, "LiLo", only with its article's
   support) goes, article by article, to the compatible full entity that article supports:
   one named in the same article first, else the one whose other articles share the most (rarer counted
   more) co-occurring actors with this article, else the corpus's dominant one when it clearly dominates,
   else it stays its own page. Where that leaves a short name open, a second look reads every article with
   the pages its short names went to surely as context too (and lets a short name go to the page it went to
   in most of its articles on context alone). The unsure ones (dominance alone, or no clear winner) are
   ``Decision`` records (``briefgen entities --suggest``).
4. A page's kind is the vote of all its mentions (the model's labels), its shown name the most used
   complete form ("Donald Trump": people need a first name and a surname), its slug made from that name.
   All of it is computed from corpus counts, so the order of articles does not matter, and an article
   that does not mention an actor does not change its page.
"""

from __future__ import annotations

import hashlib
import json
import math
import pickle
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, BinaryIO, cast

from briefgen.model import Actor, Briefing, EntityKind
from briefgen.names import FEMALE_FIRST_NAMES, HONORIFICS, MALE_FIRST_NAMES, NAME_SUFFIXES
from briefgen.text import title_cased
from briefgen.urls import slugify

# Nationality and party words -> (the page they count for, its kind). World knowledge, not fitted: the
# common adjectives and plural nouns of countries (and the country's own name, so both share one key).
_DEMONYMS = """
Afghanistan: afghan, afghans | Albania: albanian, albanians | Algeria: algerian, algerians
United States: american, americans, us, usa, america, united states of america
Argentina: argentine, argentinian, argentinians | Armenia: armenian, armenians
Australia: australian, australians | Austria: austrian, austrians | Azerbaijan: azerbaijani, azerbaijanis
Bahrain: bahraini, bahrainis | Bangladesh: bangladeshi, bangladeshis | Belarus: belarusian, belarusians
Belgium: belgian, belgians | Bolivia: bolivian, bolivians | Bosnia: bosnian, bosnians | Brazil: brazilian, brazilians
United Kingdom: british, briton, britons, uk, britain, great britain | Bulgaria: bulgarian, bulgarians
Myanmar: burmese
Cambodia: cambodian, cambodians | Canada: canadian, canadians | Chile: chilean, chileans | China: chinese
Colombia: colombian, colombians | Congo: congolese | Croatia: croatian, croatians, croat, croats | Cuba: cuban, cubans
Cyprus: cypriot, cypriots | Czech Republic: czech, czechs | Denmark: danish, dane, danes | Netherlands: dutch
Ecuador: ecuadorian, ecuadorians | Egypt: egyptian, egyptians | United Arab Emirates: emirati, emiratis
England: english | Eritrea: eritrean, eritreans | Estonia: estonian, estonians | Ethiopia: ethiopian, ethiopians
Philippines: filipino, filipinos | Finland: finnish, finn, finns | France: french, frenchman, frenchmen
Georgia: georgian, georgians | Germany: german, germans | Ghana: ghanaian, ghanaians | Greece: greek, greeks
Guatemala: guatemalan, guatemalans | Haiti: haitian, haitians | Honduras: honduran, hondurans
Hungary: hungarian, hungarians | Iceland: icelandic, icelander, icelanders | India: indian, indians
Indonesia: indonesian, indonesians | Iran: iranian, iranians | Iraq: iraqi, iraqis | Ireland: irish
Israel: israeli, israelis | Italy: italian, italians | Jamaica: jamaican, jamaicans | Japan: japanese
Jordan: jordanian, jordanians | Kazakhstan: kazakh, kazakhs | Kenya: kenyan, kenyans | Korea: korean, koreans
North Korea: north korean, north koreans | South Korea: south korean, south koreans | Kosovo: kosovar, kosovars
Kuwait: kuwaiti, kuwaitis | Latvia: latvian, latvians | Lebanon: lebanese | Libya: libyan, libyans
Lithuania: lithuanian, lithuanians | Malaysia: malaysian, malaysians | Mali: malian, malians
Mexico: mexican, mexicans | Moldova: moldovan, moldovans | Mongolia: mongolian, mongolians
Morocco: moroccan, moroccans | Nepal: nepalese, nepali | New Zealand: new zealander, new zealanders
Nicaragua: nicaraguan, nicaraguans | Nigeria: nigerian, nigerians | Norway: norwegian, norwegians
Oman: omani, omanis | Pakistan: pakistani, pakistanis | Palestine: palestinian, palestinians
Panama: panamanian, panamanians | Paraguay: paraguayan, paraguayans | Peru: peruvian, peruvians
Poland: polish, pole, poles | Portugal: portuguese | Qatar: qatari, qataris | Romania: romanian, romanians
Russia: russian, russians | Rwanda: rwandan, rwandans | Saudi Arabia: saudi, saudis, saudi arabian, saudi arabians
Scotland: scottish, scot, scots | Senegal: senegalese | Serbia: serbian, serbians, serb, serbs
Singapore: singaporean, singaporeans | Slovakia: slovak, slovaks | Slovenia: slovenian, slovenians
Somalia: somali, somalis | South Africa: south african, south africans | Spain: spanish, spaniard, spaniards
Sri Lanka: sri lankan, sri lankans | Sudan: sudanese | Sweden: swedish, swede, swedes | Switzerland: swiss
Syria: syrian, syrians | Taiwan: taiwanese | Tajikistan: tajik, tajiks | Tanzania: tanzanian, tanzanians
Thailand: thai, thais | Tunisia: tunisian, tunisians | Turkey: turkish, turk, turks | Turkmenistan: turkmen, turkmens
Uganda: ugandan, ugandans | Ukraine: ukrainian, ukrainians | Uruguay: uruguayan, uruguayans | Uzbekistan: uzbek, uzbeks
Venezuela: venezuelan, venezuelans | Vietnam: vietnamese | Wales: welsh | Yemen: yemeni, yemenis
Zambia: zambian, zambians | Zimbabwe: zimbabwean, zimbabweans | Soviet Union: soviet, soviets
Europe: european, europeans | Africa: african, africans | Asia: asian, asians
"""
_PARTIES = {
    "republican": "Republican Party", "republicans": "Republican Party", "gop": "Republican Party",
    "republican party": "Republican Party", "grand old party": "Republican Party",
    "democrat": "Democratic Party", "democrats": "Democratic Party", "democratic": "Democratic Party",
    "democratic party": "Democratic Party", "democrat party": "Democratic Party",
    "libertarian": "Libertarian Party", "libertarians": "Libertarian Party", "libertarian party": "Libertarian Party",
}
# Dotted abbreviations of US states (AP style) as datelines write them ("Malibu, Calif.").
_STATES = {
    "ala": "Alabama", "ariz": "Arizona", "ark": "Arkansas", "calif": "California", "colo": "Colorado",
    "conn": "Connecticut", "del": "Delaware", "fla": "Florida", "ga": "Georgia", "ill": "Illinois",
    "ind": "Indiana", "kan": "Kansas", "kans": "Kansas", "ky": "Kentucky", "la": "Louisiana", "md": "Maryland",
    "mass": "Massachusetts", "mich": "Michigan", "minn": "Minnesota", "miss": "Mississippi", "mo": "Missouri",
    "mont": "Montana", "neb": "Nebraska", "nev": "Nevada", "nh": "New Hampshire", "nj": "New Jersey",
    "nm": "New Mexico", "ny": "New York", "nc": "North Carolina", "nd": "North Dakota", "okla": "Oklahoma",
    "ore": "Oregon", "pa": "Pennsylvania", "ri": "Rhode Island", "sc": "South Carolina", "sd": "South Dakota",
    "tenn": "Tennessee", "tex": "Texas", "vt": "Vermont", "va": "Virginia", "wash": "Washington",
    "wva": "West Virginia", "wis": "Wisconsin", "wyo": "Wyoming", "dc": "Washington, D.C.",
}
# Common English short forms of first names: "Jim Comey" is James Comey when both are written.
_NICKNAMES = {
    "bill": "william", "billy": "william", "will": "william", "willie": "william", "bob": "robert",
    "bobby": "robert", "rob": "robert", "jim": "james", "jimmy": "james", "mike": "michael", "tom": "thomas",
    "tommy": "thomas", "joe": "joseph", "dick": "richard", "rick": "richard", "ted": "edward", "chris": "christopher",
    "dan": "daniel", "danny": "daniel", "dave": "david", "nick": "nicholas", "tony": "anthony", "andy": "andrew",
    "matt": "matthew", "ben": "benjamin", "jeff": "jeffrey", "greg": "gregory", "tim": "timothy", "ken": "kenneth",
    "ron": "ronald", "don": "donald", "larry": "lawrence", "chuck": "charles", "charlie": "charles",
    "liz": "elizabeth", "beth": "elizabeth", "jenny": "jennifer", "sue": "susan", "maggie": "margaret",
    "peggy": "margaret", "becky": "rebecca", "alex": "alexander", "sam": "samuel", "fred": "frederick",
    "mo": "maurice", "pat": "patrick",
}
# Endings that make a woman's name of a man's ("Daniel"/"Danielle", "Paul"/"Paula"): not one first name.
_FEMININE_ENDINGS = ("a", "e", "ie", "le", "ne", "na", "et", "ette", "ine")
_FAMILIAR_ENDINGS = ("ie", "is", "y", "i", "o")
# Generic words of a facility's name: "Betty Ford Center", "Betty Ford Clinic" and "Betty Ford Centre" are one.
_FACILITY_WORDS = {"center", "centre", "clinic", "facility", "treatment", "recovery", "rehab", "rehabilitation",
                   "unit", "arena", "stadium"}
# A last word that a name is often written without, and the kind the short name must have to be that one:
# "Staunton Police Department" is "Staunton Police", "Mediterranean Sea" is "the Mediterranean".
_DROPPED_LAST_WORDS = {"department": EntityKind.ORGANIZATION, "sea": EntityKind.PLACE, "ocean": EntityKind.PLACE}
_PLACE_ABBREVIATIONS = {"mt": "mount", "ft": "fort"}
# Words that make another body of a name: "University of South Alabama" is not the University of Alabama.
_QUALIFIERS = {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "new",
               "upper", "lower", "greater", "northeast", "northwest", "southeast", "southwest", "junior", "senior"}
_LANDFORMS = {"mount", "mountain", "lake", "cape", "glacier", "volcano"}
# Plural last words of companies, papers and institutions named after a place ("Texas Instruments", "New York
# Times"): not a sports team, whose city is the team in its articles.
_COMPANY_PLURALS = {"times", "news", "airlines", "airways", "instruments", "industries", "systems", "services",
                    "holdings", "partners", "resources", "communications", "networks", "studios", "records", "motors",
                    "works", "associates", "sciences", "affairs", "relations", "schools", "courts", "games", "awards",
                    "forces", "states", "islands", "springs", "heights", "falls", "hills", "laboratories", "labs",
                    "hospitals", "universities", "colleges", "libraries", "gardens", "grounds", "teachers", "workers",
                    "democrats", "republicans", "police", "friends", "brothers", "sisters", "children"}
_COMPANY_SUFFIXES = {"corp", "corporation", "inc", "incorporated", "co", "ltd", "llc", "plc", "ag", "sa"}
_KIND_ORDER = (EntityKind.PERSON, EntityKind.ORGANIZATION, EntityKind.PLACE, EntityKind.GROUP, EntityKind.OTHER)

DOMINANCE = 3.0
"""A short name goes to the corpus's most frequent compatible entity only when it is in at least this many
times as many briefings as the next one."""
MAX_CANDIDATES = 12
"""Candidates weighed for one short name: the most frequent ones ("Williams" has dozens in a large corpus)."""
CONTEXT_MIN = 2.0
"""The least context score (idf of the actors an article shares with a candidate's other articles) that counts."""
CONTEXT_MARGIN = 2.0
"""...and to the one its article's context supports only when that one scores this many times the next."""


def _canonical_table() -> dict[str, tuple[str, EntityKind]]:
    table: dict[str, tuple[str, EntityKind]] = {}
    for group in _DEMONYMS.replace("\n", "|").split("|"):
        country, _, forms = group.partition(":")
        for form in (*forms.split(","), country) if forms else ():
            table[form.strip().lower()] = (country.strip(), EntityKind.PLACE)
    table.update({k: (v, EntityKind.ORGANIZATION) for k, v in _PARTIES.items()})
    return table


_CANONICAL = _canonical_table()


@dataclass(frozen=True, slots=True)
class Decision:
    """A short name the resolver was unsure of: sent to the corpus's most frequent candidate without support
    from its articles ("dominant"), or left on its own page because no candidate clearly wins ("ambiguous")."""

    name: str
    """The name as the articles have it most often ("Clinton")."""
    how: str
    chosen: str | None
    """Page slug it went to, or None when it stayed its own page."""
    page: str
    """The page it is on now (``chosen``, or its own page)."""
    articles: int
    """How many articles this decision was made in."""
    examples: tuple[str, ...]
    """Some of those briefings' slugs."""
    candidates: tuple[tuple[str, int], ...]
    """(page slug, briefings of that page's other names), most frequent first."""


@dataclass(slots=True)
class Resolution:
    pages: list[dict[str, str]]
    """For each briefing (in the order given): actor slug -> page slug, for the actors not on the page of
    their own slug."""
    names: dict[str, str]
    """Page slug -> shown name."""
    kinds: dict[str, EntityKind]
    """Page slug -> kind (vote of every mention)."""
    decisions: list[Decision] = field(default_factory=list)


@dataclass(slots=True)
class _Choices:
    """One briefing's decisions: actor slug -> page key; its short actors (page key, key, kind, name, mentions);
    its unsure decisions (key, how, choice); the (key, page) of its short names that went to a page surely; whether
    one found none."""

    chosen: dict[str, str]
    short_actors: list[tuple[str, str, EntityKind, str, int]]
    unsure: list[tuple[str, str, str | None]]
    sure: list[tuple[str, str]]
    open: bool = False


_POSSESSIVE_END = re.compile(r"'s?$")
_WEB_SUFFIX = re.compile(r"\.(?:com|org|net)$")
_WORD = re.compile(r"[\w&]+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
_DROPPED = str.maketrans("", "", ".'")
_BLEND = re.compile(r"([A-Z][a-z]*)([A-Z][a-z]+)")
_INITIALS_SKIP = frozenset({"of", "and", "the", "for", "on", "in", "&"})


def _words(name: str, person: bool) -> tuple[str, ...]:
    text = name.lower().translate(_APOSTROPHES)
    text = _POSSESSIVE_END.sub("", text.strip())
    text = _WEB_SUFFIX.sub("", text)  # "TMZ.com" is TMZ
    words = _WORD.findall(text.translate(_DROPPED))  # "SAP-Arena" is "SAP Arena"
    if any(w[0].isdigit() for w in words):  # "76ers" are the "Sixers", as their number is spoken
        words = [_NUMBERED_TEAM.sub(_spoken_team, w) for w in words]
    while words and words[0] == "the":
        words = words[1:]
    if person:
        while len(words) > 1 and words[0] in HONORIFICS:
            words = words[1:]
        if len(words) > 2:  # middle initials: "Donald J. Trump", "W. Mark Felt" keeps "mark felt"
            words = [w for i, w in enumerate(words) if len(w) > 1 or i == len(words) - 1]
    elif len(words) > 1:
        if words[-1] in _COMPANY_SUFFIXES:
            words = words[:-1]
        if words[0] in _PLACE_ABBREVIATIONS:
            words = [_PLACE_ABBREVIATIONS[words[0]], *words[1:]]
    return tuple(words)


_NUMBERED_TEAM = re.compile(r"\d*(\d)ers")
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _spoken_team(number: re.Match[str]) -> str:
    """"76ers" -> "sixers", "49ers" -> "niners": the last digit's word, as fans shorten the spoken number."""
    word = _DIGIT_WORDS[int(number.group(1))]
    return (word[:-1] if word.endswith("e") else word) + "ers"


@lru_cache(maxsize=1 << 17)
def actor_key(name: str, kind: EntityKind) -> tuple[str, EntityKind | None, str | None]:
    """(key, kind the key forces or None, canonical name or None) for one actor name (kept across builds:
    ``serve`` resolves the same names after every save)."""
    dotted = "." in name
    words = _words(name, kind is EntityKind.PERSON)
    joined = " ".join(words)
    compact = joined.replace(" ", "")
    if joined in _CANONICAL and not (kind is EntityKind.PERSON and _CANONICAL[joined][0].lower() == joined):
        canonical, forced = _CANONICAL[joined]  # (a person called "Jordan" is not the country)
        return "=" + canonical.lower(), forced, canonical
    if kind is EntityKind.PLACE and (dotted or len(compact) <= 2) and compact in _STATES and len(words) <= 2:
        state = _STATES[compact]
        return "=" + state.lower(), EntityKind.PLACE, state
    return joined, None, None


@lru_cache(maxsize=1 << 16)
def _initials(key: str) -> str:
    return "".join(w[0] for w in key.split() if w not in _INITIALS_SKIP)


def _is_suffix(word: str) -> bool:
    return word in NAME_SUFFIXES


class _Roots:
    """Union-find over keys; the root is the key with the most briefings (ties: the shorter, then sorted)."""

    def __init__(self, weight: Counter[str]) -> None:
        self.parent: dict[str, str] = {}
        self.weight = weight

    def find(self, key: str) -> str:
        path = []
        while (up := self.parent.get(key, key)) != key:
            path.append(key)
            key = up
        for k in path:
            self.parent[k] = key
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        winner, loser = sorted((ra, rb), key=lambda k: (-self.weight[k], len(k), k))
        self.parent[loser] = winner


_QUOTES = "\"“”‘’«»"


# Words before a name that make it a place where it is ("in Jacksonville"; not "beat Jacksonville").
_PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "outside", "around", "across", "throughout", "into", "within",
                                 "from"})
_STATE_NAMES = frozenset(s.lower() for s in _STATES.values())
_SENTENCE_END = re.compile(r"[.!?]\s|\n")


def _alone(name: str) -> re.Pattern[str]:
    """``name`` as a whole word, not the start of a longer name ("Jacksonville" in "Jacksonville Jaguars")."""
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])(?! [A-Z])")


def _place_uses(name: str, raw: str) -> list[tuple[bool, str]]:
    """Where ``name`` is written as a place: (before its state, the sentence) for each time it follows a preposition
    of place ("in Jacksonville", "in Northeast Philadelphia") or comes before its state ("Jacksonville, Fla.")."""
    uses = []
    for m in _alone(name).finditer(raw):
        before = raw[max(0, m.start() - 30) : m.start()].split()[-2:]
        state = re.match(r", ([A-Z][a-z]+)", raw[m.end() : m.end() + 20])
        in_state = bool(state and (state.group(1).lower() in _STATES or state.group(1).lower() in _STATE_NAMES
                                   or any(n.startswith(state.group(1).lower() + " ") for n in _STATE_NAMES)))
        after_preposition = bool(before) and (before[-1].lower() in _PLACE_PREPOSITIONS or (
            len(before) == 2 and before[0].lower() in _PLACE_PREPOSITIONS and before[1][:1].isupper()))
        if in_state or after_preposition:
            starts = [e.end() for e in _SENTENCE_END.finditer(raw, 0, m.start())]
            end = _SENTENCE_END.search(raw, m.end())
            uses.append((in_state, raw[starts[-1] if starts else 0 : end.start() if end else len(raw)]))
    return uses


def _only_in_titles(name: str, raw: str) -> bool:
    """``name`` occurs in the text, and only in title case: a headline line, or a quoted title
    ("‘Donald Trump Leads’ simply generates more attention")."""
    found = False
    for m in re.finditer(re.escape(name), raw):
        found = True
        start = raw.rfind("\n", 0, m.start()) + 1
        end = raw.find("\n", m.end())
        line = raw[start : end if end >= 0 else len(raw)]
        if title_cased(line):
            continue
        before, after = raw[start : m.start()], raw[m.end() : end if end >= 0 else len(raw)]
        opening = max(before.rfind(q) for q in _QUOTES)
        closing = [i for q in _QUOTES if (i := after.find(q)) >= 0]
        if opening < 0 or not closing or not title_cased(before[opening + 1 :] + name + after[: min(closing)]):
            return False
    return found


def resolve(briefings: Sequence[Briefing], fixed: frozenset[str] = frozenset()) -> Resolution:
    """Decide every actor's page. ``fixed``: curated page slugs, which are pages of their own as they are."""
    return _Corpus(briefings, fixed).resolve()


class Resolver:
    """``resolve`` for a caller that resolves one corpus again and again (``serve``, and ``build`` through the
    engine's state: ``dump``/``load``).

    When the briefings are the last call's but for some whose actors are as they were, in any order that counts
    alike (an edit to an article's wording moves where a name first comes: ``_Corpus._reordered_alike``), only
    those briefings' short names are decided again; if every decision is the one made before, the last
    resolution is the answer. That is exactly what ``resolve`` gives: every count is
    made from the actors alone, and an article's text is read only where a short name is decided and where a
    name is checked for a headline's words (a briefing holding such a name resolves afresh). Anything else
    (another actor, a briefing added, removed or moved, other curated pages) resolves afresh.
    """

    __slots__ = ("_corpus", "_resolution", "changed")

    def __init__(self) -> None:
        self._corpus: _Corpus | None = None
        self._resolution: Resolution | None = None
        self.changed = False
        """Whether a ``resolve`` decided anything anew since the resolver was made or loaded (``dump`` again)."""

    def resolve(self, briefings: Sequence[Briefing], fixed: frozenset[str] = frozenset()) -> Resolution:
        corpus = self._corpus
        if corpus is None or self._resolution is None or not corpus.decides_alike(briefings, fixed):
            corpus = self._corpus = _Corpus(briefings, fixed)
            self._resolution = corpus.resolve()
            self.changed = True
        elif corpus.rows is not None and corpus.rows.changed:
            self.changed = True
        return self._resolution

    @property
    def empty(self) -> bool:
        """Never resolved anything."""
        return self._corpus is None

    def dump(self, file: BinaryIO) -> bool:
        """Write the resolver to ``file`` for ``load``; False (nothing written) when it never resolved. Each
        briefing's own values are pickled apart, one after the other, so nothing holds the whole of it at once,
        and a loaded resolver unpickles only those of the briefings an edit changed."""
        corpus, resolution = self._corpus, self._resolution
        if corpus is None or resolution is None:
            return False
        rows = corpus.rows
        # A loaded corpus that decided alike changed only rows: its counts and resolution are saved as they came.
        tables = rows.tables if rows is not None else pickle.dumps((corpus.saved_tables(), resolution),
                                                                   protocol=pickle.HIGHEST_PROTOCOL)
        slugs, shas, digests, blobs = corpus.saved_rows()
        pickle.dump((tables, slugs, shas, digests), file, protocol=pickle.HIGHEST_PROTOCOL)
        for blob in blobs:
            pickle.dump(blob, file, protocol=pickle.HIGHEST_PROTOCOL)
        return True

    @classmethod
    def load(cls, file: BinaryIO) -> Resolver:
        tables, slugs, shas, digests = pickle.load(file)
        blobs = [pickle.load(file) for _ in slugs]
        counts, resolution = pickle.loads(tables)
        resolver = cls()
        corpus = resolver._corpus = _Corpus.__new__(_Corpus)
        corpus.__dict__.update(counts)
        corpus.briefings = ()
        rows = corpus.rows = _Rows(slugs, shas, digests, blobs, tables)
        # Typed as the lists a corpus made here holds: a loaded corpus only ever reads and replaces single rows.
        corpus.keys = cast(list[dict[str, str]], _Column(rows, _KEYS))
        corpus.first = cast(list[_Choices], _Column(rows, _FIRST))
        corpus.decided = cast(list[_Choices], _Column(rows, _DECIDED))
        corpus.seen = cast(dict[int, set[str]], _Column(rows, _SEEN))
        corpus.titled = cast(dict[int, frozenset[str]], _Column(rows, _TITLED))
        resolver._resolution = resolution
        return resolver


def _actors_digest(actors: Sequence[Actor]) -> bytes:
    """Equal for equal actors in the same order, in any process (a saved corpus knows its briefings by it)."""
    fields = [(a.name, a.kind.value, a.aliases, a.mentions, a.slug) for a in actors]
    return hashlib.blake2b(pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


_ACTORS, _KEYS, _FIRST, _DECIDED, _SEEN, _TITLED = range(6)
"""A saved briefing's values: its actors, actor slug -> key, first look, final decisions, second look's context,
the names it has only in headline-like lines."""


class _SetsByKey(Mapping[str, set[str]]):
    """A saved corpus's co-occurrences (``cooc``, ``more_cooc``): each key's set kept as a tuple until it is
    read. Sets of strings unpickle three times slower (0.73 s for ``cooc``'s 3.8 million members at 20,000
    briefings), and a loaded corpus reads only the few an edited briefing decides by. Reads like the
    ``defaultdict(set)`` it was saved from: a key it lacks reads as an empty set."""

    __slots__ = ("_sets", "_tuples")

    def __init__(self, tuples: dict[str, tuple[str, ...]]) -> None:
        self._tuples = tuples
        self._sets: dict[str, set[str]] = {}

    def __getitem__(self, key: str) -> set[str]:
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = set(self._tuples.get(key, ()))
        return found

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._tuples else default

    def __contains__(self, key: object) -> bool:
        return key in self._tuples

    def __iter__(self) -> Iterator[str]:
        return iter(self._tuples)

    def __len__(self) -> int:
        return len(self._tuples)

    def __reduce__(self) -> tuple[Any, ...]:
        return _SetsByKey, (self._tuples,)


class _Rows:
    """The per-briefing values of a loaded corpus, each briefing's unpickled when first read."""

    __slots__ = ("blobs", "changed", "digests", "shas", "slugs", "tables", "values")

    def __init__(self, slugs: list[str], shas: list[str], digests: list[bytes], blobs: list[bytes],
                 tables: bytes) -> None:
        self.slugs, self.shas, self.digests, self.blobs = slugs, shas, digests, blobs
        self.tables = tables
        """The corpus's counts and resolution as saved (a loaded corpus changes only rows)."""
        self.values: dict[int, list[Any]] = {}
        self.changed: set[int] = set()

    def __len__(self) -> int:
        return len(self.slugs)

    def row(self, i: int) -> list[Any]:
        found = self.values.get(i)
        if found is None:
            found = self.values[i] = list(pickle.loads(self.blobs[i]))
        return found


class _Column:
    """One of a loaded corpus's per-briefing lists (``_Rows``), read and replaced by index."""

    __slots__ = ("index", "rows")

    def __init__(self, rows: _Rows, index: int) -> None:
        self.rows, self.index = rows, index

    def __getitem__(self, i: int) -> Any:
        return self.rows.row(i)[self.index]

    def __setitem__(self, i: int, value: Any) -> None:
        self.rows.row(i)[self.index] = value
        self.rows.changed.add(i)

    def get(self, i: int) -> Any:
        return self[i]


_NOT_SAVED = frozenset({"briefings", "rows", "keys", "first", "decided", "seen", "titled", "df", "kind_votes", "forms",
                        "unsure", "short_actors", "alias_of", "nicknamed", "canonical", "full_people", "wanted",
                        "facility_of"})
"""What a saved corpus leaves out: the per-briefing lists (saved apart), and what only ``resolve`` itself reads."""


class _Corpus:
    """Counts per key over the whole corpus, and the decisions made from them (see the module docstring)."""

    def __init__(self, briefings: Sequence[Briefing], fixed: frozenset[str]) -> None:
        self.briefings = tuple(briefings)
        self.fixed = fixed
        self.keys: list[dict[str, str]] = []  # per briefing: actor slug -> key
        self.kind_votes: dict[str, Counter[EntityKind]] = defaultdict(Counter)
        self.forms: dict[str, Counter[str]] = defaultdict(Counter)
        self.df: Counter[str] = Counter()
        self.canonical: dict[str, str] = {}
        self.alias_of: dict[str, Counter[str]] = defaultdict(Counter)  # short key -> longer keys it was an alias of
        self.nicknamed: list[tuple[str, str]] = []  # (person key, key of a name with a nickname) of one article's actor
        self.unsure: dict[tuple[str, str, str | None], list[str]] = defaultdict(list)  # -> briefing slugs
        # The first briefing to count each (key, form) and each key: which of them a briefing adds before any
        # other (``_reordered_alike``) without going over the briefings before it.
        self.first_pair: dict[tuple[str, str], int] = {}
        self.first_key: dict[str, int] = {}
        self.rows: _Rows | None = None
        """A loaded corpus's per-briefing values (``Resolver.load``); None: this one's, in its lists."""
        memo: dict[tuple[str, EntityKind], tuple[str, EntityKind | None, str | None]] = {}

        def key_of(name: str, kind: EntityKind) -> tuple[str, EntityKind | None, str | None]:
            found = memo.get((name, kind))
            if found is None:
                found = memo[(name, kind)] = actor_key(name, kind)
            return found

        for b in briefings:
            own: dict[str, str] = {}
            for a in b.actors:
                key, forced, canon = ("@" + a.slug, None, None) if a.slug in fixed else key_of(a.name, a.kind)
                key = key or "@" + a.slug
                own[a.slug] = key
                self.kind_votes[key][forced or a.kind] += a.mentions
                self.forms[key][canon or a.name] += a.mentions
                self.first_pair.setdefault((key, canon or a.name), len(self.keys))
                self.first_key.setdefault(key, len(self.keys))
                if canon:
                    self.canonical[key] = canon
                for alias in a.aliases:  # in-article evidence that a short form is a longer one
                    if " " in key and " " in alias.strip():
                        # two full names: only a nickname inside the name ("Luis Gerardo (Jerry) Ortiz") says more
                        if a.kind is EntityKind.PERSON:
                            words, other = key.split(), key_of(alias, a.kind)[0].split()
                            if len(other) > 1 and other[-1] == words[-1] and other[0] not in words:
                                self.nicknamed.append((key, " ".join(other)))
                        continue
                    akey = key_of(alias, a.kind)[0]
                    if akey and akey != key and not akey.startswith("=") and not key.startswith("="):
                        if " " not in akey:
                            self.alias_of[akey][key] += 1
                        elif " " not in key:
                            self.alias_of[key][akey] += 1
            self.keys.append(own)
            # Counted once per briefing, in the briefing's own order: a set here would order df's keys (and
            # so every later pass over them) by string hash, which differs from one process to the next.
            self.df.update(dict.fromkeys(own.values(), 1))
        self.kind = {k: max(v, key=lambda x: (v[x], -_KIND_ORDER.index(x))) for k, v in self.kind_votes.items()}
        self._teams_are_organisations()
        self.roots = _Roots(self.df)
        self.short: dict[str, set[str]] = {}
        self.article_only: set[str] = set()  # short keys that join a candidate only in an article naming it
        self.short_actors: list[tuple[str, str, EntityKind, str, int]] = []  # (page key, key, kind, name, mentions)
        self.needs_support: set[str] = set()  # short keys whose candidates need their article's support

    def _teams_are_organisations(self) -> None:
        """"Jacksonville Jaguars", "Kansas City Chiefs": a place's name and then a team's plural is a team, however
        the model tagged it (it often takes the whole for the city)."""
        for k in self._plain(EntityKind.PLACE):
            words = k.split()
            if len(words) >= 2 and _team_word(words[-1]) and any(
                    self.kind.get(" ".join(words[:i])) is EntityKind.PLACE for i in range(1, len(words))):
                self.kind[k] = EntityKind.ORGANIZATION
                self.kind_votes[k] = Counter({EntityKind.ORGANIZATION: sum(self.kind_votes[k].values())})

    def resolve(self) -> Resolution:
        self.join_full_names()
        self.find_short_names()
        return self.pages(self.choose_pages())

    def decides_alike(self, briefings: Sequence[Briefing], fixed: frozenset[str]) -> bool:
        """Whether ``briefings`` resolve as this corpus did (see ``Resolver``); if so they replace its own."""
        rows = self.rows
        if fixed != self.fixed or len(briefings) != (len(rows) if rows is not None else len(self.briefings)):
            return False
        reordered: dict[int, tuple[_Choices, _Choices]] = {}
        renewed: dict[int, bytes] = {}  # a loaded corpus's briefings that are not as saved: their actors' digests
        for i, b in enumerate(briefings):
            if rows is None or self.briefings:  # this process's briefings: the same record is the same briefing
                old = self.briefings[i]
                if b is old:
                    continue
                if b.slug != old.slug:
                    return False
                edited, old_actors = b.article.raw != old.article.raw, old.actors
                same = b.actors == old_actors
                if rows is not None:  # loaded, then resolved here: its rows must follow
                    digest = _actors_digest(b.actors)
                    if digest != rows.digests[i] or b.article.sha256 != rows.shas[i]:
                        renewed[i] = digest
            else:  # a loaded corpus knows its briefings by their files' digests and their actors' digests
                if b.slug != rows.slugs[i]:
                    return False
                edited = b.article.sha256 != rows.shas[i]
                digest = _actors_digest(b.actors)
                same = digest == rows.digests[i]
                if same and not edited:
                    continue
                renewed[i] = digest
                old_actors = rows.row(i)[_ACTORS]
            if edited and not self.title_checked.isdisjoint(self.keys[i].values()) \
                    and self._titled(i, b) != (self.titled.get(i) or frozenset()):
                return False  # a name it joined to a better-known one, or no longer joins (or the other way)
            if not same:
                if (choices := self._reordered_alike(i, b, old_actors)) is None:
                    return False
                reordered[i] = choices
            elif edited and not self._decides_alike(i, b):
                return False
        for i, (first, decided) in reordered.items():  # the corpus as it would be made from these briefings
            own = self.keys[i]
            self.keys[i] = {a.slug: own[a.slug] for a in briefings[i].actors}
            self.first[i], self.decided[i] = first, decided
        if rows is not None:
            for i, digest in renewed.items():
                rows.shas[i], rows.digests[i] = briefings[i].article.sha256, digest
                rows.row(i)[_ACTORS] = briefings[i].actors
                rows.changed.add(i)
        self.briefings = tuple(briefings)
        return True

    def _decides_alike(self, i: int, b: Briefing) -> bool:
        """Briefing ``i``, its text edited, makes the decisions it made: in the first look (on which every article's
        second look depends), then in its own second look."""
        first = self.decide_briefing(i, b)
        if first != self.first[i]:
            return False
        return (self.decide_briefing(i, b, self.seen[i], second=True) if first.open else first) == self.decided[i]

    def _reordered_alike(self, i: int, b: Briefing, old_actors: Sequence[Actor]) -> tuple[_Choices, _Choices] | None:
        """Briefing ``i``'s decisions (first look, final) when it holds the same actors in another order and they
        count and decide as they did; else None.

        An edit moves where an actor is first named, and with it the actors' order (their salience). Counts are
        sums, and the unions do not depend on the order they are made in (a root is its set's first key by
        weight). The order only decides which of some keys, forms or unsure decisions a dict holds first, and
        only among those this briefing is the first to add: ``_added_in_order`` names the few passes where that
        matters. Elsewhere it is the briefing's own decisions, compared as sets.
        """
        if Counter(b.actors) != Counter(old_actors) or len(self.keys[i]) != len(b.actors):
            return None  # other actors, or two of one slug (which of them the keys hold depends on the order)
        if self._added_in_order(i, b.actors) != self._added_in_order(i, old_actors):
            return None
        first = self.decide_briefing(i, b)
        if not _same_choices(first, self.first[i]):
            return None
        decided = self.decide_briefing(i, b, self.seen[i], second=True) if first.open else first
        if not _same_choices(decided, self.decided[i]):
            return None
        first_unsure = self.first_unsure
        if [u for u in dict.fromkeys(decided.unsure) if first_unsure[u] >= i] != \
                [u for u in dict.fromkeys(self.decided[i].unsure) if first_unsure[u] >= i]:
            return None  # ``unsure`` (whose order breaks ties among the decisions) would hold them in another order
        return first, decided

    def _added_in_order(self, i: int, actors: Sequence[Actor]) -> dict[tuple[str, ...], list[str]]:
        """The keys and forms ``actors`` (briefing ``i``'s, in some order) add to the counts before any other
        briefing, in their order, per group within which a pass goes by that order: one
        key's forms (``_blends``; the most used forms of a page), the keys of one page (their forms are added
        to the page's in key order), of one compact spelling (``join_full_names`` joins a group's keys to its
        first), and the names ending in a team's word (``_teams_are_organisations`` reads kinds it changes)."""
        added: dict[tuple[str, ...], list[str]] = defaultdict(list)
        pairs = list(dict.fromkeys(map(self._key_and_form, actors)))
        for k, form in pairs:
            if self.first_pair[(k, form)] >= i:
                added[("forms", k)].append(form)
        for k in dict.fromkeys(k for k, _ in pairs):
            if self.first_key[k] < i:
                continue
            added[("page", self.root[k])].append(k)
            added[("compact", k.replace(" ", ""))].append(k)
            if " " in k and _team_word(k.rsplit(" ", 1)[1]):
                added[("team",)].append(k)
        return added

    def _key_and_form(self, a: Actor) -> tuple[str, str]:
        """The key an actor is counted under, and the form it adds to that key's forms (as ``__init__`` counts)."""
        if a.slug in self.fixed:
            return "@" + a.slug, a.name
        key, _, canonical = actor_key(a.name, a.kind)
        return key or "@" + a.slug, canonical or a.name

    def _plain(self, kind: EntityKind | None = None) -> list[str]:
        """Keys that are names as written (not canonical, not curated), of one kind if given."""
        return [k for k in self.df if not k.startswith(("=", "@")) and (kind is None or self.kind[k] is kind)]

    # ---- step 2: full names that are one entity
    def join_full_names(self) -> None:
        df, roots, kind = self.df, self.roots, self.kind
        # One pass of splitting for the rules below, into tuples: the collector does not track them (lists of
        # 100,000 names' words made it walk them again and again).
        plain = [(k, tuple(k.split())) for k in self._plain()]
        people = [k for k, w in plain if len(w) > 1 and kind[k] is EntityKind.PERSON]
        self.full_people = set(people)
        # Same first name (or its usual short form), surname and suffix: "Hillary Rodham Clinton".
        by_ends: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for k in people:
            w = k.split()
            suffix = w[-1] if _is_suffix(w[-1]) else ""
            core = w[:-1] if suffix else w
            if len(core) >= 2:  # "W. Mark Felt Sr." is Mark Felt: a father is written "Sr." only beside his son
                by_ends[(_NICKNAMES.get(core[0], core[0]), core[-1], "" if suffix == "sr" else suffix)].append(k)
        for group in by_ends.values():
            for k in group[1:]:
                roots.union(group[0], k)
        for k, words in plain:  # "Mo Cheeks" taken for a place where "Maurice Cheeks" is a person
            if len(words) in (2, 3) and kind[k] is not EntityKind.PERSON and not _is_suffix(words[-1]) \
                    and (same := by_ends.get((_NICKNAMES.get(words[0], words[0]), words[-1], ""))):
                roots.union(same[0], k)
        self._join_plain_name_to_dominant_junior(by_ends)
        for key, other in self.nicknamed:  # "Luis Gerardo Ortiz" where the article calls him "Jerry Ortiz" too
            if other in df:
                roots.union(key, other)
        # "Barack Obamas": the possessive without its apostrophe.
        for k in people:
            w = k.split()
            without = " ".join([*w[:-1], w[-1][:-1]])
            if w[-1].endswith("s") and without in self.full_people and df[without] > df[k]:
                roots.union(without, k)
        # "Donald Trump Leads", "Comedian Ellen DeGeneres": a headline's (or a quoted title's) words around a
        # better-known name. Only the few names that are such a name plus a word are looked up in their text.
        longer: dict[str, str] = {}
        for k in people:
            w = k.split()
            if len(w) >= 3 and not _is_suffix(w[-1]):
                for shorter in (" ".join(w[:-1]), " ".join(w[1:])):
                    if shorter in self.full_people and df[shorter] > df[k]:
                        longer[k] = shorter
                        break
        self.title_checked = frozenset(longer)  # names whose articles' text decides (see Resolver)
        self.titled: dict[int, frozenset[str]] = {}
        if longer:
            for i, b in enumerate(self.briefings):
                if titled := self._titled(i, b):
                    self.titled[i] = titled
                    for k in titled:
                        roots.union(longer[k], k)
        self._join_spelling_variants(
            [(k, w) for k, w in plain if len(w) > 1 and kind[k] in (EntityKind.PERSON, EntityKind.ORGANIZATION)])
        # "Turkeminstan": a long place's or organisation's name with two letters swapped (same letters, same ends), in
        # far fewer articles than the name it misspells. Never a person's ("Johnson" and "Johnston" are two).
        misspelt: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for k in (k for k in df if not k.startswith("@")):
            name = k.removeprefix("=")  # (a country's own name is a canonical key: "=turkmenistan")
            if len(name) >= 8 and name.isalpha() and kind[k] in (EntityKind.PLACE, EntityKind.ORGANIZATION):
                misspelt[(name[:2], name[-2:], "".join(sorted(name)))].append(k)
        for group in misspelt.values():
            if len(group) == 2 and kind[group[0]] is kind[group[1]]:
                rare, usual = sorted(group, key=lambda k: (df[k], k))
                if DOMINANCE * df[rare] <= df[usual]:
                    roots.union(usual, rare)
        # One name written as one word or as two ("Trailblazers", "Trail Blazers"; "LaToya", "La Toya").
        by_compact: dict[str, list[str]] = defaultdict(list)
        for k, words in plain:
            by_compact["".join(words)].append(k)
        for group in by_compact.values():
            for k in group[1:]:
                if _compatible(kind[k], kind[group[0]]) \
                        and (kind[k] is EntityKind.PERSON) == (kind[group[0]] is EntityKind.PERSON):
                    roots.union(group[0], k)
        # An acronym some article defines ("Federal Bureau of Investigation (FBI)") is that name everywhere.
        for akey, fulls in self.alias_of.items():
            for full in fulls:
                if " " in full and _initials(full) == akey and akey in df and full in df:
                    roots.union(full, akey)
        # "Aoraki Mount Cook" is Mount Cook: a place's name ending in another place's name that is a landform's
        # ("Mount", "Lake", "Cape") and a proper name, a second name put before it (not "South Wales" of "New South
        # Wales").
        for k, words in plain:
            if len(words) >= 3 and kind[k] is EntityKind.PLACE and words[-2] in _LANDFORMS \
                    and (tail := " ".join(words[-2:])) in df and kind[tail] is EntityKind.PLACE:
                roots.union(tail, k)
        # Facilities named with a generic word: "Betty Ford Center", "Betty Ford Clinic", "Betty Ford Centre".
        stems: dict[str, list[str]] = defaultdict(list)
        for k, words in plain:
            if kind[k] is EntityKind.GROUP and (plural := k + "s") in df and kind[plural] is EntityKind.GROUP:
                roots.union(plural, k)  # "Muslim" and "Muslims" are one group
            if len(words) < 2:
                continue
            if words[-1] in _FACILITY_WORDS and kind[k] is not EntityKind.PERSON:
                bare = words
                while len(bare) > 1 and bare[-1] in _FACILITY_WORDS:
                    bare = bare[:-1]
                stems[" ".join(bare)].append(k)
            elif (short_kind := _DROPPED_LAST_WORDS.get(words[-1])) is not None \
                    and (short := " ".join(words[:-1])) in df and kind[short] is short_kind is kind[k]:
                roots.union(short, k)
        # A person-tagged stem ("Morningside", "Betty Ford") is the facility only where an article supports it.
        self.facility_of: dict[str, set[str]] = {}
        for stem, group in stems.items():
            if stem in df and self.kind[stem] is EntityKind.PERSON:
                self.facility_of[stem] = set(group)
            elif stem in df and self.kind[stem] is not EntityKind.GROUP:
                group = [stem, *group]
            for k in group[1:]:
                roots.union(group[0], k)

    def _titled(self, i: int, b: Briefing) -> frozenset[str]:
        """The names of ``title_checked`` that briefing ``i`` has only in headline-like lines."""
        keys = self.keys[i]
        return frozenset(k for a in b.actors
                         if (k := keys[a.slug]) in self.title_checked and _only_in_titles(a.name, b.article.raw))

    def _blends(self) -> dict[str, set[str]]:
        """"LiLo" (Lindsay Lohan), "J.Lo": a one-word name written with a capital inside, whose two parts begin a
        person's first name and surname -> those people. A nickname like that names the person only where the
        article supports it (``needs_support``): the full name in its text, or the people around it."""
        blends: dict[str, tuple[str, str]] = {}
        for k in self._plain(EntityKind.PERSON):
            if " " in k:
                continue
            for form in self.forms[k]:
                parts = _BLEND.fullmatch(form.replace(".", ""))
                if parts and len(parts.group(2)) >= 2:
                    blends[k] = parts.group(1).lower(), parts.group(2).lower()
                    break
        if not blends:
            return {}
        by_initials: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
        for k in self.full_people:
            w = k.split()
            core = w[:-1] if _is_suffix(w[-1]) else w
            by_initials[(core[0][0], core[-1][0])].append((core[0], core[-1], k))
        found: dict[str, set[str]] = {}
        for k, (first, surname) in blends.items():
            people = {full for f, s, full in by_initials.get((first[0], surname[0]), ())
                      if f.startswith(first) and s.startswith(surname) and (f, s) != (first, surname)}
            if people:
                found[k] = people
        return found

    def _join_plain_name_to_dominant_junior(self, by_ends: dict[tuple[str, str, str], list[str]]) -> None:
        """"Arcade Joseph Comeaux" where the corpus writes "Arcade Joseph Comeaux Jr." is the Jr.: when the Jr. is
        in DOMINANCE times as many briefings and no article names the two as two people ("Donald Trump Jr." is
        never the far better-known Donald Trump)."""
        pairs = []
        for (first, surname, suffix), juniors in by_ends.items():
            if suffix == "jr" and (plain := by_ends.get((first, surname, ""))) \
                    and sum(self.df[k] for k in juniors) >= DOMINANCE * sum(self.df[k] for k in plain):
                pairs.append((juniors, plain))
        if not pairs:
            return
        involved = {k for juniors, plain in pairs for k in (*juniors, *plain)}
        together: set[tuple[str, str]] = set()
        for own in self.keys:
            present = sorted(involved.intersection(own.values()))
            together.update((a, b) for a in present for b in present if a != b)
        for juniors, plain in pairs:
            if not any((j, p) in together for j in juniors for p in plain):
                self.roots.union(juniors[0], plain[0])

    def _join_spelling_variants(self, names: list[tuple[str, tuple[str, ...]]]) -> None:
        """Two people or organisations whose names differ by one letter in one word ("Duncan Rait", "Duncan Raite";
        "Academy of Motion Picture(s) Arts and Sciences"), or two people of one surname whose first names are
        forms of one name ("Katie"/"Kathryn", "Alexis"/"Alexandros"), are one when their articles share a rarer
        actor (for first names, which may be two people's: two; for a familiar form, "Gary"/"Garrett": three, and
        a fifth of the actors around the rarer name): a misspelling or a familiar form in one article, not another
        person. So are two organisations of one first and last word, one the other with words left out ("Central
        Election Commission", "Central Election and Referendum Commission"), when their articles share two."""
        first: dict[tuple[int, int, str, str], tuple[str, str, bool]] = {}
        blocks: dict[tuple[int, int, str, str], list[tuple[str, str, bool]]] = {}  # only blocks of two or more
        for k, w in names:
            person = self.kind[k] is EntityKind.PERSON
            start = 0
            for i, word in enumerate(w):  # block on every word but one (that could be misspelt or a first name),
                end = start + len(word)  # and that word's first letter (kept by misspellings and familiar forms)
                if len(word) >= 4 or (i == 0 and person):
                    block, entry = (len(w), i, k[:start] + k[end:], word[0]), (k, word, person)
                    if (seen := first.setdefault(block, entry)) is not entry:
                        blocks.setdefault(block, [seen]).append(entry)
                start = end + 1
        pairs: dict[tuple[str, str], int] = {}  # -> 1 misspelling, 2 first-name prefix, 3 familiar first name
        for (_, i, _, _), group in blocks.items():
            if 1 < len(group) <= 20:
                for x, (kx, a, px) in enumerate(group):
                    for ky, b, py in group[x + 1 :]:
                        person = px and py
                        if min(len(a), len(b)) >= 4 and -2 < len(a) - len(b) < 2 \
                                and _one_edit(a, b, doubled_only=i == 0 and person):
                            pairs[(kx, ky)] = 1
                        elif i == 0 and person and (form := _first_name_forms(a, b)):
                            pairs[(kx, ky)] = 2 if form == "prefix" else 3
                        elif i == 0 and not (px or py) and _familiar_place(a, b):
                            pairs[(kx, ky)] = 3  # "Philly Sixers", "Indy Colts": a city's familiar form
        ends: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for k, w in names:
            if len(w) >= 3 and self.kind[k] is EntityKind.ORGANIZATION:
                ends[(w[0], w[-1])].append((k, w))
        for same_ends in ends.values():
            if 1 < len(same_ends) <= 20:
                for x, (kx, wx) in enumerate(same_ends):
                    for ky, wy in same_ends[x + 1 :]:
                        shorter, longer = sorted((wx, wy), key=len)
                        if len(shorter) < len(longer) and _inside(shorter, longer) \
                                and _QUALIFIERS.isdisjoint(set(longer) - set(shorter)):
                            pairs.setdefault((kx, ky), 2)
        if not pairs:
            return
        involved = {k for pair in pairs for k in pair}
        around: dict[str, set[str]] = defaultdict(set)
        for own in self.keys:
            if hits := involved.intersection(own.values()):
                present = set(own.values())
                for k in hits:
                    around[k] |= present
        rare = max(3, len(self.briefings) // 50)
        for (a, b), needed in sorted(pairs.items()):
            shared = {k for k in (around[a] & around[b]) - {a, b} if self.df[k] <= rare}
            fewest = min(len(around[a]), len(around[b])) - 1
            if len(shared) >= needed and (needed < 3 or 5 * len(shared) >= fewest):
                self.roots.union(a, b)

    # ---- step 3: short names and where they could go
    def find_short_names(self) -> None:
        roots, kind = self.roots, self.kind
        surname_of: dict[str, set[str]] = defaultdict(set)
        first_name_of: dict[str, set[str]] = defaultdict(set)
        for k in self.full_people:
            w = k.split()
            core = w[:-1] if _is_suffix(w[-1]) else w
            surname_of[core[-1]].add(k)
            first_name_of[core[0]].add(k)
        for i, b in enumerate(self.briefings if self.fixed else ()):  # a curated person is a full name too
            for a in b.actors:
                k = self.keys[i][a.slug]
                if k.startswith("@") and a.kind is EntityKind.PERSON:
                    for form in (a.name, *a.aliases):
                        if " " in (fk := actor_key(form, a.kind)[0]):
                            surname_of[fk.split()[-1]].add(k)
        # The last words of a longer name ("Colts": "Indianapolis Colts"; "Lo Presti": "Gaetano Lo Presti"), and
        # "X of ..." ("Academy": "Academy of Motion Picture Arts and Sciences"); not for places ("York").
        tails: dict[str, set[str]] = defaultdict(set)
        heads: dict[str, set[str]] = defaultdict(set)
        initials: dict[str, set[str]] = defaultdict(set)
        # A team's city ("Indianapolis" of the Indianapolis Colts) is the team in an article that names the team.
        teams: dict[str, set[str]] = defaultdict(set)
        for k in self._plain():
            w = k.split()
            if len(w) < 2 or kind[k] is EntityKind.PLACE:
                continue
            for i in range(1, len(w) - (kind[k] is EntityKind.PERSON)):
                tail = " ".join(w[i:])
                tails[tail.replace(" ", "")].add(k)  # a team is also written by its name alone: "the Colts"
                if kind[k] is EntityKind.ORGANIZATION and len(w) - i <= 2 and _team_word(w[-1]) and tail in self.df \
                        and kind[tail] is not EntityKind.PERSON:
                    teams[" ".join(w[:i])].add(k)
            if kind[k] is EntityKind.ORGANIZATION:
                if w[1] == "of":
                    heads[w[0]].add(k)
                initials[_initials(k)].add(k)
        alias_of = self.alias_of
        blends = self._blends()
        for key in sorted(self._plain()):  # the unions below change later keys' roots: one fixed order
            # (tails are compared without spaces: "Trail Blazers" is the tail of "Portland Trailblazers")
            compact = key.replace(" ", "")
            if " " in key and compact not in tails and key not in heads and key not in alias_of \
                    and key not in self.facility_of and key not in teams:
                continue  # most keys: a full name that no rule below can make short
            found: set[str] = set()
            k_kind = kind[key]
            if k_kind is EntityKind.PLACE and key in teams:
                found |= teams[key]
                self.article_only.add(key)
            if " " not in key and k_kind is EntityKind.PERSON:
                found |= surname_of.get(key, set()) | first_name_of.get(key, set())
                if key not in surname_of and key.endswith("s"):
                    found |= surname_of.get(key[:-1], set())  # "the Clintons", "Obamas"
            elif " " not in key:  # a surname the model took for a place, organisation or group ("Klitschko")
                found |= surname_of.get(key, set())
                # ...or a first name ("Kathina" of Kathina Thomas), unless a place far more written than the person,
                # or a group of people ("Floridians" of a headline's "Floridians Jeb Bush")
                if k_kind is not EntityKind.GROUP:
                    found |= {c for c in first_name_of.get(key, ()) if DOMINANCE * self.df[c] >= self.df[key]}
            if key in self.facility_of and not found:  # "Betty Ford" of the Betty Ford Center, where no person is
                # meant: not a surname ("Clinton" of the Clinton Center), nor a full name but for a facility far more
                # written than the name (not "Muhammad Ali")
                found |= {c for c in self.facility_of[key]
                          if " " not in key or (self.df[c] >= 2 * self.df[key] and self.df[c] >= 3)}
            # (a plural taken for a person that ends a team's name is the team: "Jaguars")
            team = k_kind is EntityKind.PERSON and " " not in key and _team_word(key)
            longer = {c for c in tails.get(compact, set()) | heads.get(key, set()) if _compatible(k_kind, kind[c])
                      and ((k_kind is EntityKind.PERSON) == (kind[c] is EntityKind.PERSON)
                           or (team and kind[c] is EntityKind.ORGANIZATION))}
            longer_roots = {roots.find(c) for c in longer} - {roots.find(key)}
            if len(longer_roots) == 1 and not any(kind[c] is EntityKind.PERSON for c in found) \
                    and self.df[key] >= self.df[next(iter(longer_roots))]:
                roots.union(key, next(iter(longer_roots)))  # "Red Sox" is the one "Boston Red Sox"
                continue
            found |= longer
            if " " not in key and any(f.isupper() for f in self.forms[key]) and k_kind is not EntityKind.PERSON:
                found |= initials.get(key, set())  # "AP": "Associated Press", wherever it is written out
                if key not in initials and len(key) >= 3 and key[0] == "t" and key[1:] in initials:
                    # "THR": "The Hollywood Reporter", whose "The" the key drops; only where its article supports it
                    found |= initials[key[1:]]
                    self.needs_support.add(key)
            found |= {c for c in self.alias_of.get(key, ()) if c in self.df and _compatible(k_kind, kind[c])}
            if key in blends:
                found |= blends[key]
                self.needs_support.add(key)
            found = {roots.find(c) for c in found} - {roots.find(key)}
            if found:
                self.short[key] = found
        # A union after a key was looked at ("Red Sox" joining "Boston Red Sox") may have moved its candidates' roots.
        for key, found in list(self.short.items()):
            if not (found := {roots.find(c) for c in found} - {roots.find(key)}):
                del self.short[key]
                self.article_only.discard(key)
            else:
                self.short[key] = found
        self.teams = {roots.find(k) for found in teams.values() for k in found}
        self.root_df: Counter[str] = Counter()
        for k, n in self.df.items():
            if k not in self.short:
                self.root_df[roots.find(k)] += n
        # The most used multi-word forms of each candidate entity, looked for in an article's text.
        wanted = {c for found in self.short.values() for c in found}
        forms: dict[str, Counter[str]] = defaultdict(Counter)
        for k in self.df:
            if (r := roots.find(k)) in wanted and k not in self.short:
                forms[r].update({f: n for f, n in self.forms[k].items() if " " in f.strip()})
        self.root_forms = {r: [f for f, _ in c.most_common(3)] for r, c in forms.items()}

    def _needs_context(self, key: str, pool: Sequence[str]) -> bool:
        """A place, organisation or group name joins a person, and a person's name something that is not a
        person, only where its article supports it."""
        person = self.kind[key] is EntityKind.PERSON
        return all((self.kind[c] is EntityKind.PERSON) is not person for c in pool)

    # ---- step 3, article by article
    def choose_pages(self) -> list[dict[str, str]]:
        short = self.short
        self.root = {k: self.roots.find(k) for k in self.df}
        # Per briefing, the entities its full names are on: the context a short name is read in.
        present = [self._present(i) for i in range(len(self.keys))]
        self.wanted = {c for k, found in short.items() if len(found) > 1 or self._needs_context(k, list(found))
                       or k in self.needs_support or k in self.article_only for c in found}
        self.cooc: Mapping[str, set[str]] = self._cooccurrence(present)
        self.more_cooc: Mapping[str, set[str]] = {}  # what the second look adds to ``cooc`` (kept apart: memory)
        self.usual: dict[str, str] = {}
        n = max(len(self.briefings), 1)
        self.idf = {r: math.log(1 + n / max(c, 1)) for r, c in self.root_df.items()}
        # short key -> (its most frequent candidates, those of them frequent enough to go to without their name in the
        # article, whether it needs its article's support)
        self.ranked = {}
        for k, found in short.items():
            ranked = sorted(found, key=lambda c: (-self.root_df[c], c))[:MAX_CANDIDATES]
            contextual = self._needs_context(k, ranked)
            # "Super" (of Super Tuesday, in many articles) is not a rare "Ted Cruz Super", except in an article that
            # names it; "Palin" tagged as a place in more articles than "Sarah Palin" is her where she is named.
            frequent = [c for c in ranked if self.root_df[c] >= self.df[k]] if contextual else ranked
            if k in self.article_only:
                frequent, contextual = [], True
            self.ranked[k] = ranked, frequent, contextual or k in self.needs_support
        self.first = [self.decide_briefing(i, b, present[i]) for i, b in enumerate(self.briefings)]
        # A second look where a short name found no sure page: the article's context, and every candidate's, now also
        # hold the pages the other short names went to surely (an article that names Lindsay Lohan as "Lohan" only is
        # still hers around "White"), and a name that went surely to one page in most of its articles may go there
        # with its article's context alone, however rare that page ("Morningside": Morningside Recovery). Made from
        # the first look of every article alike: the order of articles does not matter.
        seen = [present[i] | {page for _, page in first.sure} for i, first in enumerate(self.first)]
        self.seen = {i: seen[i] for i, first in enumerate(self.first) if first.open}  # (for ``Resolver``)
        self.decided = self.first
        if self.seen:
            went = Counter(sure for first in self.first for sure in first.sure)
            for (key, page), n in sorted(went.items()):
                if n >= 2 and 2 * n >= self.df[key] and page not in self.ranked[key][1]:
                    self.usual[key] = page
            self.more_cooc = self._more_cooccurrence(seen)
            self.decided = [self.decide_briefing(i, b, seen[i], second=True) if first.open else first
                            for i, (b, first) in enumerate(zip(self.briefings, self.first))]
        self.first_unsure: dict[tuple[str, str, str | None], int] = {}
        for i, (b, decided) in enumerate(zip(self.briefings, self.decided)):
            self.short_actors.extend(decided.short_actors)
            for item in decided.unsure:
                self.unsure[item].append(b.slug)
                self.first_unsure.setdefault(item, i)
        return [decided.chosen for decided in self.decided]

    def saved_tables(self) -> dict[str, Any]:
        """What ``Resolver.load`` needs of the corpus besides its per-briefing values (``saved_rows``)."""
        tables = {k: v for k, v in vars(self).items() if k not in _NOT_SAVED}
        for name in ("cooc", "more_cooc"):
            tables[name] = _SetsByKey({k: tuple(found) for k, found in tables[name].items()})
        return tables

    def saved_rows(self) -> tuple[list[str], list[str], list[bytes], Iterator[bytes]]:
        """Per briefing: its slug, its file's digest, its actors' digest and (made as they are read) its values
        pickled apart."""
        rows = self.rows
        if rows is not None:  # loaded: only the briefings an edit changed are pickled again
            blobs = (pickle.dumps(rows.values[i], protocol=pickle.HIGHEST_PROTOCOL) if i in rows.changed else blob
                     for i, blob in enumerate(rows.blobs))
            return rows.slugs, rows.shas, rows.digests, blobs
        briefings = self.briefings
        return ([b.slug for b in briefings], [b.article.sha256 for b in briefings],
                [_actors_digest(b.actors) for b in briefings],
                (pickle.dumps([b.actors, self.keys[i], self.first[i], self.decided[i], self.seen.get(i),
                               self.titled.get(i)],
                              protocol=pickle.HIGHEST_PROTOCOL) for i, b in enumerate(briefings)))

    def _cooccurrence(self, present: list[set[str]]) -> dict[str, set[str]]:
        """Candidate entity -> every entity of the articles it is in (only for candidates a context decides)."""
        cooc: dict[str, set[str]] = defaultdict(set)
        wanted = self.wanted
        if wanted:
            for entities in present:
                for c in entities & wanted:
                    cooc[c] |= entities
        return cooc

    def _more_cooccurrence(self, seen: list[set[str]]) -> dict[str, set[str]]:
        """``_cooccurrence(seen)`` less what ``cooc`` holds already (``seen`` holds every article's ``present``)."""
        more: dict[str, set[str]] = defaultdict(set)
        wanted, cooc = self.wanted, self.cooc
        if wanted:
            for entities in seen:
                for c in entities & wanted:
                    more[c] |= entities - known if (known := cooc.get(c)) else entities
        return {c: found for c, found in more.items() if found}

    def _present(self, i: int) -> set[str]:
        return {self.root[k] for k in self.keys[i].values() if k not in self.short}

    def decide_briefing(self, i: int, b: Briefing, present: set[str] | None = None, second: bool = False) -> _Choices:
        """Briefing ``i``'s pages, read in ``present`` (default: its full names' entities), in the first or the
        second look."""
        own, short, root = self.keys[i], self.short, self.root
        present = self._present(i) if present is None else present
        look = (self.more_cooc, self.usual) if second else ({}, {})
        choices = _Choices({}, [], [], [])
        later = []  # a team's city last: the team may be named here by a short name only ("the Colts")
        for a in b.actors:
            k = own[a.slug]
            if k not in short:
                choices.chosen[a.slug] = root[k]
            elif k in self.article_only:
                later.append(a)
            else:
                self._decide(b, a, k, present, look, choices)
        if later:
            here = present | set(choices.chosen.values())
            for a in later:
                self._decide(b, a, own[a.slug], here, look, choices)
        return choices

    def _decide(self, b: Briefing, a: Actor, key: str, present: set[str],
                look: tuple[Mapping[str, set[str]], dict[str, str]], choices: _Choices) -> None:
        """``look``: what the second look adds to the co-occurrences, and its usual pages (both empty in the first)."""
        choice, how = self._choose(key, a.name, present, b.article.raw, *look)
        page = choices.chosen[a.slug] = choice if choice is not None else self.roots.find(key)
        choices.short_actors.append((page, key, a.kind, a.name, a.mentions))
        if how in ("dominant", "ambiguous"):
            choices.unsure.append((key, how, choice))
        if how in ("article", "only", "context"):
            choices.sure.append((key, page))
        else:
            choices.open = True

    def _choose(self, key: str, name: str, present: set[str], text: str, more_cooc: Mapping[str, set[str]],
                usual: dict[str, str]) -> tuple[str | None, str]:
        root_df, idf, cooc = self.root_df, self.idf, self.cooc
        named, ranked, contextual = self.ranked[key]
        inside = [c for c in named if c in present]
        if not ranked and not inside and not contextual:
            return None, "unsupported"
        if not inside and (len(ranked) > 1 or contextual):
            # The full name is in the text, though the model did not tag it there.
            root_forms = self.root_forms
            for c in named:
                for f in root_forms.get(c, ()):
                    if f in text:
                        inside.append(c)
                        break
        if key in self.article_only:
            return self._team_or_city(name, text, inside, named, present, more_cooc)
        if len(inside) == 1:
            return inside[0], "article"
        pool = inside or ranked or ([usual[key]] if key in usual else [])
        if not pool:
            return None, "unsupported"
        if inside:
            contextual = self._needs_context(key, pool) or key in self.needs_support
        if len(pool) == 1 and not contextual:
            return pool[0], "only"
        others = present.difference(pool)
        scores = sorted([(-sum([idf.get(o, 0.0) for o in others & cooc[c]])
                          - sum([idf.get(o, 0.0) for o in others & more_cooc.get(c, set())]), -root_df[c], c)
                         for c in pool])
        scores = [(-score, -df, c) for score, df, c in scores]
        best, second = scores[0][0], scores[1][0] if len(scores) > 1 else 0.0
        if best >= CONTEXT_MIN and best >= CONTEXT_MARGIN * second + 1.0:
            return scores[0][2], "context"
        if contextual:
            return None, "unsupported"
        if root_df[pool[0]] >= DOMINANCE * root_df[pool[1]]:
            return pool[0], "dominant"
        return None, "ambiguous"

    def _team_or_city(self, name: str, text: str, inside: list[str], named: list[str], present: set[str],
                      more_cooc: Mapping[str, set[str]]) -> tuple[str | None, str]:
        """A team's city ("Jacksonville" of the Jacksonville Jaguars) in one article: the team the article names ("the
        Colts beat Jacksonville"; sports pages write "at North Carolina", "in Philadelphia" for the team too), but the
        city where the article writes it as a place at least as often as otherwise: beside its state ("in
        Jacksonville, Fla.") or after a preposition of place in a sentence that names the team in full ("the
        Jacksonville Jaguars last night in Jacksonville"). In an article that names no team of the city but names
        another team, and never writes the city as a place ("the Colts overcame Jacksonville 31-24"), the team whose
        articles share two or more of this article's actors; else the city (a political article's "Cleveland" shares
        Donald Trump and Ohio with the Cavaliers' articles too)."""
        uses = _place_uses(name, text)
        if len(inside) == 1:
            forms = self.root_forms.get(inside[0], ())
            places = sum(1 for in_state, sentence in uses if in_state or any(f in sentence for f in forms))
            written = len(_alone(name).findall(text))
            return (None, "unsupported") if places and 2 * places >= written else (inside[0], "article")
        others = present.difference(named)
        if inside or uses or self.teams.isdisjoint(others):
            return None, "unsupported"
        shared = sorted(((len(found), c) for c in named
                         if len(found := others & (self.cooc[c] | more_cooc.get(c, set()))) >= 2), reverse=True)
        if shared and (len(shared) == 1 or shared[0][0] > shared[1][0]):
            return shared[0][1], "context"
        return None, "unsupported"

    # ---- step 4: pages
    def pages(self, page_keys: list[dict[str, str]]) -> Resolution:
        root_forms: dict[str, Counter[str]] = {}
        root_kinds: dict[str, Counter[EntityKind]] = {}
        root_mentions: Counter[str] = Counter()
        for key, votes in self.kind_votes.items():  # keys that are one page everywhere: counted per key
            if key not in self.short:
                root = self.roots.find(key)
                if root not in root_kinds:  # most pages have one key: share its counters, no copies
                    root_kinds[root], root_forms[root] = votes, self.forms[key]
                else:
                    root_kinds[root].update(votes)
                    root_forms[root].update(self.forms[key])
                root_mentions[root] += sum(votes.values())
        for root, key, kind, name, mentions in self.short_actors:  # short names: where each article put them
            # A short name that joined a full one is what that one is ("Kasich" tagged as a place); one of another
            # kind does not name it ("Morningside" taken for a person, a team's city "Indianapolis").
            joined = root != self.roots.find(key)
            root_kinds.setdefault(root, Counter())[self.kind[root] if joined else kind] += mentions
            if not joined or (_compatible(kind, self.kind[root])
                              and (kind is EntityKind.PERSON) == (self.kind[root] is EntityKind.PERSON)):
                root_forms.setdefault(root, Counter())[name] += mentions
            root_mentions[root] += mentions
        names: dict[str, str] = {}
        kinds: dict[str, EntityKind] = {}
        slug_of: dict[str, str] = {}
        taken: set[str] = set(self.fixed)
        for root in sorted(root_forms, key=lambda r: (not r.startswith("@"), -root_mentions[r], r)):
            votes = root_kinds[root]
            kind = max(votes, key=lambda k: (votes[k], -_KIND_ORDER.index(k)))
            name = _shown_name(root_forms[root], kind, self.canonical.get(root))
            slug = root[1:] if root.startswith("@") else slugify(name)
            if not root.startswith("@"):
                base, n = slug, 2
                while slug in taken:
                    if names.get(slug) == name and kinds.get(slug) is kind:
                        break  # a short name left apart that reads like the page it could join: that page
                    slug, n = f"{base}-{n}", n + 1
            taken.add(slug)
            slug_of[root] = slug
            names[slug] = name
            kinds[slug] = kind
        pages = [{s: page for s, r in chosen.items() if (page := slug_of[r]) != s} for chosen in page_keys]
        decisions = []
        for (key, how, choice), examples in sorted(self.unsure.items(), key=lambda kv: (-len(kv[1]), kv[0][0])):
            name = max(self.forms[key], key=lambda f: (self.forms[key][f], f))
            candidates = tuple((slug_of[c], self.root_df[c]) for c in self.ranked[key][0] if c in slug_of)
            page = slug_of[choice if choice is not None else self.roots.find(key)]
            decisions.append(Decision(name, how, slug_of[choice] if choice else None, page, len(examples),
                                      tuple(sorted(examples)[:5]), candidates))
        return Resolution(pages, names, kinds, decisions)


def _same_choices(a: _Choices, b: _Choices) -> bool:
    """The same decisions, in whatever order the briefing's actors came in."""
    return a.chosen == b.chosen and a.open == b.open and Counter(a.short_actors) == Counter(b.short_actors) \
        and Counter(a.unsure) == Counter(b.unsure) and Counter(a.sure) == Counter(b.sure)


def _compatible(a: EntityKind, b: EntityKind) -> bool:
    """Kinds one real thing can be given by the model: anything but a group can be a mis-tagged person."""
    if a == b or {a, b} <= {EntityKind.ORGANIZATION, EntityKind.GROUP}:
        return True
    return EntityKind.PERSON in (a, b) and EntityKind.GROUP not in (a, b)


def _team_word(word: str) -> bool:
    """The last word of a team's name: a plural ("Colts", "76ers", "Red Sox"), not a company's ("Times") nor a
    singular ending in s ("Caucus", "Congress")."""
    plural = word.endswith("s") and not word.endswith(("ss", "us", "is"))
    return (plural or word == "sox") and word not in _COMPANY_PLURALS


def _first_name_forms(a: str, b: str) -> str | None:
    """How two first names may be one person's: "prefix", the shorter is the longer's beginning ("Geoff",
    "Geoffrey"), or "familiar", that plus a familiar ending ("Kat-ie" of "Kat-hryn", "Alex-is" of "Alex-andros";
    but also "Gar-y" and "Gar-rett", two names); never a man's and a woman's name ("Michael"/"Michelle",
    "Paul"/"Paula"), nor two names that only begin alike ("Ivana"/"Ivanka")."""
    short, long = sorted((a, b), key=lambda w: (len(w), w))
    if {a, b} & MALE_FIRST_NAMES and {a, b} & FEMALE_FIRST_NAMES:
        return None
    if long.startswith(short):
        return "prefix" if len(short) >= 3 and long[len(short) :] not in _FEMININE_ENDINGS else None
    stem = next((short[: -len(e)] for e in _FAMILIAR_ENDINGS if short.endswith(e)), "")
    return "familiar" if len(stem) >= 3 and long.startswith(stem) else None


def _familiar_place(a: str, b: str) -> bool:
    """The shorter is the longer's beginning and a familiar ending: "Philly" of Philadelphia, "Indy" of Indianapolis."""
    short, long = sorted((a, b), key=lambda w: (len(w), w))
    stem = next((short[: -len(e)] for e in ("ly", "y", "ie") if short.endswith(e)), "")
    return len(stem) >= 3 and len(long) > len(short) + 2 and long.startswith(stem)


def _inside(shorter: tuple[str, ...], longer: tuple[str, ...]) -> bool:
    """Every word of ``shorter`` is in ``longer``, in order."""
    rest = iter(longer)
    return all(word in rest for word in shorter)


def _one_edit(a: str, b: str, doubled_only: bool = False) -> bool:
    """``a`` and ``b`` differ by one inserted, deleted, replaced or swapped letter; with ``doubled_only`` (first
    names) a letter inserted beside a known first name must double its neighbour ("Hilary"/"Hillary", not
    "Ivana"/"Ivanka": two names; "Jerymayne" is a misspelt "Jermayne")."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if doubled_only and {a, b} & MALE_FIRST_NAMES and {a, b} & FEMALE_FIRST_NAMES:
        return False  # "Mark"/"Mary"
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :] or (a[i + 2 :] == b[i + 2 :] and a[i : i + 2] == b[i : i + 2][::-1])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    doubled = longer[i] in longer[max(i - 1, 0) : i] + longer[i + 1 : i + 2]
    known = bool({a, b} & (MALE_FIRST_NAMES | FEMALE_FIRST_NAMES))
    return longer[i + 1 :] == shorter[i:] and (doubled or not (doubled_only and known))


def _shown_name(forms: Counter[str], kind: EntityKind, canonical: str | None) -> str:
    """The most used complete form: a person's needs two words; capitals-only forms lose to written ones."""
    if canonical:
        return canonical
    if len(forms) == 1:
        return next(iter(forms))
    pool = forms
    if kind is EntityKind.PERSON:
        complete = {f: n for f, n in forms.items() if len(_words(f, True)) > 1}
        pool = Counter(complete) or forms
    plain = {f: n for f, n in pool.items() if not (f.isupper() and len(f.replace(".", "")) > 4)}
    pool = Counter(plain) or pool
    plural = kind is EntityKind.GROUP  # a group is its people: "Muslims", not "Muslim"
    return max(pool, key=lambda f: (plural and f.endswith("s"), pool[f], len(f), f))


def suggestions(resolution: Resolution) -> str:
    """The decisions the resolver was unsure of, as ``entities.toml`` entries with their evidence in comments.

    A name sent to the corpus's dominant candidate becomes an alias of that page (keep it so, or delete the
    line to let the next build decide again); a name left on its own page becomes a ``merge`` into its most
    frequent candidate (delete the entry to keep it apart). One table per page, so the text is valid TOML.
    """
    tables: dict[str, dict[str, list[str]]] = {}
    for d in resolution.decisions:
        target = d.chosen or (d.candidates[0][0] if d.candidates else None)
        if target is None:
            continue
        table = tables.setdefault(target, {"aliases": [], "merge": [], "why": []})
        others = ", ".join(f"{slug} ({n} briefings)" for slug, n in d.candidates[:4])
        examples = ", ".join(d.examples) + (" ..." if d.articles > len(d.examples) else "")
        if d.how == "dominant":
            table["why"].append(f'"{d.name}" went to {target} in {d.articles} article(s) that name no candidate '
                                f"and share no other actor with one ({examples}); candidates: {others}")
            if d.name not in table["aliases"]:
                table["aliases"].append(d.name)
        else:
            table["why"].append(f'"{d.name}" kept its own page {d.page} in {d.articles} article(s): no candidate '
                                f"clearly wins ({examples}); candidates: {others}")
            if d.page not in table["merge"]:
                table["merge"].append(d.page)
    out: list[str] = []
    for target in sorted(tables, key=lambda t: resolution.names[t].lower()):
        table = tables[target]
        out.extend(f"# {line}" for line in table["why"])
        out.append(f"[entity.{json.dumps(resolution.names[target], ensure_ascii=False)}]")
        for key in ("aliases", "merge"):
            if table[key]:
                out.append(f"{key} = {json.dumps(sorted(table[key]), ensure_ascii=False)}")
        out.append("")
    return "\n".join(out)
