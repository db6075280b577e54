"""The scalar autograd engine: `Value`, its derivative table, and reverse-mode `backward`.

A `Value` holds a float and, if an operation made it, that operation's name, its parents and
the local derivative of its output with respect to each parent (the chain-rule factor along
that edge). `backward()` walks the graph once in reverse topological order and adds
`dC/dnode` into every node's `grad`.

Every operation's forward rule and local derivatives live in one table, `DERIVATIVES`, so a
reader can check each row against calculus.
"""

from __future__ import annotations

import math
import numbers
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from fractions import Fraction
from typing import TypeAlias

Number: TypeAlias = "int | float"
WEIGHTED_SUM = "w·a+b"
Operand: TypeAlias = "Value | int | float"


# --- forward rules that can leave the reals: each raises an error naming the operation -----


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: e**{x!r} overflows a float (the argument must be <= 709.78)") from None


def _log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: argument must be positive, got {x!r}")
    return math.log(x)


LOG_FLOOR = -100.0


def _clamped_log(x: float) -> float:
    """max(ln x, -100), as PyTorch's binary cross-entropy clamps its logs; ln 0 is -100."""
    if x < 0.0:
        raise ValueError(f"clamped_log: argument must be non-negative, got {x!r}")
    return LOG_FLOOR if x == 0.0 else max(math.log(x), LOG_FLOOR)  # nan stays nan


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows: sigmoid(-1000) is 0.0, sigmoid(1000) is 1.0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _relu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # nan stays nan, as in PyTorch


def _div(x: float, y: float) -> float:
    if y == 0.0:
        raise ZeroDivisionError(f"/: division by zero ({x!r} / {y!r})")
    return x / y


def _pow(x: float, y: float) -> float:
    if x < 0.0 and not y.is_integer():
        raise ValueError(f"**: negative base {x!r} with fractional exponent {y!r} has no real result")
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"**: 0.0 cannot be raised to the negative power {y!r}")
    try:
        return float(x**y)
    except OverflowError:
        raise OverflowError(f"**: {x!r} ** {y!r} overflows a float") from None


def _finite_slope(slope: float, which: str, x: float, y: float) -> float:
    """`slope`, a local derivative of x**y; `OverflowError` if finite x and y gave an infinite one."""
    if slope - slope != 0.0 and math.isfinite(x) and math.isfinite(y):  # slope - slope is 0.0 for a finite slope
        raise OverflowError(f"**: {which} overflows a float at x = {x!r}, y = {y!r}")
    return slope


def _pow_dbase(x: float, y: float, out: float) -> float:
    """d(x**y)/dx = y * x**(y-1); infinite at x = 0 for 0 < y < 1, which is an error here."""
    if y == 0.0:
        return 0.0
    if x == 0.0:
        if y < 1.0:
            raise ZeroDivisionError(f"**: d(x**{y!r})/dx is infinite at x = 0.0")
        return y * math.pow(x, y - 1.0)  # 1 for y = 1, else 0
    try:
        slope = y * math.pow(x, y - 1.0)
    except OverflowError:  # x**(y-1) alone is too large for a float, y * x**y / x may not be
        slope = y * out / x
    return _finite_slope(slope, "d(x**y)/dx = y * x**(y-1)", x, y)


def _pow_dexponent(x: float, y: float, out: float) -> float:
    """d(x**y)/dy = x**y * ln x; 0 at x = 0 (as in PyTorch), undefined for a negative base."""
    if x == 0.0:
        return 0.0
    if x < 0.0:
        raise ValueError(
            f"**: d(x**y)/dy = x**y * ln(x) is undefined for the negative base {x!r}; "
            "use a number exponent, which is a constant"
        )
    return _finite_slope(out * math.log(x), "d(x**y)/dy = x**y * ln(x)", x, y)


def _exact(terms: Iterable[Fraction], op: str, what: str) -> float:
    """The exact sum of `terms` rounded once to a float; `OverflowError` naming `op` if it is too large."""
    try:
        return float(sum(terms, Fraction(0)))
    except OverflowError:
        raise OverflowError(f"{op}: {what} overflows a float") from None


