"""Argument checks shared by the public entry points: each returns the checked value or raises
the documented error naming the argument (`TypeError` for a wrong type, `ValueError` for a
wrong value). See docs/errors.md."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence


def count(name: str, value: object, minimum: int = 1, reason: str = "") -> int:
    """`value` if it is an int (not a bool) of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}{reason}, got {value}")
    return value


def seed(value: object) -> int | None:
    """`value` if it is an int >= 0 (not a bool) or None: the seed of a `random.Random`.

    A negative seed is refused: `random.Random(-k)` is `random.Random(k)`, so it would silently repeat
    another seed's data and weights.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"seed must be an int or None, got {type(value).__name__}: {value!r}")
    if value < 0:
        raise ValueError(
            f"seed must be >= 0, got {value} (random.Random(-k) is random.Random(k), so it would repeat seed {-value})"
        )
    return value


def real(name: str, value: object, *, finite: bool = True) -> float:
    """`value` as a float if it is a real number (not a bool) within the float range, and finite
    unless `finite=False`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}: {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float ({type(value).__name__} beyond 1.8e308)") from None
    if finite and not math.isfinite(number):
        raise ValueError(f"{name} = {number!r} is not finite")
    return number


def sequence(name: str, values: object, expected: int | None = None, what: str = "numbers") -> Sequence[object]:
    """`values` if it is a sequence that is not a string, of `expected` items if given; `what` names
    them in the length error."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        size = "" if expected is None else f"{expected} "
        raise TypeError(f"{name} must be a sequence of {size}numbers, got {type(values).__name__}")
    if expected is not None and len(values) != expected:
        raise ValueError(f"{name}: expected {expected} {what}, got {len(values)}")
    return values


def real_vector(name: str, values: object, expected: int, what: str = "numbers") -> tuple[float, ...]:
    """`values` as a tuple of `expected` finite floats; `what` names them in the length error."""
    return tuple(real(f"{name}[{k}]", v) for k, v in enumerate(sequence(name, values, expected, what)))


def value_row(name: str, values: object, expected: int | None = None, *, finite: bool = False) -> list[float]:
    """`values` as floats, as `Value` converts them: a sequence of real numbers (`bool` too, as `Value`
    takes them; `expected` of them if given). A number beyond the float range is an `OverflowError`,
    as `Value`'s is, or, with `finite=True`, a `ValueError` like the one for inf and nan."""
    row = []
    for k, x in enumerate(sequence(name, values, expected)):
        if type(x) is not float and not isinstance(x, numbers.Real):
            raise TypeError(f"{name}[{k}] must be a real number (int, float), got {type(x).__name__}: {x!r}")
        try:
            number = float(x)
        except OverflowError:
            if finite:
                raise ValueError(f"{name}[{k}] = an {type(x).__name__} beyond the float range is not finite") from None
            raise OverflowError(f"{name}[{k}] is too large for a float ({type(x).__name__} beyond 1.8e308)") from None
        if finite and not math.isfinite(number):
            raise ValueError(f"{name}[{k}] = {number!r} is not finite")
        row.append(number)
    return row


def paired(
    names: tuple[str, str],
    first: object,
    second: object,
    *,
    of: str,
    units: tuple[str, str] | None = None,
    when_empty: str = "",
) -> int:
    """The common length of two non-empty sequences of equal length (e.g. inputs and targets);
    `of` says what they hold, `units` how their lengths are counted (default: their names)."""
    for name, seq in zip(names, (first, second)):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence):
            raise TypeError(f"{name} must be a sequence of {of}, got {type(seq).__name__}")
    assert isinstance(first, Sequence) and isinstance(second, Sequence)
    unit_first, unit_second = units or names
    if len(first) != len(second):
        raise ValueError(
            f"{names[0]} and {names[1]} differ in length: {len(first)} {unit_first}, {len(second)} {unit_second}"
        )
    if len(first) == 0:
        raise ValueError(f"{names[0]} and {names[1]} are empty{when_empty}")
    return len(first)
