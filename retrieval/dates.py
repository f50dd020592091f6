"""Dates for "when" questions: weekdays, months, years, decades, centuries and times of day.

A date is a run of date words ("Tuesday 4 March", "1998 and 2004", "the 1960s", "11 a.m.") with
the words that place it in time before it ("last week", "early 1990s") and the ordinal of a century
("the 17th century"); for "in what year" only its year is kept.
"""

from __future__ import annotations

import re

from retrieval import question as qa
from retrieval.tokens import _RANGE_JOINERS, _Tok, _runs

_TIME_MODIFIERS = frozenset("this last next earlier later that each every early late mid the".split())
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}$")  # "6:40", "10.15"
_MERIDIEM = frozenset("am pm am. pm.".split())


def holds_clock(ws: list[str]) -> bool:
    """Whether the folded words give a time of day: "3:47 a.m.", "9pm", "noon" (not the "am" of "I am")."""
    return any((":" in w and _CLOCK.match(w)) or w in ("noon", "midnight")
               or (w in _MERIDIEM and i > 0 and ws[i - 1].isdigit()) for i, w in enumerate(ws))


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
