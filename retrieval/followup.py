"""Elliptical follow-ups ('And in June?', 'What else did he say?') resolved from the chat's last turn."""

from __future__ import annotations

from collections.abc import Callable

from retrieval import question as qa
from retrieval.models import ChatState
from retrieval.names import names_a_person
from retrieval.spelling import is_word, lexicon
from retrieval.text import stopwords, words

PRONOUNS = frozenset("he she him his her hers they them their theirs it its".split())
_OPENERS = ("and ", "what about ", "how about ", "also ", "but ")
_TIME_WORDS = qa.MONTHS | qa.WEEKDAYS | frozenset(
    "week weekend month year today yesterday tomorrow tonight morning evening".split())


def _content(ws: list[str], language: str) -> list[str]:
    stops = stopwords(language)
    return [w for w in ws if w not in stops and w not in PRONOUNS and w not in ("else", "and")]


_TIME_LEAD = frozenset("this last next in on at during the a of to since by until from".split())


def _without_time(text: str) -> str:
    """The previous question with its own time expressions removed, each with the words that lead
    into it ('in the year to March'), so the follow-up's time replaces them."""
    kept: list[str] = []
    for token in text.split():
        core = token.strip("?,.!").lower()
        if core in _TIME_WORDS or qa.is_year(core):
            while kept and kept[-1].lower() in _TIME_LEAD:
                kept.pop()
        else:
            kept.append(token)
    return " ".join(kept)


_PREPOSITIONS = frozenset("""in to at on for from by with over under near about after before during into
across against among between outside inside within""".split())


def _swap_phrase(previous: str, follow_up: str) -> str | None:
    """'How close will the comet come to the Sun?' + 'to Earth?' -> 'How close will the comet come
    to Earth?': a follow-up that is one phrase opening with a preposition replaces the previous
    question's last phrase opening with it (up to its next preposition). None when there is none."""
    new = follow_up.strip().rstrip("?").strip()
    head = new.split()[0].lower() if new else ""
    if head not in _PREPOSITIONS or any(w.lower() in _PREPOSITIONS for w in new.split()[1:]):
        return None
    tokens = previous.rstrip("?").split()
    at = max((i for i, t in enumerate(tokens) if t.lower() == head), default=None)
    if at is None:
        return None
    end = next((j for j in range(at + 1, len(tokens)) if tokens[j].lower() in _PREPOSITIONS), len(tokens))
    return " ".join(tokens[:at] + [new] + tokens[end:]) + "?"


_ORDINALS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth".split())


_PUNCT = "?,.!;:"  # what a word of a question may carry that is no part of it


def _kind(token: str) -> str | None:
    """'possessive' for "women's" or "Tories'", 'ordinal' for "second" or "2nd", else None."""
    core = token.strip(_PUNCT).replace("\u2019", "'")
    low = core.lower()
    if low in _ORDINALS or (low[:-2].isdigit() and low[-2:] in ("st", "nd", "rd", "th")):
        return "ordinal"
    if len(low) > 2 and (low.endswith("'s") or low.endswith("s'")):
        return "possessive"
    return None


def _swap_parallel(previous: str, follow_up: str) -> str | None:
    """'What was the winning time in the men's race?' + 'What about the women's?' -> '... in the
    women's race?'; 'When was the first vote?' + 'And the second?' -> 'When was the second vote?':
    a short follow-up whose one possessive or ordinal stands where the previous question has one
    of its own replaces it. None when there is no such pair."""
    new = follow_up.strip().rstrip("?").split()
    kinds = [_kind(t) for t in new]
    if not 1 <= len(new) <= 3 or sum(k is not None for k in kinds) != 1:
        return None
    word, kind = next((t, k) for t, k in zip(new, kinds) if k)
    tokens = previous.rstrip("?").split()
    at = max((i for i, t in enumerate(tokens) if _kind(t) == kind and t.strip(_PUNCT).lower() != word.lower()),
             default=None)
    if at is None:
        return None
    core = tokens[at].strip(_PUNCT)
    tokens[at] = tokens[at].replace(core, word, 1)
    return " ".join(tokens) + "?"


_PERSONAL = frozenset("he she him her his hers".split())
_LOOK_BACK = 2  # how many turns before the last one a "he" or "she" may still point to
_THING = frozenset("it its they them their".split())
_IT = frozenset("it its".split())
_POSSESSIVES = frozenset("his hers its their".split())
_BE = frozenset("is are was were be been".split())


