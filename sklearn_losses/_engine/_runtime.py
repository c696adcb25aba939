"""Device, seeding and thread settings of one fit."""

from __future__ import annotations

import contextlib

import numpy as np
import torch
from sklearn.utils import check_random_state

__all__ = ["fit_context", "resolve_device", "seed_from_random_state"]

#: Below this many multiply-adds per training step (parameters x batch size),
#: one torch thread is faster than several: the matrices are too small for
#: the parallel kernels to pay for their synchronisation.  Measured on the
#: engine benchmark (20 -> 64 -> 2, batch 128): 1 thread is 1.1x faster
#: than 2 threads; a 1024-wide MLP gains from every core.
SMALL_STEP_WORK = 2**24


def resolve_device(device: str) -> str:
    """Map ``"auto"`` to ``"cuda"`` when available, and check ``"cuda"``."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available; use "
            "device='cpu' or device='auto'."
        )
    return device


def seed_from_random_state(random_state) -> int:
    """A torch seed drawn from a scikit-learn ``random_state``.

    An int gives the same seed every time, so refitting with the same
    ``random_state`` reproduces the model exactly.
    """
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextlib.contextmanager
def fit_context(seed: int, device: str, work_per_step: float):
    """Isolate one fit: seeded torch RNG (restored afterwards) and threads.

    The global torch RNG is forked so that a fit neither depends on nor
    changes the caller's random state; inside it, module initialisation and
    dropout are seeded from ``seed``.  When a training step is small
    (``work_per_step < SMALL_STEP_WORK``) torch runs single-threaded for the
    fit; otherwise the caller's thread setting (which joblib workers already
    limit to one) is kept.
    """
    devices = [torch.cuda.current_device()] if device.startswith("cuda") else []
    threads = torch.get_num_threads()
    try:
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            if work_per_step < SMALL_STEP_WORK and threads > 1:
                torch.set_num_threads(1)
            yield
    finally:
        torch.set_num_threads(threads)
