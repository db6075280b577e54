"""microgradnet.explore without a browser: the data a page embeds is Python's numbers, exactly;
the backward steps are the engine's; errors name what was wrong. (tests/test_explore_browser.py
checks what the pages show in Chromium.)"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import base64
import html
import math
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest
from explore_pages import large_network_page, mlp_cost, page_data, trained
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import Expression, expressions, problems, reals
from system_programs import requires_dot

from microgradnet import MLP, Value, explore, no_grad
from microgradnet.delta import backprop
from microgradnet.engine import WEIGHTED_SUM, topological_order
from microgradnet.explore.encode import float64s, levels, number, script_json
from microgradnet.explore.network_view import plane
from microgradnet.explore.steps import backward_steps
from microgradnet.losses import get_cost
from microgradnet.optim import SGD
from microgradnet.render import GraphvizNotFoundError
from microgradnet.render.clusters import cluster_paths
from microgradnet.render.style import number as four_digits
from microgradnet.train import fit

DOMAIN_ERRORS = (ValueError, ZeroDivisionError, OverflowError)


def decode(text: str) -> list[float]:
    raw = base64.b64decode(text)
    return list(struct.unpack(f"<{len(raw) // 8}d", raw))


def same(a: float, b: float) -> bool:
    """Bit for bit (nan equals nan)."""
    return struct.pack("<d", a) == struct.pack("<d", b)


def graph_view(root: Value, **options: Any) -> dict[str, Any]:
    view: dict[str, Any] = page_data(explore.graph(root, **options))["views"][0]
    return view


# --- the backward steps are the engine's ---------------------------------------------------------


@given(expressions(), st.data())
def test_replayed_backward_gives_the_engines_gradients_bit_for_bit(f: Expression, data: st.DataObject) -> None:
    """On random expressions over every op (shared operands included), the steps' running sums end
    at exactly the grads backward() computes, and the graph's own grads are left alone."""
    xs = [Value(x) for x in data.draw(st.lists(reals, min_size=f.n_inputs, max_size=f.n_inputs))]
    try:
        root = f(*xs)
        order = topological_order(root)
        grads, steps = backward_steps(order, {})
        assert all(node.grad == 0.0 for node in order)
        root.backward()
    except DOMAIN_ERRORS:
        assume(False)
    assert all(same(g, node.grad) for g, node in zip(grads, order))
    engine_order = [(i, p) for i in reversed(range(len(order))) for p in range(len(order[i].parents))]
    assert [(s.node, s.operand) for s in steps] == engine_order
    index = {node: i for i, node in enumerate(order)}
    assert all(order[s.node].parents[s.operand] is order[s.parent] for s in steps)
    assert all(index[order[s.parent]] == s.parent for s in steps)


def test_each_step_is_grad_parent_plus_local_times_grad_node() -> None:
    """Every step records before + local x grad(node) = after, consumers counted 1 .. n per parent."""
    *_, cost = mlp_cost()
    order = topological_order(cost)
    grads, steps = backward_steps(order, cluster_paths(order))
    seen: dict[int, int] = {}
    for s in steps:
        assert s.contribution == s.local * s.grad and s.after == s.before + s.contribution
        seen[s.parent] = seen.get(s.parent, 0) + 1
        assert s.consumer == seen[s.parent] and s.consumers == sum(
            p is order[s.parent] for n in order for p in n.parents
        )
        assert s.grad == grads[s.node]  # a node's grad is complete before it is passed on
    last = {s.parent: s for s in steps}  # each parent's last contribution completes its sum
    assert all(s.consumer == s.consumers and s.after == grads[p] for p, s in last.items())


def test_a_shared_operand_sums_over_its_consumers() -> None:
    """x*x + x: x has three consumers (the product twice, the sum once), and its running sum ends at 2x + 1."""
    x = Value(3.0, "x")
    root = x * x + x
    order = topological_order(root)
    grads, steps = backward_steps(order, {})
    into_x = [s for s in steps if order[s.parent] is x]
    assert [(s.consumer, s.consumers) for s in into_x] == [(1, 3), (2, 3), (3, 3)]
    assert into_x[-1].after == grads[order.index(x)] == 7.0


def _rules(cost: Value) -> dict[tuple[str, str], str]:
    order = topological_order(cost)
    _, steps = backward_steps(order, cluster_paths(order))
    return {
        (order[s.node].label or order[s.node].op, order[s.parent].label or order[s.parent].op): s.rule for s in steps
    }


