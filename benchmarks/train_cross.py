"""Train the cross-encoder adapter of the optional reranker (retrieval/data/cross_encoder.npz) on half of
SQuAD v1.1 dev, and measure it on the other half.

The cross-encoder is all-MiniLM-L6-v2 (the reranker's own model, from the PyPI package) reading
"[CLS] question [SEP] sentence [SEP]" and saying whether the sentence answers the question. Only a
low-rank adapter (LoRA, rank 16, on every projection), the layer norms, the segment embeddings and
a one-unit head are trained: 0.67 M numbers, 1.3 MB as float16, shipped in the repository; the
model's 22 M weights stay in the package. quoteqa runs it in NumPy (retrieval/embedding.py).

Training needs PyTorch, which quoteqa itself does not (install it into the venv first; on this
machine `torch==2.13.0` is a CPU build on local disk):

    .venv/bin/pip install torch==2.13.0
    .venv/bin/python benchmarks/train_cross.py candidates   # SQuAD candidates, reranker on (2 min)
    .venv/bin/python benchmarks/train_cross.py train        # even-numbered articles (25 min, 2 cores)
    .venv/bin/python benchmarks/train_cross.py measure      # odd-numbered articles: the ones it never saw

Data: for every question, the 12 best candidates of the reranker's ranking over all 48 articles
(the gold sentence among them for 96%), labelled by whether they hold a gold answer; the training
pairs of a question are one gold sentence, five wrong candidates and one of the sentences of
another article nearest in meaning (a stand-in for "not in the documents"). Loss: softmax over
the question's pairs plus binary cross-entropy per pair (so the log-odds can decide abstention).
`measure` prints hit@1 of the reranker's order against the order after the cross-encoder, for a
few weights, and where the log-odds of answering and of stand-in unanswerable sentences fall:
the figures the constants in retrieval/semantic.py come from.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from squad_ask import DEFAULT_SQUAD, write_articles  # noqa: E402

from retrieval import embedding  # noqa: E402

WORK = Path("/tmp/quoteqa-squad")
CANDIDATES = 12
RANK, ALPHA = 16, 32
NEGATIVES = 5
QUESTIONS_PER_STEP = 8
SEED = 0


def candidates(args) -> None:
    """One JSON line per SQuAD question: its candidates in the reranker's order, labels, scores."""
    from bot import metrics
    from config import Settings
    from retrieval import Engine
    from retrieval import answer as sel
    from retrieval import semantic
    from retrieval.question import analyse

    squad = json.loads(args.squad.read_text(encoding="utf-8"))
    docs = args.work / "docs"
    if not docs.is_dir():
        docs.mkdir(parents=True)
        write_articles(squad, docs)
    questions = [(" ".join(qa["question"].split()), [a["text"] for a in qa["answers"]], i)
                 for i, article in enumerate(squad["data"]) for p in article["paragraphs"] for qa in p["qas"]]
    engine = Engine.open(Settings(docs_dir=docs, cache_dir=args.work / "cache", reranker="minilm"))
    corpus = engine.corpus
    doc_article = np.array([int(d.source.split("_", 1)[0]) for d in corpus.documents])
    passage_doc = np.asarray(corpus.passages.table[:, 0], dtype=np.int64)
    article_of = doc_article[passage_doc[engine._layout.sentence_passage]]
    sem, index, lay, analyzer, term_ids = (engine._semantic, engine._index, engine._layout, engine._analyzer,
                                           engine._term_ids)
    texts = index.corpus.sentences
    spelled = [engine._spell(q) for q, _, _ in questions]
    qvecs = sem.encoder.encode(spelled)
    coverage = sel.FEATURES.index("coverage")
    with open(args.work / "cross_candidates.jsonl", "w", encoding="utf-8") as out:
        for (_, golds, article), text, qvec in zip(questions, spelled, qvecs):
            q = analyse(text, analyzer)
            ids = [term_ids[t] for t in q.terms if t in term_ids]
            names = [[term_ids[t] for t in analyzer.terms(" ".join(n)) if t in term_ids] for n in q.names]
            cands, cos, X = sem.candidates(index, lay, ids, q, names, qvec)
            if not len(cands):
                continue
            scores = semantic.combine(engine._ranker.score(X), cos)
            keep = (X[:, coverage] > 0) | (cos >= semantic.KEEP_COSINE)
            order = [i for i in np.lexsort((cands, -scores)).tolist() if keep[i]][:CANDIDATES]
            others = np.flatnonzero(article_of != article)
            nearest_other = others[np.argsort(-(sem.vectors[others] @ qvec))[:4]]
            out.write(json.dumps({
                "q": text, "article": article,
                "cands": [texts[int(cands[i])].text for i in order],
                "y": [bool(metrics.contains_any(texts[int(cands[i])].text, golds)) for i in order],
                "score": [float(scores[i]) for i in order],
                "other": [texts[int(s)].text for s in nearest_other]}) + "\n")
    print(f"wrote {args.work / 'cross_candidates.jsonl'}")


