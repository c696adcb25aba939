"""Embedding (deep metric learning) losses: triplet, contrastive, Proto-Triplet,
ICNN and the Threshold-Consistent Margin (TCM) regulariser.

Conventions shared by every loss here
-------------------------------------
* ``embeddings`` has shape ``(n, d)``; ``target`` holds ``n`` integer labels.
  For anchor ``i`` the *positives* are the other samples with its label and
  the *negatives* the samples with another label.
* **Reduction.** The per-sample output is the loss *of each anchor*, the
  average of that anchor's own terms; the batch loss is the plain mean over
  anchors (what the engine computes), and sample weights weight anchors.  We
  never average over non-zero terms only (pytorch-metric-learning's
  ``AvgNonZeroReducer``): anchors whose terms are all satisfied count as 0.
  ICNN is a batch-level score; its output is the batch loss repeated.
* **Degenerate batches.** An anchor without a positive or without a negative
  has no triplet: its value is 0, kept in the autograd graph, never NaN.  The
  pair losses (contrastive, TCM) keep the part that exists (negatives only).
  Each module records ``n_valid_`` after every forward: a 0-d tensor counting
  the anchors with at least one positive and one negative
  (:func:`valid_anchors`), so the estimator can warn about such batches.
* **Distances** are named by a string (:func:`list_distances`) and follow
  :class:`~sklearn_losses.losses.BaseDistance`'s sign convention, so each loss
  is written once for distances and the cosine similarity.
* **TCM as an add-on.** Every module but ``"tcm"`` takes ``tcm_weight``
  (default 0): its forward adds ``tcm_weight * tcm_loss(embeddings, target)``
  with TCM's paper defaults (PML's ``MultipleLosses([base, TCM])``).
* **Metrix mixup** (``mixup_alpha > 0``, triplet and contrastive): see
  :func:`triplet_loss`.  The module draws one ``lambda ~ Beta(alpha, alpha)``
  per training batch from torch's global generator; in eval mode (validation
  loss) no mixing is done.  Input-space mixup is not done by a loss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import torch

from ._base import BaseLoss, zero_loss
from ._distances import BaseDistance, CosineSimilarity, get_distance
from ._registry import register_loss

__all__ = [
    "ContrastiveLoss",
    "EmbeddingLoss",
    "ICNNLoss",
    "ProtoTripletLoss",
    "TCMLoss",
    "TripletLoss",
    "contrastive_loss",
    "icnn_loss",
    "proto_triplet_loss",
    "tcm_loss",
    "triplet_loss",
    "valid_anchors",
]

_Distance = str | BaseDistance


def _pair_masks(embeddings: torch.Tensor, target: torch.Tensor):
    """Check shapes; return (labels, positive mask, negative mask), (n, n) each."""
    t = _checked_target(embeddings, target)
    same = t[:, None] == t[None, :]
    eye = torch.eye(len(t), dtype=torch.bool, device=t.device)
    return t, same & ~eye, ~same


def _checked_target(embeddings: torch.Tensor, target: torch.Tensor):
    """Check shapes; return the labels as a flat tensor on the embeddings' device."""
    if embeddings.ndim != 2:
        raise ValueError(
            "An embedding loss takes embeddings of shape (n, d); got shape "
            f"{tuple(embeddings.shape)}."
        )
    t = target.reshape(-1).to(embeddings.device)
    if t.shape[0] != embeddings.shape[0]:
        raise ValueError(
            f"embeddings and target disagree on the number of samples: "
            f"{embeddings.shape[0]} != {t.shape[0]}."
        )
    return t


def valid_anchors(target: torch.Tensor) -> torch.Tensor:
    """Boolean mask of anchors with at least one positive and one negative.

    Examples
    --------
    >>> import torch
    >>> valid_anchors(torch.tensor([0, 0, 1, 2]))
    tensor([ True,  True, False, False])
    """
    t = target.reshape(-1)
    same = t[:, None] == t[None, :]
    return (same.sum(1) > 1) & (~same).any(1)


def _hardest(mat, mask, largest):
    """Index of the largest (or smallest) masked entry per row, and row validity."""
    fill = -torch.inf if largest else torch.inf
    filled = mat.masked_fill(~mask, fill)
    idx = filled.argmax(1) if largest else filled.argmin(1)
    return idx, mask.any(1)


