"""`check_backprop`: a hand-written backprop against the delta equations and central differences.

Hypothesis draws networks and samples; each is handed to the function, whose gradients are compared
with `microgradnet.delta` (BP1-BP4) and with central differences of the cost. The first
disagreement is shrunk by hypothesis to the smallest network and sample that still disagree, and
`BackpropMismatch` reports that case: the wrong entries, the first of BP1-BP4 that fails and the
classic mistake the numbers match.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from microgradnet import checks
from microgradnet.activations import check_activation
from microgradnet.testing import kinks, report
from microgradnet.testing.adapters import adapt, check_signature
from microgradnet.testing.diagnosis import Diagnosis, diagnose
from microgradnet.testing.layouts import DOUBLE, Layout, LayoutError, Returns, call, get_layout
from microgradnet.testing.mistakes import MISTAKES, Mistake
from microgradnet.testing.oracle import Comparison, Oracle, compare, delta_gradients
from microgradnet.testing.problem import Cost, Problem, resolve_cost
from microgradnet.testing.search import Search, search
from microgradnet.testing.search import run as run_cases
from microgradnet.testing.strategies import problems


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


WITNESSES = 30  # extra cases drawn to tell apart mistakes that fit the smallest case alike


def _search(
    strategy: st.SearchStrategy[Problem], run: Callable[[Problem], Comparison], examples: int, seed: int | None
) -> Search[Comparison]:
    return search(strategy, lambda problem: None if (comparison := run(problem)).agrees else comparison, examples, seed)


def _witnesses(
    strategy: st.SearchStrategy[Problem], run: Callable[[Problem], Comparison], seed: int | None
) -> list[Comparison]:
    """The function's comparisons on further drawn problems, agreeing or not."""
    comparisons: list[Comparison] = []
    run_cases(strategy, lambda problem: comparisons.append(run(problem)), WITNESSES, seed)
    return comparisons


def precision_tolerance(roundoff: float) -> float:
    """The tolerance gradients of this unit roundoff can meet: 4 sqrt(u), 1e-3 for float32 (whose gradients
    differ from the delta equations' by up to 5e-5 on the networks drawn here, measured on 3000 of them)."""
    return 4.0 * math.sqrt(roundoff) if roundoff > DOUBLE else 0.0


class _Runner:
    """The comparison of fn's answer on a problem with both witnesses (fn's exceptions become its failure);
    `roundoff` is the largest unit roundoff of the gradients it returned so far (float32 arrays: 2^-24)."""

    def __init__(
        self,
        fn: Callable[..., object],
        layout: Layout,
        returns: Returns,
        tolerance: float,
        oracle: Oracle | None,
        relu_slopes: Sequence[float],
    ) -> None:
        self.fn, self.layout, self.returns, self.tolerance = fn, layout, returns, tolerance
        self.oracle, self.relu_slopes = oracle, relu_slopes
        self.roundoff = DOUBLE

    def __call__(self, problem: Problem) -> Comparison:
        oracle = self.oracle or delta_gradients
        try:
            got, roundoff = call(self.fn, self.layout, problem, self.returns)
        except LayoutError as error:
            return compare(problem, None, str(error), self.tolerance, oracle)
        except Exception as error:  # whatever the function under test raises is its failure
            return compare(problem, None, "fn raised " + report.exception(error), self.tolerance, oracle)
        self.roundoff = max(self.roundoff, roundoff)
        comparison = compare(problem, got, None, max(self.tolerance, precision_tolerance(roundoff)), oracle)
        if comparison.agrees or self.oracle is not None:
            return comparison
        # A relu at its kink: any of the allowed slopes relu'(0) is right.
        alternatives = [comparison.against(expected) for expected in kinks.kink_gradients(problem, self.relu_slopes)]
        return next((c for c in alternatives if c.agrees), alternatives[0] if alternatives else comparison)


def _bits(roundoff: float) -> int:
    """The width of a binary float of this unit roundoff: 32 for 2^-24, 16 for 2^-11."""
    return {2.0**-24: 32, 2.0**-11: 16}.get(roundoff, 8)


def _is_square(problem: Problem) -> bool:
    return len(set(problem.network.sizes)) == 1


