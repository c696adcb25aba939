"""SVM and noisy-label baseline losses against NumPy references and known limits."""

import math
import re

import numpy as np
import pytest
import torch
from scipy.special import log_softmax

from sklearn_losses import losses as L
from sklearn_losses.losses import cross_entropy_loss, loss_info

N, K = 8, 5


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny tensors: one torch thread avoids oversubscription on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def data(n=N, k=K, seed=0, scale=2.0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    scores = torch.randn(n, k, generator=gen, dtype=dtype) * scale
    return scores, torch.arange(n) % k


# -- independent NumPy references (explicit loops over samples on purpose) ------
def probs(f):
    return np.exp(log_softmax(f, axis=1))


def ref_cs(f, y, margin):
    return np.array(
        [
            max(
                0.0,
                *(
                    margin + f[i, j] - f[i, y[i]]
                    for j in range(f.shape[1])
                    if j != y[i]
                ),
            )
            for i in range(len(y))
        ]
    )


def ref_ww(f, y, margin):
    return np.array(
        [
            sum(
                max(0.0, margin + f[i, j] - f[i, y[i]])
                for j in range(f.shape[1])
                if j != y[i]
            )
            for i in range(len(y))
        ]
    )


def ref_topk(f, y, k, margin):
    out = []
    for i in range(len(y)):
        z = [
            0.0 if j == y[i] else margin + f[i, j] - f[i, y[i]]
            for j in range(f.shape[1])
        ]
        out.append(np.mean(sorted(z, reverse=True)[:k]))
    return np.array(out)


def ref_mae(f, y):
    e = np.eye(f.shape[1])[y]
    return np.abs(e - probs(f)).sum(axis=1)


def ref_mse(f, y):
    e = np.eye(f.shape[1])[y]
    return ((e - probs(f)) ** 2).sum(axis=1)


def py(f, y):
    return probs(f)[np.arange(len(y)), y]


def ref_gce(f, y, q):
    return (1 - py(f, y) ** q) / q


def ref_tgce(f, y, q, k):
    p = py(f, y)
    return np.where(p > k, (1 - p**q) / q, (1 - k**q) / q)


def ref_sce(f, y, beta, rce_scale):
    p = probs(f)
    e = np.eye(f.shape[1])[y]
    ce = -np.log(py(f, y))
    log_e = np.where(e > 0, 0.0, -rce_scale)  # log 0 := -A
    rce = -(p * log_e).sum(axis=1)
    return (1 - beta) * ce + beta * rce


def ref_rll(f, y, offset):
    p = probs(f)
    out = []
    for i in range(len(y)):
        others = [np.log(offset + p[i, j]) for j in range(f.shape[1]) if j != y[i]]
        out.append(-np.log(offset + p[i, y[i]]) + np.mean(others))
    return np.array(out)


def ref_js(f, y, pi):
    p = probs(f)
    e = np.eye(f.shape[1])[y]
    m = pi * e + (1 - pi) * p

    def kl(a, b):
        return np.sum(np.where(a > 0, a * np.log(np.where(a > 0, a, 1) / b), 0), axis=1)

    return (pi * kl(e, m) + (1 - pi) * kl(p, m)) / (-(1 - pi) * np.log(1 - pi))


def ref_nce(f, y):
    lp = log_softmax(f, axis=1)
    return lp[np.arange(len(y)), y] / lp.sum(axis=1)


def ref_nce_rce(f, y, nce_weight, rce_weight, rce_scale):
    p = probs(f)
    e = np.clip(np.eye(f.shape[1])[y], np.exp(-rce_scale), 1.0)
    rce = -(p * np.log(e)).sum(axis=1)
    return nce_weight * ref_nce(f, y) + rce_weight * rce


def ref_nce_agce(f, y, nce_weight, agce_weight, a, q):
    agce = ((a + 1) ** q - (a + py(f, y)) ** q) / q
    return nce_weight * ref_nce(f, y) + agce_weight * agce


def ref_nce_aul(f, y, nce_weight, aul_weight, a, q):
    aul = ((a - py(f, y)) ** q - (a - 1) ** q) / q
    return nce_weight * ref_nce(f, y) + aul_weight * aul


def ref_focal(f, y, gamma, class_weight):
    p = py(f, y)
    w = np.ones(f.shape[1]) if class_weight is None else np.asarray(class_weight)
    return -w[y] * (1 - p) ** gamma * np.log(p)


CASES = {
    "crammer_singer": (ref_cs, [{"margin": 1.0}, {"margin": 0.1}]),
    "weston_watkins": (ref_ww, [{"margin": 1.0}, {"margin": 0.3}]),
    "topk_svm": (ref_topk, [{"k": 2, "margin": 1.0}, {"k": 3, "margin": 0.2}]),
    "mae": (ref_mae, [{}]),
    "mse": (ref_mse, [{}]),
    "gce": (ref_gce, [{"q": 0.7}, {"q": 0.05}]),
    "truncated_gce": (ref_tgce, [{"q": 0.7, "k": 0.5}, {"q": 0.3, "k": 0.1}]),
    "sce": (ref_sce, [{"beta": 0.5, "rce_scale": 4.0}, {"beta": 0.95, "rce_scale": 2}]),
    "rll": (ref_rll, [{"offset": 1.0}, {"offset": 0.1}]),
    "js": (ref_js, [{"pi": 0.5}, {"pi": 0.1}, {"pi": 0.9}]),
    "nce_rce": (
        ref_nce_rce,
        [
            {"nce_weight": 1.0, "rce_weight": 1.0, "rce_scale": -math.log(1e-4)},
            {"nce_weight": 9.9, "rce_weight": 0.1, "rce_scale": 4.0},
        ],
    ),
    "nce_agce": (
        ref_nce_agce,
        [
            {"nce_weight": 1.0, "agce_weight": 1.0, "a": 3.0, "q": 1.5},
            {"nce_weight": 5.0, "agce_weight": 5.0, "a": 6.0, "q": 0.5},
        ],
    ),
    "nce_aul": (
        ref_nce_aul,
        [
            {"nce_weight": 1.0, "aul_weight": 1.0, "a": 6.0, "q": 1.5},
            {"nce_weight": 0.1, "aul_weight": 9.9, "a": 2.0, "q": 3.0},
        ],
    ),
    "focal": (
        ref_focal,
        [
            {"gamma": 2.0, "class_weight": None},
            {"gamma": 0.5, "class_weight": [1.0, 2.0, 0.5, 0.0, 3.0]},
        ],
    ),
}


def case_params():
    return [(name, i) for name, (_, ps) in CASES.items() for i in range(len(ps))]


def function(name):
    return getattr(L, f"{name}_loss")


@pytest.mark.parametrize("name, i", case_params())
def test_values_match_numpy(name, i):
    ref, params = CASES[name]
    params = params[i]
    scores, target = data(seed=i)
    out = function(name)(scores, target, **params)
    expected = ref(scores.numpy(), target.numpy(), **params)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)
    # the registered module gives the same values
    module = L.get_loss(name, **params)
    torch.testing.assert_close(module(scores, target), out)


