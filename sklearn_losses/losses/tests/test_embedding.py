"""Embedding losses against naive loops over anchors, pairs and triplets."""

import inspect
import math
import re

import pytest
import torch

from sklearn_losses.losses import (
    ContrastiveLoss,
    ICNNLoss,
    ProtoTripletLoss,
    TCMLoss,
    TripletLoss,
    contrastive_loss,
    get_loss,
    icnn_loss,
    loss_info,
    proto_triplet_loss,
    tcm_loss,
    triplet_loss,
    valid_anchors,
)

DISTANCES = ["euclidean", "squared_euclidean", "cosine", "snr"]
LOSSES = {
    "triplet": triplet_loss,
    "contrastive": contrastive_loss,
    "proto_triplet": proto_triplet_loss,
    "icnn": icnn_loss,
    "tcm": tcm_loss,
}


# -- naive references: one pair / triplet / anchor at a time ---------------
def pair_d(name, a, b, normalize):
    a, b = a.double(), b.double()
    if name == "cosine" or normalize:
        a, b = a / a.norm(), b / b.norm()
    if name == "euclidean":
        return math.sqrt(float(((a - b) ** 2).sum()) + 1e-6)
    if name == "squared_euclidean":
        return float(((a - b) ** 2).sum())
    if name == "cosine":
        return float((a * b).sum())
    noise = b - a
    return float(((noise - noise.mean()) ** 2).mean() / ((a - a.mean()) ** 2).mean())


def worse(name, positive, negative):
    """How much worse the positive is (sign flips for the similarity)."""
    return negative - positive if name == "cosine" else positive - negative


def naive_triplet(x, y, margin=0.2, name="euclidean", normalize=True, lam=None, w=0.4):
    out = []
    for a in range(len(x)):
        P = [p for p in range(len(x)) if p != a and y[p] == y[a]]
        N = [n for n in range(len(x)) if y[n] != y[a]]
        if not P or not N:
            out.append(0.0)
            continue
        d = {j: pair_d(name, x[a], x[j], normalize) for j in P + N}
        # the hinge of the hardest triplet is the largest hinge over triplets
        loss = max(max(0.0, worse(name, d[p], d[n]) + margin) for p in P for n in N)
        if lam is not None:
            key = (lambda j: -d[j]) if name == "cosine" else (lambda j: d[j])
            p, n = max(P, key=key), min(N, key=key)
            dav = pair_d(name, x[a], lam * x[p] + (1 - lam) * x[n], normalize)
            loss += w * (
                lam * max(0.0, worse(name, dav, d[n]) + margin)
                + (1 - lam) * max(0.0, worse(name, d[p], dav) + margin)
            )
        out.append(loss)
    return torch.tensor(out, dtype=torch.float64)


def naive_contrastive(x, y, mp, mn, name="euclidean", normalize=True, lam=None, w=0.4):
    def pos_term(v):
        return max(0.0, worse(name, v, mp))

    def neg_term(v):
        return max(0.0, worse(name, mn, v))

    out = []
    for a in range(len(x)):
        P = [p for p in range(len(x)) if p != a and y[p] == y[a]]
        N = [n for n in range(len(x)) if y[n] != y[a]]
        d = {j: pair_d(name, x[a], x[j], normalize) for j in P + N}
        loss = sum(pos_term(d[p]) for p in P) / max(len(P), 1)
        loss += sum(neg_term(d[n]) for n in N) / max(len(N), 1)
        if lam is not None and P and N:
            key = (lambda j: -d[j]) if name == "cosine" else (lambda j: d[j])
            p, n = max(P, key=key), min(N, key=key)
            dav = pair_d(name, x[a], lam * x[p] + (1 - lam) * x[n], normalize)
            loss += w * (lam * pos_term(dav) + (1 - lam) * neg_term(dav))
        out.append(loss)
    return torch.tensor(out, dtype=torch.float64)


def naive_proto_triplet(x, y, margin=0.5, name="euclidean", normalize=False):
    out = []
    labels = sorted(set(y))
    for i in range(len(x)):
        own = [j for j in range(len(x)) if y[j] == y[i] and j != i]
        others = [c for c in labels if c != y[i]]
        if not own or not others:
            out.append(0.0)
            continue
        loo = sum(x[j] for j in own) / len(own)
        d_pos = pair_d(name, x[i], loo, normalize)
        d_negs = []
        for c in others:
            members = [j for j in range(len(x)) if y[j] == c]
            proto = sum(x[j] for j in members) / len(members)
            d_negs.append(pair_d(name, x[i], proto, normalize))
        d_neg = max(d_negs) if name == "cosine" else min(d_negs)
        out.append(max(0.0, worse(name, d_pos, d_neg) + margin))
    return torch.tensor(out, dtype=torch.float64)


