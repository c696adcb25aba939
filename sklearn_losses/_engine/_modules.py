"""The default network and the resolution of a user-supplied ``module``."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from torch import nn

__all__ = ["ACTIVATIONS", "MLP", "build_module"]

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "identity": nn.Identity,
    "gelu": nn.GELU,
    "elu": nn.ELU,
}


class MLP(nn.Sequential):
    """Multilayer perceptron: blocks of ``Linear -> activation [-> BatchNorm]
    [-> Dropout]`` and a linear output layer.

    The block order (activation before batch norm) is the one of the EnsLoss
    paper's tabular MLP.  ``hidden_layer_sizes=()`` gives a linear model.

    Parameters
    ----------
    n_features : int
    n_outputs : int
    hidden_layer_sizes : sequence of int, default=(100,)
    activation : {"relu", "tanh", "logistic", "identity", "gelu", "elu"}
    batch_norm : bool, default=False
    dropout : float, default=0.0
    """

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        hidden_layer_sizes: Sequence[int] = (100,),
        activation: str = "relu",
        batch_norm: bool = False,
        dropout: float = 0.0,
    ):
        layers: list[nn.Module] = []
        width = n_features
        for size in hidden_layer_sizes:
            layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, n_outputs))
        super().__init__(*layers)


def build_module(module, n_features: int, n_outputs: int, **mlp_params) -> nn.Module:
    """Instantiate the network for one fit.

    ``module=None`` builds :class:`MLP` from ``mlp_params``.  A module
    *instance* is deep-copied, so every fit starts from the same weights and
    the user's object is never trained in place.  Anything else must be a
    callable (typically a module class) called as
    ``module(n_features, n_outputs)``.
    """
    if module is None:
        return MLP(n_features, n_outputs, **mlp_params)
    if isinstance(module, nn.Module):
        return copy.deepcopy(module)
    if callable(module):
        built = module(n_features, n_outputs)
        if not isinstance(built, nn.Module):
            raise TypeError(
                "module must be a torch.nn.Module instance or a callable "
                "(such as a module class) called as module(n_features, "
                f"n_outputs) that returns one; it returned {type(built).__name__}."
            )
        return built
    raise TypeError(
        "module must be None, a torch.nn.Module instance or a callable; got "
        f"{type(module).__name__}."
    )
