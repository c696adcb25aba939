"""Callbacks of the engine: validation score, stopping, divergence, logging.

Each keeps its state in trailing-underscore attributes reset in
``on_train_begin`` (skorch's convention), so a cloned or refitted estimator
starts clean.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable

import numpy as np
import torch
from skorch.callbacks import Callback

from ..exceptions import DivergenceError

__all__ = ["DivergenceGuard", "EpochLog", "StopOnPlateau", "ValidationScore"]


class ValidationScore(Callback):
    """Record a score of the validation set at the end of every epoch.

    Parameters
    ----------
    scoring : callable
        ``scoring(y_true, scores) -> float`` on NumPy arrays, higher is
        better (for instance accuracy computed from the network's outputs).
    name : str, default="valid_score"
        History key.
    """

    def __init__(self, scoring: Callable, name: str = "valid_score"):
        self.scoring = scoring
        self.name = name

    def on_epoch_end(self, net, dataset_valid=None, **kwargs):
        if dataset_valid is None:
            return
        scores = net.forward(dataset_valid).numpy()
        value = float(self.scoring(dataset_valid.y.cpu().numpy(), scores))
        net.history.record(self.name, value)


class StopOnPlateau(Callback):
    """Stop when a monitored value stops improving by ``tol``.

    scikit-learn's ``MLPClassifier`` rule: training stops after
    ``patience`` consecutive epochs in which the value did not beat the best
    so far by more than ``tol`` (absolute).  With ``restore_best`` the
    weights of the best epoch are put back at the end, as ``MLPClassifier``
    does with ``early_stopping=True``.

    Sets ``stopped_early_`` on the callback, read by the estimators to decide
    whether to warn that ``max_iter`` was reached without convergence.
    """

    def __init__(
        self,
        monitor: str,
        *,
        lower_is_better: bool,
        tol: float,
        patience: int,
        restore_best: bool = False,
    ):
        self.monitor = monitor
        self.lower_is_better = lower_is_better
        self.tol = tol
        self.patience = patience
        self.restore_best = restore_best

    def on_train_begin(self, net, **kwargs):
        self.restart()
        self.stopped_early_ = False

    def restart(self) -> None:
        """Forget the best value so far (the objective changed)."""
        self.best_ = math.inf
        self.bad_epochs_ = 0
        self.best_state_ = None

    def on_epoch_end(self, net, **kwargs):
        value = net.history[-1].get(self.monitor)
        if value is None:
            return
        value = value if self.lower_is_better else -value
        if value < self.best_ - self.tol:
            self.bad_epochs_ = 0
        else:
            self.bad_epochs_ += 1
        if value < self.best_:
            self.best_ = value
            if self.restore_best:
                self.best_state_ = copy.deepcopy(net.module_.state_dict())
        if self.bad_epochs_ >= self.patience:
            self.stopped_early_ = True
            raise KeyboardInterrupt

    def on_train_end(self, net, **kwargs):
        if self.restore_best and self.best_state_ is not None:
            net.module_.load_state_dict(self.best_state_)


class DivergenceGuard(Callback):
    """Raise :class:`~sklearn_losses.exceptions.DivergenceError` on a
    non-finite epoch loss, naming the epoch and the remedy."""

    def __init__(self, owner: str = "The estimator"):
        self.owner = owner

    def on_epoch_end(self, net, **kwargs):
        value = net.history[-1].get("train_loss")
        if value is not None and not np.isfinite(value):
            raise DivergenceError(
                f"{self.owner} diverged at epoch {len(net.history)}: the training "
                f"loss is {value}. Lower learning_rate_init (now {net.lr}), "
                "standardise the features, or choose a bounded loss."
            )
        for p in net.module_.parameters():
            if not torch.isfinite(p).all():
                raise DivergenceError(
                    f"{self.owner} diverged at epoch {len(net.history)}: the "
                    f"network's weights are not finite. Lower learning_rate_init "
                    f"(now {net.lr})."
                )


class EpochLog(Callback):
    """One line per epoch, ``[ClassName] epoch 3/50  train_loss=...``.

    Parameters
    ----------
    prefix : str
        Usually the estimator's class name.
    max_epochs : int
    sink : callable, default=print
    """

    def __init__(self, prefix: str, max_epochs: int, sink: Callable = print):
        self.prefix = prefix
        self.max_epochs = max_epochs
        self.sink = sink

    def on_train_begin(self, net, **kwargs):
        self.start_ = time.perf_counter()

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        parts = [f"[{self.prefix}] epoch {row['epoch']:>4d}/{self.max_epochs}"]
        for key in ("train_loss", "valid_loss", "valid_score"):
            if key in row:
                parts.append(f"{key}={row[key]:.5f}")
        parts.append(f"dur={row.get('dur', 0.0):.3f}s")
        self.sink("  ".join(parts))

    def on_train_end(self, net, **kwargs):
        elapsed = time.perf_counter() - self.start_
        self.sink(f"[{self.prefix}] training took {elapsed:.2f}s")
