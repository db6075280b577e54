"""The data of a network page: every snapshot's weights, chosen samples' a and delta, the losses,
and for a network of two inputs its output over the plane (the decision boundary's heatmap).

All of it is computed here, in Python: a and delta by `render.network.evaluate` (the delta
equations BP1-BP4 in plain floats, as `draw_network` shows them), the heatmap by the same
equations' forward pass (`delta.ACTIVATIONS`, sums in `delta.weighted_input`'s order). Bulk numbers travel as
base64 doubles (`encode.float64s`), bit-exact.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from itertools import repeat
from typing import Any

from microgradnet import checks
from microgradnet.delta import ACTIVATIONS, SOFTMAX, softmax
from microgradnet.explore.encode import float64s, levels, number
from microgradnet.explore.snapshots import Snapshots
from microgradnet.losses import get_cost
from microgradnet.nn import MLP
from microgradnet.render.network import evaluate
from microgradnet.render.style import largest_magnitude

SAMPLES = 10  # samples offered by default, spread over the data set
RESOLUTION = 32  # heatmap cells along each axis
MARGIN = 0.5  # around the data, as `plots.decision_boundary`
OUTPUT_RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softmax": (0.0, 1.0)}


def _history(training: object) -> tuple[list[int], list[tuple[float, ...]] | None, list[float]]:
    """(epoch of each snapshot, the snapshots or None for "the network as it is", the losses)."""
    if isinstance(training, Snapshots):
        return list(range(len(training.parameters))), list(training.parameters), list(training.losses)
    if isinstance(training, (str, bytes)) or not isinstance(training, Sequence):
        raise TypeError(
            "explore.network: training must be Snapshots (recorded by fit(..., on_epoch=snapshots)) or the "
            f"list of losses fit returned, got {type(training).__name__}"
        )
    losses = [checks.real(f"training[{e}]", loss, finite=False) for e, loss in enumerate(training)]
    return [len(losses)], None, losses


def _check_data(mlp: MLP, data: object) -> tuple[list[list[float]], list[list[float]]]:
    if not (isinstance(data, Sequence) and not isinstance(data, (str, bytes)) and len(data) == 2):
        raise TypeError(f"explore.network: data must be a pair (inputs, targets), got {type(data).__name__}")
    inputs, targets = data
    checks.paired(("inputs", "targets"), inputs, targets, of="samples (lists of numbers)")
    nout = mlp.sizes[-1]
    xs = [list(checks.real_vector(f"inputs[{s}]", x, mlp.nin, "inputs")) for s, x in enumerate(inputs)]
    ys = [list(checks.real_vector(f"targets[{s}]", y, nout, "targets (one per output)")) for s, y in enumerate(targets)]
    return xs, ys


def _check_samples(samples: object, n: int) -> list[int]:
    if samples is None:
        count = min(n, SAMPLES)
        return [s * n // count for s in range(count)]
    if isinstance(samples, (str, bytes)) or not isinstance(samples, Sequence) or len(samples) == 0:
        raise TypeError(f"explore.network: samples must be a non-empty list of sample indices, got {samples!r}")
    chosen = []
    for s in samples:
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s < n:
            raise ValueError(f"explore.network: samples holds {s!r}; expected indices from 0 to {n - 1}")
        chosen.append(s)
    return chosen


def _twin(mlp: MLP) -> MLP:
    """A network of `mlp`'s shape and activations, whose parameters get each snapshot's values."""
    return MLP(mlp.nin, mlp.sizes[1:], mlp.activation, output_activation=mlp.output_activation, seed=0)


def network_data(
    mlp: MLP,
    training: object,
    data: object,
    *,
    cost: str = "half_sse",
    samples: Sequence[int] | None = None,
    resolution: int = RESOLUTION,
) -> dict[str, Any]:
    """Everything the network page shows, as JSON-ready data (see the module docstring)."""
    if not isinstance(mlp, MLP):
        raise TypeError(f"explore.network: mlp must be an MLP, got {type(mlp).__name__}: {mlp!r}")
    get_cost(cost)
    epochs, snapshots, losses = _history(training)
    count = len(mlp.parameters())
    if snapshots is None:
        snapshots = [tuple(p.data for p in mlp.parameters())]
    elif any(len(snapshot) != count for snapshot in snapshots):
        raise ValueError(
            f"explore.network: the snapshots hold {len(snapshots[0])} parameters but the network has {count}; "
            "record them with Snapshots(mlp) of this network"
        )
    xs, ys = _check_data(mlp, data)
    chosen = _check_samples(samples, len(xs))
    resolution = checks.count("resolution", resolution, minimum=2)
    twin = _twin(mlp)
    a: list[float] = []
    delta: list[float] = []
    sample_cost: list[float] = []
    grids = []
    for snapshot in snapshots:
        for p, value in zip(twin.parameters(), snapshot):
            p.data = value
        for s in chosen:
            sample = evaluate(twin, xs[s], ys[s], cost)
            assert sample.gradients is not None and sample.cost is not None
            a += [a_j for a_l in sample.a for a_j in a_l]
            delta += [d_j for d_l in sample.gradients.delta for d_j in d_l]
            sample_cost.append(sample.cost)
        if mlp.nin == 2:
            grids.append(_outputs_over_plane(twin, xs, resolution))
    weights = [v for snapshot in snapshots for v in _weights(mlp, snapshot)]
    return {
        "kind": "network",
        "sizes": mlp.sizes,
        "layer_activations": [layer.activation for layer in mlp.layers],
        "cost": cost,
        "epochs": epochs,
        "losses": [number(loss) for loss in losses],
        "parameters": float64s([v for snapshot in snapshots for v in snapshot]),
        "largest_weight": largest_magnitude(weights),
        "samples": chosen,
        "x": [[number(v) for v in x] for x in xs],
        "y": [[number(v) for v in y] for y in ys],
        "a": float64s(a),
        "delta": float64s(delta),
        "sample_cost": float64s(sample_cost),
        "boundary": _boundary(mlp, xs, resolution, grids) if grids else None,
    }


def _weights(mlp: MLP, snapshot: Sequence[float]) -> list[float]:
    """The weights of a snapshot (its parameters without the biases)."""
    out: list[float] = []
    i = 0
    for layer in mlp.layers:
        for neuron in layer.neurons:
            out += snapshot[i : i + len(neuron.w)]
            i += len(neuron.w) + 1
    return out


def bounds(xs: list[list[float]]) -> tuple[float, float, float, float]:
    """The heatmap's extent (x[0] from, to, x[1] from, to): the data and a margin."""
    return (
        min(x[0] for x in xs) - MARGIN,
        max(x[0] for x in xs) + MARGIN,
        min(x[1] for x in xs) - MARGIN,
        max(x[1] for x in xs) + MARGIN,
    )


