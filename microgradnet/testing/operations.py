"""The operations a micrograd-like engine may support, in one table, and random expressions over them.

Each `Operation` is a form of Python code (`x + y`, `2 - x`, `x.exp()`) applied the same way to any
engine's values, so one `Expression` runs on the engine under test and on microgradnet alike. `c`
stands for a number (drawn from the operation's `constants`), `x` and `y` for the engine's values.
`OPERATIONS` is the default list `expressions()` draws from and `check_engine` probes.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Operation:
    """One form of code: its name as written, the operator or method it exercises (`group`), how many
    engine values it takes, how to apply it, and the numbers c it is tried with."""

    name: str
    group: str
    operands: int
    apply: Callable[..., Any]
    constants: tuple[float, ...] = ()


def _binary(symbol: str, function: Callable[[Any, Any], Any], constants: tuple[float, ...]) -> list[Operation]:
    """`x op y`, `x op c` and `c op x`: a value on both sides, a number on the right, a number on the left."""
    return [
        Operation(f"x {symbol} y", symbol, 2, lambda x, y: function(x, y)),
        Operation(f"x {symbol} c", symbol, 1, lambda x, c: function(x, c), constants),
        Operation(f"c {symbol} x", symbol, 1, lambda x, c: function(c, x), constants),
    ]


def _method(name: str) -> Operation:
    return Operation(f"x.{name}()", name, 1, lambda x: getattr(x, name)())


NUMBERS = (2.0, -1.5, 0.5, 3.0)
_POWERS_RIGHT = (2.0, 3.0, -1.0, 0.5)
_POWERS_LEFT = (2.0, 0.5)

_TABLE = [
    *_binary("+", operator.add, NUMBERS),
    *_binary("-", operator.sub, NUMBERS),
    *_binary("*", operator.mul, NUMBERS),
    *_binary("/", operator.truediv, NUMBERS),
    Operation("x ** y", "**", 2, operator.pow),
    Operation("x ** c", "**", 1, operator.pow, _POWERS_RIGHT),
    Operation("c ** x", "**", 1, lambda x, c: c**x, _POWERS_LEFT),
    Operation("-x", "neg", 1, operator.neg),
    *(_method(name) for name in ("exp", "log", "tanh", "sigmoid", "relu")),
]
OPERATIONS: dict[str, Operation] = {op.name: op for op in _TABLE}


def select(ops: Sequence[str] | None) -> list[Operation]:
    """The operations named (a form such as "c - x", or a group such as "-" for all three of its forms, or
    "exp"); all of them for None. ValueError for an unknown name, listing the known ones."""
    if ops is None:
        return list(_TABLE)
    if isinstance(ops, str):
        raise TypeError(f"ops must be a sequence of operation names, got the string {ops!r}")
    chosen: list[Operation] = []
    for name in ops:
        matched = [op for op in _TABLE if name in (op.name, op.group)]
        if not matched:
            known = ", ".join(repr(op.name) for op in _TABLE)
            raise ValueError(f"unknown operation {name!r}; expected one of {known} or a group like '+' or 'exp'")
        chosen += [op for op in matched if op not in chosen]
    return chosen


# A step: (operation name, indices of the earlier nodes it reads, the number c or None).
Step = tuple[str, tuple[int, ...], "float | None"]


@dataclass(frozen=True)
class Expression:
    """A random function of `n_inputs` values: each step makes a node from earlier nodes (the inputs
    first, any node possibly read twice, so subexpressions are shared); the last node is the output."""

    n_inputs: int
    steps: tuple[Step, ...]

    def __call__(self, inputs: Sequence[Any]) -> Any:
        """The output node, built from the given input values (of any engine)."""
        nodes = list(inputs)
        for name, operands, c in self.steps:
            apply = OPERATIONS[name].apply
            arguments = [nodes[i] for i in operands]
            nodes.append(apply(*arguments) if c is None else apply(*arguments, c))
        return nodes[-1]

    def source(self, leaf: str, inputs: Sequence[float]) -> str:
        """The expression as code, one node a line: x0 = Value(0.5) ... out = ...; out.backward()."""
        names = [f"x{k}" for k in range(self.n_inputs)]
        lines = [f"{name} = {leaf}({value!r})" for name, value in zip(names, inputs)]
        for i, (name, operands, c) in enumerate(self.steps):
            code = _code(name, [names[k] for k in operands], c)
            names.append("out" if i == len(self.steps) - 1 else f"v{i}")
            lines.append(f"{names[-1]} = {code}")
        return "\n".join([*lines, "out.backward()"])


def _code(name: str, operands: list[str], c: float | None) -> str:
    """An operation's code with the operands' names for x (and y) and the number for c."""
    x, y = operands[0], operands[-1]
    words = {"x": x, "-x": f"-{x}", "y": y, "c": repr(c)}
    return " ".join(x + word[1:] if word.startswith("x.") else words.get(word, word) for word in name.split(" "))
