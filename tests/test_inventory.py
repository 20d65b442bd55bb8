"""The numeral inventory: every quantity-bearing form, non-quantities, positions."""

import pytest

from compendium.inventory import KINDS, Token, context, line_of, quantity_tokens


def found(text):
    return [(t.text, t.kind) for t in quantity_tokens(text)]


# (sentence, the one token expected in it, its kind)
FORMS = [
    ("by the end of March, 785,900 individuals", "785,900", "numeral"),
    ("there were 4.7 people", "4.7", "numeral"),
    ("rights in disputes (73.5) and", "73.5", "numeral"),
    ("within a period of 10 months", "10", "numeral"),
    ("as of 2019 there were", "2019", "numeral"),
    ("at the 24th International Harm Reduction Conference", "24th", "numeral"),
    ("in the late-1990s in a policy move", "1990s", "numeral"),
    ("there were 4.7 million people", "4.7 million", "numeral"),
    ("there were 2.2 \nmillion drug users", "2.2 \nmillion", "numeral"),
    ("only 26% of the time", "26%", "percent"),
    ("only 26 per cent of the time", "26 per cent", "percent"),
    ("only 26 percent of the time", "26 percent", "percent"),
    ("levels of more than\n400 per cent in some", "400 per cent", "percent"),
    ("a fine of up to RMB 2,000 and", "RMB 2,000", "currency"),
    ("a fine of up to US$ 314 and", "US$ 314", "currency"),
    ("a fine of up to $2,000 and", "$2,000", "currency"),
    ("a fine of up to 2,000 yuan and", "2,000 yuan", "currency"),
    ("a budget of US$ 21 million in", "US$ 21 million", "currency"),
    ("a fine of €50 or", "€50", "currency"),
    ("between 2012–2018 the number", "2012–2018", "range"),
    ("a rise of 10-15% a year", "10-15%", "range"),
    ("a rise of 10-15 cases", "10-15", "range"),
    ("for three to six months", "three to six", "range"),
    ("From 440,000 to 500,000 people", "440,000 to 500,000", "range"),
    ("ranged from $412 to $4,000.", "$412 to $4,000", "range"),
    ("home to \nbetween 21.5 and 25 million people", "between 21.5 and 25 million", "range"),
    ("camps for between one and three years", "between one and three", "range"),
    ("Seven years have passed", "Seven", "word"),
    ("with all four staff members", "four", "word"),
    ("it took twenty-five days", "twenty-five", "word"),
    ("it took one hundred days", "one hundred", "word"),
    ("it took two hundred and fifty days", "two hundred and fifty", "word"),
    ("In 1812 a dozen United Nations agencies", "a dozen", "word"),
    ("dozens of agencies", "dozens", "word"),
    ("employment for hundreds of people", "hundreds", "word"),
    ("thousands of detainees", "thousands", "word"),
    ("a handful of clinics", "a handful", "word"),
    ("a couple of clinics", "a couple of", "word"),
    ("Half of the world's opiate users", "Half", "fraction"),
    ("almost one third of the respondents", "one third", "fraction"),
    ("two-thirds of the respondents", "two-thirds", "fraction"),
    ("a quarter of the respondents", "a quarter", "fraction"),
    ("almost one in four Chinese men", "one in four", "fraction"),
    ("only about 1 in 10 people", "1 in 10", "fraction"),
    ("At least once a week", "once", "multiplier"),
    ("Once a month", "Once", "multiplier"),
    ("At least twice a year", "twice", "multiplier"),
    ("checked thrice", "thrice", "multiplier"),
    ("sentences were doubled upon each conviction", "doubled", "multiplier"),
    ("to double the capacity", "double", "multiplier"),
    ("to triple the capacity", "triple", "multiplier"),
    ("a tenfold rise", "tenfold", "multiplier"),
    ("a ten-fold rise", "ten-fold", "multiplier"),
    ("a two-fold rise", "two-fold", "multiplier"),
    ("increased more than 15-fold in", "15-fold", "multiplier"),
    ("共有214.8万名", "214.8万", "chinese"),
    ("服刑三年", "三", "chinese"),
    ("第三阶段", "第三", "chinese"),
    ("共有十二名", "十二", "chinese"),
    ("Table 1. Huizhou City", "1", "numeral"),
]


@pytest.mark.parametrize("text, token, kind", FORMS, ids=[f[1] for f in FORMS])
def test_each_form_is_one_token(text, token, kind):
    quantities = [t for t in found(text) if t[0] != "1812"]
    assert quantities == [(token, kind)]


