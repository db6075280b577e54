"""The delta equations, checked against the autograd engine on every network hypothesis can draw.

Read top to bottom, this is the derivation of backpropagation. With C a cost of the output
activations a^L, delta^l_j = dC/dz^l_j is the grad of the `z[l][j]` node of the engine's graph,
and the four equations say how it is found and what it gives:

    BP1  delta^L_j  = dC/da^L_j * sigma'(z^L_j)
    BP2  delta^l_k  = (sum_j w^(l+1)_jk delta^(l+1)_j) * sigma'(z^l_k)
    BP3  dC/db^l_j  = delta^l_j
    BP4  dC/dw^l_jk = a^(l-1)_k delta^l_j

Each equation has its own property: it holds between the engine's nodes, and the closed-form
oracle `microgradnet.delta` gives the same number. Then the two agree on everything at once
(500 networks in CI), on the mean cost of a data set, and with finite differences as a third
witness; and an oracle with one wrong factor is caught.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import (
    SMOOTH_ACTIVATIONS,
    BatchProblem,
    Problem,
    batch_problems,
    problems,
    saturating_parameters,
    signals,
    softmax_problems,
)

from microgradnet import MLP, Value, engine, gradcheck
from microgradnet import delta as oracle
from microgradnet.activations import ACTIVATIONS
from microgradnet.engine import WEIGHTED_SUM, topological_order
from microgradnet.gradcheck import numeric_gradient
from microgradnet.losses import COSTS, get_cost, mean_cost, one_hot
from microgradnet.operations import OPERATIONS

REL, ABS = 1e-9, 1e-12  # two independent float computations of the same gradient

# The CI profile (derandomized) draws 500 networks for the main equivalence; dev keeps its default.
EQUIVALENCE_EXAMPLES = 500 if settings.default.derandomize else settings.default.max_examples


# --- reading the engine's graph -----------------------------------------------------------------


class Graph(NamedTuple):
    """One sample's cost node after `backward()`, and the `z[l][j]` and `a[l][j]` nodes of its graph."""

    cost: Value
    z: list[list[Value]]
    a: list[list[Value]]


def neuron_nodes(root: Value, mlp: MLP, name: str) -> list[list[Value]]:
    """The node labelled `{name}[l][j]` for every neuron j of every layer l in the graph of `root`."""
    by_label = {node.label: node for node in topological_order(root)}
    return [[by_label[f"{name}[{l}][{j}]"] for j in range(len(layer.neurons))] for l, layer in enumerate(mlp.layers)]


def autograd(problem: Problem) -> Graph:
    """Build C(mlp(x), y) from fresh gradients and run `backward()`."""
    problem.mlp.zero_grad()
    cost = get_cost(problem.cost)(problem.mlp(problem.x), problem.y)
    cost.backward()
    return Graph(cost, neuron_nodes(cost, problem.mlp, "z"), neuron_nodes(cost, problem.mlp, "a"))


def sigma_prime(mlp: MLP, l: int, j: int, z: float) -> float:
    """sigma'(z) for neuron j of layer l, from the oracle's table of derivatives."""
    return oracle.ACTIVATIONS[mlp.layers[l].neurons[j].activation].sigma_prime(z)


def assert_close(actual: float, expected: float, what: str) -> None:
    """`actual` equals `expected` to rel 1e-9 (abs 1e-12); one assertion site, so a failure is one bug."""
    assert actual == pytest.approx(expected, rel=REL, abs=ABS), f"{what}: {actual!r} != {expected!r}"


def test_z_nodes_are_the_parents_of_the_activations() -> None:
    """Every neuron's graph is z = w·a+b (one node) then a = sigma(z), with a.parents == (z,)."""
    mlp = MLP(3, [4, 2], seed=0)
    graph = autograd(Problem(mlp, [0.5, -1.0, 2.0], [0.0, 1.0], "half_sse"))
    for l, layer in enumerate(mlp.layers):
        for j, neuron in enumerate(layer.neurons):
            z, a = graph.z[l][j], graph.a[l][j]
            assert a.parents == (z,)
            assert z.op == WEIGHTED_SUM
            assert z.parents[: neuron.nin] == tuple(neuron.w) and z.parents[-1] is neuron.b


# --- one property per equation --------------------------------------------------------------------


@given(problems())
def test_output_delta_is_dC_da_times_sigma_prime(problem: Problem) -> None:
    """BP1: dC/dz^L_j = dC/da^L_j * sigma'(z^L_j) in the graph, and the oracle's delta^L is that number."""
    graph = autograd(problem)
    result = oracle.backprop(problem.mlp, problem.x, problem.y, problem.cost)
    L = len(problem.mlp.layers) - 1
    for j, (z, a) in enumerate(zip(graph.z[L], graph.a[L])):
        assert_close(z.grad, a.grad * sigma_prime(problem.mlp, L, j, z.data), f"dC/dz[{L}][{j}]")
        assert_close(result.delta[L][j], z.grad, f"delta[{L}][{j}]")


