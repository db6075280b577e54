"""Hypothesis strategies shared by the test modules: numbers from each operation's domain,
architectures, activations, weights, inputs and targets."""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from microgradnet import MLP, Layer
from microgradnet.engine import Value, softmax, sum_values, weighted_sum
from microgradnet.losses import cross_entropy, one_hot
from microgradnet.operations import GROUP, OPERATIONS, TABLE, Operation, expression

# Moderate reals: big enough to exercise every branch, small enough that finite differences work.
reals = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False, allow_infinity=False)
positives = st.floats(min_value=0.05, max_value=5.0, allow_nan=False, allow_infinity=False)
nonzero = reals.filter(lambda x: abs(x) > 0.05)
# Away from relu's kink, where the central difference straddles two slopes.
off_kink = reals.filter(lambda x: abs(x) > 1e-3)

# Any finite float, subnormals and the largest magnitudes included: what a saved model must keep exactly.
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "linear")
activations = st.sampled_from(ACTIVATION_NAMES)


@st.composite
def small_mlps(draw: st.DrawFn) -> MLP:
    """An MLP of 1 to 3 layers, widths 1 to 4, 1 to 4 inputs, random activations, seeded."""
    nin = draw(st.integers(1, 4))
    nouts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    return MLP(nin, nouts, draw(activations), output_activation=draw(activations), seed=draw(st.integers(0, 2**32)))


def passthrough(n: int) -> MLP:
    """A linear layer with W = I and b = 0: its outputs are its inputs, so its class is argmax x."""
    mlp = MLP(n, [n], "linear", seed=0)
    for j, neuron in enumerate(mlp.layers[0].neurons):
        for k, w_jk in enumerate(neuron.w):
            w_jk.data = 1.0 if j == k else 0.0
    return mlp


# --- networks, for the delta suite ------------------------------------------------------------

# Weights that push a sigmoid output to exactly 0.0 or 1.0 (|z| > 37), where bce clamps its logs.
saturating_parameters = st.floats(min_value=-60.0, max_value=60.0, allow_nan=False, allow_infinity=False)
# Parameters, inputs and targets of order 1: wide enough to reach sigmoid's flat tails and cross relu's
# kink, small enough that a 4-layer linear network keeps its sums well-conditioned (the oracle and
# the engine add the same terms in different orders, which can differ only by rounding).
parameters = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
signals = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_infinity=False)

SMOOTH_ACTIVATIONS = ("sigmoid", "tanh", "linear")  # no kink: finite differences work everywhere
COST_NAMES = ("half_sse", "mse", "bce", "cross_entropy")
UNIT_INTERVAL_COSTS = ("bce", "cross_entropy")  # defined for outputs in [0, 1] only


@dataclass(frozen=True)
class Architecture:
    """Input width, layer widths and one activation per layer (mixed within a network)."""

    nin: int
    widths: tuple[int, ...]
    activations: tuple[str, ...]


@st.composite
def architectures(
    draw: st.DrawFn,
    *,
    min_layers: int = 1,
    max_layers: int = 4,
    max_width: int = 6,
    max_inputs: int = 5,
    activation_names: tuple[str, ...] = ACTIVATION_NAMES,
    one_hidden_activation: bool = False,
) -> Architecture:
    """1-4 layers of widths 1-6 on 1-5 inputs, each layer with its own activation (or, with
    `one_hidden_activation`, one for every hidden layer and one for the output, as `MLP` takes them)."""
    n_layers = draw(st.integers(min_layers, max_layers))
    activations = draw(st.lists(st.sampled_from(activation_names), min_size=n_layers, max_size=n_layers))
    if one_hidden_activation:
        activations = [activations[0]] * (n_layers - 1) + activations[-1:]
    return Architecture(
        nin=draw(st.integers(1, max_inputs)),
        widths=tuple(draw(st.lists(st.integers(1, max_width), min_size=n_layers, max_size=n_layers))),
        activations=tuple(activations),
    )


def build_mlp(architecture: Architecture, values: list[float]) -> MLP:
    """An MLP of this architecture whose parameters, in `parameters()` order, hold `values`."""
    nin, widths, activations = architecture.nin, architecture.widths, architecture.activations
    hidden = "sigmoid" if activations[0] == "softmax" else activations[0]  # softmax is an output's (one layer)
    mlp = MLP(nin, list(widths), hidden, output_activation=activations[-1], seed=0)
    # MLP takes one hidden activation; give every hidden layer its own by swapping the layer.
    sizes = [nin, *widths]
    for l in range(1, len(widths) - 1):
        mlp.layers[l] = Layer(sizes[l], sizes[l + 1], activations[l])
        mlp.layers[l].name_as((l,))
    for p, value in zip(mlp.parameters(), values, strict=True):
        p.data = value
    return mlp


