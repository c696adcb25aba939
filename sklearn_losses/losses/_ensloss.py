"""EnsLoss: random calibrated loss-derivatives drawn at every step (Dai, 2024).

EnsLoss never builds a loss.  SGD touches a margin loss only through its
derivative, so at every minibatch it draws derivatives that make the implied
loss convex, calibrated and bounded below, and steps with them.
"""

from __future__ import annotations

import numpy as np
import torch

from ._base import BaseLoss
from ._checks import binary_margin
from ._registry import register_loss

__all__ = [
    "EnsLoss",
    "ensloss_loss",
    "inverse_box_cox",
    "sample_calibrated_derivatives",
]


def inverse_box_cox(e: torch.Tensor, lambda_: float) -> torch.Tensor:
    r"""Inverse Box-Cox transform of ``e``.

    .. math:: \mathrm{BC}^{-1}_\lambda(e) = e^{e} \text{ if } \lambda = 0,
              \quad \max(1 + \lambda e, 0)^{1/\lambda} \text{ otherwise}.

    For :math:`\lambda < 0` a zero base gives :math:`+\infty` (no NaN); the
    derivative sampler clips it.

    Examples
    --------
    >>> import torch
    >>> inverse_box_cox(torch.tensor([0.0, 1.0]), 0.0)
    tensor([1.0000, 2.7183])
    """
    if lambda_ == 0:
        return torch.exp(e)
    base = torch.clamp(1.0 + lambda_ * e, min=0.0)
    return torch.pow(base, 1.0 / lambda_)


