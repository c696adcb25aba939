import re
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_losses import EnsLossClassifier
from sklearn_losses.losses import get_loss

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "minibatch SGD: a repeated sample lands in different batches, which is "
        "not the step of one sample of weight 2; EnsLoss's derivatives also "
        "depend on the ranks of the margins within each batch"
    ),
    "check_methods_subset_invariance": (
        "float32 matrix products use different blocking for different batch "
        "sizes, so a subset's outputs differ in the last float32 bits (1e-7)"
    ),
}


@parametrize_with_checks(
    [
        EnsLossClassifier(max_iter=15, random_state=0),
        EnsLossClassifier(loss="logistic", max_iter=15, random_state=0),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_separable_toy_problem_is_learnt_exactly():
    X, y = make_blobs(200, centers=[[-3, -3], [3, 3]], cluster_std=0.7, random_state=0)
    clf = EnsLossClassifier(max_iter=30, random_state=0).fit(X, y)
    assert clf.score(X, y) == 1.0


def test_same_seed_same_predictions(cancer):
    X, y = cancer
    a = EnsLossClassifier(max_iter=5, random_state=1).fit(X, y).decision_function(X)
    b = EnsLossClassifier(max_iter=5, random_state=1).fit(X, y).decision_function(X)
    np.testing.assert_array_equal(a, b)


def test_loss_curve_is_the_logistic_reference(cancer):
    X, y = cancer
    clf = EnsLossClassifier(max_iter=8, random_state=0, batch_size=64).fit(X, y)
    assert all(np.isfinite(clf.loss_curve_)) and min(clf.loss_curve_) > 0
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert clf.net_.reference_criterion is not None
    fixed = EnsLossClassifier(loss="hinge", max_iter=2, random_state=0).fit(X, y)
    assert fixed.net_.reference_criterion is None


def test_early_stopping_monitors_accuracy(cancer):
    X, y = cancer
    clf = EnsLossClassifier(
        max_iter=60, early_stopping=True, n_iter_no_change=5, random_state=0
    ).fit(X, y)
    assert all(0 <= s <= 1 for s in clf.validation_scores_)
    assert clf.best_validation_score_ > 0.9
    assert clf.n_iter_ < 60


def test_predict_proba_only_for_logistic(cancer):
    X, y = cancer
    clf = EnsLossClassifier(max_iter=2, random_state=0).fit(X, y)
    assert not hasattr(clf, "predict_proba")
    with pytest.raises(AttributeError) as exc:
        clf.predict_proba(X)
    assert "loss='ensloss'" in str(exc.value.__cause__)
    logit = EnsLossClassifier(loss="logistic", max_iter=5, random_state=0).fit(X, y)
    proba = logit.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(logit.classes_[proba.argmax(1)], logit.predict(X))


def test_multiclass_one_vs_rest():
    X, y = make_blobs(300, centers=4, cluster_std=0.5, random_state=0)
    labels = np.array(["a", "b", "c", "d"])[y]
    clf = EnsLossClassifier(max_iter=60, random_state=0).fit(X, labels)
    assert clf.decision_function(X).shape == (300, 4)
    assert clf.score(X, labels) > 0.9
    assert type(clf.net_.criterion_).__name__ == "OneVsRestLoss"


def test_lambda_schedule_resamples(cancer):
    X, y = cancer
    clf = EnsLossClassifier(max_iter=4, lambda_period=2, random_state=0).fit(X, y)
    assert -1 <= clf.net_.criterion_.lambda_ <= 1
    assert clf.net_.criterion_.lambda_ != 0.0


def test_paper_architecture_with_batch_norm_and_odd_batch(cancer):
    X, y = cancer
    n = 128 * 3 + 1  # a final batch of one sample is merged, batch norm survives
    clf = EnsLossClassifier(
        hidden_layer_sizes=(64, 64, 64),
        batch_norm=True,
        optimizer="sgd",
        learning_rate_init=1e-2,
        lr_schedule="cosine",
        batch_size=128,
        max_iter=3,
        clip_grad_norm=10.0,
        random_state=0,
    ).fit(X[:n], y[:n])
    assert clf.n_iter_ == 3


def test_grid_search_over_the_loss(cancer):
    X, y = cancer
    pipe = make_pipeline(
        StandardScaler(), EnsLossClassifier(max_iter=20, random_state=0)
    )
    grid = {"enslossclassifier__loss": ["ensloss", "hinge"]}
    search = GridSearchCV(pipe, grid, cv=2).fit(X, y)
    assert search.best_score_ > 0.9


def test_clear_errors(cancer):
    X, y = cancer
    with pytest.raises(InvalidParameterError, match="'loss' parameter"):
        EnsLossClassifier(loss="cross_entropy").fit(X, y)
    with pytest.raises(TypeError, match=re.escape("'margn' (did you mean 'margin'?)")):
        EnsLossClassifier(loss="hinge", loss_params={"margn": 1}).fit(X, y)


def test_registered_loss_is_what_trains(cancer):
    X, y = cancer
    clf = EnsLossClassifier(loss="hinge", loss_params={"margin": 0.5}, max_iter=1)
    clf.fit(X, y)
    assert clf.net_.criterion_.params == get_loss("hinge", margin=0.5).params
