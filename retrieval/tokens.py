"""The quoted sentence as tokens, and the small word lists and tests the short-answer rules share.

A token keeps its folded word, its place in the sentence (so an answer is always text[start:end]),
whether the question uses it and whether it is written with a capital. The rules that find numbers,
dates, names and phrases (amounts.py, dates.py, names.py, phrases.py) all read these tokens; span.py
chooses among what they find.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from retrieval import question as qa
from retrieval.spelling import lexicon
from retrieval.text import Analyzer, stopwords, words_and_spans

# Small words that may sit inside a name ("Bank of England", "Leonardo da Vinci").
_NAME_JOINERS = frozenset("of de da del della der van von la le du y and for the".split())
# Words that separate a count or date from its neighbour in a range ("one or two", "1998 and 2004").
_RANGE_JOINERS = frozenset("or and to - through".split())
# Titles written before a name, with or without a full stop ("Dr. Ann Lee", "Prof Ian Roe").
_TITLES = frozenset("mr mrs ms dr prof sir dame lord lady st gen col lt capt sgt maj adm gov sen rep rev fr cllr".split())
_CURRENCY = "£$€¥₹"
_ARTICLES = frozenset("the a an".split())
# Forms of "be" and its like that tie a name to what follows: "Hale was 58" (an age), "The Ruhr
# is a clean river" (a noun named by the subject).
_COPULAS = frozenset("is are was were be been being became become becomes remains remained".split())


class _Tok(NamedTuple):  # a tuple: made for every word of every sentence read, three times faster than a frozen dataclass
    word: str  # folded
    start: int
    end: int
    in_question: bool
    stop: bool
    capital: bool
    year: bool = False  # "1998", not "1,150" (which words() reads as 1150)


def _tokens(text: str, q: qa.Question, analyzer: Analyzer) -> list[_Tok]:
    q_terms = set(q.terms)
    q_words = set(q.words)
    stops = stopwords(analyzer.language)
    named = q.acronyms  # "Lusarnian Reform Movement (LRM)": the LRM is the question's own name
    stem, is_year = analyzer.stem, qa.is_year
    out = []
    for w, (a, b) in zip(*words_and_spans(text)):  # the cached tuples, not copies
        stop = w in stops
        inq = (not stop and (stem(w) in q_terms or w in q_words)) or w in named
        year = w[0] in "12" and is_year(w) and "," not in text[a:b]  # a year starts with 1 or 2
        out.append(_Tok(w, a, b, inq, stop, text[a].isupper(), year))
    for first, last in _spelled_acronyms(out, q):
        for i in range(first, last + 1):
            out[i] = out[i]._replace(in_question=True)
    return out


def _acronyms(q: qa.Question) -> list[str]:
    """The words the question writes in capitals ("NCC", "NTB")."""
    return re.findall(r"\b[A-Z]{2,8}\b", q.text)


def _spelled_acronyms(toks: list[_Tok], q: qa.Question) -> list[tuple[int, int]]:
    """The names the sentence spells out for an acronym of the question: 'Which companies did the
    NCC stop?' names the 'National Competition Commission' itself, which is no answer."""
    wanted = {a.lower() for a in _acronyms(q)}
    out: list[tuple[int, int]] = []
    if not wanted:
        return out
    for i, t in enumerate(toks):
        if not t.capital or t.word in _NAME_JOINERS or (i and toks[i - 1].capital):
            continue
        initials = ""
        for j in range(i, min(len(toks), i + 12)):
            if toks[j].capital and toks[j].word not in _NAME_JOINERS:
                initials += toks[j].word[0]
            elif toks[j].word not in _NAME_JOINERS:
                break
            if initials in wanted and toks[j].capital:
                out.append((i, j))
                break
    return out


def _start_char(text: str, tok: _Tok) -> int:
    """Keep a currency sign written before a number ("£46,300", not "46,300")."""
    start = tok.start
    if tok.word[:1].isdigit() and start > 0 and text[start - 1] in _CURRENCY:
        start -= 1
    return start


def _end_char(text: str, tok: _Tok) -> int:
    """Keep a percent sign or closing bracket that belongs to the last word."""
    end = tok.end
    if end < len(text) and text[end] == "%":
        end += 1
    return end


def _runs(toks: list[_Tok], keep, joiners: frozenset[str], text: str, gaps: tuple[str, ...] = ("",),
          titled: bool = False) -> list[tuple[int, int]]:
    """Maximal stretches of kept tokens, joined by small words, never across punctuation (but for
    the full stop after a title or an initial when `titled`: "Dr. Ann Lee", "J. F. D. Shrewsbury")."""
    def joined(a: int, b: int) -> bool:
        gap = text[toks[a].end:toks[b].start].strip()
        return gap in gaps or (titled and gap == "." and (toks[a].word in _TITLES or _initial(toks[a], text)))

    runs, i = [], 0
    while i < len(toks):
        if not keep(i):
            i += 1
            continue
        j = i
        while j + 1 < len(toks):
            if keep(j + 1) and joined(j, j + 1):
                j += 1
            elif (toks[j + 1].word in joiners and j + 2 < len(toks) and keep(j + 2)
                  and joined(j, j + 1) and joined(j + 1, j + 2)):
                j += 2
            else:
                break
        runs.append((i, j))
        i = j + 1
    return runs


def _initial(tok: _Tok, text: str) -> bool:
    """A capital letter standing for a name: the 'E' of 'Richard E. Grant'."""
    return tok.end - tok.start == 1 and text[tok.start].isupper()


def _is_number(t: _Tok) -> bool:
    return (t.word[0].isdigit() and not t.year) or t.word in qa.NUMBER_WORDS


def _adjacent(toks: list[_Tok], text: str, first: int, last: int) -> bool:
    """Whether tokens first..last follow one another with nothing but spaces between them."""
    return all(not text[toks[k].end:toks[k + 1].start].strip() for k in range(first, last))


_VERB_ENDINGS = (("s", ""), ("es", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))


def _verb_form(word: str, language: str) -> bool:
    """Whether a lower-case word is only a verb ("describes", "wrote"), not also a noun or an
    adjective ("planning", "main"): a name phrase does not run back across it."""
    known = lexicon(language)
    pos = known.get(word)
    if pos is not None:
        return "v" in pos and not set(pos) & {"n", "a"}
    for ending, lemma in _VERB_ENDINGS:
        base = known.get(word[:-len(ending)] + lemma, "") if word.endswith(ending) else ""
        if "v" in base and not (ending in ("s", "es") and "n" in base):  # "punts" may be a plural noun
            return True
    return False
