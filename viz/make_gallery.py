"""Regenerate the gallery of rendered graphs in this folder (run: python viz/make_gallery.py).

- neuron.svg          one sigmoid neuron and its cost, after backward: data, grad, and the
                      local derivative on every edge
- mlp_2_3_1.svg       a 2-3-1 sigmoid MLP on one sample, after backward, clustered by layer and
                      neuron, drawn top to bottom (rankdir="TB"), where each layer is a row
- network_xor.svg     the neuron-level view of a 2-3-1 MLP trained on XOR, on the sample x = (1, 0)
- network_2_16_16_1.svg  the neuron-level view of an untrained 2-16-16-1 MLP (its scalar graph
                      has 411 nodes with its cost)

Every network is seeded, so the pictures change only when the code does. `--format png` writes
PNGs instead (to look at them without a browser); `--out DIR` writes elsewhere.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import graphviz

from microgradnet import MLP, Neuron
from microgradnet.datasets import xor
from microgradnet.losses import half_sse
from microgradnet.optim import SGD
from microgradnet.render import draw_graph, draw_network, save
from microgradnet.train import fit

HERE = Path(__file__).resolve().parent


def neuron() -> graphviz.Digraph:
    """C = 1/2 (sigma(w_0 x_0 + w_1 x_1 + b) - y)^2 for x = (1, -2), y = 1, after C.backward()."""
    unit = Neuron(2, "sigmoid", rng=random.Random(0))
    unit.b.data = 0.5
    cost = half_sse([unit([1.0, -2.0])], [1.0])
    cost.label = "C"
    cost.backward()
    return draw_graph(cost)


def mlp_2_3_1() -> graphviz.Digraph:
    """A 2-3-1 sigmoid MLP's cost on x = (0.5, -1), y = 1, after backward; top to bottom, a layer per row."""
    mlp = MLP(2, [3, 1], seed=0)
    cost = half_sse(mlp([0.5, -1.0]), [1.0])
    cost.label = "C"
    cost.backward()
    return draw_graph(cost, rankdir="TB")


def network_xor() -> graphviz.Digraph:
    """A 2-3-1 sigmoid MLP after 2000 epochs of full-batch gradient descent on XOR, seen on x = (1, 0)."""
    inputs, targets = xor()
    mlp = MLP(2, [3, 1], seed=1)
    fit(mlp, inputs, targets, optimizer=SGD(mlp.parameters(), lr=2.0), epochs=2000, progress=False)
    return draw_network(mlp, [1.0, 0.0], [1.0])


def network_2_16_16_1() -> graphviz.Digraph:
    """An untrained 2-16-16-1 MLP: one node per neuron, one edge per weight (no labels at this size)."""
    return draw_network(MLP(2, [16, 16, 1], seed=0))


GALLERY = {
    "neuron": neuron,
    "mlp_2_3_1": mlp_2_3_1,
    "network_xor": network_xor,
    "network_2_16_16_1": network_2_16_16_1,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write to (default: viz/)")
    parser.add_argument("--format", choices=["svg", "png", "pdf", "dot"], default="svg")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, draw in GALLERY.items():
        print(save(draw(), args.out / f"{name}.{args.format}"))


if __name__ == "__main__":
    main()
