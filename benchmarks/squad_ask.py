"""SQuAD v1.1 dev, open setting, through one `quoteqa ask --json` process (index build included).

Each article becomes one document (its title, then its paragraphs separated by blank lines); every
question is asked against all of them in a fresh chat (/reset between questions). A hit@k is a quoted
sentence among the first k containing one of the gold answers (case, whitespace, curly quotes folded).

    python benchmarks/squad_ask.py [--squad ../shared/benchmarks/squad/dev-v1.1.json] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQUAD = ROOT.parent / "shared" / "benchmarks" / "squad" / "dev-v1.1.json"
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip().casefold()


def write_articles(squad: dict, folder: Path) -> list[tuple[str, list[str]]]:
    questions = []
    for i, article in enumerate(squad["data"]):
        paragraphs = [p["context"].strip() for p in article["paragraphs"]]
        (folder / f"{i:02d}_{article['title']}.txt").write_text(
            article["title"] + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        for p in article["paragraphs"]:
            for qa in p["qas"]:
                questions.append((" ".join(qa["question"].split()), [a["text"] for a in qa["answers"]]))
    return questions


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = parser.parse_args()
    squad = json.loads(args.squad.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        questions = write_articles(squad, docs)
        if args.limit:
            questions = questions[:args.limit]
        stdin = "".join(f"{q}\n/reset\n" for q, _ in questions)
        env = {**os.environ, "QUOTEQA_CACHE_DIR": str(Path(tmp) / "cache"), "QUOTEQA_MAX_QUOTES": "5"}
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "--docs", str(docs)],
                                input=stdin, capture_output=True, text=True, env=env, cwd=ROOT)
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stderr, file=sys.stderr)
        return 1
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    answers = [a for a in answers if "question" in a]
    assert len(answers) == len(questions), (len(answers), len(questions))
    hits = {1: 0, 3: 0, 5: 0}
    answered = 0
    for (question, gold), answer in zip(questions, answers):
        golds = [fold(g) for g in gold]
        texts = [fold(q["text"]) for q in answer["quotes"]]
        answered += answer["answered"]
        first = next((i for i, t in enumerate(texts) if any(g in t for g in golds)), None)
        for k in hits:
            hits[k] += first is not None and first < k
    n = len(questions)
    print(f"questions {n}  answered {answered / n:.3f}  "
          + "  ".join(f"hit@{k} {v / n:.3f}" for k, v in hits.items())
          + f"  wall {seconds:.1f} s ({1000 * seconds / n:.2f} ms/question, index build included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
