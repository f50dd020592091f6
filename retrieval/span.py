"""The short answer: a span copied verbatim from the quoted sentence, or None when nothing fits.

Candidates depend on the answer type (a number for "how many", date words for "when", a run of
capitalised words for "who"/"where"/"which organisation", the appositive after a name for "who is X",
the clause after a cue for "why"); the one nearest the words the question shares with the sentence
wins. Nothing is ever generated: the answer is text[start:end] of the sentence.

The candidates come from amounts.py, dates.py, names.py and phrases.py; this module picks one, and
itself answers the questions a phrase of the sentence answers whole (yes/no, "X or Y", "What is the
NTB?", "Who is X?").
"""

from __future__ import annotations

import re
from functools import lru_cache

from retrieval import question as qa
from retrieval.amounts import _age, _counts, tally
from retrieval.dates import _dates, _years_of
from retrieval.names import _capitalised, _located, _names, _roles
from retrieval.phrases import (APPOSED, TITLED_WORKS, _apposed, _focus_phrase, _focus_word, _generic, _quoted, _reason,
                              _speech)
from retrieval.text import Analyzer, words
from retrieval.tokens import _NAME_JOINERS, _Tok, _acronyms, _end_char, _start_char, _tokens, _verb_form

# Words that qualify what a yes/no question asks about ("not common", "very rare").
_DEGREE = frozenset("not never no very more less most least too quite fairly rather hardly barely".split())
# Scoring weights, set by hand against SQuAD's answer spans (see README): distance to the question's words
# costs DISTANCE per token, a little more when the answer would come before them.
DISTANCE = 0.15
BEFORE = 0.5
PERSON_BEFORE = -0.3  # a "who" answer is usually the subject, before the question's verb
FOCUS_NAME = 0.2  # names as answers to "which <noun>" questions, against the generic stretch


def answer_span(text: str, q: qa.Question, analyzer: Analyzer) -> tuple[int, int] | None:
    """[start, end) of the short answer inside `text`, or None."""
    toks = _tokens(text, q, analyzer)
    if not toks:
        return None
    anchors = [i for i, t in enumerate(toks) if t.in_question]
    spans: list[tuple[float, int, int]] = []  # (score, first token, last token)
    t = q.answer_type
    alternative = _alternative(toks, q)
    if alternative is not None:
        return toks[alternative].start, toks[alternative].end
    if t == qa.YES_NO:
        return _qualified(toks, q, analyzer)
    if qa.asks_what_said(q):  # the quotation, or no short answer: the quoted sentence is what was said
        return _speech(toks, text)
    counted = tally(text, q)
    if counted is not None:
        return counted
    expansion = _expansion(text, toks, q)
    if expansion is not None:
        return expansion
    appositive = _appositive(text, toks, q, analyzer.language)
    if appositive is not None:
        return appositive
    work = _work_title(toks, text, q)
    if work is not None:  # "Which film won ...?": the title in quotation marks
        return toks[work[0]].start, toks[work[1]].end
    title = _title(toks, q, text)
    if title is not None:
        return toks[title[0]].start, toks[title[1]].end
    if qa.asks_for_age(q):
        age = _age(toks, text)
        if age and _several(q):  # "How old are the two men?": "34 and 52"
            more = re.match(r"(?:,\s*\d{1,3})*,?\s+and\s+\d{1,3}\b", text[age[1]:])
            age = (age[0], age[1] + more.end()) if more else age
        return age
    if t == qa.COUNT:
        spans = _counts(toks, text, q, analyzer)
    elif t == qa.DATE:
        spans = _dates(toks, text)
        if qa.asks_for_year(q):  # "in what year": a weekday or a month alone is no answer; of a date, the year is
            spans = [(s, *_years_of(toks, text, a, b)) for s, a, b in spans if any(toks[i].year for i in range(a, b + 1))]
            if not spans:
                return None
    elif t in (qa.PERSON, qa.ORGANISATION, qa.PLACE):
        roles = _roles(toks, q) if t == qa.PERSON else set()
        anchors = sorted(set(anchors) | roles)  # "its leader, X": the role stands for the question's verb
        spans = _focus_phrase(toks, q, text, analyzer) + _names(toks, text, anchors, t, roles, analyzer.language, q)
        if t == qa.PLACE:
            spans = _located(toks, text, spans)
    elif t == qa.REASON:
        spans = _reason(toks, text)
    if not spans and t not in (qa.YES_NO, qa.COUNT):
        spans = _focus_phrase(toks, q, text, analyzer) + _generic(toks, text, anchors) + _quoted(toks, text, q)
        if _focus_word(q, analyzer) is not None:  # "which phylum ...": often a name
            spans += [(s + FOCUS_NAME, a, b) for s, a, b in _names(toks, text, anchors, t, language=analyzer.language, question=q)]
    spans = [s for s in spans if not all(toks[i].in_question or toks[i].stop for i in range(s[1], s[2] + 1))]
    focus = _focus_word(q, analyzer)
    if focus is not None:  # "Which group ...?": "the group Harlan Riders", "a small company, Fennick"
        spans = [(s + APPOSED if _apposed(toks, text, a, b, focus, analyzer) else s, a, b) for s, a, b in spans]
    if t == qa.PERSON:  # "who": someone, never "sacked him seven times" nor "charged an average"
        spans = [s for s in spans if toks[s[1]].capital or not _verb_form(toks[s[1]].word, analyzer.language)]
    else:  # a lone verb ("serves", "becomes") answers nothing
        spans = [s for s in spans if s[1] < s[2] or toks[s[1]].capital or not _verb_form(toks[s[1]].word, analyzer.language)]
    if not spans:
        return None
    best = max(spans, key=lambda s: (s[0] - _distance(s[1], s[2], anchors, t), -s[1]))
    a, b = best[1], best[2]
    wanted = _items_wanted(q)
    if wanted > 1 and toks[a].capital and t != qa.COUNT:
        a, b = _whole_list(toks, text, a, b, wanted)
    return _start_char(text, toks[a]), _end_char(text, toks[b])