def affine(w: Sequence[float], a: Sequence[float], b: float) -> float:
    """z = sum_k w_k a_k + b, in floats; where that overflows for finite operands, the exact z rounded once.

    So finite operands never give `nan` (an overflowed w_k a_k minus another), only a finite z
    or `OverflowError`.
    """
    z = sum(map(operator.mul, w, a), b)
    if z - z == 0.0:  # finite, the common case (no call)
        return z
    if not all(map(math.isfinite, (*w, *a, b))):
        return z  # inf and nan propagate as through * and +
    terms = [Fraction(w_k) * Fraction(a_k) for w_k, a_k in zip(w, a)] + [Fraction(b)]
    return _exact(terms, WEIGHTED_SUM, f"the weighted sum of these {len(w)} finite terms")


# --- the derivative table -------------------------------------------------------------------
# One row per operation: (forward rule, local derivative with respect to each operand).
# x (and y) are the operands' data, out is the result; local derivatives reuse `out`
# where calculus allows.
UnaryRule = tuple[Callable[[float], float], tuple[Callable[[float, float], float]]]
BinaryRule = tuple[Callable[[float, float], float], tuple[Callable[[float, float, float], float], ...]]

# fmt: off
UNARY: dict[str, UnaryRule] = {
    #  op          forward      d out/dx
    "neg":     (lambda x: -x, (lambda x, out: -1.0,),),
    "exp":     (_exp,         (lambda x, out: out,),),               # (e^x)'      = e^x
    "log":     (_log,         (lambda x, out: 1.0 / x,),),           # (ln x)'     = 1/x
    "tanh":    (math.tanh,    (lambda x, out: 1.0 - out * out,),),   # (tanh x)'   = 1 - tanh^2 x
    "sigmoid": (_sigmoid,     (lambda x, out: out * (1.0 - out),),), # sigma'(x)   = sigma (1 - sigma)
    "relu":    (_relu,        (lambda x, out: 1.0 if x > 0.0 else 0.0,),),  # 0 at x = 0, as in PyTorch
    "identity": (lambda x: x, (lambda x, out: 1.0,),),              # the "linear" activation
    "clamped_log": (_clamped_log, (lambda x, out: 1.0 / x if out > LOG_FLOOR else 0.0,),),  # flat below the floor
}

BINARY: dict[str, BinaryRule] = {
    #  op     forward                  d out/dx                          d out/dy
    "+":  (lambda x, y: x + y, (lambda x, y, out: 1.0,     lambda x, y, out: 1.0)),
    "-":  (lambda x, y: x - y, (lambda x, y, out: 1.0,     lambda x, y, out: -1.0)),
    "*":  (lambda x, y: x * y, (lambda x, y, out: y,       lambda x, y, out: x)),
    "/":  (_div,               (lambda x, y, out: 1.0 / y, lambda x, y, out: -out / y)),
    "**": (_pow,               (_pow_dbase,                _pow_dexponent)),
}
# fmt: on

# Two n-ary operations complete the table (their code is at the end of this module):
#   "w·a+b"  (`weighted_sum`): z = sum_k w_k a_k + b,  dz/dw_k = a_k,  dz/da_k = w_k,  dz/db = 1
#   "sum"    (`sum_values`):   s = sum_i v_i,          ds/dv_i = 1


# --- per-thread modes -----------------------------------------------------------------


class _ThreadModes(threading.local):
    """This thread's modes; each starts off in every thread."""

    no_grad: bool = False
    detect_anomaly: bool = False


class _OpenContexts:
    """How many contexts of each mode are open, over all threads.

    The operations test these counts before the (slower) thread-local flags, so while no thread
    is inside `no_grad()` or `detect_anomaly()` a mode costs one attribute read per operation.
    """

    __slots__ = ("detect_anomaly", "no_grad")

    def __init__(self) -> None:
        self.no_grad = 0
        self.detect_anomaly = 0


_modes = _ThreadModes()
_open = _OpenContexts()
_open_lock = threading.Lock()


