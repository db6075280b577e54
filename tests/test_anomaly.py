"""detect_anomaly(): the first nan or infinity in the forward or the backward pass raises
AnomalyError naming where it appeared; outside the context floats behave as floats."""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import reals

from microgradnet import MLP, AnomalyError, Value, detect_anomaly, no_grad
from microgradnet.engine import sum_values, topological_order, weighted_sum
from microgradnet.losses import half_sse

INF = math.inf

# Each case: the op name the error must give, and a computation whose last operation is the
# first to produce a non-finite result.
FORWARD_CASES: dict[str, tuple[str, Callable[[], Value]]] = {
    "product overflows": ("'*'", lambda: Value(1e308) * 10),
    "inf - inf": ("'-'", lambda: Value(INF) - Value(INF)),
    "sum overflows": ("'+'", lambda: Value(1e308) + 1e308),
    "inf / inf": ("'/'", lambda: Value(INF) / Value(INF)),
    "negated inf": ("'neg'", lambda: -Value(INF)),
    "inf squared": ("'x**c' produced inf from the inputs [inf, 2.0]", lambda: Value(INF) ** 2),
    "2 to the inf": ("'c**y' produced inf from the inputs [inf, 2.0]", lambda: 2 ** Value(INF)),
    "inf weight": ("'w·a+b'", lambda: weighted_sum([Value(INF)], [Value(1.0)], Value(0.0))),
    "inf + -inf in a sum": ("'sum'", lambda: sum_values([Value(INF), Value(-INF)])),
}


@pytest.mark.parametrize("case", sorted(FORWARD_CASES))
def test_forward_anomaly_raises_naming_the_operation(case: str) -> None:
    """Inside detect_anomaly the operation that makes a nan or inf raises AnomalyError naming its op."""
    op, build = FORWARD_CASES[case]
    with pytest.raises(AnomalyError, match=re.escape(op)), detect_anomaly():
        build()


@pytest.mark.parametrize("case", sorted(FORWARD_CASES))
def test_outside_detect_anomaly_non_finite_values_propagate(case: str) -> None:
    """Outside the context the same computations give nan or inf silently, as floats do."""
    _, build = FORWARD_CASES[case]
    assert not math.isfinite(build().data)


def test_forward_message_names_inputs_and_output() -> None:
    """Value(1e308) * 10 names '*', both inputs and the inf it produced; the error is a FloatingPointError."""
    with pytest.raises(FloatingPointError) as info, detect_anomaly():
        Value(1e308) * 10
    assert isinstance(info.value, AnomalyError)
    message = str(info.value)
    for word in ("'*'", "1e+308", "10.0", "inf"):
        assert word in message
    assert (Value(1e308) * 10).data == INF


def test_nan_from_inf_minus_inf_names_the_subtraction() -> None:
    """inf - inf raises naming '-', the inputs inf and inf, and the nan."""
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        Value(INF) - INF
    assert "'-'" in str(info.value) and "nan" in str(info.value) and "[inf, inf]" in str(info.value)


def test_forward_check_also_holds_under_no_grad() -> None:
    """A nan is an anomaly whether or not the graph is recorded."""
    with pytest.raises(AnomalyError, match="'-'"), detect_anomaly(), no_grad():
        Value(INF) - INF


def _overflowing_backward() -> tuple[Value, Value, Value]:
    """x -> ln x -> 1e10 ln x: finite forward, but d/dx = 1e10 * (1/1e-300) overflows."""
    x = Value(1e-300, "x")
    y = x.log()
    return x, y, y * 1e10


def test_backward_overflow_raises_naming_the_operation_and_keeps_every_grad() -> None:
    """The first edge whose contribution overflows raises naming its op; every grad is as before backward()."""
    x, y, z = _overflowing_backward()
    x.grad = 5.0
    with pytest.raises(AnomalyError) as info, detect_anomaly():
        z.backward()
    message = str(info.value)
    assert "'log'" in message and "inf" in message and "1e-300" in message
    assert (x.grad, y.grad, z.grad) == (5.0, 0.0, 0.0)


def test_backward_raises_when_finite_contributions_sum_to_infinity() -> None:
    """Two finite contributions of 1.5e308 into one gradient overflow it: that is an anomaly too."""
    x = Value(1e-300)
    out = x.log() * 1.5e8 + x.log() * 1.5e8
    with pytest.raises(AnomalyError, match="gradient is now inf"), detect_anomaly():
        out.backward()
    assert x.grad == 0.0


def test_backward_nan_from_zero_times_infinite_derivative() -> None:
    """0 * inf along an edge is a nan in the backward pass: raised under detect_anomaly, silent outside."""

    def build() -> tuple[Value, Value]:
        x = Value(1e-320)  # subnormal: ln x is finite, d ln x/dx = 1/x is inf
        return x, x.log() * 0.0

    x, out = build()
    with pytest.raises(AnomalyError, match=r"'log'.*nan"), detect_anomaly():
        out.backward()
    x, out = build()
    out.backward()
    assert math.isnan(x.grad)


def test_the_mode_is_restored_after_an_error_and_nests() -> None:
    """Leaving detect_anomaly, by an error or from a nested context, restores the previous mode."""
    with pytest.raises(AnomalyError), detect_anomaly():
        Value(INF) * 0.0
    assert math.isnan((Value(INF) * 0.0).data)
    with detect_anomaly():
        with detect_anomaly():
            pass
        with pytest.raises(AnomalyError):
            Value(INF) * 0.0


def test_detect_anomaly_is_per_thread() -> None:
    """One thread inside detect_anomaly does not make another thread's inf an error."""
    inside, done = threading.Event(), threading.Event()
    seen: list[float] = []

    def other_thread() -> None:
        inside.wait()
        seen.append((Value(1e308) * 10).data)
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with detect_anomaly():
        inside.set()
        done.wait(timeout=10)
        with pytest.raises(AnomalyError):
            Value(1e308) * 10
    thread.join()
    assert seen == [INF]


@given(x=st.lists(reals, min_size=2, max_size=2), y=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_finite_computations_are_unchanged_by_detect_anomaly(x: list[float], y: float, seed: int) -> None:
    """On finite numbers detect_anomaly never raises and gives bit-identical data and gradients."""

    def run() -> list[tuple[float, float]]:
        mlp = MLP(2, [3, 1], seed=seed)
        cost = half_sse(mlp(x), [y]) + mlp(x)[0].exp() * 0.5 - mlp(x)[0] ** 2 / 3.0
        cost.backward()
        return [(node.data, node.grad) for node in topological_order(cost)]

    plain = run()
    with detect_anomaly():
        checked = run()
    assert checked == plain
