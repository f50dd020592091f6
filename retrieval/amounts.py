"""Amounts for "how many / how much / how long / how old" questions: counts, measures, money, shares and ages.

A number is a run of digits or number words with its scale ("20 million", "13 per cent") and may
join a range ("one or two"). Scored against the sentence's other numbers, the count beside the
noun asked about ("22 goals"), a measure with its unit ("14 kilometres"), an amount of money or a
percentage wins when the question asks for it; a time of day, a sum of money, a modifier ("a
ten-man side") or an age after a name counts nothing. For "how old", the age as it is written
("aged 63", "a 63-year-old", "Hale, 58,").
"""

from __future__ import annotations

import re

from retrieval import question as qa
from retrieval.dates import _CLOCK, _MERIDIEM
from retrieval.text import Analyzer, words
from retrieval.tokens import (_COPULAS, _CURRENCY, _RANGE_JOINERS, _Tok, _adjacent, _end_char, _is_number, _runs,
                              _start_char, _tokens)

_SCALE = frozenset("hundred thousand million billion trillion percent per cent dozen".split())
_FRACTIONS = frozenset("""half halves third thirds quarter quarters fifth fifths sixth sixths seventh sevenths eighth
eighths ninth ninths tenth tenths""".split())


def asks_for_money(q: qa.Question) -> bool:
    """'How much did it cost?', 'How much money did he steal?' (the question's own "how much", not
    one a follow-up borrowed: "Who paid for it? How much did the camera cost?")."""
    if q.words[:2] == ("how", "much"):
        # "How much of its income ...?", "How much did revenue rise?": a share or a change, often in percent
        share_or_change = q.words[2:3] == ("of",) or bool(set(q.words) & _CHANGES)
        return bool(set(q.words) & _PRICE_WORDS) and not share_or_change
    return q.answer_type == qa.COUNT and bool(qa.asked_nouns(q) & _PRICE_NOUNS)  # "What was the price of ...?"


# Words that make "how much" a price, strictly enough to decline without an amount of money; the
# wider _MONEY_WORDS ("raised", "sold", ...) only make an amount of money the likelier answer.
_PRICE_WORDS = frozenset("""money cost costs costing pay pays paying paid spend spends spending spent price worth
revenue revenues income profit profits salary salaries wage wages fee fees invest invests investing invested
earn earns earning earned budget loan borrow borrowed""".split())
_PRICE_NOUNS = frozenset("price cost fee fare salary".split())
_CHANGES = frozenset("""increase increased increases rise rose risen rises grow grew grown grows fall fell fallen falls
drop dropped drops decrease decreased decreases cut cuts reduce reduced change changed alter""".split())


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


_TALLY_NOUNS = frozenset("vote votes score scoreline result margin tally".split())
# "by 27 votes to 19", "27-19", "3–2": two counts set against each other (not "1858-9" nor "2015–16")
_TALLY = re.compile(r"(?<![\w.,])(\d{1,3}(?:\s+votes?)?\s+to\s+\d{1,3}|\d{1,3}\s?[-–]\s?\d{1,3})(?![\w.,]?\d)")


def tally(text: str, q: qa.Question) -> tuple[int, int] | None:
    """'What was the vote?', 'What was the score?': the first tally of the sentence ("27 votes to
    19", "3-2"), or None when the question asks for none or the sentence gives none."""
    if not qa.asked_nouns(q) & _TALLY_NOUNS or qa.how_word(q) is not None:
        return None
    m = _TALLY.search(text)
    return m.span(1) if m else None


