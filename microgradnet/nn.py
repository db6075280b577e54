"""Neuron, Layer and MLP: graphs of a_j = sigma(sum_k w_jk a_k + b_j).

Indices follow the math and Python at once: `mlp.layers[l].neurons[j].w[k]` is `w_jk` of layer
`l`, joining neuron (or input) `k` of the layer before to neuron `j`; its label is `w[l][j][k]`.

Initialisation: every weight is drawn from U(-sqrt(3/n_in), +sqrt(3/n_in)), which has variance
1/n_in (the scale of Nielsen's improved initialiser, keeping z of order 1 so sigmoids start out
of saturation), and every bias starts at 0. The draws come from `random.Random(seed)` in
`parameters()` order and use only arithmetic, so a seed gives the same network on every machine.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import math
import numbers
import os
import random
import weakref
from collections.abc import Sequence
from typing import Any, NamedTuple

from microgradnet import checks, serialize
from microgradnet.activations import ACTIVATION_OPS, ACTIVATIONS, SOFTMAX, check_activation, check_output_activation
from microgradnet.engine import Operand, Value, softmax, weighted_sum, weighted_sums


class Place(NamedTuple):
    """Where a parameter sits: its neuron (l, j) in an MLP, (j,) in a Layer, () alone,
    and the op of that neuron's activation node."""

    neuron: tuple[int, ...]
    activation: str


# Every parameter's place, recorded when a module names it, so a drawing can group a graph's nodes
# by neuron without reading labels (which are for people, and may be changed). Weak keys: the
# record lives as long as the parameter.
_places: weakref.WeakKeyDictionary[Value, Place] = weakref.WeakKeyDictionary()


def place_of(parameter: Value) -> Place | None:
    """The place of a weight or bias of a `Neuron`, `Layer` or `MLP`; None for any other Value."""
    return _places.get(parameter)


def check_inputs(x: Sequence[Operand], expected: int) -> list[Value]:
    """The inputs as Values (numbers become leaves labelled x[k]); each must be finite."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(f"inputs must be a sequence of {expected} numbers or Values, got {type(x).__name__}")
    if len(x) != expected:
        raise ValueError(f"expected {expected} inputs, got {len(x)}")
    a = []
    for k, x_k in enumerate(x):
        if not isinstance(x_k, Value):
            if not isinstance(x_k, numbers.Real):
                raise TypeError(f"input x[{k}] must be a real number or a Value, got {type(x_k).__name__}: {x_k!r}")
            x_k = Value(checks.real(f"input x[{k}]", x_k, finite=False), f"x[{k}]")  # ValueError beyond 1.8e308
        if not math.isfinite(x_k.data):
            raise ValueError(f"input x[{k}] = {x_k.data!r} is not finite")
        a.append(x_k)
    return a


def _check_rng(rng: object) -> random.Random:
    """`rng` itself, or a fresh unseeded generator for None."""
    if rng is None:
        return random.Random()
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng must be a random.Random or None, got {type(rng).__name__}: {rng!r}")
    return rng


def _output_of_a_whole_layer(z: Value) -> Value:
    """The activation of a neuron of a softmax layer, which has none of its own."""
    raise ValueError(
        "a neuron of a softmax layer has no output of its own: a_j = softmax(z)_j reads every z_k of its layer; "
        "call the Layer"
    )


class Module:
    """Anything with parameters: gives `parameters()` and `zero_grad()`."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        """Set every parameter's `grad` to 0 (gradients accumulate across `backward()` calls)."""
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """One neuron: z = sum_k w_k a_k + b (one node), a = sigma(z) (one node)."""

    def __init__(self, nin: int, activation: str = "sigmoid", *, rng: random.Random | None = None) -> None:
        self.nin = checks.count("nin", nin)
        self.activation = check_activation(activation)
        rng = _check_rng(rng)
        bound = math.sqrt(3.0 / nin)
        # -bound + 2 bound r from random() alone: Python guarantees random()'s sequence for a seed
        # on every version, not uniform()'s, so a seed's network stays the same everywhere.
        self.w = [Value(-bound + (bound + bound) * rng.random()) for _ in range(nin)]
        self.b = Value(0.0)
        self._sigma = ACTIVATIONS[activation]
        self.name_as(())

    def name_as(self, place: tuple[int, ...]) -> None:
        """Record this neuron's place, (l, j) in an MLP, and label its parameters and outputs with
        it as Python indices, e.g. (1, 0) -> `w[1][0][2]`."""
        self.place = place
        self.index = index = "".join(f"[{i}]" for i in place)
        self.z_label, self.a_label = f"z{index}", f"a{index}"  # made once, not at every forward
        for k, w_k in enumerate(self.w):
            w_k.label = f"w{index}[{k}]"
        self.b.label = f"b{index}"
        for p in self.parameters():
            _places[p] = Place(place, ACTIVATION_OPS[self.activation])

    def __call__(self, x: Sequence[Operand]) -> Value:
        return self.forward(check_inputs(x, self.nin))

    def forward(self, a: list[Value]) -> Value:
        """a_j = sigma(z_j), z_j = sum_k w_jk a_k + b_j, for inputs already checked and wrapped."""
        return self.activate(weighted_sum(self.w, a, self.b))

    def activate(self, z: Value) -> Value:
        """a_j = sigma(z_j) for this neuron's z_j, both labelled."""
        z.label = self.z_label
        out = self._sigma(z)
        out.label = self.a_label
        return out

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron(nin={self.nin}, activation={self.activation!r})"


