"""BM25 scoring: equal to bm25s's Lucene variant on the same tokens, deterministic top-k, saved arrays."""

import bm25s
import numpy as np
import pytest

from retrieval.bm25 import BM25Index


def random_corpus(seed: int, n_docs: int, n_terms: int) -> list[list[int]]:
    """Zipf-like term draws so the corpus has both very common and very rare terms; some empty docs."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_terms + 1)
    p /= p.sum()
    return [rng.choice(n_terms, size=rng.integers(0, 40), p=p).tolist() for _ in range(n_docs)]


def bm25s_scores(docs: list[list[int]], n_terms: int, query: list[int], k1: float, b: float) -> np.ndarray:
    ref = bm25s.BM25(method="lucene", k1=k1, b=b, dtype="float64")
    ref.index((docs, {f"t{i}": i for i in range(n_terms)}), show_progress=False)
    return ref.get_scores(query)


@pytest.mark.parametrize("seed", range(6))
def test_scores_equal_bm25s_lucene_within_1e6(seed):
    rng = np.random.default_rng(1000 + seed)
    n_terms = int(rng.integers(5, 300))
    docs = random_corpus(seed, int(rng.integers(1, 400)), n_terms)
    k1, b = float(rng.uniform(0.5, 2.0)), float(rng.uniform(0.0, 1.0))
    index = BM25Index.build(docs, n_terms, k1=k1, b=b)
    for _ in range(10):
        query = rng.integers(0, n_terms, size=rng.integers(1, 8)).tolist()  # may repeat a term
        expected = bm25s_scores(docs, n_terms, query, k1, b)
        touched, scores = index.score(query)
        dense = np.zeros(len(docs))
        dense[touched] = scores
        assert np.max(np.abs(dense - expected)) < 1e-6
        assert set(touched.tolist()) == set(np.flatnonzero(expected).tolist())


def test_dense_and_sparse_summation_agree():
    docs = random_corpus(7, 500, 50)
    index = BM25Index.build(docs, 50)
    spans = [(int(index.indptr[t]), int(index.indptr[t + 1]), w) for t, w in [(0, 1.0), (3, 2.0), (40, 1.0), (0, 1.0)]]
    d_docs, d_scores = index._score_dense(spans)
    s_docs, s_scores = index._score_sparse(spans)
    assert d_docs.tolist() == s_docs.tolist()
    assert np.allclose(d_scores, s_scores, rtol=0, atol=1e-12)


def test_top_k_breaks_ties_by_earlier_document():
    docs = [[1], [0, 2], [0, 3], [0], [0, 4], [0]]  # docs 3 and 5 are identical, as are 1, 2 and 4
    index = BM25Index.build(docs, 5)
    top, scores = index.top_k([0], 4)
    assert top.tolist() == [3, 5, 1, 2]
    assert scores[0] == scores[1] and scores[2] == scores[3]


def test_top_k_many_ties_across_the_cut_keeps_lowest_ids():
    docs = [[0]] * 50 + [[0, 0]] * 3
    index = BM25Index.build(docs, 1)
    top, _ = index.top_k([0], 7)
    assert top.tolist() == [50, 51, 52, 0, 1, 2, 3]


def test_top_k_equals_full_sort_on_random_corpus():
    docs = random_corpus(3, 3000, 200)
    index = BM25Index.build(docs, 200)
    query = [0, 1, 17, 150]
    touched, scores = index.score(query)
    order = sorted(range(len(touched)), key=lambda i: (-scores[i], touched[i]))[:10]
    top, top_scores = index.top_k(query, 10)
    assert top.tolist() == [int(touched[i]) for i in order]


@pytest.mark.parametrize("query,k", [([], 5), ([99], 5), ([-1], 5), ([0], 0)])
def test_empty_results_for_empty_unknown_or_zero_k(query, k):
    index = BM25Index.build([[0, 1], [1]], 2)
    top, scores = index.top_k(query, k)
    assert len(top) == 0 and len(scores) == 0


def test_k_larger_than_corpus_returns_every_matching_document():
    index = BM25Index.build([[0, 1], [1], [2]], 3)
    top, _ = index.top_k([1], 100)
    assert sorted(top.tolist()) == [0, 1]


def test_empty_corpus_scores_nothing():
    index = BM25Index.build([], 0)
    assert index.n_docs == 0 and len(index.top_k([0], 3)[0]) == 0


def test_saved_index_loads_memory_mapped_with_equal_scores(tmp_path):
    docs = random_corpus(11, 200, 60)
    index = BM25Index.build(docs, 60, k1=1.5, b=0.6)
    index.save(tmp_path, "p")
    loaded = BM25Index.load(tmp_path, "p")
    assert isinstance(loaded.weights, np.memmap) and isinstance(loaded.indices, np.memmap)
    assert (loaded.k1, loaded.b, loaded.n_docs) == (1.5, 0.6, 200)
    for a, b in zip(index.top_k([0, 5, 9], 20), loaded.top_k([0, 5, 9], 20)):
        assert np.array_equal(a, b)


def test_load_rejects_arrays_that_do_not_fit(tmp_path):
    BM25Index.build([[0, 1], [1]], 2).save(tmp_path, "p")
    np.save(tmp_path / "p.indices.npy", np.zeros(1, dtype=np.int32))
    with pytest.raises(ValueError):
        BM25Index.load(tmp_path, "p")


@pytest.mark.parametrize("boosts", [None, [1.0, 2.0, 0.5, 1.0], [1.0, 0.0, 1.0, -0.5]])
@pytest.mark.parametrize("k", [1, 3, 10, 2000])
def test_top_k_equals_full_sort_on_the_dense_path(boosts, k):
    docs = random_corpus(5, 1500, 30)  # common terms: the query touches most documents
    index = BM25Index.build(docs, 30)
    query = [0, 1, 2, 9]
    assert index._dense(index._spans(query, boosts))
    touched, scores = index.score(query, boosts)
    order = sorted(range(len(touched)), key=lambda i: (-scores[i], touched[i]))[:k]
    top, top_scores = index.top_k(query, k, boosts)
    assert top.tolist() == [int(touched[i]) for i in order]
    assert np.array_equal(top_scores, scores[order])


def assert_same_arrays(a: BM25Index, b: BM25Index) -> None:
    for field in ("indptr", "indices", "tf", "weights", "doc_len"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field
    assert a.n_docs == b.n_docs


@pytest.mark.parametrize("chunk", [5, 64])
def test_building_in_chunks_equals_building_at_once(monkeypatch, chunk):
    from retrieval import bm25

    docs = random_corpus(21, 300, 80)
    whole = BM25Index.build(docs, 80)
    monkeypatch.setattr(bm25, "_CHUNK", chunk)  # tokens per document chunk
    monkeypatch.setattr(bm25, "_SEGMENT", chunk)  # postings per term range
    assert_same_arrays(BM25Index.build(docs, 80), whole)


def test_building_into_a_folder_equals_building_in_memory(tmp_path):
    from retrieval.bm25 import build_from_tokens, _offsets_of

    docs = random_corpus(22, 120, 40)
    on_disk = build_from_tokens(*_offsets_of(docs), 40, 1.2, 0.75, folder=tmp_path, name="p")
    assert isinstance(on_disk.weights, np.memmap)
    assert_same_arrays(on_disk, BM25Index.build(docs, 40))
    assert_same_arrays(BM25Index.load(tmp_path, "p"), on_disk)


@pytest.mark.parametrize("segment,saved", [(None, False), (5, False), (5, True)])
@pytest.mark.parametrize("seed", range(4))
def test_merged_index_equals_a_fresh_build_of_the_new_documents(monkeypatch, tmp_path, seed, segment, saved):
    """Documents removed, kept (renumbered) and added in between, new terms appended: every weight
    must be recomputed, since N, avgdl and idf all change."""
    from retrieval import bm25
    from retrieval.bm25 import merge, postings_from_tokens, _offsets_of

    if segment:
        monkeypatch.setattr(bm25, "_SEGMENT", segment)  # postings per term range
        monkeypatch.setattr(bm25, "_CHUNK", segment)  # postings read at a time

    rng = np.random.default_rng(seed)
    old_docs = random_corpus(seed, 150, 50)
    old = BM25Index.build(old_docs, 50, k1=1.4, b=0.7)
    if saved:  # read from memory maps, a range at a time
        old.save(tmp_path, "old")
        old = BM25Index.load(tmp_path, "old")
    keep = rng.random(len(old_docs)) > 0.2
    new_docs, doc_map, added = [], np.full(len(old_docs), -1), []
    for i, doc in enumerate(old_docs):
        if rng.random() < 0.1:  # an added document before this one, using old and new terms
            added.append(len(new_docs))
            new_docs.append(rng.integers(0, 60, size=rng.integers(0, 30)).tolist())
        if keep[i]:
            doc_map[i] = len(new_docs)
            new_docs.append(doc)
    tokens, offsets = _offsets_of([new_docs[i] for i in added])
    postings = postings_from_tokens(tokens, offsets, 60)
    postings = type(postings)(postings.indptr, np.asarray(added, dtype=np.int32)[postings.docs], postings.tf)
    doc_len = np.array([len(d) for d in new_docs], dtype=np.int32)
    merged = merge(old, doc_map, postings, doc_len, 1.4, 0.7)
    assert_same_arrays(merged, BM25Index.build(new_docs, 60, k1=1.4, b=0.7))


def test_counts_are_kept_in_the_narrowest_type():
    assert BM25Index.build([[0, 1, 1]], 2).tf.dtype == np.uint8
    assert BM25Index.build([[0] * 300], 1).tf.dtype == np.uint16
    assert BM25Index.build([[0] * 300], 1).tf.tolist() == [300]
