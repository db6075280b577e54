"""The way on to PyTorch: an `MLP` as a `torch.nn.Sequential`, and such a Sequential read back.

`to_torch(mlp)` gives, for each layer l, a `Linear(n_(l-1), n_l)` followed by the module of the
layer's activation, in float64, with `weight[j][k]` = w^l_jk (`mlp.layers[l].neurons[j].w[k]`)
and `bias[j]` = b^l_j: the same function, so the same cost has the same gradients up to the
rounding of sums taken in another order. `from_torch(module)` reads a Sequential of that shape
back into an `MLP` (a Linear with no activation module after it is linear). Every float64 weight,
and every weight of a narrower float type, is carried exactly.

torch comes with the `torch` extra, `pip install 'microgradnet[torch]'`, and is imported only
when one of these functions is called.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import importlib
import itertools
import math
from typing import TYPE_CHECKING, Any

from microgradnet.activations import SOFTMAX
from microgradnet.nn import MLP, Layer

if TYPE_CHECKING:
    import torch

# Each activation of microgradnet and the torch.nn module that computes it, one row each way.
ACTIVATION_MODULES: dict[str, str] = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "ReLU",
    "linear": "Identity",
    "softmax": "Softmax",  # over the last dimension (dim=-1): the outputs of one sample, or of each in a batch
}


def _torch() -> Any:
    try:
        return importlib.import_module("torch")
    except ImportError:
        raise ImportError("the PyTorch bridge needs torch: pip install 'microgradnet[torch]' (or torch)") from None


def _activation_of(layer: Layer, l: int) -> str:
    """The one activation every neuron of layer l has (a torch layer applies one module to all)."""
    names = {neuron.activation for neuron in layer.neurons}
    if len(names) != 1:
        raise ValueError(f"to_torch: mlp.layers[{l}] mixes the activations {sorted(names)}; a torch layer has one")
    (name,) = names
    if name not in ACTIVATION_MODULES:
        raise ValueError(
            f"to_torch: mlp.layers[{l}] has the activation {name!r}; expected one of {', '.join(ACTIVATION_MODULES)}"
        )
    return name


def _activation_module(pytorch: Any, activation: str) -> Any:
    """The torch module of an activation; softmax over the last dimension, a sample's outputs."""
    module = getattr(pytorch.nn, ACTIVATION_MODULES[activation])
    return module(dim=-1) if activation == SOFTMAX else module()


def to_torch(mlp: MLP) -> torch.nn.Sequential:
    """The `torch.nn.Sequential` of `mlp`: Linear, activation, Linear, activation, ... in float64."""
    if not isinstance(mlp, MLP):
        raise TypeError(f"to_torch: mlp must be an MLP, got {type(mlp).__name__}")
    pytorch = _torch()
    modules = []
    for l, layer in enumerate(mlp.layers):
        activation = _activation_of(layer, l)
        # skip_init: no random initial weights (and no draw from torch's generator) before they are overwritten
        linear = pytorch.nn.utils.skip_init(pytorch.nn.Linear, layer.nin, layer.nout, dtype=pytorch.float64)
        weights = [[w_jk.data for w_jk in neuron.w] for neuron in layer.neurons]
        with pytorch.no_grad():  # dtype given: torch.tensor of Python floats would round them to float32
            linear.weight.copy_(pytorch.tensor(weights, dtype=pytorch.float64))
            linear.bias.copy_(pytorch.tensor([neuron.b.data for neuron in layer.neurons], dtype=pytorch.float64))
        modules += [linear, _activation_module(pytorch, activation)]
    sequential: torch.nn.Sequential = pytorch.nn.Sequential(*modules)
    return sequential


