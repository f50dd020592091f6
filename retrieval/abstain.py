"""Deciding "not in the documents": does the best candidate support the question?

Signals, each normalised so that no cut-off depends on one document's scores:
- the share of the question's key-term idf weight found in the candidate's passage or its
  document's title, as itself or as a word with its first five letters ("Canada" in
  "Canadian"; the engine adds those), a key term absent from every document weighing like the
  rarest word they hold, with a higher bar when some key term occurs in no document at all (1.4% of SQuAD
  questions, most close unanswerables);
- a specific number, year, month or weekday of the question missing from that context, or a
  capitalised name of the question ("... to Peru?") that no document mentions;
- a "how many" question whose candidate holds no number at all.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Sequence

from retrieval import question as qa
from retrieval.text import Analyzer, word_spans, words

MIN_SUPPORT = 0.3  # calibrated: seed unanswerables mostly fall below, 3% of SQuAD (all answerable) does
MIN_SUPPORT_UNKNOWN = 0.6  # the bar when a key word of the question occurs in no document at all
LIGHT_WORDS = qa.LIGHT_WORDS
# The particle of a phrasal verb is part of the verb, not a topic: "go after", "give away", "get back"
# ("what happened after the flood" keeps its "after").
PARTICLES = frozenset("after away back around ahead along apart aside forward".split())
# In a "how much" question, the words that ask for an amount of money, as "many" asks for a count.
MONEY_KIND = frozenset("money worth".split())
# The verb "face" only says that something awaits its subject ("could he face prison?", "what
# charges does he face?"): the topic is its object, which the documents may word otherwise ("a
# jail term"). The noun ("her face", "the face of the cliff") is a topic.
SUPPORT_VERBS = frozenset("face faces faced facing".split())
PHRASAL_VERBS = frozenset("""go goes going gone went get gets getting got gotten give gives giving gave given take takes
taking took taken come comes coming came put puts putting look looks looking looked""".split())


@dataclass(frozen=True)
class Support:
    share: float  # key-term weight matched in the context, 0..1
    missing: tuple[str, ...]  # specific words of the question absent from the context
    unknown: int = 0  # key terms that occur in no document

    @property
    def enough(self) -> bool:
        needed = MIN_SUPPORT_UNKNOWN if self.unknown else MIN_SUPPORT
        return self.share >= needed and not self.missing


# answer-kind nouns that may be a topic (a time, place or organisation), and the words never a key term
_TOPIC_NOUNS = qa.TYPE_NOUNS & (qa.DATE_NOUNS | qa.PLACE_NOUNS | qa.ORG_NOUNS)
_NEVER_KEY = LIGHT_WORDS | qa.DOC_NOUNS | (qa.TYPE_NOUNS - _TOPIC_NOUNS)


def key_terms(q: qa.Question, analyzer: Analyzer) -> list[str]:
    """The question's topic terms (stems), without stopwords and light verbs."""
    # answer-kind nouns are not topic words, but a time noun outside the wh-phrase restricts the
    # question ("how many ships sank this week?") as much as a date does
    asked = qa.asked_nouns(q)
    # a place or organisation noun outside the wh-phrase is what the question is about ("How high did
    # the river get?"), as a time noun is
    asked_topic = _TOPIC_NOUNS & asked
    skip = _NEVER_KEY | asked_topic if asked_topic else _NEVER_KEY  # (the set is copied only when it grows)
    if qa.how_word(q) == "much":
        skip |= MONEY_KIND  # "How much is the painting worth?": an amount of money is asked for, "valued at £650,000"
    ws = q.words

    def kept(skip: frozenset[str]) -> list[str]:
        return list(dict.fromkeys(analyzer.stem(w) for i, w in enumerate(ws)
                                  if not analyzer.is_stopword(w) and w not in skip
                                  and not (w in PARTICLES and i and ws[i - 1] in PHRASAL_VERBS)
                                  and not (w in SUPPORT_VERBS and not (i and ws[i - 1] in qa.DETERMINERS))))

    # "What did the mayor say?": when answer-kind nouns are all the question has, those outside
    # the wh-phrase are its topic ("which mayor ...?" asks for one; "the mayor" is whom it is about),
    # and failing those, the ones inside it ("Who is the mayor?")
    return kept(skip) or kept(skip - (qa.TYPE_NOUNS - asked)) or kept(skip - qa.TYPE_NOUNS)


