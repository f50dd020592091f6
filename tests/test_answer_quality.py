"""Engine-level answer quality on small corpora: ranking by answer type, short answers, abstention,
follow-ups, misspellings and questions about the document itself."""

from __future__ import annotations

import pytest

from retrieval import ChatState, Engine
from retrieval import engine as engine_module

ARTICLE = """Harbour bridge reopens after repairs
- The Coastal Gazette

- March 3

By Ellen Marsh and Tom Reyes

The harbour bridge reopened on Friday after eight months of repairs, the city council said.

The repairs cost 14 million dollars and were paid for by the regional transport agency. Engineers replaced 212 steel cables on the bridge.

The bridge was designed by Ingrid Holm, a Norwegian architect, in 1931. Holm also designed the old ferry terminal.

Ferries carried commuters across the harbour while the bridge was closed. Usually two ferries ran at a time.

Some residents complained that the works took too long because the cables arrived late from the supplier.
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    from config import load_settings
    root = tmp_path_factory.mktemp("quality")
    docs = root / "docs"
    docs.mkdir()
    (docs / "bridge.txt").write_text(ARTICLE, encoding="utf-8")
    settings = load_settings(env={"QUOTEQA_CACHE_DIR": str(root / "cache")}).with_overrides(docs_dir=docs)
    return Engine.open(settings)


@pytest.fixture
def engine_over(make_docs, settings_for):
    """An engine over one small article: engine_over("Title\n\nText ...")."""
    def open_over(text: str) -> Engine:
        return Engine.open(settings_for(make_docs({"article.txt": text})))
    return open_over


def test_count_question_quotes_the_sentence_with_the_number(engine):
    a = engine.ask("How many cables did the engineers replace on the bridge?")
    assert a.answered and "212 steel cables" in a.quotes[0].text
    assert a.answer == "212"


def test_short_answer_is_verbatim_in_the_top_quote_and_marked_by_its_span(engine):
    a = engine.ask("When did the harbour bridge reopen?")
    q = a.quotes[0]
    assert a.answer == "Friday"
    assert q.answer_span is not None and q.text[q.answer_span[0]:q.answer_span[1]] == a.answer


def test_person_question_gets_the_name(engine):
    a = engine.ask("Who designed the bridge?")
    assert "Ingrid Holm" in a.quotes[0].text and a.answer == "Ingrid Holm"


def test_who_is_gets_the_appositive(engine):
    assert engine.ask("Who is Ingrid Holm?").answer == "a Norwegian architect"


def test_question_with_a_year_the_documents_lack_is_declined(engine):
    a = engine.ask("How many cables were replaced in 2019?")
    assert not a.answered and "2019" in a.reason


def test_question_with_a_month_the_passage_lacks_is_declined(engine):
    assert not engine.ask("How many ferries ran at a time in October?").answered


def test_question_mostly_about_other_things_is_declined(engine):
    assert not engine.ask("What is the population of the capital of Norway today?").answered


def test_question_with_no_known_word_is_declined(engine):
    assert not engine.ask("How do you make guacamole?").answered


def test_misspelled_words_are_corrected_against_the_documents(engine):
    a = engine.ask("How many steal cabels did the enginers replace?")
    assert a.answered and "212 steel cables" in a.quotes[0].text
    assert "cables" in a.resolved_question


def test_a_real_word_the_documents_lack_is_not_rewritten(engine):
    """'weight' is one edit from the documents' 'eight', but it is a word, not a typo of one."""
    assert "weight" in engine.ask("What was the weight of the steel cables?").resolved_question


def test_a_contraction_is_not_spelled_as_two_words(engine_over):
    """The "couldn" of "couldn't" is one edit from "could", but it is no word of its own."""
    engine = engine_over("Ferry strike\n\nThe ferries could not run on Monday because the crews were on strike.\n")
    assert engine.ask("Why couldn't the ferries run?").resolved_question == "Why couldn't the ferries run?"


def test_the_stub_of_a_contraction_is_no_key_word():
    """'couldn' is in no document that writes 'could not': it must not count as a word they lack."""
    from retrieval.text import Analyzer
    assert Analyzer("english").terms("Why couldn't they run?") == ["run"]


def test_a_date_given_for_who_is_no_name_for_the_next_pronoun(engine_over):
    engine = engine_over("Marathon record\n\nThe old record was set on April 18, 1998, in heavy rain.\n\n"
                         "Ivo Brandt, 31, ran in the race.\n")
    first = engine.ask("Who set the old record?")
    assert first.answer == "April 18"  # the short answer is a poor one, but it is no person
    assert "April 18" not in engine.ask("How old is he now?", state=first.state).resolved_question


def test_elliptical_follow_up_reuses_the_previous_question(engine):
    first = engine.ask("How much did the repairs cost?")
    a = engine.ask("And who paid for them?", state=first.state)
    assert a.answered and "regional transport agency" in a.quotes[0].text


def test_pronoun_follow_up_uses_the_person_named_before(engine):
    first = engine.ask("Who is Ingrid Holm?")
    a = engine.ask("What else did she design?", state=first.state)
    assert a.answered and "old ferry terminal" in a.quotes[0].text


