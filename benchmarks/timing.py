"""How every figure is measured: samples taken with the garbage collector on or off, started from
a freshly collected heap (W1: then one untimed step), and summarised by their median."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from benchmarks.mlp_step import Step

GC_MODES = {"gc on": True, "gc off": False}


@contextmanager
def collector(enabled: bool) -> Iterator[None]:
    """Collect garbage (untimed), then run the block with the cyclic collector on or off."""
    gc.collect()
    was_enabled = gc.isenabled()
    if enabled:
        gc.enable()
    else:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


def time_steps(step: Step, k: int) -> dict[str, float]:
    """Seconds per training step over k consecutive steps: each phase, and the whole step.

    One untimed step runs first, so the timed ones meet the heap of a running training loop
    (the previous step's garbage, the collector's generations part full), not the freshly
    collected heap a sample starts from: micrograd's first step after `gc.collect()` takes
    about a third of its steady-state time.
    """
    step.forward()
    step.backward()
    step.update()
    clock = time.perf_counter
    forward = backward = update = 0.0
    start = clock()
    for _ in range(k):
        t0 = clock()
        step.forward()
        t1 = clock()
        step.backward()
        t2 = clock()
        step.update()
        t3 = clock()
        forward += t1 - t0
        backward += t2 - t1
        update += t3 - t2
    total = clock() - start
    return {"forward": forward / k, "backward": backward / k, "update": update / k, "step": total / k}


def steps_per_sample(seconds_per_step: float, target: float, minimum: int = 3) -> int:
    """Enough consecutive steps for a sample to last about `target` seconds (at least `minimum`)."""
    return max(minimum, round(target / max(seconds_per_step, 1e-9)))


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def rotated(names: list[str], repetition: int) -> list[str]:
    """The run order of one repetition: rotated each time so no implementation always goes first."""
    shift = repetition % len(names)
    return names[shift:] + names[:shift]


Sampler = Callable[[], dict[str, float | str]]
