import re
import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_losses import LDRClassifier
from sklearn_losses.datasets import add_label_noise, load_dataset

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "minibatch SGD: a repeated sample lands in different batches, which is "
        "not the step of one sample of weight 2; ALDR-KL also keeps one "
        "temperature per training row"
    ),
    "check_methods_subset_invariance": (
        "float32 matrix products use different blocking for different batch "
        "sizes, so a subset's outputs differ in the last float32 bits (1e-7)"
    ),
}


@parametrize_with_checks(
    [
        LDRClassifier(max_iter=15, random_state=0),
        LDRClassifier(loss="cross_entropy", max_iter=15, random_state=0),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def test_aldr_temperatures_are_per_sample_and_bounded(iris):
    X, y = iris
    clf = LDRClassifier(lambda_=2.0, alpha_prior=4.0, max_iter=20, random_state=0)
    clf.fit(X, y)
    assert clf.lambdas_.shape == (150,)
    assert np.all(clf.lambdas_ >= 2.0 * (1 - 1 / 4.0) - 1e-6)
    assert np.all(clf.lambdas_ <= 2.0 + 1e-6)
    first = clf.lambdas_.copy()
    clf.set_params(lambda_=5.0).fit(X, y)  # state reset on every fit
    assert clf.lambdas_.min() > first.max()
    ce = LDRClassifier(loss="cross_entropy", max_iter=2, random_state=0).fit(X, y)
    assert not hasattr(ce, "lambdas_")


def test_corrupted_samples_keep_higher_temperatures():
    X, y = load_dataset("vowel", return_X_y=True)
    X = StandardScaler().fit_transform(X)
    y_noisy, mask = add_label_noise(
        y, kind="symmetric", rate=0.4, random_state=0, return_mask=True
    )
    clf = LDRClassifier(lambda_=1.0, max_iter=60, random_state=0).fit(X, y_noisy)
    gap = clf.lambdas_[mask].mean() - clf.lambdas_[~mask].mean()
    assert gap > 0.01  # uncertain (mislabelled) samples stay nearer the prior


def test_probabilities_and_binary_targets(iris):
    X, y = iris
    clf = LDRClassifier(max_iter=30, random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(1)], clf.predict(X))
    binary = LDRClassifier(max_iter=30, random_state=0).fit(X[y < 2], y[y < 2])
    assert binary.decision_function(X[:5]).shape == (5,)
    assert binary.score(X[y < 2], y[y < 2]) > 0.95


def test_callable_loss_and_its_check(iris):
    X, y = iris

    def ce(scores, target):
        return torch.nn.functional.cross_entropy(scores, target, reduction="none")

    assert (
        LDRClassifier(loss=ce, max_iter=30, random_state=0).fit(X, y).score(X, y) > 0.8
    )
    bad = LDRClassifier(loss=lambda s, t: s.sum(), max_iter=1)
    with pytest.raises(ValueError, match=re.escape("one value per sample")):
        bad.fit(X, y)


def test_grid_search_over_loss_and_temperature(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), LDRClassifier(max_iter=20, random_state=0))
    grid = {
        "ldrclassifier__loss": ["ldr_kl", "aldr_kl"],
        "ldrclassifier__lambda_": [0.1, 10.0],
    }
    assert GridSearchCV(pipe, grid, cv=2).fit(X, y).best_score_ > 0.7


def test_same_seed_same_model(iris):
    X, y = iris
    a = LDRClassifier(max_iter=5, random_state=2).fit(X, y).decision_function(X)
    b = LDRClassifier(max_iter=5, random_state=2).fit(X, y).decision_function(X)
    np.testing.assert_array_equal(a, b)


def test_clear_errors(iris):
    X, y = iris
    with pytest.raises(InvalidParameterError, match="'loss' parameter"):
        LDRClassifier(loss="hinge").fit(X, y)
    with pytest.raises(InvalidParameterError, match="'alpha_prior' parameter"):
        LDRClassifier(alpha_prior=1.0).fit(X, y)
    with pytest.raises(TypeError, match=re.escape("(did you mean 'q'?)")):
        LDRClassifier(loss="gce", loss_params={"qq": 0.5}).fit(X, y)
