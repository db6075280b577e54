"""The compiled path: straight-line code generated from a traced graph (Python, and C where a C
compiler is found) gives the graph engine's values, gradients and errors, reads its derivatives
from the engine's table, and says where a trace no longer fits."""

from __future__ import annotations

import dataclasses
import gc
import inspect
import linecache
import math
import os
import subprocess
import sys
import traceback
import weakref
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from backends import BACKENDS
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pages import DOCS, code_blocks, text
from strategies import COST_NAMES, ROW_CASES, BatchProblem, Expression, Ones, batch_problems, expressions, reals

import microgradnet
from microgradnet import MLP, Value, engine
from microgradnet.compiler import TraceMismatchError, compile_loss
from microgradnet.engine import no_grad, sum_values, weighted_sum
from microgradnet.losses import cross_entropy, get_cost, half_sse, mean_cost, one_hot
from microgradnet.operations import OPERATIONS
from microgradnet.train import compile_mlp_loss

GOLDEN = Path(__file__).parent / "golden"
DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


def same(a: float, b: float) -> bool:
    """a equals b to a relative 1e-12 (infinities and nan equal themselves)."""
    return a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)


def engine_value_and_grad(f: Callable[..., Value], xs: list[float]) -> tuple[float, list[float]]:
    values = [Value(x) for x in xs]
    out = f(*values)
    out.backward()
    return out.data, [v.grad for v in values]


def neuron_cost(w_0: Value, w_1: Value, b: Value, x_0: Value, x_1: Value) -> Value:
    """C = 1/2 (sigma(w_0 x_0 + w_1 x_1 + b) - 1)^2 with its nodes labelled as in the delta equations."""
    z = weighted_sum([w_0, w_1], [x_0, x_1], b)
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    cost = half_sse([a], [1.0])
    cost.label = "C"
    return cost


# --- compile_function(f, example_inputs): values, gradients, errors ------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@given(expressions(), st.data())
def test_compiled_value_and_gradient_equal_the_engine(backend: str, f: Expression, data: st.DataObject) -> None:
    """On random expressions over every op, compiled value and gradients equal backward()'s to rel 1e-12."""
    traced = data.draw(st.lists(reals, min_size=f.n_inputs, max_size=f.n_inputs))
    try:
        engine_value_and_grad(f, traced)
    except DOMAIN_ERRORS:
        assume(False)
    compiled = microgradnet.compile_function(f, traced, backend=backend)
    xs = data.draw(st.lists(reals, min_size=f.n_inputs, max_size=f.n_inputs))
    try:
        value, gradient = engine_value_and_grad(f, xs)
    except DOMAIN_ERRORS as error:
        with pytest.raises(type(error)) as raised:
            compiled(xs)
        assert str(raised.value) == str(error)
        return
    compiled_value, compiled_gradient = compiled(xs)
    assert same(compiled_value, value)
    assert all(map(same, compiled_gradient, gradient)), (compiled_gradient, gradient)


def engine_error(f: Callable[..., Value], xs: list[float]) -> Exception | None:
    """The error the graph engine raises for f at xs, or None."""
    try:
        engine_value_and_grad(f, xs)
    except Exception as error:
        return error
    return None


# Inputs at the edges of the operations' domains (log of 0 or a negative, 1/0, exp overflow), where several
# operations of one graph fail at once and only the order in which they run decides which error is raised.
edge_inputs = st.sampled_from([0.0, -2.0, 1.0, 2.5, 800.0, -800.0])


def made_first_added_last(first: Expression, second: Expression) -> Callable[..., Value]:
    """g = second + first, first's nodes made before second's: a depth-first order from g's output
    visits second's graph first, against the order in which g makes its nodes."""

    def g(*inputs: Value) -> Value:
        a = first(*inputs[: first.n_inputs])
        b = second(*inputs[: second.n_inputs])
        return b + a

    return g


@pytest.mark.parametrize("backend", BACKENDS)
@settings(derandomize=True, max_examples=400)
@given(expressions(), expressions(), st.data())
def test_compiled_code_raises_the_error_the_engine_raises(
    backend: str, first: Expression, second: Expression, data: st.DataObject
) -> None:
    """On random graphs at inputs where operations fail, compiled code raises the engine's error (type and
    message), the first in the order f makes its operations, or none where the engine raises none."""
    f = made_first_added_last(first, second)
    n = max(first.n_inputs, second.n_inputs)
    traced = data.draw(st.lists(reals, min_size=n, max_size=n))
    assume(engine_error(f, traced) is None)
    compiled = microgradnet.compile_function(f, traced, backend=backend)
    xs = data.draw(st.lists(edge_inputs, min_size=n, max_size=n))
    error = engine_error(f, xs)
    if error is None:
        compiled(xs)
        return
    with pytest.raises(type(error)) as raised:
        compiled(xs)
    assert type(raised.value) is type(error)
    assert str(raised.value) == str(error)


