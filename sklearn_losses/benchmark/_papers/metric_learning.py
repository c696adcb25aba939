"""Metric-learning comparison: a learnt embedding in front of 3-NN.

Protocol (the issue's, after pyDML's benchmark of scikit-learn's NCA):
``StandardScaler -> embedding -> KNeighborsClassifier(3)`` under 10-fold
stratified cross-validation on iris, wine, breast_cancer, digits and four
more bundled multiclass sets (vehicle, vowel, segment, contraceptive),
larger sets subsampled to ``max_samples`` rows (stratified).  The
embeddings compared:

* ``Euclidean``: none (plain 3-NN on the standardised features);
* ``NCA``: scikit-learn's
  :class:`~sklearn.neighbors.NeighborhoodComponentsAnalysis` (its
  defaults: full-rank linear map, ``max_iter=50``);
* ``<loss>``: :class:`~sklearn_losses.MetricLearningTransformer` with each
  loss of ``--losses`` (default Proto-Triplet, the estimator's default,
  and batch-hard triplet), all other parameters at their defaults.

Reported per dataset and on average: 3-NN test accuracy, MAP@R of the test
embeddings retrieved against the training embeddings
(:func:`~sklearn_losses.metrics.mean_average_precision_at_r`) and the mean
fit time per fold; the wins and losses of each learnt embedding against NCA
(paired t-test over the folds at p < 0.05).  A figure shows 2-D embeddings
of digits (NCA against Proto-Triplet, ``n_components=2``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .._stats import win_tie_loss
from ._common import load_subsampled, timed_fit, warm_up

NAME = "metric_learning"
DESCRIPTION = (
    "MetricLearningTransformer + 3-NN vs NCA + 3-NN vs Euclidean 3-NN "
    "(accuracy, MAP@R, fit time)"
)

DATASETS = (
    "iris",
    "wine",
    "breast_cancer",
    "digits",
    "vehicle",
    "vowel",
    "segment",
    "contraceptive",
)
LOSSES = ("proto_triplet", "triplet")


def add_arguments(parser) -> None:
    parser.add_argument("--n-splits", type=int, default=10)
    parser.add_argument("--max-samples", type=int, default=2000)
    parser.add_argument("--datasets", nargs="*", default=None)
    parser.add_argument("--losses", nargs="+", default=list(LOSSES))


def _embedding(method, seed):
    """The embedding step of ``method`` (None for Euclidean)."""
    from sklearn.neighbors import NeighborhoodComponentsAnalysis

    from sklearn_losses import MetricLearningTransformer

    if method == "Euclidean":
        return None
    if method == "NCA":
        return NeighborhoodComponentsAnalysis(random_state=seed)
    return MetricLearningTransformer(loss=method, random_state=seed)


def _warm_up(methods, seed) -> None:
    steps = (_embedding(method, seed) for method in methods)
    warm_up(NAME, [s.set_params(max_iter=2) for s in steps if s is not None])


def _fit_fold(X, y, train, test, fold, methods, seed):
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.preprocessing import StandardScaler

    from sklearn_losses.metrics import mean_average_precision_at_r

    _warm_up(methods, seed)
    scaler = StandardScaler().fit(X[train])
    X_tr, X_te = scaler.transform(X[train]), scaler.transform(X[test])
    records = []
    for method in methods:
        step = _embedding(method, seed + fold)
        fit_s = 0.0
        if step is not None:
            fit_s = timed_fit(step, X_tr, y[train])
            E_tr, E_te = step.transform(X_tr), step.transform(X_te)
        else:
            E_tr, E_te = X_tr, X_te
        knn = KNeighborsClassifier(3)
        fit_s += timed_fit(knn, E_tr, y[train])
        records.append(
            {
                "fold": fold,
                "method": method,
                "accuracy": float(np.mean(knn.predict(E_te) == y[test])),
                "map_at_r": float(
                    mean_average_precision_at_r(
                        E_te, y[test], X_reference=E_tr, y_reference=y[train]
                    )
                ),
                "fit_s": fit_s,
            }
        )
    return records


def summarise(records: list[dict], methods) -> dict:
    """Per-dataset means, averages over datasets and wins against NCA
    (one-sided paired t-tests at 0.05: the two-sided test at 0.1 with the
    sign of the mean difference)."""
    datasets = list(dict.fromkeys(r["dataset"] for r in records))
    per = {}
    for name in datasets:
        per[name] = {}
        for method in methods:
            rows = sorted(
                (r for r in records if r["dataset"] == name and r["method"] == method),
                key=lambda r: r["fold"],
            )
            per[name][method] = {
                key: float(np.mean([r[key] for r in rows]))
                for key in ("accuracy", "map_at_r", "fit_s")
            }
            per[name][method]["folds"] = [r["accuracy"] for r in rows]
    learnt = [m for m in methods if m not in ("Euclidean", "NCA")]
    vs_nca = {
        m: {
            o: sum(
                win_tie_loss(per[n][m]["folds"], per[n]["NCA"]["folds"], alpha=0.1) == o
                for n in datasets
            )
            for o in ("win", "tie", "loss")
        }
        for m in learnt
        if "NCA" in methods
    }
    average = {
        method: {
            key: float(np.mean([per[n][method][key] for n in datasets]))
            for key in ("accuracy", "map_at_r", "fit_s")
        }
        for method in methods
    }
    return {"datasets": per, "average": average, "vs_nca": vs_nca}


def _table(summary: dict, methods) -> dict:
    rows = []
    for name, per in summary["datasets"].items():
        best = max(per[m]["accuracy"] for m in methods)
        for method in methods:
            acc = per[method]["accuracy"]
            rows.append(
                [
                    name,
                    method,
                    f"{acc:.4f}" + (" *" if acc == best else ""),
                    f"{per[method]['map_at_r']:.4f}",
                    f"{per[method]['fit_s']:.3f}",
                ]
            )
    for method in methods:
        avg = summary["average"][method]
        wtl = summary["vs_nca"].get(method)
        rows.append(
            [
                "average",
                method
                + (f" (vs NCA {wtl['win']}/{wtl['tie']}/{wtl['loss']})" if wtl else ""),
                f"{avg['accuracy']:.4f}",
                f"{avg['map_at_r']:.4f}",
                f"{avg['fit_s']:.3f}",
            ]
        )
    header = ["dataset", "embedding", "3-NN accuracy", "MAP@R", "fit s / fold"]
    return {"header": header, "rows": rows}


def _plot_embeddings(path: Path, seed: int) -> dict:
    """2-D embeddings of digits: NCA and Proto-Triplet, with 3-NN accuracy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier, NeighborhoodComponentsAnalysis
    from sklearn.preprocessing import StandardScaler

    from sklearn_losses import MetricLearningTransformer
    from sklearn_losses.datasets import load_dataset

    X, y = load_dataset("digits", return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    scaler = StandardScaler().fit(X_tr)
    X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
    steps = {
        "NCA": NeighborhoodComponentsAnalysis(n_components=2, random_state=seed),
        "Proto-Triplet": MetricLearningTransformer(
            n_components=2, normalize=False, random_state=seed
        ),
    }
    fig, axes = plt.subplots(1, 2, figsize=(11, 5), layout="constrained")
    scores = {}
    for ax, (title, step) in zip(axes, steps.items()):
        timed_fit(step, X_tr, y_tr)
        E_tr, E_te = step.transform(X_tr), step.transform(X_te)
        acc = KNeighborsClassifier(3).fit(E_tr, y_tr).score(E_te, y_te)
        scores[title] = float(acc)
        sc = ax.scatter(E_te[:, 0], E_te[:, 1], c=y_te, cmap="tab10", s=8)
        # Frame the bulk of the points (a few outliers would shrink it).
        lo, hi = np.percentile(E_te, [0.5, 99.5], axis=0)
        pad = 0.05 * (hi - lo)
        ax.set_xlim(lo[0] - pad[0], hi[0] + pad[0])
        ax.set_ylim(lo[1] - pad[1], hi[1] + pad[1])
        ax.set_title(f"{title}: 3-NN test accuracy {acc:.3f}")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(sc, ax=axes, label="digit")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return scores


def run(
    *,
    output,
    n_jobs: int = 1,
    seed: int = 0,
    quick: bool = False,
    n_splits: int = 10,
    max_samples: int = 2000,
    datasets=None,
    losses=LOSSES,
    **options,
) -> dict:
    """Run the comparison and write ``output/metric_learning.json`` and plots."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    if quick:
        n_splits, max_samples = 3, 300
        datasets = datasets or ["iris", "wine"]
        losses = losses[:1]
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    methods = ("Euclidean", "NCA", *losses)
    data = list(load_subsampled(datasets or DATASETS, max_samples, seed))
    tasks = [
        (name, X, y, train, test, fold)
        for name, X, y in data
        for fold, (train, test) in enumerate(
            StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(X, y)
        )
    ]
    start = time.perf_counter()
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_fold)(X, y, train, test, fold, methods, seed)
        for _, X, y, train, test, fold in tasks
    )
    records = [
        {"dataset": name, **r}
        for (name, *_), fold_records in zip(tasks, results)
        for r in fold_records
    ]
    summary = summarise(records, methods)
    summary["digits_2d"] = (
        {} if quick else _plot_embeddings(output / "metric_learning_2d.png", seed)
    )
    report = {
        "title": "MetricLearningTransformer vs NCA and Euclidean 3-NN",
        "description": (
            f"{len(data)} bundled multiclass datasets (at most {max_samples} rows), "
            f"{n_splits}-fold stratified CV, StandardScaler -> embedding -> "
            "KNeighborsClassifier(3); NCA at scikit-learn's defaults; "
            "MetricLearningTransformer at its defaults except the loss. MAP@R of "
            "test embeddings against training embeddings; fit time includes the "
            "3-NN index. '*' marks the best accuracy; 'vs NCA' counts paired "
            "t-tests over folds at p < 0.05 (better/no difference/worse)."
        ),
        "config": {
            "n_splits": n_splits,
            "max_samples": max_samples,
            "seed": seed,
            "datasets": [d[0] for d in data],
            "methods": list(methods),
            "n_jobs": n_jobs,
            "wall_seconds": time.perf_counter() - start,
        },
        "summary": summary,
        "records": records,
        "table": _table(summary, methods),
    }
    (output / "metric_learning.json").write_text(json.dumps(report, indent=2))
    return report
