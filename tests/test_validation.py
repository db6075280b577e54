"""The error table of docs/errors.md, entry by entry: each bad input raises the documented type
with a message naming what was wrong, and nan/inf behave as documented."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest
from pages import section

import microgradnet
from microgradnet import MLP, Layer, Neuron, Value, gradcheck
from microgradnet.datasets import circles, moons, spirals, xor
from microgradnet.delta import backprop, backprop_batch
from microgradnet.engine import sum_values, weighted_sum, weighted_sums
from microgradnet.losses import bce, half_sse, mean_cost, mse
from microgradnet.optim import SGD, Adam
from microgradnet.train import accuracy, fit

NAN, INF = float("nan"), float("inf")


def _raises(build: Callable[[], object], error: type[BaseException], *words: str) -> None:
    with pytest.raises(error) as info:
        build()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# --- engine ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: Value(10**400),
        lambda: Value(Fraction(10**400, 3)),
        lambda: Value(1.0) + 10**400,
        lambda: 10**400 * Value(1.0),
        lambda: Value(2.0) ** 10**400,
        lambda: (10**400) ** Value(2.0),
    ],
)
def test_numbers_too_large_for_a_float_raise_overflow_error(build: Callable[[], object]) -> None:
    """An int or Fraction beyond the float range is an OverflowError that says so, wherever it enters."""
    _raises(build, OverflowError, "too large for a float")


def test_nan_and_inf_data_are_accepted_and_propagate() -> None:
    """Value(nan) and Value(inf) are floats like any other (as in PyTorch); every operation propagates nan."""
    assert math.isnan(Value(NAN).data) and Value(-INF).data == -INF
    for op in ("exp", "log", "tanh", "sigmoid", "relu", "identity", "clamped_log"):
        assert math.isnan(getattr(Value(NAN), op)().data), op
    assert math.isnan((Value(INF) - Value(INF)).data)  # IEEE 754, as in PyTorch


def test_relu_and_clamped_log_do_not_hide_nan() -> None:
    """relu(nan) and clamped_log(nan) are nan, not 0 and -100 (a nan must never turn into a number)."""
    assert math.isnan(Value(NAN).relu().data)
    assert math.isnan(Value(NAN).clamped_log().data)
    assert Value(0.0).clamped_log().data == -100.0 and Value(-0.0).relu().data == 0.0


def test_sum_values_overflow_and_non_finite_terms() -> None:
    """Finite terms whose sum overflows raise OverflowError naming the sum; inf and nan terms propagate as with +."""
    _raises(lambda: sum_values([Value(1e308), Value(1e308)]), OverflowError, "sum", "overflows")
    assert sum_values([Value(INF), Value(1e308), Value(1e308)]).data == INF
    assert math.isnan(sum_values([Value(INF), Value(-INF)]).data)
    assert math.isnan(sum_values([Value(NAN), Value(1.0)]).data)
    _raises(lambda: sum_values([Value(1.0), 2.0]), TypeError, "sum", "Value")  # type: ignore[list-item]


def test_weighted_sum_checks_lengths_and_types() -> None:
    """w·a+b refuses weights and inputs of different lengths (no silent truncation) and non-Values."""
    w, a = [Value(1.0), Value(2.0)], [Value(3.0)]
    _raises(lambda: weighted_sum(w, a, Value(0.0)), ValueError, "2 weights", "1 inputs")
    _raises(lambda: weighted_sum(w, [1.0, 2.0], Value(0.0)), TypeError, "Values")  # type: ignore[list-item]


def test_weighted_sums_checks_rows_lengths_and_types() -> None:
    """A layer's z^l refuses as many rows as biases only, rows as long as the inputs only, and non-Values."""
    rows, a, b = [[Value(1.0), Value(2.0)], [Value(3.0)]], [Value(1.0), Value(1.0)], [Value(0.0), Value(0.0)]
    _raises(lambda: weighted_sums(rows, a, b[:1]), ValueError, "2 rows of weights", "1 biases")
    _raises(lambda: weighted_sums(rows, a, b), ValueError, "1 weights", "2 inputs")
    _raises(lambda: weighted_sums(rows[:1], a, [0.0]), TypeError, "Values", "bias")  # type: ignore[list-item]


