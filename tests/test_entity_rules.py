"""Name rules of entity resolution (session 5), each on a small article of our own."""

from __future__ import annotations

from test_entities import G, L, O, P, actor, briefing, page_of

from briefgen.graph import build_site

# Actors an incident's articles share: the context that says two spellings are one person.
PRISON = [actor("Huntsville Unit", O), actor("Texas Department of Criminal Justice", O), actor("Baytown", L)]
FLOOD = [actor("Millom", L), actor("Cumbria Constabulary", O), actor("Alice McMeekin")]
RIOT = [actor("Exarchia", L), actor("Epaminondas Korkoneas"), actor("Kathimerini", O)]


def extracted(nlp_provider, text: str) -> set[tuple[str, object]]:
    from briefgen.extract.actors import extract_actors

    return {(a.name, a.kind) for a in extract_actors(nlp_provider.get()(text)).actors}


def test_a_name_never_runs_across_a_colon(nlp_provider):
    names = extracted(nlp_provider, "Marco Rubio: Retirement accounts Two years ago, Senator Marco Rubio of Florida "
                                    "proposed that everyone in America ought to be able to invest in index funds.")
    assert {n for n, _ in names if "Rubio" in n} == {"Marco Rubio"}


def test_a_generic_place_word_alone_is_no_place(nlp_provider):
    names = extracted(nlp_provider, "The quake struck the tourist Island of Qeshm on the Persian Gulf.")
    assert ("Persian Gulf", L) in names and not [n for n, _ in names if n == "Island"]


def test_an_award_is_nobodys_name_and_a_role_is_not_part_of_one(nlp_provider):
    names = extracted(nlp_provider, "Tyler Hansbrough, the National Player of the Year, scored 20 points. Coroner Gary "
                                    "Hargrove said the body was found. Trooper William Hakim arrived later.")
    assert {n for n, _ in names} >= {"Tyler Hansbrough", "Gary Hargrove", "William Hakim"}
    assert not [n for n, _ in names if "Player" in n or n.startswith(("Coroner", "Trooper"))]


def test_a_senior_is_the_plain_name_and_a_plain_name_is_a_far_better_known_junior():
    site = build_site([
        briefing("felt1", [actor("W. Mark Felt", mentions=3), actor("Bob Woodward")]),
        briefing("felt2", [actor("W. Mark Felt Sr.", mentions=2, aliases=("W. Mark Felt",)), actor("Mark Felt Jr.")]),
        *(briefing(f"comeaux{i}", [actor("Arcade Joseph Comeaux Jr.", mentions=4), *PRISON]) for i in range(4)),
        briefing("comeaux-plain", [actor("Arcade Joseph Comeaux", mentions=2), actor("Baytown", L)]),
    ])
    assert page_of(site, "felt2", "W. Mark Felt Sr.") == page_of(site, "felt1", "W. Mark Felt")
    assert page_of(site, "felt2", "Mark Felt Jr.") != page_of(site, "felt1", "W. Mark Felt")
    assert page_of(site, "comeaux-plain", "Arcade Joseph Comeaux") == page_of(site, "comeaux0", "Arcade Joseph Comeaux Jr.")


def test_a_plain_name_beside_its_junior_in_one_article_stays_another_person():
    site = build_site([
        *(briefing(f"jr{i}", [actor("Cal Ripken Jr.", mentions=3), actor("Baltimore Orioles", O)]) for i in range(4)),
        briefing("both", [actor("Cal Ripken", mentions=2), actor("Cal Ripken Jr.", mentions=2)]),
    ])
    assert page_of(site, "both", "Cal Ripken") != page_of(site, "both", "Cal Ripken Jr.")