def _torch_model():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    folder = embedding.model_dir()
    base = {k: torch.from_numpy(np.array(v, dtype=np.float32))
            for k, v in embedding.read_safetensors(folder / "model.safetensors").items()}
    tokenizer = embedding.WordPiece.from_file(folder / "vocab.txt")

    class LoRA(nn.Module):
        def __init__(self, name: str) -> None:
            super().__init__()
            w = base[name + ".weight"]
            self.register_buffer("W", w)
            self.register_buffer("b", base[name + ".bias"])
            self.A = nn.Parameter(torch.randn(RANK, w.shape[1]) / math.sqrt(w.shape[1]))
            self.B = nn.Parameter(torch.zeros(w.shape[0], RANK))

        def forward(self, x):
            return F.linear(x, self.W, self.b) + (x @ self.A.T) @ self.B.T * (ALPHA / RANK)

    def norm(name: str) -> nn.LayerNorm:
        m = nn.LayerNorm(base[name + ".weight"].shape[0], eps=1e-12)
        m.weight.data.copy_(base[name + ".weight"])
        m.bias.data.copy_(base[name + ".bias"])
        return m

    class Layer(nn.Module):
        def __init__(self, i: int) -> None:
            super().__init__()
            p = f"encoder.layer.{i}."
            self.q, self.k, self.v = (LoRA(p + f"attention.self.{n}") for n in ("query", "key", "value"))
            self.o = LoRA(p + "attention.output.dense")
            self.ln1 = norm(p + "attention.output.LayerNorm")
            self.up = LoRA(p + "intermediate.dense")
            self.down = LoRA(p + "output.dense")
            self.ln2 = norm(p + "output.LayerNorm")

        def forward(self, x, bias):
            n, length, dim = x.shape

            def heads(t):
                return t.view(n, length, 12, dim // 12).transpose(1, 2)

            att = torch.softmax(heads(self.q(x)) @ heads(self.k(x)).transpose(-1, -2) / math.sqrt(dim // 12) + bias, -1)
            ctx = (att @ heads(self.v(x))).transpose(1, 2).reshape(n, length, dim)
            x = self.ln1(x + F.dropout(self.o(ctx), 0.1, self.training))
            return self.ln2(x + F.dropout(self.down(F.gelu(self.up(x))), 0.1, self.training))

    class Cross(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("word", base["embeddings.word_embeddings.weight"])
            self.register_buffer("pos", base["embeddings.position_embeddings.weight"])
            self.types = nn.Parameter(base["embeddings.token_type_embeddings.weight"].clone())
            self.ln0 = norm("embeddings.LayerNorm")
            self.layers = nn.ModuleList(Layer(i) for i in range(6))
            self.head = nn.Linear(self.word.shape[1], 1)
            nn.init.normal_(self.head.weight, std=0.1)
            nn.init.zeros_(self.head.bias)

        def forward(self, ids, types, mask):
            x = self.ln0(self.word[ids] + self.pos[:ids.shape[1]] + self.types[types])
            bias = (1.0 - mask[:, None, None, :]) * -1e9
            for layer in self.layers:
                x = layer(x, bias)
            pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
            return self.head(pooled).squeeze(-1)

    def pair(question: str, sentence: str) -> tuple[list[int], list[int]]:
        a = tokenizer.encode(question, embedding.QUESTION_TOKENS)
        b = tokenizer.encode(sentence, embedding.PAIR_TOKENS - len(a) + 1)[1:]
        return a + b, [0] * len(a) + [1] * len(b)

    def batch(pairs):
        length = max(len(p[0]) for p in pairs)
        ids = torch.zeros(len(pairs), length, dtype=torch.long)
        types = torch.zeros_like(ids)
        mask = torch.zeros(len(pairs), length)
        for i, (a, t) in enumerate(pairs):
            ids[i, :len(a)] = torch.tensor(a)
            types[i, :len(a)] = torch.tensor(t)
            mask[i, :len(a)] = 1
        return ids, types, mask

    return Cross, pair, batch


def _rows(work: Path, fold: int) -> list[dict]:
    with open(work / "cross_candidates.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return [r for r in rows if r["article"] % 2 == fold]


def train(args) -> None:
    import torch
    import torch.nn.functional as F

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    Cross, pair, batch = _torch_model()
    rows = [r for r in _rows(args.work, 0) if any(r["y"])]
    model = Cross()
    head = list(model.head.parameters())
    rest = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head")]
    opt = torch.optim.AdamW([{"params": rest, "lr": 5e-4}, {"params": head, "lr": 3e-3}], weight_decay=0.01)
    steps = len(rows) // QUESTIONS_PER_STEP
    stop = min(steps, args.steps or steps)  # --steps: a shorter run, same schedule (to check a setup)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, s / 30) * max(0.0, 1 - s / steps))
    rng.shuffle(rows)
    start = time.time()
    model.train()
    for step in range(stop):
        pairs, groups, labels = [], [], []
        for r in rows[step * QUESTIONS_PER_STEP:(step + 1) * QUESTIONS_PER_STEP]:
            good = [c for c, y in zip(r["cands"], r["y"]) if y]
            wrong = [c for c, y in zip(r["cands"], r["y"]) if not y]
            rng.shuffle(wrong)
            chosen = [rng.choice(good)] + wrong[:NEGATIVES] + [rng.choice(r["other"])]
            groups.append((len(pairs), len(chosen)))
            labels += [1.0] + [0.0] * (len(chosen) - 1)
            pairs += [pair(r["q"], c) for c in chosen]
        logits = model(*batch(pairs))
        listwise = sum(-F.log_softmax(logits[s:s + n], 0)[0] for s, n in groups) / len(groups)
        loss = listwise + F.binary_cross_entropy_with_logits(logits, torch.tensor(labels))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if (step + 1) % 25 == 0:
            print(f"step {step + 1}/{steps} loss {loss.item():.3f} ({time.time() - start:.0f} s)", flush=True)
    _export(model.state_dict(), args.out)
    print(f"wrote {args.out} after {time.time() - start:.0f} s")


_HF = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
       "o": "attention.output.dense", "up": "intermediate.dense", "down": "output.dense",
       "ln1": "attention.output.LayerNorm", "ln2": "output.LayerNorm"}


def _export(state: dict, path: Path) -> None:
    """The trained tensors under the model's own names (embedding.Encoder's adapter format)."""
    out = {}
    for key, value in state.items():
        parts = key.split(".")
        a = value.detach().numpy()
        if parts[0] == "layers":
            layer = f"encoder.layer.{parts[1]}.{_HF[parts[2]]}"
            if parts[3] == "A":
                out[layer + ".lora_A"] = a
                out[layer + ".lora_scale"] = np.array(ALPHA / RANK, dtype=np.float32)
            elif parts[3] == "B":
                out[layer + ".lora_B"] = a
            elif parts[2].startswith("ln"):
                out[f"{layer}.{parts[3]}"] = a
        elif parts[0] == "ln0":
            out[f"embeddings.LayerNorm.{parts[1]}"] = a
        elif parts[0] == "types":
            out["embeddings.token_type_embeddings.weight"] = a
        elif parts[0] == "head":
            out[f"head.{parts[1]}"] = a
    np.savez(path, **{k: v if v.ndim == 0 else v.astype(np.float16) for k, v in out.items()})


def measure(args) -> None:
    """On the odd-numbered articles (never trained on), with the NumPy cross-encoder as quoteqa runs it."""
    rows = _rows(args.work, 1)
    if args.limit:
        rows = random.Random(SEED).sample(rows, min(args.limit, len(rows)))
    cross = embedding.CrossEncoder(embedding.model_dir(), args.out)
    from retrieval.semantic import CROSS_CANDIDATES

    start = time.time()
    logits, others = [], []
    for r in rows:
        x = cross.score(r["q"], r["cands"][:CROSS_CANDIDATES] + r["other"][:1])
        logits.append(x[:-1])
        others.append(float(x[-1]))
    seconds = time.time() - start
    print(f"{len(rows)} questions, {seconds / len(rows) * 1000:.0f} ms each for {CROSS_CANDIDATES} candidates + 1")
    print(f"hit@1 reranker order: {np.mean([r['y'][0] for r in rows]):.4f}")
    for w in (0.25, 0.5, 1.0, 2.0, 4.0, 1e6):
        hits = []
        for r, x in zip(rows, logits):
            s = np.array(r["score"][:len(x)]) + w * x
            hits.append(r["y"][int(np.argmax(s))])
        print(f"hit@1 with {'cross-encoder alone' if w == 1e6 else f'weight {w}'}: {np.mean(hits):.4f}")
    best = np.array([x.max() for x in logits])
    answerable = np.array([any(r["y"]) for r in rows])
    for bar in (-4, -2, -1, 0, 1, 2, 3, 4):
        print(f"log-odds >= {bar:>3}: answerable kept {np.mean(best[answerable] >= bar):.3f}, "
              f"other-article sentence kept {np.mean(np.array(others) >= bar):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=("candidates", "train", "measure"))
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--out", type=Path, default=embedding.CROSS_ADAPTER)
    parser.add_argument("--limit", type=int, default=0, help="measure: a sample of this many questions")
    parser.add_argument("--steps", type=int, default=0, help="train: stop after this many steps")
    args = parser.parse_args()
    {"candidates": candidates, "train": train, "measure": measure}[args.step](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
