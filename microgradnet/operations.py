"""The derivative table: every operation of the engine, its forward rule and its local derivatives.

One row per operation. A row names the operation (the `op` of the nodes it makes), says how a
user writes it, and gives, as Python expressions in the names of the row's parents:

    forward       out, the node's value
    derivatives   d out / d parent, for each parent in order; they reuse `out` where calculus
                  allows (d e^x/dx = out)

`c` is the number of `x ** c` and `c ** y`: a constant, held by the node, not a parent (d/dc
would not exist for a negative base); `j` is likewise the index a softmax output node holds.
A parent written with the subscript `_k` (`w_k`) is a group of n parents, k = 0 .. n-1, and
the node's parents are the groups one after the other (`w_0 .. w_(n-1), a_0 .. a_(n-1), b`
for `w·a+b`); `groups` splits them. A group's derivative may read `k`, the position of its
parent in the group (the Kronecker delta of softmax, `1.0 if k == j else 0.0`), and a whole
group by its name (`softmax(z, k)`).

The names in the expressions other than the parents' are the rules below, each of which raises
an error naming the operation where it would leave the reals. The engine turns each row into
functions once, at import (`Operation.rule`); the compiler writes the expressions into the code
it generates (`microgradnet.codegen`); `markdown_table()` prints the table for the docs.
"""

# ruff: noqa: E501  -- the derivative table keeps one operation per line, its columns aligned

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

# --- the rules the table calls: each raises an error naming the operation ------------------

LOG_FLOOR = -100.0


def exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: e**{x!r} overflows a float (the argument must be <= 709.78)") from None


def log(x: float) -> float:
    if x <= 0.0:
        raise ValueError(f"log: argument must be positive, got {x!r}")
    return math.log(x)


def clamped_log(x: float) -> float:
    """max(ln x, -100), as PyTorch's binary cross-entropy clamps its logs; ln 0 is -100."""
    if x < 0.0:
        raise ValueError(f"clamped_log: argument must be non-negative, got {x!r}")
    return LOG_FLOOR if x == 0.0 else max(math.log(x), LOG_FLOOR)  # nan stays nan


def sigmoid(x: float) -> float:
    # Two branches so that exp never overflows: sigmoid(-1000) is 0.0, sigmoid(1000) is 1.0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def relu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # nan stays nan, as in PyTorch


def divide(x: float, y: float) -> float:
    if y == 0.0:
        raise ZeroDivisionError(f"/: division by zero ({x!r} / {y!r})")
    return x / y


def power(x: float, y: float) -> float:
    if x < 0.0 and not y.is_integer():
        raise ValueError(f"**: negative base {x!r} with fractional exponent {y!r} has no real result")
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"**: 0.0 cannot be raised to the negative power {y!r}")
    try:
        return math.pow(x, y)
    except OverflowError:
        raise OverflowError(f"**: {x!r} ** {y!r} overflows a float") from None


def _finite_slope(slope: float, which: str, x: float, y: float) -> float:
    """`slope`, a local derivative of x**y; `OverflowError` if finite x and y gave an infinite one."""
    if slope - slope != 0.0 and math.isfinite(x) and math.isfinite(y):  # slope - slope is 0.0 for a finite slope
        raise OverflowError(f"**: {which} overflows a float at x = {x!r}, y = {y!r}")
    return slope


def power_dbase(x: float, y: float, out: float) -> float:
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


def power_dexponent(x: float, y: float, out: float) -> float:
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
    return _exact(terms, "w·a+b", f"the weighted sum of these {len(w)} finite terms")


def exact_sum(v: Sequence[float]) -> float:
    """s = sum_k v_k, exact and rounded once: `math.fsum`, and where its running sum overflows for
    finite terms the sum of `Fraction`s. Finite terms whose exact sum overflows raise
    `OverflowError`; an infinite or nan term propagates as it does through `+`."""
    try:
        return math.fsum(v)
    except (OverflowError, ValueError):  # fsum's "intermediate overflow" and "-inf + inf"
        if all(map(math.isfinite, v)):
            return _exact([Fraction(v_k) for v_k in v], "sum", f"the sum of these {len(v)} finite values")
        return sum(v)


def softmax(z: Sequence[float], j: int) -> float:
    """a_j = e^(z_j - m) / sum_k e^(z_k - m) with m = max_k z_k: softmax(z)_j, and no e^x overflows (x <= 0)."""
    if not z:
        raise ValueError("softmax: needs at least one z")
    m = max(z)
    return math.exp(z[j] - m) / sum([math.exp(z_k - m) for z_k in z])


