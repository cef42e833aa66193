"""Entity resolution across the corpus: which page each actor of each briefing is on.

Extraction has already joined the names of one actor inside one article (full name, surname, first name,
honorifics, middle initials, possessives, a leading "the", acronyms the text defines). This stage
decides across articles, from plain ``Actor`` records, deterministically and with a reason for each
decision:

1. Every actor gets a *key*: its name without case, dots, possessive, leading "the", honorifics (people),
   middle initials (people) and company suffixes ("Microsoft Corp."); nationality and party words take
   their country's or party's key ("Chinese" -> China, "Republicans"/"GOP" -> Republican Party), and a
   dotted state abbreviation its state ("N.C." -> North Carolina). Same key, same page.
2. Full names join: two people with the same first name, surname and suffix ("Hillary Rodham Clinton",
   "Hillary Clinton"; never "Donald Trump Jr." and "Donald Trump"); a name found only in a headline-like
   line that is a better-known person's name plus a word is that person ("Donald Trump Leads"); a
   person's name plus "s" is that person ("Barack Obamas").
3. A short name (a surname or first name alone, an organisation's last word such as "Colts", an acronym
   some article defines) goes, article by article, to the compatible full entity that article supports:
   one named in the same article first, else the one whose other articles share the most (rarer counted
   more) co-occurring actors with this article, else the corpus's dominant one when it clearly dominates,
   else it stays its own page. Each such choice is a ``Decision`` (``briefgen entities --suggest``).
4. A page's kind is the vote of all its mentions (the model's labels), its shown name the most used
   complete form ("Donald Trump": people need a first name and a surname), its slug made from that name.
   All of it is computed from corpus counts, so the order of articles does not matter, and an article
   that does not mention an actor does not change its page.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from briefgen.extract.actors import HONORIFICS, NAME_SUFFIXES
from briefgen.model import Briefing, EntityKind
from briefgen.urls import slugify

# Nationality and party words -> (the page they count for, its kind). World knowledge, not fitted: the
# common adjectives and plural nouns of countries (and the country's own name, so both share one key).
_DEMONYMS = """
Afghanistan: afghan, afghans | Albania: albanian, albanians | Algeria: algerian, algerians
United States: american, americans | Argentina: argentine, argentinian, argentinians | Armenia: armenian, armenians
Australia: australian, australians | Austria: austrian, austrians | Azerbaijan: azerbaijani, azerbaijanis
Bahrain: bahraini, bahrainis | Bangladesh: bangladeshi, bangladeshis | Belarus: belarusian, belarusians
Belgium: belgian, belgians | Bolivia: bolivian, bolivians | Bosnia: bosnian, bosnians | Brazil: brazilian, brazilians
United Kingdom: british, briton, britons | Bulgaria: bulgarian, bulgarians | Myanmar: burmese
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
}
_COMPANY_SUFFIXES = {"corp", "corporation", "inc", "incorporated", "co", "ltd", "llc", "plc", "ag", "sa"}
_KIND_ORDER = (EntityKind.PERSON, EntityKind.ORGANIZATION, EntityKind.PLACE, EntityKind.GROUP, EntityKind.OTHER)

DOMINANCE = 3.0
"""A short name goes to the corpus's most frequent compatible entity only when it is in at least this many
times as many briefings as the next one."""
CONTEXT_MIN = 3.0
"""The least context score (idf of the actors an article shares with a candidate's other articles) that counts."""
EXTENSION_RATIO = 10
"""A known person's name with one more word ("Donald Trump Wins") is that person when the name alone is in
this many times as many briefings."""
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
    """One cross-document choice for a short or ambiguous name, with its evidence."""

    name: str
    """The name as the article has it ("Clinton")."""
    briefing: str
    chosen: str | None
    """Page slug it went to, or None when it stayed its own page."""
    how: str
    """"article", "context", "dominant", "only", or "ambiguous" (stayed its own page)."""
    candidates: tuple[tuple[str, int, float], ...]
    """(page slug, briefings of that page's full names, context score), best first."""


@dataclass(slots=True)
class Resolution:
    pages: list[dict[str, str]]
    """For each briefing (in the order given): actor slug -> page slug."""
    names: dict[str, str]
    """Page slug -> shown name."""
    kinds: dict[str, EntityKind]
    """Page slug -> kind (vote of every mention)."""
    decisions: list[Decision] = field(default_factory=list)