def test_the_first_operation_f_makes_raises_first() -> None:
    """f makes log(y) before 1/x: at x = 0, y = -2 the engine and the compiled code raise log's error."""

    def f(x: Value, y: Value) -> Value:
        a = y.log()
        b = 1.0 / x
        return b + a

    compiled = microgradnet.compile_function(f, [1.0, 1.0])
    with pytest.raises(ValueError, match=r"^log: argument must be positive, got -2.0$"):
        f(Value(0.0), Value(-2.0))
    with pytest.raises(ValueError, match=r"^log: argument must be positive, got -2.0$"):
        compiled([0.0, -2.0])


def test_a_value_the_engine_refuses_raises_its_error() -> None:
    """A cost of an infinite output: the engine's cost refuses it, so the compiled function does too."""
    compiled = microgradnet.compile_function(lambda x: half_sse([x * 2.0], [0.0]), [1.0])
    with pytest.raises(ValueError, match=r"outputs\[0\] = inf is not finite"):
        half_sse([Value(1e308) * 2.0], [0.0])
    with pytest.raises(ValueError, match=r"outputs\[0\] = inf is not finite"):
        compiled([1e308])


def test_a_compiled_loss_raises_the_error_of_the_first_operation_the_loss_makes() -> None:
    """The loss makes log(x_1) before 1/x_0: at x = [0, -2] the compiled loss raises log's error, adding no gradient."""
    w = Value(1.0)

    def loss(x: list[Value]) -> Value:
        a = (w * x[1]).log()
        b = 1.0 / x[0]
        return b + a

    compiled = compile_loss(loss, [w], [[1.0, 1.0]])
    with pytest.raises(ValueError, match=r"^log: argument must be positive, got -2.0$"):
        compiled([[1.0, 1.0], [0.0, -2.0]])
    assert w.grad == 0.0


@pytest.mark.parametrize("backend", BACKENDS)
@given(st.floats(-4.0, 4.0), st.floats(0.1, 4.0))
def test_relu_derivative_is_evaluated_at_run_time(backend: str, x: float, traced_at: float) -> None:
    """relu traced at a positive input still gives slope 0 for a negative one: d relu/dx = [x > 0]."""
    compiled = microgradnet.compile_function(lambda v: v.relu() * 3.0, [traced_at], backend=backend)
    assert compiled([x]) == (3.0 * max(x, 0.0), (3.0 if x > 0.0 else 0.0,))
    assert ("1.0 if v > 0.0 else 0.0" if backend == "python" else "((x[0] > 0.0) ? 1.0 : 0.0)") in compiled.source


def test_domain_errors_are_the_engines_and_name_the_operation() -> None:
    """log of a negative number, exp overflow and division by zero raise the engine's error types."""
    log = microgradnet.compile_function(lambda x: x.log(), [1.0])
    with pytest.raises(ValueError, match="log: argument must be positive"):
        log([-1.0])
    exp = microgradnet.compile_function(lambda x: x.exp(), [1.0])
    with pytest.raises(OverflowError, match="exp"):
        exp([1000.0])
    divide = microgradnet.compile_function(lambda x, y: x / y, [1.0, 2.0])
    with pytest.raises(ZeroDivisionError, match="/: division by zero"):
        divide([1.0, 0.0])
    root = microgradnet.compile_function(lambda x: x**0.5, [4.0])
    with pytest.raises(ZeroDivisionError, match=r"d\(x\*\*0.5\)/dx is infinite"):
        root([0.0])


def test_tracing_inside_no_grad_is_refused() -> None:
    """Inside no_grad() a trace records no graph: compile, compile_mlp_loss and both checks refuse to trace."""
    compiled = microgradnet.compile_function(lambda x: x * x, [2.0])
    compiled_loss = compile_mlp_loss(MLP(2, [1], seed=0))
    with no_grad():
        with pytest.raises(RuntimeError, match=r"compile: cannot trace inside no_grad\(\)"):
            microgradnet.compile_function(lambda x: x * x, [2.0])
        with pytest.raises(RuntimeError, match=r"compile_loss: cannot trace inside no_grad\(\)"):
            compile_mlp_loss(MLP(2, [1], seed=0))
        with pytest.raises(RuntimeError, match=r"check: cannot trace inside no_grad\(\)"):
            compiled.check([3.0])
        with pytest.raises(RuntimeError, match=r"check: cannot trace inside no_grad\(\)"):
            compiled_loss.check([[1.0, 2.0]], [[0.5]])
        assert compiled([3.0]) == (9.0, (6.0,))  # running compiled code needs no graph
    assert compiled.check([3.0])


