"""WordNet synonyms in the abstention check: the shipped table, and what it changes end to end."""

import gzip
from importlib import resources

import pytest

from retrieval import Engine, synonyms
from retrieval.text import Analyzer


@pytest.fixture
def engine_over(make_docs, settings_for):
    return lambda text: Engine.open(settings_for(make_docs({"article.txt": text})))


def test_the_shipped_table_is_in_index_terms_with_multiword_synonyms():
    stem = Analyzer("english").stem
    assert ("death", "penalti") in synonyms.of(stem("execution"), "english")
    assert (stem("average"),) in synonyms.of(stem("ordinary"), "english")
    assert synonyms.of("qwzxv", "english") == []
    assert synonyms.table("klingon") == {}


def test_the_table_ships_with_wordnets_licence():
    data = resources.files("retrieval.data")
    assert "Princeton University" in data.joinpath("WORDNET_LICENSE.txt").read_text("utf-8")
    lines = gzip.decompress(data.joinpath("synonyms_english.txt.gz").read_bytes()).decode("utf-8").splitlines()
    assert len(lines) > 40_000 and all("\t" in line for line in lines[:1000])


def test_matched_needs_every_word_of_a_multiword_synonym():
    stem = Analyzer("english").stem
    execution = stem("execution")
    assert synonyms.matched([execution], {"death", "penalti", "court"}, "english") == {execution}
    assert synonyms.matched([execution], {"death", "court"}, "english") == set()
    assert synonyms.matched([execution], {execution}, "english") == set()  # already there: nothing to add


def test_a_question_in_other_words_is_answered_and_one_about_something_else_is_not(engine_over):
    engine = engine_over(
        "Extradition news\n\nThe harbour report came out in May and the port reopened.\n\n"
        "Officials said the prosecutors had agreed not to seek the death penalty for the 26 suspects.\n")
    answer = engine.ask("Could the suspects face execution?")
    assert answer.answered and "death penalty" in answer.quotes[0].text
    assert not engine.ask("Could the suspects face a curfew?").answered
