"""`draw_network`: an MLP neuron by neuron, one node per input and neuron, one edge per weight.

The scalar graph of a 2-16-16-1 MLP has hundreds of boxes; this view has 35 nodes, ranked left to
right by layer. Each edge k -> j of layer l is the weight w[l][j][k]: its colour is the weight's
sign (blue positive, red negative), its width |w| relative to the largest weight. Given a sample
x (and target y) each neuron also shows its activation a[l][j] (and delta[l][j] = dC/dz[l][j],
its fill colour), and each weight its dC/dw[l][j][k], as `microgradnet.delta.backprop` computes
them (BP1-BP4 in plain floats), so drawing never touches a `grad`.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from microgradnet.delta import Backprop, backprop
from microgradnet.engine import Value, no_grad
from microgradnet.losses import get_cost
from microgradnet.nn import MLP, check_inputs
from microgradnet.render.backend import keep_in_order, new_digraph
from microgradnet.render.style import (
    LINE_NEGATIVE,
    LINE_POSITIVE,
    TEXT_GREY,
    check_rankdir,
    largest_magnitude,
    number,
    pen_width,
    sign_line,
    signed_fill,
)

if TYPE_CHECKING:
    import graphviz

# Above this many weights the edge labels would cover each other; the edges keep tooltips.
MAX_LABELLED_EDGES = 40


@dataclass(frozen=True)
class Sample:
    """One sample's pass: x and a[l][j]; when y is given also the cost C and `gradients` (delta, dW) by BP1-BP4."""

    x: tuple[float, ...]
    a: tuple[tuple[float, ...], ...]
    gradients: Backprop | None = None
    cost: float | None = None


def evaluate(mlp: MLP, x: Sequence[float], y: Sequence[float] | None, cost: str) -> Sample:
    """Forward x through `mlp` with no graph; with y, delta and dC/dw from `delta.backprop`.

    Neither path runs `backward`, so no `grad` anywhere changes: drawing leaves training alone.
    """
    x_data = tuple(x_k.data for x_k in check_inputs(x, mlp.nin))
    if y is not None:
        gradients = backprop(mlp, x_data, y, cost)
        with no_grad():
            cost_value = get_cost(cost)(list(gradients.a[-1]), y).data
        return Sample(x_data, gradients.a, gradients, cost_value)
    with no_grad():
        a = [Value(x_k) for x_k in x_data]
        activations = []
        for layer in mlp.layers:
            a = layer.forward(a)
            activations.append(tuple(a_j.data for a_j in a))
    return Sample(x_data, tuple(activations))


def _label(rows: list[str]) -> str:
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">{cells}</TABLE>>'


def _column_box(cluster: graphviz.Digraph, title_node: str, title: str) -> None:
    """A layer's box, titled by a text node at the head of its column (edges route around nodes, not labels)."""
    cluster.attr(style="rounded", color="#bbbbbb")
    cluster.node(title_node, f'<<FONT COLOR="{TEXT_GREY}">{title}</FONT>>', shape="plaintext", style="")


def _check(mlp: object, x: object, y: object, rankdir: object, edge_labels: object) -> None:
    if not isinstance(mlp, MLP):
        raise TypeError(f"draw_network: mlp must be an MLP, got {type(mlp).__name__}: {mlp!r}")
    check_rankdir("draw_network", rankdir)
    if x is None and y is not None:
        raise ValueError("draw_network: y was given without x; pass the sample x whose target y is")
    if edge_labels is not None and not isinstance(edge_labels, bool):
        raise TypeError(f"draw_network: edge_labels must be True, False or None (automatic), got {edge_labels!r}")


