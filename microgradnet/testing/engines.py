"""`check_engine`: a micrograd-like scalar autograd engine against microgradnet and central differences.

The engine is driven through four functions: `leaf(number)` makes a value, `backward(value)` runs
reverse mode from it, `grad(value)` and `data(value)` read a node. The kit finds which operations
it supports (or is told), runs random expressions over them (shrunk to the smallest that fails), and
probes the semantics engines get wrong: a value used twice (`x * x`, shared subexpressions), numbers
on the left (`2 - x`, `1 / x`), `**` with a negative base, relu at 0, `backward()` twice (PyTorch
adds the second pass's gradients: every grad doubles), and the depth of a chain at which
`backward()` fails (a recursive topological sort meets Python's recursion limit).
"""

from __future__ import annotations

import math
import numbers
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from microgradnet import checks
from microgradnet.engine import Value, topological_order
from microgradnet.gradcheck import numeric_gradient
from microgradnet.testing import report
from microgradnet.testing.operations import OPERATIONS, Expression, Operation, select
from microgradnet.testing.oracle import NUMERIC_TOLERANCE, close
from microgradnet.testing.search import search
from microgradnet.testing.strategies import expressions, values

STEP = 1e-6  # h of the central differences (and h/2, to see whether the quotient has settled)
LARGEST = 1e6  # expressions with a node beyond this or below its inverse are skipped: their differences lose digits
KINK_MARGIN = 1e-4  # a relu input closer to 0 than this may cross the kink within h


def _backward(value: Any) -> None:
    value.backward()


def _grad(value: Any) -> Any:
    return value.grad


def _data(value: Any) -> Any:
    return value.data


class NotReal(ValueError):
    """The engine gave something that is not a real number (a complex number, None, ...)."""


def _real(number: object, what: str) -> float:
    if isinstance(number, complex):
        raise NotReal(f"{what} is the complex number {number!r}")
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise NotReal(f"{what} is {type(number).__name__} {number!r}, not a real number")
    return float(number)


@dataclass(frozen=True)
class Engine:
    """How the kit drives an engine: make a leaf, run backward, read a node's gradient and value."""

    leaf: Callable[[float], Any]
    backward: Callable[[Any], None] = _backward
    grad: Callable[[Any], Any] = _grad
    data: Callable[[Any], Any] = _data

    @property
    def name(self) -> str:
        return getattr(self.leaf, "__qualname__", repr(self.leaf))

    def value_of(self, node: Any) -> float:
        return _real(self.data(node), "data")

    def grad_of(self, node: Any) -> float:
        return _real(self.grad(node), "grad")


@dataclass(frozen=True)
class Finding:
    """One property: whether it holds (None: not checked, an operation it needs is missing) and the
    smallest counterexample, as code with the numbers it gave."""

    key: str
    title: str
    holds: bool | None
    counterexample: str = ""


@dataclass(frozen=True)
class EngineReport:
    """The operations the engine supports, and every property with its verdict and counterexample."""

    engine: str
    supported: tuple[str, ...]
    unsupported: tuple[tuple[str, str], ...]  # (operation, what applying it raised)
    findings: tuple[Finding, ...]
    settings: str

    @property
    def ok(self) -> bool:
        """Every property that was checked holds."""
        return all(finding.holds is not False for finding in self.findings)

    def __getitem__(self, key: str) -> Finding:
        return next(finding for finding in self.findings if finding.key == key)

    @property
    def text(self) -> str:
        return report.engine_text(self)

    def __str__(self) -> str:
        return self.text


class EngineMismatch(AssertionError):
    """`check_engine(..., raises=True)` found a property that does not hold; `report` is the EngineReport."""

    def __init__(self, engine_report: EngineReport) -> None:
        super().__init__(engine_report.text)
        self.report = engine_report


# --- which operations the engine supports -------------------------------------------------------


def _probe(engine: Engine, op: Operation) -> str | None:
    """None if the engine applies `op` to leaves in its domain and gives a real value, else what went wrong."""
    try:
        operands = [engine.leaf(0.7), engine.leaf(1.3)][: op.operands]
        out = op.apply(*operands, op.constants[0]) if op.constants else op.apply(*operands)
        engine.value_of(out)
    except Exception as error:
        return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}".rstrip(": ")
    return None


