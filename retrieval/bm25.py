"""BM25 over a sparse term-document matrix: weights computed once at index time, so a query only
sums the columns of its own terms and its cost follows the postings it touches.

Variant: Lucene's, as in Lucene >= 8 and bm25s `method="lucene"`:

    idf(t)    = ln(1 + (N - df + 0.5) / (df + 0.5))          (always positive)
    w(t, d)   = idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl))
    score(q, d) = sum of w(t, d) over the query's terms (a repeated query term counts again)

|d| is the number of index terms of d (stopwords already removed). Weights are float64, so scores
match a float64 reference to about 1e-12, well inside the 1e-6 the tests ask for.

Adding or removing a document changes N, avgdl and so every weight: the counts are kept beside
the weights, so a refresh recomputes all weights from them (`merge`) instead of counting tokens
again, and the result equals a fresh build's exactly.

On disk (`save`/`load`), one index named NAME is six files, all memory-mapped on load:
    NAME.json          {"format": "quoteqa-bm25/3", "variant": "lucene", "n_docs", "k1", "b", "avg_len"}
    NAME.indptr.npy    int64, n_terms + 1: term t's postings are indptr[t]:indptr[t+1]
    NAME.indices.npy   int32, document ids, ascending within each term
    NAME.tf.npy        uint8 (uint16/uint32 if needed), how often the term occurs in the document
    NAME.weights.npy   float64, w(t, d) for each posting
    NAME.doc_len.npy   int32, |d| per document
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from retrieval.arrays import ArrayWriter, read_range, write_array

FORMAT = "quoteqa-bm25/3"
ARRAYS = ("indptr", "indices", "tf", "weights", "doc_len")
# Sum into a dense per-document array once the postings touched exceed n_docs / DENSE_RATIO;
# below that, sorting the touched postings is cheaper than sweeping every document.
DENSE_RATIO = 16
# Work on large builds is done in pieces to bound temporary memory: documents are counted
# _CHUNK tokens at a time and weights written _SEGMENT postings at a time (small enough that a
# range's temporaries stay in the CPU cache).
_CHUNK = 1 << 23
_SEGMENT = 1 << 16


def idf_lucene(df: np.ndarray, n_docs: int) -> np.ndarray:
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


def tf_dtype(max_tf: int) -> np.dtype:
    """The narrowest unsigned type for term counts up to max_tf (almost always one byte)."""
    for dtype in (np.uint8, np.uint16, np.uint32):
        if max_tf <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    raise ValueError(f"a term occurs {max_tf} times in one document")


def norms(doc_len: np.ndarray, k1: float, b: float) -> np.ndarray:
    """k1 * (1 - b + b * |d| / avgdl) per document: the length part of every weight."""
    avg_len = float(doc_len.mean()) if len(doc_len) else 0.0
    return k1 * (1.0 - b + b * doc_len / max(avg_len, 1e-9))


def _offsets_of(docs: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Documents as lists of term ids -> (term ids back to back, document boundaries)."""
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = np.fromiter((t for d in docs for t in d), dtype=np.int32, count=int(offsets[-1]))
    return flat, offsets


@dataclass(frozen=True)
class Postings:
    """Each term's documents, ascending and each once (`docs[indptr[t]:indptr[t+1]]`), with how
    often the term occurs in each (`tf`): everything BM25 needs besides document lengths."""

    indptr: np.ndarray  # int64, n_terms + 1
    docs: np.ndarray  # int32
    tf: np.ndarray  # unsigned


def postings_from_tokens(tokens: np.ndarray, offsets: np.ndarray, n_terms: int) -> Postings:
    """Postings of documents given as term ids back to back plus boundaries.

    A counting sort by term (scipy's CSR -> CSC, linear time and stable, so documents come out
    ascending) puts a document's repeats of a term side by side; runs are then counted in bulk.
    """
    import scipy.sparse as sp  # here, not at the top: only a build needs it, and it takes 0.1 s to import

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
    first = np.flatnonzero(starts).astype(index_type)
    del starts
    tf = np.diff(first, append=index_type(n))
    docs = rows[first].astype(np.int32, copy=False)
    del rows
    return Postings(np.searchsorted(first, indptr).astype(np.int64), docs,
                    tf.astype(tf_dtype(int(tf.max()) if len(tf) else 0)))


