"""The short answer: a span copied verbatim from the quoted sentence, or None when nothing fits.

Candidates depend on the answer type (a number for "how many", date words for "when", a run of
capitalised words for "who"/"where"/"which organisation", the appositive after a name for "who is X",
the clause after a cue for "why"); the one nearest the words the question shares with the sentence
wins. Nothing is ever generated: the answer is text[start:end] of the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from retrieval import question as qa
from retrieval.spelling import lexicon
from retrieval.text import Analyzer, stopwords, word_spans, words

# Small words that may sit inside a name ("Bank of England", "Leonardo da Vinci").
_NAME_JOINERS = frozenset("of de da del della der van von la le du y and for the".split())
# Words that separate a count or date from its neighbour in a range ("one or two", "1998 and 2004").
_RANGE_JOINERS = frozenset("or and to - through".split())
_SCALE = frozenset("hundred thousand million billion trillion percent per cent dozen".split())
_FRACTIONS = frozenset("""half halves third thirds quarter quarters fifth fifths sixth sixths seventh sevenths eighth
eighths ninth ninths tenth tenths""".split())
_TIME_MODIFIERS = frozenset("this last next earlier later that each every early late mid the".split())
_PREPOSITIONS = frozenset("""across along among around behind beyond despite inside near onto outside toward
towards upon within without via per like amid throughout""".split())
# Words that qualify what a yes/no question asks about ("not common", "very rare").
_DEGREE = frozenset("not never no very more less most least too quite fairly rather hardly barely".split())
_REASON_CUES = ("because", "due", "since", "so", "to", "in order")
# Titles written before a name, with or without a full stop ("Dr. Ann Lee", "Prof Ian Roe").
_TITLES = frozenset("mr mrs ms dr prof sir dame lord lady st gen col lt capt sgt maj adm gov sen rep rev fr cllr".split())
_CURRENCY = "£$€¥₹"
_MAX_GENERIC = 7  # tokens in a generic (what/which) answer
# Scoring weights, set by hand against SQuAD's answer spans (see README): distance to the question's words
# costs DISTANCE per token, a little more when the answer would come before them.
DISTANCE = 0.15
BEFORE = 0.5
GENERIC_LENGTH = 0.02
AFTER_LAST = 0.6
BETWEEN = 0.1
PERSON_BEFORE = -0.3  # a "who" answer is usually the subject, before the question's verb
HEADED = 0.4  # the rest of a name whose first or last words are the question's ("Quernmoor Leisure Centre")
FOCUS_NAME = 0.2  # names as answers to "which <noun>" questions, against the generic stretch
LOCATED = 0.3  # a name after "at", "in", "near" for a "where" question
LOWER_PLACE = 0.8  # "at the harbour": a place in lower case, below a name


@dataclass(frozen=True)
class _Tok:
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
    out = []
    for w, (a, b) in zip(words(text), word_spans(text)):
        stop = w in stops
        inq = (not stop and analyzer.stem(w) in q_terms) or (w in q_words and not stop)
        inq = inq or w in named
        out.append(_Tok(w, a, b, inq, stop, text[a].isupper(), qa.is_year(w) and "," not in text[a:b]))
    for first, last in _spelled_acronyms(out, q):
        for i in range(first, last + 1):
            out[i] = replace(out[i], in_question=True)
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
    expansion = _expansion(text, toks, q)
    if expansion is not None:
        return expansion
    appositive = _appositive(text, toks, q)
    if appositive is not None:
        return appositive
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
    if focus is not None:  # "Which group ...?": "the group Eastbrook on Two Wheels", "a small company, Fennick"
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


def _years_of(toks: list[_Tok], text: str, a: int, b: int) -> tuple[int, int]:
    """The year of a date of tokens a..b with what belongs to it ("the 1980s", "1496–97"); a stretch
    with two years or more stays whole ("1998 and 2004", "July 1982 to June 1983")."""
    years = [i for i in range(a, b + 1) if toks[i].year]
    if len(years) > 1:
        return a, b
    end = years[0]
    while end < b and _is_date(toks, end + 1, text) and text[toks[end].end:toks[end + 1].start] in ("", "-", "–"):
        end += 1
    return years[0], end


def _items_wanted(q: qa.Question) -> int:
    """How many answers 'Which three branches ...?' or 'What two rivers ...?' asks for (1 otherwise)."""
    ws = q.words
    for k, w in enumerate(ws[:-1]):
        if w in ("which", "what", "name") and ws[k + 1] in qa.NUMBER_WORDS:
            return qa.NUMBER_WORDS[ws[k + 1]] if 2 <= qa.NUMBER_WORDS[ws[k + 1]] <= 10 else 1
    return 1


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


def names_a_person(answer: str) -> bool:
    """Whether a short answer to "who" reads as one person's name ("Dagny Ostrowe", "Dr. Ann Lee"):
    every word capitalised, no digit, no date, no body or building ("Lamplight Pictures", "Opera
    House"), and two words or more ("Vrbanek" alone may be a surname or a place)."""
    ws = answer.replace("-", " ").split()
    folded = [w.strip(".,").lower() for w in ws]
    if not ws or any(not w[:1].isupper() or any(c.isdigit() for c in w) for w in ws):
        return False
    if any(w in qa.MONTHS or w in qa.WEEKDAYS for w in folded) or names_a_body(answer):
        return False
    return len(ws) >= 2 and folded[-1] not in _TITLES


def names_a_body(answer: str) -> bool:
    """Whether a short answer names a body or a building ("Selwood Opera House", "Halcyra
    Technologies"): its last word says so. 'She' never stands for one."""
    ws = answer.replace("-", " ").split()
    return bool(ws) and ws[-1].strip(".,").lower() in _BODIES


def asks_for_money(q: qa.Question) -> bool:
    """'How much did it cost?', 'How much money did he steal?' (the question's own "how much", not
    one a follow-up borrowed: "Who paid for it? How much did the camera cost?")."""
    if q.words[:2] == ("how", "much"):
        return bool(set(q.words) & _PRICE_WORDS)
    return q.answer_type == qa.COUNT and bool(qa.asked_nouns(q) & _PRICE_NOUNS)  # "What was the price of ...?"


# Words that make "how much" a price, strictly enough to decline without an amount of money; the
# wider _MONEY_WORDS ("raised", "sold", ...) only make an amount of money the likelier answer.
_PRICE_WORDS = frozenset("money cost costs pay paid spend spent price worth".split())
_PRICE_NOUNS = frozenset("price cost fee fare salary".split())


def asked_unit(q: qa.Question) -> frozenset[str] | None:
    """The units a weight or height question's answer must carry ('How much does it weigh?',
    'How heavy ...?', 'How tall ...?'), or None for other questions."""
    how = qa.how_word(q)
    if how == "heavy" or (how == "much" and set(q.words) & {"weigh", "weighs", "weighed"}):
        return _WEIGHT_UNITS
    if how == "tall":
        return _HEIGHT_UNITS
    return None


_WEIGHT_UNITS = frozenset("""gram grams g kilogram kilograms kilo kilos kg pound pounds lb lbs ounce ounces oz tonne
tonnes ton tons stone milligram milligrams mg""".split())
_HEIGHT_UNITS = frozenset("""metre metres meter meters m centimetre centimetres centimeter centimeters cm
millimetre millimetres mm foot feet ft inch inches yard yards storey storeys story stories floor floors""".split())


def has_unit(text: str, span: tuple[int, int], units: frozenset[str]) -> bool:
    """Whether the short answer carries one of `units` ('14 grams'; '14mm' counts as 'mm')."""
    return any(w in units or w.lstrip("0123456789.,") in units for w in words(text[span[0]:span[1]]))


def is_money(text: str, span: tuple[int, int]) -> bool:
    """Whether the short answer is an amount of money ('£46,300', '$2.4 billion', '30 marks')."""
    answer = text[span[0]:span[1]]
    return any(c in _CURRENCY for c in answer) or bool(set(words(answer)) & _CURRENCY_WORDS)


def is_proper_name(text: str, span: tuple[int, int]) -> bool:
    """Whether the short answer reads as a proper name: every word capitalised but the small words
    inside names ("Ana de la Cruz"), not opening with a date, and not after or opening with "the"
    ("the United Nations" is a place or body, not what "the name of the judge" asks for)."""
    before = text[:span[0]].split()
    ws = text[span[0]:span[1]].split()
    if not ws or before and before[-1].lower() in _ARTICLES or ws[0].lower() in _ARTICLES:
        return False
    folded = [w.strip(".,’'").lower() for w in ws]
    if folded[0] in qa.MONTHS or folded[0] in qa.WEEKDAYS:
        return False  # "Sunday and remains in custody"
    return all(w[:1].isupper() or f in _NAME_JOINERS for w, f in zip(ws, folded))


def holds_name(text: str, span: tuple[int, int], language: str = "english") -> bool:
    """Whether the short answer holds a capitalised word that does not open the sentence, or one
    the language only writes capitalised: 'the northern city of Ravensholt' and 'Sweden' (opening
    "Sweden rationed gasoline") name a place, 'his home village in the highlands' does not."""
    opening = next((i for i, c in enumerate(text) if c.isalnum()), 0)
    return any(m.group()[:1].isupper() and m.group() != "I"
               and (span[0] + m.start() > opening or is_proper_noun(words(m.group())[0], language))
               for m in re.finditer(r"\w\S*", text[span[0]:span[1]]))


def is_proper_noun(word: str, language: str) -> bool:
    """Whether a folded word is one the language only writes capitalised ('sweden', not 'bill')."""
    return "p" in lexicon(language).get(word, "")


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


def _appositive(text: str, toks: list[_Tok], q: qa.Question) -> tuple[int, int] | None:
    """'Who is X?' / 'What does X do?': the phrase set off by commas right after X's name."""
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
    n = len(name)
    if n < 2:
        return None
    for i in range(len(toks) - n + 1):
        if tuple(t.word for t in toks[i:i + n]) == name:
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
            if stop - start >= 3 and not _RELATIVE.match(text[start:stop]):
                return start, stop  # not "who had been saying ...": a clause about X, not who X is
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


def _all_capitals(tok: _Tok, text: str) -> bool:
    """'CBS', 'NATO': a word of two or more letters, all capitals."""
    raw = text[tok.start:tok.end].replace(".", "")
    return len(raw) > 1 and raw.isalpha() and raw.isupper()


def _initial(tok: _Tok, text: str) -> bool:
    """A capital letter standing for a name: the 'E' of 'Richard E. Grant'."""
    return tok.end - tok.start == 1 and text[tok.start].isupper()


def _is_number(t: _Tok) -> bool:
    return (t.word[0].isdigit() and not t.year) or t.word in qa.NUMBER_WORDS


def _numbers(toks: list[_Tok], text: str) -> list[tuple[float, int, int]]:
    folded = [t.word for t in toks]

    def keep(i: int) -> bool:
        t = toks[i]
        if t.in_question or qa.is_day_of_month(folded, i):
            return False
        if _is_number(t):
            return True
        if i > 0 and t.word in _SCALE | _FRACTIONS and _is_number(toks[i - 1]):
            return True  # "20 million", "one ninth"
        return i > 1 and t.word in _SCALE and toks[i - 1].word in _SCALE and _is_number(toks[i - 2])  # "13 per cent"
    return [(1.0, a, b) for a, b in _runs(toks, keep, _RANGE_JOINERS, text, ("", "-", "–"))]


# A count's bonus against the sentence's other numbers (measured on SQuAD's answer spans, see README):
COUNTED_NOUN = 0.5  # "22 goals" for "how many goals": the number beside the noun asked about
OF_THE_YEAR = 0.5  # a number right before "in <the year the question names>"
COMPOUND = 1.0  # a number hyphened to the word after it ("ten-man"), for a count of something else
WITH_UNIT = 0.5  # "about 14 hours" for "how long": a measure with its unit, not a bare number


def _counts(toks: list[_Tok], text: str, q: qa.Question, analyzer: Analyzer) -> list[tuple[float, int, int]]:
    """The numbers of a sentence, scored as answers to a count or measure question."""
    nouns = qa.counted_nouns(q, analyzer)
    measure = qa.how_word(q) in MEASURES
    distance = qa.how_word(q) in _DISTANCES
    years = {w for w in q.words if qa.is_year(w)}
    money = qa.how_word(q) == "much" and bool(set(q.words) & _MONEY_WORDS)
    units = asked_unit(q)
    share = bool(set(q.words) & _SHARE_WORDS)
    things = _counts_things(q, analyzer)
    numbers = _numbers(toks, text)
    part = {b for _, a, b in numbers if things and toks[a].word != "one" and not _is_percent(toks, text, b)
            and _partitive(toks, b, nouns, analyzer)}  # "one of the 11 regions", "60% of the cattle": no count
    out = []
    for score, a, b in numbers:
        if _an_age(toks, text, a, b):
            continue  # "Eleuterio Samaniego, 72, a coffee farmer": his age, not the size of his farm
        if units:  # "How much did it weigh?": "142 pounds"
            end = _with_unit(toks, text, b)
            if end > b and has_unit(text, (toks[a].start, toks[end].end), units):
                score += WITH_UNIT
                b = end
        elif measure:  # "how long": "twenty-two years", not "twenty-two"
            end = _with_unit(toks, text, b)
            if end > b and distance and toks[end].word in _TIME_UNITS:
                continue  # "how far / how close": a distance, never "three weeks"
            score += WITH_UNIT if end > b else 0.0
            b = end
            after = toks[b + 1].word if b + 1 < len(toks) else ""
            if after in _DIMENSIONS:  # "1.8 kilometres wide and up to 400 metres deep" for "how deep"
                score += DIMENSION if after == qa.how_word(q) else -DIMENSION
        elif things and _clock_or_money(toks, text, a, b):
            continue  # "at 11 a.m.", "£1,250": no count of the workers asked about
        elif b in part:
            score += COUNTED_NOUN  # "11 of the then 12 member states": some of the states counted
        elif nouns and any(analyzer.stem(toks[j].word) in nouns for j in range(b + 1, min(b + 3, len(toks)))):
            score += COUNTED_NOUN
        elif _hyphened(toks, text, b):
            score -= COMPOUND  # "ten-man Ribbleford", "a four-day week": a modifier, not how many
        if money:
            end = b + 1 if b + 1 < len(toks) and toks[b + 1].word in _CURRENCY_WORDS else b  # "30 marks"
            if is_money(text, (_start_char(text, toks[a]), toks[end].end)):
                score += MONEY
                b = end
        if share and _is_percent(toks, text, b):
            score += PERCENT  # "only 52 percent of patients" for "what share of patients"
        if _of_the_time_asked(toks, b, q):
            score += OF_THE_TIME  # "up from 39,200 a year earlier" for "And a year earlier?"
        if years and b + 2 < len(toks) and toks[b + 1].word in ("in", "for") and toks[b + 2].word in years:
            score += OF_THE_YEAR  # "fell from £2.1 million in 2021": the amount of the year asked about
        out.append((score, a, b))
    return out


_PARTITIVE_PRONOUNS = frozenset("them those these us".split())  # not "two of which": the whole is asked about


def _partitive(toks: list[_Tok], b: int, nouns: frozenset[str], analyzer: Analyzer) -> bool:
    """Whether the number ending at `b` counts some of the things asked about: "22 of the service's
    140 jobs" for "how many jobs", "nine of them"."""
    if b + 2 >= len(toks) or toks[b + 1].word != "of":
        return False
    return toks[b + 2].word in _PARTITIVE_PRONOUNS or any(
        analyzer.stem(toks[j].word) in nouns for j in range(b + 2, min(b + 7, len(toks))))


def _counts_things(q: qa.Question, analyzer: Analyzer) -> bool:
    """'How many workers ...?': a count of things named in the question, not of money ('how many
    dollars', 'how much did it cost') nor a measure ('how long')."""
    nouns = qa.counted_nouns(q, analyzer)
    return (bool(nouns) and qa.how_word(q) == "many" and not asked_unit(q)
            and not any(analyzer.stem(w) in nouns for w in _CURRENCY_WORDS | _PRICE_NOUNS))


def _clock_or_money(toks: list[_Tok], text: str, a: int, b: int) -> bool:
    """Whether the number of tokens a..b is a time of day ('11 a.m.', '3:47') or a sum of money
    ('£1,250', '30 marks')."""
    after = toks[b + 1].word if b + 1 < len(toks) else ""
    clock = ":" in toks[b].word and _CLOCK.match(toks[b].word) is not None  # not "0.95" nor "12.50"
    return (clock or after in _MERIDIEM or after in _CURRENCY_WORDS
            or is_money(text, (_start_char(text, toks[a]), toks[b].end)))


def _hyphened(toks: list[_Tok], text: str, b: int) -> bool:
    """Whether the number ending at token `b` is hyphened to the word after it: 'ten-man', 'one-off'."""
    return b + 1 < len(toks) and text[toks[b].end:toks[b + 1].start] == "-" and toks[b + 1].word not in _SCALE


def holds_count(text: str, q: qa.Question, analyzer: Analyzer) -> bool:
    """Whether the sentence holds an amount that can answer the count question: for 'how many
    workers', a number that is no time of day, sum of money or modifier ('a one-off payment'), or a
    word like 'several'."""
    ws = words(text)
    if not qa.holds_amount(ws):
        return False
    if not _counts_things(q, analyzer) or any(w in qa.QUANTITY_WORDS for w in ws):
        return True
    toks = [replace(t, in_question=False) for t in _tokens(text, q, analyzer)]  # the question's own numbers too
    runs = _numbers(toks, text)  # none: "2000 guests" reads as a year there, and still counts
    nouns = qa.counted_nouns(q, analyzer)

    def counts(a: int, b: int) -> bool:  # "a four-valve engine" counts valves; "a ten-minute walk" counts no cup wins
        return not _clock_or_money(toks, text, a, b) and not _span_of_time(toks, b, q) and (
            not _hyphened(toks, text, b) or any(analyzer.stem(t.word) in nouns for t in toks[b + 1:b + 3]))
    return not runs or any(counts(a, b) for _, a, b in runs)


_ELAPSED = frozenset("""second seconds minute minutes hour hours day days week weeks month months year years
decade decades century centuries times""".split())


def _span_of_time(toks: list[_Tok], b: int, q: qa.Question) -> bool:
    """'over the past 20 years', 'about 20 times the size': a number of years or times counts no
    'people' (unless the question counts a time itself: 'how many days' may be '4 weeks')."""
    after = toks[b + 1].word if b + 1 < len(toks) else ""
    return after in _ELAPSED and not _ELAPSED & set(q.words)


def _an_age(toks: list[_Tok], text: str, a: int, b: int) -> bool:
    """'Alistair Quayle, 58, who ran ...': a whole number between commas right after a name."""
    if a != b or a == 0 or not toks[a - 1].capital or not toks[a].word.isdigit() or int(toks[a].word) > 120:
        return False
    return text[toks[a - 1].end:toks[a].start].strip() == "," and text[toks[a].end:toks[a].end + 1] in (",", ".", "")


PERCENT = 0.5
_SHARE_WORDS = frozenset("share percentage percent proportion fraction".split())


def _is_percent(toks: list[_Tok], text: str, b: int) -> bool:
    """Whether the number ending at token `b` is a percentage: "52%", "52 percent", "13 per cent"."""
    return (text[toks[b].end:toks[b].end + 1] == "%" or toks[b].word in ("percent", "cent")
            or (b + 1 < len(toks) and toks[b + 1].word in ("percent", "%")))


MONEY = 0.5  # "£1.37 million" for "how much money did he steal": an amount of money
_MONEY_WORDS = frozenset("""money cost costs costing pay pays paid paying spend spends spent spending price
worth fund funds funding budget raise raised earn earned earns salary fine fined charge charged owe owed steal
stole stolen borrow borrowed lend lent invest invested donate donated sell sold buy bought""".split())
_CURRENCY_WORDS = frozenset("""dollar dollars pound pounds euro euros yen franc francs mark marks rupee rupees cent
cents penny pence yuan renminbi peso pesos lira lire shilling shillings guinea guineas crown crowns krona kronor krone
kroner rouble roubles ruble rubles dinar dinars baht ringgit rand real reais won usd gbp eur""".split())


OF_THE_TIME = 1.0  # a number right before the question's own "a year earlier": above the noun asked about
_RELATIVE_TIMES = frozenset("earlier before ago previous later".split())


def _of_the_time_asked(toks: list[_Tok], b: int, q: qa.Question) -> bool:
    """The number at `b` is followed by the question's own relative time: "39,200 a year earlier",
    "£900,000 the year before" for "... a year earlier?" / "... the year before?"."""
    asked = set(q.words)
    if not asked & _RELATIVE_TIMES:
        return False
    after = [t.word for t in toks[b + 1:b + 4]]
    return bool(set(after) & _RELATIVE_TIMES & asked) and all(w in asked for w in after if w in _RELATIVE_TIMES
                                                                 or w in ("year", "month", "week", "day"))


MEASURES = frozenset("long far close near tall high wide deep big large heavy fast".split())
DIMENSION = 1.0  # a measure followed by the dimension asked about ("400 metres deep"), or by another one
_DIMENSIONS = frozenset("long tall high wide deep thick".split())
_DISTANCES = frozenset("far close near".split())
_TIME_UNITS = frozenset("second seconds minute minutes hour hours day days week weeks month months year years".split())
UNITS = frozenset("""second seconds minute minutes hour hours day days week weeks month months year years
decade decades century centuries mile miles kilometre kilometres kilometer kilometers km metre metres meter
meters m cm mm foot feet ft inch inches yard yards nautical pound pounds lb lbs kilogram kilograms kg
gram grams ton tons tonne tonnes acre acres hectare hectares square cubic degree degrees mph kph knots
storey storeys story stories floor floors""".split())


def _with_unit(toks: list[_Tok], text: str, last: int) -> int:
    """The last token of a measure with its unit: '14' -> '14 kilometres', '3' -> '3 square miles',
    '6' -> '6 hours and 40 minutes'."""
    j = last
    while (j + 1 < len(toks) and toks[j + 1].word in UNITS and not toks[j + 1].in_question
           and text[toks[j].end:toks[j + 1].start].strip() in ("", "-")):
        j += 1
        if toks[j].word not in ("square", "cubic", "nautical"):
            break
    if (j > last and j + 3 < len(toks) and toks[j + 1].word == "and" and _is_number(toks[j + 2])
            and toks[j + 3].word in UNITS and _adjacent(toks, text, j, j + 3)):
        return _with_unit(toks, text, j + 2)
    return j


def _adjacent(toks: list[_Tok], text: str, first: int, last: int) -> bool:
    """Whether tokens first..last follow one another with nothing but spaces between them."""
    return all(not text[toks[k].end:toks[k + 1].start].strip() for k in range(first, last))


_AGE_BEFORE = frozenset("age aged turned turning".split())
_AGE_UNITS = frozenset("year years month months".split())
_COPULAS = frozenset("is was".split())


def _age(toks: list[_Tok], text: str) -> tuple[int, int] | None:
    """An age as it is written: "aged 63", "at the age of 63", "turned 39", "63 years old",
    "a 63-year-old", and "Hale, 58," or "Hale was 58" when Hale is whom the question names;
    None when the sentence gives no age (the year or the count it holds is none). An age said
    of someone the question names beats one said of nobody in particular."""
    found = []
    for i, t in enumerate(toks):
        if not _is_number(t) or t.in_question:
            continue
        j = i + 1
        while j < len(toks) and toks[j].word in _SCALE:
            j += 1
        unit = j < len(toks) and toks[j].word in _AGE_UNITS
        said_age = unit and (j + 1 >= len(toks) or toks[j + 1].word in ("old", "of") or j > i + 1
                             or text[toks[j - 1].end:toks[j].start].strip() == "-")  # "4.6 billion years"
        prev = toks[i - 1] if i > 0 else None
        link = text[prev.end:t.start].strip() if prev else ""
        named = (prev is not None and ((prev.capital and prev.in_question and link == ",")
                                       or (prev.word in _COPULAS and i > 1 and toks[i - 2].capital
                                           and toks[i - 2].in_question)))
        aged = any(toks[k].word in _AGE_BEFORE for k in range(max(0, i - 2), i))
        if said_age or aged or named:
            found.append((named, -i, t.start, _end_char(text, toks[j - 1] if said_age and j > i + 1 else t)))
    if not found:
        return None
    best = max(found)
    return best[2], best[3]


_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}$")  # "6:40", "10.15"
_MERIDIEM = frozenset("am pm am. pm.".split())


