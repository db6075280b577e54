"""`check_backprop` on real hand-written code: a backprop in Nielsen's numpy layout and one in plain
lists, each written here from the four equations, pass; the same code with a classic mistake planted
is caught, and every mistake of the catalogue is named; two mistakes in no catalogue are caught too.

Each implementation takes `bug`, the name of the mistake to plant (None: the equations as they are),
so a planted mistake is one changed line in otherwise correct code, as a learner would make it.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest

from microgradnet.testing import MISTAKES, BackpropMismatch, Cost, Mistake, Steps, check_backprop
from microgradnet.testing.oracle import delta_gradients
from microgradnet.testing.problem import Gradients, Problem

# --- Nielsen's layout: weights (n_out, n_in), biases and vectors (n, 1) columns ----------------------


def np_sigma(z: Any, activation: str) -> Any:
    return {
        "sigmoid": lambda: 1.0 / (1.0 + np.exp(-z)),
        "tanh": lambda: np.tanh(z),
        "relu": lambda: np.maximum(z, 0.0),
    }[activation]()


def np_sigma_prime(z: Any, activation: str, bug: str | None) -> Any:
    if activation == "relu":
        return (z >= 0.0) * 1.0 if bug == "relu'(0) = 1" else (z > 0.0) * 1.0
    s = np_sigma(z, activation)
    if bug == "sigma' written as z(1 - z)":  # in no catalogue: sigma(1 - sigma) with z for sigma
        return z * (1.0 - z)
    return s * (1.0 - s) if activation == "sigmoid" else 1.0 - s * s


def np_cost_derivative(a: Any, y: Any, cost: str, bug: str | None) -> Any:
    n = a.shape[0]
    if cost == "half_sse":
        return {
            "cost derivative off by a factor of 2 (twice too large)": lambda: 2.0 * (a - y),
            "cost derivative off by a factor of n (n_L times too small)": lambda: (a - y) / n,
            "sign flipped": lambda: y - a,
        }.get(bug or "", lambda: a - y)()
    if cost == "mse":
        return {
            "cost derivative off by a factor of 2 (half as large)": lambda: (a - y) / n,
            "cost derivative off by a factor of n (n_L times too large)": lambda: 2.0 * (a - y),
        }.get(bug or "", lambda: 2.0 * (a - y) / n)()
    return (a - y) / (a * (1.0 - a))  # bce


def nielsen_backprop(
    weights: list[Any],
    biases: list[Any],
    x: Any,
    y: Any,
    *,
    activation: str = "sigmoid",
    cost: str = "half_sse",
    bug: str | None = None,
) -> tuple[list[Any], list[Any]]:
    """(nabla_w, nabla_b) of one sample, by BP1-BP4, as Nielsen's network.py computes them."""
    sigma_prime = partial(np_sigma_prime, activation=activation, bug=bug)
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(np_sigma(zs[-1], activation))
    slope = (
        (lambda l: sigma_prime(activations[l]))
        if bug == "sigma'(a) instead of sigma'(z)"
        else (lambda l: sigma_prime(zs[l - 1]))
    )
    L = len(weights)
    deltas = [None] * L
    dC_da = np_cost_derivative(activations[-1], y, cost, bug)
    deltas[-1] = dC_da * slope(L)  # BP1
    if bug == "sigma' missing in BP1":
        deltas[-1] = dC_da
    if bug == "sigma' applied twice in BP1":
        deltas[-1] = dC_da * slope(L) * slope(L)
    for l in range(L - 2, -1, -1):  # BP2
        w_next = weights[l + 1] if bug == "W instead of W^T in BP2" else weights[l + 1].T
        deltas[l] = (w_next @ deltas[l + 1]) * slope(l + 1)
    used = (
        [deltas[min(l + 1, L - 1)] for l in range(L)] if bug == "delta from the wrong layer in BP3 and BP4" else deltas
    )
    nabla_b = [np.zeros_like(b) if bug == "bias gradient left at zero" else d for b, d in zip(biases, used)]  # BP3
    a_in = activations[1:] if bug == "a^l instead of a^(l-1) in BP4" else activations[:-1]
    nabla_w = [d @ a.T for d, a in zip(used, a_in)]  # BP4
    return nabla_w, nabla_b


