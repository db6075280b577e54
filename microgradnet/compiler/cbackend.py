"""The C back end: a traced graph emitted as C (`native`), compiled (`toolchain`), called through ctypes.

`choose(backend)` says which back end a compile call uses: "python", "c" (an error without a C
compiler) or "auto" (C where a compiler is found, else Python). `CFunction` and `CLoss` run one
call of `compile_function` and `compile_loss` in C; each returns None where the C code met an
error (or a number its runtime leaves to Python), and the caller runs the call on the Python back end.
"""

from __future__ import annotations

import ctypes
from array import array
from collections.abc import Sequence

from microgradnet.compiler import native, toolchain
from microgradnet.compiler.native import Leaf, Slot
from microgradnet.engine import Value

BACKENDS = ("python", "c", "auto")


def choose(backend: str) -> str:
    """The back end a compile call uses: "python" or "c"."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")
    if backend == "python" or (backend == "auto" and not toolchain.available()):
        return "python"
    if not toolchain.available():
        raise toolchain.CompilerNotFoundError()
    return "c"


def _address(numbers: array[float]) -> int:
    return numbers.buffer_info()[0]


def _program(passes: native.CPasses, entry: str, setup: Sequence[str], per_sample: Sequence[str]) -> str:
    """The whole C source: the runtime, the passes' functions, and the entry point around their calls."""
    body = [
        "    int error = 0;",
        "    int *err = &error;",
        f"    double *v = malloc(2 * {passes.slots} * sizeof(double));",
        "    if (v == NULL) return 2;",
        f"    double *g = v + {passes.slots};",
        *(f"    {line}" for line in setup),
        *(f"    {line}" for line in per_sample),
        "    free(v);",
        "    return error;",
    ]
    return "\n\n".join([native.header(), *passes.functions, f"{entry} {{\n" + "\n".join(body) + "\n}\n"])


class CFunction:
    """`compile_function`'s graph in C: `value_and_grad(x, out, gx)` writes f(x) and df/dx."""

    ARGUMENTS = "const double *x, double *gx, double *v, double *g, double top, int *err"

    def __init__(self, order: Sequence[Value], inputs: Sequence[Value]) -> None:
        self.n = len(inputs)
        leaves = {v: Leaf(Slot("x", i), Slot("gx", i)) for i, v in enumerate(inputs)}
        passes = native.passes(order, leaves, "top", self.ARGUMENTS)
        calls = [
            "double top = 1.0;",
            f"for (long i = 0; i < {self.n}; i++) gx[i] = 0.0;",
            *passes.forward_calls,
            f"*out = {passes.value};",
            *passes.backward_calls,
        ]
        entry = "int value_and_grad(const double *x, double *out, double *gx)"
        self.source = _program(passes, entry, [], calls)
        self._entry = toolchain.load(self.source).value_and_grad
        self._entry.argtypes = [ctypes.c_void_p] * 3
        self._entry.restype = ctypes.c_int

    def __call__(self, xs: Sequence[float]) -> tuple[float, tuple[float, ...]] | None:
        x, out, gx = array("d", xs), array("d", [0.0]), array("d", bytes(8 * self.n))
        if self._entry(_address(x), _address(out), _address(gx)):
            return None
        return out[0], tuple(gx)


class CLoss:
    """`compile_loss`'s graph in C: `mean_value_and_grad(P, d_0, ..., n, top, costs, G)` writes each
    sample's cost C_s and G_i = sum_s top * dC_s/dP_i, adding edge by edge as the Python back end does."""

    def __init__(self, order: Sequence[Value], parameters: Sequence[Value], data: Sequence[Sequence[Value]]) -> None:
        self.n_parameters = len(parameters)
        leaves = {p: Leaf(Slot("P", i), Slot("G", i), accumulates=True) for i, p in enumerate(parameters)}
        for a, row in enumerate(data):
            leaves.update((v, Leaf(Slot(f"x{a}", k), None)) for k, v in enumerate(row))
        rows = "".join(f"const double *x{a}, " for a in range(len(data)))
        arguments = f"const double *P, {rows}double *G, double *v, double *g, double top, int *err"
        passes = native.passes(order, leaves, "top", arguments)
        batches = "".join(f"const double *d{a}, " for a in range(len(data)))
        entry = (
            f"int mean_value_and_grad(const double *P, {batches}long n, double top, double *costs, double *G, "
            "double lr, double *stepped)"
        )
        setup = [f"for (long i = 0; i < {self.n_parameters}; i++) G[i] = 0.0;"]
        per_sample = [
            "for (long s = n - 1; s >= 0 && !error; s--) {  /* last to first, as backward() reaches them */",
            *(f"    const double *x{a} = d{a} + s * {len(row)};" for a, row in enumerate(data)),
            *(f"    {call}" for call in passes.forward_calls),
            f"    costs[s] = {passes.value};",
            *(f"    {call}" for call in passes.backward_calls),
            "}",
            "if (stepped != NULL && !error) {  /* an SGD step, as optim.SGD takes it: p - lr * g */",
            f"    for (long i = 0; i < {self.n_parameters}; i++) {{",
            "        double update = lr * G[i];",
            "        stepped[i] = P[i] - update;",
            "        if (!isfinite(G[i]) || !isfinite(stepped[i])) error = 3;  /* SGD refuses it: say why in Python */",
            "    }",
            "}",
        ]
        self.source = _program(passes, entry, setup, per_sample)
        self._entry = toolchain.load(self.source).mean_value_and_grad
        pointer, number = ctypes.c_void_p, ctypes.c_double
        self._entry.argtypes = [*[pointer] * (1 + len(data)), ctypes.c_long, number, pointer, pointer, number, pointer]
        self._entry.restype = ctypes.c_int

    def __call__(
        self, parameters: Sequence[float], batches: Sequence[array[float]], n: int, top: float, lr: float | None = None
    ) -> tuple[array[float], array[float], array[float] | None] | None:
        """(costs, gradient sums, parameters after an SGD step of `lr` or None), or None where the C
        code stopped at an error; `batches` holds each argument's samples, one after the other."""
        p = array("d", parameters)
        costs, gradient = array("d", bytes(8 * n)), array("d", bytes(8 * self.n_parameters))
        stepped = None if lr is None else array("d", bytes(8 * self.n_parameters))
        status = self._entry(
            _address(p),
            *map(_address, batches),
            n,
            top,
            _address(costs),
            _address(gradient),
            0.0 if lr is None else lr,
            None if stepped is None else _address(stepped),
        )
        return None if status else (costs, gradient, stepped)
