"""The kit's witnesses: its central differences agree with the delta equations wherever they are
used (which is what NUMERIC_TOLERANCE rests on), they step aside at kinks, the backprop of the
mistakes catalogue with no mistake is the delta equations exactly, and gradients are read from
any layout."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from microgradnet import delta
from microgradnet.testing import Network, Problem, Steps, problems
from microgradnet.testing.layouts import LayoutError, read_gradients
from microgradnet.testing.mistakes import gradients_with
from microgradnet.testing.oracle import NUMERIC_TOLERANCE, backprops, central_differences, delta_gradients
from microgradnet.testing.problem import COSTS

# Every activation and cost the kit draws for, batches of 1 to 4 samples, layers up to 6 wide.
ALL = st.tuples(st.sampled_from(["sigmoid", "tanh", "relu", "linear"]), st.sampled_from(list(COSTS))).flatmap(
    lambda pair: problems(pair[1], activation=pair[0], batch=True, max_width=6)
)


@given(ALL)
def test_central_differences_agree_with_the_delta_equations(problem: Problem) -> None:
    """Where they are not skipped, the difference quotients are within 1e-6 (relative to max(1, |g|)) of
    BP1-BP4 on every problem the kit draws, far inside NUMERIC_TOLERANCE (measured worst: 6e-8)."""
    expected = delta_gradients(problem)
    for parameter, numeric in central_differences(problem).items():
        if numeric is not None:
            assert abs(numeric - expected[parameter]) <= 1e-6 * max(1.0, abs(expected[parameter]))
    assert NUMERIC_TOLERANCE >= 100 * 1e-6


def test_central_differences_skip_a_relu_at_its_kink() -> None:
    """A relu exactly at z = 0: the parameters that move z are skipped, not differenced across the kink."""
    network = Network((((1.0,),),), ((0.0,),), "relu", "relu")
    problem = Problem(network, COSTS["half_sse"], ((0.0,),), ((1.0,),))
    numeric = central_differences(problem)
    assert numeric[(0, 0, None)] is None  # the bias moves z across 0
    assert numeric[(0, 0, 0)] == 0.0  # x = 0: the weight does not move z


@given(ALL)
def test_the_steps_without_a_mistake_are_the_delta_equations(problem: Problem) -> None:
    """`gradients_with(Steps())` gives exactly what `delta.backprop` / `backprop_batch` give."""
    assert gradients_with(Steps(), problem, backprops(problem)) == delta_gradients(problem)


def test_a_batch_is_the_mean_of_its_samples() -> None:
    """delta_gradients of a batch is delta.backprop_batch's mean gradient."""
    network = Network((((0.5, -1.0), (2.0, 0.25)), ((1.0, -1.0),)), ((0.1, -0.2), (0.3,)))
    problem = Problem(network, COSTS["mse"], ((1.0, 2.0), (-1.0, 0.5)), ((0.2,), (0.9,)), batch=True)
    batch = delta.backprop_batch(network.mlp(), [list(x) for x in problem.xs], [list(y) for y in problem.ys], "mse")
    gradients = delta_gradients(problem)
    assert (gradients.dW, gradients.db) == (batch.dW, batch.db)


NETWORK = Network((((0.5, -1.0), (2.0, 0.25), (0.0, 1.0)),), ((0.1, -0.2, 0.0),))


def test_gradients_are_read_from_lists_and_from_columns() -> None:
    """Nested lists and numpy arrays in Nielsen's shapes ((n, 1) bias columns) read to the same floats."""
    dw = [[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]
    db = [[7.0, 8.0, 9.0]]
    from_lists = read_gradients((dw, db), NETWORK)
    from_arrays = read_gradients(([np.array(dw[0])], [np.array([[7.0], [8.0], [9.0]])]), NETWORK)
    assert from_lists == from_arrays
    assert from_lists[(0, 2, 1)] == 6.0 and from_lists[(0, 1, None)] == 8.0


@pytest.mark.parametrize(
    ("returned", "message"),
    [
        (42, r"fn must return the pair \(dw, db\), got int"),
        (([[[1.0, 2.0]] * 3], [[1.0, 2.0, 3.0]], None), "got a sequence of 3"),
        (([[[1.0, 2.0]] * 3], [[1.0, 2.0]]), r"dC/db\[0\] has shape \(2,\); expected \(3,\) or \(3, 1\)"),
        (([[[1.0, 2.0, 3.0]] * 2], [[1.0, 2.0, 3.0]]), r"dC/dw\[0\] has shape \(2, 3\) \(transposed\?\)"),
        (([[[1.0, "2"]] * 3], [[1.0, 2.0, 3.0]]), r"dC/dw\[0\]\[0\]\[1\] must be numbers, got str"),
        (([[[1.0, 2.0]] * 3, []], [[1.0, 2.0, 3.0]]), r"dC/dw must hold one entry per layer \(1\), got 2"),
        (([[1.0, 2.0, 3.0]], [[[1.0, 2.0]] * 3]), "pass returns='db, dw'"),
    ],
)
def test_wrong_returns_are_explained(returned: object, message: str) -> None:
    """Each way of returning the wrong thing gets a LayoutError naming the part and the shape expected."""
    with pytest.raises(LayoutError, match=message):
        read_gradients(returned, NETWORK)


@given(problems("bce"))
def test_the_oracle_entry_point_for_a_cost_derivative_is_backprop(problem: Problem) -> None:
    """delta.backprop_with_derivative given a named cost's dC/da gives what delta.backprop gives for the name."""
    mlp = problem.network.mlp()
    x, y = problem.xs[0], problem.ys[0]
    assert delta.backprop_with_derivative(mlp, x, y, delta.bce_derivative) == delta.backprop(mlp, x, y, "bce")


def test_the_mean_of_vectors_is_taken_component_by_component() -> None:
    """delta.mean([v_1, ..., v_n]) = (1/n) sum_s v_s."""
    assert delta.mean([(1.0, 2.0), (3.0, 6.0)]) == (2.0, 4.0)
