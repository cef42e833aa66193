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
