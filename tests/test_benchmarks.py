"""The W1 benchmark registry: every implementation takes the same step from the same weights."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from benchmarks.mlp_step import IMPLEMENTATIONS, REFERENCE
from benchmarks.problem import make_problem
from benchmarks.report import GRADIENT_TOLERANCE


@pytest.fixture
def no_gc() -> Iterator[None]:
    """micrograd's closures make cycles; without the collector its step takes a tenth of the time."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def test_every_implementation_steps_twice_with_the_reference_gradients(no_gc: None) -> None:
    """Each registered step runs forward/backward/update twice, and its first gradients match the delta loop's."""
    problem = make_problem()
    gradients = {}
    for name, factory in IMPLEMENTATIONS.items():
        step = factory(problem)
        step.forward()
        step.backward()
        gradients[name] = step.gradients()
        step.nodes()
        step.update()
        step.forward()
        step.backward()
        step.update()
    reference = gradients[REFERENCE]
    for name, grads in gradients.items():
        assert len(grads) == len(reference) == 337, name
        assert max(abs(g - r) for g, r in zip(grads, reference)) < GRADIENT_TOLERANCE, name
