"""Phrases that are no number, date or name: for "which <noun>", "what is it called" and "why" questions.

The named phrase that ends in the noun the question asks for ("the Harbour Authority's planning
office" for "which office"), a title in quotation marks or the words after "known as", the clause
after a cause or purpose ("because", "due to", "after", "to"), and, when nothing else fits, a
stretch of words the question does not use.
"""

from __future__ import annotations

import re

from retrieval import question as qa
from retrieval.names import _describes_next
from retrieval.text import Analyzer
from retrieval.tokens import _ARTICLES, _NAME_JOINERS, _RANGE_JOINERS, _Tok, _adjacent, _is_number, _verb_form

_PREPOSITIONS = frozenset("""across along among around behind beyond despite inside near onto outside toward
towards upon within without via per like amid throughout""".split())
_MAX_GENERIC = 7  # tokens in a generic (what/which) answer
# Weights of a generic stretch, set by hand against SQuAD's answer spans like span.py's (see README).
GENERIC_LENGTH = 0.02
AFTER_LAST = 0.6
BETWEEN = 0.1


APPOSED = 0.4  # a name right after the noun the question asks for: "the rock group Coldplay"


def _apposed(toks: list[_Tok], text: str, a: int, b: int, focus: str, analyzer: Analyzer) -> bool:
    """Whether the stretch of tokens a..b is a capitalised name set right after the focus noun, with at
    most a comma and "the" between ("the company, the Halcyra Group")."""
    if not all(toks[i].capital or toks[i].word in _NAME_JOINERS for i in range(a, b + 1)) or _describes_next(toks, text, b):
        return False  # a whole name, not a stretch of words opening with one
    k = a - 1
    if k >= 0 and toks[k].word in ("the", "a", "an") and text[toks[k].end:toks[a].start] == " ":
        k -= 1
    return (k >= 0 and not toks[k].capital and text[toks[k].end:toks[k + 1].start].strip() in ("", ",")
            and _same_noun(toks[k].word, focus, analyzer))  # not "South" of "South Africa" for "what South African ..."


def _focus_word(q: qa.Question, analyzer: Analyzer) -> str | None:
    """The noun right after 'which'/'what' ('which office' -> 'office'), if there is one."""
    ws = list(q.words)
    wh = next((i for i, w in enumerate(ws) if w in ("which", "what")), None)
    if wh is None or wh + 1 >= len(ws) or analyzer.is_stopword(ws[wh + 1]) or ws[wh + 1] in qa.AUXILIARIES:
        return None
    return ws[wh + 1]


def _same_noun(word: str, focus: str, analyzer: Analyzer) -> bool:
    """'offices' and 'office', 'bridgge' and 'bridge'; not 'Organized' and 'organization' (one stem)."""
    return analyzer.stem(word) == analyzer.stem(focus) and (word.startswith(focus[:-1]) or focus.startswith(word[:-1]))


NAMED = 1.6  # a title in quotation marks for "which film", the words after "known as": above other stretches
_NAMING_WORDS = frozenset("call calls called known named name nickname title term word phrase motto".split())
# Works whose titles an article puts in quotation marks ("which film won ...?").
_TITLED_WORKS = frozenset("""film films movie book books novel song songs album play show series poem opera musical
painting documentary""".split())
TITLED_WORKS = _TITLED_WORKS


_NAMING_BEFORE = re.compile(r"(?i)\b(?:call|calls|called|calling|name|names|named|dub|dubs|dubbed|nicknamed|known as)"
                            r"(?:\s+(?:it|them|him|her|this|that))?\s*,?\s*$")


