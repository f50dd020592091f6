"""Documents -> passages -> sentences -> term ids: the plain data the index is built from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from retrieval.loading import RawDocument
from retrieval.models import Document, Passage, Sentence
from retrieval.splitting import header_fields, layout, split_sentences
from retrieval.text import Analyzer


@dataclass(frozen=True)
class Corpus:
    documents: tuple[Document, ...]
    passages: tuple[Passage, ...]
    sentences: tuple[Sentence, ...]

    def passage_of(self, sentence: int) -> Passage:
        return self.passages[self.sentences[sentence].passage]

    def passage_text(self, passage: int) -> str:
        p = self.passages[passage]
        return " ".join(s.text for s in self.sentences[p.first_sentence:p.first_sentence + p.n_sentences])


def build_corpus(raw_docs: Iterable[RawDocument]) -> Corpus:
    documents: list[Document] = []
    passages: list[Passage] = []
    sentences: list[Sentence] = []
    for raw in raw_docs:
        parts = layout(raw.text)
        fields = header_fields(parts.header)
        doc_index = len(documents)
        first_passage = len(passages)
        for number, paragraph in enumerate(parts.paragraphs, start=1):
            texts = split_sentences(paragraph)
            if not texts:
                continue
            passage_index = len(passages)
            passages.append(Passage(doc=doc_index, number=number, first_sentence=len(sentences), n_sentences=len(texts)))
            sentences.extend(Sentence(t, doc_index, passage_index, i) for i, t in enumerate(texts))
        documents.append(Document(
            source=raw.source,
            title=raw.title or fields["title"] or raw.source,
            byline=fields["byline"],
            date=fields["date"],
            publication=fields["publication"],
            first_passage=first_passage,
            n_passages=len(passages) - first_passage,
        ))
    return Corpus(tuple(documents), tuple(passages), tuple(sentences))


class Vocabulary:
    """Term -> id, growing as text is added; frozen into a list when the index is saved."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        self.ids: dict[str, int] = {}
        for t in terms:
            self.ids.setdefault(t, len(self.ids))

    def add(self, terms: Iterable[str]) -> list[int]:
        ids = self.ids
        return [ids.setdefault(t, len(ids)) for t in terms]

    def lookup(self, terms: Iterable[str]) -> list[int]:
        return [self.ids[t] for t in terms if t in self.ids]

    def terms(self) -> list[str]:
        return list(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


def sentence_terms(corpus: Corpus, analyzer: Analyzer, vocab: Vocabulary) -> list[list[int]]:
    """Term ids of every sentence, in order; a passage's terms are the concatenation of its sentences'."""
    return [vocab.add(analyzer.terms(s.text)) for s in corpus.sentences]


def passage_terms(corpus: Corpus, per_sentence: list[list[int]]) -> list[list[int]]:
    out = []
    for p in corpus.passages:
        ids: list[int] = []
        for s in per_sentence[p.first_sentence:p.first_sentence + p.n_sentences]:
            ids.extend(s)
        out.append(ids)
    return out