# --- modules -------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [-1, -7, -(2**70)])
def test_negative_seeds_are_refused_everywhere(seed: int) -> None:
    """random.Random(-k) is random.Random(k), so a negative seed would silently repeat another's data and weights:
    MLP, fit and every data set refuse it with a ValueError naming seed."""
    message = f"seed must be >= 0, got {seed}"
    _raises(lambda: MLP(2, [1], seed=seed), ValueError, message)
    mlp = MLP(2, [1], seed=0)
    optimizer = SGD(mlp.parameters(), lr=0.1)
    _raises(lambda: fit(mlp, [[0.0, 1.0]], [[1.0]], optimizer=optimizer, seed=seed), ValueError, message)
    for make_data in (moons, circles, spirals):
        _raises(lambda: make_data(10, seed=seed), ValueError, message)  # noqa: B023


@pytest.mark.parametrize("seed", [1.5, Fraction(0, 1), True, "0"])
def test_mlp_and_fit_refuse_a_seed_that_is_not_an_int(seed: object) -> None:
    """A float, Fraction, bool or str seed is a TypeError naming seed (random.Random would hash some, refuse others)."""
    _raises(lambda: MLP(2, [1], seed=seed), TypeError, "seed must be an int or None", type(seed).__name__)  # type: ignore[arg-type]
    mlp = MLP(2, [1], seed=0)
    optimizer = SGD(mlp.parameters(), lr=0.1)
    _raises(lambda: fit(mlp, [[0.0, 1.0]], [[1.0]], optimizer=optimizer, seed=seed), TypeError, "seed must be")  # type: ignore[arg-type]


@pytest.mark.parametrize("module", [Neuron(2, rng=None), Layer(2, 3), MLP(2, [3, 1])])
@pytest.mark.parametrize(
    ("inputs", "error", "words"),
    [
        ([1.0, NAN], ValueError, ["x[1]", "nan", "not finite"]),
        ([-INF, 1.0], ValueError, ["x[0]", "-inf"]),
        ([Value(INF), 1.0], ValueError, ["x[0]", "inf"]),
        ([1.0, "2"], TypeError, ["x[1]", "str"]),
        ([1.0, None], TypeError, ["x[1]", "NoneType"]),
        ([1.0, 10**400], ValueError, ["x[1]", "too large for a float"]),
        ([Fraction(-(10**400)), 1.0], ValueError, ["x[0]", "too large for a float"]),
        ([1.0], ValueError, ["expected 2 inputs", "got 1"]),
        ("12", TypeError, ["sequence", "str"]),
        ((x for x in (1.0, 2.0)), TypeError, ["sequence", "generator"]),
    ],
)
def test_module_inputs_must_be_finite_numbers_of_the_right_count(
    module: Callable[[object], object], inputs: object, error: type, words: list[str]
) -> None:
    """Neuron, Layer and MLP name the bad input x[k], its value and what was expected."""
    _raises(lambda: module(inputs), error, *words)


def test_rng_must_be_a_random_generator() -> None:
    """Neuron and Layer reject an rng that is not a random.Random, naming its type."""
    _raises(lambda: Neuron(2, rng=42), TypeError, "rng", "int")  # type: ignore[arg-type]
    _raises(lambda: Layer(2, 2, rng="seed"), TypeError, "rng", "str")  # type: ignore[arg-type]


# --- costs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cost", [half_sse, mse, bce])
@pytest.mark.parametrize(
    ("outputs", "targets", "error", "words"),
    [
        ([0.5, NAN], [0.0, 1.0], ValueError, ["outputs[1]", "nan", "not finite"]),
        ([0.5, Value(INF)], [0.0, 1.0], ValueError, ["outputs[1]", "inf"]),
        ([0.5, 0.5], [-INF, 1.0], ValueError, ["targets[0]", "-inf"]),
        ([0.5, 0.5], [0.0, "1"], TypeError, ["targets[1]", "str"]),
        ([None, 0.5], [0.0, 1.0], TypeError, ["outputs[0]", "NoneType"]),
        ([0.5], [0.0, 1.0], ValueError, ["1 outputs", "2 targets"]),
        ([], [], ValueError, ["empty"]),
        (0.5, [0.0], TypeError, ["outputs", "float"]),
    ],
)
def test_costs_reject_bad_outputs_and_targets(
    cost: Callable[[object, object], Value], outputs: object, targets: object, error: type, words: list[str]
) -> None:
    """Every cost names the bad output or target and why it is refused."""
    _raises(lambda: cost(outputs, targets), error, *words)


@pytest.mark.parametrize(("cost", "name"), [(half_sse, "half_sse"), (mse, "mse")])
def test_a_cost_that_overflows_is_an_error_not_inf(cost: Callable[[object, object], Value], name: str) -> None:
    """Finite outputs and targets whose squared error overflows raise OverflowError, never return inf."""
    _raises(lambda: cost([1e308], [-1e308]), OverflowError, name, "overflows")
    _raises(lambda: cost([1e200], [0.0]), OverflowError, "overflows")