def naive_icnn(x, y, k=4, name="euclidean", w=None):
    """The authors' modified_score, as described in the reference note."""
    n, eps = len(x), 1e-7
    has_pos = any(y[i] == y[j] for i in range(n) for j in range(n) if i != j)
    if n < 3 or not has_pos:
        return torch.zeros(n, dtype=torch.float64)
    w = [1.0] * n if w is None else [float(v) for v in w]
    D = [[pair_d(name, x[i], x[j], False) for j in range(n)] for i in range(n)]
    if name == "cosine":
        D = [[1.0 - v for v in row] for row in D]
    clamped = k + 2 >= n
    k = n - 2 if clamped else k
    rows = []
    for i in range(n):
        order = sorted((D[i][j], j) for j in range(n) if j != i)[: k + 1]
        d = [o[0] for o in order]
        same = [y[o[1]] == y[i] for o in order]
        impostors = [dj for dj, s in zip(d, same) if not s]
        delta = min(impostors) if impostors else math.inf
        nd = [dj / (delta + eps) for dj in d[:k]]
        top = max(1.0, max(nd))
        rows.append((d[:k], same[:k], [v / top for v in nd]))
    e_max = (
        max(dj for d, s, _ in rows for dj, sj in zip(d, s) if not sj)
        if any(not sj for _, s, _ in rows for sj in s)
        else 0.0
    )
    sc_num = sc_den = dc_num = dc_den = gamma = 0.0
    for wi, (d, s, nd) in zip(w, rows):
        n_sc = sum(s)
        sc_num += wi * sum(v for v, sj in zip(nd, s) if sj) / (n_sc + eps)
        sc_den += wi * (n_sc > 0)
        e = [dj / (e_max + eps) for dj, sj in zip(d, s) if not sj]
        dc_num += wi * sum(e) / (len(e) + eps)
        dc_den += wi * (len(e) > 0)
        gamma += wi * n_sc / k
    lam_sc = 1 - sc_num / (sc_den + eps)
    lam_dc = abs(dc_num / (dc_den + eps) - (1.0 if dc_den == 0 else 0.0))
    gamma = 1.0 if clamped else gamma / sum(w)
    score = ((lam_sc + lam_dc) / 2 + gamma) / 2
    return torch.full((n,), -math.log(max(score, 1e-12)), dtype=torch.float64)


def naive_tcm(x, y, lp=1.0, lm=1.0, mp=0.9, mn=0.5):
    out = []
    for a in range(len(x)):
        sims_p = [
            pair_d("cosine", x[a], x[p], True)
            for p in range(len(x))
            if p != a and y[p] == y[a]
        ]
        sims_n = [
            pair_d("cosine", x[a], x[j], True) for j in range(len(x)) if y[j] != y[a]
        ]
        hard_p = [mp - s for s in sims_p if s <= mp]
        hard_n = [s - mn for s in sims_n if s >= mn]
        out.append(
            lp * sum(hard_p) / max(len(hard_p), 1)
            + lm * sum(hard_n) / max(len(hard_n), 1)
        )
    return torch.tensor(out, dtype=torch.float64)


def batch(dtype=torch.float64, n=10, d=3, n_classes=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=gen, dtype=dtype)
    y = torch.arange(n) % n_classes
    y[-1] = n_classes  # one anchor alone in its class
    return x, y


# -- values ------------------------------------------------------------------
@pytest.mark.parametrize("name", DISTANCES)
@pytest.mark.parametrize("normalize", [True, False])
def test_triplet_matches_loops(name, normalize):
    x, y = batch()
    for lam in (None, 0.3):
        out = triplet_loss(
            x, y, distance=name, normalize_embeddings=normalize, mixup_lambda=lam
        )
        ref = naive_triplet(x, y.tolist(), name=name, normalize=normalize, lam=lam)
        torch.testing.assert_close(out, ref)
    assert out[-1] == 0  # no positive


@pytest.mark.parametrize("name", DISTANCES)
def test_contrastive_matches_loops(name):
    x, y = batch()
    mp, mn = (1.0, 0.5) if name == "cosine" else (0.0, 1.0)  # the None defaults
    for lam in (None, 0.7):
        out = contrastive_loss(x, y, distance=name, mixup_lambda=lam)
        ref = naive_contrastive(x, y.tolist(), mp, mn, name=name, lam=lam)
        torch.testing.assert_close(out, ref)
    out = contrastive_loss(x, y, pos_margin=0.2, neg_margin=0.8, distance=name)
    ref = naive_contrastive(x, y.tolist(), 0.2, 0.8, name=name)
    torch.testing.assert_close(out, ref)


