"""The default benchmark suites and the datasets they read.

Every estimator of the package is compared with its scikit-learn
counterpart, on bundled real data, with stratified cross-validation.  Two
suites share one definition and differ only in their budget
(:data:`BUDGETS`):

``quick`` (the default of ``sklearn-losses benchmark``; about 2-4 minutes on
two cores)
    5-fold CV; MLPs with one hidden layer of 64 units, 50 epochs, batch 64,
    Adam at 1e-3; datasets subsampled to 1,000 rows; three datasets per
    comparison (the smallest of their kind in
    :func:`~sklearn_losses.datasets.list_datasets`, preferring the classic
    ones named below).
``full``
    5-fold CV repeated twice; 128 hidden units, 200 epochs, batch 128;
    up to 5,000 rows; every bundled dataset of the comparison's kind.

The comparisons (pipelines always start with ``StandardScaler``):

* ``ensloss``: :class:`~sklearn_losses.EnsLossClassifier` vs
  :class:`~sklearn.neural_network.MLPClassifier` (log-loss), same network
  and training budget, accuracy, binary datasets;
* ``ldr``: :class:`~sklearn_losses.LDRClassifier` (``aldr_kl``) vs the same
  network with cross-entropy and vs ``MLPClassifier``, with uniform label
  noise at rate 0.4 on the training folds only (clean test folds),
  accuracy, multiclass datasets;
* ``anyloss``: :class:`~sklearn_losses.AnyLossClassifier` (``metric="f1"``)
  vs ``TunedThresholdClassifierCV(LogisticRegression, scoring="f1")`` and
  plain ``LogisticRegression``, F1 of the minority class, imbalanced
  datasets;
* ``linear_probe``: :class:`~sklearn_losses.LinearProbeClassifier` with the
  naive Bayes and the logistic head vs ``LogisticRegression``, trained on 5%
  of the data (stratified random splits), accuracy, one multiclass dataset
  (digits);
* ``metric_learning``: :class:`~sklearn_losses.MetricLearningTransformer`
  (``proto_triplet``) + 3-NN vs ``NeighborhoodComponentsAnalysis`` + 3-NN
  vs plain 3-NN, accuracy, on iris, wine, breast_cancer and digits.

Datasets are read from :mod:`sklearn_losses.datasets` when it is installed;
scikit-learn's bundled iris, wine, breast_cancer and digits are always
available, and ``"openml:<id>"`` reads an OpenML dataset through
:func:`~sklearn_losses.datasets.fetch_openml_dataset`.
"""

from __future__ import annotations

import functools
import os

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

from ._runner import Comparison, CVSpec

__all__ = [
    "BUDGETS",
    "SUITES",
    "LabelNoise",
    "get_suite",
    "list_benchmark_datasets",
    "load_benchmark_dataset",
]

SUITES = ("quick", "full")

#: Training budget and dataset counts of each suite (documented above).
BUDGETS = {
    "quick": {
        "hidden_layer_sizes": (64,),
        "max_iter": 100,
        "batch_size": 64,
        "learning_rate_init": 1e-3,
        "alpha": 1e-4,
        "cv": CVSpec(n_splits=5),
        "max_samples": 1000,
        "n_datasets": 3,
        "nca_max_iter": 50,
    },
    "full": {
        "hidden_layer_sizes": (128,),
        "max_iter": 300,
        "batch_size": 128,
        "learning_rate_init": 1e-3,
        "alpha": 1e-4,
        "cv": CVSpec(n_splits=5, n_repeats=2),
        "max_samples": 5000,
        "n_datasets": None,
        "nca_max_iter": 200,
    },
}

# scikit-learn's bundled sets: always available, also without the data package.
_SKLEARN_SETS = {
    "iris": ("load_iris", "multiclass", 150),
    "wine": ("load_wine", "multiclass", 178),
    "breast_cancer": ("load_breast_cancer", "binary", 569),
    "digits": ("load_digits", "multiclass", 1797),
}
_PREFERRED = {
    "binary": ("breast_cancer", "ionosphere", "pima"),
    "multiclass": ("vowel", "vehicle", "wine"),
    "imbalanced": ("ecoli3", "vowel0", "yeast3"),
    "probe": ("digits",),
    "metric": ("iris", "wine", "breast_cancer", "digits"),
}


# -- datasets -------------------------------------------------------------------
def _package():
    """``sklearn_losses.datasets`` when it is installed and complete, else None."""
    try:
        from sklearn_losses import datasets
    except ImportError:
        return None
    if not hasattr(datasets, "load_dataset") or not hasattr(datasets, "list_datasets"):
        return None
    return datasets


