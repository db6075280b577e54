"""gradcheck leaves every gradient as it found it: of its own inputs, and of the Values the function captures."""

from __future__ import annotations

import importlib

import pytest

from microgradnet import Value, gradcheck
from microgradnet.gradcheck import GradcheckError

gradcheck_module = importlib.import_module("microgradnet.gradcheck")  # the name `gradcheck` is the function


def _captured() -> tuple[Value, Value]:
    """A leaf w and an interior node c = 2 w, with gradients already in them (as after an earlier backward)."""
    w = Value(2.0, "w")
    c = w * 2.0
    w.grad, c.grad = 5.0, 7.0
    return w, c


def test_gradcheck_leaves_the_gradients_of_captured_values_as_it_found_them() -> None:
    """gradcheck(lambda x: x * c + w, [3.0]) passes and w.grad, c.grad are what they were before the call."""
    w, c = _captured()
    assert gradcheck(lambda x: x * c + w, [3.0])
    assert (w.grad, c.grad) == (5.0, 7.0)


def test_gradcheck_restores_the_gradients_when_the_check_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Also when the derivatives disagree (a planted wrong numeric gradient), no captured gradient changes."""
    w, c = _captured()
    monkeypatch.setattr(gradcheck_module, "numeric_gradient", lambda f, inputs, eps: [0.0])
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: x * c + w, [3.0])
    assert (w.grad, c.grad) == (5.0, 7.0)


def test_gradcheck_reads_this_calls_gradient_of_an_input_the_function_returns() -> None:
    """The analytic gradient is d f / d x of this call, even when f returns its input itself."""
    assert gradcheck(lambda x: x, [3.0])
