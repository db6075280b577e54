"""The Value engine: every derivative against finite differences, the algebra of backward,
depth, accumulation, no_grad, and the errors for bad input."""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import ONE_HOT_GROUP, ROW_CASES, Ones, call, nonzero, parameters, positives, reals

from microgradnet import GradcheckError, Value, gradcheck, no_grad, operations
from microgradnet.engine import sum_values, topological_order, weighted_sum, weighted_sums
from microgradnet.operations import GROUP, OPERATIONS, TABLE, markdown_table

# --- every operation's derivative against central differences ------------------------------


def test_every_row_of_the_table_is_tested() -> None:
    """A new operation in the derivative table cannot slip in without a derivative test."""
    assert set(OPERATIONS) == set(ROW_CASES)


@pytest.mark.parametrize("op", list(ROW_CASES))
@given(data=st.data())
def test_derivatives_match_finite_differences(op: str, data: st.DataObject) -> None:
    """d op/d input from backward() equals the central difference on the operation's domain, for every row."""
    f, inputs = ROW_CASES[op](data)
    assert gradcheck(f, inputs)


def argument(row: operations.Operation, name: str) -> object:
    """A valid argument `name` of `row.written`: c = 2, the index j = 1, a one-hot target, else ones."""
    if name in ("c", "j"):
        return 2.0 if name == "c" else 1
    if name + GROUP not in row.parents:
        return Value(1.0)
    return [0.0, 1.0] if name == ONE_HOT_GROUP else [Value(1.0)] * 2


def test_every_row_is_called_as_its_written_column_says() -> None:
    """Each row, called as `row.written` shows (the docs print it), makes a node of that row."""
    for row in TABLE:
        names = parameters(row)
        arguments = [argument(row, name) for name in names]
        assert call(row)(*arguments).op == row.name


def test_every_case_makes_nodes_of_its_row() -> None:
    """Each case's output node has the row's op, so the cases test the rows they are named for."""
    for op, case in ROW_CASES.items():
        f, inputs = case(Ones())  # type: ignore[arg-type]
        assert f(*map(Value, inputs)).op == op


@given(x=nonzero, n=st.integers(-3, 4))
def test_power_with_integer_number_exponent(x: float, n: int) -> None:
    """d(x**n)/dx = n x**(n-1), also for negative bases."""
    assert gradcheck(lambda v: v**n, [x])


@given(x=positives, n=st.floats(-2.5, 2.5))
def test_power_with_real_number_exponent(x: float, n: float) -> None:
    """d(x**r)/dx = r x**(r-1) for a positive base and any real exponent."""
    assert gradcheck(lambda v: v**n, [x])


@given(base=positives, y=reals)
def test_number_base_power(base: float, y: float) -> None:
    """d(c**y)/dy = c**y ln c."""
    assert gradcheck(lambda v: base**v, [y])


@given(x=reals, y=nonzero, c=nonzero)
def test_numbers_on_either_side(x: float, y: float, c: float) -> None:
    """A plain number on the left or the right of + - * / acts as a constant."""
    assert gradcheck(lambda v, w: c + v * c - c / w * (v - c) + (c - w) / c + (v - c) * (c - w), [x, y])


@given(xs=st.lists(reals, min_size=1, max_size=6), b=reals)
def test_weighted_sum_and_sum_nodes(xs: list[float], b: float) -> None:
    """z = sum_k w_k a_k + b and s = sum_i v_i as single nodes have the right derivatives."""
    n = len(xs)

    def f(*v: Value) -> Value:
        w, a, bias = v[:n], v[n : 2 * n], v[2 * n]
        return weighted_sum(w, a, bias) * sum_values(list(v))

    assert gradcheck(f, [*xs, *reversed(xs), b])


@given(rows=st.integers(1, 4), inputs=st.lists(reals, min_size=1, max_size=5), data=st.data())
def test_weighted_sums_are_one_weighted_sum_node_per_row(rows: int, inputs: list[float], data: st.DataObject) -> None:
    """z^l = W^l a^(l-1) + b^l: z_j = sum_k w_jk a_k + b_j, one w·a+b node per row with its parents and derivatives."""
    row = st.lists(reals, min_size=len(inputs), max_size=len(inputs))
    w = [[Value(w_jk) for w_jk in data.draw(row)] for _ in range(rows)]
    b = [Value(b_j) for b_j in data.draw(st.lists(reals, min_size=rows, max_size=rows))]
    a = [Value(a_k) for a_k in inputs]
    layer = weighted_sums(w, a, b)
    assert len(layer) == rows
    for z_j, w_j, b_j in zip(layer, w, b):
        assert z_j.op == "w·a+b"
        assert z_j.data == sum((w_jk.data * a_k.data for w_jk, a_k in zip(w_j, a)), b_j.data)
        assert z_j.parents == (*w_j, *a, b_j)
        assert z_j.local_grads == (*inputs, *(w_jk.data for w_jk in w_j), 1.0)


