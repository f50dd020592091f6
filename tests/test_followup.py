"""Follow-up resolution from the chat's previous turn (pure function over ChatState)."""

from retrieval.followup import resolve
from retrieval.models import ChatState


def _state(resolved: str, names: list[str] | None = None) -> ChatState:
    return ChatState().add({"question": resolved, "resolved": resolved, "names": names or [], "quotes": [7, 9]})


def test_first_question_is_left_alone():
    assert resolve("And in May?", ChatState()) == ("And in May?", False)


def test_self_contained_question_is_left_alone():
    state = _state("How many bridges were repaired this week?")
    assert resolve("Who designed the harbour bridge?", state) == ("Who designed the harbour bridge?", False)


def test_and_in_month_replaces_the_previous_time_expression():
    text, _ = resolve("And in May?", _state("How many bridges were repaired this week?"))
    assert text == "How many bridges were repaired in May?"


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