def _term_ranges(indptr: np.ndarray) -> Iterator[tuple[int, int]]:
    """Consecutive term ranges holding about _SEGMENT postings each (at least one term)."""
    n_terms, t = len(indptr) - 1, 0
    while t < n_terms:
        end = int(np.searchsorted(indptr, indptr[t] + _SEGMENT, side="right")) - 1
        end = min(max(end, t + 1), n_terms)
        yield t, end
        t = end


def _segments(p: Postings) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    for t0, t1 in _term_ranges(p.indptr):
        lo, hi = int(p.indptr[t0]), int(p.indptr[t1])
        yield t0, t1, p.docs[lo:hi], p.tf[lo:hi]


def write_index(folder: Path | None, name: str, indptr: np.ndarray, doc_len: np.ndarray,
                segments: Iterable[tuple[int, int, np.ndarray, np.ndarray]], tf_type: np.dtype,
                k1: float, b: float) -> "BM25Index":
    """An index from its postings given term range by term range (t0, t1, docs, tf), in order.

    Weights are computed per range and written at once (to NAME.* files in `folder`, or kept in
    memory for folder None), so only one range's temporaries are ever held.
    """
    indptr = np.asarray(indptr, dtype=np.int64)
    doc_len = np.asarray(doc_len, dtype=np.int32)
    n_docs = len(doc_len)
    df = np.diff(indptr)
    idf = idf_lucene(df.astype(np.float64), n_docs)
    norm = norms(doc_len, k1, b)
    path = (lambda field: folder / f"{name}.{field}.npy") if folder is not None else (lambda field: None)
    writers = {"indices": ArrayWriter(path("indices"), np.int32), "tf": ArrayWriter(path("tf"), tf_type),
               "weights": ArrayWriter(path("weights"), np.float64)}
    try:
        for t0, t1, docs, tf in segments:
            if len(docs) != indptr[t1] - indptr[t0]:
                raise ValueError("postings do not fit their term range")
            t = np.asarray(tf, dtype=np.float64)
            weights = norm[docs]  # idf * t / (t + norm), in place: few temporaries, each small
            weights += t
            np.divide(t, weights, out=weights)
            weights *= np.repeat(idf[t0:t1], df[t0:t1])
            writers["indices"].append(docs)
            writers["tf"].append(tf)
            writers["weights"].append(weights)
        arrays = {field: w.finish() for field, w in writers.items()}
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    index = BM25Index(indptr=write_array(path("indptr"), indptr), doc_len=write_array(path("doc_len"), doc_len),
                      n_docs=n_docs, k1=k1, b=b, **arrays)
    if index.indptr[-1] != len(index.indices):
        raise ValueError("postings do not cover every term range")
    if folder is not None:
        index.save_meta(folder, name)
    return index


