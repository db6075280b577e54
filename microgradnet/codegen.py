"""Python source for every operation of the engine, read from the derivative table itself.

The compiler writes each node as one line of Python. It takes the line from the one place that
defines the operation, `engine.UNARY` / `engine.BINARY`:

- a rule written as a `lambda` (`lambda x, out: out * (1.0 - out)`) is *inlined*: its body is
  copied with the parameters renamed (`a_1_0 * (1.0 - a_1_0)`). The body is found in the
  engine's source with `ast`, and used only if it compiles to the very bytecode of the table's
  function, so the inlined line cannot drift from the table;
- a rule written as a named function (`_sigmoid`, `_log`, `_pow`, ...) is *called*, so its
  domain checks and error messages are exactly the engine's.

The two n-ary nodes are linear and have no row: `w·a+b` is z = b + sum_k w_k a_k with
dz/dw_k = a_k, dz/da_k = w_k, dz/db = 1 (`engine.weighted_sum`), and `sum` is s = sum_i v_i
(`engine.exact_sum`, called) with ds/dv_i = 1 (`engine.sum_values`).
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import keyword
import linecache
import math
import re
from collections.abc import Callable, Sequence
from types import CodeType
from typing import Any

from microgradnet.engine import BINARY, UNARY, WEIGHTED_SUM, affine, exact_sum

# Terms per line of a long inline sum; a longer chain of `+` would nest too deeply for `compile()`.
TERMS_PER_LINE = 64
# What a binary row's forward function is called in generated code.
BINARY_NAMES = {"+": "add", "-": "subtract", "*": "multiply", "/": "divide", "**": "power"}


# --- names ------------------------------------------------------------------------------


def sanitize(text: str) -> str:
    """An ASCII identifier made from `text`: `w[1][0][2]` -> `w_1_0_2`."""
    name = re.sub(r"[^0-9A-Za-z_]+", "_", text).strip("_")
    if not name:
        return "v"
    return f"v_{name}" if name[0].isdigit() else name


class Names:
    """Unique identifiers for one generated function: locals, arguments and bound globals."""

    def __init__(self) -> None:
        self.taken = set(keyword.kwlist) | set(dir(builtins))
        self.globals: dict[str, Any] = {}
        self._bound: dict[int, str] = {}

    def fresh(self, wanted: str) -> str:
        """`sanitize(wanted)`, or with a suffix `_2`, `_3`, ... if that name is taken."""
        base = name = sanitize(wanted)
        suffix = 2
        while name in self.taken:
            name = f"{base}_{suffix}"
            suffix += 1
        self.taken.add(name)
        return name

    def bind(self, obj: object, wanted: str) -> str:
        """The name under which the generated code sees the Python object `obj` (a global)."""
        if id(obj) not in self._bound:
            name = self.fresh(wanted)
            self.globals[name] = obj
            self._bound[id(obj)] = name
        return self._bound[id(obj)]


# --- inlining a table row's lambda ------------------------------------------------------


@functools.cache
def _lambdas_by_line(filename: str) -> dict[int, list[ast.Lambda]]:
    """Every `lambda` in a source file, keyed by the line it starts on."""
    by_line: dict[int, list[ast.Lambda]] = {}
    source = "".join(linecache.getlines(filename))
    if not source:
        return by_line
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Lambda):
            by_line.setdefault(node.lineno, []).append(node)
    return by_line


def _same_code(a: CodeType, b: CodeType) -> bool:
    return (a.co_code, a.co_consts, a.co_names, a.co_varnames) == (b.co_code, b.co_consts, b.co_names, b.co_varnames)


def lambda_source(fn: Callable[..., float]) -> ast.Lambda | None:
    """The syntax tree of `fn` if it is a plain lambda whose source compiles to `fn`'s bytecode."""
    code = getattr(fn, "__code__", None)
    if not isinstance(code, CodeType) or code.co_name != "<lambda>" or getattr(fn, "__closure__", None):
        return None
    for node in _lambdas_by_line(code.co_filename).get(code.co_firstlineno, []):
        module = compile(ast.Expression(body=node), code.co_filename, "eval", dont_inherit=True)
        compiled = next(c for c in module.co_consts if isinstance(c, CodeType))
        if _same_code(compiled, code):
            return node
    return None


class _Rename(ast.NodeTransformer):
    def __init__(self, replacements: dict[str, ast.expr], free: dict[str, str]) -> None:
        self.replacements = replacements
        self.free = free

    def visit_Name(self, node: ast.Name) -> ast.expr:
        if node.id in self.replacements:
            return copy.deepcopy(self.replacements[node.id])
        return ast.Name(id=self.free[node.id], ctx=ast.Load())


