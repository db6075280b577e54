"""Costs of one sample, C(a^L, y), built from `Value` operations, and the mean over a data set.

    mse       C = (1/n_L) sum_i (a_i - y_i)^2
    half_sse  C = 1/2 sum_i (a_i - y_i)^2
    bce       C = -sum_i [y_i ln a_i + (1 - y_i) ln(1 - a_i)],  logs clamped at -100 as in PyTorch

`outputs` may be `Value`s or numbers; `targets` are numbers (or `Value`s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from microgradnet.engine import Operand, Value, as_value, sum_values

Cost = Callable[[Sequence[Operand], Sequence[Operand]], Value]


def _pairs(outputs: Sequence[Operand], targets: Sequence[Operand]) -> list[tuple[Value, Value]]:
    for name, seq in (("outputs", outputs), ("targets", targets)):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence):
            raise TypeError(f"{name} must be a sequence of numbers or Values, got {type(seq).__name__}")
    if len(outputs) != len(targets):
        raise ValueError(f"outputs and targets differ in length: {len(outputs)} outputs, {len(targets)} targets")
    if len(outputs) == 0:
        raise ValueError("outputs and targets are empty")
    return [(as_value(a), as_value(y)) for a, y in zip(outputs, targets)]


def half_sse(outputs: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """C = 1/2 sum_i (a_i - y_i)^2;  dC/da_i = a_i - y_i."""
    return 0.5 * sum_values([(a - y) ** 2 for a, y in _pairs(outputs, targets)])


def mse(outputs: Sequence[Operand], targets: Sequence[Operand]) -> Value:
    """C = (1/n_L) sum_i (a_i - y_i)^2;  dC/da_i = 2 (a_i - y_i) / n_L."""
    pairs = _pairs(outputs, targets)
    return sum_values([(a - y) ** 2 for a, y in pairs]) / len(pairs)


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
    if len(costs) == 0:
        raise ValueError("mean_cost needs at least one per-sample cost")
    return sum_values(list(costs)) / len(costs)


__all__ = ["COSTS", "Cost", "bce", "check_bce_domain", "get_cost", "half_sse", "mean_cost", "mse"]