@given(problems(min_layers=2))
def test_hidden_delta_is_the_next_delta_sent_back_through_the_weights(problem: Problem) -> None:
    """BP2: delta^l_k = (sum_j w^(l+1)_jk delta^(l+1)_j) sigma'(z^l_k) in the graph, and in the oracle."""
    graph = autograd(problem)
    result = oracle.backprop(problem.mlp, problem.x, problem.y, problem.cost)
    layers = problem.mlp.layers
    for l in range(len(layers) - 1):
        next_neurons = layers[l + 1].neurons
        for k, z in enumerate(graph.z[l]):
            sent_back = sum(neuron.w[k].data * z_next.grad for neuron, z_next in zip(next_neurons, graph.z[l + 1]))
            assert_close(z.grad, sent_back * sigma_prime(problem.mlp, l, k, z.data), f"dC/dz[{l}][{k}]")
            assert_close(result.delta[l][k], z.grad, f"delta[{l}][{k}]")


@given(problems())
def test_bias_gradient_is_delta(problem: Problem) -> None:
    """BP3: dC/db^l_j = delta^l_j, the grad of the z node, in the graph and in the oracle."""
    graph = autograd(problem)
    result = oracle.backprop(problem.mlp, problem.x, problem.y, problem.cost)
    for l, layer in enumerate(problem.mlp.layers):
        for j, neuron in enumerate(layer.neurons):
            assert_close(neuron.b.grad, graph.z[l][j].grad, f"dC/db[{l}][{j}]")
            assert_close(result.db[l][j], neuron.b.grad, f"db[{l}][{j}]")


