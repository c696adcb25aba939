"""A thin, cache-aware layer over :func:`sklearn.datasets.fetch_openml`."""

from __future__ import annotations

import os
from numbers import Integral
from urllib.error import URLError

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..exceptions import SklearnLossesError

__all__ = ["OpenMLUnavailableError", "fetch_openml_dataset"]


class OpenMLUnavailableError(SklearnLossesError, ConnectionError):
    """An OpenML dataset is neither in the local cache nor downloadable."""


@validate_params(
    {
        "data_id": [Interval(Integral, 1, None, closed="left")],
        "data_home": [str, os.PathLike, None],
        "parser": [StrOptions({"auto", "pandas", "liac-arff"})],
    },
    prefer_skip_nested_validation=True,
)
def fetch_openml_dataset(data_id, *, data_home=None, parser="auto"):
    """Fetch an OpenML classification dataset as numeric arrays.

    Reads scikit-learn's OpenML cache under ``data_home`` first (so it works
    offline once a dataset was fetched), then the network.  Categorical
    features are one-hot encoded (``pandas.get_dummies``), rows with missing
    values are dropped, and labels are encoded 0..K-1 in sorted order.

    Parameters
    ----------
    data_id : int
        OpenML dataset id (e.g. 31 for credit-g).
    data_home : str or path-like, default=None
        scikit-learn's data folder (``~/scikit_learn_data`` by default).
    parser : {"auto", "pandas", "liac-arff"}, default="auto"
        ARFF parser; "liac-arff" handles some files the pandas parser
        cannot.

    Returns
    -------
    data : Bunch
        ``data`` (float64), ``target`` (int64), ``feature_names``,
        ``target_names``, ``DESCR`` and ``metadata`` (name, id, number of
        rows dropped, encoded columns).

    Raises
    ------
    OpenMLUnavailableError
        When the dataset is not cached and cannot be downloaded.
    """
    from sklearn.datasets import fetch_openml

    try:
        bunch = fetch_openml(
            data_id=data_id,
            data_home=data_home,
            as_frame=True,
            parser=parser,
        )
    except (URLError, OSError, TimeoutError) as exc:
        raise OpenMLUnavailableError(
            f"OpenML dataset {data_id} is not in the cache under data_home="
            f"{data_home!r} and could not be downloaded ({exc}). Fetch it once on "
            "a machine with network access and copy the cache, or point "
            "data_home at an existing cache."
        ) from exc
    frame = bunch.frame
    target_col = bunch.target.name if hasattr(bunch.target, "name") else None
    X = bunch.data
    y = bunch.target
    keep = X.notna().all(axis=1).to_numpy() & y.notna().to_numpy()
    X, y = X[keep], y[keep]
    import pandas as pd

    categorical = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if categorical:
        X = pd.get_dummies(X, columns=categorical, dtype=float)
    classes, target = np.unique(y.astype(str).to_numpy(), return_inverse=True)
    return Bunch(
        data=X.to_numpy(dtype=np.float64),
        target=target.astype(np.int64),
        feature_names=[str(c) for c in X.columns],
        target_names=classes,
        DESCR=bunch.DESCR,
        frame=frame,
        metadata={
            "name": bunch.details.get("name"),
            "openml_id": int(data_id),
            "target": target_col,
            "rows_dropped": int((~keep).sum()),
            "one_hot_columns": categorical,
        },
    )
