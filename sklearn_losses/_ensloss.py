"""EnsLossClassifier: stochastic calibrated loss ensembles (Dai, 2024)."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from scipy.special import expit
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from skorch.callbacks import Callback, GradientNormClipping

from ._base import BaseNetClassifier
from .losses import OneVsRestLoss, get_loss, list_losses, loss_info
from .utils._docstring import _NETWORK_PARAMS, _TRAINING_PARAMS, Substitution

__all__ = ["EnsLossClassifier"]


#: Binary losses of the registry that are sums of per-sample margin losses
#: (batch metrics such as AnyLoss are excluded).
_MARGIN_LOSSES = {
    name
    for name in list_losses("binary")
    if not getattr(loss_info(name).module, "is_batch_metric", False)
}


class _ResampleLambda(Callback):
    """Draw the Box-Cox ``lambda_`` of EnsLoss from U(-1, 1) every ``period``
    epochs (the authors' optional schedule)."""

    def __init__(self, period: int, seed: int):
        self.period = period
        self.seed = seed

    def on_train_begin(self, net, **kwargs):
        self.rng_ = np.random.default_rng(self.seed)

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) % self.period == 0:
            criterion = getattr(net.criterion_, "base", net.criterion_)
            criterion.resample_lambda(self.rng_)


def _has_proba(est) -> bool:
    if not loss_info(est.loss).has_proba:
        raise AttributeError(
            f"predict_proba is not available for loss={est.loss!r}: its scores "
            "are not probabilities. Use decision_function, or loss='logistic'."
        )
    return True