def draw_network(
    mlp: MLP,
    x: Sequence[float] | None = None,
    y: Sequence[float] | None = None,
    cost: str = "half_sse",
    *,
    rankdir: str = "LR",
    edge_labels: bool | None = None,
) -> graphviz.Digraph:
    """The neuron-level picture of `mlp` as a `graphviz.Digraph`: inputs, neurons and weights.

    A legend under the picture says what the colours and widths mean.
    Without x: each neuron shows its bias b; edges show w (colour = sign, width = |w|).
    With x: each neuron also shows a = sigma(z) for that input.
    With x and y: each neuron also shows delta = dC/dz (its fill: red negative, blue positive),
    each weight w and dC/dw = a_k delta_j, and a final node the cost C(a^L, y) (`cost` names it).
    edge_labels: True, False, or None for "only when there are at most 40 weights"
    (every edge has a tooltip with its values either way).
    """
    _check(mlp, x, y, rankdir, edge_labels)
    get_cost(cost)  # a bad name fails here, with the list of names, even when no y is given
    sample = evaluate(mlp, x, y, cost) if x is not None else None
    graph = new_digraph("network", rankdir, nodesep="0.25", ranksep="1.2")
    with graph.subgraph(name="cluster_input") as cluster:
        _column_box(cluster, "input_title", "input")
        for k in range(mlp.nin):
            rows = [f"<B>x[{k}]</B>"] + ([number(sample.x[k])] if sample else [])
            cluster.node(f"x{k}", _label(rows))
        keep_in_order(cluster, ["input_title", *(f"x{k}" for k in range(mlp.nin))], rankdir)
    gradients = sample.gradients if sample is not None else None
    deltas = [d for d_l in gradients.delta for d in d_l] if gradients is not None else []
    largest_delta = largest_magnitude(deltas)
    for l, layer in enumerate(mlp.layers):
        with graph.subgraph(name=f"cluster_layer{l}") as cluster:
            _column_box(cluster, f"layer{l}_title", f"layer {l}<BR/>{layer.activation}")
            for j, neuron in enumerate(layer.neurons):
                rows = [f"<B>[{l}][{j}]</B>", f"b {number(neuron.b.data)}"]
                fill = "#ffffff"
                if sample is not None:
                    rows.append(f"a {number(sample.a[l][j])}")
                if gradients is not None:
                    rows.append(f"δ {number(gradients.delta[l][j])}")
                    fill = signed_fill(gradients.delta[l][j], largest_delta)
                cluster.node(f"n{l}_{j}", _label(rows), fillcolor=fill)
            keep_in_order(cluster, [f"layer{l}_title", *(f"n{l}_{j}" for j in range(layer.nout))], rankdir)
    _add_weights(graph, mlp, sample, edge_labels)
    _add_legend(graph, mlp, largest_delta if gradients is not None else None)
    if sample is not None and sample.cost is not None and y is not None:
        targets = ", ".join(number(float(y_i)) for y_i in y)
        graph.node("cost", _label([f"<B>C</B> {html.escape(cost)}", number(sample.cost), f"y = {targets}"]))
        for j in range(mlp.layers[-1].nout):
            graph.edge(f"n{len(mlp.layers) - 1}_{j}", "cost", style="dashed", color="#999999")
    return graph


def _add_legend(graph: graphviz.Digraph, mlp: MLP, largest_delta: float | None) -> None:
    """A key under the picture: what an edge's colour and width mean, and (with a target) a neuron's fill.

    It is the graph's own label, set after every cluster, so that no cluster inherits it.
    """
    largest_w = largest_magnitude([w_k.data for layer in mlp.layers for neuron in layer.neurons for w_k in neuron.w])
    rows = [
        f"edge k → j of layer l: the weight w[l][j][k], {_coloured('blue', LINE_POSITIVE)} if w &gt; 0, "
        f"{_coloured('red', LINE_NEGATIVE)} if w &lt; 0; its width grows with |w| (widest: |w| = {number(largest_w)})"
    ]
    if largest_delta is not None:
        rows.append(
            f"neuron fill: δ = ∂C/∂z, {_coloured('blue', LINE_POSITIVE)} if δ &gt; 0, "
            f"{_coloured('red', LINE_NEGATIVE)} if δ &lt; 0, white at 0 (strongest: |δ| = {number(largest_delta)})"
        )
    cells = "".join(f'<TR><TD ALIGN="LEFT">{row}</TD></TR>' for row in rows)
    key = f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'
    graph.attr(label=key, labelloc="b", labeljust="l", fontcolor=TEXT_GREY, fontsize="10")


def _coloured(text: str, colour: str) -> str:
    return f'<FONT COLOR="{colour}">{text}</FONT>'


def _add_weights(graph: graphviz.Digraph, mlp: MLP, sample: Sample | None, edge_labels: bool | None) -> None:
    """One edge per weight w[l][j][k], from input or neuron k of the layer before to neuron j."""
    weights = [w_k.data for layer in mlp.layers for neuron in layer.neurons for w_k in neuron.w]
    largest = largest_magnitude(weights)
    labelled = len(weights) <= MAX_LABELLED_EDGES if edge_labels is None else edge_labels
    for l, layer in enumerate(mlp.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w_k in enumerate(neuron.w):
                source = f"x{k}" if l == 0 else f"n{l - 1}_{k}"
                text = f"w {number(w_k.data)}"
                if sample is not None and sample.gradients is not None:
                    text += f"\\n∂C/∂w {number(sample.gradients.dW[l][j][k])}"
                graph.edge(
                    source,
                    f"n{l}_{j}",
                    label=text if labelled else None,
                    tooltip=f"w[{l}][{j}][{k}]: " + text.replace("\\n", ", "),
                    color=sign_line(w_k.data),
                    fontcolor=sign_line(w_k.data),
                    penwidth=pen_width(w_k.data, largest),
                )
