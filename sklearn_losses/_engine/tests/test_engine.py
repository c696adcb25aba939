import re

import numpy as np
import pytest
import torch
from torch import nn

from sklearn_losses._engine import (
    MLP,
    DivergenceGuard,
    EpochLog,
    StopOnPlateau,
    TensorBatches,
    TensorData,
    TensorNet,
    TensorSplit,
    build_module,
    build_optimizer,
    fit_context,
    resolve_device,
    seed_from_random_state,
)
from sklearn_losses.exceptions import DivergenceError
from sklearn_losses.losses import BaseLoss, get_loss


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.RandomState(0)
    X = np.r_[rng.randn(100, 2) + 3, rng.randn(100, 2) - 3].astype(np.float32)
    y = np.r_[np.zeros(100), np.ones(100)].astype(np.int64)
    return torch.from_numpy(X), torch.from_numpy(y)


def make_net(**kwargs):
    params = {
        "module": MLP(2, 2, (8,)),
        "criterion": get_loss("cross_entropy"),
        "optimizer": "adam",
        "lr": 0.05,
        "max_epochs": 5,
        "batch_size": 16,
    }
    params.update(kwargs)
    return TensorNet(**params)


# -- batches -------------------------------------------------------------------
def test_batches_cover_every_sample_once():
    data = TensorData(torch.arange(10.0)[:, None], torch.arange(10))
    gen = torch.Generator().manual_seed(0)
    batches = list(
        TensorBatches(data, batch_size=4, shuffle=True, training=True, generator=gen)
    )
    seen = torch.cat([t.index for _, t in batches])
    assert sorted(seen.tolist()) == list(range(10))
    for X, t in batches:  # rows stay aligned with their labels and positions
        assert torch.equal(X[:, 0].long(), t.y)
        assert torch.equal(t.y, t.index)


def test_final_batch_of_one_is_merged_when_training():
    data = TensorData(torch.zeros(9, 1), torch.zeros(9))
    sizes = [
        len(X)
        for X, _ in TensorBatches(data, batch_size=4, shuffle=False, training=True)
    ]
    assert sizes == [4, 5]
    sizes = [
        len(X)
        for X, _ in TensorBatches(data, batch_size=4, shuffle=False, training=False)
    ]
    assert sizes == [4, 4, 1]


def test_batches_without_shuffle_keep_order_and_full_batch():
    data = TensorData(torch.arange(5.0)[:, None])
    ((X, t),) = list(TensorBatches(data, batch_size=-1, shuffle=False, training=False))
    assert t is None and torch.equal(X[:, 0], torch.arange(5.0))


def test_split_is_stratified_and_keeps_global_positions():
    y = torch.tensor([0] * 80 + [1] * 20)
    data = TensorData(torch.randn(100, 3), y)
    train, valid = TensorSplit(0.2, stratify=True, random_state=0)(data)
    assert len(valid) == 20 and len(train) == 80
    assert int(valid.y.sum()) == 4
    assert torch.equal(data.y[valid.index], valid.y)
    assert sorted(torch.cat([train.index, valid.index]).tolist()) == list(range(100))


def test_split_too_small_names_the_remedy():
    data = TensorData(torch.randn(2, 3), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match=re.escape("set early_stopping=False")):
        TensorSplit(0.5, stratify=True, random_state=0)(data)


# -- modules and optimizer -----------------------------------------------------
def test_mlp_layout():
    net = MLP(5, 3, (7, 4), activation="tanh", batch_norm=True, dropout=0.1)
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "Tanh", "BatchNorm1d", "Dropout"] * 2 + ["Linear"]
    assert isinstance(MLP(5, 2, ())[0], nn.Linear) and len(MLP(5, 2, ())) == 1


def test_build_module_copies_instances_and_calls_classes():
    inst = nn.Linear(3, 2)
    built = build_module(inst, 3, 2)
    assert built is not inst and torch.equal(built.weight, inst.weight)
    assert isinstance(build_module(nn.Linear, 3, 2), nn.Linear)
    with pytest.raises(TypeError, match="returned int"):
        build_module(lambda a, b: 3, 3, 2)
    with pytest.raises(TypeError, match="got str"):
        build_module("mlp", 3, 2)


def test_optimizer_decays_weights_only():
    module = MLP(3, 2, (4,), batch_norm=True)
    opt = build_optimizer(module, "sgd", lr=0.1, weight_decay=0.5)
    decays = {p.ndim: g["weight_decay"] for g in opt.param_groups for p in g["params"]}
    assert decays == {2: 0.5, 1: 0.0}
    assert len(build_optimizer(module, "adam", lr=0.1).param_groups) == 1


# -- the net -------------------------------------------------------------------
def test_net_learns_and_is_deterministic(blobs):
    X, y = blobs
    preds = []
    for _ in range(2):
        torch.manual_seed(0)
        net = make_net(module=MLP(2, 2, (8,)), seed=3).fit(TensorData(X, y))
        preds.append(net.forward(TensorData(X)))
    assert torch.equal(preds[0], preds[1])
    assert (preds[0].argmax(1) == y).float().mean() > 0.98
    assert len(net.history) == 5


class RecordingLoss(BaseLoss):
    requires_index = True

    def reset(self, n_samples, *, seed=None):
        self.seen = []

    def forward(self, scores, target, index=None):
        if self.training:
            self.seen.append(index.clone())
        return nn.functional.cross_entropy(scores, target, reduction="none")


