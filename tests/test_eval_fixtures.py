"""The seed fixture set itself: well formed, broad enough, and every expectation really in the article."""

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.evaluation import load_cases
from bot.metrics import fold

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_d6364650917e31b6.txt"
FIXTURES = ROOT / "tests" / "fixtures" / "seed_questions.yaml"

CASES = load_cases(FIXTURES)
ANSWERABLE = [c for c in CASES if not c.abstain]
SEED_LINES = [fold(line) for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]


def _lines_holding(piece: str) -> list[str]:
    """Article lines (paragraphs) holding `piece` as whole words, compared folded."""
    pattern = re.compile(r"(?<!\w)" + re.escape(fold(piece)) + r"(?!\w)")
    return [line for line in SEED_LINES if pattern.search(line)]


def test_fixture_set_has_enough_cases():
    assert len(CASES) >= 70
    assert sum(1 for c in CASES if c.abstain) >= 14


def test_fixture_set_covers_every_kind_of_question_the_issue_lists():
    tags = Counter(tag for case in CASES for tag in case.tags)
    for kind in ("count", "person", "date", "place", "organisation", "said", "why", "yes-no",
                 "paraphrase", "misspelling", "caps", "follow-up", "article", "unanswerable", "close"):
        assert tags[kind] >= 3, kind


def test_follow_up_cases_have_earlier_questions():
    follow_ups = [c for c in CASES if "follow-up" in c.tags]
    assert follow_ups and all(c.before for c in follow_ups)


@pytest.mark.parametrize("case", ANSWERABLE, ids=lambda c: c.id)
def test_every_quote_contains_is_verbatim_in_the_seed_article(case):
    for piece in case.quote_contains:
        assert _lines_holding(piece), f"{case.id}: {piece!r} is not in the article"


@pytest.mark.parametrize("case", [c for c in ANSWERABLE if c.answers], ids=lambda c: c.id)
def test_every_short_answer_sits_in_a_line_that_holds_an_expected_quote(case):
    quote_lines = [line for piece in case.quote_contains for line in _lines_holding(piece)]
    for answer in case.answers:
        assert any(line in _lines_holding(answer) for line in quote_lines), f"{case.id}: {answer!r} not beside its quote"


def test_metadata_questions_expect_the_byline_date_and_paper_lines():
    by_id = {c.id: c for c in CASES}
    assert by_id["article-authors"].quote_contains == ("By Jack Nicas, Maria Abi-Habib, Paulina Villegas and Alan Feuer",)
    assert by_id["article-date"].quote_contains == ("Aug 14",)
    assert by_id["article-paper"].quote_contains == ("The San Juan Daily Star",)


@pytest.mark.parametrize("piece", ["sent 30 cartel leaders", "ccused", "Aug 1"])
def test_the_check_itself_rejects_a_piece_not_in_the_article_as_whole_words(piece):
    assert not _lines_holding(piece)
