"""A catalogue of classic mistakes in a hand-written backprop, as data.

Backpropagation is a handful of steps (`Steps`): dC/da^L, sigma', BP1, BP2, the delta BP3 and BP4
use, BP3, BP4 and the mean over samples; each is `microgradnet.delta`'s equation unless replaced.
A `Mistake` is one such replacement with its name, the equation it breaks, the line of the
derivation as it should read (`breaks`) and as the mistake writes it (`instead`).
`gradients_with(steps, problem, backprops)` runs backpropagation with the changed steps, so a
diagnosis can say "your numbers are exactly what this mistake gives".

A teacher adds a mistake by replacing the step it changes, and passes the longer catalogue:

    from microgradnet.testing import MISTAKES, Mistake, Steps, check_backprop

    doubled_bias = Mistake(
        name="bias gradient doubled",
        equation="BP3",
        breaks="dC/db^l_j = delta^l_j",
        instead="dC/db^l_j = 2 delta^l_j",
        steps=Steps(bias_gradient=lambda delta: tuple(2.0 * d for d in delta)),
    )
    check_backprop(my_backprop, mistakes=[*MISTAKES, doubled_bias])

A step raises `NotApplicable` where the mistake cannot be made on the network at hand (W where
W^T belongs needs a square W); a mistake whose gradients come out in the wrong shape is likewise
left out for that network (a^l where a^(l-1) belongs needs layers of equal width).
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from microgradnet import delta
from microgradnet.testing.oracle import mean_gradients
from microgradnet.testing.problem import CostDerivative, Gradients, Matrix, Network, Problem, Vector


class NotApplicable(Exception):
    """This mistake cannot be made on this network (its shapes do not allow it)."""


# --- the steps, each the delta module's equation ---------------------------------------------------


def cost_derivative(a: Vector, y: Vector, dC_da: CostDerivative) -> Vector:
    """dC/da^L_j, by the cost's own derivative."""
    return tuple(dC_da(a, y))


def sigma_prime(z: Vector, a: Vector, activations: Sequence[str]) -> Vector:
    """sigma'(z^l_j) of every neuron j of layer l."""
    return delta.activation_derivative(z, activations)


def layer_delta(deltas: Sequence[Vector], l: int) -> Vector:
    """The delta BP3 and BP4 use for layer l: delta^l."""
    return deltas[l]


def weight_gradient(delta_l: Vector, a_prev: Vector, a_l: Vector) -> Matrix:
    """BP4: dC/dw^l_jk = a^(l-1)_k delta^l_j (a^l is there for a mistake to use)."""
    return delta.weight_gradient(delta_l, a_prev)


@dataclass(frozen=True)
class Steps:
    """The steps of backpropagation; every one not given is the delta equations' own."""

    cost_derivative: Callable[[Vector, Vector, CostDerivative], Vector] = cost_derivative
    sigma_prime: Callable[[Vector, Vector, Sequence[str]], Vector] = sigma_prime
    output_delta: Callable[[Vector, Vector], Vector] = delta.output_delta
    hidden_delta: Callable[[Matrix, Vector, Vector], Vector] = delta.hidden_delta
    layer_delta: Callable[[Sequence[Vector], int], Vector] = layer_delta
    bias_gradient: Callable[[Vector], Vector] = delta.bias_gradient
    weight_gradient: Callable[[Vector, Vector, Vector], Matrix] = weight_gradient
    combine: Callable[[list[Gradients]], Gradients] = mean_gradients


@dataclass(frozen=True)
class Mistake:
    """A classic mistake: its name, the equation it breaks, the line as it should read and as the
    mistake writes it, and the steps of backpropagation with the mistake made."""

    name: str
    equation: str
    breaks: str
    instead: str
    steps: Steps = field(default_factory=Steps)


