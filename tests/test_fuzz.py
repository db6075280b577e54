"""Fuzzing the public API with random types, nan, inf, huge and tiny numbers, empty and ragged
sequences: the only exceptions that escape are the ones docs/errors.md lists for that entry
point, each raised on purpose by microgradnet (not by Python deep inside it), and where the
docs promise a finite result or an error, no nan or inf comes out."""

from __future__ import annotations

import functools
import json
import linecache
import math
import os
import tempfile
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import CALL_SITE, ONE_PARENT_ROWS, TWO_PARENT_ROWS, call

import microgradnet
from microgradnet import MLP, GradcheckError, Layer, ModelFormatError, Neuron, Value, datasets, gradcheck, optim
from microgradnet.delta import backprop, backprop_batch
from microgradnet.engine import (
    AnomalyError,
    detect_anomaly,
    sum_values,
    topological_order,
    weighted_sum,
    weighted_sums,
)
from microgradnet.losses import COSTS, mean_cost
from microgradnet.train import accuracy, fit

T = TypeVar("T")
PACKAGE = Path(microgradnet.__file__).resolve().parent
ENGINE_ERRORS = (TypeError, ValueError, ZeroDivisionError, OverflowError)

# --- what to throw at the API ----------------------------------------------------------------

floats = st.floats()  # nan, +-inf, subnormals, +-1.8e308, -0.0
finite = st.floats(allow_nan=False, allow_infinity=False)
extremes = st.sampled_from([math.nan, math.inf, -math.inf, 1.7976931348623157e308, -5e-324, -0.0, 10**400, -(10**309)])
numbers_ = st.one_of(extremes, floats, st.integers(-(10**400), 10**400), st.booleans(), st.fractions())
junk = st.one_of(
    st.none(),
    st.text(max_size=3),
    st.binary(max_size=3),
    st.complex_numbers(max_magnitude=10),
    st.decimals(allow_nan=False, places=2, max_value=10, min_value=-10),
    st.builds(object),
    st.lists(floats, max_size=2),
    st.dictionaries(st.text(max_size=2), floats, max_size=2),
)
values = st.builds(Value, floats)
scalars = st.one_of(numbers_, values, junk)
sequences = st.one_of(st.lists(scalars, max_size=4), st.tuples(scalars, scalars), junk, numbers_)
rows = st.one_of(st.lists(st.lists(st.one_of(finite, scalars), max_size=3), max_size=4), sequences)
sizes = st.one_of(st.integers(-2, 4), junk, st.floats(0, 4), st.booleans())
activation_names = st.one_of(st.sampled_from(["sigmoid", "tanh", "relu", "linear"]), junk, st.text(max_size=4))


def _raised_on_purpose(error: BaseException) -> bool:
    """True if `error` comes from a `raise` statement in microgradnet, or from Python itself refusing
    an operator at the call site (after Value's method returned NotImplemented)."""
    frame = error.__traceback__
    last = None
    while frame is not None:
        last = frame
        frame = frame.tb_next
    if last is None:
        return False
    filename = last.tb_frame.f_code.co_filename
    path = Path(filename).resolve()
    if path == Path(__file__).resolve() or filename == CALL_SITE:
        return isinstance(error, TypeError)
    source = linecache.getline(str(path), last.tb_lineno).strip()
    return PACKAGE in path.parents and source.startswith("raise")


def attempt(call: Callable[[], T], *documented: type[BaseException]) -> T | None:
    """`call()`, or None if it raised one of the `documented` errors on purpose; anything else fails the test."""
    try:
        return call()
    except documented as error:
        assert _raised_on_purpose(error), f"{type(error).__name__} from deep inside: {error}"
        return None


def _is_finite(v: Value) -> bool:
    return math.isfinite(v.data)


# --- the engine ------------------------------------------------------------------------------

# Every row of the engine's table that one or two operands make, as a user writes it.
BINARY_OPERATORS: list[Callable[[Any, Any], Any]] = [call(row) for row in TWO_PARENT_ROWS]
UNARY_OPERATIONS: list[Callable[[Any], Any]] = [call(row) for row in ONE_PARENT_ROWS]


@given(scalars, st.one_of(st.text(max_size=2), junk))
def test_value_accepts_real_numbers_and_refuses_the_rest(data: object, label: object) -> None:
    """Value(data, label) gives a float for any real number and otherwise TypeError (OverflowError beyond floats)."""
    v = attempt(lambda: Value(data, label), TypeError, OverflowError)  # type: ignore[arg-type]
    if v is not None:
        assert type(v.data) is float and isinstance(v.label, str)


