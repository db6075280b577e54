"""Neuron, Layer and MLP: indexing that follows the math, labels, parameter order, seeded
initialisation, the shape of each neuron's graph, and the errors for bad input."""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
from collections.abc import Callable

import pytest
from hypothesis import given
from strategies import Architecture, architectures, networks

from microgradnet import MLP, Layer, Module, Neuron, Value
from microgradnet.engine import WEIGHTED_SUM

# MLP(2, [3, 1], seed=0), in parameters() order: pinned, so a change of generator, of draw order
# or of formula on any machine or Python version is caught.
SEED_0_PARAMETERS = [
    0.8436577925009958, 0.6318566641080297, 0.0,
    -0.194559098040328, -0.5905309473142218, 0.0,
    0.027617314345144806, -0.2328628552040456, 0.0,
    0.5675971780695452, -0.3933745478421451, -0.04680609169528838, 0.0,
]  # fmt: skip


# --- indexing and labels -------------------------------------------------------------------------


def test_weight_w_jk_joins_input_k_to_neuron_j() -> None:
    """`layers[l].neurons[j].w[k]` multiplies input k of layer l in neuron j's z (and nothing else)."""
    mlp = MLP(3, [2, 1], seed=0)
    x = [0.5, -1.0, 2.0]
    w = mlp.layers[0].neurons[1].w
    z = sum((w_k.data * x_k for w_k, x_k in zip(w, x)), mlp.layers[0].neurons[1].b.data)
    out = mlp.layers[0](x)
    assert out[1].parents[0].data == z
    out[1].backward()
    assert [w_k.grad for w_k in w] == pytest.approx([x_k * out[1].local_grads[0] for x_k in x])
    assert all(w_k.grad == 0.0 for w_k in mlp.layers[0].neurons[0].w)


def test_parameters_are_labelled_with_their_python_index() -> None:
    """`w[l][j][k]` and `b[l][j]` in a label are exactly `mlp.layers[l].neurons[j].w[k]` and `.b`."""
    mlp = MLP(2, [3, 1], seed=0)
    for l, layer in enumerate(mlp.layers):
        for j, neuron in enumerate(layer.neurons):
            assert neuron.b.label == f"b[{l}][{j}]"
            assert [w_k.label for w_k in neuron.w] == [f"w[{l}][{j}][{k}]" for k in range(neuron.nin)]


def test_nodes_of_the_forward_pass_are_labelled() -> None:
    """Inputs are `x[k]`, each neuron's nodes `z[l][j]` and `a[l][j]`."""
    mlp = MLP(2, [3, 1], seed=0)
    (out,) = mlp([0.5, -1.0])
    assert out.label == "a[1][0]"
    z = out.parents[0]
    assert z.label == "z[1][0]"
    hidden = z.parents[3:6]
    assert [a.label for a in hidden] == ["a[0][0]", "a[0][1]", "a[0][2]"]
    assert [x.label for x in hidden[0].parents[0].parents[2:4]] == ["x[0]", "x[1]"]


def test_a_standalone_neuron_and_layer_have_short_labels() -> None:
    """Outside an MLP the labels drop the indices they do not have: `w[k]`, `b`; `w[j][k]`, `b[j]`."""
    neuron = Neuron(2, rng=random.Random(0))
    assert [p.label for p in neuron.parameters()] == ["w[0]", "w[1]", "b"]
    layer = Layer(1, 2, rng=random.Random(0))
    assert [p.label for p in layer.parameters()] == ["w[0][0]", "b[0]", "w[1][0]", "b[1]"]


def test_parameters_order_is_layer_neuron_weights_then_bias() -> None:
    """`parameters()` lists layer by layer, neuron by neuron, each neuron's weights then its bias."""
    mlp = MLP(2, [3, 1], seed=0)
    expected = [p for layer in mlp.layers for neuron in layer.neurons for p in (*neuron.w, neuron.b)]
    assert all(p is q for p, q in zip(mlp.parameters(), expected, strict=True))
    assert len(mlp.parameters()) == 3 * (2 + 1) + 1 * (3 + 1)


def test_zero_grad_resets_every_parameter() -> None:
    """After `backward()` some grads are nonzero; `zero_grad()` sets all of them to 0.0."""
    mlp = MLP(2, [3, 1], seed=0)
    mlp([0.5, -1.0])[0].backward()
    assert any(p.grad != 0.0 for p in mlp.parameters())
    mlp.zero_grad()
    assert all(p.grad == 0.0 for p in mlp.parameters())


def test_module_base_has_no_parameters() -> None:
    """The bare `Module` has no parameters, and `zero_grad()` on it does nothing."""
    module = Module()
    assert module.parameters() == []
    module.zero_grad()


# --- calling ----------------------------------------------------------------------------------