def test_familiar_first_names_and_one_letter_misspellings_join_where_the_articles_share_actors():
    site = build_site([
        briefing("f1", [actor("Kathryn Jenkin", mentions=3), *FLOOD]),
        briefing("f2", [actor("Katie Jenkin", mentions=2), *FLOOD]),
        briefing("f3", [actor("Alexandros Grigoropoulos", mentions=2), *RIOT]),
        briefing("f4", [actor("Alexis Grigoropoulos"), *RIOT]),
        briefing("p1", [actor("Geoffrey Garin", mentions=2), actor("Priorities USA", O), actor("Peter Hart")]),
        briefing("p2", [actor("Geoff Garin"), actor("Priorities USA", O), actor("Peter Hart")]),
        briefing("f5", [actor("Jermayne Timmons", mentions=3), actor("Kathina Thomas"), actor("Albany", L)]),
        briefing("f6", [actor("Jerymayne Timmons"), actor("Kathina Thomas"), actor("Albany", L)]),
        briefing("o1", [actor("Academy of Motion Picture Arts and Sciences", O), actor("Kodak Theatre", L)]),
        briefing("o2", [actor("Academy of Motion Pictures Arts and Sciences", O), actor("Kodak Theatre", L)]),
        # Two men of one surname whose first names begin alike, with an actor in common: two people.
        briefing("g1", [actor("Gary Johnson", mentions=3), actor("Lincoln Initiative", O), actor("Ron Paul")]),
        briefing("g2", [actor("Garrett Johnson"), actor("Lincoln Initiative", O), actor("Ron Paul")]),
        # Sisters-in-law of one surname in one story, and a man and a woman: never one person.
        briefing("t1", [actor("Ivana Trump"), actor("Ivanka Trump"), actor("Mar-a-Lago", L)]),
        briefing("t2", [actor("Michael Jenkin"), actor("Michelle Jenkin"), *FLOOD]),
    ])
    assert page_of(site, "f2", "Katie Jenkin") == page_of(site, "f1", "Kathryn Jenkin")
    assert page_of(site, "f4", "Alexis Grigoropoulos") == page_of(site, "f3", "Alexandros Grigoropoulos")
    assert page_of(site, "f6", "Jerymayne Timmons") == page_of(site, "f5", "Jermayne Timmons")
    assert page_of(site, "p2", "Geoff Garin") == page_of(site, "p1", "Geoffrey Garin")
    assert page_of(site, "o1", "Academy of Motion Picture Arts and Sciences") == \
        page_of(site, "o2", "Academy of Motion Pictures Arts and Sciences")
    assert page_of(site, "t1", "Ivana Trump") != page_of(site, "t1", "Ivanka Trump")
    assert page_of(site, "g1", "Gary Johnson") != page_of(site, "g2", "Garrett Johnson")
    assert page_of(site, "t2", "Michael Jenkin") != page_of(site, "t2", "Michelle Jenkin")


def test_a_name_written_without_its_generic_last_word_is_that_name():
    site = build_site([
        briefing("s1", [actor("Mediterranean Sea", L, 2), actor("Lampedusa", L)]),
        briefing("s2", [actor("Mediterranean", L, 3), actor("Libya", L)]),
        briefing("p1", [actor("Staunton Police Department", O, 2)]),
        briefing("p2", [actor("Staunton Police", O)]),
        briefing("g1", [actor("Black", G, 2)]),
        briefing("g2", [actor("Black Sea", L)]),  # not a group of people
    ])
    assert page_of(site, "s1", "Mediterranean Sea") == page_of(site, "s2", "Mediterranean")
    assert page_of(site, "p1", "Staunton Police Department") == page_of(site, "p2", "Staunton Police")
    assert page_of(site, "g1", "Black") != page_of(site, "g2", "Black Sea")


def test_a_first_name_or_full_name_taken_for_a_place_is_the_person():
    site = build_site([
        briefing("k1", [actor("Kathina Thomas", mentions=3), actor("Brooklyn", L)],
                 text="Kathina Thomas, 11, was hit by a stray bullet. Kathina was on her stoop."),
        briefing("k2", [actor("Kathina", L, 2)], text="Kathina Thomas died. Kathina was 11."),
        briefing("k3", [actor("Kathina", L, 2)], text="A girl called Kathina was hurt."),
        *(briefing(f"m{i}", [actor("Maurice Cheeks", mentions=3), actor("Philadelphia 76ers", O)]) for i in range(2)),
        briefing("mo", [actor("Mo Cheeks", L, 2), actor("Allen Iverson")]),
        # A place written far more than the one person of that first name stays the place.
        *(briefing(f"v{i}", [actor("Virginia", L, 2)], text="Virginia votes.") for i in range(8)),
        briefing("foxx", [actor("Virginia Foxx", mentions=2), actor("Virginia", L)], text="Virginia Foxx spoke in Virginia."),
    ])
    assert page_of(site, "k2", "Kathina") == page_of(site, "k1", "Kathina Thomas")
    assert page_of(site, "k3", "Kathina") != page_of(site, "k1", "Kathina Thomas")  # nothing there names her
    assert page_of(site, "mo", "Mo Cheeks") == page_of(site, "m0", "Maurice Cheeks")
    assert site.entities[page_of(site, "mo", "Mo Cheeks")].kind is P
    assert page_of(site, "foxx", "Virginia") != page_of(site, "foxx", "Virginia Foxx")


