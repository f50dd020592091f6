"""Synonyms for the abstention check, from WordNet 3.0 (retrieval/data/synonyms_<language>.txt.gz,
built by benchmarks/build_synonyms.py; WordNet's licence is retrieval/data/WORDNET_LICENSE.txt).

A key word of the question that the candidate's passage lacks counts as matched when the passage
holds every term of one of its synonyms: "How many automobiles cross it?" is supported by a
passage about "cars". The table also holds the forms WordNet derives a word from or into, which
the stemmer keeps apart: "What did he admit?" is supported by "an admission". The check that
decides silence reads them, and so do the learned ranker (one-word synonyms of the question's
indexed terms: its synonym_coverage feature) and the re-ordering of the best few sentences
(Engine._synonym_bonus, every synonym of every key word). Turned around, the table's two-word
synonyms let two consecutive key words be matched by one word ("armed forces" by "military").
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources
from typing import Iterable


@lru_cache(maxsize=None)
def table(language: str) -> dict[str, str]:
    """{term: its synonyms as written in the file ("capit punish|death penalti|perform")}, split only
    when asked (about 6 MB this way, 50 MB as tuples); empty for a language without a file."""
    try:
        raw = resources.files("retrieval.data").joinpath(f"synonyms_{language}.txt.gz").read_bytes()
    except FileNotFoundError:
        return {}
    return dict(line.split("\t", 1) for line in gzip.decompress(raw).decode("utf-8").splitlines())


@lru_cache(maxsize=1 << 16)
def of(term: str, language: str) -> tuple[tuple[str, ...], ...]:
    """The synonyms of one term, each as its terms in order (split once per term: the ranking asks
    for the same question terms many times)."""
    known = table(language)
    # an acronym's index term is dotted ("US" is "us."), WordNet's lemma is not
    line = known.get(term) or (known.get(term[:-1], "") if term.endswith(".") else "")
    return tuple(tuple(s.split()) for s in line.split("|") if s and s != term)


@lru_cache(maxsize=None)
def phrases(language: str) -> dict[str, tuple[str, ...]]:
    """{two-term phrase: the one-term words it is a synonym of}: the table's two-word synonyms turned
    around ("arm forc" -> "militari", since WordNet's "military" is also "armed forces")."""
    out: dict[str, list[str]] = {}
    for term, line in table(language).items():
        for s in line.split("|"):
            if s.count(" ") == 1:
                out.setdefault(s, []).append(term)
    return {p: tuple(ts) for p, ts in out.items()}


def matched(terms: Iterable[str], context: set[str], language: str) -> set[str]:
    """The terms, of those the context lacks, that one of their synonyms stands for in it; and the
    two terms of a phrase of the question ("armed forces") that one word stands for ("military")."""
    terms = list(terms)
    found = {t for t in terms if t not in context and any(all(w in context for w in s) for s in of(t, language))}
    known = phrases(language)
    for a, b in zip(terms, terms[1:]):
        if not (a in context and b in context) and any(w in context for w in known.get(f"{a} {b}", ())):
            found |= {a, b} - context
    return found
