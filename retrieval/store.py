"""The saved index: a folder of NumPy arrays plus JSON (no pickle), written atomically.

    <index_dir>/CURRENT            name of the live build folder (replaced atomically)
    <index_dir>/<build>/manifest.json   format, fingerprint of files + settings, statistics
    <index_dir>/<build>/corpus.json     documents, passages, sentence texts (verbatim)
    <index_dir>/<build>/vocab.json      term list; a term's id is its position
    <index_dir>/<build>/{passages,sentences}.*.npy   BM25 columns (see bm25.py)
    <index_dir>/<build>/sentence_terms.npy, sentence_offsets.npy   term ids of every sentence, in order

A reader follows CURRENT, so a crash mid-write leaves the previous index in place.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.bm25 import BM25Index
from retrieval.corpus import Corpus
from retrieval.errors import IndexCacheError
from retrieval.models import Document, Passage, Sentence

logger = logging.getLogger(__name__)

FORMAT = "quoteqa-index/1"


@dataclass(frozen=True)
class StoredIndex:
    corpus: Corpus
    vocab: list[str]
    passages: BM25Index
    sentences: BM25Index
    sentence_terms: np.ndarray  # int32, all sentences' term ids back to back
    sentence_offsets: np.ndarray  # int64, n_sentences + 1
    manifest: dict


def _corpus_to_json(corpus: Corpus) -> dict:
    return {
        "documents": [[d.source, d.title, d.byline, d.date, d.publication, d.first_passage, d.n_passages]
                      for d in corpus.documents],
        "passages": [[p.doc, p.number, p.first_sentence, p.n_sentences] for p in corpus.passages],
        "sentences": [s.text for s in corpus.sentences],
    }


def _corpus_from_json(data: dict) -> Corpus:
    documents = tuple(Document(*row) for row in data["documents"])
    passages = tuple(Passage(*row) for row in data["passages"])
    sentences = []
    for pi, p in enumerate(passages):
        for i in range(p.n_sentences):
            sentences.append(Sentence(data["sentences"][p.first_sentence + i], p.doc, pi, i))
    if len(sentences) != len(data["sentences"]):
        raise ValueError("sentences do not match passages")
    return Corpus(documents, passages, tuple(sentences))


def save(index_dir: Path, index: StoredIndex) -> None:
    index_dir.mkdir(parents=True, exist_ok=True)
    build = f"build-{uuid.uuid4().hex[:12]}"
    tmp = index_dir / build
    tmp.mkdir()
    index.passages.save(tmp, "passages")
    index.sentences.save(tmp, "sentences")
    np.save(tmp / "sentence_terms.npy", index.sentence_terms, allow_pickle=False)
    np.save(tmp / "sentence_offsets.npy", index.sentence_offsets, allow_pickle=False)
    (tmp / "vocab.json").write_text(json.dumps(index.vocab, ensure_ascii=False), encoding="utf-8")
    (tmp / "corpus.json").write_text(json.dumps(_corpus_to_json(index.corpus), ensure_ascii=False), encoding="utf-8")
    (tmp / "manifest.json").write_text(json.dumps(index.manifest, indent=1), encoding="utf-8")
    pointer = index_dir / f"CURRENT.{build}"
    pointer.write_text(build)
    os.replace(pointer, index_dir / "CURRENT")
    for old in index_dir.glob("build-*"):
        if old.name != build:
            shutil.rmtree(old, ignore_errors=True)


def load(index_dir: Path, fingerprint: str) -> StoredIndex | None:
    """The saved index if it was built from the same files and settings; None if there is none.

    Raises IndexCacheError when something is there but cannot be used (corrupt, foreign, partial).
    """
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    try:
        build = index_dir / pointer.read_text().strip()
        manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise IndexCacheError(f"the index in {index_dir} has an unknown format")
        if manifest.get("fingerprint") != fingerprint:
            return None
        corpus = _corpus_from_json(json.loads((build / "corpus.json").read_text(encoding="utf-8")))
        vocab = json.loads((build / "vocab.json").read_text(encoding="utf-8"))
        passages = BM25Index.load(build, "passages")
        sentences = BM25Index.load(build, "sentences")
        terms = np.load(build / "sentence_terms.npy", mmap_mode="r", allow_pickle=False)
        offsets = np.load(build / "sentence_offsets.npy", allow_pickle=False)
    except IndexCacheError:
        raise
    except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
        raise IndexCacheError(f"the index in {index_dir} is unreadable ({type(e).__name__}: {e})") from None
    if (passages.n_docs != len(corpus.passages) or sentences.n_docs != len(corpus.sentences)
            or len(offsets) != len(corpus.sentences) + 1 or passages.n_terms > len(vocab)
            or int(offsets[-1]) != len(terms)):
        raise IndexCacheError(f"the index in {index_dir} is inconsistent")
    return StoredIndex(corpus, vocab, passages, sentences, terms, offsets, manifest)