def supported_operations(engine: Engine, ops: Sequence[str] | None) -> tuple[list[Operation], list[tuple[str, str]]]:
    """The operations to check: those named (trusted), or those of `OPERATIONS` the engine applies."""
    if ops is not None:
        return select(ops), []
    supported, unsupported = [], []
    for op in OPERATIONS.values():
        problem = _probe(engine, op)
        if problem is None:
            supported.append(op)
        else:
            unsupported.append((op.name, problem))
    return supported, unsupported


# --- random expressions -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Evaluation:
    data: float
    grads: tuple[float, ...]


def _with_microgradnet(expression: Expression, inputs: Sequence[float]) -> tuple[_Evaluation, bool] | None:
    """The output and its gradients by microgradnet (none where a relu sits exactly at its kink), and
    whether central differences can be trusted there (no relu near its kink); None where the expression
    leaves the reals or grows too large."""
    leaves = [Value(x) for x in inputs]
    try:
        out = expression(leaves)
        nodes = topological_order(out)
        if not all(node.data == 0.0 or 1.0 / LARGEST < abs(node.data) < LARGEST for node in nodes):
            return None
        out.backward()
    except (ValueError, ArithmeticError):
        return None
    if not all(math.isfinite(leaf.grad) and abs(leaf.grad) < LARGEST for leaf in leaves):
        return None
    relu_inputs = [node.parents[0].data for node in nodes if node.op == "relu"]
    if 0.0 in relu_inputs:  # relu'(0) is a convention, which the relu-at-0 probe reports on its own
        return _Evaluation(out.data, ()), False
    smooth = all(abs(x) > KINK_MARGIN for x in relu_inputs)
    return _Evaluation(out.data, tuple(leaf.grad for leaf in leaves)), smooth


def _central_differences(expression: Expression, inputs: Sequence[float]) -> tuple[float, ...] | None:
    """d out/dx_k by central differences of microgradnet's forward pass, if they have settled (the
    quotients for h and h/2 agree); None otherwise."""
    try:
        coarse = numeric_gradient(lambda *xs: expression(xs), inputs, STEP)
        fine = numeric_gradient(lambda *xs: expression(xs), inputs, STEP / 2)
    except (ValueError, ArithmeticError):  # a shifted input left the domain
        return None
    if all(close(c, f, NUMERIC_TOLERANCE / 10) for c, f in zip(coarse, fine)):
        return tuple(fine)
    return None


def _with_engine(engine: Engine, expression: Expression, inputs: Sequence[float]) -> _Evaluation:
    leaves = [engine.leaf(x) for x in inputs]
    out = expression(leaves)
    engine.backward(out)
    return _Evaluation(engine.value_of(out), tuple(engine.grad_of(leaf) for leaf in leaves))


def _check_expression(
    engine: Engine, reference: Engine | None, case: tuple[Expression, list[float]], tolerance: float
) -> str | None:
    """None if the engine's value and gradients agree with the reference and central differences."""
    expression, inputs = case
    evaluated = _with_microgradnet(expression, inputs)
    assume(evaluated is not None)
    assert evaluated is not None
    expected, smooth = evaluated
    if reference is not None:
        expected = _with_engine(reference, expression, inputs)
    numeric = _central_differences(expression, inputs) if smooth else None
    source = expression.source(engine.name, inputs)
    try:
        got = _with_engine(engine, expression, inputs)
    except Exception as error:
        return f"{source}\n  raised {report.exception(error)}"
    if not close(got.data, expected.data, tolerance):
        return f"{source}\n  out.data: yours {got.data!r}, microgradnet {expected.data!r}"
    for k, (g, e) in enumerate(zip(got.grads, expected.grads)):
        n = None if numeric is None else numeric[k]
        if not close(g, e, tolerance) or (n is not None and not close(g, n, max(tolerance, NUMERIC_TOLERANCE))):
            shown = "" if n is None else f", central difference {n:.10g}"
            return f"{source}\n  x{k}.grad: yours {g!r}, microgradnet {e!r}{shown}"
    return None


