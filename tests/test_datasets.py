"""The toy data sets: their shapes and classes, their geometry without noise, the noise's size,
bit-exact determinism for a seed, and argument validation; the real ones: their sizes, scaling,
fixed split, and the error without scikit-learn."""

from __future__ import annotations

import collections
import math
import statistics
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from system_programs import require_module

from microgradnet.datasets import DATASETS, Split, _cos_sin, circles, digits, iris, moons, spirals, xor

GENERATORS = [moons, circles, spirals]


def test_xor_is_the_truth_table() -> None:
    """xor() gives the four input pairs with target x0 XOR x1."""
    inputs, targets = xor()
    assert [[int(x0) ^ int(x1)] for x0, x1 in inputs] == targets
    assert sorted(map(tuple, inputs)) == [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_and_classes(generator: object, n: int) -> None:
    """n samples of 2 inputs; the first n // 2 have target [0.0], the rest [1.0]."""
    inputs, targets = generator(n, noise=0.1, seed=3)  # type: ignore[operator]
    assert len(inputs) == len(targets) == n
    assert all(len(x) == 2 and all(type(v) is float for v in x) for x in inputs)
    assert targets == [[0.0]] * (n // 2) + [[1.0]] * (n - n // 2)


@pytest.mark.parametrize("generator", GENERATORS)
def test_same_seed_same_data_other_seed_other_data(generator: object) -> None:
    """A seed fixes the data exactly; another seed moves every noisy point."""
    first = generator(50, noise=0.1, seed=1)  # type: ignore[operator]
    assert first == generator(50, noise=0.1, seed=1)  # type: ignore[operator]
    other = generator(50, noise=0.1, seed=2)  # type: ignore[operator]
    assert all(a != b for a, b in zip(first[0], other[0]))


@pytest.mark.parametrize(
    ("generator", "first", "last"),
    [
        (moons, [1.0757963494141995, 0.21342338424996612], [1.9256282774763436, 0.5004166826456782]),
        (circles, [1.0757963494141995, 0.21342338424996612], [0.42464164169047935, -0.030978577118978612]),
        (spirals, [0.0857519690602303, 0.21436446738315126], [0.9256282774763436, 0.00041668264567817914]),
    ],
)
def test_pinned_values_are_bit_exact(generator: object, first: list[float], last: list[float]) -> None:
    """seed=0, n=200, noise=0.1 gives these exact floats (arithmetic only, so on every machine)."""
    inputs, _ = generator(200, noise=0.1, seed=0)  # type: ignore[operator]
    assert inputs[0] == first
    assert inputs[-1] == last


def test_noiseless_moons_lie_on_their_half_circles() -> None:
    """Without noise, class 0 lies on the upper unit half circle, class 1 on the lower one centred at (1, 1/2)."""
    inputs, targets = moons(101, noise=0.0)
    for (x0, x1), (y,) in zip(inputs, targets):
        centre = (1.0, 0.5) if y else (0.0, 0.0)
        assert math.hypot(x0 - centre[0], x1 - centre[1]) == pytest.approx(1.0, abs=1e-14)
        assert (x1 <= 0.5 + 1e-15) if y else (x1 >= -1e-15)
    assert inputs[0] == [1.0, 0.0] and inputs[49] == pytest.approx([-1.0, 0.0], abs=1e-15)


def test_noiseless_circles_have_radius_1_and_factor() -> None:
    """Without noise, class 0 lies on the unit circle and class 1 on the circle of radius `factor`."""
    inputs, _ = circles(40, noise=0.0, factor=0.3)
    radii = [math.hypot(*x) for x in inputs]
    assert radii == pytest.approx([1.0] * 20 + [0.3] * 20, abs=1e-14)


def test_noiseless_spirals_grow_radius_t_and_mirror() -> None:
    """Without noise, sample i of m per class has radius (i + 1) / m, and class 1 is class 0 turned by pi."""
    inputs, _ = spirals(20, noise=0.0, turns=2.0)
    assert [math.hypot(*x) for x in inputs[:10]] == pytest.approx([(i + 1) / 10 for i in range(10)], abs=1e-14)
    assert inputs[10:] == [[-x0, -x1] for x0, x1 in inputs[:10]]


@pytest.mark.parametrize("generator", GENERATORS)
def test_noise_has_mean_zero_and_the_given_standard_deviation(generator: object) -> None:
    """The noise added to each coordinate has mean ~0 and standard deviation ~noise."""
    clean, _ = generator(2000, noise=0.0, seed=5)  # type: ignore[operator]
    noisy, _ = generator(2000, noise=0.2, seed=5)  # type: ignore[operator]
    offsets = [b - a for x, y in zip(clean, noisy) for a, b in zip(x, y)]
    assert statistics.fmean(offsets) == pytest.approx(0.0, abs=0.015)
    assert statistics.stdev(offsets) == pytest.approx(0.2, rel=0.05)


@given(st.floats(min_value=-3.0, max_value=3.0))
def test_cos_sin_matches_the_math_module(turns: float) -> None:
    """The arithmetic-only (cos 2 pi t, sin 2 pi t) agrees with math.cos and math.sin to 2e-15."""
    cos, sin = _cos_sin(turns)
    angle = 2 * math.pi * (turns % 1.0)  # whole turns removed exactly, so the reference stays accurate
    assert cos == pytest.approx(math.cos(angle), abs=2e-15)
    assert sin == pytest.approx(math.sin(angle), abs=2e-15)


def test_registry_names_every_data_set() -> None:
    """DATASETS maps each name the command line offers to its function."""
    assert DATASETS == {"xor": xor, "moons": moons, "circles": circles, "spirals": spirals}


@pytest.mark.parametrize("generator", GENERATORS)
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 1}, ValueError, r"n must be at least 2 \(one sample per class\), got 1"),
        ({"n": 10.0}, TypeError, r"n must be an int, got float: 10\.0"),
        ({"n": True}, TypeError, r"n must be an int, got bool"),
        ({"noise": -0.1}, ValueError, r"noise must be in \[0\.0, inf\), got -0\.1"),
        ({"noise": math.nan}, ValueError, r"noise must be in \[0\.0, inf\), got nan"),
        ({"noise": math.inf}, ValueError, r"noise must be in \[0\.0, inf\), got inf"),
        ({"noise": "0.1"}, TypeError, r"noise must be a real number, got str"),
        ({"seed": 1.5}, TypeError, r"seed must be an int or None, got float: 1\.5"),
    ],
)
def test_bad_arguments_are_named(generator: object, kwargs: dict[str, object], error: type, message: str) -> None:
    """A bad n, noise or seed raises an error naming the argument, its value and what was expected."""
    with pytest.raises(error, match=message):
        generator(**kwargs)  # type: ignore[operator]


