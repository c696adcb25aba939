"""Base classes shared by every loss module.

A loss is two things: a pure per-sample function ``fn(scores, target, *, params)``
that returns a tensor of shape ``(n_samples,)``, and a thin :class:`torch.nn.Module`
that stores the parameters and calls the function.  :class:`FunctionLoss` builds
the module from the function's keyword-only parameters, so a new loss is a
function plus a three-line class.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from typing import Any, ClassVar

import torch
from torch import nn

__all__ = ["BaseLoss", "FunctionLoss", "reduce_loss", "zero_loss"]


def zero_loss(scores: torch.Tensor) -> torch.Tensor:
    """Return per-sample zeros that keep ``scores`` in the autograd graph.

    Used when a batch has no valid term: ``backward()`` still works and gives
    zero gradients, instead of failing on a tensor without ``grad_fn``.
    """
    n = scores.shape[0]
    return (scores.reshape(n, -1) * 0.0).sum(dim=1)


def reduce_loss(
    per_sample: torch.Tensor, sample_weight: torch.Tensor | None = None
) -> torch.Tensor:
    """Average per-sample losses, optionally weighted.

    The weighted average is ``mean(w * loss)``: weights are expected to be
    normalised once per fit (mean weight 1 over the training set), so a batch
    whose weights are all zero contributes zero rather than ``0 / 0``.
    """
    if per_sample.ndim != 1:
        raise ValueError(
            f"A loss must return one value per sample (shape (n,)); got shape "
            f"{tuple(per_sample.shape)}."
        )
    if sample_weight is None:
        return per_sample.mean()
    return (per_sample * sample_weight.to(per_sample.dtype)).mean()


class BaseLoss(nn.Module):
    """A per-sample loss module.

    ``forward(scores, target, index=None)`` returns a tensor of shape
    ``(n_samples,)``.  ``index`` holds the positions of the batch's samples in
    the training set; only losses with per-sample state (``requires_index``)
    use it.  :meth:`reset` is called by the training engine at the start of
    every fresh (non warm-started) fit.
    """

    #: Whether :meth:`forward` needs the training-set positions of the batch.
    requires_index: ClassVar[bool] = False
    #: Whether the loss value is a meaningful objective to monitor.  Losses
    #: with a random objective (EnsLoss) set it to False, and the engine then
    #: monitors a fixed reference instead.
    value_is_meaningful: ClassVar[bool] = True
    #: Whether :meth:`forward` takes ``sample_weight`` itself.  Losses that are
    #: not sums over samples (AnyLoss's soft confusion matrix) set it to True,
    #: weight inside, and return the batch value repeated per sample; the
    #: engine then averages without weighting again.
    handles_sample_weight: ClassVar[bool] = False
    #: Whether the loss accepts the raw outputs of any network as scores.
    #: False for losses whose scores must have a special meaning (the
    #: hybrid likelihood's joint log-likelihoods); estimators that train
    #: generic networks leave those out of their ``loss`` choices.
    takes_network_scores: ClassVar[bool] = True

    def reset(self, n_samples: int, *, seed: int | None = None) -> None:
        """Reset per-fit state for a training set of ``n_samples`` samples."""

    def forward(
        self,
        scores: torch.Tensor,
        target: torch.Tensor,
        index: torch.Tensor | None = None,
    ) -> torch.Tensor:  # pragma: no cover - abstract
        raise NotImplementedError


def _keyword_params(function: Callable) -> dict[str, Any]:
    sig = inspect.signature(function)
    return {
        name: p.default
        for name, p in sig.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }


class FunctionLoss(BaseLoss):
    """A loss module that calls a pure per-sample function.

    Subclasses set ``function`` (a ``staticmethod``); the module's constructor
    accepts exactly the function's keyword-only parameters, and an unknown one
    raises a :class:`TypeError` with a suggestion.
    """

    function: ClassVar[Callable[..., torch.Tensor]]

    def __init__(self, **params: Any) -> None:
        super().__init__()
        defaults = _keyword_params(type(self).function)
        unknown = sorted(set(params) - set(defaults))
        if unknown:
            hints = []
            for name in unknown:
                close = difflib.get_close_matches(name, list(defaults), n=1)
                hints.append(
                    f"{name!r}" + (f" (did you mean {close[0]!r}?)" * bool(close))
                )
            raise TypeError(
                f"{type(self).__name__} got unknown parameter(s) {', '.join(hints)}; "
                f"accepted: {sorted(defaults)}."
            )
        self.params = {**defaults, **params}

    def forward(
        self,
        scores: torch.Tensor,
        target: torch.Tensor,
        index: torch.Tensor | None = None,
    ) -> torch.Tensor:
        return type(self).function(scores, target, **self.params)

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.params.items())