def _cases(operations: Sequence[Operation]) -> st.SearchStrategy[tuple[Expression, list[float]]]:
    names = [op.name for op in operations]
    return expressions(names).flatmap(
        lambda e: st.tuples(st.just(e), st.lists(values, min_size=e.n_inputs, max_size=e.n_inputs))
    )


# --- probes of the semantics engines get wrong ---------------------------------------------------


# Whether a property holds (None: not checked, an operation it needs is missing), and the counterexample.
Verdict = tuple["bool | None", str]


class _Probe:
    """Runs small pieces of code on the engine, turning what goes wrong into a counterexample."""

    def __init__(self, engine: Engine, supported: Sequence[Operation], tolerance: float) -> None:
        self.engine = engine
        self.names = {op.name for op in supported}
        self.tolerance = tolerance
        self.code = ""  # the code the probe is running, shown if the engine raises on it

    def needs(self, *names: str) -> str:
        """'' if every named operation is supported, else which are not."""
        missing = [name for name in names if name not in self.names]
        return f"needs {', '.join(missing)}, which the engine does not support" if missing else ""

    def compare(self, checks: Sequence[tuple[str, Any, float]]) -> str:
        """'' if every (name, node, expected) holds (a name ending in .grad reads the grad, else the data);
        else the probe's code and the numbers that are wrong."""
        wrong = []
        for name, node, expected in checks:
            try:
                got = self.engine.grad_of(node) if name.endswith(".grad") else self.engine.value_of(node)
            except NotReal as error:
                wrong.append(f"{name}: {error}")
                continue
            if not close(got, expected, self.tolerance):
                wrong.append(f"{name} = {got!r}, expected {expected!r}")
        return f"{self.code}\n  " + "; ".join(wrong) if wrong else ""


def _x_times_x(probe: _Probe) -> Verdict:
    if missing := probe.needs("x * y"):
        return None, missing
    engine = probe.engine
    probe.code = f"x = {engine.name}(3.0); out = x * x; out.backward()"
    x = engine.leaf(3.0)
    out = x * x
    engine.backward(out)
    wrong = probe.compare([("out", out, 9.0), ("x.grad", x, 6.0)])
    return not wrong, wrong


def _shared(probe: _Probe) -> Verdict:
    if missing := probe.needs("x * c", "x * y", "x + y"):
        return None, missing
    engine = probe.engine
    probe.code = f"x = {engine.name}(1.5); y = x * 2.0; z = y * y + y; z.backward()  # dz/dx = (2y + 1) * 2"
    x = engine.leaf(1.5)
    y = x * 2.0
    z = y * y + y
    engine.backward(z)
    wrong = probe.compare([("z", z, 12.0), ("y.grad", y, 7.0), ("x.grad", x, 14.0)])
    return not wrong, wrong


# form, c, x, out, d out/dx
_NUMBERS_LEFT = [
    ("c + x", 2.0, 0.5, 2.5, 1.0),
    ("c - x", 2.0, 0.5, 1.5, -1.0),
    ("c * x", 2.0, 0.5, 1.0, 2.0),
    ("c / x", 1.0, 0.5, 2.0, -4.0),
]


def _numbers_on_the_left(probe: _Probe) -> Verdict:
    engine = probe.engine
    for form, c, x_value, out_value, slope in _NUMBERS_LEFT:
        probe.code = f"x = {engine.name}({x_value}); out = {form.replace('c', repr(c))}; out.backward()"
        x = engine.leaf(x_value)
        out = OPERATIONS[form].apply(x, c)
        engine.backward(out)
        if wrong := probe.compare([("out", out, out_value), ("x.grad", x, slope)]):
            return False, wrong
    return True, ""


def _negative_base(probe: _Probe) -> Verdict:
    if missing := probe.needs("x ** c"):
        return None, missing
    engine = probe.engine
    for c, out_value, slope in ((3.0, -8.0, 12.0), (2.0, 4.0, -4.0)):  # an odd and an even power
        probe.code = f"x = {engine.name}(-2.0); out = x ** {c}; out.backward()  # d/dx = {c:g} x^{c - 1:g}"
        x = engine.leaf(-2.0)
        out = x**c
        engine.backward(out)
        if wrong := probe.compare([("out", out, out_value), ("x.grad", x, slope)]):
            return False, wrong
    return True, ""


