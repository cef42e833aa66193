"""Quote patterns of other outlets' copy (issue 14), each as a small article: British and wire quote marks,
short quotes, two speakers in a paragraph, organisations as written, titles that are not quotes."""

from __future__ import annotations

import pytest

from briefgen.extract.quotes import find_quote_spans
from briefgen.sources import derive_title, split_paragraphs
from test_quotes import brief, speakers

pytestmark = pytest.mark.nlp


def quoted(text: str) -> list[str]:
    """The quoted passages the pairing finds (no spaCy)."""
    return [text[s.inner_start : s.inner_end] for s in find_quote_spans(text, split_paragraphs(text))]


def test_british_single_quotes_pair_at_word_boundaries_and_apostrophes_never_do():
    assert quoted("‘We are devastated,’ she said. ‘It’s awful.’") == ["We are devastated", "It’s awful."]
    assert quoted("Fans called them 'straight singles' when they were released.") == ["straight singles"]
    assert quoted("‘We loved the Joneses’ house,’ he said.") == ["We loved the Joneses’ house"]
    # Possessives, contractions and elisions alone are never quotes.
    assert quoted("The Joneses’ house and the players' wives weren't there in the ’90s, rock 'n' roll.") == []
    # Nested: the inner marks belong to the outer quote, whichever style is outside.
    assert quoted("‘He told me “never again”,’ she said.") == ["He told me “never again”"]
    assert quoted("“He told me ‘never again’,” she said.") == ["He told me ‘never again’"]


def test_wire_quote_marks():
    assert quoted("``We will win,'' he said.") == ["We will win"]
    assert quoted("“We will win,'' the coach said.") == ["We will win"]


