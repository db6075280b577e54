"""The data of a computation-graph page: Graphviz's layout, every node's record, and the steps.

The layout is `draw_graph`'s, run through Graphviz (`render.layout`), so each box sits where the
Graphviz picture puts it; the page draws the boxes, clusters and edge splines itself so that it
can fill in values and gradients step by step. Coordinates are turned to the page's (y down).
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import asdict
from typing import Any

from microgradnet.engine import Value, topological_order
from microgradnet.explore.encode import number
from microgradnet.explore.steps import backward_steps, forward_text, name
from microgradnet.render import draw_graph, layout
from microgradnet.render.clusters import cluster_paths, cluster_titles
from microgradnet.render.style import check_rankdir, largest_magnitude

# A graph with more nodes than this is too many boxes to follow one by one on a screen.
MAX_NODES = 150

POINTS_PER_INCH = 72.0


def check_graph(root: object, max_nodes: object, rankdir: object) -> list[Value]:
    """The nodes of `root`'s graph in topological order, after checking the arguments and the size."""
    if not isinstance(root, Value):
        raise TypeError(f"explore.graph: root must be a Value, got {type(root).__name__}: {root!r}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"explore.graph: max_nodes must be a positive int, got {max_nodes!r}")
    check_rankdir("explore.graph", rankdir)
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"explore.graph: the graph has {len(order)} nodes, more than max_nodes={max_nodes}, too many to "
            "step through one by one; explore the network and its training instead with "
            "explore.network(mlp, snapshots, (inputs, targets)), which shows every neuron's a and delta"
        )
    return order


def graph_data(root: Value, *, max_nodes: int = MAX_NODES, rankdir: str = "LR") -> dict[str, Any]:
    """Everything the graph page shows, as JSON-ready data (see the module docstring)."""
    order = check_graph(root, max_nodes, rankdir)
    placed = layout(draw_graph(root, rankdir=rankdir, max_nodes=len(order)))
    height = float(placed["bb"].split(",")[3])
    index = {node: i for i, node in enumerate(order)}
    paths = cluster_paths(order)  # which neuron each node belongs to: the one place structure is read
    grads, steps = backward_steps(order, paths)
    positions = {obj["name"]: obj for obj in placed.get("objects", []) if "pos" in obj}
    nodes = []
    for i, node in enumerate(order):
        box = positions[f"n{i}"]
        x, y = (float(c) for c in box["pos"].split(","))
        nodes.append(
            {
                "name": f"n{i}",
                "label": node.label,
                "title": name(order, i),
                "op": node.op,
                "data": number(node.data),
                "grad": number(grads[i]),
                "parents": [index[p] for p in node.parents],
                "local_grads": [number(d) for d in node.local_grads],
                "group": " / ".join(cluster_titles(paths[node])) if node in paths else "",
                "x": x,
                "y": height - y,
                "width": float(box["width"]) * POINTS_PER_INCH,
                "height": float(box["height"]) * POINTS_PER_INCH,
                "forward": forward_text(order, index, i),
            }
        )
    backward = [{**asdict(step), **{key: number(getattr(step, key)) for key in _FLOATS}} for step in steps]
    return {
        "kind": "graph",
        "width": float(placed["bb"].split(",")[2]),
        "height": height,
        "nodes": nodes,
        "edges": _edges(order, placed, height),
        "clusters": _clusters(placed, height),
        "backward": backward,
        "largest_grad": largest_magnitude(grads),
    }


_FLOATS = ("local", "grad", "contribution", "before", "after")


def _edges(order: list[Value], placed: dict[str, Any], height: float) -> list[dict[str, Any]]:
    """One edge per operand, in the order nodes and operands come: parent, node, operand, spline."""
    names = {obj["_gvid"]: obj["name"] for obj in placed.get("objects", []) if "pos" in obj}
    splines: dict[tuple[str, str], deque[dict[str, Any]]] = defaultdict(deque)
    for edge in placed.get("edges", []):
        if "invis" not in edge.get("style", ""):
            splines[names[edge["tail"]], names[edge["head"]]].append(edge)
    index = {node: i for i, node in enumerate(order)}
    edges = []
    for i, node in enumerate(order):
        for operand, parent in enumerate(node.parents):
            edge = splines[f"n{index[parent]}", f"n{i}"].popleft()
            path, tip = _spline(edge["pos"], height)
            label_x, label_y = (float(c) for c in edge.get("lp", "0,0").split(","))
            edges.append(
                {
                    "parent": index[parent],
                    "node": i,
                    "operand": operand,
                    "path": path,
                    "tip": tip,
                    "label_x": label_x,
                    "label_y": height - label_y,
                }
            )
    return edges


def _spline(pos: str, height: float) -> tuple[str, list[float]]:
    """An SVG path for Graphviz's spline "e,x,y p0 p1 p2 p3 ..." and its arrow tip (x, y)."""
    tip: list[float] = []
    points = []
    for token in pos.split(";")[0].split():
        if token.startswith(("e,", "s,")):
            if token[0] == "e":
                x, y = (float(c) for c in token[2:].split(","))
                tip = [x, height - y]
            continue
        x, y = (float(c) for c in token.split(","))
        points.append(f"{x:.2f},{height - y:.2f}")
    path = f"M{points[0]}" + "".join(f"C{' '.join(points[k : k + 3])}" for k in range(1, len(points) - 2, 3))
    return path, tip or [float(c) for c in points[-1].split(",")]


def _clusters(placed: dict[str, Any], height: float) -> list[dict[str, Any]]:
    """Each cluster's box (outer ones first) and title, as Graphviz placed them."""
    boxes = []
    for obj in placed.get("objects", []):
        if obj.get("name", "").startswith("cluster") and "bb" in obj:
            x0, y0, x1, y1 = (float(c) for c in obj["bb"].split(","))
            boxes.append(
                {
                    "title": obj.get("label", ""),
                    "x": x0,
                    "y": height - y1,
                    "width": x1 - x0,
                    "height": y1 - y0,
                    "filled": "filled" in obj.get("style", ""),
                }
            )
    return boxes
