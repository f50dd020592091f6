"""Getting an index for a folder: reuse the saved one while files and settings are unchanged,
otherwise build it from the per-file cache (re-reading only files added or changed) and save it.

Progress is reported through a callback `progress(stage, done, total)`:
    ("files", i, n_files)          after each file is read and parsed, or taken from the cache
    ("passages", p, n_passages)    while the parsed files are joined into one corpus
    ("index", i, 2)                after the passage index (1) and the sentence index (2) are built
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Callable

from config import Settings
from retrieval import loading, store
from retrieval.bm25 import BM25Index
from retrieval.corpus import TermCache, assemble, parse_document
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


def build_index(settings: Settings, stamps: list[loading.FileStamp], fp: str,
                progress: Progress | None = None, cache: store.FileCache | None = None) -> store.StoredIndex:
    """Parse every file (or take its cached parse), join them, and build both BM25 indexes."""
    start = time.perf_counter()
    terms = TermCache(Analyzer(settings.language))
    parsed, read = [], 0
    for i, stamp in enumerate(stamps):
        f = cache.get(stamp) if cache else None
        if f is None:
            raw = loading.read_document(settings.docs_dir, stamp.source)
            read += 1
            if raw is not None:
                f = parse_document(raw, terms)
                if cache:
                    cache.put(stamp, f)
        if f is not None:
            parsed.append(f)
        if progress:
            progress("files", i + 1, len(stamps))
    if cache:
        cache.keep_only(stamps)
    parsed_at = time.perf_counter()
    joined = assemble(parsed, (lambda done, total: progress("passages", done, total)) if progress else None)
    corpus = joined.corpus
    if not len(corpus.sentences):
        raise NoDocumentsError(
            f"no usable documents in {settings.docs_dir} "
            f"(looked for {', '.join(sorted(loading.SUFFIXES))} files with text in them)"
        )
    n_terms = len(joined.vocab)
    passages = BM25Index.from_tokens(joined.sentence_terms, joined.passage_offsets, n_terms, settings.k1, settings.b)
    if progress:
        progress("index", 1, 2)
    sentences = BM25Index.from_tokens(joined.sentence_terms, joined.sentence_offsets, n_terms, settings.k1, settings.b)
    if progress:
        progress("index", 2, 2)
    logger.info("indexed %d files (%d read, %d from cache) in %.1fs (%.1fs parsing)",
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
        "files_read": read,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return store.StoredIndex(corpus, joined.vocab, passages, sentences,
                             joined.sentence_terms, joined.sentence_offsets, manifest)


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
               rebuild: bool = False) -> tuple[store.StoredIndex, bool]:
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
    index = build_index(settings, stamps, fp, progress, cache)
    try:
        store.save(settings.index_dir, index)
    except OSError as e:
        logger.warning("cannot save the index in %s (%s); it will be rebuilt next time",
                       settings.index_dir, e.strerror or e)
        return index, False
    try:  # the saved copy is memory-mapped: the arrays built in memory can be freed
        return store.load(settings.index_dir, fp) or index, False
    except IndexCacheError:
        return index, False
