"""The engine end to end over small corpora: answers, silence, dedup, order, cache, language."""

import logging
import shutil
from pathlib import Path

import pytest

from retrieval import ChatState, Engine, NoDocumentsError
from retrieval.splitting import collapse

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

HARBOUR = (
    "Harbour report\n\n"
    "The new ferry terminal opened on Monday after four years of building work. "
    "Officials said the terminal cost 40 million euros.\n\n"
    "Fishermen complained that the works had scared away the herring. "
    "Ana M\u00e9ndez, who leads the fishing cooperative, said catches fell by half.\n"
)


@pytest.fixture
def harbour(make_docs, settings_for):
    return Engine.open(settings_for(make_docs({"harbour.txt": HARBOUR})))


def test_seed_example_question_quotes_the_february_sentence(settings_for) -> None:
    answer = Engine.open(settings_for(SEEDS)).ask("how many were extradited in February?")
    assert answer.answered
    assert "sent 29 cartel leaders to the United States in February" in answer.quotes[0].text
    assert answer.quotes[0].source == "000_d6364650917e31b6.txt"
    assert answer.quotes[0].paragraph == 2


def test_seed_example_follow_up_asks_about_this_week(settings_for) -> None:
    engine = Engine.open(settings_for(SEEDS))
    first = engine.ask("how many were extradited in February?")
    then = engine.ask("And this week?", state=first.state)
    assert then.resolved_question == "how many were extradited this week?"
    assert then.answered and then.answer == "26"
    assert "sent 26 people accused of being cartel operatives" in then.quotes[0].text


UNION = (
    "Dockers vote to strike\n\n"
    "The Harbour Workers Union (HWU) voted to strike on Monday, and its leader, Ines Brook, said talks had failed. "
    "The port handles 900 ships a year.\n\n"
    "Ms. Brook, 52, a former crane driver, spoke outside the gates.\n"
)
FAIR = "Town fair\n\nThe town fair drew 4,000 visitors, said its organiser, Piet Vos, 61, on Sunday.\n"


def test_how_old_is_she_after_who_leads_finds_her_age_sentences_later(make_docs, settings_for) -> None:
    engine = Engine.open(settings_for(make_docs({"union.txt": UNION, "fair.txt": FAIR})))
    first = engine.ask("Who leads the Harbour Workers Union?")
    assert first.answered and first.answer == "Ines Brook"
    then = engine.ask("How old is she?", state=first.state)
    assert then.resolved_question == "How old is Ines Brook?"
    assert then.answered and then.answer == "52"
    assert then.quotes[0].text.startswith("Ms. Brook, 52")


def test_where_is_it_based_after_a_named_answer_asks_about_that_name(make_docs, settings_for) -> None:
    takeover = ("Halcyra buys Nimbrel\n\nHalcyra agreed on Thursday to buy its smaller rival Nimbrel Data for "
                "$2.4 billion. Halcyra is based in Osterwick.\n\n"
                "Nimbrel Data, which is based in the city of Ravensholt, was founded in 2015.\n")
    engine = Engine.open(settings_for(make_docs({"takeover.txt": takeover, "fair.txt": FAIR})))
    first = engine.ask("Which rival is Halcyra buying?")
    assert first.answered and first.answer == "Nimbrel Data"
    then = engine.ask("Where is it based?", state=first.state)
    assert then.resolved_question == "Where is Nimbrel Data based?"
    assert then.answered and then.answer == "Ravensholt"


def test_every_quote_is_a_verbatim_sentence_of_its_source(settings_for) -> None:
    engine = Engine.open(settings_for(SEEDS))
    source = collapse((SEEDS / "000_d6364650917e31b6.txt").read_text(encoding="utf-8"))
    for question in ["Who is Claudia Sheinbaum?", "What did the Pentagon do?", "why were they sent?"]:
        for quote in engine.ask(question).quotes:
            assert quote.text in source


def test_question_with_no_matching_term_is_not_answered(harbour) -> None:
    answer = harbour.ask("What is the capital of France?")
    assert not answer.answered and answer.quotes == ()


def test_accents_and_case_are_folded_for_matching_only(harbour) -> None:
    answer = harbour.ask("what did ana mendez say?")
    assert answer.answered
    assert "Ana M\u00e9ndez" in answer.quotes[0].text  # shown with its original accent


def test_quote_carries_source_title_and_paragraph(harbour) -> None:
    quote = harbour.ask("How much did the terminal cost?").quotes[0]
    assert quote.text == "Officials said the terminal cost 40 million euros."
    assert (quote.source, quote.title, quote.paragraph) == ("harbour.txt", "Harbour report", 1)


