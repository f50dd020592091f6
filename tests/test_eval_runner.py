"""The eval runner: chats per case, quote fidelity, thresholds; with a scripted engine and the real one."""

import argparse
import json
from pathlib import Path

import pytest

from bot import evaluation
from bot.evaluation import Case, SourceTexts, build_report, gate_failures, run_case, run_cases
from retrieval import Engine
from retrieval.models import Answer, ChatState, Quote

DOC = "Mexico sent 26 people to the\nUnited States this week.\n\nIt sent 29 in February.\n"


class ScriptedEngine:
    """Answers from a script {question: (answered, [quote texts], short answer)}; records each ask."""

    def __init__(self, script, source="a.txt"):
        self.script, self.source, self.asked = script, source, []
        self.stats = {"documents": 1}

    def ask(self, question, state=None):
        state = state or ChatState()
        self.asked.append((question, len(state.turns)))
        answered, texts, short = self.script.get(question, (False, [], None))
        quotes = tuple(Quote(text=t, source=self.source, title="A", paragraph=1, score=1.0, sentence=i)
                       for i, t in enumerate(texts))
        return Answer(question, answered=answered, quotes=quotes, answer=short,
                      state=state.add({"question": question}))


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(DOC, encoding="utf-8")
    return folder


def _args(**given) -> argparse.Namespace:
    values = dict(fixtures=None, json=False, report=None, min_quote1=None, min_answer=None, min_abstain=None,
                  max_wrong=None, squad=None, limit=None)
    values.update(given)
    return argparse.Namespace(**values)


def test_before_questions_are_asked_first_in_the_same_chat(docs):
    engine = ScriptedEngine({})
    case = Case(id="f", question="And in February?", before=("How many this week?", "Where to?"),
                quote_contains=("29",))
    run_case(engine, case, SourceTexts(docs))
    assert engine.asked == [("How many this week?", 0), ("Where to?", 1), ("And in February?", 2)]


def test_every_case_starts_a_fresh_chat(docs):
    engine = ScriptedEngine({})
    cases = [Case(id=str(i), question=f"q{i}", quote_contains=("x",)) for i in range(3)]
    run_cases(engine, cases, docs)
    assert [turns for _, turns in engine.asked] == [0, 0, 0]


def test_rank_is_that_of_the_first_quote_holding_an_expected_piece(docs):
    engine = ScriptedEngine({"q": (True, ["It sent 29 in February.", "Mexico sent 26 people to the United States this week."], None)})
    result, _ = run_case(engine, Case(id="c", question="q", quote_contains=("26 PEOPLE",)), SourceTexts(docs))
    assert result.rank == 2 and not result.passed


def test_a_declined_answer_has_no_rank_even_with_quotes(docs):
    engine = ScriptedEngine({"q": (False, ["It sent 29 in February."], None)})
    result, _ = run_case(engine, Case(id="c", question="q", quote_contains=("29",)), SourceTexts(docs))
    assert result.rank is None


def test_short_answer_is_scored_against_the_expected_answers(docs):
    engine = ScriptedEngine({"q": (True, ["It sent 29 in February."], "29")})
    result, _ = run_case(engine, Case(id="c", question="q", quote_contains=("29",), answers=("29",)), SourceTexts(docs))
    assert result.answer_em == 1.0 and result.passed


def test_quote_whose_whitespace_differs_from_the_file_is_verbatim(docs):
    engine = ScriptedEngine({"q": (True, ["Mexico sent 26 people to the United States this week."], None)})
    result, _ = run_case(engine, Case(id="c", question="q", quote_contains=("26",)), SourceTexts(docs))
    assert result.fidelity_errors == ()


@pytest.mark.parametrize("texts, short, phrase", [
    (["Mexico sent 27 people to the United States this week."], None, "quote not verbatim"),
    (["It sent 29 in february."], None, "quote not verbatim"),  # case matters for fidelity
    (["It sent 29 in February."], "26", "not in the top quote"),
])
def test_non_verbatim_quote_or_short_answer_is_a_fidelity_error(docs, texts, short, phrase):
    engine = ScriptedEngine({"q": (True, texts, short)})
    result, _ = run_case(engine, Case(id="c", question="q", quote_contains=("29",)), SourceTexts(docs))
    assert any(phrase in error for error in result.fidelity_errors)


def test_quotes_from_non_text_files_are_counted_unchecked(docs):
    engine = ScriptedEngine({"q": (True, ["Anything at all."], None)}, source="b.pdf")
    result, _ = run_case(engine, Case(id="c", question="q", quote_contains=("x",)), SourceTexts(docs))
    assert result.fidelity_errors == () and result.unchecked_quotes == 1


def test_any_fidelity_error_fails_the_run_even_without_thresholds(docs):
    engine = ScriptedEngine({"q": (True, ["An invented sentence."], None)})
    results, timings = run_cases(engine, [Case(id="c", question="q", quote_contains=("invented",))], docs)
    report = build_report(results, timings, fixtures="f.yaml", docs_dir=str(docs))
    assert report["overall"]["quote_at_1"] == 1.0
    assert gate_failures(report, _args()) == ["1 quote(s) or short answer(s) not verbatim in their source"]


@pytest.mark.parametrize("option, value, fails", [
    ("min_quote1", 0.5, False), ("min_quote1", 0.51, True),
    ("min_answer", 0.0, False), ("min_answer", 0.01, True),
    ("min_abstain", 1.0, False),
    ("max_wrong", 1 / 3, False), ("max_wrong", 0.33, True),  # "wrong": answered with the wrong quote
])
def test_thresholds_fail_only_when_not_met(docs, option, value, fails):
    engine = ScriptedEngine({"right": (True, ["It sent 29 in February."], None),
                             "wrong": (True, ["It sent 29 in February."], None)})
    cases = [Case(id="r", question="right", quote_contains=("29",), answers=("29",)),
             Case(id="w", question="wrong", quote_contains=("26 people",)),
             Case(id="n", question="unknown", abstain=True)]
    results, timings = run_cases(engine, cases, docs)
    report = build_report(results, timings, fixtures="f.yaml", docs_dir=str(docs))
    failures = gate_failures(report, _args(**{option: value}))
    assert bool(failures) is fails


