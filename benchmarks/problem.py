"""The W1 problem shared by every implementation: two-moons data, a 2-16-16-1 sigmoid MLP's
starting weights, and the training rule (half_sse averaged over the batch, SGD).

    cost_avg = (1/n) sum_s 1/2 sum_i (a^L_i(x_s) - y_s,i)^2,     p <- p - lr * dcost_avg/dp
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from microgradnet import MLP

SIZES = [2, 16, 16, 1]
SAMPLES = 100
LEARNING_RATE = 0.1
SEED = 0


def moons(n: int, *, noise: float = 0.1, seed: int = SEED) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (as scikit-learn's make_moons): n points, labels 0 and 1.

    Outer moon (label 0): (cos t, sin t); inner moon (label 1): (1 - cos t, 1/2 - sin t),
    t evenly spaced in [0, pi], plus Gaussian noise of standard deviation `noise`.
    """
    rng = random.Random(seed)
    n_outer = n // 2
    xs: list[list[float]] = []
    ys: list[float] = []
    for i in range(n):
        outer = i < n_outer
        count = n_outer if outer else n - n_outer
        t = math.pi * (i if outer else i - n_outer) / max(count - 1, 1)
        x = [math.cos(t), math.sin(t)] if outer else [1.0 - math.cos(t), 0.5 - math.sin(t)]
        xs.append([x_k + rng.gauss(0.0, noise) for x_k in x])
        ys.append(0.0 if outer else 1.0)
    return xs, ys


@dataclass(frozen=True)
class Problem:
    """Everything an implementation needs to set itself up identically to the others.

    `weights[l][j][k]` is w_jk of layer l and `biases[l][j]` is b_j (microgradnet's indexing);
    gradients are compared in `MLP.parameters()` order: for each l, j: w[l][j][0..], b[l][j].
    """

    sizes: list[int]
    xs: list[list[float]]
    ys: list[float]
    weights: list[list[list[float]]]
    biases: list[list[float]]
    learning_rate: float


def make_problem(samples: int = SAMPLES, seed: int = SEED) -> Problem:
    """The W1 problem: moons data and the starting weights of `MLP(2, [16, 16, 1], seed=seed)`."""
    xs, ys = moons(samples, seed=seed)
    mlp = MLP(SIZES[0], SIZES[1:], seed=seed)
    weights = [[[w.data for w in neuron.w] for neuron in layer.neurons] for layer in mlp.layers]
    biases = [[neuron.b.data for neuron in layer.neurons] for layer in mlp.layers]
    return Problem(list(SIZES), xs, ys, weights, biases, LEARNING_RATE)
