"""The C back end: generated C gives the Python back end's numbers bit for bit and its errors,
loops over the groups of `w·a+b`, and says which back end a compile call chose."""

from __future__ import annotations

import ast
import functools
import math
import struct
from collections.abc import Callable, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import ROW_CASES, BatchProblem, Expression, Ones, batch_problems, expressions
from system_programs import requires_c_compiler

import microgradnet
from microgradnet import MLP, Value
from microgradnet.compiler import compile_loss, native
from microgradnet.datasets import moons
from microgradnet.engine import sum_values
from microgradnet.losses import get_cost
from microgradnet.optim import SGD, Adam
from microgradnet.train import compile_mlp_loss, fit

pytestmark = requires_c_compiler  # every test here needs a C compiler

# Every double: tiny, huge, subnormal, zero of both signs, and the edges of exp and log.
doubles = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(-5.0, 5.0),
    st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 709.78, 709.79, -745.2, 1e308, -1e308, 1.0, -1.0]),
)


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def outcome(f: Callable[[Sequence[float]], tuple[float, tuple[float, ...]]], xs: Sequence[float]) -> object:
    """The bits of f's value and gradients, or the type and message of its error."""
    try:
        value, gradient = f(xs)
    except (ArithmeticError, ValueError) as error:
        return type(error), str(error)
    return [bits(v) if not math.isnan(v) else "nan" for v in (value, *gradient)]


@functools.cache
def row_pair(row: str) -> tuple[microgradnet.CompiledFunction, microgradnet.CompiledFunction]:
    f, traced = ROW_CASES[row](Ones())  # type: ignore[arg-type]
    return (
        microgradnet.compile_function(f, traced, backend="python"),
        microgradnet.compile_function(f, traced, backend="c"),
    )


@pytest.mark.parametrize("row", sorted(ROW_CASES))
@settings(max_examples=150, derandomize=True)
@given(st.data())
def test_every_row_of_the_table_gives_the_python_back_ends_bits(row: str, data: st.DataObject) -> None:
    """For every operation, on every kind of double, C gives the same bits as Python, or the same error."""
    python, c = row_pair(row)
    xs = data.draw(st.lists(doubles, min_size=python.n_inputs, max_size=python.n_inputs))
    assert outcome(c, xs) == outcome(python, xs)


@settings(max_examples=100, derandomize=True)
@given(expressions(), st.data())
def test_random_graphs_give_the_python_back_ends_bits(f: Expression, data: st.DataObject) -> None:
    """On random graphs over every operation, C gives Python's value and gradients bit for bit, or its error."""
    traced = data.draw(st.lists(st.floats(-5.0, 5.0), min_size=f.n_inputs, max_size=f.n_inputs))
    try:
        python = microgradnet.compile_function(f, traced, backend="python")
        python(traced)
    except (ArithmeticError, ValueError):
        return
    c = microgradnet.compile_function(f, traced, backend="c")
    xs = data.draw(st.lists(doubles, min_size=f.n_inputs, max_size=f.n_inputs))
    assert outcome(c, xs) == outcome(python, xs)


@settings(max_examples=40, derandomize=True)
@given(batch_problems(max_samples=6))
def test_a_compiled_loss_gives_the_python_back_ends_bits(problem: BatchProblem) -> None:
    """On random networks and costs, the C batch cost and every gradient are the Python back end's bits."""
    cost = get_cost(problem.cost)
    results = []
    for backend in ("python", "c"):
        compiled = compile_mlp_loss(problem.mlp, cost, backend=backend)
        problem.mlp.zero_grad()
        value = compiled(problem.xs, problem.ys)
        results.append([bits(value), *(bits(p.grad) for p in problem.mlp.parameters())])
    assert results[0] == results[1]


@settings(max_examples=25, derandomize=True)
@given(st.integers(32, 48), st.integers(2, 6), st.data())
def test_a_wide_layer_gives_the_python_back_ends_bits(inputs: int, hidden: int, data: st.DataObject) -> None:
    """A layer wide enough to be one loop nest gives the Python back end's cost and gradients bit for bit."""
    mlp = MLP(inputs, [hidden, 2], seed=0)
    for p in mlp.parameters():
        p.data = data.draw(st.floats(-3.0, 3.0))
    xs = data.draw(st.lists(st.lists(st.floats(-2.0, 2.0), min_size=inputs, max_size=inputs), min_size=1, max_size=4))
    ys = [[1.0, 0.0]] * len(xs)
    results = []
    for backend in ("python", "c"):
        compiled = compile_mlp_loss(mlp, "half_sse", backend=backend)
        mlp.zero_grad()
        results.append([bits(compiled(xs, ys)), *(bits(p.grad) for p in mlp.parameters())])
    assert "for (long j = 0; j < " in compiled.source
    assert results[0] == results[1]


def test_a_layer_is_loops() -> None:
    """A layer's forward pass is one loop nest over its inputs and neurons, each neuron's dC/dw_k and
    dC/da_k one loop over its inputs, not a line per weight; a single neuron is one call."""
    compiled = compile_mlp_loss(MLP(40, [8, 1], seed=0), "half_sse", backend="c")
    lines = [line.strip() for line in compiled.source.splitlines()]
    assert sum(line.startswith("for (long k = 0; k < 40; k++) for (long j = 0; j < 8; j++)") for line in lines) == 1
    backward = [line for line in lines if line.startswith("for (long k = 0; k < ") and "for (long j" not in line]
    assert sum("k < 40;" in line for line in backward) == 8  # dC/dw of the first layer (the inputs need none)
    assert sum("k < 8;" in line for line in backward) == 2  # dC/dw and dC/da of the output neuron
    assert sum("= mgn_affine(" in line for line in lines) == 1  # the output neuron, alone in its layer