def _quoted(toks: list[_Tok], text: str, q: qa.Question) -> list[tuple[float, int, int]]:
    """Text in quotation marks, for 'what is it called' and 'which film ...' questions, and the
    words after "known as" or "called" ("a pudding known as spotted dick")."""
    if not set(q.words) & (_NAMING_WORDS | _TITLED_WORKS):
        return []
    titled = bool(set(q.words) & _TITLED_WORKS)
    out = []
    for m in re.finditer(r"[\"“]([^\"”]{2,80})[\"”]", text):
        inside = [i for i, t in enumerate(toks) if m.start(1) <= t.start and t.end <= m.end(1)]
        if inside:
            named = titled or _NAMING_BEFORE.search(text, 0, m.start()) is not None  # 'call it "la campanita"'
            out.append((NAMED if named else 1.0, inside[0], inside[-1]))
    for i in range(len(toks) - 1):
        known_as = (toks[i].word, toks[i + 1].word) == ("known", "as")
        if not (known_as or toks[i].word in ("called", "nicknamed")):
            continue
        a = i + 2 if known_as else i + 1
        if a >= len(toks) or toks[a].in_question or (toks[a].stop and toks[a].word not in _ARTICLES):
            continue  # "called for a review" names nothing
        b = a  # up to four words, within the clause
        while b + 1 < len(toks) and b - a < 3 and not toks[b + 1].stop and _adjacent(toks, text, b, b + 1):
            b += 1
        out.append((NAMED, a, b))
    return out


def _speech(toks: list[_Tok], text: str) -> tuple[int, int] | None:
    """[start, end) of the words a sentence quotes someone saying: the longest text in quotation
    marks of three words or more, without its closing comma or full stop; else what it reports
    ("said that ...", "According to X, ..."); None when it does neither."""
    best = None
    for m in re.finditer(r"[\"“]([^\"”]+)[\"”]", text):
        inside = [t for t in toks if m.start(1) <= t.start and t.end <= m.end(1)]
        if len(inside) >= 3 and (best is None or len(inside) > best[0]):
            best = (len(inside), inside[0].start, inside[-1].end)
    if best is not None:
        return best[1], best[2]
    for i, t in enumerate(toks[:-2]):  # reported speech: "said (that) ...", "according to X, ..."
        if t.word in ("said", "says", "told") and toks[i + 1].word == "that":
            return toks[i + 2].start, toks[-1].end
        if (t.word, toks[i + 1].word) == ("according", "to") and i == 0:
            comma = text.find(",", toks[i + 1].end)
            after = [u for u in toks if u.start > comma] if comma >= 0 else []
            if after:
                return after[0].start, after[-1].end
    return None


def _focus_phrase(toks: list[_Tok], q: qa.Question, text: str, analyzer: Analyzer) -> list[tuple[float, int, int]]:
    """'Which office announced ...' -> the named phrase ending in 'office' ("the Harbour Authority's planning office")."""
    focus = _focus_word(q, analyzer)
    if focus is None:
        return []
    out = []
    for i, t in enumerate(toks):
        if not _same_noun(t.word, focus, analyzer):
            continue
        a = i
        while (a > 0 and (not toks[a - 1].stop or toks[a - 1].word == "s"
                          or (toks[a - 1].word == "and" and a > 1 and toks[a - 2].capital and toks[a].capital))
               and not (not toks[a - 1].capital and _verb_form(toks[a - 1].word, analyzer.language))
               and i - a < 6 and text[toks[a - 1].end:toks[a].start].strip() in ("", "'", "’")):
            a -= 1  # "Kent and Essex counties": two names sharing the noun
        named = any(toks[k].capital for k in range(max(a, 1), i))
        if a < i and named and not all(toks[k].in_question or toks[k].stop for k in range(a, i)):
            out.append((1.6, a, i))
    return out


# Words that open a cause, with their score against the sentence's other stretches ("in hospital
# after a fall at home": in news "after" is often the cause, but less surely than "because").
_CAUSES = {"because": 1.2, "due": 1.2, "since": 1.2, "so": 1.2, "after": 1.0}
_PERFECT = frozenset("has have had having ever long".split())
_MAX_REASON = 12  # words after the cause's first, at most
_IN_CLAUSE = ("", "-", "'", "\u2019")  # what may stand between two words of a cause ("low-income", "Michigan's")
# Words whose "to" opens what they say, not a purpose: "expected to", "due to start", "able to".
_TO_COMPLEMENTS = frozenset("""expected expects expect due scheduled planned plans plan set going able unable used likely
unlikely about supposed meant hoped hopes wanted wants intended intends decided agreed refused tried failed began
continued""".split())


