"""`Value`, a scalar in a computation graph, and `backward()`, reverse-mode differentiation.

A `Value` holds a float and, if an operation made it, that operation's name (`op`), its
parents and the local derivative of its output with respect to each parent (the chain-rule
factor along that edge), recorded when the node is made. `backward()` walks the graph once in
reverse topological order and adds `dC/dnode` into every node's `grad`.

Where the rest lives: every operation's forward rule and local derivatives are one row of
the derivative table in `microgradnet.operations`; the `no_grad()` and `detect_anomaly()`
modes are in `microgradnet.modes`; the topological sort is in `microgradnet.toposort`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import TypeAlias

from microgradnet.modes import (
    OPEN,
    AnomalyError,
    detect_anomaly,
    is_anomaly_enabled,
    is_grad_enabled,
    leaf_or_check,
    no_grad,
)
from microgradnet.operations import LOG_FLOOR, OPERATIONS, SOFTMAX, SOFTMAX_CROSS_ENTROPY, WEIGHTED_SUM, Operation
from microgradnet.toposort import topological_order

Number: TypeAlias = "int | float"
Operand: TypeAlias = "Value | int | float"


def _as_float(data: object, what: str) -> float:
    """`data` as a float if it is a real number (`bool` and numpy scalars too), else the error naming `what`."""
    if type(data) is float:
        return data
    if isinstance(data, numbers.Real):
        try:
            return float(data)
        except OverflowError:
            raise OverflowError(f"{what}: {type(data).__name__} too large for a float (above 1.8e308)") from None
    raise TypeError(f"{what} must be a real number (int, float), got {type(data).__name__}: {data!r}")


def _is_number(x: object) -> bool:
    return type(x) is float or type(x) is int or isinstance(x, numbers.Real)  # the ABC check is slow


class Value:
    """A scalar in a computation graph: `data`, `grad = dC/dnode`, and how it was made.

    `op` is `""` for a leaf, else the row of `operations.TABLE` that made the node; `parents`
    are its operands and `local_grads[i]` the local derivative `d self / d parents[i]`;
    `constant` is the number c of `x ** c` and `c ** y` (the index j of a softmax output). Values
    hash by identity.
    """

    # How a node holds its parents and their local derivatives. Most operations have one or two
    # operands: those live in slots named like the table's parents, `_x` (and `_y`) with `_d_dx`
    # (and `_d_dy`), so such a node needs no tuple (144 bytes with its float, where two tuples
    # made it 224). A leaf and a node of groups (`w·a+b`, `sum`) have `_x = None` and hold
    # tuples in `_parents` and `_local_grads` (empty for a leaf). Slots a layout does not use
    # stay unset; `parents` and `local_grads` read every node the same way.
    __slots__ = (
        "__weakref__",
        "_c",
        "_d_dx",
        "_d_dy",
        "_data",
        "_grad",
        "_local_grads",
        "_parents",
        "_x",
        "_y",
        "label",
        "op",
    )

    _data: float
    _grad: float
    op: str
    label: str
    _x: Value | None
    _y: Value | None
    _d_dx: float
    _d_dy: float
    _c: float | None
    _parents: tuple[Value, ...]
    _local_grads: tuple[float, ...]

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self._data = _as_float(data, "Value data")
        self._grad = 0.0
        self.label = label
        self.op = ""
        self._x = None
        self._parents = ()
        self._local_grads = ()

    # `data` and `grad` are checked where they are assigned, so every float operation can trust
    # them. The engine itself reads and writes the slots `_data` and `_grad`, which costs no call.
    @property
    def data(self) -> float:
        """The number this node holds; assigning a real number stores it as a float."""
        return self._data

    @data.setter
    def data(self, value: float) -> None:
        self._data = value if type(value) is float else _as_float(value, "Value.data")

    @property
    def grad(self) -> float:
        """dC/dnode, added into by `backward()`; assigning a real number stores it as a float."""
        return self._grad

    @grad.setter
    def grad(self, value: float) -> None:
        self._grad = value if type(value) is float else _as_float(value, "Value.grad")

    @property
    def parents(self) -> tuple[Value, ...]:
        """The operands that made this node, in order; () for a leaf."""
        x = self._x
        if x is None:
            return self._parents
        y = self._y
        return (x,) if y is None else (x, y)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """`local_grads[i] = d self / d parents[i]`, recorded when the node was made; () for a leaf."""
        if self._x is None:
            return self._local_grads
        return (self._d_dx,) if self._y is None else (self._d_dx, self._d_dy)

    @property
    def constant(self) -> float | None:
        """The number c of a node `x ** c` or `c ** y`, or the index j of a softmax output (not a
        parent), else None."""
        if self._x is None:
            return self._c if self._parents else None
        return self._c if self._y is None else None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data!r}, grad={self._grad!r}, op={self.op!r}{label})"

    # -- operators: a Value or a plain number on either side (a number becomes a leaf) --

    def __add__(self, other: Operand) -> Value:
        return _two_parents("+", self, other)

    def __radd__(self, other: Operand) -> Value:
        return _two_parents("+", other, self)

    def __sub__(self, other: Operand) -> Value:
        return _two_parents("-", self, other)

    def __rsub__(self, other: Operand) -> Value:
        return _two_parents("-", other, self)

    def __mul__(self, other: Operand) -> Value:
        return _two_parents("*", self, other)

    def __rmul__(self, other: Operand) -> Value:
        return _two_parents("*", other, self)

    def __truediv__(self, other: Operand) -> Value:
        return _two_parents("/", self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return _two_parents("/", other, self)

    def __pow__(self, exponent: Operand) -> Value:
        """`x ** y`; a number exponent is a constant c, not a node (d/dc may not exist)."""
        if type(exponent) is Value:
            return _two_parents("**", self, exponent)
        if not _is_number(exponent):
            return NotImplemented
        return _one_parent("x**c", self, _as_float(exponent, "**"))

    def __rpow__(self, base: Operand) -> Value:
        """`number ** y`; the number base is a constant c, not a node."""
        if not _is_number(base):
            return NotImplemented
        return _one_parent("c**y", self, _as_float(base, "**"))

    def __neg__(self) -> Value:
        return _one_parent("neg", self)

    def exp(self) -> Value:
        return _one_parent("exp", self)

    def log(self) -> Value:
        return _one_parent("log", self)

    def tanh(self) -> Value:
        return _one_parent("tanh", self)

    def sigmoid(self) -> Value:
        return _one_parent("sigmoid", self)

    def relu(self) -> Value:
        return _one_parent("relu", self)

    def identity(self) -> Value:
        """A new node equal to this one (the "linear" activation): d out/dx = 1."""
        return _one_parent("identity", self)

    def clamped_log(self) -> Value:
        """max(ln x, -100) with derivative 1/x above the floor and 0 on it (for cross-entropy)."""
        return _one_parent("clamped_log", self)

    # -- reverse mode --

    def backward(self) -> None:
        """Add `d self / d node` into `grad` of every node `self` depends on (self included).

        One pass in reverse topological order: each node's gradient of *this* pass is complete
        before it is passed on, `g_parent += g_node * local_grad`. Gradients of this pass are
        kept apart from `grad`, so calling `backward()` twice gives exactly twice the gradients,
        interior nodes included, as in PyTorch.
        """
        order = topological_order(self)
        # This pass accumulates in `grad` itself (a slot is cheaper than a dict keyed by Values);
        # the gradients of earlier passes wait in `earlier` and are added back at the end, which
        # gives the same floats as adding each finished pass gradient to them.
        earlier = [(node, node._grad) for node in order if node._grad]
        for node, _ in earlier:
            node._grad = 0.0
        self._grad = 1.0
        try:
            if OPEN.count and is_anomaly_enabled():
                _propagate_checked(order)
            else:
                _propagate(order)
        except BaseException:
            for node in order:  # leave every grad as it was before this call
                node._grad = 0.0
            raise
        finally:
            for node, grad in earlier:
                node._grad += grad


def _propagate(order: list[Value]) -> None:
    """The loop of `backward()`: in reverse topological order, g_parent += g_node * local_grad."""
    for node in reversed(order):
        x = node._x
        if x is not None:  # one or two operands, in slots
            g = node._grad
            x._grad += g * node._d_dx
            y = node._y
            if y is not None:
                y._grad += g * node._d_dy
        else:  # a leaf (no parents) or a node of groups
            g = node._grad
            for parent, local_grad in zip(node._parents, node._local_grads):
                parent._grad += g * local_grad


def _propagate_checked(order: list[Value]) -> None:
    """The loop of `backward()` under `detect_anomaly()`: `AnomalyError` at the first non-finite gradient."""
    for node in reversed(order):
        g = node._grad
        for i, (parent, local_grad) in enumerate(zip(node.parents, node.local_grads)):
            contribution = g * local_grad
            parent._grad += contribution
            if not (math.isfinite(contribution) and math.isfinite(parent._grad)):
                name = f" {node.label!r}" if node.label else ""
                raise AnomalyError(
                    f"detect_anomaly: backward through {node.op!r}{name} (data {node._data!r}) gave parent {i} "
                    f"(data {parent._data!r}) the contribution {g!r} * {local_grad!r} = {contribution!r}; "
                    f"its gradient is now {parent._grad!r}"
                )


# --- making nodes: each applies one row of the table -------------------------------------
# Each constructor sets its slots itself: a shared helper would cost a call per node (4% of
# the benchmark's forward pass).

_new_value = object.__new__


def _leaf(data: float) -> Value:
    """A node no operation made (also every result under `no_grad`)."""
    out: Value = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out.label = ""
    out.op = ""
    out._x = None
    out._parents = ()
    out._local_grads = ()
    return out


def _one_parent(op: str, x: Value, c: float | None = None) -> Value:
    """The node out = op(x) (or op(x, c) for a constant c) from the row `OPERATIONS[op]`."""
    forward, (d_dx,) = OPERATIONS[op].functions
    data = x._data
    value = forward(data, c)
    if OPEN.count and leaf_or_check(op, (data,) if c is None else (data, c), value):
        return _leaf(value)
    out: Value = _new_value(Value)
    out._data = value
    out._grad = 0.0
    out.label = ""
    out.op = op
    out._x = x
    out._y = None
    out._d_dx = d_dx(data, c, value)
    out._c = c
    return out


def _two_parents(op: str, x: Operand, y: Operand) -> Value:
    """The node out = x op y from the row `OPERATIONS[op]`; a number operand becomes a leaf."""
    if type(x) is not Value:
        if not _is_number(x):
            return NotImplemented  # type: ignore[no-any-return]  # lets Python raise its TypeError
        x = _leaf(_as_float(x, op))
    if type(y) is not Value:
        if not _is_number(y):
            return NotImplemented  # type: ignore[no-any-return]
        y = _leaf(_as_float(y, op))
    forward, (d_dx, d_dy) = OPERATIONS[op].functions
    x_data, y_data = x._data, y._data
    value = forward(x_data, y_data)
    if OPEN.count and leaf_or_check(op, (x_data, y_data), value):
        return _leaf(value)
    out: Value = _new_value(Value)
    out._data = value
    out._grad = 0.0
    out.label = ""
    out.op = op
    out._x = x
    out._y = y
    out._d_dx = d_dx(x_data, y_data, value)
    out._d_dy = d_dy(x_data, y_data, value)
    return out


def _group_node(
    value: float, op: str, parents: tuple[Value, ...], local_grads: tuple[float, ...], index: int | None = None
) -> Value:
    """The node of a row with groups of parents (`w·a+b`, `sum`), its parents flat in the row's order
    (and the index j it holds, for a softmax output)."""
    out: Value = _new_value(Value)
    out._c = index
    out._data = value
    out._grad = 0.0
    out.label = ""
    out.op = op
    out._x = None
    out._parents = parents
    out._local_grads = local_grads
    return out


def apply_unary(op: str, x: Value) -> Value:
    """The node `op(x)` from the one-parent row `OPERATIONS[op]` (e.g. "tanh")."""
    return _one_parent(op, x)


def as_value(x: Operand) -> Value:
    """`x` itself if it is a `Value`, else a new leaf holding the number `x`."""
    return x if type(x) is Value else Value(x)  # type: ignore[arg-type]


def weighted_sum(weights: Sequence[Value], inputs: Sequence[Value], bias: Value) -> Value:
    """z = sum_k w_k a_k + b as one node (the row "w·a+b")."""
    (z,) = weighted_sums([weights], inputs, [bias])
    return z


def weighted_sums(weights: Sequence[Sequence[Value]], inputs: Sequence[Value], biases: Sequence[Value]) -> list[Value]:
    """A layer's z^l = W^l a^(l-1) + b^l: z_j = sum_k w_jk a_k + b_j as one `weighted_sum` node per row j.

    The inputs' data are read once for all rows, as a layer's neurons all read the same inputs.
    """
    forward, (local_grads,) = OPERATIONS[WEIGHTED_SUM].functions
    try:
        if len(weights) != len(biases):
            raise ValueError(f"{WEIGHTED_SUM}: {len(weights)} rows of weights for {len(biases)} biases")
        inputs = tuple(inputs)
        a = [a_k._data for a_k in inputs]
        rows = []
        for w_j, b_j in zip(weights, biases):
            if len(w_j) != len(a):
                raise ValueError(f"{WEIGHTED_SUM}: {len(w_j)} weights for {len(a)} inputs")
            w = [w_jk._data for w_jk in w_j]
            b = b_j._data
            rows.append((w_j, w, b_j, b, forward(w, a, b)))
    except (AttributeError, TypeError):
        raise TypeError(
            f"{WEIGHTED_SUM}: weights and inputs must be sequences of Values and each bias a Value, all holding floats"
        ) from None
    if OPEN.count and any([leaf_or_check(WEIGHTED_SUM, (*w, *a, b), z) for _, w, _, b, z in rows]):
        return [_leaf(z) for *_, z in rows]
    return [_group_node(z, WEIGHTED_SUM, (*w_j, *inputs, b_j), local_grads(w, a, b, z)) for w_j, w, b_j, b, z in rows]


def sum_values(values: Sequence[Value]) -> Value:
    """s = sum_k v_k as one node (the row "sum"): exact, see `operations.exact_sum`."""
    forward, (local_grads,) = OPERATIONS["sum"].functions
    try:
        parents = tuple(values)
        data = [v._data for v in parents]
        total = forward(data)
    except (AttributeError, TypeError):
        raise TypeError("sum: values must be a sequence of Values holding floats") from None
    if OPEN.count and leaf_or_check("sum", data, total):
        return _leaf(total)
    return _group_node(total, "sum", parents, local_grads(data, total))


def _data_of(values: Sequence[Value], op: str, what: str) -> tuple[tuple[Value, ...], list[float]]:
    """The Values of a group and their data; `TypeError` naming `op` if they are not Values."""
    try:
        parents = tuple(values)
        return parents, [v._data for v in parents]
    except (AttributeError, TypeError):
        raise TypeError(f"{op}: {what} must be a sequence of Values holding floats") from None


def softmax(z: Sequence[Value]) -> list[Value]:
    """a_j = e^(z_j - m) / sum_k e^(z_k - m), m = max_k z_k (the row "softmax"): one node per output
    j, whose parents are every z_k and whose local derivatives are da_j/dz_k = a_j ([j = k] - a_k)."""
    forward, (local_grads,) = OPERATIONS[SOFTMAX].functions
    parents, data = _data_of(z, SOFTMAX, "z")
    a = [forward(data, j) for j in range(len(data))]
    if OPEN.count and any([leaf_or_check(SOFTMAX, data, a_j) for a_j in a]):
        return [_leaf(a_j) for a_j in a]
    return [_group_node(a_j, SOFTMAX, parents, local_grads(data, j, a_j), j) for j, a_j in enumerate(a)]


def softmax_outputs_of(a: Sequence[Operand]) -> tuple[Value, ...] | None:
    """The z of a = softmax(z) if `a` is a whole softmax output, every node in order; else None."""
    nodes = [a_j for a_j in a if type(a_j) is Value and a_j.op == SOFTMAX]
    if not nodes or len(nodes) != len(a):
        return None
    z = nodes[0].parents
    if all(a_j.parents == z for a_j in nodes) and [a_j.constant for a_j in nodes] == list(range(len(z))):
        return z
    return None


def softmax_cross_entropy(z: Sequence[Value], y: Sequence[Value]) -> Value:
    """C = -ln softmax(z)_y = logsumexp(z) - sum_k y_k z_k for a one-hot y, as one node (the row
    "softmax_cross_entropy"): finite where a_y underflows to 0, and dC/dz_k = a_k - y_k."""
    forward, (local_grads,) = OPERATIONS[SOFTMAX_CROSS_ENTROPY].functions
    z_parents, z_data = _data_of(z, SOFTMAX_CROSS_ENTROPY, "z")
    y_parents, y_data = _data_of(y, SOFTMAX_CROSS_ENTROPY, "y")
    if len(z_data) != len(y_data):
        raise ValueError(f"{SOFTMAX_CROSS_ENTROPY}: {len(z_data)} z for {len(y_data)} targets")
    cost = forward(z_data, y_data)
    if OPEN.count and leaf_or_check(SOFTMAX_CROSS_ENTROPY, (*z_data, *y_data), cost):
        return _leaf(cost)
    return _group_node(cost, SOFTMAX_CROSS_ENTROPY, (*z_parents, *y_parents), local_grads(z_data, y_data, cost))


__all__ = [
    "LOG_FLOOR",
    "WEIGHTED_SUM",
    "AnomalyError",
    "Number",
    "Operand",
    "Operation",
    "Value",
    "apply_unary",
    "as_value",
    "detect_anomaly",
    "is_grad_enabled",
    "no_grad",
    "softmax",
    "softmax_cross_entropy",
    "softmax_outputs_of",
    "sum_values",
    "topological_order",
    "weighted_sum",
    "weighted_sums",
]
