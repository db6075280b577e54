"""Graphviz clusters for graphs built by `Neuron`, `Layer` and `MLP`, found from what `nn` records.

Each weight and bias of a module knows its neuron's place (`nn.place_of`: (l, j) in an MLP).
A `w·a+b` node whose bias has a place is that neuron's z; its weights and bias, and the
activation node made from it, join the cluster "neuron [l][j]" inside the cluster "layer l" (a
Layer's neurons are "neuron [j]", a lone Neuron's "neuron"). Labels play no part: a relabelled
node is drawn where it was. Inside each neuron the weights and the bias stand in one column in
index order, and each weight sits one rank after the input it multiplies, so that layers read
left to right.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from microgradnet.engine import WEIGHTED_SUM, Value
from microgradnet.nn import place_of
from microgradnet.operations import OPERATIONS, SOFTMAX, groups
from microgradnet.render.backend import keep_in_order
from microgradnet.render.style import TEXT_GREY

if TYPE_CHECKING:
    import graphviz

Path = tuple[int, ...]  # a neuron's place: (l, j) in an MLP, (j,) in a Layer, () for a lone Neuron
AddNode = Callable[[Any, Value], None]  # declares a node in a graphviz (sub)graph


def _operands(z: Value) -> tuple[Sequence[Value], Sequence[Value], Value]:
    """The operands of z = sum_k w_k a_k + b, by the row's layout: (w, a, b)."""
    split = groups(OPERATIONS[WEIGHTED_SUM], z.parents)
    return split["w_k"], split["a_k"], split["b"][0]


def _z_of(activation: Value) -> Value:
    """The z an activation node is made from: its one parent, or z_j among a softmax output's z_k."""
    if activation.op == SOFTMAX and activation.constant is not None:
        return activation.parents[int(activation.constant)]
    return activation.parents[0]


def cluster_paths(order: list[Value]) -> dict[Value, Path]:
    """The place of every node that belongs to a neuron; other nodes are not in the dict.

    A neuron's nodes are its z (a `w·a+b` node whose bias is a module's), the weights and bias
    with the same place, and the activation node made from that z (its one parent; for softmax
    output j, its parent z_j).
    """
    paths: dict[Value, Path] = {}
    activation_of: dict[Value, str] = {}
    for node in order:
        if node.op == WEIGHTED_SUM:
            weights, _, bias = _operands(node)
            place = place_of(bias)
            if place is None:
                continue
            paths[node] = place.neuron
            activation_of[node] = place.activation
            for parameter in (*weights, bias):
                if place_of(parameter) == place:
                    paths[parameter] = place.neuron
        elif node.parents and (z := _z_of(node)) in activation_of and node.op == activation_of[z]:
            paths[node] = paths[z]
    return paths


def _neuron_title(path: Path) -> str:
    """ "neuron [1][0]" for (1, 0), "neuron [0]" for (0,), "neuron" for ()."""
    return ("neuron " + "".join(f"[{i}]" for i in path)).rstrip()


def cluster_titles(path: Path) -> tuple[str, ...]:
    """The titles of a neuron's clusters, outermost first: ("layer 1", "neuron [1][0]") for (1, 0)."""
    return (_layer_title(path[0]), _neuron_title(path)) if len(path) == 2 else (_neuron_title(path),)


def _layer_title(l: int) -> str:
    return f"layer {l}"


def _neuron_id(path: Path) -> str:
    """A DOT id for a neuron's cluster: "cluster_neuron_1_0" for (1, 0)."""
    return "cluster_neuron" + "".join(f"_{i}" for i in path)


def add_clusters(
    graph: graphviz.Digraph,
    order: list[Value],
    paths: dict[Value, Path],
    names: dict[Value, str],
    add_node: AddNode,
    rankdir: str,
) -> None:
    """Declare each clustered node inside its nested clusters (in topological order within each):
    a cluster per layer l holding one per neuron (l, j); a Layer's or lone Neuron's neuron on its own."""
    members: dict[Path, list[Value]] = {}
    for node in order:
        if node in paths:
            members.setdefault(paths[node], []).append(node)
    for path in sorted(p for p in members if len(p) < 2):
        with graph.subgraph(name=_neuron_id(path)) as cluster:
            _add_neuron(cluster, members[path], paths, names, add_node, rankdir)
    for l in sorted({p[0] for p in members if len(p) == 2}):
        with graph.subgraph(name=f"cluster_layer_{l}") as outer:
            outer.attr(
                label=cluster_titles((l, 0))[0], style="rounded", color="#bbbbbb", fontcolor=TEXT_GREY, labeljust="l"
            )
            for path in sorted(p for p in members if len(p) == 2 and p[0] == l):
                with outer.subgraph(name=_neuron_id(path)) as cluster:
                    _add_neuron(cluster, members[path], paths, names, add_node, rankdir)


def _add_neuron(
    cluster: graphviz.Digraph,
    nodes: list[Value],
    paths: dict[Value, Path],
    names: dict[Value, str],
    add_node: AddNode,
    rankdir: str,
) -> None:
    """One neuron's nodes, with w_0 .. w_(n-1), b in one column in that order."""
    cluster.attr(
        label=_neuron_title(paths[nodes[0]]),
        style="rounded,filled",
        fillcolor="#f4f4f4",
        color="#cccccc",
        labeljust="l",
    )
    for node in nodes:
        add_node(cluster, node)
    # The first z is enough: a batch's samples each make a z from the same weights and bias.
    z = next((node for node in nodes if node.op == WEIGHTED_SUM), None)
    if z is not None:
        weights, _, bias = _operands(z)
        column = [v for v in (*weights, bias) if not v.parents and paths.get(v) == paths[z]]
        keep_in_order(cluster, [names[v] for v in column], rankdir)


def layout_edges(order: list[Value], paths: dict[Value, Path]) -> list[tuple[Value, Value]]:
    """Invisible edges a_k -> w_k for each clustered neuron z = sum_k w_k a_k + b.

    They place each weight one rank after the input it multiplies, so that layers stand side
    by side from left to right instead of stacked (a weight is a leaf, and dot would otherwise
    rank it as early as possible, beside the previous layer).
    """
    edges = []
    for z in order:
        if z.op == WEIGHTED_SUM and z in paths:
            weights, inputs, _ = _operands(z)
            edges += [(a_k, w_k) for a_k, w_k in zip(inputs, weights) if not w_k.parents]
    return edges