def test_a_group_is_never_the_first_name_of_a_headlines_person():
    site = build_site([
        *(briefing(f"jeb{i}", [actor("Jeb Bush", mentions=3), actor("Iowa", L)]) for i in range(3)),
        briefing("voters", [actor("Floridians", G, 2), actor("Floridians Jeb Bush")],
                 text="Floridians Jeb Bush And Marco Rubio Clash\n\nFloridians vote in March."),
        briefing("bush", [actor("Bush", P, 2), actor("Iowa", L)], text="Bush spoke in Iowa."),
    ])
    assert page_of(site, "voters", "Floridians") != page_of(site, "jeb0", "Jeb Bush")
    assert page_of(site, "bush", "Bush") == page_of(site, "jeb0", "Jeb Bush")


def test_a_person_tagged_stem_of_a_facility_is_the_facility_only_where_its_article_names_it():
    rehab = [actor("Lindsay Lohan", mentions=3), actor("Newport Beach", L)]
    site = build_site([
        briefing("r1", [actor("Morningside Recovery", O, 2), *rehab], text="Lohan entered Morningside Recovery."),
        briefing("r2", [actor("Morningside", P, 2), *rehab],
                 text="Lohan left Morningside Recovery in Newport Beach. Morningside declined to comment."),
        briefing("r3", [actor("Morningside", P)], text="Morningside said nothing."),
        *(briefing(f"b{i}", [actor("Betty Ford Center", O, 2), *rehab], text="She went to the Betty Ford Center.")
          for i in range(5)),
        briefing("b-short", [actor("Betty Ford", P), *rehab], text="Lohan checked into the Betty Ford Center. "
                 "Betty Ford staff said she was well."),
        briefing("first-lady", [actor("Betty Ford", P, 3), actor("Gerald Ford")], text="Betty Ford, the first lady."),
    ])
    center = page_of(site, "r1", "Morningside Recovery")
    assert page_of(site, "r2", "Morningside") == center and site.entities[center].name == "Morningside Recovery"
    assert page_of(site, "r3", "Morningside") != center
    assert page_of(site, "b-short", "Betty Ford") == page_of(site, "b0", "Betty Ford Center")
    assert page_of(site, "first-lady", "Betty Ford") != page_of(site, "b0", "Betty Ford Center")


def test_a_famous_persons_name_stays_the_person_beside_a_facility_named_after_them():
    site = build_site([
        *(briefing(f"hc{i}", [actor("Hillary Clinton", mentions=3), actor("Iowa", L)]) for i in range(3)),
        briefing("library", [actor("Clinton", P, 3), actor("Clinton Center", O, 2)],
                 text="The candidate spoke at the Clinton Center. Clinton said she was proud of it."),
        *(briefing(f"ali{i}", [actor("Muhammad Ali", mentions=3), actor("Louisville", L)]) for i in range(2)),
        briefing("funeral", [actor("Muhammad Ali", mentions=4), actor("Muhammad Ali Center", O)],
                 text="Mourners gathered at the Muhammad Ali Center, where Muhammad Ali had planned his funeral."),
    ])
    assert page_of(site, "funeral", "Muhammad Ali") == page_of(site, "ali0", "Muhammad Ali") != \
        page_of(site, "funeral", "Muhammad Ali Center")
    assert page_of(site, "library", "Clinton") != page_of(site, "library", "Clinton Center")  # a surname


def test_an_untagged_plural_name_after_the_is_a_team(nlp_provider):
    names = extracted(nlp_provider, "Indianapolis lost a 10-point halftime lead at Kansas City. The Chiefs were stuffed "
                                    "on fourth down. Later the Tar Heels beat the Purple Aces at home.")
    assert {("Chiefs", O), ("Tar Heels", O), ("Purple Aces", O)} <= names
    # A plural the article also writes in lower case is a common noun in a title, not a name.
    names = extracted(nlp_provider, "He spoke about the Founding Fathers and what the founding fathers wanted. "
                                    "She joined the Allies. The allies won.")
    assert not [n for n, _ in names if "Fathers" in n or "Allies" in n]


