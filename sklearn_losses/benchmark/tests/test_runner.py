"""The runner: planning, determinism, training-fold transforms, the cache."""

import functools
import json
import re

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_losses.benchmark import (
    Comparison,
    CVSpec,
    LabelNoise,
    Results,
    _runner,
    derive_seed,
    get_suite,
    load_benchmark_dataset,
    run_suite,
)


def tiny_suite(**changes):
    params = {
        "ours": {"tree": DecisionTreeClassifier(max_depth=3)},
        "counterparts": {
            "logreg": make_pipeline(StandardScaler(), LogisticRegression()),
            "dummy": DummyClassifier(),
        },
        "datasets": ("iris", "wine"),
        "scoring": ("accuracy", "balanced_accuracy"),
        "cv": 3,
    }
    return [Comparison("tiny", **{**params, **changes})]


def scores(results):
    return [(r["method"], r["dataset"], r["fold"], r["scores"]) for r in results]


def test_tiny_suite_records_every_task():
    results = run_suite(tiny_suite(), progress=False)
    assert len(results) == 3 * 2 * 3
    assert results.n_computed == 18 and results.n_cached == 0
    first = results.records[0]
    assert first["method"] == "tree" and first["role"] == "ours"
    assert set(first["scores"]) == {"accuracy", "balanced_accuracy"}
    assert first["fit_time"] >= 0 and first["predict_time"] >= 0
    assert first["n_train"] + first["n_test"] == 150
    assert not results.failures
    table = results.score_table("tiny")
    assert set(table) == {"iris", "wine"} and table["iris"]["logreg"].shape == (3,)
    assert table["iris"]["logreg"].mean() > 0.9 > table["iris"]["dummy"].mean()


def test_results_are_deterministic_across_n_jobs():
    sequential = run_suite(tiny_suite(), progress=False, seed=3)
    parallel = run_suite(tiny_suite(), progress=False, seed=3, n_jobs=2)
    assert scores(sequential) == scores(parallel)
    other_seed = run_suite(tiny_suite(), progress=False, seed=4)
    assert scores(sequential) != scores(other_seed)


def test_random_state_derives_from_seed_dataset_fold():
    results = run_suite(tiny_suite(), progress=False, seed=7)
    for r in results:
        assert r["random_state"] == derive_seed(7, r["dataset"], r["fold"])
    assert derive_seed(0, "iris", 1) != derive_seed(0, "wine", 1)


def test_factories_and_estimators_are_both_accepted():
    seen = []

    def factory(random_state):
        seen.append(random_state)
        return LogisticRegression(random_state=random_state)

    suite = [
        Comparison(
            "f",
            ours={"factory": factory},
            counterparts={"instance": LogisticRegression()},
            datasets=("iris",),
            cv=2,
        )
    ]
    results = run_suite(suite, progress=False)
    by_method = {m: [r for r in results if r["method"] == m] for m in ("factory",)}
    assert [r["scores"] for r in by_method["factory"]] == [
        r["scores"] for r in results if r["method"] == "instance"
    ]
    assert set(seen[1:]) == {derive_seed(0, "iris", 0), derive_seed(0, "iris", 1)}


def test_transform_touches_training_folds_only():
    # pair noise at rate 1 shifts every training label: a good classifier
    # then predicts the wrong class on clean test folds
    clean = run_suite(tiny_suite(datasets=("iris",)), progress=False)
    noisy = run_suite(
        tiny_suite(datasets=("iris",), transform=LabelNoise("pair", 1.0)),
        progress=False,
    )
    clean_acc = clean.score_table("tiny")["iris"]["logreg"].mean()
    noisy_acc = noisy.score_table("tiny")["iris"]["logreg"].mean()
    assert clean_acc > 0.9 and noisy_acc < 0.1


def test_label_noise_rates():
    y = np.arange(3000) % 3
    _, uniform = LabelNoise("uniform", 0.6)(None, y, random_state=0)
    assert 0.6 * 2 / 3 - 0.05 < np.mean(uniform != y) < 0.6 * 2 / 3 + 0.05
    with pytest.raises(ValueError, match=re.escape("got kind='flip', rate=0.4")):
        LabelNoise("flip")


