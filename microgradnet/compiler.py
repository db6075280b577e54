"""`compile_function`: trace a function of `Value`s once, then run the recorded graph as straight-line Python.

The traced graph is written out as one Python function on plain floats in local variables
named after the nodes' labels: the forward pass, one line per node, then the backward pass, one
line per node after all its consumers c (the chain rule: dC/dnode = sum_c dC/dc * dc/dnode).
`compile()` (the builtin) turns it into bytecode once; a call then creates no `Value` at all.

Limits, as with `torch.jit.trace`: the graph is the one the example inputs produced. Python
control flow that depends on values (`if x.data > 0`, a loop count read from data, a constant
computed from `x.data`) is frozen at trace time. `CompiledFunction.check(inputs)` retraces on
other inputs and raises `TraceMismatchError` if the graph differs.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import itertools
import linecache
import math
import numbers
import weakref
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeAlias

from microgradnet import codegen
from microgradnet.codegen import Names
from microgradnet.engine import Value, topological_order
from microgradnet.losses import Cost, get_cost, mean_cost, one_hot
from microgradnet.modes import is_grad_enabled
from microgradnet.nn import MLP
from microgradnet.operations import exact_sum

# Where a leaf of the traced graph comes from: ("input", i), ("parameter", i) or ("data", arg, k).
Role: TypeAlias = "tuple[str, int] | tuple[str, int, int]"
Signature: TypeAlias = "list[tuple[object, ...]]"
_counter = itertools.count()
# What the engine's rules raise for an operation leaving the reals (ZeroDivisionError and OverflowError
# are ArithmeticErrors); compiled code that raises one asks the engine which error is its.
_DOMAIN_ERRORS = (ArithmeticError, ValueError)


class TraceMismatchError(AssertionError):
    """The graph traced on some inputs differs from the compiled one (value-dependent control flow)."""


def _signature(order: Sequence[Value], roles: dict[Value, Role]) -> Signature:
    """The graph as data: each node's op and parent positions; leaves by role, constants by value."""
    position = {node: i for i, node in enumerate(order)}
    signature: Signature = []
    for node in order:
        if node in roles:
            signature.append(roles[node])
        elif node.parents:
            op = node.op if node.constant is None else (node.op, node.constant)
            signature.append((op, *(position[p] for p in node.parents)))
        else:
            signature.append(("constant", repr(node.data)))
    return signature


def _compare(traced: Signature, now: Signature, where: str) -> None:
    if traced == now:
        return
    diverge = next((i for i, (a, b) in enumerate(zip(traced, now)) if a != b), min(len(traced), len(now)))
    at = (
        f"node {diverge}: traced {traced[diverge]!r}, now {now[diverge]!r}"
        if diverge < min(len(traced), len(now))
        else f"its length: traced {len(traced)} nodes, now {len(now)}"
    )
    raise TraceMismatchError(
        f"{where} the graph differs from the traced one at {at}. Python control flow that depends on "
        "values is frozen at trace time: compile again for these inputs, or remove the dependence."
    )


def _is_number(x: object) -> bool:
    return type(x) is float or (isinstance(x, numbers.Real) and not isinstance(x, Value))


def _is_finite(x: float) -> bool:
    """Finite as a float; an int beyond the float range is not (math.isfinite would raise on it)."""
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def _check_row(name: str, row: object, expected: int | None = None, *, finite: bool = False) -> Sequence[float]:
    """`row` if it is a sequence of real numbers (`expected` of them, if given; finite ones, if
    `finite`), else the error naming what is wrong."""
    if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(row).__name__}")
    if expected is not None and len(row) != expected:
        raise ValueError(f"{name}: expected {expected} numbers, got {len(row)}")
    for k, x in enumerate(row):
        if not _is_number(x):
            raise TypeError(f"{name}[{k}] must be a real number (int, float), got {type(x).__name__}: {x!r}")
        if finite and not _is_finite(x):
            shown = repr(x) if isinstance(x, float) else f"an {type(x).__name__} beyond the float range"
            raise ValueError(f"{name}[{k}] = {shown} is not finite")
    return row


def _finite_sum(row: Sequence[float]) -> bool:
    """Whether `math.fsum` takes `row` (real numbers only) to a finite sum (finite numbers only)."""
    try:
        return math.isfinite(math.fsum(row))
    except (TypeError, ValueError, OverflowError):
        return False


