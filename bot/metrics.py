"""Pure metric functions for `quoteqa eval`: plain values in, numbers out, no engine, no I/O.

Undefined ratios (nothing to divide by) are None rather than 0 or 1, so a report never claims
a perfect or a zero score for a measure it could not take.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from typing import Iterable, Mapping, Sequence

_CURLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})
_SPACE = re.compile(r"\s+")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCTUATION = set(string.punctuation)


def fold(text: str) -> str:
    """Text as eval compares it: case folded, curly quotes straightened, whitespace runs collapsed."""
    return _SPACE.sub(" ", text.translate(_CURLY).casefold()).strip()


def contains_any(text: str, needles: Iterable[str]) -> bool:
    """Whether `text` holds one of `needles`, compared folded."""
    haystack = fold(text)
    return any(fold(needle) in haystack for needle in needles)


def first_match_rank(quotes: Sequence[str], needles: Sequence[str]) -> int | None:
    """1-based rank of the first quote that holds one of `needles`; None when none does."""
    for rank, quote in enumerate(quotes, start=1):
        if contains_any(quote, needles):
            return rank
    return None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def hit_at_k(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose first matching quote is at rank k or better (quote@k, hit@k)."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return _mean([1.0 if rank is not None and rank <= k else 0.0 for rank in ranks])


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """Mean of 1/rank, a miss counting 0."""
    return _mean([1.0 / rank if rank else 0.0 for rank in ranks])


def normalize_answer(text: str) -> str:
    """SQuAD v1.1 normalisation (lower case, no punctuation, no articles, single spaces).

    Curly quotes are straightened first so that "Mexico’s" and "Mexico's" normalise alike.
    """
    text = text.translate(_CURLY).lower()
    text = "".join(ch for ch in text if ch not in _PUNCTUATION)
    text = _ARTICLES.sub(" ", text)
    return " ".join(text.split())


def exact_match(prediction: str | None, golds: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals a normalised gold answer; a missing prediction scores 0."""
    if prediction is None or not golds:
        return 0.0
    predicted = normalize_answer(prediction)
    return 1.0 if any(predicted == normalize_answer(gold) for gold in golds) else 0.0


def _f1(predicted: list[str], gold: list[str]) -> float:
    common = Counter(predicted) & Counter(gold)
    overlap = sum(common.values())
    if overlap == 0:
        return 0.0
    precision = overlap / len(predicted)
    recall = overlap / len(gold)
    return 2 * precision * recall / (precision + recall)


def token_f1(prediction: str | None, golds: Sequence[str]) -> float:
    """SQuAD token F1: the best F1 of the prediction's normalised tokens against any gold answer."""
    if prediction is None or not golds:
        return 0.0
    predicted = normalize_answer(prediction).split()
    return max(_f1(predicted, normalize_answer(gold).split()) for gold in golds)


def abstention_scores(abstained: Sequence[bool], should_abstain: Sequence[bool]) -> dict[str, float | None]:
    """Abstention as a classifier whose positive class is "the documents do not answer this".

    precision: of the questions it declined, the share it should have declined;
    recall: of the questions it should have declined, the share it did;
    false_abstain_rate: of the answerable questions, the share it declined;
    accuracy: the share of all questions where it declined exactly when it should have.
    """
    if len(abstained) != len(should_abstain):
        raise ValueError("abstained and should_abstain differ in length")
    pairs = list(zip(abstained, should_abstain))
    true_pos = sum(1 for got, want in pairs if got and want)
    declined = sum(1 for got, _ in pairs if got)
    unanswerable = sum(1 for _, want in pairs if want)
    answerable = len(pairs) - unanswerable
    false_abstain = sum(1 for got, want in pairs if got and not want)
    correct = sum(1 for got, want in pairs if got == want)
    return {
        "precision": true_pos / declined if declined else None,
        "recall": true_pos / unanswerable if unanswerable else None,
        "false_abstain_rate": false_abstain / answerable if answerable else None,
        "accuracy": correct / len(pairs) if pairs else None,
    }


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0..100) with linear interpolation between ranks, as numpy's default."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, got {p}")
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(seconds: Sequence[float]) -> dict[str, float | None]:
    """Per-question latency in milliseconds: p50, p95, mean, max, and the total in seconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "mean_ms": _mean(ms),
        "max_ms": max(ms) if ms else None,
        "total_s": sum(seconds),
    }


def group_by_tag(tags_per_item: Sequence[Sequence[str]]) -> dict[str, list[int]]:
    """Item indices for every tag, tags sorted by name; an item with no tag goes under "untagged"."""
    groups: dict[str, list[int]] = {}
    for index, tags in enumerate(tags_per_item):
        for tag in (tags or ["untagged"]):
            groups.setdefault(tag, []).append(index)
    return dict(sorted(groups.items()))


def share(flags: Iterable[bool]) -> float | None:
    """The share of true flags; None for no flags."""
    values = [1.0 if flag else 0.0 for flag in flags]
    return _mean(values)


def mean_or_none(values: Iterable[float]) -> float | None:
    return _mean(list(values))


def compare_threshold(value: float | None, minimum: float | None) -> bool:
    """Whether `value` meets `minimum`; no minimum always passes, an unmeasured value never does."""
    if minimum is None:
        return True
    return value is not None and value >= minimum


def round_floats(data: Mapping | list | float | None, digits: int = 4):
    """A copy of nested report data with floats rounded, so reports diff cleanly."""
    if isinstance(data, float):
        return round(data, digits)
    if isinstance(data, Mapping):
        return {key: round_floats(value, digits) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [round_floats(value, digits) for value in data]
    return data
