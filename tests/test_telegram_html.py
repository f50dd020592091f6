"""The Telegram HTML renderer: escaping, the bold short answer, and splitting long replies."""

from __future__ import annotations

import html

import pytest

from bot.telegram_html import (MAX_MESSAGE, _split, answer_html, context_html, quote_html, sources_html,
                               split_html, visible_length)
from bot_api_server import parse_html, utf16_len
from retrieval.models import Answer, Document, Quote, Sentence

HOSTILE = [
    "<script>alert('x')</script>",
    "AT&T & Sons &amp; &lt;not a tag&gt;",
    "an unbalanced <b>bold and </i> end",
    'quotes " and \' and <a href="javascript:x">link</a>',
]


def quote(text: str, span: tuple[int, int] | None = None, title: str = "Title", source: str = "a.txt",
          paragraph: int = 2) -> Quote:
    return Quote(text=text, source=source, title=title, paragraph=paragraph, score=1.0, sentence=0,
                 answer_span=span)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_quote_text_comes_out_verbatim_after_telegram_parses_it(text):
    rendered, _ = parse_html(quote_html(quote(text, title=text, source=text)))
    assert rendered.startswith(text + "\n")
    assert rendered.count(text) == 3


def test_answer_span_is_bold_and_text_around_it_is_unchanged():
    q = quote("Mexico sent 29 cartel leaders in February.", span=(12, 29))
    markup = quote_html(q)
    assert "<b>29 cartel leaders</b>" in markup
    text, entities = parse_html(markup)
    bold = [e for e in entities if e["type"] == "bold"]
    assert [text[e["offset"]:e["offset"] + e["length"]] for e in bold] == ["29 cartel leaders"]


def test_quote_sits_in_a_blockquote_followed_by_its_source_line():
    text, entities = parse_html(quote_html(quote("The lamp burned oil.", title="Lights", paragraph=3)))
    assert text == "The lamp burned oil.\n— Lights (a.txt, paragraph 3)"
    assert {"type": "blockquote", "offset": 0, "length": len("The lamp burned oil.")} in entities


@pytest.mark.parametrize("span", [(5, 2), (0, 999), (-1, 3)])
def test_a_span_outside_the_text_is_ignored_rather_than_breaking_the_quote(span):
    assert "<b>" not in quote_html(quote("short text", span=span))


def test_unanswered_question_gets_the_not_found_text_escaped():
    answer = Answer(question="q", answered=False)
    assert answer_html(answer, "Not <found> & sorry") == "Not &lt;found&gt; &amp; sorry"


def test_answer_shows_only_the_requested_number_of_quotes():
    answer = Answer(question="q", answered=True, quotes=(quote("First one."), quote("Second one.")))
    assert "Second" not in answer_html(answer, "none", shown=1)
    assert "Second" in answer_html(answer, "none")


def test_context_underlines_the_quoted_sentence_only():
    sentences = tuple(Sentence(text=t, doc=0, passage=0, position=i)
                      for i, t in enumerate(["Before <it>.", "The quote.", "After & more."]))
    text, entities = parse_html(context_html(sentences, 1, "T", "t.txt", 1))
    assert text.startswith("Before <it>. The quote. After & more.\n")
    underline = [text[e["offset"]:e["offset"] + e["length"]] for e in entities if e["type"] == "underline"]
    assert underline == ["The quote."]


def test_sources_list_escapes_titles():
    docs = [Document(source="x.txt", title="<b>Bold & brave", n_passages=4)]
    text, _ = parse_html(sources_html(docs))
    assert text == "• <b>Bold & brave — x.txt (4 paragraphs)"


def test_short_markup_is_one_part_unchanged():
    markup = quote_html(quote("Short."))
    assert split_html(markup) == [markup]


@pytest.mark.parametrize("markup", [
    "", "   ", "<b></b>", " <b> </b> ", "plain text.  ", "<b>unclosed bold", "<b><i>two unclosed",
    "closing without opening</i>", "<blockquote>A. B! C?</blockquote>\n— <i>T</i> (x.txt, paragraph 1)",
    "<y starts like a tag", "<b>x</b><y", "&amp;&lt;b&gt; &#128512; 😀", "a\n\n\nb <u></u>",
])
def test_markup_that_fits_as_written_is_the_one_part_the_full_splitter_makes(markup):
    assert split_html(markup) == _split(markup, MAX_MESSAGE)
    assert split_html(markup, limit=len(markup)) == _split(markup, len(markup))


def long_quote_markup(n: int = 300) -> tuple[str, list[str]]:
    sentences = [f"Sentence number {i} says that A&B <is> fine." for i in range(n)]
    return quote_html(quote(" ".join(sentences))), sentences


def test_long_reply_parts_each_fit_and_parse_as_telegram_would():
    markup, _ = long_quote_markup()
    parts = split_html(markup, limit=1000)
    assert len(parts) > 1
    for part in parts:
        text, entities = parse_html(part)  # raises on a broken tag
        assert utf16_len(text) <= 1000
        assert any(e["type"] == "blockquote" for e in entities)  # tags reopened in every part


def test_long_reply_is_cut_only_at_sentence_ends_and_loses_nothing():
    markup, sentences = long_quote_markup()
    texts = [parse_html(p)[0] for p in split_html(markup, limit=1000)]
    for text in texts[:-1]:
        assert text.endswith(".")
    assert " ".join(texts).replace("\n", " ").startswith(" ".join(sentences))


def test_reply_at_exactly_the_limit_is_not_split():
    markup = "x" * MAX_MESSAGE
    assert split_html(markup) == [markup]
    assert len(split_html(markup + ".")) == 2


def test_limit_is_counted_in_utf16_code_units():
    emoji = "😀" * 3000 + ". " + "😀" * 10  # each emoji is two UTF-16 code units
    parts = split_html(emoji)
    assert [visible_length(p) for p in parts] == [MAX_MESSAGE, 2 * 952 + 1 + 1 + 2 * 10]
    assert parts[0] == "😀" * (MAX_MESSAGE // 2)
    assert "".join(parts).replace(" ", "").replace(".", "") == "😀" * 3010


def test_entities_are_never_cut_in_half():
    markup = html.escape("&" * 5000)  # one "word" of 5000 escaped ampersands
    parts = split_html(markup)
    assert [parse_html(p)[0] for p in parts] == ["&" * MAX_MESSAGE, "&" * (5000 - MAX_MESSAGE)]


def test_sentence_longer_than_a_message_is_cut_between_words():
    words = " ".join(f"word{i}" for i in range(2000))  # no sentence end at all
    parts = split_html(f"<blockquote>{words}</blockquote>")
    texts = [parse_html(p)[0] for p in parts]
    assert len(texts) >= 2
    assert all(t.split()[-1].startswith("word") and t.split()[-1][4:].isdigit() for t in texts)
    assert " ".join(texts).split() == words.split()
