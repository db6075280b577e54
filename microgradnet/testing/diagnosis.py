"""Why a backprop disagrees: the first of BP1-BP4 that fails, and the classic mistake its numbers match.

The equations are checked layer by layer from the output back, each on the function's own numbers:
its delta^l is read from its dC/db^l (BP3 says they are equal), so BP2 at layer l is checked against
its own delta^(l+1), and a wrong number is blamed on the first equation that produces it, not on
every layer it flows into.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from microgradnet import delta
from microgradnet.testing.mistakes import Mistake, gradients_with
from microgradnet.testing.oracle import Comparison, backprops, close
from microgradnet.testing.problem import Gradients, Matrix, Problem, Vector


@dataclass(frozen=True)
class EquationCheck:
    """Whether one equation holds in one layer, on the function's own numbers."""

    layer: int
    equation: str  # "BP1" .. "BP4"
    statement: str
    holds: bool


@dataclass(frozen=True)
class Diagnosis:
    """The equations checked from the output back, a note on how they were checked, and the catalogued
    mistakes whose gradients equal the function's."""

    checks: tuple[EquationCheck, ...]
    note: str
    mistakes: tuple[Mistake, ...]
    case: Problem | None = None  # the failing case the equations were checked on, if not the smallest one

    @property
    def first_failure(self) -> EquationCheck | None:
        """The first equation, from the output back, that does not hold."""
        return next((check for check in self.checks if not check.holds), None)


def _close_all(got: Sequence[float], expected: Sequence[float], tolerance: float) -> bool:
    return len(got) == len(expected) and all(close(g, e, tolerance) for g, e in zip(got, expected))


def _close_matrix(got: Matrix, expected: Matrix, tolerance: float) -> bool:
    return len(got) == len(expected) and all(_close_all(g, e, tolerance) for g, e in zip(got, expected))


def _statements(l: int) -> dict[str, str]:
    a_prev = "x_k" if l == 0 else f"a^{l - 1}_k"
    return {
        "BP1": f"delta^{l}_j = dC/da^{l}_j * sigma'(z^{l}_j)",
        "BP2": f"delta^{l}_k = (sum_j w^{l + 1}_jk delta^{l + 1}_j) * sigma'(z^{l}_k)",
        "BP3": f"dC/db^{l}_j = delta^{l}_j",
        "BP4": f"dC/dw^{l}_jk = {a_prev} delta^{l}_j",
    }


@dataclass(frozen=True)
class Location:
    """The equations checked on one sample; `ambiguous` if the first wrong delta^l meets a^(l-1) = 0, where
    dC/dw^l = delta^l a^(l-1) is 0 whatever delta^l is, so it cannot tell a wrong delta (BP1, BP2) from a
    wrong dC/db (BP3)."""

    checks: tuple[EquationCheck, ...]
    ambiguous: bool


def locate(problem: Problem, got: Gradients, backprop: delta.Backprop, tolerance: float) -> Location:
    """BP1 (output layer) or BP2, then BP4 (and BP3 where it alone breaks), layer by layer from the
    output back, for one sample."""
    network = problem.network
    L = len(network.biases) - 1
    inputs = [problem.xs[0], *backprop.a[:-1]]
    checks: list[EquationCheck] = []
    ambiguous = False
    theirs_next: Vector = ()
    for l in reversed(range(L + 1)):
        statements = _statements(l)
        if l == L:
            equation, expected = "BP1", backprop.delta[L]
        else:
            names = [network.layer_activations[l]] * len(backprop.z[l])
            sigma_prime_z = delta.activation_derivative(backprop.z[l], names)
            equation, expected = "BP2", delta.hidden_delta(network.weights[l + 1], theirs_next, sigma_prime_z)
        theirs = got.db[l]
        delta_holds = _close_all(theirs, expected, tolerance)
        from_expected = delta.weight_gradient(expected, inputs[l])
        from_theirs = delta.weight_gradient(theirs, inputs[l])
        if (
            not delta_holds
            and _close_matrix(got.dW[l], from_expected, tolerance)
            and not _close_matrix(got.dW[l], from_theirs, tolerance)
        ):
            # Their dC/dw^l is built from the right delta^l (and BP4 tells the two apart, which it cannot
            # where a^(l-1) = 0); only their dC/db^l is not that delta.
            checks += [
                EquationCheck(l, equation, statements[equation], True),
                EquationCheck(l, "BP3", statements["BP3"], False),
                EquationCheck(l, "BP4", statements["BP4"], True),
            ]
            theirs = expected
        else:
            if not delta_holds and not any(check.holds is False for check in checks):
                ambiguous = _close_matrix(from_theirs, from_expected, tolerance)
            bp4_holds = _close_matrix(got.dW[l], from_theirs, tolerance)
            checks += [
                EquationCheck(l, equation, statements[equation], delta_holds),
                EquationCheck(l, "BP4", statements["BP4"], bp4_holds),
            ]
        theirs_next = theirs
    return Location(tuple(checks), ambiguous)


