"""How well a classifier does: the class it predicts, its accuracy and its confusion matrix.

A model's class for a sample is argmax_j a_j over its outputs, the first j on a tie (as in
PyTorch and NumPy). A model with a single output is a binary classifier: class 1 where
a >= threshold (0.5 behind a sigmoid), else class 0. A target's class is read by the same rule
with threshold 0.5: the index of the 1 of a one-hot target, or 1 for [1.0] and 0 for [0.0].
"""

from __future__ import annotations

from collections.abc import Sequence

from microgradnet import checks
from microgradnet.engine import no_grad
from microgradnet.train import Model


def predicted_class(a: Sequence[float], threshold: float = 0.5) -> int:
    """argmax_j a_j (the first on a tie); for a single output, 1 if a_0 >= threshold else 0."""
    if len(a) == 1:
        return int(a[0] >= threshold)
    return max(range(len(a)), key=a.__getitem__)


def classified(
    model: Model, inputs: Sequence[Sequence[float]], targets: Sequence[Sequence[float]], threshold: float = 0.5
) -> list[tuple[int, int]]:
    """(true class, predicted class) of every sample, the model run without recording a graph."""
    checks.paired(("inputs", "targets"), inputs, targets, of="samples (lists of numbers)")
    threshold = checks.real("threshold", threshold)  # a nan threshold would put every sample in class 0
    pairs = []
    with no_grad():
        for s, (x, y) in enumerate(zip(inputs, targets)):
            a = [a_j.data for a_j in model(x)]
            y_s = checks.real_vector(f"targets[{s}]", y, len(a), "numbers (one per output of the model)")
            pairs.append((predicted_class(y_s), predicted_class(a, threshold)))
    return pairs


def accuracy(
    model: Model, inputs: Sequence[Sequence[float]], targets: Sequence[Sequence[float]], threshold: float = 0.5
) -> float:
    """The fraction of samples whose predicted class is the target's class."""
    pairs = classified(model, inputs, targets, threshold)
    return sum(true == predicted for true, predicted in pairs) / len(pairs)


def confusion_matrix(
    model: Model, inputs: Sequence[Sequence[float]], targets: Sequence[Sequence[float]], threshold: float = 0.5
) -> list[list[int]]:
    """counts[i][j]: how many samples of class i the model puts in class j (the diagonal is right).

    There is a row and a column per output of the model (two for a single output).
    """
    pairs = classified(model, inputs, targets, threshold)
    n_classes = max(len(targets[0]), 2)  # as wide as every output, which `classified` checked
    counts = [[0] * n_classes for _ in range(n_classes)]
    for true, predicted in pairs:
        counts[true][predicted] += 1
    return counts


def check_confusion(counts: object, classes: Sequence[str] | None) -> list[str]:
    """The class names (by default "0", "1", ...) after checking that `counts` is a square matrix of counts."""
    if isinstance(counts, (str, bytes)) or not isinstance(counts, Sequence):
        raise TypeError(f"counts must be a square matrix (a list of rows) of counts, got {type(counts).__name__}")
    if len(counts) == 0:
        raise ValueError("counts must have at least one row")
    n = len(counts)
    for i, row in enumerate(counts):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != n:
            raise ValueError(f"counts must be square: counts[{i}] should have {n} counts, got {row!r}")
        for j, count in enumerate(row):
            checks.count(f"counts[{i}][{j}]", count, 0)
    return class_names(classes, n)


def class_names(classes: Sequence[str] | None, n_classes: int) -> list[str]:
    """`classes` as n_classes strings, or "0", "1", ... when None."""
    names = [str(y) for y in range(n_classes)] if classes is None else [str(name) for name in classes]
    if len(names) != n_classes:
        raise ValueError(f"classes: expected {n_classes} names, one per class, got {len(names)}")
    return names


def confusion_table(counts: Sequence[Sequence[int]], classes: Sequence[str] | None = None) -> str:
    """The confusion matrix as text: a row per true class, a column per predicted class."""
    names = check_confusion(counts, classes)
    corner = "true \\ predicted"
    width = max(len(str(count)) for row in counts for count in row)
    width = max(width, *(len(name) for name in names))
    label = max(len(corner), *(len(name) for name in names))
    lines = [f"{corner:>{label}}  " + " ".join(f"{name:>{width}}" for name in names)]
    for name, row in zip(names, counts):
        lines.append(f"{name:>{label}}  " + " ".join(f"{count:>{width}}" for count in row))
    return "\n".join(lines)


__all__ = [
    "accuracy",
    "check_confusion",
    "class_names",
    "classified",
    "confusion_matrix",
    "confusion_table",
    "predicted_class",
]