def gradients_with(steps: Steps, problem: Problem, backprops: Sequence[delta.Backprop]) -> Gradients | None:
    """The gradients backpropagation with these steps gives on the problem (the forward pass is the
    oracle's, `backprops[s].z` and `.a`); None where the steps do not fit the network's shapes."""
    network = problem.network
    try:
        per_sample = [
            _sample_gradients(steps, network, problem.cost.derivative, x, y, forward)
            for x, y, forward in zip(problem.xs, problem.ys, backprops)
        ]
        gradients = steps.combine(per_sample) if problem.batch else per_sample[0]
    except NotApplicable:
        return None
    expected = _network_shapes(network)
    return gradients if all(_shapes(g) == expected for g in [*per_sample, gradients]) else None


def _sample_gradients(
    steps: Steps, network: Network, dC_da: CostDerivative, x: Vector, y: Vector, forward: delta.Backprop
) -> Gradients:
    z, a = forward.z, forward.a
    L = len(z) - 1
    activations = [[name] * len(z_l) for z_l, name in zip(z, network.layer_activations)]
    sigma_prime_z = [steps.sigma_prime(z[l], a[l], activations[l]) for l in range(L + 1)]
    deltas: list[Vector] = [()] * (L + 1)
    deltas[L] = steps.output_delta(steps.cost_derivative(a[L], y, dC_da), sigma_prime_z[L])
    for l in reversed(range(L)):
        deltas[l] = steps.hidden_delta(network.weights[l + 1], deltas[l + 1], sigma_prime_z[l])
    inputs = [x, *a[:-1]]
    return Gradients(
        dW=tuple(steps.weight_gradient(steps.layer_delta(deltas, l), inputs[l], a[l]) for l in range(L + 1)),
        db=tuple(steps.bias_gradient(steps.layer_delta(deltas, l)) for l in range(L + 1)),
    )


def _shapes(gradients: Gradients) -> tuple[tuple[int, ...], ...]:
    return tuple((len(db), *(len(row) for row in dW)) for dW, db in zip(gradients.dW, gradients.db))


def _network_shapes(network: Network) -> tuple[tuple[int, ...], ...]:
    return tuple((len(b), *(len(row) for row in w)) for w, b in zip(network.weights, network.biases))


# --- the catalogue ----------------------------------------------------------------------------------


def _cost_factor(name: str, written: str, factor: Callable[[Vector], float], note: str = "") -> Mistake:
    """The mistake of a cost derivative off by factor(a^L): BP1 computed from factor * dC/da^L."""

    def scaled(a: Vector, y: Vector, dC_da: CostDerivative) -> Vector:
        f = factor(a)
        return tuple(f * d for d in cost_derivative(a, y, dC_da))

    return Mistake(
        name=name,
        equation="BP1",
        breaks="delta^L_j = dC/da^L_j * sigma'(z^L_j)",
        instead=f"delta^L_j = {written} * sigma'(z^L_j){note}",
        steps=Steps(cost_derivative=scaled),
    )


def _w_not_transposed(w_next: Matrix, delta_next: Vector, sigma_prime_z: Vector) -> Vector:
    """delta^l_k = (sum_j w^(l+1)_kj delta^(l+1)_j) * sigma'(z^l_k): W^(l+1) where (W^(l+1))^T belongs."""
    if len(w_next) != len(w_next[0]):
        raise NotApplicable("W^(l+1) is not square: W delta^(l+1) has the wrong length")
    return delta.hidden_delta(tuple(zip(*w_next)), delta_next, sigma_prime_z)


def _relu_prime_one_at_zero(z: Vector, a: Vector, activations: Sequence[str]) -> Vector:
    """sigma'(z^l_j), except relu'(0) = 1."""
    return tuple(
        1.0 if name == "relu" and z_j == 0.0 else s_j
        for z_j, name, s_j in zip(z, activations, sigma_prime(z, a, activations))
    )


def _summed(per_sample: list[Gradients]) -> Gradients:
    """sum_s dC_s/dp: the mean without its 1/n."""
    mean = mean_gradients(per_sample)
    n = len(per_sample)
    return Gradients(
        dW=tuple(tuple(tuple(n * g for g in row) for row in dW) for dW in mean.dW),
        db=tuple(tuple(n * g for g in db) for db in mean.db),
    )