def test_the_neuron_edges_name_their_equations() -> None:
    """In a 2-3-1 MLP: a -> z is BP1 in the output layer and BP2 in the hidden one, z -> b is BP3,
    z -> w is BP4, z -> a of the layer before is a term of BP2's sum; the cost's edges name none."""
    *_, cost = mlp_cost()
    rules = _rules(cost)
    assert rules["a[1][0]", "z[1][0]"] == "BP1"
    assert all(rules[f"a[0][{j}]", f"z[0][{j}]"] == "BP2" for j in range(3))
    assert all(rules[f"z[{l}][0]", f"b[{l}][0]"] == "BP3" for l in range(2))
    assert rules["z[1][0]", "w[1][0][2]"] == rules["z[0][2]", "w[0][2][1]"] == "BP4"
    assert rules["z[1][0]", "a[0][1]"] == "BP2 term"
    assert rules["z[0][0]", "x[0]"] == "BP2 term"
    assert {rule for (node, _), rule in rules.items() if node[:1] not in "zab"} == {""}


def test_a_negative_control_user_values_named_like_a_neuron_get_no_equation() -> None:
    """Values a user calls z, a and b that no neuron made are not a neuron: no BP rule on their edges."""
    z = Value(0.5, "z") * Value(2.0, "b")
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    assert set(_rules(a).values()) == {""}


@given(problems(max_layers=3, max_width=3, max_inputs=3))
def test_the_equations_deltas_are_the_delta_oracles(problem: Any) -> None:
    """The delta BP1/BP2 steps arrive at is the oracle's delta[l][j] (to rounding: the two add in other orders)."""
    mlp, x, y, cost_name = problem.mlp, problem.x, problem.y, problem.cost
    cost = get_cost(cost_name)(mlp(x), y)
    order = topological_order(cost)
    _, steps = backward_steps(order, cluster_paths(order))
    oracle = backprop(mlp, x, y, cost_name)
    found = {order[s.parent].label: s.contribution for s in steps if s.rule in ("BP1", "BP2")}
    expected = {f"z[{l}][{j}]": d for l, d_l in enumerate(oracle.delta) for j, d in enumerate(d_l)}
    assert found.keys() == expected.keys()
    assert all(math.isclose(found[k], expected[k], rel_tol=1e-9, abs_tol=1e-12) for k in expected)


def test_bp1_writes_out_its_numbers() -> None:
    """BP1's text is delta = dC/da x sigma'(z) with the step's three numbers, 4 digits each."""
    *_, cost = mlp_cost()
    order = topological_order(cost)
    _, steps = backward_steps(order, cluster_paths(order))
    (bp1,) = [s for s in steps if s.rule == "BP1"]
    assert bp1.equation == (
        f"BP1  δ^L = ∂C/∂a σ'(z^L):  δ(z[1][0]) = "
        f"{four_digits(bp1.grad)} × {four_digits(bp1.local)} = {four_digits(bp1.contribution)}"
    )


# --- the graph page's data -------------------------------------------------------------------------


@requires_dot
def test_the_graph_page_embeds_every_nodes_data_and_grad_exactly() -> None:
    """Node i of the page is node i of topological_order, with its data, final grad and operands exactly."""
    *_, cost = mlp_cost()
    order = topological_order(cost)
    view = graph_view(cost)
    index = {node: i for i, node in enumerate(order)}
    assert len(view["nodes"]) == len(order)
    for node, shown in zip(order, view["nodes"]):
        assert same(shown["data"], node.data) and same(shown["grad"], node.grad)
        assert shown["label"] == node.label and shown["op"] == node.op
        assert shown["parents"] == [index[p] for p in node.parents]
        assert shown["local_grads"] == list(node.local_grads)
    assert len(view["backward"]) == len(view["edges"]) == sum(len(n.parents) for n in order)


