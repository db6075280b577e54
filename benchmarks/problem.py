"""The W1 problem shared by every implementation: two-moons data (`microgradnet.datasets.moons`),
a 2-16-16-1 sigmoid MLP's starting weights, and the training rule (half_sse averaged over the
batch, SGD).

    cost_avg = (1/n) sum_s 1/2 sum_i (a^L_i(x_s) - y_s,i)^2,     p <- p - lr * dcost_avg/dp
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from microgradnet import MLP
from microgradnet.datasets import moons
from microgradnet.losses import one_hot

SIZES = [2, 16, 16, 1]
SAMPLES = 100
LEARNING_RATE = 0.1
SEED = 0


@dataclass(frozen=True)
class Problem:
    """Everything an implementation needs to set itself up identically to the others.

    `weights[l][j][k]` is w_jk of layer l and `biases[l][j]` is b_j (microgradnet's indexing);
    gradients are compared in `MLP.parameters()` order: for each l, j: w[l][j][0..], b[l][j].
    """

    sizes: list[int]
    xs: list[list[float]]
    ys: list[list[float]]
    weights: list[list[list[float]]]
    biases: list[list[float]]
    learning_rate: float


def make_problem(samples: int = SAMPLES, seed: int = SEED, sizes: list[int] = SIZES) -> Problem:
    """The W1 problem: `datasets.moons` and the starting weights of `MLP(2, [16, 16, 1], seed=seed)`;
    for other `sizes`, inputs drawn uniformly from [0, 1] and one-hot targets of a random class."""
    if sizes[0] == 2:
        xs, ys = moons(samples, noise=0.1, seed=seed)
    else:
        rng = random.Random(seed)
        xs = [[rng.random() for _ in range(sizes[0])] for _ in range(samples)]
        ys = [one_hot(rng.randrange(sizes[-1]), sizes[-1]) for _ in range(samples)]
    mlp = MLP(sizes[0], sizes[1:], seed=seed)
    weights = [[[w.data for w in neuron.w] for neuron in layer.neurons] for layer in mlp.layers]
    biases = [[neuron.b.data for neuron in layer.neurons] for layer in mlp.layers]
    return Problem(list(sizes), xs, ys, weights, biases, LEARNING_RATE)
