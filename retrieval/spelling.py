"""Misspelled question words corrected against the documents' own words (rapidfuzz edit distance,
with a swap of two neighbouring letters counting as one edit)."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 5  # shorter words are too easily "corrected" into another real word ("last" -> "lost")
LONG_WORD = 8  # from this length two edits are allowed, below it one


def max_edits(word: str) -> int:
    """Typos are one slip (a dropped, doubled or swapped letter); 'leads' -> 'leaders' is another word."""
    return 2 if len(word) >= LONG_WORD else 1


@dataclass(frozen=True)
class Speller:
    known: frozenset[str]  # folded surface words of the documents
    by_length: dict[int, tuple[str, ...]]

    @classmethod
    def from_words(cls, known: frozenset[str]) -> "Speller":
        by_length: dict[int, list[str]] = {}
        for w in known:
            if w.isalpha() and len(w) >= MIN_LENGTH:
                by_length.setdefault(len(w), []).append(w)
        return cls(known, {n: tuple(sorted(ws)) for n, ws in by_length.items()})

    def correct(self, word: str) -> str | None:
        """The document word `word` was probably meant as, or None when it is known or nothing is close."""
        if word in self.known or len(word) < MIN_LENGTH or not word.isalpha():
            return None
        choices = [w for n in range(len(word) - 2, len(word) + 3) for w in self.by_length.get(n, ())]
        best = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=max_edits(word))
        return best[0] if best else None
