"""Engine benchmark: fit time against scikit-learn's MLP and a bare torch loop.

Configuration (issue 2): ``make_classification`` with 20 features, an MLP
20 -> 64 -> 2, Adam with learning rate 1e-3, 10 epochs, batch 128.  Three
trainers see the same data in the same run:

* the engine, through the user-facing estimator
  (:class:`~sklearn_losses.LDRClassifier` with ``loss="cross_entropy"``)
  when it is available, and through :class:`~sklearn_losses._engine.TensorNet`
  directly;
* scikit-learn's :class:`~sklearn.neural_network.MLPClassifier` with the same
  architecture, epochs and batch size (``tol=0`` and a patience longer than
  the run, so it trains all epochs), on float64 input (what users pass) and on
  float32 input;
* a bare torch loop (fused Adam, the same thread setting as the engine).

Times are medians over ``repeats`` runs; accuracies are measured on a
held-out fifth of the generated data.  Scaling runs fit the engine at several
sizes, each in a fresh subprocess that reports its peak resident memory above
the memory in use before the fit, next to the size of the float32 data.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

NAME = "engine"
DESCRIPTION = "fit time of the training engine vs MLPClassifier and a bare torch loop"

HIDDEN = 64
EPOCHS = 10
BATCH = 128
LR = 1e-3


def add_arguments(parser) -> None:
    parser.add_argument("--n-samples", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--scaling", type=int, nargs="*", default=[10_000, 50_000, 200_000]
    )


def _data(n_samples: int, seed: int):
    from sklearn.datasets import make_classification

    n_total = n_samples + n_samples // 4
    X, y = make_classification(
        n_total, 20, n_informative=10, random_state=seed, flip_y=0.05
    )
    return X[:n_samples], y[:n_samples], X[n_samples:], y[n_samples:]


def _time(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _sklearn(X, y, seed):
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        (HIDDEN,),
        solver="adam",
        learning_rate_init=LR,
        batch_size=BATCH,
        max_iter=EPOCHS,
        tol=0.0,
        n_iter_no_change=EPOCHS + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def _bare_torch(X, y, seed):
    import torch
    from torch import nn

    from sklearn_losses._engine import fit_context

    Xt = torch.as_tensor(np.asarray(X, dtype=np.float32))
    yt = torch.as_tensor(y)
    with fit_context(seed, "cpu", work_per_step=0.0):
        model = nn.Sequential(nn.Linear(20, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 2))
        opt = torch.optim.Adam(model.parameters(), lr=LR, fused=True)
        gen = torch.Generator().manual_seed(seed)
        for _ in range(EPOCHS):
            perm = torch.randperm(len(Xt), generator=gen)
            Xp, yp = Xt[perm], yt[perm]
            for start in range(0, len(Xt), BATCH):
                opt.zero_grad()
                out = model(Xp[start : start + BATCH])
                loss = nn.functional.cross_entropy(out, yp[start : start + BATCH])
                loss.backward()
                opt.step()
    return model


def _engine_net(X, y, seed):
    import torch

    from sklearn_losses._engine import MLP, TensorData, TensorNet, fit_context
    from sklearn_losses.losses import get_loss

    data = TensorData(
        torch.as_tensor(np.asarray(X, dtype=np.float32)), torch.as_tensor(y)
    )
    with fit_context(seed, "cpu", work_per_step=0.0):
        net = TensorNet(
            MLP(20, 2, (HIDDEN,)),
            get_loss("cross_entropy"),
            optimizer="adam",
            lr=LR,
            max_epochs=EPOCHS,
            batch_size=BATCH,
            seed=seed,
        )
        return net.fit(data)


def _estimator(X, y, seed):
    from sklearn_losses import LDRClassifier

    model = LDRClassifier(
        loss="cross_entropy",
        hidden_layer_sizes=(HIDDEN,),
        learning_rate_init=LR,
        batch_size=BATCH,
        max_iter=EPOCHS,
        tol=0.0,
        n_iter_no_change=EPOCHS + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def _accuracy(model, X, y) -> float:
    import torch

    from sklearn_losses._engine import TensorData, TensorNet

    if isinstance(model, TensorNet):
        Xt = torch.as_tensor(np.asarray(X, dtype=np.float32))
        out = model.forward(TensorData(Xt))
    elif isinstance(model, torch.nn.Module):
        with torch.no_grad():
            out = model(torch.as_tensor(np.asarray(X, dtype=np.float32)))
    else:
        return float(np.mean(model.predict(X) == y))
    return float(np.mean(out.argmax(1).numpy() == y))


def _trainers():
    trainers = {
        "sklearn MLPClassifier (float64)": lambda X, y, s: _sklearn(X, y, s),
        "sklearn MLPClassifier (float32)": lambda X, y, s: _sklearn(
            X.astype(np.float32), y, s
        ),
        "bare torch loop (fused Adam)": _bare_torch,
        "engine (TensorNet)": _engine_net,
    }
    try:
        from sklearn_losses import LDRClassifier  # noqa: F401

        trainers["estimator (LDRClassifier, cross_entropy)"] = _estimator
    except ImportError:  # pragma: no cover - estimator not built
        pass
    return trainers


_CHILD = """
import json, resource, sys, time
import numpy as np
sys.path.insert(0, {root!r})
from sklearn_losses.benchmark._papers.engine import _data, _engine_net
n, seed = {n}, {seed}
X, y, _, _ = _data(n, seed)
X = X.astype(np.float32)
_engine_net(X[:1000], y[:1000], seed)  # warm up torch's lazy initialisation
import os
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
before = rss()
start = time.perf_counter()
_engine_net(X, y, seed)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": elapsed, "extra_peak_bytes": max(0, peak - before),
                   "data_bytes": X.nbytes}}))
