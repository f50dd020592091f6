"""Choosing the sentences to quote: candidates from BM25 over passages and sentences, then one learned
linear ranking over a few features of each candidate (vectorised over all candidates at once).

Features (all cheap, computed from term ids in order plus per-token flags):
  sentence and passage BM25 (each scaled to the best candidate), share of the question's idf weight
  matched by the sentence, by the sentence with its neighbours and by its passage, question term pairs
  found next to each other (phrases), how tightly the matches sit, and whether the sentence holds a
  token of the wanted answer type (a number for "how many", a date for "when", a new name for "who")
  that is not a question word.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np

from retrieval import question as qa
from retrieval.store import StoredIndex
from retrieval.text import Analyzer, fold, stopwords, word_spans, words

PASSAGE_CANDIDATES = 12
SENTENCE_CANDIDATES = 30
NEAR_DUPLICATE = 0.8  # Jaccard overlap of term sets above which two quotes say the same thing

FEATURES = (
    "sentence_bm25", "passage_bm25", "coverage", "context_coverage", "passage_coverage",
    "phrase_pairs", "density", "name_phrases", "new_terms", "first_in_passage", "log_length",
    "count_has_number", "date_has_date", "person_has_name", "place_has_name", "org_has_name",
    "other_has_name", "reason_has_cue",
)

# Token flags, one bit each, aligned with StoredIndex.sentence_terms.
CAPITALISED, NUMBER, DATE_WORD, REASON_CUE = 1, 2, 4, 8
_REASON_CUES = frozenset("because since due order reason so therefore thus result caused".split())
_DATE_WORDS = qa.MONTHS | qa.WEEKDAYS | frozenset(
    "century centuries decade decades today yesterday tomorrow week weeks year years bc ad bce ce".split())


@dataclass(frozen=True)
class Ranked:
    sentence: int
    score: float


@dataclass(frozen=True)
class Ranker:
    weights: np.ndarray
    bias: float

    def score(self, features: np.ndarray) -> np.ndarray:
        return features @ self.weights + self.bias


@lru_cache(maxsize=None)
def load_ranker() -> Ranker:
    """The shipped weights (retrieval/data/ranker.json, trained on SQuAD with article-level folds)."""
    data = json.loads(resources.files("retrieval.data").joinpath("ranker.json").read_text("utf-8"))
    weights = np.array([float(data["weights"].get(name, 0.0)) for name in FEATURES])
    return Ranker(weights=weights, bias=float(data.get("bias", 0.0)))


def token_flags(index: StoredIndex, analyzer: Analyzer) -> np.ndarray:
    """Per index token: capitalised mid-sentence word, number, date word, reason cue (bit flags).

    Built once when the engine opens; if a sentence's tokens do not line up with the stored term ids
    (an index made by another analyzer) its flags stay 0 rather than be misaligned.
    """
    flags = np.zeros(len(index.sentence_terms), dtype=np.uint8)
    offsets = index.sentence_offsets
    stops = stopwords(analyzer.language)
    for i, s in enumerate(index.corpus.sentences):
        text = s.text
        ws, spans = words(text), word_spans(text)
        out = []
        for k, (w, (a, _)) in enumerate(zip(ws, spans)):
            if w in stops:
                continue
            f = 0
            if k > 0 and text[a].isupper():
                f |= CAPITALISED
            if w[0].isdigit() or w in qa.NUMBER_WORDS:
                f |= DATE_WORD if qa.is_year(w) else NUMBER
            elif w in _DATE_WORDS:
                f |= DATE_WORD
            if w in _REASON_CUES:
                f |= REASON_CUE
            out.append(f)
        lo, hi = int(offsets[i]), int(offsets[i + 1])
        if len(out) == hi - lo:
            flags[lo:hi] = out
    return flags


def _gather(index: StoredIndex, sentences: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token positions of `sentences` back to back, and which of them (0..len-1) each token belongs to."""
    lo = index.sentence_offsets[sentences]
    lens = index.sentence_offsets[sentences + 1] - lo
    owner = np.repeat(np.arange(len(sentences)), lens)
    starts = np.repeat(np.cumsum(lens) - lens, lens)
    positions = np.repeat(lo, lens) + (np.arange(int(lens.sum())) - starts)
    return positions.astype(np.int64), owner


