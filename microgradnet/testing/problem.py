"""What a backprop check runs on: a network as plain numbers, a cost, and one sample or a batch.

`Network.weights[l][j][k]` is w^l_jk, the weight `mlp.layers[l].neurons[j].w[k]` from input (or
neuron) k of the layer before to neuron j of layer l; `Network.biases[l][j]` is b^l_j. Layer 0 reads
the input x. Hidden layers share one activation, the output layer has its own, as in `MLP`.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from microgradnet import delta
from microgradnet.activations import check_activation
from microgradnet.engine import no_grad
from microgradnet.losses import get_cost
from microgradnet.nn import MLP

Vector = delta.Vector
Matrix = delta.Matrix
# (l, j, k) names the weight w^l_jk, (l, j, None) the bias b^l_j.
Parameter: TypeAlias = "tuple[int, int, int | None]"


@dataclass(frozen=True)
class Network:
    """An MLP as plain numbers: `weights[l][j][k]` = w^l_jk, `biases[l][j]` = b^l_j."""

    weights: tuple[Matrix, ...]
    biases: tuple[Vector, ...]
    activation: str = "sigmoid"
    output_activation: str = "sigmoid"

    def __post_init__(self) -> None:
        check_activation(self.activation)
        check_activation(self.output_activation)
        if not self.weights or len(self.weights) != len(self.biases):
            raise ValueError(
                f"a network needs one bias vector per weight matrix, got {len(self.weights)} and {len(self.biases)}"
            )
        width = len(self.weights[0][0]) if self.weights[0] else 0
        for l, (w, b) in enumerate(zip(self.weights, self.biases)):
            if not w or len(w) != len(b) or any(len(w_j) != width for w_j in w) or width == 0:
                raise ValueError(f"weights[{l}] must be {len(b)} rows of {width} numbers, one row per bias")
            width = len(w)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Widths of the input and of every layer, e.g. (2, 3, 1)."""
        return (len(self.weights[0][0]), *(len(b) for b in self.biases))

    @property
    def layer_activations(self) -> tuple[str, ...]:
        """The activation of every layer l: the hidden ones', then the output layer's."""
        return (self.activation,) * (len(self.biases) - 1) + (self.output_activation,)

    def mlp(self) -> MLP:
        """A microgradnet `MLP` holding exactly these weights and biases."""
        nin, *nouts = self.sizes
        mlp = MLP(nin, nouts, self.activation, output_activation=self.output_activation, seed=0)
        for layer, w, b in zip(mlp.layers, self.weights, self.biases):
            for neuron, w_j, b_j in zip(layer.neurons, w, b):
                for w_jk, value in zip(neuron.w, w_j):
                    w_jk.data = value
                neuron.b.data = b_j
        return mlp

    def shifted(self, parameter: Parameter, by: float) -> Network:
        """This network with one weight or bias moved by `by` (for central differences)."""
        l, j, k = parameter
        weights, biases = list(self.weights), list(self.biases)
        if k is None:
            biases[l] = tuple(b_i + by if i == j else b_i for i, b_i in enumerate(biases[l]))
        else:
            row = tuple(w_i + by if i == k else w_i for i, w_i in enumerate(weights[l][j]))
            weights[l] = tuple(row if i == j else w_i for i, w_i in enumerate(weights[l]))
        return Network(tuple(weights), tuple(biases), self.activation, self.output_activation)

    def parameters(self) -> list[Parameter]:
        """(l, j, k) of every weight w^l_jk and (l, j, None) of every bias b^l_j, in `mlp.parameters()` order."""
        return [
            parameter
            for l, w in enumerate(self.weights)
            for j, w_j in enumerate(w)
            for parameter in [*((l, j, k) for k in range(len(w_j))), (l, j, None)]
        ]

    def forward(self, x: Vector) -> tuple[list[Vector], list[Vector]]:
        """z^l = W^l a^(l-1) + b^l and a^l = sigma(z^l) of every layer, by the oracle's forward equations."""
        z: list[Vector] = []
        a: list[Vector] = []
        a_prev = x
        for w, b, name in zip(self.weights, self.biases, self.layer_activations):
            z.append(delta.weighted_input(w, b, a_prev))
            a_prev = delta.activation(z[-1], [name] * len(b))
            a.append(a_prev)
        return z, a


CostDerivative = Callable[[Vector, Vector], Sequence[float]]
CostValue = Callable[[Vector, Vector], float]


@dataclass(frozen=True)
class Cost:
    """A per-sample cost C(a^L, y): its `derivative` dC/da^L (what BP1 needs) and, if known, its
    `value` C (what central differences need; None checks against the delta equations alone).
    `probabilities` says that targets lie in [0, 1] and outputs must come from a sigmoid (as for bce)."""

    name: str
    derivative: CostDerivative
    value: CostValue | None = None
    probabilities: bool = False


def _named_cost_value(name: str) -> CostValue:
    cost = get_cost(name)

    def value(a: Vector, y: Vector) -> float:
        """C(a, y) by microgradnet's own cost, without recording a graph."""
        with no_grad():
            return cost(a, y).data

    return value


# The costs whose targets the strategies draw: any real y for the squared errors, y in [0, 1] for bce.
# (cross_entropy wants one-hot targets behind a softmax output; pass it as a Cost of your own for now.)
NAMED_COSTS = ("half_sse", "mse", "bce")
COSTS: dict[str, Cost] = {
    name: Cost(name, delta.COST_DERIVATIVES[name], _named_cost_value(name), probabilities=name == "bce")
    for name in NAMED_COSTS
}


def resolve_cost(cost: str | Cost) -> Cost:
    """`cost` itself, or the named cost ("half_sse", "mse", "bce"); else a ValueError listing the names."""
    if isinstance(cost, Cost):
        return cost
    if not isinstance(cost, str) or cost not in COSTS:
        raise ValueError(f"unknown cost {cost!r}; expected one of {', '.join(map(repr, COSTS))} or a Cost")
    return COSTS[cost]


@dataclass(frozen=True)
class Gradients:
    """dC/dw^l_jk = dW[l][j][k] and dC/db^l_j = db[l][j] (of one sample's cost, or of the mean cost)."""

    dW: tuple[Matrix, ...]
    db: tuple[Vector, ...]

    def __getitem__(self, parameter: Parameter) -> float:
        l, j, k = parameter
        return self.db[l][j] if k is None else self.dW[l][j][k]


@dataclass(frozen=True)
class Sample:
    """One input x and its target y."""

    x: Vector
    y: Vector


@dataclass(frozen=True)
class Batch:
    """A data set of samples (xs[s], ys[s]); its cost is cost_avg = (1/n) sum_s C_s."""

    xs: tuple[Vector, ...]
    ys: tuple[Vector, ...]


@dataclass(frozen=True)
class Problem:
    """A network, a cost and the samples to backpropagate; `batch` says whether the function under
    test takes them all at once (and returns the gradient of the mean cost) or one sample."""

    network: Network
    cost: Cost
    xs: tuple[Vector, ...]
    ys: tuple[Vector, ...]
    batch: bool = False

    def samples(self) -> list[Problem]:
        """Each sample as a problem of its own (a batch of one, in the same form)."""
        return [Problem(self.network, self.cost, (x,), (y,), self.batch) for x, y in zip(self.xs, self.ys)]
