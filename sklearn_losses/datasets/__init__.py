"""Bundled real datasets, an OpenML loader and label-noise injection.

* ``load_<name>()`` / :func:`load_dataset` load the bundled tabular sets
  offline; :func:`list_datasets` returns their metadata (size, classes,
  imbalance ratio, OpenML id, source, licence).
* :func:`fetch_openml_dataset` reads any OpenML dataset through
  scikit-learn's cache.
* :func:`add_label_noise` injects uniform, symmetric or pair-flip noise.
"""

from ._bundled import LOADERS, list_datasets, load_dataset
from ._noise import PAIR_FLIP_MAPS, add_label_noise
from ._openml import OpenMLUnavailableError, fetch_openml_dataset

globals().update(LOADERS)

__all__ = [
    "PAIR_FLIP_MAPS",
    "OpenMLUnavailableError",
    "add_label_noise",
    "fetch_openml_dataset",
    "list_datasets",
    "load_dataset",
    *sorted(LOADERS),
]
