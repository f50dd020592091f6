"""Choosing the sentences to quote: candidates from BM25 over passages and sentences, then one learned
linear ranking over a few features of each candidate (vectorised over all candidates at once).

Features (all cheap, computed from term ids in order plus per-token flags):
  sentence and passage BM25 (each scaled to the best candidate), share of the question's idf weight
  matched by the sentence, by the sentence with its neighbours, by each neighbour and by its passage,
  by the sentence with its document's title (the subject a sentence leaves to the title: "He was
  born in ..." in an article named after him), by the sentence counting words that share a question
  term's first letters ("invasion" for "invade", which the stemmer keeps apart), by the sentence
  counting one-word WordNet synonyms and derived forms ("prosecutor" for "prosecute"), question term pairs
  found next to each other (phrases) and the longest run of question terms, how tightly the matches
  sit, where the sentence sits in its passage, and whether the sentence holds a
  token of the wanted answer type (a number for "how many", a date for "when", a new name for "who")
  that is not a question word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import NamedTuple, Sequence

import numpy as np

from retrieval import question as qa
from retrieval import synonyms
from retrieval.store import StoredIndex
from retrieval.text import Analyzer, fold, stopwords, word_spans, words

PASSAGE_CANDIDATES = 12
SENTENCE_CANDIDATES = 30
PREFIX = 4  # letters a sentence term shares with a question term to count for prefix_coverage
NEAR_DUPLICATE = 0.8  # Jaccard overlap of term sets above which two quotes say the same thing

FEATURES = (
    "sentence_bm25", "passage_bm25", "coverage", "context_coverage", "passage_coverage",
    "phrase_pairs", "density", "name_phrases", "new_terms", "first_in_passage", "starts_with_match", "log_length",
    "count_has_number", "date_has_date", "person_has_name", "place_has_name", "org_has_name",
    "other_has_name", "reason_has_cue", "rarest_term", "term_share",
    # the same as a gap to the best candidate of this question (0 for the best)
    "sentence_bm25_gap", "coverage_gap", "context_coverage_gap", "passage_coverage_gap",
    "previous_coverage", "next_coverage", "position", "longest_run", "prefix_coverage",
    "title_coverage", "title_share", "synonym_coverage", "count_beside_noun",
)
_GAPS = (("sentence_bm25_gap", "sentence_bm25"), ("coverage_gap", "coverage"),
         ("context_coverage_gap", "context_coverage"), ("passage_coverage_gap", "passage_coverage"))

# Token flags, one bit each, aligned with StoredIndex.sentence_terms.
CAPITALISED, NUMBER, DATE_WORD, REASON_CUE = 1, 2, 4, 8
_REASON_CUES = frozenset("because since due order reason so therefore thus result caused".split())
_DATE_WORDS = qa.MONTHS | qa.WEEKDAYS | frozenset(
    "century centuries decade decades today yesterday tomorrow week weeks year years bc ad bce ce".split())


class Ranked(NamedTuple):  # one per candidate of every question: a tuple is three times faster to make
    sentence: int
    score: float


def expand(features: np.ndarray) -> np.ndarray:
    """The features, then every product of two of them (x_i * x_j, i <= j, in row order), so a
    linear model can weigh combinations such as 'covers the question AND holds a number'."""
    i, j = _pairs(features.shape[1])
    products = np.take(features, i, axis=1)  # np.take and an in-place product: fewer, faster copies
    np.multiply(products, np.take(features, j, axis=1), out=products)
    return np.hstack([features, products])


@lru_cache(maxsize=None)
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """np.triu_indices(n), made once: building it costs as much as scoring the candidates."""
    return np.triu_indices(n)


@dataclass(frozen=True)
class Ranker:
    weights: np.ndarray  # one per column of expand(features)
    bias: float

    def score(self, features: np.ndarray) -> np.ndarray:
        """expand(features) @ weights + bias, as x.w + x'Qx: the products are never built (a
        fortieth of the time; the sums' order differs by rounding, about 1e-14)."""
        linear, quadratic = self._forms
        return features @ linear + np.einsum("ij,ij->i", features @ quadratic, features) + self.bias

    @cached_property
    def _forms(self) -> tuple[np.ndarray, np.ndarray]:
        """The weights of the features themselves, and those of their products as an upper
        triangular matrix."""
        n = len(FEATURES)
        quadratic = np.zeros((n, n))
        quadratic[_pairs(n)] = self.weights[n:]
        return self.weights[:n], quadratic


