"""One-vs-rest: a multiclass loss made of one binary loss per class."""

from __future__ import annotations

import torch

from ._base import BaseLoss
from ._checks import check_multiclass

__all__ = ["OneVsRestLoss"]


class OneVsRestLoss(BaseLoss):
    """Sum of a binary loss over the classes, one score column per class.

    For scores of shape ``(n, n_classes)`` and class indices ``y``, column
    ``k`` is trained as the binary problem "class ``k`` against the rest"
    with target ``1[y = k]``:

    .. math:: \\ell(f, y) = \\sum_k \\phi_k(f_k, 1[y = k])

    Each column is a separate call of the binary loss, so a loss with batch
    statistics (EnsLoss's rank-matched derivatives) draws and matches them per
    class.  Used by the classifiers to extend binary losses to multiclass
    targets; with two classes the estimators use the binary loss directly.

    Parameters
    ----------
    base : BaseLoss
        A binary loss module.

    Examples
    --------
    >>> import torch
    >>> from sklearn_losses.losses import OneVsRestLoss, get_loss
    >>> loss = OneVsRestLoss(get_loss("hinge"))
    >>> loss(torch.zeros(2, 3), torch.tensor([0, 2]))
    tensor([3., 3.])
    """

    def __init__(self, base: BaseLoss):
        super().__init__()
        self.base = base

    @property
    def value_is_meaningful(self) -> bool:
        return self.base.value_is_meaningful

    def reset(self, n_samples: int, *, seed: int | None = None) -> None:
        self.base.reset(n_samples, seed=seed)

    def forward(self, scores, target, index=None):
        t = check_multiclass(scores, target)
        columns = [
            self.base(scores[:, k], (t == k).to(scores.dtype), index)
            for k in range(scores.shape[1])
        ]
        return torch.stack(columns, dim=1).sum(dim=1)
