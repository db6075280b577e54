"""`check_backprop`: a hand-written backprop against the delta equations and central differences.

Hypothesis draws networks and samples; each is handed to the function, whose gradients are compared
with `microgradnet.delta` (BP1-BP4) and with central differences of the cost. The first
disagreement is shrunk by hypothesis to the smallest network and sample that still disagree, and
`BackpropMismatch` reports that case: the wrong entries, the first of BP1-BP4 that fails and the
classic mistake the numbers match.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from microgradnet import checks
from microgradnet.nn import check_activation
from microgradnet.testing import report
from microgradnet.testing.diagnosis import Diagnosis, diagnose
from microgradnet.testing.layouts import Layout, LayoutError, Returns, call, get_layout
from microgradnet.testing.mistakes import MISTAKES, Mistake
from microgradnet.testing.oracle import Comparison, Oracle, compare, delta_gradients
from microgradnet.testing.problem import Cost, Problem, resolve_cost
from microgradnet.testing.strategies import problems

KEPT_WITNESSES = 20  # failing comparisons kept to tell apart mistakes that match the shrunk case alike


class BackpropMismatch(AssertionError):
    """The backprop under test disagrees with the delta equations; `str()` is the full report.

    `problem` is the smallest failing case hypothesis found (network, cost, samples), `comparison`
    the function's gradients there against both witnesses (`comparison.wrong()` the wrong entries),
    `diagnosis` the first failing equation and the catalogued mistakes matched (None if the function
    raised or returned the wrong shapes; then `error` says what happened).
    """

    def __init__(
        self, text: str, problem: Problem, comparison: Comparison, diagnosis: Diagnosis | None, error: str | None
    ) -> None:
        super().__init__(text)
        self.problem = problem
        self.comparison = comparison
        self.diagnosis = diagnosis
        self.error = error


@dataclass(frozen=True)
class BackpropReport:
    """A passed check: how many examples agreed, and the text the command line prints."""

    examples: int
    text: str

    def __str__(self) -> str:
        return self.text


class _Disagreement(Exception):
    """Raised inside the hypothesis test so hypothesis shrinks the case; carries the comparison."""

    def __init__(self, comparison: Comparison) -> None:
        super().__init__("the backprop under test disagrees")
        self.comparison = comparison


@dataclass
class _Search:
    """One hypothesis run: how many examples agreed before the first failure, the shrunk failure, and
    the failing comparisons met on the way (witnesses to tell apart mistakes that fit the failure alike)."""

    examples: int = 0
    failure: Comparison | None = None
    flaky: bool = False
    witnesses: list[Comparison] = field(default_factory=list)


SETTINGS = settings(
    database=None,
    deadline=None,
    report_multiple_bugs=False,
    verbosity=Verbosity.quiet,
    phases=(Phase.explicit, Phase.generate, Phase.shrink),
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.nested_given,
    ],
)


def _search(
    strategy: st.SearchStrategy[Problem], run: Callable[[Problem], Comparison], examples: int, seed: int | None
) -> _Search:
    """Run `run` on `examples` problems; on a disagreement let hypothesis shrink it, and keep the smallest."""
    search = _Search()

    def test(problem: Problem) -> None:
        comparison = run(problem)
        if comparison.agrees:
            search.examples += not search.witnesses
            return
        if len(search.witnesses) < KEPT_WITNESSES:
            search.witnesses.append(comparison)
        raise _Disagreement(comparison)

    try:
        _run_hypothesis(test, strategy, examples, seed)
    except _Disagreement as disagreement:
        search.failure = disagreement.comparison
    except Flaky:  # the same arguments failed once and passed once
        search.failure = search.witnesses[-1]
        search.flaky = True
    return search


def _run_hypothesis(
    test: Callable[[Problem], None], strategy: st.SearchStrategy[Problem], examples: int, seed: int | None
) -> None:
    hypothesis_test = given(strategy)(settings(SETTINGS, max_examples=examples)(test))
    if seed is not None:
        hypothesis_test = hypothesis_seed(seed)(hypothesis_test)
    hypothesis_test()


WITNESSES = 30  # extra examples drawn to tell apart mistakes that fit the smallest case alike


def _witnesses(
    strategy: st.SearchStrategy[Problem], run: Callable[[Problem], Comparison], seed: int | None
) -> list[Comparison]:
    """The function's comparisons on further drawn problems, agreeing or not."""
    comparisons: list[Comparison] = []
    _run_hypothesis(lambda problem: comparisons.append(run(problem)), strategy, WITNESSES, seed)
    return comparisons


def _runner(
    fn: Callable[..., object], layout: Layout, returns: Returns, tolerance: float, oracle: Oracle
) -> Callable[[Problem], Comparison]:
    """The comparison of fn's answer on a problem with both witnesses (fn's exceptions become its failure)."""

    def run(problem: Problem) -> Comparison:
        try:
            got = call(fn, layout, problem, returns)
        except LayoutError as error:
            return compare(problem, None, str(error), tolerance, oracle)
        except Exception as error:  # whatever the function under test raises is its failure
            return compare(problem, None, _describe_exception(error), tolerance, oracle)
        return compare(problem, got, None, tolerance, oracle)

    return run


def _describe_exception(error: Exception) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno}, in {frames[-1].name})" if frames else ""
    return f"fn raised {type(error).__name__}: {error}{where}"


def _is_square(problem: Problem) -> bool:
    return len(set(problem.network.sizes)) == 1