def _registry(task=None, pkg=False):
    """Metadata dicts (``name``, ``task``, ``n_samples``) of the known sets.

    With ``pkg=True``, only those of :mod:`sklearn_losses.datasets`.
    """
    entries = {}
    package = _package()
    if package is not None:
        listed = package.list_datasets(task=task) if task else package.list_datasets()
        for entry in listed:
            entry = entry if isinstance(entry, dict) else {"name": str(entry)}
            entries[entry["name"]] = entry
    if pkg:
        return list(entries.values())
    for name, (_, kind, n) in _SKLEARN_SETS.items():
        if name not in entries and task in (None, kind):
            entries[name] = {"name": name, "task": kind, "n_samples": n}
    return list(entries.values())


@validate_params(
    {"task": [StrOptions({"binary", "imbalanced", "multiclass"}), None]},
    prefer_skip_nested_validation=True,
)
def list_benchmark_datasets(task=None):
    """Names of the datasets the benchmark can load, sorted.

    Parameters
    ----------
    task : {"binary", "imbalanced", "multiclass"}, default=None
        Keep only the datasets of this group.

    Returns
    -------
    names : list of str
        The bundled datasets of :mod:`sklearn_losses.datasets` and
        scikit-learn's iris, wine, breast_cancer and digits.  Any OpenML
        dataset is also accepted as ``"openml:<id>"``.

    Examples
    --------
    >>> from sklearn_losses.benchmark import list_benchmark_datasets
    >>> "iris" in list_benchmark_datasets()
    True
    """
    return sorted(e["name"] for e in _registry(task))


def _encode(X, y):
    """float64 features; integer labels, the minority class 1 when binary."""
    if hasattr(X, "iloc"):  # a DataFrame (OpenML): one-hot the categories
        import pandas as pd

        X = pd.get_dummies(X, dummy_na=False).astype(float)
    X = np.asarray(X, dtype=np.float64)
    if np.isnan(X).any():  # OpenML data: fill with column medians
        medians = np.nanmedian(X, axis=0)
        X = np.where(np.isnan(X), np.nan_to_num(medians), X)
    classes, y = np.unique(np.asarray(y), return_inverse=True)
    if len(classes) == 2 and np.mean(y) > 0.5:
        y = 1 - y
    return X, y.astype(np.int64)


@functools.lru_cache(maxsize=32)
def _load(name, data_home):
    if name.startswith("openml:"):
        data_id = name.split(":", 1)[1]
        if not data_id.isdigit():
            raise ValueError(
                f"OpenML datasets are named 'openml:<integer id>'; got {name!r}."
            )
        pkg = _package()
        if pkg is not None and hasattr(pkg, "fetch_openml_dataset"):
            bunch = pkg.fetch_openml_dataset(int(data_id), data_home=data_home)
        else:
            from sklearn.datasets import fetch_openml

            bunch = fetch_openml(data_id=int(data_id), data_home=data_home)
        X, y = _encode(bunch.data, bunch.target)
    else:
        pkg = _package()
        names = {e["name"] for e in _registry()}
        if name not in names:
            raise ValueError(
                f"Unknown dataset {name!r}; valid names: {', '.join(sorted(names))} "
                "(or 'openml:<id>')."
            )
        bundled = set() if pkg is None else {e["name"] for e in _registry(pkg=True)}
        X, y = (
            pkg.load_dataset(name, return_X_y=True)
            if name in bundled
            else _load_sklearn(name)
        )
        X, y = _encode(X, y)
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def _load_sklearn(name):
    import sklearn.datasets

    return getattr(sklearn.datasets, _SKLEARN_SETS[name][0])(return_X_y=True)


@validate_params(
    {"name": [str], "data_home": [str, os.PathLike, None]},
    prefer_skip_nested_validation=True,
)
def load_benchmark_dataset(name, *, data_home=None):
    """Load a dataset as the benchmark sees it.

    Parameters
    ----------
    name : str
        A name of :func:`list_benchmark_datasets`, or ``"openml:<id>"``.
    data_home : str or path-like, default=None
        Cache directory of the OpenML loader.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64, read-only
        Features; categorical OpenML columns one-hot encoded and missing
        values replaced by the column median.
    y : ndarray of shape (n_samples,), int64, read-only
        Labels ``0 .. n_classes - 1``; in a binary problem the minority
        class is 1, so that ``"f1"`` scores the minority class.

    Examples
    --------
    >>> from sklearn_losses.benchmark import load_benchmark_dataset
    >>> X, y = load_benchmark_dataset("iris")
    >>> X.shape, sorted(set(y.tolist()))
    ((150, 4), [0, 1, 2])
    """
    return _load(name, None if data_home is None else str(data_home))