def test_loss_receives_training_set_positions(blobs):
    X, y = blobs
    loss = RecordingLoss()
    loss.reset(len(X))
    split = TensorSplit(0.25, stratify=True, random_state=0)
    net = make_net(criterion=loss, max_epochs=1, train_split=split)
    net.fit(TensorData(X, y))
    seen = torch.cat(loss.seen)
    assert len(seen) == 150 and len(set(seen.tolist())) == 150
    assert "valid_loss" in net.history[-1]


def test_reference_criterion_is_what_gets_recorded(blobs):
    X, y = blobs
    net = make_net(
        module=MLP(2, 1, ()),
        criterion=get_loss("hinge"),
        reference_criterion=get_loss("logistic"),
        max_epochs=1,
        batch_size=-1,
        shuffle=False,
        lr=0.0,
    ).fit(TensorData(X, y))
    with torch.no_grad():
        scores = net.module_(X)[:, 0]
        expected = get_loss("logistic")(scores, y).mean().item()
    assert net.history[-1, "train_loss"] == pytest.approx(expected, rel=1e-5)


def test_sample_weight_scales_the_loss(blobs):
    X, y = blobs
    w = torch.zeros(len(X))
    w[:10] = 20.0
    data = TensorData(X, y, sample_weight=w)
    net = make_net(max_epochs=1, batch_size=-1, lr=0.0).fit(data)
    with torch.no_grad():
        per = get_loss("cross_entropy")(net.module_(X), y)
    assert net.history[-1, "train_loss"] == pytest.approx(
        (per * w).mean().item(), rel=1e-5
    )


class NanLoss(BaseLoss):
    def forward(self, scores, target, index=None):
        return scores.sum(1) * float("nan")


def test_divergence_names_epoch_and_remedy(blobs):
    X, y = blobs
    net = make_net(criterion=NanLoss(), callbacks=[("guard", DivergenceGuard("Clf"))])
    msg = "Clf diverged at epoch 1: the training loss is nan. Lower learning_rate_init"
    with pytest.raises(DivergenceError, match=re.escape(msg)):
        net.fit(TensorData(X, y))
    assert issubclass(DivergenceError, FloatingPointError)


def test_stop_on_plateau_stops_and_restores_best(blobs):
    X, y = blobs
    stop = StopOnPlateau(
        "train_loss", lower_is_better=True, tol=10.0, patience=2, restore_best=True
    )
    net = make_net(max_epochs=50, callbacks=[("stop", stop)]).fit(TensorData(X, y))
    assert stop.stopped_early_ and len(net.history) == 3  # 1 improvement + 2 bad
    state = net.module_.state_dict()
    assert all(torch.equal(state[k], stop.best_state_[k]) for k in state)


def test_epoch_log_prefix_and_silence(blobs, capsys):
    X, y = blobs
    make_net(max_epochs=2).fit(TensorData(X, y))
    assert capsys.readouterr().out == ""
    make_net(max_epochs=2, callbacks=[("log", EpochLog("MyClf", 2))]).fit(
        TensorData(X, y)
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("[MyClf] epoch    1/2  train_loss=")
    assert lines[-1].startswith("[MyClf] training took")


def test_grad_listener_callbacks_are_notified(blobs):
    from skorch.callbacks import GradientNormClipping

    X, y = blobs
    net = make_net(max_epochs=1, callbacks=[GradientNormClipping(1e-3)])
    net.fit(TensorData(X, y))
    assert net.grad_listeners_
    assert not make_net(max_epochs=1).fit(TensorData(X, y)).grad_listeners_


def test_lbfgs_goes_through_the_closure(blobs):
    X, y = blobs
    net = make_net(optimizer=torch.optim.LBFGS, lr=1.0, batch_size=-1, max_epochs=3)
    net.fit(TensorData(X, y))
    assert net.history[-1, "train_loss"] < net.history[0, "train_loss"]


# -- runtime -------------------------------------------------------------------
def test_fit_context_restores_rng_and_threads():
    threads = torch.get_num_threads()
    before = torch.random.get_rng_state()
    with fit_context(7, "cpu", work_per_step=1.0):
        a = torch.rand(3)
        assert torch.get_num_threads() == 1
    assert torch.equal(torch.random.get_rng_state(), before)
    assert torch.get_num_threads() == threads
    with fit_context(7, "cpu", work_per_step=float("inf")):
        assert torch.equal(torch.rand(3), a)


def test_seed_and_device_helpers():
    assert seed_from_random_state(0) == seed_from_random_state(0)
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") in ("cpu", "cuda")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match=re.escape("device='cuda' was requested")):
            resolve_device("cuda")


def test_class_balanced_batches_have_m_per_class():
    y = torch.tensor([0] * 30 + [1] * 7 + [2] * 3)
    data = TensorData(torch.arange(40.0)[:, None], y)
    gen = torch.Generator().manual_seed(0)
    batches = TensorBatches(
        data, batch_size=8, shuffle=True, training=True, generator=gen, m_per_class=4
    )
    for _, t in batches:
        counts = torch.bincount(t.y, minlength=3)
        assert all(c == 0 or c >= 4 for c in counts.tolist())
        assert torch.equal(y[t.index], t.y)
    seen = torch.cat([t.index for _, t in batches])
    assert set(seen.tolist()) == set(range(40))  # every sample, small classes repeated
    assert len(batches) == len(list(batches))
