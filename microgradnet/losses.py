"""Costs of one sample, C(a^L, y), built from `Value` operations, and the mean over a data set.

    mse       C = (1/n_L) sum_i (a_i - y_i)^2
    half_sse  C = 1/2 sum_i (a_i - y_i)^2
    bce       C = -sum_i [y_i ln a_i + (1 - y_i) ln(1 - a_i)],  logs clamped at -100 as in PyTorch

`outputs` may be `Value`s or numbers; `targets` are numbers (or `Value`s). Every output and
target must be finite (`ValueError` naming it otherwise), and a cost is finite or an error: a
cost that overflows a float raises `OverflowError`, so training never sees a silent `nan` or `inf`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

from microgradnet import checks
from microgradnet.engine import Operand, Value, sum_values

Cost = Callable[[Sequence[Operand], Sequence[Operand]], Value]


def _pairs(outputs: Sequence[Operand], targets: Sequence[Operand]) -> list[tuple[Value, Value]]:
    checks.paired(("outputs", "targets"), outputs, targets, of="numbers or Values")
    return [(_finite(a, "outputs", i), _finite(y, "targets", i)) for i, (a, y) in enumerate(zip(outputs, targets))]


def _finite(x: object, name: str, i: int) -> Value:
    """`x` as a Value (a number becomes a leaf), if it is a finite real number or holds one."""
    if not isinstance(x, Value):
        if not isinstance(x, numbers.Real):
            raise TypeError(f"{name}[{i}] must be a real number or a Value, got {type(x).__name__}: {x!r}")
        x = Value(x)  # type: ignore[arg-type]  # Value takes any numbers.Real
    if not math.isfinite(x.data):
        raise ValueError(f"{name}[{i}] = {x.data!r} is not finite")
    return x


def _finite_cost(cost: Value, name: str) -> Value:
    """`cost` itself if finite; finite outputs and targets can still overflow the sum of squares."""
    if not math.isfinite(cost.data):
        raise OverflowError(f"{name}: the cost overflows a float ({cost.data!r}); the outputs or targets are too large")
    return cost


def half_sse(outputs: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """C = 1/2 sum_i (a_i - y_i)^2;  dC/da_i = a_i - y_i."""
    return _finite_cost(0.5 * sum_values([(a - y) ** 2 for a, y in _pairs(outputs, targets)]), "half_sse")


def mse(outputs: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """C = (1/n_L) sum_i (a_i - y_i)^2;  dC/da_i = 2 (a_i - y_i) / n_L."""
    pairs = _pairs(outputs, targets)
    return _finite_cost(sum_values([(a - y) ** 2 for a, y in pairs]) / len(pairs), "mse")


def bce(outputs: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """C = -sum_i [y_i ln a_i + (1 - y_i) ln(1 - a_i)];  dC/da_i = (a_i - y_i) / (a_i (1 - a_i)).

    Outputs must lie in [0, 1] and targets in [0, 1]. Each log is clamped at -100 (its derivative
    is 0 there), so outputs that round to exactly 0 or 1 give a finite cost and gradient.
    """
    pairs = _pairs(outputs, targets)
    check_bce_domain([a.data for a, _ in pairs], [y.data for _, y in pairs])
    return -sum_values([y * a.clamped_log() + (1.0 - y) * (1.0 - a).clamped_log() for a, y in pairs])


def check_bce_domain(outputs: Sequence[float], targets: Sequence[float]) -> None:
    """Raise `ValueError` naming the first output or target outside [0, 1], where bce is defined."""
    for name, values in (("outputs", outputs), ("targets", targets)):
        for i, v in enumerate(values):
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"bce: {name}[{i}] = {v!r} is outside [0, 1]")


COSTS: dict[str, Cost] = {"half_sse": half_sse, "mse": mse, "bce": bce}


def get_cost(name: str) -> Cost:
    """The cost function called `name`, else a `ValueError` listing the valid names."""
    if not isinstance(name, str) or name not in COSTS:
        raise ValueError(f"unknown cost {name!r}; expected one of {', '.join(map(repr, COSTS))}")
    return COSTS[name]


def mean_cost(costs: Sequence[Value]) -> Value:
    """cost_avg = (1/n) sum_s cost_s, the cost of a data set of n samples."""
    if isinstance(costs, (str, bytes)) or not isinstance(costs, Sequence):
        raise TypeError(f"costs must be a sequence of Values, got {type(costs).__name__}")
    if len(costs) == 0:
        raise ValueError("mean_cost needs at least one per-sample cost")
    for s, cost in enumerate(costs):
        if not isinstance(cost, Value):
            raise TypeError(f"costs[{s}] must be a Value, got {type(cost).__name__}: {cost!r}")
        if not math.isfinite(cost.data):
            raise ValueError(f"costs[{s}] = {cost.data!r} is not finite")
    return sum_values(list(costs)) / len(costs)


__all__ = ["COSTS", "Cost", "bce", "check_bce_domain", "get_cost", "half_sse", "mean_cost", "mse"]
