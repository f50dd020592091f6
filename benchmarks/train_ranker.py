"""Train the sentence ranker (retrieval/data/ranker.json) on SQuAD v1.1 dev, honestly.

The objective is listwise: per question, the softmax over its candidates (those sharing a term
with the question, the ones the engine ranks) of the gold sentences' scores, i.e. the log of the
probability the ranking puts on a gold sentence coming first, plus an L2 penalty; it is what hit@1
asks for, where a pointwise logistic regression spends its fit on separating easy negatives.
(On the first 25 features alone: pointwise C=0.1 held-out 0.739 / 0.873, listwise 0.748 / 0.880.)

Prints held-out hit@1/hit@3 for each penalty with article-level 2-fold cross-validation (fit on
the even-numbered articles, score the odd ones, and the reverse), then fits on all 48 articles with
the first penalty given (default 0.01); with --write it stores those weights in
retrieval/data/ranker.json. Never trained on the seed article. After changing answer.FEATURES,
write a zero placeholder ranker.json first (the engine checks the number of weights when it opens).

--news-weight W adds the answerable questions of the news training sets (benchmarks/news/train*/,
each asked as `quoteqa eval` asks it, follow-ups after their earlier questions), each weighing W
SQuAD questions, and also scores the news sets in three folds (sets k, k + 3 held out in turn, the
fit on SQuAD and the other news sets). On 2026-12-04 no weight helped the news sets themselves
(held-out news hit@1 0.612 / 0.601 / 0.593 for W = 0 / 2 / 10, SQuAD 0.764 / 0.763 / 0.753), so
the shipped weights use W = 0: SQuAD alone.

    .venv/bin/python benchmarks/train_ranker.py [--squad FILE] [--write] [--news-weight W ...] [PENALTY ...]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from bot import metrics
from bot.evaluation import load_cases
from config import Settings
from retrieval import Engine
from retrieval.models import ChatState
from retrieval import answer as sel
from retrieval.question import analyse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQUAD = ROOT.parent / "shared" / "benchmarks" / "squad" / "dev-v1.1.json"
RANKER = ROOT / "retrieval" / "data" / "ranker.json"
NEWS = ROOT / "benchmarks" / "news"
NEWS_WEIGHT = 0.0  # what one news question weighs in the fit against one SQuAD question
NEWS_FOLDS = 3  # news sets k, k + 3, ... are scored by a fit on the others
PENALTY = 0.01  # L2 on standardised columns; held-out hit@1 0.759 / 0.761 / 0.759 for 0.003 / 0.01 / 0.03


def write_docs(squad: Path, folder: Path) -> list[tuple[int, str, list[str]]]:
    """Each article as one document (title, then paragraphs); (article, question, gold answers)."""
    data = json.loads(squad.read_text(encoding="utf-8"))["data"]
    questions = []
    for i, art in enumerate(data):
        body = "\n\n".join(p["context"] for p in art["paragraphs"])
        (folder / f"{i:02d}_{art['title'][:40]}.txt").write_text(
            art["title"].replace("_", " ") + "\n\n" + body + "\n", encoding="utf-8")
        questions += [(i, qa["question"], [a["text"] for a in qa["answers"]])
                      for p in art["paragraphs"] for qa in p["qas"]]
    return questions


def feature_rows(engine: Engine, questions):
    """(article, features, labels, candidates) per question that has candidates."""
    index, analyzer, term_ids = engine._index, engine._analyzer, engine._term_ids
    rows = []
    for article, question, golds in questions:
        terms = [term_ids[t] for t in analyzer.terms(question) if t in term_ids]
        q = analyse(question, analyzer)
        names = [[term_ids[t] for t in analyzer.terms(" ".join(n)) if t in term_ids] for n in q.names]
        row = _row(engine, q, terms, names, golds)
        if row is not None:
            rows.append((article, *row))
    return rows


def _row(engine: Engine, q, terms, names, golds):
    """(features, labels, candidates) of one question, or None when it has no candidate."""
    index = engine._index
    if not terms:
        return None
    cands, s_norm, p_norm = sel.candidates(index, engine._layout, terms)
    if len(cands) == 0:
        return None
    X = sel.features(index, engine._layout, q, terms, sel.idf_of(index, terms), cands, s_norm, p_norm,
                     name_terms=names)
    texts = index.corpus.sentences
    y = np.array([metrics.contains_any(texts[s].text, golds) for s in cands.tolist()])
    return X, y, cands


def news_sets(root: Path = NEWS) -> list[tuple[str, Path, list]]:
    """(name, documents folder, cases) of each news training set under benchmarks/news/."""
    return [(folder.name, folder / "docs", load_cases(folder / "questions.yaml"))
            for folder in sorted(root.glob("train*")) if (folder / "questions.yaml").exists()]


def news_rows(name: str, docs: Path, cases, cache: Path):
    """Rows of one news set's answerable questions, each asked as quoteqa eval asks it: the earlier
    questions of its chat first, so that a follow-up is ranked as the engine resolves it."""
    engine = Engine.open(Settings(docs_dir=docs, cache_dir=cache / name))
    rows = []
    for case in cases:
        if case.abstain:
            continue
        state = ChatState()
        for earlier in case.before:
            state = engine.ask(earlier, state).state
        query = engine.query(case.question, state)
        row = _row(engine, query.q, list(query.terms), [list(n) for n in query.names], case.quote_contains)
        if row is not None:
            rows.append((name, *row))
    return rows


def fit(rows, penalty: float = PENALTY, news_rows=(), news_weight: float = 0.0) -> tuple[np.ndarray, float]:
    """Weights over expand(features) minimising the weighted mean over questions of -log(softmax
    mass on the gold sentences) + penalty * |w|^2, on standardised columns (float32 to halve the
    memory). Each news question weighs `news_weight` SQuAD questions."""
    lists, weights = [], []
    for rows_, weight in ((rows, 1.0), (news_rows, news_weight)):
        for _, X, y, _ in rows_:
            keep = X[:, sel.FEATURES.index("coverage")] > 0
            if weight > 0 and y[keep].any() and keep.sum() > 1:
                lists.append((sel.expand(X[keep]).astype(np.float32), y[keep]))
                weights.append(weight)
    q_weight = np.array(weights) / np.sum(weights)
    Z = np.vstack([z for z, _ in lists])
    gold = np.concatenate([y for _, y in lists])
    sizes = np.array([len(y) for _, y in lists])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    group = np.repeat(np.arange(len(lists)), sizes)
    mean, sd = Z.mean(axis=0, dtype=np.float64), Z.std(axis=0, dtype=np.float64)
    sd[sd < 1e-9] = 1.0
    Z -= mean.astype(np.float32)
    Z /= sd.astype(np.float32)

    def loss_and_gradient(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = (Z @ w.astype(np.float32)).astype(np.float64)
        top = np.maximum.reduceat(s, starts)
        gold_top = np.maximum.reduceat(np.where(gold, s, -np.inf), starts)
        e_all = np.exp(s - top[group])
        e_gold = np.where(gold, np.exp(s - gold_top[group]), 0.0)
        all_sum, gold_sum = np.add.reduceat(e_all, starts), np.add.reduceat(e_gold, starts)
        loss = q_weight @ (top + np.log(all_sum) - gold_top - np.log(gold_sum)) + penalty * w @ w
        residual = (e_all / all_sum[group] - e_gold / gold_sum[group]) * q_weight[group]
        grad = (Z.T @ residual.astype(np.float32)).astype(np.float64) + 2 * penalty * w
        return float(loss), grad

    w = minimize(loss_and_gradient, np.zeros(Z.shape[1]), jac=True, method="L-BFGS-B",
                 options={"maxiter": 2000}).x / sd
    # The bias centres the scores. The default path uses only their order, but the reranker adds
    # cosine terms to them: after a refit, benchmarks/calibrate_semantic.py checks its weights.
    return w, float(-(mean * w).sum())


def evaluate(rows, w, b, n_total: int) -> tuple[float, float]:
    h1 = h3 = 0
    for _, X, y, cands in rows:
        keep = X[:, sel.FEATURES.index("coverage")] > 0
        order = [o for o in np.lexsort((cands, -(sel.expand(X) @ w + b))) if keep[o]]
        h1 += bool(y[order[:1]].any())
        h3 += bool(y[order[:3]].any())
    return h1 / n_total, h3 / n_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--write", action="store_true", help="store the all-articles fit in ranker.json")
    parser.add_argument("--news-weight", type=float, nargs="+", default=[NEWS_WEIGHT],
                        help=f"what one news question weighs against one SQuAD question; the first is "
                             f"used for the final fit (default {NEWS_WEIGHT})")
    parser.add_argument("penalty", nargs="*", type=float,
                        help=f"L2 penalties to cross-validate; the first is used for the final fit (default {PENALTY})")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        questions = write_docs(args.squad, docs)
        engine = Engine.open(Settings(docs_dir=docs, cache_dir=Path(tmp) / "cache"))
        start = time.perf_counter()
        rows = feature_rows(engine, questions)
        sets = news_sets()
        news = [news_rows(name, folder, cases, Path(tmp) / "news") for name, folder, cases in sets]
    asked = {name: sum(not c.abstain for c in cases) for name, _, cases in sets}
    print(f"features for {len(rows)} SQuAD questions and {sum(map(len, news))} news questions "
          f"({len(sets)} sets) in {time.perf_counter() - start:.1f} s; "
          f"gold sentence among the candidates for {sum(r[2].any() for r in rows) / len(questions):.4f} "
          f"and {sum(r[2].any() for n in news for r in n) / max(sum(asked.values()), 1):.4f}")
    n_even = sum(1 for q in questions if q[0] % 2 == 0)
    n_odd = len(questions) - n_even
    even = [r for r in rows if r[0] % 2 == 0]
    odd = [r for r in rows if r[0] % 2 == 1]
    every_news = [r for n in news for r in n]
    penalties = args.penalty or [PENALTY]
    for penalty in penalties:
        for weight in args.news_weight:
            he = evaluate(odd, *fit(even, penalty, every_news, weight), n_odd)
            ho = evaluate(even, *fit(odd, penalty, every_news, weight), n_even)
            line = (f"penalty={penalty} news_weight={weight}: SQuAD even->odd hit@1/3 {he[0]:.4f}/{he[1]:.4f}; "
                    f"odd->even {ho[0]:.4f}/{ho[1]:.4f}; mean held-out hit@1 "
                    f"{(he[0] * n_odd + ho[0] * n_even) / len(questions):.4f} "
                    f"hit@3 {(he[1] * n_odd + ho[1] * n_even) / len(questions):.4f}")
            if len(news) >= NEWS_FOLDS:  # news sets in folds, each scored by a fit without it
                hits = np.zeros(2)
                for fold in range(NEWS_FOLDS):
                    train = [r for k, n in enumerate(news) if k % NEWS_FOLDS != fold for r in n]
                    w, b = fit(rows, penalty, train, weight)
                    for k, n in enumerate(news):
                        if k % NEWS_FOLDS == fold:
                            hits += np.array(evaluate(n, w, b, 1))
                total = sum(asked.values())
                line += f"; news held-out hit@1/3 {hits[0] / total:.4f}/{hits[1] / total:.4f}"
            print(line, flush=True)
    w, b = fit(rows, penalties[0], every_news, args.news_weight[0])
    print("all articles (in-sample): hit@1 %.4f hit@3 %.4f" % evaluate(rows, w, b, len(questions)))
    if args.write:
        RANKER.write_text(json.dumps({
            "trained_on": "SQuAD v1.1 dev, all 48 articles, " + (
                f"and the {len(sets)} news training sets of benchmarks/news/ (each question weighing "
                f"{args.news_weight[0]} SQuAD questions), " if args.news_weight[0] > 0 else "") +
                f"listwise softmax with L2 penalty {penalties[0]} over the features and their "
                "pairwise products (cross-validated by benchmarks/train_ranker.py)",
            "features": list(sel.FEATURES),
            "weights": [round(float(v), 5) for v in w], "bias": round(float(b), 5)}) + "\n")


if __name__ == "__main__":
    main()
