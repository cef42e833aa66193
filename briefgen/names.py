"""Words around personal names, shared by extraction (which strips them from a mention) and entity
resolution (which compares names without them)."""

from __future__ import annotations

# Titles and roles written before a name ("Sen. Ted Cruz", "President Obama").
HONORIFICS = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "sen", "senator", "rep", "gov", "governor", "president",
    "gen", "general", "brig", "lt", "col", "maj", "capt", "sgt", "adm", "sir", "dame", "lord", "lady",
    "rev", "secretary", "minister", "mayor", "judge", "justice", "chancellor", "premier", "king", "queen",
    "prince", "princess", "pope", "sheikh", "vice", "former", "candidate", "speaker", "chairman",
    # roles of police, courts and sport written like titles ("Coroner Gary Hargrove", "Trooper William Hakim")
    "coroner", "trooper", "sheriff", "deputy", "detective", "officer", "sergeant", "lieutenant", "captain",
    "commander", "inspector", "constable", "coach", "ambassador", "professor",
}

# Generational suffixes: "Donald Trump Jr." is another person than Donald Trump.
NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}

# Common English first names with a clear gender, as rule-based coreference systems use them: "Bernie
# Sanders ... she said" cannot be Sanders. Ambiguous names (Jordan, Leslie, Kim, Robin) are left out.
MALE_FIRST_NAMES = frozenset("""
aaron adam adrian alan albert alex alexander alfred andrew andy anthony antony arnold arthur barack barry ben
benjamin bernard bernie bill billy bob bobby brad bradley brandon brian bruce bryan carl carlos charles charlie
chris christopher chuck clarence craig dan daniel danny darrell dave david dennis denis derek dick don donald
doug douglas duncan dwight ed eddie edward eli elijah eric ernest eugene frank franklin fred frederick gary
gavin gene geoffrey george gerald gordon greg gregory harold harry hank henry herbert herman howard hugh ian
isaac jack jacob jake james jared jason jeb jeff jeffrey jeremy jerry jesse jim jimmy joe joel john
johnny jon jonathan joseph josh joshua juan justin keith ken kenneth kevin karl kyle larry lawrence lee
leonard louis luis marco mark martin marty matt matthew max michael mike mitch mitt mohammed
muhammad nathan neil newt nicholas nick nigel noah oliver orrin oscar patrick paul pete peter phil philip
ralph randy ray raymond reince richard rick rob robert roger ron ronald roy rudy rush russell ryan sam samuel
scott sean sergei seth stephen steve steven stuart ted terry thomas tim timothy todd tom tommy tony travis
troy victor vince vincent vladimir walter warren wayne william willie zach zachary
""".split())
FEMALE_FIRST_NAMES = frozenset("""
abigail alice alicia alison allison amanda amy andrea angela angelina ann anna anne annette barbara betsy
betty beverly brenda carla carly carol caroline carolyn catherine cathy charlotte cheryl christina christine
cindy claire claudia condoleezza cynthia deborah debbie denise diana diane dianne donna doris dorothy edith
elaine elena eleanor elizabeth ellen emily emma erin evelyn frances gillian gina gloria grace hannah heather
heidi helen hillary holly huma irene jackie jacqueline jane janet janice jean jeanne jennifer jessica jill
joan joanna joni josephine joy ivanka joyce judith judy julia julie karen kate katherine kathleen kathy katie
kelly kellyanne kirsten kristen laura lauren linda lisa liz loretta lori louise lucy lynn madeleine maria
marie marilyn martha mary megan megyn melania melissa michele michelle mindy miriam molly nancy
natalie nicole nikki nina olivia pam pamela patricia patty paula peggy rachel rebecca rita rosa rose ruth
sally samantha sandra sara sarah sharon sheila shirley sophie stephanie sue susan suzanne sylvia teresa
theresa tiffany tina valerie vanessa victoria virginia wendy yvonne
""".split())