def sample_calibrated_derivatives(
    margins: torch.Tensor,
    *,
    lambda_: float = 0.0,
    clip: float = 1.0,
    tail_threshold: float = 1.0,
    eps: float = 1e-6,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Draw one random calibrated loss-derivative per margin.

    1. Draw :math:`B` standard normals :math:`e_k` on the margins' device and
       set :math:`r_k = -\mathrm{BC}^{-1}_\lambda(e_k)` (negative numbers).
    2. Sort them ascending and clip at :math:`-` ``clip``.
    3. Match by rank: the smallest margin gets the most negative derivative,
       so :math:`g` is nondecreasing in :math:`z` (the implied loss is
       convex).
    4. Divide :math:`g_i` by :math:`z_i` where :math:`z_i >` ``tail_threshold``
       (the superlinear tail that keeps the loss bounded below).
    5. Subtract ``eps``: every derivative is strictly negative, so the
       implied loss is classification-calibrated (Bartlett et al., 2006).

    Parameters
    ----------
    margins : Tensor of shape (n,)
        Margins :math:`z_i = y_i f(x_i)`; treated as constants.
    lambda_ : float, default=0.0
        Box-Cox parameter; 0 (the paper's value) gives negative log-normals.
    clip : float, default=1.0
        Derivatives are clipped to :math:`[-\mathrm{clip}, 0)`.
    tail_threshold : float, default=1.0
        Margin above which derivatives are divided by the margin.
    eps : float, default=1e-6
        Shift that makes every derivative strictly negative.
    generator : torch.Generator or None, default=None
        Random generator on the margins' device.

    Returns
    -------
    derivatives : Tensor of shape (n,)
        Values in :math:`[-\mathrm{clip} - \epsilon, -\epsilon]`, no gradient.

    Examples
    --------
    >>> import torch
    >>> z = torch.tensor([2.0, -1.0, 0.5])
    >>> g = sample_calibrated_derivatives(z, generator=torch.Generator().manual_seed(0))
    >>> bool((g < 0).all()), bool(g[1] <= g[2] <= g[0] * 2.0)
    (True, True)
    """
    z = margins.detach().reshape(-1)
    e = torch.randn(z.shape, generator=generator, device=z.device, dtype=z.dtype)
    r = -inverse_box_cox(e, lambda_)
    r = torch.clamp(torch.sort(r).values, min=-clip)
    g = torch.empty_like(r)
    g[torch.argsort(z)] = r
    tail = z > tail_threshold
    g = torch.where(tail, g / torch.where(tail, z, torch.ones_like(z)), g)
    return g - eps


def ensloss_loss(
    scores: torch.Tensor,
    target: torch.Tensor,
    *,
    lambda_: float = 0.0,
    clip: float = 1.0,
    tail_threshold: float = 1.0,
    eps: float = 1e-6,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    r"""Per-sample EnsLoss surrogate :math:`\mathrm{sg}(g_i)\, z_i`.

    Its gradient is :math:`g_i\, y_i \nabla f(x_i)`: SGD on the random
    calibrated loss whose derivative at :math:`z_i` is :math:`g_i` (drawn by
    :func:`sample_calibrated_derivatives`; ``sg`` stops the gradient).  The
    value itself is random and negative: do not monitor it.

    Parameters
    ----------
    scores : Tensor of shape (n,) or (n, 1)
    target : Tensor of shape (n,)
        Class indices in {0, 1}.
    lambda_, clip, tail_threshold, eps, generator
        See :func:`sample_calibrated_derivatives`.

    Returns
    -------
    loss : Tensor of shape (n,)

    References
    ----------
    .. [1] B. Dai, "EnsLoss: Stochastic Calibrated Loss Ensembles for
       Preventing Overfitting in Classification", ICML 2025,
       arXiv:2409.00908.

    Examples
    --------
    >>> import torch
    >>> gen = torch.Generator().manual_seed(0)
    >>> ensloss_loss(torch.tensor([1.5, -0.5]), torch.tensor([1, 1]),
    ...              generator=gen).shape
    torch.Size([2])
    """
    z = binary_margin(scores, target)
    g = sample_calibrated_derivatives(
        z,
        lambda_=lambda_,
        clip=clip,
        tail_threshold=tail_threshold,
        eps=eps,
        generator=generator,
    )
    return g * z


@register_loss("ensloss", task="binary", reference="Dai, ICML 2025")
class EnsLoss(BaseLoss):
    """Doubly stochastic calibrated loss ensemble (new derivatives per step).

    Parameters
    ----------
    lambda_ : float, default=0.0
        Box-Cox parameter of the derivative distribution.
    clip : float, default=1.0
        Lower clip (in absolute value) of the derivatives.
    tail_threshold : float, default=1.0
        Margin above which derivatives are divided by the margin.
    eps : float, default=1e-6
        Strict-negativity shift.

    Notes
    -----
    Draws come from a :class:`torch.Generator` on the scores' device, seeded
    by :meth:`reset` (the engine passes the fit's seed), so a seeded fit is
    reproducible.  The generator is dropped when pickling and recreated
    lazily.  ``value_is_meaningful`` is False: the engine records a fixed
    reference loss instead of this one.

    Examples
    --------
    >>> import torch
    >>> loss = EnsLoss()
    >>> loss.reset(3, seed=0)
    >>> loss(torch.tensor([0.2, -1.0, 3.0]), torch.tensor([1, 0, 1])).shape
    torch.Size([3])
    """

    value_is_meaningful = False

    def __init__(
        self,
        lambda_: float = 0.0,
        clip: float = 1.0,
        tail_threshold: float = 1.0,
        eps: float = 1e-6,
    ):
        super().__init__()
        self.lambda_ = lambda_
        self.clip = clip
        self.tail_threshold = tail_threshold
        self.eps = eps
        self.seed = None
        self._generator = None

    def reset(self, n_samples: int, *, seed: int | None = None) -> None:
        self.seed = seed
        self._generator = None

    def resample_lambda(self, rng: np.random.Generator) -> None:
        """Draw ``lambda_`` from U(-1, 1) (the authors' optional schedule)."""
        self.lambda_ = float(rng.uniform(-1.0, 1.0))

    def _get_generator(self, device: torch.device) -> torch.Generator:
        if self._generator is None or self._generator.device != device:
            seed = self.seed
            if seed is None:
                seed = int(torch.randint(2**31 - 1, (1,)).item())
            self._generator = torch.Generator(device=device).manual_seed(seed)
        return self._generator

    def forward(self, scores, target, index=None):
        return ensloss_loss(
            scores,
            target,
            lambda_=self.lambda_,
            clip=self.clip,
            tail_threshold=self.tail_threshold,
            eps=self.eps,
            generator=self._get_generator(scores.device),
        )

    def __getstate__(self):
        state = super().__getstate__() if hasattr(super(), "__getstate__") else None
        state = dict(self.__dict__ if state is None else state)
        state["_generator"] = None
        return state

    def extra_repr(self) -> str:
        return (
            f"lambda_={self.lambda_}, clip={self.clip}, "
            f"tail_threshold={self.tail_threshold}, eps={self.eps}"
        )
