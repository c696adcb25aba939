import pickle
import re
import warnings

import numpy as np
import pytest
from scipy.special import softmax
from scipy.stats import norm
from sklearn.base import clone
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_losses._linear_probe import LinearProbeClassifier
from sklearn_losses.probe import (
    ProbeLearningCurve,
    plot_probe_learning_curve,
    probe_learning_curve,
)

N_ITER_REASON = (
    "the naive-Bayes head is fitted in closed form: it has no iterations, so "
    "it sets no n_iter_ (only the trained heads do)"
)
SAMPLE_WEIGHT_REASON = (
    "the weighted and the repeated objectives are equal, but the logistic head "
    "computes its logits from float32 features and L-BFGS stops at a gradient "
    "tolerance: the two runs round differently and take different iterates, so "
    "the solutions agree to about 1e-6, not to the check's rtol=1e-7 (naive "
    "Bayes, closed form in float64, and the float64 hybrid head pass)"
)


def expected_failed_checks(estimator):
    """Per head; "auto" picks naive Bayes on the n_iter check's data and the
    logistic head on the sample-weight check's data."""
    failed = {}
    if estimator.head in ("naive_bayes", "auto"):
        failed["check_non_transformer_estimators_n_iter"] = N_ITER_REASON
    if estimator.head in ("logistic", "auto") and estimator.solver == "lbfgs":
        failed["check_sample_weight_equivalence_on_dense_data"] = SAMPLE_WEIGHT_REASON
    return failed


@parametrize_with_checks(
    [
        LinearProbeClassifier(head="naive_bayes"),
        LinearProbeClassifier(head="logistic", max_iter=50),
        LinearProbeClassifier(head="hybrid", max_iter=50),
        LinearProbeClassifier(head="auto", cv=3, max_iter=50, random_state=0),
        LinearProbeClassifier(
            head="logistic", solver="adam", max_iter=10, random_state=0
        ),
    ],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.fixture(scope="module")
def blobs():
    """Four well-separated classes, standardised (well conditioned)."""
    X, y = make_classification(
        400, 8, n_informative=6, n_redundant=0, n_classes=4, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def numpy_naive_bayes(X, y, w, var_smoothing, var_prior_count=0.0):
    """Independent reference: loops over classes, scipy densities."""
    classes = np.unique(y)
    means = np.array(
        [np.average(X[y == k], axis=0, weights=w[y == k]) for k in classes]
    )
    priors = np.array([w[y == k].sum() for k in classes]) / w.sum()
    class_var = np.array(
        [
            np.average((X[y == k] - means[i]) ** 2, 0, w[y == k])
            for i, k in enumerate(classes)
        ]
    )
    total = np.average((X - np.average(X, 0, w)) ** 2, 0, w)
    pooled = priors @ class_var
    n, c = w.sum(), var_prior_count
    var = (n * pooled + c * pooled.mean()) / (n + c) + var_smoothing * total.max()
    joint = np.stack(
        [
            np.log(p) + norm.logpdf(X, m, np.sqrt(var)).sum(1)
            for p, m in zip(priors, means)
        ],
        axis=1,
    )
    return means, var, priors, softmax(joint, axis=1)


def test_naive_bayes_is_the_closed_form(blobs):
    X, y = blobs
    w = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    clf = LinearProbeClassifier(head="naive_bayes", var_smoothing=1e-3)
    clf.fit(X, y, sample_weight=w)
    means, var, priors, proba = numpy_naive_bayes(X, y, w, 1e-3, 10.0)
    np.testing.assert_allclose(clf.class_means_, means, rtol=1e-10)
    np.testing.assert_allclose(clf.var_, var, rtol=1e-10)
    np.testing.assert_allclose(clf.class_prior_, priors, rtol=1e-12)
    np.testing.assert_allclose(clf.coef_, means / var, rtol=1e-10)
    np.testing.assert_allclose(clf.predict_proba(X), proba, rtol=1e-8, atol=1e-12)
    assert not hasattr(clf, "net_") and not hasattr(clf, "n_iter_")


def test_variance_shrinkage(blobs):
    X, y = blobs
    mle = LinearProbeClassifier(head="naive_bayes", var_prior_count=0).fit(X, y)
    np.testing.assert_allclose(
        mle.var_, numpy_naive_bayes(X, y, np.ones(len(y)), 1e-9)[1], rtol=1e-10
    )
    # Shrinkage pulls every variance toward their mean, keeping the mean.
    shrunk = LinearProbeClassifier(head="naive_bayes", var_prior_count=400).fit(X, y)
    spread = lambda v: v.max() - v.min()  # noqa: E731
    assert spread(shrunk.var_) == pytest.approx(spread(mle.var_) / 2, rel=1e-6)
    assert shrunk.var_.mean() == pytest.approx(mle.var_.mean(), rel=1e-9)
    # With two samples per class, a near-constant feature no longer dominates.
    rng = np.random.default_rng(0)
    X_few = np.column_stack([rng.normal(size=(8, 3)), 1e-4 * rng.normal(size=8)])
    y_few = np.repeat([0, 1, 2, 3], 2)
    raw = LinearProbeClassifier(head="naive_bayes", var_prior_count=0)
    ratio = lambda est: np.abs(est.coef_[:, 3]).max() / np.abs(est.coef_[:, :3]).max()  # noqa: E731
    assert ratio(raw.fit(X_few, y_few)) > 10
    assert ratio(LinearProbeClassifier(head="naive_bayes").fit(X_few, y_few)) < 0.1


def test_naive_bayes_sample_weight_is_repetition(blobs):
    X, y = blobs
    w = np.arange(len(y)) % 3
    weighted = LinearProbeClassifier(head="naive_bayes").fit(X, y, sample_weight=w)
    repeated = LinearProbeClassifier(head="naive_bayes").fit(
        np.repeat(X, w, 0), np.repeat(y, w)
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-10)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-10)


def test_differs_from_gaussian_nb_on_class_specific_variances():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 500)
    X = rng.normal(size=(1000, 2)) * np.where(y == 0, 0.5, 3.0)[:, None]
    ours = LinearProbeClassifier(head="naive_bayes").fit(X, y)
    theirs = GaussianNB().fit(X, y)
    # Same means: only the per-class variances separate the classes, which a
    # quadratic model sees and a linear one cannot.
    assert theirs.score(X, y) > 0.85
    assert ours.score(X, y) < 0.65
    assert np.mean(ours.predict(X) != theirs.predict(X)) > 0.2