def _batch_hard(mat, pos, neg, dist):
    """Hardest positive and negative per anchor (under ``dist``'s sign)."""
    p_idx, has_p = _hardest(mat, pos, largest=not dist.is_inverted)
    n_idx, has_n = _hardest(mat, neg, largest=dist.is_inverted)
    ap = mat.gather(1, p_idx[:, None])[:, 0]
    an = mat.gather(1, n_idx[:, None])[:, 0]
    return p_idx, n_idx, ap, an, has_p & has_n


def _masked_mean(values, mask):
    mask = mask.to(values.dtype)
    return (values * mask).sum(1) / mask.sum(1).clamp_min(1.0)


def triplet_loss(
    embeddings: torch.Tensor,
    target: torch.Tensor,
    *,
    margin: float = 0.2,
    distance: _Distance = "euclidean",
    normalize_embeddings: bool = True,
    mixup_lambda: float | None = None,
    mixup_weight: float = 0.4,
) -> torch.Tensor:
    r"""Batch-hard triplet margin loss per anchor, with optional Metrix mixup.

    For anchor :math:`a` with hardest positive :math:`p^* = \arg\max_p d(a, p)`
    and hardest negative :math:`n^* = \arg\min_n d(a, n)`:

    .. math:: \ell_a = [\, d(a, p^*) - d(a, n^*) + m \,]_+

    (for a similarity, :math:`[s(a, n^*) - s(a, p^*) + m]_+`).  Anchors with
    no positive or no negative give 0.  The batch loss, the mean over all
    anchors, is Hermans et al.'s batch-hard loss; pytorch-metric-learning's
    ``TripletMarginLoss`` instead averages over the non-zero terms of all
    triplets.

    **Metrix mixup** (Venkataramanan et al., 2022), embedding-space variant:
    with ``mixup_lambda`` :math:`\lambda`, each valid anchor also sees
    :math:`v = \lambda f_{p^*} + (1 - \lambda) f_{n^*}`, a mix of its hardest
    positive and hardest negative (Metrix's positive-negative pairing with
    the top-1 hardest negative), whose interpolated pair label is
    :math:`\lambda`: it takes the positive's slot with weight :math:`\lambda`
    and the negative's with weight :math:`1 - \lambda`,

    .. math:: \tilde\ell_a = \lambda [d(a, v) - d(a, n^*) + m]_+
        + (1 - \lambda) [d(a, p^*) - d(a, v) + m]_+ ,

    and the anchor's loss is :math:`\ell_a + w \tilde\ell_a`.  Anchors without
    positives are not mixed (Metrix's anchor-negative pairing is not done).

    Parameters
    ----------
    embeddings : Tensor of shape (n, d)
    target : Tensor of shape (n,)
        Integer class labels.
    margin : float, default=0.2
        Margin :math:`m` >= 0 (FaceNet's and Hermans et al.'s 0.2 on
        normalised embeddings; PML's default is 0.05).
    distance : str or BaseDistance, default="euclidean"
        See :func:`~sklearn_losses.losses.list_distances`.
    normalize_embeddings : bool, default=True
        L2-normalise embeddings inside the distance (PML's default).
    mixup_lambda : float in [0, 1] or None, default=None
        Metrix interpolation coefficient; None disables mixing.
    mixup_weight : float, default=0.4
        Weight :math:`w` >= 0 of the mixed term (Metrix's 0.4).

    Returns
    -------
    loss : Tensor of shape (n,)

    References
    ----------
    A. Hermans, L. Beyer, B. Leibe. "In Defense of the Triplet Loss for
    Person Re-Identification". arXiv:1703.07737, 2017.
    S. Venkataramanan, B. Psomas, E. Kijak, L. Amsaleg, K. Karantzalos,
    Y. Avrithis. "It Takes Two to Tango: Mixup for Deep Metric Learning".
    ICLR 2022, arXiv:2106.04990.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[0.0, 1.0], [0.0, 2.0], [1.0, 0.0]])
    >>> triplet_loss(x, torch.tensor([0, 0, 1]), distance="cosine")
    tensor([0., 0., 0.])
    >>> triplet_loss(x, torch.tensor([0, 1, 0]), distance="cosine")
    tensor([1.2000, 0.0000, 0.2000])
    """
    dist = get_distance(distance, normalize_embeddings=normalize_embeddings)
    _, pos, neg = _pair_masks(embeddings, target)
    mat = dist.pairwise(embeddings)
    p_idx, n_idx, ap, an, valid = _batch_hard(mat, pos, neg, dist)
    loss = torch.relu(dist.margin(ap, an) + margin)
    if mixup_lambda is not None:
        lam = mixup_lambda
        mixed = lam * embeddings[p_idx] + (1.0 - lam) * embeddings[n_idx]
        av = dist.paired(embeddings, mixed)
        loss = loss + mixup_weight * (
            lam * torch.relu(dist.margin(av, an) + margin)
            + (1.0 - lam) * torch.relu(dist.margin(ap, av) + margin)
        )
    return torch.where(valid, loss, zero_loss(embeddings))