@contextmanager
def _thread_mode(name: str) -> Iterator[None]:
    """Turn this thread's mode `name` on for the block; leaving it (also by an error) restores it."""
    previous = getattr(_modes, name)
    setattr(_modes, name, True)
    with _open_lock:
        setattr(_open, name, getattr(_open, name) + 1)
    try:
        yield
    finally:
        setattr(_modes, name, previous)
        with _open_lock:
            setattr(_open, name, getattr(_open, name) - 1)


def no_grad() -> AbstractContextManager[None]:
    """Inside this context operations record no parents: results are leaves (cheap inference).

    The switch is per thread, as in PyTorch, so one thread's `no_grad` never affects another's.
    """
    return _thread_mode("no_grad")


def is_grad_enabled() -> bool:
    """Whether operations in this thread record their parents."""
    return not (_open.no_grad and _modes.no_grad)


class AnomalyError(FloatingPointError):
    """Under `detect_anomaly()`: an operation or a gradient became nan or infinite."""


def detect_anomaly() -> AbstractContextManager[None]:
    """Inside this context a nan or an infinity raises `AnomalyError` where it first appears.

    Forward: the first operation whose result is not finite raises, naming the operation, its
    inputs and its output. Backward: the first edge whose gradient contribution
    `g_node * d node/d parent` (or the parent's sum of them) is not finite raises, naming the
    operation and the factors; every `grad` is then left as it was before `backward()`.
    Outside the context nan and inf propagate silently, as floats do. Per thread, like `no_grad`.
    """
    return _thread_mode("detect_anomaly")


def _check_forward(op: str, inputs: Sequence[float], out: float) -> None:
    """Under `detect_anomaly()` in this thread, `AnomalyError` if `op` made a nan or an infinity."""
    if _modes.detect_anomaly and not math.isfinite(out):
        raise AnomalyError(f"detect_anomaly: {op!r} produced {out!r} from the inputs {list(inputs)!r}")


# --- Value ------------------------------------------------------------------------------


def _as_float(data: object, what: str = "Value data") -> float:
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


_new_value = object.__new__

# How a node holds its parents and their local derivatives. Most operations have one or two
# operands: those live in slots named like the table's columns, `_x` (and `_y`) with `_d_dx`
# (and `_d_dy`), so such a node needs no tuple (144 bytes with its float, where two tuples made
# it 224). A leaf and an n-ary node (`weighted_sum`, `sum_values`) have `_x = None` and hold
# tuples in `_parents` and `_local_grads` (empty for a leaf). `parents` and `local_grads` read
# every node the same way. Slots a layout does not use stay unset. Each constructor below sets
# its slots itself: a shared helper for the first four would cost a call per node (4% of W1's forward).


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


def _unary_node(data: float, op: str, x: Value, d_dx: float) -> Value:
    """The node out = op(x), with d out/dx."""
    out: Value = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out.label = ""
    out.op = op
    out._x = x
    out._y = None
    out._d_dx = d_dx
    return out


def _binary_node(data: float, op: str, x: Value, y: Value, d_dx: float, d_dy: float) -> Value:
    """The node out = x op y, with d out/dx and d out/dy."""
    out: Value = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out.label = ""
    out.op = op
    out._x = x
    out._y = y
    out._d_dx = d_dx
    out._d_dy = d_dy
    return out


def _nary_node(data: float, op: str, parents: tuple[Value, ...], local_grads: tuple[float, ...]) -> Value:
    """The node out = op(*parents), with local_grads[i] = d out/d parents[i]."""
    out: Value = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out.label = ""
    out.op = op
    out._x = None
    out._parents = parents
    out._local_grads = local_grads
    return out