def _is_date(toks: list[_Tok], i: int, text: str = "") -> bool:
    w = toks[i].word
    if i > 0 and toks[i - 1].year and text:
        gap = text[toks[i - 1].end:toks[i].start]
        if w == "s" and gap == "":
            return True  # the "s" of "the 1960s"
        if w.isdigit() and len(w) == 2 and gap in ("-", "–"):
            return True  # the "25" of "1524–25"
    if _CLOCK.match(w) or w in ("noon", "midnight"):
        return True
    if w.isdigit() and len(w) <= 2 and i + 1 < len(toks) and toks[i + 1].word in _MERIDIEM:
        return True  # the "11" of "11 a.m."
    if w in _MERIDIEM and i > 0 and toks[i - 1].word[:1].isdigit():
        return True  # "2:17 a.m.", "6 p.m."
    if w in qa.MONTHS or w in qa.WEEKDAYS or toks[i].year or w in ("century", "centuries", "decade", "week",
                                                                      "weekend", "year", "bc", "ad", "today"):
        return True
    near_month = any(toks[k].word in qa.MONTHS for k in (i - 1, i + 1) if 0 <= k < len(toks))
    return near_month and w.rstrip("stndrh").isdigit() and len(w) <= 4


def _dates(toks: list[_Tok], text: str) -> list[tuple[float, int, int]]:
    out = []
    for a, b in _runs(toks, lambda i: _is_date(toks, i, text) and not toks[i].in_question, _RANGE_JOINERS, text,
                      ("", ",", "-", "–")):
        specific = any(toks[k].word in qa.MONTHS or toks[k].word in qa.WEEKDAYS or toks[k].word[0].isdigit()
                       for k in range(a, b + 1))
        while a > 0 and toks[a - 1].word in _TIME_MODIFIERS - {"the"} | {"early", "late", "mid"}:
            a -= 1
        if a > 0 and toks[a].word in ("century", "centuries"):
            a = _ordinal_start(toks, text, a)
        out.append((1.0 if specific else 0.6, a, b))
    return out


