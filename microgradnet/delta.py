"""The closed-form oracle: backpropagation by the four textbook equations, in plain floats.

`backprop(mlp, x, y, cost)` reads the network's parameters (their `.data`, never a `Value`
operation), runs its own forward pass and then the equations of Nielsen's chapter 2, with `l`
indexing `mlp.layers`, L the output layer (`mlp.layers[-1]`) and a^(l-1) for l = 0 the input x:

    forward  z^l_j = sum_k w^l_jk a^(l-1)_k + b^l_j,   a^l_j = sigma(z^l_j)
    BP1      delta^L_j  = dC/da^L_j * sigma'(z^L_j)
             delta^L    = J^T dC/da^L,  J_jk = da^L_j/dz^L_k   (its general form, for a softmax output)
    BP2      delta^l_k  = (sum_j w^(l+1)_jk delta^(l+1)_j) * sigma'(z^l_k)
    BP3      dC/db^l_j  = delta^l_j
    BP4      dC/dw^l_jk = a^(l-1)_k delta^l_j

In `w_jk`, j is always the neuron of the later layer and k the earlier one, so BP2 names the
neuron of layer l `k`. A softmax output layer, a^L_j = e^(z^L_j) / sum_k e^(z^L_k), makes
every a^L_j depend on every z^L_k, so BP1 takes its general form there; for softmax with the
log-likelihood cost (and for sigmoid with bce) it simplifies to delta^L = a^L - y (Nielsen's
chapter 3), which is what this module uses behind softmax with cross_entropy: the engine's cost
there reads the z's (C = logsumexp(z^L) - z^L_y), so it stays exact where a^L_y underflows and the
general form's clamped log would flatten. Nothing here uses the engine's derivative table: the
activations, their derivatives and the costs' derivatives are written out again below, so the
engine and this module are two independent witnesses of the same gradients.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeAlias

from microgradnet import checks
from microgradnet.activations import check_activation
from microgradnet.losses import check_bce_domain, check_cross_entropy_domain, get_cost
from microgradnet.nn import MLP
from microgradnet.operations import LOG_FLOOR

Vector: TypeAlias = "tuple[float, ...]"
Matrix: TypeAlias = "tuple[Vector, ...]"


# --- activations sigma and their derivatives sigma' ------------------------------------------


def sigmoid(z: float) -> float:
    """sigma(z) = 1 / (1 + e^-z), in the form that cannot overflow for either sign of z."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def sigmoid_prime(z: float) -> float:
    """sigma'(z) = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh_prime(z: float) -> float:
    """tanh'(z) = 1 - tanh^2(z)."""
    t = math.tanh(z)
    return 1.0 - t * t


def relu(z: float) -> float:
    """relu(z) = max(z, 0); relu(nan) = nan, as the engine's (a nan is never turned back into a number)."""
    return 0.0 if z <= 0.0 else z


def relu_prime(z: float) -> float:
    """relu'(z) = 1 for z > 0, else 0 (0 at the kink z = 0, as in PyTorch)."""
    return 1.0 if z > 0.0 else 0.0


def linear(z: float) -> float:
    """linear(z) = z."""
    return z


def linear_prime(z: float) -> float:
    """linear'(z) = 1."""
    return 1.0


class Activation(NamedTuple):
    sigma: Callable[[float], float]
    sigma_prime: Callable[[float], float]


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation(sigmoid, sigmoid_prime),
    "tanh": Activation(math.tanh, tanh_prime),
    "relu": Activation(relu, relu_prime),
    "linear": Activation(linear, linear_prime),
}


# --- softmax, the activation of a whole output layer ------------------------------------------

SOFTMAX = "softmax"


def softmax(z: Vector) -> Vector:
    """a_j = e^(z_j - m) / sum_k e^(z_k - m) with m = max_k z_k: the same a as without the shift,
    and no e^x can overflow (every x <= 0)."""
    m = max(z)
    e = [math.exp(z_j - m) for z_j in z]
    total = sum(e)
    return tuple(e_j / total for e_j in e)


def softmax_jacobian(a: Vector) -> Matrix:
    """J_jk = da_j/dz_k = a_j ([j = k] - a_k), from the output a = softmax(z) itself."""
    return tuple(tuple(a_j * ((1.0 if j == k else 0.0) - a_k) for k, a_k in enumerate(a)) for j, a_j in enumerate(a))


# --- dC/da^L for each cost ---------------------------------------------------------------------


def half_sse_derivative(a: Vector, y: Vector) -> Vector:
    """dC/da_j = a_j - y_j, for C = 1/2 sum_j (a_j - y_j)^2."""
    return tuple(a_j - y_j for a_j, y_j in zip(a, y))


