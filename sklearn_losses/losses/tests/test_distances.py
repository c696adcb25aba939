"""Distances: pairwise matrices against explicit loops, signs, gradients."""

import math
import re

import pytest
import torch

from sklearn_losses.losses import (
    BaseDistance,
    CosineSimilarity,
    EuclideanDistance,
    SNRDistance,
    get_distance,
    list_distances,
)

DTYPES = [torch.float32, torch.float64]


def naive(name, a, b, normalize=False):
    """One pair at a time, straight from the definitions."""
    a, b = a.double(), b.double()
    if name == "cosine" or normalize:
        a, b = a / a.norm(), b / b.norm()
    if name == "euclidean":
        return math.sqrt(float(((a - b) ** 2).sum()) + 1e-6)
    if name == "squared_euclidean":
        return float(((a - b) ** 2).sum())
    if name == "cosine":
        return float((a * b).sum())
    # snr: population variances; the anchor a is the signal
    noise = b - a
    return float(((noise - noise.mean()) ** 2).mean() / ((a - a.mean()) ** 2).mean())


def data(dtype, n=6, m=4, d=5, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=gen, dtype=dtype) + 3.0  # a common offset
    y = torch.randn(m, d, generator=gen, dtype=dtype)
    return x, y


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list_distances())
@pytest.mark.parametrize("normalize", [False, True])
def test_pairwise_and_paired_match_loops(name, normalize, dtype):
    dist = get_distance(name, normalize_embeddings=normalize)
    x, y = data(dtype)
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == torch.float32 else {}
    for a, b in [(x, y), (x, None)]:
        mat = dist.pairwise(a, b)
        b = a if b is None else b
        assert mat.shape == (len(a), len(b)) and mat.dtype == dtype
        expected = torch.tensor(
            [[naive(name, ai, bj, normalize) for bj in b] for ai in a], dtype=dtype
        )
        torch.testing.assert_close(mat, expected, **tol)
    z = y + 0.5 * x[: len(y)]
    torch.testing.assert_close(
        dist.paired(x[: len(y)], z),
        torch.tensor([naive(name, a, b, normalize) for a, b in zip(x, z)], dtype=dtype),
        **tol,
    )


def test_self_distances_on_the_diagonal():
    x, _ = data(torch.float32)
    assert (EuclideanDistance().pairwise(x).diagonal() == 1e-3).all()  # sqrt(eps)
    assert (EuclideanDistance(squared=True).pairwise(x).diagonal() == 0).all()
    assert (SNRDistance().pairwise(x).diagonal() == 0).all()
    torch.testing.assert_close(CosineSimilarity().pairwise(x).diagonal(), torch.ones(6))


def test_sign_convention():
    # margin(positive, negative): how much worse the positive is.
    ap, an = torch.tensor([1.0]), torch.tensor([3.0])
    assert not EuclideanDistance.is_inverted and CosineSimilarity.is_inverted
    assert EuclideanDistance().margin(ap, an).item() == -2.0
    assert CosineSimilarity().margin(ap, an).item() == 2.0


def test_snr_is_asymmetric_and_offset_blind():
    # x0 = (1, -1) and x1 = (2, 0) differ by a constant: SNR distance 0.
    # d(x0, x2) = Var(x2 - x0) / Var(x0) = Var(-1, 4) / Var(1, -1) = 6.25 / 1.
    x = torch.tensor([[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]], dtype=torch.float64)
    mat = SNRDistance(normalize_embeddings=False).pairwise(x)
    assert mat[0, 1].item() == pytest.approx(0.0)
    assert mat[0, 2].item() == pytest.approx(6.25)
    # d(x2, x0) = Var(x0 - x2) / Var(x2) = 6.25 / Var(0, 3) = 6.25 / 2.25
    assert mat[2, 0].item() == pytest.approx(6.25 / 2.25)


def test_precision_of_the_gram_form_with_a_large_offset():
    # Centring keeps float32 distances of nearby points with a large offset.
    x = torch.tensor([[1000.0, 1000.0], [1000.0, 1000.5]])
    mat = EuclideanDistance(eps=0.0).pairwise(x)
    assert mat[0, 1].item() == pytest.approx(0.5, abs=1e-4)


@pytest.mark.parametrize("name", list_distances())
def test_gradcheck(name):
    dist = get_distance(name, normalize_embeddings=name == "snr")
    x, y = data(torch.float64, n=4, m=3, d=3)
    x.requires_grad_(True)
    y.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda a, b: dist.pairwise(a, b), (x, y))
    assert torch.autograd.gradcheck(lambda a: dist.pairwise(a), (x,))
    assert torch.autograd.gradcheck(lambda a, b: dist.paired(a[:3], b), (x, y))


def test_euclidean_gradient_is_finite_at_coinciding_points():
    x = torch.zeros(3, 2, requires_grad=True)
    EuclideanDistance().pairwise(x).sum().backward()
    assert torch.isfinite(x.grad).all()


def test_get_distance_names_objects_and_errors():
    assert list_distances() == ["cosine", "euclidean", "snr", "squared_euclidean"]
    obj = SNRDistance(normalize_embeddings=False)
    assert get_distance(obj) is obj
    assert get_distance("euclidean", normalize_embeddings=True).normalize_embeddings
    assert isinstance(get_distance("cosine"), BaseDistance)
    msg = "Unknown distance 'l2'; valid names are cosine, euclidean, snr, "
    with pytest.raises(ValueError, match=re.escape(msg)):
        get_distance("l2")
    with pytest.raises(ValueError, match=re.escape("got shape (3,)")):
        EuclideanDistance().pairwise(torch.zeros(3))
    with pytest.raises(ValueError, match=re.escape("equal shape; got (2, 2) and")):
        EuclideanDistance().paired(torch.zeros(2, 2), torch.zeros(3, 2))
    assert repr(CosineSimilarity()) == "CosineSimilarity()"
