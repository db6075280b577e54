"""`compile_loss`: the mean of a per-sample loss over a batch, traced once, looping over the samples itself."""

from __future__ import annotations

import functools
import itertools
import math
from array import array
from collections.abc import Callable, Iterable, Sequence

from microgradnet import checks
from microgradnet.codegen import Names
from microgradnet.compiler import cbackend
from microgradnet.compiler.emit import Total, build, indent, passes, tuple_of
from microgradnet.compiler.trace import (
    DOMAIN_ERRORS,
    Role,
    argument_names,
    call_traced,
    compare,
    engine_error,
    require_graph,
    signature,
)
from microgradnet.engine import Value, sum_values
from microgradnet.operations import exact_sum
from microgradnet.optim import SGD, check_non_negative
from microgradnet.toposort import topological_order


def _finite_sum(row: Iterable[float]) -> bool:
    """Whether `math.fsum` takes `row` (real numbers only) to a finite sum (finite numbers only)."""
    try:
        return math.isfinite(math.fsum(row))
    except (TypeError, ValueError, OverflowError):
        return False


def _plain_rows(batch: Sequence[Sequence[float]], width: int) -> bool:
    """Whether `batch` is the common case: lists (or tuples) of `width` finite floats each, checked
    by a few passes in C over the whole batch instead of a Python loop over its samples."""
    numbers = itertools.chain.from_iterable
    return (
        {*map(type, batch)} <= {list, tuple}
        and {*map(len, batch)} <= {width}
        and {*map(type, numbers(batch))} <= {float}
        and _finite_sum(numbers(batch))
    )


class Batch:
    """Batches checked once, with their numbers laid out as the C back end reads them
    (`CompiledLoss.prepare`): pass it in place of the batches, call after call."""

    def __init__(self, rows: Sequence[Sequence[Sequence[float]]], widths: Sequence[int]) -> None:
        self.rows = tuple(rows)
        self.n = len(self.rows[0])
        self.widths = tuple(widths)

    @functools.cached_property
    def flat(self) -> tuple[array[float], ...]:
        """Each batch's numbers, sample after sample, as doubles."""
        return tuple(array("d", itertools.chain.from_iterable(batch)) for batch in self.rows)

    def __repr__(self) -> str:
        return f"<Batch of {self.n} samples, widths {list(self.widths)}>"