def _counts(toks: list[_Tok], text: str, q: qa.Question, analyzer: Analyzer) -> list[tuple[float, int, int]]:
    """The numbers of a sentence, scored as answers to a count or measure question."""
    nouns = qa.counted_nouns(q, analyzer)
    dimension = measure_asked(q)
    measure = dimension is not None
    distance = dimension in _DISTANCES
    years = {w for w in q.words if qa.is_year(w)}
    money = qa.how_word(q) == "much" and bool(set(q.words) & _MONEY_WORDS)
    units = asked_unit(q)
    share = bool(set(q.words) & _SHARE_WORDS)
    change = qa.how_word(q) in ("much", "many") and bool(set(q.words) & _CHANGE_WORDS)
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
                score += DIMENSION if after == dimension else -DIMENSION
        elif things and _clock_or_money(toks, text, a, b):
            continue  # "at 11 a.m.", "£1,250": no count of the workers asked about
        elif b in part:
            score += COUNTED_NOUN  # "11 of the then 12 member states": some of the states counted
        elif nouns and any(analyzer.stem(toks[j].word) in nouns for j in range(b + 1, min(b + 3, len(toks)))):
            score += COUNTED_NOUN
        elif _hyphened(toks, text, b):
            score -= COMPOUND  # "ten-man Corby", "a four-day week": a modifier, not how many
        end = b + 1 if b + 1 < len(toks) and toks[b + 1].word in _CURRENCY_WORDS else b  # "30 marks"
        if money and is_money(text, (_start_char(text, toks[a]), toks[end].end)):
            score += MONEY
        b = end  # an amount keeps its currency, asked for or not: "2 euros", not "2"
        if share and _is_percent(toks, text, b):
            score += PERCENT  # "only 52 percent of patients" for "what share of patients"
        if _of_the_time_asked(toks, b, q):
            score += OF_THE_TIME  # "up from 39,200 a year earlier" for "And a year earlier?"
        if years and b + 2 < len(toks) and toks[b + 1].word in ("in", "for") and toks[b + 2].word in years:
            score += OF_THE_YEAR  # "fell from £2.1 million in 2021": the amount of the year asked about
        if change and _after_by(toks, a):
            score += BY_HOW_MUCH  # "reduce the payment on a mortgage of 200,000 marks by about 30 marks"
        out.append((score, a, b))
    if dimension == "long":  # "kept indoors for a fortnight": a time said without a number
        out += [(1.0 + WITH_UNIT, i, i + 1) for i in _one_period(toks)]
    return out


_PERIODS = frozenset("second minute hour day week fortnight month year decade century".split())


def _one_period(toks: list[_Tok]) -> list[int]:
    """Where "a" or "an" opens a single period of time the question does not name ("a fortnight",
    "an hour")."""
    return [i for i in range(len(toks) - 1) if toks[i].word in ("a", "an")
            and toks[i + 1].word in _PERIODS and not toks[i + 1].in_question]


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
    if measure_asked(q) == "long" and _one_period(_tokens(text, q, analyzer)):
        return True  # "How long will she be kept in?" - "for a fortnight"
    if not qa.holds_amount(ws):
        return False
    if not _counts_things(q, analyzer) or any(qa.is_quantity_word(ws, i) for i in range(len(ws))):
        return True
    toks = [t._replace(in_question=False) for t in _tokens(text, q, analyzer)]  # the question's own numbers too
    runs = _numbers(toks, text)  # none: "2000 guests" reads as a year there, and still counts
    nouns = qa.counted_nouns(q, analyzer)

    def counts(a: int, b: int) -> bool:  # "a four-valve engine" counts valves; "a ten-minute walk" counts no cup wins
        return not _clock_or_money(toks, text, a, b) and not _span_of_time(toks, b, q) and (
            not _hyphened(toks, text, b) or any(analyzer.stem(t.word) in nouns for t in toks[b + 1:b + 3]))
    return not runs or any(counts(a, b) for _, a, b in runs)


def _span_of_time(toks: list[_Tok], b: int, q: qa.Question) -> bool:
    """'over the past 20 years', 'about 20 times the size': a number of years or times counts no
    'people' (unless the question counts a time itself: 'how many days' may be '4 weeks'; the
    three words after 'how many' say what it counts, not "last year's" further on)."""
    after = toks[b + 1].word if b + 1 < len(toks) else ""
    ws = list(q.words)
    counted = ws[ws.index("many") + 1:ws.index("many") + 4] if "many" in ws else ws
    return after in _ELAPSED and not _ELAPSED & set(counted)


def _an_age(toks: list[_Tok], text: str, a: int, b: int) -> bool:
    """'Oren Vasko, 58, who ran ...': a whole number between commas right after a name."""
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


BY_HOW_MUCH = 1.0  # for "how much did it fall?", the amount after "by", not the one that fell
_CHANGE_WORDS = _CHANGES | frozenset("""down up lower higher raise raised lowered shrink shrank shrunk gain gained gains
lose lost loses go goes went climb climbed jump jumped slump slumped""".split())