def test_mean_cost_rejects_non_values_and_non_finite_costs() -> None:
    """mean_cost names the bad per-sample cost; a generator or an empty list is refused too."""
    _raises(lambda: mean_cost([Value(1.0), Value(NAN)]), ValueError, "costs[1]", "nan")
    _raises(lambda: mean_cost([Value(1.0), 2.0]), TypeError, "costs[1]", "float")  # type: ignore[list-item]
    _raises(lambda: mean_cost(Value(1.0) for _ in range(2)), TypeError, "sequence")  # type: ignore[arg-type]
    _raises(lambda: mean_cost([]), ValueError, "at least one")


# --- gradcheck -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: gradcheck(3, [1.0]), TypeError, ["f", "int"]),
        (lambda: gradcheck(lambda x: x, [NAN]), ValueError, ["inputs[0]", "nan"]),
        (lambda: gradcheck(lambda x: x, [10**400]), ValueError, ["inputs[0]", "too large"]),
        (lambda: gradcheck(lambda x: x, [True]), TypeError, ["inputs[0]", "bool"]),
        (lambda: gradcheck(lambda x: x, [1.0], eps=0.0), ValueError, ["eps", "positive"]),
        (lambda: gradcheck(lambda x: x, [1.0], eps=NAN), ValueError, ["eps", "nan"]),
        (lambda: gradcheck(lambda x: x, [1.0], atol=-1.0), ValueError, ["atol", "-1.0"]),
        (lambda: gradcheck(lambda x: x, [1.0], rtol=INF), ValueError, ["rtol", "inf"]),
        (lambda: gradcheck(lambda x: x, [1.0], rtol="0.1"), TypeError, ["rtol", "str"]),
    ],
)
def test_gradcheck_rejects_bad_arguments(call: Callable[[], object], error: type, words: list[str]) -> None:
    """gradcheck names the bad function, input or tolerance (a nan tolerance would make every check fail)."""
    _raises(call, error, *words)


# --- the delta oracle ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda mlp: backprop(mlp, [0.5, NAN], [1.0]), ValueError, ["x[1]", "nan", "not finite"]),
        (lambda mlp: backprop(mlp, [0.5, 0.5], [INF]), ValueError, ["y[0]", "inf"]),
        (lambda mlp: backprop(mlp, [0.5, 10**400], [1.0]), ValueError, ["x[1]", "too large"]),
        (lambda mlp: backprop_batch(mlp, [[0.5, 0.5], [0.5, -INF]], [[1.0], [0.0]]), ValueError, ["xs[1][1]"]),
        (lambda mlp: backprop(mlp, [0.5, "1"], [1.0]), TypeError, ["x[1]", "str"]),
    ],
)
def test_the_oracle_refuses_what_the_modules_refuse(
    call: Callable[[MLP], object], error: type, words: list[str]
) -> None:
    """backprop and backprop_batch reject nan, inf and non-numbers in x and y, as MLP and the costs do."""
    _raises(lambda: call(MLP(2, [3, 1], seed=0)), error, *words)


def test_the_oracle_refuses_a_network_with_non_finite_parameters() -> None:
    """A nan weight is named instead of spreading nan through every delta."""
    mlp = MLP(2, [3, 1], seed=0)
    mlp.layers[1].neurons[0].w[2].data = NAN
    _raises(lambda: backprop(mlp, [0.5, 0.5], [1.0]), ValueError, "w[1][0][2]", "nan")


# --- optimizers, data sets, training -----------------------------------------------------------


def test_optimizers_name_a_bad_params_argument_and_huge_hyper_parameters() -> None:
    """A non-iterable params is a TypeError naming its type; an int beyond the float range is a ValueError."""
    _raises(lambda: SGD(3.0, lr=0.1), TypeError, "params", "float")  # type: ignore[arg-type]
    _raises(lambda: SGD([Value(1.0)], lr=10**400), ValueError, "lr", "too large")
    _raises(lambda: Adam([Value(1.0)], eps=-(10**400)), ValueError, "eps", "too large")


def test_dataset_noise_that_overflows_is_refused() -> None:
    """Noise so large that a coordinate overflows to inf is a ValueError, not a data set holding inf."""
    _raises(lambda: moons(4, 1e308), ValueError, "noise", "1e+308", "overflow")
    _raises(lambda: circles(4, 10**400), ValueError, "noise", "too large")


