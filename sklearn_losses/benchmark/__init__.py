"""Benchmarks: every estimator against its scikit-learn counterpart.

A *suite* is a list of :class:`Comparison` objects (our method(s), the
scikit-learn counterpart(s), datasets, scoring, an optional training-fold
transform such as label noise, a CV spec).  :func:`run_suite` runs every
(comparison, method, dataset, fold) task through joblib (local processes or
a Dask cluster), caching each finished task, and returns :class:`Results`;
:func:`write_report` writes the summary table, plots, JSON and CSV.  The
paired statistics (:func:`paired_tests`, :func:`win_tie_loss`,
:func:`average_ranks`, :func:`friedman_test`,
:func:`nemenyi_critical_difference`) work on plain arrays.

The command line ``sklearn-losses benchmark`` is a thin layer over these
functions (:mod:`sklearn_losses.benchmark.cli`); the paper benchmarks are
its subcommands (:mod:`sklearn_losses.benchmark._papers`).  See
:mod:`sklearn_losses.benchmark._suites` for the default suites and
:mod:`sklearn_losses.benchmark._backends` for running on a Dask cluster.

Examples
--------
>>> from sklearn_losses.benchmark import get_suite, run_suite, write_report
>>> results = run_suite(get_suite("quick"), estimators=["linear_probe"],
...                     progress=False)                     # doctest: +SKIP
>>> print(write_report(results, "benchmark_results")["summary"])  # doctest: +SKIP
"""

from ._backends import BACKENDS
from ._comparison import Comparison, CVSpec, derive_seed
from ._data import LabelNoise, list_benchmark_datasets, load_benchmark_dataset
from ._report import format_summary, summarize, write_report
from ._results import Results
from ._runner import run_suite
from ._stats import (
    average_ranks,
    friedman_test,
    nemenyi_critical_difference,
    paired_tests,
    win_tie_loss,
)
from ._suites import BUDGETS, SUITES, get_suite

__all__ = [
    "BACKENDS",
    "BUDGETS",
    "CVSpec",
    "Comparison",
    "LabelNoise",
    "Results",
    "SUITES",
    "average_ranks",
    "derive_seed",
    "format_summary",
    "friedman_test",
    "get_suite",
    "list_benchmark_datasets",
    "load_benchmark_dataset",
    "nemenyi_critical_difference",
    "paired_tests",
    "run_suite",
    "summarize",
    "win_tie_loss",
    "write_report",
]
