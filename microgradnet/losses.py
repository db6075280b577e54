"""Costs of one sample, C(a^L, y), built from `Value` operations, and the mean over a data set.

    mse            C = (1/n_L) sum_i (a_i - y_i)^2
    half_sse       C = 1/2 sum_i (a_i - y_i)^2
    bce            C = -sum_i [y_i ln a_i + (1 - y_i) ln(1 - a_i)],  logs clamped at -100 as in PyTorch
    cross_entropy  C = -sum_i y_i ln a_i = -ln a_y for a one-hot y (the log-likelihood), log clamped too

`outputs` may be `Value`s or numbers; `targets` are numbers (or `Value`s), for `cross_entropy`
also the class index y itself. Every output and target must be finite (`ValueError` naming it
otherwise), and a cost is finite or an error: a cost that overflows a float raises
`OverflowError`, so training never sees a silent `nan` or `inf`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

from microgradnet import checks
from microgradnet.engine import Operand, Value, softmax_cross_entropy, softmax_outputs_of, sum_values

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
        _check_unit_interval("bce", name, values)


def _check_unit_interval(cost: str, name: str, values: Sequence[float]) -> None:
    for i, v in enumerate(values):
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{cost}: {name}[{i}] = {v!r} is outside [0, 1]")


def cross_entropy(outputs: Sequence[Operand], targets: Sequence[Operand] | int) -> Value:
    """C = -sum_i y_i ln a_i = -ln a_y for a one-hot target y;  dC/da_i = -y_i / a_i.

    `targets` is one-hot (one 1, the rest 0) or the class index y (an int). The outputs must lie
    in [0, 1], as a softmax output's do; the log is clamped at -100 (its derivative 0 there), so
    a_y = 0 costs 100. The graph holds every y_i ln a_i, so one graph serves every class.

    On the whole output a = softmax(z) of a softmax layer, in order, the cost is instead the one
    node C = logsumexp(z) - sum_i y_i z_i (= -ln a_y, exactly, with no clamp): it reads the z's,
    so C stays finite and exact where a_y underflows to 0, and dC/dz_i = a_i - y_i.
    """
    if not isinstance(targets, Sequence):
        targets = _class_target(outputs, targets)
    pairs = _pairs(outputs, targets)
    check_cross_entropy_domain([a.data for a, _ in pairs], [y.data for _, y in pairs])
    z = softmax_outputs_of(outputs)
    if z is not None:
        return softmax_cross_entropy(z, [y for _, y in pairs])
    return -sum_values([y * a.clamped_log() for a, y in pairs])


def _class_target(outputs: Sequence[Operand], y: object) -> list[float]:
    """The one-hot target of the class index y, one number per output."""
    if isinstance(y, bool) or not isinstance(y, int):
        raise TypeError(f"targets must be a sequence of numbers or a class index (an int), got {type(y).__name__}")
    if isinstance(outputs, (str, bytes)) or not isinstance(outputs, Sequence):
        raise TypeError(f"outputs must be a sequence of numbers or Values, got {type(outputs).__name__}")
    return one_hot(y, len(outputs))


def one_hot(y: int, n_classes: int) -> list[float]:
    """The target of class y among n_classes: y_i = 1.0 for i = y, 0.0 elsewhere."""
    if not 0 <= y < n_classes:
        raise ValueError(f"class index {y} is out of range for {n_classes} classes")
    return [1.0 if i == y else 0.0 for i in range(n_classes)]


def check_cross_entropy_domain(outputs: Sequence[float], targets: Sequence[float]) -> None:
    """Raise `ValueError` naming an output outside [0, 1], or the targets if they are not one-hot."""
    _check_unit_interval("cross_entropy", "outputs", outputs)
    if sorted(targets) != [0.0] * (len(targets) - 1) + [1.0]:
        raise ValueError(f"cross_entropy: targets must be one-hot (one 1, the rest 0), got {list(targets)!r}")


COSTS: dict[str, Cost] = {"half_sse": half_sse, "mse": mse, "bce": bce, "cross_entropy": cross_entropy}


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
        checks.real(f"costs[{s}]", cost.data)
    return sum_values(list(costs)) / len(costs)


__all__ = [
    "COSTS",
    "Cost",
    "bce",
    "check_bce_domain",
    "check_cross_entropy_domain",
    "cross_entropy",
    "get_cost",
    "half_sse",
    "mean_cost",
    "mse",
    "one_hot",
]
