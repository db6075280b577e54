"""`plots`: the decision boundary and the loss curve are written as images, and bad input or a
missing matplotlib is a clear error."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from microgradnet import MLP
from microgradnet.datasets import xor
from microgradnet.plots import decision_boundary, loss_curve


def test_pictures_are_written_in_the_format_of_the_suffix(tmp_path: Path) -> None:
    """A .png path gives a PNG and a .svg path an SVG; both functions return the path."""
    inputs, targets = xor()
    mlp = MLP(2, [3, 1], seed=0)
    assert decision_boundary(mlp, inputs, targets, tmp_path / "b.png", resolution=10) == tmp_path / "b.png"
    assert (tmp_path / "b.png").read_bytes().startswith(b"\x89PNG")
    assert loss_curve([1.0, 0.5, -0.1], tmp_path / "l.svg") == tmp_path / "l.svg"
    assert "<svg" in (tmp_path / "l.svg").read_text()


@pytest.mark.parametrize(
    ("inputs", "targets", "message"),
    [
        ([[0.0, 1.0, 2.0]], [[1.0]], "needs samples of exactly 2 inputs"),
        ([], [], "needs equally many inputs and targets, got 0 and 0"),
        ([[0.0, 1.0]], [], "needs equally many inputs and targets, got 1 and 0"),
    ],
)
def test_decision_boundary_names_bad_data(inputs: list[list[float]], targets: list[list[float]], message: str) -> None:
    """Data that is not a plane of samples with targets is refused with the reason."""
    with pytest.raises(ValueError, match=message):
        decision_boundary(MLP(2, [1], seed=0), inputs, targets, "unused.png")


def test_loss_curve_needs_an_epoch() -> None:
    """An empty history is refused."""
    with pytest.raises(ValueError, match="needs at least one epoch"):
        loss_curve([], "unused.png")


def test_missing_matplotlib_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without matplotlib, plotting raises ImportError naming the examples extra."""
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"plotting needs matplotlib: pip install 'microgradnet\[examples\]'"):
        loss_curve([1.0], "unused.png")
