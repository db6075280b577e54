"""`check_engine` on real engines: micrograd 0.1.0 from PyPI (its arithmetic passes; where it differs
from PyTorch's semantics the report says so, with counterexamples), microgradnet itself (every property
holds), and a small engine written here, correct and then with one planted bug at a time."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import find, given, settings
from micrograd.engine import Value as MicrogradValue

import microgradnet
from microgradnet.testing import PROPERTIES, EngineMismatch, Expression, check_engine, expressions

ARITHMETIC = ["expressions", "x*x", "shared", "numbers-left", "negative-base", "relu-at-0"]


@pytest.fixture(scope="module")
def micrograd_report() -> Any:
    """The report on micrograd's Value as published (benchmarks/micrograd_ext.py, imported by other tests,
    gives it an exp and a sigmoid: they are taken away for this check)."""
    with pytest.MonkeyPatch.context() as patch:
        for method in ("exp", "sigmoid"):
            patch.delattr(MicrogradValue, method, raising=False)
        return check_engine(MicrogradValue)


def test_micrograd_arithmetic_passes(micrograd_report: Any) -> None:
    """micrograd's values and gradients agree with microgradnet on random expressions and on every arithmetic probe."""
    for key in ARITHMETIC:
        assert micrograd_report[key].holds is True, micrograd_report.text


def test_micrograd_operations_are_probed(micrograd_report: Any) -> None:
    """The kit finds what micrograd 0.1.0 has: + - * / with numbers on either side, ** a number, neg and relu."""
    assert "x ** c" in micrograd_report.supported and "x.relu()" in micrograd_report.supported
    unsupported = dict(micrograd_report.unsupported)
    assert sorted(unsupported) == ["c ** x", "x ** y", "x.exp()", "x.log()", "x.sigmoid()", "x.tanh()"]
    assert "only supporting int/float powers" in unsupported["x ** y"]


def test_micrograd_backward_twice_differs_from_pytorch(micrograd_report: Any) -> None:
    """A second backward() in micrograd resets the root's grad to 1 and pushes the accumulated grads on, so
    x.grad becomes 18 where PyTorch (and microgradnet) give 2 * 6 = 12."""
    finding = micrograd_report["backward-twice"]
    assert finding.holds is False
    assert "x.grad = 18.0, expected 12.0" in finding.counterexample
    assert "z.grad = 1.0, expected 2.0" in finding.counterexample


def test_micrograd_deep_chain_hits_the_recursion_limit(micrograd_report: Any) -> None:
    """micrograd's recursive topological sort raises RecursionError a little below the recursion limit."""
    finding = micrograd_report["deep-chain"]
    assert finding.holds is False
    assert "RecursionError" in finding.counterexample
    depth = int(finding.counterexample.split("fails at depth ")[1].split(",")[0])
    assert 900 < depth < 1000


def test_micrograd_gives_a_complex_number_for_a_negative_base(micrograd_report: Any) -> None:
    """(-2) ** 0.5 in micrograd is a complex number, not an error or nan."""
    finding = micrograd_report["negative-fraction"]
    assert finding.holds is False
    assert "complex number" in finding.counterexample


def test_microgradnet_itself_passes() -> None:
    """microgradnet's own Value: every property holds, with every operation supported."""
    result = check_engine(microgradnet.Value)
    assert result.ok, result.text
    assert result.unsupported == ()
    assert "every property holds" in result.text


# --- a small engine with planted bugs --------------------------------------------------------------------


class Scalar:
    """A minimal correct engine (an iterative sort, PyTorch's accumulation); `bug` plants one mistake."""

    bug: str | None = None

    def __init__(self, data: float, parents: tuple[Scalar, ...] = (), local: tuple[float, ...] = ()) -> None:
        self.data, self.grad, self.parents, self.local = float(data), 0.0, parents, local

    def wrap(self, other: Any) -> Scalar:
        return other if isinstance(other, Scalar) else type(self)(other)

    def new(self, data: float, parents: tuple[Scalar, ...], local: tuple[float, ...]) -> Scalar:
        return type(self)(data, parents, local)  # of the same class, so the planted bug goes along

    def __add__(self, other: Any) -> Scalar:
        other = self.wrap(other)
        return self.new(self.data + other.data, (self, other), (1.0, 1.0))

    __radd__ = __add__

    def __mul__(self, other: Any) -> Scalar:
        other = self.wrap(other)
        return self.new(self.data * other.data, (self, other), (other.data, self.data))

    __rmul__ = __mul__

    def __sub__(self, other: Any) -> Scalar:
        other = self.wrap(other)
        return self.new(self.data - other.data, (self, other), (1.0, -1.0))

    def __rsub__(self, other: Any) -> Scalar:
        return self - other if self.bug == "rsub" else self.wrap(other) - self

    def __truediv__(self, other: Any) -> Scalar:
        other = self.wrap(other)
        d_dy = self.data / other.data**2 if self.bug == "div" else -self.data / other.data**2
        return self.new(self.data / other.data, (self, other), (1.0 / other.data, d_dy))

    def __rtruediv__(self, other: Any) -> Scalar:
        return self.wrap(other) / self

    def __pow__(self, c: float) -> Scalar:
        if self.data < 0 and not float(c).is_integer():
            raise ValueError("negative base with a fractional exponent")
        return self.new(self.data**c, (self,), (c * self.data ** (c - 1),))

    def __neg__(self) -> Scalar:
        return self * -1.0

    def relu(self) -> Scalar:
        return self.new(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,))

    def backward(self) -> None:
        order: list[Scalar] = []
        seen: set[int] = set()
        stack: list[tuple[Scalar, bool]] = [(self, False)]
        while stack:
            node, finished = stack.pop()
            if finished:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack += [(node, True), *((parent, False) for parent in node.parents)]
        grads = {id(node): 0.0 for node in order}
        grads[id(self)] = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local):
                if self.bug == "overwrite":
                    grads[id(parent)] = grads[id(node)] * local
                else:
                    grads[id(parent)] += grads[id(node)] * local
        for node in order:
            node.grad += grads[id(node)]