@pytest.mark.parametrize("factor", [0.0, 1.0, -0.5])
def test_circles_factor_must_be_inside_the_unit_interval(factor: float) -> None:
    """The inner circle's radius factor must lie in (0, 1)."""
    with pytest.raises(ValueError, match=rf"factor must be in \(0\.0, 1\.0\), got {factor}"):
        circles(10, factor=factor)


def test_spirals_turns_must_be_positive() -> None:
    """A spiral needs a positive number of turns."""
    with pytest.raises(ValueError, match=r"turns must be in \(0\.0, inf\), got 0\.0"):
        spirals(10, turns=0.0)


# --- real data --------------------------------------------------------------------------------


def needs_scikit_learn() -> None:
    require_module("sklearn", "the real data sets need scikit-learn: pip install 'microgradnet[data]'")


def class_counts(targets: list[list[float]]) -> dict[int, int]:
    """How many one-hot targets name each class."""
    return dict(collections.Counter(target.index(1.0) for target in targets))


def check_split(split: Split, n_inputs: int, total: dict[int, int]) -> None:
    """Train and test together hold `total[y]` samples of each class y; the test set every fifth of them."""
    for inputs, targets in (split.train, split.test):
        assert all(len(x) == n_inputs and all(type(v) is float and 0.0 <= v <= 1.0 for v in x) for x in inputs)
        assert all(sorted(y) == [0.0] * (len(split.classes) - 1) + [1.0] for y in targets)
    assert class_counts(split.test[1]) == {y: n // 5 for y, n in total.items()}
    assert class_counts(split.train[1]) == {y: n - n // 5 for y, n in total.items()}


def test_digits_are_the_1797_images_scaled_and_split_by_class() -> None:
    """1,797 images of 64 pixels k/16, 1,442 train and 355 test; every fifth image of each digit is a test image."""
    needs_scikit_learn()
    from sklearn.datasets import load_digits

    bunch = load_digits()
    split = digits()
    assert split.classes == tuple("0123456789")
    assert (len(split.train[0]), len(split.test[0])) == (1442, 355)
    check_split(split, 64, class_counts([[float(k == y) for k in range(10)] for y in bunch.target.tolist()]))
    assert all(16.0 * v == int(16.0 * v) for x in split.train[0] + split.test[0] for v in x)
    zeros = [s for s, y in enumerate(bunch.target.tolist()) if y == 0]
    test_zeros = [x for x, y in zip(*split.test) if y[0] == 1.0]
    assert split.train[0][0] == [v / 16.0 for v in bunch.data[zeros[0]].tolist()]  # the first 0: train
    assert test_zeros[:2] == [[v / 16.0 for v in bunch.data[zeros[s]].tolist()] for s in (4, 9)]  # the 5th, 10th
    assert digits() == split


def test_iris_is_150_flowers_scaled_to_the_unit_interval() -> None:
    """150 flowers of 4 measurements, 120 train and 30 test; each measurement spans exactly [0, 1] over all 150."""
    needs_scikit_learn()
    split = iris()
    assert split.classes == ("setosa", "versicolor", "virginica")
    assert (len(split.train[0]), len(split.test[0])) == (120, 30)
    check_split(split, 4, {0: 50, 1: 50, 2: 50})
    columns = list(zip(*(split.train[0] + split.test[0])))
    assert [min(c) for c in columns] == [0.0] * 4 and [max(c) for c in columns] == [1.0] * 4
    assert split.train[0][0] == pytest.approx([(5.1 - 4.3) / 3.6, (3.5 - 2.0) / 2.4, 0.4 / 5.9, 0.1 / 2.4], rel=1e-14)


@pytest.mark.parametrize("loader", [digits, iris])
def test_without_scikit_learn_the_error_names_the_data_extra(monkeypatch: pytest.MonkeyPatch, loader: object) -> None:
    """When scikit-learn cannot be imported, the real data sets raise ImportError saying what to install."""
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    name = loader.__name__  # type: ignore[attr-defined]
    with pytest.raises(
        ImportError, match=rf"datasets.{name}\(\) needs scikit-learn: pip install 'microgradnet\[data\]'"
    ):
        loader()  # type: ignore[operator]


def test_the_toy_data_sets_import_no_scikit_learn() -> None:
    """Importing microgradnet.datasets and making every toy data set loads neither scikit-learn nor numpy."""
    import subprocess

    code = (
        "import sys\n"
        "from microgradnet.datasets import DATASETS\n"
        "for make in DATASETS.values(): make()\n"
        "assert 'sklearn' not in sys.modules and 'numpy' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