def build_from_tokens(tokens: np.ndarray, offsets: np.ndarray, n_terms: int, k1: float, b: float,
                      folder: Path | None = None, name: str = "") -> "BM25Index":
    """BM25 over documents given as term ids back to back (e.g. memory-mapped) plus boundaries.

    Documents are counted a chunk at a time into postings kept compactly (4 bytes of document id
    and usually one byte of count each); the chunks are then interleaved term range by term range
    as weights are written. Memory: those postings plus one chunk's temporaries, never a sort
    over all tokens at once.
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    n_docs = len(offsets) - 1
    parts: list[Postings] = []
    d0 = 0
    while d0 < n_docs:
        d1 = int(np.searchsorted(offsets, offsets[d0] + _CHUNK, side="right")) - 1
        d1 = min(max(d1, d0 + 1), n_docs)
        lo, hi = int(offsets[d0]), int(offsets[d1])
        p = postings_from_tokens(read_range(tokens, lo, hi), offsets[d0:d1 + 1] - lo, n_terms)
        parts.append(Postings(p.indptr, p.docs + np.int32(d0), p.tf))
        d0 = d1
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    for p in parts:
        indptr += p.indptr
    tf_type = tf_dtype(max((int(p.tf.max()) for p in parts if len(p.tf)), default=0))
    if len(parts) == 1:
        segments = _segments(parts[0])
    else:
        segments = _interleaved(indptr, parts, tf_type)
    return write_index(folder, name, indptr, np.diff(offsets), segments, tf_type, k1, b)


def _interleaved(indptr: np.ndarray, parts: list[Postings], tf_type: np.dtype
                 ) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """Postings of document chunks (in document order) merged term by term: within a term, each
    chunk's documents follow the previous chunk's, so placing them one chunk after another keeps
    every term's documents ascending."""
    for t0, t1 in _term_ranges(indptr):
        size = int(indptr[t1] - indptr[t0])
        docs = np.empty(size, dtype=np.int32)
        tf = np.empty(size, dtype=tf_type)
        fill = indptr[t0:t1] - indptr[t0]  # where each term's next posting goes
        for p in parts:
            a, z = int(p.indptr[t0]), int(p.indptr[t1])
            if z == a:
                continue
            counts = np.diff(p.indptr[t0:t1 + 1])
            dest = np.repeat(fill - (p.indptr[t0:t1] - a), counts) + np.arange(z - a)
            docs[dest] = p.docs[a:z]
            tf[dest] = p.tf[a:z]
            fill += counts
        yield t0, t1, docs, tf


def merge(old: "BM25Index", doc_map: np.ndarray, added: Postings, doc_len: np.ndarray,
          k1: float, b: float, folder: Path | None = None, name: str = "") -> "BM25Index":
    """`old` with documents renumbered by `doc_map` (old id -> new id, -1 for removed; increasing
    over the kept ones) and the postings of `added` documents put in (their own new ids). The
    result equals an index built afresh over the new documents: N, avgdl and every idf are those
    of the new collection, since all weights are computed again from the stored counts.

    Done term range by term range, reading the old postings a range at a time, so memory stays
    that of one range however large the index.
    """
    n_terms = len(added.indptr) - 1
    if n_terms < old.n_terms:
        raise ValueError("the added postings have fewer terms than the old index")
    doc_map = np.asarray(doc_map, dtype=np.int32)
    old_indptr = np.asarray(old.indptr, dtype=np.int64)
    kept = np.zeros(n_terms, dtype=np.int64)
    kept[:old.n_terms] = np.diff(old_indptr)
    if len(doc_map) and doc_map.min() < 0:  # count the postings of removed documents, per term
        for lo in range(0, len(old.indices), _CHUNK):
            gone = np.flatnonzero(doc_map[read_range(old.indices, lo, min(lo + _CHUNK, len(old.indices)))] < 0)
            kept -= np.bincount(np.searchsorted(old_indptr, gone + lo, side="right") - 1, minlength=n_terms)
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(kept + np.diff(added.indptr), out=indptr[1:])
    tf_type = np.promote_types(old.tf.dtype, added.tf.dtype)
    return write_index(folder, name, indptr, doc_len, _merged(old, doc_map, added, indptr, tf_type), tf_type, k1, b)


