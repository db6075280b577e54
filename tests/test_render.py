"""Rendering: the DOT text of `draw_graph` and `draw_network` has exactly the nodes, edges, labels,
clusters and colours the math asks for; it is deterministic; the size limit, the missing `dot`
program and the missing `graphviz` package give errors that say what to do; `save` writes real files."""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import itertools
import math
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import graphviz
import pytest
from conftest import TrainedDigits
from hypothesis import given
from hypothesis import strategies as st
from pages import DOCS, README, code_blocks, section, text
from strategies import reals
from system_programs import requires_dot

from microgradnet import MLP, Layer, Neuron, Value, no_grad
from microgradnet.delta import backprop
from microgradnet.engine import topological_order, weighted_sum
from microgradnet.losses import half_sse, mean_cost
from microgradnet.render import FORMATS, GraphvizNotFoundError, Saved, draw_graph, draw_network, save, save_or_dot
from microgradnet.render.backend import STAND_IN_MARK
from microgradnet.render.clusters import cluster_paths as neuron_paths
from microgradnet.render.style import number, signed_fill

# --- reading DOT text back --------------------------------------------------------------------

NODE = re.compile(r"^\s*(\w+) \[label=(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")


def nodes(dot: str) -> dict[str, str]:
    """Node name -> the rest of its line (label and attributes)."""
    return {m[1]: m[2] for line in dot.splitlines() if (m := NODE.match(line))}


def edges(dot: str, *, visible: bool = True) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) of each edge; the invisible layout edges are left out unless visible=False."""
    found = [(m[1], m[2], m[3] or "") for line in dot.splitlines() if (m := EDGE.match(line))]
    return [e for e in found if ("style=invis" not in e[2]) == visible]


def edge_label(attributes: str) -> str:
    match = re.search(r'label="?([^" ]+)"?', attributes)
    assert match is not None, attributes
    return match[1]


def cluster_paths(dot: str) -> dict[str, tuple[str, ...]]:
    """Node name -> the names of the clusters it is declared in, outermost first."""
    stack: list[str] = []
    paths = {}
    for line in dot.splitlines():
        opening = re.match(r"^\s*subgraph (\w+) \{$", line)
        if opening:
            stack.append(opening[1])
        elif re.match(r"^\s*\{$", line):
            stack.append("")  # an anonymous subgraph (rank=same)
        elif line.strip() == "}":
            if stack:
                stack.pop()
        elif m := NODE.match(line):
            paths[m[1]] = tuple(stack)
    return paths


def cluster_labels(dot: str) -> dict[str, str]:
    """Cluster name -> its label."""
    labels = {}
    lines = dot.splitlines()
    for i, line in enumerate(lines):
        opening = re.match(r"^\s*subgraph (cluster\w*) \{$", line)
        if opening:
            label = re.search(r'label="?([^"]+?)"? (?:style|labeljust)', lines[i + 1])
            assert label is not None, lines[i + 1]
            labels[opening[1]] = label[1]
    return labels


def fill_of(attributes: str) -> str:
    match = re.search(r'fillcolor="(#[0-9a-f]{6})"', attributes)
    assert match is not None, attributes
    return match[1]


def a_neuron_graph() -> tuple[Value, Value, Value]:
    """c = tanh(a * b + a**2) with a = 2, b = -3, after backward."""
    a, b = Value(2.0, "a"), Value(-3.0, "b")
    c = (a * b + a**2).tanh()
    c.label = "c"
    c.backward()
    return a, b, c


def mlp_cost(sizes: list[int], seed: int = 0) -> tuple[MLP, Value]:
    mlp = MLP(sizes[0], sizes[1:], seed=seed)
    cost = half_sse(mlp([0.5 - 0.25 * k for k in range(sizes[0])]), [1.0] * sizes[-1])
    cost.backward()
    return mlp, cost


# --- draw_graph: nodes, edges, labels -------------------------------------------------------------


@given(
    sizes=st.lists(st.integers(1, 3), min_size=2, max_size=4),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "linear"]),
    x=st.lists(reals, min_size=3, max_size=3),
)
def test_one_node_per_value_and_one_edge_per_operand(sizes: list[int], activation: str, x: list[float]) -> None:
    """An MLP cost graph gives exactly one DOT node per Value and one edge parent -> child per operand."""
    mlp = MLP(sizes[0], sizes[1:], activation, seed=0)
    cost = half_sse(mlp(x[: sizes[0]]), [0.5] * sizes[-1])
    order = topological_order(cost)
    dot = draw_graph(cost).source
    assert set(nodes(dot)) == {f"n{i}" for i in range(len(order))}
    name = {node: f"n{i}" for i, node in enumerate(order)}
    expected = Counter((name[parent], name[child]) for child in order for parent in child.parents)
    assert Counter((tail, head) for tail, head, _ in edges(dot)) == expected


def test_each_box_shows_label_op_data_and_grad_to_4_significant_digits() -> None:
    """The tanh node's box has its label, its op, data tanh(-2) and grad 1, each to 4 significant digits."""
    _, _, c = a_neuron_graph()
    dot = draw_graph(c).source
    [box] = [attributes for attributes in nodes(dot).values() if "<B>c</B>" in attributes]
    assert "<I>tanh</I>" in box
    assert f"data {math.tanh(-2.0):.4g}" in box and "data -0.964<" in box
    assert "grad 1<" in box
    leaf = nodes(dot)["n0"]
    dc_da = (1 - c.data**2) * (-3.0 + 2 * 2.0)  # tanh'(u) * (b + 2a)
    assert "<B>a</B>" in leaf and "data 2<" in leaf and f"grad {dc_da:.4g}<" in leaf


