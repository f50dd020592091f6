"""The SQuAD runner: articles written as documents, questions and gold answers read, scored by hit@k."""

import json

import pytest

from bot import squad
from bot.evaluation import FixtureError

DATA = {"version": "1.1", "data": [
    {"title": "Super_Bowl_50", "paragraphs": [
        {"context": "Super Bowl 50 was an American football game.\nThe Denver Broncos won it.",
         "qas": [{"id": "a", "question": "Who won Super Bowl 50?",
                  "answers": [{"text": "Denver Broncos", "answer_start": 50},
                              {"text": "Denver Broncos", "answer_start": 50},
                              {"text": "The Denver Broncos", "answer_start": 46}]}]},
        {"context": "The game was played in Santa Clara.",
         "qas": [{"id": "b", "question": "Where was the game played?", "answers": [{"text": "Santa Clara", "answer_start": 23}]}]}]},
    {"title": "Warsaw", "paragraphs": [
        {"context": "Warsaw is the capital of Poland.",
         "qas": [{"id": "c", "question": "What is Warsaw the capital of?", "answers": [{"text": "Poland", "answer_start": 25}]}]}]},
]}


@pytest.fixture
def dataset(tmp_path):
    path = tmp_path / "dev.json"
    path.write_text(json.dumps(DATA), encoding="utf-8")
    return path


def test_article_is_its_title_then_paragraphs_separated_by_blank_lines():
    text = squad.article_text("Super_Bowl_50", ["One  two.\nThree.", "Four."])
    assert text == "Super Bowl 50\n\nOne two. Three.\n\nFour.\n"


def test_dataset_gives_one_document_per_article_and_every_question(dataset):
    documents, questions = squad.load_dataset(dataset)
    assert [name for name, _ in documents] == ["000_Super_Bowl_50.txt", "001_Warsaw.txt"]
    assert [q.id for q in questions] == ["a", "b", "c"]
    assert questions[0].golds == ("Denver Broncos", "The Denver Broncos")  # duplicates dropped, order kept
    assert questions[2].article == "Warsaw"


def test_unchanged_documents_are_not_rewritten(dataset, tmp_path):
    documents, _ = squad.load_dataset(dataset)
    folder = tmp_path / "articles"
    squad.write_documents(documents, folder)
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    squad.write_documents(documents, folder)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


@pytest.mark.parametrize("content", ["not json", json.dumps({"no": "data"}), json.dumps({"data": [{"title": "x"}]})])
def test_a_file_that_is_not_squad_is_a_fixture_error(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FixtureError, match=str(path)):
        squad.load_dataset(path)


def test_run_scores_hits_against_the_gold_answers(dataset, settings_for, tmp_path):
    report = squad.run_squad(dataset, settings_for(tmp_path))
    overall = report["overall"]
    assert overall["questions"] == 3 and overall["documents"] == 2
    assert overall["hit_at_5"] == 1.0  # six sentences in all: each answer sentence is among the first five
    assert overall["hit_at_5"] >= overall["hit_at_3"] >= overall["hit_at_1"]
    assert overall["fidelity_errors"] == 0
    assert set(report["by_tag"]) == {"Super Bowl 50", "Warsaw"}


def test_limit_asks_only_the_first_questions(dataset, settings_for, tmp_path):
    report = squad.run_squad(dataset, settings_for(tmp_path), limit=2)
    assert report["overall"]["questions"] == 2
    assert list(report["by_tag"]) == ["Super Bowl 50"]


def test_a_miss_is_listed_with_its_gold_answers(dataset, settings_for, tmp_path, monkeypatch):
    class Silent:
        stats = {}

        def ask(self, question, state=None):
            from retrieval.models import Answer
            return Answer(question, answered=False, reason="test")

    monkeypatch.setattr(squad, "_open_engine", lambda settings: Silent())
    report = squad.run_squad(dataset, settings_for(tmp_path))
    assert report["overall"]["hit_at_5"] == 0.0 and report["overall"]["abstained"] == 1.0
    assert report["missed"][0] == {"id": "a", "question": "Who won Super Bowl 50?",
                                   "gold": ["Denver Broncos", "The Denver Broncos"], "top_quote": None,
                                   "answer": None, "rank": None}
