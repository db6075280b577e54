"""The PyTorch bridge: `to_torch` gives the same network (PyTorch's own costs have microgradnet's
gradients), `from_torch` reads it back exactly, and what it cannot read is named."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import TrainedDigits
from hypothesis import given
from hypothesis import strategies as st
from pages import DOCS, code_blocks, run_block, text, unmet_claims
from strategies import Architecture, Problem, architectures, networks, torch_parameters, torch_problems, unit_signals
from system_programs import require_module

from microgradnet import MLP
from microgradnet.activations import OUTPUT_ACTIVATIONS
from microgradnet.interop import ACTIVATION_MODULES, from_torch, to_torch
from microgradnet.losses import cross_entropy, get_cost, mean_cost

torch = require_module("torch", "the PyTorch bridge needs it: pip install 'microgradnet[torch]'")
functional = torch.nn.functional

# PyTorch's own form of each cost of one sample, on a^L and y as float64 tensors.
TORCH_COSTS: dict[str, Callable[[Any, Any], Any]] = {
    "half_sse": lambda a, y: 0.5 * ((a - y) ** 2).sum(),
    "mse": lambda a, y: functional.mse_loss(a, y),
    "bce": lambda a, y: functional.binary_cross_entropy(a, y, reduction="sum"),
    "cross_entropy": lambda a, y: functional.nll_loss(torch.log(a).unsqueeze(0), y.argmax().unsqueeze(0)),
}


def tensor(values: list[float]) -> Any:
    return torch.tensor(values, dtype=torch.float64)


def torch_gradient(module: Any) -> list[float]:
    """The grads of a Sequential's Linear layers in `MLP.parameters()` order: each neuron's weights, then its bias."""
    linears = [child for child in module if isinstance(child, torch.nn.Linear)]
    return [
        g
        for linear in linears
        for row, b in zip(linear.weight.grad, linear.bias.grad)
        for g in (*row.tolist(), b.item())
    ]


def assert_same_gradient(ours: list[float], theirs: list[float]) -> None:
    """Every difference within 1e-12 of the largest gradient (the norm-wise relative error of float64 sums)."""
    scale = max(map(abs, ours))
    worst = max(abs(a - b) for a, b in zip(ours, theirs, strict=True))
    assert worst <= 1e-12 * scale, f"gradients differ by {worst!r}, {worst / scale:.3g} of the largest {scale!r}"


def test_the_table_maps_every_activation_to_a_torch_module() -> None:
    """Every activation of `nn` (and softmax, of an output layer) has a torch.nn module, and each exists."""
    assert set(ACTIVATION_MODULES) == set(OUTPUT_ACTIVATIONS)
    assert all(isinstance(getattr(torch.nn, name)(), torch.nn.Module) for name in ACTIVATION_MODULES.values())


def test_to_torch_is_linear_then_activation_in_float64() -> None:
    """A 3-4-2 tanh/sigmoid MLP becomes Linear(3, 4), Tanh, Linear(4, 2), Sigmoid, holding its weights exactly."""
    mlp = MLP(3, [4, 2], "tanh", output_activation="sigmoid", seed=1)
    module = to_torch(mlp)
    assert [type(child).__name__ for child in module] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    first = module[0]
    assert (first.in_features, first.out_features, first.weight.dtype) == (3, 4, torch.float64)
    assert first.weight[2][1].item() == mlp.layers[0].neurons[2].w[1].data  # w[0][2][1]
    assert module[2].bias[1].item() == mlp.layers[1].neurons[1].b.data
    x = [0.5, -1.0, 2.0]
    assert module(tensor(x)).tolist() == pytest.approx([a.data for a in mlp(x)], rel=1e-15)


def test_to_torch_draws_nothing_from_torchs_generator() -> None:
    """The Linear layers are not initialised at random before the weights are copied in."""
    torch.manual_seed(0)
    expected = torch.rand(1).item()
    torch.manual_seed(0)
    to_torch(MLP(3, [4, 2], seed=0))
    assert torch.rand(1).item() == expected


@given(torch_problems())
def test_pytorch_gradients_of_the_same_cost_are_microgradnets(problem: Problem) -> None:
    """On random networks and costs, PyTorch's autograd of its own cost function gives microgradnet's
    gradients, to 1e-12 of the largest one."""
    problem.mlp.zero_grad()
    get_cost(problem.cost)(problem.mlp(problem.x), problem.y).backward()
    module = to_torch(problem.mlp)
    TORCH_COSTS[problem.cost](module(tensor(problem.x)), tensor(problem.y)).backward()
    assert_same_gradient([p.grad for p in problem.mlp.parameters()], torch_gradient(module))


@given(
    st.integers(2, 10).flatmap(
        lambda n: st.tuples(
            networks(Architecture(3, (3, n), ("tanh", "softmax")), torch_parameters),
            st.lists(unit_signals, min_size=3, max_size=3),
            st.integers(0, n - 1),
        )
    )
)
def test_pytorch_cross_entropy_on_logits_has_microgradnets_gradients_behind_softmax(
    drawn: tuple[MLP, list[float], int],
) -> None:
    """Behind a softmax output of 2 to 10 classes, torch's cross_entropy of the logits z^L (its fused form)
    gives the gradients of microgradnet's cross_entropy on a^L, to 1e-12 of the largest."""
    mlp, x, y = drawn
    mlp.zero_grad()
    cross_entropy(mlp(x), y).backward()
    module = to_torch(mlp)
    assert isinstance(module[-1], torch.nn.Softmax) and module[-1].dim == -1
    logits = module[:-1](tensor(x))
    functional.cross_entropy(logits.unsqueeze(0), torch.tensor([y])).backward()
    assert torch.equal(module(tensor(x)), torch.softmax(logits, dim=-1))
    assert_same_gradient([p.grad for p in mlp.parameters()], torch_gradient(module))


