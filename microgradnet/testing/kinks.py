"""relu at its kink: where z^l_j = 0 every slope in [0, 1] is a subgradient of relu, so a backprop may
take relu'(0) as 0 (PyTorch's convention, the delta equations'), 1/2 or 1 and still be right.

`kink_gradients` gives the delta equations' gradients with each such slope at every relu whose
weighted input is exactly 0; a backprop agrees if it matches one of them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from microgradnet.testing.mistakes import Steps, gradients_with, sigma_prime
from microgradnet.testing.oracle import backprops
from microgradnet.testing.problem import Gradients, Problem, Vector

SLOPES = (0.0, 0.5, 1.0)  # relu'(0) as PyTorch takes it, as np.heaviside(z, 0.5) does, as z >= 0 does


def slopes(relu_prime_at_0: float | Sequence[float]) -> tuple[float, ...]:
    """The slopes allowed at the kink, each checked to lie in [0, 1] (a ValueError naming it if not)."""
    given = (relu_prime_at_0,) if isinstance(relu_prime_at_0, (int, float)) else tuple(relu_prime_at_0)
    if not given or not all(
        isinstance(s, (int, float)) and not isinstance(s, bool) and math.isfinite(s) and 0.0 <= s <= 1.0 for s in given
    ):
        raise ValueError(
            f"relu_prime_at_0 must be a slope in [0, 1] or a non-empty sequence of them, got {relu_prime_at_0!r}"
        )
    return tuple(float(s) for s in given)


def _relu_prime_at_kink(slope: float) -> Steps:
    def prime(z: Vector, a: Vector, activations: Sequence[str]) -> Vector:
        """sigma'(z^l_j), with relu'(0) = slope."""
        return tuple(
            slope if name == "relu" and z_j == 0.0 else s_j
            for z_j, name, s_j in zip(z, activations, sigma_prime(z, a, activations))
        )

    return Steps(sigma_prime=prime)


def has_kink(problem: Problem) -> bool:
    """Whether some relu of the network sits at its kink on some sample."""
    activations = problem.network.layer_activations
    return any(
        name == "relu" and 0.0 in z_l for forward in backprops(problem) for z_l, name in zip(forward.z, activations)
    )


def kink_gradients(problem: Problem, allowed: Sequence[float]) -> list[Gradients]:
    """The delta equations' gradients with each allowed relu'(0), in order (empty without a kink)."""
    if not has_kink(problem):
        return []
    forward = backprops(problem)
    found = [gradients_with(_relu_prime_at_kink(slope), problem, forward) for slope in allowed]
    return [gradients for gradients in found if gradients is not None]
