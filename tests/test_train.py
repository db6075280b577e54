"""`fit` and `accuracy`: fit is exactly the plain training loop, it is deterministic for a seed,
it shows a progress bar, it checks its arguments; and networks really learn (XOR, two moons)."""

from __future__ import annotations

import sys

import pytest

from microgradnet import MLP
from microgradnet.datasets import moons, xor
from microgradnet.engine import no_grad
from microgradnet.losses import half_sse, mean_cost
from microgradnet.optim import SGD, Adam
from microgradnet.train import accuracy, fit


def test_full_batch_fit_is_the_plain_loop() -> None:
    """With batch_size=None, fit makes exactly the steps of the loop zero_grad, backward, step."""
    inputs, targets = xor()
    by_fit, by_hand = MLP(2, [3, 1], seed=4), MLP(2, [3, 1], seed=4)
    history = fit(by_fit, inputs, targets, optimizer=SGD(by_fit.parameters(), lr=0.5), epochs=5, progress=False)
    sgd = SGD(by_hand.parameters(), lr=0.5)
    losses = []
    for _ in range(5):
        cost = mean_cost([half_sse(by_hand(x), y) for x, y in zip(inputs, targets)])
        sgd.zero_grad()
        cost.backward()
        sgd.step()
        losses.append(cost.data)
    assert history == losses
    assert [p.data for p in by_fit.parameters()] == [p.data for p in by_hand.parameters()]


def test_batch_size_larger_than_the_data_is_one_batch() -> None:
    """A batch_size above the number of samples trains exactly like full batches."""
    inputs, targets = xor()
    histories = []
    for batch_size in (None, 100):
        mlp = MLP(2, [3, 1], seed=0)
        histories.append(
            fit(mlp, inputs, targets, optimizer=Adam(mlp.parameters()), epochs=3, batch_size=batch_size, progress=False)
        )
    assert histories[0] == histories[1]


def _minibatch_history(seed: int) -> list[float]:
    inputs, targets = moons(40, noise=0.1, seed=0)
    mlp = MLP(2, [4, 1], seed=0)
    optimizer = Adam(mlp.parameters(), lr=0.05)
    return fit(mlp, inputs, targets, optimizer=optimizer, epochs=4, batch_size=8, seed=seed, progress=False)


def test_minibatch_training_is_deterministic_for_a_seed() -> None:
    """The shuffle comes from the seed: the same seed gives the same history, another seed another."""
    assert _minibatch_history(1) == _minibatch_history(1)
    assert _minibatch_history(1) != _minibatch_history(2)


def test_history_is_the_mean_sample_cost_of_each_epoch() -> None:
    """history[0] of a full-batch run is the mean cost of the untrained network; one entry per epoch."""
    inputs, targets = xor()
    mlp = MLP(2, [2, 1], seed=1)
    before = mean_cost([half_sse(mlp(x), y) for x, y in zip(inputs, targets)]).data
    history = fit(mlp, inputs, targets, optimizer=SGD(mlp.parameters(), lr=0.1), epochs=7, progress=False)
    assert len(history) == 7
    assert history[0] == before