@given(problems())
def test_weight_gradient_is_a_prev_times_delta(problem: Problem) -> None:
    """BP4: dC/dw^l_jk = a^(l-1)_k delta^l_j (a^(l-1) is x for the first layer), in the graph and in the oracle."""
    graph = autograd(problem)
    result = oracle.backprop(problem.mlp, problem.x, problem.y, problem.cost)
    a_prev = [problem.x, *([a.data for a in layer] for layer in graph.a[:-1])]
    for l, layer in enumerate(problem.mlp.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w_jk in enumerate(neuron.w):
                assert_close(w_jk.grad, a_prev[l][k] * graph.z[l][j].grad, f"dC/dw[{l}][{j}][{k}]")
                assert_close(result.dW[l][j][k], w_jk.grad, f"dW[{l}][{j}][{k}]")


# --- the two implementations agree on everything --------------------------------------------------


def assert_deltas_and_gradients_agree(result: oracle.Backprop, mlp: MLP, z: list[list[Value]]) -> None:
    """The oracle's delta[l][j] is the grad of the z[l][j] node, and its dW, db the parameters' grads."""
    for l, layer in enumerate(mlp.layers):
        for j, neuron in enumerate(layer.neurons):
            assert_close(result.delta[l][j], z[l][j].grad, f"delta[{l}][{j}]")
            assert_close(result.db[l][j], neuron.b.grad, f"db[{l}][{j}]")
            for k, w_jk in enumerate(neuron.w):
                assert_close(result.dW[l][j][k], w_jk.grad, f"dW[{l}][{j}][{k}]")


def check_oracle_agrees_with_autograd(problem: Problem) -> None:
    """The oracle's z, a, delta, dW and db equal the engine's node values and grads, everywhere."""
    graph = autograd(problem)
    result = oracle.backprop(problem.mlp, problem.x, problem.y, problem.cost)
    for l, layer in enumerate(problem.mlp.layers):
        for j in range(len(layer.neurons)):
            assert_close(result.z[l][j], graph.z[l][j].data, f"z[{l}][{j}]")
            assert_close(result.a[l][j], graph.a[l][j].data, f"a[{l}][{j}]")
    assert_deltas_and_gradients_agree(result, problem.mlp, graph.z)


@settings(max_examples=EQUIVALENCE_EXAMPLES)
@given(problems())
def test_oracle_and_autograd_agree_on_every_gradient(problem: Problem) -> None:
    """On random architectures, activations, costs, weights, inputs and targets, both backprops agree."""
    check_oracle_agrees_with_autograd(problem)


@given(problems(costs=("bce",), values=saturating_parameters, max_layers=1))
def test_oracle_and_autograd_agree_where_bce_clamps_its_logs(problem: Problem) -> None:
    """Behind a saturated sigmoid (a^L = 1.0, or ln a^L < -100) both give the clamped logs zero slope."""
    check_oracle_agrees_with_autograd(problem)


@given(problems(costs=("cross_entropy",), values=saturating_parameters, max_layers=1))
def test_oracle_and_autograd_agree_where_cross_entropy_clamps_its_log(problem: Problem) -> None:
    """Behind a saturated sigmoid (ln a^L_y < -100) both give cross_entropy's clamped log zero slope."""
    check_oracle_agrees_with_autograd(problem)


@given(batch_problems())
def test_batch_gradients_are_the_mean_of_the_sample_gradients(problem: BatchProblem) -> None:
    """For cost_avg = (1/n) sum_s C_s the oracle's mean dW, db equal the engine's, and the engine's
    z nodes of sample s hold delta_s / n."""
    mlp, n = problem.mlp, len(problem.xs)
    mlp.zero_grad()
    cost = get_cost(problem.cost)
    sample_costs = [cost(mlp(x), y) for x, y in zip(problem.xs, problem.ys)]
    mean_cost(sample_costs).backward()
    result = oracle.backprop_batch(mlp, problem.xs, problem.ys, problem.cost)
    for l, layer in enumerate(mlp.layers):
        for j, neuron in enumerate(layer.neurons):
            assert_close(result.db[l][j], neuron.b.grad, f"db[{l}][{j}]")
            for k, w_jk in enumerate(neuron.w):
                assert_close(result.dW[l][j][k], w_jk.grad, f"dW[{l}][{j}][{k}]")
    for s, (sample_cost, sample) in enumerate(zip(sample_costs, result.samples)):
        for l, z_layer in enumerate(neuron_nodes(sample_cost, mlp, "z")):
            for j, z in enumerate(z_layer):
                assert_close(sample.delta[l][j] / n, z.grad, f"sample {s}: delta[{l}][{j}] / n")


def oracle_gradient(result: oracle.Backprop) -> list[float]:
    """The oracle's gradients in `parameters()` order: layer by layer, each neuron's dW then its db."""
    return [g for dW_l, db_l in zip(result.dW, result.db) for dW_j, db_j in zip(dW_l, db_l) for g in (*dW_j, db_j)]


def cost_of_parameters(problem: Problem) -> Callable[..., Value]:
    """C(a^L, y) as a function of the network's parameters, in `parameters()` order (for finite differences)."""

    def cost(*values: Value) -> Value:
        parameters = iter(values)
        for layer in problem.mlp.layers:
            for neuron in layer.neurons:
                neuron.w = [next(parameters) for _ in neuron.w]
                neuron.b = next(parameters)
        return get_cost(problem.cost)(problem.mlp(problem.x), problem.y)

    return cost


@given(problems(max_layers=2, max_width=3, max_inputs=3, activation_names=SMOOTH_ACTIVATIONS))
def test_finite_differences_agree_with_the_oracle_and_the_engine(problem: Problem) -> None:
    """Third witness: on small smooth networks central differences of C match the oracle (and gradcheck
    passes for the engine)."""
    result = oracle.backprop(problem.mlp, problem.x, problem.y, problem.cost)
    parameters = [p.data for p in problem.mlp.parameters()]
    cost = cost_of_parameters(problem)
    numeric = numeric_gradient(cost, parameters, eps=1e-6)
    for i, (analytic, estimate) in enumerate(zip(oracle_gradient(result), numeric)):
        assert abs(analytic - estimate) <= 1e-5 + 1e-3 * abs(estimate), f"parameter {i}: {analytic} vs {estimate}"
    assert gradcheck(cost, parameters)


# --- a wrong oracle is caught -------------------------------------------------------------------


def bp1_without_sigma_prime(dC_da: Sequence[float], sigma_prime_z: Sequence[float]) -> tuple[float, ...]:
    """BP1 with sigma' dropped: delta^L = dC/da^L."""
    return tuple(dC_da)


def bp2_without_sigma_prime(
    w_next: Sequence[Sequence[float]], delta_next: Sequence[float], sigma_prime_z: Sequence[float]
) -> tuple[float, ...]:
    """BP2 with sigma' dropped: delta^l_k = sum_j w^(l+1)_jk delta^(l+1)_j."""
    return tuple(sum(w_j[k] * d_j for w_j, d_j in zip(w_next, delta_next)) for k in range(len(sigma_prime_z)))


def bp4_without_a_prev(delta: Sequence[float], a_prev: Sequence[float]) -> tuple[tuple[float, ...], ...]:
    """BP4 with a^(l-1) dropped: dC/dw^l_jk = delta^l_j."""
    return tuple(tuple(delta_j for _ in a_prev) for delta_j in delta)


def bp3_halved(delta: Sequence[float]) -> tuple[float, ...]:
    """BP3 with a stray factor: dC/db^l_j = delta^l_j / 2."""
    return tuple(0.5 * delta_j for delta_j in delta)


@pytest.mark.parametrize(
    ("equation", "mutant"),
    [
        ("output_delta", bp1_without_sigma_prime),
        ("hidden_delta", bp2_without_sigma_prime),
        ("bias_gradient", bp3_halved),
        ("weight_gradient", bp4_without_a_prev),
    ],
)
def test_a_wrong_factor_in_the_oracle_makes_the_equivalence_fail(
    monkeypatch: pytest.MonkeyPatch, equation: str, mutant: Callable[..., object]
) -> None:
    """Negative control: with one equation of the oracle wrong, the main property finds a counterexample."""
    monkeypatch.setattr(oracle, equation, mutant)
    with pytest.raises(AssertionError, match="!="):
        test_oracle_and_autograd_agree_on_every_gradient()


@pytest.mark.parametrize("cost", sorted(oracle.COST_DERIVATIVES))
def test_a_wrong_cost_derivative_in_the_oracle_makes_the_equivalence_fail(
    monkeypatch: pytest.MonkeyPatch, cost: str
) -> None:
    """Negative control: with dC/da of one cost doubled in the oracle, the main property finds a counterexample."""
    right = oracle.COST_DERIVATIVES[cost]
    monkeypatch.setitem(oracle.COST_DERIVATIVES, cost, lambda a, y: tuple(2.0 * d for d in right(a, y)))
    with pytest.raises(AssertionError, match="!="):
        test_oracle_and_autograd_agree_on_every_gradient()


@pytest.mark.parametrize(
    ("op", "wrong"),
    [
        ("sigmoid", {"x": "out * (1.0 + out)"}),
        ("tanh", {"x": "1.0 + out * out"}),
        ("w·a+b", {"w_k": "w_k", "a_k": "a_k", "b": "1.0"}),  # dz/dw_k and dz/da_k swapped
        ("x**c", {"x": "2.0 * power_dbase(x, c, out)"}),
    ],
)
def test_a_wrong_row_in_the_engines_table_makes_the_equivalence_fail(
    monkeypatch: pytest.MonkeyPatch, op: str, wrong: dict[str, str]
) -> None:
    """Negative control: with one row of the engine's derivative table wrong, autograd and the oracle disagree."""
    monkeypatch.setitem(OPERATIONS, op, dataclasses.replace(OPERATIONS[op], derivatives=wrong))
    with pytest.raises(AssertionError, match="!="):
        test_oracle_and_autograd_agree_on_every_gradient()


# --- the oracle's API ----------------------------------------------------------------------------


def linear_chain() -> MLP:
    """x -> z0 = 2x + 1 -> z1 = -a0 + 0.5, both linear: every number of its backprop is exact by hand."""
    mlp = MLP(1, [1, 1], "linear", seed=0)
    for p, value in zip(mlp.parameters(), [2.0, 1.0, -1.0, 0.5]):
        p.data = value
    return mlp


def test_backprop_by_hand_on_a_linear_chain() -> None:
    """x = 1, y = 0.5: z = a = (3, -2.5); delta^1 = a - y = -3, delta^0 = w^1 delta^1 = 3; dW = a_prev delta."""
    result = oracle.backprop(linear_chain(), [1.0], [0.5])
    assert result == oracle.Backprop(
        z=((3.0,), (-2.5,)),
        a=((3.0,), (-2.5,)),
        delta=((3.0,), (-3.0,)),
        dW=(((3.0,),), ((-9.0,),)),
        db=((3.0,), (-3.0,)),
    )


def test_backprop_by_hand_on_one_sigmoid_neuron() -> None:
    """z = w x + b, delta = (a - y) a (1 - a), dC/dw = x delta, dC/db = delta, for each cost's dC/da."""
    mlp = MLP(1, [1], seed=0)
    mlp.layers[0].neurons[0].w[0].data, mlp.layers[0].neurons[0].b.data = 0.5, -0.25
    x, y = 2.0, 0.75
    a = 1.0 / (1.0 + math.exp(-0.75))
    for cost, dC_da in [("half_sse", a - y), ("mse", 2.0 * (a - y)), ("bce", -y / a + (1.0 - y) / (1.0 - a))]:
        result = oracle.backprop(mlp, [x], [y], cost)
        delta = dC_da * a * (1.0 - a)
        assert result.z == ((0.75,),) and result.a[0][0] == pytest.approx(a, rel=1e-15)
        assert result.delta[0][0] == pytest.approx(delta, rel=1e-12)
        assert result.dW[0][0][0] == pytest.approx(x * delta, rel=1e-12)
        assert result.db[0][0] == pytest.approx(delta, rel=1e-12)


def test_batch_keeps_each_sample_and_averages_the_gradients() -> None:
    """`samples[s]` is `backprop` of sample s; dW and db are their means."""
    mlp, xs, ys = linear_chain(), [[1.0], [0.0]], [[0.5], [1.0]]
    result = oracle.backprop_batch(mlp, xs, ys)
    samples = [oracle.backprop(mlp, x, y) for x, y in zip(xs, ys)]
    assert list(result.samples) == samples
    # sample 2: z = (1, -0.5), delta^1 = -1.5, delta^0 = 1.5, dW = (1.5 * 0, -1.5 * 1)
    assert result.dW == (((1.5,),), ((-5.25,),))
    assert result.db == ((2.25,), (-2.25,))


def test_results_are_frozen() -> None:
    """A result cannot be changed by accident: its fields cannot be reassigned and are tuples."""
    result = oracle.backprop(linear_chain(), [1.0], [0.5])
    with pytest.raises(AttributeError):
        result.delta = ()  # type: ignore[misc]
    assert isinstance(result.dW[0][0], tuple)


def test_the_oracle_performs_no_value_operation(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every way of making a node disabled, the oracle still runs: it reads `.data` only."""

    def forbidden(*args: object) -> None:
        raise AssertionError("the oracle made a Value node")

    with_softmax = MLP(2, [3, 2], output_activation="softmax", seed=0)
    monkeypatch.setattr(engine, "_new_value", forbidden)  # every operation makes its node with it
    mlp = MLP(2, [3, 1], seed=0)
    for cost in COSTS:
        oracle.backprop(mlp, [0.5, -1.0], [1.0], cost)
        oracle.backprop_batch(mlp, [[0.5, -1.0]], [[1.0]], cost)
        oracle.backprop(with_softmax, [0.5, -1.0], [0.0, 1.0], cost)
    with pytest.raises(AssertionError, match="made a Value node"):
        mlp([0.5, -1.0])  # the patch does catch the engine at work


SPECIAL_FLOATS = [math.nan, math.inf, -math.inf, 0.0, -0.0, 5e-324, -5e-324, 1e308, -1e308, 710.0, -710.0]


def _same_float(a: float, b: float) -> bool:
    """a and b are the same float: equal with the same sign of zero, or both nan."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(z=st.one_of(st.sampled_from(SPECIAL_FLOATS), st.floats(allow_nan=True, allow_infinity=True)))
def test_the_oracle_activations_are_the_engines_even_on_nan_and_inf(name: str, z: float) -> None:
    """sigma(z) and sigma'(z) of the oracle are the very floats the engine's node and its local derivative hold,
    for every float including nan (which stays nan, never 0), +-inf, -0.0 and the extremes."""
    node = ACTIVATIONS[name](Value(z))
    activation = oracle.ACTIVATIONS[name]
    assert _same_float(activation.sigma(z), node.data), (name, z, activation.sigma(z), node.data)
    assert _same_float(activation.sigma_prime(z), node.local_grads[0]), (name, z)


def test_a_nan_inside_a_relu_network_stays_nan_in_the_oracle() -> None:
    """x = [1e308] through a 1-1-1-1 relu net: in the oracle's floats a^0 = relu(10 x) = inf, z^1 = 0 * inf = nan,
    and relu(nan) = nan carries it to the output, never a finite number; the engine refuses z^0 = 10 x itself
    (finite operands whose exact weighted sum overflows)."""
    mlp = MLP(1, [1, 1, 1], "relu", output_activation="linear", seed=0)
    for layer, w in zip(mlp.layers, (10.0, 0.0, 1.0)):
        layer.neurons[0].w[0].data, layer.neurons[0].b.data = w, 0.0
    with pytest.raises(OverflowError, match="w·a\\+b"):
        mlp([1e308])
    assert all(math.isnan(a) for a in oracle.backprop(mlp, [1e308], [0.0]).a[-1])


def test_the_oracle_knows_every_activation_and_cost() -> None:
    """Its tables have a row for every activation of `nn` and every cost of `losses`, and no more."""
    assert set(oracle.ACTIVATIONS) == set(ACTIVATIONS)
    assert set(oracle.COST_DERIVATIVES) == set(COSTS)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda mlp: oracle.backprop(mlp, [1.0], [0.5]), ValueError, r"x: expected 2 inputs, got 1"),
        (lambda mlp: oracle.backprop(mlp, [1.0, 2.0], [0.5, 0.5]), ValueError, r"y: expected 1 targets"),
        (lambda mlp: oracle.backprop(mlp, [1.0, "2"], [0.5]), TypeError, r"x\[1\] must be a real number, got str"),
        (lambda mlp: oracle.backprop(mlp, 1.0, [0.5]), TypeError, r"x must be a sequence of 2 numbers, got float"),
        (
            lambda mlp: oracle.backprop(mlp, [1.0, 2.0], [0.5], "mae"),
            ValueError,
            r"unknown cost 'mae'; expected one of",
        ),
        (lambda mlp: oracle.backprop(mlp, [1.0, 2.0], [1.5], "bce"), ValueError, r"bce: targets\[0\] = 1.5"),
        (lambda mlp: oracle.backprop([mlp], [1.0, 2.0], [0.5]), TypeError, r"mlp must be an MLP, got list"),
        (lambda mlp: oracle.backprop_batch(mlp, [[1.0, 2.0]], []), ValueError, r"1 inputs, 0 targets"),
        (lambda mlp: oracle.backprop_batch(mlp, [], []), ValueError, r"xs and ys are empty"),
        (lambda mlp: oracle.backprop_batch(mlp, [[1.0, 2.0], [1.0]], [[0.5]] * 2), ValueError, r"xs\[1\]: expected 2"),
        (lambda mlp: oracle.backprop_batch(mlp, [[1.0, 2.0]], [[0.5, 1.0]]), ValueError, r"ys\[0\]: expected 1"),
        (lambda mlp: oracle.backprop_batch(mlp, [1.0, 2.0], [[0.5]] * 2), TypeError, r"xs\[0\] must be a sequence"),
        (lambda mlp: oracle.backprop_batch(mlp, "ab", [[0.5]] * 2), TypeError, r"xs must be a sequence of samples"),
    ],
)
def test_bad_arguments_name_what_was_wrong(call: Callable[[MLP], object], error: type[Exception], words: str) -> None:
    """Wrong lengths, types, cost names and bce targets are errors naming the argument and the value."""
    with pytest.raises(error, match=words):
        call(MLP(2, [3, 1], seed=0))


