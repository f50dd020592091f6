"""WordNet synonyms in the abstention check: the shipped table, and what it changes end to end."""

import gzip
from importlib import resources

import pytest

from retrieval import ChatState, Engine, synonyms
from retrieval import engine as engine_module
from retrieval.text import Analyzer


@pytest.fixture
def engine_over(make_docs, settings_for):
    return lambda text: Engine.open(settings_for(make_docs({"article.txt": text})))


def test_the_shipped_table_is_in_index_terms_with_multiword_synonyms():
    stem = Analyzer("english").stem
    assert ("death", "penalti") in synonyms.of(stem("execution"), "english")
    assert (stem("average"),) in synonyms.of(stem("ordinary"), "english")
    assert synonyms.of("qwzxv", "english") == ()
    assert synonyms.table("klingon") == {}


def test_the_table_holds_derived_forms_the_stemmer_keeps_apart():
    """"admit" and "admission" are different index terms; WordNet derives one from the other."""
    stem = Analyzer("english").stem
    assert stem("admit") != stem("admission")
    assert (stem("admission"),) in synonyms.of(stem("admit"), "english")
    assert (stem("prosecutor"),) in synonyms.of(stem("prosecute"), "english")


def test_a_two_word_phrase_is_matched_by_the_one_word_it_is_a_synonym_of():
    """WordNet's "military" is also "armed forces": the two terms together stand for the one word."""
    stem = Analyzer("english").stem
    armed, forces, military = stem("armed"), stem("forces"), stem("military")
    assert military in synonyms.phrases("english")[f"{armed} {forces}"]
    assert synonyms.matched([armed, forces], {military}, "english") == {armed, forces}
    assert synonyms.matched([forces, armed], {military}, "english") == set()  # in the question's order only


def test_a_question_saying_armed_forces_is_answered_from_the_military(engine_over):
    engine = engine_over("Floods close the valley roads\n\nThe governor of Tarnland ordered the military to clear the "
                         "flooded mountain roads on Sunday, after three days of rain.\n\nSchools in the valley "
                         "will stay shut until Wednesday, officials said.\n")
    answer = engine.ask("Did the governor tell the armed forces to clear the roads?")
    assert answer.answered and "ordered the military" in answer.quotes[0].text


def test_a_question_using_another_form_of_the_texts_word_is_answered(engine_over):
    engine = engine_over("Trial news\n\nThe minister made an admission of guilt on Tuesday.\n\n"
                         "The harbour reopened in May.\n")
    answer = engine.ask("What did the minister admit on Tuesday?")
    assert answer.answered and "admission of guilt" in answer.quotes[0].text


def test_an_acronym_reads_the_synonyms_of_its_lemma():
    """The analyzer writes "US" as "us."; WordNet's lemma is "US", stemmed "us"."""
    us = Analyzer("english").terms("US")[0]
    assert us == "us." and ("unit", "state") in synonyms.of(us, "english")
    assert (us,) not in synonyms.of(us, "english")


def test_a_question_s_acronym_is_matched_by_the_name_it_stands_for(engine_over):
    """'What did the US buy?' is about the "United States" of the text, which never writes "US"."""
    engine = engine_over("Trade news\n\nThe United States bought 40 tonnes of wheat in June.\n\n"
                         "The harbour reopened in May.\n")
    answer = engine.ask("What did the US buy?")
    assert answer.answered and "40 tonnes of wheat" in answer.quotes[0].text


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



COURT = ("Court news\n\nThe smugglers were held in Texas.\n\n"
         "Prosecutors will not seek the death penalty for the smugglers in Texas.\n")


def test_a_sentence_holding_a_key_word_as_a_synonym_gains_on_one_that_lacks_it(engine_over):
    from retrieval.answer import Ranked
    engine = engine_over(COURT)
    q = engine.query("Could the smugglers in Texas face execution?", ChatState()).q
    held, penalty = 0, 1  # sentence ids in document order
    # "execution" is one of four key words, held by the second sentence only as "death penalty"
    closer = engine._synonym_bonus(q, [Ranked(held, 1.0), Ranked(penalty, 0.5)])
    assert [r.sentence for r in closer] == [penalty, held]
    assert closer[1].score == 1.0 and 0.5 < closer[0].score <= 0.5 + engine_module.SYNONYM_BONUS
    farther = engine._synonym_bonus(q, [Ranked(held, 9.0), Ranked(penalty, 0.5)])  # a bonus, not a veto
    assert [r.sentence for r in farther] == [held, penalty]