def test_progress_bar_shows_the_running_loss(capsys: pytest.CaptureFixture[str]) -> None:
    """progress=True draws a tqdm bar on stderr that counts epochs and shows loss=."""
    inputs, targets = xor()
    mlp = MLP(2, [2, 1], seed=1)
    fit(mlp, inputs, targets, optimizer=SGD(mlp.parameters(), lr=0.1), epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err and "epoch" in err


def test_progress_without_tqdm_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without tqdm, progress=True raises ImportError naming the extra and progress=False."""
    monkeypatch.setitem(sys.modules, "tqdm", None)
    inputs, targets = xor()
    mlp = MLP(2, [2, 1], seed=1)
    with pytest.raises(ImportError, match=r"microgradnet\[examples\].*progress=False"):
        fit(mlp, inputs, targets, optimizer=SGD(mlp.parameters(), lr=0.1), epochs=1)
    assert fit(mlp, inputs, targets, optimizer=SGD(mlp.parameters(), lr=0.1), epochs=1, progress=False)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"targets": [[0.0]]}, ValueError, r"inputs and targets differ in length: 4 inputs, 1 targets"),
        ({"inputs": [], "targets": []}, ValueError, r"inputs and targets are empty"),
        ({"inputs": "abcd"}, TypeError, r"inputs must be a sequence of samples"),
        ({"targets": [0.0, 1.0, 1.0, 0.0]}, TypeError, r"targets\[0\] must be a list of numbers, got float"),
        ({"epochs": 0}, ValueError, r"epochs must be at least 1, got 0"),
        ({"epochs": 2.5}, TypeError, r"epochs must be an int, got float"),
        ({"batch_size": 0}, ValueError, r"batch_size must be at least 1, got 0"),
        ({"cost": "hinge"}, ValueError, r"unknown cost 'hinge'"),
        ({"optimizer": "adam"}, TypeError, r"optimizer must be an Optimizer"),
    ],
)
def test_fit_names_bad_arguments(change: dict[str, object], error: type, message: str) -> None:
    """Mismatched or empty data, bad epochs, batch size, cost or optimizer raise errors naming them."""
    inputs, targets = xor()
    mlp = MLP(2, [2, 1], seed=1)
    arguments: dict[str, object] = {
        "inputs": inputs,
        "targets": targets,
        "optimizer": SGD(mlp.parameters(), lr=0.1),
        "epochs": 1,
        "progress": False,
    }
    arguments.update(change)
    with pytest.raises(error, match=message):
        fit(mlp, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("compiled", [False, True])
def test_fit_inside_no_grad_is_refused(compiled: bool) -> None:
    """Inside no_grad() backward() has no graph to run through: fit refuses instead of training nothing."""
    inputs, targets = xor()
    mlp = MLP(2, [3, 1], seed=0)
    before = [p.data for p in mlp.parameters()]
    with no_grad(), pytest.raises(RuntimeError, match=r"fit: cannot train inside no_grad\(\)"):
        fit(mlp, inputs, targets, optimizer=SGD(mlp.parameters(), lr=0.5), progress=False, compiled=compiled)
    assert [p.data for p in mlp.parameters()] == before


def test_accuracy_counts_samples_on_the_right_side_of_the_threshold() -> None:
    """accuracy is the share of samples whose output and target fall on the same side of the threshold."""
    mlp = MLP(1, [1], activation="linear", seed=0)
    mlp.layers[0].neurons[0].w[0].data = 1.0  # a = x
    inputs = [[0.2], [0.7], [0.5], [0.9]]
    assert accuracy(mlp, inputs, [[0.0], [1.0], [1.0], [0.0]]) == 0.75
    assert accuracy(mlp, inputs, [[0.0], [1.0], [1.0], [0.0]], threshold=0.8) == 0.25


def test_accuracy_rejects_targets_of_the_wrong_width() -> None:
    """A target with more values than the model has outputs is an error, not a silent zip."""
    with pytest.raises(ValueError, match=r"the model gives 1 outputs but a target has 2 values"):
        accuracy(MLP(2, [1], seed=0), [[0.0, 0.0]], [[0.0, 1.0]])


def test_xor_is_learned_by_a_2_4_1_sigmoid_network() -> None:
    """A 2-4-1 sigmoid MLP trained with SGD (lr 1, momentum 0.9) on half_sse classifies all of XOR."""
    inputs, targets = xor()
    mlp = MLP(2, [4, 1], activation="sigmoid", seed=0)
    history = fit(
        mlp, inputs, targets, optimizer=SGD(mlp.parameters(), lr=1.0, momentum=0.9), epochs=300, progress=False
    )
    assert history[-1] < 0.01 < history[0]
    assert accuracy(mlp, inputs, targets) == 1.0


def test_uneven_batches_are_weighted_by_their_size() -> None:
    """With lr = 0 (no update), batches of 3 and 1 samples give history = the mean cost of all 4 samples."""
    inputs, targets = xor()
    mlp = MLP(2, [3, 1], seed=2)
    expected = mean_cost([half_sse(mlp(x), y) for x, y in zip(inputs, targets)]).data
    optimizer = SGD(mlp.parameters(), lr=0.0)
    history = fit(mlp, inputs, targets, optimizer=optimizer, epochs=2, batch_size=3, progress=False)
    assert history == pytest.approx([expected, expected], rel=1e-12)


def test_compiled_fit_follows_the_graph_fit() -> None:
    """fit(compiled=True) takes the same mini-batch steps as the graph path: histories and weights agree to 1e-12."""
    inputs, targets = moons(40, 0.1, 3)
    runs = []
    for compiled in (False, True):
        mlp = MLP(2, [4, 1], seed=2)
        history = fit(
            mlp,
            inputs,
            targets,
            optimizer=Adam(mlp.parameters(), lr=0.05),
            cost="bce",
            epochs=4,
            batch_size=8,
            progress=False,
            compiled=compiled,
        )
        runs.append((history, [p.data for p in mlp.parameters()]))
    (graph_history, graph_weights), (compiled_history, compiled_weights) = runs
    assert compiled_history == pytest.approx(graph_history, rel=1e-12)
    assert compiled_weights == pytest.approx(graph_weights, rel=1e-12, abs=1e-14)


def test_compiled_fit_checks_every_sample_first() -> None:
    """A bce target outside [0, 1] is refused before training, as the graph path refuses it."""
    mlp = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match=r"bce: targets\[0\] = 2.0 is outside \[0, 1\]"):
        fit(
            mlp,
            [[0.0, 1.0], [1.0, 0.0]],
            [[1.0], [2.0]],
            optimizer=SGD(mlp.parameters(), lr=0.1),
            cost="bce",
            progress=False,
            compiled=True,
        )


def test_compiled_cross_entropy_training_is_the_graph_path() -> None:
    """With cross_entropy on three classes, the compiled loss traced on one sample's class checks out on
    every other class, and trains to the same parameters as the graph path."""
    inputs = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    targets = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    trained = []
    for compiled in (False, True):
        mlp = MLP(2, [4, 3], seed=2)
        optimizer = Adam(mlp.parameters(), lr=0.05)
        history = fit(
            mlp, inputs, targets, optimizer=optimizer, cost="cross_entropy", epochs=3, progress=False, compiled=compiled
        )
        trained.append(history + [p.data for p in mlp.parameters()])
    assert trained[1] == pytest.approx(trained[0], rel=1e-12, abs=1e-15)