def test_a_network_with_an_unknown_activation_or_shape_is_rejected() -> None:
    """The oracle checks what it reads: every activation is known and every neuron has one weight per input."""
    mlp = MLP(2, [3, 1], seed=0)
    mlp.layers[1].neurons[0].activation = "softplus"
    with pytest.raises(ValueError, match=r"mlp.layers\[1\].neurons\[0\]: unknown activation 'softplus'; expected"):
        oracle.backprop(mlp, [1.0, 2.0], [0.5])
    mlp = MLP(2, [3, 1], seed=0)
    mlp.layers[1].neurons[0].w.pop()
    with pytest.raises(ValueError, match=r"mlp.layers\[1\].neurons\[0\] has 2 weights, but the layer before gives 3"):
        oracle.backprop(mlp, [1.0, 2.0], [0.5])


def test_bce_behind_an_output_outside_the_unit_interval_is_rejected() -> None:
    """bce needs a^L in [0, 1]: behind a linear output the oracle names the offending output, as `losses.bce` does."""
    mlp = linear_chain()
    with pytest.raises(ValueError, match=r"bce: outputs\[0\] = -2.5 is outside \[0, 1\]"):
        oracle.backprop(mlp, [1.0], [0.5], "bce")


# --- softmax outputs and the log-likelihood cost ----------------------------------------------------
#
# A softmax output a^L_j = e^(z^L_j) / sum_k e^(z^L_k) depends on every z^L_k, so BP1 takes its general
# form delta^L = J^T dC/da^L with J_jk = da^L_j/dz^L_k = a^L_j ([j = k] - a^L_k). The engine's witness is
# MLP(..., output_activation="softmax"): one "softmax" node per output, whose local derivatives are J's
# row j; with cross_entropy its cost is the one node logsumexp(z^L) - z^L_y, whose dC/dz^L is a^L - y.


