"""Documents -> passages -> sentences -> term ids: the plain data the index is built from.

Two shapes of the same data:
- `ParsedFile`: one document split and tokenised, with its own small vocabulary. This is what the
  per-file cache keeps, so a refresh re-reads only the files that changed.
- `Corpus`: every document, passage and sentence of the folder. Built from parsed files, its
  passages and sentences are views over flat arrays (`PassageTable`, `SentenceTable`), so a
  memory-mapped index of millions of sentences opens without making millions of objects.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator, Sequence, overload

import numpy as np

from retrieval.loading import RawDocument
from retrieval.models import Document, Passage, Sentence
from retrieval.splitting import header_fields, layout, split_sentences
from retrieval.text import Analyzer


class PassageTable(Sequence[Passage]):
    """Passages as rows of an int32 array (doc, number, first_sentence, n_sentences)."""

    def __init__(self, table: np.ndarray) -> None:
        self.table = table
        self._rows = np.asarray(table)  # a plain view for reading rows: a np.memmap's every row is another memmap object

    def __len__(self) -> int:
        return len(self.table)

    @overload
    def __getitem__(self, i: int) -> Passage: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Passage, ...]: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(Passage(*row) for row in self._rows[i].tolist())
        return Passage(*self._rows[i].tolist())

    def __iter__(self) -> Iterator[Passage]:
        for lo in range(0, len(self.table), 4096):
            yield from self[lo:lo + 4096]


class SentenceTable(Sequence[Sentence]):
    """Sentences as UTF-8 text back to back (`blob`, byte `offsets`) plus the passage of each.

    The sentences asked for recently are kept as objects (an LRU of CACHED): the same few are
    read many times per question (ranking, quoting, context), and decoding each from the memory
    map again costs more than the rest of their handling. The arrays never change, so neither do
    the cached objects.
    """

    CACHED = 1 << 16  # sentences kept decoded; a few tens of MB at most

    def __init__(self, blob: np.ndarray, offsets: np.ndarray, passage: np.ndarray, passages: PassageTable) -> None:
        self.blob = blob  # uint8
        self.offsets = offsets  # int64, n + 1
        self.passage = passage  # int32, n
        self._passages = passages
        # plain views of the same memory for reading one sentence (indexing a np.memmap runs Python code)
        self._blob, self._offsets, self._passage = np.asarray(blob), np.asarray(offsets), np.asarray(passage)
        self._rows = np.asarray(passages.table)
        self._cached = lru_cache(maxsize=self.CACHED)(self._one)

    def __len__(self) -> int:
        return len(self.passage)

    def text(self, i: int) -> str:
        return self._cached(int(i)).text

    def _one(self, i: int) -> Sentence:
        p = int(self._passage[i])
        doc, _, first, _ = self._rows[p].tolist()
        text = self._blob[self._offsets[i]:self._offsets[i + 1]].tobytes().decode("utf-8")
        return Sentence(text, doc, p, i - first)

    @overload
    def __getitem__(self, i: int) -> Sentence: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[Sentence, ...]: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self._cached(j) for j in range(*i.indices(len(self))))
        i = operator.index(i)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("sentence index out of range")
        return self._cached(i)


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    passages: Sequence[Passage]
    sentences: Sequence[Sentence]

    def passage_of(self, sentence: int) -> Passage:
        return self.passages[self.sentences[sentence].passage]

    def passage_text(self, passage: int) -> str:
        p = self.passages[passage]
        return " ".join(s.text for s in self.sentences[p.first_sentence:p.first_sentence + p.n_sentences])


class TermCache:
    """`Analyzer.terms` with each distinct whitespace-separated chunk analysed once.

    Terms never cross whitespace, so a sentence's terms are its chunks' terms in order. The one
    thing that depends on the whole text is whether short all-caps words are acronyms: not in
    shouted text. A chunk with capitals is analysed both ways, inside ordinary text (after a
    lower-case pad) and in lower case (as shouted text reads it); where the two differ the
    sentence's case decides, by the same rule as text.py. A test checks the result equals
    `Analyzer.terms` on hostile and shouted text, so a change to that rule shows up there.
    """

    MAX_CHUNKS = 2_000_000  # forget everything past this many distinct chunks: memory stays bounded

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self._chunks: dict[str, tuple[str, ...] | None] = {}
        self._both: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._pad_terms: dict[int, int] = {}

    def terms(self, text: str) -> list[str]:
        out: list[str] = []
        chunks = self._chunks
        if len(chunks) > self.MAX_CHUNKS:
            chunks.clear()
            self._both.clear()
        shouting = None
        for chunk in text.split():
            terms = chunks.get(chunk, False)
            if terms is False:
                terms = chunks[chunk] = self._learn(chunk)
            if terms is None:
                if shouting is None:
                    shouting = _shouting(text)
                terms = self._both[chunk][shouting]
            out += terms
        return out

    def _learn(self, chunk: str) -> tuple[str, ...] | None:
        lower = chunk.lower()
        if chunk == lower:
            return tuple(self.analyzer.terms(chunk))
        pad = "z" * (len(chunk) // 2 + 8)  # enough lower-case letters that the text is not shouting
        skip = self._pad_terms.get(len(pad))
        if skip is None:
            skip = self._pad_terms[len(pad)] = len(self.analyzer.terms(pad))
        ordinary = tuple(self.analyzer.terms(f"{pad} {chunk}")[skip:])
        shouted = tuple(self.analyzer.terms(lower))
        if ordinary == shouted:
            return ordinary
        self._both[chunk] = (ordinary, shouted)
        return None


def _shouting(text: str) -> bool:
    """Mostly capitals (text.py reads such text as ordinary case, without acronyms); counted in C."""
    letters = sum(map(str.isalpha, text))
    return letters >= 8 and sum(map(str.isupper, filter(str.isalpha, text))) > 0.8 * letters


@dataclass(frozen=True)
class ParsedFile:
    """One document, split and tokenised against its own vocabulary: `terms()[i]` is local term i.
    What the per-file cache keeps, and what assembly.CorpusWriter appends to an index."""

    document: Document  # first_passage is 0: positions are local to the file
    passage_numbers: np.ndarray  # int32, the paragraph number of each passage
    passage_sizes: np.ndarray  # int32, sentences per passage
    text_blob: bytes  # UTF-8 sentence texts back to back
    text_offsets: np.ndarray  # int64, n_sentences + 1 byte offsets into text_blob
    vocab: str  # the local terms, one per line (one string, not a million small objects)
    tokens: np.ndarray  # int32 local term ids of all sentences back to back
    token_offsets: np.ndarray  # int64, n_sentences + 1

    @property
    def n_sentences(self) -> int:
        return len(self.text_offsets) - 1

    def terms(self) -> list[str]:
        return self.vocab.split("\n") if self.vocab else []


def parse_document(raw: RawDocument, terms: TermCache | Analyzer) -> ParsedFile:
    """Split one document into passages and sentences and turn each sentence into term ids."""
    parts = layout(raw.text)
    fields = header_fields(parts.header)
    numbers, sizes, texts = [], [], []
    for number, paragraph in enumerate(parts.paragraphs, start=1):
        sentences = split_sentences(paragraph)
        if sentences:
            numbers.append(number)
            sizes.append(len(sentences))
            texts.extend(sentences)
    local: dict[str, int] = {}
    ids: list[int] = []
    lengths = []
    for text in texts:
        t = terms.terms(text)
        ids += [local.setdefault(w, len(local)) for w in t]
        lengths.append(len(t))
    encoded = [t.encode("utf-8") for t in texts]
    document = Document(
        source=raw.source,
        title=raw.title or fields["title"] or raw.source,
        byline=fields["byline"],
        date=fields["date"],
        publication=fields["publication"],
        first_passage=0,
        n_passages=len(numbers),
    )
    return ParsedFile(
        document=document,
        passage_numbers=np.array(numbers, dtype=np.int32),
        passage_sizes=np.array(sizes, dtype=np.int32),
        text_blob=b"".join(encoded),
        text_offsets=_offsets(len(e) for e in encoded),
        vocab="\n".join(local),
        tokens=np.array(ids, dtype=np.int32),
        token_offsets=_offsets(lengths),
    )


def _offsets(lengths: Iterable[int]) -> np.ndarray:
    sizes = np.fromiter(lengths, dtype=np.int64)
    out = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=out[1:])
    return out