def test_a_short_question_about_another_documents_subject_changes_the_subject(make_docs, settings_for):
    """'When is the strike?' after a festival's refunds is asked as it stands: 'strike' is not in the
    festival's article (it had been asked with the refund question's words and found "weekend")."""
    engine = Engine.open(settings_for(make_docs({
        "festival.txt": "Festival cancelled\n\nThe Brill music festival was cancelled this weekend after the stage "
                        "failed a safety check. All ticket holders will get a full refund within 30 days.\n",
        "port.txt": "Dockers to strike\n\nDockers at the port of Oxley will strike from November 14 over pay. "
                    "The union said talks had failed.\n"})))
    first = engine.ask("Will people get a refund?")
    assert first.answered and "refund" in first.quotes[0].text
    a = engine.ask("When is the strike?", state=first.state)
    assert a.resolved_question == "When is the strike?"
    assert a.answered and a.quotes[0].source == "port.txt" and a.answer == "November 14"
    # a word of the festival's own article keeps the follow-up on its subject
    same = engine.ask("Why was it cancelled?", state=first.state)
    assert same.resolved_question != "Why was it cancelled?" and same.quotes[0].source == "festival.txt"
    # a question declined in between changes no subject: the refunds are still the last one quoted
    declined = engine.ask("How many ticket holders were there?", state=first.state)
    assert not declined.answered
    after = engine.ask("When is the strike?", state=declined.state)
    assert after.resolved_question == "When is the strike?" and after.answer == "November 14"


def test_reset_state_forgets_the_topic(engine):
    engine.ask("Who is Ingrid Holm?")
    a = engine.ask("What else did she design?", state=ChatState())
    assert a.resolved_question == "What else did she design?"


@pytest.mark.parametrize("question, quoted, short", [
    ("Who wrote the article?", "By Ellen Marsh and Tom Reyes", "Ellen Marsh and Tom Reyes"),
    ("When was the article published?", "March 3", "March 3"),
    ("Which newspaper published this article?", "The Coastal Gazette", "The Coastal Gazette"),
])
def test_questions_about_the_document_quote_its_header(engine, question, quoted, short):
    a = engine.ask(question)
    assert a.answered and a.quotes[0].text == quoted and a.quotes[0].paragraph == 0
    assert a.answer == short
    assert quoted in ARTICLE


OTHER_ARTICLE = """Comet spotted by a student
- The Fellside Times
- September 18
By Ada Brook

A student spotted a new comet on Tuesday, the observatory said, and the article about it was published widely.
"""


@pytest.mark.parametrize("question, quoted", [
    ("When was the article about the comet published?", "September 18"),
    ("When was the article about the bridge published?", "March 3"),
    ("Which newspaper published the story about the comet?", "The Fellside Times"),
    ("Which paper ran the article about the harbour bridge?", "The Coastal Gazette"),
])
def test_in_a_folder_of_articles_the_question_picks_the_document_by_its_topic(
        make_docs, settings_for, question, quoted):
    engine = Engine.open(settings_for(make_docs({"a_bridge.txt": ARTICLE, "b_comet.txt": OTHER_ARTICLE})))
    a = engine.ask(question)
    assert a.answered and a.quotes[0].text == quoted and a.quotes[0].paragraph == 0


def test_in_a_folder_of_articles_a_question_naming_none_quotes_each_byline(make_docs, settings_for):
    engine = Engine.open(settings_for(make_docs({"a_bridge.txt": ARTICLE, "b_comet.txt": OTHER_ARTICLE})))
    a = engine.ask("Who wrote the article?")
    assert a.answered and a.answer is None
    assert [q.text for q in a.quotes] == ["By Ellen Marsh and Tom Reyes", "By Ada Brook"]


def test_an_article_without_a_byline_is_declined_not_guessed(make_docs, settings_for):
    unsigned = OTHER_ARTICLE.replace("By Ada Brook\n", "")
    engine = Engine.open(settings_for(make_docs({"a_bridge.txt": ARTICLE, "b_comet.txt": unsigned})))
    a = engine.ask("Who wrote the article about the comet?")
    assert not a.answered and "byline" in a.reason
    assert engine.ask("Who wrote the article about the bridge?").answer == "Ellen Marsh and Tom Reyes"


def test_reason_question_prefers_the_sentence_with_because(engine):
    a = engine.ask("Why did the works take too long?")
    assert "because the cables arrived late" in a.quotes[0].text


def test_only_digits_outside_names_are_required_in_the_passage():
    from retrieval.abstain import specific_numbers
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert specific_numbers(analyse("Who won Super Bowl 50 in 2016?", analyzer)) == ["2016"]
    assert specific_numbers(analyse("Were 4 ships sunk?", analyzer)) == ["4"]
    assert specific_numbers(analyse("What two rivers meet there?", analyzer)) == []


def test_ordinals_and_decades_are_not_required_digits():
    from retrieval.abstain import specific_numbers
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert specific_numbers(analyse("Who was the 4th mayor in the 1600s?", analyzer)) == []
    assert specific_numbers(analyse("What show ran in the 80's?", analyzer)) == []
    assert specific_numbers(analyse("What ran for 80 days?", analyzer)) == ["80"]


def test_abbreviated_month_is_found_written_out():
    from retrieval.abstain import support
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    q = analyse("Who negotiated the surrender in Sept?", Analyzer("english"))
    found = support(q, ["negoti", "surrend"], {"negoti", "surrend"}, "They negotiated the surrender in September.",
                    {"negoti": 1, "surrend": 1}, 10)
    assert found.missing == ()
    lacking = support(q, ["negoti", "surrend"], {"negoti", "surrend"}, "They negotiated the surrender in May.",
                      {"negoti": 1, "surrend": 1}, 10)
    assert lacking.missing == ("sept",)


def test_the_march_is_no_month(engine_over):
    engine = engine_over("Mine protest\n\nAbout 3,500 people marched through the centre of Dunmore on Saturday "
                         "against the mine. Later about 60 protesters blocked a road, and four people were arrested.\n")
    a = engine.ask("How many people joined the march in Dunmore?")
    assert a.answered and a.answer == "3,500"


