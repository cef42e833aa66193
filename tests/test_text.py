"""Invisible characters never reach a name, title or slug."""

from __future__ import annotations

import sys
import unicodedata

from briefgen.text import clean_name, strip_format
from briefgen.urls import slugify


def test_every_format_character_of_this_python_is_stripped():
    every = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert strip_format("".join(every)) == ""
    assert strip_format("a\u00e9\u05d0 b") == "a\u00e9\u05d0 b"


def test_a_spelling_with_zero_width_and_bidi_characters_is_the_plain_name():
    assert clean_name("Jo\u200bhn\u00a0\u202eSmith\u202c") == "John Smith"
    assert clean_name("\uff2a\uff4f\uff48\uff4e") == "John"  # full-width letters (NFKC)
    assert slugify("\u6587\u200b") == slugify("\u6587")
