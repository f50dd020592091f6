"""The speller: typos become the documents' words; words of the language stay what they are."""

from __future__ import annotations

import pytest

from retrieval.spelling import Speller, is_word, lexicon

DOCUMENT_WORDS = frozenset("eight residents storm fishing steel cables engineers evidence attended "
                           "replaced couldn american austrian accounted".split())


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller.from_words(DOCUMENT_WORDS, lexicon("english"))


@pytest.mark.parametrize("word, expected", [
    ("cabels", "cables"),  # swapped letters
    ("enginers", "engineers"),  # a dropped letter
    ("replacd", "replaced"),
])
def test_a_typo_becomes_the_closest_document_word(speller, word, expected):
    assert speller.correct(word) == expected


@pytest.mark.parametrize("word", ["weight", "president", "story", "fighting"])
def test_a_word_of_the_language_is_not_turned_into_another(speller, word):
    """'weight' is one edit from 'eight', 'president' two from 'residents': other words, not typos."""
    assert speller.correct(word) is None


@pytest.mark.parametrize("word", ["unaccounted", "inaccounted", "nonaccounted"])
def test_a_negated_word_is_no_slip_for_the_word_it_negates(speller, word):
    """'Is anyone still unaccounted for?' must not become '... accounted for?'."""
    assert speller.correct(word) is None


@pytest.mark.parametrize("word, expected", [("evidenced", "evidence"), ("attendees", "attended")])
def test_a_word_of_the_language_may_take_another_ending(speller, word, expected):
    assert speller.correct(word) == expected


@pytest.mark.parametrize("word", ["america", "austria"])
def test_a_name_of_the_language_keeps_its_ending(speller, word):
    """'America' is not 'American': the name of a place, whose synonyms ('United States') the
    abstention check reads, is no misspelling of its people's adjective."""
    assert speller.correct(word) is None


def test_without_a_lexicon_every_unknown_word_is_a_typo():
    assert Speller.from_words(DOCUMENT_WORDS).correct("weight") == "eight"


@pytest.mark.parametrize("word, expected", [
    ("stopped", True),  # a doubled consonant before a verb's ending
    ("countries", True),  # a noun's plural
    ("driven", True),  # an irregular form from WordNet's exception lists
    ("biggest", True),
    ("hering", False),  # "here" is no verb: no "-ing"
    ("goverment", False),
    ("recieve", False),
])
def test_is_word_knows_lemmas_and_their_inflections(word, expected):
    assert is_word(word, lexicon("english")) is expected


def test_a_language_without_a_word_list_has_an_empty_lexicon():
    assert lexicon("klingon") == {}