def test_show_chooses_the_fields() -> None:
    """show=("data",) leaves out label, op and grad; show=() leaves an empty box."""
    _, _, c = a_neuron_graph()
    only_data = nodes(draw_graph(c, show=("data",)).source)
    assert all(
        "data" in box and "grad" not in box and "<B>" not in box and "<I>" not in box for box in only_data.values()
    )
    empty = nodes(draw_graph(c, show=()).source)
    assert all("data" not in box and "grad" not in box for box in empty.values())


def test_edge_labels_are_the_local_derivatives() -> None:
    """Edges carry d child/d parent: d(ab)/da = b, d(ab)/db = a, d(a^2)/da = 2a, d tanh(u)/du = 1 - tanh^2 u."""
    a, b, c = a_neuron_graph()
    order = topological_order(c)
    name = {node: f"n{i}" for i, node in enumerate(order)}
    product = next(node for node in order if node.op == "*")
    square = next(node for node in order if node.op == "x**c")
    total = c.parents[0]
    labels = {(tail, head): float(edge_label(attributes)) for tail, head, attributes in edges(draw_graph(c).source)}
    assert labels[name[a], name[product]] == b.data
    assert labels[name[b], name[product]] == a.data
    assert labels[name[a], name[square]] == 2 * a.data
    assert labels[name[product], name[total]] == 1.0
    assert labels[name[total], name[c]] == pytest.approx(1 - math.tanh(-2.0) ** 2, rel=5e-4)


@given(sizes=st.lists(st.integers(1, 3), min_size=2, max_size=3), x=st.lists(reals, min_size=3, max_size=3))
def test_edge_labels_match_central_differences(sizes: list[int], x: list[float]) -> None:
    """Each edge label of an MLP graph is d child/d parent to 4 significant digits, checked by central differences."""
    mlp = MLP(sizes[0], sizes[1:], "tanh", seed=1)
    out = mlp(x[: sizes[0]])[0]
    order = topological_order(out)
    dot_labels = [float(edge_label(attributes)) for _, _, attributes in edges(draw_graph(out).source)]
    eps = 1e-6
    i = 0
    for child in order:
        for p, parent in enumerate(child.parents):
            # Recompute the child alone with this operand nudged: the same op on the other operands' data.
            def child_at(value: float, child: Value = child, p: int = p) -> float:
                with no_grad():
                    operands = [Value(value if q == p else other.data) for q, other in enumerate(child.parents)]
                    return _apply(child.op, operands)

            derivative = (child_at(parent.data + eps) - child_at(parent.data - eps)) / (2 * eps)
            assert dot_labels[i] == pytest.approx(derivative, rel=1e-3, abs=1e-6)
            i += 1
    assert i == len(dot_labels)


def _apply(op: str, operands: list[Value]) -> float:
    """The forward value of one MLP operation on fresh leaves (w·a+b, or an activation)."""
    if op == "w·a+b":
        n = (len(operands) - 1) // 2
        return weighted_sum(operands[:n], operands[n : 2 * n], operands[-1]).data
    return float(getattr(operands[0], op)().data)


@pytest.mark.parametrize("rankdir", ["LR", "RL", "TB", "BT"])
def test_rankdir_sets_the_direction(rankdir: str) -> None:
    """rankdir is passed to Graphviz as the graph's rankdir."""
    assert f"rankdir={rankdir}" in draw_graph(Value(1.0), rankdir=rankdir).source
    assert f"rankdir={rankdir}" in draw_network(MLP(1, [1], seed=0), rankdir=rankdir).source


def test_edge_labels_can_be_turned_off() -> None:
    """edge_labels=False draws the same edges without labels."""
    _, _, c = a_neuron_graph()
    plain = edges(draw_graph(c, edge_labels=False).source)
    assert len(plain) == len(edges(draw_graph(c).source)) == 6
    assert all("label" not in attributes for _, _, attributes in plain)


def test_fill_colour_shows_the_sign_and_size_of_grad() -> None:
    """Negative grads fill red, positive blue, zero white; the largest |grad| gets the strongest colour."""
    x = Value(1.0, "x")
    y = Value(2.0, "y")
    out = x * -4.0 + y * 1.0 + Value(0.5, "unused") * 0.0  # grads: x -4, y 1, unused 0, the rest at most 2
    out.backward()
    boxes = {re.search(r"<B>(\w+)</B>", box)[1]: box for box in nodes(draw_graph(out).source).values() if "<B>" in box}  # type: ignore[index]
    red, blue, white = fill_of(boxes["x"]), fill_of(boxes["y"]), fill_of(boxes["unused"])
    assert int(red[1:3], 16) > int(red[5:7], 16)  # more red than blue
    assert int(blue[5:7], 16) > int(blue[1:3], 16)
    assert white == "#ffffff"
    assert fill_of(boxes["x"]) == signed_fill(-4.0, 4.0)  # x has the largest |grad|: the full colour
    assert "fillcolor" not in draw_graph(out, color_grads=False).source.split("edge [")[1]


