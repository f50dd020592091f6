"""Normalising text for matching only, never for display: folding, tokens, stems, stopwords."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import Stemmer

# Bump when tokenising, folding or stopwords change: saved indexes built with another version are rebuilt.
ANALYZER_VERSION = 3

# Curly quotes, primes and dashes that should match their plain forms.
_FOLD_TABLE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})
# Dotted acronyms (U.S., a.m.) are kept whole; numbers keep their inner separators (1,000 / 3.5).
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|\d+(?:[.,:]\d+)*|[^\W_]+")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+")


def fold(text: str) -> str:
    """Lower case, accents stripped, curly quotes straightened: Méndez and MENDEZ both become mendez."""
    if text.isascii():
        return text.lower()
    text = text.translate(_FOLD_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """Folded surface words, in order. Acronyms become one word with a trailing dot, so 'U.S.',
    'US' (in mixed-case text) and 'u.s.' all match each other and never the pronoun 'us'."""
    return list(_words_and_spans(text)[0])


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words `words` returns, in the original (unfolded) text."""
    return list(_words_and_spans(text)[1])


def words_and_spans(text: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """`words` and `word_spans` together, as the cached tuples themselves: for loops that only read them."""
    return _words_and_spans(text)


@lru_cache(maxsize=1 << 10)
def _words_and_spans(text: str) -> tuple[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """`words` and `word_spans` from one pass, kept for the last few texts: a question's words and
    its best sentences' are read by several steps of one answer (about half the calls over SQuAD)."""
    caps_are_acronyms = not _mostly_upper(text)
    out, spans = [], []
    text = text.translate(_FOLD_TABLE)
    plain = text.isascii()  # then every word folds by lower() alone: checked once, not per word
    for m in _TOKEN.finditer(text):
        raw = m.group()
        w = raw.lower() if plain else fold(raw)
        if "." in w and not w[0].isdigit():
            w = w.replace(".", "") + "."
        elif w[0].isdigit():
            if _THOUSANDS.fullmatch(w):
                w = w.replace(",", "")
        elif caps_are_acronyms and 2 <= len(raw) <= 3 and raw.isupper():
            w += "."
        out.append(w)
        spans.append(m.span())
    return tuple(out), tuple(spans)


@lru_cache(maxsize=None)
def stopwords(language: str) -> frozenset[str]:
    try:
        data = resources.files("retrieval.data").joinpath(f"stopwords_{language}.txt").read_text("utf-8")
    except FileNotFoundError:
        return frozenset()
    lines = (line for line in data.splitlines() if not line.startswith("#"))
    return frozenset(fold(w) for line in lines for w in line.split())


@lru_cache(maxsize=None)
def irregular_forms(language: str) -> dict[str, str]:
    """Irregular verb forms -> base form ('won' -> 'win'), from retrieval/data/irregular_<language>.txt."""
    try:
        data = resources.files("retrieval.data").joinpath(f"irregular_{language}.txt").read_text("utf-8")
    except FileNotFoundError:
        return {}
    pairs = (line.split() for line in data.splitlines() if line.strip() and not line.startswith("#"))
    return {p[0]: p[1] for p in pairs if len(p) == 2}


def supported_languages() -> list[str]:
    return sorted(Stemmer.algorithms())


@dataclass
class Analyzer:
    """Turns text into index terms: folded words, stopwords dropped, Snowball stems.

    Stems each distinct word once (a cache), so indexing cost follows the vocabulary, not the text.
    """

    language: str = "english"
    _stemmer: Stemmer.Stemmer = field(init=False, repr=False)
    _stops: frozenset[str] = field(init=False, repr=False)
    _irregular: dict[str, str] = field(init=False, repr=False)
    _cache: dict[str, str] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.language not in Stemmer.algorithms():
            raise ValueError(
                f"unknown language {self.language!r}; choose one of: {', '.join(supported_languages())}"
            )
        self._stemmer = Stemmer.Stemmer(self.language)
        self._stops = stopwords(self.language)
        self._irregular = irregular_forms(self.language)

    def stem(self, word: str) -> str:
        stem = self._cache.get(word)
        if stem is None:
            base = self._irregular.get(word, word)
            stem = word if (word[0].isdigit() or word.endswith(".")) else self._stemmer.stemWord(base)
            self._cache[word] = stem
        return stem

    def is_stopword(self, word: str) -> bool:
        return word in self._stops

    def terms(self, text: str) -> list[str]:
        """Index terms of `text`, in order (stopwords removed)."""
        return [self.stem(w) for w in words(text) if w not in self._stops]


_LOWER = bytes(range(ord("a"), ord("z") + 1))
_UPPER = bytes(range(ord("A"), ord("Z") + 1))


def _mostly_upper(text: str) -> bool:
    """An all-caps question ('HOW MANY WERE SENT') is read as ordinary case."""
    if text.isascii():  # letters are a-z and A-Z: counted by deleting them, in C
        raw = text.encode()
        lower, upper = len(raw) - len(raw.translate(None, _LOWER)), len(raw) - len(raw.translate(None, _UPPER))
        return lower + upper >= 8 and upper > 0.8 * (lower + upper)
    n_letters = sum(map(str.isalpha, text))
    if n_letters < 8 or sum(map(str.isupper, text)) <= 0.8 * n_letters:
        return False  # (counted in C; upper-case non-letters are rare enough to check exactly below)
    return sum(1 for c in text if c.isalpha() and c.isupper()) > 0.8 * n_letters
