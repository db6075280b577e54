"""Screenshots of the explorer pages of `microgradnet demo` (run: python viz/make_explorer_screenshots.py).

- explore_graph.png    sample 0's graph in the trained 2-8-1 demo network, stopped at a backward
                       step into a hidden neuron: delta by BP2 with its numbers
- explore_network.png  the demo's training at epoch 15 of 60: weights, a and delta of a sample,
                       the decision boundary over the moons and the loss curve

The pages are written to a temporary folder and shot in headless Chromium (Debian's `chromium`
and `chromium-driver`, through Selenium); everything is seeded, so the pictures change only
when the code (or the browser's fonts) do. `--out DIR` writes elsewhere.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from microgradnet import explore
from microgradnet.datasets import moons
from microgradnet.demo import DemoSettings, new_network, sample_cost, train_network
from microgradnet.engine import topological_order
from microgradnet.explore.browser import headless_chromium
from microgradnet.explore.steps import backward_steps
from microgradnet.render.clusters import cluster_paths

HERE = Path(__file__).resolve().parent
NETWORK_EPOCH = 15


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write to (default: viz/)")
    args = parser.parse_args(argv)
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if browser is None or driver is None:
        sys.exit("needs chromium and chromedriver: apt-get install chromium chromium-driver")
    settings = DemoSettings()
    snapshots = explore.Snapshots(new_network(settings))
    mlp, _, _ = train_network(settings, progress=False, mlp=snapshots.mlp, on_epoch=snapshots)
    inputs, targets = moons(settings.n, settings.noise, settings.seed)
    cost = sample_cost(mlp, inputs[0], targets[0], settings.cost)
    order = topological_order(cost)
    _, steps = backward_steps(order, cluster_paths(order))
    bp2 = next(k for k, step in enumerate(steps) if step.rule == "BP2")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, headless_chromium(browser, driver, width=1400, height=900) as chrome:
        explore.graph(cost, Path(folder) / "graph.html", title="One sample's backward pass, step by step")
        explore.network(mlp, snapshots, (inputs, targets), Path(folder) / "network.html", cost=settings.cost)
        chrome.get((Path(folder) / "graph.html").as_uri())
        ActionChains(chrome).send_keys(Keys.END).perform()
        presses = len(steps) - bp2 - 1  # back from the end to the BP2 step
        actions = ActionChains(chrome)
        for _ in range(presses):
            actions.send_keys(Keys.ARROW_LEFT)
        actions.perform()
        chrome.save_screenshot(str(args.out / "explore_graph.png"))
        print(args.out / "explore_graph.png")
        chrome.get((Path(folder) / "network.html").as_uri())
        chrome.execute_script(
            "const s = document.querySelector('input.epoch');"
            "s.value = arguments[0]; s.dispatchEvent(new Event('input'))",
            NETWORK_EPOCH,
        )
        chrome.save_screenshot(str(args.out / "explore_network.png"))
        print(args.out / "explore_network.png")


if __name__ == "__main__":
    main()
