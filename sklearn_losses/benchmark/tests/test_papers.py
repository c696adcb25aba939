"""The paper benchmarks: registry, summaries on hand-made records, tiny runs."""

import json

import numpy as np
import pytest
from sklearn.metrics import recall_score

from sklearn_losses.benchmark import _papers
from sklearn_losses.benchmark._papers import anyloss, metric_learning


def test_every_registered_paper_benchmark_imports():
    available, unavailable = _papers.available_papers()
    assert unavailable == {}
    assert list(available) == list(_papers.PAPERS)


def test_gmean_score_is_the_geometric_mean_of_the_recalls():
    rng = np.random.RandomState(0)
    y, pred = rng.randint(0, 2, 50), rng.randint(0, 2, 50)
    expected = np.sqrt(recall_score(y, pred) * recall_score(1 - y, 1 - pred))
    assert anyloss.gmean_score(y, pred) == pytest.approx(expected)
    assert anyloss.gmean_score([0, 0], [0, 0]) == 0.0  # no positives: TPR = 0


def _records(scores, metric="f1"):
    """``scores[dataset][method] = [fold scores]`` as benchmark records."""
    return [
        {"dataset": d, "method": m, "metric": metric, "fold": i, "score": s,
         "fit_s": 2.0 if m == "AnyLoss" else 1.0}
        for d, per in scores.items()
        for m, folds in per.items()
        for i, s in enumerate(folds)
    ]  # fmt: skip


def test_anyloss_summary_ranks_wins_and_time_ratio():
    base = dict.fromkeys(anyloss.METHODS[1:], [0.5, 0.5])
    scores = {
        "a": {**base, "AnyLoss": [0.9, 0.7]},  # best: rank 1
        "b": {**base, "AnyLoss": [0.1, 0.1], "BCE": [0.2, 0.2]},  # last: rank 5
    }
    s = anyloss.summarise(_records(scores), ["f1"])
    f1 = s["metrics"]["f1"]
    assert f1["average_rank"]["AnyLoss"] == pytest.approx((1 + 5) / 2)
    assert f1["mean"]["AnyLoss"] == pytest.approx((0.8 + 0.1) / 2)
    assert f1["anyloss_beats_bce"] == 1 and f1["anyloss_beats_bce_share"] == 0.5
    assert s["fit_time_ratio_anyloss_bce"] == pytest.approx(2.0)
    # Ties share ranks: the four baselines tie on "a" at (2+3+4+5)/4 and
    # three of them on "b" at (1+2+3)/3, ahead of BCE (4) and AnyLoss (5).
    assert f1["per_dataset"]["a"]["weighted BCE"] == 0.5
    assert f1["average_rank"]["TT-MLP"] == pytest.approx((3.5 + 2) / 2)
    assert f1["average_rank"]["BCE"] == pytest.approx((3.5 + 4) / 2)


def test_anyloss_tiny_run_writes_its_report(tmp_path):
    report = anyloss.run(
        output=tmp_path,
        quick=True,
        datasets=["new_thyroid1"],
        epochs=3,
        metrics=("f1",),
    )
    saved = json.loads((tmp_path / "anyloss.json").read_text())
    assert saved["table"] == report["table"]
    assert {r["method"] for r in saved["records"]} == set(anyloss.METHODS)
    assert len(saved["records"]) == 2 * len(anyloss.METHODS)  # 1x2 folds
    assert all(0.0 <= r["score"] <= 1.0 for r in saved["records"])
    assert all(r["ratio"] > 0 for r in saved["summary"]["fit_time_scaling"])
    assert (tmp_path / "anyloss.png").stat().st_size > 0


def test_metric_learning_summary_counts_paired_wins_against_nca():
    folds = np.linspace(0.8, 0.9, 10)
    records = [
        {"dataset": d, "method": m, "fold": i, "accuracy": a,
         "map_at_r": a, "fit_s": 1.0}
        for d, shift in (("better", 0.05), ("same", 0.0))
        for m, acc in (("NCA", folds), ("proto_triplet", folds + shift))
        for i, a in enumerate(acc)
    ]  # fmt: skip
    s = metric_learning.summarise(records, ("NCA", "proto_triplet"))
    assert s["vs_nca"]["proto_triplet"] == {"win": 1, "tie": 1, "loss": 0}
    assert s["average"]["proto_triplet"]["accuracy"] == pytest.approx(0.875)


def test_metric_learning_tiny_run(tmp_path):
    report = metric_learning.run(output=tmp_path, quick=True, datasets=["iris"])
    assert report["config"]["methods"] == ["Euclidean", "NCA", "proto_triplet"]
    rows = {r[1]: r for r in report["table"]["rows"] if r[0] == "iris"}
    assert float(rows["Euclidean"][2].rstrip(" *")) > 0.85
    assert (tmp_path / "metric_learning.json").exists()
