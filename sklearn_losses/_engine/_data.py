"""In-memory tensor data, minibatches by slicing, and the validation split.

skorch's default path builds every batch through ``Dataset.__getitem__`` and
a collate function, one sample at a time.  On tabular data that costs more
than the training step itself, so the engine keeps the whole training set as
tensors on the device and cuts batches out of a permuted copy, one gather per
epoch and views after that.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

__all__ = ["BatchTarget", "TensorBatches", "TensorData", "TensorSplit"]


class BatchTarget(NamedTuple):
    """The target side of a batch: labels, training-set positions, weights."""

    y: torch.Tensor
    index: torch.Tensor
    sample_weight: torch.Tensor | None


class TensorData:
    """A training or validation set held as tensors.

    Parameters
    ----------
    X : Tensor of shape (n_samples, ...)
    y : Tensor of shape (n_samples, ...) or None
    sample_weight : Tensor of shape (n_samples,) or None
    index : Tensor of shape (n_samples,) or None
        Positions of the samples in the array given to ``fit``; defaults to
        ``arange(n_samples)``.  Kept through splits so that per-sample loss
        state stays keyed by the caller's positions.
    """

    def __init__(self, X, y=None, sample_weight=None, index=None):
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        if index is None:
            index = torch.arange(len(X), device=X.device)
        self.index = index

    def __len__(self) -> int:
        return len(self.X)

    def subset(self, rows: torch.Tensor) -> TensorData:
        """The samples at ``rows`` (a 1-d index tensor)."""
        pick = lambda t: None if t is None else t[rows]  # noqa: E731
        return TensorData(
            self.X[rows], pick(self.y), pick(self.sample_weight), self.index[rows]
        )


class TensorBatches:
    """Iterate over minibatches of a :class:`TensorData` by slicing.

    Each epoch draws one permutation (from ``generator``), gathers the data in
    that order once, then yields contiguous views.  When training, a last batch
    of a single sample is merged into the previous one: batch statistics
    (batch norm, EnsLoss's rank matching, AnyLoss's confusion matrix) are
    undefined on one sample.

    With ``m_per_class`` (training only), batches are class-balanced for
    losses that need positive pairs: each epoch shuffles every class, cuts it
    into chunks of ``m_per_class`` samples (a class smaller than that is
    repeated to fill its chunk), shuffles the chunks and concatenates them,
    so every class present in a batch has at least ``m_per_class`` samples
    when ``batch_size`` is a multiple of ``m_per_class``.

    Yields ``(X_batch, BatchTarget)``; with ``y=None`` the target is None.
    """

    def __init__(
        self,
        data: TensorData,
        *,
        batch_size: int,
        shuffle: bool,
        training: bool,
        generator: torch.Generator | None = None,
        m_per_class: int | None = None,
    ):
        self.data = data
        self.batch_size = len(data) if batch_size == -1 else int(batch_size)
        self.shuffle = shuffle
        self.training = training
        self.generator = generator
        self.m_per_class = m_per_class if training else None

    def _bounds(self, n: int | None = None) -> list[tuple[int, int]]:
        n = len(self.data) if n is None else n
        bs = max(1, self.batch_size)
        starts = list(range(0, n, bs))
        bounds = [(s, min(s + bs, n)) for s in starts]
        if self.training and len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
            last = bounds.pop()
            bounds[-1] = (bounds[-1][0], last[1])
        return bounds

    def _class_balanced_order(self) -> torch.Tensor:
        m = self.m_per_class
        labels = self.data.y.cpu()
        chunks = []
        for c in torch.unique(labels):
            members = torch.nonzero(labels == c).flatten()
            members = members[torch.randperm(len(members), generator=self.generator)]
            n_chunks = -(-len(members) // m)
            members = members.repeat(-(-n_chunks * m // len(members)))[: n_chunks * m]
            chunks.append(members.view(n_chunks, m))
        chunks = torch.cat(chunks)
        order = torch.randperm(len(chunks), generator=self.generator)
        return chunks[order].flatten()

    def _order(self) -> torch.Tensor | None:
        if self.m_per_class:
            return self._class_balanced_order()
        if self.shuffle:
            return torch.randperm(len(self.data), generator=self.generator)
        return None

    def __len__(self) -> int:
        if self.m_per_class:
            return len(self._bounds(len(self._class_balanced_order())))
        return len(self._bounds())

    def __iter__(self):
        d = self.data
        order = self._order()
        if order is not None:
            d = d.subset(order.to(d.X.device))
        for start, stop in self._bounds(len(d)):
            X = d.X[start:stop]
            if d.y is None:
                yield X, None
                continue
            w = None if d.sample_weight is None else d.sample_weight[start:stop]
            yield X, BatchTarget(d.y[start:stop], d.index[start:stop], w)


class TensorSplit:
    """Hold out a fraction of a :class:`TensorData` for validation.

    Parameters
    ----------
    fraction : float
        Fraction of samples held out, in (0, 1).
    stratify : bool
        Keep class proportions (1-d integer targets only).
    random_state : int
        Seed of the split.
    """

    def __init__(self, fraction: float, *, stratify: bool, random_state: int):
        self.fraction = fraction
        self.stratify = stratify
        self.random_state = random_state

    def __call__(self, data: TensorData) -> tuple[TensorData, TensorData]:
        from sklearn.model_selection import train_test_split

        n = len(data)
        n_valid = int(np.ceil(self.fraction * n))
        if n_valid < 1 or n - n_valid < 2:
            raise ValueError(
                f"The validation split of validation_fraction={self.fraction} "
                f"leaves {n - n_valid} training and {n_valid} validation samples "
                f"out of {n}. Increase the number of samples, change "
                "validation_fraction, or set early_stopping=False."
            )
        stratify = None
        if self.stratify and data.y is not None and data.y.ndim == 1:
            labels = data.y.cpu().numpy()
            _, counts = np.unique(labels, return_counts=True)
            if counts.min() >= 2 and n_valid >= len(counts):
                stratify = labels
        train, valid = train_test_split(
            np.arange(n),
            test_size=n_valid,
            random_state=self.random_state,
            stratify=stratify,
        )
        dev = data.X.device
        return (
            data.subset(torch.as_tensor(np.sort(train), device=dev)),
            data.subset(torch.as_tensor(np.sort(valid), device=dev)),
        )

    def __repr__(self) -> str:
        return (
            f"TensorSplit(fraction={self.fraction}, stratify={self.stratify}, "
            f"random_state={self.random_state})"
        )