@given(small=st.floats(0.0, 1.0), large=st.floats(0.0, 1.0), sign=st.sampled_from([-1.0, 1.0]))
def test_fill_intensity_grows_with_the_magnitude(small: float, large: float, sign: float) -> None:
    """A larger |grad| on the same scale is never paler: every channel moves further from white."""
    small, large = sorted((small, large))
    pale, strong = signed_fill(sign * small, 1.0), signed_fill(sign * large, 1.0)
    for channel in (slice(1, 3), slice(3, 5), slice(5, 7)):
        assert int(strong[channel], 16) <= int(pale[channel], 16)


def test_numbers_have_4_significant_digits() -> None:
    """number() rounds to 4 significant digits and prints -0.0 as 0."""
    assert [number(v) for v in (1 / 3, -1234567.0, 1.5e-5, -0.0, 2.0)] == ["0.3333", "-1.235e+06", "1.5e-05", "0", "2"]


def test_same_graph_same_dot_text() -> None:
    """Two separately built identical graphs (different ids) give identical DOT text: names come from positions."""
    first, second = mlp_cost([2, 3, 1])[1], mlp_cost([2, 3, 1])[1]
    assert draw_graph(first).source == draw_graph(second).source
    assert draw_graph(first).source == draw_graph(first).source
    assert "id(" not in draw_graph(first).source and "0x" not in draw_graph(first).source


