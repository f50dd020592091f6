"""The eval metrics on small cases computed by hand."""

import pytest

from bot import metrics


def test_fold_straightens_curly_quotes_and_collapses_whitespace():
    assert metrics.fold("  Mexico\u2019s \n\t \u201cRisk\u201d ") == "mexico's \"risk\""


def test_contains_any_matches_across_case_and_curly_quotes():
    assert metrics.contains_any("Mexico\u2019s attorney general\u2019s office", ["MEXICO'S ATTORNEY"])


def test_contains_any_is_false_when_no_needle_occurs():
    assert not metrics.contains_any("sent 29 cartel leaders", ["26", "twenty-six"])


def test_first_match_rank_is_one_based_and_none_on_a_miss():
    quotes = ["nothing here", "still nothing", "sent 29 cartel leaders"]
    assert metrics.first_match_rank(quotes, ["29 cartel"]) == 3
    assert metrics.first_match_rank(quotes, ["55 people"]) is None
    assert metrics.first_match_rank([], ["x"]) is None


def test_hit_at_k_counts_ranks_within_k():
    ranks = [1, 2, None, 4]
    assert metrics.hit_at_k(ranks, 1) == 0.25
    assert metrics.hit_at_k(ranks, 3) == 0.5
    assert metrics.hit_at_k(ranks, 5) == 0.75


def test_hit_at_k_of_nothing_is_undefined():
    assert metrics.hit_at_k([], 1) is None


def test_hit_at_k_rejects_k_below_one():
    with pytest.raises(ValueError):
        metrics.hit_at_k([1], 0)


def test_mean_reciprocal_rank_counts_a_miss_as_zero():
    # (1 + 1/2 + 0 + 1/4) / 4 = 0.4375
    assert metrics.mean_reciprocal_rank([1, 2, None, 4]) == pytest.approx(0.4375)


@pytest.mark.parametrize("text, expected", [
    ("The Sinaloa cartel", "sinaloa cartel"),
    ("  Mexico\u2019s attorney-general's   office. ", "mexicos attorneygenerals office"),
    ("an apple, a pear and THE plum!", "apple pear and plum"),
    ("theatre", "theatre"),  # an article only as a whole word
    ("", ""),
])
def test_normalize_answer_follows_squad(text, expected):
    assert metrics.normalize_answer(text) == expected


def test_exact_match_ignores_articles_case_and_punctuation():
    assert metrics.exact_match("the Sinaloa Cartel.", ["Sinaloa cartel"]) == 1.0


def test_exact_match_takes_the_best_gold():
    assert metrics.exact_match("29", ["twenty-nine", "29"]) == 1.0


def test_exact_match_fails_on_a_longer_span():
    assert metrics.exact_match("29 cartel leaders", ["29"]) == 0.0


def test_exact_match_of_no_prediction_is_zero():
    assert metrics.exact_match(None, ["29"]) == 0.0


def test_token_f1_on_partial_overlap():
    # prediction tokens: 29 cartel leaders; gold: 29 -> P = 1/3, R = 1, F1 = 0.5
    assert metrics.token_f1("29 cartel leaders", ["29"]) == pytest.approx(0.5)


def test_token_f1_counts_repeated_tokens_once_per_occurrence():
    # prediction "ruled out ruled out" vs gold "absolutely ruled out": overlap 2 (ruled, out)
    # P = 2/4, R = 2/3, F1 = 2*0.5*0.6667/(1.1667) = 0.5714
    assert metrics.token_f1("ruled out ruled out", ["absolutely ruled out"]) == pytest.approx(4 / 7)


def test_token_f1_takes_the_best_gold_and_zero_for_none():
    # against "based in Switzerland": P = 1, R = 1/3, F1 = 0.5; against "Geneva": 0
    assert metrics.token_f1("Switzerland", ["Geneva", "based in Switzerland"]) == pytest.approx(0.5)
    assert metrics.token_f1(None, ["Switzerland"]) == 0.0


def test_abstention_scores_on_a_mixed_run():
    # cases:            A      B      C      D      E
    abstained =      [True,  True,  False, False, True]
    should_abstain = [True,  False, True,  False, False]
    scores = metrics.abstention_scores(abstained, should_abstain)
    assert scores["precision"] == pytest.approx(1 / 3)  # declined A, B, E; only A right
    assert scores["recall"] == pytest.approx(1 / 2)  # should decline A, C; declined A
    assert scores["false_abstain_rate"] == pytest.approx(2 / 3)  # answerable B, D, E; declined B, E
    assert scores["accuracy"] == pytest.approx(2 / 5)  # A and D right


def test_abstention_precision_is_undefined_when_nothing_was_declined():
    scores = metrics.abstention_scores([False, False], [True, False])
    assert scores["precision"] is None
    assert scores["recall"] == 0.0
    assert scores["accuracy"] == 0.5


def test_abstention_scores_reject_lists_of_different_length():
    with pytest.raises(ValueError):
        metrics.abstention_scores([True], [True, False])


def test_percentile_interpolates_like_numpy():
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert metrics.percentile(values, 50) == 3.0
    assert metrics.percentile(values, 95) == pytest.approx(8.8)  # 4 + (10-4)*0.8
    assert metrics.percentile(values, 0) == 1.0
    assert metrics.percentile(values, 100) == 10.0
    assert metrics.percentile([], 50) is None


def test_percentile_rejects_out_of_range():
    with pytest.raises(ValueError):
        metrics.percentile([1.0], 101)


def test_latency_summary_reports_milliseconds():
    summary = metrics.latency_summary([0.001, 0.003])
    assert summary["p50_ms"] == pytest.approx(2.0)
    assert summary["max_ms"] == pytest.approx(3.0)
    assert summary["total_s"] == pytest.approx(0.004)


def test_group_by_tag_sorts_tags_and_collects_untagged():
    groups = metrics.group_by_tag([["count", "date"], [], ["count"]])
    assert list(groups) == ["count", "date", "untagged"]
    assert groups["count"] == [0, 2]
    assert groups["untagged"] == [1]


@pytest.mark.parametrize("value, minimum, passes", [
    (0.9, None, True), (0.9, 0.9, True), (0.89, 0.9, False), (None, 0.5, False),
])
def test_compare_threshold(value, minimum, passes):
    assert metrics.compare_threshold(value, minimum) is passes
