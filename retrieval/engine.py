"""The engine: the one object front ends use. Open it over a folder, then ask it questions."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from config import Settings
from retrieval import answer as selection
from retrieval import question as qa
from retrieval import store, synonyms
from retrieval.abstain import Support, key_terms, name_terms, specific_numbers, spelled_out, support, weight
from retrieval.amounts import MEASURES, asked_unit, asks_for_money, has_unit, holds_count, is_money, measure_units
from retrieval.corpus import Corpus
from retrieval.dates import holds_clock
from retrieval.followup import asks_only_for_more, resolve
from retrieval.indexing import Progress, open_index
from retrieval.models import Answer, ChatState, Document, Quote, Sentence
from retrieval.names import (holds_name, is_proper_name, named_roles, names_a_body, names_a_person, names_the_doer,
                              only_unnamed)
from retrieval.question import Question, analyse
from retrieval.span import answer_span, asks_who_is, described_person, describes
from retrieval.spelling import Speller, is_word, lexicon
from retrieval.text import Analyzer, fold, words

logger = logging.getLogger(__name__)

TOPIC_WINDOW = 5  # how far down the ranking the sentence holding a "say about" topic is looked for
SPECIFIC_WINDOW = 10  # how far down the ranking a sentence holding the question's dates is looked for
# how far down the ranking an answer is looked for when the best sentence lacks what the question names
FALLBACK_WINDOW = 5
REASON_WINDOW = 2  # how far down a "why" question's sentence holding every question word is looked for
COUNT_WINDOW = 5  # how far down the ranking a number beside the counted noun (or a unit) is looked for
COUNT_GAP = 3  # "beside": the noun within this many words after the number ("26 accused cartel operatives")
NAMED_WINDOW = 10  # how far down the ranking a sentence of a document naming the question's names is looked for
# A key term found in the context only as a word with its first letters ("Canada" / "Canadian",
# "discover" / "discoverer"): matched. 5 letters: SQuAD hit@1/3 +0.0004/+0.0008, declines 2.02% -> 1.90%.
PREFIX_MATCH = 5
# The best few sentences re-ordered with a bonus for key words they hold only as synonyms (multiword
# ones too: the ranker's synonym_coverage sees one-word synonyms only). 2.0 since the ranker has that
# feature (0, 1, 2, 3 measured on SQuAD, the seed set and the news sets); the window (5, 10, 20) mattered little.
SYNONYM_BONUS = 2.0
SYNONYM_WINDOW = 10
_WORD = re.compile(r"\b[^\W\d_]{4,}\b(?!['’]t\b)")  # not the "couldn" of "couldn't"
_HEADER_NAMES = {"author": "byline", "date": "date line", "publication": "publication line", "title": "title"}


@dataclass(frozen=True)
class Query:
    question: str  # as asked, whitespace collapsed
    resolved: str  # after follow-up resolution and spelling
    skip_previous: bool  # "what else ...": not the sentence already given
    q: Question
    terms: tuple[int, ...]  # index term ids the ranking scores
    names: tuple[tuple[int, ...], ...]  # term ids of each multiword name


class Engine:
    """Immutable after `open`; safe to share between threads. Chat memory lives in ChatState values."""

    def __init__(self, settings: Settings, index: store.StoredIndex, stats: dict, semantic=None) -> None:
        self.settings = settings
        self._semantic = semantic  # retrieval.semantic.Semantic when settings.reranker is on
        self._index = index
        self._analyzer = Analyzer(settings.language)
        self._term_ids = {t: i for i, t in enumerate(index.vocab)}
        self._layout = selection.Layout(index, self._analyzer)
        self._ranker = selection.load_ranker()
        self._speller_cache: Speller | None = None
        self._speller_lock = threading.Lock()
        # per sentence, a pure function of its text: the best few recur from question to question
        self._words_and_numbers = lru_cache(maxsize=1 << 12)(self._sentence_words_and_numbers)
        # per key term, its synonyms' term ids: the same question words recur from question to question
        self._synonym_ids = lru_cache(maxsize=1 << 14)(self._term_synonym_ids)
        # per question, its key terms: read by the synonym bonus and by each sentence's support check
        self._key_terms = lru_cache(maxsize=1 << 8)(lambda q: tuple(key_terms(q, self._analyzer)))
        # per question and sentence, its support: the best sentence is checked before and while it is picked
        self._support = lru_cache(maxsize=1 << 6)(self._sentence_support)
        # per header field, whether any document keeps that line: read once, not per question
        self._any_header = lru_cache(maxsize=None)(
            lambda field: any(_header(doc, field) for doc in index.corpus.documents))
        self.stats = stats

    @classmethod
    def open(cls, settings: Settings, progress: Progress | None = None, rebuild: bool = False) -> "Engine":
        """Open over settings.docs_dir, reusing the saved index when it still matches."""
        start = time.perf_counter()
        index, cached = open_index(settings, progress=progress, rebuild=rebuild)
        synonyms.phrases(settings.language)  # the table read and turned around once here (0.4 s), not in a question
        lexicon(settings.language)  # the speller's real words, likewise (0.03 s)
        semantic = None
        if settings.reranker != "none":  # the optional extra: imported and computed only when on
            from retrieval.semantic import Semantic
            semantic = Semantic.open(index, progress and (lambda done, total: progress("embeddings", done, total)))
        corpus = index.corpus
        stats = {
            "documents": len(corpus.documents),
            "passages": len(corpus.passages),
            "sentences": len(corpus.sentences),
            "terms": len(index.vocab),
            "seconds": round(time.perf_counter() - start, 3),
            "cached": cached,
            "index_dir": str(settings.index_dir),
        }
        return cls(settings, index, stats, semantic)

    @property
    def documents(self) -> tuple[Document, ...]:
        return self._index.corpus.documents

    @property
    def corpus(self) -> Corpus:
        return self._index.corpus

    def sentence(self, index: int) -> Sentence:
        return self._index.corpus.sentences[index]

    def context(self, sentence: int, window: int | None = None) -> tuple[Sentence, ...]:
        """The quoted sentence with up to `window` sentences either side, within its document."""
        window = self.settings.context_sentences if window is None else window
        corpus = self._index.corpus
        doc = corpus.documents[corpus.sentences[sentence].doc]
        first = corpus.passages[doc.first_passage].first_sentence if doc.n_passages else sentence
        last_p = corpus.passages[doc.first_passage + doc.n_passages - 1] if doc.n_passages else None
        end = last_p.first_sentence + last_p.n_sentences if last_p else sentence + 1
        return corpus.sentences[max(first, sentence - window):min(end, sentence + window + 1)]

    def ask(self, question: str, state: ChatState | None = None, k: int | None = None) -> Answer:
        """Answer one question of a chat. The returned Answer carries the chat's next state."""
        state = state or ChatState()
        k = k or self.settings.max_quotes
        query = self.query(question, state)
        question, resolved, skip_previous, q = query.question, query.resolved, query.skip_previous, query.q
        turn = {"question": question, "resolved": resolved, "terms": list(q.terms),
                "names": list(qa.name_phrases(resolved))}

        def declined(reason: str) -> Answer:
            return Answer(question, answered=False, resolved_question=resolved, reason=reason, state=state.add(turn))

        if q.about_document:
            header = self._about_document(q, k)
            if header == ():
                return declined(f"the document gives no {_HEADER_NAMES[q.about_document]}")
            if header:
                turn["quotes"] = []
                span = header[0].answer_span if len(header) == 1 else None  # several articles: no one answer
                short = header[0].text[span[0]:span[1]] if span else None
                return Answer(question, answered=True, quotes=header, answer=short,
                              resolved_question=resolved, state=state.add(turn))
        ids, names = list(query.terms), [list(n) for n in query.names]
        if not ids and self._semantic is None:
            return declined("no word of the question occurs in the documents")
        previous = (state.last.get("quotes") or [None])[0] if state.last else None
        if skip_previous and isinstance(previous, int) and previous >= 0 and asks_only_for_more(question):
            more = self._rest_of_passage(previous, k)  # "What else did he say?": the passage goes on
            if more:
                quotes = tuple(self._quote(s, 1.0) for s in more)
                turn["quotes"] = [x.sentence for x in quotes]
                return Answer(question, answered=True, quotes=quotes, resolved_question=resolved,
                              state=state.add(turn))
        if self._semantic is None:
            ranked = selection.rank_sentences(self._index, self._layout, ids, q, self._ranker, names)
            ranked = self._synonym_bonus(q, ranked)
        else:  # the reranker's meaning already reaches synonyms; its scores are on another scale
            scored = self._semantic.rank(self._index, self._layout, ids, q, self._ranker, names, resolved,
                                         lambda sentence: self._support(q, sentence))
            ranked = scored.ranked
        if skip_previous and previous is not None:
            ranked = [r for r in ranked if r.sentence != previous]  # "what else": not the answer already given
        ranked = self._keyed_first(q, ranked)
        ranked = self._named_documents_first(q, ranked)
        ranked = self._counted_first(q, ranked, ids)
        ranked = self._clock_first(q, ranked)
        ranked = self._covering_first(q, ranked, ids)
        ranked = self._role_named_first(q, ranked)
        ranked = self._described_first(q, ranked)
        ranked = self._specific_first(q, ranked)
        ranked = self._topic_first(q, ranked)
        ranked = self._naming_first(q, ranked)
        if not ranked:
            return declined("no sentence matches the question")
        strange = self._strange_names_elsewhere(query, ranked[0].sentence)
        if strange:
            return declined(f"the question names {', '.join(strange)}, which the best sentence's document never mentions")
        pos, span, why = self._pick(q, ranked, scored.cosine if self._semantic else None)
        if why:
            return declined(why)
        ranked = [ranked[pos]] + ranked[:pos] + ranked[pos + 1:]
        picked = selection.drop_near_duplicates(self._index, self._layout, ranked, k)
        best = picked[0].sentence
        first = self.sentence(best).text
        quotes = tuple(self._quote(r.sentence, r.score, span if i == 0 else None) for i, r in enumerate(picked))
        turn["quotes"] = [x.sentence for x in quotes]
        short = first[span[0]:span[1]] if span else None
        dated = bool(short) and (any(c.isdigit() for c in short)
                                 or bool(set(words(short)) & (qa.MONTHS | qa.WEEKDAYS)))
        if short and q.answer_type == qa.PERSON and short[:1].isupper() and not dated:
            if names_a_body(short):
                turn["thing"] = short  # "Who runs it?" - "the Marrow Festival Trust": "it", never "she"
            else:
                turn["names"] = turn["names"] + [short]  # ("April 18" for "who": no name for "he" next)
            if names_a_person(short):
                turn["person"] = short  # "How old is she?" next: she is the person just named
        elif short and q.answer_type not in (qa.COUNT, qa.DATE) and is_proper_name(first, span) and not dated:
            turn["thing"] = short  # "Where is it based?" after "Which rival is it buying?" (a name)
        elif short and (described := described_person(q)):
            turn["person"] = described  # "Who is Marenko?" - "a former software engineer": "her party" is Marenko's
        return Answer(question, answered=True, quotes=quotes, answer=short,
                      resolved_question=resolved, state=state.add(turn))

    def query(self, question: str, state: ChatState) -> Query:
        """The question as the ranking reads it: resolved against the chat's last turn, spelled
        against the documents' words, analysed, and as index term ids (a follow-up's own words count
        twice against the borrowed ones)."""
        question = " ".join(question.split())
        resolved, skip_previous = resolve(question, state, self.settings.language, self._on_topic(state))
        follow_up = resolved != question
        resolved = self._spell(resolved)
        q = analyse(resolved, self._analyzer)
        ids = [self._term_ids[t] for t in q.terms if t in self._term_ids]
        if follow_up:
            ids += [self._term_ids[t] for t in self._analyzer.terms(self._spell(question)) if t in self._term_ids]
        if not ids:  # "How many automobiles did the firm purchase?" over "... company bought 40 cars"
            ids = [i for t in self._key_terms(q) for s in self._synonym_ids(t) for i in s]
        names = tuple(tuple(self._term_ids[t] for t in self._analyzer.terms(" ".join(n)) if t in self._term_ids)
                      for n in q.names)
        return Query(question, resolved, skip_previous, q, tuple(ids), names)

    def _pick(self, q: Question, ranked: list[selection.Ranked], cosine: dict[int, float] | None
              ) -> tuple[int, tuple[int, int] | None, str | None]:
        """(position in `ranked` of the sentence to quote first, its answer span, None), or (0, None,
        why the question is declined). The best sentence, unless it lacks something the question
        names (its year, number or name, or any number at all for "how many museums ...?") or its
        paragraph covers too little of the question's key words: a sentence among the next few that
        passes every check is quoted instead. When the best sentence is refused for anything else
        (no name where a name is asked for, a meaning far from the question's), so is the question.
        A sentence further down must be in the best one's document: another document's close match
        is a guess."""
        why = None
        doc = -1
        for pos, r in enumerate(ranked[:FALLBACK_WINDOW]):
            sentence = self.sentence(r.sentence)
            if pos > 0 and sentence.doc != doc:
                continue  # another document's sentence neither answers nor ends the search
            span = answer_span(sentence.text, q, self._analyzer)
            refusal = self._refusal(q, r.sentence, sentence.text, span,
                                    None if cosine is None else cosine[r.sentence])
            if pos == 0:
                doc = sentence.doc
            elif refusal is None and not self._counts_asked_noun(q, r.sentence):
                continue  # further down: a count beside the noun asked about
            if refusal is None:
                return pos, span, None
            reason, sentence_only = refusal
            why = why or reason
            if not sentence_only:
                break
        return 0, None, why

    def _refusal(self, q: Question, sentence: int, text: str, span: tuple[int, int] | None,
                 cosine: float | None) -> tuple[str, bool] | None:
        """Why `sentence` cannot answer `q`, and whether the reason concerns that sentence alone (it
        lacks the question's year, number or name, the number a "how many <noun>" question asks
        for, or its paragraph lacks the question's key words); None when it can answer."""
        verdict = self._support(q, sentence)
        enough = verdict.enough if cosine is None else self._semantic.answers(verdict, cosine)
        if not enough:
            if verdict.missing:
                return f"the question names {', '.join(verdict.missing)}, which the best sentence does not", True
            if not verdict.enough:
                # the share is read in the sentence's own paragraph: another one further down may cover it
                return f"only {verdict.share:.0%} of the question's key words are matched", True
            return "the best sentence's meaning is far from the question's", False
        ws = words(text)
        if q.answer_type == qa.COUNT and not holds_count(text, q, self._analyzer):
            # "how many ships", "how old": the number may be in a sentence further down
            measured = bool(qa.counted_nouns(q, self._analyzer)) or qa.asks_for_age(q)
            return "a number is asked for and the best sentence holds none", measured
        if q.answer_type == qa.DATE and "when" in q.words[:2] and not qa.holds_time(ws):
            return "a time is asked for and the best sentence gives none", True
        if qa.asks_for_age(q) and span is None:
            return "an age is asked for and the best sentence gives none", True
        if qa.asks_for_year(q) and not any(qa.is_year(w) for w in ws):
            return "a year is asked for and the best sentence holds none", True
        if asks_for_money(q) and not (span and is_money(text, span)):
            return "an amount of money is asked for and the best sentence gives none", True
        units = asked_unit(q)
        if units and not (span and has_unit(text, span, units)):
            return "a weight or height is asked for and the best sentence gives none", True
        if qa.asks_for_name(q) and not (span and is_proper_name(text, span)):
            return "a name is asked for and the best sentence gives none", False
        if qa.asks_for_named_thing(q) and not (span and holds_name(text, span, self.settings.language)):
            return "a name is asked for and the best sentence gives none", False
        noun = qa.named_noun(q)
        if noun and only_unnamed(text, noun, self._analyzer):
            return f"the best sentence mentions a {noun} but does not name it", True
        return None

    def _keyed_first(self, q: Question, ranked: list[selection.Ranked]) -> list[selection.Ranked]:
        """'How long is the ban?': when the best sentence's passage holds none of the question's key
        words (the sentence matched only the 'long' of 'how long': "It's a long day for a
        nine-year-old", in another article) and one of the next few holds some, that one comes
        first: a sentence about nothing the question asks about can only be declined. (Within the
        sentence alone the test is too strict: "she" or "the town" stands for the key word.)"""
        if len(ranked) < 2 or self._support(q, ranked[0].sentence).share > 0:
            return ranked
        for i, r in enumerate(ranked[1:FALLBACK_WINDOW], start=1):
            if self._support(q, r.sentence).share > 0:
                return [r] + ranked[:i] + ranked[i + 1:]
        return ranked

    def _named_documents_first(self, q: Question, ranked: list[selection.Ranked]) -> list[selection.Ranked]:
        """Among the best NAMED_WINDOW, the sentences of documents that mention every capitalised name
        of the question (title included) come first: 'What disease did Tesla catch?' is answered from
        the article about Tesla, not from a closer match about a disease in another one."""
        if len(ranked) < 2 or len(self.documents) < 2:
            return ranked
        names = [(self._term_ids[t], t) for t in name_terms(q, self._analyzer) if t in self._term_ids]
        if not names:
            return ranked
        lay = self._layout
        head = ranked[:NAMED_WINDOW]
        docs = lay.passage_doc[lay.sentence_passage[[r.sentence for r in head]]].tolist()
        if len(set(docs)) == 1:
            return ranked  # one document: nothing to put first

        def names_all(doc: int) -> bool:
            held = lay.document_terms(doc)
            return all(i in held or t in lay.title_terms(doc) for i, t in names)

        holds = {doc: names_all(doc) for doc in set(docs)}
        named = [r for r, doc in zip(head, docs) if holds[doc]]
        if not named or len(named) == len(head):
            return ranked
        return named + [r for r, doc in zip(head, docs) if not holds[doc]] + ranked[NAMED_WINDOW:]

    def _strange_names_elsewhere(self, query: Query, sentence: int) -> list[str]:
        """The question's capitalised names that are no word of the language ('Who headlined Sunhollow
        in 2019?'), written so by the asker (not the speller's guess), that some document holds and the
        sentence's document never mentions: the sentence is about something else. ('Saharan', 'Bible'
        or 'Tesla' may be written otherwise there.)"""
        names = name_terms(query.q, self._analyzer, surface=True)
        if not names or len(self.documents) < 2:
            return []
        known = lexicon(self.settings.language)
        asked = set(words(query.question))  # a follow-up's borrowed names are not checked
        stems = {t: self._analyzer.stem(t) for t in names if t in asked and not is_word(t, known)}
        stems = {t: stem for t, stem in stems.items() if stem in self._term_ids}
        if not stems:
            return []
        lay = self._layout
        doc = int(lay.passage_doc[lay.sentence_passage[sentence]])
        held, title = lay.document_terms(doc), lay.title_terms(doc)
        return [t for t, stem in stems.items() if self._term_ids[stem] not in held and stem not in title]

    def _counts_asked_noun(self, q: Question, sentence: int) -> bool:
        """For a count question with a noun, whether the sentence has that noun; True for others."""
        nouns = qa.counted_nouns(q, self._analyzer)
        return not nouns or bool(nouns & {self._analyzer.stem(w) for w in self._words_and_numbers(sentence) if w})

    def _topic_first(self, q: Question, ranked: list[selection.Ranked]) -> list[selection.Ranked]:
        """'What did the analyst say about insurers?': when the best sentence lacks the topic after
        'about' and a sentence of the same document among the best few holds it, that one comes first
        (the speaker's name is often a sentence or a paragraph away from what they said)."""
        topic = qa.topic_after_about(q, self._analyzer)
        if not topic or len(ranked) < 2 or not topic <= self._term_ids.keys():
            return ranked  # a topic word no document has is in no sentence
        ids = {self._term_ids[t] for t in topic}
        top = ranked[0].sentence
        if ids & selection.sentence_term_set(self._layout, top):
            return ranked
        doc = self.sentence(top).doc
        for i, r in enumerate(ranked[1:TOPIC_WINDOW], start=1):
            if (self.sentence(r.sentence).doc == doc
                    and ids <= selection.sentence_term_set(self._layout, r.sentence)):
                return [r] + ranked[:i] + ranked[i + 1:]
        return ranked

    def _naming_first(self, q: Question, ranked: list[selection.Ranked]) -> list[selection.Ranked]:
        """'What are the pellets called?': when the best sentence names nothing ("known as", "is
        called") and one of the best few of its document does, that one comes first."""
        if not qa.asks_what_called(q):
            return ranked
        return self._first_that(ranked, TOPIC_WINDOW - 1,
                                lambda r: qa.names_something(words(self.sentence(r.sentence).text)))

    def _described_first(self, q: Question, ranked: list[selection.Ranked]) -> list[selection.Ranked]:
        """'Who is Marenko?': when the best sentence only mentions her and one of the best few of its
        document says who she is ('The leader of Forward Lusarnia, Ilse Marenko, 39, a former
        software engineer, said ...'), that one comes first."""
        if not asks_who_is(q):
            return ranked
        return self._first_that(ranked, TOPIC_WINDOW - 1,
                                lambda r: describes(self.sentence(r.sentence).text, q, self._analyzer))

    def _role_named_first(self, q: Question, ranked: list[selection.Ranked]) -> list[selection.Ranked]:
        """'Who chairs the commission?': when one of the best few of the best sentence's document
        names the doer of the question's verb by role ('Its chairman, Bogdan Trell, said ...') and
        the best sentence names no doer of it ('McManus kicked', 'composed by'), that one comes first."""
        if len(ranked) < 2 or q.answer_type != qa.PERSON:
            return ranked
        first = self.sentence(ranked[0].sentence).text
        doc = self.sentence(ranked[0].sentence).doc
        for i, r in enumerate(ranked[1:TOPIC_WINDOW], start=1):
            if self.sentence(r.sentence).doc != doc:
                continue
            verbs = named_roles(self.sentence(r.sentence).text, q, self._analyzer)
            if verbs and not names_the_doer(first, verbs, q, self._analyzer):
                return [r] + ranked[:i] + ranked[i + 1:]
        return ranked

    def _covering_first(self, q: Question, ranked: list[selection.Ranked], ids: list[int]) -> list[selection.Ranked]:
        """'Why did the culture minister resign?': when the best sentence lacks one of the question's
        words ('As culture minister since 2022, ...': a cause-like 'since', no resigning) and one of
        the next REASON_WINDOW of its document holds them all, that one comes first. Only for "why":
        the event asked about must be in the sentence that gives its reason."""
        if q.answer_type != qa.REASON:
            return ranked
        wanted = set(ids)
        return self._first_that(ranked, REASON_WINDOW,
                                lambda r: wanted <= selection.sentence_term_set(self._layout, r.sentence))

    def _clock_first(self, q: Question, ranked: list[selection.Ranked]) -> list[selection.Ranked]:
        """'What time did the quake hit?': when the best sentence gives no time of day and one of the
        best few of its document does ('The quake hit at 3:47 a.m.'), that one comes first."""
        if not qa.asks_for_clock(q):
            return ranked
        return self._first_that(ranked, COUNT_WINDOW - 1,
                                lambda r: holds_clock(words(self.sentence(r.sentence).text)))

    def _first_that(self, ranked: list[selection.Ranked], window: int,
                    gives: Callable[[selection.Ranked], bool]) -> list[selection.Ranked]:
        """The ranking with the first of the `window` sentences after the best, among those of the
        best one's document, that `gives` what the question wants moved to the front; unchanged when
        the best already gives it or none of them does."""
        if len(ranked) < 2 or gives(ranked[0]):
            return ranked
        doc = self.sentence(ranked[0].sentence).doc
        for i, r in enumerate(ranked[1:window + 1], start=1):
            if self.sentence(r.sentence).doc == doc and gives(r):
                return [r] + ranked[:i] + ranked[i + 1:]
        return ranked

    def _counted_first(self, q: Question, ranked: list[selection.Ranked], ids: list[int]) -> list[selection.Ranked]:
        """'How many jobs is it cutting?': when the best sentence holds no number right before the noun
        counted and one of the best few of its document does ('cut 1,150 jobs') and holds as many of
        the question's other words, that one comes first (qa.nouns_counted_beside). Likewise 'How
        long ...?', 'How far ...?': a number with its unit ('for four years')."""
        stem = self._analyzer.stem
        nouns = qa.nouns_counted_beside(q, self._analyzer)
        how = qa.how_word(q)
        measure = how in MEASURES
        if len(ranked) < 2 or not (nouns or measure):
            return ranked
        # the measure's own word ("how near") is no word the answer repeats ("within 72 million kilometres")
        others = set(ids) - {self._term_ids.get(n) for n in nouns}
        if measure:
            others.discard(self._term_ids.get(stem(how)))
        wanted = measure_units(how) if measure else nouns

        def beside(r: selection.Ranked) -> bool:
            ws = words(self.sentence(r.sentence).text)
            return any(qa.number_value(w) and not qa.is_year(w)
                       and not wanted.isdisjoint(ws[i + 1:i + 1 + COUNT_GAP] if measure else
                                                 (stem(x) for x in ws[i + 1:i + 1 + COUNT_GAP]))
                       for i, w in enumerate(ws))

        def held(r: selection.Ranked) -> int:
            return len(others & selection.sentence_term_set(self._layout, r.sentence))
        if beside(ranked[0]):
            return ranked
        doc, least = self.sentence(ranked[0].sentence).doc, held(ranked[0])
        for i, r in enumerate(ranked[1:COUNT_WINDOW], start=1):
            if self.sentence(r.sentence).doc == doc and beside(r) and held(r) >= least:
                return [r] + ranked[:i] + ranked[i + 1:]
        return ranked

    def _specific_first(self, q: Question, ranked: list[selection.Ranked]) -> list[selection.Ranked]:
        """Among the best few, sentences that hold every year, month and weekday of the question come
        first: 'And in June?' wants the June sentence, not a closer match of other words.
        (Other numbers often name a group the answer refers to otherwise: 'the 40' are 'they'.)"""
        wanted = ({n for n in specific_numbers(q) if qa.is_year(n)}
                  | set(q.dates))
        if not wanted or not ranked:
            return ranked
        head = ranked[:SPECIFIC_WINDOW]

        def holds(r: selection.Ranked) -> bool:
            return wanted <= self._words_and_numbers(r.sentence)

        held = [holds(r) for r in head]
        if not any(held):
            return ranked
        return ([r for r, h in zip(head, held) if h] + [r for r, h in zip(head, held) if not h]
                + ranked[SPECIFIC_WINDOW:])

    def _sentence_words_and_numbers(self, sentence: int) -> frozenset[str | None]:
        """The sentence's folded words and the value of each number word in it ('four' -> '4')."""
        ws = words(self.sentence(sentence).text)
        return frozenset(ws) | {qa.number_value(w) for w in ws}

    def _rest_of_passage(self, sentence: int, k: int) -> list[int]:
        """The sentences after `sentence` in its passage, then those before it; at most k."""
        lay = self._layout
        p = int(lay.sentence_passage[sentence])
        first, count = int(lay.passage_first[p]), int(lay.passage_count[p])
        after = list(range(sentence + 1, first + count))
        before = list(range(first, sentence))
        return (after + before)[:k]

    @property
    def _speller(self) -> Speller:
        """Built from the documents' words the first time a question holds an unknown word, so that
        opening the engine costs only loading the index."""
        with self._speller_lock:
            if self._speller_cache is None:
                self._speller_cache = Speller.from_words(selection.document_words(self._index),
                                                         lexicon(self.settings.language))
            return self._speller_cache

    def _on_topic(self, state: ChatState) -> Callable[[list[str]], bool] | None:
        """Whether any of some words is held by the document of the chat's last first quote (None
        when no turn quoted anything)."""
        # the last turn that quoted something: a declined question changed no subject
        last = next((t["quotes"][0] for t in reversed(state.turns) if t.get("quotes")), None)
        if not isinstance(last, int) or last < 0 or last >= len(self._layout.sentence_passage):
            return None
        held = self._layout.document_terms(int(self._layout.passage_doc[self._layout.sentence_passage[last]]))
        ids = self._term_ids
        return lambda ws: any(ids.get(self._analyzer.stem(fold(w))) in held for w in ws)

    def _spell(self, text: str) -> str:
        """Words the documents do not know replaced by the closest word they do ('recieve' -> 'receive')."""
        def fix(m: re.Match) -> str:
            word = m.group()
            folded = fold(word)
            if self._analyzer.is_stopword(folded) or self._analyzer.stem(folded) in self._term_ids:
                return word
            better = self._speller.correct(folded)
            if better is None:
                return word
            return better.capitalize() if word[:1].isupper() else better
        return _WORD.sub(fix, text)

    def _sentence_support(self, q: Question, sentence: int) -> Support:
        """How well the sentence's passage and its document's title cover the question's key terms
        (a headline names what its article's sentences go on to call "the bridge" or "he")."""
        lay = self._layout
        p = int(lay.sentence_passage[sentence])
        lo = int(lay.passage_first[p])
        hi = lo + int(lay.passage_count[p])
        offsets = lay.sentence_offsets
        ctx_ids = set(lay.sentence_terms[offsets[lo]:offsets[hi]].tolist())
        vocab = self._index.vocab
        ctx_terms = {vocab[i] for i in ctx_ids} | lay.title_terms(int(lay.passage_doc[p]))
        ctx_terms |= spelled_out(q, ctx_terms, self._analyzer)
        ctx_terms |= self._whole_names(q, ctx_terms)
        key = list(self._key_terms(q))
        unmatched = [t for t in key if len(t) >= PREFIX_MATCH and t not in ctx_terms]
        if unmatched:  # a key term whose first letters some context term starts with
            starts = {c[:PREFIX_MATCH] for c in ctx_terms if len(c) >= PREFIX_MATCH}
            ctx_terms |= {t for t in unmatched if t[:PREFIX_MATCH] in starts}
        ctx_terms |= synonyms.matched(key, ctx_terms, self.settings.language)  # "automobiles": "cars"
        names = name_terms(q, self._analyzer)
        plain = [t[:-1] for t in key if t.endswith(".")]  # "NOT" may be the word "not"
        df = {t: self._index.sentences.df(self._term_ids[t]) for t in key + names + plain if t in self._term_ids}
        dated = q.numbers or q.dates
        text = " ".join(self.sentence(i).text for i in range(lo, hi)) if dated else ""  # read only when needed
        return support(q, key, ctx_terms, text, df, self._index.sentences.n_docs, names)

    def _synonym_bonus(self, q: Question, ranked: list[selection.Ranked]) -> list[selection.Ranked]:
        """The best SYNONYM_WINDOW re-ordered after adding SYNONYM_BONUS times the share of the
        question's key-term idf weight that the sentence holds only as a WordNet synonym ("cars"
        for "automobiles", "death penalty" for "execution"), words no document holds included:
        the learned ranker sees only one-word synonyms of the question's indexed terms."""
        head = ranked[:SYNONYM_WINDOW]
        if len(head) < 2:
            return ranked
        key = list(self._key_terms(q))
        ids = self._term_ids
        # each key term's own id and the ids of its synonyms that some document holds, looked up once
        others = {t: self._synonym_ids(t) for t in key}
        if not any(others.values()):
            return ranked  # no synonym to find: no sentence gains
        n_docs = self._index.sentences.n_docs
        # each key term weighed as the abstention check weighs it
        weights = {t: weight(self._index.sentences.df(ids[t]) if t in ids else None, n_docs) for t in key}
        total = sum(weights.values())
        if not total:
            return ranked
        found = [t for t in key if others[t]]  # only a term with synonyms can gain
        own = {t: ids.get(t) for t in found}
        single = {t: frozenset(s[0] for s in others[t] if len(s) == 1) for t in found}  # checked as sets
        multi = {t: [frozenset(s) for s in others[t] if len(s) > 1] for t in found}  # each held whole or not
        scored = []
        for r in head:
            held = selection.sentence_term_set(self._layout, r.sentence)
            gain = sum(weights[t] for t in found if own[t] not in held and (
                not single[t].isdisjoint(held) or any(s <= held for s in multi[t])))
            scored.append(selection.Ranked(r.sentence, r.score + SYNONYM_BONUS * gain / total))
        return sorted(scored, key=lambda r: -r.score) + ranked[SYNONYM_WINDOW:]

    def _term_synonym_ids(self, term: str) -> tuple[tuple[int, ...], ...]:
        """The term ids of each synonym of `term` whose every word some document holds."""
        ids = self._term_ids
        return tuple(tuple(ids[w] for w in s) for s in synonyms.of(term, self.settings.language)
                     if all(w in ids for w in s))

    def _whole_names(self, q: Question, ctx_terms: set[str]) -> set[str]:
        """Stems of the question's names whose last word the context holds: after the first
        mention, "Ellen Marsh" is "Ms. Marsh" or "Marsh"."""
        stem = self._analyzer.stem
        return {stem(w) for name in q.names if stem(name[-1]) in ctx_terms for w in name}

    def _about_document(self, q: Question, k: int) -> tuple[Quote, ...] | None:
        """Author, date, publication or title, quoted from the header lines the loader kept: of the
        document the question's other words point to, or, when they point to none in a folder of
        several, of each document (at most k). An empty tuple when that document keeps no such line
        but others do (an unsigned article among signed ones): the engine declines rather than quote
        some other sentence. None when no document has such a line (an encyclopedia's "report" is
        its content, not its header) or there is no document."""
        docs = self.documents
        if not self._any_header(q.about_document):
            return None
        chosen = docs[:k]
        if len(docs) > 1:
            topic = self._analyzer.terms(" ".join(qa.document_topic(q)))
            others = [t for t in topic if t in self._term_ids]
            ranked = selection.rank_sentences(self._index, self._layout, [self._term_ids[t] for t in others], q,
                                              self._ranker) if others else []
            if ranked:
                chosen = (docs[self.sentence(ranked[0].sentence).doc],)
        quotes = []
        for doc in chosen:
            field = _header(doc, q.about_document)
            if not field:
                continue
            short = field
            if q.about_document == "author":
                short = re.sub(r"^\s*\w+\s+", "", field, count=1)  # the byline's leading "By"
            if q.about_document == "title":
                short = None
            # paragraph 0 is the header; "show context" for it shows the opening of the article
            opening = self._index.corpus.passages[doc.first_passage].first_sentence if doc.n_passages else 0
            quotes.append(Quote(text=field, source=doc.source, title=doc.title, paragraph=0, score=1.0, sentence=opening,
                                answer_span=None if short is None else (field.index(short), len(field))))
        return tuple(quotes)

    def _quote(self, sentence: int, score: float, span: tuple[int, int] | None = None) -> Quote:
        corpus = self._index.corpus
        s = corpus.sentences[sentence]
        doc = corpus.documents[s.doc]
        return Quote(text=s.text, source=doc.source, title=doc.title,
                     paragraph=corpus.passages[s.passage].number, score=score,
                     sentence=sentence, answer_span=span)


def _header(doc: Document, field: str) -> str | None:
    """The header line the loader kept for 'author', 'date', 'publication' or 'title'."""
    return {"author": doc.byline, "date": doc.date, "publication": doc.publication, "title": doc.title}[field]