def _read_linear(pytorch: Any, linear: Any, i: int) -> tuple[list[list[float]], list[float]]:
    """The weights and biases of `module[i]` as Python floats, checked to be finite real numbers."""
    if linear.bias is None:
        raise ValueError(f"from_torch: module[{i}] is a Linear without a bias; every neuron of an MLP has one")
    for name in ("weight", "bias"):
        tensor = getattr(linear, name)
        if not tensor.is_floating_point():
            raise ValueError(f"from_torch: module[{i}].{name} is {tensor.dtype}, expected a real floating type")
    weights = linear.weight.detach().to(device="cpu", dtype=pytorch.float64).tolist()
    biases = linear.bias.detach().to(device="cpu", dtype=pytorch.float64).tolist()
    for j, (row, b_j) in enumerate(zip(weights, biases)):
        for k, w_jk in enumerate([*row, b_j]):
            if not math.isfinite(w_jk):
                place = f"weight[{j}][{k}]" if k < len(row) else f"bias[{j}]"
                raise ValueError(f"from_torch: module[{i}].{place} = {w_jk!r} is not finite")
    return weights, biases


def from_torch(module: torch.nn.Sequential) -> MLP:
    """The `MLP` of a Sequential of Linear layers, each followed by one of the modules of
    `ACTIVATION_MODULES` or by nothing (linear); the hidden layers must share one activation."""
    pytorch = _torch()
    if not isinstance(module, pytorch.nn.Sequential):
        raise TypeError(f"from_torch reads a torch.nn.Sequential, got {type(module).__name__}")
    children = list(module)
    if not children:
        raise ValueError("from_torch: the Sequential is empty; it needs at least one Linear")
    activations = {getattr(pytorch.nn, name): activation for activation, name in ACTIVATION_MODULES.items()}
    known = ", ".join(ACTIVATION_MODULES.values())
    layers: list[tuple[Any, str, int]] = []  # (Linear, activation, its index in the Sequential)
    i = 0
    while i < len(children):
        start, linear = i, children[i]
        if type(linear) is not pytorch.nn.Linear:
            raise ValueError(
                f"from_torch: module[{i}] is {type(linear).__name__}; expected a Linear, each layer starts with one"
            )
        name = "linear"
        if i + 1 < len(children) and type(children[i + 1]) is not pytorch.nn.Linear:
            following = children[i + 1]
            if type(following) not in activations:
                raise ValueError(
                    f"from_torch: module[{i + 1}] is {type(following).__name__}; after a Linear expected one of {known}"
                )
            name = activations[type(following)]
            if name == SOFTMAX and following.dim != -1:
                raise ValueError(
                    f"from_torch: module[{i + 1}] is Softmax(dim={following.dim}); expected dim=-1, "
                    "over a sample's outputs as an MLP's softmax layer"
                )
            i += 1
        layers.append((linear, name, start))
        i += 1
    for (before, _, i_before), (after, _, i_after) in itertools.pairwise(layers):
        if after.in_features != before.out_features:
            raise ValueError(
                f"from_torch: module[{i_after}] takes {after.in_features} inputs, "
                f"but module[{i_before}] gives {before.out_features}"
            )
    hidden = {name for _, name, _ in layers[:-1]}
    if len(hidden) > 1:
        raise ValueError(f"from_torch: the hidden layers mix the activations {sorted(hidden)}; an MLP's share one")
    output = layers[-1][1]
    parameters = [_read_linear(pytorch, linear, index) for linear, _, index in layers]
    mlp = MLP(
        layers[0][0].in_features,
        [linear.out_features for linear, _, _ in layers],
        hidden.pop() if hidden else ("sigmoid" if output == SOFTMAX else output),  # one layer: unused
        output_activation=output,
        seed=0,
    )
    for layer, (weights, biases) in zip(mlp.layers, parameters):
        for neuron, row, b_j in zip(layer.neurons, weights, biases):
            for w_jk, value in zip(neuron.w, row):
                w_jk.data = value
            neuron.b.data = b_j
    return mlp


__all__ = ["ACTIVATION_MODULES", "from_torch", "to_torch"]
