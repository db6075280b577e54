"""Data sets: toy ones for binary classification (xor, two moons, two circles, two spirals) and
two real ones of many classes that scikit-learn ships (handwritten digits, iris).

Each toy function returns `(inputs, targets)`: `inputs[s]` is the list of input numbers of sample
`s` and `targets[s]` the list `[y]` with the class y in {0.0, 1.0}, the shapes `MLP.__call__`
and the costs take. Class 0 comes first, then class 1 (`train.fit` shuffles mini-batches itself).
The real ones, `digits()` and `iris()`, return a `Split`: a fixed train and test set of that
shape, with one-hot targets, and the classes' names. They need scikit-learn (the `data` extra),
which ships both inside the package, so nothing is downloaded; the toy ones need nothing.

Bit-exact on every machine: for a given seed each toy function returns the same floats on every
platform and Python version. They are built only from `random.Random(seed).random()` (whose
sequence Python guarantees across versions) and the basic arithmetic operations, which IEEE 754
rounds identically everywhere; the platform's `math.cos`, `math.sin` and `math.log` are not
used, because their last bits may differ between C libraries. So

- angles go through `_cos_sin`, a fixed Taylor polynomial (within 2e-15 of `math.cos` and `math.sin`), and
- noise is `noise * N`, N approximately standard normal: the sum of 12 uniforms minus 6
  (Irwin-Hall: mean 0, variance 1, bounded by +-6), drawn independently for each coordinate.
"""

from __future__ import annotations

import importlib
import math
import random
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from microgradnet import checks
from microgradnet.losses import one_hot

Dataset = tuple[list[list[float]], list[list[float]]]

_QUARTER_TURN = math.pi / 2.0  # a correctly rounded constant, the same everywhere


def _cos_sin(turns: float) -> tuple[float, float]:
    """(cos 2 pi turns, sin 2 pi turns) from arithmetic alone: quadrant reduction, then Taylor series."""
    quadrants = turns * 4.0
    quadrant = math.floor(quadrants)
    phi = (quadrants - quadrant) * _QUARTER_TURN  # in [0, pi/2)
    phi2 = phi * phi
    # Horner form of the series up to phi^20 and phi^21; the next terms are below 2e-17.
    cos = 1.0
    sin = 1.0
    for n in range(20, 0, -2):
        cos = 1.0 - phi2 * cos / (n * (n - 1))
        sin = 1.0 - phi2 * sin / ((n + 1) * n)
    sin *= phi
    return {0: (cos, sin), 1: (-sin, cos), 2: (-cos, -sin), 3: (sin, -cos)}[quadrant % 4]


def _standard_normal(rng: random.Random) -> float:
    """Approximately N(0, 1): the sum of 12 uniforms on [0, 1) minus 6 (Irwin-Hall)."""
    return sum(rng.random() for _ in range(12)) - 6.0


def _check_fraction(name: str, value: object, *, low: float, high: float, closed_low: bool = True) -> float:
    """`value` as a float in [low, high) (or (low, high)), else an error naming it."""
    number = checks.real(name, value, finite=False)
    inside = (low <= number if closed_low else low < number) and number < high
    if not inside:
        bracket = "[" if closed_low else "("
        raise ValueError(f"{name} must be in {bracket}{low}, {high}), got {number!r}")
    return number


def _check_noise(noise: object) -> float:
    return _check_fraction("noise", noise, low=0.0, high=math.inf)


def _labelled(class0: list[list[float]], class1: list[list[float]], noise: float, rng: random.Random) -> Dataset:
    """Both classes with noise added to every coordinate (none at noise 0), targets [0.0] then [1.0]."""
    inputs = class0 + class1
    if noise > 0.0:
        inputs = [[x + noise * _standard_normal(rng) for x in point] for point in inputs]
        if not all(math.isfinite(x) for point in inputs for x in point):
            raise ValueError(f"noise {noise!r} is too large: a noisy coordinate overflowed a float")
    return inputs, [[0.0] for _ in class0] + [[1.0] for _ in class1]


