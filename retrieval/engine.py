"""The engine: the one object front ends use. Open it over a folder, then ask it questions."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Callable

import numpy as np

from config import Settings
from retrieval import answer as selection
from retrieval import loading, store
from retrieval.bm25 import BM25Index
from retrieval.corpus import Corpus, Vocabulary, build_corpus, passage_terms, sentence_terms
from retrieval.errors import IndexCacheError, NoDocumentsError
from retrieval.models import Answer, ChatState, Document, Quote, Sentence
from retrieval.text import Analyzer

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def fingerprint(settings: Settings, stamps: list[loading.FileStamp]) -> str:
    """Changes whenever a file is added, changed or removed, or a setting the index depends on."""
    payload = {
        "format": store.FORMAT,
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


class Engine:
    """Immutable after `open`; safe to share between threads. Chat memory lives in ChatState values."""

    def __init__(self, settings: Settings, index: store.StoredIndex, stats: dict) -> None:
        self.settings = settings
        self._index = index
        self._analyzer = Analyzer(settings.language)
        self._term_ids = {t: i for i, t in enumerate(index.vocab)}
        self.stats = stats

    @classmethod
    def open(cls, settings: Settings, progress: Progress | None = None, rebuild: bool = False) -> "Engine":
        """Reuse the saved index when it matches the folder and settings; otherwise build and save it."""
        start = time.perf_counter()
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
        cached = index is not None
        if index is None:
            index = build_index(settings, stamps, fp, progress)
            try:
                store.save(settings.index_dir, index)
            except OSError as e:
                logger.warning("cannot save the index in %s (%s); it will be rebuilt next time",
                               settings.index_dir, e.strerror or e)
        corpus = index.corpus
        stats = {
            "documents": len(corpus.documents),
            "passages": len(corpus.passages),
            "sentences": len(corpus.sentences),
            "terms": len(index.vocab),
            "seconds": round(time.perf_counter() - start, 3),
            "cached": cached,
            "index_dir": str(settings.index_dir),
        }
        return cls(settings, index, stats)

    @property
    def documents(self) -> tuple[Document, ...]:
        return self._index.corpus.documents

    @property
    def corpus(self) -> Corpus:
        return self._index.corpus

    def sentence(self, index: int) -> Sentence:
        return self._index.corpus.sentences[index]

    def context(self, sentence: int, window: int | None = None) -> tuple[Sentence, ...]:
        """The quoted sentence with up to `window` sentences either side, within its document."""
        window = self.settings.context_sentences if window is None else window
        corpus = self._index.corpus
        doc = corpus.documents[corpus.sentences[sentence].doc]
        first = corpus.passages[doc.first_passage].first_sentence if doc.n_passages else sentence
        last_p = corpus.passages[doc.first_passage + doc.n_passages - 1] if doc.n_passages else None
        end = last_p.first_sentence + last_p.n_sentences if last_p else sentence + 1
        return corpus.sentences[max(first, sentence - window):min(end, sentence + window + 1)]

    def ask(self, question: str, state: ChatState | None = None, k: int | None = None) -> Answer:
        """Answer one question of a chat. The returned Answer carries the chat's next state."""
        state = state or ChatState()
        k = k or self.settings.max_quotes
        question = " ".join(question.split())
        terms = self._analyzer.terms(question)
        ids = [self._term_ids[t] for t in terms if t in self._term_ids]
        turn = {"question": question, "terms": terms}
        if not ids:
            return Answer(question, answered=False, resolved_question=question,
                          reason="no word of the question occurs in the documents", state=state.add(turn))
        ranked = selection.rank_sentences(self._index, ids)
        picked = selection.drop_near_duplicates(self._index, ranked, k)
        if not picked:
            return Answer(question, answered=False, resolved_question=question,
                          reason="no sentence matches the question", state=state.add(turn))
        quotes = tuple(self._quote(r.sentence, r.score) for r in picked)
        turn["quotes"] = [q.sentence for q in quotes]
        return Answer(question, answered=True, quotes=quotes, answer=None,
                      resolved_question=question, state=state.add(turn))

    def _quote(self, sentence: int, score: float, span: tuple[int, int] | None = None) -> Quote:
        corpus = self._index.corpus
        s = corpus.sentences[sentence]
        doc = corpus.documents[s.doc]
        return Quote(text=s.text, source=doc.source, title=doc.title,
                     paragraph=corpus.passages[s.passage].number, score=score,
                     sentence=sentence, answer_span=span)
