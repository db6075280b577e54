"""Memory and size: graphs free themselves without the cycle collector, training holds memory
flat, and backward handles a million nodes deep or wide at the default recursion limit."""

from __future__ import annotations

import gc
import sys
import tracemalloc
import weakref
from collections.abc import Callable, Iterator

import pytest

from microgradnet import MLP, Value
from microgradnet.engine import sum_values, topological_order
from microgradnet.losses import half_sse, mean_cost

DATA = [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])]


@pytest.fixture
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector off for the test, and back on afterwards whatever happens."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _loss(mlp: MLP, data: list[tuple[list[float], list[float]]] = DATA) -> Value:
    return mean_cost([half_sse(mlp(x), y) for x, y in data])


def _sgd_step(mlp: MLP, data: list[tuple[list[float], list[float]]], lr: float = 0.5) -> float:
    """One plain gradient-descent step on `data`; returns the loss."""
    mlp.zero_grad()
    loss = _loss(mlp, data)
    loss.backward()
    for p in mlp.parameters():
        p.data -= lr * p.grad
    return loss.data


# --- node layout -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [lambda a, b: a * b, lambda a, b: a - b, lambda a, b: a**2.0, lambda a, b: a.tanh(), lambda a, b: 2.0**a]
)
def test_one_and_two_operand_nodes_hold_no_tuple(make: Callable[[Value, Value], Value]) -> None:
    """Their parents and local derivatives sit in slots (what keeps a node small), yet read as tuples."""
    a, b = Value(0.5), Value(-1.5)
    node = make(a, b)
    assert not [r for r in gc.get_referents(node) if isinstance(r, tuple)]
    assert isinstance(node.parents, tuple) and isinstance(node.local_grads, tuple)
    assert len(node.parents) == len(node.local_grads) in (1, 2)


# --- no reference cycles ---------------------------------------------------------------------


def test_a_dropped_loss_frees_its_whole_graph_without_the_collector(no_gc: None) -> None:
    """With gc disabled, deleting the loss (after backward) frees every interior node at once."""
    mlp = MLP(2, [3, 1], seed=0)
    loss = _loss(mlp)
    loss.backward()
    parameters = set(mlp.parameters())
    interior = [weakref.ref(node) for node in topological_order(loss) if node not in parameters]
    assert len(interior) > 40  # inputs, targets, z and a nodes, costs and the mean
    del loss
    assert [ref for ref in interior if ref() is not None] == []
    assert all(p.grad != 0.0 for p in mlp.layers[-1].parameters())  # the parameters live on


def test_no_node_is_part_of_a_reference_cycle(no_gc: None) -> None:
    """gc finds nothing to collect after a forward and backward pass is dropped: no node sits in a cycle."""
    gc.collect()  # start from an empty gc.garbage
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        loss = _loss(MLP(2, [3, 1], "tanh", seed=1))
        loss.backward()
        del loss
        gc.collect()
        assert [obj for obj in gc.garbage if isinstance(obj, Value)] == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_training_holds_memory_flat(no_gc: None) -> None:
    """Peak traced memory of step 100 is within 5% of step 10, and nothing accumulates between them."""
    # The graph must outweigh the ~8 kB that CPython's free lists (floats, tuples, dicts) take
    # over the first ~80 steps: a 2-8-1 network over 32 samples peaks at about 320 kB a step.
    mlp, data = MLP(2, [8, 1], seed=0), DATA * 8
    measured = {}  # only steps 10 and 100, so the bookkeeping itself does not grow
    tracemalloc.start()
    try:
        for step in range(1, 101):
            tracemalloc.reset_peak()
            _sgd_step(mlp, data)
            if step in (10, 100):
                measured[step] = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (current_10, peak_10), (current_100, peak_100) = measured[10], measured[100]
    assert abs(peak_100 - peak_10) <= 0.05 * peak_10, (peak_10, peak_100)
    assert current_100 - current_10 <= 0.05 * peak_10, (current_10, current_100)


# --- a million nodes, deep or wide -----------------------------------------------------------


# The collector is off in these tests only to keep them quick: with it on, CPython walks the
# million tracked nodes again and again while they are built (test_engine's chain runs with it on).


def test_million_leaf_chained_sum_at_the_default_recursion_limit(no_gc: None) -> None:
    """((v_0 + v_1) + v_2) + ... over 1,000,000 leaves: backward gives every leaf gradient 1."""
    assert sys.getrecursionlimit() <= 10_000
    leaves = [Value(1.0) for _ in range(1_000_000)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total + leaf
    total.backward()
    assert total.data == 1_000_000.0
    assert all(leaf.grad == 1.0 for leaf in leaves)


def test_million_leaf_sum_values_at_the_default_recursion_limit(no_gc: None) -> None:
    """sum_values over 1,000,000 leaves is one node whose backward gives every leaf gradient 1."""
    leaves = [Value(0.5) for _ in range(1_000_000)]
    total = sum_values(leaves)
    total.backward()
    assert (total.data, len(total.parents)) == (500_000.0, 1_000_000)
    assert all(leaf.grad == 1.0 for leaf in leaves)


def test_a_million_node_graph_is_freed_without_the_collector(no_gc: None) -> None:
    """Dropping the root of a 1,000,000-node chain frees it (no recursion error in deallocation either)."""
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y.tanh()
    middle = y
    for _ in range(10):
        y = -y
    probe = weakref.ref(middle)
    del middle
    y.backward()
    del y
    assert probe() is None


def test_rendering_refuses_a_million_node_graph_with_a_clear_error(no_gc: None) -> None:
    """draw_graph of a 1,000,001-node chain raises ValueError giving the count and pointing to draw_network."""
    render = pytest.importorskip("microgradnet.render", reason="rendering needs the graphviz package (extra 'viz')")
    y = Value(0.5)
    for _ in range(1_000_000):
        y = y.tanh()
    with pytest.raises(ValueError, match=r"1000001 nodes, more than max_nodes=2000.*draw_network"):
        render.draw_graph(y)