def logsumexp(z: Sequence[float]) -> float:
    """ln sum_k e^(z_k) = m + ln sum_k e^(z_k - m), m = max_k z_k: finite for every finite z."""
    if not z:
        raise ValueError("logsumexp: needs at least one z")
    m = max(z)
    return m + math.log(sum([math.exp(z_k - m) for z_k in z]))


# Every name the table's expressions use besides the parents', out and c: the generated code
# of the compiler sees the same objects under the same names.
RULES: dict[str, object] = {
    "exp": exp,
    "log": log,
    "tanh": math.tanh,
    "sigmoid": sigmoid,
    "relu": relu,
    "clamped_log": clamped_log,
    "LOG_FLOOR": LOG_FLOOR,
    "divide": divide,
    "power": power,
    "power_dbase": power_dbase,
    "power_dexponent": power_dexponent,
    "affine": affine,
    "exact_sum": exact_sum,
    "softmax": softmax,
    "logsumexp": logsumexp,
}

GROUP = "_k"  # the subscript of a parent that stands for a group of parents
INDEX = "j"  # the index a node of groups may hold (a softmax output's), like the c of x**c
POSITION = "k"  # the position of a parent in its group, for a group's derivative


Functions = tuple[Callable[..., float], tuple[Callable[..., Any], ...]]


def expression(source: str) -> ast.expr:
    """The syntax tree of one of the table's expressions."""
    return ast.parse(source, mode="eval").body


def names_in(source: str) -> set[str]:
    """The names an expression of the table reads."""
    return {node.id for node in ast.walk(expression(source)) if isinstance(node, ast.Name)}


def _functions(row: Operation) -> Functions:
    """The row's forward rule and local derivatives as Python functions (see `Operation.functions`)."""
    namespace = dict(RULES)

    def function(parameters: str, body: str) -> Callable[..., Any]:
        return eval(f"lambda {parameters}: {body}", namespace)  # type: ignore[no-any-return]

    if not row.has_groups:
        parameters = ", ".join(row.parents) if len(row.parents) == 2 else f"{row.parents[0]}, c"
        forward = function(parameters, row.forward)
        return forward, tuple(function(f"{parameters}, out", d) for d in row.derivatives.values())
    # Groups: every parent's derivative at once, as a tuple in the node's parent order. A
    # derivative that is another group's element (dz/dw_k = a_k) is that group itself.
    group_names = {name: name.removesuffix(GROUP) for name in row.parents}
    parameters = ", ".join([*group_names.values(), *[INDEX] * row.holds_index])
    elements = ", ".join(name for name in row.parents if name.endswith(GROUP))
    zipped = ", ".join(group for name, group in group_names.items() if name.endswith(GROUP))
    parts = []
    for name, derivative in row.derivatives.items():
        if not name.endswith(GROUP):
            parts.append(derivative)
        elif derivative in group_names and derivative.endswith(GROUP):
            parts.append(f"*{group_names[derivative]}")
        elif POSITION in names_in(derivative):
            parts.append(f"*[{derivative} for {POSITION}, ({elements},) in enumerate(zip({zipped}))]")
        else:
            parts.append(f"*[{derivative} for {elements}, in zip({zipped})]")
    forward = function(parameters, row.forward)
    return forward, (function(f"{parameters}, out", f"({', '.join(parts)},)"),)


@dataclass(frozen=True)
class Operation:
    """A row of the table: name, how it is written, out = forward, d out / d parent per parent."""

    name: str
    written: str
    forward: str
    derivatives: dict[str, str]

    # The row as Python functions, made once from its expressions, for the engine to call.
    # One parent: forward(x, c) and (d_dx(x, c, out),); two: forward(x, y) and
    # (d_dx(x, y, out), d_dy(x, y, out)); groups: forward(w, a, b) on lists of data and
    # (local_grads(w, a, b, out),), every parent's derivative at once in the node's order.
    functions: Functions = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "functions", _functions(self))

    @property
    def parents(self) -> list[str]:
        """The parents (and groups of parents, `w_k`) in the order the node holds them."""
        return list(self.derivatives)

    @property
    def has_groups(self) -> bool:
        return any(p.endswith(GROUP) for p in self.derivatives)

    @property
    def holds_index(self) -> bool:
        """Whether the node holds an index `j` (a row of groups whose expressions read it)."""
        return self.has_groups and any(INDEX in names_in(e) for e in (self.forward, *self.derivatives.values()))