def test_a_teams_city_is_the_team_only_in_an_article_that_names_the_team():
    site = build_site([
        *(briefing(f"colts{i}", [actor("Indianapolis Colts", O, 2), actor("Peyton Manning")]) for i in range(2)),
        briefing("game", [actor("Colts", O, 3), actor("Indianapolis", L, 2), actor("Kansas City", L)],
                 text="Indianapolis beat Kansas City. The Colts lead the division."),
        briefing("city", [actor("Indianapolis", L, 2), actor("Mike Pence")], text="Pence spoke in Indianapolis."),
        # A newspaper named after its city is not a team: New York stays New York beside the Times.
        *(briefing(f"nyt{i}", [actor("New York Times", O), actor("Times", O, 2)]) for i in range(2)),
        briefing("paper", [actor("New York", L, 2), actor("New York Times", O)], text="New York Times, New York."),
        # Nor is an event or a market named after a state: "Caucus" is no plural, "Markets" never a team alone.
        briefing("iowa", [actor("Iowa", L, 2), actor("Iowa Caucus", O), actor("Iowa Electronic Markets", O),
                          actor("Caucus", O)], text="The Iowa Caucus and the Iowa Electronic Markets, in Iowa."),
    ])
    team = page_of(site, "colts0", "Indianapolis Colts")
    assert page_of(site, "game", "Colts") == team and page_of(site, "game", "Indianapolis") == team
    assert page_of(site, "city", "Indianapolis") != team
    assert site.entities[team].name == "Indianapolis Colts"  # the city's name does not name the team's page
    assert page_of(site, "paper", "New York") != page_of(site, "paper", "New York Times")
    assert page_of(site, "iowa", "Iowa") not in {page_of(site, "iowa", "Iowa Caucus"),
                                                 page_of(site, "iowa", "Iowa Electronic Markets")}


def test_an_organisation_is_not_the_first_name_of_a_longer_name_taken_for_a_person(nlp_provider):
    from spacy.tokens import Doc, Span

    from briefgen.extract.actors import extract_actors

    nlp = nlp_provider.get()
    # The model's labels as a news article gets them: the company's security unit taken for a person.
    unit = nlp("Microsoft Trustworthy Computing warned users.")
    unit.ents = [Span(unit, 0, 3, "PERSON")]
    company = nlp("Microsoft released a patch on Tuesday. Microsoft said the flaw was serious.")
    company.ents = [Span(company, 0, 1, "ORG"), Span(company, 8, 9, "ORG")]
    actors = {a.name: a for a in extract_actors(Doc.from_docs([unit, company])).actors}
    assert "Microsoft" in actors and actors["Microsoft"].kind is O


def test_a_citys_name_and_a_teams_plural_is_the_team_whatever_the_model_said():
    # The model takes "Jacksonville Jaguars" for the city in most articles; the team's name alone is a person's.
    site = build_site([
        *(briefing(f"game{i}", [actor("Indianapolis Colts", O), actor("Jacksonville Jaguars", L, mentions=4),
                                actor("Peyton Manning")]) for i in range(3)),
        *(briefing(f"recap{i}", [actor("Jaguars", P), actor("Peyton Manning")]) for i in range(3)),
        briefing("trip", [actor("Jacksonville", L), actor("Florida", L)]),
    ])
    team = page_of(site, "game0", "Jacksonville Jaguars")
    assert site.entities[team].kind is O
    assert page_of(site, "recap0", "Jaguars") == team
    assert page_of(site, "trip", "Jacksonville") != team and site.entities[page_of(site, "trip", "Jacksonville")].kind is L


def test_a_shouted_common_word_is_no_name_but_a_capitalised_acronym_is(nlp_provider):
    names = extracted(nlp_provider, "A MAN was last night being quizzed by police over the double murder of his mother. "
                                    "The man, 19, was arrested at home. The WHO said the city was safe.")
    assert not [n for n, _ in names if n.lower() == "man"]
    assert ("WHO", O) in names


def test_capitalised_words_the_model_left_after_a_name_are_the_rest_of_it(nlp_provider):
    names = extracted(nlp_provider, "Gary Ross is in talks to direct the sequel, The Hollywood Reporter and Variety said. "
                                    "Obama picked Regina Benjamin to serve as the next U.S. Surgeon General, officials said. "
                                    "FBI Director James Comey declined to comment.")
    assert ("Hollywood Reporter", O) in names and ("Hollywood", L) not in names
    assert ("U.S. Surgeon General", O) in names
    assert not [n for n, _ in names if n.startswith("FBI ")]  # a role before a person's name is not the FBI's


