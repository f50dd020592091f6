"""BM25 over a sparse term-document matrix: weights computed once at index time, so a query only
sums the columns of its own terms and its cost follows the postings it touches.

Variant: Lucene's (idf = ln(1 + (N - df + 0.5) / (df + 0.5)), always positive), as in bm25s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import scipy.sparse as sp

FORMAT = "quoteqa-bm25/1"


def idf_lucene(df: np.ndarray, n_docs: int) -> np.ndarray:
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


def term_weights(tf: np.ndarray, doc_len: np.ndarray, avg_len: float, k1: float, b: float) -> np.ndarray:
    """The BM25 term-frequency part for each posting (tf and doc_len aligned per posting)."""
    norm = k1 * (1.0 - b + b * doc_len / max(avg_len, 1e-9))
    return tf * (k1 + 1.0) / (tf + norm)


def count_matrix(docs: Sequence[Sequence[int]], n_terms: int) -> sp.csr_matrix:
    """Documents given as lists of term ids -> a CSR matrix of term counts (docs x terms)."""
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    indptr = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    flat = np.fromiter((t for d in docs for t in d), dtype=np.int32, count=int(indptr[-1]))
    data = np.ones(len(flat), dtype=np.float32)
    m = sp.csr_matrix((data, flat, indptr), shape=(len(docs), n_terms))
    m.sum_duplicates()  # repeated terms in a document add up
    return m


@dataclass(frozen=True)
class BM25Index:
    """Columns are terms: `indptr[t]:indptr[t+1]` slices the documents holding term t and their weights."""

    indptr: np.ndarray  # int64, n_terms + 1
    indices: np.ndarray  # int32, document ids, sorted within each term
    weights: np.ndarray  # float32, idf * tf-part
    n_docs: int
    doc_len: np.ndarray  # int32 per document: how many terms it holds (for statistics and refresh)
    k1: float = 1.2
    b: float = 0.75

    @classmethod
    def from_counts(cls, counts: sp.csr_matrix, k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        counts = sp.csr_matrix(counts, dtype=np.float64)
        n_docs, n_terms = counts.shape
        doc_len = np.asarray(counts.sum(axis=1)).ravel()
        avg_len = float(doc_len.mean()) if n_docs else 0.0
        rows = np.repeat(np.arange(n_docs), np.diff(counts.indptr))
        w = term_weights(counts.data, doc_len[rows], avg_len, k1, b)
        df = np.diff(counts.tocsc().indptr).astype(np.float64)
        idf = idf_lucene(df, n_docs)
        weighted = sp.csr_matrix((w * idf[counts.indices], counts.indices, counts.indptr), shape=counts.shape)
        csc = weighted.tocsc()
        csc.sort_indices()
        return cls(
            indptr=csc.indptr.astype(np.int64),
            indices=csc.indices.astype(np.int32),
            weights=csc.data.astype(np.float32),
            n_docs=n_docs,
            doc_len=doc_len.astype(np.int32),
            k1=k1,
            b=b,
        )

    @classmethod
    def build(cls, docs: Sequence[Sequence[int]], n_terms: int, k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        return cls.from_counts(count_matrix(docs, n_terms), k1=k1, b=b)

    @property
    def n_terms(self) -> int:
        return len(self.indptr) - 1

    def df(self, term: int) -> int:
        return int(self.indptr[term + 1] - self.indptr[term])

    def score(self, terms: Sequence[int], boosts: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(documents touched, their scores), documents ascending. Repeated query terms count again."""
        terms = [t for t in terms if 0 <= t < self.n_terms]
        if not terms:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        boosts = [1.0] * len(terms) if boosts is None else list(boosts)
        parts = [(self.indices[self.indptr[t]:self.indptr[t + 1]],
                  self.weights[self.indptr[t]:self.indptr[t + 1]] * np.float32(w))
                 for t, w in zip(terms, boosts)]
        docs = np.concatenate([p[0] for p in parts])
        vals = np.concatenate([p[1] for p in parts])
        if len(parts) == 1:
            return docs, vals
        touched, inverse = np.unique(docs, return_inverse=True)
        scores = np.bincount(inverse, weights=vals, minlength=len(touched)).astype(np.float32)
        return touched.astype(np.int32), scores

    def top_k(self, terms: Sequence[int], k: int, boosts: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The k best documents, best first; ties go to the earlier document."""
        docs, scores = self.score(terms, boosts)
        if len(docs) == 0 or k <= 0:
            return docs[:0], scores[:0]
        if len(docs) > k:
            keep = np.argpartition(-scores, k - 1)[:k]
            # argpartition may cut inside a run of tied scores: take every document tied with the k-th
            kth = scores[keep].min()
            keep = np.flatnonzero(scores >= kth)
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))[:k]
        return docs[order], scores[order]

    def save(self, directory: Path, name: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for field in ("indptr", "indices", "weights", "doc_len"):
            np.save(directory / f"{name}.{field}.npy", getattr(self, field), allow_pickle=False)
        meta = {"format": FORMAT, "n_docs": self.n_docs, "k1": self.k1, "b": self.b, "variant": "lucene"}
        (directory / f"{name}.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, directory: Path, name: str, mmap: bool = True) -> "BM25Index":
        meta = json.loads((directory / f"{name}.json").read_text())
        if meta.get("format") != FORMAT:
            raise ValueError(f"unknown BM25 index format {meta.get('format')!r}")
        mode = "r" if mmap else None
        arrays = {f: np.load(directory / f"{name}.{f}.npy", mmap_mode=mode, allow_pickle=False)
                  for f in ("indptr", "indices", "weights", "doc_len")}
        index = cls(n_docs=int(meta["n_docs"]), k1=float(meta["k1"]), b=float(meta["b"]), **arrays)
        if len(index.indptr) < 1 or int(index.indptr[-1]) != len(index.indices) or len(index.doc_len) != index.n_docs:
            raise ValueError("BM25 index arrays do not fit together")
        return index