def test_call_shapes() -> None:
    """A Neuron gives one Value, a Layer a list of nout, an MLP always a list (also for one output)."""
    rng = random.Random(0)
    assert isinstance(Neuron(2, rng=rng)([1.0, 2.0]), Value)
    out = Layer(2, 3, rng=rng)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 3
    out = MLP(2, [3, 1], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 1


def test_inputs_may_be_values_and_receive_gradients() -> None:
    """Input `Value`s are used as they are, so dC/dx lands in their grad."""
    x = [Value(0.5), Value(-1.0)]
    MLP(2, [3, 1], seed=0)(x)[0].backward()
    assert all(x_k.grad != 0.0 for x_k in x)


def test_each_neuron_is_one_weighted_sum_node_then_one_activation_node() -> None:
    """z_j is one n-ary node with parents (w, a, b) and local grads (a, w, 1); a_j = sigma(z_j) has parents (z,)."""
    neuron = Neuron(3, "tanh", rng=random.Random(1))
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    a = neuron(x)
    (z,) = a.parents
    assert a.op == "tanh"
    assert z.op == WEIGHTED_SUM
    assert z.parents == (*neuron.w, *x, neuron.b)
    assert z.local_grads == (*(x_k.data for x_k in x), *(w_k.data for w_k in neuron.w), 1.0)
    assert z.data == sum((w_k.data * x_k.data for w_k, x_k in zip(neuron.w, x)), neuron.b.data)


@pytest.mark.parametrize(
    ("activation", "sigma"),
    [
        ("sigmoid", lambda z: 1.0 / (1.0 + math.exp(-z))),
        ("tanh", math.tanh),
        ("relu", lambda z: max(z, 0.0)),
        ("linear", lambda z: z),
    ],
)
def test_activation_is_applied_to_z(activation: str, sigma: Callable[[float], float]) -> None:
    """a = sigma(z) for each of the four activations."""
    neuron = Neuron(2, activation, rng=random.Random(2))
    a = neuron([0.7, -0.3])
    assert a.data == pytest.approx(sigma(a.parents[0].data))


# --- activations -----------------------------------------------------------------------------------


def test_output_activation_defaults_to_the_hidden_activation() -> None:
    """`output_activation=None` means the same as `activation`: all-sigmoid is the default network."""
    assert [layer.activation for layer in MLP(2, [3, 3, 1]).layers] == ["sigmoid"] * 3
    assert [layer.activation for layer in MLP(2, [3, 1], "tanh").layers] == ["tanh", "tanh"]
    mlp = MLP(2, [3, 1], "relu", output_activation="linear")
    assert [layer.activation for layer in mlp.layers] == ["relu", "linear"]
    assert mlp.output_activation == "linear"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Neuron(2, "softplus"),
        lambda: Layer(2, 3, "softplus"),
        lambda: MLP(2, [3, 1], "softplus"),
        lambda: MLP(2, [3, 1], output_activation="softplus"),
    ],
)
def test_unknown_activation_lists_the_valid_ones(build: Callable[[], object]) -> None:
    """An unknown activation is a ValueError naming it and every valid choice."""
    with pytest.raises(ValueError, match="unknown activation 'softplus'") as error:
        build()
    for name in ("sigmoid", "tanh", "relu", "linear"):
        assert repr(name) in str(error.value)


@pytest.mark.parametrize("build", [lambda: Neuron(2, "softmax"), lambda: MLP(2, [3, 1], "softmax")])
def test_softmax_is_refused_for_one_neuron_and_for_hidden_layers(build: Callable[[], object]) -> None:
    """softmax reads a whole layer's z's: a Neuron or a hidden layer of it is a ValueError saying where it goes."""
    with pytest.raises(ValueError, match=r"softmax is the activation of a whole output layer.*output_activation"):
        build()


def test_a_softmax_output_layer_is_one_node_per_output_reading_every_z() -> None:
    """MLP(..., output_activation="softmax"): a^L_j is a "softmax" node holding j, labelled a[L][j], whose
    parents are the layer's z^L_k (labelled z[L][k]) and whose local derivatives are a_j ([j = k] - a_k)."""
    mlp = MLP(2, [3, 4], "tanh", output_activation="softmax", seed=3)
    a = mlp([0.5, -1.0])
    z = a[0].parents
    assert [z_k.label for z_k in z] == [f"z[1][{k}]" for k in range(4)]
    assert math.isclose(sum(a_j.data for a_j in a), 1.0, rel_tol=1e-15)
    for j, a_j in enumerate(a):
        assert (a_j.op, a_j.label, a_j.constant, a_j.parents) == ("softmax", f"a[1][{j}]", j, z)
        expected = [a_j.data * ((1.0 if j == k else 0.0) - a_k.data) for k, a_k in enumerate(a)]
        assert all(math.isclose(d, e, rel_tol=1e-12, abs_tol=1e-300) for d, e in zip(a_j.local_grads, expected))
    assert [neuron.activation for neuron in mlp.layers[1].neurons] == ["softmax"] * 4
    with pytest.raises(ValueError, match="a neuron of a softmax layer has no output of its own"):
        mlp.layers[1].neurons[0]([0.0, 0.0, 0.0])


def test_softmax_is_stable_where_e_to_the_z_overflows() -> None:
    """Shifted by the max, softmax(1000, 0, -1000) is (1, 0, 0) in the engine too; e^1000 would overflow."""
    layer = Layer(1, 3, "softmax", rng=random.Random(0))
    for neuron, w in zip(layer.neurons, (1000.0, 0.0, -1000.0)):
        neuron.w[0].data = w
    assert [a_j.data for a_j in layer([1.0])] == [1.0, 0.0, 0.0]