def compiled_sources() -> set[str]:
    """The generated sources linecache holds (for tracebacks through compiled code)."""
    return {name for name in linecache.cache if name.startswith("<microgradnet.compile_function")}


def test_a_dropped_compiled_function_frees_its_source() -> None:
    """While a compiled function lives, a traceback shows its lines; once dropped, it and its source are freed."""
    before = compiled_sources()
    log = microgradnet.compile_function(lambda x: x.log(), [1.0], backend="python")
    losses = [compile_mlp_loss(MLP(2, [16, 16, 1], seed=0), backend="python") for _ in range(50)]
    assert len(compiled_sources() - before) == 51
    with pytest.raises(ValueError) as raised:
        log([-1.0])
    assert "log(x)" in "".join(traceback.format_tb(raised.tb))
    del raised
    alive = weakref.ref(log)
    del log, losses
    gc.collect()
    assert alive() is None
    assert not compiled_sources() - before


def test_the_leaves_of_the_output_are_handled() -> None:
    """An output that is an input has gradient 1, an unused input 0, a constant output none."""
    assert microgradnet.compile_function(lambda x, y: x, [2.0, 3.0])([5.0, 7.0]) == (5.0, (1.0, 0.0))
    assert microgradnet.compile_function(lambda x: Value(3.0), [2.0])([5.0]) == (3.0, (0.0,))
    assert microgradnet.compile_function(lambda x: x * x, [2.0])([5.0]) == (25.0, (10.0,))


def test_a_call_creates_no_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled function runs on floats: with Value creation disabled it still works."""
    compiled = microgradnet.compile_function(neuron_cost, [0.1, 0.2, 0.3, 0.5, -1.0])
    expected = compiled([0.4, -0.3, 0.1, 1.0, 2.0])

    def refuse(*args: object) -> None:
        raise AssertionError("a Value was created")

    monkeypatch.setattr(engine, "_new_value", refuse)
    monkeypatch.setattr(Value, "__init__", refuse)
    assert compiled([0.4, -0.3, 0.1, 1.0, 2.0]) == expected


def test_a_neuron_with_a_thousand_inputs_compiles() -> None:
    """A neuron with 1000 inputs compiles (no nesting limit) and still equals the engine."""
    n = 1000
    xs = [math.sin(k) for k in range(2 * n + 1)]

    def neuron(*v: Value) -> Value:
        return weighted_sum(v[:n], v[n : 2 * n], v[-1]).tanh()

    compiled = microgradnet.compile_function(neuron, xs)
    value, gradient = compiled(xs)
    out_value, out_gradient = engine_value_and_grad(neuron, xs)  # type: ignore[arg-type]
    assert same(value, out_value)
    assert all(map(same, gradient, out_gradient))


def test_sums_that_overflow_on_the_way_give_the_engines_value_or_error() -> None:
    """Compiled w·a+b and sum whose floats overflow on the way from finite numbers: the engine's value or error."""
    dot = microgradnet.compile_function(lambda w0, w1, a0, a1: weighted_sum([w0, w1], [a0, a1], Value(0.0)), [1.0] * 4)
    assert dot([1e308, -1e308, 10.0, 10.0]) == (0.0, (10.0, 10.0, 1e308, -1e308))
    with pytest.raises(OverflowError, match="w·a\\+b"):
        dot([1e308, 1e308, 10.0, 10.0])
    total = microgradnet.compile_function(lambda x, y, z: sum_values([x, y, z]), [1.0] * 3)
    assert total([1e308, 1e308, -1e308]) == (1e308, (1.0, 1.0, 1.0))


# --- input checking -----------------------------------------------------------------------


def test_wrong_number_of_inputs_is_a_value_error_naming_the_counts() -> None:
    """Calling with 3 numbers what was traced with 2 raises ValueError naming both counts."""
    compiled = microgradnet.compile_function(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"expected 2 inputs .*got 3"):
        compiled([1.0, 2.0, 3.0])