def check_backprop(
    fn: Callable[..., object],
    *,
    layout: str | Layout | None = None,
    returns: Returns | None = None,
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
    relu_prime_at_0: float | Sequence[float] = kinks.SLOPES,
    mistakes: Sequence[Mistake] = MISTAKES,
    oracle: Oracle | None = None,
) -> BackpropReport:
    """Check `fn(weights, biases, x, y) -> (dC/dw, dC/db)` on `examples` networks hypothesis draws.

    `fn` gets one sample (or, with `batch=True`, `fn(weights, biases, xs, ys)` gets a batch and
    returns the gradient of the mean cost) in `layout`: "lists" (`weights[l][j][k]` = w^l_jk, the
    default) or "nielsen" (numpy arrays as Nielsen's network.py keeps them). `fn` may also be a network
    class like Nielsen's `Network` or an object's `backprop` method (see `nielsen_network`): then the
    layout is "nielsen" and `returns` "db, dw" unless given. Its gradients must equal those of the
    delta equations within `tolerance` (relative to max(1, |gradient|); float32 gradients within
    1e-3) and central differences. `activation` (hidden layers), `output_activation` (default: the
    same) and `cost` ("half_sse", "mse", "bce" or a `Cost` with your own dC/da) say what `fn` computes;
    `sizes` fixes the architecture, else 1 to `max_layers` layers of 1 to `max_width` neurons are
    drawn. At a relu's kink (z = 0) any slope in `relu_prime_at_0` is accepted, used alike at every
    kink (default 0, 1/2 or 1; 0.0 insists on PyTorch's). The same `seed` draws the same examples on
    every machine (None: new ones on every run).

    Returns a `BackpropReport`; raises `BackpropMismatch` (an AssertionError) with the report of the
    smallest failing case, and TypeError if `fn` cannot take four arguments. `mistakes` is the catalogue
    the diagnosis matches; `oracle` replaces the delta equations (give a wrong one to see the checker fail).
    """
    __tracebackhide__ = True  # pytest shows the report, not this function's code
    if not callable(fn):
        raise TypeError(f"fn must be a function (weights, biases, x, y) -> (dC/dw, dC/db), got {type(fn).__name__}")
    fn, network = adapt(fn)
    if network and batch:
        raise ValueError(
            "batch=True needs fn(weights, biases, xs, ys); a network's backprop(x, y) is checked one sample at a time"
        )
    the_layout = get_layout(layout if layout is not None else "nielsen" if network else "lists")
    if returns is None:
        returns = "db, dw" if network else "dw, db"
    if returns not in ("dw, db", "db, dw"):
        raise ValueError(f"returns must be 'dw, db' or 'db, dw', got {returns!r}")
    relu_slopes = kinks.slopes(relu_prime_at_0)
    check_activation(activation)
    output = check_activation(output_activation if output_activation is not None else activation)
    the_cost = resolve_cost(cost)
    if the_cost.probabilities and output != "sigmoid":
        raise ValueError(
            f"cost {the_cost.name!r} needs outputs in [0, 1]: use output_activation='sigmoid', not {output!r}"
        )
    check_signature(fn, batch)
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
    run = _Runner(fn, the_layout, returns, tolerance, oracle, relu_slopes)
    search = _search(strategy(), run, examples, seed)
    if run.roundoff > DOUBLE:
        setup += (
            f"; your gradients are float{_bits(run.roundoff)}: compared within {precision_tolerance(run.roundoff):.2g}"
        )
    if search.failure is None:
        text = (
            f"check_backprop: your backprop agrees with the delta equations (BP1-BP4) and central differences "
            f"on {search.passed} examples\n({setup})."
        )
        return BackpropReport(search.passed, text)
    failure = search.failure
    verb = "disagrees with the delta equations (BP1-BP4)" if failure.got is not None else "fails"
    lines = [
        f"check_backprop: your backprop {verb} after {search.passed} agreeing examples",
        f"({setup}).",
    ]
    if search.flaky:
        lines.append(
            "It is not deterministic: the same arguments made it fail once and pass once (state kept between calls?)."
        )
    lines += ["", "The smallest failing case hypothesis found:", *report.describe_problem(failure.problem), ""]
    diagnosis = None
    if failure.got is not None:
        diagnosis = diagnose(failure, mistakes, lambda: [*search.failures, *_witnesses(strategy(), run, seed)], run)
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
                    square.failure, mistakes, lambda: [*square.failures, *_witnesses(strategy(True), run, seed)], run
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
    lines += ["", *report.reproduce(failure.problem, the_layout, getattr(fn, "__name__", "fn"), returns)]
    raise BackpropMismatch("\n".join(lines), failure.problem, failure, diagnosis, failure.error)