def mse_derivative(a: Vector, y: Vector) -> Vector:
    """dC/da_j = 2 (a_j - y_j) / n_L, for C = (1/n_L) sum_j (a_j - y_j)^2."""
    n_L = len(a)
    return tuple(2.0 * (a_j - y_j) / n_L for a_j, y_j in zip(a, y))


def clamped_log_derivative(u: float) -> float:
    """d/du max(ln u, -100) = 1/u where ln u > -100, else 0 (the log is flat on its floor)."""
    return 1.0 / u if u > 0.0 and math.log(u) > LOG_FLOOR else 0.0


def bce_derivative(a: Vector, y: Vector) -> Vector:
    """dC/da_j = -y_j / a_j + (1 - y_j) / (1 - a_j), for C = -sum_j [y_j ln a_j + (1 - y_j) ln(1 - a_j)].

    Each log is clamped at -100 as in `losses.bce`, so each term is 0 where its log is clamped.
    """
    check_bce_domain(a, y)
    return tuple(
        -y_j * clamped_log_derivative(a_j) + (1.0 - y_j) * clamped_log_derivative(1.0 - a_j) for a_j, y_j in zip(a, y)
    )


def cross_entropy_derivative(a: Vector, y: Vector) -> Vector:
    """dC/da_j = -y_j / a_j, for C = -sum_j y_j ln a_j = -ln a_y (y one-hot), the log clamped as in `losses`."""
    check_cross_entropy_domain(a, y)
    return tuple(-y_j * clamped_log_derivative(a_j) for a_j, y_j in zip(a, y))


CostDerivative: TypeAlias = Callable[[Vector, Vector], Vector]

COST_DERIVATIVES: dict[str, CostDerivative] = {
    "half_sse": half_sse_derivative,
    "mse": mse_derivative,
    "bce": bce_derivative,
    "cross_entropy": cross_entropy_derivative,
}


# --- the forward pass ------------------------------------------------------------------------------


def weighted_input(w: Matrix, b: Vector, a_prev: Vector) -> Vector:
    """z^l_j = sum_k w^l_jk a^(l-1)_k + b^l_j.

    Summed from b_j in k order, the order of the engine's `w·a+b` node, so both see the same z
    to the last bit (relu' jumps at 0, where a rounding difference would decide its value).
    """
    return tuple(sum(map(float.__mul__, w_j, a_prev), b_j) for w_j, b_j in zip(w, b))


def activation(z: Vector, activations: Sequence[str]) -> Vector:
    """a^l_j = sigma_j(z^l_j), with neuron j's own activation."""
    return tuple(ACTIVATIONS[name].sigma(z_j) for z_j, name in zip(z, activations))


def activation_derivative(z: Vector, activations: Sequence[str]) -> Vector:
    """sigma'_j(z^l_j) for every neuron j of a layer."""
    return tuple(ACTIVATIONS[name].sigma_prime(z_j) for z_j, name in zip(z, activations))


# --- the four equations ----------------------------------------------------------------------------


def output_delta(dC_da: Vector, sigma_prime_z: Vector) -> Vector:
    """BP1, the output error: delta^L_j = dC/da^L_j * sigma'(z^L_j)."""
    return tuple(dC_da_j * s_j for dC_da_j, s_j in zip(dC_da, sigma_prime_z))


def output_delta_general(jacobian: Matrix, dC_da: Vector) -> Vector:
    """BP1 in its general form: delta^L = J^T dC/da^L, i.e. delta^L_k = sum_j (da^L_j/dz^L_k) dC/da^L_j.

    For an activation of each neuron alone J is diagonal, J_jj = sigma'(z^L_j), and this is BP1.
    """
    return tuple(sum(J_j[k] * dC_da_j for J_j, dC_da_j in zip(jacobian, dC_da)) for k in range(len(dC_da)))


def output_delta_a_minus_y(a: Vector, y: Vector) -> Vector:
    """BP1 for softmax with the log-likelihood cost (y one-hot), and for sigmoid with bce: delta^L = a^L - y.

    (Away from the clamped logs: where ln a_j < -100 the cost is flat and BP1 gives 0 there.)
    """
    return tuple(a_j - y_j for a_j, y_j in zip(a, y))


def hidden_delta(w_next: Matrix, delta_next: Vector, sigma_prime_z: Vector) -> Vector:
    """BP2, the error one layer back: delta^l_k = (sum_j w^(l+1)_jk delta^(l+1)_j) * sigma'(z^l_k)."""
    return tuple(
        sum(w_j[k] * delta_j for w_j, delta_j in zip(w_next, delta_next)) * s_k for k, s_k in enumerate(sigma_prime_z)
    )


def bias_gradient(delta: Vector) -> Vector:
    """BP3: dC/db^l_j = delta^l_j (dz_j/db_j = 1)."""
    return delta


