"""The demo behind `microgradnet demo`: a sigmoid MLP learns two moons, and shows its work.

It trains the network of `DemoSettings` with `fit`, prints the training accuracy and a table of
one sample's gradients by autograd and by the delta equations, and writes the decision boundary,
the loss curve, a picture of the trained network and an explorer page (one sample's backward
pass step by step, and the training epoch by epoch) into an output folder.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from microgradnet import render
from microgradnet.crosscheck import compare
from microgradnet.datasets import moons
from microgradnet.engine import Value
from microgradnet.explore.snapshots import Snapshots
from microgradnet.losses import get_cost
from microgradnet.nn import MLP
from microgradnet.optim import Adam
from microgradnet.train import accuracy, fit


@dataclass(frozen=True)
class DemoSettings:
    """The demo's data, network and training; the defaults reach 100% training accuracy in about a second."""

    n: int = 200
    noise: float = 0.1
    hidden: tuple[int, ...] = (8,)
    activation: str = "sigmoid"
    cost: str = "bce"
    lr: float = 0.1
    epochs: int = 60
    batch_size: int = 10
    seed: int = 0
    compiled: bool | str = False  # train through the compiled graph (`fit(compiled=...)`): True, "c" or "python"


@dataclass
class DemoResult:
    """What the demo trained and measured, and the files it wrote."""

    mlp: MLP
    history: list[float]
    accuracy: float
    files: list[Path] = field(default_factory=list)


def new_network(settings: DemoSettings) -> MLP:
    """The demo's network before training."""
    return MLP(2, [*settings.hidden, 1], settings.activation, seed=settings.seed)


def train_network(
    settings: DemoSettings,
    *,
    progress: bool = True,
    mlp: MLP | None = None,
    on_epoch: Callable[[int, float], None] | None = None,
) -> tuple[MLP, list[float], float]:
    """The demo network (or `mlp`, made by `new_network`) trained on its moons: (network, loss
    history, training accuracy). `on_epoch` is `fit`'s (e.g. `explore.Snapshots(mlp)`)."""
    inputs, targets = moons(settings.n, settings.noise, settings.seed)
    mlp = new_network(settings) if mlp is None else mlp
    history = fit(
        mlp,
        inputs,
        targets,
        optimizer=Adam(mlp.parameters(), lr=settings.lr),
        cost=settings.cost,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        seed=settings.seed,
        progress=progress,
        compiled=settings.compiled,
        on_epoch=on_epoch,
    )
    return mlp, history, accuracy(mlp, inputs, targets)


def gradient_table(mlp: MLP, x: list[float], y: list[float], cost: str) -> str:
    """A small table: dC/dp by autograd and by the delta equations for the first weights and the
    first bias of each layer, and the largest difference over all parameters."""
    comparison = compare(mlp, x, y, cost)
    wanted = {label for l in range(len(mlp.layers)) for label in (f"w[{l}][0][0]", f"w[{l}][0][1]", f"b[{l}][0]")}
    shown = [row for row in comparison.rows() if row[0] in wanted]
    lines = [
        f"autograd vs the delta equations (BP1-BP4), one sample: x = [{x[0]:.4f}, {x[1]:.4f}], y = {y}",
        f"  {'parameter':<12} {'autograd dC/dp':>16} {'delta equations':>16} {'|difference|':>13}",
    ]
    lines += [f"  {label:<12} {g:>+16.9e} {o:>+16.9e} {abs(g - o):>13.1e}" for label, g, o in shown]
    worst = max(abs(g - o) for _, g, o in comparison.rows())
    lines.append(f"  largest |difference| over all {len(comparison.rows())} parameters: {worst:.1e}")
    return "\n".join(lines)


def network_picture(mlp: MLP, x: list[float], y: list[float], cost: str, out: Path) -> render.Saved:
    """The trained network with one sample's a, delta and dC/dw drawn on it, as `out`/network.svg
    (its DOT source `out`/network.dot, with a note, without Graphviz's `dot` program)."""
    return render.save_or_dot(render.draw_network(mlp, x, y, cost), out / "network.svg")


def sample_cost(mlp: MLP, x: list[float], y: list[float], cost: str) -> Value:
    """One sample's cost C(mlp(x), y), labelled C, after `backward()`: the graph every box of which has its grad."""
    c = get_cost(cost)(mlp(x), [Value(y_i, f"y[{i}]") for i, y_i in enumerate(y)])
    c.label = "C"
    c.backward()
    return c


def explorer_page(
    mlp: MLP, snapshots: Snapshots, data: tuple[list[list[float]], list[list[float]]], cost: str, out: Path
) -> tuple[Path, str]:
    """`out`/explore.html: one sample's backward pass step by step, and the training on `data`
    replayed epoch by epoch; without Graphviz's `dot` program (which lays out the graph), the
    training only, and a note."""
    from microgradnet import explore

    inputs, targets = data
    page = explore.network(mlp, snapshots, data, cost=cost, title="The training, epoch by epoch")
    note = ""
    try:
        graph = explore.graph(sample_cost(mlp, inputs[0], targets[0], cost), title="One sample's backward pass")
        page = graph + page
    except render.GraphvizNotFoundError:
        note = "Without `dot`, explore.html shows the training but not the graph."
    return page.save(out / "explore.html"), note


def _say(text: str) -> None:
    print(text, flush=True)  # flushed, so that the lines and the progress bar (on stderr) keep their order


def run(
    out: Path, settings: DemoSettings = DemoSettings(), *, progress: bool = True, echo: Callable[[str], None] = _say
) -> DemoResult:
    """Train, report, and write the pictures into `out` (created if needed)."""
    from microgradnet import plots

    out.mkdir(parents=True, exist_ok=True)  # before training, so a bad folder fails fast
    sizes = "-".join(map(str, [2, *settings.hidden, 1]))
    echo(
        f"microgradnet demo: a {sizes} {settings.activation} network learns two moons "
        f"({settings.n} points, noise {settings.noise}), Adam lr {settings.lr}, {settings.cost} cost"
    )
    snapshots = Snapshots(new_network(settings))
    mlp, history, train_accuracy = train_network(settings, progress=progress, mlp=snapshots.mlp, on_epoch=snapshots)
    echo(f"training accuracy: {train_accuracy:.1%} of {settings.n} points; final loss {history[-1]:.4f}")
    inputs, targets = moons(settings.n, settings.noise, settings.seed)
    echo("")
    echo(gradient_table(mlp, inputs[0], targets[0], settings.cost))
    echo("")
    result = DemoResult(mlp, history, train_accuracy)
    title = f"Two moons: {sizes} {settings.activation} MLP, training accuracy {train_accuracy:.1%}"
    result.files.append(plots.decision_boundary(mlp, inputs, targets, out / "decision_boundary.png", title=title))
    result.files.append(plots.loss_curve(history, out / "loss.png", cost=settings.cost))
    picture = network_picture(mlp, inputs[0], targets[0], settings.cost, out)
    page, page_note = explorer_page(mlp, snapshots, (inputs, targets), settings.cost, out)
    result.files += [picture.path, page]
    if picture.note or page_note:  # both come from a missing `dot`: one note says so
        echo(" ".join(note for note in (picture.note and f"{picture.note}.", page_note) if note))
    echo(f"wrote {len(result.files)} files into {out.resolve()}/:")
    for path in result.files:
        echo(f"  {path.name}")
    return result


__all__ = ["DemoResult", "DemoSettings", "explorer_page", "new_network", "run", "sample_cost", "train_network"]
