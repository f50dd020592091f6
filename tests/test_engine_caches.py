"""What the engine keeps between questions (decoded sentences, their words) never changes an answer."""

from pathlib import Path

import pytest

from retrieval import ChatState, Engine
from retrieval.corpus import SentenceTable

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUESTIONS = [
    "How many were extradited in February?",
    "Who did Mexico send to the United States?",
    "What did the Mexican government say on Tuesday?",
    "What did The New York Times report on Friday?",
    "And in February?",
    "Who spoke on condition of anonymity?",
]


def decoded(table: SentenceTable, i: int) -> str:
    return table.blob[table.offsets[i]:table.offsets[i + 1]].tobytes().decode("utf-8")


def test_a_sentence_read_again_is_the_same_sentence(settings_for) -> None:
    table = Engine.open(settings_for(SEEDS)).corpus.sentences
    first = [table[i] for i in range(len(table))]
    assert [table[i] for i in reversed(range(len(table)))] == first[::-1]
    assert list(table[2:7]) == first[2:7]
    assert table[-1] == first[-1]
    assert [s.text for s in first] == [decoded(table, i) for i in range(len(table))]


def test_sentences_stay_right_when_the_cache_is_smaller_than_the_corpus(settings_for, monkeypatch) -> None:
    monkeypatch.setattr(SentenceTable, "CACHED", 3)
    table = Engine.open(settings_for(SEEDS)).corpus.sentences
    assert len(table) > 3
    for order in (range(len(table)), reversed(range(len(table))), [0, 5, 0, 9, 5, 1, 0]):
        for i in order:
            assert table[i].text == table.text(i) == decoded(table, i)


@pytest.mark.parametrize("bad", [10**9, -10**9])
def test_a_sentence_out_of_range_is_an_index_error(settings_for, bad) -> None:
    table = Engine.open(settings_for(SEEDS)).corpus.sentences
    with pytest.raises(IndexError):
        table[bad]


def ask_all(engine: Engine) -> list:
    state, answers = ChatState(), []
    for question in QUESTIONS:
        answer = engine.ask(question, state)
        state = answer.state
        answers.append(answer)
    return answers


def test_answers_are_the_same_from_a_warm_engine_and_a_fresh_one(settings_for) -> None:
    settings = settings_for(SEEDS)
    warm = Engine.open(settings)
    first = ask_all(warm)
    assert ask_all(warm) == first
    assert ask_all(Engine.open(settings)) == first
    assert sum(a.answered for a in first) >= 4