def _negative_base_fraction(probe: _Probe) -> Verdict:
    if missing := probe.needs("x ** c"):
        return None, missing
    engine = probe.engine
    code = f"x = {engine.name}(-2.0); out = x ** 0.5"
    try:
        out = engine.leaf(-2.0) ** 0.5
        data = engine.data(out)
    except Exception:
        return True, ""  # an error, as microgradnet raises
    if isinstance(data, numbers.Real) and math.isnan(float(data)):
        return True, ""  # nan, as PyTorch gives
    kind = "the complex number" if isinstance(data, complex) else "the number"
    return False, f"{code}\n  out.data is {kind} {data!r}, not an error or nan"


def _relu_at_zero(probe: _Probe) -> Verdict:
    if missing := probe.needs("x.relu()"):
        return None, missing
    engine = probe.engine
    probe.code = f"x = {engine.name}(0.0); out = x.relu(); out.backward()"
    x = engine.leaf(0.0)
    out = x.relu()
    engine.backward(out)
    wrong = probe.compare([("out", out, 0.0), ("x.grad", x, 0.0)])
    return not wrong, wrong


def _backward_twice(probe: _Probe) -> Verdict:
    if missing := probe.needs("x * c"):
        return None, missing
    engine = probe.engine
    probe.code = f"x = {engine.name}(1.0); y = x * 2.0; z = y * 3.0; z.backward(); z.backward()"
    x = engine.leaf(1.0)
    y = x * 2.0
    z = y * 3.0
    engine.backward(z)
    engine.backward(z)
    wrong = probe.compare([("x.grad", x, 12.0), ("y.grad", y, 6.0), ("z.grad", z, 2.0)])
    if wrong:
        once = [("x.grad", x, 6.0), ("y.grad", y, 3.0), ("z.grad", z, 1.0)]
        if not probe.compare(once):
            wrong += "  (what one backward() gives: your backward() sets every grad afresh, PyTorch's adds to it)"
        else:
            wrong += "  (one backward() gives x.grad = 6, y.grad = 3, z.grad = 1)"
    return not wrong, wrong