# fmt: off
TABLE = (
    #         op             written                  forward             d out / d parent, per parent
    Operation("neg",         "-x",                    "-x",               {"x": "-1.0"}),
    Operation("exp",         "x.exp()",               "exp(x)",           {"x": "out"}),
    Operation("log",         "x.log()",               "log(x)",           {"x": "1.0 / x"}),
    Operation("tanh",        "x.tanh()",              "tanh(x)",          {"x": "1.0 - out * out"}),
    Operation("sigmoid",     "x.sigmoid()",           "sigmoid(x)",       {"x": "out * (1.0 - out)"}),
    Operation("relu",        "x.relu()",              "relu(x)",          {"x": "1.0 if x > 0.0 else 0.0"}),  # 0 at the kink, as PyTorch
    Operation("identity",    "x.identity()",          "x",                {"x": "1.0"}),
    Operation("clamped_log", "x.clamped_log()",       "clamped_log(x)",   {"x": "1.0 / x if out > LOG_FLOOR else 0.0"}),
    Operation("+",           "x + y",                 "x + y",            {"x": "1.0",                    "y": "1.0"}),
    Operation("-",           "x - y",                 "x - y",            {"x": "1.0",                    "y": "-1.0"}),
    Operation("*",           "x * y",                 "x * y",            {"x": "y",                      "y": "x"}),
    Operation("/",           "x / y",                 "divide(x, y)",     {"x": "1.0 / y",                "y": "-out / y"}),
    Operation("**",          "x ** y",                "power(x, y)",      {"x": "power_dbase(x, y, out)", "y": "power_dexponent(x, y, out)"}),
    Operation("x**c",        "x ** c",                "power(x, c)",      {"x": "power_dbase(x, c, out)"}),
    Operation("c**y",        "c ** y",                "power(c, y)",      {"y": "power_dexponent(c, y, out)"}),
    Operation("w·a+b",       "weighted_sum(w, a, b)", "affine(w, a, b)",  {"w_k": "a_k", "a_k": "w_k", "b": "1.0"}),
    Operation("sum",         "sum_values(v)",         "exact_sum(v)",     {"v_k": "1.0"}),
    Operation("softmax",     "softmax(z)[j]",         "softmax(z, j)",    {"z_k": "out * ((1.0 if k == j else 0.0) - softmax(z, k))"}),
    # cross_entropy on a whole softmax output, y one-hot (it checks): C = -ln a_y; dC/dz_k = a_k - y_k, dC/dy_k = -ln a_k
    Operation("softmax_cross_entropy", "cross_entropy(softmax(z), y)", "logsumexp(z) - affine(y, z, 0.0)", {"z_k": "softmax(z, k) - y_k", "y_k": "logsumexp(z) - z_k"}),
)
# fmt: on

OPERATIONS: dict[str, Operation] = {row.name: row for row in TABLE}
WEIGHTED_SUM = "w·a+b"
SOFTMAX = "softmax"
SOFTMAX_CROSS_ENTROPY = "softmax_cross_entropy"


# --- reading a row ----------------------------------------------------------------------


def groups(row: Operation, parents: Sequence[Any]) -> dict[str, Sequence[Any]]:
    """The node's flat `parents` split by the row's layout: {"w_k": w, "a_k": a, "b": [b]} for w·a+b."""
    names = row.parents
    n_groups = sum(name.endswith(GROUP) for name in names)
    n = (len(parents) - (len(names) - n_groups)) // max(n_groups, 1)
    split: dict[str, Sequence[Any]] = {}
    start = 0
    for name in names:
        size = n if name.endswith(GROUP) else 1
        split[name] = parents[start : start + size]
        start += size
    return split


def markdown_table() -> str:
    """The table as the docs print it: one line per row, the expressions as the engine runs them."""
    lines = ["| op | written | out = | d out / d parent |", "|---|---|---|---|"]
    for row in TABLE:
        derivatives = ", ".join(f"d/d{parent}: `{d}`" for parent, d in row.derivatives.items())
        lines.append(f"| `{row.name}` | `{row.written}` | `{row.forward}` | {derivatives} |")
    return "\n".join(lines) + "\n"
