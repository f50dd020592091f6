"""Features of the sentence ranker (retrieval/answer.py), each on a small corpus built for it."""

import numpy as np
import pytest

from retrieval import Engine
from retrieval import answer as selection
from retrieval.question import analyse

LIGHTHOUSE = (
    "Kessock Lighthouse\n\n"
    "It was built of granite blocks in 1890. "
    "A keeper lived beside the lamp until the light became automatic. "
    "Storms damaged the lantern twice.\n\n"
    "Visitors to the Kessock lighthouse can climb the stairs in summer, and a film shows its automation.\n"
)


@pytest.fixture
def feature_rows_over(make_docs, settings_for):
    """text -> (question -> {sentence text: {feature name: value}} over the candidates of that file)."""
    def over(text: str):
        engine = Engine.open(settings_for(make_docs({"article.txt": text})))
        index, lay = engine._index, engine._layout

        def rows(question: str) -> dict[str, dict[str, float]]:
            q = analyse(question, engine._analyzer)
            terms = [engine._term_ids[t] for t in q.terms if t in engine._term_ids]
            cands, s_norm, p_norm = selection.candidates(index, lay, terms)
            x = selection.features(index, lay, q, terms, selection.idf_of(index, terms), cands, s_norm, p_norm)
            return {index.corpus.sentences[c].text: dict(zip(selection.FEATURES, row.tolist()))
                    for c, row in zip(cands.tolist(), x)}

        return rows

    return over


@pytest.fixture
def feature_rows(feature_rows_over):
    """question -> {sentence text: {feature name: value}} over the candidates of the lighthouse file."""
    return feature_rows_over(LIGHTHOUSE)


def test_neighbour_coverage_is_each_neighbours_own_coverage(feature_rows) -> None:
    rows = feature_rows("Which granite lamp did storms damage?")
    built, keeper, storms = (rows["It was built of granite blocks in 1890."],
                             rows["A keeper lived beside the lamp until the light became automatic."],
                             rows["Storms damaged the lantern twice."])
    assert keeper["previous_coverage"] == built["coverage"]
    assert keeper["next_coverage"] == storms["coverage"]
    assert built["previous_coverage"] == 0 and storms["next_coverage"] == 0  # first and last of the passage


def test_position_runs_from_first_to_last_sentence_of_the_passage(feature_rows) -> None:
    rows = feature_rows("Which granite lamp did storms damage?")
    assert rows["It was built of granite blocks in 1890."]["position"] == 0
    assert rows["A keeper lived beside the lamp until the light became automatic."]["position"] == 0.5
    assert rows["Storms damaged the lantern twice."]["position"] == 1


def test_position_of_a_passage_of_one_sentence_is_zero(feature_rows) -> None:
    rows = feature_rows("Can visitors climb the stairs?")
    assert next(r for text, r in rows.items() if text.startswith("Visitors"))["position"] == 0


@pytest.mark.parametrize("matched, owner, expected", [
    ([], [], [0, 0]),
    ([False, False], [0, 1], [0, 0]),
    ([True, True, False, True], [0, 0, 0, 0], [2, 0]),
    ([True, True, True, True], [0, 0, 1, 1], [2, 2]),  # a run stops at the end of its sentence
    ([False, True, True, True], [0, 0, 0, 1], [2, 1]),
])
def test_longest_run_counts_question_terms_in_a_row_within_one_sentence(matched, owner, expected) -> None:
    owner = np.array(owner, dtype=np.int64)
    same_next = np.zeros(len(owner), dtype=bool)
    same_next[:-1] = owner[1:] == owner[:-1]
    got = selection._longest_runs(np.array(matched, dtype=bool), same_next, selection._groups(np.bincount(owner, minlength=2)))
    assert got.tolist() == expected


@pytest.mark.parametrize("counts", [[2, 1, 3], [0, 2, 0, 1], [0, 0], [], [1]])
@pytest.mark.parametrize("op, empty", [(np.maximum, -1), (np.minimum, 99), (np.bitwise_or, 0)])
def test_per_group_reduces_each_group_as_op_at_does(counts, op, empty) -> None:
    counts = np.array(counts, dtype=np.int64)
    values = np.arange(3, 3 + int(counts.sum()), dtype=np.int64) * 5 % 11
    expected = np.full(len(counts), empty, dtype=np.int64)
    op.at(expected, np.arange(len(counts)).repeat(counts), values)  # (`empty` never wins over a value here)
    got = selection._per_group(op, values, selection._groups(counts), empty, np.int64)
    assert got.tolist() == expected.tolist()