class Layer(Module):
    """A layer of `nout` neurons that all read the same `nin` inputs: a^l = sigma(W^l a^(l-1) + b^l),
    or a^l = softmax(z^l) for the activation "softmax"."""

    def __init__(self, nin: int, nout: int, activation: str = "sigmoid", *, rng: random.Random | None = None) -> None:
        self.nin = checks.count("nin", nin)
        self.nout = checks.count("nout", nout)
        self.activation = check_output_activation(activation)
        rng = _check_rng(rng)
        whole_layer = activation == SOFTMAX
        self.neurons = [Neuron(nin, "linear" if whole_layer else activation, rng=rng) for _ in range(nout)]
        if whole_layer:  # each neuron's a_j is its layer's softmax(z)_j
            for neuron in self.neurons:
                neuron.activation = SOFTMAX
                neuron._sigma = _output_of_a_whole_layer
        self.name_as(())

    def name_as(self, place: tuple[int, ...]) -> None:
        """Give neuron j the place (*place, j): in layer l of an MLP its weights are `w[l][j][k]`."""
        for j, neuron in enumerate(self.neurons):
            neuron.name_as((*place, j))

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        return self.forward(check_inputs(x, self.nin))

    def forward(self, a: list[Value]) -> list[Value]:
        """a^l = sigma(z^l), z^l = W^l a^(l-1) + b^l (the inputs' data read once for the layer)."""
        neurons = self.neurons
        z = weighted_sums([neuron.w for neuron in neurons], a, [neuron.b for neuron in neurons])
        if self.activation != SOFTMAX:
            return [neuron.activate(z_j) for neuron, z_j in zip(neurons, z)]
        for neuron, z_j in zip(neurons, z):
            z_j.label = neuron.z_label
        a = softmax(z)
        for neuron, a_j in zip(neurons, a):
            a_j.label = neuron.a_label
        return a

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer(nin={self.nin}, nout={self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: a^l = sigma(W^l a^(l-1) + b^l) for l = 0 .. L-1 (`layers[l]`); the
    output layer may be a^L = softmax(z^L) (`output_activation="softmax"`)."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "sigmoid",
        *,
        output_activation: str | None = None,
        seed: int | None = None,
    ) -> None:
        self.nin = checks.count("nin", nin)
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(f"nouts must be a non-empty sequence of layer sizes, got {nouts!r}")
        sizes = [self.nin, *(checks.count(f"nouts[{l}]", n) for l, n in enumerate(nouts))]
        self.activation = check_activation(activation)
        self.output_activation = check_output_activation(
            output_activation if output_activation is not None else activation
        )
        self.seed = checks.seed(seed)
        rng = random.Random(seed)
        activations = [self.activation] * (len(nouts) - 1) + [self.output_activation]
        self.layers = [Layer(sizes[l], sizes[l + 1], activations[l], rng=rng) for l in range(len(nouts))]
        for l, layer in enumerate(self.layers):
            layer.name_as((l,))

    @property
    def sizes(self) -> list[int]:
        """Widths of the input and of every layer, e.g. [2, 3, 1]."""
        return [self.nin, *(layer.nout for layer in self.layers)]

    def __call__(self, x: Sequence[Operand]) -> list[Value]:
        a = check_inputs(x, self.nin)
        for layer in self.layers:
            a = layer.forward(a)
        return a

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return (
            f"MLP(nin={self.nin}, nouts={self.sizes[1:]}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )

    # -- saving and loading: the format and its checks live in `microgradnet.serialize` --

    def state_dict(self) -> dict[str, Any]:
        """Architecture, weights and biases as JSON-ready data (`weights[j][k]` of layer l is w_jk)."""
        return serialize.state_dict(self)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy weights and biases from `state`; `ModelFormatError` (model unchanged) if anything is off."""
        serialize.load_state_dict(self, state)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write this model to `path` as JSON, atomically (a crash mid-save keeps the old file)."""
        serialize.save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MLP:
        """The model saved at `path`; `ModelFormatError` if the file is not a valid saved model."""
        state = serialize.read_state(path)
        mlp = cls(state["nin"], state["nouts"], state["activation"], output_activation=state["output_activation"])
        serialize.load_state_dict(mlp, state)
        return mlp