_ORDINAL_WORDS = frozenset("""first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth
thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth""".split())


def _ordinal_start(toks: list[_Tok], text: str, a: int) -> int:
    """Where the ordinal before the word at `a` starts: "the 17th century" (read as "17", "th"), "the
    nineteenth century"; `a` when there is none."""
    before = toks[a - 1].word
    if before[0].isdigit() or before in _ORDINAL_WORDS:
        return a - 1
    if a > 1 and before in ("st", "nd", "rd", "th") and toks[a - 2].word.isdigit() \
            and text[toks[a - 2].end:toks[a - 1].start] == "":
        return a - 2
    return a


def _names(toks: list[_Tok], text: str, anchors: list[int], answer_type: str,
           roles: set[int] = frozenset(), language: str = "english",
           question: qa.Question | None = None) -> list[tuple[float, int, int]]:
    out = []
    runs = _runs(toks, lambda i: toks[i].capital and toks[i].word != "s", _NAME_JOINERS, text,
                 ("", "-", "–"), titled=True)  # "Lowe-Ferris", "Dr. Ann Lee"
    named = _question_names(question)  # the question's own names ("Halcyra"), not its roles ("president")
    for a, b in _possessive_bodies(toks, text, runs):
        if a == 0 and a < b and _opener(toks[0].word, language):
            a += 1  # "Since Ireland refused ...": the sentence's first word is no part of the name
        start, end = a, b
        while a <= b and (toks[a].in_question or (toks[a].stop and toks[a].word != "the")):
            a += 1
        while b >= a and (toks[b].in_question or toks[b].stop):
            b -= 1
        headed = b < end and toks[end].in_question  # "Quernmoor" of the question's "leisure centre"
        if a <= b and toks[b].word in _INSTITUTIONS and any(toks[k].in_question for k in range(start, a)):
            a = next(k for k in range(start, a + 1) if not toks[k].stop)  # a body's whole name, not "Road Running Association"
        # "Technologies" of "Halcyra Technologies" when the question names Halcyra: the question's own name
        headed = headed or (a > start and any(toks[k].word in named for k in range(start, a)))
        if a > b or (a == 0 and b == 0 and not is_proper_noun(toks[0].word, language) and not _all_capitals(toks[0], text)):
            continue  # a lone sentence-initial capital is no name, unless the language only capitalises it ("CBS")
        if all(toks[k].word in _TITLES for k in range(a, b + 1)):
            continue  # "Mr." of "Mr. Boswell-Tate" when the question names Boswell-Tate
        if all(toks[k].word in qa.MONTHS or toks[k].word in qa.WEEKDAYS or toks[k].word in _NAME_JOINERS
               for k in range(a, b + 1)):
            continue  # "on Wednesday", "on Thursday and Friday": a date, not who or where
        score = 1.0
        if headed and answer_type != qa.PLACE:
            score -= HEADED  # the rest of a name the question gives: not who or which
        if answer_type != qa.PLACE and b + 1 in anchors and not toks[b + 1].capital:
            score -= 0.4  # a modifier of a question word ("South African schools"), not the answer
        if answer_type == qa.PLACE and b + 3 < len(toks) and toks[b + 1].word in qa.PLACE_NOUNS \
                and toks[b + 2].word == "of" and toks[b + 3].capital:
            score -= 0.4  # "the Orlessian city of Velmora": the city is Velmora
        if answer_type == qa.PERSON and anchors and b < min(anchors):
            score += 0.2  # the subject before the question's verb
        if answer_type == qa.PERSON and _not_a_person(toks, text, a, b, language):
            score -= NOT_A_PERSON
        if answer_type == qa.PERSON and _after_role(toks, text, a, roles):
            score += ROLE
        if answer_type == qa.PERSON and _personal(toks, text, a, b):
            score += PERSONAL
        if answer_type in (qa.PERSON, qa.ORGANISATION) and _agent(toks, text, start, b, language) \
                and not _asks_passive(question, language):
            score += AGENT
        out.append((score, a, b))
    return out