class LabelNoise:
    """Training-fold transform that corrupts labels (test folds stay clean).

    Parameters
    ----------
    kind : {"uniform", "pair"}, default="uniform"
        Noise model of :func:`sklearn_losses.datasets.add_label_noise`.
        Without the data package, ``"uniform"`` replaces each label with
        probability ``rate`` by a class drawn uniformly from all classes
        (the LDR paper's code) and ``"pair"`` maps ``y`` to ``(y + 1) mod K``.
    rate : float, default=0.4
        Noise rate in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_losses.benchmark import LabelNoise
    >>> X, y = np.zeros((1000, 1)), np.arange(1000) % 4
    >>> _, y_noisy = LabelNoise("pair", 0.25)(X, y, random_state=0)
    >>> 0.2 < np.mean(y_noisy != y) < 0.3
    True
    """

    def __init__(self, kind="uniform", rate=0.4):
        if kind not in ("uniform", "pair") or not 0 <= rate <= 1:
            raise ValueError(
                "LabelNoise needs kind in ('uniform', 'pair') and rate in [0, 1]; "
                f"got kind={kind!r}, rate={rate!r}."
            )
        self.kind, self.rate = kind, rate

    def __repr__(self):
        return f"LabelNoise(kind={self.kind!r}, rate={self.rate!r})"

    def __call__(self, X, y, random_state):
        pkg = _package()
        if pkg is not None and hasattr(pkg, "add_label_noise"):
            noisy = pkg.add_label_noise(
                y, kind=self.kind, rate=self.rate, random_state=random_state
            )
            return X, np.asarray(noisy)
        rng = np.random.default_rng(random_state)
        classes = np.unique(y)
        flip = rng.random(len(y)) < self.rate
        y = np.array(y, copy=True)
        if self.kind == "uniform":
            y[flip] = rng.choice(classes, size=int(flip.sum()))
        else:
            position = np.searchsorted(classes, y[flip])
            y[flip] = classes[(position + 1) % len(classes)]
        return X, y


# -- estimator factories (module level: workers unpickle them by name) ---------
def _mlp(budget):
    keys = ("hidden_layer_sizes", "max_iter", "batch_size", "learning_rate_init")
    return {k: budget[k] for k in keys} | {"alpha": budget["alpha"]}


def _scaled(*steps):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), *steps)


def ensloss(random_state, *, budget):
    """EnsLoss MLP (scaled)."""
    from sklearn_losses import EnsLossClassifier

    return _scaled(
        EnsLossClassifier(loss="ensloss", random_state=random_state, **_mlp(budget))
    )


def mlp(random_state, *, budget):
    """scikit-learn's MLPClassifier (log-loss), same network and budget."""
    from sklearn.neural_network import MLPClassifier

    return _scaled(MLPClassifier(random_state=random_state, **_mlp(budget)))


def ldr(random_state, *, budget, loss="aldr_kl"):
    """LDRClassifier with ``loss`` (scaled)."""
    from sklearn_losses import LDRClassifier

    return _scaled(LDRClassifier(loss=loss, random_state=random_state, **_mlp(budget)))


def anyloss(random_state, *, budget, metric="f1"):
    """AnyLossClassifier optimising ``metric`` (scaled)."""
    from sklearn_losses import AnyLossClassifier

    return _scaled(
        AnyLossClassifier(metric=metric, random_state=random_state, **_mlp(budget))
    )


def logistic(random_state, *, budget=None):
    """Scaled LogisticRegression."""
    from sklearn.linear_model import LogisticRegression

    return _scaled(LogisticRegression(max_iter=1000, random_state=random_state))


def tuned_logistic(random_state, *, budget=None, scoring="f1"):
    """LogisticRegression with its decision threshold tuned for ``scoring``."""
    from sklearn.model_selection import TunedThresholdClassifierCV

    return TunedThresholdClassifierCV(
        logistic(random_state), scoring=scoring, random_state=random_state
    )


def linear_probe(random_state, *, budget=None, head="naive_bayes"):
    """LinearProbeClassifier with ``head`` (scaled)."""
    from sklearn_losses import LinearProbeClassifier

    return _scaled(LinearProbeClassifier(head=head, random_state=random_state))


def metric_knn(random_state, *, budget):
    """MetricLearningTransformer (proto_triplet) + 3-NN (scaled)."""
    from sklearn.neighbors import KNeighborsClassifier

    from sklearn_losses import MetricLearningTransformer

    learner = MetricLearningTransformer(
        loss="proto_triplet",
        hidden_layer_sizes=budget["hidden_layer_sizes"],
        max_iter=budget["max_iter"],
        learning_rate_init=budget["learning_rate_init"],
        random_state=random_state,
    )
    return _scaled(learner, KNeighborsClassifier(3))


