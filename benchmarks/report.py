"""The speed and memory targets checked on one run's results, and the results as Markdown tables."""

from __future__ import annotations

from typing import Any

SPEEDUP_TARGET = 100.0  # microgradnet at least 100x faster than micrograd on W1, collector on
COMPILED_TARGET = 0.5  # the compiled step at most half the hand-written delta loop's time
MEMORY_TARGET = 0.25  # microgradnet's bytes per node at most a quarter of micrograd's
GRADIENT_TOLERANCE = 1e-12
C_NUMPY_TARGET = 2.0  # the C back end's W1 step at most twice numpy's closed form
C_SPEEDUP_TARGET = 5000.0  # and at least 5,000x faster than micrograd, collector on
C_COMPILE_TARGET = 2.0  # seconds to trace, generate and compile a 784-32-10 MLP's cost
C_STEP = "microgradnet compiled C"


def targets(out: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target that this run measured: what it demands, the measured figure, whether it holds."""
    checks: list[dict[str, Any]] = []
    if "w1" in out:
        impls = out["w1"]["implementations"]
        ours, theirs = impls["microgradnet"]["median"]["gc on"], impls["micrograd"]["median"]["gc on"]
        speedup = theirs["step"] / ours["step"]
        checks.append(
            _check(
                "W1: microgradnet >= 100x faster than micrograd (gc on)", f"{speedup:.0f}x", speedup >= SPEEDUP_TARGET
            )
        )
        for mode in ("gc on", "gc off"):
            phases = impls["microgradnet"]["median"][mode]
            ratio = phases["backward"] / phases["forward"]
            checks.append(
                _check(
                    f"W1: microgradnet backward <= forward ({mode})", f"backward/forward = {ratio:.2f}", ratio <= 1.0
                )
            )
        if "microgradnet compiled" in impls:
            reference = impls[out["w1"]["reference"]]["median"]["gc on"]["step"]
            ratio = impls["microgradnet compiled"]["median"]["gc on"]["step"] / reference
            checks.append(
                _check("W1: compiled step <= 0.5x the delta loop (gc on)", f"{ratio:.2f}x", ratio <= COMPILED_TARGET)
            )
        if C_STEP in impls:
            c_step = impls[C_STEP]["median"]["gc on"]["step"]
            ratio = c_step / impls["numpy (matrices)"]["median"]["gc on"]["step"]
            checks.append(_check("W1: C back end step <= 2x numpy (gc on)", f"{ratio:.2f}x", ratio <= C_NUMPY_TARGET))
            speedup = theirs["step"] / c_step
            checks.append(
                _check(
                    "W1: C back end >= 5,000x faster than micrograd (gc on)",
                    f"{speedup:,.0f}x",
                    speedup >= C_SPEEDUP_TARGET,
                )
            )
            diff = out["w1"]["c_vs_graph_grad_diff"]
            checks.append(
                _check("W1: C back end gradients equal the graph engine's bit for bit", f"{diff:.1e}", diff == 0.0)
            )
        diff = out["w1"]["largest_grad_diff"]
        checks.append(
            _check("W1: gradients of all implementations agree within 1e-12", f"{diff:.1e}", diff < GRADIENT_TOLERANCE)
        )
    if "c" in out:
        seconds = out["c"]["compile"]["784-32-10"]["c"]
        checks.append(
            _check("784-32-10: trace, generate and compile in C < 2 s", f"{seconds:.2f} s", seconds < C_COMPILE_TARGET)
        )
    if "w2w3" in out:
        errors = [
            case
            for case, result in out["w2w3"].items()
            if result["engine"] == "microgradnet"
            for phases in result["median"].values()
            if isinstance(phases["backward"], str)
        ]
        checks.append(
            _check("W2/W3: microgradnet runs without recursion errors", ", ".join(errors) or "none", not errors)
        )
    if "w4" in out:
        for graph in ("chain +", "chain *"):
            ratio = out["w4"][graph]["microgradnet"] / out["w4"][graph]["micrograd"]
            checks.append(
                _check(f"W4: bytes per node <= 1/4 of micrograd's ({graph})", f"{ratio:.3f}", ratio <= MEMORY_TARGET)
            )
    return checks


def _check(target: str, measured: str, holds: bool) -> dict[str, Any]:
    return {"target": target, "measured": measured, "holds": holds}


def render(out: dict[str, Any]) -> str:
    """Markdown tables of every workload in `out`, then the targets."""
    m = out["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['cpus']} CPUs, {m['implementation']} {m['python']}, {m['platform']}; "
        f"micrograd {m['versions']['micrograd']}, numpy {m['versions']['numpy']}. "
        f"Load average at the start: {', '.join(f'{x:.1f}' for x in m['load_average'] or [])}. "
        f"Medians of {out['repeat']} samples, implementations interleaved, wall-clock time.",
    ]
    if "w1" in out:
        lines += ["", *_w1(out["w1"])]
    if "c" in out:
        lines += ["", *_c(out["c"])]
    if "w2w3" in out:
        lines += ["", *_w2w3(out["w2w3"])]
    if "w4" in out:
        lines += ["", *_w4(out["w4"])]
    lines += ["", "| target | measured | holds |", "|---|---|---|"]
    lines += [f"| {c['target']} | {c['measured']} | {'yes' if c['holds'] else 'no'} |" for c in out["targets"]]
    return "\n".join(lines)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3f}" if seconds < 0.01 else f"{seconds * 1e3:.1f}"


def _w1(w1: dict[str, Any]) -> list[str]:
    impls = w1["implementations"]
    micrograd = impls["micrograd"]["median"]
    reference = impls[w1["reference"]]["median"]
    lines = [
        "W1 `mlp-step`: one SGD step (lr 0.1) of a 2-16-16-1 sigmoid MLP on 100 two-moons samples, "
        "cost = mean over samples of half_sse. Times in ms per step.",
        "",
        "| implementation | nodes/step | step (gc on) | forward | backward | update | step (gc off) "
        "| micrograd ÷ this, gc on | gc off | this ÷ delta loop, gc on | max abs grad diff vs delta loop |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in impls.items():
        on, off = result["median"]["gc on"], result["median"]["gc off"]
        nodes = f"{result['nodes']:,}" if result["nodes"] is not None else "-"
        flag = "" if result["max_grad_diff"] < GRADIENT_TOLERANCE else " **FAIL**"
        lines.append(
            f"| {name} | {nodes} | {_ms(on['step'])} | {_ms(on['forward'])} | {_ms(on['backward'])} "
            f"| {_ms(on['update'])} | {_ms(off['step'])} | {micrograd['gc on']['step'] / on['step']:.1f}x "
            f"| {micrograd['gc off']['step'] / off['step']:.1f}x | {on['step'] / reference['gc on']['step']:.2f}x "
            f"| {result['max_grad_diff']:.1e}{flag} |"
        )
    lines.append(f"\nLargest gradient difference between any two implementations: {w1['largest_grad_diff']:.1e}.")
    for name, result in impls.items():
        if result.get("compile_seconds") is not None:
            lines.append(
                f"{name}: tracing and code generation took {_ms(result['compile_seconds'])} ms, once "
                "(not in the step times); its forward column is the whole step (both passes run per sample)."
            )
    return lines


def _c(c: dict[str, Any]) -> list[str]:
    lines = [
        "The C back end at larger sizes (one SGD step, half_sse; ms per step, gc on), and the cost of compiling.",
        "",
        "| problem | numpy (matrices) | microgradnet compiled C | hand-written C loop | C ÷ numpy | C ÷ hand-written |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, times in c["sizes"].items():
        numpy, ours, hand = times["numpy (matrices)"], times[C_STEP], times["hand-written C loop"]
        lines.append(
            f"| {label} | {_ms(numpy)} | {_ms(ours)} | {_ms(hand)} | {ours / numpy:.2f}x | {ours / hand:.2f}x |"
        )
    lines += [
        "",
        "| MLP | trace + generate + compile, C (s) | trace + generate, Python (s) | Python, per parameter (µs) |",
        "|---|---:|---:|---:|",
    ]
    for sizes, seconds in c["compile"].items():
        lines.append(
            f"| {sizes} | {seconds['c']:.2f} | {seconds['python']:.2f} | {seconds['python per parameter'] * 1e6:.0f} |"
        )
    return lines


def _us(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value * 1e6:.2f}"


def _w2w3(results: dict[str, Any]) -> list[str]:
    lines = [
        "W2 `deep-chain` (y = y + x, N times) and W3 `wide-sum` (N leaves) in microseconds per node.",
        "",
        "| workload | engine | N | forward (gc on) | backward (gc on) | forward (gc off) | backward (gc off) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for result in results.values():
        on, off = result["median"]["gc on"], result["median"]["gc off"]
        lines.append(
            f"| {result['workload']} | {result['engine']} | {result['nodes']:,} | {_us(on['forward'])} "
            f"| {_us(on['backward'])} | {_us(off['forward'])} | {_us(off['backward'])} |"
        )
    return lines


def _w4(w4: dict[str, Any]) -> list[str]:
    lines = [
        f"W4 `memory` (tracemalloc): bytes per node of a chain of {w4['chain_nodes']:,} nodes "
        "y = y op x (one shared leaf x), and bytes held by one W1 step's graph.",
        "",
        "| graph | microgradnet | micrograd | ratio |",
        "|---|---:|---:|---:|",
    ]
    for graph in ("chain +", "chain *"):
        ours, theirs = w4[graph]["microgradnet"], w4[graph]["micrograd"]
        lines.append(f"| {graph}: bytes/node | {ours:.0f} | {theirs:.0f} | {ours / theirs:.3f} |")
    ours, theirs = w4["W1 step"]["microgradnet"], w4["W1 step"]["micrograd"]
    ratio = ours["bytes"] / theirs["bytes"]
    lines.append(f"| W1 step: bytes/step | {ours['bytes']:,.0f} | {theirs['bytes']:,.0f} | {ratio:.3f} |")
    per_ours, per_theirs = ours["bytes"] / ours["nodes"], theirs["bytes"] / theirs["nodes"]
    lines.append(f"| W1 step: bytes/node | {per_ours:.0f} | {per_theirs:.0f} | {per_ours / per_theirs:.3f} |")
    return lines
