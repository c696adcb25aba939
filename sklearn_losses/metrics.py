"""Retrieval and threshold-consistency metrics for learned embeddings.

* :func:`precision_at_1`, :func:`r_precision`, :func:`mean_average_precision_at_r`:
  the retrieval metrics of pytorch-metric-learning's ``AccuracyCalculator``
  (Musgrave et al., "A Metric Learning Reality Check", ECCV 2020), with
  exact nearest neighbours, no faiss.  Either leave-one-out retrieval within
  ``X`` (``X_reference=None``: every other sample is a reference) or queries
  ``X`` against a separate reference set.
* :func:`opis`: the Operating-Point-Inconsistency Score of Zhang et al.
  (ICLR 2024), the variance across classes of a thresholded matcher's
  utility over a calibration range of distance thresholds.

``metric`` names follow the losses' distances where they exist:
``"euclidean"``, ``"squared_euclidean"``, ``"cosine"`` (cosine *distance*
``1 - cos``), ``"manhattan"`` and ``"snr"`` (``Var(r - q) / Var(q)``, query
``q`` as signal, not normalised).  Plain NumPy/SciPy, vectorised over chunks of
queries; memory is about 4 million distances per chunk.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.metrics import pairwise_distances
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.utils import check_X_y
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = [
    "mean_average_precision_at_r",
    "opis",
    "precision_at_1",
    "r_precision",
]

METRICS = ("cosine", "euclidean", "manhattan", "snr", "squared_euclidean")
_CHUNK = 2**22

_RETRIEVAL_CONSTRAINTS = {
    "X": ["array-like"],
    "y": ["array-like"],
    "metric": [StrOptions(set(METRICS))],
    "X_reference": ["array-like", None],
    "y_reference": ["array-like", None],
}


def _distances(A, B, metric):
    """Distance matrix ``D[i, j] = d(A_i, B_j)`` (``A_i`` is the anchor)."""
    if metric == "snr":
        Ac = A - A.mean(axis=1, keepdims=True)
        Bc = B - B.mean(axis=1, keepdims=True)
        noise = euclidean_distances(Ac, Bc, squared=True)
        return noise / np.maximum((Ac**2).sum(axis=1), 1e-12)[:, None]
    if metric == "squared_euclidean":
        return euclidean_distances(A, B, squared=True)
    return pairwise_distances(A, B, metric=metric)


def _ranked_relevance(X, y, metric, X_reference, y_reference):
    """Relevance of the top-ranked references of each non-lone query.

    Returns ``rel`` of shape ``(n_kept, max R)`` (True where the reference
    ranked ``j``-th shares the query's label) and ``R`` per kept query.
    Queries with no reference of their label are dropped; ties are broken
    by reference order.
    """
    X, y = check_X_y(X, y, dtype=[np.float64, np.float32])
    loo = X_reference is None
    if loo != (y_reference is None):
        raise ValueError("X_reference and y_reference must be given together.")
    if loo:
        if len(y) < 2:
            raise ValueError(
                f"Leave-one-out retrieval needs at least 2 samples; got {len(y)}."
            )
        Xr, yr = X, y
    else:
        Xr, yr = check_X_y(X_reference, y_reference, dtype=[np.float64, np.float32])
        if Xr.shape[1] != X.shape[1]:
            raise ValueError(
                f"X has {X.shape[1]} features but X_reference has {Xr.shape[1]}."
            )
    _, codes = np.unique(np.concatenate([y, yr]), return_inverse=True)
    q, r = codes[: len(y)], codes[len(y) :]
    R = np.bincount(r, minlength=codes.max() + 1)[q] - int(loo)
    kept = np.flatnonzero(R > 0)
    if not len(kept):
        raise ValueError(
            "No query has a reference with its label, so retrieval metrics are "
            "undefined; each class needs 2 samples (leave-one-out) or one "
            "reference."
        )
    depth = int(R[kept].max())
    rel = np.empty((len(kept), depth), dtype=bool)
    step = max(1, _CHUNK // len(yr))
    for start in range(0, len(kept), step):
        idx = kept[start : start + step]
        D = _distances(X[idx], Xr, metric)
        if loo:
            D[np.arange(len(idx)), idx] = np.inf  # a query never retrieves itself
        order = np.argsort(D, axis=1, kind="stable")[:, :depth]
        rel[start : start + len(idx)] = r[order] == q[idx, None]
    return rel, R[kept]


_PARAMS_DOC = """X : array-like of shape (n_queries, n_features)
        Query embeddings (for instance ``transformer.transform(X)``).
    y : array-like of shape (n_queries,)
        Query labels.
    metric : {"euclidean", "squared_euclidean", "cosine", "manhattan", \
"snr"}, default="euclidean"
        Distance used to rank references.
    X_reference : array-like of shape (n_references, n_features) or None, \
default=None
        Reference embeddings; None means leave-one-out retrieval within
        ``X`` (each query ranks all other samples).
    y_reference : array-like of shape (n_references,) or None, default=None
        Reference labels, given together with ``X_reference``."""


@validate_params(_RETRIEVAL_CONSTRAINTS, prefer_skip_nested_validation=True)
def precision_at_1(X, y, *, metric="euclidean", X_reference=None, y_reference=None):
    """Fraction of queries whose nearest reference has their label.

    Parameters
    ----------
    {params}

    Returns
    -------
    score : float
        In [0, 1]; higher is better.  Averaged over queries with at least one
        reference of their label (pytorch-metric-learning drops the other,
        "lone", queries too).

    See Also
    --------
    r_precision, mean_average_precision_at_r

    References
    ----------
    K. Musgrave, S. Belongie, S.-N. Lim. "A Metric Learning Reality Check".
    ECCV 2020, arXiv:2003.08505.

    Examples
    --------
    >>> from sklearn_losses.metrics import precision_at_1
    >>> X, y = [[0.0], [1.0], [2.5], [3.0], [10.0], [11.0]], [0, 0, 1, 0, 1, 2]
    >>> precision_at_1(X, y)
    0.4
    """
    rel, _ = _ranked_relevance(X, y, metric, X_reference, y_reference)
    return float(rel[:, 0].mean())


@validate_params(_RETRIEVAL_CONSTRAINTS, prefer_skip_nested_validation=True)
def r_precision(X, y, *, metric="euclidean", X_reference=None, y_reference=None):
    """Mean over queries of the fraction of relevant items among the top R.

    ``R`` is the number of references sharing the query's label (the query
    itself excluded in leave-one-out retrieval).

    Parameters
    ----------
    {params}

    Returns
    -------
    score : float
        In [0, 1]; higher is better; over queries with ``R >= 1``.

    See Also
    --------
    precision_at_1, mean_average_precision_at_r

    References
    ----------
    K. Musgrave, S. Belongie, S.-N. Lim. "A Metric Learning Reality Check".
    ECCV 2020, arXiv:2003.08505.

    Examples
    --------
    >>> from sklearn_losses.metrics import r_precision
    >>> X, y = [[0.0], [1.0], [2.5], [3.0], [10.0], [11.0]], [0, 0, 1, 0, 1, 2]
    >>> r_precision(X, y)
    0.3
    """
    rel, R = _ranked_relevance(X, y, metric, X_reference, y_reference)
    top_r = np.arange(rel.shape[1]) < R[:, None]
    return float(((rel & top_r).sum(axis=1) / R).mean())


@validate_params(_RETRIEVAL_CONSTRAINTS, prefer_skip_nested_validation=True)
def mean_average_precision_at_r(
    X, y, *, metric="euclidean", X_reference=None, y_reference=None
):
    r"""Mean average precision at R (MAP@R).

    For a query with ``R`` relevant references,
    :math:`\mathrm{MAP@R} = \frac1R \sum_{i=1}^{R} P(i)\,\mathrm{rel}(i)`,
    :math:`P(i)` the precision among the top :math:`i` retrieved and
    :math:`\mathrm{rel}(i)` = 1 if the :math:`i`-th retrieved shares the
    query's label; averaged over queries with ``R >= 1``.

    Parameters
    ----------
    {params}

    Returns
    -------
    score : float
        In [0, 1]; higher is better.

    See Also
    --------
    precision_at_1, r_precision

    References
    ----------
    K. Musgrave, S. Belongie, S.-N. Lim. "A Metric Learning Reality Check".
    ECCV 2020, arXiv:2003.08505.

    Examples
    --------
    >>> from sklearn_losses.metrics import mean_average_precision_at_r
    >>> X, y = [[0.0], [1.0], [2.5], [3.0], [10.0], [11.0]], [0, 0, 1, 0, 1, 2]
    >>> mean_average_precision_at_r(X, y)
    0.25
    """
    rel, R = _ranked_relevance(X, y, metric, X_reference, y_reference)
    top_r = np.arange(rel.shape[1]) < R[:, None]
    hits = rel & top_r
    precision = np.cumsum(hits, axis=1) / np.arange(1, rel.shape[1] + 1)
    return float(((precision * hits).sum(axis=1) / R).mean())


for _f in (precision_at_1, r_precision, mean_average_precision_at_r):
    _f.__doc__ = _f.__doc__.replace("{params}", _PARAMS_DOC)


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "metric": [StrOptions(set(METRICS))],
        "far_range": [tuple],
        "n_thresholds": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def opis(X, y, *, metric="euclidean", far_range=(0.01, 0.1), n_thresholds=101):
    r"""Operating-Point-Inconsistency Score: threshold consistency across classes.

    A verification matcher accepts a pair when its distance is at most a
    threshold :math:`d`.  For each class :math:`c` with at least 2 samples,
    positives are the pairs inside :math:`c` and negatives the pairs with
    exactly one end in :math:`c`; :math:`TPR_c(d)` is the fraction of
    positives with distance :math:`\le d`, :math:`TNR_c(d)` the fraction of
    negatives with distance :math:`> d`, and the utility is their harmonic
    mean :math:`U_c = 2\,TPR_c\,TNR_c / (TPR_c + TNR_c)` (0 when both are 0).
    The calibration range :math:`[d_{min}, d_{max}]` holds the thresholds at
    which the global false accept rate (the fraction of all between-class
    distances :math:`\le d`) reaches ``far_range[0]`` and ``far_range[1]``
    (empirical quantiles, NumPy's ``inverted_cdf``); with :math:`T` equally
    spaced thresholds :math:`d_t` from :math:`d_{min}` to :math:`d_{max}` and
    :math:`C` classes,

    .. math:: \mathrm{OPIS} = \frac{1}{T} \sum_t \frac{1}{C} \sum_c
        \big(U_c(d_t) - \bar U(d_t)\big)^2, \qquad
        \bar U(d_t) = \frac1C \sum_c U_c(d_t),

    the per-threshold variance of the class utilities, averaged over the
    calibration range (a Riemann sum of the paper's integral).  Lower is
    more threshold-consistent; 0 when every class has the same utility
    curve.  Pairs are ordered pairs :math:`i \ne j` (each unordered pair
    counts twice for a symmetric metric, which changes no rate).

    The utility (harmonic mean of TPR and TNR, the F-score with
    :math:`\beta = 1` of the paper's utility family), :math:`\bar U` as the
    class mean and the default FAR range follow a public restatement of the
    paper's definition; the paper's exact calibration range and weighting
    could not be checked here.  ε-OPIS is not implemented.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Embeddings.
    y : array-like of shape (n_samples,)
        Labels; classes with fewer than 2 samples contribute negatives only.
    metric : str, default="euclidean"
        Distance between embeddings: "euclidean", "squared_euclidean",
        "cosine", "manhattan" or "snr".
    far_range : tuple of two floats, default=(0.01, 0.1)
        False-accept-rate bounds of the calibration range,
        ``0 <= far_range[0] <= far_range[1] <= 1``.
    n_thresholds : int, default=101
        Number of thresholds in the calibration range, >= 1.

    Returns
    -------
    score : float
        In [0, 0.25]; lower is better.  Memory is quadratic in ``n_samples``.

    References
    ----------
    Q. Zhang, L. Xu, Q. Tang, J. Fang, Y. N. Wu, J. Tighe, Y. Xing.
    "Threshold-Consistent Margin Loss for Open-World Deep Metric Learning".
    ICLR 2024, arXiv:2307.04047.

    Examples
    --------
    >>> from sklearn_losses.metrics import opis
    >>> X = [[0.0], [1.0], [3.0], [7.0]]
    >>> round(opis(X, [0, 0, 1, 1], far_range=(0.25, 0.5), n_thresholds=2), 5)
    0.14739
    """
    X, y = check_X_y(X, y, dtype=[np.float64, np.float32])
    if len(far_range) != 2 or not 0 <= far_range[0] <= far_range[1] <= 1:
        raise ValueError(
            "The 'far_range' parameter of opis must be two rates with "
            f"0 <= far_range[0] <= far_range[1] <= 1; got {far_range!r}."
        )
    _, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
    eligible = counts >= 2
    if eligible.sum() < 2:
        raise ValueError(
            "opis needs at least 2 classes with 2 or more samples each; got "
            f"{int(eligible.sum())}."
        )
    D = _distances(X, X, metric)
    same = codes[:, None] == codes[None, :]
    cross = ~same
    thresholds = np.linspace(
        *np.quantile(D[cross], far_range, method="inverted_cdf"), n_thresholds
    )
    # A pair is accepted at threshold t exactly when its bin is <= t.
    bins = np.searchsorted(thresholds, D, side="left")
    T1, C = n_thresholds + 1, len(counts)
    ci = np.broadcast_to(codes[:, None], D.shape)
    cj = np.broadcast_to(codes[None, :], D.shape)
    pos = same & ~np.eye(len(y), dtype=bool)
    pos_hist = np.bincount(ci[pos] * T1 + bins[pos], minlength=C * T1)
    neg_hist = np.bincount(ci[cross] * T1 + bins[cross], minlength=C * T1)
    neg_hist += np.bincount(cj[cross] * T1 + bins[cross], minlength=C * T1)
    pos_hist = pos_hist.reshape(C, T1)[eligible]
    neg_hist = neg_hist.reshape(C, T1)[eligible]
    tpr = np.cumsum(pos_hist, axis=1)[:, :-1] / pos_hist.sum(axis=1, keepdims=True)
    tnr = 1.0 - np.cumsum(neg_hist, axis=1)[:, :-1] / neg_hist.sum(
        axis=1, keepdims=True
    )
    total = tpr + tnr
    utility = np.divide(
        2.0 * tpr * tnr, total, out=np.zeros_like(total), where=total > 0
    )
    return float(((utility - utility.mean(axis=0)) ** 2).mean())