def plane(xs: list[list[float]], resolution: int) -> tuple[list[float], list[float]]:
    """The heatmap's cell centres: x[0] left to right, x[1] top to bottom."""
    low0, high0, low1, high1 = bounds(xs)
    across = [low0 + (high0 - low0) * (i + 0.5) / resolution for i in range(resolution)]
    down = [high1 - (high1 - low1) * (i + 0.5) / resolution for i in range(resolution)]
    return across, down


def _outputs_over_plane(mlp: MLP, xs: list[list[float]], resolution: int) -> list[float]:
    """The first output a^L_0 at every cell centre, row by row from the top.

    The delta module's forward pass, z_j = b_j + sum_k w_jk a_k added in k order (the same floats
    as `delta.weighted_input`) and a_j = sigma(z_j), taken for all cells at once, a column of
    cells per neuron: 1.7x faster than one forward pass per cell (0.15 s -> 0.088 s a snapshot for
    a 2-16-16-1 network on 40 x 40 cells, on a busy 2-core Xeon), the same floats.
    """
    across, down = plane(xs, resolution)
    columns = [[x0 for _ in down for x0 in across], [x1 for x1 in down for _ in across]]  # a^(l-1)_k, all cells
    for layer in mlp.layers:
        next_columns = []
        for neuron in layer.neurons:
            z = [neuron.b.data] * len(columns[0])
            for w_k, a_k in zip(neuron.w, columns):
                z = list(map(operator.add, z, map(operator.mul, repeat(w_k.data), a_k)))
            next_columns.append(
                z if layer.activation == SOFTMAX else list(map(ACTIVATIONS[neuron.activation].sigma, z))
            )
        if layer.activation == SOFTMAX:  # a^L = softmax(z^L) of each cell: a row of the layer's z columns
            next_columns = [list(column) for column in zip(*map(softmax, zip(*next_columns)))]
        columns = next_columns
    return columns[0]


def _boundary(mlp: MLP, xs: list[list[float]], resolution: int, grids: list[list[float]]) -> dict[str, Any]:
    """The heatmaps as bytes, on the output activation's range (or the outputs' own, for relu and linear)."""
    low, high = OUTPUT_RANGES.get(mlp.output_activation, (math.nan, math.nan))
    if math.isnan(low):
        finite = [v for grid in grids for v in grid if math.isfinite(v)]
        low, high = min(finite, default=0.0), max(finite, default=1.0)
        if not high > low:
            low, high = low - 1.0, low + 1.0
    x_low, x_high, y_low, y_high = bounds(xs)
    return {
        "resolution": resolution,
        "x_low": x_low,
        "x_high": x_high,
        "y_low": y_low,
        "y_high": y_high,
        "output_low": low,
        "output_high": high,
        "levels": [levels(grid, low, high) for grid in grids],
    }