# --- initialisation -----------------------------------------------------------------------------


def test_seed_0_gives_the_pinned_network() -> None:
    """MLP(2, [3, 1], seed=0) has exactly the pinned parameters, bit for bit."""
    assert [p.data for p in MLP(2, [3, 1], seed=0).parameters()] == SEED_0_PARAMETERS


def test_seed_gives_the_same_network_in_a_fresh_interpreter() -> None:
    """Two fresh Python processes (different hash seeds) build the same MLP(2, [3, 1], seed=0)."""
    code = "from microgradnet import MLP; print([p.data for p in MLP(2, [3, 1], seed=0).parameters()])"
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1] == f"{SEED_0_PARAMETERS}\n"


def test_different_seeds_give_different_networks() -> None:
    """The seed matters: seeds 0 and 1 give different weights."""
    assert [p.data for p in MLP(2, [3, 1], seed=0).parameters()] != [
        p.data for p in MLP(2, [3, 1], seed=1).parameters()
    ]


def test_initialisation_is_uniform_with_variance_one_over_nin() -> None:
    """Weights lie in [-sqrt(3/nin), sqrt(3/nin)] (variance 1/nin), their variance is close to 1/nin, biases are 0."""
    nin = 50
    layer = MLP(nin, [200], seed=3).layers[0]
    weights = [w.data for neuron in layer.neurons for w in neuron.w]
    bound = math.sqrt(3.0 / nin)
    assert all(-bound <= w <= bound for w in weights)
    variance = sum(w * w for w in weights) / len(weights)
    assert variance == pytest.approx(1.0 / nin, rel=0.05)
    assert all(neuron.b.data == 0.0 for neuron in layer.neurons)


@given(architectures())
def test_mlp_shape_follows_nin_and_nouts(shape: Architecture) -> None:
    """Layer l has nouts[l] neurons of n_(l-1) weights each, and `sizes` is [nin, *nouts]."""
    mlp = MLP(shape.nin, list(shape.widths), seed=0)
    assert mlp.sizes == [shape.nin, *shape.widths]
    for l, layer in enumerate(mlp.layers):
        assert len(layer.neurons) == shape.widths[l]
        assert all(len(neuron.w) == mlp.sizes[l] for neuron in layer.neurons)


@given(architectures().flatmap(networks))
def test_forward_pass_is_sigma_of_weighted_sums(mlp: MLP) -> None:
    """The MLP's outputs equal a^l = sigma(W^l a^(l-1) + b^l) evaluated layer by layer on the neurons."""
    x = [0.25 * (k + 1) for k in range(mlp.nin)]
    out = mlp(x)
    a: list[Value] = [Value(x_k) for x_k in x]
    for layer in mlp.layers:
        a = [neuron(a) for neuron in layer.neurons]
    assert [o.data for o in out] == [a_j.data for a_j in a]


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: Neuron(3, rng=random.Random(0))([1.0, 2.0]),
        lambda: Layer(3, 2, rng=random.Random(0))([1.0, 2.0]),
        lambda: MLP(3, [2, 1], seed=0)([1.0, 2.0]),
    ],
)
def test_wrong_number_of_inputs_says_expected_and_given(call: Callable[[], object]) -> None:
    """Two inputs to a module of three is a ValueError saying 'expected 3 inputs, got 2'."""
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        call()


def test_inputs_must_be_a_sequence_of_numbers() -> None:
    """A non-sequence or a non-number input is a TypeError naming the type."""
    mlp = MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match="inputs must be a sequence"):
        mlp(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        mlp([1.0, "2"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("build", "error", "words"),
    [
        (lambda: MLP(0, [1]), ValueError, "nin must be at least 1, got 0"),
        (lambda: MLP(2, []), ValueError, "nouts must be a non-empty sequence"),
        (lambda: MLP(2, [3, 0]), ValueError, r"nouts\[1\] must be at least 1, got 0"),
        (lambda: MLP(2, [3.0]), TypeError, r"nouts\[0\] must be an int, got float"),
        (lambda: Layer(2, 0), ValueError, "nout must be at least 1, got 0"),
        (lambda: Neuron(True), TypeError, "nin must be an int, got bool"),
    ],
)
def test_bad_sizes_name_what_was_wrong(build: Callable[[], object], error: type[Exception], words: str) -> None:
    """Sizes must be positive ints; the error names the argument and the value."""
    with pytest.raises(error, match=words):
        build()


def test_reprs_show_the_architecture() -> None:
    """`repr` of each module shows its sizes and activations."""
    mlp = MLP(2, [3, 1], "tanh", output_activation="sigmoid")
    assert repr(mlp) == "MLP(nin=2, nouts=[3, 1], activation='tanh', output_activation='sigmoid')"
    assert repr(mlp.layers[0]) == "Layer(nin=2, nout=3, activation='tanh')"
    assert repr(mlp.layers[1].neurons[0]) == "Neuron(nin=3, activation='sigmoid')"