vectors = st.lists(st.floats(-30.0, 30.0), min_size=1, max_size=10)


def test_softmax_is_stable_where_the_plain_formula_overflows() -> None:
    """Shifted by the max, softmax of z = (1000, 0, -1000) is (1, 0, 0); e^1000 itself would overflow."""
    assert oracle.softmax((1000.0, 0.0, -1000.0)) == (1.0, 0.0, 0.0)
    assert oracle.softmax((0.0, 0.0)) == (0.5, 0.5)


@given(vectors)
def test_softmax_is_the_normalised_exponential(z: list[float]) -> None:
    """a_j = e^(z_j) / sum_k e^(z_k) (no overflow at |z| <= 30), so every a_j is in (0, 1] and they sum to 1."""
    a = oracle.softmax(tuple(z))
    total = sum(math.exp(z_k) for z_k in z)
    assert a == pytest.approx([math.exp(z_j) / total for z_j in z], rel=1e-13, abs=0.0)
    assert sum(a) == pytest.approx(1.0, rel=1e-15 * len(z))


@given(vectors)
def test_softmax_jacobian_is_the_derivative_of_softmax(z: list[float]) -> None:
    """J_jk = a_j ([j = k] - a_k) equals (a_j(z + h e_k) - a_j(z - h e_k)) / 2h to the difference's accuracy."""
    a = oracle.softmax(tuple(z))
    h = 1e-6
    for k in range(len(z)):
        up, down = list(z), list(z)
        up[k] += h
        down[k] -= h
        column = [(p - m) / (2.0 * h) for p, m in zip(oracle.softmax(tuple(up)), oracle.softmax(tuple(down)))]
        for j, J_j in enumerate(oracle.softmax_jacobian(a)):
            assert abs(J_j[k] - column[j]) <= 1e-8, f"J[{j}][{k}]: {J_j[k]!r} != {column[j]!r}"


