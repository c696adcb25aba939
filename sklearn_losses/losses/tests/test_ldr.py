"""LDR-KL, ALDR-KL and LDR-KL-k against NumPy references and the paper's identities."""

import pickle
import re

import numpy as np
import pytest
import torch
from scipy.optimize import minimize, minimize_scalar
from scipy.special import logsumexp

from sklearn_losses.losses import (
    ALDRKLLoss,
    aldr_kl_lambda_step,
    aldr_kl_loss,
    crammer_singer_loss,
    cross_entropy_loss,
    get_loss,
    ldr_kl_loss,
    ldr_kl_topk_loss,
    normalize_scores,
    topk_svm_loss,
)

NORMS = [None, "softplus_mean", "abs_mean"]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny tensors: one torch thread avoids oversubscription on a busy machine."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def data(n=6, k=5, seed=0, scale=2.0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    scores = torch.randn(n, k, generator=gen, dtype=dtype) * scale
    return scores, torch.arange(n) % k


# -- independent NumPy references ---------------------------------------------
def np_normalize(f, normalize):
    if normalize is None:
        return f
    if normalize == "softplus_mean":
        s = np.logaddexp(0.0, f)
        return s / np.maximum(s.mean(axis=1, keepdims=True), 1e-6)
    return f / np.maximum(np.abs(f).mean(axis=1, keepdims=True), 1e-6)


def np_margins(f, y, c, normalize=None):
    f = np_normalize(np.asarray(f, dtype=float), normalize)
    z = f - f[np.arange(len(y)), y][:, None] + c
    z[np.arange(len(y)), y] = 0.0
    return z


def np_ldr(z, lam):
    lam = np.broadcast_to(np.asarray(lam, dtype=float), (len(z),))[:, None]
    return (lam * (logsumexp(z / lam, axis=1, keepdims=True) - np.log(z.shape[1])))[
        :, 0
    ]


def primal_max(zrow, lam, cap=1.0):
    """max over {p in simplex, p <= cap} of p.z - lam KL(p, uniform), by SLSQP."""
    K = len(zrow)

    def neg(p):
        return -(p @ zrow - lam * np.sum(p * np.log(K * p)))

    res = minimize(
        neg,
        np.full(K, 1.0 / K),
        method="SLSQP",
        bounds=[(1e-12, cap)] * K,
        constraints=[{"type": "eq", "fun": lambda p: p.sum() - 1.0}],
        options={"ftol": 1e-13, "maxiter": 500},
    )
    return -res.fun


