"""SGD and Adam: their update rules (against the equations in their docstrings and hand-computed
values), `zero_grad`, the refusal of non-finite gradients, and hyper-parameter validation."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import reals

from microgradnet import MLP, Value
from microgradnet.optim import SGD, Adam

gradient_sequences = st.lists(reals, min_size=1, max_size=8)
learning_rates = st.floats(min_value=0.0, max_value=2.0)
decays = st.floats(min_value=0.0, max_value=0.999)


def _run(optimizer_class: type, p0: float, gradients: list[float], **hyper: object) -> float:
    """p after one `step()` per gradient of the sequence, starting from p0."""
    p = Value(p0, "p")
    optimizer = optimizer_class([p], **hyper)
    for g in gradients:
        p.grad = g
        optimizer.step()
    return p.data


@given(reals, reals, learning_rates)
def test_sgd_without_momentum_is_p_minus_lr_g(p0: float, g: float, lr: float) -> None:
    """Plain SGD moves p to exactly p - lr g."""
    assert _run(SGD, p0, [g], lr=lr) == p0 - lr * g


@given(reals, gradient_sequences, learning_rates, decays)
def test_sgd_momentum_buffer_is_mu_b_plus_g(p0: float, gradients: list[float], lr: float, mu: float) -> None:
    """SGD with momentum follows b_1 = g_1, b_t = mu b_(t-1) + g_t, p <- p - lr b_t (PyTorch's rule)."""
    p, b = p0, 0.0
    for t, g in enumerate(gradients):
        b = g if t == 0 else mu * b + g
        p -= lr * b
    assert _run(SGD, p0, gradients, lr=lr, momentum=mu) == p


def test_sgd_momentum_matches_hand_computed_steps() -> None:
    """p = 1, gradients 1, 2, 3, lr 0.1, mu 0.5: buffers 1, 2.5, 4.25 and p = 0.9, 0.65, 0.225."""
    p = Value(1.0)
    sgd = SGD([p], lr=0.1, momentum=0.5)
    for g, expected in zip([1.0, 2.0, 3.0], [0.9, 0.65, 0.225]):
        p.grad = g
        sgd.step()
        assert p.data == pytest.approx(expected, abs=1e-15)


@given(reals, gradient_sequences, st.floats(min_value=1e-4, max_value=1.0), decays, decays)
def test_adam_follows_the_bias_corrected_moments(
    p0: float, gradients: list[float], lr: float, beta1: float, beta2: float
) -> None:
    """Adam's p after t steps is p - lr m_hat / (sqrt(v_hat) + eps) step by step, as PyTorch computes it."""
    eps = 1e-8
    p, m, v = p0, 0.0, 0.0
    for t, g in enumerate(gradients, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        p -= lr * m_hat / (math.sqrt(v_hat) + eps)
    result = _run(Adam, p0, gradients, lr=lr, betas=(beta1, beta2), eps=eps)
    assert result == pytest.approx(p, rel=1e-9, abs=1e-12)


@given(reals.filter(lambda g: abs(g) > 1e-3), st.integers(min_value=1, max_value=20))
def test_adam_moves_lr_per_step_under_a_constant_gradient(g: float, steps: int) -> None:
    """With a constant gradient g, m_hat = g and v_hat = g^2, so every step moves p by lr g / (|g| + eps)."""
    lr, eps = 0.01, 1e-8
    expected = 0.0 - steps * lr * g / (abs(g) + eps)
    assert _run(Adam, 0.0, [g] * steps, lr=lr, eps=eps) == pytest.approx(expected, rel=1e-9)


def test_adam_matches_hand_computed_steps() -> None:
    """p = 1, gradients 2 then -1, lr 0.1, default betas and eps = 0 give p = 0.9 then ~0.87337 (worked by hand)."""
    # Step 1: m = 0.2, v = 0.004; m_hat = 2, v_hat = 4: p = 1 - 0.1 * 2 / 2 = 0.9.
    # Step 2: m = 0.18 - 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996;
    #         m_hat = 0.08 / 0.19, v_hat = 0.004996 / 0.001999: p = 0.9 - 0.1 m_hat / sqrt(v_hat).
    expected = 0.9 - 0.1 * (0.08 / 0.19) / math.sqrt(0.004996 / 0.001999)
    p = Value(1.0)
    adam = Adam([p], lr=0.1, eps=0.0)
    p.grad = 2.0
    adam.step()
    assert p.data == pytest.approx(0.9, abs=1e-15)
    p.grad = -1.0
    adam.step()
    assert p.data == pytest.approx(expected, abs=1e-12)
    assert p.data == pytest.approx(0.87337, abs=1e-5)


@given(reals)
def test_adam_with_zero_gradient_leaves_p_unchanged(p0: float) -> None:
    """A zero gradient gives m = v = 0 and no movement (eps keeps 0/0 away)."""
    assert _run(Adam, p0, [0.0, 0.0]) == p0


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1), lambda ps: Adam(ps)])
def test_zero_grad_resets_every_parameter(make: object) -> None:
    """`zero_grad()` sets the gradient of every parameter it optimizes to 0."""
    mlp = MLP(2, [3, 1], seed=0)
    (mlp([0.5, -1.0])[0] * 1.0).backward()
    assert any(p.grad != 0.0 for p in mlp.parameters())
    optimizer = make(mlp.parameters())  # type: ignore[operator]
    optimizer.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