AGENT = 0.4  # "is now run by an independent foundation, the Marravel Festival Trust" for "who runs it"


def _agent(toks: list[_Tok], text: str, a: int, b: int, language: str) -> bool:
    """Whether the name of tokens a..b follows "by" right after the question's verb: the doer of a
    passive ("published by", "paid for by", "run by an independent foundation, the ..."), and not a
    word describing the next one ("by British bacteriologist J. F. D. Shrewsbury")."""
    if _describes_next(toks, text, b):
        return False
    for k in range(a - 1, max(a - 6, 1) - 1, -1):
        if toks[k].word == "by":  # the question's verb a few words back, no other verb between
            for j in range(k - 1, max(k - 4, -1), -1):
                if toks[j].in_question:
                    return True
                if _verb_form(toks[j].word, language):
                    return False
            return False
        if toks[k].capital or toks[k].in_question:
            return False
    return False


def _describes_next(toks: list[_Tok], text: str, b: int) -> bool:
    """Whether the name ending at token `b` describes the word after it ("British bacteriologist",
    "a U.S.-designated group"): a modifier, not the name of what is asked about."""
    return (b + 1 < len(toks) and not toks[b + 1].capital and not toks[b + 1].stop
            and text[toks[b].end:toks[b + 1].start] in (" ", "-"))


