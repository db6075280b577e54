"""Hypothesis strategies shared by the test modules: numbers from each operation's domain,
architectures, activations, weights, inputs and targets."""

from __future__ import annotations

from hypothesis import strategies as st

# Moderate reals: big enough to exercise every branch, small enough that finite differences work.
reals = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False, allow_infinity=False)
positives = st.floats(min_value=0.05, max_value=5.0, allow_nan=False, allow_infinity=False)
nonzero = reals.filter(lambda x: abs(x) > 0.05)
# Away from relu's kink, where the central difference straddles two slopes.
off_kink = reals.filter(lambda x: abs(x) > 1e-3)