# --- the algebra of backward -----------------------------------------------------------------


@given(x=reals, y=reals)
def test_gradient_of_a_sum_is_the_sum_of_gradients(x: float, y: float) -> None:
    """d(f + g)/dx = df/dx + dg/dx."""

    def grads(build: Callable[[Value, Value], Value]) -> tuple[float, float]:
        a, b = Value(x), Value(y)
        build(a, b).backward()
        return a.grad, b.grad

    f = lambda a, b: (a * b).tanh()  # noqa: E731
    g = lambda a, b: a.sigmoid() * b  # noqa: E731
    fg = grads(lambda a, b: f(a, b) + g(a, b))
    assert fg == pytest.approx([p + q for p, q in zip(grads(f), grads(g))], rel=1e-12, abs=1e-15)


@given(x=reals, y=reals)
def test_commutative_operations_give_the_same_gradients(x: float, y: float) -> None:
    """a + b, b + a, a * b and b * a give the same data and gradients."""
    for op in (lambda a, b: a + b, lambda a, b: a * b):
        a1, b1, a2, b2 = Value(x), Value(y), Value(x), Value(y)
        left, right = op(a1, b1), op(b2, a2)
        left.backward()
        right.backward()
        assert left.data == right.data
        assert (a1.grad, b1.grad) == (a2.grad, b2.grad)


@given(x=reals)
def test_repeated_use_sums_the_contributions(x: float) -> None:
    """a*a gives 2a, a+a gives 2, and a shared subgraph adds both paths."""
    a = Value(x)
    (a * a).backward()
    assert a.grad == pytest.approx(2 * x, abs=1e-12)
    b = Value(x)
    (b + b).backward()
    assert b.grad == 2.0
    c = Value(x)
    shared = c.tanh()
    (shared * shared + shared).backward()
    t = math.tanh(x)
    assert c.grad == pytest.approx((2 * t + 1) * (1 - t * t), rel=1e-12, abs=1e-15)


def _diamond(x: float) -> list[Value]:
    a = Value(x, "a")
    b = a * 3.0
    c = b.tanh() + b.sigmoid() * a
    d = c * c + b
    return [a, b, c, d]


@given(x=reals)
def test_backward_twice_exactly_doubles_every_grad(x: float) -> None:
    """After two backward() calls every node's grad, interior ones included, is exactly twice one call's."""
    once = _diamond(x)
    once[-1].backward()
    twice = _diamond(x)
    twice[-1].backward()
    twice[-1].backward()
    for node_once, node_twice in zip(topological_order(once[-1]), topological_order(twice[-1])):
        assert node_twice.grad == 2 * node_once.grad


def test_backward_seeds_the_root_with_one() -> None:
    """dC/dC = 1."""
    a = Value(2.0)
    out = a * 5.0
    out.backward()
    assert out.grad == 1.0
    assert a.grad == 5.0


def test_million_node_chain_at_the_default_recursion_limit() -> None:
    """backward() is iterative: a chain of 1,000,000 nodes works without raising the recursion limit."""
    import sys

    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert x.grad == 1.0  # an even number of negations


def test_topological_order_puts_parents_first() -> None:
    """Every node comes after all of its parents, each node exactly once."""
    nodes = _diamond(0.3)
    order = topological_order(nodes[-1])
    position = {node: i for i, node in enumerate(order)}
    assert len(order) == len(position)
    for node in order:
        for parent in node.parents:
            assert position[parent] < position[node]


# --- the recorded graph ----------------------------------------------------------------------


