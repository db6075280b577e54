"""A training loop, `fit`, and `accuracy` for binary classifiers.

`fit` is the loop a learner would write, packaged:

    for epoch in range(epochs):
        for batch in batches:                            # the whole set when batch_size is None
            cost = mean_cost([C(model(x), y) for x, y in batch])   # cost_avg = (1/n) sum_s C_s
            optimizer.zero_grad()
            cost.backward()                              # dC/dp for every parameter p
            optimizer.step()                             # p <- p - lr dC/dp (or Adam's rule)

and shows a progress bar (tqdm, imported only when `progress=True`) with the running loss.
With `compiled=True` the batch cost and its gradient come from `compiler.compile_loss` (the
graph traced once, then run as generated C where a C compiler is found, else as straight-line
Python), the same numbers many times faster; `compiled="c"` or `"python"` picks the back end.
`compile_mlp_loss(mlp, cost)` gives that compiled batch cost for stepping by hand.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from microgradnet import checks
from microgradnet.compiler import CompiledLoss, compile_loss
from microgradnet.engine import Operand, Value, is_grad_enabled, no_grad
from microgradnet.losses import Cost, get_cost, mean_cost, one_hot
from microgradnet.nn import MLP
from microgradnet.optim import Optimizer


class Model(Protocol):
    """What `fit` trains: a module mapping one sample's inputs to a list of outputs (`MLP`, `Layer`)."""

    def __call__(self, x: Sequence[Operand]) -> list[Value]: ...

    def parameters(self) -> list[Value]: ...


def _check_data(inputs: object, targets: object) -> int:
    """The number of samples, after checking that inputs and targets are equally long sequences of rows."""
    n = checks.paired(
        ("inputs", "targets"), inputs, targets, of="samples (lists of numbers)", when_empty=": fit needs a sample"
    )
    for name, rows in (("inputs", inputs), ("targets", targets)):
        assert isinstance(rows, Sequence)
        for s, row in enumerate(rows):
            if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
                raise TypeError(f"{name}[{s}] must be a list of numbers, got {type(row).__name__}: {row!r}")
    return n


def _shuffled(n: int, rng: random.Random) -> list[int]:
    """0 .. n-1 in a random order (Fisher-Yates from `rng.random()`, the same on every Python version)."""
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        order[i], order[j] = order[j], order[i]
    return order


def _progress_bar(epochs: int) -> Any:
    try:
        from tqdm import tqdm  # the text bar, which also shows in Jupyter (tqdm.auto would need ipywidgets there)
    except ImportError:
        raise ImportError(
            "progress=True needs tqdm: pip install 'microgradnet[examples]' (or tqdm), or pass progress=False"
        ) from None
    return tqdm(total=epochs, desc="training", unit="epoch")


def fit(
    model: Model,
    inputs: Sequence[Sequence[float]],
    targets: Sequence[Sequence[float]],
    *,
    optimizer: Optimizer,
    cost: str = "half_sse",
    epochs: int = 100,
    batch_size: int | None = None,
    seed: int | None = 0,
    progress: bool = True,
    compiled: bool | str = False,
    on_epoch: Callable[[int, float], None] | None = None,
) -> list[float]:
    """Train `model` on (inputs, targets) and return the loss of every epoch.

    Each step takes one mini-batch of `batch_size` samples (all of them when None, or when it
    exceeds the data), sets `cost_avg = (1/n) sum_s C(model(x_s), y_s)` over the batch, runs
    `optimizer.zero_grad()`, `cost_avg.backward()` and `optimizer.step()`. Mini-batches are drawn
    from a fresh shuffle each epoch, from `random.Random(seed)`, so a seed gives the same run.

    `history[e]` is the mean per-sample cost over epoch e, each sample's cost taken as its batch
    was evaluated, before that batch's update (the running loss the progress bar shows).

    `compiled=True` traces the per-sample cost once, checks every sample on the graph engine once
    (`CompiledLoss.check`), then takes each step's cost and gradients from the compiled code, in C
    where a C compiler is found (`compiled="auto"`); `compiled="c"` or `"python"` picks the back end.

    `on_epoch(e, history[e])`, if given, is called after each epoch e (from 0), once its updates are
    done: a place to look at the model while it learns (`explore.Snapshots` records it there).
    """
    n = _check_data(inputs, targets)
    cost_function = get_cost(cost)
    if not is_grad_enabled():
        raise RuntimeError(
            "fit: cannot train inside no_grad(): operations there record no graph, so backward() would find "
            "no gradient and no step would change the model. Call fit outside the no_grad() block"
        )
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer (e.g. optim.Adam(model.parameters())), got {optimizer!r}")
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(f"on_epoch must be a function of (epoch, loss) or None, got {on_epoch!r}")
    epochs = checks.count("epochs", epochs)
    size = n if batch_size is None else min(checks.count("batch_size", batch_size), n)
    rng = random.Random(checks.seed(seed))
    step = _compiled_loss(model, cost, inputs, targets, _backend(compiled)) if compiled is not False else None
    bar = _progress_bar(epochs) if progress else None
    history: list[float] = []
    try:
        for _ in range(epochs):
            order = list(range(n)) if size == n else _shuffled(n, rng)
            total = 0.0
            for start in range(0, n, size):
                batch = order[start : start + size]
                optimizer.zero_grad()
                if step is None:
                    loss = mean_cost([cost_function(model(inputs[s]), targets[s]) for s in batch])
                    loss.backward()
                    batch_cost = loss.data
                else:
                    batch_cost = step([inputs[s] for s in batch], [targets[s] for s in batch])
                optimizer.step()
                total += batch_cost * len(batch)
                if bar is not None:
                    bar.set_postfix_str(f"loss={total / min(start + size, n):.4f}", refresh=False)
            history.append(total / n)
            if on_epoch is not None:
                on_epoch(len(history) - 1, history[-1])
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
    return history