def _contrastive_margins(dist, pos_margin, neg_margin):
    default = (1.0, 0.5) if dist.is_inverted else (0.0, 1.0)
    return (
        default[0] if pos_margin is None else pos_margin,
        default[1] if neg_margin is None else neg_margin,
    )


def contrastive_loss(
    embeddings: torch.Tensor,
    target: torch.Tensor,
    *,
    pos_margin: float | None = None,
    neg_margin: float | None = None,
    distance: _Distance = "euclidean",
    normalize_embeddings: bool = True,
    mixup_lambda: float | None = None,
    mixup_weight: float = 0.4,
) -> torch.Tensor:
    r"""Contrastive loss per anchor (PML form), with optional Metrix mixup.

    .. math:: \ell_a = \operatorname{mean}_{p \in P(a)} [d(a, p) - m_+]_+
        + \operatorname{mean}_{n \in N(a)} [m_- - d(a, n)]_+

    (for a similarity: :math:`[m_+ - s]_+` and :math:`[s - m_-]_+`).  An
    empty mean is 0: an anchor without positives keeps its negative part.
    Each anchor averages its own pairs (zeros included), where PML's default
    reducer averages the non-zero pair terms of the whole batch.

    With ``mixup_lambda`` :math:`\lambda`, each anchor with a positive and a
    negative adds :math:`w\,[\lambda [d(a, v) - m_+]_+ + (1 - \lambda)
    [m_- - d(a, v)]_+]` for :math:`v = \lambda f_{p^*} + (1 - \lambda)
    f_{n^*}` (hardest positive and negative): Metrix's mixed contrastive term
    with interpolated label :math:`\lambda`, one mixed pair per anchor.

    Parameters
    ----------
    embeddings : Tensor of shape (n, d)
    target : Tensor of shape (n,)
    pos_margin, neg_margin : float or None, default=None
        Margins :math:`m_+, m_-`.  None uses PML's (0, 1) for distances and
        the equivalent (1, 0.5) for the cosine similarity (on normalised
        embeddings, Euclidean distance 0 and 1 are cosine 1 and 0.5).
    distance : str or BaseDistance, default="euclidean"
    normalize_embeddings : bool, default=True
    mixup_lambda : float in [0, 1] or None, default=None
    mixup_weight : float, default=0.4

    Returns
    -------
    loss : Tensor of shape (n,)

    References
    ----------
    R. Hadsell, S. Chopra, Y. LeCun. "Dimensionality Reduction by Learning an
    Invariant Mapping". CVPR 2006.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    >>> contrastive_loss(x, torch.tensor([0, 0, 1]), distance="cosine")
    tensor([0.2929, 0.5000, 0.1036])
    """
    dist = get_distance(distance, normalize_embeddings=normalize_embeddings)
    m_pos, m_neg = _contrastive_margins(dist, pos_margin, neg_margin)
    _, pos, neg = _pair_masks(embeddings, target)
    mat = dist.pairwise(embeddings)
    loss = _masked_mean(torch.relu(dist.margin(mat, m_pos)), pos) + _masked_mean(
        torch.relu(dist.margin(m_neg, mat)), neg
    )
    if mixup_lambda is not None:
        lam = mixup_lambda
        p_idx, n_idx, _, _, valid = _batch_hard(mat, pos, neg, dist)
        mixed = lam * embeddings[p_idx] + (1.0 - lam) * embeddings[n_idx]
        av = dist.paired(embeddings, mixed)
        term = lam * torch.relu(dist.margin(av, m_pos)) + (1.0 - lam) * torch.relu(
            dist.margin(m_neg, av)
        )
        loss = loss + mixup_weight * torch.where(valid, term, zero_loss(embeddings))
    return loss


