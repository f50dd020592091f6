"""Follow-up resolution from the chat's previous turn (pure function over ChatState)."""

import pytest

from retrieval.followup import resolve
from retrieval.models import ChatState


def _state(resolved: str, names: list[str] | None = None) -> ChatState:
    return ChatState().add({"question": resolved, "resolved": resolved, "names": names or [], "quotes": [7, 9]})


def test_first_question_is_left_alone():
    assert resolve("And in May?", ChatState()) == ("And in May?", False)


def test_self_contained_question_is_left_alone():
    state = _state("How many bridges were repaired this week?")
    assert resolve("Who designed the harbour bridge?", state) == ("Who designed the harbour bridge?", False)


def test_a_question_about_a_new_name_is_left_alone():
    """'Who is Ostrowe?' holds one word besides the question's own, but it names a new topic: it
    was read as elliptical and asked with the previous question's words, which answered 'Trump'."""
    state = _state("How many bridges were repaired this week?")
    assert resolve("Who is Ostrowe?", state) == ("Who is Ostrowe?", False)
    assert resolve("What did Ostrowe say?", state) == ("What did Ostrowe say?", False)
    # a month or weekday is no new topic, and "and ..." is still a follow-up
    assert resolve("How many in May?", state)[0] != "How many in May?"
    assert resolve("And Ostrowe?", state)[0] != "And Ostrowe?"


def test_a_follow_up_borrows_the_topic_not_what_was_asked():
    """'Who is the manager?' after 'How old is Ada Lowe?' had borrowed 'How old', became a question
    about an age and was declined; 'And what is the target?' was read as 'how many' and answered
    with words, not the target."""
    text, _ = resolve("Who is the manager?", _state("How old is Ada Lowe?", ["Ada Lowe"]))
    assert text == "Who is the manager? Ada Lowe"
    text, _ = resolve("On what day?", _state("How many were sent in May?"))
    assert text == "On what day? sent in May"  # "May" the month stays, "how many" goes
    # pronouns say nothing, and a topic carried over several turns does not grow with each
    text, _ = resolve("What is it called?", _state("Who found it? found the frog"))
    assert text == "What is it called? found the frog"


def test_a_short_question_about_something_else_changes_the_subject():
    """'When is the strike?' after a festival's refunds: 'strike' is not in the festival's article,
    so the question is asked as it stands, not with the refund question's words."""
    state = _state("Will people get a refund?")
    elsewhere = lambda words: False  # noqa: E731 - the word is not in the last answer's document
    here = lambda words: True  # noqa: E731
    assert resolve("When is the strike?", state, on_topic=elsewhere) == ("When is the strike?", False)
    assert resolve("When is the strike?", state, on_topic=here)[0] != "When is the strike?"
    assert resolve("On what day?", state, on_topic=elsewhere)[0] != "On what day?"  # "day" is no subject
    assert resolve("And the strike?", state, on_topic=elsewhere)[0] != "And the strike?"  # "and": a follow-up


def test_and_in_month_replaces_the_previous_time_expression():
    text, _ = resolve("And in May?", _state("How many bridges were repaired this week?"))
    assert text == "How many bridges were repaired in May?"
    text, _ = resolve("What about in May?", _state("How many bridges were repaired this week?"))
    assert text == "How many bridges were repaired in May?"  # "what about" asks no new question


def test_a_time_expression_goes_with_the_words_that_lead_into_it():
    """'in the year to March' leaves nothing behind ('in the to' was shown to users)."""
    text, _ = resolve("And the year before?", _state("How much money did the club lose in the year to March?"))
    assert text == "How much money did the club lose the year before?"


@pytest.mark.parametrize("follow_up, previous, expected", [
    # a phrase opening with a preposition replaces the previous question's phrase with it
    ("And to Earth?", "How close will the comet come to the Sun?", "How close will the comet come to Earth?"),
    ("What about from Brockley?", "How many people were evacuated from Cawdle on Sunday?",
     "How many people were evacuated from Brockley on Sunday?"),
    # a possessive or an ordinal replaces the previous question's own
    ("What about the women's?", "What was the winning time in the men's final?",
     "What was the winning time in the women's final?"),
    ("And the second?", "When did the first vote close?", "When did the second vote close?"),
    ("And Kell's?", "What did Orsby's lawyer say?", "What did Kell's lawyer say?"),
    # nothing of its kind in the previous question: the follow-up is added to it
    ("And in people over 65?", "How well did the vaccine work?", "How well did the vaccine work in people over 65?"),
    ("And the second?", "When did the vote close?", "When did the vote close the second?"),
])
def test_a_follow_up_replaces_its_counterpart_in_the_previous_question(follow_up, previous, expected):
    assert resolve(follow_up, _state(previous))[0] == expected