def name_terms(q: qa.Question, analyzer: Analyzer, surface: bool = False) -> list[str]:
    """Stems (or, with `surface`, the folded words) of the capitalised words inside the question
    ('... exported to Peru?'): the things it is about. A lone letter is none ("A&E" is no name "E").
    (Asked several times a question: the answer is kept for the last few questions.)"""
    key = (q.text, analyzer.language, surface)
    got = _NAME_TERMS.get(key)
    if got is None:
        if len(_NAME_TERMS) > 256:
            _NAME_TERMS.clear()
        got = _NAME_TERMS[key] = _name_terms(q.text, analyzer, surface)
    return list(got)


_NAME_TERMS: dict[tuple[str, str, bool], tuple[str, ...]] = {}  # shared by threads: a lost entry is recomputed


def _name_terms(text: str, analyzer: Analyzer, surface: bool) -> tuple[str, ...]:
    raw = re.findall(r"[^\W\d_][\w'’.-]*", text)
    if sum(1 for w in raw if w[:1].isupper()) >= max(3, len(raw) - 1):
        return ()  # shouted or title-cased: capitals say nothing
    out = []
    for w in raw[1:]:
        if w[:1].isupper():
            folded = words(w)
            if (folded and len(folded[0]) > 1 and not analyzer.is_stopword(folded[0]) and not folded[0].endswith(".")
                    and folded[0] not in qa.MONTHS and folded[0] not in qa.WEEKDAYS):  # dates are checked as dates
                out.append(folded[0] if surface else analyzer.stem(folded[0]))
    return tuple(dict.fromkeys(out))


def spelled_out(q: qa.Question, context_terms: set[str], analyzer: Analyzer) -> set[str]:
    """Stems of the question's names whose acronym the context holds: "United States" is matched by
    a passage that writes "U.S."."""
    return {analyzer.stem(w) for a, name in q.acronyms.items() if a in context_terms
            for w in name if not analyzer.is_stopword(w)}


def specific_numbers(q: qa.Question) -> list[str]:
    """Numbers and years the question writes in digits, except those inside a name ("Super Bowl 50"),
    ordinals and decades ("4th", "the 1600s", "the 80's": the text may spell them "fourth", "1650").
    Number words ("what two rivers ...") say how many answers are wanted, not which."""
    out = []
    raw = word_spans(q.text)
    for k, (w, (a, b)) in enumerate(zip(words(q.text), raw)):
        value = qa.number_value(w)
        if value is None or value not in q.numbers or not w[0].isdigit():
            continue
        if k > 1 and q.text[raw[k - 1][0]].isupper() and q.text[raw[k - 1][1]:a].strip() in ("", "-", "."):
            continue
        if q.text[b:b + 1].isalpha() or q.text[b:b + 2] in ("'s", "’s"):
            continue
        out.append(value)
    return list(dict.fromkeys(out))


def _day_or_month(word: str) -> str:
    """'sept', 'sep' and 'september' are one month; 'tue' and 'tuesday' one day."""
    return word[:3] if word in qa.MONTHS or word in qa.WEEKDAYS else word


def weight(df: int | None, n_docs: int) -> float:
    """A key term's idf weight; a word no document has (df None or 0) weighs like the rarest word they have."""
    d = max(df or 1, 1)
    return math.log1p((n_docs - d + 0.5) / (d + 0.5))


def support(q: qa.Question, key: list[str], context_terms: set[str], context_text: str,
            df: dict[str, int], n_docs: int, names: Sequence[str] = ()) -> Support:
    """`df` holds the document frequency of every key term and name the index knows."""
    def idf(t: str) -> float:
        return weight(df.get(t), n_docs)

    # "did NOT win": a capitalised small word the documents know only as a word, not as an acronym
    key = [t[:-1] if t.endswith(".") and t not in df and t[:-1] in df else t for t in key]
    total = sum(idf(t) for t in key)
    found = sum(idf(t) for t in key if t in context_terms)
    share = found / total if total > 0 else 0.0
    absent_names = tuple(t for t in names if t not in df and t not in context_terms)  # no document mentions it
    unknown = sum(1 for t in key if t not in df)
    dated = q.dates
    numbers = specific_numbers(q) if q.numbers else []
    if not numbers and not dated:
        return Support(share, absent_names, unknown)
    ctx_words = set(words(context_text))
    ctx_numbers = {qa.number_value(w) for w in ctx_words} - {None}
    ctx_dates = {_day_or_month(w) for w in ctx_words}
    missing = [n for n in numbers if n not in ctx_numbers] + [w for w in dated if _day_or_month(w) not in ctx_dates]
    return Support(share, tuple(missing) + absent_names, unknown)
