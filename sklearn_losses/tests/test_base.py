"""Tests of the estimator template through a minimal cross-entropy classifier."""

import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.base import _fit_context, clone
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_losses._base import BaseNetClassifier
from sklearn_losses.losses import get_loss

EXPECTED_FAILED_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "minibatch SGD: a sample repeated twice is seen twice per epoch in "
        "different batches, which is not the same step as one sample of "
        "weight 2"
    ),
    "check_methods_subset_invariance": (
        "float32 matrix products use different blocking for different batch "
        "sizes, so a subset's outputs differ in the last float32 bits (1e-7)"
    ),
}


class CEClassifier(BaseNetClassifier):
    """Cross-entropy MLP used to test the template."""

    def __init__(
        self,
        *,
        hidden_layer_sizes=(16,),
        activation="relu",
        batch_norm=False,
        dropout=0.0,
        module=None,
        optimizer="adam",
        learning_rate_init=1e-2,
        lr_schedule="constant",
        momentum=0.9,
        alpha=1e-4,
        batch_size="auto",
        max_iter=20,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="cpu",
        random_state=None,
        verbose=0,
        warm_start=False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.batch_norm = batch_norm
        self.dropout = dropout
        self.module = module
        self.optimizer = optimizer
        self.learning_rate_init = learning_rate_init
        self.lr_schedule = lr_schedule
        self.momentum = momentum
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    def _make_criterion(self):
        return get_loss("cross_entropy")

    def _n_outputs(self):
        return len(self.classes_)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        return self._fit(X, y, sample_weight)


@parametrize_with_checks(
    [CEClassifier(random_state=0)],
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


def quiet(est):
    """Train all ``max_iter`` epochs (no plateau stopping)."""
    return est.set_params(n_iter_no_change=1000)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_same_seed_same_model_and_x_untouched(iris):
    X, y = iris
    X_copy = X.copy()
    a = CEClassifier(random_state=3).fit(X, y).decision_function(X)
    b = CEClassifier(random_state=3).fit(X, y).decision_function(X)
    c = CEClassifier(random_state=4).fit(X, y).decision_function(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(X, X_copy)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize(
    "labels", [np.array(["setosa", "versicolor", "virginica"]), np.array([3, 7, 11])]
)
def test_labels_are_returned_as_given(iris, labels):
    X, y = iris
    clf = CEClassifier(random_state=0, max_iter=100).fit(X, labels[y])
    np.testing.assert_array_equal(clf.classes_, labels)
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, labels[y]) > 0.9


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_bool_labels_float32_and_pandas():
    pd = pytest.importorskip("pandas")
    X, y = make_classification(120, 4, random_state=0)
    frame = pd.DataFrame(X.astype(np.float32), columns=list("abcd"))
    clf = CEClassifier(random_state=0).fit(frame, y.astype(bool))
    assert clf.classes_.dtype == bool
    np.testing.assert_array_equal(clf.feature_names_in_, list("abcd"))
    assert clf.decision_function(frame).shape == (120,)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickle_clone_and_pipeline(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), quiet(CEClassifier(random_state=0)))
    pipe.fit(X, y)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict(X), pipe.predict(X))
    fresh = clone(pipe)
    assert not hasattr(fresh[-1], "net_")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_cross_validate_in_parallel(iris):
    X, y = iris
    res = cross_validate(
        quiet(CEClassifier(random_state=0, max_iter=5)), X, y, cv=3, n_jobs=2
    )
    assert res["test_score"].mean() > 0.7


def test_history_attributes_and_convergence_warning(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match=re.escape("maximum iterations (3)")):
        clf = CEClassifier(random_state=0, max_iter=3).fit(X, y)
    assert clf.n_iter_ == 3 and len(clf.loss_curve_) == 3
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = CEClassifier(random_state=0, max_iter=500, tol=1.0, n_iter_no_change=2)
        clf.fit(X, y)
    assert clf.n_iter_ == 3


def test_early_stopping_records_validation_scores(iris):
    X, y = iris
    clf = CEClassifier(
        random_state=0,
        max_iter=200,
        early_stopping=True,
        n_iter_no_change=5,
        validation_fraction=0.2,
    ).fit(X, y)
    assert clf.n_iter_ < 200
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_warm_start_continues_training(iris):
    X, y = iris
    clf = CEClassifier(random_state=0, max_iter=3, warm_start=True).fit(X, y)
    first = clf.net_
    clf.fit(X, y)
    assert clf.net_ is first and clf.n_iter_ == 6
    with pytest.raises(ValueError, match=re.escape("needs the classes of the first")):
        clf.fit(X[y < 2], y[y < 2])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_verbose_lines_and_silence(iris, capsys):
    X, y = iris
    CEClassifier(random_state=0, max_iter=2).fit(X, y)
    assert capsys.readouterr().out == ""
    CEClassifier(random_state=0, max_iter=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[CEClassifier] epoch    1/2  train_loss=")
    assert len(out) == 3


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sample_weight_zeroes_out_samples():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 2)
    y = (X[:, 0] > 0).astype(int)
    y_flip = y.copy()
    y_flip[:100] = 1 - y_flip[:100]
    w = np.r_[np.zeros(100), np.ones(100)]
    clf = CEClassifier(random_state=0, max_iter=60).fit(X, y_flip, sample_weight=w)
    assert clf.score(X, y) > 0.9


def test_clear_errors(iris):
    X, y = iris
    clf = CEClassifier(max_iter=2)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    with pytest.raises(ValueError, match="only one class: 0"):
        clf.fit(X[:20], y[:20])
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(X_nan, y)
    with pytest.raises(InvalidParameterError, match="'learning_rate_init'"):
        CEClassifier(learning_rate_init=0).fit(X, y)
    with pytest.raises(ValueError, match=re.escape("hidden_layer_sizes must be")):
        CEClassifier(hidden_layer_sizes=(0,)).fit(X, y)
    with pytest.raises(ValueError, match="at least one non-zero"):
        clf.fit(X, y, sample_weight=np.zeros(len(y)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.predict(X[:, :3])