def _bound(ws: list[str], i: int, language: str, named_before: bool) -> bool:
    """Whether the possessive ws[i] points back to a noun of the question itself that agrees with
    it (or to a name it writes, `named_before`): "How many people had to leave their homes?", "Why
    did the company cut its forecast?", "What did the mayor say about her plan?" ask nothing of the
    last turn; "How many people work for its shops?" does (people are no "it"). "her" is a
    possessive only before a word: "Who hired her?" is about someone before."""
    w = ws[i]
    if w == "her" and not (i + 1 < len(ws) and not _stop(ws[i + 1], language)):
        return False
    before = set(ws[:i])
    if w == "its":
        return named_before or bool(before & (qa.ORG_NOUNS | qa.PLACE_NOUNS))
    if w == "their":
        return bool(before & _PLURAL_PEOPLE) or any(v.endswith("s") and v in qa.TYPE_NOUNS for v in before)
    if w in ("his", "her"):
        return named_before or any(v in qa.PERSON_NOUNS and not v.endswith("s") for v in before)
    return False


_ROLE_NOUNS = qa.PERSON_NOUNS | qa.PLACE_NOUNS | qa.ORG_NOUNS  # "the mayor", "the stadium", "the company"
_PLURAL_PEOPLE = frozenset("people men women children police staff residents workers".split())


def _named_before(question: str, pronoun: str) -> bool:
    """Whether the question writes a name before its first `pronoun` ("Why did Brellmoor cut its
    forecast?")."""
    tokens = question.split()
    at = next((k for k, t in enumerate(tokens) if t.strip(_PUNCT).lower() == pronoun), 0)
    return _names_something(" ".join(tokens[:at]))


def _stop(word: str, language: str) -> bool:
    return word in stopwords(language) or word in qa.AUXILIARIES


def _place_there(ws: list[str]) -> bool:
    """'live there', 'go there': a place; not 'Is there ...?', 'there are' or 'will there be'."""
    return any(w == "there" and (i == 0 or ws[i - 1] not in _BE) and (i + 1 == len(ws) or ws[i + 1] not in _BE)
               for i, w in enumerate(ws))


def _named(question: str, name: str, pronouns: frozenset[str]) -> str:
    """'How old is she?' after 'Who leads the party?' answered 'Dagny Ostrowe' -> 'How old is Dagny
    Ostrowe?'; 'Where is it based?' after 'Which rival is it buying?' answered 'Nimbrel Data' ->
    'Where is Nimbrel Data based?'."""
    out = []
    for token in question.split():
        core = token.strip(_PUNCT)
        if core.lower() in pronouns:
            token = token.replace(core, f"{name}'s" if core.lower() in _POSSESSIVES else name, 1)
        out.append(token)
    return " ".join(out)


def _topic(question: str) -> str:
    """The previous question without what it asked: its question words (and the word after "how"),
    auxiliaries, pronouns, repeated words and question marks, so that "Who is the manager?" after
    "How old is Ada Lowe?" borrows "Ada Lowe" and not "how old" (which made it a question about an
    age), and a topic carried over several turns does not grow with each."""
    kept: list[str] = []
    skip = False
    for token in question.replace("?", " ").split():
        core = token.strip(",.!;:").lower()
        if core in qa.WH_WORDS or core in PRONOUNS or (core in qa.AUXILIARIES and token != "May"):  # not the month
            skip = core == "how"
            if core in qa.WH_WORDS and kept and kept[-1].lower() in _PREPOSITIONS:
                kept.pop()  # "By how much?", "In which year?": the preposition went with what was asked
            continue
        if skip:
            skip = False
            if core in qa.COUNT_HOW:
                continue
        if token not in kept:  # a topic carried over several turns is not said again each time
            kept.append(token)
    return " ".join(kept)


def _capitalised(question: str) -> list[str]:
    """The words a question writes with a capital after its first, months, weekdays and "I" aside
    ("Was Pennyfeather found guilty?" -> ["Pennyfeather"])."""
    return list(dict.fromkeys(t.strip("?,.!;:'’") for t in question.split()[1:]
                              if t[:1].isupper() and t != "I" and t.strip("?,.!").lower() not in _TIME_WORDS))


def _names_something(question: str) -> bool:
    """Whether the question writes a word after its first with a capital ("Who is Ostrowe?"), a month
    or weekday aside ("How many in May?" is about the last question's topic)."""
    return bool(_capitalised(question))


def asks_only_for_more(question: str, language: str = "english") -> bool:
    """'What else did he say?': 'else' and nothing new to look for."""
    ws = words(question)
    return "else" in ws and not [w for w in _content(ws, language) if w not in qa.LIGHT_WORDS]


