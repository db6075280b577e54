"""Hypothesis strategies shared by the test modules: numbers from each operation's domain,
architectures, activations, weights, inputs and targets."""

from __future__ import annotations

from hypothesis import strategies as st

from microgradnet import MLP

# Moderate reals: big enough to exercise every branch, small enough that finite differences work.
reals = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False, allow_infinity=False)
positives = st.floats(min_value=0.05, max_value=5.0, allow_nan=False, allow_infinity=False)
nonzero = reals.filter(lambda x: abs(x) > 0.05)
# Away from relu's kink, where the central difference straddles two slopes.
off_kink = reals.filter(lambda x: abs(x) > 1e-3)

# Any finite float, subnormals and the largest magnitudes included: what a saved model must keep exactly.
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
activations = st.sampled_from(["sigmoid", "tanh", "relu", "linear"])


@st.composite
def small_mlps(draw: st.DrawFn) -> MLP:
    """An MLP of 1 to 3 layers, widths 1 to 4, 1 to 4 inputs, random activations, seeded."""
    nin = draw(st.integers(1, 4))
    nouts = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))
    return MLP(nin, nouts, draw(activations), output_activation=draw(activations), seed=draw(st.integers(0, 2**32)))