def test_non_numbers_are_a_type_error_naming_the_input() -> None:
    """A string or a Value among the inputs, or a string for the inputs, raises TypeError."""
    compiled = microgradnet.compile_function(lambda x, y: x * y, [1.0, 2.0])
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a real number .*str"):
        compiled([1.0, "2"])
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a real number .*Value"):
        compiled([Value(1.0), 2.0])
    with pytest.raises(TypeError, match="inputs must be a sequence of numbers, got str"):
        compiled("12")
    with pytest.raises(TypeError, match=r"example_inputs\[0\] must be a real number"):
        microgradnet.compile_function(lambda x: x, [None])


def test_f_must_return_a_value() -> None:
    """A traced function that returns a float raises TypeError naming what it returned."""
    with pytest.raises(TypeError, match="f must return a Value, got float"):
        microgradnet.compile_function(lambda x: x.data, [1.0])


# --- frozen control flow --------------------------------------------------------------------


def test_check_finds_control_flow_frozen_at_trace_time() -> None:
    """A branch on x.data traced at x > 0 is reported by check() for x < 0, not for x > 0."""

    def branchy(x: Value) -> Value:
        return x.tanh() if x.data > 0 else x.sigmoid()

    compiled = microgradnet.compile_function(branchy, [1.0])
    assert compiled.check([2.0])
    with pytest.raises(TraceMismatchError, match=r"node 1: traced \('tanh', 0\), now \('sigmoid', 0\).*frozen"):
        compiled.check([-2.0])


def test_check_finds_a_constant_computed_from_data() -> None:
    """A constant made from x.data is frozen; check() names the constant that changed."""
    compiled = microgradnet.compile_function(lambda x: x * Value(x.data), [1.0])
    assert compiled([3.0]) == (3.0, (1.0,))  # the frozen constant 1.0, not 3.0
    with pytest.raises(TraceMismatchError, match=r"traced \('constant', '1.0'\), now \('constant', '3.0'\)"):
        compiled.check([3.0])


# --- one derivative table -------------------------------------------------------------------


def test_table_expressions_are_written_in_and_rules_called() -> None:
    """sigma' = a (1 - a) is the table's expression written for the neuron's a; sigmoid, a rule, is called."""
    source = microgradnet.compile_function(neuron_cost, [0.1, 0.2, 0.3, 0.5, -1.0], backend="python").source
    assert "dz = da * (a * (1.0 - a))" in source
    assert "a = sigmoid(z)" in source


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_changed_table_row_changes_the_compiled_code(monkeypatch: pytest.MonkeyPatch, backend: str) -> None:
    """Planting a wrong derivative in the table changes compiled and engine gradients alike (one source)."""
    monkeypatch.setitem(OPERATIONS, "tanh", dataclasses.replace(OPERATIONS["tanh"], derivatives={"x": "2.0 * out"}))
    compiled = microgradnet.compile_function(lambda x: x.tanh(), [0.5], backend=backend)
    assert ("2.0 * out" if backend == "python" else "(2.0 * v[0])") in compiled.source
    assert compiled([0.5]) == (math.tanh(0.5), (2.0 * math.tanh(0.5),))
    assert engine_value_and_grad(lambda x: x.tanh(), [0.5]) == (math.tanh(0.5), [2.0 * math.tanh(0.5)])


def test_the_compiler_reads_no_source_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """With linecache and inspect unable to find any source, every row of the table still compiles."""

    def no_source(*args: object, **kwargs: object) -> list[str]:
        raise AssertionError("the compiler read source code")

    monkeypatch.setattr(linecache, "getlines", no_source)
    monkeypatch.setattr(inspect, "getsource", no_source)
    monkeypatch.setattr(inspect, "getsourcelines", no_source)
    for row in OPERATIONS.values():
        f, inputs = ROW_CASES[row.name](Ones())  # type: ignore[arg-type]
        value, gradient = microgradnet.compile_function(f, inputs)(inputs)
        assert (value, list(gradient)) == engine_value_and_grad(f, inputs)


# --- readable source ----------------------------------------------------------------------


def test_neuron_source_matches_the_golden_file() -> None:
    """The generated code of one sigmoid neuron with half_sse is exactly tests/golden/neuron.py.txt."""
    compiled = microgradnet.compile_function(neuron_cost, [0.1, 0.2, 0.3, 0.5, -1.0], backend="python")
    assert compiled.source == (GOLDEN / "neuron.py.txt").read_text()