@Substitution(
    network_params=_NETWORK_PARAMS.format(hidden_default="(100,)"),
    training_params=_TRAINING_PARAMS.format(
        lr_default="1e-3", alpha_default="1e-4", max_iter_default="200"
    ),
)
class EnsLossClassifier(BaseNetClassifier):
    """Neural network trained with EnsLoss: a new random calibrated loss at
    every minibatch.

    EnsLoss (Dai, 2024) never writes the loss down.  Gradient descent only
    needs the loss's derivative at each margin :math:`z_i = y_i f(x_i)`, so at
    every step it draws random derivatives that make the implied loss convex
    (nondecreasing derivatives, matched to the margins by rank) and
    classification-calibrated (strictly negative at 0), rescales the tail
    and takes the step

    .. math:: \\theta \\leftarrow \\theta - \\eta \\frac{1}{B} \\sum_i
              g_i \\, y_i \\nabla_\\theta f(x_i).

    The minibatch and the loss are both random ("doubly stochastic"): an
    ensemble of calibrated losses in one training run, which the paper shows
    resists overfitting of over-parameterised networks.

    Parameters
    ----------
    loss : str, default="ensloss"
        ``"ensloss"``, or a fixed binary loss of the registry
        (``"logistic"``, ``"hinge"``, ``"squared_hinge"``, ``"exponential"``)
        to run the paper's comparison with the same network and optimizer.

    lambda_ : float, default=0.0
        Box-Cox parameter of the derivative sampler: derivatives are
        :math:`-\\mathrm{BC}^{-1}_\\lambda(e)` of standard normals :math:`e`;
        0 (the paper's value) gives negative log-normal draws.  Ignored by
        fixed losses.

    lambda_period : int or None, default=None
        Draw ``lambda_`` from U(-1, 1) every ``lambda_period`` epochs (an
        option of the authors' code, off in every reported experiment).

    loss_params : dict or None, default=None
        Further parameters of the loss (for instance ``{"margin": 0.5}`` for
        ``"hinge"``, ``{"tail_threshold": 1.0}`` for ``"ensloss"``).

    clip_grad_norm : float or None, default=None
        Clip the gradient norm at this value (the paper's code does it at 10
        for the exponential loss only).

    {network_params}

    {training_params}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Training loss per epoch.  For ``loss="ensloss"``, whose objective is
        redrawn at every step and has no meaningful value, this is the
        logistic loss of the current scores (a fixed reference).

    validation_scores_ : list of float
        Validation accuracy per epoch (``early_stopping=True`` only).

    best_validation_score_ : float
        Best validation accuracy (``early_stopping=True`` only).

    net_ : TensorNet
        The trained skorch net; ``net_.module_`` is the torch module.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The same network with log-loss.

    Notes
    -----
    Binary problems train one output score (positive means ``classes_[1]``).
    Multiclass targets go beyond the paper: the network has one output per
    class and each is trained as the calibrated binary problem "class k
    against the rest" (:class:`~sklearn_losses.losses.OneVsRestLoss`), with
    its own derivative draws; ``predict`` takes the argmax.

    ``predict_proba`` exists only for ``loss="logistic"``, the one loss whose
    scores estimate probabilities (sigmoid of the score; normalised over the
    one-vs-rest columns for multiclass).  EnsLoss, hinge and exponential
    scores rank samples but are not probabilities.

    With ``early_stopping=True`` the validation score is accuracy, never the
    EnsLoss objective.

    The paper's tabular setting is reachable by parameters:
    ``hidden_layer_sizes=(1024, 1024, 1024), batch_norm=True,
    optimizer="sgd", momentum=0.9, learning_rate_init=1e-4,
    alpha=5e-6 * 128, lr_schedule="cosine", batch_size=128, max_iter=300,
    n_iter_no_change=300`` (``alpha`` is scaled by the batch size because it
    follows ``MLPClassifier``'s definition).

    References
    ----------
    .. [1] B. Dai, "EnsLoss: Stochastic Calibrated Loss Ensembles for
       Preventing Overfitting in Classification", ICML 2025,
       arXiv:2409.00908.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_losses import EnsLossClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(),
    ...                     EnsLossClassifier(max_iter=30, random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.95
    True
    """

    _parameter_constraints: dict = {
        **BaseNetClassifier._parameter_constraints,
        "loss": [StrOptions(_MARGIN_LOSSES)],
        "lambda_": [Interval(Real, None, None, closed="neither")],
        "lambda_period": [Interval(Integral, 1, None, closed="left"), None],
        "loss_params": [dict, None],
        "clip_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(
        self,
        *,
        loss="ensloss",
        lambda_=0.0,
        lambda_period=None,
        loss_params=None,
        clip_grad_norm=None,
        hidden_layer_sizes=(100,),
        activation="relu",
        batch_norm=False,
        dropout=0.0,
        module=None,
        optimizer="adam",
        learning_rate_init=1e-3,
        lr_schedule="constant",
        momentum=0.9,
        alpha=1e-4,
        batch_size="auto",
        max_iter=200,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.loss = loss
        self.lambda_ = lambda_
        self.lambda_period = lambda_period
        self.loss_params = loss_params
        self.clip_grad_norm = clip_grad_norm
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.module = module
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # -- hooks ----------------------------------------------------------------
    def _wrap(self, loss):
        return loss if len(self.classes_) == 2 else OneVsRestLoss(loss)

    def _make_criterion(self):
        params = dict(self.loss_params or {})
        if self.loss == "ensloss":
            params.setdefault("lambda_", self.lambda_)
        return self._wrap(get_loss(self.loss, **params))

    def _reference_criterion(self):
        if loss_info(self.loss).module.value_is_meaningful:
            return None
        return self._wrap(get_loss("logistic"))

    def _n_outputs(self):
        return 1 if len(self.classes_) == 2 else len(self.classes_)

    def _extra_callbacks(self, seed):
        callbacks = []
        if self.lambda_period is not None and self.loss == "ensloss":
            callbacks.append(("lambda", _ResampleLambda(self.lambda_period, seed)))
        if self.clip_grad_norm is not None:
            callbacks.append(("clip", GradientNormClipping(self.clip_grad_norm)))
        return callbacks

    # -- public API -----------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels (two or more classes).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, normalised to mean 1.

        Returns
        -------
        self : EnsLossClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight)

    @available_if(_has_proba)
    def predict_proba(self, X):
        """Class probabilities for ``loss="logistic"``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Sigmoid of the score (binary); sigmoids of the one-vs-rest scores
            normalised to sum to one (multiclass).
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = expit(scores)
            return np.column_stack([1 - p, p])
        p = expit(scores)
        return p / p.sum(axis=1, keepdims=True)
