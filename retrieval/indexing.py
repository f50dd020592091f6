"""Getting an index for a folder: reuse the saved one while files and settings are unchanged,
otherwise build it from the per-file cache (re-reading only files added or changed) and save it.

Progress is reported through a callback `progress(stage, done, total)`:
    ("files", i, n_files)          once for the files found in the cache, then as files are parsed
    ("passages", p, n_passages)    while the parsed files are joined into one corpus
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
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from config import Settings
from retrieval import loading, store
from retrieval.bm25 import BM25Index
from retrieval.corpus import Corpus, ParsedFile, PassageTable, SentenceTable, TermCache, assemble, parse_document
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


PARALLEL_MIN_FILES = 64  # fewer files to read than this are parsed in this process


def _parse_files(docs_dir: Path, sources: list[str], language: str) -> list[ParsedFile | None]:
    """Read and parse some files (runs in a worker process for large builds)."""
    terms = TermCache(Analyzer(language))
    out = []
    for source in sources:
        raw = loading.read_document(docs_dir, source)
        out.append(parse_document(raw, terms) if raw is not None else None)
    return out


def _parse_in_workers(settings: Settings, todo: list[loading.FileStamp], workers: int,
                      done: Callable[[list[loading.FileStamp], list[ParsedFile | None]], None]) -> None:
    """Parse files in worker processes, in chunks so each keeps a warm TermCache.

    Forks when this process runs no other thread (cheap, and nothing re-imported); otherwise uses
    a fork server, which must re-import the main module and so can fail (a script read from
    stdin, an unguarded script): the caller then parses what is left in this process.
    """
    n_chunks = workers * 4
    chunks = [todo[i::n_chunks] for i in range(n_chunks) if todo[i::n_chunks]]
    method = "fork" if threading.active_count() == 1 and sys.platform.startswith("linux") else (
        "forkserver" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        futures = {pool.submit(_parse_files, settings.docs_dir, [s.source for s in c], settings.language): c
                   for c in chunks}
        for future in as_completed(futures):
            done(futures[future], future.result())


def build_index(settings: Settings, stamps: list[loading.FileStamp], fp: str,
                progress: Progress | None = None, cache: store.FileCache | None = None,
                workers: int | None = None, reuse: bool = True, stage: Path | None = None) -> store.StoredIndex:
    """Parse every file (or take its cached parse), join them, and build both BM25 indexes.

    Unchanged documents are taken from the previous build when `reuse` allows, else from the
    per-file cache. Files to read are parsed in `workers` processes (default: one per CPU) when
    there are at least PARALLEL_MIN_FILES of them; parsing is pure Python and dominates a first build.
    With `stage` (a folder from store.new_build), each large array is written there as soon as it
    is made and used memory-mapped, so a large build never holds all of them in memory at once.
    """
    start = time.perf_counter()
    parsed: dict[str, ParsedFile | None] = {}
    todo = []
    previous = _previous_build(settings) if reuse else None
    for stamp in stamps:
        f = previous.get(stamp) if previous else None
        if f is None and cache:
            f = cache.get(stamp)
        if f is None:
            todo.append(stamp)
        else:
            parsed[stamp.source] = f
    if progress:
        progress("files", len(parsed), len(stamps))

    def done(chunk: list[loading.FileStamp], results: list[ParsedFile | None]) -> None:
        for stamp, f in zip(chunk, results):
            parsed[stamp.source] = f
            if cache and f is not None:
                cache.put(stamp, f)
        if progress:
            progress("files", len(parsed), len(stamps))

    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(todo) >= PARALLEL_MIN_FILES:
        try:
            _parse_in_workers(settings, todo, workers, done)
        except (BrokenProcessPool, OSError, RuntimeError) as e:
            logger.warning("parsing in worker processes failed (%s); continuing in this process", e)
    terms = TermCache(Analyzer(settings.language))
    for stamp in todo:
        if stamp.source not in parsed:
            raw = loading.read_document(settings.docs_dir, stamp.source)
            done([stamp], [parse_document(raw, terms) if raw is not None else None])
    read = len(todo)
    if cache:
        cache.keep_only(stamps)
    parsed_at = time.perf_counter()
    files = [f for f in (parsed[s.source] for s in stamps) if f is not None]
    del parsed
    reused = any(f.vocab is None for f in files)
    trimmed = [0]

    def joining(done: int, total: int) -> None:
        if done - trimmed[0] > total // 8:  # parsed files are freed as they are copied
            _release_freed_memory()
            trimmed[0] = done
        if progress:
            progress("passages", done, total)

    joined = assemble(files, joining, base_vocab=previous.index.vocab if reused else None, consume=True)
    del files, previous
    if not len(joined.corpus.sentences):
        raise NoDocumentsError(
            f"no usable documents in {settings.docs_dir} "
            f"(looked for {', '.join(sorted(loading.SUFFIXES))} files with text in them)"
        )
    to_disk = _Stager(stage)
    table = PassageTable(to_disk("passage_table", joined.corpus.passages.table))
    texts = joined.corpus.sentences
    corpus = Corpus(joined.corpus.documents, table, SentenceTable(
        to_disk("sentence_text", texts.blob), to_disk("sentence_text_offsets", texts.offsets),
        to_disk("sentence_passage", texts.passage), table))
    terms, offsets = to_disk("sentence_terms", joined.sentence_terms), to_disk("sentence_offsets", joined.sentence_offsets)
    passage_offsets, vocab = joined.passage_offsets, joined.vocab
    del joined, texts
    _release_freed_memory()
    n_terms = len(vocab)
    passages = to_disk.bm25("passages", BM25Index.from_tokens(terms, passage_offsets, n_terms, settings.k1, settings.b))
    _release_freed_memory()
    if progress:
        progress("index", 1, 2)
    sentences = to_disk.bm25("sentences", BM25Index.from_tokens(terms, offsets, n_terms, settings.k1, settings.b))
    _release_freed_memory()
    if progress:
        progress("index", 2, 2)
    logger.info("indexed %d files (%d read, %d unchanged) in %.1fs (%.1fs reading and parsing)",
                len(stamps), read, len(stamps) - read, time.perf_counter() - start, parsed_at - start)
    manifest = {
        "format": store.FORMAT,
        "fingerprint": fp,
        "language": settings.language,
        "analyzer": ANALYZER_VERSION,
        "bm25": {"variant": "lucene", "k1": settings.k1, "b": settings.b},
        "documents": len(corpus.documents),
        "passages": len(corpus.passages),
        "sentences": len(corpus.sentences),
        "terms": n_terms,
        "unused_terms": int(np.count_nonzero(np.diff(passages.indptr) == 0)),
        "files_read": read,
        "files": [[st.source, st.size, st.mtime_ns] for st in stamps],
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return store.StoredIndex(corpus, vocab, passages, sentences, terms, offsets, manifest)


def _release_freed_memory() -> None:
    """Hand memory freed by parsed files back to the OS. Their many small buffers come from the C
    heap, which glibc keeps after free; on a million passages that is over a gigabyte of RSS."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


