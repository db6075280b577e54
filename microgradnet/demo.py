"""The demo behind `microgradnet demo`: a sigmoid MLP learns two moons, and shows its work.

It trains the network of `DemoSettings` with `fit`, prints the training accuracy and a table of
one sample's gradients by autograd and by the delta equations, and writes the decision boundary,
the loss curve and a picture of the trained network into an output folder.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from microgradnet import render
from microgradnet.crosscheck import compare
from microgradnet.datasets import moons
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
    compiled: bool = False  # train through the compiled graph (`fit(compiled=True)`)


@dataclass
class DemoResult:
    """What the demo trained and measured, and the files it wrote."""

    mlp: MLP
    history: list[float]
    accuracy: float
    files: list[Path] = field(default_factory=list)


def train_network(settings: DemoSettings, *, progress: bool = True) -> tuple[MLP, list[float], float]:
    """The demo network trained on its moons: (network, loss history, training accuracy)."""
    inputs, targets = moons(settings.n, settings.noise, settings.seed)
    mlp = MLP(2, [*settings.hidden, 1], settings.activation, seed=settings.seed)
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
    mlp, history, train_accuracy = train_network(settings, progress=progress)
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
    result.files.append(picture.path)
    if picture.note:
        echo(picture.note)
    echo(f"wrote {len(result.files)} files into {out.resolve()}/:")
    for path in result.files:
        echo(f"  {path.name}")
    return result


__all__ = ["DemoResult", "DemoSettings", "run", "train_network"]
