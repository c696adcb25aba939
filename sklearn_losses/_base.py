"""Template base classes of the estimators.

The public ``fit`` (validate, encode labels, build and train ``net_``, copy
``n_iter_`` and ``loss_curve_`` from the history) lives here once; each
estimator supplies its constraints and a few small hooks: its criterion, its
number of outputs, how scores become labels and probabilities
(imbalanced-learn's ``fit_resample`` / ``_fit_resample`` split).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._engine import (
    ACTIVATIONS,
    OPTIMIZERS,
    DivergenceGuard,
    EpochLog,
    StopOnPlateau,
    TensorData,
    TensorNet,
    TensorSplit,
    ValidationScore,
    build_module,
    fit_context,
    resolve_device,
    seed_from_random_state,
)

__all__ = ["BaseNetClassifier", "BaseNetEstimator"]


def _as_tensor(a, dtype: torch.dtype, device: str) -> torch.Tensor:
    """A tensor of ``a`` on ``device``, never sharing a read-only buffer."""
    a = np.asarray(a, dtype=torch.empty(0, dtype=dtype).numpy().dtype)
    if not a.flags.writeable:
        a = a.copy()
    return torch.from_numpy(a).to(device)


class BaseNetEstimator(BaseEstimator):
    """Shared parameters and the training template of every estimator.

    Subclasses implement:

    * ``_make_criterion(self)`` -> the training loss module;
    * ``_n_outputs(self)`` -> the width of the network's output;
    * ``_prepare_target(self, X, y)`` -> ``(y_tensor_values, fit_state)``,
      the encoded training target (sets ``classes_`` for classifiers);
    * optionally ``_reference_criterion(self)``, ``_valid_scoring(self)``
      and ``_extra_callbacks(self)``.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "batch_norm": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "module": [None, callable],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    #: Dtype of the network's target tensor.
    _target_dtype = torch.int64

    # -- hooks with defaults -------------------------------------------------
    def _reference_criterion(self):
        """A fixed loss to report when the training loss is not meaningful."""
        return None

    def _valid_scoring(self):
        """``scoring(y_true, scores) -> float`` for early stopping."""
        raise NotImplementedError

    def _extra_callbacks(self, seed: int) -> list:
        """Estimator-specific ``(name, callback)`` pairs for one fit."""
        return []

    def _check_params(self, X) -> None:
        """Cross-parameter rules, after ``_parameter_constraints``."""
        sizes = np.asarray(self.hidden_layer_sizes)
        if sizes.ndim != 1 or (sizes.size and (sizes < 1).any()):
            raise ValueError(
                "hidden_layer_sizes must be a sequence of positive integers; got "
                f"{self.hidden_layer_sizes!r}."
            )

    # -- the template --------------------------------------------------------
    def _validate_X_y(self, X, y, reset):
        return validate_data(self, X, y, reset=reset, dtype=[np.float64, np.float32])

    def _fit(self, X, y, sample_weight=None):
        continuing = self.warm_start and hasattr(self, "net_")
        X, y = self._validate_X_y(X, y, reset=not continuing)
        self._check_params(X)
        target = self._prepare_target(X, y, continuing)
        n = X.shape[0]
        weight = None
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
            weight = sample_weight / sample_weight.mean()

        device = resolve_device(self.device)
        self._device_ = device
        batch_size = min(200, n) if self.batch_size == "auto" else self.batch_size
        batch_size = min(batch_size, n)
        seed = seed_from_random_state(self.random_state)

        as_tensor = lambda a, dtype: _as_tensor(a, dtype, device)  # noqa: E731
        data = TensorData(
            as_tensor(X, torch.float32),
            as_tensor(target, self._target_dtype),
            None if weight is None else as_tensor(weight, torch.float32),
        )
        with fit_context(seed, device, self._step_work(X.shape[1], batch_size)):
            if continuing:
                self.net_.partial_fit(data)
            else:
                self.net_ = self._build_net(X.shape[1], n, batch_size, seed, device)
                self.net_.fit(data)
        self._collect_history()
        return self

    def _step_work(self, n_features, batch_size) -> float:
        if self.module is not None:
            return float("inf")
        sizes = [n_features, *self.hidden_layer_sizes, 1]
        return batch_size * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))

    def _build_net(self, n_features, n_samples, batch_size, seed, device):
        module = build_module(
            self.module,
            n_features,
            self._n_outputs(),
            hidden_layer_sizes=tuple(self.hidden_layer_sizes),
            activation=self.activation,
            batch_norm=self.batch_norm,
            dropout=self.dropout,
        )
        criterion = self._make_criterion()
        criterion.reset(n_samples, seed=seed)
        reference = self._reference_criterion()
        callbacks = [("divergence", DivergenceGuard(type(self).__name__))]
        train_split = None
        if self.early_stopping:
            train_split = TensorSplit(
                self.validation_fraction, stratify=True, random_state=seed % 2**31
            )
            callbacks.append(("valid_score", ValidationScore(self._valid_scoring())))
            monitor, lower = "valid_score", False
        else:
            monitor, lower = "train_loss", True
        callbacks.append(
            (
                "stopping",
                StopOnPlateau(
                    monitor,
                    lower_is_better=lower,
                    tol=self.tol,
                    patience=self.n_iter_no_change,
                    restore_best=self.early_stopping,
                ),
            )
        )
        if self.lr_schedule == "cosine":
            from skorch.callbacks import LRScheduler

            callbacks.append(
                (
                    "lr_schedule",
                    LRScheduler(
                        policy=torch.optim.lr_scheduler.CosineAnnealingLR,
                        T_max=self.max_iter,
                    ),
                )
            )
        callbacks += self._extra_callbacks(seed)
        if self.verbose:
            callbacks.append(("log", EpochLog(type(self).__name__, self.max_iter)))
        return TensorNet(
            module,
            criterion,
            reference_criterion=reference,
            optimizer=self.optimizer,
            lr=self.learning_rate_init,
            weight_decay=self.alpha / batch_size,
            momentum=self.momentum,
            max_epochs=self.max_iter,
            batch_size=batch_size,
            train_split=train_split,
            callbacks=callbacks,
            device=device,
            seed=seed,
        )

    def _collect_history(self) -> None:
        history = self.net_.history
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        if self.early_stopping:
            scores = [row.get("valid_score") for row in history]
            self.validation_scores_ = [float(s) for s in scores if s is not None]
            self.best_validation_score_ = max(self.validation_scores_)
        stopper = dict(self.net_.callbacks_)["stopping"]
        if not stopper.stopped_early_:
            warnings.warn(
                f"{type(self).__name__}: maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )

    def _forward(self, X) -> np.ndarray:
        """Network outputs for ``X`` as a float64 array (validated)."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        Xt = _as_tensor(X, torch.float32, self._device_)
        with torch.inference_mode():
            out = self.net_.forward(TensorData(Xt))
        return out.numpy().astype(np.float64)

    def __sklearn_is_fitted__(self) -> bool:
        # Parameters such as ``lambda_`` end with an underscore too, so
        # scikit-learn's attribute scan cannot tell a fitted estimator.
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class BaseNetClassifier(ClassifierMixin, BaseNetEstimator):
    """Classifier template: label encoding, ``predict``, early-stopping score.

    Subclasses map scores to labels through ``_scores_to_indices(scores)``
    (default: argmax of a 2-d score, or ``score > 0`` for a 1-d score).
    """

    def _prepare_target(self, X, y, continuing):
        check_classification_targets(y)
        classes = np.unique(y)
        if continuing:
            if not np.array_equal(classes, self.classes_):
                raise ValueError(
                    f"warm_start=True needs the classes of the first fit "
                    f"{self.classes_.tolist()}; got {classes.tolist()}."
                )
        elif classes.size < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in "
                "the data, but the data contains only one class: "
                f"{classes.tolist()[0]!r}."
            )
        self.classes_ = classes
        return np.searchsorted(classes, y)

    def _scores_to_indices(self, scores: np.ndarray) -> np.ndarray:
        if scores.ndim == 1:
            return (scores > 0).astype(np.intp)
        return scores.argmax(axis=1)

    def _valid_scoring(self):
        to_indices = self._scores_to_indices

        def accuracy(y_true, scores):
            s = scores.reshape(len(scores), -1)
            s = s[:, 0] if s.shape[1] == 1 else s
            return float(np.mean(to_indices(s) == y_true))

        return accuracy

    def decision_function(self, X):
        """Scores of the network for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            One score per sample (positive means ``classes_[1]``) for a
            binary network, else one score per class.
        """
        scores = self._forward(X)
        if scores.ndim == 2 and scores.shape[1] == 1:
            scores = scores[:, 0]
        elif scores.ndim == 2 and scores.shape[1] == 2:
            # scikit-learn's convention: one score per sample for two classes.
            scores = scores[:, 1] - scores[:, 0]
        return scores

    def predict(self, X):
        """Predict class labels for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        indices = self._scores_to_indices(self.decision_function(X))
        return self.classes_[indices]
