"""Scale benchmark: quoteqa's index side by side with bm25s and rank-bm25 on the same tokens.

    .venv/bin/python benchmarks/scale.py [--sizes 10000 100000 1000000] [--queries 1000]
        [--work /tmp/quoteqa-scale] [--out benchmarks/results/scale.json]

For each size a corpus of SQuAD paragraphs with light random word changes is written as text files
(scale_corpus.py). quoteqa builds its index from those files (reading, splitting, tokenising,
BM25, saving); bm25s and rank-bm25 are then given quoteqa's own passage tokens, so all three score
exactly the same terms. SQuAD questions, tokenised by quoteqa's analyzer, are the queries (top 10
passages each). Every measurement runs in its own subprocess, so peak RSS is that system's alone:
build (and, at the refresh size, adding one file), then a fresh process that loads the saved
index and runs the queries. rank-bm25 runs only where it finishes in reasonable time (full at
10k, a query sample at 100k); it has no on-disk format besides pickle.

Load times are with the index files in the page cache (the build just wrote them).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
K = 10


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def percentiles(seconds: list[float]) -> dict:
    ms = np.array(seconds) * 1000
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "mean_ms": float(ms.mean()), "n": len(ms)}


def settings_for(docs: Path, cache: Path):
    from config import load_settings
    return load_settings(env={"QUOTEQA_CACHE_DIR": str(cache)}).with_overrides(docs_dir=docs)


def current_build(cache: Path, docs: Path) -> Path:
    index_dir = settings_for(docs, cache).index_dir
    return index_dir / (index_dir / "CURRENT").read_text().strip()


# ---------------------------------------------------------------- workers (one per subprocess)

def work_ours_build(a: argparse.Namespace) -> dict:
    from retrieval.indexing import open_index
    from scale_corpus import write_corpus
    settings = settings_for(Path(a.docs), Path(a.cache))
    start = time.perf_counter()
    index, cached = open_index(settings)
    build_s = time.perf_counter() - start
    assert not cached
    out = {"build_s": build_s, "passages": len(index.corpus.passages), "sentences": len(index.corpus.sentences),
           "terms": len(index.vocab), "index_mb": folder_mb(current_build(Path(a.cache), Path(a.docs))),
           "file_cache_mb": folder_mb(settings.index_dir / "files"), "build_peak_rss_mb": peak_rss_mb(),
           # ru_maxrss of RUSAGE_CHILDREN is the largest single worker's peak, not a sum
           "parse_workers_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
           "parse_workers": os.cpu_count()}
    out["build_sum_of_peaks_mb"] = out["build_peak_rss_mb"] + out["parse_workers"] * out["parse_workers_peak_rss_mb"]
    if a.refresh:
        del index
        n_files = len(list(Path(a.docs).glob("*.txt")))
        write_corpus(Path(a.docs), 100, seed=99, start_file=n_files)  # one more file of 100 passages
        start = time.perf_counter()
        index, cached = open_index(settings)
        out["refresh_s"] = time.perf_counter() - start
        out["refresh_files_read"] = index.manifest["files_read"]
        out["refresh_postings"] = index.manifest["postings"]  # "merged" into the previous build's, or "counted"
        assert not cached and len(index.corpus.passages) == out["passages"] + 100
    return out


def load_queries(path: str) -> list[list[str]]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def work_ours_query(a: argparse.Namespace) -> dict:
    from retrieval.indexing import open_index
    queries = load_queries(a.queries)
    start = time.perf_counter()
    index, cached = open_index(settings_for(Path(a.docs), Path(a.cache)))
    term_ids = {t: i for i, t in enumerate(index.vocab)}  # what Engine does on open
    load_s = time.perf_counter() - start
    assert cached
    times, results = [], []
    for q in queries:
        t0 = time.perf_counter()
        ids = [term_ids[t] for t in q if t in term_ids]
        docs, scores = index.passages.top_k(ids, K)
        times.append(time.perf_counter() - t0)
        results.append(scores.tolist())
    Path(a.results).write_text(json.dumps(results))
    return {"load_s": load_s, "first_query_ms": times[0] * 1000, **percentiles(times[1:]),
            "query_peak_rss_mb": peak_rss_mb()}


def passage_tokens(cache: Path, docs: Path) -> tuple[list[list[int]], list[str]]:
    """quoteqa's own passage tokens (term ids) and vocabulary, read from its saved index."""
    build = current_build(cache, docs)
    terms = np.load(build / "sentence_terms.npy")
    offsets = np.load(build / "sentence_offsets.npy")
    table = np.load(build / "passage_table.npy")
    bounds = np.append(offsets[table[:, 2]], offsets[-1])
    vocab = json.loads((build / "vocab.json").read_text(encoding="utf-8"))
    return [a.tolist() for a in np.split(terms, bounds[1:-1])], vocab


