"""Hypothesis as a search for the smallest failing case, for the checkers.

`search(strategy, check, examples, seed)` calls `check` on drawn cases; `check` returns None when a
case passes, else what to report about it. On the first failure hypothesis shrinks the case, and
the report of the smallest one that still fails is kept, with the failures met on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky

Case = TypeVar("Case")
Failure = TypeVar("Failure")

KEPT_FAILURES = 20  # failures kept besides the smallest (to tell apart explanations that fit it alike)

SETTINGS = settings(
    database=None,  # the examples depend on the seed alone, not on earlier runs
    deadline=None,
    report_multiple_bugs=False,  # one failure, the smallest
    verbosity=Verbosity.quiet,  # the checkers write their own report
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.nested_given,  # a checker may run inside the user's own @given test
    ],
)


@dataclass
class Search(Generic[Failure]):
    """How many cases passed before the first failure, the smallest failure's report, whether the same
    case once failed and once passed (`flaky`), and the other failures met while shrinking."""

    passed: int = 0
    failure: Failure | None = None
    flaky: bool = False
    failures: list[Failure] = field(default_factory=list)


class _Failed(Exception):
    def __init__(self, report: Any) -> None:
        super().__init__("the case fails")
        self.report = report


def run(strategy: st.SearchStrategy[Case], test: Callable[[Case], None], examples: int, seed: int | None) -> None:
    """`test` on `examples` cases drawn from `strategy`, the same cases for the same seed (None: random)."""
    hypothesis_test = given(strategy)(settings(SETTINGS, max_examples=examples)(test))
    if seed is not None:
        hypothesis_test = hypothesis_seed(seed)(hypothesis_test)
    hypothesis_test()


def search(
    strategy: st.SearchStrategy[Case], check: Callable[[Case], Failure | None], examples: int, seed: int | None
) -> Search[Failure]:
    """Check `examples` cases; on a failure, the report of the smallest failing case hypothesis finds."""
    result: Search[Failure] = Search()

    def test(case: Case) -> None:
        report = check(case)
        if report is None:
            result.passed += not result.failures
            return
        if len(result.failures) < KEPT_FAILURES:
            result.failures.append(report)
        raise _Failed(report)

    try:
        run(strategy, test, examples, seed)
    except _Failed as failed:
        result.failure = failed.report
    except Flaky:  # the same case failed once and passed once
        result.failure = result.failures[-1]
        result.flaky = True
    return result
