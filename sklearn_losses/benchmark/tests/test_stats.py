"""Paired statistics against scipy and hand-computed values."""

import math
import re

import numpy as np
import pytest
from scipy import stats

from sklearn_losses.benchmark import (
    average_ranks,
    friedman_test,
    nemenyi_critical_difference,
    paired_tests,
    win_tie_loss,
)

A = np.array([0.91, 0.85, 0.88, 0.93, 0.87])
B = np.array([0.89, 0.80, 0.86, 0.90, 0.84])


def test_paired_tests_match_scipy():
    result = paired_tests(A, B)
    t = stats.ttest_rel(A, B)
    assert result["ttest_statistic"] == pytest.approx(t.statistic)
    assert result["ttest_pvalue"] == pytest.approx(t.pvalue)
    assert result["wilcoxon_pvalue"] == pytest.approx(stats.wilcoxon(A, B).pvalue)
    assert result["mean_difference"] == pytest.approx(0.03)
    assert result["n"] == 5


def test_paired_tests_edge_cases():
    same = paired_tests(A, A)
    assert same["ttest_pvalue"] == same["wilcoxon_pvalue"] == 1.0
    one = paired_tests([0.5], [0.4])
    assert math.isnan(one["ttest_pvalue"]) and one["n"] == 1
    with_nan = paired_tests([0.9, np.nan, 0.8, 0.7], [0.8, 0.5, 0.75, 0.6])
    assert with_nan["n"] == 3
    with pytest.raises(ValueError, match=re.escape("got 2 and 3")):
        paired_tests([1, 2], [1, 2, 3])


def test_win_tie_loss():
    assert win_tie_loss(A, B) == "win"
    assert win_tie_loss(B, A) == "loss"
    assert win_tie_loss(A, B, greater_is_better=False) == "loss"
    assert win_tie_loss(A, A) == "tie"
    noisy = B + np.array([0.05, -0.04, 0.03, -0.05, 0.02])
    assert win_tie_loss(A, noisy) == "tie"
    # five folds: the exact two-sided Wilcoxon p-value cannot go below 0.0625
    assert win_tie_loss(A, B, test="wilcoxon") == "tie"
    assert win_tie_loss(A, B, test="wilcoxon", alpha=0.1) == "win"
    assert win_tie_loss([0.9], [0.1]) == "tie"  # one fold: no test


def test_win_tie_loss_validates_parameters():
    with pytest.raises(ValueError, match="'test' parameter of win_tie_loss"):
        win_tie_loss(A, B, test="sign")
    with pytest.raises(ValueError, match="'alpha' parameter of win_tie_loss"):
        win_tie_loss(A, B, alpha=1.5)


def test_average_ranks_by_hand():
    scores = [[0.9, 0.8, 0.7], [0.6, 0.8, 0.6], [0.5, 0.7, 0.9]]
    # ranks: [1, 2, 3], [2.5, 1, 2.5], [3, 2, 1]
    np.testing.assert_allclose(average_ranks(scores), [6.5 / 3, 5 / 3, 6.5 / 3])
    np.testing.assert_allclose(
        average_ranks(scores, greater_is_better=False),
        [4 - 6.5 / 3, 4 - 5 / 3, 4 - 6.5 / 3],
    )
    with_nan = [[0.9, 0.8], [np.nan, 0.1]]
    np.testing.assert_allclose(average_ranks(with_nan), [1, 2])
    with pytest.raises(ValueError, match=re.escape("shape (3,)")):
        average_ranks([0.1, 0.2, 0.3])


def test_friedman_matches_scipy_and_formula():
    rng = np.random.default_rng(0)
    scores = rng.random((10, 4))
    stat, p = friedman_test(scores)
    expected = stats.friedmanchisquare(*scores.T)
    assert stat == pytest.approx(expected.statistic)
    assert p == pytest.approx(expected.pvalue)
    # Demsar (2006), eq. for chi2_F without ties
    n, k = scores.shape
    ranks = average_ranks(scores)
    chi2 = 12 * n / (k * (k + 1)) * (np.sum(ranks**2) - k * (k + 1) ** 2 / 4)
    assert stat == pytest.approx(chi2)
    assert all(map(math.isnan, friedman_test(scores[:, :2])))
    assert friedman_test(np.ones((4, 3))) == (0.0, 1.0)


@pytest.mark.parametrize(
    "k, q_table", [(2, 1.960), (3, 2.343), (4, 2.569), (5, 2.728), (10, 3.164)]
)
def test_nemenyi_cd_against_demsar_table(k, q_table):
    n = 10
    cd = nemenyi_critical_difference(k, n)
    expected = q_table * math.sqrt(k * (k + 1) / (6 * n))
    assert cd == pytest.approx(expected, abs=1e-3)


def test_nemenyi_cd_k3_n10():
    assert nemenyi_critical_difference(3, 10) == pytest.approx(
        2.343 * math.sqrt(3 * 4 / 60), abs=5e-4
    )
    # alpha = 0.10, k = 3: q = 2.052 (Demsar, Table 5b)
    assert nemenyi_critical_difference(3, 10, alpha=0.1) == pytest.approx(
        2.052 * math.sqrt(3 * 4 / 60), abs=5e-4
    )
    with pytest.raises(ValueError, match="'n_methods' parameter"):
        nemenyi_critical_difference(1, 10)