def test_nodes_record_op_parents_and_local_derivatives() -> None:
    """An operation records its name, its parents and d out / d parent for each parent."""
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = a * b
    assert (c.op, c.parents, c.local_grads) == ("*", (a, b), (-3.0, 2.0))
    d = c.sigmoid()
    assert d.parents == (c,)
    assert d.local_grads == (pytest.approx(d.data * (1 - d.data)),)
    assert (a.op, a.parents, a.grad, a.label) == ("", (), 0.0, "a")
    e = a - b
    assert (e.op, e.parents, e.local_grads) == ("-", (a, b), (1.0, -1.0))
    f = a / b
    assert (f.op, f.parents) == ("/", (a, b))
    assert ((a**2).op, (a**2).constant, (a**2).parents) == ("x**c", 2.0, (a,))
    assert ((2**a).op, (2**a).constant, (2**a).parents) == ("c**y", 2.0, (a,))


def test_one_operator_one_node() -> None:
    """a - b and a / b are single nodes, not compositions."""
    a, b = Value(1.0), Value(4.0)
    assert len(topological_order(a - b)) == 3
    assert len(topological_order(a / b)) == 3


def test_data_and_grad_are_assignable_floats() -> None:
    """Optimizers write data and grad directly."""
    v = Value(3)
    assert type(v.data) is float and v.data == 3.0
    v.data = 1.5
    v.grad = 2.0
    assert (v.data, v.grad) == (1.5, 2.0)


def test_values_hash_by_identity() -> None:
    """Two Values with equal data are different keys."""
    a, b = Value(1.0), Value(1.0)
    assert len({a, b}) == 2
    assert a != b


def test_repr_shows_data_grad_and_op() -> None:
    """repr names data, grad and op."""
    v = Value(2.0) * Value(1.0)
    assert repr(v) == "Value(data=2.0, grad=0.0, op='*')"
    assert repr(Value(1.0, "w")) == "Value(data=1.0, grad=0.0, op='', label='w')"


@pytest.mark.parametrize("number", [3, 2.5, True, __import__("fractions").Fraction(1, 4)])
def test_any_real_number_is_accepted(number: object) -> None:
    """int, float, bool and other numbers.Real become a float."""
    v = Value(number)  # type: ignore[arg-type]
    assert type(v.data) is float and v.data == float(number)  # type: ignore[arg-type]


def test_numpy_scalars_are_accepted() -> None:
    """numpy scalars are real numbers too."""
    np = pytest.importorskip("numpy")
    assert Value(np.float64(1.5)).data == 1.5
    assert type(Value(np.int32(2)).data) is float
    assert (Value(1.0) + np.float32(0.5)).data == 1.5


# --- numerics and errors ---------------------------------------------------------------------


def test_sigmoid_and_tanh_saturate_without_overflow() -> None:
    """sigmoid(+-1000) is exactly 1 or 0, tanh(+-1000) is +-1, and the gradients are finite."""
    for x, expected in ((-1000.0, 0.0), (1000.0, 1.0)):
        v = Value(x)
        s = v.sigmoid()
        s.backward()
        assert s.data == expected and math.isfinite(v.grad)
    assert Value(1000.0).tanh().data == 1.0
    assert Value(-1000.0).tanh().data == -1.0


@pytest.mark.parametrize(
    ("build", "error", "words"),
    [
        (lambda: Value(1000.0).exp(), OverflowError, ["exp", "1000.0"]),
        (lambda: Value(0.0).log(), ValueError, ["log", "0.0"]),
        (lambda: Value(-2.0).log(), ValueError, ["log", "-2.0"]),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, ["**", "-8.0", "0.333"]),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, ["**", "-8.0", "0.5"]),
        (lambda: (-8) ** Value(0.5), ValueError, ["**", "-8.0"]),
        (lambda: Value(1.0) / 0, ZeroDivisionError, ["/", "1.0"]),
        (lambda: 1.0 / Value(0.0), ZeroDivisionError, ["/", "1.0"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["**", "-1"]),
        (lambda: Value(10.0) ** 400, OverflowError, ["**", "10.0", "400"]),
        (lambda: Value(0.0) ** 0.5, ZeroDivisionError, ["**", "0.0"]),
        (lambda: Value(-2.0) ** Value(2.0), ValueError, ["**", "-2.0"]),
    ],
)
def test_domain_errors_name_the_operation_and_value(build: Callable[[], Value], error: type, words: list[str]) -> None:
    """Leaving the reals raises the stated error naming the operation and the offending value."""
    with pytest.raises(error) as info:
        build()
    for word in words:
        assert word in str(info.value)


