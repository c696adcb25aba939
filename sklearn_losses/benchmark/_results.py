"""The results object that :func:`run_suite` returns.

A :class:`Results` is a list of task records (plain dicts, one per
comparison, method, dataset and fold) plus the description of the
comparisons, the tasks skipped and the run configuration.  It round-trips
through JSON and turns into a pandas DataFrame on request (pandas is
imported only then).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

__all__ = ["Results"]


def _clean(value):
    """JSON-safe copy: NaN and inf become None, numpy scalars Python ones."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Results:
    """Records of a benchmark run.

    Parameters
    ----------
    records : list of dict
        One dict per task with the keys ``comparison``, ``method``, ``role``
        (``"ours"`` or ``"counterpart"``), ``dataset``, ``fold``, ``seed``,
        ``random_state``, ``scores`` (metric name to value), ``fit_time``,
        ``predict_time`` (seconds), ``n_train``, ``n_test``, ``warnings``
        (warning class names), ``error`` (None or a one-line message),
        ``key`` (the cache key) and ``cached`` (whether the record was read
        from the cache).
    comparisons : list of dict, default=None
        One dict per comparison: ``name``, ``estimator``, ``description``,
        ``ours``, ``counterparts`` (method names), ``scoring`` (metric
        names, the first is the primary one), ``datasets``.
    skipped : list of dict, default=None
        ``comparison``, ``method`` or ``dataset``, and ``reason`` for each
        part of the suite that could not run.
    config : dict, default=None
        The run's settings (seed, backend, n_jobs, wall time, ...).

    Examples
    --------
    >>> from sklearn_losses.benchmark import Results
    >>> r = Results([{"comparison": "c", "method": "m", "role": "ours",
    ...               "dataset": "iris", "fold": 0, "scores": {"accuracy": 0.9},
    ...               "fit_time": 0.1, "predict_time": 0.01, "error": None}])
    >>> len(r), r.score_table("c")["iris"]["m"]
    (1, array([0.9]))
    """

    def __init__(self, records, comparisons=None, skipped=None, config=None):
        self.records = list(records)
        self.comparisons = list(comparisons or [])
        self.skipped = list(skipped or [])
        self.config = dict(config or {})

    def __len__(self):
        return len(self.records)

    def __iter__(self):
        return iter(self.records)

    def __repr__(self):
        return (
            f"Results({len(self.records)} records, {self.n_computed} computed, "
            f"{self.n_cached} cached, {len(self.failures)} failed)"
        )

    @property
    def n_cached(self):
        """Number of records read from the cache."""
        return sum(bool(r.get("cached")) for r in self.records)

    @property
    def n_computed(self):
        """Number of records computed in this run."""
        return len(self.records) - self.n_cached

    @property
    def failures(self):
        """Records whose task raised an error."""
        return [r for r in self.records if r.get("error")]

    def comparison_names(self):
        """Names of the comparisons, in suite order."""
        names = [c["name"] for c in self.comparisons]
        extra = [r["comparison"] for r in self.records]
        return list(dict.fromkeys(names + extra))

    def comparison(self, name):
        """The description dict of comparison ``name`` (built if missing)."""
        for c in self.comparisons:
            if c["name"] == name:
                return c
        rows = [r for r in self.records if r["comparison"] == name]
        ours = [r["method"] for r in rows if r.get("role", "ours") == "ours"]
        return {
            "name": name,
            "estimator": "",
            "description": "",
            "ours": list(dict.fromkeys(ours)),
            "counterparts": list(
                dict.fromkeys(r["method"] for r in rows if r.get("role") != "ours")
            ),
            "scoring": list(dict.fromkeys(k for r in rows for k in r["scores"])),
            "datasets": list(dict.fromkeys(r["dataset"] for r in rows)),
        }

    def score_table(self, comparison, metric=None):
        """Fold scores of every method on every dataset of a comparison.

        Parameters
        ----------
        comparison : str
            The comparison's name.
        metric : str, default=None
            The metric; defaults to the comparison's primary metric.

        Returns
        -------
        table : dict
            ``{dataset: {method: ndarray of fold scores in fold order}}``;
            failed tasks give NaN.
        """
        info = self.comparison(comparison)
        metric = metric or (info["scoring"][0] if info["scoring"] else None)
        rows = sorted(
            (r for r in self.records if r["comparison"] == comparison),
            key=lambda r: r["fold"],
        )
        table = {}
        for r in rows:
            value = (r.get("scores") or {}).get(metric)
            value = np.nan if value is None else float(value)
            table.setdefault(r["dataset"], {}).setdefault(r["method"], [])
            table[r["dataset"]][r["method"]].append(value)
        return {
            d: {m: np.asarray(v) for m, v in methods.items()}
            for d, methods in table.items()
        }

    def to_dict(self):
        """A JSON-serialisable dict (NaN written as null)."""
        return _clean(
            {
                "config": self.config,
                "comparisons": self.comparisons,
                "skipped": self.skipped,
                "records": self.records,
            }
        )

    @classmethod
    def from_dict(cls, data):
        """Inverse of :meth:`to_dict`."""
        return cls(
            data.get("records", []),
            data.get("comparisons"),
            data.get("skipped"),
            data.get("config"),
        )

    @classmethod
    def read_json(cls, path):
        """Read results written by :func:`write_report` (``results.json``)."""
        return cls.from_dict(json.loads(Path(path).read_text()))

    def to_rows(self):
        """Flat rows: one per task, scores as ``score_<metric>`` columns."""
        rows = []
        for r in self.records:
            row = {k: v for k, v in r.items() if k not in ("scores", "warnings")}
            row["warnings"] = ";".join(r.get("warnings") or [])
            for metric, value in (r.get("scores") or {}).items():
                row[f"score_{metric}"] = value
            rows.append(row)
        return rows

    def to_frame(self):
        """The records as a pandas DataFrame (one row per task).

        Returns
        -------
        frame : pandas.DataFrame
            The columns of :meth:`to_rows`.
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is optional
            raise ImportError(
                "Results.to_frame needs pandas: pip install sklearn-losses[benchmark]"
            ) from exc
        return pd.DataFrame(self.to_rows())
