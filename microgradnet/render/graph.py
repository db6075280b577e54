"""`draw_graph`: the scalar computation graph of a `Value`, as the chain rule walks it.

One box per `Value` (its label, the op that made it, data, grad), one edge parent -> child per
operand, labelled with the local derivative d child / d parent (the factor backward multiplies
along that edge: grad_parent += grad_child * local). Graphs built by `Neuron`, `Layer` and `MLP`
are grouped into a cluster per neuron (w[l][j][k], b[l][j], z[l][j], a[l][j]) inside a cluster
per layer, from what the modules record, not from labels (see `clusters`); the inputs x[k] and
the cost's nodes stay outside.
"""

from __future__ import annotations

import html
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from microgradnet.engine import Value, topological_order
from microgradnet.operations import SOFTMAX
from microgradnet.render.backend import new_digraph
from microgradnet.render.clusters import add_clusters, cluster_paths, layout_edges
from microgradnet.render.style import TEXT_GREY, check_rankdir, largest_magnitude, number, signed_fill

if TYPE_CHECKING:
    import graphviz

SHOW_FIELDS = ("label", "op", "data", "grad")


class GraphTooLargeError(ValueError):
    """The graph has more than `max_nodes` nodes; `nodes` and `max_nodes` say how many (for other wordings)."""

    def __init__(self, nodes: int, max_nodes: int) -> None:
        self.nodes, self.max_nodes = nodes, max_nodes
        super().__init__(
            f"draw_graph: the graph has {nodes} nodes, more than max_nodes={max_nodes}; "
            "pass a larger max_nodes, or draw the network neuron by neuron with draw_network(mlp, x, y)"
        )


def _node_label(node: Value, show: Collection[str]) -> str:
    """An HTML-like Graphviz label: a title row (bold label, italic op), then data and grad."""
    title = []
    labelled = "label" in show and node.label
    if labelled:
        title.append(f"<B>{html.escape(node.label)}</B>")
    if "op" in show and node.op:
        c = node.constant
        held = "" if c is None else f" j={c}" if node.op == SOFTMAX else f" c={number(c)}"
        op = f"<I>{html.escape(node.op)}</I>" + held
        title.append(f'<FONT COLOR="{TEXT_GREY}">{op}</FONT>' if labelled else op)  # grey beside a label
    rows = ["&nbsp;&nbsp;".join(title)] if title else []
    if "data" in show:
        rows.append(f"data {number(node.data)}")
    if "grad" in show:
        rows.append(f"grad {number(node.grad)}")
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows) or "<TR><TD> </TD></TR>"
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def _check_options(root: object, rankdir: object, show: object, max_nodes: object) -> tuple[str, ...]:
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: root must be a Value, got {type(root).__name__}: {root!r}")
    check_rankdir("draw_graph", rankdir)
    if isinstance(show, str) or not isinstance(show, Collection):
        raise TypeError(f"draw_graph: show must be a collection of field names such as ('data', 'grad'), got {show!r}")
    unknown = [field for field in show if field not in SHOW_FIELDS]
    if unknown:
        raise ValueError(f"draw_graph: unknown show field(s) {unknown!r}; expected some of {SHOW_FIELDS!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int, got {max_nodes!r}")
    return tuple(show)


def draw_graph(
    root: Value,
    *,
    rankdir: str = "LR",
    show: Collection[str] = SHOW_FIELDS,
    edge_labels: bool = True,
    color_grads: bool = True,
    max_nodes: int = 2000,
) -> graphviz.Digraph:
    """The computation graph of every node `root` depends on, as a `graphviz.Digraph`.

    rankdir:     "LR" (parents left of children), "RL", "TB" or "BT".
    show:        which of "label", "op", "data", "grad" each box shows (numbers to 4 significant digits).
    edge_labels: label each edge parent -> child with d child / d parent (`child.local_grads[i]`).
    color_grads: fill each box by its grad: red negative, blue positive, intensity
                 sqrt(|grad| / max |grad|) over the graph.
    max_nodes:   a graph with more nodes raises `GraphTooLargeError`, a `ValueError` (draw an MLP with
                 `draw_network` instead).

    Node names are n0, n1, ... in topological order, so the same graph gives the same DOT text.
    """
    fields = _check_options(root, rankdir, show, max_nodes)
    order = topological_order(root)
    if len(order) > max_nodes:
        raise GraphTooLargeError(len(order), max_nodes)
    graph = new_digraph("computation_graph", rankdir, nodesep="0.15", ranksep="0.4")
    names = {node: f"n{i}" for i, node in enumerate(order)}
    largest = largest_magnitude([node.grad for node in order])

    def add_node(target: Any, node: Value) -> None:
        fill = {"fillcolor": signed_fill(node.grad, largest)} if color_grads else {}
        target.node(names[node], _node_label(node, fields), **fill)

    paths = cluster_paths(order)
    add_clusters(graph, order, paths, names, add_node, rankdir)
    for node in order:
        if node not in paths:
            add_node(graph, node)
    for node in order:
        for parent, local_grad in zip(node.parents, node.local_grads):
            graph.edge(names[parent], names[node], label=number(local_grad) if edge_labels else None)
    for before, after in layout_edges(order, paths):
        graph.edge(names[before], names[after], style="invis")
    return graph