def test_outside_no_grad_the_domain_checks_still_hold_for_forward_values() -> None:
    """Under no_grad an undefined derivative is not needed, so only the forward value is checked."""
    with no_grad():
        assert (Value(-2.0) ** Value(2.0)).data == 4.0
        assert (Value(0.0) ** 0.5).data == 0.0
    with no_grad(), pytest.raises(ValueError, match="log"):
        Value(-1.0).log()


@pytest.mark.parametrize("bad", ["1.0", None, 1j, [1.0], b"1"])
def test_non_real_data_raises_type_error_naming_the_type(bad: object) -> None:
    """str, None, complex and other non-reals are rejected with the type's name."""
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)  # type: ignore[arg-type]


def test_label_must_be_a_string() -> None:
    """A non-str label is a TypeError."""
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["x", None, 1j, [1]])
def test_operators_reject_non_real_operands(bad: object) -> None:
    """Python's own TypeError names both operand types."""
    v = Value(1.0)
    for op in (
        lambda: v + bad,
        lambda: bad + v,
        lambda: v - bad,
        lambda: v * bad,
        lambda: v / bad,
        lambda: bad / v,
        lambda: v**bad,
        lambda: bad**v,
    ):
        with pytest.raises(TypeError, match="Value"):
            op()


# --- no_grad ---------------------------------------------------------------------------------


def test_no_grad_records_no_parents_and_restores_the_mode() -> None:
    """Inside no_grad results are leaves; afterwards recording resumes, also after an error."""
    a = Value(2.0)
    with no_grad():
        b = (a * 3.0).tanh()
    assert (b.op, b.parents, b.local_grads) == ("", (), ())
    with pytest.raises(RuntimeError), no_grad():
        raise RuntimeError
    assert (a * 3.0).parents[0] is a


def test_no_grad_is_per_thread() -> None:
    """One thread inside no_grad does not stop another thread from recording."""
    inside, done = threading.Event(), threading.Event()
    recorded: list[int] = []

    def other_thread() -> None:
        inside.wait()
        recorded.append(len((Value(1.0) * 2.0).parents))
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with no_grad():
        inside.set()
        done.wait(timeout=10)
        assert (Value(1.0) * 2.0).parents == ()
    thread.join()
    assert recorded == [2]


# --- gradcheck -------------------------------------------------------------------------------