"""


def _scaling(sizes, seed) -> list[dict]:
    root = str(Path(__file__).resolve().parents[3])
    rows = []
    for n in sizes:
        code = _CHILD.format(root=root, n=n, seed=seed)
        proc = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["n_samples"] = n
        rows.append(row)
    return rows


def run(
    *,
    output,
    n_jobs: int = 1,
    seed: int = 0,
    quick: bool = False,
    n_samples: int = 50_000,
    repeats: int = 3,
    scaling=(10_000, 50_000, 200_000),
    **options,
) -> dict:
    """Run the engine benchmark and write ``output/engine.json``."""
    if quick:
        n_samples, repeats, scaling = min(n_samples, 5_000), 1, [2_000, 4_000]
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    X, y, X_test, y_test = _data(n_samples, seed)
    results = {}
    for name, trainer in _trainers().items():
        trainer(X[:500], y[:500], seed)  # warm-up: imports and lazy initialisation
        times, acc = [], None
        for r in range(repeats):
            elapsed, model = _time(lambda: trainer(X, y, seed + r))
            times.append(elapsed)
            if r == 0:
                acc = _accuracy(model, X_test, y_test)
        results[name] = {
            "median_seconds": statistics.median(times),
            "seconds": times,
            "test_accuracy": acc,
        }
    ref = results["sklearn MLPClassifier (float64)"]["median_seconds"]
    ref32 = results["sklearn MLPClassifier (float32)"]["median_seconds"]
    bare = results["bare torch loop (fused Adam)"]["median_seconds"]
    rows = []
    for name, r in results.items():
        rows.append(
            [
                name,
                f"{r['median_seconds']:.3f}",
                f"{r['median_seconds'] / ref:.2f}",
                f"{r['median_seconds'] / ref32:.2f}",
                f"{r['median_seconds'] / bare:.2f}",
                f"{100 * r['test_accuracy']:.2f}",
            ]
        )
    scale_rows = _scaling(list(scaling), seed) if scaling else []
    report = {
        "title": "Engine fit time",
        "description": (
            f"MLP 20 -> {HIDDEN} -> 2, Adam lr={LR}, {EPOCHS} epochs, batch "
            f"{BATCH}, make_classification n={n_samples}; medians of {repeats} "
            "runs in one process; accuracy on a held-out set."
        ),
        "config": {"n_samples": n_samples, "repeats": repeats, "seed": seed},
        "results": results,
        "scaling": scale_rows,
        "table": {
            "header": [
                "trainer",
                "fit seconds",
                "/ MLP f64",
                "/ MLP f32",
                "/ bare torch",
                "test acc %",
            ],
            "rows": rows,
        },
    }
    (output / "engine.json").write_text(json.dumps(report, indent=2))
    return report
