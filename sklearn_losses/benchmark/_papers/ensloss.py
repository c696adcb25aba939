"""EnsLoss paper comparison: EnsLoss against fixed calibrated losses.

Protocol (Dai, 2024, tabular experiments, scaled to a CPU budget): for every
bundled balanced binary dataset, ``n_splits`` random stratified 70/30
splits; features standardised on the training part; the same MLP (depth 1
and 3, width ``width``, ``Linear -> ReLU -> BatchNorm`` blocks), optimizer
(SGD with momentum 0.9 and a cosine schedule), batch size and number of
epochs for every loss; test accuracy at the last epoch (no early stopping,
as in the paper).  For each baseline a paired one-sided t-test over the
splits at p < 0.05 counts datasets where EnsLoss is better, not different or
worse (the paper's win/tie/loss table).  The exponential loss gets gradient
norm clipping at 10, as in the authors' code.  Large datasets are
subsampled to ``max_samples`` rows (stratified) to fit the budget.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .._stats import win_tie_loss
from ._common import load_subsampled, timed_fit

NAME = "ensloss"
DESCRIPTION = "EnsLoss vs logistic, hinge and exponential losses (paired t-tests)"

LOSSES = ("ensloss", "logistic", "hinge", "exponential")
BASELINES = ("logistic", "hinge", "exponential")


def add_arguments(parser) -> None:
    parser.add_argument("--n-splits", type=int, default=10)
    parser.add_argument("--depths", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--max-samples", type=int, default=2000)
    parser.add_argument("--datasets", nargs="*", default=None)


def _datasets(names, max_samples, seed):
    from sklearn_losses.datasets import list_datasets

    names = names or [d["name"] for d in list_datasets(task="binary")]
    return load_subsampled(names, max_samples, seed)


def _fit_one(X, y, split, depth, loss, cfg, seed):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from sklearn_losses import EnsLossClassifier

    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed + split
    )
    scaler = StandardScaler().fit(X_tr)
    clf = EnsLossClassifier(
        loss=loss,
        hidden_layer_sizes=(cfg["width"],) * depth,
        batch_norm=True,
        optimizer="sgd",
        momentum=0.9,
        learning_rate_init=cfg["lr"],
        lr_schedule="cosine",
        alpha=5e-6 * 128,
        batch_size=128,
        max_iter=cfg["epochs"],
        n_iter_no_change=cfg["epochs"] + 1,
        clip_grad_norm=10.0 if loss == "exponential" else None,
        random_state=seed + 1000 * split,
    )
    elapsed = timed_fit(clf, scaler.transform(X_tr), y_tr)
    acc = float(np.mean(clf.predict(scaler.transform(X_te)) == y_te))
    return {"split": split, "depth": depth, "loss": loss, "acc": acc, "fit_s": elapsed}


def _win_tie_loss(ens, base, alpha=0.05):
    """One-sided paired t-tests at ``alpha`` (the two-sided test at
    ``2 * alpha`` with the sign of the mean difference)."""
    return win_tie_loss(ens, base, alpha=2 * alpha)


def summarise(records: list[dict], depths) -> dict:
    """Win/tie/loss counts, mean accuracies and the fit-time ratio."""
    datasets = sorted({r["dataset"] for r in records})
    summary = {}
    for depth in depths:
        rows = [r for r in records if r["depth"] == depth]
        per = {}
        for name in datasets:
            accs = {
                loss: [
                    r["acc"]
                    for r in sorted(rows, key=lambda r: r["split"])
                    if r["dataset"] == name and r["loss"] == loss
                ]
                for loss in LOSSES
            }
            per[name] = {
                "mean": {k: float(np.mean(v)) for k, v in accs.items()},
                "se": {
                    k: float(np.std(v, ddof=1) / np.sqrt(len(v))) if len(v) > 1 else 0.0
                    for k, v in accs.items()
                },
                "vs": {b: _win_tie_loss(accs["ensloss"], accs[b]) for b in BASELINES},
            }
        counts = {
            b: {
                o: sum(per[n]["vs"][b] == o for n in datasets)
                for o in ("win", "tie", "loss")
            }
            for b in BASELINES
        }
        fit = {
            loss: float(np.mean([r["fit_s"] for r in rows if r["loss"] == loss]))
            for loss in LOSSES
        }
        summary[f"mlp{depth}"] = {
            "datasets": per,
            "win_tie_loss": counts,
            "mean_accuracy": {
                loss: float(np.mean([per[n]["mean"][loss] for n in datasets]))
                for loss in LOSSES
            },
            "fit_seconds": fit,
            "fit_time_ratio_ensloss_logistic": fit["ensloss"] / fit["logistic"],
        }
    return summary


def _table(summary: dict) -> dict:
    rows = []
    for model, s in summary.items():
        for b in BASELINES:
            c = s["win_tie_loss"][b]
            rows.append(
                [
                    model,
                    b,
                    f"{c['win']}/{c['tie']}/{c['loss']}",
                    f"{s['mean_accuracy']['ensloss']:.4f}",
                    f"{s['mean_accuracy'][b]:.4f}",
                    f"{s['fit_time_ratio_ensloss_logistic']:.2f}",
                ]
            )
    header = [
        "model",
        "baseline",
        "EnsLoss better/no diff/worse",
        "EnsLoss mean acc",
        "baseline mean acc",
        "fit time EnsLoss/logistic",
    ]
    return {"header": header, "rows": rows}


def _plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(summary), figsize=(6 * len(summary), 4.5))
    axes = np.atleast_1d(axes)
    for ax, (model, s) in zip(axes, summary.items()):
        names = sorted(s["datasets"])
        ens = np.array([s["datasets"][n]["mean"]["ensloss"] for n in names])
        for loss, marker in zip(BASELINES, "os^"):
            base = np.array([s["datasets"][n]["mean"][loss] for n in names])
            ax.scatter(base, ens, marker=marker, label=loss)
        lo = min(ax.get_xlim()[0], ax.get_ylim()[0])
        ax.plot([lo, 1], [lo, 1], "k--", lw=0.8)
        ax.set_xlabel("baseline test accuracy")
        ax.set_ylabel("EnsLoss test accuracy")
        ax.set_title(f"{model.upper()}: points above the line favour EnsLoss")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(
    *,
    output,
    n_jobs: int = 1,
    seed: int = 0,
    quick: bool = False,
    n_splits: int = 10,
    depths=(1, 3),
    width: int = 256,
    epochs: int = 60,
    lr: float = 0.05,
    max_samples: int = 2000,
    datasets=None,
    **options,
) -> dict:
    """Run the comparison and write ``output/ensloss.json`` and a plot."""
    from joblib import Parallel, delayed

    if quick:
        n_splits, width, epochs, max_samples = 3, 32, 10, 400
        datasets = datasets or ["breast_cancer", "pima", "ionosphere"]
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    cfg = {"width": width, "epochs": epochs, "lr": lr}
    data = list(_datasets(datasets, max_samples, seed))
    tasks = [
        (name, X, y, split, depth, loss)
        for name, X, y in data
        for split in range(n_splits)
        for depth in depths
        for loss in LOSSES
    ]
    start = time.perf_counter()
    results = Parallel(n_jobs=n_jobs)(
        delayed(_fit_one)(X, y, split, depth, loss, cfg, seed)
        for _, X, y, split, depth, loss in tasks
    )
    for (name, *_), r in zip(tasks, results):
        r["dataset"] = name
    summary = summarise(results, depths)
    report = {
        "title": "EnsLoss vs fixed losses",
        "description": (
            f"{len(data)} bundled binary datasets, {n_splits} stratified 70/30 "
            f"splits, MLP width {width}, depths {list(depths)}, SGD momentum 0.9, "
            f"lr {lr}, cosine schedule, {epochs} epochs, batch 128; paired "
            "one-sided t-test at p < 0.05 per dataset."
        ),
        "config": {
            "n_splits": n_splits,
            "depths": list(depths),
            "width": width,
            "epochs": epochs,
            "lr": lr,
            "max_samples": max_samples,
            "seed": seed,
            "datasets": [d[0] for d in data],
            "wall_seconds": time.perf_counter() - start,
        },
        "summary": summary,
        "records": results,
        "table": _table(summary),
    }
    (output / "ensloss.json").write_text(json.dumps(report, indent=2))
    _plot(summary, output / "ensloss.png")
    return report