_BE = frozenset("is are was were be been being".split())


def _asks_passive(q: qa.Question | None, language: str) -> bool:
    """'Who was sacked?', 'Who is being sued?': the question asks who underwent it, not who did it
    (unless it asks 'by whom': 'Who was it written by?')."""
    if q is None or "by" in q.words:
        return False
    ws = q.words
    return any(w in _BE and i + 1 < len(ws) and (ws[i + 1].endswith("ed") or _verb_form(ws[i + 1], language))
               for i, w in enumerate(ws[:4]))


_OPENERS = frozenset("""since upon although though unless whereas whilst after before until once because despite
following during throughout within without toward towards against among amongst beyond besides as when while if
then thus hence yet still also even only already meanwhile however instead later eventually""".split())


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


def _question_names(q: qa.Question | None) -> frozenset[str]:
    """The folded words the question capitalises after its first word: its names."""
    return frozenset() if q is None else _capitalised(q.text)


@lru_cache(maxsize=1024)
def _capitalised(text: str) -> frozenset[str]:
    raw = word_spans(text)
    return frozenset(w for w, (a, _) in zip(words(text)[1:], raw[1:]) if text[a].isupper())


def _opener(word: str, language: str) -> bool:
    """A word that opens a sentence without being a name: a preposition, conjunction or adverb
    ("Since", "Upon", "Meanwhile"), or a word the language has only as an adverb or adjective."""
    if word in _OPENERS:
        return True
    pos = lexicon(language).get(word, "")
    return bool(pos) and not set(pos) & {"n", "p", "v"}


