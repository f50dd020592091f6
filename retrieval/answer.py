"""Choosing the sentences to quote: candidates from BM25 over passages and sentences, one ranking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from retrieval.store import StoredIndex

PASSAGE_CANDIDATES = 20
SENTENCE_CANDIDATES = 40
NEAR_DUPLICATE = 0.8  # Jaccard overlap of term sets above which two quotes say the same thing


@dataclass(frozen=True)
class Ranked:
    sentence: int
    score: float


def rank_sentences(index: StoredIndex, terms: Sequence[int]) -> list[Ranked]:
    """Sentences best first by their own BM25 plus their passage's (each scaled to the best), ties
    broken by document order."""
    p_docs, p_scores = index.passages.top_k(terms, PASSAGE_CANDIDATES)
    s_docs, s_scores = index.sentences.score(terms)
    if len(s_docs) == 0:
        return []
    passage_score = dict(zip(p_docs.tolist(), (p_scores / p_scores.max()).tolist())) if len(p_docs) else {}
    sentence_score = dict(zip(s_docs.tolist(), (s_scores / s_scores.max()).tolist()))
    candidates = set(s_docs[np.argsort(-s_scores, kind="stable")[:SENTENCE_CANDIDATES]].tolist())
    corpus = index.corpus
    for p in p_docs.tolist():
        passage = corpus.passages[p]
        candidates.update(range(passage.first_sentence, passage.first_sentence + passage.n_sentences))
    ranked = [
        Ranked(s, sentence_score.get(s, 0.0) + passage_score.get(corpus.sentences[s].passage, 0.0))
        for s in candidates
        if s in sentence_score  # a quote must share at least one term with the question
    ]
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