def constant(c: float) -> ast.expr:
    """The literal `c` (negative numbers as `-c`, so that `(-2.0) ** y` keeps its parentheses)."""
    if math.copysign(1.0, c) < 0.0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-c))
    return ast.Constant(value=c)


def as_number(expr: ast.expr) -> float | None:
    """The value of a literal expression such as `1.0` or `-1.0`, else None."""
    try:
        value = ast.literal_eval(expr)
    except ValueError:
        return None
    return float(value) if isinstance(value, (int, float)) else None


def apply_rule(fn: Callable[..., float], wanted: str, args: Sequence[ast.expr], names: Names) -> ast.expr:
    """`fn(*args)` as an expression: the inlined body of a table lambda, else a call."""
    node = lambda_source(fn)
    if node is None or node.args.vararg or node.args.kwarg or len(node.args.args) != len(args):
        callee = ast.Name(id=names.bind(fn, wanted), ctx=ast.Load())
        return ast.Call(func=callee, args=list(args), keywords=[])
    parameters = [a.arg for a in node.args.args]
    free = {
        name.id: names.bind(fn.__globals__.get(name.id, getattr(builtins, name.id, None)), name.id)
        for name in ast.walk(node.body)
        if isinstance(name, ast.Name) and name.id not in parameters
    }
    return _Rename(dict(zip(parameters, args)), free).visit(copy.deepcopy(node.body))  # type: ignore[no-any-return]


# --- each operation: its forward expression and its local derivatives --------------------


def _power_constant(op: str) -> tuple[str, float] | None:
    """("exponent", c) for `x ** c` (op "**c"), ("base", c) for `c ** x` (op "c**"), else None.

    The op name carries the constant exactly: an integral c is written as an int, any other
    float by its repr, and `float()` reads both back to the same float.
    """
    if op.startswith("**") and len(op) > 2:
        return "exponent", float(op[2:])
    if op.endswith("**") and len(op) > 2:
        return "base", float(op[:-2])
    return None


def _binary_row(op: str, operands: Sequence[ast.expr]) -> tuple[str, list[ast.expr], list[int]]:
    """The BINARY row behind `op`, its two arguments, and which of them are the node's parents."""
    power = _power_constant(op)
    if power is None:
        if op not in BINARY:
            raise ValueError(f"compile: the operation {op!r} is not in the engine's derivative table")
        return op, list(operands), [0, 1]
    side, c = power
    if side == "exponent":
        return "**", [operands[0], constant(c)], [0]
    return "**", [constant(c), operands[0]], [1]


def forward(op: str, operands: Sequence[ast.expr], names: Names) -> ast.expr:
    """The expression for a unary or binary node's value from its parents' expressions."""
    if op in UNARY:
        return apply_rule(UNARY[op][0], op, operands, names)
    row, args, _ = _binary_row(op, operands)
    return apply_rule(BINARY[row][0], BINARY_NAMES[row], args, names)


def local_derivatives(op: str, operands: Sequence[ast.expr], out: ast.expr, names: Names) -> list[ast.expr]:
    """d node / d parent_i for every parent, as expressions of the operands and the output."""
    if op == WEIGHTED_SUM:
        n = (len(operands) - 1) // 2
        return [*operands[n : 2 * n], *operands[:n], ast.Constant(value=1.0)]
    if op == "sum":
        return [ast.Constant(value=1.0) for _ in operands]
    if op in UNARY:
        return [apply_rule(UNARY[op][1][0], f"d_{op}", [*operands, out], names)]
    row, args, which = _binary_row(op, operands)
    name = BINARY_NAMES[row]
    rules = BINARY[row][1]
    return [apply_rule(rules[i], f"d_{name}_d{'xy'[i]}", [*args, out], names) for i in which]


def n_ary_forward(op: str, target: str, operands: Sequence[str], names: Names) -> list[str]:
    """The statement that sets `target` to a `w·a+b` or `sum` node: z = b + sum_k w_k a_k, s = sum_i v_i.

    Both call the engine's own forward rule, so an overflow gives the engine's value or error.
    """
    if op == "sum":
        return [f"{target} = {names.bind(exact_sum, 'exact_sum')}({_tuple(operands)})"]
    n = (len(operands) - 1) // 2
    w, a, b = operands[:n], operands[n : 2 * n], operands[-1]
    return [f"{target} = {names.bind(affine, 'affine')}({_tuple(w)}, {_tuple(a)}, {b})"]


def _tuple(items: Sequence[str]) -> str:
    return f"({', '.join(items)}{',' * (len(items) == 1)})"


def source(expr: ast.expr) -> str:
    """The Python text of an expression."""
    return ast.unparse(expr)
