"""`crosscheck.compare`: it pairs autograd's and the delta equations' gradient of every parameter
correctly, leaves the parameters' gradients alone, and reports a planted disagreement."""

from __future__ import annotations

import dataclasses

import pytest

from microgradnet import MLP
from microgradnet.crosscheck import compare
from microgradnet.losses import bce


def test_rows_follow_parameters_and_hold_backward_gradients() -> None:
    """rows() lists every parameter in parameters() order, with its label and backward()'s gradient."""
    mlp = MLP(3, [4, 2], seed=1)
    x, y = [0.3, -0.7, 1.1], [0.2, 0.9]
    rows = compare(mlp, x, y, "bce").rows()
    bce(mlp(x), y).backward()
    assert [label for label, _, _ in rows] == [p.label for p in mlp.parameters()]
    assert [g for _, g, _ in rows] == [p.grad for p in mlp.parameters()]
    assert all(g == pytest.approx(o, rel=1e-12, abs=1e-15) for _, g, o in rows)


def test_compare_restores_the_gradients() -> None:
    """compare() leaves every parameter's grad as it found it (training is not disturbed)."""
    mlp = MLP(2, [3, 1], seed=0)
    for i, p in enumerate(mlp.parameters()):
        p.grad = float(i)
    compare(mlp, [0.5, -1.0], [1.0])
    assert [p.grad for p in mlp.parameters()] == [float(i) for i in range(len(mlp.parameters()))]


def test_a_planted_difference_is_reported_in_its_layer() -> None:
    """Changing one oracle gradient shows up in that layer's maximum and in the relative difference."""
    mlp = MLP(2, [3, 1], seed=0)
    comparison = compare(mlp, [0.5, -1.0], [1.0])
    assert comparison.largest_relative_difference() <= 1e-15
    dW = [list(map(list, layer)) for layer in comparison.oracle.dW]
    dW[1][0][2] += 0.25
    planted = dataclasses.replace(comparison, oracle=dataclasses.replace(comparison.oracle, dW=dW))
    (w0, b0), (w1, b1) = planted.layer_differences()
    assert w1 == pytest.approx(0.25) and max(w0, b0, b1) <= 1e-15
    assert planted.largest_relative_difference() == pytest.approx(0.25, rel=0.1)
