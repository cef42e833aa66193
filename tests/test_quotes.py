"""Quotes and speakers on small articles of our own: one case per pattern news copy uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.build import BuildResult, extract_briefings
from briefgen.config import load_config
from briefgen.model import Briefing
from briefgen.sources import read_paths

pytestmark = pytest.mark.nlp


def brief(
    text: str, nlp_provider, tmp_path: Path, name: str = "story.txt", headline: str = "Headline for the story"
) -> Briefing:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / name
    path.write_text(headline + "\n\n" + text.strip() + "\n", encoding="utf-8")
    config = load_config(root=tmp_path, n_process=1, cache_dir=str(tmp_path / "cache"))
    (briefing,) = extract_briefings(read_paths([path]).articles, config, nlp_provider, BuildResult())
    for q in briefing.quotes:
        assert briefing.article.raw[q.start : q.end] == q.text
    return briefing


def speakers(b: Briefing) -> dict[str, str | None]:
    return {" ".join(q.text.split()[:3]): q.speaker for q in b.quotes}


def test_both_quote_styles_mismatched_marks_and_cues_before_and_after(nlp_provider, tmp_path):
    b = brief(
        """
Mayor Linda Okafor said on Tuesday that the bridge would reopen next month after repairs.

"The engineers have finished their inspection," Okafor told reporters at City Hall.

Fire chief Daniel Brandt said: “Nobody was hurt and the river is open to boats again."
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["The engineers have"] == "Linda Okafor"  # straight marks, cue after, surname -> full name
    assert got["Nobody was hurt"] == "Daniel Brandt"  # curly opener, straight closer, 'X said: “…”'
    assert all(not q.text.startswith(("“", '"')) and not q.text.endswith(("”", '"')) for q in b.quotes)