def nca_knn(random_state, *, budget):
    """NeighborhoodComponentsAnalysis + 3-NN (scaled)."""
    from sklearn.neighbors import KNeighborsClassifier, NeighborhoodComponentsAnalysis

    nca = NeighborhoodComponentsAnalysis(
        max_iter=budget["nca_max_iter"], random_state=random_state
    )
    return _scaled(nca, KNeighborsClassifier(3))


def knn(random_state, *, budget=None):
    """Plain 3-NN (scaled)."""
    from sklearn.neighbors import KNeighborsClassifier

    return _scaled(KNeighborsClassifier(3))


# -- the suites ---------------------------------------------------------------
def _pick(task, group, n):
    """Preferred names of ``group`` first, then the smallest sets of ``task``."""
    entries = sorted(_registry(task), key=lambda e: (e.get("n_samples", 0), e["name"]))
    names = [e["name"] for e in entries]
    prefer = [p for p in _PREFERRED[group] if p in names or task is None]
    rest = [name for name in names if name not in prefer]
    return tuple((prefer + rest)[:n] if n else prefer + rest)


@validate_params(
    {"name": [StrOptions(set(SUITES))]}, prefer_skip_nested_validation=True
)
def get_suite(name="quick"):
    """The default suite: every estimator against its scikit-learn counterpart.

    Parameters
    ----------
    name : {"quick", "full"}, default="quick"
        The budget (:data:`BUDGETS`, described in this module's docstring).

    Returns
    -------
    suite : list of Comparison
        Estimators are imported only when a task builds them, so the suite
        can be listed even when an estimator is missing.

    Examples
    --------
    >>> from sklearn_losses.benchmark import get_suite
    >>> [c.name for c in get_suite("quick")]
    ['ensloss', 'ldr', 'anyloss', 'linear_probe', 'metric_learning']
    """
    b = BUDGETS[name]
    n, cv, cap = b["n_datasets"], b["cv"], b["max_samples"]
    p = functools.partial
    return [
        Comparison(
            "ensloss",
            ours={"EnsLoss": p(ensloss, budget=b)},
            counterparts={"MLPClassifier": p(mlp, budget=b)},
            datasets=_pick("binary", "binary", n),
            scoring="accuracy",
            cv=cv,
            max_samples=cap,
            task="binary",
            estimator="EnsLossClassifier",
            description="EnsLoss vs log-loss MLP, same network and budget.",
        ),
        Comparison(
            "ldr",
            ours={"ALDR-KL": p(ldr, budget=b)},
            counterparts={
                "cross-entropy": p(ldr, budget=b, loss="cross_entropy"),
                "MLPClassifier": p(mlp, budget=b),
            },
            datasets=_pick("multiclass", "multiclass", n),
            scoring="accuracy",
            transform=LabelNoise("uniform", 0.4),
            cv=cv,
            max_samples=cap,
            task="multiclass",
            estimator="LDRClassifier",
            description="Uniform label noise 0.4 on the training folds; clean tests.",
        ),
        Comparison(
            "anyloss",
            ours={"AnyLoss(f1)": p(anyloss, budget=b)},
            counterparts={
                "TunedThreshold(LogReg)": p(tuned_logistic),
                "LogisticRegression": p(logistic),
            },
            datasets=_pick("imbalanced", "imbalanced", n) or _pick("binary", "binary", n),
            scoring="f1",
            cv=cv,
            max_samples=cap,
            task="binary",
            estimator="AnyLossClassifier",
            description="F1 of the minority class on imbalanced data.",
        ),
        Comparison(
            "linear_probe",
            ours={
                "probe(naive_bayes)": p(linear_probe, head="naive_bayes"),
                "probe(logistic)": p(linear_probe, head="logistic"),
            },
            counterparts={"LogisticRegression": p(logistic)},
            datasets=_pick("multiclass", "probe", 1 if n else None),
            scoring="accuracy",
            cv=CVSpec(n_splits=cv.n_splits * cv.n_repeats, train_size=0.05),
            max_samples=None,
            estimator="LinearProbeClassifier",
            description="Trained on 5% of the data (stratified random splits).",
        ),
        Comparison(
            "metric_learning",
            ours={"ProtoTriplet+3NN": p(metric_knn, budget=b)},
            counterparts={"NCA+3NN": p(nca_knn, budget=b), "3NN": p(knn)},
            datasets=_pick(None, "metric", len(_PREFERRED["metric"])),
            scoring="accuracy",
            cv=cv,
            max_samples=cap,
            estimator="MetricLearningTransformer",
            description="Learned embedding + 3-NN vs NCA + 3-NN vs 3-NN.",
        ),
    ]