def n_parameters(architecture: Architecture) -> int:
    """sum over layers of n_l (n_(l-1) + 1): each neuron's weights and its bias."""
    sizes = [architecture.nin, *architecture.widths]
    return sum(sizes[l + 1] * (sizes[l] + 1) for l in range(len(architecture.widths)))


@st.composite
def networks(draw: st.DrawFn, shape: Architecture, values: st.SearchStrategy[float] = parameters) -> MLP:
    """An MLP whose every weight and bias is drawn (not seeded), so a failure shrinks to a small one."""
    n = n_parameters(shape)
    return build_mlp(shape, draw(st.lists(values, min_size=n, max_size=n)))


def targets_for(mlp: MLP, cost: str) -> st.SearchStrategy[list[float]]:
    """One target per output: probabilities for bce, a one-hot class for cross_entropy, any signal otherwise."""
    n = mlp.layers[-1].nout
    if cost == "cross_entropy":
        return st.integers(0, n - 1).map(lambda y: one_hot(y, n))
    return st.lists(probabilities if cost == "bce" else signals, min_size=n, max_size=n)


@st.composite
def networks_with_cost(
    draw: st.DrawFn,
    costs: tuple[str, ...] = COST_NAMES,
    values: st.SearchStrategy[float] = parameters,
    **architecture: Any,
) -> tuple[MLP, str]:
    """A cost and a drawn network for it: bce and cross_entropy only behind a sigmoid output layer,
    where a^L is in (0, 1)."""
    cost = draw(st.sampled_from(costs))
    shape = draw(architectures(**architecture))
    if cost in UNIT_INTERVAL_COSTS:
        shape = replace(shape, activations=(*shape.activations[:-1], "sigmoid"))
    return draw(networks(shape, values)), cost


@dataclass(frozen=True)
class Problem:
    """A network, one sample (x, y) and the name of the cost C(a^L, y)."""

    mlp: MLP
    x: list[float]
    y: list[float]
    cost: str


@st.composite
def problems(draw: st.DrawFn, **network: Any) -> Problem:
    """A drawn cost, network, input and target; `network` narrows `networks_with_cost()`."""
    mlp, cost = draw(networks_with_cost(**network))
    x = draw(st.lists(signals, min_size=mlp.nin, max_size=mlp.nin))
    return Problem(mlp, x, draw(targets_for(mlp, cost)), cost)


# --- softmax outputs, for the delta suite ------------------------------------------------------

# bce behind softmax is left out: with a^L_j within e^-28 of 1, its dC/da_j = (1 - y_j)/(1 - a_j) turns
# the last bit of a_j into a relative 1e-4 of the gradient, in the engine's graph as in any other.
SOFTMAX_COSTS = ("cross_entropy", "half_sse", "mse")


@st.composite
def softmax_problems(
    draw: st.DrawFn, costs: tuple[str, ...] = SOFTMAX_COSTS, values: st.SearchStrategy[float] = parameters, **shape: Any
) -> Problem:
    """A drawn network with a softmax output layer a^L = softmax(z^L) of 2 to 10 classes, an input, and a
    target for the cost; `shape` narrows `architectures()`."""
    cost = draw(st.sampled_from(costs))
    architecture = draw(architectures(**shape))
    architecture = replace(
        architecture,
        widths=(*architecture.widths[:-1], draw(st.integers(2, 10))),
        activations=(*architecture.activations[:-1], "softmax"),
    )
    mlp = draw(networks(architecture, values))
    x = draw(st.lists(signals, min_size=mlp.nin, max_size=mlp.nin))
    return Problem(mlp, x, draw(targets_for(mlp, cost)), cost)


# --- problems for PyTorch's gradients ------------------------------------------------------------
#
# Two float64 implementations agree only as far as float64 fixes the answer. Where an output saturates
# (tanh'(z) = 1 - t^2 for t near 1) or a - y cancels, the last bit of a, which two correct
# implementations may round differently, moves the gradient by far more than 1e-12 of itself. These
# problems are well-conditioned by construction: parameters in [-1/2, 1/2], inputs in [-1, 1], at most
# 3 neurons and inputs a layer and sigmoid or tanh hidden layers, so |z| <= 2 (tanh'(z) >= 0.07), and
# targets a squared error keeps at least 3 away from any output (|a| <= 2), labels {0, 1} for bce.
torch_parameters = st.floats(min_value=-0.5, max_value=0.5, allow_nan=False, allow_infinity=False)
unit_signals = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_infinity=False)
far_targets = st.floats(min_value=5.0, max_value=6.0).flatmap(lambda t: st.sampled_from([t, -t]))