@pytest.mark.parametrize("article, question, first_quote_holds", [
    # "what time": a time of day, not a year
    ("Earthquake in Dorne\n\nA strong earthquake hit the hill town of Dorne on Saturday.\n\n"
     "Dorne was last hit by a major earthquake in 1931, when 22 people died in the earthquake.\n\n"
     "The quake hit at 3:47 a.m., with its epicentre north of the town.\n",
     "What time did the earthquake hit Dorne?", "3:47 a.m."),
    # "how near": a distance, not a span of time
    ("New comet\n\nThe comet last passed near the Sun about 40,000 years ago, astronomers said.\n\n"
     "The comet will pass within 72 million kilometres of the Sun in April.\n",
     "How near to the Sun will the comet get?", "72 million kilometres"),
    # "Who is X?": the sentence whose role before the name says who she is
    ("Talks\n\n\"The Vale government wants a deal,\" said Oskar Brandt, an analyst in Tarrow.\n\n"
     "The news surprised President Ana Vale, who had said the talks were going well.\n",
     "Who is Vale?", "President Ana Vale"),
    # "who chairs": the doer named by role
    ("Water board\n\nThe Regional Water Board published its final report on the drought on Monday.\n\n"
     "Its chairman, Odile Varg, said the board would meet again in May.\n",
     "Who chairs the regional water board?", "Its chairman, Odile Varg"),
])
def test_a_sentence_of_the_best_few_that_gives_what_is_asked_comes_first(engine_over, article, question,
                                                                          first_quote_holds):
    a = engine_over(article).ask(question)
    assert a.answered and first_quote_holds in a.quotes[0].text


def test_who_is_x_quotes_the_sentence_that_says_who_she_is(engine_over):
    engine = engine_over("Election\n\nThe Greens campaigned on tax cuts, a plan Ms. Marr has called unaffordable.\n\n"
                         "The leader of the Greens, Ines Marr, 39, a former nurse, said her party was ready to talk.\n")
    a = engine.ask("Who is Marr?")
    assert a.answered and a.answer == "a former nurse"
    follow = engine.ask("What did she say?", a.state)
    assert follow.resolved_question == "What did Marr say?"


def test_a_named_doer_of_the_verb_keeps_its_sentence_first(engine_over):
    engine = engine_over("Cup final\n\nAfter a long spell of pressure, Marlow kicked the winning goal for Denby.\n\n"
                         "The club's kicker, Tom Ashe, had missed a goal for Denby before the break.\n")
    a = engine.ask("Who kicked the winning goal for Denby?")
    assert a.answered and a.answer == "Marlow"


def test_why_puts_first_the_sentence_that_holds_the_event_asked_about(engine_over):
    from retrieval.answer import Ranked
    from retrieval.models import ChatState
    engine = engine_over("Minister quits\n\nAs transport minister since 2021, Mr. Hale oversaw the new ring road.\n\n"
                         "Mr. Hale resigned as transport minister on Friday, after an inquiry found he had misled MPs.\n")
    query = engine.query("Why did the transport minister resign?", ChatState())
    cause_like, event = 0, 1  # as the learned ranker may order them: "since 2021" reads like a cause
    assert "since" in engine.sentence(cause_like).text and "resigned" in engine.sentence(event).text
    order = engine._covering_first(query.q, [Ranked(cause_like, 2.0), Ranked(event, 1.0)], list(query.terms))
    assert [r.sentence for r in order] == [event, cause_like]
    asked_when = engine.query("When did the transport minister resign?", ChatState())  # only "why" is reordered
    order = engine._covering_first(asked_when.q, [Ranked(cause_like, 2.0), Ranked(event, 1.0)], list(asked_when.terms))
    assert [r.sentence for r in order] == [cause_like, event]


def test_what_else_continues_the_passage_of_the_last_answer(engine):
    first = engine.ask("How much did the repairs cost?")
    a = engine.ask("What else did it say?", state=first.state)
    assert a.answered and a.quotes[0].text.startswith("Engineers replaced 212 steel cables")


def test_she_never_stands_for_a_body_a_who_question_was_answered_with(engine_over):
    engine = engine_over("Festival\n\nThe festival is now run by the Marrow Festival Trust, which has a budget "
                         "of 4 million.\n\nIts director, Ana Voss, 44, will step down in June.\n")
    first = engine.ask("Who runs the festival?")
    assert first.answered and first.answer == "Marrow Festival Trust"
    she = engine.ask("How old is she?", state=first.state)
    assert "Trust" not in she.resolved_question
    it = engine.ask("What budget does it have?", state=first.state)
    assert "Marrow Festival Trust" in it.resolved_question


def test_follow_up_with_a_month_prefers_the_sentence_holding_it(engine_over):
    engine = engine_over(
        "Ferry notes\n\nThe harbour ferries carried 900 commuters across the bay this week, officials said.\n\n"
        "In April the ferries carried 450 people across.\n")
    first = engine.ask("How many commuters did the harbour ferries carry across the bay this week?")
    a = engine.ask("And in April?", state=first.state)
    assert a.answered and "In April" in a.quotes[0].text and a.answer == "450"


def test_header_quote_has_a_context_to_show(engine):
    quote = engine.ask("Who wrote the article?").quotes[0]
    assert engine.context(quote.sentence)[0].text.startswith("The harbour bridge reopened")


def test_count_answered_by_an_amount_word_is_not_declined(engine_over):
    a = engine_over(
        "Lakes of the park\n\nThe park holds several glacial lakes and a river.\n\n"
        "Visitors hike along the river in summer.\n").ask("How many glacial lakes does the park hold?")
    assert a.answered and "several glacial lakes" in a.quotes[0].text


def test_ranker_sees_which_candidates_hold_the_rarest_question_word(engine):
    from retrieval import answer as selection
    from retrieval.question import analyse
    q = analyse("Which architect designed the bridge?", engine._analyzer)
    ids = [engine._term_ids[t] for t in q.terms if t in engine._term_ids]
    cands, s_norm, p_norm = selection.candidates(engine._index, engine._layout, ids)
    X = selection.features(engine._index, engine._layout, q, ids, selection.idf_of(engine._index, ids),
                           cands, s_norm, p_norm)
    rarest = X[:, selection.FEATURES.index("rarest_term")]
    texts = [engine.sentence(int(s)).text for s in cands]
    assert {t for t, r in zip(texts, rarest) if r} == {t for t in texts if "architect" in t}
    share = X[:, selection.FEATURES.index("term_share")]
    assert share.max() == 1.0 and "Norwegian architect" in texts[int(share.argmax())]


