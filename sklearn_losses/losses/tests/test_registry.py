"""Checks every registered loss gets with no test code of its own."""

import pickle
import re

import pytest
import torch

from sklearn_losses.losses import get_loss, list_losses, loss_info, reduce_loss

N, K, D = 12, 4, 5


def batch(task, dtype, seed=0):
    gen = torch.Generator().manual_seed(seed)
    if task == "binary":
        scores = torch.randn(N, generator=gen, dtype=dtype) * 2
        target = torch.arange(N) % 2
    elif task == "multiclass":
        scores = torch.randn(N, K, generator=gen, dtype=dtype) * 2
        target = torch.arange(N) % K
    else:
        scores = torch.randn(N, D, generator=gen, dtype=dtype)
        target = torch.arange(N) % 3
    return scores, target


def build(name):
    info = loss_info(name)
    loss = get_loss(name, **info.test_params)
    loss.reset(N, seed=0)
    return info, loss


def call(loss, scores, target):
    index = torch.arange(len(scores))
    return loss(scores, target, index)


@pytest.fixture(params=list_losses(), ids=str)
def name(request):
    return request.param


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_per_sample_shape_and_dtype(name, dtype):
    info, loss = build(name)
    scores, target = batch(info.task, dtype)
    out = call(loss, scores, target)
    assert out.shape == (N,)
    assert out.dtype == dtype
    assert torch.isfinite(out).all()


def test_gradients(name):
    info, loss = build(name)
    scores, target = batch(info.task, torch.float64)
    scores.requires_grad_(True)
    if not info.module.value_is_meaningful:
        # A random loss: reproducible gradients for a reseeded loss instead of
        # finite differences.
        grads = []
        for _ in range(2):
            loss.reset(N, seed=0)
            (g,) = torch.autograd.grad(call(loss, scores, target).mean(), scores)
            grads.append(g)
        torch.testing.assert_close(grads[0], grads[1])
        return
    loss.eval()  # stateful losses: no state update between evaluations
    assert torch.autograd.gradcheck(
        lambda s: call(loss, s, target), (scores,), eps=1e-6, atol=1e-4
    )


def test_backward_reaches_scores_and_pickles(name):
    info, loss = build(name)
    scores, target = batch(info.task, torch.float32)
    scores.requires_grad_(True)
    reduce_loss(call(loss, scores, target)).backward()
    assert scores.grad is not None and torch.isfinite(scores.grad).all()
    restored = pickle.loads(pickle.dumps(loss))
    assert type(restored) is type(loss)
    if info.module.value_is_meaningful:
        loss.eval()
        restored.eval()
        torch.testing.assert_close(
            call(restored, scores.detach(), target), call(loss, scores.detach(), target)
        )


def test_registry_metadata(name):
    info = loss_info(name)
    assert info.task in ("binary", "multiclass", "embedding")
    assert info.summary, f"{name} needs a docstring"
    assert info.module.registry_name == name


def test_unknown_name_lists_the_valid_ones():
    valid = ", ".join(list_losses())
    with pytest.raises(ValueError, match=re.escape(f"Valid names are: {valid}.")):
        get_loss("nope")
    with pytest.raises(TypeError, match=re.escape("'marign' (did you mean 'margin'?)")):
        get_loss("hinge", marign=1.0)


def test_reduce_loss_weights_and_shape_check():
    per = torch.tensor([1.0, 2.0, 3.0])
    w = torch.tensor([0.0, 1.0, 2.0])
    assert reduce_loss(per, w).item() == pytest.approx((2 + 6) / 3)
    with pytest.raises(ValueError, match=re.escape("got shape (3, 1)")):
        reduce_loss(per[:, None])
