"""Optimizers: SGD (with momentum) and Adam, updating `p.data` from `p.grad` as PyTorch does.

Both take the parameters to update (e.g. `mlp.parameters()`) and give `step()` (apply one update
from the current gradients) and `zero_grad()` (set those gradients to 0, since `backward()`
accumulates). A training step is therefore:

    optimizer.zero_grad()
    cost.backward()
    optimizer.step()

`step()` refuses a non-finite gradient (`nan` or `inf`): it raises `ValueError` naming the
parameter and its gradient before changing any parameter, because one such update silently
turns every later output into `nan`. Pass `allow_nonfinite=True` to apply it anyway.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from microgradnet import checks
from microgradnet.engine import Value


def _check_unit_interval(name: str, value: object) -> float:
    """`value` if it lies in [0, 1) (a decay rate: 1 would never forget), else a `ValueError`."""
    number = checks.real(name, value)
    if not 0.0 <= number < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {number!r}")
    return number


def check_non_negative(name: str, value: object) -> float:
    """`value` as a float, a `ValueError` naming `name` if it is negative (a learning rate, a decay)."""
    number = checks.real(name, value)
    if number < 0.0:
        raise ValueError(f"{name} must be >= 0, got {number!r}")
    return number


class Optimizer:
    """What every optimizer shares: the checked parameter list, `zero_grad()` and the gradient check."""

    def __init__(self, params: Iterable[Value], lr: float, *, allow_nonfinite: bool = False) -> None:
        if isinstance(params, Value):
            raise TypeError("params must be an iterable of Values (e.g. mlp.parameters()), got a single Value")
        if not isinstance(params, Iterable):
            raise TypeError(
                f"params must be an iterable of Values (e.g. mlp.parameters()), got {type(params).__name__}"
            )
        self.params = list(params)
        if not self.params:
            raise ValueError("params is empty: an optimizer needs at least one Value to update")
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"params[{i}] must be a Value, got {type(p).__name__}: {p!r}")
            if id(p) in seen:
                raise ValueError(f"params[{i}] ({p.label or 'unlabelled'}) appears twice; it would be updated twice")
            seen.add(id(p))
        self.lr = check_non_negative("lr", lr)
        self.allow_nonfinite = bool(allow_nonfinite)

    def zero_grad(self) -> None:
        """Set `grad` of every parameter to 0 (gradients accumulate across `backward()` calls)."""
        for p in self.params:
            p._grad = 0.0  # the slot itself, as the engine writes it: a 0.0 needs no check

    def _gradients(self) -> list[float]:
        """Each parameter's gradient; a `ValueError` naming the first non-finite one unless allowed."""
        gradients = [p._grad for p in self.params]
        if not self.allow_nonfinite and not all(map(math.isfinite, gradients)):
            for i, (p, g) in enumerate(zip(self.params, gradients)):
                if not math.isfinite(g):
                    name = p.label or f"params[{i}]"
                    raise ValueError(
                        f"non-finite gradient dC/d{name} = {g!r}; no parameter was updated "
                        "(pass allow_nonfinite=True to apply it anyway)"
                    )
        return gradients

    def _apply(self, updates: list[float]) -> None:
        """p <- p - update for every parameter, all or none: a `ValueError` naming the first parameter the
        update would make non-finite (a learning rate so large that it overflows), unless allowed."""
        new = [p._data - u for p, u in zip(self.params, updates)]
        if not self.allow_nonfinite and not all(map(math.isfinite, new)):
            for i, (p, value) in enumerate(zip(self.params, new)):
                if not math.isfinite(value):
                    raise ValueError(
                        f"the update of {p.label or f'params[{i}]'} gives {value!r} ({p.data!r} - {updates[i]!r}); "
                        "no parameter was updated (lower lr, or pass allow_nonfinite=True)"
                    )
        for p, value in zip(self.params, new):
            p._data = value  # a float: p._data - u is one

    def step(self) -> None:
        """Apply one update to every parameter from its current `grad`."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum mu, as `torch.optim.SGD` (no dampening, no Nesterov).

    For each parameter p with gradient g, at step t = 1, 2, ...:

        b_1 = g,  b_t = mu b_(t-1) + g     (the momentum buffer; unused when mu = 0)
        p  <-  p - lr b_t

    With mu = 0 this is plain gradient descent, p <- p - lr g.
    """

    def __init__(
        self, params: Iterable[Value], lr: float, momentum: float = 0.0, *, allow_nonfinite: bool = False
    ) -> None:
        super().__init__(params, lr, allow_nonfinite=allow_nonfinite)
        self.momentum = _check_unit_interval("momentum", momentum)
        self.buffers: list[float] | None = None  # b_t per parameter, created by the first step

    def step(self) -> None:
        """b_t = mu b_(t-1) + g (b_1 = g), p <- p - lr b_t."""
        gradients = self._gradients()
        if self.momentum == 0.0:
            self._apply([self.lr * g for g in gradients])
            return
        if self.buffers is None:
            buffers = list(gradients)
        else:
            buffers = [self.momentum * b + g for b, g in zip(self.buffers, gradients)]
        self._apply([self.lr * b for b in buffers])
        self.buffers = buffers  # only once the step is taken

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr!r}, momentum={self.momentum!r})"


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction, as `torch.optim.Adam` computes it.

    For each parameter p with gradient g, at step t = 1, 2, ... (m_0 = v_0 = 0):

        m_t = beta1 m_(t-1) + (1 - beta1) g                (first moment)
        v_t = beta2 v_(t-1) + (1 - beta2) g^2              (second moment)
        p  <-  p - (lr / (1 - beta1^t)) m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)

    which is p - lr m_hat / (sqrt(v_hat) + eps) with m_hat = m_t / (1 - beta1^t) and
    v_hat = v_t / (1 - beta2^t), grouped as PyTorch groups it (eps is added after the
    correction of sqrt(v_t)). Results agree with PyTorch's up to floating-point rounding.
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        *,
        allow_nonfinite: bool = False,
    ) -> None:
        super().__init__(params, lr, allow_nonfinite=allow_nonfinite)
        # A sequence, read once: an iterator would be used up by checking it, and a set has no order.
        if isinstance(betas, (str, bytes)) or not isinstance(betas, Sequence) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        beta1, beta2 = betas
        self.betas = (_check_unit_interval("beta1", beta1), _check_unit_interval("beta2", beta2))
        self.eps = check_non_negative("eps", eps)
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        """m_t, v_t from g; p <- p - (lr / (1 - beta1^t)) m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps)."""
        gradients = self._gradients()
        beta1, beta2 = self.betas
        t = self.t + 1
        step_size = self.lr / (1.0 - beta1**t)
        bias_correction2_sqrt = math.sqrt(1.0 - beta2**t)
        m = [beta1 * m_i + (1.0 - beta1) * g for m_i, g in zip(self.m, gradients)]
        v = [beta2 * v_i + (1.0 - beta2) * g * g for v_i, g in zip(self.v, gradients)]
        denominators = [math.sqrt(v_i) / bias_correction2_sqrt + self.eps for v_i in v]
        self._apply([step_size * self._ratio(i, m_i, d) for i, (m_i, d) in enumerate(zip(m, denominators))])
        self.t, self.m, self.v = t, m, v  # only once the step is taken

    def _ratio(self, i: int, m_i: float, denominator: float) -> float:
        """m_t / (sqrt(v_t) / sqrt(1 - beta2^t) + eps), which is 0 where m_t = 0 even when eps = 0 and v_t = 0
        (a parameter whose gradients were all 0, e.g. behind a dead relu); with eps = 0, v_t = 0 and m_t != 0
        the update is infinite, and a `ValueError` says why v_t is 0."""
        if m_i == 0.0:
            return 0.0
        if denominator == 0.0:
            p, g = self.params[i], self.params[i].grad
            if g != 0.0:
                why = f"(1 - beta2) g^2 underflows to 0.0 for its gradient g = {g!r}"
            else:
                decay = f"beta2 = {self.betas[1]!r}"
                why = f"its gradient is 0.0 now and v = beta2 v + (1 - beta2) g^2 has decayed to 0 ({decay})"
            raise ValueError(
                f"Adam: params[{i}] ({p.label or 'unlabelled'}) has m = {m_i!r} but v = 0.0, so with eps = 0 "
                f"its update m / sqrt(v) is infinite: {why}; use eps > 0"
            )
        return m_i / denominator

    def __repr__(self) -> str:
        return f"Adam({len(self.params)} parameters, lr={self.lr!r}, betas={self.betas!r}, eps={self.eps!r})"


OPTIMIZERS = {"sgd": SGD, "adam": Adam}

__all__ = ["OPTIMIZERS", "SGD", "Adam", "Optimizer"]