def test_name_in_the_question_is_matched_by_its_acronym_in_the_passage(engine_over):
    engine = engine_over(
        "Trade talks\n\nThe U.S. trade office said it would not raise tariffs on steel imports this year.\n\n"
        "Steel mills in the region hired more workers in spring.\n")
    a = engine.ask("Will the United States raise tariffs on steel?")
    assert a.answered and a.quotes[0].text.startswith("The U.S. trade office")
    assert not engine.ask("Will the European Union raise tariffs on steel?").answered


def test_name_of_a_person_is_declined_when_the_sentence_names_nobody(engine_over):
    engine = engine_over(
        "Court news\n\nA court in the Netherlands sentenced a man accused of smuggling cattle in 2019.\n\n"
        "Judge Anna Berg sentenced a woman accused of forging passports.\n")
    assert not engine.ask("What is the name of the man accused of smuggling cattle?").answered
    judge = engine.ask("What is the name of the judge who sentenced the woman?")
    assert judge.answered and judge.answer == "Anna Berg"


def test_asks_for_name_only_of_people():
    from retrieval.question import analyse, asks_for_name
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert asks_for_name(analyse("What is the name of the woman who was extradited?", analyzer))
    assert not asks_for_name(analyse("What is the name of the stadium?", analyzer))
    assert not asks_for_name(analyse("Who named the woman?", analyzer))
    # past an ordinal or an adjective to the noun, and people named by their role or family
    assert asks_for_name(analyse("What is the name of the third man who was arrested?", analyzer))
    assert asks_for_name(analyse("What is the name of the captain of the ship?", analyzer))
    assert asks_for_name(analyse("What was the name of her husband?", analyzer))
    assert not asks_for_name(analyse("What is the name of the first Doctor Who serial?", analyzer))


def test_the_name_of_a_role_after_a_possessive_asks_for_a_person():
    from retrieval.question import analyse, asks_for_name, asks_for_named_thing
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    chairman = analyse("What is the name of the Brackley trust's former chairman?", analyzer)
    assert asks_for_name(chairman) and not asks_for_named_thing(chairman)
    assert not asks_for_name(analyse("What is the name of the trust that hired the chairman?", analyzer))


def test_which_firm_or_the_name_of_a_village_asks_for_a_named_thing():
    from retrieval.question import analyse, asks_for_named_thing
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    for text in ("Which firm designed the library?", "What company built the dam?",
                 "What is the name of the security company that guards the museum?",
                 "What is the name of the runner's home village?",
                 "Which rival snack maker did she work for?", "What software company does he run?"):
        assert asks_for_named_thing(analyse(text, analyzer)), text
    for text in ("In what state is the fluid stored?", "What were European countries doing in 1700?",
                 "What did the firm build?", "What is the name of the process?", "Which year was it built?",
                 "What kind of company is Sky?", "What type of city has Warsaw been?"):
        assert not asks_for_named_thing(analyse(text, analyzer)), text


def answer_in(check, text: str, answer: str) -> bool:
    """`check(text, span)` for the span of `answer` inside `text`."""
    at = text.index(answer)
    return check(text, (at, at + len(answer)))


def test_a_named_thing_holds_a_capitalised_word_that_does_not_open_the_sentence():
    from retrieval.names import holds_name

    def named(text: str, answer: str) -> bool:
        return answer_in(holds_name, text, answer)
    assert named("Its rival is based in the northern city of Ravensholt.", "the northern city of Ravensholt")
    assert named("It was built by the Harrow Bridge Company in 1901.", "the Harrow Bridge Company")
    assert not named("He will build a house in his home village in the highlands.", "highlands")
    assert not named("Engineers found cracks in the frame.", "Engineers")  # any sentence opens with a capital
    assert not named("“I knew at 30 kilometres that I could win,” he said.", "I knew at 30 kilometres")
    assert named("Sweden rationed fuel and heating oil.", "Sweden")  # a word only ever written capitalised
    assert not named("Bill paid for the fuel.", "Bill")  # also "a bill"


def test_which_firm_is_declined_when_the_sentence_names_none(engine_over):
    engine = engine_over("Pool\n\nThe new pool has been delayed after engineers found that its tiles were "
                         "cracked. The pool was designed to hold 300 swimmers.\n")
    answer = engine.ask("Which firm designed the new pool?")
    assert not answer.answered and "name" in answer.reason
    named = engine_over("Pool\n\nThe new pool was designed by Harrow Civic Works and opened on Monday.\n")
    answer = named.ask("Which firm designed the new pool?")
    assert answer.answered and answer.answer == "Harrow Civic Works"


def test_the_price_or_cost_of_something_asks_for_money():
    from retrieval.question import analyse
    from retrieval.amounts import asks_for_money
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    for text in ("What is the price of a tonne of copper?", "What was the cost of the bridge?",
                 "How much did the bridge cost?", "How much money did he steal?", "How much revenue did it make?",
                 "How much is the firm investing in the plant?", "How much does a nurse earn?"):
        assert asks_for_money(analyse(text, analyzer)), text
    for text in ("How much rain fell?", "What was the effect of the price rise?", "Who paid for it? How much did it cost?",
                 "How much of the country's income does the city produce?", "How much did revenue increase?"):
        assert not asks_for_money(analyse(text, analyzer)), text


