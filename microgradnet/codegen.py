"""Python source for every operation of the engine, written from the derivative table itself.

The compiler writes each node as one line of Python. It takes the line from the one place that
defines the operation, its row in `operations.TABLE`: the row's forward expression and local
derivatives are Python in the names of the row's parents (`out * (1.0 - out)`), and are written
into the generated code with each parent replaced by its operand's local (`a_1_0 * (1.0 -
a_1_0)`). The rules an expression calls (`sigmoid`, `log`, `power`, `affine`, ...) are the
engine's own functions, bound under their names in the generated module, so their domain checks
and error messages are exactly the engine's.
"""

from __future__ import annotations

import ast
import builtins
import functools
import keyword
import math
import re
from collections.abc import Sequence
from typing import Any

from microgradnet.engine import Value
from microgradnet.operations import GROUP, INDEX, OPERATIONS, POSITION, RULES, Operation, expression, groups

# Terms per line of a long sum in the backward pass; a longer chain of `+` would nest too deeply for `compile()`.
TERMS_PER_LINE = 64


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


# --- writing a table row into the generated code ---------------------------------------


@functools.cache
def _parsed(template: str) -> ast.expr:
    return expression(template)


def _substitute(tree: ast.AST, values: dict[str, ast.expr], names: Names) -> Any:
    """A new tree of the table expression `tree`, its parents, out and c replaced by `values` and
    its rules renamed. The operands' trees are shared, not copied: no generated tree is changed
    after it is made."""
    if isinstance(tree, ast.Name):
        if tree.id in values:
            return values[tree.id]
        return ast.Name(id=names.bind(RULES[tree.id], tree.id), ctx=ast.Load())
    if isinstance(tree, (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop)):
        return tree
    fields = {}
    for name in tree._fields:
        field = getattr(tree, name)
        if isinstance(field, ast.AST):
            field = _substitute(field, values, names)
        elif isinstance(field, list):
            field = [_substitute(item, values, names) if isinstance(item, ast.AST) else item for item in field]
        fields[name] = field
    rebuilt = type(tree)(**fields)
    if isinstance(rebuilt, ast.IfExp):  # `1.0 if 2 == 0 else 0.0`, a Kronecker delta of literal indices: its value
        test = rebuilt.test
        if isinstance(test, ast.Compare) and all(isinstance(e, ast.Constant) for e in (test.left, *test.comparators)):
            return rebuilt.body if eval(ast.unparse(test)) else rebuilt.orelse  # literals only
    return rebuilt


def _write(template: str, values: dict[str, ast.expr], names: Names) -> ast.expr:
    """The expression `template` of the table, written for these operands."""
    return _substitute(_parsed(template), values, names)  # type: ignore[no-any-return]


def constant(c: float) -> ast.expr:
    """The literal `c` (negative numbers as `-c`, so that `(-2.0) ** y` keeps its parentheses)."""
    if math.copysign(1.0, c) < 0.0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=-c))
    return ast.Constant(value=c)


def as_number(expr: ast.expr) -> float | None:
    """The value of a literal expression such as `1.0` or `-1.0`, else None."""
    sign = 1.0
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        sign = -1.0 if isinstance(expr.op, ast.USub) else 1.0
        expr = expr.operand
    if isinstance(expr, ast.Constant) and isinstance(expr.value, (int, float)):
        return sign * float(expr.value)
    return None


def _row(node: Value) -> Operation:
    if node.op not in OPERATIONS:
        raise ValueError(f"compile: the operation {node.op!r} is not in the engine's derivative table")
    return OPERATIONS[node.op]


def _operands(row: Operation, node: Value, operands: Sequence[ast.expr]) -> dict[str, ast.expr]:
    """The row's parents (and c) as the expressions of this node's operands."""
    values = dict(zip(row.parents, operands))
    if node.constant is not None:
        values["c"] = constant(node.constant)
    return values


def forward(node: Value, operands: Sequence[ast.expr], names: Names) -> ast.expr:
    """The expression for `node`'s value from its parents' expressions: the row's forward rule."""
    row = _row(node)
    if not row.has_groups:
        return _write(row.forward, _operands(row, node, operands), names)
    return _write(row.forward, _whole_groups(row, node, groups(row, operands)), names)


def _whole_groups(row: Operation, node: Value, split: dict[str, Sequence[ast.expr]]) -> dict[str, ast.expr]:
    """A row's names for the whole groups (`w` for w_0 .. w_(n-1), a tuple), its single parents and
    the index j the node holds, as the expressions of this node's operands."""
    values = {
        name.removesuffix(GROUP): ast.Tuple(elts=list(group), ctx=ast.Load()) if name.endswith(GROUP) else group[0]
        for name, group in split.items()
    }
    return {**values, **_index(row, node)}


def _index(row: Operation, node: Value) -> dict[str, ast.expr]:
    """The index j a node of groups holds (a softmax output's), as the literal the row reads."""
    return {INDEX: ast.Constant(value=node.constant)} if row.holds_index else {}


def local_derivatives(node: Value, operands: Sequence[ast.expr], out: ast.expr, names: Names) -> list[ast.expr]:
    """d node / d parent_i for every parent, as expressions of the operands and the output."""
    row = _row(node)
    if not row.has_groups:
        values = {**_operands(row, node, operands), "out": out}
        return [_write(derivative, values, names) for derivative in row.derivatives.values()]
    split = groups(row, operands)
    wholes = _whole_groups(row, node, split)  # for a rule that reads a whole group, softmax(z, k)
    derivatives = []
    for name, group in split.items():
        for k in range(len(group)):
            values = {**wholes, "out": out}
            if name.endswith(GROUP):  # the derivative for parent k of a group reads element k of every group
                values.update((g, split[g][k]) for g in split if g.endswith(GROUP))
                values[POSITION] = ast.Constant(value=k)
            derivatives.append(_write(row.derivatives[name], values, names))
    return derivatives


def source(expr: ast.expr) -> str:
    """The Python text of an expression."""
    return ast.unparse(expr)
