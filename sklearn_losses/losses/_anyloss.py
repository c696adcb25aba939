"""AnyLoss: confusion-matrix metrics as losses (Han, Moniz, Chawla, KDD 2024)."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ._base import BaseLoss
from ._registry import register_loss

__all__ = [
    "METRICS",
    "AnyLoss",
    "amplify",
    "anyloss_loss",
    "soft_confusion_matrix",
]

#: Default steepness of the amplifier.  In float32, A(1) = sigmoid(L / 2)
#: rounds to exactly 1 from L = 34 on, and every confident prediction then has
#: zero gradient; the paper's L = 73 only holds in float64.  The authors'
#: later code uses 30; we keep 30 (A(1) = 1 - 3.1e-7 in float32).
DEFAULT_L = 30.0
_EPS = 1e-5


def amplify(p: torch.Tensor, *, L: float = DEFAULT_L) -> torch.Tensor:
    r"""The amplifier :math:`A(p) = \sigma(L (p - 1/2))`.

    Pushes probabilities towards 0 or 1 without reaching them, so that the
    soft confusion matrix is close to the hard one and still differentiable.

    Examples
    --------
    >>> import torch
    >>> amplify(torch.tensor([0.5]))
    tensor([0.5000])
    >>> bool(amplify(torch.tensor([1.0])) < 1)  # float32, default L
    True
    """
    return torch.sigmoid(L * (p - 0.5))


def soft_confusion_matrix(
    prob: torch.Tensor,
    target: torch.Tensor,
    *,
    L: float = DEFAULT_L,
    sample_weight: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    r"""Soft ``(tp, fn, fp, tn)`` of a batch, summed over its last-but-one axis.

    With :math:`\hat y_i = A(p_i)`: :math:`TP = \sum_i w_i y_i \hat y_i`,
    :math:`FN = \sum_i w_i y_i (1 - \hat y_i)`, :math:`FP = \sum_i w_i (1 - y_i)
    \hat y_i`, :math:`TN = \sum_i w_i (1 - y_i)(1 - \hat y_i)`.  The counts sum
    to the batch's (weighted) size: the reference code divides by the
    training-set size instead, which re-weights the classes of G-mean and
    balanced accuracy (a bug we do not reproduce).

    Parameters
    ----------
    prob : Tensor of shape (n,) or (n, n_classes)
        Probabilities of the positive class (one column per class for
        one-vs-rest counts).
    target : Tensor of the same shape as ``prob``
        Indicators in {0, 1}.
    L : float, default=30.0
    sample_weight : Tensor of shape (n,) or None

    Returns
    -------
    tp, fn, fp, tn : Tensors of shape () or (n_classes,)

    Examples
    --------
    >>> import torch
    >>> tp, fn, fp, tn = soft_confusion_matrix(
    ...     torch.tensor([1.0, 0.0, 1.0]), torch.tensor([1.0, 1.0, 0.0]), L=1000)
    >>> [round(float(v)) for v in (tp, fn, fp, tn)]
    [1, 1, 1, 0]
    """
    y_hat = amplify(prob, L=L)
    y = target.to(prob.dtype)
    # Three reductions: fn, fp and tn follow from tp, the (weighted)
    # positives, the soft predicted positives and the total weight.
    if sample_weight is None:
        wy, total, predicted = y, float(y.shape[0]), y_hat.sum(0)
    else:
        w = sample_weight.to(prob.dtype)
        if w.ndim < prob.ndim:
            w = w[:, None]
        wy, total, predicted = w * y, w.sum(0), (w * y_hat).sum(0)
    positives = wy.sum(0)
    tp = (wy * y_hat).sum(0)
    fp = predicted - tp
    return tp, positives - tp, fp, total - positives - fp


def _accuracy(tp, fn, fp, tn, beta):
    return (tp + tn) / (tp + fn + fp + tn + _EPS)


def _fbeta(tp, fn, fp, tn, beta):
    b2 = beta * beta
    return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp + _EPS)


def _f1(tp, fn, fp, tn, beta):
    return _fbeta(tp, fn, fp, tn, 1.0)


def _gmean(tp, fn, fp, tn, beta):
    tpr = tp / (tp + fn + _EPS)
    tnr = tn / (tn + fp + _EPS)
    return torch.sqrt(tpr * tnr + _EPS)


def _balanced_accuracy(tp, fn, fp, tn, beta):
    return 0.5 * (tp / (tp + fn + _EPS) + tn / (tn + fp + _EPS))


def _mcc(tp, fn, fp, tn, beta):
    num = tp * tn - fp * fn
    den = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)
    return num / torch.sqrt(den + _EPS)


#: Metrics by name: ``metric(tp, fn, fp, tn, beta) -> tensor`` (higher is better).
METRICS: dict[str, Callable] = {
    "accuracy": _accuracy,
    "f1": _f1,
    "fbeta": _fbeta,
    "gmean": _gmean,
    "balanced_accuracy": _balanced_accuracy,
    "mcc": _mcc,
}


def _resolve_metric(metric) -> Callable:
    if callable(metric):
        return lambda tp, fn, fp, tn, beta: metric(tp, fn, fp, tn)
    try:
        return METRICS[metric]
    except KeyError:
        raise ValueError(
            f"Unknown metric {metric!r}; valid names are {sorted(METRICS)} or a "
            "callable metric(tp, fn, fp, tn)."
        ) from None


def anyloss_loss(
    scores: torch.Tensor,
    target: torch.Tensor,
    *,
    metric="f1",
    beta: float = 1.0,
    L: float = DEFAULT_L,
    average: str = "macro",
    sample_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""One minus a confusion-matrix metric of the batch, repeated per sample.

    Binary scores (shape ``(n,)`` or ``(n, 1)``): :math:`p = \sigma(f)` and the
    loss is :math:`1 - M(TP, FN, FP, TN)` from :func:`soft_confusion_matrix`.
    Multiclass scores ``(n, K)`` (our extension beyond the paper):
    :math:`p = \mathrm{softmax}(f)`, one-vs-rest soft counts per class, then
    ``average="macro"`` (mean of the per-class metrics) or ``"micro"``
    (metric of the summed counts).

    Metrics: ``"accuracy"``, ``"f1"``, ``"fbeta"`` (with ``beta``),
    ``"gmean"`` (:math:`\sqrt{TPR \cdot TNR}`; the authors' extension drops
    the square root), ``"balanced_accuracy"``, ``"mcc"``, or a callable
    ``metric(tp, fn, fp, tn)``.  Denominators carry :math:`\epsilon = 10^{-5}`.

    Returns
    -------
    loss : Tensor of shape (n,)
        The batch value repeated, so that the mean over samples is the batch
        loss (the metric is not a sum over samples).

    References
    ----------
    .. [1] D. Han, N. Moniz, N. V. Chawla, "AnyLoss: Transforming
       Classification Metrics into Loss Functions", KDD 2024,
       arXiv:2405.14745.

    Examples
    --------
    >>> import torch
    >>> loss = anyloss_loss(torch.tensor([10.0, -10.0]), torch.tensor([1, 0]))
    >>> float(loss[0]) < 1e-3
    True
    """
    fn_metric = _resolve_metric(metric)
    n = scores.shape[0]
    flat = scores.reshape(n, -1)
    t = target.reshape(-1)
    if flat.shape[1] == 1:
        y = t.to(flat.dtype)
    else:
        y = torch.nn.functional.one_hot(t.long(), flat.shape[1]).to(flat.dtype)
    p = torch.sigmoid(flat[:, 0]) if y.ndim == 1 else torch.softmax(flat, dim=1)
    counts = soft_confusion_matrix(p, y, L=L, sample_weight=sample_weight)
    if average == "micro":
        value = fn_metric(*(c.sum() for c in counts), beta)
    else:
        value = fn_metric(*counts, beta).mean()
    return (1.0 - value).expand(n)