def test_prefix_bits_mark_tokens_sharing_a_question_terms_first_letters() -> None:
    vocab = ["invad", "invas", "in", "spring"]
    got = selection._prefix_bits(selection.prefix_ids(vocab), [0], np.array([1, 2, 3, 0], dtype=np.int64))
    assert got.tolist() == [1, 0, 0, 1]


def test_prefix_bits_mark_every_question_term_with_that_prefix() -> None:
    vocab = ["invad", "invas", "invalid"]
    assert selection._prefix_bits(selection.prefix_ids(vocab), [0, 2], np.array([1], dtype=np.int64)).tolist() == [0b11]


def test_question_term_shorter_than_the_prefix_matches_no_other_word() -> None:
    vocab = ["ux", "uxb", "uxbr"]
    assert selection._prefix_bits(selection.prefix_ids(vocab), [0, 1], np.array([2, 1, 0], dtype=np.int64)).tolist() == [0, 0, 0]


def test_prefix_coverage_is_at_least_the_coverage(feature_rows) -> None:
    rows = feature_rows("Was the automation of the granite lantern damaged?")
    assert rows and all(r["prefix_coverage"] >= r["coverage"] for r in rows.values())
    # "lamp until the light became automatic": automat- shares auto- with the question's automation
    keeper = rows["A keeper lived beside the lamp until the light became automatic."]
    assert keeper["prefix_coverage"] > keeper["coverage"]


def test_synonym_bits_mark_one_word_synonyms_of_a_question_term() -> None:
    vocab = ["stair", "step", "storm", "tempest", "violent"]
    got = selection._synonym_bits(vocab, {t: i for i, t in enumerate(vocab)}, [0, 2], np.array([1, 3, 4, 0], dtype=np.int64), "english")
    assert got.tolist() == [0b01, 0b10, 0, 0]  # "violent storm" is two words: not a one-word synonym


def test_synonym_coverage_counts_a_synonym_as_the_question_term(feature_rows_over) -> None:
    rows = feature_rows_over("Pier repairs\n\nThe stairs were repaired in May.\n\n"
                             "The steps of the old pier were painted in June.\n")("When were the steps repaired?")
    assert all(r["synonym_coverage"] >= r["coverage"] for r in rows.values())
    stairs = rows["The stairs were repaired in May."]
    assert stairs["synonym_coverage"] == pytest.approx(1.0) and stairs["coverage"] < 1.0  # "stairs" for "steps"


def test_count_beside_noun_marks_a_number_right_before_the_noun_counted(feature_rows_over) -> None:
    rows = feature_rows_over("Depot jobs\n\nThe depot will cut 340 jobs by the spring.\n\n"
                             "Jobs at the depot have been cut twice since it opened 12 years ago.\n\n"
                             "The depot employed 26 trained night drivers, 80 people and nine lorries.\n")
    jobs = rows("How many jobs will the depot cut?")
    assert jobs["The depot will cut 340 jobs by the spring."]["count_beside_noun"] == 1.0
    assert jobs["Jobs at the depot have been cut twice since it opened 12 years ago."]["count_beside_noun"] == 0.0
    drivers = rows("How many drivers did the depot employ?")["The depot employed 26 trained night drivers, 80 people "
                                                             "and nine lorries."]
    assert drivers["count_beside_noun"] == 1.0  # three words away
    people = rows("How many people did the depot employ?")  # "people" are counted in too many ways
    assert all(r["count_beside_noun"] == 0.0 for r in people.values())
    assert all(r["count_beside_noun"] == 0.0 for r in rows("When did the depot cut jobs?").values())  # no count asked


def test_title_coverage_adds_the_question_terms_the_document_title_holds(feature_rows) -> None:
    # a question term counts only if some sentence has it: here the last one names the lighthouse
    row = feature_rows("When was the Kessock lighthouse built?")["It was built of granite blocks in 1890."]
    assert row["title_share"] > 0
    assert row["title_coverage"] == pytest.approx(row["coverage"] + row["title_share"])


def test_title_share_is_zero_when_the_title_holds_no_question_term(feature_rows) -> None:
    rows = feature_rows("Who kept the lamp?")
    assert rows and all(r["title_share"] == 0 and r["title_coverage"] == r["coverage"] for r in rows.values())




def test_sentence_flags_read_a_grouped_number_as_a_count_and_a_bare_one_as_a_year():
    from retrieval.answer import DATE_WORD, NUMBER, sentence_flags
    flags, ws = sentence_flags("It cut 1,150 jobs in 1150.", frozenset({"it", "in"}))
    assert ws == ["it", "cut", "1150", "jobs", "in", "1150"]
    assert flags == [0, NUMBER, 0, DATE_WORD]
