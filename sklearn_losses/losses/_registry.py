"""The loss registry: the only list of loss names in the project.

Estimators derive their ``loss`` constraint from it, the docs table and the
command-line choices are generated from it, and the common loss tests are
parametrised over it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from ._base import BaseLoss, FunctionLoss, _keyword_params

__all__ = ["LossInfo", "get_loss", "list_losses", "loss_info", "register_loss"]

TASKS = ("binary", "multiclass", "embedding")


@dataclass(frozen=True)
class LossInfo:
    """Metadata of a registered loss.

    Attributes
    ----------
    name : str
        Registry key, a lower-snake paper name.
    task : {"binary", "multiclass", "embedding"}
        What the scores mean: one score per sample (binary), one score per
        class (multiclass) or an embedding vector (embedding).
    module : type
        The :class:`~sklearn_losses.losses.BaseLoss` subclass.
    params : dict
        Parameter names and defaults accepted by the module.
    has_proba : bool
        Whether a softmax (multiclass) or sigmoid (binary) of the scores is a
        probability model under this loss.
    reference : str
        Paper the loss comes from.
    summary : str
        First line of the module's docstring.
    test_params : dict
        Parameters the common tests use (for instance a small margin).
    """

    name: str
    task: str
    module: type[BaseLoss]
    params: dict[str, Any]
    has_proba: bool
    reference: str
    summary: str
    test_params: dict[str, Any] = field(default_factory=dict)

    @property
    def stateful(self) -> bool:
        """Whether the loss keeps per-sample state keyed by sample index."""
        return self.module.requires_index


_LOSSES: dict[str, LossInfo] = {}


def _module_params(module: type[BaseLoss]) -> dict[str, Any]:
    if issubclass(module, FunctionLoss):
        return _keyword_params(module.function)
    sig = inspect.signature(module.__init__)
    return {
        n: p.default
        for n, p in sig.parameters.items()
        if n != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
    }


def _same_class(a: type, b: type) -> bool:
    """The same class imported twice (pytest's doctest import does that)."""
    return a.__qualname__ == b.__qualname__ and inspect.getfile(a) == inspect.getfile(b)


def register_loss(
    name: str,
    *,
    task: str,
    has_proba: bool = False,
    reference: str = "",
    test_params: dict[str, Any] | None = None,
) -> Callable[[type[BaseLoss]], type[BaseLoss]]:
    """Class decorator that adds a loss module to the registry."""
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}.")

    def decorator(module: type[BaseLoss]) -> type[BaseLoss]:
        previous = _LOSSES.get(name)
        if previous is not None and not _same_class(previous.module, module):
            raise ValueError(f"A loss named {name!r} is already registered.")
        if not (isinstance(module, type) and issubclass(module, BaseLoss)):
            raise TypeError(f"{module!r} is not a BaseLoss subclass.")
        doc = inspect.getdoc(module) or ""
        _LOSSES[name] = LossInfo(
            name=name,
            task=task,
            module=module,
            params=_module_params(module),
            has_proba=has_proba,
            reference=reference,
            summary=doc.splitlines()[0] if doc else "",
            test_params=dict(test_params or {}),
        )
        module.registry_name = name
        return module

    return decorator


def list_losses(task: str | None = None) -> list[str]:
    """Sorted names of the registered losses, optionally for one task.

    Parameters
    ----------
    task : {"binary", "multiclass", "embedding"} or None, default=None
        Keep only the losses of this task.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> from sklearn_losses.losses import list_losses
    >>> "hinge" in list_losses("binary")
    True
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {TASKS} or None; got {task!r}.")
    return sorted(n for n, info in _LOSSES.items() if task in (None, info.task))


def loss_info(name: str) -> LossInfo:
    """Metadata of the loss registered as ``name``."""
    try:
        return _LOSSES[name]
    except KeyError:
        raise ValueError(
            f"Unknown loss {name!r}. Valid names are: {', '.join(list_losses())}."
        ) from None


def get_loss(name: str, **params: Any) -> nn.Module:
    """Build the loss module registered as ``name``.

    Parameters
    ----------
    name : str
        Registry key, see :func:`list_losses`.
    **params
        Parameters of the loss (for instance ``margin=0.5``).

    Returns
    -------
    loss : BaseLoss
        A module whose ``forward(scores, target, index=None)`` returns one
        loss value per sample.

    Examples
    --------
    >>> import torch
    >>> from sklearn_losses.losses import get_loss
    >>> loss = get_loss("hinge")
    >>> loss(torch.tensor([2.0, 0.5, -1.0]), torch.tensor([1, 1, 1]))
    tensor([0.0000, 0.5000, 2.0000])
    """
    return loss_info(name).module(**params)
