"""The Graphviz side of rendering: importing the `graphviz` package lazily, and saving files.

`save` writes the format a file name asks for, or raises; `save_or_dot` is what the command line,
the demo and the examples use: without Graphviz's `dot` program it writes the DOT source next to
the picture asked for, with one note saying how to install Graphviz and draw the picture from it.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import shlex
import shutil
from dataclasses import dataclass
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


# Cairo, which draws Graphviz's PNGs, holds at most this many pixels on a side; dot shrinks a larger
# picture to fit, unreadably (a 2-16-16-1 MLP's graph would become 2468 x 32767 pixels).
MAX_PNG_PIXELS = 32767
PNG_DPI = 96.0  # Graphviz's resolution for bitmaps, unless the graph sets `dpi`

# The first line of a DOT file that `save_or_dot` writes in place of a picture: a DOT comment, by
# which a later `save_or_dot` that draws the picture recognises the stand-in and removes it.
STAND_IN_MARK = "// microgradnet wrote this DOT source in place of a picture: Graphviz's dot program was not installed"


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
    if fmt == "png":
        _check_png_size(graph, target, message)
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


def _check_png_size(graph: graphviz.Digraph, target: Path, missing: str) -> None:
    """A `ValueError` if the laid-out picture is wider or taller than a PNG can be (`MAX_PNG_PIXELS`).

    The layout's bounding box `bb` (in points, 72 to the inch) and the graph's `dpi` come from
    Graphviz's `json0` output: pixels = points / 72 * dpi.
    """
    placed = json.loads(_pipe(graph, "json0", missing))
    _, _, width, height = (float(number) for number in placed["bb"].split(","))
    dpi = float(placed.get("dpi", PNG_DPI))
    pixels = (round(width / 72.0 * dpi), round(height / 72.0 * dpi))
    if max(pixels) > MAX_PNG_PIXELS:
        raise ValueError(
            f"save: {str(target)!r} would be {pixels[0]} x {pixels[1]} pixels, more than the {MAX_PNG_PIXELS} a PNG "
            "can have on a side; save it as .svg or .pdf, which have no such limit"
        )


@dataclass(frozen=True)
class Saved:
    """What `save_or_dot` wrote: `path`, and a `note` when that is DOT source standing in for a picture."""

    path: Path
    note: str = ""


def save_or_dot(graph: graphviz.Digraph, path: str | os.PathLike[str]) -> Saved:
    """`save(graph, path)`; without Graphviz's `dot` program, the DOT source as `path` with the suffix .dot.

    The note then says how to install Graphviz and gives the command that draws the picture from
    the DOT file, with absolute paths (so it works from any folder). Once the picture itself is
    written, a stand-in DOT file that an earlier call left next to it is removed.
    """
    try:
        written = save(graph, path)
    except GraphvizNotFoundError:  # raised only once `path` is checked
        requested = Path(path)
        stand_in = requested.with_suffix(".dot")
        stand_in.write_text(f"{STAND_IN_MARK}\n{graph.source}", encoding="utf-8")
        fmt = requested.suffix.lower().lstrip(".")
        source, picture = (shlex.quote(str(file.absolute())) for file in (stand_in, requested))
        draw = f"{graph.engine} -T{fmt} {source} -o {picture}"
        note = (
            f"Graphviz's `{graph.engine}` program is not installed, so {requested.name} was written as its DOT "
            f"source {stand_in.absolute()}; to draw the picture, {INSTALL_GRAPHVIZ}, then run: {draw}"
        )
        return Saved(stand_in, note)
    stand_in = written.with_suffix(".dot")
    if stand_in != written and _is_stand_in(stand_in):
        stand_in.unlink()
    return Saved(written)


def _is_stand_in(path: Path) -> bool:
    """Whether `path` is a DOT file that `save_or_dot` wrote in place of a picture."""
    try:
        with path.open(encoding="utf-8") as file:
            return file.readline().rstrip("\n") == STAND_IN_MARK
    except (OSError, UnicodeDecodeError):
        return False
