"""The explorer pages in a real browser: headless Chromium (Debian's) driven by Selenium, each page
loaded from disk with the network switched off. What a learner sees, read from the DOM, must be
the numbers Python computed. Skipped without chromium and chromedriver (the graph pages also without
Graphviz's dot), unless MICROGRADNET_REQUIRE_SYSTEM=1 (as in CI), where they must run."""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import chromium
from explore_pages import large_network_page, mlp_cost, trained
from system_programs import INSTALL_CHROMIUM, check_program, requires_dot

from microgradnet import MLP, explore, no_grad
from microgradnet.delta import backprop
from microgradnet.engine import topological_order
from microgradnet.explore.network_view import plane
from microgradnet.explore.steps import backward_steps
from microgradnet.losses import get_cost
from microgradnet.render.clusters import cluster_paths
from microgradnet.render.style import number


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


def load(driver: Any, path: Path) -> float:
    """Open the page from disk with the network off; its load time in ms (navigation start to views built)."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    driver.get(path.as_uri())
    assert driver.execute_script("return document.body.dataset.ready") == "true"
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0  # it fetched nothing
    assert errors(driver) == []
    ready: float = driver.execute_script("return performance.now()")
    return ready


def errors(driver: Any) -> list[str]:
    """The console's warnings and errors since the last call."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "WARNING")]


def press(driver: Any, key: str, times: int = 1) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    actions = ActionChains(driver)
    for _ in range(times):
        actions.send_keys(key)
    actions.perform()


def text(driver: Any, css: str) -> str:
    value: str = driver.find_element("css selector", css).text
    return value


def exact(driver: Any, css: str) -> float:
    """The exact number an element shows (its data-exact, the shortest repr of the double)."""
    return float(driver.find_element("css selector", css).get_attribute("data-exact"))


def keys() -> Any:
    from selenium.webdriver.common.keys import Keys

    return Keys


# --- the graph page ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    *_, cost = mlp_cost()
    path = tmp_path_factory.mktemp("graph") / "graph.html"
    explore.graph(cost, path)
    return path, topological_order(cost)


@requires_dot
def test_the_formatter_writes_numbers_as_python_does(driver: Any, graph_page: tuple[Path, list[Any]]) -> None:
    """The page's 4-digit formatter gives Python's f"{x:.4g}" for ties, tiny, huge, negative and non-finite x."""
    load(driver, graph_page[0])
    values = [
        0.0,
        -0.0,
        1.0,
        3.0,
        -3.0,
        0.1234567,
        1.0625,
        1.0635,
        12345.0,
        12355.0,
        99995.0,
        9999.5,
        0.00012345,
        1.5e-05,
        1e-05,
        123456789.0,
        1e300,
        5e-324,
        -2.5e-7,
        0.5,
        0.99995,
        1234.5,
        1235.5,
        0.001,
    ]
    import random

    rng = random.Random(0)
    values += [rng.uniform(-1, 1) * 10 ** rng.randint(-8, 8) for _ in range(400)]
    shown = driver.execute_script("return arguments[0].map(fmt)", values)
    assert shown == [number(v) for v in values]
    assert driver.execute_script("return [fmt(NaN), fmt(Infinity), fmt(-Infinity)]") == ["nan", "inf", "-inf"]


@requires_dot
def test_stepping_forward_shows_each_value_in_topological_order(
    driver: Any, graph_page: tuple[Path, list[Any]]
) -> None:
    """After n presses of →, exactly nodes 0 .. n-1 show their data, as Python computed it."""
    path, order = graph_page
    load(driver, path)
    assert text(driver, ".counter") == f"step 0 of {len(order) + 1 + sum(len(n.parents) for n in order)}"
    for n in (1, 5, 12, len(order)):
        press(driver, keys().HOME)
        press(driver, keys().ARROW_RIGHT, n)
        assert text(driver, ".counter").startswith(f"step {n} of")
        for i, node in enumerate(order):
            shown = text(driver, f"#view0-n{i} .data .value")
            if i < n:
                assert shown == number(node.data) and exact(driver, f"#view0-n{i} .data .value") == node.data
            else:
                assert shown == "·"
        assert driver.find_element("css selector", ".step-text").get_attribute("data-node") == str(n - 1)
    assert errors(driver) == []


