"""How a backprop under test receives the network and returns its gradients.

`LISTS`: nested lists, `weights[l][j][k]` = w^l_jk, `biases[l][j]` = b^l_j, `x[k]`, `y[j]`.
`NIELSEN`: arrays as Nielsen's `network.py` keeps them: `weights[l]` of shape (n_l, n_(l-1)),
`biases[l]`, x and y as (n, 1) columns.

Either way the function returns the pair (dC/dw, dC/db) in its own layout (or (dC/db, dC/dw) with
`returns="db, dw"`, the order of Nielsen's `backprop`). Whatever it returns is read without
importing an array library: anything with a `tolist()` method (numpy, torch, jax arrays) or a
nested sequence of real numbers. Only `NIELSEN` makes arrays, with `numpy.array` unless it is
given another constructor.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import importlib
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from microgradnet.testing.problem import Gradients, Matrix, Network, Parameter, Problem, Vector

Returns = Literal["dw, db", "db, dw"]


class LayoutError(ValueError):
    """What the function under test returned does not have the shapes of the network's parameters, or it
    changed the arguments it was given."""


DOUBLE = 2.0**-53  # the unit roundoff of a Python float (and of numpy's float64)


@dataclass(frozen=True)
class Layout:
    """A way to hand the network to a function and read its gradients back."""

    name: str
    columns: bool  # vectors as (n, 1) columns and matrices as arrays, as in Nielsen's network.py
    array: Callable[[Any], Any] | None = None  # the array constructor; None means numpy.array

    def arguments(self, problem: Problem) -> tuple[Any, Any, Any, Any]:
        """(weights, biases, x, y), or (weights, biases, xs, ys) for a batch, fresh for every call."""
        network = problem.network
        weights = [self._matrix(w) for w in network.weights]
        biases = [self._vector(b) for b in network.biases]
        xs = [self._vector(x) for x in problem.xs]
        ys = [self._vector(y) for y in problem.ys]
        return (weights, biases, xs, ys) if problem.batch else (weights, biases, xs[0], ys[0])

    def _make(self, rows: list[Any]) -> Any:
        if not self.columns:
            return rows
        array = self.array or _numpy_array()
        return array(rows)

    def _matrix(self, w: Matrix) -> Any:
        return self._make([list(w_j) for w_j in w])

    def _vector(self, v: Vector) -> Any:
        return self._make([[v_j] for v_j in v] if self.columns else list(v))

    def where(self, parameter: Parameter) -> str:
        """Where the function's answer for this parameter sits in what it returned, e.g. `dw[1][0, 2]`."""
        l, j, k = parameter
        if k is None:
            return f"db[{l}][{j}, 0]" if self.columns else f"db[{l}][{j}]"
        return f"dw[{l}][{j}, {k}]" if self.columns else f"dw[{l}][{j}][{k}]"

    def source(self, problem: Problem, call: str = "dw, db = fn") -> str:
        """Python lines that rebuild the arguments, to paste next to the function, and `call` on them."""
        network = problem.network
        if self.columns:
            weights = ", ".join(f"np.array({[list(w_j) for w_j in w]!r})" for w in network.weights)
            biases = ", ".join(f"np.array({[[b_j] for b_j in b]!r})" for b in network.biases)
            xs = [f"np.array({[[x_k] for x_k in x]!r})" for x in problem.xs]
            ys = [f"np.array({[[y_j] for y_j in y]!r})" for y in problem.ys]
            lines = ["import numpy as np", f"weights = [{weights}]", f"biases = [{biases}]"]
        else:
            xs = [repr(list(x)) for x in problem.xs]
            ys = [repr(list(y)) for y in problem.ys]
            lines = [
                f"weights = {[[list(w_j) for w_j in w] for w in network.weights]!r}",
                f"biases = {[list(b) for b in network.biases]!r}",
            ]
        if problem.batch:
            lines += [f"xs = [{', '.join(xs)}]", f"ys = [{', '.join(ys)}]", f"{call}(weights, biases, xs, ys)"]
        else:
            lines += [f"x = {xs[0]}", f"y = {ys[0]}", f"{call}(weights, biases, x, y)"]
        return "\n".join(lines)