def test_bbc_style_article_with_single_quotes(nlp_provider, tmp_path):
    b = brief(
        """
The family of a teenager killed in a crash on the A40 near Oxford paid tribute to him on Sunday.

‘We are devastated,’ his mother, Claire Hughes, said. ‘He was the kindest boy and he loved his football.’

Thames Valley Police said the driver of the van had been arrested. 'We are appealing for witnesses,' Sgt Tom Reilly said.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["We are devastated"] == "Claire Hughes"
    assert got["He was the"] == "Claire Hughes"
    assert got["We are appealing"] == "Tom Reilly"


def test_short_quotes_with_a_cue_are_quotes(nlp_provider, tmp_path):
    b = brief(
        """
The mayor, Jo Park, faces the former judge Maria Lopez in Sunday's run-off for the town hall.

Lopez spoke to supporters outside the market on Friday. She said "We will win."

Asked whether he would concede if he lost, Park shook his head. "No comment," he said.

Volunteers in "vote" T-shirts handed out leaflets all afternoon.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["We will win."] == "Maria Lopez"
    assert got["No comment"] == "Jo Park"
    assert "vote" not in got  # a cue-less one-word fragment is not a quote


def test_two_speakers_in_one_paragraph_and_clauses_before_a_colon(nlp_provider, tmp_path):
    b = brief(
        """
The council approved the new tower on the harbour front in a vote on Monday night.

"This is a great day for the city," said the mayor, Jo Park, but a resident, Sam Ortiz, objected: "It will block the light for all of us."

Ortiz was blunt: "We will take this to court."

The developer, Harbour Homes, issued a statement that read: "We are pleased with the decision and will start work in the spring."
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["This is a"] == "Jo Park"
    assert got["It will block"] == "Sam Ortiz"
    assert got["We will take"] == "Sam Ortiz"
    assert got["We are pleased"] == "Harbour Homes"


def test_organisations_and_nominal_speakers_as_written(nlp_provider, tmp_path):
    b = brief(
        """
A man was shot dead outside a bar in Dayton on Saturday night, and a second man was wounded.

"The suspect fled on foot and is still at large," Dayton police said.

Canada's defense department said in a statement: "Two aircraft have been sent to help with the search."

"The United States is a paper tiger," China's mouthpiece Global Times said in an editorial on Sunday.

"We are monitoring the situation closely," a senior official said.
""",
        nlp_provider, tmp_path,
    )
    by_start = {" ".join(q.text.split()[:3]): q for q in b.quotes}
    actors = {a.slug: a for a in b.actors}
    police = by_start["The suspect fled"]
    assert police.speaker == "Dayton police"
    assert actors[police.speaker_slug].kind.value == "organization"  # an organisation, not the city
    assert by_start["Two aircraft have"].speaker == "Canada's defense department"
    assert by_start["The United States"].speaker == "Global Times"
    assert not any("mouthpiece" in a.name for a in b.actors)
    official = by_start["We are monitoring"]
    assert official.speaker == "a senior official" and official.speaker_slug is None


def test_named_speakers_are_always_actors(nlp_provider, tmp_path):
    b = brief(
        """
The school board voted to close two primary schools in the north of the county.

"We were never consulted," Dayton police said, after officers were called to the meeting.

"This is a sad day for the parents," said Okonkwo-Baptiste, who chairs the parents' association.
""",
        nlp_provider, tmp_path,
    )
    slugs = {a.slug for a in b.actors}
    for q in b.quotes:
        if q.speaker and q.speaker[:1].isupper():
            assert q.speaker_slug in slugs, q.speaker


def test_titles_and_labels_in_quote_marks_are_not_quotes(nlp_provider, tmp_path):
    b = brief(
        """
The director's new film “The Long Road Home” opened in cinemas across the country on Friday.

Critics praised the book “A House for Mr Biswas” when it first appeared, and the shop sold out of it.

Customers who press the “Buy Now” button are charged twice, the company said on Tuesday.

The chief executive, Lena Fischer, told NBC’s “Today” that refunds would follow within a week.

“We are fixing the problem as quickly as we can,” the company said in a statement.
""",
        nlp_provider, tmp_path,
    )
    texts = {q.text for q in b.quotes}
    assert "The Long Road Home" not in texts
    assert "A House for Mr Biswas" not in texts
    assert "Buy Now" not in texts
    assert "Today" not in texts  # a show's name, even after 'told'
    assert "We are fixing the problem as quickly as we can" in texts


def test_derived_titles_read_like_headlines():
    long = (
        "Canada said on Friday it was monitoring a potential second incident involving a high-altitude Chinese "
        "surveillance balloon, a day after the United States said a similar balloon had been spotted."
    )
    for paragraph in (
        long,
        "WASHINGTON (Reuters) - The U.S. Senate on Tuesday passed a bill to fund the government through "
        "December. Lawmakers then left for the holiday.",
        "Officials in three provinces said on Monday that they had ordered the evacuation of several villages "
        "along the river after days of rain, and that more could follow.",
    ):
        title = derive_title(paragraph)
        assert 30 <= len(title) <= 90, title
        assert not title.endswith(("…", ",", " the", " of", " a", " and"))
        assert paragraph.replace("WASHINGTON (Reuters) - ", "").startswith(title)
    assert derive_title(long) == "Canada said on Friday it was monitoring a potential second incident"
    assert derive_title("Gen. Pat Ryder said the balloon was over Montana. It moved east.") == (
        "Gen. Pat Ryder said the balloon was over Montana")


def test_summary_never_repeats_the_title(nlp_provider, tmp_path):
    path_text = """
A fire destroyed a warehouse in the port of Rotterdam on Tuesday.

The warehouse stored timber and paper, and the fire spread to two neighbouring sheds before it was contained.

About 200 residents of the nearby streets spent the night in a sports hall while firefighters fought the blaze.

Smoke from the burning warehouse drifted over Rotterdam, and the city told residents to keep windows closed.

Officials said the cause of the fire was being investigated by the police and the port authority.
"""
    b = brief(path_text, nlp_provider, tmp_path, headline="Fire destroys warehouse in the port of Rotterdam")
    assert len(b.summary) == 3
    assert not any(s.startswith("A fire destroyed a warehouse") for s in b.summary)


def test_a_pronoun_speaker_overrides_the_models_kind_for_a_surname(nlp_provider, tmp_path):
    # The model tags 'Ford' as an organisation and 'Hilton' as a place here; only a person can be 'he'/'she'.
    b = brief(
        """
The council met on Monday to discuss the budget for the new library.

Ford told reporters the plan would fail. “We cannot support it,” he said.

Hilton, the council's finance chief, agreed with him. “The numbers do not add up,” she said.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["We cannot support"] == "Ford"
    assert got["The numbers do"] == "Hilton"
    kinds = {a.name: a.kind.value for a in b.actors}
    assert kinds["Ford"] == "person" and kinds["Hilton"] == "person"


def test_a_surname_the_model_tags_inconsistently_stays_the_persons(nlp_provider, tmp_path):
    """A real article (PolNeAR, read in place) where the model tags 'Ramos' as a person, an organisation and
    once as a place: every one is Jorge Ramos, so 'he said' after 'said Ramos' is Ramos too."""
    from conftest import SHARED_DATA

    path = SHARED_DATA / "polnear" / "text" / "breitbart_2016-04-12_mexican-anchor-crosses-swords-wi.txt"
    if not path.exists():
        pytest.skip("PolNeAR not available")
    from briefgen.build import BuildResult, extract_briefings
    from briefgen.config import load_config
    from briefgen.sources import read_paths

    config = load_config(root=tmp_path, n_process=1, cache_dir=str(tmp_path / "cache"))
    (b,) = extract_briefings(read_paths([path]).articles, config, nlp_provider, BuildResult())
    assert [a.name for a in b.actors if "Ramos" in a.name] == ["Jorge Ramos"]
    counterweight = next(q for q in b.quotes if q.text.startswith("A journalist’s place"))
    assert counterweight.speaker_slug == "jorge-ramos"


def test_a_lead_that_mentions_the_past_is_still_the_news(nlp_provider, tmp_path):
    b = brief(
        """
A fire destroyed a timber warehouse in the port of Rotterdam on Tuesday, the worst blaze in the port since 2008, and forced the evacuation of nearby homes.

The warehouse stored timber and paper, and the fire spread to two neighbouring sheds before it was contained.

About 200 residents of the nearby streets spent the night in a sports hall while firefighters fought the blaze.

The port has previously suffered several large fires, and relations between the city and the operator have been tense for years over safety inspections.

Smoke from the burning warehouse drifted over Rotterdam, and the city told residents to keep windows closed.

Officials said the cause of the fire was being investigated by the police and the port authority.
""",
        nlp_provider, tmp_path,
    )
    assert b.summary[0].startswith("A fire destroyed a timber warehouse")  # what, where, when
    assert not any("previously" in s for s in b.summary)  # background stays out of the summary


def test_speakers_announced_before_the_quote_in_a_sentence_or_a_title_line(nlp_provider, tmp_path):
    b = brief(
        """
The state party said on Monday that the caucus results would stand, despite calls for a review from both campaigns.

Sam Lau, the communications director for the state party, said in a statement. “There are no paper ballots to recount.”

Former secretary of state Hillary Rodham Clinton: "We learned that from the State Department and their analysis."

Clinton has since apologized for what happened: "Yes, I should have used two email addresses. It was a mistake."

But Sen. Richard J. Durbin (D-Ill.), noting the size of Sanders's following, said, "Let me tell you, he's got a heck of an email list."

Trump said he would visit the state again. “The voters here are tremendous people,” a supporter shouted.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["There are no"] == "Sam Lau"  # 'X said in a statement.' announces the next sentence's quote
    assert got["We learned that"] == "Hillary Rodham Clinton"  # a title before 'Name:'
    assert got["Yes, I should"] == "Hillary Rodham Clinton"  # the clause before the colon, not 'what happened'
    assert got["Let me tell"] == "Richard J. Durbin"  # 'X, noting …, said, “…”'
    assert got["The voters here"] == "a supporter"  # a sentence that says something of its own announces nothing


def test_a_city_the_model_tags_as_a_person_is_never_he(nlp_provider, tmp_path):
    # The model tags 'Rotterdam' as a person here; every mention says where things happen, so 'he' is the chief.
    article = """
A fire destroyed a timber warehouse in the port of Rotterdam on Tuesday and forced the evacuation of nearby homes.

{chief} Smoke drifted over Rotterdam for hours, and schools in Rotterdam stayed closed.

“We had forty engines here and we still could not save the building,” he said.
"""
    for n, chief in enumerate((
        "The fire chief, Joost Bakker, said the blaze started in a loading bay.",  # the name in apposition
        "Residents praised the fire chief, Joost Bakker, for the rescue.",  # the name as an object
    )):
        b = brief(article.format(chief=chief), nlp_provider, tmp_path / str(n))
        assert speakers(b)["We had forty"] == "Joost Bakker"


def test_a_long_wire_story_keeps_its_lead(nlp_provider, tmp_path):
    """A real wire story of 31 sentences (PolNeAR, read in place): the news is in the lead, while centrality
    alone picks a reaction ('Defense Secretary Ash Carter said …') from the body."""
    from conftest import SHARED_DATA

    path = SHARED_DATA / "polnear" / "text" / "huff-post_2016-06-04_u-s-flexes-muscles-as-asia-worri.txt"
    if not path.exists():
        pytest.skip("PolNeAR not available")
    from briefgen.build import BuildResult, extract_briefings
    from briefgen.config import load_config
    from briefgen.sources import read_paths

    config = load_config(root=tmp_path, n_process=1, cache_dir=str(tmp_path / "cache"))
    (b,) = extract_briefings(read_paths([path]).articles, config, nlp_provider, BuildResult())
    assert b.summary[0].startswith("The United States stepped up pressure on China")


def test_programme_names_and_works_in_apposition_are_not_quotes(nlp_provider, tmp_path):
    b = brief(
        """
The former governor, Ruth Alvarez, said on Sunday that she would not run for the Senate next year.

“I have served my state and it is time for someone new,” Alvarez told "Morning Edition." She said much the same later on ABC’s "This Week."

She described her years in office in her memoir, "Hard Winters," which appeared in March, and in a documentary, "The Long Count."

"The Long Count" follows her last campaign from the primary to election night.
""",
        nlp_provider, tmp_path,
    )
    texts = {q.text for q in b.quotes}
    assert "I have served my state and it is time for someone new" in texts
    for title in ("Morning Edition.", "This Week.", "Hard Winters", "The Long Count"):
        assert title not in texts, title


def test_a_short_quote_that_is_a_whole_paragraph_does_not_continue_the_speaker(nlp_provider, tmp_path):
    b = brief(
        """
The union leader Sarah Mitchell addressed about 2,000 dock workers outside the port gates on Saturday.

"Should we give up now, after everything they have taken from us?" Mitchell asked the crowd.

"Never!"

"Or do we go back to the table on Monday and win this thing together?" she asked.

‘A deal within reach.’

Talks with the port authority resume on Monday morning, both sides said.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["Should we give"] == "Sarah Mitchell"
    assert got["Or do we"] == "Sarah Mitchell"
    assert "Never!" not in got  # the crowd's answer, not hers
    assert "A deal within" not in got  # a heading


def test_a_quote_mark_typed_without_its_space_keeps_its_cue(nlp_provider, tmp_path):
    b = brief(
        """
Health Minister Sanna Lind visited the new children's hospital in Uppsala on Thursday.

Lind said,“This building will serve families from the whole region for fifty years.”

“Every ward has room for parents to stay overnight,”Lind added. “That matters to them.”
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["This building will"] == "Sanna Lind"
    assert got["Every ward has"] == "Sanna Lind"


def test_a_second_speech_verb_the_parser_hangs_on_the_reported_clause_is_the_tellers(nlp_provider, tmp_path):
    b = brief(
        """
The opposition leader, Maria Santos, spoke to cheering supporters outside the party offices on Monday.

Santos said it was too early to claim victory but added, "We expect to win most of the seats."

Mayor Tom Reyes told reporters that the count had been fair, adding, "Nobody has complained to my office."

The governor was asked by the radio host Ann Li, "Will you accept the result if you lose?"
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["We expect to"] == "Maria Santos"
    assert got["Nobody has complained"] == "Tom Reyes"
    assert got["Will you accept"] == "Ann Li"  # the one who asks, not the one asked


def test_a_name_before_a_speech_verb_the_parser_left_without_subject(nlp_provider, tmp_path):
    b = brief(
        """
The governor's campaign answered the minister's remarks on the trade deal on Sunday.

In a statement to the Herald, her chief policy adviser, Mark Ellison, said: "The governor believes that the region is strongest when its ports are open."
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["The governor believes"] == "Mark Ellison"


def test_a_he_after_a_nominal_speaker_is_not_the_document(nlp_provider, tmp_path):
    b = brief(
        """
A tall man with a grey beard, Bob said he arrived at the base as its chief in March 2011.

The book accuses Bob of treating the guards like "shopping mall security." He said that is a "distortion," describing the team as highly skilled. "These men were heroes," he said.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["distortion"] == "Bob"
    assert got["These men were"] == "Bob"


def test_summary_holds_no_statement_quoted_with_two_apostrophes(nlp_provider, tmp_path):
    """New York Times copy quotes with ''…'': not a quote of its own (PolNeAR's gold leaves those out), but
    quoted words, which the summary never holds."""
    b = brief(
        """
The city council voted on Monday to close the old Harbor Street bridge to cars from the first of June.

''This bridge has carried this city for a hundred and twenty years, and it has earned its rest,'' said the council's transport chair, Dana Whitfield, after the vote.

Engineers found cracks in two of the bridge's steel supports during an inspection in the spring.

The bridge will stay open to pedestrians and cyclists while a replacement is designed and built.

Drivers will be sent over the Canal Avenue crossing, which the city expects to add about ten minutes at peak hours.
""",
        nlp_provider, tmp_path, headline="Council closes Harbor Street bridge to cars",
    )
    assert len(b.summary) == 3
    assert not any("''" in s for s in b.summary)


def test_a_quote_after_a_heading_in_capitals_is_whole(nlp_provider, tmp_path):
    """Newsletters run a heading in capitals into its paragraph: the quote after it is a whole statement."""
    b = brief(
        """
Good morning. Here is what you need to know today.

FLOODS CLOSE THE NORTHERN RAIL LINE “Trains between Leeds and Carlisle will not run until at least Friday while engineers check the bridges,” the operator said on Sunday. [Rail News.]
""",
        nlp_provider, tmp_path,
    )
    (quote,) = [q for q in b.quotes if q.text.startswith("Trains between")]
    assert not quote.partial


def test_a_video_or_caption_speaks_for_whoever_released_it(nlp_provider, tmp_path):
    b = brief(
        """
The developer Karl Brandt is selling flats in a tower that has not yet been approved by the city.

To find buyers, Brandt released a promotional video that said, "Every flat will have a view of the river and the old town."

His rival Nina Petrovic posted a photo of the empty site and added a caption that reads, "This is all there is so far."
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["Every flat will"] == "Karl Brandt"
    assert got["This is all"] == "Nina Petrovic"


def test_a_quote_the_writers_sentence_runs_on_past_is_a_fragment(nlp_provider, tmp_path):
    b = brief(
        """
The water company will replace the pipes under the old town, its chief executive, Ines Duarte, said on Monday.

Duarte said “the works will take about a year” because the pipes are older than the streets above them.

She said “We will keep every house supplied during the works.” Residents will get a letter this week.
""",
        nlp_provider, tmp_path,
    )
    by_text = {q.text: q for q in b.quotes}
    assert by_text["the works will take about a year"].partial  # the writer's sentence goes on after it
    assert not by_text["We will keep every house supplied during the works."].partial
    assert by_text["the works will take about a year"].speaker == "Ines Duarte"


def test_a_speech_verb_the_parser_leaves_unattached_takes_its_clauses_subject(nlp_provider, tmp_path):
    b = brief(
        """
The minister faced questions about the flooded tunnel for three hours at the committee hearing on Tuesday.

Helen Carter, exasperated, finally responded: "What difference does it make now who read the report first?"
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["What difference does"] == "Helen Carter"


def test_a_lowercase_quote_carrying_on_the_writers_sentence_is_a_fragment(nlp_provider, tmp_path):
    b = brief(
        """
The port authority will dredge the channel this summer, its director, Tomas Berg, said on Monday.

Berg said that if the work is delayed again, “the larger ships will go to Rotterdam instead.”

He added, “everything depends on the weather in June.”

“The dredgers are booked,” Berg said, “and the crews are ready to start.”
""",
        nlp_provider, tmp_path,
    )
    by_text = {q.text: q for q in b.quotes}
    assert by_text["the larger ships will go to Rotterdam instead."].partial
    assert not by_text["everything depends on the weather in June."].partial  # a speech verb introduces it
    assert not by_text["and the crews are ready to start."].partial  # the quote resumed after its attribution
    assert by_text["and the crews are ready to start."].speaker == "Tomas Berg"


def test_a_quote_resumed_after_a_long_attribution_keeps_its_speaker(nlp_provider, tmp_path):
    b = brief(
        """
The county board voted on Tuesday to close the old hospital on Elm Street by the end of the year.

"The building is older than most of us," said Sen. Ruth Okoye who represents the county and chaired the hospital board for many years. "It cannot be saved, and the money is better spent on the new clinic."

Rep. Dan Whitlock said the vote had been rushed.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["The building is"] == "Ruth Okoye"
    assert got["It cannot be"] == "Ruth Okoye"  # 'Sen.' ends no sentence; the next line's name is not hers


def test_a_cue_on_the_next_line_belongs_to_the_next_paragraph(nlp_provider, tmp_path):
    """Some copy puts each paragraph on one line, with no blank line between."""
    b = brief(
        """
Delegates at the convention in Denver said they welcomed the debate on water rights.
"Farms here have gone dry for three summers," said Adrian Molina, a delegate from Pueblo. "We need the river back."
Martha Quinn, a delegate from Boulder, criticized the state's rules. "Nobody enforces them," she said.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["We need the"] == "Adrian Molina"
    assert got["Nobody enforces them"] == "Martha Quinn"


def test_a_title_between_two_halves_of_a_quote_does_not_break_it(nlp_provider, tmp_path):
    b = brief(
        """
Senator Ellen Marsh said she would publish her medical records before the primary.

"Of course we will release them," Marsh said during an interview on "Meet the Press" Sunday. "I am very healthy and I have nothing to hide." Tom Becker, her rival, said in May that he had released his own.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["I am very"] == "Ellen Marsh"
    assert "Meet the Press" not in got


def test_a_name_after_a_dash_before_the_colon_is_the_source_in_digest_copy(nlp_provider, tmp_path):
    """Polling newsletters quote each source as 'Heading - Name: “…”' or '-More from Name: “…”'."""
    b = brief(
        """
Here is the polling roundup for Tuesday, with the latest numbers from the early states.

Pollsters agree - Carl Weston: “The late deciders broke for the governor, and most polls stopped too early to see it.” [Polling Weekly.]

The tracking polls were right after all -More from Weston: “Our last three days showed the shift clearly, but few outlets reported them.”
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["The late deciders"] == "Carl Weston"
    assert got["Our last three"] == "Carl Weston"


def test_a_quote_signed_by_its_last_line_or_a_line_below_names_the_signer(nlp_provider, tmp_path):
    b = brief(
        """
The central bank raised its main rate again on Thursday, the third rise this year.

"I worry that we may see a second recession before the first one has ended.
Maria Lindqvist, Institute for Economic Policy."

Shops in the capital said sales had already fallen.

"Great speech. He is ready. That's why he should be our next mayor."

-Governor Ana Ruiz, writing after the debate.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["I worry that"] == "Maria Lindqvist"
    assert not any("Institute" in q.text for q in b.quotes)  # the signature is not quoted words
    assert got["Great speech. He"].endswith("Ana Ruiz")  # what follows the comma describes her