def _matches(mistake: Mistake, comparison: Comparison) -> bool | None:
    """Whether the function's gradients are the mistake's (None: the mistake cannot be made here)."""
    assert comparison.got is not None
    predicted = gradients_with(mistake.steps, comparison.problem, backprops(comparison.problem))
    if predicted is None:
        return None
    parameters = comparison.problem.network.parameters()
    return all(close(comparison.got[p], predicted[p], comparison.tolerance) for p in parameters)


def matching_mistakes(
    comparison: Comparison, mistakes: Sequence[Mistake], witnesses: Callable[[], Sequence[Comparison]]
) -> tuple[Mistake, ...]:
    """The mistakes whose gradients equal the function's on this comparison; where several do, those that
    no witness (another comparison of the function, asked for only then) contradicts, if any."""
    candidates = [mistake for mistake in mistakes if _matches(mistake, comparison)]
    if len(candidates) > 1:
        others = [witness for witness in witnesses() if witness.got is not None]
        consistent = [mistake for mistake in candidates if not any(_matches(mistake, w) is False for w in others)]
        candidates = consistent or candidates
    return tuple(candidates)


def diagnose(
    comparison: Comparison,
    mistakes: Sequence[Mistake],
    witnesses: Callable[[], Sequence[Comparison]],
    run: Callable[[Problem], Comparison],
) -> Diagnosis:
    """The diagnosis of a comparison in which the function returned wrong numbers; `run` checks the
    function on another problem (each sample of a batch alone), `witnesses` gives other comparisons of
    the function that tell apart mistakes that fit this one alike."""
    assert comparison.got is not None
    problem = comparison.problem
    located = comparison
    note = ""
    alone: list[Comparison] = []
    if len(problem.xs) > 1:
        alone = [run(single) for single in problem.samples()]
        failing = [(s, c) for s, c in enumerate(alone) if not c.agrees and c.got is not None]
        if failing:
            s, located = failing[0]
            note = f"Checked on sample {s} alone (a batch of one), which already disagrees."
        else:
            note = (
                f"Each of the {len(alone)} samples alone agrees; together they do not, so their combination is wrong: "
                "d cost_avg/dp = (1/n) sum_s dC_s/dp for cost_avg = (1/n) sum_s C_s."
            )
    if located.got is None or (located is comparison and len(problem.xs) > 1):
        return Diagnosis((), note, matching_mistakes(comparison, mistakes, lambda: [*alone, *witnesses()]))
    location = locate(located.problem, located.got, backprops(located.problem)[0], comparison.tolerance)
    case = None
    if location.ambiguous:  # check the equations on a failing case with nonzero inputs instead
        for other in _other_cases(located, run, witnesses):
            assert other.got is not None
            other_location = locate(other.problem, other.got, backprops(other.problem)[0], comparison.tolerance)
            if not other_location.ambiguous:
                if _first_failure(other_location) != _first_failure(location):  # else the smallest case says it
                    location, case = other_location, other.problem
                break
    matched = matching_mistakes(comparison, mistakes, lambda: [*alone, *witnesses()])
    return Diagnosis(location.checks, note, matched, case)


def _first_failure(location: Location) -> tuple[int, str] | None:
    return next(((check.layer, check.equation) for check in location.checks if not check.holds), None)


def _other_cases(
    comparison: Comparison, run: Callable[[Problem], Comparison], witnesses: Callable[[], Sequence[Comparison]]
) -> Iterator[Comparison]:
    """Failing single-sample cases: this one with every zero input made 1.0, then the witnesses."""
    problem = comparison.problem
    nudged = tuple(tuple(1.0 if x_k == 0.0 else x_k for x_k in x) for x in problem.xs)
    candidates = [run(Problem(problem.network, problem.cost, nudged, problem.ys, problem.batch))]
    for candidate in itertools.chain(candidates, witnesses()):
        if not candidate.agrees and candidate.got is not None and len(candidate.problem.xs) == 1:
            yield candidate
