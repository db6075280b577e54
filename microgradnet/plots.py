"""Pictures of training: a classifier's decision boundary over its data, the loss curve, a
confusion matrix, and images with the classes a model gives them.

matplotlib is imported only when a function here is called (it is in the `examples` extra), and
only through `matplotlib.figure.Figure`, which draws with the Agg backend: no window, no global
pyplot state, so this works on a machine without a display.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from microgradnet import checks, metrics
from microgradnet.engine import no_grad
from microgradnet.train import Model


def _figure() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'microgradnet[examples]' (or matplotlib)") from None
    return Figure(figsize=(6.0, 4.5), dpi=100, layout="constrained")


def decision_boundary(
    model: Model,
    inputs: Sequence[Sequence[float]],
    targets: Sequence[Sequence[float]],
    path: str | os.PathLike[str],
    *,
    title: str = "Decision boundary",
    resolution: int = 120,
) -> Path:
    """Write a picture of the model's first output a(x0, x1) over the plane, its a = 0.5 contour
    (the decision boundary) and the samples coloured by class, to `path` (format from the suffix).

    The model must take two inputs; the plane spans the data with a margin of 0.5.
    """
    if len(inputs) == 0 or len(inputs) != len(targets):
        raise ValueError(
            f"decision_boundary needs equally many inputs and targets, got {len(inputs)} and {len(targets)}"
        )
    if any(len(x) != 2 for x in inputs):
        raise ValueError("decision_boundary needs samples of exactly 2 inputs (a plane to draw)")
    figure = _figure()
    low0, high0 = min(x[0] for x in inputs) - 0.5, max(x[0] for x in inputs) + 0.5
    low1, high1 = min(x[1] for x in inputs) - 0.5, max(x[1] for x in inputs) + 0.5
    grid0 = [low0 + (high0 - low0) * i / (resolution - 1) for i in range(resolution)]
    grid1 = [low1 + (high1 - low1) * i / (resolution - 1) for i in range(resolution)]
    with no_grad():
        outputs = [[model([x0, x1])[0].data for x0 in grid0] for x1 in grid1]
    axes = figure.add_subplot()
    filled = axes.contourf(grid0, grid1, outputs, levels=20, cmap="RdBu_r", alpha=0.75)
    axes.contour(grid0, grid1, outputs, levels=[0.5], colors="black", linewidths=1.5)
    figure.colorbar(filled, ax=axes, label="network output a")
    for label, colour in ((0.0, "tab:blue"), (1.0, "tab:red")):
        points = [x for x, y in zip(inputs, targets) if (y[0] >= 0.5) == (label >= 0.5)]
        axes.scatter(
            [p[0] for p in points], [p[1] for p in points], c=colour, edgecolors="black", s=18, label=f"class {label:g}"
        )
    axes.set(title=title, xlabel="x[0]", ylabel="x[1]")
    axes.legend(loc="lower left")
    return _save(figure, path)


def loss_curve(history: Sequence[float], path: str | os.PathLike[str], *, cost: str = "cost") -> Path:
    """Write the loss of every epoch (log scale when all are positive) to `path`."""
    if len(history) == 0:
        raise ValueError("loss_curve needs at least one epoch of history")
    figure = _figure()
    axes = figure.add_subplot()
    axes.plot(range(1, len(history) + 1), history, color="tab:purple")
    if min(history) > 0.0:
        axes.set_yscale("log")
    axes.set(title=f"Training loss ({cost})", xlabel="epoch", ylabel=f"mean {cost} per sample")
    axes.grid(True, which="both", alpha=0.3)
    return _save(figure, path)


def confusion_matrix(
    counts: Sequence[Sequence[int]],
    path: str | os.PathLike[str],
    *,
    classes: Sequence[str] | None = None,
    title: str = "Confusion matrix",
) -> Path:
    """Write `counts` (from `metrics.confusion_matrix`: row i the true class, column j the predicted
    one) as a grid of shaded cells with each count written in, the accuracy in the title, to `path`."""
    names = metrics.check_confusion(counts, classes)
    total = sum(map(sum, counts))
    right = sum(counts[i][i] for i in range(len(counts)))
    figure = _figure()
    axes = figure.add_subplot()
    image = axes.imshow(counts, cmap="Blues", vmin=0)
    figure.colorbar(image, ax=axes, label="samples")
    darkest = max(max(row) for row in counts)
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            colour = "white" if count > darkest / 2 else "black"
            axes.text(j, i, str(count), ha="center", va="center", color=colour, fontsize=8)
    ticks = range(len(names))
    axes.set_xticks(ticks, names, rotation=45 if max(map(len, names)) > 2 else 0)
    axes.set_yticks(ticks, names)
    accuracy = f"accuracy {right / total:.1%}" if total else "no samples"
    axes.set(title=f"{title} ({accuracy})", xlabel="predicted class", ylabel="true class")
    return _save(figure, path)


def predicted_images(
    model: Model,
    inputs: Sequence[Sequence[float]],
    targets: Sequence[Sequence[float]],
    path: str | os.PathLike[str],
    *,
    classes: Sequence[str] | None = None,
    count: int = 10,
    columns: int = 5,
) -> Path:
    """Write the first `count` samples as square images (their inputs row by row, grey levels in [0, 1],
    e.g. a digit's 8x8 pixels), each titled with the class the model predicts and the true one, in red
    where they differ, to `path`; `classes[y]` names class y (by default its index)."""
    count = checks.count("count", count)
    columns = checks.count("columns", columns)
    n = checks.paired(("inputs", "targets"), inputs, targets, of="samples (lists of numbers)")
    if n < count:
        raise ValueError(f"predicted_images: count = {count}, but there are only {n} samples")
    pairs = metrics.classified(model, inputs[:count], targets[:count])
    side = math.isqrt(len(inputs[0]))
    if side * side != len(inputs[0]):
        raise ValueError(f"predicted_images needs square images: {len(inputs[0])} inputs are not n x n pixels")
    names = metrics.class_names(classes, max(len(targets[0]), 2))
    rows = math.ceil(count / columns)
    figure = _figure()
    figure.set_size_inches(1.4 * min(count, columns), 1.7 * rows)
    for s, (x, (true, predicted)) in enumerate(zip(inputs, pairs)):
        axes = figure.add_subplot(rows, min(count, columns), s + 1)
        axes.imshow([list(x[r * side : (r + 1) * side]) for r in range(side)], cmap="gray_r", vmin=0.0, vmax=1.0)
        colour = "black" if predicted == true else "tab:red"
        axes.set_title(f"predicted {names[predicted]}\ntrue {names[true]}", fontsize=8, color=colour)
        axes.set_axis_off()
    return _save(figure, path)


def _save(figure: Any, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    figure.savefig(target)
    return target


__all__ = ["confusion_matrix", "decision_boundary", "loss_curve", "predicted_images"]
