"""The default benchmark suites: every estimator vs its scikit-learn counterpart.

Every estimator of the package is compared with its scikit-learn
counterpart, on bundled real data, with stratified cross-validation.  Two
suites share one definition and differ only in their budget
(:data:`BUDGETS`):

``quick`` (the default of ``sklearn-losses benchmark``): 195 tasks
    5-fold stratified CV; MLPs with one hidden layer of 64 units, at most
    100 epochs (scikit-learn's ``tol``/``n_iter_no_change`` plateau rule
    applies to both sides), batch 64, Adam at 1e-3, ``alpha=1e-4``;
    datasets subsampled to 1,000 rows; three datasets per comparison.
    Measured: about 65 s with ``--n-jobs 1`` and 37 s on a 2-worker Dask
    cluster, on a 2-core machine (budget: under 5 minutes).
``full``
    5-fold CV repeated twice; 128 hidden units, at most 300 epochs, batch
    128; up to 5,000 rows; every bundled dataset of the comparison's kind
    (about 60 datasets in all; hours on a laptop, meant for a cluster).

Datasets are chosen from :func:`~sklearn_losses.datasets.list_datasets`:
the preferred names of :data:`_PREFERRED` first (quick: breast_cancer,
ionosphere, pima; vowel, vehicle, wine; ecoli3, vowel0, yeast3), then the
smallest sets of the kind.

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

from sklearn.utils._param_validation import StrOptions, validate_params

from ._comparison import Comparison, CVSpec
from ._data import LabelNoise, _registry

__all__ = ["BUDGETS", "SUITES", "get_suite"]

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

_PREFERRED = {
    "binary": ("breast_cancer", "ionosphere", "pima"),
    "multiclass": ("vowel", "vehicle", "wine"),
    "imbalanced": ("ecoli3", "vowel0", "yeast3"),
    "probe": ("digits",),
    "metric": ("iris", "wine", "breast_cancer", "digits"),
}


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
    # without the data package there is no imbalanced set: use binary ones
    imbalanced = _pick("imbalanced", "imbalanced", n) or _pick("binary", "binary", n)
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
            datasets=imbalanced,
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
