"""Question analysis: answer type, names, numbers, questions about the document itself."""

import pytest

from retrieval import question as qa
from retrieval.dates import holds_clock
from retrieval.text import Analyzer, words


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer("english")


@pytest.mark.parametrize("text, expected", [
    ("How many bridges cross the river?", qa.COUNT),
    ("How much did the tower cost?", qa.COUNT),
    ("What percentage of voters stayed home?", qa.COUNT),
    ("What was the magnitude of the earthquake?", qa.COUNT),  # a measure is a number
    ("How close did the storm come to the coast?", qa.COUNT),
    ("What was the final score of the game?", qa.COUNT),
    ("What is the price of a tonne of copper?", qa.COUNT),  # an amount of money
    ("At what rate is the county growing?", qa.DESCRIPTION),  # "rapidly" as often as a number
    ("When did the museum open?", qa.DATE),
    ("What was the winning time in the women's race?", qa.COUNT),  # how long it took, a measure
    ("What was her finishing time?", qa.COUNT),
    ("What time did the race start?", qa.DATE),
    ("In which year was the bridge built?", qa.DATE),
    ("Who designed the bridge?", qa.PERSON),
    ("What is the full name of the architect?", qa.PERSON),
    ("Where is the observatory?", qa.PLACE),
    ("Which country hosted the games?", qa.PLACE),
    ("Which company built the dam?", qa.ORGANISATION),
    ("Why did the council close the road?", qa.REASON),
    ("Is the bridge open at night?", qa.YES_NO),
    ("What did the mayor say about the budget?", qa.DESCRIPTION),
    ("", qa.DESCRIPTION),
])
def test_answer_type(analyzer, text, expected):
    assert qa.analyse(text, analyzer).answer_type == expected


def test_auxiliary_after_what_is_not_a_type_noun(analyzer):
    assert qa.analyse("What did the government promise?", analyzer).answer_type == qa.DESCRIPTION


def test_multiword_names_are_found(analyzer):
    q = qa.analyse("What did Ada Lovelace write about the Analytical Engine?", analyzer)
    assert q.names == (("ada", "lovelace"), ("analytical", "engine"))


def test_shouted_question_has_no_names(analyzer):
    assert qa.analyse("WHAT DID ADA LOVELACE WRITE", analyzer).names == ()


@pytest.mark.parametrize("text, expected", [
    ("What did the mayor say?", True),
    ("What did she say about the fare?", True),
    ("What has he told reporters?", False),  # told whom is part of the question, not a topic
    ("What did she say the city would do?", False),  # a part of what was said
    ("What is said to be the largest fair?", False),  # a thing
    ("What did Ann claim that Lee said of them?", False),
    ("Who said the deal would fail?", False),
    ("What did he say? Who is the mayor?", True),  # a follow-up: its own question, not the borrowed one
])
def test_asks_what_said(analyzer, text, expected):
    assert qa.asks_what_said(qa.analyse(text, analyzer)) is expected


@pytest.mark.parametrize("text, expected", [
    ("What time did the quake hit?", True),
    ("At what time does the shop open?", True),
    ("When did the quake hit?", False),
    ("How much time did they spend?", False),
])
def test_what_time_asks_for_a_time_of_day(analyzer, text, expected):
    assert qa.asks_for_clock(qa.analyse(text, analyzer)) is expected


@pytest.mark.parametrize("text, expected", [
    ("The quake hit at 3:47 a.m. on Saturday.", True),
    ("The shop opens at 9am.", True),
    ("They met at noon.", True),
    ("The score was 3-2 in 1931.", False),
    ("The ratio was 2 to 1.", False),
])
def test_holds_clock(text, expected):
    assert holds_clock(words(text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("What happened in March?", ("march",)),
    ("how many were arrested in march", ("march",)),
    ("What was agreed on Friday, 3 Sept?", ("friday", "sept")),
    ("How many people joined the march?", ()),  # a noun after an article
    ("Where did their march end?", ()),
    ("Who may attend?", ()),
])
def test_dates_are_the_months_and_weekdays_the_question_names(analyzer, text, expected):
    assert qa.analyse(text, analyzer).dates == expected


def test_numbers_words_and_digits_are_normalised(analyzer):
    assert qa.analyse("Were four ships sunk in 1,905 or 1905?", analyzer).numbers == ("4", "1905")