def weight_gradient(delta: Vector, a_prev: Vector) -> Matrix:
    """BP4: dC/dw^l_jk = a^(l-1)_k delta^l_j (dz_j/dw_jk = a_k)."""
    return tuple(tuple(a_k * delta_j for a_k in a_prev) for delta_j in delta)


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backprop:
    """One sample's backpropagation. `l` indexes `mlp.layers` (the input x is not in `a`).

    z[l][j], a[l][j]  weighted input and activation of neuron j of layer l (the forward pass)
    delta[l][j]       dC/dz^l_j
    dW[l][j][k]       dC/dw^l_jk, the gradient of `mlp.layers[l].neurons[j].w[k]`
    db[l][j]          dC/db^l_j, the gradient of `mlp.layers[l].neurons[j].b`
    """

    z: tuple[Vector, ...]
    a: tuple[Vector, ...]
    delta: tuple[Vector, ...]
    dW: tuple[Matrix, ...]
    db: tuple[Vector, ...]


@dataclass(frozen=True)
class BatchBackprop:
    """Backpropagation of a data set's cost, cost_avg = (1/n) sum_s C_s.

    samples[s]   sample s's own `Backprop` (its z, a, delta = dC_s/dz and gradients of C_s;
                 d cost_avg/dz^l_j of sample s is samples[s].delta[l][j] / n)
    dW[l][j][k]  d cost_avg/dw^l_jk = (1/n) sum_s dC_s/dw^l_jk
    db[l][j]     d cost_avg/db^l_j  = (1/n) sum_s dC_s/db^l_j
    """

    samples: tuple[Backprop, ...]
    dW: tuple[Matrix, ...]
    db: tuple[Vector, ...]


# --- reading and checking the arguments ------------------------------------------------------------


class _Layer(NamedTuple):
    w: Matrix
    b: Vector
    activations: tuple[str, ...]
    softmax: bool  # a^l = softmax(z^l), then every entry of `activations` is "softmax"


def _check_activation(name: str, output_layer: bool) -> None:
    """A known activation of one neuron, or softmax in the output layer."""
    if name == SOFTMAX:
        if not output_layer:
            raise ValueError("softmax is the activation of an output layer, not of a hidden one")
    else:
        check_activation(name)


def _read_network(mlp: MLP) -> list[_Layer]:
    """The parameters' data and every neuron's activation, checked for a consistent shape."""
    if not isinstance(mlp, MLP):
        raise TypeError(f"mlp must be an MLP, got {type(mlp).__name__}")
    layers = []
    width = mlp.nin
    for l, layer in enumerate(mlp.layers):
        for j, neuron in enumerate(layer.neurons):
            if len(neuron.w) != width:
                raise ValueError(
                    f"mlp.layers[{l}].neurons[{j}] has {len(neuron.w)} weights, "
                    f"but the layer before gives {width} inputs"
                )
            try:
                _check_activation(neuron.activation, output_layer=l == len(mlp.layers) - 1)
            except ValueError as error:
                raise ValueError(f"mlp.layers[{l}].neurons[{j}]: {error}") from None
            for p in neuron.parameters():
                if not math.isfinite(p.data):
                    raise ValueError(
                        f"parameter {p.label or f'of mlp.layers[{l}].neurons[{j}]'} = {p.data!r} is not finite"
                    )
        activations = tuple(neuron.activation for neuron in layer.neurons)
        if SOFTMAX in activations and set(activations) != {SOFTMAX}:
            raise ValueError(f"mlp.layers[{l}]: softmax is an activation of the whole layer, got {list(activations)}")
        layers.append(
            _Layer(
                w=tuple(tuple(w_jk.data for w_jk in neuron.w) for neuron in layer.neurons),
                b=tuple(neuron.b.data for neuron in layer.neurons),
                activations=activations,
                softmax=SOFTMAX in activations,
            )
        )
        width = len(layer.neurons)
    return layers


# --- backpropagation --------------------------------------------------------------------------------


def _activate(layer: _Layer, z: Vector) -> Vector:
    """a^l: softmax(z^l) for a softmax layer, else sigma_j(z^l_j) neuron by neuron."""
    return softmax(z) if layer.softmax else activation(z, layer.activations)


def _output_error(layer: _Layer, z: Vector, a: Vector, y: Vector, dC_da: Vector, log_likelihood: bool) -> Vector:
    """BP1: behind softmax, with the log-likelihood its special case a^L - y (the engine's fused cost,
    exact where a^L_y underflows), else its general form; per neuron elsewhere."""
    if layer.softmax and log_likelihood:
        return output_delta_a_minus_y(a, y)
    if layer.softmax:
        return output_delta_general(softmax_jacobian(a), dC_da)
    return output_delta(dC_da, activation_derivative(z, layer.activations))


