"""MetricLearningTransformer: deep metric learning as a scikit-learn transformer."""

from __future__ import annotations

from numbers import Integral

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets

from ._base import BaseNetEstimator
from .losses import get_loss, list_losses, loss_info
from .utils._docstring import _NETWORK_PARAMS, _TRAINING_PARAMS, Substitution

__all__ = ["MetricLearningTransformer"]


def _precision_at_1(y_true: np.ndarray, embeddings: np.ndarray) -> float:
    """Leave-one-out 1-NN accuracy of the embeddings (Euclidean)."""
    emb = torch.as_tensor(embeddings, dtype=torch.float32)
    dist = torch.cdist(emb, emb)
    dist.fill_diagonal_(float("inf"))
    nearest = dist.argmin(dim=1).numpy()
    return float(np.mean(y_true[nearest] == y_true))


@Substitution(
    network_params=_NETWORK_PARAMS.format(hidden_default="(128,)"),
    training_params=_TRAINING_PARAMS.format(
        lr_default="1e-3", alpha_default="1e-4", max_iter_default="100"
    ),
)
class MetricLearningTransformer(
    ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNetEstimator
):
    """Learn an embedding with a deep-metric-learning loss, for kNN.

    ``fit(X, y)`` trains a network that maps samples to ``n_components``
    dimensions so that samples of a class are close and samples of
    different classes far apart; ``transform(X)`` returns the embeddings.
    Put it in front of :class:`~sklearn.neighbors.KNeighborsClassifier` the
    way scikit-learn's :class:`~sklearn.neighbors.NeighborhoodComponentsAnalysis`
    is used, with a non-linear network and the losses of recent few-shot and
    retrieval papers.

    Parameters
    ----------
    loss : str, default="proto_triplet"
        An embedding loss of the registry: ``"proto_triplet"`` (distance to
        the own class prototype against the nearest other prototype),
        ``"icnn"`` (inter/intra-class nearest-neighbour score), ``"triplet"``
        (batch-hard triplets), ``"contrastive"``, ``"tcm"`` (threshold
        consistent margin), see :doc:`/losses`.

    n_components : int or None, default=None
        Dimension of the embedding; None keeps the number of features.

    loss_params : dict or None, default=None
        Parameters of the loss (``margin``, ``distance``, ...).

    m_per_class : int, default=4
        Samples of each class per training batch (class-balanced batches, so
        that every batch has positive pairs).  ``batch_size`` should be a
        multiple of it.

    normalize : bool, default=True
        L2-normalise the embeddings returned by ``transform``.  The loss is
        trained in the same geometry: its ``normalize_embeddings`` parameter
        follows ``normalize`` unless ``loss_params`` sets it.  (Training on
        raw embeddings and normalising only afterwards loses what the loss
        learnt: 3-NN accuracy on vowel, 5-fold, 0.889 against 0.971 with
        matching geometry.)

    {network_params}

    {training_params}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels seen during ``fit``.

    n_features_in_ : int
        Number of features seen during ``fit``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when ``X`` has string column names.

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Training loss per epoch.

    validation_scores_ : list of float
        Leave-one-out 1-NN accuracy (precision at 1) of the validation
        embeddings per epoch (``early_stopping=True`` only).

    best_validation_score_ : float
        Best validation score (``early_stopping=True`` only).

    net_ : TensorNet
        The trained skorch net.

    See Also
    --------
    sklearn.neighbors.NeighborhoodComponentsAnalysis : A linear embedding
        learnt by stochastic nearest neighbours.

    Notes
    -----
    Training batches are class-balanced: ``m_per_class`` samples from each
    of ``batch_size // m_per_class`` classes.  A class with fewer samples is
    repeated within its chunk.

    References
    ----------
    .. [1] J. Mendez-Ruiz et al., "SuSana Distancia is all you need:
       Enforcing class separability in metric learning via two novel
       distance-based loss functions for few-shot image classification",
       arXiv:2305.09062, 2023.
    .. [2] Q. Zhang et al., "Threshold-Consistent Margin Loss for Open-World
       Deep Metric Learning", ICLR 2024, arXiv:2307.04047.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_losses import MetricLearningTransformer
    >>> X, y = load_iris(return_X_y=True)
    >>> pipe = make_pipeline(
    ...     StandardScaler(),
    ...     MetricLearningTransformer(n_components=8, max_iter=30, random_state=0),
    ...     KNeighborsClassifier(3))
    >>> bool(cross_val_score(pipe, X, y, cv=3).mean() > 0.85)
    True
    """

    _parameter_constraints: dict = {
        **BaseNetEstimator._parameter_constraints,
        "loss": [StrOptions(set(list_losses("embedding")))],
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "loss_params": [dict, None],
        "m_per_class": [Interval(Integral, 2, None, closed="left")],
        "normalize": ["boolean"],
    }

    _target_dtype = torch.int64

    def __init__(
        self,
        *,
        loss="proto_triplet",
        n_components=None,
        loss_params=None,
        m_per_class=4,
        normalize=True,
        hidden_layer_sizes=(128,),
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
        max_iter=100,
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
        self.n_components = n_components
        self.loss_params = loss_params
        self.m_per_class = m_per_class
        self.normalize = normalize
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
    def _prepare_target(self, X, y, continuing):
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes; the "
                f"data contains only one class: {self.classes_.tolist()[0]!r}."
            )
        return encoded

    def _check_params(self, X):
        super()._check_params(X)
        self._n_components = (
            X.shape[1] if self.n_components is None else self.n_components
        )

    def _n_outputs(self):
        return self._n_components

    def _make_criterion(self):
        params = dict(self.loss_params or {})
        if "normalize_embeddings" in loss_info(self.loss).params:
            # Train in the geometry that ``transform`` returns.
            params.setdefault("normalize_embeddings", self.normalize)
        return get_loss(self.loss, **params)

    def _valid_scoring(self):
        return _precision_at_1

    def _build_net(self, n_features, n_samples, batch_size, seed, device):
        net = super()._build_net(n_features, n_samples, batch_size, seed, device)
        net.set_params(m_per_class=min(self.m_per_class, batch_size))
        return net

    @property
    def _n_features_out(self):
        return self._n_components

    # -- public API -----------------------------------------------------------
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Learn the embedding from labelled data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-anchor weights of the loss.

        Returns
        -------
        self : MetricLearningTransformer
            The fitted transformer.
        """
        return self._fit(X, y, sample_weight)

    def transform(self, X):
        """Embed ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_embedded : ndarray of shape (n_samples, n_components)
            Embeddings, L2-normalised when ``normalize=True``, in the input's
            floating dtype.
        """
        dtype = getattr(X, "dtype", np.float64)
        emb = self._forward(X)
        if self.normalize:
            emb /= np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        out_dtype = np.float32 if dtype == np.float32 else np.float64
        return emb.astype(out_dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