_LINKS = frozenset("after since because".split())  # words that link a cause to what it caused


def _reason(toks: list[_Tok], text: str) -> list[tuple[float, int, int]]:
    out = []
    for i, t in enumerate(toks):
        before = toks[i - 1].word if i else ""
        if t.word == "since" and (before in _PERFECT or (i + 1 < len(toks) and _is_number(toks[i + 1]))):
            continue  # "it has since fitted solar panels", "minister since 2022": a time, not a cause
        if t.word == "to" and (before in _TO_COMPLEMENTS
                               or (i + 1 < len(toks) and (toks[i + 1].capital or _is_number(toks[i + 1])))):
            continue  # "expected to draw 38,000 people", "to Harrow Fields": what was expected, where
        if t.word == "due" and before in ("is", "was", "are", "were", "be", "been"):
            continue  # "the gates were due to open": when, not why
        if i + 1 < len(toks) and text[t.end:toks[i + 1].start].strip():
            continue  # "so-called", "to-do": no cause
        if t.word in _CAUSES or (t.word == "to" and i + 1 < len(toks) and not toks[i + 1].stop):
            j = i
            while (j + 1 < len(toks) and text[toks[j].end:toks[j + 1].start].strip() in _IN_CLAUSE
                   and j - i < _MAX_REASON):
                j += 1
            # "because of a hamstring strain" -> "a hamstring strain" (SQuAD's answers never keep
            # "because of" or "due to"), and "because the crew arrived late", "after engineers found
            # cracks" -> the clause: the cause is what happened, not the word that links it (the
            # news sets' answers never keep it; SQuAD's keep "because" about as often as not)
            start = i + 2 if t.word in ("because", "due") and i + 2 <= j and toks[i + 1].word in ("of", "to") else i
            if start == i and t.word in _LINKS and i + 1 <= j:
                start = i + 1
            cut = (j - i == _MAX_REASON and j + 1 < len(toks)
                   and text[toks[j].end:toks[j + 1].start].strip() in _IN_CLAUSE)  # stopped by the limit
            while cut and j > start and (toks[j].stop or toks[j].word in _PREPOSITIONS):
                j -= 1  # cut at the length limit: "... of the main stage and" ends before "and"
            out.append((_CAUSES.get(t.word, 0.8), start, j))
    return out


def _generic(toks: list[_Tok], text: str, anchors: list[int]) -> list[tuple[float, int, int]]:
    """Stretches of words the question does not use, within one clause, trimmed of small words."""
    out = []
    i = 0
    while i < len(toks):
        if toks[i].in_question:
            i += 1
            continue
        j = i
        while (j + 1 < len(toks) and not toks[j + 1].in_question
               and text[toks[j].end:toks[j + 1].start].strip() in ("", "-", "'", "’")):
            j += 1
        a, b = i, j
        while a <= b and (toks[a].stop or toks[a].word in _PREPOSITIONS):
            a += 1
        while b >= a and (toks[b].stop or toks[b].word in _PREPOSITIONS):
            b -= 1
        if a <= b:
            if b > a + _MAX_GENERIC - 1:  # too long: cut, but not inside "1998 and 2004"
                cut = a + _MAX_GENERIC - 1
                if (cut + 2 <= b and toks[cut].word[0].isdigit() and toks[cut + 1].word in _RANGE_JOINERS
                        and toks[cut + 2].word[0].isdigit()):
                    cut += 2
                b = cut
            while b > a and (toks[b].stop or toks[b].word in _PREPOSITIONS):
                b -= 1
            after_last = bool(anchors) and i - 1 == max(anchors)
            between = i - 1 in anchors and j + 1 in anchors
            out.append((0.5 - GENERIC_LENGTH * (b - a) + (AFTER_LAST if after_last else 0.0)
                        + (BETWEEN if between else 0.0), a, b))
        i = j + 1
    return out
