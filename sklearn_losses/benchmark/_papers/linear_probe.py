"""Paper benchmark of Zheng et al. (ICML 2023): naive Bayes vs logistic
regression as linear probes, against the number of training samples.

Four parts, all written to ``output/linear_probe.json``:

* **learning curves** (the paper's protocol: random subsets of m samples of
  the training pool, min-max scaling fitted on the subset, 5 repeats, error
  on the whole test set) of ``head="naive_bayes"``, ``"logistic"`` and
  ``"auto"``, on (a) the frozen sentence embeddings in ``benchmarks/data/*.npz``
  when they exist, (c) bundled real tabular sets, with the crossover size and
  the gap between ``"auto"`` and the better head;
* (b) **the paper's simulation**: Gaussian classes with a shared diagonal
  covariance (naive Bayes is the true model), for several dimensions d; the
  sample size at which each head gets within 0.01 of the Bayes error;
* the naive-Bayes **fit time** on 50,000 x 384 features;
* the **logistic solver timing** that chose full-batch L-BFGS over
  minibatch Adam.
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone

NAME = "linear_probe"
DESCRIPTION = (
    "naive Bayes vs logistic regression linear probes: learning curves, "
    "crossover sizes, head='auto', simulation (Zheng et al., ICML 2023)"
)
#: Training sizes per class of the paper's CIFAR-10 grid (20 ... 50,000).
PER_CLASS = (2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000, 5000)
TABULAR = ("satimage", "letter", "pendigits", "optdigits")
HEADS = ("naive_bayes", "logistic", "auto")
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[3] / "benchmarks" / "data"


def add_arguments(parser) -> None:
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--n-repeats", type=int, default=5)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--sim-dims", type=int, nargs="*", default=[50, 100, 200, 400])


def _grid(n_classes: int, n_pool: int, quick: bool) -> list[int]:
    per_class = PER_CLASS[::2] if quick else PER_CLASS
    sizes = [k * n_classes for k in per_class if k * n_classes < n_pool]
    return sizes + [n_pool]


def _real_features(data_dir: Path, seed: int):
    """``(name, X, y, X_test, y_test, provenance)`` for every ``.npz`` file."""
    from sklearn.model_selection import train_test_split

    for path in sorted(Path(data_dir).glob("*.npz")):
        with np.load(path, allow_pickle=False) as f:
            keys = set(f.files)
            meta = {k: f[k].tolist() for k in keys if f[k].ndim == 0}
            if {"X_train", "y_train", "X_test", "y_test"} <= keys:
                parts = [f[k] for k in ("X_train", "y_train", "X_test", "y_test")]
            else:
                X, y = (
                    (f["X"], f["y"]) if "X" in keys else (f["embeddings"], f["labels"])
                )
                split = train_test_split(
                    X, y, test_size=0.25, stratify=y, random_state=seed
                )
                parts = [split[0], split[2], split[1], split[3]]
        sidecar = path.with_suffix(".json")
        if sidecar.exists():
            meta["provenance"] = json.loads(sidecar.read_text())
        yield path.stem, *parts, {"file": path.name, **meta}


def _tabular(quick: bool):
    """Bundled real tabular sets: the project's loaders, else scikit-learn's."""
    try:
        from sklearn_losses.datasets import list_datasets, load_dataset

        bundled = {d["name"] for d in list_datasets()}
        names = [n for n in TABULAR if n in bundled][: 2 if quick else 4]
        sets = [(n, *load_dataset(n, return_X_y=True)) for n in names]
    except ImportError:
        sets = []
    if len(sets) < 2:
        from sklearn.datasets import load_breast_cancer, load_digits

        sets = [("digits", *load_digits(return_X_y=True))]
        sets.append(("breast_cancer", *load_breast_cancer(return_X_y=True)))
    for name, X, y in sets:
        yield name, np.asarray(X, dtype=np.float64), np.asarray(y)


def _curve_report(curve, bayes_error=None) -> dict:
    summary = curve.to_dict()
    means = curve.error_mean
    best = np.minimum(means["naive_bayes"], means["logistic"])
    if "auto" in means:
        gap = means["auto"] - best
        summary["auto_minus_best"] = gap.tolist()
        summary["auto_within_1_point"] = bool(np.all(gap <= 0.01))
    if bayes_error is not None:
        summary["bayes_error"] = bayes_error
        summary["sample_complexity"] = {
            h: next(
                (
                    int(m)
                    for m, e in zip(curve.train_sizes, means[h])
                    if e <= bayes_error + 0.01
                ),
                None,
            )
            for h in curve.heads
        }
    return summary


def _simulation(d: int, n_classes: int, rng):
    """The paper's "easy" simulation (note B.4): class means -1 and 2^(k-1)
    (all coordinates), centred and divided by 2^(K-3) for K > 2; shared
    covariance diag(d for the first d/2 coordinates, 1 for the rest)."""
    scale = np.array([-1.0] + [2.0 ** (k - 1) for k in range(1, n_classes)])
    if n_classes > 2:
        scale = (scale - scale.mean()) / 2.0 ** (n_classes - 3)
    sd = np.sqrt(np.where(np.arange(d) < d // 2, float(d), 1.0))

    def draw(n):
        y = rng.integers(0, n_classes, n)
        return scale[y, None] + rng.normal(size=(n, d)) * sd, y

    X_test, y_test = draw(10_000)
    z = (X_test[:, None, :] - scale[None, :, None]) / sd
    bayes = np.argmax(-(z**2).sum(axis=2), axis=1)
    return draw, X_test, y_test, float(np.mean(bayes != y_test))


def _plot(curve, title, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_losses.probe import plot_probe_learning_curve

    ax = plot_probe_learning_curve(curve)
    ax.set_title(title, fontsize=9)
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=120)
    plt.close(ax.figure)


def _nb_fit_time(seed: int, repeats: int = 5) -> dict:
    from sklearn_losses import LinearProbeClassifier

    rng = np.random.default_rng(seed)
    X = rng.random((50_000, 384), dtype=np.float32)
    y = rng.integers(0, 10, 50_000)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        LinearProbeClassifier(head="naive_bayes").fit(X, y)
        times.append(time.perf_counter() - start)
    return {
        "shape": [50_000, 384],
        "n_classes": 10,
        "dtype": "float32",
        "median_seconds": float(np.median(times)),
        "target_seconds": 0.5,
    }


def _solver_timing(seed: int, quick: bool) -> dict:
    """Logistic head: L-BFGS (full batch) vs Adam (minibatch) vs scikit-learn,
    on embedding-like data (class means plus correlated noise) that needs a
    few hundred L-BFGS iterations; errors against a tight float64 optimum."""
    from sklearn.linear_model import LogisticRegression

    from sklearn_losses import LinearProbeClassifier

    n, d, k = (4_000, 128, 10) if quick else (20_000, 384, 10)
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(k, d)) * 0.05
    mix = rng.normal(size=(d, d)) / np.sqrt(d)
    y = rng.integers(0, k, 2 * n)
    X = (means[y] + rng.normal(size=(2 * n, d)) @ mix).astype(np.float32)
    X, X_test, y, y_test = X[:n], X[n:], y[:n], y[n:]
    lo, span = X.min(0), X.max(0) - X.min(0)  # the protocol's min-max scaling
    X, X_test = (X - lo) / span, (X_test - lo) / span
    ref = LogisticRegression(tol=1e-8, max_iter=10_000).fit(X.astype(np.float64), y)
    models = {
        "lbfgs, tol=1e-4 (ours)": LinearProbeClassifier(head="logistic"),
        "lbfgs, tol=1e-6 (ours)": LinearProbeClassifier(head="logistic", tol=1e-6),
        "adam, batch 256, 20 epochs (ours)": LinearProbeClassifier(
            head="logistic", solver="adam", batch_size=256, max_iter=20, random_state=0
        ),
        "sklearn LogisticRegression lbfgs, tol=1e-4": LogisticRegression(
            max_iter=10_000
        ),
    }
    rows = {}
    for name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clone(model).fit(X[:200], y[:200])  # warm-up: lazy initialisation
            start = time.perf_counter()
            model.fit(X, y)
        rows[name] = {
            "seconds": time.perf_counter() - start,
            "n_iter": int(np.max(model.n_iter_)),
            "max_abs_coef_error": float(np.abs(model.coef_ - ref.coef_).max()),
            "test_accuracy": float(model.score(X_test, y_test)),
        }
    return {
        "shape": [n, d],
        "n_classes": k,
        "reference": "LogisticRegression(tol=1e-8), float64",
        "reference_max_abs_coef": float(np.abs(ref.coef_).max()),
        "results": rows,
    }


def _table_row(name: str, c: dict) -> list[str]:
    nb, lr = c["error_mean"]["naive_bayes"], c["error_mean"]["logistic"]
    crossover = c["crossover_size"]
    if crossover is None:
        crossover = "none (NB never overtaken)"
    elif crossover == c["train_sizes"][0]:
        crossover = f"<= {crossover:.0f} (LR better throughout)"
    else:
        crossover = f"{crossover:.0f}"
    gap = c.get("auto_minus_best")
    return [
        name,
        c["kind"],
        "x".join(map(str, c["shape"])),
        crossover,
        f"{100 * nb[0]:.1f} / {100 * lr[0]:.1f}",
        f"{100 * nb[-1]:.1f} / {100 * lr[-1]:.1f}",
        "-" if gap is None else f"{100 * max(gap):.1f}",
    ]


def run(
    *,
    output,
    n_jobs: int = 1,
    seed: int = 0,
    quick: bool = False,
    data_dir=DEFAULT_DATA_DIR,
    n_repeats: int = 5,
    C: float = 1.0,
    sim_dims=(50, 100, 200, 400),
    **options,
) -> dict:
    """Run the linear-probe benchmark; write ``output/linear_probe.json`` and
    ``output/linear_probe_<dataset>.png``."""
    from sklearn_losses.probe import probe_learning_curve

    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    repeats = 2 if quick else n_repeats
    params = {"C": C, "max_iter": 1000}
    curves, start = {}, time.perf_counter()

    def record(name, kind, curve, extra):
        curves[name] = {
            "kind": kind,
            **extra,
            **_curve_report(curve, extra.get("bayes_error")),
        }
        _plot(curve, f"{name} ({kind})", output / f"linear_probe_{name}.png")

    real = list(_real_features(data_dir, seed))
    for name, X, y, X_test, y_test, meta in real[:1] if quick else real:
        n_classes = np.unique(y).size
        curve = probe_learning_curve(
            X,
            y,
            X_test=X_test,
            y_test=y_test,
            heads=HEADS,
            train_sizes=_grid(n_classes, len(y), quick),
            n_repeats=repeats,
            random_state=seed,
            estimator_params=params,
            n_jobs=n_jobs,
        )
        record(
            name, "frozen features", curve, {"provenance": meta, "shape": list(X.shape)}
        )
    for name, X, y in _tabular(quick):
        n_classes = np.unique(y).size
        pool = len(y) - int(np.ceil(0.25 * len(y)))
        curve = probe_learning_curve(
            X,
            y,
            heads=HEADS,
            train_sizes=_grid(n_classes, pool, quick),
            n_repeats=repeats,
            random_state=seed,
            estimator_params=params,
            n_jobs=n_jobs,
        )
        record(name, "tabular", curve, {"shape": list(X.shape)})
    rng = np.random.default_rng(seed)
    for d in (50, 100) if quick else sim_dims:
        draw, X_test, y_test, bayes = _simulation(d, 3, rng)
        X, y = draw(20 * d)
        sizes = np.unique(np.geomspace(6, 20 * d, 8 if quick else 14).astype(int))
        curve = probe_learning_curve(
            X,
            y,
            X_test=X_test,
            y_test=y_test,
            heads=("naive_bayes", "logistic"),
            train_sizes=sizes,
            n_repeats=repeats,
            random_state=seed,
            estimator_params=params,
            n_jobs=n_jobs,
        )
        record(
            f"simulation_d{d}",
            "simulation, K=3",
            curve,
            {"bayes_error": bayes, "shape": [int(20 * d), d]},
        )
    rows = [_table_row(name, c) for name, c in curves.items()]
    report = {
        "title": "Linear probes: naive Bayes vs logistic regression",
        "description": (
            "Zheng et al. (ICML 2023) protocol: random subsets of m training "
            f"samples (all classes present), min-max scaling fitted on the subset, "
            f"{repeats} repeats, test error on the full test set; logistic C={C}."
        ),
        "config": {
            "seed": seed,
            "quick": quick,
            "n_repeats": repeats,
            "C": C,
            "data_dir": str(data_dir),
            "real_feature_files": [r[0] for r in real],
        },
        "curves": curves,
        "naive_bayes_fit_time": _nb_fit_time(seed),
        "logistic_solver_timing": _solver_timing(seed, quick),
        "table": {
            "header": [
                "dataset",
                "kind",
                "shape",
                "crossover m",
                "error % at smallest m (NB / LR)",
                "error % at largest m (NB / LR)",
                "max auto - best (points)",
            ],
            "rows": rows,
        },
        "seconds": time.perf_counter() - start,
    }
    (output / "linear_probe.json").write_text(json.dumps(report, indent=2))
    return report