def _possessive_bodies(toks: list[_Tok], text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Names joined across "'s" when what follows is a body or a building: "St Ferrin's Regional
    Hospital", "King's College" (but "Rome's Colosseum" stays two names)."""
    out: list[tuple[int, int]] = []
    for a, b in runs:
        if out:
            pa, pb = out[-1]
            if (a == pb + 2 and toks[pb + 1].word == "s" and text[toks[pb].end:toks[pb + 1].start] in ("'", "’")
                    and toks[b].word in _BODIES and _adjacent(toks, text, pb + 1, a)):
                out[-1] = (pa, b)
                continue
        out.append((a, b))
    return out


PERSONAL = 0.45  # "Dr. Ann Lee", "Ann Lee, 41,": surely a person
_AGE_AFTER = re.compile(r"\s*,\s*\d{1,3}\s*,")


def _personal(toks: list[_Tok], text: str, a: int, b: int) -> bool:
    """The name carries a person's title or is followed by an age ("Jurek Halloran, 61, who ...")."""
    return toks[a].word in _TITLES or bool(_AGE_AFTER.match(text, toks[b].end))


ROLE = 0.3  # "its leader, Dagny Ostrowe" for "Who leads ...?": the name the question's verb makes a role of
_AGENT_SUFFIXES = ("er", "or", "man", "woman", "ist", "ess", "ant", "ent")


def _roles(toks: list[_Tok], q: qa.Question) -> set[int]:
    """Tokens naming the doer of one of the question's verbs: 'leader' for 'leads', 'director'
    for 'directed', 'discoverer' for 'discovered' (the stemmer keeps these apart)."""
    verbs = [w for w in q.words if len(w) >= 4 and w not in qa.AUXILIARIES]
    out = set()
    for i, t in enumerate(toks):
        if t.stop or t.capital or not t.word.endswith(_AGENT_SUFFIXES):
            continue
        if any(t.word != v and t.word.startswith(_root(v)) for v in verbs):
            out.add(i)
    return out


def _root(verb: str) -> str:
    """'leads' -> 'lead', 'directed' -> 'direct', 'chairs' -> 'chair', 'discovered' -> 'discover'."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if verb.endswith(suffix) and len(verb) - len(suffix) >= 4:
            return verb[:-len(suffix)]
    return verb


def _after_role(toks: list[_Tok], text: str, a: int, roles: set[int]) -> bool:
    """The name at `a` comes right after a role word: "its leader, Dagny Ostrowe", "the director Ana Vale"."""
    return a > 0 and a - 1 in roles and text[toks[a - 1].end:toks[a].start].strip() in ("", ",")


# The last word of a body's name ("the Brook Farm Cooperative"): no answer to "who said ...?".
_INSTITUTIONS = frozenset("""association society trust council university college school company cooperative
co-operative institute centre center museum hospital party committee commission board agency authority ministry
department service group club team union federation foundation court bank corporation ltd inc plc""".split())
NOT_A_PERSON = 0.5
# Last words of names that are no person's, for follow-ups ("How old is she?" after "Selwood Opera House").
_BODIES = _INSTITUTIONS | frozenset("""house hall palace theatre theater stadium park street road square station
airport bridge tower church cathedral pictures studios records press media news times post herald journal
holdings group partners ventures technologies systems energy airlines airways motors""".split())


def _not_a_person(toks: list[_Tok], text: str, a: int, b: int, language: str = "english") -> bool:
    """A name that reads as an acronym ("the NTB"), a body ("... Cooperative"), a place ("from
    Avonby"), a people's adjective before its noun ("Mexican officials"), a title in quotation
    marks or a name after "the", which a "who" question asks about less often than a person."""
    acronym = a == b and len(toks[a].word) > 1 and text[toks[a].start:toks[a].end].isupper()
    before = a - 2 if a > 1 and toks[a - 1].word in _ARTICLES else a - 1  # "at the MBI"
    placed = before >= 0 and toks[before].word in ("from", "in", "at", "near")
    modifier = (a == b and b + 1 < len(toks) and not toks[b + 1].capital and not toks[b + 1].stop
                and {"a", "p"} <= set(lexicon(language).get(toks[a].word, "")))
    quoted = text[max(toks[a].start - 1, 0):toks[a].start] in ('"', "“")  # "its \"Cobbler Lane Rye\"": a title
    # "the Sun", "the Pentagon": a person's name takes no article ("the late X" has a word between)
    defined = a > 0 and toks[a - 1].word == "the" and text[toks[a - 1].start].islower()
    return acronym or toks[b].word in _INSTITUTIONS or placed or modifier or quoted or defined


_LOCATIVE = frozenset("at in near inside outside from across along beside".split())
_ARTICLES = frozenset("the a an".split())


def _located(toks: list[_Tok], text: str, names: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """Answers to "where": a name right after "at", "in", "near" ... gains; where no name follows
    one, the place it introduces in lower case ("at the harbour") is a candidate too."""
    def after_locative(a: int) -> bool:
        if a > 1 and toks[a - 1].word == "of" and toks[a - 2].word in qa.PLACE_NOUNS and not toks[a - 2].capital:
            return True  # "in the mountain town of Kell"
        return a > 0 and toks[a - 1].word in _LOCATIVE and text[toks[a - 1].end:toks[a].start].strip() == ""

    out = [(score + LOCATED if after_locative(a) else score, a, b) for score, a, b in names]
    for i, t in enumerate(toks[:-1]):
        if t.word not in _LOCATIVE:
            continue
        a = i + 1
        b = a + 1 if toks[a].word in _ARTICLES else a
        while (b < len(toks) and not toks[b].stop and not toks[b].capital and not toks[b].in_question
               and not toks[b].word[0].isdigit() and b - a < 3 and text[toks[b - 1].end:toks[b].start].strip() == ""):
            b += 1
        named_next = b + 1 < len(toks) and toks[b].word == "of" and toks[b + 1].capital  # "the town of Hale"
        if b > a + (toks[a].word in _ARTICLES) and not named_next:
            out.append((LOWER_PLACE, a, b - 1))
    return out


# Words before a noun that leave it unnamed: "a manufacturer", "his predecessor", "three other observatories".
_UNNAMING = frozenset("a an another other others some several any his her its their our".split())
_COPULAS = frozenset("is are was were be been being became become becomes remains remained".split())
_NAMED_AFTER = re.compile(r"\s*[,:(–-]?\s*(?:the|including|such\s+as|namely|called|named|known\s+as)?\s*[A-Z\"“]"
                          r"|\s*(?:called|named|known\s+as)\b")


def only_unnamed(text: str, noun: str, analyzer: Analyzer) -> bool:
    """Whether every mention of `noun` in the sentence leaves it without a name ('agreed a deal with a
    manufacturer to produce ...'), so the sentence cannot say which one; False when the noun is absent
    or one mention is definite or named ('the manufacturer', 'a manufacturer, Ostrel', 'a firm called
    ...', 'Ostrel, a manufacturer')."""
    spans, ws = word_spans(text), words(text)
    hits = [i for i, w in enumerate(ws) if w == noun]  # "several players" are not "the player" asked about
    if not hits:
        return False
    for i in hits:
        k = i - 1
        while k >= 0 and k >= i - 4 and ws[k] not in _UNNAMING and not analyzer.is_stopword(ws[k]) \
                and not text[spans[k][0]].isupper() and qa.number_value(ws[k]) is None:
            k -= 1  # over the adjectives: "a small biotechnology company"
        if k < 0 or not (ws[k] in _UNNAMING or qa.number_value(ws[k]) is not None):
            return False  # "the manufacturer", "Ostrel's manufacturer"
        before = text[spans[k - 1][1]:spans[k][0]].strip() if k > 0 else ""
        if before in (",", "—", "–", "(") and text[spans[k - 1][0]].isupper():
            return False  # "Ostrel, a manufacturer", "the Oriental Institute—a museum": named just before
        if _COPULAS.intersection(ws[max(0, k - 2):k]):
            return False  # "The Ruhr is (nowadays) a clean river": named by the subject
        if _NAMED_AFTER.match(text, spans[i][1]):
            return False  # "a manufacturer, Ostrel", "two companies: Worldvision ...", "a firm called ..."
    return True


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
# Words whose "to" opens what they say, not a purpose: "expected to", "due to start", "able to".
_TO_COMPLEMENTS = frozenset("""expected expects expect due scheduled planned plans plan set going able unable used likely
unlikely about supposed meant hoped hopes wanted wants intended intends decided agreed refused tried failed began
continued""".split())


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
        if t.word in _CAUSES or (t.word == "to" and i + 1 < len(toks) and not toks[i + 1].stop):
            j = i
            while j + 1 < len(toks) and text[toks[j].end:toks[j + 1].start].strip() == "" and j - i < 12:
                j += 1
            # "because of a hamstring strain" -> "a hamstring strain" (SQuAD's answers never keep
            # "because of"; they keep "because" before a clause about as often as not)
            start = i + 2 if t.word == "because" and i + 2 <= j and toks[i + 1].word == "of" else i
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
