"""Calibrate the semantic reranker (retrieval/semantic.py) on SQuAD v1.1 dev, honestly.

Ranking: for every question, the candidates with the reranker on (BM25's plus the nearest
sentences), the learned ranker's score and the cosine. A logistic regression over (learned score,
cosine, cosine minus the best cosine) is fitted with article-level 2-fold cross-validation (even
articles, then odd ones) and held-out hit@1/hit@3 are printed against the learned ranker alone,
for a few values of KEEP_COSINE. Then it is fitted on all articles: those are the weights to copy.

Abstention: SQuAD has only answerable questions, so "not in the documents" is simulated by asking
each question of the other 47 articles (its own article's sentences removed from the candidates).
For each cut-off the table shows how many answerable questions would change verdict and how many
simulated unanswerable ones, split by the lexical verdict (key-term coverage) they had.

    .venv/bin/python benchmarks/calibrate_semantic.py [--squad FILE] [--work DIR] [--limit N]

Uses the documents and cache of benchmarks/embed_squad.py (--work), so the sentences are embedded
once. Never run on the seed article.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from squad_ask import DEFAULT_SQUAD, write_articles

from bot import metrics
from config import Settings
from retrieval import Engine
from retrieval import answer as sel
from retrieval import semantic
from retrieval.question import analyse

KEEPS = (0.3, 0.4, 0.5, 0.6, 2.0)


def collect(engine: Engine, questions, articles_of_sentence: np.ndarray):
    sem = engine._semantic
    index, lay, analyzer, term_ids = engine._index, engine._layout, engine._analyzer, engine._term_ids
    texts = index.corpus.sentences
    spelled = [engine._spell(q) for q, _, _ in questions]
    start = time.perf_counter()
    qvecs = sem.encoder.encode(spelled)
    print(f"embedded {len(questions)} questions in {time.perf_counter() - start:.1f} s", flush=True)
    rows = []
    for (question, golds, article), text, qvec in zip(questions, spelled, qvecs):
        q = analyse(text, analyzer)
        ids = [term_ids[t] for t in q.terms if t in term_ids]
        names = [[term_ids[t] for t in analyzer.terms(" ".join(n)) if t in term_ids] for n in q.names]
        cands, cos, X = sem.candidates(index, lay, ids, q, names, qvec)
        learned = engine._ranker.score(X) if len(cands) else np.empty(0)
        y = np.array([metrics.contains_any(texts[s].text, golds) for s in cands.tolist()], dtype=bool)
        others = articles_of_sentence != article
        other_cos = float((sem.vectors[others] @ qvec).max())
        rows.append({"article": article, "q": q, "cands": cands, "cos": cos, "learned": learned,
                     "coverage": X[:, sel.FEATURES.index("coverage")] if len(cands) else np.empty(0),
                     "y": y, "other_cos": other_cos, "in_article": articles_of_sentence[cands] == article})
    return rows


def design(r) -> np.ndarray:
    return np.column_stack([r["learned"], semantic.cosine_terms(r["cos"])])


def fit(rows) -> tuple[np.ndarray, float]:
    rows = [r for r in rows if len(r["cands"])]
    X = np.vstack([design(r) for r in rows])
    y = np.concatenate([r["y"] for r in rows])
    model = LogisticRegression(C=1.0, max_iter=2000).fit(X, y)
    return model.coef_[0], float(model.intercept_[0])


def order(r, w: np.ndarray | None, keep_cos: float, mask: np.ndarray | None = None) -> list[int]:
    """Candidate positions best first, as the engine ranks: learned score alone (w None, BM25's
    candidates sharing a term) or learned + weighted cosine terms."""
    if not len(r["cands"]):
        return []
    if w is None:
        scores = r["learned"]
        keep = r["coverage"] > 0
        bm25_only = ~np.isin(r["cands"], r["dense_only"]) if "dense_only" in r else np.ones(len(keep), bool)
        keep &= bm25_only
    else:
        cos = r["cos"]
        scores = design(r) @ w
        keep = (r["coverage"] > 0) | (cos >= keep_cos)
    if mask is not None:
        keep &= mask
    return [i for i in np.lexsort((r["cands"], -scores)).tolist() if keep[i]]


def hits(rows, w, keep_cos) -> tuple[float, float]:
    h1 = h3 = 0
    for r in rows:
        o = order(r, w, keep_cos)
        h1 += bool(r["y"][o[:1]].any())
        h3 += bool(r["y"][o[:3]].any())
    return h1 / len(rows), h3 / len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--work", type=Path, default=Path("/tmp/quoteqa-squad"))
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    squad = json.loads(args.squad.read_text(encoding="utf-8"))
    docs = args.work / "docs"
    if not docs.is_dir():
        docs.mkdir(parents=True)
        write_articles(squad, docs)
    questions = []
    for i, article in enumerate(squad["data"]):
        for p in article["paragraphs"]:
            questions += [(" ".join(qa["question"].split()), [a["text"] for a in qa["answers"]], i) for qa in p["qas"]]
    if args.limit:
        questions = questions[::max(1, len(questions) // args.limit)][:args.limit]
    engine = Engine.open(Settings(docs_dir=docs, cache_dir=args.work / "cache", reranker="minilm"))
    corpus = engine.corpus
    doc_article = np.array([int(d.source.split("_", 1)[0]) for d in corpus.documents])
    passage_doc = np.asarray(corpus.passages.table[:, 0], dtype=np.int64)
    sentence_article = doc_article[passage_doc[engine._layout.sentence_passage]]
    rows = collect(engine, questions, sentence_article)
    lay = engine._layout
    for r in rows:  # which candidates only the dense search brought (for the learned-only baseline)
        ids = [engine._term_ids[t] for t in r["q"].terms if t in engine._term_ids]
        bm25 = sel.candidates(engine._index, lay, ids)[0] if ids else np.empty(0, dtype=np.int64)
        r["dense_only"] = np.setdiff1d(r["cands"], bm25)
    n = len(rows)
    base = hits(rows, None, 2.0)
    recall_bm25 = np.mean([bool(r["y"][np.isin(r["cands"], r["dense_only"], invert=True)].any()) for r in rows])
    recall_all = np.mean([bool(r["y"].any()) for r in rows])
    print(f"questions {n}; gold among candidates: BM25 {recall_bm25:.3f}, with dense {recall_all:.3f}")
    print(f"learned ranker alone: hit@1 {base[0]:.3f} hit@3 {base[1]:.3f}")
    folds = [[r for r in rows if r["article"] % 2 == f] for f in (0, 1)]
    for keep_cos in KEEPS:
        h = np.zeros(2)
        hb = np.zeros(2)
        for f in (0, 1):
            w, _ = fit(folds[1 - f])
            h += np.array(hits(folds[f], w, keep_cos)) * len(folds[f])
            hb += np.array(hits(folds[f], None, 2.0)) * len(folds[f])
        print(f"held-out, keep_cos {keep_cos}: hit@1 {h[0] / n:.3f} hit@3 {h[1] / n:.3f} "
              f"(learned alone {hb[0] / n:.3f} / {hb[1] / n:.3f})")
    w, b = fit(rows)
    print(f"fit on all: learned {w[0]:.4f} cos {w[1]:.4f} cos_gap {w[2]:.4f} bias {b:.4f}; "
          f"as engine weights: COSINE_WEIGHT {w[1] / w[0]:.3f}, COSINE_GAP_WEIGHT {w[2] / w[0]:.3f}")

    # abstention, as the engine decides: the best of the combined ranking; when its key-term support
    # fails without a hard miss, the nearest candidate by cosine instead (Semantic.rank)
    keep_cos = semantic.KEEP_COSINE
    pos, neg = [], []
    for r in rows:
        for out, mask in ((pos, None), (neg, ~r["in_article"])):
            o = order(r, w, keep_cos, mask)
            if not o:
                continue
            s = engine._support(r["q"], int(r["cands"][o[0]]))
            fallback = not s.enough and not s.missing
            if fallback:
                keep = ((r["coverage"] > 0) | (r["cos"] >= keep_cos)) & (mask if mask is not None else True)
                o = [i for i in np.lexsort((r["cands"], -r["cos"])).tolist() if keep[i]]
                s = engine._support(r["q"], int(r["cands"][o[0]]))
            out.append((s.enough, bool(s.missing), float(r["cos"][o[0]]), bool(r["y"][o[0]]), fallback))
    print(f"\nanswerable (own article): {len(pos)}; lexically enough {sum(p[0] and not p[1] for p in pos)}, "
          f"hard miss {sum(p[1] for p in pos)}, ranked by cosine {sum(p[4] for p in pos)}; simulated unanswerable: "
          f"{len(neg)}; lexically enough {sum(p[0] and not p[1] for p in neg)}, hard miss {sum(p[1] for p in neg)}")
    print("ANSWER_COSINE t, among those ranked by cosine (lexically declined, no hard miss): "
          "answerable answered (gold top-1) | unanswerable answered")
    low_pos = [p for p in pos if not p[0] and not p[1]]
    low_neg = [p for p in neg if not p[0] and not p[1]]
    for t in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        rescued = [p for p in low_pos if p[2] >= t]
        wrong = [p for p in low_neg if p[2] >= t]
        print(f"  {t:.2f}: {len(rescued)} of {len(low_pos)} ({sum(p[3] for p in rescued)} gold) | "
              f"{len(wrong)} of {len(low_neg)} ({len(wrong) / max(len(neg), 1):.2%} of all unanswerable)")
    print("DECLINE_COSINE t, among lexically enough: answerable declined (gold top-1) | unanswerable declined")
    ok_pos = [p for p in pos if p[0] and not p[1]]
    ok_neg = [p for p in neg if p[0] and not p[1]]
    for t in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3):
        lost = [p for p in ok_pos if p[2] <= t]
        caught = [p for p in ok_neg if p[2] <= t]
        print(f"  {t:.2f}: {len(lost)} of {len(ok_pos)} ({sum(p[3] for p in lost)} gold) | "
              f"{len(caught)} of {len(ok_neg)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
