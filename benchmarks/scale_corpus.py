"""Benchmark corpora for scale.py: SQuAD paragraphs repeated with light random word changes.

Copy r of paragraph p (r >= 1) has about 5% of its words replaced: nine in ten by a word drawn
from all SQuAD paragraph text (so common words stay common), one in ten by a made-up word from a
pool of 300k (so the vocabulary keeps growing with the corpus, as real archives do). The first
copy of each paragraph is unchanged. Files hold 100 passages each, a title line first.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import numpy as np

SQUAD = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "squad" / "dev-v1.1.json"
PER_FILE = 100
CHANGE_RATE = 0.05
NOVEL_SHARE = 0.1
NOVEL_POOL = 300_000


def squad(path: Path = SQUAD) -> tuple[list[str], list[str]]:
    """(paragraphs, questions) of SQuAD v1.1 dev, whitespace collapsed."""
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    paragraphs = [" ".join(p["context"].split()) for a in data for p in a["paragraphs"]]
    questions = [q["question"] for a in data for p in a["paragraphs"] for q in p["qas"]]
    return paragraphs, questions


def _novel_word(i: int) -> str:
    letters = string.ascii_lowercase
    out = "q"
    while True:
        i, r = divmod(i, 26)
        out += letters[r]
        if i == 0:
            return out + "x"


def passages(n: int, paragraphs: list[str], seed: int = 0):
    """Yield n passages: SQuAD paragraphs in order, round after round, each later round changed."""
    rng = np.random.default_rng(seed)
    split = [p.split() for p in paragraphs]
    pool = [w for words in split for w in words]
    for i in range(n):
        words = split[i % len(split)]
        if i < len(split):
            yield " ".join(words)
            continue
        words = list(words)
        k = rng.binomial(len(words), CHANGE_RATE)
        if k:
            where = rng.integers(0, len(words), size=k)
            novel = rng.random(k) < NOVEL_SHARE
            picks = rng.integers(0, len(pool), size=k)
            fresh = rng.integers(0, NOVEL_POOL, size=k)
            for j in range(k):
                words[where[j]] = _novel_word(int(fresh[j])) if novel[j] else pool[picks[j]]
        yield " ".join(words)


def write_corpus(folder: Path, n: int, seed: int = 0, start_file: int = 0) -> int:
    """Write n passages as text files of PER_FILE passages into folder; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    paragraphs, _ = squad()
    batch: list[str] = []
    files = start_file
    for text in passages(n, paragraphs, seed):
        batch.append(text)
        if len(batch) == PER_FILE:
            _write(folder, files, batch)
            files += 1
            batch = []
    if batch:
        _write(folder, files, batch)
        files += 1
    return files - start_file


def _write(folder: Path, number: int, batch: list[str]) -> None:
    body = "\n\n".join([f"Article {number}", *batch]) + "\n"
    (folder / f"{number:06d}.txt").write_text(body, encoding="utf-8")