def check_backprop(
    fn: Callable[..., object],
    *,
    layout: str | Layout = "lists",
    returns: Returns = "dw, db",
    batch: bool = False,
    activation: str = "sigmoid",
    output_activation: str | None = None,
    cost: str | Cost = "half_sse",
    sizes: Sequence[int] | None = None,
    max_layers: int = 3,
    max_width: int = 4,
    examples: int = 200,
    tolerance: float = 1e-6,
    seed: int | None = 0,
    mistakes: Sequence[Mistake] = MISTAKES,
    oracle: Oracle | None = None,
) -> BackpropReport:
    """Check `fn(weights, biases, x, y) -> (dC/dw, dC/db)` on `examples` networks hypothesis draws.

    `fn` gets one sample (or, with `batch=True`, `fn(weights, biases, xs, ys)` gets a batch and
    returns the gradient of the mean cost) in `layout`: "lists" (`weights[l][j][k]` = w^l_jk) or
    "nielsen" (numpy arrays as Nielsen's network.py keeps them). Its gradients must equal those of
    the delta equations within `tolerance` (relative to max(1, |gradient|)) and central differences.
    `activation` (hidden layers), `output_activation` (default: the same) and `cost` ("half_sse",
    "mse", "bce" or a `Cost` with your own dC/da) say what `fn` computes; `sizes` fixes the
    architecture, else 1 to `max_layers` layers of 1 to `max_width` neurons are drawn. The same `seed`
    draws the same examples on every machine (None: new ones on every run).

    Returns a `BackpropReport`; raises `BackpropMismatch` (an AssertionError) with the report of the
    smallest failing case. `mistakes` is the catalogue the diagnosis matches; `oracle` replaces the
    delta equations (give a wrong one to see the checker fail).
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function (weights, biases, x, y) -> (dC/dw, dC/db), got {type(fn).__name__}")
    the_layout = get_layout(layout)
    if returns not in ("dw, db", "db, dw"):
        raise ValueError(f"returns must be 'dw, db' or 'db, dw', got {returns!r}")
    check_activation(activation)
    output = check_activation(output_activation if output_activation is not None else activation)
    the_cost = resolve_cost(cost)
    if the_cost.probabilities and output != "sigmoid":
        raise ValueError(
            f"cost {the_cost.name!r} needs outputs in [0, 1]: use output_activation='sigmoid', not {output!r}"
        )
    checks.count("examples", examples)
    tolerance = checks.real("tolerance", tolerance)
    if tolerance < 0.0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance!r}")
    checks.seed(seed)

    def strategy(square: bool = False) -> st.SearchStrategy[Problem]:
        return problems(
            the_cost,
            batch=batch,
            sizes=sizes,
            activation=activation,
            output_activation=output,
            max_layers=max_layers,
            max_width=max_width,
            square=square,
        )

    shapes = (
        "-".join(map(str, sizes)) if sizes is not None else f"of 1 to {max_layers} layers of 1 to {max_width} neurons"
    )
    setup = (
        f"networks {shapes}, {activation} hidden layers, {output} output, cost {the_cost.name}"
        f"{', batches of 1 to 4 samples' if batch else ''}, layout {the_layout.name!r}, seed {seed}"
    )
    run = _runner(fn, the_layout, returns, tolerance, oracle or delta_gradients)
    search = _search(strategy(), run, examples, seed)
    if search.failure is None:
        text = (
            f"check_backprop: your backprop agrees with the delta equations (BP1-BP4) and central differences "
            f"on {search.examples} examples\n({setup})."
        )
        return BackpropReport(search.examples, text)
    failure = search.failure
    verb = "disagrees with the delta equations (BP1-BP4)" if failure.got is not None else "fails"
    lines = [
        f"check_backprop: your backprop {verb} after {search.examples} agreeing examples",
        f"({setup}).",
    ]
    if search.flaky:
        lines.append(
            "It is not deterministic: the same arguments made it fail once and pass once (state kept between calls?)."
        )
    lines += ["", "The smallest failing case hypothesis found:", *report.describe_problem(failure.problem), ""]
    diagnosis = None
    if failure.got is not None:
        diagnosis = diagnose(failure, mistakes, lambda: [*search.witnesses, *_witnesses(strategy(), run, seed)], run)
        lines += [*report.wrong_entries(failure, the_layout), "", *report.diagnosis_lines(diagnosis)]
    else:
        lines.append(str(failure.error))
        if sizes is None and not _is_square(failure.problem):
            # Where the widths differ a shape mistake breaks; on square layers it gives numbers to diagnose.
            square = _search(strategy(square=True), run, examples, seed)
            lines.append("")
            if square.failure is None:
                lines.append(
                    "On networks whose layers are all as wide as the input (square weight matrices) it agrees: a shape "
                    "error only where widths differ often means W where W^T belongs (BP2) or a^l where a^(l-1) "
                    "belongs (BP4)."
                )
            elif square.failure.got is None:
                lines.append(f"It fails on networks with square weight matrices too: {square.failure.error}")
            else:
                diagnosis = diagnose(
                    square.failure, mistakes, lambda: [*square.witnesses, *_witnesses(strategy(True), run, seed)], run
                )
                lines += [
                    "On networks whose layers are all as wide as the input (square weight matrices, where the shapes "
                    "fit) it returns numbers; the smallest wrong case:",
                    *report.describe_problem(square.failure.problem),
                    "",
                    *report.wrong_entries(square.failure, the_layout),
                    "",
                    *report.diagnosis_lines(diagnosis),
                ]
    lines += ["", *report.reproduce(failure.problem, the_layout)]
    raise BackpropMismatch("\n".join(lines), failure.problem, failure, diagnosis, failure.error)