def candidates(index: StoredIndex, terms: Sequence[int]) -> tuple[np.ndarray, dict[int, float], dict[int, float]]:
    """Candidate sentences (ascending), and sentence and passage BM25 scaled to the best of each."""
    p_docs, p_scores = index.passages.top_k(terms, PASSAGE_CANDIDATES)
    s_docs, s_scores = index.sentences.top_k(terms, SENTENCE_CANDIDATES)
    if len(s_docs) == 0:
        return np.empty(0, dtype=np.int64), {}, {}
    corpus = index.corpus
    chosen = set(s_docs.tolist())
    for p in p_docs.tolist():
        passage = corpus.passages[p]
        chosen.update(range(passage.first_sentence, passage.first_sentence + passage.n_sentences))
    sentence_score = dict(zip(s_docs.tolist(), (s_scores / s_scores.max()).tolist()))
    passage_score = dict(zip(p_docs.tolist(), (p_scores / p_scores.max()).tolist())) if len(p_docs) else {}
    return np.array(sorted(chosen), dtype=np.int64), sentence_score, passage_score


def features(index: StoredIndex, flags: np.ndarray, question: qa.Question, terms: Sequence[int],
             idf: np.ndarray, cands: np.ndarray, sentence_score: dict[int, float],
             passage_score: dict[int, float], full_sentence_scores: dict[int, float] | None = None,
             name_terms: Sequence[Sequence[int]] = ()) -> np.ndarray:
    """One row of FEATURES per candidate sentence."""
    corpus = index.corpus
    uniq = list(dict.fromkeys(terms))
    q_index = {t: i for i, t in enumerate(uniq)}
    w = idf / max(idf.sum(), 1e-9)
    n = len(cands)
    passages = np.fromiter((corpus.sentences[s].passage for s in cands.tolist()), dtype=np.int64, count=n)
    # every sentence of the candidates' passages, so neighbours and passages are complete
    pset = sorted(set(passages.tolist()))
    firsts = [corpus.passages[p].first_sentence for p in pset]
    counts = [corpus.passages[p].n_sentences for p in pset]
    every = np.concatenate([np.arange(f, f + c) for f, c in zip(firsts, counts)])
    pos, owner = _gather(index, every)
    toks = index.sentence_terms[pos]
    q_of_tok = np.full(len(toks), -1, dtype=np.int64)
    sorted_q = np.array(sorted(uniq), dtype=np.int64)
    where = np.searchsorted(sorted_q, toks)
    where[where >= len(sorted_q)] = 0
    hit = sorted_q[where] == toks if len(sorted_q) else np.zeros(len(toks), bool)
    order_of_sorted = np.array([q_index[t] for t in sorted_q.tolist()], dtype=np.int64)
    q_of_tok[hit] = order_of_sorted[where[hit]]
    bits = np.zeros(len(toks), dtype=np.uint64)
    bits[hit] = np.left_shift(np.uint64(1), np.minimum(q_of_tok[hit], 63).astype(np.uint64))
    masks = np.zeros(len(every), dtype=np.uint64)
    np.bitwise_or.at(masks, owner, bits)
    n_q = len(uniq)
    bit_table = ((masks[:, None] >> np.arange(min(n_q, 64), dtype=np.uint64)[None, :]) & np.uint64(1)).astype(np.float64)
    row_of = {s: i for i, s in enumerate(every.tolist())}
    cand_rows = np.array([row_of[s] for s in cands.tolist()], dtype=np.int64)
    wq = w[:bit_table.shape[1]]
    coverage = bit_table[cand_rows] @ wq
    # neighbours within the passage
    first_of = dict(zip(pset, firsts))
    count_of = dict(zip(pset, counts))
    ctx_masks = masks[cand_rows].copy()
    p_masks = {}
    for p in pset:
        r0 = row_of[first_of[p]]
        p_masks[p] = np.bitwise_or.reduce(masks[r0:r0 + count_of[p]])
    prev_ok = np.array([s > first_of[p] for s, p in zip(cands.tolist(), passages.tolist())])
    next_ok = np.array([s < first_of[p] + count_of[p] - 1 for s, p in zip(cands.tolist(), passages.tolist())])
    ctx_masks[prev_ok] |= masks[cand_rows[prev_ok] - 1]
    ctx_masks[next_ok] |= masks[cand_rows[next_ok] + 1]
    shifts = np.arange(min(n_q, 64), dtype=np.uint64)[None, :]
    context_coverage = (((ctx_masks[:, None] >> shifts) & np.uint64(1)).astype(np.float64)) @ wq
    pm = np.array([p_masks[p] for p in passages.tolist()], dtype=np.uint64)
    passage_coverage = (((pm[:, None] >> shifts) & np.uint64(1)).astype(np.float64)) @ wq

    # token-level features for the candidate rows only
    cand_tok = np.isin(owner, cand_rows)
    c_owner = owner[cand_tok]
    remap = np.full(len(every), -1, dtype=np.int64)
    remap[cand_rows] = np.arange(n)
    c_owner = remap[c_owner]
    c_q = q_of_tok[cand_tok]
    c_flags = flags[pos[cand_tok]]
    lengths = np.bincount(c_owner, minlength=n).astype(np.float64)
    matched = c_q >= 0
    # phrase pairs: consecutive tokens that are consecutive question terms (in the question's order)
    q_pairs = {(q_index[a], q_index[b]) for a, b in zip(terms, terms[1:]) if a != b}
    phrase = np.zeros(n)
    if q_pairs and len(c_q) > 1:
        same = c_owner[1:] == c_owner[:-1]
        pair_code = c_q[:-1] * 64 + c_q[1:]
        wanted = np.array([a * 64 + b for a, b in q_pairs], dtype=np.int64)
        good = same & matched[:-1] & matched[1:] & np.isin(pair_code, wanted)
        phrase = np.bincount(c_owner[:-1][good], minlength=n) / len(q_pairs)
    # density: distinct matched terms over the stretch they span
    density = np.zeros(n)
    if matched.any():
        idx = np.arange(len(c_q))
        first = np.full(n, np.iinfo(np.int64).max)
        last = np.full(n, -1)
        np.minimum.at(first, c_owner[matched], idx[matched])
        np.maximum.at(last, c_owner[matched], idx[matched])
        n_matched = bit_table[cand_rows].sum(axis=1)
        span = np.where(last >= 0, last - first + 1, 1)
        density = np.where(last >= 0, n_matched / np.maximum(span, 1), 0.0)
    new_tok = ~matched
    new_terms = np.bincount(c_owner[new_tok], minlength=n) / np.maximum(lengths, 1)

    def has(flag: int) -> np.ndarray:
        sel = new_tok & ((c_flags & flag) > 0)
        return (np.bincount(c_owner[sel], minlength=n) > 0).astype(np.float64)

    t = question.answer_type
    has_name = has(CAPITALISED)
    zero = np.zeros(n)
    names = np.zeros(n)
    if name_terms:
        for name in name_terms:
            if len(name) < 2:
                continue
            code = [q_index.get(x, -1) for x in name]
            if min(code) < 0:
                continue
            ok = np.ones(max(len(c_q) - len(code) + 1, 0), dtype=bool)
            for j, c in enumerate(code):
                ok &= c_q[j:len(c_q) - len(code) + 1 + j] == c
            ok &= c_owner[:len(ok)] == c_owner[len(code) - 1:len(code) - 1 + len(ok)]
            names += np.bincount(c_owner[:len(ok)][ok], minlength=n) > 0
        names /= max(1, len(name_terms))
    cols = {
        "sentence_bm25": np.array([sentence_score.get(s, 0.0) for s in cands.tolist()]),
        "passage_bm25": np.array([passage_score.get(p, 0.0) for p in passages.tolist()]),
        "coverage": coverage,
        "context_coverage": context_coverage,
        "passage_coverage": passage_coverage,
        "phrase_pairs": phrase,
        "density": density,
        "name_phrases": names,
        "new_terms": new_terms,
        "first_in_passage": np.array([s == first_of[p] for s, p in zip(cands.tolist(), passages.tolist())], float),
        "log_length": np.log1p(lengths),
        "count_has_number": has(NUMBER) if t == qa.COUNT else zero,
        "date_has_date": has(DATE_WORD) if t == qa.DATE else zero,
        "person_has_name": has_name if t == qa.PERSON else zero,
        "place_has_name": has_name if t == qa.PLACE else zero,
        "org_has_name": has_name if t == qa.ORGANISATION else zero,
        "other_has_name": has_name if t == qa.DESCRIPTION else zero,
        "reason_has_cue": has(REASON_CUE) if t == qa.REASON else zero,
    }
    return np.column_stack([cols[name] for name in FEATURES])


