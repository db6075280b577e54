"""`gradcheck`: compare `backward()` with central finite differences, like torch.autograd.gradcheck."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from microgradnet import checks
from microgradnet.engine import Value, no_grad, topological_order


class GradcheckError(AssertionError):
    """Analytic and numeric derivatives disagree; `mismatches` holds (index, analytic, numeric)."""

    def __init__(self, mismatches: list[tuple[int, float, float]]) -> None:
        self.mismatches = mismatches
        lines = [f"  input {i}: analytic {analytic!r}, numeric {numeric!r}" for i, analytic, numeric in mismatches]
        super().__init__("gradient check failed for these inputs:\n" + "\n".join(lines))


def numeric_gradient(f: Callable[..., Value], inputs: Sequence[float], eps: float) -> list[float]:
    """df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), evaluated without recording a graph."""
    gradient = []
    with no_grad():
        for i in range(len(inputs)):
            shifted = list(inputs)
            shifted[i] = inputs[i] + eps
            forward = f(*map(Value, shifted)).data
            shifted[i] = inputs[i] - eps
            backward = f(*map(Value, shifted)).data
            gradient.append((forward - backward) / (2.0 * eps))
    return gradient


def _analytic_gradient(out: Value, inputs: list[Value]) -> list[float]:
    """d out / d x_i by `out.backward()`, leaving every `grad` in the graph as it was (the inputs' and those of
    Values the function captured, which backward would otherwise add to)."""
    earlier = [(node, node.grad) for node in topological_order(out)]
    try:
        out.backward()
        return [x.grad for x in inputs]  # fresh leaves: their grad was 0 before this backward
    finally:
        for node, grad in earlier:
            node.grad = grad


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """True if every df/dx_i from `backward()` is within `atol + rtol * |numeric|` of the central
    difference; otherwise raise `GradcheckError` naming each input that disagrees.

    `f` takes one `Value` per input and returns a `Value`.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of Values, got {type(f).__name__}: {f!r}")
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(f"inputs must be a sequence of numbers, got {type(inputs).__name__}")
    xs = [checks.real(f"inputs[{i}]", x) for i, x in enumerate(inputs)]
    eps, atol, rtol = checks.real("eps", eps), checks.real("atol", atol), checks.real("rtol", rtol)
    if eps <= 0.0:
        raise ValueError(f"eps must be positive, got {eps!r}")
    if atol < 0.0 or rtol < 0.0:
        raise ValueError(f"atol and rtol must be >= 0, got atol={atol!r}, rtol={rtol!r}")
    values = [Value(x) for x in xs]
    out = f(*values)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value, got {type(out).__name__}")
    analytic = _analytic_gradient(out, values)
    numeric = numeric_gradient(f, xs, eps)
    mismatches = [
        (i, a, n) for i, (a, n) in enumerate(zip(analytic, numeric)) if not abs(a - n) <= atol + rtol * abs(n)
    ]
    if mismatches:
        raise GradcheckError(mismatches)
    return True