@given(st.integers(1, 8).flatmap(lambda n: st.tuples(*[st.tuples(signals, signals)] * n)))
def test_general_bp1_with_a_diagonal_jacobian_is_bp1(pairs: tuple[tuple[float, float], ...]) -> None:
    """For an activation of each neuron alone, J = diag(sigma'(z^L)) and J^T dC/da^L is BP1's product, exactly."""
    dC_da, sigma_prime_z = tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    diagonal = tuple(tuple(s if j == k else 0.0 for k in range(len(pairs))) for j, s in enumerate(sigma_prime_z))
    assert oracle.output_delta_general(diagonal, dC_da) == oracle.output_delta(dC_da, sigma_prime_z)


def check_softmax_oracle_agrees_with_autograd(problem: Problem) -> None:
    """The oracle on a network with a softmax output gives the engine's a^L, deltas and gradients."""
    mlp = problem.mlp
    mlp.zero_grad()
    a_L = mlp(problem.x)
    cost = get_cost(problem.cost)(a_L, problem.y)
    cost.backward()
    z = neuron_nodes(cost, mlp, "z")
    result = oracle.backprop(mlp, problem.x, problem.y, problem.cost)
    L = len(mlp.layers) - 1
    for j, a_j in enumerate(a_L):
        assert_close(result.a[L][j], a_j.data, f"a[{L}][{j}]")
    assert_deltas_and_gradients_agree(result, mlp, z)


