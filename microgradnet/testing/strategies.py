"""Hypothesis strategies for checking a backprop or an autograd engine: networks with the hard cases,
their samples and batches, costs, and random expressions.

Every weight is drawn (not seeded), so a failure shrinks to a small network with simple numbers.
The hard cases are in the default draws: weights and biases of exactly 0 (a relu exactly at its
kink, a dead neuron), weights large enough to saturate a sigmoid or tanh (sigma' rounds to 0), and
layers of different widths (so a missing transpose cannot hide in a square matrix).
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import assume
from hypothesis import strategies as st

from microgradnet import checks, delta
from microgradnet.activations import check_activation
from microgradnet.testing.operations import Expression, Operation, Step, select
from microgradnet.testing.problem import COSTS, Batch, Cost, Network, Problem, Sample, resolve_cost

SATURATING = ("sigmoid", "tanh")  # the activations whose slope vanishes for large |z|

# Inputs, targets and ordinary parameters of order 1: wide enough for sigmoid's tails and relu's
# kink, small enough that central differences stay accurate.
ordinary = st.floats(min_value=-2.0, max_value=2.0, allow_nan=False, allow_infinity=False)
signals = st.one_of(ordinary, st.just(0.0))
probabilities = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_infinity=False)
# |w| in [8, 30]: z beyond 36.7 rounds sigma(z) to exactly 1.0, while |z| stays below 700 (exp's range)
# for networks of up to 10 neurons a layer.
large = st.floats(min_value=8.0, max_value=30.0) | st.floats(min_value=-30.0, max_value=-8.0)


_PARAMETERS = {
    True: st.one_of(ordinary, st.just(0.0), large),
    False: st.one_of(ordinary, st.just(0.0)),
}


def parameters(*, saturating: bool = True) -> st.SearchStrategy[float]:
    """Weights and biases: of order 1, exactly 0, and (if `saturating`) large enough to saturate."""
    return _PARAMETERS[saturating]


def _names(value: str | Sequence[str], what: str) -> st.SearchStrategy[str]:
    names = [value] if isinstance(value, str) else list(value)
    if not names:
        raise ValueError(f"{what} must name at least one activation")
    for name in names:
        check_activation(name)
    return st.sampled_from(names)


def networks(
    sizes: Sequence[int] | None = None,
    *,
    activation: str | Sequence[str] = "sigmoid",
    output_activation: str | Sequence[str] | None = None,
    max_layers: int = 3,
    max_width: int = 4,
    weights: st.SearchStrategy[float] | None = None,
    hard_cases: bool = True,
    saturate_output: bool = True,
    square: bool = False,
) -> st.SearchStrategy[Network]:
    """Networks of the given `sizes` (input width, then every layer's; drawn if None: 1 to `max_layers`
    layers of 1 to `max_width` neurons on 1 to `max_width` inputs), with every weight and bias drawn.

    `activation` and `output_activation` are a name or names to draw from (the output layer's default
    is the hidden one). The parameters are drawn from `weights` if given, else `parameters()`: with
    `hard_cases=False` only of order 1, with `saturate_output=False` the output layer's never large
    (bce clamps its logs where a sigmoid output rounds to 0 or 1). `square=True` makes every layer as
    wide as the input.
    """
    hidden = _names(activation, "activation")
    output = None if output_activation is None else _names(output_activation, "output_activation")
    if sizes is not None:
        if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence) or len(sizes) < 2:
            raise ValueError(f"sizes must give the input width and at least one layer's, like (2, 3, 1); got {sizes!r}")
        sizes = [checks.count(f"sizes[{i}]", n) for i, n in enumerate(sizes)]
    checks.count("max_layers", max_layers)
    checks.count("max_width", max_width)
    return _networks(hidden, output, sizes, max_layers, max_width, weights, hard_cases, saturate_output, square)


@st.composite
def _networks(
    draw: st.DrawFn,
    activation: st.SearchStrategy[str],
    output_activation: st.SearchStrategy[str] | None,
    sizes: list[int] | None,
    max_layers: int,
    max_width: int,
    weights: st.SearchStrategy[float] | None,
    hard_cases: bool,
    saturate_output: bool,
    square: bool,
) -> Network:
    hidden = draw(activation)
    output = hidden if output_activation is None else draw(output_activation)
    if sizes is None:
        nin = draw(st.integers(1, max_width))
        n_layers = draw(st.integers(1, max_layers))
        width = st.integers(1, max_width)
        widths = [nin] * n_layers if square else draw(st.lists(width, min_size=n_layers, max_size=n_layers))
        sizes = [nin, *widths]
    layer_weights = []
    layer_biases = []
    L = len(sizes) - 2
    for l in range(L + 1):
        name = output if l == L else hidden
        saturating = name in SATURATING and (saturate_output or l < L)
        values = weights or (parameters(saturating=saturating) if hard_cases else ordinary)
        n_in, n_out = sizes[l], sizes[l + 1]
        # One draw per number (a strategy made per network would be validated again every time).
        layer_weights.append(tuple(tuple(draw(values) for _ in range(n_in)) for _ in range(n_out)))
        layer_biases.append(tuple(draw(values) for _ in range(n_out)))
    return Network(tuple(layer_weights), tuple(layer_biases), hidden, output)


def _targets(cost: Cost) -> st.SearchStrategy[float]:
    return probabilities if cost.probabilities else signals


def samples(network: Network, cost: str | Cost = "half_sse") -> st.SearchStrategy[Sample]:
    """An input x for the network and a target y for the cost (in [0, 1] for bce)."""
    return _samples(network, resolve_cost(cost))


@st.composite
def _samples(draw: st.DrawFn, network: Network, cost: Cost) -> Sample:
    target = _targets(cost)
    x = tuple(draw(signals) for _ in range(network.sizes[0]))
    return Sample(x, tuple(draw(target) for _ in range(network.sizes[-1])))


@st.composite
def batches(draw: st.DrawFn, network: Network, cost: str | Cost = "half_sse", max_size: int = 4) -> Batch:
    """A data set of 1 to `max_size` samples for the network and the cost."""
    drawn = draw(st.lists(samples(network, cost), min_size=1, max_size=max_size))
    return Batch(tuple(s.x for s in drawn), tuple(s.y for s in drawn))


def costs(names: Sequence[str] = tuple(COSTS)) -> st.SearchStrategy[str]:
    """The name of a cost: "half_sse", "mse" or "bce" (bce needs a sigmoid output layer)."""
    for name in names:
        resolve_cost(name)
    return st.sampled_from(list(names))


def _inside_bce_domain(network: Network, problem_xs: Sequence[delta.Vector]) -> bool:
    """Every output strictly inside (0, 1) and off the clamp of the logs, where bce has its derivative."""
    for x in problem_xs:
        _, a = network.forward(x)
        if any(delta.clamped_log_derivative(u) == 0.0 for a_j in a[-1] for u in (a_j, 1.0 - a_j)):
            return False
    return True


def problems(
    cost: str | Cost = "half_sse",
    *,
    batch: bool = False,
    max_batch: int = 4,
    sizes: Sequence[int] | None = None,
    activation: str | Sequence[str] = "sigmoid",
    output_activation: str | Sequence[str] | None = None,
    max_layers: int = 3,
    max_width: int = 4,
    hard_cases: bool = True,
    square: bool = False,
) -> st.SearchStrategy[Problem]:
    """A network (as `networks()` draws it) with one sample, or a batch of 1 to `max_batch`, for the cost.

    For bce the output layer is a sigmoid whose outputs stay off 0 and 1, where bce's logs are clamped.
    """
    resolved = resolve_cost(cost)
    if resolved.probabilities and output_activation not in (None, "sigmoid", ["sigmoid"], ("sigmoid",)):
        raise ValueError(f"cost {resolved.name!r} needs outputs in [0, 1]: use output_activation='sigmoid'")
    checks.count("max_batch", max_batch)
    nets = networks(
        sizes,
        activation=activation,
        output_activation="sigmoid" if resolved.probabilities else output_activation,
        max_layers=max_layers,
        max_width=max_width,
        hard_cases=hard_cases,
        saturate_output=not resolved.probabilities,
        square=square,
    )
    return _problems(nets, resolved, batch, max_batch)


@st.composite
def _problems(draw: st.DrawFn, nets: st.SearchStrategy[Network], cost: Cost, batch: bool, max_batch: int) -> Problem:
    net = draw(nets)
    if batch:
        drawn = draw(batches(net, cost, max_batch))
        xs, ys = drawn.xs, drawn.ys
    else:
        sample = draw(_samples(net, cost))
        xs, ys = (sample.x,), (sample.y,)
    if cost.probabilities:
        assume(_inside_bce_domain(net, xs))
    return Problem(net, cost, xs, ys, batch)


# --- random expressions, for checking an autograd engine ---------------------------------------------

# Inputs of expressions: reals of moderate size either side of 0, and the points where engines differ
# (0 for relu and powers, +-1); nothing tiny, where an engine's x / y may underflow y^2 without being wrong.
values = st.one_of(
    st.sampled_from([0.0, 1.0, -1.0]),
    st.floats(min_value=1e-3, max_value=3.0),
    st.floats(min_value=-3.0, max_value=-1e-3),
)


def expressions(
    ops: Sequence[str] | None = None, *, max_inputs: int = 3, max_steps: int = 6
) -> st.SearchStrategy[Expression]:
    """Random expressions (DAGs with shared subexpressions) over the operations named in `ops` (forms such
    as "c - x", groups such as "*" or "exp"; all of `OPERATIONS` by default) on 1 to `max_inputs` inputs.

    An expression may leave an operation's domain (log of a negative, 1 / 0) on some inputs: evaluate it
    on a reference first and `assume()` it stays inside, as `check_engine` does.
    """
    checks.count("max_inputs", max_inputs)
    checks.count("max_steps", max_steps)
    return _expressions(tuple(select(ops)), max_inputs, max_steps)


@st.composite
def _expressions(draw: st.DrawFn, operations: tuple[Operation, ...], max_inputs: int, max_steps: int) -> Expression:
    n_inputs = draw(st.integers(1, max_inputs))
    steps: list[Step] = []
    for size in range(n_inputs, n_inputs + draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(operations))
        back = st.integers(0, size - 1)  # how far back the operand is: shrinks to the newest node, a chain
        operands = tuple(size - 1 - draw(back) for _ in range(op.operands))
        c = draw(st.sampled_from(op.constants)) if op.constants else None
        steps.append((op.name, operands, c))
    return Expression(n_inputs, tuple(steps))