@given(st.sampled_from(BINARY_OPERATORS), st.one_of(values, scalars), st.one_of(values, scalars), st.booleans())
def test_operators_raise_only_documented_errors(
    op: Callable[[Any, Any], Any], x: object, y: object, swap: bool
) -> None:
    """Any operand pair: a Value or one of TypeError, ValueError, ZeroDivisionError, OverflowError."""
    left = x if isinstance(x, Value) or isinstance(y, Value) else Value(0.5)
    left, right = (y, left) if swap else (left, y)
    out = attempt(lambda: op(left, right), *ENGINE_ERRORS)
    if isinstance(out, Value):
        attempt(out.backward, *ENGINE_ERRORS)


@given(st.sampled_from(BINARY_OPERATORS), finite, finite)
def test_finite_operands_never_give_nan(op: Callable[[Any, Any], Any], x: float, y: float) -> None:
    """+ - * / ** of finite numbers give a non-nan result and non-nan gradients, or a documented error."""
    a, b = Value(x), Value(y)
    out = attempt(lambda: op(a, b), *ENGINE_ERRORS)
    if out is not None:
        out.backward()
        assert not any(math.isnan(n) for n in (out.data, a.grad, b.grad)), (x, y, out, a, b)


@given(st.sampled_from(UNARY_OPERATIONS), floats)
def test_unary_operations_are_finite_for_finite_input_and_propagate_nan(op: Callable[[Any], Any], x: float) -> None:
    """Each unary op of a finite number is finite (or a documented error); a nan input gives a nan output."""
    v = Value(x)
    out = attempt(lambda: op(v), ValueError, OverflowError)
    if out is None:
        return
    out.backward()
    if math.isnan(x):
        assert math.isnan(out.data)
    elif math.isfinite(x):
        assert math.isfinite(out.data) and not math.isnan(v.grad), (out.op, x, out.data, v.grad)


def _apply(op: int, x: Value, y: Value) -> Value:
    """Operation number `op` of the engine: the binary operators, then the unary operations."""
    n = len(BINARY_OPERATORS)
    return BINARY_OPERATORS[op](x, y) if op < n else UNARY_OPERATIONS[op - n](x)


programs = st.lists(st.tuples(st.integers(0, len(BINARY_OPERATORS) + len(UNARY_OPERATIONS) - 1), st.integers(0, 9)))


@given(st.lists(finite, min_size=1, max_size=3), programs)
def test_under_detect_anomaly_nothing_non_finite_comes_out(leaves: list[float], program: list[tuple[int, int]]) -> None:
    """A random expression of finite leaves under detect_anomaly(): finite values and gradients, or an error."""
    nodes = [Value(x) for x in leaves]
    with detect_anomaly():
        for op, operand in program[:6]:
            step = functools.partial(_apply, op, nodes[-1], nodes[operand % len(nodes)])
            out = attempt(step, AnomalyError, *ENGINE_ERRORS)
            if out is None:
                return
            assert _is_finite(out)
            nodes.append(out)
        attempt(nodes[-1].backward, AnomalyError)  # after an AnomalyError every grad is as before: 0
        assert all(math.isfinite(v.grad) for v in nodes)


value_lists = st.one_of(st.lists(st.one_of(values, scalars), max_size=4), scalars)


@given(value_lists, value_lists, st.one_of(values, scalars))
def test_n_ary_nodes_raise_only_documented_errors(weights: list[Any], inputs: list[Any], bias: object) -> None:
    """weighted_sum, sum_values and topological_order refuse non-Values and ragged lengths with documented errors."""
    attempt(lambda: weighted_sum(weights, inputs, bias), TypeError, ValueError)  # type: ignore[arg-type]
    attempt(lambda: weighted_sums([weights, inputs], inputs, [bias, bias]), TypeError, ValueError)  # type: ignore[list-item]
    total = attempt(lambda: sum_values(weights), TypeError, OverflowError)
    attempt(lambda: topological_order(bias), TypeError)  # type: ignore[arg-type]
    if total is not None:
        assert topological_order(total)[-1] is total


