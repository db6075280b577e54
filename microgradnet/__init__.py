"""microgradnet: a scalar autograd engine for learning, teaching and checking backpropagation."""

from microgradnet.compiler import compile
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
    "compile",
    "detect_anomaly",
    "gradcheck",
    "no_grad",
]
__version__ = "0.1.0"
