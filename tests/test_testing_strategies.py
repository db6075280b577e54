"""The kit's strategies draw what they promise: valid networks of the asked shape, the hard cases
(zero weights, saturated sigmoids, relus exactly at the kink, non-square layers), targets in the
cost's domain, and shrink failures to small networks."""

from __future__ import annotations

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from microgradnet import delta
from microgradnet.testing import Network, batches, costs, networks, problems, samples

FIND = settings(database=None, derandomize=True, max_examples=2000)


@given(networks())
def test_networks_are_valid_and_within_bounds(network: Network) -> None:
    """1 to 3 layers of 1 to 4 neurons on 1 to 4 inputs, every parameter finite, |w| <= 30."""
    assert 2 <= len(network.sizes) <= 4
    assert all(1 <= n <= 4 for n in network.sizes)
    assert all(abs(w) <= 30.0 for w_l in network.weights for row in w_l for w in row)
    assert network.mlp().sizes == list(network.sizes)


@given(networks([2, 3, 1], activation="tanh", output_activation="linear"))
def test_fixed_sizes_and_activations(network: Network) -> None:
    """Given sizes and activations are kept; the MLP it builds holds exactly the drawn parameters."""
    assert network.sizes == (2, 3, 1)
    assert network.layer_activations == ("tanh", "linear")
    mlp = network.mlp()
    assert [p.data for p in mlp.parameters()] == [
        value for w, b in zip(network.weights, network.biases) for w_j, b_j in zip(w, b) for value in (*w_j, b_j)
    ]


def test_hard_cases_are_drawn() -> None:
    """Among the draws: a sigmoid saturated to exactly 1.0, a relu neuron exactly at z = 0 and a
    non-square layer."""

    def saturated(network: Network) -> bool:
        _, a = network.forward((1.0,) * network.sizes[0])
        return any(a_j == 1.0 for a_l in a for a_j in a_l)

    def at_kink(network: Network) -> bool:
        z, _ = network.forward((1.0,) * network.sizes[0])
        return any(z_j == 0.0 for z_l in z for z_j in z_l)

    assert saturated(find(networks(), saturated, settings=FIND))
    assert at_kink(find(networks(activation="relu"), at_kink, settings=FIND))
    square = find(networks(), lambda n: len(set(n.sizes)) > 1, settings=FIND)
    assert len(set(square.sizes)) > 1


def test_hard_cases_can_be_turned_off() -> None:
    """With hard_cases=False every parameter is of order 1."""
    with pytest.raises(NoSuchExample):
        find(
            networks(hard_cases=False),
            lambda n: any(abs(w) > 2 for w_l in n.weights for r in w_l for w in r),
            settings=FIND,
        )


def test_a_failure_shrinks_to_the_smallest_network() -> None:
    """Drawing weights (not a seed) lets hypothesis shrink: the smallest network with two layers is 1-1-1 of zeros."""
    smallest = find(networks(), lambda n: len(n.sizes) >= 3, settings=FIND)
    assert smallest.sizes == (1, 1, 1)
    assert all(w == 0.0 for w_l in smallest.weights for row in w_l for w in row)


@given(st.data())
def test_samples_and_batches_fit_the_network_and_cost(data: st.DataObject) -> None:
    """x has the input width, y the output width, bce targets are in [0, 1], batches hold 1 to 4 samples."""
    network = data.draw(networks())
    cost = data.draw(costs())
    sample = data.draw(samples(network, cost))
    assert (len(sample.x), len(sample.y)) == (network.sizes[0], network.sizes[-1])
    if cost == "bce":
        assert all(0.0 <= y <= 1.0 for y in sample.y)
    batch = data.draw(batches(network, cost))
    assert 1 <= len(batch.xs) == len(batch.ys) <= 4


@given(problems("bce", batch=True))
def test_bce_problems_stay_off_the_clamped_logs(problem: object) -> None:
    """For bce every output is a sigmoid strictly inside (0, 1), away from the clamp of its logs."""
    from microgradnet.testing import Problem

    assert isinstance(problem, Problem)
    assert problem.network.output_activation == "sigmoid"
    for x in problem.xs:
        _, a = problem.network.forward(x)
        assert all(delta.clamped_log_derivative(u) != 0.0 for a_j in a[-1] for u in (a_j, 1.0 - a_j))


def test_bad_options_are_refused() -> None:
    """Unknown activations and costs, sizes that are no architecture, and bce without a sigmoid output."""
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        networks(activation="softplus")
    with pytest.raises(ValueError, match="sizes must give the input width"):
        networks([3])
    with pytest.raises(ValueError, match=r"sizes\[1\] must be at least 1"):
        networks([3, 0])
    with pytest.raises(ValueError, match="unknown cost 'l1'"):
        costs(["l1"])
    with pytest.raises(ValueError, match="output_activation='sigmoid'"):
        problems("bce", output_activation="relu")