def test_a_softmax_network_round_trips_and_softmax_must_be_over_the_last_dimension() -> None:
    """to_torch/from_torch keep a softmax output; a Softmax over another dimension is refused by name."""
    mlp = from_torch(to_torch(MLP(3, [4, 5], "relu", output_activation="softmax", seed=2)))
    assert (mlp.activation, mlp.output_activation) == ("relu", "softmax")
    assert from_torch(to_torch(MLP(3, [5], output_activation="softmax", seed=2))).output_activation == "softmax"
    module = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Softmax(dim=0))
    with pytest.raises(ValueError, match=r"module\[1\] is Softmax\(dim=0\); expected dim=-1"):
        from_torch(module)


def test_a_wrong_activation_module_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: with tanh layers sent to torch as Sigmoid, the gradient property finds a counterexample."""
    monkeypatch.setitem(ACTIVATION_MODULES, "tanh", "Sigmoid")
    with pytest.raises(AssertionError, match="gradients differ"):
        test_pytorch_gradients_of_the_same_cost_are_microgradnets()


def test_a_batch_and_relu_give_the_same_gradients() -> None:
    """The mean cost of a batch, through relu hidden layers (no z near the kink), has the same gradients in both."""
    mlp = MLP(3, [5, 4, 2], "relu", output_activation="linear", seed=3)
    xs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-2.0, 1.0, 0.5], [0.1, 0.2, 0.3]]
    ys = [[1.0, -1.0], [0.5, 2.0], [-1.5, 0.0], [3.0, 1.0]]
    mlp.zero_grad()
    mean_cost([get_cost("mse")(mlp(x), y) for x, y in zip(xs, ys)]).backward()
    module = to_torch(mlp)
    functional.mse_loss(module(tensor(xs)), tensor(ys)).backward()
    signal = tensor(xs)
    for child in list(module)[:-2]:  # the z of every relu layer stays off the kink, where rounding could decide
        signal = child(signal)
        if isinstance(child, torch.nn.Linear):
            assert signal.abs().min().item() > 1e-3, "a z lies near relu's kink: choose another seed"
    assert_same_gradient([p.grad for p in mlp.parameters()], torch_gradient(module))


@given(architectures(max_layers=3, one_hidden_activation=True).flatmap(networks))
def test_the_round_trip_keeps_every_weight_exactly(mlp: MLP) -> None:
    """from_torch(to_torch(mlp)) has the same architecture, activations and weights, bit for bit."""
    back = from_torch(to_torch(mlp))
    assert [layer.activation for layer in back.layers[:-1]] == [layer.activation for layer in mlp.layers[:-1]]
    assert back.layers[-1].activation == mlp.layers[-1].activation
    assert [p.data for p in back.parameters()] == [p.data for p in mlp.parameters()]


def test_a_torch_network_reads_back_to_itself() -> None:
    """A Sequential built in PyTorch (float32 included: widened exactly) survives from_torch then to_torch."""
    torch.manual_seed(0)
    for dtype in (torch.float64, torch.float32):
        built = torch.nn.Sequential(
            torch.nn.Linear(4, 3, dtype=dtype), torch.nn.ReLU(), torch.nn.Linear(3, 2, dtype=dtype)
        )
        mlp = from_torch(built)
        assert (mlp.sizes, mlp.activation, mlp.output_activation) == ([4, 3, 2], "relu", "linear")
        again = to_torch(mlp)
        for ours, theirs in zip(again.parameters(), built.parameters()):
            assert torch.equal(ours, theirs.to(torch.float64))


@pytest.mark.parametrize(
    ("module", "error", "words"),
    [
        (lambda nn: nn.Linear(2, 3), TypeError, "from_torch reads a torch.nn.Sequential, got Linear"),
        (lambda nn: nn.Sequential(), ValueError, "the Sequential is empty"),
        (lambda nn: nn.Sequential(nn.ReLU(), nn.Linear(2, 3)), ValueError, r"module\[0\] is ReLU; expected a Linear"),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 3), nn.Dropout()),
            ValueError,
            r"module\[1\] is Dropout; after a Linear expected one of Sigmoid, Tanh, ReLU, Identity",
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.ReLU()),
            ValueError,
            r"module\[2\] is ReLU; expected a Linear",
        ),
        (lambda nn: nn.Sequential(nn.Linear(2, 3, bias=False)), ValueError, r"module\[0\] is a Linear without a bias"),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(4, 1)),
            ValueError,
            r"module\[2\] takes 4 inputs, but module\[0\] gives 3",
        ),
        (
            lambda nn: nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 1)),
            ValueError,
            r"the hidden layers mix the activations \['relu', 'tanh'\]",
        ),
    ],
)
def test_from_torch_names_what_it_cannot_read(module: Callable[[Any], Any], error: type, words: str) -> None:
    """A non-Sequential, an empty one, a module that is not Linear or a known activation, a Linear without
    a bias, widths that do not chain and mixed hidden activations are refused with the place."""
    with pytest.raises(error, match=words):
        from_torch(module(torch.nn))


def test_from_torch_refuses_weights_that_are_not_finite_real_numbers() -> None:
    """A nan weight and an integer weight tensor are named."""
    built = torch.nn.Sequential(torch.nn.Linear(2, 2, dtype=torch.float64))
    with torch.no_grad():
        built[0].weight[1][0] = float("nan")
    with pytest.raises(ValueError, match=r"module\[0\].weight\[1\]\[0\] = nan is not finite"):
        from_torch(built)
    built[0].bias = torch.nn.Parameter(torch.zeros(2, dtype=torch.int64), requires_grad=False)
    with pytest.raises(ValueError, match=r"module\[0\].bias is torch.int64, expected a real floating type"):
        from_torch(built)


def test_to_torch_refuses_what_a_torch_layer_cannot_hold() -> None:
    """Not an MLP, and a layer whose neurons have different activations, are errors naming them."""
    with pytest.raises(TypeError, match="to_torch: mlp must be an MLP, got list"):
        to_torch([])  # type: ignore[arg-type]
    mlp = MLP(2, [3, 1], seed=0)
    mlp.layers[0].neurons[1].activation = "relu"
    with pytest.raises(ValueError, match=r"mlp.layers\[0\] mixes the activations \['relu', 'sigmoid'\]"):
        to_torch(mlp)


def test_without_torch_the_error_names_the_torch_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """When torch cannot be imported, both directions raise ImportError saying what to install."""
    monkeypatch.setitem(sys.modules, "torch", None)
    for call in (lambda: to_torch(MLP(2, [1], seed=0)), lambda: from_torch(None)):  # type: ignore[arg-type]
        with pytest.raises(ImportError, match=r"the PyTorch bridge needs torch: pip install 'microgradnet\[torch\]'"):
            call()


def test_the_trained_digits_model_predicts_the_same_classes_in_pytorch(trained_digits: TrainedDigits) -> None:
    """The digits network `train` saved, sent to PyTorch, classifies all 355 test images as microgradnet does
    (argmax of the same float64 softmax outputs), and reads back from PyTorch to the same weights."""
    from microgradnet import datasets, metrics

    mlp = MLP.load(trained_digits.model)
    module = to_torch(mlp)
    inputs, targets = datasets.digits().test
    ours = [predicted for _, predicted in metrics.classified(mlp, inputs, targets)]
    with torch.no_grad():
        outputs = module(torch.tensor(inputs, dtype=torch.float64))
    assert outputs.argmax(dim=-1).tolist() == ours
    back = from_torch(module)
    assert [p.data for p in back.parameters()] == [p.data for p in mlp.parameters()]
    assert [predicted for _, predicted in metrics.classified(back, inputs, targets)] == ours


def test_the_examples_of_docs_torch_md_print_what_the_page_shows(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """docs/torch.md's Python blocks, run in order as one script, print the model the page shows and then each
    `print(...)  # claim`: the same gradient in both, and the digits network's test accuracy after training in torch."""
    monkeypatch.chdir(tmp_path)
    markdown = text(DOCS / "torch.md")
    script = "\n".join(code_blocks(markdown, "python"))
    match = re.search(r"^print\(model\)\n```\n```\n(.*?)^```$", markdown, re.S | re.M)
    assert match is not None
    printed = run_block(script)
    assert printed.startswith(match[1])
    assert unmet_claims(script, printed[len(match[1]) :]) == []