@st.composite
def torch_problems(draw: st.DrawFn) -> Problem:
    """A drawn cost, well-conditioned network (see above), input and target, for comparing with PyTorch."""
    cost = draw(st.sampled_from(COST_NAMES))
    shape = draw(architectures(max_layers=3, max_width=3, max_inputs=3, activation_names=("sigmoid", "tanh")))
    output = "sigmoid" if cost in UNIT_INTERVAL_COSTS else draw(st.sampled_from(SMOOTH_ACTIVATIONS))
    mlp = draw(networks(replace(shape, activations=(*shape.activations[:-1], output)), torch_parameters))
    x = draw(st.lists(unit_signals, min_size=mlp.nin, max_size=mlp.nin))
    n = mlp.layers[-1].nout
    if cost == "cross_entropy":
        y = one_hot(draw(st.integers(0, n - 1)), n)
    else:
        y = draw(st.lists(st.sampled_from([0.0, 1.0]) if cost == "bce" else far_targets, min_size=n, max_size=n))
    return Problem(mlp, x, y, cost)


@dataclass(frozen=True)
class BatchProblem:
    """A network, a data set of samples (xs[s], ys[s]) and the name of the per-sample cost."""

    mlp: MLP
    xs: list[list[float]]
    ys: list[list[float]]
    cost: str


@st.composite
def batch_problems(draw: st.DrawFn, max_samples: int = 4, costs: tuple[str, ...] = COST_NAMES) -> BatchProblem:
    """A drawn network, cost (one of `costs`) and data set of 1 to `max_samples` samples."""
    mlp, cost = draw(networks_with_cost(costs))
    n = draw(st.integers(1, max_samples))
    xs = draw(st.lists(st.lists(signals, min_size=mlp.nin, max_size=mlp.nin), min_size=n, max_size=n))
    ys = draw(st.lists(targets_for(mlp, cost), min_size=n, max_size=n))
    return BatchProblem(mlp, xs, ys, cost)


# --- every row of the derivative table, as a call -------------------------------------------


def parameters(row: Operation) -> list[str]:
    """The names `row.written` takes: its parents (a group `w_k` as the list `w`) and the constant `c`
    or the index `j`."""
    names = [parent.removesuffix(GROUP) for parent in row.parents]
    written = {node.id for node in ast.walk(expression(row.written)) if isinstance(node, ast.Name)}
    return [*names, *(held for held in ("c", "j") if held in written and held not in names)]


# A row whose group `y` is the one-hot target of a cost (cross_entropy(softmax(z), y)).
ONE_HOT_GROUP = "y"


def call(row: Operation) -> Callable[..., Value]:
    """The row as a user writes it (`row.written`), as a function of `parameters(row)`."""
    namespace = {
        "weighted_sum": weighted_sum,
        "sum_values": sum_values,
        "softmax": softmax,
        "cross_entropy": cross_entropy,
    }
    source = f"lambda {', '.join(parameters(row))}: {row.written}"
    function: Callable[..., Value] = eval(compile(source, CALL_SITE, "eval"), namespace)
    return function


CALL_SITE = "<a row of the table, as written>"  # where Python refuses an operand of `call(row)`


# The rows a plain operand or two make (x.exp(), x + y), for the fuzzers.
ONE_PARENT_ROWS = [row for row in TABLE if parameters(row) == ["x"]]
TWO_PARENT_ROWS = [row for row in TABLE if parameters(row) == ["x", "y"]]


# A case per row of the table, for the derivative tests: the operation as a function of
# Values, and the domain of each input (a constant c of x**c and c**y is drawn, not an input).
Case = Callable[[st.DataObject], tuple[Callable[..., Value], list[float]]]


def _inputs(f: Callable[..., Value], *domains: st.SearchStrategy[float]) -> Case:
    return lambda data: (f, [data.draw(domain) for domain in domains])


def _with_constant(
    f: Callable[[Value, float], Value], domain: st.SearchStrategy[float], c: st.SearchStrategy[float]
) -> Case:
    def case(data: st.DataObject) -> tuple[Callable[..., Value], list[float]]:
        constant = data.draw(c)
        return (lambda x: f(x, constant)), [data.draw(domain)]

    return case


