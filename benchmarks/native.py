"""The C back end's steps, and the floor they are measured against: BP1-BP4 written by hand in C.

`CompiledCStep` is the library as a user trains fastest with it: the cost compiled to C
(`compile_mlp_loss(..., backend="c")`), the data set checked once (`CompiledLoss.prepare`, as
numpy's step converts its data once), and one call per SGD step (`CompiledLoss.step`).
`HandWrittenCStep` is the same step as plain C loops over the delta equations, compiled with the
same flags; nothing can be much faster on one core.
"""

from __future__ import annotations

import ctypes
import os
import tempfile
import time
from array import array
from itertools import chain
from typing import Any

from benchmarks.mlp_step import CompiledStep
from benchmarks.problem import Problem
from microgradnet import MLP
from microgradnet.compiler import toolchain
from microgradnet.train import compile_mlp_loss

HAND_WRITTEN = """
#include <math.h>
#include <stdlib.h>

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }

/* One SGD step of a sigmoid MLP with cost (1/n) sum_s half_sse, parameters laid out as
   MLP.parameters(): for each layer l, for each neuron j, w_j0 .. w_j(K-1), b_j. */
int sgd_step(int layers, const int *size, double *p, double *g, const double *xs, const double *ys, int n, double lr) {
    int total = 0, offset[16], width = 0;
    for (int l = 1; l <= layers; l++) {
        offset[l] = total;
        total += size[l] * (size[l - 1] + 1);
        width += size[l];
    }
    double *work = malloc(2 * width * sizeof(double)), *a[16], *delta[16], *next = work;
    if (work == NULL) return 1;
    for (int l = 1; l <= layers; l++) { a[l] = next; next += size[l]; delta[l] = next; next += size[l]; }
    for (int i = 0; i < total; i++) g[i] = 0.0;
    for (int s = 0; s < n; s++) {
        a[0] = (double *)xs + s * size[0];
        for (int l = 1; l <= layers; l++) {  /* a^l = sigma(W^l a^(l-1) + b^l) */
            int J = size[l], K = size[l - 1];
            const double *w = p + offset[l];
            for (int j = 0; j < J; j++) {
                double z = w[j * (K + 1) + K];
                for (int k = 0; k < K; k++) z += w[j * (K + 1) + k] * a[l - 1][k];
                a[l][j] = sigmoid(z);
            }
        }
        const double *y = ys + s * size[layers];
        for (int j = 0; j < size[layers]; j++)  /* BP1: delta^L = (a^L - y)/n * sigma'(z^L) */
            delta[layers][j] = (a[layers][j] - y[j]) / n * a[layers][j] * (1.0 - a[layers][j]);
        for (int l = layers; l >= 1; l--) {
            int J = size[l], K = size[l - 1];
            const double *w = p + offset[l];
            double *dw = g + offset[l];
            for (int j = 0; j < J; j++) {  /* BP3 dC/db_j = delta_j, BP4 dC/dw_jk = a_k delta_j */
                dw[j * (K + 1) + K] += delta[l][j];
                for (int k = 0; k < K; k++) dw[j * (K + 1) + k] += delta[l][j] * a[l - 1][k];
            }
            if (l > 1)  /* BP2: delta^(l-1) = (W^l)^T delta^l * sigma'(z^(l-1)) */
                for (int k = 0; k < K; k++) {
                    double sum = 0.0;
                    for (int j = 0; j < J; j++) sum += w[j * (K + 1) + k] * delta[l][j];
                    delta[l - 1][k] = sum * a[l - 1][k] * (1.0 - a[l - 1][k]);
                }
        }
    }
    for (int i = 0; i < total; i++) p[i] -= lr * g[i];
    free(work);
    return 0;
}
"""


def _address(numbers: array[Any]) -> int:
    return numbers.buffer_info()[0]


class HandWrittenCStep:
    """BP1-BP4 by hand in C: the whole SGD step in one call (so `forward` times the step)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.sizes = array("i", problem.sizes)
        self.p = array(
            "d",
            [v for w_l, b_l in zip(problem.weights, problem.biases) for w_j, b_j in zip(w_l, b_l) for v in (*w_j, b_j)],
        )
        self.g = array("d", bytes(8 * len(self.p)))
        self.xs = array("d", chain.from_iterable(problem.xs))
        self.ys = array("d", chain.from_iterable(problem.ys))
        self._step = toolchain.load(HAND_WRITTEN).sgd_step
        self._step.restype = ctypes.c_int
        self._step.argtypes = [ctypes.c_int, *[ctypes.c_void_p] * 5, ctypes.c_int, ctypes.c_double]

    def forward(self) -> None:
        self._step(
            len(self.sizes) - 1,
            _address(self.sizes),
            _address(self.p),
            _address(self.g),
            _address(self.xs),
            _address(self.ys),
            len(self.problem.xs),
            self.problem.learning_rate,
        )

    def backward(self) -> None:
        """Done in forward()."""

    def update(self) -> None:
        """Done in forward()."""

    def gradients(self) -> list[float]:
        return list(self.g)

    def nodes(self) -> int | None:
        return None


class CompiledCStep(CompiledStep):
    """The cost compiled to C, the data checked once, one `CompiledLoss.step` call per SGD step."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem, backend="c")
        self.batch = self.loss.prepare(problem.xs, problem.ys)

    def forward(self) -> None:
        self.cost_value = self.loss.step(self.problem.learning_rate, self.batch)

    def update(self) -> None:
        """Done in forward(): `CompiledLoss.step` updates the parameters."""


def compile_seconds(sizes: list[int]) -> dict[str, float]:
    """Seconds to trace, generate and build the compiled cost of an MLP of `sizes`, per back end
    (C into an empty cache, so that the C compiler runs), and the Python back end's per parameter."""
    out: dict[str, float] = {}
    mlp = MLP(sizes[0], sizes[1:], seed=0)
    with tempfile.TemporaryDirectory() as cache:
        before = os.environ.get(toolchain.CACHE_VARIABLE)
        os.environ[toolchain.CACHE_VARIABLE] = cache
        try:
            start = time.perf_counter()
            compile_mlp_loss(mlp, "half_sse", backend="c")
            out["c"] = time.perf_counter() - start
        finally:
            if before is None:
                del os.environ[toolchain.CACHE_VARIABLE]
            else:
                os.environ[toolchain.CACHE_VARIABLE] = before
    start = time.perf_counter()
    compile_mlp_loss(mlp, "half_sse", backend="python")
    out["python"] = time.perf_counter() - start
    out["python per parameter"] = out["python"] / len(mlp.parameters())
    return out