def proto_triplet_loss(
    embeddings: torch.Tensor,
    target: torch.Tensor,
    *,
    margin: float = 0.5,
    distance: _Distance = "euclidean",
    normalize_embeddings: bool = False,
) -> torch.Tensor:
    r"""Proto-Triplet loss per anchor with leave-one-out class prototypes.

    .. math:: \ell_i = [\, d(f_i, c_{y_i}^{(-i)})
        - \min_{k \ne y_i} d(f_i, c_k) + m \,]_+

    with :math:`c_k` the mean embedding of class :math:`k` in the batch and
    :math:`c_{y_i}^{(-i)}` the mean of the *other* samples of :math:`i`'s
    class.  Mendez-Ruiz et al. compute prototypes on an episode's support
    set and the loss on its disjoint queries; a plain minibatch has no such
    split, so every sample is a query and its own prototype leaves it out
    (the other classes' prototypes use all their samples).  Anchors alone in
    their class, or in a one-class batch, give 0.  The paper averages over
    queries; our mean over anchors is the same reduction.  The default
    distance is the authors' stabilised Euclidean distance (not squared).

    Parameters
    ----------
    embeddings : Tensor of shape (n, d)
    target : Tensor of shape (n,)
    margin : float, default=0.5
        Margin :math:`m` >= 0 (the paper's 0.5).
    distance : str or BaseDistance, default="euclidean"
    normalize_embeddings : bool, default=False
        L2-normalise embeddings and prototypes inside the distance.

    Returns
    -------
    loss : Tensor of shape (n,)

    References
    ----------
    M. Mendez-Ruiz, J. Gonzalez-Zapata, I. Reyes-Amezcua, D. Flores-Araiza,
    F. Lopez-Tiro, A. Mendez-Vazquez, G. Ochoa-Ruiz. "SuSana Distancia is all
    you need: Enforcing class separability in metric learning via two novel
    distance-based loss functions for few-shot image classification".
    arXiv:2305.09062, 2023.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[0.0], [2.0], [3.0], [5.0]])
    >>> proto_triplet_loss(x, torch.tensor([0, 0, 1, 1]), distance="squared_euclidean")
    tensor([0.0000, 0.5000, 0.5000, 0.0000])
    """
    dist = get_distance(distance, normalize_embeddings=normalize_embeddings)
    t = _checked_target(embeddings, target)
    # Per-class sums through a one-hot matrix: O(n K d), not O(n^2 d).
    _, inverse = torch.unique(t, return_inverse=True)
    onehot = torch.nn.functional.one_hot(inverse).to(embeddings.dtype)  # (n, K)
    class_counts = onehot.sum(0)
    class_sums = onehot.T @ embeddings
    counts = class_counts[inverse]  # size of each sample's class
    loo = (class_sums[inverse] - embeddings) / (counts - 1.0).clamp_min(1.0)[:, None]
    d_pos = dist.paired(embeddings, loo)
    mat = dist.pairwise(embeddings, class_sums / class_counts[:, None])  # (n, K)
    n_idx, has_neg = _hardest(mat, onehot == 0, largest=dist.is_inverted)
    d_neg = mat.gather(1, n_idx[:, None])[:, 0]
    loss = torch.relu(dist.margin(d_pos, d_neg) + margin)
    return torch.where((counts > 1) & has_neg, loss, zero_loss(embeddings))