def nielsen_batch(
    weights: list[Any], biases: list[Any], xs: list[Any], ys: list[Any], *, bug: str | None = None, **options: Any
) -> tuple[list[Any], list[Any]]:
    """The gradient of the mean cost: (1/n) sum_s of each sample's (nabla_w, nabla_b)."""
    nabla_w = [np.zeros_like(w) for w in weights]
    nabla_b = [np.zeros_like(b) for b in biases]
    for x, y in zip(xs, ys):
        dw, db = nielsen_backprop(weights, biases, x, y, bug=bug, **options)
        nabla_w = [total + d for total, d in zip(nabla_w, dw)]
        nabla_b = [total + d for total, d in zip(nabla_b, db)]
    n = 1 if bug == "mean over samples forgotten" else len(xs)
    return [w / n for w in nabla_w], [b / n for b in nabla_b]


# --- plain lists: w[l][j][k], b[l][j], x[k], y[j] ------------------------------------------------------


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def lists_backprop(
    w: list[list[list[float]]], b: list[list[float]], x: list[float], y: list[float], *, bug: str | None = None
) -> tuple[list[list[list[float]]], list[list[float]]]:
    """dC/dw[l][j][k] and dC/db[l][j] of C = 1/2 sum_j (a^L_j - y_j)^2 through sigmoid layers, by BP1-BP4."""
    a, z = [x], []
    for w_l, b_l in zip(w, b):
        z.append([sum(w_jk * a_k for w_jk, a_k in zip(w_j, a[-1])) + b_j for w_j, b_j in zip(w_l, b_l)])
        a.append([sigmoid(z_j) for z_j in z[-1]])
    L = len(w) - 1
    sigma_prime = [[sigmoid(z_j) * (1.0 - sigmoid(z_j)) for z_j in z_l] for z_l in z]
    delta = [[0.0] * len(z_l) for z_l in z]
    for j in range(len(z[L])):  # BP1
        dC_da = a[L + 1][j] - y[j]
        delta[L][j] = dC_da if bug == "sigma' missing in BP1" else dC_da * sigma_prime[L][j]
    for l in reversed(range(L)):  # BP2
        for k in range(len(z[l])):
            if bug == "W instead of W^T in BP2":
                total = sum(w[l + 1][k][j] * delta[l + 1][j] for j in range(len(delta[l + 1])))
            else:
                total = sum(w[l + 1][j][k] * delta[l + 1][j] for j in range(len(delta[l + 1])))
            delta[l][k] = total * sigma_prime[l][k]
    if bug == "delta from the wrong layer in BP3 and BP4":
        delta = [delta[min(l + 1, L)] for l in range(L + 1)]
    a_in = a[1:] if bug == "a^l instead of a^(l-1) in BP4" else a[:-1]
    dW = [[[a_in[l][k] * delta[l][j] for k in range(len(w[l][j]))] for j in range(len(w[l]))] for l in range(L + 1)]
    return dW, [list(d) for d in delta]


# --- the correct code passes ----------------------------------------------------------------------------------


def test_nielsen_backprop_passes() -> None:
    """The numpy backprop in Nielsen's layout agrees with the delta equations on 200 drawn networks."""
    result = check_backprop(nielsen_backprop, layout="nielsen")
    assert result.examples == 200
    assert "agrees with the delta equations" in result.text


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("cost", ["half_sse", "mse"])
def test_nielsen_backprop_passes_for_every_activation_and_cost(activation: str, cost: str) -> None:
    """The same code passes for each activation and cost it implements, relu kinks and saturation included."""
    fn = partial(nielsen_backprop, activation=activation, cost=cost)
    check_backprop(fn, layout="nielsen", activation=activation, cost=cost, examples=100)


def test_bce_with_the_simplified_output_error_passes() -> None:
    """For bce behind a sigmoid, delta^L = a - y (sigma' cancels dC/da's denominator) agrees: the kit keeps the
    outputs off 0 and 1, where the clamped logs make that a convention rather than a derivative."""
    check_backprop(partial(nielsen_backprop, cost="bce"), layout="nielsen", cost="bce", examples=100)