def idf_of(index: StoredIndex, terms: Sequence[int]) -> np.ndarray:
    """Sentence-level idf of each distinct term, in first-seen order."""
    uniq = list(dict.fromkeys(terms))
    n = index.sentences.n_docs
    df = np.array([index.sentences.df(t) for t in uniq], dtype=np.float64)
    return np.log1p((n - df + 0.5) / (df + 0.5))


def rank_sentences(index: StoredIndex, terms: Sequence[int], question: qa.Question | None = None,
                   flags: np.ndarray | None = None, ranker: Ranker | None = None,
                   name_terms: Sequence[Sequence[int]] = ()) -> list[Ranked]:
    """Sentences best first by the learned score over FEATURES; ties broken by document order.

    Without a question and flags, falls back to sentence BM25 plus passage BM25 (each scaled)."""
    cands, s_score, p_score = candidates(index, terms)
    if len(cands) == 0:
        return []
    if question is None or flags is None:
        corpus = index.corpus
        ranked = [Ranked(s, s_score.get(s, 0.0) + p_score.get(corpus.sentences[s].passage, 0.0))
                  for s in cands.tolist()]
    else:
        X = features(index, flags, question, terms, idf_of(index, terms), cands, s_score, p_score,
                     name_terms=name_terms)
        scores = (ranker or load_ranker()).score(X)
        keep = X[:, FEATURES.index("coverage")] > 0  # a quote must share at least one term with the question
        ranked = [Ranked(int(s), float(v)) for s, v, k in zip(cands.tolist(), scores.tolist(), keep.tolist()) if k]
    ranked.sort(key=lambda r: (-r.score, r.sentence))
    return ranked


def sentence_term_set(index: StoredIndex, sentence: int) -> frozenset[int]:
    lo, hi = index.sentence_offsets[sentence], index.sentence_offsets[sentence + 1]
    return frozenset(index.sentence_terms[lo:hi].tolist())


def drop_near_duplicates(index: StoredIndex, ranked: Sequence[Ranked], k: int) -> list[Ranked]:
    """The first k of `ranked` that do not repeat an earlier pick (e.g. two copies of one article)."""
    picked: list[Ranked] = []
    seen: list[frozenset[int]] = []
    for r in ranked:
        terms = sentence_term_set(index, r.sentence)
        text = index.corpus.sentences[r.sentence].text
        if any(_jaccard(terms, other) >= NEAR_DUPLICATE for other in seen) or any(
            index.corpus.sentences[p.sentence].text == text for p in picked
        ):
            continue
        picked.append(r)
        seen.append(terms)
        if len(picked) == k:
            break
    return picked


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)