def _work_title(toks: list[_Tok], text: str, q: qa.Question) -> tuple[int, int] | None:
    """'Which film won the Golden Heron?': the first title in quotation marks that opens with a capital
    and is not the question's own, when what is asked for is a film, book, song ... (an article puts
    its title in quotation marks: "“The Salt Orchard”, a slow-burning drama, won ..."); else None."""
    if not qa.asked_nouns(q) & TITLED_WORKS:
        return None
    for _, a, b in _quoted(toks, text, q):
        if toks[a].capital and text[toks[a].start - 1:toks[a].start] in ('"', "“") \
                and not all(toks[i].in_question or toks[i].stop for i in range(a, b + 1)):
            return a, b
    return None


MANY = 10  # names in a list an answer may run to when the question asks for a plural


def _items_wanted(q: qa.Question) -> int:
    """How many answers 'Which three branches ...?' or 'What two rivers ...?' asks for; MANY for
    'Which countries ...?' (a plural, no number); 1 otherwise."""
    ws = q.words
    for k, w in enumerate(ws[:-1]):
        if w in ("which", "what", "name") and ws[k + 1] in qa.NUMBER_WORDS:
            return qa.NUMBER_WORDS[ws[k + 1]] if 2 <= qa.NUMBER_WORDS[ws[k + 1]] <= 10 else 1
    if ws and ws[0] in ("which", "what") and any(_plural(n) for n in qa.asked_nouns(q)):
        return MANY
    return 1


def _plural(word: str) -> bool:
    """'countries', 'members'; not 'press', 'status', 'analysis' nor 'news'."""
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "news", "ics"))


def _several(q: qa.Question) -> bool:
    """'How old are the two men ...?', 'How old were they?': more than one answer is wanted."""
    ws = set(q.words)
    return bool(ws & {"are", "were", "they", "both"}) or any(
        qa.NUMBER_WORDS.get(w, 0) >= 2 and k + 1 < len(q.words) and q.words[k + 1].endswith("s")
        for k, w in enumerate(q.words))


