"""Run every benchmark in one process and print the tables; `python -m benchmarks.run --help`.

Every figure comes from this one run: implementations interleaved (the order rotates each
repetition), each sample started from a freshly collected heap, the median of `--repeat` samples
reported, with the garbage collector on (as users run Python) and off.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import graphs, report
from benchmarks.mlp_step import IMPLEMENTATIONS, REFERENCE, Step
from benchmarks.problem import SIZES, make_problem
from benchmarks.timing import GC_MODES, collector, median, rotated, steps_per_sample, time_steps
from microgradnet.compiler import toolchain

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("micrograd", "numpy"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "versions": versions,
    }


def mlp_step(repeat: int, target: float) -> dict[str, Any]:
    """W1: per implementation, nodes per step, gradient difference and seconds per phase."""
    problem = make_problem()
    steps: dict[str, Step] = {name: factory(problem) for name, factory in IMPLEMENTATIONS.items()}
    first_step: dict[str, float] = {}
    gradients: dict[str, list[float]] = {}
    nodes: dict[str, int | None] = {}
    for name, step in steps.items():  # the first step, from the shared starting weights
        with collector(True):
            start = time.perf_counter()
            step.forward()
            step.backward()
            first_step[name] = time.perf_counter() - start
            gradients[name], nodes[name] = step.gradients(), step.nodes()
            step.update()
    reference = gradients[REFERENCE]
    results: dict[str, Any] = {}
    for name in steps:
        results[name] = {
            "nodes": nodes[name],
            "max_grad_diff": max(abs(g - r) for g, r in zip(gradients[name], reference)),
            "steps_per_sample": steps_per_sample(first_step[name], target),
            "compile_seconds": getattr(steps[name], "compile_seconds", None),  # once, not in the step
            "samples": {mode: [] for mode in GC_MODES},
        }
    for repetition in range(repeat):
        for mode in rotated(list(GC_MODES), repetition):
            for name in rotated(list(steps), repetition):
                with collector(GC_MODES[mode]):
                    results[name]["samples"][mode].append(time_steps(steps[name], results[name]["steps_per_sample"]))
    for result in results.values():
        result["median"] = {
            mode: {phase: median([s[phase] for s in samples]) for phase in samples[0]}
            for mode, samples in result["samples"].items()
        }
    pairs = [(a, b) for a in gradients for b in gradients if a < b]
    c_gradients = gradients.get("microgradnet compiled C", gradients["microgradnet"])
    return {
        "c_vs_graph_grad_diff": max(abs(x - y) for x, y in zip(c_gradients, gradients["microgradnet"])),
        "implementations": results,
        "reference": REFERENCE,
        "largest_grad_diff": max(max(abs(x - y) for x, y in zip(gradients[a], gradients[b])) for a, b in pairs),
    }


def native(repeat: int, target: float) -> dict[str, Any]:
    """The C back end beside numpy's closed form and the hand-written C loop, at larger sizes, and
    the seconds to trace, generate and compile."""
    from benchmarks.mlp_step import NumpyStep
    from benchmarks.native import CompiledCStep, HandWrittenCStep, compile_seconds

    factories: dict[str, Any] = {
        "numpy (matrices)": NumpyStep,
        "microgradnet compiled C": CompiledCStep,
        "hand-written C loop": HandWrittenCStep,
    }
    results: dict[str, Any] = {"sizes": {}, "compile": {}}
    for label, sizes, samples in (
        ("2-16-16-1, 1,000 samples", SIZES, 1000),
        ("784-32-10, 100 samples", [784, 32, 10], 100),
    ):
        problem = make_problem(samples, sizes=sizes)
        steps = {name: factory(problem) for name, factory in factories.items()}
        k = {name: steps_per_sample(_one_step(step), target) for name, step in steps.items()}
        samples_of: dict[str, list[float]] = {name: [] for name in steps}
        for repetition in range(repeat):
            for name in rotated(list(steps), repetition):
                with collector(True):
                    samples_of[name].append(time_steps(steps[name], k[name])["step"])
        results["sizes"][label] = {name: median(times) for name, times in samples_of.items()}
    for sizes in (SIZES, [784, 32, 10]):
        results["compile"]["-".join(map(str, sizes))] = compile_seconds(sizes)
    return results


def _one_step(step: Step) -> float:
    start = time.perf_counter()
    step.forward()
    step.backward()
    step.update()
    return time.perf_counter() - start


def big_graphs(repeat: int, n: int, n_micrograd: int) -> dict[str, Any]:
    """W2 and W3: seconds per node, forward and backward, for each (workload, engine, N)."""
    from micrograd.engine import Value as MicrogradValue

    from microgradnet import Value

    shallow = 900  # the deepest micrograd graph under Python's default recursion limit of 1000
    cases: dict[str, Any] = {
        "deep-chain | microgradnet": lambda: graphs.deep_chain(Value, n),
        f"deep-chain | micrograd | {n_micrograd}": lambda: graphs.deep_chain(MicrogradValue, n_micrograd),
        f"deep-chain | micrograd | {shallow}": lambda: graphs.deep_chain(MicrogradValue, shallow),
        "wide-sum: sum() | microgradnet": lambda: graphs.wide_sum(Value, n),
        "wide-sum: sum_values | microgradnet": lambda: graphs.wide_sum(Value, n, one_node=True),
        f"wide-sum: sum() | micrograd | {n_micrograd}": lambda: graphs.wide_sum(MicrogradValue, n_micrograd),
        f"wide-sum: sum() | micrograd | {shallow}": lambda: graphs.wide_sum(MicrogradValue, shallow),
    }
    samples: dict[str, dict[str, list[dict[str, float | str]]]] = {
        case: {mode: [] for mode in GC_MODES} for case in cases
    }
    for repetition in range(repeat):
        for mode in rotated(list(GC_MODES), repetition):
            for case in rotated(list(cases), repetition):
                with collector(GC_MODES[mode]):
                    samples[case][mode].append(cases[case]())
    results = {}
    for case, by_mode in samples.items():
        workload, engine, *size = case.split(" | ")
        results[case] = {
            "workload": workload,
            "engine": engine,
            "nodes": int(size[0]) if size else n,
            "median": {mode: _median_or_error(s) for mode, s in by_mode.items()},
        }
    return results


def _median_or_error(samples: list[dict[str, float | str]]) -> dict[str, float | str]:
    out: dict[str, float | str] = {}
    for phase in samples[0]:
        values = [s[phase] for s in samples]
        errors = [v for v in values if isinstance(v, str)]
        out[phase] = errors[0] if errors else median([float(v) for v in values])
    return out


def memory(n: int) -> dict[str, Any]:
    """W4: bytes per node of chains of one binary op, and bytes of one W1 step's graph."""
    from micrograd.engine import Value as MicrogradValue

    from microgradnet import Value

    results: dict[str, Any] = {"chain_nodes": n}
    for op in ("+", "*"):
        results[f"chain {op}"] = {
            "microgradnet": graphs.chain_bytes_per_node(Value, op, n),
            "micrograd": graphs.chain_bytes_per_node(MicrogradValue, op, n),
        }
    problem = make_problem()
    for name in ("microgradnet", "micrograd"):
        step = IMPLEMENTATIONS[name](problem)

        def build(step: Step = step) -> Any:
            step.forward()
            return step

        total = graphs.graph_bytes(build)
        results.setdefault("W1 step", {})[name] = {"bytes": total, "nodes": step.nodes()}
        del step
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="samples per figure (median reported); default 5")
    parser.add_argument("--quick", action="store_true", help="3 repetitions, 100,000-node graphs, short samples")
    parser.add_argument("--nodes", type=int, default=None, help="N for deep-chain and wide-sum (default 1,000,000)")
    parser.add_argument(
        "--micrograd-nodes", type=int, default=100_000, help="N for micrograd's big graphs (default 100,000)"
    )
    parser.add_argument("--only", default="w1,c,w2w3,w4", help="comma-separated subset of w1,c,w2w3,w4")
    parser.add_argument("--json", type=Path, default=None, help="where to write the results (default: results/)")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick and args.repeat == 5 else args.repeat
    n = args.nodes or (100_000 if args.quick else 1_000_000)
    target = 0.05 if args.quick else 0.2
    only = set(args.only.split(","))
    started = datetime.datetime.now(datetime.timezone.utc)
    out: dict[str, Any] = {"started": started.isoformat(timespec="seconds"), "machine": machine(), "repeat": repeat}
    if "w1" in only:
        out["w1"] = mlp_step(repeat, target)
    if "c" in only and toolchain.available():
        out["c"] = native(repeat, target)
    if "w2w3" in only:
        out["w2w3"] = big_graphs(repeat, n, min(args.micrograd_nodes, n))
    if "w4" in only:
        out["w4"] = memory(100_000)
    out["targets"] = report.targets(out)
    print(report.render(out))
    path = args.json or RESULTS / f"{started:%Y%m%dT%H%M%SZ}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"\nresults written to {path}")
    return 0 if all(target["holds"] for target in out["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
