"""The hybrid generative-discriminative loss and its Gaussian scores."""

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import norm

from sklearn_losses.losses import get_loss, loss_info
from sklearn_losses.losses._probe import (
    HybridLikelihoodLoss,
    gaussian_joint_log_likelihood,
    hybrid_likelihood_loss,
)


@pytest.fixture(scope="module")
def model():
    """A shared-variance Gaussian model and samples, in float64."""
    gen = torch.Generator().manual_seed(0)
    n, k, d = 9, 3, 4
    x = torch.randn(n, d, generator=gen, dtype=torch.float64)
    means = torch.randn(k, d, generator=gen, dtype=torch.float64)
    log_var = 0.3 * torch.randn(d, generator=gen, dtype=torch.float64)
    log_prior = torch.log_softmax(torch.randn(k, generator=gen, dtype=torch.float64), 0)
    target = torch.arange(n) % k
    return x, means, log_var, log_prior, target


def numpy_joint(x, means, log_var, log_prior, var_offset=0.0):
    """log pi_k + sum_i log N(x_i; mu_ki, sigma_i^2), one class at a time."""
    x, means, log_prior = x.numpy(), means.numpy(), log_prior.numpy()
    sd = np.sqrt(np.exp(log_var.numpy()) + var_offset)
    return np.stack(
        [log_prior[k] + norm.logpdf(x, means[k], sd).sum(1) for k in range(len(means))],
        axis=1,
    )


def test_reference_values():
    s = torch.log(torch.tensor([[0.1, 0.3], [0.2, 0.2]], dtype=torch.float64))
    t = torch.tensor([1, 0])
    # lambda = 0.5: -s_y + 0.5 * log(sum_k p(x, k))
    expected = [
        -math.log(0.3) + 0.5 * math.log(0.4),
        -math.log(0.2) + 0.5 * math.log(0.4),
    ]
    out = hybrid_likelihood_loss(s, t, hybrid_weight=0.5)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(
        hybrid_likelihood_loss(s, t, hybrid_weight=0.0).numpy(),
        [-math.log(0.75), -math.log(0.5)],
        rtol=1e-12,
    )


@pytest.mark.parametrize("var_offset", [0.0, 0.1])
def test_gaussian_scores_match_scipy(model, var_offset):
    x, means, log_var, log_prior, _ = model
    scores = gaussian_joint_log_likelihood(
        x, means, log_var, log_prior, var_offset=var_offset
    )
    expected = numpy_joint(x, means, log_var, log_prior, var_offset)
    np.testing.assert_allclose(scores.numpy(), expected, rtol=1e-10)


def test_weight_one_is_the_generative_nll(model):
    x, means, log_var, log_prior, target = model
    scores = gaussian_joint_log_likelihood(x, means, log_var, log_prior)
    loss = get_loss("hybrid_likelihood", hybrid_weight=1.0)(scores, target)
    joint = numpy_joint(x, means, log_var, log_prior)
    np.testing.assert_allclose(
        loss.numpy(), -joint[np.arange(len(target)), target.numpy()], rtol=1e-10
    )


def test_weight_zero_is_cross_entropy_of_the_nb_logits(model):
    x, means, log_var, log_prior, target = model
    scores = gaussian_joint_log_likelihood(x, means, log_var, log_prior)
    loss = get_loss("hybrid_likelihood", hybrid_weight=0.0)(scores, target)
    var = log_var.exp()
    coef = means / var
    intercept = log_prior - 0.5 * (means * coef).sum(1)
    expected = F.cross_entropy(x @ coef.T + intercept, target, reduction="none")
    torch.testing.assert_close(loss, expected, rtol=1e-10, atol=1e-10)


def test_interpolates_linearly(model):
    x, means, log_var, log_prior, target = model
    s = gaussian_joint_log_likelihood(x, means, log_var, log_prior)
    ends = [hybrid_likelihood_loss(s, target, hybrid_weight=w) for w in (0.0, 1.0)]
    mid = hybrid_likelihood_loss(s, target, hybrid_weight=0.3)
    torch.testing.assert_close(mid, 0.7 * ends[0] + 0.3 * ends[1])


def test_generative_optimum_is_the_naive_bayes_closed_form():
    """At lambda = 1 the mean loss is stationary at the MLE: class means,
    pooled within-class variance, class frequencies."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], [10, 20, 30])
    X = rng.normal(size=(60, 5)) + y[:, None]
    means = np.stack([X[y == k].mean(0) for k in range(3)])
    var = ((X - means[y]) ** 2).mean(0)
    params = [
        torch.tensor(means, requires_grad=True),
        torch.tensor(np.log(var), requires_grad=True),
        torch.tensor(np.log(np.bincount(y) / 60.0), requires_grad=True),
    ]
    log_prior = torch.log_softmax(params[2], 0)
    scores = gaussian_joint_log_likelihood(
        torch.tensor(X), params[0], params[1], log_prior
    )
    hybrid_likelihood_loss(scores, torch.tensor(y), hybrid_weight=1.0).mean().backward()
    for p in params:
        np.testing.assert_allclose(p.grad.numpy(), 0.0, atol=1e-12)


@pytest.mark.parametrize("weight", [0.0, 0.4, 1.0])
def test_gradcheck_float64(model, weight):
    x, means, log_var, log_prior, target = model

    def full(m, v, p):
        scores = gaussian_joint_log_likelihood(
            x, m, v, torch.log_softmax(p, 0), var_offset=0.05
        )
        return hybrid_likelihood_loss(scores, target, hybrid_weight=weight)

    inputs = tuple(t.clone().requires_grad_(True) for t in (means, log_var, log_prior))
    assert torch.autograd.gradcheck(full, inputs, eps=1e-6, atol=1e-5)


def test_registry_entry_and_parameter_check():
    info = loss_info("hybrid_likelihood")
    assert info.task == "multiclass" and info.has_proba
    assert info.params == {"hybrid_weight": 0.5}
    with pytest.raises(
        ValueError,
        match=re.escape("hybrid_weight must be in [0, 1]; got hybrid_weight=1.5."),
    ):
        HybridLikelihoodLoss(hybrid_weight=1.5)


def test_shape_errors():
    with pytest.raises(ValueError, match=re.escape("scores of shape (n, n_classes)")):
        hybrid_likelihood_loss(torch.zeros(3), torch.zeros(3))