@requires_dot
def test_the_graph_page_puts_each_box_where_graphviz_does() -> None:
    """Each box's centre and size are those of draw_graph's layout (dot -Tjson), y turned downwards."""
    from microgradnet.render import draw_graph, layout

    *_, cost = mlp_cost()
    placed = layout(draw_graph(cost))
    height = float(placed["bb"].split(",")[3])
    boxes = {o["name"]: o for o in placed["objects"] if "pos" in o}
    for shown in graph_view(cost)["nodes"]:
        x, y = map(float, boxes[shown["name"]]["pos"].split(","))
        assert (shown["x"], shown["y"]) == (x, height - y)
        assert shown["width"] == float(boxes[shown["name"]]["width"]) * 72
    clusters = {c["title"] for c in graph_view(cost)["clusters"]}
    assert {"layer 0", "layer 1", "neuron [0][2]", "neuron [1][0]"} <= clusters


@requires_dot
def test_exploring_leaves_the_graph_alone() -> None:
    """explore.graph changes no data and no grad (a graph before backward keeps its zero grads)."""
    mlp, x, y, _ = mlp_cost()
    mlp.zero_grad()
    cost = half = get_cost("half_sse")(mlp(x), y)
    before = [(n.data, n.grad) for n in topological_order(cost)]
    view = graph_view(half)
    assert [(n.data, n.grad) for n in topological_order(cost)] == before
    cost.backward()
    assert [n["grad"] for n in view["nodes"]] == [n.grad for n in topological_order(cost)]


@requires_dot
def test_a_graph_too_large_to_read_is_refused_pointing_to_the_network_page() -> None:
    """The 2-16-16-1 graph (411 nodes) is over the limit: ValueError naming the size and explore.network."""
    *_, cost = mlp_cost((2, 16, 16, 1))
    with pytest.raises(ValueError, match=r"has 411 nodes, more than max_nodes=150.*explore\.network\(mlp, snapshots"):
        explore.graph(cost)
    assert len(graph_view(mlp_cost((2, 3, 1))[3], max_nodes=29)["nodes"]) == 29
    with pytest.raises(ValueError, match="more than max_nodes=28"):
        explore.graph(mlp_cost((2, 3, 1))[3], max_nodes=28)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: explore.graph(1.0), TypeError, "explore.graph: root must be a Value, got float"),  # type: ignore[arg-type]
        (lambda: explore.graph(Value(1.0), max_nodes=0), ValueError, "max_nodes must be a positive int, got 0"),
        (lambda: explore.graph(Value(1.0), rankdir="up"), ValueError, "explore.graph: unknown rankdir 'up'"),
    ],
)
def test_explore_graph_rejects_bad_arguments(call: Any, error: type[Exception], message: str) -> None:
    """Bad arguments raise the documented error, naming the argument."""
    with pytest.raises(error, match=message):
        call()


def test_without_dot_the_graph_page_says_how_to_install_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Graphviz's dot program, explore.graph raises GraphvizNotFoundError with install instructions."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(
        GraphvizNotFoundError, match=r"layout: placing the nodes needs Graphviz's `dot`.*apt-get install graphviz"
    ):
        explore.graph(mlp_cost()[3])


@requires_dot
def test_labels_cannot_break_out_of_the_page() -> None:
    """A label holding </script> or <!-- is embedded as data, escaped, and reads back unchanged."""
    a = Value(1.0, "</script><script>alert(1)</script>")
    b = a * Value(2.0, "<!-- x")
    page = explore.graph(b).html()
    assert page.count("</script>") == 2  # the data's end and the code's end
    assert [n["label"] for n in page_data(explore.graph(b))["views"][0]["nodes"]] == [a.label, "<!-- x", ""]


@requires_dot
def test_non_finite_numbers_travel_as_text() -> None:
    """nan and inf become "nan", "inf", "-inf" in the JSON (which has no such numbers); finite ones stay."""
    assert [number(v) for v in (math.nan, math.inf, -math.inf, -0.0, 1.5)] == ["nan", "inf", "-inf", -0.0, 1.5]
    with pytest.raises(ValueError):
        script_json([math.nan])
    x = Value(math.inf, "x")
    view = graph_view(x - x)
    assert view["nodes"][-1]["data"] == "nan" and view["nodes"][0]["data"] == "inf"


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=20))
def test_float64s_round_trip_bit_for_bit(values: list[float]) -> None:
    """Base64 doubles decode to the same bits, nan and -0.0 included."""
    assert all(same(a, b) for a, b in zip(decode(float64s(values)), values, strict=True))


