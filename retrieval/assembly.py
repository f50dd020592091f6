"""Joining documents into the saved index's arrays, one document (or run of documents) at a time.

`CorpusWriter` takes, in folder order, freshly parsed files (`add_file`) and runs of unchanged
documents of the previous build (`add_old`), and appends each to the index arrays as it comes,
written straight to the new build folder. So a build holds no more than one file's parse in
memory, and a refresh copies unchanged documents as a few large slices, with no per-document
work. It also records where each old and new document went, which is what lets a refresh merge
BM25 postings instead of counting every token again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.arrays import ArrayWriter, read_range
from retrieval.corpus import Corpus, ParsedFile, PassageTable, SentenceTable
from retrieval.models import Document


@dataclass(frozen=True)
class OldRun:
    """Consecutive documents [first, end) of a previous build, in that build's term ids."""

    corpus: Corpus
    sentence_terms: np.ndarray
    sentence_offsets: np.ndarray
    first: int
    end: int


@dataclass
class Placement:
    """Where documents went: old passage/sentence ranges copied (old start, old end, new start)
    and the new passages/sentences that came from parsed files."""

    old_passages: list[tuple[int, int, int]] = field(default_factory=list)
    old_sentences: list[tuple[int, int, int]] = field(default_factory=list)
    new_passages: list[tuple[int, int]] = field(default_factory=list)
    new_sentences: list[tuple[int, int]] = field(default_factory=list)

    def old_to_new(self, kind: str, n_old: int) -> np.ndarray:
        """Old id -> new id (-1 for a removed one), for passages or sentences."""
        out = np.full(n_old, -1, dtype=np.int32)
        for lo, hi, to in getattr(self, f"old_{kind}"):
            out[lo:hi] = np.arange(to, to + hi - lo, dtype=np.int32)
        return out

    def added(self, kind: str) -> np.ndarray:
        ranges = getattr(self, f"new_{kind}")
        if not ranges:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.arange(lo, hi, dtype=np.int64) for lo, hi in ranges])


@dataclass(frozen=True)
class Written:
    """The joined corpus and its token arrays (memory-mapped when written to a folder)."""

    corpus: Corpus
    vocab: list[str]
    sentence_terms: np.ndarray  # int32 term ids of all sentences back to back
    sentence_offsets: np.ndarray  # int64, n_sentences + 1
    passage_offsets: np.ndarray  # int64, n_passages + 1: token boundaries of passages
    placement: Placement


