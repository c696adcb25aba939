"""Label-noise injection following the LDR paper's protocol."""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["PAIR_FLIP_MAPS", "add_label_noise"]


def _pairs(*pairs: tuple[int, int]) -> dict[int, int]:
    mapping = {}
    for a, b in pairs:
        mapping[a], mapping[b] = b, a
    return mapping


_L = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
#: The paper's class-dependent (pair-flip) maps of similar classes
#: (Zhu, Ying, Yang, 2023, reference code ``utils.py``), on class indices.
PAIR_FLIP_MAPS = {
    "letter": _pairs(
        *[
            (_L[a], _L[b])
            for a, b in ("BD", "CG", "EF", "HN", "IL", "KX", "MW", "OQ", "PR", "UV")
        ]
    ),
    "vowel": _pairs((0, 1), (2, 3), (4, 5), (6, 7), (8, 9)),
}


@validate_params(
    {
        "y": ["array-like"],
        "kind": [StrOptions({"uniform", "symmetric", "pair"})],
        "rate": [Interval(Real, 0, 1, closed="both")],
        "random_state": ["random_state"],
        "pairs": [dict, list, StrOptions(set(PAIR_FLIP_MAPS)), None],
        "return_mask": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def add_label_noise(
    y,
    *,
    kind="uniform",
    rate,
    random_state=None,
    pairs=None,
    return_mask=False,
):
    """Corrupt labels with uniform, symmetric or pair-flip noise.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of any type; noise acts on the sorted set of observed classes.
    kind : {"uniform", "symmetric", "pair"}, default="uniform"
        ``"uniform"`` (the LDR paper's code): with probability ``rate`` the
        label is replaced by a class drawn uniformly from *all* K classes, so
        it may stay the same (expected corruption ``rate * (K - 1) / K``).
        ``"symmetric"``: with probability ``rate`` the label flips to one of
        the other K - 1 classes.  ``"pair"``: with probability ``rate`` class
        ``c`` flips to its partner ``T(c)``; classes without a partner keep
        their label.
    rate : float
        Noise probability in [0, 1].
    random_state : int, RandomState instance or None, default=None
    pairs : dict, list of pairs, {"letter", "vowel"} or None, default=None
        Partners for ``kind="pair"``, on class indices (positions in the
        sorted classes): a dict ``{a: b}``, a list of ``(a, b)`` pairs (made
        symmetric) or the name of one of the paper's maps
        (:data:`PAIR_FLIP_MAPS`).  None uses ``T(c) = (c + 1) mod K``.
    return_mask : bool, default=False
        Also return the boolean mask of the entries that changed.

    Returns
    -------
    y_noisy : ndarray of shape (n_samples,)
        Same dtype as ``y``.
    mask : ndarray of shape (n_samples,), only with ``return_mask=True``

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_losses.datasets import add_label_noise
    >>> y = np.repeat([0, 1, 2], 1000)
    >>> y_noisy, changed = add_label_noise(y, kind="symmetric", rate=0.3,
    ...                                    random_state=0, return_mask=True)
    >>> round(changed.mean(), 1)
    np.float64(0.3)
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-dimensional; got shape {y.shape}.")
    rng = check_random_state(random_state)
    classes, idx = np.unique(y, return_inverse=True)
    k = len(classes)
    hit = rng.rand(len(y)) < rate
    new = idx.copy()
    if kind == "uniform":
        new[hit] = rng.randint(k, size=hit.sum())
    elif kind == "symmetric":
        if k < 2:
            raise ValueError("symmetric noise needs at least 2 classes.")
        shift = rng.randint(1, k, size=hit.sum())
        new[hit] = (idx[hit] + shift) % k
    else:
        if pairs is None:
            mapping = {c: (c + 1) % k for c in range(k)}
        elif isinstance(pairs, str):
            mapping = PAIR_FLIP_MAPS[pairs]
        elif isinstance(pairs, dict):
            mapping = dict(pairs)
        else:
            mapping = _pairs(*[tuple(p) for p in pairs])
        bad = [c for pair in mapping.items() for c in pair if not 0 <= c < k]
        if bad:
            raise ValueError(
                f"pairs refer to class indices {sorted(set(bad))} outside "
                f"[0, {k}); y has {k} classes."
            )
        table = np.array([mapping.get(c, c) for c in range(k)])
        new[hit] = table[idx[hit]]
    y_noisy = classes[new].astype(y.dtype, copy=False)
    if return_mask:
        return y_noisy, new != idx
    return y_noisy
