"""microgradnet: a scalar autograd engine for learning, teaching and checking backpropagation."""

from typing import Any

from microgradnet.engine import AnomalyError, Value, detect_anomaly, no_grad
from microgradnet.gradcheck import GradcheckError, gradcheck
from microgradnet.nn import MLP, Layer, Module, Neuron
from microgradnet.serialize import ModelFormatError

__all__ = [
    "MLP",
    "AnomalyError",
    "GradcheckError",
    "Layer",
    "ModelFormatError",
    "Module",
    "Neuron",
    "Value",
    "compile_function",
    "detect_anomaly",
    "gradcheck",
    "no_grad",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """`compile_function` is imported on first use: `import microgradnet` does not load the compiler."""
    if name == "compile_function":
        from microgradnet.compiler import compile_function

        return compile_function
    if name == "compile":
        raise AttributeError(
            "microgradnet.compile is now microgradnet.compile_function (the old name hid Python's builtin compile)"
        )
    raise AttributeError(f"module 'microgradnet' has no attribute {name!r}")