def test_gradcheck_catches_a_wrong_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: a planted error in the derivative table makes gradcheck fail, naming the input."""
    row = dataclasses.replace(OPERATIONS["tanh"], derivatives={"x": "1.0 + out * out"})
    monkeypatch.setitem(OPERATIONS, "tanh", row)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: x.tanh() + y, [0.5, 1.0])
    assert [i for i, _, _ in info.value.mismatches] == [0]
    assert "input 0" in str(info.value) and "analytic" in str(info.value)


def test_gradcheck_validates_its_arguments() -> None:
    """gradcheck rejects non-numeric inputs and a function that does not return a Value."""
    with pytest.raises(TypeError, match="inputs"):
        gradcheck(lambda x: x, ["a"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="Value"):
        gradcheck(lambda x: 1.0, [1.0])  # type: ignore[arg-type,return-value]


# --- derivatives and sums at the edge of the float range -------------------------------------


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: Value(1.5) ** 1750, ["**", "d(x**y)/dx", "1.5", "1750"]),
        (lambda: Value(1.5) ** Value(1750.0), ["**", "d(x**y)/dx", "1.5", "1750"]),
        (lambda: 10.0 ** Value(308.0), ["**", "d(x**y)/dy", "10.0", "308.0"]),
    ],
)
def test_a_power_whose_derivative_overflows_raises_overflow_error(build: Callable[[], Value], words: list[str]) -> None:
    """A finite power whose local derivative is too large for a float raises OverflowError, never records inf."""
    with pytest.raises(OverflowError) as info:
        build()
    for word in words:
        assert word in str(info.value)


def test_a_power_with_a_finite_derivative_never_raises_overflow() -> None:
    """1e-309 ** 1e-10 is about 1 with derivative about 1e299: both finite, so no error (x**(y-1) alone overflows)."""
    x = Value(1e-309)
    out = x**1e-10
    out.backward()
    assert out.data == pytest.approx(1e-309**1e-10)
    assert math.isfinite(x.grad) and x.grad == pytest.approx(1e-10 * out.data / 1e-309)


@given(st.floats(1e-300, 1e300), st.floats(-3.0, 3.0))
def test_power_derivative_is_y_times_x_to_the_y_minus_1(x: float, y: float) -> None:
    """d(x**y)/dx = y x**(y-1) to rounding, wherever both sides are finite floats."""
    try:
        expected = y * x ** (y - 1.0)
        out = Value(x) ** y
    except OverflowError:
        return
    if math.isfinite(expected) and expected != 0.0:
        assert out.local_grads[0] == pytest.approx(expected, rel=1e-12)


def test_sum_values_is_exact_where_the_running_sum_overflows() -> None:
    """1e308 + 1e308 - 1e308 is exactly 1e308: the finite exact sum comes out, not an overflow."""
    s = sum_values([Value(1e308), Value(1e308), Value(-1e308)])
    assert s.data == 1e308
    with pytest.raises(OverflowError, match="sum"):
        sum_values([Value(1e308), Value(1e308)])


def test_weighted_sum_of_finite_operands_is_their_exact_value_or_overflow_error() -> None:
    """w·a+b whose products overflow but whose exact value is finite gives that value, never nan."""
    z = weighted_sum([Value(1e308), Value(-1e308)], [Value(10.0), Value(10.0)], Value(0.0))
    assert z.data == 0.0
    z = weighted_sum([Value(1e308), Value(-1e308)], [Value(10.0), Value(9.0)], Value(1.0))
    assert z.data == 1e308
    with pytest.raises(OverflowError, match="w·a\\+b"):
        weighted_sum([Value(1e308), Value(1e308)], [Value(10.0), Value(10.0)], Value(0.0))


def test_weighted_sum_of_non_finite_operands_follows_ieee() -> None:
    """An inf or nan operand propagates as through * and +: the exact path is only for finite operands."""
    assert weighted_sum([Value(math.inf)], [Value(1.0)], Value(0.0)).data == math.inf
    assert math.isnan(weighted_sum([Value(math.inf)], [Value(1.0)], Value(-math.inf)).data)


# --- assigning data and grad -----------------------------------------------------------------


@pytest.mark.parametrize("attribute", ["data", "grad"])
def test_assigning_a_real_number_stores_a_float(attribute: str) -> None:
    """v.data = 3 (or True, or a float subclass) stores float(3), as Value(3) does."""
    np = pytest.importorskip("numpy")
    v = Value(1.0)
    for number, expected in ((3, 3.0), (True, 1.0), (np.float64(2.5), 2.5), (np.int64(-4), -4.0)):
        setattr(v, attribute, number)
        assert type(getattr(v, attribute)) is float and getattr(v, attribute) == expected


@pytest.mark.parametrize("attribute", ["data", "grad"])
@pytest.mark.parametrize(
    ("bad", "error"),
    [("1.0", TypeError), (None, TypeError), (1j, TypeError), pytest.param(10**400, OverflowError, id="10**400")],
)
def test_assigning_a_non_number_raises_naming_the_attribute(attribute: str, bad: object, error: type) -> None:
    """v.data = "1.0" is a TypeError naming Value.data (an int beyond floats an OverflowError); v is unchanged."""
    v = Value(1.0)
    with pytest.raises(error, match=f"Value.{attribute}"):
        setattr(v, attribute, bad)
    assert getattr(v, attribute) == (1.0 if attribute == "data" else 0.0)


def test_an_int_assigned_to_data_works_everywhere_a_float_does() -> None:
    """After w.data = 3 the operations that need a float ((-2.0) ** v, the delta oracle) still work."""
    from microgradnet import MLP
    from microgradnet.delta import backprop

    v = Value(1.0)
    v.data = 3
    with no_grad():  # d/dy of (-2.0) ** y is undefined: only the forward runs here
        assert ((-2.0) ** v).data == -8.0
    mlp = MLP(2, [1], seed=0)
    mlp.layers[0].neurons[0].w[0].data = 1
    assert math.isfinite(backprop(mlp, [1.0, 2.0], [0.5], "half_sse").dW[0][0][0])


def test_the_docs_print_the_derivative_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/engine.md shows exactly the engine's table, row by row; a changed row is caught."""
    page = (Path(__file__).parent.parent / "docs" / "engine.md").read_text()
    assert markdown_table() in page
    assert len(TABLE) == markdown_table().count("\n") - 2  # a line per row, under the two header lines
    wrong = dataclasses.replace(TABLE[3], derivatives={"x": "1.0 + out * out"})
    monkeypatch.setattr(operations, "TABLE", (*TABLE[:3], wrong, *TABLE[4:]))
    assert markdown_table() not in page
