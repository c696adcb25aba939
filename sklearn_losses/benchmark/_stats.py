"""Paired statistics for comparing methods over folds and over datasets.

Two levels, following Demšar (2006):

* **one dataset, two methods**: the scores of the same cross-validation
  folds are paired; :func:`paired_tests` gives the paired t-test and the
  Wilcoxon signed-rank test, :func:`win_tie_loss` turns one of them into a
  win, a tie or a loss at a significance level;
* **many datasets, many methods**: :func:`average_ranks` ranks the methods
  on each dataset, :func:`friedman_test` asks whether the ranks differ at
  all, and :func:`nemenyi_critical_difference` is the smallest difference of
  average ranks that the Nemenyi post-hoc test calls significant.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = [
    "average_ranks",
    "friedman_test",
    "nemenyi_critical_difference",
    "paired_tests",
    "win_tie_loss",
]


def _paired(a, b):
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(
            "Paired scores must have the same length (one per fold); got "
            f"{a.size} and {b.size}."
        )
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep]


@validate_params(
    {"a": ["array-like"], "b": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def paired_tests(a, b):
    """Paired t-test and Wilcoxon signed-rank test of two score vectors.

    Parameters
    ----------
    a, b : array-like of shape (n_folds,)
        Scores of two methods on the same folds.  Pairs with a NaN are
        dropped.

    Returns
    -------
    result : dict
        ``mean_difference`` (mean of ``a - b``), ``ttest_statistic``,
        ``ttest_pvalue`` and ``wilcoxon_pvalue`` (both two-sided), ``n``
        (the number of pairs).  A p-value is NaN with fewer than two pairs;
        identical scores give p-values of 1.

    Notes
    -----
    Cross-validation folds share training data, so the t-test is optimistic
    (Nadeau and Bengio, 2003); read the p-values as a screening device.
    With five folds the two-sided exact Wilcoxon test cannot go below
    0.0625, so it never reaches 0.05: :func:`win_tie_loss` uses the t-test
    by default.

    Examples
    --------
    >>> from sklearn_losses.benchmark import paired_tests
    >>> r = paired_tests([0.9, 0.8, 0.85, 0.9], [0.8, 0.7, 0.8, 0.85])
    >>> round(r["mean_difference"], 4), r["ttest_pvalue"] < 0.05
    (0.075, True)
    """
    from scipy import stats

    a, b = _paired(a, b)
    diff = a - b
    out = {
        "n": int(diff.size),
        "mean_difference": float(np.mean(diff)) if diff.size else math.nan,
        "ttest_statistic": math.nan,
        "ttest_pvalue": math.nan,
        "wilcoxon_pvalue": math.nan,
    }
    if diff.size < 2:
        return out
    if np.all(diff == 0):
        return {
            **out,
            "ttest_statistic": 0.0,
            "ttest_pvalue": 1.0,
            "wilcoxon_pvalue": 1.0,
        }
    with np.errstate(divide="ignore", invalid="ignore"):
        t = stats.ttest_rel(a, b)
    w = stats.wilcoxon(a, b, zero_method="zsplit")
    return {
        **out,
        "ttest_statistic": float(t.statistic),
        "ttest_pvalue": float(t.pvalue),
        "wilcoxon_pvalue": float(w.pvalue),
    }


@validate_params(
    {
        "ours": ["array-like"],
        "theirs": ["array-like"],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
        "test": [StrOptions({"ttest", "wilcoxon"})],
        "greater_is_better": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def win_tie_loss(ours, theirs, *, alpha=0.05, test="ttest", greater_is_better=True):
    """Win, tie or loss of ``ours`` against ``theirs`` on one dataset.

    Parameters
    ----------
    ours, theirs : array-like of shape (n_folds,)
        Scores of the two methods on the same folds.
    alpha : float, default=0.05
        Significance level of the two-sided paired test, in (0, 1).
    test : {"ttest", "wilcoxon"}, default="ttest"
        Which paired test of :func:`paired_tests` decides.
    greater_is_better : bool, default=True
        Whether a larger score is better.

    Returns
    -------
    outcome : {"win", "tie", "loss"}
        ``"win"`` when the test rejects equality at ``alpha`` and the mean
        score of ``ours`` is better, ``"loss"`` when it rejects and the mean
        is worse, ``"tie"`` otherwise.

    Examples
    --------
    >>> from sklearn_losses.benchmark import win_tie_loss
    >>> win_tie_loss([0.9, 0.8, 0.85, 0.9], [0.8, 0.7, 0.8, 0.85])
    'win'
    >>> win_tie_loss([0.9, 0.8, 0.85, 0.9], [0.8, 0.7, 0.8, 0.85],
    ...              greater_is_better=False)
    'loss'
    """
    result = paired_tests(ours, theirs)
    pvalue = result[f"{test}_pvalue"]
    if not pvalue < alpha:  # NaN (too few folds) is a tie
        return "tie"
    better = result["mean_difference"] > 0
    return "win" if better == greater_is_better else "loss"


def _score_matrix(scores):
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2:
        raise ValueError(
            "scores must be a 2-D array of shape (n_datasets, n_methods); got "
            f"shape {scores.shape}."
        )
    return scores[~np.isnan(scores).any(axis=1)]


@validate_params(
    {"scores": ["array-like"], "greater_is_better": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def average_ranks(scores, *, greater_is_better=True):
    """Average rank of each method over datasets (1 is best, ties averaged).

    Parameters
    ----------
    scores : array-like of shape (n_datasets, n_methods)
        Mean score of each method on each dataset.  Datasets (rows) with a
        NaN are left out.
    greater_is_better : bool, default=True
        Whether a larger score is better.

    Returns
    -------
    ranks : ndarray of shape (n_methods,)
        The mean over datasets of each method's rank.

    Examples
    --------
    >>> from sklearn_losses.benchmark import average_ranks
    >>> average_ranks([[0.9, 0.8, 0.7], [0.6, 0.8, 0.6]])
    array([1.75, 1.5 , 2.75])
    """
    from scipy.stats import rankdata

    scores = _score_matrix(scores)
    if scores.shape[0] == 0:
        return np.full(np.shape(scores)[1], np.nan)
    signed = -scores if greater_is_better else scores
    return rankdata(signed, axis=1).mean(axis=0)


@validate_params({"scores": ["array-like"]}, prefer_skip_nested_validation=True)
def friedman_test(scores):
    """Friedman test that all methods have the same average rank.

    Parameters
    ----------
    scores : array-like of shape (n_datasets, n_methods)
        Mean score of each method on each dataset (rows with a NaN are left
        out).  Needs at least 3 methods and 2 datasets.

    Returns
    -------
    statistic : float
        Friedman's chi-square statistic.
    pvalue : float
        Its p-value; NaN when there are fewer than 3 methods or 2 datasets.

    Examples
    --------
    >>> from sklearn_losses.benchmark import friedman_test
    >>> stat, p = friedman_test([[3, 2, 1], [3, 2, 1], [3, 1, 2], [3, 2, 1]])
    >>> round(stat, 2), round(p, 4)
    (6.5, 0.0388)
    """
    from scipy.stats import friedmanchisquare

    scores = _score_matrix(scores)
    if scores.shape[1] < 3 or scores.shape[0] < 2:
        return math.nan, math.nan
    if np.all(scores == scores[:, :1]):  # every method tied everywhere
        return 0.0, 1.0
    result = friedmanchisquare(*scores.T)
    return float(result.statistic), float(result.pvalue)


@validate_params(
    {
        "n_methods": [Interval(Integral, 2, None, closed="left")],
        "n_datasets": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def nemenyi_critical_difference(n_methods, n_datasets, *, alpha=0.05):
    """Critical difference of average ranks for the Nemenyi test.

    ``CD = q_alpha * sqrt(k (k + 1) / (6 N))`` with ``k`` methods and ``N``
    datasets, where ``q_alpha`` is the upper ``alpha`` quantile of the
    studentized range of ``k`` means with infinite degrees of freedom,
    divided by ``sqrt(2)`` (Demšar, 2006, Table 5).

    Parameters
    ----------
    n_methods : int
        Number of methods ``k`` compared, at least 2.
    n_datasets : int
        Number of datasets ``N``, at least 1.
    alpha : float, default=0.05
        Significance level, in (0, 1).

    Returns
    -------
    cd : float
        Two methods whose average ranks differ by more than ``cd`` are
        significantly different.

    References
    ----------
    J. Demšar, "Statistical Comparisons of Classifiers over Multiple Data
    Sets", Journal of Machine Learning Research 7, 2006.

    Examples
    --------
    >>> from sklearn_losses.benchmark import nemenyi_critical_difference
    >>> round(nemenyi_critical_difference(3, 10), 3)
    1.048
    """
    from scipy.stats import studentized_range

    k, n = n_methods, n_datasets
    q_alpha = studentized_range.ppf(1 - alpha, k, np.inf) / math.sqrt(2)
    return float(q_alpha * math.sqrt(k * (k + 1) / (6 * n)))