def _chain_fails(engine: Engine, depth: int) -> str | None:
    """What goes wrong building `depth` nodes v = v + 1.0 and running backward() (None: nothing), in a
    fresh thread, so the depth reached does not depend on the caller's stack."""
    outcome: list[str | None] = []

    def attempt() -> None:
        try:
            x = engine.leaf(0.0)
            v = x
            for _ in range(depth):
                v = v + 1.0
            engine.backward(v)
            got = engine.grad_of(x)
            outcome.append(None if got == 1.0 else f"x.grad = {got!r}, expected 1.0")
        except BaseException as error:  # RecursionError, MemoryError, ...
            outcome.append(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return outcome[0]


def _deep_chain(probe: _Probe, max_depth: int) -> Verdict:
    if missing := probe.needs("x + c"):
        return None, missing
    engine = probe.engine
    passed, depth = 0, 10
    while True:  # the first failing power of ten, then bisect down to the exact depth
        depth = min(depth, max_depth)
        failure = _chain_fails(engine, depth)
        if failure is not None:
            break
        if depth == max_depth:
            return True, ""
        passed, depth = depth, depth * 10
    while depth - passed > 1:
        middle = (passed + depth) // 2
        if (middle_failure := _chain_fails(engine, middle)) is None:
            passed = middle
        else:
            depth, failure = middle, middle_failure
    code = f"x = {engine.name}(0.0); v = x; v = v + 1.0 ({depth} times); v.backward()"
    limit = f" (sys.getrecursionlimit() = {sys.getrecursionlimit()})" if failure.startswith("RecursionError") else ""
    return False, f"{code}\n  fails at depth {depth}, works at {passed}: {failure}{limit}"


# key, title, probe: the semantic properties, in the order of the report (after the random expressions)
PROBES: list[tuple[str, str, Callable[[_Probe, int], Verdict]]] = [
    ("x*x", "x * x: d/dx = 2x (a value used twice by one node)", lambda probe, _: _x_times_x(probe)),
    ("shared", "shared subexpression: y = x * 2; z = y * y + y", lambda probe, _: _shared(probe)),
    ("numbers-left", "numbers on the left: 2 + x, 2 - x, 2 * x, 1 / x", lambda probe, _: _numbers_on_the_left(probe)),
    ("negative-base", "** with a negative base: (-2) ** 3, (-2) ** 2", lambda probe, _: _negative_base(probe)),
    ("negative-fraction", "(-2) ** 0.5 is an error or nan", lambda probe, _: _negative_base_fraction(probe)),
    ("relu-at-0", "relu at 0: value 0, gradient 0 (PyTorch's convention)", lambda probe, _: _relu_at_zero(probe)),
    ("backward-twice", "backward() twice doubles every grad (PyTorch)", lambda probe, _: _backward_twice(probe)),
    ("deep-chain", "a deep chain v = v + 1.0: backward() at any depth", _deep_chain),
]
PROPERTIES = ("expressions", *(key for key, _, _ in PROBES))


def check_engine(
    leaf: Callable[[float], Any],
    *,
    ops: Sequence[str] | None = None,
    backward: Callable[[Any], None] = _backward,
    grad: Callable[[Any], Any] = _grad,
    data: Callable[[Any], Any] = _data,
    examples: int = 200,
    tolerance: float = 1e-9,
    seed: int | None = 0,
    max_depth: int = 100_000,
    skip: Sequence[str] = (),
    raises: bool = False,
    reference: Callable[[float], Any] | None = None,
) -> EngineReport:
    """Check a micrograd-like engine whose `leaf(x)` (its `Value` class, say) makes a value.

    `ops` names the operations it supports (see `OPERATIONS`; by default the kit probes them);
    `backward`, `grad` and `data` say how to run reverse mode and read a node (default: `v.backward()`,
    `v.grad`, `v.data`). Runs `examples` random expressions (the same for the same `seed`) against
    microgradnet (or `reference`, a leaf maker of another engine) and central differences, within
    `tolerance` relative to max(1, |value|), then the semantic probes; `skip` names properties of
    `PROPERTIES` to leave out. Returns the `EngineReport`; with `raises=True`, an `EngineMismatch`
    (an AssertionError) carries it when a property does not hold.
    """
    if not callable(leaf):
        raise TypeError(f"leaf must make a value from a number (the engine's Value class), got {type(leaf).__name__}")
    for key in skip:
        if key not in PROPERTIES:
            raise ValueError(f"unknown property {key!r} to skip; expected one of {', '.join(PROPERTIES)}")
    checks.count("examples", examples)
    checks.count("max_depth", max_depth)
    tolerance = checks.real("tolerance", tolerance)
    checks.seed(seed)
    engine = Engine(leaf, backward, grad, data)
    operations, unsupported = supported_operations(engine, ops)
    probe = _Probe(engine, operations, tolerance)
    findings: list[Finding] = []
    if "expressions" not in skip:
        title = f"random expressions: value and gradients ({examples}, seed {seed})"
        the_reference = None if reference is None else Engine(reference, backward, grad, data)
        found = search(
            _cases(operations), lambda case: _check_expression(engine, the_reference, case, tolerance), examples, seed
        )
        findings.append(Finding("expressions", title, found.failure is None, found.failure or ""))
    for key, title, run_probe in PROBES:
        if key not in skip:
            probe.code = ""
            try:
                holds, counterexample = run_probe(probe, max_depth)
            except Exception as error:  # the engine failed on the probe's code itself
                holds, counterexample = False, f"{probe.code}\n  raised {report.exception(error)}".lstrip()
            findings.append(Finding(key, title, holds, counterexample))
    engine_report = EngineReport(
        engine=f"{getattr(leaf, '__module__', '')}.{engine.name}".lstrip("."),
        supported=tuple(op.name for op in operations),
        unsupported=tuple(unsupported),
        findings=tuple(findings),
        settings=f"tolerance {tolerance:g}, chains up to {max_depth} nodes",
    )
    if raises and not engine_report.ok:
        raise EngineMismatch(engine_report)
    return engine_report