@pytest.mark.parametrize("name", DISTANCES)
def test_proto_triplet_matches_loops(name):
    x, y = batch()
    torch.testing.assert_close(
        proto_triplet_loss(x, y, distance=name, margin=0.3),
        naive_proto_triplet(x, y.tolist(), margin=0.3, name=name),
    )


def test_proto_triplet_by_hand():
    # 1-D, classes {0, 2} and {3, 5}, squared distance, margin 0.5.
    # x=2: leave-one-out prototype 0 -> 4; other prototype 4 -> 4; 4-4+.5 = .5
    # x=0: 4 - 16 + .5 < 0 -> 0.
    x = torch.tensor([[0.0], [2.0], [3.0], [5.0]])
    out = proto_triplet_loss(
        x, torch.tensor([0, 0, 1, 1]), distance="squared_euclidean"
    )
    torch.testing.assert_close(out, torch.tensor([0.0, 0.5, 0.5, 0.0]))


@pytest.mark.parametrize("name", DISTANCES)
@pytest.mark.parametrize("k", [1, 4])
def test_icnn_matches_loops(name, k):
    x, y = batch()
    torch.testing.assert_close(
        icnn_loss(x, y, k=k, distance=name), naive_icnn(x, y.tolist(), k=k, name=name)
    )
    w = torch.linspace(0.5, 2.0, len(x), dtype=torch.float64)
    torch.testing.assert_close(
        icnn_loss(x, y, k=k, distance=name, sample_weight=w),
        naive_icnn(x, y.tolist(), k=k, name=name, w=w.tolist()),
    )


def test_icnn_special_cases():
    x, y = batch()
    # clamp: k + 2 >= n sets k = n - 2 and gamma = 1 (authors' convention)
    torch.testing.assert_close(
        icnn_loss(x[:5], y[:5]), naive_icnn(x[:5], y[:5].tolist())
    )
    # unit weights are no weights
    torch.testing.assert_close(
        icnn_loss(x, y, sample_weight=torch.ones(10, dtype=torch.float64)),
        icnn_loss(x, y),
    )
    # separated blobs: every neighbour of the same class -> score 1, loss 0
    blobs = torch.cat([torch.randn(6, 2) * 0.01 + 5 * c for c in range(3)])
    labels = torch.arange(3).repeat_interleave(6)
    assert icnn_loss(blobs, labels).abs().max() < 1e-5
    # random points -> a clearly positive loss, the same for every sample
    out = icnn_loss(x, y)
    assert out.min() == out.max() > 0.3


def test_tcm_matches_loops_and_by_hand():
    x, y = batch()
    torch.testing.assert_close(tcm_loss(x, y), naive_tcm(x, y.tolist()))
    out = tcm_loss(
        x, y, lambda_plus=0.5, lambda_minus=2.0, margin_plus=0.3, margin_minus=-0.2
    )
    torch.testing.assert_close(out, naive_tcm(x, y.tolist(), 0.5, 2.0, 0.3, -0.2))
    # cos(x0, x1) = .8 (hard positive: .9 - .8), cos(x1, x2) = .6 (hard
    # negative: .6 - .5), cos(x0, x2) = 0 (easy negative)
    x = torch.tensor([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0]])
    torch.testing.assert_close(
        tcm_loss(x, torch.tensor([0, 0, 1])), torch.tensor([0.1, 0.2, 0.1])
    )


def test_mixup_special_values():
    x, y = batch()
    clean = triplet_loss(x, y)
    # lambda = 1: the mixed point is the hardest positive -> (1 + w) * clean
    torch.testing.assert_close(triplet_loss(x, y, mixup_lambda=1.0), 1.4 * clean)
    # lambda = 0 in the contrastive loss: the mixed pair is the hardest negative
    plain = contrastive_loss(x, y)
    ref = naive_contrastive(x, y.tolist(), 0.0, 1.0, lam=0.0, w=2.0)
    torch.testing.assert_close(
        contrastive_loss(x, y, mixup_lambda=0.0, mixup_weight=2.0), ref
    )
    assert (ref >= plain.detach()).all()


# -- generic properties ------------------------------------------------------
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_shape_dtype_and_finite(loss, dtype):
    x, y = batch(dtype)
    out = LOSSES[loss](x, y)
    assert out.shape == (10,) and out.dtype == dtype and torch.isfinite(out).all()


