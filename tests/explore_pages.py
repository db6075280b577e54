"""Explorer pages the tests share: built once per session (the large one takes seconds), from seeded networks."""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from microgradnet import MLP, Value, explore
from microgradnet.datasets import moons
from microgradnet.losses import half_sse
from microgradnet.optim import Adam
from microgradnet.train import fit


def page_data(page: explore.Explorer | str) -> dict[str, Any]:
    """The JSON a page (or its HTML) embeds, read back as the browser reads it."""
    text = page if isinstance(page, str) else page.html()
    match = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', text, re.S)
    assert match is not None
    data: dict[str, Any] = json.loads(match[1])
    return data


def mlp_cost(
    sizes: tuple[int, ...] = (2, 3, 1), activation: str = "tanh"
) -> tuple[MLP, list[float], list[float], Value]:
    """A seeded MLP, one sample (x, y) and its half_sse cost after backward()."""
    mlp = MLP(sizes[0], list(sizes[1:]), activation, output_activation="sigmoid", seed=1)
    x = [0.5 - 0.75 * k for k in range(sizes[0])]
    y = [1.0] * sizes[-1]
    cost = half_sse(mlp(x), y)
    cost.label = "C"
    cost.backward()
    return mlp, x, y, cost


@functools.cache
def trained(sizes: tuple[int, ...], epochs: int, n: int = 200) -> tuple[MLP, explore.Snapshots, Any, Any]:
    """An MLP trained on `n` moons with bce for `epochs` full-batch epochs, with its snapshots and data."""
    inputs, targets = moons(n, 0.1, 0)
    mlp = MLP(sizes[0], list(sizes[1:]), seed=0)
    snapshots = explore.Snapshots(mlp)
    optimizer = Adam(mlp.parameters(), lr=0.05)
    fit(
        mlp,
        inputs,
        targets,
        optimizer=optimizer,
        cost="bce",
        epochs=epochs,
        progress=False,
        compiled=True,
        on_epoch=snapshots,
    )
    return mlp, snapshots, inputs, targets


@functools.cache
def large_network_page() -> explore.Explorer:
    """The 2-16-16-1 moons network with 100 epochs of snapshots (the size the network page must handle)."""
    mlp, snapshots, inputs, targets = trained((2, 16, 16, 1), 100)
    return explore.network(mlp, snapshots, (inputs, targets), cost="bce")