def _backprop(
    layers: list[_Layer], x: Vector, y: Vector, cost_derivative: CostDerivative, log_likelihood: bool = False
) -> Backprop:
    z: list[Vector] = []
    a: list[Vector] = []
    a_prev = x
    for layer in layers:
        z.append(weighted_input(layer.w, layer.b, a_prev))
        a.append(_activate(layer, z[-1]))
        a_prev = a[-1]

    L = len(layers) - 1  # the output layer
    delta: list[Vector] = [()] * (L + 1)
    delta[L] = _output_error(layers[L], z[L], a[L], y, cost_derivative(a[L], y), log_likelihood)
    for l in reversed(range(L)):
        delta[l] = hidden_delta(layers[l + 1].w, delta[l + 1], activation_derivative(z[l], layers[l].activations))

    inputs = [x, *a[:-1]]  # a^(l-1) of every layer l
    return Backprop(
        z=tuple(z),
        a=tuple(a),
        delta=tuple(delta),
        dW=tuple(weight_gradient(delta[l], inputs[l]) for l in range(L + 1)),
        db=tuple(bias_gradient(delta[l]) for l in range(L + 1)),
    )


def backprop(mlp: MLP, x: Sequence[float], y: Sequence[float], cost: str = "half_sse") -> Backprop:
    """z, a, delta = dC/dz and the gradients dC/dW, dC/db of one sample's cost C(a^L, y), by BP1-BP4.

    `cost` is a name from `microgradnet.losses.COSTS` ("half_sse", "mse", "bce" or "cross_entropy").
    """
    layers = _read_network(mlp)
    get_cost(cost)  # a ValueError listing the valid names for an unknown one
    x_vec = checks.real_vector("x", x, mlp.nin, "inputs")
    y_vec = checks.real_vector("y", y, len(layers[-1].b), "targets (one per output)")
    return _backprop(layers, x_vec, y_vec, COST_DERIVATIVES[cost], cost == "cross_entropy")


def backprop_batch(
    mlp: MLP, xs: Sequence[Sequence[float]], ys: Sequence[Sequence[float]], cost: str = "half_sse"
) -> BatchBackprop:
    """Backpropagation of cost_avg = (1/n) sum_s C_s: dW = (1/n) sum_s dW_s, db = (1/n) sum_s db_s."""
    layers = _read_network(mlp)
    get_cost(cost)  # a ValueError listing the valid names for an unknown one
    checks.paired(
        ("xs", "ys"), xs, ys, of="samples", units=("inputs", "targets"), when_empty=": the mean cost needs a sample"
    )
    n_outputs = len(layers[-1].b)
    samples = tuple(
        _backprop(
            layers,
            checks.real_vector(f"xs[{s}]", x, mlp.nin, "inputs"),
            checks.real_vector(f"ys[{s}]", y, n_outputs, "targets (one per output)"),
            COST_DERIVATIVES[cost],
            cost == "cross_entropy",
        )
        for s, (x, y) in enumerate(zip(xs, ys))
    )
    return BatchBackprop(
        samples=samples,
        dW=tuple(
            tuple(_mean([sample.dW[l][j] for sample in samples]) for j in range(len(layer.b)))
            for l, layer in enumerate(layers)
        ),
        db=tuple(_mean([sample.db[l] for sample in samples]) for l in range(len(layers))),
    )


def _mean(vectors: list[Vector]) -> Vector:
    """(1/n) sum_s v_s, component by component, for the n samples' vectors v_s."""
    return tuple(sum(column) / len(vectors) for column in zip(*vectors))


# --- entry points for checking other code against these equations ----------------------------------


def backprop_with_derivative(
    mlp: MLP, x: Sequence[float], y: Sequence[float], cost_derivative: Callable[[Vector, Vector], Sequence[float]]
) -> Backprop:
    """`backprop` for a cost given only by its derivative dC/da^L (all BP1 needs of the cost):
    delta^L_j = cost_derivative(a^L, y)_j * sigma'(z^L_j), then BP2-BP4 as always."""
    layers = _read_network(mlp)
    x_vec = checks.real_vector("x", x, mlp.nin, "inputs")
    y_vec = checks.real_vector("y", y, len(layers[-1].b), "targets (one per output)")
    return _backprop(layers, x_vec, y_vec, lambda a, y: tuple(cost_derivative(a, y)))


def mean(vectors: list[Vector]) -> Vector:
    """(1/n) sum_s v_s, component by component: d cost_avg/dp from the n samples' dC_s/dp."""
    return _mean(vectors)


__all__ = [
    "ACTIVATIONS",
    "COST_DERIVATIVES",
    "SOFTMAX",
    "Backprop",
    "BatchBackprop",
    "backprop",
    "backprop_batch",
    "backprop_with_derivative",
    "mean",
    "output_delta_a_minus_y",
    "output_delta_general",
    "softmax",
    "softmax_jacobian",
]
