"""`check_backprop` on code as other people write it: Nielsen's `Network` class passed as it is, (n,)
vectors, float32, relu's kink under each convention people use, in-place updates, calls that do not fit;
and `check_engine` on micrograd-like engines with the bugs learners make.

The false-positive controls come first: correct code that the kit must accept.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from microgradnet.testing import BackpropMismatch, check_backprop, check_engine, nielsen_network

# --- Nielsen's network.py, as learners copy it ------------------------------------------------------------


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("alice_network", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The correct submission of the teacher's folder: Nielsen's network.py as learners copy it.
NIELSEN = _load(Path(__file__).parent / "submissions" / "alice" / "network.py")
Network, sigmoid, sigmoid_prime = NIELSEN.Network, NIELSEN.sigmoid, NIELSEN.sigmoid_prime


def test_nielsens_network_class_is_checked_as_it_is() -> None:
    """The class itself, an object's bound method and `nielsen_network` all pass, in Nielsen's layout and
    (nabla_b, nabla_w) order without saying so; the object handed in keeps its own weights."""
    net = Network([2, 3, 1])
    before = [w.copy() for w in net.weights]
    for fn in (Network, net.backprop, nielsen_network(Network)):
        assert check_backprop(fn, examples=50).examples == 50
    assert all(np.array_equal(w, b) for w, b in zip(net.weights, before))


def test_a_method_given_unbound_is_refused_with_the_fix() -> None:
    """`Network.backprop` (self, x, y) cannot take the kit's four arguments: a TypeError says how to pass it."""
    with pytest.raises(TypeError, match=r"it is a method: pass the class, check_backprop\(Network\)"):
        check_backprop(Network.backprop)


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (lambda w, b, x: None, r"fn must take \(weights, biases, x, y\); <lambda>\(w, b, x\) does not"),
        (lambda w, b, x, y, eta: None, r"<lambda>\(w, b, x, y, eta\) does not"),
    ],
)
def test_a_function_of_the_wrong_form_is_a_type_error(fn: Any, message: str) -> None:
    """A wrong signature is the caller's error, named before any example runs, not a mismatch."""
    with pytest.raises(TypeError, match=message):
        check_backprop(fn)


def test_a_network_class_has_no_batch_form() -> None:
    """batch=True with a network class is refused: its backprop takes one sample."""
    with pytest.raises(ValueError, match="checked one sample at a time"):
        check_backprop(Network, batch=True)


# --- layouts people use -------------------------------------------------------------------------------------


def flat_backprop(weights: Any, biases: Any, x: Any, y: Any, dtype: Any = np.float64) -> tuple[Any, Any]:
    """BP1-BP4 with vectors of shape (n,) and np.outer, in `dtype`; returns (nabla_w, nabla_b) as tuples."""
    weights = [np.asarray(w, dtype=dtype) for w in weights]
    biases = [np.asarray(b, dtype=dtype).reshape(-1) for b in biases]
    x, y = np.asarray(x, dtype=dtype).reshape(-1), np.asarray(y, dtype=dtype).reshape(-1)
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(sigmoid(zs[-1]))
    delta = (activations[-1] - y) * sigmoid_prime(zs[-1])
    nabla_w, nabla_b = [np.outer(delta, activations[-2])], [delta]
    for l in range(2, len(weights) + 1):
        delta = (weights[-l + 1].T @ delta) * sigmoid_prime(zs[-l])
        nabla_w.insert(0, np.outer(delta, activations[-l - 1]))
        nabla_b.insert(0, delta)
    return tuple(nabla_w), tuple(nabla_b)


def test_flat_vectors_and_tuples_pass() -> None:
    """(n,) vectors, (n,) bias gradients and tuples instead of lists are all read."""
    assert check_backprop(flat_backprop, layout="nielsen", examples=100).examples == 100


def test_float32_gradients_pass_and_the_report_says_so() -> None:
    """Correct float32 code passes (its rounding is not a mistake) and the report names the looser tolerance,
    which float64 code does not get."""

    def in_float32(*arguments: Any) -> tuple[Any, Any]:
        return flat_backprop(*arguments, dtype=np.float32)

    assert "your gradients are float32: compared within 0.00098" in check_backprop(in_float32, layout="nielsen").text
    assert "float32" not in check_backprop(flat_backprop, layout="nielsen", examples=20).text


def test_a_float32_mistake_is_still_caught_and_named() -> None:
    """The looser float32 tolerance still catches a factor of 2 and names it."""

    def doubled(*arguments: Any) -> tuple[Any, Any]:
        dw, db = flat_backprop(*arguments, dtype=np.float32)
        return [2 * w for w in dw], [2 * b for b in db]

    with pytest.raises(BackpropMismatch) as caught:
        check_backprop(doubled, layout="nielsen")
    assert caught.value.diagnosis is not None
    names = [mistake.name for mistake in caught.value.diagnosis.mistakes]
    assert names == ["cost derivative off by a factor of 2 (twice too large)"], str(caught.value)


# --- relu at its kink ------------------------------------------------------------------------------------