def _argument_names(f: Callable[..., Any], count: int, default: str) -> list[str]:
    """The names of `f`'s first `count` positional parameters, else `default[i]`."""
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return positional[:count] if len(positional) >= count else [f"{default}[{i}]" for i in range(count)]


def _engine_error(compiled: Exception, graph_path: Callable[[], object]) -> Exception:
    """The error to raise where compiled code raised `compiled`: the graph engine's, if it differs.

    The engine fails at the first operation in the order the traced function makes them, the
    compiled code at the first in a topological order of the graph, which can be another one.
    """
    try:
        graph_path()
    except Exception as error:
        return compiled if (type(error), str(error)) == (type(compiled), str(compiled)) else error
    return compiled  # the graph path runs: the function no longer traces as compiled


def _require_graph(what: str) -> None:
    """Refuse to trace inside `no_grad()`, where operations record no parents: the trace would be a constant."""
    if not is_grad_enabled():
        raise RuntimeError(
            f"{what}: cannot trace inside no_grad(): operations there record no graph, so the trace would be "
            "a constant with zero gradients. Call it outside the no_grad() block"
        )


def _call_traced(f: Callable[..., Any], args: Sequence[object]) -> Value:
    out = f(*args)
    if not isinstance(out, Value):
        raise TypeError(f"compile: f must return a Value, got {type(out).__name__}: {out!r}")
    return out


# --- code generation --------------------------------------------------------------------


class _Passes(NamedTuple):
    order: list[Value]  # the traced graph, parents first
    forward: list[str]
    backward: list[str]
    value: str  # the root's local (or literal)
    shown: str  # how comments show the root: its label, else its local
    gradients: list[str]  # dC/dleaf for each leaf asked for


def _passes(
    root: Value,
    leaves: dict[Value, str],
    wrt: Sequence[Value],
    names: Names,
    sums: dict[Value, str] | None = None,
    seed: tuple[str, str] | None = None,
) -> _Passes:
    """The forward and backward passes of the graph of `root`.

    `leaves` are the arguments of the generated code; every other leaf is a constant, written
    as a literal. Only nodes that depend on a leaf in `wrt` get a gradient. A leaf in `sums` has
    a variable that exists before the pass (a running sum over a batch), so every edge adds into
    it. The backward pass starts from d root/d root = 1, or from `seed` = (the local holding
    dT/droot, the name T of the top-level result) when root is one term of a larger result.
    """
    order = topological_order(root)
    forward, expr, shown, local = _forward_pass(order, leaves, names)
    start: ast.expr = ast.Constant(value=1.0) if seed is None else ast.Name(id=seed[0], ctx=ast.Load())
    top = shown[root] if seed is None else seed[1]
    backward, gradients = _backward_pass(order, expr, shown, local, wrt, sums or {}, names, start, top)
    return _Passes(order, forward, backward, codegen.source(expr[root]), top, gradients)


def _forward_pass(
    order: Sequence[Value], leaves: dict[Value, str], names: Names
) -> tuple[list[str], dict[Value, ast.expr], dict[Value, str], dict[Value, list[ast.expr]]]:
    """One line per node, parents first: `z_1_0 = b_1_0 + w_1_0_0 * a_0_0 + ...`.

    Returns the lines; each node's expression (its local's name, or the literal of a constant
    leaf); how a comment shows it (its label, else that expression); and each node's local
    derivatives. A local derivative that is a call (a named rule of the table, which may raise)
    is evaluated here, right after its node, as the engine does, so that the compiled code
    raises the same error at the same point.
    """
    lines: list[str] = []
    expr: dict[Value, ast.expr] = {}
    shown: dict[Value, str] = {}
    local: dict[Value, list[ast.expr]] = {}
    unnamed = itertools.count(1)
    root = order[-1]
    for node in order:
        if node in leaves:
            expr[node] = ast.Name(id=leaves[node], ctx=ast.Load())
        elif not node.parents:
            expr[node] = codegen.constant(node.data)
        else:
            name = names.fresh(node.label or ("out" if node is root else f"v{next(unnamed)}"))
            operands = [expr[p] for p in node.parents]
            lines.append(f"{name} = {codegen.source(codegen.forward(node, operands, names))}")
            expr[node] = ast.Name(id=name, ctx=ast.Load())
        shown[node] = node.label or codegen.source(expr[node])
        if not node.parents or node in leaves:
            continue
        local[node] = codegen.local_derivatives(node, [expr[p] for p in node.parents], expr[node], names)
        for i, (parent, derivative) in enumerate(zip(node.parents, local[node])):
            if isinstance(derivative, ast.Call):
                hoisted = names.fresh(f"d{codegen.source(expr[node])}_d{codegen.source(expr[parent])}")
                lines.append(f"{hoisted} = {codegen.source(derivative)}  # d{shown[node]}/d{shown[parent]}")
                local[node][i] = ast.Name(id=hoisted, ctx=ast.Load())
    return lines, expr, shown, local


