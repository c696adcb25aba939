"""Loss functions as pure torch code, and the registry that names them.

Conventions (every loss in this package follows them)
-----------------------------------------------------
* A loss is a function ``fn(scores, target, *, params) -> Tensor`` of shape
  ``(n_samples,)``: one value per sample, no reduction, on the input's device
  and dtype, no NumPy round trip and no Python loop over samples.  A thin
  :class:`torch.nn.Module` (``<Name>Loss``) stores the parameters;
  ``forward(scores, target, index=None)`` calls the function.
* ``task="binary"``: ``scores`` has shape ``(n,)`` or ``(n, 1)`` (a real
  score :math:`f(x)`); ``target`` holds class indices in {0, 1}; margin losses
  use :math:`z = y f(x)` with :math:`y = 2t - 1`.
* ``task="multiclass"``: ``scores`` has shape ``(n, n_classes)`` (logits);
  ``target`` holds class indices in ``[0, n_classes)``.
* ``task="embedding"``: ``scores`` are embeddings of shape ``(n, d)``;
  ``target`` holds class labels as integers.
* Reduction (mean, sample weights) lives in one helper, :func:`reduce_loss`.
  A batch with no valid term returns :func:`zero_loss` (scores times zero),
  which keeps ``backward()`` working, never a Python ``0`` or NaN.
* Losses with per-sample state (ALDR-KL's temperatures) set
  ``requires_index = True``; the engine then passes the training-set positions
  of the batch as ``index`` and calls ``reset(n_samples, seed=...)`` at the
  start of every fresh fit.
* :func:`get_loss` builds a registered loss by name; :func:`list_losses` and
  :func:`loss_info` expose the registry, which is the only list of loss names
  in the project.
"""

from . import (
    _anyloss,
    _crossentropy,
    _distances,
    _embedding,
    _ensloss,
    _ldr,
    _margin,
    _ovr,
    _probe,
    _robust,
)
from ._base import BaseLoss, FunctionLoss, reduce_loss, zero_loss  # noqa: F401
from ._registry import (  # noqa: F401
    LossInfo,
    get_loss,
    list_losses,
    loss_info,
    register_loss,
)

_FAMILIES = (
    _margin,
    _crossentropy,
    _ovr,
    _ensloss,
    _ldr,
    _robust,
    _anyloss,
    _distances,
    _embedding,
    _probe,
)
for _family in _FAMILIES:
    globals().update({_name: getattr(_family, _name) for _name in _family.__all__})

__all__ = sorted(
    [
        "BaseLoss",
        "FunctionLoss",
        "LossInfo",
        "get_loss",
        "list_losses",
        "loss_info",
        "reduce_loss",
        "register_loss",
        "zero_loss",
    ]
    + [_name for _family in _FAMILIES for _name in _family.__all__]
)
