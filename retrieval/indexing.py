"""Getting an index for a folder: reuse the saved one while files and settings are unchanged,
otherwise read the files, build it and save it."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from typing import Callable

import numpy as np

from config import Settings
from retrieval import loading, store
from retrieval.bm25 import BM25Index
from retrieval.corpus import Vocabulary, build_corpus, passage_terms, sentence_terms
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


def build_index(settings: Settings, stamps: list[loading.FileStamp], fp: str,
                progress: Progress | None = None) -> store.StoredIndex:
    raw_docs = []
    for i, stamp in enumerate(stamps):
        raw = loading.read_document(settings.docs_dir, stamp.source)
        if raw is not None:
            raw_docs.append(raw)
        if progress:
            progress("files", i + 1, len(stamps))
    corpus = build_corpus(raw_docs)
    if not corpus.sentences:
        raise NoDocumentsError(
            f"no usable documents in {settings.docs_dir} "
            f"(looked for {', '.join(sorted(loading.SUFFIXES))} files with text in them)"
        )
    analyzer = Analyzer(settings.language)
    vocab = Vocabulary()
    per_sentence = sentence_terms(corpus, analyzer, vocab)
    offsets = np.zeros(len(per_sentence) + 1, dtype=np.int64)
    np.cumsum([len(s) for s in per_sentence], out=offsets[1:])
    flat = np.fromiter((t for s in per_sentence for t in s), dtype=np.int32, count=int(offsets[-1]))
    passages = BM25Index.build(passage_terms(corpus, per_sentence), len(vocab), settings.k1, settings.b)
    sentences = BM25Index.build(per_sentence, len(vocab), settings.k1, settings.b)
    manifest = {
        "format": store.FORMAT,
        "fingerprint": fp,
        "language": settings.language,
        "bm25": {"variant": "lucene", "k1": settings.k1, "b": settings.b},
        "documents": len(corpus.documents),
        "passages": len(corpus.passages),
        "sentences": len(corpus.sentences),
        "terms": len(vocab),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return store.StoredIndex(corpus, vocab.terms(), passages, sentences, flat, offsets, manifest)



def open_index(settings: Settings, progress: Progress | None = None,
               rebuild: bool = False) -> tuple[store.StoredIndex, bool]:
    """(index, whether it came from the cache). A corrupt or foreign cache is rebuilt with a warning."""
    folder = settings.docs_dir
    if not folder.is_dir():
        raise NoDocumentsError(f"documents folder {folder} does not exist")
    Analyzer(settings.language)  # an unknown language fails here, before any work
    stamps = loading.scan(folder)
    if not stamps:
        raise NoDocumentsError(
            f"no documents in {folder} (looked for {', '.join(sorted(loading.SUFFIXES))} files)"
        )
    fp = fingerprint(settings, stamps)
    index = None
    if not rebuild:
        try:
            index = store.load(settings.index_dir, fp)
        except IndexCacheError as e:
            logger.warning("%s; rebuilding it", e)
    if index is not None:
        return index, True
    index = build_index(settings, stamps, fp, progress)
    try:
        store.save(settings.index_dir, index)
    except OSError as e:
        logger.warning("cannot save the index in %s (%s); it will be rebuilt next time",
                       settings.index_dir, e.strerror or e)
    return index, False