@given(st.lists(finite.map(Value), min_size=1, max_size=6))
def test_sum_of_finite_values_is_finite_or_overflow(terms: list[Value]) -> None:
    """sum_values of finite Values is finite and exact, or OverflowError (never inf or nan)."""
    total = attempt(lambda: sum_values(terms), OverflowError)
    if total is not None:
        assert total.data == float(sum(Fraction(v.data) for v in terms))  # the exact sum, rounded once


# --- modules and costs -----------------------------------------------------------------------


@given(sizes, st.one_of(st.lists(sizes, max_size=3), sizes), activation_names, activation_names, scalars)
def test_module_constructors_raise_only_type_and_value_errors(
    nin: object, nouts: object, activation: object, output_activation: object, seed: object
) -> None:
    """Neuron, Layer and MLP with random arguments: a module, or TypeError/ValueError naming the argument."""
    attempt(lambda: Neuron(nin, activation), TypeError, ValueError)  # type: ignore[arg-type]
    attempt(lambda: Layer(nin, nouts, activation), TypeError, ValueError)  # type: ignore[arg-type]
    attempt(
        lambda: MLP(nin, nouts, activation, output_activation=output_activation, seed=seed),  # type: ignore[arg-type]
        TypeError,
        ValueError,
    )


@given(sequences, st.one_of(sequences, st.lists(finite, min_size=1, max_size=1)), st.sampled_from(sorted(COSTS)))
def test_forward_and_cost_give_a_finite_cost_or_a_documented_error(x: object, y: object, cost: str) -> None:
    """MLP(x) then a cost: finite, or TypeError/ValueError (bad input) or OverflowError (cost too large)."""
    mlp = MLP(2, [2, 1], "tanh", output_activation="sigmoid" if cost == "bce" else "linear", seed=0)
    outputs = attempt(lambda: mlp(x), TypeError, ValueError, OverflowError)  # type: ignore[arg-type]
    if outputs is None:
        return
    loss = attempt(lambda: COSTS[cost](outputs, y), TypeError, ValueError, OverflowError)  # type: ignore[arg-type]
    if loss is not None:
        assert _is_finite(loss)
        loss.backward()
        assert not any(math.isnan(p.grad) for p in mlp.parameters())


@given(st.sampled_from(sorted(COSTS)), sequences, sequences)
def test_costs_on_anything_are_finite_or_a_documented_error(cost: str, outputs: object, targets: object) -> None:
    """A cost of random outputs and targets is finite, or TypeError, ValueError or OverflowError."""
    loss = attempt(lambda: COSTS[cost](outputs, targets), TypeError, ValueError, OverflowError)  # type: ignore[arg-type]
    if loss is not None:
        assert _is_finite(loss)
    attempt(lambda: mean_cost(outputs), TypeError, ValueError, OverflowError)  # type: ignore[arg-type]


# --- the delta oracle and gradcheck ----------------------------------------------------------


@given(rows, rows, st.one_of(st.sampled_from(sorted(COSTS)), junk))
def test_the_oracle_raises_only_type_and_value_errors(xs: object, ys: object, cost: object) -> None:
    """backprop and backprop_batch on random samples: a result, or TypeError/ValueError naming the argument."""
    mlp = MLP(2, [2, 1], seed=0)
    attempt(lambda: backprop_batch(mlp, xs, ys, cost), TypeError, ValueError)  # type: ignore[arg-type]
    if isinstance(xs, list) and isinstance(ys, list) and xs and ys:
        attempt(lambda: backprop(mlp, xs[0], ys[0], cost), TypeError, ValueError)  # type: ignore[arg-type]


@given(sequences, scalars, scalars, scalars)
def test_gradcheck_raises_only_documented_errors(inputs: object, eps: object, atol: object, rtol: object) -> None:
    """gradcheck on random inputs and tolerances: True, GradcheckError, or a documented argument or engine error."""

    def f(*xs: Value) -> Value:
        return sum_values([x.tanh() * x for x in xs])

    attempt(lambda: gradcheck(f, inputs, eps=eps, atol=atol, rtol=rtol), GradcheckError, *ENGINE_ERRORS)  # type: ignore[arg-type]


# --- optimizers, data sets and training ------------------------------------------------------


