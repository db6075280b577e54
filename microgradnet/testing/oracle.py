"""The two witnesses a backprop under test is compared with: the delta equations and central differences.

The delta equations are `microgradnet.delta` (BP1-BP4 in plain floats, the project's oracle);
central differences are dC/dp ~ (C(p + h) - C(p - h)) / 2h of the cost itself, skipped for a
parameter whose shift moves a relu across its kink or a log of bce onto or off its clamp at -100
(there the difference quotient straddles two slopes and says nothing).
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

from microgradnet import delta
from microgradnet.testing.problem import Gradients, Parameter, Problem

Oracle = Callable[[Problem], Gradients]

STEP = 1e-6  # h of the central differences: truncation ~h^2 f'''/6 and rounding ~1e-16 C/h both stay below 1e-8
# |difference quotient - gradient| / max(1, |gradient|) stays below 1e-7 on every network `networks()` draws
# (measured by tests/test_testing_oracle.py); 1e-4 leaves room and still catches any mistake of the catalogue.
NUMERIC_TOLERANCE = 1e-4


def backprops(problem: Problem) -> tuple[delta.Backprop, ...]:
    """Every sample's z, a, delta and gradients by BP1-BP4 (`microgradnet.delta`), with the cost's dC/da in BP1."""
    mlp = problem.network.mlp()
    derivative = problem.cost.derivative
    return tuple(delta.backprop_with_derivative(mlp, x, y, derivative) for x, y in zip(problem.xs, problem.ys))


def mean_gradients(per_sample: list[Gradients]) -> Gradients:
    """d cost_avg/dp = (1/n) sum_s dC_s/dp, for the n samples' gradients (as `delta.backprop_batch`)."""
    return Gradients(
        dW=tuple(
            tuple(delta.mean([g.dW[l][j] for g in per_sample]) for j in range(len(dW)))
            for l, dW in enumerate(per_sample[0].dW)
        ),
        db=tuple(delta.mean([g.db[l] for g in per_sample]) for l in range(len(per_sample[0].db))),
    )


def delta_gradients(problem: Problem) -> Gradients:
    """The gradients the delta equations give: of one sample's cost, or of the mean cost of a batch."""
    per_sample = [Gradients(b.dW, b.db) for b in backprops(problem)]
    return mean_gradients(per_sample) if problem.batch else per_sample[0]


def _cost_and_regime(problem: Problem, shift: tuple[Parameter, float] | None) -> tuple[float, tuple[bool, ...]]:
    """cost_avg of the (shifted) network, and which side of each kink every sample is on."""
    network = problem.network if shift is None else problem.network.shifted(*shift)
    value = problem.cost.value
    assert value is not None
    total = 0.0
    regime: list[bool] = []
    for x, y in zip(problem.xs, problem.ys):
        z, a = network.forward(x)
        total += value(a[-1], y)
        for z_l, name in zip(z, network.layer_activations):
            if name == "relu":
                regime += [z_j > 0.0 for z_j in z_l]
        if problem.cost.probabilities:
            regime += [delta.clamped_log_derivative(u) == 0.0 for a_j in a[-1] for u in (a_j, 1.0 - a_j)]
    return total / len(problem.xs), tuple(regime)


def central_differences(problem: Problem) -> dict[Parameter, float | None]:
    """dC/dp ~ (C(p + h) - C(p - h)) / 2h for every parameter p; None where a kink lies within h, or
    where the cost has no value to differentiate."""
    parameters = problem.network.parameters()
    if problem.cost.value is None:
        return dict.fromkeys(parameters)
    _, regime = _cost_and_regime(problem, None)
    numeric: dict[Parameter, float | None] = {}
    for p in parameters:
        up, regime_up = _cost_and_regime(problem, (p, STEP))
        down, regime_down = _cost_and_regime(problem, (p, -STEP))
        smooth = regime_up == regime == regime_down and math.isfinite(up) and math.isfinite(down)
        numeric[p] = (up - down) / (2.0 * STEP) if smooth else None
    return numeric


def close(got: float, expected: float, tolerance: float) -> bool:
    """|got - expected| <= tolerance * max(1, |expected|) (False for nan)."""
    return abs(got - expected) <= tolerance * max(1.0, abs(expected))


@dataclass(frozen=True)
class Row:
    """One parameter's gradient by the function under test and by both witnesses (numeric None if skipped)."""

    parameter: Parameter
    got: float
    expected: float
    numeric: float | None

    def agrees_with_equations(self, tolerance: float) -> bool:
        return close(self.got, self.expected, tolerance)

    def agrees_with_differences(self, tolerance: float) -> bool:
        return self.numeric is None or close(self.got, self.numeric, max(tolerance, NUMERIC_TOLERANCE))


@dataclass(frozen=True)
class Comparison:
    """The function's answer on one problem against both witnesses: `error` says what went wrong if it
    raised or returned the wrong shapes (then `got` is None and `rows` empty)."""

    problem: Problem
    got: Gradients | None
    error: str | None
    rows: tuple[Row, ...]
    tolerance: float

    def wrong(self) -> list[Row]:
        """The rows where the function disagrees with either witness, from the output layer back."""
        rows = [
            row
            for row in self.rows
            if not (row.agrees_with_equations(self.tolerance) and row.agrees_with_differences(self.tolerance))
        ]
        return sorted(rows, key=lambda row: -row.parameter[0])

    @property
    def agrees(self) -> bool:
        return self.error is None and not self.wrong()

    def against(self, expected: Gradients) -> Comparison:
        """The same answer compared with other expected gradients (the central differences kept)."""
        rows = tuple(replace(row, expected=expected[row.parameter]) for row in self.rows)
        return replace(self, rows=rows)


def compare(problem: Problem, got: Gradients | None, error: str | None, tolerance: float, oracle: Oracle) -> Comparison:
    """Pair every parameter's gradient from the function with the oracle's and the central difference."""
    if got is None:
        return Comparison(problem, None, error, (), tolerance)
    expected = oracle(problem)
    numeric = central_differences(problem)
    rows = tuple(Row(p, got[p], expected[p], numeric[p]) for p in problem.network.parameters())
    return Comparison(problem, got, None, rows, tolerance)