def test_he_is_the_one_person_the_last_question_named():
    state = _state("How long did it take Ada Lowe?", ["Ada Lowe"])
    assert resolve("What does he do for a living?", state)[0] == "What does Ada Lowe do for a living?"
    # a body is no "he"
    body = _state("How much did Pellam Holdings pay?", ["Pellam Holdings"])
    assert resolve("What does he do for a living?", body)[0] != "What does Pellam Holdings do for a living?"


def test_pronoun_is_resolved_with_the_names_of_the_last_turn():
    text, skip = resolve("Where is her company based?", _state("Who is Ingrid Holm?", ["Ingrid Holm"]))
    assert "Ingrid Holm" in text and not skip


def test_what_else_asks_to_skip_the_previous_answer():
    _, skip = resolve("What else did he say?", _state("What did Tom Reyes say about tolls?", ["Tom Reyes"]))
    assert skip


def test_what_else_with_nothing_new_asks_only_for_more():
    from retrieval.followup import asks_only_for_more
    assert asks_only_for_more("What else did he say?")
    assert not asks_only_for_more("What else did he say about tolls?")


def test_he_or_she_after_a_who_answer_is_that_person():
    state = ChatState().add({"question": "Who leads the union?", "resolved": "Who leads the union?",
                             "names": ["Ines Brook"], "person": "Ines Brook", "quotes": [3]})
    assert resolve("How old is she?", state) == ("How old is Ines Brook?", False)
    assert resolve("What did she say about pay?", state) == ("What did Ines Brook say about pay?", False)
    assert resolve("Where is his office?", state)[0] == "Where is Ines Brook's office?"
    # "what else did she say" keeps asking about the previous answer, so it still borrows the question
    text, skip = resolve("What else did she say?", state)
    assert skip and "union" in text


def _thing_state(question: str, thing: str) -> ChatState:
    return ChatState().add({"question": question, "resolved": question, "names": [], "thing": thing, "quotes": [3]})


def test_it_and_there_after_a_named_answer_are_that_name():
    state = _thing_state("Which rival is Halcyra buying?", "Nimbrel Data")
    assert resolve("Where is it based?", state) == ("Where is Nimbrel Data based?", False)
    assert resolve("How many people work for its shops?", state)[0] == "How many people work for Nimbrel Data's shops?"
    village = _thing_state("Which village could the fire reach?", "Nether Brockley")
    assert resolve("How many people live there?", village) == ("How many people live Nether Brockley?", False)


def test_is_there_is_no_place_and_a_self_contained_question_stays_as_asked():
    state = _thing_state("Which village could the fire reach?", "Nether Brockley")
    assert resolve("Is there a school in Cawdle village?", state) == ("Is there a school in Cawdle village?", False)
    assert resolve("Will there be an inquiry into the fire service?", state)[0] == \
        "Will there be an inquiry into the fire service?"


def test_names_a_person_only_for_a_name_of_someone():
    from retrieval.names import names_a_person
    assert names_a_person("Dagny Ostrowe") and names_a_person("Dr. Lowe") and names_a_person("Ana Lowe-Ferris")
    for other in ["Sun", "April 18", "Selwood Opera House", "Lamplight Pictures", "Mr", "the harbour", "Room 101"]:
        assert not names_a_person(other), other


def test_he_is_still_the_person_named_a_turn_or_two_before():
    """'Who chairs Rovers?' - 'Lionel Trevaskis'; 'How many games have Rovers lost?' names nobody;
    'How old is he?' is about the chairman, not a question without a subject."""
    state = ChatState().add({"question": "Who chairs Rovers?", "resolved": "Who chairs Rovers?",
                             "names": ["Lionel Trevaskis"], "person": "Lionel Trevaskis", "quotes": [3]})
    state = state.add({"question": "How many games have Rovers lost?", "resolved": "How many games have Rovers lost?",
                       "names": [], "quotes": [8]})
    assert resolve("How old is he?", state)[0] == "How old is Lionel Trevaskis?"
    # three turns on, he is nobody any more
    for n in range(2):
        state = state.add({"question": f"q{n}", "resolved": f"How many goals in game {n}?", "names": [], "quotes": [9]})
    assert "Trevaskis" not in resolve("How old is he?", state)[0]