@given(scalars, scalars, scalars, st.one_of(st.tuples(scalars, scalars), scalars), scalars)
def test_optimizer_constructors_raise_only_type_and_value_errors(
    params: object, lr: object, momentum: object, betas: object, eps: object
) -> None:
    """SGD and Adam with random hyper-parameters: an optimizer, or TypeError/ValueError naming the argument."""
    for candidate in (params, [Value(1.0)], []):
        attempt(lambda: optim.SGD(candidate, lr, momentum), TypeError, ValueError)  # type: ignore[arg-type]  # noqa: B023
        attempt(lambda: optim.Adam(candidate, lr, betas, eps), TypeError, ValueError)  # type: ignore[arg-type]  # noqa: B023


@given(st.lists(floats, min_size=1, max_size=3), st.sampled_from(["sgd", "adam"]))
def test_optimizers_refuse_non_finite_gradients_and_leave_parameters_alone(grads: list[float], name: str) -> None:
    """step() with any gradients: parameters updated, or a ValueError (a non-finite gradient) and no change."""
    params = [Value(0.5) for _ in grads]
    for p, g in zip(params, grads):
        p.grad = g
    optimizer = optim.OPTIMIZERS[name](params, lr=0.1)
    result = attempt(optimizer.step, ValueError)
    if result is None and not all(map(math.isfinite, grads)):
        assert [p.data for p in params] == [0.5] * len(grads)
    else:
        assert all(math.isfinite(p.data) for p in params)


unit = st.floats(0.0, 1.0, exclude_max=True)


@given(
    st.lists(st.tuples(finite, finite), min_size=1, max_size=3),
    st.one_of(st.floats(0.0, 1e308), st.sampled_from([0.0, 1e-300, 1e300])),
    unit,
    st.tuples(unit, unit),
    st.one_of(st.just(0.0), st.floats(0.0, 1e308)),
    st.integers(1, 3),
)
def test_optimizer_steps_keep_parameters_finite_or_change_nothing(
    start: list[tuple[float, float]], lr: float, momentum: float, betas: tuple[float, float], eps: float, steps: int
) -> None:
    """Any valid hyper-parameters and finite gradients: every parameter stays finite, or ValueError and no change."""
    for make in (lambda ps: optim.SGD(ps, lr, momentum), lambda ps: optim.Adam(ps, lr, betas, eps)):
        params = [Value(p0) for p0, _ in start]
        optimizer = make(params)
        for _ in range(steps):
            for p, (_, g) in zip(params, start):
                p.grad = g
            before = [p.data for p in params]
            try:
                optimizer.step()
            except ValueError as error:
                assert _raised_on_purpose(error)
                assert [p.data for p in params] == before  # all or nothing
                break
            assert all(math.isfinite(p.data) for p in params)


@given(st.sampled_from(["moons", "circles", "spirals"]), sizes, st.one_of(scalars, finite), scalars)
def test_datasets_give_finite_points_or_type_and_value_errors(
    name: str, n: object, noise: object, seed: object
) -> None:
    """moons, circles and spirals: finite coordinates and 0/1 targets, or TypeError/ValueError naming the argument."""
    data = attempt(lambda: datasets.DATASETS[name](n, noise, seed), TypeError, ValueError)  # type: ignore[operator]
    if data is not None:
        inputs, targets = data
        assert all(math.isfinite(c) for point in inputs for c in point)
        assert {y for (y,) in targets} <= {0.0, 1.0}


samples = st.one_of(st.lists(st.lists(st.one_of(finite, floats, scalars), min_size=2, max_size=2), max_size=3), rows)
labels = st.one_of(st.lists(st.lists(st.one_of(finite, floats, scalars), min_size=1, max_size=1), max_size=3), rows)


def _batch(width: int) -> st.SearchStrategy[list[list[object]]]:
    return st.lists(st.lists(st.one_of(finite, extremes), min_size=width, max_size=width), min_size=1, max_size=3)


@given(st.one_of(_batch(2), samples), st.one_of(_batch(1), labels))
def test_compiled_losses_give_finite_costs_or_documented_errors(inputs: object, targets: object) -> None:
    """compile_mlp_loss on random batches: a finite mean cost and gradients, or TypeError/ValueError/OverflowError."""
    from microgradnet.train import compile_mlp_loss

    mlp = MLP(2, [2, 1], "tanh", output_activation="linear", seed=0)
    cost = attempt(lambda: compile_mlp_loss(mlp)(inputs, targets), TypeError, ValueError, OverflowError)  # type: ignore[arg-type]
    if cost is not None:
        assert math.isfinite(cost) and all(math.isfinite(p.grad) for p in mlp.parameters())


