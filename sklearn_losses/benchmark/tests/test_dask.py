"""The Dask backend gives the same results as a local run (fixed seeds).

A real 2-worker ``LocalCluster`` on 127.0.0.1 (worker processes, no
dashboard) is started; the whole module takes a few seconds.
"""

import pytest
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_losses.benchmark import Comparison, LabelNoise, run_suite

distributed = pytest.importorskip("distributed")

SUITE = [
    Comparison(
        "tiny",
        ours={"tree": DecisionTreeClassifier(max_depth=3)},
        counterparts={
            "logreg": make_pipeline(StandardScaler(), LogisticRegression()),
            "dummy": DummyClassifier(strategy="stratified"),
        },
        datasets=("iris", "wine"),
        transform=LabelNoise("uniform", 0.3),
        cv=3,
    )
]


def _scores(results):
    return [(r["method"], r["dataset"], r["fold"], r["scores"]) for r in results]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster


def test_dask_scheduler_address_matches_local_run(cluster, tmp_path):
    local = run_suite(SUITE, progress=False, seed=1)
    remote = run_suite(
        SUITE,
        backend="dask",
        scheduler=cluster.scheduler_address,
        output=tmp_path,
        progress=False,
        seed=1,
    )
    assert _scores(remote) == _scores(local)
    assert remote.config["cluster"]["scheduler"] == cluster.scheduler_address
    # the driver wrote the cache: a second run on the cluster computes nothing
    again = run_suite(
        SUITE,
        backend="dask",
        scheduler=cluster.scheduler_address,
        output=tmp_path,
        progress=False,
        seed=1,
    )
    assert again.n_cached == len(again) == 18


def test_dask_uses_an_active_client(cluster):
    local = run_suite(SUITE, progress=False, seed=2, datasets=["iris"])
    with distributed.Client(cluster) as client:
        remote = run_suite(
            SUITE, backend="dask", progress=False, seed=2, datasets=["iris"]
        )
        assert remote.config["cluster"]["scheduler"] == client.scheduler.address
    assert _scores(remote) == _scores(local)


@pytest.mark.filterwarnings("ignore:Port .* is already in use")
def test_dask_starts_a_local_cluster(cluster):
    local = run_suite(SUITE, progress=False, datasets=["iris"])
    remote = run_suite(SUITE, backend="dask", progress=False, datasets=["iris"])
    assert remote.config["cluster"] == {
        "backend": "dask",
        "scheduler": "LocalCluster",
        "n_workers": 2,
    }
    assert _scores(remote) == _scores(local)