def scalar_with(bug: str | None) -> type[Scalar]:
    return type(f"Scalar_{bug}", (Scalar,), {"bug": bug})


def test_a_correct_small_engine_passes() -> None:
    """The small engine, written correctly, holds every property."""
    result = check_engine(Scalar)
    assert result.ok, result.text


@pytest.mark.parametrize(
    ("bug", "failing"),
    [
        ("div", ["expressions", "numbers-left"]),
        ("rsub", ["expressions", "numbers-left"]),
        ("overwrite", ["expressions", "x*x", "shared"]),
    ],
)
def test_planted_engine_bugs_are_caught(bug: str, failing: list[str]) -> None:
    """A wrong derivative of / in y, 2 - x computed as x - 2, gradients overwritten instead of added: each
    fails exactly the properties it breaks, with a counterexample."""
    result = check_engine(scalar_with(bug))
    assert [f.key for f in result.findings if f.holds is False] == failing, result.text
    assert all(f.counterexample for f in result.findings if f.holds is False)


def test_the_expression_counterexample_is_shrunk() -> None:
    """The wrong derivative of x / y is reported on a small expression, as code to paste."""
    counterexample = check_engine(scalar_with("div"), skip=PROPERTIES[1:])["expressions"].counterexample
    lines = counterexample.splitlines()
    assert len(lines) <= 8, counterexample
    assert "/" in counterexample and lines[-1].startswith("  x") and "microgradnet" in lines[-1]


def test_raises_carries_the_report() -> None:
    """With raises=True a property that does not hold raises EngineMismatch (an AssertionError) with the report."""
    with pytest.raises(EngineMismatch) as caught:
        check_engine(MicrogradValue, skip=["expressions"], raises=True)
    assert isinstance(caught.value, AssertionError)
    assert "backward() twice" in str(caught.value)
    assert caught.value.report["deep-chain"].holds is False


def test_named_operations_are_not_probed() -> None:
    """Given `ops`, the kit uses exactly those; a property needing another is not checked ('-')."""
    result = check_engine(Scalar, ops=["+", "*"], skip=["deep-chain"])
    assert result["x*x"].holds is True
    assert result["negative-base"].holds is None and "needs x ** c" in result["negative-base"].counterexample
    assert "x / y" not in result.supported


def test_bad_arguments_are_refused() -> None:
    """An unknown property, operation or a non-callable leaf get errors naming them."""
    with pytest.raises(ValueError, match="unknown property 'speed'"):
        check_engine(Scalar, skip=["speed"])
    with pytest.raises(ValueError, match="unknown operation 'x % y'"):
        check_engine(Scalar, ops=["x % y"])
    with pytest.raises(TypeError, match="leaf must make a value"):
        check_engine(3.0)  # type: ignore[arg-type]


# --- negative control: a wrong reference fails a correct engine ------------------------------------------


def test_a_wrong_reference_fails_a_correct_engine() -> None:
    """Told to compare with an engine whose x / y has the wrong derivative, the checker fails micrograd's
    (correct) arithmetic, and shows that micrograd agrees with central differences."""
    result = check_engine(MicrogradValue, ops=["+", "-", "*", "/"], reference=scalar_with("div"), skip=PROPERTIES[1:])
    finding = result["expressions"]
    assert finding.holds is False, result.text
    assert "central difference" in finding.counterexample


# --- the expressions strategy ----------------------------------------------------------------------------


@given(expressions(["*", "c - x", "exp"]))
def test_expressions_use_only_the_named_operations(expression: Expression) -> None:
    """Every step is one of the named forms (a group names all three of its forms), reading earlier nodes."""
    assert {name for name, _, _ in expression.steps} <= {"x * y", "x * c", "c * x", "c - x", "x.exp()"}
    for i, (_, operands, _) in enumerate(expression.steps):
        assert all(0 <= k < expression.n_inputs + i for k in operands)


def test_expressions_share_subexpressions() -> None:
    """Some expression reads one node twice (x * x) and some node is read by two later steps."""
    search = settings(database=None, derandomize=True, max_examples=2000)
    twice = find(expressions(["*"]), lambda e: any(len(set(ops)) < len(ops) for _, ops, _ in e.steps), settings=search)
    assert twice.steps[0][1] == (0, 0)

    def shared(e: Expression) -> bool:
        reads = [k for _, operands, _ in e.steps for k in set(operands)]
        return any(reads.count(k) > 1 for k in range(e.n_inputs, e.n_inputs + len(e.steps)))

    assert shared(find(expressions(), shared, settings=search))


def test_an_expression_runs_on_any_engine() -> None:
    """The same expression gives the same value on microgradnet and on micrograd, and prints as code."""
    expression = Expression(2, (("x * y", (0, 1), None), ("c - x", (2,), 2.0), ("x ** c", (3,), 2.0)))
    ours = expression([microgradnet.Value(0.5), microgradnet.Value(-3.0)])
    theirs = expression([MicrogradValue(0.5), MicrogradValue(-3.0)])
    assert math.isclose(ours.data, theirs.data) and ours.data == 12.25
    assert expression.source("Value", [0.5, -3.0]).splitlines()[2:] == [
        "v0 = x0 * x1",
        "v1 = 2.0 - v0",
        "out = v1 ** 2.0",
        "out.backward()",
    ]
