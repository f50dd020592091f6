"""Train the sentence ranker (retrieval/data/ranker.json) on SQuAD v1.1 dev, honestly.

Prints held-out hit@1/hit@3 for each C with article-level 2-fold cross-validation (fit on the
even-numbered articles, score the odd ones, and the reverse), then fits on all 48 articles with
C=0.1; with --write it stores those weights in retrieval/data/ranker.json. Never trained on the
seed article. After changing answer.FEATURES, write a zero placeholder ranker.json first (the
engine checks the number of weights when it opens).

    .venv/bin/python benchmarks/train_ranker.py [--squad FILE] [--write] [C ...]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot import metrics
from config import Settings
from retrieval import Engine
from retrieval import answer as sel
from retrieval.question import analyse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQUAD = ROOT.parent / "shared" / "benchmarks" / "squad" / "dev-v1.1.json"
RANKER = ROOT / "retrieval" / "data" / "ranker.json"


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
    texts = index.corpus.sentences
    rows = []
    for article, question, golds in questions:
        terms = [term_ids[t] for t in analyzer.terms(question) if t in term_ids]
        if not terms:
            continue
        q = analyse(question, analyzer)
        names = [[term_ids[t] for t in analyzer.terms(" ".join(n)) if t in term_ids] for n in q.names]
        cands, s_norm, p_norm = sel.candidates(index, engine._layout, terms)
        if len(cands) == 0:
            continue
        X = sel.features(index, engine._layout, q, terms, sel.idf_of(index, terms), cands, s_norm, p_norm,
                         name_terms=names)
        y = np.array([metrics.contains_any(texts[s].text, golds) for s in cands.tolist()])
        rows.append((article, X, y, cands))
    return rows


def fit(rows, C: float = 0.1):
    X = sel.expand(np.vstack([r[1] for r in rows]))
    y = np.concatenate([r[2] for r in rows])
    model = LogisticRegression(C=C, max_iter=5000).fit(X, y)
    return model.coef_[0], model.intercept_[0]


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
    parser.add_argument("C", nargs="*", type=float, help="regularisation strengths to cross-validate (default 0.1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        questions = write_docs(args.squad, docs)
        engine = Engine.open(Settings(docs_dir=docs, cache_dir=Path(tmp) / "cache"))
        start = time.perf_counter()
        rows = feature_rows(engine, questions)
    print(f"features for {len(rows)} questions in {time.perf_counter() - start:.1f} s; "
          f"gold sentence among the candidates for {sum(r[2].any() for r in rows) / len(questions):.4f}")
    n_even = sum(1 for q in questions if q[0] % 2 == 0)
    n_odd = len(questions) - n_even
    even = [r for r in rows if r[0] % 2 == 0]
    odd = [r for r in rows if r[0] % 2 == 1]
    for C in args.C or [0.1]:
        he = evaluate(odd, *fit(even, C), n_odd)
        ho = evaluate(even, *fit(odd, C), n_even)
        print(f"C={C}: even->odd hit@1/3 {he[0]:.4f}/{he[1]:.4f}; odd->even {ho[0]:.4f}/{ho[1]:.4f}; "
              f"mean held-out hit@1 {(he[0] * n_odd + ho[0] * n_even) / len(questions):.4f} "
              f"hit@3 {(he[1] * n_odd + ho[1] * n_even) / len(questions):.4f}")
    w, b = fit(rows, 0.1)
    print("all articles (in-sample): hit@1 %.4f hit@3 %.4f" % evaluate(rows, w, b, len(questions)))
    if args.write:
        RANKER.write_text(json.dumps({
            "trained_on": "SQuAD v1.1 dev, all 48 articles, logistic regression C=0.1 over the features and "
                          "their pairwise products (article-level 2-fold CV in README)",
            "features": list(sel.FEATURES),
            "weights": [round(float(v), 5) for v in w], "bias": round(float(b), 5)}) + "\n")


if __name__ == "__main__":
    main()