def _backward_pass(
    order: Sequence[Value],
    expr: dict[Value, ast.expr],
    shown: dict[Value, str],
    local: dict[Value, list[ast.expr]],
    wrt: Sequence[Value],
    sums: dict[Value, str],
    names: Names,
    seed: ast.expr,
    top: str,
) -> tuple[list[str], list[str]]:
    """One line per node, each after all its consumers c: dC/dnode = sum_c dC/dc * dc/dnode.

    The terms are added in the order in which `backward()` adds them, so the sums are the
    engine's to the last bit. Returns the lines and, for each leaf in `wrt`, dC/dleaf.
    """
    root = order[-1]
    wanted = set(wrt)
    needs: set[Value] = set()
    for node in order:
        if node in wanted or any(p in needs for p in node.parents):
            needs.add(node)
    consumers: dict[Value, list[tuple[Value, int]]] = {}
    for node in reversed(order):
        if node in needs:
            for i, parent in enumerate(node.parents):
                if parent in needs:
                    consumers.setdefault(parent, []).append((node, i))
    # A leaf's line comes right after its last consumer's, in that consumer's parent order
    # (w_k, a_k, b of a neuron), so that a reader finds dC/dw next to the dC/dz it comes from.
    leaves_after: dict[Value, list[Value]] = {}
    for node, edges in consumers.items():
        if not node.parents:
            leaves_after.setdefault(edges[-1][0], []).append(node)
    for last, leaves in leaves_after.items():
        leaves.sort(key=last.parents.index)

    grad: dict[Value, ast.expr] = {root: seed}
    lines: list[str] = []
    if root in sums and root in needs:  # the cost is a parameter itself: dC_avg/dp = sum_s dC_avg/dC
        lines.append(f"{sums[root]} += {codegen.source(seed)}")

    def emit(node: Value) -> None:
        terms = [_chain(grad[c], local[c][i]) for c, i in consumers[node]]
        ways = [
            f"d{shown[c]}/d{shown[node]}"
            if c is root and top == shown[c]
            else f"d{top}/d{shown[c]} * d{shown[c]}/d{shown[node]}"
            for c, _ in consumers[node]
        ]
        if len(ways) > 3:
            ways = [f"sum over its {len(ways)} consumers c of d{top}/dc * dc/d{shown[node]}"]
        target = sums.get(node) or names.fresh("d" + codegen.source(expr[node]))
        statements = _sum_statements(target, terms, accumulate=node in sums)
        direct = consumers[node] == [(root, consumers[node][0][1])] and top == shown[root]  # dC/dnode is local
        equals = "" if direct else f" {'+=' if node in sums else '='} {' + '.join(ways)}"
        statements[-1] += f"  # d{top}/d{shown[node]}{equals}"
        lines.extend(statements)
        grad[node] = ast.Name(id=target, ctx=ast.Load())

    for node in reversed(order):
        if node.parents and node in consumers:
            emit(node)
        for leaf in leaves_after.get(node, []):
            emit(leaf)
    return lines, [codegen.source(grad[leaf]) if leaf in grad else "0.0" for leaf in wrt]


def _sum_statements(target: str, terms: Sequence[ast.expr], accumulate: bool) -> list[str]:
    """`target = t_1 + t_2 + ...` (or `target += ...`), added left to right, a line per
    `codegen.TERMS_PER_LINE` terms; `x + -g` is written `x - g` (the same number)."""
    if accumulate and len(terms) == 1:
        (term,) = terms
        if isinstance(term, ast.UnaryOp):
            return [f"{target} -= {codegen.source(term.operand)}"]
        return [f"{target} += {codegen.source(term)}"]
    statements = []
    rest = list(terms) if accumulate else list(terms[1:])
    current = ast.Name(id=target, ctx=ast.Load()) if accumulate else terms[0]
    for start in range(0, max(len(rest), 1), codegen.TERMS_PER_LINE):
        for term in rest[start : start + codegen.TERMS_PER_LINE]:
            if isinstance(term, ast.UnaryOp) and isinstance(term.op, ast.USub):
                current = ast.BinOp(left=current, op=ast.Sub(), right=term.operand)
            else:
                current = ast.BinOp(left=current, op=ast.Add(), right=term)
        statements.append(f"{target} = {codegen.source(current)}")
        current = ast.Name(id=target, ctx=ast.Load())
    return statements


