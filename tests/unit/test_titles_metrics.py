"""Accuracy, macro-F1 and the confusion matrix over (expected, predicted) pairs."""

from __future__ import annotations

import pytest

from leadpact.enrichment.title_metrics import (
    accuracy,
    confusion_matrix,
    macro_f1,
    score_column,
)

PAIRS = [("user", "user"), ("user", "blocker"), ("blocker", "blocker"), ("buyer", "user")]


def test_given_pairs_then_accuracy_is_the_share_of_exact_matches() -> None:
    assert accuracy(PAIRS) == 0.5


def test_given_no_pairs_then_scores_are_zero_not_an_error() -> None:
    assert accuracy([]) == 0.0 and macro_f1([]) == 0.0


def test_given_pairs_then_macro_f1_averages_per_label_f1_unweighted() -> None:
    # user: tp 1, expected 2, predicted 2 → 0.5; blocker: tp 1, exp 1, pred 2 → 2/3;
    # buyer: tp 0 → 0
    assert macro_f1(PAIRS) == pytest.approx((0.5 + 2 / 3 + 0) / 3)


def test_given_a_label_only_predicted_then_it_counts_as_zero_f1() -> None:
    assert macro_f1([("a", "a"), ("a", "b")]) == pytest.approx((2 / 3 + 0) / 2)


def test_given_explicit_labels_then_macro_f1_uses_exactly_those() -> None:
    assert macro_f1([("a", "a")], labels=["a", "never_seen"]) == 0.5


def test_given_all_correct_then_accuracy_and_macro_f1_are_one() -> None:
    score = score_column([("a", "a"), ("b", "b")])
    assert (score.accuracy, score.macro_f1) == (1.0, 1.0)


def test_given_pairs_then_the_confusion_matrix_counts_expected_by_predicted() -> None:
    matrix = confusion_matrix(PAIRS)
    assert matrix.labels == ("blocker", "buyer", "user")
    assert matrix.counts == ((1, 0, 0), (0, 0, 1), (1, 0, 1))
    assert matrix.count("user", "blocker") == 1


def test_given_fixed_labels_then_the_matrix_keeps_their_order_and_empty_rows() -> None:
    matrix = confusion_matrix([("user", "user")], labels=["blocker", "user"])
    assert matrix.counts == ((0, 0), (0, 1))
