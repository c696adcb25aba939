"""Exceptions and warnings raised by sklearn_losses.

Each subclasses both our base and the standard type a generic caller would
catch, the way skorch's ``NotInitializedError`` also subclasses
scikit-learn's ``NotFittedError``.
"""

from __future__ import annotations

__all__ = [
    "CollapseWarning",
    "DivergenceError",
    "SklearnLossesError",
    "SklearnLossesWarning",
]


class SklearnLossesError(Exception):
    """Base class of the errors raised by sklearn_losses."""


class SklearnLossesWarning(UserWarning):
    """Base class of the warnings raised by sklearn_losses."""


class DivergenceError(SklearnLossesError, FloatingPointError):
    """Training produced a non-finite loss; the model would be broken."""


class CollapseWarning(SklearnLossesWarning):
    """A fitted classifier predicts a single class for every training sample."""