@given(samples, labels, st.one_of(st.integers(-1, 2), scalars), st.one_of(finite, scalars))
@example(inputs=[[0.0, 0.0]], targets=[[None]], epochs=None, threshold=0.0)  # a target that is no number
def test_fit_and_accuracy_raise_only_documented_errors(
    inputs: object, targets: object, epochs: object, threshold: object
) -> None:
    """fit and accuracy on random data and settings: a history and a fraction, or a documented error."""
    mlp = MLP(2, [2, 1], seed=0)
    optimizer = optim.SGD(mlp.parameters(), lr=0.1)
    run = lambda: fit(mlp, inputs, targets, optimizer=optimizer, epochs=epochs, progress=False)  # type: ignore[arg-type]  # noqa: E731
    history = attempt(run, TypeError, ValueError, OverflowError)
    if history is not None:
        assert all(math.isfinite(h) for h in history)
    share = attempt(lambda: accuracy(mlp, inputs, targets, threshold), TypeError, ValueError)  # type: ignore[arg-type]
    if share is not None:
        assert 0.0 <= share <= 1.0


# --- saved models ----------------------------------------------------------------------------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), floats, st.integers(-(10**30), 10**30), st.text(max_size=4)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place inside a state where a value could be replaced."""
    found = [prefix] if prefix else []
    if isinstance(obj, dict):
        for key, value in obj.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            found += _paths(value, (*prefix, i))
    return found


@given(st.data(), json_values)
def test_a_corrupted_state_raises_model_format_error_and_changes_nothing(
    data: st.DataObject, junk_value: object
) -> None:
    """Any part of a valid state replaced by random JSON: ModelFormatError and the model untouched, or a valid load."""
    mlp = MLP(2, [2, 1], "tanh", seed=0)
    state = mlp.state_dict()
    path = data.draw(st.sampled_from(_paths(state)))
    target = state
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = junk_value
    before = [p.data for p in mlp.parameters()]
    try:
        mlp.load_state_dict(state)
    except ModelFormatError as error:
        assert _raised_on_purpose(error)
        assert [p.data for p in mlp.parameters()] == before
    else:  # the junk happened to be valid there, e.g. a number in place of a weight
        assert mlp.state_dict() == state


@given(json_values)
def test_random_json_never_loads_as_a_model(state: object) -> None:
    """Random JSON data is refused with ModelFormatError (it never names all seven keys right)."""
    mlp = MLP(1, [1], seed=0)
    with pytest.raises(ModelFormatError):
        mlp.load_state_dict(state)  # type: ignore[arg-type]


