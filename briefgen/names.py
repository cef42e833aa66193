"""Words around personal names, shared by extraction (which strips them from a mention) and entity
resolution (which compares names without them)."""

from __future__ import annotations

# Titles and roles written before a name ("Sen. Ted Cruz", "President Obama").
HONORIFICS = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sen", "senator", "rep", "gov", "governor", "president",
    "gen", "general", "brig", "lt", "col", "maj", "capt", "sgt", "adm", "sir", "dame", "lord", "lady",
    "rev", "secretary", "minister", "mayor", "judge", "justice", "chancellor", "premier", "king", "queen",
    "prince", "princess", "pope", "sheikh", "vice", "former", "candidate", "speaker", "chairman",
}

# Generational suffixes: "Donald Trump Jr." is another person than Donald Trump.
NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
