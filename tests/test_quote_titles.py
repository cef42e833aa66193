"""Names of works in quote marks are not quotes (issue 14: 'a book or film title … is not a quote')."""

from __future__ import annotations

import pytest

from test_quotes import brief

pytestmark = pytest.mark.nlp


def test_titles_with_small_words_and_titles_before_a_credit_are_not_quotes(nlp_provider, tmp_path):
    b = brief(
        """
The actress spoke at the festival in Austin on Saturday about her years on television.

“Orange is the New Black” star Selena Ruiz said she was often described as a “real woman” by casting agents. “It took me years to stop hearing that as an insult,” Ruiz said.

“All that Glitters is Not Gold” was to be a cautionary tale, said Susan Crane, then her literary agent.
""",
        nlp_provider, tmp_path,
    )
    texts = [q.text for q in b.quotes]
    assert "Orange is the New Black" not in texts
    assert "All that Glitters is Not Gold" not in texts
    assert any(t.startswith("It took me years") for t in texts)


def test_slogans_each_with_its_year_in_brackets_are_no_quotes(nlp_provider, tmp_path):
    b = brief(
        """
The Swiss People's Party has run on fear of foreigners for two decades, and its posters show it.

In 2005, the party campaigned hard against the country joining the border-free zone.

“Lose safety? Lose work? No to Schengen” (2005) — “Free pass for all? No.” (2007) — “Yes to minaret ban” (2009). (SVP/Global Risk Insights.)

“We will not let them divide us,” the party's leader said at a rally in Zurich on Sunday.
""",
        nlp_provider, tmp_path,
    )
    assert [" ".join(q.text.split()[:3]) for q in b.quotes] == ["We will not"]


def test_the_name_of_an_ad_after_the_word_ad_is_no_quote(nlp_provider, tmp_path):
    b = brief(
        """
The senator's campaign in South Carolina is starting slowly after his loss in New Hampshire.

Its post-primary salvo began with a 45-second Web ad, "Playing Trump," in which children use a Trump action figure to act out the candidate's insults, yelling at each other across a playground.
""",
        nlp_provider, tmp_path,
    )
    assert not [q for q in b.quotes if q.text.startswith("Playing Trump")]


def test_the_name_of_a_class_after_the_word_class_is_no_quote(nlp_provider, tmp_path):
    # 'class' ends in an s: it is not the plural of 'clas'.
    b = brief(
        """
The candidate defended himself again on Sunday against reports questioning stories from his past.

He wrote in his 1990 autobiography that he had been named the most honest student in a Yale psychology class, “Perceptions 301,” because he was the only one not to walk out after the professor told the students their exam papers had been burned.
""",
        nlp_provider, tmp_path,
    )
    assert not [q for q in b.quotes if q.text.startswith("Perceptions")]


def test_a_one_word_nickname_with_its_full_stop_is_no_quote(nlp_provider, tmp_path):
    b = brief(
        """
Betsy Ebeling has been friends with Hillary Clinton since they were girls in the Chicago suburbs.

In her frequent emails, Ebeling admitted that she often referred to her friend by a nickname, “Gert.”
""",
        nlp_provider, tmp_path,
    )
    assert not [q for q in b.quotes if q.text.startswith("Gert")]


def test_a_quote_in_capitals_on_a_line_of_its_own_is_a_subheading(nlp_provider, tmp_path):
    b = brief(
        """
Donald Trump's remarks on everything from Muslims and women to the future of NATO have drawn criticism from Berlin, Paris and other European capitals.
But neither Germany’s Angela Merkel nor France’s Francois Hollande have gone as far as Cameron in chiding Trump who, if he wins in November, would be in charge of the world’s most powerful nation.
“EVENTUALLY VOTERS MAKE GOOD DECISIONS”
Cameron will work with whoever is elected U.S. president and is committed to maintaining the special relationship, the prime minister’s spokesman said.
“The PM has made his views clear on the comments Donald Trump has made,” the spokesman said.
""",
        nlp_provider, tmp_path,
    )
    assert not [q for q in b.quotes if q.text.startswith("EVENTUALLY")]