def test_the_same_in_a_fresh_interpreter() -> None:
    """A fresh Python process draws the same DOT text (no hash or address in it)."""
    code = (
        "from microgradnet import MLP; from microgradnet.losses import half_sse; "
        "from microgradnet.render import draw_graph; m = MLP(2, [3, 1], seed=0); "
        "c = half_sse(m([0.5, 0.25]), [1.0]); c.backward(); print(draw_graph(c).source, end='')"
    )
    env = {**os.environ, "PYTHONHASHSEED": "random"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    mlp = MLP(2, [3, 1], seed=0)
    cost = half_sse(mlp([0.5, 0.25]), [1.0])
    cost.backward()
    assert run.stdout == draw_graph(cost).source


# --- draw_graph: clusters for modules -----------------------------------------------------------


def test_mlp_graph_is_clustered_by_layer_and_neuron() -> None:
    """w[l][j][k], b[l][j], z[l][j], a[l][j] sit in cluster "neuron [l][j]" in "layer l"; x[k] and C outside."""
    _, cost = mlp_cost([2, 3, 1])
    order = topological_order(cost)
    dot = draw_graph(cost).source
    paths = cluster_paths(dot)
    for i, node in enumerate(order):
        match = re.fullmatch(r"([wbza])\[(\d+)\]\[(\d+)\](?:\[\d+\])?", node.label)
        if match:
            assert paths[f"n{i}"] == (f"cluster_layer_{match[2]}", f"cluster_neuron_{match[2]}_{match[3]}"), node.label
        else:
            assert paths[f"n{i}"] == (), node
    labels = cluster_labels(dot)
    assert labels["cluster_layer_0"] == "layer 0" and labels["cluster_neuron_1_0"] == "neuron [1][0]"
    assert len([name for name in labels if name.startswith("cluster_neuron")]) == 4


def test_layer_and_neuron_graphs_are_clustered_too() -> None:
    """A Layer's graph has one cluster per neuron [j]; a lone Neuron's graph one cluster "neuron"."""
    layer = Layer(2, 2)
    outputs = layer([1.0, 2.0])
    paths = cluster_paths(draw_graph(outputs[0] + outputs[1]).source)
    # Neuron j holds w[j][0], w[j][1], b[j], z[j], a[j]; x[0], x[1] and the sum of the outputs stay outside.
    assert Counter(paths.values()) == {("cluster_neuron_0",): 5, ("cluster_neuron_1",): 5, (): 3}
    neuron = Neuron(3)
    dot = draw_graph(neuron([1.0, 2.0, 3.0])).source
    assert Counter(cluster_paths(dot).values()) == {("cluster_neuron",): 6, (): 3}
    assert cluster_labels(dot)["cluster_neuron"] == "neuron"


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_layout_edges_put_layers_side_by_side_and_weights_in_order(rankdir: str) -> None:
    """The only invisible edges are a_k -> w_jk (a weight one rank after its input) and w_0 .. w_n-1, b chains."""
    mlp, cost = mlp_cost([2, 3, 1])
    order = topological_order(cost)
    name = {node: f"n{i}" for i, node in enumerate(order)}
    expected = set()
    for layer in mlp.layers:
        for neuron in layer.neurons:
            z = next(v for v in order if v.label == f"z{neuron.index}")
            inputs = z.parents[len(neuron.w) : 2 * len(neuron.w)]
            expected |= {(name[a_k], name[w_k]) for a_k, w_k in zip(inputs, neuron.w)}
            column = [name[v] for v in (*neuron.w, neuron.b)]
            chain = column[::-1] if rankdir == "LR" else column
            expected |= set(itertools.pairwise(chain))
    invisible = [(tail, head) for tail, head, _ in edges(draw_graph(cost, rankdir=rankdir).source, visible=False)]
    assert len(invisible) == len(expected) and set(invisible) == expected


def test_user_values_named_like_parameters_stay_unclustered() -> None:
    """Values a user calls "a", "b" or "w[0]" are not grouped when no neuron (w·a+b node) made the graph."""
    a, b = Value(1.0, "a"), Value(2.0, "b")
    w = Value(3.0, "w[0]")
    dot = draw_graph(a * b + w).source
    assert "subgraph" not in dot


# --- the size limit -------------------------------------------------------------------------------


def test_a_graph_over_max_nodes_raises_and_points_to_draw_network() -> None:
    """max_nodes = n - 1 raises ValueError naming the n nodes and draw_network; max_nodes = n draws."""
    _, cost = mlp_cost([2, 16, 16, 1])
    n = len(topological_order(cost))
    with pytest.raises(ValueError, match=rf"has {n} nodes, more than max_nodes={n - 1}.*draw_network"):
        draw_graph(cost, max_nodes=n - 1)
    assert len(nodes(draw_graph(cost, max_nodes=n).source)) == n


def test_the_2_16_16_1_graph_renders_and_a_2_64_64_1_graph_hits_the_default_limit() -> None:
    """At the default limit of 2000 nodes a 2-16-16-1 cost graph draws and a 2-64-64-1 one gives the size error."""
    _, small = mlp_cost([2, 16, 16, 1])
    assert len(nodes(draw_graph(small).source)) == len(topological_order(small))
    _, large = mlp_cost([2, 64, 64, 1])
    with pytest.raises(ValueError, match="draw_network"):
        draw_graph(large)


# --- argument checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"rankdir": "XY"}, ValueError, r"unknown rankdir 'XY'; expected one of 'LR', 'RL', 'TB', 'BT'"),
        ({"show": "data"}, TypeError, r"show must be a collection of field names"),
        ({"show": ("data", "gradient")}, ValueError, r"unknown show field\(s\) \['gradient'\]"),
        ({"max_nodes": 0}, ValueError, r"max_nodes must be a positive int, got 0"),
        ({"max_nodes": True}, ValueError, r"max_nodes must be a positive int, got True"),
    ],
)
def test_draw_graph_rejects_bad_options(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    """Each bad option raises the documented error naming the option and what was expected."""
    with pytest.raises(error, match=message):
        draw_graph(Value(1.0), **kwargs)  # type: ignore[arg-type]


def test_draw_graph_needs_a_value() -> None:
    """A root that is not a Value (a number, an MLP's output list) raises TypeError naming its type."""
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        draw_graph(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="root must be a Value, got list"):
        draw_graph(MLP(2, [1], seed=0)([1.0, 2.0]))  # type: ignore[arg-type]


# --- the graphviz package and the dot program ---------------------------------------------------------


def test_missing_graphviz_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the graphviz package, drawing raises ModuleNotFoundError saying pip install 'microgradnet[viz]'."""
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ModuleNotFoundError, match=re.escape("pip install 'microgradnet[viz]'")):
        draw_graph(Value(1.0))
    with pytest.raises(ModuleNotFoundError, match=re.escape("pip install 'microgradnet[viz]'")):
        draw_network(MLP(1, [1], seed=0))


def test_importing_render_does_not_import_graphviz() -> None:
    """`import microgradnet.render` loads no graphviz: only drawing does."""
    code = "import sys, microgradnet, microgradnet.render; print('graphviz' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def _install_hint(message: str) -> bool:
    return all(
        hint in message for hint in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz")
    )


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_missing_dot_program_says_how_to_install_graphviz(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    """With no `dot` on PATH, saving an image raises GraphvizNotFoundError with install commands, writing nothing."""
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot program anywhere
    with pytest.raises(GraphvizNotFoundError) as error:
        save(draw_graph(Value(1.0)), tmp_path / f"graph{suffix}")
    assert _install_hint(str(error.value)) and f".{suffix[1:]}" in str(error.value)
    assert isinstance(error.value, RuntimeError)
    assert not (tmp_path / f"graph{suffix}").exists()


def test_dot_found_but_failing_to_start_gives_the_same_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If graphviz itself cannot run `dot` (its ExecutableNotFound), save raises GraphvizNotFoundError too."""
    monkeypatch.setattr("microgradnet.render.backend.shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GraphvizNotFoundError) as error:
        save(draw_graph(Value(1.0)), tmp_path / "graph.svg")
    assert _install_hint(str(error.value))
    assert isinstance(error.value.__cause__, graphviz.ExecutableNotFound)


def test_dot_source_needs_no_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saving .dot writes the DOT source even with no Graphviz program installed."""
    _, _, c = a_neuron_graph()
    graph = draw_graph(c)
    monkeypatch.setenv("PATH", str(tmp_path))
    written = save(graph, str(tmp_path / "neuron.DOT"))
    assert written == tmp_path / "neuron.DOT"
    assert written.read_text(encoding="utf-8") == graph.source


def test_save_rejects_unknown_extensions_and_non_graphs(tmp_path: Path) -> None:
    """An unknown extension raises ValueError listing .dot .svg .png .pdf; a non-graph raises TypeError."""
    graph = draw_graph(Value(1.0))
    with pytest.raises(ValueError, match=r"unknown extension '\.jpg'.*expected one of \.dot, \.svg, \.png, \.pdf"):
        save(graph, tmp_path / "graph.jpg")
    with pytest.raises(ValueError, match=r"unknown extension ''"):
        save(graph, tmp_path / "graph")
    with pytest.raises(TypeError, match=r"graph must be a graphviz\.Digraph"):
        save("digraph {}", tmp_path / "graph.dot")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="path must be a str or path"):
        save(graph, 3)  # type: ignore[arg-type]
    assert FORMATS == ("dot", "svg", "png", "pdf")


@requires_dot
def test_save_writes_real_images(tmp_path: Path) -> None:
    """With `dot` installed, save writes a real SVG (with the labels as text), PNG and PDF."""
    _, cost = mlp_cost([2, 3, 1])
    graph = draw_graph(cost)
    svg = save(graph, tmp_path / "mlp.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "w[0][1][0]" in svg and "neuron [1][0]" in svg
    assert save(graph, tmp_path / "mlp.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert (
        save(draw_network(MLP(2, [3, 1], seed=0), [1.0, 0.0], [1.0]), tmp_path / "net.pdf").read_bytes()[:5] == b"%PDF-"
    )


@requires_dot
def test_save_refuses_a_png_larger_than_a_png_can_be(tmp_path: Path) -> None:
    """A picture wider or taller than 32767 pixels is refused as .png (dot would shrink it unreadably), naming its
    size and suggesting .svg; as .svg it is written."""
    graph = draw_graph(Value(1.0))
    graph.attr(dpi="60000")  # a one-box graph, about an inch wide: 60000 pixels
    with pytest.raises(
        ValueError, match=r"'.*big\.png' would be \d+ x \d+ pixels, more than the 32767 .* \.svg or \.pdf"
    ):
        save(graph, tmp_path / "big.png")
    assert not (tmp_path / "big.png").exists()
    graph.attr(dpi="96")
    assert save(graph, tmp_path / "small.png").read_bytes().startswith(b"\x89PNG")


def test_save_or_dot_without_dot_writes_a_stand_in_and_one_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without dot, save_or_dot writes the DOT source as picture.dot (marked as a stand-in) and a note with the
    install commands and the dot command that draws the picture, with absolute, shell-quoted paths."""
    monkeypatch.setenv("PATH", str(tmp_path))
    graph = draw_graph(Value(1.0))
    folder = tmp_path / "my pictures"
    folder.mkdir()
    saved = save_or_dot(graph, folder / "value.png")
    assert saved.path == folder / "value.dot"
    assert saved.path.read_text(encoding="utf-8") == f"{STAND_IN_MARK}\n{graph.source}"
    assert saved.note.startswith(
        f"Graphviz's `dot` program is not installed, so value.png was written as its DOT "
        f"source {folder.absolute() / 'value.dot'}; to draw the picture, install Graphviz"
    )
    assert _install_hint(saved.note)
    assert saved.note.endswith(
        f"run: dot -Tpng '{folder.absolute() / 'value.dot'}' -o '{folder.absolute() / 'value.png'}'"
    )


@requires_dot
def test_the_stand_in_is_valid_dot_and_goes_once_the_picture_is_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stand-in's comment line is valid DOT (dot draws it as the note says); once dot is there, save_or_dot
    draws the picture and removes its own stand-in, but never a .dot file it did not write."""
    graph = draw_graph(Value(1.0))
    with monkeypatch.context() as without_dot:
        without_dot.setenv("PATH", str(tmp_path))
        stand_in = save_or_dot(graph, tmp_path / "a.svg").path
    drawn = subprocess.run(["dot", "-Tsvg", str(stand_in)], capture_output=True, text=True, check=True)
    assert "<svg" in drawn.stdout
    saved = save_or_dot(graph, tmp_path / "a.svg")
    assert saved == Saved(tmp_path / "a.svg") and not stand_in.exists()
    own = save(graph, tmp_path / "b.dot")  # a DOT file the user asked for
    save_or_dot(graph, tmp_path / "b.svg")
    assert own.read_text(encoding="utf-8") == graph.source
    assert save_or_dot(graph, tmp_path / "b.dot") == Saved(own) and own.exists()


@requires_dot
def test_the_digraph_displays_inline_in_jupyter() -> None:
    """The returned Digraph renders itself as SVG for Jupyter (its _repr_mimebundle_)."""
    bundle = draw_graph(a_neuron_graph()[2])._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


# --- draw_network ---------------------------------------------------------------------------------


def _by_autograd(mlp: MLP, x: list[float], y: list[float]) -> tuple[list[list[float]], list[list[float]]]:
    """a[l][j] and delta[l][j] = dC/dz[l][j] of the half_sse cost, by the engine's backward (the grad of each z)."""
    a = [Value(x_k) for x_k in x]
    outputs = []
    for layer in mlp.layers:
        a = layer.forward(a)
        outputs.append(a)
    mlp.zero_grad()
    half_sse(a, y).backward()
    return [[a_j.data for a_j in a_l] for a_l in outputs], [[a_j.parents[0].grad for a_j in a_l] for a_l in outputs]


def test_network_has_one_node_per_input_and_neuron_and_one_edge_per_weight() -> None:
    """A 2-16-16-1 MLP draws 35 nodes and 304 weight edges, coloured by sign, widest at the largest |w|."""
    mlp = MLP(2, [16, 16, 1], seed=0)
    dot = draw_network(mlp).source
    boxes = nodes(dot)
    assert len([name for name in boxes if not name.endswith("_title")]) == 2 + 16 + 16 + 1
    assert "layer 1<BR/>sigmoid" in boxes["layer1_title"] and "input" in boxes["input_title"]
    weight_edges = edges(dot)
    assert len(weight_edges) == 2 * 16 + 16 * 16 + 16
    weights = {
        (f"x{k}" if l == 0 else f"n{l - 1}_{k}", f"n{l}_{j}"): w.data
        for l, layer in enumerate(mlp.layers)
        for j, neuron in enumerate(layer.neurons)
        for k, w in enumerate(neuron.w)
    }
    largest = max(abs(w) for w in weights.values())
    for tail, head, attributes in weight_edges:
        w = weights[tail, head]
        assert ('color="#2166ac"' if w > 0 else 'color="#b2182b"') in attributes
        width = float(re.search(r"penwidth=([\d.]+)", attributes)[1])  # type: ignore[index]
        assert width == pytest.approx(0.5 + 3.5 * abs(w) / largest, abs=0.006)
        assert "label=" not in attributes.replace("fontcolor", "")  # 304 labels would cover each other
        assert "tooltip=" in attributes
    paths = cluster_paths(dot)
    assert paths["x0"] == ("cluster_input",) and paths["n1_15"] == ("cluster_layer1",)


def test_network_with_a_sample_shows_a_delta_and_dC_dw() -> None:
    """With x and y, neurons show a and delta = dC/dz and weights w and dC/dw, as the engine's backward gives them."""
    mlp = MLP(2, [3, 1], seed=0)
    x, y = [0.5, -1.0], [1.0]
    a, delta = _by_autograd(mlp, x, y)
    dot = draw_network(mlp, x, y).source
    boxes = nodes(dot)
    assert len([name for name in boxes if not name.endswith("_title")]) == 2 + 3 + 1 + 1  # inputs, neurons, the cost
    for l, layer in enumerate(mlp.layers):
        for j in range(layer.nout):
            assert f"a {number(a[l][j])}<" in boxes[f"n{l}_{j}"]
            assert f"δ {number(delta[l][j])}<" in boxes[f"n{l}_{j}"]
    for tail, head, attributes in edges(dot):
        if head == "cost":
            continue
        l, j = map(int, head[1:].split("_"))
        k = int(tail[1:]) if tail.startswith("x") else int(tail.split("_")[1])
        w = mlp.layers[l].neurons[j].w[k]
        assert f'label="w {number(w.data)}\\n∂C/∂w {number(w.grad)}"' in attributes
    cost = 0.5 * (a[-1][0] - y[0]) ** 2
    assert number(cost) in boxes["cost"] and "y = 1" in boxes["cost"]


def test_network_drawing_leaves_parameter_grads_untouched() -> None:
    """draw_network with x and y restores every parameter's grad (and leaves Values passed as x alone)."""
    mlp = MLP(2, [3, 1], seed=0)
    for i, p in enumerate(mlp.parameters()):
        p.grad = 0.25 * i
    before = [p.grad for p in mlp.parameters()]
    x = [Value(0.5), Value(-1.0)]
    draw_network(mlp, x, [1.0])
    assert [p.grad for p in mlp.parameters()] == before
    assert [x_k.grad for x_k in x] == [0.0, 0.0]


def test_network_with_x_only_shows_activations() -> None:
    """With x but no y, neurons show a but no delta, and there is no cost node."""
    mlp = MLP(2, [3, 1], seed=0)
    a, _ = _by_autograd(mlp, [1.0, 2.0], [0.0])
    boxes = nodes(draw_network(mlp, [1.0, 2.0]).source)
    assert f"a {number(a[1][0])}<" in boxes["n1_0"] and "δ" not in boxes["n1_0"]
    assert "cost" not in boxes


def test_network_columns_are_stacked_in_index_order() -> None:
    """Invisible same-rank edges chain each column, title first, so Graphviz keeps [l][0] on top."""
    dot = draw_network(MLP(2, [3, 1], seed=0)).source
    assert [(t, h) for t, h, _ in edges(dot, visible=False)] == [
        ("x1", "x0"),
        ("x0", "input_title"),
        ("n0_2", "n0_1"),
        ("n0_1", "n0_0"),
        ("n0_0", "layer0_title"),
        ("n1_0", "layer1_title"),
    ]
    top_down = [(t, h) for t, h, _ in edges(draw_network(MLP(2, [3, 1], seed=0), rankdir="TB").source, visible=False)]
    assert top_down[:2] == [("input_title", "x0"), ("x0", "x1")]


@pytest.mark.parametrize("edge_labels", [True, False])
def test_network_edge_labels_can_be_forced(edge_labels: bool) -> None:
    """edge_labels=True labels every weight even in a big net; False labels none even in a small one."""
    dot = draw_network(
        MLP(2, [16, 1], seed=0) if edge_labels else MLP(2, [2, 1], seed=0), edge_labels=edge_labels
    ).source
    labelled = ['label="w ' in attributes for _, _, attributes in edges(dot)]
    assert labelled and all(flag == edge_labels for flag in labelled)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (("not an mlp",), {}, TypeError, "mlp must be an MLP, got str"),
        ((MLP(2, [1], seed=0), None, [1.0]), {}, ValueError, "y was given without x"),
        ((MLP(2, [1], seed=0), [1.0, 2.0], [1.0], "hinge"), {}, ValueError, "unknown cost 'hinge'"),
        ((MLP(2, [1], seed=0), [1.0]), {}, ValueError, "expected 2 inputs, got 1"),
        ((MLP(2, [1], seed=0), [1.0, 2.0], [1.0, 0.0]), {}, ValueError, "y: expected 1 targets"),
        ((MLP(2, [1], seed=0), [1.0, math.inf]), {}, ValueError, "input x[1] = inf is not finite"),
        ((MLP(2, [1], seed=0),), {"rankdir": "up"}, ValueError, "draw_network: unknown rankdir 'up'"),
        ((MLP(2, [1], seed=0),), {"edge_labels": "yes"}, TypeError, "edge_labels must be True, False or None"),
    ],
)
def test_draw_network_rejects_bad_arguments(
    args: tuple[object, ...], kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    """Each bad argument raises an error naming it."""
    with pytest.raises(error, match=re.escape(message)):
        draw_network(*args, **kwargs)  # type: ignore[arg-type]


def test_the_network_picture_has_a_legend_for_colours_and_widths() -> None:
    """Under the picture, a legend says blue is w > 0, red w < 0 (in the edges' own colours), width grows with |w|
    up to the largest; with a target also what a neuron's fill means. It is the graph's label, on no cluster."""
    mlp = MLP(2, [3, 1], seed=0)
    largest_w = max(abs(w_k.data) for layer in mlp.layers for neuron in layer.neurons for w_k in neuron.w)
    plain = draw_network(mlp).source
    legend = re.search(r"^\s*fontcolor=.* label=<(.+)> labeljust=l labelloc=b$", plain, re.M)
    assert legend is not None
    assert '<FONT COLOR="#2166ac">blue</FONT> if w &gt; 0, <FONT COLOR="#b2182b">red</FONT> if w &lt; 0' in legend[1]
    assert f"its width grows with |w| (widest: |w| = {number(largest_w)})" in legend[1]
    assert "δ" not in legend[1] and plain.count("labelloc=b") == 1
    sample = draw_network(mlp, [1.0, 0.0], [1.0]).source
    largest_delta = max(abs(d) for d_l in backprop(mlp, [1.0, 0.0], [1.0], "half_sse").delta for d in d_l)
    assert 'neuron fill: δ = ∂C/∂z, <FONT COLOR="#2166ac">blue</FONT> if δ &gt; 0' in sample
    assert f"(strongest: |δ| = {number(largest_delta)})" in sample
    assert "neuron fill" not in draw_network(mlp, [1.0, 0.0]).source  # a shows no fill without a target


def test_draw_network_works_under_no_grad() -> None:
    """No backward is involved, so inside no_grad() the picture is the same."""
    mlp = MLP(2, [3, 1], seed=0)
    with no_grad():
        inside = draw_network(mlp, [1.0, 2.0], [1.0]).source
    assert inside == draw_network(mlp, [1.0, 2.0], [1.0]).source


# --- the gallery in viz/ ----------------------------------------------------------------------------

VIZ = Path(__file__).resolve().parent.parent / "viz"


def _texts(svg: str) -> Counter[str]:
    """The multiset of text strings an SVG shows (its labels and numbers), whatever the layout."""
    return Counter(re.findall(r"<text[^>]*>([^<]*)</text>", svg))


@requires_dot
def test_the_committed_gallery_is_what_make_gallery_draws(tmp_path: Path) -> None:
    """viz/make_gallery.py runs and draws exactly the labels and numbers of the SVGs committed in viz/."""
    env = {**os.environ, "PYTHONPATH": str(VIZ.parent)}
    run = subprocess.run(
        [sys.executable, str(VIZ / "make_gallery.py"), "--out", str(tmp_path)], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    drawn = sorted(path.name for path in tmp_path.glob("*.svg"))
    assert drawn == ["mlp_2_3_1.svg", "network_2_16_16_1.svg", "network_xor.svg", "neuron.svg"]
    for name in drawn:
        committed = (VIZ / name).read_text(encoding="utf-8")
        assert _texts((tmp_path / name).read_text(encoding="utf-8")) == _texts(committed), name
    xor = (tmp_path / "network_xor.svg").read_text(encoding="utf-8")
    assert "∂C/∂w" in xor and "δ" in xor


def _rendering_page() -> str:
    return text(DOCS / "rendering.md")


@requires_dot
def test_the_docs_one_liner_writes_a_neuron_svg(tmp_path: Path) -> None:
    """The rendering page's one line writes neuron.svg with a neuron's data, grads and local derivatives."""
    match = re.search(r"<!-- render-one-liner -->\s*```bash\npython -c (.+)\n```", _rendering_page())
    assert match is not None, "no one-liner after <!-- render-one-liner -->"
    code = match[1].strip('"')
    env = {**os.environ, "PYTHONPATH": str(VIZ.parent)}
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, env=env, capture_output=True)
    svg = (tmp_path / "neuron.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and all(word in svg for word in ("w[0]", "w[1]", "data", "grad", "sigmoid"))


@requires_dot
def test_the_docs_rendering_examples_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Python block of the rendering page runs and writes the files it names."""
    monkeypatch.chdir(tmp_path)
    blocks = code_blocks(_rendering_page(), "python")
    assert blocks
    for block in blocks:
        exec(compile(block, "docs/rendering.md", "exec"), {})
    network = (tmp_path / "network.svg").read_text(encoding="utf-8")
    assert len(re.findall(r"<title>(?:x\d+|n\d+_\d+)</title>", network)) == 35  # inputs and neurons
    sample = (tmp_path / "sample.svg").read_text(encoding="utf-8")
    assert "δ " in sample and 'xlink:title="w[1][15][15]: w ' in sample and "∂C/∂w" in sample


@requires_dot
def test_the_readme_picture_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's pictures example writes the cost's graph and the network view it describes."""
    monkeypatch.chdir(tmp_path)
    [block] = code_blocks(section(text(README), "Pictures of backpropagation"), "python")
    exec(compile(block, "README.md", "exec"), {})
    graph = (tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert all(label in graph for label in ("w[1][0][2]", "z[0][1]", "a[1][0]", "data", "grad"))
    network = (tmp_path / "network.svg").read_text(encoding="utf-8")
    assert "δ" in network and "∂C/∂w" in network


@requires_dot
def test_labels_are_escaped_and_non_finite_grads_are_grey(tmp_path: Path) -> None:
    """A label with <, > and & is escaped (dot accepts the file); a nan grad is drawn grey, printed as nan."""
    x = Value(1.0, "x<y> & z")
    x.grad = math.nan
    graph = draw_graph(x * 2.0)
    [box] = [attributes for attributes in nodes(graph.source).values() if "x&lt;y&gt; &amp; z" in attributes]
    assert "grad nan" in box and 'fillcolor="#bbbbbb"' in box
    assert "x&lt;y&gt; &amp; z" in save(graph, tmp_path / "escaped.svg").read_text(encoding="utf-8")


def test_a_batch_graph_puts_every_samples_nodes_in_the_shared_neuron() -> None:
    """With a mean cost over 4 samples, each neuron's cluster holds its weights once and 4 z and 4 a nodes."""
    mlp = MLP(2, [2, 1], seed=0)
    xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    cost = mean_cost([half_sse(mlp(x), [1.0]) for x in xs])
    dot = draw_graph(cost).source
    assert len(nodes(dot)) == len(topological_order(cost))
    assert Counter(cluster_paths(dot).values())[("cluster_layer_0", "cluster_neuron_0_1")] == 2 + 1 + 4 + 4
    invisible = Counter((tail, head) for tail, head, _ in edges(dot, visible=False))
    assert max(invisible.values()) == 1  # one column chain per neuron, not one per sample


def test_relabelling_nodes_leaves_the_clusters_as_they_were() -> None:
    """Clusters come from what the modules record, not from labels: relabelled nodes stay in their neuron."""
    _, cost = mlp_cost([2, 3, 1])
    before = cluster_paths(draw_graph(cost).source)
    for i, node in enumerate(topological_order(cost)):
        node.label = f"my node {i}"  # no w[l][j][k] or z[l][j] left anywhere
    assert cluster_paths(draw_graph(cost).source) == before
    assert Counter(before.values())[("cluster_layer_0", "cluster_neuron_0_1")] > 0  # the control: there are clusters


def test_a_user_graph_labelled_like_a_network_is_not_clustered() -> None:
    """Values a user labels w[0][0][0], b[0][0], z[0][0], a[0][0] around their own w·a+b are drawn unclustered."""
    w, x, b = Value(0.5, "w[0][0][0]"), Value(1.0, "x[0]"), Value(0.1, "b[0][0]")
    z = weighted_sum([w], [x], b)
    z.label = "z[0][0]"
    a = z.sigmoid()
    a.label = "a[0][0]"
    assert set(cluster_paths(draw_graph(a).source).values()) == {()}


def test_make_digits_draws_the_test_digits_and_their_confusion_matrix(
    tmp_path: Path, trained_digits: TrainedDigits
) -> None:
    """viz/make_digits.py draws the trained digits model's predicted test digits and confusion matrix as PNGs."""
    pytest.importorskip("matplotlib", reason="the pictures need matplotlib: pip install 'microgradnet[examples]'")
    command = [sys.executable, str(VIZ / "make_digits.py"), "--out", str(tmp_path), "--model", trained_digits.model]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    for name in ("digits_predicted.png", "digits_confusion.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")


def test_softmax_outputs_are_drawn_in_their_neurons_with_their_index() -> None:
    """In the graph of a softmax network each a[1][j] sits in the cluster of neuron [1][j] (made from z[1][j],
    among its parents z[1][k]) and shows its index j; the network view titles the layer softmax."""
    mlp = MLP(2, [3, 3], output_activation="softmax", seed=0)
    a = mlp([0.5, -1.0])
    cost = half_sse(a, [0.0, 1.0, 0.0])
    cost.backward()
    paths = neuron_paths(topological_order(cost))
    assert [paths[a_j] for a_j in a] == [(1, 0), (1, 1), (1, 2)]
    source = draw_graph(cost).source
    assert all(f"<I>softmax</I> j={j}" in source for j in range(3))
    network = draw_network(mlp, [0.5, -1.0], [0.0, 1.0, 0.0], "cross_entropy").source
    assert "layer 1<BR/>softmax" in network