def test_locals_are_named_after_labels_and_clash_free() -> None:
    """MLP labels become w_1_0_2-style locals; labels that sanitize alike, or shadow a rule, stay distinct."""
    mlp = MLP(2, [2, 1], seed=0)
    source = compile_mlp_loss(mlp, backend="python").source
    assert "z_1_0 = affine((w_1_0_0, w_1_0_1), (a_0_0, a_0_1), b_1_0)" in source
    assert (
        "dz_1_0 = da_1_0 * (a_1_0 * (1.0 - a_1_0))  # dC_avg/dz[1][0] = dC_avg/da[1][0] * da[1][0]/dz[1][0]" in source
    )

    def clashing(x: Value) -> Value:
        first, second, third, fourth = x.sigmoid(), x.exp(), x.tanh(), x.relu()
        first.label, second.label, third.label, fourth.label = "sigmoid", "sigmoid", "a[0]", "a_0"
        return first * second + third * fourth

    compiled = microgradnet.compile_function(clashing, [0.5], backend="python")
    for line in ("sigmoid = sigmoid_2(x)", "sigmoid_3 = exp(x)", "a_0 = tanh(x)", "a_0_2 = relu(x)"):
        assert f"\n    {line}\n" in compiled.source
    value, gradient = engine_value_and_grad(clashing, [0.7])  # type: ignore[arg-type]
    assert compiled([0.7]) == (value, tuple(gradient))


def test_constants_are_literals() -> None:
    """Leaves that are not inputs (targets, 0.5, infinities) are written into the code as literals."""
    compiled = microgradnet.compile_function(
        lambda x: half_sse([x], [0.25]) * float("inf") + Value(-2.0), [1.0], backend="python"
    )
    assert "0.5 * " in compiled.source and "- 0.25" in compiled.source and "-2.0" in compiled.source
    assert compiled([1.0]) == (math.inf, (math.inf,))


# --- training through the compiled path ---------------------------------------------------


# The strategies draw targets for the costs a sigmoid or linear output takes (no one-hot classes); the
# tests below cover cross_entropy, on a sigmoid output and on a softmax one (the fused node).
TRACEABLE_COSTS = tuple(name for name in COST_NAMES if name != "cross_entropy")


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_compile_mlp_loss_takes_cross_entropy(output: str) -> None:
    """compile_mlp_loss(mlp, "cross_entropy") gives the graph's mean cost and gradients, on every class."""
    mlp = MLP(2, [3, 3], seed=0, output_activation=output)
    xs, ys = [[0.5, -1.0], [2.0, 0.25], [-1.0, -3.0]], [one_hot(y, 3) for y in (1, 0, 2)]
    compiled = compile_mlp_loss(mlp, "cross_entropy")
    assert compiled.check(xs, ys)
    cost = compiled(xs, ys)
    compiled_grads = [p.grad for p in mlp.parameters()]
    mlp.zero_grad()
    expected = mean_cost([cross_entropy(mlp(x), y) for x, y in zip(xs, ys)])
    expected.backward()
    assert math.isclose(cost, expected.data, rel_tol=1e-12)
    for p, g in zip(mlp.parameters(), compiled_grads):
        assert math.isclose(g, p.grad, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
@given(batch_problems(costs=TRACEABLE_COSTS))
def test_compiled_mlp_loss_equals_mean_cost_backward(backend: str, problem: BatchProblem) -> None:
    """On random networks, the compiled mean cost and gradients are mean_cost(...).backward()'s to the
    last bit: every parameter's sum over the batch adds the same terms in the same order."""
    mlp, xs, ys, cost = problem.mlp, problem.xs, problem.ys, get_cost(problem.cost)
    compiled = compile_mlp_loss(mlp, cost, backend=backend)
    parameters = mlp.parameters()
    mlp.zero_grad()
    expected = mean_cost([cost(mlp(x), y) for x, y in zip(xs, ys)])
    expected.backward()
    wanted = [p.grad for p in parameters]
    mlp.zero_grad()
    assert compiled(xs, ys) == expected.data
    assert [p.grad for p in parameters] == wanted


def test_compiled_training_follows_the_graph_engine() -> None:
    """Twenty SGD steps through the compiled path and through backward() give the same network."""
    xs = [[0.1 * k, 1.0 - 0.2 * k] for k in range(6)]
    ys = [[float(k % 2)] for k in range(6)]
    graph, fast = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=1)
    compiled = compile_mlp_loss(fast, "half_sse")
    for _ in range(20):
        graph.zero_grad()
        mean_cost([half_sse(graph(x), y) for x, y in zip(xs, ys)]).backward()
        fast.zero_grad()
        compiled(xs, ys)
        for model in (graph, fast):
            for p in model.parameters():
                p.data -= 0.5 * p.grad
    for a, b in zip(graph.parameters(), fast.parameters()):
        assert math.isclose(a.data, b.data, rel_tol=1e-12, abs_tol=1e-15)


