"""Misspelled question words corrected against the documents' own words (rapidfuzz edit ratio)."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

MIN_LENGTH = 4  # shorter words are too easily "corrected" into another word
MIN_SCORE = 82.0  # rapidfuzz ratio (0..100); 'cartle' -> 'cartel' is 83, 'canada' -> 'canal' is 73


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
        best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=MIN_SCORE)
        return best[0] if best else None