def test_levels_put_the_middle_of_the_range_at_128() -> None:
    """A byte per value: floor(256 t), level >= 128 exactly when t >= 1/2, clipped at both ends."""
    raw = base64.b64decode(levels([0.0, 0.5 - 1e-16, 0.5, 0.999, 1.0, 2.0, -1.0, math.nan], 0.0, 1.0))
    assert list(raw) == [0, 127, 128, 255, 255, 255, 0, 0]
    with pytest.raises(ValueError, match="high > low"):
        levels([1.0], 1.0, 1.0)


# --- the page file ---------------------------------------------------------------------------------


@requires_dot
def test_the_page_is_one_self_contained_file(tmp_path: Path) -> None:
    """The page loads nothing: no <script src>, no <link>, no url(), no address but the SVG namespace."""
    page = (
        explore.graph(mlp_cost()[3]) + explore.network(*trained((2, 3, 1), 3)[:2], trained((2, 3, 1), 3)[2:])
    ).html()
    assert "<script src" not in page and "<link" not in page and "url(http" not in page and "@import" not in page
    addresses = {m for m in __import__("re").findall(r"https?://[^\s\"'`)]+", page)}
    assert addresses == {"http://www.w3.org/2000/svg"}
    path = explore.graph(mlp_cost()[3], tmp_path / "g.html").save(tmp_path / "again.html")
    assert (tmp_path / "g.html").read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


@requires_dot
def test_two_explorers_add_up_to_one_page_with_both_views() -> None:
    """graph + network is one page holding both views, in that order."""
    mlp, snapshots, inputs, targets = trained((2, 3, 1), 3)
    both = explore.graph(mlp_cost()[3]) + explore.network(mlp, snapshots, (inputs, targets))
    assert [view["kind"] for view in page_data(both)["views"]] == ["graph", "network"]
    assert repr(both) == "Explorer('Backpropagation, step by step · Training, epoch by epoch', views: graph, network)"


@requires_dot
def test_jupyter_shows_the_page_inline_in_an_iframe() -> None:
    """_repr_html_ is an iframe whose srcdoc is the whole page, so its scripts run apart from the notebook's."""
    page = explore.graph(mlp_cost()[3])
    shown = page._repr_html_()
    assert shown.startswith('<iframe srcdoc="')
    srcdoc = shown[len('<iframe srcdoc="') : shown.index('" title=')]
    assert '"' not in srcdoc and html.unescape(srcdoc) == page.html()


@requires_dot
def test_save_rejects_a_non_path() -> None:
    """Explorer.save names what it got instead of a path."""
    with pytest.raises(TypeError, match="path must be a str or path, got int"):
        explore.graph(Value(1.0)).save(3)  # type: ignore[arg-type]


# --- snapshots and fit's hook ---------------------------------------------------------------------


def test_fit_calls_on_epoch_after_each_epoch_without_changing_training() -> None:
    """on_epoch(e, history[e]) is called once per epoch, after its updates; the run is the same as without it."""

    def run(on_epoch: Any) -> tuple[list[float], list[float]]:
        mlp = MLP(2, [3, 1], seed=0)
        history = fit(
            mlp,
            [[0.0, 1.0], [1.0, 0.0]],
            [[1.0], [0.0]],
            optimizer=SGD(mlp.parameters(), lr=0.5),
            epochs=4,
            batch_size=1,
            progress=False,
            on_epoch=on_epoch,
        )
        return history, [p.data for p in mlp.parameters()]

    calls: list[tuple[int, float]] = []
    with_hook = run(lambda e, loss: calls.append((e, loss)))
    assert with_hook == run(None)
    assert calls == list(enumerate(with_hook[0]))
    with pytest.raises(TypeError, match="on_epoch must be a function of"):
        run(3)


def test_snapshots_record_the_parameters_before_and_after_every_epoch() -> None:
    """parameters[0] is the untrained network, parameters[e] the one after epoch e, copied; losses = fit's history."""
    mlp = MLP(2, [3, 1], seed=0)
    start = [p.data for p in mlp.parameters()]
    snapshots = explore.Snapshots(mlp)
    seen = []
    history = fit(
        mlp,
        [[0.0, 1.0]],
        [[1.0]],
        optimizer=SGD(mlp.parameters(), lr=0.5),
        epochs=3,
        progress=False,
        on_epoch=lambda e, loss: (snapshots(e, loss), seen.append([p.data for p in mlp.parameters()])),
    )
    assert list(snapshots.parameters[0]) == start and [list(p) for p in snapshots.parameters[1:]] == seen
    assert snapshots.losses == history and len(snapshots) == 4
    assert (
        repr(snapshots)
        == "Snapshots(MLP(nin=2, nouts=[3, 1], activation='sigmoid', output_activation='sigmoid'), 3 epochs)"
    )
    with pytest.raises(ValueError, match="expected epoch 3 next, got 0; use a fresh Snapshots"):
        snapshots(0, 1.0)
    with pytest.raises(TypeError, match="Snapshots: mlp must be an MLP, got list"):
        explore.Snapshots([])  # type: ignore[arg-type]


