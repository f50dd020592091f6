"""The blind held-out fixture set (tests/fixtures/heldout_questions.yaml over tests/fixtures/heldout/docs):
well formed, and every expectation really in its documents. Never used to tune the engine."""

import re
from pathlib import Path

import pytest

from bot.evaluation import load_cases
from bot.metrics import fold

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "tests" / "fixtures" / "heldout" / "docs"
CASES = load_cases(ROOT / "tests" / "fixtures" / "heldout_questions.yaml")
ANSWERABLE = [c for c in CASES if not c.abstain]
LINES = [fold(line) for path in sorted(DOCS.glob("*.txt"))
         for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _lines_holding(piece: str) -> list[str]:
    pattern = re.compile(r"(?<!\w)" + re.escape(fold(piece)) + r"(?!\w)")
    return [line for line in LINES if pattern.search(line)]


def test_heldout_set_has_three_documents_and_both_kinds_of_question():
    assert len(list(DOCS.glob("*.txt"))) == 3
    assert len(ANSWERABLE) >= 40 and len(CASES) - len(ANSWERABLE) >= 12


@pytest.mark.parametrize("case", ANSWERABLE, ids=lambda c: c.id)
def test_every_expected_quote_and_answer_is_verbatim_in_the_documents(case):
    quote_lines = [line for piece in case.quote_contains for line in _lines_holding(piece)]
    assert quote_lines, f"{case.id}: no expected quote is in the documents"
    for answer in case.answers:
        assert any(line in _lines_holding(answer) for line in quote_lines), f"{case.id}: {answer!r} not beside its quote"
