"""BM25 over a sparse term-document matrix: weights computed once at index time, so a query only
sums the columns of its own terms and its cost follows the postings it touches.

Variant: Lucene's, as in Lucene >= 8 and bm25s `method="lucene"`:

    idf(t)    = ln(1 + (N - df + 0.5) / (df + 0.5))          (always positive)
    w(t, d)   = idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl))
    score(q, d) = sum of w(t, d) over the query's terms (a repeated query term counts again)

|d| is the number of index terms of d (stopwords already removed). Weights are float64, so scores
match a float64 reference to about 1e-12, well inside the 1e-6 the tests ask for.

On disk (`save`/`load`), one index named NAME is five files, all memory-mapped on load:
    NAME.json          {"format": "quoteqa-bm25/2", "variant": "lucene", "n_docs", "k1", "b", "avg_len"}
    NAME.indptr.npy    int64, n_terms + 1: term t's postings are indptr[t]:indptr[t+1]
    NAME.indices.npy   int32, document ids, ascending within each term
    NAME.weights.npy   float64, w(t, d) for each posting
    NAME.doc_len.npy   int32, |d| per document
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import scipy.sparse as sp

FORMAT = "quoteqa-bm25/2"
ARRAYS = ("indptr", "indices", "weights", "doc_len")
# Sum into a dense per-document array once the postings touched exceed n_docs / DENSE_RATIO;
# below that, sorting the touched postings is cheaper than sweeping every document.
DENSE_RATIO = 16
_CHUNK = 1 << 22  # postings weighted at a time, to bound temporary memory on large builds


def idf_lucene(df: np.ndarray, n_docs: int) -> np.ndarray:
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


def _offsets_of(docs: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Documents as lists of term ids -> (term ids back to back, document boundaries)."""
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = np.fromiter((t for d in docs for t in d), dtype=np.int32, count=int(offsets[-1]))
    return flat, offsets