@lru_cache(maxsize=1 << 16)
def _words(name: str, person: bool) -> tuple[str, ...]:
    text = name.lower().replace("’", "'").replace("‘", "'")
    text = re.sub(r"'s?$", "", text.strip())
    text = text.replace(".", "").replace("'", "")
    words = re.findall(r"[\w&]+(?:-[\w&]+)*", text)
    while words and words[0] == "the":
        words = words[1:]
    if person:
        while len(words) > 1 and words[0] in HONORIFICS:
            words = words[1:]
        if len(words) > 2:  # middle initials: "Donald J. Trump", "W. Mark Felt" keeps "mark felt"
            words = [w for i, w in enumerate(words) if len(w) > 1 or i == len(words) - 1]
    elif len(words) > 1 and words[-1] in _COMPANY_SUFFIXES:
        words = words[:-1]
    return tuple(words)


@lru_cache(maxsize=1 << 16)
def actor_key(name: str, kind: EntityKind) -> tuple[str, EntityKind | None, str | None]:
    """(key, kind the key forces or None, canonical name or None) for one actor name."""
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
    if len(words) > 1 and compact in ("us", "usa", "uk"):
        return actor_key(compact.upper(), kind)
    return joined, None, None


def _initials(key: str) -> str:
    return "".join(w[0] for w in key.split() if w not in {"of", "and", "the", "for", "on", "in", "&"})


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


def _headline_only(name: str, raw: str) -> bool:
    """Every occurrence of ``name`` in the text is on a line written in title case (a headline), or none is."""
    for m in re.finditer(re.escape(name), raw):
        start = raw.rfind("\n", 0, m.start()) + 1
        end = raw.find("\n", m.end())
        line = raw[start : end if end >= 0 else len(raw)]
        words = re.findall(r"[A-Za-z][\w'’-]*", line)
        long_words = [w for w in words if len(w) > 3]
        if not long_words or sum(w[0].isupper() for w in long_words) < 0.8 * len(long_words):
            return False
    return True