def test_lists_backprop_passes() -> None:
    """The plain-lists backprop agrees with the delta equations on 200 drawn networks."""
    assert check_backprop(lists_backprop).examples == 200


def test_batch_form_passes() -> None:
    """The gradient of the mean cost of a batch, as Nielsen's update_mini_batch sums it, agrees."""
    assert check_backprop(nielsen_batch, layout="nielsen", batch=True, examples=100).examples == 100


def test_a_cost_of_your_own() -> None:
    """A user-supplied cost, C = 1/4 sum (a - y)^4 with dC/da = (a - y)^3, is checked against both witnesses."""
    quartic = Cost(
        "quartic",
        derivative=lambda a, y: [(a_j - y_j) ** 3 for a_j, y_j in zip(a, y)],
        value=lambda a, y: sum((a_j - y_j) ** 4 for a_j, y_j in zip(a, y)) / 4.0,
    )

    def backprop(weights: list[Any], biases: list[Any], x: Any, y: Any) -> tuple[list[Any], list[Any]]:
        activations, zs = [x], []
        for w, b in zip(weights, biases):
            zs.append(w @ activations[-1] + b)
            activations.append(np.tanh(zs[-1]))
        delta = (activations[-1] - y) ** 3 * (1.0 - activations[-1] ** 2)
        nabla_w, nabla_b = [delta @ activations[-2].T], [delta]
        for l in range(len(weights) - 2, -1, -1):
            delta = (weights[l + 1].T @ delta) * (1.0 - activations[l + 1] ** 2)
            nabla_w.insert(0, delta @ activations[l].T)
            nabla_b.insert(0, delta)
        return nabla_w, nabla_b

    check_backprop(backprop, layout="nielsen", activation="tanh", cost=quartic, examples=100)
    with pytest.raises(BackpropMismatch):  # and the same code against half_sse is wrong
        check_backprop(backprop, layout="nielsen", activation="tanh", examples=100)


# --- planted mistakes -----------------------------------------------------------------------------------------

# mistake -> the options check_backprop needs to see it (the cost or activation the planted line lives in)
PLANTED: dict[str, dict[str, Any]] = {
    "sigma' missing in BP1": {},
    "sigma' applied twice in BP1": {},
    "W instead of W^T in BP2": {},
    "sigma'(a) instead of sigma'(z)": {},
    "a^l instead of a^(l-1) in BP4": {},
    "cost derivative off by a factor of 2 (twice too large)": {},
    "cost derivative off by a factor of 2 (half as large)": {"cost": "mse"},
    "cost derivative off by a factor of n (n_L times too large)": {"cost": "mse"},
    "cost derivative off by a factor of n (n_L times too small)": {},
    "sign flipped": {},
    "mean over samples forgotten": {"batch": True},
    "delta from the wrong layer in BP3 and BP4": {},
    "relu'(0) = 1": {"activation": "relu", "relu_prime_at_0": 0.0},  # 1 is a subgradient too: only when 0 is asked for
}
UNCATALOGUED = ["sigma' written as z(1 - z)", "bias gradient left at zero"]


def test_every_catalogued_mistake_is_planted() -> None:
    """The planted mistakes cover the whole catalogue, so a new entry cannot go untested."""
    assert sorted(PLANTED) == sorted(mistake.name for mistake in MISTAKES)
    assert not set(UNCATALOGUED) & set(PLANTED)


def _planted(bug: str, options: dict[str, Any]) -> Callable[..., Any]:
    implementation_options = {key: value for key, value in options.items() if key in ("cost", "activation")}
    if options.get("batch"):
        return partial(nielsen_batch, bug=bug, **implementation_options)
    return partial(nielsen_backprop, bug=bug, **implementation_options)


