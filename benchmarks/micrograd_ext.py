"""micrograd 0.1.0 has no `exp`: this gives its `Value` one, written in micrograd's own style
(a closure per node that adds into the parents' `grad`), and the sigmoid a micrograd user builds
from it, 1 / (1 + exp(-z)), which makes 8 micrograd nodes per sigmoid."""

from __future__ import annotations

import math
from typing import Any

from micrograd.engine import Value


def exp(self: Any) -> Any:
    """d e^x / dx = e^x, as micrograd would write it."""
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward() -> None:
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def sigmoid_closure(self: Any) -> Any:
    """sigma(x) as ONE micrograd node with its own closure: d sigma/dx = sigma (1 - sigma)."""
    out = Value(1.0 / (1.0 + math.exp(-self.data)), (self,), "sigmoid")

    def _backward() -> None:
        self.grad += out.data * (1.0 - out.data) * out.grad

    out._backward = _backward
    return out


Value.exp = exp
Value.sigmoid = sigmoid_closure


def sigmoid_from_exp(z: Any) -> Any:
    """sigma(z) = 1 / (1 + e^-z) composed of micrograd operations (8 nodes)."""
    return 1 / (1 + (-z).exp())


def count_nodes(root: Any) -> int:
    """Number of nodes `root` depends on (itself included); iterative, so any depth works."""
    seen = {root}
    stack = [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)