def _numpy_array() -> Callable[[Any], Any]:
    try:
        numpy = importlib.import_module("numpy")
    except ImportError:
        raise ImportError(
            "layout='nielsen' hands the function numpy arrays: pip install numpy, or pass array= another constructor"
        ) from None
    array: Callable[[Any], Any] = numpy.array
    return array


LISTS = Layout("lists", columns=False)
NIELSEN = Layout("nielsen", columns=True)
LAYOUTS = {layout.name: layout for layout in (LISTS, NIELSEN)}


def get_layout(layout: str | Layout) -> Layout:
    """The layout called `layout` ("lists" or "nielsen"), or `layout` itself."""
    if isinstance(layout, Layout):
        return layout
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(map(repr, LAYOUTS))}")
    return LAYOUTS[layout]


# --- reading what the function returned -----------------------------------------------------------


def read_gradients(returned: object, network: Network, returns: Returns = "dw, db") -> Gradients:
    """The function's (dC/dw, dC/db) as floats, checked against the network's shapes; `LayoutError` naming
    the first part that does not fit (and the fix, when the pair is the wrong way round)."""
    return _read(returned, network, returns, [])


def _read(returned: object, network: Network, returns: Returns, roundoffs: list[float]) -> Gradients:
    if isinstance(returned, (str, bytes)) or not isinstance(returned, Sequence) or len(returned) != 2:
        shown = f"a sequence of {len(returned)}" if isinstance(returned, Sequence) else type(returned).__name__
        raise LayoutError(f"fn must return the pair ({returns}), got {shown}")
    first, second = returned
    dw, db = (first, second) if returns == "dw, db" else (second, first)
    try:
        return Gradients(_read_weights(dw, network, roundoffs), _read_biases(db, network, roundoffs))
    except LayoutError as error:
        try:  # the pair the other way round?
            Gradients(_read_weights(db, network, []), _read_biases(dw, network, []))
        except LayoutError:
            raise error from None
        other = "db, dw" if returns == "dw, db" else "dw, db"
        raise LayoutError(
            f"fn returned ({other}) where ({returns}) was expected; pass returns={other!r} "
            "(Nielsen's backprop returns (nabla_b, nabla_w))"
        ) from None


def _roundoff(value: object) -> float | None:
    """The unit roundoff of an array's floating-point dtype (2^-24 for float32), None for anything else."""
    dtype = getattr(value, "dtype", None)
    itemsize = getattr(dtype, "itemsize", None)
    floating = getattr(dtype, "kind", None) == "f" or getattr(dtype, "is_floating_point", False)
    if not floating or not isinstance(itemsize, int) or itemsize >= 8:
        return None
    return {4: 2.0**-24, 2: 2.0**-11}.get(itemsize, 2.0**-8)


def _plain(value: object, name: str, roundoffs: list[float]) -> Any:
    """`value` as nested lists of floats: arrays by their `tolist()`, sequences element by element; the
    unit roundoff of every array narrower than a float64 goes into `roundoffs`."""
    tolist = getattr(value, "tolist", None)
    if callable(tolist):
        if (roundoff := _roundoff(value)) is not None:
            roundoffs.append(roundoff)
        value = tolist()
    if isinstance(value, (str, bytes)):
        raise LayoutError(f"{name} must be numbers, got {type(value).__name__} {value!r}")
    if isinstance(value, Sequence):
        return [_plain(item, f"{name}[{i}]", roundoffs) for i, item in enumerate(value)]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise LayoutError(f"{name} must be a real number, got {type(value).__name__}: {value!r}")
    return float(value)


