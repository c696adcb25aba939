"""Binary margin losses phi(z) of the margin z = y f(x), y in {-1, +1}.

Targets are class indices ``t`` in {0, 1}; the margin uses ``y = 2 t - 1``.
These are the fixed losses that EnsLoss (Dai, 2024) is compared against.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._base import FunctionLoss
from ._checks import binary_margin
from ._registry import register_loss

__all__ = [
    "ExponentialLoss",
    "HingeLoss",
    "LogisticLoss",
    "SquaredHingeLoss",
    "exponential_loss",
    "hinge_loss",
    "logistic_loss",
    "squared_hinge_loss",
]


def logistic_loss(scores: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    r"""Logistic loss :math:`\log(1 + e^{-z})` per sample.

    Parameters
    ----------
    scores : Tensor of shape (n,) or (n, 1)
        Real-valued scores :math:`f(x)`.
    target : Tensor of shape (n,)
        Class indices in {0, 1}.

    Returns
    -------
    loss : Tensor of shape (n,)

    Notes
    -----
    Computed as ``softplus(-z)``, stable for any margin.  Equals binary
    cross-entropy of ``sigmoid(f)``, so ``sigmoid(f)`` estimates
    :math:`P(y = 1 \mid x)`.

    Examples
    --------
    >>> import torch
    >>> logistic_loss(torch.tensor([0.0]), torch.tensor([1]))
    tensor([0.6931])
    """
    return F.softplus(-binary_margin(scores, target))


def hinge_loss(
    scores: torch.Tensor, target: torch.Tensor, *, margin: float = 1.0
) -> torch.Tensor:
    r"""Hinge loss :math:`\max(0, m - z)` per sample (``margin`` :math:`m`).

    Examples
    --------
    >>> import torch
    >>> hinge_loss(torch.tensor([0.5, -0.5]), torch.tensor([1, 0]))
    tensor([0.5000, 0.5000])
    """
    return torch.relu(margin - binary_margin(scores, target))


def squared_hinge_loss(
    scores: torch.Tensor, target: torch.Tensor, *, margin: float = 1.0
) -> torch.Tensor:
    r"""Squared hinge loss :math:`\max(0, m - z)^2` per sample.

    Examples
    --------
    >>> import torch
    >>> squared_hinge_loss(torch.tensor([-1.0]), torch.tensor([1]))
    tensor([4.])
    """
    return torch.relu(margin - binary_margin(scores, target)).square()


def exponential_loss(scores: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    r"""Exponential (AdaBoost) loss :math:`e^{-z}` per sample.

    Notes
    -----
    Unbounded gradients for large negative margins: EnsLoss's reference
    code clips the gradient norm at 10 for this loss only.

    Examples
    --------
    >>> import torch
    >>> exponential_loss(torch.tensor([0.0]), torch.tensor([0]))
    tensor([1.])
    """
    return torch.exp(-binary_margin(scores, target))


@register_loss("logistic", task="binary", has_proba=True, reference="textbook")
class LogisticLoss(FunctionLoss):
    """Logistic (binary cross-entropy) loss on the margin."""

    function = staticmethod(logistic_loss)


@register_loss("hinge", task="binary", reference="Cortes & Vapnik, 1995")
class HingeLoss(FunctionLoss):
    """Hinge loss on the margin (support vector machine)."""

    function = staticmethod(hinge_loss)


@register_loss("squared_hinge", task="binary", reference="textbook")
class SquaredHingeLoss(FunctionLoss):
    """Squared hinge loss on the margin."""

    function = staticmethod(squared_hinge_loss)


@register_loss("exponential", task="binary", reference="Freund & Schapire, 1997")
class ExponentialLoss(FunctionLoss):
    """Exponential loss on the margin."""

    function = staticmethod(exponential_loss)