class CorpusWriter:
    """Appends documents to the index arrays in `folder` (None: kept in memory)."""

    def __init__(self, folder: Path | None, base_vocab: Sequence[str] | None = None) -> None:
        path = (lambda name: folder / f"{name}.npy") if folder is not None else (lambda name: None)
        self._writers = {
            "passage_table": ArrayWriter(path("passage_table"), np.int32, (4,)),
            "sentence_passage": ArrayWriter(path("sentence_passage"), np.int32),
            "sentence_text": ArrayWriter(path("sentence_text"), np.uint8),
            "sentence_text_offsets": ArrayWriter(path("sentence_text_offsets"), np.int64),
            "sentence_terms": ArrayWriter(path("sentence_terms"), np.int32),
            "sentence_offsets": ArrayWriter(path("sentence_offsets"), np.int64),
        }
        self._writers["sentence_text_offsets"].append(np.zeros(1, dtype=np.int64))
        self._writers["sentence_offsets"].append(np.zeros(1, dtype=np.int64))
        # Term ids: the previous build's kept as they are (a refresh), new terms appended in order of first use.
        self._ids: dict[str, int] = {t: i for i, t in enumerate(base_vocab or ())}
        self.documents: list[Document] = []
        self.placement = Placement()
        self.passages = self.sentences = self.tokens = self.bytes = 0

    def add_file(self, f: ParsedFile) -> None:
        """One parsed file, its local term ids mapped to the corpus's."""
        ids = self._ids
        local = f.terms()
        remap = np.fromiter((ids.setdefault(t, len(ids)) for t in local), dtype=np.int32, count=len(local))
        sizes = np.asarray(f.passage_sizes, dtype=np.int32)
        k, n = len(sizes), f.n_sentences
        table = np.empty((k, 4), dtype=np.int32)
        table[:, 0] = len(self.documents)
        table[:, 1] = f.passage_numbers
        table[:, 2] = self.sentences + np.cumsum(sizes) - sizes
        table[:, 3] = sizes
        self.placement.new_passages.append((self.passages, self.passages + k))
        self.placement.new_sentences.append((self.sentences, self.sentences + n))
        self.documents.append(_moved(f.document, self.passages))
        self._append(table, np.repeat(np.arange(self.passages, self.passages + k, dtype=np.int32), sizes),
                     f.text_blob, np.asarray(f.text_offsets[1:]) + self.bytes,
                     remap[np.asarray(f.tokens)], np.asarray(f.token_offsets[1:]) + self.tokens)

    def add_old(self, run: OldRun) -> None:
        """Documents taken unchanged from the previous build: a few slices whatever their number."""
        docs = run.corpus.documents[run.first:run.end]
        if not docs:
            return
        p0 = docs[0].first_passage
        p1 = docs[-1].first_passage + docs[-1].n_passages
        old = run.corpus.passages.table
        table = np.array(old[p0:p1], dtype=np.int32)
        s0 = int(old[p0, 2]) if p1 > p0 else 0
        s1 = int(old[p1 - 1, 2] + old[p1 - 1, 3]) if p1 > p0 else 0
        table[:, 0] += len(self.documents) - run.first
        table[:, 2] += self.sentences - s0
        self.placement.old_passages.append((p0, p1, self.passages))
        self.placement.old_sentences.append((s0, s1, self.sentences))
        shift = self.passages - p0
        self.documents.extend(_moved(d, d.first_passage + shift) for d in docs)
        sentences = run.corpus.sentences
        text = read_range(sentences.offsets, s0, s1 + 1)
        terms = read_range(run.sentence_offsets, s0, s1 + 1)
        self._append(table, read_range(sentences.passage, s0, s1) + np.int32(shift),
                     (sentences.blob, int(text[0]), int(text[-1])), text[1:] - text[0] + self.bytes,
                     (run.sentence_terms, int(terms[0]), int(terms[-1])), terms[1:] - terms[0] + self.tokens)

    def _append(self, table: np.ndarray, passage_of: np.ndarray, blob, text_ends: np.ndarray,
                terms, term_ends: np.ndarray) -> None:
        """Rows for new passages and sentences; `blob` and `terms` are arrays or, for slices of the
        previous build, (array, lo, hi), copied without being read into this process."""
        w = self._writers
        w["passage_table"].append(table)
        w["sentence_passage"].append(passage_of)
        for name, data in (("sentence_text", blob), ("sentence_terms", terms)):
            if isinstance(data, tuple):
                w[name].append_slice(*data)
            else:
                w[name].append(data)
        w["sentence_text_offsets"].append(text_ends)
        w["sentence_offsets"].append(term_ends)
        self.passages += len(table)
        self.sentences += len(passage_of)
        self.tokens = int(term_ends[-1]) if len(term_ends) else self.tokens
        self.bytes = int(text_ends[-1]) if len(text_ends) else self.bytes

    def abort(self) -> None:
        for w in self._writers.values():
            w.abort()

    def finish(self) -> Written:
        a = {name: w.finish() for name, w in self._writers.items()}
        table = PassageTable(a["passage_table"])
        corpus = Corpus(tuple(self.documents), table, SentenceTable(
            a["sentence_text"], a["sentence_text_offsets"], a["sentence_passage"], table))
        offsets = a["sentence_offsets"]
        firsts = np.asarray(a["passage_table"][:, 2], dtype=np.int64)
        passage_offsets = np.append(np.asarray(offsets)[firsts], offsets[-1])
        return Written(corpus, list(self._ids), a["sentence_terms"], offsets, passage_offsets, self.placement)


def _moved(d: Document, first: int) -> Document:
    return Document(d.source, d.title, d.byline, d.date, d.publication, first, d.n_passages)
