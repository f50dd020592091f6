"""Names for "who / where / which organisation" questions, and what a name is.

A name is a run of capitalised words with the small words inside names ("Bank of England",
"Dr. Ann Lee", "St Ferrin's Regional Hospital"), less the words the question already gives. For
"who" a person beats a body, a place or an acronym ("the NTB"), and the doer of a passive ("run by
the Marravel Festival Trust") or the name after a role ("its leader, Dagny Ostrowe") gains; for
"where" a name after "at", "in", "near" gains. The public checks here (names_a_person,
is_proper_name, only_unnamed, ...) let the engine judge a short answer or a sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

from retrieval import question as qa
from retrieval.spelling import is_word, lexicon
from retrieval.text import Analyzer, word_spans, words
from retrieval.tokens import _ARTICLES, _COPULAS, _NAME_JOINERS, _TITLES, _Tok, _adjacent, _runs, _tokens, _verb_form

# Weights of a name, set by hand against SQuAD's answer spans like span.py's (see README).
HEADED = 0.4  # the rest of a name whose first or last words are the question's ("Quernmoor Leisure Centre")
LOCATED = 0.3  # a name after "at", "in", "near" for a "where" question
LOWER_PLACE = 0.8  # "at the harbour": a place in lower case, below a name


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


def _all_capitals(tok: _Tok, text: str) -> bool:
    """'CBS', 'NATO': a word of two or more letters, all capitals."""
    raw = text[tok.start:tok.end].replace(".", "")
    return len(raw) > 1 and raw.isalpha() and raw.isupper()


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
        if a > b or (a == 0 and b == 0 and not is_proper_noun(toks[0].word, language) and not _all_capitals(toks[0], text)
                     and (toks[0].stop or _opener(toks[0].word, language) or is_word(toks[0].word, lexicon(language)))):
            continue  # a lone sentence-initial capital is no name, unless the language only capitalises it
            # ("Sweden", "CBS") or it is no word of the language at all ("Fallowfield is the third ...")
        if all(toks[k].word in _TITLES for k in range(a, b + 1)):
            continue  # "Mr." of "Mr. Boswell-Tate" when the question names Boswell-Tate
        if (a == b and a > 0 and _all_capitals(toks[a], text) and toks[a - 1].capital
                and text[toks[a - 1].end:toks[a].start].strip() == "(" and text[toks[a].end:toks[a].end + 1] == ")"):
            continue  # "the Marravel Film Society (MFS)": the acronym is the name before it again
        if (headed and question is not None and question.words[:1] == ("who",) and b + 1 < len(toks)
                and toks[b + 1].in_question and toks[b + 1].capital and toks[b + 1].word not in named):
            continue  # "Brantholme City" of "... City Marathon" for "the marathon": what it is about, not who
        if all(toks[k].word in qa.MONTHS or toks[k].word in qa.WEEKDAYS or toks[k].word in _NAME_JOINERS
               for k in range(a, b + 1)):
            continue  # "on Wednesday", "on Thursday and Friday": a date, not who or where
        if answer_type == qa.PERSON and _in_title(text, toks[a].start):
            continue  # "The Lacemaker's Daughter" by Cornelius Aberfoyle: a title is nobody
        score = 1.0
        if headed and answer_type != qa.PLACE:
            score -= HEADED  # the rest of a name the question gives: not who or which
        if answer_type != qa.PLACE and b + 1 in anchors and not toks[b + 1].capital:
            score -= 0.4  # a modifier of a question word ("South African schools"), not the answer
        if answer_type == qa.PLACE and b + 3 < len(toks) and toks[b + 1].word in qa.PLACE_NOUNS \
                and toks[b + 2].word == "of" and toks[b + 3].capital:
            score -= 0.4  # "the Orlessian city of Velmora": the city is Velmora
        if answer_type == qa.PLACE and b + 1 < len(toks) and toks[b + 1].word in qa.ORG_NOUNS and not toks[b + 1].capital:
            score -= NOT_A_PLACE  # "the Cordavia-Helix team", "a Harbeck company": whose, not where
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


NOT_A_PLACE = 2.0  # out of the running
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


def _question_names(q: qa.Question | None) -> frozenset[str]:
    """The folded words the question capitalises after its first word: its names."""
    return frozenset() if q is None else _capitalised(q.text)


@lru_cache(maxsize=256)
def _capitalised(text: str) -> frozenset[str]:
    """The folded words a text writes with a capital, its first word aside ("Marenko" of "Who is
    Marenko?"); kept for the last few texts: a question's is read for each of its best sentences."""
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
# ", 61,", or an age set off after the name: ", a 26-year-old Ethiopian", ", the 31-year-old"
_AGE_AFTER = re.compile(r"\s*,\s*(?:\d{1,3}\s*,|(?:a|an|the)\s+[\w-]+[-\s]years?[-\s]old\b)")


def _personal(toks: list[_Tok], text: str, a: int, b: int) -> bool:
    """The name carries a person's title or is followed by an age ("Jurek Halloran, 61, who ...",
    "Ann Lee, a 26-year-old Ethiopian, ...")."""
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


@lru_cache(maxsize=256)
def _verb_roots(q: qa.Question, language: str) -> tuple[tuple[str, str], ...]:
    """(root, word) of the question's words that are verbs of the language ("chairs", "manages"; not
    "Super"), kept for the last few questions: the ranking asks it of each of the best few sentences."""
    known = lexicon(language)
    return tuple((_root(w), w) for w in q.words if len(w) >= 4 and w not in qa.AUXILIARIES
                 and any("v" in known.get(_root(w) + end, "") for end in ("", "e")))


def named_roles(text: str, q: qa.Question, analyzer: Analyzer) -> frozenset[str]:
    """The question's words whose doer the sentence names by role: {"chairs"} for "Who chairs
    ...?" and "Its chairman, Bogdan Trell, said ..." or "Mara Lind, the club's manager"."""
    roots = _verb_roots(q, analyzer.language)
    verbs = [v for _, v in roots]
    if not any(w.endswith(_AGENT_SUFFIXES) and any(w != v and w.startswith(root) for root, v in roots)
               for w in words(text)):
        return frozenset()  # no role word at all: no need to read the sentence as tokens
    toks = _tokens(text, q, analyzer)
    out = set()
    for r in _roles(toks, q):
        named = r + 1 < len(toks) and toks[r + 1].capital and _after_role(toks, text, r + 1, {r})
        for j in range(r - 1, max(r - 4, 0), -1):  # "<Name>, the club's manager": an article or possessive back
            if toks[j].word in _ARTICLES or toks[j].word in ("its", "his", "her", "their"):
                named = named or (toks[j - 1].capital and text[toks[j - 1].end:toks[j].start].strip() == ",")
                break
        if named:
            out |= {v for v in verbs if toks[r].word != v and toks[r].word.startswith(_root(v))}
    return frozenset(out)


def names_the_doer(text: str, verbs: frozenset[str], q: qa.Question, analyzer: Analyzer) -> bool:
    """Whether the sentence uses one of `verbs` with its doer at hand: a name right before it
    ("McManus kicked"), "by" right after it ("composed by Ron Grainer"), or as the noun itself
    ("is the chair of"); not "When it was discovered, the comet ...", which names nobody."""
    stems = {analyzer.stem(v) for v in verbs}
    toks = _tokens(text, q, analyzer)
    for k, t in enumerate(toks):
        if analyzer.stem(t.word) not in stems:
            continue
        before = toks[k - 1] if k else None
        if (before is not None and (before.capital or before.word in _ARTICLES)) or \
                (k + 1 < len(toks) and toks[k + 1].word == "by"):
            return True
    return False


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
    Avonby"), a people's adjective before its noun ("Chilean officials"), a title in quotation
    marks or a name after "the", which a "who" question asks about less often than a person."""
    acronym = a == b and len(toks[a].word) > 1 and text[toks[a].start:toks[a].end].isupper()
    before = a - 2 if a > 1 and toks[a - 1].word in _ARTICLES else a - 1  # "at the MBI"
    placed = before >= 0 and toks[before].word in ("from", "in", "at", "near", "on")
    modifier = (a == b and b + 1 < len(toks) and not toks[b + 1].capital and not toks[b + 1].stop
                and {"a", "p"} <= set(lexicon(language).get(toks[a].word, "")))
    quoted = _in_title(text, toks[a].start)  # "its \"Cobbler Lane Rye\"", "\"The Lacemaker's Daughter\"": a title
    # "the Sun", "the Kremlin": a person's name takes no article ("the late X" has a word between)
    defined = a > 0 and toks[a - 1].word == "the" and text[toks[a - 1].start].islower()
    named_as_place = toks[b].word in _INSTITUTIONS or toks[b].word in _PLACES
    return acronym or named_as_place or placed or modifier or quoted or defined


_TITLE_QUOTE = re.compile(r"[\"“]([A-Z][^\"“”]{0,60})[\"”]")


def _in_title(text: str, at: int) -> bool:
    """Whether position `at` is inside a short quotation that opens with a capital: a title
    ("The Lacemaker's Daughter"), not what someone said."""
    return any(m.start(1) <= at < m.end(1) and len(m.group(1).split()) <= 8 for m in _TITLE_QUOTE.finditer(text))


# Last words of names of places that are no one's surname ("Pellam Street"), unlike "Park" or "Hall".
_PLACES = frozenset("""street road avenue lane square station airport bridge stadium theatre theater palace quay wharf pier
embankment promenade""".split())


_LOCATIVE = frozenset("at in near inside outside from across along beside".split())


def _located(toks: list[_Tok], text: str, names: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """Answers to "where": a name right after "at", "in", "near" ... gains; where no name follows
    one, the place it introduces in lower case ("at the harbour") is a candidate too."""
    def after_locative(a: int) -> bool:
        if a > 1 and toks[a - 1].word == "of" and toks[a - 2].word in qa.PLACE_NOUNS and not toks[a - 2].capital:
            return True  # "in the mountain town of Kell"
        return a > 0 and toks[a - 1].word in _LOCATIVE and text[toks[a - 1].end:toks[a].start].strip() == ""

    out = [(score + LOCATED if after_locative(a) else score, a, b) for score, a, b in names
           if not _a_speaker(toks, text, a, b)]
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


_SAID = frozenset("said says told added explained warned".split())


def _a_speaker(toks: list[_Tok], text: str, a: int, b: int) -> bool:
    """Whether the name at tokens a..b is someone speaking ("chairman Ivo Brant said ..."; not
    "who grew up in Kell, said ..."), which is never where something is."""
    return (b + 1 < len(toks) and toks[b + 1].word in _SAID and not text[toks[b].end:toks[b + 1].start].strip()
            and (a == 0 or toks[a - 1].word not in _LOCATIVE))


# Words before a noun that leave it unnamed: "a manufacturer", "his predecessor", "three other observatories".
_UNNAMING = frozenset("a an another other others some several any his her its their our".split())
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