def test_an_opening_sentence_on_the_first_line_is_the_lead_not_a_headline(tmp_path):
    from briefgen.sources import read_paths

    lead = ("A church was devastated by fire on Friday night in Wasilla, the hometown of Alaska Governor Sarah Palin, "
            "the church's minister said.")
    (tmp_path / "church.txt").write_text(f"{lead}\n\nInvestigators were looking at arson.\n", encoding="utf-8")
    (tmp_path / "heist.txt").write_text("Paris Store Hit by Jewelry Heist\n\nFour men rammed their car into a store.\n",
                                        encoding="utf-8")
    # A long headline in headline case that ends with a full stop (as a corpus's export may write it) stays one.
    poll = "Poll: Donald Trump Ties Hillary Clinton With Michael Bloomberg in a Three-Way Contest for the White House."
    (tmp_path / "poll.txt").write_text(f"{poll}\n\nThe survey was taken last week.\n", encoding="utf-8")
    church, heist, polled = sorted(read_paths(sorted(tmp_path.glob("*.txt"))).articles, key=lambda a: a.source)
    assert "Sarah Palin" in church.nlp_text  # its names are read
    assert "Paris Store" not in heist.nlp_text and heist.title == "Paris Store Hit by Jewelry Heist"
    assert polled.title == poll.rstrip(".") or polled.title == poll
    assert "Bloomberg" not in polled.nlp_text


# ---- session 7: short names read in the pages other short names went to, blends, nicknames, landforms


def parsed_actors(nlp_provider, text: str) -> dict[str, object]:
    from briefgen.extract.actors import extract_actors

    return {a.name: a for a in extract_actors(nlp_provider.get()(text)).actors}


# Articles of other stories: they make the rehab story's actors rare in the corpus, as they are in a real one.
OTHER_NEWS = [briefing(f"other{i}", [actor(f"Mayor Number{i}"), actor("Springfield", L)]) for i in range(12)]


def test_a_short_name_left_open_reads_the_pages_other_short_names_went_to():
    # "White" could be Terry White or Tony White. Its article names Lindsay Lohan in full; Terry White's only
    # article names her by her surname, which goes to her page: the two articles share her.
    site = build_site([
        briefing("lohan", [actor("Lindsay Lohan", mentions=3), actor("Betty Ford Center", O)]),
        briefing("terry", [actor("Lohan", mentions=2), actor("Terry White")]),
        briefing("tony", [actor("Tony White"), actor("Millom", L)]),
        briefing("white", [actor("Lindsay Lohan", mentions=2), actor("White")]),
        *OTHER_NEWS,
    ])
    assert page_of(site, "terry", "Lohan") == page_of(site, "lohan", "Lindsay Lohan")
    assert page_of(site, "white", "White") == page_of(site, "terry", "Terry White")


def test_a_name_written_as_one_word_or_two_is_one_name():
    site = build_site([
        briefing("t1", [actor("Portland Trailblazers", O), actor("Philadelphia 76ers", O)]),
        briefing("t2", [actor("Trail Blazers", O, mentions=3), actor("Lamarcus Aldridge")]),
        briefing("p1", [actor("LaToya Jackson", mentions=2), actor("Jackson Family", O)]),
        briefing("p2", [actor("La Toya Jackson")]),
    ])
    assert page_of(site, "t2", "Trail Blazers") == page_of(site, "t1", "Portland Trailblazers")
    assert page_of(site, "p2", "La Toya Jackson") == page_of(site, "p1", "LaToya Jackson")


def test_a_blend_of_first_name_and_surname_is_the_person_where_the_article_supports_it():
    site = build_site([
        briefing("full1", [actor("Lindsay Lohan", mentions=3), actor("Betty Ford Center", O)]),
        briefing("full2", [actor("Lindsay Lohan", mentions=2), actor("Shawn Holley")]),
        # The headline, which the extractor does not read for actors, names her; the body says "LiLo".
        briefing("blend", [actor("LiLo", mentions=2), actor("Morningside Recovery", O)],
                 text="Lindsay Lohan checks into rehab\n\nLiLo arrived at Morningside Recovery on Thursday."),
        # Nothing in this one says which Li... Lo... it is: it stays its own page.
        briefing("alone", [actor("LiLo"), actor("Linda Lowe")], text="LiLo and Linda Lowe opened a bakery."),
        *OTHER_NEWS,
    ])
    assert page_of(site, "blend", "LiLo") == page_of(site, "full1", "Lindsay Lohan")
    assert page_of(site, "alone", "LiLo") != page_of(site, "full1", "Lindsay Lohan")