def work_bm25s_build(a: argparse.Namespace) -> dict:
    import bm25s
    docs, vocab = passage_tokens(Path(a.cache), Path(a.docs))
    before = peak_rss_mb()
    start = time.perf_counter()
    model = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    model.index((docs, {t: i for i, t in enumerate(vocab)}), show_progress=False)
    build_s = time.perf_counter() - start
    shutil.rmtree(a.out, ignore_errors=True)
    start = time.perf_counter()
    model.save(a.out)
    save_s = time.perf_counter() - start
    return {"build_s": build_s, "save_s": save_s, "index_mb": folder_mb(Path(a.out)),
            "build_peak_rss_mb": peak_rss_mb(), "rss_before_build_mb": before}


def work_bm25s_query(a: argparse.Namespace) -> dict:
    import bm25s
    queries = load_queries(a.queries)
    start = time.perf_counter()
    model = bm25s.BM25.load(a.out, mmap=True)
    load_s = time.perf_counter() - start
    times, results = [], []
    for q in queries:
        t0 = time.perf_counter()
        known = [t for t in q if t in model.vocab_dict]
        docs, scores = model.retrieve([known], k=K, show_progress=False, n_threads=0)
        times.append(time.perf_counter() - t0)
        results.append(scores[0].tolist())
    Path(a.results).write_text(json.dumps(results))
    return {"load_s": load_s, "first_query_ms": times[0] * 1000, **percentiles(times[1:]),
            "query_peak_rss_mb": peak_rss_mb()}


def work_rank_bm25(a: argparse.Namespace) -> dict:
    import pickle
    from rank_bm25 import BM25Okapi
    docs, vocab = passage_tokens(Path(a.cache), Path(a.docs))
    term_ids = {t: i for i, t in enumerate(vocab)}
    queries = load_queries(a.queries)[: a.limit]
    start = time.perf_counter()
    model = BM25Okapi(docs, k1=1.2, b=0.75)
    build_s = time.perf_counter() - start
    del docs
    path = Path(a.out)
    with path.open("wb") as f:
        pickle.dump(model, f)
    start = time.perf_counter()
    with path.open("rb") as f:
        model = pickle.load(f)
    load_s = time.perf_counter() - start
    times = []
    for q in queries:
        t0 = time.perf_counter()
        scores = model.get_scores([term_ids[t] for t in q if t in term_ids])
        np.argpartition(-scores, K)[:K]
        times.append(time.perf_counter() - t0)
    return {"build_s": build_s, "index_mb": path.stat().st_size / 2**20, "load_s": load_s,
            "first_query_ms": times[0] * 1000, **percentiles(times[1:] or times), "peak_rss_mb": peak_rss_mb()}


WORKERS = {"ours-build": work_ours_build, "ours-query": work_ours_query, "bm25s-build": work_bm25s_build,
           "bm25s-query": work_bm25s_query, "rank-bm25": work_rank_bm25}


def tree_rss_mb(root: int) -> dict[int, float]:
    """Current RSS of a process and all its descendants, by pid (from /proc; gone ones skipped)."""
    out, todo = {}, [root]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            out[pid] = int(status.split("VmRSS:")[1].split()[0]) / 1024
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return out


