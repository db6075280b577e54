"""Costs: values and gradients against the hand formulas, bce at outputs of exactly 0 and 1,
the mean over a data set, and the errors for bad input."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import probabilities, signals

from microgradnet import Value
from microgradnet.engine import softmax, topological_order
from microgradnet.losses import COSTS, bce, cross_entropy, get_cost, half_sse, mean_cost, mse, one_hot

pairs = st.integers(1, 6).flatmap(lambda n: st.tuples(*[st.tuples(signals, signals)] * n))
# bce's outputs kept inside (0, 1), away from the clamp, where the textbook formula holds.
open_unit = st.floats(min_value=1e-6, max_value=1.0 - 1e-6)
bce_pairs = st.integers(1, 6).flatmap(lambda n: st.tuples(*[st.tuples(open_unit, probabilities)] * n))
# Outputs of a classifier with 1 to 10 classes and the index of the true class.
classified = st.integers(1, 10).flatmap(
    lambda n: st.tuples(st.lists(open_unit, min_size=n, max_size=n), st.integers(0, n - 1))
)


def value_and_gradient(cost: Callable[..., Value], a: Sequence[float], y: Sequence[float]) -> tuple[float, list[float]]:
    """C(a, y) and dC/da_i from backward()."""
    outputs = [Value(a_i) for a_i in a]
    c = cost(outputs, y)
    c.backward()
    return c.data, [o.grad for o in outputs]


@given(pairs)
def test_half_sse_is_half_the_sum_of_squared_errors(pairs_: tuple[tuple[float, float], ...]) -> None:
    """C = 1/2 sum_i (a_i - y_i)^2 and dC/da_i = a_i - y_i."""
    a, y = [p[0] for p in pairs_], [p[1] for p in pairs_]
    c, grad = value_and_gradient(half_sse, a, y)
    assert c == pytest.approx(0.5 * sum((a_i - y_i) ** 2 for a_i, y_i in pairs_), rel=1e-12, abs=1e-15)
    assert grad == pytest.approx([a_i - y_i for a_i, y_i in pairs_], rel=1e-12, abs=1e-15)


@given(pairs)
def test_mse_is_the_mean_squared_error(pairs_: tuple[tuple[float, float], ...]) -> None:
    """C = (1/n_L) sum_i (a_i - y_i)^2 and dC/da_i = 2 (a_i - y_i) / n_L."""
    a, y = [p[0] for p in pairs_], [p[1] for p in pairs_]
    n = len(a)
    c, grad = value_and_gradient(mse, a, y)
    assert c == pytest.approx(sum((a_i - y_i) ** 2 for a_i, y_i in pairs_) / n, rel=1e-12, abs=1e-15)
    assert grad == pytest.approx([2 * (a_i - y_i) / n for a_i, y_i in pairs_], rel=1e-12, abs=1e-15)


@given(bce_pairs)
def test_bce_is_the_binary_cross_entropy(pairs_: tuple[tuple[float, float], ...]) -> None:
    """C = -sum_i [y_i ln a_i + (1 - y_i) ln(1 - a_i)] and dC/da_i = (a_i - y_i) / (a_i (1 - a_i))."""
    a, y = [p[0] for p in pairs_], [p[1] for p in pairs_]
    c, grad = value_and_gradient(bce, a, y)
    expected = -sum(y_i * math.log(a_i) + (1 - y_i) * math.log(1 - a_i) for a_i, y_i in pairs_)
    assert c == pytest.approx(expected, rel=1e-9, abs=1e-12)
    # The engine sums -y/a + (1 - y)/(1 - a), terms up to 1e6 here: equal to the closed form up to rounding of those.
    assert grad == pytest.approx([(a_i - y_i) / (a_i * (1 - a_i)) for a_i, y_i in pairs_], rel=1e-9, abs=1e-8)


@pytest.mark.parametrize(
    ("a", "y", "cost", "slope"),
    [
        (0.0, 1.0, 100.0, 0.0),  # -ln 0 clamped to 100; flat on the clamp
        (0.0, 0.0, 0.0, 1.0),  # -ln(1 - 0) = 0; slope (1 - y)/(1 - a) = 1
        (1.0, 0.0, 100.0, 0.0),  # -ln(1 - 1) clamped to 100; flat on the clamp
        (1.0, 1.0, 0.0, -1.0),  # -ln 1 = 0; slope -y/a = -1
        (0.0, 0.5, 50.0, 0.5),  # half of each
        (1.0, 0.5, 50.0, -0.5),
    ],
)
def test_bce_is_finite_at_outputs_of_exactly_0_and_1(a: float, y: float, cost: float, slope: float) -> None:
    """With each log clamped at -100 (as PyTorch does), bce and its gradient stay finite at a = 0 and a = 1."""
    assert value_and_gradient(bce, [a], [y]) == (cost, [slope])


def test_bce_clamps_logs_below_minus_100() -> None:
    """An output with ln a < -100 costs 100 (times y) and has zero slope on that term, as on the clamp."""
    a = math.exp(-150.0)
    c, grad = value_and_gradient(bce, [a], [1.0])
    assert c == 100.0 and grad == [0.0]


@pytest.mark.parametrize(
    ("outputs", "targets", "words"), [([1.5], [1.0], r"outputs\[0\] = 1.5"), ([0.5], [-0.1], r"targets\[0\] = -0.1")]
)
def test_bce_outside_the_unit_interval_names_the_value(outputs: list[float], targets: list[float], words: str) -> None:
    """bce of an output or target outside [0, 1] is a ValueError naming which one and its value."""
    with pytest.raises(ValueError, match=words):
        bce(outputs, targets)


@given(classified)
def test_cross_entropy_is_minus_the_log_of_the_true_class_output(sample: tuple[list[float], int]) -> None:
    """C = -ln a_y and dC/da_i = -1/a_y for i = y, 0 for every other output; a one-hot target and
    the class index y give the same cost and gradient."""
    a, y = sample
    by_index = value_and_gradient(cross_entropy, a, y)  # type: ignore[arg-type]
    assert by_index == value_and_gradient(cross_entropy, a, one_hot(y, len(a)))
    c, grad = by_index
    assert c == pytest.approx(-math.log(a[y]), rel=1e-15, abs=1e-15)
    assert grad == [pytest.approx(-1.0 / a[y], rel=1e-15) if i == y else 0.0 for i in range(len(a))]


def test_cross_entropy_has_one_graph_for_every_class() -> None:
    """The graph holds y_i ln a_i for every output i, so the targets of each class give a graph of the
    same operations that reads every output (a compiled loss traced on one sample serves all)."""
    outputs = [Value(0.2), Value(0.5), Value(0.3)]
    graphs = [topological_order(cross_entropy(outputs, y)) for y in range(3)]
    assert len({tuple(node.op for node in graph) for graph in graphs}) == 1
    assert all(a in graph for graph in graphs for a in outputs)


@pytest.mark.parametrize(("a_y", "cost"), [(0.0, 100.0), (math.exp(-150.0), 100.0), (1.0, 0.0)])
def test_cross_entropy_clamps_its_log_at_minus_100(a_y: float, cost: float) -> None:
    """a_y = 0 or ln a_y < -100 costs 100 with zero slope (the clamp, as in bce); a_y = 1 costs 0 with slope -1."""
    c, grad = value_and_gradient(cross_entropy, [1.0 - a_y, a_y], [0.0, 1.0])
    assert c == cost
    assert grad == [0.0, 0.0 if cost else -1.0]


def test_cross_entropy_gives_targets_the_gradient_of_the_log_likelihood() -> None:
    """Targets that are Values receive dC/dy_i = -ln a_i, as in C = -sum_i y_i ln a_i."""
    targets = [Value(0.0), Value(1.0)]
    cross_entropy([0.25, 0.75], targets).backward()
    assert [y.grad for y in targets] == [-math.log(0.25), -math.log(0.75)]


@pytest.mark.parametrize(
    ("outputs", "targets", "error", "words"),
    [
        ([0.5, 1.5], [0.0, 1.0], ValueError, r"cross_entropy: outputs\[1\] = 1.5 is outside \[0, 1\]"),
        ([0.5, -0.5], 0, ValueError, r"cross_entropy: outputs\[1\] = -0.5 is outside \[0, 1\]"),
        ([0.5, 0.5], [1.0, 1.0], ValueError, r"targets must be one-hot \(one 1, the rest 0\), got \[1.0, 1.0\]"),
        ([0.5, 0.5], [0.5, 0.5], ValueError, r"targets must be one-hot"),
        ([0.5, 0.5], [0.0, 0.0], ValueError, r"targets must be one-hot"),
        ([0.5, 0.5], 2, ValueError, r"class index 2 is out of range for 2 classes"),
        ([0.5, 0.5], -1, ValueError, r"class index -1 is out of range for 2 classes"),
        ([0.5, 0.5], True, TypeError, r"targets must be a sequence of numbers or a class index \(an int\), got bool"),
        ([0.5, 0.5], 1.0, TypeError, r"or a class index \(an int\), got float"),
        (0.5, 1, TypeError, r"outputs must be a sequence of numbers or Values, got float"),
    ],
)
def test_cross_entropy_names_what_is_wrong(outputs: object, targets: object, error: type, words: str) -> None:
    """Outputs outside [0, 1], targets that are not one-hot and bad class indices are errors naming them."""
    with pytest.raises(error, match=words):
        cross_entropy(outputs, targets)  # type: ignore[arg-type]


@pytest.mark.parametrize("cost", sorted(COSTS))
def test_outputs_may_be_numbers(cost: str) -> None:
    """Numbers and Values as outputs give the same cost."""
    assert get_cost(cost)([0.25, 0.75], [0.0, 1.0]).data == get_cost(cost)([Value(0.25), Value(0.75)], [0.0, 1.0]).data


@pytest.mark.parametrize("cost", sorted(COSTS))
def test_unequal_lengths_are_a_value_error(cost: str) -> None:
    """Two outputs and one target is a ValueError giving both lengths."""
    with pytest.raises(ValueError, match="2 outputs, 1 targets"):
        get_cost(cost)([0.5, 0.5], [1.0])


@pytest.mark.parametrize("cost", sorted(COSTS))
def test_empty_and_non_sequences_are_errors(cost: str) -> None:
    """Empty outputs are a ValueError; a non-sequence is a TypeError naming its type."""
    with pytest.raises(ValueError, match="empty"):
        get_cost(cost)([], [])
    with pytest.raises(TypeError, match=r"outputs must be a sequence.*float"):
        get_cost(cost)(0.5, [1.0])  # type: ignore[arg-type]


def test_get_cost_knows_the_four_costs_and_lists_them_otherwise() -> None:
    """`get_cost` returns each cost by name; an unknown name is a ValueError listing the valid ones."""
    names = ("half_sse", "mse", "bce", "cross_entropy")
    assert tuple(map(get_cost, names)) == (half_sse, mse, bce, cross_entropy)
    with pytest.raises(
        ValueError, match="unknown cost 'mae'; expected one of 'half_sse', 'mse', 'bce', 'cross_entropy'"
    ):
        get_cost("mae")


@given(st.lists(signals, min_size=1, max_size=8))
def test_mean_cost_is_the_average_and_shares_the_gradient(values: list[float]) -> None:
    """cost_avg = (1/n) sum_s cost_s, so d cost_avg / d cost_s = 1/n."""
    costs = [Value(c) for c in values]
    avg = mean_cost(costs)
    avg.backward()
    assert avg.data == pytest.approx(sum(values) / len(values), rel=1e-12, abs=1e-15)
    assert all(c.grad == pytest.approx(1 / len(values)) for c in costs)


def test_mean_cost_of_no_samples_is_an_error() -> None:
    """The mean of zero costs is undefined: a ValueError."""
    with pytest.raises(ValueError, match="at least one"):
        mean_cost([])


# --- cross_entropy on a softmax output: the fused node ------------------------------------------


def test_cross_entropy_on_a_softmax_output_reads_the_zs_and_stays_finite_where_a_y_underflows() -> None:
    """On a^L = softmax(z^L), C = logsumexp(z) - z_y as one node: -ln a_y exactly (1000 here), where the
    plain form's a_y is 0.0 and its log is clamped to 100; dC/dz_k = a_k - y_k."""
    z = [Value(1000.0), Value(0.0)]
    a = softmax(z)
    assert a[1].data == 0.0
    cost = cross_entropy(a, 1)
    assert cost.op == "softmax_cross_entropy"
    assert cost.data == 1000.0
    assert cross_entropy([a_j.data for a_j in a], 1).data == 100.0  # numbers: the clamped plain form
    cost.backward()
    assert [z_k.grad for z_k in z] == [1.0, -1.0]


