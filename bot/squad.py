"""SQuAD v1.1 in the open setting: every article one document, every question asked against all of them.

A hit@k is a quote among the first k that holds one of the question's gold answers (case, whitespace and
curly quotes folded); the short answer is scored with SQuAD's exact match and token F1.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from bot import metrics
from bot.evaluation import FixtureError, SourceTexts, fidelity_check
from config.settings import Settings
from retrieval.models import ChatState

logger = logging.getLogger(__name__)

HIT_KS = (1, 3, 5)
MISSED_SHOWN = 25
_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    golds: tuple[str, ...]
    article: str  # the article's title as written in its document


def article_text(title: str, contexts: list[str]) -> str:
    """One document: the title, then the paragraphs, separated by blank lines (whitespace runs collapsed)."""
    paragraphs = [" ".join(title.replace("_", " ").split())] + [" ".join(c.split()) for c in contexts]
    return "\n\n".join(paragraphs) + "\n"


def load_dataset(path: Path) -> tuple[list[tuple[str, str]], list[Question]]:
    """The articles as (file name, text) and the questions, in file order."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        articles = data["data"]
    except OSError as e:
        raise FixtureError(f"{path}: cannot read SQuAD file: {e.strerror}") from None
    except (ValueError, KeyError, TypeError):
        raise FixtureError(f"{path}: not a SQuAD v1.1 JSON file (expected {{\"data\": [articles]}})") from None
    documents, questions = [], []
    try:
        for number, article in enumerate(articles):
            title = " ".join(article["title"].replace("_", " ").split())
            name = f"{number:03d}_{_UNSAFE.sub('_', article['title']).strip('_')[:60]}.txt"
            documents.append((name, article_text(article["title"], [p["context"] for p in article["paragraphs"]])))
            for paragraph in article["paragraphs"]:
                for qa in paragraph["qas"]:
                    golds = tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
                    questions.append(Question(qa["id"], qa["question"], golds, title))
    except (KeyError, TypeError) as e:
        raise FixtureError(f"{path}: article #{len(documents) + 1} is not in SQuAD v1.1 form (missing {e})") from None
    return documents, questions


def write_documents(documents: list[tuple[str, str]], folder: Path) -> None:
    """Write the article files, leaving unchanged ones untouched so the engine's saved index is reused."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents:
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def dataset_folder(path: Path, settings: Settings) -> Path:
    """A folder under the cache, one per dataset content, for the article files."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return settings.cache_dir / "squad" / digest


def _open_engine(settings: Settings):
    from retrieval import Engine

    return Engine.open(settings)


def run_squad(path: Path, settings: Settings, *, limit: int | None = None,
              progress: Callable[[int], tuple[Any, Callable[[], None] | None]] | None = None) -> dict[str, Any]:
    """Ask every question (or the first `limit`) in a fresh chat against all articles; return the report."""
    run_started = time.perf_counter()
    documents, questions = load_dataset(path)
    if limit is not None:
        questions = questions[:limit]
    folder = dataset_folder(path, settings)
    write_documents(documents, folder)
    engine_settings = replace(settings, docs_dir=folder, max_quotes=max(settings.max_quotes, max(HIT_KS)))
    engine = _open_engine(engine_settings)
    sources = SourceTexts(folder)

    context, advance = progress(len(questions)) if progress else (nullcontext(), None)
    ranks, ems, f1s, timings, abstained, fidelity, missed = [], [], [], [], [], [], []
    per_article: dict[str, list[int]] = {}
    with context:
        for i, q in enumerate(questions):
            started = time.perf_counter()
            answer = engine.ask(q.question, state=ChatState())
            timings.append(time.perf_counter() - started)
            texts = [quote.text for quote in answer.quotes] if answer.answered else []
            rank = metrics.first_match_rank(texts, q.golds)
            given = answer.answer if answer.answered else None
            ranks.append(rank)
            ems.append(metrics.exact_match(given, q.golds))
            f1s.append(metrics.token_f1(given, q.golds))
            abstained.append(not answer.answered)
            errors, _ = fidelity_check(answer, sources)
            fidelity.extend(errors)
            per_article.setdefault(q.article, []).append(i)
            if rank != 1 and len(missed) < MISSED_SHOWN:
                missed.append({"id": q.id, "question": q.question, "gold": list(q.golds),
                               "top_quote": texts[0] if texts else None, "answer": given, "rank": rank})
            if advance is not None:
                advance()

    def scores(indices: list[int]) -> dict[str, Any]:
        picked = [ranks[i] for i in indices]
        row: dict[str, Any] = {"questions": len(indices)}
        row.update({f"hit_at_{k}": metrics.hit_at_k(picked, k) for k in HIT_KS})
        row["mrr"] = metrics.mean_reciprocal_rank(picked)
        row["answer_em"] = metrics.mean_or_none(ems[i] for i in indices)
        row["answer_f1"] = metrics.mean_or_none(f1s[i] for i in indices)
        row["abstained"] = metrics.share(abstained[i] for i in indices)
        return row

    overall = scores(list(range(len(questions))))
    overall["documents"] = len(documents)
    overall["fidelity_errors"] = len(fidelity)
    overall["index_seconds"] = (getattr(engine, "stats", None) or {}).get("seconds")
    overall["run_seconds"] = time.perf_counter() - run_started
    return {
        "kind": "squad",
        "dataset": str(path),
        "docs": str(folder),
        "limit": limit,
        "overall": overall,
        "latency": metrics.latency_summary(timings),
        "by_tag": {title: scores(indices) for title, indices in sorted(per_article.items())},
        "engine": dict(getattr(engine, "stats", {}) or {}),
        "fidelity_errors": fidelity[:MISSED_SHOWN],
        "missed": missed,
    }