def run_worker(name: str, **kwargs) -> dict:
    """Run one measurement in its own process; its result gains the peak RSS of the process tree
    (the worker and any processes it starts), sampled from /proc every 200 ms."""
    args = [sys.executable, str(Path(__file__).resolve()), "worker", name]
    for key, value in kwargs.items():
        if value is True:
            args.append(f"--{key}")
        elif value not in (None, False):
            args += [f"--{key}", str(value)]
    print(f"  {name} ...", file=sys.stderr, flush=True)
    peak_sum = peak_children = 0.0
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT) as proc:
        collected: dict[str, str] = {}
        readers = [threading.Thread(target=lambda f=f, k=k: collected.__setitem__(k, f.read()), daemon=True)
                   for k, f in (("out", proc.stdout), ("err", proc.stderr))]
        for r in readers:
            r.start()
        while proc.poll() is None:
            rss = tree_rss_mb(proc.pid)
            peak_sum = max(peak_sum, sum(rss.values()))
            peak_children = max(peak_children, sum(v for pid, v in rss.items() if pid != proc.pid))
            time.sleep(0.2)
        for r in readers:
            r.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{collected.get('err', '')[-3000:]}")
    print(collected.get("err", "").rstrip("\n")[-3000:], file=sys.stderr, flush=True)  # the worker's log
    result = json.loads(collected["out"].strip().splitlines()[-1])
    return result | {"sampled_tree_peak_rss_mb": peak_sum, "sampled_children_peak_rss_mb": peak_children}


# ---------------------------------------------------------------- driver

def make_queries(path: Path, n: int, seed: int = 0) -> None:
    from retrieval.text import Analyzer
    from scale_corpus import squad
    _, questions = squad()
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(questions), size=min(n, len(questions)), replace=False)
    analyzer = Analyzer("english")
    queries = [analyzer.terms(questions[i]) for i in picked]
    path.write_text(json.dumps([q for q in queries if q]), encoding="utf-8")


def agreement(a_path: Path, b_path: Path) -> float:
    """Share of queries whose top-10 scores equal bm25s's within float32 precision (1e-5 relative).
    Scores, not ids: copies of one paragraph tie exactly, and ties may be cut at different ids."""
    a, b = json.loads(a_path.read_text()), json.loads(b_path.read_text())
    b = [[v for v in y if v > 0] for y in b]  # bm25s fills up to k with documents scoring 0
    same = [len(x) == len(y) and np.allclose(x, y, rtol=1e-5, atol=1e-5) for x, y in zip(a, b)]
    return sum(same) / max(1, len(same))


def sampled(what: str, result: dict) -> dict:
    """The /proc-sampled peaks of one measurement, renamed for it (several go into one row)."""
    return {(f"{what}_{k}" if k.startswith("sampled_") else k): v for k, v in result.items()}