@pytest.mark.parametrize("bug", sorted(PLANTED))
def test_planted_mistake_is_caught_and_named(bug: str) -> None:
    """The numpy backprop with one classic mistake planted fails, and the diagnosis names exactly that mistake."""
    options = PLANTED[bug]
    with pytest.raises(BackpropMismatch) as caught:
        check_backprop(_planted(bug, options), layout="nielsen", **options)
    diagnosis = caught.value.diagnosis
    assert diagnosis is not None, str(caught.value)
    assert [mistake.name for mistake in diagnosis.mistakes] == [bug], str(caught.value)
    assert f"    {bug}  (" in str(caught.value)


@pytest.mark.parametrize("bug", UNCATALOGUED)
def test_uncatalogued_mistake_is_caught_and_located(bug: str) -> None:
    """A mistake in no catalogue still fails, names the first equation that breaks, and claims no catalogue entry."""
    with pytest.raises(BackpropMismatch) as caught:
        check_backprop(_planted(bug, {}), layout="nielsen")
    diagnosis = caught.value.diagnosis
    assert diagnosis is not None
    assert diagnosis.mistakes == ()
    assert diagnosis.first_failure is not None
    assert "match no mistake of the catalogue" in str(caught.value)
    expected_equation = {"sigma' written as z(1 - z)": "BP1", "bias gradient left at zero": "BP3"}[bug]
    assert diagnosis.first_failure.equation == expected_equation, str(caught.value)


@pytest.mark.parametrize(
    "bug",
    [
        "sigma' missing in BP1",
        "W instead of W^T in BP2",
        "a^l instead of a^(l-1) in BP4",
        "delta from the wrong layer in BP3 and BP4",
    ],
)
def test_planted_mistake_in_plain_lists_is_caught_and_named(bug: str) -> None:
    """The same mistakes planted in the plain-lists backprop are caught and named, though in lists a wrong
    index may raise IndexError or quietly read the wrong entry instead of a shape error."""
    with pytest.raises(BackpropMismatch) as caught:
        check_backprop(partial(lists_backprop, bug=bug))
    diagnosis = caught.value.diagnosis
    assert diagnosis is not None, str(caught.value)
    assert bug in [mistake.name for mistake in diagnosis.mistakes], str(caught.value)


def test_shrinks_to_a_small_network() -> None:
    """The reported case is the smallest: a 1-1 network of zeros for sigma' missing in BP1."""
    with pytest.raises(BackpropMismatch) as caught:
        check_backprop(partial(nielsen_backprop, bug="sigma' missing in BP1"), layout="nielsen")
    problem = caught.value.problem
    assert problem.network.sizes == (1, 1)
    assert "dC/db^0_0" in str(caught.value)


def test_a_teachers_own_mistake_is_named() -> None:
    """A mistake added to the catalogue as data is named like the built-in ones."""
    zero_bias = Mistake(
        name="bias gradient left at zero",
        equation="BP3",
        breaks="dC/db^l_j = delta^l_j",
        instead="dC/db^l_j = 0",
        steps=Steps(bias_gradient=lambda delta: tuple(0.0 for _ in delta)),
    )
    with pytest.raises(BackpropMismatch) as caught:
        check_backprop(_planted("bias gradient left at zero", {}), layout="nielsen", mistakes=[*MISTAKES, zero_bias])
    assert caught.value.diagnosis is not None
    assert [m.name for m in caught.value.diagnosis.mistakes] == ["bias gradient left at zero"]


# --- the report ---------------------------------------------------------------------------------------------


def test_mismatch_is_an_assertion_error_with_the_report() -> None:
    """BackpropMismatch is an AssertionError (a plain pytest failure) whose text names entries, equations and code."""
    with pytest.raises(AssertionError) as caught:
        check_backprop(partial(nielsen_backprop, bug="sign flipped"), layout="nielsen")
    text = str(caught.value)
    for expected in [
        "smallest failing case",
        "dC/db^0_0",
        "b[0][0]",
        "db[0][0, 0]",
        "BP1",
        "sign flipped",
        "To reproduce",
        "np.array",
    ]:
        assert expected in text, text


