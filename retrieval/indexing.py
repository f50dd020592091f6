"""Getting an index for a folder: reuse the saved one while files and settings are unchanged,
otherwise build it from the per-file cache (re-reading only files added or changed) and save it.

Progress is reported through a callback `progress(stage, done, total)`:
    ("files", i, n_files)          as each file is taken (from the previous build, the per-file
                                   cache, or read and parsed), in folder order
    ("passages", p, n_passages)    passages joined so far; n_passages is an estimate until the end
    ("index", i, 2)                after the passage index (1) and the sentence index (2) are built
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from config import Settings
from retrieval import loading, store
from retrieval.assembly import CorpusWriter, OldRun, Placement
from retrieval.bm25 import BM25Index, Postings, build_from_tokens, merge, postings_from_tokens
from retrieval.corpus import ParsedFile, TermCache, parse_document
from retrieval.errors import IndexCacheError, NoDocumentsError
from retrieval.text import ANALYZER_VERSION, Analyzer

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def fingerprint(settings: Settings, stamps: list[loading.FileStamp]) -> str:
    """Changes whenever a file is added, changed or removed, or a setting the index depends on."""
    payload = {
        "format": store.FORMAT,
        "analyzer": ANALYZER_VERSION,
        "language": settings.language,
        "k1": settings.k1,
        "b": settings.b,
        "files": [[s.source, s.size, s.mtime_ns] for s in stamps],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def file_cache(settings: Settings) -> store.FileCache:
    return store.FileCache(settings.index_dir / "files", f"{ANALYZER_VERSION}:{settings.language}")


PARALLEL_MIN_FILES = 64  # this many files to read are parsed in worker processes,
PARALLEL_MIN_BYTES = 256 * 1024  # and so are fewer, larger files (from two): starting workers costs about 0.05 s
TASK_FILES = 32  # files per task sent to a worker: few parsed files wait in memory at any time
TASKS_IN_FLIGHT = 6  # per worker: enough queued that workers never wait for this process
MERGE_MAX_SHARE = 0.5  # a refresh merges postings while new documents hold at most this share of tokens


@lru_cache(maxsize=1)
def _worker_terms(language: str) -> TermCache:
    """The TermCache of a worker process, kept warm across its tasks (never used in the parent)."""
    return TermCache(Analyzer(language))


def _parse_files(docs_dir: Path, sources: list[str], language: str) -> list[ParsedFile | None]:
    """Read and parse some files (runs in a worker process)."""
    terms = _worker_terms(language)
    out = []
    for source in sources:
        raw = loading.read_document(docs_dir, source)
        out.append(parse_document(raw, terms) if raw is not None else None)
    return out


def _parse_in_workers(settings: Settings, todo: list[loading.FileStamp], workers: int
                      ) -> Iterator[ParsedFile | None]:
    """Parsed files in the order of `todo`, from worker processes.

    Tasks of TASK_FILES files go out in order, a few per worker at a time, and their results are
    handed on in order, so only those few tasks' parses are ever held here or in a worker.
    Forks when this process runs no other thread (cheap, and nothing re-imported); otherwise uses
    a fork server, which must re-import the main module and so can fail (a script read from
    stdin, an unguarded script): the caller then parses what is left in this process.
    """
    tasks = iter([[s.source for s in todo[i:i + TASK_FILES]] for i in range(0, len(todo), TASK_FILES)])
    method = "fork" if threading.active_count() == 1 and sys.platform.startswith("linux") else (
        "forkserver" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        def submit(sources: list[str]) -> Future:
            return pool.submit(_parse_files, settings.docs_dir, sources, settings.language)

        pending = deque(submit(t) for t in islice(tasks, workers * TASKS_IN_FLIGHT))
        while pending:
            results = pending.popleft().result()
            pending.extend(submit(t) for t in islice(tasks, 1))
            yield from results


def _parsed(settings: Settings, todo: list[loading.FileStamp], workers: int) -> Iterator[ParsedFile | None]:
    """Each file of `todo` read and parsed, in order: in worker processes for many files or many bytes."""
    done = 0
    if workers > 1 and len(todo) >= 2 and (len(todo) >= PARALLEL_MIN_FILES
                                           or sum(s.size for s in todo) >= PARALLEL_MIN_BYTES):
        try:
            for f in _parse_in_workers(settings, todo, workers):
                yield f
                done += 1
        except (BrokenProcessPool, OSError, RuntimeError) as e:
            logger.warning("parsing in worker processes failed (%s); continuing in this process", e)
    terms = TermCache(Analyzer(settings.language))
    for stamp in todo[done:]:
        raw = loading.read_document(settings.docs_dir, stamp.source)
        yield parse_document(raw, terms) if raw is not None else None


def _parse_here(settings: Settings, stamp: loading.FileStamp) -> ParsedFile | None:
    raw = loading.read_document(settings.docs_dir, stamp.source)
    return parse_document(raw, TermCache(Analyzer(settings.language))) if raw is not None else None


def build_index(settings: Settings, stamps: list[loading.FileStamp], fp: str,
                progress: Progress | None = None, cache: store.FileCache | None = None,
                workers: int | None = None, reuse: bool = True, stage: Path | None = None) -> store.StoredIndex:
    """Join every file's parse into the index arrays, then build both BM25 indexes.

    Unchanged documents are taken from the previous build when `reuse` allows (as whole runs of
    documents), else from the per-file cache; the rest are read and parsed, in `workers` processes
    (default: one per CPU) when there are at least PARALLEL_MIN_FILES of them or two holding
    PARALLEL_MIN_BYTES. Documents are
    appended to the arrays in folder order as they come, written straight to `stage` (a folder
    from store.new_build; None keeps everything in memory), so a large build never holds all
    parses at once. A refresh then merges the new documents' postings into the previous build's
    and recomputes the weights; a first build counts all tokens, a chunk of documents at a time.
    """
    start = time.perf_counter()
    previous = _previous_build(settings) if reuse else None
    old = [previous.doc_of(s) if previous else None for s in stamps]
    cached = [old[i] is None and cache is not None and cache.has(s) for i, s in enumerate(stamps)]
    todo = [s for i, s in enumerate(stamps) if old[i] is None and not cached[i]]
    base = previous if any(d is not None for d in old) else None
    writer = CorpusWriter(stage, base.index.vocab if base else None)
    parsed = _parsed(settings, todo, workers or os.cpu_count() or 1)
    read = 0
    run: tuple[int, int] | None = None  # consecutive old documents [first, end) not yet appended
    try:
        if progress:
            progress("files", 0, len(stamps))
        for i, stamp in enumerate(stamps):
            doc = old[i]
            if doc is not None and run and run[1] == doc:
                run = (run[0], doc + 1)
            else:
                if run:
                    writer.add_old(base.run(*run))
                run = (doc, doc + 1) if doc is not None else None
            if doc is None:
                f = cache.get(stamp) if cached[i] else None
                if f is None:
                    f = next(parsed) if not cached[i] else _parse_here(settings, stamp)  # or the entry went bad
                    read += 1
                    if cache and f is not None:
                        cache.put(stamp, f)
                if f is not None:
                    writer.add_file(f)
            if progress:
                progress("files", i + 1, len(stamps))
                progress("passages", writer.passages, max(writer.passages, writer.passages * len(stamps) // (i + 1)))
        if run:
            writer.add_old(base.run(*run))
        written = writer.finish()
    except BaseException:
        writer.abort()
        raise
    finally:
        parsed.close()
    if cache:
        cache.keep_only(stamps)
    parsed_at = time.perf_counter()
    corpus = written.corpus
    if not len(corpus.sentences):
        raise NoDocumentsError(
            f"no usable documents in {settings.docs_dir} "
            f"(looked for {', '.join(sorted(loading.SUFFIXES))} files with text in them)"
        )
    if progress:
        progress("passages", len(corpus.passages), len(corpus.passages))
    vocab, terms, offsets = written.vocab, written.sentence_terms, written.sentence_offsets
    kept = [d for d in old if d is not None]
    if base is not None and (not _merges(written.placement, offsets) or kept != sorted(set(kept))):
        base = None  # so many new tokens that counting them all is as quick (or documents reordered)
    indexes = []
    for kind, bounds in (("passages", written.passage_offsets), ("sentences", offsets)):
        indexes.append(_bm25(settings, kind, terms, bounds, len(vocab), written.placement, base, stage))
        _release_freed_memory()
        if progress:
            progress("index", len(indexes), 2)
    passages, sentences = indexes
    how = "merged into the previous build's" if base else "counted afresh"
    logger.info("indexed %d files (%d read, %d unchanged) in %.1fs (%.1fs joining documents; postings %s)",
                len(stamps), read, len(stamps) - read, time.perf_counter() - start, parsed_at - start, how)
    manifest = {
        "format": store.FORMAT,
        "fingerprint": fp,
        "language": settings.language,
        "analyzer": ANALYZER_VERSION,
        "bm25": {"variant": "lucene", "k1": settings.k1, "b": settings.b},
        "documents": len(corpus.documents),
        "passages": len(corpus.passages),
        "sentences": len(corpus.sentences),
        "terms": len(vocab),
        "unused_terms": int(np.count_nonzero(np.diff(passages.indptr) == 0)),
        "files_read": read,
        "postings": "merged" if base else "counted",
        "files": [[st.source, st.size, st.mtime_ns] for st in stamps],
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return store.StoredIndex(corpus, vocab, passages, sentences, terms, offsets, manifest)


def _merges(placement: Placement, offsets: np.ndarray) -> bool:
    """Whether merging postings into the previous build's beats counting them all: the new
    documents hold few of the tokens."""
    added = sum(int(offsets[hi] - offsets[lo]) for lo, hi in placement.new_sentences)
    return added <= MERGE_MAX_SHARE * max(1, int(offsets[-1]))


def _bm25(settings: Settings, kind: str, terms: np.ndarray, bounds: np.ndarray, n_terms: int,
          placement: Placement, base: "PreviousBuild | None", stage: Path | None) -> BM25Index:
    """BM25 over passages or sentences (`bounds`: their token boundaries), written to `stage`:
    the previous build's postings with the new documents' merged in, or counted afresh."""
    bounds = np.asarray(bounds, dtype=np.int64)
    if base is None:
        return build_from_tokens(terms, bounds, n_terms, settings.k1, settings.b, stage, kind)
    ranges = getattr(placement, f"new_{kind}")  # (first, end) of each parsed file's passages or sentences
    tokens = [np.asarray(terms[bounds[lo]:bounds[hi]]) for lo, hi in ranges]
    local = [np.zeros(1, dtype=np.int64)]
    for lo, hi in ranges:
        local.append(bounds[lo + 1:hi + 1] - bounds[lo] + local[-1][-1])
    p = postings_from_tokens(np.concatenate(tokens or [np.zeros(0, np.int32)]), np.concatenate(local), n_terms)
    postings = Postings(p.indptr, placement.added(kind).astype(np.int32)[p.docs], p.tf)
    old = getattr(base.index, kind)
    return merge(old, placement.old_to_new(kind, old.n_docs), postings, np.diff(bounds),
                 settings.k1, settings.b, stage, kind)


def _release_freed_memory() -> None:
    """Hand memory freed by parsed files back to the OS. Their many small buffers come from the C
    heap, which glibc keeps after free; on a million passages that is over a gigabyte of RSS."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