def test_compiled_loss_accumulates_into_grad_and_reads_new_data() -> None:
    """Two calls add twice the gradient (as backward() does); a changed parameter is read at the next call."""
    mlp = MLP(1, [1], seed=0)
    (w,) = mlp.layers[0].neurons[0].w
    compiled = compile_mlp_loss(mlp, "half_sse")
    compiled([[1.0]], [[0.0]])
    once = w.grad
    compiled([[1.0]], [[0.0]])
    assert w.grad == 2 * once != 0.0
    w.data = 0.0
    assert compiled([[1.0]], [[0.0]]) == 0.5 * 0.5**2  # a = sigmoid(0 + 0) = 0.5


def test_compile_loss_takes_any_loss_of_parameters_and_data() -> None:
    """A hand-written loss of a parameter and data gives mean (p x - y)^2 and its gradient 2 (p x - y) x."""
    p = Value(2.0, "p")
    compiled = compile_loss(lambda x, y: (p * x[0] - y[0]) ** 2, [p], [[1.0], [0.0]], backend="python")
    assert compiled([[1.0], [3.0]], [[1.0], [3.0]]) == (1.0 + 9.0) / 2
    assert p.grad == (2 * 1.0 * 1.0 + 2 * 3.0 * 3.0) / 2
    assert "for (x_0,), (y_0,) in zip(reversed(xs), reversed(ys)):" in compiled.source


def test_compiled_loss_checks_its_batches() -> None:
    """Wrong batch counts, ragged or mismatched batches, non-numbers and empty batches name the problem."""
    compiled = compile_mlp_loss(MLP(2, [1], seed=0))
    with pytest.raises(TypeError, match="expected 2 batches"):
        compiled([[1.0, 2.0]])
    with pytest.raises(ValueError, match="batch 0 has 2 samples, batch 1 has 1"):
        compiled([[1.0, 2.0], [3.0, 4.0]], [[1.0]])
    with pytest.raises(ValueError, match="batch 0, sample 1: expected 2 numbers, got 1"):
        compiled([[1.0, 2.0], [3.0]], [[1.0], [0.0]])
    with pytest.raises(TypeError, match=r"batch 1, sample 0\[0\] must be a real number .*str"):
        compiled([[1.0, 2.0]], [["1"]])
    with pytest.raises(ValueError, match="the batch is empty"):
        compiled([], [])
    with pytest.raises(ValueError, match="unknown cost 'nope'"):
        compile_mlp_loss(MLP(2, [1], seed=0), "nope")


def test_compiled_loss_check_finds_data_dependent_losses() -> None:
    """A loss that branches on a target's value is reported by check() on a sample that takes the other branch."""
    p = Value(1.0, "p")
    compiled = compile_loss(lambda x, y: p * x[0] if y[0].data > 0 else p - x[0], [p], [[1.0], [1.0]])
    assert compiled.check([[1.0]], [[2.0]])
    with pytest.raises(TraceMismatchError, match="on sample 1"):
        compiled.check([[1.0], [1.0]], [[2.0], [-2.0]])


def test_compiled_loss_refuses_what_the_graph_path_refuses() -> None:
    """A non-finite input is a ValueError naming it; a nan cost raises the graph engine's error, adding no gradient."""
    mlp = MLP(1, [1], "linear", seed=0)
    compiled = compile_mlp_loss(mlp, "half_sse")
    with pytest.raises(ValueError, match=r"batch 0, sample 0\[0\] = nan is not finite"):
        compiled([[math.nan]], [[0.0]])
    mlp.layers[0].neurons[0].w[0].data = math.nan
    with pytest.raises(ValueError, match=r"outputs\[0\] = nan is not finite"):
        compiled([[1.0]], [[0.0]])
    assert all(p.grad == 0.0 for p in mlp.parameters())


def graph_path(loss: Callable[[list[Value]], Value], w: Value, rows: list[list[object]]) -> tuple[object, ...]:
    """The graph engine's mean cost of `loss` over `rows` and dC_avg/dw, or its error's type and message."""
    w.grad = 0.0
    try:
        cost = mean_cost([loss([Value(x) for x in row]) for row in rows])  # type: ignore[arg-type]
        cost.backward()
    except Exception as error:
        return type(error), str(error)
    return cost.data, w.grad


