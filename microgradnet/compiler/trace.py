"""Tracing: run f once on `Value`s and record its graph as data, to compare with a later trace.

A trace is the graph one set of inputs produced. `signature` writes it as a list (each node's op
and its parents' positions), so that `compare` can say at which node another trace differs: Python
control flow that depends on values is frozen at trace time. Where compiled code fails, `engine_error`
runs f again on the graph engine so that the error raised is the engine's.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from microgradnet.engine import Value
from microgradnet.modes import is_grad_enabled

# Where a leaf of the traced graph comes from: ("input", i), ("parameter", i) or ("data", arg, k).
Role: TypeAlias = "tuple[str, int] | tuple[str, int, int]"
Signature: TypeAlias = "list[tuple[object, ...]]"
# What the engine's rules raise for an operation leaving the reals (ZeroDivisionError and OverflowError
# are ArithmeticErrors); compiled code that raises one asks the engine which error is its.
DOMAIN_ERRORS = (ArithmeticError, ValueError)


class TraceMismatchError(AssertionError):
    """The graph traced on some inputs differs from the compiled one (value-dependent control flow)."""


def require_graph(what: str) -> None:
    """Refuse to trace inside `no_grad()`, where operations record no parents: the trace would be a constant."""
    if not is_grad_enabled():
        raise RuntimeError(
            f"{what}: cannot trace inside no_grad(): operations there record no graph, so the trace would be "
            "a constant with zero gradients. Call it outside the no_grad() block"
        )


def call_traced(f: Callable[..., Any], args: Sequence[object]) -> Value:
    """f(*args), which must be a `Value`: the root of the traced graph."""
    out = f(*args)
    if not isinstance(out, Value):
        raise TypeError(f"compile: f must return a Value, got {type(out).__name__}: {out!r}")
    return out


def argument_names(f: Callable[..., Any], count: int, default: str) -> list[str]:
    """The names of `f`'s first `count` positional parameters, else `default[i]`."""
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return positional[:count] if len(positional) >= count else [f"{default}[{i}]" for i in range(count)]


def signature(order: Sequence[Value], roles: dict[Value, Role]) -> Signature:
    """The graph as data: each node's op and parent positions; leaves by role, constants by value."""
    position = {node: i for i, node in enumerate(order)}
    recorded: Signature = []
    for node in order:
        if node in roles:
            recorded.append(roles[node])
        elif node.parents:
            op = node.op if node.constant is None else (node.op, node.constant)
            recorded.append((op, *(position[p] for p in node.parents)))
        else:
            recorded.append(("constant", repr(node.data)))
    return recorded


def compare(traced: Signature, now: Signature, where: str) -> None:
    """Nothing if the two traces are one graph, else `TraceMismatchError` naming the first node that differs."""
    if traced == now:
        return
    diverge = next((i for i, (a, b) in enumerate(zip(traced, now)) if a != b), min(len(traced), len(now)))
    at = (
        f"node {diverge}: traced {traced[diverge]!r}, now {now[diverge]!r}"
        if diverge < min(len(traced), len(now))
        else f"its length: traced {len(traced)} nodes, now {len(now)}"
    )
    raise TraceMismatchError(
        f"{where} the graph differs from the traced one at {at}. Python control flow that depends on "
        "values is frozen at trace time: compile again for these inputs, or remove the dependence."
    )


def engine_error(compiled: Exception, graph_path: Callable[[], object]) -> Exception:
    """The error to raise where compiled code raised `compiled`: the graph engine's, if it differs.

    The engine fails at the first operation in the order the traced function makes them, the
    compiled code at the first in a topological order of the graph, which can be another one.
    """
    try:
        graph_path()
    except Exception as error:
        return compiled if (type(error), str(error)) == (type(compiled), str(compiled)) else error
    return compiled  # the graph path runs: the function no longer traces as compiled
