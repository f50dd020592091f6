"""The engine: the one object front ends use. Open it over a folder, then ask it questions."""

from __future__ import annotations

import logging
import time

from config import Settings
from retrieval import answer as selection
from retrieval import store
from retrieval.corpus import Corpus
from retrieval.indexing import Progress, open_index
from retrieval.question import analyse
from retrieval.span import answer_span
from retrieval.models import Answer, ChatState, Document, Quote, Sentence
from retrieval.text import Analyzer

logger = logging.getLogger(__name__)

class Engine:
    """Immutable after `open`; safe to share between threads. Chat memory lives in ChatState values."""

    def __init__(self, settings: Settings, index: store.StoredIndex, stats: dict) -> None:
        self.settings = settings
        self._index = index
        self._analyzer = Analyzer(settings.language)
        self._term_ids = {t: i for i, t in enumerate(index.vocab)}
        self._layout = selection.layout(index, self._analyzer)
        self._ranker = selection.load_ranker()
        self.stats = stats

    @classmethod
    def open(cls, settings: Settings, progress: Progress | None = None, rebuild: bool = False) -> "Engine":
        """Open over settings.docs_dir, reusing the saved index when it still matches."""
        start = time.perf_counter()
        index, cached = open_index(settings, progress=progress, rebuild=rebuild)
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
        q = analyse(question, self._analyzer)
        names = [[self._term_ids[t] for t in self._analyzer.terms(" ".join(n)) if t in self._term_ids]
                 for n in q.names]
        ranked = selection.rank_sentences(self._index, self._layout, ids, q, self._ranker, names)
        picked = selection.drop_near_duplicates(self._index, ranked, k)
        if not picked:
            return Answer(question, answered=False, resolved_question=question,
                          reason="no sentence matches the question", state=state.add(turn))
        first = self.sentence(picked[0].sentence).text
        span = answer_span(first, q, self._analyzer)
        quotes = tuple(self._quote(r.sentence, r.score, span if i == 0 else None) for i, r in enumerate(picked))
        turn["quotes"] = [q.sentence for q in quotes]
        short = first[span[0]:span[1]] if span else None
        return Answer(question, answered=True, quotes=quotes, answer=short,
                      resolved_question=question, state=state.add(turn))

    def _quote(self, sentence: int, score: float, span: tuple[int, int] | None = None) -> Quote:
        corpus = self._index.corpus
        s = corpus.sentences[sentence]
        doc = corpus.documents[s.doc]
        return Quote(text=s.text, source=doc.source, title=doc.title,
                     paragraph=corpus.passages[s.passage].number, score=score,
                     sentence=sentence, answer_span=span)