@settings(max_examples=EQUIVALENCE_EXAMPLES)
@given(softmax_problems())
def test_oracle_backprops_a_softmax_output_as_autograd_does(problem: Problem) -> None:
    """Behind a softmax output of 2 to 10 classes, with any hidden activations and the log-likelihood or a
    squared-error cost, the general BP1 and then BP2-BP4 give the engine's gradients."""
    check_softmax_oracle_agrees_with_autograd(problem)


@given(softmax_problems(costs=("cross_entropy",), values=saturating_parameters, max_layers=1))
def test_oracle_and_autograd_agree_where_the_log_likelihood_is_clamped(problem: Problem) -> None:
    """With z^L spread far apart, a^L_y underflows below e^-100 (or to 0): both still give delta^L = a^L - y,
    as the engine's cost reads z^L (logsumexp(z^L) - z^L_y), not the clamped ln a^L_y."""
    check_softmax_oracle_agrees_with_autograd(problem)


@given(softmax_problems(max_layers=2, max_width=3, max_inputs=3, activation_names=SMOOTH_ACTIVATIONS))
def test_finite_differences_agree_with_the_oracle_behind_softmax(problem: Problem) -> None:
    """Third witness: central differences of C(softmax(z^L), y) match the oracle's gradients (and gradcheck
    passes for the engine's softmax nodes)."""
    result = oracle.backprop(problem.mlp, problem.x, problem.y, problem.cost)
    parameters = [p.data for p in problem.mlp.parameters()]
    cost = cost_of_parameters(problem)
    numeric = numeric_gradient(cost, parameters, eps=1e-6)
    for i, (analytic, estimate) in enumerate(zip(oracle_gradient(result), numeric)):
        assert abs(analytic - estimate) <= 1e-5 + 1e-3 * abs(estimate), f"parameter {i}: {analytic} != {estimate}"
    assert gradcheck(cost, parameters)


# Bounded hidden activations keep |z^L| <= 22, so no log is clamped and the textbook special case holds.
BOUNDED = ("sigmoid", "tanh")


@given(softmax_problems(costs=("cross_entropy",), activation_names=BOUNDED))
def test_output_delta_is_a_minus_y_for_softmax_with_log_likelihood(problem: Problem) -> None:
    """Softmax with C = -ln a_y: the general J^T dC/da^L equals a^L - y, the special case of BP1 (which is
    the oracle's delta^L)."""
    result = oracle.backprop(problem.mlp, problem.x, problem.y, problem.cost)
    L = len(problem.mlp.layers) - 1
    a_L, y = result.a[L], tuple(problem.y)
    general_form = oracle.output_delta_general(
        oracle.softmax_jacobian(a_L), oracle.COST_DERIVATIVES["cross_entropy"](a_L, y)
    )
    special = oracle.output_delta_a_minus_y(a_L, y)
    assert result.delta[L] == special
    for j, (general, simple) in enumerate(zip(general_form, special)):
        assert general == pytest.approx(simple, rel=1e-12, abs=1e-15), f"delta[{L}][{j}]: {general!r} != {simple!r}"


@given(problems(costs=("bce",), activation_names=BOUNDED))
def test_output_delta_is_a_minus_y_for_sigmoid_with_bce(problem: Problem) -> None:
    """Sigmoid with bce: dC/da^L_j * sigma'(z^L_j) = a^L_j - y_j, the same special case of BP1."""
    result = oracle.backprop(problem.mlp, problem.x, problem.y, problem.cost)
    L = len(problem.mlp.layers) - 1
    special = oracle.output_delta_a_minus_y(result.a[L], tuple(problem.y))
    for j, (general, simple) in enumerate(zip(result.delta[L], special)):
        assert general == pytest.approx(simple, rel=1e-12, abs=1e-14), f"delta[{L}][{j}]: {general!r} != {simple!r}"


def test_the_textbook_case_by_hand() -> None:
    """z^L = (0, ln 3), y = class 1: a^L = (1/4, 3/4), delta^L = a^L - y = (1/4, -1/4) = dC/db^L."""
    mlp = MLP(1, [2], "linear", seed=0)
    for p, value in zip(mlp.parameters(), [0.0, 0.0, 0.0, math.log(3.0)]):
        p.data = value
    mlp = MLP(1, [2], "linear", output_activation="softmax", seed=0)
    for p, value in zip(mlp.parameters(), [0.0, 0.0, 0.0, math.log(3.0)]):
        p.data = value
    result = oracle.backprop(mlp, [1.0], one_hot(1, 2), "cross_entropy")
    assert result.a[0] == pytest.approx((0.25, 0.75), rel=1e-15)
    assert result.delta[0] == pytest.approx((0.25, -0.25), rel=1e-15)
    assert result.db[0] == pytest.approx((0.25, -0.25), rel=1e-15)
    assert [dW_j[0] for dW_j in result.dW[0]] == pytest.approx([0.25, -0.25], rel=1e-15)  # x = 1