def test_a_price_question_is_declined_when_the_sentence_gives_only_a_percentage(engine_over):
    engine = engine_over("Copper\n\nThe price of a tonne of copper now is about 40 percent higher than in 2020.\n")
    answer = engine.ask("What is the price of a tonne of copper now?")
    assert not answer.answered and "money" in answer.reason
    priced = engine_over("Copper\n\nA tonne of copper now sells for $9,400, up by 40 percent since 2020.\n")
    answer = priced.ask("What is the price of a tonne of copper now?")
    assert answer.answered and answer.answer == "$9,400"


def test_a_weight_question_is_declined_when_the_sentence_gives_only_a_length(engine_over):
    engine = engine_over("Frog\n\nThe new frog weighs little and measures just 14 millimetres from snout to vent.\n")
    answer = engine.ask("How much does the new frog weigh?")
    assert not answer.answered and "weight" in answer.reason
    weighed = engine_over("Frog\n\nThe new frog weighs just 2 grams and measures 14 millimetres.\n")
    answer = weighed.ask("How much does the new frog weigh?")
    assert answer.answered and answer.answer == "2 grams"


def test_a_proper_name_is_capitalised_throughout_and_no_date_or_article_opens_it():
    from retrieval.names import is_proper_name

    def named(text: str, answer: str) -> bool:
        return answer_in(is_proper_name, text, answer)
    assert named("It was led by Ana de la Cruz.", "Ana de la Cruz")
    assert named("The ship's master, Ivo Ruhl, said so.", "Ivo Ruhl")
    assert not named("He was arrested on Sunday and remains in custody.", "Sunday and remains in custody")
    assert not named("The MAIO said its inspectors boarded the ship.", "The MAIO")
    assert not named("It went to the United Nations.", "United Nations")
    assert not named("He stood down in 2022.", "stood down in 2022")


def test_name_of_a_role_is_declined_when_the_sentence_gives_only_a_date(engine_over):
    engine = engine_over("Arrests\n\nTwo men were charged. A third man, aged 27, was arrested on Sunday and "
                         "remains in custody.\n")
    assert not engine.ask("What is the name of the third man who was arrested?").answered


def test_a_small_word_in_capitals_counts_as_the_word_when_the_documents_lack_the_acronym():
    from retrieval.abstain import key_terms, support
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    q = analyse("Did the team NOT win the cup?", analyzer)
    key = key_terms(q, analyzer)
    assert "not." in key  # read as an acronym, like "NFL"
    context = {"not", "team", "win", "cup"}
    as_word = support(q, key, context, "", {"not": 3, "team": 2, "win": 1, "cup": 1}, 10)
    assert as_word.share == 1.0 and as_word.unknown == 0
    as_acronym = support(q, key, context | {"not."}, "", {"not.": 1, "team": 2, "win": 1, "cup": 1}, 10)
    assert as_acronym.share == 1.0 and as_acronym.unknown == 0


def test_a_time_noun_is_a_key_word_unless_it_is_what_is_asked():
    from retrieval.abstain import key_terms
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert "week" in key_terms(analyse("How many were extradited this week?", analyzer), analyzer)
    assert "week" not in key_terms(analyse("In which week were they extradited?", analyzer), analyzer)
    assert "countri" not in key_terms(analyse("Which country did they fly to?", analyzer), analyzer)
    # a place or organisation noun outside the wh-phrase is a topic too (it was skipped, leaving
    # "How high did the river get?" with "high" alone, which no document holds)
    assert "river" in key_terms(analyse("How high did the river get?", analyzer), analyzer)
    assert "river" not in key_terms(analyse("Which river flooded the town?", analyzer), analyzer)
    assert "compani" in key_terms(analyse("When did the company go bust?", analyzer), analyzer)


def test_an_answer_kind_noun_is_the_topic_when_the_question_has_no_other():
    """'What did the mayor say?' had no key word at all ('mayor' names a kind of answer, as in
    'which mayor ...?'), so no sentence could match any of it and the question was declined."""
    from retrieval.abstain import key_terms
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert key_terms(analyse("What did the mayor say?", analyzer), analyzer) == ["mayor"]
    assert "mayor" not in key_terms(analyse("Which mayor opened the bridge?", analyzer), analyzer)
    assert "mayor" not in key_terms(analyse("What did the mayor say about the bridge?", analyzer), analyzer)
    assert key_terms(analyse("Who is the mayor?", analyzer), analyzer) == ["mayor"]  # the asked noun, failing all else


def test_the_particle_of_a_light_verb_and_according_to_are_no_key_words():
    from retrieval.abstain import key_terms
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert "after" not in key_terms(analyse("Did they go after the smugglers?", analyzer), analyzer)
    assert "away" not in key_terms(analyse("What did Mexico give away?", analyzer), analyzer)
    assert "after" in key_terms(analyse("What happened after the flood?", analyzer), analyzer)  # no verb's particle
    assert analyzer.stem("according") not in key_terms(analyse("According to the analyst, who won?", analyzer), analyzer)


COASTGUARD = """Coastguard to pursue smugglers

The coastguard was ordered on Monday to pursue the smugglers along the whole of the northern coast.

Fishermen in the port welcomed the decision.
"""


def test_a_phrasal_verb_s_particle_missing_from_the_text_does_not_silence_the_answer(engine_over):
    """'go after' is 'pursue'; the article never writes "after", which as a key word no document
    holds would have raised the bar the question's other words must clear."""
    a = engine_over(COASTGUARD).ask("Was the coastguard told to go after the smugglers' speedboats?")
    assert a.answered and "pursue the smugglers" in a.quotes[0].text


def test_what_someone_said_about_a_topic_quotes_the_sentence_with_the_topic(engine_over):
    a = engine_over(
        "Port strike\n\n“The strike is costing every business on the coast,” said Mara Lind, a shipping "
        "analyst at the Baltic Freight Institute. “Insurers will raise their prices within a month.”\n\n"
        "Dock workers walked out on Monday.\n").ask("What did the shipping analyst say about insurers?")
    assert a.answered and "Insurers will raise" in a.quotes[0].text