def test_wrong_answer_rate_counts_wrong_quotes_and_answered_unanswerables_not_silence(docs):
    engine = ScriptedEngine({"right": (True, ["It sent 29 in February."], None),
                             "wrong": (True, ["It sent 29 in February."], None),
                             "guess": (True, ["It sent 29 in February."], None),
                             "silent": (False, [], None)})
    cases = [Case(id="r", question="right", quote_contains=("29",)),
             Case(id="w", question="wrong", quote_contains=("26 people",)),
             Case(id="g", question="guess", abstain=True),
             Case(id="s", question="silent", quote_contains=("26 people",))]
    results, timings = run_cases(engine, cases, docs)
    report = build_report(results, timings, fixtures="f.yaml", docs_dir=str(docs))
    assert report["overall"]["wrong_answer_rate"] == 0.5  # "wrong" and "guess"; declining is never wrong


def test_run_returns_1_when_a_threshold_is_missed_and_0_when_met(docs, tmp_path, monkeypatch, settings_for, capsys):
    fixtures = tmp_path / "cases.yaml"
    fixtures.write_text("- {id: c, question: 'q', expect: {quote_contains: ['26 people']}}\n", encoding="utf-8")
    engine = ScriptedEngine({"q": (True, ["It sent 29 in February."], None)})
    monkeypatch.setattr(evaluation, "_open_engine", lambda settings: engine)
    settings = settings_for(docs)
    assert evaluation.run(_args(fixtures=fixtures, min_quote1=0.5), settings) == 1
    assert "quote@1 0.000 is below --min-quote1 0.5" in capsys.readouterr().out
    assert evaluation.run(_args(fixtures=fixtures, min_quote1=0.0), settings) == 0


def test_real_engine_answers_a_small_corpus_through_the_runner(make_docs, settings_for):
    folder = make_docs({
        "cheese.txt": "Cheese\n\nGouda is a Dutch cheese made from cow milk.\n\nBrie comes from France.\n",
        "bikes.txt": "Bicycles\n\nA tandem bicycle seats two riders.\n\nFixies have a single gear.\n",
    })
    engine = Engine.open(settings_for(folder))
    cases = [Case(id="gouda", question="Which country does Gouda cheese come from?", quote_contains=("Gouda is a Dutch",)),
             Case(id="tandem", question="How many riders does a tandem bicycle seat?", quote_contains=("seats two riders",)),
             Case(id="none", question="Who won the football world cup?", abstain=True)]
    results, timings = run_cases(engine, cases, folder)
    report = build_report(results, timings, fixtures="f.yaml", docs_dir=str(folder), engine_stats=engine.stats)
    assert report["overall"]["quote_at_1"] == 1.0
    assert report["overall"]["abstain_accuracy"] == 1.0
    assert report["overall"]["fidelity_errors"] == 0
    assert len(timings) == 3 and report["engine"]["documents"] == 2


def test_no_progress_bar_for_a_few_dozen_cases():
    context, advance = evaluation.progress_bar(evaluation.PROGRESS_MIN_CASES)
    assert advance is None


def test_progress_bar_advances_once_per_case_on_longer_runs():
    from rich.progress import Progress

    progress, advance = evaluation.progress_bar(evaluation.PROGRESS_MIN_CASES + 1)
    assert isinstance(progress, Progress)
    advance()
    advance()
    assert progress.tasks[0].completed == 2 and progress.tasks[0].total == evaluation.PROGRESS_MIN_CASES + 1


@pytest.mark.parametrize("given", [
    dict(fixtures=Path("cases.yaml"), squad=Path("dev.json")),
    dict(squad=Path("dev.json"), min_abstain=0.5),
    dict(squad=Path("dev.json"), max_wrong=0.5),
    dict(fixtures=Path("cases.yaml"), limit=10),
    dict(),
])
def test_options_that_do_not_fit_together_are_usage_errors_with_exit_code_2(given, settings_for, docs):
    with pytest.raises(evaluation.EvalUsageError) as caught:
        evaluation.run(_args(**given), settings_for(docs))
    assert caught.value.exit_code == 2


def test_squad_run_is_gated_on_hit_at_1(tmp_path, monkeypatch, settings_for, docs, capsys):
    from bot import squad

    data = {"data": [{"title": "T", "paragraphs": [{"context": "Brie comes from France.", "qas": [
        {"id": "1", "question": "Where does Brie come from?", "answers": [{"text": "France", "answer_start": 16}]}]}]}]}
    dataset = tmp_path / "dev.json"
    dataset.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(squad, "_open_engine", lambda settings: ScriptedEngine({}))
    assert evaluation.run(_args(squad=dataset, min_quote1=0.1), settings_for(docs)) == 1
    assert "hit@1 0.000 is below --min-quote1 0.1" in capsys.readouterr().out


def test_quotes_given_to_earlier_questions_are_checked_for_fidelity_too(docs):
    engine = ScriptedEngine({"first": (True, ["An invented sentence."], None),
                             "second": (True, ["It sent 29 in February."], None)})
    result, _ = run_case(engine, Case(id="c", question="second", before=("first",), quote_contains=("29",)),
                         SourceTexts(docs))
    assert result.rank == 1
    assert result.fidelity_errors == ("quote not verbatim in a.txt: 'An invented sentence.'",)