def test_agrees_with_gaussian_nb_on_shared_variances():
    # Class 1 is class 0 shifted: the per-class variances are exactly equal.
    X0 = np.random.default_rng(1).normal(size=(200, 5)) * [1, 2, 0.5, 1, 3]
    X = np.vstack([X0, X0 + [1.0, -2.0, 0.5, 0.0, 1.0], X0 - 1.0])
    y = np.repeat([0, 1, 2], 200)
    ours = LinearProbeClassifier(head="naive_bayes", var_prior_count=0).fit(X, y)
    theirs = GaussianNB().fit(X, y)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(
        ours.predict_proba(X), theirs.predict_proba(X), atol=1e-8
    )


def test_naive_bayes_nears_the_bayes_error_with_few_samples():
    """Data from the shared-variance model (d=100, Bayes error 0.4%): naive
    Bayes with 10 samples per class is within 4 points of the Bayes error,
    logistic regression 3 points further."""
    rng = np.random.default_rng(0)
    d, k = 100, 3
    means = rng.normal(size=(k, d)) * 0.35
    sd = rng.uniform(0.5, 1.5, d)

    def draw(n):
        y = np.arange(n) % k
        return means[y] + rng.normal(size=(n, d)) * sd, y

    X_test, y_test = draw(6000)
    bayes = np.argmax(-(((X_test[:, None] - means) / sd) ** 2).sum(2), axis=1)
    bayes_error = np.mean(bayes != y_test)
    gaps = {"naive_bayes": [], "logistic": []}
    for _ in range(3):
        X, y = draw(10 * k)
        for head in gaps:
            clf = LinearProbeClassifier(head=head).fit(X, y)
            gaps[head].append(1 - clf.score(X_test, y_test) - bayes_error)
    assert np.mean(gaps["naive_bayes"]) < 0.04
    assert np.mean(gaps["logistic"]) > np.mean(gaps["naive_bayes"]) + 0.03


@pytest.mark.parametrize("n_classes", [2, 4])
def test_logistic_matches_scikit_learn(n_classes):
    X, y = make_classification(
        300, 6, n_informative=4, n_redundant=0, n_classes=n_classes, random_state=1
    )
    X = StandardScaler().fit_transform(X)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    ref = LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000)
    ref.fit(X, y, sample_weight=w)
    clf = LinearProbeClassifier(head="logistic", C=0.5, tol=1e-7)
    clf.fit(X, y, sample_weight=w)
    assert clf.coef_.shape == ref.coef_.shape
    np.testing.assert_allclose(clf.coef_, ref.coef_, atol=1e-3)
    # Unpenalised multinomial intercepts are defined up to a common shift.
    center = (lambda b: b - b.mean()) if n_classes > 2 else (lambda b: b)
    np.testing.assert_allclose(
        center(clf.intercept_), center(ref.intercept_), atol=1e-3
    )