def icnn_loss(
    embeddings: torch.Tensor,
    target: torch.Tensor,
    *,
    k: int = 4,
    distance: _Distance = "euclidean",
    normalize_embeddings: bool = False,
    sample_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    r"""ICNN loss :math:`-\log \mathrm{score}`, the batch value per sample.

    The inter/intra-class nearest-neighbour score of Mendez-Ruiz et al.
    (their released ``modified_score``), on the batch against itself, with
    ``ipc = k + 1`` neighbours (self excluded by masking the diagonal).  Per
    point :math:`i`, with neighbour distances :math:`d_{ij}` sorted
    ascending, same-class flags :math:`s_{ij}` and :math:`\delta_i` the
    nearest different-class distance among the ``k + 1`` neighbours:

    * :math:`n_{ij} = (d_{ij}/\delta_i) / \max(1, \max_{j \le k} d_{ij}/\delta_i)`
      (0 when no impostor is near);
    * :math:`\lambda_{sc} = 1 - \operatorname{mean}_i \operatorname{mean}_{j
      \le k, s_{ij}} n_{ij}` over points with a same-class neighbour;
    * :math:`\lambda_{dc} = |\operatorname{mean}_i \operatorname{mean}_{j \le
      k, \lnot s_{ij}} e_{ij} + o|`, :math:`e_{ij} = d_{ij} / \max e` over
      points with an impostor, :math:`o = -1` if no point has one (else 0);
    * :math:`\gamma = \operatorname{mean}_i \frac1k \sum_{j \le k} s_{ij}`,
      the k-NN label purity; it has **no gradient** (integer counts), only
      the :math:`\lambda` terms train the network;
    * :math:`\mathrm{score} = ((\lambda_{sc} + \lambda_{dc})/2 + \gamma)/2
      \in [0, 1]`, loss :math:`-\log \max(\mathrm{score}, 10^{-12})`.

    As in the authors' code, means carry ``+1e-7`` in their denominators,
    ``k`` is clamped to ``n - 2`` and then :math:`\gamma = 1`.  Deviations:
    a batch with fewer than 3 samples or with no positive pair gives 0 (the
    score is then meaningless).  Sample weights weight the means over points.

    Parameters
    ----------
    embeddings : Tensor of shape (n, d)
    target : Tensor of shape (n,)
    k : int, default=4
        Number of nearest neighbours, >= 1 (the paper's 4).
    distance : str or BaseDistance, default="euclidean"
        A similarity is turned into the distance ``1 - s``.
    normalize_embeddings : bool, default=False
    sample_weight : Tensor of shape (n,) or None, default=None

    Returns
    -------
    loss : Tensor of shape (n,)
        The batch loss repeated (ICNN is not a sum over samples).

    References
    ----------
    M. Mendez-Ruiz et al., arXiv:2305.09062, 2023 (see
    :func:`proto_triplet_loss`).

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]])
    >>> icnn_loss(x, torch.tensor([0, 0, 0, 1, 1, 1]), k=1)
    tensor([0., 0., 0., 0., 0., 0.])
    """
    t, pos, _ = _pair_masks(embeddings, target)
    n, eps = embeddings.shape[0], 1e-7
    if n < 3:
        return zero_loss(embeddings)
    dist = get_distance(distance, normalize_embeddings=normalize_embeddings)
    mat = dist.pairwise(embeddings)
    mat = 1.0 - mat if dist.is_inverted else mat
    clamped = k + 2 >= n
    k = n - 2 if clamped else k
    eye = torch.eye(n, dtype=torch.bool, device=mat.device)
    d, idx = mat.masked_fill(eye, torch.inf).topk(k + 1, dim=1, largest=False)
    sc = t[idx] == t[:, None]
    delta = d.masked_fill(sc, torch.inf).amin(1, keepdim=True)
    nd = d[:, :k] / (delta + eps)
    nd = nd / nd.amax(1, keepdim=True).clamp_min(1.0)
    sc = sc[:, :k].to(d.dtype)
    dc = 1.0 - sc
    w = torch.ones_like(d[:, 0]) if sample_weight is None else sample_weight
    w = w.to(d.dtype)
    sc_n, dc_n = sc.sum(1), dc.sum(1)
    sc_mean = (nd * sc).sum(1) / (sc_n + eps)
    lam_sc = 1.0 - (w * sc_mean).sum() / ((w * (sc_n > 0)).sum() + eps)
    e = d[:, :k] * dc
    e = e / (e.max() + eps)
    dc_mean = e.sum(1) / (dc_n + eps)
    lam_dc = (w * dc_mean).sum() / ((w * (dc_n > 0)).sum() + eps)
    lam_dc = (lam_dc - (dc_n.sum() == 0).to(d.dtype)).abs()
    if clamped:
        gamma = torch.ones((), dtype=d.dtype, device=d.device)
    else:
        gamma = (w * sc_n / k).sum() / w.sum().clamp_min(eps)
    score = ((lam_sc + lam_dc) / 2.0 + gamma) / 2.0
    loss = -torch.log(score.clamp_min(1e-12))
    loss = torch.where(pos.any(), loss, torch.zeros_like(loss))
    return loss + zero_loss(embeddings)


def tcm_loss(
    embeddings: torch.Tensor,
    target: torch.Tensor,
    *,
    lambda_plus: float = 1.0,
    lambda_minus: float = 1.0,
    margin_plus: float = 0.9,
    margin_minus: float = 0.5,
) -> torch.Tensor:
    r"""Threshold-Consistent Margin (TCM) regulariser per anchor.

    With cosine similarities :math:`s_{ij}`, hard positives
    :math:`H_+(a) = \{p \in P(a) : s_{ap} \le m_+\}` and hard negatives
    :math:`H_-(a) = \{n \in N(a) : s_{an} \ge m_-\}`:

    .. math:: \ell_a = \lambda_+ \operatorname{mean}_{p \in H_+(a)}
        (m_+ - s_{ap}) + \lambda_- \operatorname{mean}_{n \in H_-(a)}
        (s_{an} - m_-)

    (an empty mean is 0).  The paper and PML average over the hard pairs of
    the whole batch; we average over each anchor's hard pairs, then over
    anchors, which is equal when every anchor has as many hard positives
    (and hard negatives) as the others.  Cosine only, as in the paper.  To
    add TCM to another loss, use that loss's ``tcm_weight``.

    Parameters
    ----------
    embeddings : Tensor of shape (n, d)
    target : Tensor of shape (n,)
    lambda_plus, lambda_minus : float, default=1.0
        Weights of the positive and negative parts, >= 0.
    margin_plus : float, default=0.9
        Similarity below which a positive pair is hard, in [-1, 1].
    margin_minus : float, default=0.5
        Similarity above which a negative pair is hard, in [-1, 1].

    Returns
    -------
    loss : Tensor of shape (n,)

    References
    ----------
    Q. Zhang, L. Xu, Q. Tang, J. Fang, Y. N. Wu, J. Tighe, Y. Xing.
    "Threshold-Consistent Margin Loss for Open-World Deep Metric Learning".
    ICLR 2024, arXiv:2307.04047.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
    >>> tcm_loss(x, torch.tensor([0, 0, 1]))
    tensor([0.1000, 0.2000, 0.1000])
    """
    _, pos, neg = _pair_masks(embeddings, target)
    s = CosineSimilarity().pairwise(embeddings)
    hard_pos = pos & (s <= margin_plus)
    hard_neg = neg & (s >= margin_minus)
    return lambda_plus * _masked_mean(margin_plus - s, hard_pos) + (
        lambda_minus * _masked_mean(s - margin_minus, hard_neg)
    )


class EmbeddingLoss(BaseLoss):
    """Base of the embedding loss modules: the loss, plus TCM and Metrix mixup.

    ``forward`` calls ``function`` with the stored parameters, adds
    ``tcm_weight * tcm_loss`` when ``tcm_weight`` > 0, draws the Metrix
    coefficient when the module is training with ``mixup_alpha`` > 0, and
    sets ``n_valid_`` (0-d tensor, see :func:`valid_anchors`).  For a loss
    that weights samples itself (ICNN), the TCM term of each anchor is
    multiplied by its weight, as the engine would do.
    """

    function: ClassVar[Callable[..., torch.Tensor]]

    def __init__(self, **params: Any) -> None:
        super().__init__()
        self.init_params = dict(params)
        self.tcm_weight = params.pop("tcm_weight", 0.0)
        self.mixup_alpha = params.pop("mixup_alpha", None)
        self.params = params
        self.n_valid_: torch.Tensor | None = None

    def _mixup_lambda(self) -> float | None:
        if self.mixup_alpha is None or self.mixup_alpha <= 0 or not self.training:
            return None
        a = torch.tensor(float(self.mixup_alpha))
        return float(torch.distributions.Beta(a, a).sample())

    def forward(self, scores, target, index=None, sample_weight=None):
        params = dict(self.params)
        if self.mixup_alpha is not None:
            params["mixup_lambda"] = self._mixup_lambda()
        if self.handles_sample_weight:
            params["sample_weight"] = sample_weight
        loss = type(self).function(scores, target, **params)
        self.n_valid_ = valid_anchors(target).sum()
        if self.tcm_weight:
            tcm = tcm_loss(scores, target)
            if self.handles_sample_weight and sample_weight is not None:
                tcm = tcm * sample_weight.to(tcm.dtype)
            loss = loss + self.tcm_weight * tcm
        return loss

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v!r}" for k, v in self.init_params.items())


