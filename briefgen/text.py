"""Text helpers shared by the stages: invisible characters (what names, titles and slugs keep of a user's
text), and headline case."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Every format character (Unicode category Cf): zero-width spaces and joiners, the bidi embeddings,
# overrides and isolates (U+202A-E, U+2066-9), marks (U+200E/F, U+061C), the BOM / ZWNBSP, soft hyphen.
# None is visible; in a name or title they let one spelling pose as another or reverse every listing.
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)  # Unicode 14 category Cf; tests/test_text.py checks it against unicodedata


_JOINERS = {"\u200c": "\u200c", "\u200d": "\u200d"}


def strip_format(text: str, *, keep_joiners: bool = False) -> str:
    """``text`` without format characters (category Cf), nothing else changed. ``keep_joiners`` keeps
    ZWNJ and ZWJ, which shape Persian and Indic words and emoji when the text is shown as written."""
    if keep_joiners:
        return _FORMAT.sub(lambda m: _JOINERS.get(m.group(), ""), text)
    return _FORMAT.sub("", text)


def clean_name(text: str) -> str:
    """A name as shown and compared: NFKC (full-width and compatibility forms folded), no format
    characters, whitespace runs as one space."""
    return " ".join(strip_format(unicodedata.normalize("NFKC", text)).split())


def title_cased(text: str) -> bool:
    """Written in headline case: at least four in five of its words over three letters start with a capital."""
    return headline_case(re.findall(r"[A-Za-z][\w'’-]*", text))


def headline_case(words: Iterable[str]) -> bool:
    """``title_cased`` for words already split (a sentence's tokens): those over three letters are counted."""
    long = [w for w in words if len(w) > 3]
    return bool(long) and sum(w[0].isupper() for w in long) >= 0.8 * len(long)
