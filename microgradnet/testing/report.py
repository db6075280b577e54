"""The text of the kit's reports: a backprop's mismatch, a backprop's pass, an engine's table.

Parameters are named as the library names them: dC/dw^l_jk is the gradient of the weight
`mlp.layers[l].neurons[j].w[k]` (w[l][j][k]), dC/db^l_j that of `mlp.layers[l].neurons[j].b`.
"""

# ruff: noqa: E741  -- `l` is the layer index of the equations

from __future__ import annotations

import traceback
from collections.abc import Sequence
from typing import TYPE_CHECKING

from microgradnet.testing.diagnosis import Diagnosis
from microgradnet.testing.layouts import Layout
from microgradnet.testing.oracle import Comparison, Row
from microgradnet.testing.problem import Network, Parameter, Problem

if TYPE_CHECKING:
    from microgradnet.testing.engines import EngineReport

SHOWN_ENTRIES = 6  # wrong entries listed; the count of all of them follows


def entry(parameter: Parameter) -> str:
    """dC/dw^l_jk or dC/db^l_j, the indices run together while they are single digits."""
    l, j, k = parameter
    if k is None:
        return f"dC/db^{l}_{j}"
    return f"dC/dw^{l}_{j}{k}" if j < 10 and k < 10 else f"dC/dw^{l}_{j},{k}"


def code(parameter: Parameter) -> str:
    """The parameter as code: w[l][j][k] is mlp.layers[l].neurons[j].w[k], b[l][j] its bias."""
    l, j, k = parameter
    return f"b[{l}][{j}]" if k is None else f"w[{l}][{j}][{k}]"


def _number(value: float | None) -> str:
    return "skipped (kink)" if value is None else f"{value + 0.0:.10g}"  # + 0.0 shows -0.0 as 0


