"""Class predictions, accuracy and the confusion matrix: by hand on a network whose outputs are its
inputs, as properties on random networks, and their errors."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import passthrough, signals, small_mlps

from microgradnet import MLP
from microgradnet.datasets import moons
from microgradnet.losses import one_hot
from microgradnet.metrics import accuracy, classified, confusion_matrix, confusion_table, predicted_class
from microgradnet.train import accuracy as binary_accuracy

# Three classes; the network predicts argmax x: right, right, wrong (2 for 1), right, wrong (0 for 2).
INPUTS = [[0.9, 0.1, 0.0], [0.1, 0.8, 0.1], [0.0, 0.2, 0.7], [0.3, 0.6, 0.1], [0.5, 0.2, 0.3]]
TARGETS = [one_hot(y, 3) for y in (0, 1, 1, 1, 2)]


def test_predicted_class_is_the_first_largest_output_or_the_threshold_for_one() -> None:
    """argmax with the first index on a tie; a single output is class 1 from the threshold on."""
    assert predicted_class([0.2, 0.7, 0.7]) == 1
    assert predicted_class([-3.0, -1.0, -2.0]) == 1
    assert (predicted_class([0.5]), predicted_class([0.49]), predicted_class([0.49], threshold=0.4)) == (1, 0, 1)


@given(st.lists(signals, min_size=2, max_size=10))
def test_predicted_class_holds_the_largest_output(a: list[float]) -> None:
    """a[class] is the maximum, and every earlier output is smaller."""
    y = predicted_class(a)
    assert a[y] == max(a) and all(a_j < a[y] for a_j in a[:y])


def test_accuracy_and_confusion_by_hand() -> None:
    """Three of the five samples are right; the two mistakes sit off the diagonal where they belong."""
    mlp = passthrough(3)
    assert classified(mlp, INPUTS, TARGETS) == [(0, 0), (1, 1), (1, 2), (1, 1), (2, 0)]
    assert accuracy(mlp, INPUTS, TARGETS) == 3 / 5
    counts = confusion_matrix(mlp, INPUTS, TARGETS)
    assert counts == [[1, 0, 0], [0, 2, 1], [1, 0, 0]]
    assert confusion_table(counts, ["cat", "dog", "owl"]) == (
        "true \\ predicted  cat dog owl\n"
        "             cat    1   0   0\n"
        "             dog    0   2   1\n"
        "             owl    1   0   0"
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_single_output_is_a_binary_classifier(seed: int) -> None:
    """With one sigmoid output, accuracy is the thresholded one of `train.accuracy`, and the matrix is 2 x 2."""
    inputs, targets = moons(40, seed=seed)
    mlp = MLP(2, [4, 1], seed=seed)
    assert accuracy(mlp, inputs, targets) == binary_accuracy(mlp, inputs, targets)
    counts = confusion_matrix(mlp, inputs, targets)
    assert len(counts) == 2 and [sum(row) for row in counts] == [20, 20]


@given(small_mlps(), st.data())
def test_the_confusion_matrix_counts_every_sample_once(mlp: MLP, data: st.DataObject) -> None:
    """Row i sums to the samples of class i, the whole matrix to n, and its diagonal over n is the accuracy."""
    width = max(mlp.sizes[-1], 2)
    n = data.draw(st.integers(1, 12))
    inputs = data.draw(st.lists(st.lists(signals, min_size=mlp.nin, max_size=mlp.nin), min_size=n, max_size=n))
    if mlp.sizes[-1] == 1:
        targets = data.draw(st.lists(st.sampled_from([[0.0], [1.0]]), min_size=n, max_size=n))
        classes = [int(y[0]) for y in targets]
    else:
        classes = data.draw(st.lists(st.integers(0, width - 1), min_size=n, max_size=n))
        targets = [one_hot(y, width) for y in classes]
    counts = confusion_matrix(mlp, inputs, targets)
    assert [sum(row) for row in counts] == [classes.count(y) for y in range(width)]
    assert math.isclose(sum(counts[y][y] for y in range(width)) / n, accuracy(mlp, inputs, targets))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: accuracy(passthrough(3), INPUTS, TARGETS[:2]), ValueError, "5 inputs, 2 targets"),
        (lambda: accuracy(passthrough(3), [], []), ValueError, "inputs and targets are empty"),
        (lambda: accuracy(passthrough(3), INPUTS, [[1.0, 0.0]] * 5), ValueError, r"targets\[0\]: expected 3 numbers"),
        (lambda: accuracy(passthrough(3), INPUTS, TARGETS, math.nan), ValueError, "threshold = nan is not finite"),
        (lambda: confusion_table([[1, 2], [3]]), ValueError, r"counts\[1\] should have 2 counts"),
        (lambda: confusion_table([[1, -2], [3, 4]]), ValueError, r"counts\[0\]\[1\] must be at least 0, got -2"),
        (lambda: confusion_table([[1.5]]), TypeError, r"counts\[0\]\[0\] must be an int"),
        (lambda: confusion_table([]), ValueError, "at least one row"),
        (lambda: confusion_table([[1]], ["a", "b"]), ValueError, "classes: expected 1 names, one per class, got 2"),
    ],
)
def test_bad_arguments_name_what_was_wrong(call: object, error: type[Exception], words: str) -> None:
    """Mismatched data, targets of the wrong width, a nan threshold and malformed counts are named."""
    with pytest.raises(error, match=words):
        call()  # type: ignore[operator]
