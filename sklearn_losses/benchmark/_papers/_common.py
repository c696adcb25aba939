"""Pieces the paper benchmarks share: data loading, timed fits, warm-up."""

from __future__ import annotations

import time
import warnings

import numpy as np

from .._runner import _subsample


def load_subsampled(names, max_samples, seed):
    """Yield ``(name, X, y)`` of bundled datasets, ``X`` as float64, with at
    most ``max_samples`` rows (a stratified subsample, seeded by ``seed``)."""
    from sklearn_losses.datasets import load_dataset

    for name in names:
        X, y = load_dataset(name, return_X_y=True)
        X, y = _subsample(
            np.asarray(X, dtype=np.float64), np.asarray(y), max_samples, seed
        )
        yield name, X, y


def timed_fit(estimator, X, y, **fit_params) -> float:
    """Fit ``estimator`` with warnings silenced; return the wall time."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator.fit(X, y, **fit_params)
    return time.perf_counter() - start


_WARMED_UP: set = set()


def warm_up(key, estimators) -> None:
    """Fit each estimator once on toy data, once per process and ``key``, so
    that one-off costs (lazy imports, torch's first-call initialisation) do
    not land in the first timed fit of a worker."""
    if key in _WARMED_UP:
        return
    X = np.random.default_rng(0).normal(size=(64, 4))
    y = np.arange(64) % 2
    for estimator in estimators:
        timed_fit(estimator, X, y)
    _WARMED_UP.add(key)
