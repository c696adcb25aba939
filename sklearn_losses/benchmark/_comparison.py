"""What a suite is made of: comparisons, CV specs and per-task seeds.

A suite is a plain list of :class:`Comparison` objects.  Each names our
method(s) and the scikit-learn counterpart(s) (estimators or factories
``f(random_state) -> estimator``), the datasets, the scorers, an optional
training-fold transform and the cross-validation.  :func:`derive_seed`
turns the run's seed and a task's identity into the ``random_state`` its
estimator gets, so that results do not depend on where a task runs.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import validate_params

__all__ = ["CVSpec", "Comparison", "build_estimator", "derive_seed"]

TASKS = ("binary", "multiclass", "any")


@dataclass(frozen=True)
class CVSpec:
    """How a comparison splits each dataset.

    Parameters
    ----------
    n_splits : int, default=5
        Folds per repetition (stratified k-fold), or splits when
        ``train_size`` is set.
    n_repeats : int, default=1
        Repetitions of the k-fold with different shuffles.
    train_size : int or float, default=None
        When set, stratified random splits with this many (int) or this
        fraction (float) of training samples, the rest (or ``test_size``)
        for testing: a small-training-set protocol.
    test_size : int or float, default=None
        Test size of the random splits; only with ``train_size``.
    """

    n_splits: int = 5
    n_repeats: int = 1
    train_size: int | float | None = None
    test_size: int | float | None = None

    def split(self, X, y, random_state):
        """The list of ``(train, test)`` index arrays for ``X, y``."""
        from sklearn.model_selection import (
            RepeatedStratifiedKFold,
            StratifiedShuffleSplit,
        )

        if self.train_size is None:
            cv = RepeatedStratifiedKFold(
                n_splits=self.n_splits,
                n_repeats=self.n_repeats,
                random_state=random_state,
            )
        else:
            cv = StratifiedShuffleSplit(
                n_splits=self.n_splits * self.n_repeats,
                train_size=self.train_size,
                test_size=self.test_size,
                random_state=random_state,
            )
        return list(cv.split(X, y))


@dataclass(frozen=True)
class Comparison:
    """One comparison of a suite: our method(s) against counterparts.

    Parameters
    ----------
    name : str
        Unique name of the comparison (also what ``estimators=`` selects).
    ours : mapping of str to estimator or callable
        Our methods, by display name.  A value is an estimator (cloned,
        with every ``random_state`` parameter set per task) or a factory
        ``f(random_state) -> estimator`` (use module-level functions or
        ``functools.partial`` so that process and Dask workers can unpickle
        it; import heavy estimators inside the factory).
    counterparts : mapping of str to estimator or callable
        The baselines, in the same form.
    datasets : tuple of str
        Dataset names (see :func:`load_benchmark_dataset`).
    scoring : str or tuple of str, default="accuracy"
        scikit-learn scorer names; the first is the primary metric of the
        report.
    transform : callable, default=None
        ``transform(X_train, y_train, random_state) -> (X_train, y_train)``
        applied to the training folds only (label noise); test folds stay
        clean.  Its ``repr`` enters the cache key.
    cv : int or CVSpec, default=5
        Stratified ``cv``-fold, or a :class:`CVSpec`.
    max_samples : int, default=None
        Datasets larger than this are subsampled (stratified, seeded) first.
    task : {"binary", "multiclass", "any"}, default="any"
        Datasets of another kind are skipped (``"binary"`` needs two
        classes, ``"multiclass"`` more than two).
    estimator : str, default=""
        Class name of our estimator; ``estimators=`` also selects by it.
    description : str, default=""
        One sentence for the report.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_losses.benchmark import Comparison, LabelNoise
    >>> c = Comparison("noisy", ours={"logreg": LogisticRegression()},
    ...                counterparts={"dummy": DummyClassifier()},
    ...                datasets=("iris", "wine"), transform=LabelNoise(rate=0.2))
    >>> [(method, role) for method, _, role in c.methods()]
    [('logreg', 'ours'), ('dummy', 'counterpart')]
    """

    name: str
    ours: Mapping[str, object]
    counterparts: Mapping[str, object]
    datasets: tuple = ()
    scoring: str | tuple = "accuracy"
    transform: Callable | None = None
    cv: int | CVSpec = 5
    max_samples: int | None = None
    task: str = "any"
    estimator: str = ""
    description: str = field(default="", compare=False)

    def __post_init__(self):
        clash = set(self.ours) & set(self.counterparts)
        if clash or not self.ours:
            raise ValueError(
                f"Comparison {self.name!r} needs at least one method in `ours` and "
                f"distinct method names; got ours={list(self.ours)}, "
                f"counterparts={list(self.counterparts)}."
            )
        if self.task not in TASKS:
            raise ValueError(
                f"Comparison {self.name!r}: task must be one of {TASKS}; got "
                f"{self.task!r}."
            )

    @property
    def metrics(self):
        """The scorer names as a tuple (the first is the primary one)."""
        return (self.scoring,) if isinstance(self.scoring, str) else tuple(self.scoring)

    @property
    def cv_spec(self):
        """The :class:`CVSpec` of ``cv``."""
        return self.cv if isinstance(self.cv, CVSpec) else CVSpec(n_splits=self.cv)

    def methods(self):
        """``[(method, spec, role)]``: ours first, then the counterparts."""
        return [(m, s, "ours") for m, s in self.ours.items()] + [
            (m, s, "counterpart") for m, s in self.counterparts.items()
        ]

    def describe(self, datasets=None):
        """The dict stored in :attr:`Results.comparisons`."""
        return {
            "name": self.name,
            "estimator": self.estimator,
            "description": self.description,
            "ours": list(self.ours),
            "counterparts": list(self.counterparts),
            "scoring": list(self.metrics),
            "datasets": list(datasets if datasets is not None else self.datasets),
            "cv": repr(self.cv_spec),
            "transform": None if self.transform is None else repr(self.transform),
            "max_samples": self.max_samples,
        }


@validate_params(
    {"seed": [Integral], "keys": [tuple]}, prefer_skip_nested_validation=True
)
def derive_seed(seed, *keys):
    """A seed in ``[0, 2**31 - 1)`` derived from ``seed`` and int/str keys.

    Parameters
    ----------
    seed : int
        The run's seed.
    *keys : int or str
        What the seed is for (dataset name, fold index, ...); strings are
        hashed with CRC-32, so the result is the same in every process.

    Returns
    -------
    seed : int
        A seed for ``random_state``, the same for the same arguments.

    Examples
    --------
    >>> from sklearn_losses.benchmark import derive_seed
    >>> derive_seed(0, "iris", 3) == derive_seed(0, "iris", 3)
    True
    >>> derive_seed(0, "iris", 3) == derive_seed(0, "iris", 4)
    False
    """
    entropy = [int(seed)] + [
        zlib.crc32(k.encode()) if isinstance(k, str) else int(k) for k in keys
    ]
    state = np.random.SeedSequence(entropy).generate_state(1)[0]
    return int(state) % (2**31 - 1)


# -- estimators and their description ------------------------------------------
def build_estimator(spec, random_state):
    """An unfitted estimator from ``spec`` with its random state set."""
    if hasattr(spec, "get_params"):
        from sklearn.base import clone

        estimator = clone(spec)
        seeds = {
            k: random_state
            for k in estimator.get_params(deep=True)
            if k == "random_state" or k.endswith("__random_state")
        }
        return estimator.set_params(**seeds)
    return spec(random_state=random_state)
