"""Quotes in layouts other than one paragraph per blank-line block (issue 14): paragraphs written one per line,
and newsletter digests that list other outlets' headlines with their bylines."""

from __future__ import annotations

import pytest

from test_quotes import brief

pytestmark = pytest.mark.nlp


def test_a_quote_opening_its_line_after_a_finished_sentence_is_whole(nlp_provider, tmp_path):
    # The paragraphs are single lines with no blank line between them (as some sites export them).
    b = brief(
        "The clinic in Fort Worth reopened on Monday after a year of court fights over the state law.\n"
        "Its director, Alma Reyes, said patients had travelled from as far as Midland. (Some drove for six hours.)\n"
        "“The ruling is the law of the land. But a right means nothing if women cannot reach a clinic to use it,” "
        "Reyes said.\n",
        nlp_provider, tmp_path,
    )
    (quote,) = [q for q in b.quotes if q.text.startswith("The ruling")]
    assert not quote.partial
    assert quote.speaker == "Alma Reyes"


def test_digest_headlines_with_their_bylines_and_excerpts_are_not_quotes(nlp_provider, tmp_path):
    b = brief(
        """
Welcome to the weekly digest of news from the city's arts and entertainment industries.

—“Hamilton to play Chicago in long-term run starting next fall,” by Variety's Gordon Cox: “The musical will ride its wave of hype all the way to Chicago, where a production of the show will begin a long run.”

—"An NYPD sketch artist gets a gallery show," by Hyperallergic's Carey Dunne.

“If there had not been that intervention” by the allies, the minister said, “we would be looking at something much worse.”
""",
        nlp_provider, tmp_path,
    )
    texts = [q.text for q in b.quotes]
    assert not any(t.startswith(("Hamilton to play", "An NYPD sketch")) for t in texts)
    # The excerpt after the byline is the linked article's text, not anybody's quote.
    assert not any(t.startswith("The musical will ride") for t in texts)
    # 'by' with no comma before it is the agent of the quoted words, not a byline.
    assert any(t.startswith("If there had not been") for t in texts)


def test_a_closing_mark_typed_to_open_a_paragraph_opens_a_quote(nlp_provider, tmp_path):
    # Comments pasted from a social network: a direction mark, then ” where “ belongs.
    b = brief(
        """
The governor's post about the floods drew thousands of replies overnight.

\u202a”Thank you for standing with the families who lost everything this week!!” posted Maria Delgado.

\u202a”We need the bridge rebuilt before the winter, not next year,” wrote Tom Becker.
""",
        nlp_provider, tmp_path,
    )
    by_start = {q.text.split()[0]: q.speaker for q in b.quotes}
    assert by_start == {"Thank": "Maria Delgado", "We": "Tom Becker"}
