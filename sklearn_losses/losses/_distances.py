"""Distances and similarities between embeddings, for the embedding losses.

Each distance is a small object (pytorch-metric-learning's design): it
computes a pairwise matrix, ``pairwise(x, y)[i, j] = d(x_i, y_j)``, and a
row-wise vector, ``paired(x, y)[i] = d(x_i, y_i)``, both vectorised.  The
first argument is always the *anchor* (this matters for the asymmetric SNR
distance).  ``is_inverted`` is True for similarities (large = similar), and
:meth:`BaseDistance.margin` hides the sign, so a loss is written once for
distances and similarities: ``margin(positive, negative)`` is how much worse
the positive is than the negative, ``d_ap - d_an`` for a distance and
``s_an - s_ap`` for a similarity.

Losses and estimators name a distance by a string (grid-searchable), see
:func:`list_distances` and :func:`get_distance`.
"""

from __future__ import annotations

from typing import ClassVar

import torch
import torch.nn.functional as F

__all__ = [
    "BaseDistance",
    "CosineSimilarity",
    "EuclideanDistance",
    "SNRDistance",
    "get_distance",
    "list_distances",
]


class BaseDistance:
    """A distance (or similarity, ``is_inverted=True``) between embeddings.

    Parameters
    ----------
    normalize_embeddings : bool, default=False
        L2-normalise every input row before computing the distance.

    Notes
    -----
    Subclasses implement ``_pairwise(x, y)`` and ``_paired(x, y)`` on
    already-normalised inputs.  Outputs keep the inputs' device and dtype.
    """

    #: True for similarities: large values mean similar.
    is_inverted: ClassVar[bool] = False

    def __init__(self, *, normalize_embeddings: bool = False) -> None:
        self.normalize_embeddings = normalize_embeddings

    def _prepare(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2:
            raise ValueError(
                f"{type(self).__name__} takes embeddings of shape (n, d); got "
                f"shape {tuple(x.shape)}."
            )
        return F.normalize(x, dim=1, eps=1e-12) if self.normalize_embeddings else x

    def pairwise(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """Matrix ``D[i, j] = d(x_i, y_j)`` of shape ``(len(x), len(y))``.

        With ``y=None`` the distances within ``x``; the diagonal is then
        exactly the self-distance (0, or ``sqrt(eps)`` for the stabilised
        Euclidean distance, 1 for cosine similarity).
        """
        xp = self._prepare(x)
        if y is None:
            return self._pairwise(xp, None)
        return self._pairwise(xp, self._prepare(y))

    def paired(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Vector ``v[i] = d(x_i, y_i)`` of shape ``(len(x),)``."""
        if x.shape != y.shape:
            raise ValueError(
                f"paired distances need inputs of equal shape; got "
                f"{tuple(x.shape)} and {tuple(y.shape)}."
            )
        return self._paired(self._prepare(x), self._prepare(y))

    def margin(self, positive: torch.Tensor, negative: torch.Tensor) -> torch.Tensor:
        """How much worse ``positive`` is than ``negative``.

        ``positive - negative`` for a distance, ``negative - positive`` for a
        similarity; a hinge loss is then ``relu(margin(ap, an) + m)``.
        """
        return negative - positive if self.is_inverted else positive - negative

    def _pairwise(self, x, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def _paired(self, x, y):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


def _squared_gram(x: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
    """Squared Euclidean distances by the Gram identity, vectorised.

    Inputs are centred on ``x``'s mean first (distances are unchanged, the
    cancellation in ``|x|^2 + |y|^2 - 2 x.y`` is smaller); negatives from
    rounding are clamped to 0 and the diagonal of ``x`` against itself is set
    to exactly 0.
    """
    mu = x.mean(dim=0, keepdim=True).detach()
    xc = x - mu
    yc = xc if y is None else y - mu
    sq = (
        xc.square().sum(1)[:, None] + yc.square().sum(1)[None, :] - 2.0 * (xc @ yc.T)
    ).clamp_min(0.0)
    if y is None:
        eye = torch.eye(len(x), dtype=torch.bool, device=x.device)
        sq = sq.masked_fill(eye, 0.0)
    return sq


class EuclideanDistance(BaseDistance):
    r"""Euclidean distance with a stabiliser inside the root, or its square.

    .. math:: d(x, y) = \sqrt{\textstyle\sum_k (x_k - y_k)^2 + \epsilon}

    as in the SuSana Distancia code (Mendez-Ruiz et al., 2023), where
    :math:`\epsilon = 10^{-6}` keeps the gradient finite at ``x = y`` (the
    self-distance is then :math:`\sqrt{\epsilon} = 10^{-3}`, not 0).  With
    ``squared=True`` it is :math:`\sum_k (x_k - y_k)^2` (no stabiliser needed).

    Parameters
    ----------
    squared : bool, default=False
        Return the squared distance.
    eps : float, default=1e-6
        Stabiliser added inside the square root, >= 0.
    normalize_embeddings : bool, default=False
        L2-normalise inputs first (then :math:`d^2 = 2 - 2 \cos`).

    Examples
    --------
    >>> import torch
    >>> EuclideanDistance(eps=0.0).pairwise(torch.tensor([[0.0, 0.0], [3.0, 4.0]]))
    tensor([[0., 5.],
            [5., 0.]])
    """

    def __init__(
        self,
        *,
        squared: bool = False,
        eps: float = 1e-6,
        normalize_embeddings: bool = False,
    ) -> None:
        super().__init__(normalize_embeddings=normalize_embeddings)
        self.squared = squared
        self.eps = eps

    def _finish(self, sq: torch.Tensor) -> torch.Tensor:
        return sq if self.squared else (sq + self.eps).sqrt()

    def _pairwise(self, x, y):
        return self._finish(_squared_gram(x, y))

    def _paired(self, x, y):
        return self._finish((x - y).square().sum(1))


class CosineSimilarity(BaseDistance):
    r"""Cosine similarity :math:`s(x, y) = x^\top y / (\|x\| \|y\|)` (inverted).

    ``is_inverted`` is True: larger means more similar.  Inputs are always
    L2-normalised (``normalize_embeddings`` is fixed to True).

    Examples
    --------
    >>> import torch
    >>> CosineSimilarity().pairwise(torch.tensor([[1.0, 0.0], [1.0, 1.0]]))
    tensor([[1.0000, 0.7071],
            [0.7071, 1.0000]])
    """

    is_inverted = True

    def __init__(self) -> None:
        super().__init__(normalize_embeddings=True)

    def __repr__(self) -> str:
        return "CosineSimilarity()"

    def _pairwise(self, x, y):
        return x @ (x if y is None else y).T

    def _paired(self, x, y):
        return (x * y).sum(1)


class SNRDistance(BaseDistance):
    r"""Signal-to-noise-ratio distance of Yuan et al. (2019), asymmetric.

    The anchor :math:`x` is the signal and :math:`y - x` the noise:

    .. math:: d_{SNR}(x, y) = \frac{\mathrm{Var}(y - x)}{\mathrm{Var}(x)},
        \qquad \mathrm{Var}(a) = \frac{1}{D} \sum_k (a_k - \bar a)^2 .

    Computed as :math:`\|\tilde y - \tilde x\|^2 / \|\tilde x\|^2` with
    :math:`\tilde a = a - \bar a` (the :math:`1/D` cancels; so does the
    :math:`1/(D-1)` of the unbiased variance PML uses).  The denominator is
    clamped at ``1e-12``, so a constant anchor gives a large finite value.
    Blind to adding a constant to all components; the paper adds a zero-mean
    regulariser on the embeddings for that reason (not part of this object).

    Parameters
    ----------
    normalize_embeddings : bool, default=True
        L2-normalise inputs first (pytorch-metric-learning's default).

    References
    ----------
    T. Yuan, W. Deng, J. Tang, Y. Tang, B. Chen. "Signal-To-Noise Ratio: A
    Robust Distance Metric for Deep Metric Learning". CVPR 2019.

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[1.0, -1.0], [2.0, 0.0], [0.0, 2.0]])
    >>> SNRDistance(normalize_embeddings=False).pairwise(x)
    tensor([[0., 0., 4.],
            [0., 0., 4.],
            [4., 4., 0.]])
    """

    def __init__(self, *, normalize_embeddings: bool = True) -> None:
        super().__init__(normalize_embeddings=normalize_embeddings)

    @staticmethod
    def _centre(a):
        return a - a.mean(dim=1, keepdim=True)

    def _pairwise(self, x, y):
        xc = self._centre(x)
        yc = None if y is None else self._centre(y)
        signal = xc.square().sum(1).clamp_min(1e-12)
        # _squared_gram's own centring (a shift of every row by the same
        # vector) does not change the distances between centred rows.
        return _squared_gram(xc, yc) / signal[:, None]

    def _paired(self, x, y):
        xc = self._centre(x)
        noise = (self._centre(y) - xc).square().sum(1)
        return noise / xc.square().sum(1).clamp_min(1e-12)


_DISTANCES = {
    "euclidean": lambda normalize: EuclideanDistance(normalize_embeddings=normalize),
    "squared_euclidean": lambda normalize: EuclideanDistance(
        squared=True, normalize_embeddings=normalize
    ),
    "cosine": lambda normalize: CosineSimilarity(),
    "snr": lambda normalize: SNRDistance(normalize_embeddings=normalize),
}


def list_distances() -> list[str]:
    """Sorted names accepted by :func:`get_distance` and the losses' ``distance``.

    Examples
    --------
    >>> list_distances()
    ['cosine', 'euclidean', 'snr', 'squared_euclidean']
    """
    return sorted(_DISTANCES)


def get_distance(
    distance: str | BaseDistance, *, normalize_embeddings: bool = False
) -> BaseDistance:
    """Build a distance object from its name (an object is returned unchanged).

    Parameters
    ----------
    distance : {"euclidean", "squared_euclidean", "cosine", "snr"} or BaseDistance
        ``"euclidean"`` is the stabilised Euclidean distance
        (``eps=1e-6``), ``"cosine"`` the cosine similarity (inverted).
    normalize_embeddings : bool, default=False
        Passed to the distance built from a name; ignored for an object and
        for ``"cosine"`` (always normalised).

    Returns
    -------
    distance : BaseDistance

    Examples
    --------
    >>> get_distance("squared_euclidean")
    EuclideanDistance(normalize_embeddings=False, squared=True, eps=1e-06)
    """
    if isinstance(distance, BaseDistance):
        return distance
    try:
        return _DISTANCES[distance](normalize_embeddings)
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown distance {distance!r}; valid names are "
            f"{', '.join(list_distances())}, or a BaseDistance instance."
        ) from None