_TRIPLET_REF = "Hermans et al., 2017 (batch hard); Metrix, ICLR 2022"


@register_loss("triplet", task="embedding", reference=_TRIPLET_REF)
class TripletLoss(EmbeddingLoss):
    """Batch-hard triplet margin loss (optional Metrix mixup and TCM)."""

    function = staticmethod(triplet_loss)

    def __init__(
        self,
        *,
        margin: float = 0.2,
        distance: _Distance = "euclidean",
        normalize_embeddings: bool = True,
        mixup_alpha: float = 0.0,
        mixup_weight: float = 0.4,
        tcm_weight: float = 0.0,
    ) -> None:
        super().__init__(
            margin=margin,
            distance=distance,
            normalize_embeddings=normalize_embeddings,
            mixup_alpha=mixup_alpha,
            mixup_weight=mixup_weight,
            tcm_weight=tcm_weight,
        )


@register_loss("contrastive", task="embedding", reference="Hadsell et al., 2006")
class ContrastiveLoss(EmbeddingLoss):
    """Contrastive pair loss (optional Metrix mixup and TCM)."""

    function = staticmethod(contrastive_loss)

    def __init__(
        self,
        *,
        pos_margin: float | None = None,
        neg_margin: float | None = None,
        distance: _Distance = "euclidean",
        normalize_embeddings: bool = True,
        mixup_alpha: float = 0.0,
        mixup_weight: float = 0.4,
        tcm_weight: float = 0.0,
    ) -> None:
        super().__init__(
            pos_margin=pos_margin,
            neg_margin=neg_margin,
            distance=distance,
            normalize_embeddings=normalize_embeddings,
            mixup_alpha=mixup_alpha,
            mixup_weight=mixup_weight,
            tcm_weight=tcm_weight,
        )


