"""The datasets the benchmark reads, and the label-noise transform.

Names come from :mod:`sklearn_losses.datasets` (the bundled real sets) when
it is installed; scikit-learn's own iris, wine, breast_cancer and digits
are always available; ``"openml:<id>"`` reads an OpenML dataset through
:func:`~sklearn_losses.datasets.fetch_openml_dataset` (cache first).  Every
dataset comes back as float64 features and integer labels, the minority
class 1 in binary problems.
"""

from __future__ import annotations

import functools
import os

import numpy as np
from sklearn.utils._param_validation import StrOptions, validate_params

__all__ = ["LabelNoise", "list_benchmark_datasets", "load_benchmark_dataset"]

# scikit-learn's bundled sets: always available, also without the data package.
_SKLEARN_SETS = {
    "iris": ("load_iris", "multiclass", 150),
    "wine": ("load_wine", "multiclass", 178),
    "breast_cancer": ("load_breast_cancer", "binary", 569),
    "digits": ("load_digits", "multiclass", 1797),
}


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
    >>> bool(0.2 < np.mean(y_noisy != y) < 0.3)
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