def test_resume_recomputes_nothing(tmp_path, monkeypatch):
    calls = []
    execute = _runner._execute

    def counting(*args):
        calls.append(args[0]["key"])
        return execute(*args)

    monkeypatch.setattr(_runner, "_execute", counting)
    first = run_suite(tiny_suite(), output=tmp_path, progress=False)
    assert len(calls) == 18
    assert len(list((tmp_path / "cache").glob("*.json"))) == 18
    second = run_suite(tiny_suite(), output=tmp_path, progress=False)
    assert len(calls) == 18 and second.n_cached == 18
    assert scores(first) == scores(second)
    # an interrupted run: lose two entries, only those are recomputed
    for path in sorted((tmp_path / "cache").glob("*.json"))[:2]:
        path.unlink()
    third = run_suite(tiny_suite(), output=tmp_path, progress=False)
    assert len(calls) == 20 and third.n_cached == 16
    run_suite(tiny_suite(), output=tmp_path, progress=False, use_cache=False)
    assert len(calls) == 38
    # a changed parameter invalidates only that method's tasks
    changed = tiny_suite(ours={"tree": DecisionTreeClassifier(max_depth=2)})
    run_suite(changed, output=tmp_path, progress=False)
    assert len(calls) == 44


def test_failures_are_recorded_and_not_cached(tmp_path):
    class Broken(DummyClassifier):
        def fit(self, X, y):
            raise RuntimeError("boom\nsecond line")

    suite = tiny_suite(counterparts={"broken": Broken()}, datasets=("iris",))
    results = run_suite(suite, output=tmp_path, progress=False)
    failed = results.failures
    assert len(failed) == 3
    assert failed[0]["error"] == "RuntimeError: boom second line"
    assert np.isnan(failed[0]["scores"]["accuracy"])
    assert len(list((tmp_path / "cache").glob("*.json"))) == 3
    assert "failed" in repr(results)


def test_progress_lines_go_to_the_sink(tmp_path):
    lines = []
    run_suite(tiny_suite(datasets=("iris",)), output=tmp_path, progress=lines.append)
    assert len(lines) == 9 and lines[-1].startswith("[benchmark] 9/9 tiny | ")
    lines.clear()
    run_suite(tiny_suite(datasets=("iris",)), output=tmp_path, progress=lines.append)
    assert lines == ["[benchmark] 9/9 tasks read from the cache"]


def test_nothing_printed_without_progress(capsys):
    run_suite(tiny_suite(datasets=("iris",)), progress=False)
    assert capsys.readouterr() == ("", "")


def test_dataset_override_skips_incompatible_tasks():
    suite = tiny_suite(task="binary", datasets=("breast_cancer",))
    results = run_suite(suite, datasets=["iris", "breast_cancer"], progress=False)
    assert {r["dataset"] for r in results} == {"breast_cancer"}
    assert results.skipped == [
        {
            "comparison": "tiny",
            "dataset": "iris",
            "reason": "needs a binary target; this dataset has 3 classes",
        }
    ]


def test_missing_estimator_is_skipped():
    def missing(random_state):
        raise ImportError("cannot import name 'NotYetClassifier'")

    suite = tiny_suite(counterparts={"missing": missing}, datasets=("iris",))
    results = run_suite(suite, progress=False)
    assert {r["method"] for r in results} == {"tree"}
    assert results.skipped[0]["method"] == "missing"


