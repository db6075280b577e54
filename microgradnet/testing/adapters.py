"""Your code as the kit calls it: `fn(weights, biases, x, y)`, and a network class like the `Network` of
Nielsen's network.py adapted to that form.

`nielsen_network(Network)` makes the function that builds `Network(sizes)`, puts the kit's weights and
biases into its `weights` and `biases` and calls its `backprop(x, y)`; given an object instead of the
class, it works on a shallow copy of it (your own network is never touched).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any


def _sizes(weights: Any, biases: Any) -> list[int]:
    """[n_0, n_1, ..., n_L] from weights[l] with one row of n_(l-1) entries per neuron (lists or arrays)."""
    return [len(weights[0][0]), *(len(b) for b in biases)]


class NetworkMethod:
    """fn(weights, biases, x, y) = network.method(x, y) on a network holding these weights and biases."""

    def __init__(self, network: Any, method: str = "backprop") -> None:
        if not callable(getattr(network, method, None)):
            raise TypeError(f"{_name(network)} has no method {method!r} to check")
        self.network, self.method = network, method
        self.__name__ = self.__qualname__ = f"{_name(network)}.{method}"

    def __call__(self, weights: Any, biases: Any, x: Any, y: Any) -> object:
        sizes = _sizes(weights, biases)
        if isinstance(self.network, type):
            try:
                net = self.network(sizes)
            except Exception as error:
                raise TypeError(
                    f"the kit makes your network as {self.network.__name__}({sizes}), as in network.py, and that "
                    f"raised {type(error).__name__}: {error}; pass nielsen_network(an object of yours) instead"
                ) from error
        else:
            net = copy.copy(self.network)
            for name, value in (("sizes", sizes), ("num_layers", len(sizes))):
                if hasattr(net, name):
                    setattr(net, name, value)
        net.weights, net.biases = weights, biases
        return getattr(net, self.method)(x, y)


def nielsen_network(network: Any, method: str = "backprop") -> NetworkMethod:
    """fn(weights, biases, x, y) = network.method(x, y) on a network holding these weights and biases.

    `network` is a class like Nielsen's `Network`, made as `Network(sizes)`, or an object of one (a
    shallow copy of it is used, with `sizes` and `num_layers` set too where it has them). Checked, it
    gets the layout "nielsen" and returns (nabla_b, nabla_w) unless told otherwise.
    """
    return NetworkMethod(network, method)


def _name(network: Any) -> str:
    return network.__name__ if isinstance(network, type) else type(network).__name__


def adapt(fn: Callable[..., object]) -> tuple[Callable[..., object], bool]:
    """`fn` as fn(weights, biases, x, y), and whether it was a network (a class, or a bound method of an
    object with `weights` and `biases`) adapted by `nielsen_network`."""
    if isinstance(fn, NetworkMethod):
        return fn, True
    if isinstance(fn, type):
        return nielsen_network(fn), True
    owner = getattr(fn, "__self__", None)
    if inspect.ismethod(fn) and hasattr(owner, "weights") and hasattr(owner, "biases"):
        return nielsen_network(owner, fn.__name__), True
    return fn, False


def check_signature(fn: Callable[..., object], batch: bool) -> None:
    """A TypeError naming the expected form if `fn` cannot be called with four arguments."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # no signature to read (a builtin): calling it will tell
        return
    try:
        signature.bind(None, None, None, None)
    except TypeError:
        arguments = "weights, biases, xs, ys" if batch else "weights, biases, x, y"
        name = getattr(fn, "__qualname__", getattr(fn, "__name__", type(fn).__name__))
        hint = ""
        if next(iter(signature.parameters), None) == "self":
            owner = name.rpartition(".")[0] or "Network"
            hint = (
                f"; it is a method: pass the class, check_backprop({owner}), or an object's method, "
                f"check_backprop(net.{getattr(fn, '__name__', 'backprop')})"
            )
        raise TypeError(f"fn must take ({arguments}); {name}{signature} does not{hint}") from None