@pytest.mark.parametrize("name, i", case_params())
def test_gradcheck_away_from_kinks(name, i):
    params = CASES[name][1][i]
    scores, target = data(n=5, seed=10 + i)
    if name == "truncated_gce":  # half the samples in each branch, none near k
        scores[:, 0] += torch.tensor([6.0, -6.0, 6.0, -6.0, 6.0], dtype=scores.dtype)
        target = torch.zeros(5, dtype=torch.long)
    scores.requires_grad_(True)
    fn = lambda s: function(name)(s, target, **params)
    assert torch.autograd.gradcheck(fn, (scores,))


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_shape_dtype_and_extreme_logits(name, dtype):
    fn = function(name)
    scores, target = data(dtype=dtype)
    out = fn(scores, target)
    assert out.shape == (N,) and out.dtype == dtype
    extreme = torch.tensor([[1e4, -1e4, 0, 0, 0], [-1e4, 1e4, 0, 0, 0]], dtype=dtype)
    for s in (extreme, torch.zeros(2, K, dtype=dtype)):
        s = s.clone().requires_grad_(True)
        out = fn(s, torch.tensor([0, 0]))
        (grad,) = torch.autograd.grad(out.sum(), s)
        assert torch.isfinite(out).all() and torch.isfinite(grad).all()