# --- the network page's data -----------------------------------------------------------------------


def test_the_network_page_embeds_every_snapshot_and_the_oracles_a_and_delta() -> None:
    """Weights, biases, a, delta and each sample's cost of every snapshot are Python's, bit for bit."""
    mlp, snapshots, inputs, targets = trained((2, 3, 1), 5)
    view = page_data(explore.network(mlp, snapshots, (inputs, targets), cost="bce", samples=[3, 150]))["views"][0]
    assert view["epochs"] == list(range(6)) and view["losses"] == snapshots.losses and view["samples"] == [3, 150]
    assert decode(view["parameters"]) == [v for snapshot in snapshots.parameters for v in snapshot]
    a, delta, cost = decode(view["a"]), decode(view["delta"]), decode(view["sample_cost"])
    twin = MLP(2, [3, 1], seed=5)
    at = 0
    for e, snapshot in enumerate(snapshots.parameters):
        for p, value in zip(twin.parameters(), snapshot):
            p.data = value
        for k, s in enumerate([3, 150]):
            oracle = backprop(twin, inputs[s], targets[s], "bce")
            assert a[at : at + 4] == [v for a_l in oracle.a for v in a_l]
            assert delta[at : at + 4] == [v for d_l in oracle.delta for v in d_l]
            with no_grad():
                assert cost[e * 2 + k] == get_cost("bce")(twin(inputs[s]), targets[s]).data
            at += 4
    assert view["x"] == inputs and view["y"] == targets
    assert view["largest_weight"] == max(
        abs(w) for s in snapshots.parameters for i, w in enumerate(s) if i % 3 != 2 or i >= 9
    )


def test_the_heatmap_is_the_engines_output_over_the_plane() -> None:
    """Every heatmap cell is floor(256 a) of the network's output a at the cell centre, a by the engine itself."""
    mlp, snapshots, inputs, targets = trained((2, 3, 1), 5)
    view = page_data(explore.network(mlp, snapshots, (inputs, targets), resolution=9))["views"][0]
    boundary = view["boundary"]
    assert (boundary["resolution"], boundary["output_low"], boundary["output_high"]) == (9, 0.0, 1.0)
    across, down = plane(inputs, 9)
    assert across[0] > boundary["x_low"] and down[0] < boundary["y_high"] and len(boundary["levels"]) == 6
    twin = MLP(2, [3, 1], seed=5)
    for snapshot, cells in zip(snapshots.parameters, boundary["levels"]):
        for p, value in zip(twin.parameters(), snapshot):
            p.data = value
        with no_grad():
            expected = [min(255, math.floor(256 * twin([x0, x1])[0].data)) for x1 in down for x0 in across]
        assert list(base64.b64decode(cells)) == expected
    assert len(set(boundary["levels"])) == 6  # the boundary moves as the network learns


def test_a_network_of_other_than_two_inputs_has_no_heatmap_and_a_history_gives_one_frame() -> None:
    """Three inputs: no plane to draw. fit's list of losses: the network as it is, and the whole curve."""
    mlp = MLP(3, [2, 1], seed=0)
    history = fit(mlp, [[0.0, 1.0, 2.0]], [[1.0]], optimizer=SGD(mlp.parameters(), lr=0.5), epochs=3, progress=False)
    view = page_data(explore.network(mlp, history, ([[0.0, 1.0, 2.0]], [[1.0]])))["views"][0]
    assert view["boundary"] is None and view["epochs"] == [3] and view["losses"] == history
    assert decode(view["parameters"]) == [p.data for p in mlp.parameters()]


