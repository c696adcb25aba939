"""Shape and target checks shared by the loss functions (no hyperparameter checks)."""

from __future__ import annotations

import torch

__all__ = ["binary_margin", "check_multiclass"]


def binary_margin(scores: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Margins ``z = y * f`` with ``y = 2 t - 1`` for targets ``t`` in {0, 1}.

    ``scores`` may have shape ``(n,)`` or ``(n, 1)``.
    """
    f = scores.reshape(scores.shape[0], -1)
    if f.shape[1] != 1:
        raise ValueError(
            "A binary loss takes one score per sample, of shape (n,) or (n, 1); "
            f"got scores of shape {tuple(scores.shape)}."
        )
    f = f[:, 0]
    t = target.reshape(-1)
    if t.shape[0] != f.shape[0]:
        raise ValueError(
            f"scores and target disagree on the number of samples: {f.shape[0]} "
            f"!= {t.shape[0]}."
        )
    return f * (2.0 * t.to(f.dtype) - 1.0)


def check_multiclass(scores: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Check ``(n, K)`` scores against ``(n,)`` class indices; return int64 target."""
    if scores.ndim != 2:
        raise ValueError(
            "A multiclass loss takes scores of shape (n, n_classes); got shape "
            f"{tuple(scores.shape)}."
        )
    t = target.reshape(-1).long()
    if t.shape[0] != scores.shape[0]:
        raise ValueError(
            f"scores and target disagree on the number of samples: "
            f"{scores.shape[0]} != {t.shape[0]}."
        )
    return t
