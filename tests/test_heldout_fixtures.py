"""The blind held-out fixture sets (tests/fixtures/heldout_questions.yaml over tests/fixtures/heldout/docs,
tests/fixtures/heldout2_questions.yaml over tests/fixtures/heldout2/docs, tests/fixtures/heldout3_questions.yaml
over tests/fixtures/heldout3/docs, tests/fixtures/heldout4_questions.yaml over tests/fixtures/heldout4/docs): well formed, and every expectation really in its own set's documents.
Never used to tune the engine."""

import re
from pathlib import Path

import pytest

from bot.evaluation import load_cases
from bot.metrics import fold

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
SETS = {  # name -> (questions, the documents they are asked about)
    "heldout": (FIXTURES / "heldout_questions.yaml", FIXTURES / "heldout" / "docs"),
    "heldout2": (FIXTURES / "heldout2_questions.yaml", FIXTURES / "heldout2" / "docs"),
    "heldout3": (FIXTURES / "heldout3_questions.yaml", FIXTURES / "heldout3" / "docs"),
    "heldout4": (FIXTURES / "heldout4_questions.yaml", FIXTURES / "heldout4" / "docs"),
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


@pytest.mark.parametrize("set_name", SETS)
def test_heldout_set_has_three_documents_and_both_kinds_of_question(set_name):
    _, docs = SETS[set_name]
    answerable = [c for c in CASES[set_name] if not c.abstain]
    assert len(list(docs.glob("*.txt"))) == 3
    assert len(answerable) >= 40 and len(CASES[set_name]) - len(answerable) >= 12


@pytest.mark.parametrize(("set_name", "case"), ANSWERABLE)
def test_every_expected_quote_and_answer_is_verbatim_in_the_documents(set_name, case):
    quote_lines = [line for piece in case.quote_contains for line in _lines_holding(set_name, piece)]
    assert quote_lines, f"{case.id}: no expected quote is in the documents"
    for answer in case.answers:
        assert any(line in _lines_holding(set_name, answer) for line in quote_lines), \
            f"{case.id}: {answer!r} not beside its quote"
