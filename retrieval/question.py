"""Question analysis: what kind of answer is wanted, and which words of the question must be matched.

Pure functions over the question text; the word lists are generic English question vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

from retrieval.text import Analyzer, word_spans, words

# Answer types, in the order the rules below try them.
COUNT, DATE, PERSON, ORGANISATION, PLACE, REASON, YES_NO, DESCRIPTION = (
    "count", "date", "person", "organisation", "place", "reason", "yes-no", "description")
ANSWER_TYPES = (COUNT, DATE, PERSON, ORGANISATION, PLACE, REASON, YES_NO, DESCRIPTION)

AUXILIARIES = _AUXILIARIES = frozenset(
    "is are was were am do does did can could will would shall should has have had may might must".split())
_COUNT_HOW = frozenset("many much long old far close near large big tall high often wide deep fast heavy".split())
COUNT_HOW = _COUNT_HOW
_DATE_NOUNS = frozenset("""year years day days date dates time month months century centuries decade decades
era period season week weeks hour morning evening night""".split())
DATE_NOUNS = _DATE_NOUNS
_PLACE_NOUNS = frozenset("""country countries city cities state states place places region regions continent
town towns village island islands area location province county nation river mountain ocean sea street
building stadium airport border capital district""".split())
PLACE_NOUNS = _PLACE_NOUNS
_ORG_NOUNS = frozenset("""organization organisation organizations organisations company companies newspaper
paper papers office agency agencies group groups team teams university universities party parties
institution firm firms band network channel department ministry court government club school college
church magazine publication publisher army""".split())
ORG_NOUNS = _ORG_NOUNS
_PERSON_NOUNS = frozenset("""person people man woman men women president leader king queen author writer
official officials player players reporter reporters scientist artist composer architect founder
emperor general minister chancellor governor mayor director singer actor actress""".split())
PERSON_NOUNS = _PERSON_NOUNS
# Words between "the name of" and the noun it names.
_BEFORE_NAMED = frozenset("""of the a an this that its his her their first second third fourth fifth last other new
former current late young old""".split())
# Places and bodies a "which" question or "the name of the ..." wants a proper name for.
_NAMED_THINGS = frozenset("""country countries city cities town towns village villages island islands province
county nation river mountain ocean sea street stadium airport continent company companies firm firms
manufacturer manufacturers maker laboratory laboratories lab newspaper magazine publisher agency agencies team
teams club clubs university universities college party parties church airline bank charity hospital museum
organization organisation""".split())  # not "state" ("in what state is the fluid") nor "schools"
# Words that end the noun phrase after "the name of".
_PHRASE_ENDS = _AUXILIARIES | frozenset("""what which who whom whose when where why how that in at on for from to
by with about during after before as""".split())
# People whose name "What is the name of the ...?" asks for: a proper name, not a description.
_NAMED_PEOPLE = _PERSON_NOUNS | frozenset("""captain chairman chairwoman judge owner landowner manager coach chef
pilot driver victim suspect husband wife son daughter mother father brother sister boy girl officer spokesman
spokeswoman predecessor successor""".split())  # not "doctor": "the first Doctor Who serial"
NAMED_PEOPLE = _NAMED_PEOPLE
_COUNT_NOUNS = frozenset("""number percentage percent amount proportion share population size total magnitude
temperature speed height depth length weight width distance score margin price cost fee fare salary""".split())
# Number words a question or a sentence may use for a count.
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "thousand": 1000, "million": 10**6, "billion": 10**9, "dozen": 12,
}
# Words that give an amount without a number ("several lakes", "about half", "twice a year").
QUANTITY_WORDS = frozenset("""several few half third thirds quarter quarters dozens hundreds thousands millions
billions twice thrice single none""".split())
MONTHS = frozenset("""january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec""".split())
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
# Words after which a month's name in lower case is a noun: "the march", "their march".
DETERMINERS = frozenset("the a an his her its their our my your".split())
_STOP_AFTER = frozenset("of in on at to for from by with that which who the a an and or".split())
_SKIPPED_AFTER_WH = frozenset("is was are were the a an full kind type sort exact".split())
_WH = frozenset("what which who whom whose when where why how".split())
WH_WORDS = _WH
_YEAR = re.compile(r"^(1[0-9]{3}|20[0-9]{2})s?$")
# Words in a question that point at the document itself rather than at its content.
_DOC_NOUNS = frozenset("article story piece text document report post page essay".split())
DOC_NOUNS = _DOC_NOUNS
# Nouns that name the kind of answer ("which country", "how many people"): not topic words.
# Relational nouns ("the capital of", "the population of") stay topic words: the answer sentence uses them.
TYPE_NOUNS = (_DATE_NOUNS | _PLACE_NOUNS | _ORG_NOUNS | _PERSON_NOUNS | frozenset(
    "number amount total name names far long many much old".split())) - frozenset("capital border".split())
_NAME_JOINERS = frozenset("of de da del della der van von la le du y and for the".split())
_NAME_WORD = re.compile(r"^[A-Z][\w'’.-]*$")


@dataclass(frozen=True)
class Question:
    text: str
    answer_type: str
    words: tuple[str, ...]  # folded surface words
    terms: tuple[str, ...]  # index terms (stems, stopwords dropped), in order
    names: tuple[tuple[str, ...], ...]  # multiword capitalised names, folded words each
    numbers: tuple[str, ...]  # numbers and years the question names, as digits
    about_document: str | None  # "author", "date", "publication", "title" for questions about the file itself

    @property
    def acronyms(self) -> dict[str, tuple[str, ...]]:
        """The acronym term of each multiword name, with the name: {'us.': ('united', 'states')}."""
        return {a: name for name in self.names if (a := acronym(name)) is not None}

    @property
    def specific(self) -> tuple[str, ...]:
        """Numbers and years: a candidate that lacks one of them does not answer the question."""
        return self.numbers

    @cached_property
    def asked(self) -> frozenset[str]:
        """asked_nouns(self), worked out once: a dozen steps of one answer read it."""
        return _asked_nouns(self)

    @cached_property
    def dates(self) -> tuple[str, ...]:
        """The months and weekdays the question names ("in March", "on friday"), folded: a candidate
        without them does not answer it. "may" is a verb far more often than a month, and a month
        in lower case after an article or a possessive is a noun ("joined the march")."""
        out = []
        folded = words(self.text)
        if MONTHS.isdisjoint(folded) and WEEKDAYS.isdisjoint(folded):
            return ()
        for k, (w, (a, _)) in enumerate(zip(folded, word_spans(self.text))):
            if (w not in MONTHS and w not in WEEKDAYS) or w == "may":
                continue
            if self.text[a].islower() and k > 0 and folded[k - 1] in DETERMINERS:
                continue
            out.append(w)
        return tuple(out)


def acronym(name: tuple[str, ...]) -> str | None:
    """The index term of a name's initials: ('united', 'states') -> 'us.', which is also what the
    analyzer makes of "U.S." and "US"; None when fewer than two words give an initial."""
    initials = [w[0] for w in name if w[:1].isalpha() and w not in _NAME_JOINERS]
    return "".join(initials) + "." if len(initials) >= 2 else None


def number_value(word: str) -> str | None:
    """'four' -> '4', '1,000' -> '1000', '1999' -> '1999'; None for words that are not numbers."""
    if word in NUMBER_WORDS:
        return str(NUMBER_WORDS[word])
    plain = word.replace(",", "")
    if plain.isdigit():
        return str(int(plain))
    return None


_SPEECH_VERBS = frozenset("""say said says tell told think thought write wrote written claim claimed argue
argued warn warned believe believed feel felt""".split())


_SAID_TOPIC = frozenset("about on of".split())
_SAYING = frozenset("say said says tell told".split())
_DO_AUXILIARIES = frozenset("do does did has have had will would".split())


def asks_what_said(q: Question) -> bool:
    """'What did the mayor say?', 'What did she say about the fare?': the words someone said are
    the answer, not a thing they name. Not 'What did she say the city would do?', which asks for
    a part of them, nor 'Who said ...?'."""
    ws = words(q.text.split("?")[0])  # a follow-up's borrowed words come after its own question
    if len(ws) < 4 or ws[0] != "what" or ws[1] not in _DO_AUXILIARIES:
        return False  # "What is said to be ...?" asks for a thing
    verb = next((i for i, w in enumerate(ws) if w in _SAYING), None)
    return (verb is not None and "that" not in ws[:verb]  # "What did X claim that Y said of ...?" asks for a part
            and (verb + 1 == len(ws) or ws[verb + 1] in _SAID_TOPIC))


def topic_after_about(q: Question, analyzer: Analyzer) -> frozenset[str]:
    """Stems of the content words after 'say about' ('What did she say about Paris?' ->
    {'pari'}); empty unless the question asks what someone said, wrote or thought. Only the first
    question counts: a follow-up resolved as "What did she say about X? Mara Lind" carries
    the names it borrowed after it."""
    ws = words(q.text.split("?")[0]) if "?" in q.text else list(q.words)
    if "about" not in ws or not _SPEECH_VERBS & set(ws[:ws.index("about")]):
        return frozenset()
    after = ws[ws.index("about") + 1:]
    return frozenset(analyzer.stem(w) for w in after if not analyzer.is_stopword(w) and w not in LIGHT_WORDS)


def asked_nouns(q: Question) -> frozenset[str]:
    """The nouns that say what kind of answer is wanted: 'how many people', 'which year', 'the name
    of the city' -> {'many', 'people'}, {'year'}, {'name', 'city'}. The same noun elsewhere in the
    question ('... sank this week?') is a topic word."""
    return q.asked


def _asked_nouns(q: Question) -> frozenset[str]:
    ws = list(q.words)
    wh_at = _wh_at(ws)
    if wh_at is None:
        return frozenset()
    nouns = _noun_after(ws, wh_at)
    if nouns and nouns[-1] in ("name", "names"):
        at = wh_at + 1 + ws[wh_at + 1:].index(nouns[-1])
        nouns += [w for w in ws[at + 1:at + 5] if w not in _BEFORE_NAMED][:1]  # "of the third man" -> man
    return frozenset(nouns)


def _wh_at(ws: list[str]) -> int | None:
    """Where the question word is. A leading 'when' not followed by a verb opens a clause ("When
    rock folds deep in the Earth, what does it form?"): the question word is a later one, if any."""
    at = [i for i, w in enumerate(ws) if w in _WH]
    if len(at) > 1 and at[0] == 0 and ws[0] == "when" and len(ws) > 1 and ws[1] not in _AUXILIARIES:
        return next((i for i in at if ws[i] != "when"), at[1])
    return at[0] if at else None


def asks_for_name(q: Question) -> bool:
    """'What is the name of the judge ...?', '... of the club's former chairman?': a person's proper
    name is wanted (not 'the name of the stadium', whose answer may well be 'the Rose Bowl')."""
    asked = asked_nouns(q)
    return bool(asked & {"name", "names"}) and bool((asked | _name_phrase(q)) & _NAMED_PEOPLE)


def asks_what_called(q: Question) -> bool:
    """'What is the vaccine called?', 'What are they known as?' (not 'What is the name of ...?', whose
    answer is seldom introduced so)."""
    ws = q.words
    return bool(ws) and ws[0] in ("what", "which") and (ws[-1] == "called" or ws[-2:] == ("known", "as"))


def names_something(ws: Sequence[str]) -> bool:
    """Whether a sentence's words give something a name: "known as", "is called", "also called"
    (not "called the contest", which is calling, not naming)."""
    return any((w == "known" and tuple(ws[k + 1:k + 2]) == ("as",))
               or (w == "called" and k and ws[k - 1] in _NAMING_BEFORE) for k, w in enumerate(ws))


_NAMING_BEFORE = frozenset("is are was were be been also now later often sometimes commonly so".split())


def asks_for_named_thing(q: Question) -> bool:
    """'Which firm built it?', 'What is the name of the security company ...?': the answer is a
    place or body known by a proper name ('the Rose Bowl', 'the northern city of Ravensholt'), not a
    description. A person's name is `asks_for_name`."""
    asked = asked_nouns(q)
    if asked & {"name", "names"}:
        return not asks_for_name(q) and bool(_name_phrase(q) & _NAMED_THINGS)
    ws = q.words
    wh_at = _wh_at(list(ws))
    if wh_at is None or ws[wh_at] not in ("which", "what") or ws[wh_at + 1:wh_at + 2] == ():
        return False
    if ws[wh_at + 1] in _NAMED_THINGS:
        return True  # "which firm", not "what were European countries doing"
    # "which rival snack maker did she join?": the head noun is the word before the auxiliary
    phrase = ws[wh_at + 1:wh_at + 5]
    at = next((i for i, w in enumerate(phrase) if w in _PHRASE_ENDS), None)
    return at is not None and at > 1 and phrase[at - 1] in _NAMED_THINGS and "of" not in phrase[:at]  # "what kind of"


def named_noun(q: Question) -> str | None:
    """The noun whose proper name a name question asks for: 'Which firm built it?' -> 'firm', 'What
    was the name of the transport minister who ...?' -> 'minister', 'Which rival snack maker did she
    join?' -> 'maker'; None for other questions."""
    if not (asks_for_named_thing(q) or asks_for_name(q)):
        return None
    phrase = _name_phrase_words(q)
    if phrase:
        head = phrase[len(phrase) - phrase[::-1].index("s"):] if "s" in phrase else phrase  # "the judge's wife"
        named = [w for w in head if w in _NAMED_THINGS or w in _NAMED_PEOPLE]
        return named[-1] if named else None
    ws = list(q.words)
    wh_at = _wh_at(ws)
    if wh_at is None or wh_at + 1 >= len(ws):
        return None
    if ws[wh_at + 1] in _NAMED_THINGS:
        return ws[wh_at + 1]
    phrase = ws[wh_at + 1:wh_at + 5]
    end = next((i for i, w in enumerate(phrase) if w in _PHRASE_ENDS), None)
    return phrase[end - 1] if end else None


def _name_phrase(q: Question) -> frozenset[str]:
    """The words of the noun phrase after 'name of' ('the name of the trust's former chairman who
    ...' -> the, trust, s, former, chairman): its head noun may come after a possessive."""
    return frozenset(_name_phrase_words(q))


def _name_phrase_words(q: Question) -> list[str]:
    """_name_phrase's words in order; empty when the question has no 'name of'."""
    ws = list(q.words)
    at = next((i for i, w in enumerate(ws) if w in ("name", "names")), None)
    if at is None or ws[at + 1:at + 2] != ["of"]:
        return []
    phrase = []
    for w in ws[at + 2:at + 10]:
        if w in _PHRASE_ENDS:
            break
        phrase.append(w)
    return phrase


def counted_nouns(q: Question, analyzer: Analyzer) -> frozenset[str]:
    """Stems of the nouns a count question asks about: 'how many museums ...' -> {'museum'}."""
    if q.answer_type != COUNT:
        return frozenset()
    return frozenset(analyzer.stem(w) for w in asked_nouns(q) - {"many", "much", how_word(q)})  # not "old", "long"


def nouns_counted_beside(q: Question, analyzer: Analyzer) -> frozenset[str]:
    """counted_nouns whose number stands right before them in the answer ('cut 1,150 jobs'); not
    'people', who are counted in too many ways ('26 people this week' for 'so far this year')."""
    return counted_nouns(q, analyzer) - {analyzer.stem("people"), analyzer.stem("persons")}


def asks_for_year(q: Question) -> bool:
    """'In what year ...?', 'Which year ...?': the answer is a year, nothing else will do."""
    return q.answer_type == DATE and bool(asked_nouns(q) & {"year", "years"})


def holds_amount(ws: list[str]) -> bool:
    """Whether the folded words give an amount: a number, a number word or a word like "several";
    not the day of a date ("on January 1", "1 May")."""
    return any(is_quantity_word(ws, i) or (number_value(w) and not is_day_of_month(ws, i))
               for i, w in enumerate(ws))


def is_quantity_word(ws: list[str], i: int) -> bool:
    """Whether ws[i] gives an amount without a number ("several", "a third of"); not the ordinal of
    "his third start" nor the period of "the third quarter"."""
    w = ws[i]
    if w not in QUANTITY_WORDS:
        return False
    if w in ("third", "quarter"):
        return (i + 1 < len(ws) and ws[i + 1] == "of") or (i > 0 and ws[i - 1] in ("a", "one", "two", "three"))
    return True


_TIME_WORDS = frozenset("""today yesterday tomorrow tonight ago now then soon later earlier after before during
until till since when while once morning afternoon evening night noon midnight dawn dusk spring summer autumn
fall winter season week weekend month year decade century era age period time times day days""".split())


def asks_for_clock(q: Question) -> bool:
    """'What time did the quake hit?', 'At what time ...?': a time of day is wanted."""
    ws = q.words
    return q.answer_type == DATE and any(a in ("what", "which") and b == "time" for a, b in zip(ws, ws[1:]))


def holds_time(ws: list[str]) -> bool:
    """Whether the folded words say when: a month, a weekday, a year, a clock time or a word of time
    ('after', 'yesterday', 'spring')."""
    return any(w in MONTHS or w in WEEKDAYS or w in _TIME_WORDS or is_year(w) or ":" in w or w in ("am", "pm")
               for w in ws)


def how_word(q: Question) -> str | None:
    """The word after 'how' ('How old is she?' -> 'old', 'For how long ...?' -> 'long'), or None."""
    ws = list(q.words)
    return next((b for a, b in zip(ws, ws[1:]) if a == "how"), None)


def asks_for_age(q: Question) -> bool:
    """'How old is she?'"""
    return how_word(q) == "old"


def is_day_of_month(ws: list[str], i: int) -> bool:
    """Whether ws[i] is a number of at most two digits beside a month name ("January 1", "1st of May")."""
    w = ws[i].rstrip("stndrh")
    if not (w.isdigit() and len(w) <= 2):
        return False
    rest = ws[i + 1:i + 4]
    if rest[:1] in (["st"], ["nd"], ["rd"], ["th"]):  # "3rd" read as "3", "rd"
        rest = rest[1:]
    if rest[:1] == ["of"]:
        rest = rest[1:]
    if i > 0 and ws[i - 1] in MONTHS:
        return True
    if not rest or rest[0] not in MONTHS:
        return False
    return rest[0] != "may" or len(rest) == 1 or is_year(rest[1])  # "2 may be" is no date


def answer_type(ws: list[str]) -> str:
    """The kind of answer asked for, from the folded words of the question."""
    if not ws:
        return DESCRIPTION
    wh_at = _wh_at(ws)
    if wh_at is None:
        return YES_NO if ws[0] in _AUXILIARIES else DESCRIPTION
    if ws[0] in _AUXILIARIES and wh_at > 3:
        return YES_NO  # "Is it true that ... which ..."
    wh = ws[wh_at]
    nxt = ws[wh_at + 1] if wh_at + 1 < len(ws) else ""
    # the noun the wh-word asks about: "which year", "what is the full name of"; not "what did ..."
    after = _noun_after(ws, wh_at)
    if wh == "how":
        if nxt in _COUNT_HOW:
            return COUNT
        return DESCRIPTION
    if wh == "when":
        return DATE
    if wh == "where":
        return PLACE
    if wh == "why":
        return REASON
    if wh in ("who", "whom", "whose"):
        return PERSON
    # what / which: look at the noun that follows ("which year", "what is the name of the city")
    if _times_a_run(ws, wh_at):
        return COUNT
    for w in after:
        if w in ("name", "names"):
            return PERSON
        if w in _DATE_NOUNS:
            return DATE
        if w in _COUNT_NOUNS:
            return COUNT
        if w in _PLACE_NOUNS:
            return PLACE
        if w in _ORG_NOUNS:
            return ORGANISATION
        if w in _PERSON_NOUNS:
            return PERSON
    if nxt in ("reason", "cause", "purpose"):
        return REASON
    return DESCRIPTION


# Words before "time" that make it how long something took ("the winning time"), not when it happened.
_RUN_TIMES = frozenset("winning finishing record fastest quickest slowest best total journey travel lap race running".split())


def _times_a_run(ws: list[str] | tuple[str, ...], wh_at: int) -> bool:
    """'What was the winning time?', 'What was her finishing time?': a duration, not a time of day."""
    return any(ws[i] in _RUN_TIMES and ws[i + 1] == "time" for i in range(wh_at + 1, min(len(ws) - 1, wh_at + 5)))


def asks_how_long_it_took(q: Question) -> bool:
    """Whether a what/which question asks for the time something took ('What was the winning time?')."""
    wh_at = _wh_at(list(q.words))
    return wh_at is not None and q.words[wh_at] in ("what", "which") and _times_a_run(q.words, wh_at)


def _noun_after(ws: list[str], wh_at: int) -> list[str]:
    """The (at most two-word) noun the wh-word asks about: 'which bridge engineer was' -> both words,
    'what is the full name of' -> ['name'], 'what drug are the groups' -> ['drug'], 'what did' -> []."""
    i = wh_at + 1
    while i < len(ws) and ws[i] in _SKIPPED_AFTER_WH:
        i += 1
    out = []
    while i < len(ws) and len(out) < 2 and ws[i] not in _AUXILIARIES and ws[i] not in _STOP_AFTER:
        out.append(ws[i])
        i += 1
    return out


def name_phrases(text: str) -> tuple[str, ...]:
    """Runs of two or more capitalised words, not counting the question's first word, as written
    ("The SDF": its folded words lose that "SDF" is an acronym, which the index keeps apart)."""
    raw = re.findall(r"[\w'’.-]+", text)
    if sum(1 for w in raw if w[:1].isupper()) > 0.8 * max(1, len(raw)):
        return ()  # ALL CAPS or Title Case questions carry no name signal
    out, run = [], []
    for i, w in enumerate(raw):
        if i > 0 and _NAME_WORD.match(w):
            run.append(w)
            continue
        if len(run) >= 2:
            out.append(" ".join(run))
        run = []
    if len(run) >= 2:
        out.append(" ".join(run))
    return tuple(out)


def _names(text: str) -> tuple[tuple[str, ...], ...]:
    """The folded words of each of name_phrases(text)."""
    return tuple(tuple(words(run)) for run in name_phrases(text))


# The words that make a question one about the document ("which paper published the article?").
_ABOUT_WORDS = _DOC_NOUNS | frozenset("""when date day published publish publishes written wrote posted dated
appear appeared ran carried printed author authors reporter reporters byline writer writers headline title
called named newspaper paper publication publisher magazine outlet site website which what who""".split())


def document_topic(q: Question) -> list[str]:
    """The words of a question about the document that say which document ("when was the article
    about the comet published?" -> ['comet']); empty when it names none."""
    return [w for w in q.words if w not in _ABOUT_WORDS and w not in _STOP_AFTER and w not in _SKIPPED_AFTER_WH
            and w not in AUXILIARIES and len(w) > 1]


def _about_document(ws: list[str], terms: list[str], own: list[str] | None = None) -> str | None:
    """'Who wrote the article?' -> 'author'; only when the question names the document and little else.
    `own`: the words of the question itself, before any a follow-up borrowed."""
    doc_noun = any(w in _DOC_NOUNS for w in ws)
    wset = set(ws)
    own = ws if own is None else own
    if (own[:1] in (["what"], ["whats"]) and own[-1:] == ["about"] and len(own) <= 7
            and any(w in _DOC_NOUNS or w[:-1] in _DOC_NOUNS for w in own)):
        return "title"  # "What is this article about?": its headline says
    if doc_noun and wset & {"when", "date"} and wset & {"published", "written", "wrote", "posted", "dated", "date",
                                                         "appeared"}:
        return "date"  # also "When?" after "Who wrote the article?"
    if wset & {"wrote", "written", "author", "authors", "reporters", "reporter", "byline", "writer", "writers"} and (
            doc_noun) and (len(terms) <= 4 or "about" in wset):  # "who wrote the article about the comet?"
        return "author"
    if not doc_noun:
        return None
    if wset & {"headline", "title", "called", "named"}:
        return "title"
    if wset & {"newspaper", "paper", "publication", "publisher", "magazine", "outlet", "site", "website"} and \
            wset & {"published", "publish", "publishes", "ran", "appeared", "carried", "printed", "which", "what"}:
        return "publication"
    if wset & {"when", "date", "day"} and wset & {"published", "written", "posted", "dated", "appear", "appeared", "date"}:
        return "date"
    return None


# Question words typed with their "is" and no apostrophe ("whats the name of ...").
_RUN_TOGETHER = {w + "s": (w, "is") for w in ("what", "who", "where", "when", "how", "why", "which")}


def analyse(text: str, analyzer: Analyzer) -> Question:
    ws = words(text)
    terms = analyzer.terms(text)
    if ws and ws[0] in _RUN_TOGETHER:
        run_together = analyzer.stem(ws[0])
        terms = [t for t in terms if t != run_together]
        ws = [*_RUN_TOGETHER[ws[0]], *ws[1:]]
    numbers = []
    for w in ws:
        value = number_value(w)
        if value is not None and (w[0].isdigit() or w not in ("one",)):
            numbers.append(value)
    return Question(
        text=text,
        answer_type=answer_type(ws),
        words=tuple(ws),
        terms=tuple(terms),
        names=_names(text),
        numbers=tuple(dict.fromkeys(numbers)),
        about_document=_about_document(ws, terms, _before_question_mark(text, ws)),
    )


def _before_question_mark(text: str, ws: list[str]) -> list[str]:
    """The words before the first question mark (`ws` when there is none)."""
    if "?" not in text:
        return ws
    before = text.split("?")[0]
    if not text[len(before):].strip(" ?"):
        return words(text)  # a question mark only at the end: the text's own words (read already)
    return words(before)


# Verbs that carry no topic ("what did she say", "what is it called").
LIGHT_WORDS = frozenset("""say said says tell told call called name named mean means meant happen happened
use used make made get got go went take took give gave know known think thought do does did else full
quote quoted quotes mention mentioned mentions describe described describes refer referred refers according""".split())


def is_year(word: str) -> bool:
    return bool(_YEAR.match(word))
