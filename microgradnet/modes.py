"""The engine's two modes, `no_grad()` and `detect_anomaly()`, each switched on per thread.

Every operation asks one question after computing its result: `OPEN.count and leaf_or_check(...)`.
While no thread is inside either context (the usual case) that is one attribute read; otherwise
`leaf_or_check` raises `AnomalyError` for a non-finite result under `detect_anomaly()` and says
whether `no_grad()` wants a leaf instead of a node.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager


class _ThreadModes(threading.local):
    """This thread's modes; each starts off in every thread."""

    no_grad: bool = False
    detect_anomaly: bool = False


class _OpenContexts:
    """How many contexts of either mode are open, over all threads (the operations' fast test)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


_modes = _ThreadModes()
OPEN = _OpenContexts()
_open_lock = threading.Lock()


@contextmanager
def _thread_mode(name: str) -> Iterator[None]:
    """Turn this thread's mode `name` on for the block; leaving it (also by an error) restores it."""
    previous = getattr(_modes, name)
    setattr(_modes, name, True)
    with _open_lock:
        OPEN.count += 1
    try:
        yield
    finally:
        setattr(_modes, name, previous)
        with _open_lock:
            OPEN.count -= 1


def no_grad() -> AbstractContextManager[None]:
    """Inside this context operations record no parents: results are leaves (cheap inference).

    The switch is per thread, as in PyTorch, so one thread's `no_grad` never affects another's.
    """
    return _thread_mode("no_grad")


def is_grad_enabled() -> bool:
    """Whether operations in this thread record their parents."""
    return not _modes.no_grad


class AnomalyError(FloatingPointError):
    """Under `detect_anomaly()`: an operation or a gradient became nan or infinite."""


def detect_anomaly() -> AbstractContextManager[None]:
    """Inside this context a nan or an infinity raises `AnomalyError` where it first appears.

    Forward: the first operation whose result is not finite raises, naming the operation, its
    inputs and its output. Backward: the first edge whose gradient contribution
    `g_node * d node/d parent` (or the parent's sum of them) is not finite raises, naming the
    operation and the factors; every `grad` is then left as it was before `backward()`.
    Outside the context nan and inf propagate silently, as floats do. Per thread, like `no_grad`.
    """
    return _thread_mode("detect_anomaly")


def is_anomaly_enabled() -> bool:
    """Whether `detect_anomaly()` is on in this thread."""
    return _modes.detect_anomaly


def leaf_or_check(op: str, inputs: Sequence[float], out: float) -> bool:
    """The mode check of every operation: `AnomalyError` if `op` made a nan or an infinity under
    `detect_anomaly()`, then whether `no_grad()` is on (the result is then a leaf)."""
    if _modes.detect_anomaly and not math.isfinite(out):
        raise AnomalyError(f"detect_anomaly: {op!r} produced {out!r} from the inputs {list(inputs)!r}")
    return _modes.no_grad
