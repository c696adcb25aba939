"""The training engine shared by every estimator (and by nothing else).

It knows no estimator: it trains a torch module with a per-sample loss on
in-memory tensors, through skorch's loop.
"""

from ._callbacks import DivergenceGuard, EpochLog, StopOnPlateau, ValidationScore
from ._data import BatchTarget, TensorBatches, TensorData, TensorSplit
from ._modules import ACTIVATIONS, MLP, build_module
from ._net import OPTIMIZERS, TensorNet, build_optimizer
from ._runtime import fit_context, resolve_device, seed_from_random_state

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "OPTIMIZERS",
    "BatchTarget",
    "DivergenceGuard",
    "EpochLog",
    "StopOnPlateau",
    "TensorBatches",
    "TensorData",
    "TensorNet",
    "TensorSplit",
    "ValidationScore",
    "build_module",
    "build_optimizer",
    "fit_context",
    "resolve_device",
    "seed_from_random_state",
]
