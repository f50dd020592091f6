"""Index-build cost of the semantic reranker on SQuAD v1.1 dev: opens the engine over the SQuAD
articles (written as benchmarks/squad_ask.py writes them) with the reranker off, then on, in a
cache folder that is kept, and prints the seconds each took. The second open embeds every sentence
once and saves the embeddings in the index's build folder; later opens read them back.

    .venv/bin/python benchmarks/embed_squad.py [--squad FILE] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from squad_ask import DEFAULT_SQUAD, write_articles

from config import Settings
from retrieval import Engine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD)
    parser.add_argument("--work", type=Path, default=Path("/tmp/quoteqa-squad"),
                        help="documents and cache go here (kept between runs)")
    args = parser.parse_args()
    docs = args.work / "docs"
    if not docs.is_dir():
        docs.mkdir(parents=True)
        write_articles(json.loads(args.squad.read_text(encoding="utf-8")), docs)
    settings = Settings(docs_dir=docs, cache_dir=args.work / "cache")
    for reranker in ("none", "minilm"):
        start = time.perf_counter()
        engine = Engine.open(settings.with_overrides(reranker=reranker))
        print(f"reranker {reranker}: open {time.perf_counter() - start:.1f} s "
              f"(sentences {engine.stats['sentences']}, index cached {engine.stats['cached']})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