def test_an_acronym_may_keep_the_the_of_a_name_where_the_article_supports_it():
    site = build_site([
        briefing("hr1", [actor("Hollywood Reporter", O), actor("Gary Ross"), actor("Lionsgate", O)]),
        briefing("hr2", [actor("Hollywood Reporter", O), actor("Jennifer Lawrence")]),
        briefing("thr", [actor("THR", O, mentions=2), actor("Gary Ross"), actor("Lionsgate", O)]),
        briefing("tsa", [actor("TSA", O), actor("Hartsfield Airport", L)]),
        briefing("sa", [actor("Salvation Army", O), actor("Bronx", L)]),
        *OTHER_NEWS,
    ])
    assert page_of(site, "thr", "THR") == page_of(site, "hr1", "Hollywood Reporter")
    assert page_of(site, "tsa", "TSA") != page_of(site, "sa", "Salvation Army")


def test_a_place_named_before_a_landforms_name_is_that_landform():
    site = build_site([
        briefing("c1", [actor("Aoraki Mount Cook", L), actor("Christchurch", L)]),
        briefing("c2", [actor("Mt Cook", L, mentions=2), actor("New Zealand", L)]),
        briefing("w1", [actor("New South Wales", L), actor("Sydney", L)]),
        briefing("w2", [actor("South Wales", L), actor("Cardiff", L)]),
    ])
    assert page_of(site, "c1", "Aoraki Mount Cook") == page_of(site, "c2", "Mt Cook")
    assert page_of(site, "w1", "New South Wales") != page_of(site, "w2", "South Wales")


def test_a_nationality_noun_for_one_person_is_no_mention_of_the_country(nlp_provider):
    actors = parsed_actors(nlp_provider, "Wladimir Klitschko stopped the 40-year-old American in the sixth round of "
                                         "the fight in Mannheim. American boxing fans booed the result.")
    assert len(actors["American"].mentions) == 1  # "American boxing fans" still counts for the country


def test_a_nickname_inside_a_name_is_one_person_also_named_by_it(nlp_provider):
    ortiz = parsed_actors(nlp_provider, "Prosecutors filed murder charges against a gang member accused of killing "
                                        "Deputy Luis Gerardo (Jerry) Ortiz last month. Ortiz, 35, was shot in the "
                                        "head in Hawaiian Gardens.")
    assert ortiz["Luis Gerardo Ortiz"].nicknamed == {"Jerry", "Jerry Ortiz"}
    assert len(ortiz["Luis Gerardo Ortiz"].mentions) == 2 and "Luis Gerardo" not in ortiz
    # Two brothers named in full: the surname alone is either, so it is not the first one named.
    gigante = parsed_actors(nlp_provider, "Vincent \u201cThe Chin\u201d Gigante died on Monday in federal prison. His "
                                          "brother, the Rev. Louis Gigante, said Gigante had been frail for months.")
    assert {"Vincent Gigante", "Louis Gigante", "Gigante"} <= set(gigante)
    site = build_site([
        briefing("o1", [actor("Luis Gerardo Ortiz", mentions=2, aliases=("Jerry", "Jerry Ortiz", "Ortiz"))]),
        briefing("o2", [actor("Jerry Ortiz", mentions=3), actor("Hawaiian Gardens", L)]),
    ])
    assert page_of(site, "o1", "Luis Gerardo Ortiz") == page_of(site, "o2", "Jerry Ortiz")


def test_a_full_name_taken_for_an_organisation_is_the_person_its_article_writes_alone(nlp_provider):
    actors = parsed_actors(nlp_provider, "Bettie Page, the pin-up queen of the 1950s, has died in Los Angeles. Page "
                                         "was 85. Her agent Mark Roesler said Page had suffered a heart attack. Hugh "
                                         "Hefner said Page was a remarkable woman.")
    assert actors["Bettie Page"].kind is P and "Page" in actors["Bettie Page"].forms and "Page" not in actors


def test_an_office_named_with_its_nominee_is_the_office(nlp_provider):
    actors = parsed_actors(nlp_provider, "The White House released the list on Monday. Regina M. Benjamin, Nominee for "
                                         "Surgeon General, Department of Health and Human Services.")
    assert "Surgeon General" in actors and not [n for n in actors if n.startswith("Nominee")]


