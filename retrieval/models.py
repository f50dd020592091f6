"""Plain frozen data that flows from documents to answers; no behaviour beyond small views."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sentence:
    """One sentence, verbatim (only whitespace runs collapsed), and where it sits."""

    text: str
    doc: int  # index into Corpus.documents
    passage: int  # index into Corpus.passages (global)
    position: int  # index within its passage


@dataclass(frozen=True)
class Passage:
    """A paragraph: the unit BM25 ranks first."""

    doc: int
    number: int  # 1-based paragraph number within its document, as shown to users
    first_sentence: int  # global index of its first sentence
    n_sentences: int


@dataclass(frozen=True)
class Document:
    source: str  # path relative to the documents folder, '/'-separated
    title: str
    byline: str | None = None
    date: str | None = None
    publication: str | None = None
    first_passage: int = 0
    n_passages: int = 0


@dataclass(frozen=True)
class Quote:
    """A sentence quoted in an answer. `text` is always a verbatim sentence of `source`."""

    text: str
    source: str
    title: str
    paragraph: int
    score: float
    sentence: int  # global sentence index, for "show context"
    answer_span: tuple[int, int] | None = None  # [start, end) of the short answer inside text

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "source": self.source, "paragraph": self.paragraph,
                "score": round(float(self.score), 6)}


@dataclass(frozen=True)
class ChatState:
    """What a chat remembers between questions; plain data so front ends can persist it."""

    turns: tuple[dict[str, Any], ...] = ()  # most recent last: {"question", "resolved", "terms", "entities", "quotes"}

    MAX_TURNS = 5

    def add(self, turn: dict[str, Any]) -> "ChatState":
        return ChatState(turns=(self.turns + (turn,))[-self.MAX_TURNS:])

    @property
    def last(self) -> dict[str, Any] | None:
        return self.turns[-1] if self.turns else None

    def to_dict(self) -> dict[str, Any]:
        return {"turns": [dict(t) for t in self.turns]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "ChatState":
        if not data or not isinstance(data.get("turns"), list):
            return cls()
        return cls(turns=tuple(t for t in data["turns"] if isinstance(t, dict))[-cls.MAX_TURNS:])


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    quotes: tuple[Quote, ...] = ()
    answer: str | None = None  # short answer, copied verbatim from quotes[0].text
    resolved_question: str = ""  # the question after follow-up resolution
    reason: str = ""  # why it did not answer, for logs and eval
    state: ChatState = field(default_factory=ChatState)  # the chat's state after this question
