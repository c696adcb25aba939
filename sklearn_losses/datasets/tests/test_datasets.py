import gzip
import json
import re
import shutil
import socket
import time
from pathlib import Path

import numpy as np
import pytest
import sklearn

from sklearn_losses import datasets
from sklearn_losses.datasets import (
    PAIR_FLIP_MAPS,
    OpenMLUnavailableError,
    add_label_noise,
    fetch_openml_dataset,
    list_datasets,
    load_dataset,
)

ALL = [d["name"] for d in list_datasets()]


@pytest.mark.parametrize("name", ALL)
def test_every_bundled_set_loads_as_recorded(name):
    meta = next(d for d in list_datasets() if d["name"] == name)
    start = time.perf_counter()
    bunch = getattr(datasets, f"load_{name}")()
    assert time.perf_counter() - start < 1.0
    assert bunch.data.shape == (meta["n_samples"], meta["n_features"])
    assert np.isfinite(bunch.data).all()
    assert bunch.data.dtype == np.float64 and bunch.target.dtype == np.int64
    counts = np.bincount(bunch.target)
    assert len(counts) == meta["n_classes"] == len(bunch.target_names)
    assert counts.max() / counts.min() == pytest.approx(
        meta["imbalance_ratio"], rel=1e-3
    )
    assert len(bunch.feature_names) == meta["n_features"]
    assert name in bunch.DESCR


def test_groups_and_their_ranges():
    groups = {t: list_datasets(t) for t in ("binary", "imbalanced", "multiclass")}
    assert len(groups["binary"]) >= 12 and len(groups["imbalanced"]) >= 12
    assert len(groups["multiclass"]) >= 10
    for d in groups["binary"]:
        assert d["n_classes"] == 2 and 1 / (1 + d["imbalance_ratio"]) >= 0.25
    for d in groups["imbalanced"]:
        assert d["n_classes"] == 2 and 5 <= d["imbalance_ratio"] <= 40
    names = {d["name"]: d for d in groups["multiclass"]}
    assert names["letter"]["n_classes"] == 26 and names["vowel"]["n_classes"] == 11
    assert all(d["n_classes"] >= 3 for d in groups["multiclass"])


def test_minority_is_the_positive_class():
    for d in list_datasets("imbalanced"):
        _, y = load_dataset(d["name"], return_X_y=True)
        assert (y == 1).sum() < (y == 0).sum()


def test_as_frame_and_copies():
    pytest.importorskip("pandas")
    bunch = load_dataset("iris", as_frame=True)
    assert list(bunch.frame.columns)[-1] == "target"
    assert bunch.data.shape == (150, 4)
    X, _ = load_dataset("iris", return_X_y=True)
    X[0, 0] = -1000
    assert load_dataset("iris").data[0, 0] != -1000


def test_unknown_name_lists_the_bundled_sets():
    with pytest.raises(ValueError, match=re.escape("Bundled datasets: breast_cancer")):
        load_dataset("mnist")
    with pytest.raises(ValueError, match="'task' parameter"):
        list_datasets("regression")


# -- OpenML through the cache --------------------------------------------------
SKLEARN_OPENML = (
    Path(sklearn.__file__).parent / "datasets" / "tests" / "data" / "openml"
)


def _fill_cache(home: Path, data_id: int) -> None:
    """Lay scikit-learn's shipped test files out as its OpenML cache."""
    src = SKLEARN_OPENML / f"id_{data_id}"
    base = home / "openml" / "openml.org"
    for kind, sub in (
        ("jd", "data"),
        ("jdf", "data/features"),
        ("jdq", "data/qualities"),
    ):
        target = base / "api" / "v1" / "json" / sub / f"{data_id}.gz"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src / f"api-v1-{kind}-{data_id}.json.gz", target)
    with gzip.open(src / f"api-v1-jd-{data_id}.json.gz", "rt") as f:
        url = json.load(f)["data_set_description"]["url"]
    path = url.split("openml.org/")[1]
    target = base / f"{path}.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(src / f"data-v1-dl-{data_id}.arff.gz", target)


@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_openml_from_a_prefilled_cache_offline(tmp_path, offline):
    _fill_cache(tmp_path, 61)
    bunch = fetch_openml_dataset(61, data_home=tmp_path)
    assert bunch.data.shape == (150, 4) and set(bunch.target) == {0, 1, 2}
    assert bunch.metadata["name"] == "iris"
    _fill_cache(tmp_path, 3)
    chess = fetch_openml_dataset(3, data_home=tmp_path)
    assert chess.data.shape[0] == 3196 and chess.metadata["one_hot_columns"]
    assert np.isfinite(chess.data).all()


def test_openml_not_cached_and_offline_is_a_clear_error(tmp_path, offline):
    with pytest.raises(OpenMLUnavailableError, match="OpenML dataset 40 is not in"):
        fetch_openml_dataset(40, data_home=tmp_path)
    assert issubclass(OpenMLUnavailableError, ConnectionError)


# -- label noise ---------------------------------------------------------------
def _binomial_ok(count, n, p, z=5):
    return abs(count - n * p) <= z * np.sqrt(n * p * (1 - p)) + 1


@pytest.mark.parametrize("rate", [0.3, 0.6, 0.9])
def test_uniform_noise_rate_includes_staying_put(rate):
    y = np.repeat(np.arange(10), 500)
    noisy, mask = add_label_noise(y, rate=rate, random_state=0, return_mask=True)
    assert _binomial_ok(mask.sum(), len(y), rate * 9 / 10)
    np.testing.assert_array_equal(mask, noisy != y)


def test_symmetric_noise_always_changes_the_label():
    y = np.repeat(np.arange(4), 1000)
    noisy, mask = add_label_noise(
        y, kind="symmetric", rate=0.4, random_state=1, return_mask=True
    )
    assert _binomial_ok(mask.sum(), len(y), 0.4)


def test_pair_noise_follows_the_map_and_string_labels():
    y = np.array(list("abcd") * 1000)
    noisy, mask = add_label_noise(
        y, kind="pair", rate=0.3, pairs=[(0, 1)], random_state=0, return_mask=True
    )
    assert noisy.dtype == y.dtype
    assert set(zip(y[mask], noisy[mask])) == {("a", "b"), ("b", "a")}
    assert _binomial_ok(mask.sum(), 2000, 0.3)
    default = add_label_noise(np.repeat([0, 1, 2], 100), kind="pair", rate=1.0)
    np.testing.assert_array_equal(default, np.repeat([1, 2, 0], 100))


def test_paper_maps_are_involutions():
    for mapping in PAIR_FLIP_MAPS.values():
        assert all(mapping[mapping[c]] == c for c in mapping)
    assert len(PAIR_FLIP_MAPS["letter"]) == 20 and 10 not in PAIR_FLIP_MAPS["vowel"]


def test_noise_is_reproducible_by_seed():
    y = np.repeat(np.arange(5), 200)
    a = add_label_noise(y, rate=0.5, random_state=3)
    np.testing.assert_array_equal(a, add_label_noise(y, rate=0.5, random_state=3))
    assert not np.array_equal(a, add_label_noise(y, rate=0.5, random_state=4))


def test_noise_errors():
    with pytest.raises(ValueError, match="'rate' parameter"):
        add_label_noise([0, 1], rate=1.5)
    with pytest.raises(ValueError, match="'kind' parameter"):
        add_label_noise([0, 1], kind="flip", rate=0.1)
    with pytest.raises(ValueError, match=re.escape("outside [0, 2)")):
        add_label_noise([0, 1], kind="pair", rate=0.1, pairs={0: 5})