def test_mae_is_two_minus_two_py_with_nonzero_gradient():
    scores, target = data()
    scores.requires_grad_(True)
    out = L.mae_loss(scores, target)
    p_y = torch.softmax(scores, 1)[torch.arange(N), target]
    torch.testing.assert_close(out, 2 * (1 - p_y))
    (grad,) = torch.autograd.grad(out.sum(), scores)
    assert (grad.abs().sum(dim=1) > 1e-3).all()


def test_symmetric_losses_sum_to_a_constant_over_labels():
    scores, _ = data(n=4)
    totals = {"mae": 0.0, "nce_rce": 0.0}
    for y in range(K):
        target = torch.full((4,), y)
        totals["mae"] = totals["mae"] + L.mae_loss(scores, target)
        nce = L.nce_rce_loss(scores, target, rce_weight=0.0)
        totals["nce_rce"] = totals["nce_rce"] + nce
    torch.testing.assert_close(
        totals["mae"], torch.full_like(scores[:, 0], 2.0 * (K - 1))
    )
    torch.testing.assert_close(totals["nce_rce"], torch.ones_like(scores[:, 0]))


def test_limits_and_special_cases():
    scores, target = data()
    ce = cross_entropy_loss(scores, target)
    mae = L.mae_loss(scores, target)
    close = torch.testing.assert_close
    close(L.gce_loss(scores, target, q=1e-7), ce, rtol=1e-5, atol=1e-5)
    close(L.gce_loss(scores, target, q=1.0), mae / 2)
    close(L.sce_loss(scores, target, beta=0.0), ce)
    close(L.sce_loss(scores, target, beta=1.0, rce_scale=2.0), mae)
    close(L.js_loss(scores, target, pi=1e-6), ce, rtol=1e-4, atol=1e-4)
    close(L.focal_loss(scores, target, gamma=0.0), ce)
    close(
        L.topk_svm_loss(scores, target, k=1, margin=0.4),
        L.crammer_singer_loss(scores, target, margin=0.4),
    )
    # truncated GCE: no truncation at k=0, and the truncated branch is flat
    close(L.truncated_gce_loss(scores, target, k=0.0), L.gce_loss(scores, target))
    s = torch.zeros(1, K, requires_grad=True)  # p_y = 1/K <= k
    (g,) = torch.autograd.grad(L.truncated_gce_loss(s, torch.tensor([0])).sum(), s)
    assert torch.all(g == 0)
    # RLL: zero at a perfect prediction once log((a + 1)/a) is added
    perfect = torch.tensor([[50.0, 0.0, 0.0]], dtype=torch.float64)
    rll = L.rll_loss(perfect, torch.tensor([0]), offset=0.1)
    assert rll.item() + math.log(1.1 / 0.1) == pytest.approx(0.0, abs=1e-12)
    # focal: class weights multiply the loss
    w = [2.0, 1.0, 0.0, 1.0, 3.0]
    close(
        L.focal_loss(scores, target, class_weight=w),
        torch.tensor(w, dtype=scores.dtype)[target] * L.focal_loss(scores, target),
    )


def test_proper_losses_flagged_with_probabilities():
    with_proba = {name for name in CASES if loss_info(name).has_proba}
    assert with_proba == {"mse"}


def test_error_messages():
    with pytest.raises(ValueError, match=re.escape("got shape (4,)")):
        L.mae_loss(torch.zeros(4), torch.zeros(4))
    msg = "k must be between 1 and the number of classes (3); got k=5."
    with pytest.raises(ValueError, match=re.escape(msg)):
        L.topk_svm_loss(torch.zeros(2, 3), torch.zeros(2), k=5)
    msg = "class_weight must hold one weight per class (3); got shape (2,)."
    with pytest.raises(ValueError, match=re.escape(msg)):
        L.focal_loss(torch.zeros(2, 3), torch.zeros(2), class_weight=[1.0, 2.0])