def test_a_long_pass_is_cut_into_functions_of_bounded_size() -> None:
    """A graph of a thousand nodes becomes several C functions, each at most STATEMENTS_PER_FUNCTION long."""
    compiled = microgradnet.compile_function(lambda x: sum_values([(x * float(i)).tanh() for i in range(500)]), [0.5])
    parts = compiled.source.split("static void ")[1:]
    assert len(parts) > 4
    for part in parts:
        assert part.count(";\n") <= native.STATEMENTS_PER_FUNCTION + 1
    python = microgradnet.compile_function(
        lambda x: sum_values([(x * float(i)).tanh() for i in range(500)]), [0.5], backend="python"
    )
    assert outcome(compiled, [0.3]) == outcome(python, [0.3])


def test_errors_are_the_engines_naming_the_operation() -> None:
    """Where the C code meets a domain error, the call raises the engine's error and message."""
    compiled = microgradnet.compile_function(lambda x, y: x.log() / y + (x * 400.0).exp(), [1.0, 1.0], backend="c")
    with pytest.raises(ValueError, match=r"^log: argument must be positive, got -1.0$"):
        compiled([-1.0, 1.0])
    with pytest.raises(ZeroDivisionError, match=r"division by zero"):
        compiled([1.0, 0.0])
    with pytest.raises(OverflowError, match=r"^exp: e\*\*800.0 overflows"):
        compiled([2.0, 1.0])
    assert compiled([1.0, 2.0]) == microgradnet.compile_function(
        lambda x, y: x.log() / y + (x * 400.0).exp(), [1.0, 1.0], backend="python"
    )([1.0, 2.0])


def test_a_loss_error_names_the_sample() -> None:
    """A compiled loss whose cost overflows on one sample raises the engine's error, as the Python back end does."""
    w = Value(1.0, "w")
    loss = compile_loss(lambda x, y: (w * x[0]).exp() - y[0], [w], [[1.0], [0.0]], backend="c")
    assert loss([[1.0], [2.0]], [[0.0], [0.0]]) == (math.e + math.exp(2.0)) / 2
    with pytest.raises(OverflowError, match="exp"):
        loss([[1.0], [1000.0]], [[0.0], [0.0]])


def test_a_sum_that_overflows_on_the_way_is_exact() -> None:
    """fsum's running sum overflows for 1e308 + 1e308 - 1e308: C leaves it to Python, which sums exactly."""
    total = microgradnet.compile_function(lambda x, y, z: sum_values([x, y, z]), [1.0] * 3, backend="c")
    assert total([1e308, 1e308, -1e308]) == (1e308, (1.0, 1.0, 1.0))


def test_the_chosen_back_end_is_an_attribute_and_in_the_repr() -> None:
    """backend="auto" takes C here; the choice shows in .backend and repr of a function and a loss."""
    f = microgradnet.compile_function(lambda x: x * x, [1.0])
    loss = compile_mlp_loss(MLP(2, [1], seed=0))
    assert f.backend == "c" and "backend='c'" in repr(f)
    assert loss.backend == "c" and "backend='c'" in repr(loss)
    assert microgradnet.compile_function(lambda x: x * x, [1.0], backend="python").backend == "python"


def test_an_unknown_back_end_is_a_value_error_naming_the_choices() -> None:
    """A misspelt back end is refused by name, everywhere one is taken."""
    with pytest.raises(ValueError, match=r"backend must be one of 'python', 'c', 'auto', got 'C'"):
        microgradnet.compile_function(lambda x: x * x, [1.0], backend="C")
    with pytest.raises(ValueError, match=r"got 'gcc'"):
        compile_mlp_loss(MLP(2, [1], seed=0), backend="gcc")
    mlp = MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match="compiled must be True, False or a back end"):
        fit(mlp, [[0.0, 0.0]], [[0.0]], optimizer=SGD(mlp.parameters(), lr=0.1), compiled=1, progress=False)  # type: ignore[arg-type]


def test_fit_trains_the_same_through_c_and_python() -> None:
    """fit(compiled="c") and fit(compiled="python") give the same losses and weights, bit for bit."""
    xs, ys = moons(40, noise=0.1, seed=1)
    runs = []
    for backend in ("c", "python"):
        mlp = MLP(2, [4, 1], seed=1)
        history = fit(
            mlp,
            xs,
            ys,
            optimizer=Adam(mlp.parameters(), lr=0.05),
            epochs=5,
            batch_size=8,
            progress=False,
            compiled=backend,
        )
        runs.append((history, [p.data for p in mlp.parameters()]))
    assert runs[0] == runs[1]


def test_a_wrong_translation_to_c_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: with `*` translated to C as `+`, the bit comparison above fails."""
    f, traced = ROW_CASES["*"](Ones())  # type: ignore[arg-type]
    python = microgradnet.compile_function(f, traced, backend="python")
    monkeypatch.setitem(native._OPERATORS, ast.Mult, "+")
    wrong = microgradnet.compile_function(f, traced, backend="c")
    assert outcome(wrong, [2.0, 3.0]) != outcome(python, [2.0, 3.0])
