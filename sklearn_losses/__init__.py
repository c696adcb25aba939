"""sklearn_losses: recent loss-function research as scikit-learn estimators.

Estimators (each trains a skorch-wrapped torch module inside ``fit``):
:class:`EnsLossClassifier`, :class:`LDRClassifier`, :class:`AnyLossClassifier`,
:class:`LinearProbeClassifier`, :class:`MetricLearningTransformer`.
Sub-packages: :mod:`~sklearn_losses.losses` (the losses as pure torch code and
their registry), :mod:`~sklearn_losses.datasets` (bundled real data, OpenML,
label noise), :mod:`~sklearn_losses.metrics` (retrieval and threshold
consistency metrics), :mod:`~sklearn_losses.benchmark` (the command-line
benchmark).  Estimators are imported lazily, so ``import sklearn_losses`` and
the command line start fast.
"""

import importlib

__version__ = "0.1.0.dev0"

_LAZY = {
    "EnsLossClassifier": "._ensloss",
    "LDRClassifier": "._ldr",
    "AnyLossClassifier": "._anyloss",
    "LinearProbeClassifier": "._linear_probe",
    "MetricLearningTransformer": "._metric_learning",
    "datasets": ".datasets",
    "losses": ".losses",
    "metrics": ".metrics",
    "probe": ".probe",
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        value = module if _LAZY[name].endswith(name) else getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