@pytest.mark.parametrize(
    "x",
    [2**53 + 1, -(2**53) - 3, 10**200, Fraction(1, 3), True, 7],
    ids=["2**53+1", "-2**53-3", "10**200", "1/3", "True", "7"],
)
def test_a_compiled_loss_converts_numbers_as_the_engine_does(x: object) -> None:
    """An int (above 2**53 too), a Fraction or a bool in a batch is converted to a float as `Value` converts it:
    the compiled loss gives the graph engine's cost and gradient (a float), or its error."""
    w = Value(0.5)

    def loss(row: list[Value]) -> Value:
        return row[0] * row[0] * w + row[1]

    compiled = compile_loss(loss, [w], [[1.0, 1.0]])
    rows = [[x, 0.25], [1.0, x]]
    expected = graph_path(loss, w, rows)
    w.grad = 0.0
    try:
        got: tuple[object, ...] = (compiled(rows), w.grad)
    except Exception as error:
        got = (type(error), str(error))
    assert got == expected
    assert type(w.grad) is float


def test_a_compiled_loss_gives_float_gradients_for_numpy_scalars() -> None:
    """A numpy float64 (a float subclass) is converted to a float: p.grad stays a float, equal to the engine's."""
    np = pytest.importorskip("numpy", reason="numpy comes with the dev extra: pip install -e '.[dev]'")
    mlp = MLP(2, [1], "linear", seed=0)
    compiled = compile_mlp_loss(mlp)
    cost = compiled([[np.float64(1.5), 2.0]], [[np.float64(0.5)]])
    assert type(cost) is float
    assert all(type(p.grad) is float for p in mlp.parameters())
    grads = [p.grad for p in mlp.parameters()]
    mlp.zero_grad()
    mean_cost([half_sse(mlp([1.5, 2.0]), [0.5])]).backward()
    assert grads == [p.grad for p in mlp.parameters()]


def test_a_compiled_loss_refuses_what_value_refuses_naming_the_number() -> None:
    """A Decimal or a 0-d numpy array (not real numbers to the engine) is a TypeError naming its place; no gradient."""
    np = pytest.importorskip("numpy", reason="numpy comes with the dev extra: pip install -e '.[dev]'")
    mlp = MLP(2, [1], "linear", seed=0)
    compiled = compile_mlp_loss(mlp)
    for x, shown in ((Decimal("1.5"), "Decimal"), (np.array(1.5), "ndarray")):
        with pytest.raises(TypeError, match=f"got {shown}"):
            mlp([x, 2.0])
        with pytest.raises(TypeError, match=f"got {shown}"):
            Value(x)
        with pytest.raises(
            TypeError, match=rf"^batch 0, sample 1\[0\] must be a real number \(int, float\), got {shown}"
        ):
            compiled([[1.0, 2.0], [x, 2.0]], [[0.5], [0.5]])
        with pytest.raises(
            TypeError, match=rf"^batch 1, sample 0\[0\] must be a real number \(int, float\), got {shown}"
        ):
            compiled([[1.0, 2.0]], [[x]])
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_a_loss_that_is_a_parameter_has_gradient_one() -> None:
    """A loss returning a parameter itself gives d(mean)/dp = 1, the other parameters 0, and leaves labels alone."""
    p, q = Value(2.0), Value(1.0)
    compiled = compile_loss(lambda x: p, [p, q], [[1.0]])
    assert compiled([[1.0], [2.0]]) == 2.0
    assert (p.grad, q.grad, p.label) == (1.0, 0.0, "")


# --- the compiling page stays true --------------------------------------------------------


def _compiling_page() -> str:
    return text(DOCS / "compiling.md")


def test_the_docs_examples_run(capsys: pytest.CaptureFixture[str]) -> None:
    """The compiling page's examples (compiling, choosing a back end, training, the C back end's
    fastest loop) run as written, and print what their comments say."""
    usage, backend, training, _, fastest = code_blocks(_compiling_page(), "python")
    for block in (usage, backend, training, fastest):
        exec(compile(block, "docs/compiling.md", "exec"), {})
    printed = capsys.readouterr().out
    assert backend.split("# ")[-1].strip() in printed.splitlines()


def test_the_docs_show_the_golden_neuron() -> None:
    """The generated neuron the compiling page shows next to the delta equations is the golden file."""
    _, _, _, listing, _ = code_blocks(_compiling_page(), "python")
    assert listing == (GOLDEN / "neuron.py.txt").read_text()


