"""Loaders of the bundled real datasets (gzipped CSVs + a metadata table)."""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

__all__ = ["list_datasets", "load_dataset"]

TASKS = ("binary", "imbalanced", "multiclass")


@functools.lru_cache(maxsize=1)
def _metadata() -> tuple[dict, ...]:
    text = resources.files(__package__).joinpath("data", "datasets.json").read_text()
    return tuple(json.loads(text))


def _names() -> list[str]:
    return [m["name"] for m in _metadata()]


@validate_params(
    {"task": [StrOptions(set(TASKS)), None]}, prefer_skip_nested_validation=True
)
def list_datasets(task=None) -> list[dict]:
    """Metadata of the bundled datasets.

    Parameters
    ----------
    task : {"binary", "imbalanced", "multiclass"} or None, default=None
        ``"binary"``: binary sets whose minority class is at least a quarter
        of the samples; ``"imbalanced"``: binary sets with an imbalance ratio
        between 5:1 and 40:1 (the positive class, 1, is the minority);
        ``"multiclass"``: three classes or more.  None lists all.

    Returns
    -------
    datasets : list of dict
        One dict per dataset with ``name``, ``task``, ``n_samples``,
        ``n_features``, ``n_classes``, ``imbalance_ratio`` (majority over
        minority count), ``openml_id`` (when OpenML holds the same data),
        ``source``, ``license``, ``preprocessing`` and ``target_names``.

    Examples
    --------
    >>> from sklearn_losses.datasets import list_datasets
    >>> [d["name"] for d in list_datasets("multiclass")][:3]
    ['iris', 'wine', 'digits']
    """
    return [dict(m) for m in _metadata() if task in (None, m["task"])]


@functools.lru_cache(maxsize=8)
def _read(name: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    path = resources.files(__package__).joinpath("data", f"{name}.csv.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt") as f:
        header = f.readline().strip().split(",")
        values = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
    return values[:, :-1], values[:, -1].astype(np.int64), tuple(header[:-1])


def load_dataset(name: str, *, return_X_y: bool = False, as_frame: bool = False):
    """Load a bundled dataset by name.

    Parameters
    ----------
    name : str
        One of the names of :func:`list_datasets`.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of a Bunch.
    as_frame : bool, default=False
        Data as a pandas DataFrame and target as a Series (needs pandas).

    Returns
    -------
    data : Bunch or tuple
        ``data`` (float64, shape (n_samples, n_features)), ``target`` (int64
        class indices), ``feature_names``, ``target_names`` (the original class
        names, indexed by the target), ``DESCR``, ``metadata`` and, with
        ``as_frame=True``, ``frame``.

    Examples
    --------
    >>> from sklearn_losses.datasets import load_dataset
    >>> X, y = load_dataset("vowel", return_X_y=True)
    >>> X.shape, int(y.max()) + 1
    ((990, 13), 11)
    """
    if name not in _names():
        raise ValueError(
            f"Unknown dataset {name!r}. Bundled datasets: {', '.join(_names())}."
        )
    meta = next(m for m in _metadata() if m["name"] == name)
    X, y, features = _read(name)
    X, y = X.copy(), y.copy()
    frame = None
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(X, columns=list(features))
        frame["target"] = y
        X, y = frame[list(features)], frame["target"]
    if return_X_y:
        return X, y
    descr = (
        f"{name}: {meta['n_samples']} samples, {meta['n_features']} features, "
        f"{meta['n_classes']} classes (imbalance ratio {meta['imbalance_ratio']}).\n"
        f"Source: {meta['source']}.\nLicence/citation: {meta['license']}.\n"
        f"Preprocessing: {meta['preprocessing']}."
    )
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=list(features),
        target_names=np.asarray(meta["target_names"]),
        DESCR=descr,
        metadata=dict(meta),
    )


def _make_loader(name: str):
    def loader(*, return_X_y: bool = False, as_frame: bool = False):
        return load_dataset(name, return_X_y=return_X_y, as_frame=as_frame)

    meta = next(m for m in _metadata() if m["name"] == name)
    loader.__name__ = loader.__qualname__ = f"load_{name}"
    loader.__doc__ = f"""Load the bundled ``{name}`` dataset ({meta["task"]}).

    {meta["n_samples"]} samples, {meta["n_features"]} features, {meta["n_classes"]}
    classes; source: {meta["source"]}.  See :func:`load_dataset` for the
    parameters and the returned Bunch.

    Parameters
    ----------
    return_X_y : bool, default=False
    as_frame : bool, default=False

    Returns
    -------
    data : Bunch or tuple
    """
    return loader


LOADERS = {f"load_{name}": _make_loader(name) for name in _names()}