MAX_UNUSED_TERMS = 0.25  # past this share of terms left over from removed files, stop reusing the build


@dataclass(frozen=True)
class PreviousBuild:
    """The current saved index, as a source of unchanged documents for the next build."""

    index: store.StoredIndex
    stamps: dict[str, tuple[int, int]]
    documents: dict[str, int]

    def doc_of(self, stamp: loading.FileStamp) -> int | None:
        """The file's document in this build if the file is unchanged since."""
        doc = self.documents.get(stamp.source)
        if doc is None or self.stamps.get(stamp.source) != (stamp.size, stamp.mtime_ns):
            return None
        return doc

    def run(self, first: int, end: int) -> OldRun:
        i = self.index
        return OldRun(i.corpus, i.sentence_terms, i.sentence_offsets, first, end)


def _previous_build(settings: Settings) -> PreviousBuild | None:
    """The saved index if its documents can be reused: same analyzer and language, not too many
    unused terms. Anything wrong with it just means no reuse (the per-file cache still applies)."""
    try:
        index = store.load(settings.index_dir, None)
    except IndexCacheError:
        return None
    if index is None:
        return None
    m = index.manifest
    if (m.get("analyzer") != ANALYZER_VERSION or m.get("language") != settings.language
            or m.get("unused_terms", 0) > MAX_UNUSED_TERMS * max(1, len(index.vocab))):
        return None
    try:
        stamps = {str(src): (int(size), int(mtime)) for src, size, mtime in m.get("files", [])}
    except (TypeError, ValueError):
        return None
    documents = {d.source: i for i, d in enumerate(index.corpus.documents)}
    return PreviousBuild(index, stamps, documents)