def _backend(compiled: bool | str) -> str:
    """`fit`'s `compiled` as a back end: True is "auto"."""
    if compiled is True:
        return "auto"
    if isinstance(compiled, str):
        return compiled
    raise TypeError(f"compiled must be True, False or a back end ('python', 'c', 'auto'), got {compiled!r}")


def _model_loss(model: Model, cost: Cost, example_sample: Sequence[Sequence[float]], backend: str) -> CompiledLoss:
    """cost_avg = (1/n) sum_s C(model(x_s), y_s) over a batch, compiled once from one sample."""

    def sample_cost(x: list[Value], y: list[Value]) -> Value:
        return cost(model(x), y)

    return compile_loss(sample_cost, model.parameters(), example_sample, backend)


def _compiled_loss(
    model: Model, cost: str, inputs: Sequence[Sequence[float]], targets: Sequence[Sequence[float]], backend: str
) -> CompiledLoss:
    """The batch cost of `model` compiled once, after checking every sample on the graph engine."""
    compiled = _model_loss(model, get_cost(cost), [inputs[0], targets[0]], backend)
    compiled.check(inputs, targets)
    return compiled


def compile_mlp_loss(mlp: MLP, cost: str | Cost = "half_sse", backend: str = "auto") -> CompiledLoss:
    """`compiled(xs, ys)`: the mean cost of `mlp` over a batch, its gradients added into `p.grad`.

    The same numbers as `mean_cost([cost(mlp(x), y) for x, y in zip(xs, ys)]).backward()`.
    `backend` is "python", "c" or "auto" (C where a C compiler is found), as for `compile_function`.
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"compile_mlp_loss: mlp must be an MLP, got {type(mlp).__name__}")
    cost_of = get_cost(cost) if isinstance(cost, str) else cost
    if not callable(cost_of):
        raise TypeError(f"cost must be a cost name or a cost function, got {type(cost).__name__}")
    # The targets are arguments, not constants: a one-hot one traces every cost (cross_entropy wants one).
    return _model_loss(mlp, cost_of, [[0.0] * mlp.nin, one_hot(0, mlp.sizes[-1])], backend)


def accuracy(
    model: Model, inputs: Sequence[Sequence[float]], targets: Sequence[Sequence[float]], threshold: float = 0.5
) -> float:
    """The fraction of samples whose every output a_i falls on the same side of `threshold` as y_i.

    For a sigmoid output and targets in {0, 1}, this is the share classified correctly
    (class 1 when a >= 0.5).
    """
    n = _check_data(inputs, targets)
    threshold = checks.real("threshold", threshold)  # a nan would count every sample as right
    correct = 0
    with no_grad():
        for s, (x, y) in enumerate(zip(inputs, targets)):
            outputs = model(x)
            if len(outputs) != len(y):
                raise ValueError(f"the model gives {len(outputs)} outputs but a target has {len(y)} values")
            y_s = [checks.real(f"targets[{s}][{i}]", y_i) for i, y_i in enumerate(y)]
            correct += all((a.data >= threshold) == (y_i >= threshold) for a, y_i in zip(outputs, y_s))
    return correct / n


__all__ = ["Model", "accuracy", "compile_mlp_loss", "fit"]
