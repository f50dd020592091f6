"""The array helpers of the ranking agree with their plain definitions."""

import numpy as np
import pytest

from retrieval import Engine
from retrieval import answer as selection
from retrieval.question import analyse


@pytest.mark.parametrize("starts, counts", [
    ([], []),
    ([5], [0]),
    ([0, 10, 3], [2, 0, 4]),
    ([7, 1, 7], [3, 1, 3]),
])
def test_runs_are_the_ranges_back_to_back(starts, counts) -> None:
    got = selection._runs(np.array(starts, dtype=np.int64), np.array(counts, dtype=np.int64))
    expected = [x for s, c in zip(starts, counts) for x in range(s, s + c)]
    assert got.tolist() == expected


@pytest.mark.parametrize("n", [1, 3, len(selection.FEATURES)])
def test_expand_appends_every_product_of_two_features_in_order(n) -> None:
    x = np.random.default_rng(n).normal(size=(4, n))
    products = [x[:, i] * x[:, j] for i in range(n) for j in range(i, n)]
    assert np.array_equal(selection.expand(x), np.column_stack([x, *products]))
    assert np.array_equal(selection.expand(x), selection.expand(x))  # the cached indices are not consumed


def test_the_ranker_scores_the_expanded_features_without_building_them() -> None:
    ranker = selection.load_ranker()
    x = np.random.default_rng(7).normal(size=(50, len(selection.FEATURES)))
    assert np.allclose(ranker.score(x), selection.expand(x) @ ranker.weights + ranker.bias, rtol=0, atol=1e-9)


@pytest.mark.parametrize("masks", [[0, 1, 5, 255], [0, 1 << 8, (1 << 20) | 3, (1 << 63) | 1]])
def test_popcount_and_byte_weights_agree_with_the_bits(masks) -> None:
    m = np.array(masks, dtype=np.uint64)
    bits = [[(x >> k) & 1 for k in range(64)] for x in masks]
    assert selection._popcount(m).tolist() == [sum(b) for b in bits]
    w = np.random.default_rng(1).random(64)
    tables = selection._byte_sums(w)
    got = sum(tables[k][(m >> np.uint64(8 * k)) & np.uint64(255)] for k in range(len(tables)))
    assert np.allclose(got, [sum(wi for wi, b in zip(w, row) if b) for row in bits])


HARBOUR = (
    "Harbour report\n\n"
    "The new ferry terminal opened on Monday after four years of building work. "
    "Officials said the terminal cost 40 million euros.\n\n"
    "Fishermen complained that the works had scared away the herring. "
    "The herring came back to the harbour in spring, said the fishermen.\n\n"
    "The terminal has two ferry berths and a waiting room.\n"
)


@pytest.mark.parametrize("question", [
    "When did the ferry terminal open?",
    "What did the fishermen say about the herring?",
    "How much did the terminal cost?",
])
def test_ranking_is_by_score_then_position_over_candidates_sharing_a_term(make_docs, settings_for, question) -> None:
    engine = Engine.open(settings_for(make_docs({"harbour.txt": HARBOUR})))
    index, lay, analyzer = engine._index, engine._layout, engine._analyzer
    q = analyse(question, analyzer)
    terms = [engine._term_ids[t] for t in q.terms if t in engine._term_ids]
    cands, s_norm, p_norm = selection.candidates(index, lay, terms)
    x = selection.features(index, lay, q, terms, selection.idf_of(index, terms), cands, s_norm, p_norm)
    scores = selection.load_ranker().score(x)
    coverage = x[:, selection.FEATURES.index("coverage")]
    expected = sorted((-s, int(c)) for c, s, cov in zip(cands, scores, coverage) if cov > 0)
    ranked = selection.rank_sentences(index, lay, terms, q)
    assert [(-r.score, r.sentence) for r in ranked] == expected
    assert ranked and all(type(r.sentence) is int and type(r.score) is float for r in ranked)
