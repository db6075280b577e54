"""The command line's argument types: each turns a string into a checked value or raises
`argparse.ArgumentTypeError`, which argparse reports as a usage error (exit status 2)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path


def positive_int(text: str) -> int:
    """An int >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    """A finite float >= 0."""
    value = _float(text)
    if value < 0.0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value!r}")
    return value


def positive_float(text: str) -> float:
    """A finite float > 0."""
    value = _float(text)
    if value <= 0.0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value!r}")
    return value


def unit_interval(text: str) -> float:
    """A float in [0, 1) (a momentum)."""
    value = _float(text)
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {value!r}")
    return value


def seed(text: str) -> int:
    """An int >= 0, a random seed (Python's random repeats seed k for -k)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def architecture(text: str) -> list[int]:
    """Comma-separated widths of the input and of every layer, e.g. "2,3,1": at least two numbers."""
    sizes = layer_sizes(text)
    if len(sizes) < 2:
        raise argparse.ArgumentTypeError(f"expected the input width and at least one layer, like 2,3,1; got {text!r}")
    return sizes


def layer_sizes(text: str) -> list[int]:
    """Comma-separated layer widths, e.g. "8,8" -> [8, 8]; "" or "none" -> [] (no hidden layer)."""
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [positive_int(part.strip()) for part in text.split(",")]
    except argparse.ArgumentTypeError as error:
        raise argparse.ArgumentTypeError(f"expected comma-separated layer sizes like 8,8 ({error})") from None


def model_path(text: str) -> Path:
    """A file to save a model into: a file name (not a folder), in a folder that exists."""
    from microgradnet.serialize import save_target

    try:
        target = save_target(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if not target.parent.is_dir():
        raise argparse.ArgumentTypeError(f"cannot save to {text!r}: the folder {str(target.parent)!r} does not exist")
    return Path(text)


def batch_size(text: str) -> int | None:
    """A batch size >= 1, or "full" for the whole data set."""
    return None if text.strip().lower() == "full" else positive_int(text)