def test_it_stands_for_the_one_name_the_last_question_gave():
    """'Who leads it?' after 'How many seats did The SDF win?' asks who leads The SDF; with the
    whole last question appended, its seats and winning outweighed the party."""
    state = ChatState().add({"question": "How many seats did The SDF win?", "resolved": "How many seats did The SDF win?",
                             "names": ["The SDF"], "quotes": [4]})
    assert resolve("Who leads it?", state)[0] == "Who leads The SDF?"
    # two names: which one "it" is cannot be told, the topic is borrowed as before
    two = ChatState().add({"question": "q", "resolved": "Did The SDF beat Reform Movement?",
                           "names": ["The SDF", "Reform Movement"], "quotes": [4]})
    assert resolve("Who leads it?", two)[0] != "Who leads The SDF?"


def test_it_said_again_is_what_the_last_question_called_it():
    """'Who built it?' (the battery) - 'University of Tarrow' - 'How fast can it charge?' asks about
    the battery: it had become 'How fast can University of Tarrow charge?'."""
    state = ChatState().add({"question": "Who built it?", "resolved": "Who built it? the battery last",
                             "names": ["University of Tarrow"], "quotes": [31]})
    text, _ = resolve("How fast can it charge?", state)
    assert "Tarrow" not in text and "battery" in text
    # "it" for the first time after an answer that names a thing is still that thing
    named = ChatState().add({"question": "Which company is buying Nimbrel?", "resolved": "Which company is buying Nimbrel?",
                             "names": ["Halcyra Technologies"], "thing": "Halcyra Technologies", "quotes": [5]})
    assert resolve("Where is it based?", named)[0] == "Where is Halcyra Technologies based?"


def test_a_possessive_pointing_inside_the_question_asks_nothing_of_the_last_turn():
    """'How many people had to leave their homes?' after a company's results had been asked with
    'How much did profit fall?' appended, and answered with the company's 21,000 staff."""
    state = _state("How much did profit fall?")
    for question in ("How many people had to leave their homes?", "Why did the company cut its forecast?",
                     "What did the mayor say about her plan?"):
        assert resolve(question, state) == (question, False)
    # with nothing of its own before it, the possessive is the last turn's; so is "her" as an object
    assert resolve("What is its name?", state)[0] != "What is its name?"
    person = ChatState().add({"question": "Who is Ann Lee?", "resolved": "Who is Ann Lee?", "names": ["Ann Lee"],
                              "person": "Ann Lee", "quotes": [1]})
    assert resolve("Who hired her?", person)[0] == "Who hired Ann Lee?"


def test_a_name_the_borrowed_topic_holds_is_not_said_twice():
    state = ChatState().add({"question": "How old is Ann Lee?", "resolved": "How old is Ann Lee?", "names": ["Ann Lee"],
                             "quotes": [1]})
    assert resolve("Where does he live?", state)[0] == "Where does Ann Lee live?"  # he is the one person named


def test_who_is_the_role_takes_only_names_from_the_last_turn():
    """'Who is the mayor?' after 'How many people died?' is a whole question: the people who died
    had led it to the sentence about an earlier quake. A name of the last turn still comes along."""
    assert resolve("Who is the mayor?", _state("How many people died?")) == ("Who is the mayor?", False)
    assert resolve("Who is the manager?", _state("How old is Ada Lowe?", ["Ada Lowe"]))[0] == "Who is the manager? Ada Lowe"
    assert resolve("On what day?", _state("How many were sent in May?"))[0] != "On what day?"  # "day" asks, names nothing


def test_he_is_the_lone_name_the_last_questions_wrote():
    """'Was Pennyfeather found guilty?' - 'How much did he steal?': a capitalised word that is no
    English word is someone's name ('Rovers' is a word: no one)."""
    state = _state("Was Pennyfeather found guilty?")
    assert resolve("How much did he steal?", state)[0] == "How much did Pennyfeather steal?"
    state = state.add({"question": "How much did he steal?", "resolved": "How much did Pennyfeather steal?",
                       "names": [], "quotes": [3]})
    state = state.add({"question": "How long is the sentence?", "resolved": "How long is the sentence?",
                       "names": [], "quotes": [4]})
    assert resolve("And when can he appeal?", state)[0].startswith("when can Pennyfeather appeal?")
    assert "Rovers" not in resolve("How old is he?", _state("How many games have Rovers lost?"))[0].split("?")[0]


def test_the_preposition_of_what_was_asked_is_not_borrowed():
    """'Why?' after 'By how much? the central bank cut rates' had become 'Why? By the central bank ...'."""
    text, _ = resolve("Why?", _state("By how much? the central bank cut rates"))
    assert text == "Why? the central bank cut rates"
