"""Check your own backprop, or your own autograd engine, with property-based tests.

    from microgradnet.testing import check_backprop
    check_backprop(my_backprop)                    # my_backprop(weights, biases, x, y) -> (dC/dw, dC/db)
    check_backprop(my_backprop, layout="nielsen")  # numpy arrays as Nielsen's network.py keeps them
    check_backprop(Network)                        # the backprop(x, y) method of network.py's Network class

Hypothesis draws the networks (with saturated sigmoids, relus at their kink and non-square layers),
compares the function's gradients with the delta equations (BP1-BP4 of Nielsen's chapter 2, in
`microgradnet.delta`) and with central differences, and on a mismatch raises `BackpropMismatch`
with the smallest failing network, the first equation that breaks and the classic mistake the numbers
match. `check_engine` does the same for a micrograd-like `Value` class. The strategies (`networks`,
`samples`, `batches`, `costs`, `expressions`) compose into your own hypothesis tests.

Needs hypothesis: pip install 'microgradnet[testing]'.
"""

try:
    import hypothesis  # noqa: F401
except ImportError:
    raise ImportError("microgradnet.testing needs hypothesis: pip install 'microgradnet[testing]'") from None

from microgradnet.testing.adapters import nielsen_network
from microgradnet.testing.backprop import BackpropMismatch, BackpropReport, check_backprop
from microgradnet.testing.diagnosis import Diagnosis, EquationCheck
from microgradnet.testing.engines import PROPERTIES, EngineMismatch, EngineReport, Finding, check_engine
from microgradnet.testing.layouts import LISTS, NIELSEN, Layout, LayoutError
from microgradnet.testing.mistakes import MISTAKES, Mistake, NotApplicable, Steps
from microgradnet.testing.operations import OPERATIONS, Expression, Operation
from microgradnet.testing.problem import COSTS, Batch, Cost, Gradients, Network, Problem, Sample
from microgradnet.testing.strategies import batches, costs, expressions, networks, parameters, problems, samples

__all__ = [
    "COSTS",
    "LISTS",
    "MISTAKES",
    "NIELSEN",
    "OPERATIONS",
    "PROPERTIES",
    "BackpropMismatch",
    "BackpropReport",
    "Batch",
    "Cost",
    "Diagnosis",
    "EngineMismatch",
    "EngineReport",
    "EquationCheck",
    "Expression",
    "Finding",
    "Gradients",
    "Layout",
    "LayoutError",
    "Mistake",
    "Network",
    "NotApplicable",
    "Operation",
    "Problem",
    "Sample",
    "Steps",
    "batches",
    "check_backprop",
    "check_engine",
    "costs",
    "expressions",
    "networks",
    "nielsen_network",
    "parameters",
    "problems",
    "samples",
]