@lru_cache(maxsize=None)
def load_ranker() -> Ranker:
    """The shipped weights (retrieval/data/ranker.json, trained on SQuAD with article-level folds)."""
    data = json.loads(resources.files("retrieval.data").joinpath("ranker.json").read_text("utf-8"))
    if data.get("features") != list(FEATURES):
        raise ValueError("retrieval/data/ranker.json was trained on other features; retrain it")
    weights = np.array(data["weights"], dtype=np.float64)
    n = len(FEATURES)
    if len(weights) != n + n * (n + 1) // 2:
        raise ValueError("retrieval/data/ranker.json has the wrong number of weights; retrain it")
    return Ranker(weights=weights, bias=float(data["bias"]))


def sentence_flags(text: str, stops: frozenset[str]) -> tuple[list[int], list[str]]:
    """Flags of each index token of one sentence (aligned with its stored term ids), and its words.

    A pure function of the text, so an index build could store its result beside the term ids.
    """
    ws, spans = words(text), word_spans(text)
    out = []
    for k, (w, (a, b)) in enumerate(zip(ws, spans)):
        if w in stops:
            continue
        f = 0
        if k > 0 and text[a].isupper():
            f |= CAPITALISED
        if w[0].isdigit() or w in qa.NUMBER_WORDS:
            f |= DATE_WORD if qa.is_year(w) and "," not in text[a:b] else NUMBER  # "1,150" is a count
        elif w in _DATE_WORDS:
            f |= DATE_WORD
        if w in _REASON_CUES:
            f |= REASON_CUE
        out.append(f)
    return out, ws