def xor() -> Dataset:
    """The four points of exclusive or: y = x0 XOR x1."""
    return [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [[0.0], [1.0], [1.0], [0.0]]


def moons(n: int = 200, noise: float = 0.1, seed: int | None = 0) -> Dataset:
    """Two interleaving half circles (as scikit-learn's `make_moons`), n points in all.

    Class 0, n // 2 points: (cos theta, sin theta); class 1, the rest: (1 - cos theta, 1/2 - sin theta);
    theta evenly spaced over [0, pi] in each class; then Gaussian-like noise of standard deviation `noise`.
    """
    n = checks.count("n", n, 2, " (one sample per class)")
    noise = _check_noise(noise)
    rng = random.Random(checks.seed(seed))

    def arc(count: int) -> list[tuple[float, float]]:
        return [_cos_sin(0.5 * i / (count - 1) if count > 1 else 0.0) for i in range(count)]

    outer = [[c, s] for c, s in arc(n // 2)]
    inner = [[1.0 - c, 0.5 - s] for c, s in arc(n - n // 2)]
    return _labelled(outer, inner, noise, rng)


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0) -> Dataset:
    """A circle inside a circle (as scikit-learn's `make_circles`), n points in all.

    Class 0, n // 2 points: (cos theta, sin theta); class 1, the rest: factor (cos theta, sin theta);
    theta evenly spaced over [0, 2 pi) in each class; then noise of standard deviation `noise`.
    """
    n = checks.count("n", n, 2, " (one sample per class)")
    noise = _check_noise(noise)
    factor = _check_fraction("factor", factor, low=0.0, high=1.0, closed_low=False)
    rng = random.Random(checks.seed(seed))

    def ring(count: int, radius: float) -> list[list[float]]:
        return [[radius * c, radius * s] for c, s in (_cos_sin(i / count) for i in range(count))]

    return _labelled(ring(n // 2, 1.0), ring(n - n // 2, factor), noise, rng)


def spirals(n: int = 200, noise: float = 0.05, seed: int | None = 0, *, turns: float = 1.5) -> Dataset:
    """Two interleaved spirals, n points in all, each spiral winding `turns` times around the origin.

    Sample i of a class with m points has t = (i + 1) / m, radius r = t and angle 2 pi turns t;
    class 0 is r (cos, sin), class 1 the same points turned by half a turn, -r (cos, sin);
    then noise of standard deviation `noise`.
    """
    n = checks.count("n", n, 2, " (one sample per class)")
    noise = _check_noise(noise)
    turns = _check_fraction("turns", turns, low=0.0, high=math.inf, closed_low=False)
    rng = random.Random(checks.seed(seed))

    def spiral(count: int, sign: float) -> list[list[float]]:
        points = []
        for i in range(count):
            t = (i + 1) / count
            c, s = _cos_sin(turns * t)
            points.append([sign * t * c, sign * t * s])
        return points

    return _labelled(spiral(n // 2, 1.0), spiral(n - n // 2, -1.0), noise, rng)


DATASETS: dict[str, Callable[..., Dataset]] = {"xor": xor, "moons": moons, "circles": circles, "spirals": spirals}


# --- real data, from scikit-learn -----------------------------------------------------------------

TEST_EVERY = 5  # in each class, every fifth sample (the 5th, 10th, ...) is a test sample


class Split(NamedTuple):
    """A fixed train/test split, `(inputs, targets)` each; `classes[y]` names class y (one-hot index y)."""

    train: Dataset
    test: Dataset
    classes: tuple[str, ...]


def _bundled(loader: str, caller: str) -> Any:
    """scikit-learn's bundled data set `sklearn.datasets.<loader>()`; ImportError naming the extra without it."""
    try:
        sklearn_datasets = importlib.import_module("sklearn.datasets")
    except ImportError:
        raise ImportError(
            f"datasets.{caller}() needs scikit-learn: pip install 'microgradnet[data]' (or scikit-learn)"
        ) from None
    return getattr(sklearn_datasets, loader)()


def _split(inputs: Sequence[list[float]], labels: Sequence[int], classes: tuple[str, ...]) -> Split:
    """Within each class, in the given order, every `TEST_EVERY`-th sample to the test set, the rest to train."""
    train: Dataset = ([], [])
    test: Dataset = ([], [])
    seen = [0] * len(classes)
    for x, y in zip(inputs, labels):
        seen[y] += 1
        part = test if seen[y] % TEST_EVERY == 0 else train
        part[0].append(x)
        part[1].append(one_hot(y, len(classes)))
    return Split(train, test, classes)


def digits() -> Split:
    """scikit-learn's 8x8 handwritten digits: 1,797 images of the digits 0-9 (the UCI optical
    recognition set), 1,442 to train on and 355 to test, 10 classes ("0" to "9").

    `inputs[s]` holds an image's 64 pixels row by row, each grey level 0-16 divided by 16 (so
    exactly k/16, in [0, 1]); `targets[s]` is the one-hot digit. The split is fixed: within each
    digit, in scikit-learn's order, every fifth image is a test image, so the test set holds a
    fifth of each digit (34 to 36 images) and the same images are held out on every machine.
    """
    bunch = _bundled("load_digits", "digits")
    inputs = [[pixel / 16.0 for pixel in image] for image in bunch.data.tolist()]
    return _split(inputs, bunch.target.tolist(), tuple(str(name) for name in bunch.target_names.tolist()))


def iris() -> Split:
    """Fisher's iris flowers from scikit-learn: 150 samples of 3 species, 120 to train on and 30 to test.

    `inputs[s]` holds the 4 measurements (sepal length and width, petal length and width), each
    mapped to (x - min) / (max - min) with the min and max of that measurement over all 150
    flowers, so in [0, 1]; `targets[s]` is the one-hot species ("setosa", "versicolor",
    "virginica"). The split is fixed: within each species, every fifth flower is a test sample.
    """
    bunch = _bundled("load_iris", "iris")
    rows = bunch.data.tolist()
    low = [min(column) for column in zip(*rows)]
    high = [max(column) for column in zip(*rows)]
    inputs = [[(x - lo) / (hi - lo) for x, lo, hi in zip(row, low, high)] for row in rows]
    return _split(inputs, bunch.target.tolist(), tuple(str(name) for name in bunch.target_names.tolist()))


__all__ = ["DATASETS", "Dataset", "Split", "circles", "digits", "iris", "moons", "spirals", "xor"]