def test_quote_over_two_sentences_and_interrupted_quote_keep_one_speaker(nlp_provider, tmp_path):
    b = brief(
        """
The harbour master, Ingrid Solberg, closed the port after the storm damaged two cranes.

"We are ready. We have the boats and the crews," said Solberg. "The ferries will sail on Friday."
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["We are ready."] == "Ingrid Solberg"
    assert "We have the boats" in next(q.text for q in b.quotes if q.text.startswith("We are ready"))
    assert got["The ferries will"] == "Ingrid Solberg"  # second half of an interrupted quote


def test_quote_over_paragraphs_and_cueless_continuation(nlp_provider, tmp_path):
    b = brief(
        """
Health minister Paolo Ferri announced new rules for hospitals on Monday.

"Every hospital will publish its waiting times each week, and patients will be able to compare them.

"We will also hire two thousand nurses before the winter," Ferri said.

“This is only the first step. More will follow.”
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["Every hospital will"] == "Paolo Ferri"  # left open, speaker named in the next paragraph
    assert got["We will also"] == "Paolo Ferri"
    assert got["This is only"] == "Paolo Ferri"  # no cue at all: continues the previous speaker


def test_quote_carried_over_a_paragraph_break_is_found(nlp_provider, tmp_path):
    b = brief(
        """
Senator Maria Lopez spoke for an hour at the rally in Phoenix on Saturday night.

“We will build the new hospital in this county. We promised it in

2019 and we will deliver it before the next election,” Lopez said.
""",
        nlp_provider, tmp_path,
    )
    texts = [q.text for q in b.quotes]
    assert any(t.startswith("2019 and we will deliver") for t in texts)
    assert {q.speaker for q in b.quotes} == {"Maria Lopez"}


def test_partial_quote_inside_a_sentence_is_flagged(nlp_provider, tmp_path):
    b = brief(
        """
Opposition leader Tomas Berg said the budget was “a disaster waiting to happen” and promised to vote against it.

“We will not support this budget,” Berg said.
""",
        nlp_provider, tmp_path,
    )
    by_text = {q.text: q for q in b.quotes}
    assert by_text["a disaster waiting to happen"].partial
    assert by_text["a disaster waiting to happen"].speaker == "Tomas Berg"
    assert not by_text["We will not support this budget"].partial


def test_according_to_and_nominal_speakers(nlp_provider, tmp_path):
    b = brief(
        """
The ministry confirmed that the talks in Geneva had ended without an agreement on Thursday.

“There will be another round of talks in March,” according to Helena Marsh, the chief negotiator.

“Nobody expected a deal this week,” a US official said on condition of anonymity.
""",
        nlp_provider, tmp_path,
    )
    by_start = {" ".join(q.text.split()[:3]): q for q in b.quotes}
    assert by_start["There will be"].speaker == "Helena Marsh"
    official = by_start["Nobody expected a"]
    assert official.speaker == "a US official" and official.speaker_slug is None  # kept as written


def test_pronoun_speakers_use_gender_from_honorifics(nlp_provider, tmp_path):
    b = brief(
        """
Mrs. Ana Costa, the head of the port authority, met Mr. Victor Hale, the transport minister, on Friday.

Hale presented the plan for the new terminal to the council.

“The terminal will double our capacity,” she said.

“We will pay for it from the national budget,” he said.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["The terminal will"] == "Ana Costa"
    assert got["We will pay"] == "Victor Hale"


def test_colon_on_the_line_before_a_block_quote(nlp_provider, tmp_path):
    b = brief(
        """
The governor, Rachel Adeyemi, issued a statement late on Sunday. Adeyemi wrote:

“The state will cover the cost of the clean-up for every family affected by the flood.”
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["The state will"] == "Rachel Adeyemi"


def test_possessive_apostrophes_are_never_quotes(nlp_provider, tmp_path):
    b = brief(
        """
The council’s budget and the teachers’ union’s demands were discussed at the mayor’s office on Monday.

Parents’ groups said the schools’ roofs needed repairs before the children’s winter term began.
""",
        nlp_provider, tmp_path,
    )
    assert b.quotes == ()


def test_summary_has_no_quotes_and_context_never_repeats_it(nlp_provider, tmp_path):
    b = brief(
        """
A fire destroyed a warehouse in the port of Rotterdam on Tuesday, forcing the evacuation of nearby homes.

“We got everyone out in time,” fire brigade spokeswoman Marieke van Dijk said.

The warehouse stored timber and paper, and the fire spread to two neighbouring sheds before it was contained.

About 200 residents of the nearby streets spent the night in a sports hall while firefighters fought the blaze.

Smoke from the burning warehouse drifted over Rotterdam, and the city told residents to keep windows closed.

The port has previously suffered several large fires, and relations between the city and the operator have
been tense for years over safety inspections.

Officials said the cause of the fire was being investigated.
""",
        nlp_provider, tmp_path,
    )
    assert len(b.summary) == 3
    assert not any("everyone out" in s for s in b.summary)
    assert b.summary[0].startswith("A fire destroyed a warehouse")
    assert any("previously" in c for c in b.context)
    for c in b.context:
        assert not any(s in c for s in b.summary)


def test_extraction_is_deterministic_on_the_same_text(nlp_provider, tmp_path):
    text = "Premier Jan Smit said: “We will rebuild the dike before the spring tides.”\n"
    first, second = brief(text, nlp_provider, tmp_path / "a"), brief(text, nlp_provider, tmp_path / "b")
    assert (first.summary, first.actors, first.quotes, first.context) == (
        second.summary, second.actors, second.quotes, second.context)


def test_gender_from_first_names_and_the_main_clause_subject(nlp_provider, tmp_path):
    b = brief(
        """
Karen Lindqvist, the county treasurer, presented the budget on Monday. Robert Haines, the council chairman, asked about the deficit.

“We will close the gap by the spring,” she said.

Marek Tullio said the delay helped Peter Vossberg, who had lost the vote when Simon Granger did.

“It was a lucky break for everyone,” he said.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["We will close"] == "Karen Lindqvist"  # 'Karen' is a woman's name; Haines is nearer
    assert got["It was a"] == "Marek Tullio"  # the main clause's subject, not Vossberg or Granger


def test_inverted_attribution_after_the_quote(nlp_provider, tmp_path):
    b = brief(
        """
The committee released its report on Thursday after two years of hearings.

“The report is Exhibit A for every delay we have faced since the first day,” added Okafor.

“I am not going to call it a mistake, so forget about it,” said retired judge Walter Pryce.

“We have had more successful meetings than this one,” county delegate Bill Eastwood, wearing a cowboy hat, said.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["The report is"] == "Okafor"
    assert got["I am not"] == "Walter Pryce"
    assert got["We have had"] == "Bill Eastwood"


def test_a_subject_in_an_earlier_sentence_ends_a_pronoun_chain(nlp_provider, tmp_path):
    b = brief(
        """
“We are not finished with this fight,” Maggie Hassan said on Monday.

This is not the kind of campaign Kelly Ayotte hoped to be running.

“No matter what you are doing, you have to deal with the conditions,” she said.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["No matter what"] == "Kelly Ayotte"


def test_name_before_a_colon_signature_lines_and_phrasal_cues(nlp_provider, tmp_path):
    b = brief(
        """
Jeb Bush and Hillary Clinton both rejected the term on Sunday.

Clinton: "Our goal is not to deter or contain the group, but to defeat it." Bush: "The mission is to destroy the group, not to contain it."

"I will look into releasing the transcripts of the speeches, and I will certainly do it."

- Hillary Clinton.

Jeb Bush accused the governor of wasting money on the new stadium. Bernie Sanders shot back, "The governor called them out, and they must have been crushed by that."
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["Our goal is"] == "Hillary Clinton"
    assert got["The mission is"] == "Jeb Bush"
    assert got["I will look"] == "Hillary Clinton"
    assert got["The governor called"] == "Bernie Sanders"


def test_said_before_the_quote_and_role_nouns_referring_back(nlp_provider, tmp_path):
    b = brief(
        """
During an interview in August, Salma Hayek was asked about discrimination. Hayek confirmed she had been and said, “America has a very severe problem with discrimination that we try to overlook.” The star then recalled an incident at a movie theater.

Senator Tammy Baldwin spoke at a press conference in Madison on Tuesday. The senator reiterated: “I am certain that the plant will stay open for years.”
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["America has a"] == "Salma Hayek"  # 'said, “…”' wins over the next sentence's cue
    assert got["I am certain"] == "Tammy Baldwin"  # 'The senator' refers back to the named senator


def test_a_name_starting_with_a_common_first_name_is_a_person():
    from briefgen.extract.actors import _looks_like_person

    assert _looks_like_person("Carly Fiorina")
    assert not _looks_like_person("Ford Foundation")
    assert not _looks_like_person("Global Times")


def test_a_surname_the_model_takes_for_a_place_is_the_person_named_in_full(nlp_provider, tmp_path):
    # The model tags this 'Kasich' as a place; the article named John Kasich, so 'he' is Kasich, not the
    # other man who was the subject a sentence earlier.
    b = brief(
        """
Ohio Gov. John Kasich and Sen. Marco Rubio campaigned across New Hampshire on Monday, a day before the primary.

Rubio drew the bigger crowd in Manchester, where he spoke for an hour about national security.

Kasich told voters at a town hall in Windham that the state could still surprise everyone. “We have the momentum now,” he said.
""",
        nlp_provider, tmp_path,
    )
    assert "Kasich" in speakers(b)["We have the"]
    assert {a.name: a.kind.value for a in b.actors}["Kasich"] == "person"


def test_a_name_that_speaks_and_is_then_he_is_a_person(nlp_provider, tmp_path):
    # 'Nefzi' is tagged a place, but it says things and 'He said' follows: a man, the imam.
    b = brief(
        """
Leaders of the mosque in Fort Pierce condemned the shooting at a meeting on Monday night, as police guarded the building.

Dennis Gaskin, a neighbour, said he had seen the gunman at prayers a few times.

Nefzi, the imam, said the congregation was horrified. He said the gunman had a psychological problem. “We are in shock,” he said.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["We are in"] == "Nefzi"
    assert {a.name: a.kind.value for a in b.actors}["Nefzi"] == "person"


def test_he_said_after_a_sentence_whose_subject_the_parser_mislabels(nlp_provider, tmp_path):
    # The parser takes 'Obama' in 'And Obama, for all …, seems to agree' for a modifier, not the subject;
    # it still opens the sentence, so the next 'he said' is Obama, not the previous speaker.
    b = brief(
        """
Nearly 200 nations agreed in Paris on Saturday to cut the emissions that warm the planet.

Ted Nordhaus, of the Breakthrough Institute, welcomed the deal but said it would not be enough. “No large economy has yet cut its emissions with renewables,” Nordhaus said.

And Obama, for all the progress he helped wrangle from world leaders, seems to agree. “We don't yet know exactly what's going to work best,” he said.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["No large economy"] == "Ted Nordhaus"
    assert got["We don't yet"] == "Obama"


def test_he_added_is_the_last_man_who_spoke_not_a_caption_in_between(nlp_provider, tmp_path):
    b = brief(
        """
George Zimmerman is selling the gun he used in the 2012 shooting in Sanford, Florida.

“I’m a free American,” Zimmerman said. “I can do what I like with my possessions.”

Sanford police officer Timothy Smith holds up the gun during the 2013 trial.

“The firearm is fully functional and the holster is included,” he added.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["The firearm is"] == "George Zimmerman"


def test_some_and_another_speak_as_written(nlp_provider, tmp_path):
    b = brief(
        """
Thousands of supporters packed the arena in Columbia, South Carolina, on Saturday night as the results came in.

Supporters gave each other high-fives and held signs above their heads as they celebrated. Some chanted “USA! USA!”

Online, the reaction was harsher. Another tweeted, “She thinks she is above the rules and the law.”
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["USA! USA!"] == "Some"
    assert got["She thinks she"] == "Another"


def test_the_subject_of_a_passive_verb_speaks_with_the_verb_joined_to_it(nlp_provider, tmp_path):
    b = brief(
        """
The comedian Sarah Silverman returned to the stage at the convention on Monday night as the crowd began to chant.

Silverman was joined on stage again by Minnesota Sen. Al Franken and joked, “Bernie or Bust people, you’re being ridiculous.”
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["Bernie or Bust"] == "Sarah Silverman"


def test_a_quote_resumed_after_its_cue_is_not_the_next_sentence_s_report(nlp_provider, tmp_path):
    b = brief(
        """
The campaign manager was charged with battery on Tuesday after a reporter said he grabbed her arm at a rally.

"It's a very sad development," Cruz told reporters outside a restaurant in Milwaukee. "This is the consequence of the culture of the campaign." Ohio Gov. John Kasich said he would have fired the manager.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["It's a very"] == "Cruz"
    assert got["This is the"] == "Cruz"


def test_she_said_tells_a_gender_so_a_later_he_is_someone_else(nlp_provider, tmp_path):
    b = brief(
        """
The senator's young supporters included Deja Stewart, a student from Ohio. “Savage,” she said, describing him.

I met with Bernie Sanders in his office two days after his endorsement of the nominee.

“What is absolutely imperative is that we keep the movement alive,” he told me.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["Savage"] == "Deja Stewart"
    assert got["What is absolutely"] == "Bernie Sanders"


def test_he_said_skips_a_name_inside_what_the_same_he_noted(nlp_provider, tmp_path):
    b = brief(
        """
Bill Bruch, a delegate from Washington state, said he had resisted calls from party leaders to declare the delegation's support for Donald Trump.

States are called alphabetically, he noted, so it may be clear whether Trump will be the nominee by the time his state votes.

“If for some reason we can’t get a nominee other than Trump, we might abstain,” he said.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["If for some"] == "Bill Bruch"


def test_the_person_a_who_said_clause_tells_of_is_the_next_she(nlp_provider, tmp_path):
    b = brief(
        """
The State Department said on Friday that it would not release 22 emails from Hillary Clinton's private server.

Clinton's position was supported by Sen. Dianne Feinstein of California, who said none of the emails in question originated with Clinton.

"It has never made sense to me that she can be held responsible for email exchanges that originated with someone else," she said in a statement.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["It has never"] == "Dianne Feinstein"


def test_agreed_before_a_quote_and_remembered_after_one_are_cues(nlp_provider, tmp_path):
    b = brief(
        """
Polls show Donald Trump and Ted Cruz pulling away from the rest of the Republican field in Iowa, said David Redlawsk, a political scientist.

Iowa State University's Dianne Bystrom agreed. "Mainstream Republicans are running out of time to find an alternative to Trump or Cruz."

"An awful lot of analysts said, 'No, don't do this,' and she took it upon herself to prove them wrong," remembered Roy Verley, the company's former spokesman.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["Mainstream Republicans are"] == "Dianne Bystrom"
    assert got["An awful lot"] == "Roy Verley"


def test_a_few_quoted_words_the_writers_sentence_runs_on_from_are_a_fragment(nlp_provider, tmp_path):
    b = brief(
        """
Candidates called for a tougher response after the attacks in Paris that killed 129 people on Friday.

"Boots on the ground" would be appropriate, Republican candidate Ben Carson said after the attacks.

The imam said the community was "frustrated and horrified" by the shooting. He said, "We are a peaceful community and we always will be."
""",
        nlp_provider, tmp_path,
    )
    partial = {" ".join(q.text.split()[:3]): q.partial for q in b.quotes}
    assert partial["Boots on the"] is True
    assert partial["We are a"] is False