@pytest.mark.parametrize(
    "loss, params",
    [
        ("triplet", {"distance": "euclidean", "mixup_lambda": 0.4}),
        ("triplet", {"distance": "cosine"}),
        ("contrastive", {"distance": "snr", "mixup_lambda": 0.4}),
        ("contrastive", {"distance": "squared_euclidean", "pos_margin": 0.1}),
        ("proto_triplet", {"distance": "euclidean"}),
        ("proto_triplet", {"distance": "cosine", "margin": 1.5}),
        ("icnn", {"distance": "euclidean"}),
        ("icnn", {"distance": "cosine", "k": 2}),
        ("tcm", {"margin_plus": 0.95, "margin_minus": 0.0}),
    ],
)
def test_gradcheck(loss, params):
    x, y = batch(n=8)
    x.requires_grad_(True)
    fn = LOSSES[loss]
    assert torch.autograd.gradcheck(lambda e: fn(e, y, **params), (x,))


@pytest.mark.parametrize("loss", LOSSES)
def test_no_positive_pair_batch(loss):
    x, _ = batch()
    x.requires_grad_(True)
    y = torch.arange(10)  # every label once: no positive pair
    out = LOSSES[loss](x, y)
    out.mean().backward()
    assert torch.isfinite(out).all() and torch.isfinite(x.grad).all()
    if loss == "contrastive":  # the negative part stands alone
        torch.testing.assert_close(out, naive_contrastive(x.detach(), y.tolist(), 0, 1))
    elif loss == "tcm":
        torch.testing.assert_close(out, naive_tcm(x.detach(), y.tolist()))
    else:
        assert (out == 0).all() and (x.grad == 0).all()
    far = torch.eye(10, dtype=torch.float64) * 10  # negatives far apart
    far.requires_grad_(True)
    out = LOSSES[loss](far, y)
    out.mean().backward()
    assert (out == 0).all() and far.grad is not None


@pytest.mark.parametrize("loss", ["triplet", "proto_triplet", "icnn"])
def test_one_class_batch_is_zero(loss):
    x, _ = batch()
    assert (LOSSES[loss](x, torch.zeros(10, dtype=torch.long)) == 0).all()


def test_shape_errors():
    with pytest.raises(ValueError, match=re.escape("shape (n, d); got shape (4,)")):
        triplet_loss(torch.zeros(4), torch.zeros(4))
    with pytest.raises(ValueError, match=re.escape("number of samples: 4 != 3")):
        contrastive_loss(torch.zeros(4, 2), torch.zeros(3))
    with pytest.raises(ValueError, match=re.escape("Unknown distance 'l1'")):
        get_loss("proto_triplet", distance="l1")(torch.zeros(4, 2), torch.zeros(4))


# -- modules ---------------------------------------------------------------
MODULES = {
    TripletLoss: triplet_loss,
    ContrastiveLoss: contrastive_loss,
    ProtoTripletLoss: proto_triplet_loss,
    ICNNLoss: icnn_loss,
    TCMLoss: tcm_loss,
}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_module_defaults_equal_function_defaults(module):
    fn = inspect.signature(MODULES[module]).parameters
    for name, p in inspect.signature(module.__init__).parameters.items():
        if name in fn:
            assert fn[name].default == p.default, name
    assert loss_info(module.registry_name).task == "embedding"
    assert ("tcm_weight" in loss_info(module.registry_name).params) == (
        module is not TCMLoss
    )


def test_module_counts_valid_anchors_and_adds_tcm():
    x, y = batch()
    loss = TripletLoss(margin=0.3, tcm_weight=0.5)
    out = loss(x, y)
    assert loss.n_valid_ == 9 == valid_anchors(y).sum()
    torch.testing.assert_close(
        out, triplet_loss(x, y, margin=0.3) + 0.5 * tcm_loss(x, y)
    )
    icnn = ICNNLoss(tcm_weight=2.0)
    w = torch.linspace(0.5, 2.0, 10, dtype=torch.float64)
    torch.testing.assert_close(
        icnn(x, y, sample_weight=w),
        icnn_loss(x, y, sample_weight=w) + 2 * w * tcm_loss(x, y),
    )
    assert "tcm_weight=2.0" in repr(icnn)


def test_module_mixup_draws_lambda_only_when_training():
    x, y = batch()
    loss = ContrastiveLoss(mixup_alpha=2.0, mixup_weight=0.4)
    torch.manual_seed(3)
    out = loss(x, y)
    torch.manual_seed(3)
    a = torch.tensor(2.0)
    lam = float(torch.distributions.Beta(a, a).sample())
    torch.testing.assert_close(out, contrastive_loss(x, y, mixup_lambda=lam))
    assert not torch.allclose(out, contrastive_loss(x, y))
    loss.eval()
    torch.testing.assert_close(loss(x, y), contrastive_loss(x, y))
    # mixup off by default
    torch.testing.assert_close(TripletLoss()(x, y), triplet_loss(x, y))


def test_module_unknown_parameter():
    with pytest.raises(TypeError, match="marign"):
        get_loss("triplet", marign=0.1)