def _list_link(toks: list[_Tok], text: str, i: int) -> int | None:
    """The token after `i` that opens the next name of a list ("A, B and C", "A, and B"), or None."""
    j = i + 1
    if j >= len(toks):
        return None
    gap = text[toks[i].end:toks[j].start].strip()
    if gap == "," and toks[j].word in ("and", "or"):
        j += 1
    elif gap == "" and toks[j].word in ("and", "or"):
        j += 1
    elif gap != ",":
        return None
    if j + 1 < len(toks) and toks[j].word == "the" and toks[j + 1].capital:
        j += 1  # "France, Italy, the Netherlands"
    return j if j < len(toks) and toks[j].capital and not toks[j].in_question else None


def _whole_list(toks: list[_Tok], text: str, a: int, b: int, wanted: int) -> tuple[int, int]:
    """The span of names [a, b] widened to the list it belongs to, at most `wanted` names:
    "Quarrendon Road" -> "Quarrendon Road, Lydgate Park and Elmbury Green" for "which three"."""
    def name_end(j: int) -> int:
        while j + 1 < len(toks) and toks[j + 1].capital and text[toks[j].end:toks[j + 1].start] == " ":
            j += 1
        return j

    starts = [a]  # the names of the list before the one found, nearest first
    while len(starts) < wanted:
        k = next((k for k in range(starts[-1] - 1, max(starts[-1] - 6, -1), -1)
                  if toks[k].capital and (k == 0 or not toks[k - 1].capital)), None)
        if k is None or k == 0 or _list_link(toks, text, name_end(k)) != starts[-1]:
            break
        starts.append(k)
    first, items, end = starts[-1], len(starts), b
    while items < wanted:
        j = _list_link(toks, text, end)
        if j is None:
            break
        end, items = name_end(j), items + 1
    return (first, end) if items > 1 else (a, b)


def _distance(first: int, last: int, anchors: list[int], answer_type: str) -> float:
    if not anchors:
        return 0.0
    gaps = []
    for a in anchors:
        if a < first:
            gaps.append(first - a)
        elif a > last:
            gaps.append(a - last + (BEFORE if answer_type != qa.PERSON else PERSON_BEFORE))
    return DISTANCE * min(gaps) if gaps else 1.0


def _qualified(toks: list[_Tok], q: qa.Question, analyzer: Analyzer) -> tuple[int, int] | None:
    """'Are floods common?' against '... have become relatively common': a word of the question
    as the sentence qualifies it ("relatively common", "not open"); None when it stands bare."""
    asked = {analyzer.stem(w) for w in q.words if not analyzer.is_stopword(w)}
    for i in range(1, len(toks)):
        before = toks[i - 1]
        adverb = before.word.endswith("ly") and len(before.word) > 4 and not before.capital
        if (before.word in _DEGREE or adverb) and not before.in_question and analyzer.stem(toks[i].word) in asked:
            return before.start, toks[i].end
    return None


def _alternative(toks: list[_Tok], q: qa.Question) -> int | None:
    """'Is it the first or the second?': the option the sentence holds."""
    ws = list(q.words)
    if "or" not in ws:
        return None
    i = ws.index("or")
    left = next((w for w in reversed(ws[:i]) if w not in ("the", "a", "an")), None)
    right = next((w for w in ws[i + 1:] if w not in ("the", "a", "an")), None)
    options = [w for w in (left, right) if w]
    present = {w for w in options if any(t.word == w for t in toks)}
    if len(present) != 1:
        return None
    word = present.pop()
    return next(k for k, t in enumerate(toks) if t.word == word)


