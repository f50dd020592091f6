"""`quoteqa eval` end to end, run as a subprocess the way a user or CI runs it."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CORPUS = {
    "cheese.txt": "Cheese\n\nGouda is a Dutch cheese made from cow milk.\n\nBrie comes from France.\n",
    "bikes.txt": "Bicycles\n\nA tandem bicycle seats two riders.\n\nFixies have a single gear.\n",
}
FIXTURES = """
- id: gouda
  question: Which country does Gouda cheese come from?
  expect:
    quote_contains: ["Gouda is a Dutch cheese"]
  tags: [place]
- id: tandem
  question: How many riders does a tandem bicycle seat?
  expect:
    quote_contains: ["seats two riders"]
  tags: [count]
- id: brie-wrong
  question: Where does Brie come from?
  expect:
    quote_contains: ["Fixies have a single gear"]
  tags: [place]
"""


@pytest.fixture
def corpus(make_docs) -> Path:
    return make_docs(CORPUS)


@pytest.fixture
def fixtures(tmp_path) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(FIXTURES, encoding="utf-8")
    return path


def test_eval_prints_the_figures_and_the_missed_case(run_cli, corpus, fixtures):
    done = run_cli("eval", str(fixtures), "--docs", str(corpus))
    assert done.returncode == 0, done.stderr
    assert "quote@1" in done.stdout and "0.667" in done.stdout
    assert "brie-wrong" in done.stdout and "gouda" not in done.stdout.split("missed case")[1]


def test_eval_json_is_one_machine_readable_report(run_cli, corpus, fixtures):
    done = run_cli("eval", str(fixtures), "--docs", str(corpus), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["overall"]["cases"] == 3
    assert report["overall"]["quote_at_1"] == pytest.approx(0.6667)
    assert sorted(report["by_tag"]) == ["count", "place"]
    assert report["failures"] == []


def test_eval_exits_1_when_a_threshold_is_not_met(run_cli, corpus, fixtures):
    done = run_cli("eval", str(fixtures), "--docs", str(corpus), "--min-quote1", "0.9")
    assert done.returncode == 1
    assert "below --min-quote1 0.9" in done.stdout


def test_eval_exits_1_when_too_many_answers_are_wrong(run_cli, corpus, fixtures):
    done = run_cli("eval", str(fixtures), "--docs", str(corpus), "--json")
    wrong = json.loads(done.stdout)["overall"]["wrong_answer_rate"]
    assert wrong > 0  # one of the three cases is answered with the wrong first quote
    failed = run_cli("eval", str(fixtures), "--docs", str(corpus), "--max-wrong", f"{wrong - 0.01:.2f}")
    assert failed.returncode == 1 and "above --max-wrong" in failed.stdout
    passed = run_cli("eval", str(fixtures), "--docs", str(corpus), "--max-wrong", f"{wrong + 0.01:.2f}")
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_eval_exits_0_when_thresholds_are_met(run_cli, corpus, fixtures):
    done = run_cli("eval", str(fixtures), "--docs", str(corpus), "--min-quote1", "0.6", "--min-abstain", "0.6")
    assert done.returncode == 0, done.stdout + done.stderr


def test_eval_writes_the_html_report(run_cli, corpus, fixtures, tmp_path):
    report = tmp_path / "report.html"
    done = run_cli("eval", str(fixtures), "--docs", str(corpus), "--report", str(report))
    assert done.returncode == 0, done.stderr
    text = report.read_text(encoding="utf-8")
    assert text.count('class="bar"') == 2 and "<svg" in text and 'class="by-tag"' in text


def test_malformed_fixture_exits_2_naming_file_case_and_field(run_cli, corpus, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: broken, question: 'q?', expect: {answer: [29]}}\n", encoding="utf-8")
    done = run_cli("eval", str(bad), "--docs", str(corpus))
    assert done.returncode == 2
    assert done.stderr.startswith("Error:")
    assert str(bad) in done.stderr and "broken" in done.stderr and "expect.quote_contains" in done.stderr


def test_eval_without_fixtures_or_squad_exits_2(run_cli, corpus):
    done = run_cli("eval", "--docs", str(corpus))
    assert done.returncode == 2 and "FIXTURES" in done.stderr


def test_eval_squad_runs_a_small_dataset(run_cli, corpus, tmp_path):
    data = {"version": "1.1", "data": [{"title": "Cheese_making", "paragraphs": [
        {"context": "Gouda is a Dutch cheese. Brie comes from France.",
         "qas": [{"id": "1", "question": "Where does Brie come from?", "answers": [{"text": "France", "answer_start": 40}]},
                 {"id": "2", "question": "Which cheese is Dutch?", "answers": [{"text": "Gouda", "answer_start": 0}]}]}]}]}
    squad = tmp_path / "squad.json"
    squad.write_text(json.dumps(data), encoding="utf-8")
    done = run_cli("eval", "--squad", str(squad), "--limit", "1", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["overall"]["questions"] == 1 and report["overall"]["documents"] == 1
    assert report["overall"]["hit_at_1"] == 1.0


def test_seed_fixture_set_runs_with_every_quote_verbatim(run_cli):
    done = run_cli("eval", "tests/fixtures/seed_questions.yaml", "--docs", "seeds", "--json", cwd=ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    report = json.loads(done.stdout)
    assert report["overall"]["cases"] >= 70
    assert report["overall"]["fidelity_errors"] == 0