_SUSANA = "Mendez-Ruiz et al., arXiv:2305.09062, 2023"


@register_loss("proto_triplet", task="embedding", reference=_SUSANA)
class ProtoTripletLoss(EmbeddingLoss):
    """Proto-Triplet loss with leave-one-out class prototypes (optional TCM)."""

    function = staticmethod(proto_triplet_loss)

    def __init__(
        self,
        *,
        margin: float = 0.5,
        distance: _Distance = "euclidean",
        normalize_embeddings: bool = False,
        tcm_weight: float = 0.0,
    ) -> None:
        super().__init__(
            margin=margin,
            distance=distance,
            normalize_embeddings=normalize_embeddings,
            tcm_weight=tcm_weight,
        )


@register_loss("icnn", task="embedding", reference=_SUSANA)
class ICNNLoss(EmbeddingLoss):
    """ICNN nearest-neighbour score loss, -log(score) (optional TCM)."""

    function = staticmethod(icnn_loss)
    handles_sample_weight = True

    def __init__(
        self,
        *,
        k: int = 4,
        distance: _Distance = "euclidean",
        normalize_embeddings: bool = False,
        tcm_weight: float = 0.0,
    ) -> None:
        super().__init__(
            k=k,
            distance=distance,
            normalize_embeddings=normalize_embeddings,
            tcm_weight=tcm_weight,
        )


@register_loss("tcm", task="embedding", reference="Zhang et al., ICLR 2024")
class TCMLoss(EmbeddingLoss):
    """Threshold-Consistent Margin regulariser on cosine similarities."""

    function = staticmethod(tcm_loss)

    def __init__(
        self,
        *,
        lambda_plus: float = 1.0,
        lambda_minus: float = 1.0,
        margin_plus: float = 0.9,
        margin_minus: float = 0.5,
    ) -> None:
        super().__init__(
            lambda_plus=lambda_plus,
            lambda_minus=lambda_minus,
            margin_plus=margin_plus,
            margin_minus=margin_minus,
        )