def _chain(g: ast.expr, local: ast.expr) -> ast.expr:
    """g * local, without multiplying by a literal 1 or -1 (which changes no bit of the result)."""
    c = codegen.as_number(local)
    if c == 1.0:
        return g
    if c == -1.0 and not isinstance(g, ast.Constant):
        return ast.UnaryOp(op=ast.USub(), operand=g)
    if isinstance(g, ast.Constant) and g.value == 1.0:
        return local
    return ast.BinOp(left=g, op=ast.Mult(), right=local)


def _tuple(items: Sequence[str]) -> str:
    return f"({', '.join(items)}{',' * (len(items) == 1)})"


def _indent(lines: Sequence[str], depth: int) -> list[str]:
    return [" " * (4 * depth) + line for line in lines]


def _build(source: str, globals_: dict[str, Any], name: str) -> Callable[..., Any]:
    """Compile the generated source; its lines show up in tracebacks while the function lives."""
    filename = f"<microgradnet.compile_function #{next(_counter)}: {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"__builtins__": builtins, **globals_}
    exec(builtins.compile(source, filename, "exec"), namespace)
    function: Callable[..., Any] = namespace.pop(name)  # its globals need not hold it: no reference cycle
    weakref.finalize(function, linecache.cache.pop, filename, None)
    return function


# --- compile_function(f, example_inputs) -----------------------------------------------------


class CompiledFunction:
    """f compiled to straight-line Python: `compiled(inputs)` is `(f(inputs), df/dinputs)`.

    `source` is the generated code: the forward pass and the backward pass, one line per node,
    each backward line commented with the chain rule it applies.
    """

    def __init__(self, f: Callable[..., Value], example_inputs: Sequence[float]) -> None:
        if not callable(f):
            raise TypeError(f"compile: f must be a callable returning a Value, got {type(f).__name__}")
        example = _check_row("example_inputs", example_inputs)
        _require_graph("compile")
        self.f = f
        self.n_inputs = len(example)
        labels = _argument_names(f, self.n_inputs, "x")
        inputs = [Value(x, label) for x, label in zip(example, labels)]
        out = _call_traced(f, inputs)
        names = Names()
        leaves = {v: names.fresh(v.label or labels[i]) for i, v in enumerate(inputs)}
        passes = _passes(out, leaves, inputs, names)
        self._signature = _signature(passes.order, {v: ("input", i) for i, v in enumerate(inputs)})
        lines = [
            f"def value_and_grad({', '.join(leaves.values())}):",
            "    # forward pass: each node from its parents",
            *_indent(passes.forward, 1),
            f"    # backward pass: d{passes.shown}/dnode, each node after all its consumers",
            *_indent(passes.backward, 1),
            f"    return {passes.value}, {_tuple(passes.gradients)}",
        ]
        self.source = "\n".join(lines) + "\n"
        self._function = _build(self.source, names.globals, "value_and_grad")

    def _inputs(self, inputs: Sequence[float]) -> list[float]:
        if isinstance(inputs, Sequence) and not isinstance(inputs, (str, bytes)) and len(inputs) != self.n_inputs:
            raise ValueError(f"expected {self.n_inputs} inputs (as traced), got {len(inputs)}")
        xs = []
        for k, x in enumerate(_check_row("inputs", inputs)):
            try:
                xs.append(float(x))
            except OverflowError:
                raise OverflowError(
                    f"inputs[{k}] is too large for a float ({type(x).__name__} beyond 1.8e308)"
                ) from None
        return xs

    def __call__(self, inputs: Sequence[float]) -> tuple[float, tuple[float, ...]]:
        """(f(inputs), (df/dinputs[0], ...)) by the generated code; no `Value` is created.

        Where the generated code fails or gives a value that is not finite, f runs on the graph
        engine, so that the error raised is the engine's (see `_engine_error`).
        """
        xs = self._inputs(inputs)
        try:
            value, gradient = self._function(*xs)
        except _DOMAIN_ERRORS as error:
            raise _engine_error(error, lambda: self._graph_path(xs)) from None
        if not math.isfinite(value):
            self._graph_path(xs)
        return float(value), tuple(map(float, gradient))

    def _graph_path(self, xs: Sequence[float]) -> None:
        """f on the graph engine, run for its error."""
        _call_traced(self.f, [Value(x) for x in xs])

    def check(self, inputs: Sequence[float]) -> bool:
        """True if f traced on `inputs` gives the compiled graph and the engine's value and
        gradients equal the compiled ones; else `TraceMismatchError` saying where they differ.
        Every gradient, also of the Values f captures, is left as it was."""
        xs = self._inputs(inputs)
        _require_graph("check")
        values = [Value(x) for x in xs]
        out = _call_traced(self.f, values)
        order = topological_order(out)
        _compare(self._signature, _signature(order, {v: ("input", i) for i, v in enumerate(values)}), "on these inputs")
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
        return f"<CompiledFunction of {getattr(self.f, '__qualname__', self.f)!r}, {self.n_inputs} inputs>"