@pytest.mark.parametrize("make", [lambda ps, **k: SGD(ps, lr=0.1, **k), lambda ps, **k: Adam(ps, **k)])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_gradient_is_refused_before_any_update(make: object, bad: float) -> None:
    """A nan/inf gradient raises ValueError naming the parameter and gradient, and no parameter moves."""
    a, b = Value(1.0, "w[0][0][0]"), Value(2.0, "b[0][0]")
    optimizer = make([a, b])  # type: ignore[operator]
    a.grad, b.grad = 1.0, bad
    with pytest.raises(ValueError, match=r"dC/db\[0\]\[0\] = " + re.escape(repr(bad))):
        optimizer.step()
    assert (a.data, b.data) == (1.0, 2.0)
    fresh = Value(1.0)
    fresh_optimizer = make([fresh, Value(2.0)])  # type: ignore[operator]
    for p in (a, b, fresh, *fresh_optimizer.params):
        p.grad = 1.0
    optimizer.step()  # the refused step left no state behind: this is a first step, like the fresh one's
    fresh_optimizer.step()
    assert a.data == fresh.data != 1.0


def test_non_finite_gradient_of_unlabelled_parameter_names_its_index() -> None:
    """An unlabelled parameter is named by its position in params."""
    sgd = SGD([Value(0.0), Value(0.0)], lr=1.0)
    sgd.params[1].grad = math.nan
    with pytest.raises(ValueError, match=r"params\[1\]"):
        sgd.step()