def softmax_jacobian_diagonal_only(a: Sequence[float]) -> tuple[tuple[float, ...], ...]:
    """Softmax treated as one sigmoid per neuron: J_jj = a_j (1 - a_j) and every other J_jk dropped."""
    return tuple(tuple(a_j * (1.0 - a_j) if j == k else 0.0 for k in range(len(a))) for j, a_j in enumerate(a))


def general_bp1_without_transpose_sum(jacobian: Sequence[Sequence[float]], dC_da: Sequence[float]) -> tuple[float, ...]:
    """delta^L_k = J_kk dC/da^L_k: the sum over j of the general form dropped."""
    return tuple(jacobian[k][k] * dC_da[k] for k in range(len(dC_da)))


@pytest.mark.parametrize(
    ("equation", "mutant"),
    [("softmax_jacobian", softmax_jacobian_diagonal_only), ("output_delta_general", general_bp1_without_transpose_sum)],
)
def test_a_wrong_softmax_bp1_makes_the_equivalence_fail(
    monkeypatch: pytest.MonkeyPatch, equation: str, mutant: Callable[..., object]
) -> None:
    """Negative control: with softmax's Jacobian or the general BP1 wrong, the softmax property is refuted."""
    monkeypatch.setattr(oracle, equation, mutant)
    with pytest.raises(AssertionError, match="!="):
        test_oracle_backprops_a_softmax_output_as_autograd_does()


def test_a_wrong_log_likelihood_derivative_is_caught_by_finite_differences(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: with dC/da_j = +y_j / a_j (the sign lost), central differences disagree (behind a
    sigmoid output, where BP1 multiplies dC/da^L by sigma')."""
    monkeypatch.setitem(
        oracle.COST_DERIVATIVES, "cross_entropy", lambda a, y: tuple(y_j / a_j for a_j, y_j in zip(a, y))
    )
    with pytest.raises(AssertionError, match="parameter"):
        test_finite_differences_agree_with_the_oracle_and_the_engine()


@pytest.mark.parametrize(
    ("op", "wrong"),
    [
        ("softmax", {"z_k": "out * (0.0 - softmax(z, k))"}),  # the Kronecker delta dropped
        ("softmax", {"z_k": "out * ((1.0 if k == j else 0.0) - out)"}),  # a_j in place of a_k
        ("softmax_cross_entropy", {"z_k": "softmax(z, k) + y_k", "y_k": "logsumexp(z) - z_k"}),  # a + y
    ],
)
def test_a_wrong_softmax_row_makes_the_equivalence_fail(
    monkeypatch: pytest.MonkeyPatch, op: str, wrong: dict[str, str]
) -> None:
    """Negative control: with a wrong row for the softmax nodes or the fused cost in the engine's table,
    the oracle refutes the engine."""
    monkeypatch.setitem(OPERATIONS, op, dataclasses.replace(OPERATIONS[op], derivatives=wrong))
    with pytest.raises(AssertionError, match="!="):
        test_oracle_backprops_a_softmax_output_as_autograd_does()


@pytest.mark.parametrize(
    "test",
    [
        test_output_delta_is_a_minus_y_for_softmax_with_log_likelihood,
        test_output_delta_is_a_minus_y_for_sigmoid_with_bce,
    ],
)
def test_a_wrong_special_case_is_caught(monkeypatch: pytest.MonkeyPatch, test: Callable[[], None]) -> None:
    """Negative control: the quadratic cost's output error (a - y) a (1 - a) in place of a - y is refuted."""
    monkeypatch.setattr(
        oracle, "output_delta_a_minus_y", lambda a, y: tuple((a_j - y_j) * a_j * (1.0 - a_j) for a_j, y_j in zip(a, y))
    )
    with pytest.raises(AssertionError, match="!="):
        test()


def test_softmax_belongs_to_a_whole_output_layer() -> None:
    """The oracle refuses softmax in a hidden layer and in part of a layer, naming the layer or neuron."""
    mlp = MLP(2, [3, 2], output_activation="softmax", seed=0)
    mlp.layers[0].neurons[1].activation = "softmax"
    with pytest.raises(ValueError, match=r"mlp.layers\[0\].neurons\[1\]: softmax is the activation of an output layer"):
        oracle.backprop(mlp, [1.0, 2.0], [0.0, 1.0], "cross_entropy")
    mlp = MLP(2, [3, 2], output_activation="softmax", seed=0)
    mlp.layers[1].neurons[0].activation = "sigmoid"
    with pytest.raises(ValueError, match=r"mlp.layers\[1\]: softmax is an activation of the whole layer"):
        oracle.backprop(mlp, [1.0, 2.0], [0.0, 1.0], "cross_entropy")