def _merged(old: "BM25Index", doc_map: np.ndarray, added: Postings, indptr: np.ndarray, tf_type: np.dtype
            ) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """The merged postings of each term range: the old ones renumbered (removed ones dropped),
    each added posting put before the first old one of its term with a higher document id."""
    n_old = old.n_terms
    for t0, t1 in _term_ranges(indptr):
        a0, a1 = min(t0, n_old), min(t1, n_old)
        lo, hi = int(old.indptr[a0]), int(old.indptr[a1])
        docs = doc_map[read_range(old.indices, lo, hi)]
        tf = read_range(old.tf, lo, hi).astype(tf_type, copy=False)
        bounds = np.full(t1 - t0 + 1, hi - lo, dtype=np.int64)  # each term's old postings in the range
        bounds[:a1 - a0 + 1] = np.asarray(old.indptr[a0:a1 + 1]) - lo
        keep = docs >= 0
        if not keep.all():
            running = np.zeros(len(keep) + 1, dtype=np.int64)
            np.cumsum(keep, out=running[1:])
            bounds, docs, tf = running[bounds], docs[keep], tf[keep]
        q0, q1 = int(added.indptr[t0]), int(added.indptr[t1])
        new_docs, new_tf = added.docs[q0:q1], added.tf[q0:q1].astype(tf_type)
        terms = np.repeat(np.arange(t1 - t0), np.diff(added.indptr[t0:t1 + 1]))
        at = _lower_bound(docs, bounds[terms], bounds[terms + 1], new_docs)
        yield t0, t1, np.insert(docs, at, new_docs), np.insert(tf, at, new_tf)


def _lower_bound(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, x: np.ndarray) -> np.ndarray:
    """For each i, the first position in values[lo[i]:hi[i]] (ascending) not below x[i]: a binary
    search run on every query at once."""
    lo, hi = lo.copy(), hi.copy()
    active = lo < hi
    while active.any():
        mid = (lo + hi) // 2
        below = np.zeros(len(lo), dtype=bool)
        below[active] = values[mid[active]] < x[active]
        lo = np.where(active & below, mid + 1, lo)
        hi = np.where(active & ~below, mid, hi)
        active = lo < hi
    return lo