class Layout:
    """Flat arrays the ranking reads instead of per-sentence objects.

    Token flags are computed per sentence the first time it is a candidate, not for the whole corpus
    when the engine opens: opening stays as fast as loading the index, whatever its size. Filling the
    cache is idempotent, so threads sharing an engine may race on it harmlessly.
    """

    def __init__(self, index: StoredIndex, analyzer: Analyzer) -> None:
        table = getattr(index.corpus.passages, "table", None)
        if table is None:
            table = np.array([[p.doc, p.number, p.first_sentence, p.n_sentences] for p in index.corpus.passages],
                             dtype=np.int64).reshape(-1, 4)
        self.passage_first = np.asarray(table[:, 2], dtype=np.int64)  # per passage: its first sentence
        self.passage_count = np.asarray(table[:, 3], dtype=np.int64)  # per passage: how many sentences
        self.passage_doc = np.asarray(table[:, 0], dtype=np.int64)
        self.sentence_passage = np.repeat(np.arange(len(self.passage_first), dtype=np.int64), self.passage_count)
        # The index's term ids as plain arrays over the same memory: every slice of a np.memmap
        # makes another memmap object, which costs more than the slice on small corpora.
        self.sentence_terms = np.asarray(index.sentence_terms)
        self.sentence_offsets = np.asarray(index.sentence_offsets)
        self.flags = np.zeros(len(index.sentence_terms), dtype=np.uint8)  # per index token, filled lazily
        self._flagged = np.zeros(len(self.sentence_passage), dtype=bool)
        self._index = index
        self._stops = stopwords(analyzer.language)
        self._analyzer = analyzer
        self.language = analyzer.language
        self._title_terms: dict[int, frozenset[str]] = {}  # per document, filled lazily
        self._document_terms: dict[int, frozenset[int]] = {}  # per document, filled lazily
        self._term_ids: dict[str, int] | None = None
        self._prefix_ids: np.ndarray | None = None
        self.synonym_ids: dict[int, tuple[int, ...]] = {}  # per question term: its one-word synonyms' ids
        self.term_set = lru_cache(maxsize=1 << 14)(self._term_set)

    def _term_set(self, sentence: int) -> frozenset[int]:
        """The term ids of one sentence (read from the plain arrays: indexing the index's np.memmap
        costs a Python call per element)."""
        lo, hi = self.sentence_offsets[sentence], self.sentence_offsets[sentence + 1]
        return frozenset(self.sentence_terms[lo:hi].tolist())

    def title_terms(self, doc: int) -> frozenset[str]:
        """The index terms of a document's title (cached; filling the cache is idempotent)."""
        got = self._title_terms.get(doc)
        if got is None:
            got = frozenset(self._analyzer.terms(self._index.corpus.documents[doc].title or ""))
            self._title_terms[doc] = got
        return got

    def document_terms(self, doc: int) -> frozenset[int]:
        """The term ids of every sentence of a document (cached; filling the cache is idempotent)."""
        got = self._document_terms.get(doc)
        if got is None:
            passages = np.flatnonzero(self.passage_doc == doc)
            if len(passages):
                lo = int(self.passage_first[passages[0]])
                hi = int(self.passage_first[passages[-1]] + self.passage_count[passages[-1]])
                got = frozenset(np.unique(self.sentence_terms[self.sentence_offsets[lo]:self.sentence_offsets[hi]]).tolist())
            else:
                got = frozenset()
            self._document_terms[doc] = got
        return got

    def term_ids(self) -> dict[str, int]:
        """{index term: its id}, built the first time it is asked for."""
        if self._term_ids is None:
            self._term_ids = {t: i for i, t in enumerate(self._index.vocab)}
        return self._term_ids

    def prefix_ids(self) -> np.ndarray:
        """Per index term, an id shared by the terms with its first PREFIX letters (-1 when it is
        shorter), built the first time it is asked for: prefix_coverage compares ids, not strings."""
        if self._prefix_ids is None:
            self._prefix_ids = prefix_ids(self._index.vocab)
        return self._prefix_ids

    def ensure_flags(self, sentences: np.ndarray) -> None:
        """Fill the token flags of `sentences` that have none yet. If a sentence's tokens do not line
        up with its stored term ids (an index made by another analyzer) its flags stay 0."""
        todo = sentences[~self._flagged[sentences]]
        if not len(todo):
            return
        sentences_table = self._index.corpus.sentences
        text_of = getattr(sentences_table, "text", None) or (lambda i: sentences_table[i].text)
        offsets = self._index.sentence_offsets
        for i in todo.tolist():  # (flagging a sentence twice would only cost time)
            out, _ = sentence_flags(text_of(i), self._stops)
            lo, hi = int(offsets[i]), int(offsets[i + 1])
            if len(out) == hi - lo:
                self.flags[lo:hi] = out
            self._flagged[i] = True


_ALPHA_WORD = re.compile(r"[^\W\d_]+")


def document_words(index: StoredIndex) -> frozenset[str]:
    """Every folded alphabetic word of the documents (for spelling correction): one regex pass over
    the sentence text, then folding each distinct word once."""
    sentences = index.corpus.sentences
    blob = getattr(sentences, "blob", None)
    text = (bytes(blob).decode("utf-8") if blob is not None
            else "\n".join(s.text for s in sentences))
    return frozenset(fold(w) for w in set(_ALPHA_WORD.findall(text)))