def test_a_numbered_teams_name_is_the_team_and_its_spoken_short_form(nlp_provider):
    actors = parsed_actors(nlp_provider, "The Philadelphia 76ers fired coach Maurice Cheeks on Saturday after a 9-14 "
                                         "start.")
    assert "Philadelphia 76ers" in actors and "Philadelphia" not in actors
    shouted = parsed_actors(nlp_provider, "PHILADELPHIA 76ERS Fired Jim O'Brien, coach. Named Maurice Cheeks coach.")
    assert "PHILADELPHIA 76ERS" in shouted
    site = build_site([
        briefing("n1", [actor("Philadelphia 76ers", O), actor("Maurice Cheeks")]),
        briefing("n2", [actor("Sixers", O, mentions=3), actor("Allen Iverson")]),
        briefing("n3", [actor("San Francisco 49ers", O), actor("Colin Kaepernick")]),
        briefing("n4", [actor("Niners", O, mentions=2), actor("Jim Harbaugh")]),
    ])
    assert page_of(site, "n2", "Sixers") == page_of(site, "n1", "Philadelphia 76ers")
    assert page_of(site, "n4", "Niners") == page_of(site, "n3", "San Francisco 49ers")


def test_a_word_shouted_after_an_opening_a_is_no_name(nlp_provider):
    actors = parsed_actors(nlp_provider, "A MAN was last night being quizzed by cops over the double murders of his "
                                         "mum and sister in Millom.")
    assert "MAN" not in actors and "Millom" in actors


def test_a_short_name_usually_given_to_one_page_goes_there_on_its_articles_context():
    # "Morningside" is the rehab centre in most of its articles, which name the centre; one more names only the word,
    # around the same people: the centre. One about another Morningside, around other actors, stays apart.
    rehab = [actor("Lindsay Lohan", mentions=2), actor("Mark Heller")]
    site = build_site([
        *(briefing(f"named{i}", [actor("Morningside", mentions=2), actor("Morningside Recovery", O), *rehab])
          for i in range(3)),
        briefing("word", [actor("Morningside"), *rehab]),
        briefing("elsewhere", [actor("Morningside"), actor("Harlem", L)]),
        *OTHER_NEWS,
    ])
    centre = page_of(site, "named0", "Morningside Recovery")
    assert page_of(site, "named1", "Morningside") == centre and page_of(site, "word", "Morningside") == centre
    assert page_of(site, "elsewhere", "Morningside") != centre


def test_a_long_name_with_two_letters_swapped_is_the_name_it_misspells():
    site = build_site([
        *(briefing(f"t{i}", [actor("Turkmenistan", L), actor("Ashgabat", L)]) for i in range(3)),
        briefing("typo", [actor("Turkeminstan", L), actor("Ashgabat", L)]),
        briefing("p1", [actor("Ellen Johnson"), actor("Johnstone", L)]),
    ])
    assert page_of(site, "typo", "Turkeminstan") == page_of(site, "t0", "Turkmenistan")


def test_an_organisation_with_words_left_out_is_one_where_their_articles_share_actors():
    vote = [actor("Kurbanguly Berdymukhamedov"), actor("Ashgabat", L), actor("Mejlis", O)]
    site = build_site([
        briefing("c1", [actor("Central Election Commission", O), *vote]),
        briefing("c2", [actor("Central Election and Referendum Commission", O), *vote]),
        briefing("u1", [actor("University of Alabama", O), actor("Regina Benjamin"), actor("Mobile", L),
                        actor("Bayou La Batre", L)]),
        briefing("u2", [actor("University of South Alabama", O), actor("Regina Benjamin"), actor("Mobile", L),
                        actor("Bayou La Batre", L)]),
        *OTHER_NEWS,
    ])
    assert page_of(site, "c2", "Central Election and Referendum Commission") == \
        page_of(site, "c1", "Central Election Commission")
    assert page_of(site, "u2", "University of South Alabama") != page_of(site, "u1", "University of Alabama")


def test_a_teams_name_with_its_citys_familiar_form_is_the_team():
    team = [actor("Maurice Cheeks"), actor("Andre Iguodala"), actor("Samuel Dalembert"), actor("Wachovia Center", L)]
    site = build_site([
        briefing("s1", [actor("Philadelphia 76ers", O), *team]),
        briefing("s2", [actor("Philly Sixers", O), *team]),
        *OTHER_NEWS,
    ])
    assert page_of(site, "s2", "Philly Sixers") == page_of(site, "s1", "Philadelphia 76ers")


