r"""Multiclass SVM losses and noisy-label baselines compared with LDR losses.

The 13 baselines of Zhu, Ying & Yang (ICML 2023) besides cross-entropy, plus
the top-k SVM and focal loss.  Every function takes logits ``scores`` of
shape ``(n, K)`` (any real values) and class indices ``target`` in
``[0, K)``; :math:`p = \mathrm{softmax}(f)`, :math:`p_y` is the true-class
entry and :math:`z_k = c\,[k \ne y] + f_k - f_y` the margins (:math:`z_y = 0`).
Where the authors' code differs from the published loss, the published
(correct) form is implemented and the docstring says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from ._base import FunctionLoss
from ._checks import check_multiclass
from ._ldr import _margins
from ._registry import register_loss

__all__ = [
    "CrammerSingerLoss",
    "FocalLoss",
    "GCELoss",
    "JSLoss",
    "MAELoss",
    "MSELoss",
    "NCEAGCELoss",
    "NCEAULLoss",
    "NCERCELoss",
    "RLLLoss",
    "SCELoss",
    "TopKSVMLoss",
    "TruncatedGCELoss",
    "WestonWatkinsLoss",
    "crammer_singer_loss",
    "focal_loss",
    "gce_loss",
    "js_loss",
    "mae_loss",
    "mse_loss",
    "nce_agce_loss",
    "nce_aul_loss",
    "nce_rce_loss",
    "rll_loss",
    "sce_loss",
    "topk_svm_loss",
    "truncated_gce_loss",
    "weston_watkins_loss",
]

#: -log(1e-4): RCE scale of Ma et al.'s code (one-hot labels clamped at 1e-4).
_RCE_SCALE = -math.log(1e-4)


def _log_probs(scores, target):
    """``log_softmax(scores)`` and its true-class column ``log p_y``."""
    t = check_multiclass(scores, target)
    logp = torch.log_softmax(scores, dim=1)
    return logp, logp.gather(1, t[:, None])[:, 0]


def _check_k(k, n_classes):
    if not 1 <= k <= n_classes:
        raise ValueError(
            f"k must be between 1 and the number of classes ({n_classes}); got k={k}."
        )


# -- SVM losses of the margins z -------------------------------------------------
def crammer_singer_loss(
    scores: torch.Tensor, target: torch.Tensor, *, margin: float = 1.0
) -> torch.Tensor:
    r"""Crammer-Singer multiclass hinge loss per sample.

    .. math:: \ell = \max_k z_k = \max\bigl(0, \max_{k \ne y} c + f_k - f_y\bigr)

    Parameters
    ----------
    margin : float, default=1.0
        Margin :math:`c \ge 0` (1 is the textbook value; the LDR paper's grid
        is {0.1, 1, 10}).

    Notes
    -----
    LDR-KL as :math:`\lambda \to 0`; also ``topk_svm`` with ``k=1``.

    References
    ----------
    .. [1] K. Crammer, Y. Singer, "On the Algorithmic Implementation of
       Multiclass Kernel-based Vector Machines", JMLR 2, 2001.

    Examples
    --------
    >>> import torch
    >>> crammer_singer_loss(torch.tensor([[1.0, 0.5, -1.0]]), torch.tensor([0]))
    tensor([0.5000])
    """
    return _margins(scores, target, margin, None)[1].amax(dim=1)


def weston_watkins_loss(
    scores: torch.Tensor, target: torch.Tensor, *, margin: float = 1.0
) -> torch.Tensor:
    r"""Weston-Watkins multiclass hinge loss per sample.

    .. math:: \ell = \sum_{k \ne y} \max(0, c + f_k - f_y)

    Parameters
    ----------
    margin : float, default=1.0
        Margin :math:`c \ge 0`.

    Notes
    -----
    A sum over the wrong classes, as published.  The LDR authors' ``WWLoss``
    divides it by :math:`K` (a mean over all :math:`K` terms including the
    zero term of :math:`y`), which only rescales the step size.  It is the LDR
    loss with :math:`R = 0` and the box :math:`[0, 1]^K` instead of the simplex.

    References
    ----------
    .. [1] J. Weston, C. Watkins, "Support Vector Machines for Multi-Class
       Pattern Recognition", ESANN 1999.

    Examples
    --------
    >>> import torch
    >>> weston_watkins_loss(torch.tensor([[1.0, 0.5, 0.5]]), torch.tensor([0]))
    tensor([1.])
    """
    return torch.relu(_margins(scores, target, margin, None)[1]).sum(dim=1)


def topk_svm_loss(
    scores: torch.Tensor, target: torch.Tensor, *, k: int = 2, margin: float = 1.0
) -> torch.Tensor:
    r"""Top-k SVM loss per sample: the mean of the ``k`` largest margins.

    .. math:: \ell = \frac1k \sum_{j=1}^{k} z_{[j]}, \qquad z_y = 0 \text{ included}

    Parameters
    ----------
    k : int, default=2
        How many of the largest :math:`z_j` are averaged,
        ``1 <= k <= n_classes``.
    margin : float, default=1.0
        Margin :math:`c \ge 0`.

    Notes
    -----
    Lapin et al.'s top-k SVM\ :sup:`α` without the outer :math:`\max(0,
    \cdot)`: the LDR loss with :math:`R = 0` and :math:`\Omega = \{p \in
    \Delta_K : p_j \le 1/k\}`, the :math:`\lambda \to 0` limit of
    ``ldr_kl_topk``.  ``k=1`` is Crammer-Singer.

    References
    ----------
    .. [1] M. Lapin, M. Hein, B. Schiele, "Top-k Multiclass SVM", NeurIPS 2015.

    Examples
    --------
    >>> import torch
    >>> topk_svm_loss(torch.tensor([[0.0, 3.0, 1.0]]), torch.tensor([0]), margin=0.0)
    tensor([2.])
    """
    z = _margins(scores, target, margin, None)[1]
    _check_k(k, z.shape[1])
    return z.topk(k, dim=1).values.mean(dim=1)


# -- losses of the softmax probabilities -----------------------------------------
def mae_loss(scores: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    r"""Mean absolute error of the softmax per sample.

    .. math:: \ell = \sum_k |e_{y,k} - p_k| = 2 (1 - p_y)

    Symmetric (:math:`\sum_y \ell = 2(K - 1)`), hence tolerant to uniform
    label noise, but slow to fit.  The LDR authors' ``MAELoss`` omits the
    absolute value, so it is identically 0 with zero gradient; this is the
    published loss.

    References
    ----------
    .. [1] A. Ghosh, H. Kumar, P. S. Sastry, "Robust Loss Functions under
       Label Noise for Deep Neural Networks", AAAI 2017.

    Examples
    --------
    >>> import torch
    >>> mae_loss(torch.zeros(1, 4), torch.tensor([1]))
    tensor([1.5000])
    """
    return -2.0 * torch.expm1(_log_probs(scores, target)[1])


def mse_loss(scores: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    r"""Mean squared error of the softmax (Brier score) per sample.

    .. math:: \ell = \sum_k (e_{y,k} - p_k)^2 = 1 - 2 p_y + \sum_k p_k^2

    Strictly proper: ``softmax(f)`` estimates :math:`P(y \mid x)`.

    References
    ----------
    .. [1] G. W. Brier, "Verification of Forecasts Expressed in Terms of
       Probability", Monthly Weather Review, 1950.

    Examples
    --------
    >>> import torch
    >>> mse_loss(torch.zeros(1, 4), torch.tensor([1]))
    tensor([0.7500])
    """
    logp, logp_y = _log_probs(scores, target)
    return 1.0 - 2.0 * logp_y.exp() + (2.0 * logp).exp().sum(dim=1)


def gce_loss(
    scores: torch.Tensor, target: torch.Tensor, *, q: float = 0.7
) -> torch.Tensor:
    r"""Generalised cross-entropy (:math:`L_q` loss) per sample.

    .. math:: \ell = (1 - p_y^q) / q

    Parameters
    ----------
    q : float, default=0.7
        Exponent in :math:`(0, 1]`, the paper's value (LDR grid {0.05, 0.7,
        0.95}); :math:`q \to 0` is cross-entropy, :math:`q = 1` half the MAE.

    References
    ----------
    .. [1] Z. Zhang, M. R. Sabuncu, "Generalized Cross Entropy Loss for
       Training Deep Neural Networks with Noisy Labels", NeurIPS 2018.

    Examples
    --------
    >>> import torch
    >>> gce_loss(torch.zeros(1, 4), torch.tensor([1]), q=1.0)
    tensor([0.7500])
    """
    return -torch.expm1(q * _log_probs(scores, target)[1]) / q


def truncated_gce_loss(
    scores: torch.Tensor, target: torch.Tensor, *, q: float = 0.7, k: float = 0.5
) -> torch.Tensor:
    r"""Truncated :math:`L_q` loss per sample.

    .. math:: \ell = \begin{cases} (1 - p_y^q)/q & p_y > k \\
              (1 - k^q)/q & p_y \le k \end{cases}

    Samples with :math:`p_y \le k` get no gradient.

    Parameters
    ----------
    q : float, default=0.7
        Exponent in :math:`(0, 1]`.
    k : float, default=0.5
        Truncation threshold in :math:`[0, 1)`, the paper's value.

    Notes
    -----
    This is the loss Zhang & Sabuncu's truncated GCE optimises.  Their
    procedure (and the LDR authors' ``TGCELoss``) freezes a 0/1 weight
    :math:`[p_y > k]` per sample at a "prune" pass every 10 epochs and trains
    the weighted :math:`L_q` loss in between: an alternating optimisation
    schedule for this same loss, which here is evaluated exactly per batch.

    References
    ----------
    .. [1] Z. Zhang, M. R. Sabuncu, NeurIPS 2018 (see :func:`gce_loss`).

    Examples
    --------
    >>> import torch
    >>> truncated_gce_loss(
    ...     torch.tensor([[0.0, 0.0], [3.0, 0.0]]), torch.tensor([0, 1]), q=1.0
    ... )
    tensor([0.5000, 0.5000])
    """
    logp_y = _log_probs(scores, target)[1]
    return torch.where(logp_y.exp() > k, -torch.expm1(q * logp_y) / q, (1 - k**q) / q)


def sce_loss(
    scores: torch.Tensor,
    target: torch.Tensor,
    *,
    beta: float = 0.5,
    rce_scale: float = 4.0,
) -> torch.Tensor:
    r"""Symmetric cross-entropy per sample.

    .. math:: \ell = (1 - \beta)\,(-\log p_y) + \beta\,A\,(1 - p_y)

    The second term is the reverse cross-entropy :math:`-\sum_k p_k \log
    e_{y,k}` with :math:`\log 0 := -A`.

    Parameters
    ----------
    beta : float, default=0.5
        Weight of the reverse term in :math:`[0, 1]`, the LDR authors' convex
        parameterisation (grid {0.05, 0.5, 0.95}).
    rce_scale : float, default=4.0
        :math:`A = -\log 0 > 0`, Wang et al.'s value (:math:`A = -4` in their
        sign convention).

    Notes
    -----
    Wang et al.'s :math:`\alpha\,\mathrm{CE} + \beta'\,\mathrm{RCE}` is
    :math:`(\alpha + \beta')` times this loss with :math:`\beta = \beta' /
    (\alpha + \beta')`: the same minimiser, a rescaled step size.

    References
    ----------
    .. [1] Y. Wang, X. Ma, Z. Chen, Y. Luo, J. Yi, J. Bailey, "Symmetric Cross
       Entropy for Robust Learning with Noisy Labels", ICCV 2019.

    Examples
    --------
    >>> import torch
    >>> sce_loss(torch.zeros(1, 2), torch.tensor([0]))
    tensor([1.3466])
    """
    logp_y = _log_probs(scores, target)[1]
    return -(1.0 - beta) * logp_y - beta * rce_scale * torch.expm1(logp_y)


def rll_loss(
    scores: torch.Tensor, target: torch.Tensor, *, offset: float = 1.0
) -> torch.Tensor:
    r"""Robust log loss per sample.

    .. math:: \ell = -\log(\alpha + p_y)
              + \frac{1}{K - 1} \sum_{j \ne y} \log(\alpha + p_j)

    Parameters
    ----------
    offset : float, default=1.0
        Patel & Sastry's :math:`\alpha > 0`, renamed because the estimators'
        ``alpha`` means something else; 1 is the middle of the LDR grid
        {0.1, 1, 10}.

    Notes
    -----
    The published form.  The LDR authors' ``RLLLoss`` computes a different
    second term, :math:`\log \sum_k [e^{(1 - e_{y,k}) f_k - \sum_j f_j} +
    \alpha] / (K - 1)`.  Adding :math:`\log((\alpha + 1)/\alpha)` makes the
    minimum 0 and changes no gradient.

    References
    ----------
    .. [1] D. Patel, P. S. Sastry, "Memorization in Deep Neural Networks:
       Does the Loss Function Matter?", PAKDD 2021.

    Examples
    --------
    >>> import torch
    >>> rll_loss(torch.zeros(1, 3), torch.tensor([0]))
    tensor([0.])
    """
    logp, logp_y = _log_probs(scores, target)
    log_all = torch.log(offset + logp.exp())
    log_y = torch.log(offset + logp_y.exp())
    return (log_all.sum(dim=1) - log_y) / max(logp.shape[1] - 1, 1) - log_y


def js_loss(
    scores: torch.Tensor, target: torch.Tensor, *, pi: float = 0.5
) -> torch.Tensor:
    r"""Jensen-Shannon divergence loss per sample.

    .. math:: \ell = \frac{\pi\,\mathrm{KL}(e_y \| m)
              + (1 - \pi)\,\mathrm{KL}(p \| m)}{-(1 - \pi) \log(1 - \pi)},
              \qquad m = \pi e_y + (1 - \pi) p

    Computed in closed form from :math:`\log p_y`, without :math:`0 \log 0`.

    Parameters
    ----------
    pi : float, default=0.5
        Weight :math:`\pi` of the label, in :math:`(0, 1)` (LDR grid {0.1,
        0.5, 0.9}); the normaliser makes :math:`\pi \to 0` cross-entropy.

    References
    ----------
    .. [1] E. Englesson, H. Azizpour, "Generalized Jensen-Shannon Divergence
       Loss for Learning with Noisy Labels", NeurIPS 2021.

    Examples
    --------
    >>> import torch
    >>> js_loss(torch.tensor([[9.0, -9.0]]), torch.tensor([0]))
    tensor([0.])
    """
    logp_y = _log_probs(scores, target)[1]
    p_y = logp_y.exp()
    log_m_y = torch.log(pi + (1.0 - pi) * p_y)
    log_1m = math.log1p(-pi)
    kl_p = -(1.0 - p_y) * log_1m + p_y * (logp_y - log_m_y)
    return (-pi * log_m_y + (1.0 - pi) * kl_p) / (-(1.0 - pi) * log_1m)


def _nce(logp: torch.Tensor, logp_y: torch.Tensor) -> torch.Tensor:
    """Normalised CE ``log p_y / sum_k log p_k`` in [0, 1]; never 0 / 0."""
    return logp_y / logp.sum(dim=1)


def nce_rce_loss(
    scores: torch.Tensor,
    target: torch.Tensor,
    *,
    nce_weight: float = 1.0,
    rce_weight: float = 1.0,
    rce_scale: float = _RCE_SCALE,
) -> torch.Tensor:
    r"""Normalised plus reverse cross-entropy (active-passive loss) per sample.

    .. math:: \ell = a \frac{\log p_y}{\sum_k \log p_k} + b\,A\,(1 - p_y)

    Parameters
    ----------
    nce_weight : float, default=1.0
        :math:`a \ge 0`; 1 is Ma et al.'s CIFAR-10 value (LDR grid
        :math:`a \in \{0.1, 5, 9.9\}`, :math:`b = 10 - a`).
    rce_weight : float, default=1.0
        :math:`b \ge 0`.
    rce_scale : float, default=-log(1e-4)
        :math:`A`, as in Ma et al.'s and the LDR authors' code (one-hot labels
        clamped at :math:`10^{-4}` inside the log).

    References
    ----------
    .. [1] X. Ma, H. Huang, Y. Wang, S. Romano, S. Erfani, J. Bailey,
       "Normalized Loss Functions for Deep Learning with Noisy Labels",
       ICML 2020.

    Examples
    --------
    >>> import torch
    >>> nce_rce_loss(torch.zeros(1, 4), torch.tensor([1]), rce_weight=0.0)
    tensor([0.2500])
    """
    logp, logp_y = _log_probs(scores, target)
    rce = -rce_scale * torch.expm1(logp_y)
    return nce_weight * _nce(logp, logp_y) + rce_weight * rce


def nce_agce_loss(
    scores: torch.Tensor,
    target: torch.Tensor,
    *,
    nce_weight: float = 1.0,
    agce_weight: float = 1.0,
    a: float = 3.0,
    q: float = 1.5,
) -> torch.Tensor:
    r"""Normalised CE plus asymmetric generalised CE per sample.

    .. math:: \ell = w_1 \frac{\log p_y}{\sum_k \log p_k}
              + w_2 \frac{(a + 1)^q - (a + p_y)^q}{q}

    Parameters
    ----------
    nce_weight, agce_weight : float, default=1.0
        :math:`w_1, w_2 \ge 0`, as in :func:`nce_rce_loss`.
    a : float, default=3.0
        AGCE's :math:`a > 0`, the LDR authors' value.
    q : float, default=1.5
        AGCE's :math:`q > 0`.

    References
    ----------
    .. [1] X. Zhou, X. Liu, J. Jiang, X. Gao, X. Ji, "Asymmetric Loss
       Functions for Learning with Noisy Labels", ICML 2021.

    Examples
    --------
    >>> import torch
    >>> nce_agce_loss(torch.tensor([[20.0, -20.0]]), torch.tensor([0]))
    tensor([0.])
    """
    logp, logp_y = _log_probs(scores, target)
    agce = ((a + 1.0) ** q - (a + logp_y.exp()) ** q) / q
    return nce_weight * _nce(logp, logp_y) + agce_weight * agce


def nce_aul_loss(
    scores: torch.Tensor,
    target: torch.Tensor,
    *,
    nce_weight: float = 1.0,
    aul_weight: float = 1.0,
    a: float = 6.0,
    q: float = 1.5,
) -> torch.Tensor:
    r"""Normalised CE plus asymmetric unhinged loss per sample.

    .. math:: \ell = w_1 \frac{\log p_y}{\sum_k \log p_k}
              + w_2 \frac{(a - p_y)^q - (a - 1)^q}{q}

    Parameters
    ----------
    nce_weight, aul_weight : float, default=1.0
        :math:`w_1, w_2 \ge 0`, as in :func:`nce_rce_loss`.
    a : float, default=6.0
        AUL's :math:`a > 1`, the LDR authors' value.
    q : float, default=1.5
        AUL's :math:`q > 0`.

    References
    ----------
    .. [1] X. Zhou et al., ICML 2021 (see :func:`nce_agce_loss`).

    Examples
    --------
    >>> import torch
    >>> nce_aul_loss(torch.tensor([[20.0, -20.0]]), torch.tensor([0]))
    tensor([0.])
    """
    logp, logp_y = _log_probs(scores, target)
    aul = ((a - logp_y.exp()) ** q - (a - 1.0) ** q) / q
    return nce_weight * _nce(logp, logp_y) + aul_weight * aul


def focal_loss(
    scores: torch.Tensor,
    target: torch.Tensor,
    *,
    gamma: float = 2.0,
    class_weight: Sequence[float] | torch.Tensor | None = None,
) -> torch.Tensor:
    r"""Focal loss per sample.

    .. math:: \ell = -w_y (1 - p_y)^\gamma \log p_y

    Parameters
    ----------
    gamma : float, default=2.0
        Focusing exponent :math:`\gamma \ge 0`, the paper's value; 0 is
        (weighted) cross-entropy.
    class_weight : sequence of float or None, default=None
        Lin et al.'s :math:`\alpha_t`: one non-negative weight per class, or
        None for all 1.

    Notes
    -----
    Not a proper loss: the softmax of a focal-trained model is not an
    estimate of :math:`P(y \mid x)` (it is under-confident).

    References
    ----------
    .. [1] T.-Y. Lin, P. Goyal, R. Girshick, K. He, P. Dollár, "Focal Loss
       for Dense Object Detection", ICCV 2017.

    Examples
    --------
    >>> import torch
    >>> focal_loss(torch.zeros(1, 2), torch.tensor([0]))
    tensor([0.1733])
    """
    logp, logp_y = _log_probs(scores, target)
    rest = (-torch.expm1(logp_y)).clamp_min(torch.finfo(logp.dtype).tiny)
    loss = -(rest**gamma) * logp_y
    if class_weight is None:
        return loss
    w = torch.as_tensor(class_weight, dtype=logp.dtype, device=logp.device)
    if w.shape != (logp.shape[1],):
        raise ValueError(
            f"class_weight must hold one weight per class ({logp.shape[1]}); got "
            f"shape {tuple(w.shape)}."
        )
    return w[check_multiclass(scores, target)] * loss


# -- registered modules ------------------------------------------------------
@register_loss(
    "crammer_singer",
    task="multiclass",
    reference="Crammer & Singer, JMLR 2001",
    test_params={"margin": 0.5},
)
class CrammerSingerLoss(FunctionLoss):
    """Crammer-Singer multiclass hinge loss."""

    function = staticmethod(crammer_singer_loss)


@register_loss(
    "weston_watkins",
    task="multiclass",
    reference="Weston & Watkins, ESANN 1999",
    test_params={"margin": 0.5},
)
class WestonWatkinsLoss(FunctionLoss):
    """Weston-Watkins multiclass hinge loss (sum over wrong classes)."""

    function = staticmethod(weston_watkins_loss)


@register_loss(
    "topk_svm",
    task="multiclass",
    reference="Lapin, Hein & Schiele, NeurIPS 2015",
    test_params={"k": 2, "margin": 0.5},
)
class TopKSVMLoss(FunctionLoss):
    """Top-k multiclass SVM loss (mean of the k largest margins)."""

    function = staticmethod(topk_svm_loss)


@register_loss("mae", task="multiclass", reference="Ghosh, Kumar & Sastry, AAAI 2017")
class MAELoss(FunctionLoss):
    """Mean absolute error of the softmax, 2 (1 - p_y)."""

    function = staticmethod(mae_loss)


@register_loss(
    "mse",
    task="multiclass",
    has_proba=True,
    reference="Brier, 1950; Ghosh, Kumar & Sastry, AAAI 2017",
)
class MSELoss(FunctionLoss):
    """Mean squared error of the softmax (Brier score)."""

    function = staticmethod(mse_loss)


@register_loss("gce", task="multiclass", reference="Zhang & Sabuncu, NeurIPS 2018")
class GCELoss(FunctionLoss):
    """Generalised cross-entropy (1 - p_y^q) / q."""

    function = staticmethod(gce_loss)


@register_loss(
    "truncated_gce", task="multiclass", reference="Zhang & Sabuncu, NeurIPS 2018"
)
class TruncatedGCELoss(FunctionLoss):
    """Truncated generalised cross-entropy (truncated Lq loss)."""

    function = staticmethod(truncated_gce_loss)


@register_loss("sce", task="multiclass", reference="Wang et al., ICCV 2019")
class SCELoss(FunctionLoss):
    """Symmetric cross-entropy: CE plus reverse CE."""

    function = staticmethod(sce_loss)


@register_loss("rll", task="multiclass", reference="Patel & Sastry, PAKDD 2021")
class RLLLoss(FunctionLoss):
    """Robust log loss."""

    function = staticmethod(rll_loss)


@register_loss("js", task="multiclass", reference="Englesson & Azizpour, NeurIPS 2021")
class JSLoss(FunctionLoss):
    """Jensen-Shannon divergence loss."""

    function = staticmethod(js_loss)


@register_loss("nce_rce", task="multiclass", reference="Ma et al., ICML 2020")
class NCERCELoss(FunctionLoss):
    """Normalised CE plus reverse CE (active-passive loss)."""

    function = staticmethod(nce_rce_loss)


@register_loss("nce_agce", task="multiclass", reference="Zhou et al., ICML 2021")
class NCEAGCELoss(FunctionLoss):
    """Normalised CE plus asymmetric GCE."""

    function = staticmethod(nce_agce_loss)


@register_loss("nce_aul", task="multiclass", reference="Zhou et al., ICML 2021")
class NCEAULLoss(FunctionLoss):
    """Normalised CE plus asymmetric unhinged loss."""

    function = staticmethod(nce_aul_loss)


@register_loss("focal", task="multiclass", reference="Lin et al., ICCV 2017")
class FocalLoss(FunctionLoss):
    """Focal loss, cross-entropy down-weighting easy samples."""

    function = staticmethod(focal_loss)