def postings_from_tokens(tokens: np.ndarray, offsets: np.ndarray, n_terms: int
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indptr, docs, tf): each term's documents, ascending, with how often the term occurs there.

    A counting sort by term (scipy's CSR -> CSC, linear time and stable, so documents come out
    ascending) puts a document's repeats of a term side by side; runs are then counted in bulk.
    """
    n_docs = len(offsets) - 1
    index_type = np.int32 if len(tokens) < 2**31 - 1 else np.int64
    by_doc = sp.csr_matrix(  # only read (tocsc never sorts or compacts its input), so no copies
        (np.ones(len(tokens), dtype=np.int8), np.asarray(tokens, dtype=index_type),
         np.asarray(offsets, dtype=index_type)), shape=(n_docs, n_terms))
    by_term = by_doc.tocsc()
    del by_doc
    rows, indptr = by_term.indices, by_term.indptr.astype(np.int64)
    del by_term
    n = len(rows)
    starts = np.ones(n, dtype=bool)  # where a new (term, document) run begins
    if n:
        np.not_equal(rows[1:], rows[:-1], out=starts[1:])
        starts[indptr[:-1][np.diff(indptr) > 0]] = True
    position = index_type  # chunked, so no int64 temporary as long as the token array
    first = np.concatenate([np.flatnonzero(starts[lo:lo + _CHUNK]).astype(position) + position(lo)
                            for lo in range(0, n, _CHUNK)] or [np.zeros(0, dtype=position)])
    del starts
    tf = np.diff(first, append=position(n)).astype(np.int32)
    return np.searchsorted(first, indptr).astype(np.int64), rows[first].astype(np.int32, copy=False), tf


@dataclass(frozen=True)
class BM25Index:
    """Columns are terms: `indptr[t]:indptr[t+1]` slices the documents holding term t and their weights."""

    indptr: np.ndarray  # int64, n_terms + 1
    indices: np.ndarray  # int32, document ids, sorted within each term
    weights: np.ndarray  # float64, idf * tf-part
    n_docs: int
    doc_len: np.ndarray  # int32 per document: how many terms it holds
    k1: float = 1.2
    b: float = 0.75

    @classmethod
    def from_postings(cls, indptr: np.ndarray, docs: np.ndarray, tf: np.ndarray, doc_len: np.ndarray,
                      k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        """Weights for postings given per term (documents ascending, each once, with its count)."""
        n_docs = len(doc_len)
        avg_len = float(doc_len.mean()) if n_docs else 0.0
        norm = k1 * (1.0 - b + b * doc_len / max(avg_len, 1e-9))  # per document
        df = np.diff(indptr)
        weights = np.repeat(idf_lucene(df.astype(np.float64), n_docs), df)
        for lo in range(0, len(weights), _CHUNK):  # in chunks: bounded temporaries on large builds
            t = tf[lo:lo + _CHUNK].astype(np.float64)
            weights[lo:lo + _CHUNK] *= t / (t + norm[docs[lo:lo + _CHUNK]])
        return cls(indptr=np.asarray(indptr, dtype=np.int64), indices=np.asarray(docs, dtype=np.int32),
                   weights=weights, n_docs=n_docs, doc_len=np.asarray(doc_len, dtype=np.int32), k1=k1, b=b)

    @classmethod
    def from_tokens(cls, tokens: np.ndarray, offsets: np.ndarray, n_terms: int,
                    k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        """Documents as one array of term ids plus boundaries: no per-token Python work."""
        indptr, docs, tf = postings_from_tokens(tokens, offsets, n_terms)
        return cls.from_postings(indptr, docs, tf, np.diff(offsets), k1, b)

    @classmethod
    def build(cls, docs: Sequence[Sequence[int]], n_terms: int, k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        """From documents given as lists of term ids (small corpora and tests)."""
        return cls.from_tokens(*_offsets_of(docs), n_terms, k1, b)

    @property
    def n_terms(self) -> int:
        return len(self.indptr) - 1

    def df(self, term: int) -> int:
        return int(self.indptr[term + 1] - self.indptr[term])

    def _spans(self, terms: Sequence[int], boosts: Sequence[float] | None) -> list[tuple[int, int, float]]:
        """(start, end, boost) of each known query term's postings."""
        boosts = [1.0] * len(terms) if boosts is None else list(boosts)
        spans = [(int(self.indptr[t]), int(self.indptr[t + 1]), float(w))
                 for t, w in zip(terms, boosts) if 0 <= t < self.n_terms]
        return [s for s in spans if s[1] > s[0]]

    def _dense(self, spans: list[tuple[int, int, float]]) -> bool:
        return sum(hi - lo for lo, hi, _ in spans) * DENSE_RATIO > self.n_docs

    def score(self, terms: Sequence[int], boosts: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(documents touched, their scores), documents ascending. Repeated query terms count again."""
        spans = self._spans(terms, boosts)
        if not spans:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
        if self._dense(spans):
            return self._score_dense(spans)
        return self._score_sparse(spans)

    def _posting(self, lo: int, hi: int, w: float) -> tuple[np.ndarray, np.ndarray]:
        vals = self.weights[lo:hi]
        return self.indices[lo:hi], (vals if w == 1.0 else vals * w)

    def _score_sparse(self, spans: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray]:
        if len(spans) == 1:
            docs, vals = self._posting(*spans[0])
            return np.array(docs, dtype=np.int32), np.array(vals, dtype=np.float64)
        parts = [self._posting(*s) for s in spans]
        docs = np.concatenate([p[0] for p in parts])
        vals = np.concatenate([p[1] for p in parts])
        touched, inverse = np.unique(docs, return_inverse=True)
        return touched.astype(np.int32), np.bincount(inverse, weights=vals, minlength=len(touched))

    def _accumulate(self, spans: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray | None]:
        """Scores of every document, and which were touched (None when all boosts are positive:
        then a touched document is exactly one scoring above zero)."""
        acc = np.zeros(self.n_docs, dtype=np.float64)
        hit = np.zeros(self.n_docs, dtype=bool) if any(w <= 0 for _, _, w in spans) else None
        for lo, hi, w in spans:
            docs, vals = self._posting(lo, hi, w)
            acc[docs] += vals  # a term lists each document once, so fancy-index += is exact
            if hit is not None:
                hit[docs] = True
        return acc, hit

    def _score_dense(self, spans: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray]:
        acc, hit = self._accumulate(spans)
        docs = np.flatnonzero(acc if hit is None else hit)
        return docs.astype(np.int32), acc[docs]

    def top_k(self, terms: Sequence[int], k: int, boosts: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k best documents, best first; ties go to the earlier document."""
        spans = self._spans(terms, boosts)
        if not spans or k <= 0:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float64)
        if not self._dense(spans):
            return _best(*self._score_sparse(spans), k)
        acc, hit = self._accumulate(spans)
        if hit is not None:
            docs = np.flatnonzero(hit)
            return _best(docs.astype(np.int32), acc[docs], k)
        # Only documents scoring at least the k-th best of some subset can be in the top k. The
        # rarest term's documents are few and score high, so this leaves few candidates to sort.
        lo, hi, _ = min(spans, key=lambda s: s[1] - s[0])
        sample = acc[self.indices[lo:hi]]
        floor = np.partition(sample, len(sample) - k)[len(sample) - k] if len(sample) >= k else 0.0
        docs = np.flatnonzero(acc >= floor) if floor > 0 else np.flatnonzero(acc)
        return _best(docs.astype(np.int32), acc[docs], k)

    def save(self, directory: Path, name: str) -> list[Path]:
        """Write the arrays and their description; returns the files written (for fsync)."""
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for field in ARRAYS:
            path = directory / f"{name}.{field}.npy"
            np.save(path, getattr(self, field), allow_pickle=False)
            written.append(path)
        meta = {"format": FORMAT, "variant": "lucene", "n_docs": self.n_docs, "k1": self.k1, "b": self.b,
                "avg_len": float(self.doc_len.mean()) if self.n_docs else 0.0}
        path = directory / f"{name}.json"
        path.write_text(json.dumps(meta))
        written.append(path)
        return written

    @classmethod
    def load(cls, directory: Path, name: str, mmap: bool = True) -> "BM25Index":
        meta = json.loads((directory / f"{name}.json").read_text())
        if meta.get("format") != FORMAT:
            raise ValueError(f"unknown BM25 index format {meta.get('format')!r}")
        mode = "r" if mmap else None
        arrays = {f: np.load(directory / f"{name}.{f}.npy", mmap_mode=mode, allow_pickle=False) for f in ARRAYS}
        index = cls(n_docs=int(meta["n_docs"]), k1=float(meta["k1"]), b=float(meta["b"]), **arrays)
        if (len(index.indptr) < 1 or int(index.indptr[-1]) != len(index.indices)
                or len(index.weights) != len(index.indices) or len(index.doc_len) != index.n_docs):
            raise ValueError("BM25 index arrays do not fit together")
        return index


def _best(docs: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best of (docs, scores), best first, ties to the earlier document."""
    if len(docs) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        # argpartition may cut inside a run of tied scores: take every document tied with the k-th
        keep = np.flatnonzero(scores >= scores[keep].min())
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:k]
    return docs[order], scores[order]
