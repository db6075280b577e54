"""Autograd against the delta equations: one sample's gradients by two independent routes.

`compare(mlp, x, y, cost)` runs `backward()` on the cost C(mlp(x), y) and `delta.backprop` (BP1-BP4
in plain floats) and keeps both, indexed alike: `dW[l][j][k]` is dC/dw of
`mlp.layers[l].neurons[j].w[k]` and `db[l][j]` dC/db of `mlp.layers[l].neurons[j].b`.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from microgradnet import delta
from microgradnet.losses import get_cost
from microgradnet.nn import MLP


@dataclass(frozen=True)
class Comparison:
    """Both routes' gradients of one sample's cost: `autograd_*` from backward(), `oracle` from BP1-BP4."""

    autograd_dW: list[list[list[float]]]
    autograd_db: list[list[float]]
    oracle: delta.Backprop

    def layer_differences(self) -> list[tuple[float, float]]:
        """For each layer l: (max |dW autograd - dW delta|, max |db autograd - db delta|)."""
        return [
            (
                max(abs(g - o) for row, oracle_row in zip(dW, self.oracle.dW[l]) for g, o in zip(row, oracle_row)),
                max(abs(g - o) for g, o in zip(db, self.oracle.db[l])),
            )
            for l, (dW, db) in enumerate(zip(self.autograd_dW, self.autograd_db))
        ]

    def rows(self) -> list[tuple[str, float, float]]:
        """(label, autograd, delta) for every parameter, in `mlp.parameters()` order."""
        rows = []
        for l, (dW, db) in enumerate(zip(self.autograd_dW, self.autograd_db)):
            for j, (dW_j, db_j) in enumerate(zip(dW, db)):
                rows += [(f"w[{l}][{j}][{k}]", g, self.oracle.dW[l][j][k]) for k, g in enumerate(dW_j)]
                rows.append((f"b[{l}][{j}]", db_j, self.oracle.db[l][j]))
        return rows

    def largest_relative_difference(self) -> float:
        """max over all parameters of |autograd - delta| / max(1, |autograd|, |delta|)."""
        return max(abs(g - o) / max(1.0, abs(g), abs(o)) for _, g, o in self.rows())


def compare(mlp: MLP, x: Sequence[float], y: Sequence[float], cost: str = "half_sse") -> Comparison:
    """Gradients of C(mlp(x), y) by backward() and by the delta equations.

    The parameters' `grad` fields are restored afterwards, so a comparison never disturbs training.
    """
    oracle = delta.backprop(mlp, x, y, cost)  # checks x, y and cost before the graph is built
    saved = [p.grad for p in mlp.parameters()]
    try:
        mlp.zero_grad()
        get_cost(cost)(mlp(x), y).backward()
        autograd_dW = [[[w.grad for w in neuron.w] for neuron in layer.neurons] for layer in mlp.layers]
        autograd_db = [[neuron.b.grad for neuron in layer.neurons] for layer in mlp.layers]
    finally:
        for p, grad in zip(mlp.parameters(), saved):
            p.grad = grad
    return Comparison(autograd_dW, autograd_db, oracle)


__all__ = ["Comparison", "compare"]
