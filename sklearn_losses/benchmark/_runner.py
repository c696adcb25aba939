"""Run a suite of comparisons: every (comparison, method, dataset, fold) task.

A task is a pure function of its inputs: the estimator is built by the
method's factory with a ``random_state`` derived from ``(seed, dataset,
fold)``, the folds come from the comparison's CV spec seeded by ``(seed,
dataset)``, and a training-fold transform (label noise) gets the task's
``random_state``.  Results are therefore identical whatever the backend or
``n_jobs``; only the timings differ.

Tasks go through joblib inside ``joblib.parallel_config(backend=...)``.  The
parent process writes each finished task to ``output/cache/<key>.json``,
where ``key`` hashes the comparison, method, estimator parameters, transform,
scoring, CV spec, dataset (name and content), fold and seed, so an
interrupted run resumes where it stopped and a changed setting recomputes
only what it affects.  Failed tasks are recorded with their error and never
cached.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import time
import warnings
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from . import _suites
from ._backends import BACKENDS, parallel_backend
from ._comparison import build_estimator, derive_seed
from ._data import load_benchmark_dataset
from ._progress import make_progress
from ._results import Results

__all__ = ["run_suite"]

CACHE_VERSION = 1


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _describe(value):
    """A stable, JSON-ready description of a parameter value."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        params = value.get_params(deep=False)
        return {
            "class": f"{type(value).__module__}.{type(value).__qualname__}",
            "params": {
                k: _describe(v)
                for k, v in sorted(params.items())
                if k != "random_state"
            },
        }
    if isinstance(value, list | tuple):
        return [_describe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _describe(v) for k, v in sorted(value.items())}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    return _ADDRESS.sub("", repr(value))


def _fingerprint(X, y):
    digest = hashlib.sha1(np.ascontiguousarray(X).tobytes())
    digest.update(np.ascontiguousarray(y).tobytes())
    return digest.hexdigest()[:16]


