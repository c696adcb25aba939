"""Hybrid generative-discriminative likelihood of a class-conditional model.

The linear probe of Zheng et al. (ICML 2023) compares Gaussian naive Bayes
with a shared diagonal variance (generative: maximises the joint likelihood
:math:`p(x, y)`) with logistic regression (discriminative: maximises the
conditional likelihood :math:`p(y \\mid x)`).  Both are the same linear
softmax model fitted with different objectives; the hybrid loss interpolates
between them (Bouchard & Triggs, 2004).  Its scores are the joint
log-likelihoods :math:`s_k = \\log p(x, y=k)` of a generative model, computed
for the Gaussian model by :func:`gaussian_joint_log_likelihood`.
"""

from __future__ import annotations

import math

import torch

from ._base import FunctionLoss
from ._checks import check_multiclass
from ._registry import register_loss

__all__ = [
    "HybridLikelihoodLoss",
    "gaussian_joint_log_likelihood",
    "hybrid_likelihood_loss",
]


def gaussian_joint_log_likelihood(
    x: torch.Tensor,
    means: torch.Tensor,
    log_var: torch.Tensor,
    log_prior: torch.Tensor,
    *,
    var_offset: float = 0.0,
) -> torch.Tensor:
    r"""Joint log-likelihoods of Gaussian naive Bayes with a shared variance.

    .. math:: s_k(x) = \log \pi_k - \frac12 \sum_i \left[
              \frac{(x_i - \mu_{k i})^2}{\sigma_i^2} + \log(2 \pi \sigma_i^2)
              \right], \qquad \sigma_i^2 = e^{v_i} + \epsilon

    The quadratic term is expanded (one matrix product, no ``(n, K, d)``
    tensor); it is the same for every class, so the softmax of the scores,
    :math:`p(y=k \mid x)`, is that of the linear logits
    :math:`x^\top \mu_k / \sigma^2 + \log \pi_k - \|\mu_k / \sigma\|^2 / 2`.

    Parameters
    ----------
    x : Tensor of shape (n, d)
    means : Tensor of shape (n_classes, d)
        Class means :math:`\mu_k`.
    log_var : Tensor of shape (d,)
        :math:`v = \log(\sigma^2 - \epsilon)`, the free log-variance shared by
        the classes.
    log_prior : Tensor of shape (n_classes,)
        Normalised log class priors :math:`\log \pi_k`.
    var_offset : float, default=0.0
        :math:`\epsilon \ge 0`, a floor added to every variance (variance
        smoothing), which keeps the likelihood bounded when a feature is
        constant within the classes.

    Returns
    -------
    scores : Tensor of shape (n, n_classes)

    Examples
    --------
    >>> import torch
    >>> s = gaussian_joint_log_likelihood(torch.zeros(1, 1), torch.zeros(2, 1),
    ...                                   torch.zeros(1), torch.log(torch.ones(2) / 2))
    >>> s  # log(1/2) - log(2 pi) / 2
    tensor([[-1.6121, -1.6121]])
    """
    precision = 1.0 / (log_var.exp() + var_offset)
    scaled_means = means * precision
    quad = (x * x) @ precision  # (n,)
    cross = x @ scaled_means.T  # (n, K)
    mean_term = (means * scaled_means).sum(dim=1)  # (K,)
    log_norm = 0.5 * (x.shape[1] * math.log(2 * math.pi) - precision.log().sum())
    return log_prior + cross - 0.5 * (quad[:, None] + mean_term) - log_norm


def hybrid_likelihood_loss(
    scores: torch.Tensor, target: torch.Tensor, *, hybrid_weight: float = 0.5
) -> torch.Tensor:
    r"""Hybrid generative-discriminative negative log-likelihood per sample.

    With scores :math:`s_k = \log p(x, y=k)` and weight :math:`\lambda`:

    .. math:: \ell_\lambda(s, y) = -\lambda \log p(x, y)
              - (1 - \lambda) \log p(y \mid x)
              = -s_y + (1 - \lambda) \log \sum_k e^{s_k}

    since :math:`\log p(y \mid x) = s_y - \log \sum_k e^{s_k}`.

    Special cases (asserted by the tests): :math:`\lambda = 1` is the joint
    negative log-likelihood :math:`-\log p(x, y)`, minimised in closed form by
    naive Bayes; :math:`\lambda = 0` is the cross-entropy of the softmax of
    the scores, i.e. logistic regression restricted to the generative
    model's parameterisation.

    Parameters
    ----------
    scores : Tensor of shape (n, n_classes)
        Joint log-likelihoods :math:`\log p(x, y=k)` of a generative model
        (for instance :func:`gaussian_joint_log_likelihood`).  They must be
        normalised densities: for :math:`\lambda > 0` the loss decreases
        without bound when all scores grow, so free network logits are not
        valid scores.
    target : Tensor of shape (n,)
        Class indices in ``[0, n_classes)``.
    hybrid_weight : float, default=0.5
        :math:`\lambda \in [0, 1]`, the weight of the generative term.

    Returns
    -------
    loss : Tensor of shape (n,)

    References
    ----------
    .. [1] G. Bouchard and B. Triggs, "The Tradeoff Between Generative and
       Discriminative Classifiers", COMPSTAT 2004.
    .. [2] C. Zheng, G. Wu, F. Bao, Y. Cao, C. Li and J. Zhu, "Revisiting
       Discriminative vs. Generative Classifiers: Theory and Implications",
       ICML 2023, arXiv:2302.02334.

    Examples
    --------
    >>> import torch
    >>> s = torch.log(torch.tensor([[0.1, 0.3]]))  # p(x, 0), p(x, 1)
    >>> hybrid_likelihood_loss(s, torch.tensor([1]), hybrid_weight=1.0)  # -log 0.3
    tensor([1.2040])
    >>> hybrid_likelihood_loss(s, torch.tensor([1]), hybrid_weight=0.0)  # -log 0.75
    tensor([0.2877])
    """
    t = check_multiclass(scores, target)
    joint = scores.gather(1, t[:, None])[:, 0]
    if hybrid_weight == 1.0:
        return -joint
    return (1.0 - hybrid_weight) * torch.logsumexp(scores, dim=1) - joint


@register_loss(
    "hybrid_likelihood",
    task="multiclass",
    has_proba=True,
    reference="Bouchard & Triggs, 2004; Zheng et al., ICML 2023",
)
class HybridLikelihoodLoss(FunctionLoss):
    """Hybrid of the joint and the conditional negative log-likelihood.

    The scores must be joint log-likelihoods of a generative model; see
    :func:`hybrid_likelihood_loss`.
    """

    takes_network_scores = False

    function = staticmethod(hybrid_likelihood_loss)

    def __init__(self, **params) -> None:
        super().__init__(**params)
        weight = self.params["hybrid_weight"]
        if not 0.0 <= weight <= 1.0:
            raise ValueError(
                f"hybrid_weight must be in [0, 1]; got hybrid_weight={weight!r}."
            )
