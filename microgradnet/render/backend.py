"""The Graphviz side of rendering: importing the `graphviz` package lazily, and saving files."""

from __future__ import annotations

import importlib
import itertools
import json
import os
import shutil
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from microgradnet.render.style import FONT, TEXT_GREY

if TYPE_CHECKING:
    import graphviz

FORMATS = ("dot", "svg", "png", "pdf")

INSTALL_GRAPHVIZ = (
    "install Graphviz: `apt-get install graphviz` (Debian, Ubuntu), `brew install graphviz` (macOS) "
    "or `conda install graphviz` (conda)"
)


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program, which lays out and draws images, is not installed (not on PATH)."""


def import_graphviz() -> ModuleType:
    """The `graphviz` package, or a `ModuleNotFoundError` that says how to install it."""
    try:
        return importlib.import_module("graphviz")
    except ImportError:
        raise ModuleNotFoundError(
            "rendering needs the graphviz Python package: pip install 'microgradnet[viz]'", name="graphviz"
        ) from None


def new_digraph(name: str, rankdir: str, **graph_attr: str) -> graphviz.Digraph:
    """An empty `graphviz.Digraph` in the house look: sans-serif text, rounded white boxes, grey edge labels.

    `remincross=false` lets `keep_in_order` chains hold.
    """
    gv = import_graphviz()
    return gv.Digraph(
        name,
        graph_attr={"rankdir": rankdir, "remincross": "false", "fontname": FONT, "fontsize": "11", **graph_attr},
        node_attr={
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": "#ffffff",
            "fontname": FONT,
            "fontsize": "10",
        },
        edge_attr={"fontname": FONT, "fontsize": "9", "fontcolor": TEXT_GREY, "arrowsize": "0.6", "color": "#666666"},
    )


def keep_in_order(subgraph: graphviz.Digraph, names: list[str], rankdir: str) -> None:
    """Keep these nodes in one rank, in this order (top to bottom, or left to right), by invisible edges.

    Graphviz keeps such a chain in order when the graph has `remincross=false`. A left-to-right
    layout is the top-to-bottom one turned a quarter, so there the chain runs backwards to put
    the first node on top.
    """
    if len(names) < 2:
        return
    chain = names[::-1] if rankdir in ("LR", "RL") else names
    with subgraph.subgraph() as same_rank:
        same_rank.attr(rank="same")
        for before, after in itertools.pairwise(chain):
            same_rank.edge(before, after, style="invis")


def save(graph: graphviz.Digraph, path: str | os.PathLike[str]) -> Path:
    """Write `graph` to `path`, in the format its extension names: .dot, .svg, .png or .pdf.

    .dot is the DOT source and needs only the Python package; the image formats run Graphviz's
    layout program (`dot`), and raise `GraphvizNotFoundError` with install instructions without it.
    Returns the path written.
    """
    gv = import_graphviz()
    if not isinstance(graph, (gv.Digraph, gv.Graph)):
        raise TypeError(f"save: graph must be a graphviz.Digraph (from draw_graph or draw_network), got {graph!r}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"save: path must be a str or path, got {type(path).__name__}: {path!r}")
    target = Path(path)
    fmt = target.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        valid = ", ".join(f".{f}" for f in FORMATS)
        raise ValueError(f"save: unknown extension {target.suffix!r} in {str(target)!r}; expected one of {valid}")
    if fmt == "dot":
        target.write_text(graph.source, encoding="utf-8")
        return target
    message = (
        f"save: writing .{fmt} needs Graphviz's `{graph.engine}` program, which is not on PATH; "
        f"{INSTALL_GRAPHVIZ}; or save as .dot, which needs no program"
    )
    target.write_bytes(_pipe(graph, fmt, message))
    return target


def layout(graph: graphviz.Digraph) -> dict[str, Any]:
    """Where Graphviz puts every node, cluster and edge of `graph`: the output of `dot -Tjson`, parsed.

    Coordinates are in points with y growing upwards, as Graphviz gives them (`bb`, each object's
    `pos`, `width` and `height` in inches, each edge's spline in `pos`).
    """
    message = (
        f"layout: placing the nodes needs Graphviz's `{graph.engine}` program, which is not on PATH; {INSTALL_GRAPHVIZ}"
    )
    result: dict[str, Any] = json.loads(_pipe(graph, "json", message))
    return result


def _pipe(graph: graphviz.Digraph, fmt: str, missing: str) -> bytes:
    """`graph` run through its Graphviz program into format `fmt`; `GraphvizNotFoundError(missing)` without it."""
    gv = import_graphviz()
    if shutil.which(graph.engine) is None:
        raise GraphvizNotFoundError(missing)
    try:
        output: bytes = graph.pipe(format=fmt)
    except gv.ExecutableNotFound as error:
        raise GraphvizNotFoundError(missing) from error
    return output