def test_binary_convention_and_probabilities():
    X, y = make_classification(200, 5, random_state=0)
    labels = np.array(["no", "yes"])[y]
    clf = LinearProbeClassifier(head="naive_bayes").fit(X, labels)
    two = LinearProbeClassifier(head="naive_bayes").fit(
        np.vstack([X, X]), np.concatenate([labels, np.where(y == 0, "zz", "no")])
    )
    assert clf.coef_.shape == (1, 5) and clf.intercept_.shape == (1,)
    assert two.coef_.shape == (3, 5)
    scores = clf.decision_function(X)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(scores, np.log(proba[:, 1] / proba[:, 0]), rtol=1e-8)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), proba, atol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), np.where(scores > 0, "yes", "no"))
    np.testing.assert_allclose(
        clf.coef_[0], (clf.class_means_[1] - clf.class_means_[0]) / clf.var_
    )


def test_hybrid_interpolates_between_the_heads(blobs):
    X, y = blobs
    nb = LinearProbeClassifier(head="naive_bayes", var_prior_count=0).fit(X, y)
    gen = LinearProbeClassifier(head="hybrid", hybrid_weight=1.0).fit(X, y)
    np.testing.assert_allclose(gen.coef_, nb.coef_, atol=1e-6)
    assert gen.n_iter_ <= 2  # starts at the naive-Bayes optimum
    dis = LinearProbeClassifier(head="hybrid", hybrid_weight=0.0, max_iter=100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dis.fit(X, y)
    log_loss = lambda c: -np.mean(c.predict_log_proba(X)[np.arange(len(y)), y])  # noqa: E731
    assert log_loss(dis) < log_loss(nb) - 0.05


def test_logistic_naive_bayes_init_reaches_the_same_optimum(blobs):
    X, y = blobs
    zeros = LinearProbeClassifier(head="logistic", tol=1e-6).fit(X, y)
    nb = LinearProbeClassifier(head="logistic", logistic_init="naive_bayes", tol=1e-6)
    nb.fit(X, y)
    np.testing.assert_allclose(nb.coef_, zeros.coef_, atol=1e-3)


def test_warm_start_continues_from_the_previous_solution(blobs):
    X, y = blobs
    clf = LinearProbeClassifier(head="logistic", warm_start=True, tol=1e-6).fit(X, y)
    first = clf.n_iter_
    clf.fit(X, y)
    assert clf.n_iter_ < first / 2
    clf.set_params(head="naive_bayes").fit(X, y)
    assert not hasattr(clf, "net_")


def test_auto_picks_by_cross_validation(blobs):
    X, y = blobs
    clf = LinearProbeClassifier(head="auto", cv=3, random_state=0).fit(X, y)
    assert set(clf.cv_scores_) == {"naive_bayes", "logistic"}
    assert all(s.shape == (3,) for s in clf.cv_scores_.values())
    means = {h: s.mean() for h, s in clf.cv_scores_.items()}
    assert clf.head_ == max(means, key=lambda h: (means[h], h == "naive_bayes"))
    # Fewer than 10 samples per class: naive Bayes without CV.
    tiny = LinearProbeClassifier(head="auto").fit(X[:4], [0, 1, 2, 3])
    assert tiny.head_ == "naive_bayes" and tiny.cv_scores_ == {}
    few = LinearProbeClassifier(head="auto", cv=3).fit(X[:19], np.arange(19) % 2)
    assert few.head_ == "naive_bayes" and few.cv_scores_ == {}
    enough = LinearProbeClassifier(head="auto", cv=3).fit(X[:20], np.arange(20) % 2)
    assert set(enough.cv_scores_) == {"naive_bayes", "logistic"}


def test_pipeline_grid_search_over_head():
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(MinMaxScaler(), LinearProbeClassifier(max_iter=100))
    grid = GridSearchCV(
        pipe,
        {"linearprobeclassifier__head": ["naive_bayes", "logistic"]},
        cv=3,
    ).fit(X[:400], y[:400])
    assert grid.best_params_["linearprobeclassifier__head"] in (
        "naive_bayes",
        "logistic",
    )
    assert grid.score(X[400:800], y[400:800]) > 0.8


@pytest.mark.parametrize("head", ["logistic", "hybrid"])
def test_pickle_round_trip(blobs, head):
    X, y = blobs
    clf = LinearProbeClassifier(head=head, max_iter=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert restored.net_.module_ is not None


def test_same_random_state_same_predictions(blobs):
    X, y = blobs
    est = LinearProbeClassifier(
        head="auto", solver="adam", max_iter=5, cv=3, random_state=3
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = clone(est).fit(X, y)
        b = clone(est).fit(X, y)
    np.testing.assert_array_equal(a.decision_function(X), b.decision_function(X))
    for head in a.cv_scores_:
        np.testing.assert_array_equal(a.cv_scores_[head], b.cv_scores_[head])


def test_string_labels_float32_and_x_untouched(blobs):
    X, y = blobs
    X32 = X.astype(np.float32)
    before = X32.copy()
    labels = np.array(["ant", "bee", "cat", "dog"])[y]
    clf = LinearProbeClassifier(head="logistic").fit(X32, labels)
    assert clf.predict(X32).dtype.kind == "U"
    assert clf.score(X32, labels) > 0.55  # chance: 0.25
    np.testing.assert_array_equal(X32, before)


def test_convergence_warning_and_verbose(blobs, capsys):
    X, y = blobs
    with pytest.warns(ConvergenceWarning, match=re.escape("maximum iterations (2)")):
        LinearProbeClassifier(head="logistic", max_iter=2).fit(X, y)
    assert capsys.readouterr().out == ""
    LinearProbeClassifier(head="logistic", verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert out.startswith("[LinearProbeClassifier] epoch")


def test_clear_errors(blobs):
    X, y = blobs
    clf = LinearProbeClassifier(head="naive_bayes")
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match=re.escape("Input X contains NaN")):
        clf.fit(X_nan, y)
    with pytest.raises(ValueError, match=re.escape("only one class: 1")):
        clf.fit(X, np.ones_like(y))
    with pytest.raises(
        ValueError, match=re.escape("X has 3 features, but LinearProbeClassifier")
    ):
        clf.fit(X, y).predict(X[:, :3])
    with pytest.raises(InvalidParameterError, match=re.escape("'head' parameter")):
        LinearProbeClassifier(head="bayes").fit(X, y)
    with pytest.raises(InvalidParameterError, match=re.escape("'hybrid_weight'")):
        LinearProbeClassifier(hybrid_weight=1.5).fit(X, y)
    with pytest.raises(InvalidParameterError, match=re.escape("'cv' parameter")):
        LinearProbeClassifier(cv=1).fit(X, y)
    w = np.where(y == 2, 0.0, 1.0)
    with pytest.raises(
        ValueError,
        match=re.escape("positive total sample weight, but class 2 has 0"),
    ):
        clf.fit(X, y, sample_weight=w)


def test_probe_learning_curve_protocol():
    X, y = load_digits(return_X_y=True)
    curve = probe_learning_curve(
        X,
        y,
        heads=("naive_bayes", "logistic"),
        train_sizes=[10, 40, 400],
        n_repeats=2,
        random_state=0,
        estimator_params={"max_iter": 200},
    )
    n_pool = len(y) - int(np.ceil(0.25 * len(y)))
    np.testing.assert_array_equal(curve.train_sizes, [10, 40, 400])
    assert curve.errors["logistic"].shape == (3, 2)
    assert curve.n_test == int(np.ceil(0.25 * len(y)))
    assert np.all(curve.error_mean["naive_bayes"] < 0.9)
    fractions = probe_learning_curve(
        X, y, train_sizes=[0.5, 1.0], n_repeats=1, heads=("naive_bayes",)
    )
    np.testing.assert_array_equal(fractions.train_sizes, [round(n_pool / 2), n_pool])
    summary = curve.to_dict()
    assert set(summary["error_mean"]) == {"naive_bayes", "logistic"}
    with pytest.raises(
        ValueError, match=re.escape("train_sizes must lie in [n_classes")
    ):
        probe_learning_curve(X, y, train_sizes=[5])
    with pytest.raises(ValueError, match=re.escape("heads must be a non-empty")):
        probe_learning_curve(X, y, heads=("bayes",))


def _curve(nb, lr):
    errors = {"naive_bayes": np.array(nb)[:, None], "logistic": np.array(lr)[:, None]}
    sizes = np.array([10, 100, 1000, 10000])
    return ProbeLearningCurve(sizes, ("naive_bayes", "logistic"), errors, errors)


def test_crossover_size():
    # Logistic better from between 100 and 1000 on: log-linear interpolation
    # of the difference, shifted by the tie tolerance of 0.001.
    curve = _curve([0.3, 0.2, 0.15, 0.14], [0.5, 0.3, 0.05, 0.04])
    assert curve.crossover_size == pytest.approx(10 ** (2 + 0.101 / 0.2))
    # Both at zero error: a tie, not a crossover.
    assert _curve([0.3, 0.0, 0.0, 0.0], [0.5, 0.1, 0.0, 0.0002]).crossover_size is None
    assert _curve([0.3, 0.2, 0.1, 0.1], [0.4, 0.3, 0.2, 0.2]).crossover_size is None
    assert _curve([0.5, 0.4, 0.3, 0.3], [0.4, 0.3, 0.2, 0.2]).crossover_size == 10.0


def test_plot_probe_learning_curve():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = plot_probe_learning_curve(
        _curve([0.3, 0.2, 0.15, 0.14], [0.5, 0.3, 0.05, 0.04])
    )
    assert ax.get_xscale() == "log"
    assert len(ax.get_lines()) == 3  # two heads and the crossover
    plt.close(ax.figure)