def _versions():
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("sklearn-losses", "scikit-learn", "torch", "skorch"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


_VERSIONS = functools.lru_cache(maxsize=1)(_versions)


def _task_key(**parts):
    parts = {"version": CACHE_VERSION, "packages": _VERSIONS(), **parts}
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


# -- one task ------------------------------------------------------------------
def _execute(meta, spec, transform, metrics, X, y, train, test):
    """Fit on the training fold, score on the test fold; return the record.

    Never raises: an error is recorded as a one-line message (scores NaN).
    """
    from sklearn.metrics import get_scorer

    record = {**meta, "scores": {}, "fit_time": np.nan, "predict_time": np.nan}
    record.update(n_train=int(len(train)), n_test=int(len(test)), error=None)
    random_state = meta["random_state"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            estimator = build_estimator(spec, random_state)
            X_train, y_train = X[train], y[train]
            if transform is not None:
                X_train, y_train = transform(X_train, y_train, random_state)
            start = time.perf_counter()
            estimator.fit(X_train, y_train)
            record["fit_time"] = time.perf_counter() - start
            start = time.perf_counter()
            estimator.predict(X[test])
            record["predict_time"] = time.perf_counter() - start
            for metric in metrics:
                scorer = get_scorer(metric)
                record["scores"][metric] = float(scorer(estimator, X[test], y[test]))
        except Exception as exc:  # recorded, reported, never cached
            message = " ".join(str(exc).split()) or repr(exc)
            record["error"] = f"{type(exc).__name__}: {message}"
            record["scores"] = dict.fromkeys(metrics, np.nan)
    record["warnings"] = sorted({w.category.__name__ for w in caught})
    return record


# -- planning ------------------------------------------------------------------
def _select(suite, estimators):
    if estimators is None:
        return list(suite)
    wanted = {e.lower() for e in estimators}
    known = {c.name.lower() for c in suite} | {
        c.estimator.lower() for c in suite if c.estimator
    }
    unknown = sorted(wanted - known)
    if unknown:
        valid = sorted({c.name for c in suite} | {c.estimator for c in suite} - {""})
        raise ValueError(
            f"Unknown estimator or comparison {', '.join(map(repr, unknown))}; "
            f"valid names: {', '.join(valid)}."
        )
    return [c for c in suite if {c.name.lower(), c.estimator.lower()} & wanted]


def _task_ok(task, y):
    n_classes = len(np.unique(y))
    if task == "binary" and n_classes != 2:
        return f"needs a binary target; this dataset has {n_classes} classes"
    if task == "multiclass" and n_classes < 3:
        return f"needs at least 3 classes; this dataset has {n_classes}"
    return None


def _subsample(X, y, max_samples, random_state):
    if max_samples is None or len(y) <= max_samples:
        return X, y
    from sklearn.model_selection import train_test_split

    X, _, y, _ = train_test_split(
        X, y, train_size=max_samples, stratify=y, random_state=random_state
    )
    return X, y


def _plan(suite, datasets, data, seed):
    """Tasks as ``(meta, spec, transform, metrics, X, y, train, test)``."""
    tasks, skipped, described = [], [], []
    for comp in suite:
        names = list(datasets) if datasets is not None else list(comp.datasets)
        methods, used = [], []
        for method, spec, role in comp.methods():
            try:
                params = _describe(build_estimator(spec, 0))
            except ImportError as exc:
                skipped.append(
                    {"comparison": comp.name, "method": method, "reason": str(exc)}
                )
                continue
            methods.append((method, spec, role, params))
        for name in names:
            X, y = data[name]
            reason = _task_ok(comp.task, y)
            if reason:
                skipped.append(
                    {"comparison": comp.name, "dataset": name, "reason": reason}
                )
                continue
            used.append(name)
            X, y = _subsample(X, y, comp.max_samples, derive_seed(seed, name, "sub"))
            folds = comp.cv_spec.split(X, y, derive_seed(seed, name, "cv"))
            base = {
                "comparison": comp.name,
                "cv": repr(comp.cv_spec),
                "max_samples": comp.max_samples,
                "transform": _describe(comp.transform),
                "scoring": list(comp.metrics),
                "dataset": name,
                "data": _fingerprint(X, y),
                "seed": int(seed),
            }
            for method, spec, role, params in methods:
                for fold, (train, test) in enumerate(folds):
                    rs = derive_seed(seed, name, fold)
                    key = _task_key(**base, method=method, params=params, fold=fold)
                    meta = {
                        "comparison": comp.name,
                        "method": method,
                        "role": role,
                        "dataset": name,
                        "fold": fold,
                        "seed": int(seed),
                        "random_state": rs,
                        "key": key,
                    }
                    tasks.append(
                        (meta, spec, comp.transform, comp.metrics, X, y, train, test)
                    )
        described.append(comp.describe(used))
    return tasks, skipped, described


# -- cache ---------------------------------------------------------------------
def _read_cache(cache, key):
    if cache is None:
        return None
    path = cache / f"{key}.json"
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return {**record, "cached": True}


def _write_cache(cache, record):
    if cache is None or record.get("error"):
        return
    from ._results import _clean

    path = cache / f"{record['key']}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(_clean({**record, "cached": False})))
    tmp.replace(path)  # atomic: an interrupted write leaves no broken entry


@validate_params(
    {
        "suite": [list, tuple, str],
        "datasets": [list, tuple, None],
        "estimators": [list, tuple, None],
        "n_jobs": [Integral, None],
        "backend": [StrOptions(set(BACKENDS))],
        "scheduler": "no_validation",
        "output": [str, os.PathLike, None],
        "seed": [Interval(Integral, 0, None, closed="left")],
        "progress": ["boolean", callable],
        "use_cache": ["boolean"],
        "data_home": [str, os.PathLike, None],
        "alpha": [Interval(Real, 0, 1, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def run_suite(
    suite,
    *,
    datasets=None,
    estimators=None,
    n_jobs=1,
    backend="loky",
    scheduler=None,
    output=None,
    seed=0,
    progress=True,
    use_cache=True,
    data_home=None,
    alpha=0.05,
):
    """Run every (comparison, method, dataset, fold) task of a suite.

    Parameters
    ----------
    suite : list of Comparison or str
        The comparisons, or the name of a built-in suite (``"quick"``,
        ``"full"``, see :func:`get_suite`).
    datasets : list of str, default=None
        Run every comparison on these datasets instead of its own (names
        of :func:`list_benchmark_datasets` or ``"openml:<id>"``); datasets
        that do not fit a comparison's task are skipped and reported.
    estimators : list of str, default=None
        Keep only the comparisons with these names or estimator class
        names (case-insensitive).
    n_jobs : int, default=1
        Parallel tasks (joblib semantics: -1 means all cores).  With
        ``backend="dask"`` it is the number of local workers to start
        when there is no cluster (at least 2); an existing cluster uses
        all its workers.
    backend : {"loky", "threading", "multiprocessing", "sequential", "dask"}, \
default="loky"
        joblib backend, set with ``joblib.parallel_config``.
    scheduler : str or distributed.Client, default=None
        Only for ``backend="dask"``: the address of a running scheduler
        (``"tcp://host:8786"``) or a client.  Without one, an active client
        is used, or a local 2-worker cluster on 127.0.0.1 is started.
    output : str or Path, default=None
        Directory whose ``cache/`` sub-directory stores one JSON file per
        finished task; a second run with the same settings reads them back
        instead of recomputing.  None disables the cache.
    seed : int, default=0
        Seeds the folds, the subsampling, the training-fold transforms and
        every estimator's ``random_state``, each derived from ``(seed,
        dataset, fold)``.
    progress : bool or callable, default=True
        Show a progress bar over tasks (tqdm when installed, otherwise one
        line per task on stderr).  A callable receives the lines instead.
        False shows nothing.
    use_cache : bool, default=True
        Read finished tasks back from ``output/cache``.  False recomputes
        every task (and overwrites its cache entry): use it after changing
        an estimator's code, which the cache key cannot see (it holds the
        estimator's parameters and the package versions).
    data_home : str or Path, default=None
        Cache directory of the OpenML loader (``"openml:<id>"`` datasets).
    alpha : float, default=0.05
        Significance level stored with the results for the report.

    Returns
    -------
    results : Results
        One record per task, in suite order.

    See Also
    --------
    write_report : Table, plots and JSON from the results.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_losses.benchmark import Comparison, run_suite
    >>> suite = [Comparison("demo", ours={"tree": DecisionTreeClassifier()},
    ...                     counterparts={"logreg": LogisticRegression()},
    ...                     datasets=("iris",), cv=3)]
    >>> results = run_suite(suite, progress=False)
    >>> len(results), sorted({r["method"] for r in results})
    (6, ['logreg', 'tree'])
    """
    if isinstance(suite, str):
        suite = _suites.get_suite(suite)
    names = [c.name for c in suite]
    if len(set(names)) != len(names):
        raise ValueError(f"Comparison names must be unique; got {names}.")
    suite = _select(suite, estimators)
    needed = list(datasets) if datasets is not None else []
    if datasets is None:
        needed = [d for c in suite for d in c.datasets]
    needed = list(dict.fromkeys(needed))
    data = {name: load_benchmark_dataset(name, data_home=data_home) for name in needed}

    start = time.perf_counter()
    tasks, skipped, described = _plan(suite, datasets, data, seed)
    cache = None
    if output is not None:
        cache = Path(output) / "cache"
        cache.mkdir(parents=True, exist_ok=True)
    read = cache if use_cache else None
    records = {t[0]["key"]: _read_cache(read, t[0]["key"]) for t in tasks}
    pending = [t for t in tasks if records[t[0]["key"]] is None]
    info = {"backend": backend, "not started": "every task was cached"}
    bar = make_progress(progress, total=len(tasks), done=len(tasks) - len(pending))
    try:
        if pending:
            with parallel_backend(backend, n_jobs, scheduler) as (jobs, info):
                from joblib import Parallel, delayed

                parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
                for record in parallel(delayed(_execute)(*t) for t in pending):
                    record["cached"] = False
                    _write_cache(cache, record)
                    records[record["key"]] = record
                    bar.update(record)
    finally:
        bar.close()
    config = {
        "seed": int(seed),
        "backend": backend,
        "n_jobs": n_jobs,
        "cluster": info,
        "datasets": needed,
        "alpha": alpha,
        "n_tasks": len(tasks),
        "n_cached": len(tasks) - len(pending),
        "wall_time": time.perf_counter() - start,
        "output": None if output is None else str(output),
    }
    ordered = [records[t[0]["key"]] for t in tasks]
    return Results(ordered, described, skipped, config)
