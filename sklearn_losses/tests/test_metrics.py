"""Retrieval metrics and OPIS against hand-computed values and naive loops."""

import inspect
import re

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_losses import metrics
from sklearn_losses.metrics import (
    mean_average_precision_at_r,
    opis,
    precision_at_1,
    r_precision,
)

RETRIEVAL = [precision_at_1, r_precision, mean_average_precision_at_r]

# Leave-one-out on the line, labels a a b a b c ("c" is lone: no other c, so
# that query is dropped).  Neighbours in order, relevance and R:
#   q0 = 0   (a, R=2): 1(a) 2.5(b) 3(a) ...  rel 1 0 1 -> P@1 1, RP 1/2, AP 1/2
#   q1 = 1   (a, R=2): 0(a) 2.5(b) 3(a) ...  rel 1 0 1 -> P@1 1, RP 1/2, AP 1/2
#   q2 = 2.5 (b, R=1): 3(a) ...              rel 0     -> 0, 0, 0
#   q3 = 3   (a, R=2): 2.5(b) 1(a) 0(a)      rel 0 1   -> P@1 0, RP 1/2,
#                                               AP = (0 + 1/2 * 1) / 2 = 1/4
#   q4 = 10  (b, R=1): 11(c)                 rel 0     -> 0, 0, 0
# P@1 = 2/5, R-precision = 1.5/5, MAP@R = 1.25/5.
LINE_X = [[0.0], [1.0], [2.5], [3.0], [10.0], [11.0]]
LINE_Y = ["a", "a", "b", "a", "b", "c"]


@pytest.mark.parametrize(
    "fn, expected",
    [(precision_at_1, 0.4), (r_precision, 0.3), (mean_average_precision_at_r, 0.25)],
)
def test_leave_one_out_by_hand(fn, expected):
    assert fn(LINE_X, LINE_Y) == pytest.approx(expected)
    assert fn(np.array(LINE_X, dtype=np.float32), LINE_Y) == pytest.approx(expected)
    # squared Euclidean and Manhattan rank the line the same way
    assert fn(LINE_X, LINE_Y, metric="squared_euclidean") == pytest.approx(expected)
    assert fn(LINE_X, LINE_Y, metric="manhattan") == pytest.approx(expected)


# Queries 0 (a) and 5 (b) against references 1 (a), 4.5 (a), 6 (b), 20 (a):
#   q = 0: 1(a) 4.5(a) 6(b) 20(a), R=3 -> rel 1 1 0; P@1 1, RP 2/3,
#          AP = (1 + 1 + 0) / 3 = 2/3
#   q = 5: 4.5(a) 6(b), R=1 -> rel 0; all 0
@pytest.mark.parametrize(
    "fn, expected",
    [(precision_at_1, 0.5), (r_precision, 1 / 3), (mean_average_precision_at_r, 1 / 3)],
)
def test_query_reference_by_hand(fn, expected):
    value = fn(
        [[0.0], [5.0]],
        [0, 1],
        X_reference=[[1.0], [4.5], [6.0], [20.0]],
        y_reference=[0, 0, 1, 0],
    )
    assert value == pytest.approx(expected)


def test_map_at_r_rewards_the_order_within_the_top_r():
    # Both queries have R = 2 and one relevant item in the top 2; MAP@R
    # prefers the query that finds it first (1/2) to the one that finds it
    # second (1/4), R-precision does not (1/2 each).
    X = [[0.0], [1.0], [3.0], [-2.5], [-3.0]]
    y = [0, 0, 1, 1, 0]
    # leave-one-out; q0: 1(0) -2.5(1) 3(1) -3(0) -> R=2, rel 1 0 -> AP 1/2
    # q1: 0(0) 3(1) -2.5(1) -3(0) -> R=2, rel 1 0 -> AP 1/2
    # q2 = 3 (1): 1(0) 0(0) -2.5(1) -> R=1, rel 0 -> 0
    # q3 = -2.5 (1): -3(0) 0(0) 1(0) 3(1) -> R=1, rel 0 -> 0
    # q4 = -3 (0): -2.5(1) 0(0) 1(0) -> R=2, rel 0 1 -> AP 1/4, RP 1/2
    assert mean_average_precision_at_r(X, y) == pytest.approx((0.5 + 0.5 + 0.25) / 5)
    assert r_precision(X, y) == pytest.approx((0.5 + 0.5 + 0.5) / 5)


def naive_retrieval(X, y, metric="euclidean"):
    """Explicit loops over queries and ranks (leave-one-out)."""
    X = np.asarray(X, dtype=float)
    p1, rp, ap = [], [], []
    for i in range(len(X)):
        others = [j for j in range(len(X)) if j != i]
        if metric == "cosine":
            d = [
                1 - X[i] @ X[j] / np.linalg.norm(X[i]) / np.linalg.norm(X[j])
                for j in others
            ]
        elif metric == "snr":
            d = [np.var(X[j] - X[i]) / np.var(X[i]) for j in others]
        else:
            d = [np.linalg.norm(X[i] - X[j]) for j in others]
        ranked = [others[k] for k in np.argsort(d, kind="stable")]
        R = sum(y[j] == y[i] for j in others)
        if R == 0:
            continue
        rel = [y[j] == y[i] for j in ranked]
        p1.append(rel[0])
        rp.append(sum(rel[:R]) / R)
        ap.append(sum(sum(rel[: k + 1]) / (k + 1) for k in range(R) if rel[k]) / R)
    return np.mean(p1), np.mean(rp), np.mean(ap)