@pytest.mark.parametrize("optimizer_class", [SGD, Adam])
def test_allow_nonfinite_applies_the_update(optimizer_class: type) -> None:
    """With allow_nonfinite=True the non-finite gradient is applied (p becomes nan)."""
    p = Value(1.0)
    optimizer = optimizer_class([p], lr=0.1, allow_nonfinite=True)
    p.grad = math.inf
    optimizer.step()
    assert math.isnan(p.data) or math.isinf(p.data)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lr": -0.1}, ValueError, r"lr must be >= 0, got -0\.1"),
        ({"lr": math.nan}, ValueError, r"lr = nan is not finite"),
        ({"lr": math.inf}, ValueError, r"lr = inf is not finite"),
        ({"lr": "0.1"}, TypeError, r"lr must be a real number, got str: '0\.1'"),
        ({"lr": True}, TypeError, r"lr must be a real number, got bool"),
        ({"lr": 0.1, "momentum": 1.0}, ValueError, r"momentum must be in \[0, 1\), got 1\.0"),
        ({"lr": 0.1, "momentum": -0.5}, ValueError, r"momentum must be in \[0, 1\), got -0\.5"),
        ({"lr": 0.1, "momentum": math.nan}, ValueError, r"momentum = nan is not finite"),
    ],
)
def test_sgd_rejects_bad_hyper_parameters(kwargs: dict[str, object], error: type, message: str) -> None:
    """SGD names the bad learning rate or momentum and the range it must lie in."""
    with pytest.raises(error, match=message):
        SGD([Value(0.0)], **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lr": -1e-3}, ValueError, r"lr must be >= 0, got -0\.001"),
        ({"betas": (1.0, 0.999)}, ValueError, r"beta1 must be in \[0, 1\), got 1\.0"),
        ({"betas": (0.9, -0.1)}, ValueError, r"beta2 must be in \[0, 1\), got -0\.1"),
        ({"betas": (0.9,)}, TypeError, r"betas must be a pair \(beta1, beta2\), got \(0\.9,\)"),
        ({"betas": 0.9}, TypeError, r"betas must be a pair"),
        ({"betas": iter((0.9, 0.999))}, TypeError, r"betas must be a pair \(beta1, beta2\), got <tuple_iterator"),
        ({"betas": {0.9, 0.999}}, TypeError, r"betas must be a pair"),
        ({"eps": -1e-8}, ValueError, r"eps must be >= 0, got -1e-08"),
        ({"eps": math.inf}, ValueError, r"eps = inf is not finite"),
    ],
)
def test_adam_rejects_bad_hyper_parameters(kwargs: dict[str, object], error: type, message: str) -> None:
    """Adam names the bad learning rate, beta or eps and the range it must lie in."""
    with pytest.raises(error, match=message):
        Adam([Value(0.0)], **kwargs)  # type: ignore[arg-type]


def test_adam_with_eps_0_says_why_v_is_0() -> None:
    """With eps = 0 an update m / sqrt(v) with v = 0 is infinite: Adam refuses it, changing nothing, and says why:
    g^2 underflowed only where it did; with beta2 = 0 and g = 0 now, that v forgot the earlier gradients."""
    p = Value(1.0, "w")
    adam = Adam([p], lr=0.1, betas=(0.9, 0.0), eps=0.0)
    p.grad = 1.0
    adam.step()
    before = (p.data, adam.t, adam.m, adam.v)
    p.grad = 0.0
    with pytest.raises(ValueError, match=r"params\[0\] \(w\) has m = 0\.0899.* but v = 0\.0") as error:
        adam.step()
    assert "underflow" not in str(error.value) and "gradient is 0.0 now" in str(error.value)
    assert "beta2 = 0.0" in str(error.value) and "use eps > 0" in str(error.value)
    assert (p.data, adam.t, adam.m, adam.v) == before
    b = Value(1.0, "b")
    b.grad = 1e-200  # g^2 = 1e-400 underflows to 0.0
    with pytest.raises(
        ValueError, match=r"\(b\) has m = .* \(1 - beta2\) g\^2 underflows to 0\.0 for its gradient g = 1e-200"
    ):
        Adam([b], lr=0.1, eps=0.0).step()


@pytest.mark.parametrize(
    ("params", "error", "message"),
    [
        ([], ValueError, r"params is empty"),
        ([Value(0.0), 1.5], TypeError, r"params\[1\] must be a Value, got float: 1\.5"),
        (Value(0.0), TypeError, r"got a single Value"),
    ],
)
@pytest.mark.parametrize("optimizer_class", [SGD, Adam])
def test_optimizers_reject_bad_params(optimizer_class: type, params: object, error: type, message: str) -> None:
    """An empty parameter list, a non-Value in it, or a bare Value is refused with a message saying so."""
    with pytest.raises(error, match=message):
        optimizer_class(params, lr=0.1)


def test_a_parameter_listed_twice_is_refused() -> None:
    """A parameter given twice would be updated twice per step, so it is refused by name."""
    p = Value(0.0, "w[0][0][0]")
    with pytest.raises(ValueError, match=r"params\[1\] \(w\[0\]\[0\]\[0\]\) appears twice"):
        SGD([p, p], lr=0.1)


def test_params_may_be_any_iterable() -> None:
    """A generator of Values works like a list (it is read once, at construction)."""
    values = [Value(1.0), Value(2.0)]
    sgd = SGD((v for v in values), lr=1.0)
    for v in values:
        v.grad = 1.0
    sgd.step()
    assert [v.data for v in values] == [0.0, 1.0]