@given(st.lists(st.floats(-30.0, 30.0), min_size=2, max_size=10), st.data())
def test_fused_cross_entropy_equals_the_plain_one_where_no_output_underflows(
    z: list[float], data: st.DataObject
) -> None:
    """logsumexp(z) - z_y equals -ln softmax(z)_y, and its gradient the plain form's, outputs of 2 to 10 classes."""
    y = data.draw(st.integers(0, len(z) - 1))
    zs = [Value(z_k) for z_k in z]
    fused = cross_entropy(softmax(zs), y)
    fused.backward()
    zs_plain = [Value(z_k) for z_k in z]
    plain = -softmax(zs_plain)[y].log()  # through the softmax nodes' local derivatives a_j ([j = k] - a_k)
    plain.backward()
    assert fused.op == "softmax_cross_entropy"
    assert math.isclose(fused.data, plain.data, rel_tol=1e-12, abs_tol=1e-12)
    for fused_k, plain_k in zip(zs, zs_plain):
        assert math.isclose(fused_k.grad, plain_k.grad, rel_tol=1e-9, abs_tol=1e-12)


def test_cross_entropy_on_part_of_a_softmax_output_or_out_of_order_is_the_plain_form() -> None:
    """Only a whole softmax output, in order, is fused: a permuted one is the plain -sum y_i ln a_i."""
    a = softmax([Value(0.5), Value(-0.5), Value(2.0)])
    assert cross_entropy(a, 0).op == "softmax_cross_entropy"
    permuted = cross_entropy([a[1], a[0], a[2]], 1)
    assert permuted.op != "softmax_cross_entropy"
    assert math.isclose(permuted.data, cross_entropy(a, 0).data, rel_tol=1e-15)