def relu_backprop(weights: Any, biases: Any, x: Any, y: Any, slope_at_0: float = 0.0) -> tuple[Any, Any]:
    """Relu hidden layers, a linear output and half_sse, with relu'(0) = slope_at_0."""
    activations, zs = [x], []
    for l, (w, b) in enumerate(zip(weights, biases)):
        zs.append(w @ activations[-1] + b)
        activations.append(zs[-1] if l == len(weights) - 1 else np.maximum(zs[-1], 0.0))
    delta = activations[-1] - y
    nabla_w, nabla_b = [delta @ activations[-2].T], [delta]
    for l in range(2, len(weights) + 1):
        delta = (weights[-l + 1].T @ delta) * np.heaviside(zs[-l], slope_at_0)
        nabla_w.insert(0, delta @ activations[-l - 1].T)
        nabla_b.insert(0, delta)
    return nabla_w, nabla_b


@pytest.mark.parametrize("slope", [0.0, 0.5, 1.0])
def test_every_relu_convention_at_the_kink_passes(slope: float) -> None:
    """relu'(0) taken as 0 (PyTorch, `z > 0`), 1/2 (`np.heaviside(z, 0.5)`) or 1 (`z >= 0`): each a subgradient,
    each accepted on networks where relus sit exactly at 0."""
    options = {"activation": "relu", "output_activation": "linear", "layout": "nielsen"}
    assert check_backprop(lambda *a: relu_backprop(*a, slope_at_0=slope), **options).examples == 200


def test_a_required_relu_convention_is_enforced() -> None:
    """relu_prime_at_0=0.0 insists on PyTorch's slope: relu'(0) = 1 then fails and is named."""
    with pytest.raises(BackpropMismatch) as caught:
        check_backprop(
            lambda *a: relu_backprop(*a, slope_at_0=1.0),
            activation="relu",
            output_activation="linear",
            layout="nielsen",
            relu_prime_at_0=0.0,
        )
    assert caught.value.diagnosis is not None
    assert [mistake.name for mistake in caught.value.diagnosis.mistakes] == ["relu'(0) = 1"], str(caught.value)


def test_a_relu_convention_must_be_a_slope() -> None:
    """relu_prime_at_0 outside [0, 1] is refused, naming it."""
    with pytest.raises(ValueError, match="relu_prime_at_0 must be a slope in"):
        check_backprop(relu_backprop, relu_prime_at_0=2.0)


# --- mistakes in no catalogue -----------------------------------------------------------------------------


def test_an_update_inside_backprop_is_caught() -> None:
    """A backprop that takes an SGD step on the weights it was handed is named as changing its argument."""

    def learning_as_it_goes(weights: Any, biases: Any, x: Any, y: Any) -> tuple[Any, Any]:
        dw, db = flat_backprop(weights, biases, x, y)
        for w, g in zip(weights, dw):
            w -= 3.0 * g
        return dw, db

    with pytest.raises(BackpropMismatch, match=r"fn changed its argument weights\[0\] in place"):
        check_backprop(learning_as_it_goes, layout="nielsen")


def test_gradients_for_only_some_layers_are_named() -> None:
    """Returning the output layer's gradients alone says how many layers were expected."""

    def last_layer_only(*arguments: Any) -> tuple[Any, Any]:
        dw, db = flat_backprop(*arguments)
        return dw[-1:], db[-1:]

    with pytest.raises(BackpropMismatch, match=r"dC/dw must hold one entry per layer \(2\), got 1"):
        check_backprop(last_layer_only, layout="nielsen", sizes=[2, 3, 1])


def test_a_batch_bias_gradient_with_a_column_per_sample_is_explained() -> None:
    """Bias gradients summed over the wrong axis keep one column per sample: the message says so."""

    def matrix_batch(weights: Any, biases: Any, xs: Any, ys: Any) -> tuple[Any, Any]:
        X, Y = np.hstack(xs), np.hstack(ys)
        activations, zs = [X], []
        for w, b in zip(weights, biases):
            zs.append(w @ activations[-1] + b)
            activations.append(sigmoid(zs[-1]))
        delta = (activations[-1] - Y) * sigmoid_prime(zs[-1])
        return [delta @ activations[-2].T / X.shape[1]], [delta / X.shape[1]]

    with pytest.raises(BackpropMismatch, match=r"a column per sample\? a batch's dC/db sums delta over the samples"):
        check_backprop(matrix_batch, layout="nielsen", batch=True, sizes=[2, 1])


# --- home-made engines ------------------------------------------------------------------------------------