def _after_by(toks: list[_Tok], a: int) -> bool:
    """Whether the amount opening at token `a` follows "by", maybe with "about", "around", "some"
    or "nearly" between."""
    k = a - 1
    while k >= 0 and toks[k].word in ("about", "around", "some", "nearly", "almost", "roughly", "just", "over"):
        k -= 1
    return k >= 0 and toks[k].word == "by"


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
_ELAPSED = _TIME_UNITS | frozenset("decade decades century centuries times".split())  # "over the past 20 years"
UNITS = frozenset("""second seconds minute minutes hour hours day days week weeks month months year years
decade decades century centuries mile miles kilometre kilometres kilometer kilometers km metre metres meter
meters m cm mm foot feet ft inch inches yard yards nautical pound pounds lb lbs kilogram kilograms kg
gram grams ton tons tonne tonnes acre acres hectare hectares square cubic degree degrees mph kph knots
storey storeys story stories floor floors""".split())


# Nouns that ask for a measure as "how <adjective>" does: "What distance did she run?" is "How far ...?"
_MEASURE_NOUNS = {"distance": "far", "length": "long", "height": "high", "width": "wide", "depth": "deep",
                  "weight": "heavy", "speed": "fast", "size": "big"}


def measure_asked(q: qa.Question) -> str | None:
    """The dimension a measure question asks for, as its "how" word: 'How far ...?' and 'What
    distance ...?' -> 'far', 'How much weight ...?' -> 'heavy'; None for other questions."""
    how = qa.how_word(q)
    if how in MEASURES:
        return how
    if qa.asks_how_long_it_took(q):
        return "long"  # "What was the winning time?": "2 hours 18 minutes"
    return next((_MEASURE_NOUNS[n] for n in sorted(qa.asked_nouns(q)) if n in _MEASURE_NOUNS), None)


def measure_units(how: str | None) -> frozenset[str]:
    """The units the answer to "how <how>" carries: any of UNITS, but a distance ("how far", "how
    near") is never a time ("it last passed near the Sun about 40,000 years ago")."""
    return UNITS - _TIME_UNITS if how in _DISTANCES else UNITS


def _with_unit(toks: list[_Tok], text: str, last: int) -> int:
    """The last token of a measure with its unit: '14' -> '14 kilometres', '3' -> '3 square miles',
    '6' -> '6 hours and 40 minutes', '2' -> '2 hours 18 minutes 40 seconds'."""
    j = last
    while (j + 1 < len(toks) and toks[j + 1].word in UNITS and not toks[j + 1].in_question
           and text[toks[j].end:toks[j + 1].start].strip() in ("", "-")):
        j += 1
        if toks[j].word not in ("square", "cubic", "nautical"):
            break
    if (j > last and j + 3 < len(toks) and toks[j + 1].word == "and" and _is_number(toks[j + 2])
            and toks[j + 3].word in UNITS and _adjacent(toks, text, j, j + 3)):
        return _with_unit(toks, text, j + 2)
    if (j > last and j + 2 < len(toks) and _is_number(toks[j + 1]) and toks[j + 2].word in UNITS
            and _adjacent(toks, text, j, j + 2)):
        return _with_unit(toks, text, j + 1)  # "2 hours 18 minutes", "6 feet 2 inches"
    return j


_AGE_BEFORE = frozenset("age aged turned turning".split())
_AGE_UNITS = frozenset("year years month months".split())


def _age(toks: list[_Tok], text: str) -> tuple[int, int] | None:
    """An age as it is written: "aged 63", "at the age of 63", "turned 39", "63 years old",
    "a 63-year-old", "Hale, who is 58,", and "Hale, 58," or "Hale was 58" when Hale is whom the question names;
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
        # "Ada Lowe, who is seventy-three, said ...": a number alone in a relative clause about someone
        last = i
        relative = prev is not None and prev.word in ("is", "was") and i > 1 and toks[i - 2].word == "who"
        if relative:
            while (last + 1 < len(toks) and _is_number(toks[last + 1])
                   and text[toks[last].end:toks[last + 1].start] == "-"):
                last += 1  # "seventy-three"
            relative = text[toks[last].end:].lstrip()[:1] in (",", ".", "")
        if said_age or aged or named or relative:
            end = toks[j - 1] if said_age and j > i + 1 else toks[last] if relative else t
            found.append((named, -i, t.start, _end_char(text, end)))
    if not found:
        return None
    best = max(found)
    return best[2], best[3]