ROW_CASES: dict[str, Case] = {
    "neg": _inputs(lambda x: -x, reals),
    "exp": _inputs(lambda x: x.exp(), reals),
    "log": _inputs(lambda x: x.log(), positives),
    "tanh": _inputs(lambda x: x.tanh(), reals),
    "sigmoid": _inputs(lambda x: x.sigmoid(), reals),
    "relu": _inputs(lambda x: x.relu(), off_kink),
    "identity": _inputs(lambda x: x.identity(), reals),
    "clamped_log": _inputs(lambda x: x.clamped_log(), positives),
    "+": _inputs(lambda x, y: x + y, reals, reals),
    "-": _inputs(lambda x, y: x - y, reals, reals),
    "*": _inputs(lambda x, y: x * y, reals, reals),
    "/": _inputs(lambda x, y: x / y, reals, nonzero),
    "**": _inputs(lambda x, y: x**y, positives, st.floats(-2.0, 2.0)),
    "x**c": _with_constant(lambda x, c: x**c, positives, st.floats(-2.0, 2.0)),
    "c**y": _with_constant(lambda y, c: c**y, st.floats(-2.0, 2.0), positives),
    "w·a+b": _inputs(lambda w0, w1, a0, a1, b: weighted_sum([w0, w1], [a0, a1], b), *[reals] * 5),
    "sum": _inputs(lambda u, v, w: sum_values([u, v, w]), reals, reals, reals),
    "softmax": _with_constant(
        lambda z, j: softmax([z, z * 2.0, z.exp()])[int(j)], reals, st.sampled_from([0.0, 1.0, 2.0])
    ),
    "softmax_cross_entropy": _inputs(
        lambda z0, z1, z2: cross_entropy(softmax([z0, z1, z2]), [0.0, 1.0, 0.0]), reals, reals, reals
    ),
}


class Ones:
    """Stands in for hypothesis' data in a `ROW_CASES` case: every draw is 1.0, inside every domain above."""

    def draw(self, strategy: st.SearchStrategy[float]) -> float:
        return 1.0


# --- random expressions over every row of the table (for the compiler's tests) -----------------
constants = st.one_of(st.integers(-3, 3).map(float), st.floats(-3.0, 3.0, allow_nan=False))


@dataclass(frozen=True)
class Expression:
    """A random function of `n_inputs` Values: each step makes one node from earlier ones (the
    inputs first), and the function returns the sum of the steps' nodes, so that every node
    reaches the output. A step is (op, arguments): a row of the table and, for each of its
    `parameters`, ("node", i) for node i, ("nodes", (i, j, ...)) for a group, ("number", c) for
    a plain number (c, or one operand of a two-operand row), or ("constant", c) for a leaf `Value(c)`."""

    n_inputs: int
    steps: tuple[tuple[Any, ...], ...]

    def __call__(self, *inputs: Value) -> Value:
        nodes = list(inputs)

        def argument(kind: str, what: Any) -> Any:
            if kind == "node":
                return nodes[what]
            if kind == "nodes":
                return [nodes[i] for i in what]
            return Value(what) if kind == "constant" else what

        for op, arguments in self.steps:
            nodes.append(call(OPERATIONS[op])(*(argument(*a) for a in arguments)))
        return sum_values(nodes[self.n_inputs :])


def nodes(i: int) -> tuple[str, int]:
    return ("node", i)


def constant_leaves(c: float) -> tuple[str, float]:
    return ("constant", c)


@st.composite
def expressions(draw: st.DrawFn, max_inputs: int = 3, max_steps: int = 8) -> Expression:
    """A random `Expression` that uses every row of the engine's table, numbers on either side included."""
    n_inputs = draw(st.integers(1, max_inputs))
    steps: list[tuple[Any, ...]] = []
    for size in range(n_inputs, n_inputs + draw(st.integers(1, max_steps))):
        index = st.integers(0, size - 1)
        row = draw(st.sampled_from(TABLE))
        names = parameters(row)
        softmax_of_groups = row.name.startswith("softmax")  # a softmax needs at least one z
        n = draw(st.integers(1 if softmax_of_groups else 0, 3))  # the length of every group of this row
        number_side = (
            draw(st.sampled_from([None, *names]))
            if len(names) == 2 and not row.has_groups and "c" not in names
            else None
        )
        arguments: list[tuple[str, Any]] = []
        for name in names:
            if name == "j":
                arguments.append(("number", draw(st.integers(0, n - 1))))
            elif softmax_of_groups and name == ONE_HOT_GROUP:
                arguments.append(("number", one_hot(draw(st.integers(0, n - 1)), n)))
            elif name == "c" or name == number_side:
                arguments.append(("number", draw(constants)))
            elif name + GROUP in row.parents:
                arguments.append(("nodes", tuple(draw(st.lists(index, min_size=n, max_size=n)))))
            else:
                arguments.append(
                    draw(st.one_of(index.map(lambda i: ("node", i)), constants.map(lambda c: ("constant", c))))
                )
        steps.append((row.name, tuple(arguments)))
    return Expression(n_inputs, tuple(steps))
