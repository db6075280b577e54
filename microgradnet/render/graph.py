"""`draw_graph`: the scalar computation graph of a `Value`, as the chain rule walks it.

One box per `Value` (its label, the op that made it, data, grad), one edge parent -> child per
operand, labelled with the local derivative d child / d parent (the factor backward multiplies
along that edge: grad_parent += grad_child * local). Graphs built by `Neuron`, `Layer` and `MLP`
are grouped by their labels into a cluster per neuron (w[l][j][k], b[l][j], z[l][j], a[l][j])
inside a cluster per layer, with the inputs x[k] in a cluster of their own.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from microgradnet.engine import WEIGHTED_SUM, Value, topological_order
from microgradnet.render.backend import new_digraph
from microgradnet.render.style import TEXT_GREY, check_rankdir, largest_magnitude, number, signed_fill

if TYPE_CHECKING:
    import graphviz

SHOW_FIELDS = ("label", "op", "data", "grad")

# A module's label: a name, then Python indices, e.g. w[1][0][2], b[1][0], z, a[3], x[0].
MODULE_LABEL = re.compile(r"(?P<name>[wbzax])(?P<index>(?:\[\d+\])*)")
NeuronKey = tuple[int, ...]  # a neuron's indices: (l, j) in an MLP, (j,) in a Layer, () for a Neuron


def _parse(label: str) -> tuple[str, NeuronKey] | None:
    match = MODULE_LABEL.fullmatch(label)
    if match is None:
        return None
    return match["name"], tuple(int(i) for i in re.findall(r"\d+", match["index"]))


def _clusters(order: list[Value]) -> dict[Value, tuple[str, ...]]:
    """The cluster path of every node that belongs in one, e.g. ("layer 1", "neuron [1][0]").

    A neuron exists where a node labelled z... was made by `weighted_sum`; only then are the
    nodes labelled w, b, a and x with matching indices grouped, so that a user's own Values
    called "a" or "b" stay where they are.
    """
    parsed = {node: _parse(node.label) for node in order if node.label}
    neurons = {key for node, p in parsed.items() if p and p[0] == "z" and node.op == WEIGHTED_SUM for key in [p[1]]}
    paths: dict[Value, tuple[str, ...]] = {}
    for node, p in parsed.items():
        if p is None or not neurons:
            continue
        name, index = p
        if name == "x":
            if len(index) == 1:
                paths[node] = ("input",)
            continue
        key = index[:-1] if name == "w" and index else index
        if (name == "w" and not index) or key not in neurons:
            continue
        neuron = ("neuron " + "".join(f"[{i}]" for i in key)).rstrip()
        paths[node] = (f"layer {key[0]}", neuron) if len(key) == 2 else (neuron,)
    return paths


def _cluster_sort_key(name: str) -> tuple[int, list[int]]:
    """Input first, then layers and neurons in index order (so that layer 10 follows layer 9)."""
    return (0 if name == "input" else 1, [int(i) for i in re.findall(r"\d+", name)])


def _node_label(node: Value, show: Collection[str]) -> str:
    """An HTML-like Graphviz label: a title row (bold label, grey op), then data and grad."""
    title = []
    if "label" in show and node.label:
        title.append(f"<B>{html.escape(node.label)}</B>")
    if "op" in show and node.op:
        title.append(f'<FONT COLOR="{TEXT_GREY}"><I>{html.escape(node.op)}</I></FONT>')
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
    max_nodes:   a graph with more nodes raises `ValueError` (draw an MLP with `draw_network` instead).

    Node names are n0, n1, ... in topological order, so the same graph gives the same DOT text.
    """
    fields = _check_options(root, rankdir, show, max_nodes)
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {len(order)} nodes, more than max_nodes={max_nodes}; "
            "pass a larger max_nodes, or draw the network neuron by neuron with draw_network(mlp, x, y)"
        )
    graph = new_digraph("computation_graph", rankdir, nodesep="0.15", ranksep="0.4")
    names = {node: f"n{i}" for i, node in enumerate(order)}
    largest = largest_magnitude([node.grad for node in order])

    def add_node(target: Any, node: Value) -> None:
        fill = {"fillcolor": signed_fill(node.grad, largest)} if color_grads else {}
        target.node(names[node], _node_label(node, fields), **fill)

    paths = _clusters(order)
    _add_clusters(graph, order, paths, add_node)
    for node in order:
        if node not in paths:
            add_node(graph, node)
    for node in order:
        for parent, local_grad in zip(node.parents, node.local_grads):
            graph.edge(names[parent], names[node], label=number(local_grad) if edge_labels else None)
    for before, after in _layout_hints(order, paths):
        graph.edge(names[before], names[after], style="invis")
    return graph


def _layout_hints(order: list[Value], paths: dict[Value, tuple[str, ...]]) -> list[tuple[Value, Value]]:
    """Invisible edges a_k -> w_k for each clustered neuron z = sum_k w_k a_k + b.

    They place each weight to the right of the input it multiplies, so that layers stand side
    by side from left to right instead of stacked (a weight is a leaf, and dot would otherwise
    rank it as early as the input itself).
    """
    hints = []
    for z in order:
        if z.op == WEIGHTED_SUM and z in paths:
            n = (len(z.parents) - 1) // 2
            weights, inputs, bias = z.parents[:n], z.parents[n : 2 * n], z.parents[-1]
            hints += [(a_k, w_k) for a_k, w_k in zip(inputs, weights) if not w_k.parents]
            if not bias.parents and inputs:
                hints.append((inputs[0], bias))
    return hints


def _add_clusters(graph: Any, order: list[Value], paths: dict[Value, tuple[str, ...]], add_node: Any) -> None:
    """Nest a Graphviz cluster per path element; the nodes of each cluster in topological order."""
    members: dict[tuple[str, ...], list[Value]] = {}
    for node in order:
        if node in paths:
            members.setdefault(paths[node], []).append(node)
    tops = sorted({path[0] for path in members}, key=_cluster_sort_key)
    for top in tops:
        with graph.subgraph(name=_cluster_id(top)) as outer:
            outer.attr(label=top, style="rounded", color="#bbbbbb", fontcolor=TEXT_GREY, labeljust="l")
            for node in members.get((top,), []):
                add_node(outer, node)
            inner_names = sorted(
                {path[1] for path in members if len(path) == 2 and path[0] == top}, key=_cluster_sort_key
            )
            for inner in inner_names:
                with outer.subgraph(name=_cluster_id(inner)) as cluster:
                    cluster.attr(label=inner, style="rounded,filled", fillcolor="#f4f4f4", color="#cccccc")
                    for node in members[(top, inner)]:
                        add_node(cluster, node)


def _cluster_id(title: str) -> str:
    """A DOT id for a cluster title: "neuron [1][0]" -> "cluster_neuron_1_0"."""
    return "cluster_" + "_".join(re.findall(r"\w+", title))
