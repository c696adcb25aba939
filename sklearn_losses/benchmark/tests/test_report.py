"""The report: summary numbers, markdown, files and plots."""

import csv
import json

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_losses.benchmark import (
    Comparison,
    Results,
    format_summary,
    paired_tests,
    run_suite,
    summarize,
    write_report,
)


@pytest.fixture(scope="module")
def results():
    suite = [
        Comparison(
            "tiny",
            ours={"tree": DecisionTreeClassifier(max_depth=3)},
            counterparts={
                "logreg": make_pipeline(StandardScaler(), LogisticRegression()),
                "dummy": DummyClassifier(),
            },
            datasets=("iris", "wine", "breast_cancer"),
            cv=3,
            description="a tiny suite",
        ),
        Comparison(
            "pair",
            ours={"logreg": LogisticRegression(max_iter=500)},
            counterparts={"dummy": DummyClassifier()},
            datasets=("iris",),
            scoring="balanced_accuracy",
            cv=3,
        ),
    ]
    return run_suite(suite, progress=False)


def test_summary_numbers(results):
    summary = summarize(results)
    rows = [r for r in summary["rows"] if r["comparison"] == "tiny"]
    assert len(rows) == 3 * 2  # datasets x counterparts
    row = next(
        r for r in rows if r["dataset"] == "iris" and r["counterpart"] == "dummy"
    )
    table = results.score_table("tiny")["iris"]
    assert row["ours_mean"] == pytest.approx(table["tree"].mean())
    assert row["ours_std"] == pytest.approx(table["tree"].std(ddof=1))
    assert row["ttest_pvalue"] == pytest.approx(
        paired_tests(table["tree"], table["dummy"])["ttest_pvalue"]
    )
    assert row["outcome"] == "win"
    tiny = summary["comparisons"]["tiny"]
    assert tiny["win_tie_loss"]["tree vs dummy"] == {"win": 3, "tie": 0, "loss": 0}
    assert tiny["average_ranks"]["dummy"] == 3.0
    assert tiny["critical_difference"] == pytest.approx(
        2.343 * np.sqrt(3 * 4 / (6 * 3)), abs=1e-3
    )
    assert "average_ranks" not in summary["comparisons"]["pair"]  # one dataset
    assert summary["comparisons"]["pair"]["metric"] == "balanced_accuracy"


def test_format_summary(results):
    text = format_summary(results)
    assert "| tiny | iris | accuracy | tree |" in text
    assert "win/tie/loss tree vs logreg:" in text
    assert "Nemenyi CD = " in text
    assert "failed" not in text


def test_write_report_files(results, tmp_path):
    report = write_report(results, tmp_path / "out")
    out = tmp_path / "out"
    for name in ("results.json", "results.csv", "summary.md"):
        assert (out / name).is_file()
    data = json.loads((out / "results.json").read_text())
    assert data["table"]["header"][0] == "comparison"
    assert len(data["records"]) == len(results)
    assert Results.from_dict(data).score_table("tiny").keys() == {
        "iris",
        "wine",
        "breast_cancer",
    }
    with open(out / "results.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(results) and "score_accuracy" in rows[0]
    plots = sorted(p.name for p in (out / "plots").glob("*.png"))
    assert plots == ["pair_scores.png", "tiny_ranks.png", "tiny_scores.png"]
    assert report["plots"] and report["summary"] == (out / "summary.md").read_text()


def test_report_lists_failures_and_skips(tmp_path):
    records = [
        {
            "comparison": "c",
            "method": m,
            "role": role,
            "dataset": "d",
            "fold": f,
            "scores": {"accuracy": s},
            "fit_time": 0.1,
            "predict_time": 0.0,
            "error": err,
        }
        for m, role in (("a", "ours"), ("b", "counterpart"))
        for f, (s, err) in enumerate([(0.5, None), (float("nan"), "ValueError: bad")])
    ]
    skipped = [{"comparison": "c", "method": "z", "reason": "not installed"}]
    results = Results(records, skipped=skipped)
    text = format_summary(results)
    assert "c / z: not installed" in text
    assert "2 task(s) failed" in text and "ValueError: bad" in text
    report = write_report(results, tmp_path, plots=False)
    assert report["plots"] == []
    assert json.loads((tmp_path / "results.json").read_text())["records"][1][
        "scores"
    ] == {"accuracy": None}


def test_alpha_defaults_to_the_runs(results):
    strict = Results(results.records, results.comparisons, config={"alpha": 1e-9})
    rows = summarize(strict)["rows"]
    assert summarize(strict)["alpha"] == 1e-9
    assert {r["outcome"] for r in rows} == {"tie"}
    assert summarize(results)["alpha"] == 0.05