def test_topic_after_about_only_for_what_someone_said():
    from retrieval.question import analyse, topic_after_about
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert topic_after_about(analyse("What did the analyst say about Washington?", analyzer), analyzer) == {"washington"}
    assert topic_after_about(analyse("What was special about the bridge?", analyzer), analyzer) == frozenset()


MUSEUMS = """A visitor's guide

Oldtown has museums: the museums of Oldtown are the pride of Oldtown, and Oldtown museums draw visitors from the whole region.

Guides say the town counts 14 museums, most of them small.

The mayor opened a new library in the spring.
"""


def test_count_question_quotes_a_lower_sentence_with_the_number_beside_the_asked_noun(engine_over, monkeypatch):
    engine = engine_over(MUSEUMS)
    window = engine_module.FALLBACK_WINDOW
    monkeypatch.setattr(engine_module, "FALLBACK_WINDOW", 1)  # the best sentence alone, as before
    assert not engine.ask("How many museums does Oldtown have?").answered
    monkeypatch.setattr(engine_module, "FALLBACK_WINDOW", window)
    a = engine.ask("How many museums does Oldtown have?")
    assert a.answered and a.quotes[0].text.startswith("Guides say the town counts 14 museums")
    assert a.answer == "14"


def test_count_question_without_a_noun_is_declined_when_the_best_sentence_holds_no_number(engine_over):
    engine = engine_over("Life in the town hall\n\nMara Velt is the mayor of Oldtown and Mara Velt is known for her "
                         "long speeches about Oldtown.\n\nVelt said the town hall needed 3 new windows.\n\n"
                         "The library opened in the spring.\n")
    a = engine.ask("How old is Mara Velt?")
    assert not a.answered and "number" in a.reason


TRAM = """Tram line opens

The new tram line opened on Saturday, ending years of roadworks in the city centre.

The line runs 14 kilometres and the first tram left the depot at dawn.

Mr. Hale, 58, who chairs the transport board, said the line would pay for itself.
"""


def test_a_year_question_is_declined_when_the_documents_give_no_year(engine_over):
    a = engine_over(TRAM).ask("In what year did the tram line open?")
    assert not a.answered and "year" in a.reason


def test_an_age_question_is_declined_when_the_age_given_is_someone_elses(engine_over):
    engine = engine_over(TRAM)
    assert engine.ask("How old is Mr. Hale?").answer == "58"
    a = engine.ask("How old is the tram line?")
    assert not a.answered and "age" in a.reason


PLANT = """Mill results

The company took a charge to close a packaging plant in Dunmore, which employs 310 people.

Its shares fell on the news.
"""

SCHOOLS = """Valley schools

Schools in the valley will remain closed until at least Wednesday of next week.
"""


def test_a_when_question_is_declined_when_the_sentence_says_no_time_and_no_other_document_stands_in(
        make_docs, settings_for):
    engine = Engine.open(settings_for(make_docs({"plant.txt": PLANT, "schools.txt": SCHOOLS})))
    a = engine.ask("When will the Dunmore plant close?")
    assert not a.answered and "time" in a.reason
    assert engine.ask("Until when will the schools in the valley remain closed?").answered  # their sentence says when


def test_an_abbreviated_month_in_capitals_is_checked_as_a_date_not_as_a_name(engine_over):
    engine = engine_over("Harbour talks\n\nIn September 1760 the governor negotiated a truce from the fort.\n\n"
                         "The truce held for a year.\n")
    assert engine.ask("In Sept 1760 who negotiated a truce?").answered
    assert not engine.ask("In Oct 1760 who negotiated a truce?").answered


def test_a_follow_up_about_what_she_said_finds_the_topic_in_the_next_paragraph(engine_over):
    engine = engine_over(
        "Port strike\n\nThe strike surprised Governor Mara Lind, who had been saying that Mara Lind's talks "
        "with the unions were going well.\n\n“We negotiate, we listen, but there will be no lockout,” she said.\n\n"
        "Dock workers walked out on Monday.\n")
    first = engine.ask("Who is Mara Lind?")
    a = engine.ask("What did she say about a lockout?", first.state)
    assert a.answered and "there will be no lockout" in a.quotes[0].text


def test_the_topic_after_about_is_the_users_own_words_not_the_names_a_follow_up_borrowed():
    from retrieval import question as qa
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    q = qa.analyse("What did she say about an invasion? Mara Lind", analyzer)
    assert qa.topic_after_about(q, analyzer) == {analyzer.stem("invasion")}


def test_the_headline_names_what_the_sentences_of_its_article_are_about(engine_over):
    engine = engine_over("Tarnby lighthouse keeper retires after forty years\n\n"
                         "Agnes Vell kept the light on the cape for four decades.\n\n"
                         "She trained 12 keepers during that time, the coastguard said.\n\n"
                         "The coastguard will run the light from a station inland.\n")
    a = engine.ask("How many keepers did the Tarnby lighthouse keeper train?")
    assert a.answered and a.answer == "12"


def test_a_full_name_in_the_question_is_matched_by_the_surname_alone(engine_over):
    engine = engine_over("Council vote on the harbour plan\n\n"
                         "The harbour plan was put to the council by Oskar Lindqvist, its planning chief.\n\n"
                         "Mr. Lindqvist, who had opposed both amendments, said the vote was fair.\n\n"
                         "The plan will cost the council 3 million pounds over five years.\n")
    a = engine.ask("Did Oskar Lindqvist support the amendments?")
    assert a.answered and "opposed both amendments" in a.quotes[0].text