@pytest.mark.parametrize("text", [
    "No one knows how to do that.", "no one shall be subjected", "someone with a history",
    "anyone who", "everyone enjoys the right", "to trust one another", "disclosing one's personal data",
    "on the one hand", "several countries have opened", "a single database", "a few steps away",
    "many colleagues", "the first time", "managed once enrolled", "Once entered into the DCS",
    "off-limits once an individual's licence is revoked", "H1N1", "COVID-19 transmission",
    "HIV-1 spread", "PMCID: PMC4951535", "doi:10.7448/IAS.19.4.20879",
    "doi: 10.1016/S0140-6736(10)60232-2.", "http://dx.doi.org/10.1016/j.drugpo.2013.08.004",
    "统一", "一些", "万一出事", "十分重要", "自愿戒毒", "journal (4Suppl",
])
def test_not_quantities(text):
    assert found(text) == []


def test_url_is_skipped_but_the_year_before_it_is_not():
    assert found("Accessed 2015. https://www.unodc.org/2019/report-2020 and 3 more") == [
        ("2015", "numeral"), ("3", "numeral")]


@pytest.mark.parametrize("text, expected", [
    ("Security in 2006.2 Individuals are", [("2006", "numeral"), ("2", "numeral")]),
    ("shrunk to \n\n60,000.64 In December 2013", [("60,000", "numeral"), ("64", "numeral"), ("2013", "numeral")]),
    ("by 2018.30 The objectives", [("2018", "numeral"), ("30", "numeral")]),
    ("claimed that on opium.7\n", [("7", "numeral")]),
    ("related to drug use.22 \n\nEfforts", [("22", "numeral")]),
    ("some 300,000 people62 (or 500,000", [("300,000", "numeral"), ("62", "numeral"), ("500,000", "numeral")]),
    ("age groups,3 China requires", [("3", "numeral")]),
    ("peo-\nple.32 Grid workers", [("32", "numeral")]),
    ("users.22 12 per day", [("22", "numeral"), ("12", "numeral")]),
    ("China [5,6].", [("5", "numeral"), ("6", "numeral")]),
    ("Rule 24.2 in particular", [("24.2", "numeral")]),
    ("1.1 Establish and strengthen", [("1.1", "numeral")]),
])
def test_footnote_markers_are_tokens_of_their_own(text, expected):
    assert found(text) == expected


def test_offsets_lines_and_columns():
    text = "Intro line\nabout 4.7 million people,\n  and 26% of them (see Table 1)."
    tokens = quantity_tokens(text)
    assert [t.text for t in tokens] == ["4.7 million", "26%", "1"]
    for t in tokens:
        assert text[t.offset:t.offset + len(t.text)] == t.text
        assert text.split("\n")[t.line - 1][t.column:t.column + len(t.text)] == t.text
        assert line_of(text, t.offset) == (t.line, t.column)
    assert [(t.line, t.column) for t in tokens] == [(2, 6), (3, 6), (3, 29)]


def test_tokens_are_in_order_and_do_not_overlap():
    text = "RMB 2,000 (US$ 314), 10-15%, between 10 and 20\nmillion, one in four, 2,000 yuan, 80%."
    tokens = quantity_tokens(text)
    assert [t.text for t in tokens] == [
        "RMB 2,000", "US$ 314", "10-15%", "between 10 and 20\nmillion", "one in four", "2,000 yuan", "80%"]
    ends = [t.offset + len(t.text) for t in tokens]
    assert all(end <= nxt.offset for end, nxt in zip(ends, tokens[1:]))


def test_token_is_frozen_and_kinds_are_known():
    token = quantity_tokens("26%")[0]
    assert isinstance(token, Token) and token.kind in KINDS
    with pytest.raises(AttributeError):
        token.text = "27%"


def test_context_is_verbatim():
    text = "One study calculated that within a period of 10 months, the \ndistrict police"
    token = next(t for t in quantity_tokens(text) if t.text == "10")
    assert context(text, token, width=10) == "period of 10 months, t"
    assert context(text, token, width=1000) == text


def test_a_paragraph_from_lin_sun_amon_2022():
    # Lin, Sun & Amon (2022), "Management": copied as extracted, with its line breaks.
    text = ("calculated that within a period of 10 months, the \n"
            "district police had responded to 3,640 DCS alerts, \n"
            "an average of 12 per day. However, police were able \n"
            "to make contact with the subject of the alert only \n"
            "26% of the time, and only 51 alerts were identified \n"
            "as being related to drug use.22 \n")
    assert found(text) == [("10", "numeral"), ("3,640", "numeral"), ("12", "numeral"),
                           ("26%", "percent"), ("51", "numeral"), ("22", "numeral")]
    assert [t.line for t in quantity_tokens(text)] == [1, 2, 3, 5, 5, 6]


def test_a_paragraph_from_tibke_2017():
    # Tibke (2017), on RTL: a marker glued to "people" must not join the next number.
    text = ("higher, however, arguing that at its peak RTL would \n"
            "have held some 300,000 people62 (or 500,000, \n"
            "if we include those sentenced to compulsory \n"
            "detoxification in police detention).63 Between \n"
            "2008 and 2013, as the government readied itself")
    assert found(text) == [("300,000", "numeral"), ("62", "numeral"), ("500,000", "numeral"),
                           ("63", "numeral"), ("Between \n2008 and 2013", "range")]