def _expansion(text: str, toks: list[_Tok], q: qa.Question) -> tuple[int, int] | None:
    """'What is the NTB?': the name the sentence spells out before "(NTB)"."""
    ws = q.words
    if len(ws) > 4 or ws[:1] != ("what",) or ws[1:2] not in (("is",), ("are",), ("was",), ("were",)):
        return None
    for acronym in _acronyms(q):
        at = text.find(f"({acronym})")
        if at < 0:
            continue
        b = max((i for i, t in enumerate(toks) if t.end <= at), default=None)
        if b is None or text[toks[b].end:at].strip() or not toks[b].capital:
            continue
        a = b  # back over the capitalised words and the small words inside the name
        while a > 0 and (toks[a - 1].capital or toks[a - 1].word in _NAME_JOINERS - {"the"}) and \
                text[toks[a - 1].end:toks[a].start].strip() in ("", "-", "–"):
            a -= 1
        while toks[a].word in _NAME_JOINERS or (a == 0 and toks[a].stop):
            a += 1  # a leading "of" or the sentence's opening "The"
        if a < b:
            return toks[a].start, toks[b].end
    return None


@lru_cache(maxsize=256)
def _described_name(q: qa.Question) -> tuple[str, ...] | None:
    """The folded name of 'Who is X?' / 'What does X do (for a living)?'; None for other questions
    (kept for the last few questions: the ranking asks it of each of the best few sentences)."""
    if q.answer_type not in (qa.PERSON, qa.DESCRIPTION):
        return None
    ws = list(q.words)
    if len(ws) < 3 or ws[0] not in ("who", "what") or ws[1] not in ("is", "was", "are", "were", "does", "did"):
        return None
    for tail in _JOB_TAILS:  # "What does X do for a living?", "... do now?"
        if ws[0] == "what" and len(ws) > len(tail) + 3 and tuple(ws[-len(tail):]) == tail and ws[-len(tail) - 1] == "do":
            ws = ws[:-len(tail)]
            break
    name = tuple(w for w in ws[2:] if not (ws[0] == "what" and w == "do" and w == ws[-1]))
    if ws[0] == "what" and ws[-1] != "do":
        return None
    if len(name) < 2 and not (len(name) == 1 and name[0] in _capitalised(q.text)):
        return None  # one word only when it is a name: "Who is Marenko?"
    return name


def _appositive(text: str, toks: list[_Tok], q: qa.Question, language: str) -> tuple[int, int] | None:
    """'Who is X?' / 'What does X do?': the phrase set off by commas right after X's name."""
    name = _described_name(q)
    if name is None:
        return None
    n = len(name)
    for i in range(len(toks) - n + 1):
        if tuple(t.word for t in toks[i:i + n]) == name and (n > 1 or toks[i].capital):
            end = toks[i + n - 1].end
            after = text[end:].lstrip()
            if not after.startswith(","):
                continue
            start = text.index(",", end) + 1
            while True:
                while start < len(text) and text[start] == " ":
                    start += 1
                stop = _clause_end(text, toks, start)
                if not (text[start:stop].isdigit() and text[stop:stop + 1] == ","):
                    break
                start = stop + 1  # "Ada Lowe, 56, the company's ...": past the age
            first = next((t for t in toks if t.start >= start), None)
            if first is not None and not first.capital and _verb_form(first.word, language):
                continue  # "Mr. Hale, 63, conceded defeat ...": what X did, not who X is
            if stop - start >= 3 and not _RELATIVE.match(text[start:stop]):
                if q.words[0] == "what":  # "What does X do?": the job, not where X comes from
                    stop = _before_qualifier(text, toks, start, stop)
                return start, stop  # not "who had been saying ...": a clause about X, not who X is
    return _role_before(text, toks, name)


# Words after which a job's description goes on to other things: "a physiotherapist from Lowmoor",
# "a retired teacher who stood for the council" ("a professor of law" is one job).
_QUALIFIERS = frozenset("from in at near who whom whose which that with based living".split())


def _before_qualifier(text: str, toks: list[_Tok], start: int, stop: int) -> int:
    """The end of the last word before the first qualifier of text[start:stop], past the second
    word (`stop` when there is none)."""
    inside = [t for t in toks if start <= t.start and t.end <= stop]
    for k, t in enumerate(inside[2:], start=2):
        if t.word in _QUALIFIERS:
            return inside[k - 1].end
    return stop


ROLE_WORDS = 6  # words of a role set off before a name ("the line's chief engineer, Ada Lowe"), at most