def resolve(question: str, state: ChatState, language: str = "english",
            on_topic: Callable[[list[str]], bool] | None = None) -> tuple[str, bool]:
    """(the question to answer, whether the previous quotes should be skipped: 'what else ...').
    `on_topic`, when given, says whether words belong to what the last answer quoted (its
    document): a short question whose own word does not ("When is the strike?" after a festival's
    refunds) changes the subject and is asked as it stands."""
    last = state.last
    if not last or not last.get("resolved"):
        return question, False
    ws = words(question)
    low = question.lower().strip()
    content = _content(ws, language)
    person, thing = last.get("person"), last.get("thing")
    names = [n for n in last.get("names", []) if isinstance(n, str)]
    if set(ws) & _IT and set(words(str(last.get("question", "")))) & _IT:
        # "it" said again is what the last question called "it", not its answer ("Who built it?" -
        # "Ferrow College" - "How fast can it charge?": the battery, not the college)
        names = [n for n in names if n in str(last.get("resolved", ""))]  # the question's, not the answer's
        thing = None
    if set(ws) & _PERSONAL and not (person or thing or names):
        # "Was Pennyfeather found guilty?" - "How much did he steal?": he is the one name it wrote;
        # "Why was Vrbanek banned?" - "How long is the ban?" - "When can he race again?": when the
        # last turn named nobody, he is still the one named a turn or two before
        known = lexicon(language)
        for turn in reversed(state.turns[-1 - _LOOK_BACK:]):
            # a lone capitalised word that is no word of the language is someone's name ("Vrbanek";
            # not "Rovers")
            solo = [w for w in _capitalised(str(turn.get("resolved", ""))) if not is_word(w.lower(), known)]
            if turn.get("person") or turn.get("names") or solo:
                names = [n for n in turn.get("names", []) if isinstance(n, str)]
                person = turn.get("person") or (solo[0] if len(solo) == 1 and not names else None)
                break
    there = isinstance(thing, str) and _place_there(ws)  # "How many people live there?" after "Which village ...?"
    opening = next((len(words(p)) for p in _OPENERS if low.startswith(p)), 0)  # "what about" asks nothing
    has_wh = any(w in ("what", "which", "who", "whom", "whose", "when", "where", "why", "how") for w in ws[opening:])
    pronoun = there or any(w in PRONOUNS and not _bound(ws, i, language, _named_before(question, w))
                           for i, w in enumerate(ws))
    opener = low.startswith(_OPENERS)
    elliptical = opener or len(content) <= 1 or "else" in ws
    if elliptical and not opener and "else" not in ws and has_wh and _names_something(question):
        elliptical = False  # "Who is Ostrowe?": one word besides the question's own, but a name, a new topic
    topical = [w for w in content if w not in qa.TYPE_NOUNS and w not in qa.LIGHT_WORDS]  # not "day" of "On what day?"
    if elliptical and not opener and "else" not in ws and topical and on_topic is not None and not on_topic(topical):
        elliptical = False
    if not (elliptical or pronoun):
        return question, False
    if not opener and "else" not in ws:  # the pronoun stands for the name the last answer gave
        if isinstance(person, str) and person and set(ws) & _PERSONAL:
            return _named(question, person, _PERSONAL), False
        if not person and len(names) == 1 and set(ws) & _PERSONAL and names_a_person(names[0]):
            # "Who won the race?" - "How long did it take him?" - "What does he do?": the one
            # person the last question named, though it asked nothing about them
            return _named(question, names[0], _PERSONAL), False
        if isinstance(thing, str) and thing and (there or set(ws) & _THING):
            return _named(question, thing, _THING | ({"there"} if there else set())), False
        if not person and not thing and len(names) == 1 and set(ws) & _THING - {"they", "them", "their"}:
            return _named(question, names[0], _THING), False  # "Who leads it?" after "How many seats did The SDF win?"
    previous = str(last["resolved"])
    asks_time = any(w in _TIME_WORDS or qa.is_year(w) for w in ws)
    base = question
    for prefix in _OPENERS:
        if low.startswith(prefix):
            base = question[len(prefix):]
            break
    if isinstance(person, str) and person and set(ws) & _PERSONAL:
        base = _named(base, person, _PERSONAL)  # "And when can he race again?": he is still the one named
    swapped = None if asks_time or has_wh else (_swap_phrase(previous, base) or _swap_parallel(previous, base))
    if swapped:
        resolved = swapped
    elif elliptical and not has_wh:
        resolved = f"{_without_time(previous) if asks_time else previous.rstrip('?')} {base}"
    elif elliptical and not pronoun and not opener and content and all(
            w in _ROLE_NOUNS and k and ws[k - 1] == "the" for w in content for k in [ws.index(w)]):
        # "Who is the mayor?" after "How many people died?": a whole question about someone the
        # documents name by role; of the last turn it takes the names only (the people who died
        # had led it to the sentence about an earlier quake)
        resolved = f"{base} {' '.join(names)}"
    elif elliptical:
        context = _topic(_without_time(previous) if asks_time else previous)
        named = " ".join(n for n in names if n.lower() not in context.lower()) if pronoun else ""
        resolved = f"{base} {named} {context}"  # a name the topic already holds is not said twice
    else:
        resolved = f"{base} {' '.join(names)}" if names else f"{base} {previous}"
    return " ".join(resolved.split()), "else" in ws