def test_a_key_word_matched_by_its_first_five_letters_counts(engine_over):
    # "Canada" is in no document, but "Canadian" is: the question is answered, not declined for an unknown word
    engine = engine_over("Trade news\n\nThe harbour report came out in May.\n\n"
                         "Canadian exports of wheat rose by 8 percent in May, the ministry said.\n")
    answer = engine.ask("How much did Canada's exports rise?")
    assert answer.answered and answer.answer == "8 percent"
    assert not engine.ask("How much did Peru's exports rise?").answered


def test_a_lone_capital_letter_is_no_name_the_documents_must_hold():
    from retrieval.abstain import name_terms
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert name_terms(analyse("What share of A&E patients were seen in time?", analyzer), analyzer) == []
    assert name_terms(analyse("How many trams did Kelder City buy?", analyzer), analyzer) == ["kelder", "citi"]


def test_a_price_question_wants_an_amount_of_money_and_looks_further_down_for_one(engine_over):
    engine = engine_over(
        "The new line\n\nThe two leaders signed a deal on a 620-kilometre rail line between the ports.\n\n"
        "The line, which would cost an estimated $3.8 billion, could carry its first trains in 2031.\n\n"
        "The vaccine is taken as two tablets four weeks apart.\n")
    cost = engine.ask("How much will the rail line between the ports cost?")
    assert cost.answered and cost.answer == "$3.8 billion"
    assert not engine.ask("How much will two tablets of the vaccine cost?").answered  # "two" is no price


def test_a_best_sentence_whose_paragraph_lacks_the_key_words_gives_way_to_one_whose_paragraph_has_them(engine_over):
    from retrieval.answer import Ranked
    engine = engine_over(
        "Ferry news\n\nThe ferry sailed late on Monday.\n\n"
        "Because of thick fog, the operator Tidewater Lines cancelled every crossing to Brill island on Tuesday.\n")
    q = engine.query("Which operator cancelled the crossings to Brill island because of fog?", ChatState()).q
    late, fog = 0, 1  # sentence ids in document order
    # ranked as if BM25 had put the first paragraph's sentence first: the second one is quoted instead
    pos, _, why = engine._pick(q, [Ranked(late, 2.0), Ranked(fog, 1.0)], None)
    assert (pos, why) == (1, None)
    # and with nothing better further down, the question is declined
    assert engine._pick(q, [Ranked(late, 2.0)], None)[2].startswith("only")


FESTIVAL = """Brindlefest returns to the valley

The Brindlefest music festival will return to Harrowgate Park in July. The singer Maren Holt headlined
the festival in 2019 and drew a record crowd. Tickets go on sale on Monday.
"""

CANCELLED = """Quarnwick festival cancelled

The Quarnwick festival was cancelled on Thursday because of flooding on the site. Its organisers said
tickets would be refunded within two weeks.
"""


def test_a_question_naming_one_document_is_not_answered_from_another(make_docs, settings_for):
    """'Who headlined Quarnwick in 2019?': only the Brindlefest article says who headlined in 2019,
    and it never mentions Quarnwick, so the documents do not say."""
    engine = Engine.open(settings_for(make_docs({"brindle.txt": FESTIVAL, "quarnwick.txt": CANCELLED})))
    a = engine.ask("Who headlined Quarnwick in 2019?")
    assert not a.answered and "quarnwick" in a.reason
    assert engine.ask("Who headlined Brindlefest in 2019?").answer == "Maren Holt"


DISEASE = """Fevers in the lowlands

Doctors say that people in the lowlands often catch a fever from mosquitoes, a disease that spreads in
the wet season. The disease is rarely fatal in adults.
"""

INVENTOR = """The life of Tamsin Orrery

Tamsin Orrery was an inventor who built clocks in Lisle. As a young woman Orrery fell ill with cholera,
a disease that kept her in bed for nine months. She later built the town's first electric clock.
"""


def test_the_sentences_of_the_document_naming_the_question_s_name_come_first(make_docs, settings_for):
    """'What disease did Orrery catch?': the sentence about catching a disease in another article
    matches more words, but the answer is in the article about Orrery."""
    engine = Engine.open(settings_for(make_docs({"disease.txt": DISEASE, "inventor.txt": INVENTOR})))
    a = engine.ask("What disease did Orrery catch?")
    assert a.answered and "cholera" in a.quotes[0].text


PELLETS = """Containers lost off Sarrow Point

Plastic pellets from a lost container have washed up on beaches near Sarrow Point, and volunteers are
collecting the pellets by hand.

Two of the containers held plastic pellets, known as grindlets, which are melted down to make bottles.
The coastguard said the pellets were not toxic.
"""


def test_what_something_is_called_prefers_the_sentence_that_names_it(engine_over):
    """'What are the plastic pellets called?': the lede matches more words; the sentence saying what
    they are "known as" answers."""
    a = engine_over(PELLETS).ask("What are the plastic pellets called?")
    assert a.answered and "known as grindlets" in a.quotes[0].text


FILM_WEEK = """Pellow film week ends

The Pellow Film Week ended on Sunday with a gala screening at the Lindquay Playhouse, closing an edition
that sold a record 64,200 tickets over its nine days.

"This year we sold more tickets than ever, and a third of our audience was under 25," said its director, Marit Osgood.
The festival will return next October.
"""


@pytest.mark.parametrize("question", ["How many tickets did the film week sell this year?",
                                      "how many tickets were sold?"])
def test_a_count_question_prefers_the_number_beside_the_noun_it_counts(engine_over, question):
    """The quote holds more of the question's words and a number, but "under 25" counts no tickets;
    the sentence with "64,200 tickets" answers."""
    a = engine_over(FILM_WEEK).ask(question)
    assert a.answered and a.answer == "64,200"
    assert "64,200 tickets" in a.quotes[0].text


VACCINE = """Vaccine for children enters last trial

A vaccine against winter vomiting bug developed at Harnwell University will be tested on 3,000 children,
the university said on Monday.

Its chief executive said Ostrel had already agreed a deal with a manufacturer to produce up to ten million doses a year.
"""