def bench_size(n: int, work: Path, queries: Path, rank_limit: int | None, refresh: bool) -> dict:
    from scale_corpus import write_corpus
    print(f"{n} passages", file=sys.stderr, flush=True)
    docs, cache = work / f"docs-{n}", work / f"cache-{n}"
    shutil.rmtree(docs, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    start = time.perf_counter()
    files = write_corpus(docs, n)
    row = {"passages": n, "files": files, "corpus_mb": folder_mb(docs), "generate_s": time.perf_counter() - start,
           "started": time.strftime("%Y-%m-%d %H:%M:%S"), "load_average_at_start": os.getloadavg()}
    row["ours"] = sampled("build", run_worker("ours-build", docs=docs, cache=cache, refresh=refresh))
    if refresh:  # the query run uses the index without the extra file
        shutil.rmtree(cache)
        shutil.rmtree(docs)
        write_corpus(docs, n)
        row["ours"] |= {k: v for k, v in run_worker("ours-build", docs=docs, cache=cache).items()
                        if k not in ("build_s", "build_peak_rss_mb", "build_sum_of_peaks_mb", "parse_workers_peak_rss_mb")
                        and not k.startswith("sampled_")}
    row["ours"] |= sampled("query", run_worker("ours-query", docs=docs, cache=cache, queries=queries,
                                               results=work / f"ours-{n}.json"))
    out = work / f"bm25s-{n}"
    row["bm25s"] = run_worker("bm25s-build", docs=docs, cache=cache, out=out)
    row["bm25s"] |= run_worker("bm25s-query", out=out, queries=queries, results=work / f"bm25s-{n}.json")
    row["top10_agreement_with_bm25s"] = agreement(work / f"ours-{n}.json", work / f"bm25s-{n}.json")
    shutil.rmtree(out, ignore_errors=True)
    if rank_limit:
        row["rank_bm25"] = run_worker("rank-bm25", docs=docs, cache=cache, queries=queries,
                                      out=work / f"rank-{n}.pkl", limit=rank_limit)
        (work / f"rank-{n}.pkl").unlink(missing_ok=True)
    row["ended"] = time.strftime("%Y-%m-%d %H:%M:%S")
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def table(rows: list[dict]) -> str:
    lines = ["| passages | system | build s | index MB | load s | query p50 ms | p95 ms | peak RSS MB |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        o, s = r["ours"], r["bm25s"]
        build = f"{o['build_peak_rss_mb']:.0f} build"
        if o.get("parse_workers_peak_rss_mb"):
            build += (f" + {o['parse_workers']} x {o['parse_workers_peak_rss_mb']:.0f} parse workers"
                      f" = {o['build_sum_of_peaks_mb']:.0f}")
        if "build_sampled_tree_peak_rss_mb" in o:
            build += f" (sampled together: {o['build_sampled_tree_peak_rss_mb']:.0f})"
        lines.append(f"| {r['passages']:,} | quoteqa (from files) | {o['build_s']:.1f} | {o['index_mb']:.0f} | "
                     f"{o['load_s']:.2f} | {o['p50_ms']:.2f} | {o['p95_ms']:.2f} | "
                     f"{o['query_peak_rss_mb']:.0f} query / {build} |")
        lines.append(f"| {r['passages']:,} | bm25s (same tokens) | {s['build_s']:.1f} | {s['index_mb']:.0f} | "
                     f"{s['load_s']:.2f} | {s['p50_ms']:.2f} | {s['p95_ms']:.2f} | "
                     f"{s['query_peak_rss_mb']:.0f} query / {s['build_peak_rss_mb']:.0f} build "
                     f"(of which {s['rss_before_build_mb']:.0f} the token lists it is given) |")
        if "rank_bm25" in r:
            k = r["rank_bm25"]
            lines.append(f"| {r['passages']:,} | rank-bm25 (same tokens, {k['n'] + 1} queries) | {k['build_s']:.1f} | "
                         f"{k['index_mb']:.0f} (pickle) | {k['load_s']:.2f} | {k['p50_ms']:.1f} | {k['p95_ms']:.1f} | "
                         f"{k['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    worker = sub.add_parser("worker")
    worker.add_argument("name", choices=sorted(WORKERS))
    for opt in ("docs", "cache", "queries", "results", "out"):
        worker.add_argument(f"--{opt}")
    worker.add_argument("--limit", type=int)
    worker.add_argument("--refresh", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--rank-queries", type=int, nargs=2, default=[10_000, 100_000],
                        metavar=("FULL_UP_TO", "SAMPLE_UP_TO"),
                        help="rank-bm25 runs every query up to FULL_UP_TO passages, 30 up to SAMPLE_UP_TO")
    parser.add_argument("--refresh-size", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/quoteqa-scale"))
    parser.add_argument("--out", type=Path, default=HERE / "results" / "scale.json")
    a = parser.parse_args()
    if a.command == "worker":
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="    %(asctime)s %(name)s: %(message)s")
        print(json.dumps(WORKERS[a.name](a)))
        return 0
    a.work.mkdir(parents=True, exist_ok=True)
    queries = a.work / "queries.json"
    make_queries(queries, a.queries)
    rows = []
    for n in a.sizes:
        limit = None if n > a.rank_queries[1] else (a.queries if n <= a.rank_queries[0] else 30)
        rows.append(bench_size(n, a.work, queries, limit, refresh=n == a.refresh_size))
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=1))
    print(table(rows))
    for r in rows:
        o, s = r["ours"], r["bm25s"]
        line = (f"{r['passages']:,}: per-query p50 ratio quoteqa/bm25s {o['p50_ms'] / s['p50_ms']:.2f}, "
                f"top-10 scores equal to bm25s's on {r['top10_agreement_with_bm25s']:.0%} of queries")
        if "rank_bm25" in r:
            line += f", rank-bm25/quoteqa p50 {r['rank_bm25']['p50_ms'] / o['p50_ms']:.0f}x"
        if "refresh_s" in o:
            line += (f"; refresh after adding one file: {o['refresh_s']:.1f}s = "
                     f"{o['refresh_s'] / o['build_s']:.0%} of the full build ({o['refresh_files_read']} file read)")
        print(line)
    return 0


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0], "date": time.strftime("%Y-%m-%d %H:%M"),
            "load_average_at_end": os.getloadavg(), "note": "2-core machine shared with other engineers"}


if __name__ == "__main__":
    sys.exit(main())