def test_two_copies_of_an_article_give_one_quote_each_sentence(make_docs, settings_for) -> None:
    engine = Engine.open(settings_for(make_docs({"a.txt": HARBOUR, "copy/a.txt": HARBOUR})))
    texts = [q.text for q in engine.ask("herring fishermen catches").quotes]
    assert len(texts) == len(set(texts))


def test_ties_are_broken_by_document_order(make_docs, settings_for) -> None:
    same = "Title\n\nThe lighthouse keeper rang the bell at noon every single day.\n"
    engine = Engine.open(settings_for(make_docs({"b.txt": same.replace("Title", "B"), "a.txt": same})))
    sources = [q.source for q in engine.ask("lighthouse bell", k=2).quotes]
    assert sources[0] == "a.txt"  # identical sentences: the earlier document wins, every time


def test_ask_returns_the_next_chat_state_and_reset_is_a_fresh_state(harbour) -> None:
    first = harbour.ask("When did the terminal open?")
    assert first.state.last["question"] == "When did the terminal open?"
    assert len(harbour.ask("And the cost?", first.state).state.turns) == 2
    assert ChatState.from_dict(first.state.to_dict()) == first.state
    assert ChatState().turns == ()


def test_context_returns_neighbouring_sentences_of_the_same_document(harbour) -> None:
    quote = harbour.ask("herring").quotes[0]
    around = [s.text for s in harbour.context(quote.sentence, window=1)]
    assert quote.text in around and len(around) == 3


def test_spanish_documents_match_through_the_spanish_stemmer(make_docs, settings_for) -> None:
    doc = "Noticias\n\nLos pescadores protestaron contra las obras del puerto durante tres semanas.\n"
    engine = Engine.open(settings_for(make_docs({"es.txt": doc}), language="spanish"))
    assert engine.ask("\u00bfPor qu\u00e9 protestan los pescadores?").answered


def test_unknown_language_is_a_clear_error(make_docs, settings_for) -> None:
    with pytest.raises(ValueError, match="unknown language 'klingon'"):
        Engine.open(settings_for(make_docs({"a.txt": HARBOUR}), language="klingon"))


def test_index_is_saved_and_reused_until_a_document_changes(make_docs, settings_for) -> None:
    folder = make_docs({"harbour.txt": HARBOUR})
    settings = settings_for(folder)
    assert Engine.open(settings).stats["cached"] is False
    assert Engine.open(settings).stats["cached"] is True
    (folder / "more.txt").write_text("More\n\nA second pier will be built next spring for the cruise ships.\n")
    reopened = Engine.open(settings)
    assert reopened.stats["cached"] is False and reopened.stats["documents"] == 2
    assert reopened.ask("cruise ships pier").answered
    (folder / "more.txt").unlink()
    assert Engine.open(settings).stats["documents"] == 1


def test_changing_an_index_setting_rebuilds(make_docs, settings_for) -> None:
    folder = make_docs({"harbour.txt": HARBOUR})
    Engine.open(settings_for(folder))
    assert Engine.open(settings_for(folder, k1=1.5)).stats["cached"] is False


@pytest.mark.parametrize("damage", ["garbage_manifest", "truncated_array", "foreign_format", "dangling_pointer"])
def test_corrupt_or_foreign_cache_is_rebuilt_with_a_warning(make_docs, settings_for, caplog, damage) -> None:
    settings = settings_for(make_docs({"harbour.txt": HARBOUR}))
    Engine.open(settings)
    build = settings.index_dir / (settings.index_dir / "CURRENT").read_text().strip()
    if damage == "garbage_manifest":
        (build / "manifest.json").write_text("{not json")
    elif damage == "truncated_array":
        array = max(build.glob("*.npy"), key=lambda p: p.stat().st_size)
        array.write_bytes(array.read_bytes()[:20])
    elif damage == "foreign_format":
        (build / "manifest.json").write_text('{"format": "someone-else/9"}')
    else:
        shutil.rmtree(build)
    with caplog.at_level(logging.WARNING):
        engine = Engine.open(settings)
    assert engine.stats["cached"] is False
    assert any("rebuilding" in r.getMessage() for r in caplog.records)
    assert engine.ask("herring").answered
    assert Engine.open(settings).stats["cached"] is True


def test_folder_without_usable_documents_raises_no_documents(make_docs, settings_for) -> None:
    with pytest.raises(NoDocumentsError):
        Engine.open(settings_for(make_docs({"empty.txt": "", "bin.txt": b"\x00\x01\x02"})))
    with pytest.raises(NoDocumentsError):
        Engine.open(settings_for(make_docs({"notes.docx": "x"})))
