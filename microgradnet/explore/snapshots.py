"""`Snapshots`: a network's parameters before training and after every epoch of `fit`, with the losses.

    snapshots = Snapshots(mlp)                     # parameters[0]: before training
    fit(mlp, inputs, targets, optimizer=opt, on_epoch=snapshots)
    snapshots.parameters[e]                        # after epoch e (e = 1 .. epochs)
    snapshots.losses[e - 1]                        # fit's loss of epoch e (history[e - 1])

Each snapshot is `mlp.parameters()`'s data in that order (for each layer l and neuron j:
w[l][j][0], w[l][j][1], ..., b[l][j]), copied, so later training does not change it.
"""

from __future__ import annotations

from microgradnet.nn import MLP


class Snapshots:
    """Records `mlp`'s parameters when made and whenever called as `fit`'s `on_epoch(epoch, loss)`."""

    def __init__(self, mlp: MLP) -> None:
        if not isinstance(mlp, MLP):
            raise TypeError(f"Snapshots: mlp must be an MLP, got {type(mlp).__name__}: {mlp!r}")
        self.mlp = mlp
        self.parameters: list[tuple[float, ...]] = [self._read()]
        self.losses: list[float] = []

    def _read(self) -> tuple[float, ...]:
        return tuple(p.data for p in self.mlp.parameters())

    def __call__(self, epoch: int, loss: float) -> None:
        """Record the parameters after epoch `epoch` (counted from 0, as `fit` calls it) and its loss."""
        if epoch != len(self.losses):
            raise ValueError(
                f"Snapshots: expected epoch {len(self.losses)} next, got {epoch!r}; "
                "use a fresh Snapshots(mlp) for each training run"
            )
        self.parameters.append(self._read())
        self.losses.append(float(loss))

    def __len__(self) -> int:
        """The number of snapshots: epochs recorded + 1."""
        return len(self.parameters)

    def __repr__(self) -> str:
        return f"Snapshots({self.mlp!r}, {len(self.losses)} epochs)"