class CompiledLoss:
    """The mean of `loss(*sample)` over a batch and its gradient with respect to `parameters`.

    `compiled(*batches)` (e.g. `compiled(xs, ys)`) reads every parameter's `data`, runs the
    generated function, which loops over the samples itself and keeps the gradient sums in
    local variables, then *adds* the mean gradient into each parameter's `grad` (as
    `backward()` does) and returns the mean cost:

        cost_avg = (1/n) sum_s cost_s,    dcost_avg/dp = (1/n) sum_s dcost_s/dp
    """

    def __init__(
        self,
        loss: Callable[..., Value],
        parameters: Sequence[Value],
        example_sample: Sequence[Sequence[float]],
        backend: str = "auto",
    ) -> None:
        if not callable(loss):
            raise TypeError(f"compile_loss: loss must be a callable returning a Value, got {type(loss).__name__}")
        self.loss = loss
        self.parameters = list(parameters)
        for i, p in enumerate(self.parameters):
            if not isinstance(p, Value) or p.parents:
                raise TypeError(f"parameters[{i}] must be a leaf Value, got {p!r}")
        if len(set(self.parameters)) != len(self.parameters):
            raise ValueError("parameters holds the same Value more than once")
        if isinstance(example_sample, (str, bytes)) or not isinstance(example_sample, Sequence) or not example_sample:
            raise TypeError("example_sample must be a non-empty sequence with one sequence of numbers per argument")
        example = [checks.value_row(f"example_sample[{i}]", arg) for i, arg in enumerate(example_sample)]
        self.widths = [len(arg) for arg in example]
        self.backend = cbackend.choose(backend)
        require_graph("compile_loss")
        arguments = argument_names(loss, len(example), "arg")
        data = [[Value(x, f"{name}[{k}]") for k, x in enumerate(arg)] for name, arg in zip(arguments, example)]
        cost = call_traced(loss, data)
        if cost.parents and not cost.label:  # a node of this trace (never a parameter) is named C
            cost.label = "C"
        order = topological_order(cost)
        self._signature = signature(order, self._roles(data))
        self._native = cbackend.CLoss(order, self.parameters, data) if self.backend == "c" else None
        self._python: Callable[..., tuple[float, tuple[float, ...]]] | None = None
        self._traced = (cost, data, arguments)
        self.source = self._native.source if self._native is not None else self._build_python()

    def _build_python(self) -> str:
        """The Python back end's source; its function is built on first use by the C back end,
        for a call the C code leaves to it."""
        cost, data, arguments = self._traced
        names = Names()
        leaves = {p: names.fresh(p.label or f"p[{i}]") for i, p in enumerate(self.parameters)}
        sums = {p: names.fresh("d" + leaves[p]) for p in self.parameters}
        for row in data:
            leaves.update((v, names.fresh(v.label)) for v in row)
        batches = [names.fresh(f"{name}s") for name in arguments]
        costs, n = names.fresh("costs"), names.fresh("n")
        symbol = cost.label or "C"
        top = f"{symbol}_avg"
        d_top_d_cost = names.fresh(f"d{top}_d{symbol}")
        traced = passes(cost, leaves, self.parameters, names, sums, Total(top, d_top_d_cost))

        total = names.bind(exact_sum, "exact_sum")
        rows = [tuple_of([leaves[v] for v in row]) for row in data]
        # The samples last to first: the order in which backward() of their mean reaches them, so
        # that each parameter's sum over the batch adds the same terms in the same order.
        loop = (
            f"for {rows[0]} in reversed({batches[0]}):"
            if len(rows) == 1
            else f"for {', '.join(rows)} in zip({', '.join(f'reversed({b})' for b in batches)}):"
        )
        lines = [
            f"def mean_value_and_grad(parameters, {', '.join(batches)}):",
            f"    {tuple_of([leaves[p] for p in self.parameters])} = parameters" if self.parameters else "    pass",
            *(f"    {sums[p]} = 0.0" for p in self.parameters),
            f"    {n} = len({batches[0]})",
            f"    {d_top_d_cost} = 1.0 / {n}  # d{top}/d{symbol}: {top} = (1/n) sum_s {symbol}_s",
            f"    {costs} = []",
            f"    {loop}",
            "        # forward pass of this sample: each node from its parents",
            *indent(traced.forward, 2),
            f"        {costs}.append({traced.value})",
            f"        # backward pass: d{top}/dnode, each node after its consumers; parameters add up",
            *indent(traced.backward, 2),
            f"    return {total}({costs}) / {n}, {tuple_of([sums[p] for p in self.parameters])}",
        ]
        source = "\n".join(lines) + "\n"
        self._python = build(source, names.globals, "mean_value_and_grad")
        return source

    def _roles(self, data: Sequence[Sequence[Value]]) -> dict[Value, Role]:
        roles: dict[Value, Role] = {p: ("parameter", i) for i, p in enumerate(self.parameters)}
        roles.update((v, ("data", i, k)) for i, row in enumerate(data) for k, v in enumerate(row))
        return roles

    def _batches(self, batches: Sequence[Sequence[Sequence[float]]]) -> list[Sequence[Sequence[float]]]:
        """The batches, every number a float (as `Value` converts it), after checking that every
        batch has one row of finite numbers per sample."""
        if len(batches) != len(self.widths):
            raise TypeError(f"expected {len(self.widths)} batches (one per argument of the loss), got {len(batches)}")
        n = -1
        checked: list[Sequence[Sequence[float]]] = []
        for i, batch in enumerate(batches):
            if isinstance(batch, (str, bytes)) or not isinstance(batch, Sequence):
                raise TypeError(f"batch {i} must be a sequence of samples, got {type(batch).__name__}")
            if n not in (-1, len(batch)):
                raise ValueError(f"the batches differ in length: batch 0 has {n} samples, batch {i} has {len(batch)}")
            n = len(batch)
            width = self.widths[i]
            if _plain_rows(batch, width):
                checked.append(batch)
                continue
            for s, row in enumerate(batch):
                if type(row) in (list, tuple) and len(row) == width and _finite_sum(row):
                    continue  # the common case, checked by one C call
                checks.value_row(f"batch {i}, sample {s}", row, width, finite=True)
            if not {*map(type, itertools.chain.from_iterable(batch))} <= {float}:  # one C pass over the batch
                # fsum also takes a Decimal or a numpy array: check every number, then convert as `Value` does
                batch = [
                    checks.value_row(f"batch {i}, sample {s}", row, width, finite=True) for s, row in enumerate(batch)
                ]
            checked.append(batch)
        if n == 0:
            raise ValueError("the batch is empty")
        return checked

    def prepare(self, *batches: Sequence[Sequence[float]]) -> Batch:
        """The batches checked and converted once, for a data set used step after step:
        `compiled(compiled.prepare(xs, ys))` is `compiled(xs, ys)` without checking them again."""
        checked = self._batches(batches)
        return Batch([tuple(map(tuple, batch)) for batch in checked], self.widths)  # a copy: later edits change nothing

    def _prepared(self, batches: Sequence[Sequence[Sequence[float]] | Batch]) -> Batch:
        if len(batches) == 1 and isinstance(batches[0], Batch):
            if batches[0].widths != tuple(self.widths):
                raise ValueError(
                    f"this Batch was prepared for samples of widths {list(batches[0].widths)}, "
                    f"but the loss takes widths {self.widths}"
                )
            return batches[0]
        return Batch(self._batches(batches), self.widths)  # type: ignore[arg-type]

    def __call__(self, *batches: Sequence[Sequence[float]] | Batch) -> float:
        """Mean cost over the batch; adds d(mean cost)/dp into `p.grad` for every parameter.

        Every number must be finite, and a cost that is not raises the graph engine's error.
        `batches` may also be one `Batch` made by `prepare`.
        """
        batch = self._prepared(batches)
        values = [p._data for p in self.parameters]
        if self._native is not None:
            result = self._native(values, batch.flat, batch.n, 1.0 / batch.n)
            if result is not None and math.isfinite(cost := exact_sum(result[0]) / batch.n):
                self._add_gradient(result[1])
                return cost
        cost, gradient = self._python_cost_and_gradient(values, batch)
        self._add_gradient(gradient)
        return cost

    def step(self, lr: float, *batches: Sequence[Sequence[float]] | Batch) -> float:
        """One SGD step on the batch, p <- p - lr dcost_avg/dp, and the batch's mean cost before it.

        The same numbers, errors and `p.grad` afterwards as `optim.SGD(parameters, lr)` taking
        `zero_grad()`, `compiled(*batches)`, `step()`; on the C back end, in one call.
        """
        lr = check_non_negative("lr", lr)
        batch = self._prepared(batches)
        if self._native is not None:
            result = self._native([p._data for p in self.parameters], batch.flat, batch.n, 1.0 / batch.n, lr)
            if result is not None and result[2] is not None and math.isfinite(cost := exact_sum(result[0]) / batch.n):
                for p, value, g in zip(self.parameters, result[2], result[1]):
                    p._data, p._grad = value, g
                return cost
        sgd = SGD(self.parameters, lr)  # the C code met an error or a non-finite step: SGD says which
        sgd.zero_grad()
        cost = self(batch)
        sgd.step()
        return cost

    def _python_cost_and_gradient(self, values: Sequence[float], batch: Batch) -> tuple[float, Sequence[float]]:
        """The Python back end's mean cost and gradient sums, or the graph engine's error."""
        if self._python is None:
            self._build_python()
        assert self._python is not None
        rows, n = batch.rows, batch.n
        try:
            cost, gradient = self._python(values, *rows)
        except DOMAIN_ERRORS as error:
            raise engine_error(error, lambda: self._graph_path(rows, n)) from None
        if not math.isfinite(cost):  # the graph path refuses it: raise its error, naming the sample
            self._graph_path(rows, n)
        return float(cost), gradient

    def _add_gradient(self, gradient: Sequence[float]) -> None:
        """p.grad += dcost_avg/dp for every parameter, as `backward()` adds."""
        for p, g in zip(self.parameters, gradient):
            p._grad += g  # the slot, as backward() adds into it: both are floats

    def _graph_path(self, batches: Sequence[Sequence[Sequence[float]]], n: int) -> None:
        """The batch's mean cost on the graph engine, run for its error: every sample's cost finite
        (checked as `losses.mean_cost` checks it), then their sum."""
        costs = [call_traced(self.loss, [list(map(Value, batch[s])) for batch in batches]) for s in range(n)]
        for s, cost in enumerate(costs):
            checks.real(f"costs[{s}]", cost.data)
        sum_values(costs)

    def check(self, *batches: Sequence[Sequence[float]]) -> bool:
        """True if the loss traced on every sample gives the compiled graph; else `TraceMismatchError`.

        The loss runs on the graph engine here, so its own checks of values (a finite cost, bce's
        targets in [0, 1]), which the compiled code skips, raise their errors for bad samples.
        """
        batches = tuple(self._batches(batches))
        require_graph("check")
        n = len(batches[0])
        for s in range(n):
            data = [[Value(x) for x in batch[s]] for batch in batches]
            cost = call_traced(self.loss, data)
            compare(self._signature, signature(topological_order(cost), self._roles(data)), f"on sample {s}")
        return True

    def __repr__(self) -> str:
        name = getattr(self.loss, "__qualname__", self.loss)
        return f"<CompiledLoss of {name!r}, {len(self.parameters)} parameters, backend={self.backend!r}>"


def compile_loss(
    loss: Callable[..., Value],
    parameters: Sequence[Value],
    example_sample: Sequence[Sequence[float]],
    backend: str = "auto",
) -> CompiledLoss:
    """Trace `loss(*sample)` once (each argument a list of `Value`s, e.g. `loss(x, y)`) and compile
    the mean over a batch with its gradient with respect to `parameters` (Values the loss reads).

    `backend` is "python", "c" or "auto", as for `compile_function`."""
    return CompiledLoss(loss, parameters, example_sample, backend)
