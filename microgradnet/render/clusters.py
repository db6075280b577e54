"""Graphviz clusters for graphs built by `Neuron`, `Layer` and `MLP`, found from their labels.

The nodes of neuron j of layer l (w[l][j][k], b[l][j], z[l][j], a[l][j]) go into a cluster
"neuron [l][j]" inside a cluster "layer l"; a Layer's neurons are "neuron [j]", a lone Neuron's
"neuron". Inside each neuron the weights and the bias stand in one column in index order, and
each weight sits one rank after the input it multiplies, so that layers read left to right.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from microgradnet.engine import WEIGHTED_SUM, Value
from microgradnet.render.backend import keep_in_order
from microgradnet.render.style import TEXT_GREY

if TYPE_CHECKING:
    import graphviz

# A module's label: a name, then Python indices, e.g. w[1][0][2], b[1][0], z, a[3].
MODULE_LABEL = re.compile(r"(?P<name>[wbza])(?P<index>(?:\[\d+\])*)")

Path = tuple[str, ...]  # cluster titles, outermost first: ("layer 1", "neuron [1][0]") or ("neuron [0]",)
AddNode = Callable[[Any, Value], None]  # declares a node in a graphviz (sub)graph


def _parse(label: str) -> tuple[str, tuple[int, ...]] | None:
    match = MODULE_LABEL.fullmatch(label)
    if match is None:
        return None
    return match["name"], tuple(int(i) for i in re.findall(r"\d+", match["index"]))


def cluster_paths(order: list[Value]) -> dict[Value, Path]:
    """The cluster path of every node that belongs to a neuron; other nodes are not in the dict.

    A neuron exists where a node labelled z... was made by `weighted_sum`; only the nodes labelled
    w, b and a with that neuron's indices join it, so a user's own Values called "a" or "b" stay
    outside.
    """
    parsed = {node: _parse(node.label) for node in order if node.label}
    neurons = {p[1] for node, p in parsed.items() if p is not None and p[0] == "z" and node.op == WEIGHTED_SUM}
    paths: dict[Value, Path] = {}
    for node, p in parsed.items():
        if p is None:
            continue
        name, index = p
        if name == "w" and not index:
            continue
        key = index[:-1] if name == "w" else index  # w[l][j][k] belongs to neuron [l][j]
        if key in neurons:
            neuron = ("neuron " + "".join(f"[{i}]" for i in key)).rstrip()
            paths[node] = (f"layer {key[0]}", neuron) if len(key) == 2 else (neuron,)
    return paths


def _sort_key(title: str) -> list[int]:
    """Layers and neurons in index order, so that layer 10 follows layer 9."""
    return [int(i) for i in re.findall(r"\d+", title)]


def _cluster_id(title: str) -> str:
    """A DOT id for a cluster title: "neuron [1][0]" -> "cluster_neuron_1_0"."""
    return "cluster_" + "_".join(re.findall(r"\w+", title))


def _operands(z: Value) -> tuple[tuple[Value, ...], tuple[Value, ...], Value]:
    """The operands of z = sum_k w_k a_k + b, as `weighted_sum` orders them: (w, a, b)."""
    n = (len(z.parents) - 1) // 2
    return z.parents[:n], z.parents[n : 2 * n], z.parents[-1]


def add_clusters(
    graph: graphviz.Digraph,
    order: list[Value],
    paths: dict[Value, Path],
    names: dict[Value, str],
    add_node: AddNode,
    rankdir: str,
) -> None:
    """Declare each clustered node inside its nested clusters (in topological order within each)."""
    members: dict[Path, list[Value]] = {}
    for node in order:
        if node in paths:
            members.setdefault(paths[node], []).append(node)
    for top in sorted({path[0] for path in members}, key=_sort_key):
        with graph.subgraph(name=_cluster_id(top)) as outer:
            if (top,) in members:  # a Layer's or a Neuron's graph: the neuron is the outer cluster
                _add_neuron(outer, members[(top,)], paths, names, add_node, rankdir)
                continue
            outer.attr(label=top, style="rounded", color="#bbbbbb", fontcolor=TEXT_GREY, labeljust="l")
            inner = {path[1] for path in members if path[0] == top}
            for title in sorted(inner, key=_sort_key):
                with outer.subgraph(name=_cluster_id(title)) as cluster:
                    _add_neuron(cluster, members[(top, title)], paths, names, add_node, rankdir)


def _add_neuron(
    cluster: graphviz.Digraph,
    nodes: list[Value],
    paths: dict[Value, Path],
    names: dict[Value, str],
    add_node: AddNode,
    rankdir: str,
) -> None:
    """One neuron's nodes, with w_0 .. w_(n-1), b in one column in that order."""
    cluster.attr(label=paths[nodes[0]][-1], style="rounded,filled", fillcolor="#f4f4f4", color="#cccccc", labeljust="l")
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