@pytest.mark.parametrize("text, expected", [
    ("Who wrote the article?", "author"),
    ("Which reporters are behind this story?", "author"),
    ("When was the article published?", "date"),
    ("Which newspaper published this article?", "publication"),
    ("What is the headline of the story?", "title"),
    ("What is this article about?", "title"),  # its headline says
    ("What are the articles about?", "title"),
    ("What does the article say about tolls?", None),  # its content
    ("The issues of what era did Tesla's article talk about?", None),
    ("When? wrote the article", "date"),  # "When?" after "Who wrote the article?"
    ("Who wrote the Iliad?", None),
    ("When was the bridge built?", None),
])
def test_questions_about_the_document(analyzer, text, expected):
    assert qa.analyse(text, analyzer).about_document == expected


@pytest.mark.parametrize("text, expected", [
    ("about half of the city", True),
    ("several lakes", True),
    ("it meets twice a year", True),
    ("212 cables", True),
    ("four ships", True),
    ("the bridge reopened on friday", False),
])
def test_amount_is_a_number_or_an_amount_word(text, expected):
    assert qa.holds_amount(text.split()) is expected


@pytest.mark.parametrize("name, expected", [
    (("united", "states"), "us."),
    (("national", "football", "league"), "nfl."),
    (("bank", "of", "england"), "be."),
    (("paris",), None),
])
def test_acronym_is_the_analyzers_term_for_the_initials(analyzer, name, expected):
    from retrieval.question import acronym
    assert acronym(name) == expected
    if expected:  # the same term the index holds for the dotted and the plain spelling
        assert analyzer.terms(expected[:-1].upper()) == [expected]
        assert analyzer.terms(".".join(expected[:-1].upper()) + ".") == [expected]


@pytest.mark.parametrize("text, expected", [
    ("succeeded on January 1 by Ines", False),
    ("on 1 May 2020", True),  # 2020: a year is still a number
    ("the 3rd of March", False),
    ("the 2 may be too many", True),
    ("sent 26 people", True),
])
def test_the_day_of_a_month_is_no_amount(text, expected):
    assert qa.holds_amount(words(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("will remain closed until Wednesday", True),
    ("opened in 1998", True),
    ("the doors open at 9:30", True),
    ("a $40 million charge to close a plant which employs 310 people", False),
])
def test_holds_time(text, expected):
    assert qa.holds_time(words(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("When did the war end?", qa.DATE),
    ("When the war ended, who became king?", qa.PERSON),
    ("When rock folds deep in the Earth, when it buckles upwards, it creates what?", qa.DESCRIPTION),
    ("When will the plant close?", qa.DATE),
])
def test_a_leading_when_clause_is_not_the_question_word(analyzer, text, expected):
    assert qa.analyse(text, analyzer).answer_type == expected


@pytest.mark.parametrize("question, expected", [
    ("How many museums opened this year?", {"museum"}),
    ("How many were extradited?", set()),
    ("When did the museums open?", set()),  # not a count
])
def test_counted_nouns_are_the_stems_a_count_asks_about(analyzer, question, expected):
    assert qa.counted_nouns(qa.analyse(question, analyzer), analyzer) == expected


@pytest.mark.parametrize("text, expected", [
    ("Whats the name of the mayor?", qa.PERSON), ("wheres the plant", qa.PLACE), ("whens the vote", qa.DATE)])
def test_question_word_run_together_with_is(analyzer, text, expected):
    q = qa.analyse(text, analyzer)
    assert q.answer_type == expected
    assert q.words[1] == "is" and not any(t.startswith(q.words[0] + "s") for t in q.terms)


@pytest.mark.parametrize("text, expected", [
    ("Which manufacturer will produce the doses?", "manufacturer"),
    ("Which rival snack maker did she join?", "maker"),
    ("What was the name of the transport minister who resigned?", "minister"),
    ("What is the name of the judge's wife?", "wife"),  # the head noun after a possessive
    ("What was the name of the wife arranged for him by his father?", "wife"),  # not "arranged"
    ("Who founded the bakery?", None),
    ("What did the firm build?", None),
])
def test_named_noun_is_what_a_name_question_wants_named(analyzer, text, expected):
    assert qa.named_noun(qa.analyse(text, analyzer)) == expected


@pytest.mark.parametrize("text", ["Who wrote it?", "Who wrote it ? ", "Who wrote it??", "Who wrote it? The report",
                                  "Who wrote it", "WHO WROTE THE U.S. REPORT?"])
def test_words_before_the_question_mark_are_read_once_when_it_ends_the_text(text) -> None:
    assert qa._before_question_mark(text, words(text)) == words(text.split("?")[0])