def test_a_citys_name_and_a_plural_the_model_took_for_a_person_is_a_team(nlp_provider):
    names = extracted(nlp_provider, "Peyton Manning led the Indianapolis Colts to a 31-24 win over the Jacksonville "
                                    "Jaguars in Jacksonville, Fla. The Jaguars led for three quarters.")
    assert ("Jaguars", O) in names and ("Jacksonville Jaguars", O) in names and ("Jacksonville", L) in names
    # A person whose first name is a place's, and the family's name before a noun, stays a person.
    names = extracted(nlp_provider, "Georgia Williams, a nurse from Georgia, said the Williams family moved.")
    assert ("Georgia Williams", P) in names


def test_something_at_a_named_place_is_that_place(nlp_provider):
    names = extracted(nlp_provider, "Manning completed 29 of 34 passes in the Colts' victory over the Jaguars at "
                                    "Jacksonville Municipal Stadium on Thursday.")
    assert "Jacksonville Municipal Stadium" in {n for n, _ in names}
    assert not [n for n, _ in names if n.startswith("Jaguars at")]


TEAM_GAMES = [briefing(f"game{i}", [actor("Jacksonville Jaguars", O), actor("Jaguars", O, 2), actor("Colts", O, 2),
                                    actor("Indianapolis Colts", O),
                                    actor("David Garrard"), actor("Peyton Manning"), actor("Jacksonville", L)],
                       text="The Colts beat the Jacksonville Jaguars. Garrard gave Jacksonville the lead. The Jaguars "
                            "lost.")
              for i in range(3)]


def test_a_teams_city_in_an_article_naming_no_team_is_the_team_its_actors_point_to():
    site = build_site([
        *TEAM_GAMES,
        briefing("recap", [actor("Peyton Manning"), actor("Colts", O), actor("Jacksonville", L, 2)],
                 text="Peyton Manning helped the Colts overcome Jacksonville 31-24. Jacksonville is tough at home."),
        # Beside the same actors, a city written as a place is the city...
        briefing("travel", [actor("Peyton Manning"), actor("Colts", O), actor("Jacksonville", L)],
                 text="Peyton Manning and the Colts flew in Jacksonville on Wednesday."),
        # ...and so is one in an article sharing one actor with the team's, or naming no other team.
        briefing("court", [actor("Colts", O), actor("Jacksonville", L)],
                 text="The owner of the Colts spoke as Jacksonville voted on a new tax."),
        briefing("rally", [actor("Peyton Manning"), actor("David Garrard"), actor("Jacksonville", L)],
                 text="Peyton Manning and David Garrard cheered as Jacksonville voted on a new tax."),
    ])
    team = page_of(site, "game0", "Jacksonville Jaguars")
    assert page_of(site, "recap", "Jacksonville") == team
    assert team not in {page_of(site, "travel", "Jacksonville"), page_of(site, "court", "Jacksonville"),
                        page_of(site, "rally", "Jacksonville")}


def test_a_teams_city_written_as_a_place_beside_its_team_is_the_city():
    site = build_site([
        *TEAM_GAMES,
        briefing("datelined", [actor("Jacksonville Jaguars", O), actor("Colts", O), actor("Jacksonville", L, 2)],
                 text="The Colts beat the Jacksonville Jaguars in Jacksonville, Fla. Garrard drove Jacksonville to "
                      "a score."),
        briefing("venue", [actor("Jacksonville Jaguars", O), actor("Colts", O), actor("Jacksonville", L)],
                 text="The Colts beat the Jacksonville Jaguars last night in Jacksonville."),
        # Sports pages write "in Philadelphia" for the team too: a place now and then among team uses is the team.
        briefing("mostly", [actor("Jacksonville Jaguars", O), actor("Colts", O), actor("Jacksonville", L, 4)],
                 text="The Jacksonville Jaguars hosted the Colts in Jacksonville. Jacksonville led early. The Colts "
                      "caught Jacksonville late. Jacksonville lost."),
    ])
    team = page_of(site, "game0", "Jacksonville Jaguars")
    assert page_of(site, "datelined", "Jacksonville") != team and page_of(site, "venue", "Jacksonville") != team
    assert page_of(site, "mostly", "Jacksonville") == team