def test_a_sentence_mentioning_only_an_unnamed_one_does_not_answer_which_one(engine_over):
    """'Which manufacturer ...?': the sentence says "a manufacturer" and names another company;
    the documents do not say which manufacturer, and answering "Ostrel" would be wrong."""
    a = engine_over(VACCINE).ask("Which manufacturer will produce the ten million doses a year?")
    assert not a.answered and "does not name it" in a.reason


def test_a_named_mention_still_answers_which_one(engine_over):
    named = VACCINE.replace("with a manufacturer to", "with a manufacturer, Pellam Pharma, to")
    a = engine_over(named).ask("Which manufacturer will produce the ten million doses a year?")
    assert a.answered and a.answer == "Pellam Pharma"


BAN = """Cyclist loses appeal

The cyclist Pavel Korrin lost his appeal against his ban from racing on Tuesday, and his team said it would
stand by the rider, who had won 11 races since 2018.

The federation said Korrin would serve the whole ban, three years, before racing again.
"""


def test_a_how_long_question_prefers_the_sentence_with_a_measure_and_its_unit(engine_over):
    """The first sentence holds more of the question's words and a number, but "11 races" measures
    no ban; the sentence with "three years" answers."""
    a = engine_over(BAN).ask("How long is Korrin's ban from racing?")
    assert a.answered and a.answer == "three years"


STRIKE = """Dockers to strike

The port's operator offered £1,250 to every docker who would call off the strike at the port.

The union said about 1,400 dockers would walk out on Monday.

The last walkout at the port was in the 1990s.
"""


def test_count_question_passes_over_a_sentence_whose_only_number_is_money(engine_over):
    """'How many dockers': '£1,250 to every docker' holds the asked noun, but a sum of money counts none."""
    a = engine_over(STRIKE).ask("How many dockers will strike at the port?")
    assert a.answered and a.quotes[0].text.startswith("The union said about 1,400 dockers")
    assert a.answer == "1,400"


def test_worth_and_money_ask_for_an_amount_in_a_how_much_question():
    from retrieval.abstain import key_terms
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert key_terms(analyse("How much is the painting worth?", analyzer), analyzer) == ["paint"]
    assert "money" not in key_terms(analyse("How much money did the club raise?", analyzer), analyzer)
    assert "worth" in key_terms(analyse("Who said the deal was worth it?", analyzer), analyzer)


PAINTING = """Stolen portrait found

A portrait stolen from the town museum was recovered undamaged from a garage on Friday.

The painting shows a girl at a window with a bobbin of lace.

It was painted in 1868 and has been valued at about £650,000, although the museum insured it for less.
"""


def test_a_how_much_worth_question_is_answered_from_a_sentence_without_the_word_worth(engine_over):
    a = engine_over(PAINTING).ask("How much is the painting worth?")
    assert a.answered and a.quotes[0].text.startswith("It was painted in 1868")
    assert a.answer == "£650,000"


def test_the_verb_face_is_no_key_word_but_the_noun_is():
    """'What charges does he face?' is about the charges; 'her face' is a topic."""
    from retrieval.abstain import key_terms
    from retrieval.question import analyse
    from retrieval.text import Analyzer
    analyzer = Analyzer("english")
    assert key_terms(analyse("What charges does he face?", analyzer), analyzer) == ["charg"]
    assert key_terms(analyse("Could the defendants face execution?", analyzer), analyzer) == ["defend", "execut"]
    assert "face" in key_terms(analyse("What was painted on her face?", analyzer), analyzer)


def test_a_question_in_synonyms_only_is_asked_with_them(engine_over):
    """No word of the question is in the article, but 'execution' is its 'death penalty' and
    'America' its 'U.S.': the question is searched with those, not declined outright."""
    engine = engine_over("Court hearing\n\nThe U.S. prosecutors said they would not seek the death penalty "
                         "for the three men.\n\nThe hearing lasted two hours.\n")
    a = engine.ask("Could the defendants face execution in America?")
    assert a.answered and "death penalty" in a.quotes[0].text


def test_a_best_sentence_holding_no_key_word_gives_way_to_one_that_does(make_docs, settings_for):
    """'How long is the ban?': the only word "It's a long day for a nine-year-old" (another article)
    shares with it is the 'long' of 'how long'; ranked first, it had the question declined."""
    ban = ("Cyclist banned\n\nThe rider Luka Marr has been banned from the sport for four years after a tribunal "
           "on Wednesday rejected his appeal against a positive test for a banned hormone.\n\nHis ban has been "
           "backdated to May 2, which means he will not be able to race again until May 2029.\n\nMarr turned "
           "professional in 2018 and had won 11 races before the ban.\n\nThe case is the third ban handed to a "
           "rider by the agency this year.\n")
    pool = "Swimming club waits for its pool\n\n\"It's a long day for a nine-year-old,\" said Ann Pike, 41.\n"
    engine = Engine.open(settings_for(make_docs({"ban.txt": ban, "pool.txt": pool})))
    a = engine.ask("How long is the ban?")
    assert a.answered and "long day" not in a.quotes[0].text


def test_a_follow_up_keeps_an_acronym_name_as_written(engine_over):
    """The chat remembers 'The SDF' as written: folded to 'the sdf.' it was no word of the index
    (which keeps the acronym 'SDF' apart from a word 'sdf'), and 'Who leads it?' was answered with
    another party."""
    engine = engine_over("Election results\n\nThe governing Social Democratic Front (SDF) won 44 seats, down from 68.\n\n"
                         "The Reform Movement won 61 seats and will lead the talks.\n\n"
                         "The SDF is led by Lorcan Vos, 58, who has been prime minister since 2012.\n")
    first = engine.ask("How many seats did The SDF win?")
    assert first.answer == "44"
    assert engine.ask("Who leads it?", first.state).answer == "Lorcan Vos"