class Engine:
    """A micrograd-like engine as learners write it (a closure per node); `bugs` plants mistakes."""

    bugs: frozenset[str] = frozenset()

    def __init__(self, data: float, children: tuple[Engine, ...] = ()) -> None:
        self.data, self.grad, self._prev = data, 0.0, children
        self._backward: Any = lambda: None

    def _new(self, data: float, children: tuple[Engine, ...]) -> Engine:
        return type(self)(data, children)

    def _wrap(self, other: Any) -> Engine:
        return other if isinstance(other, Engine) else type(self)(other)

    def __add__(self, other: Any) -> Engine:
        other = self._wrap(other)
        out = self._new(self.data + other.data, (self, other))

        def _backward() -> None:
            if "assign" in self.bugs:
                self.grad, other.grad = out.grad, out.grad
            else:
                self.grad += out.grad
                other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Any) -> Engine:
        other = self._wrap(other)
        out = self._new(self.data * other.data, (self, other))

        def _backward() -> None:
            if "assign" in self.bugs:
                self.grad, other.grad = other.data * out.grad, self.data * out.grad
            else:
                self.grad += other.data * out.grad
                other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, c: float) -> Engine:
        out = self._new(self.data**c, (self,))

        def _backward() -> None:
            base = abs(self.data) if "pow-abs" in self.bugs else self.data
            self.grad += c * base ** (c - 1) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Engine:
        out = self._new(max(self.data, 0.0), (self,))

        def _backward() -> None:
            self.grad += (self.data >= 0 if "relu-ge" in self.bugs else self.data > 0) * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Engine:
        return self * -1.0

    def __radd__(self, other: Any) -> Engine:
        return self + other

    def __sub__(self, other: Any) -> Engine:
        return self + (-other)

    def __rsub__(self, other: Any) -> Engine:
        return self - other if "rsub" in self.bugs else other + (-self)

    def __rmul__(self, other: Any) -> Engine:
        return self * other

    def __truediv__(self, other: Any) -> Engine:
        return self * other**-1.0

    def __rtruediv__(self, other: Any) -> Engine:
        return self / other if "rtruediv" in self.bugs else other * self**-1.0

    def backward(self) -> None:
        if "no-sort" in self.bugs:  # each node pushes its grad on as soon as it is reached
            self.grad = 1.0
            stack = [self]
            while stack:
                node = stack.pop()
                node._backward()
                stack.extend(node._prev)
            return
        order: list[Engine] = []
        seen: set[int] = set()
        stack2: list[tuple[Engine, bool]] = [(self, False)]
        while stack2:
            node, done = stack2.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack2 += [(node, True), *((child, False) for child in node._prev)]
        if "reset" in self.bugs:
            for node in order:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            node._backward()


def engine_with(*bugs: str) -> type[Engine]:
    return type("Value", (Engine,), {"bugs": frozenset(bugs)})


def test_the_home_made_engine_without_bugs_passes_but_where_micrograd_does() -> None:
    """The correct engine holds every property but micrograd's two: Python's (-2) ** 0.5 is complex, and a
    second backward() adds 1 to the root's grad and pushes the kept interior grads on again."""
    result = check_engine(engine_with())
    assert [f.key for f in result.findings if f.holds is False] == ["negative-fraction", "backward-twice"]
    assert "x.grad = 24.0, expected 12.0" in result["backward-twice"].counterexample


@pytest.mark.parametrize(
    ("bug", "failing", "shown"),
    [
        ("assign", ["expressions", "x*x", "shared"], "x.grad = 3.0, expected 6.0"),
        ("no-sort", ["expressions", "shared"], "x.grad = 30.0, expected 14.0"),
        ("rsub", ["expressions", "numbers-left"], "out = 2.0 - x"),
        ("rtruediv", ["expressions", "numbers-left"], "out = 1.0 / x"),
        ("pow-abs", ["negative-base"], "out = x ** 2.0; out.backward()  # d/dx = 2 x^1\n  x.grad = 4.0, expected -4.0"),
        ("relu-ge", ["relu-at-0"], "x.grad = 1.0, expected 0.0"),
        ("reset", ["backward-twice"], "your backward() sets every grad afresh"),
    ],
)
def test_engine_bugs_are_caught_by_the_property_they_break(bug: str, failing: list[str], shown: str) -> None:
    """Grads assigned with = instead of +=, no topological order (a shared node pushes twice), 2 - x as x - 2,
    1 / x as x / 1, |x| in d/dx x^c, relu'(0) = 1 and grads reset by backward(): each fails exactly the
    properties it breaks (relu'(0) only at its own probe, not again in the random expressions)."""
    result = check_engine(
        engine_with(bug), skip=["negative-fraction"] if bug == "reset" else ["negative-fraction", "backward-twice"]
    )
    assert [f.key for f in result.findings if f.holds is False] == failing, result.text
    assert any(shown in finding.counterexample for finding in result.findings), result.text


class LogPower(Engine):
    """d/dx x^c written as c exp((c - 1) ln x), which needs x > 0."""

    def __pow__(self, c: float) -> Engine:
        out = self._new(self.data**c, (self,))

        def _backward() -> None:
            self.grad += c * math.exp((c - 1) * math.log(self.data)) * out.grad

        out._backward = _backward
        return out


def test_an_engine_that_raises_in_a_probe_shows_the_code() -> None:
    """A probe the engine raises on shows the code it ran, then the error and where it came from."""
    finding = check_engine(LogPower, skip=["expressions"])["negative-base"]
    assert finding.holds is False
    assert finding.counterexample.startswith("x = LogPower(-2.0); out = x ** 3.0; out.backward()")
    assert "raised ValueError: math domain error (at " in finding.counterexample
