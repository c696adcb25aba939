"""The command line: argument errors, runtime errors, the suite, the papers."""

import sys
import types
from pathlib import Path

import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression

import sklearn_losses.benchmark as benchmark
from sklearn_losses.benchmark import Comparison, _papers, _suites
from sklearn_losses.benchmark.cli import main


def tiny_suite(name="quick"):
    return [
        Comparison(
            "tiny",
            ours={"logreg": LogisticRegression(max_iter=500)},
            counterparts={"dummy": DummyClassifier()},
            datasets=("iris",),
            cv=3,
            estimator="TinyClassifier",
        )
    ]


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(_suites, "get_suite", tiny_suite)


@pytest.mark.parametrize(
    "argv, message",
    [
        ([], "the following arguments are required: COMMAND"),
        (["bench"], "invalid choice: 'bench'"),
        (["benchmark", "--suite", "huge"], "invalid choice: 'huge'"),
        (["benchmark", "--estimators", "nope"], "invalid choice: 'nope'"),
        (["benchmark", "--n-jobs", "0"], "must be a positive integer or -1"),
        (["benchmark", "--n-jobs", "two"], "expected an integer, got 'two'"),
        (["benchmark", "--seed", "-1"], "must be >= 0, got -1"),
        (["benchmark", "--backend", "spark"], "invalid choice: 'spark'"),
        (["benchmark", "--alpha", "2"], "must be in (0, 1), got 2.0"),
        (["benchmark", "--openml", "x"], "invalid int value: 'x'"),
        (["benchmark", "--scheduler", "tcp://h:1"], "--scheduler needs --backend dask"),
        (["benchmark", "--data-home", "d"], "--data-home is only used with --openml"),
    ],
)
def test_argument_errors_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage: sklearn-losses" in err and message in err


def test_help_exits_0(capsys):
    assert main(["benchmark", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--estimators" in out and "ensloss" in out and "--backend" in out


def test_unknown_dataset_is_a_one_line_runtime_error(capsys, tmp_path):
    argv = ["benchmark", "--datasets", "nope", "--output", str(tmp_path)]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("sklearn-losses benchmark: error: Unknown dataset 'nope'")
    assert "valid names: " in err and "iris" in err


def test_missing_dask_is_a_clear_error(monkeypatch, capsys, tiny, tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)
    argv = ["benchmark", "--backend", "dask", "--output", str(tmp_path)]
    assert main(argv + ["--no-progress"]) == 1
    assert "pip install sklearn-losses[dask]" in capsys.readouterr().err


def test_suite_end_to_end(tiny, tmp_path, capsys):
    argv = ["benchmark", "--output", str(tmp_path), "--no-progress"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "| tiny | iris | accuracy | logreg |" in out
    assert "6 tasks (6 computed, 0 from the cache)" in out
    assert str(tmp_path / "results.json") in out
    for name in ("results.json", "results.csv", "summary.md", "plots/tiny_scores.png"):
        assert (tmp_path / name).is_file()
    assert main(argv + ["--estimators", "TinyClassifier"]) == 0
    assert "6 tasks (0 computed, 6 from the cache)" in capsys.readouterr().out
    assert main(argv + ["--no-cache"]) == 0
    assert "6 tasks (6 computed, 0 from the cache)" in capsys.readouterr().out


def test_progress_bar_on_stderr(tiny, tmp_path, capsys):
    assert main(["benchmark", "--output", str(tmp_path)]) == 0
    assert "6/6" in capsys.readouterr().err


def test_options_map_onto_run_suite(monkeypatch, tmp_path, capsys):
    seen = {}

    def fake_run_suite(suite, **kwargs):
        seen.update(kwargs, suite=suite)
        raise KeyboardInterrupt

    monkeypatch.setattr(benchmark, "run_suite", fake_run_suite)
    argv = ["benchmark", "--suite", "full", "--estimators", "ldr", "--datasets"]
    argv += ["iris", "--openml", "31", "1464", "--data-home", str(tmp_path)]
    argv += ["--n-jobs", "-1", "--backend", "dask", "--scheduler", "tcp://h:8786"]
    argv += ["--seed", "5", "--no-progress", "--output", str(tmp_path)]
    assert main(argv) == 130
    assert "interrupted" in capsys.readouterr().err
    assert seen == {
        "suite": "full",
        "datasets": ["iris", "openml:31", "openml:1464"],
        "estimators": ["ldr"],
        "n_jobs": -1,
        "backend": "dask",
        "scheduler": "tcp://h:8786",
        "output": tmp_path,
        "seed": 5,
        "progress": False,
        "use_cache": True,
        "data_home": tmp_path,
        "alpha": 0.05,
    }


@pytest.fixture
def fake_paper(monkeypatch):
    calls = []

    def add_arguments(parser):
        parser.add_argument("--width", type=int, default=8)

    def run(*, output, n_jobs=1, seed=0, quick=False, **options):
        calls.append(
            dict(output=output, n_jobs=n_jobs, seed=seed, quick=quick, **options)
        )
        return {"table": {"header": ["a", "b"], "rows": [[1, 2]]}}

    module = types.ModuleType("sklearn_losses.benchmark._papers.fake")
    module.NAME, module.DESCRIPTION = "fake", "a fake paper benchmark"
    module.add_arguments, module.run = add_arguments, run
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(_papers, "PAPERS", ("fake", "missing_paper"))
    return calls


def test_paper_subcommand(fake_paper, tmp_path, capsys):
    argv = ["benchmark", "--output", str(tmp_path), "fake", "--quick", "--n-jobs", "2"]
    assert main(argv + ["--width", "3"]) == 0
    assert fake_paper == [
        {"output": tmp_path, "n_jobs": 2, "seed": 0, "quick": True, "width": 3}
    ]
    out = capsys.readouterr().out
    assert "| a | b |" in out and "| 1 | 2 |" in out
    assert main(["benchmark", "fake", "--seed", "4"]) == 0
    assert fake_paper[-1] == {
        "output": Path("benchmark_results"),
        "n_jobs": 1,
        "seed": 4,
        "quick": False,
        "width": 8,
    }


def test_paper_subcommand_errors(fake_paper, capsys):
    assert main(["benchmark", "--suite", "full", "fake"]) == 2
    assert "--suite apply to the default suite" in capsys.readouterr().err
    assert main(["benchmark", "missing_paper"]) == 2
    assert "invalid choice: 'missing_paper'" in capsys.readouterr().err
    assert main(["benchmark", "--help"]) == 0
    out = capsys.readouterr().out
    assert "fake" in out and "missing_paper (module missing)" in out


def test_load_paper_errors(fake_paper):
    with pytest.raises(ValueError, match="valid names: fake, missing_paper"):
        _papers.load_paper("nope")
    with pytest.raises(ImportError, match="'missing_paper' is not available"):
        _papers.load_paper("missing_paper")
    available, unavailable = _papers.available_papers()
    assert list(available) == ["fake"] and list(unavailable) == ["missing_paper"]


def test_registered_papers_import_or_report():
    available, unavailable = _papers.available_papers()
    assert set(available) | set(unavailable) == set(_papers.PAPERS)
    for name, module in available.items():
        assert module.NAME == name and callable(module.run)
