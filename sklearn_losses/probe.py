"""Learning curves of linear probes: the two regimes of Zheng et al. (2023).

Naive Bayes (generative) approaches its asymptotic error after
:math:`O(\\log d)` samples, logistic regression (discriminative) after
:math:`O(d)` but to a lower asymptote: plotted against the training size
:math:`m`, the two error curves cross.  :func:`probe_learning_curve` measures
them with the paper's protocol and :func:`plot_probe_learning_curve` draws
them.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import check_X_y

from ._linear_probe import HEADS, LinearProbeClassifier

__all__ = ["ProbeLearningCurve", "plot_probe_learning_curve", "probe_learning_curve"]

_SCALERS = {"minmax": MinMaxScaler, "standard": StandardScaler}
#: Error gap (absolute) below which two heads count as tied.
TIE = 1e-3


@dataclass
class ProbeLearningCurve:
    """Test errors of linear-probe heads against the training size.

    Attributes
    ----------
    train_sizes : ndarray of shape (n_sizes,)
        Training sizes :math:`m` (total samples, not per class).
    heads : tuple of str
    errors : dict of str to ndarray of shape (n_sizes, n_repeats)
        Test error (1 - accuracy) of each head on each random subset; the
        heads of one repeat see the same subset.
    fit_times : dict of str to ndarray of shape (n_sizes, n_repeats)
        Seconds per fit, scaling included.
    n_convergence_warnings : dict of str to int
        Fits that ended with a ``ConvergenceWarning`` (silenced).
    n_test : int
        Size of the test set.
    """

    train_sizes: np.ndarray
    heads: tuple
    errors: dict
    fit_times: dict
    n_convergence_warnings: dict = field(default_factory=dict)
    n_test: int = 0

    @property
    def error_mean(self) -> dict:
        """Mean test error per head, shape ``(n_sizes,)``."""
        return {h: e.mean(axis=1) for h, e in self.errors.items()}

    @property
    def error_std(self) -> dict:
        """Standard deviation of the test error over the repeats."""
        return {h: e.std(axis=1) for h, e in self.errors.items()}

    @property
    def crossover_size(self) -> float | None:
        """Training size from which logistic regression beats naive Bayes.

        The mean-error curves are compared on the grid, "better" meaning a
        lower error by more than ``TIE`` (0.1 point: a smaller gap is a
        tie); the crossover is the size, interpolated linearly in
        :math:`\\log m`, from which logistic regression is better at every
        larger size.  ``train_sizes[0]`` when it is better everywhere, None
        when it is not better at the largest size or when either head is
        missing.
        """
        if not {"naive_bayes", "logistic"} <= set(self.heads):
            return None
        diff = self.error_mean["logistic"] - self.error_mean["naive_bayes"] + TIE
        if diff[-1] >= 0:
            return None
        not_better = np.flatnonzero(diff >= 0)
        if not not_better.size:
            return float(self.train_sizes[0])
        j = not_better[-1]
        logs = np.log(self.train_sizes[j : j + 2].astype(float))
        frac = diff[j] / (diff[j] - diff[j + 1])
        return float(np.exp(logs[0] + frac * (logs[1] - logs[0])))

    def to_dict(self) -> dict:
        """JSON-ready summary: sizes, mean/std errors, times and crossover."""
        as_list = lambda d: {h: v.tolist() for h, v in d.items()}  # noqa: E731
        return {
            "train_sizes": self.train_sizes.tolist(),
            "heads": list(self.heads),
            "error_mean": as_list(self.error_mean),
            "error_std": as_list(self.error_std),
            "fit_time_mean": {h: float(t.mean()) for h, t in self.fit_times.items()},
            "crossover_size": self.crossover_size,
            "n_convergence_warnings": dict(self.n_convergence_warnings),
            "n_repeats": int(next(iter(self.errors.values())).shape[1]),
            "n_test": self.n_test,
        }


def _draw_subset(rng, y, size, n_classes, tries=100):
    """The paper's draw: uniform subset, rejected while a class is missing;
    after ``tries`` rejections one sample per class is forced in."""
    for _ in range(tries):
        idx = rng.choice(len(y), size, replace=False)
        if np.unique(y[idx]).size == n_classes:
            return idx
    first = [rng.choice(np.flatnonzero(y == k)) for k in np.unique(y)]
    rest = rng.choice(np.setdiff1d(np.arange(len(y)), first), size - n_classes, False)
    return np.concatenate([first, rest])


def _fit_subset(X, y, X_test, y_test, idx, models):
    errors, times, warned = {}, {}, {}
    for head, model in models.items():
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X[idx], y[idx])
        times[head] = time.perf_counter() - start
        warned[head] = any(issubclass(w.category, ConvergenceWarning) for w in caught)
        errors[head] = 1.0 - model.score(X_test, y_test)
    return errors, times, warned


def _sizes(train_sizes, n_pool, n_classes):
    if train_sizes is None:
        grid = np.geomspace(2 * n_classes, n_pool, num=10)
        return np.unique(np.round(grid).astype(int).clip(n_classes, n_pool))
    sizes = np.asarray(train_sizes)
    if sizes.dtype.kind == "f" and np.all((sizes > 0) & (sizes <= 1)):
        sizes = np.round(sizes * n_pool)
    sizes = np.unique(sizes.astype(int))
    if sizes.min() < n_classes or sizes.max() > n_pool:
        raise ValueError(
            f"train_sizes must lie in [n_classes, n_train] = [{n_classes}, "
            f"{n_pool}] (every class needs a sample, the pool has {n_pool}); got "
            f"{sizes.min()} to {sizes.max()}."
        )
    return sizes


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "heads": ["array-like"],
        "train_sizes": ["array-like", None],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "X_test": ["array-like", None],
        "y_test": ["array-like", None],
        "test_size": [
            Interval(Real, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "random_state": ["random_state"],
        "scaler": [StrOptions(set(_SCALERS)), None],
        "estimator_params": [dict, None],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def probe_learning_curve(
    X,
    y,
    *,
    heads=("naive_bayes", "logistic"),
    train_sizes=None,
    n_repeats=5,
    X_test=None,
    y_test=None,
    test_size=0.25,
    random_state=None,
    scaler="minmax",
    estimator_params=None,
    n_jobs=None,
):
    """Test error of linear-probe heads against the number of training samples.

    The protocol of Zheng et al. (2023): for each size :math:`m`, draw
    ``n_repeats`` random subsets of :math:`m` samples of the training pool
    (redrawn while a class is missing; not stratified), fit the scaler on
    the subset, fit every head on the same scaled subset, and measure the
    error on the whole test set.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training pool (for instance frozen embeddings).
    y : array-like of shape (n_samples,)
        Labels of the pool.
    heads : sequence of str, default=("naive_bayes", "logistic")
        Values of :class:`~sklearn_losses.LinearProbeClassifier`'s ``head``.
    train_sizes : array-like of int or float, default=None
        Training sizes: ints in ``[n_classes, n_pool]``, or fractions of the
        pool in (0, 1].  None: 10 sizes spaced geometrically from
        ``2 * n_classes`` to the whole pool.
    n_repeats : int, default=5
        Random subsets per size (the paper's 5).
    X_test, y_test : array-like, default=None
        Test set.  None: ``test_size`` of ``(X, y)`` is held out (stratified)
        and the rest is the pool.
    test_size : float or int, default=0.25
        Held-out fraction (in (0, 1)) or count when ``X_test`` is None.
    random_state : int, RandomState instance or None, default=None
        Seeds the split, the subsets and the estimators.
    scaler : {"minmax", "standard"} or None, default="minmax"
        Feature scaling fitted on each subset (the paper's min-max).
    estimator_params : dict, default=None
        Further parameters of every ``LinearProbeClassifier`` (e.g. ``C``).
    n_jobs : int, default=None
        Parallel fits over (size, repeat) pairs, with joblib.

    Returns
    -------
    curve : ProbeLearningCurve
        Errors per head, size and repeat; ``curve.crossover_size`` is where
        logistic regression starts beating naive Bayes.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_losses.probe import probe_learning_curve
    >>> X, y = load_digits(return_X_y=True)
    >>> curve = probe_learning_curve(X, y, train_sizes=[30, 300], n_repeats=2,
    ...                              random_state=0)
    >>> curve.error_mean["naive_bayes"].shape
    (2,)
    """
    unknown = sorted(set(heads) - {"auto", *HEADS})
    if unknown or not len(heads):
        raise ValueError(
            f"heads must be a non-empty sequence of {sorted({'auto', *HEADS})}; "
            f"got {list(heads)!r}."
        )
    X, y = check_X_y(X, y)
    rng = check_random_state(random_state)
    if X_test is None:
        X, X_test, y, y_test = train_test_split(
            X, y, test_size=test_size, stratify=y, random_state=rng
        )
    X_test, y_test = check_X_y(X_test, y_test)
    classes = np.unique(y)
    sizes = _sizes(train_sizes, len(y), classes.size)
    params = {"random_state": rng.randint(2**31 - 1), **(estimator_params or {})}
    scale = [] if scaler is None else [_SCALERS[scaler]()]
    models = {
        h: make_pipeline(*scale, LinearProbeClassifier(head=h, **params)) for h in heads
    }
    tasks = [
        (m, r, _draw_subset(rng, y, m, classes.size))
        for m in sizes
        for r in range(n_repeats)
    ]
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_subset)(
            X, y, X_test, y_test, idx, {h: clone(e) for h, e in models.items()}
        )
        for _, _, idx in tasks
    )
    shape = (sizes.size, n_repeats)
    errors = {h: np.empty(shape) for h in heads}
    times = {h: np.empty(shape) for h in heads}
    warned = dict.fromkeys(heads, 0)
    for (m, r, _), (err, dur, warn) in zip(tasks, results):
        i = int(np.searchsorted(sizes, m))
        for h in heads:
            errors[h][i, r], times[h][i, r] = err[h], dur[h]
            warned[h] += int(warn[h])
    return ProbeLearningCurve(sizes, tuple(heads), errors, times, warned, len(y_test))


@validate_params(
    {"curve": [ProbeLearningCurve], "ax": [HasMethods(["plot"]), None]},
    prefer_skip_nested_validation=True,
)
def plot_probe_learning_curve(curve, ax=None):
    """Draw the error curves of :func:`probe_learning_curve`.

    Mean test error against the training size (log scale), with a band of
    one standard deviation over the repeats and a dashed line at the
    crossover size (when the curves cross inside the grid).  matplotlib is
    imported here, so it stays optional.

    Parameters
    ----------
    curve : ProbeLearningCurve
    ax : matplotlib Axes, default=None
        Where to draw; None creates a figure.

    Returns
    -------
    ax : matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    labels = {"naive_bayes": "naive Bayes", "logistic": "logistic regression"}
    for head in curve.heads:
        mean, std = curve.error_mean[head], curve.error_std[head]
        ax.plot(curve.train_sizes, mean, marker="o", ms=3, label=labels.get(head, head))
        ax.fill_between(curve.train_sizes, mean - std, mean + std, alpha=0.2)
    crossover = curve.crossover_size
    if crossover is not None and crossover > curve.train_sizes[0]:
        ax.axvline(
            crossover, color="grey", ls="--", lw=1, label=f"crossover m={crossover:.0f}"
        )
    ax.set_xscale("log")
    ax.set_xlabel("training samples m")
    ax.set_ylabel("test error")
    ax.legend(frameon=False)
    return ax