@requires_dot
def test_backward_steps_follow_the_engines_order_with_its_numbers(
    driver: Any, graph_page: tuple[Path, list[Any]]
) -> None:
    """Each backward step names the engine's next edge (node, parent) and shows grad(parent) as Python's running sum."""
    path, order = graph_page
    load(driver, path)
    grads, steps = backward_steps(order, cluster_paths(order))
    press(driver, keys().END)
    press(driver, keys().HOME)
    press(driver, keys().ARROW_RIGHT, len(order) + 1)  # the forward pass and the seed
    assert text(driver, f"#view0-n{len(order) - 1} .grad .value") == "1"
    expected = [(i, order.index(p)) for i in reversed(range(len(order))) for p in order[i].parents]
    for k, step in enumerate(steps):
        press(driver, keys().ARROW_RIGHT)
        element = driver.find_element("css selector", ".step-text")
        assert (int(element.get_attribute("data-node")), int(element.get_attribute("data-parent"))) == expected[k]
        assert exact(driver, f"#view0-n{step.parent} .grad .value") == step.after
        if k % 7 == 0:
            assert number(step.contribution) in element.text and f"{step.consumer} of {step.consumers}" in text(
                driver, ".step-sum"
            )
    for i, node in enumerate(order):  # the end: every grad is backward()'s
        assert exact(driver, f"#view0-n{i} .grad .value") == node.grad == grads[i]
    assert text(driver, ".phase") == f"backward: edge {len(steps)} of {len(steps)}"


@requires_dot
def test_the_equation_of_each_neuron_edge_is_shown_with_its_numbers(
    driver: Any, graph_page: tuple[Path, list[Any]]
) -> None:
    """On the a -> z edges the page shows BP1 (output) and BP2 (hidden) with the delta the oracle computes."""
    path, order = graph_page
    load(driver, path)
    mlp, x, y, _ = mlp_cost()
    oracle = backprop(mlp, x, y, "half_sse")
    _, steps = backward_steps(order, cluster_paths(order))
    seen = set()
    for k, step in enumerate(steps):
        if step.rule in ("BP1", "BP2", "BP3", "BP4") and step.rule not in seen:
            seen.add(step.rule)
            press(driver, keys().HOME)
            press(driver, keys().ARROW_RIGHT, len(order) + 2 + k)
            shown = driver.find_element("css selector", ".step-equation")
            assert shown.get_attribute("data-rule") == step.rule and shown.text == step.equation
            if step.rule in ("BP1", "BP2"):
                l, j = (1, 0) if step.rule == "BP1" else (0, int(order[step.parent].label[5]))
                assert math.isclose(step.contribution, oracle.delta[l][j], rel_tol=1e-12)
                assert shown.text.endswith(number(oracle.delta[l][j]))
    assert seen == {"BP1", "BP2", "BP3", "BP4"}


@requires_dot
def test_back_start_end_and_play(driver: Any, graph_page: tuple[Path, list[Any]]) -> None:
    """← undoes a step, Home and End jump, the buttons do the same, and space plays and pauses."""
    path, _order = graph_page
    load(driver, path)
    press(driver, keys().ARROW_RIGHT, 3)
    press(driver, keys().ARROW_LEFT)
    assert text(driver, ".counter").startswith("step 2 of") and text(driver, "#view0-n2 .data .value") == "·"
    press(driver, keys().END)
    total = int(text(driver, ".counter").split()[-1])
    assert text(driver, ".counter") == f"step {total} of {total}"
    driver.find_element("xpath", "//button[contains(., 'start')]").click()
    assert text(driver, ".counter").startswith("step 0 of")
    driver.find_element("xpath", "//button[contains(., 'step')]").click()
    assert text(driver, ".counter").startswith("step 1 of")
    press(driver, keys().SPACE)
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 5).until(
        lambda d: int(d.find_element("css selector", "section").get_attribute("data-position")) >= 3
    )
    press(driver, keys().SPACE)
    paused = driver.find_element("css selector", "section").get_attribute("data-position")
    driver.execute_script("return new Promise((done) => setTimeout(done, 1200))")
    assert driver.find_element("css selector", "section").get_attribute("data-position") == paused
    assert errors(driver) == []