def scan(settings: Settings) -> list[loading.FileStamp]:
    """The folder's supported files; raises NoDocumentsError when there is nothing to index."""
    folder = settings.docs_dir
    if not folder.is_dir():
        raise NoDocumentsError(f"documents folder {folder} does not exist")
    stamps = loading.scan(folder)
    if not stamps:
        raise NoDocumentsError(
            f"no documents in {folder} (looked for {', '.join(sorted(loading.SUFFIXES))} files)"
        )
    return stamps


def open_index(settings: Settings, progress: Progress | None = None,
               rebuild: bool = False, workers: int | None = None) -> tuple[store.StoredIndex, bool]:
    """(index, whether it came from the cache). A corrupt or foreign cache is rebuilt with a warning.

    `rebuild` re-reads every file, ignoring both the saved index and the per-file cache.
    """
    Analyzer(settings.language)  # an unknown language fails here, before any work
    stamps = scan(settings)
    fp = fingerprint(settings, stamps)
    index = None
    if not rebuild:
        try:
            index = store.load(settings.index_dir, fp)
        except IndexCacheError as e:
            logger.warning("%s; rebuilding it", e)
    if index is not None:
        return index, True
    cache = file_cache(settings)
    if rebuild:
        cache.keep_only([])
    try:
        stage = store.new_build(settings.index_dir)
    except OSError:
        stage = None  # saving will fail too, with a warning; the index is still built in memory
    try:
        index = build_index(settings, stamps, fp, progress, cache, workers, reuse=not rebuild, stage=stage)
    except OSError as e:
        if stage is None:
            raise
        logger.warning("cannot write the index to %s (%s); building it in memory", stage, e.strerror or e)
        shutil.rmtree(stage, ignore_errors=True)
        stage = None
        index = build_index(settings, stamps, fp, progress, cache, workers, reuse=not rebuild)
    except BaseException:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        raise
    try:
        store.save(settings.index_dir, index, build=stage)
    except OSError as e:
        logger.warning("cannot save the index in %s (%s); it will be rebuilt next time",
                       settings.index_dir, e.strerror or e)
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        return index, False
    try:  # the saved copy is memory-mapped: the arrays built in memory can be freed
        return store.load(settings.index_dir, fp) or index, False
    except IndexCacheError:
        return index, False