def _gather(lay: Layout, sentences: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token positions of `sentences` back to back, which of them (0..len-1) each token belongs
    to, and how many tokens each has."""
    lo = lay.sentence_offsets[sentences]
    lens = lay.sentence_offsets[sentences + 1] - lo
    owner = np.arange(len(sentences)).repeat(lens)
    return _runs(lo, lens).astype(np.int64), owner, lens


def _distinct(ascending: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array: np.unique without its sort (and its Python
    overhead, which on a question's few hundred values costs more than the work)."""
    if len(ascending) < 2:
        return ascending
    keep = np.empty(len(ascending), dtype=bool)
    keep[0] = True
    np.not_equal(ascending[1:], ascending[:-1], out=keep[1:])
    return ascending[keep]


def _runs(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """np.arange(s, s + c) for each (s, c), back to back, without a Python loop."""
    offsets = (counts.cumsum() - counts).repeat(counts)
    return starts.repeat(counts) + (np.arange(int(counts.sum())) - offsets)


def candidates(index: StoredIndex, lay: Layout, terms: Sequence[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate sentences (ascending) with their sentence and passage BM25, each scaled to the best."""
    p_docs, p_scores = index.passages.top_k(terms, PASSAGE_CANDIDATES)
    s_docs, s_scores = index.sentences.top_k(terms, SENTENCE_CANDIDATES)
    if len(s_docs) == 0:
        return np.empty(0, dtype=np.int64), np.empty(0), np.empty(0)
    p_docs = np.asarray(p_docs, dtype=np.int64)
    every = _runs(lay.passage_first[p_docs], lay.passage_count[p_docs])
    cands = np.concatenate([np.asarray(s_docs, dtype=np.int64), every])
    cands.sort()
    cands = _distinct(cands)
    s_norm = np.zeros(len(cands))
    s_norm[cands.searchsorted(s_docs)] = s_scores / s_scores.max()
    passages = lay.sentence_passage[cands]
    p_of = np.zeros(len(cands))
    if len(p_docs):
        order = p_docs.argsort()
        sp_docs = np.asarray(p_docs)[order]
        sp_scores = (p_scores / p_scores.max())[order]
        at = np.minimum(sp_docs.searchsorted(passages), len(sp_docs) - 1)
        found = sp_docs[at] == passages
        p_of[found] = sp_scores[at[found]]
    return cands, s_norm, p_of


def features(index: StoredIndex, lay: Layout, question: qa.Question, terms: Sequence[int],
             idf: np.ndarray, cands: np.ndarray, s_norm: np.ndarray, p_norm: np.ndarray,
             name_terms: Sequence[Sequence[int]] = ()) -> np.ndarray:
    """One row of FEATURES per candidate sentence (`cands` ascending, each once)."""
    uniq = list(dict.fromkeys(terms))[:64]
    q_index = {t: i for i, t in enumerate(uniq)}
    w = idf[:len(uniq)] / max(idf.sum(), 1e-9)
    n = len(cands)
    passages = lay.sentence_passage[cands]
    pset = _distinct(passages)  # ascending, as the candidates are
    firsts, counts = lay.passage_first[pset], lay.passage_count[pset]
    # every sentence of the candidates' passages, so that neighbours and passages are complete
    every = _runs(firsts, counts)
    pos, owner, lens = _gather(lay, every)
    toks = lay.sentence_terms[pos].astype(np.int64)
    sorted_q = np.array(sorted(uniq), dtype=np.int64)
    where = np.minimum(sorted_q.searchsorted(toks), len(sorted_q) - 1)
    hit = sorted_q[where] == toks
    rank_of_sorted = np.array([q_index[t] for t in sorted_q.tolist()], dtype=np.int64)
    q_of_tok = np.where(hit, rank_of_sorted[where], -1)
    bits = np.where(hit, np.left_shift(np.uint64(1), np.maximum(q_of_tok, 0).astype(np.uint64)), np.uint64(0))
    masks = _per_group(np.bitwise_or, bits, _groups(lens), 0, np.uint64)
    byte_weights = _byte_sums(w)

    def weight(m: np.ndarray) -> np.ndarray:
        """The idf weight of each mask's question terms: a table look-up per byte of the mask."""
        out = byte_weights[0][m & np.uint64(255)]
        for k in range(1, len(byte_weights)):
            out += byte_weights[k][(m >> np.uint64(8 * k)) & np.uint64(255)]
        return out

    rows = every.searchsorted(cands)
    first_of = firsts.repeat(counts)  # per row of `every`: its passage's first sentence
    last_of = first_of + counts.repeat(counts) - 1
    has_prev = cands > first_of[rows]  # (every[rows] is cands)
    has_next = cands < last_of[rows]
    own = masks[rows]  # each candidate's own question terms
    none = np.uint64(0)
    before = np.where(has_prev, masks[rows - 1], none)  # the neighbours' (none past the passage's ends)
    after = np.where(has_next, masks[np.minimum(rows + 1, len(masks) - 1)], none)
    ctx = own | before | after
    row_starts = np.concatenate(([0], counts.cumsum()[:-1]))
    p_masks = np.bitwise_or.reduceat(masks, row_starts)
    pm = p_masks[pset.searchsorted(passages)]
    n_matched = _popcount(own)

    # token-level features over the candidates' own tokens
    row_to_cand = np.full(len(every), -1, dtype=np.int64)
    row_to_cand[rows] = np.arange(n)
    c_owner_all = row_to_cand[owner]
    keep = c_owner_all >= 0
    c_owner = c_owner_all[keep]
    c_q = q_of_tok[keep]
    lay.ensure_flags(cands)
    c_flags = lay.flags[pos[keep]]
    c_counts = lens[rows]  # tokens per candidate (c_owner ascends)
    by_cand = _groups(c_counts)
    lengths = c_counts.astype(np.float64)
    matched = c_q >= 0
    same_next = np.zeros(len(c_q), dtype=bool)
    same_next[:-1] = c_owner[1:] == c_owner[:-1]
    phrase = np.zeros(n)
    q_pairs = {(q_index[a], q_index[b]) for a, b in zip(terms, terms[1:]) if a != b and a in q_index and b in q_index}
    if q_pairs and len(c_q) > 1:
        code = c_q[:-1] * 64 + c_q[1:]
        wanted = np.array([a * 64 + b for a, b in q_pairs], dtype=np.int64)
        good = same_next[:-1] & matched[:-1] & matched[1:] & (code[:, None] == wanted).any(axis=1)
        phrase = np.bincount(c_owner[:-1][good], minlength=n) / len(q_pairs)
    density = np.zeros(n)
    starts = np.zeros(n)
    if matched.any():
        idx = np.arange(len(c_q))
        first = _per_group(np.minimum, np.where(matched, idx, len(c_q)), by_cand, len(c_q), np.int64)
        last = _per_group(np.maximum, np.where(matched, idx, -1), by_cand, -1, np.int64)
        density = np.where(last >= 0, n_matched / np.maximum(last - first + 1, 1), 0.0)
        begin = c_owner.searchsorted(np.arange(n))  # first token of each candidate
        starts = (first == begin) & (lengths > 0)
    new_tok = ~matched
    new_terms = np.bincount(c_owner[new_tok], minlength=n) / np.maximum(lengths, 1)

    def has(flag: int) -> np.ndarray:
        sel = new_tok & ((c_flags & flag) > 0)
        return (np.bincount(c_owner[sel], minlength=n) > 0).astype(np.float64)

    names = np.zeros(n)
    for name in name_terms:
        code = [q_index.get(x, -1) for x in name]
        if len(code) < 2 or min(code) < 0 or len(c_q) < len(code):
            continue
        span = len(c_q) - len(code) + 1
        ok = np.ones(span, dtype=bool)
        for j, c in enumerate(code):
            ok &= c_q[j:j + span] == c
        ok &= c_owner[:span] == c_owner[len(code) - 1:len(code) - 1 + span]
        names += np.bincount(c_owner[:span][ok], minlength=n) > 0
    if name_terms:
        names /= len(name_terms)
    t = question.answer_type
    has_name = has(CAPITALISED)
    in_passage = counts.repeat(counts)[rows]
    title = _title_masks(index, lay, uniq, lay.passage_doc[passages])
    c_toks = toks[keep]
    prefixed = _per_group(np.bitwise_or, _prefix_bits(lay.prefix_ids(), uniq, c_toks), by_cand, 0, np.uint64)
    synonymous = _per_group(np.bitwise_or, _synonym_bits(index.vocab, lay.term_ids(), uniq, c_toks, lay.language,
                                                         lay.synonym_ids), by_cand, 0, np.uint64)
    zero = np.zeros(n)
    # every weighed mask in one look-up (rows of one array)
    (coverage, context_coverage, passage_coverage, previous, following, prefix_coverage, synonym_coverage,
     title_coverage, title_share) = weight(np.array([own, ctx, pm, before, after, own | prefixed, own | synonymous,
                                                     own | title, title]))
    beside = _counts_beside_noun(lay, question, q_index, c_q, c_flags, c_owner, n) if t == qa.COUNT else zero
    cols = {
        "sentence_bm25": s_norm,
        "passage_bm25": p_norm,
        "coverage": coverage,
        "context_coverage": context_coverage,
        "passage_coverage": passage_coverage,
        "phrase_pairs": phrase,
        "density": density,
        "name_phrases": names,
        "new_terms": new_terms,
        "first_in_passage": (cands == first_of[rows]).astype(np.float64),
        "starts_with_match": np.asarray(starts, dtype=np.float64),
        "log_length": np.log1p(lengths),
        "count_has_number": has(NUMBER) if t == qa.COUNT else zero,
        "date_has_date": has(DATE_WORD) if t == qa.DATE else zero,
        "person_has_name": has_name if t == qa.PERSON else zero,
        "place_has_name": has_name if t == qa.PLACE else zero,
        "org_has_name": has_name if t == qa.ORGANISATION else zero,
        "other_has_name": has_name if t == qa.DESCRIPTION else zero,
        "reason_has_cue": has(REASON_CUE) if t == qa.REASON else zero,
        "rarest_term": ((own >> np.uint64(int(w.argmax()))) & np.uint64(1)).astype(np.float64),
        "term_share": n_matched / len(uniq),
        "previous_coverage": previous,
        "next_coverage": following,
        "position": (cands - first_of[rows]) / np.maximum(in_passage - 1, 1),
        "longest_run": _longest_runs(matched, same_next, by_cand) / len(uniq),
        "prefix_coverage": prefix_coverage,
        "synonym_coverage": synonym_coverage,
        "title_coverage": title_coverage,
        "title_share": title_share,
        "count_beside_noun": beside,
    }
    for gap, base in _GAPS:
        cols[gap] = cols[base] - cols[base].max()
    # C order, as np.column_stack gives, in a third of its time (the layout decides the ranker's sums)
    return np.ascontiguousarray(np.array([cols[name] for name in FEATURES], dtype=np.float64).T)


_BYTE_BITS = ((np.arange(256)[:, None] >> np.arange(8)) & 1).astype(np.float64)  # row b: the bits of b
_BYTE_COUNTS = _BYTE_BITS.sum(axis=1)  # how many bits each byte value has


def _popcount(masks: np.ndarray) -> np.ndarray:
    """How many bits each mask has (as floats)."""
    out = _BYTE_COUNTS[masks & np.uint64(255)]
    for k in range(8, 64, 8):
        rest = masks >> np.uint64(k)
        if not rest.any():
            break
        out = out + _BYTE_COUNTS[rest & np.uint64(255)]
    return out


def _byte_sums(w: np.ndarray) -> list[np.ndarray]:
    """Per byte k of a term mask, the table {byte value: the summed weight of terms 8k..8k+7 it holds}."""
    padded = np.zeros(max(1, -(-len(w) // 8)) * 8)
    padded[:len(w)] = w
    return [_BYTE_BITS @ padded[k:k + 8] for k in range(0, len(padded), 8)]


BESIDE = 3  # index tokens from a number to the noun it counts ("26 accused cartel operatives")


def _counts_beside_noun(lay: "Layout", question: qa.Question, q_index: dict[int, int], c_q: np.ndarray,
                        c_flags: np.ndarray, c_owner: np.ndarray, n: int) -> np.ndarray:
    """Per candidate, 1 when a number stands right before the noun a count question counts ('how many
    jobs': 'cut 1,150 jobs'), 0 otherwise."""
    ids = lay.term_ids()
    nouns = [q_index[ids[t]] for t in qa.nouns_counted_beside(question, lay._analyzer) if ids.get(t) in q_index]
    out = np.zeros(n)
    if not nouns or len(c_q) < 2:
        return out
    number = (c_flags & NUMBER) > 0
    noun = np.isin(c_q, nouns)
    for d in range(1, BESIDE + 1):
        ok = number[:-d] & noun[d:] & (c_owner[:-d] == c_owner[d:])
        out[c_owner[:-d][ok]] = 1.0
    return out


def _longest_runs(matched: np.ndarray, same_next: np.ndarray, groups: "_Groups") -> np.ndarray:
    """Per candidate, the most question-term tokens in a row (any question terms, in any order);
    `groups`: the candidates' tokens, back to back."""
    if not matched.any():
        return np.zeros(groups.n)
    at = np.arange(len(matched))
    goes_on = np.zeros(len(matched), dtype=bool)
    goes_on[1:] = matched[1:] & matched[:-1] & same_next[:-1]
    run_start = np.maximum.accumulate(np.where(goes_on, 0, at))
    return _per_group(np.maximum, (at - run_start + 1) * matched, groups, 0, np.float64)


class _Groups(NamedTuple):
    """Values back to back in groups (group i: the next counts[i] of them), worked out once for
    the several reductions over the same groups."""
    n: int  # groups
    starts: np.ndarray  # where each group that has values starts
    filled: np.ndarray | None  # which groups have values; None when all do


def _groups(counts: np.ndarray) -> _Groups:
    starts = counts.cumsum() - counts
    filled = counts > 0
    if filled.all():
        return _Groups(len(counts), starts, None)
    return _Groups(len(counts), starts[filled], filled)


def _per_group(op: np.ufunc, values: np.ndarray, groups: _Groups, empty: int, dtype: type) -> np.ndarray:
    """op reduced over each group of `values`, `empty` for a group of none. The same as op.at over
    ascending owners, a few times faster."""
    if groups.filled is None and groups.n:
        return op.reduceat(values, groups.starts).astype(dtype, copy=False)
    out = np.full(groups.n, empty, dtype=dtype)
    if len(groups.starts):
        out[groups.filled] = op.reduceat(values, groups.starts)
    return out


def _synonym_bits(vocab: Sequence[str], term_ids: dict[str, int], uniq: Sequence[int], toks: np.ndarray,
                  language: str, known: dict[int, tuple[int, ...]] | None = None) -> np.ndarray:
    """Per token, the bit of each question term (in `uniq` order) of which it is a one-word WordNet
    synonym or derived form ("prosecutor" for "prosecute", "cars" for "automobiles"). `known`
    keeps each term's synonym ids between calls (filling it is idempotent)."""
    wanted: dict[int, int] = {}
    for i, t in enumerate(uniq):
        ids = known.get(t) if known is not None else None
        if ids is None:
            ids = tuple(term_ids[s[0]] for s in synonyms.of(vocab[t], language) if len(s) == 1 and s[0] in term_ids)
            if known is not None:
                known[t] = ids
        for j in ids:
            wanted[j] = wanted.get(j, 0) | 1 << i
    return _looked_up(wanted, toks)


def prefix_ids(vocab: Sequence[str]) -> np.ndarray:
    """Per term, an id shared by the terms with its first PREFIX letters; -1 when it is shorter."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(t[:PREFIX], len(ids)) if len(t) >= PREFIX else -1 for t in vocab],
                    dtype=np.int64)


def _prefix_bits(prefixes: np.ndarray, uniq: Sequence[int], toks: np.ndarray) -> np.ndarray:
    """Per token, the bit of each question term (in `uniq` order) whose first PREFIX letters it
    has; `prefixes` is prefix_ids(vocab)."""
    wanted: dict[int, int] = {}
    for i, p in enumerate(prefixes[list(uniq)].tolist()):
        if p >= 0:
            wanted[p] = wanted.get(p, 0) | 1 << i
    return _looked_up(wanted, prefixes[toks])


def _looked_up(bits_of: dict[int, int], keys: np.ndarray) -> np.ndarray:
    """bits_of[k] for each k of `keys`, 0 where it has none: one binary search for all of them."""
    bits = np.zeros(len(keys), dtype=np.uint64)
    if bits_of and len(keys):
        known = np.array(sorted(bits_of), dtype=np.int64)
        values = np.array([bits_of[k] for k in known.tolist()], dtype=np.uint64)
        at = np.minimum(known.searchsorted(keys), len(known) - 1)
        hit = known[at] == keys
        bits[hit] = values[at[hit]]
    return bits


def _title_masks(index: StoredIndex, lay: Layout, uniq: Sequence[int], docs: np.ndarray) -> np.ndarray:
    """Per candidate, the bit mask of the question terms (in `uniq` order) its document's title holds."""
    q_words = [index.vocab[t] for t in uniq]
    docs = docs.tolist()  # a few documents, each many times: a dict beats np.unique here
    masks = {}
    for d in set(docs):
        title = lay.title_terms(d)
        masks[d] = sum(1 << i for i, word in enumerate(q_words) if word in title)
    return np.array([masks[d] for d in docs], dtype=np.uint64)


def idf_of(index: StoredIndex, terms: Sequence[int]) -> np.ndarray:
    """Sentence-level idf of each distinct term, in first-seen order."""
    uniq = list(dict.fromkeys(terms))
    n = index.sentences.n_docs
    df = np.array([index.sentences.df(t) for t in uniq], dtype=np.float64)
    return np.log1p((n - df + 0.5) / (df + 0.5))


def rank_sentences(index: StoredIndex, lay: Layout, terms: Sequence[int], question: qa.Question,
                   ranker: Ranker | None = None, name_terms: Sequence[Sequence[int]] = ()) -> list[Ranked]:
    """Sentences best first by the learned score over FEATURES; ties broken by document order.
    A quote must share at least one term with the question."""
    cands, s_norm, p_norm = candidates(index, lay, terms)
    if len(cands) == 0:
        return []
    X = features(index, lay, question, terms, idf_of(index, terms), cands, s_norm, p_norm, name_terms)
    scores = (ranker or load_ranker()).score(X)
    keep = X[:, FEATURES.index("coverage")] > 0
    order = np.lexsort((cands, -scores))
    order = order[keep[order]]
    return [Ranked(c, s) for c, s in zip(cands[order].tolist(), scores[order].tolist())]


def sentence_term_set(lay: Layout, sentence: int) -> frozenset[int]:
    """The term ids of one sentence (kept for the sentences read lately: several steps of one answer
    read the same few)."""
    return lay.term_set(sentence)


def drop_near_duplicates(index: StoredIndex, lay: Layout, ranked: Sequence[Ranked], k: int) -> list[Ranked]:
    """The first k of `ranked` that do not repeat an earlier pick (e.g. two copies of one article)."""
    picked: list[Ranked] = []
    seen: list[frozenset[int]] = []
    for r in ranked:
        terms = sentence_term_set(lay, r.sentence)
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