@requires_dot
def test_hovering_a_box_shows_its_full_record(driver: Any, graph_page: tuple[Path, list[Any]]) -> None:
    """The tooltip of w[1][0][2] holds its label, exact data, exact grad and its consumer."""
    from selenium.webdriver.common.action_chains import ActionChains

    path, order = graph_page
    load(driver, path)
    i = next(i for i, node in enumerate(order) if node.label == "w[1][0][2]")
    box = driver.find_element("css selector", f"#view0-n{i} rect")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
    ActionChains(driver).move_to_element(box).perform()
    tooltip = text(driver, ".tooltip")
    assert "w[1][0][2]" in tooltip and f"data = {order[i].data!r}" in tooltip and f"= {order[i].grad!r}" in tooltip
    assert "consumers: z[1][0]" in tooltip and "neuron: layer 1 / neuron [1][0]" in tooltip


# --- the network page ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def network_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MLP, Any, Any, Any]:
    mlp, snapshots, inputs, targets = trained((2, 3, 1), 12)
    path = tmp_path_factory.mktemp("network") / "network.html"
    explore.network(mlp, snapshots, (inputs, targets), path, cost="bce", resolution=20)
    return path, mlp, snapshots, inputs, targets


def at_epoch(snapshots: Any, e: int) -> MLP:
    twin = MLP(2, [3, 1], seed=0)
    for p, value in zip(twin.parameters(), snapshots.parameters[e]):
        p.data = value
    return twin


def set_slider(driver: Any, e: int) -> None:
    driver.execute_script(
        "const s = document.querySelector('input.epoch'); s.value = arguments[0];s.dispatchEvent(new Event('input'))",
        e,
    )


