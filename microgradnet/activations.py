"""The activations sigma a neuron or an output layer may apply, by name: a = sigma(z) is one node of the table."""

from __future__ import annotations

from collections.abc import Callable

from microgradnet.engine import Value

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": Value.identity,
}

# The activation of a whole layer: a_j = softmax(z)_j reads every z_k of the layer, so a Layer (an
# MLP's output layer) applies it, not one Neuron.
SOFTMAX = "softmax"
OUTPUT_ACTIVATIONS = (*ACTIVATIONS, SOFTMAX)

# The op of the node each activation makes (its row in the derivative table).
ACTIVATION_OPS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "linear": "identity", SOFTMAX: "softmax"}


def check_activation(name: object) -> str:
    """`name` if it is a known activation of a neuron, else a `ValueError` listing the valid ones."""
    if name == SOFTMAX:
        raise ValueError(
            "softmax is the activation of a whole output layer (each a_j reads every z_k): "
            "use MLP(..., output_activation='softmax') or Layer(nin, nout, 'softmax')"
        )
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(map(repr, ACTIVATIONS))}")
    return name


def check_output_activation(name: object) -> str:
    """`name` if it is a known activation of an output layer (softmax too), else a `ValueError`."""
    if name == SOFTMAX:
        return name
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(map(repr, OUTPUT_ACTIVATIONS))}")
    return name
