"""`plots`: the decision boundary, the loss curve, the confusion matrix and the predicted images
are written as images showing what they should, and bad input or a missing matplotlib is a clear error."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from strategies import passthrough

from microgradnet import MLP, plots
from microgradnet.datasets import xor
from microgradnet.losses import one_hot
from microgradnet.plots import confusion_matrix, decision_boundary, loss_curve, predicted_images


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every figure the plots save, in order (they are still written to their files)."""
    saved: list[Any] = []
    save = plots._save

    def recording(figure: Any, path: Any) -> Path:
        saved.append(figure)
        return save(figure, path)

    monkeypatch.setattr(plots, "_save", recording)
    return saved


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


def test_confusion_matrix_shows_every_count_in_its_cell(tmp_path: Path, figures: list[Any]) -> None:
    """The shaded grid is the counts, each cell carries its count, the axes name the classes, the title the accuracy."""
    counts = [[5, 1, 0], [2, 3, 0], [0, 0, 4]]
    path = confusion_matrix(counts, tmp_path / "c.png", classes=["cat", "dog", "owl"])
    assert path.read_bytes().startswith(b"\x89PNG")
    (axes, _colorbar) = figures[0].axes
    assert axes.images[0].get_array().tolist() == counts
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in axes.texts}
    assert cells == {(i, j): str(counts[i][j]) for i in range(3) for j in range(3)}
    assert [t.get_text() for t in axes.get_xticklabels()] == ["cat", "dog", "owl"]
    assert [t.get_text() for t in axes.get_yticklabels()] == ["cat", "dog", "owl"]
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("predicted class", "true class")
    assert axes.get_title() == "Confusion matrix (accuracy 80.0%)"


def test_predicted_images_show_each_image_with_its_classes(tmp_path: Path, figures: list[Any]) -> None:
    """One panel per sample: its 2 x 2 pixels as an image, titled with the predicted and the true class,
    red where they differ."""
    inputs = [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.9, 0.1], [0.0, 0.5, 0.0, 0.0]]
    targets = [one_hot(0, 4), one_hot(2, 4), one_hot(3, 4)]
    predicted_images(passthrough(4), inputs, targets, tmp_path / "d.svg", classes="abcd", count=3, columns=2)
    panels = figures[0].axes
    assert len(panels) == 3
    assert [panel.images[0].get_array().tolist() for panel in panels] == [[x[:2], x[2:]] for x in inputs]
    assert [panel.get_title() for panel in panels] == [
        "predicted a\ntrue a",
        "predicted c\ntrue c",
        "predicted b\ntrue d",
    ]
    colours = [panel.title.get_color() for panel in panels]
    assert colours[0] == colours[1] == "black" and colours[2] == "tab:red"


@pytest.mark.parametrize(
    ("inputs", "count", "classes", "message"),
    [
        ([[0.0] * 4] * 2, 3, None, r"count = 3, but there are only 2 samples"),
        ([[0.0] * 3] * 2, 2, None, r"needs square images: 3 inputs are not n x n pixels"),
        ([[0.0] * 4] * 2, 2, "ab", r"classes: expected 4 names, one per class, got 2"),
    ],
)
def test_predicted_images_name_bad_data(
    inputs: list[list[float]], count: int, classes: str | None, message: str
) -> None:
    """Too few samples, images that are not square and a wrong number of class names are refused."""
    mlp = passthrough(len(inputs[0]))
    targets = [one_hot(0, len(inputs[0]))] * len(inputs)
    with pytest.raises(ValueError, match=message):
        predicted_images(mlp, inputs, targets, "unused.png", classes=classes, count=count)
