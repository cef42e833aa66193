"""Pronoun speakers where the parse or the gender evidence misleads (issue 14: 'pronoun and continuation rules
use the corpus-level kind and gender evidence'), each as a small article."""

from __future__ import annotations

import pytest

from test_quotes import brief, speakers

pytestmark = pytest.mark.nlp


def test_a_he_she_in_what_someone_reports_does_not_set_their_gender(nlp_provider, tmp_path):
    # 'told the paper that she was a regular' is about the woman named before; 'He said' is the pastor.
    b = brief(
        """
Passengers from three countries were on the flight that vanished over the sea on Thursday.

Marisol Quintero, a member of the congregation in Paris, was travelling to Cairo to visit her daughter, the church posted on Facebook. Dexter Wakefield, a minister with the church in North Carolina, told the local paper that she was a regular at their services. He said her family had asked for privacy. “She is a very kind and generous woman who loved her faith,” he added.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["She is a"] == "Dexter Wakefield"


def test_a_name_inside_a_quote_does_not_vote_for_a_gender(nlp_provider, tmp_path):
    # The 'he' after Harris's quote is not Okonjo's: the Okonjo in the quote is Harris talking about her.
    b = brief(
        """
Senator Okonjo is trailing in the polls ahead of Tuesday's primary in the state.

“The key group is older women,” said Jaime Harris, chair of the state party. “Okonjo has to keep her support. Her rival has to do the ‘two-step’ ” - raising his name recognition and then convincing voters he can deliver.

Speaking at a church in the capital, Okonjo, without naming her rival, accused him of ignoring black voters. “You cannot just show up at election time and say the right things,” she said to loud applause.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["You cannot just"] == "Okonjo"


def test_a_subject_the_parser_lost_to_an_opening_phrase_is_still_the_subject(nlp_provider, tmp_path):
    # 'At an event in St. Clairsville, Ohio, 62-year-old Brenda Johnson also railed …': the parser takes her
    # for part of the place phrase; she, not the man quoted before, is the 'she' who speaks.
    b = brief(
        """
Republicans remain divided over how the party should talk about immigration this year.

One of the authors of the party's 2013 report, Ari Fleischer, said the nomination would test its conclusions. “Certainly the nominee has gone in the opposite direction from what we recommended,” said the former aide.

At a June campaign event in St. Clairsville, Ohio, 62-year-old Brenda Johnson also railed against immigrants, and explained how much it upset her to hear them speak other languages. “They should speak English in public,” she said.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["They should speak"] == "Brenda Johnson"


def test_a_speech_verb_after_a_name_and_a_parenthesis_or_a_participle_phrase(nlp_provider, tmp_path):
    b = brief(
        """
Delegates streamed out of the arena in Cleveland late on Thursday as the balloons came down.

On a morning radio show on Tuesday, while discussing a tweet from the nominee featuring an image of his rival and a pile of money, House Speaker Paul Ryan (R-WI) said “images like that have no place in a presidential campaign.”

“We’ve had more successful conventions than this one,” Texas delegate Bill Eastland, wearing a cowboy hat and “Ted Cruz” campaign pins, said matter-of-factly as confetti fluttered down around him.
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["images like that"] == "Paul Ryan"
    assert got["We’ve had more"] == "Bill Eastland"


def test_a_statement_issued_before_a_comma_and_a_participle_cue_name_the_subject(nlp_provider, tmp_path):
    b = brief(
        """
The band played a benefit concert for the senator in Los Angeles on Friday night.

Band member Flea shared the news on social media last week, writing “Feels great to support someone I believe in. He only accepts small donations from individuals.”

Immediately after the attacks, Governor Ellen Marsh issued a statement, “Last night, our state was attacked by a terrorist. My deepest sympathy goes out to the victims and their families.”
""",
        nlp_provider, tmp_path,
    )
    got = speakers(b)
    assert got["Feels great to"] == "Flea"
    assert got["Last night, our"] == "Ellen Marsh"


def test_a_subject_and_verb_right_after_the_quote_attribute_it_whatever_the_verb(nlp_provider, tmp_path):
    b = brief(
        """
French President François Hollande answered the American candidate's remarks about his country on Tuesday.

Donald Trump claimed last week that France was no longer what it used to be.

“France will always be France,” an angry Hollande retaliated. “It never gives up, because it still bears ideals that are recognized worldwide.”
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["France will always"] == "François Hollande"


def test_a_participle_after_the_quote_does_not_take_it_from_the_verb_before(nlp_provider, tmp_path):
    b = brief(
        """
The Hollywood conservatives' club is dissolving its formal organisation after a decade of meetings.

Boreing said the members will still meet for drinks and speakers, but said, “It’s time we change how we do it,” promising the Friends of Abe will return to its roots.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["It’s time we"] == "Boreing"


def test_a_name_the_model_once_takes_for_a_person_is_the_she_after_it(nlp_provider, tmp_path):
    # The model tags 'Rihanna' a place twice and a person once; the 'she' after her is hers, not the other
    # honoree's, though a name ('Rockstar') sits in the clause describing her.
    b = brief(
        """
Black women of all ages gathered to celebrate the anniversary of the mentoring organization on Friday. They applauded strong messages of empowerment from influential women like Rihanna, Shonda Rhimes and Amandla Stenberg.

Two other standout moments from the evening came from superstars Shonda Rhimes and Rihanna who both shared empowering messages as they accepted awards.

“Change the world and when you’ve done that, change it again,” Rhimes said.

Meanwhile Rihanna, who was honored with the prestigious Rockstar award, spoke about the importance of self-love and self-acceptance. “The minute you learn to love yourself, you would not want to be anyone else,” she said.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["The minute you"] == "Rihanna"


def test_a_speaker_described_by_a_who_clause_is_named_as_written(nlp_provider, tmp_path):
    # The parser hangs 'official' on 'team' and leaves 'said' without a subject.
    b = brief(
        """
The senator from Vermont has met the president twice this year to talk about the campaign.

Although there is no such overlap with Sanders's team, a White House official who spoke anonymously to discuss internal strategy said Wednesday, "Certainly there are discussions between the White House and the Sanders campaign." The aide declined to specify the nature of those discussions.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["Certainly there are"] == "a White House official"


def test_the_owner_of_the_sentence_subject_is_the_she_after_the_comments(nlp_provider, tmp_path):
    # After readers' comments, the writer's sentence is about Palin's posts: her 'she posted', not a commenter's.
    b = brief(
        """
Former Alaska Gov. Sarah Palin sent the terrorist group a message after it ordered the killing of disabled children.

“Note to terrorists: Over my dead body,” Palin posted via Facebook on Monday.

Palin’s post resonated with Facebook viewers.

”Sorry Sarah, you should have said ‘over their dead bodies‘, because I know you can handle a gun very well!!” posted Sharon Powers Geyer.

”Children are gifts from God and are to be protected,” said John Krystek.

Palin’s pugnacious posts about the group include one last week saying the danger it represents had been understated in the debate over Donald Trump’s immigration plan.

“Come together, America, to focus on proactive solutions to protect our children from terrorism,” she posted.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b)["Come together, America,"] in {"Palin", "Sarah Palin"}


def test_any_verb_right_after_a_short_quote_with_a_name_after_it_attributes_it(nlp_provider, tmp_path):
    # 'beamed' is no speech verb, and three words with no cue would be dropped as a scare quote.
    b = brief(
        """
Trump fever took over the convention floor on Thursday night as the nominee accepted the party's nomination.

One thousand supporters snapped his picture in unison, while a delegate in a pink shirt climbed atop her chair for a better view.

“This is fantastic!” beamed Donald Hartley of Madison, Alabama, who snuck onto the floor from the guest seats to be closer to the action.
""",
        nlp_provider, tmp_path,
    )
    assert speakers(b).get("This is fantastic!") == "Donald Hartley"