def test_accuracy_refuses_a_threshold_that_is_not_a_finite_number() -> None:
    """A nan threshold would count every sample as right; it is a ValueError, a str a TypeError."""
    mlp, data = MLP(2, [2, 1], seed=0), xor()
    _raises(lambda: accuracy(mlp, *data, threshold=NAN), ValueError, "threshold", "nan")
    _raises(lambda: accuracy(mlp, *data, threshold="0.5"), TypeError, "threshold", "str")  # type: ignore[arg-type]


def test_accuracy_names_a_target_that_is_not_a_finite_number() -> None:
    """A target None, a str or nan is an error naming targets[s][i], not a comparison failing deep inside."""
    mlp = MLP(2, [2, 1], seed=0)
    _raises(lambda: accuracy(mlp, [[0.0, 0.0]], [[None]]), TypeError, "targets[0][0]", "NoneType")  # type: ignore[list-item]
    _raises(lambda: accuracy(mlp, [[0.0, 0.0], [1.0, 1.0]], [[1.0], ["1"]]), TypeError, "targets[1][0]", "str")  # type: ignore[list-item]
    _raises(lambda: accuracy(mlp, [[0.0, 0.0]], [[NAN]]), ValueError, "targets[0][0]", "nan")


# --- the table itself ----------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = [
    *(name for name in microgradnet.__all__ if not name.endswith("Error")),
    *(
        "weighted_sum",
        "weighted_sums",
        "sum_values",
        "half_sse",
        "mse",
        "bce",
        "mean_cost",
        "get_cost",
        "backprop",
        "backprop_batch",
    ),
    *("state_dict", "load_state_dict", "save", "load", "SGD", "Adam", "step", "moons", "circles", "spirals"),
    *("fit", "accuracy", "draw_graph", "draw_network"),
]


def test_docs_table_names_every_entry_point_and_the_robustness_page_links_it() -> None:
    """docs/errors.md mentions every public entry point; the robustness page and the README link to it."""
    table = (ROOT / "docs" / "errors.md").read_text()
    assert [name for name in ENTRY_POINTS if not re.search(rf"[`.]{name}\b(?!Error)", table)] == []
    robustness = (ROOT / "docs" / "robustness.md").read_text()
    assert "](errors.md)" in section(robustness, "Bad input is an error that names it")
    assert "](docs/errors.md)" in (ROOT / "README.md").read_text()


def test_compiled_functions_name_an_input_too_large_for_a_float() -> None:
    """compiled(inputs) with an int beyond the float range is an OverflowError naming inputs[k], as Value's is."""
    compiled = microgradnet.compile_function(lambda x, y: x * y, [1.0, 2.0])
    _raises(lambda: compiled([1.0, 10**400]), OverflowError, "inputs[1]", "too large for a float")


def test_an_update_that_overflows_is_refused_and_changes_nothing() -> None:
    """A learning rate so large that p - lr g overflows raises ValueError naming the parameter; no state moves."""
    w, b = Value(1.0, "w"), Value(1.0, "b")
    w.grad, b.grad = 1.0, 1e10
    sgd = SGD([w, b], lr=1e300, momentum=0.5)
    _raises(sgd.step, ValueError, "b", "-inf", "no parameter was updated")
    assert (w.data, b.data, sgd.buffers) == (1.0, 1.0, None)
    adam = Adam([w, b], lr=1e308, betas=(0.0, 0.0))
    w.grad, b.grad = 1.0, -1.0
    adam.step()  # |m / (sqrt(v) + eps)| < 1, so the first step moves w by less than lr: finite
    first = (adam.t, adam.m, adam.v, w.data, b.data)
    _raises(adam.step, ValueError, "w", "-inf")
    assert (adam.t, adam.m, adam.v, w.data, b.data) == first


def test_adam_with_eps_zero_leaves_a_parameter_with_zero_gradients_alone() -> None:
    """With eps = 0 a parameter whose gradients are all 0 (a dead relu) does not move: 0 / 0 is never computed."""
    dead, live = Value(0.5), Value(0.5)
    adam = Adam([dead, live], lr=0.1, eps=0.0)
    dead.grad, live.grad = 0.0, 1.0
    adam.step()
    assert dead.data == 0.5 and live.data == pytest.approx(0.4)


def test_compiled_losses_refuse_an_int_beyond_the_float_range() -> None:
    """A compiled loss names a data number too large for a float, as it names nan, instead of float()'s bare error."""
    from microgradnet.train import compile_mlp_loss

    loss = compile_mlp_loss(MLP(2, [2, 1], seed=0))
    _raises(lambda: loss([[10**400, 0.0]], [[1.0]]), ValueError, "batch 0, sample 0[0]", "beyond the float range")