# -- LDR-KL -------------------------------------------------------------------
@pytest.mark.parametrize("normalize", NORMS)
def test_ldr_kl_matches_numpy(normalize):
    scores, target = data()
    out = ldr_kl_loss(scores, target, lambda_=0.7, margin=0.3, normalize=normalize)
    z = np_margins(scores.numpy(), target.numpy(), 0.3, normalize)
    np.testing.assert_allclose(out.numpy(), np_ldr(z, 0.7), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("normalize", NORMS)
def test_ldr_kl_gradcheck(normalize):
    scores, target = data(n=4, k=4, seed=1)
    scores.requires_grad_(True)
    fn = lambda s: ldr_kl_loss(s, target, lambda_=0.5, normalize=normalize)
    assert torch.autograd.gradcheck(fn, (scores,))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("normalize", NORMS)
def test_shapes_and_dtypes(dtype, normalize):
    scores, target = data(n=7, dtype=dtype)
    for out in (
        ldr_kl_loss(scores, target, normalize=normalize),
        ldr_kl_topk_loss(scores, target, k=3, normalize=normalize),
        aldr_kl_loss(scores, target, lambdas=0.8, normalize=normalize),
        aldr_kl_lambda_step(scores, target, normalize=normalize),
    ):
        assert out.shape == (7,) and out.dtype == dtype
        assert torch.isfinite(out).all()


def test_ldr_kl_lambda_one_margin_zero_is_ce_minus_log_k():
    scores, target = data(k=7)
    out = ldr_kl_loss(scores, target, lambda_=1.0, margin=0.0, normalize=None)
    expected = cross_entropy_loss(scores, target) - np.log(7)
    torch.testing.assert_close(out, expected, rtol=0, atol=1e-12)
    # any lambda: temperature-scaled cross-entropy
    out = ldr_kl_loss(scores, target, lambda_=3.0, margin=0.0, normalize=None)
    expected = cross_entropy_loss(scores, target, temperature=3.0) - 3 * np.log(7)
    torch.testing.assert_close(out, expected, rtol=0, atol=1e-12)


def test_ldr_kl_small_lambda_is_crammer_singer():
    scores, target = data(k=7)
    out = ldr_kl_loss(scores, target, lambda_=1e-4, margin=0.5, normalize=None)
    cs = crammer_singer_loss(scores, target, margin=0.5)
    assert torch.all(out <= cs + 1e-12)  # log-sum-exp over-estimates by <= 0
    torch.testing.assert_close(out, cs, rtol=0, atol=1e-4 * np.log(7))


def test_ldr_kl_large_lambda_is_symmetric_linear_loss():
    scores, _ = data(n=3, k=6)
    c, K = 0.5, 6
    per_label = []
    for y in range(K):
        target = torch.full((3,), y)
        out = ldr_kl_loss(scores, target, lambda_=1e6, margin=c, normalize=None)
        z = np_margins(scores.numpy(), target.numpy(), c)
        np.testing.assert_allclose(out.numpy(), z.mean(axis=1), atol=1e-5)
        per_label.append(out.numpy())
    # symmetric: the sum over labels is the constant c (K - 1)
    np.testing.assert_allclose(np.sum(per_label, axis=0), c * (K - 1), atol=1e-4)


@pytest.mark.parametrize("lam", [0.3, 0.7, 2.0])
def test_ldr_kl_closed_form_is_the_simplex_maximum(lam):
    scores, target = data(n=3, k=4, seed=2)
    out = ldr_kl_loss(scores, target, lambda_=lam, margin=0.5, normalize=None)
    z = np_margins(scores.numpy(), target.numpy(), 0.5)
    numeric = [primal_max(row, lam) for row in z]
    np.testing.assert_allclose(out.numpy(), numeric, atol=1e-6)


@pytest.mark.parametrize("normalize", NORMS)
def test_normalize_never_nan_on_zero_or_extreme_logits(normalize):
    target = torch.tensor([0, 1, 2])
    for scores in (torch.zeros(3, 4), torch.full((3, 4), -1e4), torch.eye(3, 4) * 1e4):
        scores = scores.clone().requires_grad_(True)
        outs = [
            ldr_kl_loss(scores, target, normalize=normalize),
            ldr_kl_topk_loss(scores, target, normalize=normalize),
            aldr_kl_loss(scores, target, lambdas=0.6, normalize=normalize),
        ]
        loss = ALDRKLLoss(normalize=normalize)
        loss.reset(3)
        outs.append(loss(scores, target, torch.arange(3)))
        for out in outs:
            (grad,) = torch.autograd.grad(out.sum(), scores)
            assert torch.isfinite(out).all() and torch.isfinite(grad).all()
        assert torch.isfinite(loss.lambdas).all()


def test_normalize_keeps_argmax_and_rejects_unknown_names():
    scores, _ = data(n=20, k=6, seed=3)
    for normalize in NORMS[1:]:
        f = normalize_scores(scores, normalize)
        assert torch.equal(f.argmax(1), scores.argmax(1))
        torch.testing.assert_close(f.abs().mean(1), torch.ones(20, dtype=f.dtype))
    msg = "normalize must be one of (None, 'softplus_mean', 'abs_mean'); got 'l2'."
    with pytest.raises(ValueError, match=re.escape(msg)):
        ldr_kl_loss(scores, torch.zeros(20), normalize="l2")
    with pytest.raises(ValueError, match=re.escape(msg)):
        ALDRKLLoss(normalize="l2")


def test_shape_errors():
    with pytest.raises(ValueError, match=re.escape("got shape (4,)")):
        ldr_kl_loss(torch.zeros(4), torch.zeros(4))
    with pytest.raises(ValueError, match=re.escape("number of samples: 4 != 3")):
        ldr_kl_topk_loss(torch.zeros(4, 3), torch.zeros(3))


# -- LDR-KL-k -----------------------------------------------------------------
@pytest.mark.parametrize("k", [2, 3, 4])
@pytest.mark.parametrize("lam", [0.2, 0.7, 3.0])
def test_topk_closed_form_is_the_capped_simplex_maximum(k, lam):
    scores, target = data(n=3, k=5, seed=4)
    out = ldr_kl_topk_loss(scores, target, k=k, lambda_=lam, margin=0.5, normalize=None)
    z = np_margins(scores.numpy(), target.numpy(), 0.5)
    numeric = [primal_max(row, lam, cap=1.0 / k) for row in z]
    np.testing.assert_allclose(out.numpy(), numeric, atol=1e-6)


def test_topk_special_cases():
    scores, target = data(k=6, seed=5)
    kw = {"margin": 0.3, "normalize": None}
    torch.testing.assert_close(
        ldr_kl_topk_loss(scores, target, k=1, lambda_=0.6, **kw),
        ldr_kl_loss(scores, target, lambda_=0.6, **kw),
    )
    for k in (1, 2, 4):
        small = ldr_kl_topk_loss(scores, target, k=k, lambda_=1e-5, **kw)
        torch.testing.assert_close(
            small, topk_svm_loss(scores, target, k=k, margin=0.3), rtol=0, atol=1e-4
        )
    z = np_margins(scores.numpy(), target.numpy(), 0.3)
    full = ldr_kl_topk_loss(scores, target, k=6, lambda_=0.6, **kw)
    np.testing.assert_allclose(full.numpy(), z.mean(axis=1), atol=1e-12)


def test_topk_gradcheck_and_ties():
    scores, target = data(n=5, k=5, seed=6)
    scores.requires_grad_(True)
    fn = lambda s: ldr_kl_topk_loss(s, target, k=3, lambda_=0.4, normalize=None)
    assert torch.autograd.gradcheck(fn, (scores,))
    tied = ldr_kl_topk_loss(torch.zeros(2, 4), torch.tensor([0, 3]), k=2, margin=0.0)
    torch.testing.assert_close(tied, torch.zeros(2))


def test_topk_k_out_of_range():
    msg = "k must be between 1 and the number of classes (3); got k=4."
    with pytest.raises(ValueError, match=re.escape(msg)):
        ldr_kl_topk_loss(torch.zeros(2, 3), torch.zeros(2), k=4)


# -- ALDR-KL ------------------------------------------------------------------
def np_lambda_step(z, lam, lam0, alpha):
    K = z.shape[1]
    p = np.exp(z / lam[:, None] - logsumexp(z / lam[:, None], axis=1, keepdims=True))
    kl = np.sum(p * np.log(K * p), axis=1)
    return lam0 - lam0 * kl / (alpha * np.log(K))


def test_aldr_lambda_step_matches_numpy_both_variants():
    scores, target = data(n=5, k=7, seed=7)
    lam_old = np.linspace(0.8, 1.5, 5)
    z = np_margins(scores.numpy(), target.numpy(), 0.5)
    kw = {"lambda_0": 1.5, "alpha": 2.0, "margin": 0.5, "normalize": None}
    exact = aldr_kl_lambda_step(scores, target, lambdas=torch.tensor(lam_old), **kw)
    np.testing.assert_allclose(exact.numpy(), np_lambda_step(z, lam_old, 1.5, 2.0))
    code = aldr_kl_lambda_step(
        scores, target, lambdas=torch.tensor(lam_old), exact=False, **kw
    )
    np.testing.assert_allclose(
        code.numpy(), np_lambda_step(scores.numpy(), lam_old, 1.5, 2.0)
    )


def test_aldr_fixed_point_is_the_joint_maximum():
    # The note's appendix A setting: K = 7, lambda_0 = 1.5, alpha = 2, c = 0.5.
    scores, target = data(n=3, k=7, seed=8)
    kw = {"lambda_0": 1.5, "alpha": 2.0, "margin": 0.5, "normalize": None}
    lam = torch.full((3,), 1.5, dtype=torch.float64)
    for _ in range(100):
        lam = aldr_kl_lambda_step(scores, target, lambdas=lam, **kw)
    value = aldr_kl_loss(scores, target, lambdas=lam, **kw)
    z = np_margins(scores.numpy(), target.numpy(), 0.5)
    pen = 2.0 * np.log(7) / (2 * 1.5)
    for i, row in enumerate(z):
        # maximise over lambda the (independent) LDR value minus the prior
        h = lambda t: -(np_ldr(row[None], t)[0] - pen * (t - 1.5) ** 2)
        res = minimize_scalar(
            h, bounds=(1e-3, 15.0), method="bounded", options={"xatol": 1e-10}
        )
        assert lam[i].item() == pytest.approx(res.x, abs=1e-6)
        assert value[i].item() == pytest.approx(-res.fun, abs=1e-10)
        assert 0.75 <= lam[i].item() <= 1.5


def test_aldr_module_updates_only_in_train_mode_and_resets():
    scores, target = data(n=6, k=4, seed=9)
    index = torch.tensor([5, 0, 2, 7, 3, 1])
    loss = ALDRKLLoss(lambda_0=1.5, normalize=None).double()
    out = loss(scores, target, index)  # no state yet: lambda_0, no update
    torch.testing.assert_close(
        out, aldr_kl_loss(scores, target, lambda_0=1.5, normalize=None)
    )
    assert loss.lambdas.numel() == 0
    loss.reset(10)
    torch.testing.assert_close(
        loss.lambdas, torch.full((10,), 1.5, dtype=torch.float64)
    )
    loss.eval()
    loss(scores, target, index)
    assert torch.all(loss.lambdas == 1.5)
    loss.train()
    loss(scores, target, None)  # no index: no update
    assert torch.all(loss.lambdas == 1.5)
    out = loss(scores, target, index)
    step = aldr_kl_lambda_step(scores, target, lambda_0=1.5, normalize=None)
    torch.testing.assert_close(loss.lambdas[index], step)
    untouched = torch.tensor([4, 6, 8, 9])
    assert torch.all(loss.lambdas[untouched] == 1.5)
    kw = {"lambda_0": 1.5, "normalize": None}
    torch.testing.assert_close(out, aldr_kl_loss(scores, target, lambdas=step, **kw))
    loss.eval()  # eval uses the stored temperatures
    torch.testing.assert_close(loss(scores, target, index), out)
    loss.reset(10)
    assert torch.all(loss.lambdas == 1.5)


def test_aldr_gradient_is_the_envelope_gradient():
    scores, target = data(n=4, k=5, seed=10)
    scores.requires_grad_(True)
    loss = ALDRKLLoss(lambda_0=2.0, margin=0.2, normalize=None).double()
    loss.reset(4)
    (grad,) = torch.autograd.grad(loss(scores, target, torch.arange(4)).sum(), scores)
    lam = loss.lambdas
    z = torch.tensor(np_margins(scores.detach().numpy(), target.numpy(), 0.2))
    p = torch.softmax(z / lam[:, None], dim=1)
    torch.testing.assert_close(grad, p - torch.eye(5, dtype=p.dtype)[target])
    loss.eval()
    fn = lambda s: loss(s, target, torch.arange(4))
    assert torch.autograd.gradcheck(fn, (scores,))


def test_aldr_lambdas_stay_in_range():
    lam0, alpha = 2.0, 3.0
    loss = ALDRKLLoss(lambda_0=lam0, alpha=alpha, margin=0.1, normalize=None)
    loss.reset(4)
    target = torch.tensor([0, 1, 2, 3])
    for scale in (0.0, 1.0, 1e3, 1e6):
        scores = torch.eye(4) * scale - 1e6 * (scale > 1e5)
        for _ in range(3):
            loss(scores, target, torch.arange(4))
            assert torch.all(loss.lambdas >= lam0 * (1 - 1 / alpha) - 1e-6)
            assert torch.all(loss.lambdas <= lam0)
    # confident samples reach the lower end, uniform ones stay near lambda_0
    loss.reset(2)
    loss(torch.tensor([[1e4, 0.0, 0.0], [0.0, 0.0, 0.0]]), target[:2], torch.arange(2))
    assert loss.lambdas[0].item() == pytest.approx(lam0 * (1 - 1 / alpha), abs=1e-6)
    assert loss.lambdas[1].item() > 0.99 * lam0


def test_aldr_state_pickles_moves_and_checks_index():
    loss = get_loss("aldr_kl", lambda_0=1.0)
    assert loss.requires_index
    loss.reset(5)
    scores, target = data(n=3, k=4, dtype=torch.float32)
    loss(scores, target, torch.tensor([0, 2, 4]))
    restored = pickle.loads(pickle.dumps(loss))
    torch.testing.assert_close(restored.lambdas, loss.lambdas)
    assert "lambdas" in loss.state_dict()
    moved = loss.to(torch.float64)
    assert moved.lambdas.dtype == torch.float64
    assert loss.to("meta").lambdas.device.type == "meta"
    fresh = ALDRKLLoss()
    fresh.reset(5)
    with pytest.raises(ValueError, match=re.escape("one position per sample: 2 != 3")):
        fresh(scores, target, torch.tensor([0, 1]))
    assert "n_samples=5" in repr(fresh)