@given(st.one_of(st.binary(max_size=64), json_values.map(lambda v: json.dumps(v).encode())))
def test_random_files_raise_model_format_error(content: bytes) -> None:
    """MLP.load of random bytes or random JSON text raises ModelFormatError naming the file, nothing else."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "fuzzed.json")
        with open(path, "wb") as file:
            file.write(content)
        with pytest.raises(ModelFormatError, match=r"fuzzed\.json"):
            MLP.load(path)


# --- rendering -------------------------------------------------------------------------------

render = pytest.importorskip("microgradnet.render", reason="rendering needs the graphviz package (extra 'viz')")
rankdirs = st.one_of(st.sampled_from(["LR", "RL", "TB", "BT"]), junk)
show_fields = st.one_of(st.lists(st.sampled_from([*render.SHOW_FIELDS, "colour"]), max_size=3), junk)


@given(st.one_of(values, scalars), rankdirs, show_fields, st.one_of(st.integers(-1, 6), junk))
def test_draw_graph_raises_only_type_and_value_errors(
    root: object, rankdir: object, show: object, limit: object
) -> None:
    """draw_graph of a small graph holding any floats (nan and inf too): DOT source, or TypeError/ValueError."""
    if isinstance(root, Value):
        root = attempt(lambda: (root * 2.0).tanh() + root, *ENGINE_ERRORS)  # type: ignore[operator]
        if root is not None:
            root.backward()
    graph = attempt(lambda: render.draw_graph(root, rankdir=rankdir, show=show, max_nodes=limit), TypeError, ValueError)
    if graph is not None:
        assert graph.source.startswith("digraph")


@given(sequences, st.one_of(st.none(), sequences), st.one_of(st.sampled_from(sorted(COSTS)), junk), rankdirs)
@example(x=[10**400, 0.0], y=None, cost="half_sse", rankdir="LR")  # an int beyond the float range
def test_draw_network_raises_only_type_and_value_errors(x: object, y: object, cost: object, rankdir: object) -> None:
    """draw_network with random samples, costs and directions: DOT source, or TypeError/ValueError
    (a number beyond the float range is a ValueError naming x[k], as for the modules)."""
    mlp = MLP(2, [2, 1], seed=0)
    sample = None if x == [] else x
    draw = lambda: render.draw_network(mlp, sample, y, cost, rankdir=rankdir)  # type: ignore[arg-type]  # noqa: E731
    graph = attempt(draw, TypeError, ValueError)
    if graph is not None:
        assert graph.source.startswith("digraph")


@given(st.one_of(st.sampled_from(["g.dot", "g.DOT", "g.txt", "g", "g.svg.bak"]), junk))
def test_render_save_raises_only_documented_errors(name: object) -> None:
    """save with a random file name: the .dot file, or TypeError/ValueError (images: see test_render)."""
    graph = render.draw_graph(Value(1.0) * 2.0)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, name) if isinstance(name, str) else name
        written = attempt(lambda: render.save(graph, path), TypeError, ValueError)  # type: ignore[arg-type]
        if written is not None:
            assert written.read_text() == graph.source


# --- the command line ------------------------------------------------------------------------

OPTIONS = ["--sizes", "--activation", "--output-activation", "--cost", "--samples", "--seed", "--tolerance"]
OPTIONS += ["--dataset", "--n", "--noise", "--hidden", "--optimizer", "--lr", "--momentum", "--epochs"]
OPTIONS += ["--batch-size", "--out", "--max-nodes", "--inputs", "--what", "--bogus", "-h"]
TOKENS = ["nan", "inf", "-inf", "-1", "0", "1", "3", "0.5", "1e999", "10" * 30, "", "none", "full", "2,3,1", "2,,1"]
TOKENS += ["2", "sigmoid", "softmax", "bce", "mse", "sgd", "adam", "moons", "xor", "neuron", "g.dot"]
arguments = st.lists(st.one_of(st.sampled_from(OPTIONS), st.sampled_from(TOKENS), st.text(max_size=3)), max_size=6)


def _run_cli(argv: list[str], call: Callable[[list[str]], object]) -> int:
    """The exit status of `call(argv)`, with stdout and stderr captured; a traceback fails the test."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = call(argv)
        except SystemExit as exit_:
            status = exit_.code
    assert isinstance(status, int), status
    if status == 2:
        assert "error:" in err.getvalue() and "usage:" in err.getvalue()
    return status


@given(st.sampled_from(["demo", "train", "check", "graph", "bogus"]), arguments)
def test_every_subcommand_parses_or_exits_with_a_usage_error(command: str, argv: list[str]) -> None:
    """Random arguments to any subcommand: parsed, or usage + message and exit status 2 (0 for --help)."""
    from microgradnet.cli import build_parser

    assert _run_cli([command, *argv], lambda argv: build_parser().parse_args(argv) and 0) in (0, 2)


@given(arguments)
def test_check_runs_or_exits_cleanly_on_random_arguments(argv: list[str]) -> None:
    """`microgradnet check` with random arguments: exit 0 (agree), 1 (disagree) or 2 (usage), never a traceback."""
    from microgradnet.cli import main

    if "--samples" in argv or "--sizes" in argv:  # keep each run small: the defaults are 2-3-3-1 and 5 samples
        return
    assert _run_cli(["check", *argv], main) in (0, 1, 2)


# --- compiled graphs -------------------------------------------------------------------------


inputs_ = st.one_of(st.lists(st.one_of(extremes, scalars), min_size=1, max_size=2), sequences)


@given(st.one_of(st.lists(finite, min_size=1, max_size=2), sequences), inputs_)
def test_compiled_functions_raise_only_documented_errors(example: object, inputs: object) -> None:
    """compile_function(f, example) and compiled(inputs) on random numbers: results, or the engine's errors."""

    def f(*xs: Value) -> Value:  # any number of inputs, so that only microgradnet's checks are fuzzed
        return sum_values([(x * x).tanh() + x.relu() - x.sigmoid() * x for x in xs])

    compiled = attempt(lambda: microgradnet.compile_function(f, example), *ENGINE_ERRORS)  # type: ignore[arg-type]
    if compiled is not None:
        attempt(lambda: compiled(inputs), *ENGINE_ERRORS)  # type: ignore[arg-type]