@register_loss("anyloss", task="binary", reference="Han, Moniz, Chawla, KDD 2024")
class AnyLoss(BaseLoss):
    """One minus a soft confusion-matrix metric (F1, G-mean, MCC, ...).

    Parameters
    ----------
    metric : str or callable, default="f1"
    beta : float, default=1.0
    L : float, default=30.0
    average : {"macro", "micro"}, default="macro"

    Notes
    -----
    Registered under the binary task; multiclass scores are handled by
    macro/micro one-vs-rest averaging.  Sample weights enter the soft counts
    (``handles_sample_weight``).

    Examples
    --------
    >>> import torch
    >>> AnyLoss(metric="gmean")(torch.tensor([3.0, -3.0]), torch.tensor([1, 0])).shape
    torch.Size([2])
    """

    handles_sample_weight = True
    is_batch_metric = True

    def __init__(
        self,
        metric="f1",
        beta: float = 1.0,
        L: float = DEFAULT_L,
        average: str = "macro",
    ):
        super().__init__()
        _resolve_metric(metric)
        self.metric = metric
        self.beta = beta
        self.L = L
        self.average = average

    def forward(self, scores, target, index=None, sample_weight=None):
        return anyloss_loss(
            scores,
            target,
            metric=self.metric,
            beta=self.beta,
            L=self.L,
            average=self.average,
            sample_weight=sample_weight,
        )

    def extra_repr(self) -> str:
        return f"metric={self.metric!r}, beta={self.beta}, L={self.L}"