def _next_layer_delta(deltas: Sequence[Vector], l: int) -> Vector:
    """delta^(l+1) for layer l (the output layer keeps its own delta^L)."""
    return deltas[min(l + 1, len(deltas) - 1)]


MISTAKES: list[Mistake] = [
    Mistake(
        name="sigma' missing in BP1",
        equation="BP1",
        breaks="delta^L_j = dC/da^L_j * sigma'(z^L_j)",
        instead="delta^L_j = dC/da^L_j",
        steps=Steps(output_delta=lambda dC_da, sigma_prime_z: dC_da),
    ),
    Mistake(
        name="sigma' applied twice in BP1",
        equation="BP1",
        breaks="delta^L_j = dC/da^L_j * sigma'(z^L_j)",
        instead="delta^L_j = dC/da^L_j * sigma'(z^L_j) * sigma'(z^L_j)",
        steps=Steps(output_delta=lambda dC_da, s: delta.output_delta(delta.output_delta(dC_da, s), s)),
    ),
    Mistake(
        name="W instead of W^T in BP2",
        equation="BP2",
        breaks="delta^l_k = (sum_j w^(l+1)_jk delta^(l+1)_j) * sigma'(z^l_k)",
        instead="delta^l_k = (sum_j w^(l+1)_kj delta^(l+1)_j) * sigma'(z^l_k)",
        steps=Steps(hidden_delta=_w_not_transposed),
    ),
    Mistake(
        name="sigma'(a) instead of sigma'(z)",
        equation="BP1 and BP2",
        breaks="sigma'(z^l_j), the slope at the weighted input",
        instead="sigma'(a^l_j), the slope at the activation (sigma' applied to sigma(z))",
        steps=Steps(sigma_prime=lambda z, a, activations: delta.activation_derivative(a, activations)),
    ),
    Mistake(
        name="a^l instead of a^(l-1) in BP4",
        equation="BP4",
        breaks="dC/dw^l_jk = a^(l-1)_k delta^l_j",
        instead="dC/dw^l_jk = a^l_k delta^l_j",
        steps=Steps(weight_gradient=lambda delta_l, a_prev, a_l: delta.weight_gradient(delta_l, a_l)),
    ),
    _cost_factor("cost derivative off by a factor of 2 (twice too large)", "2 dC/da^L_j", lambda a: 2.0),
    _cost_factor("cost derivative off by a factor of 2 (half as large)", "1/2 dC/da^L_j", lambda a: 0.5),
    _cost_factor(
        "cost derivative off by a factor of n (n_L times too large)",
        "n_L dC/da^L_j",
        lambda a: float(len(a)),
        note=", with n_L outputs (the 1/n_L of mse forgotten)",
    ),
    _cost_factor(
        "cost derivative off by a factor of n (n_L times too small)",
        "1/n_L dC/da^L_j",
        lambda a: 1.0 / len(a),
        note=", with n_L outputs",
    ),
    _cost_factor("sign flipped", "-dC/da^L_j", lambda a: -1.0, note=" (for example y - a where a - y belongs)"),
    Mistake(
        name="mean over samples forgotten",
        equation="the mean cost",
        breaks="d cost_avg/dp = (1/n) sum_s dC_s/dp, for cost_avg = (1/n) sum_s C_s",
        instead="d cost_avg/dp = sum_s dC_s/dp",
        steps=Steps(combine=_summed),
    ),
    Mistake(
        name="delta from the wrong layer in BP3 and BP4",
        equation="BP3 and BP4",
        breaks="dC/db^l_j = delta^l_j and dC/dw^l_jk = a^(l-1)_k delta^l_j",
        instead="dC/db^l_j = delta^(l+1)_j and dC/dw^l_jk = a^(l-1)_k delta^(l+1)_j (the next layer's delta)",
        steps=Steps(layer_delta=_next_layer_delta),
    ),
    Mistake(
        name="relu'(0) = 1",
        equation="BP1 and BP2",
        breaks="relu'(0) = 0, PyTorch's slope at the kink (asked for with relu_prime_at_0=0.0)",
        instead="relu'(0) = 1",
        steps=Steps(sigma_prime=_relu_prime_one_at_zero),
    ),
]
