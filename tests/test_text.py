"""Folding: the ASCII fast path gives exactly what the general path gives."""

import pytest

from retrieval.text import fold, words


@pytest.mark.parametrize("text", ["Hello WORLD", "U.S. Justice", "ÉCOLE Méndez", "“Quoted” it’s", "ß Straße"])
def test_fold_matches_the_unicode_path(text):
    import unicodedata
    from retrieval.text import _FOLD_TABLE
    slow = "".join(c for c in unicodedata.normalize("NFKD", text.translate(_FOLD_TABLE))
                   if not unicodedata.combining(c)).casefold()
    assert fold(text) == slow


def test_words_keep_acronyms_and_numbers():
    assert words("The U.S. sent 1,000 people in 2019.") == ["the", "us.", "sent", "1000", "people", "in", "2019"]


@pytest.mark.parametrize("text", ["HOW MANY WERE SENT", "How many were sent", "US AND UK SENT 4", "Ⅻ ⅫⅫⅫⅫⅫⅫⅫ abc",
                                  "ÉCOLE MÉNDEZ ÉTÉ", "short", ""])
def test_shouting_check_counts_upper_case_letters_only(text):
    from retrieval.text import _mostly_upper
    letters = [c for c in text if c.isalpha()]
    expected = len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters)
    assert _mostly_upper(text) == expected