class _Stager:
    """Writes a build's arrays to its folder as they are made (store.stage). On the first OSError
    it removes the folder and keeps everything in memory from then on."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _give_up(self, e: OSError) -> None:
        logger.warning("cannot write the index to %s (%s); building it in memory", self.folder, e.strerror or e)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None

    def __call__(self, name: str, array: np.ndarray) -> np.ndarray:
        if self.folder is not None:
            try:
                return store.stage(self.folder, name, array)
            except OSError as e:
                self._give_up(e)
        return array

    def bm25(self, name: str, index: BM25Index) -> BM25Index:
        if self.folder is not None:
            try:
                index.save(self.folder, name)
                return BM25Index.load(self.folder, name)
            except OSError as e:
                self._give_up(e)
        return index


MAX_UNUSED_TERMS = 0.25  # past this share of terms left over from removed files, stop reusing the build


@dataclass(frozen=True)
class PreviousBuild:
    """The current saved index, as a source of unchanged documents for the next build."""

    index: store.StoredIndex
    stamps: dict[str, tuple[int, int]]
    documents: dict[str, int]

    def get(self, stamp: loading.FileStamp) -> ParsedFile | None:
        doc = self.documents.get(stamp.source)
        if doc is None or self.stamps.get(stamp.source) != (stamp.size, stamp.mtime_ns):
            return None
        return store.document_as_parsed(self.index, doc)


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
    except BaseException:
        if stage is not None:
            shutil.rmtree(stage, ignore_errors=True)
        raise
    try:
        store.save(settings.index_dir, index, build=stage if stage is not None and stage.exists() else None)
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