@pytest.mark.parametrize("metric", ["euclidean", "cosine", "snr"])
def test_retrieval_matches_naive_loops(metric, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    y = rng.integers(0, 4, size=40)
    monkeypatch.setattr(metrics, "_CHUNK", 90)  # several query chunks
    got = [fn(X, y, metric=metric) for fn in RETRIEVAL]
    np.testing.assert_allclose(got, naive_retrieval(X, y, metric))


def naive_opis(X, y, far_range, n_thresholds):
    """Loops over classes, thresholds and pairs."""
    X, y = np.asarray(X, dtype=float), list(y)
    n = len(y)
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    dist = {(i, j): np.linalg.norm(X[i] - X[j]) for i, j in pairs}
    negs = sorted(dist[p] for p in pairs if y[p[0]] != y[p[1]])
    # smallest distance whose empirical false accept rate reaches the target
    lo, hi = (
        next(d for d in negs if np.mean(np.array(negs) <= d) >= f) for f in far_range
    )
    curves = []
    for c in sorted(set(y)):
        pos = [dist[i, j] for i, j in pairs if y[i] == y[j] == c]
        neg = [dist[i, j] for i, j in pairs if (y[i] == c) != (y[j] == c)]
        if not pos:
            continue
        curve = []
        for d in np.linspace(lo, hi, n_thresholds):
            tpr = np.mean(np.array(pos) <= d)
            tnr = np.mean(np.array(neg) > d)
            curve.append(0.0 if tpr + tnr == 0 else 2 * tpr * tnr / (tpr + tnr))
        curves.append(curve)
    U = np.array(curves)
    return np.mean((U - U.mean(axis=0)) ** 2)


def test_opis_by_hand():
    # Classes A = {0, 1} and B = {3, 7}.  Within-class distances 1 (A), 4 (B);
    # between-class 3, 7, 2, 6.  Global FAR(d) = P(between <= d): FAR reaches
    # 0.25 at d = 2 and 0.5 at d = 3, so the thresholds are 2 and 3.
    #   d = 2: A: TPR 1, TNR 3/4 (3, 7, 6 > 2) -> U = 1.5/1.75 = 6/7;
    #          B: TPR 0 (4 > 2) -> U = 0.  Mean 3/7, variance (3/7)^2 = 9/49.
    #   d = 3: A: TPR 1, TNR 1/2 -> U = 2/3; B: U = 0.  Variance 1/9.
    # OPIS = (9/49 + 1/9) / 2 = 65/441.
    X, y = [[0.0], [1.0], [3.0], [7.0]], [0, 0, 1, 1]
    assert opis(X, y, far_range=(0.25, 0.5), n_thresholds=2) == pytest.approx(65 / 441)
    assert opis(X, y, far_range=(0.25, 0.25), n_thresholds=1) == pytest.approx(9 / 49)


def test_opis_matches_naive_loops_and_properties():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 3))
    y = rng.integers(0, 3, size=30)
    y[0] = 9  # a singleton class: negatives only
    value = opis(X, y, far_range=(0.05, 0.3), n_thresholds=7)
    assert value == pytest.approx(naive_opis(X, y, (0.05, 0.3), 7))
    assert 0 <= value <= 0.25
    # invariant to rescaling the embeddings and to relabelling the classes
    assert opis(3 * X, y + 1, far_range=(0.05, 0.3), n_thresholds=7) == pytest.approx(
        value
    )
    # two identical, translated clusters have identical utility curves
    twin = np.array([[0.0, 0], [1, 0], [0, 1], [10, 0], [11, 0], [10, 1]])
    assert opis(twin, [0, 0, 0, 1, 1, 1], far_range=(0.0, 1.0)) == 0


def test_errors():
    with pytest.raises(ValueError, match=re.escape("must be given together")):
        precision_at_1(LINE_X, LINE_Y, X_reference=LINE_X)
    with pytest.raises(ValueError, match=re.escape("X has 1 features but X_refer")):
        r_precision(LINE_X, LINE_Y, X_reference=[[0.0, 1.0]], y_reference=["a"])
    with pytest.raises(ValueError, match=re.escape("No query has a reference")):
        mean_average_precision_at_r([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match=re.escape("at least 2 samples; got 1")):
        precision_at_1([[0.0]], [0])
    with pytest.raises(InvalidParameterError, match="'metric' parameter"):
        precision_at_1(LINE_X, LINE_Y, metric="l2")
    with pytest.raises(ValueError, match=re.escape("got (0.5, 0.1).")):
        opis(LINE_X, LINE_Y, far_range=(0.5, 0.1))
    with pytest.raises(ValueError, match=re.escape("2 or more samples each; got 1")):
        opis([[0.0], [1.0], [2.0]], [0, 0, 1])
    with pytest.raises(ValueError, match="NaN"):
        opis([[0.0], [np.nan], [2.0], [3.0]], [0, 0, 1, 1])


@pytest.mark.parametrize("fn", RETRIEVAL + [opis])
def test_validate_params_match_the_signature(fn):
    params = set(inspect.signature(fn).parameters)
    assert set(fn._skl_parameter_constraints) == params
    assert fn.__doc__ and "Examples" in fn.__doc__ and "{params}" not in fn.__doc__
