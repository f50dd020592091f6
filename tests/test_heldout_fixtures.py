"""The hand-written news fixture sets beside the seed set: well formed, and every expectation really in
its own set's documents.

- the blind held-out sets, tests/fixtures/heldoutN_questions.yaml over tests/fixtures/heldoutN/docs:
  never used to tune the engine;
- the news training sets, benchmarks/news/trainN/questions.yaml over benchmarks/news/trainN/docs:
  what benchmarks/train_ranker.py fits the ranker on beside SQuAD.
"""

import re
from pathlib import Path

import pytest

from bot.evaluation import load_cases
from bot.metrics import fold

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SETS = {  # name -> (questions, the documents they are asked about)
    path.name.removesuffix("_questions.yaml"): (path, FIXTURES / path.name.removesuffix("_questions.yaml") / "docs")
    for path in sorted(FIXTURES.glob("heldout*_questions.yaml"))
} | {
    folder.name: (folder / "questions.yaml", folder / "docs")
    for folder in sorted((ROOT / "benchmarks" / "news").glob("train*")) if (folder / "questions.yaml").exists()
}
CASES = {name: load_cases(questions) for name, (questions, _) in SETS.items()}
LINES = {name: [fold(line) for path in sorted(docs.glob("*.txt"))
                for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
         for name, (_, docs) in SETS.items()}
ANSWERABLE = [pytest.param(name, case, id=f"{name}:{case.id}")
              for name, cases in CASES.items() for case in cases if not case.abstain]


def _lines_holding(set_name: str, piece: str) -> list[str]:
    pattern = re.compile(r"(?<!\w)" + re.escape(fold(piece)) + r"(?!\w)")
    return [line for line in LINES[set_name] if pattern.search(line)]


def test_every_held_out_set_is_found():
    assert {"heldout"} | {f"heldout{n}" for n in range(2, 16)} <= set(SETS)


@pytest.mark.parametrize("set_name", SETS)
def test_set_has_three_or_more_documents_and_both_kinds_of_question(set_name):
    _, docs = SETS[set_name]
    answerable = [c for c in CASES[set_name] if not c.abstain]
    assert len(list(docs.glob("*.txt"))) >= 3
    assert len(answerable) >= 40 and len(CASES[set_name]) - len(answerable) >= 12


@pytest.mark.parametrize(("set_name", "case"), ANSWERABLE)
def test_every_expected_quote_and_answer_is_verbatim_in_the_documents(set_name, case):
    quote_lines = [line for piece in case.quote_contains for line in _lines_holding(set_name, piece)]
    assert quote_lines, f"{case.id}: no expected quote is in the documents"
    for answer in case.answers:
        assert any(line in _lines_holding(set_name, answer) for line in quote_lines), \
            f"{case.id}: {answer!r} not beside its quote"