def heatmap_sides(driver: Any) -> list[bool]:
    """Per heatmap cell: is it painted on the class-1 (red) side?"""
    pixels = driver.execute_script(
        "const c = document.querySelector('.boundary canvas');"
        "return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"
    )
    # Reading pixels back twice makes Chromium suggest willReadFrequently: a note about this test, not the page.
    assert all("willReadFrequently" in message for message in errors(driver))
    return [pixels[4 * i] > pixels[4 * i + 2] for i in range(len(pixels) // 4)]


def test_the_slider_shows_each_epochs_weights_a_delta_and_loss(driver: Any, network_page: Any) -> None:
    """At epochs 0, 1, 7 and 12 every weight, a, delta and the loss shown are Python's for that snapshot."""
    path, _mlp, snapshots, inputs, targets = network_page
    load(driver, path)
    for e in (12, 0, 1, 7):
        set_slider(driver, e)
        twin = at_epoch(snapshots, e)
        oracle = backprop(twin, inputs[0], targets[0], "bce")
        for l, layer in enumerate(twin.layers):
            for j, neuron in enumerate(layer.neurons):
                unit = f"#view0-neuron-{l}-{j}"
                assert (
                    exact(driver, f"{unit} .a") == oracle.a[l][j]
                    and exact(driver, f"{unit} .delta") == oracle.delta[l][j]
                )
                assert text(driver, f"{unit} .a") == number(oracle.a[l][j])
                for k, w_k in enumerate(neuron.w):
                    assert exact(driver, f"#view0-w-{l}-{j}-{k}") == w_k.data
        if e:
            assert exact(driver, ".loss-text .value") == snapshots.losses[e - 1]
        else:
            assert text(driver, ".loss-text") == "before the first epoch: no loss yet"
        with no_grad():
            assert exact(driver, "#view0-cost .value") == get_cost("bce")(twin(inputs[0]), targets[0]).data
    assert errors(driver) == []


def test_the_slider_moves_the_decision_boundary_as_python_computed_it(driver: Any, network_page: Any) -> None:
    """Each heatmap cell is on the side of 0.5 where the engine's output at its centre is, at every epoch shown."""
    path, _mlp, snapshots, inputs, _targets = network_page
    load(driver, path)
    across, down = plane(inputs, 20)
    sides = {}
    for e in (0, 12):
        set_slider(driver, e)
        twin = at_epoch(snapshots, e)
        with no_grad():
            expected = [twin([x0, x1])[0].data >= 0.5 for x1 in down for x0 in across]
        sides[e] = heatmap_sides(driver)
        assert sides[e] == expected
    assert sides[0] != sides[12]


def test_choosing_a_sample_shows_its_a_and_delta(driver: Any, network_page: Any) -> None:
    """Picking another sample in the list (or clicking its point) shows that sample's numbers."""
    from selenium.webdriver.support.ui import Select

    path, _mlp, snapshots, inputs, targets = network_page
    load(driver, path)
    Select(driver.find_element("css selector", "select.sample")).select_by_index(3)
    s = [s * 200 // 10 for s in range(10)][3]
    oracle = backprop(at_epoch(snapshots, 12), inputs[s], targets[s], "bce")
    assert exact(driver, "#view0-neuron-0-1 .delta") == oracle.delta[0][1]
    assert exact(driver, "#view0-x-0 .value") == inputs[s][0]
    driver.find_elements("css selector", ".points .chosen")[5].click()
    s = [s * 200 // 10 for s in range(10)][5]
    assert exact(driver, "#view0-x-1 .value") == inputs[s][1]


def test_keys_move_through_the_epochs(driver: Any, network_page: Any) -> None:
    """← and → step one epoch, Home and End jump, space replays the training."""
    from selenium.webdriver.support.ui import WebDriverWait

    path, *_ = network_page
    load(driver, path)
    section = driver.find_element("css selector", "section")
    assert section.get_attribute("data-epoch") == "12"
    press(driver, keys().ARROW_LEFT, 2)
    assert section.get_attribute("data-epoch") == "10" and text(driver, ".epoch-label") == "after epoch 10 of 12"
    press(driver, keys().HOME)
    assert text(driver, ".epoch-label") == "epoch 0 (before training) of 12"
    press(driver, keys().ARROW_RIGHT)
    assert section.get_attribute("data-epoch") == "1"
    press(driver, keys().SPACE)
    WebDriverWait(driver, 5).until(lambda d: section.get_attribute("data-epoch") == "12")
    press(driver, keys().END)
    assert section.get_attribute("data-epoch") == "12"


def test_the_large_network_page_loads_and_answers_quickly(driver: Any, tmp_path: Path, record_property: Any) -> None:
    """The 2-16-16-1 page of 100 epochs opens without errors; its load and slider times are measured and reported."""
    path = large_network_page().save(tmp_path / "large.html")
    load_ms = load(driver, path)
    per_epoch_ms = driver.execute_script(
        "const s = document.querySelector('input.epoch'); const t = performance.now();"
        "for (let e = 0; e <= 100; e++) { s.value = e; s.dispatchEvent(new Event('input')); }"
        "return (performance.now() - t) / 101"
    )
    size = path.stat().st_size
    record_property("large_network_page_bytes", size)
    record_property("large_network_page_load_ms", round(load_ms))
    record_property("large_network_page_ms_per_epoch_shown", round(per_epoch_ms, 2))
    print(
        f"2-16-16-1, 100 epochs: {size / 1e6:.2f} MB, loads in {load_ms:.0f} ms, {per_epoch_ms:.2f} ms an epoch shown"
    )
    assert driver.find_element("css selector", "section").get_attribute("data-epoch") == "100"
    assert errors(driver) == []


@requires_dot
def test_graph_and_network_on_one_page_have_a_tab_each(driver: Any, tmp_path: Path, network_page: Any) -> None:
    """One file with both views: tabs switch between them, and the keys go to the visible one."""
    _, mlp, snapshots, inputs, targets = network_page
    path = (explore.graph(mlp_cost()[3]) + explore.network(mlp, snapshots, (inputs, targets))).save(
        tmp_path / "both.html"
    )
    load(driver, path)
    tabs = driver.find_elements("css selector", "#tabs button")
    assert [t.text for t in tabs] == ["Backpropagation, step by step", "Training, epoch by epoch"]
    press(driver, keys().ARROW_RIGHT)
    assert driver.find_element("id", "view0").get_attribute("data-position") == "1"
    tabs[1].click()
    press(driver, keys().ARROW_LEFT)
    assert driver.find_element("id", "view1").get_attribute("data-epoch") == "11"
    assert driver.find_element("id", "view0").get_attribute("data-position") == "1"
    assert errors(driver) == []


@requires_dot
def test_the_screenshot_script_shoots_both_pages(tmp_path: Path) -> None:
    """viz/make_explorer_screenshots.py writes the two PNGs of the README and docs/explore.md."""
    import os
    import subprocess
    import sys

    check_program("chromium", INSTALL_CHROMIUM)
    check_program("chromedriver", INSTALL_CHROMIUM)
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    script = root / "viz" / "make_explorer_screenshots.py"
    run = subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    for name in ("explore_graph.png", "explore_network.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG") and (tmp_path / name).stat().st_size > 20_000
