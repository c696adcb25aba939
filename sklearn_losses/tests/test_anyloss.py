import re
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    fbeta_score,
    matthews_corrcoef,
    recall_score,
)
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_losses import AnyLossClassifier
from sklearn_losses.exceptions import CollapseWarning
from sklearn_losses.losses import amplify, anyloss_loss, soft_confusion_matrix

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning",
    "ignore::sklearn_losses.exceptions.CollapseWarning",
)

EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "the metric is computed per minibatch: a repeated sample changes the "
        "batch composition, which is not the same as one sample of weight 2"
    ),
    "check_methods_subset_invariance": (
        "float32 matrix products use different blocking for different batch "
        "sizes, so a subset's outputs differ in the last float32 bits (1e-7)"
    ),
}


@parametrize_with_checks(
    [AnyLossClassifier(max_iter=30, random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", CollapseWarning)
        check(estimator)


# -- the loss ------------------------------------------------------------------
@pytest.fixture
def saturated():
    rng = np.random.RandomState(0)
    y = rng.randint(0, 2, 40)
    pred = y.copy()
    pred[:12] = 1 - pred[:12]
    scores = torch.tensor(np.where(pred == 1, 40.0, -40.0), dtype=torch.float64)
    return y, pred, scores


def test_soft_matrix_equals_hard_one_when_saturated(saturated):
    y, pred, scores = saturated
    counts = soft_confusion_matrix(
        torch.sigmoid(scores), torch.tensor(y, dtype=torch.float64)
    )
    tp = ((pred == 1) & (y == 1)).sum()
    fn = ((pred == 0) & (y == 1)).sum()
    fp = ((pred == 1) & (y == 0)).sum()
    tn = ((pred == 0) & (y == 0)).sum()
    np.testing.assert_allclose([float(c) for c in counts], [tp, fn, fp, tn], atol=1e-4)


@pytest.mark.parametrize(
    "metric, reference",
    [
        ("accuracy", accuracy_score),
        ("f1", f1_score),
        ("fbeta", lambda y, p: fbeta_score(y, p, beta=2.0)),
        ("balanced_accuracy", balanced_accuracy_score),
        ("mcc", matthews_corrcoef),
        (
            "gmean",
            lambda y, p: np.sqrt(recall_score(y, p) * recall_score(1 - y, 1 - p)),
        ),
    ],
)
def test_each_metric_loss_is_one_minus_sklearn(saturated, metric, reference):
    y, pred, scores = saturated
    loss = anyloss_loss(scores, torch.tensor(y), metric=metric, beta=2.0)
    assert loss.shape == (40,)
    assert float(loss[0]) == pytest.approx(1 - reference(y, pred), abs=1e-3)


def test_weights_enter_the_counts(saturated):
    y, pred, scores = saturated
    w = np.random.RandomState(1).rand(40)
    loss = anyloss_loss(
        scores, torch.tensor(y), metric="f1", sample_weight=torch.tensor(w)
    )
    assert float(loss[0]) == pytest.approx(
        1 - f1_score(y, pred, sample_weight=w), abs=1e-3
    )


@pytest.mark.parametrize(
    "metric", ["accuracy", "f1", "gmean", "balanced_accuracy", "mcc"]
)
@pytest.mark.parametrize("n_classes", [1, 3])
def test_gradcheck(metric, n_classes):
    gen = torch.Generator().manual_seed(0)
    shape = (10,) if n_classes == 1 else (10, n_classes)
    scores = torch.randn(shape, generator=gen, dtype=torch.float64, requires_grad=True)
    target = torch.arange(10) % max(2, n_classes)
    assert torch.autograd.gradcheck(
        lambda s: anyloss_loss(s, target, metric=metric, L=5.0), (scores,)
    )


def test_user_callable_and_single_class_batch():
    precision = lambda tp, fn, fp, tn: tp / (tp + fp + 1e-5)  # noqa: E731
    scores = torch.tensor([3.0, -3.0, 3.0])
    loss = anyloss_loss(scores, torch.tensor([1, 0, 0]), metric=precision, L=100)
    assert float(loss[0]) == pytest.approx(0.5, abs=1e-3)
    one_class = anyloss_loss(torch.randn(5, requires_grad=True), torch.ones(5))
    assert torch.isfinite(one_class).all()


def test_default_L_keeps_float32_gradients():
    p = torch.ones(1, dtype=torch.float32, requires_grad=True)
    (g_default,) = torch.autograd.grad(amplify(p).sum(), p)
    assert float(g_default) > 0
    assert float(amplify(torch.ones(1), L=34.0)) == 1.0  # saturates from L = 34
    (g_paper,) = torch.autograd.grad(amplify(p, L=73.0).sum(), p)
    assert float(g_paper) == 0.0  # the paper's L has no gradient in float32


def test_unknown_metric_lists_the_valid_names():
    with pytest.raises(ValueError, match=re.escape("valid names are ['accuracy'")):
        anyloss_loss(torch.zeros(2), torch.tensor([0, 1]), metric="auc")


# -- the estimator -------------------------------------------------------------
@pytest.fixture(scope="module")
def imbalanced():
    return make_classification(
        1000, 10, n_informative=5, weights=[0.9], flip_y=0.02, random_state=0
    )


def test_beats_cross_entropy_on_f1_at_threshold_half(imbalanced):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    from sklearn_losses import EnsLossClassifier

    X, y = imbalanced
    X = StandardScaler().fit_transform(X)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)
    any_f1 = AnyLossClassifier(metric="f1", max_iter=100, random_state=0)
    bce = EnsLossClassifier(loss="logistic", max_iter=100, random_state=0)
    f1_any = f1_score(y_te, any_f1.fit(X_tr, y_tr).predict(X_te))
    f1_bce = f1_score(y_te, bce.fit(X_tr, y_tr).predict(X_te))
    assert f1_any > f1_bce - 0.02


def test_multiclass_and_probabilities():
    X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    clf = AnyLossClassifier(metric="f1", max_iter=60, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(X))
    assert clf.score(X, y) > 0.7


def test_collapse_is_warned():
    X, y = make_classification(200, 5, weights=[0.95], random_state=0)
    stuck = torch.nn.Linear(5, 1)  # every score is 5: all predicted positive
    torch.nn.init.zeros_(stuck.weight)
    torch.nn.init.constant_(stuck.bias, 5.0)
    clf = AnyLossClassifier(
        module=stuck, max_iter=1, warmup_epochs=0, learning_rate_init=1e-9
    )
    with pytest.warns(CollapseWarning, match="collapsed to a single class"):
        clf.fit(X, y)


def test_warmup_then_metric(imbalanced):
    X, y = imbalanced
    clf = AnyLossClassifier(metric="gmean", warmup_epochs=3, max_iter=6, random_state=0)
    clf.fit(X, y)
    assert clf.net_.criterion_.phase == "metric" and clf.n_iter_ == 6


def test_grid_search_over_metric_params(imbalanced):
    X, y = imbalanced
    search = GridSearchCV(
        AnyLossClassifier(max_iter=20, random_state=0),
        {"metric": ["f1", "gmean"], "L": [10.0, 30.0]},
        cv=2,
        scoring="f1",
    ).fit(X, y)
    assert search.best_score_ > 0.3


def test_clear_errors(imbalanced):
    X, y = imbalanced
    with pytest.raises(InvalidParameterError, match="'metric' parameter"):
        AnyLossClassifier(metric="auc").fit(X, y)
    with pytest.raises(InvalidParameterError, match="'beta' parameter"):
        AnyLossClassifier(beta=0).fit(X, y)
