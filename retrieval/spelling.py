"""Misspelled question words corrected against the documents' own words (rapidfuzz edit distance,
with a swap of two neighbouring letters counting as one edit). A word the language knows is no
misspelling, even when no document holds it: "weight" is not "eight", nor "president" "residents"."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 5  # shorter words are too easily "corrected" into another real word ("last" -> "lost")
LONG_WORD = 8  # from this length two edits are allowed, below it one
SAME_START = 5  # letters a word of the language keeps when the speller changes its ending
# WordNet's detachment rules (its "morphy"): per part of speech, an inflected ending and what
# replaces it in the lemma ("countries" -> "country" for a noun, "handing" -> "hand" for a verb)
_ENDINGS = {
    "n": (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
}


def max_edits(word: str) -> int:
    """Typos are one slip (a dropped, doubled or swapped letter); 'leads' -> 'leaders' is another word."""
    return 2 if len(word) >= LONG_WORD else 1


@lru_cache(maxsize=None)
def lexicon(language: str) -> dict[str, str]:
    """The language's words, each with its parts of speech ("n", "v", "a", "r"): WordNet's lemmas
    and irregular forms (retrieval/data/words_<language>.txt.gz, built by
    benchmarks/build_synonyms.py); empty for a language without a list."""
    try:
        raw = resources.files("retrieval.data").joinpath(f"words_{language}.txt.gz").read_bytes()
    except FileNotFoundError:
        return {}
    return dict(line.split("\t", 1) for line in gzip.decompress(raw).decode("utf-8").splitlines())


def is_word(word: str, known: dict[str, str]) -> bool:
    """Whether a folded word is in `known` or a regular inflection of a word in it of the part of
    speech that inflects so ("stopped" of the verb "stop", "countries" of the noun "country"; not
    "hering" of the adverb "here")."""
    if word in known:
        return True
    for pos, endings in _ENDINGS.items():
        for ending, lemma in endings:
            if not word.endswith(ending) or len(word) <= len(ending) + 1:
                continue
            base = word[:-len(ending)] + lemma
            if pos in known.get(base, ""):
                return True
            if pos != "n" and lemma == "" and base[-1] == base[-2] and pos in known.get(base[:-1], ""):
                return True  # a doubled final consonant: "stopped", "biggest"
    return False


_NEGATIONS = ("un", "in", "im", "ir", "il", "non", "dis")


def _negated(word: str, other: str) -> bool:
    """Whether `word` is `other` with a negating prefix: "unaccounted" is no slip for "accounted"."""
    return any(word == prefix + other for prefix in _NEGATIONS)


@dataclass(frozen=True)
class Speller:
    known: frozenset[str]  # folded surface words of the documents
    by_length: dict[int, tuple[str, ...]]
    language_words: dict[str, str] = field(default_factory=dict)  # real words (lexicon): never corrected
    # per word length, the candidates of that length +-2, and them by their first SAME_START letters:
    # gathered once per length, not per word (they are most of the cost of a correction)
    _near: dict[int, tuple[list[str], dict[str, list[str]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_words(cls, known: frozenset[str], language_words: dict[str, str] | None = None) -> "Speller":
        by_length: dict[int, list[str]] = {}
        for w in known:
            if w.isalpha() and len(w) >= MIN_LENGTH:
                by_length.setdefault(len(w), []).append(w)
        return cls(known, {n: tuple(sorted(ws)) for n, ws in by_length.items()}, language_words or {})

    def correct(self, word: str) -> str | None:
        """The document word `word` was probably meant as, or None when the documents know it or
        nothing is close. A word of the language is only given another ending ("evidenced" ->
        "evidence", "attendees" -> "attended"): one edit turns "weight" into "eight" and "president"
        into "residents" (two), which are other words, not corrections."""
        if word in self.known or len(word) < MIN_LENGTH or not word.isalpha():
            return None
        if "p" in self.language_words.get(word, ""):
            return None  # a name: "America" is not "American", nor "Austria" "Austrian"
        choices, by_start = self._near_length(len(word))
        if is_word(word, self.language_words):
            choices = by_start.get(word[:SAME_START], [])
        best = process.extractOne(word, choices, scorer=OSA.distance, score_cutoff=max_edits(word))
        if best is None or _negated(word, best[0]):
            return None
        return best[0]

    def _near_length(self, length: int) -> tuple[list[str], dict[str, list[str]]]:
        """The known words of `length` +-2 (shorter first, each length sorted), and those words by
        their first SAME_START letters (in the same order). Filling the cache is idempotent."""
        got = self._near.get(length)
        if got is None:
            choices = [w for n in range(length - 2, length + 3) for w in self.by_length.get(n, ())]
            by_start: dict[str, list[str]] = {}
            for w in choices:
                by_start.setdefault(w[:SAME_START], []).append(w)
            got = self._near[length] = (choices, by_start)
        return got
