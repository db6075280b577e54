"""The activations sigma a neuron may apply, by name: a = sigma(z) is one node of the table."""

from __future__ import annotations

from collections.abc import Callable

from microgradnet.engine import Value

ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": Value.identity,
}


# The op of the node each activation makes (its row in the derivative table).
ACTIVATION_OPS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "linear": "identity"}


def check_activation(name: object) -> str:
    """`name` if it is a known activation, else a `ValueError` listing the valid ones."""
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(map(repr, ACTIVATIONS))}")
    return name