@dataclass(frozen=True)
class BM25Index:
    """Columns are terms: `indptr[t]:indptr[t+1]` slices the documents holding term t, their
    counts and their weights."""

    indptr: np.ndarray  # int64, n_terms + 1
    indices: np.ndarray  # int32, document ids, sorted within each term
    tf: np.ndarray  # unsigned, how often the term occurs in the document (to recompute weights)
    weights: np.ndarray  # float64, idf * tf-part
    n_docs: int
    doc_len: np.ndarray  # int32 per document: how many terms it holds
    k1: float = 1.2
    b: float = 0.75

    def __post_init__(self) -> None:
        # Plain arrays over the same memory for the per-query reads: indexing a np.memmap runs
        # Python code on every call (a few per cent of a SQuAD question went there).
        for name in ("indptr", "indices", "weights"):
            object.__setattr__(self, f"_{name}", np.asarray(getattr(self, name)))

    @classmethod
    def from_tokens(cls, tokens: np.ndarray, offsets: np.ndarray, n_terms: int,
                    k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        """Documents as one array of term ids plus boundaries: no per-token Python work."""
        return build_from_tokens(tokens, offsets, n_terms, k1, b)

    @classmethod
    def build(cls, docs: Sequence[Sequence[int]], n_terms: int, k1: float = 1.2, b: float = 0.75) -> "BM25Index":
        """From documents given as lists of term ids (small corpora and tests)."""
        return cls.from_tokens(*_offsets_of(docs), n_terms, k1, b)

    @property
    def n_terms(self) -> int:
        return len(self.indptr) - 1

    def df(self, term: int) -> int:
        return int(self._indptr[term + 1] - self._indptr[term])

    def _spans(self, terms: Sequence[int], boosts: Sequence[float] | None) -> list[tuple[int, int, float]]:
        """(start, end, boost) of each known query term's postings."""
        boosts = [1.0] * len(terms) if boosts is None else list(boosts)
        spans = [(int(self._indptr[t]), int(self._indptr[t + 1]), float(w))
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
        vals = self._weights[lo:hi]
        return self._indices[lo:hi], (vals if w == 1.0 else vals * w)

    def _score_sparse(self, spans: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray]:
        if len(spans) == 1:
            docs, vals = self._posting(*spans[0])
            return np.array(docs, dtype=np.int32), np.array(vals, dtype=np.float64)
        parts = [self._posting(*s) for s in spans]
        docs = np.concatenate([p[0] for p in parts])
        vals = np.concatenate([p[1] for p in parts])
        # np.unique(docs, return_inverse=True) without its Python overhead, which on a few postings outweighs the work
        order = docs.argsort(kind="stable")
        ordered = docs[order]
        first = np.empty(len(ordered), dtype=bool)
        first[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
        inverse = np.empty(len(ordered), dtype=np.int64)
        inverse[order] = first.cumsum() - 1
        touched = ordered[first]
        return touched.astype(np.int32), np.bincount(inverse, weights=vals, minlength=len(touched))

    def _accumulate(self, spans: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray | None]:
        """Scores of every document, and which were touched (None when all boosts are positive:
        then a touched document is exactly one scoring above zero)."""
        parts = [self._posting(lo, hi, w) for lo, hi, w in spans]
        docs = np.concatenate([d for d, _ in parts])
        # one C pass summing each document's terms in query order, as adding term by term would
        acc = np.bincount(docs, weights=np.concatenate([v for _, v in parts]), minlength=self.n_docs)
        hit = np.bincount(docs, minlength=self.n_docs) > 0 if any(w <= 0 for _, _, w in spans) else None
        return acc, hit

    def _score_dense(self, spans: list[tuple[int, int, float]]) -> tuple[np.ndarray, np.ndarray]:
        acc, hit = self._accumulate(spans)
        docs = (acc if hit is None else hit).nonzero()[0]
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
            docs = hit.nonzero()[0]
            return _best(docs.astype(np.int32), acc[docs], k)
        # Only documents scoring at least the k-th best of some subset can be in the top k. The
        # rarest term's documents are few and score high, so this leaves few candidates to sort.
        lo, hi, _ = min(spans, key=lambda s: s[1] - s[0])
        sample = acc[self._indices[lo:hi]]
        floor = np.partition(sample, len(sample) - k)[len(sample) - k] if len(sample) >= k else 0.0
        docs = (acc >= floor).nonzero()[0] if floor > 0 else acc.nonzero()[0]
        return _best(docs.astype(np.int32), acc[docs], k)

    def save(self, directory: Path, name: str) -> list[Path]:
        """Write the arrays and their description; returns the files written (for fsync)."""
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for field in ARRAYS:
            path = directory / f"{name}.{field}.npy"
            np.save(path, getattr(self, field), allow_pickle=False)
            written.append(path)
        return written + [self.save_meta(directory, name)]

    def save_meta(self, directory: Path, name: str) -> Path:
        meta = {"format": FORMAT, "variant": "lucene", "n_docs": self.n_docs, "k1": self.k1, "b": self.b,
                "avg_len": float(self.doc_len.mean()) if self.n_docs else 0.0}
        path = directory / f"{name}.json"
        path.write_text(json.dumps(meta))
        return path

    @classmethod
    def load(cls, directory: Path, name: str, mmap: bool = True) -> "BM25Index":
        meta = json.loads((directory / f"{name}.json").read_text())
        if meta.get("format") != FORMAT:
            raise ValueError(f"unknown BM25 index format {meta.get('format')!r}")
        mode = "r" if mmap else None
        arrays = {f: np.load(directory / f"{name}.{f}.npy", mmap_mode=mode, allow_pickle=False) for f in ARRAYS}
        index = cls(n_docs=int(meta["n_docs"]), k1=float(meta["k1"]), b=float(meta["b"]), **arrays)
        if (len(index.indptr) < 1 or int(index.indptr[-1]) != len(index.indices) or len(index.tf) != len(index.indices)
                or len(index.weights) != len(index.indices) or len(index.doc_len) != index.n_docs):
            raise ValueError("BM25 index arrays do not fit together")
        return index


def _best(docs: np.ndarray, scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best of (docs, scores), best first, ties to the earlier document."""
    if len(docs) > k:
        keep = (-scores).argpartition(k - 1)[:k]
        # argpartition may cut inside a run of tied scores: take every document tied with the k-th
        keep = (scores >= scores[keep].min()).nonzero()[0]
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[:k]
    return docs[order], scores[order]
