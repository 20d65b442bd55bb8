"""Quote checking: layout is forgiven, wording and punctuation are not; headings."""

import pytest

from compendium.quotes import Match, find_quote, heading_exists, headings, nearest_mismatch, normalise

# Lin, Sun & Amon (2022), "Introduction", as extracted: column line breaks, hyphenation.
LIN = ("on anti-drug laws cited the DCS as an innovative \n"
       "measure that “enhances the detection and control \n"
       "of drug-users.”6 As a part of the launch of the DCS, \n"
       "public security authorities conducted a compre-\n"
       "hensive sweep of individuals suspected of drug use; \n"
       "by the end of March 2007, 785,900 individuals had \n"
       "been entered into the system.7 According to data \n"
       "released by the Ministry of Public Security, as of \n"
       "2019, there were 4.7 million people registered in \n"
       "the DCS, including 2.2 million identified as current \n"
       "drug users and 2.5 million identified as former drug \n"
       "users (≥ three years without drug use).8 \n")


@pytest.mark.parametrize("raw, expected", [
    ("a  b\n\tc \n", "a b c"),
    ("a compre-\nhensive sweep", "a comprehensive sweep"),
    ("the Anti-\nDrug Law", "the Anti-Drug Law"),
    ("information on HIV/\nAIDS and", "information on HIV/AIDS and"),
    ("“enhances” the ‘detection’ of China’s users", "\"enhances\" the 'detection' of China's users"),
    ("„low” and 5″ and 5′", "\"low\" and 5\" and 5'"),
    ("keeps — dashes, commas; and (brackets).", "keeps — dashes, commas; and (brackets)."),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("quote", [
    "by the end of March 2007, 785,900 individuals had been entered into the system.",  # across a line break
    "conducted a comprehensive sweep of individuals",  # hyphenation joined
    "measure that \"enhances the detection and control of drug-users.\"",  # straight for curly quotes
    "measure that “enhances the detection and control of drug-users.”",  # curly as printed
    "there  were 4.7 million\npeople registered",  # white space in the quote itself
])
def test_quotes_that_pass(quote):
    assert find_quote(quote, LIN) is not None


@pytest.mark.parametrize("quote", [
    "by the end of March 2007 785,900 individuals had been entered",  # comma dropped
    "by the end of March 2007, 785,900 individuals had been entered into the system;",  # period -> semicolon
    "there were 4.7 billion people registered",  # word changed
    "there were 4.7 people registered",  # word missing
    "There were 4.7 million people registered",  # capital changed
    "a compre- hensive sweep",  # hyphenation kept with a space is a change
])
def test_quotes_that_fail(quote):
    assert find_quote(quote, LIN) is None


def test_line_end_hyphen_may_be_a_real_hyphen():
    text = "expanded community-\nbased treatment and surveil-\nlance"
    assert find_quote("community-based treatment", text) is not None
    assert find_quote("surveillance", text) is not None
    assert find_quote("community-based treatment and surveillance", text) is not None  # both readings at once


def test_match_offsets_are_in_the_original_text():
    quote = "785,900 individuals had been entered"
    match = find_quote(quote, LIN)
    assert isinstance(match, Match)
    assert match.text == "785,900 individuals had \nbeen entered"
    assert LIN[match.start:match.end] == match.text
    assert LIN.index("785,900") == match.start
    hyphenated = find_quote("a comprehensive sweep", LIN)
    assert hyphenated.text == "a compre-\nhensive sweep"


def test_match_offsets_tell_which_numbers_a_quote_covers():
    from compendium.inventory import quantity_tokens

    match = find_quote("there were 4.7 million people registered in the DCS, including 2.2 million", LIN)
    covered = [t.text for t in quantity_tokens(LIN) if match.start <= t.offset < match.end]
    assert covered == ["4.7 million", "2.2 million"]


def test_nearest_mismatch_names_the_changed_word_and_line():
    message = nearest_mismatch("as of 2019, there were 4.7 billion people registered", LIN)
    assert "found up to 'as of 2019, there were 4.7" in message
    assert "at line 9" in message
    assert "the quote has 'billion' where the text has 'million'" in message


def test_nearest_mismatch_names_a_missing_word():
    message = nearest_mismatch("there were 4.7 people registered", LIN)
    assert "the quote lacks 'million'" in message


def test_nearest_mismatch_names_a_changed_comma():
    message = nearest_mismatch("by the end of March 2007 785,900 individuals", LIN)
    assert "the quote has '2007' where the text has '2007,'" in message
    assert "at line 6" in message


def test_nearest_mismatch_when_the_start_differs():
    message = nearest_mismatch("By the end of March 2007, 785,900 individuals had been entered", LIN)
    assert "the longest passage in common is 'y the end of March 2007, 785,900 individuals had been entered'" in message
    assert "at line 6" in message
    assert "is not in the text" in nearest_mismatch("Nothing of this kind", LIN)


def test_nearest_mismatch_of_a_quote_that_is_there():
    assert nearest_mismatch("785,900 individuals", LIN) == "the quote is found at line 6"


# Tibke (2017), as extracted: headings wrap, boxes are interleaved, markers are glued.
TIBKE = ("Historical context: The origins of \n"
         "China’s drug treatment system\n"
         "The beginnings of drug control: The ‘Hard \n"
         "Strike’ strategy\n"
         "In the mid-19th century, the armies of China’s Qing \n"
         "Dynasty fought and lost two successive Opium \n"
         "Wars against Britain and France.4 In 1860, at the \n"
         "end of the Second Opium War.\n"
         "\n"
         "Moving from rehabilitation-through-\n"
         "labour to a compulsory isolated \n"
         "treatment model57\n"
         "\n"
         "Prior to the 2008 Anti-Drug Law, people caught \n"
         "using drugs were liable.\n"
         " Box 1 Restrictions on people who \n"
         "use drugs\n"
         "Registration and police monitoring \n"
         "\n"
         "The consequences of being registered on the \n"
         "government online database are extensive.\n")


def test_headings_of_extracted_text():
    assert headings(TIBKE) == [
        "Historical context: The origins of China's drug treatment system",
        "The beginnings of drug control: The 'Hard Strike' strategy",
        "Moving from rehabilitation-through-labour to a compulsory isolated treatment model",
        "Box 1 Restrictions on people who use drugs",
        "Registration and police monitoring",
    ]


def test_headings_of_web_text():
    text = ("Methods\n\nStudy setting\n\nThis study was conducted in Yuxi City, in Yunnan Province. "
            "Yunnan Province has one of the highest rates of drug use and HIV infection in China [1].\n\n"
            "Suboptimal coordination and collaboration between the police and other stakeholders\n\n"
            "Officials from the CDC, local police and PWUD identified an urgent need.\n")
    assert headings(text) == ["Methods", "Study setting",
                              "Suboptimal coordination and collaboration between the police and other stakeholders"]


@pytest.mark.parametrize("locator", [
    "Historical context: The origins of China's drug treatment system > The beginnings of drug control: The 'Hard Strike' strategy",
    "historical context: the origins of china’s drug treatment system",  # case and quote style aside
    "Moving from rehabilitation-through-labour to a compulsory isolated treatment model",  # marker 57 dropped
    "Box 1",
    "Box 1 Restrictions on people who use drugs",
    "Registration and police monitoring > Box 1",  # boxes float
    "Box 1 > Registration and police monitoring",
])
def test_heading_exists(locator):
    assert heading_exists(locator, TIBKE)


@pytest.mark.parametrize("locator", [
    "The beginnings of drug control: The 'Hard Strike' strategy > Historical context: The origins of China's drug treatment system",  # wrong order
    "Historical context",  # part of a heading
    "The beginnings of drug control: The 'Hard Strike' strategies",  # changed word
    "Box 2",
    "Box 1 Restrictions on people who inject drugs",
    "In the mid-19th century, the armies of China's Qing",  # a body line, which runs on
    "Introduction",
])
def test_heading_does_not_exist(locator):
    assert not heading_exists(locator, TIBKE)


def test_table_label_matches_a_caption_line():
    text = ("Low risk At least once every half year At least once a year\n\n"
            "Table 1. Huizhou City, Yuanzhou Township, management measures for drug users\n"
            " at their home or place of employment.\n")
    assert heading_exists("Table 1", text)
    assert heading_exists("Table 1. Huizhou City, Yuanzhou Township, management measures for drug users", text)
    assert not heading_exists("Table 1. Huizhou City, Yuanzhou County", text)
    assert not heading_exists("Table 11", text)