def test_check_catches_compiled_numbers_that_differ_from_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: a compiled function that returns a wrong gradient fails check(); nan equals nan."""
    compiled = microgradnet.compile_function(lambda x: x * x, [1.0], backend="python")
    assert microgradnet.compile_function(lambda x: x * math.nan, [1.0]).check([2.0])
    monkeypatch.setattr(compiled, "_python", lambda x: (x * x, (3.0 * x,)))
    with pytest.raises(TraceMismatchError, match=r"d/dinputs\[0\]: compiled 6.0, engine 4.0"):
        compiled.check([2.0])


def test_check_leaves_every_gradient_as_it_found_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """check() runs backward() on the engine, yet the Values f captures (a leaf and a node) keep their grad,
    also when check fails."""
    w = Value(2.0)
    h = w * 3.0
    w.grad, h.grad = 0.25, -1.5
    compiled = microgradnet.compile_function(lambda x: x * w + x * h, [1.0], backend="python")
    assert compiled.check([3.0])
    assert (w.grad, h.grad) == (0.25, -1.5)
    monkeypatch.setattr(compiled, "_python", lambda x: (x * 8.0, (0.0,)))
    with pytest.raises(TraceMismatchError):
        compiled.check([3.0])
    assert (w.grad, h.grad) == (0.25, -1.5)


def test_compile_loss_checks_its_arguments() -> None:
    """A non-callable loss, a non-leaf or repeated parameter, a bad example or a non-MLP is refused by name."""
    p = Value(1.0)
    with pytest.raises(TypeError, match="loss must be a callable"):
        compile_loss(None, [p], [[1.0]])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"parameters\[0\] must be a leaf Value"):
        compile_loss(lambda x: p * x[0], [p * 2.0], [[1.0]])
    with pytest.raises(ValueError, match="the same Value more than once"):
        compile_loss(lambda x: p * x[0], [p, p], [[1.0]])
    with pytest.raises(TypeError, match="example_sample must be a non-empty sequence"):
        compile_loss(lambda x: p * x[0], [p], [])
    with pytest.raises(TypeError, match=r"example_sample\[0\]\[0\] must be a real number"):
        compile_loss(lambda x: p * x[0], [p], [["1"]])
    with pytest.raises(TypeError, match="mlp must be an MLP, got Neuron"):
        compile_mlp_loss(microgradnet.Neuron(2), "half_sse")  # type: ignore[arg-type]


@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(0.0, 1e300))  # base * ln(base) stays finite
def test_a_constant_power_is_read_back_exactly(exponent: float, base: float) -> None:
    """The op names "**c" and "c**" carry the float c exactly, so the compiled code uses the very constant."""
    compiled = microgradnet.compile_function(lambda x: x**exponent + base**x, [1.0])
    x = Value(1.0)
    out = x**exponent + base**x
    out.backward()
    assert compiled([1.0]) == (out.data, (x.grad,))


def test_import_microgradnet_loads_no_compiler_and_keeps_the_builtin_name() -> None:
    """`import microgradnet` leaves the compiler unloaded; compile_function loads it; `compile` says where it went."""
    code = (
        "import sys, microgradnet\n"
        "assert 'microgradnet.compiler' not in sys.modules\n"
        "assert microgradnet.compile_function(lambda x: x * x, [3.0])([3.0]) == (9.0, (6.0,))\n"
        "assert 'microgradnet.compiler' in sys.modules\n"
        "try:\n    microgradnet.compile\nexcept AttributeError as error:\n    print(error)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "compile_function" in result.stdout


# --- without a C compiler -------------------------------------------------------------------


WITHOUT_COMPILER = """
import microgradnet
from microgradnet.compiler import toolchain
assert not toolchain.available()
f = microgradnet.compile_function(lambda x: x * x, [1.0])
print(f.backend, f([3.0]))
try:
    microgradnet.compile_function(lambda x: x * x, [1.0], backend="c")
except toolchain.CompilerNotFoundError as error:
    print("error:", error)
"""


def test_without_a_c_compiler_auto_takes_python_and_c_says_how_to_get_one() -> None:
    """With no C compiler (MICROGRADNET_CC=none), "auto" falls back to Python and "c" is a clear error."""
    run = subprocess.run(
        [sys.executable, "-c", WITHOUT_COMPILER],
        capture_output=True,
        text=True,
        env={**os.environ, "MICROGRADNET_CC": "none"},
    )
    assert run.returncode == 0, run.stderr
    first, error = run.stdout.splitlines()[:2]
    assert first == "python (9.0, (6.0,))"
    assert "C compiler" in error and "apt-get install gcc" in error and 'backend="python"' in error
