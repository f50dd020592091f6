"""Splitting documents into header lines, paragraphs and sentences."""

import pytest

from retrieval.splitting import collapse, header_fields, layout, split_sentences
from pathlib import Path

SEED_ARTICLE = Path(__file__).resolve().parent.parent / "seeds" / "000_d6364650917e31b6.txt"


def seed_sentences() -> list[str]:
    parts = layout(SEED_ARTICLE.read_text(encoding="utf-8"))
    return [s for p in parts.paragraphs for s in split_sentences(p)]


def test_seed_article_body_splits_into_its_32_sentences() -> None:
    sentences = seed_sentences()
    assert len(sentences) == 32  # counted by hand
    assert sentences[7] == ("It said that the U.S. Justice Department had requested their extradition "
                            "and had committed to not requesting the death penalty in their cases.")
    assert sentences[6].endswith("represented a permanent risk to public security.\u201d")
    assert sentences[-1] == "We can\u2019t process them in our system.\u201d"


def test_seed_sentences_are_verbatim_slices_of_the_file() -> None:
    text = collapse(SEED_ARTICLE.read_text(encoding="utf-8"))
    for sentence in seed_sentences():
        assert sentence in text


def test_page_furniture_is_neither_body_nor_a_sentence() -> None:
    parts = layout(SEED_ARTICLE.read_text(encoding="utf-8"))
    body = " ".join(parts.paragraphs)
    assert "min read" not in body
    assert not body.rstrip().endswith("Comments")
    assert "Comments" not in seed_sentences()


def test_header_fields_keep_title_byline_date_and_publication_verbatim() -> None:
    text = "Big storm hits the coast\n- The Daily Planet\n\n- Mar 3, 2024\n- 5 min read\n\nBy Lois Lane and Clark Kent\n" \
           "The storm reached the coast on Sunday morning and knocked out power for thousands of homes.\n"
    fields = header_fields(layout(text).header)
    assert fields == {"title": "Big storm hits the coast", "byline": "By Lois Lane and Clark Kent",
                      "date": "Mar 3, 2024", "publication": "The Daily Planet"}


@pytest.mark.parametrize("text, expected", [
    ("Mr. Smith went to Washington. He met Dr. Jones there.",
     ["Mr. Smith went to Washington.", "He met Dr. Jones there."]),
    ("The book by J. R. R. Tolkien sold well. It is long.",
     ["The book by J. R. R. Tolkien sold well.", "It is long."]),
    ("The meeting began at 9 a.m. Tuesday in the hall. Nobody came.",
     ["The meeting began at 9 a.m. Tuesday in the hall.", "Nobody came."]),
    ("Prices rose 3.5 percent. Wages rose 2.1 percent.", ["Prices rose 3.5 percent.", "Wages rose 2.1 percent."]),
    ("The U.S. Army said so. Then it left the U.S. The next day was calm.",
     ["The U.S. Army said so.", "Then it left the U.S.", "The next day was calm."]),
    ("\u201cWe will win. They will lose,\u201d he said. \u201cNo doubt.\u201d",
     ["\u201cWe will win.", "They will lose,\u201d he said.", "\u201cNo doubt.\u201d"]),
    ("Is it true? Yes! It is.", ["Is it true?", "Yes!", "It is."]),
    ("No punctuation at the end", ["No punctuation at the end"]),
    ("", []),
    ("   spaced    out   text.   ", ["spaced out text."]),
])
def test_split_sentences_edge_cases(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_a_sentence_never_joins_two_paragraphs() -> None:
    parts = layout("Title\n\nFirst paragraph ends without a stop\nSecond line is its own paragraph here.\n\nThird one.")
    sentences = [s for p in parts.paragraphs for s in split_sentences(p)]
    assert all("stop Second" not in s for s in sentences)


def test_hard_wrapped_lines_join_into_one_paragraph() -> None:
    text = ("Report\n\nThe committee met on a rainy afternoon to discuss the budget for\n"
            "the coming year, and after a long debate it agreed on a\nsmaller plan than expected.\n")
    parts = layout(text)
    assert parts.paragraphs == ("The committee met on a rainy afternoon to discuss the budget for the coming "
                                "year, and after a long debate it agreed on a smaller plan than expected.",)