def resolve(briefings: Sequence[Briefing], fixed: frozenset[str] = frozenset()) -> Resolution:
    """Decide every actor's page. ``fixed``: curated page slugs, which are pages of their own as they are."""
    # --- corpus counts per key
    keys: list[dict[str, str]] = []                       # per briefing: actor slug -> key
    kind_votes: dict[str, Counter[EntityKind]] = defaultdict(Counter)
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    df: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    canonical: dict[str, str] = {}
    alias_of: dict[str, Counter[str]] = defaultdict(Counter)  # short alias key -> full keys that absorbed it
    for b in briefings:
        own: dict[str, str] = {}
        for a in b.actors:
            if a.slug in fixed:
                key, forced, canon = "@" + a.slug, None, None
            else:
                key, forced, canon = actor_key(a.name, a.kind)
            if not key:
                key = "@" + a.slug
            own[a.slug] = key
            kind_votes[key][forced or a.kind] += a.mentions
            forms[key][canon or a.name] += a.mentions
            mentions[key] += a.mentions
            if canon:
                canonical[key] = canon
            for alias in a.aliases:  # in-article evidence that a short form is a longer one
                akey, _, _ = actor_key(alias, a.kind)
                if akey and akey != key and not akey.startswith("=") and not key.startswith("="):
                    if " " not in akey:
                        alias_of[akey][key] += 1
                    elif " " not in key:
                        alias_of[key][akey] += 1
        keys.append(own)
        df.update(set(own.values()))

    def kind_of(key: str) -> EntityKind:
        votes = kind_votes[key]
        return max(votes, key=lambda k: (votes[k], -_KIND_ORDER.index(k)))

    roots = _Roots(df)
    person_keys = [k for k in df if kind_of(k) is EntityKind.PERSON and not k.startswith(("=", "@"))]
    full_people = [k for k in person_keys if " " in k]
    # --- full names of one person join
    by_ends: dict[tuple[str, str, bool], list[str]] = defaultdict(list)
    for k in full_people:
        w = k.split()
        suffixed = _is_suffix(w[-1])
        core = w[:-1] if suffixed else w
        if len(core) >= 2:
            by_ends[(_NICKNAMES.get(core[0], core[0]), core[-1], suffixed and w[-1] or "")].append(k)
    for group in by_ends.values():
        for k in group[1:]:
            roots.union(group[0], k)
    full_set = set(full_people)
    for i, b in enumerate(briefings):
        for a in b.actors:
            k = keys[i][a.slug]
            if k not in full_set:
                continue
            w = k.split()
            # "Barack Obamas": the possessive without its apostrophe.
            if w[-1].endswith("s") and (plain := " ".join([*w[:-1], w[-1][:-1]])) in full_set and df[plain] > df[k]:
                roots.union(plain, k)
                continue
            if len(w) < 3 or _is_suffix(w[-1]):
                continue
            # "Donald Trump Leads", "Comedian Ellen DeGeneres": a headline's (or a quoted title's) words
            # around a known name, when that is all the text has, or when the name alone is far more common.
            for shorter in (" ".join(w[:-1]), " ".join(w[1:])):
                if shorter in full_set and df[shorter] > df[k] and (
                        df[shorter] >= EXTENSION_RATIO * df[k] or _headline_only(a.name, b.article.raw)):
                    roots.union(shorter, k)
                    break

    # An acronym that some article defines ("Federal Bureau of Investigation (FBI)") is that name everywhere.
    for akey, fulls in alias_of.items():
        for full in fulls:
            if " " in full and _initials(full) == akey and akey in df and full in df:
                roots.union(full, akey)
    for k in df:  # "Muslim" and "Muslims" are one group
        if kind_of(k) is EntityKind.GROUP and (plural := k + "s") in df and kind_of(plural) is EntityKind.GROUP:
            roots.union(plural, k)

    # --- short names: candidates
    surname_of: dict[str, set[str]] = defaultdict(set)
    first_name_of: dict[str, set[str]] = defaultdict(set)
    for k in full_people:
        w = k.split()
        core = w[:-1] if _is_suffix(w[-1]) else w
        surname_of[core[-1]].add(k)
        first_name_of[core[0]].add(k)
    # The last words of a longer name: "Colts" -> "Indianapolis Colts", "Red Sox" -> "Boston Red Sox",
    # "Lo Presti" -> "Gaetano Lo Presti". Not for places ("York" is not "New York").
    tails: dict[str, set[str]] = defaultdict(set)
    for k in df:
        if " " in k and not k.startswith(("=", "@")) and (kind := kind_of(k)) is not EntityKind.PLACE:
            w = k.split()
            for i in range(1, len(w) - (kind is EntityKind.PERSON)):
                tails[" ".join(w[i:])].add(k)
    fixed_names: dict[str, str] = {}  # full key of a curated page's names -> its "@slug" key
    for i, b in enumerate(briefings):
        for a in b.actors:
            k = keys[i][a.slug]
            if k.startswith("@") and a.slug in fixed:
                for form in (a.name, *a.aliases):
                    fk = actor_key(form, a.kind)[0]
                    if " " in fk:
                        fixed_names.setdefault(fk, k)
                        if a.kind is EntityKind.PERSON:
                            surname_of[fk.split()[-1]].add(k)

    def compatible(a: EntityKind, b: EntityKind) -> bool:
        people = EntityKind.PERSON in (a, b)
        return a == b or {a, b} <= {EntityKind.ORGANIZATION, EntityKind.GROUP} or people and EntityKind.GROUP not in (a, b)

    def candidates(key: str) -> set[str]:
        if key.startswith(("=", "@")):
            return set()
        found: set[str] = set()
        kind = kind_of(key)
        if " " not in key and kind is EntityKind.PERSON:
            found |= surname_of.get(key, set()) | first_name_of.get(key, set())
            if key not in surname_of and key.endswith("s"):
                found |= surname_of.get(key[:-1], set())  # "the Clintons", "Obamas"
        elif " " not in key:  # a surname the model took for a place, organisation or group ("Klitschko")
            found |= surname_of.get(key, set())
        found |= {c for c in tails.get(key, ()) if compatible(kind, kind_of(c)) and
                  (kind is EntityKind.PERSON) == (kind_of(c) is EntityKind.PERSON)}
        found |= {c for c in alias_of.get(key, ()) if c in df and compatible(kind, kind_of(c))}
        return {roots.find(c) for c in found} - {roots.find(key)}

    short = {k: c for k in df if (c := candidates(k))}
    root_df: Counter[str] = Counter()
    for k, n in df.items():
        if k not in short:
            root_df[roots.find(k)] += n

    def needs_context(key: str, pool: Sequence[str]) -> bool:
        """A place or organisation name joins a person only where its article supports it ("Washington")."""
        return kind_of(key) is not EntityKind.PERSON and all(kind_of(c) is EntityKind.PERSON for c in pool)

    # Co-occurrence of each candidate entity (only those), for the context of an article.
    wanted = {c for k, found in short.items() if len(found) > 1 or needs_context(k, list(found)) for c in found}
    cooc: dict[str, Counter[str]] = defaultdict(Counter)
    if wanted:
        for own in keys:
            present = {roots.find(k) for k in own.values() if k not in short}
            for c in present & wanted:
                cooc[c].update(present - {c})
    n_briefings = max(len(briefings), 1)

    def idf(root: str) -> float:
        return math.log(1 + n_briefings / max(root_df[root], 1))

    def choose(key: str, present: set[str]) -> tuple[str | None, str, dict[str, float]]:
        ranked = sorted(short[key], key=lambda c: (-root_df[c], c))
        score = dict.fromkeys(ranked, 0.0)
        inside = [c for c in ranked if c in present]
        if len(inside) == 1:
            return inside[0], "article", score
        pool = inside or ranked
        contextual = needs_context(key, pool)
        if len(pool) == 1 and not contextual:
            return pool[0], "only", score
        others = present - set(pool)
        for c in pool:
            score[c] = sum(idf(o) for o in others if cooc[c][o])
        by_score = sorted(pool, key=lambda c: (-score[c], -root_df[c], c))
        best = by_score[0]
        second = score[by_score[1]] if len(pool) > 1 else 0.0
        if score[best] >= CONTEXT_MIN and score[best] >= CONTEXT_MARGIN * second + 1.0:
            return best, "context", score
        if contextual:
            return None, "unsupported", score
        if root_df[pool[0]] >= DOMINANCE * root_df[pool[1]]:
            return pool[0], "dominant", score
        return None, "ambiguous", score

    decisions: list[Decision] = []
    page_key: list[dict[str, str]] = []
    for i, b in enumerate(briefings):
        own = keys[i]
        present = {roots.find(k) for k in own.values() if k not in short}
        chosen_keys: dict[str, str] = {}
        for a in b.actors:
            k = own[a.slug]
            if k not in short:
                chosen_keys[a.slug] = roots.find(k)
                continue
            choice, how, score = choose(k, present)
            chosen_keys[a.slug] = choice if choice is not None else roots.find(k)
            if how in ("context", "dominant", "ambiguous"):
                ranked = sorted(short[k], key=lambda c: (-score[c], -root_df[c], c))
                decisions.append(Decision(a.name, b.slug, choice, how,
                                          tuple((c, root_df[c], round(score[c], 2)) for c in ranked)))
        page_key.append(chosen_keys)

    # --- pages: kind vote, shown name, slug
    root_forms: dict[str, Counter[str]] = defaultdict(Counter)
    root_kinds: dict[str, Counter[EntityKind]] = defaultdict(Counter)
    root_mentions: Counter[str] = Counter()
    for i, b in enumerate(briefings):
        for a in b.actors:
            root = page_key[i][a.slug]
            key = keys[i][a.slug]
            # A short name that joined a full one is what that one is ("Kasich" tagged as a place).
            joined = root != roots.find(key)
            root_kinds[root][kind_of(root) if joined or key in canonical else a.kind] += a.mentions
            root_forms[root][canonical.get(key, a.name)] += a.mentions
            root_mentions[root] += a.mentions
    names: dict[str, str] = {}
    kinds: dict[str, EntityKind] = {}
    slug_of: dict[str, str] = {}
    taken: set[str] = set(fixed)
    for root in sorted(root_forms, key=lambda r: (not r.startswith("@"), -root_mentions[r], r)):
        votes = root_kinds[root]
        kind = max(votes, key=lambda k: (votes[k], -_KIND_ORDER.index(k)))
        name = _shown_name(root_forms[root], kind, canonical.get(root))
        if root.startswith("@"):
            slug = root[1:]
        else:
            base = slugify(name)
            slug, n = base, 2
            while slug in taken:
                slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        slug_of[root] = slug
        names[slug] = name
        kinds[slug] = kind
    pages = [{s: slug_of[r] for s, r in chosen.items()} for chosen in page_key]
    decisions = [Decision(d.name, d.briefing, slug_of[d.chosen] if d.chosen else None, d.how,
                          tuple((slug_of.get(c, c), n, s) for c, n, s in d.candidates)) for d in decisions]
    return Resolution(pages, names, kinds, decisions)


def _shown_name(forms: Counter[str], kind: EntityKind, canonical: str | None) -> str:
    """The most used complete form: a person's needs two words; capitals-only forms lose to written ones."""
    if canonical:
        return canonical
    pool = forms
    if kind is EntityKind.PERSON:
        complete = {f: n for f, n in forms.items() if len(_words(f, True)) > 1}
        pool = Counter(complete) or forms
    plain = {f: n for f, n in pool.items() if not (f.isupper() and len(f.replace(".", "")) > 4)}
    pool = Counter(plain) or pool
    plural = kind is EntityKind.GROUP  # a group is its people: "Muslims", not "Muslim"
    return max(pool, key=lambda f: (plural and f.endswith("s"), pool[f], len(f), f))