def test_the_same_seed_gives_the_same_report() -> None:
    """With a seed the check is reproducible: the same report twice (a class gets the same examples)."""
    fn = partial(nielsen_backprop, bug="a^l instead of a^(l-1) in BP4")
    texts = []
    for _ in range(2):
        with pytest.raises(BackpropMismatch) as caught:
            check_backprop(fn, layout="nielsen", seed=7)
        texts.append(str(caught.value))
    assert texts[0] == texts[1]


def test_returning_nielsens_order_is_explained() -> None:
    """A function returning (nabla_b, nabla_w), Nielsen's order, gets told to pass returns='db, dw' ..."""

    def swapped(*arguments: Any) -> tuple[list[Any], list[Any]]:
        nabla_w, nabla_b = nielsen_backprop(*arguments)
        return nabla_b, nabla_w

    with pytest.raises(BackpropMismatch, match="pass returns='db, dw'"):
        check_backprop(swapped, layout="nielsen", sizes=[2, 3, 1])
    check_backprop(swapped, layout="nielsen", returns="db, dw", examples=50)  # ... which then passes


def test_a_transposed_gradient_is_named() -> None:
    """dC/dw of shape (n_in, n_out) is reported with both shapes and the hint that it is transposed."""

    def transposed(*arguments: Any) -> tuple[list[Any], list[Any]]:
        nabla_w, nabla_b = nielsen_backprop(*arguments)
        return [w.T for w in nabla_w], nabla_b

    with pytest.raises(BackpropMismatch, match=r"dC/dw\[0\] has shape \(2, 1\) \(transposed\?\); expected \(1, 2\)"):
        check_backprop(transposed, layout="nielsen")


def test_an_exception_in_the_function_is_reported_with_its_place() -> None:
    """What the function raises is its failure, reported with the line that raised it."""

    def broken(weights: Any, biases: Any, x: Any, y: Any) -> Any:
        raise RuntimeError("not written yet")

    with pytest.raises(BackpropMismatch, match=r"fn raised RuntimeError: not written yet \(at .*test_testing_backprop"):
        check_backprop(broken)


def test_bad_arguments_are_refused() -> None:
    """Options are checked before anything runs, with errors naming them."""
    with pytest.raises(TypeError, match="fn must be a function"):
        check_backprop(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown layout 'numpy'"):
        check_backprop(lists_backprop, layout="numpy")
    with pytest.raises(ValueError, match="unknown cost 'sse'"):
        check_backprop(lists_backprop, cost="sse")
    with pytest.raises(ValueError, match="output_activation='sigmoid'"):
        check_backprop(lists_backprop, cost="bce", output_activation="tanh")
    with pytest.raises(ValueError, match="returns must be"):
        check_backprop(lists_backprop, returns="w, b")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="examples must be at least 1"):
        check_backprop(lists_backprop, examples=0)


# --- negative controls: the checker itself can fail ------------------------------------------------------------


def wrong_oracle(problem: Problem) -> Gradients:
    """The delta equations' gradients with the output layer's bias gradients doubled."""
    right = delta_gradients(problem)
    return Gradients(right.dW, (*right.db[:-1], tuple(2.0 * g for g in right.db[-1])))


def test_a_wrong_oracle_fails_a_correct_backprop() -> None:
    """Told to compare with a deliberately wrong oracle, the checker fails correct code, and the report notes
    that the code agrees with central differences."""
    with pytest.raises(BackpropMismatch) as caught:
        check_backprop(nielsen_backprop, layout="nielsen", oracle=wrong_oracle)
    assert "the oracle compared with may be wrong" in str(caught.value)


def test_central_differences_catch_what_the_oracle_misses() -> None:
    """With an oracle that agrees with a planted mistake, central differences still fail the code."""
    bug = "sigma' missing in BP1"
    steps = next(m.steps for m in MISTAKES if m.name == bug)

    def mistaken_oracle(problem: Problem) -> Gradients:
        from microgradnet.testing.mistakes import gradients_with
        from microgradnet.testing.oracle import backprops

        gradients = gradients_with(steps, problem, backprops(problem))
        assert gradients is not None
        return gradients

    with pytest.raises(BackpropMismatch):
        check_backprop(partial(nielsen_backprop, bug=bug), layout="nielsen", oracle=mistaken_oracle)
