"""W1 `mlp-step`: one training step of the same MLP on the same batch, by several implementations.

`IMPLEMENTATIONS` maps a name to a factory `Problem -> Step`. A `Step` splits one training step
into `forward()` (the batch's cost), `backward()` (the gradients) and `update()` (SGD, and
resetting the gradients), so the harness can time each phase. To benchmark another
implementation, write its factory and add it to `IMPLEMENTATIONS`.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, Protocol

from benchmarks.problem import Problem
from microgradnet import MLP
from microgradnet.engine import topological_order
from microgradnet.losses import half_sse, mean_cost
from microgradnet.train import compile_mlp_loss


class Step(Protocol):
    """One training step in three timed phases, plus what the harness checks afterwards."""

    def forward(self) -> None:
        """Compute cost_avg over the batch (a graph implementation builds its graph here)."""

    def backward(self) -> None:
        """Compute dcost_avg/dp for every parameter p."""

    def update(self) -> None:
        """p <- p - lr * dcost_avg/dp, clear the gradients and drop the step's graph.

        Dropping the graph here, not at the next forward, keeps one implementation's live graph
        from sitting in the heap (and in the garbage collector's walks) while another is timed.
        """

    def gradients(self) -> list[float]:
        """The last backward's gradients in `MLP.parameters()` order (call before `update`)."""

    def nodes(self) -> int | None:
        """Nodes in the last forward's graph (parameters and inputs included), None if no graph."""


# --- microgradnet ---------------------------------------------------------------------------


class MicrogradnetStep:
    """The library as a user writes it: `mlp(x)`, `half_sse`, `mean_cost`, `backward()`."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.mlp = MLP(problem.sizes[0], problem.sizes[1:])
        for layer, w_l, b_l in zip(self.mlp.layers, problem.weights, problem.biases):
            for neuron, w_j, b_j in zip(layer.neurons, w_l, b_l):
                for w_jk, value in zip(neuron.w, w_j):
                    w_jk.data = value
                neuron.b.data = b_j
        self.params = self.mlp.parameters()

    def forward(self) -> None:
        mlp = self.mlp
        self.cost = mean_cost([half_sse(mlp(x), y) for x, y in zip(self.problem.xs, self.problem.ys)])

    def backward(self) -> None:
        self.cost.backward()

    def update(self) -> None:
        lr = self.problem.learning_rate
        for p in self.params:
            p.data -= lr * p.grad
            p.grad = 0.0
        vars(self).pop("cost", None)  # frees the graph at once (no reference cycles); compiled steps have none

    def gradients(self) -> list[float]:
        return [p.grad for p in self.params]

    def nodes(self) -> int | None:
        return len(topological_order(self.cost))


class CompiledStep(MicrogradnetStep):
    """The library's compiled path: the per-sample cost traced once (`compile_mlp_loss`), then one
    generated function loops over the batch, each sample's forward and backward pass together.

    So `forward()` times the whole forward-and-backward step and `backward()` is empty. Tracing
    and code generation are paid once, in the constructor, and kept in `compile_seconds`.
    """

    def __init__(self, problem: Problem, backend: str = "python") -> None:
        super().__init__(problem)
        start = time.perf_counter()
        self.loss = compile_mlp_loss(self.mlp, "half_sse", backend=backend)
        self.compile_seconds = time.perf_counter() - start

    def forward(self) -> None:
        self.cost_value = self.loss(self.problem.xs, self.problem.ys)

    def backward(self) -> None:
        """Done in forward(): the generated function runs both passes, sample by sample."""

    def nodes(self) -> int | None:
        return None  # no graph at run time


# --- micrograd 0.1.0 -----------------------------------------------------------------------


class MicrogradStep:
    """micrograd 0.1.0 as its README writes a network, with sigmoid = 1 / (1 + exp(-z)).

    `sigmoid="closure"` uses one hand-written micrograd node per sigmoid instead (fewer nodes).
    """

    def __init__(self, problem: Problem, sigmoid: str = "exp") -> None:
        from micrograd.engine import Value

        from benchmarks import micrograd_ext

        self.problem = problem
        self.sigmoid: Callable[[Any], Any] = (
            micrograd_ext.sigmoid_from_exp if sigmoid == "exp" else micrograd_ext.sigmoid_closure
        )
        self.count_nodes = micrograd_ext.count_nodes
        self.layers = [
            [([Value(w_jk) for w_jk in w_j], Value(b_j)) for w_j, b_j in zip(w_l, b_l)]
            for w_l, b_l in zip(problem.weights, problem.biases)
        ]
        self.params = [p for layer in self.layers for w_j, b_j in layer for p in (*w_j, b_j)]

    def forward(self) -> None:
        sigmoid = self.sigmoid
        costs = []
        for x, y in zip(self.problem.xs, self.problem.ys):
            a: list[Any] = x
            for layer in self.layers:
                a = [sigmoid(sum((w_k * a_k for w_k, a_k in zip(w, a)), b)) for w, b in layer]
            costs.append(0.5 * sum((a_i - y_i) ** 2 for a_i, y_i in zip(a, y)))
        self.cost = sum(costs) / len(costs)

    def backward(self) -> None:
        self.cost.backward()

    def update(self) -> None:
        lr = self.problem.learning_rate
        for p in self.params:
            p.data -= lr * p.grad
            p.grad = 0
        del self.cost  # the graph's closures form cycles: the garbage collector frees it

    def gradients(self) -> list[float]:
        return [float(p.grad) for p in self.params]

    def nodes(self) -> int | None:
        return self.count_nodes(self.cost)


# --- the closed-form delta equations, by hand ------------------------------------------------


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


class DeltaLoopStep:
    """Pure Python loops over BP1-BP4, the way one writes backpropagation without a graph."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.w = [[list(w_j) for w_j in w_l] for w_l in problem.weights]
        self.b = [list(b_l) for b_l in problem.biases]

    def forward(self) -> None:
        """a^l = sigma(W^l a^(l-1) + b^l) for every sample, kept for the backward pass."""
        self.activations = []
        for x in self.problem.xs:
            a = [x]
            for w_l, b_l in zip(self.w, self.b):
                a_prev = a[-1]
                a.append([_sigmoid(sum(map(float.__mul__, w_j, a_prev), b_j)) for w_j, b_j in zip(w_l, b_l)])
            self.activations.append(a)

    def backward(self) -> None:
        """BP1 delta^L = (a^L - y)/n * sigma'(z^L); BP2 delta^l = (W^(l+1)^T delta^(l+1)) * sigma'(z^l);
        BP3 dC/db = delta; BP4 dC/dw_jk = a_k delta_j; summed over the batch."""
        n = len(self.activations)
        self.dw = [[[0.0] * len(w_j) for w_j in w_l] for w_l in self.w]
        self.db = [[0.0] * len(b_l) for b_l in self.b]
        for a, y in zip(self.activations, self.problem.ys):
            delta = [(a_j - y_j) / n * a_j * (1.0 - a_j) for a_j, y_j in zip(a[-1], y)]
            for l in reversed(range(len(self.w))):
                a_prev, dw_l, db_l = a[l], self.dw[l], self.db[l]
                for j, delta_j in enumerate(delta):
                    db_l[j] += delta_j
                    dw_lj = dw_l[j]
                    for k, a_k in enumerate(a_prev):
                        dw_lj[k] += delta_j * a_k
                if l:
                    w_l = self.w[l]
                    delta = [
                        sum(w_l[j][k] * delta_j for j, delta_j in enumerate(delta)) * a_k * (1.0 - a_k)
                        for k, a_k in enumerate(a_prev)
                    ]

    def update(self) -> None:
        lr = self.problem.learning_rate
        for w_l, b_l, dw_l, db_l in zip(self.w, self.b, self.dw, self.db):
            for j, (w_j, dw_j) in enumerate(zip(w_l, dw_l)):
                for k, dw_jk in enumerate(dw_j):
                    w_j[k] -= lr * dw_jk
                b_l[j] -= lr * db_l[j]

    def gradients(self) -> list[float]:
        return [g for dw_l, db_l in zip(self.dw, self.db) for dw_j, db_j in zip(dw_l, db_l) for g in (*dw_j, db_j)]

    def nodes(self) -> int | None:
        return None


# --- numpy, the same equations as matrix products --------------------------------------------


class NumpyStep:
    """BP1-BP4 over the whole batch at once: Delta^l = (Delta^(l+1) W^(l+1)) * A^l (1 - A^l)."""

    def __init__(self, problem: Problem) -> None:
        import numpy as np

        self.np = np
        self.problem = problem
        self.x = np.array(problem.xs)
        self.y = np.array(problem.ys)
        self.w = [np.array(w_l) for w_l in problem.weights]
        self.b = [np.array(b_l) for b_l in problem.biases]

    def forward(self) -> None:
        np = self.np
        self.activations = [self.x]
        for w_l, b_l in zip(self.w, self.b):
            self.activations.append(1.0 / (1.0 + np.exp(-(self.activations[-1] @ w_l.T + b_l))))

    def backward(self) -> None:
        a = self.activations
        delta = (a[-1] - self.y) / len(self.y) * a[-1] * (1.0 - a[-1])
        self.dw: list[Any] = []
        self.db: list[Any] = []
        for l in reversed(range(len(self.w))):
            self.dw.insert(0, delta.T @ a[l])
            self.db.insert(0, delta.sum(axis=0))
            if l:
                delta = (delta @ self.w[l]) * a[l] * (1.0 - a[l])

    def update(self) -> None:
        lr = self.problem.learning_rate
        for w_l, b_l, dw_l, db_l in zip(self.w, self.b, self.dw, self.db):
            w_l -= lr * dw_l
            b_l -= lr * db_l

    def gradients(self) -> list[float]:
        return [
            float(g) for dw_l, db_l in zip(self.dw, self.db) for dw_j, db_j in zip(dw_l, db_l) for g in (*dw_j, db_j)
        ]

    def nodes(self) -> int | None:
        return None


# --- the registry -----------------------------------------------------------------------------

IMPLEMENTATIONS: dict[str, Callable[[Problem], Step]] = {
    "microgradnet": MicrogradnetStep,
    "microgradnet compiled": CompiledStep,
    "micrograd": MicrogradStep,
    "micrograd (1-node sigmoid)": lambda problem: MicrogradStep(problem, sigmoid="closure"),
    "delta loop (pure Python)": DeltaLoopStep,
    "numpy (matrices)": NumpyStep,
}


def _native_steps() -> dict[str, Callable[[Problem], Step]]:
    """The C back end and the hand-written C loop, where a C compiler is found."""
    from benchmarks.native import CompiledCStep, HandWrittenCStep
    from microgradnet.compiler import toolchain

    if not toolchain.available():
        return {}
    return {"microgradnet compiled C": CompiledCStep, "hand-written C loop": HandWrittenCStep}


IMPLEMENTATIONS.update(_native_steps())
# The implementation every other one's gradients and speed are compared with.
REFERENCE = "delta loop (pure Python)"