def _role_before(text: str, toks: list[_Tok], name: tuple[str, ...]) -> tuple[int, int] | None:
    """The role set off by a comma right before X's name, opening with an article or possessive and
    ending in a word in lower case: "alongside the line's chief engineer, Ada Lowe" -> "the line's
    chief engineer"."""
    n = len(name)
    for i in range(1, len(toks) - n + 1):
        if tuple(t.word for t in toks[i:i + n]) != name or not toks[i].capital:
            continue
        if text[toks[i - 1].end:toks[i].start].strip() != "," or not text[toks[i - 1].start].islower():
            continue
        for a in range(i - 1, max(-1, i - 1 - ROLE_WORDS), -1):
            if a < i - 1 and re.search(r"[,;:.()\"“”]", text[toks[a].end:toks[a + 1].start]):
                break  # the role is one stretch of words
            if toks[a].word in qa.DETERMINERS:
                return toks[a].start, toks[i - 1].end
    return None


def described_person(q: qa.Question) -> str | None:
    """The capitalised name a "Who is X?" question asks about, as the question writes it ("Ilse
    Marenko" of "Who is Ilse Marenko?"); None for any other question."""
    ws = q.text.strip().rstrip("?").split()
    if len(ws) < 3 or ws[0].lower() != "who" or ws[1].lower() not in ("is", "was"):
        return None
    return " ".join(ws[2:]) if all(w[:1].isupper() for w in ws[2:]) else None


def asks_who_is(q: qa.Question) -> bool:
    """'Who is Marenko?', 'What does Theo Ravenmoor do for a living?'."""
    return _described_name(q) is not None


def describes(text: str, q: qa.Question, analyzer: Analyzer) -> bool:
    """Whether the sentence says who or what the question's "Who is X?" is: a phrase set off by
    commas right after X's name ("Ilse Marenko, 39, a former software engineer, said ...")."""
    name = _described_name(q)
    if name is None or name[-1] not in words(text):
        return False  # X is not in the sentence: no need to read it as tokens
    toks = _tokens(text, q, analyzer)
    return _appositive(text, toks, q, analyzer.language) is not None or _title(toks, q, text) is not None


def _title(toks: list[_Tok], q: qa.Question, text: str) -> tuple[int, int] | None:
    """'Who is Vale?': the tokens of the role right before X's name that says who X is
    ("President Ana Vale", "Prime Minister Eda Varnholt", "the singer Solenne Quintrell");
    None when there is none."""
    name = _described_name(q)
    if name is None or not set(name) <= _capitalised(q.text):
        return None  # a name, not "Ayurbarwada's son"
    n = len(name)

    def joined(k: int) -> bool:  # nothing but a space between token k and the next
        return text[toks[k].end:toks[k + 1].start] == " "
    for i in range(len(toks) - n + 1):
        if tuple(t.word for t in toks[i:i + n]) != name or not toks[i].capital:
            continue
        k = i - 1
        while k >= 0 and joined(k) and toks[k].capital and toks[k].word not in qa.NAMED_PEOPLE and i - k <= 3:
            k -= 1  # back over the first names: "Ana"
        if k < 0 or not joined(k):
            continue
        if toks[k].word in qa.NAMED_PEOPLE:
            a = k
            while a > 0 and toks[k].capital and toks[a - 1].capital and not toks[a - 1].stop and joined(a - 1):
                a -= 1  # "Prime Minister", "Chilean President"
            return a, k
    return None


_JOB_TAILS = (("for", "a", "living"), ("for", "work"), ("these", "days"), ("nowadays",), ("now",), ("today",))
_RELATIVE = re.compile(r"(?i)(who|whom|whose|which|that)\b")


def _clause_end(text: str, toks: list[_Tok], start: int) -> int:
    """Where the stretch from `start` meets a comma, full stop or semicolon between two words (not
    the full stops inside "U.S." or "Dr."), or the end of the text."""
    for k, t in enumerate(toks):
        if t.end <= start:
            continue
        gap = text[t.end:toks[k + 1].start] if k + 1 < len(toks) else text[t.end:]
        if any(c in gap for c in ",.;"):
            return t.end
    return len(text)