def compile_function(f: Callable[..., Value], example_inputs: Sequence[float]) -> CompiledFunction:
    """Trace `f(*Values)` once on `example_inputs` and return it compiled to straight-line Python.

    `compiled(inputs)` gives `(value, gradient)` with `gradient[i] = df/dinputs[i]`, equal to
    the engine's `backward()`. Leaves f creates itself (constants such as targets) are baked in
    as literals. Control flow that depends on values is frozen: see `CompiledFunction.check`.
    """
    return CompiledFunction(f, example_inputs)


# --- the mean loss over a batch, for training -------------------------------------------


class CompiledLoss:
    """The mean of `loss(*sample)` over a batch and its gradient with respect to `parameters`.

    `compiled(*batches)` (e.g. `compiled(xs, ys)`) reads every parameter's `data`, runs the
    generated function, which loops over the samples itself and keeps the gradient sums in
    local variables, then *adds* the mean gradient into each parameter's `grad` (as
    `backward()` does) and returns the mean cost:

        cost_avg = (1/n) sum_s cost_s,    dcost_avg/dp = (1/n) sum_s dcost_s/dp
    """

    def __init__(
        self, loss: Callable[..., Value], parameters: Sequence[Value], example_sample: Sequence[Sequence[float]]
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
        example = [_check_row(f"example_sample[{i}]", arg) for i, arg in enumerate(example_sample)]
        self.widths = [len(arg) for arg in example]
        _require_graph("compile_loss")
        arguments = _argument_names(loss, len(example), "arg")
        data = [[Value(x, f"{name}[{k}]") for k, x in enumerate(arg)] for name, arg in zip(arguments, example)]
        cost = _call_traced(loss, data)
        if cost.parents and not cost.label:  # a node of this trace (never a parameter) is named C
            cost.label = "C"

        names = Names()
        leaves = {p: names.fresh(p.label or f"p[{i}]") for i, p in enumerate(self.parameters)}
        sums = {p: names.fresh("d" + leaves[p]) for p in self.parameters}
        for row in data:
            leaves.update((v, names.fresh(v.label)) for v in row)
        batches = [names.fresh(f"{name}s") for name in arguments]
        costs, n = names.fresh("costs"), names.fresh("n")
        symbol = cost.label or "C"
        top = f"{symbol}_avg"
        seed = names.fresh(f"d{top}_d{symbol}")
        passes = _passes(cost, leaves, self.parameters, names, sums, (seed, top))
        self._signature = _signature(passes.order, self._roles(data))

        total = names.bind(exact_sum, "exact_sum")
        rows = [_tuple([leaves[v] for v in row]) for row in data]
        loop = (
            f"for {rows[0]} in {batches[0]}:"
            if len(rows) == 1
            else f"for {', '.join(rows)} in zip({', '.join(batches)}):"
        )
        lines = [
            f"def mean_value_and_grad(parameters, {', '.join(batches)}):",
            f"    {_tuple([leaves[p] for p in self.parameters])} = parameters" if self.parameters else "    pass",
            *(f"    {sums[p]} = 0.0" for p in self.parameters),
            f"    {n} = len({batches[0]})",
            f"    {seed} = 1.0 / {n}  # d{top}/d{symbol}: {top} = (1/n) sum_s {symbol}_s",
            f"    {costs} = []",
            f"    {loop}",
            "        # forward pass of this sample: each node from its parents",
            *_indent(passes.forward, 2),
            f"        {costs}.append({passes.value})",
            f"        # backward pass: d{top}/dnode, each node after its consumers; parameters add up",
            *_indent(passes.backward, 2),
            f"    return {total}({costs}) / {n}, {_tuple([sums[p] for p in self.parameters])}",
        ]
        self.source = "\n".join(lines) + "\n"
        self._function = _build(self.source, names.globals, "mean_value_and_grad")

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
            for s, row in enumerate(batch):
                if type(row) in (list, tuple) and len(row) == width and _finite_sum(row):
                    continue  # the common case, checked by one C call
                _check_row(f"batch {i}, sample {s}", row, width, finite=True)
            if not {*map(type, itertools.chain.from_iterable(batch))} <= {float}:  # one C pass over the batch
                # fsum also takes a Decimal or a numpy array: check every number, then convert as `Value` does
                batch = [
                    [float(x) for x in _check_row(f"batch {i}, sample {s}", row, width, finite=True)]
                    for s, row in enumerate(batch)
                ]
            checked.append(batch)
        if n == 0:
            raise ValueError("the batch is empty")
        return checked

    def __call__(self, *batches: Sequence[Sequence[float]]) -> float:
        """Mean cost over the batch; adds d(mean cost)/dp into `p.grad` for every parameter.

        Every number must be finite, and a cost that is not raises the graph engine's error.
        """
        batches = tuple(self._batches(batches))
        n = len(batches[0])
        try:
            cost, gradient = self._function([p.data for p in self.parameters], *batches)
        except _DOMAIN_ERRORS as error:
            raise _engine_error(error, lambda: self._graph_path(batches, n)) from None
        if not math.isfinite(cost):  # the graph path refuses it: raise its error, naming the sample
            self._graph_path(batches, n)
        for p, g in zip(self.parameters, gradient):
            p.grad += g
        return float(cost)

    def _graph_path(self, batches: Sequence[Sequence[Sequence[float]]], n: int) -> None:
        """The batch's mean cost on the graph engine, run for its error."""
        mean_cost([_call_traced(self.loss, [list(map(Value, batch[s])) for batch in batches]) for s in range(n)])

    def check(self, *batches: Sequence[Sequence[float]]) -> bool:
        """True if the loss traced on every sample gives the compiled graph; else `TraceMismatchError`.

        The loss runs on the graph engine here, so its own checks of values (a finite cost, bce's
        targets in [0, 1]), which the compiled code skips, raise their errors for bad samples.
        """
        batches = tuple(self._batches(batches))
        _require_graph("check")
        n = len(batches[0])
        for s in range(n):
            data = [[Value(x) for x in batch[s]] for batch in batches]
            cost = _call_traced(self.loss, data)
            _compare(self._signature, _signature(topological_order(cost), self._roles(data)), f"on sample {s}")
        return True

    def __repr__(self) -> str:
        return f"<CompiledLoss of {getattr(self.loss, '__qualname__', self.loss)!r}, {len(self.parameters)} parameters>"


def compile_loss(
    loss: Callable[..., Value], parameters: Sequence[Value], example_sample: Sequence[Sequence[float]]
) -> CompiledLoss:
    """Trace `loss(*sample)` once (each argument a list of `Value`s, e.g. `loss(x, y)`) and compile
    the mean over a batch with its gradient with respect to `parameters` (Values the loss reads)."""
    return CompiledLoss(loss, parameters, example_sample)


def compile_mlp_loss(mlp: MLP, cost: str | Cost = "half_sse") -> CompiledLoss:
    """`compiled(xs, ys)`: the mean cost of `mlp` over a batch, its gradients added into `p.grad`.

    The same numbers as `mean_cost([cost(mlp(x), y) for x, y in zip(xs, ys)]).backward()`.
    """
    if not isinstance(mlp, MLP):
        raise TypeError(f"compile_mlp_loss: mlp must be an MLP, got {type(mlp).__name__}")
    cost_of = get_cost(cost) if isinstance(cost, str) else cost
    if not callable(cost_of):
        raise TypeError(f"cost must be a cost name or a cost function, got {type(cost).__name__}")

    def sample_cost(x: list[Value], y: list[Value]) -> Value:
        return cost_of(mlp(x), y)

    # The targets are arguments, not constants: a one-hot one traces every cost (cross_entropy wants one).
    return CompiledLoss(sample_cost, mlp.parameters(), [[0.0] * mlp.nin, one_hot(0, mlp.sizes[-1])])