def test_selection_and_input_errors():
    suite = tiny_suite() + [
        Comparison("other", ours={"a": DummyClassifier()}, counterparts={})
    ]
    with pytest.raises(ValueError, match=re.escape("valid names: other, tiny")):
        run_suite(suite, estimators=["nope"], progress=False)
    with pytest.raises(ValueError, match=re.escape("Unknown dataset 'nope'")):
        run_suite(suite, datasets=["nope"], progress=False)
    with pytest.raises(ValueError, match="must be unique"):
        run_suite(suite + suite[:1], progress=False)
    with pytest.raises(ValueError, match="'backend' parameter of run_suite"):
        run_suite(suite, backend="spark")
    with pytest.raises(ValueError, match="only used with backend='dask'"):
        run_suite(suite, scheduler="tcp://127.0.0.1:1", progress=False)
    with pytest.raises(ValueError, match="distinct method names"):
        Comparison("x", ours={"a": DummyClassifier()}, counterparts={"a": None})
    with pytest.raises(ValueError, match="task must be one of"):
        Comparison("x", ours={"a": DummyClassifier()}, counterparts={}, task="t")


def test_select_by_estimator_name():
    suite = get_suite("quick")
    results_plan = _runner._select(suite, ["LDRClassifier", "anyloss"])
    assert [c.name for c in results_plan] == ["ldr", "anyloss"]


def test_cv_spec_small_training_set():
    X, y = load_benchmark_dataset("digits")
    folds = CVSpec(n_splits=3, train_size=0.05).split(X, y, 0)
    assert len(folds) == 3
    assert all(len(train) == int(0.05 * len(y)) for train, _ in folds)
    repeated = CVSpec(n_splits=2, n_repeats=2).split(X, y, 0)
    assert len(repeated) == 4


def test_max_samples_subsamples():
    results = run_suite(
        tiny_suite(datasets=("digits",), max_samples=300), progress=False
    )
    assert {r["n_train"] + r["n_test"] for r in results} == {300}


def test_results_round_trip_and_frame(tmp_path):
    results = run_suite(tiny_suite(datasets=("iris",)), progress=False)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results.to_dict()))
    again = Results.read_json(path)
    assert scores(again) == scores(results)
    assert again.comparisons == results.comparisons
    frame = results.to_frame()
    assert len(frame) == 9
    assert {"score_accuracy", "fit_time", "method"} <= set(frame.columns)


def test_load_benchmark_dataset():
    X, y = load_benchmark_dataset("breast_cancer")
    assert X.dtype == np.float64 and not X.flags.writeable
    assert np.mean(y) < 0.5  # the minority class is 1
    with pytest.raises(ValueError, match=re.escape("'openml:<integer id>'")):
        load_benchmark_dataset("openml:abc")


def test_default_suites_are_well_formed():
    for name in ("quick", "full"):
        suite = get_suite(name)
        assert [c.name for c in suite] == [
            "ensloss",
            "ldr",
            "anyloss",
            "linear_probe",
            "metric_learning",
        ]
        for comparison in suite:
            assert comparison.datasets, comparison.name
            for dataset in comparison.datasets:
                load_benchmark_dataset(dataset)
    ldr = get_suite("quick")[1]
    assert repr(ldr.transform) == "LabelNoise(kind='uniform', rate=0.4)"
    assert isinstance(ldr.ours["ALDR-KL"], functools.partial)


def test_openml_datasets_go_through_the_loader(monkeypatch):
    import pandas as pd
    from sklearn.utils import Bunch

    from sklearn_losses import datasets
    from sklearn_losses.benchmark import _data

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=60),
            "colour": pd.Categorical(rng.choice(["red", "blue"], size=60)),
        }
    )
    frame.loc[3, "x"] = np.nan
    target = np.where(np.arange(60) < 20, "bad", "good")
    calls = []

    def fake_fetch(data_id, *, data_home=None):
        calls.append((data_id, data_home))
        return Bunch(data=frame, target=target)

    monkeypatch.setattr(datasets, "fetch_openml_dataset", fake_fetch)
    _data._load.cache_clear()
    try:
        X, y = load_benchmark_dataset("openml:31", data_home="/somewhere")
        results = run_suite(
            tiny_suite(datasets=()), datasets=["openml:31"], progress=False
        )
    finally:
        _data._load.cache_clear()
    assert calls[0] == (31, "/somewhere")
    assert X.shape == (60, 3) and not np.isnan(X).any()
    assert np.mean(y) == pytest.approx(1 / 3)  # "bad", the minority, is 1
    assert {r["dataset"] for r in results} == {"openml:31"}
