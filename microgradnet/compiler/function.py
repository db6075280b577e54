"""`compile_function`: f traced once, then run as one straight-line function of its inputs."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from microgradnet import checks
from microgradnet.codegen import Names
from microgradnet.compiler import cbackend
from microgradnet.compiler.emit import build, indent, passes, tuple_of
from microgradnet.compiler.trace import (
    DOMAIN_ERRORS,
    Role,
    TraceMismatchError,
    argument_names,
    call_traced,
    compare,
    engine_error,
    require_graph,
    signature,
)
from microgradnet.engine import Value
from microgradnet.toposort import topological_order


def _roles(inputs: Sequence[Value]) -> dict[Value, Role]:
    return {v: ("input", i) for i, v in enumerate(inputs)}


class CompiledFunction:
    """f compiled to straight-line code: `compiled(inputs)` is `(f(inputs), df/dinputs)`.

    `backend` is the back end it runs on, "python" or "c". `source` is its generated code: the
    forward pass and the backward pass, one line per node (Python, each backward line commented
    with the chain rule it applies), or the same passes in C.
    """

    def __init__(self, f: Callable[..., Value], example_inputs: Sequence[float], backend: str = "auto") -> None:
        if not callable(f):
            raise TypeError(f"compile: f must be a callable returning a Value, got {type(f).__name__}")
        example = checks.value_row("example_inputs", example_inputs)
        self.backend = cbackend.choose(backend)
        require_graph("compile")
        self.f = f
        self.n_inputs = len(example)
        labels = argument_names(f, self.n_inputs, "x")
        inputs = [Value(x, label) for x, label in zip(example, labels)]
        out = call_traced(f, inputs)
        order = topological_order(out)
        self._signature = signature(order, _roles(inputs))
        self._native = cbackend.CFunction(order, inputs) if self.backend == "c" else None
        self._python: Callable[..., tuple[float, tuple[float, ...]]] | None = None
        self._traced = (out, inputs, labels)
        self.source = self._native.source if self._native is not None else self._build_python()

    def _build_python(self) -> str:
        """The Python back end's source; its function is built on first use by the C back end,
        for a call the C code leaves to it."""
        out, inputs, labels = self._traced
        names = Names()
        leaves = {v: names.fresh(v.label or labels[i]) for i, v in enumerate(inputs)}
        traced = passes(out, leaves, inputs, names)
        lines = [
            f"def value_and_grad({', '.join(leaves.values())}):",
            "    # forward pass: each node from its parents",
            *indent(traced.forward, 1),
            f"    # backward pass: d{traced.shown}/dnode, each node after all its consumers",
            *indent(traced.backward, 1),
            f"    return {traced.value}, {tuple_of(traced.gradients)}",
        ]
        source = "\n".join(lines) + "\n"
        self._python = build(source, names.globals, "value_and_grad")
        return source

    def _inputs(self, inputs: Sequence[float]) -> list[float]:
        if isinstance(inputs, Sequence) and not isinstance(inputs, (str, bytes)) and len(inputs) != self.n_inputs:
            raise ValueError(f"expected {self.n_inputs} inputs (as traced), got {len(inputs)}")
        return checks.value_row("inputs", inputs)

    def __call__(self, inputs: Sequence[float]) -> tuple[float, tuple[float, ...]]:
        """(f(inputs), (df/dinputs[0], ...)) by the generated code; no `Value` is created.

        Where the generated code fails or gives a value that is not finite, f runs on the graph
        engine, so that the error raised is the engine's (see `trace.engine_error`).
        """
        xs = self._inputs(inputs)
        if self._native is not None:
            result = self._native(xs)
            if result is not None and math.isfinite(result[0]):
                return result
        if self._python is None:
            self._build_python()
        assert self._python is not None
        try:
            value, gradient = self._python(*xs)
        except DOMAIN_ERRORS as error:
            raise engine_error(error, lambda: self._graph_path(xs)) from None
        if not math.isfinite(value):
            self._graph_path(xs)
        return float(value), tuple(map(float, gradient))

    def _graph_path(self, xs: Sequence[float]) -> None:
        """f on the graph engine, run for its error."""
        call_traced(self.f, [Value(x) for x in xs])

    def check(self, inputs: Sequence[float]) -> bool:
        """True if f traced on `inputs` gives the compiled graph and the engine's value and
        gradients equal the compiled ones; else `TraceMismatchError` saying where they differ.
        Every gradient, also of the Values f captures, is left as it was."""
        xs = self._inputs(inputs)
        require_graph("check")
        values = [Value(x) for x in xs]
        out = call_traced(self.f, values)
        order = topological_order(out)
        compare(self._signature, signature(order, _roles(values)), "on these inputs")
        found = [node.grad for node in order]  # backward() adds into the Values f captures too: restore them
        try:
            out.backward()
            engine = [out.data, *(v.grad for v in values)]
        finally:
            for node, grad in zip(order, found):
                node.grad = grad
        value, gradient = self(xs)
        for i, (a, b) in enumerate(zip([value, *gradient], engine)):
            if not (a == b or (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-12)):
                what = "the value" if i == 0 else f"d/dinputs[{i - 1}]"
                raise TraceMismatchError(f"{what}: compiled {a!r}, engine {b!r}")
        return True

    def __repr__(self) -> str:
        name = getattr(self.f, "__qualname__", self.f)
        return f"<CompiledFunction of {name!r}, {self.n_inputs} inputs, backend={self.backend!r}>"


def compile_function(
    f: Callable[..., Value], example_inputs: Sequence[float], backend: str = "auto"
) -> CompiledFunction:
    """Trace `f(*Values)` once on `example_inputs` and return it compiled to straight-line code.

    `backend`: "python" (generated Python), "c" (generated C, compiled by the system's C
    compiler; an error without one) or "auto" (C where a compiler is found, else Python).

    `compiled(inputs)` gives `(value, gradient)` with `gradient[i] = df/dinputs[i]`, equal to
    the engine's `backward()`. Leaves f creates itself (constants such as targets) are baked in
    as literals. Control flow that depends on values is frozen: see `CompiledFunction.check`.
    """
    return CompiledFunction(f, example_inputs, backend)
