"""LDRClassifier: label-distributionally robust losses (Zhu, Ying, Yang, 2023)."""

from __future__ import annotations

from numbers import Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseNetClassifier
from .losses import BaseLoss, get_loss, list_losses, loss_info, normalize_scores
from .utils._docstring import _NETWORK_PARAMS, _TRAINING_PARAMS, Substitution

__all__ = ["LDRClassifier"]


class _CallableLoss(BaseLoss):
    """Adapt a user function ``fn(scores, target) -> (n,) tensor``."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, scores, target, index=None):
        out = self.function(scores, target)
        if not isinstance(out, torch.Tensor) or out.shape != (scores.shape[0],):
            raise ValueError(
                "A callable loss must return a tensor with one value per sample, "
                f"of shape ({scores.shape[0]},); got "
                f"{getattr(out, 'shape', type(out).__name__)}."
            )
        return out


@Substitution(
    network_params=_NETWORK_PARAMS.format(hidden_default="(100,)"),
    training_params=_TRAINING_PARAMS.format(
        lr_default="1e-3", alpha_default="1e-4", max_iter_default="200"
    ),
)
class LDRClassifier(BaseNetClassifier):
    """Neural network trained with a label-distributionally robust loss.

    LDR losses (Zhu, Ying and Yang, ICML 2023) let an adversary move the
    weight of the given label to the classes that score highest, within a
    KL ball around the uniform distribution of temperature :math:`\\lambda`.
    With margins :math:`z_k = c\\,[k \\ne y] + f_k(x) - f_y(x)` the LDR-KL loss
    has the closed form

    .. math:: \\psi_\\lambda(x, y) = \\lambda \\log \\frac{1}{K}
              \\sum_{k=1}^{K} e^{z_k / \\lambda}.

    :math:`\\lambda = 1, c = 0` is cross-entropy minus :math:`\\log K`,
    :math:`\\lambda \\to 0` the Crammer-Singer SVM, :math:`\\lambda \\to \\infty` a
    symmetric (noise-tolerant) linear loss.  ALDR-KL adapts :math:`\\lambda`
    per sample by a closed-form step: confident samples get a smaller
    temperature, uncertain (often mislabelled) samples stay near the prior
    :math:`\\lambda_0`, which makes training robust to label noise.

    Parameters
    ----------
    loss : str or callable, default="aldr_kl"
        Any multiclass loss of the registry (``"aldr_kl"``, ``"ldr_kl"``,
        ``"ldr_kl_topk"``, ``"cross_entropy"``, ``"crammer_singer"``,
        ``"gce"``, ``"sce"``, ``"mae"``, ``"nce_rce"``, ...; see
        :doc:`/losses`), or a callable ``loss(scores, target)`` returning one
        value per sample as a torch tensor.

    lambda_ : float, default=1.0
        The temperature :math:`\\lambda` of LDR-KL and its top-k variant, or
        the prior :math:`\\lambda_0` of ALDR-KL, > 0.  Ignored by losses
        without a temperature.

    alpha_prior : float, default=2.0
        Strength :math:`\\alpha` of ALDR-KL's prior on the temperature, > 1;
        the adapted temperatures lie in
        :math:`[\\lambda_0 (1 - 1/\\alpha), \\lambda_0]`.

    margin : float, default=0.1
        The margin :math:`c` of the LDR losses and the SVM losses, >= 0.

    loss_params : dict or None, default=None
        Further parameters of the loss (for instance ``{"q": 0.7}`` for
        ``"gce"``, ``{"k": 3}`` for ``"ldr_kl_topk"``); they take precedence
        over ``lambda_``, ``alpha_prior`` and ``margin``.

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
        Training loss per epoch (LDR-KL losses can be negative: they are
        defined up to the constant :math:`-\\lambda \\log K`).

    lambdas_ : ndarray of shape (n_samples,)
        For ``loss="aldr_kl"``: the adapted temperature of each training
        sample (in the order of ``X``) at the end of training.

    validation_scores_ : list of float
        Validation accuracy per epoch (``early_stopping=True`` only).

    best_validation_score_ : float
        Best validation accuracy (``early_stopping=True`` only).

    net_ : TensorNet
        The trained skorch net.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : The same network with
        cross-entropy.

    Notes
    -----
    ``predict_proba`` is the softmax of the scores divided by the loss's
    temperature (:math:`\\lambda`, :math:`\\lambda_0` for ALDR-KL, the
    ``temperature`` of cross-entropy, 1 otherwise), after the loss's score
    normalisation (LDR losses normalise by default, ``loss_params`` key
    ``"normalize"``).  For cross-entropy it is
    the model's estimate of :math:`P(y \\mid x)`; for LDR-KL with margin 0 it
    is the same estimate, since then
    :math:`\\psi_\\lambda = \\lambda (\\mathrm{CE}(f / \\lambda) - \\log K)`.  For
    the other losses it ranks the classes like ``decision_function`` but is
    not calibrated.

    Two-class targets train two scores (the losses are multiclass);
    ``decision_function`` then returns their difference.

    References
    ----------
    .. [1] D. Zhu, Y. Ying, T. Yang, "Label Distributionally Robust Losses for
       Multi-class Classification: Consistency, Robustness and Adaptivity",
       ICML 2023, arXiv:2112.14869.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_losses import LDRClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(),
    ...                     LDRClassifier(max_iter=100, random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
    """

    _parameter_constraints: dict = {
        **BaseNetClassifier._parameter_constraints,
        "loss": [
            StrOptions(
                {
                    name
                    for name in list_losses("multiclass")
                    if loss_info(name).module.takes_network_scores
                }
            ),
            callable,
        ],
        "lambda_": [Interval(Real, 0, None, closed="neither")],
        "alpha_prior": [Interval(Real, 1, None, closed="neither")],
        "margin": [Interval(Real, 0, None, closed="left")],
        "loss_params": [dict, None],
    }

    def __init__(
        self,
        *,
        loss="aldr_kl",
        lambda_=1.0,
        alpha_prior=2.0,
        margin=0.1,
        loss_params=None,
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
        self.alpha_prior = alpha_prior
        self.margin = margin
        self.loss_params = loss_params
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
    def _loss_params(self) -> dict:
        """The loss's parameters: named estimator parameters it accepts, then
        ``loss_params``."""
        accepted = loss_info(self.loss).params
        named = {
            "lambda_": self.lambda_,
            "lambda_0": self.lambda_,
            "alpha": self.alpha_prior,
            "margin": self.margin,
        }
        params = {k: v for k, v in named.items() if k in accepted}
        params.update(self.loss_params or {})
        return params

    def _make_criterion(self):
        if callable(self.loss):
            return _CallableLoss(self.loss)
        return get_loss(self.loss, **self._loss_params())

    def _n_outputs(self):
        return len(self.classes_)

    def _temperature(self) -> float:
        if callable(self.loss):
            return 1.0
        params = self._loss_params()
        for key in ("lambda_", "lambda_0", "temperature"):
            if key in params:
                return float(params[key])
        return 1.0

    # -- public API -----------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Target labels, possibly noisy.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, normalised to mean 1.

        Returns
        -------
        self : LDRClassifier
            The fitted estimator.
        """
        self._fit(X, y, sample_weight)
        lambdas = getattr(self.net_.criterion_, "lambdas", None)
        if isinstance(lambdas, torch.Tensor):
            self.lambdas_ = lambdas.detach().cpu().numpy().reshape(-1).copy()
        return self

    def predict_proba(self, X):
        """Class probabilities: softmax of the scores over the temperature.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            See the Notes of the class for what they estimate.
        """
        scores = self._forward(X)
        normalize = (
            None if callable(self.loss) else self._loss_params().get("normalize")
        )
        if normalize is not None:
            scores = normalize_scores(torch.from_numpy(scores), normalize).numpy()
        return softmax(scores / self._temperature(), axis=1)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        return np.log(self.predict_proba(X))
