"""Explorer pages: watch backpropagation step by step, and a network learn, in a browser.

- `graph(root, path)`: the computation graph of `root`, laid out by Graphviz as `draw_graph`
  draws it, stepped forward node by node (values appear in topological order) and then backward
  edge by edge, each step `grad(parent) += local derivative x grad(node)` with its numbers, the
  parent's running sum over its consumers and, in a neuron, the equation it applies (BP1-BP4).
- `network(mlp, training, (inputs, targets), path)`: a timeline over the epochs of training
  (recorded with `Snapshots`): the weights (colour = sign, width = size), every neuron's a and
  delta for a chosen sample, the loss curve, and for two inputs the network's output over the
  plane with the data.

Each returns an `Explorer`: one self-contained HTML file (`save`, or the `path` argument), which
opens from disk with no server and no network, and shows inline in Jupyter. Every number on the
page was computed here, in Python, and embedded; the page only shows them. `a + b` of two
explorers is one page with both. The graph page needs Graphviz's `dot` program and the graphviz
package (`pip install 'microgradnet[viz]'`); the network page needs nothing beyond microgradnet.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from microgradnet.engine import Value
from microgradnet.explore.graph_view import MAX_NODES, graph_data
from microgradnet.explore.network_view import RESOLUTION, network_data
from microgradnet.explore.page import Explorer
from microgradnet.explore.snapshots import Snapshots
from microgradnet.nn import MLP


def _written(explorer: Explorer, path: str | os.PathLike[str] | None) -> Explorer:
    if path is not None:
        explorer.save(path)
    return explorer


def graph(
    root: Value,
    path: str | os.PathLike[str] | None = None,
    *,
    max_nodes: int = MAX_NODES,
    rankdir: str = "LR",
    title: str = "Backpropagation, step by step",
) -> Explorer:
    """The step-by-step page of `root`'s computation graph, written to `path` if given.

    A graph of more than `max_nodes` nodes raises `ValueError` (too many boxes to follow; explore
    a larger network with `network`). `root`'s graph and its `grad`s are left as they are: the
    backward steps are replayed on their own numbers, in the engine's order.
    """
    return _written(Explorer([{"title": title, **graph_data(root, max_nodes=max_nodes, rankdir=rankdir)}], title), path)


def network(
    mlp: MLP,
    training: Snapshots | Sequence[float],
    data: tuple[Sequence[Sequence[float]], Sequence[Sequence[float]]],
    path: str | os.PathLike[str] | None = None,
    *,
    cost: str = "half_sse",
    samples: Sequence[int] | None = None,
    resolution: int = RESOLUTION,
    title: str = "Training, epoch by epoch",
) -> Explorer:
    """The training page of `mlp` on `data` = (inputs, targets), written to `path` if given.

    training:   `Snapshots` recorded by `fit(..., on_epoch=snapshots)` (a timeline over every
                epoch), or `fit`'s list of losses (the network as it is now, and its loss curve).
    cost:       the cost the network was trained with ("half_sse", "mse", "bce"): delta = dC/dz.
    samples:    indices of the samples whose a and delta the page offers (default: 10 spread
                over the data).
    resolution: heatmap cells along each axis, for a network of two inputs.
    """
    data_ = network_data(mlp, training, data, cost=cost, samples=samples, resolution=resolution)
    return _written(Explorer([{"title": title, **data_}], title), path)


__all__ = ["MAX_NODES", "Explorer", "Snapshots", "graph", "network"]