def test_a_relu_output_heatmap_spans_its_outputs() -> None:
    """An output without a fixed range (relu, linear) is scaled from its smallest to its largest output."""
    mlp = MLP(2, [2, 1], "tanh", output_activation="linear", seed=0)
    view = page_data(explore.network(mlp, [1.0], ([[0.0, 1.0], [1.0, 0.0]], [[1.0], [0.0]]), resolution=4))["views"][0]
    raw = base64.b64decode(view["boundary"]["levels"][0])
    assert min(raw) == 0 and max(raw) == 255


def test_the_2_16_16_1_page_of_100_epochs_is_under_2_MB() -> None:
    """The moons network 2-16-16-1 with 101 snapshots fits in a page under 2 MB."""
    page = large_network_page().html()
    assert len(page.encode("utf-8")) < 2_000_000
    assert page_data(large_network_page())["views"][0]["epochs"] == list(range(101))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda m, s, d: explore.network([], s, d), TypeError, "mlp must be an MLP, got list"),
        (lambda m, s, d: explore.network(m, 3, d), TypeError, "training must be Snapshots .* got int"),
        (lambda m, s, d: explore.network(m, ["x"], d), TypeError, r"training\[0\]"),
        (lambda m, s, d: explore.network(m, s, d[0]), TypeError, r"data must be a pair \(inputs, targets\)"),
        (lambda m, s, d: explore.network(m, s, (d[0], d[1][:-1])), ValueError, "inputs and targets differ in length"),
        (lambda m, s, d: explore.network(m, s, ([[1.0]] * 200, d[1])), ValueError, r"inputs\[0\].*2 inputs"),
        (
            lambda m, s, d: explore.network(m, s, d, samples=[200]),
            ValueError,
            "samples holds 200; expected indices from 0 to 199",
        ),
        (lambda m, s, d: explore.network(m, s, d, samples=[]), TypeError, "samples must be a non-empty list"),
        (lambda m, s, d: explore.network(m, s, d, cost="hinge"), ValueError, "unknown cost 'hinge'"),
        (lambda m, s, d: explore.network(m, s, d, resolution=1), ValueError, "resolution"),
        (
            lambda m, s, d: explore.network(MLP(2, [4, 1]), s, d),
            ValueError,
            "snapshots hold 13 parameters but the network has 17",
        ),
    ],
)
def test_explore_network_rejects_bad_arguments(call: Any, error: type[Exception], message: str) -> None:
    """Each bad argument raises the documented error naming it."""
    mlp, snapshots, inputs, targets = trained((2, 3, 1), 3)
    with pytest.raises(error, match=message):
        call(mlp, snapshots, (inputs, targets))


def test_a_z_node_is_what_the_equations_read() -> None:
    """A guard on the test networks: each neuron's z is one w·a+b node, as the steps expect."""
    *_, cost = mlp_cost()
    assert sum(node.op == WEIGHTED_SUM for node in topological_order(cost)) == 4


@requires_dot
def test_the_examples_of_docs_explore_md_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Python example in docs/explore.md runs and writes its page."""
    import re

    text = (Path(__file__).resolve().parent.parent / "docs" / "explore.md").read_text(encoding="utf-8")
    examples = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(examples) == 2
    monkeypatch.chdir(tmp_path)
    for code in examples:
        exec(compile(code, "docs/explore.md", "exec"), {})
    assert page_data((tmp_path / "backprop.html").read_text(encoding="utf-8"))["views"][0]["kind"] == "graph"
    assert len(page_data((tmp_path / "training.html").read_text(encoding="utf-8"))["views"][0]["epochs"]) == 61


def test_a_softmax_output_heatmap_is_the_engines_first_class_probability() -> None:
    """Behind a softmax output of 3 classes the heatmap is floor(256 a_0), a_0 = softmax(z^L)_0 by the engine."""
    mlp = MLP(2, [3, 3], "tanh", output_activation="softmax", seed=1)
    inputs, targets = [[0.0, 1.0], [1.0, 0.0], [-1.0, 0.5]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    boundary = page_data(explore.network(mlp, [1.0], (inputs, targets), resolution=5))["views"][0]["boundary"]
    assert (boundary["output_low"], boundary["output_high"]) == (0.0, 1.0)
    across, down = plane(inputs, 5)
    with no_grad():
        expected = [min(255, math.floor(256 * mlp([x0, x1])[0].data)) for x1 in down for x0 in across]
    assert list(base64.b64decode(boundary["levels"][0])) == expected