def _shape(value: Any) -> tuple[int, ...]:
    """The shape of nested lists, as far as it is rectangular."""
    if not isinstance(value, list):
        return ()
    inner = {_shape(item) for item in value}
    return (len(value), *inner.pop()) if len(inner) == 1 else (len(value),)


def _layers(value: object, network: Network, name: str, roundoffs: list[float]) -> list[Any]:
    layers = _plain(value, name, roundoffs)
    L = len(network.biases)
    if not isinstance(layers, list) or len(layers) != L:
        count = len(layers) if isinstance(layers, list) else "no"
        raise LayoutError(f"{name} must hold one entry per layer ({L}), got {count}")
    return layers


def _read_weights(value: object, network: Network, roundoffs: list[float]) -> tuple[Matrix, ...]:
    layers = _layers(value, network, "dC/dw", roundoffs)
    sizes = network.sizes
    for l, dW in enumerate(layers):
        expected = (sizes[l + 1], sizes[l])
        if _shape(dW) != expected:
            transposed = " (transposed?)" if _shape(dW) == expected[::-1] else ""
            raise LayoutError(
                f"dC/dw[{l}] has shape {_shape(dW)}{transposed}; expected {expected}, the shape of w[{l}]: "
                f"one row per neuron of layer {l}, one column per input to it"
            )
    return tuple(tuple(tuple(row) for row in dW) for dW in layers)


def _read_biases(value: object, network: Network, roundoffs: list[float]) -> tuple[Vector, ...]:
    layers = _layers(value, network, "dC/db", roundoffs)
    sizes = network.sizes
    vectors = []
    for l, db in enumerate(layers):
        n = sizes[l + 1]
        if _shape(db) == (n, 1):  # a column, as in Nielsen's network.py
            db = [row[0] for row in db]
        if _shape(db) != (n,):
            shape = _shape(db)
            samples = " (a column per sample? a batch's dC/db sums delta over the samples: axis=1)"
            hint = samples if len(shape) == 2 and shape[0] in (1, n) and shape[1] > 1 else ""
            raise LayoutError(f"dC/db[{l}] has shape {shape}; expected ({n},) or ({n}, 1), one per neuron{hint}")
        vectors.append(tuple(db))
    return tuple(vectors)


def _changed(layout: Layout, problem: Problem, arguments: tuple[Any, Any, Any, Any]) -> str | None:
    """Which argument no longer holds what the function was given (changed in place), e.g. `weights[1]`."""
    names = ("weights", "biases", "xs", "ys") if problem.batch else ("weights", "biases", "x", "y")
    for name, given, now in zip(names, layout.arguments(problem), arguments):
        if _flat(now) != _flat(given):
            if name in ("weights", "biases") and isinstance(now, list) and len(now) == len(given):
                return next(f"{name}[{l}]" for l, (g, n) in enumerate(zip(given, now)) if _flat(n) != _flat(g))
            return name
    return None


def _flat(value: object) -> list[float] | None:
    """Every number in `value`, in order (None if it is no longer numbers)."""
    try:
        plain = _plain(value, "", [])
    except LayoutError:
        return None
    numbers_in: list[float] = []
    stack = [plain]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        else:
            numbers_in.append(item)
    return numbers_in


def call(fn: Callable[..., object], layout: Layout, problem: Problem, returns: Returns) -> tuple[Gradients, float]:
    """Run the function under test on the problem in its layout; its gradients and their unit roundoff
    (2^-53 for floats and float64, 2^-24 if any array it returned is float32). `LayoutError` if they do not
    fit the network, or if the function changed the weights, biases or samples it was given."""
    arguments = layout.arguments(problem)
    returned = fn(*arguments)
    if (changed := _changed(layout, problem, arguments)) is not None:
        raise LayoutError(
            f"fn changed its argument {changed} in place: a backprop must leave the network and the samples as "
            "it found them (copy before an update, or return the gradients and let the caller step)"
        )
    roundoffs: list[float] = []
    gradients = _read(returned, problem.network, returns, roundoffs)
    return gradients, max(roundoffs, default=DOUBLE)