def table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Left-aligned columns, two spaces apart; a cell of several lines continues under its column."""
    split = [[cell.split("\n") for cell in row] for row in [header, *rows]]
    widths = [max(len(line) for cell in column for line in cell) for column in zip(*split)]
    lines = []
    for row in split:
        for i in range(max(len(cell) for cell in row)):
            cells = [cell[i] if i < len(cell) else "" for cell in row]
            lines.append((indent + "  ".join(c.ljust(w) for c, w in zip(cells, widths))).rstrip())
    return lines


def describe_network(network: Network) -> str:
    sizes = "-".join(map(str, network.sizes))
    if len(network.biases) == 1:
        return f"network {sizes}, {network.output_activation} output"
    return f"network {sizes}, {network.activation} hidden layers, {network.output_activation} output"


def describe_problem(problem: Problem) -> list[str]:
    """The network, its parameters and the sample(s), exactly (repr), one layer a line."""
    network = problem.network
    lines = [f"{describe_network(network)}, cost {problem.cost.name}"]
    for l, (w, b) in enumerate(zip(network.weights, network.biases)):
        lines.append(f"  w[{l}] = {[list(w_j) for w_j in w]!r}   b[{l}] = {list(b)!r}")
    if problem.batch:
        lines.append(f"  a batch of {len(problem.xs)}: xs = {[list(x) for x in problem.xs]!r}")
        lines.append(f"                ys = {[list(y) for y in problem.ys]!r}")
    else:
        lines.append(f"  x = {list(problem.xs[0])!r}   y = {list(problem.ys[0])!r}")
    return lines


def wrong_entries(comparison: Comparison, layout: Layout) -> list[str]:
    """The first wrong entries, from the output layer back, against both witnesses."""
    wrong: list[Row] = comparison.wrong()
    header = ["entry", "w[l][j][k]", "yours at", "yours", "delta equations", "central difference"]
    rows = [
        [
            entry(r.parameter),
            code(r.parameter),
            layout.where(r.parameter),
            _number(r.got),
            _number(r.expected),
            _number(r.numeric),
        ]
        for r in wrong[:SHOWN_ENTRIES]
    ]
    shown = (
        f"{min(len(wrong), SHOWN_ENTRIES)} of {len(wrong)} wrong"
        if len(wrong) > SHOWN_ENTRIES
        else f"{len(wrong)} wrong"
    )
    lines = [
        f"The first wrong entries, from the output layer back ({shown} of {len(comparison.rows)} parameters;",
        "w[l][j][k] is mlp.layers[l].neurons[j].w[k], b[l][j] its bias):",
    ]
    lines += table(header, rows)
    if all(r.numeric is not None and r.agrees_with_differences(comparison.tolerance) for r in wrong):
        lines.append(
            "Note: your numbers agree with central differences, which the delta equations do not: "
            "the oracle compared with may be wrong."
        )
    return lines


def diagnosis_lines(diagnosis: Diagnosis) -> list[str]:
    """The equations from the output back, the first that fails, and the catalogued mistakes matched."""
    lines = ["Diagnosis:"]
    if diagnosis.note:
        lines.append(f"  {diagnosis.note}")
    if diagnosis.case is not None:
        lines.append(
            "  In the smallest case a^(l-1) = 0, so dC/dw^l = 0 whatever delta^l is and cannot tell a wrong delta "
            "from a wrong dC/db; the equations are checked on this failing case instead:"
        )
        lines += ["  " + line for line in describe_problem(diagnosis.case)]
    if diagnosis.checks:
        lines.append(
            "  Layer by layer from the output back, on your own numbers (your delta^l is your dC/db^l, by BP3):"
        )
        L = max(check.layer for check in diagnosis.checks)
        rows = []
        previous = None
        for check in diagnosis.checks:
            where = (
                "" if check.layer == previous else f"layer {check.layer}" + (" (output)" if check.layer == L else "")
            )
            previous = check.layer
            rows.append([where, check.equation, check.statement, "holds" if check.holds else "DISAGREES"])
        lines += table(["layer", "eq.", "equation", ""], rows, indent="    ")
        first = diagnosis.first_failure
        if first is not None:
            lines.append(f"  The first equation that disagrees: {first.equation} in layer {first.layer}.")
    if diagnosis.mistakes:
        lead = "a classic mistake" if len(diagnosis.mistakes) == 1 else "each of these classic mistakes"
        lines.append(f"  Your numbers are exactly those of {lead}:")
        for mistake in diagnosis.mistakes:
            lines += [
                f"    {mistake.name}  ({mistake.equation})",
                f"      the derivation says  {mistake.breaks}",
                f"      the mistake writes   {mistake.instead}",
            ]
    else:
        lines.append("  Your numbers match no mistake of the catalogue.")
    return lines


def reproduce(problem: Problem, layout: Layout, name: str = "fn", returns: str = "dw, db") -> list[str]:
    """The arguments of the smallest case as code, and the call of the function called `name` on them."""
    source = layout.source(problem, f"{returns} = {name if name.isidentifier() else 'fn'}")
    return [f"To reproduce (layout {layout.name!r}):", *("  " + line for line in source.splitlines())]


def exception(error: BaseException) -> str:
    """`Type: message (at file:line, in function)`, the place being the innermost frame of the traceback."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno}, in {frames[-1].name})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def engine_text(engine_report: EngineReport) -> str:
    """The engine's operations, then a table of every property: holds or not, its smallest counterexample."""
    verdicts = {True: "yes", False: "NO", None: "-"}
    failed = sum(finding.holds is False for finding in engine_report.findings)
    lines = [
        f"check_engine: {engine_report.engine} against microgradnet and central differences ({engine_report.settings})",
        "",
        f"supported: {', '.join(engine_report.supported)}",
    ]
    if engine_report.unsupported:
        lines.append("not supported:")
        lines += [f"  {name}  ({error})" for name, error in engine_report.unsupported]
    rows = [[f.title, verdicts[f.holds], f.counterexample or "-"] for f in engine_report.findings]
    lines += ["", *table(["property", "holds", "smallest counterexample"], rows, indent="")]
    lines += ["", "every property holds" if failed == 0 else f"{failed} of {len(rows)} properties do not hold"]
    return "\n".join(lines)