class Value:
    """A scalar in a computation graph: `data`, `grad = dC/dnode`, and how it was made.

    `op` is `""` for a leaf, `parents` the operands that made this node and `local_grads[i]`
    the local derivative `d self / d parents[i]`, recorded when the node is made. Values hash
    by identity.
    """

    __slots__ = (
        "__weakref__",
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

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self._data!r}, grad={self._grad!r}, op={self.op!r}{label})"

    # -- applying the table --

    def _binary(self, op: str, other: Operand, reflected: bool = False) -> Value:
        """The node `self op other` (or `other op self`) from the row `BINARY[op]`."""
        if type(other) is not Value:
            if not _is_number(other):
                return NotImplemented  # type: ignore[no-any-return]  # lets Python raise its TypeError
            other = _leaf(_as_float(other))
        left, right = (other, self) if reflected else (self, other)
        forward, (d_dx, d_dy) = BINARY[op]
        x, y = left._data, right._data
        out = forward(x, y)
        if _open.detect_anomaly:
            _check_forward(op, (x, y), out)
        if _open.no_grad and _modes.no_grad:
            return _leaf(out)
        return _binary_node(out, op, left, right, d_dx(x, y, out), d_dy(x, y, out))

    # -- operators: a Value or a plain number on either side --

    def __add__(self, other: Operand) -> Value:
        return self._binary("+", other)

    def __radd__(self, other: Operand) -> Value:
        return self._binary("+", other, reflected=True)

    def __sub__(self, other: Operand) -> Value:
        return self._binary("-", other)

    def __rsub__(self, other: Operand) -> Value:
        return self._binary("-", other, reflected=True)

    def __mul__(self, other: Operand) -> Value:
        return self._binary("*", other)

    def __rmul__(self, other: Operand) -> Value:
        return self._binary("*", other, reflected=True)

    def __truediv__(self, other: Operand) -> Value:
        return self._binary("/", other)

    def __rtruediv__(self, other: Operand) -> Value:
        return self._binary("/", other, reflected=True)

    def __pow__(self, exponent: Operand) -> Value:
        """`x ** y`; a number exponent is a constant, not a node (its derivative may not exist)."""
        if type(exponent) is Value:
            return self._binary("**", exponent)
        if not _is_number(exponent):
            return NotImplemented
        y = _as_float(exponent)
        forward, (d_dbase, _) = BINARY["**"]
        x = self._data
        out = forward(x, y)
        op = f"**{int(y) if y.is_integer() else y}"  # carries y exactly: float(op[2:]) == y (compiler.py reads it)
        if _open.detect_anomaly:
            _check_forward(op, (x,), out)
        if _open.no_grad and _modes.no_grad:
            return _leaf(out)
        return _unary_node(out, op, self, d_dbase(x, y, out))

    def __rpow__(self, base: Operand) -> Value:
        """`number ** y`; the number base is a constant, not a node."""
        if not _is_number(base):
            return NotImplemented
        x = _as_float(base)
        forward, (_, d_dexponent) = BINARY["**"]
        y = self._data
        out = forward(x, y)
        op = f"{int(x) if x.is_integer() else x}**"  # carries x exactly: float(op[:-2]) == x
        if _open.detect_anomaly:
            _check_forward(op, (y,), out)
        if _open.no_grad and _modes.no_grad:
            return _leaf(out)
        return _unary_node(out, op, self, d_dexponent(x, y, out))

    def __neg__(self) -> Value:
        return apply_unary("neg", self)

    def exp(self) -> Value:
        return apply_unary("exp", self)

    def log(self) -> Value:
        return apply_unary("log", self)

    def tanh(self) -> Value:
        return apply_unary("tanh", self)

    def sigmoid(self) -> Value:
        return apply_unary("sigmoid", self)

    def relu(self) -> Value:
        return apply_unary("relu", self)

    def identity(self) -> Value:
        """A new node equal to this one (the "linear" activation): d out/dx = 1."""
        return apply_unary("identity", self)

    def clamped_log(self) -> Value:
        """max(ln x, -100) with derivative 1/x above the floor and 0 on it (for cross-entropy)."""
        return apply_unary("clamped_log", self)

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
            if _open.detect_anomaly and _modes.detect_anomaly:
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
        else:  # a leaf (no parents) or an n-ary node
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


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, each after all of its parents; iterative, so any depth works."""
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: root must be a Value, got {type(root).__name__}")
    order: list[Value] = []
    visited = {root}
    # The path from root to the node being explored, and an iterator over each one's parents;
    # two lists rather than a list of pairs, so a deep graph leaves fewer objects for gc to walk.
    path = [root]
    pending = [iter(root.parents)]
    while pending:
        for parent in pending[-1]:
            if parent not in visited:
                visited.add(parent)
                # parent.parents, read from the slots here: the property call would cost 10% of the sort
                x = parent._x
                if x is None:
                    grandparents = parent._parents
                else:
                    y = parent._y
                    grandparents = (x,) if y is None else (x, y)
                if grandparents:
                    path.append(parent)
                    pending.append(iter(grandparents))
                    break
                order.append(parent)  # a leaf is finished as soon as it is found
        else:  # every parent of path[-1] is in order
            pending.pop()
            order.append(path.pop())
    return order


def apply_unary(op: str, x: Value) -> Value:
    """The node `op(x)` from the row `UNARY[op]` of the derivative table."""
    forward, (derivative,) = UNARY[op]
    data = x._data
    out = forward(data)
    if _open.detect_anomaly:
        _check_forward(op, (data,), out)
    if _open.no_grad and _modes.no_grad:
        return _leaf(out)
    return _unary_node(out, op, x, derivative(data, out))


def as_value(x: Operand) -> Value:
    """`x` itself if it is a `Value`, else a new leaf holding the number `x`."""
    return x if type(x) is Value else Value(x)  # type: ignore[arg-type]


def weighted_sum(weights: Sequence[Value], inputs: Sequence[Value], bias: Value) -> Value:
    """z = sum_k w_k a_k + b as one node; dz/dw_k = a_k, dz/da_k = w_k, dz/db = 1."""
    (z,) = weighted_sums([weights], inputs, [bias])
    return z


def weighted_sums(weights: Sequence[Sequence[Value]], inputs: Sequence[Value], biases: Sequence[Value]) -> list[Value]:
    """A layer's z^l = W^l a^(l-1) + b^l: z_j = sum_k w_jk a_k + b_j as one `weighted_sum` node per row j.

    The inputs' data are read once for all rows, as a layer's neurons all read the same inputs.
    """
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
            rows.append((w_j, w, b_j, affine(w, a, b_j._data)))
    except (AttributeError, TypeError):
        raise TypeError(
            f"{WEIGHTED_SUM}: weights and inputs must be sequences of Values and each bias a Value, all holding floats"
        ) from None
    if _open.detect_anomaly:
        for _, w, b_j, z in rows:
            _check_forward(WEIGHTED_SUM, (*w, *a, b_j._data), z)
    if _open.no_grad and _modes.no_grad:
        return [_leaf(z) for *_, z in rows]
    return [_nary_node(z, WEIGHTED_SUM, (*w_j, *inputs, b_j), (*a, *w, 1.0)) for w_j, w, b_j, z in rows]


def sum_values(values: Sequence[Value]) -> Value:
    """s = sum_i v_i as one node; ds/dv_i = 1.

    The sum is exact (`math.fsum`); finite terms whose sum overflows raise `OverflowError`, and
    an infinite or nan term propagates as it does through `+`.
    """
    try:
        parents = tuple(values)
        data = [v._data for v in parents]
        total = exact_sum(data)
    except (AttributeError, TypeError):
        raise TypeError("sum: values must be a sequence of Values holding floats") from None
    if _open.detect_anomaly:
        _check_forward("sum", data, total)
    if _open.no_grad and _modes.no_grad:
        return _leaf(total)
    return _nary_node(total, "sum", parents, (1.0,) * len(parents))


def exact_sum(data: Sequence[float]) -> float:
    """The forward rule of the "sum" node (also run by compiled code): the exact sum rounded once.

    `math.fsum`, and where its running sum overflows for finite terms, the exact sum of
    `Fraction`s; finite terms whose exact sum overflows raise `OverflowError`, an infinite or
    nan term propagates as it does through `+`.
    """
    try:
        return math.fsum(data)
    except (OverflowError, ValueError):  # fsum's "intermediate overflow" and "-inf + inf"
        if all(map(math.isfinite, data)):
            return _exact([Fraction(v) for v in data], "sum", f"the sum of these {len(data)} finite values")
        return sum(data)
