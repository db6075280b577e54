"""W2 `deep-chain`, W3 `wide-sum` and W4 `memory`: big graphs of one kind of node, built the
same way with microgradnet's and micrograd's `Value`.

    deep chain   y_0 = leaf,  y_i = y_(i-1) + x  for i = 1..N   (N "+" nodes, one shared leaf x)
    wide sum     s = sum(leaves) with Python's sum(): 0 + v_1 + ... + v_N (N "+" nodes over N
                 leaves, which is exactly what micrograd's users write), and microgradnet's
                 one-node `sum_values(leaves)` (one node with N parents)
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from microgradnet.engine import sum_values

Result = dict[str, float | str]


def _backward(root: Any) -> float | str:
    """Seconds for root.backward(), or the name of the error it raised (micrograd recurses)."""
    start = time.perf_counter()
    try:
        root.backward()
    except RecursionError:
        return "RecursionError"
    return time.perf_counter() - start


def deep_chain(value: type, n: int) -> Result:
    """Seconds per node to build y_i = y_(i-1) + x (forward) and to backpropagate through it."""
    x, y = value(0.5), value(0.0)
    start = time.perf_counter()
    for _ in range(n):
        y = y + x
    forward = time.perf_counter() - start
    backward = _backward(y)
    if isinstance(backward, float) and x.grad != n:
        raise AssertionError(f"deep chain: dy/dx should be {n}, got {x.grad}")
    return _per_node(forward, backward, n)


def wide_sum(value: type, n: int, *, one_node: bool = False) -> Result:
    """Seconds per leaf to sum N leaves (Python's sum(), or `sum_values` if one_node) and backpropagate."""
    leaves = [value(float(i % 7)) for i in range(n)]
    add: Callable[[list[Any]], Any] = sum_values if one_node else sum
    start = time.perf_counter()
    total = add(leaves)
    forward = time.perf_counter() - start
    backward = _backward(total)
    if isinstance(backward, float) and not (leaves[0].grad == leaves[-1].grad == 1):
        raise AssertionError("wide sum: every leaf's gradient should be 1")
    return _per_node(forward, backward, n)


def _per_node(forward: float, backward: float | str, n: int) -> Result:
    return {"forward": forward / n, "backward": backward / n if isinstance(backward, float) else backward}


def chain_bytes_per_node(value: type, op: str, n: int) -> float:
    """Bytes (tracemalloc) that N chained nodes y_i = y_(i-1) op x hold, per node."""
    x, y = value(0.5), value(1.0)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        if op == "+":
            for _ in range(n):
                y = y + x
        else:
            for _ in range(n):
                y = y * x
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return (after - before) / n


def graph_bytes(build: Callable[[], Any]) -> float:
    """Bytes (tracemalloc) that the objects made by `build()` and still alive afterwards hold."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = build()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del kept
    return float(after - before)
